/**
 * NBMA Next Hop Resolution Protocol (RFC 2332, GRE protocol type 0x2001; IP protocol 54) as tshark
 * 4.0 shows it: the fixed header (address family, protocol type, hop count, length, checksum,
 * extension offset, version, packet type, address type/lengths), the mandatory part (request ID and
 * flags, or an error code, then the source NBMA / protocol addresses and the destination), client
 * information entries, then extensions (CIE lists, authentication, vendor-private, device
 * capabilities). A traffic or error indication quotes the packet that caused it, dissected as an
 * ICMP error's quote is (columns untouched).
 * Info: "NHRP Registration Request, ID=5", "NHRP Resolution Reply, ID=5, Code=Success".
 *
 * Wireshark's quirks are kept, since the fields must come out as tshark prints them: with a SNAP
 * long-form protocol type the header reads on two bytes too early (the PID is not stepped over), and a
 * CIE's NBMA sub-address is not stepped over before its protocol address.
 */
import { dissectSafely, hex, LayerBuilder } from './builder';
import { onesComplementSum } from './checksum';
import type { Dissector } from './dissector';
import { bitPicture, ipv4Text } from './format';
import { ethertypeName } from './link';
import { CISCO_PIDS } from './llc';
import { NORTEL_PIDS, OUI_NORTEL } from './ndp';
import type { PacketState } from './packet-state';
import { checksumShouldBe, statusSuffix } from './routing-common';

/** GRE protocol type of NHRP. */
export const GRE_NHRP = 0x2001;
/** IP protocol number of NHRP ("NBMA ARP"). */
export const IPPROTO_NHRP = 54;

