/**
 * The HTTP tab's state: every transaction (read a page at a time, then refreshed while a capture
 * appends), the selected one's details, and their loading and errors.
 */
import { MAX_PAGE_ROWS, type EngineResult, type HttpTransactionRow } from '../../../app/rpc/engine-protocol';
import type { CallEngine } from './call-engine';
import { refreshStart } from './http';
import { ThrottledRefresh } from './throttle';

export type HttpDetail = EngineResult<'httpTransaction'>;

export class HttpState {
  rows = $state.raw<HttpTransactionRow[]>([]);
  /** Transactions the engine holds (rows may still be catching up). */
  total = $state(0);
  loading = $state(false);
  progress = $state<{ done: number; total: number } | null>(null);
  error = $state<string | null>(null);

  selected = $state<number | null>(null);
  detail = $state.raw<HttpDetail | null>(null);
  detailLoading = $state(false);
  detailError = $state<string | null>(null);

  readonly #engine: CallEngine;
  readonly #session: () => number;
  readonly #pageSize: number;
  readonly #throttle: ThrottledRefresh;
  #listController: AbortController | null = null;
  #detailController: AbortController | null = null;
  #disposed = false;

  constructor(engine: CallEngine, session: () => number, pageSize = MAX_PAGE_ROWS, intervalMs = 1000) {
    this.#engine = engine;
    this.#session = session;
    this.#pageSize = pageSize;
    this.#throttle = new ThrottledRefresh(() => this.load(false), intervalMs);
  }

  /**
   * Reads transactions page by page: all of them (`fromStart`), or from the first that may have
   * changed since the last read. Rows show as each page arrives.
   */
  async load(fromStart = true): Promise<void> {
    this.#listController?.abort();
    const controller = new AbortController();
    this.#listController = controller;
    let start = fromStart ? 0 : refreshStart(this.rows);
    let rows = this.rows.slice(0, start);
    this.loading = true;
    this.error = null;
    try {
      for (;;) {
        const page = await this.#engine.call(
          'httpTransactions',
          { session: this.#session(), start, count: this.#pageSize },
          {
            signal: controller.signal,
            onProgress: (p) => {
              if (this.#listController === controller) this.progress = { done: p.done, total: p.total };
            },
          },
        );
        if (this.#listController !== controller) return;
        rows = rows.concat(page.transactions);
        this.rows = rows;
        this.total = page.total;
        start += page.transactions.length;
        if (page.transactions.length === 0 || start >= page.total) break;
      }
    } catch (e) {
      const err = e as Error & { code?: string };
      if (this.#listController === controller && err.code !== 'ECANCELED') this.error = err.message;
    } finally {
      if (this.#listController === controller) {
        this.#listController = null;
        this.loading = false;
        this.progress = null;
      }
    }
    // The selected transaction may have got its response meanwhile.
    const sel = this.selected;
    if (!fromStart && sel !== null && this.detail && this.detail.transaction.responseFrame === null) {
      const row = this.rows.find((r) => r.index === sel);
      if (row && row.responseFrame !== null) void this.select(sel);
    }
  }

  framesAppended(): void {
    if (!this.#disposed) this.#throttle.request();
  }

  /** Shows one transaction's details (null: none). */
  async select(index: number | null): Promise<void> {
    this.#detailController?.abort();
    this.selected = index;
    this.detailError = null;
    if (index === null) {
      this.detail = null;
      this.detailLoading = false;
      return;
    }
    const controller = new AbortController();
    this.#detailController = controller;
    this.detailLoading = true;
    try {
      const detail = await this.#engine.call('httpTransaction', { session: this.#session(), index }, { signal: controller.signal });
      if (this.#detailController === controller) this.detail = detail;
    } catch (e) {
      const err = e as Error & { code?: string };
      if (this.#detailController === controller && err.code !== 'ECANCELED') {
        this.detail = null;
        this.detailError = err.message;
      }
    } finally {
      if (this.#detailController === controller) {
        this.#detailController = null;
        this.detailLoading = false;
      }
    }
  }

  dispose(): void {
    this.#disposed = true;
    this.#throttle.stop();
    this.#listController?.abort();
    this.#detailController?.abort();
  }
}
