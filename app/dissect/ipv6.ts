/**
 * IPv6 (RFC 8200) with its extension headers — hop-by-hop, routing, fragment (reassembled) and
 * destination options — each a layer of its own as Wireshark's protocol chain shows them.
 */
import { dissectSafely, hex, LayerBuilder, StopDissection, stopped } from './builder';
import type { Dissector } from './dissector';
import { be16, be32, bitPicture, bytesHex, ipv4Text, ipv6Text } from './format';
import { dscpText, dsSummary, ecnText, ipProtocolName } from './ip-common';
import { addReassemblyFields, laterReassembly } from './ipv4';
import type { PacketState } from './packet-state';
import { addExpertTo } from './expert';
import type { Layer } from './model';
import { IP_PROTO_MIPV6 } from './mipv6';

export function dissectIpv6(d: Dissector, p: PacketState, data: Buffer, offset: number, end: number): number | void {
  const b = new LayerBuilder(data, 'ipv6', 'Internet Protocol Version 6', offset, end, p.selection);
  let next = -1;
  let payloadEnd = -1;
  let invalidLength = false;
  try {
    header: {
      // Each part is read where it is, as packet-ipv6.c does: a header cut in its addresses
      // still shows what was captured (and the source as the Source column).
      b.need(offset, 8, 'IPv6 header');
      const word = be32(data, offset);
      const version = word >>> 28;
      const tclass = (word >>> 20) & 0xff;
      const flow = word & 0xfffff;
      if (b.wants('ipv6.version')) b.add('ipv6.version', () => `${bitPicture(data[offset]!, 0xf0, 8)} = Version: ${version}`, version, offset, 1);
      if (b.wants('ip.version')) b.add('ip.version', () => `${bitPicture(data[offset]!, 0xf0, 8)} = Version: ${version} [This field makes the filter match on "ip.version == 6" possible]`, version, offset, 1).hidden = true;
      if (version !== 6) throw new StopDissection('malformed', `IP version ${version} in an IPv6 header`);
      if (b.wantsAny('ipv6.tclass')) b.group('ipv6.tclass', () => `${bitPicture(word, 0x0ff00000, 32)} = Traffic Class: ${hex(tclass, 2)} (${dsSummary(tclass)})`, tclass, offset, 4, () => {
        b.add('ipv6.tclass.dscp', () => `${bitPicture(word, 0x0fc00000, 32)} = Differentiated Services Codepoint: ${dscpText(tclass >> 2)}`, tclass >> 2, offset, 4);
        b.add('ipv6.tclass.ecn', () => `${bitPicture(word, 0x00300000, 32)} = Explicit Congestion Notification: ${ecnText(tclass & 3)}`, tclass & 3, offset, 4);
      }, () => hex(tclass, 8));
      if (b.wants('ipv6.flow')) b.add('ipv6.flow', () => `${bitPicture(flow, 0x0fffff, 24)} = Flow Label: ${hex(flow, 5)}`, flow, offset + 1, 3, () => hex(flow, 6));
      const headerPlen = be16(data, offset + 4);
      const nxt = data[offset + 6]!;
      const hlim = data[offset + 7]!;
      // A jumbogram (RFC 2675; Linux's BIG TCP): payload length 0, the real one in a hop-by-hop
      // Jumbo Payload option; 0 with a hop-by-hop header and no such option is malformed.
      const jumbo = headerPlen === 0 && nxt === 0 ? jumboLength(data, offset + 40) : 0;
      const jumboMissing = headerPlen === 0 && nxt === 0 && jumbo === 0;
      const plen = jumbo || headerPlen;
      // packet-ipv6.c: a payload length past the frame is a warning, and the frame's bytes are the payload.
      const exceeds = offset + 40 + plen > end && !p.quoted;
      if (b.wants('ipv6.plen') || ((exceeds || jumboMissing) && b.wantsAny('_ws.expert'))) {
        const field = b.add('ipv6.plen', () => `Payload Length: ${headerPlen}${jumbo ? ' (Jumbogram)' : ''}`, headerPlen, offset + 4, 2);
        if (jumboMissing) addExpertTo(b, field, 'ipv6.opt.jumbo.missing', 'Error', 'Malformed', 'IPv6 payload length equals 0 and Hop-By-Hop present and Jumbo Payload option missing');
        if (exceeds) addExpertTo(b, field, 'ipv6.plen_exceeds_framing', 'Warning', 'Protocol', `IPv6 payload length exceeds framing length (${Math.max(0, end - offset - 40)} bytes)`);
      }
      invalidLength = jumboMissing;
      if (b.wants('ipv6.nxt')) b.add('ipv6.nxt', () => `Next Header: ${ipProtocolName(nxt)} (${nxt})`, nxt, offset + 6, 1);
      if (b.wants('ipv6.hlim')) b.add('ipv6.hlim', () => `Hop Limit: ${hlim}`, hlim, offset + 7, 1);
      if (!p.quoted) p.setProtocol('IPv6', '');
      b.need(offset + 8, 16, 'IPv6 source address');
      const src = ipv6Text(data, offset + 8);
      if (b.building) addAddress(d, b, 'ipv6.src', 'ipv6.src_host', 'Source Address', src, offset + 8);
      if (offset + 40 > Math.min(end, data.length)) p.setSourceColumn(src);
      b.need(offset + 24, 16, 'IPv6 destination address');
      const dst = ipv6Text(data, offset + 24);
      if (b.building) addAddress(d, b, 'ipv6.dst', 'ipv6.dst_host', 'Destination Address', dst, offset + 24);
      if (b.building) addressDetails(d, b, offset + 8, offset + 24);
      if (b.tree) b.title(() => `Internet Protocol Version 6, Src: ${d.hostLabel(src)}, Dst: ${d.hostLabel(dst)}`);
      b.setLength(40);
      p.setColumns(src, dst);
      if (!p.quoted) {
        p.ttl = hlim;
        p.ipv6Data = data;
        p.ipv6At = offset;
        p.ipv6SrcAt = offset + 8;
        p.ipv6DstAt = offset + 24;
      }
      p.netSrc = src;
      p.netDst = dst;
      if (!p.quoted) p.setIpLayout(offset, 6, nxt, src, dst);
      p.tap('ipv6', src, dst);
      next = nxt;
      payloadEnd = Math.min(offset + 40 + plen, end);
      // An ICMPv6 error quotes as much of the packet as fits: a quoted packet is not cut short.
    }
  } catch (err) {
    stopped(b, err);
  }
  p.addLayer(b.layer);
  if (next < 0) {
    if (!p.quoted && p.protocolColumn === 'IPv6' && b.layer.status !== 'ok') p.setProtocol('IPv6', b.layer.status === 'malformed' ? '[Malformed Packet]' : '[Packet size limited during capture]');
    return;
  }
  if (!p.quoted) p.setProtocol('IPv6', invalidLength ? 'Invalid IPv6 payload length' : '');
  extensionChain(d, p, data, offset + 40, payloadEnd, next);
  return payloadEnd;
}

