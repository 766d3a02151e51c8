/**
 * Mobile IPv6 (IPv6 next header 135 and 62) against tshark 4.0: `-T fields` of its fields,
 * frame.protocols and the Protocol and Info columns, the summary lines (`-T text`) and display
 * filters, on frames this test builds (python3 struct, checked with tshark) and on the shared corpus
 * captures that hold it. For the raw-IPv6 capture our chain starts "raw:" where tshark's does not
 * (a link-layer difference outside this dissector): that prefix is set aside in the comparison.
 * Skipped when tshark is not installed or the corpus is missing.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PcapWriter } from '../app/pcap/pcap-writer';
import { corpusAsOne } from './support/merge';
import { corpusLocation } from './support/corpus';
import { sievecap } from './support/sievecap';
import { assertFiltersAgree, firstDifference } from './support/agree';

const NO_TSHARK = spawnSync('tshark', ['--version']).status !== 0 ? 'tshark is not installed (apt-get install tshark)' : false;
const CORPUS = corpusLocation();
const NO_CORPUS = fs.existsSync(CORPUS.dir) ? false : `the shared corpus is missing: looked in ${CORPUS.dir} (${CORPUS.from})`;

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-mipv6-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const FIELDS = [
  'frame.protocols', '_ws.col.Protocol', '_ws.col.Info',
  'mip6.proto', 'mip6.hlen', 'mip6.mhtype', 'mip6.reserved', 'mip6.csum', 'mip6.hoti.cookie',
  'mip6.coti.cookie', 'mip6.hot.nindex', 'mip6.hot.cookie', 'mip6.hot.token', 'mip6.cot.nindex', 'mip6.cot.cookie',
  'mip6.bu.seqnr', 'mip6.bu.a_flag', 'mip6.bu.h_flag', 'mip6.bu.l_flag', 'mip6.bu.k_flag', 'mip6.bu.m_flag',
  'mip6.nemo.bu.r_flag', 'mip6.bu.p_flag', 'mip6.bu.f_flag', 'mip6.bu.t_flag', 'mip6.bu.b_flag', 'mip6.bu.lifetime',
  'mip6.ba.status', 'mip6.ba.k_flag', 'mip6.nemo.ba.r_flag', 'mip6.ba.p_flag', 'mip6.ba.t_flag', 'mip6.ba.b_flag',
  'mip6.ba.seqnr', 'mip6.ba.lifetime', 'mip6.be.status', 'mip6.be.haddr', 'mip6.bra.interval', 'mip6.acoa.acoa',
  'mip6.ni.hni', 'mip6.ni.cni', 'mip6.bad.auth', 'mip6.nemo.mnp.pfl', 'mip6.nemo.mnp.mnp', 'mip6.badff.spi',
  'mip6.badff.auth', 'mip6.binding_refresh_request', 'mip6.unknown_type_data', 'mip6.padn', 'mip6.mobility_opt', 'mip6.mobility_opt.len',
  'mip6.options.acoa', 'mip6.options.bad_auth', 'mip6.options.bra', 'mip6.options.mnp', 'mip6.options.ni', 'mip6.options.pad1',
  'mip6.options.padn', 'mip6.options.vsm',
];

/** See app/dissect/mipv6.test.ts for what each frame holds; the last is the first cut to 70 bytes. */
const FRAMES = [
  '00000000000200000000000186dd600000000028874020010db800000000000000000000000120010db80000000000000000000000023b04050012340007840000640202001ec802aabb031020010db80000000000000000000000010100',
  '00000000000200000000000186dd600000000020874020010db800000000000000000000000120010db80000000000000000000000023b0306001234858000070032040400010002050c000102030405060708090a0b',
  '00000000000200000000000186dd600000000010874020010db800000000000000000000000120010db80000000000000000000000023b010100123400000102030405060708',
  '00000000000200000000000186dd600000000020874020010db800000000000000000000000120010db80000000000000000000000023b0307001234020020010db80000000000000000000000020100000000000000',
  '00000000000200000000000186dd600000000010874020010db800000000000000000000000120010db80000000000000000000000023b011e00123400010203040506070809',
  '00000000000200000000000186dd600000000010874020010db800000000000000000000000120010db80000000000000000000000023b010000123400000209000000000000',
  '00000000000200000000000186dd6000000000103e4020010db800000000000000000000000120010db80000000000000000000000023b010500123400088000000a01020000',
];
const CUT = 70;

