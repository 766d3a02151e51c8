/**
 * The engine service's analyses against tshark 4.0: conversation filters select what `tshark -Y`
 * selects (and as many frames as the row counts), followStream is `-z follow,tcp|udp,raw,N` (its
 * records, consecutive ones of a direction joined), and httpTransactions agrees with tshark's
 * http.request.method / http.host / http.request.uri / http.response.code / http.time /
 * http.content_type. On traffic the tests make (test-traffic.ts), on real HTTP traffic (curl and
 * python's http.server in network namespaces: needs root), and on the shared corpus (skipped,
 * saying so, when it is absent).
 */
import * as assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { parseEngineResult, type EngineMethod, type EngineResult } from '../app/rpc/engine-protocol';
import { EngineService } from '../app/engine/service/service';
import { sampleTraffic, writeCapture } from '../app/engine/service/test-traffic';
import { makeHttpTraffic, type Expected, type HttpTraffic } from './http-traffic';
import { corpusLocation } from './support/corpus';
import { tsharkFrameSelections } from './support/agree';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-analysis-tshark-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const HAVE_TSHARK = spawnSync('sh', ['-c', 'command -v tshark']).status === 0;
const NO_TSHARK = HAVE_TSHARK ? false : 'tshark is not installed (apt-get install tshark)';
const corpus = corpusLocation();
const NO_CORPUS = fs.existsSync(corpus.dir) ? false : `the shared corpus is absent (looked in ${corpus.dir}, ${corpus.from}; set SIEVECAP_CORPUS)`;
const corpusFile = (name: string): string => path.join(corpus.dir, name);

function tshark(args: string[]): string {
  return execFileSync('tshark', args, { encoding: 'latin1', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 1 << 28 });
}

class Client {
  private nextId = 1;
  readonly service = new EngineService({ spoolDir: tmp, configDir: path.join(tmp, 'config') });

  async call<M extends EngineMethod>(method: M, params: Record<string, unknown> = {}): Promise<EngineResult<M>> {
    const reply = await this.service.handle({ id: this.nextId++, method, ...params });
    if (reply.type === 'error') assert.fail(`${method} ${JSON.stringify(params)} failed: ${reply.error.code} ${reply.error.message}`);
    return parseEngineResult(method, reply.result);
  }

  async open(file: string): Promise<number> {
    const reply = await this.service.handle({ id: this.nextId++, method: 'openFile', path: file });
    // A damaged corpus file stays open with the frames before the damage (tshark reads those too).
    if (reply.type === 'error' && reply.error.code === 'EDAMAGED' && reply.error.session !== undefined) return reply.error.session;
    if (reply.type === 'error') assert.fail(`openFile ${file}: ${reply.error.message}`);
    return parseEngineResult('openFile', reply.result).session;
  }

  /** Frame numbers our display filter selects (a view of the session). */
  async selects(session: number, filter: string): Promise<number[]> {
    const view = await this.call('createView', { session, filter });
    const frames: number[] = [];
    for (let start = 0; start < view.matches; start += 1000) {
      const page = await this.call('rows', { session, view: view.view, start, count: 1000 });
      frames.push(...page.rows.map((r) => r.number));
    }
    await this.call('dropView', { session, view: view.view });
    return frames;
  }
}

type Followed = { client: string; server: string; chunks: Array<{ from: string; hex: string }> };

/**
 * `-z follow,PROTO,raw,N` for each stream, from one tshark run (tshark prints one block per -z,
 * named by its "Filter: PROTO.stream eq N" line), as [client, server, chunks]: consecutive records
 * of one node joined, as hex.
 */
function tsharkFollows(file: string, protocol: 'tcp' | 'udp', streams: readonly number[]): Map<number, Followed> {
  const rule = '='.repeat(67);
  const lines = tshark(['-r', file, '-q', ...streams.flatMap((n) => ['-z', `follow,${protocol},raw,${n}`])]).split('\n');
  const out = new Map<number, Followed>();
  for (let k = lines.indexOf(rule); k >= 0 && k < lines.length; ) {
    const end = lines.indexOf(rule, k + 1);
    if (end < 0) break;
    const block = lines.slice(k + 1, end);
    k = lines.indexOf(rule, end + 1);
    const stream = /^Filter: \w+\.stream eq (\d+)$/.exec(block.find((l) => l.startsWith('Filter: ')) ?? '');
    if (!stream) continue;
    const node = (n: number): string => block.find((l) => l.startsWith(`Node ${n}: `))?.slice(8) ?? '';
    const chunks: Array<{ from: string; hex: string }> = [];
    for (const line of block.slice(block.findIndex((l) => l.startsWith('Node 1: ')) + 1)) {
      const from = line.startsWith('\t') ? 'server' : 'client';
      const hex = line.replace(/^\t/, '');
      const last = chunks[chunks.length - 1];
      if (last && last.from === from) last.hex += hex;
      else chunks.push({ from, hex });
    }
    out.set(Number(stream[1]), { client: node(0), server: node(1), chunks });
  }
  return out;
}

