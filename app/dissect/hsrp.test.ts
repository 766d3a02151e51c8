/**
 * HSRP (UDP 1985/2029): version 1 hello and advertisement, version 2 TLVs over IPv4 and IPv6, and
 * traffic on the port that is not HSRP. Expected values are what tshark 4.0 prints for the same
 * frames (`tshark -T fields -e hsrp.* -e hsrp2.* -e _ws.col.Info`); frames built with python3 struct.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissectHex, fieldText } from './test-fields';

const FRAMES = {
  /** v1 Hello, state Active, to 224.0.0.2. */
  hello: '011b1900000002000000000108004500003000010000401190b90a000001e000000207c107c1001c0000000010030a640100636973636f000000c0a80001',
  /** v1 interface-state advertisement (opcode 3), Passive. */
  advertise: '011b1900000002000000000108004500002c00010000401190bd0a000001e000000207c107c10018000000030001000e0200000000016f000000',
  /** v1 Hello followed by an MD5 authentication TLV (50 bytes in all). */
  helloMd5: '011b1900000002000000000108004500004e000100004011909b0a000001e000000207c107c1003a0000000010030a640100636973636f000000c0a80001041c010000000a00000100000007000102030405060708090a0b0c0d0e0f',
  /** v2 group state TLV (IPv4 virtual address) and text authentication, to 224.0.0.102. */
  v2: '011b1900000002000000000108004500005000010000401190350a000001e000006607c107c1003c0000012802000604000100000c9ff0010000006400000bb8000027100a0000fe0000000000000000000000000308636973636f000000',
  /** v2 interface state TLV. */
  v2Interface: '011b1900000002000000000108004500002200010000401190630a000001e000006607c107c1000e0000020400030002',
  /** v2 over IPv6 to ff02::66 port 2029, IPv6 virtual address. */
  v2Ipv6: '011b1900000002000000000186dd60000000003c11fffe800000000000000000000000000001ff02000000000000000000000000006607ed07ed003c1234012802000606000100000c9ff0010000006400000bb800002710fe80000000000000000573fffea000010308636973636f000000',
  /** The v1 hello sent unicast: not HSRP (tshark shows no payload layer). */
  unicast: '011b1900000002000000000108004500003000010000401166ba0a0000010a00000207c107c1001c0000000010030a640100636973636f000000c0a80001',
  /** v1 with an unknown opcode: the rest is data. */
  unknownOpcode: '011b1900000002000000000108004500003000010000401190b90a000001e000000207c107c1001c0000000510030a640100636973636f000000c0a80001',
};

test('HSRPv1 hello: fields and Info', () => {
  const p = dissectHex(FRAMES.hello);
  assert.equal(fieldText(p, 'frame.protocols'), 'eth:ethertype:ip:udp:hsrp');
  assert.equal(p.summary.protocol, 'HSRP');
  assert.equal(p.summary.info, 'Hello (state Active)');
  assert.equal(fieldText(p, 'hsrp.version'), '0');
  assert.equal(fieldText(p, 'hsrp.opcode'), '0');
  assert.equal(fieldText(p, 'hsrp.state'), '16');
  assert.equal(fieldText(p, 'hsrp.hellotime'), '3');
  assert.equal(fieldText(p, 'hsrp.holdtime'), '10');
  assert.equal(fieldText(p, 'hsrp.priority'), '100');
  assert.equal(fieldText(p, 'hsrp.group'), '1');
  assert.equal(fieldText(p, 'hsrp.auth_data'), 'cisco');
  assert.equal(fieldText(p, 'hsrp.virt_ip'), '192.168.0.1');
  const auth = p.layers.find((l) => l.protocol === 'hsrp')!.fields.find((f) => f.abbrev === 'hsrp.auth_data')!;
  assert.equal(auth.label, 'Authentication Data: Default (cisco)');
});

