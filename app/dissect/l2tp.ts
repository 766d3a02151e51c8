/**
 * L2TP version 2 (RFC 2661) over UDP port 1701: the header (flags, optional length, tunnel and
 * session IDs, optional Ns/Nr and offset padding) and, for data messages, the PPP frame it carries.
 * Control messages' AVPs are not decoded. Field names as Wireshark's packet-l2tp.c.
 */
import { dissectSafely, hex, LayerBuilder } from './builder';
import type { Dissector } from './dissector';
import type { PacketState } from './packet-state';
import { dissectPpp } from './ppp';

export const L2TP_PORT = 1701;

export function dissectL2tp(d: Dissector, p: PacketState, data: Buffer, offset: number, end: number): number | void {
  const b = new LayerBuilder(data, 'l2tp', 'Layer 2 Tunneling Protocol', offset, end, p.selection);
  let payload = -1;
  let control = false;
  dissectSafely(b, () => {
    const flags = b.u16(offset, 'L2TP flags');
    const version = flags & 0xf;
    control = (flags & 0x8000) !== 0;
    b.add('l2tp.type', () => `Type: ${control ? 'Control Message' : 'Data Message'} (${control ? 1 : 0})`, control ? 1 : 0, offset, 2);
    b.add('l2tp.version', () => `Version: ${version}`, version, offset, 2);
    if (version !== 2) {
      b.mark('malformed', `L2TP version ${version} is not decoded (only version 2)`);
      return;
    }
    let at = offset + 2;
    if (flags & 0x4000) {
      const length = b.u16(at, 'L2TP length');
      b.add('l2tp.length', () => `Length: ${length}`, length, at, 2);
      at += 2;
    }
    const tunnel = b.u16(at, 'L2TP tunnel ID');
    b.add('l2tp.tunnel', () => `Tunnel ID: ${tunnel}`, tunnel, at, 2);
    const session = b.u16(at + 2, 'L2TP session ID');
    b.add('l2tp.session', () => `Session ID: ${session}`, session, at + 2, 2);
    at += 4;
    if (flags & 0x0800) {
      const ns = b.u16(at, 'L2TP Ns');
      b.add('l2tp.Ns', () => `Ns: ${ns}`, ns, at, 2);
      const nr = b.u16(at + 2, 'L2TP Nr');
      b.add('l2tp.Nr', () => `Nr: ${nr}`, nr, at + 2, 2);
      at += 4;
    }
    if (flags & 0x0200) {
      const size = b.u16(at, 'L2TP offset size');
      b.add('l2tp.offset', () => `Offset Size: ${size}`, size, at, 2);
      b.need(at + 2, size, 'L2TP offset padding');
      at += 2 + size;
    }
    b.setLength(at - offset);
    payload = at;
    b.layer.title = `Layer 2 Tunneling Protocol (flags ${hex(flags, 4)})`;
  });
  p.addLayer(b.layer);
  p.setProtocol('L2TP', control ? 'Control Message' : 'Data Message');
  if (payload < 0) return;
  if (control) {
    d.data(p, data, payload, end);
    return end;
  }
  if (payload < end) return dissectPpp(d, p, data, payload, end);
  return end;
}
