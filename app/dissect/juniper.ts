/**
 * Juniper Ethernet (LINKTYPE_JUNIPER_ETHER, 178: JunOS's `monitor traffic` captures) as tshark 4.0
 * shows it (packet-juniper.c): no protocol item but a "Juniper Ethernet" text subtree (JSON names
 * it by that text, frame.protocols says `juniper`) with the magic number, direction and
 * L2-header flags, and the meta-information extensions (media type, encapsulation, interface
 * indexes; TLVs below 128 little-endian), then the Ethernet frame. Without its magic number the
 * header is given up and the frame read as Ethernet from its first byte, as Wireshark does.
 */
import { dissectSafely, hex, LayerBuilder } from './builder';
import type { Dissector } from './dissector';
import { bitPicture } from './format';
import type { PacketState } from './packet-state';
import { addExpert } from './expert';
import { dissectEthernet } from './link';

export const LINKTYPE_JUNIPER_ETHER = 178;

const MAGIC = 0x4d4743;
const TITLE = 'Juniper Ethernet';

const EXT_TLVS: Record<number, [string, string | null]> = {
  1: ['Device Interface Index', 'juniper.ext.ifd'], 2: ['Device Interface Name', null], 3: ['Device Media Type', 'juniper.ext.ifmt'],
  4: ['Logical Interface Index', 'juniper.ext.ifl'], 5: ['Logical Unit Number', 'juniper.ext.unit'], 6: ['Logical Interface Encapsulation', 'juniper.ext.ifle'],
  7: ['TTP derived Device Media Type', 'juniper.ext.ttp_ifmt'], 8: ['TTP derived Logical Interface Encapsulation', 'juniper.ext.ttp_ifle'],
};

/** juniper_ifmt_vals. */
const MEDIA_TYPES: Record<number, string> = {
  1: 'Ethernet', 2: 'FDDI', 3: 'Token-Ring', 4: 'PPP', 5: 'Frame-Relay', 6: 'Cisco-HDLC', 7: 'SMDS-DXI', 8: 'ATM-PVC', 9: 'PPP-CCC',
  10: 'Frame-Relay-CCC', 11: 'IP-over-IP', 12: 'GRE', 13: 'PIM-Encapsulator', 14: 'PIM-Decapsulator', 15: 'Cisco-HDLC-CCC', 16: 'VLAN-CCC',
  17: 'Multilink-PPP', 18: 'Multilink-FR', 19: 'Multilink', 20: 'LSI', 22: 'ATM-CCC-Cell-Relay', 23: 'IPSEC-over-IP', 24: 'GGSN',
  27: 'PPP-TCC', 28: 'Frame-Relay-TCC', 29: 'Cisco-HDLC-TCC', 30: 'Ethernet-CCC', 31: 'VPN-Loopback-tunnel', 32: 'Extended-VLAN-CCC',
  33: 'Ethernet-over-ATM', 34: 'Monitor', 35: 'Ethernet-TCC', 36: 'VLAN-TCC', 37: 'Extended-VLAN-TCC', 38: 'Controller',
  39: 'Multilink-FR-UNI-NNI', 40: 'LinkService', 41: 'VPLS', 42: 'VLAN-VPLS', 43: 'Extended-VLAN-VPLS', 44: 'Logical-tunnel',
  45: 'General-Services', 46: 'Ethernet-VPLS-over-ATM', 48: 'Extended FR-CCC', 49: 'Extended FR-TCC', 50: 'Flexible-FrameRelay',
  52: 'Flexible-Ethernet-Services', 53: 'Flow-collection', 56: 'PPPoE', 57: 'PPP-Subordinate', 59: 'Dynamic-Flow-Capture', 60: 'PIC Peer',
};

/** juniper_ifle_vals. */
const ENCAPSULATIONS: Record<number, string> = {
  2: 'ATM SNAP', 3: 'ATM NLPID', 4: 'ATM VCMUX', 5: 'ATM LLC', 6: 'PPP over ATM VCMUX', 7: 'PPP over ATM LLC', 8: 'PPP over FUNI',
  9: 'CCC over ATM', 10: 'FR NLPID', 11: 'FR SNAP', 12: 'FR PPP', 13: 'FR CCC', 14: 'Ethernet', 15: 'IEEE 802.3 SNAP',
  16: 'IEEE 802.3 LLC', 17: 'PPP', 18: 'C-HDLC', 19: 'PPP CCC', 20: 'IPIP', 21: 'PIM Null', 22: 'GRE NULL', 23: 'PPP over GRE',
  24: 'PIMd', 25: 'C-HDLC CCC', 26: 'CISCO compatible NLPID', 27: 'VLAN CCC', 28: 'MLPPP', 29: 'MLFR', 30: 'LSI Null',
  32: 'ATM CCC Cell Relay', 33: 'Crypto', 34: 'GGSN', 35: 'ATM VCMUX TCC', 36: 'FR TCC', 37: 'PPP TCC', 38: 'C-HDLC TCC',
  39: 'Ethernet CCC', 40: 'VT', 41: 'Ethernet over ATM LLC', 42: 'Extended VLAN CCC', 43: 'ATM SNAP TCC', 44: 'Monitor',
  45: 'Ethernet TCC', 46: 'VLAN TCC', 47: 'Extended VLAN TCC', 48: 'MFR', 49: 'VPLS', 50: 'VLAN VPLS', 51: 'Extended VLAN VPLS',
  52: 'General Services', 53: 'Ethernet VPLS over ATM LLC', 54: 'FR CCC', 55: 'MLPPP over ATM LLC', 56: 'Ethernet over ATM CCC',
  57: 'LT VLAN', 58: 'Collector', 59: 'Aggregator', 60: 'LAPD', 61: 'PPPoE over ATM LLC', 62: 'PPPoE over Ethernet', 63: 'PPPoE',
  64: '', 65: 'C-HDLC via dialer',
};

