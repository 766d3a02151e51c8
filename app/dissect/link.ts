/**
 * Link layers: Ethernet II (and 802.3 length frames), 802.1Q / 802.1ad VLAN tags, Linux cooked
 * capture v1 and v2 (SLL, SLL2), BSD loopback/null and raw IP.
 */
import { dissectSafely, hex, LayerBuilder, stopped } from './builder';
import type { Dissector } from './dissector';
import { be16, bitPicture, bytesHex, bytesLabelHex, ipv4Text, macText } from './format';
import type { PacketState } from './packet-state';
import { dissectLlc } from './llc';
import { dissectIpx } from './ipx';
import { addExpert, addExpertTo } from './expert';
import { ouiVendor } from './names';
import { hardwareTypeText } from './arp';
import { greTypeName } from './tunnels';
import { integerValueText } from '../filter/value-names';
import { dissectFabricPath, fabricPathHeaderLength } from './provider-tags';

const ETHERTYPE_NAMES: Record<number, string> = {
  0x0800: 'IPv4', 0x0806: 'ARP', 0x86dd: 'IPv6', 0x8100: '802.1Q Virtual LAN', 0x88a8: '802.1ad Provider Bridge (Q-in-Q)',
  0x8035: 'RARP', 0x6558: 'Transparent Ethernet bridging', 0x8847: 'MPLS label switched packet', 0x8848: 'MPLS multicast label switched packet', 0x888e: '802.1X Authentication',
  0x88cc: '802.1 Link Layer Discovery Protocol (LLDP)', 0x8864: 'PPPoE Session', 0x8863: 'PPPoE Discovery',
  0x88a2: 'ATA over Ethernet', 0x6003: 'DEC DNA Routing', 0x9000: 'Loopback', 0x8947: 'GeoNetworking',
};

export function ethertypeName(type: number): string {
  return ETHERTYPE_NAMES[type] ?? integerValueText('eth.type', type) ?? 'Unknown';
}

const MAC_FIELDS = {
  dst: { label: 'Destination', abbrev: 'eth.dst', resolved: 'eth.dst_resolved', oui: 'eth.dst.oui', ouiResolved: 'eth.dst.oui_resolved', lg: 'eth.dst.lg', ig: 'eth.dst.ig' },
  src: { label: 'Source', abbrev: 'eth.src', resolved: 'eth.src_resolved', oui: 'eth.src.oui', ouiResolved: 'eth.src.oui_resolved', lg: 'eth.src.lg', ig: 'eth.src.ig' },
} as const;

/**
 * Adds an Ethernet address with the children Wireshark puts under it (addr, lg, ig bits); returns
 * its text ('' when `needText` is false: nobody reads it).
 */
function macField(d: Dissector, b: LayerBuilder, which: 'dst' | 'src', offset: number, needText: boolean): string {
  const data = b.data;
  const text = needText ? macText(data, offset) : '';
  if (!b.building) return text;
  const shown = d.macLabel(text);
  const names = MAC_FIELDS[which];
  const label = names.label;
  const first = data[offset]!;
  const lg = (first & 0x02) !== 0;
  const ig = (first & 0x01) !== 0;
  const oui = (first << 16) | (data[offset + 1]! << 8) | data[offset + 2]!;
  b.group(names.abbrev, () => `${label}: ${shown}`, text, offset, 6, () => {
    if (which === 'src' && ig) addExpert(b, 'eth.src_not_group', 'Warning', 'Protocol', 'Source MAC must not be a group address: IEEE 802.3-2002, Section 3.2.3(b)', offset, 6, 'Ethernet');
    // The hidden *_resolved fields: the name the address resolves to (itself without MAC name
    // resolution) and the manufacturer of its OUI when Wireshark's manuf file knows it.
    const resolved = d.macName === undefined ? text : d.macName(text);
    const vendor = b.wants(names.ouiResolved) || b.wants('eth.addr.oui_resolved') ? ouiVendor(oui) : undefined;
    // BASE_OUI: the three bytes and the manufacturer, in a 32-byte buffer (31 characters at most).
    const ouiText = (): string => (vendor === undefined ? text.slice(0, 8) : `${text.slice(0, 8)} (${vendor})`.slice(0, 31));
    b.add(names.resolved, () => `${label} (resolved): ${resolved}`, resolved, offset, 6).hidden = true;
    b.add(names.oui, () => `${label} OUI: ${ouiText()}`, oui, offset, 3).hidden = true;
    if (vendor !== undefined) b.add(names.ouiResolved, () => `${label} OUI (resolved): ${vendor}`, vendor, offset, 6).hidden = true;
    b.add('eth.addr', () => `Address: ${shown}`, text, offset, 6);
    b.add('eth.addr_resolved', () => `Address (resolved): ${resolved}`, resolved, offset, 6).hidden = true;
    b.add('eth.addr.oui', () => `Address OUI: ${ouiText()}`, oui, offset, 3).hidden = true;
    if (vendor !== undefined) b.add('eth.addr.oui_resolved', () => `Address OUI (resolved): ${vendor}`, vendor, offset, 6).hidden = true;
    const lgLabel = lg ? LG_LABELS[1]! : LG_LABELS[0]!;
    const igLabel = ig ? IG_LABELS[1]! : IG_LABELS[0]!;
    b.add(names.lg, lgLabel, lg, offset, 3);
    b.add('eth.lg', lgLabel, lg, offset, 3).hidden = true;
    b.add(names.ig, igLabel, ig, offset, 3);
    b.add('eth.ig', igLabel, ig, offset, 3).hidden = true;
  }, text);
  return text;
}

