/**
 * HTTP/1.x request and status lines and headers, one TCP segment at a time (until the engine hands
 * reassembled streams): what the segment holds is decoded, headers cut by the segment boundary are
 * marked truncated, and nothing is invented. Field names and Info follow tshark 4.0.
 */
import { upgradedDataDissector, websocketDissector } from './websocket';
import { LayerBuilder, dissectSafely } from './builder';
import type { AppContext, AppDissector, AppResult, Layer, PduSplit } from './model';
import { ONE_MORE_SEGMENT, UNTIL_FIN } from './tcp-pdus';
import { asciiFieldText, formatText, printable, truncatedLabel } from './app-format';
import { bodyLayers, decodeEntityBody, type BodyResult } from './http-body';
import { HTTP_STATUS_NAMES } from './http-status';
import { addExpert } from './expert';
import { nsToSeconds } from './format';
import { HttpTransactionTable, type HttpPair } from './http-transactions';

/**
 * The methods that make a first line a request, as Wireshark's is_http_request_or_reply lists
 * them (the token before the first space, case as written); NOTIFY, SUBSCRIBE and UNSUBSCRIBE
 * make it a notification. M-SEARCH is SSDP's (ssdp.ts).
 */
const METHODS = new Set([
  'GET', 'PUT', 'COPY', 'HEAD', 'LOCK', 'MOVE', 'POLL', 'POST', 'BCOPY', 'BMOVE', 'MKCOL', 'TRACE', 'PATCH', 'LABEL', 'MERGE',
  'DELETE', 'SEARCH', 'UNLOCK', 'REPORT', 'UPDATE', 'NOTIFY', 'BDELETE', 'CONNECT', 'OPTIONS', 'CHECKIN', 'PROPFIND', 'CHECKOUT',
  'CCM_POST', 'M-SEARCH', 'SUBSCRIBE', 'PROPPATCH', 'BPROPFIND', 'BPROPPATCH', 'UNCHECKOUT', 'MKACTIVITY', 'MKWORKSPACE',
  'RPC_CONNECT', 'RPC_IN_DATA', 'UNSUBSCRIBE', 'RPC_OUT_DATA', 'VERSION-CONTROL', 'BASELINE-CONTROL', 'SSTP_DUPLEX_POST',
]);
const NOTIFICATIONS = new Set(['NOTIFY', 'SUBSCRIBE', 'UNSUBSCRIBE']);

/** A token of a first line up to a space, and where the next one starts (spaces skipped): Wireshark's get_token_len. */
function token(line: string, at: number): { end: number; next: number } {
  let end = at;
  while (end < line.length && line.charCodeAt(end) !== 0x20) end++;
  let next = end;
  while (next < line.length && line.charCodeAt(next) === 0x20) next++;
  return { end, next };
}

/** A parsed first line; offsets are into the line. Fields absent (null) where Wireshark adds none. */
export interface FirstLine {
  kind: 'request' | 'notification' | 'response';
  method: string;
  uri: { text: string; at: number } | null;
  version: { text: string; at: number } | null;
  code: { value: number; at: number } | null;
  phrase: { text: string; at: number } | null;
}

/**
 * A request, notification or status line as Wireshark 4.0 reads it (packet-http.c:
 * is_http_request_or_reply, basic_request_dissector, basic_response_dissector), or null. A request
 * is a known method and a space; the URI is the next token (two spaces after the method: an
 * empty URI) and the version everything after it, whatever it says ("HTTP/1.0.8" too). A
 * response is any line starting "HTTP/" (or "ICY"): its version is the first token, its code
 * the number the next token's first three characters begin with (none if it is shorter), its
 * phrase the rest.
 */
export function parseFirstLine(line: string): FirstLine | null {
  if (line.startsWith('HTTP/') || line.startsWith('ICY')) {
    const result: FirstLine = { kind: 'response', method: '', uri: null, version: null, code: null, phrase: null };
    const v = token(line, 0);
    if (v.end === 0 || line.charCodeAt(v.end) !== 0x20) return result;
    result.version = { text: line.slice(0, v.end), at: 0 };
    const c = token(line, v.next);
    if (c.end - v.next < 3) return result;
    // strtoul of the token's first three characters, as a guint: "20x" is 20, "x20" 0, "-20" 2^32 - 20.
    const number = /^([+-]?)(\d*)/.exec(line.slice(v.next, v.next + 3))!;
    const magnitude = number[2] ? Number(number[2]) : 0;
    result.code = { value: number[1] === '-' && magnitude > 0 ? 2 ** 32 - magnitude : magnitude, at: v.next };
    if (c.next < line.length) result.phrase = { text: line.slice(c.next), at: c.next };
    return result;
  }
  const m = token(line, 0);
  const method = line.slice(0, m.end);
  if (!METHODS.has(method)) return null;
  let next = m.next;
  if (next > 2 && line.charCodeAt(next - 1) === 0x20 && line.charCodeAt(next - 2) === 0x20) next--; // two spaces: an empty URI
  const u = token(line, next);
  return {
    kind: NOTIFICATIONS.has(method) ? 'notification' : 'request',
    method,
    uri: { text: line.slice(next, u.end), at: next },
    version: { text: line.slice(u.next), at: u.next },
    code: null,
    phrase: null,
  };
}

