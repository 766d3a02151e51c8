/**
 * ERSPAN (Cisco Encapsulated Remote SPAN, draft-foschiano-erspan) carried in GRE: type I (GRE
 * protocol 0x88be without a sequence number: the mirrored Ethernet frame follows at once), type II
 * (0x88be with a sequence number: 8-byte header) and type III (0x22eb: 12-byte header, plus an
 * 8-byte platform subheader when the O bit is set). Field names as Wireshark's packet-erspan.c.
 */
import { dissectSafely, LayerBuilder } from './builder';
import { bitPicture } from './format';
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

const BSO_NAMES = ['Good or unknown integrity', 'Short frame', 'Oversized frame', 'CRC or alignment error'];
const ENCAP_NAMES = ['Originally without VLAN tag', 'Originally ISL encapsulated', 'Originally 802.1Q encapsulated', 'VLAN tag preserved in frame'];
const FRAME_TYPES: Record<number, string> = { 0: 'Ethernet', 2: 'IP' };
const GRANULARITIES = ['100 microseconds', '100 nanoseconds', 'IEEE 1588', 'Custom granularity'];

/** Type II (version 1 in the header) or III (version 2), chosen by the header's version field. */
export function dissectErspan(d: Dissector, p: PacketState, data: Buffer, offset: number, end: number): number | void {
  const b = new LayerBuilder(data, 'erspan', 'Encapsulated Remote Switch Packet ANalysis', offset, end, p.selection);
  let next = -1;
  let frameType = 0;
  dissectSafely(b, () => {
    const first = b.u16(offset, 'ERSPAN version and VLAN');
    const second = b.u16(offset + 2, 'ERSPAN session');
    const version = first >> 12;
    const bits16 = (value: number, mask: number): string => bitPicture(value, mask, 16);
    b.add('erspan.version', () => `${bits16(first, 0xf000)} = Version: ${version === 1 ? 'Type II' : version === 2 ? 'Type III' : 'Unknown'} (${version})`, version, offset, 2);
    b.add('erspan.vlan', () => `${bits16(first, 0x0fff)} = Vlan: ${first & 0xfff}`, first & 0xfff, offset, 2);
    b.add('erspan.cos', () => `${bits16(second, 0xe000)} = COS: ${second >> 13}`, second >> 13, offset + 2, 2);
    const en = (second >> 11) & 3;
    if (version === 2) b.add('erspan.bso', () => `${bits16(second, 0x1800)} = Bad/Short/Oversized: ${BSO_NAMES[en]} (${en})`, en, offset + 2, 2);
    else b.add('erspan.encap', () => `${bits16(second, 0x1800)} = Encap: ${ENCAP_NAMES[en]} (${en})`, en, offset + 2, 2);
    const truncated = (second >> 10) & 1;
    b.add('erspan.truncated', () => `${bits16(second, 0x0400)} = Truncated: ${truncated ? 'Truncated' : 'Not truncated'} (${truncated})`, truncated, offset + 2, 2);
    b.add('erspan.spanid', () => `${bits16(second, 0x03ff)} = SpanID: ${second & 0x3ff}`, second & 0x3ff, offset + 2, 2);
    if (version === 1) {
      const word = b.u32(offset + 4, 'ERSPAN index');
      b.add('erspan.reserved', () => `${bitPicture(word, 0xfff00000, 32)} = Reserved: ${word >>> 20}`, word >>> 20, offset + 4, 4);
      b.add('erspan.index', () => `${bitPicture(word, 0x000fffff, 32)} = Index: ${word & 0xfffff}`, word & 0xfffff, offset + 4, 4);
      b.layer.title = 'Encapsulated Remote Switch Packet ANalysis Type II';
      next = offset + 8;
    } else if (version === 2) {
      b.layer.title = 'Encapsulated Remote Switch Packet ANalysis Type III';
      const timestamp = b.u32(offset + 4, 'ERSPAN timestamp');
      const sgt = b.u16(offset + 8, 'ERSPAN SGT');
      const flags = b.u16(offset + 10, 'ERSPAN flags');
      frameType = (flags >> 10) & 0x1f;
      const hw = (flags >> 4) & 0x3f;
      const granularity = (flags >> 1) & 3;
      b.add('erspan.timestamp', () => `${bitPicture(timestamp, 0xffffffff, 32)} = Timestamp: ${timestamp}`, timestamp, offset + 4, 4);
      b.add('erspan.sgt', () => `${bits16(sgt, 0xffff)} = Security Group Tag: ${sgt}`, sgt, offset + 8, 2);
      b.add('erspan.p', () => `${bits16(flags, 0x8000)} = Has Ethernet PDU: ${flags >> 15}`, flags >> 15, offset + 10, 2);
      b.add('erspan.ft', () => `${bits16(flags, 0x7c00)} = Frame Type: ${FRAME_TYPES[frameType] ?? 'Unknown'} (${frameType})`, frameType, offset + 10, 2);
      b.add('erspan.hw', () => `${bits16(flags, 0x03f0)} = Hardware ID: ${hw}`, hw, offset + 10, 2);
      b.add('erspan.direction', () => `${bits16(flags, 0x0008)} = Direction: ${(flags >> 3) & 1 ? 'Egress' : 'Ingress'}`, (flags >> 3) & 1, offset + 10, 2);
      b.add('erspan.granularity', () => `${bits16(flags, 0x0006)} = Timestamp granularity: ${GRANULARITIES[granularity]} (${granularity})`, granularity, offset + 10, 2);
      b.add('erspan.o', () => `${bits16(flags, 0x0001)} = Optional Sub headers: ${flags & 1}`, flags & 1, offset + 10, 2);
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
  // packet-erspan.c puts "ERSPAN:" in Info; the frame inside replaces it.
  if (b.layer.status !== 'ok' && p.quoted === 0) {
    p.setProtocol('ERSPAN', `ERSPAN:${b.layer.status === 'malformed' ? '[Malformed Packet]' : '[Packet size limited during capture]'}`);
    return;
  }
  if (next < 0) return;
  p.setProtocol('ERSPAN', 'ERSPAN:');
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
