/**
 * Spanning Tree BPDUs (IEEE 802.1D STP, 802.1w RSTP, 802.1s MSTP, 802.1aq SPB; Cisco PVST+ with its
 * originating-VLAN TLV), reached from LLC SAP 0x42 or SNAP Cisco PID 0x010b, as tshark 4.0 shows
 * them: one protocol "stp" whose MSTP part uses the mstp.* names, and an Info line such as
 * "RST. Root = 32768/1/00:19:06:ea:b8:80  Cost = 0  Port = 0x800c".
 */
import { dissectSafely, hex, LayerBuilder, StopDissection } from './builder';
import type { Dissector } from './dissector';
import { be16, be32, bitPicture, macText } from './format';
import type { PacketState } from './packet-state';
import { statusSuffix } from './routing-common';

const TYPE_CONFIG = 0x00;
const TYPE_TCN = 0x80;
const TYPE_RST = 0x02;

const VERSIONS: Record<number, string> = { 0: 'Spanning Tree', 2: 'Rapid Spanning Tree', 3: 'Multiple Spanning Tree', 4: 'Shortest Path Tree' };
const TYPES: Record<number, string> = { 0x00: 'Configuration', 0x80: 'Topology Change Notification', 0x02: 'Rapid/Multiple Spanning Tree' };
const ROLES: Record<number, string> = { 1: 'Alternate or Backup', 2: 'Root', 3: 'Designated' };
const INFO_PREFIX: Record<number, string> = { 3: 'MST. ', 4: 'SPT. ' };

/** The BPDU flags octet: RSTP and later name every bit, 802.1D only TC and TC-ack. */
const FLAG_BITS: [string, number, string][] = [
  ['stp.flags.tcack', 0x80, 'Topology Change Acknowledgment'],
  ['stp.flags.agreement', 0x40, 'Agreement'],
  ['stp.flags.forwarding', 0x20, 'Forwarding'],
  ['stp.flags.learning', 0x10, 'Learning'],
  ['stp.flags.port_role', 0x0c, 'Port Role'],
  ['stp.flags.proposal', 0x02, 'Proposal'],
  ['stp.flags.tc', 0x01, 'Topology Change'],
];

function flagsSummary(flags: number, rapid: boolean): string {
  let s = '';
  for (const [abbrev, mask, name] of FLAG_BITS) {
    if (!rapid && mask !== 0x80 && mask !== 0x01) continue;
    if (abbrev === 'stp.flags.port_role') s += `, Port Role: ${ROLES[(flags >> 2) & 3] ?? 'Unknown'}`;
    else if (flags & mask) s += `, ${name}`;
  }
  return s;
}

function addFlags(b: LayerBuilder, abbrev: string, title: string, flags: number, at: number, rapid: boolean): void {
  if (!b.building) return;
  b.group(abbrev, () => `${title}: ${hex(flags, 2)}${flagsSummary(flags, rapid)}`, flags, at, 1, () => {
    for (const [name, mask, label] of FLAG_BITS) {
      if (!rapid && mask !== 0x80 && mask !== 0x01) continue;
      if (mask === 0x0c) {
        const role = (flags >> 2) & 3;
        b.add(name, () => `${bitPicture(flags, mask, 8)} = ${label}: ${ROLES[role] ?? 'Unknown'} (${role})`, role, at, 1);
      } else {
        const set = (flags & mask) !== 0;
        b.add(name, () => `${bitPicture(flags, mask, 8)} = ${label}: ${set ? 'Yes' : 'No'}`, set, at, 1);
      }
    }
  }, () => hex(flags, 2));
}