/** Headers whose value tshark gives its own field (lower-case header name → field). */
const HEADER_FIELDS: Record<string, string> = {
  host: 'http.host', 'user-agent': 'http.user_agent', 'content-type': 'http.content_type',
  'content-length': 'http.content_length_header', server: 'http.server', connection: 'http.connection',
  accept: 'http.accept', 'accept-encoding': 'http.accept_encoding', 'accept-language': 'http.accept_language',
  referer: 'http.referer', cookie: 'http.cookie', 'set-cookie': 'http.set_cookie', location: 'http.location',
  'content-encoding': 'http.content_encoding', 'transfer-encoding': 'http.transfer_encoding',
  'cache-control': 'http.cache_control', date: 'http.date', 'last-modified': 'http.last_modified',
  authorization: 'http.authorization', 'x-forwarded-for': 'http.x_forwarded_for', upgrade: 'http.upgrade',
};

/** `Name: value`, or past 239 characters `Name [truncated]: value` cut to 238, as Wireshark's labels. */
function namedLabel(name: string, value: string): string {
  const label = `${name}: ${value}`;
  return label.length < 240 ? label : `${name} [truncated]: ${value}`.slice(0, 238);
}

/** A header line's string value as Wireshark reads it (ENC_ASCII: bytes above 0x7f become U+FFFD). */
function asciiString(raw: Buffer): string {
  const text = raw.toString('latin1');
  return /[\x80-\xff]/.test(text) ? text.replace(/[\x80-\xff]/g, '\ufffd') : text;
}

/** Wireshark's tree labels hold 239 characters: a longer line is marked " [truncated]" and cut to 238. */
function lineLabel(text: string): string {
  return truncatedLabel(text);
}

/** Wireshark's default "HTTP TCP port range". */
const HTTP_PORTS = [80, 3128, 3132, 5985, 8080, 8088, 11371, 1900, 2869, 2710];

/** Which protocol an HTTP-format message is: its layer name, tree title and Protocol column (SSDP is HTTP over UDP). */
export interface HttpFlavor {
  protocol: 'http' | 'ssdp';
  title: string;
  column: string;
}

export const HTTP: HttpFlavor = { protocol: 'http', title: 'Hypertext Transfer Protocol', column: 'HTTP' };

/** The HTTP dissector without request/response matching (each message on its own). */
export const httpDissector: AppDissector = createHttpDissector(null);

/**
 * The HTTP dissector of a Dissector instance: with a transaction table (requests matched to
 * responses across frames: http.request_in, http.time, ...), shared with SSDP as Wireshark's
 * conversation data is, or without one.
 */
export function createHttpDissector(transactions: HttpTransactionTable | null = new HttpTransactionTable()): AppDissector {
  const lastRequests = new Map<number, LastRequest>();
  return {
    protocol: 'http',
    // The body's media-type layers: asking for one of their fields alone must run HTTP too.
    fieldPrefixes: ['urlencoded-form', 'media', 'data-text-lines', 'json', 'xml', 'png', 'image-jfif', 'image-gif', 'websocket'],
    tcpPorts: HTTP_PORTS,
    heuristic: (data, offset, end) => looksLikeHttp(data, offset, end),
    heuristicTakesConnection: true,
    dissect: (data, offset, end, ctx) => dissectHttpMessage(data, offset, end, ctx, HTTP, transactions, lastRequestOf(ctx)),
    desegment: (data, offset, end, ctx) => httpMessages(data, offset, end, lastRequestOf(ctx)),
    keepsState: (data, offset, end, ctx) => switchesConnection(data, offset, Math.min(end, data.length), ctx, lastRequestOf(ctx)),
  };
  /** Per TCP stream, its latest request (Wireshark's conv_data->request_method and request_uri). */
  function lastRequestOf(ctx: AppContext): LastRequest | undefined {
    const stream = ctx.stream;
    if (stream === undefined || stream < 0 || ctx.transport !== 'tcp' || ctx.quoted === true) return undefined;
    let last = lastRequests.get(stream);
    if (last === undefined) {
      last = { method: '', uri: '' };
      lastRequests.set(stream, last);
    }
    return last;
  }
}

/**
 * For a payload nobody reads HTTP's fields of: whether it may switch its connection to another
 * protocol (a CONNECT request, a response to one, a 101 Switching Protocols), so it must be
 * dissected all the same. Any other request's method is noted as its dissection would note it:
 * a later 200 then answers that request, not an earlier CONNECT.
 */
