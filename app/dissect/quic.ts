/**
 * QUIC (RFC 9000, RFC 8999 invariants) as Wireshark 4.0's packet-quic.c dissects it without key
 * logs: connections tracked by their connection IDs (and by addresses and ports), Initial packets
 * decrypted with the keys anyone can derive from the client's first Destination Connection ID
 * (RFC 9001 §5.2) and their frames shown (PADDING, PING, ACK, CRYPTO, …), Retry integrity tags
 * checked, short-header packets given their Destination Connection ID from the connection.
 * Handshake, 0-RTT and 1-RTT packets need TLS secrets Sievecap does not take: they stay protected,
 * with Wireshark's "Secrets are not available". Coalesced packets each get a QUIC layer.
 */
import { LayerBuilder, StopDissection, dissectSafely, hex } from './builder';
import { handshakeTypeName, readQuicHandshakeMessages, readQuicHandshakes } from './tls';
import { conversationKey } from './dissector';
import { addExpert, addExpertTo } from './expert';
import { bitPicture } from './format';
import type { AppContext, AppDissector, AppResult, Layer } from './model';
import { expandPacketNumber, initialKeys, isQuicV2, openPayload, quicDraftVersion, removeHeaderProtection, retryTagValid, type PacketKeys } from './quic-crypto';

const MAX_CID = 20;
const LPT_INITIAL = 0;
const LPT_0RTT = 1;
const LPT_HANDSHAKE = 2;
const LPT_RETRY = 3;
const LPT_VERSION_NEGOTIATION = -1;
const SHORT_PACKET = -2;
const LONG_TYPE_NAMES = ['Initial', '0-RTT', 'Handshake', 'Retry'];
/**
 * quic_decrypt_header reads its 16-byte sample wherever the packet number says, past the packet's
 * end too: an exception in tshark (past the reported length: malformed; past the captured bytes:
 * cut by the snap length) that ends the QUIC dissection.
 */
const SAMPLE_PAST_PACKET = '\u0000malformed';
const SAMPLE_PAST_CAPTURE = '\u0000truncated';

/** quic_frame_type_vals (range_string) of Wireshark 4.0. */
function frameTypeName(type: number): string {
  const names: Record<number, string> = {
    0x00: 'PADDING', 0x01: 'PING', 0x02: 'ACK', 0x03: 'ACK', 0x04: 'RESET_STREAM', 0x05: 'STOP_SENDING', 0x06: 'CRYPTO',
    0x07: 'NEW_TOKEN', 0x10: 'MAX_DATA', 0x11: 'MAX_STREAM_DATA', 0x12: 'MAX_STREAMS (BIDI)', 0x13: 'MAX_STREAMS (UNI)',
    0x14: 'DATA_BLOCKED', 0x15: 'STREAM_DATA_BLOCKED', 0x16: 'STREAMS_BLOCKED (BIDI)', 0x17: 'STREAMS_BLOCKED (UNI)',
    0x18: 'NEW_CONNECTION_ID', 0x19: 'RETIRE_CONNECTION_ID', 0x1a: 'PATH_CHALLENGE', 0x1b: 'PATH_RESPONSE',
    0x1c: 'CONNECTION_CLOSE (Transport)', 0x1d: 'CONNECTION_CLOSE (Application)', 0x1e: 'HANDSHAKE_DONE',
    0x30: 'DATAGRAM', 0x31: 'DATAGRAM', 0xac: 'IMMEDIATE_ACK', 0xaf: 'ACK_FREQUENCY', 0x02f5: 'TIME_STAMP',
  };
  if (type >= 0x08 && type <= 0x0f) return 'STREAM';
  return names[type] ?? 'Unknown';
}

/** quic_version_vals of Wireshark 4.0 ("Unknown" for the rest). */
function versionName(version: number): string {
  if (version === 0) return 'Version Negotiation';
  if (version === 1) return '1';
  if (version === 0x709a50c4) return '2 (draft-00)';
  if (version >>> 8 === 0xff0000) return `draft-${String(version & 0xff).padStart(2, '0')}`;
  const google: Record<number, string> = { 0x51303434: 'Google Q044', 0x51303530: 'Google Q050', 0x54303530: 'Google T050', 0x54303531: 'Google T051' };
  if (google[version]) return google[version]!;
  if (version === 0xfaceb001) return 'Facebook mvfst (draft-22)';
  if (version === 0xfaceb002) return 'Facebook mvfst (draft-27)';
  if (version === 0xfaceb00e) return 'Facebook mvfst (Experimental)';
  return 'Unknown';
}

function longPacketType(first: number, version: number): number {
  const bits = (first >> 4) & 3;
  return isQuicV2(version) ? [LPT_RETRY, LPT_INITIAL, LPT_0RTT, LPT_HANDSHAKE][bits]! : bits;
}

/** A QUIC variable-length integer (RFC 9000 §16): value and length, or null past `stop`. */
function varint(data: Buffer, at: number, stop: number): { value: number; length: number } | null {
  if (at >= stop) return null;
  const length = 1 << (data[at]! >> 6);
  if (at + length > stop) return null;
  let value = data[at]! & 0x3f;
  for (let i = 1; i < length; i++) value = value * 256 + data[at + i]!;
  return { value, length };
}

interface Connection {
  number: number;
  version: number;
  serverAddress: string;
  serverPort: number;
  /** The first is the client's SCID from its first Initial ('' when empty); later ones follow. */
  clientCids: string[];
  serverCids: string[];
  clientDcidInitial: string;
  clientDcidSet: boolean;
  clientInitial: PacketKeys | null;
  serverInitial: PacketKeys | null;
  /** A ServerHello in a CRYPTO frame chose a cipher suite Wireshark can use (tls_get_cipher_info). */
  cipherKnown: boolean;
  /** 1-RTT secrets were looked for and are not available: short headers stay protected, silently. */
  skipDecryption: boolean;
  /** Frames whose 1-RTT protection was looked at, with the error it found ('' none). */
  shortErrors: Map<number, string>;
  /** How far each side's Initial crypto stream has been seen (CRYPTO frames' offset + length). */
  cryptoEnd: { client: number; server: number };
  /** A handshake message each side's crypto stream has delivered part of. */
  pending: { client: PendingMessage | null; server: PendingMessage | null };
  /** Largest packet number per space (Initial, Handshake, application data), client and server. */
  maxClientPn: bigint[];
  maxServerPn: bigint[];
}

