/**
 * SNMP (app/dissect/snmp.ts) against tshark 4.0: `-T fields` of every snmp field tshark registers,
 * frame.protocols, the Protocol and Info columns and udp.stream, the summary lines (`-T text`) and
 * display filters on snmp fields — on frames this test builds (v1/v2c/v3 messages, every value type,
 * engine ID formats, errors, a cut capture, bytes after the message, payloads that are not SNMP), on
 * the shared corpus capture that quotes SNMP in an ICMP error, and on real traffic between network
 * namespaces: Debian's snmpd and snmptrapd in one, the net-snmp tools in the other (get, getnext,
 * bulkwalk, set refused, SNMPv1, v2c and v3 noAuthNoPriv / authNoPriv / authPriv, a wrong password
 * and an unknown user, a v2c trap and inform, v1 traps). Skipped when tshark (or, for the live test,
 * root, tcpdump, snmpd, snmptrapd or the snmp tools) is missing; fails when the corpus is.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { corpusLocation } from './support/corpus';
import { createNetnsPair, finished, sleep, waitForStderr, waitForStdout } from './support/netns';
import { assertFiltersAgree, firstDifference } from './support/agree';
import { sievecap } from './support/sievecap';
import { udpFrame } from '../app/dissect/test-frames';

const NO_TSHARK = spawnSync('tshark', ['--version']).status !== 0 ? 'tshark is not installed (apt-get install tshark)' : false;
const CORPUS = corpusLocation();
const NO_CORPUS = fs.existsSync(CORPUS.dir) ? false : `the shared corpus is missing: looked in ${CORPUS.dir} (${CORPUS.from})`;
const NOT_ROOT = process.getuid?.() !== 0 ? 'needs root to create network namespaces' : false;
const NO_TCPDUMP = spawnSync('tcpdump', ['--version']).status !== 0 ? 'tcpdump is not installed' : false;
const NO_SNMPD = ['snmpd', 'snmptrapd'].some((t) => spawnSync(t, ['-v']).error !== undefined) ? 'snmpd or snmptrapd is not installed (apt-get install snmpd snmptrapd)' : false;
const NO_SNMP_TOOLS = spawnSync('snmpget', ['--version']).error !== undefined ? 'the net-snmp tools are not installed (apt-get install snmp)' : false;

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-snmp-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Every field tshark 4.0 registers for snmp (tshark -G fields), and the columns. */
const FIELDS = [
  'frame.protocols', '_ws.col.Protocol', '_ws.col.Info', 'udp.stream', 'data.data', 'snmp.SMUX_PDUs', 'snmp.VarBind_element',
  'snmp.agent_addr', 'snmp.agentid_trailer', 'snmp.authentication_error', 'snmp.authentication_ok', 'snmp.close',
  'snmp.column_parent_not_row', 'snmp.commitOrRollback', 'snmp.community', 'snmp.contextEngineID', 'snmp.contextName',
  'snmp.data', 'snmp.datav2u', 'snmp.decrypted_data_bad_formatted', 'snmp.decrypted_pdu', 'snmp.description', 'snmp.encrypted',
  'snmp.encryptedPDU', 'snmp.endOfMibView', 'snmp.engineid.cisco.type', 'snmp.engineid.conform', 'snmp.engineid.data',
  'snmp.engineid.enterprise', 'snmp.engineid.format', 'snmp.engineid.ipv4', 'snmp.engineid.ipv6', 'snmp.engineid.mac',
  'snmp.engineid.text', 'snmp.engineid.time', 'snmp.enterprise', 'snmp.error_index', 'snmp.error_status',
  'snmp.failed_decrypted_data_pdu', 'snmp.generic_trap', 'snmp.getBulkRequest_element', 'snmp.get_next_request_element',
  'snmp.get_request_element', 'snmp.get_response_element', 'snmp.identity', 'snmp.index_string_too_long',
  'snmp.index_suboid_too_long', 'snmp.index_suboid_too_short', 'snmp.informRequest_element', 'snmp.int_too_large',
  'snmp.integral_value0', 'snmp.invalid_oid', 'snmp.max_repetitions', 'snmp.missing_mib', 'snmp.msgAuthenticationParameters',
  'snmp.msgAuthoritativeEngineBoots', 'snmp.msgAuthoritativeEngineID', 'snmp.msgAuthoritativeEngineTime', 'snmp.msgData',
  'snmp.msgFlags', 'snmp.msgGlobalData_element', 'snmp.msgID', 'snmp.msgMaxSize', 'snmp.msgPrivacyParameters',
  'snmp.msgSecurityModel', 'snmp.msgSecurityParameters', 'snmp.msgUserName', 'snmp.msgVersion', 'snmp.name', 'snmp.name.index',
  'snmp.ndex_suboid_len0', 'snmp.noSuchInstance', 'snmp.noSuchObject', 'snmp.no_instance_subid', 'snmp.non_repeaters',
  'snmp.objectname_has_indicator', 'snmp.objectname_not_oid', 'snmp.open', 'snmp.operation', 'snmp.pDUs', 'snmp.parameters',
  'snmp.password', 'snmp.plaintext', 'snmp.plaintext_element', 'snmp.priority', 'snmp.rRspPDU', 'snmp.registerRequest_element',
  'snmp.registerResponse', 'snmp.report_element', 'snmp.request_id', 'snmp.response_in', 'snmp.response_to',
  'snmp.rfc1910_non_conformant', 'snmp.rfc3411_non_conformant', 'snmp.set_request_element', 'snmp.smux_simple_element',
  'snmp.smux_version', 'snmp.snmpV2_trap_element', 'snmp.specific_trap', 'snmp.subtree', 'snmp.time', 'snmp.time_stamp',
  'snmp.trap_element', 'snmp.trap_pdu_obsolete', 'snmp.uint_too_large', 'snmp.unSpecified', 'snmp.unimplemented_instance_index',
  'snmp.v3.auth', 'snmp.v3.flags.auth', 'snmp.v3.flags.crypt', 'snmp.v3.flags.report', 'snmp.value.addr', 'snmp.value.counter',
  'snmp.value.g32', 'snmp.value.int', 'snmp.value.ipv4', 'snmp.value.ipv6', 'snmp.value.nsap', 'snmp.value.null',
  'snmp.value.octets', 'snmp.value.oid', 'snmp.value.opaque', 'snmp.value.timeticks', 'snmp.value.u32', 'snmp.value.unk',
  'snmp.valueType_element', 'snmp.value_not_primitive_encoding', 'snmp.var-bind_str', 'snmp.varbind.has_indicator',
  'snmp.varbind.not_uni_class_seq', 'snmp.varbind.response', 'snmp.varbind.wrong_class_tag', 'snmp.varbind.wrong_length_value',
  'snmp.varbind.wrong_tag', 'snmp.variable_bindings', 'snmp.verify_authentication_error', 'snmp.version', 'snmp.version.unknown',
  'snmp.wrong_num_of_subids',
];

