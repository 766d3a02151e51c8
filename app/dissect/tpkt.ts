/**
 * TPKT (RFC 1006, "ISO transport services on top of TCP") as tshark 4.0 shows it
 * (epan/dissectors/packet-tpkt.c, dissect_tpkt_encap): on TCP 102 (ISO-TSAP: S7, MMS, ICCP) and
 * 3389 (RDP, which registers TPKT there), a 4-byte header (version 3, reserved, length of the
 * whole packet) whose payload goes to COTP (cotp.ts).
 *
 * Desegmentation as TPKT's own loop does it (tpkt.desegment is on by default): a header cut short
 * waits for one more segment, a packet longer than the segment for the bytes it lacks. A segment
 * whose first byte is not version 3 is taken for the middle of something else (RDP's TLS after
 * the connection is set up): the whole of it is "Continuation", Protocol TPKT. With
 * desegmentation on, TPKT leaves the Info column to COTP, whose text each TPDU replaces (the last
 * of a segment's is what shows).
 */
import { LayerBuilder } from './builder';
import { bytesHex, bytesLabelHex } from './format';
import type { AppContext, AppDissector, AppResult, Layer, PduSplit } from './model';
import { ONE_MORE_SEGMENT } from './tcp-pdus';
import { CotpReassembly, dissectCotp } from './cotp';
import { rdpFastPath } from './rdp';

/** ISO-TSAP (Wireshark's TPKT port) and RDP's port, which packet-rdp.c hands to TPKT. */
export const TPKT_PORTS = [102, 3389];

const TITLE = 'TPKT - ISO on TCP - RFC1006';

export function createTpktDissector(): AppDissector {
  // COTP's fragments wait across frames: each Dissector keeps its own.
  const reassembly = new CotpReassembly();
  // RDP's connections whose first TPKT packet was seen (see dissectTpkt's `unnamed`).
  const rdpStarted = new WeakSet<object>();
  // RDP's server (address|port), known once a client's MCS Connect-Initial was seen (rdp_isServerAddressTarget).
  const rdpServers = new WeakMap<object, string>();
  // Where the segment being dissected starts: RDP's Fast-Path heuristic looks at a whole segment only.
  let segment: { data: Buffer; offset: number } | null = null;
  return {
    protocol: 'tpkt',
    fieldPrefixes: ['cotp', 'rdp', 'data'],
    tcpPorts: TPKT_PORTS,
    stateful: true,
    // On RDP's port, packet-tpkt.c's dissect_tpkt_heur declines a connection's segments until one
    // looks like TPKT (is_tpkt): they go on to TLS's heuristic, else data.
    claims: (data, offset, end, ctx) => !onRdpPort(ctx) || ctx.connection === undefined || rdpStarted.has(ctx.connection) || isTpkt(data, offset, end),
    declines: true,
    desegment: (data, offset, end) => {
      segment = { data, offset };
      return tpktSplit(data, offset, end);
    },
    dissect: (data, offset, end, ctx) => {
      // tshark 4.0 leaves "tpkt" out of frame.protocols in the first TPKT packet of a connection
      // on RDP's port (3389), which packet-rdp.c's handle dissects before TPKT's own takes over.
      const connection = ctx.connection;
      const unnamed = connection !== undefined && onRdpPort(ctx) && isTpkt(data, offset, end) && !rdpStarted.has(connection);
      if (unnamed) rdpStarted.add(connection);
      const wholeSegment = segment !== null && segment.data === data && segment.offset === offset;
      const rdp: RdpState = {
        fastPath: wholeSegment,
        clientToServer: connection !== undefined && rdpServers.get(connection) === `${ctx.dst}|${ctx.dstPort}`,
        connectInitial: () => {
          if (connection !== undefined && !rdpServers.has(connection)) rdpServers.set(connection, `${ctx.dst}|${ctx.dstPort}`);
        },
      };
      return dissectTpkt(data, offset, end, ctx, reassembly, unnamed, rdp);
    },
  };
}

function onRdpPort(ctx: AppContext): boolean {
  return ctx.srcPort === 3389 || ctx.dstPort === 3389;
}

/** is_tpkt(tvb, 0): version 3, reserved 0 and a length of at least the header's 4 bytes. */
function isTpkt(data: Buffer, offset: number, end: number): boolean {
  return Math.min(end, data.length) - offset >= 4 && data[offset] === 3 && data[offset + 1] === 0 && data.readUInt16BE(offset + 2) >= 4;
}