/** What the first pass learned about one QUIC packet of a datagram (kept for a frame dissected again). */
interface PacketMemo {
  error: string;
  pnLength: number;
  firstByte: number;
  pn: bigint;
  plain: Buffer | null;
  retryVerified: 'yes' | 'no' | 'unknown';
  /** Each CRYPTO frame's place in its crypto stream, decided on the first pass. */
  crypto?: CryptoPlan[];
}

interface PendingMessage {
  name: string;
  total: number;
  parts: Buffer[];
  received: number;
  chunks: Array<{ frame: number; size: number }>;
}

/** What a CRYPTO frame's data is to TLS, decided on the first pass (tls13_handshake with its reassembly). */
type CryptoPlan =
  | { kind: 'retransmission' | 'other' | 'whole' }
  | { kind: 'fragment'; name: string; first: boolean }
  | { kind: 'last'; name: string; message: Buffer; chunks: Array<{ frame: number; size: number }> };

interface DatagramMemo {
  /**
   * quic_extract_header read past the datagram (a long header's connection ID lengths, a short
   * header's 20 bytes of possible DCID): tshark's exception before any of QUIC's tree.
   */
  headerException?: 'malformed' | 'truncated';
  conn: Connection | null;
  fromServer: boolean;
  packets: PacketMemo[];
}

