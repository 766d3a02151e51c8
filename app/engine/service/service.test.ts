/**
 * The engine service in-process, on captures the tests write themselves (test-traffic.ts): every
 * reply checked against its schema and shown to be plain data; rows, trees, views compared with a
 * full dissection in order; cancelling, damaged and vanished files, closing, bad ids and messages.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { after, test } from 'node:test';
import { Dissector } from '../../dissect/dissector';
import { compileDisplayFilter } from '../../filter';
import { spawnSync } from 'node:child_process';
import { CUT_BYTES, EngineEvent, parseEngineMessage, parseEngineResult, type EngineMethod, type EngineReply, type EngineResult } from '../../rpc/engine-protocol';
import { EngineService, type EngineServiceOptions } from './service';
import { sampleTraffic, udpFrame, writeCapture, type TrafficFrame } from './test-traffic';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-service-test-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Fails on anything a process boundary would not carry as it is (bigint, Buffer, Map, class instances, undefined, functions). */
function assertPlain(value: unknown, where = 'reply'): void {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return;
  if (typeof value === 'number') {
    assert.ok(Number.isFinite(value), `${where}: ${value} is not a finite number`);
    return;
  }
  assert.equal(typeof value, 'object', `${where}: a ${typeof value} is not plain data`);
  if (Array.isArray(value)) {
    value.forEach((x, k) => assertPlain(x, `${where}[${k}]`));
    return;
  }
  assert.equal(Object.getPrototypeOf(value), Object.prototype, `${where}: not a plain object`);
  for (const [k, x] of Object.entries(value as object)) {
    assert.notEqual(x, undefined, `${where}.${k} is undefined`);
    assertPlain(x, `${where}.${k}`);
  }
}

/** A client of the service that checks every reply and event it gets. */
class Client {
  readonly events: EngineEvent[] = [];
  readonly replies: EngineReply[] = [];
  private nextId = 1;
  constructor(readonly service: EngineService) {
    service.onEvent((e) => {
      check(e);
      this.events.push(e);
    });
  }

  send(message: Record<string, unknown>): Promise<EngineReply> {
    return this.service.handle({ id: this.nextId++, ...message }).then((reply) => {
      check(reply);
      this.replies.push(reply);
      return reply;
    });
  }

  /** A request that must succeed: its result, checked against the method's schema. */
  async call<M extends EngineMethod>(method: M, params: Record<string, unknown> = {}): Promise<EngineResult<M>> {
    const reply = await this.send({ method, ...params });
    if (reply.type === 'error') assert.fail(`${method} failed: ${reply.error.code} ${reply.error.message}`);
    assert.equal(reply.method, method);
    return parseEngineResult(method, reply.result);
  }

  /** A request that must fail with `code`. */
  async fails(code: string, method: string, params: Record<string, unknown> = {}, message?: RegExp): Promise<{ code: string; message: string; session?: number }> {
    const reply = await this.send({ method, ...params });
    assert.equal(reply.type, 'error', `${method} ${JSON.stringify(params)} should fail with ${code}`);
    if (reply.type !== 'error') throw new Error('unreachable');
    assert.equal(reply.error.code, code, reply.error.message);
    assert.ok(reply.error.message.length > 10, 'the error says what happened');
    if (message) assert.match(reply.error.message, message);
    return reply.error;
  }
}

/** Plain data that survives structured clone and JSON unchanged, and that the schema accepts. */
function check(message: EngineReply | EngineEvent): void {
  assertPlain(message);
  assert.deepStrictEqual(structuredClone(message), message);
  assert.deepStrictEqual(JSON.parse(JSON.stringify(message)), message);
  parseEngineMessage(message);
  if (message.type === 'result') parseEngineResult(message.method, message.result);
}

function client(options: EngineServiceOptions = {}): Client {
  // The configuration (recent files, presets) in the test's own folder, never the user's.
  return new Client(new EngineService({ spoolDir: tmp, configDir: path.join(tmp, 'config'), eventIntervalMs: 0, ...options }));
}

function captureFile(name: string, frames: readonly TrafficFrame[], format: 'pcap' | 'pcapng' = 'pcap'): string {
  const file = path.join(tmp, name);
  writeCapture(file, frames, format);
  return file;
}

