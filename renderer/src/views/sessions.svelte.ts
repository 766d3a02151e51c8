/**
 * The Sessions tab's state: the chosen kind, each kind's conversations (kept when switching back
 * and forth), the engine's progress, and refreshing while a capture appends (at most once a second,
 * never two requests at a time).
 */
import type { ConversationKind } from '../../../app/rpc/engine-protocol';
import type { CallEngine } from './call-engine';
import { withKeys, type ConversationRow } from './conversations';
import { ThrottledRefresh } from './throttle';


export class SessionsState {
  kind = $state<ConversationKind>('tcp');
  /** Conversations per kind, as last read. */
  byKind = $state.raw<Partial<Record<ConversationKind, ConversationRow[]>>>({});
  loading = $state(false);
  progress = $state<{ done: number; total: number } | null>(null);
  error = $state<string | null>(null);
  /** Count only the display filter's matches (when the packet list has a view). */
  limitToView = $state(false);

  readonly rows: ConversationRow[] = $derived(this.byKind[this.kind] ?? []);

  readonly #engine: CallEngine;
  readonly #session: () => number;
  readonly #view: () => number | null | undefined;
  #controller: AbortController | null = null;
  #running: Promise<void> | null = null;
  readonly #throttle: ThrottledRefresh;

  constructor(engine: CallEngine, session: () => number, view: () => number | null | undefined = () => null, intervalMs = 1000) {
    this.#engine = engine;
    this.#session = session;
    this.#view = view;
    this.#throttle = new ThrottledRefresh(() => this.#running ?? this.load(), intervalMs);
  }

  /** Shows another kind: its cached rows at once, then fresh ones. */
  choose(kind: ConversationKind): Promise<void> {
    if (kind === this.kind && this.#running) return this.#running;
    this.kind = kind;
    return this.load();
  }

  setLimitToView(limit: boolean): Promise<void> {
    this.limitToView = limit;
    this.byKind = {};
    return this.load();
  }

  /** Frames were appended: refresh, throttled. */
  framesAppended(): void {
    this.#throttle.request();
  }

  /** Reads the current kind's conversations (cancelling a read still running). */
  load(): Promise<void> {
    this.#controller?.abort();
    const controller = new AbortController();
    this.#controller = controller;
    const kind = this.kind;
    const view = this.limitToView ? this.#view() ?? undefined : undefined;
    this.loading = true;
    this.error = null;
    this.progress = null;
    const running = this.#engine
      .call('conversations', { session: this.#session(), kind, ...(view !== undefined ? { view } : {}) }, {
        signal: controller.signal,
        onProgress: (p) => {
          if (this.#controller === controller) this.progress = { done: p.done, total: p.total };
        },
      })
      .then((r) => {
        if (this.#controller !== controller) return;
        this.byKind = { ...this.byKind, [kind]: withKeys(r.conversations) };
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

  /** Stops refreshing and cancels a read (the tab went away). */
  dispose(): void {
    this.#throttle.stop();
    this.#controller?.abort();
    this.#controller = null;
  }
}