/**
 * UDP payloads: source port, destination port, whether it goes back (10.0.0.2 → 10.0.0.1), the
 * payload, and how many bytes of the Ethernet frame were captured when not all.
 */
const BUILT: ReadonlyArray<readonly [number, number, boolean, string, number?]> = [
  [40000, 161, false, '308201ba02010104067075626c6963a28201ab0201070201000201003082019e301706082b06010201010100040b68656c6c6f01776f726c64301106082b060102010105000405636166c3a9300c06082b060102010106000400300d06082b060102010107000201fb301006082b0601020101070102047fffffff301006082b060102010107024204ffffffff301106082b06010201010703420500ffffffff300e06082b0601020101070447020100301506082b06010201010705460900ffffffffffffffff301406082b060102010107064608ffffffffffffffff301006082b0601020101070744049f780441301406082b0601020101070845080102030405060708301c06082b060102010107094010000102030405060708090a0b0c0d0e0f301206082b0601020101070a4006000102030405300e06082b0601020101070b49020102300c06082b0601020101070c8200304806082b0601020101070d043c000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f303132333435363738393a3b300e06082b0601020101070e43020080300d06082b0601020101070f4101ff'],
  [40000, 161, false, '301f020101040178a517020163020101020105300c300a06062b06010201020500'],
  [40001, 162, false, '302702010104067075626c6963a41a06072b0601040109014004010203040201030201004301053000'],
  [40002, 162, false, '303802010004067075626c6963a42b060a2b06010401823702020a40040102030402010602014d430105300e300c06082b060105050703010500'],
  [40003, 161, false, '303302010104026332a22a020107020100020100301f300c06082b060102010101008300300f06082b060102010102003003020101'],
  [40004, 161, false, '305102010104026333a248020107020100020100303d300c06082b060102010101000200301606082b06010201010300410a00000000000000000000301506082b060102010104000209000000000000000000'],
  [40005, 161, false, '302602010104067075626c6963a019020107020100020100300e300c06082b060102010101000500dead'],
  [40006, 161, false, '301002010168656c6c6f'],
  [40007, 161, false, '68656c6c6f20776f726c64'],
  [40008, 161, false, '300d0201020406706172616d733000'],
  [40009, 161, false, '3006020105040178'],
  [40010, 161, false, '303402010104067075626c6963a027020107020100020100301c300c06082b060102010101000500300c06082b060102010102000500', 86],
  [40011, 161, false, '302602010104067075626c6963a019020107020100020100300e300c06082b060102010130000500'],
  [41013, 161, false, '3062020103300e02023039020205dc040104020103041d301b040c800000090300aabbccddeeff02010302016404017504000400302e040c800000090300aabbccddeeff0403637478a019020107020100020100300e300c06082b060102010101000500'],
  [41014, 161, false, '3064020103300e02023039020205dc040104020103041e301c040d80000009030000aabbccddeeff02010302016404017504000400302f040d80000009030000aabbccddeeff0403637478a019020107020100020100300e300c06082b060102010101000500'],
  [41015, 161, false, '305c020103300e02023039020205dc040104020103041a3018040980000009030102030402010302016404017504000400302b04098000000903010203040403637478a019020107020100020100300e300c06082b060102010101000500'],
  [41016, 161, false, '3074020103300e02023039020205dc04010402010304263024041580000009020000000000000000000000000000000002010302016404017504000400303704158000000902000000000000000000000000000000000403637478a019020107020100020100300e300c06082b060102010101000500'],
  [41017, 161, false, '306a020103300e02023039020205dc0401040201030421301f04108000000904656e67696e652d7465787402010302016404017504000400303204108000000904656e67696e652d746578740403637478a019020107020100020100300e300c06082b060102010101000500'],
  [41018, 161, false, '3058020103300e02023039020205dc040104020103041830160407800000090501020201030201640401750400040030290407800000090501020403637478a019020107020100020100300e300c06082b060102010101000500'],
  [41019, 161, false, '3062020103300e02023039020205dc040104020103041d301b040c00000009010203040506070802010302016404017504000400302e040c0000000901020304050607080403637478a019020107020100020100300e300c06082b060102010101000500'],
  [41020, 161, false, '3054020103300e02023039020205dc0401040201030416301404050000000901020103020164040175040004003027040500000009010403637478a019020107020100020100300e300c06082b060102010101000500'],
  [41021, 161, false, '3064020103300e02023039020205dc040104020103041e301c040d80001f8880010203046162636402010302016404017504000400302f040d80001f888001020304616263640403637478a019020107020100020100300e300c06082b060102010101000500'],
  [41022, 161, false, '306c020103300e02023039020205dc04010402010304223020041180001f8880010203046162636465666768020103020164040175040004003033041180001f88800102030461626364656667680403637478a019020107020100020100300e300c06082b060102010101000500'],
  [41023, 161, false, '305a020103300e02023039020205dc040104020103041930170408800000090101020302010302016404017504000400302a040880000009010102030403637478a019020107020100020100300e300c06082b060102010101000500'],
  [41024, 161, false, '304c020103300e02023039020205dc040104020103041230100401800201030201640401750400040030230401800403637478a019020107020100020100300e300c06082b060102010101000500'],
  [41025, 161, false, '305c020103300e02023039020205dc040104020103041a30180409800007e580aabbccdd02010302016404017504000400302b0409800007e580aabbccdd0403637478a019020107020100020100300e300c06082b060102010101000500'],
  [42000, 161, false, '3046020103300e02023039020205dc04010402010204020102302d040b80000009030001020304050403637478a019020107020100020100300e300c06082b060102010101000500'],
  [42001, 161, false, '3067020103300e02023039020205dc040103020103041e301c040d80001f88800102030461626364020103020164040175040004000432000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f3031'],
  [42002, 161, false, '3049020103300d02023039020205dc04000201030411300f040002010302016404017504000400302204000403637478a019020107020100020100300e300c06082b060102010101000500'],
  [40020, 161, false, '302602010104067075626c6963a01902012a020100020100300e300c06082b060102010103000500'],
  [40020, 161, true, '302802010104067075626c6963a21b02012a0201000201003010300e06082b0601020101030043020102'],
  [40020, 161, true, '302802010104067075626c6963a21b02012b0201000201003010300e06082b0601020101030043020102'],
  [40021, 162, false, '302702010104067075626c6963a61a02012c020100020100300f300d06082b06010201010300430101'],
  [40021, 162, true, '302702010104067075626c6963a21a02012c020100020100300f300d06082b06010201010300430101'],
];

