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
import { addExpert, addExpertTo } from './expert';
import { statusSuffix } from './routing-common';
import { absoluteTimeText, ipv4Text, ipv6Text, printable } from './app-format';
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
    ownState: true,
    dissect(data, offset, end, ctx) {
      // Records feed the Info column; without it, only the fields asked for need them.
      const records = ctx.columns !== false || wantsRecords(ctx.fields);
      // Messages quoted in an ICMP error take no part in matching (Wireshark's in_error_pkt).
      const match: Matcher | undefined = transactions === null || ctx.quoted ? undefined : (id, response) => transactions.match(ctx, id, response);
      // Nobody sees this message: only the matching, which later messages' fields depend on.
      if (ctx.unseen === true && ctx.transport === 'udp') return matchOnly(data, offset, end, flavor ?? udpFlavor(ctx.srcPort, ctx.dstPort), match);
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
/**
 * DNS over UDP on other ports, as Wireshark 4.0's heuristic takes it (dissect_dns_heur, on by
 * default): the DNS dissector `dns` (the same transactions), offered to UDP payloads no port
 * claimed. Registered after every other heuristic: Wireshark tries the UDP heuristics in the
 * reverse order of their protocols' names, and "dns" comes after those Sievecap has.
 */
export function dnsHeuristic(dns: AppDissector): AppDissector {
  return { ...dns, udpPorts: [], tcpPorts: [], variants: undefined, heuristic: (data, offset, end, ctx) => ctx.transport === 'udp' && looksLikeDns(data, offset, end) };
}

/**
 * dissect_dns_heur's test: more than a header; a standard query (opcode 0); a query asks one
 * question and carries no answer or authority record; a response at most one question, 100
 * answers and 10 authority records; at most 10 additional records either way.
 */
export function looksLikeDns(data: Buffer, offset: number, end: number): boolean {
  if (end - offset <= 12 || Math.min(end, data.length) - offset < 12) return false;
  const flags = data.readUInt16BE(offset + 2);
  if ((flags & 0x7800) !== 0) return false;
  const questions = data.readUInt16BE(offset + 4);
  const answers = data.readUInt16BE(offset + 6);
  const authority = data.readUInt16BE(offset + 8);
  if ((flags & 0x8000) === 0) {
    if (questions !== 1 || answers !== 0 || authority !== 0) return false;
  } else if (questions > 1 || answers > 100 || authority > 10) {
    return false;
  }
  return data.readUInt16BE(offset + 10) <= 10;
}

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

/**
 * A message nobody sees: matched to its transaction as the full dissection matches it (once its ID
 * and flags are there), and an empty layer for it.
 */
function matchOnly(data: Buffer, offset: number, end: number, flavor: DnsFlavor, match?: Matcher): AppResult {
  const b = new LayerBuilder(data, flavor.protocol, flavor.title, offset, end, EMPTY_SELECTION);
  if (match !== undefined && Math.min(end, data.length) - offset >= 4) match(data.readUInt16BE(offset), (data[offset + 2]! & 0x80) !== 0);
  return { layers: [b.layer], protocolColumn: flavor.column, info: '' };
}
const EMPTY_SELECTION: ReadonlySet<string> = new Set();

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
  // A message cut by the snap length or running past its end: tshark's note after what was read.
  info.text += statusSuffix(layer);
  // From the QR bit (a query for "response.example" is still a query).
  layer.title = layer.fields.length === 0 && layer.status !== 'ok' ? '' : `${flavor.title} (${info.response ? 'response' : 'query'})`;
  return { layers: [layer], protocolColumn: flavor.column, info: info.text };
}

interface MessageInfo {
  text: string;
  response: boolean;
  flavor: DnsFlavor['protocol'];
}

