/**
 * Statistics › I/O Graph as plain functions: the graphs (each a display filter counted in packets
 * or bytes per interval), the engine report they become (`io,stat,INTERVAL,FILTER…`: one column per
 * distinct filter, the numbers of `sievecap -z io,stat` and tshark's), the intervals offered, the
 * series uPlot draws, the packet a click goes to, and the zoom and pan of the time axis.
 */
import * as v from 'valibot';
import { IoStatReportData } from '../../../app/rpc/engine-protocol';

export type IoStat = IoStatReportData;

export type GraphUnit = 'packets' | 'bytes';

export interface GraphSpec {
  id: number;
  name: string;
  /** A display filter; '' counts every packet. */
  filter: string;
  unit: GraphUnit;
  enabled: boolean;
}

/** Wireshark's defaults (All Packets, TCP Errors), and every packet's bytes on the second axis. */
export const DEFAULT_GRAPHS: readonly GraphSpec[] = [
  { id: 1, name: 'All packets', filter: '', unit: 'packets', enabled: true },
  { id: 2, name: 'TCP errors', filter: 'tcp.analysis.flags', unit: 'packets', enabled: true },
  { id: 3, name: 'All bytes', filter: '', unit: 'bytes', enabled: true },
];

/** The intervals offered, seconds. */
export const INTERVALS: readonly number[] = [0.001, 0.01, 0.1, 1, 10, 60, 600, 3600];
/** Intervals a graph shows when left to choose (about a screen's width of points). */
export const AUTO_ROWS = 1000;
/** Most intervals one graph asks for: a shorter interval is not offered for a long capture. */
export const MAX_ROWS = 100_000;

/** The shortest offered interval that shows the duration in at most `maxRows` intervals. */
export function autoInterval(durationSeconds: number, maxRows = AUTO_ROWS): number {
  return INTERVALS.find((i) => durationSeconds / i <= maxRows) ?? INTERVALS[INTERVALS.length - 1]!;
}

/** Whether an interval is offered for a capture this long (at most MAX_ROWS intervals). */
export function intervalAllowed(interval: number, durationSeconds: number): boolean {
  return durationSeconds / interval <= MAX_ROWS;
}

/** The interval drawn: the one chosen while it is offered (a live capture outgrows a short one), else auto's. */
export function effectiveInterval(choice: number | 'auto', durationSeconds: number): number {
  return choice !== 'auto' && intervalAllowed(choice, durationSeconds) ? choice : autoInterval(durationSeconds);
}

export function intervalLabel(seconds: number): string {
  if (seconds < 1) return `${Math.round(seconds * 1000)} ms`;
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600) return `${seconds / 60} min`;
  return `${seconds / 3600} h`;
}

/** The report for the enabled graphs: one column per distinct filter (two graphs of one filter share it). */
export function ioStatRequest(interval: number, graphs: readonly GraphSpec[]): { spec: string; columnOf: Map<number, number> } {
  const filters: string[] = [];
  const columnOf = new Map<number, number>();
  for (const g of graphs) {
    if (!g.enabled) continue;
    const filter = g.filter.trim();
    let column = filters.indexOf(filter);
    if (column < 0) column = filters.push(filter) - 1;
    columnOf.set(g.id, column);
  }
  // No graph: still the frames of the capture (its duration), in one column.
  return { spec: `io,stat,${String(interval)},${filters.length ? filters.join(',') : ''}`, columnOf };
}

export function parseIoStat(data: unknown): IoStat {
  return v.parse(IoStatReportData, data);
}

/** uPlot's data: the intervals' start times, then one series per enabled graph (in `graphs` order). */
export function plotData(report: IoStat, graphs: readonly GraphSpec[], columnOf: ReadonlyMap<number, number>): number[][] {
  const rows = report.columns[0]?.frames.length ?? 0;
  const xs = Array.from({ length: rows }, (_, k) => k * report.interval);
  const series = graphs
    .filter((g) => g.enabled && columnOf.has(g.id))
    .map((g) => {
      const column = report.columns[columnOf.get(g.id)!];
      return column ? (g.unit === 'bytes' ? column.bytes : column.frames) : new Array<number>(rows).fill(0);
    });
  return [xs, ...series];
}

/** The interval holding a time (seconds since the first packet), clamped to the rows there are. */
export function rowAt(report: IoStat, seconds: number): number {
  const rows = report.columns[0]?.frames.length ?? 0;
  if (rows === 0 || !(report.interval > 0)) return 0;
  return Math.min(rows - 1, Math.max(0, Math.floor(seconds / report.interval)));
}

/**
 * The packet a click on interval `row` of a column goes to: the first the column counted there,
 * else that of the nearest interval that has one (the later on a tie); null when it has none.
 */
export function frameNear(report: IoStat, column: number, row: number): number | null {
  const firsts = report.columns[column]?.firstFrames;
  if (!firsts || firsts.length === 0) return null;
  for (let d = 0; d < firsts.length; d++) {
    const after = firsts[row + d];
    if (after) return after;
    const before = row - d >= 0 ? firsts[row - d] : undefined;
    if (before) return before;
  }
  return null;
}

export interface Range {
  min: number;
  max: number;
}

/**
 * Zooms a range by `factor` (< 1 in, > 1 out) around `anchor`, kept inside `bounds` and no
 * narrower than `minSpan`.
 */
export function zoomRange(range: Range, factor: number, anchor: number, bounds: Range, minSpan: number): Range {
  const span = Math.min(bounds.max - bounds.min, Math.max(minSpan, (range.max - range.min) * factor));
  const share = range.max > range.min ? (anchor - range.min) / (range.max - range.min) : 0.5;
  return clampRange({ min: anchor - share * span, max: anchor - share * span + span }, bounds);
}

/** Moves a range by `delta`, kept inside `bounds` (its width kept). */
export function panRange(range: Range, delta: number, bounds: Range): Range {
  return clampRange({ min: range.min + delta, max: range.max + delta }, bounds);
}

function clampRange(r: Range, bounds: Range): Range {
  const span = Math.min(r.max - r.min, bounds.max - bounds.min);
  let min = r.min;
  if (min < bounds.min) min = bounds.min;
  if (min + span > bounds.max) min = bounds.max - span;
  return { min, max: min + span };
}

/** The whole time axis of a report: from 0 to the end of its last interval. */
export function fullRange(report: IoStat): Range {
  const rows = report.columns[0]?.frames.length ?? 0;
  return { min: 0, max: Math.max(report.interval, rows * report.interval) };
}
