/**
 * DHCP / BOOTP (RFC 2131, 2132) on UDP 67/68, with tshark 4.0's dhcp.* field names. Options are
 * decoded for the common codes; the rest keep their type, length and raw value.
 */
import { LayerBuilder, StopDissection, dissectSafely, hex } from './builder';
import { bitPicture } from './format';
import type { AppContext, AppDissector, AppResult } from './model';
import { ipv4Text, macText, printable } from './app-format';

const FIXED_HEADER = 236;
const MAGIC_COOKIE = 0x63825363;

const MESSAGE_TYPES: Record<number, string> = {
  1: 'Discover', 2: 'Offer', 3: 'Request', 4: 'Decline', 5: 'ACK', 6: 'NAK', 7: 'Release', 8: 'Inform',
  9: 'Force Renew', 10: 'Lease query', 11: 'Lease Unassigned', 12: 'Lease Unknown', 13: 'Lease Active',
  14: 'Bulk Lease Query', 15: 'Lease Query Done', 16: 'Active LeaseQuery', 17: 'Lease Query Status', 18: 'TLS',
};

type OptionKind = 'ipv4' | 'ipv4list' | 'string' | 'u8' | 'u8list' | 'u16' | 'u32' | 'i32';

/** Options Sievecap decodes, by code: tshark's field name (under dhcp.option.) and value kind. */
const OPTIONS: Record<number, [string, string, OptionKind]> = {
  1: ['subnet_mask', 'Subnet Mask', 'ipv4'],
  2: ['time_offset', 'Time Offset', 'i32'],
  3: ['router', 'Router', 'ipv4list'],
  6: ['domain_name_server', 'Domain Name Server', 'ipv4list'],
  12: ['hostname', 'Host Name', 'string'],
  15: ['domain_name', 'Domain Name', 'string'],
  26: ['interface_mtu', 'Interface MTU', 'u16'],
  28: ['broadcast_address', 'Broadcast Address', 'ipv4'],
  42: ['ntp_server', 'Network Time Protocol Servers', 'ipv4list'],
  50: ['requested_ip_address', 'Requested IP Address', 'ipv4'],
  51: ['ip_address_lease_time', 'IP Address Lease Time', 'u32'],
  53: ['dhcp', 'DHCP Message Type', 'u8'],
  54: ['dhcp_server_id', 'DHCP Server Identifier', 'ipv4'],
  55: ['request_list_item', 'Parameter Request List', 'u8list'],
  56: ['message', 'Message', 'string'],
  57: ['dhcp_max_message_size', 'Maximum DHCP Message Size', 'u16'],
  58: ['renewal_time_value', 'Renewal Time Value', 'u32'],
  59: ['rebinding_time_value', 'Rebinding Time Value', 'u32'],
  60: ['vendor_class_id', 'Vendor class identifier', 'string'],
};

export const dhcpDissector: AppDissector = {
  protocol: 'dhcp',
  udpPorts: [67, 68],
  dissect(data, offset, end, ctx): AppResult {
    const b = new LayerBuilder(data, 'dhcp', 'Dynamic Host Configuration Protocol', offset, end, ctx.fields);
    if (!optionsWalkFits(data, offset, end)) {
      // Wireshark's first walk over the options (for the message type) met an option code past
      // the captured bytes: its exception ends the dissection before any field, so the layer is
      // empty and the Info line BOOTP's.
      b.mark('truncated', 'DHCP/BOOTP truncated');
      return { layers: [b.layer], protocolColumn: 'BOOTP', info: `${bootpInfo(data, offset, end, ctx)}[Packet size limited during capture]` };
    }
    const state: DhcpState = { messageType: -1, id: 0, op: 0, macLabel: (mac) => (ctx.macName === undefined ? mac : `${ctx.macName(mac)} (${mac})`) };
    const layer = dissectSafely(b, () => readDhcp(b, offset, end, state));
    const typeName = MESSAGE_TYPES[state.messageType];
    // An exception's note after the Info text, as Wireshark appends it.
    const note = layer.status === 'malformed' ? '[Malformed Packet]' : layer.status === 'truncated' ? '[Packet size limited during capture]' : '';
    if (state.messageType < 0) {
      layer.title = 'Dynamic Host Configuration Protocol';
      return { layers: [layer], protocolColumn: 'BOOTP', info: bootpInfo(data, offset, end, ctx) + note };
    }
    layer.title = `Dynamic Host Configuration Protocol (${typeName ?? 'Unknown'})`;
    const name = (typeName ?? `Unknown Message Type (0x${state.messageType.toString(16).padStart(2, '0')})`).padEnd(8);
    return { layers: [layer], protocolColumn: 'DHCP', info: `DHCP ${name} - Transaction ID 0x${state.id.toString(16)}${note}` };
  },
};

