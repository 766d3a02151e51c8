import { describe, expect, it } from 'vitest';
import type { HttpObjectRow } from '../../../app/rpc/engine-protocol';
import { effectivePicks, exportRequests, filterObjects, objectUrl, setPicks, unpickableReason } from './http-objects';

const obj = (index: number | null, part: HttpObjectRow['part'], extra: Partial<HttpObjectRow> = {}): HttpObjectRow => ({
  index,
  part,
  frame: 10 + (index ?? 90),
  stream: index ?? 99,
  hostname: 'www.example.test',
  contentType: 'text/html',
  size: 100,
  name: `page${index ?? 'x'}.html`,
  ...extra,
});

// 0: request of 0, 1: response of 0, 2: response of 1, 3: a response without its request, 4: interim of 2, 5: response of 2
const OBJECTS: HttpObjectRow[] = [obj(0, 'request'), obj(0, 'response'), obj(1, 'response', { hostname: 'cdn.test', contentType: 'image/png', name: 'logo.png' }), obj(null, 'response'), obj(2, 'interim'), obj(2, 'response')];
const all = (): Set<number> => new Set(OBJECTS.map((_, k) => k));

describe('Export HTTP Objects: picking', () => {
  it('every object picked is one request without indexes: tshark’s whole export', () => {
    expect(exportRequests(OBJECTS, all())).toEqual([{}]);
    expect(effectivePicks(OBJECTS, all(), 'folder')).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('some picked: one request per part, whole transactions joined without a part', () => {
    expect(exportRequests(OBJECTS, new Set([1, 2]))).toEqual([{ indexes: [0, 1], part: 'response' }]);
    expect(exportRequests(OBJECTS, new Set([0]))).toEqual([{ indexes: [0], part: 'request' }]);
    // Both bodies of transaction 0, and the response of 1: transaction 0 whole, 1's response.
    expect(exportRequests(OBJECTS, new Set([0, 1, 2]))).toEqual([{ indexes: [0] }, { indexes: [1], part: 'response' }]);
    // 2's interim and response, with 0's request.
    expect(exportRequests(OBJECTS, new Set([0, 4, 5]))).toEqual([{ indexes: [2] }, { indexes: [0], part: 'request' }]);
    expect(exportRequests(OBJECTS, new Set())).toEqual([]);
  });

  it('a response without its request goes only with everything (folder), never alone (download)', () => {
    expect(unpickableReason(OBJECTS[3]!, 'folder')).toMatch(/only with every object/);
    expect(unpickableReason(OBJECTS[3]!, 'download')).toMatch(/--export-objects http,DIR/);
    expect(effectivePicks(OBJECTS, new Set([1, 3]), 'folder')).toEqual([1]);
    expect(exportRequests(OBJECTS, new Set([1, 3]))).toEqual([{ indexes: [0], part: 'response' }]);
    // Downloads: everything picked still leaves out what /object cannot address.
    expect(effectivePicks(OBJECTS, all(), 'download')).toEqual([0, 1, 2, 5]);
    expect(unpickableReason(OBJECTS[4]!, 'download')).toMatch(/1xx/);
    expect(unpickableReason(OBJECTS[4]!, 'folder')).toBeNull();
  });

  it('the text filter, and select all / none on the rows shown only', () => {
    expect(filterObjects(OBJECTS, '')).toEqual([0, 1, 2, 3, 4, 5]);
    expect(filterObjects(OBJECTS, ' PNG ')).toEqual([2]);
    expect(filterObjects(OBJECTS, 'cdn')).toEqual([2]);
    expect(filterObjects(OBJECTS, 'page0')).toEqual([0, 1]);
    const picked = setPicks(new Set([5]), filterObjects(OBJECTS, 'page0'), true);
    expect([...picked].sort()).toEqual([0, 1, 5]);
    expect([...setPicks(picked, [1, 5], false)]).toEqual([0]);
  });

  it('download URLs: /object with the session, index and part (and the token when the page has one)', () => {
    expect(objectUrl(3, { index: 7, part: 'response' }, 'abc')).toBe('object?session=3&index=7&token=abc');
    expect(objectUrl(3, { index: 7, part: 'request' }, null)).toBe('object?session=3&index=7&part=request');
    expect(objectUrl(3, { index: null, part: 'response' }, null)).toBeNull();
    expect(objectUrl(3, { index: 2, part: 'interim' }, null)).toBeNull();
  });
});
