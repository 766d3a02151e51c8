/**
 * 802.1X EAP over LAN (ethertype 0x888e) as tshark 4.0 shows it: the EAPOL header (version, type,
 * body length) and, for EAP packets, the EAP header (code, identifier, length, method type and an
 * Identity). tshark 4.0 leaves "eap" out of frame.protocols (the chain ends at eapol) but shows it
 * in the Protocol column ("EAP") and Info ("Response, Identity"). Key frames' descriptors: eapol-key.ts.
 */
import { dissectSafely, LayerBuilder } from './builder';
import { addKeyDescriptor } from './eapol-key';
import type { Dissector } from './dissector';
import type { Layer } from './model';
import type { PacketState } from './packet-state';
import { escapedText } from './lldp';
import { statusSuffix } from './routing-common';

export const ETHERTYPE_EAPOL = 0x888e;

const VERSIONS: Record<number, string> = { 1: '802.1X-2001', 2: '802.1X-2004', 3: '802.1X-2010' };
const TYPES: Record<number, string> = {
  0: 'EAP Packet', 1: 'Start', 2: 'Logoff', 3: 'Key', 4: 'Encapsulated ASF Alert', 5: 'MKA', 6: 'Announcement (Generic)',
  7: 'Announcement (Specific)', 8: 'Announcement-Req',
};
const EAP_CODES: Record<number, string> = { 1: 'Request', 2: 'Response', 3: 'Success', 4: 'Failure', 5: 'Initiate', 6: 'Finish' };
const EAP_TYPES: Record<number, string> = {
  1: 'Identity', 2: 'Notification', 3: 'Legacy Nak (Response Only)', 4: 'MD5-Challenge EAP (EAP-MD5-CHALLENGE)',
  5: 'One-Time Password EAP (EAP-OTP)', 6: 'Generic Token Card EAP (EAP-GTC)', 13: 'TLS EAP (EAP-TLS)', 17: 'EAP-Cisco Wireless (LEAP)',
  18: 'GSM Subscriber Identity Modules EAP (EAP-SIM)', 21: 'Tunneled TLS EAP (EAP-TTLS)', 23: 'EAP-AKA Authentication (EAP-AKA)',
  25: 'Protected EAP (EAP-PEAP)', 26: 'MS-CHAP-v2 (EAP-MS-CHAP-V2)', 43: 'EAP-FAST', 254: 'Expanded Type', 255: 'Experimental type',
};
const TYPE_EAP = 0;
const TYPE_KEY = 3;

export function dissectEapol(_d: Dissector, p: PacketState, data: Buffer, offset: number, end: number): number | void {
  const b = new LayerBuilder(data, 'eapol', '802.1X Authentication', offset, end, p.selection);
  let type = -1;
  let bodyLength = 0;
  let keyInfo = '';
  let headerDone = false;
  dissectSafely(b, () => {
    const version = b.u8(offset, 'version');
    type = b.u8(offset + 1, 'type');
    bodyLength = b.u16(offset + 2, 'length');
    b.add('eapol.version', () => `Version: ${VERSIONS[version] ?? 'Unknown'} (${version})`, version, offset, 1);
    b.add('eapol.type', () => `Type: ${TYPES[type] ?? 'Unknown'} (${type})`, type, offset + 1, 1);
    b.add('eapol.len', () => `Length: ${bodyLength}`, bodyLength, offset + 2, 2);
    b.setLength(Math.min(4 + bodyLength, end - offset));
    headerDone = true;
    // tshark takes a key frame's whole body before its descriptor: cut short, the frame ends here.
    if (type === TYPE_KEY) b.need(offset + 4, bodyLength, 'EAPOL key body');
    if (type === TYPE_KEY) addKeyDescriptor(b, offset + 4, Math.min(offset + 4 + bodyLength, end), (info) => (keyInfo = info));
  });
  p.addLayer(b.layer);
  if (b.layer.status !== 'ok') {
    p.setProtocol('EAPOL', headerDone ? `${keyInfo || (TYPES[type] ?? unknownType(type))}${statusSuffix(b.layer)}` : statusSuffix(b.layer));
    return;
  }
  const bodyEnd = Math.min(offset + 4 + bodyLength, end);
  if (keyInfo) {
    p.setProtocol('EAPOL', keyInfo);
    return bodyEnd;
  }
  if (type === TYPE_EAP) {
    dissectEap(p, data, offset + 4, bodyEnd);
    return bodyEnd;
  }
  p.setProtocol('EAPOL', TYPES[type] ?? unknownType(type));
  return bodyEnd;
}

