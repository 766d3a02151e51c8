/**
 * tshark's TCP sequence analysis (`tcp.analyze_sequence_numbers`, on by default), after
 * Wireshark's tcp_analyze_sequence_number() in epan/dissectors/packet-tcp.c: per direction the
 * next expected sequence number, the last ACK and window, duplicate-ACK counts; each segment gets
 * the flags tshark sets — retransmissions (fast, spurious), out-of-order segments, lost and ACKed
 * unseen segments, keep-alives, window updates and full windows, zero windows and their probes,
 * duplicate ACKs — shown as tcp.analysis.* fields and "[TCP …] " before the Info column; and,
 * from each direction's list of segments not yet acknowledged, the segment an ACK acknowledges and
 * its round-trip time, the bytes in flight and the bytes sent since the last PSH.
 */
import type { ExpertSeverity } from './model';

export const A = {
  RETRANSMISSION: 0x0001,
  LOST_PACKET: 0x0002,
  ACK_LOST_PACKET: 0x0004,
  KEEP_ALIVE: 0x0008,
  DUPLICATE_ACK: 0x0010,
  ZERO_WINDOW: 0x0020,
  ZERO_WINDOW_PROBE: 0x0040,
  ZERO_WINDOW_PROBE_ACK: 0x0080,
  KEEP_ALIVE_ACK: 0x0100,
  OUT_OF_ORDER: 0x0200,
  FAST_RETRANSMISSION: 0x0400,
  WINDOW_UPDATE: 0x0800,
  WINDOW_FULL: 0x1000,
  REUSED_PORTS: 0x2000,
  SPURIOUS_RETRANSMISSION: 0x4000,
} as const;

/** A segment sent and not yet acknowledged (Wireshark's tcp_unacked_t); sequence numbers relative. */
interface UnackedSegment {
  frame: number;
  seq: number;
  /** seq + length, plus one for a SYN or FIN. */
  nextseq: number;
  ts: bigint;
}

/** Wireshark's TCP_MAX_UNACKED_SEGMENTS: a direction whose ACKs are not seen stops growing its list. */
const MAX_UNACKED_SEGMENTS = 10000;

/** One direction's analysis state (Wireshark's tcp_flow_t fields it uses). */
export interface AnalysisFlow {
  /** Relative sequence number expected next, 0 before any segment. */
  nextseq: number;
  nextseqtime: bigint;
  /** The frame that set nextseq (a retransmission's RTO counts from it). */
  nextseqframe: number;
  /** Highest contiguous sequence number to be acknowledged, 0 before any. */
  maxseqtobeacked: number;
  lastack: number;
  lastacktime: bigint;
  /** Frame of the last segment that was not a duplicate ACK, and duplicate ACKs since. */
  lastnondupack: number;
  dupacknum: number;
  /** Last window seen (raw), -1 before any. */
  window: number;
  /** The analysis flags of this direction's last segment. */
  lastsegmentflags: number;
  /** Segments not yet acknowledged, oldest first (Wireshark keeps them newest first). */
  segments: UnackedSegment[];
  /** Bytes in flight are counted once the other side has sent an ACK, and not after a lost segment until it sends another. */
  validBif: boolean;
  /** Bytes sent since the last PSH (tcp.analysis.push_bytes_sent), and whether the last data segment had PSH. */
  pushBytesSent: number;
  pushSetLast: boolean;
  /** Bytes covered by the blocks of this side's last SACK option (taken off the other side's bytes in flight). */
  sackDelivered: number;
  /**
   * The lowest start and highest end of `segments` (relative, unsigned) while `spanKnown`:
   * kept as segments are added, found again only after an ACK took some away, so that a
   * direction whose ACKs the capture misses (up to 10,000 segments) costs no walk per segment.
   */
  spanFirst: number;
  spanLast: number;
  spanKnown: boolean;
}

/**
 * `delta < limit` as Wireshark computes it: in an unsigned 64-bit integer, so a frame whose time
 * stamp is earlier than the one compared with (time going backwards in a file) is never "within".
 */
function within(deltaNs: bigint, limitNs: bigint): boolean {
  return deltaNs >= 0n && deltaNs < limitNs;
}