const CORPUS_FILES = [
  'tcpdump/tests/ipv6_mobility_1.pcap', 'tcpdump/tests/ipv6-mobility-header-oobr.pcap', 'tcpdump/tests/mobility_opt_asan.pcap',
  'tcpdump/tests/mobility_opt_asan_2.pcap', 'tcpdump/tests/mobility_opt_asan_3.pcap', 'tcpdump/tests/mobility_opt_asan_4.pcap',
  'tcpdump/tests/mobility_opt_asan_5.pcap', 'tcpdump/tests/mobility_opt_asan_6.pcap', 'tcpdump/tests/mobility_opt_asan_7.pcap',
  'tcpdump/tests/mobility_opt_asan_8.pcap',
];

const FILTERS = [
  'mipv6', 'mip6.mhtype == 5', 'mip6.bu.a_flag == 1', 'mip6.nemo.bu.r_flag', 'mip6.bra.interval == 30', 'mip6.options.padn',
  'mip6.ba.status == 133', 'mip6.be.haddr == 2001:db8::2', 'mip6.mobility_opt.len == 16', 'mip6.hoti.cookie',
];

function tshark(file: string, args: string[]): string {
  const r = spawnSync('tshark', ['-r', file, '-n', ...args], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

/** Ours, with the raw-IPv6 link's "raw:" chain prefix set aside (see the file comment). */
function ours(file: string, args: string[]): string {
  const r = sievecap(['-r', file, '-n', ...args]);
  assert.equal(r.status, 0, r.stderr.toString());
  return r.stdout.toString().replace(/^raw:/gm, '');
}

function assertAgrees(file: string, filters: readonly string[]): void {
  const fields = ['-T', 'fields', '-E', 'header=y', '-E', 'occurrence=a', ...FIELDS.flatMap((f) => ['-e', f])];
  assert.equal(firstDifference(ours(file, fields), tshark(file, fields)), '', `-T fields of ${path.basename(file)}`);
  assertFiltersAgree(file, filters);
}

test('built MIPv6 frames agree with tshark', { skip: NO_TSHARK }, () => {
  const file = path.join(tmp, 'built.pcap');
  const writer = new PcapWriter(file, { linkType: 1, snapLen: 65535 });
  FRAMES.forEach((hex, i) => writer.writePacket({ tsNs: BigInt(i) * 1_000_000n, data: Buffer.from(hex, 'hex') }));
  const first = Buffer.from(FRAMES[0]!, 'hex');
  writer.writePacket({ tsNs: 9_000_000n, data: first.subarray(0, CUT), origLen: first.length });
  writer.close();
  assertAgrees(file, FILTERS);
  assert.equal(firstDifference(ours(file, ['-T', 'text']), tshark(file, [])), '', 'summary lines of the built frames');
});

test('corpus captures of MIPv6 agree with tshark', { skip: NO_TSHARK || NO_CORPUS }, () => {
  // The raw-IPv6 capture on its own (the filters on it; no summary lines: its lines name the link
  // layer too); the others merged into one file (support/merge.ts): one start of each tool.
  const raw = CORPUS_FILES.filter((relative) => relative.endsWith('ipv6_mobility_1.pcap'));
  for (const file of corpusAsOne(CORPUS.dir, raw, path.join(tmp, 'raw.pcapng'))) assertAgrees(file, FILTERS);
  for (const file of corpusAsOne(CORPUS.dir, CORPUS_FILES.filter((relative) => !raw.includes(relative)), path.join(tmp, 'corpus.pcapng'))) {
    assertAgrees(file, []);
    assert.equal(firstDifference(ours(file, ['-T', 'text']), tshark(file, [])), '', `summary lines of ${path.basename(file)}`);
  }
});