/** Frame numbers a full dissection of the frames in order selects. */
function selectedInOrder(frames: readonly TrafficFrame[], filterText: string): number[] {
  const dissector = new Dissector();
  const filter = compileDisplayFilter(filterText);
  const out: number[] = [];
  frames.forEach((f, k) => {
    const packet = dissector.dissect({ number: k + 1, tsNs: f.tsNs, data: f.data, origLen: f.data.length, linkType: 1 });
    if (filter.matches(packet, f.data)) out.push(k + 1);
  });
  return out;
}

const SMALL = sampleTraffic({ connections: 12, dnsQueries: 6, pings: 4 });

test('service: open a file, page rows, one packet tree and bytes, session info', async () => {
  for (const format of ['pcap', 'pcapng'] as const) {
    const c = client();
    const file = captureFile(`small.${format}`, SMALL, format);
    const info = await c.call('openFile', { path: file });
    assert.equal(info.frames, SMALL.length);
    assert.equal(info.state, 'loaded');
    assert.equal(info.file?.format, format);
    assert.deepEqual(info.interfaces.map((i) => i.linkTypeName), ['EN10MB']);
    assert.equal(info.firstTime, SMALL[0]!.tsNs.toString());
    assert.equal(info.lastTime, SMALL.at(-1)!.tsNs.toString());
    assert.equal(info.bytes, fs.statSync(file).size);
    const opened = c.events.find((e) => e.event === 'opened');
    assert.deepEqual(opened, { type: 'event', event: 'opened', request: 1, session: info.session, kind: 'file', path: file });

    const page = await c.call('rows', { session: info.session, start: 0, count: 1000 });
    assert.equal(page.total, SMALL.length);
    assert.equal(page.rows.length, SMALL.length);
    const dissector = new Dissector();
    page.rows.forEach((row, k) => {
      const f = SMALL[k]!;
      const p = dissector.dissect({ number: k + 1, tsNs: f.tsNs, data: f.data, origLen: f.data.length, linkType: 1 });
      assert.deepEqual([row.number, row.time, row.source, row.destination, row.protocol, row.info, row.length], [k + 1, f.tsNs.toString(), p.summary.source, p.summary.destination, p.summary.protocol, p.summary.info, f.data.length]);
    });
    const middle = await c.call('rows', { session: info.session, start: 10, count: 5 });
    assert.deepEqual(middle.rows.map((r) => r.number), [11, 12, 13, 14, 15]);
    assert.equal((await c.call('rows', { session: info.session, start: SMALL.length + 5, count: 5 })).rows.length, 0);

    const packet = await c.call('packet', { session: info.session, number: 4 });
    assert.equal(Buffer.from(packet.bytes, 'base64').toString('hex'), SMALL[3]!.data.toString('hex'));
    assert.equal(packet.time, SMALL[3]!.tsNs.toString());
    assert.deepEqual(packet.layers.map((l) => l.protocol), ['frame', 'eth', 'ip', 'tcp', 'http']);
    const http = packet.layers.find((l) => l.protocol === 'http')!;
    assert.ok(http.offset + http.length <= packet.capturedLength);
    const fields = JSON.stringify(packet.layers);
    assert.match(fields, /"abbrev":"http.request.uri","label":"Request URI: \/item\/0"/);
    assert.match(fields, /"abbrev":"tcp.srcport"[^}]*"value":40000,"type":"number"/);
    await c.call('closeSession', { session: info.session });
  }
});

