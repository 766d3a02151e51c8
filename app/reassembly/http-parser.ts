/**
 * An incremental HTTP/1.x message parser for one direction of a reassembled TCP stream. Bytes come
 * in chunks cut anywhere (a URL may span many segments); messages come out whole, with the frames
 * and times of their first and last bytes. Framing follows RFC 9112 §6: chunked, Content-Length,
 * no body, or (responses only) delimited by the close of the connection.
 *
 * Holes in the stream (onGap) are skipped inside a body of known length and inside a
 * close-delimited body; elsewhere the parser loses its place and looks for the next line that
 * starts a message.
 */
import type { StreamChunk, StreamGap } from './tcp-stream';

export type HttpSide = 'request' | 'response';

export interface HttpMessage {
  side: HttpSide;
  /** The request line or status line, without its line ending (latin1). */
  startLine: string;
  /** Requests: method and request target exactly as sent. */
  method: string | null;
  target: string | null;
  /** 'HTTP/1.1', 'HTTP/1.0'. */
  version: string;
  /** Responses: status code and reason phrase. */
  status: number | null;
  reason: string | null;
  /** Header fields in order, names as sent. */
  headers: Array<[string, string]>;
  /** Bytes of start line and headers, including the empty line. */
  headerBytes: number;
  /** How the body was delimited. */
  framing: 'none' | 'length' | 'chunked' | 'close';
  /** Body bytes after removing chunked transfer coding (what Content-Length would say). */
  bodyBytes: number;
  /** Body (transfer coding removed) when kept, up to the parser's maxBodyBytes. */
  body: Buffer | null;
  /** True when the body was longer than maxBodyBytes and `body` holds only its start. */
  bodyCut: boolean;
  /** Bytes of the message lost to holes in the capture. */
  missingBytes: number;
  /** True when the message ended as its framing says (not cut by a hole or the end of the capture). */
  complete: boolean;
  firstFrame: number;
  firstTsNs: bigint;
  lastFrame: number;
  lastTsNs: bigint;
}

export interface HttpParserOptions {
  /** Keep bodies (for decoding and export); default true. */
  keepBodies?: boolean;
  /** Bytes of body kept per message (default 16 MiB); bodyBytes still counts all of it. */
  maxBodyBytes?: number;
  /** Largest start line + header section accepted (default 1 MiB). */
  maxHeaderBytes?: number;
}

export interface HttpParserEvents {
  /** Headers parsed: the message exists (body still to come). */
  onHeaders?(message: HttpMessage): void;
  onMessage(message: HttpMessage): void;
  /**
   * Responses: how the body of a response is framed depends on its request (HEAD, CONNECT);
   * return the method of the request this response (just given to onHeaders) answers, when known.
   */
  requestMethodFor?(response: HttpMessage): string | null;
}

type State = 'start' | 'length' | 'chunk-size' | 'chunk-data' | 'chunk-end' | 'trailers' | 'close' | 'lost' | 'tunnel';

export const HTTP_METHODS = ['GET', 'POST', 'HEAD', 'PUT', 'DELETE', 'OPTIONS', 'CONNECT', 'TRACE', 'PATCH', 'PROPFIND', 'PROPPATCH', 'MKCOL', 'COPY', 'MOVE', 'LOCK', 'UNLOCK', 'NOTIFY', 'SUBSCRIBE', 'M-SEARCH', 'REPORT', 'SEARCH', 'PURGE'];
// Lenient about the version as tshark is (devices send 'HTTP/1.0.8'); strict about the rest.
const REQUEST_LINE = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+) (\S+) (HTTP\/\d[\d.]*)$/;
const STATUS_LINE = /^(HTTP\/\d[\d.]*) (\d{3})(?: (.*))?$/;
const REQUEST_START = new RegExp(`(?:^|\\n)(?:${HTTP_METHODS.join('|')}) \\S`);
const RESPONSE_START = /(?:^|\n)HTTP\/1\.[01] \d{3}/;

