/**
 * MPLS label stacks (RFC 3032, ethertypes 0x8847 unicast / 0x8848 multicast, PPP 0x0281/0x0283).
 * After the bottom-of-stack entry the payload is guessed by its first nibble, as Wireshark does
 * by default: 4 is IPv4, 6 is IPv6; anything else (pseudowire control words, ...) stays data.
 */
import { dissectSafely, hex, LayerBuilder } from './builder';
import { bitPicture } from './format';
import type { Dissector } from './dissector';
import type { PacketState } from './packet-state';

/** Labels read before giving up on a stack that never sets the bottom-of-stack bit. */
const MAX_LABELS = 32;

const SPECIAL_LABELS: Record<number, string> = {
  0: 'IPv4 Explicit-Null', 1: 'Router Alert', 2: 'IPv6 Explicit-Null', 3: 'Implicit-Null', 7: 'Entropy Label Indicator', 13: 'Generic Associated Channel Label (GAL)', 14: 'OAM Alert Label',
};

export function dissectMpls(d: Dissector, p: PacketState, data: Buffer, offset: number, end: number): number | void {
  // Each stack entry is its own protocol item in tshark's tree ("MultiProtocol Label Switching
  // Header, Label: …"), the stack one name in frame.protocols.
  let payload = -1;
  let at = offset;
  let last: LayerBuilder | undefined;
  for (let i = 0; i < MAX_LABELS; i++) {
    const b = new LayerBuilder(data, 'mpls', 'MultiProtocol Label Switching Header', at, end, p.selection);
    const entryAt = at;
    let bottom = -1;
    dissectSafely(b, () => {
      const entry = b.u32(entryAt, 'MPLS label stack entry');
      const label = entry >>> 12;
      const exp = (entry >> 9) & 7;
      const s = (entry >> 8) & 1;
      const ttl = entry & 0xff;
      const name = SPECIAL_LABELS[label];
      const shown = name ? `${name} (${label})` : String(label);
      b.title(() => `MultiProtocol Label Switching Header, Label: ${shown}, Exp: ${exp}, S: ${s}, TTL: ${ttl}`);
      b.add('mpls.label', () => `${bitPicture(entry, 0xfffff000, 32)} = MPLS Label: ${name ? shown : `${label} (${hex(label, 5)})`}`, label, entryAt, 4);
      b.add('mpls.exp', () => `${bitPicture(entry, 0xe00, 32)} = MPLS Experimental Bits: ${exp}`, exp, entryAt, 4);
      b.add('mpls.bottom', () => `${bitPicture(entry, 0x100, 32)} = MPLS Bottom Of Label Stack: ${s}`, s, entryAt, 4);
      b.add('mpls.ttl', () => `${bitPicture(entry, 0xff, 32)} = MPLS TTL: ${ttl}`, ttl, entryAt, 4);
      b.setLength(4);
      bottom = s;
    });
    p.addLayer(b.layer, i === 0 ? 'mpls' : '');
    last = b;
    if (bottom < 0) break;
    at += 4;
    if (bottom === 1) {
      payload = at;
      break;
    }
  }
  if (payload < 0 && last?.layer.status === 'ok') last.mark('malformed', `no bottom-of-stack bit in ${MAX_LABELS} MPLS labels`);
  p.setProtocol('MPLS', 'MPLS Label Switched Packet');
  if (payload < 0) return;
  const nibble = payload < Math.min(end, data.length) ? data[payload]! >> 4 : -1;
  if (nibble === 4) return d.byEthertype(p, 0x0800, data, payload, end);
  if (nibble === 6) return d.byEthertype(p, 0x86dd, data, payload, end);
  d.data(p, data, payload, end);
  return end;
}
