/**
 * STUN and TURN (RFC 5389/8489, RFC 5766/8656) and classic STUN (RFC 3489) as tshark 4.0 shows
 * them (packet-stun.c, packet-classicstun.c):
 * - on UDP and TCP port 3478, and by heuristic on other ports: a message whose cookie is
 *   0x2112a442, whose method fits in 8 bits and whose length is exactly the payload's. A message
 *   found by heuristic makes its 5-tuple STUN's (tshark's conversation dissector), so the TURN
 *   ChannelData messages that follow on it are STUN too; a heuristic never takes ChannelData alone.
 * - a message without the cookie (RFC 3489) is "classicstun" (Protocol CLASSIC-STUN, Info
 *   "Message: Binding Request"), found by its own heuristic (on port 3478 too, after STUN declines).
 * - Info "Method Class" and what the attributes append (addresses, user, realm, nonce, error code,
 *   lifetime, channel number, transport); ChannelData "ChannelData TURN Message", its payload data.
 * - requests and responses matched per conversation and transaction ID: stun.response-to, stun.time,
 *   stun.reqduplicate (tshark's single pass: a request never points to a later response).
 * - over TCP, PDUs framed as tshark's get_stun_message_len (RFC 4571 framing when the cookie sits
 *   two bytes late, ChannelData padded to 4 bytes), each dissected whole.
 * Left out: the payload heuristics tshark tries on DATA and ChannelData payloads before "data"
 * (SIP, RTCP, TFTP, TURN channel), MS-TURN network-version detection (off by default), RFC 6062's
 * switch to raw data after a ConnectionBind success, and the classicstun/STUN DATA heuristics.
 */
import { dissectSafely, hex, LayerBuilder } from './builder';
import { conversationKey } from './dissector';
import { crc32 } from './checksum';
import { bitPicture, ipv4Text, ipv6Text, nsToSeconds } from './format';
import { dataLayer } from './hsrp';
import type { AppContext, AppDissector, AppResult, Layer, PduSplit } from './model';

export const STUN_PORT = 3478;
const MESSAGE_COOKIE = 0x2112a442;
const XMCP_COOKIE = 0x7f5a9bc7;
const MS_MULTIPLEX_TURN = 0xff10;

const CLASSES = ['Request', 'Indication', 'Success Response', 'Error Response'];
const METHODS: Record<number, string> = {
  0x001: 'Binding', 0x002: 'SharedSecret', 0x003: 'Allocate', 0x004: 'Refresh', 0x006: 'Send', 0x007: 'Data', 0x008: 'CreatePermission',
  0x009: 'Channel-Bind', 0x00a: 'Connect', 0x00b: 'ConnectionBind', 0x00c: 'ConnectionAttempt', 0x080: 'GooglePing',
};

const A = {
  MAPPED_ADDRESS: 0x0001, RESPONSE_ADDRESS: 0x0002, CHANGE_REQUEST: 0x0003, SOURCE_ADDRESS: 0x0004, CHANGED_ADDRESS: 0x0005, USERNAME: 0x0006,
  PASSWORD: 0x0007, MESSAGE_INTEGRITY: 0x0008, ERROR_CODE: 0x0009, UNKNOWN_ATTRIBUTES: 0x000a, REFLECTED_FROM: 0x000b, CHANNEL_NUMBER: 0x000c,
  LIFETIME: 0x000d, MS_ALTERNATE_SERVER: 0x000e, MAGIC_COOKIE: 0x000f, BANDWIDTH: 0x0010, DESTINATION_ADDRESS: 0x0011, XOR_PEER_ADDRESS: 0x0012,
  DATA: 0x0013, REALM: 0x0014, NONCE: 0x0015, XOR_RELAYED_ADDRESS: 0x0016, REQUESTED_ADDRESS_FAMILY: 0x0017, EVEN_PORT: 0x0018,
  REQUESTED_TRANSPORT: 0x0019, DONT_FRAGMENT: 0x001a, XOR_MAPPED_ADDRESS: 0x0020, RESERVATION_TOKEN: 0x0022, PRIORITY: 0x0024,
  USE_CANDIDATE: 0x0025, PADDING: 0x0026, XOR_RESPONSE_TARGET: 0x0027, XOR_REFLECTED_FROM: 0x0028, LEGACY_ICMP: 0x0030,
  ICMP: 0x8004, MS_TURN_UNKNOWN_8006: 0x8006, MS_XOR_MAPPED_ADDRESS: 0x8020, SOFTWARE: 0x8022, ALTERNATE_SERVER: 0x8023, CACHE_TIMEOUT: 0x8027,
  FINGERPRINT: 0x8028, ICE_CONTROLLED: 0x8029, ICE_CONTROLLING: 0x802a, RESPONSE_ORIGIN: 0x802b, OTHER_ADDRESS: 0x802c,
  REMOTE_SITE_ADDR: 0x8059, REMOTE_RELAY_SITE: 0x805a, LOCAL_SITE_ADDR: 0x805b, LOCAL_RELAY_SITE: 0x805c, MS_ALT_MAPPED_ADDRESS: 0x8090,
} as const;

