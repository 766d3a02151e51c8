/**
 * TLS records and handshakes (RFC 5246, 8446) with tshark 4.0's tls.* names: ClientHello with SNI,
 * ALPN and supported versions; ServerHello with the chosen suite and version; certificate names.
 * Segment-level: a record cut by the end of the TCP segment is decoded as far as it goes and
 * marked truncated.
 */
import { LayerBuilder, StopDissection, dissectSafely, hex } from './builder';
import { ONE_MORE_SEGMENT } from './tcp-pdus';
import type { AppContext, AppDissector, AppResult, Layer, PduSplit } from './model';
import { ipv6Text, printable } from './app-format';
import { addCertificate } from './x509';
import { dataLayer } from './hsrp';
import { addExpert } from './expert';
import { absoluteTimeText } from './app-format';
import { CIPHER_SUITES, COMPRESSION_METHODS, EC_POINT_FORMATS, EXTENSION_TYPES, PSK_KE_MODES, SERVER_NAME_TYPES, SIG_HASH_HASHES, SIG_HASH_SIGNATURES, SIGNATURE_SCHEMES, SUPPORTED_GROUPS, VERSIONS } from './tls-names';

const CONTENT_TYPES: Record<number, string> = { 20: 'Change Cipher Spec', 21: 'Alert', 22: 'Handshake', 23: 'Application Data', 24: 'Heartbeat' };
const HANDSHAKE_TYPES: Record<number, string> = {
  0: 'Hello Request', 1: 'Client Hello', 2: 'Server Hello', 4: 'New Session Ticket', 5: 'End of Early Data',
  8: 'Encrypted Extensions', 11: 'Certificate', 12: 'Server Key Exchange', 13: 'Certificate Request',
  14: 'Server Hello Done', 15: 'Certificate Verify', 16: 'Client Key Exchange', 20: 'Finished', 24: 'Key Update',
};
const VERSION_NAMES: Record<number, string> = { 0x0300: 'SSLv3', 0x0301: 'TLSv1', 0x0302: 'TLSv1.1', 0x0303: 'TLSv1.2', 0x0304: 'TLSv1.3' };

/** Conversations remembered per dissector instance (negotiated version, CCS seen per direction). */
const MAX_CONVERSATIONS = 65536;

export interface Conversations {
  /** Both directions: the version the ServerHello chose. */
  version: Map<string, number>;
  /** One direction: a Change Cipher Spec was sent, so later handshake records are encrypted. */
  encrypted: Set<string>;
  /** Both directions: the application protocol a ServerHello's ALPN chose (its long name). */
  app: Map<string, string>;
  /** Both directions: the cipher suite the ServerHello chose (its key exchange shapes the key exchange messages). */
  suite: Map<string, number>;
  /** Both directions: what tells an abbreviated (resumed) handshake, from the hellos to the server's Change Cipher Spec. */
  resumption: Map<string, Resumption>;
}

/**
 * Wireshark's heuristic (ssl_dissect_change_cipher_spec): the server's Change Cipher Spec before
 * any ServerHelloDone, with a session ID or a client's session ticket, resumes a session.
 */
interface Resumption {
  /** The direction the ServerHello came from ('' before one). */
  server: string;
  helloDone: boolean;
  /** A hello carried a session ID, or the ClientHello a session ticket. */
  session: boolean;
  resumed: boolean;
  /** The frame of the server's first Change Cipher Spec (0 before it): only that one can tell a resumption. */
  ccsFrame: number;
}

/**
 * A TLS dissector with its own conversation memory; registerDefaultAppDissectors makes one per
 * Dissector, so two Dissectors never share state.
 */
export function createTlsDissector(): AppDissector {
  const conversations: Conversations = { version: new Map(), encrypted: new Set(), app: new Map(), suite: new Map(), resumption: new Map() };
  return {
    protocol: 'tls',
    fieldPrefixes: ['x509ce', 'x509sat', 'x509af', 'x509if', 'pkcs1'],
    stateful: true,
    tcpPorts: [443, 465, 636, 853, 993, 995, 8443],
    heuristic: (data, offset, end) => looksLikeTls(data, offset, end),
    heuristicTakesConnection: true,
    claims: (data, offset, end) => !printableStart(data, offset, end),
    // Text on a TLS port goes on to the other port's dissector and the heuristics (packet-tls.c
    // returns 0 and TCP tries them): plain HTTP on 443 is HTTP, as tshark shows it.
    declines: true,
    dissect: (data, offset, end, ctx) => {
      if (!printableStart(data, offset, end)) return dissectTls(data, offset, end, ctx, conversations);
      const stop = Math.min(end, data.length);
      return { layers: [dataLayer(data, offset, stop, ctx.fields)], protocolColumn: '', info: '' };
    },
    desegment: (data, offset, end) => (printableStart(data, offset, end) ? { pdus: [end - offset], need: 0 } : tlsRecords(data, offset, end)),
  };
}

/**
 * Wireshark's TLS dissector declines a payload whose first four bytes are printable ASCII ("it is
 * extremely unlikely that real TLS traffic starts with four printable ascii characters"): TCP then
 * tries the other port and the heuristics (plain HTTP on 443 is HTTP), else the bytes are data.
 */
export function printableStart(data: Buffer, offset: number, end: number): boolean {
  if (Math.min(end, data.length) - offset <= 4) return false;
  for (let i = offset; i < offset + 4; i++) if (data[i]! < 0x20 || data[i]! > 0x7e) return false;
  return true;
}

/**
 * The whole TLS records from `offset` (one dissector call for all of them, as Wireshark's TLS
 * dissector takes a segment) and what the next one needs: a record header (5 bytes) first, then
 * its length; bytes that are no record header are continuation data, taken as they are. While a
 * record waits, the Info column is cleared and TLS stays in frame.protocols, as tshark shows it.
 */
export function tlsRecords(data: Buffer, offset: number, end: number): PduSplit {
  let at = offset;
  while (at < end) {
    if (end - at < 5) return { pdus: at > offset ? [at - offset] : [], need: ONE_MORE_SEGMENT, info: '', keepsLayer: 'Transport Layer Security', infoJoin: ', ' };
    const type = data[at]!;
    if (!CONTENT_TYPES[type] || data[at + 1] !== 3) return { pdus: [end - offset], need: 0, infoJoin: ', ' };
    const recordEnd = at + 5 + data.readUInt16BE(at + 3);
    if (recordEnd > end) return { pdus: at > offset ? [at - offset] : [], need: recordEnd - end, info: '', keepsLayer: 'Transport Layer Security', infoJoin: ', ' };
    at = recordEnd;
  }
  return { pdus: [end - offset], need: 0, infoJoin: ', ' };
}

/** A record header: known content type, version 3.0–3.4, plausible length. */
export function looksLikeTls(data: Buffer, offset: number, end: number): boolean {
  if (offset + 5 > Math.min(end, data.length)) return false;
  const type = data[offset]!;
  const version = data.readUInt16BE(offset + 1);
  const length = data.readUInt16BE(offset + 3);
  return type >= 20 && type <= 24 && version >= 0x0300 && version <= 0x0304 && length > 0 && length <= 16384 + 2048;
}

interface TlsState {
  info: string[];
  /** The frame being dissected (0 when none: QUIC's handshakes). */
  frame: number;
  /** Handshake records from this side are encrypted (after its Change Cipher Spec). */
  encrypted: boolean;
  /** Version shown in the Protocol column: the negotiated one when this packet says it. */
  version: number;
  /** This packet carried the ServerHello's choice. */
  negotiated: boolean;
  /**
   * Whole messages (OpenVPN): while the conversation has no version, the first record that is not
   * a ClientHello sets it from its record version (ssl_try_set_version), as tshark does there.
   */
  recordSetsVersion: boolean;
  /** A record took the SSLv2 path: the Protocol column says SSLv2 (dissect_ssl2_record's col_set_str). */
  sslv2?: boolean;
  /** The protocol inside Application Data records, by the long name tshark gives it (ALPN, else the port). */
  appProtocol?: string;
  /** What a ServerHello's ALPN chose, for the conversation. */
  alpnProtocol?: string;
  /** The names the certificates' dissectors add to frame.protocols after tls (x509sat, pkcs-1, x509ce). */
  x509Chain: string[];
  /** The conversation's cipher suite (a ServerHello in this packet sets it), undefined before one. */
  suite?: number;
  /** This packet's ServerHello chose the suite. */
  suiteChosen?: boolean;
  direction: string;
  /** The conversation's resumption facts (a ClientHello starts them). */
  resumption?: Resumption;
  /** QUIC's CRYPTO frames: the session is TLS 1.3 from the start (no GMT time in either Random). */
  quic?: boolean;
  /** Starts the conversation's resumption facts afresh (a ClientHello). */
  newResumption: () => Resumption;
}

