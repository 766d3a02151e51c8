/**
 * IEEE 802.3 Slow Protocols (ethertype 0x8809): the subtype octet, then LACP (subtype 1, 802.1AX
 * Link Aggregation Control) as tshark 4.0 shows it: actor, partner and collector TLVs with the
 * state bits and their "EFDCSGSA" letters, the terminator and the padding. Other subtypes are data.
 * Info: "v1 ACTOR 00:13:c4:12:0f:00 P: 22 K: 13 E****G*A PARTNER ... ".
 */
import { dissectSafely, hex, LayerBuilder } from './builder';
import type { Dissector } from './dissector';
import { be16, bitPicture, macText } from './format';
import type { PacketState } from './packet-state';

export const ETHERTYPE_SLOW = 0x8809;

const SUBTYPES: Record<number, string> = {
  1: 'LACP', 2: 'Marker Protocol', 3: 'OAM', 10: 'Organization Specific Slow Protocol',
};
const TLV_TYPES: Record<number, string> = { 0: 'Terminator', 1: 'Actor Information', 2: 'Partner Information', 3: 'Collector Information' };

/** State bits from the lowest: field name, label, its words for 0 and 1, and its letter in the state string. */
const STATE_BITS: [string, string, string, string, string][] = [
  ['activity', 'LACP Activity', 'Passive', 'Active', 'A'],
  ['timeout', 'LACP Timeout', 'Long Timeout', 'Short Timeout', 'S'],
  ['aggregation', 'Aggregation', 'Individual', 'Aggregatable', 'G'],
  ['synchronization', 'Synchronization', 'Out of Sync', 'In Sync', 'S'],
  ['collecting', 'Collecting', 'Disabled', 'Enabled', 'C'],
  ['distributing', 'Distributing', 'Disabled', 'Enabled', 'D'],
  ['defaulted', 'Defaulted', 'No', 'Yes', 'F'],
  ['expired', 'Expired', 'No', 'Yes', 'E'],
];

/** The state as Wireshark's letters, highest bit first: "E****G*A". */
export function lacpStateText(state: number): string {
  let s = '';
  for (let bit = 7; bit >= 0; bit--) s += state & (1 << bit) ? STATE_BITS[bit]![4] : '*';
  return s;
}

export function dissectSlow(d: Dissector, p: PacketState, data: Buffer, offset: number, end: number): number | void {
  const b = new LayerBuilder(data, 'slow', 'Slow Protocols', offset, end, p.selection);
  let subtype = -1;
  dissectSafely(b, () => {
    subtype = b.u8(offset, 'subtype');
    b.add('slow.subtype', () => `Slow Protocols subtype: ${SUBTYPES[subtype] ?? 'Unknown'} (${hex(subtype, 2)})`, subtype, offset, 1, () => hex(subtype, 2));
    b.setLength(1);
  });
  p.addLayer(b.layer);
  if (b.layer.status !== 'ok') return;
  p.setProtocol('Slow Protocols', SUBTYPES[subtype] ?? `Unknown subtype = ${subtype}`);
  if (subtype === 1) return dissectLacp(d, p, data, offset + 1, end);
  d.data(p, data, offset + 1, end);
  return end;
}

function dissectLacp(d: Dissector, p: PacketState, data: Buffer, offset: number, end: number): number {
  const b = new LayerBuilder(data, 'lacp', 'Link Aggregation Control Protocol', offset, end, p.selection);
  let info = '';
  let at = offset;
  dissectSafely(b, () => {
    const version = b.u8(offset, 'version');
    b.add('lacp.version', () => `LACP Version: ${hex(version, 2)}`, version, offset, 1, () => hex(version, 2));
    info = `v${version}`;
    at = offset + 1;
    for (const party of ['actor', 'partner'] as const) {
      const title = party === 'actor' ? 'Actor' : 'Partner';
      tlvHeader(b, at);
      b.need(at + 2, 18, `${party} information`);
      const v = at + 2;
      const sysPriority = be16(data, v);
      b.add(`lacp.${party}.sys_priority`, () => `${title} System Priority: ${sysPriority}`, sysPriority, v, 2);
      const system = macText(data, v + 2);
      b.add(`lacp.${party}.sysid`, () => `${title} System${party === 'actor' ? ' ID' : ''}: ${d.macLabel(system)}`, system, v + 2, 6);
      const key = be16(data, v + 8);
      b.add(`lacp.${party}.key`, () => `${title} Key: ${key}`, key, v + 8, 2);
      const portPriority = be16(data, v + 10);
      b.add(`lacp.${party}.port_priority`, () => `${title} Port Priority: ${portPriority}`, portPriority, v + 10, 2);
      const port = be16(data, v + 12);
      b.add(`lacp.${party}.port`, () => `${title} Port: ${port}`, port, v + 12, 2);
      const state = data[v + 14]!;
      const letters = lacpStateText(state);
      stateField(b, party, title, state, v + 14);
      b.add(`lacp.${party}.state_str`, () => `[${title} State Flags: ${letters}]`, letters, v + 14, 1);
      b.add(`lacp.${party}.reserved`, () => `Reserved: ${data.toString('hex', v + 15, v + 18)}`, data.subarray(v + 15, v + 18), v + 15, 3, () => data.toString('hex', v + 15, v + 18));
      info += ` ${party.toUpperCase()} ${system} P: ${port} K: ${key} ${letters}`;
      at += 20;
    }
    tlvHeader(b, at);
    b.need(at + 2, 14, 'collector information');
    const delay = be16(data, at + 2);
    b.add('lacp.collector.max_delay', () => `Collector Max Delay: ${delay}`, delay, at + 2, 2);
    b.add('lacp.coll_reserved', () => `Reserved: ${data.toString('hex', at + 4, at + 16)}`, data.subarray(at + 4, at + 16), at + 4, 12, () => data.toString('hex', at + 4, at + 16));
    at += 16;
    tlvHeader(b, at);
    at += 2;
    b.need(at, 50, 'padding');
    const padAt = at;
    b.addLazy('lacp.pad', () => `Pad: ${data.toString('hex', padAt, padAt + 36)}…`, data.subarray(padAt, padAt + 50), padAt, 50, () => data.toString('hex', padAt, padAt + 50));
    at += 50;
  });
  b.setLength(at - offset);
  p.addLayer(b.layer);
  p.setProtocol('LACP', info);
  return at;
}

function tlvHeader(b: LayerBuilder, at: number): void {
  const type = b.u8(at, 'TLV type');
  const length = b.u8(at + 1, 'TLV length');
  b.add('lacp.tlv_type', () => `TLV Type: ${TLV_TYPES[type] ?? 'Unknown'} (${hex(type, 2)})`, type, at, 1, () => hex(type, 2));
  b.add('lacp.tlv_length', () => `TLV Length: ${hex(length, 2)}`, length, at + 1, 1, () => hex(length, 2));
}

function stateField(b: LayerBuilder, party: string, title: string, state: number, at: number): void {
  if (!b.building) return;
  const set = STATE_BITS.filter((_, bit) => state & (1 << bit)).map((bits) => bits[1]);
  b.group(`lacp.${party}.state`, () => `${title} State: ${hex(state, 2)}${set.length ? ', ' + set.join(', ') : ''}`, state, at, 1, () => {
    STATE_BITS.forEach(([name, label, off, on], bit) => {
      const value = (state & (1 << bit)) !== 0;
      b.add(`lacp.${party}.state.${name}`, () => `${bitPicture(state, 1 << bit, 8)} = ${label}: ${value ? on : off}`, value, at, 1);
    });
  }, () => hex(state, 2));
}
