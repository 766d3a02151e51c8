/**
 * Value formatting shared by the application-protocol dissectors, matching what tshark 4.0 prints
 * with `-T fields` (addresses, MACs, NTP timestamps, printable strings).
 */

export function ipv4Text(data: Buffer, offset: number): string {
  return `${data[offset]}.${data[offset + 1]}.${data[offset + 2]}.${data[offset + 3]}`;
}

/** RFC 5952 text form (longest run of zero groups compressed, lowercase), as Wireshark prints it. */
export function ipv6Text(data: Buffer, offset: number): string {
  const groups: number[] = [];
  for (let i = 0; i < 8; i++) groups.push(data.readUInt16BE(offset + 2 * i));
  // IPv4-mapped (::ffff:a.b.c.d) is printed with a dotted tail by Wireshark.
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    return `::ffff:${ipv4Text(data, offset + 12)}`;
  }
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  const text = groups.map((g) => g.toString(16));
  if (bestStart < 0) return text.join(':');
  const head = text.slice(0, bestStart).join(':');
  const tail = text.slice(bestStart + bestLen).join(':');
  return `${head}::${tail}`;
}

export function macText(data: Buffer, offset: number, length = 6): string {
  const parts: string[] = [];
  for (let i = 0; i < length; i++) parts.push(data[offset + i]!.toString(16).padStart(2, '0'));
  return parts.join(':');
}

/** Bytes as plain lowercase hex without separators (tshark's form for some FT_BYTES, e.g. tls.handshake.random). */
export function plainHex(bytes: Buffer): string {
  return bytes.toString('hex');
}

/**
 * A string field as Wireshark 4.0 shows it: printable ASCII kept, other bytes escaped as C does
 * (\n, \r, \t, \xNN), which is what format_text() produces.
 */
export function printable(bytes: Buffer): string {
  // Text is the common case (HTTP lines and bodies): one decode, and only the rare byte escaped.
  const text = bytes.toString('latin1');
  return PLAIN.test(text) ? text : text.replace(NOT_PLAIN, escapeChar);
}

/**
 * Text as Wireshark 4.0's format_text() shows it (wsutil/str_util.c), what tvb_format_text gives
 * tree lines of text protocols (HTTP's lines, "Line-based text data"): printable ASCII and
 * printable UTF-8 characters kept, \a \b \f \n \r \t \v and other ASCII controls as C escapes
 * (octal), broken UTF-8 as U+FFFD, non-printable non-ASCII characters as \uXXXX / \UXXXXXXXX (upper-case hex).
 */
export function formatText(bytes: Buffer): string {
  const ascii = bytes.toString('latin1');
  if (PLAIN.test(ascii)) return ascii;
  let out = '';
  let at = 0;
  const end = bytes.length;
  while (at < end) {
    let c = bytes[at++]!;
    if (c >= 0x20 && c < 0x7f) {
      out += String.fromCharCode(c);
      continue;
    }
    if (c < 0x80) {
      out += CONTROL_ESCAPES[c] ?? `\\${c.toString(8).padStart(3, '0')}`;
      continue;
    }
    const extra = (c & 0xe0) === 0xc0 ? 1 : (c & 0xf0) === 0xe0 ? 2 : (c & 0xf8) === 0xf0 ? 3 : (c & 0xfc) === 0xf8 ? 4 : (c & 0xfe) === 0xfc ? 5 : -1;
    let uc = REPLACEMENT;
    if (extra > 0) {
      uc = c & (0x3f >> extra);
      for (let i = 0; i < extra; i++) {
        if (at >= end) {
          uc = REPLACEMENT;
          break;
        }
        c = bytes[at]!;
        if ((c & 0xc0) !== 0x80) {
          uc = REPLACEMENT;
          break;
        }
        at++;
        uc = uc * 64 + (c & 0x3f);
      }
      if (uc >= 0x110000 || (uc >= 0xd800 && uc <= 0xdfff)) uc = REPLACEMENT;
    }
    const char = String.fromCodePoint(uc);
    if (!NOT_PRINTABLE_UNICODE.test(char)) out += char;
    else if (uc < 0x80) out += CONTROL_ESCAPES[uc] ?? `\\${uc.toString(8).padStart(3, '0')}`;
    else out += uc <= 0xffff ? `\\u${uc.toString(16).toUpperCase().padStart(4, '0')}` : `\\U${uc.toString(16).toUpperCase().padStart(8, '0')}`;
  }
  return out;
}