/**
 * Where tshark's dissect_ssl() reads a record header in a whole message: with the session at SSL 3.0
 * to TLS 1.2 any valid content type (dissect_ssl3_record); with no version yet or TLS 1.3 (its
 * "default" branch) only what ssl_looks_like_sslv3() accepts: a valid content type and a record
 * version of SSL 3.0 to TLS 1.2 (or GM TLS 0x0101). Anything else is "Continuation Data".
 */
function wholeRecordStarts(data: Buffer, at: number, sessionVersion: number): boolean {
  if (CONTENT_TYPES[data[at]!] === undefined) return false;
  if (sessionVersion >= 0x0300 && sessionVersion <= 0x0303) return true;
  const version = data.readUInt16BE(at + 1);
  return (version >= 0x0300 && version <= 0x0303) || version === 0x0101;
}

/** A fresh conversation memory for a TLS dissection outside TCP (OpenVPN's control channel). */
export function createTlsConversations(): Conversations {
  return { version: new Map(), encrypted: new Set(), app: new Map(), suite: new Map(), resumption: new Map() };
}

/**
 * TLS records handed over in one piece by a protocol that cannot desegment (OpenVPN's control
 * messages: pinfo->can_desegment is 0): a record header cut short, or a record longer than the
 * bytes left, is skipped without a trace ("Not enough bytes available. Stop here."); a payload
 * that starts that way still shows an empty TLS layer.
 */
export function dissectTlsMessage(data: Buffer, offset: number, end: number, ctx: AppContext, conversations: Conversations): AppResult {
  return dissectTls(data, offset, end, ctx, conversations, true);
}

function dissectTls(data: Buffer, offset: number, end: number, ctx: AppContext, conversations: Conversations, whole = false): AppResult {
  const layers: Layer[] = [];
  const direction = `${ctx.src}|${ctx.srcPort}|${ctx.dst}|${ctx.dstPort}`;
  const both = direction < `${ctx.dst}|${ctx.dstPort}|${ctx.src}|${ctx.srcPort}` ? direction : `${ctx.dst}|${ctx.dstPort}|${ctx.src}|${ctx.srcPort}`;
  const known = conversations.version.get(both) ?? 0;
  const state: TlsState = { info: [], frame: ctx.frameNumber, version: known, negotiated: false, encrypted: conversations.encrypted.has(direction), recordSetsVersion: whole && known === 0, x509Chain: [], suite: conversations.suite.get(both),
    direction, resumption: conversations.resumption.get(both),
    newResumption: () => {
      if (conversations.resumption.size > MAX_CONVERSATIONS) conversations.resumption.clear();
      const fresh: Resumption = { server: '', helloDone: false, session: false, resumed: false, ccsFrame: 0 };
      conversations.resumption.set(both, fresh);
      return fresh;
    },
  };
  state.appProtocol = conversations.app.get(both) ?? (ctx.srcPort === 443 || ctx.dstPort === 443 ? 'Hypertext Transfer Protocol' : undefined);
  let at = offset;
  let malformed = false;
  let recordLayer: LayerBuilder | undefined;
  while (at < end) {
    // The segment may end inside a record: give the builder the record's own end and only the
    // segment's bytes, so reads past the segment are "truncated", past the record "malformed".
    const segment = data.subarray(0, Math.min(end, data.length));
    const recordEnd = at + 5 <= segment.length && looksLikeTls(segment, at, segment.length) ? at + 5 + segment.readUInt16BE(at + 3) : end;
    if (whole && state.version !== SSLV2_VERSION && (end - at < 5 || at + 5 > segment.length || (wholeRecordStarts(segment, at, state.version) && at + 5 + segment.readUInt16BE(at + 3) > end))) {
      if (layers.length === 0) layers.push(new LayerBuilder(segment, 'tls', 'Transport Layer Security', at, at, ctx.fields).layer);
      break;
    }
    if (whole && end <= segment.length && takesSslv2Path(segment, at, state.version)) {
      const v2 = sslv2Record(segment, at, end, state, ctx.fields);
      if (v2 === 'cut') {
        // "Not enough bytes available. Stop here.": no record, no Info.
        if (layers.length === 0) layers.push(new LayerBuilder(segment, 'tls', 'Transport Layer Security', at, at, ctx.fields).layer);
        break;
      }
      layers.push(v2.layer);
      recordLayer = undefined;
      if (v2.malformed) {
        malformed = true;
        break;
      }
      at = v2.next;
      continue;
    }
    if (at < segment.length) {
      if (state.version >= 0x0300 && state.version <= 0x0303 && CONTENT_TYPES[segment[at]!] === undefined) {
        // dissect_ssl3_record with a session at SSL 3.0 to TLS 1.2: a record header with an unknown content type ends the message.
        const b = new LayerBuilder(segment, 'tls', 'Transport Layer Security', at, end, ctx.fields);
        b.group('', 'Ignored Unknown Record', null, at, end - at, () => addExpert(b, 'tls.ignored_unknown_record', 'Warning', 'Protocol', 'Ignored Unknown Record', at, end - at));
        layers.push(b.layer);
        state.info.push('Ignored Unknown Record');
        break;
      }
    }
    if (whole && !wholeRecordStarts(segment, at, state.version)) {
      // Bytes from the middle of a record (OpenVPN cut it across control messages).
      const b = new LayerBuilder(segment, 'tls', 'Transport Layer Security', at, end, ctx.fields);
      layers.push(b.layer);
      state.info.push('Continuation Data');
      break;
    }
    // The records of one call share one "Transport Layer Security" item, as in tshark's tree.
    let b = recordLayer;
    if (b === undefined) {
      // Its bytes end where the segment's do (a record cut by the segment reads as truncated).
      b = recordLayer = new LayerBuilder(segment, 'tls', 'Transport Layer Security', at, Math.max(recordEnd, end), ctx.fields);
      layers.push(b.layer);
    }
    const builder = b;
    let next = end;
    dissectSafely(builder, () => {
      next = readRecord(builder, at, end, state);
    });
    if (builder.layer.status !== 'ok' || next <= at) break;
    at = next;
  }
  if (conversations.version.size > MAX_CONVERSATIONS) conversations.version.clear();
  if (conversations.encrypted.size > MAX_CONVERSATIONS) conversations.encrypted.clear();
  if (conversations.app.size > MAX_CONVERSATIONS) conversations.app.clear();
  if (state.negotiated) conversations.version.set(both, state.version);
  if (conversations.suite.size > MAX_CONVERSATIONS) conversations.suite.clear();
  if (state.suiteChosen && state.suite !== undefined) conversations.suite.set(both, state.suite);
  if (state.encrypted) conversations.encrypted.add(direction);
  const version = VERSION_NAMES[state.version] ?? 'TLS';
  if (state.alpnProtocol !== undefined) conversations.app.set(both, state.alpnProtocol);
  // Wireshark starts the Protocol column with the conversation's version, "SSL" while none is
  // known, and a record header replaces it with the record's.
  // A whole message whose records were all left out shows no Info (tshark clears the column).
  const protocolColumn = state.sslv2 || state.version === SSLV2_VERSION ? 'SSLv2' : state.version ? version : 'SSL';
  const info = state.info.join(', ') || (whole ? '' : 'Continuation Data');
  const result: AppResult = { layers, protocolColumn, info: malformed ? `${info}[Malformed Packet]` : info, infoAppended: true };
  if (state.x509Chain.length > 0) {
    // The certificates' dissectors in frame.protocols after tls, each time one was called (their
    // trees are in the TLS layer's): untitled layers without fields, seen by nothing else.
    const chain = layers.map((layer, k) => (k > 0 && layers[k - 1]!.protocol === layer.protocol ? '' : layer.protocol));
    for (const name of state.x509Chain) {
      layers.push({ protocol: name, title: '', offset: 0, length: 0, fields: [], status: 'ok' });
      chain.push(name);
    }
    result.chain = chain;
    result.chainInLaterPdus = true;
  }
  return result;
}

/** ssl_20_msg_types. */
const SSLV2_MESSAGES = ['Error', 'Client Hello', 'Client Master Key', 'Client Finished', 'Server Hello', 'Server Verify', 'Server Finished', 'Request Certificate', 'Client Certificate'];
/** The SSLv2 message types ssl_looks_like_sslv2 accepts in the third byte: Error, Client Hello, Client Master Key, Server Hello. */
const SSLV2_LOOKALIKE_TYPES = new Set([0, 1, 2, 4]);
/** The session version tshark records for SSLv2 (SSLV2_VERSION). */
const SSLV2_VERSION = 0x0002;

