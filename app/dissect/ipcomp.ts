/**
 * IP Payload Compression (RFC 3173, IP protocol 108): the 4-byte header, then the payload
 * inflated as DEFLATE (RFC 2394; tried whatever the CPI, as Wireshark does) and dissected by its next-header value, as
 * Wireshark does (the compressed bytes stay visible as data). Inflation is capped at 64 KiB so a
 * crafted payload cannot expand without bound.
 */
import { inflateRawSync } from 'node:zlib';
import { dissectSafely, hex, LayerBuilder } from './builder';
import type { Dissector } from './dissector';
import type { PacketState } from './packet-state';

const MAX_INFLATED = 65_535;
const CPI_NAMES: Record<number, string> = { 1: 'OUI', 2: 'DEFLATE', 3: 'LZS', 4: 'LZJH' };

export function dissectIpcomp(d: Dissector, p: PacketState, data: Buffer, offset: number, end: number): void {
  const b = new LayerBuilder(data, 'ipcomp', 'IP Payload Compression', offset, end, p.selection);
  let next = -1;
  let cpi = -1;
  dissectSafely(b, () => {
    next = b.u8(offset, 'IPComp next header');
    const flags = b.u8(offset + 1, 'IPComp flags');
    cpi = b.u16(offset + 2, 'IPComp CPI');
    b.add('ipcomp.nxt', () => `Next Header: ${next}`, next, offset, 1);
    b.add('ipcomp.flags', () => `IPComp Flags: ${hex(flags, 2)}`, flags, offset + 1, 1, () => hex(flags, 2));
    b.add('ipcomp.cpi', () => `IPComp CPI: ${CPI_NAMES[cpi] ?? 'Unknown'} (${hex(cpi, 4)})`, cpi, offset + 2, 2, () => hex(cpi, 4));
    b.setLength(4);
  });
  p.addLayer(b.layer);
  p.setProtocol('IPComp', `IPComp (CPI=${CPI_NAMES[cpi] ?? hex(cpi, 4)})`);
  if (b.layer.status !== 'ok') return;
  const start = offset + 4;
  const stop = Math.min(end, data.length);
  d.data(p, data, start, stop);
  // Wireshark tries DEFLATE whatever the CPI says (CPIs above 63999 are negotiated per SA).
  if (stop < end || start >= stop) return;
  let inflated: Buffer;
  try {
    inflated = inflateRawSync(data.subarray(start, stop), { maxOutputLength: MAX_INFLATED });
  } catch {
    return; // not DEFLATE data after all, or too large: the compressed bytes stay as data
  }
  const wasReassembled = p.reassembled;
  p.reassembled = true;
  const wasData = p.reassembledData;
  p.reassembledData = inflated;
  d.byIpProtocol(p, next, inflated, 0, inflated.length);
  p.reassembled = wasReassembled;
  p.reassembledData = wasData;
}
