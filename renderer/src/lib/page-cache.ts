/**
 * Pages of rows fetched on demand for a virtual list: a page is asked for once however many times
 * the list scrolls over it while its request runs, pages far from the viewport are evicted
 * (least recently shown first) so a million-row capture holds a few thousand rows, and a reset
 * (new filter, new sort order) drops every page and ignores answers still on their way.
 *
 * A live capture appends rows: pages wholly below the old total stay valid in frame order; a page
 * that was short (the end of the list) is asked for again when the total grows.
 */

export interface RowPage<T> {
  /** Rows in the list (the page's answer may know more rows than before). */
  total: number;
  rows: T[];
}

export type PageFetcher<T> = (start: number, count: number, signal: AbortSignal) => Promise<RowPage<T>>;

export interface PageCacheOptions<T> {
  pageSize: number;
  /** Pages kept at most (the visible ones always stay). */
  maxPages: number;
  fetch: PageFetcher<T>;
  /** Called when pages arrive, are dropped or the total changes (the list redraws). */
  onChange?: () => void;
  /** A page could not be fetched (it is asked for again next time it is shown). */
  onError?: (error: unknown) => void;
}

interface Page<T> {
  /** The page's rows from its row `from` on (rows[k] is row p·pageSize + from + k). */
  rows: T[];
  /** The first row of the page held: 0, or where a partial load began (ensure's `partial`). */
  from: number;
  /** Recency of the last time the page was shown. */
  used: number;
}

export class PageCache<T> {
  readonly pageSize: number;
  private maxPages: number;
  private readonly pages = new Map<number, Page<T>>();
  private readonly inFlight = new Map<number, AbortController>();
  /** The row of its page each request in flight begins at (0: the whole page). */
  private readonly inFlightFrom = new Map<number, number>();
  private generation = 0;
  /** Pages of the last range shown: never evicted while it is shown. */
  private shown = new Set<number>();
  private clock = 0;
  private knownTotal = 0;
  private readonly options: PageCacheOptions<T>;

  constructor(options: PageCacheOptions<T>) {
    this.options = options;
    this.pageSize = options.pageSize;
    this.maxPages = Math.max(1, options.maxPages);
  }

  /** Rows in the list, as last told (setTotal) or answered. */
  get total(): number {
    return this.knownTotal;
  }

  /** Pages held (for tests and the status of eviction). */
  get pageCount(): number {
    return this.pages.size;
  }

  /** Requests running. */
  get pendingCount(): number {
    return this.inFlight.size;
  }

  /** The row at `index`, if its page is here. */
  get(index: number): T | undefined {
    const page = this.pages.get(Math.floor(index / this.pageSize));
    if (page === undefined) return undefined;
    const k = (index % this.pageSize) - page.from;
    return k >= 0 ? page.rows[k] : undefined;
  }

  /** Whether every row of [first, end) is here. */
  has(first: number, end: number): boolean {
    for (let p = Math.floor(first / this.pageSize); p * this.pageSize < end; p++) {
      const page = this.pages.get(p);
      if (!page || page.from > Math.max(0, first - p * this.pageSize) || page.from + page.rows.length < Math.min(this.pageSize, end - p * this.pageSize)) return false;
    }
    return true;
  }

  /**
   * Makes sure the pages covering rows [first, end) are here or on their way, and marks them
   * recently used. Returns a promise settled when they have all arrived (or failed).
   *
   * `partial`: a page not held from `first` on is asked for from there only (a live capture's
   * followed tail: at 50,000 packets a second every update shows ~40 new rows, and whole pages
   * would make the engine dissect, and the window check, up to five times as many). Scrolling
   * back to rows before `from` asks for the page again.
   */
  ensure(first: number, end: number, partial = false): Promise<void> {
    const waits: Promise<void>[] = [];
    const now = ++this.clock;
    const wanted = new Set<number>();
    const last = this.knownTotal > 0 ? Math.min(end, this.knownTotal) : end;
    for (let p = Math.floor(first / this.pageSize); p * this.pageSize < last; p++) {
      wanted.add(p);
      const lo = Math.max(0, first - p * this.pageSize);
      const page = this.pages.get(p);
      if (page) {
        page.used = now;
        const held = page.from + page.rows.length;
        if (page.from <= lo && (held === this.pageSize || p * this.pageSize + held >= this.knownTotal)) continue;
      }
      waits.push(this.load(p, partial ? lo : 0));
    }
    this.shown = wanted;
    this.evict(wanted);
    return Promise.all(waits).then(() => undefined);
  }

