/** ICMPv6 (RFC 4443) with neighbour discovery (RFC 4861) messages and options. */
import { dissectSafely, hex, LayerBuilder } from './builder';
import { checksumOk, ipv6PseudoSum, onesComplementSum } from './checksum';
import { checksumShouldBe } from './routing-common';
import { addExpertTo } from './expert';
import type { Dissector } from './dissector';
import { bitPicture, ipv6Text, macText, setText } from './format';
import type { PacketState } from './packet-state';
import { EXTENDED_ECHO_CODES, extendedEchoHeader, icmpExtensions } from './icmp-ext';
import { addResponseTime, laterReply, onesAdd, type EchoRequest } from './icmp';

/** Teredo's UDP port (RFC 4380 2.7). */
export const TEREDO_PORT = 3544;

const TYPES: Record<number, string> = {
  1: 'Destination Unreachable', 2: 'Packet Too Big', 3: 'Time Exceeded', 4: 'Parameter Problem', 128: 'Echo (ping) request',
  129: 'Echo (ping) reply', 130: 'Multicast Listener Query', 131: 'Multicast Listener Report', 132: 'Multicast Listener Done',
  133: 'Router Solicitation', 134: 'Router Advertisement', 135: 'Neighbor Solicitation', 136: 'Neighbor Advertisement',
  137: 'Redirect', 143: 'Multicast Listener Report Message v2', 160: 'Extended Echo request', 161: 'Extended Echo reply',
};
const UNREACH: Record<number, string> = {
  0: 'no route to destination', 1: 'Administratively prohibited', 2: 'beyond scope of source address', 3: 'Address unreachable',
  4: 'Port unreachable', 5: 'Source address failed ingress/egress policy', 6: 'Reject route to destination',
};
const OPT_NAMES: Record<number, string> = { 1: 'Source link-layer address', 2: 'Target link-layer address', 3: 'Prefix information', 4: 'Redirected header', 5: 'MTU', 14: 'Nonce', 25: 'Recursive DNS Server' };

const echoRequests = new WeakMap<Dissector, Map<string, EchoRequest>>();

