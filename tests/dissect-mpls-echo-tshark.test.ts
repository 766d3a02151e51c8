/**
 * MPLS LSP ping (mpls-echo) against tshark 4.0: `-T fields` of its fields, frame.protocols
 * and the Protocol and Info columns, the summary lines (`-T text`) and display filters, on frames
 * this test builds (python3 struct, checked with tshark) and on the shared corpus captures that hold
 * MPLS LSP ping (over PPP, with and without an MPLS label). Skipped when tshark is not installed or the corpus is missing.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { corpusLocation } from './support/corpus';
import { writePcap } from './support/frames';
import { sievecap } from './support/sievecap';
import { assertFiltersAgree, firstDifference } from './support/agree';

const NO_TSHARK = spawnSync('tshark', ['--version']).status !== 0 ? 'tshark is not installed (apt-get install tshark)' : false;
const CORPUS = corpusLocation();
const NO_CORPUS = fs.existsSync(CORPUS.dir) ? false : `the shared corpus is missing: looked in ${CORPUS.dir} (${CORPUS.from})`;

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-mpls-echo-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const FIELDS = [
  'frame.protocols', '_ws.col.Protocol', '_ws.col.Info', 'data.data',
  'mpls_echo.version', 'mpls_echo.flags', 'mpls_echo.flag_sbz', 'mpls_echo.flag_v',
  'mpls_echo.flag_t', 'mpls_echo.flag_r', 'mpls_echo.msg_type', 'mpls_echo.reply_mode',
  'mpls_echo.return_code', 'mpls_echo.return_subcode', 'mpls_echo.sender_handle', 'mpls_echo.sequence',
  'mpls_echo.timestamp_sent', 'mpls_echo.timestamp_rec', 'mpls_echo.tlv.type', 'mpls_echo.tlv.len',
  'mpls_echo.tlv.value', 'mpls_echo.tlv.fec.type', 'mpls_echo.tlv.fec.len', 'mpls_echo.tlv.fec.ldp_ipv4',
  'mpls_echo.tlv.fec.ldp_ipv4_mask', 'mpls_echo.tlv.fec.rsvp_ipv4_ep', 'mpls_echo.tlv.fec.rsvp_ipv6_ep', 'mpls_echo.tlv.fec.rsvp_ip_mbz1',
  'mpls_echo.tlv.fec.rsvp_ip_tun_id', 'mpls_echo.tlv.fec.rsvp_ipv4_ext_tun_id', 'mpls_echo.tlv.fec.rsvp_ipv4_sender', 'mpls_echo.tlv.fec.rsvp_ipv6_ext_tun_id',
  'mpls_echo.tlv.fec.rsvp_ipv6_sender', 'mpls_echo.tlv.fec.rsvp_ip_mbz2', 'mpls_echo.tlv.fec.rsvp_ip_lsp_id', 'mpls_echo.padding',
  'mpls_echo.tlv.fec.rsvp_p2mp_ipv4_id', 'mpls_echo.tlv.fec.rsvp_p2mp_ip_mbz1', 'mpls_echo.tlv.fec.rsvp_p2mp_ip_tun_id', 'mpls_echo.tlv.fec.rsvp_p2mp_ipv4_ext_tun_id',
  'mpls_echo.tlv.fec.rsvp_p2mp_ipv4_sender', 'mpls_echo.tlv.fec.rsvp_p2mp_ip_mbz2', 'mpls_echo.tlv.fec.rsvp_p2mp_ip_lsp_id', 'mpls_echo.tlv.fec.rsvp_p2mp_ipv6_id',
  'mpls_echo.tlv.fec.rsvp_p2mp_ipv6_ext_tun_id', 'mpls_echo.tlv.fec.rsvp_p2mp_ipv6_sender', 'mpls_echo.tlv.fec.len.invalid',
];

/** Ethernet + IPv4 + UDP 4786 → 3503: the Echo Request of lspping-fec-ldp.pcap with an unknown TLV (type 268) added. */
const FRAMES: Record<string, string> = {
  request_unknown_tlv: '02005e10000202005e10000108004500005400010000401166960a0000010a00000212b20daf004000000001000001020000000000000000000140cd7b240001ce7500000000000000000001000c000100050c01010120000000010c0004000800c8',
};

/** Corpus captures (support/corpus.ts finds the corpus) holding MPLS LSP ping. */
const CORPUS_FILES = ['tcpdump/tests/lspping-fec-ldp.pcap', 'tcpdump/tests/lspping-fec-rsvp.pcap', 'tcpdump/tests/tok2str-oobr-2.pcap'];

const FILTERS = [
  'mpls-echo', 'mpls_echo.msg_type == 2', 'mpls_echo.return_code == 3', 'mpls_echo.tlv.fec.ldp_ipv4 == 12.1.1.1', 'mpls_echo.tlv.fec.type == 3',
  'mpls_echo.tlv.fec.rsvp_ip_tun_id == 21362', 'mpls_echo.sequence > 2', 'mpls_echo.tlv.value', 'mpls_echo.flag_v == 0',
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

function assertAgrees(file: string): void {
  const fields = ['-T', 'fields', '-E', 'header=y', '-E', 'occurrence=a', ...FIELDS.flatMap((f) => ['-e', f])];
  const [oursFields, theirFields] = [ours(file, fields), tshark(file, fields)];
  assert.equal(firstDifference(oursFields, theirFields), '', `-T fields of ${path.basename(file)}`);
  const [oursText, theirText] = [ours(file, ['-T', 'text']), tshark(file, [])];
  assert.equal(firstDifference(oursText, theirText), '', `summary lines of ${path.basename(file)}`);
}

test('built frames: MPLS LSP ping agrees with tshark', { skip: NO_TSHARK }, () => {
  const file = path.join(tmp, 'built.pcap');
  writePcap(file, Object.values(FRAMES).map((hex) => Buffer.from(hex, 'hex')));
  assertAgrees(file);
  assertFiltersAgree(file, FILTERS);
});

test('corpus captures of MPLS LSP ping agree with tshark', { skip: NO_TSHARK || NO_CORPUS }, () => {
  for (const relative of CORPUS_FILES) {
    const file = path.join(CORPUS.dir, relative);
    assert.ok(fs.existsSync(file), `corpus file ${relative} is missing from ${CORPUS.dir}`);
    assertAgrees(file);
    assertFiltersAgree(file, FILTERS);
  }
});