const OP_TYPES: Record<number, string> = {
  1: 'NHRP Resolution Request', 2: 'NHRP Resolution Reply', 3: 'NHRP Registration Request', 4: 'NHRP Registration Reply',
  5: 'NHRP Purge Request', 6: 'NHRP Purge Reply', 7: 'NHRP Error Indication', 8: 'NHRP Traffic Indication',
};
const EXT_TYPES: Record<number, string> = {
  0: 'End of Extension', 3: 'Responder Address Extension', 4: 'Forward Transit NHS Record Extension',
  5: 'Reverse Transit NHS Record Extension', 7: 'NHRP Authentication Extension', 8: 'NHRP Vendor Private Extension',
  9: 'Cisco NAT Address Extension', 10: 'Mobile NHC Authentication Extension',
};
const ERROR_CODES: Record<number, string> = {
  1: 'Unrecognized Extension', 3: 'NHRP Loop Detected', 6: 'Protocol Address Unreachable', 7: 'Protocol Error',
  8: 'NHRP SDU Size Exceeded', 9: 'Invalid Extension', 10: 'Invalid NHRP Resolution Reply Received', 11: 'Authentication Failure',
  15: 'Hop Count Exceeded', 16: 'VPN Mismatch', 17: 'VPN Unsupported',
};
const CIE_CODES: Record<number, string> = {
  0: 'Success', 4: 'Administratively Prohibited', 5: 'Insufficient Resources',
  12: 'No Interworking Layer Address to NBMA Address Binding Exists', 13: 'Binding Exists But Is Not Unique',
  14: 'Unique Internetworking Layer Address Already Registered',
};
/** Wireshark's afn_vals (tshark -G values, nhrp.hdr.afn). */
const AFN_NAMES: Record<number, string> = {
  0: 'Reserved', 1: 'IPv4', 2: 'IPv6', 3: 'NSAP', 4: 'HDLC (8-bit multidrop)', 5: 'BBN 1822', 6: '802 (includes all 802 media plus Ethernet)',
  7: 'E.163', 8: 'E.164 (SMDS, Frame Relay, ATM)', 9: 'F.69 (Telex)', 10: 'X.121 (X.25, Frame Relay)', 11: 'IPX', 12: 'Appletalk',
  13: 'Decnet IV', 14: 'Banyan Vines', 15: 'E.164 with NSAP subaddress', 16: 'DNS (Domain Name System)', 17: 'Distinguished Name',
  18: 'AS Number', 19: 'XTP over IP version 4', 20: 'XTP over IP version 6', 21: 'XTP native mode XTP', 22: 'Fibre Channel World-Wide Port Name',
  23: 'Fibre Channel World-Wide Node Name', 24: 'GWID', 25: 'Layer-2 VPN', 196: 'Layer-2 VPN (old)', 26: 'MPLS-TP Section Endpoint Identifier',
  27: 'MPLS-TP LSP Endpoint Identifier', 28: 'MPLS-TP Pseudowire Endpoint Identifier', 29: 'MT IP: Multi-Topology IP version 4',
  30: 'MT IPv6: Multi-Topology IP version 6', 16384: 'EIGRP Common Service Family', 16385: 'EIGRP IPv4 Service Family',
  16386: 'EIGRP IPv6 Service Family', 16387: 'LISP Canonical Address Format (LCAF)', 16388: 'BGP-LS', 16389: '48-bit MAC Address',
  16390: '64-bit MAC Address', 16391: 'OUI',
};
/** Wireshark's nlpid_vals (tshark -G values, osi.nlpid). */
export const NLPID_NAMES: Record<number, string> = {
  0x00: 'NULL', 0x01: 'X.29', 0x03: 'X.633', 0x08: 'Q.931', 0x09: 'Q.2931', 0x0c: 'Q.2119', 0x80: 'SNAP', 0x81: 'CLNP', 0x82: 'ESIS',
  0x83: 'ISIS', 0x85: 'IDRP', 0x8f: 'Avaya SPBM Fabric IPVPN', 0x8a: 'ESIS (X.25)', 0x8c: 'ISO 10030', 0x8d: 'ISO 11577',
  0xb0: 'Data compression protocol', 0xcc: 'IP', 0xc0: 'TRILL', 0xc1: 'SubNetwork Dependent Convergence Function', 0x8e: 'IPv6', 0xcf: 'PPP',
};
const SHTL_TYPES = ['NSAP format', 'Native E.164 format'];
const OUI_CISCO = 0x00000c;
const OUI_NAMES: Record<number, string> = { 0x000000: 'Officially Xerox, but', [OUI_CISCO]: 'Cisco Systems, Inc', [OUI_NORTEL]: 'Bay Networks' };
const AFN_INET = 1;
const NLPID_SNAP = 0x80;

/** Packet types whose mandatory part has request flags (requests: CIE codes are not in Info). */
const REQUESTS = new Set([1, 3, 5]);

function protocolTypeName(type: number): string {
  if (type <= 0xff) return NLPID_NAMES[type] ?? 'Unknown NLPID';
  if (type <= 0x3ff) return 'Reserved for future use by the IETF';
  if (type <= 0x4ff) return 'Allocated for use by the ATM Forum';
  if (type <= 0x5ff) return 'Experimental/Local use';
  const name = ethertypeName(type);
  return name === 'Unknown' ? 'Unknown Ethertype' : name;
}

interface Header {
  afn: number;
  proType: number;
  oui: number;
  pid: number;
  opType: number;
  shtl: number;
  sstl: number;
}

/** What one NHRP dissection (the packet, or one quoted in an error indication) reports back. */
interface Outcome {
  info: string;
  /** Where a quoted packet starts and how to dissect it (traffic indications), or -1. */
  quoteAt: number;
  header: Header | null;
}

export function dissectNhrp(d: Dissector, p: PacketState, data: Buffer, offset: number, end: number): number | void {
  const b = new LayerBuilder(data, 'nhrp', 'Next Hop Resolution Protocol', offset, end, p.selection);
  const out: Outcome = { info: '', quoteAt: -1, header: null };
  dissectSafely(b, () => nhrpPdu(b, offset, end, false, true, out));
  p.addLayer(b.layer);
  p.setProtocol('NHRP', out.info + statusSuffix(b.layer));
  // The quoted packet of a traffic indication goes by the protocol type; like an ICMP error's
  // quote (Wireshark sets in_error_pkt) it leaves the columns alone.
  if (out.quoteAt >= 0 && out.header) {
    p.quoted++;
    quoted(d, p, out.header, data, out.quoteAt, end);
    p.quoted--;
  }
  return end;
}