function readMessage(b: LayerBuilder, start: number, info: MessageInfo, records: boolean, match?: Matcher): void {
  const id = b.u16(start, 'transaction ID');
  // packet-dns.c reads the flags before it adds its tree: a message shorter adds none.
  b.u16(start + 2, 'flags');
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
  // The Flags line names an unknown opcode or rcode without its number (val_to_str_const), the bit lines "Unknown (N)".
  const opcodeWord = knownName(dnsOpcodeName(opcode), 'Unknown operation');
  const rcodeWord = knownName(dnsRcodeName(rcode), 'Unknown error');
  const flagsText = response ? `${opcodeWord} response, ${rcodeWord}` : opcodeWord;
  b.group('dns.flags', () => `Flags: ${hex(flags, 4)} ${flagsText}`, flags, start + 2, 2, () => {
    // tshark's lines: the bit picture, the flag's name and what its value means.
    const bit = (abbrev: string, label: string, mask: number, set: string, clear: string) =>
      b.add(abbrev, () => `${bitPicture(flags, mask, 16)} = ${label}: ${(flags & mask) !== 0 ? set : clear}`, (flags & mask) !== 0, start + 2, 2);
    bit('dns.flags.response', 'Response', 0x8000, 'Message is a response', 'Message is a query');
    const bitName = (word: string, unknown: string): string => (word === unknown ? 'Unknown' : word);
    b.add('dns.flags.opcode', () => `${bitPicture(flags, 0x7800, 16)} = Opcode: ${bitName(opcodeWord, 'Unknown operation')} (${opcode})`, opcode, start + 2, 2);
    const rcodeLine = () => b.add('dns.flags.rcode', () => `${bitPicture(flags, 0x000f, 16)} = Reply code: ${bitName(rcodeWord, 'Unknown error')} (${rcode})`, rcode, start + 2, 2);
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
    bit('dns.flags.z', 'Z', 0x0040, 'reserved - incorrect!', 'reserved (0)');
    // A response's AD bit says whether the answer was authenticated; a query's (RFC 6840 §5.7:
    // the client understands it) is shown only when it is set, as "AD bit: Set".
    if (response) bit('dns.flags.authenticated', 'Answer authenticated', 0x0020, 'Answer/authority portion was authenticated by the server', 'Answer/authority portion was not authenticated by the server');
    else if (flags & 0x0020) bit('dns.flags.authenticated', 'AD bit', 0x0020, 'Set', 'Not set');
    bit('dns.flags.checkdisable', 'Non-authenticated data', 0x0010, 'Acceptable', 'Unacceptable');
    if (response) rcodeLine();
  }, () => hex(flags, 4));
  const counts = [4, 6, 8, 10].map((o) => b.u16(start + o, 'section counts'));
  const countNames = ['dns.count.queries', 'dns.count.answers', 'dns.count.auth_rr', 'dns.count.add_rr'];
  const countLabels = ['Questions', 'Answer RRs', 'Authority RRs', 'Additional RRs'];
  counts.forEach((count, i) => b.add(countNames[i]!, () => `${countLabels[i]}: ${count}`, count, start + 4 + 2 * i, 2));

  let position = start + DNS_HEADER;
  const names = new DnsNameReader(b.data, start, Math.min(b.end, b.data.length));
  // Each section's item covers its records (its length set once they are read, as Wireshark's).
  if (counts[0]! > 0) {
    const from = position;
    const queries = b.group('', 'Queries', null, position, 0, () => {
      for (let i = 0; i < counts[0]!; i++) position = readQuestion(b, names, position, info);
    });
    queries.length = position - from;
  }
  const sections = ['Answers', 'Authoritative nameservers', 'Additional records'];
  for (let s = 0; s < (records ? 3 : 0); s++) {
    const count = counts[s + 1]!;
    if (count === 0) continue;
    const from = position;
    const section = b.group('', () => sections[s]!, null, position, 0, () => {
      for (let i = 0; i < count; i++) position = readRecord(b, names, position, info);
    });
    section.length = position - from;
  }
  // The layer keeps the whole message, as tshark's does: bytes after the last record are
  // Extraneous Data, still the DNS's (and the UDP's) bytes for `contains` and `matches`.
  const stop = Math.min(b.end, b.data.length);
  if (records && position < stop) {
    const extra = stop - position;
    b.group('', () => `Extraneous Data (${extra} bytes)`, null, position, extra, () => {
      b.add('dns.extraneous.data', () => `Extraneous Data Bytes: ${bytesHex(b.data, position, extra)}`, b.data.subarray(position, stop), position, extra, () => bytesHex(b.data, position, extra));
      b.add('dns.extraneous.length', () => `[Extraneous Data Length: ${extra}]`, extra, position, 0);
      // packet-dns.c's proto_tree_add_expert: a text item -V does not show, its expert inside
      // (-T json and PDML print it; -z expert counts it).
      const text = b.group('', 'Extraneous data', null, position, extra, () => addExpert(b, 'dns.extraneous', 'Note', 'Undecoded', 'Extraneous data', position, 0));
      if (b.tree) text.hidden = true;
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
  } else if (m.kind === 'request') {
    if (m.responseFrame !== 0) b.add('dns.response_in', () => `[Response In: ${m.responseFrame}]`, m.responseFrame, at, 0);
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
        b.add('dns.resp.z.do', () => `${bitPicture(z, 0x8000, 16)} = DO bit: ${z & 0x8000 ? 'Accepts' : 'Cannot handle'} DNSSEC security RRs`, (z & 0x8000) !== 0, typeOffset + 6, 2);
        b.add('dns.resp.z.reserved', () => `${bitPicture(z, 0x7fff, 16)} = Reserved: ${hex(z & 0x7fff, 4)}`, z & 0x7fff, typeOffset + 6, 2, () => hex(z & 0x7fff, 4));
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
  // MX's: ', preference 10, mx mx.example.com' (its Info text is those two).
  if (b.tree && type === 15 && recordData !== '') {
    const [preference, exchange] = recordData.trimStart().split(' ');
    heading.label += `, preference ${preference}, mx ${exchange}`;
  }
  // SRV's: ', priority 0, weight 100, port 389, target dns3.example' (its Info text is those four).
  if (b.tree && type === 33 && recordData !== '') {
    const [priority, weight, port, target] = recordData.trimStart().split(' ');
    heading.label += `, priority ${priority}, weight ${weight}, port ${port}, target ${target}`;
  }
  return rdata + rdLength;
}

/** The word before a record's data in its heading ('addr 192.0.2.1'), by type. */
const RECORD_HEADINGS: Record<number, string> = { 1: 'addr', 28: 'addr', 2: 'ns', 5: 'cname', 6: 'mname', 12: '' };

const CLASS_NAMES: Record<number, string> = { 1: 'IN', 2: 'CS', 3: 'CH', 4: 'HS', 0xfe: 'NONE', 0xff: 'ANY' };

/** 'IN', or 'Unknown' when Wireshark has no name for the class (dns_class_name). */
function className(klass: number): string {
  return CLASS_NAMES[klass] ?? 'Unknown';
}

/** A name from dns-names.ts, or `unknown` alone for its "unknown (N)" form. */
function knownName(name: string, unknown: string): string {
  return name.startsWith(`${unknown} (`) ? unknown : name;
}

/** 'IN (0x0001)': the tree's Class line. */
function classLabel(klass: number): string {
  const name = CLASS_NAMES[klass];
  return name === undefined ? `Unknown (${hex(klass, 4)})` : `${name} (${hex(klass, 4)})`;
}

/** 'A (Host Address) (1)': the tree's Type line. */
function typeLabel(type: number): string {
  const description = dnsTypeDescription(type);
  if (description !== null) return `${description} (${type})`;
  // A type Wireshark has no name for is already 'Unknown (507)'.
  const name = dnsTypeName(type);
  return name === `Unknown (${type})` ? name : `${name} (${type})`;
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
        const optName = EDNS_OPTIONS[code] ?? `Unknown (${code})`;
        const codeLabel = EDNS_OPTIONS[code] !== undefined ? `${optName} (${code})` : optName;
        const dataAt = at + 4;
        b.group('dns.opt', () => `Option: ${optName}`, null, at, 4 + optLength, () => {
          b.add('dns.opt.code', () => `Option Code: ${codeLabel}`, code, at, 2);
          b.add('dns.opt.len', () => `Option Length: ${optLength}`, optLength, at + 2, 2);
          const bytes = b.bytes(dataAt, optLength, 'EDNS option data');
          b.add('dns.opt.data', () => `Option Data: ${optLength > 0 ? bytes.toString('hex') : '<MISSING>'}`, Buffer.from(bytes), dataAt, optLength, () => bytes.toString('hex'));
          readEdnsOption(b, code, dataAt, optLength);
        }, '');
        at += 4 + optLength;
      }
      return '';
    }
    case 43: {
      // DS (RFC 4034 §5): the key's tag, its algorithm, the digest's type and the digest.
      const keyId = b.u16(offset, 'DS key id');
      const algorithm = b.u8(offset + 2, 'DS algorithm');
      const digestType = b.u8(offset + 3, 'DS digest type');
      b.add('dns.ds.key_id', () => `Key id: ${hex(keyId, 4)}`, keyId, offset, 2, () => hex(keyId, 4));
      b.add('dns.ds.algorithm', () => `Algorithm: ${named(DNSSEC_ALGORITHMS, algorithm)}`, algorithm, offset + 2, 1);
      b.add('dns.ds.digest_type', () => `Digest Type: ${named(DS_DIGESTS, digestType)}`, digestType, offset + 3, 1);
      bytesField(b, 'dns.ds.digest', 'Digest', offset + 4, length - 4);
      return '';
    }
    case 44: {
      const algorithm = b.u8(offset, 'SSHFP algorithm');
      const fpType = b.u8(offset + 1, 'SSHFP fingerprint type');
      b.add('dns.sshfp.algorithm', () => `Algorithm: ${named(SSHFP_ALGORITHMS, algorithm)}`, algorithm, offset, 1);
      b.add('dns.sshfp.fingerprint.type', () => `Fingerprint type: ${named(SSHFP_FINGERPRINTS, fpType)}`, fpType, offset + 1, 1);
      bytesField(b, 'dns.sshfp.fingerprint', 'Fingerprint', offset + 2, length - 2);
      return '';
    }
    case 46: {
      // RRSIG (RFC 4034 §3).
      const covered = b.u16(offset, 'RRSIG type covered');
      const algorithm = b.u8(offset + 2, 'RRSIG algorithm');
      const labels = b.u8(offset + 3, 'RRSIG labels');
      const originalTtl = b.u32(offset + 4, 'RRSIG original TTL');
      const expiration = b.u32(offset + 8, 'RRSIG expiration');
      const inception = b.u32(offset + 12, 'RRSIG inception');
      const keyTag = b.u16(offset + 16, 'RRSIG key tag');
      b.add('dns.rrsig.type_covered', () => `Type Covered: ${typeLabel(covered)}`, covered, offset, 2);
      b.add('dns.rrsig.algorithm', () => `Algorithm: ${named(DNSSEC_ALGORITHMS, algorithm)}`, algorithm, offset + 2, 1);
      b.add('dns.rrsig.labels', () => `Labels: ${labels}`, labels, offset + 3, 1);
      b.add('dns.rrsig.original_ttl', () => `Original TTL: ${originalTtl} (${durationText(originalTtl)})`, originalTtl, offset + 4, 4);
      const expirationText = absoluteTimeText(BigInt(expiration), 0);
      const inceptionText = absoluteTimeText(BigInt(inception), 0);
      b.add('dns.rrsig.signature_expiration', () => `Signature Expiration: ${expirationText}`, expiration, offset + 8, 4, () => expirationText);
      b.add('dns.rrsig.signature_inception', () => `Signature Inception: ${inceptionText}`, inception, offset + 12, 4, () => inceptionText);
      b.add('dns.rrsig.key_tag', () => `Key Tag: ${keyTag}`, keyTag, offset + 16, 2);
      const signer = name(b, names, offset + 18, "signer's name");
      b.add('dns.rrsig.signers_name', () => `Signer's name: ${signer.text}`, signer.text, offset + 18, signer.length);
      const signatureAt = offset + 18 + signer.length;
      bytesField(b, 'dns.rrsig.signature', 'Signature', signatureAt, offset + length - signatureAt);
      return '';
    }
    case 48: {
      // DNSKEY (RFC 4034 §2): flags, protocol, algorithm, the key tag computed over the data (Appendix B), the key.
      const flags = b.u16(offset, 'DNSKEY flags');
      const protocol = b.u8(offset + 2, 'DNSKEY protocol');
      const algorithm = b.u8(offset + 3, 'DNSKEY algorithm');
      b.group('dns.dnskey.flags', () => `Flags: ${hex(flags, 4)}`, flags, offset, 2, () => {
        b.add('dns.dnskey.flags.zone_key', () => `${bitPicture(flags, 0x0100, 16)} = Zone Key: ${flags & 0x0100 ? 'This is the zone key for specified zone' : 'This it not a zone key'}`, (flags & 0x0100) !== 0, offset, 2);
        b.add('dns.dnskey.flags.key_revoked', () => `${bitPicture(flags, 0x0080, 16)} = Key Revoked: ${flags & 0x0080 ? 'Yes' : 'No'}`, (flags & 0x0080) !== 0, offset, 2);
        b.add('dns.dnskey.flags.secure_entry_point', () => `${bitPicture(flags, 0x0001, 16)} = Key Signing Key: ${flags & 0x0001 ? 'Yes' : 'No'}`, (flags & 0x0001) !== 0, offset, 2);
        const reserved = (flags & 0xfe7e) >> 1;
        b.add('dns.dnskey.flags.reserved', () => `${bitPicture(flags, 0xfe7e, 16)} = Key Signing Key: ${hex(reserved, 4)}`, reserved, offset, 2, () => hex(reserved, 4));
      }, () => hex(flags, 4));
      b.add('dns.dnskey.protocol', () => `Protocol: ${protocol}`, protocol, offset + 2, 1);
      b.add('dns.dnskey.algorithm', () => `Algorithm: ${named(DNSSEC_ALGORITHMS, algorithm)}`, algorithm, offset + 3, 1);
      const keyId = keyTag(b.bytes(offset, length, 'DNSKEY data'));
      b.add('dns.dnskey.key_id', () => `[Key id: ${keyId}]`, keyId, offset, 0);
      bytesField(b, 'dns.dnskey.public_key', 'Public Key', offset + 4, length - 4);
      return '';
    }
    default:
      if (!dissectedByTshark(type)) {
        // What tshark 4.0 shows for a type its DNS dissector has no code for.
        addExpert(b, 'dns.undecoded.type', 'Note', 'Undecoded', `Dissector for DNS Type (${type}) code not implemented, Contact Wireshark developers if you want this supported`, offset, length);
        bytesField(b, 'dns.data', 'Data', offset, length);
      }
      return '';
  }
}

