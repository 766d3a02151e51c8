/**
 * GeoNetworking (ETSI EN 302 636-4-1, ethertype 0x8947), the headers tshark 4.0 shows before any
 * extended header: the basic header (version, next header, lifetime, remaining hop limit) and,
 * when the basic header says one follows, the common header (header type, traffic class, flags,
 * payload length, maximum hop limit). Of the extended headers only the beacon's (the sender's
 * position vector) is decoded; what follows a beacon is data, as tshark shows it.
 * Info: the header type's name, empty when there is no common header.
 */
import { dissectSafely, hex, LayerBuilder } from './builder';
import type { Dissector } from './dissector';
import { be16, be32, bitPicture, bytesHex, macText } from './format';
import type { PacketState } from './packet-state';
import { statusSuffix } from './routing-common';

export const ETHERTYPE_GEONW = 0x8947;

const BASIC_NEXT_HEADERS: Record<number, string> = { 0: 'ANY', 1: 'Common Header', 2: 'Secured Packet' };
const COMMON_NEXT_HEADERS: Record<number, string> = { 0: 'ANY', 1: 'BTP-A', 2: 'BTP-B', 3: 'IPv6' };
const LIFETIME_BASES = ['50 ms', '1 s', '10 s', '100 s'];
const HEADER_TYPES: Record<number, string> = {
  0x10: 'Beacon', 0x20: 'Geo Unicast', 0x30: 'Geo-scoped Anycast Circular area', 0x31: 'Geo-scoped Anycast Rectangular area',
  0x32: 'Geo-scoped Anycast Ellipsoidal area', 0x40: 'Geo-scoped Broadcast Circular area', 0x41: 'Geo-scoped Broadcast Rectangular area',
  0x42: 'Geo-scoped Broadcast Ellipsoidal area', 0x50: 'Topologically-scoped broadcast Single-hop broadcast (SHB)',
  0x51: 'Topologically-scoped broadcast Multi-hop broadcast (TSB)', 0x60: 'Location Service Request', 0x61: 'Location Service Reply',
};
const HEADER_TYPE_BEACON = 0x1;

export function dissectGeonw(d: Dissector, p: PacketState, data: Buffer, offset: number, end: number): number | void {
  const b = new LayerBuilder(data, 'gnw', 'GeoNetworking', offset, end, p.selection);
  let info = '';
  let payload = -1;
  dissectSafely(b, () => {
    b.need(offset, 4, 'basic header');
    const first = data[offset]!;
    const version = first >> 4;
    const next = first & 0x0f;
    b.group('geonw.bh', 'Basic Header', null, offset, 4, () => {
      b.add('geonw.bh.version', () => `${bitPicture(first, 0xf0, 8)} = Version: ${version}`, version, offset, 1);
      b.add('geonw.bh.nh', () => `${bitPicture(first, 0x0f, 8)} = Next Header: ${BASIC_NEXT_HEADERS[next] ?? 'Unknown'} (${next})`, next, offset, 1);
      const reserved = data[offset + 1]!;
      b.add('geonw.bh.reserved', () => `Reserved: ${hex(reserved, 2)}`, reserved, offset + 1, 1, () => hex(reserved, 2));
      const lt = data[offset + 2]!;
      b.group('geonw.bh.lt', () => `Life Time: ${lt}`, lt, offset + 2, 1, () => {
        b.add('geonw.bh.lt.mult', () => `${bitPicture(lt, 0xfc, 8)} = Life Time multiplier: ${lt >> 2}`, lt >> 2, offset + 2, 1);
        b.add('geonw.bh.lt.base', () => `${bitPicture(lt, 0x03, 8)} = Life Time base: ${LIFETIME_BASES[lt & 3]} (${lt & 3})`, lt & 3, offset + 2, 1);
      });
      const rhl = data[offset + 3]!;
      b.add('geonw.bh.rhl', () => `Remaining Hop Limit: ${rhl}`, rhl, offset + 3, 1);
    });
    if (next !== 1) return;
    const at = offset + 4;
    // Wireshark names the header type in Info before it reads the rest of the common header.
    const htype = b.u8(at + 1, 'header type');
    info = HEADER_TYPES[htype] ?? `Unknown (${htype})`;
    b.need(at, 8, 'common header');
    const chFirst = data[at]!;
    const tclass = data[at + 2]!;
    const flags = data[at + 3]!;
    const plength = be16(data, at + 4);
    b.group('geonw.ch', 'Common Header', null, at, 8, () => {
      const nh = chFirst >> 4;
      b.add('geonw.ch.nh', () => `${bitPicture(chFirst, 0xf0, 8)} = Next Header: ${COMMON_NEXT_HEADERS[nh] ?? 'Unknown'} (${nh})`, nh, at, 1);
      b.add('geonw.ch.reserved1', () => `${bitPicture(chFirst, 0x0f, 8)} = Reserved: ${hex(chFirst & 0x0f, 1)}`, chFirst & 0x0f, at, 1, () => hex(chFirst & 0x0f, 2));
      b.add('geonw.ch.htype', () => `Header type: ${HEADER_TYPES[htype] ?? 'Unknown'} (${hex(htype, 2)})`, htype, at + 1, 1, () => hex(htype, 2));
      b.group('geonw.ch.tclass', () => `Traffic class: ${tclass}`, tclass, at + 2, 1, () => {
        b.add('geonw.ch.tc.buffer', () => `${bitPicture(tclass, 0x80, 8)} = Store Carry Forward: ${tclass >> 7}`, tclass >> 7, at + 2, 1);
        b.add('geonw.ch.tc.offload', () => `${bitPicture(tclass, 0x40, 8)} = Channel offload: ${(tclass >> 6) & 1}`, (tclass >> 6) & 1, at + 2, 1);
        b.add('geonw.ch.tc.id', () => `${bitPicture(tclass, 0x3f, 8)} = Traffic class ID: ${tclass & 0x3f}`, tclass & 0x3f, at + 2, 1);
      });
      b.group('', 'Flags', null, at + 3, 1, () => {
        b.add('geonw.ch.flags.mob', () => `${bitPicture(flags, 0x80, 8)} = Mobility flag: ${flags >> 7}`, flags >> 7, at + 3, 1);
        b.add('geonw.ch.flags.reserved', () => `${bitPicture(flags, 0x7f, 8)} = Reserved: ${flags & 0x7f}`, flags & 0x7f, at + 3, 1);
      });
      b.add('geonw.ch.plength', () => `Payload length: ${plength}`, plength, at + 4, 2);
      b.add('geonw.ch.mhl', () => `Maximum Hop Limit: ${data[at + 6]}`, data[at + 6]!, at + 6, 1);
      const reserved2 = data[at + 7]!;
      b.add('geonw.ch.reserved2', () => `Reserved: ${hex(reserved2, 2)}`, reserved2, at + 7, 1, () => hex(reserved2, 2));
    });
    if (htype >> 4 !== HEADER_TYPE_BEACON) return;
    const pos = at + 8;
    b.need(pos, 24, 'source position vector');
    b.group('geonw.beacon', 'Beacon Packet', null, pos, 24, () => positionVector(d, b, pos));
    payload = pos + 24;
  });
  p.addLayer(b.layer);
  p.setProtocol('GEONW', info + statusSuffix(b.layer));
  if (payload >= 0) {
    b.setLength(payload - offset);
    d.data(p, data, payload, end);
  }
  return end;
}

