/**
 * DCCP (IP protocol 33) against tshark 4.0: `-T fields` of its fields, frame.protocols and the
 * Protocol and Info columns, the summary lines (`-T text`) and display filters, on frames this test
 * builds (python3 struct, checked with tshark) and on the shared corpus captures that hold DCCP.
 * Skipped when tshark is not installed or the corpus is missing.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PcapWriter } from '../app/pcap/pcap-writer';
import { corpusLocation } from './support/corpus';
import { sievecap } from './support/sievecap';
import { assertFiltersAgree, firstDifference } from './support/agree';

const NO_TSHARK = spawnSync('tshark', ['--version']).status !== 0 ? 'tshark is not installed (apt-get install tshark)' : false;
const CORPUS = corpusLocation();
const NO_CORPUS = fs.existsSync(CORPUS.dir) ? false : `the shared corpus is missing: looked in ${CORPUS.dir} (${CORPUS.from})`;

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-dccp-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const FIELDS = [
  'frame.protocols', '_ws.col.Protocol', '_ws.col.Info', 'data.data',
  'dccp.srcport', 'dccp.dstport', 'dccp.port', 'dccp.stream', 'dccp.data_offset', 'dccp.ccval', 'dccp.cscov', 'dccp.checksum.status',
  'dccp.checksum', 'dccp.res1', 'dccp.res2', 'dccp.type', 'dccp.x', 'dccp.seq', 'dccp.seq_raw', 'dccp.ack_res', 'dccp.ack', 'dccp.ack_raw',
  'dccp.service_code', 'dccp.reset_code', 'dccp.data1', 'dccp.data2', 'dccp.data3', 'dccp.option_type', 'dccp.feature_number',
  'dccp.ndp_count', 'dccp.timestamp', 'dccp.timestamp_echo', 'dccp.elapsed_time', 'dccp.checksum_data', 'dccp.options', 'dccp.padding',
  'dccp.mandatory', 'dccp.slow_receiver', 'dccp.init_cookie', 'dccp.ack_vector.nonce_0', 'dccp.ack_vector.nonce_1', 'dccp.data_dropped',
  'dccp.ccid3_loss_event_rate', 'dccp.ccid3_loss_intervals', 'dccp.ccid3_receive_rate', 'dccp.option_reserved', 'dccp.ccid_option_data',
  'dccp.option_unknown',
];

/** One conversation (see app/dissect/dccp.test.ts for what each frame holds); the last is the first cut to 60 bytes. */
const FRAMES = [
  '00000000000200000000000108004500004400010000402166960a0000010a0000029c4000210c001f6d01000000000003e864746e31290600000005c206000010009003ab25030702220403092003c80000',
  '00000000000200000000000108004500004800010000402166920a0000020a00000100219c400d00ac09030000000000004d00000000000003e8006c74702a0a00000005000000092c0601020304c006ffffffff0000',
  '00000000000200000000000108004500002e00010000402166ac0a0000010a0000029c40002104013f28080003e90000004e68656c6c6f2064636370',
  '00000000000200000000000108004500002c00010000402166ae0a0000010a0000029c400021060038280d000000000003ea0000000000000050',
  '00000000000200000000000108004500003000010000402166aa0a0000020a00000100219c40040036250f0000000000004f00000000000003ea02000000',
  '00000000000200000000000108004500002700010000402166b30a0000010a0000029c4000210400123405000000000003eb78797a',
  '00000000000200000000000108004500002800010000402166b20a0000010a0000029c4000210500117905000000000003ec30010000',
];
const CUT = 60;

const CORPUS_FILES = [
  'tcpdump/tests/dccp_options-oobr.pcap', 'tcpdump/tests/dccp_partial_csum_v4_longer.pcap', 'tcpdump/tests/dccp_partial_csum_v4_simple.pcap',
  'tcpdump/tests/dccp_partial_csum_v6_longer.pcap', 'tcpdump/tests/dccp_partial_csum_v6_simple.pcap',
];

const FILTERS = [
  'dccp', 'dccp.type == 4', 'dccp.seq == 1', 'dccp.seq_raw > 1000', 'dccp.ack == 0', 'dccp.checksum.status == 0', 'dccp.option_type == 43',
  'dccp.service_code == 0', 'dccp.reset_code == 1', 'dccp.stream == 1', 'dccp.port == 5001', 'dccp.x == 0', 'dccp.options', 'dccp.feature_number == 5',
];

function tshark(file: string, args: string[]): string {
  const r = spawnSync('tshark', ['-r', file, '-n', ...args], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

function ours(file: string, args: string[]): string {
  const r = sievecap(['-r', file, '-n', ...args]);
  assert.equal(r.status, 0, r.stderr.toString());
  return r.stdout.toString();
}

function assertAgrees(file: string, filters: readonly string[]): void {
  const fields = ['-T', 'fields', '-E', 'header=y', '-E', 'occurrence=a', ...FIELDS.flatMap((f) => ['-e', f])];
  assert.equal(firstDifference(ours(file, fields), tshark(file, fields)), '', `-T fields of ${path.basename(file)}`);
  assert.equal(firstDifference(ours(file, ['-T', 'text']), tshark(file, [])), '', `summary lines of ${path.basename(file)}`);
  assertFiltersAgree(file, filters);
}

test('built DCCP frames agree with tshark', { skip: NO_TSHARK }, () => {
  const file = path.join(tmp, 'built.pcap');
  const writer = new PcapWriter(file, { linkType: 1, snapLen: 65535 });
  FRAMES.forEach((hex, i) => writer.writePacket({ tsNs: BigInt(i) * 1_000_000n, data: Buffer.from(hex, 'hex') }));
  const first = Buffer.from(FRAMES[0]!, 'hex');
  writer.writePacket({ tsNs: 9_000_000n, data: first.subarray(0, CUT), origLen: first.length });
  writer.close();
  assertAgrees(file, FILTERS);
});

test('corpus captures of DCCP agree with tshark', { skip: NO_TSHARK || NO_CORPUS }, () => {
  for (const relative of CORPUS_FILES) {
    const file = path.join(CORPUS.dir, relative);
    assert.ok(fs.existsSync(file), `corpus file ${relative} is missing from ${CORPUS.dir}`);
    // The filters on two captures only (IPv4 with a second stream, IPv6): each is a tshark run.
    assertAgrees(file, /oobr|v6_longer/.test(relative) ? FILTERS : []);
  }
});