function switchesConnection(data: Buffer, offset: number, end: number, ctx: AppContext, last: LastRequest | undefined): boolean {
  if (ctx.connection === undefined || ctx.quoted === true || end - offset < 12) return false;
  if (data[offset] === 0x48 && data.toString('latin1', offset, offset + 7) === 'HTTP/1.') {
    const code = data.toString('latin1', offset + 9, offset + 12);
    return code === '101' || (last?.method === 'CONNECT' && code.charCodeAt(0) === 0x32);
  }
  let at = offset;
  const stop = Math.min(end, offset + 20);
  while (at < stop && data[at]! >= 0x41 && data[at]! <= 0x5a) at++;
  if (at === offset || at >= stop || data[at] !== 0x20) return false;
  const method = data.toString('latin1', offset, at);
  if (method === 'CONNECT') return true;
  // A request line (its end within the segment names an HTTP version): its method is noted.
  if (last !== undefined) {
    const lineEnd = data.indexOf(0x0a, at);
    if (lineEnd > 0 && lineEnd < end && data.toString('latin1', Math.max(at, lineEnd - 10), lineEnd).includes(' HTTP/')) last.method = method;
  }
  return false;
}

/** The latest request seen on a connection: a response's body depends on it (HEAD, CONNECT). */
export interface LastRequest {
  method: string;
  uri: string;
}

/**
 * Whether a response has no body that TCP should wait for (packet-http.c's try_desegment_body):
 * an answer to HEAD, a 2xx to CONNECT or SSTP_DUPLEX_POST, 1xx, 204 and 304.
 */
function bodiless(code: number, last: LastRequest | undefined): boolean {
  const method = last?.method ?? '';
  return method === 'HEAD' || (Math.floor(code / 100) === 2 && (method === 'CONNECT' || method === 'SSTP_DUPLEX_POST'))
    || Math.floor(code / 100) === 1 || code === 204 || code === 304;
}

/**
 * The HTTP messages in data[offset, end) and what the last one still needs, as Wireshark's HTTP
 * dissector asks TCP for more (epan/req_resp_hdrs.c, req_resp_hdrs_do_reassembly): the first line
 * and the headers up to the blank line; then a body of Content-Length bytes, or chunks up to the
 * last one and the line after it, or, for a response with neither, everything up to the FIN.
 * Bytes that do not start with a request or status line are a continuation, taken as they are.
 */
export function httpMessages(data: Buffer, offset: number, end: number, last?: LastRequest): PduSplit {
  const pdus: number[] = [];
  let at = offset;
  while (at < end) {
    const firstEnd = data.indexOf(0x0a, at);
    if (firstEnd < 0 || firstEnd >= end) return { pdus, need: ONE_MORE_SEGMENT };
    const firstText = data.toString('latin1', at, firstEnd > at && data[firstEnd - 1] === 0x0d ? firstEnd - 1 : firstEnd);
    const first = parseFirstLine(firstText);
    if (first === null) {
      pdus.push(end - at);
      break;
    }
    const info = `${firstText} `;
    let line = firstEnd + 1;
    let contentLength = -1;
    let chunked = false;
    let upgrade = false;
    for (;;) {
      if (line >= end) return { pdus, need: ONE_MORE_SEGMENT, info };
      const lf = data.indexOf(0x0a, line);
      if (lf < 0 || lf >= end) return { pdus, need: ONE_MORE_SEGMENT, info };
      const start = line;
      const textEnd = lf > start && data[lf - 1] === 0x0d ? lf - 1 : lf;
      line = lf + 1;
      if (textEnd === start) break; // the blank line that ends the headers
      const first = data[start]!;
      if ((first === 0x75 || first === 0x55) && /^upgrade:/i.test(data.toString('latin1', start, start + 8))) upgrade = true;
      if (first !== 0x63 && first !== 0x43 && first !== 0x74 && first !== 0x54) continue; // c, C, t, T
      const header = /^(content-length|transfer-encoding):(.*)$/i.exec(data.toString('latin1', start, textEnd));
      if (header === null) continue;
      const value = header[2]!.trim();
      if (header[1]!.toLowerCase() === 'content-length') {
        if (/^[+-]?\d+$/.test(value) && Number(value) >= 0 && Number(value) <= 0x7fffffff) contentLength = Number(value);
      } else if (/^chunked/i.test(value)) chunked = true;
    }
    const bodyStart = line;
    const code = first.code?.value ?? 0;
    if (first.kind !== 'response') {
      if (last !== undefined) {
        last.method = first.method;
        last.uri = first.uri?.text ?? '';
      }
    } else if (!(code === 101 && upgrade) && bodiless(code, last)) {
      // No body to wait for; what the segment holds after the headers is the body, up to a
      // Content-Length, as packet-http.c reads it (none for 1xx, 204 and 304 without one).
      const rest = end - bodyStart;
      const body = contentLength >= 0 && !chunked ? Math.min(contentLength, rest) : code < 200 || code === 204 || code === 304 ? 0 : rest;
      pdus.push(bodyStart + body - at);
      at = bodyStart + body;
      continue;
    }
    if (chunked) {
      const chunks = chunkedEnd(data, bodyStart, end);
      if (chunks === ONE_MORE_SEGMENT) return { pdus, need: ONE_MORE_SEGMENT, info };
      const stop = chunks < 0 ? end : chunks;
      pdus.push(stop - at);
      at = stop;
      continue;
    }
    if (contentLength >= 0) {
      if (end - bodyStart < contentLength) return { pdus, need: contentLength - (end - bodyStart), info };
      pdus.push(bodyStart + contentLength - at);
      at = bodyStart + contentLength;
      continue;
    }
    // A 101 with an Upgrade header ends HTTP on this connection: the bytes after it are the
    // upgraded protocol's, handed on as they are (dissectHttpMessage sees the switch).
    if (first.kind === 'response' && code === 101 && upgrade) {
      pdus.push(bodyStart - at);
      return { pdus, need: 0 };
    }
    // A response with neither runs to the FIN, unless its status has no body (1xx, 204, 304).
    if (first.kind === 'response' && code >= 200 && code !== 204 && code !== 304) return { pdus, need: UNTIL_FIN, info };
    pdus.push(bodyStart - at);
    at = bodyStart;
  }
  return { pdus, need: 0 };
}


