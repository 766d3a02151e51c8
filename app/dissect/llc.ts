/**
 * IEEE 802.2 Logical Link Control (and SNAP) on 802.3 length frames, as tshark 4.0 shows it: DSAP,
 * SSAP and the control field (one byte for U frames, two little-endian bytes for I and S frames),
 * then for information frames a hand-off by SAP (0x42: spanning tree) or, for SNAP, by OUI and
 * protocol ID (OUI 0: an ethertype; Cisco 0x010b: PVST+ BPDUs, 0x0111: UDLD; 0x2000: CDP; 0x2004: DTP; Nortel 0x01a1/0x01a2: NDP). Anything else is "data".
 */
import { dissectSafely, hex, LayerBuilder } from './builder';
import type { Dissector, Handoff } from './dissector';
import { be16 } from './format';
import { ethertypeName } from './link';
import type { PacketState } from './packet-state';
import { dissectStp } from './stp';
import { CISCO_PID_UDLD, dissectUdld } from './udld';
import { CISCO_PID_DTP, dissectDtp } from './dtp';
import { CDP_PROTOCOL, dissectCdp } from './cdp';
import { dissectOsi, SAP_OSI } from './osi';
import { dissectIpx, SAP_IPX } from './ipx';
import { dissectNdp, NORTEL_PIDS, OUI_NORTEL } from './ndp';

/** Wireshark's sap_vals: names of the SAPs (the I/G or C/R bit cleared). */
const SAP_NAMES: Record<number, string> = {
  0x00: 'NULL LSAP', 0x01: 'NULL LSAP', 0x02: 'LLC Sub-Layer Management', 0x04: 'SNA Path Control', 0x06: 'TCP/IP', 0x08: 'SNA', 0x0c: 'SNA',
  0x0e: 'PROWAY (IEC955) Network Management and Initialization', 0x10: 'NetWare (unofficial?)', 0x14: 'ISO Network Layer (OSLAN 1)',
  0x18: 'TI Network Layer', 0x20: 'ISO Network Layer (unofficial?)', 0x34: 'ISO Network Layer (unofficial?)', 0x40: 'SNA',
  0x42: 'Spanning Tree BPDU', 0x4e: 'EIA RS-511 Manufacturing Message Service', 0x54: 'ISO Network Layer (OSLAN 2)',
  0x7e: 'ISO 8208 (X.25 over 802.2)', 0x7f: 'ISO 802.2', 0x80: 'XNS', 0x82: 'BACnet', 0x86: 'Nestar',
  0x8e: 'PROWAY (IEC955) Active Station List Maintenance', 0x98: 'ARP', 0xaa: 'SNAP', 0xb4: 'HP JetDirect Printer',
  0xba: 'Banyan Vines', 0xbc: 'Banyan Vines', 0xe0: 'NetWare', 0xf0: 'NetBIOS', 0xf4: 'IBM Net Management', 0xf8: 'HP Extended LLC',
  0xfa: 'Ungermann-Bass', 0xfc: 'Remote Program Load', 0xfe: 'ISO Network Layer', 0xff: 'Global LSAP',
};

/** LLC-multiplexed ATM (RFC 1483): the frames start with the LLC header. */
export const LINKTYPE_ATM_RFC1483 = 100;

const SAP_SNAP = 0xaa;
const SAP_BPDU = 0x42;

/** Where an information frame goes by DSAP. */
const SAP_HANDOFFS: ReadonlyMap<number, Handoff> = new Map([[SAP_BPDU, dissectStp]]);
/** Network layers by DSAP: the ISO network layer (by NLPID) and NetWare's IPX. */
const NETWORK_SAP_HANDOFFS: ReadonlyMap<number, Handoff> = new Map([[SAP_OSI, dissectOsi], [SAP_IPX, dissectIpx]]);
/** Where a SNAP frame with Cisco's OUI goes by protocol ID. */
const CISCO_PID_HANDOFFS: ReadonlyMap<number, Handoff> = new Map([
  [0x010b, dissectStp],
  [CISCO_PID_UDLD, dissectUdld],
  [CISCO_PID_DTP, dissectDtp],
  [CDP_PROTOCOL, dissectCdp],
]);

