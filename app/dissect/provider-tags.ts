/**
 * Tags and encapsulations data-centre and provider bridges put between an Ethernet header and its
 * payload, as tshark 4.0 shows them: 802.1ah provider backbone bridging (I-Tag, ethertype 0x88e7,
 * packet-ieee8021ah.c), Cisco's VN-Tag (0x8926, packet-vntag.c) and Cisco FabricPath (0x8903,
 * packet-cisco-fp-mim.c: a heuristic on Ethernet that takes the whole 16- or 20-byte header, then an
 * Ethernet frame without FCS inside).
 */
import { dissectSafely, hex, LayerBuilder } from './builder';
import type { Dissector } from './dissector';
import { be16, bitPicture, macText } from './format';
import { addExpertTo } from './expert';
import type { PacketState } from './packet-state';
import { addPaddingAndTrailer, dissect8023Payload, dissectEthernet, ethertypeName } from './link';

export const ETHERTYPE_IEEE8021AH = 0x88e7;
export const ETHERTYPE_VNTAG = 0x8926;
export const ETHERTYPE_CISCO_FABRICPATH = 0x8903;

/**
 * An I-Tag's bit fields: the 32-bit TCI drawn from the first byte on, the I-SID over the last
 * three. The subtree is an item of the protocol that called (ieee8021ah, or ieee8021ad for an
 * I-Tag after a B-Tag).
 */
function addITag(b: LayerBuilder, tci: number, offset: number, protocol: 'ieee8021ah' | 'ieee8021ad'): void {
  const isid = tci & 0xffffff;
  b.group(protocol, `I-Tag, I-SID: ${isid}`, null, offset, 4, () => {
    b.add('ieee8021ah.priority', () => `${bitPicture(tci, 0xe0000000, 32)} = Priority: ${tci >>> 29}`, tci >>> 29, offset, 1);
    b.add('ieee8021ah.drop', () => `${bitPicture(tci, 0x10000000, 32)} = DROP: ${(tci >>> 28) & 1}`, (tci >>> 28) & 1, offset, 1);
    b.add('ieee8021ah.nca', () => `${bitPicture(tci, 0x08000000, 32)} = NCA: ${(tci >>> 27) & 1}`, (tci >>> 27) & 1, offset, 1);
    b.add('ieee8021ah.res1', () => `${bitPicture(tci, 0x04000000, 32)} = RES1: ${(tci >>> 26) & 1}`, (tci >>> 26) & 1, offset, 1);
    b.add('ieee8021ah.res2', () => `${bitPicture(tci, 0x03000000, 32)} = RES2: ${(tci >>> 24) & 3}`, (tci >>> 24) & 3, offset, 1);
    b.add('ieee8021ah.isid', () => `${bitPicture(tci, 0xffffff, 32)} = I-SID: ${isid}`, isid, offset + 1, 3);
  });
}

/**
 * 802.1ah I-Tag (ethertype 0x88e7): "IEEE 802.1ah, I-SID: N, C-Src: …, C-Dst: …" over its 18
 * bytes (the tag, the customer's addresses, an ethertype), then that ethertype's payload, whose
 * padding and trailer go under it (ieee8021ah.trailer). tshark 4.0 puts the Type item two bytes
 * into the tag (where the ethertype dissector thinks the type is), not on the type's own bytes.
 */