const LG_LABELS = [
  '.... ..0. .... .... .... .... = LG bit: Globally unique address (factory default)',
  '.... ..1. .... .... .... .... = LG bit: Locally administered address (this is NOT the factory default)',
];
const IG_LABELS = [
  '.... ...0 .... .... .... .... = IG bit: Individual address (unicast)',
  '.... ...1 .... .... .... .... = IG bit: Group address (multicast/broadcast)',
];

/**
 * Wireshark gives bytes after the network layer's own length to the link layer: up to the
 * 60-byte minimum frame they are padding, beyond it a trailer.
 */
export function addPaddingAndTrailer(b: LayerBuilder, prefix: string, usedEnd: number | void, frameStart: number, packetLength: number, trailer = { abbrev: `${prefix}.trailer`, label: 'Trailer' }, withFcs = true): void {
  // A frame without FCS inside another (FabricPath's, whose FCS is the outer frame's) ends at its layer's end.
  const captured = withFcs ? b.data.length : Math.min(b.data.length, b.end);
  // Only fields come of it: none to build, nothing to do (no byte views made per frame).
  if (!b.building || typeof usedEnd !== 'number' || usedEnd >= captured) return;
  // packet-eth.c's add_ethernet_trailer counts the 60 bytes on the whole packet: the packet's
  // length less the bytes after the network layer must reach 60. For a frame inside another (an
  // Ethernet frame in ERSPAN or VXLAN) that is the outer packet, which leaves no room for padding.
  const minEnd = b.end - packetLength + 60;
  let at = usedEnd;
  // Wireshark calls the bytes up to the 60-byte minimum padding only when they are all zero.
  let zero = true;
  for (let i = at; i < Math.min(minEnd, captured); i++) if (b.data[i] !== 0) zero = false;
  // A frame shorter on the wire than the minimum was never padded: what follows is a trailer.
  // (Wireshark's Ethertype dissector does this for Linux cooked captures too, the 60 bytes
  // counted from the start of the SLL header; they have no FCS.)
  const padded = prefix === 'eth' || prefix === 'sll' || prefix === 'vlan' || prefix === 'macsec' || prefix === 'ieee8021ad' || prefix === 'ieee8021ah' || prefix === 'vntag';
  if (padded && at < minEnd && zero && packetLength >= 60) {
    const padEnd = Math.min(minEnd, captured);
    b.add('eth.padding', () => `Padding: ${bytesLabelHex(b.data, at, padEnd - at)}`, b.data.subarray(at, padEnd), at, padEnd - at, () => bytesHex(b.data, at, padEnd - at));
    at = padEnd;
  }
  // Four bytes or more left on a frame of at least 64 bytes: Wireshark takes the last four for the
  // FCS and the rest for a trailer (not when the capture cut the frame short: its FCS is missing).
  const whole = b.end <= captured;
  const fcsAt = prefix === 'eth' && withFcs && whole && captured - at >= 4 && captured - frameStart >= 64 ? captured - 4 : captured;
  // Bytes where zero padding belonged that are not zeros: Wireshark's Ethertype dissector says so.
  const badPadding = padded && usedEnd < minEnd && at === usedEnd && packetLength >= 60;
  if (at < fcsAt) {
    const item = b.add(trailer.abbrev, () => `${trailer.label}: ${bytesLabelHex(b.data, at, fcsAt - at)}`, b.data.subarray(at, fcsAt), at, fcsAt - at, () => bytesHex(b.data, at, fcsAt - at));
    if (badPadding) addExpertTo(b, item, 'eth.padding_bad', 'Note', 'Protocol', "Didn't find padding of zeros, and an undecoded trailer exists. There may be padding of non-zeros.", 'Ethertype');
  }
  if (fcsAt < captured) {
    const fcs = b.data.readUInt32BE(fcsAt);
    b.add('eth.fcs', () => `Frame check sequence: ${hex(fcs, 8)} [unverified]`, fcs, fcsAt, 4, () => hex(fcs, 8));
    b.add('eth.fcs.status', '[FCS Status: Unverified]', 2, fcsAt, 0);
  }
}

