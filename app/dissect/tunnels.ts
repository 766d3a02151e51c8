/** Tunnels: VXLAN (RFC 7348, UDP 4789 → inner Ethernet) and GRE (RFC 2784/2890 → inner by protocol type). */
import { dissectSafely, hex, LayerBuilder } from './builder';
import type { Dissector } from './dissector';
import { bitPicture } from './format';
import { dissectCmd, ETHERTYPE_CMD } from './cmd';
import { dissectErspanTypeI, ETHERTYPE_ERSPAN_II } from './erspan';
import { ethertypeName } from './link';
import { integerValueText } from '../filter/value-names';
import type { PacketState } from './packet-state';
import { dissectPpp } from './ppp';
import { dissectNhrp, GRE_NHRP } from './nhrp';
import { CDP_PROTOCOL, dissectCdp } from './cdp';
import { dissectWlan } from './wlan';

/** RFC 8086's UDP port for GRE in UDP. */
export const GRE_IN_UDP_PORT = 4754;

/** GRE protocol type of PPP frames (enhanced GRE, RFC 2637). */
const GRE_PPP = 0x880b;

/**
 * Aruba's GRE protocol types 0x8200 to 0x8370 (every 0x10) carry an 802.11 frame without FCS
 * (packet-ieee80211.c registers them with gre.proto); 0x9000, though named ARUBA WLAN, carries
 * nothing tshark dissects.
 */
const GRE_ARUBA_FIRST = 0x8200;
const GRE_ARUBA_LAST = 0x8370;
const GRE_ARUBA_9000 = 0x9000;

/** The rest of Wireshark's gre.proto table: types whose dissectors are the ethertypes' (IPv4, ARP, IPv6, MPLS, ERSPAN). */
const GRE_BY_ETHERTYPE = new Set([0x0800, 0x0806, 0x86dd, 0x8847, 0x8848, ETHERTYPE_ERSPAN_II, 0x22eb, 0x8137, 0x00fe]);

function isArubaWlan(proto: number): boolean {
  return proto >= GRE_ARUBA_FIRST && proto <= GRE_ARUBA_LAST && (proto & 0x0f) === 0;
}

/** Wireshark's GRE names (gre_typevals): the common ones here, the rest from tshark's own table (integerValueText). */
const GRE_TYPE_NAMES: Record<number, string> = { [GRE_PPP]: 'PPP', 0x0800: 'IP', 0x88be: 'ERSPAN', 0x22eb: 'ERSPAN III', 0x8909: 'CiscoMetaData', 0x0000: 'Possible GRE keepalive packet', [GRE_NHRP]: 'NHRP', [CDP_PROTOCOL]: 'CDP (Cisco)',
  0x0806: 'ARP', 0x86dd: 'IPv6', 0x6558: 'Transparent Ethernet bridging', 0x8847: 'MPLS label switched packet', 0x8137: 'IPX' };

/** The protocol type's name in Wireshark's gre_typevals ('Unknown' when it has none): gre.proto, sll.gretype. */
export function greTypeName(proto: number): string {
  if (isArubaWlan(proto) || proto === GRE_ARUBA_9000) return 'ARUBA WLAN';
  return GRE_TYPE_NAMES[proto] ?? integerValueText('gre.proto', proto) ?? 'Unknown';
}

/** The protocol type as Wireshark names it in GRE's Info column. */
function greProtocolName(proto: number): string {
  const name = greTypeName(proto);
  return name === 'Unknown' ? `${hex(proto, 4)} (unknown)` : name;
}

/** The protocol type as GRE's title names it (packet-gre.c: "0x%04X - unknown"). */
function greTitleName(proto: number): string {
  const name = greTypeName(proto);
  return name === 'Unknown' ? `0x${proto.toString(16).toUpperCase().padStart(4, '0')} - unknown` : name;
}

/** VXLAN's flag bits and names, as its Flags item lists those set. */
const VXLAN_FLAGS: ReadonlyArray<[mask: number, name: string]> = [[0x8000, 'GBP Extension'], [0x0800, 'VXLAN Network ID (VNI)'], [0x0040, "Don't Learn"], [0x0008, 'Policy Applied']];

