/**
 * MPLS LSP ping/traceroute (RFC 8029; UDP 3503) as tshark 4.0 shows it
 * (epan/dissectors/packet-mpls-echo.c): version, global flags, message type, reply mode, return
 * code and subcode, sender's handle, sequence number and the two NTP-format timestamps, then the
 * TLVs by type and length; a Target FEC Stack's sub-TLVs by type and length, with the LDP IPv4
 * prefix element's prefix, prefix length and padding, the RSVP IPv4 (and P2MP IPv4) session query's
 * fields, an unknown TLV's value. Protocol "MPLS ECHO", Info the message type.
 * A payload of fewer than 5 bytes or of another version than 1 is declined (data), as Wireshark does.
 * Left out: the values of the other known TLVs and FEC elements (downstream mappings, pads, IPv6 and VPN elements).
 */
import { dissectSafely, hex, LayerBuilder } from './builder';
import { ipv4Text, ntpTimestampText } from './app-format';
import { bitPicture } from './format';
import { dataLayer } from './hsrp';
import type { AppDissector, AppResult } from './model';

export const MPLS_ECHO_PORT = 3503;
const HEADER = 32;

const MESSAGE_TYPES: Record<number, string> = {
  1: 'MPLS Echo Request', 2: 'MPLS Echo Reply', 3: 'MPLS Data Plane Verification Request', 4: 'MPLS Data Plane Verification Reply',
};
const REPLY_MODES: Record<number, string> = {
  1: 'Do not reply', 2: 'Reply via an IPv4/IPv6 UDP packet', 3: 'Reply via an IPv4/IPv6 UDP packet with Router Alert',
  4: 'Reply via application level control channel',
};
const RETURN_CODES: Record<number, string> = {
  0: 'No return code', 1: 'Malformed echo request received', 2: 'One or more of the TLVs was not understood',
  3: 'Replying router is an egress for the FEC at stack depth RSC', 4: 'Replying router has no mapping for the FEC at stack depth RSC',
  5: 'Downstream Mapping Mismatch', 6: 'Upstream Interface Index Unknown', 7: 'Reserved', 8: 'Label switched at stack-depth RSC',
  9: 'Label switched but no MPLS forwarding at stack-depth RSC', 10: 'Mapping for this FEC is not the given label at stack depth RSC',
  11: 'No label entry at stack-depth RSC', 12: 'Protocol not associated with interface at FEC stack depth RSC',
  13: 'Premature termination, label stack shrinking to a single label', 14: 'See DDM TLV for meaning of Return Code and Return SubCode',
  15: 'Label switched with FEC change',
};
const TLV_TYPES: Record<number, string> = {
  1: 'Target FEC Stack', 2: 'Downstream Mapping', 3: 'Pad', 4: 'Error Code', 5: 'Vendor Enterprise Code', 6: 'TDB',
  7: 'IPv4 Interface and Label Stack Object', 8: 'IPv6 Interface and Label Stack Object', 9: 'Errored TLVs', 10: 'Reply TOS Byte',
  11: 'P2MP Responder Identifier', 12: 'P2MP Echo Jitter', 13: 'Source Identifier TLV', 14: 'Destination Identifier TLV',
  15: 'BFD Discriminator TLV', 16: 'Reverse-path Target FEC Stack', 20: 'Detailed Downstream Mapping', 64512: 'Vendor Private',
};
const FEC_TYPES: Record<number, string> = {
  1: 'LDP IPv4 prefix', 2: 'LDP IPv6 prefix', 3: 'RSVP IPv4 Session Query', 4: 'RSVP IPv6 Session Query', 5: 'Reserved', 6: 'VPN IPv4 prefix',
  7: 'VPN IPv6 prefix', 8: 'L2 VPN endpoint', 9: 'FEC 128 Pseudowire - IPv4 (Deprecated)', 10: 'FEC 128 Pseudowire - IPv4',
  11: 'FEC 129 Pseudowire - IPv4', 12: 'BGP labeled IPv4 prefix', 13: 'BGP labeled IPv6 prefix', 14: 'Generic IPv4 prefix',
  15: 'Generic IPv6 prefix', 16: 'Nil FEC', 17: 'RSVP P2MP IPv4 Session Query', 18: 'RSVP P2MP IPv6 Session Query',
};

/** Wireshark declines a payload of fewer than 5 captured bytes or whose version is not 1 (it is data). */
export function looksLikeMplsEcho(data: Buffer, offset: number, end: number): boolean {
  return Math.min(end, data.length) - offset >= 5 && data.readUInt16BE(offset) === 1;
}