export function dissectIcmpv6(d: Dissector, p: PacketState, data: Buffer, offset: number, end: number): number | void {
  const b = new LayerBuilder(data, 'icmpv6', 'Internet Control Message Protocol v6', offset, end, p.selection);
  let quotedAt = -1;
  let dataAt = -1;
  dissectSafely(b, () => {
    const type = b.u8(offset, 'type');
    const code = b.u8(offset + 1, 'code');
    b.add('icmpv6.type', () => `Type: ${TYPES[type] ?? 'Unknown'} (${type})`, type, offset, 1);
    const codeName = type === 1 ? UNREACH[code] : type === 3 ? (code === 0 ? 'hop limit exceeded in transit' : 'fragment reassembly time exceeded') : type === 4 ? PARAMETER_PROBLEMS[code] : type === 160 || type === 161 ? EXTENDED_ECHO_CODES[type - 118]![code] : undefined;
    b.add('icmpv6.code', () => `Code: ${code}${codeName ? ` (${codeName})` : ''}`, code, offset + 1, 1);
    const checksum = b.u16(offset + 2, 'checksum');
    let status = 2;
    let shouldBe = 0;
    // Verifying reads every byte: only for the tree or a filter that asks.
    const verify = b.wants('icmpv6.checksum') || b.wants('icmpv6.checksum.status') || b.wants('icmpv6.checksum_bad.expert') || b.wantsAny('_ws.expert');
    const ip = p.ipv6Data;
    if (verify && end <= data.length && ip !== null && !p.quoted) {
      const pseudo = ipv6PseudoSum(ip.subarray(p.ipv6SrcAt, p.ipv6SrcAt + 16), ip.subarray(p.ipv6DstAt, p.ipv6DstAt + 16), end - offset, 58);
      status = checksumOk(data, offset, end, pseudo) ? 1 : 0;
      if (status === 0) shouldBe = checksumShouldBe(checksum, ~onesComplementSum(data, offset, end, pseudo) & 0xffff);
    }
    const inError = p.quoted > 0 ? ' [in ICMP error packet]' : '';
    const checksumItem = b.add('icmpv6.checksum', () => (status === 0 ? `Checksum: ${hex(checksum, 4)} incorrect, should be ${hex(shouldBe, 4)}` : `Checksum: ${hex(checksum, 4)} [${['incorrect', 'correct', 'unverified'][status]}]${inError}`), checksum, offset + 2, 2, () => hex(checksum, 4));
    if (status === 0) addExpertTo(b, checksumItem, 'icmpv6.checksum_bad.expert', 'Warning', 'Checksum', `Bad checksum [should be ${hex(shouldBe, 4)}]`);
    b.add('icmpv6.checksum.status', () => `[Checksum Status: ${['Bad', 'Good', 'Unverified'][status]}]`, status, offset + 2, 0);
    let info = TYPES[type] ?? `Unknown (${type})`;
    const body = offset + 4;
    if (type === 128 || type === 129) {
      const id = b.u16(body, 'identifier');
      const seq = b.u16(body + 2, 'sequence');
      b.add('icmpv6.echo.identifier', () => `Identifier: ${hex(id, 4)}`, id, body, 2, () => hex(id, 4));
      b.add('icmpv6.echo.sequence_number', () => `Sequence: ${seq}`, seq, body + 2, 2);
      // RFC 4380 5.2.9: an echo request sent to Teredo's UDP port is a Direct IPv6 Connectivity
      // Test with a nonce (packet-icmpv6.c reads pinfo->destport, the UDP header's).
      const teredo = type === 128 && p.udpDstPort === TEREDO_PORT && !p.quoted;
      if (teredo) {
        info = 'Direct IPv6 Connectivity Test';
        b.add('icmpv6.nonce', () => `Nonce: ${data.toString('hex', body + 4, body + 8)}`, b.bytes(body + 4, 4), body + 4, 4, () => data.toString('hex', body + 4, body + 8));
      }
      info += ` id=${hex(id, 4)}, seq=${seq}, hop limit=${p.ttl}`;
      if (!p.quoted && !d.neverShows(p, 'icmpv6')) info += pairEcho(d, p, type, id, seq, b, offset);
      dataAt = teredo ? body + 8 : body + 4;
    } else if (type >= 1 && type <= 4) {
      if (type === 2) {
        const mtu = b.u32(body);
        b.add('icmpv6.mtu', () => `MTU: ${mtu}`, mtu, body, 4);
      } else if (type === 4) {
        const pointer = b.u32(body);
        b.add('icmpv6.pointer', () => `Pointer: ${pointer}`, pointer, body, 4);
      }
      else b.add('icmpv6.reserved', () => `Reserved: ${data.toString('hex', body, body + 4)}`, b.bytes(body, 4), body, 4, () => data.toString('hex', body, body + 4));
      if (codeName) info += ` (${codeName})`;
      quotedAt = body + 4;
    } else if (type === 160 || type === 161) {
      // RFC 8335 PROBE; the request's Multi-Part Extensions are dissected by ICMP's code (an icmp layer).
      info += ` (${codeName ?? `Unknown code: ${code}`})`;
      extendedEchoHeader(b, 'icmpv6', body, type === 160);
      // tshark lists an icmp layer for them in frame.protocols but adds no icmp protocol item
      // (the icmp filter does not match): the fields stay in this layer.
      if (type === 160 && body + 4 < Math.min(end, data.length)) icmpExtensions(b, body + 4, end);
    } else if (type === 133) {
      b.add('icmpv6.reserved', () => `Reserved: ${data.toString('hex', body, body + 4)}`, b.bytes(body, 4), body, 4, () => data.toString('hex', body, body + 4));
      const src = ndOptions(d, b, body + 4, end).src;
      info += src ? ` from ${src}` : '';
    } else if (type === 134) {
      b.need(body, 12, 'router advertisement');
      const flags = data[body + 1]!;
      b.add('icmpv6.nd.ra.cur_hop_limit', () => `Cur hop limit: ${data[body]}`, data[body]!, body, 1);
      const prf = PREFERENCES[(flags >> 3) & 3]!;
      const raFlag = (abbrev: string, mask: number, name: string): void => {
        b.add(abbrev, () => `${bitPicture(flags, mask, 8)} = ${name}: ${setText((flags & mask) !== 0)}`, (flags & mask) !== 0, body + 1, 1);
      };
      b.group('icmpv6.nd.ra.flag', () => `Flags: ${hex(flags, 2)}, ${[...setNames(flags & 0xe0, RA_FLAG_NAMES), `Prf (Default Router Preference): ${prf}`, ...setNames(flags & 0x04, RA_FLAG_NAMES)].join(', ')}`, flags, body + 1, 1, () => {
        raFlag('icmpv6.nd.ra.flag.m', 0x80, 'Managed address configuration');
        raFlag('icmpv6.nd.ra.flag.o', 0x40, 'Other configuration');
        raFlag('icmpv6.nd.ra.flag.h', 0x20, 'Home Agent');
        b.add('icmpv6.nd.ra.flag.prf', () => `${bitPicture(flags, 0x18, 8)} = Prf (Default Router Preference): ${prf} (${(flags >> 3) & 3})`, (flags >> 3) & 3, body + 1, 1);
        raFlag('icmpv6.nd.ra.flag.p', 0x04, 'Proxy');
        b.add('icmpv6.nd.ra.flag.rsv', () => `${bitPicture(flags, 0x03, 8)} = Reserved: ${flags & 3}`, flags & 3, body + 1, 1);
      }, () => hex(flags, 2));
      b.add('icmpv6.nd.ra.router_lifetime', () => `Router lifetime (s): ${data.readUInt16BE(body + 2)}`, data.readUInt16BE(body + 2), body + 2, 2);
      b.add('icmpv6.nd.ra.reachable_time', () => `Reachable time (ms): ${data.readUInt32BE(body + 4)}`, data.readUInt32BE(body + 4), body + 4, 4);
      b.add('icmpv6.nd.ra.retrans_timer', () => `Retrans timer (ms): ${data.readUInt32BE(body + 8)}`, data.readUInt32BE(body + 8), body + 8, 4);
      const src = ndOptions(d, b, body + 12, end).src;
      info += src ? ` from ${src}` : '';
    } else if (type === 135) {
      b.need(body, 20, 'neighbor solicitation');
      b.add('icmpv6.reserved', () => `Reserved: ${data.toString('hex', body, body + 4)}`, data.subarray(body, body + 4), body, 4, () => data.toString('hex', body, body + 4));
      const target = ipv6Text(data, body + 4);
      b.add('icmpv6.nd.ns.target_address', () => `Target Address: ${target}`, target, body + 4, 16);
      const src = ndOptions(d, b, body + 20, end).src;
      info += ` for ${target}${src ? ` from ${src}` : ''}`;
    } else if (type === 136) {
      b.need(body, 20, 'neighbor advertisement');
      const flags = data.readUInt32BE(body);
      const naFlag = (abbrev: string, mask: number, name: string): void => {
        b.add(abbrev, () => `${bitPicture(flags, mask, 32)} = ${name}: ${setText((flags & mask) !== 0)}`, (flags & mask) !== 0, body, 4);
      };
      b.group('icmpv6.nd.na.flag', () => `Flags: ${hex(flags, 8)}${setNames(flags, NA_FLAG_NAMES).map((n) => `, ${n}`).join('')}`, flags, body, 4, () => {
        naFlag('icmpv6.nd.na.flag.r', 0x80000000, 'Router');
        naFlag('icmpv6.nd.na.flag.s', 0x40000000, 'Solicited');
        naFlag('icmpv6.nd.na.flag.o', 0x20000000, 'Override');
        b.add('icmpv6.nd.na.flag.rsv', () => `${bitPicture(flags, 0x1fffffff, 32)} = Reserved: ${flags & 0x1fffffff}`, flags & 0x1fffffff, body, 4);
      }, () => hex(flags, 8));
      const target = ipv6Text(data, body + 4);
      b.add('icmpv6.nd.na.target_address', () => `Target Address: ${target}`, target, body + 4, 16);
      const tgt = ndOptions(d, b, body + 20, end).target;
      const names = [flags & 0x80000000 && 'rtr', flags & 0x40000000 && 'sol', flags & 0x20000000 && 'ovr'].filter(Boolean).join(', ');
      info += ` ${target}${names ? ` (${names})` : ''}${tgt ? ` is at ${tgt}` : ''}`;
    } else if (type >= 130 && type <= 132) {
      mldMessage(b, body, end);
    } else if (type === 143) {
      mldv2Report(b, body, end);
    } else if (type === 137) {
      b.need(body, 36, 'redirect');
      b.add('icmpv6.reserved', () => `Reserved: ${data.toString('hex', body, body + 4)}`, data.subarray(body, body + 4), body, 4, () => data.toString('hex', body, body + 4));
      const target = ipv6Text(data, body + 4);
      const destination = ipv6Text(data, body + 20);
      b.add('icmpv6.nd.rd.target_address', () => `Target Address: ${target}`, target, body + 4, 16);
      b.add('icmpv6.rd.na.destination_address', () => `Destination Address: ${destination}`, destination, body + 20, 16);
      const tgt = ndOptions(d, b, body + 36, end).target;
      if (tgt) info += ` is at ${tgt}`;
    }
    p.setProtocol(type === 128 && p.udpDstPort === TEREDO_PORT && !p.quoted ? 'Teredo' : 'ICMPv6', info);
  });
  if (!p.quoted) p.layout.transportLayer = p.layers.length;
  p.tapsClosed = true;
  p.addLayer(b.layer);
  if (quotedAt >= 0 && quotedAt < Math.min(end, data.length)) {
    p.quoted++;
    d.byEthertype(p, 0x86dd, data, quotedAt, end);
    p.quoted--;
  } else if (dataAt >= 0) d.data(p, data, dataAt, end);
}

