/**
 * VNC's Remote Framebuffer protocol (TCP 5500-5501 and 5900-5901, and on any port after a
 * 12-byte "RFB xxx.yyy\n" version message, tshark's heuristic) as tshark 4.0's packet-vnc.c shows
 * it: the connection walks through the startup messages one segment each (versions, security
 * types, the security type the client picks, VNC and ARD authentication, the result, ClientInit
 * and ServerInit with the pixel format and desktop name); a segment that does not fit its state's
 * message is malformed and leaves the state where it was, as in tshark. Then the client's
 * messages (one per segment: SetPixelFormat, SetEncodings, FramebufferUpdateRequest, KeyEvent,
 * PointerEvent, ClientCutText) and the server's (FramebufferUpdate with its rectangles in raw,
 * CopyRect, RRE, Hextile, ZRLE and cursor encodings, colour map, bell, cut text), a server message
 * longer than its segment put together with the whole next segment (DESEGMENT_ONE_MORE_SEGMENT).
 * Left out: TightVNC and VeNCrypt security, Tight encoding, ZRLE's decompressed tiles, MirrorLink
 * and Fence messages.
 */
import { LayerBuilder, dissectSafely } from './builder';
import type { AppContext, AppDissector, AppResult, Layer, PduSplit } from './model';
import { bitPicture, bytesHex, bytesLabelHex } from './format';
import { addExpert } from './expert';
import { formatText } from './app-format';
import { ONE_MORE_SEGMENT } from './tcp-pdus';
import { keysymName } from './x11-keysyms';

export const VNC_TCP_PORTS: readonly number[] = [5500, 5501, 5900, 5901];

type State =
  | 'server version' | 'client version' | 'security' | 'security types' | 'vnc challenge' | 'vnc response'
  | 'ard challenge' | 'ard response' | 'security result' | 'client init' | 'server init' | 'unsupported' | 'normal';

interface Conn {
  next: State;
  clientVersion: number;
  serverPort: number;
  ardKeyLength: number;
}

const SECURITY_TYPES: Readonly<Record<number, string>> = {
  0: 'Invalid', 1: 'None', 2: 'VNC', 5: 'RA2', 6: 'RA2ne', 16: 'Tight', 17: 'Ultra', 18: 'TLS', 19: 'VeNCrypt', 20: 'GTK-VNC SASL', 30: 'Apple Remote Desktop',
};
const CLIENT_MESSAGES: Readonly<Record<number, string>> = {
  0: 'Set Pixel Format', 2: 'Set Encodings', 3: 'Framebuffer Update Request', 4: 'Key Event', 5: 'Pointer Event', 6: 'Cut Text',
  128: 'MirrorLink', 150: 'Enable Continuous Updates', 248: 'Fence', 250: 'Xvp', 251: 'Setr Desktop Size', 252: 'Tight', 253: 'Gii', 255: 'Qemu',
};
const SERVER_MESSAGES: Readonly<Record<number, string>> = {
  0: 'Framebuffer Update', 1: 'Set Colormap Entries', 2: 'Ring Bell', 3: 'Cut Text', 128: 'MirrorLink', 150: 'End Continuous Updates',
  248: 'Fence', 250: 'Xvp', 252: 'Tight', 253: 'Gii', 255: 'Qemu',
};
const ENCODINGS = new Map<number, string>([
  [-223, 'DesktopSize (pseudo)'], [-224, 'LastRect (pseudo)'], [-232, 'Pointer pos (pseudo)'], [-239, 'Rich Cursor (pseudo)'],
  [-240, 'X Cursor (pseudo)'], [0, 'Raw'], [1, 'CopyRect'], [2, 'RRE'], [4, 'CoRRE'], [5, 'Hextile'], [6, 'Zlib'], [7, 'Tight'],
  [8, 'ZlibHex'], [9, 'Ultra'], [16, 'ZRLE'], [17, 'Hitachi ZYWRLE'],
  ...Array.from({ length: 10 }, (_, k) => [-32 + k, `JPEG quality level ${k}`] as [number, string]),
  ...Array.from({ length: 10 }, (_, k) => [-256 + k, `Compression level ${k}`] as [number, string]),
  [-65535, 'Enable Caching'], [-32768, 'Server State'], [-32767, 'Enable Keep Alive'], [-32766, 'FTP protocol version'],
  [-308, 'Extended Desktop Size'], [-307, 'Desktop Name'], [-131072, 'Keyboard LED State'], [-131071, 'Supported Messages'],
  [-131070, 'Supported Encodings'], [-131069, 'Server Identity'], [-523, 'MirrorLink'], [-524, 'Context Information'],
  [-525, 'SLRLE'], [-526, 'Transform'], [-527, 'HSML'], [0x48323634, 'H264'],
]);
/** Encodings SetEncodings takes as the preferred one (rfbProcessClientNormalMessage). */
const ENC_LAST_RECT = -224;

