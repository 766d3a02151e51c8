import { describe, expect, it } from 'vitest';
import { ThrottledRefresh, type Clock } from './throttle';

class FakeClock implements Clock {
  time = 0;
  timers: { at: number; fn: () => void; id: number }[] = [];
  #next = 1;
  now(): number {
    return this.time;
  }
  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.#next++;
    this.timers.push({ at: this.time + ms, fn, id });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.timers = this.timers.filter((t) => t.id !== handle);
  }
  async advance(ms: number): Promise<void> {
    this.time += ms;
    for (;;) {
      const due = this.timers.filter((t) => t.at <= this.time);
      if (due.length === 0) break;
      this.timers = this.timers.filter((t) => t.at > this.time);
      for (const t of due) t.fn();
      await flush();
    }
    await flush();
  }
}

const flush = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

describe('ThrottledRefresh', () => {
  it('runs at once, then at most once a second, never twice at a time, and loses no request', async () => {
    const clock = new FakeClock();
    let runs = 0;
    let finish: (() => void) | null = null;
    const refresh = new ThrottledRefresh(() => {
      runs++;
      return new Promise<void>((resolve) => (finish = resolve));
    }, 1000, clock);
    refresh.request();
    expect(runs).toBe(1);
    refresh.request();
    refresh.request();
    await clock.advance(500);
    expect(runs).toBe(1);
    await clock.advance(600); // a second has passed, but the first run is still going
    expect(runs).toBe(1);
    finish!();
    await flush();
    expect(runs).toBe(2); // the requests made meanwhile: one run
    finish!();
    await flush();
    expect(runs).toBe(2);
    refresh.request();
    await clock.advance(100);
    expect(runs).toBe(2);
    await clock.advance(1000);
    expect(runs).toBe(3);
  });
  it('survives a failing refresh and stops', async () => {
    const clock = new FakeClock();
    let runs = 0;
    const refresh = new ThrottledRefresh(async () => {
      runs++;
      throw new Error('no');
    }, 1000, clock);
    refresh.request();
    await flush();
    refresh.request();
    refresh.stop();
    await clock.advance(2000);
    expect(runs).toBe(1);
  });
});
