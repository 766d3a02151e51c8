/**
 * A minimal DissectedPacket for display filters that only ask about addresses, ports, streams and
 * lengths: built from the index and a glance at the bytes, ~100x cheaper than the full tree. Used
 * only for frames the light path read (never for frames the fallback Dissector took), and only
 * when every name in the filter is one of LIGHT_FILTER_FIELDS; the values have the types and the
 * order the full Dissector gives them, so the compiled filter cannot tell the difference.
 */
import { macText } from '../dissect/format';
import type { DissectedPacket, Field, Layer } from '../dissect/model';

export const LIGHT_FILTER_FIELDS: ReadonlySet<string> = new Set([
  'frame.len', 'frame.cap_len', 'frame.number',
  'eth', 'eth.src', 'eth.dst', 'eth.addr', 'eth.type',
  'ip', 'ip.src', 'ip.dst', 'ip.addr', 'ip.proto',
  'ip.hdr_len', 'ip.dsfield', 'ip.dsfield.dscp', 'ip.dsfield.ecn', 'ip.len', 'ip.id', 'ip.flags', 'ip.flags.rb', 'ip.flags.df',
  'ip.flags.mf', 'ip.frag_offset', 'ip.ttl', 'ip.checksum',
  'ipv6', 'ipv6.src', 'ipv6.dst', 'ipv6.addr', 'ipv6.nxt', 'ipv6.tclass', 'ipv6.flow', 'ipv6.plen', 'ipv6.hlim',
  'tcp', 'tcp.srcport', 'tcp.dstport', 'tcp.port', 'tcp.stream', 'tcp.flags',
  'tcp.len', 'tcp.seq_raw', 'tcp.ack_raw', 'tcp.hdr_len', 'tcp.window_size_value', 'tcp.checksum', 'tcp.urgent_pointer',
  'tcp.flags.res', 'tcp.flags.ae', 'tcp.flags.cwr', 'tcp.flags.ece', 'tcp.flags.urg', 'tcp.flags.ack', 'tcp.flags.push',
  'tcp.flags.reset', 'tcp.flags.syn', 'tcp.flags.fin',
  'udp', 'udp.srcport', 'udp.dstport', 'udp.port', 'udp.stream', 'udp.length', 'udp.checksum',
  'icmp', 'icmpv6',
]);

function field(abbrev: string, value: Field['value'], offset: number, length: number): Field {
  return { abbrev, label: '', value, text: String(value), offset, length };
}

function layer(protocol: string, offset: number, length: number, fields: Field[]): Layer {
  return { protocol, title: protocol, offset, length, fields, status: 'ok' };
}

/** Offset of the IP header for the link types the light path reads, or -1. */
function ipOffset(data: Buffer, linkType: number): number {
  switch (linkType) {
    case 1: return 14;
    case 113: return 16;
    case 276: return 20;
    case 101: case 228: case 229: return 0;
    default: return -1;
  }
}

/** What the store already knows of a frame the light path read (its columns are the IP addresses). */
export interface LightFrame {
  number: number;
  data: Buffer;
  linkType: number;
  origLen: number;
  streamId: number;
  source: string;
  destination: string;
  relativeNs: bigint;
}

/** Which light fields to build: decided once per filter, not per packet. */
export type LightPlan = Readonly<Record<string, boolean>>;

/** TCP flag bits and their field names, in the full Dissector's order (tcp.flags.res first). */
const TCP_FLAG_FIELDS: ReadonlyArray<readonly [string, number]> = [
  ['tcp.flags.res', 0xe00], ['tcp.flags.ae', 0x100], ['tcp.flags.cwr', 0x080], ['tcp.flags.ece', 0x040], ['tcp.flags.urg', 0x020],
  ['tcp.flags.ack', 0x010], ['tcp.flags.push', 0x008], ['tcp.flags.reset', 0x004], ['tcp.flags.syn', 0x002], ['tcp.flags.fin', 0x001],
];

const ALL_FIELDS: LightPlan = Object.fromEntries([...LIGHT_FILTER_FIELDS, 'frame.time_relative'].map((n) => [n, true]));

