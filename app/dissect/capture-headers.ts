/**
 * Capture pseudo-headers that precede a network-layer packet: Solaris IPNET (LINKTYPE_IPNET 226),
 * Linux NFLOG (LINKTYPE_NFLOG 239, netfilter log TLVs) and IP over InfiniBand (LINKTYPE_IPOIB 242).
 * Only what tshark shows on the way to the inner IP/ARP packet is decoded.
 */
import { dissectSafely, hex, LayerBuilder } from './builder';
import type { Dissector } from './dissector';
import { ethertypeName } from './link';
import type { PacketState } from './packet-state';

/** Solaris address families in IPNET headers (AF_INET 2, AF_INET6 26). */
const IPNET_FAMILIES: Record<number, number> = { 2: 0x0800, 26: 0x86dd };

export function dissectIpnet(d: Dissector, p: PacketState, data: Buffer, offset: number, end: number): void {
  const b = new LayerBuilder(data, 'ipnet', 'Solaris IPNET', offset, end, p.selection);
  let family = -1;
  dissectSafely(b, () => {
    b.need(offset, 24, 'IPNET header');
    family = data[offset + 1]!;
    b.add('ipnet.version', () => `Header version: ${data[offset]}`, data[offset]!, offset, 1);
    b.add('ipnet.family', () => `Address family: ${family}`, family, offset + 1, 1);
    b.add('ipnet.htype', () => `Hook type: ${data.readUInt16BE(offset + 2)}`, data.readUInt16BE(offset + 2), offset + 2, 2);
    b.add('ipnet.pktlen', () => `Data length: ${data.readUInt32BE(offset + 4)}`, data.readUInt32BE(offset + 4), offset + 4, 4);
    b.add('ipnet.ifindex', () => `Interface index: ${data.readUInt32BE(offset + 8)}`, data.readUInt32BE(offset + 8), offset + 8, 4);
    b.add('ipnet.grifindex', () => `Group interface index: ${data.readUInt32BE(offset + 12)}`, data.readUInt32BE(offset + 12), offset + 12, 4);
    b.add('ipnet.zsrc', () => `Source Zone: ${data.readUInt32BE(offset + 16)}`, data.readUInt32BE(offset + 16), offset + 16, 4);
    b.add('ipnet.zdst', () => `Destination Zone: ${data.readUInt32BE(offset + 20)}`, data.readUInt32BE(offset + 20), offset + 20, 4);
    b.setLength(24);
  });
  p.addLayer(b.layer);
  if (b.layer.status !== 'ok') return;
  const type = IPNET_FAMILIES[family];
  if (type !== undefined) d.byEthertype(p, type, data, offset + 24, end);
  else d.data(p, data, offset + 24, end);
}

const NFULA_PAYLOAD = 9;
const NFLOG_FAMILIES: Record<number, number> = { 2: 0x0800, 10: 0x86dd };
/** TLVs read before giving up on a header that never reaches its payload. */
const MAX_NFLOG_TLVS = 256;

export function dissectNflog(d: Dissector, p: PacketState, data: Buffer, offset: number, end: number): void {
  const b = new LayerBuilder(data, 'nflog', 'Linux Netfilter NFLOG', offset, end, p.selection);
  let family = -1;
  let payload = -1;
  let payloadEnd = -1;
  dissectSafely(b, () => {
    family = b.u8(offset, 'NFLOG family');
    b.add('nflog.family', () => `Family: ${family === 2 ? 'IP' : family === 10 ? 'IPv6' : 'Unknown'} (${family})`, family, offset, 1);
    const version = b.u8(offset + 1, 'NFLOG version');
    b.add('nflog.version', () => `Version: ${version}`, version, offset + 1, 1);
    const resourceId = b.u16(offset + 2, 'NFLOG resource id');
    b.add('nflog.res_id', () => `Resource id: ${resourceId}`, resourceId, offset + 2, 2);
    let at = offset + 4;
    const stop = Math.min(end, data.length);
    for (let i = 0; i < MAX_NFLOG_TLVS && at + 4 <= stop; i++) {
      // TLV lengths and types are in host (little-endian) byte order; lengths include the 4-byte header.
      const length = data.readUInt16LE(at);
      const type = data.readUInt16LE(at + 2) & 0x7fff;
      if (length < 4) {
        b.mark('malformed', `NFLOG TLV with length ${length}`);
        return;
      }
      b.group('nflog.tlv', () => `TLV Type: ${type}, Length: ${length}`, type, at, length, () => {
        b.add('nflog.tlv_length', () => `Length: ${length}`, length, at, 2);
        b.add('nflog.tlv_type', () => `Type: ${type}`, type, at + 2, 2);
      }, () => String(type));
      if (type === NFULA_PAYLOAD) {
        payload = at + 4;
        payloadEnd = Math.min(at + length, end);
        break;
      }
      at += (length + 3) & ~3;
    }
    b.setLength((payload < 0 ? at : payload) - offset);
  });
  p.addLayer(b.layer);
  p.setProtocol('NFLOG', '');
  if (payload < 0) return;
  const type = NFLOG_FAMILIES[family];
  if (type !== undefined) d.byEthertype(p, type, data, payload, payloadEnd);
  else d.data(p, data, payload, payloadEnd);
}

/** LINKTYPE_IPOIB: a 20-byte source and 20-byte destination hardware address, then type and reserved. */
export function dissectIpoib(d: Dissector, p: PacketState, data: Buffer, offset: number, end: number): void {
  const b = new LayerBuilder(data, 'ipoib', 'IP over Infiniband', offset, end, p.selection);
  let type = -1;
  dissectSafely(b, () => {
    b.need(offset, 44, 'IPoIB header');
    b.add('ipoib.src', 'Source address', data.subarray(offset, offset + 20), offset, 20, () => data.subarray(offset, offset + 20).toString('hex'));
    b.add('ipoib.dst', 'Destination address', data.subarray(offset + 20, offset + 40), offset + 20, 20, () => data.subarray(offset + 20, offset + 40).toString('hex'));
    type = data.readUInt16BE(offset + 40);
    b.add('ipoib.type', () => `Type: ${ethertypeName(type)} (${hex(type, 4)})`, type, offset + 40, 2, () => hex(type, 4));
    b.add('ipoib.reserved', () => `Reserved: ${hex(data.readUInt16BE(offset + 42), 4)}`, data.readUInt16BE(offset + 42), offset + 42, 2, () => hex(data.readUInt16BE(offset + 42), 4));
    b.setLength(44);
  });
  p.addLayer(b.layer);
  if (type >= 0) d.byEthertype(p, type, data, offset + 44, end);
}