/** tshark 4.0's attribute names (packet-stun.c attributes[]). */
const ATTRIBUTES: Record<number, string> = {
  0x0001: 'MAPPED-ADDRESS', 0x0002: 'RESPONSE_ADDRESS', 0x0003: 'CHANGE_REQUEST', 0x0004: 'SOURCE_ADDRESS', 0x0005: 'CHANGED_ADDRESS',
  0x0006: 'USERNAME', 0x0007: 'PASSWORD', 0x0008: 'MESSAGE-INTEGRITY', 0x0009: 'ERROR-CODE', 0x000a: 'UNKNOWN-ATTRIBUTES',
  0x000b: 'REFLECTED-FROM', 0x000c: 'CHANNEL-NUMBER', 0x000d: 'LIFETIME', 0x000e: 'MS-ALTERNATE-SERVER', 0x000f: 'MAGIC-COOKIE',
  0x0010: 'BANDWIDTH', 0x0011: 'DESTINATION-ADDRESS', 0x0012: 'XOR-PEER-ADDRESS', 0x0013: 'DATA', 0x0014: 'REALM', 0x0015: 'NONCE',
  0x0016: 'XOR-RELAYED-ADDRESS', 0x0017: 'REQUESTED-ADDRESS-FAMILY', 0x0018: 'EVEN-PORT', 0x0019: 'REQUESTED-TRANSPORT',
  0x001a: 'DONT-FRAGMENT', 0x001b: 'ACCESS-TOKEN', 0x001c: 'MESSAGE-INTEGRITY-SHA256', 0x001d: 'PASSWORD-ALGORITHM', 0x001e: 'USERHASH',
  0x0020: 'XOR-MAPPED-ADDRESS', 0x0022: 'RESERVATION-TOKEN', 0x0024: 'PRIORITY', 0x0025: 'USE-CANDIDATE', 0x0026: 'PADDING',
  0x0027: 'XOR-RESPONSE-TARGET', 0x0028: 'XOR-REFELECTED-FROM', 0x002a: 'CONNECTION-ID', 0x0030: 'LEGACY-ICMP',
  0x8000: 'ADDITIONAL-ADDRESS-FAMILY', 0x8001: 'ADDRESS-ERROR-CODE', 0x8002: 'PASSWORD-ALGORITHMS', 0x8003: 'ALTERNATE-DOMAIN', 0x8004: 'ICMP',
  0x8006: 'MS-TURN UNKNOWN 8006', 0x8008: 'MS-VERSION', 0x8020: 'XOR-MAPPED-ADDRESS', 0x8022: 'SOFTWARE', 0x8023: 'ALTERNATE-SERVER',
  0x8025: 'TRANSACTION-TRANSMIT-COUNTER', 0x8027: 'CACHE-TIMEOUT', 0x8028: 'FINGERPRINT', 0x8029: 'ICE-CONTROLLED', 0x802a: 'ICE-CONTROLLING',
  0x802b: 'RESPONSE-ORIGIN', 0x802c: 'OTHER-ADDRESS', 0x802d: 'ECN-CHECK-STUN', 0x802e: 'THIRD-PARTY-AUTHORIZATION', 0x8030: 'MOBILITY-TICKET',
  0x8032: 'MS-ALTERNATE-HOST-NAME', 0x8037: 'MS-APP-ID', 0x8039: 'MS-SECURE-TAG', 0x8050: 'MS-SEQUENCE-NUMBER', 0x8054: 'MS-CANDIDATE-IDENTIFIER',
  0x8055: 'MS-SERVICE-QUALITY', 0x8056: 'Bandwidth Admission Control Message', 0x8057: 'Bandwidth Reservation Identifier',
  0x8058: 'Bandwidth Reservation Amount', 0x8059: 'Remote Site Address', 0x805a: 'Remote Relay Site Address', 0x805b: 'Local Site Address',
  0x805c: 'Local Relay Site Address', 0x805d: 'Remote Site Address Response', 0x805e: 'Remote Relay Site Address Response',
  0x805f: 'Local Site Address Response', 0x8060: 'Local Relay Site Address Response', 0x8061: 'SIP Dialog Identifier', 0x8062: 'SIP Call Identifier',
  0x8068: 'Location Profile', 0x8070: 'MS-IMPLEMENTATION-VERSION', 0x8090: 'MS-ALT-MAPPED-ADDRESS', 0x8095: 'MS-MULTIPLEXED-TURN-SESSION-ID',
  0xc000: 'CISCO-STUN-FLOWDATA', 0xc001: 'ENF-FLOW-DESCRIPTION', 0xc002: 'ENF-NETWORK-STATUS', 0xc057: 'GOOG-NETWORK-INFO',
  0xc058: 'GOOG-LAST-ICE-CHECK-RECEIVED', 0xc059: 'GOOG-MISC-INFO', 0xc05a: 'GOOG-OBSOLETE-1', 0xc05b: 'GOOG-CONNECTION-ID', 0xc05c: 'GOOG-DELTA',
  0xc05d: 'GOOG-DELTA-ACK', 0xc060: 'GOOG-MESSAGE_INTEGRITY-32', 0xff04: 'GOOG-MULTI-MAPPING', 0xff05: 'GOOG-LOGGING-ID',
};

const ERROR_CODES: Record<number, string> = {
  274: 'Disable Candidate', 275: 'Disable Candidate Pair', 300: 'Try Alternate', 400: 'Bad Request', 401: 'Unauthenticated', 403: 'Forbidden',
  405: 'Mobility Forbidden', 420: 'Unknown Attribute', 430: 'Stale Credentials (legacy)', 431: 'Integrity Check Failure (legacy)',
  432: 'Missing Username (legacy)', 433: 'Use TLS (legacy)', 434: 'Missing Realm (legacy)', 435: 'Missing Nonce (legacy)', 436: 'Unknown User (legacy)',
  437: 'Allocation Mismatch', 438: 'Stale Nonce', 439: 'Wrong Credentials (legacy)', 440: 'Address Family not Supported', 441: 'Wrong Credentials',
  442: 'Unsupported Transport Protocol', 443: 'Peer Address Family Mismatch', 446: 'Connection Already Exists', 447: 'Connection Timeout or Failure',
  481: 'Connection does not exist (legacy)', 486: 'Allocation Quota Reached', 487: 'Role Conflict', 500: 'Server Error',
  503: 'Service Unavailable (legacy)', 507: 'Insufficient Bandwidth Capacity (legacy)', 508: 'Insufficient Port Capacity', 600: 'Global Failure',
};
const GOOG_NETWORK_INFO = 0xc057;
const GOOGLE_NETWORK_COSTS: Record<number, string> = {
  0: 'Min', 10: 'Low', 50: 'Unknown', 250: 'Cellular5G', 500: 'Cellular4G', 900: 'Cellular', 910: 'Cellular3G', 980: 'Cellular2G', 999: 'Max',
};
const FAMILIES: Record<number, string> = { 1: 'IPv4', 2: 'IPv6' };
const TRANSPORTS: Record<number, string> = { 17: 'UDP', 6: 'TCP' };

/** Classic STUN (packet-classicstun.c): its message types and attribute names. */
const CLASSIC_MESSAGES: Record<number, string> = {
  0x0001: 'Binding Request', 0x0101: 'Binding Response', 0x0111: 'Binding Error Response', 0x0002: 'Shared Secret Request',
  0x0102: 'Shared Secret Response', 0x1112: 'Shared Secret Error Response', 0x0003: 'Allocate Request', 0x0103: 'Allocate Response',
  0x0113: 'Allocate Error Response', 0x0004: 'Send Request', 0x0104: 'Send Response', 0x0114: 'Send Error Response', 0x0115: 'Data Indication',
  0x0006: 'Set Active Destination Request', 0x0106: 'Set Active Destination Response', 0x0116: 'Set Active Destination Error Response',
};
const CLASSIC_ATTRIBUTES: Record<number, string> = {
  0x0001: 'MAPPED-ADDRESS', 0x0002: 'RESPONSE-ADDRESS', 0x0003: 'CHANGE-REQUEST', 0x0004: 'SOURCE-ADDRESS', 0x0005: 'CHANGED-ADDRESS',
  0x0006: 'USERNAME', 0x0007: 'PASSWORD', 0x0008: 'MESSAGE-INTEGRITY', 0x0009: 'ERROR-CODE', 0x000b: 'REFLECTED-FROM', 0x000d: 'LIFETIME',
  0x000e: 'ALTERNATE_SERVER', 0x000f: 'MAGIC_COOKIE', 0x0010: 'BANDWIDTH', 0x0011: 'DESTINATION_ADDRESS', 0x0012: 'REMOTE_ADDRESS', 0x0013: 'DATA',
  0x0014: 'NONCE', 0x0015: 'REALM', 0x0016: 'REQUESTED_ADDRESS_TYPE', 0x8020: 'XOR_MAPPED_ADDRESS', 0x0021: 'XOR_ONLY', 0x8022: 'SERVER',
  0xc001: 'CONNECTION-REQUEST-BINDING', 0xc002: 'BINDING-CHANGE',
};

/** What a conversation remembers of a transaction (tshark's stun_transaction_t). */
interface Transaction {
  reqFrame: number;
  repFrame: number;
  reqTs: bigint;
}

/** Padded to 4 bytes (WS_ROUNDUP_4). */
const roundUp4 = (n: number): number => (n + 3) & ~3;

function captured(data: Buffer, offset: number, end: number): number {
  return Math.max(0, Math.min(end, data.length) - offset);
}

