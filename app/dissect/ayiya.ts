/**
 * AYIYA, Anything In Anything (draft-massar-v6ops-ayiya; protocol "ayiya") as tshark 4.0 shows it
 * (epan/dissectors/packet-ayiya.c): on UDP 5072, a header of four nibbles (identity length as a
 * power of two and type, signature length in 4-byte words and hash method), authentication method
 * and operation code, next header, an epoch, the identity and the signature; a Forward carries the
 * packet of its next header (IPv6 in the tunnels AICCU sets up). Protocol "AYIYA"; Info stays UDP's.
 */
import { dissectSafely, hex, LayerBuilder } from './builder';
import type { Dissector } from './dissector';
import { absoluteTimeText } from './app-format';
import { bitPicture, bytesHex, bytesLabelHex } from './format';
import { ipProtocolName } from './ip-common';
import type { PacketState } from './packet-state';

export const AYIYA_PORT = 5072;

const IDENTITY_TYPES = ['None', 'Integer', 'ASCII string'];
const HASH_METHODS = ['No hash', 'MD5', 'SHA1'];
const AUTH_METHODS = ['No authentication', 'Hash using a Shared Secret', 'Hash using a public/private key method'];
const OPCODES = ['No Operation / Heartbeat', 'Forward', 'Echo Request', 'Echo Request and Forward', 'Echo Response', 'MOTD', 'Query Request', 'Query Response'];
const OPCODE_FORWARD = 1;

/** A nibble of a header byte as proto_tree_add_bits_item shows it: its bits, its name or value, the value in hex. */
function nibble(b: LayerBuilder, abbrev: string, label: string, byte: number, high: boolean, at: number, names?: readonly string[]): void {
  const v = high ? byte >> 4 : byte & 0x0f;
  const name = names ? `${names[v] ?? 'Unknown'} (${hex(v, 2)})` : hex(v, 2);
  b.add(abbrev, () => `${bitPicture(byte, high ? 0xf0 : 0x0f, 8)} = ${label}: ${name}`, v, at, 1, () => hex(v, 2));
}

export function dissectAyiya(d: Dissector, p: PacketState, data: Buffer, offset: number, end: number): void {
  const b = new LayerBuilder(data, 'ayiya', 'AYIYA', offset, end, p.selection);
  p.setProtocol('AYIYA', p.columns ? p.info : '');
  let next = -1;
  let nextHeader = 0;
  dissectSafely(b, () => {
    const b0 = b.u8(offset, 'identity length and type');
    const b1 = b.u8(offset + 1, 'signature length and hash method');
    const b2 = b.u8(offset + 2, 'authentication method and operation code');
    nextHeader = b.u8(offset + 3, 'next header');
    const idLength = 1 << (b0 >> 4);
    const sigLength = (b1 >> 4) * 4;
    const headerLength = 8 + idLength + sigLength;
    b.setLength(headerLength);
    nibble(b, 'ayiya.idlen', 'Identity field length', b0, true, offset);
    nibble(b, 'ayiya.idtype', 'Identity field type', b0, false, offset, IDENTITY_TYPES);
    nibble(b, 'ayiya.siglen', 'Signature Length', b1, true, offset + 1);
    nibble(b, 'ayiya.hashmethod', 'Hash method', b1, false, offset + 1, HASH_METHODS);
    nibble(b, 'ayiya.authmethod', 'Authentication method', b2, true, offset + 2, AUTH_METHODS);
    nibble(b, 'ayiya.opcode', 'Operation Code', b2, false, offset + 2, OPCODES);
    b.add('ayiya.nextheader', () => `Next Header: ${ipProtocolName(nextHeader)} (${hex(nextHeader, 2)})`, nextHeader, offset + 3, 1, () => hex(nextHeader, 2));
    const epoch = b.u32(offset + 4, 'epoch');
    const when = absoluteTimeText(BigInt(epoch), 0);
    b.add('ayiya.epoch', () => `Epoch: ${when}`, BigInt(epoch) * 1_000_000_000n, offset + 4, 4, when);
    const idAt = offset + 8;
    b.need(idAt, idLength, 'identity');
    b.add('ayiya.identity', () => `Identity: ${bytesLabelHex(data, idAt, idLength)}`, b.bytes(idAt, idLength), idAt, idLength, () => bytesHex(data, idAt, idLength));
    const sigAt = idAt + idLength;
    b.need(sigAt, sigLength, 'signature');
    b.add('ayiya.signature', () => `Signature: ${bytesLabelHex(data, sigAt, sigLength)}`, b.bytes(sigAt, sigLength), sigAt, sigLength, () => bytesHex(data, sigAt, sigLength));
    if ((b2 & 0x0f) === OPCODE_FORWARD) next = offset + headerLength;
  });
  p.addLayer(b.layer);
  if (b.layer.status !== 'ok' && p.columns) p.setProtocol('AYIYA', `${p.info}${b.layer.status === 'malformed' ? '[Malformed Packet]' : '[Packet size limited during capture]'}`);
  // Only a Forward carries a packet, and only one of a protocol the IP table has (no Data otherwise).
  if (next < 0 || b.layer.status !== 'ok' || !d.ipProtocols.has(nextHeader)) return;
  d.byIpProtocol(p, nextHeader, data, next, end);
}
