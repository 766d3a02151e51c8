/**
 * tcpdump's time stamp column (util-print.c ts_print) for -t variants. Local time follows the TZ
 * environment variable through the JavaScript Date, as tcpdump's localtime() does.
 */

export type TimestampMode = 'default' | 'none' | 'epoch' | 'delta' | 'date' | 'since-first';

/** What -ttt / -ttttt remember between packets. */
export interface TimestampState {
  reference?: { sec: bigint; frac: bigint };
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
