/**
 * 802.2 LLC and the link-layer protocols after it or on their own ethertypes (STP/RSTP/MSTP/PVST+,
 * UDLD, DTP, LLDP, Slow Protocols with LACP, EAPOL with the EAP header) against tshark 4.0: `-T fields` of
 * their fields, frame.protocols and the Protocol and Info columns, the summary lines (`-T text`)
 * and display filters, on frames this test builds (python3 struct, checked with tshark) and on the
 * shared corpus captures that hold these protocols (only their frames: the captures also carry
 * CDP, VTP, IS-IS, IPX and others not dissected yet). Skipped when tshark is not installed or the corpus is
 * missing.
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

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-l2-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

// llc.type is left out: asking tshark 4.0 for it empties its eth.padding column.
const FIELDS = [
  'frame.protocols', '_ws.col.Protocol', '_ws.col.Info', 'eth.len', 'eth.padding', 'eth.trailer', 'eth.fcs', 'vlan.len',
  'data.data', 'llc.dsap', 'llc.dsap.sap', 'llc.dsap.ig', 'llc.ssap', 'llc.ssap.sap', 'llc.ssap.cr', 'llc.control',
  'llc.control.p', 'llc.control.f', 'llc.control.u_modifier_cmd', 'llc.control.u_modifier_resp', 'llc.control.ftype',
  'llc.control.n_r', 'llc.control.n_s', 'llc.control.s_ftype', 'llc.oui', 'llc.pid', 'llc.cisco_pid', 'stp.protocol',
  'stp.version', 'stp.type', 'stp.flags', 'stp.flags.tcack', 'stp.flags.agreement', 'stp.flags.forwarding', 'stp.flags.learning',
  'stp.flags.port_role', 'stp.flags.proposal', 'stp.flags.tc', 'stp.root.prio', 'stp.root.ext', 'stp.root.hw', 'stp.root.cost',
  'stp.bridge.prio', 'stp.bridge.ext', 'stp.bridge.hw', 'stp.port', 'stp.msg_age', 'stp.max_age', 'stp.hello', 'stp.forward',
  'stp.version_1_length', 'stp.pvst.tlvtype', 'stp.pvst.tlvlen', 'stp.pvst.origvlan', 'mstp.version_3_length',
  'mstp.config_format_selector', 'mstp.config_name', 'mstp.config_revision_level', 'mstp.config_digest',
  'mstp.cist_internal_root_path_cost', 'mstp.cist_bridge.prio', 'mstp.cist_bridge.ext', 'mstp.cist_bridge.hw',
  'mstp.cist_remaining_hops', 'mstp.msti.flags', 'mstp.msti.priority', 'mstp.msti.msti_id', 'mstp.msti.root.hw',
  'mstp.msti.root_cost', 'mstp.msti.bridge_priority', 'mstp.msti.port_priority', 'mstp.msti.remaining_hops',
  'mstp.version_4_length', 'lldp.tlv.type', 'lldp.tlv.len', 'lldp.chassis.subtype', 'lldp.chassis.id', 'lldp.chassis.id.mac',
  'lldp.chassis.id.ip4', 'lldp.network_address.subtype', 'lldp.port.subtype', 'lldp.port.id', 'lldp.port.id.mac',
  'lldp.time_to_live', 'lldp.port.desc', 'lldp.tlv.system.name', 'lldp.tlv.system.desc', 'lldp.tlv.system_cap',
  'lldp.tlv.system_cap.bridge', 'lldp.tlv.system_cap.router', 'lldp.tlv.enable_system_cap',
  'lldp.tlv.enable_system_cap.station_only', 'lldp.mgn.address.len', 'lldp.mgn.address.subtype', 'lldp.mgn.addr.ip4',
  'lldp.mgn.interface.subtype', 'lldp.mgn.interface.number', 'lldp.mgn.obj.len', 'lldp.orgtlv.oui', 'lldp.ieee.802_1.subtype',
  'lldp.ieee.802_3.subtype', 'slow.subtype', 'lacp.version', 'lacp.tlv_type', 'lacp.tlv_length', 'lacp.actor.sys_priority',
  'lacp.actor.sysid', 'lacp.actor.key', 'lacp.actor.port_priority', 'lacp.actor.port', 'lacp.actor.state',
  'lacp.actor.state.activity', 'lacp.actor.state.expired', 'lacp.actor.state_str', 'lacp.actor.reserved',
  'lacp.partner.sys_priority', 'lacp.partner.sysid', 'lacp.partner.key', 'lacp.partner.port_priority', 'lacp.partner.port',
  'lacp.partner.state', 'lacp.partner.state.timeout', 'lacp.partner.state.defaulted', 'lacp.partner.state_str',
  'lacp.partner.reserved', 'lacp.collector.max_delay', 'lacp.coll_reserved', 'lacp.pad',
  'udld.version', 'udld.opcode', 'udld.flags', 'udld.flags.rt', 'udld.flags.rsy', 'udld.checksum', 'udld.tlv.type', 'udld.tlv.len',
  'udld.device_id', 'udld.sent_through_interface', 'udld.data',
  'dtp.version', 'dtp.tlv_type', 'dtp.tlv_len', 'dtp.domain', 'dtp.tos', 'dtp.tas', 'dtp.tot', 'dtp.tat', 'dtp.senderid', 'eapol.version', 'eapol.type',
  'eapol.len', 'eap.code', 'eap.id', 'eap.len', 'eap.type', 'eap.identity',
];

const FRAMES: Record<string, string> = {
  /** 802.1D Configuration BPDU with the TC and TC-ack flags, 1 s message age. */
  stp_conf_tc: '0180c200000002005e10000100264242030000000081800100112233440000000004800100112233445580020100140002000f000000000000000000',
  /** 802.1D Topology Change Notification. */
  stp_tcn: '0180c200000002005e100001000742420300000080000000000000000000000000000000000000000000000000000000000000000000000000000000',
  /** RSTP BPDU in an 802.1Q-tagged 802.3 frame (VLAN 10), agreement/forwarding/learning/TC. */
  rstp_vlan: '0180c200000002005e1000018100e00a0027424203000002027d100a00112233440000004e20800a00112233445580030000140002000f0000000000',
  /** MSTP BPDU with one MSTI record (MSTID 5). */
  mstp: '0180c200000002005e1000010079424203000003023c000000112233440000000000800000112233445580010000140002000f0000005000726567696f6e31000000000000000000000000000000000000000000000000000003000102030405060708090a0b0c0d0e0f00004e208000001122334477147c8005001122334466000007d0808013',
  /** Cisco PVST+ RSTP BPDU over SNAP (OUI 00:00:0c, PID 0x010b) with its originating-VLAN TLV. */
  pvst: '01000ccccccd02005e1000010032aaaa0300000c010b000002020e800500112233440000000000800500112233440080040000140002000f0000000000020005',
  /** LLC U frame SABME with the poll bit (NetBIOS SAPs). */
  llc_sabme: '02005e10000202005e1000010003f0f07f00000000000000000000000000000000000000000000000000000000000000000000000000000000000000',
  /** LLC U frame UA, a response with the final bit. */
  llc_ua: '02005e10000202005e1000010003f0f17300000000000000000000000000000000000000000000000000000000000000000000000000000000000000',
  /** LLC S frame RR with the poll bit (two-byte control). */
  llc_rr: '02005e10000202005e1000010004f0f00101000000000000000000000000000000000000000000000000000000000000000000000000000000000000',
  /** LLC I frame between unknown SAPs: the payload is data. */
  llc_i: '02005e10000202005e10000100094411340068656c6c6f00000000000000000000000000000000000000000000000000000000000000000000000000',
  /** LLC XID response between NULL SAPs. */
  llc_xid: '02005e10000202005e10000100030001bf00000000000000000000000000000000000000000000000000000000000000000000000000000000000000',
  /** SNAP with OUI 0: an ethertype (ARP). */
  snap_arp: 'ffffffffffff02005e1000010024aaaa030000000806000108000604000102005e1000010a0000010000000000000a00000200000000000000000000',
  /** SNAP with an unknown OUI: data. */
  snap_other: 'ffffffffffff02005e100001000faaaa0312ab5600cd7061796c6f616400000000000000000000000000000000000000000000000000000000000000',
  /** RSTP BPDU cut short by the 802.3 length: malformed. */
  stp_short: '0180c200000002005e1000010017424203000002020e8001001122334400000000008001000000000000000000000000000000000000000000000000',
  /** LLDP: chassis MAC, port interface name, TTL, port and system description, system name, capabilities, management address, 802.1 and 802.3 TLVs. */
  lldp: '0180c200000e02005e10000188cc0207040011223344550405056574683006020078080b75706c696e6b20706f72740a0b7377312e6578616d706c650c114c696e757820362e310a6275696c6420370e0400140004100c05010a000001020000000300fe060080c201000afe0600120f0405ee0000',
  /** LLDP shutdown (TTL 0): locally assigned chassis ID, port MAC. */
  lldp_local: '0180c200000e02005e10000188cc020a07636861737369732d3104070300112233445606020000000000000000000000000000000000000000000000',
  /** LLDP that does not start with a Chassis ID TLV. */
  lldp_bad: '0180c200000e02005e10000188cc04050565746830000000000000000000000000000000000000000000000000000000000000000000000000000000',
  /** LACP actor and partner information, collector, terminator, padding. */
  lacp: '0180c200000202005e1000018809010101148000001122334400000d00ff00073d0000000214ffff00aabbccdd00000200ff0009470000000310003200000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000',
  /** EAPOL-Start (802.1X-2004). */
  eapol_start: '0180c200000302005e100001888e02010000000000000000000000000000000000000000000000000000000000000000000000000000000000000000',
  /** EAP Request, Identity. */
  eap_req_id: '0180c200000302005e100001888e02000005010700050100000000000000000000000000000000000000000000000000000000000000000000000000',
  /** EAP Response, Identity "alice@ex". */
  eap_resp_id: '0180c200000302005e100001888e0200000e0207000e01616c6963654065780000000000000000000000000000000000000000000000000000000000',
  /** EAP Request, MD5-Challenge. */
  eap_md5: '0180c200000302005e100001888e02000016010800160410000102030405060708090a0b0c0d0e0f0000000000000000000000000000000000000000',
  /** EAP Success. */
  eap_success: '0180c200000302005e100001888e02000004030800040000000000000000000000000000000000000000000000000000000000000000000000000000',
  /** UDLD probe over SNAP (Cisco PID 0x0111): device and port ID, echo, intervals, device name, sequence. */
  udld_probe: '01000ccccccc02005e1000010042aaaa0300000c0111210312340001000953572d41310002000b4769312f302f370003000800000000000400050f000500050500060008636f72650007000800000009',
  /** UDLD echo whose second TLV claims length 0: the rest is data. */
  udld_bad_tlv: '01000ccccccc02005e100001001daaaa0300000c0111220000000001000953572d423200070000000000080000000000000000000000000000000000',
  /** DTP over SNAP (Cisco PID 0x2004): domain, trunk status and type, sender ID. */
  dtp: '01000ccccccc02005e1000010025aaaa0300000c200401000100086c616200000200058300030005a50004000a001122334499000000000000000000',
  /** EAPOL-Logoff (802.1X-2001). */
  eapol_logoff: '0180c200000302005e100001888e01020000000000000000000000000000000000000000000000000000000000000000000000000000000000000000',
};

