/**
 * ARP and RARP (RFC 826): Ethernet/IPv4 addresses decoded, other sizes kept as bytes; and
 * Wireshark's duplicate address detection (packet-arp.c, arp.detect_duplicate_ips, on by default):
 * an IPv4 address seen from one MAC address and later from another is reported on the later frame
 * — a top-level `[Duplicate IP address detected for …]` item with arp.duplicate-address-frame and
 * arp.seconds-since-duplicate-address-frame, an expert warning, and ` (duplicate use of … detected!)`
 * after the Info.
 */
import { dissectSafely, hex, LayerBuilder } from './builder';
import type { Dissector } from './dissector';
import { addExpert } from './expert';
import { bytesHex, ipv4Text, macText } from './format';
import type { Layer } from './model';
import type { PacketState } from './packet-state';

/** The MAC address an IPv4 address was last seen with, the frame and its time stamp's seconds. */
export interface ArpBinding {
  mac: string;
  frame: number;
  seconds: number;
}

const OPCODES: Record<number, string> = {
  0: 'reserved', 1: 'request', 2: 'reply', 3: 'reverse request', 4: 'reverse reply', 5: 'drarp request', 6: 'drarp reply',
  7: 'drarp error', 8: 'inverse request', 9: 'inverse reply', 10: 'arp nak', 11: 'mars request', 12: 'mars multi',
  13: 'mars mserv', 14: 'mars join', 15: 'mars leave', 16: 'mars nak', 17: 'mars unserv', 18: 'mars sjoin',
  19: 'mars sleave', 20: 'mars grouplist request', 21: 'mars grouplist reply', 22: 'mars redirect map',
  23: 'mapos unarp', 24: 'experimental 1', 25: 'experimental 2', 65535: 'reserved',
};

/** 'Ethernet (1)', 'Unknown (54)': an ARP/Linux ARPHRD hardware type as tshark labels it (arp.hw.type, sll.hatype). */
export function hardwareTypeText(type: number): string {
  return `${HARDWARE_TYPES.get(type) ?? 'Unknown'} (${type})`;
}

/** Hardware types as tshark 4.0 names them (packet-arp.c arp_hrd_vals, read from tshark -V). */
const HARDWARE_TYPES: ReadonlyMap<number, string> = new Map([
  [0, 'NET/ROM pseudo'], [1, 'Ethernet'], [2, 'Experimental Ethernet'], [3, 'AX.25'], [4, 'ProNET'], [5, 'Chaos'],
  [6, 'IEEE 802'], [7, 'ARCNET'], [8, 'Hyperchannel'], [9, 'Lanstar'], [10, 'Autonet Short Address'],
  [11, 'Localtalk'], [12, 'LocalNet'], [13, 'Ultra link'], [14, 'SMDS'], [15, 'Frame Relay DLCI'], [16, 'ATM'],
  [17, 'HDLC'], [18, 'Fibre Channel'], [19, 'ATM (RFC 2225)'], [20, 'Serial Line'], [21, 'ATM'],
  [22, 'MIL-STD-188-220'], [23, 'Metricom STRIP'], [24, 'IEEE 1394.1995'], [25, 'MAPOS'], [26, 'Twinaxial'],
  [27, 'EUI-64'], [28, 'HIPARP'], [29, 'IP and ARP over ISO 7816-3'], [30, 'ARPSec'], [31, 'IPsec tunnel'],
  [32, 'InfiniBand'], [33, 'TIA-102 Project 25 CAI'], [34, 'Wiegand Interface'], [35, 'Pure IP'],
  [36, 'Experimental 1'], [37, 'HFI'], [256, 'Experimental 2'], [257, 'AEthernet'], [260, 'Notional KISS type'],
  [264, 'ADAPT'], [270, 'ROSE'], [271, 'CCITT X.25'], [272, 'Boards with X.25 in firmware'],
  [280, 'Controller Area Network'], [512, 'PPP'], [513, 'Cisco HDLC'], [516, 'LAPB'],
  [517, "Digital's DDCMP protocol"], [518, 'Raw HDLC'], [519, 'Raw IP'], [768, 'IPIP tunnel'],
  [769, 'IP6IP6 tunnel'], [770, 'Frame Relay Access Device'], [771, 'SKIP vif'], [772, 'Loopback'],
  [774, 'Fiber Distributed Data Interface'], [775, 'AP1000 BIF'], [776, 'sit0 device - IPv6-in-IPv4'],
  [777, 'IP over DDP tunneller'], [778, 'GRE over IP'], [779, 'PIMSM register interface'],
  [780, 'High Performance Parallel Interface'], [781, 'Nexus 64Mbps Ash'], [782, 'Acorn Econet'],
  [783, 'Linux-IrDA'], [784, 'Point to point fibrechannel'], [785, 'Fibrechannel arbitrated loop'],
  [786, 'Fibrechannel public loop'], [787, 'Fibrechannel fabric'], [800, 'Magic type ident for TR'],
  [801, 'IEEE 802.11'], [802, 'IEEE 802.11 + Prism2 header'], [803, 'IEEE 802.11 + radiotap header'],
  [804, 'IEEE 802.15.4'], [805, 'IEEE 802.15.4 network monitor'], [820, 'PhoNet media type'],
  [821, 'PhoNet pipe header'], [822, 'CAIF media type'], [823, 'GRE over IPv6'], [824, 'Netlink'],
  [825, 'IPv6 over LoWPAN'], [826, 'Vsock monitor header'], [65534, 'zero header length'],
  [65535, 'Void type, nothing is known'],
]);