/** A request or status line starts the payload. Cheap: looks at the first line only. */
export function looksLikeHttp(data: Buffer, offset: number, end: number): boolean {
  const stop = Math.min(end, data.length, offset + 2048);
  const newline = data.indexOf(0x0a, offset);
  if (newline < 0 || newline >= stop) return false;
  const line = data.toString('latin1', offset, newline).replace(/\r$/, '');
  return parseFirstLine(line) !== null;
}

/** One HTTP-format message (request, notification or response line and headers) in [offset, end). */
export function dissectHttpMessage(data: Buffer, offset: number, end: number, ctx: AppContext, flavor: HttpFlavor, transactions: HttpTransactionTable | null = null, last?: LastRequest): AppResult {
  // Bytes after a 101 in the same segment: the connection has switched (packet-http.c's
  // dissect_http_on_stream hands them to the upgraded protocol; http is in frame.protocols already).
  const upgraded = ctx.connection?.heuristicApp;
  if (upgraded === websocketDissector || upgraded === upgradedDataDissector) {
    const result = upgraded.dissect(data, offset, end, ctx);
    return { ...result, chain: result.chain?.map((name) => name.replace(/^http:/, '')), chainInLaterPdus: true, chainFromFirstLayer: true };
  }
  const b = new LayerBuilder(data, flavor.protocol, flavor.title, offset, end, ctx.fields);
  let info = 'Continuation';
  let column = flavor.column;
  /** The body's layers, as tshark's media-type dissectors name them (data-text-lines, png, ...). */
  let body: Layer[] = [];
  const layer = dissectSafely(b, () => {
    const stop = Math.min(end, data.length);
    const lines = splitLines(data, offset, stop);
    const first = lines[0];
    const firstText = first?.complete ? data.toString('latin1', first.start, first.textEnd) : '';
    const parsed = first ? parseFirstLine(firstText) : null;
    const request = parsed !== null && parsed.kind !== 'response' ? parsed : null;
    if (!first || !parsed) {
      // Body bytes or a line we do not recognise: Wireshark calls these "Continuation", and reads
      // them as packet-http.c (4.0) does: a first byte that is not printable (after a leading
      // CRLF) makes it binary, all of it "data" at once; otherwise lines with a colon are headers
      // (http.unknown_header) up to a blank line or a line without one, and what follows is the
      // body, File Data and "data" (no Content-Type).
      const lead = stop - offset > 3 && data[offset] === 0x0d && data[offset + 1] === 0x0a ? offset + 2 : offset;
      if (lead < stop && (data[lead]! < 0x20 || data[lead]! > 0x7e)) {
        body = bodyLayers(data, offset, stop, undefined, false, ctx.fields).layers;
        return;
      }
      if (lead > offset) {
        // proto_tree_add_expert: an item with the expert's text, the expert under it.
        const message = 'Leading CRLF previous message in the stream may have extra CRLF';
        b.group('', message, null, offset, 2, () => {
          addExpert(b, 'http.leading_crlf', 'Error', 'Malformed', message, offset, 2);
          b.add('_ws.malformed', 'Malformed Packet', 'Malformed Packet', offset, 0, '_ws.malformed').hidden = true;
        });
      }
      let at = lead;
      while (at < stop) {
        let lf = data.indexOf(0x0a, at);
        if (lf < 0 || lf >= stop) lf = -1;
        const next = lf < 0 ? stop : lf + 1;
        const textEnd = lf < 0 ? stop : lf > at && data[lf - 1] === 0x0d ? lf - 1 : lf;
        if (textEnd === at && lf >= 0) {
          b.add('', next - at === 1 ? '\\n' : '\\r\\n', null, at, next - at);
          at = next;
          break;
        }
        const colon = data.indexOf(0x3a, at);
        if (colon < 0 || colon >= textEnd) break;
        const raw = data.subarray(at, next);
        // Its value: a line whose name is a token escaped as format_text() does (\\r, \\n, \\t);
        // one with another name as it is (what tshark 4.0 shows).
        const validName = isToken(data, at, colon);
        const value = validName ? printable(raw) : asciiString(raw);
        b.group('http.unknown_header', () => lineLabel(formatText(raw)), value, at, raw.length, () => {
          if (!validName) addExpert(b, 'http.bad_header_name', 'Warning', 'Protocol', 'Illegal characters found in header name', at, 0);
        }, () => printable(raw));
        at = next;
      }
      if (at < stop) {
        b.addLazy('http.file_data', `File Data: ${stop - at} bytes`, data.subarray(at, stop), at, stop - at, () => asciiFieldText(data.subarray(at, stop)));
        body = bodyLayers(data, at, stop, undefined, false, ctx.fields).layers;
      }
      return;
    }
    info = `${firstText} `;
    // Wireshark treats NOTIFY, SUBSCRIBE and UNSUBSCRIBE as notifications, neither request nor
    // response: their own hidden flag, and their header lines are not http.request.line.
    const notification = parsed.kind === 'notification';
    const lineAt = first.start;
    const lineLength = first.next - first.start;
    // packet-http.c: HTTP in the clear on TCP port 443.
    if (flavor.protocol === 'http' && ctx.transport === 'tcp' && (ctx.srcPort === 443 || ctx.dstPort === 443) && (b.tree || b.wantsAny('_ws.expert'))) {
      addExpert(b, 'http.tls_port', 'Warning', 'Security', 'Unencrypted HTTP protocol detected over encrypted port, could indicate a dangerous misconfiguration.', offset, 0);
    }
    b.group('', () => lineLabel(formatText(data.subarray(first.start, first.next))), null, lineAt, lineLength, () => {
      // Wireshark's chat: every request and response line (a notification's too).
      if (b.tree || b.wants('http.chat') || b.wantsAny('_ws.expert')) addExpert(b, 'http.chat', 'Chat', 'Sequence', formatText(data.subarray(first.start, first.next)), lineAt, lineLength);
      const { method, uri, version, code, phrase } = parsed;
      if (request) {
        b.add('http.request.method', () => `Request Method: ${method}`, method, lineAt, method.length);
        if (uri) {
          const query = uri.text.indexOf('?');
          if (query < 0) b.add('http.request.uri', () => namedLabel('Request URI', uri.text), uri.text, lineAt + uri.at, uri.text.length);
          else {
            // As tshark: a URI with a query has its path, query and each parameter under it.
            const at = lineAt + uri.at;
            const path = uri.text.slice(0, query);
            const q = uri.text.slice(query + 1);
            b.group('http.request.uri', () => namedLabel('Request URI', uri.text), uri.text, at, uri.text.length, () => {
              b.add('http.request.uri.path', () => namedLabel('Request URI Path', path), path, at, path.length);
              b.group('http.request.uri.query', () => namedLabel('Request URI Query', q), q, at + query + 1, q.length, () => {
                let from = at + query + 1;
                for (const parameter of q.split('&')) {
                  if (parameter !== '') b.add('http.request.uri.query.parameter', () => namedLabel('Request URI Query Parameter', parameter), parameter, from, parameter.length);
                  from += parameter.length + 1;
                }
              });
            });
          }
        }
        if (version) b.add('http.request.version', () => `Request Version: ${version.text}`, version.text, lineAt + version.at, version.text.length);
      } else {
        if (version) b.add('http.response.version', () => `Response Version: ${version.text}`, version.text, lineAt, version.text.length);
        if (code) {
          b.add('http.response.code', () => `Status Code: ${code.value}`, code.value, lineAt + code.at, 3);
          const description = HTTP_STATUS_NAMES[code.value];
          if (description !== undefined) b.add('http.response.code.desc', () => `[Status Code Description: ${description}]`, description, lineAt + code.at, 3);
        }
        if (phrase) b.add('http.response.phrase', () => `Response Phrase: ${phrase.text}`, phrase.text, lineAt + phrase.at, phrase.text.length);
      }
    });
    const headers = new Map<string, string>();
    let ended = false;
    for (const line of lines.slice(1)) {
      if (!line.complete) break;
      if (line.textEnd === line.start) {
        b.add('', line.next - line.start === 1 ? '\\n' : '\\r\\n', null, line.start, line.next - line.start);
        ended = true;
        break;
      }
      const raw = data.subarray(line.start, line.next);
      const text = data.toString('latin1', line.start, line.textEnd);
      const colon = text.indexOf(':');
      const name = colon > 0 ? text.slice(0, colon).toLowerCase() : '';
      const value = colon > 0 ? text.slice(colon + 1).trim() : '';
      const lineAbbrev = notification ? '' : request ? 'http.request.line' : 'http.response.line';
      const abbrev = HEADER_FIELDS[name];
      if (abbrev) {
        // As tshark: a header it knows is its own field, the tree item, labelled with the whole
        // line (Content-Length with its value, Cookie with its pairs under it); the line follows
        // as a hidden http.request.line / http.response.line.
        b.group(abbrev, () => lineLabel(formatText(raw)), value, line.start, raw.length, () => {
          if (name === 'content-length' && /^\d+$/.test(value)) b.add('http.content_length', () => `[Content length: ${value}]`, Number(value), line.start, raw.length);
          if (name === 'cookie') {
            let at = line.start + colon + 1;
            for (const piece of value.split(';')) {
              const pair = piece.trim();
              const pairAt = data.indexOf(pair, at, 'latin1');
              if (pair) b.add('http.cookie_pair', () => `Cookie pair: ${pair}`, pair, pairAt >= 0 ? pairAt : at, pair.length);
              at = pairAt >= 0 ? pairAt + pair.length : at;
            }
          }
        }, () => printable(Buffer.from(value, 'latin1')));
        if (lineAbbrev) b.add(lineAbbrev, () => printable(raw), asciiString(raw), line.start, raw.length, () => printable(raw)).hidden = true;
      } else {
        b.add(lineAbbrev, () => lineLabel(formatText(raw)), notification ? null : asciiString(raw), line.start, raw.length, notification ? undefined : () => printable(raw));
      }
      if (name && !headers.has(name)) headers.set(name, value);
    }
    // packet-http.c: a complete 101 response with an Upgrade header switches the connection to the
    // protocol it names (WebSocket), or to data (an Upgrade tshark has no dissector for).
    const upgrade = headers.get('upgrade');
    if (upgrade !== undefined && ended && parsed.code?.value === 101 && ctx.connection !== undefined && !ctx.quoted) {
      const name = upgrade.toLowerCase();
      ctx.connection.heuristicApp = name === 'websocket' || name.startsWith('websocket/') ? websocketDissector : upgradedDataDissector;
    }
    if (last !== undefined) {
      if (request !== null) {
        last.method = request.method;
        last.uri = request.uri?.text ?? '';
      } else if (parsed.kind === 'response' && parsed.code?.value === 200 && last.method === 'CONNECT' && ctx.connection !== undefined && !ctx.quoted) {
        // packet-http.c: after a 200 to CONNECT, every later payload of the connection is the
        // tunnel's, handed on as if sent to the port the request named (http-tunnel.ts).
        ctx.connection.proxy ??= { uri: last.uri, app: null };
      }
    }
    const host = headers.get('host');
    const requestUri = request?.uri?.text;
    let fullUri: string | null = null;
    if (requestUri !== undefined && host !== undefined) {
      // As Wireshark: an absolute http(s) URI or a CONNECT's authority as it is, else http://Host + URI.
      const full = /^https?:\/\//i.test(requestUri) || /^CONNECT/i.test(parsed.method) ? requestUri : `http://${host}${requestUri}`;
      fullUri = full;
      b.add('http.request.full_uri', () => `[${namedLabel('Full request URI', full)}]`, full, lineAt, 0);
    }
    // Wireshark's hidden http.request / http.response flags (what `-Y http.request` tests), after the
    // headers as in its tree.
    if (notification) b.add('http.notification', 'Notification: True', true, offset, 0, '1').hidden = true;
    else b.add(request ? 'http.request' : 'http.response', () => request ? 'Request: True' : 'Response: True', true, offset, 0, '1').hidden = true;
    if (transactions !== null && !notification && !ctx.quoted) {
      const kind = request ? 'request' : 'response';
      // tshark's -2: the second pass reads the pairs the first pass made (all of them known).
      const table = ctx.hindsight === undefined ? transactions : ctx.hindsight.share('http', transactions);
      pairItems(b, table.note(ctx, offset, kind, requestUri ?? null, fullUri), kind, ctx, offset);
    }
    if (!ended) {
      b.mark('truncated', 'HTTP headers continue past the end of this TCP segment (truncated by segment)');
      return;
    }
    const bodyStart = lines.find((l) => l.complete && l.textEnd === l.start && l !== first)!.next;
    const type = headers.get('content-type');
    if (bodyStart < stop) {
      // tshark's HTTP item covers the message's headers; the body stays the protocol's bytes
      // for `http contains` (the extent).
      b.layer.extent = Math.max(b.layer.offset + b.layer.length, b.layer.extent ?? 0);
      const whole = b.layer.length;
      b.layer.length = bodyStart - b.layer.offset;
      // Transfer and content codings undone as Wireshark does (dechunked, then gzip/deflate/br).
      const entity = b.tree || ctx.columns !== false || wantsBody(ctx.fields)
        ? decodeEntityBody(b, data, bodyStart, stop, headers.get('transfer-encoding'), headers.get('content-encoding'))
        : { bytes: data, start: bodyStart, stop, source: null, layers: [] };
      if (entity.layers.length > 0) body = entity.layers;
      if (entity.bytes === null) return;
      const { bytes, start, stop: bodyStop } = entity;
      const fileData = b.addLazy('http.file_data', `File Data: ${bodyStop - start} bytes`, bytes.subarray(start, bodyStop), start, bodyStop - start, () => asciiFieldText(bytes.subarray(start, bodyStop)));
      if (entity.source !== null) fileData.source = 'reassembled';
      const declared = headers.get('content-length');
      const partial = declared !== undefined && /^\d+$/.test(declared) && Number(declared) > stop - bodyStart;
      // An empty body (a gzip stream of nothing) has its File Data and no media layer, as tshark's.
      const media: BodyResult = bodyStop > start ? bodyLayers(bytes, start, bodyStop, type, partial, ctx.fields) : { layers: [], info: '' };
      if (media.refused) {
        addExpert(b, 'http.subdissector_failed', 'Note', 'Malformed', 'HTTP body subdissector failed, trying heuristic subdissector', start, 0);
        // The media dissector's exception leaves tshark's hidden "Malformed Packet" item (in JSON, and for the _ws.malformed filter).
        b.add('_ws.malformed', 'Malformed Packet', 'Malformed Packet', start, 0, '_ws.malformed').hidden = true;
      }
      // A body without a Content-Type (Data in HTTP's tree) or handed to Media (a type without a
      // dissector, an image it refused) stays inside tshark's HTTP item (its size in PDML, the
      // bytes it highlights).
      // So does one whose dissector threw (a PNG or JPEG cut short).
      if (type === undefined || media.layers[0]?.protocol === 'media' || media.layers.some((l) => l.status === 'malformed')) b.layer.length = whole;
      if (entity.source !== null) for (const layer of media.layers) ownData(layer, bytes, entity.source);
      body = [...body, ...media.layers];
      info += media.info;
      if (media.column) column = `${flavor.column}/${media.column}`;
    }
  });
  if (info !== 'Continuation') layer.title = flavor.title;
  return { layers: [layer, ...body], protocolColumn: column, info };
}

