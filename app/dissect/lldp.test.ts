/**
 * LLDP (ethertype 0x88cc): the mandatory TLVs, descriptions, capabilities, management address,
 * organisation-specific TLVs, the Info line, and an LLDPDU that does not start with a Chassis ID.
 * Expected values are what tshark 4.0 prints for the same frames.
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

const FRAMES = {
  /** Chassis MAC, port interface name, TTL, descriptions, name, capabilities, management address, 802.1/802.3 TLVs. */
  full: '0180c200000e02005e10000188cc0207040011223344550405056574683006020078080b75706c696e6b20706f72740a0b7377312e6578616d706c650c114c696e757820362e310a6275696c6420370e0400140004100c05010a000001020000000300fe060080c201000afe0600120f0405ee0000',
  /** Shutdown LLDPDU (TTL 0): locally assigned chassis ID, port MAC. */
  local: '0180c200000e02005e10000188cc020a07636861737369732d3104070300112233445606020000000000000000000000000000000000000000000000',
  /** Starts with a Port ID TLV. */
  bad: '0180c200000e02005e10000188cc04050565746830000000000000000000000000000000000000000000000000000000000000000000000000000000',
};

test('LLDP: TLV types and lengths, IDs, TTL, system name and description, Info', () => {
  const p = dissectHex(FRAMES.full);
  assert.equal(fieldText(p, 'frame.protocols'), 'eth:ethertype:lldp');
  assert.equal(p.summary.protocol, 'LLDP');
  assert.equal(p.summary.info, 'MA/00:11:22:33:44:55 IN/eth0 120 SysN=sw1.example SysD=Linux 6.1\\nbuild 7 ');
  assert.equal(fieldText(p, 'lldp.tlv.type'), '1,2,3,4,5,6,7,8,127,127,0');
  assert.equal(fieldText(p, 'lldp.tlv.len'), '7,5,2,11,11,17,4,12,6,6,0');
  assert.equal(fieldText(p, 'lldp.chassis.id.mac'), '00:11:22:33:44:55');
  assert.equal(fieldText(p, 'lldp.port.subtype'), '5');
  assert.equal(fieldText(p, 'lldp.port.id'), 'eth0');
  assert.equal(fieldText(p, 'lldp.time_to_live'), '120');
  assert.equal(fieldText(p, 'lldp.tlv.system.desc'), 'Linux 6.1\\nbuild 7');
  assert.equal(fieldText(p, 'lldp.tlv.system_cap'), '0x0014');
  assert.equal(fieldText(p, 'lldp.tlv.system_cap.router'), '1');
  assert.equal(fieldText(p, 'lldp.tlv.enable_system_cap.router'), '0');
  assert.equal(fieldText(p, 'lldp.mgn.addr.ip4'), '10.0.0.1');
  assert.equal(fieldText(p, 'lldp.mgn.interface.number'), '3');
  assert.equal(fieldText(p, 'lldp.orgtlv.oui'), '32962,4623');
  // tshark 4.0 leaves the last byte before the End TLV and the End TLV to the Ethernet trailer.
  assert.equal(fieldText(p, 'eth.trailer'), 'ee0000');
});

test('LLDP shutdown with a locally assigned chassis ID (bytes) and a port MAC', () => {
  const p = dissectHex(FRAMES.local);
  assert.equal(p.summary.info, 'LA/chassis-1 MA/00:11:22:33:44:56 0 ');
  assert.equal(fieldText(p, 'lldp.chassis.id'), '636861737369732d31');
  assert.equal(fieldText(p, 'lldp.port.id.mac'), '00:11:22:33:44:56');
});

test('LLDP without a Chassis ID first is invalid and shows no TLV', () => {
  const p = dissectHex(FRAMES.bad);
  assert.equal(fieldText(p, 'frame.protocols'), 'eth:ethertype:lldp');
  assert.equal(p.summary.info, 'Invalid Chassis ID TLV');
  assert.equal(fieldText(p, 'lldp.tlv.type'), '');
});

test('without a tree the selected LLDP fields come out the same', () => {
  for (const hex of Object.values(FRAMES)) {
    assertSameWithoutTree(hex, ['lldp.tlv.type', 'lldp.chassis.id', 'lldp.port.id', 'lldp.time_to_live', 'lldp.tlv.system.name', 'lldp.tlv.system_cap.bridge', 'eth.trailer']);
  }
});
