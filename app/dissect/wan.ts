/**
 * Serial-line link layers: Cisco HDLC (LINKTYPE_C_HDLC 104; address, control, ethertype; 0x8035
 * there is SLARP, not RARP) and Frame Relay (LINKTYPE_FRELAY 107; Q.922 address, then either
 * RFC 2427 UI control + NLPID or, as Cisco routers send it, an ethertype).
 */
import { dissectSafely, hex, LayerBuilder } from './builder';
import type { Dissector } from './dissector';
import { bitPicture } from './format';
import { ethertypeName } from './link';
import type { PacketState } from './packet-state';
import { dissectSlarp } from './slarp';
import { dissectOsiChdlc, osiPadded } from './osi';
import { CDP_PROTOCOL, dissectCdp } from './cdp';

const CHDLC_SLARP = 0x8035;
/** Cisco HDLC's protocol for the OSI network layer (not an ethertype: Ethernet II frames of this type are data). */
const CHDLC_OSI = 0xfefe;

export function dissectCiscoHdlc(d: Dissector, p: PacketState, data: Buffer, offset: number, end: number): void {
  const b = new LayerBuilder(data, 'chdlc', 'Cisco HDLC', offset, end, p.selection);
  let proto = -1;
  dissectSafely(b, () => {
    const address = b.u8(offset, 'HDLC address');
    b.add('chdlc.address', () => `Address: ${address === 0x8f ? 'Multicast' : address === 0x0f ? 'Unicast' : 'Unknown'} (${hex(address, 2)})`, address, offset, 1, () => hex(address, 2));
    const control = b.u8(offset + 1, 'HDLC control');
    b.add('chdlc.control', () => `Control: ${hex(control, 2)}`, control, offset + 1, 1, () => hex(control, 2));
    proto = b.u16(offset + 2, 'HDLC protocol');
    const name = proto === CHDLC_SLARP ? 'SLARP' : proto === CDP_PROTOCOL ? 'Cisco Discovery Protocol' : proto === CHDLC_OSI ? 'OSI' : ethertypeName(proto);
    b.add('chdlc.protocol', () => `Protocol: ${name} (${hex(proto, 4)})`, proto, offset + 2, 2, () => hex(proto, 4));
    b.setLength(4);
  });
  p.addLayer(b.layer);
  p.setProtocol('CHDLC', '');
  // Wireshark's Cisco HDLC puts "N/A" in the link-layer address columns (a network layer overwrites them).
  if (p.columns) p.setColumns('N/A', 'N/A');
  if (proto < 0) return;
  if (proto === CHDLC_OSI) {
    // The padding byte routers put before the PDU is Cisco HDLC's (chdlc.clns_padding).
    if (osiPadded(data, offset + 4, end)) {
      const pad = data[offset + 4]!;
      b.add('chdlc.clns_padding', () => `CLNS Padding: ${hex(pad, 2)}`, pad, offset + 4, 1, () => hex(pad, 2));
    }
    return void dissectOsiChdlc(d, p, data, offset + 4, end);
  }
  // CDP is in Cisco HDLC's protocol table only (not an ethertype).
  if (proto === CDP_PROTOCOL) return void dissectCdp(d, p, data, offset + 4, end);
  if (proto === CHDLC_SLARP) dissectSlarp(d, p, data, offset + 4, end);
  else d.byEthertype(p, proto, data, offset + 4, end);
}

/** RFC 2427 network layer protocol IDs Sievecap hands off, as ethertypes. */
const NLPID_TO_ETHERTYPE: Record<number, number> = { 0xcc: 0x0800, 0x8e: 0x86dd };