/**
 * Wireshark 4.0's first pass over the options (dhcp_option with first_pass): from the magic
 * cookie (or 64 bytes on, without one) to the End option or the message's end, reading each
 * option's code, and a padding run's bytes; false when one of those lies past the captured bytes
 * (where Wireshark throws). An option's length byte or value may be missing without harm.
 */
function optionsWalkFits(data: Buffer, offset: number, end: number): boolean {
  const captured = Math.min(end, data.length);
  let at = offset + FIXED_HEADER;
  at += at + 4 <= captured && data.readUInt32BE(at) === MAGIC_COOKIE ? 4 : 64;
  while (at < end) {
    if (at >= captured) return false;
    const code = data[at]!;
    if (code === 255) return true;
    if (code === 0) {
      let i = at + 1;
      for (; i < end; i++) {
        if (i >= captured) return false;
        if (data[i] !== 0) break;
      }
      at = i;
      continue;
    }
    at += at + 1 >= captured ? 1 : data[at + 1]! + 2;
  }
  return true;
}

/**
 * Wireshark's Info for a BOOTP message without a DHCP message type: `Boot Request from
 * 00:0b:82:01:fc:42 (Grandstr_01:fc:42)` (the name as MAC name resolution gives it, else the
 * address again), `Boot Reply`, or `Unknown BOOTP message type (N)`.
 */
function bootpInfo(data: Buffer, offset: number, end: number, ctx: AppContext): string {
  const limit = Math.min(end, data.length);
  if (offset >= limit) return '';
  const op = data[offset]!;
  if (op === 2) return 'Boot Reply';
  if (op !== 1) return `Unknown BOOTP message type (${op})`;
  if (offset + 3 > limit) return '';
  const htype = data[offset + 1]!;
  const hlen = data[offset + 2]!;
  const chaddr = offset + 28;
  if (chaddr + hlen > limit) return '';
  if ((htype === 1 || htype === 6) && hlen === 6) {
    const mac = macText(data, chaddr);
    return `Boot Request from ${mac} (${ctx.macName?.(mac) ?? mac})`;
  }
  const address = hlen === 0 ? '<No address>' : [...data.subarray(chaddr, chaddr + hlen)].map((x) => x.toString(16).padStart(2, '0')).join(':');
  return `Boot Request from ${address}`;
}

interface DhcpState {
  messageType: number;
  id: number;
  op: number;
  /** A MAC address as labels show it: `name (address)` with MAC name resolution on. */
  macLabel: (mac: string) => string;
}

