import { describe, expect, it } from 'vitest';
import { appendSample, counterChartData, sampleOf, type CounterSample } from './counter-history';

const stats = (seen: number, accepted: number, received: number, dropped: number) => ({ interface: 'x', seenPackets: seen, acceptedPackets: accepted, received, dropped });

describe('kernel counters over time', () => {
  it('sums the interfaces into one sample', () => {
    expect(sampleOf([stats(10, 5, 5, 1), stats(2, 2, 2, 0)], 7)).toEqual({ time: 7, seen: 12, accepted: 7, received: 7, dropped: 1 });
  });

  it('keeps at most max samples, a sample no later than the last replacing it', () => {
    let h: CounterSample[] = [];
    for (let t = 0; t < 5; t++) h = appendSample(h, sampleOf([stats(t, t, t, 0)], t * 1000), 3);
    expect(h.map((s) => s.time)).toEqual([2000, 3000, 4000]);
    h = appendSample(h, sampleOf([stats(9, 9, 9, 0)], 4000), 3);
    expect(h.map((s) => s.seen)).toEqual([2, 3, 9]);
  });

  it('draws per second between samples (no rate for the first, nor where a counter went down), or totals', () => {
    const h = [sampleOf([stats(0, 0, 0, 0)], 1000), sampleOf([stats(100, 50, 50, 2)], 2000), sampleOf([stats(300, 150, 150, 2)], 4000), sampleOf([stats(10, 10, 10, 0)], 5000)];
    const rate = counterChartData(h, 'rate');
    expect(rate[0]).toEqual([0, 1, 3, 4]);
    expect(rate[1]).toEqual([null, 100, 100, null]);
    expect(rate[4]).toEqual([null, 2, 0, null]);
    expect(counterChartData(h, 'total')[2]).toEqual([0, 50, 150, 10]);
  });
});
