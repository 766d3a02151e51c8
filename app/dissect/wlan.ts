/**
 * IEEE 802.11 MAC frames (LINKTYPE_IEEE802_11, 105, and after radiotap) as tshark 4.0 shows them:
 * frame control, duration, the addresses named by frame type and DS bits (RA/TA/DA/SA/BSSID/STA),
 * sequence control, QoS control; management frames' fixed and tagged parameters in an "IEEE 802.11
 * Wireless Management" subtree (no entry of its own in frame.protocols); control frames; data
 * frames' payload to LLC/SNAP, or, when protected, WEP/TKIP/CCMP parameters and "data" (no keys).
 */
import { dissectSafely, hex, LayerBuilder, StopDissection } from './builder';
import type { Dissector } from './dissector';
import { addExpertTo } from './expert';
import { bitPicture, bytesHex, macText } from './format';
import { dissectLlc } from './llc';
import { rsnBody, vendorBody, vendorHeading } from './wlan-rsn';
import type { PacketState } from './packet-state';

export const LINKTYPE_IEEE802_11 = 105;

const MGMT_NAMES: Record<number, string> = {
  0: 'Association Request', 1: 'Association Response', 2: 'Reassociation Request', 3: 'Reassociation Response', 4: 'Probe Request',
  5: 'Probe Response', 6: 'Measurement Pilot', 8: 'Beacon frame', 9: 'ATIM', 10: 'Disassociate', 11: 'Authentication',
  12: 'Deauthentication', 13: 'Action', 14: 'Action No Ack',
};
const CONTROL_NAMES: Record<number, string> = {
  2: 'Trigger', 3: 'TWT Ack', 4: 'Beamforming Report Poll', 5: 'VHT/HE NDP Announcement', 6: 'Control Frame Extension', 7: 'Control Wrapper',
  8: '802.11 Block Ack Req', 9: '802.11 Block Ack', 10: 'Power-Save poll', 11: 'Request-to-send', 12: 'Clear-to-send',
  13: 'Acknowledgement', 14: 'CF-End (Control-frame)', 15: 'CF-End + CF-Ack (Control-frame)',
};
const DATA_NAMES: Record<number, string> = {
  0: 'Data', 1: 'Data + CF-Ack', 2: 'Data + CF-Poll', 3: 'Data + CF-Ack + CF-Poll', 4: 'Null function (No data)', 5: 'Acknowledgement (No data)',
  6: 'CF-Poll (No data)', 7: 'CF-Ack/Poll (No data)', 8: 'QoS Data', 9: 'QoS Data + CF-Acknowledgment', 10: 'QoS Data + CF-Poll',
  11: 'QoS Data + CF-Ack + CF-Poll', 12: 'QoS Null function (No data)', 14: 'QoS CF-Poll (No Data)', 15: 'QoS CF-Ack + CF-Poll (No Data)',
};
/** 802.1D user priorities with their access categories, as the QoS Priority label shows them. */
const QOS_PRIORITIES = [
  'Best Effort (Best Effort)', 'Background (Background)', 'Spare (Background)', 'Excellent Effort (Best Effort)',
  'Controlled Load (Video)', 'Video (Video)', 'Voice (Voice)', 'Network Control (Voice)',
];
const ACK_POLICIES = ['Normal Ack', 'No Ack', 'No explicit acknowledgment', 'Block Ack'];
const TYPE_NAMES = ['Management frame', 'Control frame', 'Data frame', 'Extension frame'];

export function frameTypeName(type: number, subtype: number): string {
  const names = type === 0 ? MGMT_NAMES : type === 1 ? CONTROL_NAMES : type === 2 ? DATA_NAMES : undefined;
  return names?.[subtype] ?? (type === 3 ? 'Extension' : 'Unrecognized (Reserved frame)');
}

const DS_TEXTS = [
  'Not leaving DS or network is operating in AD-HOC mode (To DS: 0 From DS: 0)', 'Frame from STA to DS via an AP (To DS: 1 From DS: 0)',
  'Frame from DS to a STA via AP(To DS: 0 From DS: 1)', 'WDS (AP to AP) or Mesh (MP to MP) Frame (To DS: 1 From DS: 1)',
];
const FLAG_BITS: readonly [number, string, string, string, string][] = [
  [0x04, 'frag', 'More Fragments', 'More fragments follow', 'This is the last fragment'],
  [0x08, 'retry', 'Retry', 'Frame is being retransmitted', 'Frame is not being retransmitted'],
  [0x10, 'pwrmgt', 'PWR MGT', 'STA will go to sleep', 'STA will stay up'],
  [0x20, 'moredata', 'More Data', 'Data is buffered for STA at AP', 'No data buffered'],
  [0x40, 'protected', 'Protected flag', 'Data is protected', 'Data is not protected'],
  [0x80, 'order', '+HTC/Order flag', 'Strictly ordered', 'Not strictly ordered'],
];

