/**
 * CaptureReader.nextBatch() against next(): the same packets (bytes, lengths, time stamps, link
 * types, interfaces, flags, comments, custom blocks), in the same order, and the same error at the
 * same place on damaged files, with every packet of a batch lying in the batch's buffer; and
 * batch.view(i) against nextView().
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { after, test } from 'node:test';
import { epb, idb, opb, option, pcapHeader, pcapRecord, sampleFrame, shb, spb, u32Value, block } from './craft';
import type { CapturePacket, CaptureReaderOptions, PacketView } from './packet';
import { PacketBatch } from './packet-batch';
import { CaptureReader } from './reader';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-reader-batch-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));
let fileNo = 0;

function writeTemp(bytes: Buffer, ext = 'pcap'): string {
  const file = path.join(dir, `f${fileNo++}.${ext}`);
  fs.writeFileSync(file, bytes);
  return file;
}

type Seen = Omit<CapturePacket, 'data'> & { hex: string };

function seen(p: CapturePacket): Seen {
  const { data, ...rest } = p;
  return { ...rest, hex: data.toString('hex') };
}

function viewSeen(v: PacketView): string {
  return JSON.stringify([v.buf.toString('hex', v.start, v.start + v.capLen), v.offset, v.capLen, v.origLen, v.tsSec, v.tsNsec, v.linkType, v.interfaceId, v.flags, v.noTimestamp ?? null, v.customBlock ?? null]);
}

function withNext(file: string, options: CaptureReaderOptions) {
  const r = CaptureReader.open(file, options);
  const packets: Seen[] = [];
  for (let p = r.next(); p !== null; p = r.next()) packets.push(seen(p));
  r.close();
  return { packets, error: r.error?.message ?? null };
}

function withNextView(file: string, options: CaptureReaderOptions): string[] {
  const r = CaptureReader.open(file, options);
  const views: string[] = [];
  for (let v = r.nextView(); v !== null; v = r.nextView()) views.push(viewSeen(v));
  r.close();
  return views;
}

/** Reads the file batch by batch; checks each batch's packets lie in its buffer. */
function withBatches(file: string, options: CaptureReaderOptions, capacity: number, max?: number) {
  const r = CaptureReader.open(file, options);
  const batch = new PacketBatch(capacity);
  const packets: Seen[] = [];
  const views: string[] = [];
  const view: PacketView = { buf: Buffer.alloc(0), start: 0, offset: 0, capLen: 0, origLen: 0, tsSec: 0, tsNsec: 0, linkType: -1, interfaceId: 0, flags: 0 };
  let batches = 0;
  for (let n = r.nextBatch(batch, max); n > 0; n = r.nextBatch(batch, max)) {
    assert.equal(n, batch.count);
    assert.ok(n <= Math.min(capacity, max ?? capacity));
    batches++;
    for (let i = 0; i < n; i++) {
      assert.ok(batch.start[i]! + batch.capLen[i]! <= batch.buf.length, 'packet inside the batch buffer');
      views.push(viewSeen(batch.view(i, view)));
    }
    // Bytes are read only now, after the whole batch was gathered: nothing moved under them.
    for (let i = 0; i < n; i++) packets.push(seen(batch.packet(i)));
  }
  assert.equal(r.nextBatch(batch), 0, 'stays at the end');
  r.close();
  return { result: { packets, error: r.error?.message ?? null }, views, batches };
}

function assertSame(file: string, options: CaptureReaderOptions = {}, capacities = [1, 7, 1024]): { count: number; error: string | null; batches: number } {
  const expected = withNext(file, options);
  const expectedViews = withNextView(file, options);
  let batches = 0;
  for (const capacity of capacities) {
    const got = withBatches(file, options, capacity);
    assert.deepEqual(got.result, expected, `${file}, capacity ${capacity}`);
    assert.deepEqual(got.views, expectedViews, `${file}, capacity ${capacity}: views`);
    batches = got.batches;
  }
  return { count: expected.packets.length, error: expected.error, batches };
}

/** Records of many sizes, so that several straddle the reader's 1 MiB reads. */
function manyRecords(le: boolean, nanosecond: boolean, count: number, version: [number, number] = [2, 4]): Buffer[] {
  const parts = [pcapHeader(le, nanosecond, 1, 65535, version)];
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
    test(`nextBatch = next on a ${le ? 'little' : 'big'}-endian ${nanosecond ? 'ns' : 'µs'} pcap file of 5 MiB`, () => {
      const r = assertSame(writeTemp(Buffer.concat(manyRecords(le, nanosecond, 6000))));
      assert.deepEqual([r.count, r.error], [6000, null]);
      // 1024 per batch, but a batch ends where the 1 MiB read buffer does.
      assert.ok(r.batches > 6000 / 1024 && r.batches < 30, `${r.batches} batches`);
    });
  }
}