/**
 * What packet-ipv6.c reads out of the two addresses, in its order: 6to4 gateways, Teredo servers
 * and clients, SLAAC MACs, ISATAP and well-known-prefix NAT64 (RFC 6052) IPv4 addresses; each
 * source's item, then the destination's.
 */
function addressDetails(d: Dissector, b: LayerBuilder, src: number, dst: number): void {
  const data = b.data;
  if (dst + 16 > data.length) return;
  const sides: Array<[number, 'src' | 'dst', string]> = [[src, 'src', 'Source'], [dst, 'dst', 'Destination']];
  // Each detail as a field of its side, and the same hidden under the generic name.
  const both = (side: 'src' | 'dst', name: string, generic: string, label: string, value: string | number, at: number, length: number): void => {
    b.add(`ipv6.${side}_${name}`, () => `[${side === 'src' ? 'Source' : 'Destination'} ${label}: ${value}]`, value, at, length);
    b.add(`ipv6.${generic}`, () => `[${label}: ${value}]`, value, at, length).hidden = true;
  };
  // RFC 3056: 2002:GGGG:GGGG:SSSS::/64.
  for (const [at, side] of sides) {
    if (be16(data, at) !== 0x2002) continue;
    b.add(`ipv6.${side}_6to4_gw_ipv4`, () => `[${side === 'src' ? 'Source' : 'Destination'} 6to4 Gateway IPv4: ${ipv4Text(data, at + 2)}]`, ipv4Text(data, at + 2), at + 2, 4);
    b.add(`ipv6.${side}_6to4_sla_id`, () => `[${side === 'src' ? 'Source' : 'Destination'} 6to4 SLA ID: ${be16(data, at + 6)}]`, be16(data, at + 6), at + 6, 2);
    b.add('ipv6.6to4_gw_ipv4', () => `[6to4 Gateway IPv4: ${ipv4Text(data, at + 2)}]`, ipv4Text(data, at + 2), at + 2, 4).hidden = true;
    b.add('ipv6.6to4_sla_id', () => `[6to4 SLA ID: ${be16(data, at + 6)}]`, be16(data, at + 6), at + 6, 2).hidden = true;
  }
  // RFC 4380: 2001:0000:server:flags:~port:~client.
  for (const [at, side] of sides) {
    if (be32(data, at) !== 0x20010000) continue;
    const server = ipv4Text(data, at + 4);
    const port = be16(data, at + 10) ^ 0xffff;
    const client = `${data[at + 12]! ^ 0xff}.${data[at + 13]! ^ 0xff}.${data[at + 14]! ^ 0xff}.${data[at + 15]! ^ 0xff}`;
    const name = side === 'src' ? 'Source' : 'Destination';
    b.add(`ipv6.${side}_ts_ipv4`, () => `[${name} Teredo Server IPv4: ${server}]`, server, at + 4, 4);
    b.add(`ipv6.${side}_tc_port`, () => `[${name} Teredo Port: ${port}]`, port, at + 10, 2);
    b.add(`ipv6.${side}_tc_ipv4`, () => `[${name} Teredo Client IPv4: ${client}]`, client, at + 12, 4);
    b.add('ipv6.ts_ipv4', () => `[Teredo Server IPv4: ${server}]`, server, at + 4, 4).hidden = true;
    b.add('ipv6.tc_port', () => `[Teredo Port: ${port}]`, port, at + 10, 2).hidden = true;
    b.add('ipv6.tc_ipv4', () => `[Teredo Client IPv4: ${client}]`, client, at + 12, 4).hidden = true;
  }
  slaacMac(d, b, src, 'ipv6.src_slaac_mac', 'Source');
  slaacMac(d, b, dst, 'ipv6.dst_slaac_mac', 'Destination');
  // RFC 5214: an interface identifier of 0000:5efe (or 0200:5efe) and the IPv4 address.
  for (const [at, side] of sides) {
    if ((be32(data, at + 8) & 0xfcffffff) !== 0x00005efe) continue;
    both(side, 'isatap_ipv4', 'isatap_ipv4', 'ISATAP IPv4', ipv4Text(data, at + 12), at + 12, 4);
  }
  // RFC 6052's well-known prefix 64:ff9b::/96 (no other NAT64 prefix is configured).
  for (const [at, side, name] of sides) {
    if (be32(data, at) !== 0x0064ff9b || be32(data, at + 4) !== 0 || be32(data, at + 8) !== 0) continue;
    const v4 = ipv4Text(data, at + 12);
    b.add('ipv6.embed_ipv4_prefix', () => `[Embedded IPv4 Prefix: ${bytesHex(data, at, 12)}]`, data.subarray(at, at + 12), at, 12, () => bytesHex(data, at, 12));
    b.add(`ipv6.${side}_embed_ipv4`, () => `[${name} Embedded IPv4: ${v4}]`, v4, at + 12, 4);
    b.add('ipv6.embed_ipv4', () => `[Embedded IPv4: ${v4}]`, v4, at + 12, 4);
  }
}

