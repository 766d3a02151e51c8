/**
 * Cisco MetaData (ethertype 0x8909, carrying a TrustSec security group tag). On Ethernet the
 * header is version, length, option, SGT, then the ethertype; carried in GRE the ethertype comes
 * first (as Wireshark's packet-cmd.c reads it). Either way 8 bytes, then the inner packet.
 */
import { dissectSafely, hex, LayerBuilder } from './builder';
import type { Dissector } from './dissector';
import { ethertypeName } from './link';
import type { PacketState } from './packet-state';

export const ETHERTYPE_CMD = 0x8909;

export function dissectCmd(d: Dissector, p: PacketState, data: Buffer, offset: number, end: number, inGre = false): number | void {
  const b = new LayerBuilder(data, 'cmd', 'Cisco MetaData', offset, end, p.selection);
  let type = -1;
  dissectSafely(b, () => {
    b.need(offset, 8, 'Cisco MetaData header');
    const typeAt = inGre ? offset : offset + 6;
    const rest = inGre ? offset + 2 : offset;
    type = data.readUInt16BE(typeAt);
    if (inGre) b.add('cmd.type', () => `Type: ${ethertypeName(type)} (${hex(type, 4)})`, type, typeAt, 2, () => hex(type, 4));
    b.add('cmd.version', () => `Version: ${data[rest]}`, data[rest]!, rest, 1);
    b.add('cmd.length', () => `Length: ${data[rest + 1]}`, data[rest + 1]!, rest + 1, 1);
    b.add('cmd.option', () => `Options: ${hex(data.readUInt16BE(rest + 2), 4)}`, data.readUInt16BE(rest + 2), rest + 2, 2, () => hex(data.readUInt16BE(rest + 2), 4));
    b.add('cmd.sgt', () => `SGT: ${data.readUInt16BE(rest + 4)}`, data.readUInt16BE(rest + 4), rest + 4, 2);
    if (!inGre) b.add('cmd.type', () => `Type: ${ethertypeName(type)} (${hex(type, 4)})`, type, typeAt, 2, () => hex(type, 4));
    b.setLength(8);
  });
  p.addLayer(b.layer);
  if (type < 0) return;
  return d.byEthertype(p, type, data, offset + 8, end);
}