function quoted(d: Dissector, p: PacketState, h: Header, data: Buffer, at: number, end: number): void {
  const type = h.proType;
  if (type <= 0xff) {
    if (type === NLPID_SNAP && h.oui === 0) d.byEthertype(p, h.pid, data, at, end);
    else if (type === 0xcc) d.byEthertype(p, 0x0800, data, at, end);
    else if (type === 0x8e) d.byEthertype(p, 0x86dd, data, at, end);
    else d.data(p, data, at, end);
  } else if (type < 0x600) d.data(p, data, at, end);
  else d.byEthertype(p, type, data, at, end);
}

/**
 * One NHRP packet from `start` to `end` (Wireshark's tvb); `nested` for a packet quoted in an
 * error indication (no columns, no check for data after the extensions).
 */
function nhrpPdu(b: LayerBuilder, start: number, end: number, nested: boolean, codeinfo: boolean, out: Outcome): void {
  const data = b.data;
  // Wireshark reads the packet type (byte 17) first, for the columns and the title.
  const opType = b.u8(start + 17, 'packet type');
  const opName = OP_TYPES[opType] ?? `0x${opType.toString(16).toUpperCase().padStart(2, '0')} - unknown`;
  if (!nested) {
    out.info = opName;
    b.title(() => `Next Hop Resolution Protocol (${opName})`);
  }
  const h: Header = { afn: 0, proType: 0, oui: 0, pid: 0, opType, shtl: 0, sstl: 0 };
  let mandLen = 0;
  let extLen = 0;
  let at = start;
  let ok = false;
  b.group('', 'NHRP Fixed Header', null, start, 20, () => {
    h.afn = b.u16(at, 'address family');
    b.add('nhrp.hdr.afn', () => `Address Family Number: ${AFN_NAMES[h.afn] ?? 'Unknown'} (${hex(h.afn, 4)})`, h.afn, at, 2, () => hex(h.afn, 4));
    at += 2;
    h.proType = b.u16(at, 'protocol type');
    b.add('nhrp.hdr.pro.type', () => `Protocol Type (short form): ${protocolTypeName(h.proType)} (${hex(h.proType, 4)})`, h.proType, at, 2, () => hex(h.proType, 4));
    at += 2;
    if (h.proType === NLPID_SNAP) {
      b.need(at, 3, 'OUI');
      h.oui = data.readUIntBE(at, 3);
      const ouiName = OUI_NAMES[h.oui];
      // BASE_OUI: formatted into 32 bytes (a long name is cut, as llc.oui's).
      b.add('nhrp.hdr.pro.snap.oui', () => `Protocol Type (long form) - OUI: ${`${ouiText(h.oui)}${ouiName ? ` (${ouiName})` : ''}`.slice(0, 31)}`, h.oui, at, 3);
      at += 3;
      // Wireshark adds the PID but does not step over it: what follows is read from the PID on.
      h.pid = b.u16(at, 'PID');
      // An OUI with its own SNAP PID table gets LLC's PID field for it.
      const pid = h.pid;
      if (h.oui === OUI_CISCO) b.add('llc.cisco_pid', () => `PID: ${CISCO_PIDS[pid] ?? 'Unknown'} (${hex(pid, 4)})`, pid, at, 2, () => hex(pid, 4));
      else if (h.oui === OUI_NORTEL) b.add('llc.nortel_pid', () => `PID: ${NORTEL_PIDS[pid] ?? 'Unknown'} (${hex(pid, 4)})`, pid, at, 2, () => hex(pid, 4));
      else b.add('nhrp.hdr.pro.snap.pid', () => `Protocol Type (long form) - PID: ${hex(pid, 4)}`, pid, at, 2, () => hex(pid, 4));
    } else {
      b.need(at, 5, 'long form protocol type');
      const long = data.toString('hex', at, at + 5);
      b.add('nhrp.protocol_type', () => `Protocol Type (long form): ${long}`, data.subarray(at, at + 5), at, 5, long);
      at += 5;
    }
    const hops = b.u8(at, 'hop count');
    b.add('nhrp.hdr.hopcnt', () => `Hop Count: ${hops}`, hops, at, 1);
    at += 1;
    const pktsz = b.u16(at, 'packet length');
    b.add('nhrp.hdr.pktsz', () => `Packet Length: ${pktsz}`, pktsz, at, 2);
    if (pktsz < 20) {
      b.add('nhrp.hdr.pktsz.invalid', 'Expert Info (Error/Malformed): Packet length is less than the fixed header length', null, at, 2, '1');
      return;
    }
    at += 2;
    const checksum = b.u16(at, 'checksum');
    // Verified over the packet length when all of it was captured (tvb_bytes_exist), else unverified.
    const whole = start + pktsz <= Math.min(end, data.length);
    const sum = whole && (b.wants('nhrp.hdr.chksum') || b.wants('nhrp.hdr.chksum.status') || b.wants('nhrp.hdr.bad_checksum')) ? onesComplementSum(data, start, start + pktsz) : -1;
    const computed = sum < 0 ? 0 : ~sum & 0xffff;
    const status = sum < 0 ? 2 : computed === 0 ? 1 : 0;
    const csAt = at;
    b.add('nhrp.hdr.chksum', () =>
      `NHRP Packet Checksum: ${hex(checksum, 4)} ${status === 2 ? '[unverified]' : status === 1 ? '[correct]' : `incorrect, should be ${hex(checksumShouldBe(checksum, computed), 4)}`}`,
    checksum, csAt, 2, () => hex(checksum, 4));
    b.add('nhrp.hdr.chksum.status', () => `[NHRP Packet Checksum Status: ${['Bad', 'Good', 'Unverified'][status]}]`, status, csAt, 0);
    if (status === 0) b.add('nhrp.hdr.bad_checksum', 'Expert Info (Error/Checksum): Bad checksum', null, csAt, 2, '1');
    at += 2;
    const extoff = b.u16(at, 'extension offset');
    b.add('nhrp.hdr.extoff', () => `Extension Offset: ${extoff}`, extoff, at, 2);
    const bogus = extoff !== 0 && (extoff < 20 || extoff > pktsz);
    if (bogus) b.add('nhrp.hdr.extoff.invalid', 'Expert Info (Error/Malformed): Extension offset is less than the fixed header length or larger than the packet size', null, at, 2, '1');
    at += 2;
    const version = b.u8(at, 'version');
    b.add('nhrp.hdr.version', () => `Version: ${version} (${version === 1 ? 'NHRP - rfc2332' : 'Unknown'})`, version, at, 1);
    at += 1;
    const op = b.u8(at, 'packet type');
    b.add('nhrp.hdr.op.type', () => `NHRP Packet Type: ${OP_TYPES[op] ?? 'Unknown'} (${op})`, op, at, 1);
    at += 1;
    h.shtl = b.u8(at, 'source address type/length');
    typeLength(b, 'nhrp.hdr.shtl', 'Source Address Type/Len', h.shtl, at);
    at += 1;
    h.sstl = b.u8(at, 'source subaddress type/length');
    typeLength(b, 'nhrp.hdr.sstl', 'Source SubAddress Type/Len', h.sstl, at);
    at += 1;
    if (bogus) return;
    if (extoff !== 0) {
      mandLen = extoff - 20;
      extLen = pktsz - extoff;
    } else mandLen = pktsz - 20;
    ok = true;
  });
  if (!ok) return;
  out.header = h;
  let srcLen = 0;
  if (mandLen) {
    const mandEnd = at + mandLen;
    const quote = { at: -1 };
    b.group('', 'NHRP Mandatory Part', null, at, mandLen, () => {
      srcLen = mandatory(b, h, at, mandEnd, codeinfo, nested, out, quote);
    });
    if (quote.at >= 0) {
      // An error indication's errored packet: NHRP again, in its own subtree (no CIE codes in Info).
      const q = quote.at;
      b.group('', 'Packet Causing Indication', null, q, Math.max(0, end - q), () => {
        const op = b.u8(q + 17, 'packet type');
        b.group('', `Next Hop Resolution Protocol (${OP_TYPES[op] ?? `0x${op.toString(16).toUpperCase().padStart(2, '0')} - unknown`})`, null, q, Math.max(0, end - q), () =>
          nhrpPdu(b, q, end, true, false, out));
      });
    }
    at = mandEnd;
  }
  if (extLen) extensions(b, h, at, at + extLen, end, srcLen, nested);
}

