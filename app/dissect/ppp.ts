/**
 * PPP (RFC 1661) as a link layer (LINKTYPE_PPP 9, LINKTYPE_PPP_HDLC 50) and inside L2TP: the
 * optional HDLC address/control bytes (0xff 0x03), the protocol field (one byte when compressed,
 * RFC 1661 §6.5) and the hand-off of the network protocols Sievecap decodes.
 */
import { dissectSafely, hex, LayerBuilder } from './builder';
import type { Dissector } from './dissector';
import type { PacketState } from './packet-state';
import { dissectPppControl, PPP_IPCP, PPP_LCP } from './ppp-cp';

/** PPP protocol numbers of the network layers Sievecap decodes, as ethertypes. */
export const PPP_TO_ETHERTYPE: Record<number, number> = { 0x0021: 0x0800, 0x0057: 0x86dd, 0x0281: 0x8847, 0x0283: 0x8848 };

const PROTOCOL_NAMES: Record<number, string> = {
  0x0021: 'Internet Protocol version 4', 0x0057: 'Internet Protocol version 6', 0x0281: 'MPLS Unicast', 0x0283: 'MPLS Multicast',
  0xc021: 'Link Control Protocol', 0x8021: 'Internet Protocol Control Protocol', 0x8057: 'IPv6 Control Protocol', 0xc023: 'Password Authentication Protocol', 0xc223: 'Challenge Handshake Authentication Protocol',
};

/** A PPP frame at data[offset, end): address/control when present, protocol, payload. */
export function dissectPpp(d: Dissector, p: PacketState, data: Buffer, offset: number, end: number): number | void {
  const b = new LayerBuilder(data, 'ppp', 'Point-to-Point Protocol', offset, end, p.selection);
  let proto = -1;
  let payload = -1;
  dissectSafely(b, () => {
    let at = offset;
    if (b.u8(at, 'PPP address') === 0xff && b.u8(at + 1, 'PPP control') === 0x03) {
      b.add('ppp.address', 'Address: 0xff', 0xff, at, 1, '0xff');
      b.add('ppp.control', 'Control: 0x03', 0x03, at + 1, 1, '0x03');
      at += 2;
    }
    // An odd first byte is a compressed (one-byte) protocol field.
    const first = b.u8(at, 'PPP protocol');
    proto = first & 1 ? first : b.u16(at, 'PPP protocol');
    const size = first & 1 ? 1 : 2;
    b.add('ppp.protocol', () => `Protocol: ${PROTOCOL_NAMES[proto] ?? 'Unknown'} (${hex(proto, 4)})`, proto, at, size, () => hex(proto, 4));
    payload = at + size;
    b.setLength(payload - offset);
  });
  p.addLayer(b.layer);
  p.setProtocol('PPP', PROTOCOL_NAMES[proto] ?? 'PPP');
  if (payload < 0) return;
  const type = PPP_TO_ETHERTYPE[proto];
  if (type !== undefined) return d.byEthertype(p, type, data, payload, end);
  if (proto === PPP_LCP || proto === PPP_IPCP) {
    dissectPppControl(d, p, data, payload, end, proto);
    return end;
  }
  d.data(p, data, payload, end);
  return end;
}
