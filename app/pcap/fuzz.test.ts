/**
 * Seeded mutation fuzzing of the readers: a few thousand damaged variants of small valid files
 * (pcap and pcapng, both byte orders, gzip). The reader must never throw, never hang, never hand
 * out a packet whose data disagrees with its caplen, and must report an error or end cleanly.
 */
import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import * as zlib from 'node:zlib';
import { block, epb, i64Value, idb, opb, option, pcapHeader, pcapRecord, sampleFrame, shb, spb, u32Value } from './craft';
import { CaptureReader } from './reader';
import { seededRandom as prng } from '../../tests/support/prng';

function seeds(): Buffer[] {
  const out: Buffer[] = [];
  for (const le of [true, false]) {
    out.push(Buffer.concat([pcapHeader(le, !le, 1, 200), ...[60, 100, 300].map((n, i) => pcapRecord(le, 1000 + i, i * 7, sampleFrame(i, n).subarray(0, Math.min(n, 200)), n))]));
    out.push(Buffer.concat([
      shb(le, [option(4, 'fuzz')]),
      idb(le, 1, 0, [option(2, 'eth0'), option(9, Buffer.from([9]))]),
      idb(le, 276, 128, [option(9, Buffer.from([0x80 | 20])), option(14, i64Value(le, 5n))]),
      epb(le, 0, 123456789n, sampleFrame(1), 60, [option(2, u32Value(le, 1)), option(1, 'c')]),
      block(le, 5, Buffer.alloc(16)),
      epb(le, 1, 99n, sampleFrame(2, 48)),
      spb(le, sampleFrame(3, 64)),
      opb(le, 0, 7n, sampleFrame(4, 50)),
      shb(!le),
      idb(!le, 101, 0),
      epb(!le, 0, 1n, sampleFrame(5, 44)),
    ]));
  }
  out.push(zlib.gzipSync(out[1] as Buffer));
  return out;
}

const INTERESTING_U32 = [0, 1, 4, 11, 12, 13, 0x7fffffff, 0x80000000, 0xffffffff, 0xfffffffc, 262144, 262145, 0x0a0d0d0a, 0x1a2b3c4d];

function mutate(input: Buffer, rnd: () => number): Buffer {
  let b = Buffer.from(input);
  const at = (): number => Math.floor(rnd() * Math.max(1, b.length));
  const steps = 1 + Math.floor(rnd() * 3);
  for (let s = 0; s < steps; s++) {
    switch (Math.floor(rnd() * 6)) {
      case 0: { const i = at(); if (b.length) b[i] = (b[i] as number) ^ (1 << Math.floor(rnd() * 8)); break; }
      case 1: { const i = at(); if (b.length) b[i] = Math.floor(rnd() * 256); break; }
      case 2: { const i = at() & ~3; if (i + 4 <= b.length) b.writeUInt32LE(INTERESTING_U32[Math.floor(rnd() * INTERESTING_U32.length)] as number, i); break; }
      case 3: b = b.subarray(0, at()); break;
      case 4: { const i = at(); const j = at(); b = Buffer.concat([b.subarray(0, i), b.subarray(j, j + 1 + Math.floor(rnd() * 40)), b.subarray(i)]); break; }
      default: { const i = at(); b = Buffer.concat([b.subarray(0, i), b.subarray(i + 1 + Math.floor(rnd() * 8))]); break; }
    }
  }
  return b;
}

test('fuzz: 4000 seeded mutations never throw, hang or hand out inconsistent packets', () => {
  const rnd = prng(0x5eed);
  const bases = seeds();
  let errors = 0;
  let packets = 0;
  for (let i = 0; i < 4000; i++) {
    const input = mutate(bases[i % bases.length] as Buffer, rnd);
    let reader: CaptureReader;
    try {
      reader = CaptureReader.fromBuffer(input, `mutation ${i}`);
    } catch (e) {
      assert.fail(`mutation ${i} (${input.toString('hex').slice(0, 80)}...): fromBuffer threw ${(e as Error).stack}`);
    }
    // A packet costs at least 12 bytes of file, so more than this means the reader is looping.
    const bound = Math.floor(input.length / 12) + 2;
    let n = 0;
    try {
      for (let p = reader.next(); p !== null; p = reader.next()) {
        assert.equal(p.data.length, p.capLen);
        assert.equal(typeof p.tsNs, 'bigint');
        assert.ok(++n <= bound, `mutation ${i}: more packets than the file can hold`);
      }
    } catch (e) {
      if (e instanceof assert.AssertionError) throw e;
      assert.fail(`mutation ${i}: next() threw ${(e as Error).stack}`);
    }
    packets += n;
    if (reader.error !== null) {
      errors++;
      assert.ok(reader.error.message.length > 10);
      assert.doesNotMatch(reader.error.message, /internal error/, `mutation ${i}`);
      assert.ok(Number.isInteger(reader.error.offset) && reader.error.offset >= 0);
    }
    assert.equal(reader.next(), null);
    reader.close();
  }
  // Sanity: the mutations are neither all harmless nor all fatal.
  assert.ok(errors > 500 && errors < 4000, `errors ${errors}`);
  assert.ok(packets > 1000, `packets ${packets}`);
});
