/**
 * TCP desegmentation as tshark does it by default (`tcp.desegment_tcp_streams: TRUE`): an
 * application dissector that knows its PDU lengths (AppDissector.desegment) says how much of a
 * segment's payload holds whole PDUs and how much more the next one needs; the bytes of an
 * unfinished PDU are kept per direction of the connection and handed to the dissector on the
 * frame that completes it, with a "[N Reassembled TCP Segments]" layer (tcp.segments) before it.
 * Frames that only carry part of a PDU show as TCP: Protocol "TCP" and Info ending in
 * "[TCP segment of a reassembled PDU]", the bytes as tcp.segment_data.
 *
 * Segments the TCP analysis calls retransmissions are dissected no further (a keep-alive's byte is
 * data; an out-of-order segment only fills a hole of the PDU it belongs to), as tshark does.
 *
 * Modelled on Wireshark's desegment_tcp() (epan/dissectors/packet-tcp.c) in its first pass: the
 * frames before the one that completes a PDU cannot know where it completes, so they carry no
 * tcp.reassembled_in (tshark prints none either without -2; with -2 the first pass notes it and
 * the second shows it: app/dissect/hindsight.ts). Out of the ordinary: a segment that
 * leaves a gap before it (a lost segment) ends nothing, as in Wireshark, whose reassembly then
 * waits for a retransmission; a retransmission of bytes already held adds nothing; a segment cut
 * by the snap length is dissected on its own (no bytes to keep). The reassembled PDU is the
 * reassembled buffer's fields (Field.source 'reassembled').
 */
import { LayerBuilder } from './builder';
import type { Dissector } from './dissector';
import { bytesHex } from './format';
import type { AppContext, AppDissector, Field, PduSplit } from './model';
import type { PacketState } from './packet-state';
import type { Hindsight } from './hindsight';
import { A } from './tcp-analysis';

/** PduSplit.need: the PDU's length is not known yet; wait for the next segment (DESEGMENT_ONE_MORE_SEGMENT). */
export const ONE_MORE_SEGMENT = -1;
/** PduSplit.need: the PDU runs to the end of the direction (DESEGMENT_UNTIL_FIN: an HTTP response without a length). */
export const UNTIL_FIN = -2;

export const SEGMENT_OF_PDU = '[TCP segment of a reassembled PDU]';

/**
 * The most bytes kept for one PDU (a download with a large Content-Length): past this the PDU is
 * given up and its segments stay segments. tshark has no bound; a bound keeps memory finite.
 */
export const MAX_PDU_BYTES = 64 * 1024 * 1024;

/** A PDU begun and not finished, in one direction of a connection (Wireshark's multisegment PDU). */
export interface PendingPdu {
  app: AppDissector;
  /** Relative sequence number of its first byte. */
  seq: number;
  /** Relative sequence number just past it, -1 while its length is not known. */
  nxtpdu: number;
  /** Ends with the next segment that adds bytes (ONE_MORE_SEGMENT). */
  oneMore: boolean;
  /** Ends at the direction's FIN (UNTIL_FIN). */
  untilFin: boolean;
  chunks: Buffer[];
  /** Bytes held (the sum of chunks' lengths). */
  length: number;
  /**
   * Each frame's share, in order: tcp.segment and the "#frame(bytes)" list. `overlapAt`: a
   * segment whose bytes were already held (a fast retransmission), listed after the one it repeats
   * at that offset with "[Segment overlap: True]", as Wireshark's fragment list shows it.
   */
  parts: Array<{ frame: number; length: number; overlapAt?: number }>;
  /**
   * Segments of this PDU that came after a hole (a segment still missing), by sequence number:
   * Wireshark's fragment table keeps them at their offsets, so the segment that fills the hole
   * (an out-of-order one) lets the PDU go on with them.
   */
  ahead?: Array<{ seq: number; bytes: Buffer; frame: number }>;
}

/** The state of one direction this module keeps (TcpDirection.pdu). */
export interface DesegmentFlow {
  pdu: PendingPdu | null;
}

/**
 * Wireshark's tcp_dissect_pdus(): PDUs whose first `fixed` bytes tell their length (`lengthAt`,
 * which reads at least those bytes); each whole one is its own dissector call.
 */