export function newAnalysisFlow(): AnalysisFlow {
  return { nextseq: 0, nextseqtime: 0n, nextseqframe: 0, maxseqtobeacked: 0, lastack: 0, lastacktime: 0n, lastnondupack: 0, dupacknum: 0, window: -1, lastsegmentflags: 0, segments: [], validBif: true, pushBytesSent: 0, pushSetLast: false, sackDelivered: 0, spanFirst: 0, spanLast: 0, spanKnown: true };
}

export interface AnalysisResult {
  flags: number;
  /** DUPLICATE_ACK: which one (1, 2, ...) and the frame of the ACK it duplicates. */
  dupackNum: number;
  dupackFrame: number;
  /** A retransmission: time since the frame that first sent past this data (its RTO), 0 when not; and that frame. */
  rtoNs: bigint;
  rtoFrame: number;
  /**
   * Whether tshark keeps an analysis record for the frame (flags, an acknowledged segment, bytes
   * in flight or pushed): its "[SEQ/ACK analysis]" subtree shows only then.
   */
  recorded: boolean;
  /** The frame of the segment this ACK acknowledges (0 none) and the time since it was sent. */
  acksFrame: number;
  ackRttNs: bigint;
  /** tcp.analysis.bytes_in_flight and tcp.analysis.push_bytes_sent (shown only with bytes in flight). */
  bytesInFlight: number;
  pushBytesSent: number;
}

const SYN = 0x02;
const FIN = 0x01;
const RST = 0x04;
const ACK = 0x10;

const PSH = 0x08;

/**
 * Analyses one segment of `fwd` (its own direction; `rev` the other). `seq`/`ack` relative,
 * `window` raw with `revShift` the other side's window scale shift (-1 unknown, -2 none),
 * `irttNs` the connection's initial RTT (0 unknown), `ts` the frame's time stamp. Bytes in
 * flight span the relative sequence numbers of the unacknowledged segments (tshark 4.0's figures
 * also where a segment's raw number passes the initial one: no wrap-around).
 */