export function dissectFrameRelay(d: Dissector, p: PacketState, data: Buffer, offset: number, end: number): void {
  const b = new LayerBuilder(data, 'fr', 'Frame Relay', offset, end, p.selection);
  let proto = -1;
  let payload = -1;
  dissectSafely(b, () => {
    // Q.922 address: 2 to 4 bytes, the last one with the EA (extended address) bit set.
    let at = offset;
    while (!(b.u8(at, 'Frame Relay address') & 1) && at - offset < 3) at++;
    at++;
    const first = data[offset]!;
    const second = data[offset + 1]!;
    const dlci = ((first >> 2) << 4) | (second >> 4);
    // packet-fr.c's address octets as bitmasks: the names of the flags set follow each value.
    const flag = (abbrev: string, name: string, v: number, mask: number, at: number, yes: string, no: string): void => {
      b.add(abbrev, () => `${bitPicture(v, mask, 8)} = ${name}: ${v & mask ? yes : no}`, (v & mask) !== 0, at, 1);
    };
    b.group('fr.first_addr_octet', () => `First address octet: ${hex(first, 2)}${first & 2 ? ', CR' : ''}${first & 1 ? ', EA' : ''}`, first, offset, 1, () => {
      b.add('fr.upper_dlci', () => `${bitPicture(first, 0xfc, 8)} = Upper DLCI: ${hex(first >> 2, 2)}`, first >> 2, offset, 1, () => hex(first >> 2, 2));
      flag('fr.cr', 'CR', first, 0x02, offset, 'Command', 'Response');
      flag('fr.ea', 'EA', first, 0x01, offset, 'Last Octet', 'More Follows');
    }, () => hex(first, 2));
    if (at - offset === 2) {
      const names = [[0x08, 'FECN'], [0x04, 'BECN'], [0x02, 'DE'], [0x01, 'EA']] as const;
      b.group('fr.second_addr_octet', () => `Second address octet: ${hex(second, 2)}${names.filter(([m]) => second & m).map(([, n]) => `, ${n}`).join('')}`, second, offset + 1, 1, () => {
        b.add('fr.second_dlci', () => `${bitPicture(second, 0xf0, 8)} = Second DLCI: ${hex(second >> 4, 1)}`, second >> 4, offset + 1, 1, () => hex(second >> 4, 1));
        flag('fr.fecn', 'FECN', second, 0x08, offset + 1, 'True', 'False');
        flag('fr.becn', 'BECN', second, 0x04, offset + 1, 'True', 'False');
        flag('fr.de', 'DE', second, 0x02, offset + 1, 'True', 'False');
        flag('fr.ea', 'EA', second, 0x01, offset + 1, 'Last Octet', 'More Follows');
      }, () => hex(second, 2));
    }
    b.add('fr.dlci', () => `DLCI: ${dlci}`, dlci, offset, 2);
    if (b.u8(at, 'Frame Relay control') === 0x03) {
      b.add('fr.control', 'Control: 0x03', 3, at, 1, '0x03');
      at++;
      // Optional padding before the NLPID (RFC 2427 §3).
      if (b.u8(at, 'NLPID') === 0) at++;
      const nlpid = b.u8(at, 'NLPID');
      b.add('fr.nlpid', () => `NLPID: ${hex(nlpid, 2)}`, nlpid, at, 1, () => hex(nlpid, 2));
      at++;
      if (nlpid === 0x80) {
        // SNAP: OUI and protocol ID; with OUI 0 the PID is an ethertype.
        b.need(at, 5, 'SNAP header');
        if (data.readUIntBE(at, 3) === 0) proto = data.readUInt16BE(at + 3);
        b.add('fr.snap.pid', () => `Protocol ID: ${hex(data.readUInt16BE(at + 3), 4)}`, data.readUInt16BE(at + 3), at + 3, 2, () => hex(data.readUInt16BE(at + 3), 4));
        at += 5;
      } else {
        proto = NLPID_TO_ETHERTYPE[nlpid] ?? -1;
      }
    } else {
      proto = b.u16(at, 'Frame Relay ethertype');
      b.add('fr.ethertype', () => `Type: ${ethertypeName(proto)} (${hex(proto, 4)})`, proto, at, 2, () => hex(proto, 4));
      at += 2;
    }
    payload = at;
    b.setLength(at - offset);
  });
  p.addLayer(b.layer);
  p.setProtocol('FR', '');
  if (payload < 0) return;
  if (proto >= 0) d.byEthertype(p, proto, data, payload, end);
  else d.data(p, data, payload, end);
}