/** A reserved field tshark shows as bytes: plain hex in its label and -T fields. */
function reserved(b: LayerBuilder, at: number, length: number): void {
  const bytes = b.bytes(at, length, 'reserved');
  const text = bytes.toString('hex');
  b.add('icmpv6.reserved', () => `Reserved: ${text}`, bytes, at, length, text);
}

/** RFC 3810's codes: a value, or from 32768 (128 for QQIC) a floating-point mantissa and exponent. */
function mldCode(code: number, bits: 16 | 8): number {
  if (bits === 16) return code < 0x8000 ? code : ((code & 0xfff) | 0x1000) << (((code >> 12) & 7) + 3);
  return code < 0x80 ? code : ((code & 0x0f) | 0x10) << (((code >> 4) & 7) + 3);
}

/**
 * Multicast Listener Query, Report and Done (RFC 2710); a query of 28 bytes or more is MLDv2's
 * (RFC 3810): maximum response code, flags, QQIC and sources (packet-icmpv6.c).
 */
function mldMessage(b: LayerBuilder, body: number, end: number): void {
  const data = b.data;
  b.need(body, 20, 'multicast listener message');
  const v2 = end - (body - 4) >= 28;
  const delay = b.u16(body);
  if (v2) b.add('icmpv6.mld.maximum_response_code', () => `Maximum Response Code: ${mldCode(delay, 16)}`, mldCode(delay, 16), body, 2);
  else b.add('icmpv6.mld.maximum_response_delay', () => `Maximum Response Delay [ms]: ${delay}`, delay, body, 2);
  reserved(b, body + 2, 2);
  const group = ipv6Text(data, body + 4);
  b.add('icmpv6.mld.multicast_address', () => `Multicast Address: ${group}`, group, body + 4, 16);
  if (!v2) return;
  const at = body + 20;
  const flags = b.u8(at, 'flags');
  b.group('icmpv6.mld.flag', () => `Flags: ${hex(flags, 2)}${flags & 0x08 ? ', Suppress Router-Side Processing' : ''}`, flags, at, 1, () => {
    b.add('icmpv6.mld.flag.s', () => `${bitPicture(flags, 0x08, 8)} = Suppress Router-Side Processing: ${flags & 0x08 ? 'True' : 'False'}`, (flags & 0x08) !== 0, at, 1);
    b.add('icmpv6.mld.flag.qrv', () => `${bitPicture(flags, 0x07, 8)} = QRV (Querier's Robustness Variable): ${flags & 7}`, flags & 7, at, 1);
    b.add('icmpv6.mld.flag.reserved', () => `${bitPicture(flags, 0xf0, 8)} = Reserved: ${flags >> 4}`, flags >> 4, at, 1);
  }, () => hex(flags, 2));
  const qqic = mldCode(b.u8(at + 1, 'QQIC'), 8);
  b.add('icmpv6.mld.qqi', () => `QQIC (Querier's Query Interval Code): ${qqic}`, qqic, at + 1, 1);
  const sources = b.u16(at + 2, 'number of sources');
  b.add('icmpv6.mld.nb_sources', () => `Number of Sources: ${sources}`, sources, at + 2, 2);
  for (let k = 0, s = at + 4; k < sources; k++, s += 16) {
    b.need(s, 16, 'source address');
    const source = ipv6Text(data, s);
    b.add('icmpv6.mld.source_address', () => `Source Address: ${source}`, source, s, 16);
  }
}

