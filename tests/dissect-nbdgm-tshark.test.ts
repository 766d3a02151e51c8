/**
 * NetBIOS Datagram Service with SMB mailslot browser announcements (nbdgm, smb, mailslot, browser;
 * NMPI and NetBIOS over IPX carrying them) and TFTP with its transfer conversations against
 * tshark 4.0: `-T fields` of their fields, frame.protocols and the Protocol and Info columns, the
 * summary lines (`-T text`) and display filters, on frames this test builds (python3 struct,
 * checked with tshark) and on the shared corpus captures that hold these protocols. Skipped when
 * tshark is not installed or the corpus is missing.
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

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-nbdgm-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const FIELDS = [
  'frame.protocols', '_ws.col.Protocol', '_ws.col.Info', 'data.data',
  'nbdgm.type', 'nbdgm.flags', 'nbdgm.next', 'nbdgm.first', 'nbdgm.node_type', 'nbdgm.dgram_id', 'nbdgm.src.ip', 'nbdgm.src.port',
  'nbdgm.dgram_len', 'nbdgm.pkt_offset', 'nbdgm.error_code', 'nbdgm.source_name', 'nbdgm.destination_name',
  'smb.server_component', 'smb.cmd', 'smb.error_class', 'smb.reserved', 'smb.error_code', 'smb.flags', 'smb.flags.response',
  'smb.flags.caseless', 'smb.flags2', 'smb.flags2.string', 'smb.flags2.long_names_allowed', 'smb.pid.high', 'smb.signature',
  'smb.tid', 'smb.pid', 'smb.uid', 'smb.mid', 'smb.wct', 'smb.tpc', 'smb.tdc', 'smb.mpc', 'smb.mdc', 'smb.msc',
  'smb.transaction.flags', 'smb.transaction.flags.owt', 'smb.transaction.flags.dtid', 'smb.timeout', 'smb.pc', 'smb.po', 'smb.dc',
  'smb.data_offset', 'smb.sc', 'smb.bcc', 'smb.trans_name',
  'mailslot.opcode', 'mailslot.priority', 'mailslot.class', 'mailslot.size', 'mailslot.name',
  'browser.command', 'browser.update_count', 'browser.period', 'browser.server', 'browser.mb_server', 'browser.windows_version',
  'browser.os_major', 'browser.os_minor', 'browser.server_type', 'browser.server_type.workstation', 'browser.server_type.print',
  'browser.server_type.ntw', 'browser.server_type.browser.master', 'browser.server_type.w95', 'browser.server_type.domainenum',
  'browser.election.version', 'browser.proto_major', 'browser.proto_minor', 'browser.sig', 'browser.comment', 'browser.unused',
  'browser.response_computer_name', 'browser.election.criteria', 'browser.election.desire', 'browser.election.desire.wins',
  'browser.election.os', 'browser.election.os.ntw', 'browser.uptime', 'browser.backup.count', 'browser.backup.token',
  'browser.backup.server', 'browser.browser_to_promote', 'browser.mysterious_field',
  'nmpi.opcode', 'nmpi.name_type', 'nmpi.messageid',
  'tftp.opcode', 'tftp.source_file', 'tftp.destination_file', 'tftp.request_frame', 'tftp.type', 'tftp.block', 'tftp.block.full',
  'tftp.error.code', 'tftp.error.message', 'tftp.option.name', 'tftp.option.value', 'tftp.data', 'tftp.error',
];

const FRAMES: Record<string, string> = {
  /** Host Announcement (Windows 6.1) with a comment. */
  host: 'ffffffffffff02005e1000010800450000ea000100004011e9a8c0a8070ac0a807ff008a008a00d60000110e1234c0a8070a008a00c00000204542454d454a45444546434143414341434143414341434143414341434143410020464845504643454c45484643455046464641434143414341434143414341424e00ff534d422500000000000000000000000000000000000000000000000000000011000026000000000000000000e803000000000000000026005600030001000100020037005c4d41494c534c4f545c42524f57534500010380fc0a00414c49434500000000000000000000000601030a45000f0155aa48656c6c6f00',
  /** Local Master Announcement in a direct_unique datagram with both fragment flags, an unknown server type bit, 61.5 s periodicity. */
  local_master: 'ffffffffffff02005e1000010800450000ea000100004011e9a8c0a8070ac0a807ff008a008a00d6000010031234c0a8070a008a00c00000204542454d454a45444546434143414341434143414341434143414341434143410020464845504643454c45484643455046464641434143414341434143414341424e00ff534d422500000000000000000000000000000000000000000000000000000011000026000000000000000000e803000000000000000026005600030001000100020037005c4d41494c534c4f545c42524f575345000f033cf00000414c4943450000000000000000000000050209428c000f0155aa48656c6c6f00',
  /** Domain/Workgroup Announcement whose signature is 0xaa55 (protocol versions, not the mysterious field). */
  domain_sig: 'ffffffffffff02005e1000010800450000ea000100004011e9a8c0a8070ac0a807ff008a008a00d60000110e1234c0a8070a008a00c00000204542454d454a45444546434143414341434143414341434143414341434143410020464845504643454c45484643455046464641434143414341434143414341424e00ff534d422500000000000000000000000000000000000000000000000000000011000026000000000000000000e803000000000000000026005600030001000100020037005c4d41494c534c4f545c42524f575345000c0380fc0a00574f524b47524f5550000000000000000400001000800f0155aa414c49434500',
  /** Browser Election Request. */
  election: 'ffffffffffff02005e1000010800450000d6000100004011e9bcc0a8070ac0a807ff008a008a00c20000110e1234c0a8070a008a00ac0000204542454d454a45444546434143414341434143414341434143414341434143410020464845504643454c45484643455046464641434143414341434143414341424e00ff534d422500000000000000000000000000000000000000000000000000000011000012000000000000000000e803000000000000000012005600030001000100020023005c4d41494c534c4f545c42524f575345000801250f012115cd5b0700000000424f4200',
  /** Request Announcement in a broadcast datagram. */
  request_announce: 'ffffffffffff02005e1000010800450000cc000100004011e9c6c0a8070ac0a807ff008a008a00b80000120e1234c0a8070a008a00a20000204542454d454a45444546434143414341434143414341434143414341434143410020464845504643454c45484643455046464641434143414341434143414341424e00ff534d422500000000000000000000000000000000000000000000000000000011000008000000000000000000e803000000000000000008005600030001000100020019005c4d41494c534c4f545c42524f5753450002004341524f4c00',
  /** Get Backup List Response with two servers. */
  backup_response: 'ffffffffffff02005e1000010800450000d0000100004011e9c2c0a8070ac0a807ff008a008a00bc0000110e1234c0a8070a008a00a60000204542454d454a45444546434143414341434143414341434143414341434143410020464845504643454c45484643455046464641434143414341434143414341424e00ff534d42250000000000000000000000000000000000000000000000000000001100000c000000000000000000e80300000000000000000c00560003000100010002001d005c4d41494c534c4f545c42524f575345000a0207000000533100533200',
  /** Become Backup Browser. */
  become_backup: 'ffffffffffff02005e1000010800450000ca000100004011e9c8c0a8070ac0a807ff008a008a00b60000110e1234c0a8070a008a00a00000204542454d454a45444546434143414341434143414341434143414341434143410020464845504643454c45484643455046464641434143414341434143414341424e00ff534d422500000000000000000000000000000000000000000000000000000011000006000000000000000000e803000000000000000006005600030001000100020017005c4d41494c534c4f545c42524f575345000b4441564500',
  /** NBDGM datagram error (destination name not present). */
  error: 'ffffffffffff02005e100001080045000027000100004011ea6bc0a8070ac0a807ff008a008a0013000013020055c0a8070a008a82',
  /** NBDGM datagram query request. */
  query: 'ffffffffffff02005e100001080045000048000100004011ea4ac0a8070ac0a807ff008a008a0034000014020056c0a8070a008a2045464643454a454f43414341434143414341434143414341434143414341414100',
  /** A datagram that is not SMB: data. */
  not_smb: 'ffffffffffff02005e100001080045000079000100004011ea19c0a8070ac0a807ff008a008a00650000110e1234c0a8070a008a004f0000204542454d454a45444546434143414341434143414341434143414341434143410020464845504643454c45484643455046464641434143414341434143414341424e0068656c6c6f20776f726c64',
  /** Host Announcement whose comment has no NUL: malformed. */
  comment_unterminated: 'ffffffffffff02005e1000010800450000e7000100004011e9abc0a8070ac0a807ff008a008a00d30000110e1234c0a8070a008a00bd0000204542454d454a45444546434143414341434143414341434143414341434143410020464845504643454c45484643455046464641434143414341434143414341424e00ff534d422500000000000000000000000000000000000000000000000000000011000023000000000000000000e803000000000000000023005600030001000100020034005c4d41494c534c4f545c42524f57534500010380fc0a00414c49434500000000000000000000000601030000000f0155aa616263',
  /** TFTP write request with options (client 10.1.1.1:1234). */
  tftp_wrq: 'ffffffffffff02005e10000108004500003f00010000401164a90a0101010a01010204d20045002b0000000275702e62696e006f6374657400626c6b73697a65003136007473697a6500323100',
  /** OACK from the server's new port: block size 16. */
  tftp_oack: 'ffffffffffff02005e10000108004500003200010000401164b60a0101020a010101138804d2001e00000006626c6b73697a65003136007473697a6500323100',
  /** Data block 1 (16 bytes) between the new ports. */
  tftp_data1: 'ffffffffffff02005e10000108004500003000010000401164b80a0101010a01010204d21388001c00000003000141414141414141414141414141414141',
  /** Ack 1. */
  tftp_ack1: 'ffffffffffff02005e10000108004500002000010000401164c80a0101020a010101138804d2000c000000040001',
  /** Data block 2 (5 bytes, the last). */
  tftp_data2: 'ffffffffffff02005e10000108004500002500010000401164c30a0101010a01010204d2138800110000000300024242424242',
  /** Ack 2. */
  tftp_ack2: 'ffffffffffff02005e10000108004500002000010000401164c80a0101020a010101138804d2000c000000040002',
  /** Read request with an unknown mode: no conversation. */
  tftp_rrq: 'ffffffffffff02005e10000108004500003300010000401164b50a0101010a01010205140045001f000000016d697373696e672e747874006e6574617363696900',
  /** Read request, mode OCTET: a conversation from port 1301. */
  tftp_rrq_octet: 'ffffffffffff02005e10000108004500003000010000401164b80a0101010a01010205150045001c000000016d697373696e672e747874004f4354455400',
  /** Error 1 from the new port 5001. */
  tftp_error: 'ffffffffffff02005e10000108004500002f00010000401164b90a0101020a01010113890515001b00000005000146696c65206e6f7420666f756e6400',
  /** Error whose message has no NUL: malformed. */
  tftp_error_unterminated: 'ffffffffffff02005e10000108004500002600010000401164c20a0101020a01010113890515001200000005000264656e696564',
  /** Unknown opcode 9: tftp.data. */
  tftp_unknown_opcode: 'ffffffffffff02005e10000108004500002100010000401164c70a0101020a01010113890515000d00000009010203',
};

