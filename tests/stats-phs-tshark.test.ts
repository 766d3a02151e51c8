/**
 * -z io,phs, -z io,stat,N and -z http,tree on the shared corpus, byte for byte against
 * `tshark -r F -q -z SPEC` (Debian's tshark 4.0). The corpus folder is $SIEVECAP_CORPUS (or
 * ../shared/corpus, see support/corpus.ts); the test fails, saying so, when it or tshark is missing.
 *
 * io,phs is compared on files whose protocols our dissectors know as tshark's do (HTTP included:
 * the report puts each message, its body's media type and tcp.segments in the frame that
 * completes it, as tshark's desegmentation does); files with protocols we do not dissect (SMTP,
 * FTP, 802.11, IGMP …) differ by those and are not compared here.
 */
import * as assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { test } from 'node:test';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PcapWriter } from '../app/pcap/pcap-writer';
import { TcpConversation, writeConversations } from './support/tcp-frames';
import { createHierarchyReport } from '../app/stats/hierarchy';
import { createHttpRequestsTreeReport, createHttpTreeReport } from '../app/stats/http-tree';
import { createIoStatReport, type IoStatJson } from '../app/stats/io-graph';
import { createFollowReport } from '../app/stats/follow';
import { StatisticsSpecError, type ReportFrame, type StatisticsReport } from '../app/stats/report';
import { feedReports } from './stats-phs-frames';
import { requireCorpusFile as corpusFile } from './support/corpus';

const CS = 'chrissanders-packets';

function tshark(file: string, spec: string): string {
  if (spawnSync('sh', ['-c', 'command -v tshark']).status !== 0) throw new Error('this test needs tshark (apt-get install tshark)');
  return execFileSync('tshark', ['-r', file, '-q', '-z', spec], { encoding: 'latin1', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 1 << 28 });
}

/** `tshark -r F -q -z SPEC1 -z SPEC2 …`: tshark prints the reports in reverse order (last asked first). */
function tsharkMany(file: string, specs: readonly string[]): string {
  if (spawnSync('sh', ['-c', 'command -v tshark']).status !== 0) throw new Error('this test needs tshark (apt-get install tshark)');
  return execFileSync('tshark', ['-r', file, '-q', ...specs.flatMap((spec) => ['-z', spec])], { encoding: 'latin1', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 1 << 28 });
}

/** Several reports fed in one pass over the file, as the engine feeds them; their texts. */
function oursMany(file: string, reports: StatisticsReport[]): string[] {
  feedReports(file, reports);
  return reports.map((report) => {
    (report as { finish?: () => void }).finish?.();
    return report.text();
  });
}

function ours(file: string, report: StatisticsReport): string {
  feedReports(file, [report]);
  (report as { finish?: () => void }).finish?.();
  return report.text();
}

