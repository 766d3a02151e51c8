/**
 * AnalysisWork: what a long analysis request (conversations, follow stream, HTTP transactions, a
 * sorted packet list) needs of the service — its abort signal, slices of at most `sliceMs` with a
 * yield to the event loop between them, and throttled progress events — without reaching into
 * EngineService. The service makes one per request (EngineService.work()); the analyses keep
 * their state per session in their own modules, so a later request (or a live capture's appended
 * frames) goes on from where the last one stopped.
 */
import type { EngineEvent } from '../../rpc/engine-protocol';
import { Throttle } from './session';

export type AnalysisTask = Extract<EngineEvent, { event: 'progress' }>['task'];

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export class AnalysisWork {
  private deadline: number;
  private readonly throttle: Throttle;
  private state: { task: AnalysisTask; done: number; total: number } | null = null;

  constructor(
    readonly signal: AbortSignal,
    private readonly sliceMs: number,
    eventIntervalMs: number,
    report: (task: AnalysisTask, done: number, total: number) => void,
  ) {
    this.deadline = performance.now() + sliceMs;
    this.throttle = new Throttle(eventIntervalMs, () => {
      if (this.state && !this.signal.aborted) report(this.state.task, this.state.done, this.state.total);
    });
  }

  /** The slice has run its time: call pause() before going on. */
  due(): boolean {
    return performance.now() >= this.deadline;
  }

  /** Yields to the event loop; throws the abort reason when the request was cancelled (or its session closed). */
  async pause(): Promise<void> {
    await yieldToEventLoop();
    this.check();
    this.deadline = performance.now() + this.sliceMs;
  }

  /** pause() when the slice is used up. */
  async step(): Promise<void> {
    if (this.due()) await this.pause();
  }

  check(): void {
    if (this.signal.aborted) throw this.signal.reason;
  }

  /** Tells progress (throttled: the latest state is always told). */
  progress(task: AnalysisTask, done: number, total: number): void {
    this.state = { task, done, total };
    this.throttle.poke();
  }

  /** The request is answered: no progress event comes after it. */
  end(): void {
    this.throttle.cancel();
  }

  /**
   * Runs a generator of work to its end, one step at a time, pausing whenever a slice is used up.
   * The generator yields after every small amount of work (a few thousand elements).
   */
  async drive<T>(steps: Generator<unknown, T, undefined>): Promise<T> {
    for (;;) {
      const r = steps.next();
      if (r.done) return r.value;
      if (this.due()) await this.pause();
    }
  }
}
