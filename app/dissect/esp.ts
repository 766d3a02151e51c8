/**
 * Encapsulating Security Payload (RFC 4303; IP protocol 50, or inside UDP 4500 after udpencap):
 * the SPI and sequence number, as tshark 4.0 shows them with its default preferences (the rest is
 * encrypted and left as it is; tshark shows no payload item either).
 */
import { dissectSafely, hex, LayerBuilder } from './builder';
import type { Dissector } from './dissector';
import type { PacketState } from './packet-state';

export const IP_PROTO_ESP = 50;

export function dissectEsp(_d: Dissector, p: PacketState, data: Buffer, offset: number, end: number): void {
  const b = new LayerBuilder(data, 'esp', 'Encapsulating Security Payload', offset, end, p.selection);
  // tshark clears the Info column first: a packet too short for the header shows no SPI there.
  p.setProtocol('ESP', '');
  dissectSafely(b, () => {
    const spi = b.u32(offset, 'ESP SPI');
    b.add('esp.spi', () => `ESP SPI: ${hex(spi, 8)} (${spi})`, spi, offset, 4, () => hex(spi, 8));
    const sequence = b.u32(offset + 4, 'ESP sequence number');
    b.add('esp.sequence', () => `ESP Sequence: ${sequence}`, sequence, offset + 4, 4);
    if (p.columns) p.setProtocol('ESP', `ESP (SPI=${hex(spi, 8)})`);
  });
  if (b.layer.status !== 'ok' && p.columns) p.setProtocol('ESP', p.info + stopNote(b.layer.status));
  p.addLayer(b.layer);
}

/** What tshark appends to the Info column when a dissector stopped early. */
export function stopNote(status: 'ok' | 'truncated' | 'malformed'): string {
  return status === 'malformed' ? '[Malformed Packet]' : status === 'truncated' ? '[Packet size limited during capture]' : '';
}