/** Corpus captures (support/corpus.ts finds the corpus) holding these protocols. */
const CORPUS_FILES = [
  'tcpdump/tests/802.1D_spanning_tree.pcap', 'tcpdump/tests/802.1w_rapid_STP.pcap', 'tcpdump/tests/MSTP_Intra-Region_BPDUs.pcap',
  'tcpdump/tests/rpvstp-trunk-native-vid5.pcap', 'tcpdump/tests/spb_bpduv4.pcap', 'tcpdump/tests/evb.pcap', 'tcpdump/tests/various_gre.pcap',
  'tcpdump/tests/stp-heapoverflow-1.pcap', 'tcpdump/tests/stp-heapoverflow-2.pcap', 'tcpdump/tests/stp-heapoverflow-3.pcap',
  'tcpdump/tests/stp-heapoverflow-4.pcap', 'tcpdump/tests/stp-v4-length-sigsegv.pcap', 'tcpdump/tests/LACP.pcap', 'tcpdump/tests/eapon1.pcap',
  'tcpdump/tests/LLDP_and_CDP.pcap', 'tcpdump/tests/dcb_ets.pcap', 'tcpdump/tests/dcb_pfc.pcap', 'tcpdump/tests/dcb_qcn.pcap',
  'tcpdump/tests/erspan-type-i-4.pcap', 'tcpdump/tests/hoobr_safeputs.pcap', 'tcpdump/tests/lldp-app-priority.pcap',
  'tcpdump/tests/lldp-infinite-loop-1.pcap', 'tcpdump/tests/lldp_8021_linkagg.pcap',
  'tcpdump/tests/lldp_8023_mtu-oobr.pcap', 'tcpdump/tests/lldp_asan.pcap', 'tcpdump/tests/lldp_mgmt_addr_tlv_asan.pcap',
  'tcpdump/tests/lldp_mudurl.pcap', 'tcpdump/tests/kday4.pcap', 'tcpdump/tests/UDLD.pcap', 'tcpdump/tests/udld-inf-loop-1.pcapng',
];
/** The frames of the corpus captures compared (the others hold protocols not dissected here). */
const CORPUS_FRAMES = 'stp || lldp || lacp || eapol || udld || dtp || (llc && !llc.oui && llc.dsap != 0xe0 && llc.dsap != 0xfe && llc.dsap != 0xf0)';

