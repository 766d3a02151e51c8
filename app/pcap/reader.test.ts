/** Unit tests of CaptureReader on hand-made files: every format variant, and each kind of damage. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import * as zlib from 'node:zlib';
import { block, epb, i64Value, idb, opb, option, pcapHeader, pcapRecord, sampleFrame, shb, spb, u32Value } from './craft';
import { CaptureReader } from './reader';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-reader-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));
let fileNo = 0;

function read(bytes: Buffer): { reader: CaptureReader; packets: Array<{ tsNs: bigint; capLen: number; origLen: number; interfaceId: number; linkType: number; flags: number; comment?: string; data: Buffer; offset: number }> } {
  const file = path.join(dir, `f${fileNo++}`);
  fs.writeFileSync(file, bytes);
  const reader = CaptureReader.open(file);
  const packets = [];
  for (const p of reader) packets.push({ ...p, data: Buffer.from(p.data) });
  reader.close();
  return { reader, packets };
}

for (const le of [true, false]) {
  for (const ns of [false, true]) {
    test(`pcap ${le ? 'little' : 'big'}-endian ${ns ? 'ns' : 'µs'}`, () => {
      const a = sampleFrame(1, 60);
      const b = sampleFrame(2, 100);
      const { reader, packets } = read(Buffer.concat([pcapHeader(le, ns, 1, 80), pcapRecord(le, 1000, 5, a), pcapRecord(le, 1001, 999, b.subarray(0, 80), 100)]));
      assert.equal(reader.error, null);
      assert.deepEqual(reader.info, { format: 'pcap', nanosecond: ns, byteOrder: le ? 'little' : 'big', compressed: false, version: '2.4' });
      assert.equal(reader.interfaces[0]?.snapLen, 80);
      const unit = ns ? 1n : 1000n;
      assert.deepEqual(packets.map((p) => [p.tsNs, p.capLen, p.origLen, p.offset]), [
        [1000_000_000_000n + 5n * unit, 60, 60, 24],
        [1001_000_000_000n + 999n * unit, 80, 100, 24 + 16 + 60],
      ]);
      assert.deepEqual(packets[0]?.data, a);
    });
  }
}

test('pcap 2.2 files have caplen and len the other way round', () => {
  const hdr = pcapHeader(true, false, 1, 65535, [2, 2]);
  const rec = pcapRecord(true, 1, 0, sampleFrame(1, 60));
  rec.writeUInt32LE(100, 8); // "caplen" slot holds len in 2.2
  rec.writeUInt32LE(60, 12);
  const { packets, reader } = read(Buffer.concat([hdr, rec]));
  assert.equal(reader.error, null);
  assert.deepEqual(packets.map((p) => [p.capLen, p.origLen]), [[60, 100]]);
});

test('pcapng both byte orders, tsresol 10^-n and 2^-n, tsoffset, flags, comment, SPB, OPB', () => {
  for (const le of [true, false]) {
    const file = Buffer.concat([
      shb(le, [option(4, 'crafted')]),
      idb(le, 1, 0, [option(2, 'eth0'), option(9, Buffer.from([9])), option(11, Buffer.concat([Buffer.from([0]), Buffer.from('tcp')]))]),
      idb(le, 101, 1500, [option(9, Buffer.from([0x80 | 10])), option(14, i64Value(le, 100n))]), // 2^-10 s units, +100 s
      epb(le, 0, 1_700_000_000_000_000_123n, sampleFrame(1), 60, [option(2, u32Value(le, 2)), option(1, 'a comment')]),
      block(le, 5, Buffer.alloc(12)), // ISB: skipped
      epb(le, 1, 1024n * 5n + 512n, sampleFrame(2, 44)),
      spb(le, sampleFrame(3, 64)),
      opb(le, 1, 2048n, sampleFrame(4, 40), 400),
      block(le, 0xbad, Buffer.alloc(8)), // custom block: skipped
    ]);
    const { reader, packets } = read(file);
    assert.equal(reader.error, null, reader.error?.message);
    assert.equal(reader.info.format, 'pcapng');
    assert.equal(reader.info.byteOrder, le ? 'little' : 'big');
    assert.equal(reader.info.nanosecond, true);
    assert.deepEqual(reader.interfaces.map((i) => [i.linkType, i.snapLen, i.name, i.filter, i.tsresol.base, i.tsresol.exponent, i.tsOffsetSec]), [
      [1, 0, 'eth0', 'tcp', 10, 9, 0n],
      [101, 1500, undefined, undefined, 2, 10, 100n],
    ]);
    assert.deepEqual(packets.map((p) => [p.tsNs, p.capLen, p.origLen, p.interfaceId, p.linkType, p.flags, p.comment]), [
      [1_700_000_000_000_000_123n, 60, 60, 0, 1, 2, 'a comment'],
      [105_500_000_000n, 44, 44, 1, 101, 0, undefined],
      [0n, 64, 64, 0, 1, 0, undefined],
      [102_000_000_000n, 42, 400, 1, 101, 0, undefined],
    ]);
  }
});

test('pcapng sections may switch byte order; interface ids restart per section', () => {
  const file = Buffer.concat([
    shb(true), idb(true, 1, 0, [option(9, Buffer.from([9]))]), epb(true, 0, 5n, sampleFrame(1)),
    shb(false), idb(false, 276, 0, [option(9, Buffer.from([9]))]), epb(false, 0, 6n, sampleFrame(2)),
  ]);
  const { reader, packets } = read(file);
  assert.equal(reader.error, null);
  assert.deepEqual(packets.map((p) => [p.tsNs, p.interfaceId, p.linkType]), [[5n, 0, 1], [6n, 1, 276]]);
  assert.deepEqual(reader.interfaces.map((i) => [i.section, i.idInSection]), [[0, 0], [1, 0]]);
});

test('gzip-compressed pcapng, and a gzip file cut short', () => {
  const plain = Buffer.concat([shb(true), idb(true, 1, 0), ...Array.from({ length: 2000 }, (_, i) => epb(true, 0, BigInt(i), sampleFrame(i, 1000)))]);
  const gz = zlib.gzipSync(plain);
  const whole = read(gz);
  assert.equal(whole.reader.error, null);
  assert.equal(whole.reader.info.compressed, true);
  assert.equal(whole.packets.length, 2000);
  const cut = read(gz.subarray(0, Math.floor(gz.length / 2)));
  assert.ok(cut.packets.length > 0 && cut.packets.length < 2000);
  assert.match(cut.reader.error?.message ?? '', /gzip data is damaged|unexpected end|truncated pcapng block/);
});

const damage: Array<[string, Buffer, number, RegExp]> = [
  ['empty file', Buffer.alloc(0), 0, /empty file: not a pcap or pcapng file/],
  ['text file', Buffer.from('hello world, not a capture'), 0, /not a pcap or pcapng file \(starts with 68 65 6c 6c 6f 20 77 6f\)/],
  ['truncated pcap header', pcapHeader(true, false, 1).subarray(0, 20), 0, /truncated pcap file header: need 24 bytes, file has 20/],
  ['pcap version 1', pcapHeader(true, false, 1, 65535, [1, 0]), 0, /archaic pcap savefile format/],
  ['pcap reserved link type bits', pcapHeader(true, false, 0x00300000), 0, /reserved bits set/],
  ['truncated record header', Buffer.concat([pcapHeader(true, false, 1), pcapRecord(true, 1, 0, sampleFrame(1)), Buffer.alloc(7)]), 1, /truncated packet header at byte 100 \(0x64\): need 16 bytes, file ends after 7/],
  ['truncated record data', Buffer.concat([pcapHeader(true, false, 1), pcapRecord(true, 1, 0, sampleFrame(1, 1514)).subarray(0, 216)]), 0, /truncated packet record at byte 24 \(0x18\): header says 1514 bytes, file ends after 200/],
  ['absurd caplen', Buffer.concat([pcapHeader(true, false, 1), pcapRecord(true, 1, 0, sampleFrame(1)), Buffer.from([0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0x7f, 0, 0, 0, 0])]), 1, /caplen 2147483647 is bigger than the maximum of 262144/],
  ['pcapng bad version', shb(true, [], [1, 1]), 0, /unsupported pcapng savefile version 1\.1/],
  ['pcapng block too small', Buffer.concat([shb(true), idb(true, 1, 0), Buffer.from([6, 0, 0, 0, 8, 0, 0, 0])]), 0, /block length 8 at byte 48 \(0x30\) is smaller than the minimum 12/],
  ['pcapng trailer mismatch', (() => { const b = Buffer.concat([shb(true), idb(true, 1, 0), epb(true, 0, 1n, sampleFrame(1))]); b.writeUInt32LE(1234, b.length - 4); return b; })(), 0, /block total length in header 92 and trailer 1234 don't match/],
  ['pcapng huge block', Buffer.concat([shb(true), idb(true, 1, 0), Buffer.from([6, 0, 0, 0, 0, 0, 0, 0x7f])]), 0, /block length 2130706432 .* is bigger than the maximum/],
  ['pcapng packet before IDB', Buffer.concat([shb(true), epb(true, 0, 1n, sampleFrame(1))]), 0, /is on interface 0, but the section has no Interface Description Block/],
  ['pcapng caplen beyond block', (() => { const b = Buffer.concat([shb(true), idb(true, 1, 0), epb(true, 0, 1n, sampleFrame(1))]); b.writeUInt32LE(500, 48 + 20); return b; })(), 0, /says caplen 500, but the block holds only 60 bytes/],
  ['pcapng option overrun', Buffer.concat([shb(true), idb(true, 1, 0), (() => { const b = epb(true, 0, 1n, sampleFrame(1), 60, [option(1, 'x')]); b.writeUInt16LE(300, 28 + 60 + 2); return b; })()]), 0, /has an option \(code 1\) of length 300 that runs past the end of the block/],
  ['pcapng truncated block', Buffer.concat([shb(true), idb(true, 1, 0), epb(true, 0, 1n, sampleFrame(1)), epb(true, 0, 2n, sampleFrame(2)).subarray(0, 50)]), 1, /truncated pcapng block at byte 140 \(0x8c\): block length is 92 bytes, file ends after 50/],
];

for (const [name, bytes, packetsBefore, message] of damage) {
  test(`damage: ${name}`, () => {
    const { reader, packets } = read(bytes);
    assert.equal(packets.length, packetsBefore);
    assert.ok(reader.error, 'an error is reported');
    assert.match(reader.error.message, message);
    assert.equal(reader.next(), null, 'next() keeps returning null');
  });
}

test('opening a missing file or a directory throws an Error naming it', () => {
  assert.throws(() => CaptureReader.open(path.join(dir, 'missing.pcap')), /cannot open capture file .*missing\.pcap: No such file or directory \(ENOENT\)$/);
  assert.throws(() => CaptureReader.open(dir), /cannot open capture file .*: Is a directory \(EISDIR\)$/);
});

test('customBlocks: true returns pcapng Custom Blocks as records in file order; off by default', () => {
  for (const le of [true, false]) {
    const pen = (v: number): Buffer => u32Value(le, v);
    const file = Buffer.concat([
      shb(le), idb(le, 1, 0),
      block(le, 0xbad, Buffer.concat([pen(32473), Buffer.from('copy me!')])),
      spb(le, sampleFrame(1, 60)),
      block(le, 0x40000bad, Buffer.concat([pen(36724), Buffer.from('keep')]), [option(1, 'opaque')]),
      epb(le, 0, 7n, sampleFrame(2, 64)),
    ]);
    const plain = CaptureReader.fromBuffer(file);
    assert.deepEqual([...plain].map((p) => [p.index, p.capLen, p.customBlock, p.noTimestamp]), [[0, 60, undefined, true], [1, 64, undefined, undefined]]);
    const withCb = CaptureReader.fromBuffer(file, 'crafted', { customBlocks: true });
    const records = [...withCb].map((p) => [p.index, p.capLen, p.origLen, p.linkType, p.interfaceId, p.noTimestamp, p.customBlock, Buffer.from(p.data).toString('latin1')]);
    assert.equal(withCb.error, null, withCb.error?.message);
    assert.deepEqual(records.map((r) => r.slice(0, 7)), [
      [0, 8, 8, -1, -1, true, { pen: 32473, copyable: true }],
      [1, 60, 60, 1, 0, true, undefined],
      // Options of a custom block belong to its owner: they stay in the data, as tshark shows them.
      [2, 20, 20, -1, -1, true, { pen: 36724, copyable: false }],
      [3, 64, 64, 1, 0, undefined, undefined],
    ]);
    assert.equal(records[0]?.[7], 'copy me!');
    assert.match(String(records[2]?.[7]), le ? /^keep\x01\x00\x06\x00opaque/ : /^keep\x00\x01\x00\x06opaque/);
  }
});

test('customBlocks: a custom block too short for its enterprise number is damage', () => {
  const file = Buffer.concat([shb(true), idb(true, 1, 0), block(true, 0xbad, Buffer.alloc(0))]);
  const r = CaptureReader.fromBuffer(file, 'crafted', { customBlocks: true });
  assert.equal(r.next(), null);
  assert.match(r.error?.message ?? '', /Custom Block at byte 48 \(0x30\) is too short to hold a Private Enterprise Number/);
});