export function createQuicDissector(): AppDissector {
  const connections: Connection[] = [];
  const initialConnections = new Map<string, Connection>();
  const clientConnections = new Map<string, Connection>();
  const serverConnections = new Map<string, Connection>();
  const byConversation = new Map<string, Connection>();
  const cidLengths = new Set<number>();
  const memos = new Map<number, DatagramMemo>();

  const cidsMatch = (items: string[], raw: string): boolean => items.some((cid) => raw.startsWith(cid));

  /** quic_connection_find_dcid: by a connection ID, or (none given) by the UDP conversation. */
  function findByDcid(dcid: string | null, ctx: AppContext): { conn: Connection | null; fromServer: boolean } {
    let conn: Connection | null = null;
    let fromServer = false;
    let checkPorts = false;
    if (dcid !== null && dcid.length > 0) {
      if (!cidLengths.has(dcid.length / 2)) return { conn: null, fromServer };
      conn = clientConnections.get(dcid) ?? null;
      if (conn) {
        fromServer = true;
        checkPorts = serverConnections.has(dcid);
      } else {
        conn = serverConnections.get(dcid) ?? null;
        fromServer = false;
      }
    } else {
      conn = byConversation.get(conversationKey(ctx.src, ctx.srcPort, ctx.dst, ctx.dstPort)) ?? null;
      checkPorts = conn !== null;
    }
    if (conn && checkPorts) fromServer = conn.serverPort === ctx.srcPort && conn.serverAddress === ctx.src;
    return { conn, fromServer };
  }

  function findConnection(type: number, dcid: string, ctx: AppContext): { conn: Connection | null; fromServer: boolean } {
    if ((type === LPT_INITIAL || type === LPT_0RTT) && dcid.length > 0) {
      const conn = initialConnections.get(dcid) ?? null;
      if (conn || type !== LPT_INITIAL) return { conn, fromServer: false };
      return findByDcid(dcid, ctx);
    }
    if (type !== SHORT_PACKET) return findByDcid(dcid, ctx);
    // A short header's DCID length is not in the packet: the longest one known first, then the
    // UDP conversation (its CIDs must match), then shorter prefixes.
    let found = findByDcid(dcid, ctx);
    if (found.conn) return found;
    found = findByDcid(null, ctx);
    if (found.conn) {
      const { conn, fromServer } = found;
      if ((fromServer && !cidsMatch(conn.clientCids, dcid)) || (!fromServer && !cidsMatch(conn.serverCids, dcid))) found = { conn: null, fromServer: false };
      else return found;
    }
    for (let len = dcid.length / 2 - 1; len >= 1; len--) {
      if (!cidLengths.has(len)) continue;
      found = findByDcid(dcid.slice(0, 2 * len), ctx);
      if (found.conn) return found;
    }
    return { conn: null, fromServer: false };
  }

  function insertCid(map: Map<string, Connection>, cid: string, conn: Connection): void {
    map.set(cid, conn);
    cidLengths.add(cid.length / 2);
  }

  function updateInitial(conn: Connection, scid: string, dcid: string): void {
    if (scid.length > 0) {
      conn.clientCids[0] = scid;
      insertCid(clientConnections, scid, conn);
    }
    if (dcid.length > 0) {
      conn.clientDcidInitial = dcid;
      initialConnections.set(dcid, conn);
      conn.clientDcidSet = true;
    }
  }

  function createOrUpdate(conn: Connection | null, type: number, version: number, scid: string, dcid: string, fromServer: boolean, ctx: AppContext): Connection | null {
    if (type === LPT_INITIAL && !fromServer) {
      if (!conn) {
        const created: Connection = {
          number: connections.length, version, serverAddress: ctx.dst, serverPort: ctx.dstPort,
          clientCids: [''], serverCids: [''], clientDcidInitial: '', clientDcidSet: false,
          clientInitial: null, serverInitial: null, cipherKnown: false, skipDecryption: false, cryptoEnd: { client: 0, server: 0 }, pending: { client: null, server: null }, shortErrors: new Map(), maxClientPn: [0n, 0n, 0n], maxServerPn: [0n, 0n, 0n],
        };
        connections.push(created);
        byConversation.set(conversationKey(ctx.src, ctx.srcPort, ctx.dst, ctx.dstPort), created);
        updateInitial(created, scid, dcid);
        return created;
      }
      if (!conn.clientDcidSet && dcid.length > 0) {
        // The client's Initial after a Retry: its new DCID keys the new Initial protection, and
        // the server's next Initial links its CID again.
        updateInitial(conn, scid, dcid);
        serverConnections.delete(conn.serverCids[0]!);
        conn.serverCids[0] = '';
      }
      return conn;
    }
    if ((type === LPT_INITIAL || type === LPT_RETRY || type === LPT_HANDSHAKE) && fromServer && conn) {
      if (type === LPT_RETRY) {
        initialConnections.delete(conn.clientDcidInitial);
        conn.clientDcidInitial = '';
        conn.clientDcidSet = false;
      }
      if (conn.serverCids[0] === '' && scid.length > 0) {
        conn.serverCids[0] = scid;
        insertCid(serverConnections, scid, conn);
      }
    }
    return conn;
  }

  /** The first pass over a datagram: the connection, and for each packet what decryption found. */
  function firstPass(data: Buffer, offset: number, stop: number, reportedEnd: number, ctx: AppContext): DatagramMemo {
    const first = data[offset]!;
    const long = (first & 0x80) !== 0;
    // The bytes quic_extract_header reads: the version and DCID length, the SCID length after the
    // DCID (and the SCID when its length is valid); a short header's possible DCID, 20 bytes.
    let needed = offset + 1 + MAX_CID;
    if (long) {
      needed = offset + 6;
      if (offset + 6 <= stop) {
        const dcil = data[offset + 5]!;
        needed = offset + 6 + dcil + 1;
        if (dcil > MAX_CID) needed = offset + 6 + dcil + 1;
        else if (needed <= stop) {
          const scil = data[offset + 6 + dcil]!;
          if (scil > 0 && scil <= MAX_CID) needed += scil;
        }
      }
    }
    if (needed > stop) return { headerException: needed > reportedEnd ? 'malformed' : 'truncated', conn: null, fromServer: false, packets: [] };
    let type = SHORT_PACKET;
    let version = 0;
    let dcid = '';
    let scid = '';
    if (long) {
      version = offset + 5 <= stop ? data.readUInt32BE(offset + 1) : 0;
      type = version === 0 ? LPT_VERSION_NEGOTIATION : longPacketType(first, version);
      const dcil = offset + 5 < stop ? data[offset + 5]! : 0;
      if (dcil > 0 && dcil <= MAX_CID) dcid = data.toString('hex', offset + 6, Math.min(stop, offset + 6 + dcil));
      const scilAt = offset + 6 + dcil;
      const scil = scilAt < stop ? data[scilAt]! : 0;
      if (scil > 0 && scil <= MAX_CID) scid = data.toString('hex', scilAt + 1, Math.min(stop, scilAt + 1 + scil));
    } else {
      dcid = data.toString('hex', offset + 1, Math.min(stop, offset + 1 + MAX_CID));
    }
    let { conn, fromServer } = findConnection(type, dcid, ctx);
    let odcid: string | null = null;
    if (conn && type === LPT_RETRY && conn.clientDcidSet) odcid = conn.clientDcidInitial;
    conn = createOrUpdate(conn, type, version, scid, dcid, fromServer, ctx);
    const memo: DatagramMemo = { conn, fromServer, packets: [] };
    let at = offset;
    while (at < stop) {
      if (messageException(data, at, reportedEnd)) break;
      const end = packetEnd(data, at, reportedEnd);
      memo.packets.push(protectPass(data, at, end, conn, fromServer, odcid));
      at = end;
      if (memo.packets.length > 64) break;
    }
    return memo;
  }

  /** Header protection and AEAD for one packet (first pass): Initial packets only, as without key logs. */
  function protectPass(data: Buffer, start: number, end: number, conn: Connection | null, fromServer: boolean, odcid: string | null): PacketMemo {
    const memo: PacketMemo = { error: '', pnLength: 0, firstByte: 0, pn: 0n, plain: null, retryVerified: 'unknown' };
    const first = data[start]!;
    if ((first & 0x80) === 0) {
      // quic_get_1rtt_hp_cipher without key logs: once the handshake's cipher is known, the secrets
      // are looked for once ("Secrets are not available") and never again; before, each packet
      // says the handshake is missing.
      if (conn && !conn.skipDecryption) {
        if (conn.cipherKnown) {
          conn.skipDecryption = true;
          memo.error = 'Secrets are not available';
        } else memo.error = 'Missing TLS handshake, unsupported ciphers or padding';
      }
      return memo;
    }
    if (start + 7 > end) return memo;
    const version = data.readUInt32BE(start + 1);
    if (version === 0) return memo;
    const type = longPacketType(first, version);
    if (type === LPT_RETRY) {
      if (odcid !== null) memo.retryVerified = retryTagValid(data.subarray(start, end), Buffer.from(odcid, 'hex'), version) ? 'yes' : 'no';
      return memo;
    }
    if (!conn) return memo;
    const header = longHeaderLayout(data, start, end, type);
    if (type === LPT_0RTT && fromServer) return memo;
    if (type === LPT_INITIAL) {
      const dcid = header ? data.toString('hex', start + 6, start + 6 + header.dcil) : '';
      if (!fromServer && dcid === conn.clientDcidInitial && conn.clientDcidSet) {
        ({ client: conn.clientInitial, server: conn.serverInitial } = initialKeys(Buffer.from(dcid, 'hex'), conn.version));
      } else if (fromServer && version !== conn.version) {
        conn.version = version;
        if (conn.clientDcidSet) ({ client: conn.clientInitial, server: conn.serverInitial } = initialKeys(Buffer.from(conn.clientDcidInitial, 'hex'), conn.version));
      }
    } else {
      // quic_create_decoders: a Handshake packet's cipher comes from the TLS handshake (a
      // ServerHello seen), then its secrets from a key log, which Sievecap does not take.
      memo.error = type === LPT_HANDSHAKE && !conn.cipherKnown ? 'Unable to retrieve cipher information' : 'Secrets are not available';
      return memo;
    }
    const keys = fromServer ? conn.serverInitial : conn.clientInitial;
    if (keys) {
      const needed = header ? header.pnOffset + 4 + 16 : Number.POSITIVE_INFINITY;
      if (needed > end) {
        memo.error = end > data.length ? SAMPLE_PAST_CAPTURE : SAMPLE_PAST_PACKET;
        return memo;
      }
      if (needed > data.length) {
        memo.error = SAMPLE_PAST_CAPTURE;
        return memo;
      }
    }
    const unprotected = header && keys ? removeHeaderProtection(data, start, header.pnOffset, end, keys.hp) : null;
    if (!header || !keys || !unprotected) {
      memo.error = 'Header deprotection failed';
      return memo;
    }
    const space = fromServer ? conn.maxServerPn : conn.maxClientPn;
    memo.firstByte = unprotected.firstByte;
    memo.pnLength = unprotected.pnLength;
    memo.pn = expandPacketNumber(space[0]!, unprotected.truncatedPn, 8 * unprotected.pnLength);
    const packetStop = Math.min(end, header.pnOffset + header.length);
    const opened = openPayload(data, start, header.pnOffset, memo.pnLength, memo.firstByte, packetStop, keys, memo.pn);
    if ('error' in opened) memo.error = opened.error;
    else {
      memo.plain = opened.plain;
      space[0] = memo.pn;
    }
    return memo;
  }

  function dissect(data: Buffer, offset: number, end: number, ctx: AppContext): AppResult {
    const stop = Math.min(end, data.length);
    let memo = ctx.quoted ? undefined : memos.get(ctx.frameNumber);
    if (!memo) {
      memo = offset < stop ? firstPass(data, offset, stop, end, ctx) : { conn: null, fromServer: false, packets: [] };
      // Kept for a frame dissected again (the detail pane, -2): what the first pass decided. A
      // datagram of short headers that met no error holds nothing a second pass would not find
      // again, so a long 1-RTT stream keeps no memory per packet.
      const worthKeeping = memo.headerException !== undefined || memo.packets.some((k) => k.error !== '' || k.pnLength > 0 || k.retryVerified !== 'unknown') || (data[offset]! & 0x80) !== 0;
      if (!ctx.quoted && worthKeeping) memos.set(ctx.frameNumber, memo);
    }
    if (memo.headerException) {
      const b = new LayerBuilder(data, 'quic', 'QUIC IETF', offset, end, ctx.fields);
      const status = memo.headerException;
      const layer = dissectSafely(b, () => {
        throw new StopDissection(status, 'the QUIC header runs past the datagram');
      });
      return { layers: [layer], protocolColumn: 'QUIC', info: status === 'malformed' ? '[Malformed Packet]' : '[Packet size limited during capture]', keepsInfo: true };
    }
    const layers: Layer[] = [];
    let info = '';
    let at = offset;
    let index = 0;
    let tls = false;
    let firstDcid: string | null = null;
    do {
      const exception = messageException(data, at, end);
      if (exception) {
        const b = new LayerBuilder(data, 'quic', 'QUIC IETF', at, end, ctx.fields);
        const { conn } = memo;
        const layer = dissectSafely(b, () => {
          if (index === 0) {
            b.group('', 'QUIC Connection information', null, at, 0, () => {
              if (conn) b.add('quic.connection.number', () => `[Connection Number: ${conn.number}]`, conn.number, at, 0);
              else addExpert(b, 'quic.connection_unknown', 'Note', 'Protocol', 'Unknown QUIC connection. Missing Initial Packet or migrated connection?', at, 0);
            });
          }
          throw new StopDissection(exception, 'the QUIC packet\'s lengths run past the datagram');
        });
        layers.push(layer);
        const note = exception === 'malformed' ? '[Malformed Packet]' : '[Packet size limited during capture]';
        if (index === 0) return { layers, protocolColumn: 'QUIC', info: note, keepsInfo: true };
        info += note;
        break;
      }
      const packetStop = packetEnd(data, at, end);
      // check_dcid_on_coalesced_packet: a later packet with another DCID is padding the sender
      // appended, not QUIC ("Senders MUST NOT coalesce QUIC packets with different connection IDs").
      const dcid = coalescedDcid(data, at, stop, memo);
      if (index === 0) firstDcid = dcid;
      else if (dcid !== null && firstDcid !== null && dcid !== firstDcid) {
        const pad = new LayerBuilder(data, 'quic', 'QUIC IETF', at, end, ctx.fields);
        addExpert(pad, 'quic.coalesced_padding_data', 'Note', 'Protocol', '(Random) padding data appended to the datagram', at, 0);
        layers.push(pad.layer);
        break;
      }
      const packet = memo.packets[index] ?? { error: '', pnLength: 0, firstByte: 0, pn: 0n, plain: null, retryVerified: 'unknown' as const };
      const result = dissectPacket(data, at, packetStop, end, ctx, memo, packet, index === 0, info);
      layers.push(result.layer);
      info = result.info;
      tls ||= result.tls;
      at = packetStop;
      index++;
      const status = result.layer.status;
      if (status !== 'ok' && (packet.error === SAMPLE_PAST_PACKET || packet.error === SAMPLE_PAST_CAPTURE)) {
        // The exception ends dissect_quic: the Info it had set stays, with the exception's note.
        const note = status === 'malformed' ? '[Malformed Packet]' : '[Packet size limited during capture]';
        if (index === 1) return { layers, protocolColumn: 'QUIC', info: note, keepsInfo: true };
        info += note;
        break;
      }
    } while (at < stop && index <= 64);
    // Coalesced packets are one call of the dissector: one name in frame.protocols.
    return { layers, protocolColumn: 'QUIC', info, chain: layers.map((_, i) => (i === 0 ? (tls ? 'quic:tls' : 'quic') : '')) };
  }

  return {
    protocol: 'quic',
    stateful: true,
    udpPorts: [443],
    heuristic: (data, offset, end) => looksLikeQuicLongHeader(data, offset, end),
    // dissect_quic_short_header_heur: a short header whose DCID (or UDP conversation) is a known connection's.
    conversation: (data, offset, end, ctx) => {
      if (cidLengths.size === 0 && byConversation.size === 0) return false;
      const stop = Math.min(end, data.length);
      if (stop - offset < 1 + 1 + 16 || (data[offset]! & 0x80) !== 0) return byConversation.has(conversationKey(ctx.src, ctx.srcPort, ctx.dst, ctx.dstPort)) && (data[offset]! & 0x40) !== 0;
      const dcid = data.toString('hex', offset + 1, offset + 1 + Math.min(MAX_CID, stop - offset - 1 - 16));
      return findConnection(SHORT_PACKET, dcid, ctx).conn !== null;
    },
    dissect,
  };
}