/**
 * An Ethernet II or 802.3 frame; `withFcs` false for one inside another frame whose FCS covers it
 * (Wireshark's eth_withoutfcs). Cisco FabricPath's heuristic (provider-tags.ts) goes first, as
 * Wireshark's Ethernet heuristics do: such a frame has no Ethernet tree of its own.
 */
export function dissectEthernet(d: Dissector, p: PacketState, data: Buffer, offset: number, end: number, withFcs = true): number | void {
  const fabricPath = fabricPathHeaderLength(data, offset);
  if (fabricPath > 0) return dissectFabricPath(d, p, data, offset, end, fabricPath);
  const b = new LayerBuilder(data, 'eth', 'Ethernet II', offset, end, p.selection);
  let type = -1;
  try {
    header: {
      b.need(offset, 14, 'Ethernet header');
      // The addresses as text only for the tree or a field asked for (the columns make their own when still needed).
      const texts = b.wants('eth.dst') || b.wants('eth.src') || b.wants('eth.addr') || b.wantsAny('eth.dst_') || b.wantsAny('eth.src_') || b.wantsAny('eth.addr_');
      const dst = macField(d, b, 'dst', offset, texts);
      const src = macField(d, b, 'src', offset + 6, texts);
      if (p.columns) p.setMacColumns(data, offset + 6, offset);
      if (p.layout.ethOffset < 0 && !p.quoted) p.layout.ethOffset = offset;
      const event = p.tap('eth', '', '');
      if (event !== null) {
        event.data = data;
        event.srcAt = offset + 6;
        event.dstAt = offset;
      }
      type = be16(data, offset + 12);
      // packet-eth.c names no addresses in an 802.3 frame's title, only whether it is Novell's raw
      // 802.3 (0xffff after the header): 'IEEE 802.3 Ethernet ' or 'IEEE 802.3 Ethernet Raw '.
      if (b.tree) {
        if (type <= 1500) b.title(`IEEE 802.3 Ethernet ${offset + 16 <= data.length && be16(data, offset + 14) === 0xffff ? 'Raw ' : ''}`);
        else b.title(() => `Ethernet II, Src: ${d.macLabel(src)}, Dst: ${d.macLabel(dst)}`);
      }
      if (!b.building) {
        // no field of Ethernet's is built: no label closures made either
      } else if (type <= 1500) {
        b.add('eth.len', () => `Length: ${type}`, type, offset + 12, 2);
      } else {
        b.add('eth.type', () => `Type: ${ethertypeName(type)} (${hex(type, 4)})`, type, offset + 12, 2, () => hex(type, 4));
      }
      b.setLength(14);
    }
  } catch (err) {
    stopped(b, err);
  }
  p.addLayer(b.layer);
  if (b.layer.status !== 'ok') return;
  if (type <= 1500) {
    const stop = Math.min(offset + 14 + type, end);
    dissect8023Payload(d, p, data, offset + 14, stop);
    addPaddingAndTrailer(b, 'eth', stop, offset, p.frame.origLen, undefined, withFcs);
    return;
  }
  p.protocols.push('ethertype');
  // An ethertype nobody dissects: Wireshark names it in the Protocol column.
  if (p.columns && !d.ethertypes.has(type)) p.setProtocol(hex(type, 4), 'Ethernet II');
  const used = d.byEthertype(p, type, data, offset + 14, end);
  addPaddingAndTrailer(b, 'eth', used, offset, p.frame.origLen, undefined, withFcs);
}

/**
 * The payload of an 802.3 length frame: 802.2 LLC, except Novell's "raw 802.3" IPX (it starts with
 * the IPX checksum 0xffff), which tshark shows as eth:ipx.
 */
