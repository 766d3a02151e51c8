/**
 * The packet list's state: the rows of the capture or of a display-filter view, fetched a page at a
 * time (PageCache), the scroll position and the selection, the sort order, and whether a live
 * capture is followed (the view sticks to the bottom until the user scrolls away, and follows
 * again once scrolled back to the end). The maths is in viewport.ts; the component only draws.
 */
import type { PacketRow, RowSort } from '../../../app/rpc/engine-protocol';
import { PageCache } from './page-cache';
import {
  MAX_SCROLL_PX,
  isAtBottom,
  maxScrollTop,
  moveSelection,
  revealRow,
  rowContentTop,
  rowOffset,
  rowsPerPage,
  scrollHeight,
  scrollTopFor,
  visibleRange,
  type NavigationKey,
  type RowRange,
  type Viewport,
} from './viewport';

export const ROW_HEIGHT = 22;
export const PAGE_SIZE = 200;
/** Pages kept: enough for several screens each way on a tall window. */
export const MAX_PAGES = 40;
const OVERSCAN = 5;

/** A row element of the list: which row it shows (-1: none), where (px from the content's top), and the row once its page is here. */
export interface RowSlot {
  index: number;
  y: number;
  row: PacketRow | null;
}
const NO_ROW: RowSlot = Object.freeze({ index: -1, y: 0, row: null });

/** Where rows come from: the engine's `rows` request for a session (and view, and sort). */
export interface RowSource {
  fetch(start: number, count: number, sort: RowSort | null, signal: AbortSignal): Promise<{ total: number; rows: PacketRow[] }>;
}

export class PacketListState {
  total = $state(0);
  scrollTop = $state(0);
  viewportHeight = $state(0);
  readonly rowHeight = ROW_HEIGHT;
  /** The tallest scroll area to make, px: the component measures what its browser lays out (scrollLimit). */
  maxScrollPx = $state(MAX_SCROLL_PX);
  /** Selected row (index in the list), -1: none. */
  selectedIndex = $state(-1);
  /** The selected frame's number (kept across filter changes), null: none. */
  selectedNumber = $state<number | null>(null);
  sort = $state<RowSort | null>(null);
  /** Rows are being appended (a live capture): the list follows them. */
  live = $state(false);
  /** A live capture scrolls to new packets (until the user scrolls away; again once back at the bottom). */
  follow = $state(false);
  /** Bumped when pages arrive, so rows redraw. */
  private version = $state(0);
  /** Bumped when the list scrolls itself (scrollTo): the component then moves its element; a user's scrolling is read, never written back. */
  scrollRequest = $state(0);
  lastError = $state<string | null>(null);
  private source: RowSource | null = null;
  /**
   * scrollTops the list set itself whose scroll events may still come, oldest first, to tell them
   * from the user's scrolling: a live capture can scroll twice before the first event arrives.
   */
  private ownScrolls: { top: number; at: number }[] = [];
  readonly cache: PageCache<PacketRow>;

  constructor(options: { pageSize?: number; maxPages?: number } = {}) {
    this.cache = new PageCache<PacketRow>({
      pageSize: options.pageSize ?? PAGE_SIZE,
      maxPages: options.maxPages ?? MAX_PAGES,
      fetch: (start, count, signal) => this.fetchPage(start, count, signal),
      onChange: () => {
        this.version++;
      },
      onError: (err) => {
        const e = err as { code?: string; message?: string };
        if (e.code !== 'ECANCELED' && e.code !== 'ECLOSED') this.lastError = e.message ?? String(err);
      },
    });
  }

  /**
   * The rows the viewport spans: while a live capture is followed, those up to the last one whose
   * page has arrived (followedTo), so the rows in view are drawn. It matters past MAX_SCROLL_PX
   * (about 360,000 rows), where a scroll position maps onto the list in proportion to its length:
   * there the bottom shows the newest rows whatever the scrollTop, before their page is here.
   */
  get viewport(): Viewport {
    const total = this.follow && this.live && this.followedTo > 0 ? Math.min(this.followedTo, this.total) : this.total;
    return { scrollTop: this.scrollTop, height: this.viewportHeight, rowHeight: this.rowHeight, total, maxScrollPx: this.maxScrollPx };
  }

  /** Height of the scroll area's content. */
  get contentHeight(): number {
    return scrollHeight(this.viewport);
  }

  /** Rows drawn (visible plus a margin). */
  get range(): RowRange {
    return visibleRange(this.viewport, this.overscan);
  }

  /**
   * Rows drawn beyond the viewport on each side: none while a live capture is followed (at a high
   * rate every row drawn is new at each update, and rows out of view would only add to its layout).
   */
  private get overscan(): number {
    return this.follow && this.live ? 0 : OVERSCAN;
  }

