/**
 * `rows` with `sort`: the packet list in the order of one column, as Wireshark's sortable headers
 * order it — a stable sort (ties stay in frame order, whichever the direction), numbers compared
 * as numbers (number, time, length), text as text (source, destination, protocol, info).
 *
 * - Each order is a cached permutation of the session's frames (0-based frame indexes), one per
 *   column and direction; a view's order is the session's filtered to the view's matches, cached
 *   per view. Frames appended later (a live capture) are sorted alone and merged in; a view's
 *   order is made again from the session's when the view has more matches.
 * - number, time and length come from the columnar index. The text columns need the summary rows:
 *   every frame is dissected once, in order, without a tree (as rows are), and each column's text
 *   kept as an id into a table of distinct strings.
 * - All of it runs in slices with progress ('sort') and stops when the request is cancelled; the
 *   work done so far is kept for the next request.
 */
import type { DissectOptions } from '../../dissect/model';
import type { EngineResult, PacketRow, RowSort, SortColumn } from '../../rpc/engine-protocol';
import { InternTable } from '../columns';
import type { FilterView } from '../filter-view';
import { RowDissector } from '../row-dissector';
import { nameKey, type PacketStore } from '../store';
import type { NameResolution } from '../../dissect/names';
import type { AnalysisWork } from './analysis-work';
import { EngineError, nsString, rowData } from './plain';
import type { EngineSession } from './session';

type TextColumn = 'source' | 'destination' | 'protocol' | 'info';
/** Columns whose texts repeat (addresses, protocol names): kept once each. Info is nearly unique per frame: kept as it is. */
type RepeatedColumn = Exclude<TextColumn, 'info'>;
const REPEATED_COLUMNS: readonly RepeatedColumn[] = ['source', 'destination', 'protocol'];
/** Summary columns, no tree: what a row is dissected with. */
const SUMMARY_ONLY: DissectOptions = { fields: new Set(), columns: true };
const STATUS_CODES: readonly PacketRow['status'][] = ['ok', 'truncated', 'malformed'];
/** Elements handled between two looks at the clock. */
const STEP = 2048;

/** Compares two frames (0-based) by a column's value alone: negative, 0 (a tie) or positive. */
type KeyCompare = (a: number, b: number) => number;

function grow(a: Uint32Array, need: number): Uint32Array {
  if (need <= a.length) return a;
  const bigger = new Uint32Array(Math.max(need, a.length * 2, 1024));
  bigger.set(a);
  return bigger;
}

/** The text columns of frames [0, done), from one dissection of the frames in order. */
class SummaryTexts {
  done = 0;
  readonly tables: Record<RepeatedColumn, InternTable> = { source: new InternTable(), destination: new InternTable(), protocol: new InternTable() };
  ids: Record<RepeatedColumn, Uint32Array> = { source: new Uint32Array(0), destination: new Uint32Array(0), protocol: new Uint32Array(0) };
  readonly infos: string[] = [];
  /** Each frame's status: 0 ok, 1 truncated, 2 malformed. */
  status = new Uint8Array(0);
  private readonly dissector: RowDissector;

  constructor(private readonly store: PacketStore, names: NameResolution | null) {
    this.dissector = new RowDissector(store, true, names);
  }

  async extend(work: AnalysisWork): Promise<void> {
    const total = this.store.count();
    if (this.done >= total) return;
    for (const c of REPEATED_COLUMNS) this.ids[c] = grow(this.ids[c], total);
    if (this.status.length < total) {
      const bigger = new Uint8Array(Math.max(total, this.status.length * 2));
      bigger.set(this.status);
      this.status = bigger;
    }
    for (let k = this.done; k < total; k++) {
      let packet;
      try {
        packet = this.dissector.dissect(k, false, SUMMARY_ONLY);
      } catch (err) {
        if (err instanceof EngineError) throw err;
        throw new EngineError('EREAD', `the rows could not be sorted: frame ${k + 1} cannot be read back: ${(err as Error).message}`);
      }
      const summary = packet.summary;
      this.status[k] = STATUS_CODES.indexOf(packet.status);
      this.ids.source[k] = this.tables.source.id(summary.source);
      this.ids.destination[k] = this.tables.destination.id(summary.destination);
      this.ids.protocol[k] = this.tables.protocol.id(summary.protocol);
      this.infos[k] = summary.info;
      this.done = k + 1;
      if ((k & 15) === 0 && work.due()) {
        work.progress('sort', k + 1, total);
        await work.pause();
      }
    }
  }