/** ssl_versions: the versions tshark 4.0 knows (SSL 2.0 to TLS 1.3 and its drafts, DTLS, GM TLS). */
function knownSslVersion(version: number): boolean {
  return version === 0x0002 || (version >= 0x0300 && version <= 0x0304) || (version >= 0x7f0e && version <= 0x7f1c) ||
    (version >= 0xfb17 && version <= 0xfb1a) || version === 0xfeff || version === 0xfefd || version === 0xfefc || version === 0x0100 || version === 0x0101;
}

/** Whether tshark 4.0's dissect_ssl() reads the record at `at` with dissect_ssl2_record(). */
function takesSslv2Path(data: Buffer, at: number, sessionVersion: number): boolean {
  if (sessionVersion === SSLV2_VERSION) return true;
  // A session at SSL 3.0 to TLS 1.2: only an SSLv2 ClientHello header (ssl_is_v2_client_hello).
  if (sessionVersion >= 0x0300 && sessionVersion <= 0x0303) return data[at] === 0x80 && data[at + 2] === 1;
  // No version yet, or TLS 1.3 (the "default" branch): ssl_looks_like_sslv2.
  return data[at]! >= 0x80 && SSLV2_LOOKALIKE_TYPES.has(data[at + 2]!);
}

/**
 * tshark 4.0's dissect_ssl2_record for a whole message (OpenVPN's control channel, which cannot
 * desegment): a 2-byte length (15 bits) when the first byte has its high bit, else 3 bytes (14
 * bits and a padding length). A header or record longer than the bytes left stops the message
 * without a trace ('cut'). A whole record sets the session to SSLv2 when it has none and the
 * message type is 2 to 8; the Protocol column says SSLv2; a record whose message type is no
 * plausible clear handshake (ssl_looks_like_valid_v2_handshake) is "SSLv2 Record Layer: Encrypted
 * Data"; that check reading past the message is tshark's exception ([Malformed Packet]). A
 * plausible handshake shows its message type in Info; its body is not dissected here.
 */
function sslv2Record(data: Buffer, at: number, end: number, state: TlsState, selection?: ReadonlySet<string>): { layer: Layer; next: number; malformed: boolean } | 'cut' {
  const headerLength = data[at]! & 0x80 ? 2 : 3;
  if (end - at < headerLength) return 'cut';
  const length = headerLength === 2 ? ((data[at]! & 0x7f) << 8) | data[at + 1]! : ((data[at]! & 0x3f) << 8) | data[at + 1]!;
  if (end - at < headerLength + length) return 'cut';
  const next = at + headerLength + length;
  const b = new LayerBuilder(data, 'tls', 'Transport Layer Security', at, next, selection);
  const o = at + headerLength;
  const type = data[o]!;
  if (state.version === 0 && type >= 2 && type <= 8) {
    state.version = SSLV2_VERSION;
    state.negotiated = true;
  }
  state.sslv2 = true;
  // tvb_get_ntohs past the message: the exception that ends tshark's dissection of it.
  const u16 = (pos: number): number | null => (pos + 2 <= end ? data.readUInt16BE(pos) : null);
  let valid: boolean | null = false;
  if (type === 1) valid = u16(o + 1) === null ? null : knownSslVersion(u16(o + 1)!);
  else if (type === 4) valid = u16(o + 3) === null ? null : knownSslVersion(u16(o + 3)!);
  else if (type === 2) {
    const parts = [u16(o + 4), u16(o + 6), u16(o + 8)];
    valid = parts.includes(null) ? null : parts.reduce((sum: number, n) => sum + n!, 0) <= length;
  }
  const name = SSLV2_MESSAGES[type];
  // The record item keeps its own name when the check below is tshark's exception.
  const label = valid === null && name !== undefined ? 'SSLv2 Record Header' : valid === true && name !== undefined ? `SSLv2 Record Layer: ${name}` : 'SSLv2 Record Layer: Encrypted Data';
  b.group('tls.record', label, null, at, headerLength + length, () => {
    if (valid === false || name === undefined) b.add('tls.record.version', '[Version: SSL 2.0 (0x0002)]', SSLV2_VERSION, at, 0, '0x0002');
  });
  if (valid === null && name !== undefined) {
    b.layer.status = 'malformed';
    b.layer.problem = 'the SSLv2 handshake check reads past the end of the message';
    return { layer: b.layer, next, malformed: true };
  }
  state.info.push(valid === true && name !== undefined ? name : 'Encrypted Data');
  return { layer: b.layer, next, malformed: false };
}

function readRecord(b: LayerBuilder, at: number, end: number, state: TlsState): number {
  const type = b.u8(at, 'record content type');
  const version = b.u16(at + 1, 'record version');
  const length = b.u16(at + 3, 'record length');
  if (!CONTENT_TYPES[type] || version < 0x0300 || version > 0x0304) {
    state.info.push('Continuation Data');
    b.layer.length = Math.min(end, b.data.length) - at;
    return end;
  }
  if (!state.version) state.version = version;
  if (state.recordSetsVersion && !state.negotiated && CONTENT_TYPES[type] && !(type === 22 && b.data[at + 5] === 1)) {
    state.version = version;
    state.negotiated = true;
  }
  // TLS 1.3 sends everything after the ServerHello as Application Data records.
  const recordEnd = at + 5 + length;
  b.setLength(Math.min(recordEnd, end, b.data.length) - b.layer.offset);
  // The record's title as tshark's: the session's version, then what the record holds.
  const contentName = CONTENT_TYPES[type]!;
  let title: string;
  if (type === 22) {
    const names = state.encrypted ? ['Encrypted Handshake Message'] : handshakeNames(b.data, at + 5, Math.min(recordEnd, end, b.data.length));
    title = `Handshake Protocol: ${names.length === 1 ? names[0] : 'Multiple Handshake Messages'}`;
  } else if (type === 21) {
    title = length === 2 && !state.encrypted ? 'Alert' : 'Encrypted Alert';
  } else if (type === 20) title = 'Change Cipher Spec Protocol: Change Cipher Spec';
  else if (type === 23) title = `Application Data Protocol: ${state.appProtocol ?? 'Application Data'}`;
  else title = contentName;
  b.group('tls.record', `${VERSION_NAMES[state.version] ?? 'SSL'} Record Layer: ${title}`, null, at, 5 + length, () => {
    // TLS 1.3 hides the real type inside the encryption; Wireshark calls the outer one opaque.
    const opaque = state.version === 0x0304 && type === 23;
    b.add(opaque ? 'tls.record.opaque_type' : 'tls.record.content_type', () => `${opaque ? 'Opaque Type' : 'Content Type'}: ${contentName} (${type})`, type, at, 1);
    b.add('tls.record.version', () => `Version: ${versionLabel(version)}`, version, at + 1, 2, () => hex(version, 4));
    b.add('tls.record.length', () => `Length: ${length}`, length, at + 3, 2);
    if (recordEnd > end) {
      b.mark('truncated', 'TLS record continues in a later TCP segment (truncated by segment)');
    }
    if (type === 22) {
      if (state.encrypted) {
        state.info.push('Encrypted Handshake Message');
        b.add('tls.handshake', 'Handshake Protocol: Encrypted Handshake Message', null, at + 5, length, '');
      } else readHandshakes(b, at + 5, recordEnd, state);
    } else if (type === 21) {
      const plain = length === 2 && !state.encrypted;
      state.info.push(plain ? 'Alert' : 'Encrypted Alert');
      if (!plain) b.add('tls.alert_message', 'Alert Message: Encrypted Alert', null, at + 5, length, '');
    } else {
      if (type === 20) {
        state.encrypted = true;
        const r = state.resumption;
        // packet-tls.c: a ServerHello makes the session count as resumed until a ServerHelloDone;
        // the server's first Change Cipher Spec shows it, and any later one is no resumption.
        if (r !== undefined && state.version !== 0x0304 && r.server === state.direction && r.ccsFrame === 0) {
          r.ccsFrame = state.frame;
          r.resumed = !r.helloDone;
        }
        if (r?.resumed && r.ccsFrame === state.frame && r.server === state.direction && state.version !== 0x0304) {
          b.group('tls.change_cipher_spec', 'Change Cipher Spec Message', null, at + 5, length, () => {
            addExpert(b, 'tls.resumed', 'Note', 'Sequence', 'This session reuses previously negotiated keys (Session resumption)', at + 5, length);
          }, '');
        } else b.add('tls.change_cipher_spec', 'Change Cipher Spec Message', null, at + 5, length, '');
      } else if (type === 23) {
        const stop = Math.min(recordEnd, end, b.data.length);
        const bytes = b.data.subarray(at + 5, stop);
        b.add('tls.app_data', () => `Encrypted Application Data: ${bytes.subarray(0, 36).toString('hex')}${bytes.length > 36 ? '…' : ''}`, Buffer.from(bytes), at + 5, stop - at - 5, () => bytes.toString('hex'));
        const appProtocol = state.appProtocol;
        if (appProtocol !== undefined) b.add('tls.app_data_proto', () => `[Application Data Protocol: ${appProtocol}]`, appProtocol, at, 0);
      }
      state.info.push(contentName);
    }
  });
  return recordEnd;
}

