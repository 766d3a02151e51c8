/**
 * MQTT (TCP 1883) as tshark 4.0's packet-mqtt.c shows it: control packets of a fixed header
 * (message type and flags, the remaining length as a variable byte integer) put together over
 * TCP segments (tcp_dissect_pdus with 2 fixed bytes), each its own "MQ Telemetry Transport
 * Protocol" tree: CONNECT (protocol name and version, connect flags, keep alive, client id, will
 * topic and message, user name, password), CONNACK, PUBLISH (topic, message identifier when the
 * QoS is above 0, message), the PUBACK/PUBREC/PUBREL/PUBCOMP acknowledgements, SUBSCRIBE/SUBACK,
 * UNSUBSCRIBE/UNSUBACK, PINGREQ/PINGRESP, DISCONNECT and AUTH. The version a connection's CONNECT
 * names decides what follows (MQTT 3.1's CONNACK and flags; MQTT 5.0's properties and reason
 * codes); a message before any CONNECT has the unknown-version note. Topic aliases of MQTT 5.0
 * PUBLISH messages are remembered per connection as Wireshark's first pass does (a second pass,
 * -2, looks them all up). A PUBLISH whose Content Type has a media dissector in Wireshark (JSON,
 * text, XML, images) gets that layer, as an HTTP body would. Info: each message's type with its
 * id and topics, joined with ", " (col_append_sep_str).
 * Left out: the Message Decoding table, the mqtt.topic heuristics (Sparkplug), MQTT over TLS (8883).
 */
import { LayerBuilder, StopDissection, dissectSafely, hex } from './builder';
import type { AppContext, AppDissector, AppResult, Field, Layer, PduSplit } from './model';
import { bitPicture, bytesLabelHex, setText } from './format';
import { formatText } from './app-format';
import { addExpert, addExpertTo } from './expert';
import { bodyLayers } from './http-body';
import { ONE_MORE_SEGMENT } from './tcp-pdus';

export const MQTT_PORT = 1883;

const V31 = 3;
const V311 = 4;
const V50 = 5;

const CONNECT = 1, CONNACK = 2, PUBLISH = 3, PUBACK = 4, PUBREC = 5, PUBREL = 6, PUBCOMP = 7, SUBSCRIBE = 8, SUBACK = 9;
const UNSUBSCRIBE = 10, UNSUBACK = 11, PINGREQ = 12, PINGRESP = 13, DISCONNECT = 14, AUTH = 15;

const MESSAGE_TYPES: readonly string[] = [
  'Reserved', 'Connect Command', 'Connect Ack', 'Publish Message', 'Publish Ack', 'Publish Received', 'Publish Release',
  'Publish Complete', 'Subscribe Request', 'Subscribe Ack', 'Unsubscribe Request', 'Unsubscribe Ack', 'Ping Request',
  'Ping Response', 'Disconnect Req', 'Authentication Exchange',
];
const VERSIONS: Readonly<Record<number, string>> = { [V31]: 'MQTT v3.1', [V311]: 'MQTT v3.1.1', [V50]: 'MQTT v5.0' };
const QOS: readonly string[] = [
  'At most once delivery (Fire and Forget)', 'At least once delivery (Acknowledged deliver)', 'Exactly once delivery (Assured Delivery)', 'Reserved',
];
const SUBACK_QOS = (v: number): string => (v === 128 ? 'Failure' : QOS[v] ?? 'Unknown');
const CONNACK_RETURN: readonly string[] = [
  'Connection Accepted', 'Connection Refused: unacceptable protocol version', 'Connection Refused: identifier rejected',
  'Connection Refused: server unavailable', 'Connection Refused: bad user name or password', 'Connection Refused: not authorized',
];
const RETAIN_HANDLING: readonly string[] = [
  'Send msgs at subscription time', 'Send msgs if subscription does not exist', 'Do not send msgs at subscription time', 'Reserved',
];