function readDhcp(b: LayerBuilder, offset: number, end: number, state: DhcpState): void {
  const op = b.u8(offset, 'message type');
  state.op = op;
  b.add('dhcp.type', () => `Message type: ${op === 1 ? 'Boot Request' : op === 2 ? 'Boot Reply' : 'Unknown'} (${op})`, op, offset, 1);
  const hwType = b.u8(offset + 1, 'hardware type');
  b.add('dhcp.hw.type', () => `Hardware type: ${HARDWARE_TYPES[hwType] ?? 'Unknown'} (${hex(hwType, 2)})`, hwType, offset + 1, 1, () => hex(hwType, 2));
  const hwLen = b.u8(offset + 2, 'hardware address length');
  b.add('dhcp.hw.len', () => `Hardware address length: ${hwLen}`, hwLen, offset + 2, 1);
  const hops = b.u8(offset + 3);
  b.add('dhcp.hops', () => `Hops: ${hops}`, hops, offset + 3, 1);
  state.id = b.u32(offset + 4, 'transaction ID');
  b.add('dhcp.id', () => `Transaction ID: ${hex(state.id, 8)}`, state.id, offset + 4, 4, () => hex(state.id, 8));
  const secs = b.u16(offset + 8);
  b.add('dhcp.secs', () => `Seconds elapsed: ${secs}`, secs, offset + 8, 2);
  const flags = b.u16(offset + 10, 'flags');
  const cast = flags & 0x8000 ? 'Broadcast' : 'Unicast';
  b.group('dhcp.flags', () => `Bootp flags: ${hex(flags, 4)} (${cast})`, flags, offset + 10, 2, () => {
    b.add('dhcp.flags.bc', () => `${bitPicture(flags, 0x8000, 16)} = Broadcast flag: ${cast}`, (flags & 0x8000) !== 0, offset + 10, 2);
    b.add('dhcp.flags.reserved', () => `${bitPicture(flags, 0x7fff, 16)} = Reserved flags: ${hex(flags & 0x7fff, 4)}`, flags & 0x7fff, offset + 10, 2, () => hex(flags & 0x7fff, 4));
  }, () => hex(flags, 4));
  const addresses: Array<[string, string]> = [['client', 'Client IP address'], ['your', 'Your (client) IP address'], ['server', 'Next server IP address'], ['relay', 'Relay agent IP address']];
  addresses.forEach(([name, label], i) => {
    const at = offset + 12 + 4 * i;
    b.need(at, 4, label);
    const text = ipv4Text(b.data, at);
    b.add(`dhcp.ip.${name}`, () => `${label}: ${text}`, text, at, 4);
  });
  const chaddr = offset + 28;
  b.need(chaddr, 16, 'client hardware address');
  if (hwType === 1 && hwLen === 6) {
    const mac = macText(b.data, chaddr);
    b.add('dhcp.hw.mac_addr', () => `Client MAC address: ${state.macLabel(mac)}`, mac, chaddr, 6);
    b.add('dhcp.hw.addr_padding', () => `Client hardware address padding: ${b.data.toString('hex', chaddr + 6, chaddr + 16)}`, b.data.subarray(chaddr + 6, chaddr + 16), chaddr + 6, 10, () => b.data.subarray(chaddr + 6, chaddr + 16).toString('hex'));
  } else {
    const length = Math.min(hwLen, 16);
    b.add('dhcp.hw.addr', 'Client hardware address', b.data.subarray(chaddr, chaddr + length), chaddr, length, () => b.data.subarray(chaddr, chaddr + length).toString('hex'));
  }
  addZeroTerminated(b, 'dhcp.server', 'Server host name', offset + 44, 64);
  addZeroTerminated(b, 'dhcp.file', 'Boot file name', offset + 108, 128);
  const cookieAt = offset + FIXED_HEADER;
  if (cookieAt >= end) return;
  const cookie = b.u32(cookieAt, 'magic cookie');
  b.add('dhcp.cookie', () => `Magic cookie: ${cookie === MAGIC_COOKIE ? 'DHCP' : ipv4Text(b.data, cookieAt)}`, ipv4Text(b.data, cookieAt), cookieAt, 4);
  if (cookie !== MAGIC_COOKIE) return;
  readOptions(b, cookieAt + 4, end, state);
}

function addZeroTerminated(b: LayerBuilder, abbrev: string, label: string, at: number, size: number): void {
  const raw = b.bytes(at, size, label);
  const zero = raw.indexOf(0);
  if (zero === 0) {
    // "not given": the field is there, empty, labelled so.
    b.add(abbrev, `${label} not given`, '', at, size);
    return;
  }
  const text = printable(raw.subarray(0, zero < 0 ? size : zero));
  b.add(abbrev, () => `${label}: ${text}`, text, at, size);
}

