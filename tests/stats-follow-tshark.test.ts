/**
 * -z follow,tcp,ascii|hex|raw,N on the shared corpus, byte for byte against tshark 4.0's
 * `tshark -r F -q -z follow,tcp,MODE,N`: retransmissions, out-of-order segments, streams seen
 * without their handshake, holes in the capture ("[N bytes missing in capture file]") and IPv6.
 */
import * as assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { createFollowReport, type FollowJson } from '../app/stats/follow';
import { feedReports } from './stats-phs-frames';
import { requireCorpusFile as corpusFile } from './support/corpus';


function tshark(file: string, spec: string): string {
  if (spawnSync('sh', ['-c', 'command -v tshark']).status !== 0) throw new Error('this test needs tshark (apt-get install tshark)');
  return execFileSync('tshark', ['-r', file, '-q', '-z', spec], { encoding: 'latin1', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 1 << 28 });
}

function follow(file: string, spec: string): ReturnType<typeof createFollowReport> {
  const report = createFollowReport(spec);
  feedReports(file, [report]);
  return report;
}

const CASES: Array<[string, number[]]> = [
  ['chrissanders-packets/http_google.pcapng', [0, 1]],
  // Stream 3 has a hole of 3038 bytes.
  ['chrissanders-packets/http_espn.pcapng', [0, 3, 5, 8, 20]],
  ['chrissanders-packets/tcp_retransmissions.pcapng', [0]],
  ['chrissanders-packets/http_ip4and6.pcapng', [0, 1]],
  ['chrissanders-packets/tcp_ports.pcapng', [0, 2, 7]],
  ['chrissanders-packets/http_espn_fail.pcapng', [0, 1]],
  ['lwerdna-filesamples/simple_http_sll2.pcap', [0]],
  ['lwerdna-filesamples/200722_tcp_anon.pcapng', [0, 1]],
  // A stream number the file does not have: both tools print empty nodes.
  ['chrissanders-packets/dns.pcap', [0]],
];

test('follow,tcp,ascii|hex|raw,N: text byte-identical to tshark', () => {
  for (const [name, streams] of CASES) {
    const file = corpusFile(name);
    // One run of each tool per file: tshark takes every -z at once and prints the reports last
    // asked first; ours are fed together, as the engine feeds them.
    const specs = (['ascii', 'hex', 'raw'] as const).flatMap((mode) => streams.map((n) => `follow,tcp,${mode},${n}`));
    const reports = specs.map((spec) => createFollowReport(spec));
    feedReports(file, reports);
    const theirs = execFileSync('tshark', ['-r', file, '-q', ...specs.flatMap((spec) => ['-z', spec])], { encoding: 'latin1', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 1 << 28 });
    assert.equal(reports.map((report) => report.text()).reverse().join(''), theirs, `${name} ${specs.join(' ')}`);
  }
});

test('follow by ADDR:PORT,ADDR:PORT gives the stream tshark numbers, IPv4 and IPv6', () => {
  const file = corpusFile('chrissanders-packets/http_ip4and6.pcapng');
  for (const n of [0, 1]) {
    const byIndex = follow(file, `follow,tcp,ascii,${n}`);
    const json = byIndex.json() as FollowJson;
    const ep = (a: string | null, p: number | null): string => (a!.includes(':') ? `[${a}]:${p}` : `${a}:${p}`);
    const spec = `follow,tcp,ascii,${ep(json.serverAddress, json.serverPort)},${ep(json.clientAddress, json.clientPort)}`;
    // The same records as by index; the Filter line is tshark's address filter.
    assert.equal(follow(file, spec).text(), tshark(file, spec));
    assert.equal(follow(file, spec).text().replace(/^Filter: .*$/m, ''), tshark(file, `follow,tcp,ascii,${n}`).replace(/^Filter: .*$/m, ''));
  }
});

test('follow json(): each direction decodes to the bytes tshark shows in raw mode', () => {
  const file = corpusFile('chrissanders-packets/http_espn.pcapng');
  const json = follow(file, 'follow,tcp,raw,5').json() as FollowJson;
  const lines = tshark(file, 'follow,tcp,raw,5').split('\n').slice(6, -2);
  const expected = [Buffer.alloc(0), Buffer.alloc(0)];
  for (const line of lines) {
    const d = line.startsWith('\t') ? 1 : 0;
    expected[d] = Buffer.concat([expected[d]!, Buffer.from(line.trim(), 'hex')]);
  }
  const got = [0, 1].map((d) => Buffer.concat(json.segments.filter((s) => (s.direction === 'client' ? 0 : 1) === d).map((s) => Buffer.from(s.data, 'base64'))));
  assert.ok(expected[0]!.length > 0 && expected[1]!.length > 0);
  assert.deepEqual(got, expected);
  assert.equal(json.clientBytes, expected[0]!.length);
  assert.equal(json.serverBytes, expected[1]!.length);
  assert.equal(json.stream, 5);
});
