/**
 * A client of an in-process EngineService for unit tests: every reply and event is checked against
 * the schema (and to be plain data that JSON carries unchanged), requests get ids of their own,
 * and the helpers say what a request must answer.
 */
import * as assert from 'node:assert/strict';
import { EngineEvent, parseEngineMessage, parseEngineResult, type EngineMethod, type EngineReply, type EngineResult } from '../../rpc/engine-protocol';
import type { EngineService } from './service';

export class EngineTestClient {
  readonly events: EngineEvent[] = [];
  private nextId = 1;

  constructor(readonly service: EngineService) {
    service.onEvent((e) => {
      parseEngineMessage(e);
      assert.deepEqual(JSON.parse(JSON.stringify(e)), e);
      this.events.push(e);
    });
  }

  /** The id the next request will carry (to cancel it). */
  get upcomingId(): number {
    return this.nextId;
  }

  send(message: Record<string, unknown>): Promise<EngineReply> {
    return this.service.handle({ id: this.nextId++, ...message }).then((reply) => {
      parseEngineMessage(reply);
      assert.deepEqual(JSON.parse(JSON.stringify(reply)), reply);
      if (reply.type === 'result') parseEngineResult(reply.method, reply.result);
      return reply;
    });
  }

  /** A request that must succeed: its result, checked against the method's schema. */
  async call<M extends EngineMethod>(method: M, params: Record<string, unknown> = {}): Promise<EngineResult<M>> {
    const reply = await this.send({ method, ...params });
    if (reply.type === 'error') assert.fail(`${method} failed: ${reply.error.code} ${reply.error.message}`);
    assert.equal(reply.method, method);
    return parseEngineResult(method, reply.result);
  }

  /** A request that must fail with `code` (and a message matching `message`); returns the message. */
  async fails(code: string, method: string, params: Record<string, unknown> = {}, message?: RegExp): Promise<string> {
    const reply = await this.send({ method, ...params });
    assert.equal(reply.type, 'error', `${method} ${JSON.stringify(params)} should fail with ${code}`);
    if (reply.type !== 'error') throw new Error('unreachable');
    assert.equal(reply.error.code, code, reply.error.message);
    assert.ok(reply.error.message.length > 10, 'the error says what happened');
    if (message) assert.match(reply.error.message, message);
    return reply.error.message;
  }

  eventsOf<E extends EngineEvent['event']>(event: E, session?: number): Extract<EngineEvent, { event: E }>[] {
    return this.events.filter((e): e is Extract<EngineEvent, { event: E }> => e.event === event && (session === undefined || ('session' in e && e.session === session)));
  }

  /** Waits (polling every 5 ms) until `ok()`, failing after `timeoutMs`. */
  async until(what: string, ok: () => boolean, timeoutMs = 3000): Promise<void> {
    const end = Date.now() + timeoutMs;
    while (!ok()) {
      if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }
}
