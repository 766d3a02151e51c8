/**
 * MPLS label stacks (RFC 3032, ethertypes 0x8847 unicast / 0x8848 multicast, PPP 0x0281/0x0283).
 * After the bottom-of-stack entry the payload is guessed by its first nibble, as Wireshark does
 * by default: 4 is IPv4, 6 is IPv6; anything else (pseudowire control words, ...) stays data.
 */
import { dissectSafely, LayerBuilder } from './builder';
import type { Dissector } from './dissector';
import type { PacketState } from './packet-state';

/** Labels read before giving up on a stack that never sets the bottom-of-stack bit. */
const MAX_LABELS = 32;

const SPECIAL_LABELS: Record<number, string> = {
  0: 'IPv4 Explicit-Null', 1: 'Router Alert', 2: 'IPv6 Explicit-Null', 3: 'Implicit-Null', 7: 'Entropy Label Indicator', 13: 'Generic Associated Channel Label (GAL)', 14: 'OAM Alert Label',
};

export function dissectMpls(d: Dissector, p: PacketState, data: Buffer, offset: number, end: number): number | void {
  const b = new LayerBuilder(data, 'mpls', 'MultiProtocol Label Switching Header', offset, end, p.selection);
  let payload = -1;
  dissectSafely(b, () => {
    let at = offset;
    for (let i = 0; i < MAX_LABELS; i++) {
      const entry = b.u32(at, 'MPLS label stack entry');
      const label = entry >>> 12;
      const exp = (entry >> 9) & 7;
      const bottom = (entry >> 8) & 1;
      const ttl = entry & 0xff;
      const name = SPECIAL_LABELS[label];
      b.group('', () => `MPLS Label: ${name ? `${name} (${label})` : label}, Exp: ${exp}, S: ${bottom}, TTL: ${ttl}`, null, at, 4, () => {
        b.add('mpls.label', () => `MPLS Label: ${name ? `${name} (${label})` : label}`, label, at, 4);
        b.add('mpls.exp', () => `MPLS Experimental Bits: ${exp}`, exp, at, 4);
        b.add('mpls.bottom', () => `MPLS Bottom Of Label Stack: ${bottom}`, bottom, at, 4);
        b.add('mpls.ttl', () => `MPLS TTL: ${ttl}`, ttl, at, 4);
      });
      at += 4;
      if (bottom) {
        payload = at;
        break;
      }
    }
    b.setLength(at - offset);
    if (payload < 0) b.mark('malformed', `no bottom-of-stack bit in ${MAX_LABELS} MPLS labels`);
  });
  p.addLayer(b.layer);
  p.setProtocol('MPLS', 'MPLS Label Switched Packet');
  if (payload < 0) return;
  const nibble = payload < Math.min(end, data.length) ? data[payload]! >> 4 : -1;
  if (nibble === 4) return d.byEthertype(p, 0x0800, data, payload, end);
  if (nibble === 6) return d.byEthertype(p, 0x86dd, data, payload, end);
  d.data(p, data, payload, end);
  return end;
}