/**
 * packet-ipv6.c: an address whose interface identifier is a modified EUI-64 (ff:fe in its middle,
 * from a universal MAC) names the MAC address it was made from (SLAAC), flipping the U/L bit back.
 */
function slaacMac(d: Dissector, b: LayerBuilder, at: number, abbrev: string, side: string): void {
  const data = b.data;
  // Only an identifier made from a universal (IEEE-assigned) MAC: its U/L bit set.
  if (at + 16 > data.length || (data[at + 8]! & 0x02) === 0 || data[at + 11] !== 0xff || data[at + 12] !== 0xfe) return;
  const bytes = [data[at + 8]! ^ 0x02, data[at + 9]!, data[at + 10]!, data[at + 13]!, data[at + 14]!, data[at + 15]!];
  const mac = bytes.map((x) => x.toString(16).padStart(2, '0')).join(':');
  b.add(abbrev, () => `[${side} SLAAC MAC: ${d.macLabel(mac)}]`, mac, at + 8, 8);
  b.add('ipv6.slaac_mac', () => `[SLAAC MAC: ${d.macLabel(mac)}]`, mac, at + 8, 8).hidden = true;
}

function addAddress(d: Dissector, b: LayerBuilder, abbrev: string, hostAbbrev: string, label: string, text: string, at: number): void {
  // With network name resolution: `name (address)`, and the *_host fields hold the name.
  const host = d.hostName === undefined ? text : d.hostName(text);
  b.add(abbrev, () => `${label}: ${d.hostLabel(text)}`, text, at, 16);
  b.add('ipv6.addr', () => `Source or Destination Address: ${d.hostLabel(text)}`, text, at, 16).hidden = true;
  b.add(hostAbbrev, () => `${label.replace(" Address", "")} Host: ${host}`, host, at, 16).hidden = true;
  b.add('ipv6.host', () => `Source or Destination Host: ${host}`, host, at, 16).hidden = true;
}

