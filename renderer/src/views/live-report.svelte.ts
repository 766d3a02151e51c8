/**
 * A statistics view's state over one engine report at a time (Protocol Hierarchy, Endpoints): the
 * spec shown (a kind, the display filter's frames or all), each spec's data as last read (kept
 * when switching back and forth), progress, errors, and refreshing while frames arrive (a capture,
 * a file being indexed) at most once per interval, never two reads at a time.
 */
import type { CallEngine } from './call-engine';
import { reportReaderFor, type ReportReader } from './report-reader';
import { ThrottledRefresh } from './throttle';

export class LiveReport<T> {
  spec = $state('');
  /** Data per spec, as last read. */
  bySpec = $state.raw<Record<string, T>>({});
  loading = $state(false);
  progress = $state<{ done: number; total: number } | null>(null);
  error = $state<string | null>(null);
  /** Frames the shown data covers, and whether the capture has ended (the numbers are final). */
  framesFed = $state(0);
  final = $state(false);

  readonly data: T | null = $derived(this.bySpec[this.spec] ?? null);

  readonly #reader: ReportReader;
  readonly #session: () => number;
  readonly #parse: (data: unknown) => T;
  #controller: AbortController | null = null;
  #running: Promise<void> | null = null;
  readonly #throttle: ThrottledRefresh;

  /** `parse` checks the report's data (readReport's `data`) and shapes it for the view; it may throw. */
  constructor(engine: CallEngine, session: () => number, parse: (data: unknown) => T, intervalMs = 1000, reader: ReportReader = reportReaderFor(engine)) {
    this.#reader = reader;
    this.#session = session;
    this.#parse = parse;
    this.#throttle = new ThrottledRefresh(() => this.#running ?? this.load(), intervalMs);
  }

  /** Shows another spec: its data as last read at once, then fresh. */
  show(spec: string): Promise<void> {
    if (spec === this.spec && this.#running) return this.#running;
    this.spec = spec;
    return this.load();
  }

  /** Frames were appended (or the capture ended): refresh, throttled. */
  framesAppended(): void {
    this.#throttle.request();
  }

  /** Reads the shown spec's report (cancelling a read still running). */
  load(): Promise<void> {
    this.#controller?.abort();
    const controller = new AbortController();
    this.#controller = controller;
    const spec = this.spec;
    this.loading = true;
    this.error = null;
    const running = this.#reader
      .read(this.#session(), spec, {
        signal: controller.signal,
        onProgress: (p) => {
          if (this.#controller === controller && p.total > 0) this.progress = { done: p.done, total: p.total };
        },
      })
      .then((r) => {
        if (this.#controller !== controller) return;
        this.bySpec = { ...this.bySpec, [spec]: this.#parse(r.data) };
        this.framesFed = r.framesFed;
        this.final = r.final;
      })
      .catch((e: Error & { code?: string }) => {
        if (this.#controller !== controller || e.code === 'ECANCELED') return;
        this.error = e.message;
      })
      .finally(() => {
        if (this.#controller !== controller) return;
        this.loading = false;
        this.progress = null;
        this.#controller = null;
        this.#running = null;
      });
    this.#running = running;
    return running;
  }

  /** Stops refreshing and cancels a read (the view went away); the engine keeps the reports. */
  dispose(): void {
    this.#throttle.stop();
    this.#controller?.abort();
    this.#controller = null;
  }
}