/** A TLV's value: little-endian below type 128, big-endian from it; -1 for other lengths. */
function tlvValue(data: Buffer, type: number, at: number, length: number): number {
  if (length < 1 || length > 4) return -1;
  return type < 128 ? data.readUIntLE(at, length) : data.readUIntBE(at, length);
}

export function dissectJuniperEther(d: Dissector, p: PacketState, data: Buffer, offset: number, end: number): void {
  // The text subtree is a layer named by its text (as JSON and PDML name it); `juniper` goes in frame.protocols.
  const b = new LayerBuilder(data, TITLE, TITLE, offset, end, p.selection);
  b.title(() => TITLE);
  p.setProtocol(TITLE, '');
  let payload = offset;
  let stop = false;
  dissectSafely(b, () => {
    b.need(offset, 3, 'Juniper magic number');
    const magic = data.readUIntBE(offset, 3);
    if (magic !== MAGIC) {
      b.group('juniper.magic-number', () => `Magic Number: ${hex(magic, 6)}`, magic, offset, 3, () => {
        addExpert(b, 'juniper.magic-number.none', 'Warning', 'Protocol', 'No Magic-Number found!', offset, 3);
      }, () => hex(magic, 6));
      // (packet-juniper.c then reads the frame as Ethernet from its first byte.)
      b.add('juniper.payload_type', '[Payload Type: Ethernet (204)]', 204, offset, 0);
      b.setLength(0);
      return;
    }
    b.add('juniper.magic-number', () => `Magic Number: ${hex(magic, 6)}`, magic, offset, 3, () => hex(magic, 6));
    const flags = b.u8(offset + 3, 'Juniper flags');
    b.add('juniper.direction', () => `${bitPicture(flags, 0x01, 8)} = Direction: ${flags & 1 ? 'In' : 'Out'} (${hex(flags & 1, 1)})`, flags & 1, offset + 3, 1, () => hex(flags & 1, 2));
    const l2 = flags & 0x02;
    b.add('juniper.l2hdr', () => `${bitPicture(flags, 0x02, 8)} = L2 header presence: ${l2 ? 'none' : 'Present'} (${hex(l2, 1)})`, l2, offset + 3, 1, () => hex(l2, 2));
    let headerLength = 4;
    if (flags & 0x80) {
      let total = b.u16(offset + 4, 'Juniper extensions length');
      headerLength = 6 + total;
      b.group('juniper.ext_total_len', () => `Extension(s) Total length: ${total}`, total, offset + 4, 2, () => {
        let at = offset + 6;
        while (total > 2) {
          const type = b.u8(at, 'Juniper extension type');
          const length = b.u8(at + 1, 'Juniper extension length');
          if (length === 0 || length > total - 2) break;
          b.need(at + 2, length, 'Juniper extension');
          const [name, abbrev] = EXT_TLVS[type] ?? ['Unknown', null];
          const value = tlvValue(data, type, at + 2, length);
          const from = at;
          b.group('', () => `${name} Extension TLV #${type}, length: ${length}${abbrev === null ? 'Unknown' : ''}`, null, from, 2 + length, () => {
            if (abbrev === null) return;
            const names = abbrev.endsWith('ifmt') ? MEDIA_TYPES : abbrev.endsWith('ifle') ? ENCAPSULATIONS : null;
            const shown = value >>> 0;
            b.add(abbrev, () => `${name}: ${names === null ? shown : `${names[shown] ?? 'Unknown'} (${shown})`}`, shown, from + 2, length);
          });
          at += 2 + length;
          total -= 2 + length;
        }
      });
    }
    if (l2) {
      // No link header: the payload's protocol in host order, then the payload (not Ethernet).
      b.need(offset + headerLength, 4, 'Juniper payload protocol');
      const proto = data.readUInt32LE(offset + headerLength);
      b.add('juniper.payload_type', () => `[Payload Type: ${proto}]`, proto, offset + headerLength + 4, 0);
      payload = offset + headerLength + 4;
      stop = true;
      return;
    }
    b.add('juniper.payload_type', '[Payload Type: Ethernet (204)]', 204, offset + headerLength, 0);
    payload = offset + headerLength;
    b.setLength(headerLength);
  });
  p.addLayer(b.layer, 'juniper');
  if (b.layer.status !== 'ok') return;
  if (stop) {
    d.data(p, data, payload, end);
    return;
  }
  dissectEthernet(d, p, data, payload, end);
}