/** The Info column's flag string: o p m P R M F T from the top bit down, '.' when clear, 'C' when the frame carries its FCS. */
export function flagString(flags: number, fcs: boolean): string {
  let s = '';
  for (let i = 0; i < 8; i++) s += flags & (0x80 >> i) ? 'opmPRMFT'[i] : '.';
  return fcs ? `${s}C` : s;
}

const TAG_NAMES: Record<number, string> = {
  0: 'SSID parameter set', 1: 'Supported Rates', 3: 'DS Parameter set', 4: 'CF Parameter set', 5: 'Traffic Indication Map (TIM)',
  6: 'IBSS Parameter set', 7: 'Country Information', 11: 'QBSS Load Element', 16: 'Challenge text', 32: 'Power Constraint',
  33: 'Power Capability', 35: 'TPC Report Transmit Power', 36: 'Supported Channels', 37: 'Channel Switch Announcement',
  42: 'ERP Information', 45: 'HT Capabilities (802.11n D1.10)', 46: 'QoS Capability', 47: 'ERP Information', 48: 'RSN Information',
  50: 'Extended Supported Rates', 51: 'AP Channel Report', 54: 'Mobility Domain', 59: 'Supported Operating Classes',
  61: 'HT Information (802.11n D1.10)', 70: 'RM Enabled Capabilities', 72: '20/40 BSS Coexistence', 74: 'Overlapping BSS Scan Parameters',
  107: 'Interworking', 113: 'Mesh Configuration', 114: 'Mesh ID', 127: 'Extended Capabilities', 191: 'VHT Capabilities', 192: 'VHT Operation',
  195: 'VHT Tx Power Envelope', 221: 'Vendor Specific', 255: 'Element ID Extension',
};

export interface WlanOptions {
  /** The frame ends with its 4-byte FCS (radiotap's Flags say so). */
  fcs: boolean;
  /** Radiotap's Data Pad flag: the header is padded to a multiple of 4 bytes. */
  dataPad: boolean;
}

/** Link type 105: 802.11 frames without a radio header (and without FCS, Wireshark's default). */
export function dissectWlan(d: Dissector, p: PacketState, data: Buffer, offset: number, end: number): void {
  dissectWlanFrame(d, p, data, offset, end, { fcs: false, dataPad: false });
}

function rateText(v: number): string {
  return `${(v & 0x7f) / 2}${v & 0x80 ? '(B)' : ''}`;
}

