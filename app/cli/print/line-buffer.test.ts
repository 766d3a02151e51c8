/**
 * LineBuffer against Node's own encoders: its bytes must be what String(n), padStart and
 * Buffer.from(text, 'utf8') give, since the sink writes them where a string used to be written.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LineBuffer } from './line-buffer';

/** A fixed pseudo-random sequence in [0, 1), so a failure can be reproduced. */
function sequence(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 2 ** 32;
  };
}

test('uint prints what String(n) prints, for u32 edges, random values and non-u32 numbers', () => {
  const values = [0, 1, 9, 10, 99, 100, 101, 65535, 65536, 999999999, 1000000000, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1];
  values.push(2 ** 32, 2 ** 53, 1.5, -1, -0);
  const random = sequence(1);
  for (let i = 0; i < 20000; i++) values.push(Math.floor(random() * 2 ** 32));
  const lb = new LineBuffer(8);
  for (const n of values) {
    lb.length = 0;
    lb.uint(n);
    assert.equal(lb.toString(), String(n), `uint(${n})`);
  }
});

test('zeroPadded prints the last width digits, as String(n).padStart(width, "0")', () => {
  const lb = new LineBuffer(4);
  const random = sequence(2);
  for (let i = 0; i < 20000; i++) {
    const width = [6, 9, 1, 2, 3][i % 5]!;
    const n = Math.floor(random() * 10 ** width);
    lb.length = 0;
    lb.zeroPadded(n, width);
    assert.equal(lb.toString(), String(n).padStart(width, '0'));
  }
});

test('text encodes as Buffer.from(text, "utf8"), growing the buffer as needed', () => {
  const pieces = ['IP ', '10.0.0.1', ' > ', 'caf\u00e9', ' M-^A', '\u00ff\u0100', '\u{1f600}', 'x'.repeat(5000), ''];
  const lb = new LineBuffer(16);
  let expected = '';
  for (let round = 0; round < 3; round++) {
    for (const piece of pieces) {
      lb.text(piece);
      expected += piece;
    }
    lb.byte(0x0a);
    expected += '\n';
  }
  assert.deepEqual(lb.bytes.subarray(0, lb.length), Buffer.from(expected, 'utf8'));
  assert.equal(lb.toString(), expected);
});
