/**
 * Numbers, sizes, times and paths as the whole window shows them — the one place for them.
 * Sizes are SI (base 1000: B, kB, MB, GB, TB), as Wireshark's statistics dialogs and its status bar.
 */

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** 1234567 → '1,234,567'; '' for null/undefined. */
export function formatCount(n: number | null | undefined): string {
  return n === null || n === undefined ? '' : integer.format(n);
}

const SIZE_UNITS = ['kB', 'MB', 'GB', 'TB'];

/** Bytes for people: '912 B', '1.5 kB', '25 MB' (base 1000); '' for null/undefined. */
export function formatBytes(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '';
  if (n < 0) return `-${formatBytes(-n)}`;
  if (n < 1000) return `${Math.round(n)} B`;
  let value = n;
  let unit = -1;
  while (value >= 1000 && unit < SIZE_UNITS.length - 1) {
    value /= 1000;
    unit++;
  }
  let text = value < 10 ? value.toFixed(1) : String(Math.round(value));
  // 999,960 B is 999.96 kB, which rounds to "1000 kB": say "1.0 MB" instead.
  if (Number(text) >= 1000 && unit < SIZE_UNITS.length - 1) {
    unit++;
    text = (Number(text) / 1000).toFixed(1);
  }
  return `${text} ${SIZE_UNITS[unit]}`;
}

/** Seconds with a fixed number of decimals ('0.000123'); '' for null. */
export function formatSeconds(s: number | null | undefined, digits = 6): string {
  return s === null || s === undefined ? '' : s.toFixed(digits);
}

/** A packet rate for a sparkline's label: '0', '12', '1.2k', '3.4M' per second. */
export function formatRate(perSecond: number): string {
  if (perSecond < 1) return perSecond === 0 ? '0' : perSecond.toFixed(1);
  if (perSecond < 1000) return String(Math.round(perSecond));
  if (perSecond < 1e6) return `${(perSecond / 1e3).toFixed(perSecond < 1e4 ? 1 : 0)}k`;
  return `${(perSecond / 1e6).toFixed(1)}M`;
}

/** ms since the epoch → '2026-12-03 09:41' (local time). */
export function formatDateTime(ms: number): string {
  const d = new Date(ms);
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** The last component of a path, either separator ('/a/b/c.pcapng' → 'c.pcapng'). */
export function baseName(path: string): string {
  const trimmed = path.replace(/[/\\]+$/, '');
  const parts = trimmed.split(/[/\\]/);
  return parts[parts.length - 1] || path;
}

/** The folder of a path ('/a/b/c.pcapng' → '/a/b'). */
export function dirName(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash <= 0 ? (slash === 0 ? '/' : '') : path.slice(0, slash);
}

/** 0..100, for a progress bar; null when the total is unknown. */
export function percent(done: number, total: number): number | null {
  if (!(total > 0)) return null;
  return Math.max(0, Math.min(100, (done / total) * 100));
}
