/**
 * `-z follow,tcp,ascii|hex|raw,STREAM`: one TCP connection's payload, both directions, as the
 * receivers saw it. `follow,udp,…` follows a UDP stream a datagram a record; `follow,http,…` the
 * HTTP messages of a TCP stream (HttpFollower); `follow,tls,…` shows what tshark shows without
 * keys (no data) (reassembled by app/reassembly's TcpReassembler: retransmissions and overlaps
 * dropped, out-of-order segments put in order), printed as tshark 4.0 prints it.
 *
 * - STREAM is tcp.stream as tshark numbers it, or `ADDR:PORT,ADDR:PORT` (IPv6 as [ADDR]:PORT):
 *   the first stream between those two endpoints.
 * - Node 0 is the endpoint that sent the stream's first packet; its data is printed flush left,
 *   node 1's indented by a tab. Each record is the new data of one segment, in delivery order.
 * - A hole in the capture becomes tshark's record "[N bytes missing in capture file]" (with its C
 *   string terminator, printed '.'), where the reassembler gives up on it: at the end of what was
 *   captured, data waiting behind a hole is shown after it, as tshark does.
 * - ascii: record length, then the bytes with anything but printable ASCII, CR and LF shown as '.'.
 *   hex: 16 bytes a line, offsets counted per direction. raw: each record as one line of hex.
 *
 * json(): { stream, clientAddress, clientPort, serverAddress, serverPort, clientBytes, serverBytes,
 *   segments: [{ direction: 'client'|'server', frame, offset, length, data }] } where 'client' is
 *   node 0, offset counts bytes in that direction, and data is the bytes in base64.
 */
import { TCP_SEGMENT_FIELDS, tcpSegmentOf } from '../reassembly/tcp-segment';
import { TcpReassembler, type StreamChunk, type TcpEndpoint, type TcpStreamInfo } from '../reassembly/tcp-stream';
import type { TcpSegment } from '../reassembly/tcp-segment';
import type { Field } from '../dissect/model';
import { StatisticsSpecError, type ReportFrame, type ReportReads, type StatisticsReport } from './report';

export type FollowMode = 'ascii' | 'hex' | 'raw';
/** The protocols tshark follows that sievecap does: TCP and UDP streams, HTTP messages, and TLS (nothing without keys). */
export type FollowProtocol = 'tcp' | 'udp' | 'tls' | 'http';

export interface FollowRecord {
  /** 0: node 0 (the first sender, 'client'); 1: node 1. */
  dir: 0 | 1;
  frame: number;
  /** Bytes before this record in its direction. */
  offset: number;
  data: Buffer;
}

export interface FollowSegmentJson {
  direction: 'client' | 'server';
  frame: number;
  offset: number;
  length: number;
  /** base64 */
  data: string;
}

export interface FollowJson {
  stream: number | null;
  clientAddress: string | null;
  clientPort: number | null;
  serverAddress: string | null;
  serverPort: number | null;
  clientBytes: number;
  serverBytes: number;
  segments: FollowSegmentJson[];
}

type StreamSelector = { index: number } | { a: TcpEndpoint; b: TcpEndpoint };

const RULE = '='.repeat(67);

/**
 * The reassembled records of one TCP stream. Segments are kept (copied) and reassembled afresh
 * when records are asked for, so that data still waiting behind a hole can be shown across it
 * (as at the end of a capture) while more segments may still come.
 */
export class TcpFollower implements Follower {
  info: TcpStreamInfo | null = null;
  private readonly segments: TcpSegment[] = [];
  private cache: { records: FollowRecord[]; sent: [number, number] } | null = null;

  add(frame: ReportFrame, selector: StreamSelector): void {
    const seg = tcpSegmentOf(frame.packet, frame.tsNs);
    if (!seg) return;
    if ('index' in selector) {
      if (seg.stream !== selector.index) return;
    } else {
      if (this.info && this.info.index !== seg.stream) return;
      const src = { address: seg.srcAddress, port: seg.srcPort };
      const dst = { address: seg.dstAddress, port: seg.dstPort };
      const same = (x: TcpEndpoint, y: TcpEndpoint): boolean => x.port === y.port && x.address === y.address;
      if (!((same(src, selector.a) && same(dst, selector.b)) || (same(src, selector.b) && same(dst, selector.a)))) return;
    }
    if (!this.info) {
      this.info = { index: seg.stream, endpoints: [{ address: seg.srcAddress, port: seg.srcPort }, { address: seg.dstAddress, port: seg.dstPort }], synDirection: null };
    }
    this.segments.push({ ...seg, payload: Buffer.from(seg.payload) });
    this.cache = null;
  }