/** Each stream's Follow equals tshark's, and the filter the service gives for it selects frames (one tshark run for each). */
async function checkFollows(c: Client, session: number, file: string, protocol: 'tcp' | 'udp', streams: readonly number[]): Promise<void> {
  const followed = tsharkFollows(file, protocol, streams);
  const filters: string[] = [];
  for (const stream of streams) {
    const ours = await c.call('followStream', { session, protocol, stream });
    const theirs = followed.get(stream);
    const label = `${path.basename(file)} ${protocol}.stream ${stream}`;
    assert.ok(theirs, `${label}: tshark printed no follow block for it`);
    assert.equal(ours.client, theirs.client, `${label}: client`);
    assert.equal(ours.server, theirs.server, `${label}: server`);
    assert.deepEqual(ours.chunks.map((ch) => ({ from: ch.from, hex: Buffer.from(ch.data, 'base64').toString('hex') })), theirs.chunks, label);
    filters.push(ours.filter);
  }
  const { frames } = tsharkFrameSelections(file, filters);
  filters.forEach((filter, i) => assert.ok(frames[i]!.length > 0, `${path.basename(file)} ${protocol}.stream ${streams[i]}: its filter ${filter} selects frames`));
}

/**
 * Each conversation's filter (the first `rows` of each kind) selects what tshark -Y selects, as
 * many frames as the row counts. Ethernet and IP rows carry Wireshark's filter (both addresses),
 * which also selects ICMP errors that only quote a packet of the conversation (tshark's tables do
 * not count those): such frames may be all the surplus.
 */
async function checkConversationFilters(c: Client, session: number, file: string, rows: number): Promise<void> {
  const checks: Array<{ kind: string; filter: string; frames: number; ours: number[] }> = [];
  for (const kind of ['eth', 'ip', 'ipv6', 'tcp', 'udp'] as const) {
    const { conversations } = await c.call('conversations', { session, kind });
    for (const row of conversations.slice(0, rows)) checks.push({ kind, filter: row.filter, frames: row.frames, ours: await c.selects(session, row.filter) });
  }
  // tshark's selections from one run (support/agree.ts): each filter, and the ICMP errors it selects.
  const quoting = (filter: string): string => `(${filter}) && (icmp.type in {3, 4, 5, 11, 12} || icmpv6.type in {1, 2, 3, 4})`;
  const { frames } = tsharkFrameSelections(file, checks.flatMap((k) => [k.filter, quoting(k.filter)]));
  checks.forEach(({ kind, filter, frames: counted, ours }, i) => {
    assert.deepEqual(ours, frames[2 * i], `${path.basename(file)} ${kind}: ${filter}`);
    const label = `${path.basename(file)} ${kind}: ${filter} selects the conversation's frames`;
    if (kind === 'tcp' || kind === 'udp' || ours.length === counted) assert.equal(ours.length, counted, label);
    else {
      const errors = frames[2 * i + 1]!.length;
      assert.ok(ours.length > counted && ours.length - counted <= errors, `${label}: ${ours.length} selected, ${counted} counted, ${errors} ICMP errors`);
    }
  });
}

/** Between the values of a field that occurs several times in a frame: a character no URI holds. */
const SEPARATOR = '\x1f';

