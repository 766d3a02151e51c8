/**
 * DNS over UDP and TCP (RFC 1035, EDNS per RFC 6891), with Wireshark's field names and Info line.
 * Over TCP each message carries a 2-byte length prefix (dns.length); a message cut by the segment
 * boundary is marked truncated rather than guessed at.
 *
 * mDNS (RFC 6762, UDP 5353) and LLMNR (RFC 4795, UDP 5355) are the same message under other
 * protocol names, as in Wireshark: the `dns.*` fields, with mDNS's "QU" question and cache-flush
 * bits (the top bit of the class) and LLMNR's conflict and tentative flags.
 */
import { LayerBuilder, StopDissection, dissectSafely, hex, type FieldSelection } from './builder';
import type { AppDissector, AppResult, Layer } from './model';
import { lengthPrefixedPdus } from './tcp-pdus';
import { bitPicture, bytesHex, nsToSeconds } from './format';
import { DnsTransactionTable, type DnsMatch } from './dns-transactions';
import { addExpertTo } from './expert';
import { ipv4Text, ipv6Text, printable } from './app-format';
import { DnsNameReader, dnsOpcodeName, dnsRcodeName, dnsTypeDescription, dnsTypeName, type DnsName } from './dns-names';

const DNS_HEADER = 12;
/** Wireshark's Info column holds at most this many characters (COL_MAX_INFO_LEN - 1). */
const MAX_INFO = 4095;

/** Appends to the Info text until it is full, so a message of thousands of records stays cheap. */
function appendInfo(info: { text: string }, more: string): void {
  if (info.text.length <= MAX_INFO) info.text += more;
}

/** Which of the DNS-format protocols a message is: its layer name, tree title and Protocol column. */
export interface DnsFlavor {
  protocol: 'dns' | 'mdns' | 'llmnr';
  title: string;
  column: string;
}

export const DNS: DnsFlavor = { protocol: 'dns', title: 'Domain Name System', column: 'DNS' };
export const MDNS: DnsFlavor = { protocol: 'mdns', title: 'Multicast Domain Name System', column: 'MDNS' };
export const LLMNR: DnsFlavor = { protocol: 'llmnr', title: 'Link-local Multicast Name Resolution', column: 'LLMNR' };

/** The DNS-format protocol of each UDP port, as Wireshark registers them. */
const UDP_FLAVORS = new Map<number, DnsFlavor>([[53, DNS], [5353, MDNS], [5355, LLMNR]]);

/**
 * One dissector for all three, so a filter on `dns.*` fields reaches mDNS and LLMNR messages too
 * (their fields are DNS's); its layers are named after the port's protocol.
 */
export const dnsDissector: AppDissector = createDnsDissector(null);

/**
 * The DNS dissector of a Dissector instance: with a transaction table (requests matched to their
 * responses across packets, as Wireshark's), or without one (each message on its own).
 */
export function createDnsDissector(transactions: DnsTransactionTable | null = new DnsTransactionTable()): AppDissector {
  // `flavor` null: named after the port (53 DNS, 5353 mDNS, 5355 LLMNR); a Decode As variant names its own.
  const make = (flavor: DnsFlavor | null): AppDissector => ({
    protocol: 'dns',
    fieldPrefixes: ['mdns', 'llmnr'],
    udpPorts: [...UDP_FLAVORS.keys()],
    tcpPorts: [53, 5353],
    // Requests and responses are matched across frames (dns.response_to, dns.time, unsolicited):
    // every DNS message is dissected, in order, whatever a dissection asks for.
    stateful: transactions !== null,
    dissect(data, offset, end, ctx) {
      // Records feed the Info column; without it, only the fields asked for need them.
      const records = ctx.columns !== false || wantsRecords(ctx.fields);
      // Messages quoted in an ICMP error take no part in matching (Wireshark's in_error_pkt).
      const match: Matcher | undefined = transactions === null || ctx.quoted ? undefined : (id, response) => transactions.match(ctx, id, response);
      return ctx.transport === 'tcp'
        ? dissectDnsOverTcp(data, offset, end, records, ctx.fields, match)
        : dissectDnsMessage(data, offset, end, false, records, ctx.fields, flavor ?? udpFlavor(ctx.srcPort, ctx.dstPort), match);
    },
    // Each message's Info replaces the one before, as tshark shows several in one segment.
    desegment: (data, offset, end) => ({ ...lengthPrefixedPdus(data, offset, end, 2, (at) => 2 + data.readUInt16BE(at)), replaceInfo: true }),
  });
  // Decode As names them apart, as Wireshark registers three dissectors (tshark -d udp.port==5353,dns
  // shows DNS); UDP only: over TCP each is DNS, as Wireshark's mDNS/LLMNR have no TCP dissector.
  const variants = new Map([DNS, MDNS, LLMNR].map((f) => [f.protocol, make(f)]));
  return { ...make(null), variants };
}

