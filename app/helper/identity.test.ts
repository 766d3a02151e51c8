/**
 * The one-time token's pieces: random hex from the kernel and a comparison without an early exit.
 */
import * as assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import { test } from 'node:test';
import { randomHex, sameSecret, TOKEN_BYTES } from './identity';

test('randomHex: the asked number of bytes as lowercase hex, different each time', () => {
  const seen = new Set<string>();
  for (let i = 0; i < 200; i++) {
    const t = randomHex(TOKEN_BYTES);
    assert.match(t, /^[0-9a-f]{64}$/);
    seen.add(t);
  }
  assert.equal(seen.size, 200);
  assert.equal(randomHex(1).length, 2);
  // Every bit varies: over 200 tokens each of the 256 bits took both values.
  const ones = new Array<number>(TOKEN_BYTES * 8).fill(0);
  for (const t of seen) {
    const b = Buffer.from(t, 'hex');
    for (let bit = 0; bit < ones.length; bit++) ones[bit] += (b[bit >> 3] >> (bit & 7)) & 1;
  }
  assert.ok(ones.every((n) => n > 0 && n < 200), 'a bit of the token never changed');
});

test('sameSecret agrees with crypto.timingSafeEqual', () => {
  const a = randomHex(TOKEN_BYTES);
  const cases: Array<[string, string]> = [
    [a, a],
    [a, a.slice(0, -1) + (a.endsWith('0') ? '1' : '0')],
    ['0' + a.slice(1), a],
    [a, a.slice(1)],
    ['', ''],
    [a, ''],
  ];
  for (const [x, y] of cases) {
    const expected = x.length === y.length && crypto.timingSafeEqual(Buffer.from(x), Buffer.from(y));
    assert.equal(sameSecret(x, y), expected, `${x} vs ${y}`);
  }
});
