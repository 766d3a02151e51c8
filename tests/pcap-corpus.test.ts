/**
 * Reads every capture file of the shared corpus ($SIEVECAP_CORPUS, or ../shared/corpus) with our
 * reader and compares with Wireshark's reader (wiretap), packet by packet: count, length, captured
 * length, time stamp. Wiretap's answer comes from editcap (see wiretapFrames), or from tshark for
 * the files editcap cannot rewrite as one pcap.
 *
 * - Wireshark reads the file cleanly: we must return the same packets and no error.
 * - Wireshark reports damage: we must return the same packets it read before the damage, then an error.
 * - Wireshark does not know the link type (DSA tags, Juniper, FRF.16): tcpdump is the reference (--count).
 * Fails, saying where it looked, when the corpus is absent. tshark takes ~0.45 s per file to
 * start, so its output is cached per file content and tshark version (see ToolOutputCache).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import * as zlib from 'node:zlib';
import { linkTypeName } from '../app/pcap';
import {
  parseTsharkFrames, readWithOurReader, requireTool, runTool, runToolAsync, stderrWithoutRootWarning,
  TSHARK_FIELDS, tcpdumpVersion, tempDir, ToolOutputCache, tsharkVersion, type ReadResult, type TsharkFrame,
} from './pcap-helpers';
import { requireCorpusDir } from './support/corpus';

/**
 * Link types whose records begin with a pseudo-header that Wireshark's wiretap moves out of the
 * frame (so frame.len and frame.cap_len are that many bytes shorter than the record's lengths).
 */
const WIRETAP_PSEUDO_HEADER_BYTES: ReadonlyMap<number, number> = new Map([[123, 4]]); // SUNATM

function listCaptureFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(pcap|pcapng|cap|ntar)(\.gz)?$|\.pcap\w*$|\.gz$/i.test(e.name)) out.push(p);
    }
  };
  walk(dir);
  return out.sort();
}

async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: limit }, worker));
  return results;
}

/**
 * True when a pcap record's fraction field is out of range (>= 10^6 µs or >= 10^9 ns): we
 * normalise it (carry into the seconds), tshark prints it unnormalised or wraps it in 32 bits, so
 * the two are not comparable. tcpdump prints "(invalid us)" for those.
 */
function pcapFractionInvalid(file: string, reader: ReadResult['reader'], recordOffset: number): boolean {
  if (reader.info.format !== 'pcap' || reader.info.compressed) return false;
  const fd = fs.openSync(file, 'r');
  try {
    const b = Buffer.alloc(4);
    fs.readSync(fd, b, 0, 4, recordOffset + 4);
    const frac = reader.info.byteOrder === 'little' ? b.readUInt32LE(0) : b.readUInt32BE(0);
    return frac >= (reader.info.nanosecond ? 1e9 : 1e6);
  } finally {
    fs.closeSync(fd);
  }
}

function comparePackets(file: string, rel: string, ours: ReadResult, theirs: TsharkFrame[], pseudoHeaderMoved: boolean, counts: { tsSkipped: number }): string | null {
  return comparePacketList(rel, ours.packets, theirs, pseudoHeaderMoved, (p) => {
    const invalid = pcapFractionInvalid(file, ours.reader, p.offset);
    if (invalid) counts.tsSkipped++;
    return invalid;
  });
}

function comparePacketList(file: string, ours: ReadResult['packets'], theirs: TsharkFrame[], pseudoHeaderMoved: boolean, fractionInvalid: (p: ReadResult['packets'][number]) => boolean): string | null {
  if (ours.length !== theirs.length) return `${file}: we read ${ours.length} packets, Wireshark ${theirs.length}`;
  for (let i = 0; i < ours.length; i++) {
    const a = ours[i] as ReadResult['packets'][number];
    const b = theirs[i] as TsharkFrame;
    const shift = pseudoHeaderMoved ? (WIRETAP_PSEUDO_HEADER_BYTES.get(a.linkType) ?? 0) : 0;
    const expectCap = Math.min(a.capLen, Math.max(0, a.capLen - shift));
    if (a.origLen - shift !== b.origLen || expectCap !== b.capLen) {
      return `${file} packet ${i + 1}: len/caplen ${a.origLen}/${a.capLen}, Wireshark ${b.origLen}/${b.capLen}`;
    }
    if (b.tsNs !== null && a.tsNs !== b.tsNs && !fractionInvalid(a)) return `${file} packet ${i + 1}: time stamp ${a.tsNs} ns, Wireshark ${b.tsNs} ns`;
  }
  return null;
}

