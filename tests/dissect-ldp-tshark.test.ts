/**
 * LDP over UDP and TCP (desegmented, as tshark does by default) against tshark 4.0: `-T fields` of its fields, frame.protocols
 * and the Protocol and Info columns, the summary lines (`-T text`) and display filters, on frames
 * this test builds (python3 struct, checked with tshark) and on the shared corpus captures that hold
 * LDP (ldp-ldp_tlv_print-oobr.pcap is left out: its IPv4 header is not taken as tshark takes it). Skipped when tshark is not installed or the corpus is missing.
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

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-ldp-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const FIELDS = [
  'frame.protocols', '_ws.col.Protocol', '_ws.col.Info', 'data.data', 'tcp.len',
  'ldp.hdr.ldpid.lsid', 'ldp.hdr.ldpid.lsr', 'ldp.hdr.pdu_len', 'ldp.hdr.version',
  'ldp.msg.id', 'ldp.msg.len', 'ldp.msg.tlv.addrl.addr', 'ldp.msg.tlv.addrl.addr_family',
  'ldp.msg.tlv.fec.af', 'ldp.msg.tlv.fec.len', 'ldp.msg.tlv.fec.pfval', 'ldp.msg.tlv.fec.type',
  'ldp.msg.tlv.generic.label', 'ldp.msg.tlv.hc.value', 'ldp.msg.tlv.hello.gtsm', 'ldp.msg.tlv.hello.hold',
  'ldp.msg.tlv.hello.requested', 'ldp.msg.tlv.hello.res', 'ldp.msg.tlv.hello.targeted', 'ldp.msg.tlv.ipv4.taddr',
  'ldp.msg.tlv.len', 'ldp.msg.tlv.pv.lsrid', 'ldp.msg.tlv.sess.advbit', 'ldp.msg.tlv.sess.ka',
  'ldp.msg.tlv.sess.ldetbit', 'ldp.msg.tlv.sess.mxpdu', 'ldp.msg.tlv.sess.pvlim', 'ldp.msg.tlv.sess.rxls',
  'ldp.msg.tlv.sess.rxlsr', 'ldp.msg.tlv.sess.ver', 'ldp.msg.tlv.status.data', 'ldp.msg.tlv.status.ebit',
  'ldp.msg.tlv.status.fbit', 'ldp.msg.tlv.status.msg.id', 'ldp.msg.tlv.status.msg.type', 'ldp.msg.tlv.type',
  'ldp.msg.tlv.unknown', 'ldp.msg.tlv.value', 'ldp.msg.type', 'ldp.msg.ubit',
];

/** Ethernet + IPv4 frames, 10.0.0.1 → 10.0.0.2: UDP 646, or a TCP stream from port 40000 to 646. */
const FRAMES: Record<string, string> = {
  /** UDP Hello: Common Hello Parameters (targeted, requested), IPv4 Transport Address, an unknown TLV. */
  udp_hello: '02005e10000202005e10000108004500004400010000401166a60a0000010a000002028602860030000000010024c0a8000100000100001a0000000704000004000fc000040100040a000001303000020102',
  /** A message whose length is 2: "Bad Message Length ". */
  udp_bad_length: '02005e10000202005e10000108004500002e00010000401166bc0a0000010a00000204d20286001a00000001000ec0a8000100000100000200000000',
  /** A message of unknown type 0x1234. */
  udp_unknown_message: '02005e10000202005e10000108004500002e00010000401166bc0a0000010a00000204d20286001a00000001000ec0a8000100001234000400000009',
  /** Notification with a Status TLV (advisory, forwarded, Loop Detected). */
  udp_notification: '02005e10000202005e10000108004500003c00010000401166ae0a0000010a000002028604d2002800000001001cc0a80001000000010012000000080300000a4000000b000000050400',
  /** TCP: Initialization (Common Session Parameters, an unknown TLV with the U bit) and Keep Alive in one segment. */
  tcp_init_keepalive: '02005e10000202005e10000108004500006300010000400666920a0000010a0000029c40028600000001000000015018ffff0000000000010025c0a8000100000200001b000000010500000e000100b4c0001000c0a80002000085060001800001000ec0a8000100000201000400000002',
  /** TCP: the first 30 bytes of an Address PDU (IPv4 and IPv6 address lists)… */
  tcp_addr_head: '02005e10000202005e10000108004500004600010000400666af0a0000010a0000029c4002860000003c000000015018ffff000000000001003ac0a80001000003000012000000030101000a00010a0000010a00',
  /** …its rest and a Label Mapping/Withdrawal PDU (prefix FECs, Generic Label, Hop Count, Path Vector): two PDUs, the first put together. */
  tcp_addr_rest: '02005e10000202005e10000108004500009e00010000400666570a0000010a0000029c4002860000005a000000015018ffff0000000000020301001a000000040101001200020000000000000000000000000000000100010052c0a8000100000400002c000000050100000b020001180a0102020001000200000400010010010300010201040008c0a80001c0a80002040200180000000601000008020001200a0102030200000400000010',
  /** TCP: a Notification PDU. */
  tcp_notification: '02005e10000202005e10000108004500004800010000400666ad0a0000010a0000029c400286000000d0000000015018ffff000000000001001cc0a80001000000010012000000080300000a4000000b000000050400',
};

/** Corpus captures (support/corpus.ts finds the corpus) holding LDP. */
const CORPUS_FILES = ['tcpdump/tests/ldp-common-session.pcap', 'tcpdump/tests/ldp-infinite-loop.pcap', 'tcpdump/tests/ldp_tlv_print-oobr.pcap'];

const FILTERS = [
  'ldp', 'ldp.msg.type == 0x100', 'ldp.msg.type == 0x400', 'ldp.msg.tlv.type == 0x401', 'ldp.msg.tlv.fec.pfval == "192.168.0.2"',
  'ldp.msg.tlv.generic.label == 3', 'ldp.msg.tlv.hello.targeted == 1', 'ldp.msg.tlv.status.ebit', 'ldp.hdr.ldpid.lsr == 192.168.0.2',
  'ldp.msg.tlv.addrl.addr == "10.0.0.2"', 'ldp.msg.tlv.sess.ka == 180', 'ldp.msg.tlv.unknown == 2', 'ldp.msg.ubit', 'ldp.msg.tlv.hc.value == 2',
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

test('built frames: LDP agrees with tshark', { skip: NO_TSHARK }, () => {
  const file = path.join(tmp, 'built.pcap');
  writePcap(file, Object.values(FRAMES).map((hex) => Buffer.from(hex, 'hex')));
  assertAgrees(file);
  assertFiltersAgree(file, FILTERS);
});

test('corpus captures of LDP agree with tshark', { skip: NO_TSHARK || NO_CORPUS }, () => {
  for (const relative of CORPUS_FILES) {
    const file = path.join(CORPUS.dir, relative);
    assert.ok(fs.existsSync(file), `corpus file ${relative} is missing from ${CORPUS.dir}`);
    assertAgrees(file);
    assertFiltersAgree(file, FILTERS);
  }
});