const MLDR_RECORD_TYPES: Record<number, string> = {
  1: 'Include', 2: 'Exclude', 3: 'Changed to include', 4: 'Changed to exclude', 5: 'Allow new sources', 6: 'Block old sources',
};

/** Multicast Listener Report Message v2 (RFC 3810): address records while bytes are left, as packet-icmpv6.c reads them. */
function mldv2Report(b: LayerBuilder, body: number, end: number): void {
  const data = b.data;
  reserved(b, body, 2);
  const records = b.u16(body + 2, 'number of records');
  b.add('icmpv6.mldr.nb_mcast_records', () => `Number of Multicast Address Records: ${records}`, records, body + 2, 2);
  const stop = Math.min(end, data.length);
  for (let at = body + 4; at < stop; ) {
    const start = at;
    const recordType = b.u8(at, 'record type');
    const aux = b.u8(at + 1, 'aux data length');
    const sources = b.u16(at + 2, 'number of sources');
    b.need(at + 4, 16, 'multicast address');
    const group = ipv6Text(data, at + 4);
    const length = 20 + sources * 16 + aux * 4;
    const name = MLDR_RECORD_TYPES[recordType] ?? 'Unknown';
    b.group('icmpv6.mldr.mar', () => `Multicast Address Record ${name}: ${group}`, null, start, length, () => {
      b.add('icmpv6.mldr.mar.record_type', () => `Record Type: ${name} (${recordType})`, recordType, start, 1);
      b.add('icmpv6.mldr.mar.aux_data_len', () => `Aux Data Len: ${aux}`, aux, start + 1, 1);
      b.add('icmpv6.mldr.mar.nb_sources', () => `Number of Sources: ${sources}`, sources, start + 2, 2);
      b.add('icmpv6.mldr.mar.multicast_address', () => `Multicast Address: ${group}`, group, start + 4, 16);
      for (let k = 0, s = start + 20; k < sources; k++, s += 16) {
        b.need(s, 16, 'source address');
        const source = ipv6Text(data, s);
        b.add('icmpv6.mldr.mar.source_address', () => `Source Address: ${source}`, source, s, 16);
      }
      if (aux > 0) {
        const auxAt = start + 20 + sources * 16;
        const bytes = b.bytes(auxAt, aux * 4, 'auxiliary data');
        const text = bytes.toString('hex');
        b.add('icmpv6.mldr.mar.auxiliary_data', () => `Auxiliary Data: ${text}`, bytes, auxAt, aux * 4, text);
      }
    }, '');
    at = start + length;
  }
}

