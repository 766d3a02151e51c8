/**
 * Mobile IPv6 Mobility Header (IPv6 next header 135, and 62 of the drafts, RFC 6275) as tshark 4.0 shows it: the header,
 * the bodies of Binding Refresh Request, Home/Care-of Test (Init), Binding Update, Binding
 * Acknowledgement and Binding Error, then the mobility options (Pad1, PadN, Binding Refresh
 * Advice, Alternate Care-of Address, Nonce Indices and Authorization Data decoded; the others named
 * with their length). Protocol "MIPv6" ("NEMO" once a Binding Update or Acknowledgement carried the
 * Mobile Router flag: tshark keeps that in a static that is never cleared), Info the message type.
 * The checksum is shown, never verified (as tshark).
 */
import { dissectSafely, hex, LayerBuilder } from './builder';
import type { Dissector } from './dissector';
import { bitPicture, ipv6Text } from './format';
import { ipProtocolName } from './ip-common';
import type { PacketState } from './packet-state';
import { statusSuffix } from './routing-common';

export const IP_PROTO_MIPV6 = 135;
/** The number Mobile IPv6 used before RFC 3775; tshark hands it to the same dissector. */
export const IP_PROTO_MIPV6_OLD = 62;

const TYPES = [
  'Binding Refresh Request', 'Home Test Init', 'Care-of Test Init', 'Home Test', 'Care-of Test', 'Binding Update', 'Binding Acknowledgement',
  'Binding Error', 'Fast Binding Update', 'Fast Binding Acknowledgment', 'Fast Neighbor Advertisement', 'Experimental Mobility Header',
  'Home Agent Switch', 'Heartbeat', 'Handover Initiate', 'Handover Acknowledge', 'Binding Revocation', 'Localized Routing Initiation',
  'Localized Routing Acknowledgment',
];

const OPTION_NAMES: Record<number, string> = {
  0: 'Pad1', 1: 'PadN', 2: 'Binding Refresh Advice', 3: 'Alternate Care-of Address', 4: 'Nonce Indices', 5: 'Authorization Data',
  6: 'Mobile Network Prefix', 7: 'Mobility Header Link-Layer Address', 8: 'Mobile Node Identifier', 9: 'AUTH-OPTION-TYPE',
  10: 'MESG-ID-OPTION-TYPE', 11: 'CGA Parameters Request', 12: 'CGA Parameters', 13: 'Signature', 14: 'Permanent Home Keygen Token',
  15: 'Care-of Test Init', 16: 'Care-of Test', 17: 'DNS-UPDATE-TYPE', 18: 'Experimental', 19: 'Vendor Specific', 20: 'Service Selection',
  21: 'Binding Authorization Data for FMIPv6 (BADF)', 22: 'Home Network Prefix', 23: 'Handoff Indicator', 24: 'Access Technology Type Option',
  25: 'Mobile Node Link-layer Identifier', 26: 'Link-local Address', 27: 'Timestamp', 28: 'Restart Counter', 29: 'IPv4 Home Address',
  30: 'IPv4 Address Acknowledgement', 31: 'NAT Detection', 32: 'IPv4 Care-of Address', 33: 'GRE Key', 34: 'Mobility Header IPv6 Address/Prefix',
  35: 'Binding Identifier', 36: 'IPv4 Home Address Request', 37: 'IPv4 Home Address Reply', 38: 'IPv4 Default-Router Address',
  39: 'IPv4 DHCP Support Mode', 40: 'Context Request', 41: 'Local Mobility Anchor Address', 42: 'Mobile Node Link-local Address Interface Identifier',
  46: 'Redirect-Capability', 47: 'Redirect', 48: 'Load Information', 49: 'Alternate IPv4', 50: 'Mobile Node Group Identifier',
  51: 'MAG IPv6 Address', 52: 'Access Network Identifier', 55: 'Delegated Mobile Network Prefix',
};
/** The filter names of the option protocols tshark registers (mip6.options.*). */
const OPTION_ABBREVS: Record<number, string> = {
  0: 'pad1', 1: 'padn', 2: 'bra', 3: 'acoa', 4: 'ni', 5: 'bad_auth', 6: 'mnp', 7: 'mhlla', 8: 'mnid', 9: 'auth', 10: 'mseg_id', 11: 'cgapr',
  12: 'cgar', 13: 'sign', 14: 'phkt', 15: 'coti', 16: 'cot', 17: 'dnsu', 18: 'em', 19: 'vsm', 20: 'ssm', 21: 'badff', 22: 'hnp', 23: 'hi',
  24: 'att', 25: 'mnlli', 26: 'lla', 27: 'ts', 28: 'rc', 29: 'ipv4ha', 30: 'ipv4aa', 31: 'natd', 32: 'ipv4coa', 33: 'grek', 34: 'mhipv6ap',
  35: 'bi', 36: 'ipv4hareq', 37: 'ipv4harep', 38: 'ipv4dra', 39: 'ipv4dsm', 40: 'cr', 41: 'lmaa', 42: 'mnlli', 46: 'recap', 47: 'redir',
  48: 'load_inf', 49: 'alt_ip4', 50: 'mng', 51: 'mag_ipv6', 52: 'acc_net_id', 55: 'dmnp',
};

