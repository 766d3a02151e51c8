/**
 * `sievecap -r FILE FILTER`: the capture filter runs natively over batches of packets
 * (CaptureReader.nextBatch + ClassicFilter), and must keep exactly what tcpdump keeps. Compared
 * with tcpdump on files the test makes (pcap in both byte orders, pcapng, packets captured short
 * of their length, a length on the wire below the captured length) and on the corpus: verdicts of
 * the batch filter, frames written with -w, text lines, -c, damaged files, filters that do not
 * compile for a later link type, pcapng custom blocks; and pcapng files with interfaces of two
 * link types, which tcpdump refuses to read, against tcpdump on each link type's packets apart.
 * Needs tcpdump and the shared corpus.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CaptureFilter } from '../app/cli/capture-filter';
import { native } from '../app/capture/native';
import { compileFilter, FilterSyntaxError } from '../app/capture/filter';
import { block, epb, idb, pcapHeader, pcapRecord, shb, u32Value } from '../app/pcap/craft';
import { linkTypeToDlt } from '../app/pcap/linktype';
import { PacketBatch } from '../app/pcap/packet-batch';
import { CaptureReader } from '../app/pcap/reader';
import { PcapWriter } from '../app/pcap/pcap-writer';
import { captureFiles, requireCorpusDir } from './support/corpus';
import { filterFrames, rawIpPacket, type FilterFrame } from './support/filter-frames';
import { sievecap } from './support/sievecap';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-capture-filter-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));
let fileNo = 0;
const tcpdumpVersion = execFileSync('tcpdump', ['--version'], { encoding: 'utf8' }).split('\n')[0];

function temp(bytes: Buffer, ext: string): string {
  const file = path.join(tmp, `f${fileNo++}.${ext}`);
  fs.writeFileSync(file, bytes);
  return file;
}

/** A frame of a file, as compared: time stamp (in µs: tcpdump -w writes µs), length on the wire, bytes. */
function frameKey(p: { tsNs: bigint; origLen: number; data: Uint8Array }): string {
  return `${p.tsNs / 1000n} ${p.origLen} ${Buffer.from(p.data).toString('hex')}`;
}

/** frameKey without the time stamp: tcpdump -w writes out-of-range fractions of a second as they are, and we do not. */
function withoutTime(key: string): string {
  return key.slice(key.indexOf(' ') + 1);
}

function framesOfCapture(bytes: Buffer | string): { frames: string[]; linkTypes: number[]; error: string | null } {
  const r = typeof bytes === 'string' ? CaptureReader.open(bytes) : CaptureReader.fromBuffer(bytes);
  const frames: string[] = [];
  const linkTypes: number[] = [];
  for (let p = r.next(); p; p = r.next()) {
    frames.push(frameKey(p));
    linkTypes.push(p.linkType);
  }
  r.close();
  return { frames, linkTypes, error: r.error?.message ?? null };
}

/** What `tcpdump -r FILE [-c N] FILTER -w -` keeps, and its exit status and stderr. */
function tcpdumpKeeps(file: string, filter: string, extra: string[] = []): { frames: string[]; status: number | null; stderr: string } {
  const r = spawnSync('tcpdump', ['-r', file, ...extra, '-w', '-', filter], { maxBuffer: 1 << 28 });
  const stderr = r.stderr.toString();
  const frames = r.stdout.length >= 24 ? framesOfCapture(r.stdout).frames : [];
  return { frames, status: r.status, stderr };
}

/** The packets the CLI's batch filter keeps, read batch by batch as `sievecap -r` reads them. */
function batchKeeps(file: string, filter: string, capacity = 1024): { frames: string[]; batches: number } {
  const reader = CaptureReader.open(file);
  const capture = new CaptureFilter(filter, reader, capacity);
  const batch = new PacketBatch(capacity);
  const frames: string[] = [];
  let batches = 0;
  try {
    for (let n = reader.nextBatch(batch); n > 0; n = reader.nextBatch(batch)) {
      batches++;
      assert.equal(capture.judge(batch), n, `${file} '${filter}': ${capture.failure?.message}`);
      for (let i = 0; i < n; i++) if (capture.verdicts[i] === 1) frames.push(frameKey(batch.packet(i)));
    }
    assert.equal(reader.error, null, file);
  } finally {
    reader.close();
  }
  return { frames, batches };
}