function pairEcho(d: Dissector, p: PacketState, type: number, id: number, seq: number, b: LayerBuilder, offset: number): string {
  let map = echoRequests.get(d);
  if (!map) echoRequests.set(d, (map = new Map()));
  // Keyed on the checksum too, as packet-icmpv6.c does: the reply's is the request's with the
  // type changed from 128 to 129 (the pseudo-header sums the same both ways).
  const checksum = b.data.readUInt16BE(offset + 2);
  if (type === 128) {
    const key = `${p.netSrc}|${p.netDst}|${id}|${seq}|${checksum}`;
    map.set(key, { frame: p.frame.number, tsNs: p.frame.tsNs });
    return laterReply(d, b, 'icmpv6', `ICMPv6 request in frame ${p.frame.number}`, `${p.frame.number}|${key}`, offset);
  }
  const key = `${p.netDst}|${p.netSrc}|${id}|${seq}|${onesAdd(checksum, 0x0100)}`;
  const found = map.get(key);
  if (found === undefined) return '';
  const request = found.frame;
  d.hindsight?.link('icmpv6.resp_in', `${request}|${key}`, p.frame.number);
  b.add('icmpv6.resp_to', () => `[Response To: ${request}]`, request, offset, 0);
  addResponseTime(b, 'icmpv6.resptime', 'Response Time', p.frame.tsNs - found.tsNs, offset);
  return ` (request in ${request})`;
}