export function dissect8023Payload(d: Dissector, p: PacketState, data: Buffer, offset: number, end: number): void {
  if (offset + 2 <= data.length && data[offset] === 0xff && data[offset + 1] === 0xff) dissectIpx(d, p, data, offset, end);
  else dissectLlc(d, p, data, offset, end);
}

/** 802.1Q tag (ethertype 0x8100, and 0x9100) as tshark 4.0 decodes it ('vlan'). */
export function dissectVlan(d: Dissector, p: PacketState, data: Buffer, offset: number, end: number): number | void {
  const b = new LayerBuilder(data, 'vlan', '802.1Q Virtual LAN', offset, end, p.selection);
  let type = -1;
  dissectSafely(b, () => {
    const tci = b.u16(offset, 'VLAN tag');
    type = b.u16(offset + 2, 'VLAN ethertype');
    const pri = tci >> 13;
    const dei = (tci & 0x1000) !== 0;
    const id = tci & 0xfff;
    b.layer.title = `802.1Q Virtual LAN, PRI: ${pri}, DEI: ${dei ? 1 : 0}, ID: ${id}`;
    b.add('vlan.priority', () => `${bitPicture(tci, 0xe000, 16)} = Priority: ${VLAN_PRIORITIES[pri]} (${pri})`, pri, offset, 2);
    b.add('vlan.dei', () => `${bitPicture(tci, 0x1000, 16)} = DEI: ${dei ? 'Eligible' : 'Ineligible'}`, dei, offset, 2);
    b.add('vlan.id', () => `${bitPicture(tci, 0xfff, 16)} = ID: ${id}`, id, offset, 2);
    if (type <= 1500) b.add('vlan.len', () => `Length: ${type}`, type, offset + 2, 2);
    else b.add('vlan.etype', () => `Type: ${ethertypeName(type)} (${hex(type, 4)})`, type, offset + 2, 2, () => hex(type, 4));
    b.setLength(4);
  });
  p.addLayer(b.layer);
  if (b.layer.status !== 'ok') return;
  // packet-vlan.c hands the bytes after its payload to the 802.3 or Ethertype code with its own
  // tree and no FCS: padding and trailer (vlan.trailer) go under the innermost tag, and the
  // frames around it see everything used.
  let used: number | void;
  if (type <= 1500) {
    used = Math.min(offset + 4 + type, end);
    dissect8023Payload(d, p, data, offset + 4, used);
  } else {
    p.protocols.push('ethertype');
    used = d.byEthertype(p, type, data, offset + 4, end);
  }
  if (typeof used !== 'number') return used;
  addPaddingAndTrailer(b, 'vlan', used, offset, p.frame.origLen);
  return Math.max(used, data.length);
}

const SLL_PKTTYPES = ['Unicast to us', 'Broadcast', 'Multicast', 'Unicast to another host', 'Sent by us'];

/**
 * SLL's source address and the unused rest of its 8 bytes, as packet-sll.c's add_ll_address: by
 * its length alone (4 bytes IPv4, 6 Ethernet, whatever the hardware type), else up to 8 bytes as
 * they are. Returns the address as the Source column shows it ('' when there is none).
 */
function sllAddress(d: Dissector, b: LayerBuilder, halen: number, at: number): string {
  let column = '';
  if (halen === 4) {
    const ip = ipv4Text(b.data, at);
    b.add('sll.src.ipv4', () => `Source: ${d.hostLabel(ip)}`, ip, at, 4);
    column = ip;
  } else if (halen === 6) {
    const mac = macText(b.data, at);
    b.add('sll.src.eth', () => `Source: ${d.macLabel(mac)}`, mac, at, 6);
    column = mac;
  } else if (halen > 0) {
    const shown = Math.min(halen, 8);
    const text = bytesHex(b.data, at, shown);
    b.add('sll.src.other', () => `Source: ${text}`, b.data.subarray(at, at + shown), at, shown, text);
  }
  if (halen < 8) {
    const from = at + halen;
    b.add('sll.unused', () => `Unused: ${bytesHex(b.data, from, at + 8 - from)}`, b.data.subarray(from, at + 8), from, at + 8 - from, () => bytesHex(b.data, from, at + 8 - from));
  }
  return column;
}

/** Linux ARPHRD_IPGRE: SLL's protocol field is then a GRE protocol type (sll.gretype). */
const ARPHRD_IPGRE = 778;

