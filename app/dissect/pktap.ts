/**
 * Apple's PKTAP (LINKTYPE_PKTAP 258; and DLT_USER2, 149, which macOS's tcpdump writes for it and
 * Wireshark's user_dlt gives to PKTAP when nobody configured that DLT): a little-endian header
 * naming the interface, the process and the link type of the frame after it — what `tcpdump -k`
 * and `-i any` capture on macOS. As Wireshark 4.0's packet-pktap.c and packet-user_encap.c show
 * it: the header's fields, "Header length is too short" (and nothing more) under 108 bytes, then
 * for a packet record (type 1) the frame by its link type (pcap_pktdata). The other user DLTs
 * (147–162) are "User encapsulation not handled" and data, as tshark without a DLT_USER table.
 */
import { dissectSafely, hex, LayerBuilder } from './builder';
import type { Dissector } from './dissector';
import { addExpert } from './expert';
import { formatText } from './app-format';
import { statusSuffix } from './routing-common';
import type { PacketState } from './packet-state';

export const LINKTYPE_PKTAP = 258;
export const LINKTYPE_USER0 = 147;
export const LINKTYPE_USER2 = 149;
export const LINKTYPE_USER15 = 162;
const MIN_PKTAP_HDR_LEN = 108;
const PKT_REC_PACKET = 1;

/** A fixed-size string field up to its first NUL: its value (bytes past ASCII as U+FFFD) and its label text (format_text). */
function fixedString(data: Buffer, offset: number, length: number): { value: string; label: string } {
  const bytes = data.subarray(offset, offset + length);
  const nul = bytes.indexOf(0);
  const text = nul < 0 ? bytes : bytes.subarray(0, nul);
  return { value: text.toString('latin1').replace(/[\x80-\xff]/g, '\ufffd'), label: formatText(text) };
}

