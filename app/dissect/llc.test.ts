/**
 * 802.2 LLC on 802.3 length frames (U, I and S control fields, SNAP) and the spanning-tree BPDUs it
 * carries (STP, RSTP in a VLAN tag, MSTP, PVST+ over SNAP). Expected values are what tshark 4.0
 * prints for the same frames (`tshark -T fields -e llc.* -e stp.* -e mstp.* -e _ws.col.Info`).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissectHex, fieldText } from './test-fields';

/** The same texts from a dissection that builds only the named fields (no tree, no columns). */
function assertSameWithoutTree(hex: string, names: string[]): void {
  const tree = dissectHex(hex);
  const selected = dissectHex(hex, { fields: new Set(names), columns: false });
  for (const name of names) assert.equal(fieldText(selected, name), fieldText(tree, name), name);
}

const FRAMES = {
  /** Configuration BPDU with TC and TC-ack, message age 1 s. */
  conf: '0180c200000002005e10000100264242030000000081800100112233440000000004800100112233445580020100140002000f000000000000000000',
  /** Topology Change Notification. */
  tcn: '0180c200000002005e100001000742420300000080000000000000000000000000000000000000000000000000000000000000000000000000000000',
  /** RSTP BPDU in an 802.1Q tag (VLAN 10, an 802.3 length after the tag). */
  rstpVlan: '0180c200000002005e1000018100e00a0027424203000002027d100a00112233440000004e20800a00112233445580030000140002000f0000000000',
  /** MSTP BPDU with one MSTI (MSTID 5). */
  mstp: '0180c200000002005e1000010079424203000003023c000000112233440000000000800000112233445580010000140002000f0000005000726567696f6e31000000000000000000000000000000000000000000000000000003000102030405060708090a0b0c0d0e0f00004e208000001122334477147c8005001122334466000007d0808013',
  /** PVST+ RSTP BPDU over SNAP (Cisco OUI, PID 0x010b) with the originating-VLAN TLV. */
  pvst: '01000ccccccd02005e1000010032aaaa0300000c010b000002020e800500112233440000000000800500112233440080040000140002000f0000000000020005',
  /** U frame SABME with the poll bit. */
  sabme: '02005e10000202005e1000010003f0f07f00000000000000000000000000000000000000000000000000000000000000000000000000000000000000',
  /** U frame UA, a response with the final bit. */
  ua: '02005e10000202005e1000010003f0f17300000000000000000000000000000000000000000000000000000000000000000000000000000000000000',
  /** S frame RR with the poll bit (two-byte control, little-endian). */
  rr: '02005e10000202005e1000010004f0f00101000000000000000000000000000000000000000000000000000000000000000000000000000000000000',
  /** I frame between unknown SAPs. */
  info: '02005e10000202005e10000100094411340068656c6c6f00000000000000000000000000000000000000000000000000000000000000000000000000',
  /** SNAP with OUI 0: ARP. */
  snapArp: 'ffffffffffff02005e1000010024aaaa030000000806000108000604000102005e1000010a0000010000000000000a00000200000000000000000000',
  /** SNAP with an unknown OUI. */
  snapOther: 'ffffffffffff02005e100001000faaaa0312ab5600cd7061796c6f616400000000000000000000000000000000000000000000000000000000000000',
  /** RSTP BPDU cut short by the 802.3 length. */
  short: '0180c200000002005e1000010017424203000002020e8001001122334400000000008001000000000000000000000000000000000000000000000000',
};

