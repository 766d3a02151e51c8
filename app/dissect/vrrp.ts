/**
 * VRRP (IP protocol 112): version 2 (RFC 3768, IPv4) and version 3 (RFC 5798, IPv4 and IPv6)
 * advertisements as tshark 4.0 shows them, with the checksum status (v3 with the IP pseudo-header,
 * as tshark's default preference computes it for IPv4 too) and the virtual addresses.
 */
import { dissectSafely, hex, LayerBuilder } from './builder';
import { ipv6PseudoSum, onesComplementSum } from './checksum';
import type { Dissector } from './dissector';
import { bitPicture, ipv4Text, ipv6Text } from './format';
import type { PacketState } from './packet-state';
import { checksumShouldBe, statusSuffix } from './routing-common';

const IP_PROTO_VRRP = 112;
const AUTH_TYPES: Record<number, string> = {
  0: 'No Authentication', 1: 'Simple Text Authentication [RFC 2338] / Reserved [RFC 3768]',
  2: 'IP Authentication Header [RFC 2338] / Reserved [RFC 3768]', 254: 'Cisco VRRP MD5 authentication',
};
const PRIORITIES: Record<number, string> = {
  0: 'Current Master has stopped participating in VRRP', 100: 'Default priority for a backup VRRP router',
  255: "This VRRP router owns the virtual router's IP address(es)",
};

/** The one's-complement sum of an IPv4 pseudo-header from the dotted addresses of the IP layer. */
function ipv4PseudoSum(src: string, dst: string, length: number, proto: number): number {
  const bytes = Buffer.from([...src.split('.'), ...dst.split('.')].map(Number));
  let sum = onesComplementSum(bytes, 0, 8) + Math.floor(length / 0x10000) + (length & 0xffff) + proto;
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 0x10000);
  return sum;
}

export function dissectVrrp(_d: Dissector, p: PacketState, data: Buffer, offset: number, end: number): void {
  const b = new LayerBuilder(data, 'vrrp', 'Virtual Router Redundancy Protocol', offset, end, p.selection);
  const overIpv6 = p.netSrc.includes(':');
  let version = -1;
  dissectSafely(b, () => {
    const first = b.u8(offset, 'version and type');
    version = first >> 4;
    const type = first & 0xf;
    const priority = b.u8(offset + 2, 'priority');
    let count = b.u8(offset + 3, 'address count');
    b.group('vrrp.typever', () => `Version ${version}, Packet type ${type} (${type === 1 ? 'Advertisement' : 'Unknown'})`, first, offset, 1, () => {
      b.add('vrrp.version', () => `${bitPicture(first, 0xf0, 8)} = VRRP protocol version: ${version}`, version, offset, 1);
      b.add('vrrp.type', () => `${bitPicture(first, 0x0f, 8)} = VRRP packet type: ${type === 1 ? 'Advertisement' : 'Unknown'} (${type})`, type, offset, 1);
    });
    const id = b.u8(offset + 1, 'virtual router ID');
    b.add('vrrp.virt_rtr_id', () => `Virtual Rtr ID: ${id}`, id, offset + 1, 1);
    b.add('vrrp.prio', () => `Priority: ${priority} (${PRIORITIES[priority] ?? 'Non-default backup priority'})`, priority, offset + 2, 1);
    b.add('vrrp.addr_count', () => `Addr Count: ${count}`, count, offset + 3, 1);
    let auth = 0;
    if (version === 3) {
      const interval = b.u16(offset + 4, 'advertisement interval');
      b.add('vrrp.reserved_mbz', () => `${bitPicture(interval >> 8, 0xf0, 8)} = Reserved: ${interval >> 12}`, interval >> 12, offset + 4, 1);
      b.add('vrrp.short_adver_int', () => `${bitPicture(interval, 0x0fff, 16)} = Adver Int: ${interval & 0xfff}`, interval & 0xfff, offset + 4, 2);
    } else {
      auth = b.u8(offset + 4, 'auth type');
      b.add('vrrp.auth_type', () => `Auth Type: ${AUTH_TYPES[auth] ?? 'Unknown'} (${auth})`, auth, offset + 4, 1);
      const interval = b.u8(offset + 5, 'advertisement interval');
      b.add('vrrp.adver_int', () => `Adver Int: ${interval}`, interval, offset + 5, 1);
    }
    const checksum = b.u16(offset + 6, 'checksum');
    let status = 2;
    let computed = 0;
    if (end <= data.length && (b.wants('vrrp.checksum') || b.wants('vrrp.checksum.status'))) {
      let pseudo = 0;
      if (version === 3) {
        const ip = p.ipv6Data;
        if (overIpv6 && ip !== null) pseudo = ipv6PseudoSum(ip.subarray(p.ipv6At + 8, p.ipv6At + 24), ip.subarray(p.ipv6At + 24, p.ipv6At + 40), end - offset, IP_PROTO_VRRP);
        else if (!overIpv6) pseudo = ipv4PseudoSum(p.netSrc, p.netDst, end - offset, IP_PROTO_VRRP);
      }
      computed = ~onesComplementSum(data, offset, end, pseudo) & 0xffff;
      status = computed === 0 ? 1 : 0;
    }
    const checksumLabel = () =>
      status === 2 ? `Checksum: ${hex(checksum, 4)} [unverified]` : status === 1 ? `Checksum: ${hex(checksum, 4)} [correct]` : `Checksum: ${hex(checksum, 4)} incorrect, should be ${hex(checksumShouldBe(checksum, computed), 4)}`;
    b.add('vrrp.checksum', checksumLabel, checksum, offset + 6, 2, () => hex(checksum, 4));
    b.add('vrrp.checksum.status', () => `[Checksum Status: ${['Bad', 'Good', 'Unverified'][status]}]`, status, offset + 6, 0);
    let at = offset + 8;
    for (; count > 0; count--) {
      if (overIpv6) {
        const text = ipv6Text(b.bytes(at, 16, 'IPv6 address'), 0);
        b.add('vrrp.ipv6_addr', () => `IPv6 Address: ${text}`, text, at, 16);
        at += 16;
      } else {
        const text = ipv4Text(b.bytes(at, 4, 'IP address'), 0);
        b.add('vrrp.ip_addr', () => `IP Address: ${text}`, text, at, 4);
        at += 4;
      }
    }
    if (auth === 1) {
      const raw = b.bytes(at, 8, 'authentication string');
      const nul = raw.indexOf(0);
      // ENC_ASCII: bytes outside ASCII become U+FFFD.
      const text = Array.from(raw.subarray(0, nul < 0 ? 8 : nul), (c) => (c < 0x80 ? String.fromCharCode(c) : '\ufffd')).join('');
      b.add('vrrp.auth_string', () => `Authentication String: ${text}`, text, at, 8);
    } else if (auth === 254 && end - at >= 16) {
      const digest = b.bytes(end - 16, 16, 'MD5 authentication data');
      b.add('vrrp.md5_auth_data', () => `MD5 Authentication Data: ${digest.toString('hex')}`, Buffer.from(digest), end - 16, 16, () => digest.toString('hex'));
    }
  });
  p.addLayer(b.layer);
  p.setProtocol('VRRP', (version < 0 ? '' : `Announcement (v${version})`) + statusSuffix(b.layer));
}