export function dissectIeee8021ah(d: Dissector, p: PacketState, data: Buffer, offset: number, end: number): number | void {
  const b = new LayerBuilder(data, 'ieee8021ah', 'IEEE 802.1ah', offset, end, p.selection);
  let type = -1;
  dissectSafely(b, () => {
    const tci = b.u32(offset, 'I-Tag');
    const isid = tci & 0xffffff;
    // packet-ieee8021ah.c's columns, for what no later protocol replaces.
    if (p.columns) p.setProtocol('802.1ah', `PRI: ${tci >>> 29}  Drop: ${(tci >>> 28) & 1}  NCA: ${(tci >>> 27) & 1}  Res1: ${(tci >>> 26) & 1}  Res2: ${(tci >>> 24) & 3}  I-SID: ${isid}`);
    b.need(offset + 4, 14, 'I-Tag customer addresses and type');
    type = be16(data, offset + 16);
    if (b.tree) {
      const cdst = macText(data, offset + 4);
      const csrc = macText(data, offset + 10);
      b.title(() => `IEEE 802.1ah, I-SID: ${isid}, C-Src: ${d.macLabel(csrc)}, C-Dst: ${d.macLabel(cdst)}`);
    }
    if (b.building) {
      addITag(b, tci, offset, 'ieee8021ah');
      const cdst = macText(data, offset + 4);
      const csrc = macText(data, offset + 10);
      b.add('ieee8021ah.cdst', () => `C-Destination: ${d.macLabel(cdst)}`, cdst, offset + 4, 6);
      b.add('ieee8021ah.csrc', () => `C-Source: ${d.macLabel(csrc)}`, csrc, offset + 10, 6);
      b.add('ieee8021ah.etype', () => `Type: ${ethertypeName(type)} (${hex(type, 4)})`, type, offset + 2, 2, () => hex(type, 4));
    }
    b.setLength(18);
  });
  p.addLayer(b.layer);
  if (b.layer.status !== 'ok') return;
  p.protocols.push('ethertype');
  const used = d.byEthertype(p, type, data, offset + 18, end);
  if (typeof used !== 'number') return used;
  addPaddingAndTrailer(b, 'ieee8021ah', used, offset, p.frame.origLen);
  return Math.max(used, data.length);
}

/** The customer addresses of an I-Tag at `offset`, as a title's `, I-SID: N, C-Src: …, C-Dst: …`. */
function iTagTitle(d: Dissector, data: Buffer, offset: number, tci: number): string {
  return `, I-SID: ${tci & 0xffffff}, C-Src: ${d.macLabel(macText(data, offset + 10))}, C-Dst: ${d.macLabel(macText(data, offset + 4))}`;
}

function addTci(b: LayerBuilder, tci: number, offset: number, idAbbrev: 'ieee8021ad.id' | 'ieee8021ad.svid' | 'ieee8021ad.cvid'): void {
  b.add('ieee8021ad.priority', () => `${bitPicture(tci, 0xe000, 16)} = Priority: ${tci >> 13}`, tci >> 13, offset, 1);
  b.add('ieee8021ad.dei', () => `${bitPicture(tci, 0x1000, 16)} = DEI: ${(tci >> 12) & 1}`, (tci >> 12) & 1, offset, 1);
  b.add(idAbbrev, () => `${bitPicture(tci, 0xfff, 16)} = ID: ${tci & 0xfff}`, tci & 0xfff, offset, 2);
}

/**
 * 802.1ad service tag (ethertype 0x88a8) as tshark 4.0 decodes it (packet-ieee8021ah.c,
 * "ieee8021ad"): "IEEE 802.1ad, ID: N", priority, DEI and ID as numbers, the type as
 * ieee8021ah.etype, then always an Ethertype (padding and trailer, ieee8021ah.trailer, under it).
 * Two special cases: a second 802.1ad tag (Q-in-Q: "S-VID: N, C-VID: M", both tags in one layer)
 * and an 802.1ah I-Tag (a backbone tag: "IEEE 802.1ah, B-VID: N", its B-Tag and I-Tag in this
 * layer). The layer spans the first tag only, as tshark's item does.
 */
