/** forEachEpb / forEachPcapRecord agree with the full readers on the same bytes. */
import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import { forEachEpb, forEachPcapRecord, tsMsFromParts, tsNsFromParts } from './batch';
import { block, epb, idb, option, pcapHeader, pcapRecord, sampleFrame, shb, u32Value } from './craft';
import { CaptureReader } from './reader';

function readerPackets(file: Buffer): Array<[bigint, number, number, number, string]> {
  const r = CaptureReader.fromBuffer(file);
  const out: Array<[bigint, number, number, number, string]> = [];
  for (const p of r) out.push([p.tsNs, p.capLen, p.origLen, p.flags, p.data.toString('hex')]);
  assert.equal(r.error, null);
  return out;
}

test('forEachEpb walks a native-style batch like the pcapng reader does', () => {
  const blocks = Array.from({ length: 50 }, (_, i) =>
    epb(true, 0, 1_700_000_000_000_000_000n + BigInt(i) * 999_999_937n, sampleFrame(i, 42 + i), 42 + i + (i % 5), i % 7 === 0 ? [] : [option(2, u32Value(true, (i % 2) + 1))]),
  );
  const batch = Buffer.concat([...blocks.slice(0, 10), block(true, 5, Buffer.alloc(8)), ...blocks.slice(10)]);
  const seen: Array<[bigint, number, number, number, string]> = [];
  const end = forEachEpb(batch, (hi, lo, capLen, origLen, flags, off) => {
    seen.push([tsNsFromParts(hi, lo), capLen, origLen, flags, batch.toString('hex', off, off + capLen)]);
  });
  assert.equal(end, batch.length);
  assert.deepEqual(seen, readerPackets(Buffer.concat([shb(true), idb(true, 1, 0, [option(9, Buffer.from([9]))]), batch])));
});

test('forEachEpb stops at a cut or impossible block and says where', () => {
  const a = epb(true, 0, 1n, sampleFrame(1));
  const b = epb(true, 0, 2n, sampleFrame(2));
  let n = 0;
  assert.equal(forEachEpb(Buffer.concat([a, b.subarray(0, 30)]), () => n++), a.length);
  const bad = Buffer.from(b);
  bad.writeUInt32LE(7, 4);
  assert.equal(forEachEpb(Buffer.concat([a, bad]), () => n++), a.length);
  assert.equal(n, 2);
});

test('forEachPcapRecord walks nanosecond records like the pcap reader does', () => {
  const records = Array.from({ length: 30 }, (_, i) => pcapRecord(true, 1_700_000_000 + i, i * 33_333_333, sampleFrame(i, 60 + i), 60 + i + 10));
  const batch = Buffer.concat(records);
  const seen: Array<[bigint, number, number, number, string]> = [];
  assert.equal(
    forEachPcapRecord(batch, (sec, nsec, capLen, origLen, off) => seen.push([BigInt(sec) * 1_000_000_000n + BigInt(nsec), capLen, origLen, 0, batch.toString('hex', off, off + capLen)])),
    batch.length,
  );
  assert.deepEqual(seen, readerPackets(Buffer.concat([pcapHeader(true, true, 1), batch])));
  assert.equal(forEachPcapRecord(batch.subarray(0, batch.length - 1), () => undefined), batch.length - (records.at(-1) as Buffer).length);
});

test('time stamp halves join exactly, also beyond 2^53 ns', () => {
  assert.equal(tsNsFromParts(0x179a8a9f, 0x12345678), (0x179a8a9fn << 32n) | 0x12345678n);
  assert.equal(tsNsFromParts(0xffffffff, 0xffffffff), 0xffffffffffffffffn);
  assert.equal(tsMsFromParts(Number(1_700_000_000_123_456_789n >> 32n), Number(1_700_000_000_123_456_789n & 0xffffffffn)), 1_700_000_000_123);
});