/** Linux's own protocol types in SLL's protocol field (packet-sll.c ltype_vals). */
const SLL_LTYPES: Record<number, string> = {
  0x0001: 'Raw 802.3', 0x0003: 'Ethernet', 0x0004: '802.2 LLC', 0x0007: 'PPP (HDLC)', 0x000c: 'CAN', 0x000d: 'CAN FD',
  0x0017: 'IrDA LAP', 0x00f5: 'ISI', 0x00f6: 'IEEE 802.15.4',
};

/**
 * SLL's protocol field and what follows it, as packet-sll.c's add_protocol_type and
 * dissect_payload: up to 1536 a Linux protocol type (802.2 LLC, Novell raw 802.3, Ethernet;
 * anything else is data), above it an ethertype, or a GRE protocol type for ARPHRD_IPGRE. The
 * ethertype's padding and trailer go on SLL's layer. SLL2 shows the field first (`first`).
 */
function sllProtocol(d: Dissector, p: PacketState, b: LayerBuilder, proto: number, at: number, payload: number, end: number, hatype: number, first = false): void {
  const ltype = proto <= 1536;
  const gre = !ltype && hatype === ARPHRD_IPGRE;
  const before = b.layer.fields.length;
  if (ltype) b.add('sll.ltype', () => `Protocol: ${SLL_LTYPES[proto] ?? 'Unknown'} (${hex(proto, 4)})`, proto, at, 2, () => hex(proto, 4));
  else if (gre) b.add('sll.gretype', () => `Protocol: ${greTypeName(proto)} (${hex(proto, 4)})`, proto, at, 2, () => hex(proto, 4));
  else b.add('sll.etype', () => `Protocol: ${ethertypeName(proto)} (${hex(proto, 4)})`, proto, at, 2, () => hex(proto, 4));
  if (first && b.layer.fields.length > before) b.layer.fields.unshift(b.layer.fields.splice(before, 1)[0]!);
  p.addLayer(b.layer);
  if (ltype) {
    if (proto === 0x0004) dissectLlc(d, p, b.data, payload, end);
    else if (proto === 0x0001) dissectIpx(d, p, b.data, payload, end);
    else if (proto === 0x0003) dissectEthernet(d, p, b.data, payload, end);
    else d.data(p, b.data, payload, end);
    return;
  }
  if (gre) {
    // GRE over IP: the protocol is a GRE protocol type, handed on through GRE's table (no ethertype layer).
    d.byEthertype(p, proto, b.data, payload, end);
    return;
  }
  p.protocols.push('ethertype');
  const used = d.byEthertype(p, proto, b.data, payload, end);
  if (typeof used === 'number' && used < Math.min(end, b.data.length)) addPaddingAndTrailer(b, 'sll', used, 0, p.frame.origLen);
}

export function dissectSll(d: Dissector, p: PacketState, data: Buffer, offset: number, end: number): void {
  const b = new LayerBuilder(data, 'sll', 'Linux cooked capture v1', offset, end, p.selection);
  let ok = false;
  dissectSafely(b, () => {
    b.need(offset, 16, 'SLL header');
    const pkttype = data.readUInt16BE(offset);
    const hatype = data.readUInt16BE(offset + 2);
    const halen = data.readUInt16BE(offset + 4);
    b.add('sll.pkttype', () => `Packet type: ${SLL_PKTTYPES[pkttype] ?? 'Unknown'} (${pkttype})`, pkttype, offset, 2);
    // packet-sll.c's columns, for what no later protocol replaces (a Linux protocol type taken as data).
    if (p.columns) p.setProtocol('SLL', SLL_PKTTYPES[pkttype] ?? `Unknown (${pkttype})`);
    b.add('sll.hatype', () => `Link-layer address type: ${hardwareTypeText(hatype)}`, hatype, offset + 2, 2);
    b.add('sll.halen', () => `Link-layer address length: ${halen}`, halen, offset + 4, 2);
    const src = sllAddress(d, b, halen, offset + 6);
    if (src) p.setColumns(src, '');
    b.setLength(16);
    ok = true;
  });
  if (!ok) {
    p.addLayer(b.layer);
    return;
  }
  sllProtocol(d, p, b, data.readUInt16BE(offset + 14), offset + 14, offset + 16, end, data.readUInt16BE(offset + 2));
}

