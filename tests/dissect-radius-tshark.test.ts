/**
 * RADIUS (with the EAP it carries) against tshark 4.0: `-T fields` of its fields, frame.protocols
 * and the Protocol and Info columns, the summary lines (`-T text`) and display filters, on frames
 * this test builds (python3 struct, checked with tshark) and on the shared corpus captures that hold
 * RADIUS. Skipped when tshark is not installed or the corpus is missing.
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

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-radius-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const FIELDS = [
  'frame.protocols', '_ws.col.Protocol', '_ws.col.Info', 'data.data',
  'radius.code', 'radius.id', 'radius.length', 'radius.authenticator', 'radius.req', 'radius.rsp',
  'radius.reqframe', 'radius.time', 'radius.avp', 'radius.avp.type', 'radius.avp.length', 'radius.User_Name',
  'radius.User_Password_encrypted', 'radius.NAS_IP_Address', 'radius.NAS_Port', 'radius.Service_Type', 'radius.Framed_MTU', 'radius.Framed-IP-Address',
  'radius.Reply_Message', 'radius.State', 'radius.Called_Station_Id', 'radius.Calling_Station_Id', 'radius.NAS_Port_Type', 'radius.eap_fragment',
  'radius.Message_Authenticator', 'radius.Error_Cause', 'radius.egress_vlanid_tag', 'radius.egress_vlanid_pad', 'radius.egress_vlanid', 'radius.egress_vlan_name_tag',
  'radius.egress_vlan_name', 'radius.Ingress_Filters', 'radius.User_Priority_Table', 'radius.Framed_IPv6_Prefix', 'radius.NAS_IPv6_Address', 'radius.MIP6_Feature_Vector',
  'radius.MIP6_Home_Link_Prefix', 'radius.Multi_Link_Flag', 'radius.Location_Information', 'radius.Location_Data', 'radius.Basic_Location_Policy_Rules', 'radius.Unknown_Attribute',
  'radius.Tunnel_Type', 'radius.Tunnel_Type.tag', 'radius.Tunnel_Password_encrypted', 'radius.Tunnel_Password.tag', 'radius.Event_Timestamp', 'radius.Acct_Status_Type',
  'radius.PMIP6_Home_IPv4_HoA', 'eap.code', 'eap.id', 'eap.len', 'eap.type', 'eap.identity',
  'eap.md5.value_size', 'eap.md5.value', 'eap.md5.extra_data', 'radius.Tunnel_Private_Group_Id', 'radius.Tunnel_Private_Group_Id.tag', 'radius.Acct_Session_Id',
  'radius.Session_Timeout', 'radius.Class', 'radius.Framed_Interface_Id',
];

/** Ethernet + IPv4 + UDP frames, 10.0.0.1:1645 → 10.0.0.2:1812 unless said. */
const FRAMES: Record<string, string> = {
  /** Access-Request: User-Name, User-Password, NAS-IP-Address, NAS-Port, NAS-Port-Type, Service-Type, Called-Station-Id, Message-Authenticator. */
  access_request: '02005e10000202005e10000108004500007d00010000401100000a0000010a000002066d07140069000001070061111111111111111111111111111111110107616c69636502125a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a0406c0a801010506000000113d06000000130606000000021e0a30302d31312d3232501233333333333333333333333333333333',
  /** Its Access-Accept (the reverse direction): Framed-IP-Address "Assigned", Framed-MTU, Session-Timeout, Reply-Message, Class. */
  access_accept: '02005e10000202005e10000108004500004f00010000401100000a0000020a0000010714066d003b000002070033111111111111111111111111111111110806fffffffe0c06000005dc1b0600000e10120957656c636f6d6519040102',
  /** Accounting-Request on 1646/1813: Acct-Status-Type, Acct-Session-Id, Event-Timestamp, 2- and 8-byte NAS-Port, a short NAS-IP-Address, Framed-Interface-Id, IPv6 prefixes (bad reserved byte, good), NAS-IPv6-Address. */
  accounting: '02005e10000202005e10000108004500007f00010000401100000a0000010a000002066e0715006b000004090063111111111111111111111111111111112806000000012c08736573732d3137065f00000005040001050a00000000000000050405010203600a0102030405060708610401406108004020010db85f1220010db8000000000000000000000001',
  /** Unknown attribute 21, tagged Tunnel-Type and Tunnel-Password, Tunnel-Private-Group-Id with and without a tag, a User-Name with control and non-UTF-8 bytes, Framed-IP-Address, a 6-byte integer. */
  tunnel_unknown: '02005e10000202005e10000108004500006600010000401100000a0000010a000002066d071400520000010a004a11111111111111111111111111111111150401024006010000034505014142510602677270510567727001086101625c63e908060a0000050806ffffffff7e08000000000000',
  /** CoA-Request on 3799: Egress-VLANID, Egress-VLAN-Name, Ingress-Filters, Error-Cause. */
  coa_vlan: '02005e10000202005e10000108004500004a00010000401100000a0000010a0000020ed70ed7003600002b0b002e1111111111111111111111111111111138063100007b3a0832766c616e393906000000016506000000c9',
  /** An AVP of length 1. */
  avp_too_short: '02005e10000202005e10000108004500003800010000401100000a0000010a000002066d071400240000010c001c111111111111111111111111111111110104616201010000',
  /** An AVP of length 0. */
  avp_zero: '02005e10000202005e10000108004500003600010000401100000a0000010a000002066d071400220000010d001a11111111111111111111111111111111010461620100',
  /** An AVP running past the RADIUS length. */
  avp_past_end: '02005e10000202005e10000108004500003900010000401100000a0000010a000002066d071400250000010e001d11111111111111111111111111111111010461620109616263',
  /** One byte left for an AVP header. */
  avp_half_header: '02005e10000202005e10000108004500003500010000401100000a0000010a000002066d071400210000010f0019111111111111111111111111111111110104616201',
  /** Status-Server without attributes. */
  header_only: '02005e10000202005e10000108004500003000010000401100000a0000010a000002066d0714001c00000c10001411111111111111111111111111111111',
  /** Length 24 in a 28-byte datagram: the last AVP is not dissected. */
  trailing_bytes: '02005e10000202005e10000108004500003800010000401100000a0000010a000002066d07140024000001110018111111111111111111111111111111110104616201046364',
  /** Two EAP-Message segments of one EAP Response/Identity, then a Message-Authenticator. */
  eap_segments: '02005e10000202005e10000108004500005100010000401100000a0000010a000002066d0714003d000001120035111111111111111111111111111111114f090205000b0161624f0663646566501200000000000000000000000000000000',
  /** Access-Challenge with an EAP-MD5 challenge and a State. */
  eap_md5: '02005e10000202005e10000108004500005200010000401100000a0000020a0000010714066d003e00000b120036111111111111111111111111111111114f18010600160410000102030405060708090a0b0c0d0e0f180a4444444444444444',
  /** EAP whose length passes its segments: EAP malformed, the AVPs end there. */
  eap_bad: '02005e10000202005e10000108004500004e00010000401100000a0000010a000002066d0714003a000001130032111111111111111111111111111111114f0702000009014f05626364501200000000000000000000000000000000',
  /** Code 99: declined (data). */
  unknown_code: '02005e10000202005e10000108004500003400010000401100000a0000010a000002066d071400200000631400181111111111111111111111111111111101046162',
  /** Length 19: declined (data). */
  short_length: '02005e10000202005e10000108004500003400010000401100000a0000010a000002066d071400200000011500131111111111111111111111111111111101046162',
  /** Length 40 in a 24-byte datagram: malformed. */
  length_past_datagram: '02005e10000202005e10000108004500003400010000401100000a0000010a000002066d071400200000011600281111111111111111111111111111111101046162',
  /** An empty User-Name. */
  empty_string: '02005e10000202005e10000108004500003200010000401100000a0000010a000002066d0714001e000001170016111111111111111111111111111111110102',
};