/** The same packets through the addon's per-packet pcapFilter (one program conversion per call). */
function perPacketKeeps(file: string, filter: string): string[] {
  const reader = CaptureReader.open(file);
  const programs = new Map<number, ReturnType<typeof compileFilter>>();
  const kept: string[] = [];
  for (let p = reader.next(); p; p = reader.next()) {
    let program = programs.get(p.linkType);
    if (!program) programs.set(p.linkType, (program = compileFilter({ filter, linkType: linkTypeToDlt(p.linkType), snapLen: 262144 })));
    if (native().pcapFilter(program, p.data, Math.max(p.origLen, p.data.length)) !== 0) kept.push(frameKey(p));
  }
  reader.close();
  return kept;
}

function pcapFile(frames: FilterFrame[], options: { le?: boolean; linkType?: number; snapLen?: number } = {}): string {
  const le = options.le ?? true;
  const parts = [pcapHeader(le, false, options.linkType ?? 1, options.snapLen ?? 65535)];
  frames.forEach((f, i) => parts.push(pcapRecord(le, 1_700_000_000 + Math.floor(i / 1000), (i * 997) % 1_000_000, f.data, f.origLen)));
  return temp(Buffer.concat(parts), 'pcap');
}

function pcapngFile(frames: FilterFrame[]): string {
  const parts = [shb(true), idb(true, 1, 65535)];
  frames.forEach((f, i) => parts.push(epb(true, 0, 1_700_000_000n * 1_000_000n + BigInt(i) * 1000n, f.data, f.origLen)));
  return temp(Buffer.concat(parts), 'pcapng');
}

const ethernet = filterFrames(12000, 11); // about 3.5 MiB: batches end at the reader's 1 MiB reads
const madeFiles = {
  'pcap little-endian': pcapFile(ethernet),
  'pcap big-endian': pcapFile(ethernet.slice(0, 4000), { le: false }),
  pcapng: pcapngFile(ethernet.slice(0, 4000)),
  'raw IP pcap': pcapFile(ethernet.map(rawIpPacket).filter((f): f is FilterFrame => f !== undefined).slice(0, 4000), { linkType: 101 }),
};
const FILTERS = ['tcp port 80', 'udp port 53 or icmp6', 'vlan and tcp', 'less 100', 'ip[6:2] & 0x1fff != 0', 'tcp[tcpflags] & tcp-syn != 0 and net 10.0.0.0/16'];