/** Matches a message to its transaction (DnsTransactionTable.match for this packet's conversation). */
type Matcher = (id: number, response: boolean) => DnsMatch;

/** The flavor of the port the payload was handed off on: the lower port's first, as Dissector.appFor. */
export function udpFlavor(srcPort: number, dstPort: number): DnsFlavor {
  return UDP_FLAVORS.get(Math.min(srcPort, dstPort)) ?? UDP_FLAVORS.get(Math.max(srcPort, dstPort)) ?? DNS;
}

/** Header and question fields: a caller that wants only these (and not the layer's bytes) needs no records. */
const HEADER_OR_QUESTION = /^dns\.(id|length|flags(\..*)?|count\..*|qry\..*)$/;
const recordsWanted = new WeakMap<ReadonlySet<string>, boolean>();

/** Whether the answer, authority and additional records must be read for these fields (see AppContext.fields). */
function wantsRecords(fields: ReadonlySet<string> | undefined): boolean {
  if (fields === undefined) return true;
  let wanted = recordsWanted.get(fields);
  if (wanted === undefined) {
    // 'dns' itself: a protocol test may look at the layer's bytes, which run to the last record.
    wanted = [...fields].some((f) => f === 'dns' || f === 'mdns' || f === 'llmnr' || (f.startsWith('dns.') && !HEADER_OR_QUESTION.test(f)));
    recordsWanted.set(fields, wanted);
  }
  return wanted;
}

function dissectDnsOverTcp(data: Buffer, offset: number, end: number, records: boolean, selection: FieldSelection | undefined, match?: Matcher): AppResult {
  const layers: Layer[] = [];
  const infos: string[] = [];
  let position = offset;
  while (position < end) {
    const captured = Math.min(end, data.length);
    const declared = position + 2 <= captured ? data.readUInt16BE(position) : 0;
    const messageEnd = position + 2 + declared;
    const result = dissectDnsMessage(data.subarray(0, Math.min(captured, messageEnd)), position, messageEnd, true, records, selection, DNS, match);
    const layer = result.layers[0]!;
    if (messageEnd > end && layer.status === 'truncated') layer.problem = 'DNS message continues in a later TCP segment (truncated by segment)';
    layers.push(layer);
    infos.push(result.info);
    if (messageEnd > captured || declared === 0) break;
    position = messageEnd;
  }
  return { layers, protocolColumn: 'DNS', info: infos.join(', ') };
}

/**
 * One DNS message in [offset, end); with `tcp`, preceded by its length prefix. `data` may end
 * before `end` (snap length or segment boundary): reads past it make the layer truncated.
 */
export function dissectDnsMessage(data: Buffer, offset: number, end: number, tcp: boolean, records = true, selection?: FieldSelection, flavor: DnsFlavor = DNS, match?: Matcher): AppResult {
  const b = new LayerBuilder(data, flavor.protocol, flavor.title, offset, end, selection);
  const info: MessageInfo = { text: '', response: false, flavor: flavor.protocol };
  const layer = dissectSafely(b, () => {
    let start = offset;
    if (tcp) {
      const length = b.u16(offset, 'length prefix');
      b.add('dns.length', () => `Length: ${length}`, length, offset, 2);
      start += 2;
    }
    readMessage(b, start, info, records, match);
  });
  if (info.text.length > MAX_INFO) info.text = info.text.slice(0, MAX_INFO);
  // From the QR bit (a query for "response.example" is still a query).
  layer.title = `${flavor.title} (${info.response ? 'response' : 'query'})`;
  return { layers: [layer], protocolColumn: flavor.column, info: info.text };
}

