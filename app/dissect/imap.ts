/**
 * IMAP (RFC 3501; TCP 143) as tshark 4.0's packet-imap.c shows it: a payload's lines, each a
 * "Line" item; a line that does not start with "*" is a request or response (imap.request /
 * imap.response, its tag, command or status, a response's command after the status, a folder
 * for the commands that take one, LOGIN's user name and password), matched to its request by tag
 * (imap.response_to, imap.time; imap.response_in with -2). Info is "Request: …" / "Response: …"
 * of the first such line. Lines are put together over TCP segments as the dissector asks
 * (DESEGMENT_ONE_MORE_SEGMENT until a line ends), and an untagged FETCH waits for its literal
 * ("{N}" and the closing parenthesis) and hands the N bytes to IMF, as packet-imap.c does,
 * quirks included (prefixes of command names count as the command, the tag of a line carries to
 * the next lines of the same payload, a password loses its first and last character).
 * STARTTLS answered by an OK hands the connection to TLS after that frame; the first two
 * payloads of a connection that do not start with 5 printable bytes are TLS (the capture began
 * after STARTTLS), as the ssl_heuristic preference does by default.
 */
import { conversationKey } from './dissector';
import { dissectSafely, LayerBuilder, StopDissection } from './builder';
import { asciiFieldText, formatText, namedTruncated } from './app-format';
import { nsToSeconds } from './format';
import { dissectImf } from './imf';
import { ONE_MORE_SEGMENT } from './tcp-pdus';
import type { AppContext, AppDissector, Field, Layer, PduSplit } from './model';

export const IMAP_PORT = 143;
const TITLE = 'Internet Message Access Protocol';

interface RequestInfo {
  request: number;
  response: number;
  tsNs: bigint | undefined;
}

interface Conversation {
  sslRequested: boolean;
  /** ssl_heur_tries_left: payloads still tested for TLS. */
  heuristicTriesLeft: number;
  /** The last frame the heuristic was asked about (it is asked once per frame). */
  verdictFrame: number;
  /** The frame the heuristic found TLS in (0 none): it stays TLS when dissected again. */
  tlsFrame: number;
  /** The last frame whose lines moved the state on (a frame dissected again changes nothing). */
  lastFrame: number;
  /** Where desegment() last found the payload to end (Wireshark's tvb, longer than the lines dissect() is handed). */
  tvb: { frame: number; data: Buffer; offset: number; end: number } | null;
}

/** Requests by conversation and lowercase tag, in frame order (imap_requests). */
type RequestTable = Map<string, RequestInfo[]>;