function dissectEap(p: PacketState, data: Buffer, offset: number, end: number): void {
  const { layer, info } = eapLayer(data, offset, end, p.selection);
  // tshark 4.0 shows the EAP layer but leaves it out of frame.protocols.
  p.addLayer(layer, '');
  p.setProtocol('EAP', info + statusSuffix(layer));
}

/**
 * One EAP packet data[offset, end) as tshark 4.0's eap dissector shows it: code, identifier,
 * length, method type, an Identity, EAP-MD5's value size, value and extra data, and the identity
 * of EAP-SIM/AKA. Its Info is the code and method ("Response, Identity"). Used by EAPOL and by
 * RADIUS's EAP-Message attributes.
 */
export function eapLayer(data: Buffer, offset: number, end: number, selection?: ReadonlySet<string>): { layer: Layer; info: string } {
  const b = new LayerBuilder(data, 'eap', 'Extensible Authentication Protocol', offset, end, selection);
  let info = '';
  dissectSafely(b, () => {
    const code = b.u8(offset, 'code');
    info = EAP_CODES[code] ?? `Unknown code (0x${code.toString(16).padStart(2, '0').toUpperCase()})`;
    b.add('eap.code', () => `Code: ${EAP_CODES[code] ?? 'Unknown'} (${code})`, code, offset, 1);
    const id = b.u8(offset + 1, 'identifier');
    b.add('eap.id', () => `Id: ${id}`, id, offset + 1, 1);
    const length = b.u16(offset + 2, 'length');
    b.add('eap.len', () => `Length: ${length}`, length, offset + 2, 2);
    b.setLength(Math.min(length, end - offset));
    if ((code !== 1 && code !== 2) || length < 5) return;
    const method = b.u8(offset + 4, 'type');
    info += `, ${EAP_TYPES[method] ?? `Unknown type (0x${method.toString(16).padStart(2, '0')})`}`;
    b.add('eap.type', () => `Type: ${EAP_TYPES[method] ?? 'Unknown'} (${method})`, method, offset + 4, 1);
    if (method === 1 && length > 5) {
      b.need(offset + 5, length - 5, 'identity');
      const identity = escapedText(data, offset + 5, offset + length);
      b.add('eap.identity', () => `Identity: ${identity}`, identity, offset + 5, length - 5);
    }
    if (method === EAP_MD5 && length > 5) md5Challenge(b, offset + 5, offset + length);
    if (EAP_SIM_AKA.has(method)) simAkaIdentity(b, offset + 8, offset + length);
  });
  return { layer: b.layer, info };
}

const EAP_MD5 = 4;

/** EAP-MD5 (RFC 3748 5.4): a value size, the value, and what follows it up to the EAP length (the name). */
function md5Challenge(b: LayerBuilder, at: number, end: number): void {
  const size = b.u8(at, 'EAP-MD5 value size');
  b.add('eap.md5.value_size', () => `EAP-MD5 Value-Size: ${size}`, size, at, 1);
  const value = b.bytes(at + 1, size, 'EAP-MD5 value');
  b.add('eap.md5.value', () => `EAP-MD5 Value: ${value.toString('hex')}`, value, at + 1, size, () => value.toString('hex'));
  const extra = at + 1 + size;
  if (extra < end) {
    const bytes = b.bytes(extra, end - extra, 'EAP-MD5 extra data');
    b.add('eap.md5.extra_data', () => `EAP-MD5 Extra Data: ${bytes.toString('hex')}`, bytes, extra, end - extra, () => bytes.toString('hex'));
  }
}

/** EAP-SIM, EAP-AKA and EAP-AKA': their attributes follow a subtype and two reserved bytes. */
const EAP_SIM_AKA = new Set([18, 23, 50]);
const AT_IDENTITY = 14;

/** Adds the identity an AT_IDENTITY attribute carries (the other attributes are not decoded). */
function simAkaIdentity(b: LayerBuilder, at: number, end: number): void {
  const data = b.data;
  const stop = Math.min(end, data.length);
  while (at + 2 <= stop) {
    const type = data[at]!;
    const length = data[at + 1]! * 4;
    if (length === 0 || at + length > stop) return;
    if (type === AT_IDENTITY && length >= 4) {
      const actual = data.readUInt16BE(at + 2);
      const identityEnd = Math.min(at + 4 + actual, at + length);
      const identity = escapedText(data, at + 4, identityEnd);
      b.add('eap.identity.actual_len', () => `Identity Actual Length: ${actual}`, actual, at + 2, 2);
      b.add('eap.identity', () => `Identity: ${identity}`, identity, at + 4, identityEnd - at - 4);
    }
    at += length;
  }
}

/** Info for a packet type tshark has no name for: `Unknown Type (0x0A)`. */
function unknownType(type: number): string {
  return `Unknown Type (0x${type.toString(16).toUpperCase().padStart(2, '0')})`;
}
