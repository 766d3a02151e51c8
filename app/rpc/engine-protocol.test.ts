/** The engine protocol's schema: every method parses, bad requests are answered with their id and a sentence, sizes are bounded. */
import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  EngineResults,
  MAX_PAGE_ROWS,
  MAX_REQUEST_BYTES,
  parseEngineMessage,
  parseEngineRequest,
  parseEngineResult,
  type EngineMethod,
} from './engine-protocol';

const GOOD: Record<EngineMethod, Record<string, unknown>> = {
  openFile: { path: '/tmp/a.pcapng' },
  openLive: { interfaces: [{ linkType: 1, name: 'lo' }] },
  sessionInfo: { session: 1 },
  listSessions: {},
  rows: { session: 1, start: 0, count: 50, view: 2 },
  packet: { session: 1, number: 1 },
  checkFilter: { filter: 'tcp.port == 80' },
  createView: { session: 1, filter: 'dns' },
  updateView: { session: 1, view: 2, filter: 'http' },
  dropView: { session: 1, view: 2 },
  createReport: { session: 1, spec: 'conv,tcp' },
  readReport: { session: 1, report: 3, format: 'both' },
  dropReport: { session: 1, report: 3 },
  cancel: { request: 4 },
  closeSession: { session: 1 },
};

test('engine protocol: a request of every method parses', () => {
  assert.deepEqual(Object.keys(GOOD).sort(), Object.keys(EngineResults).sort(), 'every method has a result schema and a sample here');
  let id = 1;
  for (const [method, params] of Object.entries(GOOD)) {
    const message = { id: id++, method, ...params };
    const parsed = parseEngineRequest(message);
    assert.ok(parsed.ok, `${method}: ${parsed.ok ? '' : parsed.error.message}`);
    assert.deepEqual(parsed.request, message);
    // JSON text (a WebSocket) parses the same.
    const fromText = parseEngineRequest(JSON.stringify(message));
    assert.ok(fromText.ok && fromText.request.method === method);
  }
});

test('engine protocol: bad requests are answered with their id, method and the offending field', () => {
  const cases: Array<[unknown, number | null, string, RegExp]> = [
    [null, null, 'EBADMSG', /malformed request/],
    ['{"id": 1,', null, 'EBADMSG', /not valid JSON/],
    [{ method: 'rows', session: 1, start: 0, count: 1 }, null, 'EBADMSG', /id/],
    [{ id: 3, method: 'launchMissiles' }, 3, 'EBADMSG', /method/],
    [{ id: 4, method: 'rows', session: 1, start: 0, count: MAX_PAGE_ROWS + 1 }, 4, 'EBADMSG', /count: a page has at most 1000 rows/],
    [{ id: 5, method: 'rows', session: 0, start: 0, count: 1 }, 5, 'EBADMSG', /session/],
    [{ id: 6, method: 'packet', session: 1, number: 1.5 }, 6, 'EBADMSG', /number/],
    [{ id: 7, method: 'openFile', path: '' }, 7, 'EBADMSG', /path: a file path is empty/],
    [{ id: 8, method: 'openFile', path: 'a\0b' }, 8, 'EBADMSG', /NUL/],
    [{ id: 9, method: 'createView', session: 1, filter: 'x'.repeat(16 * 1024 + 1) }, 9, 'EBADMSG', /at most 16384 characters/],
    [{ id: 10, method: 'closeSession', session: 1, force: true }, 10, 'EBADMSG', /force/],
    [{ id: 11, method: 'readReport', session: 1, report: 1, format: 'xml' }, 11, 'EBADMSG', /format/],
    [{ id: 12, method: 'openLive', interfaces: [] }, 12, 'EBADMSG', /at least one interface/],
    [{ id: -1, method: 'listSessions' }, null, 'EBADMSG', /id/],
    [JSON.stringify({ id: 13, method: 'checkFilter', filter: 'x'.repeat(MAX_REQUEST_BYTES) }), null, 'EMSGSIZE', /larger than 65536 bytes/],
  ];
  for (const [message, id, code, pattern] of cases) {
    const parsed = parseEngineRequest(message);
    assert.equal(parsed.ok, false, JSON.stringify(message)?.slice(0, 80));
    if (parsed.ok) continue;
    assert.equal(parsed.id, id, `${JSON.stringify(message)?.slice(0, 80)}: id`);
    assert.equal(parsed.error.code, code);
    assert.match(parsed.error.message, pattern);
  }
  const named = parseEngineRequest({ id: 4, method: 'rows', session: 1, start: 0, count: 5000 });
  assert.equal(!named.ok && named.method, 'rows');
});

test('engine protocol: a client validates replies and events and rejects anything else', () => {
  assert.deepEqual(parseEngineMessage({ type: 'result', id: 1, method: 'cancel', result: { request: 3, cancelled: true } }), { type: 'result', id: 1, method: 'cancel', result: { request: 3, cancelled: true } });
  assert.deepEqual(parseEngineResult('cancel', { request: 3, cancelled: true }), { request: 3, cancelled: true });
  parseEngineMessage({ type: 'error', id: null, method: null, error: { code: 'EBADMSG', message: 'x' } });
  parseEngineMessage({ type: 'event', event: 'framesAppended', session: 1, frames: 10, views: [{ view: 2, matches: 1, framesDone: 10 }] });
  parseEngineMessage({ type: 'event', event: 'progress', request: null, session: 1, task: 'filter', done: 5, total: 10, frames: 10, view: 2, matches: 1 });
  assert.throws(() => parseEngineMessage({ type: 'event', event: 'framesAppended', session: 1, frames: -1, views: [] }), /malformed message: frames/);
  assert.throws(() => parseEngineMessage({ type: 'result', id: 1, method: 'nope', result: 1 }), /malformed/);
  assert.throws(() => parseEngineResult('rows', { total: 1, start: 0, view: null, rows: [{ number: 1, time: 5n }] }), /rows result is malformed/);
  assert.throws(() => parseEngineResult('packet', { bytes: Buffer.from('x') }), /malformed/);
});