function mandatory(b: LayerBuilder, h: Header, start: number, mandEnd: number, codeinfo: boolean, nested: boolean, out: Outcome, quote: { at: number }): number {
  const isReq = REQUESTS.has(h.opType);
  const isErr = h.opType === 7;
  const isInd = isErr || h.opType === 8;
  let at = start;
  const srcLen = b.u8(at, 'source protocol length');
  b.add('nhrp.src.prot.len', () => `Source Protocol Len: ${srcLen}`, srcLen, at, 1);
  at += 1;
  const dstLen = b.u8(at, 'destination protocol length');
  b.add('nhrp.dst.prot.len', () => `Destination Protocol Len: ${dstLen}`, dstLen, at, 1);
  at += 1;
  if (!isInd) {
    flags(b, h.opType, at);
    at += 2;
    const id = b.u32(at, 'request ID');
    // Also for a packet quoted in an error indication (Wireshark appends it there too).
    out.info += `, ID=${id}`;
    b.add('nhrp.reqid', () => `Request ID: ${hex(id, 8)} (${id})`, id, at, 4, () => hex(id, 8));
    at += 4;
  } else if (isErr) {
    at += 2;
    const code = b.u16(at, 'error code');
    const name = ERROR_CODES[code] ?? `Unknown Error (${code})`;
    out.info += `, ${name}`;
    b.add('nhrp.err.code', () => `Error Code: ${ERROR_CODES[code] ?? 'Unknown'} (${code})`, code, at, 2);
    at += 2;
    const errOffset = b.u16(at, 'error offset');
    b.add('nhrp.err.offset', () => `Error Offset: ${errOffset}`, errOffset, at, 2);
    at += 2;
  } else at += 6;
  const shl = h.shtl & 0x3f;
  if (shl) {
    if (h.afn === AFN_INET && shl === 4) address(b, 'nhrp.src.nbma.addr', 'Source NBMA Address', at);
    else bytesField(b, 'nhrp.src.nbma.addr_bytes', 'Source NBMA Address', at, shl);
    at += shl;
  }
  const ssl = h.sstl & 0x3f;
  if (ssl) {
    bytesField(b, 'nhrp.src.nbma.saddr', 'Source NBMA Sub Address', at, ssl);
    at += ssl;
  }
  if (srcLen === 4) address(b, 'nhrp.src.prot.addr', 'Source Protocol Address', at);
  else if (srcLen) bytesField(b, 'nhrp.src.prot.addr_bytes', 'Source Protocol Address', at, srcLen);
  at += srcLen;
  if (dstLen === 4) address(b, 'nhrp.dst.prot.addr', 'Destination Protocol Address', at);
  else if (dstLen) bytesField(b, 'nhrp.dst.prot.addr_byets', 'Destination Protocol Address', at, dstLen);
  at += dstLen;
  if (isInd) {
    // The errored NHRP packet is dissected after this part (see nhrpPdu); the packet behind a traffic
    // indication by its protocol type (see dissectNhrp).
    if (isErr) quote.at = at;
    else out.quoteAt = at;
    at = mandEnd;
  }
  cieList(b, h, at, mandEnd, isReq, codeinfo && !nested, out);
  return srcLen;
}

