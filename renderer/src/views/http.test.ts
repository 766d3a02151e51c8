import { describe, expect, it } from 'vitest';
import type { HttpTransactionRow } from '../../../app/rpc/engine-protocol';
import { cellText, sortRows } from '../components/table';
import { HTTP_COLUMNS, MAX_HEX_PREVIEW, bodyView, refreshStart } from './http';

const b64 = (bytes: Uint8Array | string): string => btoa(typeof bytes === 'string' ? bytes : String.fromCharCode(...bytes));

const tx = (index: number, extra: Partial<HttpTransactionRow> = {}): HttpTransactionRow => ({
  index,
  stream: index,
  requestFrame: 4 + index * 10,
  responseFrame: 6 + index * 10,
  client: '127.0.0.1:40000',
  server: '127.0.0.1:8000',
  method: 'GET',
  host: 'localhost:8000',
  path: `/file${index}`,
  version: 'HTTP/1.1',
  status: 200,
  reason: 'OK',
  contentType: 'text/html',
  requestBytes: 0,
  responseBytes: 1500 * index,
  seconds: 0.001 * index,
  relativeSeconds: index,
  ...extra,
});

describe('HTTP columns', () => {
  it('shows the status with its reason and sorts by code', () => {
    const rows = [tx(0, { status: 404, reason: 'Not Found' }), tx(1, { status: null, reason: '' }), tx(2)];
    const status = HTTP_COLUMNS.find((c) => c.id === 'status')!;
    expect(cellText(status, rows[0]!)).toBe('404 Not Found');
    expect(cellText(status, rows[1]!)).toBe('');
    expect(sortRows(rows, HTTP_COLUMNS, { column: 'status', descending: false }).map((r) => r.status)).toEqual([200, 404, null]);
    expect(HTTP_COLUMNS.map((c) => c.title)).toEqual(['No.', 'Method', 'Host', 'Path', 'Status', 'Content type', 'Request size', 'Response size', 'Time (s)']);
  });
});

describe('bodyView', () => {
  it('pretty-prints JSON', () => {
    const v = bodyView({ data: b64('{"a":[1,2]}'), size: 11, truncated: false, problem: null }, 'application/json; charset=utf-8');
    expect(v.kind).toBe('json');
    expect(v.text).toBe('{\n  "a": [\n    1,\n    2\n  ]\n}');
    expect(v.notes).toEqual([]);
  });
  it('shows cut JSON as text with notes', () => {
    const v = bodyView({ data: b64('{"a":[1,'), size: 5000, truncated: true, problem: 'gzip data ended early' }, 'application/json');
    expect(v.kind).toBe('text');
    expect(v.text).toBe('{"a":[1,');
    expect(v.notes).toEqual(['Only the first 8 of 5,000 bytes were kept: the preview is cut short.', 'gzip data ended early']);
  });
  it('notes JSON that does not parse', () => {
    expect(bodyView({ data: b64('nope'), size: 4, truncated: false, problem: null }, 'application/json').notes[0]).toMatch(/does not parse/);
  });
  it('decodes text in its charset', () => {
    const v = bodyView({ data: b64(new Uint8Array([0x63, 0x61, 0x66, 0xe9])), size: 4, truncated: false, problem: null }, 'text/plain; charset=ISO-8859-1');
    expect(v).toMatchObject({ kind: 'text', text: 'café' });
  });
  it('keeps image bytes with their type', () => {
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2]);
    const v = bodyView({ data: b64(png), size: 10, truncated: false, problem: null }, 'application/octet-stream');
    expect(v.kind).toBe('image');
    expect(v.mime).toBe('image/png');
    expect([...v.bytes]).toEqual([...png]);
  });
  it('hex-dumps binary, at most MAX_HEX_PREVIEW bytes', () => {
    const big = new Uint8Array(MAX_HEX_PREVIEW + 16);
    const v = bodyView({ data: b64(big), size: big.length, truncated: false, problem: null }, 'application/octet-stream');
    expect(v.kind).toBe('binary');
    expect(v.text.split('\n').length).toBe(MAX_HEX_PREVIEW / 16);
    expect(v.notes[0]).toMatch(/first 65,536 of 65,552 bytes/);
    expect(bodyView({ data: '', size: 0, truncated: false, problem: null }, 'text/html').kind).toBe('empty');
  });
});

describe('refreshStart', () => {
  it('re-reads from the first unanswered request, within a window', () => {
    expect(refreshStart([])).toBe(0);
    expect(refreshStart([tx(0), tx(1)])).toBe(2);
    expect(refreshStart([tx(0), tx(1, { responseFrame: null }), tx(2)])).toBe(1);
    const many = Array.from({ length: 3000 }, (_, i) => tx(i, { responseFrame: i === 5 ? null : 1 }));
    expect(refreshStart(many, 1000)).toBe(3000);
    expect(refreshStart([tx(0, { responseFrame: null }), tx(1), tx(2)], 2)).toBe(3);
  });
});