/** A bridge identifier: 4-bit priority (in units of 4096), 12-bit system ID extension, MAC address. */
function bridgeId(d: Dissector, b: LayerBuilder, prefix: string, title: string, names: [string, string, string], at: number): { prio: number; ext: number; mac: string } {
  const word = be16(b.data, at);
  const prio = word & 0xf000;
  const ext = word & 0x0fff;
  const mac = macText(b.data, at + 2);
  b.group('', () => `${title}: ${prio} / ${ext} / ${mac}`, null, at, 8, () => {
    b.add(`${prefix}.prio`, () => `${names[0]}: ${prio}`, prio, at, 1);
    b.add(`${prefix}.ext`, () => `${names[1]}: ${ext}`, ext, at, 2);
    b.add(`${prefix}.hw`, () => `${names[2]}: ${d.macLabel(mac)}`, mac, at + 2, 6);
  });
  return { prio, ext, mac };
}

const seconds = (v: number) => v / 256;

export function dissectStp(d: Dissector, p: PacketState, data: Buffer, offset: number, end: number): number | void {
  const b = new LayerBuilder(data, 'stp', 'Spanning Tree Protocol', offset, end, p.selection);
  let info = '';
  dissectSafely(b, () => {
    // Wireshark reads the header up to the port identifier (the Info line) before it adds a field.
    const type = b.u8(offset + 3, 'BPDU type');
    if (type === TYPE_CONFIG || type === TYPE_RST) b.need(offset, 27, 'BPDU');
    const protocol = b.u16(offset, 'protocol identifier');
    b.add('stp.protocol', () => `Protocol Identifier: ${protocol === 0 ? 'Spanning Tree Protocol' : 'Unknown'} (${hex(protocol, 4)})`, protocol, offset, 2, () => hex(protocol, 4));
    const version = b.u8(offset + 2, 'protocol version');
    b.add('stp.version', () => `Protocol Version Identifier: ${VERSIONS[version] ?? 'Unknown'} (${version})`, version, offset + 2, 1);
    b.add('stp.type', () => `BPDU Type: ${TYPES[type] ?? 'Unknown'} (${hex(type, 2)})`, type, offset + 3, 1, () => hex(type, 2));
    if (type === TYPE_TCN) {
      info = 'Topology Change Notification';
      b.setLength(4);
      return;
    }
    if (type !== TYPE_CONFIG && type !== TYPE_RST) {
      info = `Unknown BPDU type (${type})`;
      b.setLength(4);
      return;
    }
    const rapid = type === TYPE_RST;
    const flags = b.u8(offset + 4, 'BPDU flags');
    addFlags(b, 'stp.flags', 'BPDU flags', flags, offset + 4, rapid);
    b.need(offset + 5, 8, 'root identifier');
    const root = bridgeId(d, b, 'stp.root', 'Root Identifier', ['Root Bridge Priority', 'Root Bridge System ID Extension', 'Root Bridge System ID'], offset + 5);
    const cost = b.u32(offset + 13, 'root path cost');
    b.add('stp.root.cost', () => `Root Path Cost: ${cost}`, cost, offset + 13, 4);
    b.need(offset + 17, 8, 'bridge identifier');
    bridgeId(d, b, 'stp.bridge', 'Bridge Identifier', ['Bridge Priority', 'Bridge System ID Extension', 'Bridge System ID'], offset + 17);
    const port = b.u16(offset + 25, 'port identifier');
    b.add('stp.port', () => `Port identifier: ${hex(port, 4)}`, port, offset + 25, 2, () => hex(port, 4));
    const prefix = rapid ? INFO_PREFIX[version] ?? 'RST. ' : 'Conf. ';
    info = `${prefix}${flags & 0x01 ? 'TC + ' : ''}Root = ${root.prio}/${root.ext}/${root.mac}  Cost = ${cost}  Port = ${hex(port, 4)}`;
    const times: [string, string][] = [['stp.msg_age', 'Message Age'], ['stp.max_age', 'Max Age'], ['stp.hello', 'Hello Time'], ['stp.forward', 'Forward Delay']];
    times.forEach(([abbrev, label], i) => {
      const v = seconds(b.u16(offset + 27 + 2 * i, label));
      b.add(abbrev, () => `${label}: ${v}`, v, offset + 27 + 2 * i, 2);
    });
    let at = offset + 35;
    if (rapid) {
      const v1 = b.u8(at, 'version 1 length');
      b.add('stp.version_1_length', () => `Version 1 Length: ${v1}`, v1, at, 1);
      at++;
      if (version >= 3 && at + 2 <= Math.min(end, data.length)) at = dissectMst(d, b, version, at, end);
    }
    // PVST+ TLVs follow a 36-byte BPDU (a Configuration BPDU is padded by one byte).
    const tlvStart = rapid ? at : offset + 36;
    const tlvEnd = dissectPvstTlvs(b, tlvStart, end);
    if (tlvEnd > tlvStart) at = tlvEnd;
    b.setLength(at - offset);
  });
  // A BPDU whose header read failed has no item of its own in Wireshark's tree (only the exception).
  if (b.layer.status !== 'ok' && b.layer.fields.length === 0) b.layer.title = '';
  p.addLayer(b.layer);
  p.setProtocol('STP', info + statusSuffix(b.layer));
  return offset + b.layer.length;
}