export function dissectWlanFrame(d: Dissector, p: PacketState, data: Buffer, offset: number, end: number, options: WlanOptions): void {
  const b = new LayerBuilder(data, 'wlan', 'IEEE 802.11', offset, end, p.selection);
  let info = '';
  let kind = { type: -1, subtype: 0, flags: 0, body: offset, bodyEnd: offset };
  const fcsPresent = options.fcs && end - offset >= 14;
  const frameEnd = fcsPresent ? end - 4 : end;
  dissectSafely(b, () => {
    const fc0 = b.u8(offset, 'frame control');
    const flags = b.u8(offset + 1, 'frame control flags');
    const version = fc0 & 3;
    const type = (fc0 >> 2) & 3;
    const subtype = fc0 >> 4;
    const fc = (fc0 << 8) | flags;
    const typeSubtype = (type << 4) | subtype;
    const name = frameTypeName(type, subtype);
    const flagText = flagString(flags, fcsPresent);
    if (version !== 0) {
      // packet-ieee80211.c: the version alone, the rest Data in this tree, then the FCS.
      info = `Unknown protocol version: ${version}`;
      b.title(() => `IEEE 802.11 Unknown Protocol Version:${version}`);
      b.add('wlan.fc.version', () => `${bitPicture(fc0, 0x03, 8)} = Version: ${version}`, version, offset, 1);
      if (fcsPresent && data.length >= end) {
        const fcs = data.readUInt32LE(end - 4);
        // After the Data in the tree (printed after the layers nested in it).
        b.add('wlan.fcs', () => `Frame check sequence: ${hex(fcs, 8)} [unverified]`, fcs, end - 4, 4, hex(fcs, 8)).trailing = true;
        b.add('wlan.fcs.status', '[FCS Status: Unverified]', 2, end - 4, 0).trailing = true;
      }
      kind = { type: -2, subtype: 0, flags, body: offset + 2, bodyEnd: frameEnd };
      return;
    }
    b.title(() => `IEEE 802.11 ${name}, Flags: ${flagText}`);
    info = name;
    b.add('wlan.fc.type_subtype', () => `Type/Subtype: ${name} (${hex(typeSubtype, 4)})`, typeSubtype, offset, 1, hex(typeSubtype, 4));
    if (b.building) {
      b.group('wlan.fc', () => `Frame Control Field: ${hex(fc, 4)}`, fc, offset, 2, () => {
        b.add('wlan.fc.version', () => `${bitPicture(fc0, 0x03, 8)} = Version: ${version}`, version, offset, 1);
        b.add('wlan.fc.type', () => `${bitPicture(fc0, 0x0c, 8)} = Type: ${TYPE_NAMES[type]} (${type})`, type, offset, 1);
        b.add('wlan.fc.subtype', () => `${bitPicture(fc0, 0xf0, 8)} = Subtype: ${subtype}`, subtype, offset, 1);
        b.group('wlan.flags', () => `Flags: ${hex(flags, 2)}`, flags, offset + 1, 1, () => {
          const ds = flags & 3;
          b.add('wlan.fc.ds', () => `${bitPicture(flags, 0x03, 8)} = DS status: ${DS_TEXTS[ds]} (${hex(ds, 1)})`, ds, offset + 1, 1, hex(ds, 2));
          b.add('wlan.fc.tods', () => `${bitPicture(flags, 0x01, 8)} = To DS: Frame is ${flags & 1 ? '' : 'not '}entering DS`, (flags & 1) !== 0, offset + 1, 1).hidden = true;
          b.add('wlan.fc.fromds', () => `${bitPicture(flags, 0x02, 8)} = From DS: Frame is ${flags & 2 ? '' : 'not '}exiting DS`, (flags & 2) !== 0, offset + 1, 1).hidden = true;
          for (const [mask, bit, label, on, off] of FLAG_BITS) {
            const item = b.add(`wlan.fc.${bit}`, () => `${bitPicture(flags, mask, 8)} = ${label}: ${flags & mask ? on : off}`, (flags & mask) !== 0, offset + 1, 1);
            // packet-ieee80211.c notes every frame sent again with the Retry bit.
            if (bit === 'retry' && (flags & mask) !== 0) addExpertTo(b, item, 'wlan.fc.retry.expert', 'Note', 'Sequence', 'Retransmission (retry)');
          }
        }, hex(flags, 2));
      }, hex(fc, 4));
    }
    const durationValue = b.data.length >= offset + 4 ? data.readUInt16LE(offset + 2) : -1;
    b.need(offset + 2, 2, 'duration');
    if (type === 1 && subtype === 10) {
      const aid = durationValue & 0x3fff;
      b.add('wlan.aid', () => `${bitPicture(durationValue, 0x3fff, 16)} = Association ID: ${aid}`, aid, offset + 2, 2);
    } else if ((durationValue & 0x8000) === 0) {
      b.add('wlan.duration', () => `${bitPicture(durationValue, 0x7fff, 16)} = Duration: ${durationValue} microseconds`, durationValue, offset + 2, 2);
    }
    kind = { type, subtype, flags, body: offset, bodyEnd: frameEnd };
    const addFcs = (): void => {
      if (!fcsPresent || data.length < end) return;
      const fcs = data.readUInt32LE(end - 4);
      b.add('wlan.fcs', () => `Frame check sequence: ${hex(fcs, 8)} [unverified]`, fcs, end - 4, 4, hex(fcs, 8));
      b.add('wlan.fcs.status', '[FCS Status: Unverified]', 2, end - 4, 0);
    };
    const addr = (at: number, field: string, label: string, withAddr: boolean): string => {
      b.need(at, 6, label);
      const text = macText(data, at);
      b.add(field, () => `${label}: ${d.macLabel(text)}`, text, at, 6);
      if (!b.building) return text;
      // Each address's name (itself without MAC name resolution), hidden, as packet-ieee80211.c adds it.
      const resolved = d.macName === undefined ? text : d.macName(text);
      b.add(`${field}_resolved`, () => `${label} (resolved): ${resolved}`, resolved, at, 6).hidden = true;
      if (withAddr) {
        b.add('wlan.addr', () => `Hardware address: ${d.macLabel(text)}`, text, at, 6).hidden = true;
        b.add('wlan.addr_resolved', () => `Hardware address (resolved): ${resolved}`, resolved, at, 6).hidden = true;
      }
      return text;
    };
    if (type === 1) {
      // Control frames: RA, and for most a TA; no sequence control.
      const ra = addr(offset + 4, subtype === 10 ? 'wlan.bssid' : 'wlan.ra', subtype === 10 ? 'BSS Id' : 'Receiver address', true);
      let src = '';
      let at = offset + 10;
      if (subtype === 8 || subtype === 9 || subtype === 10 || subtype === 11 || subtype === 14 || subtype === 15 || subtype === 4 || subtype === 5) {
        src = addr(at, subtype === 14 || subtype === 15 ? 'wlan.bssid' : 'wlan.ta', subtype === 14 || subtype === 15 ? 'BSS Id' : 'Transmitter address', true);
        at += 6;
      }
      if (subtype === 8 || subtype === 9) {
        const ctl = b.u8(at, 'block ack control') | (b.u8(at + 1) << 8);
        const prefix = subtype === 8 ? 'wlan.bar' : 'wlan.ba';
        b.add(`${prefix}.control`, () => `Block Ack${subtype === 8 ? ' Request' : ''} (BAR) Control: ${hex(ctl, 4)}`, ctl, at, 2, hex(ctl, 4));
        at += 2;
      }
      addFcs();
      if (p.columns) p.setColumns(src ? `${src} ${subtype === 14 || subtype === 15 ? '(BSSID)' : '(TA)'}` : '', `${ra} (RA)`);
      info = `${name}, Flags=${flagText}`;
      b.setLength(at - offset);
      kind.body = at;
      return;
    }
    const ds = flags & 3;
    const a1 = offset + 4;
    const a2 = offset + 10;
    const a3 = offset + 16;
    b.need(offset, 24, '802.11 header');
    let sa: string;
    let da: string;
    if (type === 0) {
      addr(a1, 'wlan.ra', 'Receiver address', false);
      da = addr(a1, 'wlan.da', 'Destination address', true);
      addr(a2, 'wlan.ta', 'Transmitter address', false);
      sa = addr(a2, 'wlan.sa', 'Source address', true);
      addr(a3, 'wlan.bssid', 'BSS Id', true);
    } else {
      const t2 = macText(data, a2);
      const t3 = macText(data, a3);
      addr(a1, 'wlan.ra', 'Receiver address', true);
      addr(a2, 'wlan.ta', 'Transmitter address', true);
      if (ds === 0) {
        da = addr(a1, 'wlan.da', 'Destination address', false);
        sa = addr(a2, 'wlan.sa', 'Source address', false);
        addr(a3, 'wlan.bssid', 'BSS Id', true);
        addr(t2 === t3 ? a1 : a2, 'wlan.staa', 'STA address', false);
      } else if (ds === 1) {
        da = addr(a3, 'wlan.da', 'Destination address', false);
        sa = addr(a2, 'wlan.sa', 'Source address', false);
        addr(a1, 'wlan.bssid', 'BSS Id', false);
        addr(a2, 'wlan.staa', 'STA address', false);
      } else if (ds === 2) {
        da = addr(a1, 'wlan.da', 'Destination address', false);
        sa = addr(a3, 'wlan.sa', 'Source address', false);
        addr(a2, 'wlan.bssid', 'BSS Id', false);
        addr(a1, 'wlan.staa', 'STA address', false);
      } else {
        da = addr(a3, 'wlan.da', 'Destination address', true);
        b.need(offset + 24, 6, 'fourth address');
        sa = addr(offset + 24, 'wlan.sa', 'Source address', true);
      }
    }
    const seqCtl = data.readUInt16LE(offset + 22);
    const frag = seqCtl & 0xf;
    const seq = seqCtl >> 4;
    b.add('wlan.frag', () => `${bitPicture(seqCtl, 0x000f, 16)} = Fragment number: ${frag}`, frag, offset + 22, 2);
    b.add('wlan.seq', () => `${bitPicture(seqCtl, 0xfff0, 16)} = Sequence number: ${seq}`, seq, offset + 22, 2);
    // A data frame to or from the DS: packet-ieee80211.c adds its third address to wlan.addr only here.
    if (type === 2 && (ds === 1 || ds === 2) && b.building) {
      const text = macText(data, a3);
      const resolved = d.macName === undefined ? text : d.macName(text);
      b.add('wlan.addr', () => `Hardware address: ${d.macLabel(text)}`, text, a3, 6).hidden = true;
      b.add('wlan.addr_resolved', () => `Hardware address (resolved): ${resolved}`, resolved, a3, 6).hidden = true;
    }
    addFcs();
    let hdr = offset + 24 + (type === 2 && ds === 3 ? 6 : 0);
    if (type === 2 && (subtype & 8) !== 0) {
      b.need(hdr, 2, 'QoS control');
      const qos = data.readUInt16LE(hdr);
      const at = hdr;
      b.group('wlan.qos', () => `Qos Control: ${hex(qos, 4)}`, qos, at, 2, () => {
        b.add('wlan.qos.tid', () => `${bitPicture(qos, 0x000f, 16)} = TID: ${qos & 0xf}`, qos & 0xf, at, 2);
        b.add('wlan.qos.priority', () => `[${bitPicture(qos, 0x0007, 16)} = Priority: ${QOS_PRIORITIES[qos & 7]} (${qos & 7})]`, qos & 7, at, 2);
        // packet-ieee80211.c: bit 4 and bits 8-15 mean one thing from an AP (From DS), another from a station.
        const fromDs = (ds & 2) !== 0;
        if (fromDs) b.add('wlan.qos.eosp', () => `${bitPicture(qos, 0x0010, 16)} = EOSP: ${qos & 0x10 ? 'End of service period' : 'Service period'}`, (qos & 0x10) !== 0, at, 2);
        else b.add('wlan.qos.bit4', () => `${bitPicture(qos, 0x0010, 16)} = QoS bit 4: Bits 8-15 of QoS Control field are ${qos & 0x10 ? 'Queue Size' : 'TXOP Duration Requested'}`, (qos & 0x10) !== 0, at, 2);
        b.add('wlan.qos.ack', () => `${bitPicture(qos, 0x0060, 16)} = Ack Policy: ${ACK_POLICIES[(qos >> 5) & 3]} (${hex((qos >> 5) & 3, 1)})`, (qos >> 5) & 3, at, 2, () => hex((qos >> 5) & 3, 4));
        // (A QoS Null frame carries no payload to type.)
        if ((subtype & 4) === 0) b.add('wlan.qos.amsdupresent', () => `${bitPicture(qos, 0x0080, 16)} = Payload Type: ${qos & 0x80 ? 'A-MSDU' : 'MSDU'}`, (qos & 0x80) !== 0, at, 2);
        const high = qos >> 8;
        if (fromDs) {
          b.group('wlan.qos.ps_buf_state', () => `${bitPicture(qos, 0xff00, 16)} = QAP PS Buffer State: ${hex(high, 2)}`, high, at, 2, () => {
            b.add('wlan.qos.buf_state_indicated', () => `${bitPicture(qos, 0x0200, 16)} = Buffer State Indicated: ${qos & 0x200 ? 'Yes' : 'No'}`, (qos & 0x200) !== 0, at, 2);
            if (qos & 0x200) {
              const ac = (qos >> 10) & 3;
              b.add('wlan.qos.highest_pri_buf_ac', () => `${bitPicture(qos, 0x0c00, 16)} = Highest-Priority Buffered AC: ${['Best Effort', 'Background', 'Video', 'Voice'][ac]} (${ac})`, ac, at, 2);
              const load = qos >> 12;
              b.add('wlan.qos.qap_buf_load', () => `${bitPicture(qos, 0xf000, 16)} = QAP Buffered Load: ${load}${load === 0 ? ' (no buffered traffic)' : ''}`, load, at, 2);
            }
          }, hex(high, 4));
        } else if (qos & 0x10) b.add('wlan.qos.queue_size', () => `${bitPicture(qos, 0xff00, 16)} = Queue Size: ${high}`, high, at, 2);
        else b.add('wlan.qos.txop_dur_req', () => `${bitPicture(qos, 0xff00, 16)} = TXOP Duration Requested: ${high}${high === 0 ? ' (no TXOP requested)' : ''}`, high, at, 2);
      }, hex(qos, 4));
      hdr += 2;
    }
    if ((flags & 0x80) !== 0 && (type === 0 || (type === 2 && (subtype & 8) !== 0))) {
      b.need(hdr, 4, 'HT control');
      const htc = data.readUInt32LE(hdr);
      b.add('wlan.htc', () => `HT Control (+HTC): ${hex(htc, 8)}`, htc, hdr, 4, hex(htc, 8));
      hdr += 4;
    }
    if (options.dataPad && type === 2) hdr = offset + Math.ceil((hdr - offset) / 4) * 4;
    b.setLength(hdr - offset);
    kind.body = hdr;
    if (p.columns) p.setColumns(sa, da);
    info = `${name}, SN=${seq}, FN=${frag}, Flags=${flagText}`;
  });
  p.addLayer(b.layer);
  if (kind.type === -2 && b.layer.status === 'ok') {
    // An unknown protocol version: what follows the frame control is Data inside the 802.11 tree.
    p.setProtocol('802.11', info);
    if (kind.bodyEnd > kind.body) {
      const before = p.layers.length;
      d.data(p, data, kind.body, kind.bodyEnd);
      for (let k = before; k < p.layers.length; k++) p.layers[k]!.nested = true;
    }
    return;
  }
  if (kind.type < 0 || b.layer.status !== 'ok') {
    p.setProtocol('802.11', info + statusSuffix(b.layer.status));
    return;
  }
  const { type, subtype, flags, body, bodyEnd } = kind;
  if (type === 1) {
    p.setProtocol('802.11', info);
    return;
  }
  const isProtected = (flags & 0x40) !== 0;
  if (type === 0) {
    if (isProtected) {
      p.setProtocol('802.11', info);
      protectedBody(d, p, b, body, bodyEnd);
      return;
    }
    const mgmt = dissectManagement(p, data, subtype, body, bodyEnd);
    p.setProtocol('802.11', info + mgmt.info + statusSuffix(mgmt.status));
    return;
  }
  p.setProtocol('802.11', info);
  if (type !== 2 || (subtype & 4) !== 0 || body >= Math.min(bodyEnd, data.length)) return;
  if (isProtected) protectedBody(d, p, b, body, bodyEnd);
  else dissectLlc(d, p, data, body, bodyEnd);
}