export function analyzeSegment(fwd: AnalysisFlow, rev: AnalysisFlow, seq: number, ack: number, seglen: number, tcpFlags: number, window: number, revShift: number, irttNs: bigint, frame: number, ts: bigint): AnalysisResult {
  if (tcpFlags & ACK) rev.validBif = true;
  let flags = 0;
  let dupackNum = 0;
  let dupackFrame = 0;
  let rtoNs = 0n;
  let rtoFrame = 0;
  const controls = tcpFlags & (SYN | FIN | RST);
  done: {
    // A zero window probe: one byte at the next sequence number while the peer's window is zero.
    if (seglen === 1 && seq === fwd.nextseq && rev.window === 0) {
      flags |= A.ZERO_WINDOW_PROBE;
      break done;
    }
    if (window === 0 && controls === 0) flags |= A.ZERO_WINDOW;
    // Bytes before this segment were not seen.
    if (fwd.nextseq !== 0 && gt(seq, fwd.nextseq) && (tcpFlags & RST) === 0) {
      flags |= A.LOST_PACKET;
      fwd.validBif = false;
    }
    if ((seglen === 0 || seglen === 1) && seq === ((fwd.nextseq - 1) >>> 0) && controls === 0) flags |= A.KEEP_ALIVE;
    if (seglen === 0 && window !== 0 && window !== fwd.window && seq === fwd.nextseq && ack === fwd.lastack && controls === 0) flags |= A.WINDOW_UPDATE;
    if (seglen > 0 && revShift !== -1 && rev.window >= 0 && ((seq + seglen) >>> 0) === ((rev.lastack + rev.window * 2 ** (revShift === -2 ? 0 : revShift)) >>> 0) && controls === 0) flags |= A.WINDOW_FULL;
    if (seglen === 0 && window !== 0 && window === fwd.window && seq === fwd.nextseq && ack === fwd.lastack && (rev.lastsegmentflags & A.KEEP_ALIVE) !== 0 && controls === 0) {
      flags |= A.KEEP_ALIVE_ACK;
      break done;
    }
    if (seglen === 0 && window === 0 && window === fwd.window && seq === fwd.nextseq && ack === fwd.lastack && (rev.lastsegmentflags & A.ZERO_WINDOW_PROBE) !== 0 && controls === 0) {
      flags |= A.ZERO_WINDOW_PROBE_ACK;
      break done;
    }
    if (seglen === 0 && window !== 0 && window === fwd.window && seq === fwd.nextseq && ack === fwd.lastack && controls === 0) {
      fwd.dupacknum++;
      flags |= A.DUPLICATE_ACK;
      dupackNum = fwd.dupacknum;
      dupackFrame = fwd.lastnondupack;
    }
  }
  // A segment carrying the same ACK (data, a FIN) neither counts as a duplicate nor starts the
  // count again: tshark numbers "Dup ACK F#N" across them.
  if ((flags & A.DUPLICATE_ACK) === 0 && ack !== fwd.lastack) {
    fwd.lastnondupack = frame;
    fwd.dupacknum = 0;
  }
  // The peer acknowledges bytes this capture never showed. Said as packet-tcp.c (4.0) says it,
  // once per lost stretch: when the other side's highest contiguous byte is past its highest byte
  // seen, else only while that side's duplicate-ACK count is 0, which it then sets to -1 (until
  // that side's own ACK moves on); the other side's highest contiguous byte becomes its highest
  // byte seen. (Measured on the corpus and other public captures against tshark 4.0: this
  // reading agrees on more summary lines than the older rules.)
  if (rev.maxseqtobeacked !== 0 && gt(ack, rev.maxseqtobeacked) && (tcpFlags & ACK) !== 0) {
    if (rev.maxseqtobeacked > rev.nextseq) {
      flags |= A.ACK_LOST_PACKET;
    } else {
      if (rev.dupacknum === 0) flags |= A.ACK_LOST_PACKET;
      rev.dupacknum = -1;
    }
    rev.maxseqtobeacked = rev.nextseq;
  }
  // Data (or SYN/FIN) that does not advance the sequence: retransmitted, or out of order.
  if ((seglen > 0 || (tcpFlags & (SYN | FIN)) !== 0) && (flags & A.KEEP_ALIVE) === 0) {
    const notAdvanced = fwd.nextseq !== 0 && lt(seq, fwd.nextseq);
    const threshold = irttNs > 0n ? irttNs : 3_000_000n;
    const spurious = seglen > 0 && rev.lastack !== 0 && le((seq + seglen) >>> 0, rev.lastack);
    if (notAdvanced && rev.dupacknum >= 2 && rev.lastack === seq && within(ts - rev.lastacktime, 20_000_000n)) flags |= A.FAST_RETRANSMISSION;
    else if (spurious) {
      // Data the peer already acknowledged: a spurious retransmission (and a retransmission).
      flags |= A.SPURIOUS_RETRANSMISSION;
      if (notAdvanced) flags |= A.RETRANSMISSION;
    } else if (notAdvanced && within(ts - fwd.nextseqtime, threshold) && fwd.nextseq !== ((seq + seglen + ((tcpFlags & (SYN | FIN)) !== 0 ? 1 : 0)) >>> 0)) flags |= A.OUT_OF_ORDER;
    else if (notAdvanced) flags |= A.RETRANSMISSION;
    if (flags & (A.RETRANSMISSION | A.FAST_RETRANSMISSION | A.SPURIOUS_RETRANSMISSION)) {
      rtoNs = ts - fwd.nextseqtime;
      rtoFrame = fwd.nextseqframe;
      // A plain retransmission counts its RTO from the oldest segment still unacknowledged.
      const oldest = fwd.segments[0];
      if ((flags & (A.FAST_RETRANSMISSION | A.SPURIOUS_RETRANSMISSION)) === 0 && oldest !== undefined) {
        rtoNs = ts - oldest.ts;
        rtoFrame = oldest.frame;
      }
    }
  }
  let nextseq = (seq + seglen) >>> 0;
  if ((tcpFlags & (SYN | FIN)) !== 0) nextseq = (nextseq + 1) >>> 0;
  if ((seglen > 0 || (tcpFlags & (SYN | FIN)) !== 0) && fwd.segments.length < MAX_UNACKED_SEGMENTS) {
    fwd.segments.push({ frame, seq, nextseq, ts });
    if (fwd.spanKnown) {
      const start = seq;
      const next = nextseq;
      if (fwd.segments.length === 1) {
        fwd.spanFirst = start;
        fwd.spanLast = next;
      } else {
        if (start < fwd.spanFirst) fwd.spanFirst = start;
        if (next > fwd.spanLast) fwd.spanLast = next;
      }
    }
  }
  const probe = (flags & A.ZERO_WINDOW_PROBE) !== 0;
  if ((gt(nextseq, fwd.nextseq) || fwd.nextseq === 0) && !probe) {
    fwd.nextseq = nextseq;
    fwd.nextseqtime = ts;
    fwd.nextseqframe = frame;
  }
  if ((seq === fwd.maxseqtobeacked || fwd.maxseqtobeacked === 0) && !probe) fwd.maxseqtobeacked = fwd.nextseq;
  fwd.window = window;
  fwd.lastack = ack;
  fwd.lastacktime = ts;
  fwd.lastsegmentflags = flags;
  let recorded = flags !== 0;
  // The segments this ACK acknowledges leave the other side's list; the one it ends at exactly
  // (or ends inside of) is the frame it acknowledges.
  let acksFrame = 0;
  let ackRttNs = 0n;
  const unacked = rev.segments;
  let kept = 0;
  for (let i = unacked.length - 1; i >= 0; i--) {
    const u = unacked[i]!;
    let keep = false;
    if (ack === u.nextseq) {
      acksFrame = u.frame;
      ackRttNs = ts - u.ts;
      recorded = true;
    } else if (gt(ack, u.seq) && le(ack, u.nextseq)) {
      // Acknowledged in part: what is left stays (tshark 4.0 names no frame for it).
      u.seq = ack;
      keep = true;
      rev.spanKnown = false;
    } else if (gt(u.nextseq, ack)) keep = true;
    if (keep) unacked[unacked.length - 1 - kept++] = u;
  }
  if (kept < unacked.length) {
    rev.segments = unacked.slice(unacked.length - kept);
    rev.spanKnown = false;
  }
  // Bytes in flight: from the lowest unacknowledged byte this side sent to the highest.
  let bytesInFlight = 0;
  let pushBytesSent = 0;
  const mine = fwd.segments;
  if (seglen !== 0 && mine.length > 0 && fwd.validBif) {
    if (!fwd.spanKnown) {
      let first = mine[0]!.seq;
      let last = mine[0]!.nextseq;
      for (const u of mine) {
        const next = u.nextseq;
        const start = u.seq;
        if (next > last) last = next;
        if (start < first) first = start;
      }
      fwd.spanFirst = first;
      fwd.spanLast = last;
      fwd.spanKnown = true;
    }
    const inFlight = (fwd.spanLast - fwd.spanFirst - rev.sackDelivered) >>> 0;
    if (inFlight > 0 && inFlight < 2_000_000_000) bytesInFlight = (tcpFlags & (SYN | FIN)) !== 0 ? inFlight - 1 : inFlight;
    const push = (tcpFlags & PSH) !== 0;
    if (push && !fwd.pushSetLast) fwd.pushBytesSent += seglen;
    else if (push || fwd.pushSetLast) fwd.pushBytesSent = seglen;
    else fwd.pushBytesSent += seglen;
    fwd.pushSetLast = push;
    pushBytesSent = fwd.pushBytesSent;
    recorded = true;
  }
  return { flags, dupackNum, dupackFrame, rtoNs, rtoFrame, recorded, acksFrame, ackRttNs, bytesInFlight, pushBytesSent };
}