/** Cisco PVST+ appends TLVs (type 0: the originating VLAN) after the BPDU. */
function dissectPvstTlvs(b: LayerBuilder, at: number, end: number): number {
  const stop = Math.min(end, b.data.length);
  while (at + 4 <= stop) {
    const type = be16(b.data, at);
    const length = be16(b.data, at + 2);
    if (type !== 0 || length !== 2 || at + 6 > stop) break;
    const vlan = be16(b.data, at + 4);
    const tlvAt = at;
    b.group('', () => `Originating VLAN (PVID): ${vlan}`, null, at, 6, () => {
      b.add('stp.pvst.tlvtype', () => `Type: Originating VLAN (${hex(type, 4)})`, type, tlvAt, 2, () => hex(type, 4));
      b.add('stp.pvst.tlvlen', () => `Length: ${length}`, length, tlvAt + 2, 2);
      b.add('stp.pvst.origvlan', () => `Originating VLAN: ${vlan}`, vlan, tlvAt + 4, 2);
    });
    at += 6;
  }
  return at;
}

const MST_CONFIG = 64;
const MSTI_SIZE = 16;

/**
 * MSTP (version 3) and SPB (version 4) parts after the RSTP BPDU; returns where they end. As
 * packet-bpdu.c: the version 3 part under an "MST Extension" item, each MSTI configuration message
 * under its own ("MSTID n, Regional Root Identifier priority / MAC").
 */
function dissectMst(d: Dissector, b: LayerBuilder, version: number, at: number, end: number): number {
  const data = b.data;
  const v3 = b.u16(at, 'version 3 length');
  // Wireshark claims the whole version 3 part first: one not captured stops the BPDU here (as
  // truncated even when the 802.3 length is shorter still).
  if (at + 2 + v3 > b.data.length) throw new StopDissection('truncated', 'MST extension was not captured (snap length)');
  b.need(at + 2, v3, 'MST extension');
  b.add('mstp.version_3_length', () => `Version 3 Length: ${v3}`, v3, at, 2);
  at += 2;
  const v3End = at + v3;
  b.need(at, MST_CONFIG, 'MST configuration');
  b.group('', 'MST Extension', null, at, v3, () => {
    configId(b, 'MST', at);
    const cistCost = be32(data, at + 51);
    b.add('mstp.cist_internal_root_path_cost', () => `CIST Internal Root Path Cost: ${cistCost}`, cistCost, at + 51, 4);
    bridgeId(d, b, 'mstp.cist_bridge', 'CIST Bridge Identifier', ['CIST Bridge Priority', 'CIST Bridge Identifier System ID Extension', 'CIST Bridge Identifier System ID'], at + 55);
    const hops = data[at + 63]!;
    b.add('mstp.cist_remaining_hops', () => `CIST Remaining hops: ${hops}`, hops, at + 63, 1);
    for (let m = at + MST_CONFIG; m + MSTI_SIZE <= v3End; m += MSTI_SIZE) msti(d, b, m);
  });
  // Where the last whole MSTI message ends (the part after the configuration may end in a partial one).
  const msgs = at + MST_CONFIG;
  at = msgs + MSTI_SIZE * Math.max(0, Math.floor((v3End - msgs) / MSTI_SIZE));
  if (version < 4 || at + 2 > Math.min(end, data.length)) return at;
  const v4 = be16(data, at);
  b.add('mstp.version_4_length', () => `Version 4 Length: ${v4}`, v4, at, 2);
  at += 2;
  if (at + 51 > Math.min(end, data.length)) return at;
  configId(b, 'SPT', at);
  return at + v4;
}