interface MessageInfo {
  text: string;
  response: boolean;
  flavor: DnsFlavor['protocol'];
}

function readMessage(b: LayerBuilder, start: number, info: MessageInfo, records: boolean, match?: Matcher): void {
  const id = b.u16(start, 'transaction ID');
  const idField = b.add('dns.id', () => `Transaction ID: ${hex(id, 4)}`, id, start, 2, () => hex(id, 4));
  const flags = b.u16(start + 2, 'flags');
  const response = (flags & 0x8000) !== 0;
  const matched = match?.(id, response);
  if (matched?.kind === 'retransmitted-request') addExpertTo(b, idField, 'dns.retransmit_request', 'Warning', 'Protocol', `DNS query retransmission. Original request in frame ${matched.requestFrame}`);
  if (matched?.kind === 'retransmitted-response') addExpertTo(b, idField, 'dns.retransmit_response', 'Warning', 'Protocol', `DNS response retransmission. Original response in frame ${matched.responseFrame}`);
  info.response = response;
  const opcode = (flags >> 11) & 0xf;
  const rcode = flags & 0xf;
  info.text = `${dnsOpcodeName(opcode)}${response ? ' response' : ''} ${hex(id, 4)}`;
  if (response && rcode !== 0) info.text += ` ${dnsRcodeName(rcode)}`;
  const flagsText = response ? `${dnsOpcodeName(opcode)} response, ${dnsRcodeName(rcode)}` : dnsOpcodeName(opcode);
  b.group('dns.flags', () => `Flags: ${hex(flags, 4)} ${flagsText}`, flags, start + 2, 2, () => {
    // tshark's lines: the bit picture, the flag's name and what its value means.
    const bit = (abbrev: string, label: string, mask: number, set: string, clear: string) =>
      b.add(abbrev, () => `${bitPicture(flags, mask, 16)} = ${label}: ${(flags & mask) !== 0 ? set : clear}`, (flags & mask) !== 0, start + 2, 2);
    bit('dns.flags.response', 'Response', 0x8000, 'Message is a response', 'Message is a query');
    b.add('dns.flags.opcode', () => `${bitPicture(flags, 0x7800, 16)} = Opcode: ${dnsOpcodeName(opcode)} (${opcode})`, opcode, start + 2, 2);
    const rcodeLine = () => b.add('dns.flags.rcode', () => `${bitPicture(flags, 0x000f, 16)} = Reply code: ${dnsRcodeName(rcode)} (${rcode})`, rcode, start + 2, 2);
    if (info.flavor === 'llmnr') {
      // RFC 4795 §2.1.1: C(onflict), TC and T(entative) where DNS has AA, TC and RD; no RA, Z, AD, CD.
      bit('dns.flags.conflict', 'Conflict', 0x0400, 'The sender received multiple responses', 'None');
      bit('dns.flags.truncated', 'Truncated', 0x0200, 'Message is truncated', 'Message is not truncated');
      bit('dns.flags.tentative', 'Tentative', 0x0100, 'Tentative', 'Not tentative');
      if (response) rcodeLine();
      return;
    }
    if (response) bit('dns.flags.authoritative', 'Authoritative', 0x0400, 'Server is an authority for domain', 'Server is not an authority for domain');
    bit('dns.flags.truncated', 'Truncated', 0x0200, 'Message is truncated', 'Message is not truncated');
    bit('dns.flags.recdesired', 'Recursion desired', 0x0100, 'Do query recursively', "Don't do query recursively");
    if (response) bit('dns.flags.recavail', 'Recursion available', 0x0080, 'Server can do recursive queries', "Server can't do recursive queries");
    b.add('dns.flags.z', () => `${bitPicture(flags, 0x0040, 16)} = Z: reserved (${(flags >> 6) & 1})`, (flags & 0x0040) !== 0, start + 2, 2);
    // tshark shows the AD bit of a query only when it is set.
    if (response || flags & 0x0020) {
      bit('dns.flags.authenticated', 'Answer authenticated', 0x0020, 'Answer/authority portion was authenticated by the server', 'Answer/authority portion was not authenticated by the server');
    }
    bit('dns.flags.checkdisable', 'Non-authenticated data', 0x0010, 'Acceptable', 'Unacceptable');
    if (response) rcodeLine();
  }, () => hex(flags, 4));
  const counts = [4, 6, 8, 10].map((o) => b.u16(start + o, 'section counts'));
  const countNames = ['dns.count.queries', 'dns.count.answers', 'dns.count.auth_rr', 'dns.count.add_rr'];
  const countLabels = ['Questions', 'Answer RRs', 'Authority RRs', 'Additional RRs'];
  counts.forEach((count, i) => b.add(countNames[i]!, () => `${countLabels[i]}: ${count}`, count, start + 4 + 2 * i, 2));

  let position = start + DNS_HEADER;
  const names = new DnsNameReader(b.data, start, Math.min(b.end, b.data.length));
  if (counts[0]! > 0) {
    b.group('', 'Queries', null, position, 0, () => {
      for (let i = 0; i < counts[0]!; i++) position = readQuestion(b, names, position, info);
    });
  }
  const sections = ['Answers', 'Authoritative nameservers', 'Additional records'];
  for (let s = 0; s < (records ? 3 : 0); s++) {
    const count = counts[s + 1]!;
    if (count === 0) continue;
    b.group('', () => sections[s]!, null, position, 0, () => {
      for (let i = 0; i < count; i++) position = readRecord(b, names, position, info);
    });
  }
  // The layer keeps the whole message, as tshark's does: bytes after the last record are
  // Extraneous Data, still the DNS's (and the UDP's) bytes for `contains` and `matches`.
  const stop = Math.min(b.end, b.data.length);
  if (records && position < stop) {
    const extra = stop - position;
    b.group('', () => `Extraneous Data (${extra} bytes)`, null, position, extra, () => {
      b.add('dns.extraneous.data', () => `Extraneous Data Bytes: ${bytesHex(b.data, position, extra)}`, b.data.subarray(position, stop), position, extra, () => bytesHex(b.data, position, extra));
      b.add('dns.extraneous.length', () => `[Extraneous Data Length: ${extra}]`, extra, position, 0);
    });
  }
  if (matched !== undefined) addTransaction(b, start, matched);
}