const RC: Readonly<Record<number, string>> = {
  0x01: 'Granted QoS 1', 0x02: 'Granted QoS 2', 0x04: 'Disconnect with Will Message', 0x10: 'No matching subscribers',
  0x11: 'No subscription existed', 0x18: 'Continue authentication', 0x19: 'Re-authenticate', 0x80: 'Unspecified error',
  0x81: 'Malformed Packet', 0x82: 'Protocol Error', 0x83: 'Implementation specific error', 0x84: 'Unsupported Protocol Version',
  0x85: 'Client Identifier not valid', 0x86: 'Bad User Name or Password', 0x87: 'Not authorized', 0x88: 'Server unavailable',
  0x89: 'Server busy', 0x8a: 'Banned', 0x8b: 'Server shutting down', 0x8c: 'Bad authentication method', 0x8d: 'Keep Alive timeout',
  0x8e: 'Session taken over', 0x8f: 'Topic Filter invalid', 0x90: 'Topic Name invalid', 0x91: 'Packet Identifier in use',
  0x92: 'Packet Identifier not found', 0x93: 'Receive Maximum exceeded', 0x94: 'Topic Alias invalid', 0x95: 'Packet too large',
  0x96: 'Message rate too high', 0x97: 'Quota exceeded', 0x98: 'Administrative action', 0x99: 'Payload format invalid',
  0x9a: 'Retain not supported', 0x9b: 'QoS not supported', 0x9c: 'Use another server', 0x9d: 'Server moved',
  0x9e: 'Shared Subscription not supported', 0x9f: 'Connection rate exceeded', 0xa0: 'Maximum connect time',
  0xa1: 'Subscription Identifiers not supported', 0xa2: 'Wildcard Subscription not supported',
};
/** The reason codes one message type's value_string holds (the rest are "Unknown"); `zero`: its name for 0x00. */
const codes = (zero: string, ...list: number[]): ReadonlyMap<number, string> => new Map([[0, zero], ...list.map((c): [number, string] => [c, RC[c]!])]);
const CONNACK_CODES = codes('Success', 0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8a, 0x8c, 0x90, 0x95, 0x97, 0x9a, 0x9b, 0x9c, 0x9d, 0x9f);
const PUBACK_CODES = codes('Success', 0x10, 0x80, 0x83, 0x87, 0x90, 0x91, 0x97, 0x99);
const PUBREL_CODES = codes('Success', 0x92);
const SUBACK_CODES = codes('Granted QoS 0', 0x01, 0x02, 0x80, 0x83, 0x87, 0x8f, 0x91, 0x97, 0x9e, 0xa1, 0xa2);
const UNSUBACK_CODES = codes('Success', 0x11, 0x83, 0x87, 0x8f, 0x91);
const DISCONNECT_CODES = codes('Normal disconnection', 0x04, 0x80, 0x81, 0x82, 0x83, 0x87, 0x89, 0x8b, 0x8c, 0x8d, 0x8e, 0x8f, 0x90, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9a, 0x9b, 0x9c, 0x9d, 0x9e, 0x9f, 0xa0, 0xa1, 0xa2);
const AUTH_CODES = codes('Success', 0x18, 0x19);
const REASON_CODES: Readonly<Record<number, [string, ReadonlyMap<number, string>]>> = {
  [CONNACK]: ['mqtt.connack.reason_code', CONNACK_CODES], [PUBACK]: ['mqtt.puback.reason_code', PUBACK_CODES],
  [PUBREC]: ['mqtt.pubrec.reason_code', PUBACK_CODES], [PUBREL]: ['mqtt.pubrel.reason_code', PUBREL_CODES],
  [PUBCOMP]: ['mqtt.pubcomp.reason_code', PUBREL_CODES], [SUBACK]: ['mqtt.suback.reason_code', SUBACK_CODES],
  [UNSUBACK]: ['mqtt.unsuback.reason_code', UNSUBACK_CODES], [DISCONNECT]: ['mqtt.disconnect.reason_code', DISCONNECT_CODES],
  [AUTH]: ['mqtt.auth.reason_code', AUTH_CODES],
};

const PROPERTIES: Readonly<Record<number, string>> = {
  0x01: 'Payload Format Indicator', 0x02: 'Publication Expiry Interval', 0x03: 'Content Type', 0x08: 'Response Topic',
  0x09: 'Correlation Data', 0x0b: 'Subscription Identifier', 0x11: 'Session Expiry Interval', 0x12: 'Assigned Client Identifier',
  0x13: 'Server Keep Alive', 0x15: 'Authentication Method', 0x16: 'Authentication Data', 0x17: 'Request Problem Information',
  0x18: 'Will Delay Interval', 0x19: 'Request Response Information', 0x1a: 'Response Information', 0x1c: 'Server Reference',
  0x1f: 'Reason String', 0x21: 'Receive Maximum', 0x22: 'Topic Alias Maximum', 0x23: 'Topic Alias', 0x24: 'Maximum QoS',
  0x25: 'Retain Available', 0x26: 'User Property', 0x27: 'Maximum Packet Size', 0x28: 'Wildcard Subscription Available',
  0x29: 'Subscription Identifier Available', 0x2a: 'Shared Subscription Available',
};
/** Numeric properties by their size in bytes. */
const PROPERTY_SIZES: Readonly<Record<number, number>> = {
  0x01: 1, 0x17: 1, 0x19: 1, 0x25: 1, 0x28: 1, 0x29: 1, 0x2a: 1, 0x13: 2, 0x21: 2, 0x22: 2, 0x02: 4, 0x11: 4, 0x18: 4, 0x27: 4,
};
const STRING_PROPERTIES = new Set([0x08, 0x09, 0x12, 0x15, 0x16, 0x1a, 0x1c, 0x1f]);

