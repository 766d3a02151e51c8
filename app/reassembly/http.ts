/**
 * HTTP/1.x transactions over reassembled TCP streams: each direction of a stream that speaks HTTP
 * gets a message parser; requests and responses pair up in order (pipelining included), 1xx
 * interim responses attach to the request they answer, and each pair gets its timing.
 *
 *   const http = new HttpTransactionTracker();
 *   const tcp = new TcpReassembler(http);
 *   ... tcp.add(segment) for each frame ...; tcp.finish();
 *   http.transactions();    // in order of their requests' first frames
 */
import { decodeContent, type DecodedContent } from './content-decoding';
import { HTTP_METHODS, headerValue, HttpMessageParser, type HttpMessage, type HttpParserOptions, type HttpSide } from './http-parser';
import type { StreamChunk, StreamEnd, StreamGap, TcpEndpoint, TcpStreamHandler, TcpStreamInfo } from './tcp-stream';

export interface HttpTransaction {
  /** tcp.stream of the connection. */
  stream: number;
  client: TcpEndpoint;
  server: TcpEndpoint;
  /** Null when only the response was captured. */
  request: HttpMessage | null;
  /** The final response; null when none was captured. */
  response: HttpMessage | null;
  /** 1xx responses (100 Continue, 103 Early Hints) before the final one. */
  interim: HttpMessage[];
}

/** Bytes looked at to decide whether a direction speaks HTTP. */
const SNIFF_BYTES = 16;
const METHOD_PREFIX = new RegExp(`^(?:${HTTP_METHODS.join('|')}) `);

interface DirectionState {
  side: HttpSide | null;
  parser: HttpMessageParser | null;
  /** First bytes held back until the direction can be classified. */
  sniffed: StreamChunk[];
  sniffedBytes: number;
}

interface StreamState {
  info: TcpStreamInfo;
  dirs: [DirectionState, DirectionState];
  notHttp: boolean;
  transactions: HttpTransaction[];
  requests: number;
  responses: number;
}

export class HttpTransactionTracker implements TcpStreamHandler {
  private readonly streams = new Map<number, StreamState>();
  private readonly pairedWith = new WeakMap<HttpMessage, HttpTransaction>();
  private readonly all: HttpTransaction[] = [];

  constructor(private readonly options: HttpParserOptions = {}) {}

  /** Every transaction seen, ordered by the first frame of its request (or response). */
  transactions(): HttpTransaction[] {
    const first = (t: HttpTransaction): number => t.request?.firstFrame ?? t.response?.firstFrame ?? 0;
    return [...this.all].sort((a, b) => first(a) - first(b) || a.stream - b.stream);
  }

  onStreamStart(info: TcpStreamInfo): void {
    const dir = (): DirectionState => ({ side: null, parser: null, sniffed: [], sniffedBytes: 0 });
    this.streams.set(info.index, { info, dirs: [dir(), dir()], notHttp: false, transactions: [], requests: 0, responses: 0 });
  }

  onData(info: TcpStreamInfo, dir: 0 | 1, chunk: StreamChunk): void {
    const s = this.streams.get(info.index);
    if (!s || s.notHttp) return;
    const d = s.dirs[dir];
    if (d.parser) {
      d.parser.push(chunk);
      return;
    }
    d.sniffed.push({ ...chunk, data: Buffer.from(chunk.data) });
    d.sniffedBytes += chunk.data.length;
    const otherKnown = s.dirs[dir === 0 ? 1 : 0].side !== null;
    if (otherKnown || d.sniffedBytes >= SNIFF_BYTES || !couldStillBeHttp(d.sniffed)) this.classify(s, dir, true);
  }

  onGap(info: TcpStreamInfo, dir: 0 | 1, gap: StreamGap): void {
    const s = this.streams.get(info.index);
    if (!s || s.notHttp) return;
    const d = s.dirs[dir];
    if (!d.parser && d.sniffedBytes > 0) this.classify(s, dir, true);
    d.parser?.gap(gap);
  }

  onEnd(info: TcpStreamInfo, dir: 0 | 1, reason: StreamEnd): void {
    const s = this.streams.get(info.index);
    if (!s || s.notHttp) return;
    const d = s.dirs[dir];
    if (!d.parser && d.sniffedBytes > 0) this.classify(s, dir, true);
    d.parser?.end(reason !== 'eof');
  }