/** The matching's lines at the end of the tree, as Wireshark adds them. */
function addTransaction(b: LayerBuilder, at: number, m: DnsMatch): void {
  if (m.kind === 'retransmitted-request') {
    b.add('dns.retransmit_request_in', () => `[Retransmitted request. Original request in: ${m.requestFrame}]`, m.requestFrame, at, 0);
    b.add('dns.retransmission', '[Retransmission: True]', true, at, 0, '1');
  } else if (m.kind === 'retransmitted-response') {
    b.add('dns.retransmit_response_in', () => `[Retransmitted response. Original response in: ${m.responseFrame}]`, m.responseFrame, at, 0);
    b.add('dns.retransmission', '[Retransmission: True]', true, at, 0, '1');
  } else if (m.kind === 'unsolicited') {
    b.add('dns.unsolicited', '[Unsolicited: True]', true, at, 0, '1');
  } else if (m.kind === 'response') {
    b.add('dns.response_to', () => `[Request In: ${m.requestFrame}]`, m.requestFrame, at, 0);
    b.add('dns.time', () => `[Time: ${nsToSeconds(m.timeNs)} seconds]`, m.timeNs, at, 0, () => nsToSeconds(m.timeNs));
  }
}

function name(b: LayerBuilder, names: DnsNameReader, offset: number, what: string): DnsName {
  const available = names.available;
  const parsed = names.read(offset);
  if (parsed.problem === 'malformed') throw new StopDissection('malformed', `${what}: bad label or compression loop`);
  if (parsed.problem === 'truncated') {
    // The name ran off the available bytes: past the capture is truncation, past the message malformed.
    b.need(available, 1, what);
  }
  return parsed;
}

/** Labels in a name as Wireshark counts them: dots not escaped by a backslash, plus one. */
function labelCount(text: string): number {
  let count = 1;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 0x2e && (i === 0 || text.charCodeAt(i - 1) !== 0x5c)) count++;
  return count;
}

