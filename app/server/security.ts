/**
 * Who may talk to `sievecap serve`: the holder of the per-run token, through a browser page the
 * server itself served. A page of another site open in the same browser can reach 127.0.0.1 too;
 * these checks keep it out:
 *
 * - the token (query `token=`, or the cookie set on the first page load that carried it), compared
 *   in constant time;
 * - the Host header names this server (127.0.0.1:PORT or localhost:PORT), so a DNS name rebound to
 *   127.0.0.1 gets nothing;
 * - WebSocket handshakes and POSTs carry an Origin equal to this server's own (browsers always send
 *   it on both), and any request carrying a foreign Origin is refused;
 * - every response carries a strict Content-Security-Policy and no referrer, so the token never
 *   leaves the page.
 */
import * as crypto from 'node:crypto';
import type { IncomingMessage, OutgoingHttpHeaders } from 'node:http';

export const TOKEN_BYTES = 32;

/** A fresh token: 32 random bytes as hex. */
export function newToken(): string {
  return crypto.randomBytes(TOKEN_BYTES).toString('hex');
}

/** Compares two tokens in constant time (hashing first: lengths may differ and must not leak either). */
export function tokensEqual(given: string, expected: string): boolean {
  const a = crypto.createHash('sha256').update(given, 'utf8').digest();
  const b = crypto.createHash('sha256').update(expected, 'utf8').digest();
  return crypto.timingSafeEqual(a, b);
}

/**
 * The cookie's name carries the port: browsers share cookies between the ports of one host, and two
 * servers (or a server and its successor on another port) must not overwrite each other's.
 */
export function cookieName(port: number): string {
  return `sievecap-token-${port}`;
}

export function tokenCookie(port: number, token: string): string {
  return `${cookieName(port)}=${token}; HttpOnly; SameSite=Strict; Path=/`;
}

function cookieValue(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}

/** Why a request is refused (403 with this text), or null when it may go on. */
export type Refusal = string | null;

export interface RequestGuard {
  readonly port: number;
  readonly token: string;
  /**
   * Checks a request (or a WebSocket handshake, `upgrade`). `queryToken` is the request's `token=`
   * parameter, if any. Returns why it is refused, or null.
   */
  check(req: IncomingMessage, queryToken: string | null, upgrade: boolean): Refusal;
  /** The origin the page was loaded from, for the response's headers (after check() passed). */
  originOf(req: IncomingMessage): string;
}

export function requestGuard(port: number, token: string): RequestGuard {
  const hosts = new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
  const hostOf = (req: IncomingMessage): string | null => {
    const host = req.headers.host?.toLowerCase();
    return host !== undefined && hosts.has(host) ? host : null;
  };
  return {
    port,
    token,
    check(req, queryToken, upgrade) {
      const host = hostOf(req);
      if (host === null) {
        return `the Host header must be 127.0.0.1:${port} or localhost:${port} (got ${JSON.stringify(req.headers.host ?? '')}): open the URL sievecap serve printed`;
      }
      const origin = req.headers.origin;
      // Browsers send Origin on every WebSocket handshake and POST: one of our pages sends ours.
      if (origin !== undefined && origin !== `http://${host}`) return `requests from ${origin} are refused: only pages of http://${host} may talk to this server`;
      if (origin === undefined && (upgrade || req.method === 'POST')) return `a ${upgrade ? 'WebSocket' : 'POST'} request must carry the Origin header of a page of http://${host}`;
      const given = queryToken ?? cookieValue(req.headers.cookie, cookieName(port));
      if (given === null || given === '') return 'this server needs its token: open the URL sievecap serve printed (…/?token=…)';
      if (!tokensEqual(given, token)) return 'the token is wrong: open the URL sievecap serve printed for this run';
      return null;
    },
    originOf(req) {
      return `http://${hostOf(req) ?? `127.0.0.1:${port}`}`;
    },
  };
}

/** Headers every response carries. `origin` is the page's own (http://127.0.0.1:PORT). */
export function securityHeaders(origin: string | null): OutgoingHttpHeaders {
  const ws = origin ? ` ${origin.replace(/^http:/, 'ws:')}` : '';
  return {
    'Content-Security-Policy': [
      "default-src 'self'",
      // 'self' covers a WebSocket to the same host and port in current browsers; older ones need it spelled out.
      `connect-src 'self'${ws}`,
      "img-src 'self' data: blob:",
      "style-src 'self' 'unsafe-inline'",
      "object-src 'none'",
      "frame-ancestors 'none'",
      "base-uri 'none'",
      "form-action 'self'",
    ].join('; '),
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'X-Frame-Options': 'DENY',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
  };
}
