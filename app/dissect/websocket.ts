/**
 * WebSocket (RFC 6455) as tshark 4.0's packet-websocket.c shows it, on a TCP connection HTTP
 * handed over after a `101 Switching Protocols` with `Upgrade: websocket` (packet-http.c's
 * upgrade; frame.protocols then reads `…:tcp:http:websocket`, HTTP adding no tree of its own):
 * each frame put together over segments, its header (FIN, reserved bits, opcode, mask, the
 * payload length and its 16- or 64-bit extension, the masking key) and payload, unmasked: text as
 * Line-based text data, binary as Data, Close with its status code and reason, Ping and Pong.
 * Info is tshark's `WebSocket Text [FIN] [MASKED]`.
 *
 * Left out: messages fragmented over several frames are not put together (each frame shows what
 * it carries: a first fragment nothing, a continuation its bytes), permessage-deflate is not
 * decompressed, and the subprotocol and port tables that hand payloads on (none of the protocols
 * Sievecap decodes registers there).
 */
import { dissectSafely, LayerBuilder } from './builder';
import { addExpertTo } from './expert';
import { bitPicture, bytesHex, bytesLabelHex } from './format';
import { countLines, textLines } from './http-body';
import type { AppContext, AppDissector, AppResult, Layer, PduSplit } from './model';
import { formatText } from './syslog';

const OPCODES: Record<number, string> = { 0: 'Continuation', 1: 'Text', 2: 'Binary', 8: 'Connection Close', 9: 'Ping', 10: 'Pong' };
const CLOSE_CODES: Record<number, string> = {
  1000: 'Normal Closure', 1001: 'Going Away', 1002: 'Protocol error', 1003: 'Unsupported Data', 1004: '---Reserved----',
  1005: 'No Status Rcvd', 1006: 'Abnormal Closure', 1007: 'Invalid frame payload data', 1008: 'Policy Violation',
  1009: 'Message Too Big', 1010: 'Mandatory Ext.', 1011: 'Internal Server', 1015: 'TLS handshake',
};

/** get_websocket_frame_length: a frame's length from its first bytes (0 when the extended length is not there yet). */
function frameLength(data: Buffer, at: number, end: number): number {
  const second = data[at + 1]!;
  let length = 2;
  let payload = second & 0x7f;
  if (payload === 126) {
    if (end - at - 2 < 2) return 0;
    payload = data.readUInt16BE(at + 2);
    length += 2;
  } else if (payload === 127) {
    if (end - at - 2 < 8) return 0;
    // (guint) of the 64-bit length, as tshark: its low 32 bits.
    payload = data.readUInt32BE(at + 6);
    length += 8;
  }
  if (second & 0x80) length += 4;
  return length + payload;
}

/** tcp_dissect_pdus with a fixed part of 2 bytes and get_websocket_frame_length. */
export function websocketFrames(data: Buffer, offset: number, end: number): PduSplit {
  const pdus: number[] = [];
  let at = offset;
  while (at < end) {
    if (end - at < 2) return { pdus, need: 2 - (end - at), sizedPdus: pdus.length };
    const length = frameLength(data, at, end);
    if (length === 0) return { pdus, need: -1, sizedPdus: pdus.length };
    if (end - at < length) return { pdus, need: length - (end - at), sizedPdus: pdus.length };
    pdus.push(length);
    at += length;
  }
  return { pdus, need: 0, sizedPdus: pdus.length };
}

export const websocketDissector: AppDissector = {
  protocol: 'websocket',
  fieldPrefixes: ['data-text-lines'],
  dissect: (data, offset, end, ctx) => dissectWebsocket(data, offset, end, ctx),
  // Each frame's Info replaces the one before (its dissector sets the column anew).
  desegment: (data, offset, end) => ({ ...websocketFrames(data, offset, end), replaceInfo: true }),
};

/**
 * What HTTP hands an upgraded connection to when the Upgrade names a protocol tshark has no
 * dissector for (Docker's `Upgrade: tcp`): Data, with `http` in frame.protocols before it.
 */
