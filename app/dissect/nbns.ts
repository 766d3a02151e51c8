/**
 * NetBIOS Name Service (RFC 1001/1002, UDP 137), as tshark 4.0 shows it: a DNS-format header with
 * NBNS's flags (broadcast bit, no Z/AD/CD), names in first-level encoding (32 letters 'A'-'P', two
 * per byte) decoded to "NAME<xx>", NB records' name flags and addresses. Names are read by the DNS
 * name reader (they may be compressed), then decoded here.
 */
import { LayerBuilder, StopDissection, dissectSafely, hex } from './builder';
import type { AppDissector, AppResult } from './model';
import { ipv4Text } from './app-format';
import { DnsNameReader } from './dns-names';

export const NBNS_PORT = 137;
const HEADER = 12;
const T_NB = 0x20;

const OPCODES: Record<number, string> = {
  0: 'Name query', 5: 'Registration', 6: 'Release', 7: 'Wait for acknowledgment', 8: 'Refresh', 9: 'Refresh (alternate opcode)', 15: 'Multi-homed registration',
};
const RCODES: Record<number, string> = {
  0: 'No error', 1: 'Request was invalidly formatted', 2: 'Server failure', 3: 'Requested name does not exist',
  4: 'Request is not implemented', 5: 'Request was refused', 6: 'Name is owned by another node', 7: 'Name is in conflict',
};
const TYPES: Record<number, string> = { 1: 'A', 2: 'NS', 10: 'NULL', 0x20: 'NB', 0x21: 'NBSTAT' };
const ONT = ['B-node', 'P-node', 'M-node', 'Unknown'];
/** Wireshark's descriptions of the 16th byte of a NetBIOS name (netbios_name_type_descr). */
const NAME_TYPES: Record<number, string> = {
  0x00: 'Workstation/Redirector', 0x01: 'Browser', 0x02: 'Workstation/Redirector', 0x03: 'Messenger service/Main name',
  0x05: 'Forwarded name', 0x06: 'RAS Server service', 0x1b: 'Domain Master Browser', 0x1c: 'Domain Controllers',
  0x1d: 'Local Master Browser', 0x1e: 'Browser Election Service', 0x1f: 'Net DDE Service', 0x20: 'Server service',
  0x21: 'RAS client service', 0x22: 'Exchange Interchange (MSMail Connector)', 0x23: 'Exchange Store', 0x24: 'Exchange Directory',
  0x2b: 'Lotus Notes Server service', 0x30: 'Modem sharing server service', 0x31: 'Modem sharing client service',
  0x43: 'SMS Clients Remote Control', 0x44: 'SMS Administrators Remote Control Tool', 0x45: 'SMS Clients Remote Chat',
  0x46: 'SMS Clients Remote Transfer', 0x4c: 'DEC Pathworks TCP/IP Service on Windows NT', 0x52: 'DEC Pathworks TCP/IP Service on Windows NT',
  0x6a: 'Microsoft Exchange IMC', 0x87: 'Microsoft Exchange MTA', 0xbe: 'Network Monitor Agent', 0xbf: 'Network Monitor Analyzer',
};

const opcodeName = (opcode: number) => OPCODES[opcode] ?? `Unknown operation (${opcode})`;
const typeName = (type: number) => TYPES[type] ?? `Unknown (${type})`;

export const nbnsDissector: AppDissector = {
  protocol: 'nbns',
  udpPorts: [NBNS_PORT],
  dissect: (data, offset, end, ctx) => dissectNbns(data, offset, end, ctx.fields),
};

/** A decoded NetBIOS name: "NAME<xx>" (with ".scope" when there is one) and its 16th byte. */
export interface NetbiosName {
  text: string;
  nameType: number | undefined;
  /** Bytes the name occupies where it starts. */
  length: number;
}

/**
 * First-level decoding (RFC 1001 §14.1) of the DNS-format name at `offset`, as Wireshark prints it:
 * trailing spaces dropped, other unprintable bytes as <xx>, the 16th byte as <xx>. A first label
 * that is not 32 letters 'A'-'P' is shown as it stands.
 */