export function createImapDissector(tls?: AppDissector): AppDissector {
  const conversations = new Map<string, Conversation>();
  const requests: RequestTable = new Map();
  const conversationOf = (ctx: AppContext): { key: string; conv: Conversation } => {
    const key = conversationKey(ctx.src, ctx.srcPort, ctx.dst, ctx.dstPort);
    let conv = conversations.get(key);
    if (conv === undefined) conversations.set(key, (conv = { sslRequested: false, heuristicTriesLeft: 2, verdictFrame: -1, tlsFrame: 0, lastFrame: 0, tvb: null }));
    return { key, conv };
  };
  return {
    protocol: 'imap',
    tcpPorts: [IMAP_PORT],
    stateful: true,
    desegment: (data, offset, end, ctx) => {
      const { conv } = conversationOf(ctx);
      const stop = Math.min(end, data.length);
      if (tls !== undefined && looksEncrypted(conv, data, offset, stop, ctx)) return { pdus: [stop - offset], need: 0 };
      conv.tvb = { frame: ctx.frameNumber, data, offset, end: stop };
      const walk = new ImapWalk(data, offset, stop, ctx.dstPort === IMAP_PORT, null, ctx);
      walk.run();
      if (walk.desegmentAt < 0) return { pdus: [stop - offset], need: 0 };
      const split: PduSplit = { pdus: walk.desegmentAt > offset ? [walk.desegmentAt - offset] : [], need: ONE_MORE_SEGMENT };
      // Wireshark keeps IMAP in frame.protocols when it added its item before asking for more.
      if (walk.desegmentAt === offset && walk.layerAdded) split.waitingLayer = waitingLayer(data, offset, ctx);
      return split;
    },
    dissect: (data, offset, end, ctx) => {
      const { key, conv } = conversationOf(ctx);
      const stop = Math.min(end, data.length);
      if (tls !== undefined && looksEncrypted(conv, data, offset, stop, ctx)) {
        // ssl_starttls_post_ack: this payload and the rest of the connection are TLS.
        if (ctx.connection !== undefined) ctx.connection.heuristicApp = tls;
        const result = tls.dissect(data, offset, end, ctx);
        const chain = result.chain !== undefined ? [...result.chain] : result.layers.map((l, k) => (k > 0 && result.layers[k - 1]!.protocol === l.protocol ? '' : l.protocol));
        // IMAP called TLS: its name comes first in frame.protocols, though it shows no item (the
        // second pass finds TLS the conversation's dissector from this frame on, without IMAP).
        if (chain.length > 0 && ctx.hindsight?.recalling !== true) chain[0] = chain[0] ? `imap:${chain[0]}` : 'imap';
        return { ...result, chain };
      }
      const memo = conv.tvb;
      const tvbEnd = memo !== null && memo.frame === ctx.frameNumber && memo.data === data && memo.offset === offset ? Math.max(memo.end, stop) : stop;
      const first = ctx.frameNumber > conv.lastFrame;
      if (first) conv.lastFrame = ctx.frameNumber;
      const table = ctx.hindsight === undefined ? requests : ctx.hindsight.share('imap', requests);
      const walk = new ImapWalk(data, offset, tvbEnd, ctx.dstPort === IMAP_PORT, { conv, key, table, first, recalling: ctx.hindsight?.recalling === true }, ctx, stop);
      const layer = walk.run();
      if (walk.startTls && tls !== undefined && ctx.connection !== undefined) ctx.connection.heuristicApp = tls;
      if (!walk.layerAdded) return { layers: [], protocolColumn: '', info: '' };
      const layers: Layer[] = [layer, ...walk.extra];
      // Each IMF message (and its body's layer, nested in IMF's tree) names its protocol again.
      // An empty body's layer (text/plain of 0 lines) adds no name.
      const chain = layers.map((l, k) => (k > 0 && l.nested && l.length === 0 ? '' : l.protocol));
      const info = walk.info() + (layer.status === 'malformed' ? '[Malformed Packet]' : '');
      return { layers, protocolColumn: walk.protocolColumn, info, chain };
    },
  };
}

/** The IMAP item a payload leaves when its first line is whole but it waits for more (a FETCH's literal). */
function waitingLayer(data: Buffer, offset: number, ctx: AppContext): Layer {
  const b = new LayerBuilder(data, 'imap', TITLE, offset, offset, ctx.fields);
  b.add('imap.isrequest', () => `Request: ${ctx.dstPort === IMAP_PORT ? 'True' : 'False'}`, ctx.dstPort === IMAP_PORT, offset, 0, ctx.dstPort === IMAP_PORT ? '1' : '0').hidden = true;
  return b.layer;
}

/**
 * check_imap_heur for the first two payloads of a connection (once per frame): five bytes that
 * are not all printable make the payload TLS.
 */
function looksEncrypted(conv: Conversation, data: Buffer, offset: number, stop: number, ctx: AppContext): boolean {
  if (conv.tlsFrame === ctx.frameNumber) return true;
  if (ctx.frameNumber <= conv.verdictFrame) return false;
  conv.verdictFrame = ctx.frameNumber;
  if (conv.heuristicTriesLeft > 0) {
    conv.heuristicTriesLeft--;
    if (stop - offset >= 5) {
      for (let i = offset; i < offset + 5; i++) {
        if (data[i]! < 0x20 || data[i]! > 0x7e) {
          conv.tlsFrame = ctx.frameNumber;
          conv.heuristicTriesLeft = 0;
          break;
        }
      }
    }
  }
  return conv.tlsFrame === ctx.frameNumber;
}

/** What the walk changes and reads beyond the payload: absent when desegment() only plans. */
interface WalkState {
  conv: Conversation;
  key: string;
  table: RequestTable;
  /** First dissection of this frame: requests are noted and STARTTLS followed. */
  first: boolean;
  recalling: boolean;
}

const SPACE = 0x20, CR = 0x0d, LF = 0x0a, TAB = 0x09;

