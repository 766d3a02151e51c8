/**
 * Cisco UDLD over SNAP (PID 0x0111): header, flags, TLVs, the Info line, and a TLV shorter than its
 * header (the rest is data). Expected values are what tshark 4.0 prints for the same frames.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissectHex, fieldText } from './test-fields';

/** Probe: device ID SW-A1, port Gi1/0/7, echo, intervals 15 and 5, device name, sequence 9. */
const PROBE = '01000ccccccc02005e1000010042aaaa0300000c0111210312340001000953572d41310002000b4769312f302f370003000800000000000400050f000500050500060008636f72650007000800000009';
/** Echo whose second TLV claims length 0. */
const BAD_TLV = '01000ccccccc02005e100001001daaaa0300000c0111220000000001000953572d423200070000000000080000000000000000000000000000000000';

test('UDLD probe: version, opcode, flags, TLVs and Info', () => {
  const p = dissectHex(PROBE);
  assert.equal(fieldText(p, 'frame.protocols'), 'eth:llc:udld');
  assert.equal(p.summary.protocol, 'UDLD');
  assert.equal(p.summary.info, 'Device ID: SW-A1  Port ID: Gi1/0/7  ');
  assert.equal(fieldText(p, 'llc.cisco_pid'), '0x0111');
  assert.equal(fieldText(p, 'udld.version'), '1');
  assert.equal(fieldText(p, 'udld.opcode'), '1');
  assert.equal(fieldText(p, 'udld.flags'), '3');
  assert.equal(fieldText(p, 'udld.flags.rt'), '0x01');
  assert.equal(fieldText(p, 'udld.flags.rsy'), '0x01');
  assert.equal(fieldText(p, 'udld.checksum'), '0x1234');
  assert.equal(fieldText(p, 'udld.tlv.type'), '0x0001,0x0002,0x0003,0x0004,0x0005,0x0006,0x0007');
  assert.equal(fieldText(p, 'udld.device_id'), 'SW-A1');
  assert.equal(fieldText(p, 'udld.sent_through_interface'), 'Gi1/0/7');
  assert.equal(fieldText(p, 'udld.data'), '00000000,0f,05,636f7265,00000009');
});

test('UDLD TLV shorter than its header: its type and length, then data', () => {
  const p = dissectHex(BAD_TLV);
  assert.equal(fieldText(p, 'frame.protocols'), 'eth:llc:udld:data');
  assert.equal(p.summary.info, 'Device ID: SW-B2  ');
  assert.equal(fieldText(p, 'udld.tlv.len'), '9,0');
  assert.equal(fieldText(p, 'data.data'), '00000008');
});

test('without a tree the selected UDLD fields come out the same', () => {
  for (const hex of [PROBE, BAD_TLV]) {
    const names = ['udld.device_id', 'udld.flags.rsy', 'udld.tlv.len', 'udld.data', 'frame.protocols'];
    const tree = dissectHex(hex);
    const selected = dissectHex(hex, { fields: new Set(names), columns: false });
    for (const name of names) assert.equal(fieldText(selected, name), fieldText(tree, name), name);
  }
});
