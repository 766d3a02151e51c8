import { describe, expect, it } from 'vitest';
import { baseName, dirName, formatBytes, formatCount, formatRate, formatSeconds, percent } from './format';

describe('format', () => {
  it('formats counts', () => {
    expect(formatCount(1234567)).toBe('1,234,567');
    expect(formatCount(0)).toBe('0');
    expect(formatCount(null)).toBe('');
    expect(formatCount(undefined)).toBe('');
  });
  it('formats sizes in base 1000 with k/M/G', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(999)).toBe('999 B');
    expect(formatBytes(1000)).toBe('1.0 kB');
    expect(formatBytes(1024)).toBe('1.0 kB');
    expect(formatBytes(1500)).toBe('1.5 kB');
    expect(formatBytes(1536)).toBe('1.5 kB');
    expect(formatBytes(12_345)).toBe('12 kB');
    expect(formatBytes(25_000_000)).toBe('25 MB');
    expect(formatBytes(3_200_000_000)).toBe('3.2 GB');
    expect(formatBytes(2e12)).toBe('2.0 TB');
    expect(formatBytes(5e15)).toBe('5000 TB');
    expect(formatBytes(null)).toBe('');
    expect(formatBytes(undefined)).toBe('');
    expect(formatBytes(Number.NaN)).toBe('');
  });
  it('never says 1000 of a unit', () => {
    expect(formatBytes(999_499)).toBe('999 kB');
    expect(formatBytes(999_960)).toBe('1.0 MB');
    expect(formatBytes(999_999_999)).toBe('1.0 GB');
  });
  it('never uses binary units', () => {
    for (const n of [1023, 1024, 1536, 1 << 20, 50 * 1024 * 1024, 2 ** 30]) expect(formatBytes(n)).not.toMatch(/i/);
  });
  it('formats seconds and rates', () => {
    expect(formatSeconds(0.000123)).toBe('0.000123');
    expect(formatSeconds(null)).toBe('');
    expect(formatRate(0)).toBe('0');
    expect(formatRate(0.5)).toBe('0.5');
    expect(formatRate(42.4)).toBe('42');
    expect(formatRate(1234)).toBe('1.2k');
    expect(formatRate(2_500_000)).toBe('2.5M');
  });
  it('splits paths', () => {
    expect(baseName('/tmp/a/b.pcapng')).toBe('b.pcapng');
    expect(baseName('C:\\caps\\x.pcap')).toBe('x.pcap');
    expect(baseName('/tmp/a/')).toBe('a');
    expect(baseName('b.pcap')).toBe('b.pcap');
    expect(dirName('/tmp/a/b.pcapng')).toBe('/tmp/a');
    expect(dirName('/b.pcap')).toBe('/');
  });
  it('percent', () => {
    expect(percent(5, 0)).toBeNull();
    expect(percent(5, 10)).toBe(50);
    expect(percent(20, 10)).toBe(100);
  });
});
