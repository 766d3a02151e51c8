/**
 * Slow Protocols (ethertype 0x8809) with LACP: actor and partner information, state bits and their
 * letters, collector, padding, the Info line. Expected values are what tshark 4.0 prints.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissectHex, fieldText } from './test-fields';

/** The same texts from a dissection that builds only the named fields (no tree, no columns). */
function assertSameWithoutTree(hex: string, names: string[]): void {
  const tree = dissectHex(hex);
  const selected = dissectHex(hex, { fields: new Set(names), columns: false });
  for (const name of names) assert.equal(fieldText(selected, name), fieldText(tree, name), name);
}

/** LACP: actor state 0x3d, partner state 0x47. */
const LACP = '0180c200000202005e1000018809010101148000001122334400000d00ff00073d0000000214ffff00aabbccdd00000200ff0009470000000310003200000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000';

test('LACP: chain slow:lacp, actor and partner fields, Info', () => {
  const p = dissectHex(LACP);
  assert.equal(fieldText(p, 'frame.protocols'), 'eth:ethertype:slow:lacp');
  assert.equal(p.summary.protocol, 'LACP');
  assert.equal(p.summary.info, 'v1 ACTOR 00:11:22:33:44:00 P: 7 K: 13 **DCSG*A PARTNER 00:aa:bb:cc:dd:00 P: 9 K: 2 *F***GSA');
  assert.equal(fieldText(p, 'slow.subtype'), '0x01');
  assert.equal(fieldText(p, 'lacp.version'), '0x01');
  assert.equal(fieldText(p, 'lacp.tlv_type'), '0x01,0x02,0x03,0x00');
  assert.equal(fieldText(p, 'lacp.tlv_length'), '0x14,0x14,0x10,0x00');
  assert.equal(fieldText(p, 'lacp.actor.sysid'), '00:11:22:33:44:00');
  assert.equal(fieldText(p, 'lacp.actor.state'), '0x3d');
  assert.equal(fieldText(p, 'lacp.actor.state.synchronization'), '1');
  assert.equal(fieldText(p, 'lacp.partner.state.defaulted'), '1');
  assert.equal(fieldText(p, 'lacp.partner.sys_priority'), '65535');
  assert.equal(fieldText(p, 'lacp.actor.reserved'), '000000');
  assert.equal(fieldText(p, 'lacp.collector.max_delay'), '50');
  assert.equal(fieldText(p, 'lacp.pad'), '00'.repeat(50));
});

test('a Slow Protocols subtype other than LACP is data', () => {
  const p = dissectHex(LACP.replace(/^(.{28})01/, '$10a'));
  assert.equal(fieldText(p, 'frame.protocols'), 'eth:ethertype:slow:data');
  assert.equal(fieldText(p, 'slow.subtype'), '0x0a');
});

test('without a tree the selected LACP fields come out the same', () => {
  assertSameWithoutTree(LACP, ['slow.subtype', 'lacp.actor.port', 'lacp.partner.state_str', 'lacp.actor.state.activity', 'lacp.pad']);
});