function statusSuffix(status: string): string {
  return status === 'malformed' ? '[Malformed Packet]' : status === 'truncated' ? '[Packet size limited during capture]' : '';
}

/** WEP / TKIP / CCMP parameters (in the wlan tree), then the still-encrypted bytes as "data". */
function protectedBody(d: Dissector, p: PacketState, b: LayerBuilder, body: number, bodyEnd: number): void {
  const data = b.data;
  if (body + 4 > Math.min(bodyEnd, data.length)) return;
  const keyByte = data[body + 3]!;
  let payload = body + 4;
  let stop = bodyEnd;
  const target = b.layer.fields;
  const sub = new LayerBuilder(data, 'wlan', '', body, bodyEnd, p.selection);
  if ((keyByte & 0x20) === 0) {
    const iv = (data[body]! << 16) | (data[body + 1]! << 8) | data[body + 2]!;
    sub.group('wlan.wep', 'WEP parameters', null, body, 4, () => {
      sub.add('wlan.wep.iv', () => `Initialization Vector: ${hex(iv, 6)}`, iv, body, 3, hex(iv, 6));
      sub.add('wlan.wep.key', () => `Key Index: ${keyByte >> 6}`, keyByte >> 6, body + 3, 1);
      if (bodyEnd - 4 >= payload && data.length >= bodyEnd) {
        const icv = data.readUInt32BE(bodyEnd - 4);
        sub.add('wlan.wep.icv', () => `WEP ICV: ${hex(icv, 8)} (not verified)`, icv, bodyEnd - 4, 4, hex(icv, 8));
        stop = bodyEnd - 4;
      }
    });
  } else if (body + 8 <= data.length) {
    const tkip = data[body + 1] === ((data[body]! | 0x20) & 0x7f);
    const pn = tkip
      ? [7, 6, 5, 4, 0, 2].map((i) => data[body + i]!.toString(16).padStart(2, '0')).join('')
      : [7, 6, 5, 4, 1, 0].map((i) => data[body + i]!.toString(16).padStart(2, '0')).join('');
    sub.group(tkip ? 'wlan.tkip' : 'wlan.ccmp', tkip ? 'TKIP parameters' : 'CCMP parameters', null, body, 8, () => {
      sub.add(tkip ? 'wlan.tkip.extiv' : 'wlan.ccmp.extiv', () => `${tkip ? 'TKIP' : 'CCMP'} Ext. Initialization Vector: 0x${pn}`, `0x${pn}`, body, 8);
      sub.add('wlan.wep.key', () => `Key Index: ${keyByte >> 6}`, keyByte >> 6, body + 3, 1);
    });
    payload = body + 8;
  } else {
    return;
  }
  target.push(...sub.layer.fields);
  d.data(p, data, payload, stop);
}