test('service: a byte field longer than CUT_BYTES comes cut in a packet reply, whole with fullValues, equal to tshark -T fields', async (t) => {
  const payload = Buffer.alloc(1400);
  for (let i = 0; i < payload.length; i++) payload[i] = (i * 7) & 0xff;
  const file = captureFile('long-field.pcap', [udpFrame(1_700_000_000_000_000_000n, payload), udpFrame(1_700_000_000_100_000_000n, payload.subarray(0, 100))]);
  const c = client();
  const { session } = await c.call('openFile', { path: file });
  const find = (layers: { protocol: string; fields: { abbrev: string; text: string; value: unknown; cut?: true }[] }[]) => layers.find((l) => l.protocol === 'data')!.fields.find((f) => f.abbrev === 'data.data')!;
  const cut = find((await c.call('packet', { session, number: 1 })).layers);
  assert.equal(cut.cut, true);
  assert.equal(cut.value, null);
  assert.equal(cut.text, `${payload.subarray(0, CUT_BYTES).toString('hex')}…`);
  const whole = find((await c.call('packet', { session, number: 1, fullValues: true })).layers);
  assert.equal(whole.cut, undefined);
  assert.equal(whole.text, payload.toString('hex'));
  assert.equal(whole.value, payload.toString('base64'));
  // A short one is whole either way.
  const short = find((await c.call('packet', { session, number: 2 })).layers);
  assert.equal(short.cut, undefined);
  assert.equal(short.text, payload.subarray(0, 100).toString('hex'));
  const tshark = spawnSync('tshark', ['-r', file, '-T', 'fields', '-e', 'data.data'], { encoding: 'utf8' });
  if (tshark.error) return t.skip('tshark is not installed');
  assert.deepEqual(tshark.stdout.trim().split('\n'), [whole.text, short.text], 'data.data as tshark -T fields prints it');
});

test('service: display-filter views select what a full dissection in order selects; bad filters, update and drop', async () => {
  const c = client();
  const file = captureFile('views.pcap', SMALL);
  const { session } = await c.call('openFile', { path: file });
  for (const text of ['tcp.port == 40003', 'http.request', 'dns.qry.name == "host2.example.test"', 'icmp.type == 0', 'tcp.flags.syn == 1 && tcp.flags.ack == 0', 'frame.len > 100 && !dns', 'http.response.code == 200 || udp']) {
    const view = await c.call('createView', { session, filter: text });
    assert.equal(view.framesDone, SMALL.length);
    const expected = selectedInOrder(SMALL, text);
    assert.equal(view.matches, expected.length, text);
    const rows = await c.call('rows', { session, start: 0, count: 1000, view: view.view });
    assert.deepEqual(rows.rows.map((r) => r.number), expected, text);
    assert.equal(rows.total, expected.length);
    assert.equal(rows.view, view.view);
  }
  const bad = await c.fails('EFILTER', 'createView', { session, filter: 'tcp.port ==' });
  assert.match(bad.message, /column/);
  assert.deepEqual(await c.call('checkFilter', { filter: 'ip.src == 10.0.0.1 && tcp.port == 80' }), { filter: 'ip.src == 10.0.0.1 && tcp.port == 80', fields: ['ip.src', 'tcp.port'] });
  await c.fails('EFILTER', 'checkFilter', { filter: 'ip.src ==== 1' });

  const view = await c.call('createView', { session, filter: 'dns' });
  const changed = await c.call('updateView', { session, view: view.view, filter: 'icmp' });
  assert.equal(changed.view, view.view);
  assert.deepEqual((await c.call('rows', { session, start: 0, count: 100, view: view.view })).rows.map((r) => r.number), selectedInOrder(SMALL, 'icmp'));
  // A bad new filter leaves the view as it was.
  await c.fails('EFILTER', 'updateView', { session, view: view.view, filter: 'icmp &&' });
  assert.equal((await c.call('sessionInfo', { session })).views.find((v) => v.view === view.view)?.filter, 'icmp');
  await c.call('dropView', { session, view: view.view });
  await c.fails('ENOVIEW', 'rows', { session, start: 0, count: 1, view: view.view }, new RegExp(`session ${session} has no view ${view.view}`));
  await c.fails('ENOVIEW', 'dropView', { session, view: view.view });
  await c.call('closeSession', { session });
});

