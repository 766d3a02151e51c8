/**
 * TCP stream reassembly: turns segments, in capture order, into the ordered byte stream each side
 * of a connection received, as the receiving host would have seen it.
 *
 *   const r = new TcpReassembler({ onData(stream, dir, chunk) { ... } });
 *   for (const seg of segments) r.add(seg);     // TcpSegment, see tcp-segment.ts
 *   r.finish();                                 // end of capture: flush what is left
 *
 * - Positions are kept as stream offsets (numbers past 2^32), so sequence wrap-around is a
 *   signed 32-bit difference against the next expected sequence number and nothing else.
 * - Bytes already delivered never change, and an out-of-order segment wholly covered by queued
 *   data is dropped: the first copy of a byte wins, as Linux keeps it (tcp_data_queue_ofo). A
 *   partly overlapping queued segment gives up its overlap to the one that starts earlier.
 * - A stream seen without its SYN starts where the peer's last acknowledgment says the receiver
 *   was (when that is plausible), else at its first data.
 * - Out-of-order data waits in a queue bounded per direction and in total; when a bound is hit the
 *   hole is declared lost (onGap, reason 'limit') and reported in `limitHits`.
 */
import { TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN, type TcpSegment } from './tcp-segment';

export interface TcpEndpoint {
  address: string;
  port: number;
}

export interface TcpStreamInfo {
  /** tcp.stream as tshark numbers it. */
  index: number;
  /** endpoints[d] is the sender of direction d; direction 0 is the first sender seen. */
  endpoints: [TcpEndpoint, TcpEndpoint];
  /** Direction whose endpoint sent the opening SYN, or null when no SYN was seen. */
  synDirection: 0 | 1 | null;
}

/** Contiguous bytes of one direction, in stream order. */
export interface StreamChunk {
  /** Stream offset of data[0]: 0 is the first byte after the SYN (or the first byte seen). */
  offset: number;
  data: Buffer;
  /** Frame that carried these bytes. */
  frame: number;
  tsNs: bigint;
}

export interface StreamGap {
  offset: number;
  length: number;
  /** 'missing': never captured; 'limit': given up on to stay within memory bounds; 'truncated': cut by the snap length. */
  reason: 'missing' | 'limit' | 'truncated';
  /** Frame at which the gap was declared. */
  frame: number;
}

export type StreamEnd = 'fin' | 'rst' | 'eof';

export interface TcpStreamHandler {
  onStreamStart?(info: TcpStreamInfo): void;
  onData(info: TcpStreamInfo, dir: 0 | 1, chunk: StreamChunk): void;
  onGap?(info: TcpStreamInfo, dir: 0 | 1, gap: StreamGap): void;
  /** Called once per direction: its FIN was reached, a RST was seen, or the capture ended. */
  onEnd?(info: TcpStreamInfo, dir: 0 | 1, reason: StreamEnd, frame: number, tsNs: bigint): void;
}

export interface ReassemblyLimits {
  /** Bytes of out-of-order data queued per direction (default 4 MiB). */
  maxQueuedPerDirection: number;
  /** Bytes of out-of-order data queued over all streams (default 64 MiB). */
  maxQueuedTotal: number;
}

export interface LimitHit {
  stream: number;
  dir: 0 | 1;
  kind: 'direction' | 'total';
  frame: number;
  /** Bytes declared lost to get back under the bound. */
  skippedBytes: number;
}

export interface ReassemblyStats {
  segments: number;
  deliveredBytes: number;
  /** Bytes received twice (retransmissions, overlaps) and dropped. */
  duplicateBytes: number;
  /** Segments that arrived ahead of a hole and were queued. */
  outOfOrderSegments: number;
  gapBytes: number;
  maxQueuedBytes: number;
}

export const DEFAULT_LIMITS: ReassemblyLimits = { maxQueuedPerDirection: 4 << 20, maxQueuedTotal: 64 << 20 };

interface QueuedSegment {
  start: number;
  data: Buffer;
  frame: number;
  tsNs: bigint;
}

interface Direction {
  /** Raw sequence number of stream offset `next`; meaningful once `started`. */
  nextSeq: number;
  /** Stream offset of the next byte to deliver. */
  next: number;
  started: boolean;
  /** The peer's latest acknowledgment (raw), used to place a stream that started before the capture. */
  peerAck: number | null;
  queue: QueuedSegment[];
  queuedBytes: number;
  /** Stream offset of the FIN, once seen. */
  finAt: number | null;
  ended: boolean;
}

interface Connection {
  info: TcpStreamInfo;
  dirs: [Direction, Direction];
}

/** Signed distance from b to a in 32-bit sequence space. */
export function seqDiff(a: number, b: number): number {
  return (a - b) | 0;
}

/** Largest jump from the peer's acknowledgment to the first data that still counts as the same stream. */
const MAX_ACK_DISTANCE = 1 << 20;

function newDirection(): Direction {
  return { nextSeq: 0, next: 0, started: false, peerAck: null, queue: [], queuedBytes: 0, finAt: null, ended: false };
}