interface MgmtResult {
  info: string;
  status: string;
}

/** Fixed parameters by subtype: [abbrev, label, size]. */
const FIXED: Record<number, readonly (readonly [string, string, number])[]> = {
  0: [['wlan.fixed.capabilities', 'Capabilities Information', 2], ['wlan.fixed.listen_ival', 'Listen Interval', 2]],
  1: [['wlan.fixed.capabilities', 'Capabilities Information', 2], ['wlan.fixed.status_code', 'Status code', 2], ['wlan.fixed.aid', 'Association ID', 2]],
  2: [['wlan.fixed.capabilities', 'Capabilities Information', 2], ['wlan.fixed.listen_ival', 'Listen Interval', 2], ['wlan.fixed.current_ap', 'Current AP', 6]],
  3: [['wlan.fixed.capabilities', 'Capabilities Information', 2], ['wlan.fixed.status_code', 'Status code', 2], ['wlan.fixed.aid', 'Association ID', 2]],
  5: [['wlan.fixed.timestamp', 'Timestamp', 8], ['wlan.fixed.beacon', 'Beacon Interval', 2], ['wlan.fixed.capabilities', 'Capabilities Information', 2]],
  8: [['wlan.fixed.timestamp', 'Timestamp', 8], ['wlan.fixed.beacon', 'Beacon Interval', 2], ['wlan.fixed.capabilities', 'Capabilities Information', 2]],
  10: [['wlan.fixed.reason_code', 'Reason code', 2]],
  11: [['wlan.fixed.auth.alg', 'Authentication Algorithm', 2], ['wlan.fixed.auth_seq', 'Authentication SEQ', 2], ['wlan.fixed.status_code', 'Status code', 2]],
  12: [['wlan.fixed.reason_code', 'Reason code', 2]],
  13: [['wlan.fixed.category_code', 'Category code', 1]],
  14: [['wlan.fixed.category_code', 'Category code', 1]],
};
const HEX_FIXED = new Set(['wlan.fixed.listen_ival', 'wlan.fixed.capabilities', 'wlan.fixed.status_code', 'wlan.fixed.reason_code', 'wlan.fixed.auth_seq', 'wlan.fixed.aid']);

