import { describe, expect, test } from 'vitest';
import { PageCache, type RowPage } from './page-cache';

/** A source of `total` rows (their index) that answers when told, recording what was asked. */
function source(total: { n: number }) {
  const asked: { start: number; count: number; signal: AbortSignal; resolve: () => void; reject: (e: unknown) => void }[] = [];
  const fetch = (start: number, count: number, signal: AbortSignal): Promise<RowPage<number>> =>
    new Promise((resolve, reject) => {
      asked.push({
        start,
        count,
        signal,
        resolve: () => {
          const rows = [];
          for (let i = start; i < Math.min(total.n, start + count); i++) rows.push(i);
          resolve({ total: total.n, rows });
        },
        reject,
      });
    });
  const answerAll = async (): Promise<void> => {
    while (asked.length) asked.shift()!.resolve();
    await new Promise((r) => setTimeout(r, 0));
  };
  return { fetch, asked, answerAll };
}

describe('PageCache', () => {
  test('fetches the pages covering a range, once while in flight', async () => {
    const total = { n: 1000 };
    const s = source(total);
    let changes = 0;
    const cache = new PageCache<number>({ pageSize: 100, maxPages: 10, fetch: s.fetch, onChange: () => changes++ });
    cache.setTotal(1000);
    void cache.ensure(50, 250);
    void cache.ensure(60, 260);
    void cache.ensure(0, 10);
    expect(s.asked.map((a) => a.start)).toEqual([0, 100, 200]);
    expect(cache.pendingCount).toBe(3);
    expect(cache.get(150)).toBeUndefined();
    await s.answerAll();
    expect(cache.get(150)).toBe(150);
    expect(cache.has(0, 300)).toBe(true);
    expect(changes).toBeGreaterThanOrEqual(3);
    void cache.ensure(0, 300);
    expect(s.asked).toHaveLength(0);
  });

  test('ensure resolves when its pages are here, also when they were already on their way', async () => {
    const s = source({ n: 500 });
    const cache = new PageCache<number>({ pageSize: 100, maxPages: 10, fetch: s.fetch });
    cache.setTotal(500);
    void cache.ensure(0, 100);
    const waiting = cache.ensure(0, 100);
    let done = false;
    void waiting.then(() => (done = true));
    await s.answerAll();
    await waiting;
    expect(done).toBe(true);
    expect(cache.get(99)).toBe(99);
  });

  test('evicts the pages shown least recently, never the ones asked for', async () => {
    const s = source({ n: 10_000 });
    const cache = new PageCache<number>({ pageSize: 100, maxPages: 3, fetch: s.fetch });
    cache.setTotal(10_000);
    for (const p of [0, 1, 2, 3, 4]) {
      void cache.ensure(p * 100, p * 100 + 100);
      await s.answerAll();
    }
    expect(cache.pageCount).toBe(3);
    expect(cache.get(0)).toBeUndefined();
    expect(cache.get(450)).toBe(450);
    // Page 2 shown again: it stays when 5 arrives, 3 goes.
    void cache.ensure(200, 300);
    void cache.ensure(500, 600);
    await s.answerAll();
    expect(cache.get(250)).toBe(250);
    expect(cache.get(350)).toBeUndefined();
    // A range wider than maxPages keeps all its pages.
    void cache.ensure(1000, 1500);
    await s.answerAll();
    expect(cache.has(1000, 1500)).toBe(true);
  });

  test('reset aborts requests in flight and ignores their answers', async () => {
    const s = source({ n: 1000 });
    const cache = new PageCache<number>({ pageSize: 100, maxPages: 10, fetch: s.fetch });
    cache.setTotal(1000);
    void cache.ensure(0, 100);
    const old = s.asked[0]!;
    cache.reset(1000);
    expect(old.signal.aborted).toBe(true);
    s.asked.shift();
    old.resolve();
    await new Promise((r) => setTimeout(r, 0));
    expect(cache.get(5)).toBeUndefined();
    void cache.ensure(0, 100);
    expect(s.asked).toHaveLength(1);
    await s.answerAll();
    expect(cache.get(5)).toBe(5);
  });

  test('a short last page is fetched again when the list grows; full pages are kept', async () => {
    const total = { n: 150 };
    const s = source(total);
    const cache = new PageCache<number>({ pageSize: 100, maxPages: 10, fetch: s.fetch });
    cache.setTotal(150);
    void cache.ensure(0, 150);
    await s.answerAll();
    expect(cache.get(149)).toBe(149);
    expect(cache.get(150)).toBeUndefined();
    total.n = 230;
    cache.setTotal(230);
    void cache.ensure(100, 230);
    expect(s.asked.map((a) => a.start)).toEqual([100, 200]);
    await s.answerAll();
    expect(cache.get(229)).toBe(229);
    void cache.ensure(0, 100);
    expect(s.asked).toHaveLength(0);
  });

  test('a failed page is reported and asked for again next time', async () => {
    const s = source({ n: 100 });
    const errors: unknown[] = [];
    const cache = new PageCache<number>({ pageSize: 100, maxPages: 10, fetch: s.fetch, onError: (e) => errors.push(e) });
    cache.setTotal(100);
    void cache.ensure(0, 100);
    s.asked.shift()!.reject(new Error('boom'));
    await new Promise((r) => setTimeout(r, 0));
    expect(errors).toHaveLength(1);
    void cache.ensure(0, 100);
    expect(s.asked).toHaveLength(1);
  });

  test('partial loads ask only for the rows from the first one wanted, keep what was held, and fill in earlier rows when shown', async () => {
    const total = { n: 1000 };
    const s = source(total);
    const cache = new PageCache<number>({ pageSize: 100, maxPages: 10, fetch: s.fetch });
    cache.setTotal(1000);
    // A followed tail: rows 960–999 of page 9.
    void cache.ensure(960, 1000, true);
    expect(s.asked.map((a) => [a.start, a.count])).toEqual([[960, 40]]);
    await s.answerAll();
    expect(cache.get(960)).toBe(960);
    expect(cache.get(999)).toBe(999);
    expect(cache.get(959)).toBeUndefined();
    expect(cache.has(960, 1000)).toBe(true);
    expect(cache.has(950, 1000)).toBe(false);
    void cache.ensure(965, 1000, true);
    expect(s.asked).toHaveLength(0);
    // The list grows: the new page is asked for from the first row wanted; the full one is kept.
    total.n = 1150;
    cache.setTotal(1150);
    void cache.ensure(1110, 1150, true);
    void cache.ensure(990, 1000, true);
    expect(s.asked.map((a) => [a.start, a.count])).toEqual([[1110, 90]]);
    await s.answerAll();
    expect(cache.get(1149)).toBe(1149);
    // Scrolling back over the partial page asks for its rows before 960; the rows held stay.
    void cache.ensure(900, 1000);
    expect(s.asked.map((a) => [a.start, a.count])).toEqual([[900, 100]]);
    await s.answerAll();
    expect(cache.has(900, 1000)).toBe(true);
    expect(cache.get(930)).toBe(930);
    // A partial load in flight and a wider one asked meanwhile: the earlier rows are asked for once it is done.
    void cache.ensure(1120, 1150, true);
    expect(s.asked).toHaveLength(0);
    total.n = 1300;
    cache.setTotal(1300);
    const first = cache.ensure(1280, 1300, true);
    expect(s.asked.map((a) => [a.start, a.count])).toEqual([[1280, 20]]);
    const wider = cache.ensure(1250, 1300);
    expect(s.asked).toHaveLength(1);
    await s.answerAll();
    await first;
    await new Promise((r) => setTimeout(r, 0));
    expect(s.asked.map((a) => [a.start, a.count])).toEqual([[1200, 100]]);
    await s.answerAll();
    await wider;
    expect(cache.has(1250, 1300)).toBe(true);
    expect(cache.get(1250)).toBe(1250);
  });
});
