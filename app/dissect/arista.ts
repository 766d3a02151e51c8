/**
 * Arista Vendor Specific Protocol (ethertype 0xd28b): the timestamp sub-type that Arista
 * switches insert after the MAC addresses, then the original ethertype. As in Wireshark 4.0,
 * only the four versions it knows (64- or 48-bit timestamp, TAI or UTC) are decoded further.
 */
import { dissectSafely, hex, LayerBuilder } from './builder';
import type { Dissector } from './dissector';
import { ethertypeName } from './link';
import type { PacketState } from './packet-state';

export const ETHERTYPE_ARISTA = 0xd28b;
const SUBTYPE_TIMESTAMP = 0x0001;
/** Version → timestamp size in bytes. */
const TIMESTAMP_SIZES: Record<number, number> = { 0x0010: 8, 0x0110: 8, 0x0020: 6, 0x0120: 6 };

export function dissectArista(d: Dissector, p: PacketState, data: Buffer, offset: number, end: number): number | void {
  const b = new LayerBuilder(data, 'avsp', 'Arista Vendor Specific Protocol', offset, end, p.selection);
  let type = -1;
  let next = -1;
  dissectSafely(b, () => {
    const subtype = b.u16(offset, 'Arista subtype');
    b.add('arista.subtype', () => `Sub Type: ${subtype === SUBTYPE_TIMESTAMP ? 'Timestamp' : 'Unknown'} (${hex(subtype, 4)})`, subtype, offset, 2, () => hex(subtype, 4));
    b.setLength(2);
    if (subtype !== SUBTYPE_TIMESTAMP) return;
    const version = b.u16(offset + 2, 'Arista version');
    b.add('arista.version', () => `Version: ${hex(version, 4)}`, version, offset + 2, 2, () => hex(version, 4));
    b.setLength(4);
    const size = TIMESTAMP_SIZES[version];
    if (!size) return;
    const seconds = size === 8 ? b.u32(offset + 4, 'Arista timestamp') : b.u16(offset + 4, 'Arista timestamp');
    const nanoseconds = b.u32(offset + 4 + size - 4, 'Arista timestamp');
    b.add('arista.timestamp', () => `Timestamp: ${seconds}.${String(nanoseconds).padStart(9, '0')}`, `${seconds}.${nanoseconds}`, offset + 4, size);
    type = b.u16(offset + 4 + size, 'Arista ethertype');
    b.add('arista.type', () => `Type: ${ethertypeName(type)} (${hex(type, 4)})`, type, offset + 4 + size, 2, () => hex(type, 4));
    next = offset + 6 + size;
    b.setLength(next - offset);
  });
  p.addLayer(b.layer);
  if (next < 0) return;
  p.protocols.push('ethertype');
  return d.byEthertype(p, type, data, next, end);
}
