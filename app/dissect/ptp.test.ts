/**
 * PTP (IEEE 1588 v2) on UDP 319/320 and ethertype 0x88f7: header, flags, correction, bodies,
 * management Info. Expected values are what tshark 4.0 prints for the same frames
 * (`tshark -T fields -e ptp.v2.* -e _ws.col.Info`); the frames were built with python3 struct.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissectHex, fieldText } from './test-fields';
import type { Field } from './model';
import { doubleText } from './ptp';

const FRAMES = {
  /** Two-step Sync on UDP 319, sequence 7. */
  sync: '01005e0001810200000000010800450000480001000040118f220a000001e0000181013f013f003400000002002c00000200000000000000000000000000000200fffe00000100010007000000000000000000000000',
  /** Its Follow_Up on UDP 320. */
  followUp: '01005e0001810200000000010800450000480001000040118f220a000001e000018101400140003400000802002c00000000000000000000000000000000000200fffe00000100010007020000005a67908a02124527',
  /** Announce: UTC offset 37, accuracy 0x21, time source GPS. */
  announce: '01005e00018102000000000108004500005c0001000040118f0e0a000001e000018101400140004800000b02004000000000000000000000000000000000000200fffe000001000100090501000000000000000000000025008006214e5d80000200fffe000001000120',
  /** Delay_Resp with a correction of 36035.5 ns. */
  delayResp: '01005e0001810200000000010800450000520001000040118f180a000001e000018101400140003e00000902003600000000000000008cc3800000000000000200fffe00000100010084030000005a6790890ecca2a57cfe90fffef950b40001',
  /** Pdelay_Resp on Ethernet (no MAC vendor: the clock identity has no ff:fe). */
  pdelayResp: '0180c200000e02000000000188f703120036000000000000000000000000000000007483efffff01ac1600010005007f000000000064000000c838f3abfffe96ec120001',
  /** Management GET of CURRENT_DATA_SET on Ethernet. */
  management: '011b1900000002000000000188f70d02004800000000000000000000000000000000000200fffe00000100010001047f0000000000000000ffff03030000000100022001000000000000000000000000000000000000',
  /** A Sync whose messageLength says 44 but whose frame holds 20 bytes of it. */
  short: '011b1900000002000000000188f70002002c00000000000000000000000000000000',
};

test('PTP Sync on UDP 319: header fields, two-step flag, MAC vendor of the clock identity, Info', () => {
  const p = dissectHex(FRAMES.sync);
  assert.equal(fieldText(p, 'frame.protocols'), 'eth:ethertype:ip:udp:ptp');
  assert.equal(p.summary.protocol, 'PTPv2');
  assert.equal(p.summary.info, 'Sync Message');
  assert.equal(fieldText(p, 'ptp.v2.messagetype'), '0x00');
  assert.equal(fieldText(p, 'ptp.v2.versionptp'), '2');
  assert.equal(fieldText(p, 'ptp.v2.messagelength'), '44');
  assert.equal(fieldText(p, 'ptp.v2.flags'), '0x0200');
  assert.equal(fieldText(p, 'ptp.v2.flags.twostep'), '1');
  assert.equal(fieldText(p, 'ptp.v2.flags.unicast'), '0');
  assert.equal(fieldText(p, 'ptp.v2.clockidentity'), '0x000200fffe000001');
  assert.equal(fieldText(p, 'ptp.v2.clockidentity_manuf'), '000200');
  assert.equal(fieldText(p, 'ptp.v2.sequenceid'), '7');
  assert.equal(fieldText(p, 'ptp.v2.controlfield'), '0');
  assert.equal(fieldText(p, 'ptp.v2.sdr.origintimestamp.seconds'), '0');
  const ptp = p.layers.find((l) => l.protocol === 'ptp')!;
  assert.equal(ptp.status, 'ok');
  assert.equal(ptp.length, 44);
});