/** The DCID check_dcid_on_coalesced_packet compares (null: no connection to take a short header's length from). */
function coalescedDcid(data: Buffer, at: number, stop: number, memo: DatagramMemo): string | null {
  const first = data[at]!;
  if ((first & 0x80) !== 0) {
    if (at + 6 > stop) return '';
    const dcil = data[at + 5]!;
    return dcil > 0 && dcil <= MAX_CID ? data.toString('hex', at + 6, Math.min(stop, at + 6 + dcil)) : '';
  }
  const { conn, fromServer } = memo;
  if (!conn) return null;
  const length = (fromServer ? conn.clientCids[0]! : conn.serverCids[0]!).length / 2;
  return data.toString('hex', at + 1, Math.min(stop, at + 1 + length));
}

/**
 * quic_get_message_tvb reads a long header's lengths (DCID, SCID, an Initial's token length, the
 * Length field) to find where the packet ends: reading past the datagram is tshark's exception
 * ('malformed' past its reported length, 'truncated' past the captured bytes), before any Info.
 */
function messageException(data: Buffer, at: number, reportedEnd: number): 'malformed' | 'truncated' | null {
  const captured = Math.min(reportedEnd, data.length);
  const first = data[at]!;
  if ((first & 0x80) === 0) return null;
  const check = (position: number): 'malformed' | 'truncated' | null => (position > reportedEnd ? 'malformed' : position > captured ? 'truncated' : null);
  let problem = check(at + 5);
  if (problem) return problem;
  const version = data.readUInt32BE(at + 1);
  if (version === 0 || longPacketType(first, version) === LPT_RETRY) return null;
  let pos = at + 5;
  for (const step of ['dcid', 'scid'] as const) {
    problem = check(pos + 1);
    if (problem) return problem;
    pos += 1 + data[pos]!;
    void step;
  }
  const varintEnd = (position: number): number | 'malformed' | 'truncated' => {
    const firstByte = check(position + 1);
    if (firstByte) return firstByte;
    const length = 1 << (data[position]! >> 6);
    return check(position + length) ?? position + length;
  };
  if (longPacketType(first, version) === LPT_INITIAL) {
    const tokenLengthEnd = varintEnd(pos);
    if (typeof tokenLengthEnd === 'string') return tokenLengthEnd;
    pos = tokenLengthEnd + varint(data, pos, tokenLengthEnd)!.value;
  }
  const lengthEnd = varintEnd(pos);
  return typeof lengthEnd === 'string' ? lengthEnd : null;
}