export const upgradedDataDissector: AppDissector = {
  protocol: 'data',
  dissect: (data, offset, end, ctx) => {
    const stop = Math.min(end, data.length);
    const b = new LayerBuilder(data, 'data', 'Data', offset, stop, ctx.fields);
    b.title(() => `Data (${stop - offset} byte${stop - offset === 1 ? '' : 's'})`);
    if (b.wants('data.data')) b.add('data.data', () => `Data: ${bytesLabelHex(data, offset, stop - offset)}`, data.subarray(offset, stop), offset, stop - offset, () => bytesHex(data, offset, stop - offset));
    b.add('data.len', () => `[Length: ${stop - offset}]`, stop - offset, offset, 0);
    return { layers: [b.layer], protocolColumn: '', info: '', chain: ['http:data'] };
  },
};

function dissectWebsocket(data: Buffer, offset: number, end: number, ctx: AppContext): AppResult {
  const selection = ctx.fields;
  const b = new LayerBuilder(data, 'websocket', 'WebSocket', offset, end, selection);
  const layers: Layer[] = [b.layer];
  const chain: string[] = ['http:websocket'];
  let info = 'WebSocket';
  dissectSafely(b, () => {
    const first = b.u8(offset, 'WebSocket flags');
    const second = b.u8(offset + 1, 'WebSocket payload length');
    const fin = (first & 0x80) !== 0;
    const opcode = first & 0x0f;
    const mask = (second & 0x80) !== 0;
    const short = second & 0x7f;
    let maskAt = offset + 2;
    let payloadLength = short;
    if (short === 126) {
      payloadLength = b.u16(offset + 2, 'WebSocket extended payload length');
      maskAt += 2;
    } else if (short === 127) {
      b.need(offset + 2, 8, 'WebSocket extended payload length');
      payloadLength = data.readUInt32BE(offset + 6);
      maskAt += 8;
    }
    const payloadAt = maskAt + (mask ? 4 : 0);
    b.setLength(Math.min(payloadAt, end) - offset);
    const opcodeName = OPCODES[opcode];
    info += ` ${opcodeName ?? 'Unknown Opcode'}${fin ? ' [FIN]' : '[FRAGMENT] '}${mask ? ' [MASKED]' : ' '}`;
    b.add('websocket.fin', () => `${bitPicture(first, 0x80, 8)} = Fin: ${fin ? 'True' : 'False'}`, fin, offset, 1);
    b.add('websocket.rsv', () => `${bitPicture(first, 0x70, 8)} = Reserved: 0x${((first & 0x70) >> 4).toString(16)}`, (first & 0x70) >> 4, offset, 1, () => `0x${((first & 0x70) >> 4).toString(16).padStart(2, '0')}`);
    b.add('websocket.opcode', () => `${bitPicture(first, 0x0f, 8)} = Opcode: ${opcodeName ?? 'Unknown'} (${opcode})`, opcode, offset, 1);
    b.add('websocket.mask', () => `${bitPicture(second, 0x80, 8)} = Mask: ${mask ? 'True' : 'False'}`, mask, offset + 1, 1);
    const lengthNote = short === 126 ? ' Extended Payload Length (16 bits)' : short === 127 ? ' Extended Payload Length (64 bits)' : '';
    b.add('websocket.payload_length', () => `${bitPicture(second, 0x7f, 8)} = Payload length: ${short}${lengthNote}`, short, offset + 1, 1);
    if (short === 126) b.add('websocket.payload_length_ext_16', () => `Extended Payload length (16 bits): ${payloadLength}`, payloadLength, offset + 2, 2);
    else if (short === 127) {
      const ext = data.readBigUInt64BE(offset + 2);
      b.add('websocket.payload_length_ext_64', () => `Extended Payload length (64 bits): ${ext}`, ext, offset + 2, 8);
    }
    let key: Buffer | null = null;
    if (mask) {
      key = b.bytes(maskAt, 4, 'WebSocket masking key');
      b.add('websocket.masking_key', () => `Masking-Key: ${bytesHex(data, maskAt, 4)}`, key, maskAt, 4, () => bytesHex(data, maskAt, 4));
    }
    if (payloadLength === 0) return;
    b.need(payloadAt, payloadLength, 'WebSocket payload');
    let payload = data;
    let at = payloadAt;
    if (key !== null) {
      b.add('websocket.masked_payload', 'Masked payload', null, payloadAt, payloadLength);
      payload = Buffer.alloc(payloadLength);
      for (let i = 0; i < payloadLength; i++) payload[i] = data[payloadAt + i]! ^ key[i & 3]!;
      at = 0;
    }
    const own = (layer: Layer): Layer => (key === null ? layer : unmasked(layer, payload));
    const appLength = payloadLength;
    b.group('websocket.payload', 'Payload', null, payloadAt, payloadLength, () => {
      if (opcode & 8) {
        controlFrame(b, payload, at, appLength, opcode, payloadAt);
        return;
      }
      if (!fin || opcode === 0) {
        // A fragment of a message (not put together here: see the file's comment).
        if (opcode === 0) {
          b.add('websocket.payload.continue', () => `Continue: ${bytesHex(payload, at, Math.min(appLength, 36))}${appLength > 36 ? '…' : ''}`, payload.subarray(at, at + appLength), payloadAt, appLength, () => bytesHex(payload, at, appLength));
        }
        return;
      }
      if (opcode === 1) {
        b.add('websocket.payload.text', () => `Text: ${formatText(payload.subarray(at, at + appLength))}`, payload.toString('utf8', at, at + appLength), payloadAt, appLength);
        const t = new LayerBuilder(payload, 'data-text-lines', '', at, at + appLength, selection);
        const lines = countLines(payload, at, at + appLength);
        t.title(() => `Line-based text data (${lines} lines)`);
        layers.push(own(textLines(t, payload, at, at + appLength)));
        chain.push('data-text-lines');
      } else if (opcode === 2) {
        const d = new LayerBuilder(payload, 'data', 'Data', at, at + appLength, selection);
        d.title(() => `Data (${appLength} byte${appLength === 1 ? '' : 's'})`);
        if (d.wants('data.data')) d.add('data.data', () => `Data: ${bytesLabelHex(payload, at, appLength)}`, payload.subarray(at, at + appLength), at, appLength, () => bytesHex(payload, at, appLength));
        d.add('data.len', () => `[Length: ${appLength}]`, appLength, at, 0);
        layers.push(own(d.layer));
        chain.push('data');
      } else {
        unknownPayload(b, payload, at, appLength, payloadAt, opcode);
      }
    });
  });
  return { layers, protocolColumn: 'WebSocket', info, chain };
}

