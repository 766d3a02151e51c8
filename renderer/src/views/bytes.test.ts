import { describe, expect, it } from 'vitest';
import { asciiText, base64ToBytes, concatBytes, hexDump, rawHex } from './bytes';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('bytes', () => {
  it('decodes base64', () => {
    expect([...base64ToBytes('AAH/')]).toEqual([0, 1, 255]);
    expect(base64ToBytes('').length).toBe(0);
  });
  it('shows ASCII as Follow Stream does', () => {
    expect(asciiText(enc('GET / HTTP/1.1\r\nHost: x\r\n\r\n'))).toBe('GET / HTTP/1.1\nHost: x\n\n');
    expect(asciiText(new Uint8Array([0x41, 0x00, 0xff, 0x09, 0x0d, 0x42]))).toBe('A..\t.B');
  });
  it('makes a hex dump like xxd', () => {
    const dump = hexDump(enc('GET / HTTP/1.1\r\nHost: a\r\n'));
    expect(dump.split('\n')).toEqual([
      '00000000  47 45 54 20 2f 20 48 54  54 50 2f 31 2e 31 0d 0a  GET / HTTP/1.1..',
      '00000010  48 6f 73 74 3a 20 61 0d  0a                       Host: a..',
    ]);
    expect(hexDump(new Uint8Array([1]), 0x20)).toBe(`00000020  ${'01 '.padEnd(49)} .`);
    expect(hexDump(new Uint8Array())).toBe('');
  });
  it('makes raw hex and joins bytes', () => {
    expect(rawHex(new Uint8Array([0, 1, 0xab, 0xff]), 2)).toBe('0001\nabff');
    expect([...concatBytes([new Uint8Array([1]), new Uint8Array([]), new Uint8Array([2, 3])])]).toEqual([1, 2, 3]);
  });
});
