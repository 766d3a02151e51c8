/**
 * Cisco Dynamic Trunk Protocol (SNAP, Cisco OUI, PID 0x2004) as tshark 4.0 shows it: the version,
 * then TLVs (domain, trunk status and type with their operating/administrative halves, sender ID).
 * Info: "Dynamic Trunk Protocol".
 */
import { dissectSafely, hex, LayerBuilder } from './builder';
import type { Dissector } from './dissector';
import { be16, bitPicture, macText } from './format';
import type { PacketState } from './packet-state';

export const CISCO_PID_DTP = 0x2004;

const TLV_TYPES: Record<number, string> = { 1: 'Domain', 2: 'Trunk Status', 3: 'Trunk Type', 4: 'Sender ID' };
const OPERATING_STATUS = ['Access', 'Trunk'];
const ADMIN_STATUS: Record<number, string> = { 1: 'On', 2: 'Off', 3: 'Desirable', 4: 'Auto' };
const TRUNK_TYPES: Record<number, string> = { 0: 'Negotiated', 1: 'Native', 2: 'ISL', 5: '802.1Q' };

export function dissectDtp(d: Dissector, p: PacketState, data: Buffer, offset: number, end: number): number | void {
  const b = new LayerBuilder(data, 'dtp', 'Dynamic Trunk Protocol', offset, end, p.selection);
  let at = offset;
  // packet-dtp.c appends each TLV's value to the protocol's item.
  let title = 'Dynamic Trunk Protocol';
  dissectSafely(b, () => {
    const version = b.u8(offset, 'version');
    b.add('dtp.version', () => `Version: ${version}`, version, offset, 1);
    at = offset + 1;
    const stop = Math.min(end, data.length);
    while (at + 4 <= stop) {
      const type = be16(data, at);
      const length = be16(data, at + 2);
      if (length < 4) break;
      b.need(at + 4, length - 4, 'TLV value');
      const tlvAt = at;
      const value = at + 4;
      b.group('', TLV_TYPES[type] ?? 'Unknown TLV', null, at, length, () => {
        b.add('dtp.tlv_type', () => `Type: ${TLV_TYPES[type] ?? 'Unknown'} (${hex(type, 4)})`, type, tlvAt, 2, () => hex(type, 4));
        b.add('dtp.tlv_len', () => `Length: ${length}`, length, tlvAt + 2, 2);
        title += tlvValue(d, b, type, value, length - 4);
      });
      at += length;
    }
  });
  b.title(title);
  b.setLength(at - offset);
  p.addLayer(b.layer);
  p.setProtocol('DTP', 'Dynamic Trunk Protocol');
  return end;
}

/** Adds a TLV's value; returns what packet-dtp.c appends to the protocol's item for it. */
function tlvValue(d: Dissector, b: LayerBuilder, type: number, at: number, length: number): string {
  const data = b.data;
  if (type === 1) {
    let stop = at;
    while (stop < at + length && data[stop] !== 0) stop++;
    const domain = data.toString('latin1', at, stop);
    b.add('dtp.domain', () => `Domain: ${domain}`, domain, at, length);
    return `: ${domain}`;
  } else if ((type === 2 || type === 3) && length >= 1) {
    const v = data[at]!;
    const [opAbbrev, opMask, opName, opValue, opText] =
      type === 2 ? ['dtp.tos', 0x80, 'Trunk Operating Status', v >> 7, OPERATING_STATUS[v >> 7]!] : ['dtp.tot', 0xe0, 'Trunk Operating Type', v >> 5, TRUNK_TYPES[v >> 5] ?? 'Unknown'];
    const [adAbbrev, adName, adText] =
      type === 2 ? ['dtp.tas', 'Trunk Administrative Status', ADMIN_STATUS[v & 7] ?? 'Unknown'] : ['dtp.tat', 'Trunk Administrative Type', TRUNK_TYPES[v & 7] ?? 'Unknown'];
    b.group('', () => `Value: ${opText}/${adText} (${hex(v, 2)})`, null, at, 1, () => {
      b.add(opAbbrev, () => `${bitPicture(v, opMask, 8)} = ${opName}: ${opText} (0x${opValue.toString(16)})`, opValue, at, 1, () => hex(opValue, 2));
      b.add(adAbbrev, () => `${bitPicture(v, 0x07, 8)} = ${adName}: ${adText} (0x${(v & 7).toString(16)})`, v & 7, at, 1, () => hex(v & 7, 2));
    });
    return ` (Operating/Administrative): ${opText}/${adText} (${hex(v, 2)})`;
  } else if (type === 4 && length >= 6) {
    const sender = macText(data, at);
    b.add('dtp.senderid', () => `Sender ID: ${d.macLabel(sender)}`, sender, at, 6);
    return `: ${sender}`;
  }
  return '';
}