export function dissectSll2(d: Dissector, p: PacketState, data: Buffer, offset: number, end: number): void {
  const b = new LayerBuilder(data, 'sll', 'Linux cooked capture v2', offset, end, p.selection);
  let ok = false;
  dissectSafely(b, () => {
    b.need(offset, 20, 'SLL2 header');
    const ifindex = data.readUInt32BE(offset + 4);
    const hatype = data.readUInt16BE(offset + 8);
    const pkttype = data[offset + 10]!;
    const halen = data[offset + 11]!;
    b.add('sll.ifindex', () => `Interface index: ${ifindex}`, ifindex, offset + 4, 4);
    b.add('sll.hatype', () => `Link-layer address type: ${hardwareTypeText(hatype)}`, hatype, offset + 8, 2);
    b.add('sll.pkttype', () => `Packet type: ${SLL_PKTTYPES[pkttype] ?? 'Unknown'} (${pkttype})`, pkttype, offset + 10, 1);
    // tshark 4.0 reads SLL2's packet type for Info as two bytes (with the address length after it).
    const infoType = be16(data, offset + 10);
    if (p.columns) p.setProtocol('SLL', SLL_PKTTYPES[infoType] ?? `Unknown (${infoType})`);
    b.add('sll.halen', () => `Link-layer address length: ${halen}`, halen, offset + 11, 1);
    const src = sllAddress(d, b, halen, offset + 12);
    if (src) p.setColumns(src, '');
    b.setLength(20);
    ok = true;
  });
  if (!ok) {
    p.addLayer(b.layer);
    return;
  }
  // SLL2 puts the protocol first: its field goes to the front, as Wireshark's tree shows it.
  sllProtocol(d, p, b, data.readUInt16BE(offset), offset, offset + 20, end, data.readUInt16BE(offset + 8), true);
}

const NULL_FAMILIES: Record<number, string> = { 2: 'IP', 24: 'IPv6', 28: 'IPv6', 30: 'IPv6', 10: 'IPv6', 23: 'IPv6', 26: 'IPv6' };

/** BSD loopback (linktype 0, host byte order) and OpenBSD loop (108, network byte order). */
export function dissectNull(d: Dissector, p: PacketState, data: Buffer, offset: number, end: number, networkOrder: boolean): void {
  const b = new LayerBuilder(data, 'null', 'Null/Loopback', offset, end, p.selection);
  let family = -1;
  dissectSafely(b, () => {
    b.need(offset, 4, 'loopback header');
    const be = data.readUInt32BE(offset);
    // Linktype 0 is in the writer's byte order: Wireshark guesses, a small value read big-endian wins.
    family = networkOrder || (be & 0xffff0000) === 0 ? be : data.readUInt32LE(offset);
    b.add('null.family', () => `Family: ${NULL_FAMILIES[family] ?? 'Unknown'} (${family})`, family, offset, 4);
    b.setLength(4);
  });
  p.addLayer(b.layer);
  if (b.layer.status !== 'ok') return;
  if (family === 2) d.byEthertype(p, 0x0800, data, offset + 4, end);
  else if (NULL_FAMILIES[family]) d.byEthertype(p, 0x86dd, data, offset + 4, end);
  else d.data(p, data, offset + 4, end);
}

/** Raw IP (linktypes 101/12/14: version from the first nibble; 228 IPv4 only; 229 IPv6 only). */
export function dissectRaw(d: Dissector, p: PacketState, data: Buffer, offset: number, end: number, only?: 4 | 6): void {
  // LINKTYPE_IPV4 and LINKTYPE_IPV6 go straight to IP in tshark (its raw_ip4/raw_ip6 encapsulations):
  // no 'raw' layer, so frame.protocols begins with ip or ipv6.
  if (only === 4) return void d.byEthertype(p, 0x0800, data, offset, end);
  if (only === 6) return void d.byEthertype(p, 0x86dd, data, offset, end);
  const b = new LayerBuilder(data, 'raw', 'Raw packet data', offset, end, p.selection);
  b.setLength(0);
  p.addLayer(b.layer);
  const version = data.length > offset ? data[offset]! >> 4 : 0;
  if (version === 4) d.byEthertype(p, 0x0800, data, offset, end);
  else if (version === 6) d.byEthertype(p, 0x86dd, data, offset, end);
  else d.data(p, data, offset, end);
}

/** packet-vlan.c's pri_vals (IEEE 802.1Q priority code points), as tshark 4.0 names them. */
const VLAN_PRIORITIES = ['Best Effort (default)', 'Background', 'Excellent Effort', 'Critical Applications', 'Video, < 100ms latency and jitter', 'Voice, < 10ms latency and jitter', 'Internetwork Control', 'Network Control'];