/** RFC 4571 framing over TCP (RFC 6544): the cookie sits two bytes late. */
function tcpFraming(data: Buffer, offset: number, end: number, udp: boolean): number {
  return !udp && captured(data, offset, end) >= 10 && data.readUInt32BE(offset + 6) === MESSAGE_COOKIE ? 2 : 0;
}

/** Whether dissect_stun_message would take this payload as a ChannelData message (heuristic: never). */
function channelDataOk(data: Buffer, offset: number, end: number, udp: boolean): boolean {
  if (captured(data, offset, end) < 4) return false;
  const framing = tcpFraming(data, offset, end, udp);
  const type = data.readUInt16BE(offset + framing);
  const length = data.readUInt16BE(offset + framing + 2);
  if ((type & 0xc000) === 0 || ((type & 0x8000) !== 0 && type !== MS_MULTIPLEX_TURN)) return false;
  const reported = end - offset;
  return udp ? reported === length + 4 || reported === roundUp4(length + 4) : reported === roundUp4(length + 4);
}

/** Whether dissect_stun_message would take this payload as a STUN message (cookie, method, exact length). */
export function looksLikeStunMessage(data: Buffer, offset: number, end: number, udp: boolean): boolean {
  const have = captured(data, offset, end);
  if (have < 20) return false;
  const framing = tcpFraming(data, offset, end, udp);
  if (have < 20 + framing) return false;
  const type = data.readUInt16BE(offset + framing);
  if (type & 0xc000) return false;
  if (methodOf(type) > 0xff) return false;
  if (data.readUInt32BE(offset + framing + 4) !== MESSAGE_COOKIE) return false;
  return end - offset === data.readUInt16BE(offset + framing + 2) + 20 + framing;
}

/** Whether packet-classicstun.c takes this payload (its captured length must be the message's). */
export function looksLikeClassicStun(data: Buffer, offset: number, end: number): boolean {
  const have = captured(data, offset, end);
  if (have < 20) return false;
  const type = data.readUInt16BE(offset);
  const word = data.readUInt32BE(offset + 4);
  if (type & 0xc000 || word === MESSAGE_COOKIE || word === XMCP_COOKIE) return false;
  if (CLASSIC_MESSAGES[type] === undefined) return false;
  return have === 20 + data.readUInt16BE(offset + 2);
}

function methodOf(type: number): number {
  return (type & 0x000f) | ((type & 0x00e0) >> 1) | ((type & 0x3e00) >> 2);
}

/** get_stun_message_len: the length of the TCP PDU at `at` (at least 4 bytes there). */
function stunPduLength(data: Buffer, at: number, end: number): number {
  if (captured(data, at, end) >= 10 && data.readUInt32BE(at + 6) === MESSAGE_COOKIE) return data.readUInt16BE(at) + 2;
  const type = data.readUInt16BE(at);
  const length = data.readUInt16BE(at + 2);
  return type & 0xc000 ? roundUp4(length + 4) : length + 20;
}

/**
 * An FT_STRING as tshark shows it: UTF-8 up to a NUL; `-T fields` escapes newline, carriage
 * return and tab and leaves other characters (backslash, control characters) as they are. `raw`: the string
 * itself (what the Info column gets).
 */
function stringText(data: Buffer, start: number, stop: number, raw = false): string {
  let end = start;
  while (end < stop && data[end] !== 0) end++;
  const s = data.toString('utf8', start, end);
  return raw ? s : s.replace(/[\n\r\t]/g, (c) => (c === '\n' ? '\\n' : c === '\r' ? '\\r' : '\\t'));
}

/**
 * An expert item as tshark -V shows it: "[Expert Info (Severity/Group): message]" holding the
 * expert's own field (-T fields prints it as 1), its severity and group.
 */
function expert(b: LayerBuilder, abbrev: string, message: string, severity: string, group: string, at: number, length: number): void {
  b.group('_ws.expert', () => `[Expert Info (${severity}/${group}): ${message}]`, null, at, length, () => {
    b.add(abbrev, () => `[${message}]`, null, at, length, '1');
    b.add('', () => `[Severity level: ${severity}]`, null, at, 0);
    b.add('', () => `[Group: ${group}]`, null, at, 0);
  }, '');
}

const hexOf = (data: Buffer, at: number, length: number): string => data.toString('hex', at, at + length);
/** An FT_BYTES tree label: at most 36 bytes, then an ellipsis. */
const bytesLabel = (data: Buffer, at: number, length: number): string => `${hexOf(data, at, Math.min(length, 36))}${length > 36 ? '…' : ''}`;

export function createStunDissector(): AppDissector {
  /** Transactions by transport, conversation and transaction ID (STUN and classic STUN apart). */
  const transactions = new Map<string, Transaction>();
  const classicTransactions = new Map<string, Transaction>();
  /** 5-tuples a heuristic made STUN's (conversation_set_dissector): ChannelData on them is STUN too. */
  const conversations = new Set<string>();
  const convOf = (ctx: AppContext): string => `${ctx.transport}|${conversationKey(ctx.src, ctx.srcPort, ctx.dst, ctx.dstPort)}`;
  /** Whether a heuristic made this 5-tuple STUN's (no key is made while none did). */
  const marked = (ctx: AppContext): boolean => conversations.size > 0 && conversations.has(convOf(ctx));
  const onPort = (ctx: AppContext): boolean => ctx.srcPort === STUN_PORT || ctx.dstPort === STUN_PORT;

  const dissectUdp = (data: Buffer, offset: number, end: number, ctx: AppContext): AppResult => {
    const stop = Math.min(end, data.length);
    const viaConversation = onPort(ctx) || marked(ctx);
    if (channelDataOk(data, offset, end, true) && viaConversation) return channelData(data, offset, end, ctx, 0);
    if (looksLikeStunMessage(data, offset, end, true)) {
      if (!onPort(ctx)) conversations.add(convOf(ctx));
      return stunMessage(transactions, data, offset, end, ctx, 0);
    }
    if (looksLikeClassicStun(data, offset, end)) return classicStun(classicTransactions, data, offset, end, ctx);
    return { layers: stop > offset ? [dataLayer(data, offset, stop, ctx.fields)] : [], protocolColumn: '', info: '' };
  };

  /** One TCP PDU (tcp_dissect_pdus' call of dissect_stun_message); a PDU it declines shows nothing. */
  const dissectTcpPdu = (data: Buffer, offset: number, end: number, ctx: AppContext): AppResult | null => {
    const framing = tcpFraming(data, offset, end, false);
    if (channelDataOk(data, offset, end, false)) return channelData(data, offset, end, ctx, framing);
    if (looksLikeStunMessage(data, offset, end, false)) return stunMessage(transactions, data, offset, end, ctx, framing);
    return null;
  };

  const dissectTcp = (data: Buffer, offset: number, end: number, ctx: AppContext): AppResult => {
    // tcp_dissect_pdus: each PDU as get_stun_message_len frames it; each one's Info replaces the one
    // before (tshark fences the column only after a PDU put together from earlier segments, which
    // desegment's replaceInfo leaves to tcp-pdus.ts).
    const layers: Layer[] = [];
    let info = '';
    let protocolColumn = '';
    for (let at = offset; at < end; ) {
      if (captured(data, at, end) < 4) break;
      const length = Math.max(4, stunPduLength(data, at, end));
      const r = dissectTcpPdu(data, at, Math.min(at + length, end), ctx);
      if (r) {
        layers.push(...r.layers);
        info = r.info;
        protocolColumn = r.protocolColumn;
      }
      at += length;
    }
    return { layers, protocolColumn, info };
  };

  return {
    protocol: 'stun',
    fieldPrefixes: ['classicstun'],
    udpPorts: [STUN_PORT],
    tcpPorts: [STUN_PORT],
    stateful: true,
    claims: (data, offset, end, ctx) =>
      ctx.transport === 'tcp' || channelDataOk(data, offset, end, true) || looksLikeStunMessage(data, offset, end, true) || looksLikeClassicStun(data, offset, end),
    heuristic: (data, offset, end, ctx) => {
      const udp = ctx.transport === 'udp';
      if (marked(ctx)) {
        return udp ? channelDataOk(data, offset, end, true) || looksLikeStunMessage(data, offset, end, true) || looksLikeClassicStun(data, offset, end) : true;
      }
      if (udp) return looksLikeStunMessage(data, offset, end, true) || looksLikeClassicStun(data, offset, end);
      // dissect_stun_heur_tcp: a STUN message (its length may leave more messages after it), then
      // the TCP conversation is STUN's; else classic STUN's heuristic on the whole segment.
      const have = captured(data, offset, end);
      if (have >= 20) {
        const framing = tcpFraming(data, offset, end, false);
        const type = data.readUInt16BE(offset + framing);
        if ((type & 0xc000) === 0 && have >= 20 + framing && data.readUInt32BE(offset + framing + 4) === MESSAGE_COOKIE
          && end - offset >= data.readUInt16BE(offset + framing + 2) + 20 + framing) {
          conversations.add(convOf(ctx));
          return true;
        }
      }
      return looksLikeClassicStun(data, offset, end);
    },
    dissect: (data, offset, end, ctx) => {
      if (ctx.transport === 'udp') return dissectUdp(data, offset, end, ctx);
      if (!onPort(ctx) && !marked(ctx) && looksLikeClassicStun(data, offset, end)) return classicStun(classicTransactions, data, offset, end, ctx);
      return dissectTcp(data, offset, end, ctx);
    },
    desegment: (data, offset, end, ctx): PduSplit => {
      if (!onPort(ctx) && !marked(ctx)) return { pdus: [end - offset], need: 0 };
      const pdus: number[] = [];
      let at = offset;
      while (at < end) {
        if (end - at < 4) return { pdus, need: 4 - (end - at), replaceInfo: true };
        const length = Math.max(4, stunPduLength(data, at, end));
        if (end - at < length) return { pdus, need: length - (end - at), replaceInfo: true };
        pdus.push(length);
        at += length;
      }
      return { pdus, need: 0, replaceInfo: true };
    },
  };
}