/** What each extension header appends to the Info column (col_append_sep_str with " , "). */
const EXT_INFO: Record<number, string> = { 0: 'IPv6 hop-by-hop options', 43: 'IPv6 routing', 60: 'IPv6 destination options' };

const EXT_NAMES: Record<number, [string, string]> = {
  0: ['ipv6.hopopts', 'IPv6 Hop-by-Hop Option'],
  43: ['ipv6.routing', 'Routing Header for IPv6'],
  60: ['ipv6.dstopts', 'Destination Options for IPv6'],
};

/** Extension headers walked in one packet at most (fragment headers included). */
const MAX_EXTENSION_HEADERS = 256;

/** Walks extension headers until an upper-layer protocol, then hands off (or reassembles). */
function extensionChain(d: Dissector, p: PacketState, data: Buffer, at: number, end: number, nxt: number, depth = 0): void {
  for (let guard = depth; guard < MAX_EXTENSION_HEADERS; guard++) {
    if (nxt === 59) {
      if (!p.quoted && p.protocolColumn === 'IPv6') p.setProtocol('IPv6', 'IPv6 no next header');
      return;
    }
    if (nxt === 44) {
      if (!p.quoted) p.fragment = true;
      fragmentHeader(d, p, data, at, end, guard + 1);
      return;
    }
    const ext = EXT_NAMES[nxt];
    if (!ext) {
      // packet-ipv6.c taps the IPv6 header where its chain of extension headers ends, and the
      // Mobility Header is one of them (a Binding Update's payload protocol is "none").
      if (nxt === IP_PROTO_MIPV6) markPendingIpv6(p);
      if (!p.quoted) p.layout.ipProtocol = nxt;
      if (!p.quoted && p.protocolColumn === 'IPv6') p.setProtocol('IPv6', '');
      const first = p.layers.length;
      d.byIpProtocol(p, nxt, data, at, end, 6);
      // Its tree, like the other extension headers', is inside the IPv6 tree (p_ipv6_pinfo_select_root).
      if (nxt === IP_PROTO_MIPV6 && p.layers[first]?.protocol === 'mipv6') p.layers[first]!.nested = true;
      return;
    }
    if (!p.quoted && p.protocolColumn === 'IPv6') p.setProtocol('IPv6', p.info ? `${p.info} , ${EXT_INFO[nxt]}` : EXT_INFO[nxt]!);
    const b = new LayerBuilder(data, ext[0], ext[1], at, end, p.selection);
    let following = -1;
    let len = 0;
    let homeAddressAt = -1;
    dissectSafely(b, () => {
      following = b.u8(at, 'next header');
      const lenField = b.u8(at + 1, 'length');
      len = (lenField + 1) * 8;
      // A routing header is read whole; options one by one, as far as they were captured.
      if (nxt === 43) b.need(at, len, ext[1]);
      b.add(`${ext[0]}.nxt`, () => `Next Header: ${ipProtocolName(following)} (${following})`, following, at, 1);
      b.add(`${ext[0]}.len`, () => `Length: ${lenField}`, lenField, at + 1, 1);
      b.add(`${ext[0]}.len_oct`, () => `[Length: ${len} bytes]`, len, at + 1, 1);
      if (nxt === 43) routingBody(d, p, b, at, len);
      else homeAddressAt = options(b, at + 2, at + len, (found) => { homeAddressAt = found; });
      b.need(at, len, ext[1]);
      b.setLength(len);
    });
    // dissect_opt_home_address: the home address becomes the packet's source (pinfo->src), for
    // the Source column and the TCP/UDP conversations; the IPv6 tap keeps the header's.
    if (homeAddressAt >= 0) setPacketAddress(p, data, homeAddressAt, 'src');
    p.addLayer(b.layer);
    if (b.layer.status !== 'ok') {
      // The exception ends the chain before packet-ipv6.c taps the IPv6 header.
      markPendingIpv6(p);
      if (!p.quoted && p.protocolColumn === 'IPv6') p.setProtocol('IPv6', `${p.info}${b.layer.status === 'malformed' ? '[Malformed Packet]' : '[Packet size limited during capture]'}`);
      return;
    }
    at += len;
    nxt = following;
  }
}

