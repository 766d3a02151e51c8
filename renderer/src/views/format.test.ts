import { describe, expect, it } from 'vitest';
import { baseName, dirName, formatBytes, formatCount, formatRate, formatSeconds } from './format';

describe('format', () => {
  it('formats counts and bytes', () => {
    expect(formatCount(1234567)).toBe('1,234,567');
    expect(formatCount(null)).toBe('');
    expect(formatBytes(999)).toBe('999 B');
    expect(formatBytes(1500)).toBe('1.5 kB');
    expect(formatBytes(25_000_000)).toBe('25 MB');
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
    expect(dirName('/tmp/a/b.pcapng')).toBe('/tmp/a');
    expect(dirName('/b.pcap')).toBe('/');
    expect(baseName('b.pcap')).toBe('b.pcap');
  });
});
