/**
 * The data behind the desktop app's Statistics › I/O Graph and Statistics › HTTP, as the renderer
 * reads it from the engine, against tshark 4.0 on corpus files:
 *
 * - readReport's `io,stat,INTERVAL,FILTER…` data (one column per graph) equals the table of
 *   `tshark -q -z io,stat,INTERVAL,FILTER…`, row by row and column by column, and each row's first
 *   frame (where a click on the graph goes) is the first frame tshark's `-Y FILTER` puts in that
 *   interval. Also fed as a live capture in three parts, read between them: the last read equals
 *   tshark's table of the whole file.
 * - `http_req,tree` (requests per host and URI) and `http,tree` (status codes) data equal tshark's
 *   trees node by node; `httpTransactions` slowest first are tshark's largest http.time values.
 */
import * as assert from 'node:assert/strict';
import { after, test } from 'node:test';
import * as path from 'node:path';
import * as v from 'valibot';
import { EngineService } from '../app/engine/service';
import { EngineTestClient } from '../app/engine/service/test-client';
import { CaptureReader } from '../app/pcap/reader';
import { IoStatReportData, StatsTreeNode } from '../app/rpc/engine-protocol';
import { tshark } from './engine-reference';
import { requireTool, tempDir } from './pcap-helpers';
import { requireCorpusFile } from './support/corpus';

const tmp = tempDir('io-graph');
after(() => tmp.remove());

function client(): EngineTestClient {
  return new EngineTestClient(new EngineService({ spoolDir: tmp.dir, configDir: path.join(tmp.dir, 'config'), eventIntervalMs: 0 }));
}

/** tshark's io,stat table in `out` as rows of [frames, bytes] per column. */
function ioStatRows(out: string): number[][][] {
  return out
    .split('\n')
    .filter((l) => /^\|\s*[\d.]+ <> /.test(l))
    .map((l) => {
      const cells = l.split('|').slice(2).map((c) => c.trim()).filter((c) => c !== '').map(Number);
      const pairs: number[][] = [];
      for (let i = 0; i < cells.length; i += 2) pairs.push([cells[i]!, cells[i + 1]!]);
      return pairs;
    });
}

function tsharkIoStat(file: string, spec: string): number[][][] {
  return ioStatRows(tshark(['-r', file, '-q', '-z', spec]));
}

/**
 * One tshark run: the frames `-Y filter` selects (number and time) and, with `spec`, the io,stat
 * table too (-Y does not narrow tshark's taps). Then the first selected frame in each interval (0: none).
 */
function tsharkFirstFrames(file: string, filter: string | null, intervalUs: number, rows: number, spec?: string): { firsts: number[]; table: number[][][] } {
  const out = tshark(['-r', file, ...(filter ? ['-Y', filter] : []), '-T', 'fields', '-e', 'frame.number', '-e', 'frame.time_relative', ...(spec ? ['-z', spec] : [])]);
  const firsts = new Array<number>(rows).fill(0);
  for (const line of out.split('\n')) {
    const m = /^(\d+)\t([\d.]+)$/.exec(line);
    if (!m) continue;
    const row = Math.floor(Math.round(Number(m[2]) * 1e6) / intervalUs);
    if (row < rows && firsts[row] === 0) firsts[row] = Number(m[1]);
  }
  return { firsts, table: ioStatRows(out) };
}

/** Each case: a file, the graphs' interval and filters, and the columns whose first frames are checked. */
const IO_CASES: Array<{ file: string; interval: string; filters: string[]; checkFirstFrames: number[] }> = [
  // The IO graph's defaults (every frame, TCP errors), HTTP requests and redirects.
  { file: 'chrissanders-packets/http_espn.pcapng', interval: '0.1', filters: ['', 'tcp.analysis.flags', 'http.request', 'http.response.code >= 300 && http.response.code < 400'], checkFirstFrames: [0, 3] },
  // A filter with commas in a set, kept whole.
  { file: 'chrissanders-packets/synscan.pcapng', interval: '0.01', filters: ['tcp.flags.syn == 1 && tcp.flags.ack == 0', 'tcp.port in {22,80,443}'], checkFirstFrames: [1] },
];

/** tshark 4.0 splits io,stat filters at every comma (and wants commas in sets): `F in {a,b}` is given to it as `(F == a || F == b)`. */
const forTshark = (filter: string): string =>
  filter.replace(/([\w.]+) in \{([^}]*)\}/g, (_, field: string, inner: string) => `(${inner.split(',').map((x) => `${field} == ${x.trim()}`).join(' || ')})`);

test('I/O graph: readReport io,stat,INTERVAL,FILTER… equals tshark -z io,stat column by column; first frames as tshark -Y', async (t) => {
  requireTool('tshark');
  t.diagnostic(tshark(['--version']).split('\n')[0]!);
  const c = client();
  for (const { file, interval, filters, checkFirstFrames } of IO_CASES) {
    const full = requireCorpusFile(file);
    const spec = `io,stat,${interval},${filters.join(',')}`;
    const { session } = await c.call('openFile', { path: full });
    const report = await c.call('createReport', { session, spec });
    const read = await c.call('readReport', { session, report: report.report });
    const data = v.parse(IoStatReportData, read.data);
    const rows = data.columns[0]!.frames.length;
    // The io,stat table comes with the first checked column's frames, in one tshark run.
    const checks = checkFirstFrames.map((j, k) => {
      const col = data.columns[j]!;
      return { col, ...tsharkFirstFrames(full, col.filter, Number(interval) * 1e6, rows, k === 0 ? `io,stat,${interval},${filters.map(forTshark).join(',')}` : undefined) };
    });
    const theirs = checks[0]!.table;
    assert.ok(theirs.length > 2, `${file}: tshark's rows`);
    assert.equal(data.columns.length, filters.length);
    assert.equal(data.interval, Number(interval));
    const ours = data.columns[0]!.frames.map((_, k) => data.columns.map((col) => [col.frames[k]!, col.bytes[k]!]));
    assert.deepEqual(ours, theirs, `${file} ${spec}`);
    data.columns.forEach((col, j) => assert.equal(col.filter, filters[j] === '' ? null : filters[j]));
    for (const { col, firsts } of checks) assert.deepEqual(col.firstFrames, firsts, `${file} first frames of ${col.filter ?? 'all'}`);
    await c.call('closeSession', { session });
  }
});

