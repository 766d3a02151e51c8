/**
 * DHCPv6 (RFC 8415) on UDP 546/547 with tshark 4.0's dhcpv6.* names: message type, transaction ID
 * and the common options (DUIDs, IA_NA/IA_TA/IA_PD and their addresses, option request, elapsed
 * time, status, DNS servers); relay messages nest the relayed message as Wireshark shows it, and
 * the Info line names every level's parts (`Relay-forw L: <link address> Solicit XID: … CID: …`).
 */
import { LayerBuilder, StopDissection, dissectSafely, hex } from './builder';
import type { AppDissector, AppResult } from './model';
import { absoluteTimeText, ipv6Text, macText, printable } from './app-format';

const MESSAGE_TYPES: Record<number, string> = {
  1: 'Solicit', 2: 'Advertise', 3: 'Request', 4: 'Confirm', 5: 'Renew', 6: 'Rebind', 7: 'Reply',
  8: 'Release', 9: 'Decline', 10: 'Reconfigure', 11: 'Information-request', 12: 'Relay-forw',
  13: 'Relay-reply', 14: 'Leasequery', 15: 'Leasequery-reply', 16: 'Leasequery-done', 17: 'Leasequery-data',
};

/** Relay messages may nest; Wireshark stops at 32 levels, so does Sievecap. */
const MAX_NESTING = 32;

export const dhcpv6Dissector: AppDissector = {
  protocol: 'dhcpv6',
  udpPorts: [546, 547],
  dissect(data, offset, end, ctx): AppResult {
    const b = new LayerBuilder(data, 'dhcpv6', 'DHCPv6', offset, end, ctx.fields);
    const info: string[] = [];
    const layer = dissectSafely(b, () => readMessage(b, offset, end, info, 0));
    const note = layer.status === 'malformed' ? '[Malformed Packet]' : layer.status === 'truncated' ? '[Packet size limited during capture]' : '';
    return { layers: [layer], protocolColumn: 'DHCPv6', info: info.join(' ') + ' ' + note };
  },
};

function readMessage(b: LayerBuilder, offset: number, end: number, info: string[], depth: number): void {
  if (depth > MAX_NESTING) throw new StopDissection('malformed', 'DHCPv6 relay messages nested too deeply');
  const type = b.u8(offset, 'message type');
  b.add('dhcpv6.msgtype', () => `Message type: ${MESSAGE_TYPES[type] ?? 'Unknown'} (${type})`, type, offset, 1);
  info.push(MESSAGE_TYPES[type] ?? `Unknown (${type})`);
  if (type === 12 || type === 13) {
    const hopcount = b.u8(offset + 1);
    b.add('dhcpv6.hopcount', () => `Hopcount: ${hopcount}`, hopcount, offset + 1, 1);
    for (const [name, label, at] of [['linkaddr', 'Link address', offset + 2], ['peeraddr', 'Peer address', offset + 18]] as const) {
      b.need(at, 16, label);
      const text = ipv6Text(b.data, at);
      b.add(`dhcpv6.${name}`, () => `${label}: ${text}`, text, at, 16);
      if (name === 'linkaddr') info.push(`L: ${text}`);
    }
    readOptions(b, offset + 34, end, info, depth);
    return;
  }
  b.need(offset + 1, 3, 'transaction ID');
  const xid = b.data.readUIntBE(offset + 1, 3);
  b.add('dhcpv6.xid', () => `Transaction ID: ${hex(xid, 6)}`, xid, offset + 1, 3, () => hex(xid, 6));
  info.push(`XID: ${hex(xid, 6)}`);
  readOptions(b, offset + 4, end, info, depth);
}