export function lengthPrefixedPdus(data: Buffer, offset: number, end: number, fixed: number, lengthAt: (at: number) => number): PduSplit {
  const pdus: number[] = [];
  let at = offset;
  while (at < end) {
    if (end - at < fixed) return { pdus, need: fixed - (end - at), sizedPdus: pdus.length };
    const length = lengthAt(at);
    if (!(length >= fixed)) {
      // A length that cannot be (Wireshark reports the PDU malformed and stops): the rest as it is.
      const sizedPdus = pdus.length;
      pdus.push(end - at);
      return { pdus, need: 0, sizedPdus };
    }
    if (end - at < length) return { pdus, need: length - (end - at), sizedPdus: pdus.length };
    pdus.push(length);
    at += length;
  }
  return { pdus, need: 0, sizedPdus: pdus.length };
}

/** tcp_dissect_pdus's "[PDU Size: N]" lines (tcp.pdu.size) in the TCP tree, one per whole PDU, at `offset` in `data`. */
function addPduSizes(p: PacketState, tcpLayer: { fields: Field[] }, split: PduSplit, data: Buffer, offset: number, reassembledBytes = false): void {
  const count = split.sizedPdus ?? 0;
  if (count === 0) return;
  const selection = p.selection;
  if (selection !== undefined && !selection.has('tcp.pdu.size')) return;
  const b = new LayerBuilder(data, 'tcp', '', offset, data.length, selection);
  let at = offset;
  for (let i = 0; i < count; i++) {
    const size = split.pdus[i]!;
    const field = b.add('tcp.pdu.size', () => `[PDU Size: ${size}]`, size, at, size);
    if (reassembledBytes) field.source = 'reassembled';
    at += size;
  }
  tcpLayer.fields.push(...b.layer.fields);
}

/** The field names whose values depend on desegmentation in the TCP layer and tcp.segments. */
export function namesReassembly(selection: ReadonlySet<string> | undefined): boolean {
  if (selection === undefined) return true;
  for (const name of selection) if (name.startsWith('tcp.segment') || name.startsWith('tcp.reassembled')) return true;
  return false;
}

/**
 * Dissects a TCP payload data[offset, end) at relative sequence number `seq` with desegmentation:
 * the caller has added the TCP layer (the last of p.layers) and set TCP's Protocol and Info.
 */