/** A TURN ChannelData message (dissect_stun_message_channel_data): channel, length, then its payload as data. */
function channelData(data: Buffer, offset: number, end: number, ctx: AppContext, framing: number): AppResult {
  // tshark reads the header after any RFC 4571 framing but shows it at the start of the tvb.
  const type = data.readUInt16BE(offset + framing);
  let length = data.readUInt16BE(offset + framing + 2);
  const b = new LayerBuilder(data, 'stun', 'Session Traversal Utilities for NAT, TURN ChannelData Message', offset, end, ctx.fields);
  b.setLength(Math.min(4, end - offset));
  const layers: Layer[] = [b.layer];
  let payload = offset + 4;
  dissectSafely(b, () => {
    const channel = b.u16(offset);
    b.add('stun.channel', () => `Channel Number: ${hex(channel, 4)}`, channel, offset, 2, () => hex(channel, 4));
    const shown = b.u16(offset + 2);
    b.add('stun.length', () => `Message Length: ${shown}`, shown, offset + 2, 2);
    if (type === MS_MULTIPLEX_TURN && length >= 8) {
      const id = b.bytes(offset + 4, 8);
      const value = id.readBigUInt64BE(0);
      b.add('stun.att.ms.turn_session_id', () => `MS TURN Session Id: 0x${value.toString(16).padStart(16, '0')}`, value, offset + 4, 8, () => `0x${value.toString(16).padStart(16, '0')}`);
    }
  });
  if (type === MS_MULTIPLEX_TURN && length >= 8) {
    length -= 8;
    payload += 8;
  }
  const stop = Math.min(payload + length, end, data.length);
  if (stop > payload) layers.push(dataLayer(data, payload, stop, ctx.fields));
  return { layers, protocolColumn: 'STUN', info: 'ChannelData TURN Message' };
}