/** Adds the options of a neighbour discovery message; returns the first source and target link-layer addresses ('' when none). */
function ndOptions(d: Dissector, b: LayerBuilder, start: number, end: number): { src: string; target: string } {
  const data = b.data;
  const found = { src: '', target: '' };
  for (let at = start; at + 2 <= end; ) {
    const type = b.u8(at, 'option type');
    const units = b.u8(at + 1, 'option length');
    const len = units * 8;
    if (len === 0) {
      b.mark('malformed', 'ICMPv6 option with length 0');
      return found;
    }
    b.need(at, len, 'ICMPv6 option');
    b.group('icmpv6.opt', () => `ICMPv6 Option (${OPT_NAMES[type] ?? 'Unknown'}${optionSummary(data, type, at, len)})`, null, at, len, () => {
      b.add('icmpv6.opt.type', () => `Type: ${OPT_NAMES[type] ?? 'Unknown'} (${type})`, type, at, 1);
      b.add('icmpv6.opt.length', () => `Length: ${units} (${len} bytes)`, units, at + 1, 1);
      if ((type === 1 || type === 2) && len === 8) {
        const mac = macText(data, at + 2);
        if (type === 1) found.src ||= mac;
        else found.target ||= mac;
        b.add('icmpv6.opt.linkaddr', () => `Link-layer address: ${d.macLabel(mac)}`, mac, at + 2, 6);
        b.add(type === 1 ? 'icmpv6.opt.src_linkaddr' : 'icmpv6.opt.target_linkaddr', () => `Link-layer address: ${d.macLabel(mac)}`, mac, at + 2, 6).hidden = true;
      } else if (type === 14) {
        // RFC 3971's Nonce (Linux sends one with the Neighbor Solicitations of Enhanced DAD).
        b.add('icmpv6.opt.nonce', () => `Nonce: ${data.toString('hex', at + 2, at + len)}`, data.subarray(at + 2, at + len), at + 2, len - 2, () => data.toString('hex', at + 2, at + len));
      } else if (type === 5 && len === 8) {
        b.add('icmpv6.opt.reserved', 'Reserved', null, at + 2, 2, '');
        b.add('icmpv6.opt.mtu', () => `MTU: ${data.readUInt32BE(at + 4)}`, data.readUInt32BE(at + 4), at + 4, 4);
      } else if (type === 3 && len === 32) {
        b.add('icmpv6.opt.prefix.length', () => `Prefix Length: ${data[at + 2]}`, data[at + 2]!, at + 2, 1);
        const flag = data[at + 3]!;
        const prefixFlag = (abbrev: string, mask: number, name: string): void => {
          b.add(abbrev, () => `${bitPicture(flag, mask, 8)} = ${name}: ${setText((flag & mask) !== 0)}`, (flag & mask) !== 0, at + 3, 1);
        };
        b.group('icmpv6.opt.prefix.flag', () => `Flag: ${hex(flag, 2)}${setNames(flag, PREFIX_FLAG_NAMES).map((n) => `, ${n}`).join('')}`, flag, at + 3, 1, () => {
          prefixFlag('icmpv6.opt.prefix.flag.l', 0x80, 'On-link flag(L)');
          prefixFlag('icmpv6.opt.prefix.flag.a', 0x40, 'Autonomous address-configuration flag(A)');
          prefixFlag('icmpv6.opt.prefix.flag.r', 0x20, 'Router address flag(R)');
          b.add('icmpv6.opt.prefix.flag.reserved', () => `${bitPicture(flag, 0x1f, 8)} = Reserved: ${flag & 0x1f}`, flag & 0x1f, at + 3, 1);
        }, () => hex(flag, 2));
        b.add('icmpv6.opt.prefix.valid_lifetime', () => `Valid Lifetime: ${data.readUInt32BE(at + 4)}`, data.readUInt32BE(at + 4), at + 4, 4);
        b.add('icmpv6.opt.prefix.preferred_lifetime', () => `Preferred Lifetime: ${data.readUInt32BE(at + 8)}`, data.readUInt32BE(at + 8), at + 8, 4);
        b.add('icmpv6.opt.reserved', 'Reserved', null, at + 12, 4, '');
        const prefix = ipv6Text(data, at + 16);
        b.add('icmpv6.opt.prefix', () => `Prefix: ${prefix}`, prefix, at + 16, 16);
      }
    }, '');
    at += len;
  }
  return found;
}

