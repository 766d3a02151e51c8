/**
 * What a user sets on frames (Edit › Mark Packet, Ignore Packet: Wireshark's frame.marked and
 * frame.ignored), one byte per frame grown by doubling, with counts; and what the `rows` request
 * adds to each row: those flags and the Time column in the format asked (time-column.ts, the
 * code behind tshark's -t).
 */
import type { FrameFlag, PacketDetail, PacketField, PacketRow, TimeDisplay } from '../../rpc/engine-protocol';
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

/** The Info column of an ignored frame (Wireshark's packet-frame.c). */
export const IGNORED_INFO = '<Ignored>';

/** The rows with their marks, and their Time column in `time`'s format (copies: rows may be cached). */
export function withRowExtras(rows: readonly PacketRow[], ctx: RowContext, time: TimeDisplay | undefined, columns?: readonly string[]): PacketRow[] {
  const first = ctx.count() > 0 ? ctx.tsNs(0) : 0n;
  return rows.map((row) => {
    const k = row.number - 1;
    const out: PacketRow = { ...row };
    if (ctx.flags.has(k, 'marked')) out.marked = true;
    const ignored = ctx.flags.isIgnored(k);
    if (ignored) {
      // As Wireshark shows an ignored frame: its frame dissector stops at once with Info
      // "<Ignored>", so no other dissector fills Source, Destination, Protocol or field columns.
      out.ignored = true;
      out.source = out.destination = out.protocol = '';
      out.info = IGNORED_INFO;
    }
    if (columns && columns.length > 0 && ctx.fieldTexts) out.columns = ignored ? columns.map(() => '') : ctx.fieldTexts(k, columns);
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

/**
 * A packet's details as Wireshark shows a marked or ignored frame: frame.marked and frame.ignored
 * True in the Frame layer; an ignored frame's dissection stops after its Frame layer, with
 * "This frame is marked as ignored" and the Info column "<Ignored>" (packet-frame.c).
 */
export function withFrameFlags(detail: PacketDetail, marked: boolean, ignored: boolean): PacketDetail {
  if (!marked && !ignored) return detail;
  const [frame] = detail.layers;
  if (!frame) return detail;
  const flagged = (f: PacketField): PacketField => {
    if (f.abbrev === 'frame.marked' && marked) return { ...f, value: true, text: '1', label: '[Frame is marked: True]' };
    if (f.abbrev === 'frame.ignored' && ignored) return { ...f, value: true, text: '1', label: '[Frame is ignored: True]' };
    return f;
  };
  const fields = frame.fields.map(flagged);
  if (!ignored) return { ...detail, layers: [{ ...frame, fields }, ...detail.layers.slice(1)] };
  const note: PacketField = { abbrev: 'frame.ignored', label: 'This frame is marked as ignored', text: '1', value: true, type: 'boolean', offset: 0, length: 0 };
  return {
    ...detail,
    summary: { ...detail.summary, source: '', destination: '', protocol: '', info: IGNORED_INFO },
    layers: [{ ...frame, fields: [...fields, note] }],
  };
}
