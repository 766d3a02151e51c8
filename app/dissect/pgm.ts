/**
 * PGM, Pragmatic General Multicast (IP protocol 113, RFC 3208), as tshark 4.0 shows it: the common
 * header and the SPM, ODATA/RDATA, NAK/NNAK/NCF, POLL and POLR bodies, with the Info line tshark
 * writes; ODATA/RDATA payload is handed on as data. Options are skipped by their total length (not
 * decoded yet), and the checksum is not verified (tshark's fields for it are not shown).
 */
import { dissectSafely, hex, LayerBuilder } from './builder';
import type { Dissector } from './dissector';
import { bitPicture, ipv4Text, ipv6Text } from './format';
import type { PacketState } from './packet-state';
import { statusSuffix } from './routing-common';

export const IP_PROTO_PGM = 113;
const HEADER_LENGTH = 16;
const TYPES: Record<number, string> = { 0x0: 'SPM', 0x1: 'POLL', 0x2: 'POLR', 0x4: 'ODATA', 0x5: 'RDATA', 0x8: 'NAK', 0x9: 'NNAK', 0xa: 'NCF', 0xd: 'ACK' };
const OPTION_BITS: readonly (readonly [string, number, string])[] = [
  ['opt', 0x01, 'Options'], ['netsig', 0x02, 'Network Significant Options'], ['varlen', 0x40, 'Variable length Parity Packet Option'], ['parity', 0x80, 'Parity'],
];
const OPTIONS_PRESENT = 0x01;

