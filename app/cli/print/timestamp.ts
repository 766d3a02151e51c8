/**
 * tcpdump's time stamp column (util-print.c ts_print) for -t variants. Local time follows the TZ
 * environment variable through the JavaScript Date, as tcpdump's localtime() does.
 */

import type { LineBuffer } from './line-buffer';

export type TimestampMode = 'default' | 'none' | 'epoch' | 'delta' | 'date' | 'since-first';

/** What -ttt / -ttttt remember between packets, and the last second's clock text. */
export interface TimestampState {
  reference?: { sec: bigint; frac: bigint };
  /** Cache for the default and -tttt columns: packets of the same second share the clock text. */
  second?: { mode: TimestampMode; sec: number; text: string | undefined };
}

const p2 = (n: number): string => String(n).padStart(2, '0');

function fraction(frac: bigint, nano: boolean): string {
  return '.' + frac.toString().padStart(nano ? 9 : 6, '0');
}

function hms(sec: bigint, local: boolean): string | undefined {
  if (sec & 0x80000000n || sec < 0n) return undefined;
  const d = new Date(Number(sec) * 1000);
  if (local) return `${p2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())}`;
  return `${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}`;
}

function dateHms(sec: bigint): string | undefined {
  if (sec & 0x80000000n || sec < 0n) return undefined;
  const d = new Date(Number(sec) * 1000);
  return `${d.getFullYear()}-${p2(d.getMonth() + 1)}-${p2(d.getDate())} ` +
    `${p2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())}`;
}

const ERROR = '[Error converting time]';

/**
 * The default and -tttt columns without per-packet Date objects, BigInts or strings: the clock
 * text of the current second is kept, and the fraction is printed from the nanoseconds.
 */
function clockColumn(out: LineBuffer, sec: number, nsec: number, mode: 'default' | 'date', state: TimestampState, nano: boolean): void {
  let cached = state.second;
  if (cached === undefined || cached.sec !== sec || cached.mode !== mode) {
    const big = BigInt(sec);
    cached = { mode, sec, text: mode === 'default' ? hms(big, true) : dateHms(big) };
    state.second = cached;
  }
  if (cached.text === undefined) {
    out.text(ERROR + ' ');
    return;
  }
  out.text(cached.text);
  out.byte(0x2e);
  if (nano) out.zeroPadded(nsec, 9);
  else out.zeroPadded(Math.floor(nsec / 1000), 6);
  out.byte(0x20);
}

/** formatTimestamp's text appended to `out`. */
export function writeTimestamp(out: LineBuffer, tsNs: bigint, mode: TimestampMode, state: TimestampState, nano = false): void {
  const sec = tsNs / 1_000_000_000n;
  writeTimestampParts(out, Number(sec), Number(tsNs - sec * 1_000_000_000n), mode, state, nano);
}

/**
 * writeTimestamp for a time stamp given as whole seconds (an integer) and nanoseconds: 0 to
 * 999,999,999 when seconds are positive; the remainder of a truncating division otherwise.
 */
export function writeTimestampParts(out: LineBuffer, sec: number, nsec: number, mode: TimestampMode, state: TimestampState, nano = false): void {
  if ((mode === 'default' || mode === 'date') && sec >= 0 && nsec >= 0) clockColumn(out, sec, nsec, mode, state, nano);
  else out.text(formatTimestamp(BigInt(sec) * 1_000_000_000n + BigInt(nsec), mode, state, nano));
}

export function formatTimestamp(tsNs: bigint, mode: TimestampMode, state: TimestampState, nano = false): string {
  const unit = nano ? 1_000_000_000n : 1_000_000n;
  const sec = tsNs / 1_000_000_000n;
  const frac = nano ? tsNs % 1_000_000_000n : (tsNs % 1_000_000_000n) / 1000n;
  switch (mode) {
    case 'none':
      return '';
    case 'default': {
      const t = hms(sec, true);
      return (t === undefined ? ERROR : t + fraction(frac, nano)) + ' ';
    }
    case 'date': {
      const t = dateHms(sec);
      return (t === undefined ? ERROR : t + fraction(frac, nano)) + ' ';
    }
    case 'epoch':
      return (sec & 0x80000000n ? ERROR : `${sec}${fraction(frac, nano)}`) + ' ';
    case 'delta':
    case 'since-first': {
      // tcpdump treats a zero reference as "not set yet", so a first packet at 0.0 re-arms it.
      if (!state.reference || (state.reference.sec === 0n && state.reference.frac === 0n)) {
        state.reference = { sec, frac };
      }
      const now = sec * unit + frac;
      const ref = state.reference.sec * unit + state.reference.frac;
      const negative = now < ref;
      const diff = negative ? ref - now : now - ref;
      const t = hms(diff / unit, false);
      const text = (negative ? '-' : ' ') + (t === undefined ? ERROR : t + fraction(diff % unit, nano)) + ' ';
      if (mode === 'delta') state.reference = { sec, frac };
      return text;
    }
  }
}