/** The names of the handshake messages in data[start, end), as the record's title lists them. */
function handshakeNames(data: Buffer, start: number, end: number): string[] {
  const names: string[] = [];
  for (let at = start; at + 4 <= end; ) {
    const name = HANDSHAKE_TYPES[data[at]!];
    if (name === undefined) return names.length === 0 ? ['Encrypted Handshake Message'] : names;
    names.push(name);
    at += 4 + data.readUIntBE(at + 1, 3);
  }
  return names.length === 0 ? ['Encrypted Handshake Message'] : names;
}

function readHandshakes(b: LayerBuilder, start: number, end: number, state: TlsState): void {
  for (let at = start; at + 4 <= end; ) {
    const type = b.u8(at, 'handshake type');
    b.need(at + 1, 3, 'handshake length');
    const length = b.data.readUIntBE(at + 1, 3);
    const name = HANDSHAKE_TYPES[type];
    if (!name) {
      // Encrypted handshake messages (TLS 1.3 after ServerHello, or Finished) look like noise.
      state.info.push('Encrypted Handshake Message');
      b.add('tls.handshake', 'Handshake Protocol: Encrypted Handshake Message', null, at, end - at, '');
      return;
    }
    state.info.push(name);
    const bodyEnd = at + 4 + length;
    b.group('tls.handshake', () => `Handshake Protocol: ${name}`, null, at, 4 + length, () => {
      b.add('tls.handshake.type', () => `Handshake Type: ${name} (${type})`, type, at, 1);
      b.add('tls.handshake.length', () => `Length: ${length}`, length, at + 1, 3);
      if (type === 1 || type === 2) readHello(b, type, at + 4, bodyEnd, state);
      else if (type === 11) readCertificates(b, at + 4, bodyEnd, state);
      else if (type === 14 && state.resumption !== undefined) state.resumption.helloDone = true;
      else if (type === 4 && state.version !== 0x0304) sessionTicket(b, at + 4, Math.min(bodyEnd, end));
      else if ((type === 12 || type === 16) && isEcdhe(state.suite)) ecdheParams(b, type === 12, at + 4, Math.min(bodyEnd, end));
    });
    at = bodyEnd;
  }
}

/** The application protocols a ServerHello's ALPN names (Wireshark's tls.alpn table), by long name. */
const ALPN_PROTOCOLS: Record<string, string> = { 'http/1.1': 'Hypertext Transfer Protocol', h2: 'HyperText Transfer Protocol 2' };

/** The version a ServerHello's supported_versions extension chose (0 when none), read ahead of its fields. */
function serverHelloVersion(data: Buffer, start: number, end: number): number {
  const stop = Math.min(end, data.length);
  let at = start + 34;
  if (at >= stop) return 0;
  at += 1 + data[at]! + 3;
  if (at + 2 > stop) return 0;
  const extEnd = Math.min(at + 2 + data.readUInt16BE(at), stop);
  for (let o = at + 2; o + 4 <= extEnd; o += 4 + data.readUInt16BE(o + 2)) {
    if (data.readUInt16BE(o) === 43 && o + 6 <= extEnd) return data.readUInt16BE(o + 4);
  }
  return 0;
}

/** A name from a tshark value table, "Unknown" when it has none. */
function named(table: ReadonlyMap<number, string>, value: number): string {
  return table.get(value) ?? 'Unknown';
}

/** "TLS 1.2 (0x0303)", as tshark labels a version. */
function versionLabel(version: number): string {
  return `${named(VERSIONS, version)} (${hex(version, 4)})`;
}

/** RFC 8701's GREASE values (0x0a0a, 0x1a1a, ... 0xfafa): left out of JA3. */
function isGrease(value: number): boolean {
  return (value & 0x0f0f) === 0x0a0a && value >> 8 === (value & 0xff);
}

let cryptoModule: typeof import('node:crypto') | undefined;
function md5Hex(text: string): string {
  // node:crypto only when a hello's JA3 is shown (loading it costs every start ~10 ms).
  cryptoModule ??= require('node:crypto') as typeof import('node:crypto');
  return cryptoModule.createHash('md5').update(text).digest('hex');
}

/** What a hello's extensions give JA3 / JA3S. */
interface Ja3Parts {
  extensions: number[];
  groups: number[];
  pointFormats: number[];
}

function readHello(b: LayerBuilder, type: number, start: number, end: number, state: TlsState): void {
  const version = b.u16(start, 'hello version');
  b.add('tls.handshake.version', () => `Version: ${versionLabel(version)}`, version, start, 2, () => hex(version, 4));
  if (type === 2) {
    state.version = version;
    state.negotiated = true;
  }
  const random = Buffer.from(b.bytes(start + 2, 32, 'random'));
  // A TLS 1.3 ServerHello's random has no time in it: tshark shows it whole.
  if ((type === 2 && (version === 0x0304 || serverHelloVersion(b.data, start, end) === 0x0304)) || state.quic === true) {
    b.add('tls.handshake.random', () => `Random: ${random.toString('hex')}`, random, start + 2, 32, () => random.toString('hex'));
  } else b.group('tls.handshake.random', () => `Random: ${random.toString('hex')}`, random, start + 2, 32, () => {
    const time = random.readUInt32BE(0);
    b.add('tls.handshake.random_time', () => `GMT Unix Time: ${absoluteTimeText(BigInt(time), 0)}`, time, start + 2, 4, () => absoluteTimeText(BigInt(time), 0));
    const rest = random.subarray(4);
    b.add('tls.handshake.random_bytes', () => `Random Bytes: ${rest.toString('hex')}`, rest, start + 6, 28, () => rest.toString('hex'));
  }, () => random.toString('hex'));
  let at = start + 34;
  const sidLength = b.u8(at, 'session ID length');
  b.add('tls.handshake.session_id_length', () => `Session ID Length: ${sidLength}`, sidLength, at, 1);
  if (type === 1) state.resumption = state.newResumption();
  const resumption = state.resumption;
  if (resumption !== undefined) {
    if (sidLength > 0) resumption.session = true;
    if (type === 2) resumption.server = state.direction;
  }
  if (sidLength > 0) {
    const sid = Buffer.from(b.bytes(at + 1, sidLength, 'session ID'));
    b.add('tls.handshake.session_id', () => `Session ID: ${sid.toString('hex')}`, sid, at + 1, sidLength, () => sid.toString('hex'));
  }
  at += 1 + sidLength;
  const suites: number[] = [];
  if (type === 1) {
    const suitesLength = b.u16(at, 'cipher suites length');
    b.add('tls.handshake.cipher_suites_length', () => `Cipher Suites Length: ${suitesLength}`, suitesLength, at, 2);
    const count = suitesLength >> 1;
    b.group('tls.handshake.ciphersuites', `Cipher Suites (${count} suite${count === 1 ? '' : 's'})`, null, at + 2, suitesLength, () => {
      for (let o = at + 2; o + 2 <= at + 2 + suitesLength; o += 2) {
        const suite = b.u16(o, 'cipher suite');
        suites.push(suite);
        b.add('tls.handshake.ciphersuite', () => `Cipher Suite: ${named(CIPHER_SUITES, suite)} (${hex(suite, 4)})`, suite, o, 2, () => hex(suite, 4));
      }
    }, '');
    at += 2 + suitesLength;
    const compLength = b.u8(at, 'compression methods length');
    b.add('tls.handshake.comp_methods_length', () => `Compression Methods Length: ${compLength}`, compLength, at, 1);
    b.group('tls.handshake.comp_methods', `Compression Methods (${compLength} method${compLength === 1 ? '' : 's'})`, null, at + 1, compLength, () => {
      for (let o = at + 1; o < at + 1 + compLength; o++) {
        const method = b.u8(o);
        b.add('tls.handshake.comp_method', () => `Compression Method: ${named(COMPRESSION_METHODS, method)} (${method})`, method, o, 1);
      }
    }, '');
    at += 1 + compLength;
  } else {
    const suite = b.u16(at, 'cipher suite');
    suites.push(suite);
    state.suite = suite;
    state.suiteChosen = true;
    b.add('tls.handshake.ciphersuite', () => `Cipher Suite: ${named(CIPHER_SUITES, suite)} (${hex(suite, 4)})`, suite, at, 2, () => hex(suite, 4));
    const method = b.u8(at + 2, 'compression method');
    b.add('tls.handshake.comp_method', () => `Compression Method: ${named(COMPRESSION_METHODS, method)} (${method})`, method, at + 2, 1);
    at += 3;
  }
  const ja3: Ja3Parts = { extensions: [], groups: [], pointFormats: [] };
  if (at + 2 <= end) {
    const extLength = b.u16(at, 'extensions length');
    b.add('tls.handshake.extensions_length', () => `Extensions Length: ${extLength}`, extLength, at, 2);
    readExtensions(b, type, at + 2, Math.min(at + 2 + extLength, end), state, ja3);
  }
  // Wireshark's JA3 (client) and JA3S (server) fingerprints, GREASE values left out.
  const join = (values: number[]): string => values.filter((v) => !isGrease(v)).join('-');
  if (type === 1) {
    const full = `${version},${join(suites)},${join(ja3.extensions)},${join(ja3.groups)},${ja3.pointFormats.join('-')}`;
    b.add('tls.handshake.ja3_full', () => `[JA3 Fullstring: ${full}]`, full, start, 0);
    if (b.wants('tls.handshake.ja3')) b.add('tls.handshake.ja3', () => `[JA3: ${md5Hex(full)}]`, md5Hex(full), start, 0);
  } else {
    const full = `${version},${suites[0]},${join(ja3.extensions)}`;
    b.add('tls.handshake.ja3s_full', () => `[JA3S Fullstring: ${full}]`, full, start, 0);
    if (b.wants('tls.handshake.ja3s')) b.add('tls.handshake.ja3s', () => `[JA3S: ${md5Hex(full)}]`, md5Hex(full), start, 0);
  }
}

