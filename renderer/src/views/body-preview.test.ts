import { describe, expect, it } from 'vitest';
import { decodeText, headerValue, imageType, looksLikeText, parseMediaType, prettyJson, previewKind, reindentJson, sniffImage } from './body-preview';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);

describe('parseMediaType', () => {
  it('splits type and charset', () => {
    expect(parseMediaType('Text/HTML; charset="ISO-8859-1"')).toEqual({ type: 'text/html', charset: 'iso-8859-1' });
    expect(parseMediaType('application/json')).toEqual({ type: 'application/json', charset: null });
    expect(parseMediaType('')).toEqual({ type: '', charset: null });
  });
});

describe('previewKind', () => {
  it('trusts the declared type', () => {
    expect(previewKind('text/html; charset=utf-8', enc('<p>hi'))).toBe('text');
    expect(previewKind('application/json', enc('{"a":1}'))).toBe('json');
    expect(previewKind('application/problem+json', enc('{}'))).toBe('json');
    expect(previewKind('image/svg+xml', enc('<svg/>'))).toBe('image');
    expect(previewKind('image/png', PNG)).toBe('image');
    expect(previewKind('application/xml', enc('<a/>'))).toBe('text');
  });
  it('sniffs when the type is missing or generic', () => {
    expect(previewKind('application/octet-stream', PNG)).toBe('image');
    expect(previewKind('', enc(' [1, 2]'))).toBe('json');
    expect(previewKind('', enc('{ cut short'))).toBe('text');
    expect(previewKind('', enc('plain words\n'))).toBe('text');
    expect(previewKind('application/octet-stream', new Uint8Array([0, 1, 2, 3]))).toBe('binary');
    expect(previewKind('application/octet-stream', new Uint8Array([0xc3]))).toBe('binary');
    expect(previewKind('text/plain', new Uint8Array())).toBe('empty');
  });
  it('recognises image signatures', () => {
    expect(sniffImage(new Uint8Array([0xff, 0xd8, 0xff, 0xe0]))).toBe('image/jpeg');
    expect(sniffImage(enc('GIF89a'))).toBe('image/gif');
    expect(sniffImage(enc('RIFF\0\0\0\0WEBPVP8 '))).toBe('image/webp');
    expect(sniffImage(enc('hello'))).toBeNull();
    expect(imageType('image/gif', PNG)).toBe('image/gif');
    expect(imageType('application/octet-stream', PNG)).toBe('image/png');
  });
  it('tells text from binary', () => {
    expect(looksLikeText(enc('héllo\tworld\r\n'))).toBe(true);
    expect(looksLikeText(new Uint8Array([0x68, 0x00]))).toBe(false);
    // A UTF-8 character cut at the 8 KiB sample's end is still text.
    const long = enc('a'.repeat(8191) + 'é' + 'b');
    expect(looksLikeText(long)).toBe(true);
  });
});

describe('prettyJson', () => {
  it('re-indents without touching numbers or strings', () => {
    expect(prettyJson('{"id":12345678901234567890,"x":1.0,"s":"a,b:{c}\\"]","e":[],"o":{}}')).toBe(
      '{\n  "id": 12345678901234567890,\n  "x": 1.0,\n  "s": "a,b:{c}\\"]",\n  "e": [],\n  "o": {}\n}',
    );
    expect(reindentJson('[1,[2, 3]]')).toBe('[\n  1,\n  [\n    2,\n    3\n  ]\n]');
  });
  it('prints newline-delimited JSON document by document', () => {
    expect(prettyJson('{"a":1}\n{"b":2}\n')).toBe('{\n  "a": 1\n}\n{\n  "b": 2\n}');
  });
  it('refuses what is not JSON', () => {
    expect(prettyJson('{"a":')).toBeNull();
    expect(prettyJson('')).toBeNull();
    expect(prettyJson('hello')).toBeNull();
  });
});

describe('decodeText and headerValue', () => {
  it('decodes in the declared charset', () => {
    expect(decodeText(new Uint8Array([0xe9]), 'iso-8859-1')).toBe('é');
    expect(decodeText(enc('é'), 'no-such-charset')).toBe('é');
  });
  it('finds headers case-insensitively', () => {
    const h = [{ name: 'Content-Type', value: 'text/plain' }, { name: 'content-type', value: 'x' }];
    expect(headerValue(h, 'content-TYPE')).toBe('text/plain');
    expect(headerValue(h, 'Host')).toBeNull();
  });
});
