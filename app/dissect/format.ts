/**
 * Value formatting as `tshark -T fields` prints it: addresses, fixed-width hex, time stamps.
 * Kept free of allocation-heavy helpers because it runs for every field of every packet.
 */

const HEX2: string[] = [];
for (let i = 0; i < 256; i++) HEX2.push(i.toString(16).padStart(2, '0'));

/** 'aa:bb:cc:dd:ee:ff' (also used for any colon-separated byte string, as tshark prints FT_BYTES). */
export function macText(data: Buffer, offset: number, length = 6): string {
  let s = HEX2[data[offset]!]!;
  for (let i = 1; i < length; i++) s += ':' + HEX2[data[offset + i]!]!;
  return s;
}

/** The character codes of the lower-case hex digits, by value. */
export const HEX_DIGITS = Buffer.from('0123456789abcdef', 'latin1');

/**
 * Bytes as tshark prints FT_BYTES with separators ('0a:1b:2c'; '' for none). Payloads and bodies
 * can be tens of kilobytes: written into one buffer, not with a regular expression (a replace of
 * every byte pair cost ~220 ns a byte on a 64 KiB body, this ~13).
 */
export function colonHex(bytes: Uint8Array): string {
  const n = bytes.length;
  if (n === 0) return '';
  if (n <= 16) {
    let s = HEX2[bytes[0]!]!;
    for (let i = 1; i < n; i++) s += ':' + HEX2[bytes[i]!]!;
    return s;
  }
  const out = Buffer.allocUnsafe(n * 3 - 1);
  out[0] = HEX_DIGITS[bytes[0]! >> 4]!;
  out[1] = HEX_DIGITS[bytes[0]! & 15]!;
  for (let i = 1, j = 2; i < n; i++, j += 3) {
    const v = bytes[i]!;
    out[j] = 0x3a;
    out[j + 1] = HEX_DIGITS[v >> 4]!;
    out[j + 2] = HEX_DIGITS[v & 15]!;
  }
  return out.toString('latin1');
}

/** Bytes as tshark prints FT_BYTES in -T fields: plain lower-case hex without separators. */
export function bytesHex(data: Buffer, offset: number, length: number): string {
  return data.toString('hex', offset, offset + length);
}

/** An FT_BYTES value as a tree label shows it: at most 36 bytes in hex, then '…'. */
export function bytesLabelHex(data: Buffer, offset: number, length: number): string {
  return length > 36 ? `${data.toString('hex', offset, offset + 36)}…` : data.toString('hex', offset, offset + length);
}

/**
 * Big-endian reads without Buffer's argument checks, for the per-packet headers: only where a
 * LayerBuilder.need() (or a length test) has already proved the bytes are there.
 */
export function be16(data: Buffer, at: number): number {
  return (data[at]! << 8) | data[at + 1]!;
}

export function be32(data: Buffer, at: number): number {
  return data[at]! * 0x1000000 + ((data[at + 1]! << 16) | (data[at + 2]! << 8) | data[at + 3]!);
}

export function ipv4Text(data: Buffer, offset: number): string {
  if (offset < 0 || offset + 4 > data.length) return `${data[offset]}.${data[offset + 1]}.${data[offset + 2]}.${data[offset + 3]}`;
  // Most frames carry addresses seen before: a direct-mapped cache of their texts makes no string
  // for them (every IPv4 frame asks for two, in every dissection of it).
  const key = ((data[offset]! << 24) | (data[offset + 1]! << 16) | (data[offset + 2]! << 8) | data[offset + 3]!) | 0;
  const slot = Math.imul(key, 0x9e3779b1) >>> (32 - V4_CACHE_BITS);
  const cached = v4CacheTexts[slot]!;
  if (cached !== '' && v4CacheKeys[slot] === key) return cached;
  const text = `${data[offset]}.${data[offset + 1]}.${data[offset + 2]}.${data[offset + 3]}`;
  v4CacheKeys[slot] = key;
  v4CacheTexts[slot] = text;
  return text;
}

/** The texts of IPv4 addresses seen last (ipv4Text), by a hash of the address: 2^V4_CACHE_BITS slots. */
const V4_CACHE_BITS = 10;
const v4CacheKeys = new Int32Array(1 << V4_CACHE_BITS);
const v4CacheTexts: string[] = new Array<string>(1 << V4_CACHE_BITS).fill('');