export function dissectIeee8021ad(d: Dissector, p: PacketState, data: Buffer, offset: number, end: number): number | void {
  const b = new LayerBuilder(data, 'ieee8021ad', 'IEEE 802.1ad', offset, end, p.selection);
  let type = -1;
  let payload = offset + 4;
  dissectSafely(b, () => {
    const tci = b.u16(offset, '802.1ad tag');
    const encapsulated = b.u16(offset + 2, '802.1ad ethertype');
    const id = tci & 0xfff;
    if (encapsulated === ETHERTYPE_IEEE8021AH) {
      const itag = offset + 4;
      const itci = b.u32(itag, 'I-Tag');
      b.need(itag + 4, 14, 'I-Tag customer addresses and type');
      type = be16(data, itag + 16);
      payload = itag + 18;
      if (b.tree) b.title(() => `IEEE 802.1ah, B-VID: ${id}${iTagTitle(d, data, itag, itci)}`);
      b.group('ieee8021ad', `B-Tag, B-VID: ${id}`, null, offset, 2, () => addTci(b, tci, offset, 'ieee8021ad.id'));
      if (b.building) {
        addITag(b, itci, itag, 'ieee8021ad');
        const cdst = macText(data, itag + 4);
        const csrc = macText(data, itag + 10);
        b.add('ieee8021ah.cdst', () => `C-Destination: ${d.macLabel(cdst)}`, cdst, itag + 4, 6);
        b.add('ieee8021ah.csrc', () => `C-Source: ${d.macLabel(csrc)}`, csrc, itag + 10, 6);
      }
      b.add('ieee8021ah.etype', () => `Type: ${ethertypeName(type)} (${hex(type, 4)})`, type, itag + 2, 2, () => hex(type, 4));
    } else if (encapsulated === 0x88a8) {
      const ctci = b.u16(offset + 4, '802.1ad inner tag');
      type = b.u16(offset + 6, '802.1ad ethertype');
      payload = offset + 8;
      b.title(`IEEE 802.1ad, S-VID: ${id}, C-VID: ${ctci & 0xfff}`);
      addTci(b, tci, offset, 'ieee8021ad.svid');
      addTci(b, ctci, offset + 4, 'ieee8021ad.cvid');
      b.add('ieee8021ah.etype', () => `Type: ${ethertypeName(type)} (${hex(type, 4)})`, type, offset + 6, 2, () => hex(type, 4));
    } else {
      type = encapsulated;
      b.title(`IEEE 802.1ad, ID: ${id}`);
      addTci(b, tci, offset, 'ieee8021ad.id');
      b.add('ieee8021ah.etype', () => `Type: ${ethertypeName(type)} (${hex(type, 4)})`, type, offset + 2, 2, () => hex(type, 4));
    }
    b.setLength(4);
  });
  p.addLayer(b.layer);
  if (b.layer.status !== 'ok') return;
  p.protocols.push('ethertype');
  const used = d.byEthertype(p, type, data, payload, end);
  if (typeof used !== 'number') return used;
  addPaddingAndTrailer(b, 'ieee8021ad', used, offset, p.frame.origLen, { abbrev: 'ieee8021ah.trailer', label: 'Trailer' });
  return Math.max(used, data.length);
}

const VNTAG_DIRECTIONS = ['To Bridge', 'From Bridge'];
const VNTAG_POINTERS = ['vif_id', 'vif_list_id'];

/**
 * VN-Tag (ethertype 0x8926): four bytes of bit fields (direction, pointer, destination VIF,
 * looped, reserved, version, source VIF), then an ethertype or, up to 1500, an 802.3 length with
 * LLC after it; padding and trailer under VN-Tag (vntag.trailer) when it is the innermost tag.
 */
export function dissectVntag(d: Dissector, p: PacketState, data: Buffer, offset: number, end: number): number | void {
  const b = new LayerBuilder(data, 'vntag', 'VN-Tag', offset, end, p.selection);
  let type = -1;
  dissectSafely(b, () => {
    const tag = b.u32(offset, 'VN-Tag');
    if (p.columns) p.setProtocol('VNTAG', '');
    if (b.building) {
      const dir = (tag & 0x80000000) !== 0;
      const ptr = (tag & 0x40000000) !== 0;
      const looped = (tag & 0x8000) !== 0;
      b.add('vntag.dir', () => `${bitPicture(tag, 0x80000000, 32)} = Direction: ${VNTAG_DIRECTIONS[dir ? 1 : 0]}`, dir, offset, 4);
      b.add('vntag.ptr', () => `${bitPicture(tag, 0x40000000, 32)} = Pointer: ${VNTAG_POINTERS[ptr ? 1 : 0]}`, ptr, offset, 4);
      b.add('vntag.dst', () => `${bitPicture(tag, 0x3fff0000, 32)} = Destination: ${(tag >>> 16) & 0x3fff}`, (tag >>> 16) & 0x3fff, offset, 4);
      b.add('vntag.looped', () => `${bitPicture(tag, 0x8000, 32)} = Looped: ${looped ? 'Yes' : 'No'}`, looped, offset, 4);
      b.add('vntag.r', () => `${bitPicture(tag, 0x4000, 32)} = Reserved: ${(tag >>> 14) & 1}`, (tag >>> 14) & 1, offset, 4);
      b.add('vntag.version', () => `${bitPicture(tag, 0x3000, 32)} = Version: ${(tag >>> 12) & 3}`, (tag >>> 12) & 3, offset, 4);
      b.add('vntag.src', () => `${bitPicture(tag, 0xfff, 32)} = Source: ${tag & 0xfff}`, tag & 0xfff, offset, 4);
    }
    type = b.u16(offset + 4, 'VN-Tag ethertype');
    b.setLength(4);
  });
  p.addLayer(b.layer);
  if (b.layer.status !== 'ok') return;
  let used: number | void;
  if (type <= 1500) {
    // dissect_802_3: the length, LLC (or Novell's raw IPX) over that many bytes, the rest a trailer.
    const item = b.add('vntag.len', () => `Length: ${type}`, type, offset + 4, 2);
    const available = Math.min(end, data.length) - (offset + 6);
    if (type > available && end <= data.length) {
      addExpertTo(b, item, 'vntag.len.past_end', 'Error', 'Malformed', 'Length field value goes past the end of the payload', 'VN-Tag');
    }
    used = Math.min(offset + 6 + type, end);
    dissect8023Payload(d, p, data, offset + 6, used);
  } else {
    b.add('vntag.etype', () => `Type: ${ethertypeName(type)} (${hex(type, 4)})`, type, offset + 4, 2, () => hex(type, 4));
    p.protocols.push('ethertype');
    used = d.byEthertype(p, type, data, offset + 6, end);
  }
  if (typeof used !== 'number') return used;
  addPaddingAndTrailer(b, 'vntag', used, offset, p.frame.origLen);
  return Math.max(used, data.length);
}