export function dissectVxlan(d: Dissector, p: PacketState, data: Buffer, offset: number, end: number): number | void {
  const b = new LayerBuilder(data, 'vxlan', 'Virtual eXtensible Local Area Network', offset, end, p.selection);
  let ok = false;
  dissectSafely(b, () => {
    b.need(offset, 8, 'VXLAN header');
    const flags = data.readUInt16BE(offset);
    const vni = data.readUIntBE(offset + 4, 3);
    // proto_tree_add_bitmask: the names of the flags set follow the value; booleans without their
    // own true/false words show True and False.
    const set = VXLAN_FLAGS.filter(([mask]) => flags & mask).map(([, name]) => `, ${name}`).join('');
    b.group('vxlan.flags', () => `Flags: ${hex(flags, 4)}${set}`, flags, offset, 2, () => {
      b.add('vxlan.flag_g', () => `${bitPicture(flags, 0x8000, 16)} = GBP Extension: ${(flags & 0x8000) ? 'Defined' : 'Not defined'}`, (flags & 0x8000) !== 0, offset, 2);
      b.add('vxlan.flag_i', () => `${bitPicture(flags, 0x0800, 16)} = VXLAN Network ID (VNI): ${(flags & 0x0800) !== 0 ? 'True' : 'False'}`, (flags & 0x0800) !== 0, offset, 2);
      b.add('vxlan.flag_d', () => `${bitPicture(flags, 0x0040, 16)} = Don't Learn: ${(flags & 0x0040) !== 0 ? 'True' : 'False'}`, (flags & 0x0040) !== 0, offset, 2);
      b.add('vxlan.flag_a', () => `${bitPicture(flags, 0x0008, 16)} = Policy Applied: ${(flags & 0x0008) !== 0 ? 'True' : 'False'}`, (flags & 0x0008) !== 0, offset, 2);
      b.add('vxlan.flags_reserved', () => `${bitPicture(flags, 0x77b7, 16)} = Reserved(R): ${hex(flags & 0x77b7, 4)}`, flags & 0x77b7, offset, 2, () => hex(flags & 0x77b7, 4));
    }, () => hex(flags, 4));
    const gbp = data.readUInt16BE(offset + 2);
    b.add('vxlan.gbp', () => `Group Policy ID: ${gbp}`, gbp, offset + 2, 2);
    b.add('vxlan.vni', () => `VXLAN Network Identifier (VNI): ${vni}`, vni, offset + 4, 3);
    b.add('vxlan.reserved8', () => `Reserved: ${data[offset + 7]}`, data[offset + 7]!, offset + 7, 1);
    b.setLength(8);
    ok = true;
  });
  p.addLayer(b.layer);
  if (!ok) return;
  const eth = d.linkTypes.get(1);
  if (eth) eth(d, p, data, offset + 8, end);
}

