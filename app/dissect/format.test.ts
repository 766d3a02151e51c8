import { test } from 'node:test';
import assert from 'node:assert/strict';
import { colonHex } from './format';

test('colonHex writes bytes as hex pairs joined by colons, at every length', () => {
  // Deterministic bytes (a linear congruential sequence), every length up to 300 and a large body.
  let x = 12345;
  const next = (): number => (x = (x * 1103515245 + 12345) >>> 0) >>> 24;
  for (const n of [...Array.from({ length: 301 }, (_, i) => i), 65536]) {
    const bytes = Buffer.from(Array.from({ length: n }, next));
    const expected = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(':');
    assert.equal(colonHex(bytes), expected, `${n} bytes`);
    assert.equal(colonHex(new Uint8Array(bytes)), expected, `${n} bytes as a Uint8Array`);
  }
  assert.equal(colonHex(Buffer.from([0, 0xff, 0x0a])), '00:ff:0a');
});
