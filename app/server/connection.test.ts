import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EngineService } from '../engine/service';
import type { EngineEvent, EngineMessage } from '../rpc/engine-protocol';
import { ClientConnection, RequestIds } from './connection';

/** A service that answers once released, and tells the ids it ran under. */
function fakeService() {
  const listeners = new Set<(e: EngineEvent) => void>();
  const seen: Array<Record<string, unknown>> = [];
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  const service = {
    onEvent(l: (e: EngineEvent) => void) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    async handle(message: unknown) {
      if (typeof message === 'string') return { type: 'error', id: null, method: null, error: { code: 'EBADMSG', message: 'a request is not valid JSON' } };
      const m = message as Record<string, unknown>;
      seen.push(m);
      for (const l of listeners) l({ type: 'event', event: 'progress', request: m.id as number, session: 1, task: 'load', done: 0, total: 1, frames: 0 });
      await released;
      if (m.method === 'cancel') return { type: 'result', id: m.id, method: 'cancel', result: { request: m.request, cancelled: false } };
      return { type: 'result', id: m.id, method: m.method, result: { ran: m.id } };
    },
  };
  return { service: service as unknown as EngineService, seen, release };
}

test('two connections with the same request ids: each gets its own replies and events', async () => {
  const { service, seen, release } = fakeService();
  const ids = new RequestIds();
  const got: Record<'a' | 'b', EngineMessage[]> = { a: [], b: [] };
  const a = new ClientConnection(service, ids, (m) => got.a.push(m));
  const b = new ClientConnection(service, ids, (m) => got.b.push(m));
  a.receive(JSON.stringify({ id: 1, method: 'listSessions' }));
  b.receive(JSON.stringify({ id: 1, method: 'listSessions' }));
  a.receive(JSON.stringify({ id: 1, method: 'listSessions' }));
  a.receive(JSON.stringify({ id: 2, method: 'cancel', request: 1 }));
  a.receive(JSON.stringify({ id: 3, method: 'cancel', request: 99 }));
  assert.deepEqual(seen.map((m) => m.id), [1, 2, 3, 4], 'the service sees ids of its own');
  assert.equal(seen[2]!.request, 1, "a's cancel of its request 1 names the service's id of it");
  assert.ok(![1, 2, 3, 4].includes(seen[3]!.request as number), 'a cancel of an unknown id reaches nothing');
  // Events: each connection sees its own ids, null for the other's.
  const progress = (list: EngineMessage[]) => list.filter((m) => m.type === 'event').map((m) => (m as { request: number | null }).request);
  assert.deepEqual(progress(got.a), [1, null, 2, 3]);
  assert.deepEqual(progress(got.b), [null, 1, null, null]);
  const duplicate = got.a.find((m) => m.type === 'error');
  assert.equal(duplicate?.type === 'error' && duplicate.id, 1, 'a second request 1 while the first runs is refused');
  release();
  await new Promise((r) => setImmediate(r));
  const replies = (list: EngineMessage[]) => list.filter((m) => m.type === 'result').map((m) => [(m as { id: number }).id, (m as { result: unknown }).result]);
  assert.deepEqual(replies(got.a), [[1, { ran: 1 }], [2, { request: 1, cancelled: false }], [3, { request: 99, cancelled: false }]]);
  assert.deepEqual(replies(got.b), [[1, { ran: 2 }]]);
  const heardByB = got.b.length;
  b.detach();
  a.receive('not json');
  a.receive(JSON.stringify({ id: 5, method: 'listSessions' }));
  await new Promise((r) => setImmediate(r));
  assert.ok(got.a.some((m) => m.type === 'error' && m.id === null && m.error.code === 'EBADMSG'), 'what is not JSON gets the service’s answer');
  assert.equal(got.b.length, heardByB, 'a detached connection hears nothing more');
});