const UNKNOWN_VERSION = 'Unknown version (missing the CONNECT packet?)';

/** The properties of a PUBLISH that decide how it is shown. */
interface PublishProperties {
  alias: number;
  contentType?: string;
}

interface Conn {
  /** The protocol version the last CONNECT named (0: none seen). */
  version: number;
  /** MQTT 5.0 topic aliases: alias -> topic, as PUBLISH messages set them (both directions share it). */
  aliases: Map<number, string>;
  /** tshark -2's second pass: the aliases are the first pass's, all looked up (PINFO_FD_VISITED). */
  recalling: boolean;
}

/** What the first dissection of a message found, by frame and offset: a dissection run again reads the same. */
interface Seen {
  version: number;
  /** A topic alias looked up: the topic it stood for then (null: unknown). */
  alias?: string | null;
}

/** A varint that runs past the bytes (tvb_get_varint throws): no length. */
const LENGTH_EXCEPTION = -1;

interface Varint {
  value: bigint | number;
  /** Its bytes (0 when ten bytes all had the continuation bit: tvb_get_varint gives up). */
  length: number;
}

/** tvb_get_varint(ENC_VARINT_PROTOBUF) at `at`, the bytes ending at `stop`; undefined when they end first. */
function varintAt(data: Buffer, at: number, stop: number): Varint | undefined {
  let small = 0;
  for (let i = 0; i < 4; i++) {
    if (at + i >= stop) return undefined;
    const b = data[at + i]!;
    small += (b & 0x7f) * 2 ** (7 * i);
    if (b < 0x80) return { value: small, length: i + 1 };
  }
  let value = BigInt(small);
  for (let i = 4; i < 10; i++) {
    if (at + i >= stop) return undefined;
    const b = data[at + i]!;
    value |= BigInt(b & 0x7f) << BigInt(7 * i);
    if (b < 0x80) return { value: BigInt.asUintN(64, value), length: i + 1 };
  }
  return { value: BigInt.asUintN(64, value), length: 0 };
}

/** get_mqtt_pdu_len: the message's length with its fixed header (a guint), or LENGTH_EXCEPTION. */
function pduLength(data: Buffer, at: number, stop: number): number {
  const v = varintAt(data, at + 1, stop);
  if (v === undefined) return LENGTH_EXCEPTION;
  if (typeof v.value === 'number') return v.value + v.length + 1;
  return Number(BigInt.asUintN(32, v.value + BigInt(v.length) + 1n));
}

/** tcp_dissect_pdus over MQTT's lengths. */
function mqttPdus(data: Buffer, offset: number, end: number): PduSplit {
  const pdus: number[] = [];
  let at = offset;
  const result = (need: number, sized = pdus.length): PduSplit => ({ pdus, need, sizedPdus: sized, info: '', infoJoin: ', ' });
  while (at < end) {
    if (end - at < 2) return result(ONE_MORE_SEGMENT);
    const length = pduLength(data, at, end);
    if (length === 0) return result(ONE_MORE_SEGMENT);
    if (length < 2) {
      // The length cannot be read (or is shorter than the fixed header): the rest is an exception.
      const sized = pdus.length;
      pdus.push(end - at);
      return result(0, sized);
    }
    if (end - at < length) return result(length - (end - at));
    pdus.push(length);
    at += length;
  }
  return result(0);
}

const connKey = (ctx: AppContext): string => {
  const a = `${ctx.src}:${ctx.srcPort}`;
  const b = `${ctx.dst}:${ctx.dstPort}`;
  return a < b ? `${a}|${b}` : `${b}|${a}`;
};