const OUI_CISCO = 0x00000c;
const OUI_NAMES: Record<number, string> = {
  0x000000: 'Officially Xerox, but', 0x00000c: 'Cisco Systems, Inc', 0x0000f8: 'Cisco 90-Compatible', [OUI_NORTEL]: 'Bay Networks',
  0x0080c2: 'IEEE 802.1 Bridged Frames', 0x00e02b: 'Extreme Networks', 0x080007: 'Apple',
};
/** Wireshark's names of Cisco's SNAP PIDs (tshark -G values, llc.cisco_pid). */
export const CISCO_PIDS: Record<number, string> = {
  0x0102: 'DRIP', 0x0104: 'PAgP', 0x0105: 'MLS Hello', 0x0108: 'RLQ BPDUs (request)', 0x0109: 'RLQ BPDUs (response)', 0x010b: 'PVSTP+',
  0x010c: 'VLAN Bridge', 0x0111: 'UDLD', 0x0139: 'MCP',
  0x2000: 'CDP', 0x2001: 'CGMP', 0x2003: 'VTP', 0x2004: 'DTP', 0x200a: 'STP Uplink Fast',
};

/** U-frame modifiers (the control byte & 0xec) as commands and as responses: short and long names. */
const U_COMMANDS: Record<number, [string, string]> = {
  0x00: ['UI', 'Unnumbered Information'], 0x20: ['UP', 'Unnumbered Poll'], 0x40: ['DISC', 'Disconnect'],
  0x60: ['UA', 'Unnumbered Acknowledge'], 0x80: ['SNRM', 'Set Normal Response Mode'], 0xcc: ['SNRME', 'Set Normal Response Mode Extended'],
  0xe0: ['TEST', 'Test'], 0x04: ['SIM', 'Set Initialization Mode'], 0x84: ['FRMR', 'Frame reject'], 0xc4: ['CFGR', 'Configure'],
  0x0c: ['SARM', 'Set Asynchronous Response Mode'], 0x2c: ['SABM', 'Set Asynchronous Balanced Mode'],
  0x6c: ['SABME', 'Set Asynchronous Balanced Mode Extended'], 0x8c: ['RESET', 'Reset'], 0xac: ['XID', 'Exchange identification'],
  0xec: ['BCN', 'Beacon'],
};
const U_RESPONSES: Record<number, [string, string]> = {
  ...U_COMMANDS, 0x40: ['RD', 'Request Disconnect'], 0x04: ['RIM', 'Request Initialization Mode'], 0x0c: ['DM', 'Disconnected mode'],
};
const S_TYPES: [string, string][] = [['RR', 'Receiver ready'], ['RNR', 'Receiver not ready'], ['REJ', 'Reject'], ['SREJ', 'Selective reject']];

function sapName(sap: number): string | undefined {
  return SAP_NAMES[sap];
}

function hex2(n: number): string {
  return n.toString(16).padStart(2, '0');
}

/** The control field as Wireshark's xdlc code summarises it ("U, func=UI", "I, N(R)=26, N(S)=0", "S P, func=RR, N(R)=0"). */
export interface LlcControl {
  value: number;
  length: 1 | 2;
  summary: string;
  /** I frame or UI frame: the payload goes to the protocol of the SAP. */
  information: boolean;
}

export function llcControl(data: Buffer, at: number, response: boolean): LlcControl {
  const first = data[at]!;
  if ((first & 0x03) === 0x03) {
    const pf = (first & 0x10) !== 0;
    const modifier = first & 0xec;
    const name = (response ? U_RESPONSES : U_COMMANDS)[modifier]?.[0] ?? 'Unknown';
    return { value: first, length: 1, summary: `U${pf ? (response ? ' F' : ' P') : ''}, func=${name}`, information: modifier === 0 };
  }
  const value = data[at]! | (data[at + 1]! << 8);
  const pf = (value & 0x0100) !== 0;
  const pfText = pf ? (response ? ' F' : ' P') : '';
  const nr = value >> 9;
  if ((first & 0x01) === 0) return { value, length: 2, summary: `I${pfText}, N(R)=${nr}, N(S)=${(value >> 1) & 0x7f}`, information: true };
  return { value, length: 2, summary: `S${pfText}, func=${S_TYPES[(value >> 2) & 3]![0]}, N(R)=${nr}`, information: false };
}

/**
 * Dissects an LLC header at data[offset, end) and hands the rest on; returns where the bytes the
 * LLC payload used end (the 802.3 length), for the Ethernet padding and trailer.
 */
