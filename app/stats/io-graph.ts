/**
 * IO graph series: frames and bytes per time interval.
 *
 * - IoGraphSeries is the plain incremental class the GUI uses: add(relativeNs, bytes) as packets
 *   arrive, buckets() at any time.
 * - `-z io,stat,INTERVAL` renders it as tshark 4.0's `-q -z io,stat,INTERVAL` table (one column,
 *   "Frames and bytes"; tshark's per-field columns such as SUM(…) are not supported). The table's
 *   geometry (column widths from the largest values, the interval precision taken from the digits
 *   the user gave, the duration rounded to that precision, the last row ending at the capture's
 *   duration or at "Dur") follows tshark's, quirks included: with a whole-second interval tshark
 *   prints the duration's microseconds space-padded ("2. 47482 secs"), and so do we.
 */
import { StatisticsSpecError, type ReportFrame, type ReportReads, type StatisticsReport } from './report';

export interface IoBucket {
  /** Start and end of the interval, in seconds since the first packet of the capture. */
  start: number;
  end: number;
  frames: number;
  bytes: number;
}

/** Frames and bytes per interval, from time 0 (the capture's first packet) on. */
export class IoGraphSeries {
  private readonly frames: number[] = [];
  private readonly bytes: number[] = [];

  /** @param intervalNs bucket width in nanoseconds (> 0). */
  constructor(readonly intervalNs: bigint) {
    if (intervalNs <= 0n) throw new RangeError('an IO graph interval must be longer than zero');
  }

  /** Counts one packet `relativeNs` after the capture's first packet (negative times count in bucket 0). */
  add(relativeNs: bigint, bytes: number): void {
    const k = relativeNs <= 0n ? 0 : Number(relativeNs / this.intervalNs);
    while (this.frames.length <= k) {
      this.frames.push(0);
      this.bytes.push(0);
    }
    this.frames[k]!++;
    this.bytes[k]! += bytes;
  }

  /** Every bucket from 0 to the last packet's, empty ones included. */
  buckets(): IoBucket[] {
    const width = Number(this.intervalNs) / 1e9;
    return this.frames.map((frames, k) => ({ start: k * width, end: (k + 1) * width, frames, bytes: this.bytes[k]! }));
  }
}

/** tshark's magnitude(): the number of decimal digits of v, at most maxDigits. */
function magnitude(v: number, maxDigits: number): number {
  let mag = 0;
  for (let i = 0; i < maxDigits; i++) {
    mag++;
    v = Math.floor(v / 10);
    if (v === 0) break;
  }
  return mag;
}

/** tshark's printcenter(): a label centred in a column of lenval, with numpad spaces at least. */
function center(label: string, lenval: number, numpad: number): string {
  const pad = Math.trunc((lenval - label.length) / 2) + numpad;
  const len = 6 - pad;
  if (len > 0 && len < 6) {
    const right = ' '.repeat(pad);
    const left = (lenval - label.length) % 2 === 0 ? right : right + ' ';
    return `${left}${label}${right}|`;
  }
  return len > 0 && len <= 15 ? `${label}|` : '';
}

const US_PER_S = 1_000_000;

/** Parses INTERVAL as tshark does: seconds with up to 6 decimals; 0 means one row for the capture. */
function parseInterval(spec: string, text: string): { us: number; precision: number } {
  if (!/^(?:\d+(?:\.\d*)?|\.\d+)$/.test(text)) {
    throw new StatisticsSpecError(`invalid "-z ${spec}": the interval must be a number of seconds, e.g. -z io,stat,1 or -z io,stat,0.01`);
  }
  const us = Math.round(Number(text) * US_PER_S);
  if (Number(text) > 0 && us === 0) throw new StatisticsSpecError(`invalid "-z ${spec}": the interval must be at least 0.000001 seconds`);
  // The precision is the number of decimals that matter: 6 minus the trailing zeros in microseconds.
  let precision = 6;
  for (let p = 10; p <= US_PER_S && us % p === 0 && us > 0; p *= 10) precision--;
  return { us, precision };
}

class IoStatReport implements StatisticsReport {
  /** Frames and bytes per interval in microseconds (the unit tshark counts in). */
  private readonly rows = new Map<number, { frames: number; bytes: number }>();
  private lastUs = 0;
  private lastRowSeen = 0;
  /** Only the frame's time (and its length, which ReportFrame carries). */
  readonly reads: ReportReads = { fields: ['frame.time_relative'], columns: false };

  constructor(
    readonly spec: string,
    private readonly intervalUs: number,
    private readonly precision: number,
  ) {}

  add(frame: ReportFrame): void {
    const relUs = Math.floor((Number(relativeNs(frame)) + 500) / 1000);
    this.lastUs = Math.max(this.lastUs, relUs);
    // tshark ignores packets whose time is before the interval of the last counted one.
    const row = this.intervalUs === 0 ? 0 : Math.floor(relUs / this.intervalUs);
    if (row < this.lastRowSeen) return;
    this.lastRowSeen = row;
    const cell = this.rows.get(row) ?? { frames: 0, bytes: 0 };
    cell.frames++;
    cell.bytes += frame.origLen;
    this.rows.set(row, cell);
  }

  json(): IoBucket[] {
    return this.table().rows.map((r) => ({ start: r.startUs / US_PER_S, end: r.endUs / US_PER_S, frames: r.frames, bytes: r.bytes }));
  }

