/**
 * How each kind of field compares: reading an occurrence's typed value (the dissectors hold
 * addresses as text, times as bigint nanoseconds, flags as booleans) and reading a literal the way
 * Wireshark reads it for that field type. Comparison is numeric for numbers, by bytes (and prefix)
 * for addresses, by code units for strings.
 */
import type { Field } from '../dissect/model';
import type { FieldKind } from './field-kinds';
import { parseIpv4, parseIpv6 } from './ip-text';

/**
 * A protocol used as a field. Wireshark's protocol value runs from the protocol's start to the end
 * of its data, payload included (`udp contains 81:60:03` finds payload bytes), so `end` is the end
 * of the layers it carries, not of its header.
 */
export interface ProtocolSpan {
  protocol: string;
  offset: number;
  end: number;
  /** The bytes the offsets are in when they are not the frame's (a reassembled PDU or datagram). */
  data?: Buffer;
}

/** A field occurrence, or a protocol (a protocol name used as a field). */
export type Occurrence = Field | ProtocolSpan;

/** Thrown by literal readers; the compiler adds the column. */
export class LiteralError extends Error {}

export interface Domain<T> {
  /** The occurrence's value in this domain; undefined when it has none (FT_NONE, no bytes). */
  fromOccurrence(o: Occurrence, frame: Buffer | undefined): T | undefined;
  fromLiteral(text: string, quoted: boolean): T;
  /** Equality as Wireshark's `==` (a network literal matches every address inside it). */
  equals(value: T, literal: T): boolean;
  /** Ordering for < <= > >=; undefined when the kind has none. */
  compare?(a: T, b: T): number;
}

export type IntValue = number | bigint;

const isField = (o: Occurrence): o is Field => 'abbrev' in o;

function parseInteger(text: string): IntValue {
  const m = /^([+-]?)(0x[0-9a-f]+|0[0-7]*|[1-9][0-9]*)$/i.exec(text);
  if (!m) throw new LiteralError(`"${text}" is not a valid integer (decimal, 0x hex or 0 octal)`);
  const digits = m[2]!;
  let big = digits.length > 1 && digits[0] === '0' && !/^0x/i.test(digits) ? BigInt('0o' + digits.slice(1)) : BigInt(digits);
  if (m[1] === '-') big = -big;
  return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
}