/** packet-ipv6.c's routing_header_type. */
const ROUTING_TYPES: Record<number, string> = {
  0: 'Source Route', 1: 'Nimrod', 2: 'Type 2 Routing', 3: 'RPL Source Route', 4: 'Segment Routing',
  5: 'Compact Routing Header 16', 6: 'Compact Routing Header 32', 253: 'Experiment 1', 254: 'Experiment 2',
};

/**
 * The routing header's type and segments left, and for types 0 and 2 (dissect_routing6_rt0 /
 * _mipv6) the reserved word and the addresses, the last of which, while segments are left,
 * becomes the packet's destination (pinfo->dst) as the final one.
 */
function routingBody(d: Dissector, p: PacketState, b: LayerBuilder, at: number, len: number): void {
  const data = b.data;
  const headerLength = data[at + 1]!;
  const type = b.u8(at + 2);
  const left = b.u8(at + 3);
  const typeName = ROUTING_TYPES[type] ?? 'Unknown';
  if (b.tree) b.title(() => `Routing Header for IPv6 (${ROUTING_TYPES[type] ?? `Unknown type ${type}`})`);
  const typeField = b.add('ipv6.routing.type', () => `Type: ${typeName} (${type})`, type, at + 2, 1);
  if (type === 0) addExpertTo(b, typeField, 'ipv6.routing.deprecated', 'Note', 'Deprecated', 'Routing header type is deprecated');
  const segleftField = b.add('ipv6.routing.segleft', () => `Segments Left: ${left}`, left, at + 3, 1);
  if (type !== 0 && type !== 2) return;
  const lenField = b.layer.fields.find((f) => f.abbrev === 'ipv6.routing.len');
  const lengthProblem = (message: string): void => {
    if (lenField !== undefined) addExpertTo(b, lenField, 'ipv6.routing.invalid_length', 'Error', 'Malformed', message);
  };
  const segleftProblem = (message: string): void => addExpertTo(b, segleftField, 'ipv6.routing.invalid_segleft', 'Warning', 'Protocol', message);
  if (type === 0) {
    if (headerLength % 2 !== 0) lengthProblem('IPv6 Routing Header extension header length must not be odd');
    if (left > headerLength >> 1) segleftProblem(`IPv6 Type 0 Routing Header segments left field must not exceed address count (${headerLength >> 1})`);
  } else {
    if (headerLength !== 2) lengthProblem('IPv6 Type 2 Routing Header extension header length must equal 2');
    if (left !== 1) segleftProblem('IPv6 Type 2 Routing Header segments left field must equal 1');
  }
  const reserved = data.subarray(at + 4, at + 8);
  const prefix = type === 0 ? 'ipv6.routing.src' : 'ipv6.routing.mipv6';
  b.add(`${prefix}.reserved`, () => `Reserved: ${reserved.toString('hex')}`, reserved, at + 4, 4, () => reserved.toString('hex'));
  const count = type === 0 ? headerLength >> 1 : 1;
  let last = -1;
  for (let k = 0; k < count; k++) {
    const addrAt = at + 8 + 16 * k;
    b.need(addrAt, 16, 'routing header address');
    const text = ipv6Text(data, addrAt);
    b.add(type === 0 ? 'ipv6.routing.src.addr' : 'ipv6.routing.mipv6.home_address', () => `Address[${k + 1}]: ${d.hostLabel(text)}`, text, addrAt, 16);
    last = addrAt;
  }
  if (last >= 0 && left > 0) setPacketAddress(p, data, last, 'dst');
  void len;
}

