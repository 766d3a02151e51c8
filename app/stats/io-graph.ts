/**
 * `-z io,stat,INTERVAL[,FILTER…]`: frames and bytes per time interval, one column per display
 * filter (none: every frame) — the one implementation behind the CLI's table and the desktop app's
 * IO graph (each graph is a column; the engine's readReport hands its json()).
 *
 * The table is tshark 4.0's `-q -z io,stat,…`, byte for byte where tshark's is known: column
 * widths from the largest values, the interval precision taken from the digits the user gave, the
 * duration rounded to that precision, the last row ending at the capture's duration or at "Dur",
 * the filters listed above it. Quirks included: with a whole-second interval tshark prints the
 * duration's microseconds space-padded ("2. 47482 secs"), and a column ignores a frame whose
 * interval is before that of the last frame it counted. tshark's functions in a column (COUNT(),
 * SUM(), MIN(), MAX(), AVG(), LOAD()) are not supported.
 *
 * Filters are split at commas as tshark splits them: a comma inside a filter (`tcp.port in {80,443}`)
 * is kept when the text before it does not compile on its own. An empty filter counts every frame.
 */
import type { DisplayFilter } from '../filter';
import { compileReportFilter } from './hierarchy';
import { StatisticsSpecError, type ReportFrame, type ReportReads, type StatisticsReport } from './report';

/** json(): the table's rows as arrays, one entry per row (row k spans k·interval to min((k+1)·interval, duration)). */
export interface IoStatJson {
  /** Seconds per row (the duration when the spec's interval is 0 or longer than the capture). */
  interval: number;
  /** Seconds from the first frame to the last, rounded as tshark rounds it: the last row ends there. */
  duration: number;
  columns: IoStatColumnJson[];
}

export interface IoStatColumnJson {
  /** The column's display filter; null counts every frame. */
  filter: string | null;
  frames: number[];
  /** Lengths on the wire (frame.len). */
  bytes: number[];
  /** The first frame counted in each row (0: none), where a graph's click goes. */
  firstFrames: number[];
}

