/**
 * ERSPAN (Cisco Encapsulated Remote SPAN, draft-foschiano-erspan) carried in GRE: type I (GRE
 * protocol 0x88be without a sequence number: the mirrored Ethernet frame follows at once), type II
 * (0x88be with a sequence number: 8-byte header) and type III (0x22eb: 12-byte header, plus an
 * 8-byte platform subheader when the O bit is set). Field names as Wireshark's packet-erspan.c.
 */
import { dissectSafely, hex, LayerBuilder } from './builder';
import type { Dissector } from './dissector';
import type { PacketState } from './packet-state';

export const ETHERTYPE_ERSPAN_II = 0x88be;
export const ETHERTYPE_ERSPAN_III = 0x22eb;

/** Type I: no ERSPAN header, only a layer so the protocol chain shows 'erspan' as tshark's does. */
export function dissectErspanTypeI(d: Dissector, p: PacketState, data: Buffer, offset: number, end: number): number | void {
  const b = new LayerBuilder(data, 'erspan', 'Encapsulated Remote Switch Packet ANalysis Type I', offset, end, p.selection);
  b.setLength(0);
  p.addLayer(b.layer);
  p.setProtocol('ERSPAN', '');
  return ethernet(d, p, data, offset, end);
}

/** Type II (version 1 in the header) or III (version 2), chosen by the header's version field. */
export function dissectErspan(d: Dissector, p: PacketState, data: Buffer, offset: number, end: number): number | void {
  const b = new LayerBuilder(data, 'erspan', 'Encapsulated Remote Switch Packet ANalysis', offset, end, p.selection);
  let next = -1;
  let frameType = 0;
  dissectSafely(b, () => {
    const first = b.u16(offset, 'ERSPAN version and VLAN');
    const second = b.u16(offset + 2, 'ERSPAN session');
    const version = first >> 12;
    b.add('erspan.version', () => `Version: ${version === 1 ? 'Type II' : version === 2 ? 'Type III' : 'Unknown'} (${version})`, version, offset, 2);
    b.add('erspan.vlan', () => `Vlan: ${first & 0xfff}`, first & 0xfff, offset, 2);
    b.add('erspan.cos', () => `COS: ${second >> 13}`, second >> 13, offset + 2, 2);
    b.add(version === 2 ? 'erspan.bso' : 'erspan.encap', () => `${version === 2 ? 'BSO' : 'Encap'}: ${(second >> 11) & 3}`, (second >> 11) & 3, offset + 2, 2);
    b.add('erspan.truncated', () => `Truncated: ${(second >> 10) & 1}`, (second >> 10) & 1, offset + 2, 2);
    b.add('erspan.spanid', () => `SpanID: ${second & 0x3ff}`, second & 0x3ff, offset + 2, 2);
    if (version === 1) {
      const word = b.u32(offset + 4, 'ERSPAN index');
      b.add('erspan.reserved', () => `Reserved: ${word >>> 20}`, word >>> 20, offset + 4, 4);
      b.add('erspan.index', () => `Index: ${word & 0xfffff}`, word & 0xfffff, offset + 4, 4);
      b.layer.title = 'Encapsulated Remote Switch Packet ANalysis Type II';
      next = offset + 8;
    } else if (version === 2) {
      const timestamp = b.u32(offset + 4, 'ERSPAN timestamp');
      const sgt = b.u16(offset + 8, 'ERSPAN SGT');
      const flags = b.u16(offset + 10, 'ERSPAN flags');
      frameType = (flags >> 10) & 0x1f;
      b.add('erspan.timestamp', () => `Timestamp: ${timestamp}`, timestamp, offset + 4, 4);
      b.add('erspan.sgt', () => `Security Group Tag: ${sgt}`, sgt, offset + 8, 2);
      b.add('erspan.p', () => `P: ${flags >> 15}`, flags >> 15, offset + 10, 2);
      b.add('erspan.ft', () => `FrameType: ${frameType}`, frameType, offset + 10, 2);
      b.add('erspan.hw', () => `Hardware ID: ${hex((flags >> 4) & 0x3f, 2)}`, (flags >> 4) & 0x3f, offset + 10, 2, () => hex((flags >> 4) & 0x3f, 2));
      b.add('erspan.direction', () => `Direction: ${(flags >> 3) & 1 ? 'Egress' : 'Ingress'}`, (flags >> 3) & 1, offset + 10, 2);
      b.add('erspan.granularity', () => `Timestamp granularity: ${(flags >> 1) & 3}`, (flags >> 1) & 3, offset + 10, 2);
      b.add('erspan.o', () => `Optional Sub Header: ${flags & 1}`, flags & 1, offset + 10, 2);
      next = offset + 12;
      if (flags & 1) {
        const platform = b.bytes(next, 8, 'ERSPAN platform subheader');
        b.add('erspan.platf.id', () => `Platform ID: ${platform[0]! >> 2}`, platform[0]! >> 2, next, 1);
        next += 8;
      }
      b.layer.title = 'Encapsulated Remote Switch Packet ANalysis Type III';
    } else {
      b.mark('malformed', `unknown ERSPAN version ${version}`);
      return;
    }
    b.setLength(next - offset);
  });
  p.addLayer(b.layer);
  if (next < 0 || b.layer.status !== 'ok') return;
  p.setProtocol('ERSPAN', '');
  // Type III frame type 0 is Ethernet, 2 is an IP packet (version from its first nibble); other
  // frame types (e.g. 7, reserved) stay data, as in Wireshark. Type II always carries Ethernet.
  if (frameType === 2) {
    const version = next < Math.min(end, data.length) ? data[next]! >> 4 : 0;
    return d.byEthertype(p, version === 6 ? 0x86dd : 0x0800, data, next, end);
  }
  if (frameType !== 0) {
    d.data(p, data, next, end);
    return end;
  }
  return ethernet(d, p, data, next, end);
}

function ethernet(d: Dissector, p: PacketState, data: Buffer, offset: number, end: number): number | void {
  const eth = d.linkTypes.get(1);
  if (eth) return eth(d, p, data, offset, end);
  d.data(p, data, offset, end);
  return end;
}
