/**
 * WireGuard (protocol "wg") as tshark 4.0 shows it without keys (epan/dissectors/packet-wireguard.c).
 *
 * How tshark finds it: no UDP port is registered (udp.port 0); an enabled UDP heuristic takes a
 * payload whose first byte is a message type 1–4 and whose length is that type's (Initiation 148,
 * Response 92, Cookie Reply 64, Transport Data at least 32), the three reserved bytes zero for
 * Cookie Reply and Transport Data (Cloudflare's implementation uses them for other messages). A
 * Handshake Initiation makes WireGuard the dissector of its UDP conversation (addresses and ports):
 * later payloads of it go to WireGuard before any port's dissector and whatever their reserved
 * bytes, as long as type and length fit.
 *
 * Fields: wg.type, wg.reserved, wg.sender, wg.receiver, wg.ephemeral (base64) with
 * wg.ephemeral.known_privkey (false: no keys), wg.encrypted_static / wg.encrypted_timestamp /
 * wg.encrypted_empty / wg.encrypted_packet (FT_NONE: -T fields prints 1), wg.mac1, wg.mac2,
 * wg.nonce, wg.encrypted_cookie, wg.counter, and the session tracking of the first pass: a session
 * per Initiation (wg.stream counts them), a Response or Cookie Reply sent to the initiator's
 * address and port with the initiation's sender as receiver links to it (wg.response_to), Transport
 * Data to either peer of an answered session with its receiver id gets the session's wg.stream.
 * wg.response_in would need a second pass (tshark shows none either). Without keys there is no
 * decryption, so no wg.handshake_ok, wg.static or decrypted packet.
 * Info: "Handshake Initiation, sender=0x1A2B3C4D", "Handshake Response, sender=…, receiver=…",
 * "Cookie Reply, receiver=…", "Transport Data, receiver=…, counter=N, datalen=N", "Keepalive,
 * receiver=…, counter=N" (Transport Data with no payload besides the 16-byte tag).
 */
import { conversationKey } from './dissector';
import { dissectSafely, hex, LayerBuilder } from './builder';
import type { AppContext, AppDissector, AppResult } from './model';
import { statusSuffix } from './routing-common';

const TYPES: Record<number, string> = { 1: 'Handshake Initiation', 2: 'Handshake Response', 3: 'Cookie Reply', 4: 'Transport Data' };
const AUTH_TAG = 16;

/** wg_is_valid_message_length: the message's length (the UDP payload's, not the captured bytes) fits its type. */
export function validWireguardLength(type: number, length: number): boolean {
  switch (type) {
    case 1: return length === 148;
    case 2: return length === 92;
    case 3: return length === 64;
    case 4: return length >= 32;
    default: return false;
  }
}

/** dissect_wg_heur's test (the payload's first 4 bytes must be captured). */
export function looksLikeWireguard(data: Buffer, offset: number, end: number): boolean {
  if (end - offset < 4 || Math.min(end, data.length) - offset < 4) return false;
  const type = data[offset]!;
  if (!validWireguardLength(type, end - offset)) return false;
  const reservedZero = data[offset + 1] === 0 && data[offset + 2] === 0 && data[offset + 3] === 0;
  return type === 1 || type === 2 || reservedZero;
}

interface Session {
  stream: number;
  initiatorFrame: number;
  responseFrame: number;
  initiatorAddress: string;
  initiatorPort: number;
  responderAddress: string;
  responderPort: number;
}

/** Bounds on what is remembered (tshark keeps everything; a bound keeps memory finite). */
const MAX_SESSIONS = 1 << 20;
const MAX_CONVERSATIONS = 1 << 16;

