/**
 * Cisco EIGRP (IP protocol 88, RFC 7868) as tshark 4.0 shows it: the fixed header with its checksum
 * verified, and the TLVs by type and length (Parameters and Software Version decoded). A TLV shorter
 * than its type needs, or running past the packet, makes the layer malformed, as in tshark.
 */
import { dissectSafely, hex, LayerBuilder, StopDissection } from './builder';
import { checksumOk, onesComplementSum } from './checksum';
import type { Dissector } from './dissector';
import type { PacketState } from './packet-state';
import { checksumShouldBe, statusSuffix } from './routing-common';

export const IP_PROTO_EIGRP = 88;
const HEADER_LENGTH = 20;

const OPCODES: Record<number, string> = {
  1: 'Update', 2: 'Request', 3: 'Query', 4: 'Reply', 5: 'Hello', 6: 'IPX/SAP Update', 7: 'Route Probe', 8: 'Hello (Ack)',
  9: 'Stub-Info', 10: 'SIA-Query', 11: 'SIA-Reply',
};
const VRIDS: Record<number, string> = { 0: 'Address-Family', 1: 'Multicast-Family', 0x8000: 'Service-Family' };
const FLAGS: readonly (readonly [string, number, string])[] = [
  ['init', 0x1, 'Init'], ['condrecv', 0x2, 'Conditional Receive'], ['restart', 0x4, 'Restart'], ['eot', 0x8, 'End Of Table'],
];
const TLV_TYPES: Record<number, string> = {
  0x1: 'Parameters', 0x2: 'Authentication', 0x3: 'Sequence', 0x4: 'Software Version', 0x5: 'Next multicast sequence',
  0x6: 'Peer Stub Information', 0x7: 'Peer Termination', 0x8: 'Peer Topology ID List', 0x102: 'Internal Route(IPv4)',
  0x103: 'External Route(IPv4)', 0x104: 'Ext-Community(IPv4)', 0x402: 'Internal Route(IPv6)', 0x403: 'External Route(IPv6)',
  0x404: 'Ext-Community(IPv6)', 0x302: 'IPX Internal Route(IPX)', 0x303: 'IPX External Route(IPX)', 0x202: 'Internal Route(ATALK)',
  0x203: 'External Route(ATALK)', 0x204: 'Cable Configuration(ATALK)', 0xf1: 'Request(MTR)', 0xf2: 'Internal Route(MTR)',
  0xf3: 'External Route(MTR)', 0xf4: 'Ext-Community(MTR)', 0xf5: 'TopologyID List', 0x601: 'Request', 0x602: 'Internal Route',
  0x603: 'External Route', 0x604: 'Ext-Community',
};

/** A 32-bit bit picture, grouped in fours, as Wireshark draws a flag of a 32-bit field. */
function picture32(value: number, mask: number): string {
  const groups: string[] = [];
  for (let g = 7; g >= 0; g--) {
    let s = '';
    for (let bit = g * 4 + 3; bit >= g * 4; bit--) s += mask & (1 << bit) ? (value & (1 << bit) ? '1' : '0') : '.';
    groups.push(s);
  }
  return groups.join(' ');
}