test('tshark version compared against', (t) => {
  t.diagnostic(execFileSync('tshark', ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split('\n')[0]!);
});

const PHS_FILES = [
  'activeosfingerprinting.pcapng', 'arp_resolution.pcapng', 'dhcp6_outlease_acquisition.pcapng', 'dhcp_nolease_initialization.pcapng',
  'dns.pcap', 'dns_lab.pcapng', 'icmp_echo.pcapng', 'icmpv6_neighbor_solicitation.pcapng', 'ip_frag_source.pcapng', 'ipv6_fragments.pcapng',
  'nowebaccess1.pcapng', 'synscan.pcapng', 'tcp_handshake.pcapng', 'tcp_teardown.pcapng', 'tcp_zerowindowrecovery.pcapng',
  // HTTP: desegmented messages, gzip bodies that decode to nothing, JSON, images, form posts.
  'http_google.pcapng', 'http_espn.pcapng', 'http_post.pcapng', 'http_ip4and6.pcapng', 'http_dvwa_clearlogin.pcapng', 'arppoison.pcapng', 'tcp_ports.pcapng',
].map((f) => `${CS}/${f}`).concat(['lwerdna-filesamples/200722_tcp_anon.pcapng', 'lwerdna-filesamples/simple_http.pcap', 'gopacket/pcap/test_dns.pcap']);

test('io,phs: text byte-identical to tshark', () => {
  for (const name of PHS_FILES) {
    const file = corpusFile(name);
    assert.equal(ours(file, createHierarchyReport('io,phs')), tshark(file, 'io,phs'), name);
  }
});

test('io,phs,FILTER counts only matching packets and says so in the heading, as tshark', () => {
  const file = corpusFile(`${CS}/synscan.pcapng`);
  assert.equal(ours(file, createHierarchyReport('io,phs,tcp.flags.syn == 1')), tshark(file, 'io,phs,tcp.flags.syn == 1'));
});

test('io,phs json() is the same tree with frames and bytes', () => {
  const report = createHierarchyReport('io,phs');
  feedReports(corpusFile(`${CS}/dns.pcap`), [report]);
  const json = report.json() as { protocols: Array<{ protocol: string; frames: number; bytes: number; children: unknown[] }> };
  const eth = json.protocols[0]!;
  assert.equal(eth.protocol, 'eth');
  // tshark's first line for this file gives the same numbers.
  const m = /^eth +frames:(\d+) bytes:(\d+)$/m.exec(tshark(corpusFile(`${CS}/dns.pcap`), 'io,phs'))!;
  assert.deepEqual([eth.frames, eth.bytes], [Number(m[1]), Number(m[2])]);
});

test('io,phs asked during the feed (as the engine asks during a live capture) gives what a report fed only those frames gives', () => {
  for (const name of [`${CS}/http_espn.pcapng`, `${CS}/http_dvwa_clearlogin.pcapng`, `${CS}/tcp_ports.pcapng`]) {
    const frames: ReportFrame[] = [];
    feedReports(corpusFile(name), [{ spec: 'collect', add: (f) => frames.push(f), text: () => '', json: () => null }]);
    const live = createHierarchyReport('io,phs');
    const step = Math.max(1, Math.floor(frames.length / 40));
    for (let i = 0; i < frames.length; i++) {
      live.add(frames[i]!);
      if (i % step !== 0 && i !== frames.length - 1) continue;
      const fresh = createHierarchyReport('io,phs');
      for (let j = 0; j <= i; j++) fresh.add(frames[j]!);
      const text = live.text();
      assert.equal(text, fresh.text(), `${name} after ${i + 1} frames`);
      assert.equal(live.text(), text, `${name}: text() again without new frames`);
      assert.deepEqual(live.json(), fresh.json(), `${name} json after ${i + 1} frames`);
    }
    live.finish?.();
    assert.equal(live.text(), ours(corpusFile(name), createHierarchyReport('io,phs')), `${name} after finish()`);
  }
});

const IO_FILES = ['http_google.pcapng', 'http_espn.pcapng', 'synscan.pcapng', 'tcp_ports.pcapng', 'dns.pcap'].map((f) => `${CS}/${f}`);

test('io,stat,INTERVAL: text byte-identical to tshark for intervals from 1 ms to longer than the capture', () => {
  const intervals = ['0', '0.001', '0.01', '0.1', '0.5', '1', '5', '10', '100'];
  for (const name of IO_FILES) {
    const file = corpusFile(name);
    // One run of each tool per file: tshark takes every -z at once and prints the reports last
    // asked first; ours are fed together, as the engine feeds them.
    const reports = intervals.map((interval) => createIoStatReport(`io,stat,${interval}`));
    assert.equal(oursMany(file, reports).reverse().join(''), tsharkMany(file, intervals.map((interval) => `io,stat,${interval}`)), `${name} io,stat,${intervals.join('|')}`);
  }
});

test('io,stat,INTERVAL on a capture whose duration rounds up at the interval\'s precision: the heading keeps the duration as it is', () => {
  // 1.612862 s in whole-second intervals: tshark rounds the table to 2 s but prints 1.612862.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-iostat-'));
  try {
    const file = path.join(dir, 'duration.pcap');
    const writer = new PcapWriter(file, { linkType: 1, snapLen: 65535 });
    for (const us of [0n, 900_000n, 1_612_862n]) writer.writePacket({ tsNs: 1_000_000_000_000n + us * 1000n, data: Buffer.alloc(60) });
    writer.close();
    const intervals = ['0', '0.5', '1', '2', '3'];
    const reports = intervals.map((interval) => createIoStatReport(`io,stat,${interval}`));
    assert.equal(oursMany(file, reports).reverse().join(''), tsharkMany(file, intervals.map((interval) => `io,stat,${interval}`)));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('io,stat json() rows add up to the packets and bytes of the capture', () => {
  const file = corpusFile(`${CS}/http_espn.pcapng`);
  const report = createIoStatReport('io,stat,0.5');
  feedReports(file, [report]);
  const data = report.json() as IoStatJson;
  const [all] = data.columns;
  const text = tshark(file, 'io,stat,0');
  const m = /\|\s*0\.000 <> [\d.]+ \|\s+(\d+) \|\s+(\d+) \|/.exec(text)!;
  assert.equal(data.interval, 0.5);
  assert.equal(all!.filter, null);
  assert.equal(all!.frames.reduce((n, f) => n + f, 0), Number(m[1]));
  assert.equal(all!.bytes.reduce((n, b) => n + b, 0), Number(m[2]));
  assert.equal(all!.firstFrames[0], 1);
});

test('io,stat json() has the frames and bytes of tshark io,stat rows', () => {
  const file = corpusFile(`${CS}/synscan.pcapng`);
  const report = createIoStatReport('io,stat,1');
  feedReports(file, [report]);
  const [all] = (report.json() as IoStatJson).columns;
  const rows = [...tshark(file, 'io,stat,1').matchAll(/^\|\s*(\d+) <>\s*(?:\d+|Dur)\s*\|\s+(\d+) \|\s+(\d+) \|$/gm)].map((m) => [Number(m[1]), Number(m[2]), Number(m[3])]);
  assert.ok(rows.length > 10);
  assert.deepEqual(all!.frames.map((f, k) => [k, f, all!.bytes[k]]), rows);
});

const HTTP_FILES = [
  'arppoison.pcapng', 'dns_isp_hijack.pcapng', 'http_dvwa_clearlogin.pcapng', 'http_dvwa_sqlinjection.pcapng', 'http_espn.pcapng',
  'http_espn_fail.pcapng', 'http_google.pcapng', 'http_ip4and6.pcapng', 'http_post.pcapng', 'latency1.pcapng', 'sessionhijacking.pcapng',
  'tcp_ports.pcapng', 'weather_broken.pcapng', 'dns.pcap',
].map((f) => `${CS}/${f}`).concat(['lwerdna-filesamples/simple_http.pcap', 'lwerdna-filesamples/simple_http_sll2.pcap']);

test('http,tree: text byte-identical to tshark (methods, status codes, rates, percents, bursts)', () => {
  for (const name of HTTP_FILES) {
    const file = corpusFile(name);
    assert.equal(ours(file, createHttpTreeReport('http,tree')), tshark(file, 'http,tree'), name);
  }
});

test('http_req,tree: text byte-identical to tshark (requests by Host and URI)', () => {
  for (const name of [`${CS}/http_espn.pcapng`, `${CS}/http_espn_fail.pcapng`, `${CS}/http_ip4and6.pcapng`, `${CS}/http_post.pcapng`, 'lwerdna-filesamples/simple_http_sll2.pcap']) {
    const file = corpusFile(name);
    assert.equal(ours(file, createHttpRequestsTreeReport('http_req,tree')), tshark(file, 'http_req,tree'), name);
  }
});

test('http,tree and http_req,tree count what the dissector takes for HTTP: not a request from a port tshark gives EtherCAT', () => {
  // Both requests are HTTP to a heuristic; tshark decodes the one from port 34980 as EtherCAT (TC-NV).
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-httptree-'));
  try {
    const file = path.join(dir, 'ports.pcap');
    const request = Buffer.from('GET /a HTTP/1.1\r\nHost: x\r\n\r\n');
    const response = Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
    const conversations = [34980, 40000].map((clientPort) => new TcpConversation({ serverPort: 8081, clientPort }).handshake().send('client', request).send('server', response, [], true));
    writeConversations(file, conversations);
    assert.equal(ours(file, createHttpTreeReport('http,tree')), tshark(file, 'http,tree'));
    assert.equal(ours(file, createHttpRequestsTreeReport('http_req,tree')), tshark(file, 'http_req,tree'));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('io,stat,INTERVAL,FILTER…: a column per filter (empty: every frame), text byte-identical to tshark', () => {
  const file = corpusFile(`${CS}/http_espn.pcapng`);
  for (const spec of [
    'io,stat,1,tcp,http.request,ip.dst==192.168.1.1',
    'io,stat,0.1,,http',
    'io,stat,0,tcp,udp',
    // A filter longer than the table is wrapped at a space.
    'io,stat,10,http.request && http.host contains "espn" and ip.src == 192.168.0.1 or tcp.port == 80 and frame.len > 100 and frame.len < 1500 and ip.ttl > 1',
  ]) {
    assert.equal(ours(file, createIoStatReport(spec)), tshark(file, spec), spec);
  }
});

test('http,tree json() has the counts of the text', () => {
  const report = createHttpTreeReport('http,tree');
  ours(corpusFile(`${CS}/http_post.pcapng`), report);
  const root = report.json() as { name: string; count: number; children: Array<{ name: string; count: number; children: Array<{ name: string; count: number }> }> };
  assert.equal(root.name, 'Total HTTP Packets');
  assert.equal(root.count, 4);
  const requests = root.children.find((c) => c.name === 'HTTP Request Packets')!;
  assert.deepEqual(requests.children.map((c) => [c.name, c.count]), [['POST', 1], ['GET', 1]]);
});

test('bad -z parameters are StatisticsSpecErrors that say what to write instead', () => {
  const bad: Array<[() => unknown, RegExp]> = [
    [() => createHierarchyReport('io,phsx'), /io,phs/],
    [() => createHierarchyReport('io,phs,tcp.port ==='), /invalid filter/],
    [() => createIoStatReport('io,stat,abc'), /number of seconds/],
    [() => createIoStatReport('io,stat,1,COUNT(tcp)tcp'), /not supported/],
    [() => createFollowReport('follow,sctp,ascii,0'), /follows tcp, udp, tls and http streams/],
    [() => createFollowReport('follow,tcp,utf8,0'), /ascii, hex or raw/],
    [() => createFollowReport('follow,tcp,ascii,x'), /tcp\.stream number/],
    [() => createHttpTreeReport('http,tree,ip'), /-Y FILTER/],
    [() => createHttpRequestsTreeReport('http_req,tree,ip'), /-Y FILTER/],
    [() => createIoStatReport('io,stat,1,tcp.port =='), /invalid filter/],
  ];
  for (const [make, message] of bad) {
    assert.throws(make, (err: unknown) => err instanceof StatisticsSpecError && message.test(err.message));
  }
});
