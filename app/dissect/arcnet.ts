/**
 * ARCNET link layers (LINKTYPE_ARCNET_BSD 7 and LINKTYPE_ARCNET_LINUX 129, which adds a 2-byte
 * offset field): source and destination station IDs, then a protocol ID. RFC 1201 protocols carry
 * a split flag and sequence number (an exception packet repeats the header after 2 padding bytes);
 * RFC 1051 ones (0xf0 IP, 0xf1 ARP) do not. Field names as Wireshark's packet-arcnet.c.
 */
import { dissectSafely, hex, LayerBuilder } from './builder';
import type { Dissector } from './dissector';
import type { PacketState } from './packet-state';

/** ARCNET protocol IDs Sievecap hands off, as ethertypes. */
const PROTOCOLS: Record<number, [string, number]> = {
  0xd4: ['RFC 1201 IP', 0x0800], 0xd5: ['RFC 1201 ARP', 0x0806], 0xd6: ['RFC 1201 RARP', 0x8035], 0xc4: ['IPv6', 0x86dd],
  0xf0: ['RFC 1051 IP', 0x0800], 0xf1: ['RFC 1051 ARP', 0x0806],
};
/** Protocol IDs without the RFC 1201 fragmentation fields (RFC 1051 IP/ARP, diagnose, BACnet). */
const NO_SPLIT = new Set([0xf0, 0xf1, 0x80, 0xcd]);

export function dissectArcnet(d: Dissector, p: PacketState, data: Buffer, offset: number, end: number, linux: boolean): void {
  const b = new LayerBuilder(data, 'arcnet', 'ARCNET', offset, end, p.selection);
  let proto = -1;
  let payload = -1;
  dissectSafely(b, () => {
    const src = b.u8(offset, 'ARCNET source');
    const dst = b.u8(offset + 1, 'ARCNET destination');
    b.add('arcnet.src', () => `Source: ${hex(src, 2)}`, src, offset, 1, () => hex(src, 2));
    b.add('arcnet.dst', () => `Dest: ${hex(dst, 2)}`, dst, offset + 1, 1, () => hex(dst, 2));
    b.layer.title = `ARCNET, Src: ${hex(src, 2)}, Dst: ${hex(dst, 2)}`;
    p.setColumns(hex(src, 2), hex(dst, 2));
    let at = offset + 2;
    if (linux) {
      b.add('arcnet.offset', 'Offset', b.bytes(at, 2, 'ARCNET offset'), at, 2, () => data.subarray(at, at + 2).toString('hex'));
      at += 2;
    }
    proto = b.u8(at, 'ARCNET protocol ID');
    b.add('arcnet.protID', () => `Protocol ID: ${PROTOCOLS[proto]?.[0] ?? 'Unknown'} (${hex(proto, 2)})`, proto, at, 1, () => hex(proto, 2));
    at++;
    if (!NO_SPLIT.has(proto)) {
      let split = b.u8(at, 'ARCNET split flag');
      if (split === 0xff) {
        // Exception packet: flag, 2 padding bytes, then the protocol ID and split flag again.
        b.add('arcnet.exception_flag', () => `Exception Flag: ${hex(split, 2)}`, split, at, 1, () => hex(split, 2));
        b.need(at + 1, 4, 'ARCNET exception header');
        at += 4;
        split = data[at]!;
      }
      b.add('arcnet.split_flag', () => `Split Flag: ${split}`, split, at, 1);
      const sequence = b.u16(at + 1, 'ARCNET sequence');
      b.add('arcnet.sequence', () => `Sequence: ${sequence}`, sequence, at + 1, 2);
      at += 3;
    }
    payload = at;
    b.setLength(at - offset);
  });
  p.addLayer(b.layer);
  p.setProtocol('ARCNET', '');
  if (payload < 0) return;
  const known = PROTOCOLS[proto];
  if (known) d.byEthertype(p, known[1], data, payload, end);
  else d.data(p, data, payload, end);
}
