/** PPPoE session stage (RFC 2516, ethertype 0x8864) and the PPP protocol field it carries. */
import { dissectSafely, hex, LayerBuilder } from './builder';
import type { Dissector } from './dissector';
import type { PacketState } from './packet-state';
import { PPP_TO_ETHERTYPE } from './ppp';
import { dissectPppControl, PPP_IPCP, PPP_LCP } from './ppp-cp';

export function dissectPppoeSession(d: Dissector, p: PacketState, data: Buffer, offset: number, end: number): number | void {
  const b = new LayerBuilder(data, 'pppoes', 'PPP-over-Ethernet Session', offset, end, p.selection);
  let payloadEnd = -1;
  dissectSafely(b, () => {
    b.need(offset, 6, 'PPPoE header');
    const vt = data[offset]!;
    const session = data.readUInt16BE(offset + 2);
    const length = data.readUInt16BE(offset + 4);
    b.add('pppoes.version', () => `${(vt >> 4).toString()} = Version: ${vt >> 4}`, vt >> 4, offset, 1);
    b.add('pppoes.type', () => `Type: ${vt & 15}`, vt & 15, offset, 1);
    b.add('pppoes.code', () => `Code: Session Data (${hex(data[offset + 1]!, 2)})`, data[offset + 1]!, offset + 1, 1, () => hex(data[offset + 1]!, 2));
    b.add('pppoes.session_id', () => `Session ID: ${hex(session, 4)}`, session, offset + 2, 2, () => hex(session, 4));
    b.add('pppoes.payload_length', () => `Payload Length: ${length}`, length, offset + 4, 2);
    b.setLength(6);
    payloadEnd = Math.min(offset + 6 + length, end);
  });
  p.addLayer(b.layer);
  if (payloadEnd < 0) return;
  const ppp = new LayerBuilder(data, 'ppp', 'Point-to-Point Protocol', offset + 6, payloadEnd, p.selection);
  let proto = -1;
  dissectSafely(ppp, () => {
    proto = ppp.u16(offset + 6, 'PPP protocol');
    ppp.add('ppp.protocol', () => `Protocol: ${hex(proto, 4)}`, proto, offset + 6, 2, () => hex(proto, 4));
    ppp.setLength(2);
  });
  p.addLayer(ppp.layer);
  if (proto < 0) return payloadEnd;
  const type = PPP_TO_ETHERTYPE[proto];
  if (type !== undefined) d.byEthertype(p, type, data, offset + 8, payloadEnd);
  else if (proto === PPP_LCP || proto === PPP_IPCP) dissectPppControl(d, p, data, offset + 8, payloadEnd, proto);
  else d.data(p, data, offset + 8, payloadEnd);
  return payloadEnd;
}