function flags(b: LayerBuilder, opType: number, at: number): void {
  const v = b.u16(at, 'flags');
  type Bit = [string, number, string];
  const nat: Bit = ['nhrp.flag.nat', 0x0002, 'Cisco NAT Supported'];
  const bits: Bit[] =
    opType === 1 || opType === 2
      ? [['nhrp.flag.q', 0x8000, 'Is Router'], ['nhrp.flag.a', 0x4000, 'Authoritative'], ['nhrp.flag.d', 0x2000, 'Stable Association'],
        ['nhrp.flag.u', 0x1000, 'Uniqueness Bit'], ['nhrp.flag.s', 0x0800, 'Stable Binding'], nat]
      : opType === 3 || opType === 4
        ? [['nhrp.flag.u', 0x8000, 'Uniqueness Bit'], nat]
        : opType === 5 || opType === 6
          ? [['nhrp.flag.n', 0x8000, 'Expected Purge Reply'], nat]
          : [nat];
  b.group('nhrp.flags', () => {
    const set = bits.filter(([, mask]) => v & mask).map(([, , name]) => name);
    return `Flags: ${hex(v, 4)}${set.length ? `, ${set.join(', ')}` : ''}`;
  }, v, at, 2, () => {
    for (const [abbrev, mask, name] of bits) {
      b.add(abbrev, () => `${bitPicture(v, mask, 16)} = ${name}: ${v & mask ? 'True' : 'False'}`, (v & mask) !== 0, at, 2);
    }
  }, () => hex(v, 4));
}