/** An ENC_ASCII string as tshark reads it: up to a NUL, bytes past 0x7f as U+FFFD. */
function ascii(data: Buffer, start: number, end: number): string {
  let text = '';
  for (let i = start; i < end; i++) {
    const c = data[i]!;
    if (c === 0) break;
    text += c < 0x80 ? String.fromCharCode(c) : '\ufffd';
  }
  return text;
}

/** ASCII lower case (wmem_ascii_strdown). */
const lower = (text: string): string => text.replace(/[A-Z]+/g, (s) => s.toLowerCase());

/** strncmp(token, word, n) == 0 with n the token's length: the token is `word` or a prefix of it. */
const prefixOf = (token: string, word: string): boolean => word.startsWith(token);

/**
 * One call of dissect_imap on data[start, tvbEnd): its lines, its fields (when `state` is
 * given), and where it asked for more (desegmentAt, -1 none).
 */
class ImapWalk {
  private readonly b: LayerBuilder;
  desegmentAt = -1;
  layerAdded = false;
  startTls = false;
  /** IMF layers (and their bodies) of FETCH literals. */
  readonly extra: Layer[] = [];
  protocolColumn = 'IMAP';
  /** The Info column: text before the fence (col_set_fence) and after it. */
  private fenced = '';
  private open = '';
  private readonly dir: string;

  constructor(
    private readonly data: Buffer,
    private readonly start: number,
    private readonly tvbEnd: number,
    private readonly isRequest: boolean,
    private readonly state: WalkState | null,
    private readonly ctx: AppContext,
    layerEnd = tvbEnd,
  ) {
    // A plan builds no field.
    this.b = new LayerBuilder(data, 'imap', TITLE, start, layerEnd, state === null ? EMPTY : ctx.fields);
    this.dir = isRequest ? 'Request' : 'Response';
  }

  info(): string {
    return this.fenced + this.open;
  }

  run(): Layer {
    return dissectSafely(this.b, () => this.lines());
  }

  /** tvb_find_line_end with desegment TRUE: [linelen, next offset], or null when the line does not end here. */
  private lineEnd(offset: number): [number, number] | null {
    const data = this.data;
    for (let i = offset; i < this.tvbEnd; i++) {
      const c = data[i]!;
      if (c === LF) return [i - offset, i + 1];
      if (c === CR) {
        if (i + 1 >= this.tvbEnd) return null;
        return [i - offset, data[i + 1] === LF ? i + 2 : i + 1];
      }
    }
    return null;
  }

  /** tvb_get_token_len (no desegmentation): [tokenlen, next offset]. */
  private token(offset: number, len: number): [number, number] {
    const limit = len < 0 ? this.tvbEnd : Math.min(this.tvbEnd, offset + len);
    for (let i = offset; i < limit; i++) {
      const c = this.data[i]!;
      if (c === SPACE || c === CR || c === LF) return [i - offset, i + 1];
    }
    const eob = len === -1 ? this.tvbEnd : offset + len;
    return [eob - offset, eob];
  }

  /** tvb_find_guint8 over [offset, offset + length) (length < 0: to the end), -1 when absent. */
  private find(byte: number, offset: number, length: number): number {
    if (offset < 0 || offset > this.tvbEnd) return -1;
    const limit = length < 0 ? this.tvbEnd : Math.min(this.tvbEnd, offset + length);
    const at = this.data.indexOf(byte, offset);
    return at >= 0 && at < limit ? at : -1;
  }

  /** A "Line" item, with what `body` adds inside it (its reqresp_tree). */
  private lineItem(offset: number, next: number, body: () => void = () => {}): Field {
    const value = ascii(this.data, offset, next);
    return this.b.group('imap.line', () => namedTruncated('Line', formatText(Buffer.from(value))), value, offset, next - offset, body, () => asciiFieldText(this.data.subarray(offset, next)));
  }

  private stringItem(abbrev: string, name: string, offset: number, length: number, value = ascii(this.data, offset, offset + length)): Field {
    return this.b.add(abbrev, () => namedTruncated(name, formatText(Buffer.from(value))), value, offset, length, () => asciiFieldText(Buffer.from(value, 'latin1')));
  }