export class TcpReassembler {
  readonly limits: ReassemblyLimits;
  readonly limitHits: LimitHit[] = [];
  readonly stats: ReassemblyStats = { segments: 0, deliveredBytes: 0, duplicateBytes: 0, outOfOrderSegments: 0, gapBytes: 0, maxQueuedBytes: 0 };
  private readonly connections = new Map<number, Connection>();
  private queuedTotal = 0;

  constructor(private readonly handler: TcpStreamHandler, limits: Partial<ReassemblyLimits> = {}) {
    this.limits = { ...DEFAULT_LIMITS, ...limits };
  }

  /** Adds one segment; segments must come in capture order. The payload is copied when queued. */
  add(seg: TcpSegment): void {
    this.stats.segments++;
    const conn = this.connection(seg);
    const dir: 0 | 1 = conn.info.endpoints[0].address === seg.srcAddress && conn.info.endpoints[0].port === seg.srcPort ? 0 : 1;
    const own = conn.dirs[dir];
    const peer = conn.dirs[dir === 0 ? 1 : 0];
    const syn = (seg.flags & TCP_SYN) !== 0;
    if ((seg.flags & TCP_ACK) !== 0) peer.peerAck = seg.ack;
    if (syn && !own.started) {
      if (!(seg.flags & TCP_ACK) && conn.info.synDirection === null) conn.info.synDirection = dir;
      own.started = true;
      own.nextSeq = (seg.seq + 1) >>> 0;
      own.next = 0;
    }
    const dataSeq = syn ? (seg.seq + 1) >>> 0 : seg.seq;
    if (seg.length > 0 && !own.ended) {
      if (!own.started) this.startMidway(own, dataSeq);
      this.receive(conn, dir, dataSeq, seg);
    }
    if ((seg.flags & TCP_FIN) !== 0 && own.started && own.finAt === null) {
      own.finAt = own.next + seqDiff((dataSeq + seg.length) >>> 0, own.nextSeq);
    }
    if ((seg.flags & TCP_RST) !== 0) {
      for (const d of [0, 1] as const) this.end(conn, d, 'rst', seg.frame, seg.tsNs);
      return;
    }
    this.endIfFinReached(conn, dir, seg.frame, seg.tsNs);
  }

  /** End of capture: queued data is delivered across its holes and every open direction ends. */
  finish(frame = 0, tsNs = 0n): void {
    for (const conn of this.connections.values()) {
      for (const d of [0, 1] as const) this.end(conn, d, 'eof', frame, tsNs);
    }
  }

  /** Bytes of out-of-order data queued now, over all streams. */
  get queuedBytes(): number {
    return this.queuedTotal;
  }

  private connection(seg: TcpSegment): Connection {
    let conn = this.connections.get(seg.stream);
    if (!conn) {
      conn = {
        info: {
          index: seg.stream,
          endpoints: [
            { address: seg.srcAddress, port: seg.srcPort },
            { address: seg.dstAddress, port: seg.dstPort },
          ],
          synDirection: null,
        },
        dirs: [newDirection(), newDirection()],
      };
      this.connections.set(seg.stream, conn);
      this.handler.onStreamStart?.(conn.info);
    }
    return conn;
  }

  private startMidway(own: Direction, dataSeq: number): void {
    own.started = true;
    const ahead = own.peerAck === null ? -1 : seqDiff(dataSeq, own.peerAck);
    // The receiver had acknowledged up to peerAck: bytes from there on were still to come.
    own.nextSeq = ahead > 0 && ahead <= MAX_ACK_DISTANCE ? own.peerAck! : dataSeq;
    own.next = 0;
  }

  private receive(conn: Connection, dir: 0 | 1, dataSeq: number, seg: TcpSegment): void {
    const own = conn.dirs[dir];
    const start = own.next + seqDiff(dataSeq, own.nextSeq);
    let end = start + seg.length;
    if (own.finAt !== null && end > own.finAt) end = Math.max(start, own.finAt);
    const captured = seg.payload.subarray(0, Math.max(0, end - start));
    if (end <= own.next) {
      this.stats.duplicateBytes += end - start;
      return;
    }
    if (start <= own.next) {
      this.deliver(conn, dir, start, captured, end, seg.frame, seg.tsNs);
      this.drain(conn, dir, seg.frame);
      return;
    }
    this.enqueue(conn, dir, { start, data: Buffer.from(captured), frame: seg.frame, tsNs: seg.tsNs }, end);
  }

  /** Delivers [start, end) of which `data` holds the captured prefix; bytes before `next` are duplicates. */
  private deliver(conn: Connection, dir: 0 | 1, start: number, data: Buffer, end: number, frame: number, tsNs: bigint): void {
    const own = conn.dirs[dir];
    const skip = own.next - start;
    if (skip > 0) this.stats.duplicateBytes += skip;
    const from = Math.max(0, skip);
    if (from < data.length) {
      const piece = data.subarray(from);
      this.handler.onData(conn.info, dir, { offset: own.next, data: piece, frame, tsNs });
      this.stats.deliveredBytes += piece.length;
      this.advance(own, piece.length);
    }
    if (own.next < end) {
      // The snap length cut this segment: its tail is known to exist but was not captured.
      this.gap(conn, dir, end - own.next, 'truncated', frame);
    }
  }

