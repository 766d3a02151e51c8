/**
 * httpObjects and exportHttpObjects (http-export.ts) on captures the test makes: the files written
 * are those `sievecap -r FILE --export-objects http,DIR` writes, same names and same bytes (duplicate
 * names, a request body, gzip, chunked, keep-alive, '/' and a query, a response without its
 * request, test-traffic.ts's exchanges); a chosen transaction or part alone; a file already in the
 * folder is never overwritten; ESAVE with the system's reason; ENOTRANSACTION; cancel; progress.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { after, test } from 'node:test';
import { EngineService } from './service';
import { EngineTestClient } from './test-client';
import { sampleTraffic, writeCapture, type TrafficFrame } from './test-traffic';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-http-export-test-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** bin/sievecap, from dist/app/engine/service or app/engine/service. */
function sievecapBin(): string {
  for (let dir = __dirname; path.dirname(dir) !== dir; dir = path.dirname(dir)) {
    const bin = path.join(dir, 'bin', 'sievecap');
    if (fs.existsSync(bin) && fs.existsSync(path.join(dir, 'package.json'))) return bin;
  }
  throw new Error(`no bin/sievecap above ${__dirname}`);
}

function client(options: ConstructorParameters<typeof EngineService>[0] = {}): EngineTestClient {
  return new EngineTestClient(new EngineService({ spoolDir: tmp, configDir: path.join(tmp, 'config'), eventIntervalMs: 0, ...options }));
}

// ---- frames ----------------------------------------------------------------------------------

function ipv4Tcp(src: string, dst: string, srcPort: number, dstPort: number, flags: number, seq: number, ack: number, payload: Buffer): Buffer {
  const eth = Buffer.alloc(14);
  Buffer.from('020000000002020000000001', 'hex').copy(eth, 0);
  eth.writeUInt16BE(0x0800, 12);
  const ip = Buffer.alloc(20);
  ip[0] = 0x45;
  ip.writeUInt16BE(40 + payload.length, 2);
  ip[8] = 64;
  ip[9] = 6;
  Buffer.from(src.split('.').map(Number)).copy(ip, 12);
  Buffer.from(dst.split('.').map(Number)).copy(ip, 16);
  const tcp = Buffer.alloc(20);
  tcp.writeUInt16BE(srcPort, 0);
  tcp.writeUInt16BE(dstPort, 2);
  tcp.writeUInt32BE(seq >>> 0, 4);
  tcp.writeUInt32BE(ack >>> 0, 8);
  tcp.writeUInt16BE((5 << 12) | flags, 12);
  tcp.writeUInt16BE(65535, 14);
  return Buffer.concat([eth, ip, tcp, payload]);
}

/**
 * One TCP connection: handshake, then each exchange (the request, the response in segments of at
 * most 1400 bytes; a null request: the response alone, as when the capture began mid-connection), close.
 */
function connection(port: number, exchanges: Array<[Buffer | null, Buffer]>, startNs: bigint, handshake = true): TrafficFrame[] {
  const frames: TrafficFrame[] = [];
  let ts = startNs;
  let cseq = 100;
  let sseq = 9000;
  const push = (fromClient: boolean, flags: number, payload: Buffer = Buffer.alloc(0)): void => {
    const data = fromClient ? ipv4Tcp('10.1.0.1', '10.1.0.2', port, 80, flags, cseq, sseq, payload) : ipv4Tcp('10.1.0.2', '10.1.0.1', 80, port, flags, sseq, cseq, payload);
    if (fromClient) cseq += payload.length + (flags & 0x03 ? 1 : 0);
    else sseq += payload.length + (flags & 0x03 ? 1 : 0);
    frames.push({ tsNs: ts, data });
    ts += 1_000_000n;
  };
  if (handshake) {
    push(true, 0x02);
    push(false, 0x12);
    push(true, 0x10);
  }
  for (const [request, response] of exchanges) {
    if (request) push(true, 0x18, request);
    for (let at = 0; at < response.length; at += 1400) push(false, 0x18, response.subarray(at, at + 1400));
  }
  push(true, 0x11);
  push(false, 0x11);
  push(true, 0x10);
  return frames;
}

function chunked(body: Buffer, size: number): Buffer {
  const parts: Buffer[] = [];
  for (let at = 0; at < body.length; at += size) {
    const piece = body.subarray(at, at + size);
    parts.push(Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from('\r\n'));
  }
  parts.push(Buffer.from('0\r\n\r\n'));
  return Buffer.concat(parts);
}