/** LINKTYPE_PKTAP: the header, then the frame it carries. */
export function dissectPktap(d: Dissector, p: PacketState, data: Buffer, offset: number, end: number): void {
  const b = new LayerBuilder(data, 'pktap', 'PKTAP packet header', offset, end, p.selection);
  let headerLength = 0;
  let rectype = -1;
  let dlt = -1;
  let tooShort = false;
  p.setProtocol('PKTAP', '');
  dissectSafely(b, () => {
    const u32le = (at: number, what: string): number => {
      b.need(at, 4, what);
      return data.readUInt32LE(at);
    };
    headerLength = u32le(offset, 'PKTAP header length');
    p.setProtocol('PKTAP', `PKTAP, ${headerLength} byte header`);
    b.setLength(headerLength);
    b.add('pktap.hdrlen', () => `Header length: ${headerLength}`, headerLength, offset, 4);
    if (headerLength < MIN_PKTAP_HDR_LEN) {
      tooShort = true;
      return;
    }
    const u32 = (at: number, what: string): number => u32le(offset + at, what);
    rectype = u32(4, 'PKTAP record type');
    b.add('pktap.rectype', () => `Record type: ${rectype}`, rectype, offset + 4, 4);
    dlt = u32(8, 'PKTAP DLT');
    b.add('pktap.dlt', () => `DLT: ${dlt}`, dlt, offset + 8, 4);
    b.need(offset + 12, 24, 'PKTAP interface name');
    const ifname = fixedString(data, offset + 12, 24);
    b.add('pktap.ifname', () => `Interface name: ${ifname.label}`, ifname.value, offset + 12, 24);
    const flags = u32(36, 'PKTAP flags');
    b.add('pktap.flags', () => `Flags: ${hex(flags, 8)}`, flags, offset + 36, 4, () => hex(flags, 8));
    const numbers: Array<[number, string, string]> = [
      [40, 'pktap.pfamily', 'Protocol family'],
      [44, 'pktap.llhdrlen', 'Link-layer header length'],
      [48, 'pktap.lltrlrlen', 'Link-layer trailer length'],
      [52, 'pktap.pid', 'Process ID'],
    ];
    for (const [at, abbrev, label] of numbers) {
      const value = u32(at, label);
      b.add(abbrev, () => `${label}: ${value}`, value, offset + at, 4);
    }
    b.need(offset + 56, 20, 'PKTAP command name');
    const cmdname = fixedString(data, offset + 56, 20);
    b.add('pktap.cmdname', () => `Command name: ${cmdname.label}`, cmdname.value, offset + 56, 20);
    const svc = u32(76, 'PKTAP service class');
    b.add('pktap.svc_class', () => `Service class: ${svc}`, svc, offset + 76, 4);
    b.need(offset + 80, 4, 'PKTAP interface type and unit');
    const iftype = data.readUInt16LE(offset + 80);
    b.add('pktap.iftype', () => `Interface type: ${iftype}`, iftype, offset + 80, 2);
    const ifunit = data.readUInt16LE(offset + 82);
    b.add('pktap.ifunit', () => `Interface unit: ${ifunit}`, ifunit, offset + 82, 2);
    const epid = u32(84, 'PKTAP effective process ID');
    b.add('pktap.epid', () => `Effective process ID: ${epid}`, epid, offset + 84, 4);
    b.need(offset + 88, 20, 'PKTAP effective command name');
    const ecmdname = fixedString(data, offset + 88, 20);
    b.add('pktap.ecmdname', () => `Effective command name: ${ecmdname.label}`, ecmdname.value, offset + 88, 20);
  });
  p.addLayer(b.layer);
  if (b.layer.status !== 'ok') p.setProtocol('PKTAP', `PKTAP, ${headerLength} byte header${statusSuffix(b.layer)}`);
  if (tooShort) {
    // proto_tree_add_expert on the packet's tree, beside the PKTAP header's.
    // A text item beside the PKTAP tree: -T json names it by its text, as the ARP duplicate's.
    const e = new LayerBuilder(data, 'Header length is too short', 'Header length is too short', offset, offset + 4, p.selection);
    addExpert(e, 'pktap.hdrlen_too_short', 'Error', 'Malformed', 'Header length is too short', offset, 4);
    e.add('_ws.malformed', 'Malformed Packet', 'Malformed Packet', offset, 0, '_ws.malformed').hidden = true;
    p.addLayer(e.layer, '');
    return;
  }
  if (b.layer.status !== 'ok' || rectype !== PKT_REC_PACKET) return;
  // pcap_pktdata: the frame by its link type (no tree item of its own when the type is known).
  p.protocols.push('pcap_pktdata');
  const next = d.linkTypes.get(dlt);
  if (next) {
    next(d, p, data, offset + headerLength, end);
    return;
  }
  // A link type Wiretap does not know: pcap_pktdata's "Undecoded data" item on the packet's tree
  // (named by its field in -T json, as a top-level item is), with its note.
  const at = offset + headerLength;
  const u = new LayerBuilder(data, 'pcap_pktdata.undecoded_data', 'Undecoded data', at, end, p.selection);
  addExpert(u, 'pcap_pktdata.linktype_unknown', 'Note', 'Undecoded', `Link-layer header type ${dlt} is not supported`, at, end - at);
  p.addLayer(u.layer, '');
}

/**
 * The user DLTs (LINKTYPE_USER0–15, 147–162) with Wireshark's default DLT_USER table (empty):
 * DLT_USER2 is PKTAP ("DLT: 149, Payload: pktap (PKTAP packet header)"), the others are not
 * handled (an expert warning, then data).
 */
export function dissectUserDlt(d: Dissector, p: PacketState, data: Buffer, offset: number, end: number, linkType: number): void {
  const b = new LayerBuilder(data, 'user_dlt', `DLT: ${linkType}`, offset, end, p.selection);
  if (linkType !== LINKTYPE_USER2) {
    const message = `User encapsulation not handled: DLT=${linkType}, check your Preferences->Protocols->DLT_USER`;
    b.title(() => message);
    addExpert(b, 'user_dlt.not_handled', 'Warning', 'Undecoded', message, offset, end - offset);
    p.addLayer(b.layer);
    p.keepProtocolEmpty();
    d.data(p, data, offset, end);
    return;
  }
  p.addLayer(b.layer);
  dissectPktap(d, p, data, offset, end);
  // ", Payload: …" once the payload's dissector returned (an exception in it leaves "DLT: 149").
  const failed = p.layers.slice(p.layers.indexOf(b.layer) + 1).some((l) => l.status !== 'ok');
  if (!failed) b.layer.title = `DLT: ${linkType}, Payload: pktap (PKTAP packet header)`;
}
