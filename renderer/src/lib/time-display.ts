/**
 * View › Time Display Format: the packet list's Time column in one of tshark's -t formats (the
 * engine formats it with the CLI's code: the `rows` request's `time`), at the time stamps' own
 * precision or a chosen one, seconds optionally as hours and minutes (-u hms). Wireshark's menu
 * labels and shortcuts; the choice is kept in localStorage.
 */
import type { TimeDisplay, TimeDisplayFormat } from '../../../app/rpc/engine-protocol';

export interface TimeFormatChoice {
  format: TimeDisplayFormat;
  label: string;
  /** Wireshark's accelerator (Ctrl+Alt+digit), if any. */
  digit?: string;
}

/** In Wireshark's menu order. */
export const TIME_FORMAT_CHOICES: readonly TimeFormatChoice[] = [
  { format: 'ad', label: 'Date and Time of Day (1970-01-01 01:02:03.123456)', digit: '1' },
  { format: 'adoy', label: 'Year, Day of Year, and Time of Day (1970/001 01:02:03.123456)' },
  { format: 'a', label: 'Time of Day (01:02:03.123456)', digit: '2' },
  { format: 'e', label: 'Seconds Since 1970-01-01', digit: '3' },
  { format: 'r', label: 'Seconds Since Beginning of Capture', digit: '4' },
  { format: 'd', label: 'Seconds Since Previous Captured Packet', digit: '5' },
  { format: 'dd', label: 'Seconds Since Previous Displayed Packet', digit: '6' },
  { format: 'ud', label: 'UTC Date and Time of Day (1970-01-01 01:02:03.123456)', digit: '7' },
  { format: 'udoy', label: 'UTC Year, Day of Year, and Time of Day (1970/001 01:02:03.123456)' },
  { format: 'u', label: 'UTC Time of Day (01:02:03.123456)', digit: '8' },
];

/** null: automatic (the time stamps' own precision). */
export const PRECISION_CHOICES: ReadonlyArray<{ precision: number | null; label: string }> = [
  { precision: null, label: 'Automatic (from capture file)' },
  { precision: 0, label: 'Seconds' },
  { precision: 1, label: 'Tenths of a second' },
  { precision: 2, label: 'Hundredths of a second' },
  { precision: 3, label: 'Milliseconds' },
  { precision: 6, label: 'Microseconds' },
  { precision: 9, label: 'Nanoseconds' },
];

export const DEFAULT_TIME_DISPLAY: TimeDisplay = { format: 'r' };
const KEY = 'sievecap.timeDisplay';
const FORMATS = new Set<string>(TIME_FORMAT_CHOICES.map((c) => c.format));

export function loadTimeDisplay(storage: Pick<Storage, 'getItem'> | null): TimeDisplay {
  try {
    const saved = JSON.parse(storage?.getItem(KEY) ?? 'null') as Partial<TimeDisplay> | null;
    if (saved && typeof saved.format === 'string' && FORMATS.has(saved.format)) {
      const out: TimeDisplay = { format: saved.format };
      if (typeof saved.precision === 'number' && Number.isInteger(saved.precision) && saved.precision >= 0 && saved.precision <= 9) out.precision = saved.precision;
      if (saved.hms === true) out.hms = true;
      return out;
    }
  } catch {
    // the default
  }
  return { ...DEFAULT_TIME_DISPLAY };
}

export function saveTimeDisplay(storage: Pick<Storage, 'setItem'> | null, t: TimeDisplay): void {
  try {
    storage?.setItem(KEY, JSON.stringify(t));
  } catch {
    // not kept
  }
}

/**
 * The time display after a menu command ('time-format-ad', 'time-precision-3', 'time-precision-auto',
 * 'time-hms'), or null when the command is not one of these.
 */
export function timeDisplayCommand(current: TimeDisplay, command: string): TimeDisplay | null {
  const next: TimeDisplay = { ...current };
  if (command.startsWith('time-format-')) {
    const format = command.slice('time-format-'.length);
    if (!FORMATS.has(format)) return null;
    next.format = format as TimeDisplayFormat;
    return next;
  }
  if (command === 'time-precision-auto') {
    delete next.precision;
    return next;
  }
  const m = /^time-precision-(\d)$/.exec(command);
  if (m) {
    next.precision = Number(m[1]);
    return next;
  }
  if (command === 'time-hms') {
    if (next.hms) delete next.hms;
    else next.hms = true;
    return next;
  }
  return null;
}

/** The Time column's least width for a format, px (its text at nanoseconds in 13 px tabular digits). */
export function timeColumnWidth(t: TimeDisplay): number {
  const digits = t.precision ?? 9;
  const chars = { ad: 20, ud: 20, adoy: 18, udoy: 18, a: 9, u: 9, e: 11, r: 4, d: 3, dd: 3 }[t.format] + (digits > 0 ? digits + 1 : 0) + (t.hms && (t.format === 'r' || t.format === 'd' || t.format === 'dd') ? 8 : 0);
  return Math.max(110, Math.ceil(chars * 7.6) + 14);
}