/**
 * packet-cisco-fp-mim.c's heuristic on an Ethernet frame: the FabricPath ethertype where Ethernet's
 * type is, or after an 802.1Q/802.1ad tag. The header's length (16 or 20), or 0 when it is not one.
 */
export function fabricPathHeaderLength(data: Buffer, offset: number): number {
  if (offset + 14 > data.length) return 0;
  const type = be16(data, offset + 12);
  if (type === ETHERTYPE_CISCO_FABRICPATH) return 16;
  if ((type === 0x88a8 || type === 0x8100) && offset + 18 <= data.length && be16(data, offset + 16) === ETHERTYPE_CISCO_FABRICPATH) return 20;
  return 0;
}

const UL_LABELS = ['Globally unique address (factory default)', 'Locally administered address (this is NOT the factory default)'];
const IG_LABELS = ['Individual address (unicast)', 'Group address (multicast/broadcast)'];
const OOODL_LABELS = ['Deliver in order (If DA) or Learn (If SA)', 'Out of order delivery (If DA) or Do not learn (If SA)'];

/** A hierarchical MAC as FabricPath writes it: switch ID, sub-switch ID and local ID, `ebf.4e.521d`. */
function hmacText(data: Buffer, at: number): string {
  const swid = ((data[at + 1]! << 8) | data[at + 2]!) & 0xfff;
  return `${swid.toString(16).padStart(3, '0')}.${hex2(data[at + 3]!)}.${be16(data, at + 4).toString(16).padStart(4, '0')}`;
}

function hex2(n: number): string {
  return n.toString(16).padStart(2, '0');
}

/** fp_add_hmac: the bit fields of a hierarchical MAC's first three bytes, then its sub-switch and local IDs. */
function addHmac(b: LayerBuilder, at: number): void {
  const data = b.data;
  const bits = (data[at]! << 16) | (data[at + 1]! << 8) | data[at + 2]!;
  // tshark 4.0 hands the End Node ID's value, already shifted down, to a field masked with
  // 0xfcc000: what it shows is always 0.
  b.add('cfp.eid', '0000 00.. 00.. .... .... .... = End Node ID: 0 (0x000)', 0, at, 3);
  const ul = (bits & 0x020000) !== 0;
  const ig = (bits & 0x010000) !== 0;
  const ooodl = (bits & 0x001000) !== 0;
  b.add('cfp.ul', () => `${bitPicture(bits, 0x020000, 24)} = U/L bit: ${UL_LABELS[ul ? 1 : 0]}`, ul, at, 3);
  b.add('cfp.ig', () => `${bitPicture(bits, 0x010000, 24)} = I/G bit: ${IG_LABELS[ig ? 1 : 0]}`, ig, at, 3);
  b.add('cfp.ooodl', () => `${bitPicture(bits, 0x001000, 24)} = OOO/DL Bit: ${OOODL_LABELS[ooodl ? 1 : 0]}`, ooodl, at, 3);
  const swid = bits & 0xfff;
  b.add('cfp.swid', () => `${bitPicture(bits, 0xfff, 24)} = switch-id: ${swid} (0x${swid.toString(16).padStart(3, '0')})`, swid, at, 3);
  const sswid = data[at + 3]!;
  b.add('cfp.sswid', () => `sub-switch-id: ${sswid} (0x${hex2(sswid)})`, sswid, at + 3, 1);
  const lid = be16(data, at + 4);
  b.add('cfp.lid', () => `Source LID: ${lid} (0x${lid.toString(16).padStart(4, '0')})`, lid, at + 4, 2);
}

