/**
 * PPP LCP and IPCP (app/dissect/ppp-cp.ts) against tshark 4.0 on the shared corpus captures that
 * carry them over PPPoE, L2TP and PPTP's GRE: `-T fields` of their fields with frame.protocols,
 * Protocol and Info, the summary lines, and display filters on their fields. Skipped when tshark
 * is not installed; fails when the corpus is missing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { requireCorpusDir } from './support/corpus';
import { sievecap } from './support/sievecap';
import { assertFiltersAgree } from './support/agree';

const NO_TSHARK = spawnSync('tshark', ['--version']).status !== 0 ? 'tshark is not installed (apt-get install tshark)' : false;

const FIELDS = [
  'frame.protocols', '_ws.col.Protocol', '_ws.col.Info', 'ppp.protocol', 'ppp.code', 'ppp.identifier', 'ppp.length', 'lcp.magic_number',
  'lcp.data', 'lcp.opt.type', 'lcp.opt.length', 'lcp.opt.mru', 'lcp.opt.auth_protocol', 'lcp.opt.magic_number', 'lcp.opt.mrru',
  'lcp.opt.ep_disc_class', 'lcp.opt.operation', 'ipcp.opt.type', 'ipcp.opt.length', 'ipcp.opt.ip_address',
];
const FILES = ['dpkt/examples/data/nb6-http.pcap', 'libpcap/tests/filter/pppoes.pcap', 'tcpdump/tests/pptp.pcap'];
const FILTERS = ['lcp', 'ipcp', 'ppp.code == 9', 'lcp.opt.type == 5', 'lcp.magic_number'];

function run(command: 'ours' | 'tshark', file: string, args: string[]): string {
  const r = command === 'tshark'
    ? spawnSync('tshark', ['-r', file, '-n', ...args], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 })
    : sievecap(['-r', file, '-n', ...(args.includes('fields') ? args : ['-T', 'text', ...args])]);
  assert.equal(r.status, 0, String(r.stderr));
  return String(r.stdout);
}

test('LCP and IPCP over PPPoE, L2TP and GRE agree with tshark', { skip: NO_TSHARK }, () => {
  const dir = requireCorpusDir();
  for (const relative of FILES) {
    const file = path.join(dir, relative);
    const fields = ['-Y', 'lcp || ipcp', '-T', 'fields', '-E', 'header=y', ...FIELDS.flatMap((f) => ['-e', f])];
    const ours = run('ours', file, fields);
    assert.ok(ours.split('\n').length > 2, `${relative}: no LCP/IPCP frames`);
    assert.equal(ours, run('tshark', file, fields), `-T fields of ${relative}`);
    assert.equal(run('ours', file, ['-Y', 'lcp || ipcp || l2tp']), run('tshark', file, ['-Y', 'lcp || ipcp || l2tp']), `summary lines of ${relative}`);
    assertFiltersAgree(file, FILTERS);
  }
});
