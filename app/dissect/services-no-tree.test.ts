/**
 * PTP, HSRP, BFD, syslog and Babel in "no tree" dissections: every field name of the whole tree, asked
 * for alone, comes out with the same texts in the same order, and the columns are the same.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissectHex } from './test-fields';
import type { DissectedPacket, Field } from './model';

const FRAMES = [
  // PTP Announce on UDP 320, Delay_Resp with a correction, management on Ethernet
  '01005e00018102000000000108004500005c0001000040118f0e0a000001e000018101400140004800000b02004000000000000000000000000000000000000200fffe000001000100090501000000000000000000000025008006214e5d80000200fffe000001000120',
  '01005e0001810200000000010800450000520001000040118f180a000001e000018101400140003e00000902003600000000000000008cc3800000000000000200fffe00000100010084030000005a6790890ecca2a57cfe90fffef950b40001',
  '011b1900000002000000000188f70d02004800000000000000000000000000000000000200fffe00000100010001047f0000000000000000ffff03030000000100022001000000000000000000000000000000000000',
  // HSRPv1 hello with MD5, HSRPv2 over IPv6
  '011b1900000002000000000108004500004e000100004011909b0a000001e000000207c107c1003a0000000010030a640100636973636f000000c0a80001041c010000000a00000100000007000102030405060708090a0b0c0d0e0f',
  '011b1900000002000000000186dd60000000003c11fffe800000000000000000000000000001ff02000000000000000000000000006607ed07ed003c1234012802000606000100000c9ff0010000006400000bb800002710fe80000000000000000573fffea000010308636973636f000000',
  // BFD with keyed SHA1
  '011b19000000020000000001080045000050000100004011669a0a0000010a000002c0000ec8003c000020c403340000000100000002000f4240000493e000000000051c09000000004d000102030405060708090a0b0c0d0e0f10111213',
  // Babel hello and ihu with a trailer
  '011b1900000002000000000186dd6000000000241101fe800000000000000000000000000001ff0200000000000000000000000100061a281a28002412342a02001004060000de0b019005060002006001901004010203040100',
  // syslog RFC 5424 and RFC 3164
  '011b1900000002000000000108004500008d000100004011665d0a0000010a0000029c400202007900003c33343e3120323030332d31302d31315432323a31343a31352e3030335a206d796d616368696e652e6578616d706c652e636f6d207375202d2049443437202d20424f4defbbbf27737520726f6f7427206661696c656420666f72206c6f6e7669636b206f6e202f6465762f7074732f38',
  '011b1900000002000000000108004500004e000100004011669c0a0000010a0000029c400202003a00003c31333e4465632020332031333a30303a3030206d79686f7374206d796170705b3132335d3a2068656c6c6f20776f726c64',
];

function texts(packet: DissectedPacket, abbrev?: string): string[] {
  const out: string[] = [];
  const walk = (fields: Field[]) => fields.forEach((f) => { if (f.abbrev !== '' && (abbrev === undefined || f.abbrev === abbrev)) out.push(`${f.abbrev}=${f.text}`); if (f.children) walk(f.children); });
  packet.layers.forEach((l) => walk(l.fields));
  return out;
}

test('no tree: each field of these protocols alone has the texts of the tree; layers and columns unchanged', () => {
  for (const hex of FRAMES) {
    const tree = dissectHex(hex);
    const names = new Set(texts(tree).map((t) => t.slice(0, t.indexOf('='))).filter((n) => /^(ptp|hsrp|hsrp2|bfd|syslog|babel)\./.test(n)));
    assert.ok(names.size > 5, hex);
    for (const name of names) {
      const alone = dissectHex(hex, { fields: new Set([name]) });
      assert.deepEqual(texts(alone, name), texts(tree, name), name);
      assert.deepEqual(alone.summary, tree.summary, name);
      assert.deepEqual(alone.layers.map((l) => [l.protocol, l.offset, l.length, l.status]), tree.layers.map((l) => [l.protocol, l.offset, l.length, l.status]), name);
    }
    const none = dissectHex(hex, { fields: new Set() });
    assert.deepEqual(texts(none), [], 'an empty selection builds no field');
  }
});
