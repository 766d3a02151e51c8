/**
 * A minimal DissectedPacket for display filters that only ask about addresses, ports, streams and
 * lengths: built from the index and a glance at the bytes, ~100x cheaper than the full tree. Used
 * only for frames the light path read (never for frames the fallback Dissector took), and only
 * when every name in the filter is one of LIGHT_FILTER_FIELDS; the values have the types and the
 * order the full Dissector gives them, so the compiled filter cannot tell the difference.
 */
import type { DissectedPacket, Field, Layer } from '../dissect/model';

export const LIGHT_FILTER_FIELDS: ReadonlySet<string> = new Set([
  'frame.len', 'frame.cap_len', 'frame.number',
  'ip', 'ip.src', 'ip.dst', 'ip.addr', 'ip.proto',
  'ipv6', 'ipv6.src', 'ipv6.dst', 'ipv6.addr', 'ipv6.nxt',
  'tcp', 'tcp.srcport', 'tcp.dstport', 'tcp.port', 'tcp.stream', 'tcp.flags',
  'udp', 'udp.srcport', 'udp.dstport', 'udp.port', 'udp.stream',
  'icmp', 'icmpv6',
]);

/** True when the filter names only fields the light packet carries. */
export function lightFilterable(fieldNames: readonly string[]): boolean {
  return fieldNames.every((n) => LIGHT_FILTER_FIELDS.has(n));
}

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

/**
 * The light packet of a frame the light path read (see LightDecoder: unfragmented IPv4 with a
 * 20-byte header or IPv6 without extension headers, carrying TCP, UDP, ICMP echo or ICMPv6 info).
 * With a plan (lightPlan(filter.fieldNames)), only those fields are built (a filter needs a few; building all costs more than
 * testing them); layers are always there, for protocol tests.
 */
/** Which light fields to build: decided once per filter, not per packet. */
export type LightPlan = Readonly<Record<string, boolean>>;

const ALL_FIELDS: LightPlan = Object.fromEntries([...LIGHT_FILTER_FIELDS, 'frame.time_relative'].map((n) => [n, true]));

export function lightPlan(wanted?: Iterable<string>): LightPlan {
  if (wanted === undefined) return ALL_FIELDS;
  const names = new Set(wanted);
  return Object.fromEntries([...LIGHT_FILTER_FIELDS, 'frame.time_relative'].map((n) => [n, names.has(n)]));
}

const V4 = { net: 'ip', proto: 'ip.proto', src: 'ip.src', dst: 'ip.dst', addr: 'ip.addr' } as const;
const V6 = { net: 'ipv6', proto: 'ipv6.nxt', src: 'ipv6.src', dst: 'ipv6.dst', addr: 'ipv6.addr' } as const;
const TCP = { name: 'tcp', src: 'tcp.srcport', dst: 'tcp.dstport', port: 'tcp.port', stream: 'tcp.stream' } as const;
const UDP = { name: 'udp', src: 'udp.srcport', dst: 'udp.dstport', port: 'udp.port', stream: 'udp.stream' } as const;

export function lightPacket(f: LightFrame, plan: LightPlan = ALL_FIELDS): DissectedPacket {
  const { data, origLen, number } = f;
  const ip = ipOffset(data, f.linkType);
  const frameFields: Field[] = [];
  if (plan['frame.time_relative']) frameFields.push(field('frame.time_relative', f.relativeNs, 0, 0));
  if (plan['frame.number']) frameFields.push(field('frame.number', number, 0, 0));
  if (plan['frame.len']) frameFields.push(field('frame.len', origLen, 0, 0));
  if (plan['frame.cap_len']) frameFields.push(field('frame.cap_len', data.length, 0, 0));
  const layers: Layer[] = [layer('frame', 0, data.length, frameFields)];
  const v4 = data[ip]! >> 4 === 4;
  const n = v4 ? V4 : V6;
  const proto = v4 ? data[ip + 9]! : data[ip + 6]!;
  const l4 = v4 ? ip + 20 : ip + 40;
  const srcAt = v4 ? ip + 12 : ip + 8;
  const dstAt = v4 ? ip + 16 : ip + 24;
  const alen = v4 ? 4 : 16;
  const netFields: Field[] = [];
  if (plan[n.proto]) netFields.push(field(n.proto, proto, v4 ? ip + 9 : ip + 6, 1));
  const wantAddr = plan[n.addr];
  if (plan[n.src]) netFields.push(field(n.src, f.source, srcAt, alen));
  if (wantAddr) netFields.push(field(n.addr, f.source, srcAt, alen));
  if (plan[n.dst]) netFields.push(field(n.dst, f.destination, dstAt, alen));
  if (wantAddr) netFields.push(field(n.addr, f.destination, dstAt, alen));
  layers.push(layer(n.net, ip, l4 - ip, netFields));
  if (proto === 6 || proto === 17) {
    const t = proto === 6 ? TCP : UDP;
    const srcPort = data.readUInt16BE(l4);
    const dstPort = data.readUInt16BE(l4 + 2);
    const fields: Field[] = [];
    if (plan[t.src]) fields.push(field(t.src, srcPort, l4, 2));
    if (plan[t.dst]) fields.push(field(t.dst, dstPort, l4 + 2, 2));
    if (plan[t.port]) fields.push(field(t.port, srcPort, l4, 2), field(t.port, dstPort, l4 + 2, 2));
    if (plan[t.stream]) fields.push(field(t.stream, f.streamId, l4, 0));
    if (proto === 6 && plan['tcp.flags']) fields.push(field('tcp.flags', data.readUInt16BE(l4 + 12) & 0xfff, l4 + 12, 2));
    layers.push(layer(t.name, l4, data.length - l4, fields));
  } else if (proto === 1) layers.push(layer('icmp', l4, data.length - l4, []));
  else if (proto === 58) layers.push(layer('icmpv6', l4, data.length - l4, []));
  return { number, layers, status: 'ok', summary: { source: f.source, destination: f.destination, protocol: '', length: origLen, info: '' } };
}