test('HSRPv1 advertisement and MD5 TLV', () => {
  const adv = dissectHex(FRAMES.advertise);
  assert.equal(adv.summary.info, 'Advertise (state Passive)');
  assert.equal(fieldText(adv, 'hsrp.adv.tlvtype'), '1');
  assert.equal(fieldText(adv, 'hsrp.adv.tlvlength'), '14');
  assert.equal(fieldText(adv, 'hsrp.adv.passivegrp'), '1');
  assert.equal(fieldText(adv, 'hsrp.adv.reserved2'), '1862270976');

  const md5 = dissectHex(FRAMES.helloMd5);
  assert.equal(md5.summary.info, 'Hello (state Active)');
  assert.equal(fieldText(md5, 'hsrp2.md5_auth_tlv'), '4');
  assert.equal(fieldText(md5, 'hsrp2.md5_algorithm'), '1');
  assert.equal(fieldText(md5, 'hsrp2.md5_padding'), '0x00');
  assert.equal(fieldText(md5, 'hsrp.md5_ip_address'), '10.0.0.1');
  assert.equal(fieldText(md5, 'hsrp2.md5_key_id'), '7');
  assert.equal(fieldText(md5, 'hsrp2.md5_auth_data'), '000102030405060708090a0b0c0d0e0f');
});

test('HSRPv2 TLVs over IPv4 and IPv6', () => {
  const v2 = dissectHex(FRAMES.v2);
  assert.equal(v2.summary.protocol, 'HSRPv2');
  assert.equal(v2.summary.info, 'Hello (state Active)');
  assert.equal(fieldText(v2, 'frame.protocols'), 'eth:ethertype:ip:udp:hsrp');
  assert.equal(fieldText(v2, 'hsrp2.group_state_tlv'), '1');
  assert.equal(fieldText(v2, 'hsrp2.version'), '2');
  assert.equal(fieldText(v2, 'hsrp2.state'), '6');
  assert.equal(fieldText(v2, 'hsrp2.ipversion'), '4');
  assert.equal(fieldText(v2, 'hsrp2.identifier'), '00:00:0c:9f:f0:01');
  assert.equal(fieldText(v2, 'hsrp2.hellotime'), '3000');
  assert.equal(fieldText(v2, 'hsrp2.holdtime'), '10000');
  assert.equal(fieldText(v2, 'hsrp2.virt_ip'), '10.0.0.254');
  assert.equal(fieldText(v2, 'hsrp2.text_auth_tlv'), '3');
  assert.equal(fieldText(v2, 'hsrp2.auth_data'), 'cisco');

  assert.equal(dissectHex(FRAMES.v2Interface).summary.info, 'Interface State TLV (Act=3 Pass=2)');

  const v6 = dissectHex(FRAMES.v2Ipv6);
  assert.equal(fieldText(v6, 'frame.protocols'), 'eth:ethertype:ipv6:udp:hsrp');
  assert.equal(fieldText(v6, 'hsrp2.virt_ip_v6'), 'fe80::5:73ff:fea0:1');
});

test('HSRP port without HSRP destination, and an unknown opcode', () => {
  const u = dissectHex(FRAMES.unicast);
  assert.equal(fieldText(u, 'frame.protocols'), 'eth:ethertype:ip:udp');
  assert.equal(u.summary.protocol, 'UDP');
  const x = dissectHex(FRAMES.unknownOpcode);
  assert.equal(fieldText(x, 'frame.protocols'), 'eth:ethertype:ip:udp:hsrp:data');
  assert.equal(x.summary.info, 'Unknown');
  assert.equal(fieldText(x, 'data.len'), '18');
});

test('HSRP no-tree dissection: a filter on hsrp2.* reaches the HSRP layer without columns', () => {
  const p = dissectHex(FRAMES.v2, { fields: new Set(['hsrp2.virt_ip']), columns: false });
  assert.equal(fieldText(p, 'hsrp2.virt_ip'), '10.0.0.254');
});