/**
 * The record types tshark 4.0's dissect_dns_answer() has code for (found by asking it about every
 * type from 0 to 269 and a few above): the others get an "Undecoded" note and their data as bytes.
 */
function dissectedByTshark(type: number): boolean {
  return (type >= 1 && type <= 30) || type === 33 || (type >= 35 && type <= 39) || (type >= 41 && type <= 52) || type === 55 ||
    (type >= 59 && type <= 65) || type === 99 || (type >= 104 && type <= 109) || type === 249 || type === 250 || type === 257 || type === 32769;
}

/** 'RSA/SHA1 (5)': a value with its name, 'Unknown (N)' without one. */
function named(table: Record<number, string>, value: number): string {
  return `${table[value] ?? 'Unknown'} (${value})`;
}

/** An FT_BYTES tree line: its hex, cut after 36 bytes with "…" as tshark's labels are. */
function bytesField(b: LayerBuilder, abbrev: string, label: string, at: number, length: number): void {
  if (length <= 0) return;
  const bytes = b.bytes(at, length, label);
  b.add(abbrev, () => `${label}: ${bytes.toString('hex', 0, 36)}${bytes.length > 36 ? '…' : ''}`, Buffer.from(bytes), at, length, () => bytes.toString('hex'));
}

/** RFC 4034 Appendix B's key tag over a DNSKEY's data (algorithm 1 has its own, RFC 4034 B.1). */
function keyTag(rdata: Buffer): number {
  if (rdata[3] === 1) return rdata.length >= 4 ? rdata.readUInt16BE(rdata.length - 3) : 0;
  let sum = 0;
  for (let i = 0; i < rdata.length; i++) sum += i & 1 ? rdata[i]! : rdata[i]! << 8;
  sum += (sum >> 16) & 0xffff;
  return sum & 0xffff;
}