  /** The rows to draw, with their offsets from the viewport's top; a row not yet fetched is null. Computed once per change, however often it is read. */
  readonly drawn: { index: number; top: number; row: PacketRow | null }[] = $derived.by(() => {
    void this.version;
    const vp = this.viewport;
    const { first, end } = visibleRange(vp, this.overscan);
    const out = [];
    for (let i = first; i < end; i++) out.push({ index: i, top: rowOffset(i, vp), row: this.cache.get(i) ?? null });
    return out;
  });

  /**
   * The rows to draw as the component's row elements: element j shows the row whose index is j
   * modulo their count, placed by its own offset. A scroll step leaves every row still in view in
   * the element that shows it, untouched (the same slot object), and rewrites only the elements of
   * the rows coming into view: their texts are what a frame lays out and paints.
   */
  readonly slots: RowSlot[] = $derived.by(() => {
    void this.version;
    const vp = this.viewport;
    const following = this.follow && this.live;
    const range = visibleRange(vp, following ? 0 : OVERSCAN);
    if (range.end <= range.first) return (this.lastSlots = []);
    // As many elements whatever the scroll position (the range's length varies by one with the
    // alignment of rows to the viewport), each showing a row while the list has enough: an element
    // that lost its row would be dropped and made again on the next step.
    const n = Math.max(range.end - range.first, Math.ceil(vp.height / vp.rowHeight) + 1 + 2 * OVERSCAN);
    // (Followed, only the rows in view have an element: the others would be refilled at every update.)
    const first = following ? range.first : Math.max(0, Math.min(range.first, vp.total - n));
    const end = Math.min(vp.total, first + n);
    const prev = this.lastSlots.length === n ? this.lastSlots : [];
    const out: RowSlot[] = new Array<RowSlot>(n);
    const shift = first % n;
    for (let j = 0; j < n; j++) {
      const index = first + ((j - shift + n) % n);
      if (index >= end) {
        out[j] = NO_ROW;
        continue;
      }
      const y = rowContentTop(index, vp);
      const row = this.cache.get(index) ?? null;
      const was = prev[j];
      out[j] = was !== undefined && was.index === index && was.y === y && was.row === row ? was : { index, y, row };
    }
    return (this.lastSlots = out);
  });
  /** The slots last drawn (not state: what `slots` compares with). */
  private lastSlots: RowSlot[] = [];

  /** The component measured its browser's tallest element: see scrollLimit. */
  setScrollLimit(px: number): void {
    if (px === this.maxScrollPx) return;
    const logical = this.viewport;
    this.maxScrollPx = px;
    // Keep the rows in view: the same logical offset at the top.
    this.scrollTo(scrollTopFor(-rowOffset(0, logical), this.viewport));
  }

  /** Rows come from `source` now (a session opened, a filter applied): every page is fetched again. */
  setSource(source: RowSource | null, total: number, options: { keepSelection?: boolean; live?: boolean } = {}): void {
    this.source = source;
    this.total = total;
    this.followGeneration++;
    this.followedTo = 0;
    this.cache.reset(total);
    this.lastError = null;
    if (!options.keepSelection) this.selectedNumber = null;
    this.selectedIndex = -1;
    this.live = options.live ?? this.live;
    this.follow = this.live && this.sort === null;
    this.scrollTo(this.follow ? maxScrollTop(this.viewport) : 0);
    this.load();
  }

  /** The capture started or ended appending rows. */
  setLive(live: boolean): void {
    if (live === this.live) return;
    this.live = live;
    this.follow = live && isAtBottom(this.viewport);
  }

  /** The list grew (frames appended): follow them when following. */
  /**
   * The list grew (frames appended): a followed list scrolls to the new last row once its page
   * has arrived, so the rows in view are always drawn (at 50,000 packets a second every row in
   * view is new each time; scrolling first would show only placeholders until the page came).
   * Resolves when that scroll is done.
   */
  grow(total: number): Promise<void> {
    if (total === this.total) return Promise.resolve();
    const wasAtBottom = this.follow && this.live;
    if (this.sort && this.sort.column !== 'number' && total > this.total) {
      // Another order than the frames': new rows land anywhere, so every page is stale.
      this.total = total;
      this.cache.reset(total);
    } else {
      this.total = total;
      this.cache.setTotal(total);
    }
    if (!wasAtBottom || (this.sort?.descending ?? false)) return this.load();
    const want = total;
    const generation = this.followGeneration;
    // (One row more than a viewport's worth: the top one may show in part.)
    const first = Math.max(0, want - rowsPerPage(this.viewport) - 1);
    // Only the rows this update shows: the next update's are all new again at a high rate.
    return this.cache.ensure(first, want, true).then(() => {
      // Still following the same rows, and no later growth has scrolled further already.
      if (generation !== this.followGeneration || !this.follow || !this.live || want <= this.followedTo || want > this.total) return;
      this.followedTo = want;
      const top = revealRow(want - 1, this.viewport);
      if (top !== this.scrollTop) this.scrollTo(top);
      void this.load();
    });
  }