const connKey = (ctx: AppContext): string => {
  const a = `${ctx.src}:${ctx.srcPort}`;
  const b = `${ctx.dst}:${ctx.dstPort}`;
  return a < b ? `${a}|${b}` : `${b}|${a}`;
};

/** vnc_is_client_or_server_version_message: exactly 12 bytes, "RFB " (any case), '.', and '\n' (or gtk-vnc's NUL). */
export function isVersionMessage(data: Buffer, offset: number, end: number): boolean {
  if (end - offset !== 12 || data.length < end) return false;
  if (data.toString('latin1', offset, offset + 4).toUpperCase() !== 'RFB ') return false;
  return data[offset + 7] === 0x2e && (data[offset + 11] === 0x0a || data[offset + 11] === 0);
}

/** A message needs more bytes than the segment holds (VNC_BYTES_NEEDED): desegment from its start. */
class NeedMore extends Error {}

export function createVncDissector(): AppDissector {
  const conns = new Map<string, Conn>();
  /** Each frame's state and bytes per pixel as its first dissection found them (p_add_proto_data). */
  const frames = new Map<string, { state: State; bpp: number }>();
  /** vnc_bytes_per_pixel: one for the whole file, as in packet-vnc.c. */
  let bytesPerPixel = 0;

  const connOf = (ctx: AppContext): Conn => {
    const key = connKey(ctx);
    let conn = conns.get(key);
    if (conn === undefined) conns.set(key, (conn = { next: 'server version', clientVersion: 0, serverPort: -1, ardKeyLength: 0 }));
    return conn;
  };
  const frameOf = (ctx: AppContext, conn: Conn): { state: State; bpp: number; first: boolean } => {
    const key = `${connKey(ctx)}#${ctx.frameNumber}`;
    const known = frames.get(key);
    if (known !== undefined) return { ...known, first: false };
    const made = { state: conn.next, bpp: bytesPerPixel };
    frames.set(key, made);
    return { ...made, first: true };
  };
  const toServer = (ctx: AppContext, conn: Conn): boolean => VNC_TCP_PORTS.includes(ctx.dstPort) || conn.serverPort === ctx.dstPort;

  const run = (data: Buffer, offset: number, end: number, ctx: AppContext): { layer: Layer; info: string; needAt: number } => {
    const conn = connOf(ctx);
    const frame = frameOf(ctx, conn);
    const message = new VncSegment(conn, frame.state, frame.first, frame.bpp, data, offset, end, ctx, (bpp) => (bytesPerPixel = bpp));
    const layer = message.dissect(toServer(ctx, conn));
    // The bytes per pixel the frame keeps are the file's after its startup message.
    const key = `${connKey(ctx)}#${ctx.frameNumber}`;
    if (frame.first) frames.set(key, { state: frame.state, bpp: bytesPerPixel });
    return { layer, info: message.info, needAt: message.needAt };
  };

  return {
    protocol: 'vnc',
    tcpPorts: VNC_TCP_PORTS,
    stateful: true,
    heuristic: (data, offset, end) => isVersionMessage(data, offset, Math.min(end, data.length)),
    heuristicTakesConnection: true,
    desegment: (data, offset, end, ctx): PduSplit => {
      const stop = Math.min(end, data.length);
      const conn = connOf(ctx);
      const key = `${connKey(ctx)}#${ctx.frameNumber}`;
      const state = frames.get(key)?.state ?? conn.next;
      if (state !== 'normal' || toServer(ctx, conn)) return { pdus: [stop - offset], need: 0 };
      const { layer, info, needAt } = run(data, offset, stop, ctx);
      if (needAt < 0) return { pdus: [stop - offset], need: 0 };
      if (needAt > offset) return { pdus: [needAt - offset], need: ONE_MORE_SEGMENT };
      return { pdus: [], need: ONE_MORE_SEGMENT, info, keepsLayer: 'Virtual Network Computing', partialLayer: layer };
    },
    dissect: (data, offset, end, ctx): AppResult => {
      const { layer, info } = run(data, offset, end, ctx);
      let text = info;
      if (layer.status !== 'ok') text += layer.status === 'malformed' ? '[Malformed Packet]' : '[Packet size limited during capture]';
      return { layers: [layer], protocolColumn: 'VNC', info: text };
    },
  };
}

