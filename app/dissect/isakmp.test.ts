/**
 * ESP (IP protocol 50 and UDP 4500), UDP encapsulation (NAT keepalive, Non-ESP Marker) and the
 * ISAKMP header of IKEv1 and IKEv2. Expected values are what tshark 4.0 prints for the same frames.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissectHex, fieldText } from './test-fields';

const FRAMES = {
  esp: '02000000000202000000000108004500003400010000403266950a0000010a000002f4dc0ae50000002a000000000000000000000000000000000000000000000000',
  esp_short: '02000000000202000000000108004500001b00010000403266ae0a0000010a00000200000001000000',
  isakmp_v1: '02000000000202000000000108004500004400010000401166a60a0000010a00000201f401f4003000009e89f2388f90bc1e0a74357ce3d1a4bf051002010000000000000028000000000000000000000000',
  isakmp_v2: '02000000000202000000000108004500003800010000401166b20a0000010a00000201f401f400240000a88875a8198992a6000000000000000021202208000000000000001c',
  isakmp_v2_resp: '02000000000202000000000108004500003800010000401166b20a0000010a00000201f401f400240000a88875a8198992a671be8358efae76632e202320000000010000001c',
  nat_keepalive: '02000000000202000000000108004500001d00010000401166cd0a0000010a0000021194119400090000ff',
  udpencap_ike: '02000000000202000000000108004500004800010000401166a20a0000010a0000021194119400340000000000009e89f2388f90bc1e0a74357ce3d1a4bf081020010000000700000028000000000000000000000000',
  udpencap_esp: '02000000000202000000000108004500004400010000401166a60a0000010a0000021194119400300000f4dc0ae5000000030000000000000000000000000000000000000000000000000000000000000000',
};

test('ESP in IP: SPI, sequence number, Info; a header cut short is malformed', () => {
  const p = dissectHex(FRAMES.esp);
  assert.equal(fieldText(p, 'frame.protocols'), 'eth:ethertype:ip:esp');
  assert.equal(p.summary.protocol, 'ESP');
  assert.equal(p.summary.info, 'ESP (SPI=0xf4dc0ae5)');
  assert.equal(fieldText(p, 'esp.spi'), '0xf4dc0ae5');
  assert.equal(fieldText(p, 'esp.sequence'), '42');
  assert.equal(p.layers.at(-1)!.fields[0]!.label, 'ESP SPI: 0xf4dc0ae5 (4108061413)');
  const short = dissectHex(FRAMES.esp_short);
  assert.equal(short.status, 'malformed');
  assert.equal(fieldText(short, 'esp.spi'), '0x00000001');
  assert.equal(fieldText(short, 'esp.sequence'), '');
  assert.equal(short.summary.info, '[Malformed Packet]');
});

test('ISAKMP on UDP 500: IKEv1 header and Info, IKEv2 Info with message ID and roles', () => {
  const v1 = dissectHex(FRAMES.isakmp_v1);
  assert.equal(fieldText(v1, 'frame.protocols'), 'eth:ethertype:ip:udp:isakmp');
  assert.equal(v1.summary.protocol, 'ISAKMP');
  assert.equal(v1.summary.info, 'Identity Protection (Main Mode)');
  assert.equal(fieldText(v1, 'isakmp.ispi'), '9e89f2388f90bc1e');
  assert.equal(fieldText(v1, 'isakmp.rspi'), '0a74357ce3d1a4bf');
  assert.equal(fieldText(v1, 'isakmp.nextpayload'), '5');
  assert.equal(fieldText(v1, 'isakmp.version'), '0x10');
  assert.equal(fieldText(v1, 'isakmp.exchangetype'), '2');
  assert.equal(fieldText(v1, 'isakmp.flags'), '0x01');
  assert.equal(fieldText(v1, 'isakmp.flag_e'), '1');
  assert.equal(fieldText(v1, 'isakmp.messageid'), '0x00000000');
  assert.equal(fieldText(v1, 'isakmp.length'), '40');
  assert.equal(fieldText(v1, 'isakmp.enc.data'), '1');
  const v2 = dissectHex(FRAMES.isakmp_v2);
  assert.equal(v2.summary.info, 'IKE_SA_INIT MID=00 Initiator Request');
  assert.equal(fieldText(v2, 'isakmp.flag_i'), '1');
  const response = dissectHex(FRAMES.isakmp_v2_resp);
  assert.equal(response.summary.info, 'IKE_AUTH MID=01 Responder Response');
  assert.equal(fieldText(response, 'isakmp.flag_r'), '1');
});

test('UDP 4500: NAT keepalive, IKE after the Non-ESP Marker, ESP otherwise', () => {
  const keepalive = dissectHex(FRAMES.nat_keepalive);
  assert.equal(fieldText(keepalive, 'frame.protocols'), 'eth:ethertype:ip:udp:udpencap');
  assert.equal(keepalive.summary.protocol, 'UDPENCAP');
  assert.equal(keepalive.summary.info, 'NAT-keepalive');
  assert.equal(fieldText(keepalive, 'udpencap.nat_keepalive'), '1');
  const ike = dissectHex(FRAMES.udpencap_ike);
  assert.equal(fieldText(ike, 'frame.protocols'), 'eth:ethertype:ip:udp:udpencap:isakmp');
  assert.equal(fieldText(ike, 'udpencap.non_esp_marker'), '1');
  assert.equal(ike.summary.info, 'Quick Mode');
  const esp = dissectHex(FRAMES.udpencap_esp);
  assert.equal(fieldText(esp, 'frame.protocols'), 'eth:ethertype:ip:udp:udpencap:esp');
  assert.equal(esp.summary.info, 'ESP (SPI=0xf4dc0ae5)');
  assert.equal(fieldText(esp, 'esp.sequence'), '3');
});

test('without a tree: no fields unless named, the same chains and columns', () => {
  for (const hex of Object.values(FRAMES)) {
    const full = dissectHex(hex);
    const none = dissectHex(hex, { fields: new Set() });
    assert.deepEqual(none.layers.flatMap((l) => l.fields), []);
    assert.deepEqual(none.summary, full.summary);
    const names = new Set(['esp.spi', 'isakmp.exchangetype', 'frame.protocols']);
    const some = dissectHex(hex, { fields: names });
    for (const name of names) assert.equal(fieldText(some, name), fieldText(full, name), name);
  }
});