/** Sequence comparisons modulo 2^32, as Wireshark's GT_SEQ/LT_SEQ/LE_SEQ. */
function gt(a: number, b: number): boolean {
  return ((b - a) | 0) < 0;
}
function lt(a: number, b: number): boolean {
  return ((a - b) | 0) < 0;
}
function le(a: number, b: number): boolean {
  return a === b || lt(a, b);
}

/** "[TCP …] " prefixes of the Info column, in the order tshark's prepends leave them. */
export function analysisInfo(r: AnalysisResult): string {
  const f = r.flags;
  if (f === 0) return '';
  const parts: string[] = [];
  // Each is prepended in this order, so the last one comes first (a SYN-ACK that reuses ports
  // after a lost segment: "[TCP Previous segment not captured] [TCP Port numbers reused] ").
  if (f & A.REUSED_PORTS) parts.unshift('[TCP Port numbers reused] ');
  if (f & A.RETRANSMISSION && !(f & A.SPURIOUS_RETRANSMISSION)) parts.unshift('[TCP Retransmission] ');
  if (f & A.LOST_PACKET) parts.unshift('[TCP Previous segment not captured] ');
  if (f & A.ACK_LOST_PACKET) parts.unshift('[TCP ACKed unseen segment] ');
  if (f & A.KEEP_ALIVE) parts.unshift('[TCP Keep-Alive] ');
  if (f & A.WINDOW_UPDATE) parts.unshift('[TCP Window Update] ');
  if (f & A.WINDOW_FULL) parts.unshift('[TCP Window Full] ');
  if (f & A.KEEP_ALIVE_ACK) parts.unshift('[TCP Keep-Alive ACK] ');
  if (f & A.DUPLICATE_ACK) parts.unshift(`[TCP Dup ACK ${r.dupackFrame}#${r.dupackNum}] `);
  if (f & A.ZERO_WINDOW_PROBE) parts.unshift('[TCP ZeroWindowProbe] ');
  if (f & A.ZERO_WINDOW) parts.unshift('[TCP ZeroWindow] ');
  if (f & A.ZERO_WINDOW_PROBE_ACK) parts.unshift('[TCP ZeroWindowProbeAck] ');
  if (f & A.SPURIOUS_RETRANSMISSION) parts.unshift('[TCP Spurious Retransmission] ');
  if (f & A.FAST_RETRANSMISSION) parts.unshift('[TCP Fast Retransmission] ');
  if (f & A.OUT_OF_ORDER) parts.unshift('[TCP Out-Of-Order] ');
  return parts.join('');
}

