/**
 * Statistics fed by the store (light packets for TCP/UDP/IP conversations) give tshark's
 * `-q -z conv,…` text, byte for byte, on corpus files.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { test } from 'node:test';
import { PacketStore } from '../app/engine';
import { createConversationReport } from '../app/stats/conversations';
import { createEndpointReport } from '../app/stats/endpoints';
import { requireTool } from './pcap-helpers';
import { requireCorpusDir } from './support/corpus';
import { tshark } from './engine-reference';

const CLI = path.resolve(__dirname, '..', '..', 'bin', 'sievecap');

function sievecapCli(args: string[]): string {
  const r = spawnSync(CLI, args, { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`sievecap ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

/** Every conversation table the tests below compare for a file, asked of tshark in one run. */
const CONV_SPECS = ['conv,tcp', 'conv,udp', 'conv,ip', 'conv,eth', 'conv,ip,tcp.len > 0'];
const conversationTables = new Map<string, Map<string, string>>();

/**
 * `tshark -r FILE -q -z SPEC` for each of CONV_SPECS (one run per file, remembered): tshark prints
 * one table per -z, last asked first, each between two rules of '='.
 */
function tsharkConversations(full: string, spec: string): string {
  let tables = conversationTables.get(full);
  if (!tables) {
    const lines = tshark(['-r', full, '-q', ...CONV_SPECS.flatMap((s) => ['-z', s])]).split('\n');
    const blocks: string[] = [];
    for (let open = lines.findIndex((l) => /^=+$/.test(l)); open >= 0; ) {
      const close = lines.findIndex((l, k) => k > open && /^=+$/.test(l));
      assert.ok(close > open, `an unclosed table in tshark's output for ${full}`);
      blocks.push(lines.slice(open, close + 1).join('\n'));
      open = lines.findIndex((l, k) => k > close && /^=+$/.test(l));
    }
    assert.equal(blocks.length, CONV_SPECS.length, `tables in tshark's output for ${full}`);
    tables = new Map(CONV_SPECS.map((s, k) => [s, blocks[CONV_SPECS.length - 1 - k]!]));
    conversationTables.set(full, tables);
  }
  const table = tables.get(spec);
  assert.ok(table !== undefined, `${spec} is not one of CONV_SPECS`);
  return table;
}

const FILES = ['chrissanders-packets/http_espn.pcapng', 'chrissanders-packets/dns_isp_hijack.pcapng', 'chrissanders-packets/arppoison.pcapng', 'lwerdna-filesamples/simple_http_sll2.pcap', 'tcpdump/tests/afs.pcap'];

test('engine: conversations fed from the store equal tshark -z conv on corpus files', async () => {
  requireTool('tshark');
  const corpus = requireCorpusDir();
  for (const file of FILES) {
    const full = path.join(corpus, file);
    const store = PacketStore.openFile(full);
    try {
      await store.loading;
      for (const spec of ['conv,tcp', 'conv,udp', 'conv,ip', 'conv,eth']) {
        const report = createConversationReport(spec);
        let progress = 0;
        await store.feedReport(report, (done) => (progress = done));
        assert.equal(progress, store.count());
        assert.equal(report.text().trim(), tsharkConversations(full, spec).trim(), `${file} ${spec}`);
      }
    } finally {
      store.close();
    }
  }
});

/**
 * A report's own filter may name fields light packets do not have (http.request, dns.qry.name):
 * the store must then give it the application layers (it once tested light packets, which have
 * none, and found nothing). Against tshark where its per-frame view is ours (DNS, TCP lengths),
 * and against the CLI (every frame through the full Dissector) for HTTP, where tshark reassembles
 * TCP first and marks a request on its last segment, while our trees are per segment.
 */
test('engine: conversations with a filter on application fields equal tshark and the full dissection', async () => {
  requireTool('tshark');
  const corpus = requireCorpusDir();
  const checks: Array<{ file: string; spec: string; reference: 'tshark' | 'cli' }> = [
    { file: 'chrissanders-packets/http_espn.pcapng', spec: 'conv,ip,dns.qry.name contains "espn" || tcp.len > 1000', reference: 'tshark' },
    { file: 'chrissanders-packets/dns_isp_hijack.pcapng', spec: 'conv,udp,dns.flags.response == 1', reference: 'tshark' },
    { file: 'chrissanders-packets/http_espn.pcapng', spec: 'conv,tcp,http.request', reference: 'cli' },
    { file: 'chrissanders-packets/http_espn.pcapng', spec: 'endpoints,ip,http.response.code == 200', reference: 'cli' },
  ];
  for (const { file, spec, reference } of checks) {
    const full = path.join(corpus, file);
    const store = PacketStore.openFile(full);
    try {
      await store.loading;
      const report = spec.startsWith('conv') ? createConversationReport(spec) : createEndpointReport(spec);
      await store.feedReport(report);
      const theirs = reference === 'tshark' ? tshark(['-r', full, '-q', '-z', spec]) : sievecapCli(['-r', full, '-z', spec]);
      assert.equal(report.text().trim(), theirs.trim(), `${file} ${spec}`);
      assert.ok((report.json() as unknown[]).length > 0, `${spec} selected some frames`);
    } finally {
      store.close();
    }
  }
});

test('engine: reports given when a file is opened are fed in the indexing pass and equal tshark', async () => {
  requireTool('tshark');
  const corpus = requireCorpusDir();
  for (const file of FILES) {
    const full = path.join(corpus, file);
    // conv,tcp and conv,udp take PairTaps in the indexing pass; conv,eth needs dissected packets
    // (fed after each indexed slice); with a filter, a report takes packets too.
    const specs = ['conv,tcp', 'conv,udp', 'conv,eth', 'conv,ip,tcp.len > 0'];
    for (const group of [specs.slice(0, 2), specs.slice(2)]) {
      const reports = group.map((spec) => createConversationReport(spec));
      const store = PacketStore.openFile(full, { reports, sliceFrames: 100 });
      try {
        await store.loading;
        for (const report of reports) assert.equal(report.text().trim(), tsharkConversations(full, report.spec).trim(), `${file} ${report.spec} (attached)`);
      } finally {
        store.close();
      }
    }
  }
});