  get records(): FollowRecord[] {
    return this.reassemble().records;
  }

  /** Bytes followed in each direction (gap notes included, as tshark counts them). */
  bytes(dir: 0 | 1): number {
    return this.reassemble().sent[dir];
  }

  private reassemble(): { records: FollowRecord[]; sent: [number, number] } {
    if (this.cache) return this.cache;
    const records: FollowRecord[] = [];
    const sent: [number, number] = [0, 0];
    const push = (dir: 0 | 1, frame: number, data: Buffer): void => {
      records.push({ dir, frame, offset: sent[dir], data });
      sent[dir] += data.length;
    };
    const reassembler = new TcpReassembler({
      onData: (_info, dir, chunk: StreamChunk) => push(dir, chunk.frame, chunk.data),
      // tshark's note for a hole, with its C string terminator (shown as '.').
      onGap: (_info, dir, gap) => push(dir, gap.frame, Buffer.from(`[${gap.length} bytes missing in capture file]\0`, 'latin1')),
    });
    for (const seg of this.segments) reassembler.add(seg);
    const last = this.segments[this.segments.length - 1];
    reassembler.finish(last?.frame ?? 0, last?.tsNs ?? 0n);
    this.cache = { records, sent };
    return this.cache;
  }
}

/** What a report follows: the stream it found, its records in delivery order, bytes per direction. */
interface Follower {
  readonly info: { index: number; endpoints: TcpEndpoint[] } | null;
  readonly records: FollowRecord[];
  bytes(dir: 0 | 1): number;
  add(frame: ReportFrame, selector: StreamSelector): void;
}

/**
 * One UDP stream (udp.stream): each datagram's payload is a record, node 0 the sender of the
 * first. Datagrams an ICMP error quotes are not followed.
 */
export class UdpFollower implements Follower {
  info: { index: number; endpoints: TcpEndpoint[] } | null = null;
  readonly records: FollowRecord[] = [];
  private readonly sent: [number, number] = [0, 0];

  add(frame: ReportFrame, selector: StreamSelector): void {
    const l = frame.packet.layout;
    if (!l || l.ipProtocol !== 17 || l.stream < 0 || l.lastStreamTcp || l.payloadData === null || l.payloadOffset < 0) return;
    const src = { address: l.netSrc, port: l.srcPort };
    const dst = { address: l.netDst, port: l.dstPort };
    if ('index' in selector) {
      if (l.stream !== selector.index) return;
    } else {
      if (this.info && this.info.index !== l.stream) return;
      if (!((sameEndpoint(src, selector.a) && sameEndpoint(dst, selector.b)) || (sameEndpoint(src, selector.b) && sameEndpoint(dst, selector.a)))) return;
    }
    this.info ??= { index: l.stream, endpoints: [src, dst] };
    const dir: 0 | 1 = sameEndpoint(src, this.info.endpoints[0]!) ? 0 : 1;
    const data = Buffer.from(l.payloadData.subarray(l.payloadOffset, Math.min(l.payloadEnd, l.payloadData.length)));
    this.records.push({ dir, frame: frame.packet.number, offset: this.sent[dir], data });
    this.sent[dir] += data.length;
  }

  bytes(dir: 0 | 1): number {
    return this.sent[dir];
  }
}

/**
 * HTTP on one TCP stream, as tshark 4.0's http_follow tap sees it: each message, in the frame that
 * completes it, gives a record of its start line and headers (with the empty line), then, when it
 * has a body, one of the body as the HTTP dissector's File Data (its chunked transfer coding and
 * content coding undone; none when the content coding cannot be undone, as tshark's tap). Node 0 is the sender of the first message.
 */
export class HttpFollower implements Follower {
  info: { index: number; endpoints: TcpEndpoint[] } | null = null;
  readonly records: FollowRecord[] = [];
  private readonly sent: [number, number] = [0, 0];