function stunMessage(transactions: Map<string, Transaction>, data: Buffer, offset: number, end: number, ctx: AppContext, framing: number): AppResult {
  const base = offset + framing;
  const type = data.readUInt16BE(base);
  const msgLength = data.readUInt16BE(base + 2);
  const klass = ((type & 0x0010) >> 4) | ((type & 0x0100) >> 7);
  const method = methodOf(type);
  const classText = CLASSES[klass]!;
  const methodText = METHODS[method] ?? 'Unknown';
  const idKey = data.toString('hex', base + 8, base + 20);
  const key = `${ctx.transport}|${conversationKey(ctx.src, ctx.srcPort, ctx.dst, ctx.dstPort)}|${idKey}`;
  let t = transactions.get(key);
  if (!t) {
    t = { reqFrame: 0, repFrame: 0, reqTs: ctx.tsNs ?? 0n };
    transactions.set(key, t);
  }
  if (klass === 0) {
    if (t.reqFrame === 0) t.reqFrame = ctx.frameNumber;
  } else if (t.repFrame === 0) t.repFrame = ctx.frameNumber;
  const trans = t;

  let info = `${methodText} ${classText}`;
  const b = new LayerBuilder(data, 'stun', 'Session Traversal Utilities for NAT', offset, end, ctx.fields);
  const layers: Layer[] = [b.layer];
  const extra: Layer[] = [];
  dissectSafely(b, () => {
    if (klass === 0) {
      if (trans.reqFrame !== ctx.frameNumber) b.add('stun.reqduplicate', () => `[Duplicated original message in: ${trans.reqFrame}]`, trans.reqFrame, offset, 0);
      if (trans.repFrame) b.add('stun.response-in', () => `[Response In: ${trans.repFrame}]`, trans.repFrame, offset, 0);
    } else {
      if (trans.repFrame !== ctx.frameNumber) b.add('stun.reqduplicate', () => `[Duplicated original message in: ${trans.repFrame}]`, trans.repFrame, offset, 0);
      if ((klass === 2 || klass === 3) && trans.reqFrame) {
        b.add('stun.response-to', () => `[Request In: ${trans.reqFrame}]`, trans.reqFrame, offset, 0);
        const delta = nsToSeconds((ctx.tsNs ?? 0n) - trans.reqTs);
        b.add('stun.time', () => `[Time: ${delta} seconds]`, delta, offset, 0);
      }
    }
    let at = offset;
    if (framing) {
      const frameLength = b.u16(at);
      b.add('stun.tcp_frame_length', () => `TCP Frame Length: ${frameLength}`, frameLength, at, 2);
      at += 2;
    }
    const typeAt = at;
    b.group('stun.type', () => `Message Type: ${hex(type, 4)} (${methodText} ${classText})`, type, at, 2, () => {
      const c = type & 0x0110;
      b.add('stun.type.class', () => `${bitPicture(type, 0x0110, 16)} = Message Class: 0x${(c >> 4).toString(16).padStart(2, '0')} ${classText} (${klass})`, c >> 4, typeAt, 2, () => hex(c >> 4, 4));
      const m = type & 0x3eef;
      b.add('stun.type.method', () => `${bitPicture(type, 0x3eef, 16)} = Message Method: ${hex(m, 4)} ${methodText} (0x${method.toString(16).padStart(3, '0')})`, m, typeAt, 2, () => hex(m, 4));
      const assignment = (type & 0x2000) >> 13;
      b.add('stun.type.method-assignment', () => `${bitPicture(type, 0x2000, 16)} = Message Method Assignment: ${assignment ? 'Designated Expert' : 'IETF Review'} (0x${assignment})`, assignment, typeAt, 2, () => hex(assignment, 4));
    }, () => hex(type, 4));
    at += 2;
    b.add('stun.length', () => `Message Length: ${msgLength}`, msgLength, at, 2);
    at += 2;
    const cookie = b.bytes(at, 4);
    b.add('stun.cookie', () => `Message Cookie: ${cookie.toString('hex')}`, cookie, at, 4, () => cookie.toString('hex'));
    at += 4;
    const id = b.bytes(at, 12);
    b.add('stun.id', () => `Message Transaction ID: ${id.toString('hex')}`, id, at, 12, () => id.toString('hex'));
    at += 12;
    if (msgLength === 0) return;
    b.add('stun.network_version', '[STUN Network Version: RFC-5389/8489 (3)]', 3, at, 0);
    const attributes = (): void => {
      // The loop's bound leaves out the RFC 4571 framing (as tshark's does); the bogus-length
      // check counts it.
      while (at < 20 + msgLength + offset) {
        const attAt = at;
        const attType = b.u16(at, 'attribute type');
        const attLength = b.u16(at + 2, 'attribute length');
        const padded = roundUp4(attLength);
        const name = ATTRIBUTES[attType];
        let stopHere = false;
        const body = (): void => {
          if (name !== undefined) {
            b.group('stun.att.type', () => `Attribute Type: ${name}`, attType, attAt, 2, () => {
              const comprehension = (attType & 0x8000) >> 15;
              b.add('stun.att.type.comprehension', () => `${bitPicture(attType, 0x8000, 16)} = Attribute Type Comprehension: ${comprehension ? 'Optional' : 'Required'} (0x${comprehension})`, comprehension, attAt, 2, () => hex(comprehension, 4));
              const assignment = (attType & 0x4000) >> 14;
              b.add('stun.att.type.assignment', () => `${bitPicture(attType, 0x4000, 16)} = Attribute Type Assignment: ${assignment ? 'Designated Expert' : 'IETF Review'} (0x${assignment})`, assignment, attAt, 2, () => hex(assignment, 4));
            }, () => hex(attType, 4));
            if (attAt + 4 + padded > 20 + msgLength + offset + framing) {
              b.add('stun.att.length', () => `Attribute Length: ${padded} (bogus, goes past the end of the message)`, padded, attAt + 2, 2);
              stopHere = true;
              return;
            }
          }
          b.add('stun.att.length', () => `Attribute Length: ${attLength}`, attLength, attAt + 2, 2);
          const suffix = attribute(b, data, attType, name ?? '', attAt + 4, attLength, base, offset, extra, ctx);
          label = suffix.label;
          info += suffix.info;
          if (attLength < padded) b.add('stun.att.padding', () => `Padding: ${padded - attLength}`, padded - attLength, attAt + 4 + attLength, padded - attLength);
        };
        let label = '';
        if (name !== undefined) {
          const field = b.group('stun.attribute', () => name, attType, attAt, 4 + padded, body, () => hex(attType, 4));
          if (b.tree) field.label = `${name}${label}`;
        } else {
          const message = `Unknown attribute 0x${attType.toString(16).padStart(4, '0')}`;
          b.group('', message, null, attAt, 2, () => {
            expert(b, 'stun.unknown_attribute', message, 'Warning', 'Undecoded', attAt, 2);
            body();
          });
        }
        if (stopHere) break;
        at = attAt + 4 + padded;
      }
    };
    const length = Math.min(msgLength, Math.max(0, end - at));
    if (msgLength & 3) {
      // proto_tree_add_expert, which then holds the rest of the tree (as tshark's stun_tree = ...).
      const message = 'Packet length is not multiple of 4 bytes';
      b.group('', message, null, offset + framing + 2, 2, () => {
        expert(b, 'stun.wrong_msglen', message, 'Error', 'Malformed', offset + framing + 2, 2);
        b.group('stun.attributes', 'Attributes', null, at, length, attributes, () => '1');
      });
    } else {
      b.group('stun.attributes', 'Attributes', null, at, length, attributes, () => '1');
    }
  });
  if (b.layer.status !== 'ok') info += b.layer.status === 'truncated' ? '[Packet size limited during capture]' : '[Malformed Packet]';
  return { layers: [...layers, ...extra], protocolColumn: 'STUN', info };
}

/**
 * One attribute's value items (tshark's switch on the attribute type); returns what it appends to
 * the attribute's tree line and to Info. `base` is where the STUN header starts (after framing).
 */