/** The TPKT packets of a segment: whole ones, then what the last one still needs. */
export function tpktSplit(data: Buffer, offset: number, end: number): PduSplit {
  const stop = Math.min(end, data.length);
  const pdus: number[] = [];
  let at = offset;
  while (at < stop) {
    // Not a TPKT header: the rest is continuation, never waited for.
    if (data[at] !== 3) {
      pdus.push(stop - at);
      break;
    }
    if (stop - at < 4) return { pdus, need: ONE_MORE_SEGMENT, info: '', replaceInfo: true };
    // (A length under the header's own 4 bytes takes the header alone.)
    const length = Math.max(4, data.readUInt16BE(at + 2));
    if (stop - at < length) return { pdus, need: length - (stop - at), info: '', replaceInfo: true };
    pdus.push(length);
    at += length;
  }
  return { pdus, need: 0, replaceInfo: true };
}

/** One TPKT packet (or a continuation) in [offset, end), with the COTP it carries. */
/** What TPKT knows of RDP on its connection. */
export interface RdpState {
  /** The bytes start a segment: RDP's Fast-Path heuristic may take them. */
  fastPath: boolean;
  /** The packet goes to the connection's known RDP server. */
  clientToServer: boolean;
  /** Called for a COTP DT whose data is an MCS Connect-Initial (T.125's BER [APPLICATION 101]). */
  connectInitial: () => void;
}

export function dissectTpkt(data: Buffer, offset: number, end: number, ctx: AppContext, reassembly: CotpReassembly, unnamed = false, rdp?: RdpState): AppResult {
  const stop = Math.min(end, data.length);
  if (data[offset] !== 3) {
    const fastPath = rdp?.fastPath ? rdpFastPath(data, offset, end, ctx, rdp.clientToServer) : null;
    // (TPKT adds its name to frame.protocols, not its tree: RDP's heuristic had the segment.)
    if (fastPath !== null) return { layers: [fastPath.layer], protocolColumn: 'RDP', info: fastPath.info, chain: ['tpkt:rdp'] };
    const b = new LayerBuilder(data, 'tpkt', TITLE, offset, stop, ctx.fields);
    b.add('tpkt.continuation_data', () => `Continuation data: ${bytesLabelHex(data, offset, stop - offset)}`, data.subarray(offset, stop), offset, stop - offset, () => bytesHex(data, offset, stop - offset));
    return { layers: [b.layer], protocolColumn: 'TPKT', info: 'Continuation' };
  }
  const length = stop - offset >= 4 ? data.readUInt16BE(offset + 2) : 0;
  const b = new LayerBuilder(data, 'tpkt', TITLE, offset, Math.min(stop, offset + 4), ctx.fields);
  b.title(() => `TPKT, Version: 3, Length: ${length}`);
  b.add('tpkt.version', 'Version: 3', 3, offset, 1);
  if (stop - offset < 4) {
    b.need(offset + 1, 3, 'TPKT header');
    return { layers: [b.layer], protocolColumn: 'TPKT', info: '' };
  }
  const reserved = data[offset + 1]!;
  b.add('tpkt.reserved', () => `Reserved: ${reserved}`, reserved, offset + 1, 1);
  b.add('tpkt.length', () => `Length: ${length}`, length, offset + 2, 2);
  const layers: Layer[] = [b.layer];
  const payloadEnd = Math.min(end, offset + Math.max(4, length));
  if (payloadEnd <= offset + 4) return { layers, protocolColumn: 'TPKT', info: '' };
  const cotp = dissectCotp(data, offset + 4, payloadEnd, ctx, reassembly);
  const dataLayer = cotp.layers[1];
  if (rdp !== undefined && dataLayer?.protocol === 'data' && data[dataLayer.offset] === 0x7f && data[dataLayer.offset + 1] === 0x65) rdp.connectInitial();
  const all = [...layers, ...cotp.layers];
  // The fragments' tree is no protocol of frame.protocols; a later packet of the segment adds
  // COTP's names again after TPKT's (packet-tpkt.c calls COTP by handle).
  const chain = all.map((layer) => (layer.protocol === 'cotp.segments' || (unnamed && layer.protocol === 'tpkt') ? '' : layer.protocol));
  return { layers: all, protocolColumn: cotp.protocolColumn || 'TPKT', info: cotp.info, chain, chainInLaterPdus: true };
}