  add(frame: ReportFrame, selector: StreamSelector): void {
    const l = frame.packet.layout;
    if (!l || !l.lastStreamTcp || l.stream < 0) return;
    const src = { address: l.netSrc, port: l.srcPort };
    const dst = { address: l.netDst, port: l.dstPort };
    if ('index' in selector) {
      if (l.stream !== selector.index) return;
    } else {
      if (this.info && this.info.index !== l.stream) return;
      if (!((sameEndpoint(src, selector.a) && sameEndpoint(dst, selector.b)) || (sameEndpoint(src, selector.b) && sameEndpoint(dst, selector.a)))) return;
    }
    for (const layer of frame.packet.layers) {
      if (layer.protocol !== 'http' || !isMessage(layer.fields)) continue;
      this.info ??= { index: l.stream, endpoints: [src, dst] };
      const dir: 0 | 1 = sameEndpoint(src, this.info.endpoints[0]!) ? 0 : 1;
      const source = layer.data ?? frame.data;
      // The first line and headers end with the blank line; the body is File Data, which the
      // dissector gives with its chunked transfer coding and its content coding undone.
      const headerEnd = headersEnd(source, layer.offset, Math.min(layer.offset + layer.length, source.length));
      const headers = source.subarray(layer.offset, Math.min(headerEnd, source.length));
      this.push(dir, frame.packet.number, Buffer.from(headers));
      const body = layer.fields.find((f: Field) => f.abbrev === 'http.file_data');
      if (body && Buffer.isBuffer(body.value) && body.value.length > 0) this.push(dir, frame.packet.number, Buffer.from(body.value));
    }
  }

  private push(dir: 0 | 1, frame: number, data: Buffer): void {
    this.records.push({ dir, frame, offset: this.sent[dir], data });
    this.sent[dir] += data.length;
  }

  bytes(dir: 0 | 1): number {
    return this.sent[dir];
  }
}

/** Whether an HTTP layer is a message (its first line's hidden flag: in that line's subtree in a tree, at the top without one). */
function isMessage(fields: readonly Field[]): boolean {
  return fields.some((f) => f.abbrev === 'http.request' || f.abbrev === 'http.response' || f.abbrev === 'http.notification' || (f.abbrev === '' && f.children !== undefined && isMessage(f.children)));
}

/** Where an HTTP message's first line and headers end: after its first empty line (CR LF or LF), else at `stop`. */
function headersEnd(data: Buffer, start: number, stop: number): number {
  for (let at = start; at < stop;) {
    const lf = data.indexOf(0x0a, at);
    if (lf < 0 || lf >= stop) break;
    if (lf === at || (lf === at + 1 && data[at] === 0x0d)) return lf + 1;
    at = lf + 1;
  }
  return stop;
}

/**
 * TLS: tshark follows the decrypted application data, and without keys (sievecap has none) it
 * shows the stream's filter and no node and no data. So does this follower: it finds nothing.
 */
class TlsFollower implements Follower {
  readonly info = null;
  readonly records: FollowRecord[] = [];
  bytes(): number {
    return 0;
  }
  add(): void {}
}

function sameEndpoint(x: TcpEndpoint, y: TcpEndpoint): boolean {
  return x.port === y.port && x.address === y.address;
}

function endpointText(e: TcpEndpoint | undefined): string {
  if (!e) return ':0';
  return e.address.includes(':') ? `[${e.address}]:${e.port}` : `${e.address}:${e.port}`;
}

/** Bytes as tshark's follow ascii shows them: printable ASCII, CR and LF as they are, the rest '.'. */
export function followAscii(data: Buffer): string {
  let s = '';
  for (const b of data) s += b === 0x0a || b === 0x0d || (b >= 0x20 && b < 0x7f) ? String.fromCharCode(b) : '.';
  return s;
}

/** One record as tshark's follow hex prints it: 16 bytes a line, offsets counted per direction. */
export function followHexLines(data: Buffer, startOffset: number, prefix: string): string[] {
  const lines: string[] = [];
  for (let at = 0; at < data.length; at += 16) {
    const row = data.subarray(at, at + 16);
    let hex = '';
    let text = '';
    for (let i = 0; i < 16; i++) {
      if (i === 8) hex += ' ';
      hex += i < row.length ? `${row[i]!.toString(16).padStart(2, '0')} ` : '   ';
      if (i < row.length) {
        const b = row[i]!;
        text += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.';
        if (i === 7) text += ' ';
      }
    }
    const offset = (startOffset + at).toString(16).toUpperCase().padStart(8, '0');
    // tshark drops one trailing space (meant for the separator after the 8th byte; it takes a data space as well).
    lines.push(`${prefix}${offset}  ${hex} ${text.endsWith(' ') ? text.slice(0, -1) : text}`);
  }
  return lines;
}

class FollowReport implements StatisticsReport {
  private readonly follower: Follower;
  /** Its stream's TCP segments (UDP: the frame's layer table), nothing else. */
  readonly reads: ReportReads;

  constructor(
    readonly spec: string,
    private readonly protocol: FollowProtocol,
    private readonly mode: FollowMode,
    private readonly selector: StreamSelector,
  ) {
    this.follower = protocol === 'udp' ? new UdpFollower() : protocol === 'tls' ? new TlsFollower() : protocol === 'http' ? new HttpFollower() : new TcpFollower();
    // HTTP: messages as the desegmenting dissection puts them together, with their bodies.
    this.reads = protocol === 'http' ? { fields: ['http.request', 'http.response', 'http.notification', 'http.file_data'], columns: false, desegment: true } : { fields: protocol === 'tcp' ? TCP_SEGMENT_FIELDS : [], columns: false };
  }

