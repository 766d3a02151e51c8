/** InterfaceMerger: every record once, in time order, whatever the arrival order of batches. */
import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import { InterfaceMerger } from './interface-merge';

function epb(tsNs: bigint, tag: number): Buffer {
  const b = Buffer.alloc(36);
  b.writeUInt32LE(6, 0);
  b.writeUInt32LE(36, 4);
  b.writeUInt32LE(Number(tsNs >> 32n), 12);
  b.writeUInt32LE(Number(tsNs & 0xffffffffn), 16);
  b.writeUInt32LE(4, 20);
  b.writeUInt32LE(4, 24);
  b.writeUInt32LE(tag, 28);
  b.writeUInt32LE(36, 32);
  return b;
}

function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

test('records of three interfaces come out in time order, each once, in runs of one interface', () => {
  for (let seed = 1; seed <= 20; seed++) {
    const random = seeded(seed);
    const base = 1_764_000_000_000_000_000n;
    // Each interface: increasing stamps (some equal across interfaces), cut into batches.
    const perInterface = [0, 1, 2].map((iface) => {
      let t = base;
      return Array.from({ length: 60 }, (_, k) => {
        t += BigInt(Math.floor(random() * 3) * 1000);
        return { ts: t, tag: iface * 1000 + k };
      });
    });
    const batches = perInterface.map((records) => {
      const out: Buffer[] = [];
      for (let k = 0; k < records.length; ) {
        const n = 1 + Math.floor(random() * 10);
        out.push(Buffer.concat(records.slice(k, k + n).map((r) => epb(r.ts, r.tag))));
        k += n;
      }
      return out;
    });
    const seen: Array<{ iface: number; ts: bigint; tag: number }> = [];
    const merger = new InterfaceMerger(3, (iface, records, count) => {
      assert.equal(records.length, count * 36);
      for (let at = 0; at < records.length; at += 36) {
        const ts = (BigInt(records.readUInt32LE(at + 12)) << 32n) | BigInt(records.readUInt32LE(at + 16));
        seen.push({ iface, ts, tag: records.readUInt32LE(at + 28) });
      }
    });
    // Batches arrive interleaved in random order (each interface's own order kept), with releases
    // of everything older than a moving horizon in between.
    const next = [0, 0, 0];
    let horizon = base;
    while (next.some((n, i) => n < batches[i]!.length)) {
      const i = Math.floor(random() * 3);
      if (next[i]! >= batches[i]!.length) continue;
      merger.add(i, batches[i]![next[i]!++]!);
      // Only what every interface has delivered past may be released.
      const delivered = [0, 1, 2].map((j) => {
        const done = batches[j]!.slice(0, next[j]).reduce((n, b) => n + b.length / 36, 0);
        return done === perInterface[j]!.length ? BigInt(2) ** 62n : done === 0 ? base - 1n : perInterface[j]![done - 1]!.ts - 1n;
      });
      const bound = delivered.reduce((a, b) => (a < b ? a : b));
      if (bound > horizon) {
        horizon = bound;
        merger.release(horizon);
      }
    }
    merger.releaseAll();
    assert.equal(seen.length, 180);
    assert.equal(new Set(seen.map((s) => s.tag)).size, 180);
    for (let k = 1; k < seen.length; k++) assert.ok(seen[k - 1]!.ts <= seen[k]!.ts, `seed ${seed}: record ${k} out of order`);
    for (const s of seen) assert.equal(Math.floor(s.tag / 1000), s.iface);
  }
});