const get = (target: string, host = 'www.example.test'): Buffer => Buffer.from(`GET ${target} HTTP/1.1\r\nHost: ${host}\r\n\r\n`);
const ok = (type: string, body: Buffer | string, extra = ''): Buffer => {
  const b = typeof body === 'string' ? Buffer.from(body) : body;
  return Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\nContent-Type: ${type}\r\n${extra}Content-Length: ${b.length}\r\n\r\n`), b]);
};

const PAGE = Buffer.from('<html><body>' + 'sievecap '.repeat(400) + '</body></html>');
const JSON_BODY = Buffer.from('{"stored":true,"id":42}');
const BINARY = Buffer.from(Array.from({ length: 5000 }, (_, k) => (k * 37) & 0xff));

const FRAMES: TrafficFrame[] = [
  ...connection(42000, [[get('/index.html'), ok('text/html', PAGE)]], 1_700_000_000_000_000_000n),
  // The same name again: (1).
  ...connection(42001, [[get('/index.html', 'other.test'), ok('text/html', 'second page')]], 1_700_000_001_000_000_000n),
  // A request body and a chunked response, named after the target with its query ('?' escaped).
  ...connection(42002, [[
    Buffer.from(`POST /api/upload?x=1 HTTP/1.1\r\nHost: api.test\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 7\r\n\r\na=1&b=2`),
    Buffer.concat([Buffer.from('HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n'), chunked(JSON_BODY, 5)]),
  ]], 1_700_000_002_000_000_000n),
  // gzip undone; '/' alone.
  ...connection(42003, [[get('/'), ok('text/plain', zlib.gzipSync(PAGE), 'Content-Encoding: gzip\r\n')]], 1_700_000_003_000_000_000n),
  // Keep-alive: two requests on one connection, a binary body.
  ...connection(42004, [[get('/one.bin'), ok('application/octet-stream', BINARY)], [get('/two/'), ok('image/png', BINARY.subarray(0, 700))]], 1_700_000_004_000_000_000n),
  // A response whose request was not captured: object<frame>.json, not listed as a transaction.
  ...connection(42005, [[null, ok('application/json', JSON_BODY)]], 1_700_000_005_000_000_000n, false),
  // No body: no object.
  ...connection(42006, [[get('/empty'), ok('text/plain', '')]], 1_700_000_006_000_000_000n),
  ...sampleTraffic({ connections: 5, startNs: 1_700_000_007_000_000_000n }),
];

const CAPTURE = path.join(tmp, 'objects.pcap');
writeCapture(CAPTURE, FRAMES);

/** What the CLI writes for the capture: name → bytes. */
function cliExport(file: string): Map<string, Buffer> {
  const dir = fs.mkdtempSync(path.join(tmp, 'cli-'));
  const r = spawnSync(process.execPath, [sievecapBin(), '-r', file, '--export-objects', `http,${dir}`], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return readFolder(dir);
}

function readFolder(dir: string): Map<string, Buffer> {
  return new Map(fs.readdirSync(dir).sort().map((name) => [name, fs.readFileSync(path.join(dir, name))]));
}

function assertSameFiles(ours: Map<string, Buffer>, theirs: Map<string, Buffer>): void {
  assert.deepEqual([...ours.keys()], [...theirs.keys()]);
  for (const [name, bytes] of theirs) assert.ok(ours.get(name)!.equals(bytes), `${name} differs`);
}

// ---- tests -----------------------------------------------------------------------------------

test('exportHttpObjects: every object, the files the CLI’s --export-objects http,DIR writes, byte for byte', async () => {
  const theirs = cliExport(CAPTURE);
  // The cases the frames were made for.
  for (const name of ['index.html', 'index(1).html', 'upload%3fx=1', 'upload%3fx=1(1)', '%2f', 'one.bin', 'two', '0', '4']) assert.ok(theirs.has(name), `the CLI wrote ${name}: ${[...theirs.keys()].join(', ')}`);
  assert.ok([...theirs.keys()].some((n) => /^object\d+\.json$/.test(n)), 'the response without its request');
  assert.ok(theirs.get('%2f')!.equals(PAGE), 'gzip undone');

  const c = client();
  const { session } = await c.call('openFile', { path: CAPTURE });
  const dir = path.join(tmp, 'engine-all');
  const result = await c.call('exportHttpObjects', { session, directory: dir });
  assert.equal(result.directory, dir);
  assertSameFiles(readFolder(dir), theirs);
  assert.equal(result.files.length, theirs.size);
  for (const f of result.files) assert.equal(f.bytes, theirs.get(f.name)!.length);
  // Numbered as httpTransactions numbers them; the request-less response has none.
  const { transactions } = await c.call('httpTransactions', { session, start: 0, count: 100 });
  const upload = transactions.findIndex((t) => t.path === '/api/upload?x=1');
  assert.deepEqual(result.files.filter((f) => f.index === upload).map((f) => [f.part, f.name]), [['request', 'upload%3fx=1'], ['response', 'upload%3fx=1(1)']]);
  assert.deepEqual(result.files.filter((f) => f.index === null).map((f) => f.part), ['response']);
  const frames = result.files.map((f) => f.frame);
  assert.deepEqual(frames, [...frames].sort((a, b) => a - b), 'in the order of the frames completing them');
  // Progress: the frames read, then the files written.
  const progress = c.eventsOf('progress', session);
  assert.ok(progress.some((e) => e.task === 'export' && e.done === theirs.size && e.total === theirs.size));

  // The list: the same objects, their names in an empty folder and sizes.
  const { objects } = await c.call('httpObjects', { session });
  assert.deepEqual(objects.map((o) => [o.frame, o.part, o.index, o.size]), result.files.map((f) => [f.frame, f.part, f.index, f.bytes]));
  const page = objects.find((o) => o.name === 'index.html' && o.hostname === 'other.test')!;
  assert.deepEqual([page.contentType, page.size, page.part], ['text/html', 'second page'.length, 'response']);
  await c.call('closeSession', { session });
});

test('exportHttpObjects: chosen transactions and parts; existing files are never overwritten', async () => {
  const theirs = cliExport(CAPTURE);
  const c = client();
  const { session } = await c.call('openFile', { path: CAPTURE });
  const { transactions } = await c.call('httpTransactions', { session, start: 0, count: 100 });
  const second = transactions.findIndex((t) => t.host === 'other.test');
  const upload = transactions.findIndex((t) => t.path === '/api/upload?x=1');
  const two = transactions.findIndex((t) => t.path === '/two/');

  // One transaction alone: its name as in an empty folder; its bytes the CLI's.
  const dir = path.join(tmp, 'engine-some');
  const some = await c.call('exportHttpObjects', { session, directory: dir, indexes: [second, two] });
  assert.deepEqual(some.files.map((f) => f.name), ['index.html', 'two']);
  assert.ok(fs.readFileSync(path.join(dir, 'index.html')).equals(theirs.get('index(1).html')!));
  assert.ok(fs.readFileSync(path.join(dir, 'two')).equals(theirs.get('two')!), 'named after its own request on a keep-alive connection');

  // Only the response of a transaction with a request body.
  const responses = await c.call('exportHttpObjects', { session, directory: dir, indexes: [upload], part: 'response' });
  assert.deepEqual(responses.files.map((f) => [f.name, f.part]), [['upload%3fx=1', 'response']]);
  assert.ok(fs.readFileSync(path.join(dir, 'upload%3fx=1')).equals(JSON_BODY));

  // Again into the same folder: every name is taken, so each gets the next free number; nothing is overwritten.
  fs.writeFileSync(path.join(dir, 'two(1)'), 'mine');
  const again = await c.call('exportHttpObjects', { session, directory: dir, indexes: [second, two] });
  assert.deepEqual(again.files.map((f) => f.name), ['index(1).html', 'two(2)']);
  assert.equal(fs.readFileSync(path.join(dir, 'two(1)'), 'utf8'), 'mine');
  assert.ok(fs.readFileSync(path.join(dir, 'index.html')).equals(theirs.get('index(1).html')!));
  // A dangling symbolic link holds its name too (never written through).
  fs.symlinkSync(path.join(tmp, 'nowhere'), path.join(dir, 'two(3)'));
  const third = await c.call('exportHttpObjects', { session, directory: dir, indexes: [two] });
  assert.deepEqual(third.files.map((f) => f.name), ['two(4)']);
  assert.equal(fs.existsSync(path.join(tmp, 'nowhere')), false);

  await c.fails('ENOTRANSACTION', 'exportHttpObjects', { session, directory: dir, indexes: [transactions.length] }, new RegExp(`numbered 0 to ${transactions.length - 1}`));
  await c.fails('EBADMSG', 'exportHttpObjects', { session, directory: dir, part: 'body' });
  await c.call('closeSession', { session });
});

test('exportHttpObjects: ESAVE with the system’s reason when the folder cannot be made', async () => {
  const c = client();
  const { session } = await c.call('openFile', { path: CAPTURE });
  const file = path.join(tmp, 'a-file');
  fs.writeFileSync(file, 'x');
  await c.fails('ESAVE', 'exportHttpObjects', { session, directory: path.join(file, 'objects') }, /ENOTDIR|not a folder/);
  await c.fails('ESAVE', 'exportHttpObjects', { session, directory: file }, /is not a folder \(ENOTDIR\); nothing was written/);
  await c.call('closeSession', { session });
});

test('exportHttpObjects: cancel answers ECANCELED', async () => {
  const c = client({ sliceMs: 0 });
  const many = path.join(tmp, 'many.pcap');
  writeCapture(many, sampleTraffic({ connections: 400 }));
  const { session } = await c.call('openFile', { path: many });
  const id = c.upcomingId;
  const pending = c.send({ method: 'exportHttpObjects', session, directory: path.join(tmp, 'cancelled') });
  await c.until('the export to start', () => c.eventsOf('progress', session).some((e) => e.request === id));
  const cancel = await c.call('cancel', { request: id });
  assert.equal(cancel.cancelled, true);
  const reply = await pending;
  assert.equal(reply.type === 'error' && reply.error.code, 'ECANCELED');
  await c.call('closeSession', { session });
});

test('exportHttpObjects: a live capture exports what is complete so far, then everything once it ends', async () => {
  const theirs = cliExport(CAPTURE);
  const c = client();
  const { session } = await c.call('openLive', { interfaces: [{ linkType: 1 }] });
  // Up to the middle of the keep-alive connection (its first response is complete, the second not sent).
  const cut = FRAMES.findIndex((f) => f.data.includes(Buffer.from('GET /two/')));
  for (const f of FRAMES.slice(0, cut)) c.service.appendPacket(session, { interfaceId: 0, tsNs: f.tsNs, data: f.data });
  const early = await c.call('exportHttpObjects', { session, directory: path.join(tmp, 'live-early') });
  assert.deepEqual(early.files.map((f) => f.name), ['index.html', 'index(1).html', 'upload%3fx=1', 'upload%3fx=1(1)', '%2f', 'one.bin']);
  for (const f of early.files) assert.ok(fs.readFileSync(path.join(tmp, 'live-early', f.name)).equals(theirs.get(f.name)!), f.name);
  for (const f of FRAMES.slice(cut)) c.service.appendPacket(session, { interfaceId: 0, tsNs: f.tsNs, data: f.data });
  c.service.endCapture(session);
  const dir = path.join(tmp, 'live-all');
  await c.call('exportHttpObjects', { session, directory: dir });
  assertSameFiles(readFolder(dir), theirs);
  await c.call('closeSession', { session });
});

test('exportHttpObjects: a write that fails (file size limit: EFBIG) answers ESAVE and leaves no half file', { skip: !fs.existsSync('/usr/bin/prlimit') && 'prlimit is missing' }, () => {
  const dir = path.join(tmp, 'efbig');
  // The engine in a child whose files may not grow past 2000 bytes (the first object is larger).
  const script = `
    const { EngineService } = require(${JSON.stringify(require.resolve('./service'))});
    (async () => {
      const s = new EngineService({ spoolDir: ${JSON.stringify(tmp)}, configDir: ${JSON.stringify(path.join(tmp, 'config'))} });
      const o = await s.handle({ id: 1, method: 'openFile', path: ${JSON.stringify(CAPTURE)} });
      const r = await s.handle({ id: 2, method: 'exportHttpObjects', session: o.result.session, directory: ${JSON.stringify(dir)} });
      process.stdout.write(JSON.stringify(r));
      s.close();
    })();`;
  const r = spawnSync('/usr/bin/prlimit', ['--fsize=2000', process.execPath, '-e', script], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const reply = JSON.parse(r.stdout) as { type: string; error?: { code: string; message: string } };
  assert.equal(reply.type, 'error');
  assert.equal(reply.error!.code, 'ESAVE');
  assert.match(reply.error!.message, /cannot write the HTTP object index\.html \(frame \d+\) into .*efbig: the file is too large for the file system \(EFBIG\); nothing was written/);
  assert.deepEqual(fs.readdirSync(dir), [], 'the half-written file is gone');
});