export function createMqttDissector(): AppDissector {
  const conns = new Map<string, Conn>();
  const seen = new Map<string, Seen>();
  /** Each connection's topic aliases, which a second pass (-2) reads as the first pass left them. */
  const aliases = new Map<string, Map<number, string>>();
  return {
    protocol: 'mqtt',
    tcpPorts: [MQTT_PORT],
    stateful: true,
    desegment: (data, offset, end) => mqttPdus(data, offset, Math.min(end, data.length)),
    dissect: (data, offset, end, ctx): AppResult => {
      const key = connKey(ctx);
      let conn = conns.get(key);
      if (conn === undefined) {
        const table = ctx.hindsight === undefined ? aliases : ctx.hindsight.share('mqtt.aliases', aliases);
        let connAliases = table.get(key);
        if (connAliases === undefined) table.set(key, (connAliases = new Map()));
        conns.set(key, (conn = { version: 0, aliases: connAliases, recalling: ctx.hindsight?.recalling === true }));
      }
      const layers: Layer[] = [];
      const stop = Math.min(end, data.length);
      let info = '';
      let protocolColumn = 'MQTT';
      let at = offset;
      while (at < end) {
        const length = stop - at >= 2 ? pduLength(data, at, stop) : LENGTH_EXCEPTION;
        if (length < 2) {
          // get_mqtt_pdu_len's varint ran past the bytes: an exception before any tree.
          const b = new LayerBuilder(data, '', '', at, end, ctx.fields);
          const cut = end > stop;
          b.mark(cut ? 'truncated' : 'malformed', cut ? 'MQTT message length was not captured' : 'MQTT message length runs past the data');
          b.layer.problemProtocol = 'mqtt';
          layers.push(b.layer);
          if (layers.length === 1 && ctx.laterPdu !== true) protocolColumn = 'TCP';
          info += cut ? '[Packet size limited during capture]' : '[Malformed Packet]';
          break;
        }
        const pduKey = `${ctx.frameNumber}:${at}`;
        let memo = seen.get(pduKey);
        const first = memo === undefined;
        if (memo === undefined) seen.set(pduKey, (memo = { version: conn.version }));
        const message = new MqttMessage(conn, memo, first, data, at, Math.min(at + length, end), ctx);
        const layer = message.dissect();
        layers.push(layer, ...message.mediaLayers);
        protocolColumn = message.column;
        if (info || ctx.laterPdu === true) info += ', ';
        info += message.info;
        if (layer.status !== 'ok') info += layer.status === 'malformed' ? '[Malformed Packet]' : '[Packet size limited during capture]';
        at += length;
      }
      const result: AppResult = { layers, protocolColumn, info, chain: layers.map((layer, k) => (k === 0 ? 'mqtt' : layer.protocol === 'mqtt' ? '' : layer.protocol)) };
      // A media type's layer of a later message in the segment is in frame.protocols too (called by handle).
      if (layers.length > 1) result.chainInLaterPdus = true;
      // col_append_sep_str after TCP's analysis text, which the column clear keeps; an exception's text goes on without ", ".
      if (layers[0]?.protocol === '') result.infoLead = '';
      else if (ctx.laterPdu !== true) result.infoAppended = true;
      return result;
    },
  };
}

/** One control packet (dissect_mqtt). */
class MqttMessage {
  private readonly b: LayerBuilder;
  private readonly end: number;
  private readonly type: number;
  /** The Info this message adds (its type, id and topics as far as they were read). */
  info: string;
  /** The Protocol column it leaves (a media type's dissector adds to it). */
  column = 'MQTT';
  /** Layers of the message's media type (a PUBLISH with a Content Type), after its own. */
  mediaLayers: Layer[] = [];

  constructor(
    private readonly conn: Conn,
    private readonly memo: Seen,
    private readonly first: boolean,
    private readonly data: Buffer,
    private readonly offset: number,
    end: number,
    ctx: AppContext,
  ) {
    this.type = data[offset]! >> 4;
    this.info = MESSAGE_TYPES[this.type]!;
    this.end = end;
    this.b = new LayerBuilder(data, 'mqtt', '', offset, end, ctx.fields);
    this.b.title(`MQ Telemetry Transport Protocol, ${this.info}`);
  }

  dissect(): Layer {
    return dissectSafely(this.b, () => this.body());
  }

  /** The version the message is read with (the connection's when it was first dissected; a CONNECT's own after its version byte). */
  private get version(): number {
    return this.memo.version;
  }

