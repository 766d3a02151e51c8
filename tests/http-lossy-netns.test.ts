/**
 * HTTP transactions over a path that really loses and reorders segments: the traffic of
 * tests/http-traffic.ts with both veth ends impaired by the kernel's own queueing (this kernel has
 * no sch_netem; see tests/support/impair.ts), so the sender's TCP retransmits what was dropped and
 * the capture holds gaps, late segments and retransmissions, as a capture of a lossy path does.
 * Every request made must still come out once, whole, paired with its response; tshark, told to
 * reassemble out-of-order segments (Wireshark's default does not), must list the same requests.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, test } from 'node:test';
import { analyzeHttpCapture, type HttpCaptureAnalysis } from '../app/reassembly';
import { checkTransactions, makeHttpTraffic, ourRequests, tsharkRequests, type HttpTraffic } from './http-traffic';

let traffic: HttpTraffic;
let analysis: HttpCaptureAnalysis;

before(async () => {
  traffic = await makeHttpTraffic({ impaired: true });
  analysis = analyzeHttpCapture(traffic.capture);
});

after(() => traffic?.destroy());

function tsharkCount(filter: string): number {
  const r = spawnSync('tshark', ['-n', '-r', traffic.capture, '-Y', filter, '-T', 'fields', '-e', 'frame.number'], { encoding: 'utf8', maxBuffer: 64 << 20 });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.split('\n').filter(Boolean).length;
}

test('the path lost and reordered segments for real (tc counters, tshark\'s TCP analysis)', () => {
  assert.ok(traffic.dropped > 0, `the impaired veths dropped ${traffic.dropped} segments`);
  // Wireshark calls a segment that arrives late a retransmission when it is later than the RTT.
  const retransmitted = tsharkCount('tcp.analysis.retransmission || tcp.analysis.fast_retransmission || tcp.analysis.out_of_order');
  assert.ok(retransmitted > 0, `tshark sees ${retransmitted} retransmitted or out-of-order segments`);
  // A lost segment shows as a gap filled later (out of order), or, lost at the end of a burst, as
  // a retransmission of bytes already captured before the loss (the ACK was lost instead).
  const { outOfOrderSegments, duplicateBytes } = analysis.stats;
  assert.ok(outOfOrderSegments + duplicateBytes > 0, `our reassembly saw it: ${JSON.stringify(analysis.stats)}`);
});

test('every request made comes out once, whole, paired with its response, over the lossy path', () => {
  assert.equal(analysis.readError, null);
  assert.deepEqual(analysis.limitHits, []);
  checkTransactions(analysis.transactions, traffic.expected, 'lossy capture');
  const long = analysis.transactions.filter((t) => (t.request?.target?.length ?? 0) > 5000);
  assert.ok(long.length >= 2 && long.every((t) => t.request!.lastFrame > t.request!.firstFrame), 'long request lines span several frames');
});

test('tshark, reassembling out-of-order segments, lists the same requests on the same streams', () => {
  assert.deepEqual(ourRequests(analysis.transactions), tsharkRequests(traffic.capture, ['tcp.reassemble_out_of_order:TRUE']));
});

test('the fast segment path agrees with the full dissector on the lossy capture', () => {
  const summary = (a: HttpCaptureAnalysis): string[] => a.transactions.map((t) => `${t.stream} ${t.request!.method} ${t.request!.target} ${t.response!.status} ${t.response!.bodyBytes} ${t.response!.lastFrame}`);
  const fast = analyzeHttpCapture(traffic.capture, { keepBodies: false });
  const full = analyzeHttpCapture(traffic.capture, { keepBodies: false, fastSegments: false });
  assert.deepEqual(summary(fast), summary(full));
  assert.deepEqual(fast.stats, full.stats);
});
