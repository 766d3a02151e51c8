/**
 * OpenVPN (protocol "openvpn", UDP and TCP port 1194) as tshark 4.0 shows it with its default
 * preferences (epan/dissectors/packet-openvpn.c): long packet-id format, tls-auth guessed, SHA-1
 * HMAC size 20.
 *
 * Each message: openvpn.type (opcode and key id, openvpn.opcode / openvpn.keyid); P_DATA_V2 a
 * peer id; control and ACK messages a session id, then — when the byte after it is not zero and
 * no two of the four bytes from there are zero (the tls-auth guess) — a 20-byte HMAC, and when 8
 * bytes are left the replay packet id and net time; the ACK packet-id array (length, elements,
 * remote session id when 8 bytes are left), and for control messages the message packet id when 4
 * bytes are left. P_CONTROL_HARD_RESET_CLIENT_V3 and P_CONTROL_WKC_V1 are always tls-crypt
 * (packet id, net time, a 32-byte HMAC, no array, no message packet id). What is left is "Data"
 * (openvpn.data; with a wrapped client key for V3/WKC), except for P_CONTROL_V1, whose payload is
 * the TLS control channel: a payload of exactly 100 bytes is taken as a fragment with more to
 * follow (openvpn.fragment_bytes), any other ends the message, which is put together with the
 * fragments before it (same addresses and low 32 bits of the session id; openvpn.fragments …
 * openvpn.reassembled.length) and handed to TLS, which cannot desegment there: a record running
 * past the message is left out, a message starting inside a record is "Continuation Data". TLS
 * then owns the Protocol and Info columns. Over TCP a 2-byte length (openvpn.plen) precedes each
 * message and messages are put together across segments (tcp_dissect_pdus).
 * Info: "MessageType: P_CONTROL_HARD_RESET_CLIENT_V2" (or TLS's for control messages).
 * Bytes that do not fit (static-key traffic on 1194, whose first byte is no opcode) are read as
 * tshark reads them, up to the exception that makes them "[Malformed Packet]".
 */
import { dissectSafely, hex, LayerBuilder } from './builder';
import { bitPicture } from './format';
import { absoluteTimeText } from './app-format';
import type { AppContext, AppDissector, AppResult, Field, Layer, PduSplit } from './model';
import { lengthPrefixedPdus, ONE_MORE_SEGMENT } from './tcp-pdus';
import { createTlsConversations, dissectTlsMessage, printableStart, type Conversations } from './tls';
import { dataLayer } from './hsrp';
import { statusSuffix } from './routing-common';

export const OPENVPN_PORT = 1194;

const P_CONTROL_V1 = 4;
const P_ACK_V1 = 5;
const P_DATA_V1 = 6;
const P_DATA_V2 = 9;
const P_CONTROL_HARD_RESET_CLIENT_V3 = 10;
const P_CONTROL_WKC_V1 = 11;
const OPCODES: Record<number, string> = {
  1: 'P_CONTROL_HARD_RESET_CLIENT_V1', 2: 'P_CONTROL_HARD_RESET_SERVER_V1', 3: 'P_CONTROL_SOFT_RESET_V1', 4: 'P_CONTROL_V1',
  5: 'P_ACK_V1', 6: 'P_DATA_V1', 7: 'P_CONTROL_HARD_RESET_CLIENT_V2', 8: 'P_CONTROL_HARD_RESET_SERVER_V2', 9: 'P_DATA_V2',
  10: 'P_CONTROL_HARD_RESET_CLIENT_V3', 11: 'P_CONTROL_WKC_V1',
};
const TLS_AUTH_HMAC_SIZE = 20;
/** A control message payload of this size is a fragment with more to come (packet-openvpn.c's rule). */
const FRAGMENT_SIZE = 100;
/** Bound on unfinished messages kept (tshark keeps all). */
const MAX_PENDING = 4096;

/** check_for_valid_hmac: at most one of the four bytes is zero. */
function plausibleHmac(value: number): boolean {
  let zeros = 0;
  for (let shift = 0; shift < 32; shift += 8) if (((value >>> shift) & 0xff) === 0) zeros++;
  return zeros <= 1;
}

interface Fragment {
  frame: number;
  bytes: Buffer;
}

interface State {
  /** Unfinished control messages: fragments so far, by addresses and session id. */
  pending: Map<string, Fragment[]>;
  tls: Conversations;
}