  /** Decides what a direction speaks from its first bytes, then replays them to its parser. */
  private classify(s: StreamState, dir: 0 | 1, final: boolean): void {
    const d = s.dirs[dir];
    const other = s.dirs[dir === 0 ? 1 : 0];
    const head = Buffer.concat(d.sniffed.map((c) => c.data)).toString('latin1');
    let side: HttpSide | null = other.side ? (other.side === 'request' ? 'response' : 'request') : null;
    if (!side) {
      if (/^\s*HTTP\/1\.[01] /.test(head)) side = 'response';
      else if (METHOD_PREFIX.test(head.replace(/^\s+/, ''))) side = 'request';
    }
    if (!side) {
      if (!final) return;
      s.notHttp = true;
      for (const x of s.dirs) x.sniffed = [];
      return;
    }
    this.attach(s, dir, side);
    const peer = dir === 0 ? 1 : 0;
    // The other direction may have been waiting for this one's verdict.
    if (!other.parser && other.sniffedBytes > 0 && other.side === null) this.attach(s, peer, side === 'request' ? 'response' : 'request');
  }

  private attach(s: StreamState, dir: 0 | 1, side: HttpSide): void {
    const d = s.dirs[dir];
    d.side = side;
    d.parser = new HttpMessageParser(side, {
      onHeaders: (m) => this.pair(s, dir, m),
      onMessage: () => undefined,
      requestMethodFor: (m) => this.pairedWith.get(m)?.request?.method ?? null,
    }, this.options);
    const sniffed = d.sniffed;
    d.sniffed = [];
    d.sniffedBytes = 0;
    for (const chunk of sniffed) d.parser.push(chunk);
  }

  /** Requests and final responses pair by their order on the connection (RFC 9112 §9.3.2). */
  private pair(s: StreamState, dir: 0 | 1, m: HttpMessage): void {
    const clientDir = m.side === 'request' ? dir : dir === 0 ? 1 : 0;
    const make = (): HttpTransaction => {
      const t: HttpTransaction = {
        stream: s.info.index,
        client: s.info.endpoints[clientDir],
        server: s.info.endpoints[clientDir === 0 ? 1 : 0],
        request: null,
        response: null,
        interim: [],
      };
      s.transactions.push(t);
      this.all.push(t);
      return t;
    };
    if (m.side === 'request') {
      const t = s.transactions[s.requests] ?? make();
      s.requests++;
      t.request = m;
      this.pairedWith.set(m, t);
      return;
    }
    const interim = m.status !== null && m.status >= 100 && m.status < 200 && m.status !== 101;
    const t = s.transactions[s.responses] ?? make();
    if (interim) t.interim.push(m);
    else {
      t.response = m;
      s.responses++;
    }
    this.pairedWith.set(m, t);
  }
}

/** While fewer than SNIFF_BYTES arrived: can these bytes still begin a request or a response? */
function couldStillBeHttp(chunks: StreamChunk[]): boolean {
  const head = Buffer.concat(chunks.map((c) => c.data)).toString('latin1').replace(/^\s+/, '');
  if (head === '') return true;
  if ('HTTP/1.'.startsWith(head.slice(0, 7))) return true;
  return HTTP_METHODS.some((m) => `${m} `.startsWith(head.slice(0, m.length + 1)) || head.startsWith(`${m} `));
}

/** The Host header, or the authority of an absolute-form request target. */
export function transactionHost(t: HttpTransaction): string | null {
  const req = t.request;
  if (!req) return null;
  const host = headerValue(req, 'host');
  if (host !== null) return host;
  const m = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]+)/i.exec(req.target ?? '');
  return m ? m[1]! : null;
}

const nsToMs = (ns: bigint): number => Number(ns) / 1e6;

/** From the frame that completed the request to the first byte of the final response (ms). */
export function timeToFirstByteMs(t: HttpTransaction): number | null {
  if (!t.request || !t.response) return null;
  return nsToMs(t.response.firstTsNs - t.request.lastTsNs);
}

/** From the first byte of the request to the last byte of the response (ms). */
export function totalTimeMs(t: HttpTransaction): number | null {
  if (!t.request || !t.response) return null;
  return nsToMs(t.response.lastTsNs - t.request.firstTsNs);
}

/** A message's body with its Content-Encoding undone (bodies must have been kept). */
export function decodedBody(m: HttpMessage): DecodedContent {
  if (!m.body) return { data: null, error: 'the body was not kept (keepBodies is off)' };
  return decodeContent(m.body, headerValue(m, 'content-encoding'));
}
