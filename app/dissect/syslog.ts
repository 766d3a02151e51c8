/**
 * Syslog over UDP 514, as tshark 4.0 shows it: the <PRI> part as facility and level, the message,
 * and under it the header Wireshark parses: RFC 5424's version, timestamp, hostname, app name,
 * process id and message id, or RFC 3164's "Mmm dd hh:mm:ss" timestamp, hostname and process id.
 */
import { dissectSafely, hex, LayerBuilder, StopDissection } from './builder';
import { absoluteTimeText } from './app-format';
import type { AppDissector, AppResult } from './model';

export const SYSLOG_PORT = 514;

const LEVELS = ['EMERG', 'ALERT', 'CRIT', 'ERR', 'WARNING', 'NOTICE', 'INFO', 'DEBUG'];
const LEVEL_TEXTS = [
  'system is unusable', 'action must be taken immediately', 'critical conditions', 'error conditions', 'warning conditions',
  'normal but significant condition', 'informational', 'debug-level messages',
];
const FACILITIES = [
  'KERN', 'USER', 'MAIL', 'DAEMON', 'AUTH', 'SYSLOG', 'LPR', 'NEWS', 'UUCP', 'CRON', 'AUTHPRIV', 'FTP', 'NTP', 'LOGAUDIT', 'LOGALERT', 'CRON',
  'LOCAL0', 'LOCAL1', 'LOCAL2', 'LOCAL3', 'LOCAL4', 'LOCAL5', 'LOCAL6', 'LOCAL7',
];
const FACILITY_TEXTS = [
  'kernel messages', 'random user-level messages', 'mail system', 'system daemons', 'security/authorization messages',
  'messages generated internally by syslogd', 'line printer subsystem', 'network news subsystem', 'UUCP subsystem',
  'clock daemon (BSD, Linux)', 'security/authorization messages (private)', 'ftp daemon', 'ntp subsystem', 'log audit', 'log alert',
  'clock daemon (Solaris)',
];
const MAX_DIGITS = 3;
const SPACE = 0x20;
const INFO_MAX = 4095;

export const syslogDissector: AppDissector = {
  protocol: 'syslog',
  udpPorts: [SYSLOG_PORT],
  dissect: (data, offset, end, ctx) => dissectSyslog(data, offset, end, ctx.fields, ctx.columns !== false),
};

/** `columns` false: nobody reads Info, so the message is not formatted for it (it can be 64 KiB). */
export function dissectSyslog(data: Buffer, offset: number, end: number, selection?: ReadonlySet<string>, columns = true): AppResult {
  const b = new LayerBuilder(data, 'syslog', 'Syslog message', offset, end, selection);
  let info = '';
  const stop = Math.min(end, data.length);
  dissectSafely(b, () => {
    let at = offset;
    let pri = -1;
    if (b.u8(at, 'message') === 0x3c) {
      at++;
      pri = 0;
      while (at < stop && isDigit(data[at]!) && at - offset <= MAX_DIGITS) pri = pri * 10 + data[at++]! - 0x30;
      if (b.u8(at, 'priority') === 0x3e) at++;
    }
    if (at >= stop) b.need(at, 1, 'message');
    const facility = (pri & 0x3f8) >> 3;
    const level = pri & 7;
    const message = data.subarray(at, stop);
    const prefix = pri >= 0 ? `${FACILITIES[facility] ?? 'UNKNOWN'}.${LEVELS[level]}: ` : '';
    if (columns) info = `${prefix}${formatText(message)}`;
    b.title(() => `Syslog message: ${pri >= 0 ? prefix : '(unknown): '}${formatText(message)}`);
    if (pri >= 0) {
      const byte = pri & 0xff;
      b.add('syslog.facility', () => `${bits(byte, 0xf8)} = Facility: ${facility < FACILITY_TEXTS.length ? `${FACILITIES[facility]} - ${FACILITY_TEXTS[facility]}` : facility < 24 ? `${FACILITIES[facility]} - reserved for local use` : 'Unknown'} (${facility})`, facility, offset, at - offset);
      b.add('syslog.level', () => `${bits(byte, 0x07)} = Level: ${LEVELS[level]} - ${LEVEL_TEXTS[level]} (${level})`, level, offset, at - offset);
    }
    const text = untilNul(message);
    b.group('syslog.msg', () => `Message: ${formatText(text)}`, text.toString('utf8'), at, message.length, () => {
      if (message.length > 2 && message[0] === 0x31 && message[1] === SPACE) rfc5424(b, at, stop);
      else if (message.length > 15) rfc3164(b, at, stop);
    }, () => fieldText(text.toString('utf8')));
  });
  // Wireshark's Info column holds at most COL_MAX_INFO_LEN (4096) bytes with its NUL.
  if (info.length > INFO_MAX) info = info.slice(0, INFO_MAX);
  if (b.layer.status === 'malformed') info += '[Malformed Packet]';
  return { layers: [b.layer], protocolColumn: 'Syslog', info };
}

/** One space-terminated header part as a string field; false (nothing added) when no space follows. */
function spaceField(b: LayerBuilder, at: { offset: number }, stop: number, abbrev: string, label: string): boolean {
  const space = b.data.indexOf(SPACE, at.offset);
  if (space < 0 || space >= stop) return false;
  stringField(b, abbrev, label, at.offset, space, false);
  at.offset = space + 1;
  return true;
}

function stringField(b: LayerBuilder, abbrev: string, label: string, start: number, stop: number, utf8: boolean): void {
  const bytes = untilNul(b.data.subarray(start, stop));
  const value = utf8 ? bytes.toString('utf8') : asciiText(bytes);
  b.add(abbrev, () => `${label}: ${utf8 ? formatText(bytes) : formatText(Buffer.from(value, 'utf8'))}`, value, start, stop - start, () => fieldText(value));
}