export function createOpenvpnDissector(): AppDissector {
  const state: State = { pending: new Map(), tls: createTlsConversations() };
  return {
    protocol: 'openvpn',
    fieldPrefixes: ['tls', 'x509ce', 'x509sat'],
    udpPorts: [OPENVPN_PORT],
    tcpPorts: [OPENVPN_PORT],
    stateful: true,
    dissect: (data, offset, end, ctx) => dissectOpenvpn(state, data, offset, end, ctx),
    desegment: (data, offset, end): PduSplit => {
      const split = lengthPrefixedPdus(data, offset, end, 2, (at) => data.readUInt16BE(at) + 2);
      let done = offset;
      for (const length of split.pdus) done += length;
      // tcp_dissect_pdus asks for one more segment when the length itself is cut (the whole next
      // segment is then put together with it and dissected in one call).
      const need = split.need > 0 && end - done < 2 ? ONE_MORE_SEGMENT : split.need;
      // The whole messages go to one dissect() call, as tcp_dissect_pdus takes them (the Info column's fences).
      return { pdus: done > offset ? [done - offset] : [], need };
    },
  };
}

function dissectOpenvpn(state: State, data: Buffer, offset: number, end: number, ctx: AppContext): AppResult {
  if (ctx.transport === 'udp') {
    const r = dissectMessage(state, data, offset, end, ctx, false);
    return { layers: r.layers, chain: r.chain, protocolColumn: r.protocol, info: r.info };
  }
  // TCP: the length-prefixed messages of this payload, one tcp_dissect_pdus call for all of them
  // (desegment hands them over together): "openvpn" once in frame.protocols, "tls" for each
  // message carrying TLS. The Info column as Wireshark's column functions leave it: each message
  // clears what follows the fence and writes its MessageType; TLS clears again, appends its Info
  // (", " after text already there) and sets the fence.
  const layers: Layer[] = [];
  const chain: string[] = [];
  let protocol = 'OpenVPN';
  let fence = '';
  let current = '';
  const stop = Math.min(end, data.length);
  for (let at = offset; at < stop; ) {
    const pduEnd = stop - at >= 2 ? at + 2 + data.readUInt16BE(at) : end;
    const r = dissectMessage(state, data, at, Math.min(pduEnd, end), ctx, true);
    r.layers.forEach((layer, k) => {
      layers.push(layer);
      chain.push(k === 0 ? (chain.length === 0 ? 'openvpn' : '') : r.chain[k] ?? '');
    });
    protocol = r.protocol;
    if (r.tls) {
      fence += (fence ? ', ' : '') + r.info;
      current = '';
    } else current = r.info;
    at = pduEnd;
  }
  return { layers, chain, protocolColumn: protocol, info: fence + current, infoLead: fence ? ', ' : '' };
}

interface Message {
  /** TLS wrote the Info (it set the column's fence). */
  tls: boolean;
  layers: Layer[];
  chain: string[];
  protocol: string;
  info: string;
}