describe(`batch filter verdicts = tcpdump -r FILTER -w - (${tcpdumpVersion})`, () => {
  for (const [name, file] of Object.entries(madeFiles)) {
    test(`made ${name} file`, (t) => {
      let compared = 0;
      for (const filter of FILTERS) {
        const theirs = tcpdumpKeeps(file, filter);
        if (theirs.status !== 0) {
          // e.g. vlan on raw IP: the CLI refuses it with libpcap's words too.
          assert.throws(() => batchKeeps(file, filter), (e: Error) => e instanceof FilterSyntaxError && theirs.stderr.includes(e.libpcapMessage));
          continue;
        }
        const ours = batchKeeps(file, filter);
        assert.deepEqual(ours.frames, theirs.frames, `${name}: ${filter}`);
        assert.deepEqual(perPacketKeeps(file, filter), theirs.frames, `${name}: ${filter} (per packet)`);
        // Small batches too: where a batch ends must not matter.
        assert.deepEqual(batchKeeps(file, filter, 13).frames, theirs.frames, `${name}: ${filter}, batches of 13`);
        compared += theirs.frames.length;
      }
      assert.ok(compared > 100);
      t.diagnostic(`${compared} kept packets identical`);
    });
  }

  test('a length on the wire below the captured length reaches `len` as it is', () => {
    const frames = ethernet.slice(0, 200).map((f, i) => ({ data: f.data, origLen: i % 2 ? 40 : f.origLen }));
    const file = pcapFile(frames);
    for (const filter of ['less 50', 'greater 100', 'len = 40 and tcp']) {
      assert.deepEqual(batchKeeps(file, filter).frames, tcpdumpKeeps(file, filter).frames, filter);
    }
  });

  test('corpus files that tcpdump reads whole', (t) => {
    // Files of one link type go to one tcpdump run per filter (`-V LIST`: it opens each file in
    // turn, with its own snap length, and compiles the filter for each); a run that fails or
    // differs is done again file by file, to name the file.
    const byLinkType = new Map<number, string[]>();
    /** Files tcpdump -V cannot take in a group (interfaces of different snap lengths): one by one. */
    const alone: string[] = [];
    for (const file of captureFiles(requireCorpusDir())) {
      let reader: CaptureReader;
      try {
        reader = CaptureReader.open(file);
      } catch {
        continue;
      }
      // tcpdump cuts records longer than the file's snap length (our reader, like tshark, does not),
      // and refuses pcapng files whose interfaces differ in link type: those are compared below.
      let comparable = reader.info.format !== null;
      for (let p = reader.next(); p && comparable; p = reader.next()) {
        const snapLen = reader.interfaces[p.interfaceId]?.snapLen ?? 0;
        if ((snapLen !== 0 && p.data.length > snapLen) || p.linkType !== reader.linkType) comparable = false;
      }
      comparable &&= reader.error === null && reader.interfaces.length > 0;
      const linkType = reader.linkType;
      const snapLens = new Set(reader.interfaces.map((i) => i.snapLen));
      reader.close();
      if (!comparable) continue;
      if (snapLens.size > 1) alone.push(file);
      else byLinkType.set(linkType, [...(byLinkType.get(linkType) ?? []), file]);
    }
    const ourFrames = (file: string, filter: string): string[] => {
      try {
        return batchKeeps(file, filter).frames;
      } catch (err) {
        assert.fail(`${file} '${filter}': tcpdump reads it, we fail: ${(err as Error).message}`);
      }
    };
    const oneByOne = (files: string[], filter: string): number => {
      let kept = 0;
      for (const file of files) {
        const theirs = tcpdumpKeeps(file, filter);
        if (theirs.status !== 0) continue;
        const ours = ourFrames(file, filter);
        assert.deepEqual(ours.map(withoutTime), theirs.frames.map(withoutTime), `${file}: ${filter}`);
        kept += ours.length;
      }
      return kept;
    };
    let files = alone.length;
    let kept = 0;
    let groupRuns = 0;
    for (const filter of ['tcp port 80', 'ip6 or (udp and greater 200) or vlan']) kept += oneByOne(alone, filter);
    /** tcpdump's stderr without its "reading from file" lines. */
    const complaint = (stderr: string): string => stderr.replace(/^reading from file .*\n/gm, '').trim();
    for (const [linkType, files0] of byLinkType) {
      files += files0.length;
      for (const filter of ['tcp port 80', 'ip6 or (udp and greater 200) or vlan']) {
        let group = files0;
        // A file tcpdump cannot read ends its -V run there: that file goes alone, the run again (bounded).
        for (let attempt = 0; attempt < 8 && group.length > 0; attempt++) {
          const list = path.join(tmp, `corpus-${linkType}.txt`);
          fs.writeFileSync(list, group.join('\n') + '\n');
          // -Z root: tcpdump gives up root for user tcpdump after opening the first file, and the
          // next files may sit where that user cannot go (a clone under a mode-700 mktemp folder).
          const r = spawnSync('tcpdump', ['-Z', 'root', '-V', list, '-w', '-', filter], { maxBuffer: 1 << 28 });
          const stderr = r.stderr.toString();
          if (r.status === 0) {
            const theirs = r.stdout.length >= 24 ? framesOfCapture(r.stdout).frames.map(withoutTime) : [];
            const ours = group.flatMap((file) => ourFrames(file, filter)).map(withoutTime);
            if (JSON.stringify(ours) === JSON.stringify(theirs)) {
              kept += ours.length;
              groupRuns++;
            } else kept += oneByOne(group, filter); // names the file that differs
            group = [];
            break;
          }
          const reading = [...stderr.matchAll(/^reading from file (.*), link-type /gm)].map((m) => m[1]!);
          const last = reading.at(-1);
          if (reading.length <= 1 && complaint(tcpdumpKeeps(group[0]!, filter).stderr) === complaint(stderr)) {
            // The filter does not compile for this link type (e.g. vlan on raw IP): tcpdump refuses every file of it alike.
            groupRuns++;
            group = [];
            break;
          }
          // tcpdump names a file once it has opened it: the one that failed to open is the next.
          const culprit = group[last === undefined ? 0 : group.indexOf(last) + 1];
          if (culprit === undefined || (last !== undefined && !group.includes(last))) break;
          kept += oneByOne([culprit], filter);
          group = group.filter((f) => f !== culprit);
        }
        if (group.length > 0) kept += oneByOne(group, filter);
      }
    }
    assert.ok(files > 500, `only ${files} corpus files compared`);
    t.diagnostic(`${files} corpus files (${byLinkType.size} link types; ${groupRuns} tcpdump -V runs took whole groups), ${kept} kept packets identical`);
  });
});