function readExtensions(b: LayerBuilder, helloType: number, start: number, end: number, state: TlsState, ja3: Ja3Parts): void {
  for (let at = start; at + 4 <= end; ) {
    const type = b.u16(at, 'extension type');
    const length = b.u16(at + 2, 'extension length');
    const body = at + 4;
    const stop = Math.min(body + length, end);
    ja3.extensions.push(type);
    const name = EXTENSION_TYPES.get(type);
    b.group('', () => `Extension: ${name ?? `Unknown type ${type}`} (len=${length})`, null, at, 4 + length, () => {
      b.add('tls.handshake.extension.type', () => `Type: ${name ?? 'Unknown'} (${type})`, type, at, 2);
      b.add('tls.handshake.extension.len', () => `Length: ${length}`, length, at + 2, 2);
      readExtensionBody(b, helloType, type, body, stop, state, ja3);
    });
    at = body + length;
  }
}

/** The body of one hello extension, for the kinds everyday hellos carry (others: only their type and length). */
function readExtensionBody(b: LayerBuilder, helloType: number, type: number, body: number, stop: number, state: TlsState, ja3: Ja3Parts): void {
  const length = stop - body;
  switch (type) {
    case 0: // server_name
      if (length < 2) return;
      b.group('', 'Server Name Indication extension', null, body, length, () => {
        const listLength = b.u16(body, 'server name list length');
        b.add('tls.handshake.extensions_server_name_list_len', () => `Server Name list length: ${listLength}`, listLength, body, 2);
        for (let o = body + 2; o + 3 <= stop; ) {
          const nameType = b.u8(o);
          const nameLength = b.u16(o + 1, 'server name length');
          const name = printable(b.bytes(o + 3, nameLength, 'server name'));
          b.add('tls.handshake.extensions_server_name_type', () => `Server Name Type: ${named(SERVER_NAME_TYPES, nameType)} (${nameType})`, nameType, o, 1);
          b.add('tls.handshake.extensions_server_name_len', () => `Server Name length: ${nameLength}`, nameLength, o + 1, 2);
          b.add('tls.handshake.extensions_server_name', () => `Server Name: ${name}`, name, o + 3, nameLength);
          o += 3 + nameLength;
        }
      });
      return;
    case 10: { // supported_groups
      if (length < 2) return;
      const listLength = b.u16(body, 'supported groups length');
      b.add('tls.handshake.extensions_supported_groups_length', () => `Supported Groups List Length: ${listLength}`, listLength, body, 2);
      const count = listLength >> 1;
      b.group('tls.handshake.extensions_supported_groups', `Supported Groups (${count} group${count === 1 ? '' : 's'})`, null, body + 2, listLength, () => {
        for (let o = body + 2; o + 2 <= Math.min(body + 2 + listLength, stop); o += 2) {
          const group = b.u16(o, 'supported group');
          ja3.groups.push(group);
          b.add('tls.handshake.extensions_supported_group', () => `Supported Group: ${named(SUPPORTED_GROUPS, group)} (${hex(group, 4)})`, group, o, 2, () => hex(group, 4));
        }
      }, '');
      return;
    }
    case 11: { // ec_point_formats
      if (length < 1) return;
      const count = b.u8(body, 'EC point formats length');
      b.add('tls.handshake.extensions_ec_point_formats_length', () => `EC point formats Length: ${count}`, count, body, 1);
      b.group('tls.handshake.extensions_ec_point_formats', `Elliptic curves point formats (${count})`, null, body + 1, count, () => {
        for (let o = body + 1; o < Math.min(body + 1 + count, stop); o++) {
          const format = b.u8(o);
          ja3.pointFormats.push(format);
          b.add('tls.handshake.extensions_ec_point_format', () => `EC point format: ${named(EC_POINT_FORMATS, format)} (${format})`, format, o, 1);
        }
      }, '');
      return;
    }
    case 13: { // signature_algorithms
      if (length < 2) return;
      const listLength = b.u16(body, 'signature algorithms length');
      b.add('tls.handshake.sig_hash_alg_len', () => `Signature Hash Algorithms Length: ${listLength}`, listLength, body, 2);
      const count = listLength >> 1;
      b.group('tls.handshake.sig_hash_algs', `Signature Hash Algorithms (${count} algorithm${count === 1 ? '' : 's'})`, null, body + 2, listLength, () => {
        for (let o = body + 2; o + 2 <= Math.min(body + 2 + listLength, stop); o += 2) {
          const scheme = b.u16(o, 'signature algorithm');
          const hash = scheme >> 8;
          const sig = scheme & 0xff;
          // A TLS 1.2 (hash, signature) pair that is no TLS 1.3 scheme is named after its two halves.
          const schemeName = SIGNATURE_SCHEMES.get(scheme) ?? `${named(SIG_HASH_HASHES, hash)} ${named(SIG_HASH_SIGNATURES, sig)}`;
          b.group('tls.handshake.sig_hash_alg', () => `Signature Algorithm: ${schemeName} (${hex(scheme, 4)})`, scheme, o, 2, () => {
            b.add('tls.handshake.sig_hash_hash', () => `Signature Hash Algorithm Hash: ${named(SIG_HASH_HASHES, hash)} (${hash})`, hash, o, 1);
            b.add('tls.handshake.sig_hash_sig', () => `Signature Hash Algorithm Signature: ${named(SIG_HASH_SIGNATURES, sig)} (${sig})`, sig, o + 1, 1);
          }, () => hex(scheme, 4));
        }
      }, '');
      return;
    }
    case 16: { // application_layer_protocol_negotiation
      if (length < 2) return;
      const listLength = b.u16(body, 'ALPN length');
      b.add('tls.handshake.extensions_alpn_len', () => `ALPN Extension Length: ${listLength}`, listLength, body, 2);
      b.group('tls.handshake.extensions_alpn_list', 'ALPN Protocol', null, body + 2, listLength, () => {
        for (let o = body + 2; o < Math.min(body + 2 + listLength, stop); ) {
          const n = b.u8(o, 'ALPN length');
          const proto = printable(b.bytes(o + 1, n, 'ALPN protocol'));
          b.add('tls.handshake.extensions_alpn_str_len', () => `ALPN string length: ${n}`, n, o, 1);
          b.add('tls.handshake.extensions_alpn_str', () => `ALPN Next Protocol: ${proto}`, proto, o + 1, n);
          if (helloType === 2 && ALPN_PROTOCOLS[proto] !== undefined) state.alpnProtocol = state.appProtocol = ALPN_PROTOCOLS[proto];
          o += 1 + n;
        }
      }, '');
      return;
    }
    case 5: { // status_request (a ClientHello's; a server's is empty)
      if (helloType !== 1 || length < 5) return;
      const statusType = b.u8(body, 'certificate status type');
      b.add('tls.handshake.extensions_status_request_type', () => `Certificate Status Type: ${STATUS_TYPES[statusType] ?? 'Unknown'} (${statusType})`, statusType, body, 1);
      const responders = b.u16(body + 1, 'responder ID list length');
      b.add('tls.handshake.extensions_status_request_responder_ids_len', () => `Responder ID list Length: ${responders}`, responders, body + 1, 2);
      const requestExtensions = b.u16(body + 3 + responders, 'request extensions length');
      b.add('tls.handshake.extensions_status_request_exts_len', () => `Request Extensions Length: ${requestExtensions}`, requestExtensions, body + 3 + responders, 2);
      return;
    }
    case 27: { // compress_certificate (RFC 8879)
      if (length < 1) return;
      const listLength = b.u8(body, 'algorithms length');
      b.add('tls.compress_certificate.algorithms_length', () => `Algorithms Length: ${listLength}`, listLength, body, 1);
      for (let o = body + 1; o + 2 <= Math.min(body + 1 + listLength, stop); o += 2) {
        const algorithm = b.u16(o, 'algorithm');
        b.add('tls.compress_certificate.algorithm', () => `Algorithm: ${COMPRESS_CERTIFICATE_ALGORITHMS[algorithm] ?? 'Unknown'} (${algorithm})`, algorithm, o, 2);
      }
      return;
    }
    case 57: // quic_transport_parameters (RFC 9001 §8.2)
      readQuicTransportParameters(b, body, stop);
      return;
    case 21: { // padding
      const padding = Buffer.from(b.bytes(body, length, 'padding'));
      b.add('tls.handshake.extensions_padding_data', () => `Padding Data: ${padding.subarray(0, 36).toString('hex')}${padding.length > 36 ? '…' : ''}`, padding, body, length, () => padding.toString('hex'));
      return;
    }
    case 43: { // supported_versions
      if (helloType === 1) {
        if (length < 1) return;
        const listLength = b.u8(body, 'supported versions length');
        b.add('tls.handshake.extensions.supported_versions_len', () => `Supported Versions length: ${listLength}`, listLength, body, 1);
        for (let o = body + 1; o + 2 <= Math.min(body + 1 + listLength, stop); o += 2) {
          const v = b.u16(o, 'supported version');
          b.add('tls.handshake.extensions.supported_version', () => `Supported Version: ${versionLabel(v)}`, v, o, 2, () => hex(v, 4));
        }
      } else if (length >= 2) {
        const v = b.u16(body, 'supported version');
        b.add('tls.handshake.extensions.supported_version', () => `Supported Version: ${versionLabel(v)}`, v, body, 2, () => hex(v, 4));
        state.version = v;
      }
      return;
    }
    case 41: { // pre_shared_key
      if (length < 2) return;
      b.group('', 'Pre-Shared Key extension', null, body, length, () => {
        if (helloType === 2) {
          const selected = b.u16(body, 'selected identity');
          b.add('tls.handshake.extensions.psk.identity.selected', () => `Selected Identity: ${selected}`, selected, body, 2);
          return;
        }
        const identitiesLength = b.u16(body, 'identities length');
        b.add('tls.handshake.extensions.psk.identities.length', () => `Identities Length: ${identitiesLength}`, identitiesLength, body, 2);
        const identitiesEnd = Math.min(body + 2 + identitiesLength, stop);
        for (let o = body + 2; o + 2 <= identitiesEnd; ) {
          const identityLength = b.u16(o, 'identity length');
          const at = o;
          b.group('', () => `PSK Identity (length: ${identityLength})`, null, o, 2 + identityLength + 4, () => {
            b.add('tls.handshake.extensions.psk.identity.identity_length', () => `Identity Length: ${identityLength}`, identityLength, at, 2);
            const identity = Buffer.from(b.bytes(at + 2, identityLength, 'identity'));
            b.add('tls.handshake.extensions.psk.identity.identity', () => `Identity: ${identity.toString('hex', 0, Math.min(36, identityLength))}${identityLength > 36 ? '…' : ''}`, identity, at + 2, identityLength, () => identity.toString('hex'));
            const age = b.u32(at + 2 + identityLength, 'obfuscated ticket age');
            b.add('tls.handshake.extensions.psk.identity.obfuscated_ticket_age', () => `Obfuscated Ticket Age: ${age}`, age, at + 2 + identityLength, 4);
          });
          o += 2 + identityLength + 4;
        }
        const bindersAt = body + 2 + identitiesLength;
        if (bindersAt + 2 > stop) return;
        const bindersLength = b.u16(bindersAt, 'binders length');
        b.add('tls.handshake.extensions.psk.binders_len', () => `PSK Binders length: ${bindersLength}`, bindersLength, bindersAt, 2);
        // tshark 4.0 shows the binders' item without its entries.
        b.add('tls.handshake.extensions.psk.binders', 'PSK Binders', null, bindersAt + 2, bindersLength, '');
      });
      return;
    }
    case 45: { // psk_key_exchange_modes
      if (length < 1) return;
      const count = b.u8(body, 'PSK modes length');
      b.add('tls.extension.psk_ke_modes_length', () => `PSK Key Exchange Modes Length: ${count}`, count, body, 1);
      for (let o = body + 1; o < Math.min(body + 1 + count, stop); o++) {
        const mode = b.u8(o);
        b.add('tls.extension.psk_ke_mode', () => `PSK Key Exchange Mode: ${named(PSK_KE_MODES, mode)} (${mode})`, mode, o, 1);
      }
      return;
    }
    case 51: { // key_share
      b.group('', 'Key Share extension', null, body, length, () => {
        let o = body;
        if (helloType === 1) {
          const listLength = b.u16(body, 'key share length');
          b.add('tls.handshake.extensions_key_share_client_length', () => `Client Key Share Length: ${listLength}`, listLength, body, 2);
          o += 2;
        }
        while (o + 4 <= stop) {
          const group = b.u16(o, 'key share group');
          const keyLength = b.u16(o + 2, 'key exchange length');
          const groupName = named(SUPPORTED_GROUPS, group);
          const entryAt = o;
          b.group('', () => `Key Share Entry: Group: ${groupName}, Key Exchange length: ${keyLength}`, null, entryAt, 4 + keyLength, () => {
            b.add('tls.handshake.extensions_key_share_group', () => `Group: ${groupName} (${group})`, group, entryAt, 2);
            b.add('tls.handshake.extensions_key_share_key_exchange_length', () => `Key Exchange Length: ${keyLength}`, keyLength, entryAt + 2, 2);
            const key = Buffer.from(b.bytes(entryAt + 4, keyLength, 'key exchange'));
            b.add('tls.handshake.extensions_key_share_key_exchange', () => `Key Exchange: ${key.subarray(0, 36).toString('hex')}${key.length > 36 ? '…' : ''}`, key, entryAt + 4, keyLength, () => key.toString('hex'));
          });
          o += 4 + keyLength;
          if (helloType === 2) break;
        }
      });
      return;
    }
    case 35: // session_ticket: its bytes (a ticket, or none to ask for one)
      if (helloType === 1 && length > 0 && state.resumption !== undefined) state.resumption.session = true;
      b.add('tls.handshake.extension.data', () => `Data (${length} byte${length === 1 ? '' : 's'})`, Buffer.from(b.bytes(body, length, 'session ticket')), body, length);
      return;
    case 65281: { // renegotiation_info
      if (length < 1) return;
      b.group('', 'Renegotiation Info extension', null, body, length, () => {
        const n = b.u8(body, 'renegotiation info length');
        b.add('tls.handshake.extensions_reneg_info_len', () => `Renegotiation info extension length: ${n}`, n, body, 1);
      });
      return;
    }
    default:
      // A GREASE extension (RFC 8701) or a type Wireshark has no name for reaches
      // ssl_dissect_hnd_extension's default branch: its bytes as Data.
      if (((type & 0x0f0f) === 0x0a0a && (type >> 8) === (type & 0xff)) || !EXTENSION_TYPES.has(type)) {
        const bytes = Buffer.from(b.bytes(body, length, 'extension data'));
        b.add('tls.handshake.extension.data', () => `Data: ${length === 0 ? '<MISSING>' : bytes.length > 36 ? `${bytes.toString('hex', 0, 36)}…` : bytes.toString('hex')}`, bytes, body, length, bytes.toString('hex'));
      }
      return;
  }
}

