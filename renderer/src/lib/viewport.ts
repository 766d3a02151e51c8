/**
 * The packet list's viewport maths: which rows a fixed-row-height list shows for a scroll position,
 * where to scroll to reveal a row, how the keyboard moves the selection, and whether the list sits
 * at its bottom (a live capture follows new packets only then). Pure functions, unit-tested.
 *
 * Browsers cap an element's height (Chromium near 33.5 million px): a list taller than
 * MAX_SCROLL_PX is drawn in a scroll area of that height, and a scroll position maps linearly onto
 * the list's logical offset, so millions of packets stay reachable by dragging the scroll bar.
 */

/** Tallest scroll area the list makes by default, px (well under every browser's limit). */
export const MAX_SCROLL_PX = 8_000_000;

/**
 * The tallest scroll area to make in a browser whose elements can be `measured` px tall at most
 * (an element asked to be taller is laid out at that height): nine tenths of it, at most 30
 * million px (Chromium lays out up to 33.5 million, Firefox 17.8 million). Below it a scroll step
 * moves the rows by as many pixels as the scroll position, so rows already drawn stay where they
 * are and only the rows coming into view are drawn.
 */
export function scrollLimit(measured: number): number {
  if (!Number.isFinite(measured) || measured <= MAX_SCROLL_PX) return MAX_SCROLL_PX;
  return Math.floor(Math.min(measured * 0.9, 30_000_000));
}

export interface Viewport {
  /** The scroll area's scrollTop, px. */
  scrollTop: number;
  /** Height of the part rows are drawn in, px. */
  height: number;
  rowHeight: number;
  /** Rows in the list. */
  total: number;
  /** The tallest scroll area to make, px (MAX_SCROLL_PX when not given; see scrollLimit). */
  maxScrollPx?: number;
}

/** Height of the list if every row were laid out, px. */
export function logicalHeight(vp: Pick<Viewport, 'rowHeight' | 'total'>): number {
  return vp.total * vp.rowHeight;
}

/** Height of the scroll area's content, px (the logical height, capped). */
export function scrollHeight(vp: Pick<Viewport, 'rowHeight' | 'total' | 'maxScrollPx'>): number {
  return Math.min(logicalHeight(vp), vp.maxScrollPx ?? MAX_SCROLL_PX);
}

/** Largest scrollTop the scroll area allows. */
export function maxScrollTop(vp: Omit<Viewport, 'scrollTop'>): number {
  return Math.max(0, scrollHeight(vp) - vp.height);
}

/** The logical offset (px into the full list) shown at the top of the viewport. */
export function logicalTop(vp: Viewport): number {
  const max = maxScrollTop(vp);
  const scrollTop = Math.min(Math.max(0, vp.scrollTop), max);
  const logicalMax = Math.max(0, logicalHeight(vp) - vp.height);
  if (max === 0 || max === logicalMax) return scrollTop;
  return (scrollTop / max) * logicalMax;
}

/** The scrollTop that shows the logical offset `top` at the viewport's top. */
export function scrollTopFor(top: number, vp: Omit<Viewport, 'scrollTop'>): number {
  const max = maxScrollTop(vp);
  const logicalMax = Math.max(0, logicalHeight(vp) - vp.height);
  const clamped = Math.min(Math.max(0, top), logicalMax);
  if (max === logicalMax || logicalMax === 0) return Math.min(clamped, max);
  return (clamped / logicalMax) * max;
}

export interface RowRange {
  /** First row shown (index, 0-based). */
  first: number;
  /** One past the last row shown. */
  end: number;
}

/** Rows at least partly visible, widened by `overscan` rows each side, within [0, total). */
export function visibleRange(vp: Viewport, overscan = 0): RowRange {
  if (vp.total === 0 || vp.rowHeight <= 0) return { first: 0, end: 0 };
  const top = logicalTop(vp);
  const first = Math.max(0, Math.floor(top / vp.rowHeight) - overscan);
  const end = Math.min(vp.total, Math.ceil((top + Math.max(0, vp.height)) / vp.rowHeight) + overscan);
  return { first, end: Math.max(first, end) };
}

/** Where row `index` is drawn, px from the viewport's top (negative: above it). */
export function rowOffset(index: number, vp: Viewport): number {
  return index * vp.rowHeight - logicalTop(vp);
}

/**
 * Where row `index` is drawn, px from the top of the scroll area's content: its place in the list
 * while the list fits the scroll area (it stays there as the list scrolls), else offset by where
 * the scroll position maps onto the list.
 */
export function rowContentTop(index: number, vp: Viewport): number {
  const top = logicalTop(vp);
  const scrollTop = Math.min(Math.max(0, vp.scrollTop), maxScrollTop(vp));
  return index * vp.rowHeight + (scrollTop === top ? 0 : scrollTop - top);
}

/** Rows that fit wholly in the viewport (at least 1): what PageUp/PageDown move by. */
export function rowsPerPage(vp: Pick<Viewport, 'height' | 'rowHeight'>): number {
  return Math.max(1, Math.floor(vp.height / vp.rowHeight));
}

/** The scrollTop that brings row `index` wholly into view, moving as little as possible. */
export function revealRow(index: number, vp: Viewport): number {
  if (vp.total === 0) return 0;
  const top = logicalTop(vp);
  const rowTop = index * vp.rowHeight;
  const rowBottom = rowTop + vp.rowHeight;
  let target = top;
  if (rowTop < top) target = rowTop;
  else if (rowBottom > top + vp.height) target = rowBottom - vp.height;
  else return Math.min(Math.max(0, vp.scrollTop), maxScrollTop(vp));
  return scrollTopFor(target, vp);
}

/** The list is scrolled to (within half a row of) its end: a live capture keeps following. */
export function isAtBottom(vp: Viewport): boolean {
  return maxScrollTop(vp) - vp.scrollTop <= vp.rowHeight / 2;
}

export type NavigationKey = 'ArrowUp' | 'ArrowDown' | 'PageUp' | 'PageDown' | 'Home' | 'End';

export function isNavigationKey(key: string): key is NavigationKey {
  return key === 'ArrowUp' || key === 'ArrowDown' || key === 'PageUp' || key === 'PageDown' || key === 'Home' || key === 'End';
}

/** The row a navigation key selects, from `current` (-1: none yet); -1 when the list is empty. */
export function moveSelection(current: number, key: NavigationKey, pageRows: number, total: number): number {
  if (total === 0) return -1;
  const last = total - 1;
  const clamp = (i: number): number => Math.min(last, Math.max(0, i));
  if (current < 0) return key === 'End' || key === 'ArrowUp' || key === 'PageUp' ? last : 0;
  switch (key) {
    case 'ArrowUp': return clamp(current - 1);
    case 'ArrowDown': return clamp(current + 1);
    case 'PageUp': return clamp(current - pageRows);
    case 'PageDown': return clamp(current + pageRows);
    case 'Home': return 0;
    case 'End': return last;
  }
}

/** Indexes of the pages of `pageSize` rows that cover `range`. */
export function pagesCovering(range: RowRange, pageSize: number): number[] {
  if (range.end <= range.first) return [];
  const pages: number[] = [];
  for (let p = Math.floor(range.first / pageSize); p * pageSize < range.end; p++) pages.push(p);
  return pages;
}
