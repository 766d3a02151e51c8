import { describe, expect, test } from 'vitest';
import {
  MAX_SCROLL_PX,
  isAtBottom,
  logicalTop,
  maxScrollTop,
  moveSelection,
  pagesCovering,
  revealRow,
  rowOffset,
  rowContentTop,
  rowsPerPage,
  scrollHeight,
  scrollLimit,
  scrollTopFor,
  visibleRange,
  type Viewport,
} from './viewport';

const vp = (scrollTop: number, total: number, height = 220, rowHeight = 22): Viewport => ({ scrollTop, height, rowHeight, total });

describe('visibleRange', () => {
  test('shows the rows that fit, partly visible ones included', () => {
    expect(visibleRange(vp(0, 1000))).toEqual({ first: 0, end: 10 });
    expect(visibleRange(vp(11, 1000))).toEqual({ first: 0, end: 11 });
    expect(visibleRange(vp(22 * 50, 1000))).toEqual({ first: 50, end: 60 });
  });
  test('overscan widens within the list', () => {
    expect(visibleRange(vp(0, 1000), 5)).toEqual({ first: 0, end: 15 });
    expect(visibleRange(vp(maxScrollTop(vp(0, 1000)), 1000), 5)).toEqual({ first: 985, end: 1000 });
  });
  test('an empty list or one shorter than the viewport', () => {
    expect(visibleRange(vp(0, 0))).toEqual({ first: 0, end: 0 });
    expect(visibleRange(vp(0, 3))).toEqual({ first: 0, end: 3 });
    expect(maxScrollTop(vp(0, 3))).toBe(0);
  });
  test('a scrollTop past the end is clamped', () => {
    expect(visibleRange(vp(1e9, 100))).toEqual({ first: 90, end: 100 });
  });
});

describe('huge lists', () => {
  const total = 10_000_000;
  test('the scroll area is capped and maps linearly onto the list', () => {
    expect(scrollHeight(vp(0, total))).toBe(MAX_SCROLL_PX);
    const max = maxScrollTop(vp(0, total));
    expect(logicalTop(vp(max, total))).toBeCloseTo(total * 22 - 220);
    expect(visibleRange(vp(max, total))).toEqual({ first: total - 10, end: total });
    expect(visibleRange(vp(max / 2, total)).first).toBe(Math.floor((total * 22 - 220) / 2 / 22));
  });
  test('scrollTopFor inverts logicalTop', () => {
    const base = vp(0, total);
    for (const top of [0, 12345, 22 * 5_000_000, total * 22 - 220]) {
      expect(logicalTop({ ...base, scrollTop: scrollTopFor(top, base) })).toBeCloseTo(top, 3);
    }
  });
  test('the last row is reachable and drawn in the viewport', () => {
    const top = revealRow(total - 1, vp(0, total));
    const at = { ...vp(0, total), scrollTop: top };
    const y = rowOffset(total - 1, at);
    expect(y).toBeGreaterThanOrEqual(0);
    expect(y + 22).toBeLessThanOrEqual(220 + 1e-6);
  });
});

describe('revealRow', () => {
  test('moves as little as possible', () => {
    expect(revealRow(5, vp(0, 1000))).toBe(0);
    expect(revealRow(10, vp(0, 1000))).toBe(22);
    expect(revealRow(3, vp(22 * 10, 1000))).toBe(66);
    expect(revealRow(999, vp(0, 1000))).toBe(maxScrollTop(vp(0, 1000)));
  });
});

describe('isAtBottom', () => {
  test('within half a row of the end', () => {
    const max = maxScrollTop(vp(0, 1000));
    expect(isAtBottom(vp(max, 1000))).toBe(true);
    expect(isAtBottom(vp(max - 10, 1000))).toBe(true);
    expect(isAtBottom(vp(max - 30, 1000))).toBe(false);
    expect(isAtBottom(vp(0, 5))).toBe(true);
  });
});

describe('moveSelection', () => {
  test('keys move and clamp', () => {
    expect(moveSelection(5, 'ArrowDown', 10, 100)).toBe(6);
    expect(moveSelection(0, 'ArrowUp', 10, 100)).toBe(0);
    expect(moveSelection(95, 'PageDown', 10, 100)).toBe(99);
    expect(moveSelection(5, 'PageUp', 10, 100)).toBe(0);
    expect(moveSelection(50, 'Home', 10, 100)).toBe(0);
    expect(moveSelection(50, 'End', 10, 100)).toBe(99);
  });
  test('from no selection, and in an empty list', () => {
    expect(moveSelection(-1, 'ArrowDown', 10, 100)).toBe(0);
    expect(moveSelection(-1, 'End', 10, 100)).toBe(99);
    expect(moveSelection(-1, 'ArrowDown', 10, 0)).toBe(-1);
  });
  test('a page is the rows that fit wholly', () => {
    expect(rowsPerPage({ height: 230, rowHeight: 22 })).toBe(10);
    expect(rowsPerPage({ height: 5, rowHeight: 22 })).toBe(1);
  });
});

test('pagesCovering', () => {
  expect(pagesCovering({ first: 0, end: 0 }, 100)).toEqual([]);
  expect(pagesCovering({ first: 0, end: 100 }, 100)).toEqual([0]);
  expect(pagesCovering({ first: 99, end: 201 }, 100)).toEqual([0, 1, 2]);
});

describe('scrollLimit and rowContentTop', () => {
  test("the browser's tallest element, as measured, sets how tall the scroll area may be", () => {
    expect(scrollLimit(33_554_431)).toBe(30_000_000); // Chromium
    expect(scrollLimit(17_895_697)).toBe(Math.floor(17_895_697 * 0.9)); // Firefox
    expect(scrollLimit(0)).toBe(MAX_SCROLL_PX); // not laid out (jsdom)
    expect(scrollLimit(Number.NaN)).toBe(MAX_SCROLL_PX);
  });
  test('a row stays at its place in the content while the list fits the scroll area', () => {
    const limit = { maxScrollPx: 30_000_000 };
    expect(scrollHeight({ ...vp(0, 1_000_000), ...limit })).toBe(22_000_000);
    for (const top of [0, 12_345, 21_000_000]) expect(rowContentTop(500_000, { ...vp(top, 1_000_000), ...limit })).toBe(11_000_000);
  });
  test('past it, where the scroll position maps onto the list', () => {
    const v = vp(4_000_000, 1_000_000);
    expect(rowContentTop(600_000, v) - v.scrollTop).toBeCloseTo(rowOffset(600_000, v), 6);
  });
});
