/**
 * Wellfleet Breath of Life (ethertype 0x8102), as tshark 4.0 shows it (packet-bofl.c): a PDU
 * word, a sequence number, and the rest of the frame as padding.
 */
import { dissectSafely, hex, LayerBuilder } from './builder';
import type { Dissector } from './dissector';
import { bytesHex, bytesLabelHex } from './format';
import type { PacketState } from './packet-state';

export const ETHERTYPE_BOFL = 0x8102;

export function dissectBofl(_d: Dissector, p: PacketState, data: Buffer, offset: number, end: number): number | void {
  const b = new LayerBuilder(data, 'bofl', 'Wellfleet Breath of Life', offset, end, p.selection);
  dissectSafely(b, () => {
    const pdu = b.u32(offset, 'PDU');
    if (p.columns) p.setProtocol('BOFL', `PDU: ${hex(pdu, 8)}`);
    b.add('bofl.pdu', () => `PDU: ${hex(pdu, 8)}`, pdu, offset, 4, () => hex(pdu, 8));
    const sequence = b.u32(offset + 4, 'sequence');
    if (p.columns) p.setProtocol('BOFL', `PDU: ${hex(pdu, 8)} Sequence: ${sequence}`);
    b.add('bofl.sequence', () => `Sequence: ${sequence}`, sequence, offset + 4, 4);
    const stop = Math.min(end, data.length);
    if (stop > offset + 8) {
      const at = offset + 8;
      b.add('bofl.padding', () => `Padding: ${bytesLabelHex(data, at, stop - at)}`, data.subarray(at, stop), at, stop - at, () => bytesHex(data, at, stop - at));
    }
  });
  p.addLayer(b.layer);
  return end;
}
