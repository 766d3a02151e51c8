/**
 * QUIC long headers (RFC 9000 §17.2, RFC 8999 invariants) on UDP 443 and by heuristic: version,
 * connection IDs and packet type; the protected payload stays opaque. Short-header packets are
 * shown as such (their DCID length is not in the packet, so it is not guessed).
 */
import { LayerBuilder, dissectSafely, hex } from './builder';
import type { AppDissector, AppResult } from './model';

const LONG_TYPES_V1 = ['Initial', '0-RTT', 'Handshake', 'Retry'];
const MAX_CID = 20;

export const quicDissector: AppDissector = {
  protocol: 'quic',
  udpPorts: [443],
  heuristic: (data, offset, end) => looksLikeQuicLongHeader(data, offset, end),
  dissect(data, offset, end, ctx): AppResult {
    const b = new LayerBuilder(data, 'quic', 'QUIC IETF', offset, end, ctx.fields);
    let info = 'Protected Payload';
    const layer = dissectSafely(b, () => {
      const first = b.u8(offset, 'header form');
      const long = (first & 0x80) !== 0;
      b.add('quic.header_form', () => `Header Form: ${long ? 'Long' : 'Short'} Header (${long ? 1 : 0})`, long ? 1 : 0, offset, 1);
      b.add('quic.fixed_bit', () => `Fixed Bit: ${(first & 0x40) !== 0}`, (first & 0x40) !== 0, offset, 1);
      if (!long) {
        info = 'Protected Payload (KP0)';
        return;
      }
      const version = b.u32(offset + 1, 'version');
      const typeBits = (first >> 4) & 3;
      // QUIC v2 (RFC 9369) rotates the type codes by one.
      const typeIndex = version === 0x6b3343cf ? (typeBits + 3) % 4 : typeBits;
      if (version !== 0) b.add('quic.long.packet_type', () => `Packet Type: ${LONG_TYPES_V1[typeIndex]} (${typeBits})`, typeBits, offset, 1);
      b.add('quic.version', () => `Version: ${hex(version, 8)}`, version, offset + 1, 4, () => hex(version, 8));
      const dcil = b.u8(offset + 5, 'DCID length');
      b.add('quic.dcil', () => `Destination Connection ID Length: ${dcil}`, dcil, offset + 5, 1);
      if (dcil > MAX_CID && version !== 0) b.mark('malformed', `destination connection ID length ${dcil} exceeds ${MAX_CID}`);
      const dcid = b.bytes(offset + 6, dcil, 'destination connection ID');
      if (dcil) b.add('quic.dcid', () => `Destination Connection ID: ${dcid.toString('hex')}`, Buffer.from(dcid), offset + 6, dcil, () => dcid.toString('hex'));
      const scilAt = offset + 6 + dcil;
      const scil = b.u8(scilAt, 'SCID length');
      b.add('quic.scil', () => `Source Connection ID Length: ${scil}`, scil, scilAt, 1);
      const scid = b.bytes(scilAt + 1, scil, 'source connection ID');
      if (scil) b.add('quic.scid', () => `Source Connection ID: ${scid.toString('hex')}`, Buffer.from(scid), scilAt + 1, scil, () => scid.toString('hex'));
      if (version === 0) {
        info = 'Version Negotiation';
        for (let at = scilAt + 1 + scil; at + 4 <= Math.min(end, data.length); at += 4) {
          b.add('quic.supported_version', () => `Supported Version: ${hex(data.readUInt32BE(at), 8)}`, data.readUInt32BE(at), at, 4, () => hex(data.readUInt32BE(at), 8));
        }
      } else {
        info = LONG_TYPES_V1[typeIndex]!;
      }
      const ids = [dcil ? `DCID=${dcid.toString('hex')}` : '', scil ? `SCID=${scid.toString('hex')}` : ''].filter(Boolean);
      if (ids.length) info += `, ${ids.join(', ')}`;
    });
    return { layers: [layer], protocolColumn: 'QUIC', info };
  },
};

/** Long header with the fixed bit, a known version (or negotiation) and sane CID lengths. */
export function looksLikeQuicLongHeader(data: Buffer, offset: number, end: number): boolean {
  const stop = Math.min(end, data.length);
  if (offset + 7 > stop) return false;
  const first = data[offset]!;
  if ((first & 0xc0) !== 0xc0) return false;
  const version = data.readUInt32BE(offset + 1);
  const known = version === 1 || version === 0x6b3343cf || (version & 0xffffff00) === 0xff000000 || version === 0;
  if (!known) return false;
  const dcil = data[offset + 5]!;
  if (dcil > MAX_CID || offset + 6 + dcil >= stop) return false;
  return data[offset + 6 + dcil]! <= MAX_CID;
}
