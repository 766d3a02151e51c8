/**
 * ISAKMP / IKE (RFC 2408, 7296; UDP 500) and UDP encapsulation of IPsec (RFC 3948; UDP 4500), as
 * tshark 4.0 shows them: the ISAKMP header (SPIs, next payload, version, exchange type, flags,
 * message ID, length) with the Info text tshark makes of it. The payloads after the header are
 * not decoded yet (an IKEv1 encrypted body is shown as tshark shows it: "Encrypted Data").
 *
 * On UDP 4500 the udpencap layer tells the three kinds apart: a one-byte 0xff NAT keepalive, an
 * IKE message after a four-byte zero Non-ESP Marker, and otherwise ESP.
 */
import { dissectSafely, hex, LayerBuilder } from './builder';
import type { Dissector } from './dissector';
import { dissectEsp, stopNote } from './esp';
import { bitPicture, bytesHex } from './format';
import type { AppDissector, AppResult, Layer } from './model';
import type { PacketState } from './packet-state';

export const ISAKMP_PORT = 500;
export const UDPENCAP_PORT = 4500;
const HEADER = 28;

const EXCHANGES_V1: Record<number, string> = {
  0: 'NONE', 1: 'Base', 2: 'Identity Protection (Main Mode)', 3: 'Authentication Only', 4: 'Aggressive', 5: 'Informational',
  6: 'Transaction (Config Mode)', 32: 'Quick Mode', 33: 'New Group Mode',
};
const EXCHANGES_V2: Record<number, string> = {
  34: 'IKE_SA_INIT', 35: 'IKE_AUTH', 36: 'CREATE_CHILD_SA', 37: 'INFORMATIONAL', 38: 'IKE_SESSION_RESUME',
};
/** Payload types of IKEv1 and IKEv2 in one table, as tshark names them in "Next payload". */
const PAYLOADS: Record<number, string> = {
  0: 'NONE / No Next Payload ', 1: 'Security Association', 2: 'Proposal', 3: 'Transform', 4: 'Key Exchange', 5: 'Identification',
  6: 'Certificate', 7: 'Certificate Request', 8: 'Hash', 9: 'Signature', 10: 'Nonce', 11: 'Notification', 12: 'Delete',
  13: 'Vendor ID', 14: 'Attributes', 15: 'SA KEK Payload', 16: 'SA TEK Payload', 17: 'Key Download', 18: 'Sequence Number',
  19: 'Proof of Possession', 20: 'NAT-D (RFC 3947)', 21: 'NAT-OA (RFC 3947)', 22: 'Group Associated Policy',
  33: 'Security Association', 34: 'Key Exchange', 35: 'Identification - Initiator', 36: 'Identification - Responder',
  37: 'Certificate', 38: 'Certificate Request', 39: 'Authentication', 40: 'Nonce', 41: 'Notify', 42: 'Delete', 43: 'Vendor ID',
  44: 'Traffic Selector - Initiator', 45: 'Traffic Selector - Responder', 46: 'Encrypted and Authenticated', 47: 'Configuration',
  48: 'Extensible Authentication', 49: 'Generic Secure Password Method', 50: 'Group Identification', 51: 'Group Security Association',
  52: 'Key Download', 53: 'Encrypted and Authenticated Fragment', 130: 'NAT-D (draft-ietf-ipsec-nat-t-ike-01 to 03)',
  131: 'NAT-OA (draft-ietf-ipsec-nat-t-ike-01 to 04)', 132: 'Cisco-Fragmentation',
};

function payloadName(type: number): string {
  const name = PAYLOADS[type];
  if (name !== undefined) return name;
  if (type >= 128) return 'Private Use';
  return type >= 54 ? 'Unassigned' : 'Unknown';
}

export const isakmpDissector: AppDissector = {
  protocol: 'isakmp',
  udpPorts: [ISAKMP_PORT],
  dissect: (data, offset, end, ctx) => dissectIsakmp(data, offset, end, ctx.fields),
};