/** Corpus captures (support/corpus.ts finds the corpus) holding SNMP. */
const CORPUS_FILES = ['tcpdump/tests/icmp-cksum-oobr-3.pcapng'];

const FILTERS = [
  'snmp', 'snmp.version == 1', 'snmp.community == "public"', 'snmp.data == 2', 'snmp.name == 1.3.6.1.2.1.1.1.0', 'snmp.value.int < 0',
  'snmp.value.counter > 1000', 'snmp.noSuchObject || snmp.noSuchInstance || snmp.endOfMibView', 'snmp.msgUserName == "authuser"',
  'snmp.v3.flags.crypt == 1', 'snmp.encryptedPDU', 'snmp.response_to', 'snmp.time > 0', 'snmp.engineid.enterprise == 8072', 'snmp.error_status != 0',
  'snmp.trap_element', 'snmp.enterprise', 'snmp.value.ipv4 == 10.0.0.1', 'snmp.var-bind_str contains "Linux"', 'snmp.value.oid', 'data',
];

/** Filters for the live capture (each one runs both tools once more: a few). */
const LIVE_FILTERS = ['snmp.response_to', 'snmp.msgUserName == "authuser"', 'snmp.encryptedPDU', 'snmp.value.counter > 1000', 'snmp.noSuchObject || snmp.noSuchInstance'];