  private body(): void {
    const { b, data, type } = this;
    let o = this.offset;
    const fixed = data[o]!;
    if (type !== CONNECT && this.version === 0) addExpert(b, 'mqtt.unknown_version', 'Note', 'Protocol', UNKNOWN_VERSION, o, this.end - o);
    this.headerFlags(fixed);
    o += 1;
    const v = varintAt(data, o, this.end)!;
    const msgLen = v.value;
    b.add('mqtt.len', () => `Msg Len: ${msgLen}`, msgLen, o, v.length);
    o += v.length;
    const len = typeof msgLen === 'number' ? msgLen : Number(BigInt.asIntN(32, msgLen));
    switch (type) {
      case CONNECT:
        this.connect(o);
        break;
      case CONNACK:
        this.connack(o);
        break;
      case PUBLISH:
        this.publish(o, fixed);
        break;
      case SUBSCRIBE:
        this.subscribe(o);
        break;
      case UNSUBSCRIBE:
        this.unsubscribe(o);
        break;
      case SUBACK:
        o = this.msgid(o);
        if (this.version === V50) o += this.properties(o, 'mqtt.properties', 'Properties');
        for (; o < this.end; o++) {
          if (this.version === V31 || this.version === V311) {
            const q = b.u8(o);
            b.add('mqtt.suback.qos', () => `Granted QoS: ${SUBACK_QOS(q)} (${q})`, q, o, 1);
          } else this.reasonCode(o);
        }
        break;
      case PUBACK:
      case PUBREC:
      case PUBREL:
      case PUBCOMP:
        o = this.msgid(o);
        if (this.version === V50 && len > 2) {
          this.reasonCode(o);
          o += 1;
          if (len > 3) o += this.properties(o, 'mqtt.properties', 'Properties');
        }
        break;
      case UNSUBACK:
        o = this.msgid(o);
        if (this.version === V50) {
          o += this.properties(o, 'mqtt.properties', 'Properties');
          for (; o < this.end; o++) this.reasonCode(o);
        }
        break;
      case PINGREQ:
      case PINGRESP:
        break;
      case DISCONNECT:
      case AUTH:
        if (this.version === V50 && len > 0) {
          this.reasonCode(o);
          o += 1;
          if (len >= 2) o += this.properties(o, 'mqtt.properties', 'Properties');
        }
        break;
    }
  }

  /** The header flags (proto_tree_add_bitmask with the fields this type and version have). */
  private headerFlags(fixed: number): void {
    const { b, type } = this;
    const o = this.offset;
    const typeName = MESSAGE_TYPES[type]!;
    const qos = (fixed & 0x06) >> 1;
    const withQos = type === PUBLISH || (this.version === V31 && (type === PUBREL || type === SUBSCRIBE || type === UNSUBSCRIBE));
    let label = `Header Flags: ${hex(fixed, 2)}, Message Type: ${typeName}`;
    if (withQos) {
      if (fixed & 0x08) label += ', DUP Flag';
      label += `, QoS Level: ${QOS[qos]}`;
      if (type === PUBLISH && fixed & 0x01) label += ', Retain';
    }
    b.group('mqtt.hdrflags', label, fixed, o, 1, () => {
      b.add('mqtt.msgtype', () => `${bitPicture(fixed, 0xf0, 8)} = Message Type: ${typeName} (${type})`, type, o, 1);
      if (!withQos) {
        b.add('mqtt.hdr_reserved', () => `${bitPicture(fixed, 0x0f, 8)} = Reserved: ${fixed & 0x0f}`, fixed & 0x0f, o, 1);
        return;
      }
      this.flag('mqtt.dupflag', 'DUP Flag', fixed, 0x08, o);
      b.add('mqtt.qos', () => `${bitPicture(fixed, 0x06, 8)} = QoS Level: ${QOS[qos]} (${qos})`, qos, o, 1);
      if (type === PUBLISH) this.flag('mqtt.retain', 'Retain', fixed, 0x01, o);
      else b.add('mqtt.retain_reserved', () => `${bitPicture(fixed, 0x01, 8)} = Reserved: ${fixed & 0x01}`, fixed & 0x01, o, 1);
    }, hex(fixed, 2));
  }

  /** An FT_BOOLEAN bit of an 8-bit field. */
  private flag(abbrev: string, name: string, value: number, mask: number, at: number): void {
    const set = (value & mask) !== 0;
    this.b.add(abbrev, () => `${bitPicture(value, mask, 8)} = ${name}: ${setText(set)}`, set, at, 1);
  }

  private uint16(abbrev: string, name: string, at: number): [number, Field] {
    const v = this.b.u16(at);
    return [v, this.b.add(abbrev, () => `${name}: ${v}`, v, at, 2)];
  }

  /** A UTF-8 string item (proto_tree_add_item with ENC_UTF_8): its text. */
  private string(abbrev: string, name: string, at: number, length: number): string {
    const bytes = this.b.bytes(at, length);
    const text = bytes.toString('utf8');
    this.b.add(abbrev, () => `${name}: ${formatText(bytes)}`, text, at, length);
    return text;
  }

  /** An FT_BYTES item. */
  private byteItem(abbrev: string, name: string, at: number, length: number): void {
    const bytes = this.b.bytes(at, length);
    // An empty FT_BYTES item shows (and -T fields prints) <MISSING>.
    const text = (): string => (length === 0 ? '<MISSING>' : bytesLabelHex(bytes, 0, length));
    this.b.add(abbrev, () => `${name}: ${text()}`, Buffer.from(bytes), at, length, () => (length === 0 ? '<MISSING>' : bytes.toString('hex')));
  }

  private msgid(at: number): number {
    const [id] = this.uint16('mqtt.msgid', 'Message Identifier', at);
    this.info += ` (id=${id})`;
    return at + 2;
  }