function dissectMessage(state: State, data: Buffer, offset: number, end: number, ctx: AppContext, tcp: boolean): Message {
  const b = new LayerBuilder(data, 'openvpn', 'OpenVPN Protocol', offset, end, ctx.fields);
  let info = '';
  let tlsPayload: { buffer: Buffer; reassembled: boolean } | null = null;
  let tlsAt = 0;
  dissectSafely(b, () => {
    let at = offset;
    if (tcp) {
      const plen = b.u16(at, 'packet length');
      b.add('openvpn.plen', () => `Packet Length: ${plen}`, plen, at, 2);
      at += 2;
    }
    const first = b.u8(at, 'opcode');
    const opcode = first >> 3;
    const keyId = first & 7;
    info = `MessageType: ${OPCODES[opcode] ?? 'Unknown Messagetype'}`;
    const opcodeName = OPCODES[opcode] ?? 'Unknown';
    b.group('openvpn.type', () => `Type: ${hex(first, 2)} [opcode/key_id]`, first, at, 1, () => {
      b.add('openvpn.opcode', () => `${bitPicture(first, 0xf8, 8)} = Opcode: ${opcodeName} (${hex(opcode, 2)})`, opcode, at, 1, () => hex(opcode, 2));
      b.add('openvpn.keyid', () => `${bitPicture(first, 0x07, 8)} = Key ID: ${keyId}`, keyId, at, 1);
    }, () => hex(first, 2));
    at += 1;
    let sessionLow = 0;
    if (opcode === P_DATA_V2) {
      b.need(at, 3, 'peer id');
      const peer = data.readUIntBE(at, 3);
      b.add('openvpn.peerid', () => `Peer ID: ${peer}`, peer, at, 3);
      at += 3;
    } else if (opcode !== P_DATA_V1) {
      b.need(at, 8, 'session id');
      const session = data.readBigUInt64BE(at);
      sessionLow = data.readUInt32BE(at + 4);
      b.add('openvpn.sessionid', () => `Session ID: ${session}`, session, at, 8);
      at += 8;
      const arrayGuess = b.u8(at, 'packet-id array length');
      let tlsAuth = arrayGuess > 0 && plausibleHmac(b.u32(at, 'HMAC'));
      let tlsCrypt = false;
      if (opcode === P_CONTROL_HARD_RESET_CLIENT_V3 || opcode === P_CONTROL_WKC_V1) {
        tlsCrypt = true;
        tlsAuth = false;
      }
      if (tlsAuth) {
        hmac(b, at, TLS_AUTH_HMAC_SIZE);
        at += TLS_AUTH_HMAC_SIZE;
      }
      if (tlsAuth || tlsCrypt) {
        if (end - at >= 8) {
          const pid = b.u32(at, 'replay packet id');
          b.add('openvpn.pid', () => `Replay-Packet-ID: ${pid}`, pid, at, 4);
          const time = b.u32(at + 4, 'net time');
          const text = absoluteTimeText(BigInt(time), 0);
          b.add('openvpn.net_time', () => `Net Time: ${text}`, time, at + 4, 4, text);
          at += 8;
        }
        if (tlsCrypt) {
          hmac(b, at, 32);
          at += 32;
        }
      }
      if (end - at >= 1 && !tlsCrypt) {
        const count = b.u8(at, 'packet-id array length');
        b.add('openvpn.mpidarraylength', () => `Message Packet-ID Array Length: ${count}`, count, at, 1);
        at += 1;
        if (count > 0) {
          const arrayAt = at;
          b.group('', 'Packet-ID Array', null, arrayAt, 0, () => {
            for (let i = 0; i < count; i++, at += 4) {
              const element = b.u32(at, 'packet-id array element');
              b.add('openvpn.mpidarrayelement', () => `Message Packet-ID Array Element: ${element}`, element, at, 4);
            }
          });
          if (end - at >= 8) {
            b.need(at, 8, 'remote session id');
            const remote = data.readBigUInt64BE(at);
            b.add('openvpn.rsessionid', () => `Remote Session ID: ${remote}`, remote, at, 8);
            at += 8;
          }
        }
      }
      if (opcode !== P_ACK_V1 && !tlsCrypt && end - at >= 4) {
        const mpid = b.u32(at, 'message packet id');
        b.add('openvpn.mpid', () => `Message Packet-ID: ${mpid}`, mpid, at, 4);
        at += 4;
      }
    }
    const remaining = end - at;
    if (remaining <= 0) return;
    if (opcode !== P_CONTROL_V1) {
      let dataLength = remaining;
      let wkcLength = -1;
      if ((opcode === P_CONTROL_HARD_RESET_CLIENT_V3 || opcode === P_CONTROL_WKC_V1) && remaining >= 2) {
        wkcLength = b.u16(end - 2, 'wrapped client key length');
        dataLength = remaining - wkcLength;
        // A key longer than what follows the header: tshark's tvb subset fails, and nothing more is shown.
        if (dataLength < 0) {
          b.mark('malformed', `wrapped client key length ${wkcLength} is past the ${remaining} bytes left`);
          return;
        }
      }
      dataTree(b, 'openvpn.data', 'Data', data, at, dataLength);
      if (wkcLength > 0) {
        const wkcAt = end - wkcLength;
        const captured = Math.max(0, Math.min(end, data.length) - wkcAt);
        b.group('', `Wrapped client key (${captured} bytes)`, null, at, dataLength, () => {
          const wkc = b.bytes(wkcAt, wkcLength, 'wrapped client key');
          b.add('openvpn.wkc', () => `Wrapped client key: ${wkc.toString('hex')}`, Buffer.from(wkc), wkcAt, wkcLength, () => wkc.toString('hex'));
          b.add('openvpn.wkc_len', () => `Wrapped client key length: ${wkcLength}`, wkcLength, end - 2, 2);
        });
      }
      return;
    }
    // The control channel: fragments of a TLS message.
    const last = remaining !== FRAGMENT_SIZE;
    const key = `${ctx.src}|${ctx.dst}|${sessionLow}`;
    const bytes = Buffer.from(b.bytes(at, remaining, 'message fragment'));
    const before = state.pending.get(key) ?? [];
    if (!last) {
      if (state.pending.size > MAX_PENDING) state.pending.clear();
      state.pending.set(key, [...before, { frame: ctx.frameNumber, bytes }]);
      dataTree(b, 'openvpn.fragment_bytes', 'Message fragment', data, at, remaining);
      return;
    }
    state.pending.delete(key);
    if (before.length === 0) {
      tlsPayload = { buffer: data.subarray(0, end), reassembled: false };
      tlsAt = at;
      return;
    }
    const parts = [...before, { frame: ctx.frameNumber, bytes }];
    dataTree(b, 'openvpn.fragment_bytes', 'Message fragment', data, at, remaining);
    const whole = Buffer.concat(parts.map((p) => p.bytes));
    fragmentTree(b, parts, whole.length);
    info += ' (Message Reassembled ';
    tlsPayload = { buffer: whole, reassembled: true };
    tlsAt = 0;
  });
  const layers: Layer[] = [b.layer];
  const chain = ['openvpn'];
  if (b.layer.status !== 'ok') return { tls: false, layers, chain, protocol: 'OpenVPN', info: info + statusSuffix(b.layer) };
  const payload = tlsPayload as { buffer: Buffer; reassembled: boolean } | null;
  if (payload === null) return { tls: false, layers, chain, protocol: 'OpenVPN', info };
  if (printableStart(payload.buffer, tlsAt, payload.buffer.length)) {
    // The TLS dissector declines text (four printable bytes first): call_dissector shows it as data.
    const layer = dataLayer(payload.buffer, tlsAt, payload.buffer.length, ctx.fields);
    if (payload.reassembled) markReassembled(layer, payload.buffer);
    return { tls: false, layers: [...layers, layer], chain: [...chain, 'data'], protocol: 'OpenVPN', info };
  }
  const tls = dissectTlsMessage(payload.buffer, tlsAt, payload.buffer.length, ctx, state.tls);
  for (const layer of tls.layers) {
    if (payload.reassembled) markReassembled(layer, payload.buffer);
    layers.push(layer);
    chain.push(chain.length === 1 ? 'tls' : '');
  }
  return { tls: true, layers, chain, protocol: tls.protocolColumn, info: tls.info };
}