export function dissectPgm(d: Dissector, p: PacketState, data: Buffer, offset: number, end: number): void {
  // Wireshark declines a bare header (the IP layer then shows the bytes as data), and shows the
  // Protocol column but no layer for a type it does not know.
  if (Math.min(end, data.length) - offset <= HEADER_LENGTH) {
    p.setProtocol(p.netSrc.includes(':') ? 'IPv6' : 'IPv4', `PGM (${IP_PROTO_PGM})`);
    d.data(p, data, offset, end);
    return;
  }
  if (TYPES[data[offset + 4]!] === undefined) {
    p.setProtocol('PGM', '');
    return;
  }
  const b = new LayerBuilder(data, 'pgm', 'Pragmatic General Multicast', offset, end, p.selection);
  let info = '';
  let payload = -1;
  dissectSafely(b, () => {
    b.need(offset, HEADER_LENGTH, 'PGM header');
    const sport = data.readUInt16BE(offset);
    const dport = data.readUInt16BE(offset + 2);
    const type = data[offset + 4]!;
    const opts = data[offset + 5]!;
    const gsi = data.toString('hex', offset + 8, offset + 14);
    const tsdulen = data.readUInt16BE(offset + 14);
    const name = TYPES[type] ?? 'Unknown';
    b.title(() => `Pragmatic General Multicast: Type ${name} Src Port ${sport}, Dst Port ${dport}, GSI ${gsi}`);
    b.add('pgm.hdr.sport', () => `Source Port: ${sport}`, sport, offset, 2);
    b.add('pgm.hdr.dport', () => `Destination Port: ${dport}`, dport, offset + 2, 2);
    b.add('pgm.hdr.type', () => `Type: ${name} (${hex(type, 2)})`, type, offset + 4, 1, () => hex(type, 2));
    b.group('pgm.hdr.opts', () => `Options: ${hex(opts, 1)}`, opts, offset + 5, 1, () => {
      for (const [abbrev, mask, label] of OPTION_BITS) {
        const set = (opts & mask) !== 0;
        b.add(`pgm.hdr.opts.${abbrev}`, () => `${bitPicture(opts, mask, 8)} = ${label}: ${set ? 'Present' : 'Not Present'}`, set, offset + 5, 1);
      }
    }, () => hex(opts, 2));
    b.add('pgm.hdr.gsi', () => `Global Source Identifier: ${gsi}`, data.subarray(offset + 8, offset + 14), offset + 8, 6, () => gsi);
    b.add('pgm.hdr.tsdulen', () => `Transport Service Data Unit Length: ${tsdulen}`, tsdulen, offset + 14, 2);
    let at = offset + HEADER_LENGTH;
    const u32 = (abbrev: string, label: string, asHex: boolean): number => {
      const v = b.u32(at, label);
      b.add(abbrev, () => `${label}: ${asHex ? hex(v, 8) : v}`, v, at, 4, asHex ? () => hex(v, 8) : undefined);
      at += 4;
      return v;
    };
    const u16 = (abbrev: string, label: string, asHex: boolean): number => {
      const v = b.u16(at, label);
      b.add(abbrev, () => `${label}: ${asHex ? hex(v, 4) : v}`, v, at, 2, asHex ? () => hex(v, 4) : undefined);
      at += 2;
      return v;
    };
    /** An AFI, a reserved word and an address (IPv4 for AFI 1, IPv6 for 2). */
    const nla = (prefix: string, afiAbbrev: string, resAbbrev: string, label: string) => {
      const afi = b.u16(at, `${label} AFI`);
      b.add(`${prefix}.${afiAbbrev}`, () => `${label} AFI: ${afi === 1 ? 'IPv4' : afi === 2 ? 'IPv6' : 'Unknown'} (${afi})`, afi, at, 2);
      at += 2;
      u16(`${prefix}.${resAbbrev}`, 'Reserved', true);
      const base = afiAbbrev.replace(/afi$/, '');
      if (afi === 1) {
        const text = ipv4Text(b.bytes(at, 4, label), 0);
        b.add(`${prefix}.${base}.ipv4`, () => `${label}: ${text}`, text, at, 4);
        at += 4;
      } else if (afi === 2) {
        const text = ipv6Text(b.bytes(at, 16, label), 0);
        b.add(`${prefix}.${base}.ipv6`, () => `${label}: ${text}`, text, at, 16);
        at += 16;
      }
    };
    let sqn = 0;
    const body = (label: string, fill: () => void) => b.group('', `${label} Packet`, null, at, 0, fill);
    switch (type) {
      case 0x0:
        body('SPM', () => {
          sqn = u32('pgm.spm.sqn', 'Sequence number', true);
          u32('pgm.spm.trail', 'Trailing Edge Sequence Number', true);
          u32('pgm.spm.lead', 'Leading Edge Sequence Number', true);
          nla('pgm.spm', 'pathafi', 'res', 'Path NLA');
        });
        info = `SPM   sqn ${hex(sqn, 1)} gsi ${gsi}`;
        break;
      case 0x4:
      case 0x5:
        body(name, () => {
          sqn = u32('pgm.spm.sqn', 'Sequence number', true);
          u32('pgm.spm.trail', 'Trailing Edge Sequence Number', true);
        });
        info = `${name.padEnd(5)} sqn ${hex(sqn, 1)} gsi ${gsi} tsdulen ${tsdulen}`;
        break;
      case 0x8:
      case 0x9:
      case 0xa:
        info = `${name.padEnd(5)} sqn `;
        body(name, () => {
          sqn = u32('pgm.nak.sqn', 'Requested Sequence Number', true);
          info += `${hex(sqn, 1)} gsi ${gsi}`;
          nla('pgm.nak', 'srcafi', 'srcres', 'Source NLA');
          nla('pgm.nak', 'grpafi', 'grpres', 'Multicast Group NLA');
        });
        break;
      case 0x1: {
        let subtype = 0;
        body('POLL', () => {
          sqn = u32('pgm.poll.sqn', 'Sequence Number', true);
          u16('pgm.poll.round', 'Round', false);
          subtype = b.u16(at, 'subtype');
          b.add('pgm.poll.subtype', () => `Subtype: ${subtype === 0 ? 'General' : subtype === 1 ? 'DLR' : 'Unknown'} (${hex(subtype, 4)})`, subtype, at, 2, () => hex(subtype, 4));
          at += 2;
          nla('pgm.poll', 'pathafi', 'res', 'Path NLA');
          u32('pgm.poll.backoff_ivl', 'Back-off Interval', false);
          u32('pgm.poll.rand_str', 'Random String', true);
          u32('pgm.poll.matching_bmask', 'Matching Bitmask', true);
        });
        info = `POLL  sqn ${hex(sqn, 1)} gsi ${gsi} subtype ${subtype === 0 ? 'General' : subtype === 1 ? 'DLR' : 'Unknown'}`;
        break;
      }
      case 0x2:
        body('POLR', () => {
          sqn = u32('pgm.polr.sqn', 'Sequence Number', true);
          u16('pgm.polr.round', 'Round', false);
          u16('pgm.polr.res', 'Reserved', true);
        });
        info = `POLR  sqn ${hex(sqn, 1)} gsi ${gsi}`;
        break;
      default:
        return;
    }
    if (opts & OPTIONS_PRESENT) {
      // The first option is OPT_LENGTH: type 0x00, length 4, then the total length of all options.
      const total = b.u16(at + 2, 'options total length');
      at += total;
    }
    b.setLength(at - offset);
    if (type === 0x4 || type === 0x5) payload = at;
  });
  p.addLayer(b.layer);
  p.setProtocol('PGM', info + statusSuffix(b.layer));
  if (payload >= 0 && payload < Math.min(end, data.length)) d.data(p, data, payload, end);
}