/** Corpus captures (support/corpus.ts finds the corpus) holding RADIUS. */
const CORPUS_FILES = [
  'tcpdump/tests/RADIUS.pcap', 'tcpdump/tests/RADIUS-RFC3162.pcap', 'tcpdump/tests/RADIUS-RFC4675.pcap', 'tcpdump/tests/RADIUS-RFC5176.pcap',
  'tcpdump/tests/RADIUS-RFC5176-2.pcap', 'tcpdump/tests/RADIUS-RFC5580.pcap', 'tcpdump/tests/RADIUS-port1700.pcap', 'tcpdump/tests/radius_rfc5447.pcap',
  'tcpdump/tests/radius_rfc5447_invalid_length.pcap',
];

const FILTERS = [
  'radius', 'eap', 'radius.code == 2', 'radius.req', 'radius.rsp', 'radius.reqframe == 1', 'radius.time >= 0', 'radius.avp.type == 79',
  'radius.User_Name == "alice"', 'radius.NAS_Port_Type == 19', 'radius.Framed-IP-Address == 255.255.255.254', 'radius.Tunnel_Type.tag == 1',
  'radius.egress_vlanid == 123', 'radius.egress_vlan_name contains "vlan"', 'radius.Unknown_Attribute', 'eap.type == 4', 'eap.identity == "abcdef"',
  'radius.NAS_IPv6_Address == 2001:db8::1', 'radius.Error_Cause == 201', 'radius.length > 50',
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

test('built frames: RADIUS agrees with tshark', { skip: NO_TSHARK }, () => {
  const file = path.join(tmp, 'built.pcap');
  writePcap(file, Object.values(FRAMES).map((hex) => Buffer.from(hex, 'hex')));
  assertAgrees(file);
  assertFiltersAgree(file, FILTERS);
});

test('corpus captures of RADIUS agree with tshark', { skip: NO_TSHARK || NO_CORPUS }, () => {
  // The captures merged into one file (support/merge.ts): one start of each tool, not one per
  // capture. radius_rfc5447_invalid_length.pcap repeats radius_rfc5447.pcap's request, which tshark
  // then marks a duplicate (not detected here yet): it goes on its own.
  const apart = (relative: string) => relative.endsWith('radius_rfc5447_invalid_length.pcap');
  const files = [
    ...corpusAsOne(CORPUS.dir, CORPUS_FILES.filter((r) => !apart(r)), path.join(tmp, 'corpus.pcapng')),
    ...CORPUS_FILES.filter(apart).map((relative) => path.join(CORPUS.dir, relative)),
  ];
  for (const file of files) {
    assertAgrees(file);
    assertFiltersAgree(file, FILTERS);
  }
});