/** The Info of MARS and MAPOS messages: `<what> <sender hardware address> at <sender protocol address>`. */
const FROM_AT: Record<number, string> = {
  11: 'MARS request from', 12: 'MARS MULTI request from', 13: 'MARS MSERV request from', 14: 'MARS JOIN request from',
  15: 'MARS LEAVE from', 16: 'MARS NAK from', 17: 'MARS UNSERV request from', 18: 'MARS SJOIN request from',
  19: 'MARS SLEAVE from', 20: 'MARS grouplist request from', 21: 'MARS grouplist reply from', 22: 'MARS redirect map from',
  23: 'MAPOS UNARP request from',
};

/** The Protocol column by opcode (ARP for the others). */
function protocolOf(op: number): string {
  if (op === 3 || op === 4) return 'RARP';
  if (op >= 5 && op <= 7) return 'DRARP';
  if (op === 8 || op === 9) return 'Inverse ARP';
  if (op >= 11 && op <= 22) return 'MARS';
  if (op === 23) return 'MAPOS';
  return 'ARP';
}

export function dissectArp(d: Dissector, p: PacketState, data: Buffer, offset: number, end: number): number | void {
  const b = new LayerBuilder(data, 'arp', 'Address Resolution Protocol', offset, end, p.selection);
  let used: number | undefined;
  const duplicates: DuplicateReport[] = [];
  let duplicate = false;
  let infoSet: string | null = null;
  let protocolColumn = 'ARP';
  dissectSafely(b, () => {
    const htype = b.u16(offset, 'hardware type');
    const ptype = b.u16(offset + 2, 'protocol type');
    const hlen = b.u8(offset + 4, 'hardware size');
    const plen = b.u8(offset + 5, 'protocol size');
    const op = b.u16(offset + 6, 'opcode');
    b.add('arp.hw.type', () => `Hardware type: ${hardwareTypeText(htype)}`, htype, offset, 2);
    b.add('arp.proto.type', () => `Protocol type: ${ptype === 0x0800 ? 'IPv4' : 'Unknown'} (${hex(ptype, 4)})`, ptype, offset + 2, 2, () => hex(ptype, 4));
    b.add('arp.hw.size', () => `Hardware size: ${hlen}`, hlen, offset + 4, 1);
    b.add('arp.proto.size', () => `Protocol size: ${plen}`, plen, offset + 5, 1);
    b.add('arp.opcode', () => `Opcode: ${OPCODES[op] ?? 'Unknown'} (${op})`, op, offset + 6, 2);
    const sha = offset + 8;
    const spa = sha + hlen;
    const tha = spa + plen;
    const tpa = tha + hlen;
    // Requests and replies between Ethernet and IPv4 addresses: the sender's binding, then (not in
    // a request, and not the address just reported) the target's, as packet-arp.c reads them.
    if ((op === 1 || op === 2) && (htype === 1 || htype === 6) && hlen === 6 && (ptype === 0x0800 || ptype === 0xcc) && plen === 4) {
      b.need(spa, 4, 'ARP addresses');
      b.need(sha, 6, 'ARP addresses');
      let ip = data.readUInt32BE(spa);
      if (bindable(data, sha, ip)) duplicate = checkBinding(d, p, b, data, offset, sha, ip, duplicates);
      b.need(tpa, 4, 'ARP addresses');
      b.need(tha, 6, 'ARP addresses');
      ip = data.readUInt32BE(tpa);
      if (bindable(data, tha, ip) && op !== 1 && ip !== duplicateIp(duplicates)) duplicate = checkBinding(d, p, b, data, offset, tha, ip, duplicates);
    }
    b.need(sha, 2 * (hlen + plen), 'ARP addresses');
    // ARP_HW_IS_ETHER and ARP_PRO_IS_IPv4: other types and sizes are shown as bytes.
    const isMac = (htype === 1 || htype === 6) && hlen === 6;
    const isIp = (ptype === 0x0800 || ptype === 0xcc) && plen === 4;
    const hw = (at: number) => (hlen === 0 ? '<No address>' : isMac ? macText(data, at) : bytesHex(data, at, hlen));
    const pr = (at: number) => (plen === 0 ? '<No address>' : isIp ? ipv4Text(data, at) : bytesHex(data, at, plen));
    // Requests and replies whose sender and target protocol addresses are the same are gratuitous;
    // RFC 5227's announcement (gratuitous) and probe (from 0.0.0.0) are requests whose target MAC
    // address is all zeros (packet-arp.c compares 6 bytes and reads 4 whatever the sizes).
    const gratuitous = (op === 1 || op === 2) && data.compare(data, tpa, tpa + plen, spa, spa + plen) === 0;
    let zeroTarget = tha + 6 <= data.length;
    for (let i = tha; zeroTarget && i < tha + 6; i++) if (data[i] !== 0) zeroTarget = false;
    const probe = !gratuitous && op === 1 && zeroTarget && spa + 4 <= data.length && data.readUInt32BE(spa) === 0;
    const announcement = gratuitous && op === 1 && zeroTarget;
    if (gratuitous) b.add('arp.isgratuitous', '[Is gratuitous: True]', true, offset, 0);
    if (probe) b.add('arp.isprobe', '[Is probe: True]', true, offset, 0);
    if (announcement) b.add('arp.isannouncement', '[Is announcement: True]', true, offset, 0);
    if (hlen !== 0) b.add(isMac ? 'arp.src.hw_mac' : 'arp.src.hw', () => (isMac ? `Sender MAC address: ${d.macLabel(hw(sha))}` : `Sender hardware address: ${hw(sha)}`), hw(sha), sha, hlen);
    if (plen !== 0) b.add(isIp ? 'arp.src.proto_ipv4' : 'arp.src.proto', () => `Sender ${isIp ? 'IP' : 'protocol'} address: ${pr(spa)}`, pr(spa), spa, plen);
    if (hlen !== 0) b.add(isMac ? 'arp.dst.hw_mac' : 'arp.dst.hw', () => (isMac ? `Target MAC address: ${d.macLabel(hw(tha))}` : `Target hardware address: ${hw(tha)}`), hw(tha), tha, hlen);
    if (plen !== 0) b.add(isIp ? 'arp.dst.proto_ipv4' : 'arp.dst.proto', () => `Target ${isIp ? 'IP' : 'protocol'} address: ${pr(tpa)}`, pr(tpa), tpa, plen);
    used = tpa + plen;
    b.setLength(used - offset);
    const kind = announcement ? ' (ARP Announcement)' : probe ? ' (ARP Probe)' : op === 1 && gratuitous ? ' (request/gratuitous ARP)' : op === 2 && gratuitous ? ' (reply/gratuitous ARP)' : ` (${OPCODES[op] ?? `opcode 0x${op.toString(16).padStart(4, '0')}`})`;
    b.layer.title = `Address Resolution Protocol${kind}`;
    let info: string;
    if (op === 1) info = announcement ? `ARP Announcement for ${pr(spa)}` : gratuitous ? `Gratuitous ARP for ${pr(spa)} (Request)` : probe ? `Who has ${pr(tpa)}? (ARP Probe)` : `Who has ${pr(tpa)}? Tell ${pr(spa)}`;
    else if (op === 2) info = gratuitous ? `Gratuitous ARP for ${pr(spa)} (Reply)` : `${pr(spa)} is at ${hw(sha)}`;
    else if (op === 3 || op === 5 || op === 8) info = `Who is ${hw(tha)}? Tell ${hw(sha)}`;
    else if (op === 4 || op === 6) info = `${hw(tha)} is at ${pr(tpa)}`;
    else if (op === 7) info = 'DRARP Error';
    else if (op === 9) info = `${hw(sha)} is at ${pr(spa)}`;
    else if (op === 10) info = 'ARP NAK';
    else if (FROM_AT[op] !== undefined) info = `${FROM_AT[op]} ${hw(sha)} at ${pr(spa)}`;
    else if (op === 24 || op === 25) info = `Experimental ${op - 23} ( opcode ${op} )`;
    else if (op === 0 || op === 65535) info = `Reserved opcode ${op}`;
    else info = `Unknown ARP opcode 0x${op.toString(16).padStart(4, '0')}`;
    if (duplicate) info += ` (duplicate use of ${ipv4Text(data, duplicates[duplicates.length - 1]!.ipAt)} detected!)`;
    protocolColumn = protocolOf(op);
    infoSet = info;
    p.setProtocol(protocolColumn, info);
  });
  // packet-arp.c fills its columns before the exception that cuts it short: what Info had, then
  // show_exception's note.
  if (b.layer.status !== 'ok' && p.quoted === 0) p.setProtocol(protocolColumn, `${infoSet ?? ''}${b.layer.status === 'malformed' ? '[Malformed Packet]' : '[Packet size limited during capture]'}`);
  p.addLayer(b.layer);
  for (const report of duplicates) p.addLayer(report.layer, '');
  return used;
}

