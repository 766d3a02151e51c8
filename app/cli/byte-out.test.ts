import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ByteOut } from './byte-out';

test('ByteOut keeps text as UTF-8 whatever its characters and length, growing as needed', () => {
  const out = new ByteOut(8);
  const pieces = ['plain', '', 'Ünïcödé → ✓', 'a'.repeat(1500), `${'x'.repeat(70)}€`, '😀 surrogate pair', '\u0000\u007f'];
  for (const p of pieces) out.text(p);
  out.byte(0x0a);
  assert.equal(out.take(), pieces.join('') + '\n');
  assert.equal(out.used, 0);
  out.text('again');
  assert.equal(out.take(), 'again');
});