  add(frame: ReportFrame): void {
    this.follower.add(frame, this.selector);
  }

  private filterText(): string {
    const s = this.selector;
    const transport = this.protocol === 'udp' ? 'udp' : 'tcp';
    if ('index' in s) return `${transport}.stream eq ${s.index}`;
    // tshark's filter for two endpoints: both ways, in the order given.
    const way = (x: TcpEndpoint, y: TcpEndpoint): string => {
      const ip = x.address.includes(':') ? 'ipv6' : 'ip';
      return `((${ip}.src eq ${x.address} and ${transport}.srcport eq ${x.port}) and (${ip}.dst eq ${y.address} and ${transport}.dstport eq ${y.port}))`;
    };
    return `${way(s.a, s.b)} or ${way(s.b, s.a)}`;
  }

  text(): string {
    const info = this.follower.info;
    const out = ['', RULE, `Follow: ${this.protocol},${this.mode}`, `Filter: ${this.filterText()}`, `Node 0: ${endpointText(info?.endpoints[0])}`, `Node 1: ${endpointText(info?.endpoints[1])}`];
    for (const r of this.follower.records) {
      const tab = r.dir === 1 ? '\t' : '';
      if (this.mode === 'ascii') out.push(`${tab}${r.data.length}`, followAscii(r.data));
      else if (this.mode === 'raw') out.push(`${tab}${r.data.toString('hex')}`);
      else out.push(...followHexLines(r.data, r.offset, tab));
    }
    out.push(RULE, '');
    return out.join('\n');
  }

  json(): FollowJson {
    const f = this.follower;
    const ends = f.info?.endpoints;
    return {
      stream: f.info?.index ?? ('index' in this.selector ? this.selector.index : null),
      clientAddress: ends?.[0].address ?? null,
      clientPort: ends?.[0].port ?? null,
      serverAddress: ends?.[1].address ?? null,
      serverPort: ends?.[1].port ?? null,
      clientBytes: f.bytes(0),
      serverBytes: f.bytes(1),
      segments: f.records.map((r) => ({ direction: r.dir === 0 ? 'client' : 'server', frame: r.frame, offset: r.offset, length: r.data.length, data: r.data.toString('base64') })),
    };
  }
}

/** 'ADDR:PORT' or '[IPV6]:PORT'. */
function parseEndpoint(text: string): TcpEndpoint | null {
  const m = /^\[([0-9a-fA-F:.]+)\]:(\d{1,5})$/.exec(text) ?? /^([0-9.]+):(\d{1,5})$/.exec(text);
  if (!m || Number(m[2]) > 65535) return null;
  return { address: m[1]!.toLowerCase(), port: Number(m[2]) };
}

/** `follow,tcp|udp|tls|http,ascii|hex|raw,N` or `follow,PROTO,MODE,ADDR:PORT,ADDR:PORT`. */
export function createFollowReport(spec: string): StatisticsReport {
  const usage = 'follow is -z follow,tcp|udp|tls|http,ascii|hex|raw,STREAM (tcp.stream number; udp.stream for udp) or -z follow,PROTO,MODE,ADDR:PORT,ADDR:PORT';
  const parts = spec.split(',');
  if (parts[0] !== 'follow' || parts.length < 4) throw new StatisticsSpecError(`invalid "-z ${spec}": ${usage}`);
  const protocol = parts[1];
  if (protocol !== 'tcp' && protocol !== 'udp' && protocol !== 'tls' && protocol !== 'http') {
    throw new StatisticsSpecError(`"-z ${spec}": sievecap follows tcp, udp, tls and http streams (follow,tcp|udp|tls|http,…); ${protocol} is not supported`);
  }
  const mode = parts[2];
  if (mode !== 'ascii' && mode !== 'hex' && mode !== 'raw') throw new StatisticsSpecError(`"-z ${spec}": unknown follow mode '${mode}': use ascii, hex or raw`);
  if (parts.length === 4 && /^\d+$/.test(parts[3]!)) return new FollowReport(spec, protocol, mode, { index: Number(parts[3]) });
  if (parts.length === 5) {
    const a = parseEndpoint(parts[3]!);
    const b = parseEndpoint(parts[4]!);
    if (a && b) return new FollowReport(spec, protocol, mode, { a, b });
  }
  throw new StatisticsSpecError(`invalid stream in "-z ${spec}": ${usage}`);
}