function cieList(b: LayerBuilder, h: Header, start: number, cieEnd: number, isReq: boolean, codeinfo: boolean, out: Outcome): void {
  let at = start;
  while (at + 12 <= cieEnd) {
    const addrLen = b.u8(at + 8, 'client address length');
    const saddrLen = b.u8(at + 9, 'client subaddress length');
    const protLen = b.u8(at + 10, 'client protocol length');
    const cieAt = at;
    // Wireshark adds the entry's item first, with its whole length: it must fit.
    b.need(at, 12 + addrLen + saddrLen + protLen, 'client information entry');
    b.group('', 'Client Information Entry', null, at, 12 + addrLen + saddrLen + protLen, () => {
      const code = b.u8(cieAt, 'code');
      if (!isReq && codeinfo) out.info += `, Code=${CIE_CODES[code] ?? `Unknown (${code})`}`;
      b.add('nhrp.code', () => `Code: ${CIE_CODES[code] ?? 'Unknown'} (${code})`, code, cieAt, 1);
      const prefix = b.u8(cieAt + 1);
      b.add('nhrp.prefix', () => `Prefix Length: ${prefix}`, prefix, cieAt + 1, 1);
      const unused = b.u16(cieAt + 2);
      b.add('nhrp.unused', () => `Unused: ${unused}`, unused, cieAt + 2, 2);
      const mtu = b.u16(cieAt + 4);
      b.add('nhrp.mtu', () => `Max Transmission Unit: ${mtu}`, mtu, cieAt + 4, 2);
      const htime = b.u16(cieAt + 6);
      b.add('nhrp.htime', () => `Holding Time (s): ${htime}`, htime, cieAt + 6, 2);
      typeLength(b, 'nhrp.cli.addr_tl', 'Client Address Type/Len', addrLen, cieAt + 8);
      typeLength(b, 'nhrp.cli.saddr_tl', 'Client Sub Address Type/Len', saddrLen, cieAt + 9);
      b.add('nhrp.prot.len', () => `Client Protocol Length: ${protLen}`, protLen, cieAt + 10, 1);
      const pref = b.u8(cieAt + 11);
      b.add('nhrp.pref', () => `CIE Preference Value: ${pref}`, pref, cieAt + 11, 1);
      at = cieAt + 12;
      // The lengths are the whole type/length bytes, as Wireshark takes them.
      if (addrLen) {
        if (h.afn === AFN_INET && addrLen === 4) address(b, 'nhrp.client.nbma.addr', 'Client NBMA Address', at);
        else bytesField(b, 'nhrp.client.nbma.addr_bytes', 'Client NBMA Address', at, addrLen);
        at += addrLen;
      }
      // Wireshark adds the sub-address but reads the protocol address from the same place.
      if (saddrLen) bytesField(b, 'nhrp.client.nbma.saddr', 'Client NBMA Sub Address', at, saddrLen);
      if (protLen) {
        if (protLen === 4) address(b, 'nhrp.client.prot.addr', 'Client Protocol Address', at);
        else bytesField(b, 'nhrp.client.prot.addr_bytes', 'Client Protocol Address', at, protLen);
        at += protLen;
      }
    });
  }
}