export const mplsEchoDissector: AppDissector = {
  protocol: 'mpls-echo',
  fieldPrefixes: ['mpls_echo'],
  udpPorts: [MPLS_ECHO_PORT],
  claims: (data, offset, end) => looksLikeMplsEcho(data, offset, end),
  dissect: (data, offset, end, ctx) => {
    const stop = Math.min(end, data.length);
    if (!looksLikeMplsEcho(data, offset, end)) {
      return { layers: stop > offset ? [dataLayer(data, offset, stop, ctx.fields)] : [], protocolColumn: '', info: '' };
    }
    return dissectMplsEcho(data, offset, end, ctx.fields);
  },
};

export function dissectMplsEcho(data: Buffer, offset: number, end: number, selection?: ReadonlySet<string>): AppResult {
  const b = new LayerBuilder(data, 'mpls-echo', 'Multiprotocol Label Switching Echo', offset, end, selection);
  let info = '';
  dissectSafely(b, () => {
    const version = b.u16(offset, 'version');
    b.add('mpls_echo.version', () => `Version: ${version}`, version, offset, 2);
    const flags = b.u16(offset + 2, 'global flags');
    b.group('mpls_echo.flags', () => `Global Flags: ${hex(flags, 4)}`, flags, offset + 2, 2, () => {
      b.add('mpls_echo.flag_sbz', () => `${bitPicture(flags, 0xfff8, 16)} = Reserved: ${hex(flags & 0xfff8, 4)}`, flags & 0xfff8, offset + 2, 2, () => hex(flags & 0xfff8, 4));
      const flag = (mask: number, name: string, abbrev: string) =>
        b.add(abbrev, () => `${bitPicture(flags, mask, 16)} = ${name}: ${(flags & mask) !== 0 ? 'True' : 'False'}`, (flags & mask) !== 0, offset + 2, 2);
      flag(0x1, 'Validate FEC Stack', 'mpls_echo.flag_v');
      flag(0x2, 'Respond only if TTL expired', 'mpls_echo.flag_t');
      flag(0x4, 'Validate Reverse Path', 'mpls_echo.flag_r');
    }, () => hex(flags, 4));
    const type = b.u8(offset + 4, 'message type');
    info = MESSAGE_TYPES[type] ?? `Unknown Message Type (${type})`;
    b.add('mpls_echo.msg_type', () => `Message Type: ${MESSAGE_TYPES[type] ?? 'Unknown'} (${type})`, type, offset + 4, 1);
    const mode = b.u8(offset + 5, 'reply mode');
    b.add('mpls_echo.reply_mode', () => `Reply Mode: ${REPLY_MODES[mode] ?? 'Unknown'} (${mode})`, mode, offset + 5, 1);
    const code = b.u8(offset + 6, 'return code');
    b.add('mpls_echo.return_code', () => `Return Code: ${RETURN_CODES[code] ?? 'Unknown'} (${code})`, code, offset + 6, 1);
    const subcode = b.u8(offset + 7, 'return subcode');
    b.add('mpls_echo.return_subcode', () => `Return Subcode: ${subcode}`, subcode, offset + 7, 1);
    const handle = b.u32(offset + 8, "sender's handle");
    b.add('mpls_echo.sender_handle', () => `Sender's Handle: ${hex(handle, 8)}`, handle, offset + 8, 4, () => hex(handle, 8));
    const sequence = b.u32(offset + 12, 'sequence number');
    b.add('mpls_echo.sequence', () => `Sequence Number: ${sequence}`, sequence, offset + 12, 4);
    b.need(offset + 16, 16, 'timestamps');
    const sent = timestamp(data, offset + 16);
    b.add('mpls_echo.timestamp_sent', () => `Timestamp Sent: ${sent}`, sent, offset + 16, 8);
    const received = timestamp(data, offset + 24);
    b.add('mpls_echo.timestamp_rec', () => `Timestamp Received: ${received}`, received, offset + 24, 8);
    tlvs(b, offset + HEADER, end);
  });
  if (b.layer.status === 'truncated') info += '[Packet size limited during capture]';
  else if (b.layer.status === 'malformed') info += '[Malformed Packet]';
  return { layers: [b.layer], protocolColumn: 'MPLS ECHO', info };
}

/** An NTP-format timestamp; whole seconds of 0 show as the null time whatever the fraction (as tshark shows them). */
function timestamp(data: Buffer, at: number): string {
  const seconds = data.readUInt32BE(at);
  return ntpTimestampText(seconds, seconds === 0 ? 0 : data.readUInt32BE(at + 4));
}