/** The last IPv6 addresses made into text (a frame's two, and its neighbours'): 16 bytes each, and the text. */
const V6_CACHE_SIZE = 8;
const v6CacheBytes = Buffer.alloc(16 * V6_CACHE_SIZE);
const v6CacheTexts: string[] = new Array<string>(V6_CACHE_SIZE).fill('');
let v6CacheNext = 0;

/** RFC 5952 text form, as Wireshark prints IPv6 addresses (embedded IPv4 kept in hex, like Wireshark). */
export function ipv6Text(data: Buffer, offset: number): string {
  if (offset < 0 || offset + 16 > data.length) return ipv6TextOf(data, offset);
  // Most frames repeat the addresses of a recent one: compare bytes instead of formatting again.
  for (let slot = 0; slot < V6_CACHE_SIZE; slot++) {
    const base = slot * 16;
    let k = 15;
    while (k >= 0 && v6CacheBytes[base + k] === data[offset + k]) k--;
    if (k < 0 && v6CacheTexts[slot] !== '') return v6CacheTexts[slot]!;
  }
  const text = ipv6TextOf(data, offset);
  const slot = v6CacheNext;
  v6CacheNext = (v6CacheNext + 1) % V6_CACHE_SIZE;
  data.copy(v6CacheBytes, slot * 16, offset, offset + 16);
  v6CacheTexts[slot] = text;
  return text;
}

function ipv6TextOf(data: Buffer, offset: number): string {
  const words: number[] = new Array(8);
  for (let i = 0; i < 8; i++) words[i] = data.readUInt16BE(offset + i * 2);
  // Longest run of zero words (length >= 2) is compressed to '::'.
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (bestLen < 2) bestStart = -1;
  // IPv4-mapped and IPv4-compatible addresses are printed with a dotted quad, as inet_ntop does.
  if (bestStart === 0 && (bestLen === 5 && words[5] === 0xffff || bestLen === 6 && words[6] !== 0)) {
    const v4 = ipv4Text(data, offset + 12);
    return bestLen === 5 ? `::ffff:${v4}` : `::${v4}`;
  }
  let s = '';
  for (let i = 0; i < 8; i++) {
    if (i === bestStart) {
      s += i === 0 ? '::' : ':';
      i += bestLen - 1;
      continue;
    }
    s += words[i]!.toString(16);
    if (i < 7) s += ':';
  }
  return s;
}

/** Seconds with 9 decimals from nanoseconds, as tshark prints absolute and relative times. */
export function nsToSeconds(ns: bigint): string {
  const neg = ns < 0n;
  const abs = neg ? -ns : ns;
  const sec = abs / 1_000_000_000n;
  const frac = (abs % 1_000_000_000n).toString().padStart(9, '0');
  return `${neg ? '-' : ''}${sec}.${frac}`;
}

/** 'Not set' / 'Set' as Wireshark labels boolean flags. */
export function setText(v: boolean): string {
  return v ? 'Set' : 'Not set';
}

/**
 * The bit picture Wireshark puts in front of a bit field's label, e.g. '.1.. ....' for 0x40 of an
 * 8-bit field, with the field's value bits shown.
 */
export function bitPicture(value: number, mask: number, bits: number): string {
  // Flag fields repeat the same few pictures on every packet: keep them (bounded per mask).
  const masked = (value & mask) >>> 0;
  const key = mask * 64 + bits;
  let pictures = BIT_PICTURES.get(key);
  if (!pictures) BIT_PICTURES.set(key, (pictures = new Map()));
  let picture = pictures.get(masked);
  if (picture === undefined) {
    picture = drawBitPicture(masked, mask, bits);
    if (pictures.size < 1024) pictures.set(masked, picture);
  }
  return picture;
}

const BIT_PICTURES = new Map<number, Map<number, string>>();

function drawBitPicture(value: number, mask: number, bits: number): string {
  let shift = 0;
  while (mask !== 0 && ((mask >>> shift) & 1) === 0) shift++;
  const shifted = (value & mask) >>> 0;
  let s = '';
  for (let i = bits - 1; i >= 0; i--) {
    const bit = 2 ** i;
    s += Math.floor(mask / bit) % 2 === 1 ? (Math.floor(shifted / bit) % 2 === 1 ? '1' : '0') : '.';
    if (i % 4 === 0 && i !== 0) s += ' ';
  }
  return s;
}