const SSHFP_ALGORITHMS: Record<number, string> = { 0: 'Reserved', 1: 'RSA', 2: 'DSA', 3: 'ECDSA', 4: 'Ed25519', 5: 'XMSS' };
const SSHFP_FINGERPRINTS: Record<number, string> = { 0: 'Reserved', 1: 'SHA1', 2: 'SHA256' };

/** dns.opt.code's names (edns0_opt_code_vals). */
const EDNS_OPTIONS: Record<number, string> = {
  0: 'Reserved', 1: 'LLQ - Long-lived query', 2: 'UL - Update lease', 3: 'NSID - Name Server Identifier', 4: 'Owner (reserved)',
  5: 'DAU - DNSSEC Algorithm Understood (RFC6975)', 6: 'DHU - DS Hash Understood (RFC6975)', 7: 'N3U - NSEC3 Hash Understood (RFC6975)',
  8: 'CSUBNET - Client subnet', 9: 'EDNS EXPIRE (RFC7314)', 10: 'COOKIE', 11: 'EDNS TCP Keepalive', 12: 'PADDING', 13: 'CHAIN',
  15: 'Extended DNS Error', 20730: 'Experimental - CSUBNET - Client subnet',
};
/** dns.opt.dau: DNSSEC algorithm numbers. */
const DNSSEC_ALGORITHMS: Record<number, string> = {
  1: 'RSA/MD5', 2: 'Diffie-Hellman', 3: 'DSA', 4: 'Elliptic curve crypto', 5: 'RSA/SHA1', 6: 'DSA + NSEC3/SHA1', 7: 'RSA/SHA1 + NSEC3/SHA1',
  8: 'RSA/SHA-256', 10: 'RSA/SHA-512', 12: 'GOST R 34.10-2001', 13: 'ECDSA Curve P-256 with SHA-256', 14: 'ECDSA Curve P-386 with SHA-386',
  15: 'Ed25519', 16: 'Ed448', 157: 'HMAC/MD5', 252: 'Indirect key', 253: 'Private, domain name', 254: 'Private, OID',
};
/** dns.opt.dhu: DS digest types. */
const DS_DIGESTS: Record<number, string> = { 0: 'Reserved digest', 1: 'SHA-1', 2: 'SHA-256', 3: 'GOST R 34.11-94', 4: 'SHA-384' };
/** dns.opt.n3u: NSEC3 hash algorithms. */
const NSEC3_HASHES: Record<number, string> = { 0: 'Reserved', 1: 'SHA-1' };