class VncSegment {
  private readonly b: LayerBuilder;
  private readonly stop: number;
  info = '';
  /** Where a server message that needs more bytes starts, -1 when none. */
  needAt = -1;


  constructor(
    private readonly conn: Conn,
    private readonly state: State,
    private readonly first: boolean,
    private bpp: number,
    private readonly data: Buffer,
    private readonly offset: number,
    private readonly end: number,
    private readonly ctx: AppContext,
    private readonly setFileBpp: (bpp: number) => void,
  ) {
    this.b = new LayerBuilder(data, 'vnc', 'Virtual Network Computing', offset, end, ctx.fields);
    this.b.title('Virtual Network Computing');
    this.stop = Math.min(end, data.length);
  }

  dissect(toServer: boolean): Layer {
    return dissectSafely(this.b, () => {
      if (this.startup()) return;
      if (toServer) this.clientMessage();
      else this.serverMessages();
    });
  }

  private next(state: State): void {
    if (this.first) this.conn.next = state;
  }

  // -- fields -----------------------------------------------------------------------------------

  private uint(abbrev: string, name: string, at: number, size: 1 | 2 | 4, value?: (v: number) => string): number {
    const v = size === 1 ? this.b.u8(at, name) : size === 2 ? this.b.u16(at, name) : this.b.u32(at, name);
    this.b.add(abbrev, () => `${name}: ${value ? value(v) : v}`, v, at, size);
    return v;
  }
  private int32(abbrev: string, name: string, at: number, value: (v: number) => string): number {
    this.b.need(at, 4, name);
    const v = this.data.readInt32BE(at);
    this.b.add(abbrev, () => `${name}: ${value(v)}`, v, at, 4);
    return v;
  }
  private flag(abbrev: string, name: string, at: number, words: [string, string] = ['True', 'False']): void {
    const v = this.b.u8(at, name);
    this.b.add(abbrev, `${name}: ${v !== 0 ? words[0] : words[1]}`, v !== 0, at, 1);
  }
  private bytes(abbrev: string, name: string, at: number, length: number): void {
    this.b.need(at, length, name);
    const data = this.data;
    this.b.addLazy(abbrev, () => `${name}: ${length === 0 ? '<MISSING>' : bytesLabelHex(data, at, length)}`, data.subarray(at, at + length), at, length, () => bytesHex(data, at, length));
  }
  private padding(at: number, length: number): void {
    this.b.need(at, length, 'Padding');
    this.b.add('vnc.padding', 'Padding', null, at, length);
  }
  private text(abbrev: string, name: string, at: number, length: number): void {
    this.b.need(at, length, name);
    const raw = this.data.subarray(at, at + length);
    const nul = raw.indexOf(0);
    const value = (nul < 0 ? raw : raw.subarray(0, nul)).toString('latin1').replace(/[\x80-\xff]/g, '\ufffd');
    const field = this.b.add(abbrev, () => `${name}: ${formatText(Buffer.from(value, 'utf8'))}`, value, at, length);
    // proto.c: bytes other than NULs after the string's NUL.
    if (nul >= 0 && raw.subarray(nul).some((c) => c !== 0)) {
      this.b.into(field.abbrev ? (field.children ??= []) : [], () => addExpert(this.b, '_ws.string.trailing_stray_characters', 'Warning', 'Undecoded', 'Trailing stray characters', at + nul, length - nul));
    }
  }
  private encoding(abbrev: string, at: number): number {
    return this.int32(abbrev, 'Encoding type', at, (v) => `${ENCODINGS.get(v) ?? 'Unknown'} (${v})`);
  }
  /** VNC_BYTES_NEEDED: a server message asks for the next segment when its bytes run past this one. */
  private needs(at: number, length: number): void {
    if (at + length > this.end) throw new NeedMore();
  }

  // -- startup ----------------------------------------------------------------------------------