  private lines(): void {
    const data = this.data;
    const b = this.b;
    const first = this.lineEnd(this.start);
    if (first === null) {
      this.desegmentAt = this.start;
      return;
    }
    this.layerAdded = true;
    b.add('imap.isrequest', () => `Request: ${this.isRequest ? 'True' : 'False'}`, this.isRequest, this.start, 0, this.isRequest ? '1' : '0').hidden = true;
    let firstLine = true;
    let offset = this.start;
    let linelen = first[0];
    /** request_key.tag: set by a line's first token, kept for the lines after it. */
    let tag: string | null = null;
    while (offset < this.tvbEnd) {
      const found = this.lineEnd(offset);
      if (found === null) {
        this.desegmentAt = offset;
        return;
      }
      let next: number;
      [linelen, next] = found;
      if (data[offset] === 0x2a) {
        let showLine = true;
        const tokens: Array<[number, number]> = [];
        let pattern = offset;
        do {
          const tokenStart = pattern + 1;
          pattern = -1;
          for (let i = tokenStart; i < next; i++) {
            const c = data[i]!;
            if (c === SPACE || c === TAB || c === CR || c === LF) {
              pattern = i;
              break;
            }
          }
          if (pattern > tokenStart) tokens.push([tokenStart, pattern]);
        } while (pattern !== -1 && tokens.length < 3);
        if (tokens.length >= 2) {
          let needMore = false;
          for (const [s, e] of tokens) {
            if (prefixOf(data.toString('latin1', s, e).toUpperCase(), 'FETCH') && e - s <= 5) {
              const fetched = this.fetch(e, offset, next);
              needMore = fetched.needMore;
              next = fetched.next;
              if (fetched.shown) firstLine = false;
              if (!needMore) showLine = false;
              break;
            }
          }
          if (needMore) {
            this.desegmentAt = offset;
            return;
          }
        }
        if (showLine) this.lineItem(offset, next);
      } else {
        if (firstLine) {
          this.setInfo(`${this.dir}: ${formatText(data.subarray(offset, offset + linelen))}`);
          firstLine = false;
        }
        const lineState: { tag: string | null } = { tag };
        const lineStart = offset;
        const length = linelen;
        this.lineItem(offset, next, () => this.line(lineStart, length, lineState));
        tag = lineState.tag;
      }
      offset = next;
    }
    // Only untagged lines: the first one's Info, as long as the last line (tshark's quirk).
    if (firstLine) this.setInfo(`${this.dir}: ${formatText(data.subarray(this.start, this.start + linelen))}`);
  }