  private reasonCode(at: number): void {
    const entry = REASON_CODES[this.type];
    if (entry === undefined) return;
    const [abbrev, names] = entry;
    const v = this.b.u8(at);
    this.b.add(abbrev, () => `Reason Code: ${names.get(v) ?? 'Unknown'} (${v})`, v, at, 1);
  }

  private connect(start: number): void {
    const b = this.b;
    let o = start;
    const [protoLen] = this.uint16('mqtt.proto_len', 'Protocol Name Length', o);
    o += 2;
    this.string('mqtt.protoname', 'Protocol Name', o, protoLen);
    o += protoLen;
    const version = b.u8(o);
    this.conn.version = version;
    this.memo.version = version;
    b.add('mqtt.ver', () => `Version: ${VERSIONS[version] ?? 'Unknown'} (${version})`, version, o, 1);
    o += 1;
    const flags = b.u8(o);
    const willQos = (flags & 0x18) >> 3;
    const names: string[] = [];
    if (flags & 0x80) names.push('User Name Flag');
    if (flags & 0x40) names.push('Password Flag');
    if (flags & 0x20) names.push('Will Retain');
    names.push(`QoS Level: ${QOS[willQos]}`);
    if (flags & 0x04) names.push('Will Flag');
    if (flags & 0x02) names.push('Clean Session Flag');
    if (flags & 0x01) names.push('(Reserved)');
    const at = o;
    b.group('mqtt.conflags', () => `Connect Flags: ${hex(flags, 2)}, ${names.join(', ')}`, flags, o, 1, () => {
      this.flag('mqtt.conflag.uname', 'User Name Flag', flags, 0x80, at);
      this.flag('mqtt.conflag.passwd', 'Password Flag', flags, 0x40, at);
      this.flag('mqtt.conflag.retain', 'Will Retain', flags, 0x20, at);
      b.add('mqtt.conflag.qos', () => `${bitPicture(flags, 0x18, 8)} = QoS Level: ${QOS[willQos]} (${willQos})`, willQos, at, 1);
      this.flag('mqtt.conflag.willflag', 'Will Flag', flags, 0x04, at);
      this.flag('mqtt.conflag.cleansess', 'Clean Session Flag', flags, 0x02, at);
      this.flag('mqtt.conflag.reserved', '(Reserved)', flags, 0x01, at);
    }, hex(flags, 2));
    o += 1;
    this.uint16('mqtt.kalive', 'Keep Alive', o);
    o += 2;
    if (version === V50) o += this.properties(o, 'mqtt.properties', 'Properties');
    const [idLen] = this.uint16('mqtt.clientid_len', 'Client ID Length', o);
    o += 2;
    this.string('mqtt.clientid', 'Client ID', o, idLen);
    o += idLen;
    if (flags & 0x04) {
      if (version === V50) o += this.properties(o, 'mqtt.will_properties', 'Will Properties');
      const [topicLen, topicItem] = this.uint16('mqtt.willtopic_len', 'Will Topic Length', o);
      o += 2;
      if (topicLen > 0) {
        this.string('mqtt.willtopic', 'Will Topic', o, topicLen);
        o += topicLen;
      } else this.illegalLength(topicItem);
      const [msgLen] = this.uint16('mqtt.willmsg_len', 'Will Message Length', o);
      o += 2;
      this.byteItem('mqtt.willmsg', 'Will Message', o, msgLen);
      o += msgLen;
    }
    if (flags & 0x80 && this.end - o > 0) {
      const [userLen] = this.uint16('mqtt.username_len', 'User Name Length', o);
      o += 2;
      this.string('mqtt.username', 'User Name', o, userLen);
      o += userLen;
    }
    if (flags & 0x40 && this.end - o > 0) {
      const [passLen] = this.uint16('mqtt.passwd_len', 'Password Length', o);
      o += 2;
      this.string('mqtt.passwd', 'Password', o, passLen);
    }
  }

  private connack(start: number): void {
    const b = this.b;
    let o = start;
    const flags = b.u8(o);
    if (this.version === V31) {
      b.add('mqtt.conack.flags.reserved', () => `Reserved: ${setText(flags !== 0)}`, flags !== 0, o, 1);
    } else {
      const at = o;
      b.group('mqtt.conack.flags', () => `Acknowledge Flags: ${hex(flags, 2)}${flags & 0xfe ? ', Reserved' : ''}${flags & 0x01 ? ', Session Present' : ''}`, flags, o, 1, () => {
        this.flag('mqtt.conack.flags.reserved', 'Reserved', flags, 0xfe, at);
        this.flag('mqtt.conack.flags.sp', 'Session Present', flags, 0x01, at);
      }, hex(flags, 2));
    }
    o += 1;
    if (this.version === V31 || this.version === V311) {
      const code = b.u8(o);
      b.add('mqtt.conack.val', () => `Return Code: ${CONNACK_RETURN[code] ?? 'Unknown'} (${code})`, code, o, 1);
    } else this.reasonCode(o);
    o += 1;
    if (this.version === V50) this.properties(o, 'mqtt.properties', 'Properties');
  }