test('service: reports of every kind, read as data and as tshark text', async () => {
  const c = client();
  const { session } = await c.call('openFile', { path: captureFile('reports.pcap', SMALL) });
  for (const spec of ['conv,tcp', 'conv,ip', 'endpoints,udp', 'io,phs', 'io,stat,0.01', 'http,tree', 'follow,tcp,ascii,1']) {
    const created = await c.call('createReport', { session, spec });
    assert.equal(created.framesFed, SMALL.length);
    const read = await c.call('readReport', { session, report: created.report, format: 'both' });
    assert.equal(read.final, true, 'a loaded file is complete');
    assert.equal(read.spec, spec);
    assert.ok(read.text && read.text.length > 50, spec);
    assert.ok(read.data !== null && typeof read.data === 'object', spec);
    const json = await c.call('readReport', { session, report: created.report });
    assert.equal(json.text, null);
    assert.deepEqual(json.data, read.data);
  }
  const conv = (await c.call('sessionInfo', { session })).reports[0]!;
  const data = (await c.call('readReport', { session, report: conv.report })).data as unknown[];
  assert.equal(data.length, 12, 'twelve TCP conversations');
  await c.fails('ESPEC', 'createReport', { session, spec: 'conv,xyz' }, /conv/);
  await c.fails('ESPEC', 'createReport', { session, spec: 'nonsense' }, /not a statistic/);
  await c.call('dropReport', { session, report: conv.report });
  await c.fails('ENOREPORT', 'readReport', { session, report: conv.report });
  await c.call('closeSession', { session });
});

test('service: a long filter is cancelled mid-way and answered ECANCELED; the service goes on', async () => {
  const c = client();
  const frames = sampleTraffic({ connections: 3000, dnsQueries: 1000, pings: 1000 });
  const { session } = await c.call('openFile', { path: captureFile('long.pcap', frames) });
  // A filter on a field only the full tree has: every frame is dissected.
  const running = c.send({ method: 'createView', session, filter: 'frame.time_delta_displayed >= 0 && eth.src == 02:00:00:00:00:02' });
  let progress: EngineEvent | undefined;
  while (!(progress = c.events.find((e) => e.event === 'progress' && e.task === 'filter' && e.done > 0))) await new Promise((r) => setImmediate(r));
  assert.ok(progress.event === 'progress' && progress.request !== null);
  const request = (progress as { request: number }).request;
  const cancelled = await c.call('cancel', { request });
  assert.deepEqual(cancelled, { request, cancelled: true });
  const reply = await running;
  assert.equal(reply.type, 'error');
  assert.equal(reply.type === 'error' && reply.error.code, 'ECANCELED');
  const last = c.events.filter((e) => e.event === 'progress' && e.task === 'filter').at(-1) as { done: number; total: number };
  assert.ok(last.done < last.total, `stopped mid-way: ${last.done} of ${last.total}`);
  assert.deepEqual((await c.call('sessionInfo', { session })).views, [], 'the cancelled view is gone');
  // Cancelling what is no longer running says so.
  assert.deepEqual(await c.call('cancel', { request }), { request, cancelled: false });
  assert.equal((await c.call('rows', { session, start: 0, count: 3 })).rows.length, 3);
  await c.call('closeSession', { session });
});

test('service: long work yields to the event loop and reports progress', async () => {
  const c = client({ eventIntervalMs: 0 });
  const frames = sampleTraffic({ connections: 4000, dnsQueries: 2000, pings: 2000 });
  const file = captureFile('yield.pcap', frames);
  // Another task on the same event loop notes, at each of its turns, which progress it has seen.
  // How often it runs depends on the machine (timings belong in bench/); that it runs between
  // the slices of each long task does not.
  let on = true;
  const seen: string[] = [];
  const tick = (): void => {
    const p = c.events.filter((e) => e.event === 'progress').at(-1) as { task: string; done: number } | undefined;
    if (p) seen.push(`${p.task}:${p.done}`);
    if (on) setImmediate(tick);
  };
  setImmediate(tick);
  const { session } = await c.call('openFile', { path: file });
  await c.call('createView', { session, filter: 'http.request.uri contains "item/3"' });
  await c.call('createReport', { session, spec: 'io,phs' });
  on = false;
  const tasks = new Set(c.events.filter((e) => e.event === 'progress').map((e) => (e as { task: string }).task));
  assert.deepEqual([...tasks].sort(), ['filter', 'load', 'report']);
  // The other task ran while each long task was part-way through: the work was sliced.
  for (const task of ['load', 'filter']) {
    const total = (c.events.filter((e) => e.event === 'progress' && e.task === task).at(-1) as { total: number }).total;
    const midway = new Set(seen.filter((s) => s.startsWith(`${task}:`) && Number(s.split(':')[1]) < total));
    assert.ok(midway.size >= 2, `${task}: another task ran at ${midway.size} points part-way through`);
  }
  const loads = c.events.filter((e) => e.event === 'progress' && e.task === 'load') as Array<{ done: number; total: number }>;
  assert.ok(loads.length > 1 && loads.every((p, k) => k === 0 || p.done >= loads[k - 1]!.done), 'load progress grows');
  assert.ok(c.events.some((e) => e.event === 'framesAppended' && e.frames < frames.length), 'frames are announced while the file is indexed');
  await c.call('closeSession', { session });
});