export function dissectTcpPayload(d: Dissector, p: PacketState, ctx: AppContext, flow: DesegmentFlow, seq: number, fin: boolean, data: Buffer, offset: number, end: number, analysis = 0): void {
  const tcpLayer = p.layers[p.layers.length - 1]!;
  const pending = flow.pdu;
  const fastOnly = (analysis & (A.RETRANSMISSION | A.SPURIOUS_RETRANSMISSION | A.FAST_RETRANSMISSION)) === A.FAST_RETRANSMISSION;
  if (fastOnly && pending !== null && seq > pending.seq && (pending.nxtpdu < 0 || seq < pending.nxtpdu)) {
    // A fast retransmission inside the PDU being put together, past its first byte: Wireshark's
    // desegment_tcp() adds it to the PDU like any segment (fast retransmissions do not carry the
    // plain retransmission flag it skips), so it fills a hole a lost segment left; bytes already
    // held show as the PDU's segment data.
    if (seq + (end - offset) <= pending.seq + pending.length) {
      addOverlap(pending, seq - pending.seq, end - offset, p.frame.number);
      segmentOfPdu(d, p, tcpLayer, new Columns(p), data, offset, end);
      return;
    }
  } else if (analysis & (A.RETRANSMISSION | A.SPURIOUS_RETRANSMISSION | A.FAST_RETRANSMISSION)) {
    // A retransmission (the TCP analysis says so) is handed to no dissector: a plain one shows as
    // retransmitted segment data (tshark 4.0's desegment_tcp), a fast one only where it overlaps
    // the PDU being put together, a spurious one (already acknowledged) not at all.
    const plain = (analysis & (A.RETRANSMISSION | A.SPURIOUS_RETRANSMISSION)) === A.RETRANSMISSION;
    if (plain || ((analysis & A.SPURIOUS_RETRANSMISSION) === 0 && pending !== null && seq + (end - offset) > pending.seq && seq < pending.seq + pending.length)) addSegmentData(p, tcpLayer, data, offset, end, 'Retransmitted ');
    return;
  }
  if (analysis & A.KEEP_ALIVE) {
    // A keep-alive's byte is data, not part of any PDU.
    d.data(p, data, offset, end);
    return;
  }
  // An out-of-order segment is put together only into the PDU it belongs to (it fills a hole).
  if ((analysis & A.OUT_OF_ORDER) !== 0 && !(pending !== null && seq >= pending.seq && (pending.nxtpdu < 0 || seq < pending.nxtpdu))) return;
  if (Math.min(end, data.length) < end) {
    // Cut by the snap length: the missing bytes can never be put together.
    flow.pdu = null;
    d.byPort(p, ctx, data, offset, end);
    return;
  }
  const columns = new Columns(p);
  let o = offset;
  let s = seq;
  /** Where this segment's bytes taken by a PDU that grew (and is pending again) start, -1 none. */
  let grownFrom = -1;
  while (o < end) {
    const pdu = flow.pdu;
    if (pdu !== null && s >= pdu.seq && s < pduLimit(pdu)) {
      const have = pdu.seq + pdu.length;
      if (s > have) {
        // Bytes before this segment are missing: the PDU cannot be finished by it. Its bytes are
        // kept for when the hole is filled.
        const pduEnd = pdu.nxtpdu < 0 ? end : Math.min(end, o + (pdu.nxtpdu - s));
        keepAhead(pdu, s, data.subarray(o, pduEnd), p.frame.number);
        segmentOfPdu(d, p, tcpLayer, columns, data, o, pduEnd);
        if (pduEnd >= end) return;
        // The segment goes on past the PDU's end: what follows starts new PDUs, dissected now
        // (Wireshark's another_pdu_follows), after the segment's note in the columns.
        columns.fence();
        s += pduEnd - o;
        o = pduEnd;
        flow.pdu = null;
        fresh(d, p, ctx, flow, s, columns, tcpLayer, data, o, end, false);
        return;
      }
      const skip = have - s;
      const take = pdu.nxtpdu < 0 ? end - o : Math.min(end - o, pdu.nxtpdu - s);
      if (take <= skip) {
        // A retransmission of bytes already held adds nothing.
        addSegmentData(p, tcpLayer, data, o, end, 'Retransmitted ');
        return;
      }
      pdu.chunks.push(Buffer.from(data.subarray(o + skip, o + take)));
      pdu.length += take - skip;
      const lastPart = pdu.parts[pdu.parts.length - 1];
      if (lastPart !== undefined && lastPart.frame === p.frame.number) lastPart.length += take - skip;
      else pdu.parts.push({ frame: p.frame.number, length: take - skip });
      if (pdu.ahead !== undefined) takeAhead(pdu);
      if (pdu.length > MAX_PDU_BYTES) {
        flow.pdu = null;
        segmentOfPdu(d, p, tcpLayer, columns, data, o, end);
        return;
      }
      const last = o + take >= end;
      const complete = pdu.oneMore || (pdu.nxtpdu >= 0 && pdu.seq + pdu.length >= pdu.nxtpdu) || (pdu.untilFin && fin && last);
      const from = grownFrom >= 0 ? grownFrom : o;
      if (!complete) {
        segmentOfPdu(d, p, tcpLayer, columns, data, from, end);
        return;
      }
      flow.pdu = null;
      const atFin = pdu.untilFin && fin && last;
      const finished = reassembled(d, p, ctx, flow, pdu, columns, atFin, tcpLayer);
      if (!finished && last) {
        segmentOfPdu(d, p, tcpLayer, columns, data, from, end);
        return;
      }
      if (finished) {
        // tshark shows no segment data on the FIN that ends a PDU running until FIN.
        const rest = flow.pdu as PendingPdu | null;
        const split = rest !== null && rest.parts.length === 1 && rest.parts[0]!.frame === p.frame.number ? Math.min(rest.length, o + take - from) : 0;
        if (atFin) {
          // nothing: tshark shows no segment data there
        } else if (d.twoPass && split > 0) {
          // The second pass knows the reassembly was split inside this segment (split_msp): the
          // bytes the PDU took, then the ones that start the next PDU with the frame it ends in.
          addSegmentData(p, tcpLayer, data, from, o + take - split);
          addSegmentData(p, tcpLayer, data, o + take - split, o + take, '', d.hindsight);
        } else addSegmentData(p, tcpLayer, data, from, o + take);
        grownFrom = -1;
      } else if (grownFrom < 0) grownFrom = o;
      // Not finished: the PDU grew, and the rest of this segment goes on into it.
      o += take;
      s += take;
      continue;
    }
    if (pdu !== null && s >= pdu.seq) flow.pdu = null; // past the pending PDU: what it lacked was lost
    fresh(d, p, ctx, flow, s, columns, tcpLayer, data, o, end, pdu !== null && s < pdu.seq);
    return;
  }
}