/** Wireshark's unsigned_time_secs_to_str: "2 hours", "1 day, 1 hour, 1 minute, 1 second", "0 seconds". */
function durationText(seconds: number): string {
  if (seconds === 0) return '0 seconds';
  const parts: string[] = [];
  for (const [unit, size] of [['day', 86400], ['hour', 3600], ['minute', 60], ['second', 1]] as const) {
    const n = Math.floor(seconds / size);
    seconds -= n * size;
    if (n > 0) parts.push(`${n} ${unit}${n === 1 ? '' : 's'}`);
  }
  return parts.join(', ');
}

/** A TLS 1.2 NewSessionTicket (RFC 5077): "TLS Session Ticket" with its lifetime hint and ticket. */
function sessionTicket(b: LayerBuilder, start: number, end: number): void {
  b.group('', 'TLS Session Ticket', null, start, end - start, () => {
    const hint = b.u32(start, 'ticket lifetime hint');
    b.add('tls.handshake.session_ticket_lifetime_hint', () => `Session Ticket Lifetime Hint: ${hint} seconds (${durationText(hint)})`, hint, start, 4);
    const length = b.u16(start + 4, 'ticket length');
    b.add('tls.handshake.session_ticket_length', () => `Session Ticket Length: ${length}`, length, start + 4, 2);
    const ticket = Buffer.from(b.bytes(start + 6, length, 'session ticket'));
    b.add('tls.handshake.session_ticket', () => `Session Ticket: ${ticket.toString('hex', 0, Math.min(36, length))}${length > 36 ? '…' : ''}`, ticket, start + 6, length, () => ticket.toString('hex'));
  });
}