/** RFC 4191's Default Router Preference names, as packet-icmpv6.c shows them. */
const PREFERENCES = ['Medium', 'High', 'Reserved', 'Low'];
const RA_FLAG_NAMES: ReadonlyArray<[number, string]> = [[0x80, 'Managed address configuration'], [0x40, 'Other configuration'], [0x20, 'Home Agent'], [0x04, 'Proxy']];
const NA_FLAG_NAMES: ReadonlyArray<[number, string]> = [[0x80000000, 'Router'], [0x40000000, 'Solicited'], [0x20000000, 'Override']];
const PREFIX_FLAG_NAMES: ReadonlyArray<[number, string]> = [[0x80, 'On-link flag(L)'], [0x40, 'Autonomous address-configuration flag(A)'], [0x20, 'Router address flag(R)']];

/** The names of the flags set, as a flags item's label lists them. */
function setNames(flags: number, names: ReadonlyArray<[number, string]>): string[] {
  return names.filter(([mask]) => (flags & mask) !== 0).map(([, name]) => name);
}

/** What an option's heading adds after its name (" : 00:0c:29:2f:80:31", " : 1500", " : 2001:db8::/64"). */
function optionSummary(data: Buffer, type: number, at: number, len: number): string {
  if ((type === 1 || type === 2) && len === 8) return ` : ${macText(data, at + 2)}`;
  if (type === 5 && len === 8) return ` : ${data.readUInt32BE(at + 4)}`;
  if (type === 3 && len === 32) return ` : ${ipv6Text(data, at + 16)}/${data[at + 2]}`;
  return '';
}

/** Parameter Problem codes (RFC 4443, RFC 7112), as packet-icmpv6.c names them. */
const PARAMETER_PROBLEMS: readonly string[] = [
  'erroneous header field encountered', 'unrecognized Next Header type encountered', 'unrecognized IPv6 option encountered',
  'IPv6 First Fragment has incomplete IPv6 Header Chain',
];