/**
 * The expert items of the flags (flag, abbrev, severity, message), in the order Wireshark's
 * tcp_print_sequence_number_analysis() raises them (the order analysisInfo() prepends their Info
 * marks). A duplicate ACK is a plain line here (severity null): its item ("Duplicate ACK (#N)") hangs
 * on the number of the frame it duplicates.
 */
export const ANALYSIS_EXPERTS: ReadonlyArray<[number, string, ExpertSeverity | null, string]> = [
  [A.REUSED_PORTS, 'tcp.analysis.reused_ports', 'Note', 'A new tcp session is started with the same ports as an earlier session in this trace'],
  [A.RETRANSMISSION, 'tcp.analysis.retransmission', 'Note', 'This frame is a (suspected) retransmission'],
  [A.LOST_PACKET, 'tcp.analysis.lost_segment', 'Warning', 'Previous segment(s) not captured (common at capture start)'],
  [A.ACK_LOST_PACKET, 'tcp.analysis.ack_lost_segment', 'Warning', 'ACKed segment that wasn\'t captured (common at capture start)'],
  [A.KEEP_ALIVE, 'tcp.analysis.keep_alive', 'Note', 'TCP keep-alive segment'],
  [A.WINDOW_UPDATE, 'tcp.analysis.window_update', 'Chat', 'TCP window update'],
  [A.WINDOW_FULL, 'tcp.analysis.window_full', 'Warning', 'TCP window specified by the receiver is now completely full'],
  [A.KEEP_ALIVE_ACK, 'tcp.analysis.keep_alive_ack', 'Note', 'ACK to a TCP keep-alive segment'],
  [A.DUPLICATE_ACK, 'tcp.analysis.duplicate_ack', null, 'This is a TCP duplicate ack'],
  [A.ZERO_WINDOW_PROBE, 'tcp.analysis.zero_window_probe', 'Note', 'TCP Zero Window Probe'],
  [A.ZERO_WINDOW, 'tcp.analysis.zero_window', 'Warning', 'TCP Zero Window segment'],
  [A.ZERO_WINDOW_PROBE_ACK, 'tcp.analysis.zero_window_probe_ack', 'Note', 'ACK to a TCP Zero Window Probe'],
  [A.SPURIOUS_RETRANSMISSION, 'tcp.analysis.spurious_retransmission', 'Note', 'This frame is a (suspected) spurious retransmission'],
  [A.FAST_RETRANSMISSION, 'tcp.analysis.fast_retransmission', 'Note', 'This frame is a (suspected) fast retransmission'],
  [A.OUT_OF_ORDER, 'tcp.analysis.out_of_order', 'Warning', 'This frame is a (suspected) out-of-order segment'],
];
