/**
 * The Time column of tshark's summary line and of the window's packet list (View › Time Display
 * Format): tshark's -t formats and -u seconds formats, at the precision of the packet's time
 * stamps (tshark's "automatic" precision: 6 digits for a microsecond pcap, 9 for a nanosecond pcap
 * or pcapng interface and for live captures) or a chosen one, truncated as tshark truncates.
 * Absolute times follow the TZ environment variable, as tshark's localtime(). The CLI (-t, -u) and
 * the engine's `rows` request (its `time` parameter) both format with timeColumnText.
 */
import type { TimestampResolution } from '../pcap/packet';
import type { TimeDisplayFormat } from '../rpc/engine-protocol';

export type { TimeDisplayFormat };

/** tshark's digits after the point for a time stamp resolution (wiretap's WTAP_TSPREC_*). */
export function precisionDigits(resolution: TimestampResolution | undefined): number {
  if (resolution === undefined) return 6;
  const unitsPerSecond = resolution.base === 10 ? 10 ** resolution.exponent : 2 ** resolution.exponent;
  if (unitsPerSecond >= 1e9) return 9;
  if (unitsPerSecond >= 1e6) return 6;
  if (unitsPerSecond >= 1e3) return 3;
  if (unitsPerSecond >= 100) return 2;
  if (unitsPerSecond >= 10) return 1;
  return 0;
}

const two = (n: number): string => String(n).padStart(2, '0');

/** The first `digits` digits of a nanosecond fraction, with its point; nothing for 0 digits. */
function fraction(ns: bigint, digits: number): string {
  if (digits === 0) return '';
  return '.' + ns.toString().padStart(9, '0').slice(0, digits);
}

/** Seconds (may be negative) as tshark shows a relative or delta time: `-0.000012`, or `1h  2m  3.000000s` with -u hms. */
function signedSeconds(ns: bigint, digits: number, hms: boolean): string {
  const negative = ns < 0n;
  const abs = negative ? -ns : ns;
  const sec = abs / 1_000_000_000n;
  const frac = fraction(abs % 1_000_000_000n, digits);
  if (!hms) return `${negative ? '-' : ''}${sec}${frac}`;
  // epan/column-utils.c set_time_hour_min_sec: fields of width 2 after the first.
  const sign = negative ? '- ' : '';
  const s = Number(sec);
  if (s >= 3600) return `${sign}${Math.floor(s / 3600)}h ${String(Math.floor(s / 60) % 60).padStart(2)}m ${String(s % 60).padStart(2)}${frac}s`;
  if (s >= 60) return `${sign}${Math.floor(s / 60)}m ${String(s % 60).padStart(2)}${frac}s`;
  return `${sign}${s}${frac}s`;
}

function absolute(tsNs: bigint, digits: number, format: 'a' | 'ad' | 'adoy' | 'u' | 'ud' | 'udoy'): string {
  const sec = tsNs / 1_000_000_000n;
  const ns = tsNs - sec * 1_000_000_000n;
  const d = new Date(Number(sec) * 1000);
  const utc = format[0] === 'u';
  const year = utc ? d.getUTCFullYear() : d.getFullYear();
  const month = utc ? d.getUTCMonth() : d.getMonth();
  const day = utc ? d.getUTCDate() : d.getDate();
  const clock = `${two(utc ? d.getUTCHours() : d.getHours())}:${two(utc ? d.getUTCMinutes() : d.getMinutes())}:${two(utc ? d.getUTCSeconds() : d.getSeconds())}${fraction(ns, digits)}`;
  if (format === 'a' || format === 'u') return clock;
  if (format === 'ad' || format === 'ud') return `${year}-${two(month + 1)}-${two(day)} ${clock}`;
  const start = utc ? Date.UTC(year, 0, 1) : new Date(year, 0, 1).getTime();
  const startOfDay = utc ? Date.UTC(year, month, day) : new Date(year, month, day).getTime();
  const dayOfYear = Math.round((startOfDay - start) / 86_400_000) + 1;
  return `${year}/${String(dayOfYear).padStart(3, '0')} ${clock}`;
}

/** What one packet's Time column is made of. */
export interface PacketTimes {
  /** Its time stamp, ns since the epoch. */
  tsNs: bigint;
  /** Since the first packet (frame.time_relative) and since the previous one captured (frame.time_delta). */
  relativeNs: bigint;
  deltaNs: bigint;
  /** Since the previous packet displayed (frame.time_delta_displayed): 0 for the first one. */
  deltaDisplayedNs: bigint;
}

/** A packet's Time column in `format`, with `digits` after the point; `hms`: tshark's -u hms. */
export function timeColumnText(format: TimeDisplayFormat, t: PacketTimes, digits: number, hms = false): string {
  switch (format) {
    case 'r':
      return signedSeconds(t.relativeNs, digits, hms);
    case 'd':
      return signedSeconds(t.deltaNs, digits, hms);
    case 'dd':
      return signedSeconds(t.deltaDisplayedNs, digits, hms);
    case 'e': {
      const negative = t.tsNs < 0n;
      const abs = negative ? -t.tsNs : t.tsNs;
      return `${negative ? '-' : ''}${abs / 1_000_000_000n}${fraction(abs % 1_000_000_000n, digits)}`;
    }
    default:
      return absolute(t.tsNs, digits, format);
  }
}

/** One summary's Time column, packet after packet (dd remembers the previous displayed packet). */
export class TimeColumn {
  private previousDisplayedNs: bigint | undefined;

  constructor(
    private readonly format: TimeDisplayFormat = 'r',
    private readonly seconds: 's' | 'hms' = 's',
  ) {}

  /**
   * The column of a displayed packet: its time stamp, its time since the first packet and since
   * the previous one read (frame.time_relative, frame.time_delta), and its precision in digits.
   */
  text(tsNs: bigint, relativeNs: bigint, deltaNs: bigint, digits: number): string {
    const previous = this.previousDisplayedNs;
    this.previousDisplayedNs = tsNs;
    return timeColumnText(this.format, { tsNs, relativeNs, deltaNs, deltaDisplayedNs: previous === undefined ? 0n : tsNs - previous }, digits, this.seconds === 'hms');
  }
}