  /** vnc_startup_messages: true while the connection has not reached normal traffic. */
  private startup(): boolean {
    const b = this.b;
    const conn = this.conn;
    const o = this.offset;
    switch (this.state) {
      case 'server version':
      case 'client version': {
        if (!isVersionMessage(this.data, o, this.stop)) return true;
        const server = this.state === 'server version';
        const version = this.data.toString('latin1', o + 4, o + 11);
        b.add(server ? 'vnc.server_proto_ver' : 'vnc.client_proto_ver', () => `${server ? 'Server' : 'Client'} protocol version: ${formatText(Buffer.from(version, 'latin1'))}`, version, o + 4, 7);
        if (this.data[o + 11] === 0) b.add('_ws.expert', 'Possible gtk-vnc bug', null, o + 12, 0);
        this.info = `${server ? 'Server' : 'Client'} protocol version: ${formatText(Buffer.from(version, 'latin1'))}`;
        if (this.first) {
          if (server) conn.serverPort = this.ctx.srcPort;
          else conn.clientVersion = parseFloat(version) || 0;
        }
        this.next(server ? 'client version' : 'security');
        return true;
      }
      case 'security':
        this.info = 'Security types supported';
        if (conn.clientVersion >= 3.007) {
          const count = this.uint('vnc.num_security_types', 'Number of security types', o, 1);
          for (let k = 1; k <= count; k++) this.uint('vnc.security_type', 'Security type', o + k, 1, (v) => `${SECURITY_TYPES[v] ?? 'Unknown'} (${v})`);
          this.next('security types');
        } else {
          const type = this.uint('vnc.server_security_type', 'Security type', o, 4, (v) => `${SECURITY_TYPES[v] ?? 'Unknown'} (${v})`) & 0xff;
          if (type === 0) this.next('security types');
          else if (type === 1) this.next('client init');
          else if (type === 2) this.next('vnc challenge');
          else if (type === 30) this.next('ard challenge');
        }
        return true;
      case 'security types': {
        const type = this.uint('vnc.client_security_type', 'Security type selected', o, 1, (v) => `${SECURITY_TYPES[v] ?? 'Unknown'} (${v})`);
        this.info = `Security type ${SECURITY_TYPES[type] ?? 'Unknown'} (${type}) selected by client`;
        if (type === 1) this.next(conn.clientVersion >= 3.008 ? 'security result' : 'client init');
        else if (type === 2) this.next('vnc challenge');
        else if (type === 30) this.next('ard challenge');
        else if (type === 16 || type === 19) this.next('unsupported');
        return true;
      }
      case 'vnc challenge':
      case 'vnc response': {
        const challenge = this.state === 'vnc challenge';
        this.info = challenge ? 'Authentication challenge from server' : 'Authentication response from client';
        this.bytes(challenge ? 'vnc.auth_challenge' : 'vnc.auth_response', challenge ? 'Authentication challenge' : 'Authentication response', o, 16);
        this.next(challenge ? 'vnc response' : 'security result');
        return true;
      }
      case 'ard challenge': {
        this.info = 'ARD authentication challenge';
        this.uint('vnc.ard_auth_generator', 'Generator', o, 2);
        const keyLength = this.uint('vnc.ard_auth_key_len', 'Key length', o + 2, 2);
        this.bytes('vnc.ard_auth_modulus', 'Prime modulus', o + 4, keyLength);
        this.bytes('vnc.ard_auth_server_key', 'Server public key', o + 4 + keyLength, keyLength);
        if (this.first) conn.ardKeyLength = keyLength;
        this.next('ard response');
        return true;
      }
      case 'ard response':
        this.info = 'ARD authentication response';
        this.bytes('vnc.ard_auth_credentials', 'Encrypted credentials', o, 128);
        this.bytes('vnc.ard_auth_client_key', 'Client public key', o + 128, conn.ardKeyLength);
        this.next('security result');
        return true;
      case 'security result': {
        this.info = 'Authentication result';
        const result = b.u32(o, 'Authentication result');
        b.add('vnc.auth_result', () => `${bitPicture(result, 1, 32)} = Authentication result: ${result & 1 ? 'Failed' : 'OK'}`, (result & 1) !== 0, o, 4);
        if (result === 0) this.next('client init');
        else if (result === 1 && conn.clientVersion >= 3.008) {
          const length = this.uint('vnc.auth_error_len', 'Length of authentication error', o + 4, 4);
          this.text('vnc.auth_error', 'Authentication error', o + 8, length);
        }
        return true;
      }
      case 'client init':
        this.info = 'Share desktop flag';
        this.flag('vnc.share_desktop_flag', 'Share desktop flag', o);
        this.next('server init');
        return true;
      case 'server init': {
        this.info = 'Server framebuffer parameters';
        let at = o;
        this.uint('vnc.width', 'Framebuffer width', at, 2);
        this.uint('vnc.height', 'Framebuffer height', at + 2, 2);
        const bits = this.uint('vnc.server_bits_per_pixel', 'Bits per pixel', at + 4, 1);
        this.setFileBpp(Math.floor(bits / 8));
        this.pixelFormat('server', at + 5);
        at += 20;
        if (this.end - at > 4) {
          const length = this.uint('vnc.desktop_name_len', 'Desktop name length', at, 4);
          this.text('vnc.desktop_name', 'Desktop name', at + 4, length);
        }
        this.next('normal');
        return true;
      }
      case 'unsupported':
        // TightVNC and VeNCrypt negotiations are not decoded: the segments show only the layer.
        return true;
      case 'normal':
        return false;
    }
  }

