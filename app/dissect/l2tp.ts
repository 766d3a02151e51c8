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
  let ids = '';
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
    ids = ` (tunnel id=${tunnel}, session id=${session})`;
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
  let cut = '';
  if (control && payload >= 0) {
    // The AVPs stay in the L2TP layer, as tshark shows them (not as data).
    b.layer.length = Math.max(0, Math.min(end, data.length) - offset);
    if (avpsCut(data, payload, end)) {
      b.mark('truncated', 'L2TP AVPs run past the captured bytes (snap length)');
      cut = '[Packet size limited during capture]';
    }
  }
  p.addLayer(b.layer);
  p.setProtocol('L2TP', control ? `Control Message${payload >= 0 ? controlName(data, payload, end) : ''}${ids}${cut}` : 'Data Message');
  if (payload < 0) return;
  if (control) return end;
  if (payload < end) return dissectPpp(d, p, data, payload, end);
  return end;
}

/** L2TPv2 control message types (RFC 2661, section 6), as tshark's Info names them. */
const CONTROL_TYPES: Record<number, string> = {
  1: 'SCCRQ', 2: 'SCCRP', 3: 'SCCCN', 4: 'StopCCN', 6: 'Hello', 7: 'OCRQ', 8: 'OCRP', 9: 'OCCN', 10: 'ICRQ',
  11: 'ICRP', 12: 'ICCN', 14: 'CDN', 15: 'WEN', 16: 'SLI',
};

/** ' - NAME' from a control message's first AVP (Message Type), ' - ZLB' for none, '' when unreadable. */
function controlName(data: Buffer, at: number, end: number): string {
  const stop = Math.min(end, data.length);
  if (at >= end) return ' - ZLB     '; // padded in tshark's table of names
  if (at + 8 > stop) return '';
  const length = data.readUInt16BE(at) & 0x3ff;
  if (length < 8 || data.readUInt16BE(at + 2) !== 0 || data.readUInt16BE(at + 4) !== 0) return '';
  const name = CONTROL_TYPES[data.readUInt16BE(at + 6)];
  return name === undefined ? '' : ` - ${name}`;
}

/** Whether the AVPs (each a 10-bit length) run past the captured bytes. */
function avpsCut(data: Buffer, at: number, end: number): boolean {
  const stop = Math.min(end, data.length);
  while (at < end) {
    if (at + 2 > stop) return true;
    const length = data.readUInt16BE(at) & 0x3ff;
    if (length < 6) return false;
    at += length;
    if (at > stop) return at <= end || stop < end;
  }
  return false;
}
