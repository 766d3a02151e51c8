/**
 * One channel to the engine, whatever carries it (a MessagePort of Electron's utilityProcess or of
 * worker_threads, a WebSocket of `sievecap serve`): every message received is a request, and its
 * reply and every event go back through `send`. The transport only moves messages: a MessagePort
 * sends them as they are (structured clone), a WebSocket as JSON text (both are plain data).
 */
import type { EngineMessage } from '../../rpc/engine-protocol';
import type { EngineService } from './service';

export interface EngineConnection {
  /** A request as it arrived (a value, or JSON text); the reply goes to `send` when ready. */
  receive(message: unknown): void;
  /** Stops sending events (the channel closed); requests still running are answered into the void. */
  detach(): void;
}

export function connectEngine(service: EngineService, send: (message: EngineMessage) => void): EngineConnection {
  let open = true;
  const deliver = (message: EngineMessage): void => {
    if (!open) return;
    try {
      send(message);
    } catch (err) {
      // The channel went away under us: nobody is left to tell.
      open = false;
      process.emitWarning(`the engine could not send a message: ${(err as Error).message}`);
    }
  };
  const stopEvents = service.onEvent(deliver);
  return {
    receive(message) {
      // handle() never rejects.
      void service.handle(message).then(deliver);
    },
    detach() {
      open = false;
      stopEvents();
    },
  };
}