test('service: rows can be paged while a file is still being indexed; cancelling an open closes its session', async () => {
  const c = client();
  const frames = sampleTraffic({ connections: 6000, dnsQueries: 3000, pings: 3000 });
  const file = captureFile('opening.pcap', frames);
  const opening = c.send({ method: 'openFile', path: file });
  let appended: EngineEvent | undefined;
  while (!(appended = c.events.find((e) => e.event === 'framesAppended' && e.frames > 100))) await new Promise((r) => setImmediate(r));
  const session = (appended as { session: number }).session;
  const early = await c.call('rows', { session, start: 0, count: 20 });
  assert.deepEqual(early.rows.map((r) => r.number), Array.from({ length: 20 }, (_, k) => k + 1));
  const info = await c.call('sessionInfo', { session });
  if (info.state === 'loading') {
    assert.deepEqual(await c.call('cancel', { request: 1 }), { request: 1, cancelled: true });
    const reply = await opening;
    assert.equal(reply.type === 'error' && reply.error.code, 'ECANCELED');
    await c.fails('ENOSESSION', 'sessionInfo', { session }, /is closed/);
    assert.ok(c.events.some((e) => e.event === 'sessionClosed' && e.session === session));
  } else {
    // The machine was fast enough to finish first: nothing to cancel.
    assert.equal((await opening).type, 'result');
  }
});

test('service: a page of rows asked while a file is indexed is answered before the indexing goes on', async () => {
  // Slices of 1 ms: without the page first, indexing would run dozens of slices while the page is dissected.
  const c = client({ sliceMs: 1, eventIntervalMs: 0, foregroundWaitMs: 60_000 });
  const frames = sampleTraffic({ connections: 6000, dnsQueries: 3000, pings: 3000 });
  const file = captureFile('priority.pcap', frames);
  const opening = c.send({ method: 'openFile', path: file });
  let appended: EngineEvent | undefined;
  while (!(appended = c.events.find((e) => e.event === 'framesAppended' && e.frames > 100))) await new Promise((r) => setImmediate(r));
  const session = (appended as { session: number }).session;
  const progressBefore = c.events.length;
  const page = await c.call('rows', { session, start: 0, count: 1000 });
  const grewMeanwhile = c.events.slice(progressBefore).filter((e) => e.event === 'progress' && e.frames > page.total);
  assert.ok(page.total < frames.length, `the file was indexed before the page was asked (${page.total} frames): nothing to show`);
  assert.deepEqual(grewMeanwhile, [], 'indexing went on while the page was dissected');
  assert.deepEqual(page.rows.map((r) => r.number), Array.from({ length: Math.min(1000, page.total) }, (_, k) => k + 1));
  // And it goes on afterwards, to the end.
  assert.equal((await opening).type, 'result');
  assert.equal((await c.call('sessionInfo', { session })).frames, frames.length);
});

test('service: a file truncated in the middle of a record is answered EDAMAGED, with the frames before the damage open', async () => {
  const c = client();
  const frames = SMALL.slice(0, 30);
  const file = captureFile('damaged.pcap', frames);
  fs.truncateSync(file, fs.statSync(file).size - 20);
  const error = await c.fails('EDAMAGED', 'openFile', { path: file }, /damaged/);
  assert.ok(error.session !== undefined, 'the error names the session that stays open');
  const info = await c.call('sessionInfo', { session: error.session });
  assert.equal(info.frames, 29);
  assert.equal(info.loading.error?.code, 'EDAMAGED');
  const rows = await c.call('rows', { session: error.session, start: 0, count: 100 });
  assert.deepEqual(rows.rows.map((r) => r.number), Array.from({ length: 29 }, (_, k) => k + 1));

  const notCapture = path.join(tmp, 'not-a-capture.txt');
  fs.writeFileSync(notCapture, 'hello, this is not a capture file\n'.repeat(10));
  await c.fails('EFORMAT', 'openFile', { path: notCapture }, /not a capture file/);
  await c.fails('ENOENT', 'openFile', { path: path.join(tmp, 'missing.pcap') }, /missing\.pcap/);
  await c.fails('EISDIR', 'openFile', { path: tmp });
  assert.deepEqual((await c.call('listSessions')).sessions.map((s) => s.session), [error.session], 'only the damaged file stays open');
});