/** A Home Address option's or a routing header's address as Wireshark's pinfo->src or ->dst. */
function setPacketAddress(p: PacketState, data: Buffer, at: number, side: 'src' | 'dst'): void {
  if (p.quoted) return;
  const text = ipv6Text(data, at);
  if (side === 'src') {
    p.netSrc = text;
    p.setColumns(text, p.dst);
    if (data === p.ipv6Data) p.ipv6SrcAt = at;
  } else {
    p.netDst = text;
    p.setColumns(p.src, text);
    if (data === p.ipv6Data) p.ipv6DstAt = at;
  }
}

/**
 * packet-ipv6.c ipv6_get_jumbo_plen: the Jumbo Payload option's length in the hop-by-hop header at
 * `at`, when it is there (type 0xc2, 4 bytes, each option with 6 bytes captured) and over 65535;
 * else 0.
 */
function jumboLength(data: Buffer, at: number): number {
  if (at + 2 > data.length) return 0;
  const stop = at + (data[at + 1]! + 1) * 8;
  for (let o = at + 2; o < stop && o + 6 <= data.length; ) {
    const type = data[o++]!;
    if (type === 0) continue;
    const len = data[o++]!;
    if (type === 0xc2 && len === 4) {
      const jumbo = be32(data, o);
      return jumbo > 0xffff ? jumbo : 0;
    }
    o += len;
  }
  return 0;
}

const OPTION_NAMES: Record<number, string> = { 0: 'Pad1', 1: 'PadN', 5: 'Router Alert', 194: 'Jumbo Payload', 201: 'Home Address', 4: 'Tunnel Encapsulation Limit' };

/**
 * The options of a hop-by-hop or destination options header. A Home Address option is read as
 * 16 bytes whatever its length says (dissect_opt_home_address), and the walk goes on after them;
 * `onHomeAddress` hears where the address is.
 */