function readQuestion(b: LayerBuilder, names: DnsNameReader, offset: number, info: MessageInfo): number {
  const qname = name(b, names, offset, 'query name');
  const typeOffset = offset + qname.length;
  const type = b.u16(typeOffset, 'query type');
  const klass = b.u16(typeOffset + 2, 'query class');
  const typeName = dnsTypeName(type);
  // mDNS (RFC 6762 §5.4): the class's top bit asks for a unicast response ("QU" rather than "QM").
  const mdns = info.flavor === 'mdns';
  const qu = mdns && (klass & 0x8000) !== 0;
  const klassValue = mdns ? klass & 0x7fff : klass;
  const classHex = hex(klassValue, 4);
  const nameLength = qname.text === '<Root>' ? 6 : qname.text.length;
  const labels = labelCount(qname.text);
  const question = mdns ? `, "${qu ? 'QU' : 'QM'}" question` : '';
  b.group('', () => `${qname.text}: type ${typeName}, class ${className(klassValue)}${qu ? ', "QU" question' : ''}`, null, offset, qname.length + 4, () => {
    b.add('dns.qry.name', () => `Name: ${qname.text}`, qname.text, offset, qname.length);
    b.add('dns.qry.name.len', () => `[Name Length: ${nameLength}]`, nameLength, offset, qname.length);
    b.add('dns.count.labels', () => `[Label Count: ${labels}]`, labels, offset, qname.length);
    b.add('dns.qry.type', () => `Type: ${typeLabel(type)}`, type, typeOffset, 2);
    b.add('dns.qry.class', () => `Class: ${classLabel(klassValue)}`, klassValue, typeOffset + 2, 2, classHex);
    if (mdns) b.add('dns.qry.qu', '"QU" question', qu, typeOffset + 2, 2);
  });
  appendInfo(info, ` ${typeName} ${qname.text}${question}`);
  return typeOffset + 4;
}

function readRecord(b: LayerBuilder, names: DnsNameReader, offset: number, info: MessageInfo): number {
  const rname = name(b, names, offset, 'record name');
  const typeOffset = offset + rname.length;
  const type = b.u16(typeOffset, 'record type');
  const klass = b.u16(typeOffset + 2, 'record class');
  const ttl = b.u32(typeOffset + 4, 'record TTL');
  const rdLength = b.u16(typeOffset + 8, 'record data length');
  const rdata = typeOffset + 10;
  // mDNS (RFC 6762 §10.2): the class's top bit in a record says "replace what you cached".
  const cacheFlush = info.flavor === 'mdns' && type !== 41 && (klass & 0x8000) !== 0;
  // Only mDNS reads that bit apart: to DNS and LLMNR, class 0x8001 is an unknown class.
  const klassValue = info.flavor === 'mdns' ? klass & 0x7fff : klass;
  appendInfo(info, ` ${dnsTypeName(type)}${cacheFlush ? ', cache flush' : ''}`);
  let recordData = '';
  const heading = b.group('', () => `${rname.text}: type ${dnsTypeName(type)}${type === 41 ? '' : `, class ${className(klassValue)}`}`, null, offset, rdata + rdLength - offset, () => {
    addRecordName(b, rname, type, offset);
    b.add('dns.resp.type', () => `Type: ${typeLabel(type)}`, type, typeOffset, 2);
    if (type === 41) {
      b.add('dns.rr.udp_payload_size', () => `UDP payload size: ${klass}`, klass, typeOffset + 2, 2);
      b.add('dns.resp.ext_rcode', () => `Higher bits in extended RCODE: ${hex(ttl >>> 24, 2)}`, ttl >>> 24, typeOffset + 4, 1, () => hex(ttl >>> 24, 2));
      b.add('dns.resp.edns0_version', () => `EDNS0 version: ${(ttl >>> 16) & 0xff}`, (ttl >>> 16) & 0xff, typeOffset + 5, 1);
      const z = ttl & 0xffff;
      b.group('dns.resp.z', () => `Z: ${hex(z, 4)}`, z, typeOffset + 6, 2, () => {
        b.add('dns.resp.z.do', 'DO bit', (z & 0x8000) !== 0, typeOffset + 6, 2);
        b.add('dns.resp.z.reserved', () => `Reserved: ${hex(z & 0x7fff, 4)}`, z & 0x7fff, typeOffset + 6, 2, () => hex(z & 0x7fff, 4));
      }, () => hex(z, 4));
    } else {
      b.add('dns.resp.class', () => `Class: ${classLabel(klassValue)}`, klassValue, typeOffset + 2, 2, () => hex(klassValue, 4));
      if (info.flavor === 'mdns') b.add('dns.resp.cache_flush', 'Cache flush', cacheFlush, typeOffset + 2, 2);
      b.add('dns.resp.ttl', () => `Time to live: ${ttl} (${durationText(ttl)})`, ttl, typeOffset + 4, 4);
    }
    b.add('dns.resp.len', () => `Data length: ${rdLength}`, rdLength, typeOffset + 8, 2);
    if (rdata + rdLength > b.end) throw new StopDissection('malformed', 'record data runs past the end of the DNS message');
    recordData = readRecordData(b, names, type, rdata, rdLength);
    appendInfo(info, recordData);
  });
  // Wireshark's heading names the record's data for the common types.
  const what = RECORD_HEADINGS[type];
  if (b.tree && what !== undefined && recordData !== '') heading.label += `, ${what}${what === '' ? recordData.trimStart() : recordData}`;
  return rdata + rdLength;
}

