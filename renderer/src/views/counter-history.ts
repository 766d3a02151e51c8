/**
 * A live capture's kernel counters over time, for the Statistics tab's chart: each captureStatistics
 * event (about one a second) becomes a sample of the counters summed over the interfaces, and the
 * chart shows them per second (from one sample to the next) or as running totals.
 */
import type { CaptureStatistics } from '../../../app/rpc/engine-protocol';

export interface CounterSample {
  /** When the counters were heard of, ms since the epoch. */
  time: number;
  seen: number;
  accepted: number;
  received: number;
  dropped: number;
}

/** The counters drawn, in order, with their names and colours. */
export const COUNTERS: ReadonlyArray<{ key: Exclude<keyof CounterSample, 'time'>; label: string; color: string }> = [
  { key: 'seen', label: 'Seen', color: '--graph-1' },
  { key: 'accepted', label: 'Accepted', color: '--graph-3' },
  { key: 'received', label: 'Received', color: '--graph-4' },
  { key: 'dropped', label: 'Dropped by the ring', color: '--graph-2' },
];

/** Samples kept (an hour at one a second); older ones are let go. */
export const MAX_SAMPLES = 3600;

export function sampleOf(statistics: readonly CaptureStatistics[], time: number): CounterSample {
  const sample: CounterSample = { time, seen: 0, accepted: 0, received: 0, dropped: 0 };
  for (const s of statistics) {
    sample.seen += s.seenPackets;
    sample.accepted += s.acceptedPackets;
    sample.received += s.received;
    sample.dropped += s.dropped;
  }
  return sample;
}

/** The history with one more sample (a sample no later than the last replaces it), at most `max` kept. */
export function appendSample(history: readonly CounterSample[], sample: CounterSample, max = MAX_SAMPLES): CounterSample[] {
  const last = history[history.length - 1];
  const kept = last && sample.time <= last.time ? history.slice(0, -1) : history.slice();
  kept.push(sample);
  return kept.length > max ? kept.slice(kept.length - max) : kept;
}

/**
 * uPlot's data: seconds since the first sample, then one series per counter. 'rate': packets per
 * second between a sample and the one before (null for the first, and where a counter went down:
 * no rate is known); 'total': the counters as they were.
 */
export function counterChartData(history: readonly CounterSample[], mode: 'rate' | 'total'): Array<Array<number | null>> {
  const t0 = history[0]?.time ?? 0;
  const xs = history.map((s) => (s.time - t0) / 1000);
  const series = COUNTERS.map(({ key }) =>
    history.map((s, i) => {
      if (mode === 'total') return s[key];
      const before = history[i - 1];
      if (!before) return null;
      const seconds = (s.time - before.time) / 1000;
      const delta = s[key] - before[key];
      return seconds > 0 && delta >= 0 ? delta / seconds : null;
    }),
  );
  return [xs, ...series];
}
