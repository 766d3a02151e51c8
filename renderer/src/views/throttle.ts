/**
 * Refreshing a report while a capture appends: at most one refresh per interval, never two running
 * at once, and a request that arrives meanwhile is not lost (it runs once the interval has passed
 * and the running refresh has finished).
 */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export class ThrottledRefresh {
  readonly #run: () => Promise<unknown>;
  readonly #interval: number;
  readonly #clock: Clock;
  #lastStart = -Infinity;
  #running = false;
  #wanted = false;
  #timer: unknown = null;
  #stopped = false;

  constructor(run: () => Promise<unknown>, intervalMs = 1000, clock: Clock = realClock) {
    this.#run = run;
    this.#interval = intervalMs;
    this.#clock = clock;
  }

  /** Asks for a refresh: now when the last started long enough ago and none runs, else later. */
  request(): void {
    if (this.#stopped) return;
    this.#wanted = true;
    this.#schedule();
  }

  /** Forgets a pending refresh and refuses new ones (the view went away). */
  stop(): void {
    this.#stopped = true;
    this.#wanted = false;
    if (this.#timer !== null) this.#clock.clearTimeout(this.#timer);
    this.#timer = null;
  }

  get running(): boolean {
    return this.#running;
  }

  #schedule(): void {
    if (!this.#wanted || this.#running || this.#timer !== null || this.#stopped) return;
    const wait = this.#lastStart + this.#interval - this.#clock.now();
    if (wait > 0) {
      this.#timer = this.#clock.setTimeout(() => {
        this.#timer = null;
        this.#schedule();
      }, wait);
      return;
    }
    this.#wanted = false;
    this.#running = true;
    this.#lastStart = this.#clock.now();
    void this.#run()
      .catch(() => undefined)
      .finally(() => {
        this.#running = false;
        this.#schedule();
      });
  }
}