export function readNetbiosName(b: LayerBuilder, names: DnsNameReader, offset: number, what: string): NetbiosName {
  const parsed = names.read(offset);
  if (parsed.problem === 'malformed') throw new StopDissection('malformed', `${what}: bad label or compression loop`);
  if (parsed.problem === 'truncated') b.need(names.available, 1, what);
  const dot = parsed.text.indexOf('.');
  const first = dot < 0 ? parsed.text : parsed.text.slice(0, dot);
  const scope = dot < 0 ? '' : parsed.text.slice(dot);
  if (!/^[A-P]{32}$/.test(first)) return { text: parsed.text, nameType: undefined, length: parsed.length };
  const bytes: number[] = [];
  for (let i = 0; i < 32; i += 2) bytes.push(((first.charCodeAt(i) - 0x41) << 4) | (first.charCodeAt(i + 1) - 0x41));
  let last = 14;
  while (last >= 0 && bytes[last] === 0x20) last--;
  let text = '';
  for (let i = 0; i <= last; i++) {
    const c = bytes[i]!;
    text += c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : `<${hex2(c)}>`;
  }
  return { text: `${text}<${hex2(bytes[15]!)}>${scope}`, nameType: bytes[15], length: parsed.length };
}

function hex2(n: number): string {
  return n.toString(16).padStart(2, '0');
}

export function dissectNbns(data: Buffer, offset: number, end: number, selection?: ReadonlySet<string>): AppResult {
  const b = new LayerBuilder(data, 'nbns', 'NetBIOS Name Service', offset, end, selection);
  let info = '';
  const layer = dissectSafely(b, () => {
    const id = b.u16(offset, 'transaction ID');
    b.add('nbns.id', () => `Transaction ID: ${hex(id, 4)}`, id, offset, 2, () => hex(id, 4));
    const flags = b.u16(offset + 2, 'flags');
    const response = (flags & 0x8000) !== 0;
    const opcode = (flags >> 11) & 0xf;
    const rcode = flags & 0xf;
    info = opcodeName(opcode);
    let recordsInInfo = true;
    if (response) {
      info += ' response';
      if (rcode !== 0) {
        info += `, ${RCODES[rcode] ?? `Unknown (${rcode})`}`;
        recordsInInfo = false;
      }
    }
    b.group('nbns.flags', () => `Flags: ${hex(flags, 4)}`, flags, offset + 2, 2, () => {
      const bit = (abbrev: string, label: string, mask: number) => b.add(abbrev, label, (flags & mask) !== 0, offset + 2, 2);
      bit('nbns.flags.response', 'Response', 0x8000);
      b.add('nbns.flags.opcode', () => `Opcode: ${opcodeName(opcode)} (${opcode})`, opcode, offset + 2, 2);
      if (response) bit('nbns.flags.authoritative', 'Authoritative', 0x0400);
      bit('nbns.flags.truncated', 'Truncated', 0x0200);
      bit('nbns.flags.recdesired', 'Recursion desired', 0x0100);
      if (response) bit('nbns.flags.recavail', 'Recursion available', 0x0080);
      bit('nbns.flags.broadcast', 'Broadcast', 0x0010);
      if (response) b.add('nbns.flags.rcode', () => `Reply code: ${RCODES[rcode] ?? 'Unknown'} (${rcode})`, rcode, offset + 2, 2);
    }, () => hex(flags, 4));
    const counts = [4, 6, 8, 10].map((o) => b.u16(offset + o, 'section counts'));
    const countNames = ['nbns.count.queries', 'nbns.count.answers', 'nbns.count.auth_rr', 'nbns.count.add_rr'];
    const countLabels = ['Questions', 'Answer RRs', 'Authority RRs', 'Additional RRs'];
    counts.forEach((count, i) => b.add(countNames[i]!, () => `${countLabels[i]}: ${count}`, count, offset + 4 + 2 * i, 2));

    const names = new DnsNameReader(data, offset, Math.min(end, data.length));
    let position = offset + HEADER;
    if (counts[0]! > 0) {
      b.group('', 'Queries', null, position, 0, () => {
        for (let i = 0; i < counts[0]!; i++) {
          const start = position;
          const name = readNetbiosName(b, names, position, 'query name');
          position += name.length;
          const type = b.u16(position, 'query type');
          const klass = b.u16(position + 2, 'query class');
          position += 4;
          if (recordsInInfo) info += ` ${typeName(type)} ${name.text}`;
          b.group('', () => `${name.text}: type ${typeName(type)}, class ${klass === 1 ? 'IN' : `Unknown (${klass})`}`, null, start, position - start, () => {
            b.add('nbns.name', () => `Name: ${name.text}${describe(name)}`, name.text, start, name.length);
            b.add('nbns.type', () => `Type: ${typeName(type)} (${type})`, type, start + name.length, 2);
            b.add('nbns.class', () => `Class: ${klass === 1 ? 'IN' : 'Unknown'} (${klass})`, klass, start + name.length + 2, 2);
          });
        }
      });
    }
    const sections = ['Answers', 'Authoritative nameservers', 'Additional records'];
    for (let s = 0; s < 3; s++) {
      const count = counts[s + 1]!;
      if (count === 0) continue;
      b.group('', sections[s]!, null, position, 0, () => {
        for (let i = 0; i < count; i++) {
          position = readRecord(b, names, position, (more) => { if (s === 0 && recordsInInfo) info += more; });
        }
      });
    }
  });
  // Where the bytes ran out, as tshark says it: past the capture (snap length) or past the packet.
  if (layer.status === 'truncated') info += '[Packet size limited during capture]';
  else if (layer.status === 'malformed') info += '[Malformed Packet]';
  return { layers: [layer], protocolColumn: 'NBNS', info };
}