/** One MSTI configuration message (16 bytes) under its own item. */
function msti(d: Dissector, b: LayerBuilder, at: number): void {
  const data = b.data;
  b.need(at, MSTI_SIZE, 'MSTI configuration message');
  const word = be16(data, at + 1);
  const prio = word >> 12;
  const rootHw = macText(data, at + 3);
  b.group('', () => `MSTID ${word & 0xfff}, Regional Root Identifier ${prio << 12} / ${rootHw}`, null, at, MSTI_SIZE, () => {
    addFlags(b, 'mstp.msti.flags', 'MSTI flags', data[at]!, at, true);
    b.add('mstp.msti.priority', () => `${bitPicture(prio, 0xf, 4)} .... = Priority: 0x${prio.toString(16)}`, prio, at + 1, 1, () => hex(prio, 2));
    b.add('mstp.msti.msti_id', () => `${bitPicture(word, 0x0fff, 16)} = MSTID: ${word & 0xfff}`, word & 0xfff, at + 1, 2);
    b.add('mstp.msti.root.hw', () => `Regional Root: ${d.macLabel(rootHw)}`, rootHw, at + 3, 6);
    const cost = be32(data, at + 9);
    b.add('mstp.msti.root_cost', () => `Internal root path cost: ${cost}`, cost, at + 9, 4);
    const bridgePrio = data[at + 13]! >> 4;
    b.add('mstp.msti.bridge_priority', () => `Bridge Identifier Priority: ${bridgePrio}`, bridgePrio, at + 13, 1);
    const portPrio = data[at + 14]! >> 4;
    b.add('mstp.msti.port_priority', () => `Port identifier priority: ${portPrio}`, portPrio, at + 14, 1);
    const remaining = data[at + 15]!;
    b.add('mstp.msti.remaining_hops', () => `Remaining hops: ${remaining}`, remaining, at + 15, 1);
  });
}

/** An MST (or SPT) configuration identifier: format selector, 32-byte name, revision, 16-byte digest. */
function configId(b: LayerBuilder, kind: 'MST' | 'SPT', at: number): void {
  const data = b.data;
  const selector = data[at]!;
  b.add('mstp.config_format_selector', () => `${kind} Config ID format selector: ${selector}`, selector, at, 1);
  let nameEnd = at + 1;
  while (nameEnd < at + 33 && data[nameEnd] !== 0) nameEnd++;
  const name = data.toString('latin1', at + 1, nameEnd);
  b.add('mstp.config_name', () => `${kind} Config name: ${name}`, name, at + 1, 32);
  const revision = be16(data, at + 33);
  b.add('mstp.config_revision_level', () => `${kind} Config revision: ${revision}`, revision, at + 33, 2);
  b.add('mstp.config_digest', () => `${kind} Config digest: ${data.toString('hex', at + 35, at + 51)}`, data.subarray(at + 35, at + 51), at + 35, 16, () => data.toString('hex', at + 35, at + 51));
}
