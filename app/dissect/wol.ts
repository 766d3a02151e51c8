/**
 * Wake On LAN (protocol "wol") as tshark 4.0 shows it (epan/dissectors/packet-wol.c): a
 * MagicPacket — six 0xff bytes, then the target's MAC sixteen times, then an optional password of
 * 4 bytes (shown as an IPv4 address, as ether-wake takes it) or 6 (as a MAC) — on ethertype 0x0842
 * (ether-wake) or found by a UDP heuristic on any port. Anything shorter than 102 bytes, or not
 * those bytes, is not WoL. Fields: wol.sync, wol.mac (16 items under a "MAC: …" line),
 * wol.passwd (whose value is, as in tshark, the first bytes of the password's text). Protocol
 * "WOL", Info "MagicPacket for <MAC>[, password <P>]".
 */
import { dissectSafely, hex, LayerBuilder } from './builder';
import type { Dissector } from './dissector';
import { bytesHex, macText } from './format';
import type { AppContext, AppDissector, AppResult } from './model';
import type { PacketState } from './packet-state';
import { ethertypeName } from './link';

export const ETHERTYPE_WOL = 0x0842;
const MAGIC_LENGTH = 102;

/** The MagicPacket's length at `offset` (102, 106 or 108), 0 when the bytes are not one. */
export function wolLength(data: Buffer, offset: number, end: number): number {
  const length = Math.min(end, data.length) - offset;
  if (end - offset < MAGIC_LENGTH || length < MAGIC_LENGTH) return 0;
  for (let i = 0; i < 6; i++) if (data[offset + i] !== 0xff) return 0;
  for (let at = offset + 12; at < offset + MAGIC_LENGTH; at += 6) {
    if (data.compare(data, offset + 6, offset + 12, at, at + 6) !== 0) return 0;
  }
  const reported = end - offset;
  return reported >= 108 ? 108 : reported >= 106 ? 106 : MAGIC_LENGTH;
}

function magicPacket(data: Buffer, offset: number, length: number, selection: ReadonlySet<string> | undefined, macLabel: (mac: string) => string): AppResult {
  const mac = macText(data, offset + 6);
  const label = macLabel(mac);
  const password = length === 106 ? [...data.subarray(offset + MAGIC_LENGTH, offset + 106)].join('.') : length === 108 ? macText(data, offset + MAGIC_LENGTH) : null;
  const b = new LayerBuilder(data, 'wol', `Wake On LAN, MAC: ${label}${password !== null ? `, password: ${password}` : ''}`, offset, offset + length, selection);
  dissectSafely(b, () => {
    b.add('wol.sync', () => `Sync stream: ${bytesHex(data, offset, 6)}`, data.subarray(offset, offset + 6), offset, 6, () => bytesHex(data, offset, 6));
    b.group('', () => `MAC: ${label}`, null, offset + 6, 96, () => {
      for (let at = offset + 6; at < offset + MAGIC_LENGTH; at += 6) b.add('wol.mac', () => `MAC: ${label}`, mac, at, 6);
    });
    if (password !== null) {
      // packet-wol.c hands the password's text to a bytes item: its value is that text's first bytes.
      const value = Buffer.from(password, 'latin1').subarray(0, length - MAGIC_LENGTH);
      b.add('wol.passwd', () => `Password: ${password}`, value, offset + MAGIC_LENGTH, length - MAGIC_LENGTH, () => bytesHex(value, 0, value.length));
    }
  });
  return { layers: [b.layer], protocolColumn: 'WOL', info: `MagicPacket for ${label}${password !== null ? `, password ${password}` : ''}` };
}

/** Ethertype 0x0842: a MagicPacket, or (not one) the type shown as nobody dissects it. */
export function dissectWolEthertype(d: Dissector, p: PacketState, data: Buffer, offset: number, end: number): number | void {
  const length = wolLength(data, offset, end);
  if (length === 0) {
    if (p.columns) p.setProtocol(hex(ETHERTYPE_WOL, 4), ethertypeName(ETHERTYPE_WOL));
    d.data(p, data, offset, end);
    return end;
  }
  const result = magicPacket(data, offset, length, p.selection, (mac) => d.macLabel(mac));
  p.addLayer(result.layers[0]!);
  p.setProtocol(result.protocolColumn, result.info);
  // Bytes after the MagicPacket are no trailer: the Ethertype dissector finds one only where a
  // dissector shortened its buffer (as IP does by its total length), and this one does not.
  return end;
}

/** Over UDP: Wireshark's enabled heuristic, tried on any port after the ports' dissectors. */
export const wolDissector: AppDissector = {
  protocol: 'wol',
  heuristic: (data, offset, end, ctx) => ctx.transport === 'udp' && wolLength(data, offset, end) > 0,
  dissect: (data: Buffer, offset: number, end: number, ctx: AppContext) =>
    magicPacket(data, offset, wolLength(data, offset, end) || Math.min(end, data.length) - offset, ctx.fields, (mac) => (ctx.macName === undefined ? mac : `${ctx.macName(mac)} (${mac})`)),
};