/** The word before a record's data in its heading ('addr 192.0.2.1'), by type. */
const RECORD_HEADINGS: Record<number, string> = { 1: 'addr', 28: 'addr', 2: 'ns', 5: 'cname', 6: 'mname', 12: '' };

const CLASS_NAMES: Record<number, string> = { 1: 'IN', 2: 'CS', 3: 'CH', 4: 'HS', 0xfe: 'NONE', 0xff: 'ANY' };

/** 'IN', or 'Unknown' when Wireshark has no name for it (tshark 4.0's record headings). */
function className(klass: number): string {
  return CLASS_NAMES[klass] ?? 'Unknown';
}

/** 'IN (0x0001)': the tree's Class line. */
function classLabel(klass: number): string {
  const name = CLASS_NAMES[klass];
  return name === undefined ? `Unknown (${hex(klass, 4)})` : `${name} (${hex(klass, 4)})`;
}

/** 'A (Host Address) (1)': the tree's Type line. */
function typeLabel(type: number): string {
  return `${dnsTypeDescription(type) ?? dnsTypeName(type)} (${type})`;
}

/** Wireshark's unsigned_time_secs_to_str: '5 minutes, 2 seconds', '1 day, 1 second'. */
export function durationText(seconds: number): string {
  if (seconds === 0) return '0 seconds';
  const parts: string[] = [];
  const units: Array<[number, string]> = [[86400, 'day'], [3600, 'hour'], [60, 'minute'], [1, 'second']];
  let rest = seconds;
  for (const [size, name] of units) {
    const n = Math.floor(rest / size);
    rest -= n * size;
    if (n > 0) parts.push(`${n} ${name}${n === 1 ? '' : 's'}`);
  }
  return parts.join(', ');
}

/** SRV owner names are shown split into service, protocol and name, as Wireshark does. */
function addRecordName(b: LayerBuilder, rname: DnsName, type: number, offset: number): void {
  const parts = rname.text.split('.');
  if (type === 33 && parts.length >= 3) {
    b.add('dns.srv.service', () => `Service: ${parts[0]}`, parts[0]!, offset, rname.length);
    b.add('dns.srv.proto', () => `Protocol: ${parts[1]}`, parts[1]!, offset, rname.length);
    const rest = parts.slice(2).join('.');
    b.add('dns.srv.name', () => `Name: ${rest}`, rest, offset, rname.length);
    return;
  }
  b.add('dns.resp.name', () => `Name: ${rname.text}`, rname.text, offset, rname.length);
}