/** One ISAKMP message at data[offset, end). */
export function dissectIsakmp(data: Buffer, offset: number, end: number, fields?: ReadonlySet<string>): AppResult {
  if (end - offset < HEADER) {
    // Too short for the header: tshark names the protocol but shows the bytes as data.
    const stop = Math.min(end, data.length);
    const b = new LayerBuilder(data, 'data', 'Data', offset, stop, fields);
    b.title(() => `Data (${stop - offset} bytes)`);
    b.add('data.data', () => `Data: ${bytesHex(data, offset, stop - offset)}`, data.subarray(offset, stop), offset, stop - offset, () => bytesHex(data, offset, stop - offset));
    b.add('data.len', () => `[Length: ${stop - offset}]`, stop - offset, offset, 0);
    return { layers: stop > offset ? [b.layer] : [], protocolColumn: 'ISAKMP', info: '' };
  }
  const b = new LayerBuilder(data, 'isakmp', 'Internet Security Association and Key Management Protocol', offset, end, fields);
  let info = '';
  dissectSafely(b, () => {
    const ispi = b.bytes(offset, 8, 'initiator SPI');
    b.add('isakmp.ispi', () => `Initiator SPI: ${ispi.toString('hex')}`, ispi, offset, 8, () => ispi.toString('hex'));
    const rspi = b.bytes(offset + 8, 8, 'responder SPI');
    b.add('isakmp.rspi', () => `Responder SPI: ${rspi.toString('hex')}`, rspi, offset + 8, 8, () => rspi.toString('hex'));
    const next = b.u8(offset + 16, 'next payload');
    b.add('isakmp.nextpayload', () => `Next payload: ${payloadName(next)} (${next})`, next, offset + 16, 1);
    const version = b.u8(offset + 17, 'version');
    const major = version >> 4;
    const minor = version & 0x0f;
    b.group('isakmp.version', () => `Version: ${major}.${minor}`, version, offset + 17, 1, () => {
      b.add('isakmp.mjver', () => `${bitPicture(version, 0xf0, 8)} = MjVer: ${hex(major, 1)}`, major, offset + 17, 1, () => hex(major, 2));
      b.add('isakmp.mnver', () => `${bitPicture(version, 0x0f, 8)} = MnVer: ${hex(minor, 1)}`, minor, offset + 17, 1, () => hex(minor, 2));
    }, () => hex(version, 2));
    const exchange = b.u8(offset + 18, 'exchange type');
    const flags = b.u8(offset + 19, 'flags');
    const messageId = b.u32(offset + 20, 'message ID');
    const length = b.u32(offset + 24, 'length');
    const names = major === 1 ? EXCHANGES_V1 : EXCHANGES_V2;
    if (major === 1 || major === 2) {
      b.add('isakmp.exchangetype', () => `Exchange type: ${names[exchange] ?? 'Unknown'} (${exchange})`, exchange, offset + 18, 1);
    }
    addFlags(b, flags, major, offset + 19);
    b.add('isakmp.messageid', () => `Message ID: ${hex(messageId, 8)}`, messageId, offset + 20, 4, () => hex(messageId, 8));
    const exchangeText = names[exchange] ?? `Unknown ${exchange}`;
    if (major === 1) info = exchangeText;
    else if (major === 2) {
      info = `${exchangeText} MID=${String(messageId).padStart(2, '0')} ${flags & 0x08 ? 'Initiator' : 'Responder'} ${flags & 0x20 ? 'Response' : 'Request'}`;
    }
    if (length > end - offset) {
      // tshark leaves the length out when it claims more than the datagram holds.
      b.mark('malformed', `ISAKMP length ${length} is more than the ${end - offset} bytes of the datagram`);
      return;
    }
    b.add('isakmp.length', () => `Length: ${length}`, length, offset + 24, 4);
    if (length >= HEADER) b.setLength(length);
    if (major === 1 && flags & 0x01 && length > HEADER) {
      b.need(offset + HEADER, length - HEADER, 'Encrypted Data');
      b.add('isakmp.enc.data', () => `Encrypted Data (${length - HEADER} bytes)`, null, offset + HEADER, length - HEADER, '1');
    }
  });
  return { layers: [b.layer], protocolColumn: 'ISAKMP', info: info + stopNote(b.layer.status) };
}

const FLAGS_V1: Array<[number, string, string, string, string]> = [
  [0x01, 'isakmp.flag_e', 'Encryption', 'Encrypted', 'Not encrypted'],
  [0x02, 'isakmp.flag_c', 'Commit', 'Commit', 'No commit'],
  [0x04, 'isakmp.flag_a', 'Authentication', 'Authentication', 'No authentication'],
];
const FLAGS_V2: Array<[number, string, string, string, string]> = [
  [0x08, 'isakmp.flag_i', 'Initiator', 'Initiator', 'Responder'],
  [0x10, 'isakmp.flag_v', 'Version', 'A higher version enabled', 'No higher version'],
  [0x20, 'isakmp.flag_r', 'Response', 'Response', 'Request'],
];

/** IKEv1's E/C/A bits or IKEv2's I/V/R bits (IKEv2 lists them in the label); other versions: the byte alone. */
function addFlags(b: LayerBuilder, flags: number, major: number, at: number): void {
  const bits = major === 1 ? FLAGS_V1 : major === 2 ? FLAGS_V2 : [];
  const summary = major === 2 ? ` (${bits.map(([mask, , , on, off]) => (flags & mask ? on : off)).join(', ')})` : '';
  b.group('isakmp.flags', () => `Flags: ${hex(flags, 2)}${summary}`, flags, at, 1, () => {
    for (const [mask, abbrev, label, on, off] of bits) {
      b.add(abbrev, () => `${bitPicture(flags, mask, 8)} = ${label}: ${flags & mask ? on : off}`, (flags & mask) !== 0, at, 1);
    }
  }, () => hex(flags, 2));
}

/** UDP 4500: NAT keepalive, IKE after the Non-ESP Marker, or ESP. */
export function dissectUdpEncap(d: Dissector, p: PacketState, data: Buffer, offset: number, end: number): void {
  const stop = Math.min(end, data.length);
  const keepalive = end - offset === 1 && data[offset] === 0xff;
  const marker = !keepalive && end - offset >= 4 && stop - offset >= 4 && data.readUInt32BE(offset) === 0;
  const b = new LayerBuilder(data, 'udpencap', 'UDP Encapsulation of IPsec Packets', offset, keepalive ? offset + 1 : marker ? offset + 4 : offset, p.selection);
  if (keepalive) {
    b.add('udpencap.nat_keepalive', 'NAT-keepalive packet', null, offset, 1, '1');
    p.addLayer(b.layer);
    p.setProtocol('UDPENCAP', 'NAT-keepalive');
    return;
  }
  if (!marker) {
    p.addLayer(b.layer);
    dissectEsp(d, p, data, offset, end);
    return;
  }
  b.add('udpencap.non_esp_marker', 'Non-ESP Marker', null, offset, 4, '1');
  p.addLayer(b.layer);
  const result = dissectIsakmp(data, offset + 4, end, p.selection);
  for (const layer of result.layers) p.addLayer(layer as Layer);
  p.setProtocol(result.protocolColumn, result.info);
}