export function lightPlan(wanted?: Iterable<string>): LightPlan {
  if (wanted === undefined) return ALL_FIELDS;
  const names = new Set(wanted);
  return Object.fromEntries([...LIGHT_FILTER_FIELDS, 'frame.time_relative'].map((n) => [n, names.has(n)]));
}

const V4 = { net: 'ip', proto: 'ip.proto', src: 'ip.src', dst: 'ip.dst', addr: 'ip.addr' } as const;
const V6 = { net: 'ipv6', proto: 'ipv6.nxt', src: 'ipv6.src', dst: 'ipv6.dst', addr: 'ipv6.addr' } as const;

/**
 * The light packet of a frame the light path read (see LightDecoder: unfragmented IPv4 with a
 * 20-byte header or IPv6 without extension headers, carrying TCP, UDP, ICMP echo or ICMPv6 info).
 * With a plan (lightPlan(filter.fieldNames)), only those fields are built (a filter needs a
 * few; building all costs more than testing them); layers are always there, for protocol tests.
 */
export function lightPacket(f: LightFrame, plan: LightPlan = ALL_FIELDS): DissectedPacket {
  const { data, origLen, number } = f;
  const ip = ipOffset(data, f.linkType);
  const frameFields: Field[] = [];
  if (plan['frame.time_relative']) frameFields.push(field('frame.time_relative', f.relativeNs, 0, 0));
  if (plan['frame.number']) frameFields.push(field('frame.number', number, 0, 0));
  if (plan['frame.len']) frameFields.push(field('frame.len', origLen, 0, 0));
  if (plan['frame.cap_len']) frameFields.push(field('frame.cap_len', data.length, 0, 0));
  const layers: Layer[] = [layer('frame', 0, data.length, frameFields)];
  if (f.linkType === 1) layers.push(ethernetLayer(data, plan));
  const v4 = data[ip]! >> 4 === 4;
  const n = v4 ? V4 : V6;
  const proto = v4 ? data[ip + 9]! : data[ip + 6]!;
  const l4 = v4 ? ip + 20 : ip + 40;
  // The IP payload's end (the light path read only frames whose IP length fits the frame on the wire).
  const ipEnd = v4 ? ip + data.readUInt16BE(ip + 2) : l4 + data.readUInt16BE(ip + 4);
  const srcAt = v4 ? ip + 12 : ip + 8;
  const dstAt = v4 ? ip + 16 : ip + 24;
  const alen = v4 ? 4 : 16;
  const netFields: Field[] = [];
  if (v4) ipv4Fields(data, ip, plan, netFields);
  else ipv6Fields(data, ip, plan, netFields);
  if (v4 && plan['ip.ttl']) netFields.push(field('ip.ttl', data[ip + 8]!, ip + 8, 1));
  if (plan[n.proto]) netFields.push(field(n.proto, proto, v4 ? ip + 9 : ip + 6, 1));
  if (!v4 && plan['ipv6.hlim']) netFields.push(field('ipv6.hlim', data[ip + 7]!, ip + 7, 1));
  if (v4 && plan['ip.checksum']) netFields.push(field('ip.checksum', data.readUInt16BE(ip + 10), ip + 10, 2));
  const wantAddr = plan[n.addr];
  if (plan[n.src]) netFields.push(field(n.src, f.source, srcAt, alen));
  if (wantAddr) netFields.push(field(n.addr, f.source, srcAt, alen));
  if (plan[n.dst]) netFields.push(field(n.dst, f.destination, dstAt, alen));
  if (wantAddr) netFields.push(field(n.addr, f.destination, dstAt, alen));
  layers.push(layer(n.net, ip, l4 - ip, netFields));
  const captured = Math.min(ipEnd, data.length);
  if (proto === 6) {
    const srcPort = data.readUInt16BE(l4);
    const dstPort = data.readUInt16BE(l4 + 2);
    const hlen = (data[l4 + 12]! >> 4) * 4;
    const flags = data.readUInt16BE(l4 + 12) & 0xfff;
    const fields: Field[] = [];
    if (plan['tcp.srcport']) fields.push(field('tcp.srcport', srcPort, l4, 2));
    if (plan['tcp.dstport']) fields.push(field('tcp.dstport', dstPort, l4 + 2, 2));
    if (plan['tcp.port']) fields.push(field('tcp.port', srcPort, l4, 2), field('tcp.port', dstPort, l4 + 2, 2));
    if (plan['tcp.stream']) fields.push(field('tcp.stream', f.streamId, l4, 0));
    if (plan['tcp.len']) fields.push(field('tcp.len', Math.max(0, ipEnd - l4 - hlen), l4, 0));
    if (plan['tcp.seq_raw']) fields.push(field('tcp.seq_raw', data.readUInt32BE(l4 + 4), l4 + 4, 4));
    if (plan['tcp.ack_raw']) fields.push(field('tcp.ack_raw', data.readUInt32BE(l4 + 8), l4 + 8, 4));
    if (plan['tcp.hdr_len']) fields.push(field('tcp.hdr_len', hlen, l4 + 12, 1));
    if (plan['tcp.flags']) fields.push(field('tcp.flags', flags, l4 + 12, 2));
    for (const [name, bit] of TCP_FLAG_FIELDS) if (plan[name]) fields.push(field(name, (flags & bit) !== 0, l4 + 12, 2));
    if (plan['tcp.window_size_value']) fields.push(field('tcp.window_size_value', data.readUInt16BE(l4 + 14), l4 + 14, 2));
    if (plan['tcp.checksum']) fields.push(field('tcp.checksum', data.readUInt16BE(l4 + 16), l4 + 16, 2));
    if (plan['tcp.urgent_pointer']) fields.push(field('tcp.urgent_pointer', data.readUInt16BE(l4 + 18), l4 + 18, 2));
    // As in the full tree, the TCP bytes are the header, then the payload up to the IP length
    // (Ethernet padding after it belongs to the link layer).
    const payload = l4 + hlen < ipEnd && l4 + hlen < data.length;
    layers.push(layer('tcp', l4, (payload ? captured : l4 + hlen) - l4, fields));
  } else if (proto === 17) {
    const srcPort = data.readUInt16BE(l4);
    const dstPort = data.readUInt16BE(l4 + 2);
    const length = data.readUInt16BE(l4 + 4);
    const fields: Field[] = [];
    if (plan['udp.srcport']) fields.push(field('udp.srcport', srcPort, l4, 2));
    if (plan['udp.dstport']) fields.push(field('udp.dstport', dstPort, l4 + 2, 2));
    if (plan['udp.port']) fields.push(field('udp.port', srcPort, l4, 2), field('udp.port', dstPort, l4 + 2, 2));
    if (plan['udp.length']) fields.push(field('udp.length', length, l4 + 4, 2));
    if (plan['udp.checksum']) fields.push(field('udp.checksum', data.readUInt16BE(l4 + 6), l4 + 6, 2));
    if (plan['udp.stream']) fields.push(field('udp.stream', f.streamId, l4, 0));
    const payloadEnd = Math.min(l4 + length, data.length);
    layers.push(layer('udp', l4, (payloadEnd > l4 + 8 ? payloadEnd : l4 + 8) - l4, fields));
  } else if (proto === 1) layers.push(layer('icmp', l4, data.length - l4, []));
  else if (proto === 58) layers.push(layer('icmpv6', l4, data.length - l4, []));
  return { number, layers, status: 'ok', summary: { source: f.source, destination: f.destination, protocol: '', length: origLen, info: '' } };
}