/** Close, Ping and Pong payloads (dissect_websocket_control_frame): payload[at, +length), shown at `pos` in the frame. */
function controlFrame(b: LayerBuilder, payload: Buffer, at: number, length: number, opcode: number, pos: number): void {
  if (opcode === 8) {
    b.group('websocket.payload.close', 'Close', null, pos, length, () => {
      if (length < 2) return;
      const code = payload.readUInt16BE(at);
      b.add('websocket.payload.close.status_code', () => `Status code: ${CLOSE_CODES[code] ?? 'Unknown'} (${code})`, code, pos, 2);
      if (length > 2) {
        const reason = payload.toString('utf8', at + 2, at + length);
        b.add('websocket.payload.close.reason', () => `Reason: ${formatText(payload.subarray(at + 2, at + length))}`, reason, pos + 2, length - 2);
      }
    });
  } else if (opcode === 9 || opcode === 10) {
    const name = opcode === 9 ? 'ping' : 'pong';
    b.add(`websocket.payload.${name}`, () => `${opcode === 9 ? 'Ping' : 'Pong'}: ${bytesHex(payload, at, length)}`, payload.subarray(at, at + length), pos, length, () => bytesHex(payload, at, length));
  } else {
    unknownPayload(b, payload, at, length, pos, opcode);
  }
}

/** An opcode tshark has no dissector for: its bytes, and its note (ei_ws_payload_unknown) on them. */
function unknownPayload(b: LayerBuilder, payload: Buffer, at: number, length: number, pos: number, opcode: number): void {
  const item = b.add('websocket.payload.unknown', () => `Unknown: ${bytesHex(payload, at, length)}`, payload.subarray(at, at + length), pos, length, () => bytesHex(payload, at, length));
  addExpertTo(b, item, 'websocket.payload.unknown.expert', 'Note', 'Undecoded', `Dissector for Websocket Opcode (${opcode}) code not implemented, Contact Wireshark developers if you want this supported`);
}

/** A payload layer over the unmasked bytes, named as tshark's -x names that buffer. */
function unmasked(layer: Layer, bytes: Buffer): Layer {
  layer.source = 'reassembled';
  layer.data = bytes;
  layer.sourceName = 'Unmasked data';
  const stack = [...layer.fields];
  while (stack.length > 0) {
    const f = stack.pop()!;
    f.source = 'reassembled';
    if (f.children) stack.push(...f.children);
  }
  return layer;
}
