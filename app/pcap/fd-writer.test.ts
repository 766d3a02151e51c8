/**
 * FdWriter's durability contract without privileges: maxDelayMs and packetBuffered timing, the
 * record walk that cuts a failed write back to a whole record, and sticky write errors (/dev/full,
 * and a file size limit set with `ulimit -f`, which makes write(2) stop short and then fail EFBIG).
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { FdWriter, wholeRecords, type WriteError } from './fd-writer';
import { PCAP_LAYOUT, PcapWriter } from './pcap-writer';
import { PCAPNG_LAYOUT, PcapngWriter } from './pcapng-writer';
import { CaptureReader } from './reader';

const T0 = 1_700_000_000_000_000_000n;

function tempFile(name: string): { file: string; remove: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-fdw-'));
  return { file: path.join(dir, name), remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

function frame(i: number): Buffer {
  return Buffer.alloc(60 + (i % 50), i & 0xff);
}

function pcapRecord(i: number): Buffer {
  const data = frame(i);
  const h = Buffer.alloc(16);
  h.writeUInt32LE(1_700_000_000 + i, 0);
  h.writeUInt32LE(i * 1000, 4);
  h.writeUInt32LE(data.length, 8);
  h.writeUInt32LE(data.length, 12);
  return Buffer.concat([h, data]);
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

test('wholeRecords: pcap (file header first) and pcapng blocks, cut anywhere', () => {
  const header = Buffer.alloc(24);
  const records = [pcapRecord(1), pcapRecord(2), pcapRecord(3)];
  const chunk = Buffer.concat([header, ...records]);
  const ends = [24, 24 + records[0]!.length, 24 + records[0]!.length + records[1]!.length, chunk.length];
  for (let written = 0; written <= chunk.length; written++) {
    const whole = ends.filter((e) => e <= written);
    assert.deepEqual(wholeRecords(PCAP_LAYOUT, chunk, written, 0), { bytes: whole.at(-1) ?? 0, packets: Math.max(0, whole.length - 1) });
  }
  // A chunk later in the stream starts with a record, not with the file header.
  assert.deepEqual(wholeRecords(PCAP_LAYOUT, Buffer.concat(records), records[0]!.length + 5, 500), { bytes: records[0]!.length, packets: 1 });

  const { file, remove } = tempFile('layout.pcapng');
  try {
    const w = new PcapngWriter(file, { interfaces: [{ linkType: 1 }] });
    for (let i = 0; i < 3; i++) w.writePacket({ interfaceId: 0, tsNs: T0, data: frame(i) });
    w.close();
    const bytes = fs.readFileSync(file);
    const blockEnds: number[] = [];
    for (let p = 0; p < bytes.length; p += bytes.readUInt32LE(p + 4)) blockEnds.push(p + bytes.readUInt32LE(p + 4));
    assert.equal(blockEnds.length, 5); // SHB, IDB, 3 EPBs
    for (const written of [0, blockEnds[0]! - 1, blockEnds[1]!, blockEnds[2]! + 3, bytes.length - 1, bytes.length]) {
      const whole = blockEnds.filter((e) => e <= written);
      assert.deepEqual(wholeRecords(PCAPNG_LAYOUT, bytes, written, 0), { bytes: whole.at(-1) ?? 0, packets: Math.max(0, whole.length - 2) }, `written ${written}`);
    }
  } finally {
    remove();
  }
});

test('maxDelayMs: the timer writes pending bytes although nothing else is written', async () => {
  const { file, remove } = tempFile('timer.pcap');
  try {
    const w = new PcapWriter(file, { linkType: 1, nanosecond: true, maxDelayMs: 30 });
    w.writePacket({ tsNs: T0, data: frame(0) });
    w.writeRecords(Buffer.concat([pcapRecord(1), pcapRecord(2)]));
    const expected = 24 + 16 + frame(0).length + pcapRecord(1).length + pcapRecord(2).length;
    for (let waited = 0; fs.statSync(file).size < expected && waited < 5000; waited += 10) await sleep(10);
    assert.equal(fs.statSync(file).size, expected);
    assert.equal(w.out.packetsWritten, 3);
    w.close();
  } finally {
    remove();
  }
});

test('maxDelayMs: one clock read per write call, not one per record', () => {
  const { file, remove } = tempFile('clock.pcap');
  const realNow = Date.now;
  try {
    const w = new PcapWriter(file, { linkType: 1, maxDelayMs: 250 });
    const batch = Buffer.concat(Array.from({ length: 2000 }, (_, i) => pcapRecord(i)));
    let reads = 0;
    Date.now = () => {
      reads++;
      return realNow();
    };
    w.writeRecords(batch); // microsecond file: converted record by record
    Date.now = realNow;
    assert.ok(reads <= 2, `${reads} clock reads for one batch`);
    w.close();
  } finally {
    Date.now = realNow;
    remove();
  }
});

test('packetBuffered: every call reaches the file before it returns', () => {
  const { file, remove } = tempFile('u.pcapng');
  try {
    const w = new PcapngWriter(file, { interfaces: [{ linkType: 1 }], packetBuffered: true });
    const start = fs.statSync(file).size;
    assert.ok(start > 0);
    w.writePacket({ interfaceId: 0, tsNs: T0, data: frame(3) });
    assert.equal(fs.statSync(file).size, start + 32 + ((frame(3).length + 3) & ~3));
    assert.equal(w.out.packetsWritten, 1);
    w.close();
  } finally {
    remove();
  }
});

test('options are checked', () => {
  assert.throws(() => new FdWriter({ fd: 1, name: 'x' }, { maxDelayMs: -1 }), /maxDelayMs must be a number of milliseconds >= 0/);
  assert.throws(() => new FdWriter({ fd: 1, name: 'x' }, { maxDelayMs: Number.NaN }), RangeError);
});

test('after close(), writes throw instead of filling a buffer nobody will write', () => {
  const { file, remove } = tempFile('closed.pcap');
  try {
    const w = new PcapWriter(file, { linkType: 1 });
    w.close();
    assert.throws(() => w.writePacket({ tsNs: T0, data: frame(0) }), /cannot write to .*closed\.pcap: it is already closed/);
    assert.doesNotThrow(() => w.close());
  } finally {
    remove();
  }
});

test('/dev/full: the error is sticky and close() does not throw another', { skip: !fs.existsSync('/dev/full') }, () => {
  const w = new PcapWriter('/dev/full', { linkType: 1 });
  w.writePacket({ tsNs: T0, data: frame(0) });
  let first: WriteError | undefined;
  try {
    w.flush();
  } catch (e) {
    first = e as WriteError;
  }
  assert.ok(first);
  assert.equal(first.code, 'ENOSPC');
  assert.match(first.message, /^error writing \/dev\/full: the disk is full \(ENOSPC\)$/);
  assert.equal(w.out.error, first);
  assert.throws(() => w.writePacket({ tsNs: T0, data: frame(1) }), (e) => e === first);
  assert.throws(() => w.flush(), (e) => e === first);
  assert.doesNotThrow(() => w.close());
});

test('/dev/full with maxDelayMs: an error met by the timer is thrown by close() if nobody saw it', { skip: !fs.existsSync('/dev/full') }, async () => {
  const w = new PcapWriter('/dev/full', { linkType: 1, maxDelayMs: 5 });
  w.writePacket({ tsNs: T0, data: frame(0) });
  for (let waited = 0; w.out.error === null && waited < 5000; waited += 10) await sleep(10);
  const err = w.out.error;
  assert.ok(err, 'the timer never wrote');
  assert.equal(err.code, 'ENOSPC');
  assert.throws(() => w.close(), (e) => e === err);
  assert.doesNotThrow(() => w.close());

  const seen: Error[] = [];
  const w2 = new PcapngWriter('/dev/full', { maxDelayMs: 5, onBackgroundError: (e) => seen.push(e) });
  for (let waited = 0; seen.length === 0 && waited < 5000; waited += 10) await sleep(10);
  assert.equal(seen.length, 1);
  assert.equal(w2.out.error, seen[0]);
  assert.doesNotThrow(() => w2.close());
});

/**
 * Runs a writer in a child node under `ulimit -f` (Node ignores SIGXFSZ, so write(2) stops short at
 * the limit and then fails with EFBIG) and returns what it reported.
 */
