/**
 * GTP-U, the user plane of the GPRS Tunneling Protocol (UDP 2152), as tshark 4.0 shows it
 * (epan/dissectors/packet-gtp.c): the version 1 header (flags, message type, length, TEID, and the
 * sequence number and N-PDU number when their flags say so), then for a T-PDU the IPv4 or IPv6
 * packet inside, with the Protocol column "GTP <inner protocol>". Other message types (echo,
 * error indication, end marker) show their name; their information elements, extension headers
 * other than PDCP PDU numbers, and versions other than 1 are left as data.
 */
import { dissectSafely, hex, LayerBuilder } from './builder';
import type { Dissector } from './dissector';
import { bitPicture } from './format';
import type { PacketState } from './packet-state';
import { dissectIpv4 } from './ipv4';
import { dissectIpv6 } from './ipv6';

export const GTP_U_PORT = 2152;

const MESSAGE_TYPES: Record<number, string> = {
  1: 'Echo request', 2: 'Echo response', 26: 'Error Indication', 31: 'Supported extension headers notification', 254: 'End Marker', 255: 'T-PDU',
};
const EXT_PDCP = 0xc0;
const EXT_NAMES: Record<number, string> = { 0: 'No more extension headers', [EXT_PDCP]: 'PDCP PDU number' };

function nextType(b: LayerBuilder, at: number): void {
  const next = b.data[at]!;
  b.add('gtp.ext_hdr.next', () => `Next extension header type: ${EXT_NAMES[next] ?? 'Unknown'} (${hex(next, 2)})`, next, at, 1, () => hex(next, 2));
}

const VERSIONS = ['GTP release 97/98 version', 'GTP release 99 version', 'GTPv2', 'Unknown', 'Unknown', 'Unknown', 'Unknown', 'Unknown'];

export function dissectGtpU(d: Dissector, p: PacketState, data: Buffer, offset: number, end: number): void {
  const stop = Math.min(end, data.length);
  const flags = offset < stop ? data[offset]! : 0;
  const optional = (flags & 0x07) !== 0;
  // Extension headers: the chain of PDCP PDU numbers is read; a chain with another type is left as data.
  let header = optional ? 12 : 8;
  const extensions: number[] = [];
  if ((flags & 0x04) !== 0) {
    let next = offset + 11 < stop ? data[offset + 11]! : -1;
    while (next === EXT_PDCP && header + 4 <= stop - offset && data[offset + header] === 1) {
      extensions.push(offset + header);
      next = data[offset + header + 3]!;
      header += 4;
    }
    if (next !== 0) header = -1;
  }
  if (stop - offset < 8 || flags >> 5 !== 1 || header < 0) {
    d.data(p, data, offset, end);
    return;
  }
  const b = new LayerBuilder(data, 'gtp', 'GPRS Tunneling Protocol', offset, end, p.selection);
  const type = data[offset + 1]!;
  dissectSafely(b, () => {
    b.setLength(header);
    const bit = (abbrev: string, mask: number, label: string, value: number, text: string): void => {
      b.add(abbrev, () => `${bitPicture(flags, mask, 8)} = ${label}: ${text}`, value, offset, 1);
    };
    b.group('gtp.flags', () => `Flags: ${hex(flags, 2)}`, flags, offset, 1, () => {
      bit('gtp.flags.version', 0xe0, 'Version', flags >> 5, `${VERSIONS[flags >> 5]} (${flags >> 5})`);
      bit('gtp.flags.payload', 0x10, 'Protocol type', (flags >> 4) & 1, (flags & 0x10) !== 0 ? 'GTP (1)' : "GTP' (0)");
      bit('gtp.flags.reserved', 0x08, 'Reserved', (flags >> 3) & 1, String((flags >> 3) & 1));
      bit('gtp.flags.e', 0x04, 'Is Next Extension Header present?', (flags >> 2) & 1, (flags & 0x04) !== 0 ? 'Yes' : 'No');
      bit('gtp.flags.s', 0x02, 'Is Sequence Number present?', (flags >> 1) & 1, (flags & 0x02) !== 0 ? 'Yes' : 'No');
      bit('gtp.flags.pn', 0x01, 'Is N-PDU number present?', flags & 1, (flags & 0x01) !== 0 ? 'Yes' : 'No');
    }, () => hex(flags, 2));
    b.add('gtp.message', () => `Message Type: ${MESSAGE_TYPES[type] ?? 'Unknown'} (${hex(type, 2)})`, type, offset + 1, 1, () => hex(type, 2));
    const length = b.u16(offset + 2, 'length');
    b.add('gtp.length', () => `Length: ${length}`, length, offset + 2, 2);
    const teid = b.u32(offset + 4, 'TEID');
    b.add('gtp.teid', () => `TEID: ${hex(teid, 8)} (${teid})`, teid, offset + 4, 4, () => hex(teid, 8));
    if (optional) {
      b.need(offset + 8, 4, 'sequence number');
      const seq = data.readUInt16BE(offset + 8);
      if ((flags & 0x02) !== 0) b.add('gtp.seq_number', () => `Sequence number: ${hex(seq, 4)} (${seq})`, seq, offset + 8, 2, () => hex(seq, 4));
      const npdu = data[offset + 10]!;
      if ((flags & 0x01) !== 0) b.add('gtp.npdu_number', () => `N-PDU Number: ${hex(npdu, 2)} (${npdu})`, npdu, offset + 10, 1, () => hex(npdu, 2));
      if ((flags & 0x04) !== 0) nextType(b, offset + 11);
      for (const at of extensions) {
        b.group('gtp.ext_hdr', 'Extension header (PDCP PDU number)', null, at, 4, () => {
          b.add('gtp.ext_hdr.length', 'Extension Header Length: 1', 1, at, 1);
          const sn = data.readUInt16BE(at + 1);
          b.add('gtp.ext_hdr.pdcp_sn', () => `PDCP Sequence Number: ${sn}`, sn, at + 1, 2);
          nextType(b, at + 3);
        }, '');
      }
    }
  });
  p.addLayer(b.layer);
  p.setProtocol('GTP', MESSAGE_TYPES[type] ?? `Unknown message type ${hex(type, 2)}`);
  if (b.layer.status !== 'ok') return;
  const inner = offset + header;
  if (type !== 255) {
    if (inner < stop) d.data(p, data, inner, end);
    return;
  }
  if (inner >= stop) return;
  const version = data[inner]! >> 4;
  const layers = p.layers.length;
  if (version === 4) dissectIpv4(d, p, data, inner, end);
  else if (version === 6) dissectIpv6(d, p, data, inner, end);
  else {
    d.data(p, data, inner, end);
    return;
  }
  // packet-gtp.c wraps the inner protocol's name after its dissector returns: not when that one
  // ended in an exception (a malformed or cut packet keeps its own name).
  const failed = p.layers.slice(layers).some((layer) => layer.status !== 'ok');
  if (p.columns && !failed) p.setProtocol(`GTP <${p.protocolColumn}>`, p.info);
}
