/**
 * OpenFlow (TCP 6633 and 6653) as tshark 4.0 shows it segment by segment: an `openflow` layer for
 * the segment and, for each message, an `openflow_v1` (OpenFlow 1.0: openflow.version,
 * openflow_1_0.type, openflow.length, openflow.xid) or `openflow_v4` (OpenFlow 1.3:
 * openflow_v4.version, type, length, xid) layer, frame.protocols naming each message's. Info is
 * the last message's "Type: OFPT_…"; a message cut by the segment gets
 * "[BoundErrorUnreassembled Packet]". Left out: message bodies, and the Ethernet frames that
 * PACKET_IN and PACKET_OUT carry (tshark dissects them as frames).
 */
import { dissectSafely, hex, LayerBuilder } from './builder';
import type { AppContext, AppDissector, AppResult, Layer } from './model';
import { dataLayer } from './hsrp';

export const OPENFLOW_PORTS = [6633, 6634, 6653];
const BOUND_ERROR = '[BoundErrorUnreassembled Packet]';
/**
 * OpenFlow 1.0 messages whose bodies Wireshark reads (FEATURES_REPLY, PORT_STATUS, FLOW_MOD): cut
 * by the segment, they run out of bytes. FLOW_MOD always does in tshark 4.0 (its reading of the
 * actions overruns the message).
 */
const BODY_DISSECTED_V1 = new Set([6, 12, 14]);

const TYPES_V1 = [
  'OFPT_HELLO', 'OFPT_ERROR', 'OFPT_ECHO_REQUEST', 'OFPT_ECHO_REPLY', 'OFPT_VENDOR', 'OFPT_FEATURES_REQUEST', 'OFPT_FEATURES_REPLY',
  'OFPT_GET_CONFIG_REQUEST', 'OFPT_GET_CONFIG_REPLY', 'OFPT_SET_CONFIG', 'OFPT_PACKET_IN', 'OFPT_FLOW_REMOVED', 'OFPT_PORT_STATUS',
  'OFPT_PACKET_OUT', 'OFPT_FLOW_MOD', 'OFPT_PORT_MOD', 'OFPT_STATS_REQUEST', 'OFPT_STATS_REPLY', 'OFPT_BARRIER_REQUEST',
  'OFPT_BARRIER_REPLY', 'OFPT_QUEUE_GET_CONFIG_REQUEST', 'OFPT_QUEUE_GET_CONFIG_REPLY',
];
const TYPES_V4 = [
  'OFPT_HELLO', 'OFPT_ERROR', 'OFPT_ECHO_REQUEST', 'OFPT_ECHO_REPLY', 'OFPT_EXPERIMENTER', 'OFPT_FEATURES_REQUEST', 'OFPT_FEATURES_REPLY',
  'OFPT_GET_CONFIG_REQUEST', 'OFPT_GET_CONFIG_REPLY', 'OFPT_SET_CONFIG', 'OFPT_PACKET_IN', 'OFPT_FLOW_REMOVED', 'OFPT_PORT_STATUS',
  'OFPT_PACKET_OUT', 'OFPT_FLOW_MOD', 'OFPT_GROUP_MOD', 'OFPT_PORT_MOD', 'OFPT_TABLE_MOD', 'OFPT_MULTIPART_REQUEST', 'OFPT_MULTIPART_REPLY',
  'OFPT_BARRIER_REQUEST', 'OFPT_BARRIER_REPLY', 'OFPT_QUEUE_GET_CONFIG_REQUEST', 'OFPT_QUEUE_GET_CONFIG_REPLY', 'OFPT_ROLE_REQUEST',
  'OFPT_ROLE_REPLY', 'OFPT_GET_ASYNC_REQUEST', 'OFPT_GET_ASYNC_REPLY', 'OFPT_SET_ASYNC', 'OFPT_METER_MOD',
];

const MULTIPART_TYPES = [
  'OFPMP_DESC', 'OFPMP_FLOW', 'OFPMP_AGGREGATE', 'OFPMP_TABLE', 'OFPMP_PORT_STATS', 'OFPMP_QUEUE', 'OFPMP_GROUP', 'OFPMP_GROUP_DESC',
  'OFPMP_GROUP_FEATURES', 'OFPMP_METER', 'OFPMP_METER_CONFIG', 'OFPMP_METER_FEATURES', 'OFPMP_TABLE_FEATURES', 'OFPMP_PORT_DESC',
];

/** The versions dissected here: Wireshark's name for each, its heading and its fields' names. */
const VERSIONS: Record<number, { protocol: string; title: string; types: readonly string[]; version: string; type: string; length: string; xid: string }> = {
  1: { protocol: 'openflow_v1', title: 'OpenFlow 1.0', types: TYPES_V1, version: 'openflow.version', type: 'openflow_1_0.type', length: 'openflow.length', xid: 'openflow.xid' },
  4: { protocol: 'openflow_v4', title: 'OpenFlow 1.3', types: TYPES_V4, version: 'openflow_v4.version', type: 'openflow_v4.type', length: 'openflow_v4.length', xid: 'openflow_v4.xid' },
};

