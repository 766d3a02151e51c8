/** The helper protocol's framing and schema: bounded, validated, and never thrown off by bad input. */
import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  decodeBatch,
  encodeBatchHeader,
  encodeJsonFrame,
  FRAME_JSON,
  FrameDecoder,
  parseRequest,
  type Frame,
} from './helper-protocol';

/** mulberry32, seeded: the same chunkings every run. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function feed(decoder: FrameDecoder, bytes: Uint8Array, random: () => number): Frame[] {
  const frames: Frame[] = [];
  for (let at = 0; at < bytes.length; ) {
    const n = 1 + Math.floor(random() * 40);
    decoder.push(bytes.subarray(at, at + n), (f) => frames.push(f));
    at += n;
  }
  return frames;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

test('frames survive any chunking: JSON and batches in order', () => {
  const records = new Uint8Array(100).map((_, i) => i);
  const stream = concat([
    encodeJsonFrame({ id: 1, method: 'stop' }),
    encodeBatchHeader(3, 'pcapng', 7, records.length),
    records,
    encodeJsonFrame({ id: 2, method: 'counters', note: 'é✓' }),
  ]);
  for (let seed = 1; seed <= 50; seed++) {
    const frames = feed(new FrameDecoder({ json: 1024, batch: 1024 }), stream, seeded(seed));
    assert.equal(frames.length, 3);
    assert.deepEqual(frames[0], { kind: 'json', value: { id: 1, method: 'stop' } });
    assert.equal(frames[1]!.kind, 'batch');
    const batch = decodeBatch((frames[1] as { body: Uint8Array }).body);
    assert.deepEqual({ ...batch, records: [...batch.records] }, { interfaceIndex: 3, format: 'pcapng', packetCount: 7, records: [...records] });
    assert.deepEqual(frames[2], { kind: 'json', value: { id: 2, method: 'counters', note: 'é✓' } });
  }
});

test('a batch says its record format (pcapng, pcap in ns, pcap in µs); an unknown one is refused', () => {
  for (const format of ['pcapng', 'pcap', 'pcap-us'] as const) {
    const frame = concat([encodeBatchHeader(1, format, 2, 4), new Uint8Array(4)]);
    const [f] = feed(new FrameDecoder({ json: 1024, batch: 1024 }), frame, seeded(1));
    assert.equal(decodeBatch((f as { body: Uint8Array }).body).format, format);
  }
  const body = new Uint8Array(8);
  new DataView(body.buffer).setUint16(2, 3, true);
  assert.throws(() => decodeBatch(body), /unknown record format 3/);
});

/** Reads `bytes` as a socket with `onread` would: into readBuffer(), at most `random` bytes a time. */
function feedInPlace(decoder: FrameDecoder, bytes: Uint8Array, random: () => number, keep: (f: Frame) => boolean): Frame[] {
  const frames: Frame[] = [];
  for (let at = 0; at < bytes.length; ) {
    const into = decoder.readBuffer();
    const n = Math.min(into.length, bytes.length - at, 1 + Math.floor(random() * 300_000));
    into.set(bytes.subarray(at, at + n));
    at += n;
    decoder.wrote(n, (f) => {
      // A copy of what the frame holds now: a recycled body is overwritten by a later batch.
      frames.push(f.kind === 'batch' ? { kind: 'batch', body: f.body.slice() } : f);
      if (f.kind === 'batch' && !keep(f)) decoder.recycle(f.body);
    });
  }
  return frames;
}

test('reading in place: the same frames for any read sizes, large batches in their own memory, recycled or kept', () => {
  const batchOf = (size: number, seed: number): Uint8Array => new Uint8Array(size).map((_, i) => (i * 7 + seed) & 0xff);
  // Small batches land in scratch memory, large ones in their own; mid-sized ones may reuse either.
  const sizes = [100, 100_000, 5, 1_400_000, 20_000, 700_000, 50, 100_000, 30, 120_000, 7, 60_000];
  const parts: Uint8Array[] = [encodeJsonFrame({ id: 1, method: 'stop' })];
  sizes.forEach((size, k) => {
    parts.push(encodeBatchHeader(k, 'pcapng', k + 1, size), batchOf(size, k));
    if (k === 2) parts.push(encodeJsonFrame({ type: 'captureError', note: 'x'.repeat(40_000) }));
  });
  const stream = concat(parts);
  for (let seed = 1; seed <= 12; seed++) {
    const kept: Uint8Array[] = [];
    // Some seeds keep none of the batches, some every other one (as an early or merged batch is kept).
    const keep = (f: Frame): boolean =>
      seed % 3 !== 0 && f.kind === 'batch' && decodeBatch(f.body).interfaceIndex % 2 === seed % 3 - 1 && kept.push(f.body) > 0;
    const frames = feedInPlace(new FrameDecoder({ json: 64 * 1024, batch: 2 << 20 }, (n) => new Uint8Array(n)), stream, seeded(seed), keep);
    assert.deepEqual(frames.map((f) => f.kind), ['json', 'batch', 'batch', 'batch', 'json', ...sizes.slice(3).map(() => 'batch')]);
    const batches = frames.filter((f) => f.kind === 'batch').map((f) => decodeBatch((f as { body: Uint8Array }).body));
    batches.forEach((b, k) => {
      assert.equal(b.interfaceIndex, k);
      assert.equal(b.packetCount, k + 1);
      assert.ok(Buffer.from(b.records).equals(Buffer.from(batchOf(sizes[k]!, k))), `batch ${k} (seed ${seed})`);
    });
    // What a consumer kept was never overwritten by later reads.
    for (const body of kept) {
      const b = decodeBatch(body);
      assert.ok(Buffer.from(b.records).equals(Buffer.from(batchOf(sizes[b.interfaceIndex]!, b.interfaceIndex))));
    }
    assert.deepEqual(frames[4], { kind: 'json', value: { type: 'captureError', note: 'x'.repeat(40_000) } });
  }
});

