/**
 * The service's analyses on captures the tests make (test-traffic.ts and the HTTP frames below):
 * conversations (against ConversationTable fed a full dissection in order, each row's filter
 * against the frames it selects), follow stream, HTTP transactions with decoded bodies, and the
 * sorted packet list (against a stable sort of the unsorted rows) — on files and on live sessions
 * that grow between requests; cancelling and progress.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { after, test } from 'node:test';
import { Dissector } from '../../dissect/dissector';
import { compileDisplayFilter } from '../../filter';
import {
  MAX_BODY_PREVIEW,
  parseEngineMessage,
  parseEngineResult,
  type EngineEvent,
  type EngineMethod,
  type EngineReply,
  type EngineResult,
  type PacketRow,
  type SortColumn,
} from '../../rpc/engine-protocol';
import { createConversationReport } from '../../stats/conversations';
import { joinRecords } from './follow';
import { EngineService, type EngineServiceOptions } from './service';
import { sampleTraffic, writeCapture, type TrafficFrame } from './test-traffic';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-analysis-test-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

class Client {
  readonly events: EngineEvent[] = [];
  private nextId = 1;
  constructor(readonly service: EngineService) {
    service.onEvent((e) => {
      parseEngineMessage(structuredClone(e));
      this.events.push(e);
    });
  }

  send(message: Record<string, unknown>): Promise<EngineReply> {
    return this.service.handle({ id: this.nextId++, ...message }).then((reply) => {
      assert.deepStrictEqual(JSON.parse(JSON.stringify(reply)), reply, 'replies are plain data');
      parseEngineMessage(reply);
      return reply;
    });
  }

  async call<M extends EngineMethod>(method: M, params: Record<string, unknown> = {}): Promise<EngineResult<M>> {
    const reply = await this.send({ method, ...params });
    if (reply.type === 'error') assert.fail(`${method} failed: ${reply.error.code} ${reply.error.message}`);
    return parseEngineResult(method, reply.result);
  }

  async fails(code: string, method: string, params: Record<string, unknown>): Promise<void> {
    const reply = await this.send({ method, ...params });
    assert.equal(reply.type, 'error', `${method} should fail with ${code}`);
    assert.equal(reply.type === 'error' && reply.error.code, code, reply.type === 'error' ? reply.error.message : '');
  }
}

function client(options: EngineServiceOptions = {}): Client {
  return new Client(new EngineService({ spoolDir: tmp, configDir: path.join(tmp, 'config'), eventIntervalMs: 0, ...options }));
}

function captureFile(name: string, frames: readonly TrafficFrame[]): string {
  const file = path.join(tmp, name);
  writeCapture(file, frames);
  return file;
}

function dissectAll(frames: readonly TrafficFrame[]): Array<{ packet: ReturnType<Dissector['dissect']>; frame: TrafficFrame }> {
  const dissector = new Dissector();
  return frames.map((frame, k) => ({ frame, packet: dissector.dissect({ number: k + 1, tsNs: frame.tsNs, data: frame.data, origLen: frame.data.length, linkType: 1 }) }));
}

function selected(frames: readonly TrafficFrame[], filterText: string): number[] {
  const filter = compileDisplayFilter(filterText);
  return dissectAll(frames).filter(({ packet, frame }) => filter.matches(packet, frame.data)).map(({ packet }) => packet.number);
}

const SMALL = sampleTraffic({ connections: 12, dnsQueries: 6, pings: 4 });

// ---- frames of hand-made HTTP exchanges ------------------------------------------------------

function ipv4Tcp(src: string, dst: string, srcPort: number, dstPort: number, flags: number, seq: number, ack: number, payload: Buffer<ArrayBufferLike>): Buffer {
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

/** One TCP connection: handshake, the request, the response in segments of at most 1400 bytes, close. */
function httpExchange(port: number, request: Buffer, response: Buffer, startNs: bigint): TrafficFrame[] {
  const frames: TrafficFrame[] = [];
  let ts = startNs;
  const c = '10.1.0.1';
  const s = '10.1.0.2';
  let cseq = 100;
  let sseq = 9000;
  const push = (fromClient: boolean, flags: number, payload: Buffer<ArrayBufferLike> = Buffer.alloc(0)): void => {
    const data = fromClient ? ipv4Tcp(c, s, port, 80, flags, cseq, sseq, payload) : ipv4Tcp(s, c, 80, port, flags, sseq, cseq, payload);
    if (fromClient) cseq += payload.length + (flags & 0x03 ? 1 : 0);
    else sseq += payload.length + (flags & 0x03 ? 1 : 0);
    frames.push({ tsNs: ts, data });
    ts += 1_000_000n;
  };
  push(true, 0x02);
  push(false, 0x12);
  push(true, 0x10);
  push(true, 0x18, request);
  for (let at = 0; at < response.length; at += 1400) push(false, 0x18, response.subarray(at, at + 1400));
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

const PLAIN_BODY = Buffer.from('hello, world\n'.repeat(20));
const BIG_BODY = Buffer.from(Array.from({ length: 60000 }, (_, k) => `line ${k} of a long page\n`).join(''));
const HTTP_FRAMES: TrafficFrame[] = [
  ...httpExchange(41000, Buffer.from('GET /gz HTTP/1.1\r\nHost: one.test\r\nAccept-Encoding: gzip\r\n\r\n'), Buffer.concat([
    Buffer.from(`HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Encoding: gzip\r\nContent-Length: ${zlib.gzipSync(PLAIN_BODY).length}\r\n\r\n`),
    zlib.gzipSync(PLAIN_BODY),
  ]), 1_700_000_000_000_000_000n),
  ...httpExchange(41001, Buffer.from('POST /form HTTP/1.1\r\nHost: two.test\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 7\r\n\r\na=1&b=2'), Buffer.concat([
    Buffer.from('HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n'),
    chunked(Buffer.from('{"ok":true}'), 4),
  ]), 1_700_000_001_000_000_000n),
  ...httpExchange(41002, Buffer.from('GET /big HTTP/1.1\r\nHost: three.test\r\n\r\n'), Buffer.concat([
    Buffer.from('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Encoding: br\r\nTransfer-Encoding: chunked\r\n\r\n'),
    chunked(zlib.brotliCompressSync(BIG_BODY), 1000),
  ]), 1_700_000_002_000_000_000n),
  ...httpExchange(41003, Buffer.from('GET /odd HTTP/1.1\r\nHost: four.test\r\n\r\n'), Buffer.from('HTTP/1.1 200 OK\r\nContent-Encoding: zstd\r\nContent-Length: 4\r\n\r\nabcd'), 1_700_000_003_000_000_000n),
];

// ---- conversations ---------------------------------------------------------------------------

test('analysis: conversations of every kind are -z conv, and each row’s filter selects exactly its frames', async () => {
  const c = client();
  const { session } = await c.call('openFile', { path: captureFile('conv.pcap', SMALL) });
  const dissected = dissectAll(SMALL);
  for (const kind of ['eth', 'ip', 'ipv6', 'tcp', 'udp'] as const) {
    const reference = createConversationReport(`conv,${kind}`);
    for (const { packet, frame } of dissected) reference.add({ packet, data: frame.data, tsNs: frame.tsNs, capLen: frame.data.length, origLen: frame.data.length });
    const result = await c.call('conversations', { session, kind });
    assert.equal(result.kind, kind);
    const expected = reference.json();
    assert.equal(result.conversations.length, expected.length, kind);
    result.conversations.forEach((row, k) => {
      const e = expected[k]!;
      assert.deepEqual(
        [row.addressA, row.portA, row.addressB, row.portB, row.framesAtoB, row.bytesAtoB, row.framesBtoA, row.bytesBtoA, row.relativeStart, row.duration, row.stream],
        [e.addressA, e.portA, e.addressB, e.portB, e.packetsAtoB, e.bytesAtoB, e.packetsBtoA, e.bytesBtoA, e.relStart, e.duration, e.stream],
      );
      assert.equal(row.frames, row.framesAtoB + row.framesBtoA);
      assert.equal(selected(SMALL, row.filter).length, row.frames, `${kind} ${row.filter}`);
    });
  }
  const tcp = await c.call('conversations', { session, kind: 'tcp' });
  assert.equal(tcp.conversations.length, 12);
  assert.equal(tcp.conversations[3]!.filter, 'tcp.stream eq 3');
  assert.ok(c.events.some((e) => e.event === 'progress' && e.task === 'conversations'));
  // Only a view's matches.
  const view = await c.call('createView', { session, filter: 'tcp.port == 40003 || dns' });
  const inView = await c.call('conversations', { session, kind: 'tcp', view: view.view });
  assert.equal(inView.conversations.length, 1);
  assert.equal(inView.conversations[0]!.portA, 40003);
  assert.equal(inView.conversations[0]!.filter, '(tcp.port == 40003 || dns) && tcp.stream eq 3');
  const ip = await c.call('conversations', { session, kind: 'ip', view: view.view });
  assert.deepEqual(ip.conversations.map((r) => [r.addressB, r.frames]), [['10.0.0.53', 12], ['10.0.0.2', 10]]);
  for (const row of ip.conversations) assert.equal(selected(SMALL, row.filter).length, row.frames, row.filter);
  await c.fails('ENOVIEW', 'conversations', { session, kind: 'tcp', view: 99 });
  await c.call('closeSession', { session });
});

test('analysis: conversations follow a live capture, and a cancelled one goes on where it stopped', async () => {
  const c = client();
  const frames = sampleTraffic({ connections: 3000, dnsQueries: 1000 });
  const { session } = await c.call('openLive', { interfaces: [{ linkType: 1 }] });
  const half = 12000;
  for (const f of frames.slice(0, half)) c.service.appendPacket(session, { interfaceId: 0, tsNs: f.tsNs, data: f.data });
  const first = await c.call('conversations', { session, kind: 'tcp', view: undefined });
  const streamsSoFar = new Set(selected(frames.slice(0, half), 'tcp').length > 0 ? first.conversations.map((r) => r.stream) : []);
  assert.equal(first.conversations.reduce((n, r) => n + r.frames, 0), selected(frames.slice(0, half), 'tcp').length);
  assert.ok(streamsSoFar.size > 100);
  for (const f of frames.slice(half)) c.service.appendPacket(session, { interfaceId: 0, tsNs: f.tsNs, data: f.data });
  // Cancelled as soon as it reported progress: it answers ECANCELED; the next request finishes the work.
  const running = c.send({ method: 'conversations', session, kind: 'tcp' });
  const id = (c.events.filter((e) => e.event === 'progress' && e.task === 'conversations').at(-1) as { request: number }).request;
  await c.call('cancel', { request: id });
  const reply = await running;
  assert.equal(reply.type === 'error' && reply.error.code, 'ECANCELED');
  const all = await c.call('conversations', { session, kind: 'tcp' });
  assert.equal(all.conversations.length, 3000);
  assert.ok(all.conversations.every((r) => r.frames === 10 && r.framesAtoB === 6 && r.framesBtoA === 4));
  c.service.endCapture(session);
  await c.call('closeSession', { session });
});

// ---- follow stream ---------------------------------------------------------------------------

test('analysis: follow a TCP stream and a UDP stream, both directions in order', async () => {
  const c = client();
  const { session } = await c.call('openFile', { path: captureFile('follow.pcap', SMALL) });
  const tcp = await c.call('followStream', { session, protocol: 'tcp', stream: 3 });
  assert.equal(tcp.client, '10.0.0.1:40003');
  assert.equal(tcp.server, '10.0.0.2:80');
  assert.equal(tcp.filter, 'tcp.stream eq 3');
  assert.deepEqual(tcp.chunks.map((ch) => ch.from), ['client', 'server']);
  const request = Buffer.from(tcp.chunks[0]!.data, 'base64').toString();
  const response = Buffer.from(tcp.chunks[1]!.data, 'base64').toString();
  assert.equal(request, 'GET /item/3 HTTP/1.1\r\nHost: example.test\r\nUser-Agent: sievecap-test\r\n\r\n');
  assert.match(response, /^HTTP\/1\.1 200 OK\r\n[^]*\r\n\r\n(item 3 ){4}$/);
  assert.equal(tcp.clientBytes, request.length);
  assert.equal(tcp.serverBytes, response.length);
  // The frames that carried each chunk: the request and the response of exchange 3.
  const requestFrames = selected(SMALL, 'tcp.stream eq 3 && tcp.len > 0');
  assert.deepEqual(tcp.chunks.map((ch) => ch.frame), requestFrames);

  const udp = await c.call('followStream', { session, protocol: 'udp', stream: 2 });
  assert.equal(udp.client, '10.0.0.1:30002');
  assert.equal(udp.server, '10.0.0.53:53');
  assert.deepEqual(udp.chunks.map((ch) => ch.from), ['client', 'server']);
  const dnsFrames = selected(SMALL, 'udp.stream eq 2');
  assert.deepEqual(udp.chunks.map((ch) => ch.frame), dnsFrames);
  assert.equal(Buffer.from(udp.chunks[0]!.data, 'base64').subarray(12, 18).toString('latin1'), '\x05host2');
  assert.equal(udp.clientBytes + udp.serverBytes, dnsFrames.reduce((n, f) => n + SMALL[f - 1]!.data.length - 42, 0));

  await c.fails('ENOSTREAM', 'followStream', { session, protocol: 'tcp', stream: 12 });
  await c.fails('ENOSTREAM', 'followStream', { session, protocol: 'udp', stream: 6 });
  await c.call('closeSession', { session });
});

test('analysis: follow records of one direction join into one chunk, cut at a limit', () => {
  const records = [
    { dir: 0 as const, frame: 1, data: Buffer.from('ab') },
    { dir: 0 as const, frame: 2, data: Buffer.from('cd') },
    { dir: 1 as const, frame: 3, data: Buffer.from('efg') },
    { dir: 0 as const, frame: 5, data: Buffer.from('h') },
  ];
  const text = (r: ReturnType<typeof joinRecords>): unknown => ({ truncated: r.truncated, chunks: r.chunks.map((c) => [c.dir, c.frame, c.data.toString()]) });
  assert.deepEqual(text(joinRecords(records)), { truncated: false, chunks: [[0, 2, 'abcd'], [1, 3, 'efg'], [0, 5, 'h']] });
  assert.deepEqual(text(joinRecords(records, 5)), { truncated: true, chunks: [[0, 2, 'abcd'], [1, 3, 'e']] });
  assert.deepEqual(text(joinRecords(records, 4)), { truncated: true, chunks: [[0, 2, 'abcd']] });
  assert.deepEqual(text(joinRecords([])), { truncated: false, chunks: [] });
});

test('analysis: follow a stream of a live capture as it grows', async () => {
  const c = client();
  const frames = HTTP_FRAMES.slice(0, 4 + 6);
  const { session } = await c.call('openLive', { interfaces: [{ linkType: 1 }] });
  for (const f of frames.slice(0, 4)) c.service.appendPacket(session, { interfaceId: 0, tsNs: f.tsNs, data: f.data });
  const early = await c.call('followStream', { session, protocol: 'tcp', stream: 0 });
  assert.deepEqual(early.chunks.map((ch) => ch.from), ['client']);
  for (const f of frames.slice(4)) c.service.appendPacket(session, { interfaceId: 0, tsNs: f.tsNs, data: f.data });
  const later = await c.call('followStream', { session, protocol: 'tcp', stream: 0 });
  assert.deepEqual(later.chunks.map((ch) => ch.from), ['client', 'server']);
  assert.match(Buffer.from(later.chunks[1]!.data, 'base64').toString('latin1'), /^HTTP\/1\.1 200 OK/);
  await c.call('closeSession', { session });
});

// ---- HTTP ------------------------------------------------------------------------------------

test('analysis: HTTP transactions from the sample traffic: rows in request order, paged', async () => {
  const c = client();
  const { session } = await c.call('openFile', { path: captureFile('http-sample.pcap', SMALL) });
  const page = await c.call('httpTransactions', { session, start: 0, count: 5 });
  assert.equal(page.total, 12);
  assert.equal(page.transactions.length, 5);
  const rest = await c.call('httpTransactions', { session, start: 5, count: 100 });
  const rows = [...page.transactions, ...rest.transactions];
  const requests = selected(SMALL, 'http.request');
  const responses = selected(SMALL, 'http.response');
  rows.forEach((row, k) => {
    assert.equal(row.index, k);
    assert.equal(row.stream, k);
    assert.deepEqual([row.method, row.host, row.path, row.version, row.status, row.reason, row.contentType], ['GET', 'example.test', `/item/${k}`, 'HTTP/1.1', 200, 'OK', 'text/plain']);
    assert.equal(row.requestFrame, requests[k]);
    assert.equal(row.responseFrame, responses[k]);
    assert.equal(row.requestBytes, 0);
    assert.equal(row.responseBytes, `item ${k} `.length * (1 + (k % 7)));
    assert.equal(row.seconds, 0.002);
    assert.equal(row.client, `10.0.0.1:${40000 + k}`);
    assert.equal(row.server, '10.0.0.2:80');
  });
  const detail = await c.call('httpTransaction', { session, index: 4 });
  assert.equal(detail.requestLine, 'GET /item/4 HTTP/1.1');
  assert.deepEqual(detail.requestHeaders, [{ name: 'Host', value: 'example.test' }, { name: 'User-Agent', value: 'sievecap-test' }]);
  assert.equal(detail.statusLine, 'HTTP/1.1 200 OK');
  assert.deepEqual(detail.requestBody, { data: '', size: 0, truncated: false, problem: null });
  assert.equal(Buffer.from(detail.responseBody!.data, 'base64').toString(), 'item 4 '.repeat(5));
  assert.deepEqual(detail.transaction, rows[4]);
  await c.fails('ENOTRANSACTION', 'httpTransaction', { session, index: 12 });
  await c.call('closeSession', { session });
});

test('analysis: HTTP bodies are content-decoded (gzip, chunked, br), cut at MAX_BODY_PREVIEW, with problems said', async () => {
  const c = client();
  const { session } = await c.call('openFile', { path: captureFile('http-bodies.pcap', HTTP_FRAMES) });
  const { transactions, total } = await c.call('httpTransactions', { session, start: 0, count: 10 });
  assert.equal(total, 4);
  assert.deepEqual(transactions.map((t) => [t.method, t.host, t.path, t.status, t.contentType]), [
    ['GET', 'one.test', '/gz', 200, 'text/plain'],
    ['POST', 'two.test', '/form', 201, 'application/json'],
    ['GET', 'three.test', '/big', 200, 'text/plain'],
    ['GET', 'four.test', '/odd', 200, ''],
  ]);
  const gz = await c.call('httpTransaction', { session, index: 0 });
  assert.equal(Buffer.from(gz.responseBody!.data, 'base64').toString(), PLAIN_BODY.toString());
  assert.deepEqual({ ...gz.responseBody!, data: '' }, { data: '', size: PLAIN_BODY.length, truncated: false, problem: null });
  assert.equal(gz.transaction.responseBytes, zlib.gzipSync(PLAIN_BODY).length, 'sizes as transferred');

  const post = await c.call('httpTransaction', { session, index: 1 });
  assert.equal(Buffer.from(post.requestBody.data, 'base64').toString(), 'a=1&b=2');
  assert.equal(Buffer.from(post.responseBody!.data, 'base64').toString(), '{"ok":true}');
  assert.equal(post.transaction.requestBytes, 7);
  assert.equal(post.transaction.responseBytes, 11);
  assert.deepEqual(post.responseHeaders.map((h) => h.name), ['Content-Type', 'Transfer-Encoding']);

  const big = await c.call('httpTransaction', { session, index: 2 });
  assert.ok(BIG_BODY.length > MAX_BODY_PREVIEW);
  assert.equal(big.responseBody!.size, BIG_BODY.length);
  assert.equal(big.responseBody!.truncated, true);
  assert.deepEqual(Buffer.from(big.responseBody!.data, 'base64'), BIG_BODY.subarray(0, MAX_BODY_PREVIEW));
  assert.equal(big.responseBody!.problem, null);

  const odd = await c.call('httpTransaction', { session, index: 3 });
  assert.match(odd.responseBody!.problem ?? '', /zstd/);
  assert.equal(Buffer.from(odd.responseBody!.data, 'base64').toString(), 'abcd');
  assert.ok(c.events.some((e) => e.event === 'progress' && e.task === 'http'));
  await c.call('closeSession', { session });
});

test('analysis: HTTP transactions of a live capture as it grows; an unanswered request has no response yet', async () => {
  const c = client();
  const { session } = await c.call('openLive', { interfaces: [{ linkType: 1 }] });
  const firstExchange = HTTP_FRAMES.slice(0, 4);
  for (const f of firstExchange) c.service.appendPacket(session, { interfaceId: 0, tsNs: f.tsNs, data: f.data });
  const early = await c.call('httpTransactions', { session, start: 0, count: 10 });
  assert.equal(early.total, 1);
  assert.deepEqual([early.transactions[0]!.status, early.transactions[0]!.responseFrame, early.transactions[0]!.seconds], [null, null, null]);
  const pending = await c.call('httpTransaction', { session, index: 0 });
  assert.equal(pending.statusLine, null);
  assert.equal(pending.responseBody, null);
  for (const f of HTTP_FRAMES.slice(4)) c.service.appendPacket(session, { interfaceId: 0, tsNs: f.tsNs, data: f.data });
  const later = await c.call('httpTransactions', { session, start: 0, count: 10 });
  assert.equal(later.total, 4);
  assert.equal(later.transactions[0]!.status, 200);
  c.service.endCapture(session);
  await c.call('closeSession', { session });
});

// ---- sorted rows -----------------------------------------------------------------------------

function expectedOrder(rows: readonly PacketRow[], column: SortColumn, descending: boolean): number[] {
  const key = (r: PacketRow): number | bigint | string => (column === 'number' ? r.number : column === 'time' ? BigInt(r.time) : column === 'length' ? r.length : r[column]);
  const cmp = (a: PacketRow, b: PacketRow): number => {
    const x = key(a);
    const y = key(b);
    const c = x < y ? -1 : x > y ? 1 : 0;
    return (descending ? -c : c) || a.number - b.number;
  };
  return [...rows].sort(cmp).map((r) => r.number);
}

const COLUMNS: SortColumn[] = ['number', 'time', 'source', 'destination', 'protocol', 'length', 'info'];

async function allRows(c: Client, session: number, view?: number, sort?: { column: SortColumn; descending: boolean }): Promise<PacketRow[]> {
  const out: PacketRow[] = [];
  for (let start = 0; ; start += 37) {
    const page = await c.call('rows', { session, start, count: 37, view, sort });
    out.push(...page.rows);
    if (start + 37 >= page.total) return out;
  }
}

test('analysis: rows sorted by each column, both ways, stable; views; a live capture growing between requests', async () => {
  // Frames out of time order and of repeated lengths, so that time and length sorts mean something.
  const frames = [...SMALL, ...HTTP_FRAMES].map((f, k) => ({ ...f, tsNs: f.tsNs + BigInt((k * 7919) % 13) * 1_000_000_000n }));
  const c = client();
  const { session } = await c.call('openFile', { path: captureFile('sort.pcap', frames) });
  const plain = await allRows(c, session);
  assert.equal(plain.length, frames.length);
  for (const column of COLUMNS) {
    for (const descending of [false, true]) {
      const sorted = await allRows(c, session, undefined, { column, descending });
      assert.deepEqual(sorted.map((r) => r.number), expectedOrder(plain, column, descending), `${column} ${descending ? 'descending' : 'ascending'}`);
      // The rows themselves are the unsorted list's (paged in order here). Rows dissected after a
      // jump may lack what only an earlier frame tells ('request in N'); a text column's sort dissected every frame in order.
      const text = column !== 'number' && column !== 'time' && column !== 'length';
      for (const r of sorted) assert.deepEqual(text ? r : { ...r, info: '' }, text ? plain[r.number - 1] : { ...plain[r.number - 1], info: '' });
    }
  }
  assert.ok(c.events.some((e) => e.event === 'progress' && e.task === 'sort'));
  const view = await c.call('createView', { session, filter: 'tcp.len > 0 || dns' });
  const inView = await allRows(c, session, view.view);
  for (const column of ['info', 'length', 'source'] as const) {
    const sorted = await c.call('rows', { session, start: 3, count: 20, view: view.view, sort: { column, descending: true } });
    assert.equal(sorted.total, inView.length);
    assert.equal(sorted.view, view.view);
    assert.deepEqual(sorted.rows.map((r) => r.number), expectedOrder(inView, column, true).slice(3, 23), column);
  }
  await c.call('closeSession', { session });

  // Live: the order is extended with appended frames.
  const { session: live } = await c.call('openLive', { interfaces: [{ linkType: 1 }] });
  const liveView = await c.call('createView', { session: live, filter: 'http || dns' });
  for (const f of frames.slice(0, 50)) c.service.appendPacket(live, { interfaceId: 0, tsNs: f.tsNs, data: f.data });
  const before = await allRows(c, live, undefined, { column: 'info', descending: false });
  assert.deepEqual(before.map((r) => r.number), expectedOrder(plain.slice(0, 50), 'info', false));
  await allRows(c, live, liveView.view, { column: 'protocol', descending: true });
  for (const f of frames.slice(50)) c.service.appendPacket(live, { interfaceId: 0, tsNs: f.tsNs, data: f.data });
  for (const column of ['info', 'time'] as const) {
    const after = await allRows(c, live, undefined, { column, descending: false });
    assert.deepEqual(after.map((r) => r.number), expectedOrder(plain, column, false), column);
  }
  const liveMatches = await allRows(c, live, liveView.view);
  const sortedView = await allRows(c, live, liveView.view, { column: 'protocol', descending: true });
  assert.deepEqual(sortedView.map((r) => r.number), expectedOrder(liveMatches, 'protocol', true));
  c.service.endCapture(live);
  await c.call('closeSession', { session: live });
});

test('analysis: sorting a large capture is sliced, reports progress and can be cancelled', async () => {
  const c = client();
  const frames = sampleTraffic({ connections: 2000, dnsQueries: 1000, pings: 1000 });
  const { session } = await c.call('openFile', { path: captureFile('sort-large.pcap', frames) });
  const running = c.send({ method: 'rows', session, start: 0, count: 10, sort: { column: 'info', descending: false } });
  let progress: EngineEvent | undefined;
  while (!(progress = c.events.find((e) => e.event === 'progress' && e.task === 'sort' && e.done > 0))) await new Promise((r) => setImmediate(r));
  await c.call('cancel', { request: (progress as { request: number }).request });
  const reply = await running;
  assert.equal(reply.type === 'error' && reply.error.code, 'ECANCELED');
  const sorted = await c.call('rows', { session, start: 0, count: 5, sort: { column: 'info', descending: true } });
  assert.equal(sorted.total, frames.length);
  const infos = sorted.rows.map((r) => r.info);
  assert.deepEqual(infos, [...infos].sort().reverse());
  const byLength = await c.call('rows', { session, start: 0, count: 3, sort: { column: 'length', descending: true } });
  assert.ok(byLength.rows[0]!.length >= byLength.rows[2]!.length);
  // Closing the session stops the work running on it: ECLOSED.
  const { session: other } = await c.call('openFile', { path: captureFile('sort-large.pcap', frames) });
  const running2 = [
    c.send({ method: 'rows', session: other, start: 0, count: 10, sort: { column: 'protocol', descending: false } }),
    c.send({ method: 'httpTransactions', session: other, start: 0, count: 10 }),
    c.send({ method: 'conversations', session: other, kind: 'eth' }),
  ];
  await new Promise((r) => setImmediate(r));
  await c.call('closeSession', { session: other });
  // A request may finish in the turn before the close (a loaded machine); none may fail otherwise,
  // and the long sort (thousands of rows dissected) is still running.
  const replies = await Promise.all(running2);
  for (const reply of replies) assert.ok(reply.type === 'result' || reply.error.code === 'ECLOSED', JSON.stringify(reply));
  assert.equal(replies[0]!.type === 'error' && replies[0]!.error.code, 'ECLOSED');
  await c.call('closeSession', { session });
});

test('analysis: conversations, HTTP and sorting yield to the event loop while they work', async () => {
  const c = client({ eventIntervalMs: 0 });
  const frames = sampleTraffic({ connections: 3000, dnsQueries: 1500, pings: 1500 });
  const { session } = await c.call('openFile', { path: captureFile('yield.pcap', frames) });
  const view = await c.call('createView', { session, filter: 'tcp.port == 80 || dns' });
  // Another task on the same event loop notes, at each of its turns, the last progress it has
  // seen; that it runs part-way through each long task shows the work is sliced (how often it runs
  // depends on the machine: timings belong in bench/).
  let on = true;
  const seen: string[] = [];
  const tick = (): void => {
    const p = c.events.filter((e) => e.event === 'progress').at(-1) as { task: string; done: number; total: number } | undefined;
    if (p && p.done < p.total) seen.push(`${p.task}:${p.done}`);
    if (on) setImmediate(tick);
  };
  setImmediate(tick);
  await c.call('conversations', { session, kind: 'eth', view: view.view });
  await c.call('httpTransactions', { session, start: 0, count: 10 });
  await c.call('rows', { session, start: 100, count: 100, view: view.view, sort: { column: 'destination', descending: true } });
  await c.call('followStream', { session, protocol: 'tcp', stream: 2999 });
  on = false;
  const tasks = new Set(c.events.filter((e) => e.event === 'progress').map((e) => (e as { task: string }).task));
  for (const task of ['conversations', 'http', 'sort']) {
    const midway = new Set(seen.filter((s) => s.startsWith(`${task}:`)));
    assert.ok(midway.size >= 2, `${task}: another task ran at ${midway.size} points part-way through`);
  }
  for (const task of ['conversations', 'http', 'sort']) assert.ok(tasks.has(task), `progress of ${task}`);
  await c.call('closeSession', { session });
});

test('analysis: requests running at once on one session share their work and agree with one at a time', async () => {
  const frames = sampleTraffic({ connections: 400, dnsQueries: 200, pings: 100 });
  const file = captureFile('concurrent.pcap', frames);
  const requests = [
    { method: 'rows', start: 10, count: 20, sort: { column: 'info', descending: false } },
    { method: 'rows', start: 10, count: 20, sort: { column: 'info', descending: true } },
    { method: 'rows', start: 0, count: 20, sort: { column: 'source', descending: true } },
    { method: 'httpTransactions', start: 0, count: 50 },
    { method: 'httpTransactions', start: 350, count: 50 },
    { method: 'conversations', kind: 'udp' },
    { method: 'conversations', kind: 'udp' },
    { method: 'followStream', protocol: 'tcp', stream: 399 },
  ];
  const one = client();
  const { session: s1 } = await one.call('openFile', { path: file });
  const sequential = [];
  for (const r of requests) sequential.push(await one.send({ session: s1, ...r }));
  const many = client();
  const { session: s2 } = await many.call('openFile', { path: file });
  const together = await Promise.all(requests.map((r) => many.send({ session: s2, ...r })));
  assert.deepEqual(together.map((r) => (r.type === 'result' ? r.result : r)), sequential.map((r) => (r.type === 'result' ? r.result : r)));
  assert.ok(together.every((r) => r.type === 'result'));
});

test('analysis: an empty live session answers with empty lists', async () => {
  const c = client();
  const { session } = await c.call('openLive', { interfaces: [{ linkType: 1 }] });
  for (const column of COLUMNS) {
    for (const descending of [false, true]) assert.deepEqual(await c.call('rows', { session, start: 0, count: 10, sort: { column, descending } }), { total: 0, start: 0, view: null, rows: [] });
  }
  assert.deepEqual(await c.call('conversations', { session, kind: 'ip' }), { kind: 'ip', conversations: [] });
  assert.deepEqual(await c.call('httpTransactions', { session, start: 0, count: 10 }), { total: 0, start: 0, transactions: [] });
  await c.fails('ENOTRANSACTION', 'httpTransaction', { session, index: 0 });
  await c.fails('ENOSTREAM', 'followStream', { session, protocol: 'tcp', stream: 0 });
  c.service.endCapture(session);
  assert.deepEqual(await c.call('httpTransactions', { session, start: 0, count: 10 }), { total: 0, start: 0, transactions: [] });
  await c.call('closeSession', { session });
  await c.fails('ENOSESSION', 'conversations', { session, kind: 'ip' });
});