/** quic_get_message_tvb: where a coalesced packet ends (the datagram's end for the last one). */
function packetEnd(data: Buffer, at: number, stop: number): number {
  const first = data[at]!;
  if ((first & 0x80) === 0 || at + 6 > Math.min(stop, data.length)) return stop;
  const version = data.readUInt32BE(at + 1);
  if (version === 0) return stop;
  const type = longPacketType(first, version);
  if (type === LPT_RETRY) return stop;
  const header = longHeaderLayout(data, at, stop, type);
  if (!header) return stop;
  const length = header.pnOffset - at + header.length;
  return length < stop - at ? at + length : stop;
}

/** Where a long header's packet number starts, and its Length field's value (null when cut). */
function longHeaderLayout(data: Buffer, start: number, reportedStop: number, type: number): { dcil: number; pnOffset: number; length: number } | null {
  const stop = Math.min(reportedStop, data.length);
  let at = start + 5;
  if (at >= stop) return null;
  const dcil = data[at]!;
  at += 1 + dcil;
  if (at >= stop) return null;
  at += 1 + data[at]!;
  if (type === LPT_INITIAL) {
    const token = varint(data, at, stop);
    if (!token) return null;
    at += token.length + token.value;
  }
  const length = varint(data, at, stop);
  if (!length) return null;
  return { dcil, pnOffset: at + length.length, length: length.value };
}

interface PacketResult {
  layer: Layer;
  info: string;
  /** A CRYPTO frame's TLS handshake was dissected (frame.protocols: quic:tls). */
  tls: boolean;
}