export function createWireguardDissector(): AppDissector {
  /** Sessions by the sender ids of their Initiation and Response, oldest first. */
  const sessions = new Map<number, Session[]>();
  let sessionCount = 0;
  let stored = 0;
  /** UDP conversations an Initiation made WireGuard's (conversation_set_dissector). */
  const conversations = new Set<string>();
  const ofConversation = (ctx: AppContext): boolean => conversations.size > 0 && conversations.has(conversationKey(ctx.src, ctx.srcPort, ctx.dst, ctx.dstPort));
  /** dissect_wg accepts: known type, right length (the conversation's dissector, no reserved-bytes test). */
  const accepts = (data: Buffer, offset: number, end: number): boolean => Math.min(end, data.length) > offset && validWireguardLength(data[offset]!, end - offset);

  const insert = (id: number, session: Session): void => {
    if (++stored > MAX_SESSIONS) {
      sessions.clear();
      stored = 1;
    }
    let list = sessions.get(id);
    if (list === undefined) sessions.set(id, (list = []));
    list.push(session);
  };

  return {
    protocol: 'wg',
    stateful: true,
    conversation: (data, offset, end, ctx) => ctx.transport === 'udp' && ofConversation(ctx) && accepts(data, offset, end),
    heuristic: (data, offset, end, ctx) => ctx.transport === 'udp' && (looksLikeWireguard(data, offset, end) || (ofConversation(ctx) && accepts(data, offset, end))),
    claims: (data, offset, end) => accepts(data, offset, end),
    dissect: (data, offset, end, ctx) => {
      if (data[offset] === 1) {
        if (conversations.size > MAX_CONVERSATIONS) conversations.clear();
        conversations.add(conversationKey(ctx.src, ctx.srcPort, ctx.dst, ctx.dstPort));
      }
      return dissectWireguard(data, offset, end, ctx, {
        initiation(sender) {
          const session: Session = {
            stream: sessionCount++, initiatorFrame: ctx.frameNumber, responseFrame: 0,
            initiatorAddress: ctx.src, initiatorPort: ctx.srcPort, responderAddress: '', responderPort: -1,
          };
          insert(sender, session);
          return session;
        },
        response(receiver) {
          // wg_sessions_lookup_initiation: the newest initiation with this sender id, sent from where this goes.
          const list = sessions.get(receiver) ?? [];
          for (let i = list.length - 1; i >= 0; i--) {
            const s = list[i]!;
            if (s.initiatorPort !== ctx.dstPort || s.initiatorAddress !== ctx.dst) continue;
            if (s.responseFrame && s.responseFrame !== ctx.frameNumber) continue;
            return s;
          }
          return null;
        },
        link(session, sender) {
          session.responseFrame = ctx.frameNumber;
          session.responderAddress = ctx.src;
          session.responderPort = ctx.srcPort;
          if (sender !== null) insert(sender, session);
        },
        data(receiver) {
          // wg_sessions_lookup: the newest answered session with this id whose initiator or responder this goes to.
          const list = sessions.get(receiver) ?? [];
          for (let i = list.length - 1; i >= 0; i--) {
            const s = list[i]!;
            if (!s.responseFrame) continue;
            if (s.initiatorPort === ctx.dstPort && s.initiatorAddress === ctx.dst) {
              s.responderAddress = ctx.src;
              s.responderPort = ctx.srcPort;
              return s;
            }
            if (s.responderPort === ctx.dstPort && s.responderAddress === ctx.dst) {
              s.initiatorAddress = ctx.src;
              s.initiatorPort = ctx.srcPort;
              return s;
            }
          }
          return null;
        },
      });
    },
  };
}

interface SessionHooks {
  initiation(sender: number): Session;
  /** The session of the initiation a Handshake Response or Cookie Reply to `receiver` answers. */
  response(receiver: number): Session | null;
  /** Links that answer (its frame, the responder's address) once it is dissected; a Response's sender id finds the session too. */
  link(session: Session, sender: number | null): void;
  data(receiver: number): Session | null;
}

