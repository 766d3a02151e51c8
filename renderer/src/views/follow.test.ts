import { describe, expect, it } from 'vitest';
import { chunkTexts, decodeChunks, filterOut, findSegments, limitChunks, savedContent, sideBytes } from './follow';

const b64 = (s: string): string => btoa(s);
const chunks = decodeChunks([
  { from: 'client', frame: 4, data: b64('GET / HTTP/1.1\r\nHost: a\r\n\r\n') },
  { from: 'server', frame: 6, data: b64('HTTP/1.1 200 OK\r\n\r\nhello') },
  { from: 'client', frame: 8, data: b64('GET /x HTTP/1.1\r\n\r\n') },
]);

describe('decodeChunks', () => {
  it('counts offsets per side', () => {
    expect(chunks.map((c) => c.sideOffset)).toEqual([0, 0, 27]);
  });
});

describe('chunkTexts', () => {
  it('shows ASCII of both directions', () => {
    expect(chunkTexts(chunks, 'ascii', 'both').map((c) => c.text)).toEqual(['GET / HTTP/1.1\nHost: a\n\n', 'HTTP/1.1 200 OK\n\nhello', 'GET /x HTTP/1.1\n\n']);
  });
  it('shows one direction as a hex dump with its own offsets', () => {
    const client = chunkTexts(chunks, 'hex', 'client');
    expect(client.length).toBe(2);
    expect(client[1]!.text.startsWith('0000001b  47 45 54 20 2f 78')).toBe(true);
    expect(chunkTexts(chunks, 'raw', 'server')[0]!.text.startsWith('485454502f312e3120323030')).toBe(true);
  });
});

describe('savedContent', () => {
  it('saves text, or the bytes for Raw', () => {
    const ascii = savedContent(chunks, 'ascii', 'server');
    expect(ascii.data).toBe('HTTP/1.1 200 OK\n\nhello');
    expect(ascii.extension).toBe('txt');
    const raw = savedContent(chunks, 'raw', 'client');
    expect(raw.data).toBeInstanceOf(Uint8Array);
    expect((raw.data as Uint8Array).length).toBe(27 + 19);
  });
});

describe('findSegments', () => {
  it('splits matches out, case-insensitively, numbering them across chunks', () => {
    const { segments, matches } = findSegments(['Get a get', 'nothing', 'GET'], 'get');
    expect(matches).toBe(3);
    expect(segments[0]).toEqual([
      { text: 'Get', match: 0 },
      { text: ' a ', match: -1 },
      { text: 'get', match: 1 },
    ]);
    expect(segments[1]).toEqual([{ text: 'nothing', match: -1 }]);
    expect(segments[2]).toEqual([{ text: 'GET', match: 2 }]);
  });
  it('leaves text whole without a query', () => {
    expect(findSegments(['abc', ''], '')).toEqual({ segments: [[{ text: 'abc', match: -1 }], [{ text: '', match: -1 }]], matches: 0 });
  });
  it('filters a stream out', () => {
    expect(filterOut('tcp.stream eq 3')).toBe('!(tcp.stream eq 3)');
  });
});

describe('limitChunks and sideBytes', () => {
  it('cuts the shown text at the limit', () => {
    const shown = chunkTexts(chunks, 'ascii', 'both');
    expect(limitChunks(shown, 1000)).toEqual({ chunks: shown, cut: false });
    const cut = limitChunks(shown, 30);
    expect(cut.cut).toBe(true);
    expect(cut.chunks.map((c) => c.text.length)).toEqual([24, 6]);
    expect(limitChunks(shown, 24)).toEqual({ chunks: [shown[0]], cut: true });
  });
  it('counts bytes per side', () => {
    expect(sideBytes(chunks)).toEqual({ client: 46, server: 24 });
  });
});