/** Whether a cipher suite's key exchange is ECDHE (Wireshark's KEX_ECDHE_*): its name says so. */
function isEcdhe(suite: number | undefined): boolean {
  return suite !== undefined && /^TLS_ECDHE_/.test(named(CIPHER_SUITES, suite));
}

/**
 * An ECDHE Server Key Exchange (curve, public key, signature: "EC Diffie-Hellman Server Params")
 * or Client Key Exchange (public key: "… Client Params"), as TLS 1.2 sends them.
 */
function ecdheParams(b: LayerBuilder, server: boolean, start: number, end: number): void {
  const side = server ? 'server' : 'client';
  b.group('', `EC Diffie-Hellman ${server ? 'Server' : 'Client'} Params`, null, start, end - start, () => {
    let at = start;
    if (server) {
      const curveType = b.u8(at, 'curve type');
      b.add('tls.handshake.server_curve_type', () => `Curve Type: ${curveType === 3 ? 'named_curve' : `Unknown (${curveType})`} (${hex(curveType, 2)})`, curveType, at, 1, () => hex(curveType, 2));
      if (curveType !== 3) return;
      const curve = b.u16(at + 1, 'named curve');
      b.add('tls.handshake.server_named_curve', () => `Named Curve: ${named(SUPPORTED_GROUPS, curve)} (${hex(curve, 4)})`, curve, at + 1, 2, () => hex(curve, 4));
      at += 3;
    }
    const pointLength = b.u8(at, 'public key length');
    b.add(`tls.handshake.${side}_point_len`, () => `Pubkey Length: ${pointLength}`, pointLength, at, 1);
    const point = Buffer.from(b.bytes(at + 1, pointLength, 'public key'));
    b.add(`tls.handshake.${side}_point`, () => `Pubkey: ${point.toString('hex', 0, Math.min(36, pointLength))}${pointLength > 36 ? '…' : ''}`, point, at + 1, pointLength, () => point.toString('hex'));
    at += 1 + pointLength;
    if (!server || at + 4 > end) return;
    const scheme = b.u16(at, 'signature algorithm');
    const hash = scheme >> 8;
    const sig = scheme & 0xff;
    const schemeName = SIGNATURE_SCHEMES.get(scheme) ?? `${named(SIG_HASH_HASHES, hash)} ${named(SIG_HASH_SIGNATURES, sig)}`;
    b.group('tls.handshake.sig_hash_alg', () => `Signature Algorithm: ${schemeName} (${hex(scheme, 4)})`, scheme, at, 2, () => {
      b.add('tls.handshake.sig_hash_hash', () => `Signature Hash Algorithm Hash: ${named(SIG_HASH_HASHES, hash)} (${hash})`, hash, at, 1);
      b.add('tls.handshake.sig_hash_sig', () => `Signature Hash Algorithm Signature: ${named(SIG_HASH_SIGNATURES, sig)} (${sig})`, sig, at + 1, 1);
    }, () => hex(scheme, 4));
    const sigLength = b.u16(at + 2, 'signature length');
    b.add('tls.handshake.sig_len', () => `Signature Length: ${sigLength}`, sigLength, at + 2, 2);
    const signature = Buffer.from(b.bytes(at + 4, sigLength, 'signature'));
    b.add('tls.handshake.sig', () => `Signature: ${signature.toString('hex', 0, Math.min(36, sigLength))}${sigLength > 36 ? '…' : ''}`, signature, at + 4, sigLength, () => signature.toString('hex'));
  });
}

function readCertificates(b: LayerBuilder, start: number, end: number, state: TlsState): void {
  if (start + 3 > end) return;
  b.need(start, 3, 'certificates length');
  const total = b.data.readUIntBE(start, 3);
  const stop = Math.min(start + 3 + total, end, b.data.length);
  b.add('tls.handshake.certificates_length', () => `Certificates Length: ${total}`, total, start, 3);
  b.group('tls.handshake.certificates', () => `Certificates (${total} bytes)`, null, start + 3, stop - start - 3, () => {
    for (let at = start + 3; at + 3 <= stop; ) {
      const length = b.data.readUIntBE(at, 3);
      b.add('tls.handshake.certificate_length', () => `Certificate Length: ${length}`, length, at, 3);
      const certEnd = Math.min(at + 3 + length, stop);
      // Each certificate's tree (x509.ts); what its dissectors add to frame.protocols follows TLS.
      state.x509Chain.push(...addCertificate(b, at + 3, certEnd));
      at += 3 + length;
    }
  });
}

/**
 * The TLS 1.3 handshake messages of QUIC's CRYPTO frames (Wireshark's tls13_handshake dissector,
 * called by packet-quic.c): no record layer on the wire, shown under a "TLSv1.3 Record Layer" item
 * in the QUIC tree. Returns the messages' names and a ServerHello's cipher suite.
 */
export function readQuicHandshakes(b: LayerBuilder, start: number, end: number): { names: string[]; suite?: number } {
  const state: TlsState = {
    info: [], frame: 0, version: 0x0304, negotiated: false, encrypted: false, recordSetsVersion: false, x509Chain: [], direction: '', quic: true,
    newResumption: () => ({ server: '', helloDone: false, session: false, resumed: false, ccsFrame: 0 }),
  };
  const names = handshakeNames(b.data, start, end);
  b.group('tls', () => `TLSv1.3 Record Layer: Handshake Protocol: ${names.join(', ')}`, null, start, end - start, () => readHandshakes(b, start, end, state));
  return { names: state.info, suite: state.suite };
}

/** The name tshark gives a handshake message type ('Client Hello'), undefined for unknown ones. */
export function handshakeTypeName(type: number): string | undefined {
  return HANDSHAKE_TYPES[type];
}

/**
 * A handshake message QUIC's crypto stream delivered in fragments, put together (tshark's
 * "[N Reassembled Handshake Fragments]"): its fields read from `b`'s buffer, as tls13_handshake's
 * reassembled tvb has them.
 */
export function readQuicHandshakeMessages(b: LayerBuilder, start: number, end: number): { names: string[]; suite?: number } {
  const state: TlsState = {
    info: [], frame: 0, version: 0x0304, negotiated: false, encrypted: false, recordSetsVersion: false, x509Chain: [], direction: '', quic: true,
    newResumption: () => ({ server: '', helloDone: false, session: false, resumed: false, ccsFrame: 0 }),
  };
  readHandshakes(b, start, end, state);
  return { names: state.info, suite: state.suite };
}

const STATUS_TYPES: Record<number, string> = { 1: 'OCSP', 2: 'OCSP Multi' };
const COMPRESS_CERTIFICATE_ALGORITHMS: Record<number, string> = { 1: 'zlib', 2: 'brotli', 3: 'zstd' };