test('an oversized frame is skipped without buffering it, and the next one decodes', () => {
  const big = encodeJsonFrame({ filter: 'x'.repeat(5000) });
  const stream = concat([big, encodeJsonFrame({ id: 9, method: 'stop' })]);
  const frames = feed(new FrameDecoder({ json: 1000, batch: 0 }), stream, seeded(7));
  assert.equal(frames.length, 2);
  assert.deepEqual(frames[0], { kind: 'error', error: { code: 'EMSGSIZE', message: `a message of ${big.length - 5} bytes exceeds the limit of 1000` } });
  assert.deepEqual(frames[1], { kind: 'json', value: { id: 9, method: 'stop' } });
});

test('unknown kinds, batches where none are allowed and broken JSON are errors, not exceptions', () => {
  const bad = new Uint8Array([3, 0, 0, 0, 9, 1, 2, 3]);
  const notJson = new Uint8Array([2, 0, 0, 0, FRAME_JSON, 0x7b, 0xff]);
  const batch = concat([encodeBatchHeader(0, 'pcap', 1, 4), new Uint8Array(4)]);
  const frames: Frame[] = [];
  const d = new FrameDecoder({ json: 100, batch: 0 });
  for (const part of [bad, notJson, batch, encodeJsonFrame({ ok: true })]) d.push(part, (f) => frames.push(f));
  assert.deepEqual(
    frames.map((f) => (f.kind === 'error' ? f.error.code : f.kind)),
    ['EBADMSG', 'EBADMSG', 'EMSGSIZE', 'json'],
  );
});

test('requests are validated: unknown methods, extra keys and bad values are refused with the id kept', () => {
  assert.equal(parseRequest({ id: 1, method: 'listInterfaces' }).ok, true);
  const start = {
    id: 2,
    method: 'start',
    spec: { interfaces: ['lo'], filter: 'tcp port 80', snapLen: 262144, promiscuous: true, bufferBytes: 8 << 20, recordFormat: 'pcapng' },
  };
  assert.equal(parseRequest(start).ok, true);
  const cases: Array<[unknown, number | null, RegExp]> = [
    [{ id: 3, method: 'loadProgram', insns: [1, 2] }, 3, /malformed request/],
    [{ id: 4, method: 'stop', path: '/etc/shadow' }, 4, /malformed request/],
    [{ ...start, id: 5, spec: { ...start.spec, interfaces: ['../../etc'] } }, 5, /spec\.interfaces\.0: an interface name/],
    [{ ...start, id: 6, spec: { ...start.spec, interfaces: [] } }, 6, /at least one interface/],
    [{ ...start, id: 7, spec: { ...start.spec, snapLen: 0 } }, 7, /spec\.snapLen/],
    [{ ...start, id: 8, spec: { ...start.spec, output: '/tmp/x.pcap' } }, 8, /malformed request/],
    [{ ...start, id: 9, spec: { ...start.spec, filter: 'x'.repeat(20000) } }, 9, /at most 16384/],
    [{ id: -1, method: 'stop' }, null, /malformed request/],
    ['stop', null, /malformed request/],
    [null, null, /malformed request/],
  ];
  for (const [request, id, message] of cases) {
    const parsed = parseRequest(request);
    assert.equal(parsed.ok, false, JSON.stringify(request).slice(0, 80));
    if (!parsed.ok) {
      assert.equal(parsed.id, id);
      assert.equal(parsed.error.code, 'EBADMSG');
      assert.match(parsed.error.message, message);
    }
  }
});
