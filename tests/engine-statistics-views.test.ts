/**
 * The data behind the desktop app's statistics views, as the renderer reads it from the engine
 * (readReport's JSON for Protocol Hierarchy and Endpoints, the `conversations` request for the
 * Conversations tables), against the numbers tshark prints for the same corpus files with
 * `-q -z io,phs`, `-z endpoints,ip|ipv6|tcp` and `-z conv,tcp` (its text, parsed here). One
 * tshark run per file; the engine runs in this process.
 */
import * as assert from 'node:assert/strict';
import { after, test } from 'node:test';
import * as path from 'node:path';
import * as v from 'valibot';
import { EngineService } from '../app/engine/service';
import { EngineTestClient } from '../app/engine/service/test-client';
import { EndpointsReportData, HierarchyReportData, type HierarchyNode } from '../app/rpc/engine-protocol';
import { tshark } from './engine-reference';
import { requireTool, tempDir } from './pcap-helpers';
import { requireCorpusFile } from './support/corpus';

const FILES: Array<{ file: string; endpoints: string[] }> = [
  { file: 'chrissanders-packets/http_espn.pcapng', endpoints: ['ip', 'tcp'] },
  { file: 'chrissanders-packets/http_ip4and6.pcapng', endpoints: ['ip', 'ipv6', 'tcp'] },
  // DNS over UDP (no TCP conversation at all). Not dns_tcp.pcapng: there tshark's io,phs puts a
  // tcp.segments under a DNS message reassembled from two segments, which ours (the CLI's too) lacks.
  { file: 'chrissanders-packets/dns.pcap', endpoints: ['ip', 'udp'] },
];

const tmp = tempDir('statistics-views');
after(() => tmp.remove());

/** tshark's text of several -z at once, cut into its tables by their title lines. */
function tsharkTables(file: string, specs: string[]): Map<string, string[]> {
  const out = tshark(['-r', file, '-q', ...specs.flatMap((s) => ['-z', s])]);
  const tables = new Map<string, string[]>();
  let current: string[] | null = null;
  for (const line of out.split('\n')) {
    if (/^(Protocol Hierarchy Statistics|\S+ Endpoints|\S+ Conversations)$/.test(line)) tables.set(line, (current = []));
    else if (/^={60,}$/.test(line)) current = null;
    else current?.push(line);
  }
  return tables;
}

/** `frames:N bytes:M` lines as [depth, protocol, frames, bytes], depth first. */
function tsharkHierarchy(lines: string[]): Array<[number, string, number, number]> {
  return lines.flatMap((line) => {
    const m = /^( *)(\S+) +frames:(\d+) bytes:(\d+)$/.exec(line);
    return m ? [[m[1]!.length / 2, m[2]!, Number(m[3]), Number(m[4])] as [number, string, number, number]] : [];
  });
}

function flatten(nodes: readonly HierarchyNode[], depth = 0): Array<[number, string, number, number]> {
  return nodes.flatMap((n) => [[depth, n.protocol, n.frames, n.bytes] as [number, string, number, number], ...flatten(n.children, depth + 1)]);
}

/** An endpoints table's rows: address, [port,] packets, bytes, tx packets, tx bytes, rx packets, rx bytes. */
function tsharkEndpoints(lines: string[], ports: boolean): string[] {
  return lines.filter((l) => /^\S+ +\d/.test(l)).map((l) => {
    const cells = l.trim().split(/ +/);
    return ports ? cells.join(' ') : [cells[0], '-', ...cells.slice(1)].join(' ');
  });
}

const UNITS: Record<string, number> = { bytes: 1, kB: 1e3, MB: 1e6, GB: 1e9 };

/** tshark prints sizes of 1000 bytes and more in kB/MB: the exact count must round to what it shows. */
function assertSize(ours: number, shown: string, what: string): void {
  const m = /^(\d+) (bytes|kB|MB|GB)$/.exec(shown);
  assert.ok(m, `a size: ${shown}`);
  const unit = UNITS[m[2]!]!;
  if (unit === 1) assert.equal(ours, Number(m[1]), what);
  else assert.ok(Math.abs(ours / unit - Number(m[1])) < 1, `${what}: ${ours} bytes shown as ${shown}`);
}