test('I/O graph during a live capture: each read covers the frames so far, the last equals tshark on the whole file', async () => {
  requireTool('tshark');
  const c = client();
  const file = requireCorpusFile('chrissanders-packets/http_espn.pcapng');
  const frames: Array<{ tsNs: bigint; data: Buffer; origLen: number }> = [];
  const reader = CaptureReader.open(file);
  try {
    for (let p = reader.next(); p !== null; p = reader.next()) frames.push({ tsNs: p.tsNs, data: Buffer.from(p.data), origLen: p.origLen });
  } finally {
    reader.close();
  }
  const spec = 'io,stat,0.5,,http.request';
  const { session } = await c.call('openLive', { interfaces: [{ linkType: 1 }] });
  const report = await c.call('createReport', { session, spec });
  const third = Math.ceil(frames.length / 3);
  for (let part = 0; part < 3; part++) {
    for (const f of frames.slice(part * third, (part + 1) * third)) c.service.appendPacket(session, { interfaceId: 0, tsNs: f.tsNs, data: f.data, origLen: f.origLen });
    const data = v.parse(IoStatReportData, (await c.call('readReport', { session, report: report.report })).data);
    const fed = Math.min(frames.length, (part + 1) * third);
    assert.equal(data.columns[0]!.frames.reduce((n, x) => n + x, 0) <= fed, true);
    if (part < 2) continue;
    c.service.endCapture(session);
    const final = await c.call('readReport', { session, report: report.report });
    assert.equal(final.final, true);
    const last = v.parse(IoStatReportData, final.data);
    const ours = last.columns[0]!.frames.map((_, k) => last.columns.map((col) => [col.frames[k]!, col.bytes[k]!]));
    assert.deepEqual(ours, tsharkIoStat(file, spec));
  }
  await c.call('closeSession', { session });
});

/** A stats tree of tshark's text as [depth, name, count], depth first. */
function tsharkTree(text: string, title: string): Array<[number, string, number]> {
  const lines = text.split('\n');
  const start = lines.indexOf(title);
  assert.ok(start >= 0, `tshark printed ${title}`);
  const header = lines[start + 1]!;
  const countAt = header.indexOf('Count');
  const out: Array<[number, string, number]> = [];
  for (const line of lines.slice(start + 3)) {
    if (line === '' || /^-+$/.test(line)) break;
    const name = line.slice(0, countAt).trimEnd();
    out.push([name.length - name.trimStart().length, name.trim(), Number.parseInt(line.slice(countAt), 10)]);
  }
  return out;
}

function flatten(node: StatsTreeNode, depth = 0): Array<[number, string, number]> {
  return [[depth, node.name, node.count], ...node.children.flatMap((c) => flatten(c, depth + 1))];
}

const HTTP_FILES = ['chrissanders-packets/http_espn.pcapng', 'chrissanders-packets/http_ip4and6.pcapng', 'chrissanders-packets/http_post.pcapng'];

test('HTTP statistics: requests per host (http_req,tree) and status codes (http,tree) equal tshark; the slowest transactions are tshark\'s largest http.time', async () => {
  requireTool('tshark');
  const c = client();
  for (const file of HTTP_FILES) {
    const full = requireCorpusFile(file);
    // One tshark run: -Y selects the responses' http.time lines and leaves the trees' counts alone (taps see every frame).
    const text = tshark(['-r', full, '-Y', 'http.time', '-T', 'fields', '-e', 'frame.number', '-e', 'http.time', '-z', 'http_req,tree', '-z', 'http,tree']);
    const { session } = await c.call('openFile', { path: full });
    for (const [spec, title] of [['http_req,tree', 'HTTP/Requests:'], ['http,tree', 'HTTP/Packet Counter:']] as const) {
      const report = await c.call('createReport', { session, spec });
      const tree = v.parse(StatsTreeNode, (await c.call('readReport', { session, report: report.report })).data);
      const theirs = tsharkTree(text, title);
      assert.ok(theirs[0]![2] > 0, `${file}: tshark counted ${spec}`);
      assert.deepEqual(flatten(tree), theirs, `${file} ${spec}`);
    }
    const times = text
      .split('\n')
      .filter((l) => /^\d+\t[\d.]+$/.test(l))
      .map((l) => l.split('\t').map(Number) as [number, number]);
    const slowest = await c.call('httpTransactions', { session, start: 0, count: 10, order: 'slowest' });
    const expected = times.map(([, s]) => s).sort((a, b) => b - a).slice(0, 10);
    const answered = slowest.transactions.filter((r) => r.seconds !== null);
    assert.equal(answered.length, expected.length, `${file}: transactions with a response`);
    answered.forEach((row, k) => {
      assert.ok(Math.abs(row.seconds! - expected[k]!) < 1e-6, `${file} slowest #${k + 1}: ${row.seconds} s, tshark ${expected[k]} s`);
      assert.ok(times.some(([frame, s]) => frame === row.responseFrame && Math.abs(s - row.seconds!) < 1e-6), `${file}: tshark has http.time ${row.seconds} at frame ${row.responseFrame}`);
    });
    await c.call('closeSession', { session });
  }
});