const BA_STATUS: Record<number, string> = {
  0: 'Binding Update accepted', 1: 'Accepted but prefix discovery necessary', 2: 'GRE_KEY_OPTION_NOT_REQUIRED',
  3: 'GRE_TUNNELING_BUT_TLV_HEADER_NOT_SUPPORTED', 4: 'MCOA NOTCOMPLETE', 5: 'MCOA RETURNHOME WO/NDP', 6: 'PBU_ACCEPTED_TB_IGNORED_SETTINGSMISMATCH',
  128: 'Reason unspecified', 129: 'Administratively prohibited', 130: 'Insufficient resources', 131: 'Home registration not supported',
  132: 'Not home subnet', 133: 'Not home agent for this mobile node', 134: 'Duplicate Address Detection failed', 135: 'Sequence number out of window',
  136: 'Expired home nonce index', 137: 'Expired care-of nonce index', 138: 'Expired nonces', 139: 'Registration type change disallowed',
  140: 'Mobile Router Operation not permitted', 141: 'Invalid Prefix', 142: 'Not Authorized for Prefix', 143: 'Mobile Network Prefix information unavailable',
  145: 'Proxy Registration not supported by the LMA', 146: 'Proxy Registrations from this MAG not allowed', 147: 'No home address for this NAI',
  148: 'Invalid Time Stamp Option', 149: 'Permanent home keygen token exists', 150: 'Non-null home nonce index expected',
  151: 'SERVICE_AUTHORIZATION_FAILED', 152: 'PROXY_REG_NOT_ENABLED', 153: 'NOT_LMA_FOR_THIS_MOBILE_NODE', 154: 'MAG_NOT_AUTHORIZED_FOR_PROXY_REG',
  155: 'NOT_AUTHORIZED_FOR_HOME_NETWORK_PREFIX', 156: 'TIMESTAMP_MISMATCH', 157: 'TIMESTAMP_LOWER_THAN_PREV_ACCEPTED',
  158: 'MISSING_HOME_NETWORK_PREFIX_OPTION', 159: 'BCE_PBU_PREFIX_SET_DO_NOT_MATCH', 160: 'MISSING_MN_IDENTIFIER_OPTION',
  161: 'MISSING_HANDOFF_INDICATOR_OPTION', 162: 'MISSING_ACCESS_TECH_TYPE_OPTION', 163: 'GRE_KEY_OPTION_REQUIRED', 164: 'MCOA MALFORMED',
  165: 'MCOA NON-MCOA BINDING EXISTS', 166: 'MCOA PROHIBITED', 167: 'MCOA UNKNOWN COA', 168: 'MCOA BULK REGISTRATION PROHIBITED',
  169: 'MCOA SIMULTANEOUS HOME AND FOREIGN PROHIBITED', 170: 'NOT_AUTHORIZED_FOR_IPV4_MOBILITY_SERVICE', 171: 'NOT_AUTHORIZED_FOR_IPV4_HOME_ADDRESS',
  172: 'NOT_AUTHORIZED_FOR_IPV6_MOBILITY_SERVICE', 173: 'MULTIPLE_IPV4_HOME_ADDRESS_ASSIGNMENT_NOT_SUPPORTED', 174: 'Invalid Care-of Address',
  175: 'INVALID_MOBILE_NODE_GROUP_IDENTIFIER', 176: 'REINIT_SA_WITH_HAC', 177: 'NOT_AUTHORIZED_FOR_DELEGATED_MNP', 178: 'REQUESTED_DMNP_IN_USE',
};
/** mip6.proto names IP protocols by tshark's ipproto table, which names some as the IPv6 header's Next Header does not. */
const PAYLOAD_NAMES: Record<number, string> = { 59: 'No Next Header for IPv6' };
const BE_STATUS: Record<number, string> = { 1: 'Unknown binding for Home Address destination option', 2: 'Unrecognized MH type value' };