  /** The row count a followed list last scrolled to show (0: none yet), and which source it was of. */
  private followedTo = $state(0);
  private followGeneration = 0;

  setSort(sort: RowSort | null): void {
    this.sort = sort;
    this.followGeneration++;
    this.followedTo = 0;
    this.selectedIndex = -1;
    this.cache.reset(this.total);
    this.scrollTo(0);
    this.follow = this.live && sort === null && isAtBottom(this.viewport);
    this.load();
  }

  /** Every row is fetched again (another Time format, marks changed), the selection and scroll position kept. */
  refresh(): void {
    this.cache.reset(this.total);
    this.load();
  }

  /** The selected row, when its page is here. */
  get selectedRow(): PacketRow | null {
    void this.version;
    return this.selectedIndex >= 0 ? (this.cache.get(this.selectedIndex) ?? null) : null;
  }

  /** The component tells its size. */
  resize(height: number): void {
    if (height === this.viewportHeight) return;
    this.viewportHeight = height;
    if (this.follow && this.live && this.total > 0) this.scrollTo(maxScrollTop(this.viewport));
    this.load();
  }

  /** The user scrolled (the scroll event): follow resumes at the bottom, stops elsewhere. */
  onScroll(scrollTop: number): void {
    // A scroll event follows its scrollTop within a frame or two: older entries are stale (the browser coalesced them).
    const now = performance.now();
    // Browsers keep scroll offsets as 32-bit floats: past 8 million px (about 380,000 rows) an
    // offset comes back rounded to 1 px, past 16 million to 2 px; the list's own offsets come from
    // sizes rounded to whole pixels.
    const own = this.ownScrolls.findIndex((s) => Math.abs(s.top - scrollTop) <= 1 + s.top / 2 ** 22 && now - s.at < 1000);
    // Still at the bottom of the rows a live capture has been followed to: not scrolled away.
    const stillFollowing = this.follow && this.live && isAtBottom({ ...this.viewport, scrollTop });
    this.scrollTop = scrollTop;
    if (own >= 0 || stillFollowing) {
      // One of ours (an older one when the list scrolled again since): the user did nothing.
      if (own >= 0) this.ownScrolls.splice(0, own + 1);
      this.load();
      return;
    }
    this.ownScrolls.length = 0;
    // The user scrolled: the viewport spans every row again.
    this.followedTo = 0;
    this.follow = this.live && isAtBottom(this.viewport);
    this.load();
  }

  /** Scrolls (the component applies scrollTop to its element). */
  scrollTo(scrollTop: number): void {
    const top = Math.max(0, Math.min(scrollTop, maxScrollTop(this.viewport)));
    // No event comes for a position the element already has.
    if (Math.abs(top - this.scrollTop) >= 1 || this.ownScrolls.length > 0) this.ownScrolls.push({ top, at: performance.now() });
    if (this.ownScrolls.length > 16) this.ownScrolls.shift();
    this.scrollTop = top;
    this.scrollRequest++;
  }

  /** Selects row `index` (`number`: its frame, when the caller knows it before its page is here). */
  select(index: number, number: number | null = null): void {
    if (index < 0 || index >= this.total) return;
    // The user moves: the viewport spans every row again (following resumes below if this is the last).
    this.followedTo = 0;
    this.selectedIndex = index;
    this.selectedNumber = this.cache.get(index)?.number ?? number;
    const top = revealRow(index, this.viewport);
    if (top !== this.scrollTop) this.scrollTo(top);
    this.follow = this.live && isAtBottom(this.viewport) && index === this.total - 1;
    this.load();
    if (this.selectedNumber === null) {
      // The row's page is on its way: the selection names its frame once it arrives.
      void this.cache.ensure(index, index + 1).then(() => {
        if (this.selectedIndex === index) this.selectedNumber = this.cache.get(index)?.number ?? null;
      });
    }
  }

  /** Up/Down/PageUp/PageDown/Home/End. */
  navigate(key: NavigationKey): void {
    const next = moveSelection(this.selectedIndex, key, rowsPerPage(this.viewport), this.total);
    if (next >= 0) this.select(next);
  }

  /** Fetches the pages the viewport shows. */
  load(): Promise<void> {
    if (!this.source || this.total === 0) return Promise.resolve();
    const { first, end } = this.range;
    return this.cache.ensure(first, end);
  }

  private fetchPage(start: number, count: number, signal: AbortSignal): Promise<{ total: number; rows: PacketRow[] }> {
    if (!this.source) return Promise.resolve({ total: 0, rows: [] });
    return this.source.fetch(start, count, this.sort, signal);
  }
}