/** Names whose values depend on a body's codings being undone: the body's own fields and layers. */
const BODY_NAMES = /^(http\.(file_data|chunk|decompression)|data|media|json|xml|png|image-|urlencoded-form|data-text-lines|frame\.protocols|_ws\.expert)/;
const bodyWanted = new WeakMap<ReadonlySet<string>, boolean>();

/** Whether a dissection without tree or columns reads anything of a decoded body (see AppContext.fields). */
function wantsBody(fields: ReadonlySet<string> | undefined): boolean {
  if (fields === undefined) return true;
  let wanted = bodyWanted.get(fields);
  if (wanted === undefined) {
    wanted = [...fields].some((name) => BODY_NAMES.test(name));
    bodyWanted.set(fields, wanted);
  }
  return wanted;
}

/**
 * Wireshark's generated items after the headers (packet-http.c, after push_req/push_res): the
 * message's number in its conversation, the time since its request, and the frames of the pairs
 * around it that are known; a response also the URI of the conversation's latest request.
 */
function pairItems(b: LayerBuilder, pair: HttpPair, kind: 'request' | 'response', ctx: AppContext, at: number): void {
  const { prev, next, conversation } = pair;
  // Labels say what was known when the message was dissected (tshark formats them then).
  const count = conversation.count;
  const frameItem = (abbrev: string, name: string, frame: number): void => {
    b.add(abbrev, () => `[${name}: ${frame}]`, frame, at, 0);
  };
  if (kind === 'response') {
    b.add('http.response_number', () => `[HTTP response ${pair.number}/${count}]`, pair.number, at, 0);
    if (pair.requestNs !== null) {
      const ns = (ctx.tsNs ?? 0n) - pair.requestNs;
      b.add('http.time', () => `[Time since request: ${nsToSeconds(ns)} seconds]`, ns, at, 0, () => nsToSeconds(ns));
    }
    if (prev !== null && prev.requestFrame > 0) frameItem('http.prev_request_in', 'Prev request in frame', prev.requestFrame);
    if (prev !== null && prev.responseFrame > 0) frameItem('http.prev_response_in', 'Prev response in frame', prev.responseFrame);
    if (pair.requestFrame > 0) frameItem('http.request_in', 'Request in frame', pair.requestFrame);
    if (next !== null && next.requestFrame > 0) frameItem('http.next_request_in', 'Next request in frame', next.requestFrame);
    if (next !== null && next.responseFrame > 0) frameItem('http.next_response_in', 'Next response in frame', next.responseFrame);
    const uri = pair.responseForUri;
    if (uri !== null) b.add('http.response_for.uri', () => `[${namedLabel('Request URI', uri)}]`, uri, at, 0);
    return;
  }
  b.add('http.request_number', () => `[HTTP request ${pair.number}/${count}]`, pair.number, at, 0);
  if (prev !== null && prev.requestFrame > 0) frameItem('http.prev_request_in', 'Prev request in frame', prev.requestFrame);
  if (pair.responseFrame > 0) frameItem('http.response_in', 'Response in frame', pair.responseFrame);
  if (next !== null && next.requestFrame > 0) frameItem('http.next_request_in', 'Next request in frame', next.requestFrame);
}