/** Corpus captures (support/corpus.ts finds the corpus) holding these protocols. */
const CORPUS_FILES = ['tcpdump/tests/eapon1.pcap', 'tcpdump/tests/ipx.pcap', 'tcpdump/tests/tftp.pcap', 'tcpdump/tests/tftp-heapoverflow.pcap'];
/** The frames of the corpus captures compared (the others hold protocols not dissected here, or differ in ARP). */
const CORPUS_FRAMES = 'nbdgm || smb || tftp';

const FILTERS = [
  'nbdgm', 'smb', 'mailslot', 'browser', 'tftp', 'nbdgm.type == 0x11', 'nbdgm.source_name == "ALICE<20>"', 'smb.cmd == 0x25',
  'mailslot.name == "\\\\MAILSLOT\\\\BROWSE"', 'browser.command == 0x01', 'browser.server_type.print == 1', 'browser.period > 60000',
  'tftp.opcode == 3', 'tftp.block.full == 2', 'tftp.request_frame == 12', 'tftp.option.name == "blksize"', 'data',
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

function assertAgrees(file: string, only?: string): void {
  const select = only ? ['-Y', only] : [];
  const fields = ['-T', 'fields', '-E', 'header=y', ...select, ...FIELDS.flatMap((f) => ['-e', f])];
  const [oursFields, theirFields] = [ours(file, fields), tshark(file, fields)];
  assert.equal(firstDifference(oursFields, theirFields), '', `-T fields of ${path.basename(file)}`);
  const [oursText, theirText] = [ours(file, ['-T', 'text', ...select]), tshark(file, select)];
  assert.equal(firstDifference(oursText, theirText), '', `summary lines of ${path.basename(file)}`);
}

test('built frames: NBDGM, SMB mailslot, browser and TFTP agree with tshark', { skip: NO_TSHARK }, () => {
  const file = path.join(tmp, 'built.pcap');
  writePcap(file, Object.values(FRAMES).map((hex) => Buffer.from(hex, 'hex')));
  assertAgrees(file);
  assertFiltersAgree(file, FILTERS);
});

test('corpus captures of NBDGM, SMB browser (over UDP and IPX) and TFTP agree with tshark', { skip: NO_TSHARK || NO_CORPUS }, () => {
  for (const relative of CORPUS_FILES) {
    const file = path.join(CORPUS.dir, relative);
    assert.ok(fs.existsSync(file), `corpus file ${relative} is missing from ${CORPUS.dir}`);
    assertAgrees(file, CORPUS_FRAMES);
  }
});