const BU_FLAGS: readonly (readonly [string, number, string, string, string])[] = [
  ['mip6.bu.a_flag', 0x8000, 'Acknowledge (A) flag', 'Binding Acknowledgement requested', 'Binding Acknowledgement not requested'],
  ['mip6.bu.h_flag', 0x4000, 'Home Registration (H) flag', 'Home Registration', 'No Home Registration'],
  ['mip6.bu.l_flag', 0x2000, 'Link-Local Compatibility (L) flag', 'Link-Local Address Compatibility', 'No Link-Local Address Compatibility'],
  ['mip6.bu.k_flag', 0x1000, 'Key Management Compatibility (K) flag', 'Key Management Mobility Compatibility', 'No Key Management Mobility Compatibility'],
  ['mip6.bu.m_flag', 0x0800, 'MAP Registration Compatibility (M) flag', 'MAP Registration Compatibility', 'No MAP Registration Compatibility'],
  ['mip6.nemo.bu.r_flag', 0x0400, 'Mobile Router (R) flag', 'Mobile Router Compatibility', 'No Mobile Router Compatibility'],
  ['mip6.bu.p_flag', 0x0200, 'Proxy Registration (P) flag', 'Proxy Registration', 'No Proxy Registration'],
  ['mip6.bu.f_flag', 0x0100, 'Forcing UDP encapsulation (F) flag', 'Forcing UDP encapsulation used', 'No Forcing UDP encapsulation'],
  ['mip6.bu.t_flag', 0x0080, 'TLV-header format (T) flag', 'TLV-header format used', 'No TLV-header format'],
  ['mip6.bu.b_flag', 0x0040, 'Bulk-Binding-Update flag (B)', 'Enable bulk binding update support', 'Disable bulk binding update support'],
];
const BA_FLAGS: readonly (readonly [string, number, string, string, string])[] = [
  ['mip6.ba.k_flag', 0x80, 'Key Management Compatibility (K) flag', 'Key Management Mobility Compatibility', 'No Key Management Mobility Compatibility'],
  ['mip6.nemo.ba.r_flag', 0x40, 'Mobile Router (R) flag', 'Mobile Router Compatibility', 'No Mobile Router Compatibility'],
  ['mip6.ba.p_flag', 0x20, 'Proxy Registration (P) flag', 'Proxy Registration', 'No Proxy Registration'],
  ['mip6.ba.t_flag', 0x10, 'TLV-header format (T) flag', 'TLV-header format used', 'No TLV-header format'],
  ['mip6.ba.b_flag', 0x08, 'Bulk-Binding-Update flag (B)', 'Enabled bulk binding update support', 'Disabled bulk binding update support'],
];

/** Per Dissector: tshark's proto_nemo, set by the first Binding Update/Acknowledgement with the R flag. */
const nemoSeen = new WeakSet<Dissector>();

