/**
 * TCP desegmentation against tshark 4.0 (integration: needs tshark; skipped without it). The
 * capture is made here, byte by byte (tests/support/desegment-traffic.ts): HTTP, DNS over TCP and
 * TLS PDUs cut inside their first lines, headers, length prefixes and record headers; bodies by
 * Content-Length, chunks and FIN; pipelined messages; a retransmission and a lost segment. With
 * tshark's defaults on both sides, the summary lines, the reassembly fields and the frames display
 * filters select are tshark's.
 * A conversation of its own has what tshark's TCP analysis flags (duplicate ACKs, a lost segment
 * and its retransmission, a window update, keep-alives, a spurious retransmission): the
 * "[TCP …]" Info prefixes and tcp.analysis.* filters are compared too.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeDesegmentTraffic } from './support/desegment-traffic';
import { assertFrameSelectionsAgree } from './support/agree';
import { sievecap } from './support/sievecap';

const hasTshark = spawnSync('tshark', ['--version']).status === 0;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-desegment-'));
const capture = path.join(tmp, 'desegment.pcap');

const FIELDS = [
  'frame.number', 'frame.protocols', '_ws.col.Protocol', '_ws.col.Info', 'tcp.len', 'tcp.segment', 'tcp.segment.count',
  'tcp.reassembled.length', 'tcp.segment_data', 'http.request.method', 'http.request.uri', 'http.response.code',
  'http.content_length_header', 'http.host', 'dns.id', 'dns.qry.name', 'dns.a', 'dns.count.answers',
  'tls.record.content_type', 'tls.record.length', 'tls.handshake.type', 'tls.handshake.extensions_server_name',
  'tcp.analysis.duplicate_ack_num', 'tcp.analysis.duplicate_ack_frame', 'tcp.options.sack_le',
];

const FILTERS = [
  'http', 'http.request', 'http.response.code == 200', 'http.request.uri contains "a"', 'dns', 'dns.a == 192.0.2.8',
  'tls', 'tls.handshake.type == 2', 'tcp.segment', 'tcp.reassembled.length > 500', 'tcp.segment_data',
  'tcp.analysis.flags', 'tcp.analysis.retransmission', 'tcp.analysis.spurious_retransmission', 'tcp.analysis.lost_segment',
  'tcp.analysis.duplicate_ack', 'tcp.analysis.window_update', 'tcp.analysis.keep_alive', 'tcp.analysis.keep_alive_ack',
  'tcp.analysis.ack_lost_segment', 'tcp.analysis.out_of_order',
];

function tshark(args: string[]): string {
  const r = spawnSync('tshark', ['-r', capture, '-n', ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

function ours(args: string[]): string {
  const r = sievecap(['-r', capture, ...args]);
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.toString();
}

function fieldArgs(): string[] {
  return ['-T', 'fields', '-E', 'occurrence=a', ...FIELDS.flatMap((f) => ['-e', f])];
}

/** Lines that differ, as "#n ours | tshark", at most 10. */
function differences(a: string, b: string): string[] {
  const x = a.split('\n');
  const y = b.split('\n');
  const out: string[] = [];
  for (let k = 0; k < Math.max(x.length, y.length) && out.length < 10; k++) {
    if (x[k] !== y[k]) out.push(`line ${k + 1}:\n  ours   ${x[k]}\n  tshark ${y[k]}`);
  }
  return out;
}

before(() => {
  writeDesegmentTraffic(capture);
});

after(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

// With -o tcp.desegment_tcp_streams:FALSE, segments cut inside HTTP first lines and DNS length
// prefixes are not yet dissected as tshark does (Continuation, BoundError marks): that mode is
// compared on the corpus (`npm run test:corpus -- --no-desegment`), not on these cuts.
for (const [name, preferences] of [['tshark\'s defaults (desegmentation on)', []]] as const) {
  describe(`TCP PDUs across segments, ${name}`, { skip: hasTshark ? false : 'tshark is not installed' }, () => {
    test('summary lines are tshark\'s, TCP analysis prefixes included', () => {
      const theirs = tshark([...preferences]);
      const mine = ours(['-T', 'text', ...preferences]);
      assert.ok(theirs.split('\n').length > 80, 'the capture has its frames');
      assert.deepEqual(differences(mine, theirs), []);
    });

    test('protocol chains, reassembly fields and application fields are tshark\'s on every frame', () => {
      const theirs = tshark([...preferences, ...fieldArgs()]);
      const mine = ours([...preferences, ...fieldArgs()]);
      assert.deepEqual(differences(mine, theirs), []);
    });

    test(`-Y selects tshark's frames, for each of ${FILTERS.length} filters`, () => {
      assertFrameSelectionsAgree(capture, FILTERS, { args: preferences });
    });
  });
}

describe('desegmentation off: what the TCP analysis flags', { skip: hasTshark ? false : 'tshark is not installed' }, () => {
  // (HTTP continuations with desegmentation off are a known difference: see above.)
  test('retransmitted and out-of-order segments go to no dissector (tcp.no_subdissector_on_error), spurious and fast ones and keep-alives do, as tshark', () => {
    const args = ['-o', 'tcp.desegment_tcp_streams:FALSE', '-Y', '(tcp.analysis.retransmission || tcp.analysis.spurious_retransmission || tcp.analysis.fast_retransmission || tcp.analysis.out_of_order || tcp.analysis.keep_alive) && !http',
      '-T', 'fields', '-e', 'frame.number', '-e', 'frame.protocols', '-e', 'tcp.analysis.flags', '-e', 'data.len'];
    const theirs = tshark(args);
    assert.ok(theirs.trim().split('\n').length >= 3, 'the capture has flagged segments');
    assert.deepEqual(differences(ours(args), theirs), []);
  });
});

describe('what desegmentation changes', { skip: hasTshark ? false : 'tshark is not installed' }, () => {
  test('an HTTP response cut in three segments is dissected once, on the frame that completes it', () => {
    const lines = ours(['-Y', 'http.response.code == 200', '-T', 'fields', '-e', 'tcp.segment.count', '-e', 'http.content_length_header']).trim().split('\n');
    // The first response of the capture: 50 bytes, 650 and the rest.
    assert.match(lines[0]!, /^3\t\d{4}$/);
    const segments = ours(['-o', 'tcp.desegment_tcp_streams:FALSE', '-Y', 'http.response.code == 200', '-T', 'fields', '-e', 'frame.number']).trim().split('\n');
    const whole = ours(['-Y', 'http.response.code == 200', '-T', 'fields', '-e', 'frame.number']).trim().split('\n');
    assert.notDeepEqual(segments, whole);
  });
});