test('service: bytes that vanished from under a session are answered EREAD', async () => {
  const c = client();
  const file = captureFile('vanishing.pcap', SMALL);
  const { session } = await c.call('openFile', { path: file });
  fs.truncateSync(file, 200);
  await c.fails('EREAD', 'packet', { session, number: SMALL.length }, /cannot be read back.*truncated/);
  await c.fails('EREAD', 'rows', { session, start: SMALL.length - 3, count: 3 });
  await c.fails('EREAD', 'createView', { session, filter: 'http.request.uri contains "x"' }, /stopped at frame/);
  await c.fails('EREAD', 'createReport', { session, spec: 'io,phs' }, /stopped at frame/);
  assert.deepEqual((await c.call('sessionInfo', { session })).views, []);
  await c.call('closeSession', { session });
});

test('service: closing a session removes its spool, answers its running requests ECLOSED, and its ids are gone', async () => {
  const c = client();
  const live = await c.call('openLive', { interfaces: [{ linkType: 1, name: 'test0' }] });
  assert.equal(live.kind, 'live');
  assert.equal(live.state, 'capturing');
  assert.ok(fs.existsSync(live.path), 'the spool exists while the session is open');
  for (const f of SMALL) c.service.appendPacket(live.session, { interfaceId: 0, tsNs: f.tsNs, data: f.data });
  assert.equal((await c.call('sessionInfo', { session: live.session })).frames, SMALL.length);
  await c.call('closeSession', { session: live.session });
  assert.equal(fs.existsSync(live.path), false, 'the spool file is removed');
  assert.equal(fs.existsSync(path.dirname(live.path)), false, 'and its directory');
  await c.fails('ENOSESSION', 'rows', { session: live.session, start: 0, count: 1 }, /is closed/);
  assert.throws(() => c.service.appendPacket(live.session, { interfaceId: 0, tsNs: 0n, data: SMALL[0]!.data }), /is closed/);

  // A gzip-compressed file is unpacked into the spool directory: removed on close too.
  const gz = path.join(tmp, 'compressed.pcap.gz');
  fs.writeFileSync(gz, zlib.gzipSync(fs.readFileSync(captureFile('to-compress.pcap', SMALL))));
  const before = new Set(fs.readdirSync(tmp));
  const opened = await c.call('openFile', { path: gz });
  assert.equal(opened.file?.compressed, true);
  assert.equal(opened.frames, SMALL.length);
  const unpacked = fs.readdirSync(tmp).filter((n) => !before.has(n));
  assert.equal(unpacked.length, 1, 'one unpacking directory');
  assert.equal((await c.call('packet', { session: opened.session, number: 5 })).bytes, SMALL[4]!.data.toString('base64'));

  // A long filter running when the session closes answers ECLOSED.
  const big = sampleTraffic({ connections: 3000, dnsQueries: 1000, pings: 1000 });
  const { session } = await c.call('openFile', { path: captureFile('closing.pcap', big) });
  const running = c.send({ method: 'createView', session, filter: 'frame.time_delta_displayed >= 0 && eth.src == 02:00:00:00:00:02' });
  while (!c.events.some((e) => e.event === 'progress' && e.task === 'filter' && e.session === session && e.done > 0)) await new Promise((r) => setImmediate(r));
  await c.call('closeSession', { session: opened.session });
  await c.call('closeSession', { session });
  const reply = await running;
  assert.equal(reply.type === 'error' && reply.error.code, 'ECLOSED');
  assert.deepEqual(fs.readdirSync(tmp).filter((n) => !before.has(n) && !n.endsWith('.pcap')), [], 'the unpacking directory is removed');
  assert.deepEqual((await c.call('listSessions')).sessions, []);
});

