/**
 * Reports on traffic the test makes: curl and a pipelining client against a python3 server in a
 * pair of network namespaces (veth, MTU 1280 so long URLs span segments), captured by tcpdump.
 * Against tshark 4.0 on the same file:
 * - exportHttpObjects writes the files `tshark --export-objects http,DIR` writes: same names
 *   (query strings escaped, duplicates numbered, '/' and trailing slashes, request bodies),
 *   same bytes (chunked coding removed, gzip and deflate decoded);
 * - follow,tcp (ascii and hex) of every stream, http,tree, io,phs and io,stat are byte-identical.
 */
import * as assert from 'node:assert/strict';
import { execFileSync, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { exportHttpObjects } from '../app/reassembly/export-objects';
import { createFollowReport } from '../app/stats/follow';
import { createHierarchyReport } from '../app/stats/hierarchy';
import { createHttpTreeReport } from '../app/stats/http-tree';
import { createIoStatReport } from '../app/stats/io-graph';
import type { StatisticsReport } from '../app/stats/report';
import { PIPELINE_PY, SERVER_PY } from './http-peers';
import { createNetnsPair, finished, sleep, waitForStderr, type NetnsPair } from './support/netns';
import { feedReports } from './stats-phs-frames';

const PORT = 8080; // in tshark's HTTP port list
const FOUND = (tool: string): boolean => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;

let tmp = '';
let pair: NetnsPair | null = null;
let capture = '';
const children: ChildProcess[] = [];

/** The URIs fetched, with the names tshark gives their bodies in mind: duplicates, queries, '/', a trailing slash, long names. */
const URIS = [
  '/echo/1234', '/chunked/5000', '/gzip/20000', '/deflate/3000', '/missing', '/echo/100?x=1&y=2', '/echo/1234', '/',
  '/nocontent', '/chunked/3000?a', '/echo/77/', `/echo/99?${'q'.repeat(300)}.txt`, '/echo/1234',
];

function tshark(args: string[]): string {
  return execFileSync('tshark', ['-r', capture, ...args], { encoding: 'latin1', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 1 << 28 });
}

function ours(report: StatisticsReport): string {
  feedReports(capture, [report]);
  (report as { finish?: () => void }).finish?.();
  return report.text();
}

before(async () => {
  for (const tool of ['tcpdump', 'tshark', 'curl', 'python3', 'ip']) {
    if (!FOUND(tool)) throw new Error(`this test needs ${tool} (apt-get install ${tool === 'ip' ? 'iproute2' : tool})`);
  }
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-stats-'));
  fs.writeFileSync(path.join(tmp, 'server.py'), SERVER_PY);
  fs.writeFileSync(path.join(tmp, 'pipeline.py'), PIPELINE_PY);
  fs.writeFileSync(path.join(tmp, 'upload.bin'), Buffer.alloc(3000, 0x41));
  capture = path.join(tmp, 'http.pcap');
  pair = createNetnsPair({ mtu: 1280 });
  const p = pair;
  // One segment per skb, so the capture shows the segments the MTU allows (see http-reassembly-netns).
  for (const [ns, dev] of [[p.nsA, p.vethA], [p.nsB, p.vethB]] as const) execFileSync('ip', ['-n', ns, 'link', 'set', dev, 'gso_max_segs', '1']);
  const server = p.spawn(p.nsB, ['python3', path.join(tmp, 'server.py'), p.ipB, String(PORT)]);
  children.push(server);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('python3 http server did not start')), 10000);
    server.stdout?.on('data', (c: Buffer) => {
      if (/serving/.test(c.toString())) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  const tcpdump = p.spawn(p.nsA, ['tcpdump', '-i', p.vethA, '-U', '--immediate-mode', '-s', '0', '-w', capture, 'tcp', 'port', String(PORT)]);
  children.push(tcpdump);
  await waitForStderr(tcpdump, /listening on/);
  const base = `http://${p.ipB}:${PORT}`;
  const curl = async (args: string[]): Promise<void> => {
    const r = await finished(p.spawn(p.nsA, ['curl', '-s', '--noproxy', '*', '--max-time', '15', ...args]));
    if (r.code !== 0) throw new Error(`curl ${args.join(' ').slice(0, 200)} failed (${r.code}): ${r.stderr}`);
  };
  await curl(URIS.flatMap((u) => ['-o', '/dev/null', base + u]));
  await curl(['-o', '/dev/null', '--data-binary', `@${path.join(tmp, 'upload.bin')}`, `${base}/upload/form.php`]);
  const pipe = await finished(p.spawn(p.nsA, ['python3', path.join(tmp, 'pipeline.py'), p.ipB, String(PORT), 'GET /echo/111', 'GET /chunked/2000', 'GET /gzip/4000']));
  if (pipe.code !== 0) throw new Error(`pipelining client failed: ${pipe.stderr}`);
  await sleep(500);
  tcpdump.kill('SIGINT');
  await finished(tcpdump);
});

after(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
  pair?.destroy();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

function filesOf(dir: string): Map<string, Buffer> {
  return new Map(fs.readdirSync(dir).sort().map((f) => [f, fs.readFileSync(path.join(dir, f))]));
}

test('exportHttpObjects writes the files tshark --export-objects http writes, byte for byte', () => {
  const theirs = path.join(tmp, 'tshark-objects');
  const mine = path.join(tmp, 'our-objects');
  fs.mkdirSync(theirs);
  tshark(['-q', '--export-objects', `http,${theirs}`]);
  const result = exportHttpObjects(capture, mine);
  assert.equal(result.readError, null);
  assert.equal(result.cutBodies, 0);
  const expected = filesOf(theirs);
  const got = filesOf(mine);
  assert.deepEqual([...got.keys()], [...expected.keys()]);
  for (const [name, bytes] of expected) assert.ok(got.get(name)!.equals(bytes), `contents of ${name}`);
  // The traffic really exercised the naming rules and the decoding.
  for (const name of ['1234', '1234(1)', '1234(2)', '%2f', '77', '100%3fx=1&y=2', 'form.php', 'form(1).php', '20000']) assert.ok(got.has(name), `${name} exported`);
  assert.equal(got.get('20000')!.length, 20000, 'gzip body decoded');
  assert.ok([...got.keys()].some((n) => n.length === 255 && n.endsWith('.txt')), 'a long name clipped to 255 bytes, extension kept');
});

test('follow,tcp ascii and hex of every stream are byte-identical to tshark', () => {
  const streams = new Set(tshark(['-T', 'fields', '-e', 'tcp.stream']).split('\n').filter((s) => s !== '').map(Number));
  assert.ok(streams.size >= 3, `several connections captured (${streams.size})`);
  for (const n of streams) {
    for (const mode of ['ascii', 'hex']) {
      const spec = `follow,tcp,${mode},${n}`;
      assert.equal(ours(createFollowReport(spec)), tshark(['-q', '-z', spec]), spec);
    }
  }
});

test('http,tree, io,phs and io,stat are byte-identical to tshark', () => {
  assert.equal(ours(createHttpTreeReport('http,tree')), tshark(['-q', '-z', 'http,tree']));
  assert.equal(ours(createHierarchyReport('io,phs')), tshark(['-q', '-z', 'io,phs']));
  for (const interval of ['0', '0.01', '1']) assert.equal(ours(createIoStatReport(`io,stat,${interval}`)), tshark(['-q', '-z', `io,stat,${interval}`]), `io,stat,${interval}`);
});