/** The TCP or UDP payload of a light frame, where the full Dissector hands it to an application dissector. */
export interface LightPayload {
  transport: 'tcp' | 'udp';
  srcPort: number;
  dstPort: number;
  /** Start of the payload and the end the transport gives it (may pass the captured bytes). */
  offset: number;
  end: number;
}

/**
 * Where the Dissector would call byPort for a light frame whose `capLen` captured bytes start at
 * `base` in `data` (which may hold other frames), written into `out` (no allocation per frame;
 * offsets absolute in `data`); null when it would not: no payload, or a TCP header whose options
 * were not captured (the TCP dissector stops there).
 */
export function lightPayloadAt(data: Buffer, base: number, capLen: number, linkType: number, out: LightPayload): LightPayload | null {
  const ip = base + ipOffset(data, linkType);
  const v4 = data[ip]! >> 4 === 4;
  const proto = v4 ? data[ip + 9]! : data[ip + 6]!;
  const l4 = v4 ? ip + 20 : ip + 40;
  const ipEnd = v4 ? ip + data.readUInt16BE(ip + 2) : l4 + data.readUInt16BE(ip + 4);
  if (proto === 6) {
    const hlen = (data[l4 + 12]! >> 4) * 4;
    if (l4 + hlen >= ipEnd || l4 + hlen > base + capLen) return null;
    out.transport = 'tcp';
    out.offset = l4 + hlen;
  } else if (proto === 17) {
    const end = l4 + data.readUInt16BE(l4 + 4);
    if (end <= l4 + 8) return null;
    out.transport = 'udp';
    out.offset = l4 + 8;
    out.end = end;
  } else return null;
  out.srcPort = data.readUInt16BE(l4);
  out.dstPort = data.readUInt16BE(l4 + 2);
  if (proto === 6) out.end = ipEnd;
  return out;
}