/**
 * Where the bytes a pending PDU takes end (exclusive), Infinity when not known: one that waits for
 * one more segment takes a segment that starts at most one byte past its bytes (Wireshark's
 * msp->nxtpdu one byte into the next segment), not one after a hole, which starts afresh.
 */
function pduLimit(pdu: PendingPdu): number {
  if (pdu.oneMore) return pdu.seq + pdu.length + 1;
  return pdu.nxtpdu < 0 ? Infinity : pdu.nxtpdu;
}

/** Keeps the bytes of a segment that came after a hole in `pdu` (at most MAX_PDU_BYTES in all). */
function keepAhead(pdu: PendingPdu, seq: number, bytes: Buffer, frame: number): void {
  if (bytes.length === 0) return;
  const ahead = (pdu.ahead ??= []);
  let held = pdu.length;
  for (const a of ahead) held += a.bytes.length;
  if (held + bytes.length > MAX_PDU_BYTES) return;
  let at = ahead.length;
  while (at > 0 && ahead[at - 1]!.seq > seq) at--;
  ahead.splice(at, 0, { seq, bytes: Buffer.from(bytes), frame });
}

/** The segments kept after a hole that now follow on from the PDU's bytes, added in order. */
function takeAhead(pdu: PendingPdu): void {
  const ahead = pdu.ahead!;
  while (ahead.length > 0) {
    const next = ahead[0]!;
    const have = pdu.seq + pdu.length;
    if (next.seq > have) break;
    ahead.shift();
    const skip = have - next.seq;
    if (skip >= next.bytes.length) continue; // nothing new (its bytes came again meanwhile)
    const take = next.bytes.length - skip;
    pdu.chunks.push(next.bytes.subarray(skip));
    pdu.length += take;
    pdu.parts.push({ frame: next.frame, length: take });
  }
  if (ahead.length === 0) pdu.ahead = undefined;
}

/**
 * A FIN without payload on a direction whose PDU runs until FIN: that PDU is complete now and is
 * dissected on this frame (Wireshark does the same).
 */
export function finishAtFin(d: Dissector, p: PacketState, ctx: AppContext, flow: DesegmentFlow): void {
  const pdu = flow.pdu;
  if (pdu === null || !pdu.untilFin) return;
  flow.pdu = null;
  pdu.parts.push({ frame: p.frame.number, length: 0 });
  reassembled(d, p, ctx, flow, pdu, new Columns(p), true);
}

/** A payload that starts no pending PDU's bytes: its dissector says what it holds. */
function fresh(d: Dissector, p: PacketState, ctx: AppContext, flow: DesegmentFlow, seq: number, columns: Columns, tcpLayer: { fields: Field[] }, data: Buffer, offset: number, end: number, beforePending: boolean): void {
  const app = d.appFor(ctx, data, offset, end);
  if (app === undefined || app.desegment === undefined || beforePending || !d.desegmentWanted(p, ctx, app, data, offset, end)) {
    if (columns.fenced) callApp(d, p, app ?? null, ctx, data, offset, [end - offset], columns, false);
    else d.byPort(p, ctx, data, offset, end, app ?? null);
    return;
  }
  const split = safeSplit(app, data, offset, end, ctx);
  let done = 0;
  for (const length of split.pdus) done += length;
  const at = offset + done;
  const spans = split.need === 0 && at < end ? [...split.pdus, end - at] : split.pdus;
  addPduSizes(p, tcpLayer, split, data, offset);
  if (spans.length > 0) callApp(d, p, app, ctx, data, offset, spans, columns, split.replaceInfo === true, split.infoJoin, split.infoSeparator);
  if (split.need === 0 || at >= end) return;
  flow.pdu = {
    app,
    seq: seq + done,
    nxtpdu: split.need > 0 ? seq + (end - offset) + split.need : -1,
    oneMore: split.need === ONE_MORE_SEGMENT,
    untilFin: split.need === UNTIL_FIN,
    chunks: [Buffer.from(data.subarray(at, end))],
    length: end - at,
    parts: [{ frame: p.frame.number, length: end - at }],
  };
  waiting(d, p, app, split, done, columns);
  addSegmentData(p, tcpLayer, data, at, end, '', d.hindsight);
}