export function dissectGre(d: Dissector, p: PacketState, data: Buffer, offset: number, end: number): number | void {
  const b = new LayerBuilder(data, 'gre', 'Generic Routing Encapsulation', offset, end, p.selection);
  let proto = -1;
  let next = -1;
  let sequenced = false;
  dissectSafely(b, () => {
    const fv = b.u16(offset, 'GRE flags');
    proto = b.u16(offset + 2, 'GRE protocol type');
    const hasChecksum = (fv & 0x8000) !== 0;
    const hasRouting = (fv & 0x4000) !== 0;
    const hasKey = (fv & 0x2000) !== 0;
    const hasSeq = (fv & 0x1000) !== 0;
    sequenced = hasSeq;
    const version = fv & 7;
    // Enhanced GRE (RFC 2637, PPTP): an acknowledgment bit, and a key split into payload length and call ID.
    const enhanced = version === 1;
    const hasAck = enhanced && (fv & 0x0080) !== 0;
    b.layer.title = `Generic Routing Encapsulation (${greTitleName(proto)})`;
    b.group('gre.flags_and_version', () => `Flags and Version: ${hex(fv, 4)}`, fv, offset, 2, () => {
      b.add('gre.flags.checksum', () => `${bitPicture(fv, 0x8000, 16)} = Checksum Bit: ${hasChecksum ? 'Yes' : 'No'}`, hasChecksum, offset, 2);
      b.add('gre.flags.routing', () => `${bitPicture(fv, 0x4000, 16)} = Routing Bit: ${hasRouting ? 'Yes' : 'No'}`, hasRouting, offset, 2);
      b.add('gre.flags.key', () => `${bitPicture(fv, 0x2000, 16)} = Key Bit: ${hasKey ? 'Yes' : 'No'}`, hasKey, offset, 2);
      b.add('gre.flags.sequence_number', () => `${bitPicture(fv, 0x1000, 16)} = Sequence Number Bit: ${hasSeq ? 'Yes' : 'No'}`, hasSeq, offset, 2);
      b.add('gre.flags.strict_source_route', () => `${bitPicture(fv, 0x0800, 16)} = Strict Source Route Bit: ${(fv & 0x800) ? 'Yes' : 'No'}`, (fv & 0x800) !== 0, offset, 2);
      b.add('gre.flags.recursion_control', () => `${bitPicture(fv, 0x0700, 16)} = Recursion control: ${(fv >> 8) & 7}`, (fv >> 8) & 7, offset, 2);
      if (enhanced) {
        b.add('gre.flags.ack', () => `${bitPicture(fv, 0x0080, 16)} = Acknowledgment: ${hasAck ? 'Yes' : 'No'}`, hasAck, offset, 2);
        b.add('gre.flags.reserved', () => `${bitPicture(fv, 0x0078, 16)} = Flags (Reserved): ${(fv >> 3) & 0x0f}`, (fv >> 3) & 0x0f, offset, 2);
      } else b.add('gre.flags.reserved', () => `${bitPicture(fv, 0x00f8, 16)} = Flags (Reserved): ${(fv >> 3) & 0x1f}`, (fv >> 3) & 0x1f, offset, 2);
      b.add('gre.flags.version', () => `${bitPicture(fv, 0x0007, 16)} = Version: ${enhanced ? 'Enhanced GRE (1)' : version === 0 ? 'GRE (0)' : version}`, version, offset, 2);
    }, () => hex(fv, 4));
    b.add('gre.proto', () => `Protocol Type: ${greTypeName(proto)} (${hex(proto, 4)})`, proto, offset + 2, 2, () => hex(proto, 4));
    let at = offset + 4;
    if (hasChecksum || hasRouting) {
      const checksum = b.u16(at, 'GRE checksum');
      b.add('gre.checksum', () => `Checksum: ${hex(checksum, 4)}`, checksum, at, 2, () => hex(checksum, 4));
      const greOffset = b.u16(at + 2);
      b.add('gre.offset', () => `Offset: ${greOffset}`, greOffset, at + 2, 2);
      at += 4;
    }
    if (hasKey && enhanced) {
      const payloadLength = b.u16(at, 'GRE payload length');
      const callId = b.u16(at + 2, 'GRE call ID');
      b.add('gre.key.payload_length', () => `Payload Length: ${payloadLength}`, payloadLength, at, 2);
      b.add('gre.key.call_id', () => `Call ID: ${callId}`, callId, at + 2, 2);
      at += 4;
    } else if (hasKey) {
      const key = b.u32(at, 'GRE key');
      b.add('gre.key', () => `Key: ${hex(key, 8)}`, key, at, 4, () => hex(key, 8));
      at += 4;
    }
    if (hasSeq) {
      const seq = b.u32(at, 'GRE sequence number');
      b.add('gre.sequence_number', () => `Sequence Number: ${seq}`, seq, at, 4);
      at += 4;
    }
    if (hasAck) {
      const ack = b.u32(at, 'GRE acknowledgment number');
      b.add('gre.ack_number', () => `Acknowledgment Number: ${ack}`, ack, at, 4);
      at += 4;
    }
    b.setLength(at - offset);
    next = at;
  });
  p.addLayer(b.layer);
  if (next < 0) return;
  // Wireshark's Info for GRE; a dissector of the payload replaces it.
  p.setProtocol('GRE', p.columns ? `Encapsulated ${greProtocolName(proto)}` : '');
  // PPTP's acknowledgment-only packets carry no payload.
  if (next >= end) return;
  if (proto === GRE_PPP) {
    dissectPpp(d, p, data, next, end);
    return;
  }
  // Protocol types only GRE gives these protocols (Wireshark's gre.proto table, not the ethertypes).
  if (proto === GRE_NHRP) {
    dissectNhrp(d, p, data, next, end);
    return;
  }
  if (proto === CDP_PROTOCOL) {
    dissectCdp(d, p, data, next, end);
    return;
  }
  if (isArubaWlan(proto)) {
    dissectWlan(d, p, data, next, end);
    return;
  }
  if (proto === 0x6558) {
    const eth = d.linkTypes.get(1);
    if (eth) eth(d, p, data, next, end);
    return;
  }
  // ERSPAN type I is 0x88be without a GRE sequence number, and has no header of its own.
  if (proto === ETHERTYPE_CMD) {
    dissectCmd(d, p, data, next, end, true);
    return;
  }
  if (proto === ETHERTYPE_ERSPAN_II && !sequenced) {
    dissectErspanTypeI(d, p, data, next, end);
    return;
  }
  if (!GRE_BY_ETHERTYPE.has(proto) || !d.ethertypes.has(proto)) {
    // No dissector for the type in gre.proto (ARUBA WLAN's 0x9000, a VLAN tag, LLDP): packet-gre.c
    // puts the payload's Data in the GRE tree.
    const before = p.layers.length;
    d.data(p, data, next, end);
    for (let k = before; k < p.layers.length; k++) p.layers[k]!.nested = true;
    return;
  }
  d.byEthertype(p, proto, data, next, end);
}