export function dissectLlc(d: Dissector, p: PacketState, data: Buffer, offset: number, end: number): number | void {
  const b = new LayerBuilder(data, 'llc', 'Logical-Link Control', offset, end, p.selection);
  let control: LlcControl | undefined;
  let dsap = 0;
  let payload = offset;
  let next: Handoff | undefined;
  let ethertype = -1;
  dissectSafely(b, () => {
    dsap = b.u8(offset, 'DSAP');
    const ssap = b.u8(offset + 1, 'SSAP');
    b.need(offset + 2, 1, 'control field');
    const response = (ssap & 1) !== 0;
    if ((data[offset + 2]! & 0x03) !== 0x03) b.need(offset + 2, 2, 'control field');
    control = llcControl(data, offset + 2, response);
    sapField(b, 'dsap', 'DSAP', dsap, offset, dsap & 1 ? '.... ...1 = IG Bit: Group' : '.... ...0 = IG Bit: Individual');
    sapField(b, 'ssap', 'SSAP', ssap, offset + 1, response ? '.... ...1 = CR Bit: Response' : '.... ...0 = CR Bit: Command');
    controlField(b, control, offset + 2, response);
    payload = offset + 2 + control.length;
    if (p.columns) {
      const dName = sapName(dsap & 0xfe) ?? `0x${hex2(dsap & 0xfe)}`;
      const sName = sapName(ssap & 0xfe) ?? `0x${hex2(ssap & 0xfe)}`;
      p.setProtocol('LLC', `${control.summary}; DSAP ${dName} ${dsap & 1 ? 'Group' : 'Individual'}, SSAP ${sName} ${response ? 'Response' : 'Command'}`);
    }
    if (!control.information) return;
    if ((dsap & 0xfe) === SAP_SNAP && (ssap & 0xfe) === SAP_SNAP) {
      b.need(payload, 5, 'SNAP header');
      const oui = data.readUIntBE(payload, 3);
      const pid = be16(data, payload + 3);
      // BASE_OUI: formatted into 32 bytes, so a long name is cut ("00:00:00 (Officially Xerox, but").
      b.add('llc.oui', () => `Organization Code: ${`${ouiText(data, payload)}${OUI_NAMES[oui] ? ` (${OUI_NAMES[oui]})` : ''}`.slice(0, 31)}`, oui, payload, 3);
      if (p.columns) {
        const upper = (n: number, digits: number) => n.toString(16).toUpperCase().padStart(digits, '0');
        p.setProtocol('LLC', `${control!.summary}; SNAP, OUI 0x${upper(oui, 6)} (${OUI_NAMES[oui] ?? 'Unknown'}), PID 0x${upper(pid, 4)}`);
      }
      if (oui === 0 || oui === 0x0000f8) {
        b.add('llc.type', () => `Type: ${ethertypeName(pid)} (${hex(pid, 4)})`, pid, payload + 3, 2, () => hex(pid, 4));
        ethertype = pid;
      } else if (oui === OUI_CISCO) {
        b.add('llc.cisco_pid', () => `PID: ${CISCO_PIDS[pid] ?? 'Unknown'} (${hex(pid, 4)})`, pid, payload + 3, 2, () => hex(pid, 4));
        next = CISCO_PID_HANDOFFS.get(pid);
      } else if (oui === OUI_NORTEL) {
        b.add('llc.nortel_pid', () => `PID: ${NORTEL_PIDS[pid] ?? 'Unknown'} (${hex(pid, 4)})`, pid, payload + 3, 2, () => hex(pid, 4));
        // NDP's flatnet and segment hellos (Wireshark leaves the bridge hello, 0x01a3, undissected).
        if (pid === 0x01a1 || pid === 0x01a2) next = dissectNdp;
      } else {
        b.add('llc.pid', () => `Protocol ID: ${hex(pid, 4)}`, pid, payload + 3, 2, () => hex(pid, 4));
      }
      payload += 5;
      return;
    }
    next = SAP_HANDOFFS.get(dsap);
    next ??= NETWORK_SAP_HANDOFFS.get(dsap);
  });
  b.setLength(payload - offset);
  p.addLayer(b.layer);
  if (b.layer.status !== 'ok') return;
  if (ethertype >= 0) return d.byEthertype(p, ethertype, data, payload, end);
  if (next) {
    next(d, p, data, payload, end);
    return end;
  }
  d.data(p, data, payload, end);
  return end;
}