export function dissectMipv6(d: Dissector, p: PacketState, data: Buffer, offset: number, end: number): void {
  const b = new LayerBuilder(data, 'mipv6', 'Mobile IPv6', offset, end, p.selection);
  let info = '';
  let protocol = 'MIPv6';
  // tshark sets its NEMO flag inside "if (mip6_tree)": only when it builds a tree (fields, a
  // filter, details), not for a bare summary line, whose only fields are the Time column's
  // (app/cli/dissect-sink.ts SUMMARY_FIELDS).
  const hasTree = p.selection === undefined || [...p.selection].some((name) => name !== 'frame.time_relative' && name !== 'frame.time_delta');
  dissectSafely(b, () => {
    const hlen = b.u8(offset + 1, 'header length');
    const len = (hlen + 1) * 8;
    b.setLength(Math.max(0, Math.min(len, Math.min(end, data.length) - offset)));
    const proto = b.u8(offset, 'payload protocol');
    b.add('mip6.proto', () => `Payload protocol: ${PAYLOAD_NAMES[proto] ?? ipProtocolName(proto)} (${proto})`, proto, offset, 1);
    b.add('mip6.hlen', () => `Header length: ${hlen} (${len} bytes)`, hlen, offset + 1, 1);
    const type = b.u8(offset + 2, 'type');
    b.add('mip6.mhtype', () => `Mobility Header Type: ${TYPES[type] ?? 'Unknown'} (${type})`, type, offset + 2, 1);
    const reserved = b.u8(offset + 3, 'reserved');
    b.add('mip6.reserved', () => `Reserved: ${hex(reserved, 2)}`, reserved, offset + 3, 1, () => hex(reserved, 2));
    const csum = b.u16(offset + 4, 'checksum');
    b.add('mip6.csum', () => `Checksum: ${hex(csum, 4)}`, csum, offset + 4, 2, () => hex(csum, 4));
    info = TYPES[type] ?? `Unknown Mobility Header (${type})`;
    const at = offset + 6;
    const u64 = (abbrev: string, label: string, fieldAt: number) => {
      b.need(fieldAt, 8, label);
      const text = `0x${data.toString('hex', fieldAt, fieldAt + 8)}`;
      b.add(abbrev, () => `${label}: ${text}`, data.readBigUInt64BE(fieldAt), fieldAt, 8, () => text);
    };
    const u16 = (abbrev: string, label: string, fieldAt: number) => {
      const v = b.u16(fieldAt, label);
      b.add(abbrev, () => `${label}: ${v}`, v, fieldAt, 2);
    };
    /** A message body: its text item must be captured whole (tshark adds it before its fields). */
    const body = (label: string, length: number, fields: () => void) => {
      b.need(at, length, label);
      b.group('', label, null, at, length, fields);
    };
    let dataEnd: number;
    switch (type) {
      case 0: {
        const v = b.bytes(at, 2, 'Binding Refresh Request');
        b.add('mip6.binding_refresh_request', () => `Binding Refresh Request: ${v.toString('hex')}`, v, at, 2, () => v.toString('hex'));
        dataEnd = at + 2;
        break;
      }
      case 1:
        body('Home Test Init', 10, () => u64('mip6.hoti.cookie', 'Home Init Cookie', at + 2));
        dataEnd = at + 10;
        break;
      case 2:
        body('Care-of Test Init', 10, () => u64('mip6.coti.cookie', 'Care-of Init Cookie', at + 2));
        dataEnd = at + 10;
        break;
      case 3:
        body('Home Test', 18, () => {
          u16('mip6.hot.nindex', 'Home Nonce Index', at);
          u64('mip6.hot.cookie', 'Home Init Cookie', at + 2);
          u64('mip6.hot.token', 'Home Keygen Token', at + 10);
        });
        dataEnd = at + 18;
        break;
      case 4:
        body('Care-of Test', 18, () => {
          u16('mip6.cot.nindex', 'Care-of Nonce Index', at);
          u64('mip6.cot.cookie', 'Care-of Init Cookie', at + 2);
          // tshark shows the Care-of Keygen Token with the Home Keygen Token field.
          u64('mip6.hot.token', 'Home Keygen Token', at + 10);
        });
        dataEnd = at + 18;
        break;
      case 5:
        body('Binding Update', 6, () => {
          u16('mip6.bu.seqnr', 'Sequence number', at);
          const flags = b.u16(at + 2, 'flags');
          for (const [abbrev, mask, label, yes, no] of BU_FLAGS) {
            const set = (flags & mask) !== 0;
            b.add(abbrev, () => `${bitPicture(flags, mask, 16)} = ${label}: ${set ? yes : no}`, set, at + 2, 2);
          }
          if (flags & 0x0400 && hasTree) nemoSeen.add(d);
          const lifetime = b.u16(at + 4, 'lifetime');
          b.add('mip6.bu.lifetime', () => `Lifetime: ${lifetime} (${lifetime * 4} seconds)`, lifetime, at + 4, 2);
        });
        if (nemoSeen.has(d)) protocol = 'NEMO';
        dataEnd = at + 6;
        break;
      case 6:
        body('Binding Acknowledgement', 6, () => {
          const status = b.u8(at, 'status');
          b.add('mip6.ba.status', () => `Status: ${BA_STATUS[status] ?? 'Unknown'} (${status})`, status, at, 1);
          const flags = b.u8(at + 1, 'flags');
          for (const [abbrev, mask, label, yes, no] of BA_FLAGS) {
            const set = (flags & mask) !== 0;
            b.add(abbrev, () => `${bitPicture(flags, mask, 8)} = ${label}: ${set ? yes : no}`, set, at + 1, 1);
          }
          if (flags & 0x40 && hasTree) nemoSeen.add(d);
          u16('mip6.ba.seqnr', 'Sequence number', at + 2);
          const lifetime = b.u16(at + 4, 'lifetime');
          b.add('mip6.ba.lifetime', () => `Lifetime: ${lifetime} (${lifetime * 4} seconds)`, lifetime, at + 4, 2);
        });
        if (nemoSeen.has(d)) protocol = 'NEMO';
        dataEnd = at + 6;
        break;
      case 7:
        body('Binding Error', 18, () => {
          const status = b.u8(at, 'status');
          b.add('mip6.be.status', () => `Status: ${BE_STATUS[status] ?? 'Unknown'} (${status})`, status, at, 1);
          const address = ipv6Text(b.bytes(at + 2, 16, 'home address'), 0);
          b.add('mip6.be.haddr', () => `Home Address: ${address}`, address, at + 2, 16);
        });
        dataEnd = at + 18;
        break;
      default: {
        // Types not decoded here: their data up to the header length, as tshark's unknown-type data.
        // (tshark decodes types 8-18 further; none is in the captures compared.)
        const length = Math.max(0, len - 6);
        const v = b.bytes(at, length, 'message data');
        b.add('mip6.unknown_type_data', () => `Message Data: ${v.toString('hex')}`, v, at, length, () => v.toString('hex'));
        dataEnd = offset + len;
      }
    }
    const used = dataEnd - offset;
    if (used < len) {
      const optionsLength = len - used;
      b.need(dataEnd, optionsLength, 'Mobility Options');
      b.group('', 'Mobility Options', null, dataEnd, optionsLength, () => options(b, data, dataEnd, optionsLength));
    }
  });
  p.addLayer(b.layer);
  p.setProtocol(protocol, info + statusSuffix(b.layer));
}