function options(b: LayerBuilder, start: number, stop: number, onHomeAddress?: (at: number) => void): number {
  let homeAddressAt = -1;
  for (let at = start; at < stop; ) {
    const type = b.u8(at, 'option type');
    const name = OPTION_NAMES[type] ?? 'Unknown';
    if (type === 0) {
      b.group('ipv6.opt', () => `${name}`, null, at, 1, () => {
        optionType(b, type, at);
        b.add('ipv6.opt.pad1', 'Pad1', null, at, 1, '');
      }, '');
      at += 1;
      continue;
    }
    const len = b.u8(at + 1, 'option length');
    if (type === 201) {
      const complete = at + 18 <= Math.min(b.end, b.data.length);
      b.group('ipv6.opt', () => optionLabel(type), null, at, 2 + len, () => {
        optionType(b, type, at);
        const length = b.add('ipv6.opt.length', () => `Length: ${len}`, len, at + 1, 1);
        if (len !== 16) addExpertTo(b, length, 'ipv6.opt.invalid_len', 'Error', 'Malformed', `Home Address: Invalid length (${len} bytes)`);
        if (complete) {
          const home = ipv6Text(b.data, at + 2);
          b.add('ipv6.opt.mipv6.home_address', () => `MIPv6 Home Address: ${home}`, home, at + 2, 16);
        }
      }, '');
      b.need(at + 2, 16, 'home address');
      homeAddressAt = at + 2;
      onHomeAddress?.(homeAddressAt);
      at += 2 + Math.max(16, len);
      continue;
    }
    if (at + 2 + len > stop) {
      // tshark shows the option's type and length before its data runs past the header.
      b.group('ipv6.opt', () => optionLabel(type), null, at, 2, () => {
        optionType(b, type, at);
        b.add('ipv6.opt.length', () => `Length: ${len}`, len, at + 1, 1);
      }, '');
      throw new StopDissection('malformed', `IPv6 option ${type} runs past its header`);
    }
    b.group('ipv6.opt', () => optionLabel(type), null, at, 2 + len, () => {
      optionType(b, type, at);
      b.add('ipv6.opt.length', () => `Length: ${len}`, len, at + 1, 1);
      // FT_BYTES: the bytes in the label, colon hex for -T fields and JSON; none are "<none>"
      // in the label and -T fields, "" in JSON (json.ts).
      if (type === 1) {
        const pad = b.data.subarray(at + 2, at + 2 + len);
        if (len === 0) b.add('ipv6.opt.padn', 'PadN: <none>', pad, at + 2, 0, '<none>');
        else b.add('ipv6.opt.padn', () => `PadN: ${pad.toString('hex')}`, pad, at + 2, len);
      }
      else if (type === 5 && len === 2) {
        const alert = b.u16(at + 2);
        b.add('ipv6.opt.router_alert', () => `Router Alert: ${ROUTER_ALERTS[alert] ?? 'Unknown'} (${alert})`, alert, at + 2, 2);
      } else if (type === 194 && len === 4) {
        const jumbo = b.u32(at + 2);
        b.add('ipv6.opt.jumbo', () => `Payload Length: ${jumbo}`, jumbo, at + 2, 4);
      }
      else if (len > 0) b.add('ipv6.opt.unknown', 'Unknown Option Payload', b.data.subarray(at + 2, at + 2 + len), at + 2, len, () => b.data.toString('hex', at + 2, at + 2 + len));
    }, '');
    at += 2 + len;
  }
  return homeAddressAt;
}

/** An option's item: its name, or packet-ipv6.c's "Unknown IPv6 Option (N)". */
function optionLabel(type: number): string {
  return OPTION_NAMES[type] ?? `Unknown IPv6 Option (${type})`;
}

/** packet-ipv6.c's value strings (tshark -G values). */
const ROUTER_ALERTS: Record<number, string> = { 0: 'MLD', 1: 'RSVP', 2: 'Active Network' };
const OPTION_ACTIONS = ['Skip and continue', 'Discard', 'Discard and send ICMP Parameter Problem', 'Discard and send ICMP if not multicast'];

function optionType(b: LayerBuilder, type: number, at: number): void {
  b.group('ipv6.opt.type', () => `Type: ${OPTION_NAMES[type] ?? 'Unknown'} (${hex(type, 2)})`, type, at, 1, () => {
    b.add('ipv6.opt.type.action', () => `${bitPicture(type, 0xc0, 8)} = Action: ${OPTION_ACTIONS[type >> 6]} (${type >> 6})`, type >> 6, at, 1);
    b.add('ipv6.opt.type.change', () => `${bitPicture(type, 0x20, 8)} = May Change: ${type & 0x20 ? 'Yes' : 'No'}`, (type & 0x20) !== 0, at, 1);
    b.add('ipv6.opt.type.rest', () => `${bitPicture(type, 0x1f, 8)} = Low-Order Bits: ${hex(type & 0x1f, 2)}`, type & 0x1f, at, 1, () => hex(type & 0x1f, 2));
  }, () => hex(type, 2));
}

/** The IPv6 header of a fragment that completes no datagram is not tapped (see TapEvent.pending). */
function markPendingIpv6(p: PacketState): void {
  if (p.quoted) return;
  const taps = p.layout.taps;
  if (taps === null) return;
  for (let k = taps.length - 1; k >= 0; k--) {
    if (taps[k]!.kind === 'ip') return;
    if (taps[k]!.kind === 'ipv6') {
      taps[k]!.pending = true;
      return;
    }
  }
}

