/**
 * ASN.1 Basic Encoding Rules (X.690), as SNMP, LDAP and Kerberos carry them: identifier octets
 * (class, constructed bit, tag numbers of any size), definite and indefinite lengths, and the
 * primitive values those protocols use (INTEGER of any size, BOOLEAN, OBJECT IDENTIFIER, strings,
 * GeneralizedTime). Reading never throws: a TLV that does not fit is reported with why, so a
 * dissector can mark its layer as Wireshark's BER does ("BER Error: ...", malformed or truncated).
 */

export const enum BerClass {
  Universal = 0,
  Application = 1,
  Context = 2,
  Private = 3,
}

/** Universal tag numbers (X.680 8.4). */
export const BER_TAG = {
  BOOLEAN: 1, INTEGER: 2, BIT_STRING: 3, OCTET_STRING: 4, NULL: 5, OID: 6, ENUMERATED: 10, UTF8String: 12,
  SEQUENCE: 16, SET: 17, PrintableString: 19, IA5String: 22, UTCTime: 23, GeneralizedTime: 24, GeneralString: 27,
} as const;

export interface BerTlv {
  cls: BerClass;
  constructed: boolean;
  /** Tag number within its class. */
  tag: number;
  /** Offset of the identifier octet. */
  start: number;
  /** Offset of the first content octet. */
  valueStart: number;
  /** Content length; for an indefinite length, the bytes up to the end-of-contents octets. */
  length: number;
  /** valueStart + length. */
  valueEnd: number;
  /** End of the whole TLV (after the end-of-contents octets of an indefinite length). */
  end: number;
  indefinite: boolean;
}

export type BerProblem =
  /** The TLV runs past `limit` (the enclosing element or the PDU): Wireshark's "BER Error: length ... longer than ...". */
  | 'too-long'
  /** The TLV runs past the captured bytes. */
  | 'truncated'
  /** Identifier or length octets that X.690 does not allow (length of length > 4, tag number overflow, EOC not found). */
  | 'invalid';

export type BerRead = { ok: true; tlv: BerTlv } | { ok: false; problem: BerProblem; at: number; what: string };

const MAX_DEPTH = 64;

/**
 * Reads the TLV at `at`. `limit` bounds it (the enclosing element's end); `captured` is how many
 * bytes of `data` were captured (defaults to data.length) so a cut-short capture reads as
 * 'truncated' and a length the protocol cannot hold as 'too-long'.
 */
export function readBer(data: Buffer, at: number, limit: number, captured = data.length): BerRead {
  const fail = (problem: BerProblem, what: string): BerRead => ({ ok: false, problem, at, what });
  const short = (): BerRead => (limit > captured ? fail('truncated', 'identifier or length octets not captured') : fail('too-long', 'identifier or length octets run past the element'));
  const stop = Math.min(limit, captured);
  let p = at;
  if (p >= stop) return short();
  const first = data[p++]!;
  const cls = (first >> 6) as BerClass;
  const constructed = (first & 0x20) !== 0;
  let tag = first & 0x1f;
  if (tag === 0x1f) {
    tag = 0;
    for (let n = 0; ; n++) {
      if (p >= stop) return short();
      const octet = data[p++]!;
      if (n >= 4) return fail('invalid', 'tag number too large');
      tag = tag * 128 + (octet & 0x7f);
      if ((octet & 0x80) === 0) break;
    }
  }
  if (p >= stop) return short();
  let length = data[p++]!;
  let indefinite = false;
  if (length === 0x80) {
    if (!constructed) return fail('invalid', 'indefinite length on a primitive element');
    indefinite = true;
  } else if (length & 0x80) {
    const count = length & 0x7f;
    if (count > 4) return fail('invalid', `length of length ${count} is too large`);
    if (p + count > stop) return short();
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + data[p++]!;
  }
  const valueStart = p;
  if (!indefinite) {
    const valueEnd = valueStart + length;
    if (valueEnd > limit) return fail('too-long', `length ${length} longer than the ${limit - valueStart} bytes left`);
    if (valueEnd > captured) return fail('truncated', `${length} content bytes not all captured`);
    return { ok: true, tlv: { cls, constructed, tag, start: at, valueStart, length, valueEnd, end: valueEnd, indefinite } };
  }
  // Indefinite: walk the nested TLVs to the end-of-contents octets (00 00).
  let q = valueStart;
  for (let depth = 0; ; ) {
    if (q + 2 > stop) return limit > captured ? fail('truncated', 'end-of-contents not captured') : fail('invalid', 'end-of-contents octets missing');
    if (data[q] === 0 && data[q + 1] === 0) break;
    const inner = readBer(data, q, limit, captured);
    if (!inner.ok) return inner;
    if (++depth > MAX_DEPTH * 1024) return fail('invalid', 'too many elements');
    q = inner.tlv.end;
  }
  return { ok: true, tlv: { cls, constructed, tag, start: at, valueStart, length: q - valueStart, valueEnd: q, end: q + 2, indefinite } };
}

