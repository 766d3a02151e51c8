/**
 * PIM (RFC 7761, IP protocol 103): the common header, and for Register messages the
 * encapsulated multicast packet, handed on by its IP version nibble as Wireshark does.
 * Other PIM message bodies stay undecoded here.
 */
import { dissectSafely, hex, LayerBuilder } from './builder';
import type { Dissector } from './dissector';
import type { PacketState } from './packet-state';

const TYPES: Record<number, string> = {
  0: 'Hello', 1: 'Register', 2: 'Register-stop', 3: 'Join/Prune', 4: 'Bootstrap', 5: 'Assert', 6: 'Graft', 7: 'Graft-Ack', 8: 'Candidate-RP-Advertisement', 9: 'State-Refresh', 10: 'DF election',
};
const REGISTER = 1;

export function dissectPim(d: Dissector, p: PacketState, data: Buffer, offset: number, end: number): void {
  // An IP packet with no payload (a Register's inner header alone): nothing to show, as in tshark.
  if (offset >= end) return;
  const b = new LayerBuilder(data, 'pim', 'Protocol Independent Multicast', offset, end, p.selection);
  let inner = -1;
  let type = -1;
  dissectSafely(b, () => {
    const first = b.u8(offset, 'PIM version and type');
    const version = first >> 4;
    type = first & 0xf;
    b.add('pim.version', () => `Version: ${version}`, version, offset, 1);
    b.add('pim.type', () => `Type: ${TYPES[type] ?? 'Unknown'} (${type})`, type, offset, 1);
    const reserved = b.u8(offset + 1, 'PIM reserved');
    b.add('pim.reserved', () => `Reserved byte(s): ${hex(reserved, 2)}`, reserved, offset + 1, 1, () => hex(reserved, 2));
    const checksum = b.u16(offset + 2, 'PIM checksum');
    b.add('pim.cksum', () => `Checksum: ${hex(checksum, 4)}`, checksum, offset + 2, 2, () => hex(checksum, 4));
    b.setLength(4);
    if (version === 2 && type === REGISTER) {
      const flags = b.u32(offset + 4, 'PIM register flags');
      b.add('pim.register_flag', () => `Flags: ${hex(flags, 8)}`, flags, offset + 4, 4, () => hex(flags, 8));
      inner = offset + 8;
      b.setLength(8);
    }
  });
  p.addLayer(b.layer);
  p.setProtocol('PIMv2', TYPES[type] ?? 'Unknown');
  if (inner < 0) {
    if (b.layer.status === 'ok') d.data(p, data, offset + b.layer.length, end);
    return;
  }
  const version = inner < Math.min(end, data.length) ? data[inner]! >> 4 : 0;
  if (version === 4) d.byEthertype(p, 0x0800, data, inner, end);
  else if (version === 6) d.byEthertype(p, 0x86dd, data, inner, end);
  else d.data(p, data, inner, end);
}