function dissectPacket(data: Buffer, offset: number, stop: number, end: number, ctx: AppContext, memo: DatagramMemo, packet: PacketMemo, firstInDatagram: boolean, infoBefore: string): PacketResult {
  const b = new LayerBuilder(data, 'quic', 'QUIC IETF', offset, Math.min(end, stop), ctx.fields);
  let info = infoBefore;
  const { conn, fromServer } = memo;
  const result = { tls: false };
  const layer = dissectSafely(b, () => {
    if (firstInDatagram) {
      b.group('', 'QUIC Connection information', null, offset, 0, () => {
        if (conn) b.add('quic.connection.number', () => `[Connection Number: ${conn.number}]`, conn.number, offset, 0);
        else addExpert(b, 'quic.connection_unknown', 'Note', 'Protocol', 'Unknown QUIC connection. Missing Initial Packet or migrated connection?', offset, 0);
      });
    }
    b.add('quic.packet_length', () => `[Packet Length: ${stop - offset}]`, stop - offset, offset, 0);
    const first = b.u8(offset, 'QUIC header');
    const long = (first & 0x80) !== 0;
    let next: number;
    if (long) {
      b.add('quic.header_form', () => `${bitPicture(first, 0x80, 8)} = Header Form: Long Header (1)`, 1, offset, 1);
      if (packet.error === SAMPLE_PAST_PACKET) throw new StopDissection('malformed', 'the header protection sample lies past the packet');
      if (packet.error === SAMPLE_PAST_CAPTURE) throw new StopDissection('truncated', 'the header protection sample lies past the captured bytes');
      const version = b.u32(offset + 1, 'version');
      if (version === 0) {
        info = 'Version Negotiation';
        b.add('quic.vn.unused', () => `${bitPicture(first, 0x7f, 8)} = Unused: ${hex(first & 0x7f, 2)}`, first & 0x7f, offset, 1, () => hex(first & 0x7f, 2));
        const common = longHeaderCommon(b, data, offset + 1, info);
        info = common.info;
        let at = common.next;
        while (at + 4 <= stop) {
          const supported = data.readUInt32BE(at);
          const grease = (supported & 0x0f0f0f0f) >>> 0 === 0x0a0a0a0a;
          b.add('quic.supported_version', () => `Supported Version: ${versionName(supported)} (${hex(supported, 8)})${grease ? ' (GREASE)' : ''}`, supported, at, 4, () => hex(supported, 8));
          at += 4;
        }
        next = at;
      } else {
        const type = longPacketType(first, version);
        const typeField = isQuicV2(version) ? 'quic.long.packet_type_v2' : 'quic.long.packet_type';
        const typeBits = (first >> 4) & 3;
        const typeLabel = () => `${bitPicture(first, 0x30, 8)} = Packet Type: ${LONG_TYPE_NAMES[type]} (${typeBits})`;
        if (type === LPT_RETRY) {
          b.add(typeField, typeLabel, typeBits, offset, 1);
          info = 'Retry';
          const common = longHeaderCommon(b, data, offset + 1, info);
          info = common.info;
          let at = common.next;
          if (quicDraftVersion(version) !== 0 && quicDraftVersion(version) <= 24) {
            const odcil = b.u8(at, 'ODCIL');
            b.add('quic.odcil', `Original Destination Connection ID Length: ${odcil}`, odcil, at, 1);
            const odcid = b.bytes(at + 1, odcil, 'ODCID');
            b.add('quic.odcid', () => `Original Destination Connection ID: ${odcid.toString('hex')}`, Buffer.from(odcid), at + 1, odcil, () => odcid.toString('hex'));
            at += 1 + odcil;
          }
          const withTag = !(quicDraftVersion(version) !== 0 && quicDraftVersion(version) <= 24);
          const tokenLength = Math.max(0, stop - at - (withTag && stop - at >= 16 ? 16 : 0));
          const token = data.subarray(at, at + tokenLength);
          b.add('quic.retry_token', () => `Retry Token: ${ellipsized(token)}`, Buffer.from(token), at, tokenLength, () => token.toString('hex'));
          at += tokenLength;
          if (withTag) {
            const tag = b.bytes(at, 16, 'Retry Integrity Tag');
            const field = b.add('quic.retry_integrity_tag', () => `Retry Integrity Tag: ${tag.toString('hex')}${packet.retryVerified === 'yes' ? ' [verified]' : ''}`, Buffer.from(tag), at, 16, () => tag.toString('hex'));
            if (packet.retryVerified !== 'yes') {
              const message = packet.retryVerified === 'no' ? 'Retry Integrity Tag verification failure' : 'Cannot verify Retry Packet due to unknown ODCID';
              addExpertTo(b, field, 'quic.bad_retry', 'Warning', 'Protocol', message);
            }
            at += 16;
          }
          next = at;
        } else {
          b.add('quic.fixed_bit', () => `${bitPicture(first, 0x40, 8)} = Fixed Bit: ${(first & 0x40) !== 0 ? 'True' : 'False'}`, (first & 0x40) !== 0, offset, 1);
          b.add(typeField, typeLabel, typeBits, offset, 1);
          if (packet.pnLength) {
            const fb = packet.firstByte;
            b.add('quic.long.reserved', () => `${bitPicture(fb, 0x0c, 8)} = Reserved: ${(fb & 0x0c) >> 2}`, (fb & 0x0c) >> 2, offset, 1);
            b.add('quic.packet_number_length', () => `${bitPicture(fb, 0x03, 8)} = Packet Number Length: ${(fb & 3) + 1} bytes (${fb & 3})`, fb & 3, offset, 1);
          }
          info = LONG_TYPE_NAMES[type]!;
          const common = longHeaderCommon(b, data, offset + 1, info);
          info = common.info;
          let at = common.next;
          if (type === LPT_INITIAL) {
            const token = quicVarint(b, data, at, 'token length');
            b.add('quic.token_length', `Token Length: ${token.value}`, token.value, at, token.length);
            at += token.length;
            if (token.value > 0) {
              const bytes = b.bytes(at, token.value, 'token');
              b.add('quic.token', () => `Token: ${ellipsized(bytes)}`, Buffer.from(bytes), at, token.value, () => bytes.toString('hex'));
              at += token.value;
            }
          }
          const length = quicVarint(b, data, at, 'length');
          b.add('quic.length', `Length: ${length.value}`, length.value, at, length.length);
          at += length.length;
          next = at;
          if (packet.error && packet.pnLength === 0) {
            addExpert(b, 'quic.decryption_failed', 'Warning', 'Decryption', `Failed to create decryption context: ${packet.error}`, offset, 0);
          } else if (!conn || packet.pnLength === 0) {
            addExpert(b, 'quic.decryption_failed', 'Warning', 'Decryption', 'Failed to decrypt packet number', offset, 0);
          } else {
            const pn = packet.pn;
            b.add('quic.packet_number', () => `Packet Number: ${pn}`, Number(pn), at, packet.pnLength);
            at += packet.pnLength;
            info += `, PKN: ${pn}`;
            const payload = data.subarray(at, stop);
            const field = b.add('quic.payload', () => `Payload: ${ellipsized(payload)}`, Buffer.from(payload), at, stop - at, () => payload.toString('hex'));
            if (packet.error) {
              const message = `Decryption failed: ${packet.error}`;
              addExpertTo(b, field, 'quic.decryption_failed', 'Warning', 'Decryption', message);
            } else if (packet.plain) {
              info = decryptedFrames(b, packet.plain, info, conn, fromServer, result, packet, ctx.frameNumber);
            }
            next = stop;
          }
        }
      }
    } else {
      const dcidLength = conn ? (fromServer ? conn.clientCids[0]! : conn.serverCids[0]!).length / 2 : 0;
      const dcid = data.subarray(offset + 1, Math.min(stop, offset + 1 + dcidLength));
      const dcidText = dcid.toString('hex');
      b.group('quic.short', () => `QUIC Short Header${dcidLength > 0 ? ` DCID=${dcidText}` : ''}`, null, offset, stop - offset, () => {
        b.add('quic.header_form', () => `${bitPicture(first, 0x80, 8)} = Header Form: Short Header (0)`, 0, offset, 1);
        b.add('quic.fixed_bit', () => `${bitPicture(first, 0x40, 8)} = Fixed Bit: ${(first & 0x40) !== 0 ? 'True' : 'False'}`, (first & 0x40) !== 0, offset, 1);
        b.add('quic.spin_bit', () => `${bitPicture(first, 0x20, 8)} = Spin Bit: ${(first & 0x20) !== 0 ? 'True' : 'False'}`, (first & 0x20) !== 0, offset, 1);
        if (dcidLength > 0) {
          b.need(offset + 1, dcidLength, 'destination connection ID');
          b.add('quic.dcid', () => `Destination Connection ID: ${dcidText}`, Buffer.from(dcid), offset + 1, dcidLength, () => dcidText);
        }
      });
      info = `Protected Payload (KP0)${dcidLength > 0 ? `, DCID=${dcidText}` : ''}`;
      next = offset + 1 + dcidLength;
      if (packet.error) addExpert(b, 'quic.decryption_failed', 'Warning', 'Decryption', `Failed to create decryption context: ${packet.error}`, offset, 0);
    }
    if (next < stop) {
      const rest = data.subarray(next, stop);
      b.add('quic.remaining_payload', () => `Remaining Payload: ${ellipsized(rest)}`, Buffer.from(rest), next, stop - next, () => rest.toString('hex'));
    }
  });
  return { layer, info, tls: result.tls };
}