  /** Frame k's row from the dissection in order (k < done). */
  row(k: number): PacketRow {
    const store = this.store;
    const tsNs = store.tsNs(k);
    const text = (c: RepeatedColumn): string => this.tables[c].strings[this.ids[c][k]!]!;
    return {
      number: k + 1,
      time: nsString(tsNs),
      relativeSeconds: Number(tsNs - store.tsNs(0)) / 1e9,
      source: text('source'),
      destination: text('destination'),
      protocol: text('protocol'),
      length: store.origLenOf(k),
      info: this.infos[k]!,
      status: STATUS_CODES[this.status[k]!]!,
    };
  }

  compare(column: TextColumn): KeyCompare {
    if (column === 'info') {
      const infos = this.infos;
      return (a, b) => {
        const x = infos[a]!;
        const y = infos[b]!;
        return x < y ? -1 : x > y ? 1 : 0;
      };
    }
    const ids = this.ids[column];
    const strings = this.tables[column].strings;
    return (a, b) => {
      const x = strings[ids[a]!]!;
      const y = strings[ids[b]!]!;
      return x < y ? -1 : x > y ? 1 : 0;
    };
  }
}

/** The column's comparison of two frames' values (no tie-break). */
function keyCompare(store: PacketStore, texts: SummaryTexts | null, column: Exclude<SortColumn, 'number'>): KeyCompare {
  const ix = store.index;
  switch (column) {
    case 'time': {
      const sec = ix.tsSec;
      const nsec = ix.tsNsec;
      return (a, b) => sec[a]! - sec[b]! || nsec[a]! - nsec[b]!;
    }
    case 'length': {
      const len = ix.origLen;
      return (a, b) => len[a]! - len[b]!;
    }
    default:
      return texts!.compare(column);
  }
}

/** A stable merge sort of `a` (frame indexes) by `cmp` then frame order, yielding every few thousand elements. */
export function* sortFrames(a: Uint32Array, cmp: KeyCompare): Generator<void, Uint32Array, undefined> {
  const n = a.length;
  const total = (x: number, y: number): number => cmp(x, y) || x - y;
  for (let i = 0; i < n; i += STEP) {
    a.subarray(i, Math.min(n, i + STEP)).sort(total);
    yield;
  }
  let src: Uint32Array = a;
  let dst: Uint32Array = new Uint32Array(n);
  for (let width = STEP; width < n; width *= 2) {
    let steps = 0;
    for (let lo = 0; lo < n; lo += 2 * width) {
      const mid = Math.min(lo + width, n);
      const hi = Math.min(lo + 2 * width, n);
      let i = lo;
      let j = mid;
      let o = lo;
      while (i < mid && j < hi) {
        dst[o++] = total(src[i]!, src[j]!) <= 0 ? src[i++]! : src[j++]!;
        if (++steps === STEP) {
          steps = 0;
          yield;
        }
      }
      dst.set(src.subarray(i, mid), o);
      o += mid - i;
      dst.set(src.subarray(j, hi), o);
    }
    [src, dst] = [dst, src];
    yield;
  }
  return src;
}