/**
 * A pending PDU completed by this frame: its dissector runs on the reassembled bytes. False when
 * the dissector found it needs still more (the PDU is pending again, longer).
 */
function reassembled(d: Dissector, p: PacketState, ctx: AppContext, flow: DesegmentFlow, pdu: PendingPdu, columns: Columns, atFin: boolean, tcpLayer?: { fields: Field[] }): boolean {
  const buffer = pdu.chunks.length === 1 ? pdu.chunks[0]! : Buffer.concat(pdu.chunks, pdu.length);
  const app = pdu.app;
  let split = safeSplit(app, buffer, 0, buffer.length, ctx);
  let done = 0;
  for (const length of split.pdus) done += length;
  if (atFin && split.need === UNTIL_FIN) {
    split = { ...split, pdus: [...split.pdus, buffer.length - done], need: 0 };
    done = buffer.length;
  }
  if (split.need !== 0 && done === 0) {
    // Still not enough (Wireshark extends the PDU): keep waiting, this frame is one more segment.
    pdu.chunks = [buffer];
    pdu.nxtpdu = split.need > 0 ? pdu.seq + buffer.length + split.need : -1;
    pdu.oneMore = split.need === ONE_MORE_SEGMENT;
    pdu.untilFin = split.need === UNTIL_FIN;
    flow.pdu = pdu;
    if (split.info !== undefined && !columns.fenced && !d.twoPass) p.info = split.info;
    // The second pass calls no dissector for it (the msp is known): no layer then.
    if (split.waitingLayer !== undefined && !d.twoPass) p.addLayer(split.waitingLayer);
    if (split.partialLayer !== undefined && !columns.fenced) p.addLayer({ ...split.partialLayer, source: 'reassembled', data: buffer }, app.protocol);
    return false;
  }
  if (tcpLayer !== undefined) addPduSizes(p, tcpLayer, split, buffer, 0, true);
  if (d.hindsight !== undefined) for (const part of pdu.parts) if (part.frame !== p.frame.number) d.hindsight.link('tcp.reassembled_in', part.frame, p.frame.number);
  // A PDU that ends inside this frame's segment, with more wanted after it: Wireshark splits the
  // reassembly there (split_msp), and lists this frame with the bytes the PDU took of it.
  const lastPart = pdu.parts[pdu.parts.length - 1];
  let parts = pdu.parts;
  if (split.need !== 0 && done < buffer.length && lastPart !== undefined && buffer.length - done < lastPart.length) {
    parts = [...parts.slice(0, -1), { ...lastPart, length: lastPart.length - (buffer.length - done) }];
  }
  // The second pass shows the split reassembly: only the bytes the PDU took.
  p.addLayer(segmentsLayer(p, parts, parts !== pdu.parts && d.twoPass ? buffer.subarray(0, done) : buffer), '');
  const wasReassembled = p.reassembled;
  const wasData = p.reassembledData;
  p.reassembled = true;
  p.reassembledData = buffer;
  const spans = split.need === 0 && done < buffer.length ? [...split.pdus, buffer.length - done] : split.pdus;
  callApp(d, p, app, ctx, buffer, 0, spans, columns, split.replaceInfo === true, '', split.infoSeparator);
  p.reassembled = wasReassembled;
  p.reassembledData = wasData;
  if (split.need !== 0 && done < buffer.length) {
    // The reassembled bytes end with the start of another PDU: it waits for more.
    flow.pdu = {
      app,
      seq: pdu.seq + done,
      nxtpdu: split.need > 0 ? pdu.seq + buffer.length + split.need : -1,
      oneMore: split.need === ONE_MORE_SEGMENT,
      untilFin: split.need === UNTIL_FIN,
      chunks: [buffer.subarray(done)],
      length: buffer.length - done,
      parts: [{ frame: p.frame.number, length: buffer.length - done }],
    };
    waiting(d, p, app, split, done, columns);
  }
  return true;
}