describe('bin/sievecap -r FILE FILTER = tcpdump -r FILE FILTER', () => {
  const corpus = requireCorpusDir();
  const httpFile = path.join(corpus, 'lwerdna-filesamples/simple_http.pcap');
  const dnsFile = path.join(corpus, 'tcpdump/tests/dns_tcp.pcap');

  test('-w: the same frames, for several filters and files', () => {
    for (const [name, file] of [...Object.entries(madeFiles), ['simple_http.pcap', httpFile]]) {
      for (const filter of ['tcp port 80', 'udp port 53 or icmp6', 'vlan and tcp', 'greater 1000']) {
        const out = path.join(tmp, 'out.pcap');
        const theirs = tcpdumpKeeps(file!, filter);
        const r = sievecap(['-r', file!, '-w', out, filter]);
        if (theirs.status !== 0) {
          assert.notEqual(r.status, 0, `${name}: ${filter}`);
          continue;
        }
        assert.equal(r.status, 0, `${name}: ${filter}: ${r.stderr}`);
        assert.deepEqual(framesOfCapture(out).frames, theirs.frames, `${name}: ${filter}`);
      }
    }
  });

  test('text lines: byte for byte', () => {
    for (const file of [httpFile, dnsFile]) {
      for (const filter of ['tcp port 80', 'tcp and greater 100', 'udp or tcp port 53']) {
        const theirs = spawnSync('tcpdump', ['-nn', '-r', file, filter], { maxBuffer: 1 << 26 });
        const ours = sievecap(['-nn', '-r', file, filter]);
        assert.equal(ours.status, 0, ours.stderr);
        assert.equal(ours.stdout.toString(), theirs.stdout.toString(), `${path.basename(file)}: ${filter}`);
      }
    }
  });

  test('-c counts kept packets, and nothing past the last one asked for is read', () => {
    const file = madeFiles['pcap little-endian'];
    for (const count of ['1', '7', '1500']) {
      const out = path.join(tmp, 'count.pcap');
      const r = sievecap(['-r', file, '-c', count, '-w', out, 'tcp port 80']);
      assert.equal(r.status, 0, r.stderr);
      assert.deepEqual(framesOfCapture(out).frames, tcpdumpKeeps(file, 'tcp port 80', ['-c', count]).frames, `-c ${count}`);
      const lines = sievecap(['-nn', '-r', file, '-c', count, 'tcp port 80']);
      assert.equal(lines.stdout.toString().split('\n').filter(Boolean).length, Number(count));
    }
    // Damage right after the 5th kept packet: -c 5 never reaches it (as tcpdump), -c 6 reports it.
    const parts = [pcapHeader(true, false, 1, 65535)];
    let kept = 0;
    for (const [i, f] of ethernet.entries()) {
      parts.push(pcapRecord(true, 1_700_000_000, i, f.data, f.origLen));
      if (perFrameKeeps('tcp port 80', f)) kept++;
      if (kept === 5) break;
    }
    parts.push(pcapRecord(true, 1_700_000_001, 0, ethernet[0]!.data).subarray(0, 30));
    const damaged = temp(Buffer.concat(parts), 'pcap');
    const five = sievecap(['-nn', '-r', damaged, '-c', '5', 'tcp port 80']);
    assert.equal(five.status, 0, five.stderr);
    assert.equal(five.stdout.toString().split('\n').filter(Boolean).length, 5);
    const six = sievecap(['-nn', '-r', damaged, '-c', '6', 'tcp port 80']);
    assert.equal(six.status, 1);
    assert.equal(six.stdout.toString(), five.stdout.toString());
    assert.match(six.stderr, /truncated packet/);
  });

  test('a damaged file: every kept packet before the damage is written, then the error', () => {
    const whole = fs.readFileSync(madeFiles['pcap little-endian']);
    const cut = temp(whole.subarray(0, Math.floor(whole.length * 0.7)), 'pcap');
    for (const filter of ['tcp port 80', 'udp']) {
      const out = path.join(tmp, 'damaged.pcap');
      const theirs = tcpdumpKeeps(cut, filter);
      assert.notEqual(theirs.status, 0, 'tcpdump reports the damage too');
      const r = sievecap(['-r', cut, '-w', out, filter]);
      assert.equal(r.status, 1);
      assert.match(r.stderr, /truncated packet/);
      assert.deepEqual(framesOfCapture(out).frames, theirs.frames, filter);
      const lines = sievecap(['-nn', '-r', cut, filter]);
      const tcpdumpLines = spawnSync('tcpdump', ['-nn', '-r', cut, filter], { maxBuffer: 1 << 28 }).stdout.toString();
      assert.equal(lines.status, 1);
      assert.equal(lines.stdout.toString().split('\n').filter(Boolean).length, tcpdumpLines.split('\n').filter(Boolean).length, `${filter}: as many lines as tcpdump`);
    }
  });

  test('an invalid filter writes nothing', () => {
    const out = path.join(tmp, 'never.pcap');
    const r = sievecap(['-r', madeFiles.pcapng, '-w', out, 'tcp port']);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /syntax error/);
    assert.equal(fs.existsSync(out), false);
  });

  test('pcapng custom blocks never match, even a filter that matches every packet', () => {
    const udp = ethernet.filter((f) => perFrameKeeps('udp', f)).slice(0, 2);
    const custom = block(true, 0x00000bad, Buffer.concat([u32Value(true, 32473), Buffer.from('not a packet')]));
    const file = temp(Buffer.concat([shb(true), idb(true, 1, 0), epb(true, 0, 1n, udp[0]!.data), custom, epb(true, 0, 2n, udp[1]!.data)]), 'pcapng');
    const fields = (filter: string[]): string[] => {
      const r = sievecap(['-r', file, '-T', 'fields', '-e', 'frame.len', ...filter]);
      assert.equal(r.status, 0, r.stderr);
      return r.stdout.toString().split('\n').filter(Boolean);
    };
    assert.equal(fields([]).length, 3, 'tshark-style output lists the custom block as a frame');
    assert.deepEqual(fields(['udp or not udp']), [String(udp[0]!.data.length), String(udp[1]!.data.length)]);
  });
});