function attribute(
  b: LayerBuilder, data: Buffer, type: number, name: string, at: number, length: number, base: number, tvbStart: number, extra: Layer[], ctx: AppContext,
): { label: string; info: string } {
  const reserved = (n: number, where = at): void => {
    const bytes = b.bytes(where, n);
    b.add('stun.att.reserved', () => `Reserved: ${bytes.toString('hex')}`, bytes, where, n, () => bytes.toString('hex'));
  };
  const family = (where: number): number => {
    const f = b.u8(where);
    b.add('stun.att.family', () => `Protocol Family: ${FAMILIES[f] ?? 'Unknown'} (${hex(f, 2)})`, f, where, 1, () => hex(f, 2));
    return f;
  };
  const u32 = (abbrev: string, title: string, where = at): number => {
    const v = b.u32(where);
    b.add(abbrev, () => `${title}: ${v}`, v, where, 4);
    return v;
  };
  const bytesField = (abbrev: string, title: string, where: number, n: number): void => {
    const bytes = b.bytes(where, n);
    b.add(abbrev, () => `${title}: ${bytesLabel(data, where, n)}`, bytes, where, n, () => bytes.toString('hex'));
  };
  /** Adds an FT_STRING; returns its text for Info (escaped as -T fields prints the column). */
  const stringField = (abbrev: string, title: string, where: number, n: number): string => {
    b.need(where, n, title);
    const text = stringText(data, where, where + n);
    b.add(abbrev, () => `${title}: ${text}`, text, where, n);
    return text;
  };
  switch (type) {
    case A.RESPONSE_ADDRESS:
    case A.SOURCE_ADDRESS:
    case A.CHANGED_ADDRESS:
    case A.REFLECTED_FROM:
    case A.DESTINATION_ADDRESS: {
      if (length < 1) break;
      reserved(1);
      if (length < 2) break;
      const f = family(at + 1);
      if (length < 4) break;
      const port = b.u16(at + 2);
      b.add('stun.att.port', () => `Port: ${port}`, port, at + 2, 2);
      if (f === 1 && length >= 8) {
        b.need(at + 4, 4, 'address');
        const ip = ipv4Text(data, at + 4);
        b.add('stun.att.ipv4', () => `IP: ${ip}`, ip, at + 4, 4);
        return { label: ` (Deprecated): ${ip}:${port}`, info: '' };
      }
      if (f === 2 && length >= 20) {
        b.need(at + 4, 16, 'address');
        const ip = ipv6Text(data, at + 4);
        b.add('stun.att.ipv6', () => `IP: ${ip}`, ip, at + 4, 16);
      }
      break;
    }
    case A.PASSWORD:
      bytesField('stun.att.password', 'Password', at, length);
      break;
    case A.MAPPED_ADDRESS:
    case A.ALTERNATE_SERVER:
    case A.RESPONSE_ORIGIN:
    case A.OTHER_ADDRESS:
    case A.MS_ALT_MAPPED_ADDRESS:
    case A.MS_ALTERNATE_SERVER: {
      if (length < 1) break;
      reserved(1);
      if (length < 2) break;
      const f = family(at + 1);
      if (length < 4) break;
      const port = b.u16(at + 2);
      b.add('stun.att.port', () => `Port: ${port}`, port, at + 2, 2);
      let ip: string | null = null;
      if (f === 1 && length >= 8) {
        b.need(at + 4, 4, 'address');
        ip = ipv4Text(data, at + 4);
        const text = ip;
        b.add('stun.att.ipv4', () => `IP: ${text}`, text, at + 4, 4);
      } else if (f === 2 && length >= 20) {
        b.need(at + 4, 16, 'address');
        ip = ipv6Text(data, at + 4);
        const text = ip;
        b.add('stun.att.ipv6', () => `IP: ${text}`, text, at + 4, 16);
      }
      if (ip !== null) return { label: `: ${ip}:${port}`, info: ` ${name}: ${ip}:${port}` };
      break;
    }
    case A.CHANGE_REQUEST: {
      if (length < 4) break;
      const v = b.u32(at);
      const ipSet = (v & 0x4) !== 0;
      const portSet = (v & 0x2) !== 0;
      b.add('stun.att.change-ip', () => `${bitPicture(v & 0xffff, 0x0004, 16)} = Change IP: ${ipSet ? 'Set' : 'Not set'}`, ipSet, at, 4);
      b.add('stun.att.change-port', () => `${bitPicture(v & 0xffff, 0x0002, 16)} = Change Port: ${portSet ? 'Set' : 'Not set'}`, portSet, at, 4);
      break;
    }
    case A.USERNAME: {
      const user = stringField('stun.att.username', 'Username', at, length);
      return { label: `: ${user}`, info: ` user: ${user}` };
    }
    case A.MESSAGE_INTEGRITY:
      if (length < 20) break;
      bytesField('stun.att.hmac', 'HMAC-SHA1', at, length);
      break;
    case A.ERROR_CODE: {
      if (length < 2) break;
      reserved(2);
      if (length < 3) break;
      const cls = b.u8(at + 2);
      b.add('stun.att.error.class', () => `${bitPicture(cls, 0x07, 8)} = Error Class: ${cls & 7}`, cls & 7, at + 2, 1);
      if (length < 4) break;
      const number = b.u8(at + 3);
      b.add('stun.att.error', () => `Error Code: ${number}`, number, at + 3, 1);
      const code = cls * 100 + number;
      const text = ERROR_CODES[code] ?? '*Unknown error code*';
      let label = ` ${code} (${text})`;
      let info = ` error-code: ${code} (${text})`;
      if (length < 5) return { label, info };
      const reason = stringField('stun.att.error.reason', 'Error Reason Phrase', at + 4, length - 4);
      label += `: ${reason}`;
      info += ` ${reason}`;
      return { label, info };
    }
    case A.UNKNOWN_ATTRIBUTES:
      for (let i = 0; i < length; i += 2) {
        const v = b.u16(at + i);
        b.add('stun.att.unknown', () => `Unknown Attribute: ${hex(v, 4)}`, v, at + i, 2, () => hex(v, 4));
      }
      break;
    case A.REALM: {
      const realm = stringField('stun.att.realm', 'Realm', at, length);
      return { label: `: ${realm}`, info: ` realm: ${realm}` };
    }
    case A.NONCE: {
      const nonce = stringField('stun.att.nonce', 'Nonce', at, length);
      return { label: `: ${nonce}`, info: ' with nonce' };
    }
    case A.XOR_PEER_ADDRESS:
    case A.XOR_RELAYED_ADDRESS:
    case A.XOR_MAPPED_ADDRESS:
    case A.XOR_RESPONSE_TARGET:
    case A.XOR_REFLECTED_FROM:
    case A.MS_XOR_MAPPED_ADDRESS:
    case A.REMOTE_SITE_ADDR:
    case A.REMOTE_RELAY_SITE:
    case A.LOCAL_SITE_ADDR:
    case A.LOCAL_RELAY_SITE: {
      if (length < 1) break;
      reserved(1);
      if (length < 2) break;
      const f = family(at + 1);
      if (length < 4) break;
      const xport = b.bytes(at + 2, 2);
      b.add('stun.att.port-xord', () => `Port (XOR-d): ${xport.toString('hex')}`, xport, at + 2, 2, () => xport.toString('hex'));
      const cookie = data.readUInt32BE(base + 4);
      const port = xport.readUInt16BE(0) ^ (cookie >>> 16);
      b.add('stun.att.port', () => `[Port: ${port}]`, port, at + 2, 2);
      if (length < 8) break;
      let ip: string | null = null;
      if (f === 1) {
        const xip = b.bytes(at + 4, 4);
        b.add('stun.att.ipv4-xord', () => `IP (XOR-d): ${xip.toString('hex')}`, xip, at + 4, 4, () => xip.toString('hex'));
        const clear = Buffer.alloc(4);
        clear.writeUInt32BE((xip.readUInt32BE(0) ^ cookie) >>> 0, 0);
        ip = ipv4Text(clear, 0);
        const text = ip;
        b.add('stun.att.ipv4', () => `[IP: ${text}]`, text, at + 4, 4);
      } else if (f === 2) {
        if (length < 20) break;
        const xip = b.bytes(at + 4, 16);
        b.add('stun.att.ipv6-xord', () => `IP (XOR-d): ${xip.toString('hex')}`, xip, at + 4, 16, () => xip.toString('hex'));
        // XORed with the cookie and the transaction ID, i.e. header bytes 4..20.
        const clear = Buffer.alloc(16);
        for (let i = 0; i < 16; i++) clear[i] = xip[i]! ^ data[base + 4 + i]!;
        ip = ipv6Text(clear, 0);
        const text = ip;
        b.add('stun.att.ipv6', () => `[IP: ${text}]`, text, at + 4, 16);
      }
      if (ip !== null) return { label: `: ${ip}:${port}`, info: ` ${name}: ${ip}:${port}` };
      break;
    }
    case A.REQUESTED_ADDRESS_FAMILY:
      if (length < 1) break;
      family(at);
      if (length < 4) break;
      reserved(3, at + 1);
      break;
    case A.EVEN_PORT: {
      if (length < 1) break;
      const v = b.u8(at);
      const next = (v & 0x80) >> 7;
      b.add('stun.att.even-port.reserve-next', () => `${bitPicture(v, 0x80, 8)} = Reserve next: ${next ? 'Reserve next port number' : 'No reservation'} (${next})`, next, at, 1);
      break;
    }
    case A.RESERVATION_TOKEN:
      if (length < 8) break;
      bytesField('stun.att.token', 'Token', at, 8);
      break;
    case A.PRIORITY:
      if (length < 4) break;
      u32('stun.att.priority', 'Priority');
      break;
    case A.PADDING:
      b.add('stun.att.padding', () => `Padding: ${length}`, length, at, length);
      break;
    case A.LEGACY_ICMP:
    case A.ICMP: {
      if (length < 4) break;
      const icmpType = b.u8(at);
      const icmpCode = b.u8(at + 1);
      b.add('stun.att.icmp.type', () => `ICMP type: ${icmpType}`, icmpType, at, 1);
      b.add('stun.att.icmp.code', () => `ICMP code: ${icmpCode}`, icmpCode, at + 1, 1);
      break;
    }
    case A.MS_TURN_UNKNOWN_8006:
      bytesField('stun.att.unknown8006', 'Unknown8006', at, length);
      break;
    case A.SOFTWARE:
      stringField('stun.att.software', 'Software', at, length);
      break;
    case A.CACHE_TIMEOUT:
      if (length < 4) break;
      u32('stun.att.cache-timeout', 'Cache timeout');
      break;
    case A.FINGERPRINT: {
      if (length < 4) break;
      // proto_tree_add_checksum over the bytes before the attribute (from the start of the tvb).
      const value = b.u32(at);
      const wanted = (crc32(data, tvbStart, at - 4) ^ 0x5354554e) >>> 0;
      const good = value === wanted;
      b.group('stun.att.crc32', () => `CRC-32: ${hex(value, 8)} ${good ? '[correct]' : `incorrect, should be ${hex(wanted, 8)}`}`, value, at, 4, () => {
        if (!good) expert(b, 'stun.att.crc32.bad', `Bad Fingerprint [should be ${hex(wanted, 8)}]`, 'Warning', 'Checksum', at, 4);
      }, () => hex(value, 8));
      b.add('stun.att.crc32.status', () => `[CRC-32 Status: ${good ? 'Good' : 'Bad'}]`, good ? 1 : 0, at, 0);
      break;
    }
    case A.ICE_CONTROLLED:
    case A.ICE_CONTROLLING:
      if (length < 8) break;
      bytesField('stun.att.tie-breaker', 'Tie breaker', at, 8);
      break;
    case A.DATA:
      if (length > 0) {
        bytesField('stun.value', 'Value', at, length);
        // No heuristic of tshark's "stun" list takes it here: data.
        const stop = Math.min(at + length, data.length);
        if (stop > at) extra.push(dataLayer(data, at, stop, ctx.fields));
      }
      break;
    case A.REQUESTED_TRANSPORT: {
      if (length < 1) break;
      const proto = b.u8(at);
      const text = TRANSPORTS[proto];
      b.add('stun.att.transp', () => `Transport: ${text ?? 'Unknown'} (${hex(proto, 2)})`, proto, at, 1, () => hex(proto, 2));
      if (length < 4) break;
      const shown = text ?? `Unknown (0x${proto.toString(16).padStart(8, ' ')})`;
      reserved(3, at + 1);
      return { label: `: ${shown}`, info: ` ${shown}` };
    }
    case A.CHANNEL_NUMBER: {
      if (length < 4) break;
      const channel = b.u16(at);
      b.add('stun.att.channelnum', () => `Channel-Number: ${hex(channel, 4)}`, channel, at, 2, () => hex(channel, 4));
      reserved(2, at + 2);
      return { label: `: 0x${channel.toString(16)}`, info: ` ChannelNumber=0x${channel.toString(16)}` };
    }
    case A.MAGIC_COOKIE: {
      if (length < 4) break;
      const v = b.u32(at);
      b.add('stun.att.magic_cookie', () => `Magic Cookie: ${hex(v, 8)}`, v, at, 4, () => hex(v, 8));
      break;
    }
    case A.BANDWIDTH: {
      if (length < 4) break;
      const v = u32('stun.port.bandwidth', 'Bandwidth');
      return { label: ` ${v}`, info: ` bandwidth: ${v}` };
    }
    case A.LIFETIME: {
      if (length < 4) break;
      const v = u32('stun.att.lifetime', 'Lifetime');
      return { label: ` ${v}`, info: ` lifetime: ${v}` };
    }
    case GOOG_NETWORK_INFO: {
      const id = b.u16(at);
      b.add('stun.att.google.network_id', () => `Google Network ID: ${id}`, id, at, 2);
      const cost = b.u16(at + 2);
      b.add('stun.att.google.network_cost', () => `Google Network Cost: ${GOOGLE_NETWORK_COSTS[cost] ?? 'Unknown'} (${cost})`, cost, at + 2, 2);
      break;
    }
    default:
      if (length > 0) bytesField('stun.value', 'Value', at, length);
      break;
  }
  return { label: '', info: '' };
}