  /**
   * The list now has `total` rows (a live capture grew, frames appended to a view). Rows already
   * fetched keep their place; a short page at the old end is refreshed when next shown. A list that
   * shrank (never, in frame order) drops the pages past its end.
   */
  setTotal(total: number): void {
    if (total === this.knownTotal) return;
    const old = this.knownTotal;
    this.knownTotal = total;
    if (total < old) {
      for (const [p, page] of this.pages) {
        if (p * this.pageSize + page.from >= total) this.pages.delete(p);
        else if (p * this.pageSize + page.from + page.rows.length > total) page.rows.length = total - p * this.pageSize - page.from;
      }
    }
    this.options.onChange?.();
  }

  /** Drops every page and stops waiting for running requests (a new filter or sort order). */
  reset(total = 0): void {
    this.generation++;
    for (const controller of this.inFlight.values()) controller.abort();
    this.inFlight.clear();
    this.inFlightFrom.clear();
    this.pages.clear();
    this.shown = new Set();
    this.knownTotal = total;
    this.options.onChange?.();
  }

  /** Keeps at most `maxPages` (at least the pages of the viewport). */
  setMaxPages(maxPages: number): void {
    this.maxPages = Math.max(1, maxPages);
    this.evict(new Set());
  }

  /** Asks for page p from its row `from` on. */
  private load(p: number, from: number): Promise<void> {
    if (this.inFlight.has(p)) {
      // A partial load from a later row on is under way: the rows before it come after it.
      const coming = this.inFlightFrom.get(p) ?? 0;
      if (coming <= from) return this.waitFor(p);
      const generation = this.generation;
      return this.waitFor(p).then(() => {
        const page = this.pages.get(p);
        if (generation === this.generation && (page === undefined || page.from > from)) return this.load(p, from);
      });
    }
    const controller = new AbortController();
    const generation = this.generation;
    this.inFlight.set(p, controller);
    this.inFlightFrom.set(p, from);
    const start = p * this.pageSize + from;
    const done = this.options.fetch(start, this.pageSize - from, controller.signal).then(
      (answer) => {
        if (generation !== this.generation) return;
        this.inFlight.delete(p);
        this.inFlightFrom.delete(p);
        const rows = answer.rows.slice(0, this.pageSize - from);
        const held = this.pages.get(p);
        // Rows of the page held before `from` stay (rows keep their place as a list grows).
        if (held !== undefined && held.from <= from && held.from + held.rows.length >= from) {
          this.pages.set(p, { rows: held.rows.slice(0, from - held.from).concat(rows), from: held.from, used: ++this.clock });
        } else this.pages.set(p, { rows, from, used: ++this.clock });
        if (answer.total !== this.knownTotal && answer.total >= this.knownTotal) this.knownTotal = answer.total;
        this.evict(new Set([...this.shown, p]));
        this.options.onChange?.();
      },
      (error: unknown) => {
        if (generation !== this.generation) return;
        this.inFlight.delete(p);
        this.inFlightFrom.delete(p);
        this.options.onError?.(error);
      },
    );
    this.waiters.set(p, done);
    void done.finally(() => {
      if (this.waiters.get(p) === done) this.waiters.delete(p);
    });
    return done;
  }

  private readonly waiters = new Map<number, Promise<void>>();

  private waitFor(p: number): Promise<void> {
    return this.waiters.get(p) ?? Promise.resolve();
  }

  private evict(keep: Set<number>): void {
    if (this.pages.size <= this.maxPages) return;
    const byAge = [...this.pages.entries()].filter(([p]) => !keep.has(p)).sort((a, b) => a[1].used - b[1].used);
    for (const [p] of byAge) {
      if (this.pages.size <= Math.max(this.maxPages, keep.size)) break;
      this.pages.delete(p);
    }
  }
}
