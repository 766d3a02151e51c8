/**
 * NHRP (GRE 0x2001, IP 54), the Nortel Discovery Protocol (SNAP 00:00:81) and CDP (Cisco SNAP,
 * Cisco HDLC and GRE 0x2000) against tshark 4.0: `-T fields` of their fields, frame.protocols and
 * the Protocol and Info columns, the summary lines (`-T text`) and display filters, on frames this
 * test builds (python3 struct, checked with tshark) and on the shared corpus captures that hold
 * these protocols (only their frames). Skipped when tshark is not installed or the corpus is missing.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { corpusAsOne } from './support/merge';
import { corpusLocation } from './support/corpus';
import { writePcap } from './support/frames';
import { sievecap } from './support/sievecap';
import { assertFiltersAgree, firstDifference } from './support/agree';

const NO_TSHARK = spawnSync('tshark', ['--version']).status !== 0 ? 'tshark is not installed (apt-get install tshark)' : false;
const CORPUS = corpusLocation();
const NO_CORPUS = fs.existsSync(CORPUS.dir) ? false : `the shared corpus is missing: looked in ${CORPUS.dir} (${CORPUS.from})`;

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-nhrp-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Every field tshark 4.0 registers for the three protocols (tshark -G fields), and those around them. */
function protocolFields(): string[] {
  const r = spawnSync('tshark', ['-G', 'fields'], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const names = r.stdout.split('\n').map((line) => line.split('\t')).filter((c) => c[0] === 'F' && ['nhrp', 'ndp', 'cdp'].includes(c[4]!)).map((c) => c[2]!);
  return [
    'frame.protocols', '_ws.col.Protocol', '_ws.col.Info', 'gre.proto', 'llc.oui', 'llc.cisco_pid', 'llc.nortel_pid', 'chdlc.protocol',
    'ip.src', 'ip.dst', 'icmp.type', 'data.data', ...names,
  ];
}

const FRAMES: Record<string, string> = {
  /** NHRP purge request over GRE: CIE, vendor-private, unknown and device-capabilities extensions. */
  nhrp_purge: '00112233445502005e10000108004500007300010000402f66590a0000010a00000200002001000108000000000000ff005bac6d003c01050400040480020000004dc00002010a0101010a0101090018000005dc1c2004000400c00002090a0101090008000500000cdead80200002010280090008000000010000000080000000',
  /** NHRP resolution reply with two CIEs and a wrong checksum. */
  nhrp_reply_badck: '00112233445502005e10000108004500006000010000402f666c0a0000010a00000200002001000108000000000000ff004812340000010204000404d00000000009c00002010a0101010a0101090020000005dc1c2004000400c00002090a0101090e20000005dc1c2000000000',
  /** NHRP error indication quoting a registration request. */
  nhrp_error: '00112233445502005e10000108004500006800010000402f66640a0000010a00000200002001000108000000000000ff0050158400000107040004040000000b000cc00002010a0101010a010105000108000000000000ff002895bf0000010304000404800000000003c00002050a0101050a010101',
  /** NHRP packet length under the fixed header. */
  nhrp_short_len: '00112233445502005e10000108004500004000010000402f668c0a0000010a00000200002001000108000000000000ff000c00000000010104000404000000000001000000000000000000000000',
  /** NHRP destination protocol address past the packet. */
  nhrp_malformed: '00112233445502005e10000108004500004000010000402f668c0a0000010a00000200002001000108000000000000ff002800000000010104000410800000000005c00002010a01010120010db8',
  /** NHRP over IP protocol 54 with a SNAP long-form protocol type. */
  nhrp_ip_snap: '00112233445502005e10000108004500004400010000403666810a0000010a0000020001008000000c0102ff003071210000010404000202800000000006c00002010a010a020020000005dc1c2000000000',
  /** NDP segment hello to an unlisted destination. */
  ndp_hello: '0100810001a302005e1000010013aaaa0300008101a20a0000070001020c0a0102000000000000000000000000000000000000000000000000000000',
  /** NDP flatnet hello. */
  ndp_flatnet: '01008100010102005e1000010013aaaa0300008101a10a0000070001020c0a0102000000000000000000000000000000000000000000000000000000',
  /** NDP hello cut by the 802.3 length. */
  ndp_short: '01008100010002005e100001000eaaaa0300008101a20a00000700010000000000000000000000000000000000000000000000000000000000000000',
  /** CDP from an IP phone: most TLV types, IPv6 management address, an unknown TLV. */
  cdp_phone: '01000ccccccc02005e10000100fbaaaa0300000c200002b401310001000b70686f6e652d3100020011000000010101cc00040a0909090003000a506f7274203100040008000000900005001c53495037302e382d302d32535231530a6c696e652074776f00060017436973636f2049502050686f6e652037393630000700080a0000fe000e0007010064000f000720006500100006189c00110008000005dc0014000970686f6e650015000806082b060016002d000000020208aaaa0300000086dd001020010db80000000000000000000000010101cc00040a0909080017000c00726f6f6d20313200190010000300010000189c00001b58001f000505001c0006abcd000b000500',
  /** CDP of odd length (its own checksum rule). */
  cdp_odd: '01000ccccccc02005e100001002caaaa0300000c200002b455b100010007737739000300094769302f33000a000600070009000a767470646f6d0000',
  /** CDP TLV shorter than its header. */
  cdp_bad_tlv: '01000ccccccc02005e1000010017aaaa0300000c200002b44dca00010007737739000300020000000000000000000000000000000000000000000000',
  /** CDP with a wrong checksum. */
  cdp_badck: '01000ccccccc02005e100001001baaaa0300000c200002b41234000100067237000300095365302f3000000000000000000000000000000000000000',
  /** CDP over GRE with IP prefixes. */
  cdp_gre: '00112233445502005e10000108004500003b00010000402f66910a0000010a0000020000200002b410790001000672380003000b54756e6e656c310007000e0a020000100a03000018',
  /** CDP TLV past the end of the PDU. */
  cdp_overrun: '01000ccccccc02005e100001001aaaaa0300000c200002b4c00700010007737739000600286162630000000000000000000000000000000000000000',
};

/** Corpus captures (support/corpus.ts finds the corpus) holding these protocols. */
const CORPUS_FILES = [
  'tcpdump/tests/ios_nhrp.pcap', 'tcpdump/tests/NHRP_registration.pcap', 'tcpdump/tests/nhrp-trace.pcap', 'tcpdump/tests/nhrp.pcapng',
  'tcpdump/tests/erspan-type-ii-3.pcap', 'tcpdump/tests/3560_CDP.pcap', 'tcpdump/tests/LLDP_and_CDP.pcap', 'tcpdump/tests/various_gre.pcap',
  'tcpdump/tests/HDLC.pcap', 'lwerdna-filesamples/teardrop.pcap',
];
/** The frames of the corpus captures compared (the others hold protocols not dissected here). */
const CORPUS_FRAMES = 'nhrp || ndp || cdp';

const FILTERS = [
  'nhrp', 'ndp', 'cdp', 'nhrp.hdr.op.type == 5', 'nhrp.reqid == 77', 'nhrp.code == 14', 'nhrp.hdr.chksum.status == 0', 'nhrp.ext.type == 0x0009',
  'nhrp.src.nbma.addr == 192.0.2.5', 'ndp.state == 1', 'ndp.ipaddress == 10.0.0.7', 'cdp.deviceid == "sw9"', 'cdp.voice_vlan == 101',
  'cdp.capabilities.voip_phone == 1', 'cdp.software_version contains "line"', 'cdp.checksum.status == 0', 'cdp.tlv.type == 0x0007',
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

function assertAgrees(file: string, fields: string[], only?: string): void {
  const select = only ? ['-Y', only] : [];
  const args = ['-T', 'fields', '-E', 'header=y', ...select, ...fields.flatMap((f) => ['-e', f])];
  const [oursFields, theirFields] = [ours(file, args), tshark(file, args)];
  assert.equal(firstDifference(oursFields, theirFields), '', `-T fields of ${path.basename(file)}`);
  const [oursText, theirText] = [ours(file, ['-T', 'text', ...select]), tshark(file, select)];
  assert.equal(firstDifference(oursText, theirText), '', `summary lines of ${path.basename(file)}`);
}

test('built frames: NHRP, NDP and CDP agree with tshark', { skip: NO_TSHARK }, () => {
  const file = path.join(tmp, 'built.pcap');
  writePcap(file, Object.values(FRAMES).map((hex) => Buffer.from(hex, 'hex')));
  assertAgrees(file, protocolFields());
  assertFiltersAgree(file, FILTERS);
});

test('corpus captures of NHRP, NDP and CDP agree with tshark', { skip: NO_TSHARK || NO_CORPUS }, () => {
  const fields = protocolFields();
  // The captures merged into one file (support/merge.ts): one start of each tool, not one per capture.
  for (const file of corpusAsOne(CORPUS.dir, CORPUS_FILES, path.join(tmp, 'corpus.pcapng'))) assertAgrees(file, fields, CORPUS_FRAMES);
});