/**
 * One call of a dissector on several PDUs (spans, from `offset`): its protocol once in
 * frame.protocols; the Info of each PDU replaces or follows the one before (PduSplit.replaceInfo),
 * after whatever Info a PDU dissected before in this frame left (the column fence).
 */
function callApp(d: Dissector, p: PacketState, app: AppDissector | null, ctx: AppContext, data: Buffer, offset: number, spans: readonly number[], columns: Columns, replaceInfo: boolean, join = '', separator = ''): void {
  let protocol = '';
  let info = '';
  let lead: string | undefined;
  let appended = false;
  let at = offset;
  spans.forEach((length, k) => {
    ctx.laterPdu = k > 0;
    const result = app === null ? (d.byPort(p, ctx, data, at, at + length, null), null) : d.runApp(p, app, ctx, data, at, at + length, k === 0, false);
    ctx.laterPdu = undefined;
    at += length;
    if (result === null || !result.protocolColumn) return;
    protocol = result.protocolColumn;
    if (k === 0) {
      lead = result.infoLead;
      appended = result.infoAppended === true;
    }
    info = replaceInfo || k === 0 ? result.info : info + separator + result.info;
  });
  if (protocol) {
    if (columns.fenced) p.info = columns.fenceText + (columns.fenceText && info ? lead ?? join : '') + info;
    else {
      p.protocolColumn = protocol;
      p.info = info;
      if (appended) p.infoAppended = info;
    }
  }
  columns.fence();
}

/** The columns and chain of a frame whose last PDU waits for more, after `done` bytes of whole PDUs. */
function waiting(d: Dissector, p: PacketState, app: AppDissector, split: PduSplit, done: number, columns: Columns): void {
  if (done > 0) {
    if (split.info !== undefined) p.info += split.info;
    return;
  }
  // tshark's second pass (-2) knows the segment only starts a PDU: TCP's Info stays.
  if (split.info !== undefined && !columns.fenced && !d.twoPass) p.info = split.info;
  else if (split.info !== undefined && split.infoAlways === true && columns.fenced && !d.twoPass) p.info += split.info;
  if (split.leadLayer !== undefined) p.addLayer(split.leadLayer);
  if (split.waitingLayer !== undefined) {
    if (!d.twoPass) p.addLayer(split.waitingLayer);
  } else if (split.keepsLayer !== undefined) p.addLayer(split.partialLayer ?? { protocol: split.keepsProtocol ?? app.protocol, title: split.keepsLayer, offset: 0, length: 0, fields: [], status: 'ok' });
  // After a PDU this frame completed, the start of the next one adds no note (the columns are
  // fenced and no longer written, as after Wireshark's another_pdu_follows).
  if (!columns.fenced) columns.segmentOfPdu();
}

function safeSplit(app: AppDissector, data: Buffer, offset: number, end: number, ctx: AppContext): PduSplit {
  try {
    return app.desegment!(data, offset, end, ctx);
  } catch {
    return { pdus: [], need: 0 };
  }
}

/** This frame's bytes from `offset` belong to an unfinished PDU. */
function segmentOfPdu(d: Dissector, p: PacketState, tcpLayer: { fields: Field[] }, columns: Columns, data: Buffer, offset: number, end: number): void {
  columns.segmentOfPdu();
  addSegmentData(p, tcpLayer, data, offset, end, '', d.hindsight);
}

