import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { berInteger, berOid, berUnsigned, readBer, readBerSequence, BerClass } from './ber';

const hex = (h: string): Buffer => Buffer.from(h.replace(/\s+/g, ''), 'hex');

test('identifiers and definite lengths (short, long, multi-byte tag numbers)', () => {
  const r = readBer(hex('30 03 02 01 05'), 0, 5);
  assert.ok(r.ok);
  assert.deepEqual({ ...r.tlv }, { cls: BerClass.Universal, constructed: true, tag: 16, start: 0, valueStart: 2, length: 3, valueEnd: 5, end: 5, indefinite: false });
  const long = readBer(Buffer.concat([hex('04 82 01 00'), Buffer.alloc(256)]), 0, 260);
  assert.ok(long.ok && long.tlv.length === 256 && long.tlv.valueStart === 4);
  // [APPLICATION 201] constructed: 7f 81 49
  const big = readBer(hex('7f 81 49 00'), 0, 4);
  assert.ok(big.ok && big.tlv.cls === BerClass.Application && big.tlv.tag === 201 && big.tlv.constructed);
});

test('indefinite lengths end at the end-of-contents octets', () => {
  const r = readBer(hex('30 80 02 01 01 30 80 05 00 00 00 00 00 ff'), 0, 14);
  assert.ok(r.ok);
  assert.equal(r.tlv.indefinite, true);
  assert.equal(r.tlv.valueEnd, 11);
  assert.equal(r.tlv.end, 13);
});

test('bad input is reported, never thrown: past the element, past the capture, invalid octets', () => {
  const tooLong = readBer(hex('04 05 01 02'), 0, 4, 10);
  assert.deepEqual(tooLong.ok ? null : tooLong.problem, 'too-long');
  const cut = readBer(hex('04 05 01 02'), 0, 7, 4);
  assert.deepEqual(cut.ok ? null : cut.problem, 'truncated');
  const lol = readBer(hex('04 85 00 00 00 00 01'), 0, 7);
  assert.deepEqual(lol.ok ? null : lol.problem, 'invalid');
  const noEoc = readBer(hex('30 80 02 01 01'), 0, 5);
  assert.deepEqual(noEoc.ok ? null : noEoc.problem, 'invalid');
  const seq = readBerSequence(hex('02 01 01 02 01 02 02 05 00'), 0, 9);
  assert.equal(seq.items.length, 2);
  assert.equal(seq.error?.problem, 'too-long');
  for (let n = 0; n < 2000; n++) {
    const random = Buffer.from(Array.from({ length: 12 }, (_, i) => (n * 37 + i * 101 + (n >> 3)) & 0xff));
    readBerSequence(random, 0, random.length);
  }
});

test('INTEGER and OID values', () => {
  assert.equal(berInteger(hex('00'), 0, 1), 0);
  assert.equal(berInteger(hex('7f'), 0, 1), 127);
  assert.equal(berInteger(hex('80'), 0, 1), -128);
  assert.equal(berInteger(hex('ff'), 0, 1), -1);
  assert.equal(berInteger(hex('00 80'), 0, 2), 128);
  assert.equal(berInteger(hex('ff 7f'), 0, 2), -129);
  assert.equal(berInteger(hex('00 ff ff ff ff'), 0, 5), 4294967295);
  assert.equal(berInteger(hex('01 00 00 00 00 00 00 00 00'), 0, 9), 2n ** 64n);
  assert.equal(berInteger(hex('ff ff ff ff ff ff ff ff'), 0, 8), -1);
  assert.equal(berUnsigned(hex('ff ff ff ff'), 0, 4), 4294967295);
  assert.equal(berOid(hex('2b 06 01 02 01 01 01 00'), 0, 8), '1.3.6.1.2.1.1.1.0');
  assert.equal(berOid(hex('2a 86 48 86 f7 0d 01 01 0b'), 0, 9), '1.2.840.113549.1.1.11');
  assert.equal(berOid(hex('88 37 03'), 0, 3), '2.999.3');
  assert.equal(berOid(hex('2b 86'), 0, 2), '');
});

// The reference: OpenSSL's own DER parser reads the same INTEGERs and OIDs.
test('INTEGERs and OIDs read as openssl asn1parse reads them', { skip: spawnSync('openssl', ['version']).status !== 0 ? 'openssl is not installed' : false }, () => {
  const cases = ['02 01 80', '02 02 ff 7f', '02 05 00 ff ff ff ff', '02 09 01 00 00 00 00 00 00 00 00', '06 09 2a 86 48 86 f7 0d 01 01 0b', '06 03 88 37 03', '06 08 2b 06 01 04 01 82 37 15'];
  let numericOids = 0;
  for (const c of cases) {
    const der = hex(c);
    const out = spawnSync('openssl', ['asn1parse', '-inform', 'DER'], { input: der, encoding: 'utf8' }).stdout;
    const r = readBer(der, 0, der.length);
    assert.ok(r.ok);
    if (der[0] === 2) {
      const m = /INTEGER\s+:(-?)([0-9A-F]+)/.exec(out)!;
      const expected = BigInt(`0x${m[2]}`) * (m[1] ? -1n : 1n);
      assert.equal(BigInt(berInteger(der, r.tlv.valueStart, r.tlv.length)), expected, c);
    } else {
      // openssl prints a name for OIDs it knows, the dotted form for the others: compare those.
      const m = /OBJECT\s+:(\S+)/.exec(out)!;
      const dotted = berOid(der, r.tlv.valueStart, r.tlv.length);
      if (/^\d+(\.\d+)+$/.test(m[1]!)) {
        assert.equal(dotted, m[1], c);
        numericOids++;
      }
    }
  }
  assert.ok(numericOids >= 1, 'openssl printed no OID in dotted form');
});