interface DuplicateReport {
  ip: number;
  /** Where the address was read (for its text). */
  ipAt: number;
  layer: Layer;
}

/** A binding worth keeping: a unicast, non-zero MAC address and a non-zero IPv4 address. */
function bindable(data: Buffer, macAt: number, ip: number): boolean {
  if (ip === 0 || (data[macAt]! & 1) !== 0) return false;
  for (let i = macAt; i < macAt + 6; i++) if (data[i] !== 0) return true;
  return false;
}

function duplicateIp(duplicates: readonly DuplicateReport[]): number {
  return duplicates.length === 0 ? 0 : duplicates[duplicates.length - 1]!.ip;
}

/**
 * check_for_duplicate_addresses: records the binding, or reports the earlier one when the address
 * now comes with another MAC address (the earlier binding stays as it was). True when reported.
 */
function checkBinding(d: Dissector, p: PacketState, arp: LayerBuilder, data: Buffer, offset: number, macAt: number, ip: number, duplicates: DuplicateReport[]): boolean {
  const mac = macText(data, macAt);
  const frame = p.frame.number;
  const seconds = Number(p.frame.tsNs / 1_000_000_000n);
  const known = d.arpBindings.get(ip);
  if (known === undefined) {
    d.arpBindings.set(ip, { mac, frame, seconds });
    return false;
  }
  if (frame <= known.frame) return false;
  if (known.mac === mac) {
    known.frame = frame;
    known.seconds = seconds;
    return false;
  }
  const ipAt = macAt + 6;
  const ipText = ipv4Text(data, ipAt);
  const text = `Duplicate IP address detected for ${ipText} (${mac}) - also in use by ${known.mac} (frame ${known.frame})`;
  // A text item beside the ARP tree (Wireshark adds it to the packet's tree): -T json names it by its text.
  const b = new LayerBuilder(data, text, `[${text}]`, offset, offset, arp.selection);
  b.layer.title = `[${text}]`;
  b.group('arp.duplicate-address-frame', () => `[Frame showing earlier use of IP address: ${known.frame}]`, known.frame, offset, 0, () =>
    addExpert(b, 'arp.duplicate-address-detected', 'Warning', 'Sequence', `Duplicate IP address configured (${ipText})`, offset, 0, 'ARP/RARP'));
  const since = (seconds - known.seconds) >>> 0;
  b.add('arp.seconds-since-duplicate-address-frame', () => `[Seconds since earlier frame seen: ${since}]`, since, offset, 0);
  duplicates.push({ ip, ipAt, layer: b.layer });
  return true;
}