/** tshark with the engine IDs' creation times in UTC, as sievecap prints them. */
function tshark(file: string, args: string[]): string {
  const r = spawnSync('tshark', ['-r', file, '-n', ...args], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, env: { ...process.env, TZ: 'UTC' } });
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

/** A pcap of Ethernet frames, a quarter second apart, each possibly cut short. */
function writeFrames(file: string, frames: ReadonlyArray<{ data: Buffer; captured?: number }>): void {
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b2c3d4, 0);
  header.writeUInt16LE(2, 4);
  header.writeUInt16LE(4, 6);
  header.writeUInt32LE(65535, 16);
  header.writeUInt32LE(1, 20);
  const parts: Buffer[] = [header];
  frames.forEach(({ data, captured }, i) => {
    const bytes = data.subarray(0, captured ?? data.length);
    const record = Buffer.alloc(16);
    record.writeUInt32LE(1000 + Math.floor(i / 4), 0);
    record.writeUInt32LE((i % 4) * 250000, 4);
    record.writeUInt32LE(bytes.length, 8);
    record.writeUInt32LE(data.length, 12);
    parts.push(record, bytes);
  });
  fs.writeFileSync(file, Buffer.concat(parts));
}

test('built frames: SNMP agrees with tshark', { skip: NO_TSHARK }, () => {
  const file = path.join(tmp, 'built.pcap');
  writeFrames(file, BUILT.map(([src, dst, reply, hex, captured]) => ({
    data: reply ? udpFrame(dst, src, Buffer.from(hex, 'hex'), undefined, true) : udpFrame(src, dst, Buffer.from(hex, 'hex')),
    captured,
  })));
  assert.match(ours(file, ['-T', 'text']), /SNMP .*get-response 1\.3\.6\.1\.2\.1\.1\.3\.0/);
  assertAgrees(file, FILTERS);
});

test('corpus captures holding SNMP agree with tshark', { skip: NO_TSHARK || NO_CORPUS }, () => {
  for (const relative of CORPUS_FILES) {
    const file = path.join(CORPUS.dir, relative);
    assert.ok(fs.existsSync(file), `missing corpus file ${file}`);
    assertAgrees(file, ['snmp', 'snmp.name']);
  }
});

