/** ARP and RARP (RFC 826): Ethernet/IPv4 addresses decoded, other sizes kept as bytes. */
import { dissectSafely, hex, LayerBuilder } from './builder';
import type { Dissector } from './dissector';
import { bytesHex, ipv4Text, macText } from './format';
import type { PacketState } from './packet-state';

const OPCODES: Record<number, string> = { 1: 'request', 2: 'reply', 3: 'reverse request', 4: 'reverse reply', 8: 'inverse request', 9: 'inverse reply' };

export function dissectArp(d: Dissector, p: PacketState, data: Buffer, offset: number, end: number): number | void {
  const b = new LayerBuilder(data, 'arp', 'Address Resolution Protocol', offset, end, p.selection);
  let used: number | undefined;
  dissectSafely(b, () => {
    const htype = b.u16(offset, 'hardware type');
    const ptype = b.u16(offset + 2, 'protocol type');
    const hlen = b.u8(offset + 4, 'hardware size');
    const plen = b.u8(offset + 5, 'protocol size');
    const op = b.u16(offset + 6, 'opcode');
    b.add('arp.hw.type', () => `Hardware type: ${htype === 1 ? 'Ethernet' : 'Unknown'} (${htype})`, htype, offset, 2);
    b.add('arp.proto.type', () => `Protocol type: ${ptype === 0x0800 ? 'IPv4' : 'Unknown'} (${hex(ptype, 4)})`, ptype, offset + 2, 2, () => hex(ptype, 4));
    b.add('arp.hw.size', () => `Hardware size: ${hlen}`, hlen, offset + 4, 1);
    b.add('arp.proto.size', () => `Protocol size: ${plen}`, plen, offset + 5, 1);
    b.add('arp.opcode', () => `Opcode: ${OPCODES[op] ?? 'Unknown'} (${op})`, op, offset + 6, 2);
    const sha = offset + 8;
    const spa = sha + hlen;
    const tha = spa + plen;
    const tpa = tha + hlen;
    b.need(sha, 2 * (hlen + plen), 'ARP addresses');
    const isMac = hlen === 6;
    const isIp = plen === 4 && ptype === 0x0800;
    const hw = (at: number) => (isMac ? macText(data, at) : bytesHex(data, at, hlen));
    const pr = (at: number) => (isIp ? ipv4Text(data, at) : bytesHex(data, at, plen));
    const gratuitous = isIp && data.readUInt32BE(spa) === data.readUInt32BE(tpa);
    const probe = isIp && data.readUInt32BE(spa) === 0 && op === 1;
    if (gratuitous) b.add('arp.isgratuitous', '[Is gratuitous: True]', true, 0, 0);
    if (probe) b.add('arp.isprobe', '[Is probe: True]', true, 0, 0);
    // RFC 5227's announcement: a gratuitous request whose target hardware address is all zeros.
    let zeroTarget = true;
    for (let i = tha; i < tha + hlen; i++) if (data[i] !== 0) zeroTarget = false;
    const announcement = gratuitous && op === 1 && zeroTarget;
    if (announcement) b.add('arp.isannouncement', '[Is announcement: True]', true, 0, 0);
    b.add(isMac ? 'arp.src.hw_mac' : 'arp.src.hw', () => `Sender MAC address: ${isMac ? d.macLabel(hw(sha)) : hw(sha)}`, hw(sha), sha, hlen);
    b.add(isIp ? 'arp.src.proto_ipv4' : 'arp.src.proto', () => `Sender IP address: ${pr(spa)}`, pr(spa), spa, plen);
    b.add(isMac ? 'arp.dst.hw_mac' : 'arp.dst.hw', () => `Target MAC address: ${isMac ? d.macLabel(hw(tha)) : hw(tha)}`, hw(tha), tha, hlen);
    b.add(isIp ? 'arp.dst.proto_ipv4' : 'arp.dst.proto', () => `Target IP address: ${pr(tpa)}`, pr(tpa), tpa, plen);
    used = tpa + plen;
    b.setLength(used - offset);
    const kind = announcement ? ' (ARP Announcement)' : op === 1 && gratuitous ? ' (request/gratuitous ARP)' : op === 2 && gratuitous ? ' (reply/gratuitous ARP)' : ` (${OPCODES[op] ?? 'opcode ' + op})`;
    b.layer.title = `Address Resolution Protocol${kind}`;
    let info: string;
    if (op === 1) info = announcement ? `ARP Announcement for ${pr(spa)}` : gratuitous ? `Gratuitous ARP for ${pr(spa)} (Request)` : probe ? `Who has ${pr(tpa)}? (ARP Probe)` : `Who has ${pr(tpa)}? Tell ${pr(spa)}`;
    else if (op === 2) info = gratuitous ? `Gratuitous ARP for ${pr(spa)} (Reply)` : `${pr(spa)} is at ${hw(sha)}`;
    else if (op === 3) info = `Who is ${hw(tha)}? Tell ${hw(sha)}`;
    else if (op === 4) info = `${hw(tha)} is at ${pr(tpa)}`;
    else info = `Unknown ARP opcode 0x${op.toString(16).padStart(4, '0')}`;
    p.setProtocol(op === 3 || op === 4 ? 'RARP' : 'ARP', info);
  });
  p.addLayer(b.layer);
  return used;
}
