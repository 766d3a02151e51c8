/** Small pieces every handler of the server uses: answering with text or JSON, splitting a request target. */
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';

export interface Target {
  /** Still percent-encoded, as sent ('/assets/index.js'). */
  pathname: string;
  query: URLSearchParams;
}

/** Splits an origin-form request target ('/path?query'); null for any other form ('http://host/…', '*'). */
export function splitTarget(url: string | undefined): Target | null {
  if (!url || !url.startsWith('/') || url.startsWith('//')) return null;
  const q = url.indexOf('?');
  const hash = url.indexOf('#');
  const end = hash < 0 ? url.length : hash;
  return q < 0 || q > end
    ? { pathname: url.slice(0, end), query: new URLSearchParams() }
    : { pathname: url.slice(0, q), query: new URLSearchParams(url.slice(q + 1, end)) };
}

/** Answers with a short text (a status line's worth: why it was refused, what went wrong). */
export function sendText(res: ServerResponse, status: number, text: string, headers: OutgoingHttpHeaders = {}): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = Buffer.from(text.endsWith('\n') ? text : `${text}\n`, 'utf8');
  res.writeHead(status, { ...headers, 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': body.length, 'Cache-Control': 'no-store' });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

export function sendJson(res: ServerResponse, status: number, value: unknown, headers: OutgoingHttpHeaders = {}): void {
  const body = Buffer.from(JSON.stringify(value), 'utf8');
  res.writeHead(status, { ...headers, 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': body.length, 'Cache-Control': 'no-store' });
  res.end(body);
}

/** The HTTP status for an engine error code. */
export function statusForEngineError(code: string): number {
  switch (code) {
    case 'EBADMSG':
      return 400;
    case 'ENOSESSION':
    case 'ENOVIEW':
    case 'ENOTRANSACTION':
    case 'ENOENT':
      return 404;
    case 'ECLOSED':
      return 409;
    case 'ECANCELED':
      return 499;
    default:
      return 500;
  }
}

/** A whole non-negative integer parameter, or null. */
export function integerParam(query: URLSearchParams, name: string): number | null {
  const text = query.get(name);
  if (text === null || !/^\d{1,10}$/.test(text)) return null;
  return Number(text);
}

/** True once the client has gone (its socket closed before the answer was sent). */
export function clientGone(req: IncomingMessage, res: ServerResponse): boolean {
  return req.destroyed || res.destroyed || res.writableEnded;
}