/** The agent's configuration: communities, three SNMPv3 users (none, SHA, SHA+AES), where it keeps its state. */
function snmpdConfig(dir: string, ipB: string): string {
  return [
    `agentAddress udp:${ipB}:161`,
    'rocommunity public default',
    'rwcommunity private default .1.3.6.1.2.1.1.6',
    'createUser noauth',
    'createUser authuser SHA "authpassword1"',
    'createUser privuser SHA "authpassword1" AES "privpassword1"',
    'rouser noauth noauth',
    'rouser authuser auth',
    'rouser privuser priv',
    'sysLocation lab',
    'sysContact me@example.org',
    `persistentDir ${dir}`,
    '',
  ].join('\n');
}

test('real traffic between namespaces: net-snmp agent, trap receiver and tools agree with tshark', { skip: NO_TSHARK || NOT_ROOT || NO_TCPDUMP || NO_SNMPD || NO_SNMP_TOOLS }, async () => {
  const pair = createNetnsPair();
  const state = path.join(tmp, 'state');
  fs.mkdirSync(state, { recursive: true });
  const snmpdConf = path.join(tmp, 'snmpd.conf');
  const trapdConf = path.join(tmp, 'snmptrapd.conf');
  fs.writeFileSync(snmpdConf, snmpdConfig(state, pair.ipB));
  fs.writeFileSync(trapdConf, `snmpTrapdAddr udp:${pair.ipB}:162\ndisableAuthorization yes\n`);
  const file = path.join(tmp, 'snmp.pcap');
  // No MIBs: numeric OIDs only, and nothing read from the system's configuration (-C).
  const env = ['env', `SNMP_PERSISTENT_DIR=${state}`, 'MIBS=', `MIBDIRS=${tmp}`];
  const log: string[] = [];
  try {
    const agent = pair.spawn(pair.nsB, [...env, 'snmpd', '-f', '-Lo', '-C', '-c', snmpdConf, '-M', tmp, '-m', '']);
    const agentDone = finished(agent);
    const receiver = pair.spawn(pair.nsB, [...env, 'snmptrapd', '-f', '-Lo', '-C', '-c', trapdConf, '-M', tmp, '-m', '']);
    const receiverDone = finished(receiver);
    const td = pair.spawn(pair.nsA, ['tcpdump', '--immediate-mode', '-i', pair.vethA, '-w', file, 'udp']);
    const done = finished(td);
    try {
      await Promise.all([
        waitForStdout(agent, /NET-SNMP version/, 'snmpd'),
        waitForStdout(receiver, /NET-SNMP version/, 'snmptrapd'),
        waitForStderr(td, /listening on/),
      ]);
      await sleep(300);
      const B = pair.ipB;
      const v3auth = ['-v3', '-l', 'authNoPriv', '-u', 'authuser', '-a', 'SHA', '-A', 'authpassword1'];
      const commands: string[][] = [
        ['snmpget', '-v1', '-c', 'public', B, '.1.3.6.1.2.1.1.1.0', '.1.3.6.1.2.1.1.3.0'],
        ['snmpget', '-v2c', '-c', 'public', B, '.1.3.6.1.2.1.1.5.0', '.1.3.6.1.2.1.1.99.0', '.1.3.6.1.2.1.1.3'],
        ['snmpgetnext', '-v1', '-c', 'public', B, '.1.3.6.1.2.1.1.1.0'],
        ['snmpgetnext', '-v2c', '-c', 'public', B, '.1.3.6.1.2.1.2.2.1.6'],
        ['snmpbulkwalk', '-v2c', '-c', 'public', '-Cr10', B, '.1.3.6.1.2.1.1'],
        ['snmpbulkget', '-v2c', '-c', 'public', '-Cn1', '-Cr3', B, '.1.3.6.1.2.1.1.1', '.1.3.6.1.2.1.4.20'],
        ['snmpget', '-v2c', '-c', 'public', B, `.1.3.6.1.2.1.4.20.1.1.${B}`, '.1.3.6.1.2.1.2.2.1.10.1', '.1.3.6.1.2.1.31.1.1.1.6.1', '.1.3.6.1.2.1.25.1.1.0'],
        ['snmpset', '-v2c', '-c', 'public', B, '.1.3.6.1.2.1.1.5.0', 's', 'newname'],
        ['snmpset', '-v1', '-c', 'private', B, '.1.3.6.1.2.1.1.4.0', 's', 'x'],
        ['snmpset', '-v2c', '-c', 'private', B, '.1.3.6.1.2.1.1.6.0', 's', 'here'],
        ['snmpget', '-v2c', '-c', 'wrong', '-r', '0', B, '.1.3.6.1.2.1.1.1.0'],
        ['snmpget', '-v3', '-l', 'noAuthNoPriv', '-u', 'noauth', B, '.1.3.6.1.2.1.1.1.0'],
        ['snmpget', ...v3auth, B, '.1.3.6.1.2.1.1.1.0', '.1.3.6.1.2.1.1.2.0'],
        ['snmpgetnext', '-v3', '-l', 'authPriv', '-u', 'privuser', '-a', 'SHA', '-A', 'authpassword1', '-x', 'AES', '-X', 'privpassword1', B, '.1.3.6.1.2.1.1.1.0'],
        ['snmpget', '-v3', '-l', 'authNoPriv', '-u', 'authuser', '-a', 'SHA', '-A', 'wrongpassword', B, '.1.3.6.1.2.1.1.1.0'],
        ['snmpget', '-v3', '-l', 'noAuthNoPriv', '-u', 'nosuchuser', B, '.1.3.6.1.2.1.1.1.0'],
        ['snmptrap', '-v2c', '-c', 'public', `${B}:162`, '', '.1.3.6.1.6.3.1.1.5.1', '.1.3.6.1.2.1.1.5.0', 's', 'hello'],
        ['snmpinform', '-v2c', '-c', 'public', `${B}:162`, '', '.1.3.6.1.6.3.1.1.5.3', '.1.3.6.1.2.1.2.2.1.1.2', 'i', '2', '.1.3.6.1.2.1.1.3.0', 't', '1234',
          '.1.3.6.1.2.1.4.20.1.1.1.2.3.4', 'a', '1.2.3.4', '.1.3.6.1.2.1.2.2.1.10.1', 'c', '99', '.1.3.6.1.2.1.2.2.1.5.1', 'u', '1000',
          '.1.3.6.1.2.1.31.1.1.1.6.1', 'C', '123456789012', '.1.3.6.1.2.1.1.2.0', 'o', '.1.3.6.1.4.1.8072', '.1.3.6.1.2.1.1.9.1.3.1', 'x', '0001ff'],
        ['snmptrap', '-v1', '-c', 'public', `${B}:162`, '.1.3.6.1.4.1.8072.3.2.10', pair.ipA, '6', '17', '', '.1.3.6.1.2.1.1.5.0', 's', 'hi'],
        ['snmptrap', '-v1', '-c', 'public', `${B}:162`, '', pair.ipA, '2', '0', '', '.1.3.6.1.2.1.2.2.1.1.1', 'i', '1'],
      ];
      for (const [tool, ...args] of commands) {
        // Numeric OIDs out, one try of at most a second (the wrong community gets no answer).
        const r = spawnSync('ip', ['netns', 'exec', pair.nsA, 'env', 'MIBS=', `MIBDIRS=${tmp}`, tool!, '-On', '-t', '1', '-r', '0', ...args], { timeout: 15000, encoding: 'utf8' });
        log.push(`${tool} ${args.join(' ')}: ${r.status} ${r.stdout}${r.stderr}`);
      }
      await sleep(500);
    } finally {
      td.kill('SIGINT');
      if (agent.pid) agent.kill('SIGTERM');
      if (receiver.pid) receiver.kill('SIGTERM');
      await done;
      await agentDone;
      await receiverDone;
    }
    const summary = tshark(file, []);
    for (const shown of ['get-request', 'get-next-request', 'getBulkRequest', 'set-request', 'get-response', 'report', 'encryptedPDU: privKey Unknown', 'snmpV2-trap', 'informRequest', 'trap iso.3.6.1.4.1.8072.3.2.10']) {
      assert.ok(summary.includes(` ${shown}`), `no ${shown} in:\n${summary}\n${log.join('\n')}`);
    }
    assertAgrees(file, LIVE_FILTERS);
  } finally {
    pair.destroy();
  }
});