  /** A request or response line's items (into its Line item). */
  private line(lineStart: number, lineLength: number, lineState: { tag: string | null }): void {
    const data = this.data;
    const req = this.isRequest;
    let offset = lineStart;
    let linelen = lineLength;
    if (linelen !== 0) this.stringItem(req ? 'imap.request' : 'imap.response', req ? 'Request' : 'Response', offset, linelen);
    let [tokenlen, nextToken] = this.token(offset, linelen);
    if (tokenlen !== 0) {
      const tag = ascii(data, offset, offset + tokenlen);
      lineState.tag = lower(tag);
      this.stringItem(req ? 'imap.request_tag' : 'imap.response_tag', req ? 'Request Tag' : 'Response Tag', offset, tokenlen, tag);
      this.stringItem('imap.tag', 'Tag', offset, tokenlen, tag).hidden = true;
      linelen -= nextToken - offset;
      offset = nextToken;
    }
    [tokenlen, nextToken] = this.token(offset, linelen);
    if (tokenlen !== 0) {
      const second = lower(ascii(data, offset, offset + tokenlen));
      let command = '';
      let folderOffset = 0;
      let folderTokenlen = 0;
      let folderNext = 0;
      if (req && tokenlen <= 3 && prefixOf(data.toString('latin1', offset, offset + tokenlen).toUpperCase(), 'UID')) {
        let value = 0;
        for (let i = offset; i < offset + tokenlen; i++) value = value * 256 + data[i]!;
        this.b.add('imap.request.command.uid', () => `Request isUID: ${value !== 0 ? 'True' : 'False'}`, value !== 0, offset, tokenlen, value !== 0 ? '1' : '0');
        const uidOffset = nextToken;
        const [uidTokenlen, uidNext] = this.token(nextToken, linelen - (nextToken - offset));
        if (uidTokenlen !== 0) {
          this.stringItem('imap.request.command', 'Request Command', uidOffset, uidTokenlen);
          this.stringItem('imap.command', 'Command', offset, tokenlen).hidden = true;
          command = lower(ascii(data, nextToken, nextToken + uidTokenlen));
          folderOffset = uidNext;
          [folderTokenlen, folderNext] = this.token(uidNext, linelen - (uidNext - offset));
        }
      } else {
        this.stringItem(req ? 'imap.request.command' : 'imap.response.status', req ? 'Request Command' : 'Response Status', offset, tokenlen);
        if (req) {
          this.stringItem('imap.command', 'Command', offset, tokenlen).hidden = true;
          command = second;
          folderOffset = nextToken;
          [folderTokenlen, folderNext] = this.token(nextToken, linelen - (nextToken - offset));
        }
      }
      if (command.length > 0) {
        if (['select', 'examine', 'create', 'delete', 'rename', 'subscribe', 'unsubscribe', 'status', 'append', 'search'].some((w) => prefixOf(command, w))) {
          if (folderTokenlen !== 0) this.stringItem('imap.request.folder', 'Request Folder', folderOffset, folderTokenlen);
        } else if (linelen > 0 && prefixOf(command, 'copy')) {
          folderOffset = folderNext;
          [folderTokenlen, folderNext] = this.token(folderOffset, linelen - (folderNext - offset));
          if (folderTokenlen !== 0) this.stringItem('imap.request.folder', 'Request Folder', folderOffset, folderTokenlen);
        } else if (prefixOf(command, 'starttls')) {
          if (this.state?.first) this.state.conv.sslRequested = true;
        } else if (prefixOf(command, 'login')) {
          const userOffset = nextToken;
          const [userTokenlen, userNext] = this.token(nextToken, linelen - (nextToken - offset));
          this.stringItem('imap.request.username', 'Request Username', userOffset, userTokenlen);
          const [passwordTokenlen] = this.token(userNext, linelen - (userNext - offset));
          // tvb_get_string_enc with a negative length throws.
          if (passwordTokenlen - 2 < 0) throw new StopDissection('malformed', 'IMAP LOGIN password shorter than its quotes');
          const password = ascii(data, userNext + 1, userNext + 1 + passwordTokenlen - 2);
          this.stringItem('imap.request.password', 'Request Password', userNext, passwordTokenlen, password);
        }
      }
      if (!req) {
        const [commandlen] = this.token(nextToken, linelen - (nextToken - offset));
        if (commandlen > 0) {
          this.stringItem('imap.response.command', 'Response Command', nextToken, commandlen);
          this.stringItem('imap.command', 'Command', nextToken, commandlen).hidden = true;
        }
      }
      const state = this.state;
      if (state !== null && state.first && state.conv.sslRequested && !req && prefixOf(second, 'ok')) {
        // ssl_starttls_ack: the frames after this one are TLS.
        this.startTls = true;
        if (state.conv.heuristicTriesLeft > 0) state.conv.heuristicTriesLeft = 0;
        state.conv.sslRequested = false;
      }
    }
    if (lineState.tag !== null) this.match(lineState.tag);
  }

  /** imap_match_request: a request noted under its tag, a response matched to the last request before it. */
  private match(tag: string): void {
    const state = this.state;
    if (state === null) return;
    const key = `${state.key}|${tag}`;
    const frame = this.ctx.frameNumber;
    let list = state.table.get(key);
    let info: RequestInfo | undefined;
    if (state.first && !state.recalling) {
      if (this.isRequest) {
        if (list === undefined) state.table.set(key, (list = []));
        info = { request: frame, response: 0, tsNs: this.ctx.tsNs };
        const at = list.findIndex((r) => r.request >= frame);
        if (at < 0) list.push(info);
        else list.splice(at, list[at]!.request === frame ? 1 : 0, info);
      } else if (list !== undefined) {
        info = lastAtOrBefore(list, frame);
        if (info !== undefined) info.response = frame;
      }
    } else if (list !== undefined) info = lastAtOrBefore(list, frame);
    if (info === undefined) return;
    const found = info;
    if (this.isRequest) {
      if (found.response) this.b.add('imap.response_in', () => `[Response In: ${found.response}]`, found.response, this.start, 0);
    } else if (found.request) {
      this.b.add('imap.response_to', () => `[Request In: ${found.request}]`, found.request, this.start, 0);
      if (this.ctx.tsNs !== undefined && found.tsNs !== undefined) {
        const delta = this.ctx.tsNs - found.tsNs;
        this.b.add('imap.time', () => `[Response Time: ${nsToSeconds(delta)} seconds]`, delta, this.start, 0, () => nsToSeconds(delta));
      }
    }
  }

