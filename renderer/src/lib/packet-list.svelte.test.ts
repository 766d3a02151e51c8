import { describe, expect, test } from 'vitest';
import type { PacketRow, RowSort } from '../../../app/rpc/engine-protocol';
import { PacketListState, ROW_HEIGHT } from './packet-list.svelte';
import { maxScrollTop } from './viewport';

/** Rows 1..n in frame order (or reversed), like the engine's `rows`. */
function rows(n: { total: number }, asked: { start: number; sort: RowSort | null }[] = []) {
  return {
    fetch: async (start: number, count: number, sort: RowSort | null) => {
      asked.push({ start, sort });
      const out: PacketRow[] = [];
      for (let i = start; i < Math.min(n.total, start + count); i++) {
        const number = sort?.descending ? n.total - i : i + 1;
        out.push({ number, time: '0', relativeSeconds: 0, source: 's', destination: 'd', protocol: 'TCP', length: 60, info: '', status: 'ok' });
      }
      return { total: n.total, rows: out };
    },
  };
}

describe('PacketListState', () => {
  test('a live capture is followed until the user scrolls away, and again once back at the bottom', async () => {
    const n = { total: 0 };
    const list = new PacketListState({ pageSize: 50 });
    list.resize(ROW_HEIGHT * 10);
    list.setSource(rows(n), 0, { live: true });
    expect(list.follow).toBe(true);
    n.total = 100;
    await list.grow(100);
    expect(list.scrollTop).toBe(maxScrollTop(list.viewport));
    await list.load();
    expect(list.drawn.at(-1)!.row!.number).toBe(100);

    list.onScroll(0);
    expect(list.follow).toBe(false);
    n.total = 200;
    await list.grow(200);
    expect(list.scrollTop).toBe(0);

    list.onScroll(maxScrollTop(list.viewport));
    expect(list.follow).toBe(true);
    n.total = 300;
    await list.grow(300);
    expect(list.scrollTop).toBe(maxScrollTop(list.viewport));
  });

  test('a live capture that grows twice before the first scroll event comes is still followed', async () => {
    const n = { total: 300 };
    const list = new PacketListState({ pageSize: 50 });
    list.resize(ROW_HEIGHT * 10);
    list.setSource(rows(n), 0, { live: true });
    await list.grow(100);
    const first = list.scrollTop;
    await list.grow(200);
    const second = list.scrollTop;
    expect(second).toBeGreaterThan(first);
    // The browser reports the first position, then the second: both the list's own.
    list.onScroll(first);
    expect(list.follow).toBe(true);
    list.onScroll(second);
    expect(list.follow).toBe(true);
    await list.grow(300);
    expect(list.scrollTop).toBe(maxScrollTop(list.viewport));
    // A position the list never set is the user's: following stops.
    list.onScroll(first);
    expect(list.follow).toBe(false);
  });

  test('past 8 million px the browser reports its offsets rounded (32-bit floats): a followed list is still followed', async () => {
    const n = { total: 500_000 };
    const list = new PacketListState({ pageSize: 100 });
    list.setScrollLimit(30_000_000);
    list.resize(ROW_HEIGHT * 10 + 0.4);
    list.setSource(rows(n), 0, { live: true });
    await list.grow(450_000);
    const set = list.scrollTop;
    expect(set).toBeGreaterThan(2 ** 23);
    // More rows come (their page on its way) before the browser reports the list's scroll, rounded.
    const growing = list.grow(480_000);
    list.onScroll(Math.fround(set + 0.9));
    expect(list.follow).toBe(true);
    await growing;
    expect(list.scrollTop).toBe(maxScrollTop(list.viewport));
    // A position the list did not set, at the bottom of the rows followed so far: not scrolled away.
    const again = list.grow(500_000);
    list.onScroll(list.scrollTop - 3);
    expect(list.follow).toBe(true);
    await again;
    expect(list.scrollTop).toBe(maxScrollTop(list.viewport));
    // Scrolled up by the user: following stops.
    list.onScroll(set - ROW_HEIGHT * 100);
    expect(list.follow).toBe(false);
  });

  test('a followed list scrolls to new rows only once their page is here: the rows in view are never placeholders', async () => {
    const n = { total: 0 };
    const list = new PacketListState({ pageSize: 50 });
    list.resize(ROW_HEIGHT * 10);
    let release: () => void = () => undefined;
    const gate = { wait: Promise.resolve() };
    const source = rows(n);
    list.setSource({ fetch: async (...args) => { await gate.wait; return source.fetch(args[0], args[1], args[2]); } }, 0, { live: true });
    n.total = 40;
    await list.grow(40);
    expect(list.drawn.filter((d) => d.row !== null && d.top >= 0 && d.top < ROW_HEIGHT * 10).map((d) => d.row!.number).at(-1)).toBe(40);
    // 5,000 more rows arrive while the next page is on its way: the list stays on rows it has.
    gate.wait = new Promise<void>((resolve) => (release = resolve));
    n.total = 5040;
    const growing = list.grow(5040);
    const inView = (): (number | null)[] => list.drawn.filter((d) => d.top >= 0 && d.top < ROW_HEIGHT * 10).map((d) => d.row?.number ?? null);
    expect(inView().every((x) => x !== null)).toBe(true);
    expect(inView().at(-1)).toBe(40);
    release();
    await growing;
    expect(inView().every((x) => x !== null)).toBe(true);
    expect(inView().at(-1)).toBe(5040);
    expect(list.follow).toBe(true);
  });

  test('past MAX_SCROLL_PX (proportional scrolling) a followed list still shows only rows it has while the next page comes', async () => {
    const n = { total: 0 };
    const list = new PacketListState({ pageSize: 200 });
    list.resize(ROW_HEIGHT * 16);
    let release: () => void = () => undefined;
    const gate = { wait: Promise.resolve() };
    const source = rows(n);
    list.setSource({ fetch: async (...args) => { await gate.wait; return source.fetch(args[0], args[1], args[2]); } }, 0, { live: true });
    n.total = 500_000;
    await list.grow(500_000);
    const inView = (): (number | null)[] => list.drawn.filter((d) => d.top >= 0 && d.top + ROW_HEIGHT <= ROW_HEIGHT * 16).map((d) => d.row?.number ?? null);
    expect(inView().at(-1)).toBe(500_000);
    gate.wait = new Promise<void>((resolve) => (release = resolve));
    n.total = 505_000;
    const growing = list.grow(505_000);
    expect(inView().every((x) => x !== null)).toBe(true);
    expect(inView().at(-1)).toBe(500_000);
    release();
    await growing;
    expect(inView().every((x) => x !== null)).toBe(true);
    expect(inView().at(-1)).toBe(505_000);
    // The user scrolls up: following stops and the viewport spans every row.
    list.onScroll(1000);
    expect(list.follow).toBe(false);
    expect(list.viewport.total).toBe(505_000);
  });

  test('a file is not followed: it opens at the top while still loading', () => {
    const n = { total: 10 };
    const list = new PacketListState();
    list.resize(ROW_HEIGHT * 5);
    list.setSource(rows(n), 10, { live: false });
    n.total = 500;
    list.grow(500);
    expect(list.scrollTop).toBe(0);
    expect(list.follow).toBe(false);
  });

  test('the keyboard moves the selection and keeps it in view; the selection names its frame', async () => {
    const n = { total: 1000 };
    const list = new PacketListState({ pageSize: 100 });
    list.resize(ROW_HEIGHT * 10);
    list.setSource(rows(n), 1000);
    await list.load();
    list.navigate('ArrowDown');
    expect(list.selectedIndex).toBe(0);
    expect(list.selectedNumber).toBe(1);
    list.navigate('PageDown');
    expect(list.selectedIndex).toBe(10);
    expect(list.scrollTop).toBe(ROW_HEIGHT);
    list.navigate('End');
    expect(list.selectedIndex).toBe(999);
    await list.load();
    await new Promise((r) => setTimeout(r, 0));
    expect(list.selectedNumber).toBe(1000);
    expect(list.scrollTop).toBe(maxScrollTop(list.viewport));
    list.navigate('Home');
    expect(list.scrollTop).toBe(0);
  });

  test('sorting asks the engine for the new order and drops the cached pages', async () => {
    const n = { total: 300 };
    const asked: { start: number; sort: RowSort | null }[] = [];
    const list = new PacketListState({ pageSize: 100 });
    list.resize(ROW_HEIGHT * 10);
    list.setSource(rows(n, asked), 300);
    await list.load();
    list.setSort({ column: 'number', descending: true });
    await list.load();
    expect(asked.at(-1)).toEqual({ start: 0, sort: { column: 'number', descending: true } });
    expect(list.drawn[0]!.row!.number).toBe(300);
  });

  test('only the visible rows (and a margin) are drawn, however long the list', () => {
    const list = new PacketListState();
    list.resize(ROW_HEIGHT * 30);
    list.setSource(rows({ total: 5_000_000 }), 5_000_000);
    expect(list.drawn.length).toBeLessThanOrEqual(30 + 2 * 10 + 1);
    list.onScroll(maxScrollTop(list.viewport));
    expect(list.drawn.at(-1)!.index).toBe(4_999_999);
  });

  test('slots: a scroll step keeps the rows still in view in their elements and rewrites only the others', async () => {
    const list = new PacketListState({ pageSize: 100 });
    list.resize(ROW_HEIGHT * 20);
    list.setSource(rows({ total: 1000 }), 1000);
    await list.load();
    const before = list.slots;
    // Every row drawn has one slot, at its place in the list (and the element to spare shows the next row).
    const shown = (slots: typeof before) => slots.filter((s) => s.index >= 0).sort((a, b) => a.index - b.index);
    const covers = (slots: typeof before): void => {
      const indexes = shown(slots).map((s) => s.index);
      expect(indexes.length).toBe(slots.length);
      expect(indexes.at(-1)! - indexes[0]!).toBe(indexes.length - 1);
      for (const d of list.drawn) expect(indexes).toContain(d.index);
    };
    covers(before);
    expect(shown(before).every((s) => s.y === s.index * ROW_HEIGHT && s.row!.number === s.index + 1)).toBe(true);
    list.onScroll(ROW_HEIGHT * 300);
    await list.load();
    list.onScroll(ROW_HEIGHT * 307);
    const a = list.slots;
    list.onScroll(ROW_HEIGHT * 315);
    const b = list.slots;
    expect(b.length).toBe(a.length);
    covers(b);
    // 8 rows moved: the slots of rows in both ranges are the same objects, the rest new.
    const kept = b.filter((s, j) => s === a[j]);
    const both = shown(a).filter((s) => b.some((t) => t.index === s.index));
    expect(kept.length).toBe(both.length);
    expect(kept.length).toBe(a.filter((s) => s.index >= 0).length - 8);
    expect(shown(b).every((s) => s.y === s.index * ROW_HEIGHT && s.row!.number === s.index + 1)).toBe(true);
  });

  test('slots at the end of the list, and for a list shorter than the viewport', async () => {
    const list = new PacketListState({ pageSize: 100 });
    list.resize(ROW_HEIGHT * 20);
    list.setSource(rows({ total: 1000 }), 1000);
    list.onScroll(maxScrollTop(list.viewport));
    expect(list.slots.every((s) => s.index >= 0 && s.index < 1000)).toBe(true);
    expect(Math.max(...list.slots.map((s) => s.index))).toBe(999);
    const short = new PacketListState({ pageSize: 100 });
    short.resize(ROW_HEIGHT * 20);
    short.setSource(rows({ total: 3 }), 3);
    expect(short.slots.filter((s) => s.index >= 0).map((s) => s.index)).toEqual([0, 1, 2]);
  });

  test('a followed live capture asks only for the rows it shows and draws only those; scrolled away, the margins come back', async () => {
    const n = { total: 0 };
    const asked: { start: number; count: number }[] = [];
    const source = rows(n);
    const list = new PacketListState({ pageSize: 200 });
    list.resize(ROW_HEIGHT * 20);
    list.setSource({ fetch: (start: number, count: number, sort: RowSort | null) => (asked.push({ start, count }), source.fetch(start, count, sort)) }, 0, { live: true });
    for (const total of [5_000, 10_130, 15_190]) {
      n.total = total;
      asked.length = 0;
      await list.grow(total);
      await list.load();
      expect(list.follow).toBe(true);
      // The 21 rows a 20-row viewport can show in part, from the last one back: no whole page of 200.
      expect(asked.reduce((sum, a) => sum + a.count, 0)).toBeLessThanOrEqual(21 + 200 - ((total - 21) % 200));
      expect(asked.every((a) => a.start >= total - 21)).toBe(true);
      const drawn = list.slots.filter((s) => s.index >= 0).map((s) => s.index);
      expect(Math.max(...drawn)).toBe(total - 1);
      expect(Math.min(...drawn)).toBeGreaterThanOrEqual(total - 21);
      expect(list.slots.filter((s) => s.index >= 0).every((s) => s.row !== null)).toBe(true);
    }
    // The user scrolls up a little: following stops, the rows above and below the view are drawn and fetched.
    list.onScroll(maxScrollTop(list.viewport) - ROW_HEIGHT * 30);
    expect(list.follow).toBe(false);
    await list.load();
    const drawn = list.slots.filter((s) => s.index >= 0);
    expect(drawn.length).toBeGreaterThan(21);
    expect(drawn.every((s) => s.row !== null)).toBe(true);
  });

  test('slots past the scroll limit: rows are placed where the scroll position maps onto the list', () => {
    const list = new PacketListState();
    list.resize(ROW_HEIGHT * 30);
    list.setSource(rows({ total: 5_000_000 }), 5_000_000);
    list.onScroll(maxScrollTop(list.viewport) / 2);
    const vp = list.viewport;
    for (const d of list.drawn) expect(list.slots.find((s) => s.index === d.index)!.y - vp.scrollTop).toBeCloseTo(d.top, 6);
    // A browser that lays out taller elements: the list keeps its rows in view and scrolls pixel for pixel further.
    const firstBefore = list.range.first;
    list.setScrollLimit(30_000_000);
    expect(list.contentHeight).toBe(30_000_000);
    expect(Math.abs(list.range.first - firstBefore)).toBeLessThanOrEqual(1);
  });
});