test('LLC U frame with a BPDU: DSAP/SSAP and control fields, then STP with its Info', () => {
  const p = dissectHex(FRAMES.conf);
  assert.equal(fieldText(p, 'frame.protocols'), 'eth:llc:stp');
  assert.equal(p.summary.protocol, 'STP');
  assert.equal(p.summary.info, 'Conf. TC + Root = 32768/1/00:11:22:33:44:00  Cost = 4  Port = 0x8002');
  assert.equal(fieldText(p, 'eth.len'), '38');
  assert.equal(fieldText(p, 'eth.padding'), '0000000000000000');
  assert.equal(fieldText(p, 'llc.dsap'), '0x42');
  assert.equal(fieldText(p, 'llc.dsap.sap'), '33');
  assert.equal(fieldText(p, 'llc.ssap.cr'), '0');
  assert.equal(fieldText(p, 'llc.control'), '0x0003');
  assert.equal(fieldText(p, 'llc.control.u_modifier_cmd'), '0x00');
  assert.equal(fieldText(p, 'llc.control.ftype'), '0x03');
  assert.equal(fieldText(p, 'stp.flags'), '0x81');
  assert.equal(fieldText(p, 'stp.flags.tcack'), '1');
  assert.equal(fieldText(p, 'stp.flags.agreement'), '');
  assert.equal(fieldText(p, 'stp.root.prio'), '32768');
  assert.equal(fieldText(p, 'stp.root.ext'), '1');
  assert.equal(fieldText(p, 'stp.bridge.hw'), '00:11:22:33:44:55');
  assert.equal(fieldText(p, 'stp.msg_age'), '1');
  assert.equal(fieldText(p, 'stp.version_1_length'), '');
});

test('Topology Change Notification: four bytes, no flags', () => {
  const p = dissectHex(FRAMES.tcn);
  assert.equal(p.summary.info, 'Topology Change Notification');
  assert.equal(fieldText(p, 'stp.type'), '0x80');
  assert.equal(fieldText(p, 'stp.flags'), '');
});

test('RSTP inside a VLAN tag: every flag bit and the port role', () => {
  const p = dissectHex(FRAMES.rstpVlan);
  assert.equal(fieldText(p, 'frame.protocols'), 'eth:ethertype:vlan:llc:stp');
  assert.equal(p.summary.info, 'RST. TC + Root = 4096/10/00:11:22:33:44:00  Cost = 20000  Port = 0x8003');
  assert.equal(fieldText(p, 'vlan.len'), '39');
  assert.equal(fieldText(p, 'stp.flags.port_role'), '3');
  assert.equal(fieldText(p, 'stp.flags.agreement'), '1');
  assert.equal(fieldText(p, 'stp.flags.proposal'), '0');
  assert.equal(fieldText(p, 'stp.version_1_length'), '0');
});

test('MSTP: configuration identifier, CIST and an MSTI record', () => {
  const p = dissectHex(FRAMES.mstp);
  assert.equal(p.summary.info, 'MST. Root = 0/0/00:11:22:33:44:00  Cost = 0  Port = 0x8001');
  assert.equal(fieldText(p, 'mstp.version_3_length'), '80');
  assert.equal(fieldText(p, 'mstp.config_name'), 'region1');
  assert.equal(fieldText(p, 'mstp.config_digest'), '000102030405060708090a0b0c0d0e0f');
  assert.equal(fieldText(p, 'mstp.cist_bridge.hw'), '00:11:22:33:44:77');
  assert.equal(fieldText(p, 'mstp.msti.flags'), '0x7c');
  assert.equal(fieldText(p, 'stp.flags.agreement'), '0,1');
  assert.equal(fieldText(p, 'mstp.msti.priority'), '0x08');
  assert.equal(fieldText(p, 'mstp.msti.msti_id'), '5');
  assert.equal(fieldText(p, 'mstp.msti.remaining_hops'), '19');
});

test('PVST+ over SNAP: Cisco OUI and PID, then the originating VLAN', () => {
  const p = dissectHex(FRAMES.pvst);
  assert.equal(fieldText(p, 'frame.protocols'), 'eth:llc:stp');
  assert.equal(fieldText(p, 'llc.oui'), '12');
  assert.equal(fieldText(p, 'llc.cisco_pid'), '0x010b');
  assert.equal(fieldText(p, 'stp.pvst.origvlan'), '5');
  assert.equal(p.summary.info, 'RST. Root = 32768/5/00:11:22:33:44:00  Cost = 0  Port = 0x8004');
});