/** Adds the typed fields of one record's data; returns what Wireshark appends to Info for it. */
function readRecordData(b: LayerBuilder, names: DnsNameReader, type: number, offset: number, length: number): string {
  const nameField = (abbrev: string, label: string, at: number): string => {
    const parsed = name(b, names, at, label);
    b.add(abbrev, () => `${label}: ${parsed.text}`, parsed.text, at, parsed.length);
    return parsed.text;
  };
  switch (type) {
    case 1: {
      if (length !== 4) return '';
      b.need(offset, 4, 'IPv4 address');
      const text = ipv4Text(b.data, offset);
      b.add('dns.a', () => `Address: ${text}`, text, offset, 4);
      return ` ${text}`;
    }
    case 28: {
      if (length !== 16) return '';
      b.need(offset, 16, 'IPv6 address');
      const text = ipv6Text(b.data, offset);
      b.add('dns.aaaa', () => `AAAA Address: ${text}`, text, offset, 16);
      return ` ${text}`;
    }
    case 2: return ` ${nameField('dns.ns', 'Name Server', offset)}`;
    case 5: return ` ${nameField('dns.cname', 'CNAME', offset)}`;
    case 12: return ` ${nameField('dns.ptr.domain_name', 'Domain Name', offset)}`;
    case 15: {
      const preference = b.u16(offset, 'MX preference');
      b.add('dns.mx.preference', () => `Preference: ${preference}`, preference, offset, 2);
      return ` ${preference} ${nameField('dns.mx.mail_exchange', 'Mail Exchange', offset + 2)}`;
    }
    case 6: {
      const mname = name(b, names, offset, 'SOA primary name server');
      b.add('dns.soa.mname', () => `Primary name server: ${mname.text}`, mname.text, offset, mname.length);
      const rname = name(b, names, offset + mname.length, 'SOA mailbox');
      b.add('dns.soa.rname', () => `Responsible authority's mailbox: ${rname.text}`, rname.text, offset + mname.length, rname.length);
      let at = offset + mname.length + rname.length;
      const soaFields = ['serial_number', 'refresh_interval', 'retry_interval', 'expire_limit', 'minimum_ttl'];
      const labels = ['Serial Number', 'Refresh Interval', 'Retry Interval', 'Expire limit', 'Minimum TTL'];
      soaFields.forEach((n, i) => {
        const v = b.u32(at, labels[i]!);
        b.add(`dns.soa.${n}`, () => `${labels[i]}: ${v}${i > 0 ? ` (${durationText(v)})` : ''}`, v, at, 4);
        at += 4;
      });
      return ` ${mname.text}`;
    }
    case 16:
    case 99: {
      const prefix = type === 16 ? 'dns.txt' : 'dns.spf';
      for (let at = offset; at < offset + length; ) {
        const n = b.u8(at, 'TXT length');
        b.add(`${prefix}.length`, () => `${type === 16 ? 'TXT' : 'SPF'} Length: ${n}`, n, at, 1);
        const text = printable(b.bytes(at + 1, n, 'TXT string'));
        b.add(prefix, () => `${type === 16 ? 'TXT' : 'SPF'}: ${text}`, text, at + 1, n);
        at += 1 + n;
      }
      return '';
    }
    case 33: {
      const [priority, weight, port] = [0, 2, 4].map((o) => b.u16(offset + o, 'SRV fields'));
      b.add('dns.srv.priority', () => `Priority: ${priority}`, priority!, offset, 2);
      b.add('dns.srv.weight', () => `Weight: ${weight}`, weight!, offset + 2, 2);
      b.add('dns.srv.port', () => `Port: ${port}`, port!, offset + 4, 2);
      return ` ${priority} ${weight} ${port} ${nameField('dns.srv.target', 'Target', offset + 6)}`;
    }
    case 41: {
      for (let at = offset; at + 4 <= offset + length; ) {
        const code = b.u16(at, 'EDNS option code');
        const optLength = b.u16(at + 2, 'EDNS option length');
        b.group('dns.opt', () => `Option: ${code}`, null, at, 4 + optLength, () => {
          b.add('dns.opt.code', () => `Option Code: ${code}`, code, at, 2);
          b.add('dns.opt.len', () => `Option Length: ${optLength}`, optLength, at + 2, 2);
          if (optLength > 0) b.add('dns.opt.data', 'Option Data', b.bytes(at + 4, optLength, 'EDNS option data'), at + 4, optLength, () => b.data.subarray(at + 4, at + 4 + optLength).toString('hex'));
        }, '');
        at += 4 + optLength;
      }
      return '';
    }
    default:
      return '';
  }
}
