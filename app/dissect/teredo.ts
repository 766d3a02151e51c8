/**
 * Teredo (RFC 4380; protocol "teredo") as tshark 4.0 shows it (epan/dissectors/packet-teredo.c):
 * IPv6 in UDP on port 3544, after an optional Authentication header (indicator 0x0001: client
 * identifier and authentication value lengths, the identifier, the value, an 8-byte nonce, a
 * confirmation byte) and an optional Origin Indication (0x0000: the origin's UDP port and IPv4
 * address, both sent inverted, shown as they are meant). Protocol "Teredo", Info the headers'
 * names ("Authentication header", "Origin indication") until the IPv6 packet sets its own.
 * (Wireshark's heuristic for other ports is off by default, and so not here.)
 */
import { dissectSafely, LayerBuilder } from './builder';
import type { Dissector } from './dissector';
import { bytesHex, bytesLabelHex, ipv4Text } from './format';
import type { PacketState } from './packet-state';
import { dissectIpv6 } from './ipv6';

export function dissectTeredo(d: Dissector, p: PacketState, data: Buffer, offset: number, end: number): void {
  const b = new LayerBuilder(data, 'teredo', 'Teredo IPv6 over UDP tunneling', offset, end, p.selection);
  p.setProtocol('Teredo', '');
  const info: string[] = [];
  let at = offset;
  dissectSafely(b, () => {
    let indicator = b.u16(at, 'indicator');
    if (indicator === 1) {
      info.push('Authentication header');
      const idLength = b.u8(at + 2, 'client identifier length');
      const auLength = b.u8(at + 3, 'authentication value length');
      const start = at;
      b.group('teredo.auth', 'Teredo Authentication header', null, start, 13 + idLength + auLength, () => {
        b.add('teredo.auth.idlen', () => `Client identifier length: ${idLength}`, idLength, start + 2, 1);
        b.add('teredo.auth.aulen', () => `Authentication value length: ${auLength}`, auLength, start + 3, 1);
        let field = start + 4;
        if (idLength > 0) {
          const from = field;
          b.add('teredo.auth.id', () => `Client identifier: ${bytesLabelHex(data, from, idLength)}`, b.bytes(from, idLength), from, idLength, () => bytesHex(data, from, idLength));
          field += idLength;
        }
        if (auLength > 0) {
          const from = field;
          b.add('teredo.auth.value', () => `Authentication value: ${bytesLabelHex(data, from, auLength)}`, b.bytes(from, auLength), from, auLength, () => bytesHex(data, from, auLength));
          field += auLength;
        }
        const nonceAt = field;
        b.add('teredo.auth.nonce', () => `Nonce value: ${bytesHex(data, nonceAt, 8)}`, b.bytes(nonceAt, 8), nonceAt, 8, () => bytesHex(data, nonceAt, 8));
        b.add('teredo.auth.conf', () => `Confirmation byte: ${bytesHex(data, nonceAt + 8, 1)}`, b.bytes(nonceAt + 8, 1), nonceAt + 8, 1, () => bytesHex(data, nonceAt + 8, 1));
      });
      at = start + 13 + idLength + auLength;
      indicator = b.u16(at, 'indicator');
    }
    if (indicator === 0) {
      info.push('Origin indication');
      const start = at;
      const port = ~b.u16(start + 2, 'origin port') & 0xffff;
      b.need(start + 4, 4, 'origin address');
      const inverted = Buffer.from(data.subarray(start + 4, start + 8).map((byte) => ~byte & 0xff));
      const address = ipv4Text(inverted, 0);
      b.group('teredo.orig', 'Teredo Origin Indication header', null, start, 8, () => {
        b.add('teredo.orig.port', () => `Origin UDP port: ${port}`, port, start + 2, 2);
        b.add('teredo.orig.addr', () => `Origin IPv4 address: ${address}`, address, start + 4, 4);
      });
      at = start + 8;
    }
  });
  if (p.columns) p.setProtocol('Teredo', info.join(', '));
  p.addLayer(b.layer);
  if (b.layer.status !== 'ok' || at >= Math.min(end, data.length)) return;
  // packet-teredo.c hands what follows to IPv6 whatever it holds.
  dissectIpv6(d, p, data, at, end);
}
