/**
 * Just enough DER to show who a certificate names: directory-string attribute values (issuer and
 * subject, in certificate order, as x509sat.* fields) and subjectAltName dNSName entries
 * (x509ce.dNSName). Bounded: malformed DER stops the walk, never throws.
 */
import type { LayerBuilder } from './builder';
import { printable } from './app-format';

const STRING_FIELDS: Record<number, string> = {
  0x0c: 'x509sat.uTF8String', 0x13: 'x509sat.printableString', 0x14: 'x509sat.teletexString',
  0x16: 'x509sat.IA5String', 0x1e: 'x509sat.bMPString', 0x1c: 'x509sat.universalString',
};
const SUBJECT_ALT_NAME = '551d11';
const MAX_DEPTH = 12;

interface Tlv {
  tag: number;
  start: number;
  valueStart: number;
  end: number;
}

function readTlv(data: Buffer, at: number, limit: number): Tlv | null {
  if (at + 2 > limit) return null;
  const tag = data[at]!;
  let length = data[at + 1]!;
  let valueStart = at + 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    if (count === 0 || count > 3 || valueStart + count > limit) return null;
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + data[valueStart + i]!;
    valueStart += count;
  }
  if (valueStart + length > limit) return null;
  return { tag, start: at, valueStart, end: valueStart + length };
}

/** Walks data[start, end) and adds the names found; `end` must not exceed the captured bytes. */
export function addCertificateNames(b: LayerBuilder, start: number, end: number): void {
  walk(b, start, end, 0, false);
}

function walk(b: LayerBuilder, start: number, end: number, depth: number, inSan: boolean): void {
  if (depth > MAX_DEPTH) return;
  const data = b.data;
  let previousOid = '';
  for (let at = start; at < end; ) {
    const tlv = readTlv(data, at, end);
    if (!tlv) return;
    const value = data.subarray(tlv.valueStart, tlv.end);
    if (tlv.tag === 0x06) previousOid = value.toString('hex');
    else if (inSan && tlv.tag === 0x82) b.add('x509ce.dNSName', () => `dNSName: ${printable(value)}`, printable(value), tlv.valueStart, value.length);
    else if (STRING_FIELDS[tlv.tag] && previousOid.startsWith('5504')) {
      const text = tlv.tag === 0x0c ? value.toString('utf8') : printable(value);
      b.add(STRING_FIELDS[tlv.tag]!, text, text, tlv.valueStart, value.length);
    } else if (tlv.tag === 0x04 && previousOid === SUBJECT_ALT_NAME) walk(b, tlv.valueStart, tlv.end, depth + 1, true);
    else if (tlv.tag & 0x20) walk(b, tlv.valueStart, tlv.end, depth + 1, inSan);
    at = tlv.end;
  }
}