function readOptions(b: LayerBuilder, start: number, end: number, state: DhcpState): void {
  let at = start;
  while (at < end) {
    const code = b.u8(at, 'option code');
    if (code === 255) {
      b.group('dhcp.option.type', 'Option: (255) End', 0, at, 1, () => b.add('dhcp.option.end', 'Option End: 255', 255, at, 1), '0');
      at += 1;
      if (at < Math.min(end, b.data.length)) b.add('dhcp.option.padding', () => `Padding: ${b.data.toString('hex', at, Math.min(end, b.data.length, at + 36))}${Math.min(end, b.data.length) - at > 36 ? '…' : ''}`, b.data.subarray(at, Math.min(end, b.data.length)), at, Math.min(end, b.data.length) - at, () => b.data.subarray(at, Math.min(end, b.data.length)).toString('hex'));
      return;
    }
    if (code === 0) {
      b.add('dhcp.option.type', 'Option: (0) Padding', 0, at, 1);
      at += 1;
      continue;
    }
    const length = b.u8(at + 1, 'option length');
    if (at + 2 + length > end) throw new StopDissection('malformed', `DHCP option ${code} runs past the end of the packet`);
    const value = b.bytes(at + 2, length, `option ${code}`);
    const known = OPTIONS[code];
    b.group('dhcp.option.type', () => `Option: (${code}) ${optionName(code)}${optionSummary(code, value)}`, code, at, 2 + length, () => {
      b.add('dhcp.option.length', () => `Length: ${length}`, length, at + 1, 1);
      // Every option's bytes, hidden (dhcp.option.value), before its decoded value.
      if (length > 0) b.add('dhcp.option.value', () => `Value: ${value.toString('hex')}`, value, at + 2, length, () => value.toString('hex')).hidden = true;
      if (code === 61 && length === 7 && value[0] === 1) {
        // Client identifier holding an Ethernet address: Wireshark reuses the header's field names.
        b.add('dhcp.hw.type', () => `Hardware type: ${HARDWARE_TYPES[1] ?? 'Unknown'} (${hex(1, 2)})`, 1, at + 2, 1, () => hex(1, 2));
        const mac = macText(value, 1);
        b.add('dhcp.hw.mac_addr', () => `Client MAC address: ${state.macLabel(mac)}`, mac, at + 3, 6);
      } else if (known) addOptionValue(b, known, value, at + 2);
      else if (!known && length > 0) b.add('dhcp.option.value', () => `Value: ${value.toString('hex')}`, value, at + 2, length, () => value.toString('hex'));
      if (code === 53 && length >= 1) state.messageType = value[0]!;
    });
    at += 2 + length;
  }
}

function addOptionValue(b: LayerBuilder, [name, label, kind]: [string, string, OptionKind], value: Buffer, at: number): void {
  const abbrev = `dhcp.option.${name}`;
  const width = { ipv4: 4, ipv4list: 4, u8: 1, u8list: 1, u16: 2, u32: 4, i32: 4, string: 0 }[kind];
  if (kind === 'string') {
    const zero = value.indexOf(0);
    const text = printable(zero < 0 ? value : value.subarray(0, zero));
    b.add(abbrev, () => `${label}: ${text}`, text, at, value.length);
    return;
  }
  const single = kind === 'ipv4' || kind === 'u8' || kind === 'u16' || kind === 'u32' || kind === 'i32';
  if (single && value.length !== width) {
    b.add('dhcp.option.value', 'Value', value, at, value.length, () => value.toString('hex'));
    return;
  }
  for (let i = 0; i + width <= value.length; i += width) {
    let text: string;
    let v: number | string;
    if (kind === 'ipv4' || kind === 'ipv4list') v = text = ipv4Text(value, i);
    else if (width === 1) text = String((v = value[i]!));
    else if (width === 2) text = String((v = value.readUInt16BE(i)));
    else if (kind === 'i32') text = String((v = value.readInt32BE(i)));
    else text = String((v = value.readUInt32BE(i)));
    const n = v;
    // packet-dhcp.c's labels: the message type by name, a requested option by number and name,
    // a time in seconds also in words.
    const shown = (): string => {
      if (name === 'dhcp') return `DHCP: ${MESSAGE_TYPES[n as number] ?? 'Unknown'} (${n})`;
      if (name === 'request_list_item') return `Parameter Request List Item: (${n}) ${optionName(n as number)}`;
      if (TIME_OPTIONS.has(name)) return `${label}: (${n}s) ${secondsText(n as number)}`;
      return `${label}: ${text}`;
    };
    b.add(abbrev, shown, v, at + i, width, text);
    if (single) break;
  }
}

/** ARP hardware types (arp_hrd_vals) as DHCP names them. */
const HARDWARE_TYPES: Record<number, string> = { 1: 'Ethernet', 6: 'IEEE 802 Networks' };