export class HttpMessageParser {
  /** Messages whose headers were parsed so far. */
  count = 0;
  /** Bytes skipped because they did not parse as HTTP. */
  unparsedBytes = 0;
  private state: State = 'start';
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private pendingFrame = 0;
  private pendingTsNs = 0n;
  private message: HttpMessage | null = null;
  private bodyParts: Buffer[] = [];
  private keptBytes = 0;
  private remaining = 0;
  private readonly keepBodies: boolean;
  private readonly maxBodyBytes: number;
  private readonly maxHeaderBytes: number;

  constructor(readonly side: HttpSide, private readonly events: HttpParserEvents, options: HttpParserOptions = {}) {
    this.keepBodies = options.keepBodies ?? true;
    this.maxBodyBytes = options.maxBodyBytes ?? 16 << 20;
    this.maxHeaderBytes = options.maxHeaderBytes ?? 1 << 20;
  }

  /** True once the stream switched to another protocol (101, CONNECT): nothing more is parsed. */
  get tunnelled(): boolean {
    return this.state === 'tunnel';
  }

  push(chunk: StreamChunk): void {
    let data = chunk.data;
    while (data.length > 0) {
      const used = this.step(data, chunk);
      data = data.subarray(used);
    }
  }

  gap(gap: StreamGap): void {
    let length = gap.length;
    const m = this.message;
    if (m && (this.state === 'length' || this.state === 'close')) {
      const inBody = this.state === 'length' ? Math.min(length, this.remaining) : length;
      m.bodyBytes += inBody;
      m.missingBytes += inBody;
      this.keepBody(null);
      length -= inBody;
      if (this.state === 'length') {
        this.remaining -= inBody;
        if (this.remaining === 0) this.finishMessage(true);
      }
      if (length === 0) return;
    }
    if (this.state === 'tunnel') return;
    const open = this.message;
    if (open) {
      open.missingBytes += length;
      this.finishMessage(false);
    }
    this.unparsedBytes += this.pendingBytes + length;
    this.clearPending();
    this.state = 'lost';
  }

  /**
   * The direction ended. A close-delimited body is complete when the connection closed (FIN or
   * RST), not when the capture merely stopped.
   */
  end(closed = true): void {
    if (this.message) this.finishMessage(this.state === 'close' && closed);
    this.unparsedBytes += this.pendingBytes;
    this.clearPending();
  }

  /** Consumes a prefix of data; returns how many bytes it used (at least 1). */
  private step(data: Buffer, chunk: StreamChunk): number {
    switch (this.state) {
      case 'start':
        return this.readHead(data, chunk);
      case 'length': {
        const n = Math.min(this.remaining, data.length);
        this.body(data.subarray(0, n), chunk);
        this.remaining -= n;
        if (this.remaining === 0) this.finishMessage(true);
        return n;
      }
      case 'close':
        this.body(data, chunk);
        return data.length;
      case 'chunk-size':
      case 'chunk-end':
      case 'trailers':
        return this.readChunkLine(data, chunk);
      case 'chunk-data': {
        const n = Math.min(this.remaining, data.length);
        this.body(data.subarray(0, n), chunk);
        this.remaining -= n;
        if (this.remaining === 0) this.state = 'chunk-end';
        return n;
      }
      case 'lost':
        return this.resync(data);
      case 'tunnel':
        return data.length;
    }
  }

  /** Gathers the start line and headers until the empty line, however many chunks they span. */
  private readHead(data: Buffer, chunk: StreamChunk): number {
    if (this.pendingBytes === 0) {
      // Empty lines before a message are allowed (RFC 9112 §2.2).
      let skip = 0;
      while (skip < data.length && (data[skip] === 0x0d || data[skip] === 0x0a)) skip++;
      if (skip > 0) return skip;
      this.pendingFrame = chunk.frame;
      this.pendingTsNs = chunk.tsNs;
      if (!this.startsLikeMessage(data)) {
        this.state = 'lost';
        return 0; // the next step resyncs
      }
    }
    // Look for the end of the header section across the boundary with what is pending.
    const lookBack = Math.min(3, this.pendingBytes);
    const tail = lookBack > 0 ? Buffer.concat([this.pendingTail(lookBack), data]) : data;
    const end = headerEnd(tail);
    if (end < 0) {
      this.pending.push(Buffer.from(data));
      this.pendingBytes += data.length;
      if (this.pendingBytes > this.maxHeaderBytes) {
        this.unparsedBytes += this.pendingBytes;
        this.clearPending();
        this.state = 'lost';
      }
      return data.length;
    }
    const used = end - lookBack;
    this.pending.push(data.subarray(0, used));
    this.pendingBytes += used;
    const head = Buffer.concat(this.pending, this.pendingBytes);
    this.clearPending();
    this.startMessage(head, chunk);
    return used;
  }