/**
 * A tree label as Wireshark keeps it: 239 bytes of UTF-8 at most; a longer one is marked
 * " [truncated]" in front and cut to 238 bytes, never inside a character (proto.c label_mark_truncated).
 */
export function truncatedLabel(text: string): string {
  if (text.length < 240 && (PLAIN.test(text) || Buffer.byteLength(text) < 240)) return text;
  if (PLAIN.test(text)) return ` [truncated]${text}`.slice(0, 238);
  const marked = Buffer.from(` [truncated]${text}`);
  let cut = 238;
  while (cut > 0 && (marked[cut]! & 0xc0) === 0x80) cut--;
  return marked.toString('utf8', 0, cut);
}

/**
 * "Name: value" as Wireshark labels a field: longer than 239 bytes of UTF-8, it becomes
 * "Name [truncated]: value" cut to 238 bytes, never inside a character (label_mark_truncated).
 */
export function namedTruncated(name: string, value: string): string {
  const text = `${name}: ${value}`;
  if (text.length < 240 && (PLAIN.test(text) || Buffer.byteLength(text) < 240)) return text;
  const marked = Buffer.from(`${name} [truncated]: ${value}`);
  if (marked.length <= 238) return marked.toString('utf8');
  let cut = 238;
  while (cut > 0 && (marked[cut]! & 0xc0) === 0x80) cut--;
  return marked.toString('utf8', 0, cut);
}

/**
 * A byte string read as tshark reads ENC_ASCII strings into fields (http.file_data): up to the
 * first NUL, bytes above 0x7f as U+FFFD; CR, LF and tab written as \\r, \\n, \\t as -T fields
 * prints them, other bytes as they are.
 */
export function asciiFieldText(bytes: Buffer): string {
  const nul = bytes.indexOf(0);
  const text = bytes.toString('latin1', 0, nul < 0 ? bytes.length : nul);
  return text.replace(ASCII_FIELD_SPECIAL, (c) => (c === '\r' ? '\\r' : c === '\n' ? '\\n' : c === '\t' ? '\\t' : '\ufffd'));
}
const ASCII_FIELD_SPECIAL = /[\r\n\t\x80-\xff]/g;

const REPLACEMENT = 0xfffd;
/** glib's g_unichar_isprint is false for controls, format characters, unassigned code points and surrogates. */
const NOT_PRINTABLE_UNICODE = /^[\p{Cc}\p{Cf}\p{Cn}\p{Cs}]$/u;
const CONTROL_ESCAPES: Record<number, string> = { 7: '\\a', 8: '\\b', 12: '\\f', 10: '\\n', 13: '\\r', 9: '\\t', 11: '\\v' };

const PLAIN = /^[\x20-\x7e]*$/;
const NOT_PLAIN = /[^\x20-\x7e]/g;
const ESCAPES: string[] = Array.from({ length: 256 }, (_, b) =>
  b === 0x0a ? '\\n' : b === 0x0d ? '\\r' : b === 0x09 ? '\\t' : `\\x${b.toString(16).padStart(2, '0')}`,
);
function escapeChar(c: string): string {
  return ESCAPES[c.charCodeAt(0)]!;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Seconds between the NTP era-0 epoch (1900) and the Unix epoch. */
const NTP_UNIX_OFFSET = 2208988800n;

/**
 * An NTP 64-bit timestamp as tshark 4.0 prints FT_ABSOLUTE_TIME (UTC): `Jan  1, 1970 00:00:00.000000000 UTC`;
 * all-zero prints as `Jan  1, 1970 00:00:00.000000000 UTC` too, as Wireshark shows NULL time.
 */
export function ntpTimestampText(seconds: number, fraction: number): string {
  if (seconds === 0 && fraction === 0) return 'Jan  1, 1970 00:00:00.000000000 UTC';
  // Era 0 (1900–2036); timestamps with the top bit clear are taken as era 1 as RFC 4330 advises.
  let unix = BigInt(seconds) - NTP_UNIX_OFFSET;
  if ((seconds & 0x80000000) === 0) unix += 0x100000000n;
  const nanos = (BigInt(fraction) * 1000000000n) >> 32n;
  return absoluteTimeText(unix, Number(nanos));
}

export function absoluteTimeText(unixSeconds: bigint, nanos: number): string {
  const d = new Date(Number(unixSeconds) * 1000);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')}, ${d.getUTCFullYear()} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(nanos, 9)} UTC`;
}
