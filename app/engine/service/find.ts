/**
 * Edit › Find Packet and Go › Next/Previous Packet in Conversation: the first frame after (or
 * before) a frame, in the packet list's order (a view's matches, or every frame; frame order),
 * that matches a display filter, holds some bytes or a string, or belongs to the same TCP/UDP
 * stream. The search wraps around once, as Wireshark's.
 *
 * A display filter is run as a view of its own (in order, in slices: stream numbers and
 * analysis fields agree with the list's), kept per session while the same filter is searched
 * for again (Find Next), and following frames appended since.
 */
import type { EngineParams, EngineResult } from '../../rpc/engine-protocol';
import type { FilterView } from '../filter-view';
import type { AnalysisWork } from './analysis-work';
import { EngineError } from './plain';
import type { EngineSession } from './session';

type Find = EngineParams<'findFrame'>['find'];

/** The view searched for a display filter, per session (one at a time: the find bar's). */
const findViews = new WeakMap<EngineSession, FilterView>();
/** The session's ignored frames when its find view was made. */
const findVersions = new WeakMap<EngineSession, number>();

/** The list's frames (0-based) in order: a view's matches or every frame. */
interface ListOrder {
  length: number;
  frameAt(i: number): number;
  /** The position of frame k, or where it would be (the first position holding a later frame). */
  positionOf(k: number): { index: number; exact: boolean };
}

function listOrder(session: EngineSession, view: FilterView | undefined): ListOrder {
  if (!view) {
    const n = session.store.count();
    return { length: n, frameAt: (i) => i, positionOf: (k) => ({ index: Math.min(k, n), exact: k < n }) };
  }
  const frames = view.frames().slice();
  return {
    length: frames.length,
    frameAt: (i) => frames[i]! - 1,
    positionOf: (k) => {
      let lo = 0;
      let hi = frames.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (frames[mid]! < k + 1) lo = mid + 1;
        else hi = mid;
      }
      return { index: lo, exact: lo < frames.length && frames[lo] === k + 1 };
    },
  };
}

/** Where `needle` is in `haystack`, optionally ASCII case-insensitively. */
function contains(haystack: Uint8Array, needle: Uint8Array, caseSensitive: boolean): boolean {
  const n = needle.length;
  const lower = (b: number): number => (b >= 0x41 && b <= 0x5a ? b + 32 : b);
  outer: for (let i = 0; i + n <= haystack.length; i++) {
    for (let j = 0; j < n; j++) {
      const a = haystack[i + j]!;
      const b = needle[j]!;
      if (a !== b && (caseSensitive || lower(a) !== lower(b))) continue outer;
    }
    return true;
  }
  return false;
}

/** A test of frame k (0-based) for the find asked, and what it needs done first. */
async function matcher(session: EngineSession, find: Find, from: number, work: AnalysisWork): Promise<(k: number) => boolean> {
  const store = session.store;
  switch (find.kind) {
    case 'filter': {
      let view = findViews.get(session);
      if (!view || view.text !== find.filter.trim() || findVersions.get(session) !== session.flags.ignoredVersion) {
        findVersions.set(session, session.flags.ignoredVersion);
        if (view) store.dropView(view);
        try {
          view = store.filter(find.filter.trim(), undefined, (k) => session.flags.isIgnored(k));
        } catch (err) {
          throw new EngineError('EFILTER', (err as Error).message);
        }
        findViews.set(session, view);
      }
      const running = view.update();
      const stop = (): void => view!.cancel();
      work.signal.addEventListener('abort', stop, { once: true });
      try {
        await running;
      } finally {
        work.signal.removeEventListener('abort', stop);
      }
      work.check();
      if (view.error) throw new EngineError('EREAD', `the filter stopped at frame ${view.framesDone + 1}: ${view.error.message}`);
      const matches = new Set(view.frames());
      return (k) => matches.has(k + 1);
    }
    case 'hex': {
      const needle = Uint8Array.from(find.bytes.match(/../g)!.map((h) => parseInt(h, 16)));
      return (k) => contains(store.frameInput(k, false).data, needle, true);
    }
    case 'string': {
      const needle = new TextEncoder().encode(find.text);
      return (k) => contains(store.frameInput(k, false).data, needle, find.caseSensitive === true);
    }
    case 'marked':
      return (k) => session.flags.has(k, 'marked');
    case 'conversation': {
      if (from < 1 || from > store.count()) return () => false;
      const mine = store.streamOf(from - 1);
      if (mine.id < 0) return () => false;
      return (k) => {
        const s = store.streamOf(k);
        return s.id === mine.id && s.tcp === mine.tcp;
      };
    }
  }
}

export async function findFrame(session: EngineSession, view: FilterView | undefined, params: EngineParams<'findFrame'>, work: AnalysisWork): Promise<EngineResult<'findFrame'>> {
  try {
    const test = await matcher(session, params.find, params.from, work);
    const order = listOrder(session, view);
    const n = order.length;
    if (n === 0) return { frame: null, index: null, wrapped: false };
    const back = params.backwards === true;
    // The position to start at: after (before) `from`; from 0 starts at the first (last) row.
    let start: number;
    if (params.from < 1) start = back ? n - 1 : 0;
    else {
      const at = order.positionOf(params.from - 1);
      start = back ? at.index - 1 : at.exact ? at.index + 1 : at.index;
    }
    const step = back ? -1 : 1;
    for (let tried = 0; tried < n; tried++) {
      const raw = start + step * tried;
      const i = ((raw % n) + n) % n;
      const k = order.frameAt(i);
      if (session.flags.isIgnored(k) && params.find.kind !== 'filter') continue;
      if (test(k)) {
        // The frame searched from, found again only after going all the way round, is no find.
        if (params.from >= 1 && k === params.from - 1) return { frame: null, index: null, wrapped: true };
        return { frame: k + 1, index: i, wrapped: back ? raw < 0 : raw >= n };
      }
      if ((tried & 255) === 255) {
        work.progress('filter', tried, n);
        await work.step();
      }
    }
    return { frame: null, index: null, wrapped: true };
  } finally {
    work.end();
  }
}

/** The session is closed: its find view goes. */
export function forgetFind(session: EngineSession): void {
  const view = findViews.get(session);
  if (view) session.store.dropView(view);
  findViews.delete(session);
}
