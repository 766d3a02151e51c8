/**
 * Cisco DTP over SNAP (PID 0x2004): version, domain, trunk status and type halves, sender ID.
 * Expected values are what tshark 4.0 prints for the same frame.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Dissector } from './dissector';
import type { DissectedPacket, Field } from './model';

/** Domain "lab", trunk status Trunk/Desirable (0x83), type 802.1Q/802.1Q (0xa5), sender 00:11:22:33:44:99. */
const DTP = '01000ccccccc02005e1000010025aaaa0300000c200401000100086c616200000200058300030005a50004000a001122334499000000000000000000';

function dissect(hex: string, options?: { fields?: ReadonlySet<string>; columns?: boolean }): DissectedPacket {
  const data = Buffer.from(hex, 'hex');
  return new Dissector().dissect({ number: 1, tsNs: 0n, data, origLen: data.length, linkType: 1 }, options);
}

function field(packet: DissectedPacket, abbrev: string): string {
  const out: string[] = [];
  const walk = (fields: Field[]) => fields.forEach((f) => { if (f.abbrev === abbrev) out.push(f.text); if (f.children) walk(f.children); });
  packet.layers.forEach((l) => walk(l.fields));
  return out.join(',');
}

test('DTP: TLVs, trunk status and type halves, Info', () => {
  const p = dissect(DTP);
  assert.equal(field(p, 'frame.protocols'), 'eth:llc:dtp');
  assert.equal(p.summary.protocol, 'DTP');
  assert.equal(p.summary.info, 'Dynamic Trunk Protocol');
  assert.equal(field(p, 'dtp.version'), '1');
  assert.equal(field(p, 'dtp.tlv_type'), '0x0001,0x0002,0x0003,0x0004');
  assert.equal(field(p, 'dtp.tlv_len'), '8,5,5,10');
  assert.equal(field(p, 'dtp.domain'), 'lab');
  assert.equal(field(p, 'dtp.tos'), '0x01');
  assert.equal(field(p, 'dtp.tas'), '0x03');
  assert.equal(field(p, 'dtp.tot'), '0x05');
  assert.equal(field(p, 'dtp.tat'), '0x05');
  assert.equal(field(p, 'dtp.senderid'), '00:11:22:33:44:99');
});

test('without a tree the selected DTP fields come out the same', () => {
  const names = ['dtp.domain', 'dtp.tas', 'dtp.senderid', 'frame.protocols'];
  const tree = dissect(DTP);
  const selected = dissect(DTP, { fields: new Set(names), columns: false });
  for (const name of names) assert.equal(field(selected, name), field(tree, name), name);
});