  /** The last n pending bytes, without joining everything that is pending. */
  private pendingTail(n: number): Buffer {
    const parts: Buffer[] = [];
    let have = 0;
    for (let k = this.pending.length - 1; k >= 0 && have < n; k--) {
      parts.unshift(this.pending[k]!);
      have += this.pending[k]!.length;
    }
    const joined = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
    return joined.subarray(joined.length - n);
  }

  private startsLikeMessage(data: Buffer): boolean {
    const text = data.toString('latin1', 0, Math.min(data.length, 24));
    if (this.side === 'response') return 'HTTP/'.startsWith(text.slice(0, 5)) && (text.length < 5 || text.startsWith('HTTP/'));
    return /^[!#$%&'*+.^_`|~0-9A-Za-z-]*( |$)/.test(text);
  }

  /** Skips bytes until a line that starts a message; returns the bytes skipped (at least 1). */
  private resync(data: Buffer): number {
    const text = data.toString('latin1');
    const m = (this.side === 'request' ? REQUEST_START : RESPONSE_START).exec(text);
    if (m) {
      const at = m.index + (text[m.index] === '\n' ? 1 : 0);
      if (at > 0) {
        this.unparsedBytes += at;
        return at;
      }
      this.state = 'start';
      return 0; // the next step reads the message that starts here
    }
    this.unparsedBytes += data.length;
    return data.length;
  }

  private startMessage(head: Buffer, chunk: StreamChunk): void {
    const text = head.toString('latin1');
    const lines = text.split(/\r?\n/);
    const first = lines[0] ?? '';
    const request = this.side === 'request' ? REQUEST_LINE.exec(first) : null;
    const status = this.side === 'response' ? STATUS_LINE.exec(first) : null;
    if (!request && !status) {
      this.unparsedBytes += head.length;
      this.state = 'lost';
      return;
    }
    const headers: Array<[string, string]> = [];
    for (const line of lines.slice(1)) {
      if (line === '') continue;
      if ((line[0] === ' ' || line[0] === '\t') && headers.length > 0) {
        // Obsolete line folding (RFC 9112 §5.2): part of the previous value.
        headers[headers.length - 1]![1] += ` ${line.trim()}`;
        continue;
      }
      const colon = line.indexOf(':');
      if (colon <= 0) continue;
      headers.push([line.slice(0, colon).trim(), line.slice(colon + 1).trim()]);
    }
    const m: HttpMessage = {
      side: this.side,
      startLine: first,
      method: request ? request[1]! : null,
      target: request ? request[2]! : null,
      version: request ? request[3]! : status![1]!,
      status: status ? Number(status[2]) : null,
      reason: status ? (status[3] ?? '') : null,
      headers,
      headerBytes: head.length,
      framing: 'none',
      bodyBytes: 0,
      body: null,
      bodyCut: false,
      missingBytes: 0,
      complete: false,
      firstFrame: this.pendingFrame,
      firstTsNs: this.pendingTsNs,
      lastFrame: chunk.frame,
      lastTsNs: chunk.tsNs,
    };
    this.count++;
    this.message = m;
    this.bodyParts = [];
    this.keptBytes = 0;
    this.events.onHeaders?.(m);
    this.chooseFraming(m);
  }

  /** RFC 9112 §6.3, in its order. */
  private chooseFraming(m: HttpMessage): void {
    if (m.side === 'response') {
      const method = this.events.requestMethodFor?.(m) ?? null;
      const s = m.status!;
      if (s === 101 || (method === 'CONNECT' && s >= 200 && s < 300)) {
        this.finishMessage(true);
        this.state = 'tunnel';
        return;
      }
      if (method === 'HEAD' || (s >= 100 && s < 200) || s === 204 || s === 304) {
        this.finishMessage(true);
        return;
      }
    }
    const te = headerValue(m, 'transfer-encoding');
    if (te !== null) {
      const codings = te.toLowerCase().split(',').map((c) => c.trim());
      if (codings[codings.length - 1] === 'chunked') {
        m.framing = 'chunked';
        this.state = 'chunk-size';
        return;
      }
      if (m.side === 'response') {
        m.framing = 'close';
        this.state = 'close';
        return;
      }
    }
    const cl = headerValue(m, 'content-length');
    if (cl !== null && /^\d+$/.test(cl.split(',')[0]!.trim())) {
      const length = Number(cl.split(',')[0]!.trim());
      m.framing = 'length';
      if (length === 0) {
        this.finishMessage(true);
        return;
      }
      this.remaining = length;
      this.state = 'length';
      return;
    }
    if (m.side === 'response') {
      m.framing = 'close';
      this.state = 'close';
      return;
    }
    this.finishMessage(true);
  }

  /** Reads one line of chunked framing (size line, the CRLF after data, or a trailer line). */
  private readChunkLine(data: Buffer, chunk: StreamChunk): number {
    const nl = data.indexOf(0x0a);
    if (nl < 0) {
      this.pending.push(Buffer.from(data));
      this.pendingBytes += data.length;
      if (this.pendingBytes > 4096) this.lose();
      return data.length;
    }
    this.pending.push(data.subarray(0, nl + 1));
    this.pendingBytes += nl + 1;
    const line = Buffer.concat(this.pending, this.pendingBytes).toString('latin1').replace(/\r?\n$/, '');
    this.clearPending();
    const m = this.message!;
    m.lastFrame = chunk.frame;
    m.lastTsNs = chunk.tsNs;
    if (this.state === 'chunk-end') {
      if (line !== '') this.lose();
      else this.state = 'chunk-size';
    } else if (this.state === 'chunk-size') {
      const size = /^([0-9a-fA-F]+)\s*(?:;.*)?$/.exec(line);
      if (!size) this.lose();
      else if (parseInt(size[1]!, 16) === 0) this.state = 'trailers';
      else {
        this.remaining = parseInt(size[1]!, 16);
        this.state = 'chunk-data';
      }
    } else if (line === '') {
      this.finishMessage(true);
    }
    return nl + 1;
  }

  private lose(): void {
    this.unparsedBytes += this.pendingBytes;
    this.clearPending();
    if (this.message) this.finishMessage(false);
    this.state = 'lost';
  }

  private body(data: Buffer, chunk: StreamChunk): void {
    const m = this.message!;
    m.bodyBytes += data.length;
    m.lastFrame = chunk.frame;
    m.lastTsNs = chunk.tsNs;
    this.keepBody(data);
  }

  /** Keeps body bytes up to the bound; null marks bytes lost to a hole (the kept body stops there). */
  private keepBody(data: Buffer | null): void {
    const m = this.message!;
    if (!this.keepBodies || m.bodyCut) return;
    if (data === null || this.keptBytes + data.length > this.maxBodyBytes) {
      if (data) this.bodyParts.push(Buffer.from(data.subarray(0, this.maxBodyBytes - this.keptBytes)));
      m.bodyCut = true;
      return;
    }
    this.bodyParts.push(Buffer.from(data));
    this.keptBytes += data.length;
  }

  private finishMessage(complete: boolean): void {
    const m = this.message;
    if (!m) return;
    m.complete = complete;
    if (this.keepBodies) m.body = Buffer.concat(this.bodyParts);
    this.bodyParts = [];
    this.message = null;
    this.state = 'start';
    this.events.onMessage(m);
  }

  private clearPending(): void {
    this.pending = [];
    this.pendingBytes = 0;
  }
}

/** Offset just past the empty line that ends a header section, or -1. */
function headerEnd(data: Buffer): number {
  for (let i = data.indexOf(0x0a); i >= 0; i = data.indexOf(0x0a, i + 1)) {
    if (data[i + 1] === 0x0a) return i + 2;
    if (data[i + 1] === 0x0d && data[i + 2] === 0x0a) return i + 3;
  }
  return -1;
}

/** The value of the first header named `name` (case-insensitive), or null. */
export function headerValue(m: Pick<HttpMessage, 'headers'>, name: string): string | null {
  for (const [k, v] of m.headers) if (k.toLowerCase() === name) return v;
  return null;
}