const FILTERS = [
  // Not 'stp' itself: tshark leaves the protocol out of the tree of a BPDU cut short before its first
  // field (frame.protocols still names it), and the built frames hold one.
  'llc', 'stp.protocol == 0', 'lldp', 'slow', 'lacp', 'eapol', 'eap', 'llc.dsap == 0x42', 'llc.control.ftype == 3', 'stp.flags.tc == 1',
  'stp.root.hw == 00:11:22:33:44:00', 'stp.version == 3', 'mstp.msti.msti_id == 5', 'stp.pvst.origvlan', 'lldp.time_to_live == 120',
  'lldp.tlv.system.name contains "sw1"', 'lacp.actor.state.activity == 1', 'eap.code == 2', 'eapol.type == 1', 'udld',
  'udld.device_id == "SW-A1"', 'dtp', 'dtp.tat == 5',
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

test('built frames: LLC, STP, UDLD, DTP, LLDP, LACP and EAPOL agree with tshark', { skip: NO_TSHARK }, () => {
  const file = path.join(tmp, 'built.pcap');
  writePcap(file, Object.values(FRAMES).map((hex) => Buffer.from(hex, 'hex')));
  assertAgrees(file);
  assertFiltersAgree(file, FILTERS);
});

/** Frames whose whole tree (-V, -T json) equals tshark's: STP/RSTP/MSTP/PVST+, LLC, SNAP, LACP, DTP. */
const VERBOSE_FRAMES = ['stp_conf_tc', 'stp_tcn', 'rstp_vlan', 'mstp', 'pvst', 'llc_sabme', 'llc_ua', 'llc_rr', 'llc_i', 'llc_xid', 'snap_arp', 'snap_other',
  'stp_short', 'lacp', 'dtp', 'lldp_local'];

/** 802.1Q frames whose padding and trailer packet-vlan.c puts under the innermost tag, with no FCS. */
const VLAN_TRAILERS = [
  // A short UDP datagram: zeros to 60 bytes are padding.
  '02005e10000202005e1000018100000a08004500002000010000401166ca0a0000010a00000203e807d0000c0000616263640000000000000000000000000000',
  // Padding, then 8 bytes of trailer (no FCS taken from them).
  '02005e10000202005e1000018100000a08004500002000010000401166ca0a0000010a00000203e807d0000c00006162636400000000000000000000deadbeef11223344',
  // A long frame with 8 bytes after the IP packet: all trailer under VLAN; untagged, Ethernet's trailer and FCS.
  '02005e10000202005e1000018100000a08004500004800010000401166a20a0000010a00000203e807d0003400006162636400000000000000000000000000000000000000000000000000000000000000000000000000000000aabbccddeeff1122',
  '02005e10000202005e10000108004500004800010000401166a20a0000010a00000203e807d0003400006162636400000000000000000000000000000000000000000000000000000000000000000000000000000000aabbccddeeff1122',
  // Q-in-Q: under the inner tag.
  '02005e10000202005e1000018100000a8100001408004500002000010000401166ca0a0000010a00000203e807d0000c0000616263640000000000000000000000000000',
];

test('built frames: -V and -T json of STP, MSTP, PVST+, LLC, LACP, DTP and 802.1Q padding equal tshark\'s (MAC names, 802.3 titles, subtrees)', { skip: NO_TSHARK }, () => {
  const file = path.join(tmp, 'verbose.pcap');
  writePcap(file, [...VERBOSE_FRAMES.map((k) => Buffer.from(FRAMES[k]!, 'hex')), ...VLAN_TRAILERS.map((hex) => Buffer.from(hex, 'hex'))]);
  const tshark = (args: string[]): string => {
    const r = spawnSync('tshark', ['-r', file, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout;
  };
  const tree = tshark(['-V']);
  assert.match(tree, /IEEE 802\.3 Ethernet \n/);
  assert.match(tree, /MSTID 5, Regional Root Identifier/);
  assert.match(tree, /Trailer: deadbeef11223344/);
  assert.equal(sievecap(['-r', file, '-V']).stdout.toString(), tree);
  assert.equal(sievecap(['-r', file, '-T', 'json']).stdout.toString(), tshark(['-T', 'json']));
  const fields = ['-T', 'fields', ...['eth.padding', 'eth.trailer', 'eth.fcs', 'vlan.trailer', 'vlan.len', 'stp.root.hw'].flatMap((f) => ['-e', f])];
  assert.equal(sievecap(['-r', file, ...fields]).stdout.toString(), tshark(fields));
});

test('corpus captures of LLC, STP, UDLD, DTP, LLDP, LACP and EAPOL agree with tshark', { skip: NO_TSHARK || NO_CORPUS }, () => {
  // The captures merged into one file (support/merge.ts): one start of each tool, not one per capture.
  for (const file of corpusAsOne(CORPUS.dir, CORPUS_FILES, path.join(tmp, 'corpus.pcapng'))) assertAgrees(file, CORPUS_FRAMES);
});

/** Corpus captures whose LLDP frames Sievecap shows as tshark does, TLV for TLV (802.1 VLANs, DCBX's ETS, PFC, CN and application priorities, 802.3 MAC/PHY, power, aggregation and frame size, MUD URLs, management OIDs, bad mandatory TLVs). */
const LLDP_VERBOSE_FILES = [
  'tcpdump/tests/lldp-app-priority.pcap', 'tcpdump/tests/erspan-type-i-4.pcap', 'tcpdump/tests/dcb_pfc.pcap', 'tcpdump/tests/evb.pcap',
  'tcpdump/tests/lldp_8023_mtu-oobr.pcap', 'tcpdump/tests/lldp_mudurl.pcap', 'tcpdump/tests/hoobr_safeputs.pcap', 'tcpdump/tests/dcb_qcn.pcap',
  'tcpdump/tests/lldp-infinite-loop-1.pcap', 'tcpdump/tests/LLDP_and_CDP.pcap', 'tcpdump/tests/lldp_8021_linkagg.pcap', 'tcpdump/tests/dcb_ets.pcap',
  'tcpdump/tests/lldp_mgmt_addr_tlv_asan.pcap',
];

test('corpus LLDP frames: -V and -T json equal tshark\'s', { skip: NO_TSHARK || NO_CORPUS }, () => {
  for (const file of corpusAsOne(CORPUS.dir, LLDP_VERBOSE_FILES, path.join(tmp, 'lldp.pcapng'))) {
    for (const format of [['-V'], ['-T', 'json']]) {
      const args = ['-r', file, '-Y', 'lldp', ...format];
      const reference = spawnSync('tshark', args, { encoding: 'utf8', maxBuffer: 64 << 20 });
      assert.equal(reference.status, 0, reference.stderr);
      assert.ok(reference.stdout.includes('lldp'), `tshark shows LLDP in ${file}`);
      assert.equal(sievecap(args).stdout.toString(), reference.stdout, `${format.join(' ')} of ${file}`);
    }
  }
});
