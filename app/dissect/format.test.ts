import { test } from 'node:test';
import assert from 'node:assert/strict';
import { colonHex, ipv4Text } from './format';

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

test('ipv4Text gives each address its own text, whichever addresses share its cache slot', () => {
  // 3,000 addresses (a fixed sequence: the cache has 1,024 slots, so many collide), asked for in
  // two rounds, at offsets inside a larger buffer and at its very end; texts made by hand compared.
  const data = Buffer.alloc(4 * 3000 + 3);
  let x = 0x12345678;
  for (let i = 0; i < 3000; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    data.writeUInt32BE(i % 7 === 0 ? 0xc0a80000 + (i % 300) : x, 3 + 4 * i);
  }
  const expected = (at: number): string => [0, 1, 2, 3].map((k) => String(data[at + k])).join('.');
  for (let round = 0; round < 2; round++) {
    for (let i = 0; i < 3000; i++) assert.equal(ipv4Text(data, 3 + 4 * i), expected(3 + 4 * i));
  }
  // Past the end: the bytes that are there, as before (no cache).
  assert.equal(ipv4Text(data, data.length - 2), `${data[data.length - 2]}.${data[data.length - 1]}.undefined.undefined`);
});