/** Transport parameter names as tshark 4.0 knows them (quic_transport_parameter_id). */
const QUIC_PARAMETERS: Record<number, string> = {
  0x00: 'original_destination_connection_id', 0x01: 'max_idle_timeout', 0x02: 'stateless_reset_token', 0x03: 'max_udp_payload_size',
  0x04: 'initial_max_data', 0x05: 'initial_max_stream_data_bidi_local', 0x06: 'initial_max_stream_data_bidi_remote',
  0x07: 'initial_max_stream_data_uni', 0x08: 'initial_max_streams_bidi', 0x09: 'initial_max_streams_uni', 0x0a: 'ack_delay_exponent',
  0x0b: 'max_ack_delay', 0x0c: 'disable_active_migration', 0x0d: 'preferred_address', 0x0e: 'active_connection_id_limit',
  0x0f: 'initial_source_connection_id', 0x10: 'retry_source_connection_id', 0x11: 'version_information', 0x20: 'max_datagram_frame_size',
  0x2ab2: 'grease_quic_bit', 0x3127: 'google_initial_rtt', 0x3128: 'google_connection_options', 0x3129: 'google_user_agent',
  0x4751: 'google_quic_params', 0x4752: 'google_quic_version',
};
/** Integer parameters: their own field, named as the parameter; the ones tshark also puts on the Parameter line, with a unit. */
const QUIC_INTEGER_PARAMETERS = new Set([0x01, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x20]);
const QUIC_PARAMETER_SUFFIX: Record<number, string> = { 0x01: ' ms', 0x03: '', 0x04: '', 0x05: '', 0x06: '', 0x07: '', 0x08: '', 0x09: '', 0x0b: '', 0x0e: '', 0x20: '', 0x3127: ' us' };

function quicVarintAt(data: Buffer, at: number, stop: number): { value: number; length: number } | null {
  if (at >= stop) return null;
  const length = 1 << (data[at]! >> 6);
  if (at + length > stop) return null;
  let value = data[at]! & 0x3f;
  for (let i = 1; i < length; i++) value = value * 256 + data[at + i]!;
  return { value, length };
}

function quicVersionLabel(version: number): string {
  const named = version === 1 ? '1' : version >>> 8 === 0xff0000 ? `draft-${String(version & 0xff).padStart(2, '0')}` : version === 0 ? 'Version Negotiation' : 'Unknown';
  return `${named} (${hex(version, 8)})`;
}

/** The quic_transport_parameters extension as tshark 4.0 shows it (ssl_dissect_hnd_hello_ext_quic_transport_parameters). */
function readQuicTransportParameters(b: LayerBuilder, start: number, stop: number): void {
  const data = b.data;
  for (let at = start; at < stop; ) {
    const id = quicVarintAt(data, at, stop);
    if (!id) throw new StopDissection('malformed', 'QUIC transport parameter type cut short');
    const len = quicVarintAt(data, at + id.length, stop);
    if (!len) throw new StopDissection('malformed', 'QUIC transport parameter length cut short');
    const valueAt = at + id.length + len.length;
    b.need(valueAt, len.value, 'QUIC transport parameter');
    const value = Buffer.from(data.subarray(valueAt, valueAt + len.value));
    const name = QUIC_PARAMETERS[id.value];
    const integer = QUIC_INTEGER_PARAMETERS.has(id.value) || id.value === 0x0e || id.value === 0x3127 ? quicVarintAt(data, valueAt, valueAt + len.value) : null;
    const suffix = integer && QUIC_PARAMETER_SUFFIX[id.value] !== undefined ? ` ${integer.value}${QUIC_PARAMETER_SUFFIX[id.value]}` : '';
    const title = name !== undefined ? `Parameter: ${name} (len=${len.value})${suffix}` : `Parameter: Unknown 0x${id.value.toString(16).padStart(4, '0')} (len=${len.value})`;
    const end = valueAt + len.value;
    b.group('', title, null, at, end - at, () => {
      b.add('tls.quic.parameter.type', () => `Type: ${name ?? 'Unknown'} (0x${id.value.toString(16).padStart(2, '0')})`, id.value, at, id.length);
      b.add('tls.quic.parameter.length', `Length: ${len.value}`, len.value, at + id.length, len.length);
      b.add('tls.quic.parameter.value', () => `Value: ${value.length === 0 ? '<MISSING>' : value.length > 36 ? `${value.toString('hex', 0, 36)}…` : value.toString('hex')}`, value, valueAt, len.value, value.toString('hex'));
      let used = len.value;
      const bytesField = (abbrev: string, label: string): void => {
        b.add(abbrev, () => `${label}: ${value.length === 0 ? '<MISSING>' : value.toString('hex')}`, value, valueAt, len.value, value.toString('hex'));
      };
      if (integer && id.value !== 0x0e && id.value !== 0x3127) {
        b.add(`tls.quic.parameter.${name}`, `${name}: ${integer.value}`, integer.value, valueAt, integer.length);
        used = integer.length;
      } else if (id.value === 0x0e && integer) {
        b.add('tls.quic.parameter.active_connection_id_limit', `Active Connection ID Limit: ${integer.value}`, integer.value, valueAt, integer.length);
        used = integer.length;
      } else if (id.value === 0x3127 && integer) {
        b.add('tls.quic.parameter.google.initial_rtt', `Google Initial RTT: ${integer.value}`, integer.value, valueAt, integer.length);
        used = integer.length;
      } else if (id.value === 0x00 || id.value === 0x02) {
        bytesField(`tls.quic.parameter.${name}`, name!);
      } else if (id.value === 0x0f) {
        bytesField('tls.quic.parameter.initial_source_connection_id', 'Initial Source Connection ID');
      } else if (id.value === 0x10) {
        bytesField('tls.quic.parameter.retry_source_connection_id', 'Retry Source Connection ID');
      } else if (id.value === 0x3128) {
        bytesField('tls.quic.parameter.google.connection_options', 'Google Connection options');
      } else if (id.value === 0x3129) {
        const agent = value.toString('latin1');
        b.add('tls.quic.parameter.google.user_agent', () => `Google UserAgent: ${agent}`, agent, valueAt, len.value);
      } else if (id.value === 0x4752 && len.value >= 4) {
        const version = value.readUInt32BE(0);
        b.add('tls.quic.parameter.google.quic_version', () => `Google QUIC version: ${quicVersionLabel(version)}`, version, valueAt, 4, () => hex(version, 8));
        used = 4;
      } else if (id.value === 0x11 && len.value >= 4) {
        for (let o = 0; o + 4 <= len.value; o += 4) {
          const version = value.readUInt32BE(o);
          const field = o === 0 ? 'tls.quic.parameter.vi.chosen_version' : 'tls.quic.parameter.vi.other_version';
          b.add(field, () => `${o === 0 ? 'Chosen' : 'Other'} Version: ${quicVersionLabel(version)}`, version, valueAt + o, 4, () => hex(version, 8));
        }
        used = len.value - (len.value % 4);
      } else if (id.value === 0x0d && len.value >= 4 + 2 + 16 + 2 + 1) {
        b.add('tls.quic.parameter.preferred_address.ipv4address', () => `ipv4Address: ${[...value.subarray(0, 4)].join('.')}`, [...value.subarray(0, 4)].join('.'), valueAt, 4);
        b.add('tls.quic.parameter.preferred_address.ipv4port', `ipv4Port: ${value.readUInt16BE(4)}`, value.readUInt16BE(4), valueAt + 4, 2);
        const v6 = ipv6Text(value, 6);
        b.add('tls.quic.parameter.preferred_address.ipv6address', () => `ipv6Address: ${v6}`, v6, valueAt + 6, 16);
        b.add('tls.quic.parameter.preferred_address.ipv6port', `ipv6Port: ${value.readUInt16BE(22)}`, value.readUInt16BE(22), valueAt + 22, 2);
        const cidLength = value[24]!;
        b.add('tls.quic.parameter.preferred_address.connectionid.length', `Length: ${cidLength}`, cidLength, valueAt + 24, 1);
        const cid = value.subarray(25, 25 + cidLength);
        b.add('tls.quic.parameter.preferred_address.connectionid', () => `connectionId: ${cid.toString('hex')}`, Buffer.from(cid), valueAt + 25, cid.length, cid.toString('hex'));
        const token = value.subarray(25 + cidLength, 25 + cidLength + 16);
        b.add('tls.quic.parameter.preferred_address.statelessresettoken', () => `statelessResetToken: ${token.toString('hex')}`, Buffer.from(token), valueAt + 25 + cidLength, token.length, token.toString('hex'));
        used = Math.min(len.value, 25 + cidLength + 16);
      }
      if (used < len.value && (integer || id.value === 0x4752 || id.value === 0x11 || id.value === 0x0d)) {
        // proto_tree_add_expert: an item with the expert's text, the expert info under it.
        const message = `${len.value - used} trailing bytes were unprocessed`;
        b.group('', message, null, valueAt + used, len.value - used, () => addExpert(b, 'tls.malformed.trailing_data', 'Warning', 'Protocol', message, valueAt + used, len.value - used));
      }
    });
    at = end;
  }
}