function ouiText(data: Buffer, at: number): string {
  return `${hex2(data[at]!)}:${hex2(data[at + 1]!)}:${hex2(data[at + 2]!)}`;
}

function sapField(b: LayerBuilder, which: 'dsap' | 'ssap', label: string, value: number, at: number, bitLabel: string): void {
  if (!b.building) return;
  const name = sapName(value & 0xfe);
  const picture = `${(value >> 4).toString(2).padStart(4, '0')} ${((value >> 1) & 7).toString(2).padStart(3, '0')}.`;
  b.group(`llc.${which}`, () => `${label}: ${sapName(value) ?? 'Unknown'} (${hex(value, 2)})`, value, at, 1, () => {
    b.add(`llc.${which}.sap`, () => `${picture} = SAP: ${name ?? 'Unknown'}`, value >> 1, at, 1);
    b.add(which === 'dsap' ? 'llc.dsap.ig' : 'llc.ssap.cr', bitLabel, (value & 1) !== 0, at, 1);
  }, () => hex(value, 2));
}

/** Bit picture of `mask` over an 8- or 16-bit value, grouped in fours as Wireshark draws it. */
function picture(value: number, mask: number, bits: number): string {
  let s = '';
  for (let i = bits - 1; i >= 0; i--) {
    s += mask & (1 << i) ? ((value >> i) & 1 ? '1' : '0') : '.';
    if (i % 4 === 0 && i > 0) s += ' ';
  }
  return s;
}

function controlField(b: LayerBuilder, control: LlcControl, at: number, response: boolean): void {
  if (!b.building) return;
  const v = control.value;
  const shown = control.length === 1 ? `0x${hex2(v).toUpperCase()}` : `0x${v.toString(16).padStart(4, '0').toUpperCase()}`;
  b.group('llc.control', () => `Control field: ${control.summary} (${shown})`, v, at, control.length, () => {
    const bits = control.length * 8;
    const pfMask = control.length === 1 ? 0x10 : 0x0100;
    const pfBit = () => {
      if (!(v & pfMask)) return;
      if (response) b.add('llc.control.f', () => `${picture(v, pfMask, bits)} = Final: Set`, true, at, control.length);
      else b.add('llc.control.p', () => `${picture(v, pfMask, bits)} = Poll: Set`, true, at, control.length);
    };
    if (control.length === 1) {
      pfBit();
      const modifier = v & 0xec;
      const names = (response ? U_RESPONSES : U_COMMANDS)[modifier];
      const abbrev = response ? 'llc.control.u_modifier_resp' : 'llc.control.u_modifier_cmd';
      const m = modifier >> 2;
      b.add(abbrev, () => `${picture(v, 0xec, 8)} = ${response ? 'Response' : 'Command'}: ${names?.[1] ?? 'Unknown'} (${hex(m, 2)})`, m, at, 1, () => hex(m, 2));
      b.add('llc.control.ftype', `${picture(v, 0x03, 8)} = Frame type: Unnumbered frame (0x3)`, 3, at, 1, '0x03');
      return;
    }
    b.add('llc.control.n_r', () => `${picture(v, 0xfe00, 16)} = N(R): ${v >> 9}`, v >> 9, at, 2);
    if ((v & 1) === 0) {
      b.add('llc.control.n_s', () => `${picture(v, 0x00fe, 16)} = N(S): ${(v >> 1) & 0x7f}`, (v >> 1) & 0x7f, at, 2);
      pfBit();
      b.add('llc.control.ftype', `${picture(v, 0x01, 16)} = Frame type: Information frame (0x0)`, 0, at, 2, '0x0000');
      return;
    }
    pfBit();
    const s = (v >> 2) & 3;
    b.add('llc.control.s_ftype', () => `${picture(v, 0x0c, 16)} = Supervisory frame type: ${S_TYPES[s]![1]} (0x${s})`, s, at, 2, () => hex(s, 4));
    b.add('llc.control.ftype', `${picture(v, 0x03, 16)} = Frame type: Supervisory frame (0x1)`, 1, at, 2, '0x0001');
  }, () => hex(v, 4));
}