function readOptions(b: LayerBuilder, start: number, end: number, info: string[], depth: number): void {
  for (let at = start; at < end; ) {
    const code = b.u16(at, 'option code');
    const length = b.u16(at + 2, 'option length');
    if (at + 4 + length > end) throw new StopDissection('malformed', `DHCPv6 option ${code} runs past its container`);
    const name = OPTION_NAMES[code];
    // The heading is dhcpv6.option.type_str, the option's name.
    b.group(name ? 'dhcpv6.option.type_str' : '', () => name ?? `Option ${code}`, name ?? null, at, 4 + length, () => {
      b.add('dhcpv6.option.type', () => (name ? `Option: ${name} (${code})` : `Option: (${code})`), code, at, 2);
      b.add('dhcpv6.option.length', () => `Length: ${length}`, length, at + 2, 2);
      readOptionValue(b, code, at + 4, length, info, depth);
    });
    at += 4 + length;
  }
}

function readOptionValue(b: LayerBuilder, code: number, at: number, length: number, info: string[], depth: number): void {
  const u32 = (abbrev: string, label: string, o: number) => {
    const value = b.u32(o, label);
    b.add(abbrev, () => `${label}: ${value}`, value, o, 4);
  };
  const address = (abbrev: string, label: string, o: number) => {
    b.need(o, 16, label);
    const text = ipv6Text(b.data, o);
    b.add(abbrev, () => `${label}: ${text}`, text, o, 16);
    return text;
  };
  switch (code) {
    case 1:
    case 2: {
      const duid = b.bytes(at, length, 'DUID');
      if (code === 1) info.push(`CID: ${duid.toString('hex')}`);
      readDuid(b, at, length);
      return;
    }
    case 3:
    case 25: {
      const iaid = b.bytes(at, 4, 'IAID').toString('hex');
      b.add('dhcpv6.iaid', () => `IAID: ${iaid}`, iaid, at, 4);
      u32('dhcpv6.iaid.t1', 'T1', at + 4);
      u32('dhcpv6.iaid.t2', 'T2', at + 8);
      readOptions(b, at + 12, at + length, info, depth);
      return;
    }
    case 4: {
      const iaid = b.bytes(at, 4, 'IAID').toString('hex');
      b.add('dhcpv6.iata', () => `IATA: ${iaid}`, iaid, at, 4);
      readOptions(b, at + 4, at + length, info, depth);
      return;
    }
    case 5: {
      const text = address('dhcpv6.iaaddr.ip', 'IPv6 address', at);
      info.push(`IAA: ${text}`);
      u32('dhcpv6.iaaddr.pref_lifetime', 'Preferred lifetime', at + 16);
      u32('dhcpv6.iaaddr.valid_lifetime', 'Valid lifetime', at + 20);
      readOptions(b, at + 24, at + length, info, depth);
      return;
    }
    case 6:
      for (let o = at; o + 2 <= at + length; o += 2) {
        const code = b.u16(o);
        b.add('dhcpv6.requested_option_code', () => `Requested Option code: ${OPTION_NAMES[code] ? `${OPTION_NAMES[code]} (${code})` : code}`, code, o, 2);
      }
      return;
    case 7:
      const preference = b.u8(at, 'preference');
      b.add('dhcpv6.option_preference', () => `Pref-value: ${preference}`, preference, at, 1);
      return;
    case 8:
      const elapsed = b.u16(at, 'elapsed time') * 10;
      b.add('dhcpv6.elapsed_time', () => `Elapsed time: ${elapsed}ms`, elapsed, at, 2);
      return;
    case 9: {
      // The relayed message's Info parts join the line once it is read whole (tshark leaves
      // them out when the capture cuts it short).
      const inner: string[] = [];
      readMessage(b, at, at + length, inner, depth + 1);
      info.push(...inner);
      return;
    }
    case 13: {
      const status = b.u16(at, 'status code');
      b.add('dhcpv6.status_code', () => `Status Code: ${status}`, status, at, 2);
      const text = printable(b.bytes(at + 2, length - 2, 'status message'));
      if (length > 2) b.add('dhcpv6.status_msg', () => `Status Message: ${text}`, text, at + 2, length - 2);
      return;
    }
    case 23:
      // Numbered as packet-dhcpv6.c does ("%2d DNS server address").
      for (let o = at, n = 1; o + 16 <= at + length; o += 16, n++) address('dhcpv6.dns_server', `${String(n).padStart(2)} DNS server address`, o);
      return;
    case 26: {
      u32('dhcpv6.iaprefix.pref_lifetime', 'Preferred lifetime', at);
      u32('dhcpv6.iaprefix.valid_lifetime', 'Valid lifetime', at + 4);
      const prefixLength = b.u8(at + 8, 'prefix length');
      b.add('dhcpv6.iaprefix.pref_len', () => `Prefix length: ${prefixLength}`, prefixLength, at + 8, 1);
      address('dhcpv6.iaprefix.pref_addr', 'Prefix address', at + 9);
      readOptions(b, at + 25, at + length, info, depth);
      return;
    }
    default:
      return;
  }
}