/** DCID and SCID with their lengths (dissect_quic_long_header_common), and Info's ", DCID=…, SCID=…". */
function longHeaderCommon(b: LayerBuilder, data: Buffer, at: number, infoBefore: string): { next: number; info: string } {
  const version = b.u32(at, 'version');
  const grease = (version & 0x0f0f0f0f) >>> 0 === 0x0a0a0a0a;
  b.add('quic.version', () => `Version: ${versionName(version)} (${hex(version, 8)})${grease ? ' (Forcing Version Negotiation)' : ''}`, version, at, 4, () => hex(version, 8));
  at += 4;
  let info = infoBefore;
  const dcil = b.u8(at, 'DCID length');
  b.add('quic.dcil', `Destination Connection ID Length: ${dcil}`, dcil, at, 1);
  at++;
  let dcid = '';
  if (dcil) {
    const bytes = b.bytes(at, dcil, 'destination connection ID');
    dcid = bytes.toString('hex');
    b.add('quic.dcid', () => `Destination Connection ID: ${bytes.toString('hex')}`, Buffer.from(bytes), at, dcil, () => bytes.toString('hex'));
    at += dcil;
  }
  const scil = b.u8(at, 'SCID length');
  b.add('quic.scil', `Source Connection ID Length: ${scil}`, scil, at, 1);
  at++;
  let scid = '';
  if (scil) {
    const bytes = b.bytes(at, scil, 'source connection ID');
    scid = bytes.toString('hex');
    b.add('quic.scid', () => `Source Connection ID: ${bytes.toString('hex')}`, Buffer.from(bytes), at, scil, () => bytes.toString('hex'));
    at += scil;
  }
  if (dcil > 0 && dcil <= MAX_CID) info += `, DCID=${dcid}`;
  if (scil > 0 && scil <= MAX_CID) info += `, SCID=${scid}`;
  return { next: at, info };
}

function quicVarint(b: LayerBuilder, data: Buffer, at: number, what: string): { value: number; length: number } {
  const first = b.u8(at, what);
  const length = 1 << (first >> 6);
  b.need(at, length, what);
  return varint(data, at, at + length)!;
}

/** A bytes field's label text: Wireshark shows 36 bytes and an ellipsis for longer values. */
function ellipsized(bytes: Buffer): string {
  return bytes.length > 36 ? `${bytes.toString('hex', 0, 36)}…` : bytes.toString('hex');
}

/**
 * The frames of a decrypted packet (dissect_quic_frame_type), in a builder over the plaintext; the
 * fields join the QUIC layer with their offsets in that buffer ("Decrypted QUIC"). Returns Info
 * with each frame's type appended.
 */
function decryptedFrames(parent: LayerBuilder, plain: Buffer, infoBefore: string, conn: Connection, fromServer: boolean, result: { tls: boolean }, packet: PacketMemo, frameNumber: number): string {
  const firstPass = packet.crypto === undefined;
  const verdicts = (packet.crypto ??= []);
  let cryptoIndex = 0;
  const b = new LayerBuilder(plain, 'quic', '', 0, plain.length, parent.selection);
  let info = infoBefore;
  dissectSafely(b, () => {
    let at = 0;
    while (at < plain.length) {
      const type = quicVarint(b, plain, at, 'frame type');
      const name = frameTypeName(type.value);
      info += `, ${name}`;
      const start = at;
      let known = true;
      const typeLine = () => `Frame Type: ${name} (0x${type.value.toString(16).padStart(16, '0')})`;
      if (type.value === 0x00) {
        let padEnd = at;
        while (padEnd < plain.length && plain[padEnd] === 0) padEnd++;
        const padding = padEnd - at;
        b.group('quic.frame', `PADDING Length: ${padding}`, null, start, padding, () => {
          b.add('quic.frame_type', typeLine, type.value, at, type.length, String(type.value));
          b.add('quic.padding_length', `[Padding Length: ${padding}]`, padding, at, 0);
        });
        at = padEnd;
        continue;
      }
      const frame = b.group('quic.frame', name, null, start, 0, () => {
        b.add('quic.frame_type', typeLine, type.value, at, type.length, String(type.value));
        at += type.length;
        const number = (abbrev: string, label: string): number => {
          const v = quicVarint(b, plain, at, label);
          b.add(abbrev, `${label}: ${v.value}`, v.value, at, v.length);
          at += v.length;
          return v.value;
        };
        if (type.value === 0x01) return;
        if (type.value === 0x02 || type.value === 0x03) {
          number('quic.ack.largest_acknowledged', 'Largest Acknowledged');
          number('quic.ack.ack_delay', 'ACK Delay');
          const ranges = number('quic.ack.ack_range_count', 'ACK Range Count');
          number('quic.ack.first_ack_range', 'First ACK Range');
          for (let i = 0; i < ranges && at < plain.length; i++) {
            number('quic.ack.gap', 'Gap');
            number('quic.ack.ack_range', 'ACK Range');
          }
          if (type.value === 0x03) {
            number('quic.ack.ect0_count', 'ECT(0) Count');
            number('quic.ack.ect1_count', 'ECT(1) Count');
            number('quic.ack.ecn_ce_count', 'ECN-CE Count');
          }
          return;
        }
        if (type.value === 0x06) {
          const cryptoOffset = number('quic.crypto.offset', 'Offset');
          const length = number('quic.crypto.length', 'Length');
          b.need(at, length, 'crypto data');
          b.add('quic.crypto.crypto_data', 'Crypto Data', null, at, length, '');
          // The crypto stream as Wireshark follows it: data at or below what this side already
          // sent is a retransmission (after a Retry, the ClientHello again); the next bytes in
          // order are handed to TLS.
          if (firstPass) verdicts.push(planCrypto(conn, fromServer, cryptoOffset, plain.subarray(at, at + length), frameNumber));
          const plan = verdicts[cryptoIndex++] ?? { kind: 'other' };
          if (plan.kind === 'retransmission') {
            // proto_tree_add_expert: an item with the expert's text, the expert info under it.
            const message = 'This QUIC frame has a reused stream offset (retransmission?)';
            b.group('', message, null, at, length, () => addExpert(b, 'quic.retransmission', 'Note', 'Sequence', message, at, length));
          } else if (plan.kind === 'whole') {
            const tls = readQuicHandshakes(b, at, at + length);
            result.tls = true;
            if (fromServer && tls.names.includes('Server Hello') && tls.suite !== undefined && tls.suite >= 0x1301 && tls.suite <= 0x1303) conn.cipherKnown = true;
          } else if (plan.kind === 'fragment') {
            result.tls = true;
            const title = plan.first ? `TLSv1.3 Record Layer: Handshake Protocol: ${plan.name} (fragment)` : 'TLSv1.3 Record Layer: Handshake Protocol: Multiple Handshake Messages';
            b.group('tls', title, null, at, length, () => b.add('tls.handshake', `Handshake Protocol: ${plan.name} (fragment)`, null, at, length, ''));
          } else if (plan.kind === 'last') {
            result.tls = true;
            const { name, message, chunks } = plan;
            const group = b.group('tls', `TLSv1.3 Record Layer: Handshake Protocol: ${name}`, null, at, length, () => {
              b.add('tls.handshake', `Handshake Protocol: ${name} (last fragment)`, null, at, length, '');
              let from = 0;
              const parts = chunks.map((c) => `#${c.frame}(${c.size})`).join(', ');
              b.group('tls.handshake.fragments', `[${chunks.length} Reassembled Handshake Fragments (${message.length} bytes): ${parts}]`, null, at, 0, () => {
                for (const c of chunks) {
                  const first = from;
                  b.add('tls.handshake.fragment', `[Frame: ${c.frame}, payload: ${first}-${first + c.size - 1} (${c.size} bytes)]`, c.frame, at, 0);
                  from += c.size;
                }
                b.add('tls.handshake.fragment.count', `[Handshake Fragment count: ${chunks.length}]`, chunks.length, at, 0);
              });
            });
            // The message itself, read from the reassembled bytes.
            const rb = new LayerBuilder(message, 'quic', '', 0, message.length, b.selection);
            let tls: { names: string[]; suite?: number } = { names: [] };
            dissectSafely(rb, () => {
              tls = readQuicHandshakeMessages(rb, 0, message.length);
            });
            // Without a tree (a filter's or -T fields' selection) the builder keeps fields flat.
            if (b.tree) (group.children ??= []).push(...rb.layer.fields);
            else b.layer.fields.push(...rb.layer.fields);
            if (fromServer && tls.names.includes('Server Hello') && tls.suite !== undefined && tls.suite >= 0x1301 && tls.suite <= 0x1303) conn.cipherKnown = true;
          }
          at += length;
          return;
        }
        known = false;
      });
      frame.length = at - start;
      if (!known) {
        // A frame type Initial packets do not carry: its fields are not decoded, so the rest of
        // the plaintext cannot be split into frames.
        break;
      }
    }
  });
  for (const field of b.layer.fields) markDecrypted(field);
  parent.layer.fields.push(...b.layer.fields);
  parent.layer.data = plain;
  parent.layer.sourceName = 'Decrypted QUIC';
  return info;
}

