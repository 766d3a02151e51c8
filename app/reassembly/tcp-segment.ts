/**
 * The TCP facts reassembly needs from one dissected frame: the stream index as tshark numbers it
 * (tcp.stream), both endpoints, raw sequence and acknowledgment numbers, flags and the payload.
 * Taken from the dissector's tcp layer so that stream numbering (port reuse, IP fragments, tunnels)
 * stays the dissector's one definition.
 */
import type { DissectedPacket, Field, Layer } from '../dissect/model';

export const TCP_FIN = 0x001;
export const TCP_SYN = 0x002;
export const TCP_RST = 0x004;
export const TCP_ACK = 0x010;

export interface TcpSegment {
  /** 1-based frame number. */
  frame: number;
  tsNs: bigint;
  /** tcp.stream. */
  stream: number;
  srcAddress: string;
  srcPort: number;
  dstAddress: string;
  dstPort: number;
  /** tcp.seq_raw and tcp.ack_raw (unsigned 32-bit). */
  seq: number;
  ack: number;
  /** tcp.flags (12 bits). */
  flags: number;
  /** tcp.len: payload length on the wire. */
  length: number;
  /**
   * The captured payload (may be shorter than `length` when the capture cut the frame). A view
   * into the frame: copy it before the reader moves on.
   */
  payload: Buffer;
}

const EMPTY = Buffer.alloc(0);

function field(layer: Layer, abbrev: string): Field | undefined {
  for (const f of layer.fields) {
    if (f.abbrev === abbrev) return f;
    if (f.children) {
      for (const c of f.children) if (c.abbrev === abbrev) return c;
    }
  }
  return undefined;
}

function numberField(layer: Layer, abbrev: string): number | undefined {
  const v = field(layer, abbrev)?.value;
  return typeof v === 'number' ? v : undefined;
}

/** The fields tcpSegmentOf reads (for StatisticsReport.reads): it looks at no other field and at no payload layer. */
export const TCP_SEGMENT_FIELDS: readonly string[] = [
  'tcp.stream', 'ip.src', 'ip.dst', 'ipv6.src', 'ipv6.dst', 'tcp.payload', 'tcp.srcport', 'tcp.dstport', 'tcp.seq_raw', 'tcp.ack_raw', 'tcp.flags', 'tcp.len',
];

/**
 * The segment carried by a dissected frame, or null when the frame holds no TCP segment of a
 * tracked stream (ICMP errors quote TCP headers, which carry no tcp.stream and are skipped).
 */
export function tcpSegmentOf(packet: DissectedPacket, tsNs: bigint): TcpSegment | null {
  const layers = packet.layers;
  for (let k = 0; k < layers.length; k++) {
    const tcp = layers[k]!;
    if (tcp.protocol !== 'tcp') continue;
    const stream = numberField(tcp, 'tcp.stream');
    if (stream === undefined) continue;
    const net = k > 0 ? layers[k - 1]! : undefined;
    const prefix = net?.protocol === 'ipv6' ? 'ipv6' : net?.protocol === 'ip' ? 'ip' : null;
    if (!net || !prefix) continue;
    const src = field(net, `${prefix}.src`)?.value;
    const dst = field(net, `${prefix}.dst`)?.value;
    const payload = field(tcp, 'tcp.payload')?.value;
    return {
      frame: packet.number,
      tsNs,
      stream,
      srcAddress: String(src ?? ''),
      srcPort: numberField(tcp, 'tcp.srcport') ?? 0,
      dstAddress: String(dst ?? ''),
      dstPort: numberField(tcp, 'tcp.dstport') ?? 0,
      seq: numberField(tcp, 'tcp.seq_raw') ?? 0,
      ack: numberField(tcp, 'tcp.ack_raw') ?? 0,
      flags: numberField(tcp, 'tcp.flags') ?? 0,
      length: numberField(tcp, 'tcp.len') ?? 0,
      payload: Buffer.isBuffer(payload) ? payload : EMPTY,
    };
  }
  return null;
}