/** A body layer over decoded bytes (dechunked or uncompressed): its offsets are in that buffer, named as tshark's -x names it. */
function ownData(layer: Layer, bytes: Buffer, name: string): void {
  layer.source = 'reassembled';
  layer.data = bytes;
  layer.sourceName = name;
  const stack = [...layer.fields];
  while (stack.length > 0) {
    const f = stack.pop()!;
    f.source = 'reassembled';
    if (f.children) stack.push(...f.children);
  }
}

/**
 * Where a chunked body that starts at `at` ends (after the last chunk's size line and the line
 * after it), following req_resp_hdrs_do_reassembly's walk; ONE_MORE_SEGMENT when the bytes end
 * first, -2 when a size cannot be read (Wireshark stops reassembling: the body is what there is).
 */
function chunkedEnd(data: Buffer, at: number, end: number): number {
  let next = at;
  for (;;) {
    if (end - next < 1) return ONE_MORE_SEGMENT;
    const lf = data.indexOf(0x0a, next);
    if (lf < 0 || lf >= end) return ONE_MORE_SEGMENT;
    const textEnd = lf > next && data[lf - 1] === 0x0d ? lf - 1 : lf;
    const sizeText = /^\s*([0-9a-fA-F]+)/.exec(data.toString('latin1', next, textEnd).split(';')[0]!);
    if (sizeText === null) return -2;
    const size = parseInt(sizeText[1]!.slice(-9), 16);
    if (sizeText[1]!.replace(/^0+/, '').length > 8 || size > 2 ** 31) return -2;
    const chunkStart = lf + 1;
    if (size === 0) {
      // The trailer's header lines, up to the empty line that ends the body.
      let line = chunkStart;
      for (;;) {
        const last = data.indexOf(0x0a, line);
        if (last < 0 || last >= end) return ONE_MORE_SEGMENT;
        const empty = last === line || (last === line + 1 && data[line] === 0x0d);
        line = last + 1;
        if (empty) return line;
      }
    }
    // Wireshark compares the chunk size with what remains from the size line's start.
    if (end - next > size) next = chunkStart + size + 2;
    else return ONE_MORE_SEGMENT;
  }
}