test('statistics views: readReport data and conversations equal tshark -z io,phs, endpoints and conv,tcp', async () => {
  requireTool('tshark');
  const service = new EngineService({ spoolDir: tmp.dir, configDir: path.join(tmp.dir, 'config'), eventIntervalMs: 0 });
  const c = new EngineTestClient(service);
  for (const { file, endpoints } of FILES) {
    const full = requireCorpusFile(file);
    const specs = ['io,phs', ...endpoints.map((k) => `endpoints,${k}`), 'conv,tcp'];
    const tables = tsharkTables(full, specs);
    const { session } = await c.call('openFile', { path: full });

    // Protocol Hierarchy: the tree, protocol by protocol.
    const phs = await c.call('createReport', { session, spec: 'io,phs' });
    const phsRead = await c.call('readReport', { session, report: phs.report });
    assert.equal(phsRead.final, true, `${file}: a file's report is final once it is indexed`);
    const hierarchy = v.parse(HierarchyReportData, phsRead.data);
    const theirs = tsharkHierarchy(tables.get('Protocol Hierarchy Statistics')!);
    assert.ok(theirs.length > 3, `${file}: tshark's hierarchy`);
    assert.deepEqual(flatten(hierarchy.protocols), theirs, `${file} io,phs`);

    // Endpoints, per kind.
    for (const kind of endpoints) {
      const title = { ip: 'IPv4', ipv6: 'IPv6', tcp: 'TCP', udp: 'UDP' }[kind]!;
      const ports = kind === 'tcp' || kind === 'udp';
      const report = await c.call('createReport', { session, spec: `endpoints,${kind}` });
      const data = v.parse(EndpointsReportData, (await c.call('readReport', { session, report: report.report, format: 'json' })).data);
      const ours = data.map((e) => [e.address, ports ? e.port : '-', e.packets, e.bytes, e.txPackets, e.txBytes, e.rxPackets, e.rxBytes].join(' '));
      const expected = tsharkEndpoints(tables.get(`${title} Endpoints`)!, ports);
      assert.ok(expected.length > 0, `${file}: tshark's ${title} endpoints`);
      assert.deepEqual(ours, expected, `${file} endpoints,${kind}`);
      await c.call('dropReport', { session, report: report.report });
    }

    // Conversations (the Sessions tab's request): frames exact, bytes as tshark rounds them, times as printed.
    const conv = await c.call('conversations', { session, kind: 'tcp' });
    const lines = tables.get('TCP Conversations')!.filter((l) => l.includes('<->'));
    if (file.endsWith('http_espn.pcapng')) assert.ok(lines.length > 10, `${file}: tshark's TCP conversations`);
    assert.equal(conv.conversations.length, lines.length, `${file}: as many TCP conversations`);
    lines.forEach((line, k) => {
      const m = /^(\S+):(\d+) +<-> +(\S+):(\d+) +(\d+) (\d+ \S+) +(\d+) (\d+ \S+) +(\d+) (\d+ \S+) +([\d.]+) +([\d.]+)$/.exec(line.trim());
      assert.ok(m, `a conversation line: ${line}`);
      const row = conv.conversations[k]!;
      const what = `${file} conv,tcp row ${k}`;
      assert.deepEqual([row.addressA, row.portA, row.addressB, row.portB], [m[1], Number(m[2]), m[3], Number(m[4])], what);
      assert.deepEqual([row.framesBtoA, row.framesAtoB, row.frames], [Number(m[5]), Number(m[7]), Number(m[9])], what);
      assertSize(row.bytesBtoA, m[6]!, `${what} bytes B→A`);
      assertSize(row.bytesAtoB, m[8]!, `${what} bytes A→B`);
      assertSize(row.bytes, m[10]!, `${what} bytes`);
      assert.ok(Math.abs(row.relativeStart - Number(m[11])) < 1e-9, `${what} relative start ${row.relativeStart} / ${m[11]}`);
      assert.ok(Math.abs(row.duration - Number(m[12])) <= 0.00005 + 1e-9, `${what} duration ${row.duration} / ${m[12]}`);
    });
    await c.call('closeSession', { session });
  }
});

test('statistics views: a report with a display filter counts only its frames, as tshark -z endpoints,ip,FILTER', async () => {
  requireTool('tshark');
  const service = new EngineService({ spoolDir: tmp.dir, configDir: path.join(tmp.dir, 'config'), eventIntervalMs: 0 });
  const c = new EngineTestClient(service);
  const full = requireCorpusFile('chrissanders-packets/http_espn.pcapng');
  const spec = 'endpoints,ip,dns';
  const { session } = await c.call('openFile', { path: full });
  const report = await c.call('createReport', { session, spec });
  const data = v.parse(EndpointsReportData, (await c.call('readReport', { session, report: report.report })).data);
  const expected = tsharkEndpoints(tsharkTables(full, [spec]).get('IPv4 Endpoints')!, false);
  assert.equal(expected.length, 2, 'the client and its resolver');
  assert.deepEqual(data.map((e) => [e.address, '-', e.packets, e.bytes, e.txPackets, e.txBytes, e.rxPackets, e.rxBytes].join(' ')), expected);
  await c.call('closeSession', { session });
});