const perFramePrograms = new Map<string, ReturnType<typeof compileFilter>>();

/** Does libpcap's per-packet filter keep this Ethernet frame? */
function perFrameKeeps(filter: string, f: FilterFrame): boolean {
  let program = perFramePrograms.get(filter);
  if (!program) perFramePrograms.set(filter, (program = compileFilter({ filter, linkType: 1, snapLen: 65535 })));
  return native().pcapFilter(program, f.data, f.origLen) !== 0;
}

describe('pcapng with interfaces of two link types (tcpdump refuses them: compared per link type)', () => {
  /** tcpdump on each link type's packets apart (in a pcap file of that link type each), merged back in file order. */
  function tcpdumpPerLinkType(file: string, filter: string): string[] {
    const reader = CaptureReader.open(file);
    const byType = new Map<number, { writer: PcapWriter; path: string }>();
    const order: number[] = [];
    for (let p = reader.next(); p; p = reader.next()) {
      let part = byType.get(p.linkType);
      if (!part) {
        const partPath = path.join(tmp, `part-${fileNo++}-${p.linkType}.pcap`);
        part = { writer: new PcapWriter(partPath, { linkType: p.linkType, snapLen: 262144 }), path: partPath };
        byType.set(p.linkType, part);
      }
      part.writer.writePacket(p);
      order.push(p.linkType);
    }
    reader.close();
    assert.equal(reader.error, null);
    const kept = new Map<number, Set<number>>();
    for (const [linkType, part] of byType) {
      part.writer.close();
      const r = spawnSync('tcpdump', ['-r', part.path, '-w', '-', filter], { maxBuffer: 1 << 28 });
      assert.equal(r.status, 0, `tcpdump on link type ${linkType}: ${r.stderr}`);
      // Positions (within the link type) of the packets tcpdump kept.
      const mine = framesOfCapture(part.path).frames;
      const theirs = framesOfCapture(r.stdout).frames;
      const positions = new Set<number>();
      let k = 0;
      for (const f of theirs) {
        while (k < mine.length && mine[k] !== f) k++;
        assert.ok(k < mine.length, 'tcpdump wrote a packet it was not given');
        positions.add(k++);
      }
      kept.set(linkType, positions);
    }
    const all = framesOfCapture(file).frames;
    const seenOfType = new Map<number, number>();
    return all.filter((_, i) => {
      const linkType = order[i]!;
      const k = seenOfType.get(linkType) ?? 0;
      seenOfType.set(linkType, k + 1);
      return kept.get(linkType)!.has(k);
    });
  }

  function twoLinkTypes(): string {
    const parts = [shb(true), idb(true, 1, 65535), idb(true, 101, 65535)];
    ethernet.slice(0, 6000).forEach((f, i) => {
      const raw = i % 3 === 0 ? rawIpPacket(f) : undefined;
      parts.push(raw ? epb(true, 1, BigInt(i) * 1000n, raw.data, raw.origLen) : epb(true, 0, BigInt(i) * 1000n, f.data, f.origLen));
    });
    return temp(Buffer.concat(parts), 'pcapng');
  }

  const corpus = requireCorpusDir();
  const files: Array<[string, string, string[]]> = [
    ['made: Ethernet and raw IP interleaved', twoLinkTypes(), ['tcp port 80', 'ip6', 'udp and less 120', 'ip[6:2] & 0x1fff != 0']],
    ...['output_le/basic/test006.pcapng', 'output_be/basic/test006.pcapng', 'output_le/difficult/test202.pcapng', 'output_be/difficult/test202.pcapng'].map(
      (f): [string, string, string[]] => [`corpus ${f}`, path.join(corpus, 'pcapng-test-generator', f), ['ip', 'udp port 67', 'ip6', 'greater 200']],
    ),
  ];
  for (const [name, file, filters] of files) {
    test(name, () => {
      const whole = spawnSync('tcpdump', ['-r', file], { encoding: 'utf8' });
      assert.match(whole.stderr, /different from the type of the first interface/, 'tcpdump refuses the file as it is');
      for (const filter of filters) {
        const expected = tcpdumpPerLinkType(file, filter);
        const out = path.join(tmp, 'two.pcapng');
        const r = sievecap(['-r', file, '-w', out, filter]);
        assert.equal(r.status, 0, r.stderr);
        assert.deepEqual(framesOfCapture(out).frames, expected, `${name}: ${filter}`);
        assert.deepEqual(batchKeeps(file, filter, 5).frames, expected, `${name}: ${filter}, batches of 5`);
        const lines = sievecap(['-nn', '-r', file, filter]);
        assert.equal(lines.stdout.toString().split('\n').filter(Boolean).length, expected.length, `${name}: ${filter}: lines (stderr: ${lines.stderr})`);
      }
    });
  }

  test('a filter that does not compile for a later link type: the packets before it, then the error', () => {
    const filter = 'ether host 02:00:00:00:00:01';
    // The first raw IP packet is the file's first packet of interface 1 (i = 0): put Ethernet ones before it.
    const parts = [shb(true), idb(true, 1, 65535), idb(true, 101, 65535)];
    const before = ethernet.slice(0, 300);
    before.forEach((f, i) => parts.push(epb(true, 0, BigInt(i), f.data, f.origLen)));
    parts.push(epb(true, 1, 999n, rawIpPacket(ethernet.find((f) => rawIpPacket(f))!)!.data));
    before.forEach((f, i) => parts.push(epb(true, 0, BigInt(1000 + i), f.data, f.origLen)));
    const mixed = temp(Buffer.concat(parts), 'pcapng');
    const expected = before.filter((f) => perFrameKeeps(filter, f));
    assert.ok(expected.length > 0 && expected.length < before.length);
    const out = path.join(tmp, 'partial.pcapng');
    const r = sievecap(['-r', mixed, '-w', out, filter]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /ethernet addresses supported only on/);
    assert.deepEqual(framesOfCapture(out).frames.map((f) => f.split(' ')[2]), expected.map((f) => f.data.toString('hex')));
    const lines = sievecap(['-nn', '-r', mixed, filter]);
    assert.equal(lines.status, 1);
    assert.equal(lines.stdout.toString().split('\n').filter(Boolean).length, expected.length);
  });
});