/** Printable ASCII, tabs and line ends only, and not a chunk of a chunked body (hex size, CR LF). */
/** Whether data[start, end) is a non-empty RFC 9110 token (a valid header name). */
function isToken(data: Buffer, start: number, end: number): boolean {
  if (end <= start) return false;
  for (let at = start; at < end; at++) {
    const c = data[at]!;
    const alnum = (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
    if (!alnum && !"!#$%&'*+-.^_`|~".includes(String.fromCharCode(c))) return false;
  }
  return true;
}

interface Line {
  start: number;
  /** End of the line's text (before CR LF). */
  textEnd: number;
  /** Start of the next line. */
  next: number;
  /** False when the segment ends before the line's LF. */
  complete: boolean;
}

/** Lines up to and including the blank line that ends the headers, or to the end of the bytes. */
function splitLines(data: Buffer, offset: number, stop: number): Line[] {
  const lines: Line[] = [];
  let at = offset;
  while (at < stop && lines.length < 1000) {
    const lf = data.indexOf(0x0a, at);
    if (lf < 0 || lf >= stop) {
      lines.push({ start: at, textEnd: stop, next: stop, complete: false });
      break;
    }
    const textEnd = lf > at && data[lf - 1] === 0x0d ? lf - 1 : lf;
    lines.push({ start: at, textEnd, next: lf + 1, complete: true });
    if (textEnd === at && lines.length > 1) break;
    at = lf + 1;
  }
  return lines;
}
