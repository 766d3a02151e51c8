/**
 * IEEE 802.1AE MACsec (ethertype 0x88e5) as tshark 4.0 shows it (packet-macsec.c): the SecTAG
 * (TCI flags, association number, short length, packet number, the SCI when present), then with
 * integrity only the Ethertype and the frame inside, the 16-byte ICV taken as the Ethertype
 * dissector's trailer; encrypted or changed text is Data with the ICV in the SecTAG's tree. A
 * version other than 0, or a frame too short for the tag and ICV, is not MACsec's (Data).
 */
import { dissectSafely, hex, LayerBuilder } from './builder';
import type { Dissector } from './dissector';
import { bitPicture, bytesHex, bytesLabelHex, macText } from './format';
import type { PacketState } from './packet-state';
import { addPaddingAndTrailer, ethertypeName } from './link';

const ICV_LENGTH = 16;

const TCI_BITS: readonly [number, string, string][] = [
  [0x40, 'ES', 'ES'], [0x20, 'SC', 'SC'], [0x10, 'SCB', 'SCB'], [0x08, 'E', 'E'], [0x04, 'C', 'C'],
];

export function dissectMacsec(d: Dissector, p: PacketState, data: Buffer, offset: number, end: number): number | void {
  const captured = Math.min(end, data.length);
  const tci = offset < captured ? data[offset]! : 0x80;
  const tagLength = tci & 0x20 ? 14 : 6;
  if ((tci & 0x80) !== 0 || captured - offset <= tagLength + ICV_LENGTH) {
    // Rejected: the Ethertype dissector shows the type as it shows one nobody dissects.
    if (p.columns) p.setProtocol(hex(0x88e5, 4), ethertypeName(0x88e5));
    d.data(p, data, offset, end);
    return end;
  }
  const hidden = (tci & 0x0c) !== 0;
  const dataOffset = offset + tagLength;
  const icvAt = captured - ICV_LENGTH;
  const b = new LayerBuilder(data, 'macsec', '802.1AE Security tag', offset, end, p.selection);
  p.setProtocol('MACSEC', 'MACsec frame');
  let type = -1;
  dissectSafely(b, () => {
    b.setLength(hidden ? tagLength : tagLength + 2);
    const set = TCI_BITS.filter(([bit]) => tci & bit).map(([, , name]) => `, ${name}`).join('');
    b.group('macsec.TCI', () => `${bitPicture(tci, 0xfc, 8)} = TCI: ${hex(tci >> 2, 2)}, VER: ${hex(tci >> 7, 1)}${set}`, tci >> 2, offset, 1, () => {
      b.add('macsec.TCI.V', () => `${bitPicture(tci, 0x80, 8)} = VER: ${hex(tci >> 7, 1)}`, tci >> 7, offset, 1, () => hex(tci >> 7, 2));
      for (const [bit, name] of TCI_BITS) {
        b.add(`macsec.TCI.${name}`, () => `${bitPicture(tci, bit, 8)} = ${name}: ${tci & bit ? 'Set' : 'Not set'}`, (tci & bit) !== 0, offset, 1);
      }
    }, () => hex(tci >> 2, 2));
    b.add('macsec.AN', () => `${bitPicture(tci, 0x03, 8)} = AN: ${hex(tci & 3, 1)}`, tci & 3, offset, 1, () => hex(tci & 3, 2));
    const shortLength = data[offset + 1]!;
    b.add('macsec.SL', () => `Short length: ${shortLength}`, shortLength, offset + 1, 1);
    const pn = data.readUInt32BE(offset + 2);
    b.add('macsec.PN', () => `Packet number: ${pn}`, pn, offset + 2, 4);
    if (tagLength === 14) {
      const system = macText(data, offset + 6);
      b.add('macsec.SCI.system_identifier', () => `System Identifier: ${d.macLabel(system)}`, system, offset + 6, 6);
      const port = data.readUInt16BE(offset + 12);
      b.add('macsec.SCI.port_identifier', () => `Port Identifier: ${port}`, port, offset + 12, 2);
    }
    if (hidden) icv(b, icvAt, captured);
    else {
      type = b.u16(dataOffset, 'MACsec ethertype');
      b.add('macsec.etype', () => `Ethertype: ${hex(type, 4)}`, type, dataOffset, 2, () => hex(type, 4));
    }
  });
  p.addLayer(b.layer);
  if (b.layer.status !== 'ok') return;
  if (hidden) {
    d.data(p, data, dataOffset, icvAt);
    return end;
  }
  p.protocols.push('ethertype');
  const used = d.byEthertype(p, type, data, dataOffset + 2, end);
  // The Ethertype dissector's trailer is the ICV, in the SecTAG's tree (with the padding it looks for first).
  addPaddingAndTrailer(b, 'macsec', used, offset, p.frame.origLen, { abbrev: 'macsec.ICV', label: 'ICV' });
  return end;
}

function icv(b: LayerBuilder, at: number, stop: number): void {
  const data = b.data;
  b.add('macsec.ICV', () => `ICV: ${bytesLabelHex(data, at, stop - at)}`, data.subarray(at, stop), at, stop - at, () => bytesHex(data, at, stop - at));
}