  /** Depth to the padding of a pixel format (after its bits per pixel). */
  private pixelFormat(side: 'server' | 'client', at: number): void {
    this.uint(`vnc.${side}_depth`, 'Depth', at, 1);
    this.flag(`vnc.${side}_big_endian_flag`, 'Big endian flag', at + 1);
    this.flag(`vnc.${side}_true_color_flag`, 'True color flag', at + 2);
    this.uint(`vnc.${side}_red_max`, 'Red maximum', at + 3, 2);
    this.uint(`vnc.${side}_green_max`, 'Green maximum', at + 5, 2);
    this.uint(`vnc.${side}_blue_max`, 'Blue maximum', at + 7, 2);
    this.uint(`vnc.${side}_red_shift`, 'Red shift', at + 9, 1);
    this.uint(`vnc.${side}_green_shift`, 'Green shift', at + 10, 1);
    this.uint(`vnc.${side}_blue_shift`, 'Blue shift', at + 11, 1);
    this.padding(at + 12, 3);
  }

  // -- client messages --------------------------------------------------------------------------

  private clientMessage(): void {
    const b = this.b;
    let at = this.offset;
    const type = b.u8(at, 'Client Message Type');
    b.group('vnc.client_message_type', () => `Client Message Type: ${CLIENT_MESSAGES[type] ?? 'Unknown'} (${type})`, type, at, 1, () => {
      at += 1;
      switch (type) {
        case 0: {
          this.info = 'Client set pixel format';
          this.padding(at, 3);
          const bits = this.uint('vnc.client_bits_per_pixel', 'Bits per pixel', at + 3, 1);
          this.setFileBpp(Math.floor(bits / 8));
          this.pixelFormat('client', at + 4);
          break;
        }
        case 2: {
          this.info = 'Client set encodings';
          this.padding(at, 1);
          const count = this.uint('vnc.client_set_encodings_num', 'Number of encodings', at + 1, 2);
          at += 3;
          for (let k = 0; k < count; k++, at += 4) this.encoding('vnc.client_set_encodings_encoding_type', at);
          break;
        }
        case 3:
          this.info = 'Client framebuffer update request';
          this.flag('vnc.update_req_incremental', 'Incremental update', at);
          this.uint('vnc.update_req_x_pos', 'X position', at + 1, 2);
          this.uint('vnc.update_req_y_pos', 'Y position', at + 3, 2);
          this.uint('vnc.update_req_width', 'Width', at + 5, 2);
          this.uint('vnc.update_req_height', 'Height', at + 7, 2);
          break;
        case 4: {
          this.info = 'Client key event';
          this.flag('vnc.key_down', 'Key down', at, ['Yes', 'No']);
          this.padding(at + 1, 2);
          const key = b.u32(at + 3, 'Key');
          const hex = `0x${key.toString(16).padStart(8, '0')}`;
          b.add('vnc.key', () => `Key: ${keysymName(key) ?? 'Unknown'} (${hex})`, key, at + 3, 4, hex);
          break;
        }
        case 5: {
          this.info = 'Client pointer event';
          const buttons = b.u8(at, 'Button mask');
          for (let k = 0; k < 8; k++) {
            const set = (buttons >> k) & 1;
            const bits = Array.from({ length: 8 }, (_, i) => (7 - i === k ? String(set) : '.')).join('');
            b.add(`vnc.button_${k + 1}_pos`, `${bits.slice(0, 4)} ${bits.slice(4)} = Mouse button #${k + 1} position: ${set ? 'Pressed' : 'Not pressed'}`, set !== 0, at, 1);
          }
          this.uint('vnc.pointer_x_pos', 'X position', at + 1, 2);
          this.uint('vnc.pointer_y_pos', 'Y position', at + 3, 2);
          break;
        }
        case 6: {
          this.info = 'Client cut text';
          this.padding(at, 3);
          const length = this.uint('vnc.client_cut_text_len', 'Length', at + 3, 4);
          this.text('vnc.client_cut_text', 'Text', at + 7, length);
          break;
        }
        case 150:
          this.info = 'Client Enable Continuous Updates';
          break;
        default:
          this.info = `Unknown client message type (${type})`;
      }
    }, String(type));
  }

