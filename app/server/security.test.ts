import * as assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { test } from 'node:test';
import { cookieName, newToken, requestGuard, securityHeaders, tokenCookie, tokensEqual } from './security';

function req(headers: Record<string, string>, method = 'GET'): IncomingMessage {
  return { headers, method } as unknown as IncomingMessage;
}

test('tokens: 32 random bytes as hex, compared whole', () => {
  const t = newToken();
  assert.match(t, /^[0-9a-f]{64}$/);
  assert.notEqual(newToken(), t);
  assert.ok(tokensEqual(t, t));
  assert.ok(!tokensEqual(t.slice(0, 63), t));
  assert.ok(!tokensEqual(`${t}0`, t));
  assert.ok(!tokensEqual('', t));
  assert.ok(!tokensEqual(t.toUpperCase(), t));
});

test('the guard: Host, Origin and token', () => {
  const token = 'ab'.repeat(32);
  const g = requestGuard(8087, token);
  const host = { host: '127.0.0.1:8087' };
  assert.equal(g.check(req(host), token, false), null);
  assert.equal(g.check(req({ host: 'LOCALHOST:8087' }), token, false), null);
  assert.match(String(g.check(req({ host: 'evil.example:8087' }), token, false)), /Host header/);
  assert.match(String(g.check(req({}), token, false)), /Host header/);
  assert.match(String(g.check(req(host), null, false)), /needs its token/);
  assert.match(String(g.check(req(host), 'cd'.repeat(32), false)), /token is wrong/);
  // The cookie of this port stands for the query; another port's does not.
  assert.equal(g.check(req({ ...host, cookie: `a=b; ${cookieName(8087)}=${token}` }), null, false), null);
  assert.match(String(g.check(req({ ...host, cookie: `${cookieName(8088)}=${token}` }), null, false)), /needs its token/);
  // Origin: required on WebSocket handshakes and POSTs, refused when foreign on anything.
  assert.equal(g.check(req({ ...host, origin: 'http://127.0.0.1:8087' }), token, true), null);
  assert.match(String(g.check(req(host), token, true)), /Origin/);
  assert.match(String(g.check(req(host, 'POST'), token, false)), /Origin/);
  assert.equal(g.check(req({ ...host, origin: 'http://127.0.0.1:8087' }, 'POST'), token, false), null);
  for (const origin of ['http://evil.example', 'null', 'http://localhost:8087', 'https://127.0.0.1:8087', 'http://127.0.0.1:8088']) {
    assert.match(String(g.check(req({ ...host, origin }), token, false)), /refused/, origin);
  }
  assert.equal(g.originOf(req({ host: 'localhost:8087' })), 'http://localhost:8087');
});

test('headers: a strict CSP, nosniff, no referrer; the cookie is HttpOnly and SameSite=Strict', () => {
  const h = securityHeaders('http://127.0.0.1:8087');
  const csp = String(h['Content-Security-Policy']);
  for (const d of ["default-src 'self'", "connect-src 'self' ws://127.0.0.1:8087", "img-src 'self' data: blob:", "style-src 'self' 'unsafe-inline'", "object-src 'none'", "frame-ancestors 'none'", "base-uri 'none'"]) {
    assert.ok(csp.includes(d), d);
  }
  assert.equal(h['X-Content-Type-Options'], 'nosniff');
  assert.equal(h['Referrer-Policy'], 'no-referrer');
  assert.equal(tokenCookie(8087, 'x'), 'sievecap-token-8087=x; HttpOnly; SameSite=Strict; Path=/');
});
