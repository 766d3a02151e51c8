/**
 * Kerberos version 4 as tshark 4.0 shows it. Wireshark registers Kerberos 4 on UDP 750 and the
 * Kerberos (5) dissector on UDP 88. The latter hands a payload whose first byte is a small number to
 * Kerberos 4 (a Kerberos 5 message begins with an ASN.1 application tag, 0x60 or more): that is why
 * frame.protocols reads "kerberos:krb4" on port 88 and just "krb4" on port 750. Kerberos 5 itself is
 * dissected by kerberos.ts, which registers both ports and calls dissectKrb4.
 */
import { dissectSafely, hex, LayerBuilder, StopDissection } from './builder';
import { absoluteTimeText } from './app-format';
import type { AppResult } from './model';

const KRB4_VERSION = 4;

const MESSAGE_TYPES: Record<number, string> = {
  1: 'KDC Request', 2: 'KDC Reply', 3: 'Appl Request', 4: 'Appl Request Mutual', 5: 'Err Reply', 6: 'Private', 7: 'Safe', 8: 'Appl Err', 0x3f: 'Die',
};

/** Whether Wireshark's Kerberos dissector passes this payload to Kerberos 4 and that accepts it. */
export function isKrb4(data: Buffer, offset: number, end: number): boolean {
  return Math.min(end, data.length) > offset && data[offset] === KRB4_VERSION;
}

const ESCAPES: Record<number, string> = { 7: '\\a', 8: '\\b', 9: '\\t', 10: '\\n', 12: '\\f', 13: '\\r', 0x5c: '\\\\' };

/**
 * FT_STRINGZ text as tshark -T fields prints it: bytes that are not ASCII become U+FFFD, and the C
 * escapes (\n, \t, ...) and the backslash are written escaped.
 */
function stringzText(bytes: Buffer): string {
  return Array.from(bytes, (c) => ESCAPES[c] ?? (c < 0x80 ? String.fromCharCode(c) : '\ufffd')).join('');
}

export function dissectKrb4(data: Buffer, offset: number, end: number, selection?: ReadonlySet<string>, viaKerberos5 = false): AppResult {
  const b = new LayerBuilder(data, 'krb4', 'Kerberos v4', offset, end, selection);
  let info = '';
  dissectSafely(b, () => {
    const version = b.u8(offset, 'version');
    b.add('krb4.version', () => `Version: ${version}`, version, offset, 1);
    const msgType = b.u8(offset + 1, 'message type');
    const type = msgType >> 1;
    const littleEndian = (msgType & 1) === 1;
    const typeName = MESSAGE_TYPES[type] ?? `Unknown (0x${type.toString(16).padStart(2, '0')})`;
    const order = littleEndian ? 'Little Endian' : 'Big Endian';
    info = typeName;
    b.group('krb4.auth_msg_type', () => `Msg Type: ${hex(msgType, 2)} ${typeName} (${order})`, msgType, offset + 1, 1, () => {
      const picture = (msgType >> 1).toString(2).padStart(7, '0');
      b.add('krb4.m_type', () => `${picture.slice(0, 4)} ${picture.slice(4)}. = M Type: ${typeName} (${hex(type, 2)})`, type, offset + 1, 1, () => hex(type, 2));
      b.add('krb4.byte_order', () => `.... ...${msgType & 1} = Byte Order: ${order} (${hex(msgType & 1, 1)})`, msgType & 1, offset + 1, 1, () => hex(msgType & 1, 2));
    }, () => hex(msgType, 2));
    if (type !== 1) return;
    let at = offset + 2;
    const stringz = (abbrev: string, label: string) => {
      const stop = Math.min(b.end, data.length);
      const nul = data.indexOf(0, at);
      if (nul < 0 || nul >= stop) {
        throw new StopDissection(stop < b.end ? 'truncated' : 'malformed', `${label} has no terminating NUL`);
      }
      const text = stringzText(data.subarray(at, nul));
      b.add(abbrev, () => `${label}: ${text}`, text, at, nul + 1 - at);
      at = nul + 1;
    };
    stringz('krb4.name', 'Name');
    stringz('krb4.instance', 'Instance');
    stringz('krb4.realm', 'Realm');
    const seconds = littleEndian ? (b.need(at, 4, 'time'), data.readUInt32LE(at)) : b.u32(at, 'time');
    b.add('krb4.time_sec', () => `Time Sec: ${absoluteTimeText(BigInt(seconds), 0)}`, seconds, at, 4, () => absoluteTimeText(BigInt(seconds), 0));
    at += 4;
    const lifetime = b.u8(at, 'lifetime');
    b.add('krb4.lifetime', () => `Lifetime: ${lifetime} (${lifetime * 5} minutes)`, lifetime, at, 1);
    at += 1;
    stringz('krb4.s_name', 'Service Name');
    stringz('krb4.s_instance', 'Service Instance');
    b.setLength(at - offset);
  });
  if (b.layer.status === 'truncated') info += '[Packet size limited during capture]';
  else if (b.layer.status === 'malformed') info += '[Malformed Packet]';
  // Through Kerberos 5: one layer, two names in the chain (that dissector shows no tree of its own).
  return { layers: [b.layer], protocolColumn: 'KRB4', info, chain: [viaKerberos5 ? 'kerberos:krb4' : 'krb4'] };
}
