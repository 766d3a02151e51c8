/**
 * Slow Protocols (ethertype 0x8809) with LACP: actor and partner information, state bits and their
 * letters, collector, padding, the Info line. Expected values are what tshark 4.0 prints.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Dissector } from './dissector';
import type { DissectedPacket, Field } from './model';

function dissect(hex: string, options?: { fields?: ReadonlySet<string>; columns?: boolean }): DissectedPacket {
  const data = Buffer.from(hex, 'hex');
  return new Dissector().dissect({ number: 1, tsNs: 0n, data, origLen: data.length, linkType: 1 }, options);
}

/** A field's -T fields texts, comma-joined as tshark prints repeated fields. */
function field(packet: DissectedPacket, abbrev: string): string {
  const out: string[] = [];
  const walk = (fields: Field[]) => fields.forEach((f) => { if (f.abbrev === abbrev) out.push(f.text); if (f.children) walk(f.children); });
  packet.layers.forEach((l) => walk(l.fields));
  return out.join(',');
}

/** The same texts from a dissection that builds only the named fields (no tree, no columns). */
function assertSameWithoutTree(hex: string, names: string[]): void {
  const tree = dissect(hex);
  const selected = dissect(hex, { fields: new Set(names), columns: false });
  for (const name of names) assert.equal(field(selected, name), field(tree, name), name);
}

/** LACP: actor state 0x3d, partner state 0x47. */
const LACP = '0180c200000202005e1000018809010101148000001122334400000d00ff00073d0000000214ffff00aabbccdd00000200ff0009470000000310003200000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000';

test('LACP: chain slow:lacp, actor and partner fields, Info', () => {
  const p = dissect(LACP);
  assert.equal(field(p, 'frame.protocols'), 'eth:ethertype:slow:lacp');
  assert.equal(p.summary.protocol, 'LACP');
  assert.equal(p.summary.info, 'v1 ACTOR 00:11:22:33:44:00 P: 7 K: 13 **DCSG*A PARTNER 00:aa:bb:cc:dd:00 P: 9 K: 2 *F***GSA');
  assert.equal(field(p, 'slow.subtype'), '0x01');
  assert.equal(field(p, 'lacp.version'), '0x01');
  assert.equal(field(p, 'lacp.tlv_type'), '0x01,0x02,0x03,0x00');
  assert.equal(field(p, 'lacp.tlv_length'), '0x14,0x14,0x10,0x00');
  assert.equal(field(p, 'lacp.actor.sysid'), '00:11:22:33:44:00');
  assert.equal(field(p, 'lacp.actor.state'), '0x3d');
  assert.equal(field(p, 'lacp.actor.state.synchronization'), '1');
  assert.equal(field(p, 'lacp.partner.state.defaulted'), '1');
  assert.equal(field(p, 'lacp.partner.sys_priority'), '65535');
  assert.equal(field(p, 'lacp.actor.reserved'), '000000');
  assert.equal(field(p, 'lacp.collector.max_delay'), '50');
  assert.equal(field(p, 'lacp.pad'), '00'.repeat(50));
});

test('a Slow Protocols subtype other than LACP is data', () => {
  const p = dissect(LACP.replace(/^(.{28})01/, '$10a'));
  assert.equal(field(p, 'frame.protocols'), 'eth:ethertype:slow:data');
  assert.equal(field(p, 'slow.subtype'), '0x0a');
});

test('without a tree the selected LACP fields come out the same', () => {
  assertSameWithoutTree(LACP, ['slow.subtype', 'lacp.actor.port', 'lacp.partner.state_str', 'lacp.actor.state.activity', 'lacp.pad']);
});