function compareInt(a: IntValue, b: IntValue): number {
  if (typeof a === typeof b) return a < b ? -1 : a > b ? 1 : 0;
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

const intDomain: Domain<IntValue> = {
  fromOccurrence(o) {
    if (!isField(o)) return undefined;
    const v = o.value;
    if (typeof v === 'number' || typeof v === 'bigint') return v;
    if (typeof v === 'boolean') return v ? 1 : 0;
    if (o.text === '') return undefined;
    try {
      return parseInteger(o.text);
    } catch {
      return undefined;
    }
  },
  fromLiteral(text, quoted) {
    if (quoted && text.length === 1) return text.charCodeAt(0);
    return parseInteger(text);
  },
  equals: (a, b) => compareInt(a, b) === 0,
  compare: compareInt,
};

const boolDomain: Domain<boolean> = {
  fromOccurrence(o) {
    if (!isField(o)) return undefined;
    const v = o.value;
    if (typeof v === 'boolean') return v;
    if (typeof v === 'number' || typeof v === 'bigint') return v !== 0 && v !== 0n;
    return o.text === '' ? undefined : o.text !== '0';
  },
  fromLiteral(text) {
    const t = text.toLowerCase();
    if (t === 'true') return true;
    if (t === 'false') return false;
    try {
      const n = parseInteger(text);
      return n !== 0 && n !== 0n;
    } catch {
      throw new LiteralError(`"${text}" is not a boolean (true, false, 1 or 0)`);
    }
  },
  equals: (a, b) => a === b,
  compare: (a, b) => Number(a) - Number(b),
};

const floatDomain: Domain<number> = {
  fromOccurrence(o) {
    if (!isField(o)) return undefined;
    if (typeof o.value === 'number') return o.value;
    const n = Number(o.text);
    return o.text === '' || Number.isNaN(n) ? undefined : n;
  },
  fromLiteral(text) {
    const n = Number(text);
    if (text.trim() === '' || Number.isNaN(n)) throw new LiteralError(`"${text}" is not a valid number`);
    return n;
  },
  equals: (a, b) => a === b,
  compare: (a, b) => a - b,
};

/** An address (IPv4 as 4 bytes, IPv6 as 16) and how many leading bits count. */
export interface Network {
  bytes: Buffer;
  bits: number;
}

function networkEquals(value: Network, literal: Network): boolean {
  const bits = Math.min(value.bits, literal.bits);
  const whole = bits >> 3;
  for (let k = 0; k < whole; k++) if (value.bytes[k] !== literal.bytes[k]) return false;
  const rest = bits & 7;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return (value.bytes[whole]! & mask) === (literal.bytes[whole]! & mask);
}

function addressDomain(family: 4 | 6): Domain<Network> {
  const size = family === 4 ? 4 : 16;
  const parse = family === 4 ? parseIpv4 : parseIpv6;
  const cache = new Map<string, Network>();
  return {
    fromOccurrence(o) {
      if (!isField(o)) return undefined;
      const v = o.value;
      if (Buffer.isBuffer(v) && v.length === size) return { bytes: v, bits: size * 8 };
      const text = typeof v === 'string' ? v : o.text;
      let n = cache.get(text);
      if (!n) {
        const bytes = parse(text);
        if (!bytes) return undefined;
        n = { bytes, bits: size * 8 };
        if (cache.size > 65536) cache.clear();
        cache.set(text, n);
      }
      return n;
    },
    fromLiteral(text) {
      const slash = text.indexOf('/');
      const address = slash < 0 ? text : text.slice(0, slash);
      const bytes = parse(address);
      const name = family === 4 ? 'IPv4' : 'IPv6';
      if (!bytes) throw new LiteralError(`"${text}" is not a valid ${name} address${slash < 0 ? '' : ' or network'} (host names are not resolved)`);
      if (slash < 0) return { bytes, bits: size * 8 };
      const prefix = text.slice(slash + 1);
      if (!/^\d+$/.test(prefix) || Number(prefix) > size * 8) {
        throw new LiteralError(`"${text}": the prefix length of an ${name} network must be 0 to ${size * 8}`);
      }
      return { bytes, bits: Number(prefix) };
    },
    equals: networkEquals,
    compare: (a, b) => Buffer.compare(a.bytes, b.bytes),
  };
}

/** Byte strings: aa:bb:cc, aa-bb-cc, aa.bb.cc, aabb.ccdd, or one byte `aa`. */
export function parseByteString(text: string): Buffer | undefined {
  if (/^[0-9a-f]{1,2}([:.-][0-9a-f]{1,2})*$/i.test(text)) return Buffer.from(text.split(/[:.-]/).map((b) => parseInt(b, 16)));
  if (/^([0-9a-f]{4})(\.[0-9a-f]{4})+$/i.test(text) || /^([0-9a-f]{2})+$/i.test(text)) return Buffer.from(text.replace(/\./g, ''), 'hex');
  return undefined;
}

function occurrenceBytes(o: Occurrence, frame: Buffer | undefined): Buffer | undefined {
  if (isField(o)) {
    if (Buffer.isBuffer(o.value)) return o.value;
    if (typeof o.value === 'string' && o.text !== '') return parseByteString(o.text) ?? Buffer.from(o.value, 'latin1');
    if (frame && !o.source && o.length > 0 && o.offset + o.length <= frame.length) return frame.subarray(o.offset, o.offset + o.length);
    return undefined;
  }
  const bytes = o.data ?? frame;
  if (!bytes) return undefined;
  return bytes.subarray(Math.min(o.offset, bytes.length), Math.min(o.end, bytes.length));
}

const bytesDomain: Domain<Buffer> = {
  fromOccurrence: occurrenceBytes,
  fromLiteral(text, quoted) {
    if (quoted) return Buffer.from(text, 'latin1');
    const bytes = parseByteString(text);
    if (!bytes) throw new LiteralError(`"${text}" is not a byte string (write bytes as aa:bb:cc, or a quoted string)`);
    return bytes;
  },
  equals: (a, b) => a.equals(b),
  compare: (a, b) => Buffer.compare(a, b),
};

const etherDomain: Domain<Buffer> = {
  fromOccurrence(o) {
    if (!isField(o)) return undefined;
    if (Buffer.isBuffer(o.value)) return o.value;
    const text = typeof o.value === 'string' ? o.value : o.text;
    return parseByteString(text);
  },
  fromLiteral(text) {
    const bytes = parseByteString(text);
    if (!bytes || bytes.length !== 6) throw new LiteralError(`"${text}" is not a valid MAC address (aa:bb:cc:dd:ee:ff)`);
    return bytes;
  },
  equals: (a, b) => a.equals(b),
  compare: (a, b) => Buffer.compare(a, b),
};

const stringDomain: Domain<string> = {
  fromOccurrence(o) {
    if (!isField(o)) return undefined;
    return typeof o.value === 'string' ? o.value : o.text;
  },
  fromLiteral: (text) => text,
  equals: (a, b) => a === b,
  compare: (a, b) => (a < b ? -1 : a > b ? 1 : 0),
};

/** Seconds as written ("1.5", "-0.25") to nanoseconds, exactly. */
function secondsToNs(text: string): bigint {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(text);
  if (!m || (m[2] === '' && !m[3])) throw new LiteralError(`"${text}" is not a time in seconds (e.g. 1.5)`);
  const ns = BigInt(m[2] || '0') * 1_000_000_000n + BigInt((m[3] ?? '').slice(0, 9).padEnd(9, '0'));
  return m[1] === '-' ? -ns : ns;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/** Wireshark's absolute-time literals ("Nov 22, 2015 17:58:11.4", "2015-11-22 17:58:11"), local time unless UTC/Z. */
function absoluteTimeToNs(text: string): bigint {
  let m = /^([A-Za-z]{3})\s+(\d{1,2}),\s*(\d{4})\s+(\d{1,2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?\s*(UTC|Z)?$/.exec(text.trim());
  let parts: [number, number, number, number, number, number, string | undefined, boolean] | undefined;
  if (m && MONTHS.includes(m[1]!.toLowerCase())) {
    parts = [Number(m[3]), MONTHS.indexOf(m[1]!.toLowerCase()), Number(m[2]), Number(m[4]), Number(m[5]), Number(m[6]), m[7], !!m[8]];
  } else if ((m = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{1,2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?\s*(UTC|Z)?$/.exec(text.trim()))) {
    parts = [Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]), m[7], !!m[8]];
  }
  if (!parts) throw new LiteralError(`"${text}" is not a date and time (e.g. "Nov 22, 2015 17:58:11" or "2015-11-22 17:58:11")`);
  const [y, mo, d, h, mi, s, frac, utc] = parts;
  const ms = utc ? Date.UTC(y, mo, d, h, mi, s) : new Date(y, mo, d, h, mi, s).getTime();
  return BigInt(ms) * 1_000_000n + BigInt((frac ?? '').padEnd(9, '0'));
}

function timeDomain(fromText: (text: string) => bigint): Domain<bigint> {
  return {
    fromOccurrence(o) {
      if (!isField(o)) return undefined;
      if (typeof o.value === 'bigint') return o.value;
      try {
        return secondsToNs(o.text);
      } catch {
        return undefined;
      }
    },
    fromLiteral: fromText,
    equals: (a, b) => a === b,
    compare: (a, b) => (a < b ? -1 : a > b ? 1 : 0),
  };
}

/** Fields Sievecap compares by tshark's text: values of types without a dedicated reader. */
const textDomain: Domain<string> = {
  fromOccurrence: (o) => (isField(o) ? o.text : undefined),
  fromLiteral: (text) => text,
  equals: (a, b) => a === b,
  compare: (a, b) => (a < b ? -1 : a > b ? 1 : 0),
};

const DOMAINS: Record<Exclude<FieldKind, 'none'>, Domain<unknown>> = {
  protocol: bytesDomain as Domain<unknown>,
  int: intDomain as Domain<unknown>,
  bool: boolDomain as Domain<unknown>,
  float: floatDomain as Domain<unknown>,
  ipv4: addressDomain(4) as Domain<unknown>,
  ipv6: addressDomain(6) as Domain<unknown>,
  ether: etherDomain as Domain<unknown>,
  bytes: bytesDomain as Domain<unknown>,
  string: stringDomain as Domain<unknown>,
  reltime: timeDomain(secondsToNs) as Domain<unknown>,
  abstime: timeDomain(absoluteTimeToNs) as Domain<unknown>,
  other: textDomain as Domain<unknown>,
};

export function domainOf(kind: FieldKind): Domain<unknown> | undefined {
  return kind === 'none' ? undefined : DOMAINS[kind];
}

/** The bytes or text `contains`/`matches` look in, for kinds that have them. */
export function haystack(kind: FieldKind, o: Occurrence, frame: Buffer | undefined): string | Buffer | undefined {
  if (kind === 'string' || kind === 'other') return isField(o) ? (typeof o.value === 'string' ? o.value : o.text) : undefined;
  if (kind === 'bytes' || kind === 'protocol' || kind === 'ether') return kind === 'ether' ? etherDomain.fromOccurrence(o, frame) : occurrenceBytes(o, frame);
  return undefined;
}

/** Kinds whose values are a sequence of bytes a slice (`field[0:3]`) can take from, as Wireshark's. */
export function sliceable(kind: FieldKind): boolean {
  return kind === 'protocol' || kind === 'bytes' || kind === 'ether' || kind === 'ipv4' || kind === 'ipv6' || kind === 'string' || kind === 'other';
}

/**
 * An occurrence's bytes as a slice reads them (Wireshark slices a field's value, not the bytes it
 * was read from: `http.host[0:3]` is the host name's first three characters, without `Host: `).
 */
export function occurrenceSliceBytes(kind: FieldKind, o: Occurrence, frame: Buffer | undefined): Buffer | undefined {
  if (!isField(o) || kind === 'protocol' || kind === 'bytes') return occurrenceBytes(o, frame);
  if (kind === 'ether') return etherDomain.fromOccurrence(o, frame);
  if (Buffer.isBuffer(o.value)) return o.value;
  const text = typeof o.value === 'string' ? o.value : o.text;
  if (kind === 'ipv4') return parseIpv4(text);
  if (kind === 'ipv6') return parseIpv6(text);
  return Buffer.from(text, 'utf8');
}

/** One range of a slice (parser.ts SliceRange), applied to bytes: undefined when it reaches past them. */
export function sliceOf(bytes: Buffer, ranges: ReadonlyArray<{ start: number; length?: number; last?: number }>): Buffer | undefined {
  const parts: Buffer[] = [];
  for (const r of ranges) {
    const start = r.start < 0 ? bytes.length + r.start : r.start;
    const end = r.last !== undefined ? (r.last < 0 ? bytes.length + r.last : r.last) + 1 : r.length !== undefined ? start + r.length : bytes.length;
    if (start < 0 || start > bytes.length || end > bytes.length || end <= start) return undefined;
    parts.push(bytes.subarray(start, end));
  }
  return parts.length === 1 ? parts[0] : Buffer.concat(parts);
}