/**
 * Cisco FabricPath MiM (its heuristic matched, fabricPathHeaderLength): outer hierarchical
 * addresses (a group destination shown as an Ethernet address), the FP tag (FTAG, TTL), the FCS
 * at the frame's end, then the Ethernet frame inside, without that FCS. tshark lists "eth" in
 * frame.protocols before "cfp" but shows no outer Ethernet tree.
 */
export function dissectFabricPath(d: Dissector, p: PacketState, data: Buffer, offset: number, end: number, headerLength: number): number | void {
  p.protocols.push('eth');
  // packet-eth.c queues its tap before it tries the heuristics: the outer addresses are an
  // Ethernet conversation too.
  const event = p.tap('eth', '', '');
  if (event !== null) {
    event.data = data;
    event.srcAt = offset + 6;
    event.dstAt = offset;
  }
  const b = new LayerBuilder(data, 'cfp', 'Cisco FabricPath', offset, end, p.selection);
  dissectSafely(b, () => {
    b.need(offset, headerLength, 'FabricPath header');
    if (p.columns) p.setProtocol('FabricPath', 'Cisco FabricPath MiM Encapsulated Frame');
    const multicast = (data[offset]! & 0x01) !== 0;
    const src = hmacText(data, offset + 6);
    const dst = multicast ? macText(data, offset) : hmacText(data, offset);
    if (b.tree) b.title(`Cisco FabricPath, Src: ${src}, Dst: ${multicast ? d.macLabel(dst) : dst}`);
    if (multicast) {
      b.add('cfp.d_hmac_mc', () => `MC Destination: ${d.macLabel(dst)}`, dst, offset, 6);
    } else {
      b.group('cfp.d_hmac', `Destination: ${dst}`, null, offset, 6, () => addHmac(b, offset));
    }
    b.group('cfp.s_hmac', `Source: ${src}`, null, offset + 6, 6, () => addHmac(b, offset + 6));
    let at = offset + 12;
    if (headerLength === 20) {
      const outer = be16(data, at);
      const tci = be16(data, at + 2);
      b.add('cfp.1ad.etype', () => `IEEE 802.1ad Ethertype: ${ethertypeName(outer)} (${hex(outer, 4)})`, outer, at, 2, () => hex(outer, 4));
      b.add('cfp.1ad.priority', () => `${bitPicture(tci, 0xe000, 16)} = Priority: ${tci >> 13}`, tci >> 13, at + 2, 2);
      b.add('cfp.1ad.dei', () => `${bitPicture(tci, 0x1000, 16)} = DEI: ${(tci >> 12) & 1}`, (tci >> 12) & 1, at + 2, 2);
      b.add('cfp.1ad.id', () => `${bitPicture(tci, 0xfff, 16)} = ID: ${tci & 0xfff}`, tci & 0xfff, at + 2, 2);
      at += 4;
    }
    b.add('cfp.etype', () => `FP Ethertype: ${ethertypeName(ETHERTYPE_CISCO_FABRICPATH)} (0x8903)`, ETHERTYPE_CISCO_FABRICPATH, at, 2, '0x8903');
    const tag = be16(data, at + 2);
    b.add('cfp.ftag', () => `${bitPicture(tag, 0xffc0, 16)} = FTAG: ${tag >> 6}`, tag >> 6, at + 2, 2);
    b.add('cfp.ttl', () => `${bitPicture(tag, 0x3f, 16)} = TTL: ${tag & 0x3f}`, tag & 0x3f, at + 2, 2);
    const fcsAt = end - 4;
    if (fcsAt >= offset && fcsAt + 4 <= data.length) {
      const fcs = data.readUInt32BE(fcsAt);
      b.add('cfp.fcs', () => `Frame check sequence: ${hex(fcs, 8)} [unverified]`, fcs, fcsAt, 4, () => hex(fcs, 8));
      b.add('cfp.fcs.status', '[FCS status: Unverified]', 2, fcsAt, 0);
    }
    b.setLength(headerLength);
  });
  p.addLayer(b.layer);
  if (b.layer.status !== 'ok') return;
  dissectEthernet(d, p, data, offset + headerLength, Math.max(offset + headerLength, end - 4), false);
  return end;
}