/**
 * Wireshark's reading of one file, packet by packet, from editcap: it reads with wiretap, the
 * library tshark reads with (the same lengths, time stamps and error messages), and starts in
 * ~10 ms where tshark's dissector registration takes ~0.45 s of CPU — a thousand corpus files
 * cost ~15 s instead of ~6 minutes. The packets come back as a nanosecond pcap, parsed here (not
 * by the reader under test). Undefined when editcap cannot say: files that cannot be written as
 * one pcap (pcapng with several link types, custom or non-packet records) — tshark reads those.
 */
async function wiretapFrames(file: string, out: string): Promise<{ frames: TsharkFrame[]; error: string } | undefined> {
  const r = await runToolAsync('editcap', ['-F', 'nsecpcap', file, out]);
  const error = r.stderr.trim();
  try {
    if (/can't be (written|saved)|differs from/.test(error)) return undefined;
    if (/network type \d+ unknown or unsupported|encapsulation .* unknown/.test(error)) return { frames: [], error };
    const frames: TsharkFrame[] = [];
    let data: Buffer;
    try {
      data = fs.readFileSync(out);
    } catch {
      return { frames, error: error || `editcap wrote no file (exit ${r.code})` };
    }
    if (data.length >= 24 && data.readUInt32LE(0) !== 0xa1b23c4d) throw new Error(`${file}: editcap wrote an unexpected magic ${data.readUInt32LE(0).toString(16)}`);
    for (let o = 24; o + 16 <= data.length; o += 16 + data.readUInt32LE(o + 8)) {
      frames.push({ tsNs: BigInt(data.readUInt32LE(o)) * 1_000_000_000n + BigInt(data.readUInt32LE(o + 4)), capLen: data.readUInt32LE(o + 8), origLen: data.readUInt32LE(o + 12) });
    }
    return { frames, error: r.code !== 0 && error === '' ? `editcap exit ${r.code}` : error };
  } finally {
    fs.rmSync(out, { force: true });
  }
}

test('corpus: our reader agrees with Wireshark (editcap, tshark) and tcpdump on every file', { timeout: 30 * 60_000 }, async () => {
  const corpus = requireCorpusDir();
  requireTool('editcap');
  requireTool('tshark');
  requireTool('tcpdump');
  const files = listCaptureFiles(corpus);
  assert.ok(files.length > 0, `no capture files under ${corpus}`);
  const counts = { clean: 0, damaged: 0, tcpdumpOnly: 0, tsSkipped: 0, noTimestamp: 0, byTshark: 0 };
  const failures: string[] = [];
  const cache = new ToolOutputCache('tshark-corpus', `tshark ${tsharkVersion()} ${TSHARK_FIELDS.join(' ')}`);
  const { dir, remove } = tempDir('editcap');
  const ours = files.map((f) => readWithOurReader(f));
  let references: Array<{ frames: TsharkFrame[]; error: string; byTshark?: boolean }>;
  try {
    references = await mapLimit(files.map((f, i) => ({ f, i })), Math.max(2, os.cpus().length), async ({ f, i }) => {
      // nsecpcap holds 32-bit seconds: time stamps past 2106 go to tshark too.
      const past2106 = (ours[i] as ReadResult).packets.some((p) => p.tsNs >= 2n ** 32n * 1_000_000_000n);
      const viaEditcap = past2106 ? undefined : await wiretapFrames(f, path.join(dir, `${i}.pcap`));
      if (viaEditcap) return viaEditcap;
      counts.byTshark++;
      const ts = await cache.get(f, () => runToolAsync('tshark', ['-n', '-r', f, ...TSHARK_FIELDS]));
      const error = stderrWithoutRootWarning(ts.stderr);
      return { frames: parseTsharkFrames(ts.stdout), error: ts.code !== 0 && error === '' ? `tshark exit ${ts.code}` : error, byTshark: true };
    });
  } finally {
    remove();
  }
  files.forEach((file, i) => {
    const rel = path.relative(corpus, file);
    const mine = ours[i] as ReadResult;
    const { frames: theirs, error, byTshark } = references[i] as { frames: TsharkFrame[]; error: string; byTshark?: boolean };
    counts.noTimestamp += theirs.filter((f) => f.tsNs === null).length;
    if (/network type \d+ unknown or unsupported|encapsulation .* unknown/.test(error)) {
      // Wireshark cannot read this link type at all; libpcap (tcpdump) reads any link type.
      counts.tcpdumpOnly++;
      const td = runTool('tcpdump', ['-n', '-r', file, '--count']);
      const m = /(\d+) packets?/.exec(td.stdout);
      const n = m ? Number(m[1]) : -1;
      if (n !== mine.packets.length || mine.reader.error !== null) {
        failures.push(`${rel}: we read ${mine.packets.length} packets (error: ${mine.reader.error?.message ?? 'none'}), tcpdump ${n}`);
      }
      const named = /link-type (.*), snapshot length/.exec(td.stderr)?.[1];
      if (named !== undefined && named !== linkTypeName(mine.reader.linkType)) failures.push(`${rel}: link type ${linkTypeName(mine.reader.linkType)}, tcpdump says ${named}`);
      return;
    }
    if (error === '') {
      counts.clean++;
      if (mine.reader.error !== null) failures.push(`${rel}: Wireshark reads it cleanly, we stopped: ${mine.reader.error.message}`);
    } else {
      counts.damaged++;
      if (mine.reader.error === null) failures.push(`${rel}: Wireshark reports "${error.replace(/\n/g, ' ')}", we saw no damage`);
    }
    // tshark moves a SunATM pseudo-header out of the frame; editcap writes it back into the record.
    const mismatch = comparePackets(file, rel, mine, theirs, byTshark === true, counts);
    if (mismatch !== null) failures.push(mismatch);
  });
  console.log(
    `# corpus: ${files.length} files compared with Wireshark's reader (editcap; tshark ${tsharkVersion()} for ${counts.byTshark} files editcap cannot rewrite as one pcap) / tcpdump ${tcpdumpVersion()}: ` +
      `${counts.clean} clean, ${counts.damaged} damaged (same packets before the damage + error), ` +
      `${counts.tcpdumpOnly} with link types only tcpdump reads; ${counts.tsSkipped} time stamps with an out-of-range fraction and ${counts.noTimestamp} packets tshark shows without a time stamp (SPB) were not compared; ` +
      `tshark output: ${cache.hits} from the cache in ${cache.dir}, ${cache.misses} run now`,
  );
  assert.deepEqual(failures, [], `${failures.length} file(s) differ:\n${failures.slice(0, 40).join('\n')}`);
});

test('corpus: link-type names match the "link-type" line tcpdump prints for each pcap file', () => {
  const corpus = requireCorpusDir();
  requireTool('tcpdump');
  const files = listCaptureFiles(corpus).filter((f) => f.endsWith('.pcap')).slice(0, 400);
  const failures: string[] = [];
  let compared = 0;
  for (const file of files) {
    const td = runTool('tcpdump', ['-n', '-r', file, '-c', '1']);
    const named = /link-type (.*), snapshot length/.exec(td.stderr)?.[1];
    if (named === undefined) continue;
    const { reader } = readWithOurReader(file);
    if (reader.info.format === null) continue;
    compared++;
    if (named !== linkTypeName(reader.linkType)) failures.push(`${path.basename(file)}: ours ${linkTypeName(reader.linkType)}, tcpdump ${named}`);
  }
  console.log(`# link-type names compared with tcpdump on ${compared} files`);
  assert.ok(compared > 100);
  assert.deepEqual(failures, []);
});

test('corpus: gzip-compressed copies read exactly like the originals', () => {
  const corpus = requireCorpusDir();
  const files = listCaptureFiles(corpus).filter((f) => !f.endsWith('.gz'));
  // Every 25th file: both formats, both byte orders and several damaged files land in the sample.
  const sample = files.filter((_, i) => i % 25 === 0);
  const { dir, remove } = tempDir('gz');
  try {
    for (const file of sample) {
      const gz = path.join(dir, `${path.basename(file)}.gz`);
      fs.writeFileSync(gz, zlib.gzipSync(fs.readFileSync(file)));
      const plain = readWithOurReader(file);
      const packed = readWithOurReader(gz);
      assert.equal(packed.reader.info.compressed, true);
      assert.equal(packed.packets.length, plain.packets.length, file);
      assert.deepEqual(packed.packets, plain.packets, file);
      assert.equal(packed.reader.error?.message.replace(gz, file), plain.reader.error?.message, file);
    }
  } finally {
    remove();
  }
});