  private publish(start: number, fixed: number): void {
    const b = this.b;
    let o = start;
    const [topicLen, topicItem] = this.uint16('mqtt.topic_len', 'Topic Length', o);
    o += 2;
    let topic = '';
    if (topicLen > 0) {
      topic = this.string('mqtt.topic', 'Topic', o, topicLen);
      o += topicLen;
    }
    if (fixed & 0x06) o = this.msgid(o);
    let alias = 0;
    let contentType: string | undefined;
    if (this.version === V50) {
      const props: PublishProperties = { alias: 0 };
      o += this.properties(o, 'mqtt.properties', 'Properties', props);
      alias = props.alias;
      contentType = props.contentType;
      if (alias !== 0) {
        // Wireshark's first pass records the alias of a PUBLISH that names its topic, and looks up the others.
        if (topicLen > 0 && !this.conn.recalling) {
          if (this.first) this.conn.aliases.set(alias, topic);
        } else {
          if (this.first) this.memo.alias = this.conn.aliases.get(alias) ?? null;
          const known = this.memo.alias ?? null;
          if (known !== null) topic = known;
          const item = b.add('mqtt.topic', () => `[Topic: ${formatText(Buffer.from(topic, 'utf8'))}]`, topic, o, 0);
          if (known === null) addExpertTo(b, item, 'mqtt.unknown_topic_alias', 'Note', 'Protocol', 'Unknown topic alias');
        }
      }
    }
    if (topicLen === 0 && alias === 0) this.illegalLength(topicItem);
    this.info += ` [${topic}]`;
    this.byteItem('mqtt.msg', 'Message', o, Math.max(0, this.end - o));
    if (contentType !== undefined) this.media(contentType, o);
  }

  /**
   * The message handed to the media_type table by its Content Type (dissector_try_string): a type
   * Wireshark has a dissector for adds its layer, Info and Protocol column as in an HTTP body; others
   * (and images without their signature) add nothing.
   */
  private media(contentType: string, at: number): void {
    const body = bodyLayers(this.data, at, this.end, contentType, false, this.b.selection);
    const first = body.layers[0];
    if (body.refused === true || first === undefined || first.protocol === 'media' || first.protocol === 'data') return;
    this.mediaLayers = body.layers;
    this.info += body.info;
    if (body.column !== undefined) this.column = `MQTT/${body.column}`;
  }

  private subscribe(start: number): void {
    const b = this.b;
    let o = this.msgid(start);
    if (this.version === V50) o += this.properties(o, 'mqtt.properties', 'Properties');
    let topic = '';
    while (o < this.end) {
      const [topicLen, topicItem] = this.uint16('mqtt.topic_len', 'Topic Length', o);
      o += 2;
      if (topicLen > 0) {
        topic = this.string('mqtt.topic', 'Topic', o, topicLen);
        o += topicLen;
      } else this.illegalLength(topicItem);
      this.info += ` [${topic}]`;
      const v = b.u8(o);
      if (this.version === V50) {
        const at = o;
        const retain = (v & 0x30) >> 4;
        const qos = v & 0x03;
        let label = `Subscription Options: ${hex(v, 2)}, Retain Handling: ${RETAIN_HANDLING[retain]}`;
        if (v & 0x08) label += ', Retain As Published';
        if (v & 0x04) label += ', No Local';
        label += `, QoS: ${QOS[qos]}`;
        b.group('mqtt.subscription_options', label, v, o, 1, () => {
          b.add('mqtt.subscription_options_reserved', () => `${bitPicture(v, 0xc0, 8)} = Reserved: 0x${(v >> 6).toString(16)}`, v >> 6, at, 1, hex(v >> 6, 2));
          b.add('mqtt.subscription_options_retain', () => `${bitPicture(v, 0x30, 8)} = Retain Handling: ${RETAIN_HANDLING[retain]} (${retain})`, retain, at, 1);
          this.flag('mqtt.subscription_options_rap', 'Retain As Published', v, 0x08, at);
          this.flag('mqtt.subscription_options_nl', 'No Local', v, 0x04, at);
          b.add('mqtt.subscription_options_qos', () => `${bitPicture(v, 0x03, 8)} = QoS: ${QOS[qos]} (${qos})`, qos, at, 1);
        }, hex(v, 2));
      } else {
        b.add('mqtt.sub.qos', () => `Requested QoS: ${QOS[v] ?? 'Unknown'} (${v})`, v, o, 1);
      }
      o += 1;
    }
  }

