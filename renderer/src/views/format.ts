/** Number and time formatting shared by the views (Wireshark's conventions where it has one). */

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** 1234567 → '1,234,567'. */
export function formatCount(n: number | null | undefined): string {
  return n === null || n === undefined ? '' : integer.format(n);
}

/** Bytes for people: '912 B', '1.5 kB', '3.2 MB' (SI units, as Wireshark's statistics dialogs). */
export function formatBytes(n: number | null | undefined): string {
  if (n === null || n === undefined) return '';
  if (n < 1000) return `${n} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let value = n;
  let unit = -1;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`;
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

/** The last component of a path ('/a/b/c.pcapng' → 'c.pcapng'). */
export function baseName(path: string): string {
  const trimmed = path.replace(/\/+$/, '');
  const slash = trimmed.lastIndexOf('/');
  return slash < 0 ? trimmed : trimmed.slice(slash + 1);
}

/** The folder of a path ('/a/b/c.pcapng' → '/a/b'). */
export function dirName(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash <= 0 ? (slash === 0 ? '/' : '') : path.slice(0, slash);
}