function dissectWireguard(data: Buffer, offset: number, end: number, ctx: AppContext, hooks: SessionHooks): AppResult {
  const type = data[offset]!;
  const length = end - offset;
  const name = type === 4 && length === 32 ? 'Keepalive' : TYPES[type]!;
  const b = new LayerBuilder(data, 'wg', 'WireGuard Protocol', offset, end, ctx.fields);
  let info = name;
  const le32 = (at: number): number => {
    b.need(at, 4, 'identifier');
    return data.readUInt32LE(at);
  };
  const id = (n: number): string => `0x${n.toString(16).toUpperCase().padStart(8, '0')}`;
  const bytesField = (abbrev: string, label: string, at: number, n: number): void => {
    const value = b.bytes(at, n, label);
    b.add(abbrev, () => `${label}: ${value.toString('hex')}`, Buffer.from(value), at, n, () => value.toString('hex'));
  };
  const noneField = (abbrev: string, label: string, at: number, n: number): void => {
    b.need(at, n, label);
    b.add(abbrev, label, null, at, n, '1');
  };
  const stream = (session: Session | null): void => {
    if (session) b.add('wg.stream', () => `[Stream index: ${session.stream}]`, session.stream, offset, 0);
  };
  dissectSafely(b, () => {
    b.add('wg.type', () => `Type: ${TYPES[type]} (${type})`, type, offset, 1);
    bytesField('wg.reserved', 'Reserved', offset + 1, 3);
    if (type === 1) {
      const sender = le32(offset + 4);
      b.add('wg.sender', () => `Sender: ${hex(sender, 8)}`, sender, offset + 4, 4, () => hex(sender, 8));
      info += `, sender=${id(sender)}`;
      ephemeral(b, offset + 8);
      noneField('wg.encrypted_static', 'Encrypted Static', offset + 40, 32 + AUTH_TAG);
      noneField('wg.encrypted_timestamp', 'Encrypted Timestamp', offset + 88, 12 + AUTH_TAG);
      bytesField('wg.mac1', 'mac1', offset + 116, 16);
      bytesField('wg.mac2', 'mac2', offset + 132, 16);
      stream(hooks.initiation(sender));
    } else if (type === 2) {
      const sender = le32(offset + 4);
      b.add('wg.sender', () => `Sender: ${hex(sender, 8)}`, sender, offset + 4, 4, () => hex(sender, 8));
      info += `, sender=${id(sender)}`;
      const receiver = le32(offset + 8);
      b.add('wg.receiver', () => `Receiver: ${hex(receiver, 8)}`, receiver, offset + 8, 4, () => hex(receiver, 8));
      info += `, receiver=${id(receiver)}`;
      // The session is looked up before the rest is read, and linked after it (a cut message links none).
      const session = hooks.response(receiver);
      ephemeral(b, offset + 12);
      noneField('wg.encrypted_empty', 'Encrypted Empty', offset + 44, 16);
      bytesField('wg.mac1', 'mac1', offset + 60, 16);
      bytesField('wg.mac2', 'mac2', offset + 76, 16);
      if (session) hooks.link(session, sender);
      responseTo(b, offset, session);
    } else if (type === 3) {
      const receiver = le32(offset + 4);
      b.add('wg.receiver', () => `Receiver: ${hex(receiver, 8)}`, receiver, offset + 4, 4, () => hex(receiver, 8));
      info += `, receiver=${id(receiver)}`;
      bytesField('wg.nonce', 'Nonce', offset + 8, 24);
      bytesField('wg.encrypted_cookie', 'Encrypted Cookie', offset + 32, 16 + AUTH_TAG);
      const session = hooks.response(receiver);
      if (session) hooks.link(session, null);
      responseTo(b, offset, session);
    } else {
      const receiver = le32(offset + 4);
      b.add('wg.receiver', () => `Receiver: ${hex(receiver, 8)}`, receiver, offset + 4, 4, () => hex(receiver, 8));
      info += `, receiver=${id(receiver)}`;
      b.need(offset + 8, 8, 'counter');
      const counter = data.readBigUInt64LE(offset + 8);
      b.add('wg.counter', () => `Counter: ${counter}`, counter, offset + 8, 8);
      info += `, counter=${counter}`;
      // tvb_captured_length_remaining: a capture cut inside the tag is "too small", not an exception.
      const packetLength = Math.max(0, Math.min(end, data.length) - (offset + 16));
      if (packetLength < AUTH_TAG) {
        // proto_tree_add_expert: an item with the expert's text, the expert info under it.
        b.group('wg.bad_packet_length', 'Packet length is too small', null, offset + 16, packetLength, () => expert(b, '', 'Error', 'Malformed', 'Packet length is too small', offset + 16, packetLength), '1');
      } else {
        if (packetLength !== AUTH_TAG) info += `, datalen=${packetLength - AUTH_TAG}`;
        b.group('wg.encrypted_packet', 'Encrypted Packet', null, offset + 16, packetLength, () => {
          if (packetLength === AUTH_TAG) expert(b, 'wg.keepalive', 'Chat', 'Sequence', 'This is a Keepalive message', offset + 16, packetLength);
        }, '1');
        stream(hooks.data(receiver));
      }
    }
  });
  return { layers: [b.layer], protocolColumn: 'WireGuard', info: info + statusSuffix(b.layer) };
}

/** The ephemeral public key (base64) and, decryption being supported, whether its private key is known (never, without keys). */
function ephemeral(b: LayerBuilder, at: number): void {
  const key = b.bytes(at, 32, 'ephemeral').toString('base64');
  b.group('wg.ephemeral', () => `Ephemeral: ${key}`, key, at, 32, () => {
    b.add('wg.ephemeral.known_privkey', '[Has Private Key: False]', false, at, 0);
  });
}

function responseTo(b: LayerBuilder, offset: number, session: Session | null): void {
  if (!session) return;
  b.add('wg.stream', () => `[Stream index: ${session.stream}]`, session.stream, offset, 0);
  b.add('wg.response_to', () => `[Response to Frame: ${session.initiatorFrame}]`, session.initiatorFrame, offset, 0);
}

/** An expert item as tshark's tree shows it (-T fields prints 1 for it). */
function expert(b: LayerBuilder, abbrev: string, severity: string, group: string, message: string, at: number, length: number): void {
  b.group(abbrev, `[Expert Info (${severity}/${group}): ${message}]`, null, at, length, () => {
    b.add('', `[${message}]`, null, at, length);
    b.add('', `[Severity level: ${severity}]`, null, at, length);
    b.add('', `[Group: ${group}]`, null, at, length);
  }, '1');
}
