/**
 * The renderer's client of the engine protocol (app/rpc/engine-protocol.ts), over a WebSocket
 * (`sievecap serve`) or a MessagePort (Electron: the preload forwards the engine's port). Knows
 * nothing of Node or Electron.
 *
 *   const engine = await connectEngine();
 *   const info = await engine.call('openFile', { path }, { onProgress: (p) => ... });
 *   const stop = engine.on('framesAppended', (e) => ...);
 */
import {
  parseEngineMessage,
  parseEngineResult,
  type EngineEvent,
  type EngineMethod,
  type EngineParams,
  type EngineResult,
} from '../../../app/rpc/engine-protocol';
import { ENGINE_PORT_MESSAGE } from '../../../app/rpc/desktop-bridge';

export type EventName = EngineEvent['event'];
export type EventOf<E extends EventName> = Extract<EngineEvent, { event: E }>;
export type ProgressEvent = EventOf<'progress'>;

/** A failed request: `code` is one of ENGINE_ERRORS (or ECONNRESET when the engine went away). */
export class RpcError extends Error {
  override name = 'RpcError';
  constructor(readonly code: string, message: string, readonly session: number | null = null) {
    super(message);
  }
}

/** Carries messages both ways; the client owns it. */
export interface Transport {
  send(message: unknown): void;
  /** Sets the one listener of incoming messages, and the one of the connection's end. */
  listen(onMessage: (message: unknown) => void, onClose: (reason: string) => void): void;
  close(): void;
}

export interface CallOptions {
  signal?: AbortSignal;
  /** Progress events of this request (opening, filtering, saving). */
  onProgress?: (event: ProgressEvent) => void;
}

interface Pending {
  method: EngineMethod;
  resolve(result: unknown): void;
  reject(error: Error): void;
  onProgress?: (event: ProgressEvent) => void;
}

export class EngineClient {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly listeners = new Map<EventName, Set<(event: EngineEvent) => void>>();
  private closedReason: string | null = null;
  private readonly closeListeners = new Set<(reason: string) => void>();

  constructor(private readonly transport: Transport) {
    transport.listen(
      (message) => this.receive(message),
      (reason) => this.closed(reason),
    );
  }

  /** Sends a request; resolves with its validated result, rejects with an RpcError. */
  call<M extends EngineMethod>(method: M, params: EngineParams<M>, options: CallOptions = {}): Promise<EngineResult<M>> {
    if (this.closedReason !== null) return Promise.reject(new RpcError('ECONNRESET', this.closedReason));
    const id = this.nextId++;
    return new Promise<EngineResult<M>>((resolve, reject) => {
      const signal = options.signal;
      if (signal?.aborted) {
        reject(new RpcError('ECANCELED', 'the request was cancelled'));
        return;
      }
      const onAbort = (): void => {
        if (this.pending.has(id)) this.send({ id: this.nextId++, method: 'cancel', request: id });
      };
      // A long-lived signal (a view's, a window's) must not keep every finished request's listener.
      const settle = (): void => signal?.removeEventListener('abort', onAbort);
      this.pending.set(id, {
        method,
        resolve: (result) => {
          settle();
          (resolve as (r: unknown) => void)(result);
        },
        reject: (error) => {
          settle();
          reject(error);
        },
        onProgress: options.onProgress,
      });
      signal?.addEventListener('abort', onAbort, { once: true });
      this.send({ id, method, ...params });
    });
  }

