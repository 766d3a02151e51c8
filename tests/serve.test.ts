/**
 * `sievecap serve` as a user's browser and a hostile page meet it: the real command as a child
 * process (`serve --port 0 FILE`), reached over HTTP and WebSocket on 127.0.0.1. Checks the token,
 * Host and Origin rules, the static files' headers and path handling, the engine protocol over the
 * WebSocket (rows against tshark's columns for the same file), downloads read back by tshark,
 * uploads opened by the engine, and a clean exit on SIGTERM. The UI is a small folder the test
 * makes (SIEVECAP_RENDERER_DIR): the renderer's own build is not needed. Needs tshark.
 */
import * as assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import WebSocket from 'ws';
import { sampleTraffic, writeCapture } from '../app/engine/service/test-traffic';
import type { EngineEvent, EngineMessage } from '../app/rpc/engine-protocol';
import { tshark, tsharkColumns } from './engine-reference';
import { requireTool, tempDir } from './pcap-helpers';
import { SIEVECAP, tsharkRead } from './support/sievecap';
import * as dgram from 'node:dgram';
import { waitForOutput } from './support/netns';

const tmp = tempDir('serve');
const ui = path.join(tmp.dir, 'ui');
const capture = path.join(tmp.dir, 'sample.pcap');
const SECRET = 'not part of the UI: a traversal reached me';
const APP_JS = 'console.log("sievecap test page");\n';

interface Served {
  child: ChildProcess;
  port: number;
  token: string;
  origin: string;
  stderr: () => string;
  exited: Promise<number | null>;
}

function serve(args: string[], env: NodeJS.ProcessEnv = {}): { child: ChildProcess; stderr: () => string; exited: Promise<number | null> } {
  // Run by sudo or not, serve stays the user running the test unless a test says -Z.
  const { SUDO_UID: _uid, SUDO_GID: _gid, ...inherited } = process.env;
  const child = spawn(process.execPath, [SIEVECAP, 'serve', ...args], {
    env: { ...inherited, SIEVECAP_RENDERER_DIR: ui, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, stderr: () => stderr, exited };
}

async function startServe(file: string, more: string[] = []): Promise<Served> {
  const s = serve(['--port', '0', ...more, file]);
  const out = await waitForOutput(s.child, 'stdout', /Press Ctrl-C to stop/, 'sievecap serve', 30_000);
  const m = /Sievecap is serving on http:\/\/127\.0\.0\.1:(\d+)\/\?token=([0-9a-f]{64})\n/.exec(out);
  assert.ok(m, `serve printed its URL: ${out}`);
  assert.match(out, new RegExp(`ssh -L ${m[1]}:127\\.0\\.0\\.1:${m[1]} `), 'how to tunnel');
  return { ...s, port: Number(m[1]), token: m[2]!, origin: `http://127.0.0.1:${m[1]}` };
}

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** One HTTP request with exactly these headers and this path (sent as it is: no normalising). */
function request(port: number, options: { method?: string; path: string; headers?: http.OutgoingHttpHeaders; body?: Buffer }): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method: options.method ?? 'GET', path: options.path, headers: options.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

/** A WebSocket handshake that is expected to be refused: its status and text. */
function refusedUpgrade(port: number, pathAndQuery: string, headers: http.OutgoingHttpHeaders): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: '127.0.0.1',
      port,
      path: pathAndQuery,
      agent: false,
      headers: { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==', ...headers },
    });
    req.on('upgrade', (_res, socket) => {
      socket.destroy();
      reject(new Error('the handshake was accepted'));
    });
    req.on('response', (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** The engine protocol over a WebSocket, as the renderer speaks it. */
class Client {
  readonly events: EngineEvent[] = [];
  private nextId = 1;
  private readonly waiting = new Map<number, (m: EngineMessage) => void>();
  readonly closed: Promise<{ code: number; reason: string }>;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const m = JSON.parse(data.toString()) as EngineMessage;
      if (m.type === 'event') this.events.push(m);
      else if (m.id !== null) this.waiting.get(m.id)?.(m);
      else this.waiting.get(-1)?.(m);
    });
    this.closed = new Promise((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  }

  static open(s: Served): Promise<Client> {
    const ws = new WebSocket(`ws://127.0.0.1:${s.port}/rpc?token=${s.token}`, { origin: s.origin });
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(new Client(ws)));
      ws.once('error', reject);
    });
  }

  /** Sends a request (with an id of our choosing) and resolves with its reply. */
  send(message: Record<string, unknown> | string, id?: number): Promise<EngineMessage> {
    const key = id ?? -1;
    const reply = new Promise<EngineMessage>((resolve) => this.waiting.set(key, resolve));
    this.ws.send(typeof message === 'string' ? message : JSON.stringify(message));
    return reply;
  }

  async call(method: string, params: Record<string, unknown> = {}): Promise<any> {
    const id = this.nextId++;
    const reply = await this.send({ id, method, ...params }, id);
    if (reply.type !== 'result') assert.fail(`${method}: ${JSON.stringify(reply)}`);
    return reply.result;
  }

  close(): void {
    this.ws.close();
  }
}

