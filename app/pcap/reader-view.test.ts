/**
 * CaptureReader.nextView() (packets read in place, time stamps as numbers) against next() and
 * against tshark: the same packets, lengths, bytes and time stamps, and the same error at the same
 * place on damaged files.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { pcapHeader, pcapRecord, sampleFrame } from './craft';
import { CaptureReader } from './reader';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-reader-view-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));
let fileNo = 0;

interface Seen {
  tsNs: bigint;
  capLen: number;
  origLen: number;
  linkType: number;
  interfaceId: number;
  flags: number;
  hex: string;
}

function withNext(reader: CaptureReader): { packets: Seen[]; error: string | null } {
  const packets: Seen[] = [];
  for (let p = reader.next(); p !== null; p = reader.next()) {
    const { tsNs, capLen, origLen, linkType, interfaceId, flags } = p;
    packets.push({ tsNs, capLen, origLen, linkType, interfaceId, flags, hex: p.data.toString('hex') });
  }
  return { packets, error: reader.error?.message ?? null };
}

function withView(reader: CaptureReader): { packets: Seen[]; error: string | null } {
  const packets: Seen[] = [];
  for (let v = reader.nextView(); v !== null; v = reader.nextView()) {
    assert.ok(v.tsSec < 0 || (v.tsNsec >= 0 && v.tsNsec < 1e9), `nanoseconds out of range: ${v.tsSec}.${v.tsNsec}`);
    packets.push({
      tsNs: BigInt(v.tsSec) * 1_000_000_000n + BigInt(v.tsNsec),
      capLen: v.capLen,
      origLen: v.origLen,
      linkType: v.linkType,
      interfaceId: v.interfaceId,
      flags: v.flags,
      hex: v.buf.toString('hex', v.start, v.start + v.capLen),
    });
  }
  return { packets, error: reader.error?.message ?? null };
}

function writeTemp(bytes: Buffer): string {
  const file = path.join(dir, `f${fileNo++}.pcap`);
  fs.writeFileSync(file, bytes);
  return file;
}

function assertSameAsNext(file: string): { count: number; error: string | null } {
  const a = CaptureReader.open(file);
  const b = CaptureReader.open(file);
  try {
    const expected = withNext(a);
    assert.deepEqual(withView(b), expected, file);
    return { count: expected.packets.length, error: expected.error };
  } finally {
    a.close();
    b.close();
  }
}

/** Records of many sizes, so that several straddle the reader's 1 MiB reads. */
function manyRecords(le: boolean, nanosecond: boolean, count: number): Buffer[] {
  const parts = [pcapHeader(le, nanosecond, 1, 65535)];
  for (let i = 0; i < count; i++) {
    const size = 60 + ((i * 7919) % 1455);
    const frame = sampleFrame(i, size);
    const captured = i % 5 === 0 ? frame.subarray(0, Math.max(14, size - 40)) : frame;
    parts.push(pcapRecord(le, 1_700_000_000 + Math.floor(i / 100), (i * 104_729) % (nanosecond ? 1e9 : 1e6), captured, size));
  }
  return parts;
}

for (const le of [true, false]) {
  for (const nanosecond of [false, true]) {
    test(`nextView = next on a ${le ? 'little' : 'big'}-endian ${nanosecond ? 'ns' : 'µs'} file of 5 MiB`, () => {
      assert.deepEqual(assertSameAsNext(writeTemp(Buffer.concat(manyRecords(le, nanosecond, 6000)))), { count: 6000, error: null });
    });
  }
}

test('nextView = next: fractions of a second or more carry into the seconds', () => {
  const file = writeTemp(Buffer.concat([
    pcapHeader(true, false, 1),
    pcapRecord(true, 10, 999_999, sampleFrame(1)),
    pcapRecord(true, 10, 1_000_000, sampleFrame(2)),
    pcapRecord(true, 10, 0xffffffff, sampleFrame(3)),
    pcapRecord(true, 0xffffffff, 2_500_000, sampleFrame(4)),
  ]));
  assertSameAsNext(file);
  const r = CaptureReader.open(file);
  const ts: string[] = [];
  for (let v = r.nextView(); v !== null; v = r.nextView()) ts.push(`${v.tsSec}.${v.tsNsec}`);
  r.close();
  assert.deepEqual(ts, ['10.999999000', '11.0', '4304.967295000', '4294967297.500000000']);
});

test('nextView = next on damage: caplen over the maximum, a record cut short, swapped 2.2 lengths', () => {
  const good = manyRecords(true, false, 3000);
  const huge = pcapRecord(true, 1, 0, sampleFrame(9));
  huge.writeUInt32LE(300_000, 8);
  const tooBig = assertSameAsNext(writeTemp(Buffer.concat([...good, huge, ...good.slice(1, 10)])));
  assert.equal(tooBig.count, 3000);
  assert.match(tooBig.error ?? '', /caplen 300000 is bigger than the maximum/);
  const whole = Buffer.concat(good);
  const cut = assertSameAsNext(writeTemp(whole.subarray(0, whole.length - 7)));
  assert.equal(cut.count, 2999);
  assert.match(cut.error ?? '', /truncated packet record/);
  const old = pcapHeader(true, false, 1, 65535, [2, 2]);
  const rec = pcapRecord(true, 1, 0, sampleFrame(1, 60));
  rec.writeUInt32LE(100, 8);
  rec.writeUInt32LE(60, 12);
  assert.deepEqual(assertSameAsNext(writeTemp(Buffer.concat([old, rec, rec]))), { count: 2, error: null });
});

test('nextView agrees with tshark on time stamps and lengths of a 5 MiB file', (t) => {
  if (spawnSync('tshark', ['--version']).status !== 0) assert.fail('tshark is needed for this test: apt-get install tshark');
  const file = writeTemp(Buffer.concat(manyRecords(true, true, 6000)));
  const r = spawnSync('tshark', ['-r', file, '-T', 'fields', '-e', 'frame.time_epoch', '-e', 'frame.len', '-e', 'frame.cap_len'], {
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  });
  assert.equal(r.status, 0, r.stderr);
  const theirs = r.stdout.trim().split('\n');
  const reader = CaptureReader.open(file);
  const ours: string[] = [];
  for (let v = reader.nextView(); v !== null; v = reader.nextView()) {
    ours.push(`${v.tsSec}.${String(v.tsNsec).padStart(9, '0')}\t${v.origLen}\t${v.capLen}`);
  }
  reader.close();
  assert.equal(ours.length, theirs.length);
  assert.deepEqual(ours, theirs);
  t.diagnostic(`${ours.length} packets agree with ${spawnSync('tshark', ['--version'], { encoding: 'utf8' }).stdout.split('\n')[0]}`);
});

test('corpus: nextView = next on every capture file (packets, bytes, time stamps, errors)', (t) => {
  const corpus = process.env.SIEVECAP_CORPUS ?? path.resolve(__dirname, '..', '..', '..', '..', 'shared', 'corpus');
  if (!fs.existsSync(corpus)) {
    t.skip(`corpus not found at ${corpus} (set SIEVECAP_CORPUS)`);
    return;
  }
  let files = 0;
  let packets = 0;
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(pcap|pcapng|cap|ntar|dmp)(\.gz)?$/i.test(e.name)) {
        packets += assertSameAsNext(p).count;
        files++;
      }
    }
  };
  walk(corpus);
  assert.ok(files > 100, `only ${files} capture files under ${corpus}`);
  t.diagnostic(`${files} files, ${packets} packets`);
});