function fragmentHeader(d: Dissector, p: PacketState, data: Buffer, at: number, end: number, depth: number): void {
  const b = new LayerBuilder(data, 'ipv6.fraghdr', 'Fragment Header for IPv6', at, end, p.selection);
  let nxt = -1;
  let more = false;
  let fragOffset = 0;
  let ident = 0;
  dissectSafely(b, () => {
    b.need(at, 8, 'fragment header');
    nxt = data[at]!;
    const word = data.readUInt16BE(at + 2);
    fragOffset = word >> 3;
    more = (word & 1) !== 0;
    ident = data.readUInt32BE(at + 4);
    b.add('ipv6.fraghdr.nxt', () => `Next header: ${ipProtocolName(nxt)} (${nxt})`, nxt, at, 1);
    b.add('ipv6.fraghdr.reserved_octet', () => `Reserved octet: ${hex(data[at + 1]!, 2)}`, data[at + 1]!, at + 1, 1, () => hex(data[at + 1]!, 2));
    b.add('ipv6.fraghdr.offset', () => `${bitPicture(word, 0xfff8, 16)} = Offset: ${fragOffset} (${fragOffset * 8} bytes)`, fragOffset, at + 2, 2);
    b.add('ipv6.fraghdr.reserved_bits', () => `${bitPicture(word, 0x0006, 16)} = Reserved bits: ${(word >> 1) & 3}`, (word >> 1) & 3, at + 2, 2);
    b.add('ipv6.fraghdr.more', () => `${bitPicture(word, 0x0001, 16)} = More Fragments: ${more ? 'Yes' : 'No'}`, more, at + 2, 2);
    b.add('ipv6.fraghdr.ident', () => `Identification: ${hex(ident, 8)}`, ident, at + 4, 4, () => hex(ident, 8));
    b.setLength(8);
  });
  if (nxt < 0) {
    markPendingIpv6(p);
    p.addLayer(b.layer);
    return;
  }
  const payload = at + 8;
  const stop = Math.min(end, data.length);
  if (!more && fragOffset === 0) {
    // An atomic fragment (RFC 6946): the headers after it are read as if it were not there.
    p.addLayer(b.layer);
    extensionChain(d, p, data, payload, end, nxt, depth);
    return;
  }
  const key = `${p.netSrc}|${p.netDst}|${ident}`;
  const reassembled = p.quoted || end > data.length ? null : d.ipv6Fragments.add(key, p.frame.number, fragOffset * 8, data.subarray(payload, stop), more);
  if (reassembled) {
    addReassemblyFields(b, 'ipv6', 'IPv6', reassembled);
    // Wireshark adds the fragments' tree to the IPv6 tree, after the Fragment Header.
    const outer = p.quoted ? undefined : lastIpv6(p);
    const group = b.layer.fields[b.layer.fields.length - 1];
    if (outer !== undefined && group !== undefined && group.abbrev === 'ipv6.fragments') {
      b.layer.fields.pop();
      group.trailing = true;
      outer.fields.push(group);
    }
  }
  else markPendingIpv6(p);
  if (!p.quoted) laterReassembly(d, b, 'ipv6', 'IPv6', key, p.frame.number, reassembled, lastIpv6(p));
  p.addLayer(b.layer);
  if (!reassembled) {
    p.setProtocol('IPv6', `IPv6 fragment (off=${fragOffset * 8} more=${more ? 'y' : 'n'} ident=${hex(ident, 8)} nxt=${nxt})`);
    d.data(p, data, payload, stop);
    return;
  }
  const was = p.reassembled;
  p.reassembled = true;
  const wasData = p.reassembledData;
  p.reassembledData = reassembled.data;
  d.byIpProtocol(p, nxt, reassembled.data, 0, reassembled.data.length, 6);
  p.reassembled = was;
  p.reassembledData = wasData;
}

/** The IPv6 layer an extension header being dissected belongs to (the latest one). */
function lastIpv6(p: PacketState): Layer | undefined {
  for (let k = p.layers.length - 1; k >= 0; k--) if (p.layers[k]!.protocol === 'ipv6') return p.layers[k];
  return undefined;
}