  private advance(own: Direction, bytes: number): void {
    own.next += bytes;
    own.nextSeq = (own.nextSeq + bytes) >>> 0;
  }

  private gap(conn: Connection, dir: 0 | 1, length: number, reason: StreamGap['reason'], frame: number): void {
    const own = conn.dirs[dir];
    this.handler.onGap?.(conn.info, dir, { offset: own.next, length, reason, frame });
    this.stats.gapBytes += length;
    this.advance(own, length);
  }

  private enqueue(conn: Connection, dir: 0 | 1, q: QueuedSegment, end: number): void {
    const own = conn.dirs[dir];
    this.stats.outOfOrderSegments++;
    // Keep the queue sorted by start; a segment wholly inside queued data is a duplicate.
    let k = own.queue.length;
    while (k > 0 && own.queue[k - 1]!.start > q.start) k--;
    const before = own.queue[k - 1];
    if (before && before.start + before.data.length >= end) {
      this.stats.duplicateBytes += end - q.start;
      return;
    }
    // Queued segments this one wholly covers add nothing: drop them (their bytes arrived first, but
    // the earlier-starting copy supplies the overlap, as Linux's out-of-order queue does).
    while (k < own.queue.length && own.queue[k]!.start + own.queue[k]!.data.length <= end && own.queue[k]!.start >= q.start) {
      const dropped = own.queue.splice(k, 1)[0]!;
      this.unqueue(own, dropped.data.length);
      this.stats.duplicateBytes += dropped.data.length;
    }
    own.queue.splice(k, 0, q);
    own.queuedBytes += q.data.length;
    this.queuedTotal += q.data.length;
    if (this.queuedTotal > this.stats.maxQueuedBytes) this.stats.maxQueuedBytes = this.queuedTotal;
    if (own.queuedBytes > this.limits.maxQueuedPerDirection) this.giveUpHole(conn, dir, 'direction', q.frame);
    while (this.queuedTotal > this.limits.maxQueuedTotal) {
      const [fat, fatDir] = this.fattestDirection();
      if (!fat) break;
      this.giveUpHole(fat, fatDir, 'total', q.frame);
    }
  }

  private unqueue(own: Direction, bytes: number): void {
    own.queuedBytes -= bytes;
    this.queuedTotal -= bytes;
  }

  /** Declares the hole before the first queued segment lost and delivers what follows it. */
  private giveUpHole(conn: Connection, dir: 0 | 1, kind: LimitHit['kind'] | null, frame: number): void {
    const own = conn.dirs[dir];
    const first = own.queue[0];
    if (!first) return;
    const skipped = first.start - own.next;
    if (kind) this.limitHits.push({ stream: conn.info.index, dir, kind, frame, skippedBytes: skipped });
    if (skipped > 0) this.gap(conn, dir, skipped, kind ? 'limit' : 'missing', frame);
    this.drain(conn, dir, frame);
  }

  private fattestDirection(): [Connection | null, 0 | 1] {
    let best: Connection | null = null;
    let bestDir: 0 | 1 = 0;
    let most = 0;
    for (const conn of this.connections.values()) {
      for (const d of [0, 1] as const) {
        if (conn.dirs[d].queuedBytes > most) {
          most = conn.dirs[d].queuedBytes;
          best = conn;
          bestDir = d;
        }
      }
    }
    return [best, bestDir];
  }

  /** Delivers queued segments that the stream has now reached. */
  private drain(conn: Connection, dir: 0 | 1, _frame: number): void {
    const own = conn.dirs[dir];
    while (own.queue.length > 0 && own.queue[0]!.start <= own.next) {
      const q = own.queue.shift()!;
      this.unqueue(own, q.data.length);
      const end = q.start + q.data.length;
      if (end <= own.next) this.stats.duplicateBytes += q.data.length;
      else this.deliver(conn, dir, q.start, q.data, end, q.frame, q.tsNs);
    }
  }

  private endIfFinReached(conn: Connection, dir: 0 | 1, frame: number, tsNs: bigint): void {
    const own = conn.dirs[dir];
    if (own.finAt !== null && own.next >= own.finAt) this.end(conn, dir, 'fin', frame, tsNs);
  }

  private end(conn: Connection, dir: 0 | 1, reason: StreamEnd, frame: number, tsNs: bigint): void {
    const own = conn.dirs[dir];
    if (own.ended) return;
    // Whatever is still queued reached the receiver's buffer: hand it over across its holes.
    while (own.queue.length > 0) this.giveUpHole(conn, dir, null, frame);
    own.ended = true;
    this.handler.onEnd?.(conn.info, dir, reason, frame, tsNs);
  }
}