function ethernetLayer(data: Buffer, plan: LightPlan): Layer {
  const fields: Field[] = [];
  if (plan['eth.dst'] || plan['eth.src'] || plan['eth.addr']) {
    const dst = macText(data, 0);
    const src = macText(data, 6);
    if (plan['eth.dst']) fields.push(field('eth.dst', dst, 0, 6));
    if (plan['eth.addr']) fields.push(field('eth.addr', dst, 0, 6));
    if (plan['eth.src']) fields.push(field('eth.src', src, 6, 6));
    if (plan['eth.addr']) fields.push(field('eth.addr', src, 6, 6));
  }
  if (plan['eth.type']) fields.push(field('eth.type', data.readUInt16BE(12), 12, 2));
  return layer('eth', 0, 14, fields);
}

function ipv4Fields(data: Buffer, ip: number, plan: LightPlan, out: Field[]): void {
  if (plan['ip.hdr_len']) out.push(field('ip.hdr_len', 20, ip, 1));
  const ds = data[ip + 1]!;
  if (plan['ip.dsfield']) out.push(field('ip.dsfield', ds, ip + 1, 1));
  if (plan['ip.dsfield.dscp']) out.push(field('ip.dsfield.dscp', ds >> 2, ip + 1, 1));
  if (plan['ip.dsfield.ecn']) out.push(field('ip.dsfield.ecn', ds & 3, ip + 1, 1));
  if (plan['ip.len']) out.push(field('ip.len', data.readUInt16BE(ip + 2), ip + 2, 2));
  if (plan['ip.id']) out.push(field('ip.id', data.readUInt16BE(ip + 4), ip + 4, 2));
  const flags = data[ip + 6]! >> 5;
  if (plan['ip.flags']) out.push(field('ip.flags', flags, ip + 6, 1));
  if (plan['ip.flags.rb']) out.push(field('ip.flags.rb', (flags & 4) !== 0, ip + 6, 1));
  if (plan['ip.flags.df']) out.push(field('ip.flags.df', (flags & 2) !== 0, ip + 6, 1));
  if (plan['ip.flags.mf']) out.push(field('ip.flags.mf', (flags & 1) !== 0, ip + 6, 1));
  if (plan['ip.frag_offset']) out.push(field('ip.frag_offset', data.readUInt16BE(ip + 6) & 0x1fff, ip + 6, 2));
}

function ipv6Fields(data: Buffer, ip: number, plan: LightPlan, out: Field[]): void {
  const word = data.readUInt32BE(ip);
  if (plan['ipv6.tclass']) out.push(field('ipv6.tclass', (word >>> 20) & 0xff, ip, 4));
  if (plan['ipv6.flow']) out.push(field('ipv6.flow', word & 0xfffff, ip + 1, 3));
  if (plan['ipv6.plen']) out.push(field('ipv6.plen', data.readUInt16BE(ip + 4), ip + 4, 2));
}