/** The management body: a subtree layer that frame.protocols does not list (Wireshark's wlan.mgt). */
function dissectManagement(p: PacketState, data: Buffer, subtype: number, offset: number, end: number): MgmtResult {
  const b = new LayerBuilder(data, 'wlan.mgt', 'IEEE 802.11 Wireless Management', offset, end, p.selection);
  let info = '';
  dissectSafely(b, () => {
    let at = offset;
    const fixed = FIXED[subtype] ?? [];
    const fixedLength = fixed.reduce((n, f) => n + f[2], 0);
    let interval = -1;
    if (fixedLength > 0) {
      b.group('wlan.fixed.all', () => `Fixed parameters (${fixedLength} bytes)`, null, offset, fixedLength, () => {
        for (const [abbrev, label, size] of fixed) {
          b.need(at, size, label);
          if (size === 8) {
            const v = data.readBigUInt64LE(at);
            b.add(abbrev, () => `${label}: ${v}`, v.toString(), at, 8);
          } else if (size === 6) {
            const text = macText(data, at);
            b.add(abbrev, () => `${label}: ${text}`, text, at, 6);
          } else if (size === 1) {
            const v = data[at]!;
            b.add(abbrev, () => `${label}: ${v}`, v, at, 1);
          } else {
            const raw = data.readUInt16LE(at);
            const v = abbrev === 'wlan.fixed.aid' ? raw & 0x3fff : raw;
            if (abbrev === 'wlan.fixed.beacon') interval = v;
            const text = HEX_FIXED.has(abbrev) ? hex(v, 4) : String(v);
            const fieldAt = at;
            if (abbrev === 'wlan.fixed.beacon') b.add(abbrev, () => `Beacon Interval: ${(v * 1024 / 1e6).toFixed(6)} [Seconds]`, v, at, 2);
            else if (abbrev === 'wlan.fixed.capabilities') b.group(abbrev, () => `${label}: ${text}`, v, at, 2, () => capabilityBits(b, v, fieldAt), text);
            else b.add(abbrev, () => `${label}: ${text}`, v, at, 2, text);
          }
          at += size;
        }
      });
    }
    if (interval >= 0) info += `, BI=${interval}`;
    if (subtype === 13 || subtype === 14) {
      b.setLength(Math.max(0, Math.min(end, data.length) - offset));
      return;
    }
    const tagsEnd = Math.min(end, data.length);
    if (at < end) {
      let ssidInfo: string | undefined;
      let meshInfo: string | undefined;
      const tagsStart = at;
      b.group('wlan.tagged.all', () => `Tagged parameters (${end - tagsStart} bytes)`, null, tagsStart, end - tagsStart, () => {
        while (at < end) {
          const number = b.u8(at, 'tag number');
          const next = addTaggedParameter(b, at, end);
          if (number === 0 && ssidInfo === undefined) ssidInfo = ssidText(data, at + 2, next - at - 2);
          if (number === 114 && meshInfo === undefined) meshInfo = ssidText(data, at + 2, next - at - 2);
          at = next;
        }
      });
      if (ssidInfo !== undefined && subtype !== 1 && subtype !== 3) info += `, SSID=${ssidInfo}`;
      if (meshInfo !== undefined && meshInfo !== 'Wildcard (Broadcast)' && ssidInfo !== undefined && subtype !== 1 && subtype !== 3) info += `, MESHID=${meshInfo.replace(/^"|"$/g, '')}`;
    }
    b.setLength(Math.max(0, Math.min(at, tagsEnd) - offset));
  });
  p.addLayer(b.layer, '');
  return { info, status: b.layer.status };
}