/** " (Workstation/Redirector)": Wireshark's description of a decoded name's 16th byte ('' when it has none). */
export function describe(name: NetbiosName): string {
  return name.nameType === undefined ? '' : ` (${NAME_TYPES[name.nameType] ?? 'Unknown'})`;
}

function readRecord(b: LayerBuilder, names: DnsNameReader, start: number, addInfo: (more: string) => void): number {
  const name = readNetbiosName(b, names, start, 'record name');
  const at = start + name.length;
  const type = b.u16(at, 'record type');
  const klass = b.u16(at + 2, 'record class');
  const ttl = b.u32(at + 4, 'record TTL');
  const length = b.u16(at + 8, 'record data length');
  const dataAt = at + 10;
  b.need(dataAt, length, 'record data');
  // Wireshark names a record's field with the name's description (the question's without it).
  const described = `${name.text}${describe(name)}`;
  b.group('', () => `${name.text}: type ${typeName(type)}, class ${klass === 1 ? 'IN' : `Unknown (${klass})`}`, null, start, dataAt + length - start, () => {
    b.add('nbns.name', () => `Name: ${described}`, described, start, name.length);
    b.add('nbns.type', () => `Type: ${typeName(type)} (${type})`, type, at, 2);
    b.add('nbns.class', () => `Class: ${klass === 1 ? 'IN' : 'Unknown'} (${klass})`, klass, at + 2, 2);
    b.add('nbns.ttl', () => `Time to live: ${ttl}`, ttl, at + 4, 4);
    b.add('nbns.data_length', () => `Data length: ${length}`, length, at + 8, 2);
    if (type !== T_NB) return;
    for (let entry = dataAt; entry + 6 <= dataAt + length; entry += 6) {
      const nbFlags = b.data.readUInt16BE(entry);
      const ont = (nbFlags >> 13) & 3;
      b.group('nbns.nb_flags', () => `Name flags: ${hex(nbFlags, 4)}, ONT: ${ONT[ont]}`, nbFlags, entry, 2, () => {
        b.add('nbns.nb_flags.group', () => `Name type: ${nbFlags & 0x8000 ? 'Group' : 'Unique'} name`, (nbFlags & 0x8000) !== 0, entry, 2);
        b.add('nbns.nb_flags.ont', () => `ONT: ${ONT[ont]} (${ont})`, ont, entry, 2);
      }, () => hex(nbFlags, 4));
      const addr = ipv4Text(b.data, entry + 2);
      b.add('nbns.addr', () => `Addr: ${addr}`, addr, entry + 2, 4);
    }
    if (length === 6) addInfo(` ${typeName(type)} ${ipv4Text(b.data, dataAt + 2)}`);
  });
  return dataAt + length;
}
