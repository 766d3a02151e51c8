import { describe, expect, it } from 'vitest';
import { RateHistory, packetRate, sparklinePoints } from './sparkline';

const eth = (rx: number, tx: number) => ({ name: 'eth0', loopback: false, rxPackets: rx, txPackets: tx });
const lo = (n: number) => ({ name: 'lo', loopback: true, rxPackets: n, txPackets: n });

describe('packetRate', () => {
  it('divides the counter delta by the time', () => {
    expect(packetRate(eth(100, 50), eth(130, 70), 2)).toBe(25);
  });
  it('counts a loopback packet once', () => {
    expect(packetRate(lo(10), lo(20), 1)).toBe(10);
  });
  it('knows no rate when counters went back or time stood still', () => {
    expect(packetRate(eth(100, 0), eth(5, 0), 1)).toBeNull();
    expect(packetRate(eth(1, 0), eth(5, 0), 0)).toBeNull();
  });
});

describe('RateHistory', () => {
  it('keeps a bounded history per interface', () => {
    const h = new RateHistory(3);
    h.add([eth(0, 0), lo(0)], 1000);
    expect(h.rates('eth0')).toEqual([]);
    expect(h.current('eth0')).toBeNull();
    h.add([eth(10, 0), lo(5)], 2000);
    h.add([eth(30, 0), lo(5)], 3000);
    h.add([eth(30, 0), lo(5)], 3000); // the same reading again: ignored
    h.add([eth(60, 10), lo(0)], 3500); // lo's counters reset: 0
    h.add([eth(60, 10), lo(0)], 4500);
    expect(h.rates('eth0')).toEqual([20, 80, 0]);
    expect(h.rates('lo')).toEqual([0, 0, 0]);
    expect(h.current('eth0')).toBe(0);
  });
  it('forgets interfaces that went away', () => {
    const h = new RateHistory();
    h.add([eth(0, 0)], 0);
    h.add([eth(5, 0)], 1000);
    h.add([], 2000);
    expect(h.rates('eth0')).toEqual([]);
  });
});

describe('sparklinePoints', () => {
  it('draws right-aligned and scaled to the largest value', () => {
    expect(sparklinePoints([], 100, 20)).toBe('');
    expect(sparklinePoints([0, 10], 100, 20, 5)).toBe('75,19 100,1');
  });
  it('draws a quiet interface flat at the bottom', () => {
    expect(sparklinePoints([0, 0.5, 0], 40, 10, 3)).toBe('0,9 20,5 40,9');
    expect(sparklinePoints([0, 0.5, 0], 40, 10, 3, 10)).toBe('0,9 20,8.6 40,9');
  });
});