/**
 * One tagged parameter (an information element) at data[at, end): a "Tag: …" line with its number,
 * length and body. Returns where the next one starts. Management frames' tagged parameters and
 * EAPOL-Key frames' key data are lists of these.
 */
export function addTaggedParameter(b: LayerBuilder, at: number, end: number): number {
  const data = b.data;
  const number = b.u8(at, 'tag number');
  const length = b.u8(at + 1, 'tag length');
  const v = at + 2;
  const tagName = TAG_NAMES[number] ?? 'Reserved';
  // Past the end: the tag's number and length are shown (with Wireshark's expert when the length
  // exceeds what remains from the tag's start), then its body's first read fails.
  const past = v + length > end;
  const captured = Math.min(end, data.length);
  if (!past && v + length > captured) b.need(v, length, tagName);
  let summary = '';
  if (past) summary = '';
  else if (number === 0) summary = ssidText(data, v, length);
  else if (b.tree) summary = tagSummary(data, number, v, Math.min(length, captured - v));
  b.group('wlan.tag', () => `Tag: ${tagName}${summary.startsWith(' ') || summary.startsWith(':') ? summary : summary ? `: ${summary}` : ''}`, null, at, 2 + length, () => {
    b.add('wlan.tag.number', () => `Tag Number: ${tagName} (${number})`, number, at, 1);
    const lengthField = b.add('wlan.tag.length', () => `Tag length: ${length}`, length, at + 1, 1);
    if (length > end - at) addExpertTo(b, lengthField, 'wlan.tag.length.bad', 'Error', 'Malformed', 'Tag Length is longer than remaining payload');
    if (past) throw new StopDissection('malformed', `tag ${number} runs past the end of the frame`);
    tagBody(b, number, v, length);
  });
  return v + length;
}