/** "TCP segment data (N bytes)" (tcp.segment_data) in the TCP layer: payload no dissector took now. */
function addSegmentData(p: PacketState, tcpLayer: { fields: Field[] }, data: Buffer, offset: number, end: number, retransmitted = '', hindsight?: Hindsight): void {
  const selection = p.selection;
  // tshark's second pass (-2) knows the frame that completes the PDU these bytes start.
  const later = hindsight?.later('tcp.reassembled_in', p.frame.number);
  const inFrame = later !== undefined && later !== p.frame.number && (selection === undefined || selection.has('tcp.reassembled_in'));
  if (!inFrame && selection !== undefined && !selection.has('tcp.segment_data')) return;
  const b = new LayerBuilder(data, 'tcp', '', offset, end, selection);
  if (inFrame) b.add('tcp.reassembled_in', () => `[Reassembled PDU in frame: ${later}]`, later, 0, 0);
  const n = end - offset;
  b.addLazy('tcp.segment_data', `${retransmitted}TCP segment data (${n} byte${n === 1 ? '' : 's'})`, data.subarray(offset, end), offset, n, () => bytesHex(data, offset, n));
  tcpLayer.fields.push(...b.layer.fields);
}

/** Lists a segment whose bytes the PDU holds already, after the parts that start at or before `at`. */
function addOverlap(pdu: PendingPdu, at: number, length: number, frame: number): void {
  let offset = 0;
  let k = 0;
  for (; k < pdu.parts.length; k++) {
    const part = pdu.parts[k]!;
    const start = part.overlapAt ?? offset;
    if (start > at) break;
    if (part.overlapAt === undefined) offset += part.length;
  }
  pdu.parts.splice(k, 0, { frame, length, overlapAt: at });
}

/** "[N Reassembled TCP Segments (B bytes): #f(n), ...]" with tcp.segment, tcp.segment.count, tcp.reassembled.length/.data. */
function segmentsLayer(p: PacketState, parts: PendingPdu['parts'], buffer: Buffer) {
  const b = new LayerBuilder(buffer, 'tcp', '', 0, buffer.length, p.selection);
  // Wireshark cuts an item's text at 239 characters (ITEM_LABEL_LENGTH), inside the brackets.
  const title = (): string => `[${`${parts.length} Reassembled TCP Segments (${buffer.length} bytes): ${parts.map((part) => `#${part.frame}(${part.length})`).join(', ')}`.slice(0, 239)}]`;
  b.title(title);
  if (b.wantsAny('tcp.segment') || b.wantsAny('tcp.reassembled')) {
    let at = 0;
    for (const part of parts) {
      const from = part.overlapAt ?? at;
      const label = (): string => part.length === 0 ? `[Frame: ${part.frame} (no data)]` : `[Frame: ${part.frame}, payload: ${from}-${from + part.length - 1} (${part.length} byte${part.length === 1 ? '' : 's'})]`;
      if (part.overlapAt === undefined) {
        b.add('tcp.segment', label, part.frame, from, part.length, String(part.frame));
        at += part.length;
      } else {
        b.group('tcp.segment', label, part.frame, from, part.length, () => b.add('tcp.segment.overlap', () => '[Segment overlap: True]', true, from, part.length), String(part.frame));
      }
    }
    b.add('tcp.segment.count', () => `[Segment count: ${parts.length}]`, parts.length, 0, 0);
    b.add('tcp.reassembled.length', () => `[Reassembled TCP length: ${buffer.length}]`, buffer.length, 0, 0);
    b.addLazy('tcp.reassembled.data', () => `[Reassembled TCP Data: ${bytesHex(buffer, 0, Math.min(buffer.length, 36))}${buffer.length > 36 ? '…' : ''}]`, buffer, 0, buffer.length, () => bytesHex(buffer, 0, buffer.length));
  }
  const layer = b.layer;
  layer.protocol = 'tcp.segments';
  layer.source = 'reassembled';
  layer.data = buffer;
  return layer;
}

/**
 * Wireshark's column fence across the PDUs of one frame: once a dissector ran, the Protocol
 * column stays and later Info text goes after what is there.
 */
class Columns {
  /** Set once a dissector ran in this frame's payload. */
  fenced = false;
  fenceText = '';

  constructor(private readonly p: PacketState) {}

  fence(): void {
    this.fenced = true;
    this.fenceText = this.p.info;
  }

  segmentOfPdu(): void {
    const p = this.p;
    if (!this.fenced) p.protocolColumn = 'TCP';
    p.info = p.info ? `${p.info} ${SEGMENT_OF_PDU}` : SEGMENT_OF_PDU;
  }
}