function extensions(b: LayerBuilder, h: Header, start: number, extEnd: number, end: number, srcLen: number, nested: boolean): void {
  const data = b.data;
  let at = start;
  while (at + 4 <= extEnd) {
    const typeC = b.u16(at, 'extension type');
    const type = typeC & 0x3fff;
    const len = b.u16(at + 2, 'extension length');
    const devcap = type === 9 && len === 8;
    const title = devcap ? 'Device Capabilities Extension' : EXT_TYPES[type] ?? `Unknown (${type})`;
    const extAt = at;
    const shown = type !== 0 && len ? 4 + len : 4;
    b.group('', title, null, extAt, shown, () => {
      b.add('nhrp.ext.c', () => `${bitPicture(typeC, 0x8000, 16)} = Compulsory Flag: ${typeC & 0x8000 ? 'True' : 'False'}`, (typeC & 0x8000) !== 0, extAt, 2);
      b.add('nhrp.ext.type', () => `${bitPicture(typeC, 0x3fff, 16)} = Extension Type: ${hex(type, 4)}`, type, extAt, 2, () => hex(type, 4));
      b.add('nhrp.ext.len', () => `Extension length: ${len}`, len, extAt + 2, 2);
      const value = extAt + 4;
      if (!len || type === 0) return;
      if (devcap) {
        const src = b.u32(value);
        const dst = b.u32(value + 4);
        b.group('', () => `Extension Data: Src is ${src & 1 ? '' : 'non-'}VPN-aware; Dst is ${dst & 1 ? '' : 'non-'}VPN-aware`, null, value, 8, () => {
          b.group('nhrp.devcap_ext.srccap', () => `Source Capabilities: ${hex(src, 8)}`, src, value, 4, () => {
            b.add('nhrp.devcap_ext.srccap.V', () => `${bitPicture(src, 1, 32)} = VPN-aware: ${src & 1 ? 'True' : 'False'}`, (src & 1) !== 0, value, 4);
          }, () => hex(src, 8));
          b.group('nhrp.devcap_ext.dstcap', () => `Destination Capabilities: ${hex(dst, 8)}`, dst, value + 4, 4, () => {
            b.add('nhrp.devcap_ext.dstcap.V', () => `${bitPicture(dst, 1, 32)} = VPN-aware: ${dst & 1 ? 'True' : 'False'}`, (dst & 1) !== 0, value + 4, 4);
          }, () => hex(dst, 8));
        });
        return;
      }
      if (type === 3 || type === 4 || type === 5 || type === 9) {
        cieList(b, h, value, value + len, false, false, { info: '', quoteAt: -1, header: null });
      } else if (type === 7 || type === 10) {
        authentication(b, value, len, srcLen);
      } else if (type === 8) {
        if (len < 3) b.add('nhrp.ext.malformed', 'Incomplete Vendor-Private Extension', null, value, len);
        else {
          b.need(value, 3, 'vendor ID');
          const id = data.readUIntBE(value, 3);
          const more = len > 3 ? b.bytes(value + 3, len - 3).toString('hex') : '';
          b.group('', () => `Extension Data: Vendor ID=${OUI_NAMES[id] ?? 'Unknown'}, Data=${len > 3 ? more : '<none>'}`, null, value, len, () => {
            b.add('nhrp.vendor_ext.id', () => `Vendor ID: ${id}`, id, value, 3);
            if (len > 3) b.add('nhrp.vendor_ext.data', () => `Data: ${more}`, data.subarray(value + 3, value + len), value + 3, len - 3, more);
          });
        }
      } else {
        const v = b.bytes(value, len).toString('hex');
        b.add('nhrp.unknown_ext.value', () => `Extension Value: ${v}`, data.subarray(value, value + len), value, len, v);
      }
    });
    at = extAt + shown;
    if (!nested && type === 0 && at < end) {
      b.add('nhrp.ext.extra', () => `Unknown Data (${end - at} bytes)`, null, at, end - at);
      break;
    }
  }
}