/** A classic STUN message (packet-classicstun.c). */
function classicStun(transactions: Map<string, Transaction>, data: Buffer, offset: number, end: number, ctx: AppContext): AppResult {
  const type = data.readUInt16BE(offset);
  const msgLength = data.readUInt16BE(offset + 2);
  const typeText = CLASSIC_MESSAGES[type]!;
  const cls = (type & 0xc110) >> 4;
  const key = `${ctx.transport}|${conversationKey(ctx.src, ctx.srcPort, ctx.dst, ctx.dstPort)}|${data.toString('hex', offset + 4, offset + 20)}`;
  // Every request starts a transaction (a retransmission replaces it); a response marks the one it finds.
  let t: Transaction | undefined;
  if (cls === 0) {
    t = { reqFrame: ctx.frameNumber, repFrame: 0, reqTs: ctx.tsNs ?? 0n };
    transactions.set(key, t);
  } else {
    t = transactions.get(key);
    if (t) t.repFrame = ctx.frameNumber;
  }
  const trans = t;
  const b = new LayerBuilder(data, 'classicstun', 'Simple Traversal of UDP Through NAT', offset, end, ctx.fields);
  dissectSafely(b, () => {
    if (cls === 0 && trans && trans.repFrame) b.add('classicstun.response_in', () => `[Response In: ${trans.repFrame}]`, trans.repFrame, offset, 0);
    else if ((cls === 0x10 || cls === 0x11) && trans && trans.reqFrame) {
      b.add('classicstun.response_to', () => `[Request In: ${trans.reqFrame}]`, trans.reqFrame, offset, 0);
      const delta = nsToSeconds((ctx.tsNs ?? 0n) - trans.reqTs);
      b.add('classicstun.time', () => `[Time: ${delta} seconds]`, delta, offset, 0);
    }
    b.add('classicstun.type', () => `Message Type: ${typeText} (${hex(type, 4)})`, type, offset, 2, () => hex(type, 4));
    b.add('classicstun.length', () => `Message Length: ${hex(msgLength, 4)}`, msgLength, offset + 2, 2, () => hex(msgLength, 4));
    const id = b.bytes(offset + 4, 16);
    b.add('classicstun.id', () => `Message Transaction ID: ${id.toString('hex')}`, id, offset + 4, 16, () => id.toString('hex'));
    const first = data.readUInt32BE(offset + 4);
    if (msgLength === 0) return;
    b.group('classicstun.att', 'Attributes', null, offset + 20, msgLength, () => {
      let at = offset + 20;
      let left = msgLength;
      while (left > 0) {
        const attType = b.u16(at, 'attribute type');
        const attLength = b.u16(at + 2, 'attribute length');
        const name = CLASSIC_ATTRIBUTES[attType] ?? `Unknown (${hex(attType, 4)})`;
        const attAt = at;
        let bogus = false;
        // The attribute's subtree covers its declared length: past the message, an exception.
        b.need(attAt, 4 + attLength, 'attribute');
        b.group('', () => `Attribute: ${name}`, null, attAt, 4 + attLength, () => {
          b.add('classicstun.att.type', () => `Attribute Type: ${CLASSIC_ATTRIBUTES[attType] ?? 'Unknown'} (${hex(attType, 4)})`, attType, attAt, 2, () => hex(attType, 4));
          if (4 + attLength > left) {
            b.add('classicstun.att.length', () => `Attribute Length: ${attLength} (bogus, goes past the end of the message)`, attLength, attAt + 2, 2);
            bogus = true;
            return;
          }
          b.add('classicstun.att.length', () => `Attribute Length: ${attLength}`, attLength, attAt + 2, 2);
          classicAttribute(b, data, attType, attAt + 4, attLength, first);
        });
        if (bogus) break;
        at += 4 + attLength;
        left -= 4 + attLength;
      }
    }, () => '1');
  });
  const info = `Message: ${typeText}${b.layer.status === 'truncated' ? '[Packet size limited during capture]' : b.layer.status === 'malformed' ? '[Malformed Packet]' : ''}`;
  return { layers: [b.layer], protocolColumn: 'CLASSIC-STUN', info };
}