/** Capabilities Information's bits: field (after wlan.fixed.capabilities.), label, text when set and clear; null for a reserved bit. */
const CAPABILITY_BITS: Array<[string, string, string, string] | null> = [
  ['ess', 'ESS capabilities', 'Transmitter is an AP', 'Transmitter is a STA'],
  ['ibss', 'IBSS status', 'Transmitter belongs to an IBSS', 'Transmitter belongs to a BSS'],
  null, null,
  ['privacy', 'Privacy', 'Data confidentiality required', 'Data confidentiality not required'],
  ['short_preamble', 'Short Preamble', 'Allowed', 'Not Allowed'],
  null, null,
  ['spec_man', 'Spectrum Management', 'Implemented', 'Not Implemented'],
  ['qos', 'QoS', 'Implemented', 'Not Implemented'],
  ['short_slot_time', 'Short Slot Time', 'In use', 'Not in use'],
  ['apsd', 'Automatic Power Save Delivery', 'Implemented', 'Not Implemented'],
  ['radio_measurement', 'Radio Measurement', 'Implemented', 'Not Implemented'],
  ['epd', 'EPD', 'Implemented', 'Not Implemented'],
  null, null,
];

/** The sixteen bits of a Capabilities Information field (reserved ones numbered 1 to 6), as tshark shows them. */
function capabilityBits(b: LayerBuilder, value: number, at: number): void {
  let reserved = 0;
  CAPABILITY_BITS.forEach((bit, i) => {
    const mask = 1 << i;
    const set = (value & mask) !== 0;
    if (bit === null) {
      reserved++;
      b.add(`wlan.fixed.capabilities.reserved${reserved}`, () => `${bitPicture(value, mask, 16)} = Reserved: ${set ? 1 : 0}`, set ? 1 : 0, at, 2);
      return;
    }
    const [name, label, yes, no] = bit;
    b.add(`wlan.fixed.capabilities.${name}`, () => `${bitPicture(value, mask, 16)} = ${label}: ${set ? yes : no}`, set, at, 2);
  });
}

/** What Wireshark adds to a tag's heading: the rates, the channel, the DTIM position, a vendor's element. */
function tagSummary(data: Buffer, number: number, v: number, length: number): string {
  if ((number === 1 || number === 50) && length > 0) {
    let text = ' ';
    for (let i = 0; i < length; i++) text += `${rateText(data[v + i]!)}, `;
    return `${text}[Mbit/sec]`;
  }
  if (number === 3 && length >= 1) return `Current Channel: ${data[v]}`;
  if (number === 5 && length >= 2) return `DTIM ${data[v]} of ${data[v + 1]} bitmap`;
  if (number === 221) return vendorHeading(data, v, length);
  return '';
}

/** An SSID as Wireshark shows it: quoted, or "Wildcard (Broadcast)" when empty. */
export function ssidText(data: Buffer, at: number, length: number): string {
  if (length === 0) return 'Wildcard (Broadcast)';
  const bytes = data.subarray(at, Math.min(at + length, data.length));
  let text = '';
  for (const c of bytes) text += c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : `\\${c.toString(8).padStart(3, '0')}`;
  return `"${text}"`;
}

function tagBody(b: LayerBuilder, number: number, v: number, length: number): void {
  const data = b.data;
  switch (number) {
    case 0:
      b.add('wlan.ssid', () => `SSID: ${ssidText(data, v, length)}`, data.subarray(v, v + length), v, length, () => data.toString('hex', v, v + length));
      return;
    case 1:
    case 50: {
      const abbrev = number === 1 ? 'wlan.supported_rates' : 'wlan.extended_supported_rates';
      const label = number === 1 ? 'Supported Rates' : 'Extended Supported Rates';
      for (let i = 0; i < length; i++) {
        const r = data[v + i]!;
        b.add(abbrev, () => `${label}: ${rateText(r)} (${hex(r, 2)})`, r, v + i, 1, hex(r, 2));
      }
      return;
    }
    case 3:
      if (length >= 1) b.add('wlan.ds.current_channel', () => `Current Channel: ${data[v]}`, data[v]!, v, 1);
      return;
    case 5:
      if (length >= 3) {
        b.add('wlan.tim.dtim_count', () => `DTIM count: ${data[v]}`, data[v]!, v, 1);
        b.add('wlan.tim.dtim_period', () => `DTIM period: ${data[v + 1]}`, data[v + 1]!, v + 1, 1);
        const ctl = data[v + 2]!;
        b.add('wlan.tim.bmapctl', () => `Bitmap control: ${hex(ctl, 2)}`, ctl, v + 2, 1, hex(ctl, 2));
        if (length > 3) b.add('wlan.tim.partial_virtual_bitmap', () => `Partial Virtual Bitmap: ${bytesHex(data, v + 3, length - 3)}`, data.subarray(v + 3, v + length), v + 3, length - 3);
      }
      return;
    case 48:
      rsnBody(b, v, length);
      return;
    case 221:
      vendorBody(b, v, length);
      return;
    default:
      if (length > 0) b.add('wlan.tag.data', () => `Data: ${bytesHex(data, v, length)}`, data.subarray(v, v + length), v, length);
  }
}