function readDuid(b: LayerBuilder, at: number, length: number): void {
  const duid = b.data.subarray(at, at + length);
  b.add('dhcpv6.duid.bytes', () => `DUID: ${duid.toString('hex')}`, duid, at, length, () => duid.toString('hex'));
  if (length < 2) return;
  const type = duid.readUInt16BE(0);
  b.add('dhcpv6.duid.type', () => `DUID Type: ${DUID_TYPES[type] ? `${DUID_TYPES[type]} (${type})` : type}`, type, at, 2);
  if ((type === 1 && length >= 8) || (type === 3 && length >= 4)) {
    const prefix = type === 1 ? 'dhcpv6.duidllt' : 'dhcpv6.duidll';
    const hwType = duid.readUInt16BE(2);
    b.add(`${prefix}.hwtype`, () => `Hardware type: ${hwType === 1 ? `Ethernet (${hwType})` : hwType}`, hwType, at + 2, 2);
    if (type === 1) {
      // Seconds since midnight UTC, January 1, 2000.
      const stamp = BigInt(duid.readUInt32BE(4) + 946684800);
      const text = absoluteTimeText(stamp, 0);
      b.add('dhcpv6.duidllt.time', () => `DUID Time: ${text}`, stamp * 1_000_000_000n, at + 4, 4, text);
    }
    const addrAt = type === 1 ? 8 : 4;
    const lla = macText(duid, addrAt, length - addrAt);
    b.add(`${prefix}.link_layer_addr`, () => `Link-layer address: ${lla}`, lla, at + addrAt, length - addrAt);
  } else if (type === 2 && length >= 6) {
    b.add('dhcpv6.duiden.enterprise', () => `Enterprise ID: ${duid.readUInt32BE(2)}`, duid.readUInt32BE(2), at + 2, 4);
  }
}

/** packet-dhcpv6.c's option names (opttype_vals) for the options seen most. */
const OPTION_NAMES: Record<number, string> = {
  1: 'Client Identifier', 2: 'Server Identifier', 3: 'Identity Association for Non-temporary Address',
  4: 'Identity Association for Temporary Address', 5: 'IA Address', 6: 'Option Request', 7: 'Preference', 8: 'Elapsed time',
  9: 'Relay Message', 13: 'Status code', 14: 'Rapid Commit', 16: 'Vendor Class', 17: 'Vendor-specific Information',
  23: 'DNS recursive name server', 24: 'Domain Search List', 25: 'Identity Association for Prefix Delegation', 26: 'IA Prefix',
  31: 'Simple Network Time Protocol Server', 32: 'Information Refresh Time', 39: 'Client Fully Qualified Domain Name',
};

/** DUID types (RFC 8415, RFC 6355). */
const DUID_TYPES: Record<number, string> = {
  1: 'link-layer address plus time', 2: 'assigned by vendor based on Enterprise number', 3: 'link-layer address',
  4: 'Universally Unique IDentifier (UUID)',
};