/**
 * The crypto stream as Wireshark follows it: data at or below what this side already sent is a
 * retransmission (after a Retry, the ClientHello again); the next bytes in order go to TLS, whole
 * messages at once, a message cut across frames put together on the frame that completes it.
 */
function planCrypto(conn: Connection, fromServer: boolean, offset: number, bytes: Buffer, frameNumber: number): CryptoPlan {
  const seen = fromServer ? conn.cryptoEnd.server : conn.cryptoEnd.client;
  if (offset + bytes.length <= seen && bytes.length > 0) return { kind: 'retransmission' };
  if (offset !== seen || bytes.length === 0) return { kind: 'other' };
  if (fromServer) conn.cryptoEnd.server = seen + bytes.length;
  else conn.cryptoEnd.client = seen + bytes.length;
  const side = fromServer ? 'server' : 'client';
  const pending = conn.pending[side];
  if (pending) {
    pending.parts.push(Buffer.from(bytes));
    pending.received += bytes.length;
    pending.chunks.push({ frame: frameNumber, size: bytes.length });
    if (pending.received < pending.total) return { kind: 'fragment', name: pending.name, first: false };
    conn.pending[side] = null;
    return { kind: 'last', name: pending.name, message: Buffer.concat(pending.parts).subarray(0, pending.total), chunks: pending.chunks };
  }
  if (wholeHandshakes(bytes, 0, bytes.length)) return { kind: 'whole' };
  const name = bytes.length >= 4 ? handshakeTypeName(bytes[0]!) : undefined;
  if (name !== undefined && 4 + bytes.readUIntBE(1, 3) > bytes.length) {
    conn.pending[side] = { name, total: 4 + bytes.readUIntBE(1, 3), parts: [Buffer.from(bytes)], received: bytes.length, chunks: [{ frame: frameNumber, size: bytes.length }] };
    return { kind: 'fragment', name, first: true };
  }
  return { kind: 'other' };
}

/** CRYPTO data that holds whole handshake messages (a message split over frames is not put together). */
function wholeHandshakes(data: Buffer, start: number, end: number): boolean {
  let at = start;
  while (at + 4 <= end) at += 4 + data.readUIntBE(at + 1, 3);
  return at === end && end > start;
}

function markDecrypted(field: import('./model').Field): void {
  field.source = 'reassembled';
  for (const child of field.children ?? []) markDecrypted(child);
}

/** Long header with the fixed bit, a known version (or negotiation) and sane CID lengths. */
export function looksLikeQuicLongHeader(data: Buffer, offset: number, end: number): boolean {
  const stop = Math.min(end, data.length);
  if (offset + 7 > stop) return false;
  const first = data[offset]!;
  if ((first & 0xc0) !== 0xc0) return false;
  const version = data.readUInt32BE(offset + 1);
  const known = version === 1 || version === 0x6b3343cf || (version & 0xffffff00) === 0xff000000 || version === 0;
  if (!known) return false;
  const dcil = data[offset + 5]!;
  if (dcil > MAX_CID || offset + 6 + dcil >= stop) return false;
  return data[offset + 6 + dcil]! <= MAX_CID;
}