/** The fields tshark shows after an EDNS option's data, for the options it knows. */
function readEdnsOption(b: LayerBuilder, code: number, at: number, length: number): void {
  const valueOf = (table: Record<number, string>, v: number): string => `${table[v] ?? 'Unknown'} (${v})`;
  switch (code) {
    case 5:
    case 6:
    case 7: {
      const [abbrev, label, table] = code === 5 ? ['dns.opt.dau', 'DAU', DNSSEC_ALGORITHMS] as const : code === 6 ? ['dns.opt.dhu', 'DHU', DS_DIGESTS] as const : ['dns.opt.n3u', 'N3U', NSEC3_HASHES] as const;
      for (let o = at; o < at + length; o++) {
        const v = b.u8(o, label);
        b.add(abbrev, () => `${label}: ${valueOf(table, v)}`, v, o, 1);
      }
      return;
    }
    case 8:
    case 20730: {
      if (length < 4) return;
      const family = b.u16(at, 'client subnet family');
      const netmask = b.u8(at + 2, 'source netmask');
      const scope = b.u8(at + 3, 'scope netmask');
      b.add('dns.opt.client.family', () => `Family: ${family === 1 ? 'IPv4' : family === 2 ? 'IPv6' : 'Unknown'} (${family})`, family, at, 2);
      b.add('dns.opt.client.netmask', () => `Source Netmask: ${netmask}`, netmask, at + 2, 1);
      b.add('dns.opt.client.scope', () => `Scope Netmask: ${scope}`, scope, at + 3, 1);
      const addrLength = length - 4;
      const addr = b.bytes(at + 4, addrLength, 'client subnet');
      // The address bytes sent (as many as the netmask needs), padded with zeros.
      if (family === 1 && addrLength <= 4) {
        const full = Buffer.alloc(4);
        addr.copy(full);
        const text = ipv4Text(full, 0);
        b.add('dns.opt.client.addr4', () => `Client Subnet: ${text}`, text, at + 4, addrLength);
      } else if (family === 2 && addrLength <= 16) {
        const full = Buffer.alloc(16);
        addr.copy(full);
        const text = ipv6Text(full, 0);
        b.add('dns.opt.client.addr6', () => `Client Subnet: ${text}`, text, at + 4, addrLength);
      } else {
        b.add('dns.opt.client.addr', () => `Client Subnet: ${addr.toString('hex')}`, Buffer.from(addr), at + 4, addrLength, () => addr.toString('hex'));
      }
      return;
    }
    case 10: {
      // A client cookie of 8 bytes, then the server's (absent in a query: shown as missing).
      const client = b.bytes(at, Math.min(8, length), 'client cookie');
      b.add('dns.opt.cookie.client', () => `Client Cookie: ${client.toString('hex')}`, Buffer.from(client), at, client.length, () => client.toString('hex'));
      const server = b.bytes(at + client.length, length - client.length, 'server cookie');
      b.add('dns.opt.cookie.server', () => `Server Cookie: ${server.length > 0 ? server.toString('hex') : '<MISSING>'}`, Buffer.from(server), at + client.length, server.length, () => server.toString('hex'));
      return;
    }
    case 11: {
      if (length !== 2) return;
      const timeout = b.u16(at, 'keepalive timeout');
      b.add('dns.opt.edns_tcp_keepalive.timeout', () => `Timeout: ${timeout}`, timeout, at, 2);
      return;
    }
    case 12: {
      const padding = b.bytes(at, length, 'padding');
      b.add('dns.opt.padding', () => `Padding: ${length > 0 ? padding.toString('hex') : '<MISSING>'}`, Buffer.from(padding), at, length, () => padding.toString('hex'));
      return;
    }
    case 13: {
      // The closest trust point: a name in wire form, shown with its length bytes escaped.
      const fqdn = b.bytes(at, length, 'closest trust point');
      const text = chainText(fqdn);
      b.add('dns.opt.chain.fqdn', () => `Closest Trust Point: ${text}`, text, at, length);
      return;
    }
    default:
  }
}

/** tshark's text of CHAIN's name (format_text of the wire bytes up to the root label): \003foo\aexample\003com. */
function chainText(wire: Buffer): string {
  const end = wire.indexOf(0);
  const bytes = wire.subarray(0, end < 0 ? wire.length : end);
  const C_ESCAPES: Record<number, string> = { 7: '\\a', 8: '\\b', 9: '\\t', 10: '\\n', 11: '\\v', 12: '\\f', 13: '\\r' };
  let out = '';
  for (const c of bytes) {
    if (c >= 0x20 && c < 0x7f) out += c === 0x5c ? '\\\\' : String.fromCharCode(c);
    else out += C_ESCAPES[c] ?? `\\${c.toString(8).padStart(3, '0')}`;
  }
  return out;
}