/** The IANA port: registered in TCP's port table, so either direction is OpenFlow. */
const IANA_PORT = 6653;
/** The legacy ports: only a heuristic that looks at the destination port (Wireshark's dissect_openflow_heur). */
const LEGACY_PORTS = new Set([6633, 6634]);

/**
 * OpenFlow as tshark 4.0 chooses it: TCP 6653 either way; on the legacy ports 6633/6634 a segment
 * sent *to* the port makes the connection OpenFlow from then on (the heuristic sets the
 * conversation's dissector), so what the controller sent before that is data.
 */
export function createOpenflowDissector(): AppDissector {
  const conversations = new Set<string>();
  const key = (ctx: AppContext) => {
    const a = `${ctx.src}/${ctx.srcPort}`;
    const b = `${ctx.dst}/${ctx.dstPort}`;
    return a < b ? `${a}|${b}` : `${b}|${a}`;
  };
  const claims = (ctx: AppContext): boolean => {
    if (ctx.srcPort === IANA_PORT || ctx.dstPort === IANA_PORT) return true;
    const k = key(ctx);
    if (conversations.has(k)) return true;
    if (!LEGACY_PORTS.has(ctx.dstPort)) return false;
    conversations.add(k);
    return true;
  };
  return {
    protocol: 'openflow',
    fieldPrefixes: ['openflow_v1', 'openflow_v4', 'openflow_1_0'],
    tcpPorts: OPENFLOW_PORTS,
    stateful: true,
    claims: (_data, _offset, _end, ctx) => claims(ctx),
    dissect: (data, offset, end, ctx) => {
      if (claims(ctx)) return dissectOpenflow(data, offset, end, ctx.fields);
      const stop = Math.min(end, data.length);
      return { layers: stop > offset ? [dataLayer(data, offset, stop, ctx.fields)] : [], protocolColumn: '', info: '' };
    },
  };
}

export function dissectOpenflow(data: Buffer, offset: number, end: number, selection?: ReadonlySet<string>): AppResult {
  const stop = Math.min(end, data.length);
  const top = new LayerBuilder(data, 'openflow', 'OpenFlow', offset, end, selection);
  const layers: Layer[] = [top.layer];
  const chain: string[] = ['openflow'];
  let info = '';
  for (let at = offset; at < stop; ) {
    // tcp_dissect_pdus: the length is read from the fixed 8-byte header.
    if (stop - at < 4) {
      info += BOUND_ERROR;
      top.mark('malformed', 'OpenFlow header runs past the end of the segment');
      break;
    }
    const version = data[at]!;
    const length = data.readUInt16BE(at + 2);
    const known = VERSIONS[version];
    if (known === undefined || length < 8) break;
    const b = new LayerBuilder(data, known.protocol, known.title, at, Math.min(at + length, end), selection);
    layers.push(b.layer);
    chain.push(known.protocol);
    let name = '';
    dissectSafely(b, () => {
      const type = b.u8(at + 1, 'type');
      name = known.types[type] ?? `Unknown (${type})`;
      info = `Type: ${name}`;
      if (version === 4 && (type === 18 || type === 19) && at + 10 <= stop) {
        const part = data.readUInt16BE(at + 8);
        info += `, ${MULTIPART_TYPES[part] ?? (part === 0xffff ? 'OFPMP_EXPERIMENTER' : `Unknown (${part})`)}`;
      }
      const versionText = version === 1 ? '1.0' : '1.3';
      const versionLabel = version === 1 ? `.000 0001 = Version: ${versionText} (${hex(version, 2)})` : `Version: ${versionText} (${hex(version, 2)})`;
      b.add(known.version, versionLabel, version, at, 1, hex(version, 2));
      b.add(known.type, () => `Type: ${name} (${type})`, type, at + 1, 1);
      b.add(known.length, () => `Length: ${length}`, length, at + 2, 2);
      const xid = b.u32(at + 4, 'transaction ID');
      b.add(known.xid, () => `Transaction ID: ${xid}`, xid, at + 4, 4);
    });
    // Wireshark dissects these messages' bodies, and runs out of bytes in one the segment cut.
    if (b.layer.status !== 'ok' || (version === 1 && data[at + 1] === 14) || (at + length > stop && version === 1 && BODY_DISSECTED_V1.has(data[at + 1]!))) {
      info += BOUND_ERROR;
    }
    at += length;
  }
  return { layers, chain, protocolColumn: 'OpenFlow', info };
}
