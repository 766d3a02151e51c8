/**
 * Cisco DTP over SNAP (PID 0x2004): version, domain, trunk status and type halves, sender ID.
 * Expected values are what tshark 4.0 prints for the same frame.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissectHex, fieldText } from './test-fields';

/** Domain "lab", trunk status Trunk/Desirable (0x83), type 802.1Q/802.1Q (0xa5), sender 00:11:22:33:44:99. */
const DTP = '01000ccccccc02005e1000010025aaaa0300000c200401000100086c616200000200058300030005a50004000a001122334499000000000000000000';

test('DTP: TLVs, trunk status and type halves, Info', () => {
  const p = dissectHex(DTP);
  assert.equal(fieldText(p, 'frame.protocols'), 'eth:llc:dtp');
  assert.equal(p.summary.protocol, 'DTP');
  assert.equal(p.summary.info, 'Dynamic Trunk Protocol');
  assert.equal(fieldText(p, 'dtp.version'), '1');
  assert.equal(fieldText(p, 'dtp.tlv_type'), '0x0001,0x0002,0x0003,0x0004');
  assert.equal(fieldText(p, 'dtp.tlv_len'), '8,5,5,10');
  assert.equal(fieldText(p, 'dtp.domain'), 'lab');
  assert.equal(fieldText(p, 'dtp.tos'), '0x01');
  assert.equal(fieldText(p, 'dtp.tas'), '0x03');
  assert.equal(fieldText(p, 'dtp.tot'), '0x05');
  assert.equal(fieldText(p, 'dtp.tat'), '0x05');
  assert.equal(fieldText(p, 'dtp.senderid'), '00:11:22:33:44:99');
});

test('without a tree the selected DTP fields come out the same', () => {
  const names = ['dtp.domain', 'dtp.tas', 'dtp.senderid', 'frame.protocols'];
  const tree = dissectHex(DTP);
  const selected = dissectHex(DTP, { fields: new Set(names), columns: false });
  for (const name of names) assert.equal(fieldText(selected, name), fieldText(tree, name), name);
});