/** The long position vector: GN address, timestamp, latitude and longitude (1/10 micro-degrees), speed and heading. */
function positionVector(d: Dissector, b: LayerBuilder, at: number): void {
  const data = b.data;
  const all = bytesHex(data, at, 24);
  b.group('geonw.src_pos', () => `Source position: ${all}`, data.subarray(at, at + 24), at, 24, () => {
    const addr = bytesHex(data, at, 8);
    b.group('geonw.src_pos.addr', () => `GN_ADDR: ${addr}`, data.subarray(at, at + 8), at, 8, () => {
      const word = be16(data, at);
      b.add('geonw.src_pos.addr.manual', () => `${bitPicture(data[at]!, 0x80, 8)} = Manual: ${word >> 15}`, word >> 15, at, 1);
      b.add('geonw.src_pos.addr.type', () => `${bitPicture(data[at]!, 0x7c, 8)} = ITS-S type: ${(word >> 10) & 0x1f}`, (word >> 10) & 0x1f, at, 1);
      b.add('geonw.src_pos.addr.country', () => `${bitPicture(word, 0x3ff, 16)} = ITS-S Country Code: ${word & 0x3ff}`, word & 0x3ff, at, 2);
      const mid = macText(data, at + 2);
      b.add('geonw.src_pos.addr.mid', () => `MID: ${d.macLabel(mid)}`, mid, at + 2, 6);
    }, addr);
    const tst = be32(data, at + 8);
    b.add('geonw.src_pos.tst', () => `Timestamp: ${tst}ms`, tst, at + 8, 4);
    const lat = data.readInt32BE(at + 12);
    b.add('geonw.src_pos.lat', () => `Latitude: ${lat}`, lat, at + 12, 4);
    const long = data.readInt32BE(at + 16);
    b.add('geonw.src_pos.long', () => `Longitude: ${long}`, long, at + 16, 4);
    const word = be16(data, at + 20);
    b.add('geonw.src_pos.pai', () => `${bitPicture(word, 0x8000, 16).slice(0, 9)} = Position accuracy indicator: ${word >> 15}`, word >> 15, at + 20, 1);
    // Speed is a signed 15-bit value in 0.01 m/s.
    const speed = (word & 0x4000 ? (word & 0x7fff) - 0x8000 : word & 0x7fff);
    b.add('geonw.src_pos.speed', () => `${bitPicture(word, 0x7fff, 16)} = Speed: ${(speed / 100).toFixed(2)} m/s`, speed, at + 20, 2);
    const heading = be16(data, at + 22);
    b.add('geonw.src_pos.hdg', () => `Heading: ${(heading / 10).toFixed(1)} degrees`, heading, at + 22, 2);
  }, all);
}
