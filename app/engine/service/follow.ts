/**
 * The `followStream` request: both directions of one TCP or UDP stream, as Wireshark's Follow
 * Stream shows them.
 *
 * - TCP: the stream's frames (found by tcp.stream in the index, nothing else dissected) go to the
 *   TcpFollower of `-z follow,tcp` (app/stats/follow.ts): reassembled as the receivers saw it,
 *   retransmissions dropped, holes shown as tshark's "[N bytes missing in capture file]".
 * - UDP: each datagram's payload, in frame order.
 * - 'client' is the sender of the stream's first frame (tshark's node 0). Consecutive records of
 *   one direction make one chunk, as the Follow Stream window runs them together; `frame` is the
 *   frame whose payload ends the chunk.
 * - Answers cover the frames the session holds now (a live capture: the stream so far).
 */
import type { DissectedPacket, DissectOptions, Field, Layer } from '../../dissect/model';
import { MAX_FOLLOW_BYTES, type EngineResult } from '../../rpc/engine-protocol';
import { TCP_SEGMENT_FIELDS } from '../../reassembly/tcp-segment';
import { TcpFollower } from '../../stats/follow';
import { FLAG } from '../columns';
import { RowDissector } from '../row-dissector';
import type { PacketStore } from '../store';
import type { AnalysisWork } from './analysis-work';
import { EngineError } from './plain';
import type { EngineSession } from './session';

export interface FollowRecordData {
  dir: 0 | 1;
  frame: number;
  data: Buffer;
}

interface Endpoint {
  address: string;
  port: number;
}

const EMPTY = Buffer.alloc(0);
const TCP_OPTIONS: DissectOptions = { fields: new Set(TCP_SEGMENT_FIELDS), columns: false };
const UDP_FIELDS = ['udp.stream', 'udp.srcport', 'udp.dstport', 'udp.payload', 'ip.src', 'ip.dst', 'ipv6.src', 'ipv6.dst'];
const UDP_OPTIONS: DissectOptions = { fields: new Set(UDP_FIELDS), columns: false };

export function endpointText(e: Endpoint | undefined): string {
  if (!e) return '';
  return e.address.includes(':') ? `[${e.address}]:${e.port}` : `${e.address}:${e.port}`;
}

/** Consecutive records of one direction joined: the chunks Follow Stream shows (at most `limit` bytes of them). */
export function joinRecords(records: readonly FollowRecordData[], limit = Infinity): { chunks: FollowRecordData[]; truncated: boolean } {
  const out: FollowRecordData[] = [];
  let parts: Buffer[] = [];
  let bytes = 0;
  let truncated = false;
  for (const record of records) {
    let r = record;
    if (bytes + r.data.length > limit) {
      truncated = true;
      if (bytes >= limit) break;
      r = { ...r, data: r.data.subarray(0, limit - bytes) };
    }
    bytes += r.data.length;
    const last = out[out.length - 1];
    if (last && last.dir === r.dir) {
      parts.push(r.data);
      last.frame = r.frame;
    } else {
      if (last) last.data = Buffer.concat(parts);
      parts = [r.data];
      out.push({ dir: r.dir, frame: r.frame, data: r.data });
    }
  }
  const last = out[out.length - 1];
  if (last) last.data = Buffer.concat(parts);
  return { chunks: out, truncated };
}

/**
 * Frames (0-based) of one stream, from its first frame on: the index's stream column, read in
 * slices. `tcp`: TCP streams, else UDP.
 */
async function* streamFrames(store: PacketStore, tcp: boolean, stream: number, work: AnalysisWork): AsyncGenerator<number> {
  const first = store.streamStart(tcp, stream)[0];
  if (first === undefined) return;
  const ix = store.index;
  const wanted = stream + 1;
  for (let k = first; k < store.count(); k++) {
    if (ix.streamPlusOne[k] === wanted && ((ix.flags[k]! & FLAG.TCP_STREAM) !== 0) === tcp) yield k;
    if ((k & 1023) === 0 && work.due()) {
      work.progress('follow', k, store.count());
      await work.pause();
    }
  }
}

function topField(layer: Layer, abbrev: string): Field | undefined {
  for (const f of layer.fields) if (f.abbrev === abbrev) return f;
  return undefined;
}