test('PTP Follow_Up, Announce and Delay_Resp bodies', () => {
  const fu = dissectHex(FRAMES.followUp);
  assert.equal(fu.summary.info, 'Follow_Up Message');
  assert.equal(fieldText(fu, 'ptp.v2.fu.preciseorigintimestamp.seconds'), '1516736650');
  assert.equal(fieldText(fu, 'ptp.v2.fu.preciseorigintimestamp.nanoseconds'), '34751783');
  assert.equal(fieldText(fu, 'ptp.v2.fu.preciseorigintimestamp.32bit'), '2065901863');

  const an = dissectHex(FRAMES.announce);
  assert.equal(an.summary.info, 'Announce Message');
  assert.equal(fieldText(an, 'ptp.v2.logmessageperiod'), '1');
  assert.equal(fieldText(an, 'ptp.v2.an.origincurrentutcoffset'), '37');
  assert.equal(fieldText(an, 'ptp.v2.an.priority1'), '128');
  assert.equal(fieldText(an, 'ptp.v2.an.grandmasterclockclass'), '6');
  assert.equal(fieldText(an, 'ptp.v2.an.grandmasterclockaccuracy'), '0x21');
  assert.equal(fieldText(an, 'ptp.v2.an.grandmasterclockvariance'), '20061');
  assert.equal(fieldText(an, 'ptp.v2.an.grandmasterclockidentity'), '0x000200fffe000001');
  assert.equal(fieldText(an, 'ptp.v2.an.localstepsremoved'), '1');
  assert.equal(fieldText(an, 'ptp.v2.timesource'), '0x20');

  const dr = dissectHex(FRAMES.delayResp);
  assert.equal(dr.summary.info, 'Delay_Resp Message');
  assert.equal(fieldText(dr, 'ptp.v2.correction.ns'), '36035');
  assert.equal(fieldText(dr, 'ptp.v2.correction.subns'), '0.5');
  assert.equal(fieldText(dr, 'ptp.v2.dr.receivetimestamp.seconds'), '1516736649');
  assert.equal(fieldText(dr, 'ptp.v2.dr.receivetimestamp.nanoseconds'), '248292005');
  assert.equal(fieldText(dr, 'ptp.v2.dr.requestingsourceportidentity'), '0x7cfe90fffef950b4');
  assert.equal(fieldText(dr, 'ptp.v2.dr.requestingsourceportid'), '1');
});

test('PTP on Ethernet: Pdelay_Resp body, padding after messageLength, management Info', () => {
  const p = dissectHex(FRAMES.pdelayResp);
  assert.equal(fieldText(p, 'frame.protocols'), 'eth:ethertype:ptp');
  assert.equal(p.summary.info, 'Peer_Delay_Resp Message');
  assert.equal(fieldText(p, 'ptp.v2.minorversionptp'), '1');
  assert.equal(fieldText(p, 'ptp.v2.clockidentity_manuf'), '');
  assert.equal(fieldText(p, 'ptp.v2.pdrs.requestreceipttimestamp.seconds'), '100');
  assert.equal(fieldText(p, 'ptp.v2.pdrs.requestingportidentity'), '0x38f3abfffe96ec12');
  assert.equal(fieldText(p, 'ptp.v2.logmessageperiod'), '127');

  const m = dissectHex(FRAMES.management);
  assert.equal(m.summary.info, 'Management (Current dataset) GET');
  assert.equal(fieldText(m, 'ptp.v2.mm.targetportidentity'), '0x0000000000000000');
  assert.equal(fieldText(m, 'ptp.v2.mm.targetportid'), '65535');
  assert.equal(fieldText(m, 'ptp.v2.mm.boundaryhops'), '3');
  assert.equal(fieldText(m, 'ptp.v2.mm.action'), '0');
  assert.equal(fieldText(m, 'ptp.v2.mm.tlvType'), '1');
  assert.equal(fieldText(m, 'ptp.v2.mm.managementId'), '8193');
  assert.equal(fieldText(m, 'ptp.v2.mm.lengthField'), '2');
  assert.equal(fieldText(m, 'ptp.v2.mm.data'), '');
});

test('PTP cut short: the header that is there, the layer malformed, Info marked as tshark marks it', () => {
  const p = dissectHex(FRAMES.short);
  const ptp = p.layers.find((l) => l.protocol === 'ptp')!;
  assert.equal(ptp.status, 'malformed');
  assert.equal(fieldText(p, 'ptp.v2.messagelength'), '44');
  assert.equal(p.summary.info, 'Sync Message[Malformed Packet]');
});

test('PTP no-tree dissection builds only the fields asked for, with the same texts', () => {
  const names = new Set(['ptp.v2.sequenceid', 'ptp.v2.an.grandmasterclockaccuracy']);
  const p = dissectHex(FRAMES.announce, { fields: names });
  const built: string[] = [];
  const walk = (fields: Field[]) => fields.forEach((f) => { built.push(f.abbrev); if (f.children) walk(f.children); });
  walk(p.layers.find((l) => l.protocol === 'ptp')!.fields);
  assert.deepEqual(built.sort(), [...names].sort());
  assert.equal(fieldText(p, 'ptp.v2.sequenceid'), '9');
  assert.equal(fieldText(p, 'ptp.v2.an.grandmasterclockaccuracy'), '0x21');
  assert.equal(p.summary.info, 'Announce Message');
});

test('doubleText prints as C %.15g', () => {
  assert.equal(doubleText(0), '0');
  assert.equal(doubleText(0.5), '0.5');
  assert.equal(doubleText(0xfffd / 65536), '0.999954223632812');
  assert.equal(doubleText(5 / 65536), '7.62939453125e-05');
  assert.equal(doubleText(120), '120');
  assert.equal(doubleText(-2.5), '-2.5');
});