/** tshark's requests and responses, by frame: what httpTransactions rows must say. */
function tsharkHttp(file: string, prefs: string[] = []): { requests: string[]; responses: string[] } {
  const fields = (filter: string, names: string[]): string[][] =>
    tshark(['-r', file, ...prefs.flatMap((p) => ['-o', p]), '-Y', filter, '-T', 'fields', '-E', `aggregator=${SEPARATOR}`, '-e', 'frame.number', ...names.flatMap((n) => ['-e', n])])
      .split('\n')
      .filter(Boolean)
      // A frame completing several pipelined messages lists each field once per message.
      .flatMap((line) => {
        const [frame, ...values] = line.split('\t').map((f) => f.split(SEPARATOR));
        return values[0]!.map((_, i) => [frame![0]!, ...values.map((v) => v[i] ?? '')]);
      });
  return {
    requests: fields('http.request', ['http.request.method', 'http.host', 'http.request.uri']).map((r) => r.join(' ')),
    responses: fields('http.response', ['tcp.stream', 'http.response.code', 'http.time', 'http.content_type']).map(([frame, stream, code, time, type]) => `${stream} ${frame} ${code} ${time === '' ? '' : Number(time).toFixed(6)} ${type}`),
  };
}

/**
 * `skipResponses`: streams whose responses tshark cannot pair (pipelined requests: tshark times
 * every response from the latest request, and takes a HEAD response's chunked header as a body).
 */
async function checkHttp(c: Client, session: number, file: string, skipResponses: (rows: EngineResult<'httpTransactions'>['transactions']) => number[] = () => []): Promise<EngineResult<'httpTransactions'>['transactions']> {
  const rows: EngineResult<'httpTransactions'>['transactions'] = [];
  for (let start = 0; ; start += 100) {
    const page = await c.call('httpTransactions', { session, start, count: 100 });
    rows.push(...page.transactions);
    if (start + 100 >= page.total) break;
  }
  const theirs = tsharkHttp(file);
  const skipped = new Set(skipResponses(rows));
  const label = path.basename(file);
  assert.deepEqual(rows.map((r) => `${r.requestFrame} ${r.method} ${r.host} ${r.path}`).sort(), [...theirs.requests].sort(), `${label}: requests`);
  const answered = rows.filter((r) => r.responseFrame !== null && !skipped.has(r.stream));
  assert.deepEqual(
    answered.map((r) => `${r.stream} ${r.responseFrame} ${r.status} ${r.seconds!.toFixed(6)} ${r.contentType}`).sort(),
    // tshark lists a response without a request too (http.time empty): not a transaction here.
    theirs.responses.filter((r) => r.split(' ')[3] !== '' && !skipped.has(Number(r.split(' ')[0]))).sort(),
    `${label}: responses`,
  );
  assert.deepEqual(rows.map((r) => r.requestFrame), [...rows.map((r) => r.requestFrame)].sort((a, b) => a - b), `${label}: in request order`);
  return rows;
}

test('analysis vs tshark: the service’s own traffic: conversations, follow TCP and UDP, HTTP', { skip: NO_TSHARK }, async () => {
  const file = path.join(tmp, 'sample.pcap');
  writeCapture(file, sampleTraffic({ connections: 6, dnsQueries: 4, pings: 3 }));
  const c = new Client();
  const session = await c.open(file);
  await checkConversationFilters(c, session, file, 3);
  await checkFollows(c, session, file, 'tcp', [0, 5]);
  await checkFollows(c, session, file, 'udp', [0, 3]);
  const rows = await checkHttp(c, session, file);
  assert.equal(rows.length, 6);
  c.service.close();
});

const CORPUS_FOLLOW: Array<[string, 'tcp' | 'udp', number[]]> = [
  ['chrissanders-packets/http_google.pcapng', 'tcp', [0]],
  // Stream 3 has a hole of 3038 bytes.
  ['chrissanders-packets/http_espn.pcapng', 'tcp', [0, 3, 8]],
  ['chrissanders-packets/tcp_retransmissions.pcapng', 'tcp', [0]],
  ['chrissanders-packets/http_ip4and6.pcapng', 'tcp', [0, 1]],
  ['chrissanders-packets/dns.pcap', 'udp', [0, 1, 2]],
  ['chrissanders-packets/dns_lab.pcapng', 'udp', [0, 3]],
  ['lwerdna-filesamples/simple_http_sll2.pcap', 'tcp', [0]],
  ['lwerdna-filesamples/200722_tcp_anon.pcapng', 'tcp', [0, 1]],
];

test('analysis vs tshark: follow streams of the corpus', { skip: NO_TSHARK || NO_CORPUS }, async () => {
  const c = new Client();
  for (const [name, protocol, streams] of CORPUS_FOLLOW) {
    const file = corpusFile(name);
    const session = await c.open(file);
    await checkFollows(c, session, file, protocol, streams);
    await c.call('closeSession', { session });
  }
  c.service.close();
});