function rfc5424(b: LayerBuilder, start: number, stop: number): void {
  const data = b.data;
  const at = { offset: start };
  if (!spaceField(b, at, stop, 'syslog.version', 'Syslog version')) return;
  const space = data.indexOf(SPACE, at.offset);
  if (space < 0 || space >= stop) return;
  if (space !== at.offset) {
    const text = timestampText(data.toString('latin1', at.offset, space));
    b.add('syslog.timestamp', () => `Syslog timestamp: ${text}`, text, at.offset, space - at.offset);
  }
  at.offset = space + 1;
  if (!spaceField(b, at, stop, 'syslog.hostname', 'Syslog hostname')) return;
  if (!spaceField(b, at, stop, 'syslog.appname', 'Syslog app name')) return;
  if (!spaceField(b, at, stop, 'syslog.procid', 'Syslog process id')) return;
  b.need(at.offset, 3, 'message id');
  if (data[at.offset] === 0xef && data[at.offset + 1] === 0xbb && data[at.offset + 2] === 0xbf) {
    b.add('syslog.msgid.bom', 'Syslog BOM: 0xefbbbf', 0xefbbbf, at.offset, 3, hex(0xefbbbf, 6));
    stringField(b, 'syslog.msgid', 'Syslog message id', at.offset + 3, stop, true);
  } else {
    stringField(b, 'syslog.msgid', 'Syslog message id', at.offset, stop, false);
  }
}

function rfc3164(b: LayerBuilder, start: number, stop: number): void {
  const data = b.data;
  // "Mmm dd hh:mm:ss " told by its spaces and colons, as Wireshark checks it.
  if (data[start + 3] !== SPACE || data[start + 6] !== SPACE || data[start + 9] !== 0x3a || data[start + 12] !== 0x3a || data[start + 15] !== SPACE) return;
  stringField(b, 'syslog.timestamp_rfc3164', 'Syslog timestamp (RFC3164)', start, start + 15, false);
  const at = { offset: start + 16 };
  if (!spaceField(b, at, stop, 'syslog.hostname', 'Syslog hostname')) return;
  for (let i = at.offset; i < at.offset + 32; i++) {
    if (i >= stop) throw new StopDissection(i >= b.end ? 'malformed' : 'truncated', 'process id runs past the end of the syslog data');
    if (!isAlnum(data[i]!)) {
      stringField(b, 'syslog.procid', 'Syslog process id', at.offset, i, false);
      at.offset = i;
      break;
    }
  }
  stringField(b, 'syslog.msgid', 'Syslog message id', at.offset, stop, false);
}

/** An RFC 5424 timestamp (ISO 8601) as tshark prints FT_ABSOLUTE_TIME in UTC; the epoch when it does not parse. */
export function timestampText(text: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/.exec(text);
  if (!m) return 'Jan  1, 1970 00:00:00 UTC';
  const [, y, mo, d, h, mi, s, fraction, zone] = m;
  let seconds = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)) / 1000;
  if (zone !== 'Z') seconds -= (zone![0] === '-' ? -1 : 1) * (Number(zone!.slice(1, 3)) * 3600 + Number(zone!.slice(4, 6)) * 60);
  return absoluteTimeText(BigInt(seconds), Number((fraction ?? '').padEnd(9, '0')));
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function isAlnum(c: number): boolean {
  return isDigit(c) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

function bits(value: number, mask: number): string {
  let s = '';
  for (let bit = 7; bit >= 0; bit--) {
    s += mask & (1 << bit) ? (value & (1 << bit) ? '1' : '0') : '.';
    if (bit === 4) s += ' ';
  }
  return s;
}

function untilNul(bytes: Buffer): Buffer {
  const nul = bytes.indexOf(0);
  return nul < 0 ? bytes : bytes.subarray(0, nul);
}

/** ENC_ASCII: bytes above 0x7f each become U+FFFD. */
function asciiText(bytes: Buffer): string {
  let s = '';
  for (const c of bytes) s += c < 0x80 ? String.fromCharCode(c) : '\ufffd';
  return s;
}

const C_ESCAPES: Record<number, string> = { 7: '\\a', 8: '\\b', 9: '\\t', 10: '\\n', 11: '\\v', 12: '\\f', 13: '\\r' };
const NOT_PRINTABLE = /[\p{Cc}\p{Cf}\p{Cn}\p{Cs}]/u;

/**
 * Text as Wireshark's format_text() shows it in Info and tree lines: UTF-8 decoded (bad bytes as
 * U+FFFD), C escapes for \t \n \r ..., other control bytes in octal (\000), other unprintable
 * characters as \uXXXX.
 */
export function formatText(bytes: Buffer): string {
  const text = bytes.toString('utf8');
  if (/^[\x20-\x7e]*$/.test(text)) return text;
  let s = '';
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (code < 0x20 || code === 0x7f) s += C_ESCAPES[code] ?? `\\${code.toString(8).padStart(3, '0')}`;
    else if (code !== 0xfffd && NOT_PRINTABLE.test(ch)) s += code > 0xffff ? `\\U${code.toString(16).toUpperCase().padStart(8, '0')}` : `\\u${code.toString(16).toUpperCase().padStart(4, '0')}`;
    else s += ch;
  }
  return s;
}

/** A string as tshark 4.0 prints it with -T fields: \t \n \r escaped, other characters as they are. */
export function fieldText(value: string): string {
  return /[\t\n\r]/.test(value) ? value.replace(/[\t\n\r]/g, (c) => (c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r')) : value;
}