function authentication(b: LayerBuilder, value: number, len: number, srcLen: number): void {
  const data = b.data;
  if (len < 4 + srcLen) {
    b.add('nhrp.ext.malformed', 'Incomplete Authentication Extension', null, value, len);
    return;
  }
  const reserved = b.u16(value);
  const spi = b.u16(value + 2);
  const dataLen = len - 4 - srcLen;
  const authData = dataLen > 0 ? b.bytes(value + 4 + srcLen, dataLen).toString('hex') : '';
  b.need(value, len, 'authentication extension');
  b.group('', () => `Extension Data: SPI=${spi}${dataLen > 0 ? `: Data=${authData}` : ''}`, null, value, len, () => {
    b.add('nhrp.auth_ext.reserved', () => `Reserved: ${reserved}`, reserved, value, 2);
    b.add('nhrp.auth_ext.spi', () => `SPI: ${spi}`, spi, value + 2, 2);
    if (srcLen === 4) address(b, 'nhrp.auth_ext.src_addr', 'Source Address', value + 4);
    else if (srcLen) bytesField(b, 'nhrp.auth_ext.src_addr_bytes', 'Source Address', value + 4, srcLen);
    if (dataLen > 0) b.add('nhrp.auth_ext.data', () => `Data: ${authData}`, data.subarray(value + 4 + srcLen, value + len), value + 4 + srcLen, dataLen, authData);
  });
}

/** A type/length byte: "NSAP format/4" with its type bit and length. */
function typeLength(b: LayerBuilder, abbrev: string, name: string, v: number, at: number): void {
  const type = (v & 0x40) >> 6;
  const typeName = SHTL_TYPES[type]!;
  b.group(abbrev, () => `${name}: ${typeName}/${v & 0x3f}`, v, at, 1, () => {
    b.add(`${abbrev}.type`, () => `${bitPicture(v, 0x40, 8)} = Type: ${typeName} (${type})`, type, at, 1);
    b.add(`${abbrev}.len`, () => `${bitPicture(v, 0x3f, 8)} = Length: ${v & 0x3f}`, v & 0x3f, at, 1);
  });
}

function address(b: LayerBuilder, abbrev: string, name: string, at: number): void {
  b.need(at, 4, name);
  const text = ipv4Text(b.data, at);
  b.add(abbrev, () => `${name}: ${text}`, text, at, 4);
}

function bytesField(b: LayerBuilder, abbrev: string, name: string, at: number, length: number): void {
  const v = b.bytes(at, length, name);
  const text = v.toString('hex');
  b.add(abbrev, () => `${name}: ${text}`, v, at, length, text);
}

function ouiText(oui: number): string {
  const h = oui.toString(16).padStart(6, '0');
  return `${h.slice(0, 2)}:${h.slice(2, 4)}:${h.slice(4, 6)}`;
}