/** Geneve (RFC 8926, UDP 6081): header and options skipped over, payload by protocol type. */
export function dissectGeneve(d: Dissector, p: PacketState, data: Buffer, offset: number, end: number): number | void {
  const b = new LayerBuilder(data, 'geneve', 'Generic Network Virtualization Encapsulation', offset, end, p.selection);
  let next = -1;
  let proto = 0;
  dissectSafely(b, () => {
    const first = b.u8(offset, 'Geneve version');
    const optLen = (first & 0x3f) * 4;
    proto = b.u16(offset + 2, 'Geneve protocol type');
    b.need(offset + 4, 4, 'Geneve VNI');
    b.add('geneve.version', () => `Version: ${first >> 6}`, first >> 6, offset, 1);
    b.add('geneve.option_len', () => `Options length: ${optLen} bytes`, optLen, offset, 1);
    b.add('geneve.proto_type', () => `Protocol Type: ${ethertypeName(proto)} (${hex(proto, 4)})`, proto, offset + 2, 2, () => hex(proto, 4));
    b.add('geneve.vni', () => `Virtual Network Identifier (VNI): ${hex(data.readUIntBE(offset + 4, 3), 6)}`, data.readUIntBE(offset + 4, 3), offset + 4, 3, () => hex(data.readUIntBE(offset + 4, 3), 6));
    b.need(offset + 8, optLen, 'Geneve options');
    b.setLength(8 + optLen);
    next = offset + 8 + optLen;
  });
  p.addLayer(b.layer);
  if (next < 0) return;
  if (proto === 0x6558) d.linkTypes.get(1)?.(d, p, data, next, end);
  else d.byEthertype(p, proto, data, next, end);
}

/** IPsec Authentication Header (RFC 4302, IP protocol 51): skipped over to the protected payload. */
export function dissectAh(d: Dissector, p: PacketState, data: Buffer, offset: number, end: number): number | void {
  const b = new LayerBuilder(data, 'ah', 'Authentication Header', offset, end, p.selection);
  let next = -1;
  let len = 0;
  dissectSafely(b, () => {
    next = b.u8(offset, 'AH next header');
    len = (b.u8(offset + 1, 'AH length') + 2) * 4;
    b.need(offset, len, 'Authentication Header');
    b.add('ah.next_header', () => `Next header: ${next}`, next, offset, 1);
    b.add('ah.length', () => `Length: ${len}`, len, offset + 1, 1);
    const spi = data.readUInt32BE(offset + 4);
    b.add('ah.spi', () => `AH SPI: ${hex(spi, 8)}`, spi, offset + 4, 4, () => hex(spi, 8));
    b.add('ah.sequence', () => `AH Sequence: ${data.readUInt32BE(offset + 8)}`, data.readUInt32BE(offset + 8), offset + 8, 4);
    b.setLength(len);
  });
  p.addLayer(b.layer);
  if (b.layer.status !== 'ok' || next < 0) return;
  d.byIpProtocol(p, next, data, offset + len, end);
}