/** Two sorted runs merged (`older` holds lower frame indexes: it wins ties). */
export function* mergeSorted(older: Uint32Array, newer: Uint32Array, cmp: KeyCompare): Generator<void, Uint32Array, undefined> {
  const out = new Uint32Array(older.length + newer.length);
  let i = 0;
  let j = 0;
  let o = 0;
  let steps = 0;
  while (i < older.length && j < newer.length) {
    out[o++] = cmp(older[i]!, newer[j]!) <= 0 ? older[i++]! : newer[j++]!;
    if (++steps === STEP) {
      steps = 0;
      yield;
    }
  }
  out.set(older.subarray(i), o);
  out.set(newer.subarray(j), o + older.length - i);
  return out;
}

/** The descending order from the ascending one: runs of equal values in reverse, each kept in frame order. */
export function* descendingFrom(ascending: Uint32Array, cmp: KeyCompare): Generator<void, Uint32Array, undefined> {
  const n = ascending.length;
  const out = new Uint32Array(n);
  let o = 0;
  let end = n;
  let steps = 0;
  while (end > 0) {
    let start = end - 1;
    while (start > 0 && cmp(ascending[start - 1]!, ascending[start]!) === 0) start--;
    out.set(ascending.subarray(start, end), o);
    o += end - start;
    steps += end - start;
    end = start;
    if (steps >= STEP) {
      steps = 0;
      yield;
    }
  }
  return out;
}

/** The frames (0-based) of `order` that are among `members`, in `order`'s order. */
function* filterFrames(order: Uint32Array, members: Uint8Array, count: number): Generator<void, Uint32Array, undefined> {
  const out = new Uint32Array(count);
  let o = 0;
  for (let i = 0; i < order.length; i++) {
    if (members[order[i]!]) out[o++] = order[i]!;
    if ((i & (STEP - 1)) === STEP - 1) yield;
  }
  return out.subarray(0, o);
}

interface ViewOrder {
  /** The view's match count and the session's frames when it was made. */
  matches: number;
  frames: number;
  order: Uint32Array;
}

/** One session's sort state. */
class SessionOrders {
  texts: SummaryTexts | null = null;
  /** Ascending and descending orders of frames [0, order.length), by column. */
  readonly orders = new Map<string, Uint32Array>();
  readonly views = new WeakMap<FilterView, Map<string, ViewOrder>>();
  private busy: Promise<unknown> | null = null;

  constructor(private readonly store: PacketStore, private readonly names: NameResolution | null) {}

  /** Runs one piece of work at a time (they share the summary texts and orders). */
  async exclusive<T>(run: () => Promise<T>): Promise<T> {
    while (this.busy) await this.busy.catch(() => undefined);
    const p = run();
    this.busy = p;
    try {
      return await p;
    } finally {
      if (this.busy === p) this.busy = null;
    }
  }

  /** The session's order for a column and direction over every frame it holds now. */
  async order(column: Exclude<SortColumn, 'number'>, descending: boolean, work: AnalysisWork): Promise<Uint32Array> {
    const store = this.store;
    const total = store.count();
    const key = `${column}:${descending ? 'desc' : 'asc'}`;
    const known = this.orders.get(key);
    if (known && known.length === total) return known;
    let texts: SummaryTexts | null = null;
    if (column !== 'time' && column !== 'length') {
      texts = this.texts ??= new SummaryTexts(store, this.names);
      await texts.extend(work);
    }
    const cmp = keyCompare(store, texts, column);
    const ascKey = `${column}:asc`;
    let ascending = this.orders.get(ascKey) ?? new Uint32Array(0);
    if (ascending.length < total) {
      work.progress('sort', total, total);
      const fresh = new Uint32Array(total - ascending.length);
      for (let i = 0; i < fresh.length; i++) fresh[i] = ascending.length + i;
      const sortedFresh = await work.drive(sortFrames(fresh, cmp));
      ascending = ascending.length === 0 ? sortedFresh : await work.drive(mergeSorted(ascending, sortedFresh, cmp));
      this.orders.set(ascKey, ascending);
    }
    if (!descending) return ascending;
    const result = await work.drive(descendingFrom(ascending, cmp));
    this.orders.set(key, result);
    return result;
  }
}