function classicAttribute(b: LayerBuilder, data: Buffer, type: number, at: number, length: number, first: number): void {
  const family = (): number => {
    const f = b.u8(at + 1);
    b.add('classicstun.att.family', () => `Protocol Family: ${FAMILIES[f] ?? 'Unknown'} (${hex(f, 4)})`, f, at + 1, 1, () => hex(f, 4));
    return f;
  };
  switch (type) {
    case 0x0001: case 0x0002: case 0x0004: case 0x0005: case 0x000b: case 0x000e: case 0x0011: case 0x0012: {
      if (length < 2) break;
      const f = family();
      if (length < 4) break;
      const port = b.u16(at + 2);
      b.add('classicstun.att.port', () => `Port: ${port}`, port, at + 2, 2);
      if (f === 1 && length >= 8) {
        b.need(at + 4, 4, 'address');
        const ip = ipv4Text(data, at + 4);
        b.add('classicstun.att.ipv4', () => `IP: ${ip}`, ip, at + 4, 4);
      } else if (f === 2 && length >= 20) {
        b.need(at + 4, 16, 'address');
        const ip = ipv6Text(data, at + 4);
        b.add('classicstun.att.ipv6', () => `IP: ${ip}`, ip, at + 4, 16);
      }
      break;
    }
    case 0x0003: {
      if (length < 4) break;
      const v = b.u32(at);
      b.add('classicstun.att.change.ip', () => `${bitPicture(v & 0xffff, 0x0004, 16)} = Change IP: ${v & 4 ? 'Set' : 'Not set'}`, (v & 4) !== 0, at, 4);
      b.add('classicstun.att.change.port', () => `${bitPicture(v & 0xffff, 0x0002, 16)} = Change Port: ${v & 2 ? 'Set' : 'Not set'}`, (v & 2) !== 0, at, 4);
      break;
    }
    case 0x0006: case 0x0007: case 0x0008: case 0x0014: case 0x0015: {
      if (length < 1) break;
      const v = b.bytes(at, length);
      b.add('classicstun.att.value', () => `Value: ${bytesLabel(data, at, length)}`, v, at, length, () => v.toString('hex'));
      break;
    }
    case 0x0009: {
      if (length < 3) break;
      const cls = b.u8(at + 2);
      b.add('classicstun.att.error.class', () => `${bitPicture(cls, 0x07, 8)} = Error Class: ${cls & 7}`, cls & 7, at + 2, 1);
      if (length < 4) break;
      const number = b.u8(at + 3);
      b.add('classicstun.att.error', () => `Error Code: ${number}`, number, at + 3, 1);
      if (length < 5) break;
      b.need(at + 4, length - 4, 'reason');
      const reason = stringText(data, at + 4, at + length);
      b.add('classicstun.att.error.reason', () => `Error Reason Phase: ${reason}`, reason, at + 4, length - 4);
      break;
    }
    case 0x000d: case 0x0010: {
      if (length < 4) break;
      const v = b.u32(at);
      const [abbrev, title] = type === 0x000d ? ['classicstun.att.lifetime', 'Lifetime'] : ['classicstun.att.bandwidth', 'Bandwidth'];
      b.add(abbrev, () => `${title}: ${v}`, v, at, 4);
      break;
    }
    case 0x000f: {
      if (length < 4) break;
      const v = b.u32(at);
      b.add('classicstun.att.magic.cookie', () => `Magic Cookie: ${hex(v, 8)}`, v, at, 4, () => hex(v, 8));
      break;
    }
    case 0x0013: {
      const v = b.bytes(at, length);
      b.add('classicstun.att.data', () => `Data: ${bytesLabel(data, at, length)}`, v, at, length, () => v.toString('hex'));
      break;
    }
    case 0x000a:
      for (let i = 0; i < length; i += 4) {
        for (const k of [0, 2]) {
          const v = b.u16(at + i + k);
          b.add('classicstun.att.unknown', () => `Unknown Attribute: ${hex(v, 4)}`, v, at + i + k, 2, () => hex(v, 4));
        }
      }
      break;
    case 0x8022: {
      b.need(at, length, 'server');
      const s = stringText(data, at, at + length);
      b.add('classicstun.att.server', () => `Server version: ${s}`, s, at, length);
      break;
    }
    case 0x8020: {
      if (length < 2) break;
      const f = family();
      if (length < 4) break;
      const xport = b.u16(at + 2);
      b.add('classicstun.att.port-xord', () => `Port (XOR-d): ${xport}`, xport, at + 2, 2);
      const port = xport ^ (first >>> 16);
      b.add('classicstun.att.port', () => `[Port: ${port}]`, port, at + 2, 2);
      if (f === 1 && length >= 8) {
        b.need(at + 4, 4, 'address');
        const xip = ipv4Text(data, at + 4);
        b.add('classicstun.att.ipv4-xord', () => `IP (XOR-d): ${xip}`, xip, at + 4, 4);
        const clear = Buffer.alloc(4);
        clear.writeUInt32BE((data.readUInt32BE(at + 4) ^ first) >>> 0, 0);
        const ip = ipv4Text(clear, 0);
        b.add('classicstun.att.ipv4', () => `[IP: ${ip}]`, ip, at + 4, 4);
      } else if (f === 2 && length >= 20) {
        b.need(at + 4, 16, 'address');
        const xip = ipv6Text(data, at + 4);
        b.add('classicstun.att.ipv6-xord', () => `IP (XOR-d): ${xip}`, xip, at + 4, 16);
      }
      break;
    }
    case 0x0016:
      if (length < 2) break;
      family();
      break;
    case 0xc001: {
      b.need(at, length, 'binding');
      const s = stringText(data, at, at + length);
      b.add('classicstun.att.connection_request_binding', () => `Connection Request Binding: ${s}`, s, at, length);
      break;
    }
    default:
      break;
  }
}
