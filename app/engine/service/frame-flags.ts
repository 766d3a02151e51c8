/**
 * What a user sets on frames (Edit › Mark Packet, Ignore Packet: Wireshark's frame.marked and
 * frame.ignored), one byte per frame grown by doubling, with counts; and what the `rows` request
 * adds to each row: those flags and the Time column in the format asked (time-column.ts, the
 * code behind tshark's -t).
 */
import type { FrameFlag, PacketRow, TimeDisplay } from '../../rpc/engine-protocol';
import type { FilterView } from '../filter-view';
import { timeColumnText } from '../time-column';

const BIT: Record<FrameFlag, number> = { marked: 1, ignored: 2 };

export class FrameFlags {
  private bits = new Uint8Array(0);
  marked = 0;
  ignored = 0;
  /** Bumped whenever a frame is ignored or no longer is (reports count again). */
  ignoredVersion = 0;

  /** k is 0-based. */
  has(k: number, flag: FrameFlag): boolean {
    return k < this.bits.length && (this.bits[k]! & BIT[flag]) !== 0;
  }

  isIgnored(k: number): boolean {
    return k < this.bits.length && (this.bits[k]! & 2) !== 0;
  }

  /** Sets or clears a flag; true when it changed. */
  set(k: number, flag: FrameFlag, value: boolean): boolean {
    if (this.has(k, flag) === value) return false;
    if (k >= this.bits.length) {
      const bigger = new Uint8Array(Math.max(1024, k + 1, this.bits.length * 2));
      bigger.set(this.bits);
      this.bits = bigger;
    }
    this.bits[k] = value ? this.bits[k]! | BIT[flag] : this.bits[k]! & ~BIT[flag];
    const step = value ? 1 : -1;
    if (flag === 'marked') this.marked += step;
    else {
      this.ignored += step;
      this.ignoredVersion++;
    }
    return true;
  }
}

/** What rowExtras reads of the session. */
export interface RowContext {
  /** Field values of frame k for the list's field columns. */
  fieldTexts?(k: number, names: readonly string[]): string[];
  tsNs(k: number): bigint;
  count(): number;
  flags: FrameFlags;
  /** The list's view (its matches are the displayed frames), if any. */
  view: FilterView | undefined;
  /** Digits of frame k's time stamps (its interface's resolution). */
  timeDigits(k: number): number;
}

/** The displayed frame before frame k (0-based) in frame order, ignored frames left out; -1: none. */
export function previousDisplayed(ctx: RowContext, k: number): number {
  const { view, flags } = ctx;
  if (!view) {
    for (let j = k - 1; j >= 0; j--) if (!flags.isIgnored(j)) return j;
    return -1;
  }
  // The view's matches are 1-based frame numbers in order: the last one below k + 1.
  const frames = view.frames();
  let lo = 0;
  let hi = frames.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (frames[mid]! < k + 1) lo = mid + 1;
    else hi = mid;
  }
  for (let i = lo - 1; i >= 0; i--) {
    const j = frames[i]! - 1;
    if (!flags.isIgnored(j)) return j;
  }
  return -1;
}

/** The rows with their marks, and their Time column in `time`'s format (copies: rows may be cached). */
export function withRowExtras(rows: readonly PacketRow[], ctx: RowContext, time: TimeDisplay | undefined, columns?: readonly string[]): PacketRow[] {
  const first = ctx.count() > 0 ? ctx.tsNs(0) : 0n;
  return rows.map((row) => {
    const k = row.number - 1;
    const out: PacketRow = { ...row };
    if (ctx.flags.has(k, 'marked')) out.marked = true;
    if (ctx.flags.isIgnored(k)) out.ignored = true;
    if (columns && columns.length > 0 && ctx.fieldTexts) out.columns = ctx.fieldTexts(k, columns);
    if (time) {
      const ts = ctx.tsNs(k);
      const before = time.format === 'dd' ? previousDisplayed(ctx, k) : -1;
      const digits = time.precision ?? ctx.timeDigits(k);
      out.timeText = timeColumnText(
        time.format,
        { tsNs: ts, relativeNs: ts - first, deltaNs: k > 0 ? ts - ctx.tsNs(k - 1) : 0n, deltaDisplayedNs: before >= 0 ? ts - ctx.tsNs(before) : 0n },
        digits,
        time.hms === true,
      );
    }
    return out;
  });
}