/** packet-dhcp.c's option names (the option table), for headings and the Parameter Request List. */
const OPTION_NAMES: Record<number, string> = {
  0: 'Padding', 1: 'Subnet Mask', 2: 'Time Offset', 3: 'Router', 4: 'Time Server', 5: 'Name Server', 6: 'Domain Name Server',
  7: 'Log Server', 8: 'Quotes Server', 9: 'LPR Server', 10: 'Impress Server', 11: 'Resource Location Server', 12: 'Host Name',
  13: 'Boot File Size', 14: 'Merit Dump File', 15: 'Domain Name', 16: 'Swap Server', 17: 'Root Path', 18: 'Extensions Path',
  19: 'IP Forwarding', 20: 'Non-Local Source Routing', 21: 'Policy Filter', 22: 'Maximum Datagram Reassembly Size',
  23: 'Default IP Time-to-Live', 24: 'Path MTU Aging Timeout', 25: 'Path MTU Plateau Table', 26: 'Interface MTU',
  27: 'All Subnets are Local', 28: 'Broadcast Address', 29: 'Perform Mask Discovery', 30: 'Mask Supplier',
  31: 'Perform Router Discover', 32: 'Router Solicitation Address', 33: 'Static Route', 34: 'Trailer Encapsulation',
  35: 'ARP Cache Timeout', 36: 'Ethernet Encapsulation', 37: 'TCP Default TTL', 38: 'TCP Keepalive Interval',
  39: 'TCP Keepalive Garbage', 40: 'Network Information Service Domain', 41: 'Network Information Service Servers',
  42: 'Network Time Protocol Servers', 43: 'Vendor-Specific Information', 44: 'NetBIOS over TCP/IP Name Server',
  45: 'NetBIOS over TCP/IP Datagram Distribution Name Server', 46: 'NetBIOS over TCP/IP Node Type', 47: 'NetBIOS over TCP/IP Scope',
  48: 'X Window System Font Server', 49: 'X Window System Display Manager', 50: 'Requested IP Address', 51: 'IP Address Lease Time',
  52: 'Option Overload', 53: 'DHCP Message Type', 54: 'DHCP Server Identifier', 55: 'Parameter Request List', 56: 'Message',
  57: 'Maximum DHCP Message Size', 58: 'Renewal Time Value', 59: 'Rebinding Time Value', 60: 'Vendor class identifier',
  61: 'Client identifier', 66: 'TFTP Server Name', 67: 'Bootfile name', 81: 'Client Fully Qualified Domain Name',
  82: 'Agent Information Option', 119: 'Domain Search', 121: 'Classless Static Route', 249: 'Private/Classless Static Route (Microsoft)',
  252: 'Private/Proxy autodiscovery', 255: 'End',
};

function optionName(code: number): string {
  return OPTION_NAMES[code] ?? OPTIONS[code]?.[1] ?? 'Unknown';
}

/** What an option's heading adds in brackets: the message type's name, a single address. */
function optionSummary(code: number, value: Buffer): string {
  if (code === 53 && value.length === 1) return ` (${MESSAGE_TYPES[value[0]!] ?? 'Unknown'})`;
  if (OPTIONS[code]?.[2] === 'ipv4' && value.length === 4) return ` (${ipv4Text(value, 0)})`;
  return '';
}

/** Options whose value is a time in seconds, shown "(600s) 10 minutes". */
const TIME_OPTIONS = new Set(['ip_address_lease_time', 'renewal_time_value', 'rebinding_time_value']);

/** Wireshark's unsigned_time_secs_to_str: days, hours, minutes, seconds, the zero parts left out. */
function secondsText(secs: number): string {
  if (secs === 0xffffffff) return 'Infinity';
  if (secs === 0) return '0 seconds';
  const parts: string[] = [];
  const units: Array<[number, string]> = [[86400, 'day'], [3600, 'hour'], [60, 'minute'], [1, 'second']];
  let left = secs;
  for (const [size, name] of units) {
    const n = Math.floor(left / size);
    left -= n * size;
    if (n > 0) parts.push(`${n} ${name}${n === 1 ? '' : 's'}`);
  }
  return parts.join(', ');
}