test('LLC frames without payload: U with poll/final, S with the two-byte control', () => {
  const sabme = dissectHex(FRAMES.sabme);
  assert.equal(fieldText(sabme, 'frame.protocols'), 'eth:llc');
  assert.equal(sabme.summary.protocol, 'LLC');
  assert.equal(sabme.summary.info, 'U P, func=SABME; DSAP NetBIOS Individual, SSAP NetBIOS Command');
  assert.equal(fieldText(sabme, 'llc.control'), '0x007f');
  assert.equal(fieldText(sabme, 'llc.control.p'), '1');
  assert.equal(fieldText(sabme, 'llc.control.u_modifier_cmd'), '0x1b');
  const ua = dissectHex(FRAMES.ua);
  assert.equal(ua.summary.info, 'U F, func=UA; DSAP NetBIOS Individual, SSAP NetBIOS Response');
  assert.equal(fieldText(ua, 'llc.ssap'), '0xf1');
  assert.equal(fieldText(ua, 'llc.ssap.sap'), '120');
  assert.equal(fieldText(ua, 'llc.control.f'), '1');
  assert.equal(fieldText(ua, 'llc.control.u_modifier_resp'), '0x18');
  const rr = dissectHex(FRAMES.rr);
  assert.equal(rr.summary.info, 'S P, func=RR, N(R)=0; DSAP NetBIOS Individual, SSAP NetBIOS Command');
  assert.equal(fieldText(rr, 'llc.control'), '0x0101');
  assert.equal(fieldText(rr, 'llc.control.s_ftype'), '0x0000');
  assert.equal(fieldText(rr, 'llc.control.ftype'), '0x0001');
});

test('I frame to an unknown SAP: the payload is data, the Info names the SAPs', () => {
  const p = dissectHex(FRAMES.info);
  assert.equal(fieldText(p, 'frame.protocols'), 'eth:llc:data');
  assert.equal(p.summary.info, 'I, N(R)=0, N(S)=26; DSAP 0x44 Individual, SSAP NetWare (unofficial?) Response');
  assert.equal(fieldText(p, 'llc.control.n_s'), '26');
  assert.equal(fieldText(p, 'data.data'), '68656c6c6f');
});

test('SNAP: OUI 0 hands its PID to the ethertype table, an unknown OUI leaves data', () => {
  const arp = dissectHex(FRAMES.snapArp);
  assert.equal(fieldText(arp, 'frame.protocols'), 'eth:llc:arp');
  assert.equal(arp.summary.info, 'Who has 10.0.0.2? Tell 10.0.0.1');
  const other = dissectHex(FRAMES.snapOther);
  assert.equal(fieldText(other, 'frame.protocols'), 'eth:llc:data');
  assert.equal(other.summary.info, 'U, func=UI; SNAP, OUI 0x12AB56 (Unknown), PID 0x00CD');
  assert.equal(fieldText(other, 'llc.oui'), '1223510');
  assert.equal(fieldText(other, 'llc.pid'), '0x00cd');
});

test('a BPDU cut short by the 802.3 length is malformed, with no STP field', () => {
  const p = dissectHex(FRAMES.short);
  assert.equal(p.status, 'malformed');
  assert.equal(fieldText(p, 'frame.protocols'), 'eth:llc:stp');
  assert.equal(p.summary.info, '[Malformed Packet]');
  assert.equal(fieldText(p, 'stp.protocol'), '');
});

test('without a tree the selected LLC and STP fields come out the same', () => {
  for (const hex of Object.values(FRAMES)) {
    assertSameWithoutTree(hex, ['llc.dsap', 'llc.control', 'llc.control.n_r', 'llc.oui', 'stp.root.hw', 'stp.flags.tc', 'stp.msg_age', 'mstp.msti.msti_id', 'stp.pvst.origvlan', 'frame.protocols']);
  }
});
