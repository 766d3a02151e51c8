/**
 * A stand-in for EngineClient in unit tests: answers calls from a table of handlers (a handler
 * may throw an RpcError-like `{code, message}`), records every call, and emits events on demand.
 */
import type { EngineMethod, EngineParams, EngineResult } from '../../../app/rpc/engine-protocol';
import type { CallOptions, EngineClient, EventName, EventOf } from '../lib/rpc';

export type Handlers = { [M in EngineMethod]?: (params: EngineParams<M>, options: CallOptions) => EngineResult<M> | Promise<EngineResult<M>> };

export class EngineError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

export class FakeEngine {
  readonly calls: { method: EngineMethod; params: unknown }[] = [];
  readonly #listeners = new Map<string, Set<(e: unknown) => void>>();

  constructor(public handlers: Handlers) {}

  call<M extends EngineMethod>(method: M, params: EngineParams<M>, options: CallOptions = {}): Promise<EngineResult<M>> {
    this.calls.push({ method, params });
    const handler = this.handlers[method] as ((p: EngineParams<M>, o: CallOptions) => EngineResult<M> | Promise<EngineResult<M>>) | undefined;
    if (!handler) return Promise.reject(new EngineError('EBADMSG', `no handler for ${method}`));
    if (options.signal?.aborted) return Promise.reject(new EngineError('ECANCELED', 'the request was cancelled'));
    return new Promise<EngineResult<M>>((resolve, reject) => {
      options.signal?.addEventListener('abort', () => reject(new EngineError('ECANCELED', 'the request was cancelled')), { once: true });
      Promise.resolve()
        .then(() => handler(params, options))
        .then(resolve, reject);
    });
  }

  on<E extends EventName>(event: E, listener: (event: EventOf<E>) => void): () => void {
    let set = this.#listeners.get(event);
    if (!set) this.#listeners.set(event, (set = new Set()));
    const l = listener as (e: unknown) => void;
    set.add(l);
    return () => set!.delete(l);
  }

  emit<E extends EventName>(event: EventOf<E>): void {
    for (const l of this.#listeners.get(event.event) ?? []) l(event);
  }

  callsOf(method: EngineMethod): unknown[] {
    return this.calls.filter((c) => c.method === method).map((c) => c.params);
  }

  /** Typed as the real client for components' props. */
  get client(): EngineClient {
    return this as unknown as EngineClient;
  }
}