  /** Listens to one kind of event; returns the function that stops listening. */
  on<E extends EventName>(event: E, listener: (event: EventOf<E>) => void): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    const l = listener as (event: EngineEvent) => void;
    set.add(l);
    return () => set!.delete(l);
  }

  /** Called once when the connection ends (the engine quit, the server stopped). */
  onClose(listener: (reason: string) => void): () => void {
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  get connected(): boolean {
    return this.closedReason === null;
  }

  close(): void {
    this.transport.close();
    this.closed('the connection was closed');
  }

  private send(message: unknown): void {
    try {
      this.transport.send(message);
    } catch (err) {
      this.closed(`cannot reach the engine: ${(err as Error).message}`);
    }
  }

  private receive(raw: unknown): void {
    let message;
    try {
      message = parseEngineMessage(typeof raw === 'string' ? JSON.parse(raw) : raw);
    } catch (err) {
      console.error((err as Error).message);
      return;
    }
    if (message.type === 'event') {
      if (message.event === 'progress' && message.request !== null) this.deliver(() => this.pending.get(message.request!)?.onProgress?.(message));
      for (const l of this.listeners.get(message.event) ?? []) this.deliver(() => l(message));
      return;
    }
    if (message.id === null) {
      // Only an error can lack an id: the request was too malformed to carry one.
      if (message.type === 'error') console.error(`the engine refused a request: ${message.error.message}`);
      return;
    }
    const pending = this.pending.get(message.id);
    if (!pending) return;
    this.pending.delete(message.id);
    if (message.type === 'error') {
      pending.reject(new RpcError(message.error.code, message.error.message, message.error.session ?? null));
      return;
    }
    try {
      pending.resolve(parseEngineResult(pending.method, message.result));
    } catch (err) {
      pending.reject(new RpcError('EBADMSG', (err as Error).message));
    }
  }

  /** Runs a listener: one that throws must not keep the others (or the replies) from their messages. */
  private deliver(run: () => void): void {
    try {
      run();
    } catch (err) {
      console.error('an engine event listener failed:', err);
    }
  }

  private closed(reason: string): void {
    if (this.closedReason !== null) return;
    this.closedReason = reason;
    for (const p of this.pending.values()) p.reject(new RpcError('ECONNRESET', reason));
    this.pending.clear();
    for (const l of this.closeListeners) l(reason);
  }
}

/** A WebSocket carrying JSON text (serve mode). Resolves once open. */
export function webSocketTransport(url: string): Promise<Transport> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    let onMessage: (m: unknown) => void = () => undefined;
    let onClose: (reason: string) => void = () => undefined;
    ws.onopen = () =>
      resolve({
        send: (m) => ws.send(JSON.stringify(m)),
        listen: (message, close) => {
          onMessage = message;
          onClose = close;
        },
        close: () => ws.close(),
      });
    ws.onerror = () => reject(new RpcError('ECONNREFUSED', `cannot connect to the engine at ${url.replace(/token=[^&]*/, 'token=…')}`));
    ws.onmessage = (e) => onMessage(e.data);
    ws.onclose = (e) => onClose(e.reason || `the connection to the engine closed (code ${e.code})`);
  });
}

/** A MessagePort carrying structured clones (Electron). */
export function messagePortTransport(port: MessagePort): Transport {
  return {
    send: (m) => port.postMessage(m),
    listen: (message, close) => {
      port.onmessage = (e) => message(e.data);
      port.onmessageerror = () => close('the engine sent a message that could not be received');
      port.start();
    },
    close: () => port.close(),
  };
}

/** The serve-mode token: from the page's URL (then kept for reloads in sessionStorage). */
export function serveToken(location: Location = window.location): string | null {
  const fromUrl = new URLSearchParams(location.search).get('token');
  if (fromUrl) {
    try {
      sessionStorage.setItem('sievecap-token', fromUrl);
    } catch {
      // storage refused: the URL keeps it
    }
    return fromUrl;
  }
  try {
    return sessionStorage.getItem('sievecap-token');
  } catch {
    return null;
  }
}

/** Connects to the engine: the Electron preload's port when there is a bridge, else serve mode's WebSocket. */
export async function connectEngine(): Promise<EngineClient> {
  if ((window as unknown as { sievecap?: unknown }).sievecap) {
    const port = await new Promise<MessagePort>((resolve) => {
      const onMessage = (e: MessageEvent): void => {
        if (e.source === window && e.data === ENGINE_PORT_MESSAGE && e.ports[0]) {
          window.removeEventListener('message', onMessage);
          resolve(e.ports[0]);
        }
      };
      window.addEventListener('message', onMessage);
    });
    return new EngineClient(messagePortTransport(port));
  }
  const token = serveToken();
  const scheme = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
  const url = `${scheme}//${window.location.host}/rpc${token ? `?token=${encodeURIComponent(token)}` : ''}`;
  return new EngineClient(await webSocketTransport(url));
}