/** Each session's sort states, by the names its texts show (nameKey): the text columns sort as they read. */
const states = new WeakMap<EngineSession, Map<string, SessionOrders>>();

/** Forgets a session's sorted orders and texts (Decode As changed what its frames read). */
export function forgetSort(session: EngineSession): void {
  states.delete(session);
}

function stateOf(session: EngineSession, names: NameResolution | null, make: boolean): SessionOrders | undefined {
  let byNames = states.get(session);
  if (!byNames) {
    if (!make) return undefined;
    states.set(session, (byNames = new Map()));
  }
  const key = nameKey(names);
  let state = byNames.get(key);
  if (!state && make) byNames.set(key, (state = new SessionOrders(session.store, names)));
  return state;
}

/** Positions [start, start + count) of the sorted list as 0-based frame indexes, and the list's length. */
async function sortedFrames(session: EngineSession, view: FilterView | undefined, sort: RowSort, start: number, count: number, work: AnalysisWork, names: NameResolution | null): Promise<{ total: number; frames: number[] }> {
  const store = session.store;
  if (sort.column === 'number') {
    // Frame order, or its reverse: no permutation to keep.
    const total = store.count(view);
    const out: number[] = [];
    for (let i = start; i < Math.min(total, start + count); i++) {
      const p = sort.descending ? total - 1 - i : i;
      out.push(view ? view.frameAt(p) - 1 : p);
    }
    return { total, frames: out };
  }
  const column = sort.column;
  const s = stateOf(session, names, true)!;
  const order = await s.exclusive(async () => {
    const full = await s.order(column, sort.descending, work);
    if (!view) return full;
    const key = `${column}:${sort.descending ? 'desc' : 'asc'}`;
    let byColumn = s.views.get(view);
    if (!byColumn) s.views.set(view, (byColumn = new Map()));
    const known = byColumn.get(key);
    const matches = view.count();
    if (known && known.matches === matches && known.frames === full.length) return known.order;
    const members = new Uint8Array(full.length);
    const frames = view.frames();
    for (let i = 0; i < matches; i++) {
      const k = frames[i]! - 1;
      if (k < members.length) members[k] = 1;
    }
    const filtered = await work.drive(filterFrames(full, members, matches));
    byColumn.set(key, { matches, frames: full.length, order: filtered });
    return filtered;
  });
  return { total: order.length, frames: Array.from(order.subarray(start, start + count)) };
}

/** The `rows` request with `sort`: a page of the list in the order of one column. */
export async function sortedRows(session: EngineSession, view: FilterView | undefined, viewId: number | null, sort: RowSort, start: number, count: number, work: AnalysisWork, names: NameResolution | null = null): Promise<EngineResult<'rows'>> {
  try {
    const store = session.store;
    const { total, frames: page } = await sortedFrames(session, view, sort, start, count, work, names);
    // Dissected in frame order (paging forward costs nothing; going back restarts the row dissector), then put in the page's order.
    const byFrame = new Map<number, PacketRow>();
    const texts = stateOf(session, names, false)?.texts;
    for (const k of [...page].sort((a, b) => a - b)) {
      // The text columns' sort dissected every frame in order: its rows are those of a dissection in order (no jumps).
      if (texts && k < texts.done) {
        byFrame.set(k, texts.row(k));
        continue;
      }
      let row;
      try {
        row = store.rows(k, 1, undefined, names)[0]!;
      } catch (err) {
        if (err instanceof EngineError || err instanceof RangeError) throw err;
        throw new EngineError('EREAD', `the captured bytes cannot be read back: ${(err as Error).message}`);
      }
      byFrame.set(k, rowData(row));
      await work.step();
    }
    return { total, start, view: viewId, rows: page.map((k) => byFrame.get(k)!) };
  } finally {
    work.end();
  }
}