function writeUnderFileSizeLimit(file: string, format: 'pcap' | 'pcapng', how: 'packets' | 'batches'): { code: string; message: string; packetsWritten: number; bytesWritten: number; packetCount: number } {
  const index = path.join(__dirname, 'index.js');
  const script = `
    const { PcapWriter, PcapngWriter } = require(${JSON.stringify(index)});
    const file = process.argv[1];
    const frame = (i) => Buffer.alloc(60 + (i % 50), i & 0xff);
    const w = ${format === 'pcap' ? `new PcapWriter(file, { linkType: 1, nanosecond: true })` : `new PcapngWriter(file, { interfaces: [{ linkType: 1 }] })`};
    const record = (i) => {
      const data = frame(i);
      ${
        format === 'pcap'
          ? `const h = Buffer.alloc(16); h.writeUInt32LE(1700000000 + i, 0); h.writeUInt32LE(data.length, 8); h.writeUInt32LE(data.length, 12); return Buffer.concat([h, data]);`
          : `const padded = (data.length + 3) & ~3; const b = Buffer.alloc(32 + padded); b.writeUInt32LE(6, 0); b.writeUInt32LE(b.length, 4); b.writeUInt32LE(data.length, 20); b.writeUInt32LE(data.length, 24); data.copy(b, 28); b.writeUInt32LE(b.length, b.length - 4); return b;`
      }
    };
    let error;
    for (let i = 0; i < 100000 && !error; i++) {
      try {
        ${
          how === 'packets'
            ? format === 'pcap'
              ? `w.writePacket({ tsNs: 1700000000000000000n + BigInt(i), data: frame(i) });`
              : `w.writePacket({ interfaceId: 0, tsNs: 1700000000000000000n + BigInt(i), data: frame(i) });`
            : `const b = Buffer.concat(Array.from({ length: 37 }, (_, k) => record(i * 37 + k))); ${format === 'pcap' ? 'w.writeRecords(b);' : 'w.writeBlocks(b);'}`
        }
      } catch (e) { error = e; }
    }
    w.close();
    process.stdout.write(JSON.stringify({ code: error && error.code, message: error && error.message, packetsWritten: w.out.packetsWritten, bytesWritten: w.out.bytesWritten, packetCount: w.packetCount }));
  `;
  const r = spawnSync('sh', ['-c', 'ulimit -f 300 && exec "$0" -e "$1" "$2"', process.execPath, script, file], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

for (const format of ['pcap', 'pcapng'] as const) {
  for (const how of ['packets', 'batches'] as const) {
    test(`EFBIG (ulimit -f) ${format} ${how}: the file is cut back to whole records and holds the packets the message states`, () => {
      const { file, remove } = tempFile(`limit.${format}`);
      try {
        const got = writeUnderFileSizeLimit(file, format, how);
        assert.equal(got.code, 'EFBIG');
        const m = /^error writing (.*): the file is too large for the file system \(or the file size limit, ulimit -f\) \(EFBIG\); the file holds the (\d+) packets written before it$/.exec(got.message);
        assert.ok(m, got.message);
        assert.equal(m[1], file);
        assert.equal(Number(m[2]), got.packetsWritten);
        assert.ok(got.packetCount > got.packetsWritten, 'packets were lost in the buffer: the count handed over is larger');
        const size = fs.statSync(file).size;
        assert.equal(size, got.bytesWritten);
        const reader = CaptureReader.open(file);
        let n = 0;
        for (const _p of reader) n++;
        reader.close();
        assert.equal(reader.error, null, `our reader found damage: ${reader.error?.message}`);
        assert.equal(n, got.packetsWritten);
      } finally {
        remove();
      }
    });
  }
}