let server: Served;

before(async () => {
  requireTool('tshark');
  fs.mkdirSync(path.join(ui, 'assets'), { recursive: true });
  fs.writeFileSync(path.join(ui, 'index.html'), '<!doctype html><title>Sievecap</title><link rel="stylesheet" href="/assets/app.css"><script type="module" src="/assets/app.js"></script>\n');
  fs.writeFileSync(path.join(ui, 'assets', 'app.js'), APP_JS);
  fs.writeFileSync(path.join(ui, 'assets', 'app.css'), 'body { margin: 0 }\n');
  fs.writeFileSync(path.join(ui, 'assets', 'logo.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>\n');
  fs.writeFileSync(path.join(tmp.dir, 'secret.txt'), SECRET);
  writeCapture(capture, sampleTraffic({ connections: 12, dnsQueries: 6, pings: 4 }));
  server = await startServe(capture);
});

after(async () => {
  if (server && server.child.exitCode === null) {
    server.child.kill('SIGKILL');
    await server.exited;
  }
  tmp.remove();
});

const withToken = (p: string): string => `${p}${p.includes('?') ? '&' : '?'}token=${server.token}`;

test('requests without the token, with a wrong token or a foreign Host are refused (403)', async () => {
  const host = `127.0.0.1:${server.port}`;
  const none = await request(server.port, { path: '/' });
  assert.equal(none.status, 403);
  assert.match(none.body.toString(), /token/);
  const wrong = await request(server.port, { path: `/?token=${'0'.repeat(64)}` });
  assert.equal(wrong.status, 403);
  assert.match(wrong.body.toString(), /token is wrong/);
  const short = await request(server.port, { path: '/?token=abc' });
  assert.equal(short.status, 403);
  const wrongCookie = await request(server.port, { path: '/assets/app.js', headers: { Cookie: `sievecap-token-${server.port}=${'f'.repeat(64)}` } });
  assert.equal(wrongCookie.status, 403);
  // DNS rebinding: a name of the attacker's that resolves to 127.0.0.1 — even with the token.
  for (const foreign of [`rebind.example:${server.port}`, '127.0.0.1', `127.0.0.1:${server.port + 1}`, `[::1]:${server.port}`]) {
    const r = await request(server.port, { path: withToken('/'), headers: { Host: foreign } });
    assert.equal(r.status, 403, `Host: ${foreign}`);
    assert.match(r.body.toString(), /Host header/);
  }
  // A foreign Origin on any request, even a GET with the token.
  const cross = await request(server.port, { path: withToken('/'), headers: { Origin: 'http://evil.example' } });
  assert.equal(cross.status, 403);
  const ok = await request(server.port, { path: withToken('/'), headers: { Host: `localhost:${server.port}` } });
  assert.equal(ok.status, 200);
  assert.equal((await request(server.port, { path: withToken('/'), headers: { Host: host } })).status, 200);
});

test('the UI: the token sets an HttpOnly cookie, files carry their MIME type, CSP and no-store', async () => {
  const page = await request(server.port, { path: withToken('/') });
  assert.equal(page.status, 200);
  assert.equal(page.headers['content-type'], 'text/html; charset=utf-8');
  assert.equal(page.headers['cache-control'], 'no-store');
  assert.equal(page.headers['x-content-type-options'], 'nosniff');
  assert.equal(page.headers['referrer-policy'], 'no-referrer');
  const csp = String(page.headers['content-security-policy']);
  for (const directive of ["default-src 'self'", "connect-src 'self'", "img-src 'self' data: blob:", "style-src 'self' 'unsafe-inline'", "object-src 'none'", "frame-ancestors 'none'", "base-uri 'none'"]) {
    assert.ok(csp.includes(directive), `CSP has ${directive}: ${csp}`);
  }
  assert.doesNotMatch(csp, /script-src[^;]*unsafe/, 'no unsafe scripts');
  const cookie = page.headers['set-cookie']?.[0] ?? '';
  assert.match(cookie, new RegExp(`^sievecap-token-${server.port}=${server.token};`));
  for (const attribute of ['HttpOnly', 'SameSite=Strict', 'Path=/']) assert.ok(cookie.includes(attribute), `cookie has ${attribute}: ${cookie}`);
  const jar = cookie.split(';')[0]!;

  // The page's assets, a reload: the cookie is enough.
  const js = await request(server.port, { path: '/assets/app.js', headers: { Cookie: jar } });
  assert.equal(js.status, 200);
  assert.equal(js.headers['content-type'], 'text/javascript; charset=utf-8');
  assert.equal(js.body.toString(), APP_JS);
  assert.ok(js.headers['content-security-policy'], 'every response has the CSP');
  assert.equal((await request(server.port, { path: '/assets/app.css', headers: { Cookie: jar } })).headers['content-type'], 'text/css; charset=utf-8');
  assert.equal((await request(server.port, { path: '/assets/logo.svg', headers: { Cookie: jar } })).headers['content-type'], 'image/svg+xml');
  const reload = await request(server.port, { path: '/index.html', headers: { Cookie: `other=1; ${jar}` } });
  assert.equal(reload.status, 200);
  assert.equal(reload.headers['set-cookie'], undefined, 'the cookie is set by a tokened load only');
  const head = await request(server.port, { method: 'HEAD', path: '/assets/app.js', headers: { Cookie: jar } });
  assert.equal(head.status, 200);
  assert.equal(Number(head.headers['content-length']), APP_JS.length);
  assert.equal(head.body.length, 0);
  assert.equal((await request(server.port, { path: '/assets/none.js', headers: { Cookie: jar } })).status, 404);
  assert.equal((await request(server.port, { method: 'PUT', path: '/index.html', headers: { Cookie: jar } })).status, 405);
});

test('paths leaving the UI folder are refused', async () => {
  const attempts = [
    '/../secret.txt',
    '/assets/../../secret.txt',
    '/%2e%2e/secret.txt',
    '/assets/%2E%2E/%2e%2e/secret.txt',
    '/..%2fsecret.txt',
    '/assets/..%2f..%2fsecret.txt',
    '/assets/..%5c..%5csecret.txt',
    '/%252e%252e/secret.txt',
    '//etc/passwd',
    '/assets/app.js%00.html',
    `/${'../'.repeat(8)}etc/passwd`,
  ];
  for (const attempt of attempts) {
    const r = await request(server.port, { path: withToken(attempt) });
    assert.ok(r.status === 403 || r.status === 404, `${attempt}: ${r.status}`);
    assert.ok(!r.body.toString().includes(SECRET) && !r.body.toString().includes('root:'), `${attempt} served nothing of outside`);
  }
  assert.equal((await request(server.port, { path: withToken('/../secret.txt') })).status, 403);
  assert.equal((await request(server.port, { path: withToken('/assets/./app.js') })).status, 403);
});

test('WebSocket handshakes without the token, from a foreign Origin or Host, or without Origin are refused', async () => {
  const { port, token, origin } = server;
  const cases: Array<[string, string, http.OutgoingHttpHeaders]> = [
    ['no token', '/rpc', { Origin: origin }],
    ['wrong token', `/rpc?token=${'1'.repeat(64)}`, { Origin: origin }],
    ['foreign Origin', `/rpc?token=${token}`, { Origin: 'http://evil.example' }],
    ['null Origin', `/rpc?token=${token}`, { Origin: 'null' }],
    ['Origin of another port', `/rpc?token=${token}`, { Origin: `http://127.0.0.1:${port + 1}` }],
    ['no Origin', `/rpc?token=${token}`, {}],
    ['foreign Host', `/rpc?token=${token}`, { Origin: `http://rebind.example:${port}`, Host: `rebind.example:${port}` }],
  ];
  for (const [what, target, headers] of cases) {
    const r = await refusedUpgrade(port, target, headers);
    assert.equal(r.status, 403, what);
    assert.match(r.body, /Forbidden: /, what);
  }
  assert.equal((await refusedUpgrade(port, `/elsewhere?token=${token}`, { Origin: origin })).status, 404);
  // The same checks through a real client library.
  await assert.rejects(
    new Promise((resolve, reject) => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/rpc?token=${token}`, { origin: 'http://evil.example' });
      ws.once('open', resolve);
      ws.once('error', reject);
    }),
    /403/,
  );
});

test('POSTs without our Origin are refused; an upload too large is refused with 413', async () => {
  const { port, origin } = server;
  const body = fs.readFileSync(capture);
  const before = fs.readdirSync(await uploadDirOf());
  for (const headers of [{ Origin: 'http://evil.example' }, {}, { Origin: 'null' }]) {
    const r = await request(port, { method: 'POST', path: withToken('/upload?name=x.pcap'), headers, body });
    assert.equal(r.status, 403, JSON.stringify(headers));
  }
  const big = await request(port, { method: 'POST', path: withToken('/upload?name=huge.pcap'), headers: { Origin: origin, 'Content-Length': String(5 * 1024 ** 3) }, body: Buffer.alloc(16) }).catch((err: Error) => err);
  assert.ok(!(big instanceof Error), `413 answered before the body: ${String(big)}`);
  assert.equal(big.status, 413);
  assert.match(big.body.toString(), /4 GiB/);
  assert.equal((await request(port, { method: 'GET', path: withToken('/upload?name=x') })).status, 405);
  // An upload cut off halfway (the tab closed): its partial file goes.
  const cut = net.connect(port, '127.0.0.1');
  await new Promise<void>((resolve) => cut.once('connect', resolve));
  cut.write(`POST ${withToken('/upload?name=cut.pcap')} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nOrigin: ${origin}\r\nContent-Length: 1000000\r\n\r\n`);
  cut.write(body.subarray(0, 500));
  await new Promise((r) => setTimeout(r, 100));
  cut.destroy();
  const uploads = await uploadDirOf();
  for (let k = 0; k < 50 && fs.readdirSync(uploads).length > before.length; k++) await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(fs.readdirSync(await uploadDirOf()), before, 'refused uploads left nothing behind');
});

/** The uploads folder of this run, found through one upload (and removed again). */
async function uploadDirOf(): Promise<string> {
  const r = await request(server.port, { method: 'POST', path: withToken('/upload?name=probe.bin'), headers: { Origin: server.origin }, body: Buffer.from('x') });
  assert.equal(r.status, 200, r.body.toString());
  const file = (JSON.parse(r.body.toString()) as { path: string }).path;
  fs.rmSync(path.dirname(file), { recursive: true });
  return path.dirname(path.dirname(file));
}

async function loaded(client: Client, session: number): Promise<any> {
  for (let k = 0; k < 500; k++) {
    const info = await client.call('sessionInfo', { session });
    if (info.state !== 'loading') return info;
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.fail(`session ${session} is still loading`);
}

test('the file given at start is open; rows over the WebSocket equal tshark', async () => {
  const client = await Client.open(server);
  try {
    const { sessions } = await client.call('listSessions');
    const opened = sessions.find((s: { path: string }) => s.path === capture);
    assert.ok(opened, `the file is open: ${JSON.stringify(sessions.map((s: { path: string }) => s.path))}`);
    const info = await loaded(client, opened.session);
    const theirs = tsharkColumns(capture);
    const infos = tshark(['-r', capture, '-T', 'fields', '-e', '_ws.col.Info']).split('\n').filter((l) => l !== '');
    assert.equal(info.frames, theirs.length, 'frames = tshark');
    const page = await client.call('rows', { session: opened.session, start: 0, count: 1000 });
    assert.equal(page.total, theirs.length);
    assert.equal(page.rows.length, theirs.length);
    page.rows.forEach((r: { number: number; source: string; destination: string; protocol: string; length: number; info: string }, k: number) => {
      const t = theirs[k]!;
      assert.equal(r.number, k + 1);
      assert.deepEqual([r.source, r.destination, r.protocol, r.length], [t.source, t.destination, t.protocol, t.length], `frame ${r.number}`);
      // Wireshark's GUI (two passes) names an echo reply's request; tshark's single pass cannot.
      assert.equal(r.info.replace(/ \(request in \d+\)$/, ''), infos[k], `frame ${r.number} Info`);
    });
    assert.ok(page.rows.some((r: { protocol: string }) => r.protocol === 'HTTP') && page.rows.some((r: { protocol: string }) => r.protocol === 'DNS'));
  } finally {
    client.close();
  }
});

test('bad messages get the service’s error reply; an oversized one closes the socket', async () => {
  const client = await Client.open(server);
  const notJson = await client.send('{ not json');
  assert.equal(notJson.type, 'error');
  assert.equal(notJson.type === 'error' && notJson.error.code, 'EBADMSG');
  const unknown = await client.send({ id: 7, method: 'formatDisk' }, 7);
  assert.equal(unknown.type === 'error' && unknown.id, 7);
  assert.equal(unknown.type === 'error' && unknown.error.code, 'EBADMSG');
  const badSession = await client.send({ id: 8, method: 'sessionInfo', session: 999 }, 8);
  assert.equal(badSession.type === 'error' && badSession.error.code, 'ENOSESSION');
  client.ws.send('x'.repeat(64 * 1024 + 1));
  const closed = await client.closed;
  assert.equal(closed.code, 1009, 'message too big');
});

test('every socket gets every event; two sockets may use the same request ids', async () => {
  const a = await Client.open(server);
  const b = await Client.open(server);
  try {
    // Both number their first request 1, at once.
    const [ra, rb] = await Promise.all([a.send({ id: 1, method: 'openFile', path: capture }, 1), b.send({ id: 1, method: 'openFile', path: capture }, 1)]);
    assert.ok(ra.type === 'result' && rb.type === 'result', `${JSON.stringify(ra)} ${JSON.stringify(rb)}`);
    const sa = (ra.result as { session: number }).session;
    const sb = (rb.result as { session: number }).session;
    assert.notEqual(sa, sb);
    const openedOf = (c: Client, session: number) => c.events.find((e) => e.event === 'opened' && e.session === session) as Extract<EngineEvent, { event: 'opened' }> | undefined;
    assert.equal(openedOf(a, sa)?.request, 1, 'a sees its own request id');
    assert.equal(openedOf(b, sb)?.request, 1, 'b sees its own request id');
    assert.equal(openedOf(a, sb)?.request, null, "a sees b's session opened, with no request of its own");
    assert.equal(openedOf(b, sa)?.request, null);
    // Cancelling an id a socket is not running touches nothing of the other's.
    const cancel = await a.call('cancel', { request: 1 });
    assert.deepEqual(cancel, { request: 1, cancelled: false });
    await b.call('closeSession', { session: sb });
    await a.call('closeSession', { session: sa });
    await new Promise((r) => setTimeout(r, 50));
    assert.ok(a.events.some((e) => e.event === 'sessionClosed' && e.session === sb), "a hears of b's closeSession");
  } finally {
    a.close();
    b.close();
  }
});

test('download: the session as pcapng and pcap, and a view’s packets, read back by tshark', async () => {
  const client = await Client.open(server);
  try {
    const { sessions } = await client.call('listSessions');
    const session = sessions.find((s: { path: string }) => s.path === capture).session as number;
    const frames = tsharkRead(capture).count;
    for (const format of ['pcapng', 'pcap'] as const) {
      const r = await request(server.port, { path: withToken(`/download?session=${session}&format=${format}`) });
      assert.equal(r.status, 200, r.body.toString());
      assert.equal(r.headers['content-disposition'], `attachment; filename="sample.${format}"; filename*=UTF-8''sample.${format}`);
      assert.equal(Number(r.headers['content-length']), r.body.length);
      assert.ok(r.headers['content-security-policy']);
      const saved = path.join(tmp.dir, `downloaded.${format}`);
      fs.writeFileSync(saved, r.body);
      if (format === 'pcapng') assert.equal(r.body.readUInt32LE(0), 0x0a0d0d0a, 'a pcapng section header');
      else assert.ok([0xa1b2c3d4, 0xa1b23c4d].includes(r.body.readUInt32LE(0)), 'a pcap header');
      assert.equal(tsharkRead(saved).count, frames, `${format}: every frame`);
      assert.equal(tshark(['-r', saved, '-T', 'fields', '-e', 'frame.len']), tshark(['-r', capture, '-T', 'fields', '-e', 'frame.len']));
    }
    const view = await client.call('createView', { session, filter: 'dns' });
    const r = await request(server.port, { path: withToken(`/download?session=${session}&format=pcapng&view=${view.view}`) });
    assert.equal(r.status, 200, r.body.toString());
    assert.match(String(r.headers['content-disposition']), /filename="sample-filtered\.pcapng"/);
    const saved = path.join(tmp.dir, 'filtered.pcapng');
    fs.writeFileSync(saved, r.body);
    assert.equal(tsharkRead(saved).count, view.matches);
    assert.equal(tsharkRead(saved).count, tshark(['-r', capture, '-Y', 'dns', '-T', 'fields', '-e', 'frame.number']).split('\n').filter(Boolean).length);

    const downloads = path.join(path.dirname(await uploadDirOf()), 'downloads');
    assert.deepEqual(fs.readdirSync(downloads), [], 'a download’s file goes once sent');

    assert.equal((await request(server.port, { path: withToken('/download?session=999&format=pcapng') })).status, 404);
    assert.equal((await request(server.port, { path: withToken(`/download?session=${session}&format=exe`) })).status, 400);
    assert.equal((await request(server.port, { path: `/download?session=${session}&format=pcapng` })).status, 403, 'a download needs the token too');
  } finally {
    client.close();
  }
});

test('upload: a private file the engine opens, removed when its session closes', async () => {
  const body = fs.readFileSync(capture);
  const r = await request(server.port, { method: 'POST', path: withToken('/upload?name=../../my%20capture.pcap'), headers: { Origin: server.origin }, body });
  assert.equal(r.status, 200, r.body.toString());
  const { path: uploaded, bytes } = JSON.parse(r.body.toString()) as { path: string; bytes: number };
  assert.equal(bytes, body.length);
  assert.equal(path.basename(uploaded), 'my capture.pcap', 'the name is kept, its folders are not');
  assert.ok(fs.readFileSync(uploaded).equals(body));
  assert.equal(fs.statSync(uploaded).mode & 0o777, 0o600);
  assert.equal(fs.statSync(path.dirname(uploaded)).mode & 0o777, 0o700);
  assert.equal(fs.statSync(path.dirname(path.dirname(path.dirname(uploaded)))).mode & 0o777, 0o700, 'the run’s folder is private');

  const client = await Client.open(server);
  try {
    const info = await client.call('openFile', { path: uploaded });
    assert.equal(info.frames, tsharkRead(capture).count);
    const rows = await client.call('rows', { session: info.session, start: 0, count: 3 });
    assert.equal(rows.rows[0].protocol, 'TCP');
    await client.call('closeSession', { session: info.session });
    for (let k = 0; k < 50 && fs.existsSync(uploaded); k++) await new Promise((res) => setTimeout(res, 20));
    assert.equal(fs.existsSync(uploaded), false, 'removed with its session');
  } finally {
    client.close();
  }
});

test('a port in use is named, with --port suggested; a missing UI build is named', async () => {
  const second = serve(['--port', String(server.port)]);
  assert.equal(await second.exited, 1);
  assert.match(second.stderr(), new RegExp(`port ${server.port} on 127\\.0\\.0\\.1 is in use.*--port`));
  const empty = path.join(tmp.dir, 'empty-ui');
  fs.mkdirSync(empty);
  const unbuilt = serve(['--port', '0'], { SIEVECAP_RENDERER_DIR: empty });
  assert.equal(await unbuilt.exited, 1);
  assert.match(unbuilt.stderr(), /the UI is not built: run npm run build:renderer/);
  const missing = serve(['--port', '0', path.join(tmp.dir, 'no-such.pcap')]);
  assert.equal(await missing.exited, 1);
  assert.match(missing.stderr(), /no-such\.pcap: no such file/);
  const usage = serve(['--port', 'eighty']);
  assert.equal(await usage.exited, 1); // a usage error, as the CLI's
  assert.match(usage.stderr(), /--port takes a port number/);
});

test('SIGTERM closes the sockets, removes the temporary files and exits 0', async () => {
  const r = await request(server.port, { method: 'POST', path: withToken('/upload?name=left.pcap'), headers: { Origin: server.origin }, body: fs.readFileSync(capture) });
  const uploaded = (JSON.parse(r.body.toString()) as { path: string }).path;
  const workDir = path.dirname(path.dirname(path.dirname(uploaded)));
  const client = await Client.open(server);
  server.child.kill('SIGTERM');
  const closed = await client.closed;
  assert.equal(closed.code, 1001, 'going away');
  assert.equal(await server.exited, 0, server.stderr());
  assert.equal(fs.existsSync(workDir), false, `${workDir} removed`);
});

test('as root with -Z: the helper starts first, serve becomes the user, and captures on lo still work', { skip: process.getuid?.() !== 0 ? 'needs root' : false }, async () => {
  // A folder the user can read: serve opens the file after the drop.
  const shared = fs.mkdtempSync(path.join(path.dirname(tmp.dir), 'sievecap-serve-shared-'));
  const served = { child: null as ChildProcess | null };
  try {
    fs.chmodSync(shared, 0o755);
    const file = path.join(shared, 'sample.pcap');
    fs.copyFileSync(capture, file);
    fs.chmodSync(file, 0o644);
    const s = await startServe(file, ['-Z', 'nobody']);
    served.child = s.child;
    const status = fs.readFileSync(`/proc/${s.child.pid}/status`, 'utf8');
    assert.match(status, /^Uid:\s+65534\s+65534\s+65534\s+65534$/m, 'serve runs as nobody');
    assert.match(status, /^CapEff:\s+0+$/m, 'with no capabilities');
    const helpers = fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d) && (() => {
      try {
        return /^PPid:\s+(\d+)$/m.exec(fs.readFileSync(`/proc/${d}/status`, 'utf8'))?.[1] === String(s.child.pid);
      } catch {
        return false;
      }
    })());
    assert.equal(helpers.length, 1, 'the helper was started before the drop, as serve\'s child');

    const client = await Client.open(s);
    try {
      const { sessions } = await client.call('listSessions');
      assert.ok(sessions.some((x: { path: string }) => x.path === file), 'the file opened as nobody');
      // Loopback only: datagrams from a socket of ours to a port nothing listens on.
      const sender = dgram.createSocket('udp4');
      await new Promise<void>((resolve) => sender.bind(0, '127.0.0.1', resolve));
      const port = sender.address().port;
      const live = await client.call('startCapture', { interfaces: ['lo'], filter: `udp and src port ${port} and dst port 9` });
      for (let k = 0; k < 5; k++) await new Promise<void>((resolve, reject) => sender.send(`datagram ${k}`, 9, '127.0.0.1', (err) => (err ? reject(err) : resolve())));
      sender.close();
      for (let k = 0; k < 100; k++) {
        if ((await client.call('sessionInfo', { session: live.session })).frames >= 5) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      await client.call('stopCapture', { session: live.session });
      const rows = await client.call('rows', { session: live.session, start: 0, count: 100 });
      assert.deepEqual(rows.rows.map((r: { info: string }) => r.info), Array.from({ length: 5 }, () => `${port} → 9 Len=10`));

      // Every TCP packet on lo, while this client's WebSocket keeps asking: serve's own connections
      // are left out, the rest (a connection refused by port 9) is captured.
      const tcp = await client.call('startCapture', { interfaces: ['lo'], filter: 'tcp' });
      for (let k = 0; k < 3; k++) {
        await new Promise<void>((resolve) => {
          const c = net.connect(9, '127.0.0.1');
          c.on('error', () => resolve());
          c.on('connect', () => (c.destroy(), resolve()));
        });
      }
      for (let k = 0; k < 100; k++) {
        if ((await client.call('sessionInfo', { session: tcp.session })).frames >= 6) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      await client.call('stopCapture', { session: tcp.session });
      const tcpRows = (await client.call('rows', { session: tcp.session, start: 0, count: 1000 })).rows as { info: string }[];
      assert.equal(tcpRows.filter((r) => / → 9 \[SYN\]/.test(r.info)).length, 3, tcpRows.map((r) => r.info).join('\n'));
      assert.equal(tcpRows.filter((r) => r.info.includes(String(s.port))).length, 0, 'no packet of serve\'s own port was captured');
    } finally {
      client.close();
    }
    s.child.kill('SIGINT');
    assert.equal(await s.exited, 0, s.stderr());
    assert.equal(helpers.filter((pid) => fs.existsSync(`/proc/${pid}`)).length, 0, 'the helper is gone');
  } finally {
    if (served.child && served.child.exitCode === null) served.child.kill('SIGKILL');
    fs.rmSync(shared, { recursive: true, force: true });
  }
});