  private unsubscribe(start: number): void {
    let o = this.msgid(start);
    if (this.version === V50) o += this.properties(o, 'mqtt.properties', 'Properties');
    while (o < this.end) {
      const [topicLen, topicItem] = this.uint16('mqtt.topic_len', 'Topic Length', o);
      o += 2;
      if (topicLen > 0) {
        this.string('mqtt.topic', 'Topic', o, topicLen);
        o += topicLen;
      } else this.illegalLength(topicItem);
    }
  }

  private illegalLength(item: Field): void {
    addExpertTo(this.b, item, 'mqtt.illegal_topic_length', 'Warning', 'Protocol', 'Length cannot be 0');
  }

  /**
   * MQTT 5.0 properties (dissect_mqtt_properties): returns the bytes they take by their length,
   * however far reading them went. Total Length shows the length's bytes read as a big-endian
   * number, as Wireshark's item does.
   */
  private properties(start: number, abbrev: string, name: string, found?: PublishProperties): number {
    const { b, data } = this;
    const v = varintAt(data, start, this.end);
    if (v === undefined) throw new StopDissection(this.end > data.length ? 'truncated' : 'malformed', 'MQTT property length runs past the message');
    const propLen = typeof v.value === 'number' ? v.value : Number(BigInt.asUintN(32, v.value));
    const span = v.length + propLen;
    // The item is added even when its length runs past the message (an FT_NONE item is not
    // checked); reading the properties finds the end.
    b.group(abbrev, name, null, start, Math.min(span, this.end - start), () => {
      let totalLength = 0;
      for (let i = 0; i < v.length; i++) totalLength = totalLength * 256 + data[start + i]!;
      b.add('mqtt.property_len', () => `Total Length: ${totalLength}`, totalLength, start, v.length);
      let o = start + v.length;
      const stop = o + propLen;
      while (o < stop) {
        const id = b.u8(o);
        b.add('mqtt.property_id', () => `ID: ${PROPERTIES[id] ?? 'Unknown'} (${hex(id, 2)})`, id, o, 1, hex(id, 2));
        o += 1;
        const size = PROPERTY_SIZES[id];
        if (size !== undefined) {
          const n = size === 1 ? b.u8(o) : size === 2 ? b.u16(o) : b.u32(o);
          b.add('mqtt.prop_number', () => `Value: ${n}`, n, o, size);
          o += size;
        } else if (id === 0x24) {
          const q = b.u8(o);
          b.add('mqtt.property.max_qos', () => `QoS: ${QOS[q] ?? 'Unknown'} (${q})`, q, o, 1);
          o += 1;
        } else if (id === 0x23) {
          const alias = b.u16(o);
          if (found !== undefined) found.alias = alias;
          b.add('mqtt.property.topic_alias', () => `Topic Alias: ${alias}`, alias, o, 2);
          o += 2;
        } else if (id === 0x0b) {
          const sub = varintAt(data, o, this.end);
          if (sub === undefined || sub.length === 0) throw new StopDissection(this.end > data.length ? 'truncated' : 'malformed', 'MQTT subscription identifier runs past the message');
          const n = typeof sub.value === 'number' ? sub.value >>> 0 : Number(BigInt.asUintN(32, sub.value));
          b.add('mqtt.prop_number', () => `Value: ${n}`, n, o, sub.length);
          o += sub.length;
        } else if (id === 0x03) {
          const length = b.u16(o);
          const bytes = b.bytes(o + 2, length);
          const text = bytes.toString('utf8');
          b.add('mqtt.property.content_type', () => `Content Type: ${formatText(bytes)}`, text, o, 2 + length);
          if (found !== undefined) found.contentType = text;
          o += 2 + length;
        } else if (STRING_PROPERTIES.has(id)) {
          o += this.lengthString(o, 'mqtt.prop_string_len', 'Length', 'mqtt.prop_string', 'Value');
        } else if (id === 0x26) {
          o += this.lengthString(o, 'mqtt.prop_key_len', 'Key Length', 'mqtt.prop_key', 'Key');
          o += this.lengthString(o, 'mqtt.prop_value_len', 'Value Length', 'mqtt.prop_value', 'Value');
        } else {
          this.string('mqtt.prop_unknown', 'Unknown Property', o, stop - o);
          o = stop;
        }
      }
    });
    return span;
  }

  /** dissect_string: a 2-byte length and the string. */
  private lengthString(at: number, lengthAbbrev: string, lengthName: string, abbrev: string, name: string): number {
    const [length] = this.uint16(lengthAbbrev, lengthName, at);
    this.string(abbrev, name, at + 2, length);
    return 2 + length;
  }
}