/** The TLVs one after another in [start, end); stops at the first that does not read (returned as `error`). */
export function readBerSequence(data: Buffer, start: number, end: number, captured = data.length): { items: BerTlv[]; error?: Extract<BerRead, { ok: false }> } {
  const items: BerTlv[] = [];
  for (let at = start; at < end; ) {
    const r = readBer(data, at, end, captured);
    if (!r.ok) return { items, error: r };
    items.push(r.tlv);
    at = r.tlv.end;
  }
  return { items };
}

/**
 * An INTEGER's value (two's complement, big-endian). A number when it fits in 53 bits, else a
 * bigint; Wireshark prints both the same way (decimal).
 */
export function berInteger(data: Buffer, start: number, length: number): number | bigint {
  if (length === 0) return 0;
  if (length <= 6) {
    // Seeded with -1 for a negative value: each step keeps the two's complement reading.
    let v = data[start]! & 0x80 ? -1 : 0;
    for (let i = 0; i < length; i++) v = v * 256 + data[start + i]!;
    return v;
  }
  let v = BigInt(data[start]! & 0x80 ? -1 : 0);
  for (let i = 0; i < length; i++) v = v * 256n + BigInt(data[start + i]!);
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

/** An INTEGER read as unsigned (Wireshark's FT_UINT32 fields of BER protocols, e.g. request ids). */
export function berUnsigned(data: Buffer, start: number, length: number): number {
  let v = 0;
  for (let i = 0; i < length; i++) v = v * 256 + data[start + i]!;
  return v;
}

/** An OBJECT IDENTIFIER in dotted form ("1.3.6.1.2.1.1.1.0"); '' for an empty or unterminated one. */
export function berOid(data: Buffer, start: number, length: number): string {
  const arcs: string[] = [];
  let v = 0n;
  let first = true;
  let pending = false;
  for (let i = 0; i < length; i++) {
    const octet = data[start + i]!;
    v = (v << 7n) | BigInt(octet & 0x7f);
    pending = true;
    if ((octet & 0x80) === 0) {
      if (first) {
        const x = v < 40n ? 0n : v < 80n ? 1n : 2n;
        arcs.push(String(x), String(v - x * 40n));
        first = false;
      } else arcs.push(String(v));
      v = 0n;
      pending = false;
    }
  }
  return pending ? '' : arcs.join('.');
}

/** A BOOLEAN: any non-zero content octet is true. */
export function berBoolean(data: Buffer, start: number, length: number): boolean {
  return length > 0 && data[start] !== 0;
}

/**
 * GeneralizedTime as Wireshark's BER shows it ("2021-03-04 05:06:07 (UTC)" for "20210304050607Z");
 * the raw text when it is not of that form.
 */
export function berGeneralizedTime(text: string): string {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\.\d+)?(Z)?$/.exec(text);
  if (!m) return text;
  return `${m[1]}-${m[2]}-${m[3]} ${m[4]}:${m[5]}:${m[6]}${m[7] ?? ''}${m[8] ? ' (UTC)' : ''}`;
}

/** The class letter and tag as Wireshark names unexpected elements ("[APPLICATION 3]", "[0]", "SEQUENCE"). */
export function berTagName(tlv: Pick<BerTlv, 'cls' | 'tag'>): string {
  switch (tlv.cls) {
    case BerClass.Universal:
      return `UNIVERSAL ${tlv.tag}`;
    case BerClass.Application:
      return `APPLICATION ${tlv.tag}`;
    case BerClass.Context:
      return `CONTEXT ${tlv.tag}`;
    default:
      return `PRIVATE ${tlv.tag}`;
  }
}