test('analysis vs tshark: conversation filters on the corpus select the conversations’ frames', { skip: NO_TSHARK || NO_CORPUS }, async () => {
  const c = new Client();
  for (const name of ['chrissanders-packets/http_ip4and6.pcapng', 'chrissanders-packets/dns.pcap', 'chrissanders-packets/icmp_traceroute.pcapng']) {
    const file = corpusFile(name);
    const session = await c.open(file);
    await checkConversationFilters(c, session, file, 3);
    await c.call('closeSession', { session });
  }
  c.service.close();
});

test('analysis vs tshark: HTTP transactions of the corpus', { skip: NO_TSHARK || NO_CORPUS }, async () => {
  const c = new Client();
  // http_espn's stream 3 loses 3038 bytes of a response body: tshark never completes that response; we do, saying what is missing.
  const holes: Record<string, number[]> = { 'chrissanders-packets/http_espn.pcapng': [3] };
  for (const name of ['chrissanders-packets/http_google.pcapng', 'chrissanders-packets/http_ip4and6.pcapng', 'chrissanders-packets/http_post.pcapng', 'chrissanders-packets/http_espn.pcapng', 'chrissanders-packets/http_dvwa_sqlinjection.pcapng', 'lwerdna-filesamples/simple_http_sll2.pcap']) {
    const file = corpusFile(name);
    const session = await c.open(file);
    const rows = await checkHttp(c, session, file, () => holes[name] ?? []);
    assert.ok(rows.length > 0, `${name} has HTTP transactions`);
    for (const row of rows.filter((r) => holes[name]?.includes(r.stream) && r.responseFrame !== null)) {
      const detail = await c.call('httpTransaction', { session, index: row.index });
      if (detail.responseBody!.problem === null) continue;
      assert.match(detail.responseBody!.problem, /3038 bytes of the message are missing/);
      assert.equal(detail.responseBody!.truncated, true);
      assert.equal(detail.responseBody!.size, row.responseBytes);
    }
    await c.call('closeSession', { session });
  }
  c.service.close();
});

const NOT_ROOT = process.getuid?.() === 0 ? false : 'real traffic needs root (network namespaces)';

test('analysis vs tshark: real HTTP traffic (curl ↔ python http.server): transactions, bodies, follow', { skip: NO_TSHARK || NOT_ROOT }, async () => {
  let traffic: HttpTraffic | undefined;
  try {
    traffic = await makeHttpTraffic({ impaired: false });
    const file = traffic.capture;
    const c = new Client();
    const session = await c.open(file);
    const rows = await checkHttp(c, session, file, (all) => all.filter((r) => r.path === '/echo/111').map((r) => r.stream));
    assert.equal(rows.length, traffic.expected.length, 'one transaction per request made');
    for (const [k, row] of rows.entries()) {
      const detail = await c.call('httpTransaction', { session, index: k });
      const expected: Expected | undefined = traffic.expected.find((e) => e.method === row.method && e.uri === row.path);
      if (!expected) assert.fail(`${row.method} ${row.path.slice(0, 60)} was not made`);
      assert.equal(row.status, expected.status);
      assert.equal(detail.requestLine, `${row.method} ${row.path} ${row.version}`);
      const body = detail.responseBody!;
      assert.equal(body.problem, null, `${row.path.slice(0, 60)}: ${body.problem}`);
      if (expected.bodyBytes !== null) assert.equal(row.responseBytes, expected.bodyBytes, row.path.slice(0, 60));
      const size: number | null = expected.decodedBytes ?? expected.bodyBytes;
      assert.equal(body.size, size, `${row.path.slice(0, 60)}: decoded size`);
      assert.equal(Buffer.from(body.data, 'base64').length, size);
      if (expected.requestBodyBytes !== undefined) assert.equal(detail.requestBody.size, expected.requestBodyBytes);
      if (row.path.startsWith('/gzip/') && row.method === 'GET') assert.match(Buffer.from(body.data, 'base64').toString('latin1'), /^gzip-0123456789/);
    }
    const streams = new Set(rows.map((r) => r.stream));
    await checkFollows(c, session, file, 'tcp', [...streams].slice(0, 6));
    await checkConversationFilters(c, session, file, 4);
    c.service.close();
  } finally {
    traffic?.destroy();
  }
});