test('nextBatch = next on pcap 2.2 (lengths swapped) and on damage', () => {
  assertSame(writeTemp(Buffer.concat(manyRecords(true, false, 3000, [2, 2]))));
  const good = manyRecords(true, false, 3000);
  const huge = pcapRecord(true, 1, 0, sampleFrame(9));
  huge.writeUInt32LE(300_000, 8);
  const tooBig = assertSame(writeTemp(Buffer.concat([...good, huge, ...good.slice(1, 10)])));
  assert.equal(tooBig.count, 3000);
  assert.match(tooBig.error ?? '', /caplen 300000 is bigger than the maximum/);
  const whole = Buffer.concat(good);
  const cut = assertSame(writeTemp(whole.subarray(0, whole.length - 7)));
  assert.deepEqual([cut.count, /truncated packet record/.test(cut.error ?? '')], [2999, true]);
  const headerCut = assertSame(writeTemp(Buffer.concat([whole, Buffer.alloc(9)])));
  assert.deepEqual([headerCut.count, /truncated packet header/.test(headerCut.error ?? '')], [3000, true]);
});

test('max: no more packets than asked for, and the rest still comes', () => {
  const file = writeTemp(Buffer.concat(manyRecords(true, false, 100)));
  const r = CaptureReader.open(file);
  const batch = new PacketBatch(64);
  assert.equal(r.nextBatch(batch, 3), 3);
  assert.equal(batch.packet(0).index, 0);
  assert.equal(r.nextBatch(batch, 1000), 64);
  assert.equal(batch.packet(0).index, 3);
  assert.equal(r.nextBatch(batch), 33);
  assert.equal(r.nextBatch(batch), 0);
  r.close();
  assert.equal(r.error, null);
  assert.throws(() => new PacketBatch(0), RangeError);
});

/** A pcapng file of several sections in both byte orders, interfaces of two link types declared as packets go, every packet block type, comments, flags and custom blocks, > 1 MiB. */
function mixedPcapng(): Buffer {
  const parts: Buffer[] = [];
  let k = 0;
  for (const le of [true, false, true]) {
    parts.push(shb(le), idb(le, 1, 65535, [option(9, Buffer.from([9]))]));
    for (let i = 0; i < 800; i++, k++) {
      const frame = sampleFrame(k, 60 + ((k * 7919) % 1400));
      if (i === 100) parts.push(idb(le, 101, 0)); // a second interface, of another link type, mid-section
      if (i % 97 === 5) parts.push(block(le, 0x00000bad, Buffer.concat([u32Value(le, 32473), Buffer.from('custom data')])));
      if (i % 89 === 7) parts.push(block(le, 5, Buffer.alloc(20))); // an ISB between packets
      if (i > 100 && i % 3 === 0) parts.push(epb(le, 1, BigInt(k) * 1000n, frame.subarray(14), frame.length - 14));
      else if (i % 50 === 1) parts.push(spb(le, frame));
      else if (i % 50 === 2) parts.push(opb(le, 0, BigInt(k) * 1000n, frame));
      else parts.push(epb(le, 0, BigInt(k) * 1000n, frame.subarray(0, Math.max(14, frame.length - (k % 3) * 20)), frame.length, k % 11 === 0 ? [option(1, `comment ${k}`), option(2, u32Value(le, 1))] : []));
    }
  }
  return Buffer.concat(parts);
}

test('nextBatch = next on pcapng: sections in both byte orders, two link types, SPB, OPB, comments, custom blocks', () => {
  const bytes = mixedPcapng();
  assert.ok(bytes.length > 1.5 * 2 ** 20);
  const file = writeTemp(bytes, 'pcapng');
  const plain = assertSame(file);
  assert.equal(plain.count, 2400);
  const withCustom = assertSame(file, { customBlocks: true });
  assert.ok(withCustom.count > 2400, 'custom blocks come as records');
  const gz = assertSame(writeTemp(gzipSync(bytes), 'pcapng.gz'), { customBlocks: true });
  assert.equal(gz.count, withCustom.count);
});

test('nextBatch = next on damaged pcapng: cut short, a bad trailer, a packet on an undeclared interface', () => {
  const bytes = mixedPcapng();
  const cut = assertSame(writeTemp(bytes.subarray(0, bytes.length - 33), 'pcapng'));
  assert.match(cut.error ?? '', /truncated pcapng block/);
  const parts = [shb(true), idb(true, 1, 0)];
  for (let i = 0; i < 50; i++) parts.push(epb(true, 0, BigInt(i), sampleFrame(i)));
  const bad = epb(true, 0, 99n, sampleFrame(99));
  bad.writeUInt32LE(bad.length + 4, bad.length - 4);
  const trailer = assertSame(writeTemp(Buffer.concat([...parts, bad, ...parts.slice(2)]), 'pcapng'));
  assert.deepEqual([trailer.count, /don't match/.test(trailer.error ?? '')], [50, true]);
  const undeclared = assertSame(writeTemp(Buffer.concat([...parts, epb(true, 3, 1n, sampleFrame(1))]), 'pcapng'));
  assert.deepEqual([undeclared.count, /interface 3/.test(undeclared.error ?? '')], [50, true]);
});