  // -- server messages --------------------------------------------------------------------------

  private appendInfo(text: string): void {
    this.info = this.info ? `${this.info}; ${text}` : text;
  }

  private serverMessages(): void {
    let at = this.offset;
    while (at < this.end) {
      const start = at;
      try {
        at = this.serverMessage(at);
      } catch (err) {
        if (!(err instanceof NeedMore)) throw err;
        // The message runs past the segment: the next segment is put together with it.
        const message = 'See further on for dissection of the complete (reassembled) PDU';
        const add = (): void => {
          this.b.group('vnc.reassemble', message, null, start, this.stop - start, () => addExpert(this.b, 'vnc.reassemble', 'Chat', 'Reassemble', message, start, this.stop - start));
        };
        // In the tree of the message being dissected (the last top-level item).
        const fields = this.b.layer.fields;
        const last = fields[fields.length - 1];
        if (last !== undefined && last.abbrev === 'vnc.server_message_type') this.b.into((last.children ??= []), add);
        else add();
        this.needAt = start;
        return;
      }
    }
  }

  private serverMessage(at: number): number {
    const b = this.b;
    const type = b.u8(at, 'Server Message Type');
    b.group('vnc.server_message_type', () => `Server Message Type: ${SERVER_MESSAGES[type] ?? 'Unknown'} (${type})`, type, at, 1, () => {
      at += 1;
      switch (type) {
        case 0:
          at = this.framebufferUpdate(at);
          break;
        case 1: {
          this.appendInfo('Server set colormap entries');
          const colors = b.u16(this.offset + 4, 'Number of colors');
          this.needs(at, 3);
          this.padding(at, 1);
          this.uint('vnc.colormap_first_color', 'First color', at + 1, 2);
          this.uint('vnc.colormap_groups', 'Number of color groups', at + 3, 2);
          if (colors > 10000) break;
          this.needs(at, colors * 6 + 5);
          at += 5;
          b.group('vnc.color_groups', 'Color groups', null, at, colors * 6, () => {
            for (let k = 0; k < colors; k++, at += 6) {
              b.group('', `Color group #${k + 1}`, null, at, 6, () => {
                this.uint('vnc.colormap_red', 'Red', at, 2);
                this.uint('vnc.colormap_green', 'Green', at + 2, 2);
                this.uint('vnc.colormap_blue', 'Blue', at + 4, 2);
              });
            }
          });
          break;
        }
        case 2:
          this.appendInfo('Server ring bell on client');
          break;
        case 3: {
          this.appendInfo('Server cut text');
          const length = this.uint('vnc.server_cut_text_len', 'Length', at, 4);
          at += 4;
          if (length > 100000) break;
          this.needs(at, length);
          this.text('vnc.server_cut_text', 'Text', at, length);
          at += length;
          // vnc_server_cut_text returns its offset as the bytes it needs: tshark always asks for
          // the next segment after a server cut text.
          throw new NeedMore();
        }
        case 150:
          this.appendInfo('Server End Continuous Updates');
          at += 1;
          break;
        default:
          this.appendInfo('Unknown server message type');
          at = this.end;
      }
    }, String(type));
    return at;
  }