/** The functions tshark allows in a column (`COUNT(tcp.len)tcp`), which sievecap does not compute. */
const FUNCTIONS = /^(?:FRAMES|BYTES|COUNT|SUM|MIN|MAX|AVG|LOAD)\(/;

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


interface Cell {
  frames: number;
  bytes: number;
  firstFrame: number;
}

/** One column: its filter's frames and bytes per interval (rows by index, as counted). */
class IoColumn {
  readonly rows = new Map<number, Cell>();
  /** The row of the last frame counted: tshark's column ignores a frame of an earlier row. */
  private lastRow = 0;

  constructor(
    readonly filter: string | null,
    private readonly compiled: DisplayFilter | null,
  ) {}

  add(frame: ReportFrame, row: number): void {
    if (row < this.lastRow) return;
    if (this.compiled && !this.compiled.matches(frame.packet, frame.data)) return;
    this.lastRow = row;
    const cell = this.rows.get(row);
    if (cell) {
      cell.frames++;
      cell.bytes += frame.origLen;
    } else {
      this.rows.set(row, { frames: 1, bytes: frame.origLen, firstFrame: frame.packet.number });
    }
  }
}

interface Table {
  intervalUs: number;
  durationUs: number;
  /** The capture's duration before rounding to the interval's precision. */
  originalUs: number;
  precision: number;
  whole: boolean;
  durMag: number;
  /** Start and end of each row, and each column's cell in it. */
  rows: Array<{ startUs: number; endUs: number; cells: Cell[] }>;
}

class IoStatReport implements StatisticsReport {
  private lastUs = 0;
  readonly reads: ReportReads;

  constructor(
    readonly spec: string,
    private readonly intervalUs: number,
    private readonly precision: number,
    private readonly columns: IoColumn[],
    fieldNames: readonly string[],
  ) {
    // The frame's time (its length is in ReportFrame) and what the filters read, of packets as
    // tshark's filters see them (an HTTP message on the frame that completes it).
    this.reads = { fields: ['frame.time_relative', ...fieldNames], columns: false, ...(columns.some((c) => c.filter !== null) ? { desegment: true } : {}) };
  }

  add(frame: ReportFrame): void {
    const relUs = Math.floor((Number(relativeNs(frame)) + 500) / 1000);
    // Every frame makes the capture longer, whichever column counts it.
    this.lastUs = Math.max(this.lastUs, relUs);
    const row = this.intervalUs === 0 ? 0 : Math.floor(relUs / this.intervalUs);
    for (const column of this.columns) column.add(frame, row);
  }

  json(): IoStatJson {
    const t = this.table();
    return {
      interval: t.intervalUs / US_PER_S,
      duration: t.durationUs / US_PER_S,
      columns: this.columns.map((c, j) => ({
        filter: c.filter,
        frames: t.rows.map((r) => r.cells[j]!.frames),
        bytes: t.rows.map((r) => r.cells[j]!.bytes),
        firstFrames: t.rows.map((r) => r.cells[j]!.firstFrame),
      })),
    };
  }

  /** The rows tshark prints: the interval, precision and duration after its rounding. */
  private table(): Table {
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
    const rows: Table['rows'] = [];
    for (let i = 0; i < count; i++) {
      const startUs = i * intervalUs;
      const endUs = i === count - 1 ? durationUs : startUs + intervalUs;
      const cells = this.columns.map((c) => {
        // In whole-capture mode every frame is in the one row, whatever the rounding did.
        const counted = whole ? [...c.rows.values()] : [c.rows.get(i)];
        const cell: Cell = { frames: 0, bytes: 0, firstFrame: 0 };
        for (const x of counted) {
          if (!x) continue;
          cell.frames += x.frames;
          cell.bytes += x.bytes;
          if (cell.firstFrame === 0 || x.firstFrame < cell.firstFrame) cell.firstFrame = x.firstFrame;
        }
        return cell;
      });
      rows.push({ startUs, endUs, cells });
    }
    return { intervalUs, durationUs, originalUs: this.lastUs, precision, whole, durMag, rows };
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
    // Per column: the widths of its frames and bytes from the largest values it counted.
    const widths = this.columns.map((c) => {
      let maxFrames = 0;
      let maxBytes = 0;
      for (const cell of c.rows.values()) {
        maxFrames = Math.max(maxFrames, cell.frames);
        maxBytes = Math.max(maxBytes, cell.bytes);
      }
      return { fr: Math.max(6, magnitude(maxFrames, 15)), val: Math.max(5, magnitude(maxBytes, 15)) };
    });
    const tabrow = invlColW + widths.reduce((n, w) => n + w.fr + 3 + w.val + 3, 0);
    border = Math.max(border, tabrow);
    // The list of filters above the table widens it up to 102 characters.
    const filterWidth = Math.max(...this.columns.map((c) => (c.filter === null ? 26 : c.filter.length + 11)));
    if (filterWidth > border && border < 102) border = Math.min(filterWidth, 102);
    if (border - tabrow === 1) border++;
    const line = (s: string): string => `${s.padEnd(border - 1)}|`;
    const filler = tabrow < border ? `${' '.repeat(border - tabrow - 1)}|` : '';
    // Whole seconds: tshark prints the microseconds of the duration padded with spaces, not zeros.
    // It is the duration before rounding (a 1.612862 s capture in 1 s intervals is not "2.     0").
    const duration = prec === 0 ? `${String(Math.floor(t.originalUs / US_PER_S)).padStart(durMag)}.${String(t.originalUs % US_PER_S).padStart(6)}` : time(t.durationUs);
    const out = [
      '',
      '='.repeat(border),
      line('| IO Statistics'),
      line('|'),
      line(`| Duration: ${duration} secs`),
      line(`| Interval: ${time(t.intervalUs)} secs`),
      line('|'),
      ...this.columns.flatMap((c, j) => filterLines(j, c.filter, border).map(line)),
      `|-${'-'.repeat(border - 3)}|`,
      `|${' '.repeat(invlColW - 2)}|${widths.map((w, j) => `${String(j + 1).padEnd(2)}${' '.repeat(w.fr + w.val + 3)}|`).join('')}${filler}`,
      `${'| Interval'.padEnd(invlColW - 1)}|${widths.map((w) => center('Frames', w.fr, 1) + center('Bytes', w.val, 1)).join('')}${filler}`,
      `|-${'-'.repeat(tabrow - 3)}|${filler}`,
    ];
    const extra = invlColW - natural;
    const lpad = ' '.repeat(Math.ceil(extra / 2));
    const rpad = ' '.repeat(Math.floor(extra / 2));
    t.rows.forEach((r, i) => {
      const last = i === t.rows.length - 1;
      const interval = last && prec === 0 && !t.whole ? `| ${lpad}${time(r.startUs)} <> Dur|` : `| ${lpad}${time(r.startUs)} <> ${time(r.endUs)}${rpad} |`;
      const cells = r.cells.map((c, j) => ` ${String(c.frames).padStart(widths[j]!.fr)} | ${String(c.bytes).padStart(widths[j]!.val)} |`).join('');
      out.push(`${interval}${cells}${filler}`);
    });
    out.push('='.repeat(border), '');
    return out.join('\n');
  }
}

/**
 * A column's lines in the list above the table ("| Col 1: tcp", "|     2: udp"), a filter too
 * long for the table wrapped at its last space that fits (else cut), as tshark wraps it.
 */
function filterLines(j: number, filter: string | null, border: number): string[] {
  const head = j === 0 ? `| Col${String(j + 1).padStart(2)}: ` : `|    ${String(j + 1).padStart(2)}: `;
  if (filter === null) return [`${head}Frames and bytes`];
  const lines: string[] = [];
  const max = border - 11;
  let rest = filter;
  let prefix = head;
  while (rest.length > max) {
    const space = rest.lastIndexOf(' ', max - 1);
    const cut = space >= 0 ? space : max;
    lines.push(prefix + rest.slice(0, cut));
    rest = rest.slice(space >= 0 ? cut + 1 : cut);
    prefix = '|        ';
  }
  lines.push(prefix + rest);
  return lines;
}

/** The packet's time since the capture's first packet (frame.time_relative). */
export function relativeNs(frame: ReportFrame): bigint {
  const field = frame.packet.layers[0]?.fields.find((f) => f.abbrev === 'frame.time_relative');
  return typeof field?.value === 'bigint' ? field.value : 0n;
}

/**
 * The filters after INTERVAL, split at commas as tshark does: a piece that does not compile takes
 * the next piece with its comma. Empty pieces (and none at all) count every frame.
 */
function splitFilters(spec: string, text: string | undefined): Array<{ filter: string | null; compiled: DisplayFilter | null }> {
  if (text === undefined) return [{ filter: null, compiled: null }];
  const pieces = text.split(',');
  const out: Array<{ filter: string | null; compiled: DisplayFilter | null }> = [];
  for (let i = 0; i < pieces.length; i++) {
    let filter = pieces[i]!.trim();
    if (filter === '') {
      out.push({ filter: null, compiled: null });
      continue;
    }
    if (FUNCTIONS.test(filter)) {
      throw new StatisticsSpecError(`"-z ${spec}": io,stat columns with functions (COUNT, SUM, …) are not supported; give each column a display filter, e.g. -z io,stat,1,tcp,udp`);
    }
    let firstError: unknown = null;
    for (;;) {
      try {
        out.push({ filter, compiled: compileReportFilter(spec, filter) });
        break;
      } catch (err) {
        if (!(err instanceof StatisticsSpecError)) throw err;
        firstError ??= err;
        // A comma inside the filter (a set, a string): try it with the next piece.
        if (i + 1 >= pieces.length) throw firstError;
        filter = `${filter},${pieces[++i]!}`.trim();
      }
    }
  }
  return out;
}

/** `io,stat,INTERVAL[,FILTER…]` (INTERVAL in seconds; 0: one row for the whole capture). */
export function createIoStatReport(spec: string): StatisticsReport {
  const m = /^io,stat,([^,]*)(?:,(.*))?$/s.exec(spec);
  if (!m) throw new StatisticsSpecError(`invalid "-z ${spec}": IO statistics are -z io,stat,INTERVAL[,FILTER…] (seconds), e.g. -z io,stat,1 or -z io,stat,0.1,tcp,udp`);
  const { us, precision } = parseInterval(spec, m[1]!);
  const columns = splitFilters(spec, m[2]);
  const fields = new Set<string>();
  for (const c of columns) for (const name of c.compiled?.fieldNames ?? []) fields.add(name);
  return new IoStatReport(spec, us, precision, columns.map((c) => new IoColumn(c.filter, c.compiled)), [...fields]);
}
