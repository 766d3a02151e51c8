/**
 * HTTP transactions from real traffic: curl and a pipelining client against a python3 server in a
 * pair of network namespaces joined by a veth with MTU 1280 (so long URLs span several segments),
 * captured by tcpdump. Every request made must come out once, whole, paired with its response;
 * tshark (which reassembles by default) must list the same requests; and a copy of the capture with
 * segments reordered, retransmitted and split into overlapping pieces must give the same result.
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { analyzeHttpCapture, type HttpCaptureAnalysis } from '../app/reassembly';
import { perturbCapture } from './http-perturb';
import { checkTransactions, makeHttpTraffic, ourRequests, tsharkRequests, type Expected, type HttpTraffic } from './http-traffic';
import { sievecap } from './support/sievecap';

let traffic: HttpTraffic | null = null;
let capture = '';
let perturbed = '';
let expected: Expected[] = [];
let analysis: HttpCaptureAnalysis;

before(async () => {
  traffic = await makeHttpTraffic({ impaired: false });
  ({ capture, expected } = traffic);
  perturbed = path.join(traffic.tmp, 'http-perturbed.pcap');
  analysis = analyzeHttpCapture(capture);
});

after(() => traffic?.destroy());

test('every request made comes out once, whole, paired with its response', () => {
  assert.equal(analysis.readError, null);
  assert.deepEqual(analysis.limitHits, []);
  checkTransactions(analysis.transactions, expected, 'capture');
  // The long URLs really were split: their requests span several frames.
  const long = analysis.transactions.filter((t) => (t.request?.target?.length ?? 0) > 5000);
  assert.ok(long.length >= 2 && long.every((t) => t.request!.lastFrame > t.request!.firstFrame), 'long request lines span several frames');
  // Pipelining really happened: all five requests of that connection precede its first response.
  const pipelined = analysis.transactions.filter((t) => t.request?.headers.some(([k, v]) => k === 'User-Agent' && v === 'pipeline'));
  assert.equal(pipelined.length, 5);
  const firstResponse = Math.min(...pipelined.map((t) => t.response!.firstFrame));
  assert.ok(pipelined.every((t) => t.request!.lastFrame < firstResponse), 'requests were pipelined before any response');
  for (const t of analysis.transactions) assert.ok(t.response!.firstTsNs >= t.request!.lastTsNs, 'response after request');
});

test('tshark (reassembling) lists the same requests on the same streams', () => {
  assert.deepEqual(ourRequests(analysis.transactions), tsharkRequests(capture));
});

test('sievecap -r FILE --http --json: the contract keys, one object per transaction', () => {
  const r = sievecap(['-r', capture, '--http', '--json']);
  assert.equal(r.status, 0, r.stderr);
  const rows = JSON.parse(r.stdout.toString()) as Array<Record<string, unknown>>;
  assert.equal(rows.length, expected.length);
  const keys = ['method', 'host', 'uri', 'status', 'contentType', 'requestBodyBytes', 'responseBodyBytes', 'timeToFirstByteMs', 'stream'];
  for (const row of rows) {
    assert.deepEqual(Object.keys(row).sort(), [...keys].sort());
    assert.equal(typeof row.status, 'number');
    assert.equal(typeof row.timeToFirstByteMs, 'number');
    assert.ok((row.timeToFirstByteMs as number) >= 0);
  }
  const gzip = rows.find((x) => x.uri === '/gzip/20000')!;
  assert.equal(gzip.contentType, 'text/plain; charset=utf-8');
  const post = rows.find((x) => x.method === 'POST')!;
  assert.equal(post.requestBodyBytes, 3000);
  assert.equal(post.status, 201);
  const text = sievecap(['-r', capture, '--http']);
  assert.equal(text.status, 0, text.stderr);
  assert.equal(text.stdout.toString().trim().split('\n').length, expected.length);
  assert.match(text.stdout.toString(), /GET +\S+\/nocontent +204/);
});

test('reordered, retransmitted and overlapping segments give the same transactions', () => {
  const counts = perturbCapture(capture, perturbed);
  assert.ok(counts.swapped > 5 && counts.duplicated > 3 && counts.split > 3, `perturbation happened: ${JSON.stringify(counts)}`);
  const again = analyzeHttpCapture(perturbed);
  assert.ok(again.stats.outOfOrderSegments > 0 && again.stats.duplicateBytes > 0, `reassembly saw it: ${JSON.stringify(again.stats)}`);
  checkTransactions(again.transactions, expected, 'perturbed');
  const summary = (a: HttpCaptureAnalysis): string[] => a.transactions.map((t) => `${t.stream} ${t.request!.method} ${t.request!.target} ${t.response!.status} ${t.response!.bodyBytes}`).sort();
  assert.deepEqual(summary(again), summary(analysis));
});

test('the fast segment path agrees with the full dissector on both captures', () => {
  const summary = (a: HttpCaptureAnalysis): string[] => a.transactions.map((t) => `${t.stream} ${t.request!.method} ${t.request!.target} ${t.response!.status} ${t.response!.bodyBytes} ${t.response!.lastFrame}`);
  for (const file of [capture, perturbed]) {
    const fast = analyzeHttpCapture(file, { keepBodies: false });
    const full = analyzeHttpCapture(file, { keepBodies: false, fastSegments: false });
    assert.deepEqual(summary(fast), summary(full), file);
    assert.deepEqual(fast.stats, full.stats, file);
  }
});

test('a tight memory bound is reported, not silently exceeded', () => {
  const bounded = analyzeHttpCapture(perturbed, { limits: { maxQueuedPerDirection: 200 } });
  assert.ok(bounded.limitHits.length > 0, 'limit hits are reported');
  assert.ok(bounded.limitHits.every((h) => h.kind === 'direction' && h.skippedBytes >= 0));
  const r = sievecap(['-r', perturbed, '--http']);
  assert.equal(r.status, 0);
  assert.doesNotMatch(r.stderr, /memory bound/, 'default bounds are not hit by this capture');
});

test('tcpdump is the reference for what was captured', () => {
  const count = execFileSync('tcpdump', ['-r', capture, '-nn'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split('\n').filter(Boolean).length;
  assert.equal(analysis.frames, count);
});