/** The UDP datagram of `stream` in a packet: its ends and payload (a view of the frame's bytes). */
function udpDatagram(packet: DissectedPacket, stream: number): { src: Endpoint; dst: Endpoint; payload: Buffer } | null {
  const layers = packet.layers;
  for (let k = 1; k < layers.length; k++) {
    const udp = layers[k]!;
    if (udp.protocol !== 'udp' || topField(udp, 'udp.stream')?.value !== stream) continue;
    const net = layers[k - 1]!;
    const prefix = net.protocol === 'ip' || net.protocol === 'ipv6' ? net.protocol : null;
    if (prefix === null) continue;
    const payload = topField(udp, 'udp.payload')?.value;
    return {
      src: { address: String(topField(net, `${prefix}.src`)?.value ?? ''), port: Number(topField(udp, 'udp.srcport')?.value ?? 0) },
      dst: { address: String(topField(net, `${prefix}.dst`)?.value ?? ''), port: Number(topField(udp, 'udp.dstport')?.value ?? 0) },
      payload: Buffer.isBuffer(payload) ? payload : Buffer.alloc(0),
    };
  }
  return null;
}

function readError(err: unknown, frame: number): never {
  if (err instanceof EngineError || err instanceof RangeError) throw err;
  throw new EngineError('EREAD', `the stream could not be read at frame ${frame}: ${(err as Error).message}`);
}

async function followTcp(store: PacketStore, stream: number, work: AnalysisWork): Promise<{ ends: Endpoint[]; records: FollowRecordData[]; bytes: [number, number] }> {
  const dissector = new RowDissector(store, false);
  const follower = new TcpFollower();
  for await (const k of streamFrames(store, true, stream, work)) {
    let packet: DissectedPacket;
    try {
      packet = dissector.dissect(k, false, TCP_OPTIONS);
    } catch (err) {
      readError(err, k + 1);
    }
    // The follower copies the payload it keeps.
    follower.add({ packet, data: EMPTY, tsNs: store.tsNs(k), capLen: store.capLenOf(k), origLen: store.origLenOf(k) }, { index: stream });
  }
  return { ends: follower.info?.endpoints ?? [], records: follower.records, bytes: [follower.bytes(0), follower.bytes(1)] };
}

async function followUdp(store: PacketStore, stream: number, work: AnalysisWork): Promise<{ ends: Endpoint[]; records: FollowRecordData[]; bytes: [number, number] }> {
  const dissector = new RowDissector(store, false);
  const ends: Endpoint[] = [];
  const records: FollowRecordData[] = [];
  const bytes: [number, number] = [0, 0];
  for await (const k of streamFrames(store, false, stream, work)) {
    let packet: DissectedPacket;
    try {
      packet = dissector.dissect(k, false, UDP_OPTIONS);
    } catch (err) {
      readError(err, k + 1);
    }
    const datagram = udpDatagram(packet, stream);
    if (!datagram) continue;
    if (ends.length === 0) ends.push(datagram.src, datagram.dst);
    const client = ends[0]!;
    const dir: 0 | 1 = datagram.src.address === client.address && datagram.src.port === client.port ? 0 : 1;
    if (datagram.payload.length === 0) continue;
    records.push({ dir, frame: k + 1, data: Buffer.from(datagram.payload) });
    bytes[dir] += datagram.payload.length;
  }
  return { ends, records, bytes };
}

export async function followStream(session: EngineSession, protocol: 'tcp' | 'udp', stream: number, work: AnalysisWork): Promise<EngineResult<'followStream'>> {
  const store = session.store;
  if (store.streamStart(protocol === 'tcp', stream).length === 0) {
    throw new EngineError('ENOSTREAM', `session ${session.id} has no ${protocol.toUpperCase()} stream ${stream} (${protocol}.stream numbers count from 0 in order of first appearance)`);
  }
  try {
    const { ends, records, bytes } = protocol === 'tcp' ? await followTcp(store, stream, work) : await followUdp(store, stream, work);
    const { chunks, truncated } = joinRecords(records, MAX_FOLLOW_BYTES);
    return {
      protocol,
      stream,
      client: endpointText(ends[0]),
      server: endpointText(ends[1]),
      clientBytes: bytes[0],
      serverBytes: bytes[1],
      chunks: chunks.map((r) => ({ from: r.dir === 0 ? 'client' : 'server', frame: r.frame, data: r.data.toString('base64') })),
      filter: `${protocol}.stream eq ${stream}`,
      ...(truncated ? { truncated } : {}),
    };
  } finally {
    work.end();
  }
}
