/**
 * The engine's statistics reports (createReport / readReport / dropReport: tshark's `-z` specs,
 * the CLI's code) as a view reads them: one report per session and spec, made on first read and
 * kept while views come and go (a report fed a whole file is not fed it again when its tab is
 * shown again); a report the engine no longer has (the session was closed) is made afresh. At
 * most `max` are kept: the least recently read is dropped.
 *
 *   const reader = reportReaderFor(engine);
 *   const r = await reader.read(session, 'endpoints,ip', { signal, onProgress });
 */
import type { EngineResult } from '../../../app/rpc/engine-protocol';
import type { CallOptions, EngineClient } from '../lib/rpc';
import type { CallEngine } from './call-engine';

type ReadResult = EngineResult<'readReport'>;

export class ReportReader {
  readonly #engine: CallEngine;
  readonly #max: number;
  /** `session spec` → the report's id, most recently read last. */
  readonly #reports = new Map<string, { session: number; id: Promise<number> }>();

  constructor(engine: CallEngine, max = 16) {
    this.#engine = engine;
    this.#max = max;
  }

  /** The report for `spec` brought up to date with the session's frames, as JSON data. */
  async read(session: number, spec: string, options: CallOptions = {}): Promise<ReadResult> {
    for (let attempt = 0; ; attempt++) {
      const entry = this.#entry(session, spec, options);
      const id = await entry.id;
      try {
        return await this.#engine.call('readReport', { session, report: id, format: 'json' }, options);
      } catch (err) {
        // Dropped by the engine meanwhile: once more with a new report.
        if ((err as { code?: string }).code === 'ENOREPORT' && attempt === 0) {
          this.#forget(session, spec, entry);
          continue;
        }
        throw err;
      }
    }
  }

  /** Forgets a closed session's reports (the engine dropped them with it). */
  sessionClosed(session: number): void {
    for (const [key, entry] of this.#reports) if (entry.session === session) this.#reports.delete(key);
  }

  /** The reports kept, as `session spec` (for tests). */
  get kept(): string[] {
    return [...this.#reports.keys()];
  }

  #entry(session: number, spec: string, options: CallOptions): { session: number; id: Promise<number> } {
    const key = `${session} ${spec}`;
    let entry = this.#reports.get(key);
    if (entry) {
      this.#reports.delete(key);
      this.#reports.set(key, entry);
      return entry;
    }
    // createReport feeds every frame the session holds before it answers: its progress is the reader's.
    const id = this.#engine.call('createReport', { session, spec }, options).then((r) => r.report);
    const made = { session, id };
    entry = made;
    // A report that could not be made (cancelled, a bad filter) is not kept: the next read tries again.
    id.catch(() => this.#forget(session, spec, made));
    this.#reports.set(key, entry);
    while (this.#reports.size > this.#max) {
      const [oldKey, oldEntry] = this.#reports.entries().next().value!;
      this.#drop(oldKey, oldEntry);
    }
    return entry;
  }

  #forget(session: number, spec: string, entry: { session: number; id: Promise<number> }): void {
    const key = `${session} ${spec}`;
    if (this.#reports.get(key) === entry) this.#reports.delete(key);
  }

  #drop(key: string, entry: { session: number; id: Promise<number> }): void {
    this.#reports.delete(key);
    entry.id.then((report) => this.#engine.call('dropReport', { session: entry.session, report })).catch(() => undefined);
  }
}

const readers = new WeakMap<CallEngine, ReportReader>();

/** The one ReportReader of an engine connection (views of one window share its reports); it forgets closed sessions' reports when it can hear of them. */
export function reportReaderFor(engine: CallEngine & Partial<Pick<EngineClient, 'on'>>): ReportReader {
  let reader = readers.get(engine);
  if (!reader) {
    const made = new ReportReader(engine);
    reader = made;
    readers.set(engine, made);
    engine.on?.('sessionClosed', (e) => made.sessionClosed(e.session));
  }
  return reader;
}