  private framebufferUpdate(at: number): number {
    const b = this.b;
    this.appendInfo('Server framebuffer update');
    this.padding(at, 1);
    at += 1;
    const count = b.u16(at, 'Number of rectangles');
    b.add('vnc.fb_update_num_rects', `Number of rectangles: ${count}${count === 0xffff ? ' [TIGHT encoding assumed (field is not used)]' : ''}`, count, at, 2);
    if (count !== 0xffff && count > 5000) return at;
    at += 2;
    for (let k = 0; k < count; k++) {
      if (k > 5000) return at;
      this.needs(at, 12);
      let encoding = 0;
      b.group('', `Rectangle #${k + 1}`, null, at, 12, () => {
        const x = b.u16(at), y = b.u16(at + 2), width = b.u16(at + 4), height = b.u16(at + 6);
        encoding = this.data.readInt32BE(at + 8);
        const cursor = encoding === -239 || encoding === -240;
        const pointer = encoding === -232;
        const note = (cursorText: string, pointerText: string): string => (cursor ? ` (${cursorText})` : pointer ? ` (${pointerText})` : '');
        b.add('vnc.fb_update_x_pos', `X position: ${x}${note('hotspot X', 'pointer X')}`, x, at, 2);
        b.add('vnc.fb_update_y_pos', `Y position: ${y}${note('hotspot Y', 'pointer Y')}`, y, at + 2, 2);
        b.add('vnc.fb_update_width', `Width: ${width}${note('cursor width', 'unused')}`, width, at + 4, 2);
        b.add('vnc.fb_update_height', `Height: ${height}${note('cursor height', 'unused')}`, height, at + 6, 2);
        b.group('vnc.fb_update_encoding_type', () => `Encoding type: ${ENCODINGS.get(encoding) ?? 'Unknown'} (${encoding})`, encoding, at + 8, 4, () => {
          at += 12;
          if (encoding !== ENC_LAST_RECT) at = this.rectangle(encoding, width, height, at);
        });
      });
      if (encoding === ENC_LAST_RECT) break;
    }
    return at;
  }

  /** One rectangle's encoded pixels; returns where the next rectangle starts. */
  private rectangle(encoding: number, width: number, height: number, at: number): number {
    const bpp = this.bpp;
    switch (encoding) {
      case 0: {
        const length = width * height * bpp;
        this.needs(at, length);
        this.bytes('vnc.raw_pixel_data', 'Pixel data', at, length);
        return at + length;
      }
      case 1:
        this.uint('vnc.copyrect_src_x_pos', 'Source x position', at, 2);
        this.uint('vnc.copyrect_src_y_pos', 'Source y position', at + 2, 2);
        return at + 4;
      case 2: {
        this.needs(at, 4);
        const count = this.uint('vnc.rre_num_subrects', 'Number of subrectangles', at, 4);
        at += 4;
        if (count > 10000) return at;
        this.needs(at, bpp);
        this.bytes('vnc.rre_bg_pixel', 'Background pixel value', at, bpp);
        at += bpp;
        this.needs(at, (bpp + 8) * count);
        for (let k = 0; k < count; k++) {
          this.b.group('', `Subrectangle #${k + 1}`, null, at, bpp + 8, () => {
            this.bytes('vnc.rre_subrect_pixel', 'Pixel value', at, bpp);
            at += bpp;
            this.uint('vnc.rre_subrect_x_pos', 'X position', at, 2);
            this.uint('vnc.rre_subrect_y_pos', 'Y position', at + 2, 2);
            this.uint('vnc.rre_subrect_width', 'Width', at + 4, 2);
            this.uint('vnc.rre_subrect_height', 'Height', at + 6, 2);
            at += 8;
          });
        }
        return at;
      }
      case 5:
        return this.hextile(width, height, at);
      case 16: {
        this.needs(at, 4);
        const length = this.uint('vnc.zrle_len', 'ZRLE compressed length', at, 4);
        at += 4;
        this.needs(at, length);
        this.bytes('vnc.zrle_data', 'ZRLE compressed data', at, length);
        return at + length;
      }
      case -239:
      case -240: {
        const maskBytes = Math.floor((width + 7) / 8) * height;
        let pixelBytes = width * height * bpp;
        if (encoding === -240) {
          this.needs(at, 6);
          this.bytes('vnc.cursor_x_fore_back', 'X Cursor foreground RGB / background RGB', at, 6);
          at += 6;
          pixelBytes = maskBytes;
        }
        this.needs(at, pixelBytes + maskBytes);
        this.bytes('vnc.cursor_encoding_pixels', 'Cursor encoding pixels', at, pixelBytes);
        this.bytes('vnc.cursor_encoding_bitmask', 'Cursor encoding bitmask', at + pixelBytes, maskBytes);
        return at + pixelBytes + maskBytes;
      }
      default:
        // Pseudo-encodings without payload, and encodings this dissector does not decode.
        return at;
    }
  }