/** tshark's dissect_mipv6_options: the option length counts neither the type nor the length byte. */
function options(b: LayerBuilder, data: Buffer, start: number, length: number): void {
  let at = start;
  let left = length;
  while (left > 0) {
    const type = b.u8(at, 'option type');
    left--;
    if (type === 0) {
      const v = data.subarray(at, at + 1);
      b.add('mip6.options.pad1', 'MIPv6 Option - Pad1', v, at, 1, () => v.toString('hex'));
      at += 1;
      continue;
    }
    const name = OPTION_NAMES[type];
    const shown = name ?? `Unknown (0x${type.toString(16).padStart(2, '0')})`;
    // An option without its length byte, or longer than the options left: tshark's expert note (its
    // text shown here as a line), and the options end.
    if (left === 0) {
      b.add('', `${shown} (length byte past end of options)`, null, at, 1, '');
      return;
    }
    const len = b.u8(at + 1, 'option length');
    left--;
    if (len > left) {
      b.add('', `${shown} (option length = ${len} byte${len === 1 ? '' : 's'} says option goes past end of options)`, null, at, left, '');
      return;
    }
    const optionAt = at;
    if (name === undefined) {
      // Wireshark reads this Length at offset 1 of the Mobility Header, not of the option.
      b.group('', shown, null, at, len + 2, () => {
        b.add('mip6.mobility_opt', () => `Mobility Option: Unknown (${type})`, type, optionAt, 1);
        const headerLengthByte = data[b.layer.offset + 1]!;
        b.add('mip6.mobility_opt.len', () => `Length: ${headerLengthByte}`, headerLengthByte, b.layer.offset + 1, 1);
      });
    } else {
      const captured = data.subarray(at, Math.min(at + len + 2, data.length));
      b.group(`mip6.options.${OPTION_ABBREVS[type]}`, `MIPv6 Option - ${name}`, captured, at, len + 2, () => {
        b.add('mip6.mobility_opt.len', () => `Length: ${len}`, len, optionAt + 1, 1);
        optionBody(b, data, type, optionAt + 2, len);
      }, () => captured.toString('hex'));
    }
    left -= len;
    at += len + 2;
  }
}

function optionBody(b: LayerBuilder, data: Buffer, type: number, at: number, len: number): void {
  switch (type) {
    case 1:
      if (len > 0) {
        const v = b.bytes(at, len, 'PadN');
        b.add('mip6.padn', () => `PadN: ${v.toString('hex')}`, v, at, len, () => v.toString('hex'));
      }
      return;
    case 2: {
      const interval = b.u16(at, 'refresh interval');
      b.add('mip6.bra.interval', () => `Refresh interval: ${interval} (${interval * 4} seconds)`, interval, at, 2);
      return;
    }
    case 3: {
      const address = ipv6Text(b.bytes(at, 16, 'alternate care-of address'), 0);
      b.add('mip6.acoa.acoa', () => `Alternate care-of address: ${address}`, address, at, 16);
      return;
    }
    case 4: {
      const hni = b.u16(at, 'home nonce index');
      b.add('mip6.ni.hni', () => `Home nonce index: ${hni}`, hni, at, 2);
      const cni = b.u16(at + 2, 'care-of nonce index');
      b.add('mip6.ni.cni', () => `Care-of nonce index: ${cni}`, cni, at + 2, 2);
      return;
    }
    case 5: {
      const v = b.bytes(at, len, 'authenticator');
      b.add('mip6.bad.auth', () => `Authenticator: ${v.toString('hex')}`, v, at, len, () => v.toString('hex'));
      return;
    }
    default:
      // Other options: named with their length only (their bodies are not decoded here).
      void data;
  }
}