function tlvs(b: LayerBuilder, at: number, end: number): void {
  const data = b.data;
  while (at < end) {
    const type = b.u16(at, 'TLV type');
    const length = b.u16(at + 2, 'TLV length');
    const name = TLV_TYPES[type];
    const tlvAt = at;
    b.group('', name ?? `Unknown TLV type (0x${type.toString(16).toUpperCase().padStart(4, '0')})`, null, at, 4 + length, () => {
      b.add('mpls_echo.tlv.type', () => `Type: ${name ?? 'Unknown TLV type'} (${type})`, type, tlvAt, 2);
      b.add('mpls_echo.tlv.len', () => `Length: ${length}`, length, tlvAt + 2, 2);
      if (type === 1) fecStack(b, tlvAt + 4, Math.min(tlvAt + 4 + length, end));
      else if (name === undefined && length > 0) {
        const value = b.bytes(tlvAt + 4, length, 'TLV value');
        b.add('mpls_echo.tlv.value', () => `Value: ${value.toString('hex')}`, value, tlvAt + 4, length, () => value.toString('hex'));
      }
    });
    at += 4 + length;
    if (at > data.length) break;
  }
}

/** An RSVP IPv4 Session Query (type 3) or its P2MP form (type 17): RFC 8029 3.2.3, RFC 6425. */
function rsvpIpv4Session(b: LayerBuilder, at: number, p2mp: boolean): void {
  b.need(at, 20, 'RSVP session');
  const data = b.data;
  const f = p2mp ? 'mpls_echo.tlv.fec.rsvp_p2mp_' : 'mpls_echo.tlv.fec.rsvp_';
  if (p2mp) {
    const id = data.readUInt32BE(at);
    b.add(`${f}ipv4_id`, () => `P2MP ID: ${id}`, id, at, 4);
  } else {
    const endpoint = ipv4Text(data, at);
    b.add(`${f}ipv4_ep`, () => `IPv4 Tunnel endpoint address: ${endpoint}`, endpoint, at, 4);
  }
  const mbz1 = data.readUInt16BE(at + 4);
  b.add(`${f}ip_mbz1`, () => `Must Be Zero: ${mbz1}`, mbz1, at + 4, 2);
  const tunnel = data.readUInt16BE(at + 6);
  b.add(`${f}ip_tun_id`, () => `Tunnel ID: ${tunnel}`, tunnel, at + 6, 2);
  const extended = data.readUInt32BE(at + 8);
  // The P2MP form's extended tunnel ID is an IPv4 address field, the other's a hexadecimal number.
  const extendedText = p2mp ? ipv4Text(data, at + 8) : hex(extended, 8);
  b.add(`${f}ipv4_ext_tun_id`, () => `Extended Tunnel ID: ${extendedText}`, p2mp ? extendedText : extended, at + 8, 4, () => extendedText);
  const sender = ipv4Text(data, at + 12);
  b.add(`${f}ipv4_sender`, () => `IPv4 Tunnel sender address: ${sender}`, sender, at + 12, 4);
  const mbz2 = data.readUInt16BE(at + 16);
  b.add(`${f}ip_mbz2`, () => `Must Be Zero: ${mbz2}`, mbz2, at + 16, 2);
  const lsp = data.readUInt16BE(at + 18);
  b.add(`${f}ip_lsp_id`, () => `LSP ID: ${lsp}`, lsp, at + 18, 2);
}

/** A Target FEC Stack's elements: type and length, and an LDP IPv4 prefix's prefix, length and padding. */
function fecStack(b: LayerBuilder, at: number, end: number): void {
  const data = b.data;
  let n = 1;
  while (at + 4 <= end) {
    const type = b.u16(at, 'FEC type');
    const length = b.u16(at + 2, 'FEC length');
    const name = FEC_TYPES[type] ?? 'Unknown FEC type';
    const elementAt = at;
    const index = n++;
    // The value is padded to a multiple of 4 bytes.
    const padded = (length + 3) & ~3;
    b.group('', () => `FEC Element ${index}: ${name}`, null, at, 4 + padded, () => {
      b.add('mpls_echo.tlv.fec.type', () => `Type: ${name} (${type})`, type, elementAt, 2);
      b.add('mpls_echo.tlv.fec.len', () => `Length: ${length}`, length, elementAt + 2, 2);
      if (type === 1 && length === 5) {
        b.need(elementAt + 4, 8, 'LDP IPv4 prefix');
        const prefix = ipv4Text(data, elementAt + 4);
        b.add('mpls_echo.tlv.fec.ldp_ipv4', () => `IPv4 Prefix: ${prefix}`, prefix, elementAt + 4, 4);
        const bits = data[elementAt + 8]!;
        b.add('mpls_echo.tlv.fec.ldp_ipv4_mask', () => `Prefix Length: ${bits}`, bits, elementAt + 8, 1);
        const padding = data.subarray(elementAt + 9, elementAt + 12);
        b.add('mpls_echo.padding', () => `Padding: ${padding.toString('hex')}`, padding, elementAt + 9, 3, () => padding.toString('hex'));
      } else if ((type === 3 || type === 17) && length === 20) {
        rsvpIpv4Session(b, elementAt + 4, type === 17);
      }
    });
    at += 4 + padded;
  }
}