  private hextile(width: number, height: number, at: number): number {
    const b = this.b;
    const bpp = this.bpp;
    let doneHeight = 0;
    while (doneHeight !== height) {
      const tileHeight = doneHeight + 16 > height ? height - doneHeight : 16;
      doneHeight = (doneHeight + tileHeight) & 0xffff;
      let doneWidth = 0;
      while (doneWidth !== width) {
        const tileWidth = doneWidth + 16 > width ? width - doneWidth : 16;
        doneWidth = (doneWidth + tileWidth) & 0xffff;
        this.needs(at, 1);
        const mask = b.u8(at);
        if (!b.building) {
          // No field of this tile is built: only where it ends matters (the same checks).
          at += 1;
          if (mask & 1) {
            const length = tileWidth * tileHeight * bpp;
            this.needs(at, length);
            at += length;
            continue;
          }
          if (mask & 2) this.needs(at, bpp), (at += bpp);
          if (mask & 4) this.needs(at, bpp), (at += bpp);
          if (mask & 8) {
            this.needs(at, 3);
            const count = b.u8(at);
            at += 1;
            const length = (mask & 16 ? bpp + 2 : 2) * count;
            this.needs(at, length);
            at += length;
          }
          continue;
        }
        const tileX = doneWidth, tileY = doneHeight;
        b.group('', () => `Tile {${tileX}:${tileY}}, sub encoding mask ${mask}`, null, at, 1, () => {
          b.group('vnc.hextile_subencoding', () => `Subencoding type: ${mask}`, mask, at, 1, () => {
            const bit = (m: number, name: string, abbrev: string): void => {
              const set = (mask & m) !== 0;
              b.add(abbrev, () => {
                const bits = Array.from({ length: 8 }, (_, i) => ((1 << (7 - i)) === m ? (set ? '1' : '0') : '.')).join('');
                return `${bits.slice(0, 4)} ${bits.slice(4)} = ${name}: ${set ? 'Yes' : 'No'}`;
              }, set, at, 1);
            };
            bit(1, 'Raw', 'vnc.hextile_raw');
            bit(2, 'Background Specified', 'vnc.hextile_bg');
            bit(4, 'Foreground Specified', 'vnc.hextile_fg');
            bit(8, 'Any Subrects', 'vnc.hextile_anysubrects');
            bit(16, 'Subrects Colored', 'vnc.hextile_subrectscolored');
          });
          at += 1;
          if (mask & 1) {
            const length = tileWidth * tileHeight * bpp;
            this.needs(at, length);
            this.bytes('vnc.hextile_raw_value', 'Raw pixel values', at, length);
            at += length;
            return;
          }
          if (mask & 2) {
            this.needs(at, bpp);
            this.bytes('vnc.hextile_bg_value', 'Background pixel value', at, bpp);
            at += bpp;
          }
          if (mask & 4) {
            this.needs(at, bpp);
            this.bytes('vnc.hextile_fg_value', 'Foreground pixel value', at, bpp);
            at += bpp;
          }
          if (mask & 8) {
            this.needs(at, 3);
            const count = this.b.u8(at);
            const subLength = mask & 16 ? bpp + 2 : 2;
            b.group('vnc.hextile_num_subrects', `Number of subrectangles: ${count}`, count, at, 1, () => {
              at += 1;
              this.needs(at, subLength * count);
              for (let k = 0; k < count; k++) {
                b.group('', () => `Subrectangle #${k + 1}`, null, at, subLength, () => {
                  if (mask & 16) {
                    this.bytes('vnc.hextile_subrect_pixel_value', 'Pixel value', at, bpp);
                    at += bpp;
                  }
                  const xy = b.u8(at), wh = b.u8(at + 1);
                  b.add('vnc.hextile_subrect_x_pos', () => `${(xy >> 4).toString(2).padStart(4, '0')} .... = X position: ${xy >> 4}`, xy >> 4, at, 1);
                  b.add('vnc.hextile_subrect_y_pos', () => `.... ${(xy & 15).toString(2).padStart(4, '0')} = Y position: ${xy & 15}`, xy & 15, at, 1);
                  b.add('vnc.hextile_subrect_width', () => `${(wh >> 4).toString(2).padStart(4, '0')} .... = Width: ${wh >> 4}`, wh >> 4, at + 1, 1);
                  b.add('vnc.hextile_subrect_height', () => `.... ${(wh & 15).toString(2).padStart(4, '0')} = Height: ${wh & 15}`, wh & 15, at + 1, 1);
                  at += 2;
                });
              }
            });
          }
        });
      }
    }
    return at;
  }
}