function hmac(b: LayerBuilder, at: number, size: number): void {
  const value = b.bytes(at, size, 'HMAC');
  b.add('openvpn.hmac', () => `HMAC: ${value.toString('hex')}`, Buffer.from(value), at, size, () => value.toString('hex'));
}

/** "Data (N bytes)" / "Message fragment (N bytes)": a subtree holding the bytes (N counts the captured ones). */
function dataTree(b: LayerBuilder, abbrev: string, title: string, data: Buffer, at: number, length: number): void {
  const captured = Math.max(0, Math.min(at + length, data.length) - at);
  b.group('', `${title} (${captured} bytes)`, null, at, length, () => {
    const value = b.bytes(at, length, title);
    b.add(abbrev, () => `${abbrev === 'openvpn.data' ? 'Data' : 'Fragment bytes'}: ${value.toString('hex', 0, 36)}${value.length > 36 ? '…' : ''}`, Buffer.from(value), at, length, () => value.toString('hex'));
  });
}

/** process_reassembled_data's tree: the fragments, their count and the message's length. */
function fragmentTree(b: LayerBuilder, parts: Fragment[], total: number): void {
  const list = parts.map((p) => `#${p.frame}(${p.bytes.length})`).join(', ');
  b.group('openvpn.fragments', () => `[${parts.length} Message fragments (${total} bytes): ${list}]`, null, 0, 0, () => {
    let from = 0;
    for (const part of parts) {
      const start = from;
      b.add('openvpn.fragment', () => `[Frame: ${part.frame}, payload: ${start}-${start + part.bytes.length - 1} (${part.bytes.length} bytes)]`, part.frame, 0, 0);
      from += part.bytes.length;
    }
    b.add('openvpn.fragment.count', () => `[Message fragment count: ${parts.length}]`, parts.length, 0, 0);
    b.add('openvpn.reassembled.length', () => `[Reassembled message length: ${total}]`, total, 0, 0);
  }, '1');
}

function markReassembled(layer: Layer, buffer: Buffer): void {
  layer.source = 'reassembled';
  layer.data = buffer;
  const stack: Field[] = [...layer.fields];
  while (stack.length) {
    const f = stack.pop()!;
    f.source = 'reassembled';
    if (f.children) stack.push(...f.children);
  }
}