export function dissectEigrp(_d: Dissector, p: PacketState, data: Buffer, offset: number, end: number): void {
  const b = new LayerBuilder(data, 'eigrp', 'Cisco EIGRP', offset, end, p.selection);
  let info = '';
  dissectSafely(b, () => {
    const version = b.u8(offset, 'version');
    const opcode = b.u8(offset + 1, 'opcode');
    info = OPCODES[opcode] ?? `Unknown (0x${opcode.toString(16).padStart(2, '0')})`;
    b.add('eigrp.version', () => `Version: ${version}`, version, offset, 1);
    b.add('eigrp.opcode', () => `Opcode: ${OPCODES[opcode] ?? 'Unknown'} (${opcode})`, opcode, offset + 1, 1);
    const checksum = b.u16(offset + 2, 'checksum');
    let status = 2;
    let computed = 0;
    if (end <= data.length && !p.quoted && (b.wants('eigrp.checksum') || b.wants('eigrp.checksum.status'))) {
      status = checksumOk(data, offset, end) ? 1 : 0;
      computed = ~onesComplementSum(data, offset, end, 0) & 0xffff;
    }
    b.add('eigrp.checksum', () => status === 2 ? `Checksum: ${hex(checksum, 4)} [unverified]` : status === 1
      ? `Checksum: ${hex(checksum, 4)} [correct]` : `Checksum: ${hex(checksum, 4)} incorrect, should be ${hex(checksumShouldBe(checksum, computed), 4)}`,
    checksum, offset + 2, 2, () => hex(checksum, 4));
    b.add('eigrp.checksum.status', () => `[Checksum Status: ${['Bad', 'Good', 'Unverified'][status]}]`, status, offset + 2, 0);
    const flags = b.u32(offset + 4, 'flags');
    const names = FLAGS.filter(([, mask]) => flags & mask).map(([, , name]) => `, ${name}`).join('');
    b.group('eigrp.flags', () => `Flags: ${hex(flags, 8)}${names}`, flags, offset + 4, 4, () => {
      for (const [name, mask, label] of FLAGS) {
        const set = (flags & mask) !== 0;
        b.add(`eigrp.flags.${name}`, () => `${picture32(flags, mask)} = ${label}: ${set ? 'Set' : 'Not set'}`, set, offset + 4, 4);
      }
    }, () => hex(flags, 8));
    const seq = b.u32(offset + 8, 'sequence');
    b.add('eigrp.seq', () => `Sequence: ${seq}`, seq, offset + 8, 4);
    const ack = b.u32(offset + 12, 'acknowledge');
    b.add('eigrp.ack', () => `Acknowledge: ${ack}`, ack, offset + 12, 4);
    if (opcode === 5 && ack !== 0) info = 'Hello (Ack)';
    const vrid = b.u16(offset + 16, 'virtual router ID');
    b.add('eigrp.vrid', () => `Virtual Router ID: ${vrid} (${VRIDS[vrid] ?? 'Unknown'})`, vrid, offset + 16, 2);
    const as = b.u16(offset + 18, 'autonomous system');
    b.add('eigrp.as', () => `Autonomous System: ${as}`, as, offset + 18, 2);
    let at = offset + HEADER_LENGTH;
    const stop = Math.min(end, data.length);
    while (at < stop) at = dissectTlv(b, at);
  });
  p.addLayer(b.layer);
  p.setProtocol('EIGRP', info + statusSuffix(b.layer));
}

/** One TLV; returns where the next begins. Reads past its length stop the dissection (malformed). */
function dissectTlv(b: LayerBuilder, at: number): number {
  const type = b.u16(at, 'TLV type');
  const length = b.u16(at + 2, 'TLV length');
  const name = TLV_TYPES[type] ?? 'Unknown';
  if (length < 4) {
    throw new StopDissection('malformed', `EIGRP TLV length ${length} is shorter than its header`);
  }
  // The TLV's own bytes: a read past them is malformed even when the packet goes on.
  const tlvEnd = at + length;
  const need = (offset: number, n: number, what: string) => {
    if (offset + n > tlvEnd) throw new StopDissection('malformed', `${what} runs past its TLV`);
    b.need(offset, n, what);
  };
  const title = () => {
    if (type === 0x4 && length >= 8) {
      const d = b.data;
      return `Software Version: EIGRP=${d[at + 4]}.${d[at + 5]}, TLV=${d[at + 6]}.${d[at + 7]}`;
    }
    return name;
  };
  b.group('', title, null, at, length, () => {
    b.add('eigrp.tlv_type', () => `Type: ${name} (${hex(type, 4)})`, type, at, 2, () => hex(type, 4));
    b.add('eigrp.tlv.len', () => `Length: ${length}`, length, at + 2, 2);
    if (type === 0x1) {
      need(at + 4, 8, 'Parameters');
      for (let k = 0; k < 6; k++) {
        const v = b.data[at + 4 + k]!;
        b.add(`eigrp.par.k${k + 1}`, () => `K${k + 1}: ${v}`, v, at + 4 + k, 1);
      }
      const hold = b.data.readUInt16BE(at + 10);
      b.add('eigrp.par.holdtime', () => `Hold Time: ${hold}`, hold, at + 10, 2);
    } else if (type === 0x4) {
      need(at + 4, 4, 'Software Version');
      const d = b.data;
      for (const [abbrev, label, k] of [['eigrp.release_version', 'EIGRP Release', 4], ['eigrp.tlv_version', 'EIGRP TLV version', 6]] as const) {
        const text = `${d[at + k]}.${String(d[at + k + 1]).padStart(2, '0')}`;
        b.add(abbrev, () => `${label}: ${text}`, d.readUInt16BE(at + k), at + k, 2);
      }
    }
  });
  return tlvEnd;
}