  /** The rows tshark prints: the interval, precision and duration after its rounding. */
  private table(): { intervalUs: number; durationUs: number; precision: number; whole: boolean; durMag: number; rows: Array<{ startUs: number; endUs: number; frames: number; bytes: number }> } {
    let durationUs = this.lastUs;
    const whole = this.intervalUs === 0 || this.intervalUs > durationUs;
    let intervalUs = whole ? durationUs : this.intervalUs;
    let durMag = magnitude(Math.floor(durationUs / US_PER_S), 5);
    const precision = whole ? (durMag >= 2 ? 1 : durMag === 1 ? 3 : 6) : this.precision;
    const dv = US_PER_S / 10 ** precision;
    if (durationUs % dv > 5 * (dv / 10)) {
      durationUs = Math.floor((durationUs + 5 * (dv / 10)) / dv) * dv;
      durMag = magnitude(Math.floor(durationUs / US_PER_S), 5);
    }
    if (whole) intervalUs = durationUs;
    const count = intervalUs === 0 ? 1 : Math.floor(durationUs / intervalUs) + (durationUs % intervalUs > 0 ? 1 : 0);
    const rows = [];
    for (let i = 0; i < count; i++) {
      const startUs = i * intervalUs;
      const endUs = i === count - 1 ? durationUs : startUs + intervalUs;
      // In whole-capture mode every packet is in the one row, whatever the rounding did.
      const cells = whole ? [...this.rows.values()] : [this.rows.get(i)];
      const frames = cells.reduce((n, c) => n + (c?.frames ?? 0), 0);
      const bytes = cells.reduce((n, c) => n + (c?.bytes ?? 0), 0);
      rows.push({ startUs, endUs, frames, bytes });
    }
    return { intervalUs, durationUs, precision, whole, durMag, rows };
  }

  text(): string {
    const t = this.table();
    const { precision: prec, durMag } = t;
    const dv = US_PER_S / 10 ** prec;
    const time = (us: number): string => {
      const secs = String(Math.floor(us / US_PER_S)).padStart(durMag);
      return prec === 0 ? secs : `${secs}.${String(Math.floor((us % US_PER_S) / dv)).padStart(prec, '0')}`;
    };
    const invlMag = magnitude(Math.floor(t.intervalUs / US_PER_S), 5);
    let border = t.whole ? 30 + durMag + prec + 1 : 25 + Math.max(invlMag, durMag) + (prec === 0 ? 0 : prec + 1);
    const natural = prec === 0 ? 2 * durMag + 8 : 2 * durMag + 2 * prec + 10;
    const invlColW = Math.max(natural, 12);
    const maxFrames = Math.max(0, ...t.rows.map((r) => r.frames));
    const maxBytes = Math.max(0, ...t.rows.map((r) => r.bytes));
    const fr = Math.max(6, magnitude(maxFrames, 15));
    const val = Math.max(5, magnitude(maxBytes, 15));
    const tabrow = invlColW + fr + 3 + val + 3;
    border = Math.max(border, tabrow, 26);
    if (border - tabrow === 1) border++;
    const line = (s: string): string => `${s.padEnd(border - 1)}|`;
    const filler = tabrow < border ? `${' '.repeat(border - tabrow - 1)}|` : '';
    // Whole seconds: tshark prints the microseconds of the duration padded with spaces, not zeros.
    const duration = prec === 0 ? `${String(Math.floor(t.durationUs / US_PER_S)).padStart(durMag)}.${String(t.durationUs % US_PER_S).padStart(6)}` : time(t.durationUs);
    const out = [
      '',
      '='.repeat(border),
      line('| IO Statistics'),
      line('|'),
      line(`| Duration: ${duration} secs`),
      line(`| Interval: ${time(t.intervalUs)} secs`),
      line('|'),
      line('| Col 1: Frames and bytes'),
      `|-${'-'.repeat(border - 3)}|`,
      `|${' '.repeat(invlColW - 2)}|1 ${' '.repeat(fr + val + 3)}|${filler}`,
      `${'| Interval'.padEnd(invlColW - 1)}|${center('Frames', fr, 1)}${center('Bytes', val, 1)}${filler}`,
      `|-${'-'.repeat(tabrow - 3)}|${filler}`,
    ];
    const extra = invlColW - natural;
    const lpad = ' '.repeat(Math.ceil(extra / 2));
    const rpad = ' '.repeat(Math.floor(extra / 2));
    t.rows.forEach((r, i) => {
      const last = i === t.rows.length - 1;
      const interval = last && prec === 0 && !t.whole ? `| ${lpad}${time(r.startUs)} <> Dur|` : `| ${lpad}${time(r.startUs)} <> ${time(r.endUs)}${rpad} |`;
      out.push(`${interval} ${String(r.frames).padStart(fr)} | ${String(r.bytes).padStart(val)} |${filler}`);
    });
    out.push('='.repeat(border), '');
    return out.join('\n');
  }
}

/** The packet's time since the capture's first packet (frame.time_relative). */
export function relativeNs(frame: ReportFrame): bigint {
  const field = frame.packet.layers[0]?.fields.find((f) => f.abbrev === 'frame.time_relative');
  return typeof field?.value === 'bigint' ? field.value : 0n;
}

/** `io,stat,INTERVAL` (seconds; 0: one row for the whole capture). */
export function createIoStatReport(spec: string): StatisticsReport {
  const m = /^io,stat,([^,]*)(,.*)?$/s.exec(spec);
  if (!m) throw new StatisticsSpecError(`invalid "-z ${spec}": IO statistics are -z io,stat,INTERVAL (seconds), e.g. -z io,stat,1`);
  if (m[2] !== undefined && m[2] !== ',') {
    throw new StatisticsSpecError(`"-z ${spec}": io,stat columns with filters or functions (COUNT, SUM, …) are not supported; use -z io,stat,${m[1]} with -Y FILTER`);
  }
  const { us, precision } = parseInterval(spec, m[1]!);
  return new IoStatReport(spec, us, precision);
}