  /**
   * dissect_imap_fetch: an untagged FETCH waits for a "(" and, with a literal "{N}", for a ")"
   * at or past N bytes after the "}"; the N bytes after the line are IMF. `shown`: IMF took the
   * Info column.
   */
  private fetch(fetchOffset: number, lineStart: number, lineNext: number): { needMore: boolean; next: number; shown: boolean } {
    let next = lineNext;
    const open = this.find(0x28, fetchOffset, -1);
    if (open < 0) return { needMore: true, next, shown: false };
    const remaining = this.tvbEnd - (open + 1);
    if (remaining <= 0) return { needMore: true, next, shown: false };
    const sizeStart = this.find(0x7b, open, remaining);
    if (sizeStart < 0) {
      const found = this.lineEnd(open);
      if (found === null) return { needMore: true, next, shown: false };
      next = found[1];
      this.lineItem(lineStart, next);
      return { needMore: false, next, shown: false };
    }
    const sizeEnd = this.find(0x7d, sizeStart + 1, remaining - (sizeStart - open));
    if (sizeEnd <= 0) return { needMore: true, next, shown: false };
    const size = strtou32(this.data.toString('latin1', sizeStart + 1, sizeEnd));
    if (size === null) return { needMore: true, next, shown: false };
    // Offsets are gint: past 2^31 they count from the end.
    let target = (sizeEnd + size) | 0;
    if (target < 0) target += this.tvbEnd;
    const left = target < 0 || target > this.tvbEnd ? 0 : this.tvbEnd - target;
    if (left <= 0 || this.find(0x29, target, left) < 0) return { needMore: true, next, shown: false };
    this.lineItem(lineStart, next);
    const length = size | 0;
    const messageEnd = length === -1 ? this.tvbEnd : next + length;
    if (length < -1 || messageEnd > this.tvbEnd) throw new StopDissection('malformed', 'IMAP literal runs past the data');
    if (this.state !== null) this.imf(next, messageEnd);
    if (((next + size) | 0) > next) next += size;
    return { needMore: false, next, shown: true };
  }

  /** The message of a literal, dissected by IMF (a protocol of its own, after IMAP). */
  private imf(start: number, end: number): void {
    const message = this.data.subarray(start, end);
    const imf = dissectImf(message, this.ctx.fields);
    for (const layer of [imf.layer, ...imf.bodies]) {
      if (layer.data === undefined) shift(layer, start);
      this.extra.push(layer);
    }
    // IMF appends "/IMF" behind a fence, clears the Info after its fence, and fences its headers.
    this.protocolColumn += '/IMF';
    this.open = '';
    const fence = imf.infoFence ?? -1;
    if (fence >= 0) {
      this.fenced += this.open + imf.info.slice(0, fence);
      this.open = imf.info.slice(fence);
    } else this.open = imf.info;
  }

  private setInfo(text: string): void {
    this.open = text;
  }
}

const EMPTY: ReadonlySet<string> = new Set();

/** Moves a layer's offsets (made in a slice of the payload) to the payload's. */
function shift(layer: Layer, base: number): void {
  layer.offset += base;
  const walk = (fields: readonly Field[]): void => {
    for (const f of fields) {
      f.offset += base;
      if (f.children) walk(f.children);
    }
  };
  walk(layer.fields);
}

function lastAtOrBefore(list: readonly RequestInfo[], frame: number): RequestInfo | undefined {
  let found: RequestInfo | undefined;
  for (const r of list) {
    if (r.request > frame) break;
    found = r;
  }
  return found;
}

/** ws_strtou32 on the whole string: decimal digits (after optional white space and "+"), at most 2^32 - 1. */
function strtou32(text: string): number | null {
  const m = /^[ \t\n\v\f\r]*\+?([0-9]+)$/.exec(text);
  if (m === null) return null;
  const value = Number(m[1]);
  return value <= 0xffffffff ? value : null;
}