test('service: unknown ids, frame numbers and requests are answered with a code and a sentence', async () => {
  const c = client();
  await c.fails('ENOSESSION', 'sessionInfo', { session: 42 }, /no session 42 \(no session is open\)/);
  const { session } = await c.call('openFile', { path: captureFile('ids.pcap', SMALL) });
  await c.fails('ENOSESSION', 'rows', { session: session + 1, start: 0, count: 1 }, new RegExp(`open sessions: ${session}`));
  await c.fails('ENOVIEW', 'updateView', { session, view: 7, filter: 'tcp' });
  await c.fails('ENOREPORT', 'dropReport', { session, report: 7 });
  await c.fails('ERANGE', 'packet', { session, number: SMALL.length + 1 }, new RegExp(`numbered 1 to ${SMALL.length}`));
  assert.throws(() => c.service.appendPacket(session, { interfaceId: 0, tsNs: 0n, data: SMALL[0]!.data }), /opened file/);
  assert.deepEqual(await c.call('cancel', { request: 999 }), { request: 999, cancelled: false });

  // Malformed messages: answered with their id when they carry one, never thrown.
  for (const [message, id] of [[undefined, null], [42, null], ['not json', null], [{ id: 77, method: 'rows', session }, 77], [{ id: 78, method: 'explode' }, 78]] as const) {
    const reply = await c.service.handle(message);
    check(reply);
    assert.equal(reply.type, 'error');
    assert.equal(reply.id, id);
    assert.equal(reply.type === 'error' && reply.error.code, 'EBADMSG');
  }
  // Two requests running under one id: the second is refused, the first still answered.
  const big = sampleTraffic({ connections: 1000 });
  const second = await c.call('openFile', { path: captureFile('dup.pcap', big) });
  const first = c.service.handle({ id: 500, method: 'createView', session: second.session, filter: 'frame.time_delta_displayed >= 0' });
  const dup = await c.service.handle({ id: 500, method: 'listSessions' });
  assert.equal(dup.type === 'error' && dup.error.code, 'EBADMSG');
  assert.match(dup.type === 'error' ? dup.error.message : '', /already running/);
  assert.equal((await first).type, 'result');
});

test('service: a live session announces appended frames; views follow them; reports are final once the capture ends', async () => {
  const c = client();
  const { session } = await c.call('openLive', { interfaces: [{ linkType: 1 }] });
  const view = await c.call('createView', { session, filter: 'http.request' });
  const report = await c.call('createReport', { session, spec: 'conv,tcp' });
  assert.equal(view.matches, 0);
  const half = SMALL.length >> 1;
  for (const f of SMALL.slice(0, half)) c.service.appendPacket(session, { interfaceId: 0, tsNs: f.tsNs, data: f.data });
  await new Promise((r) => setTimeout(r, 5));
  const appended = c.events.filter((e) => e.event === 'framesAppended' && e.session === session).at(-1);
  assert.ok(appended && appended.event === 'framesAppended');
  assert.equal(appended.frames, half);
  assert.deepEqual(appended.views, [{ view: view.view, matches: selectedInOrder(SMALL.slice(0, half), 'http.request').length, framesDone: half }]);
  const mid = await c.call('readReport', { session, report: report.report });
  assert.equal(mid.final, false, 'a running capture is not final');
  assert.equal(mid.framesFed, half);
  for (const f of SMALL.slice(half)) c.service.appendPacket(session, { interfaceId: 0, tsNs: f.tsNs, data: f.data });
  c.service.endCapture(session);
  assert.ok(c.events.some((e) => e.event === 'captureEnded' && e.session === session && e.frames === SMALL.length));
  const rows = await c.call('rows', { session, start: 0, count: 100, view: view.view });
  assert.deepEqual(rows.rows.map((r) => r.number), selectedInOrder(SMALL, 'http.request'));
  const end = await c.call('readReport', { session, report: report.report, format: 'text' });
  assert.equal(end.final, true);
  assert.equal(end.framesFed, SMALL.length);
  assert.match(end.text!, /TCP Conversations/);
  const info = await c.call('sessionInfo', { session });
  assert.equal(info.state, 'stopped');
  assert.equal(info.bytes, fs.statSync(info.path).size);
  assert.throws(() => c.service.appendPacket(session, { interfaceId: 0, tsNs: 0n, data: SMALL[0]!.data }), /has ended/);
  c.service.close();
  assert.equal(fs.existsSync(info.path), false);
});
