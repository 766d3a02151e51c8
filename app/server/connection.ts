/**
 * One browser tab's WebSocket to the shared EngineService.
 *
 * Every tab numbers its requests from 1, but the service runs each request under its id and
 * `cancel` names one: two tabs (or a tab and a download) would collide. So a connection gives each
 * request an id of the server's own (RequestIds) and maps it back in the reply, in `cancel`'s
 * argument and result, and in the `request` field of events — which every connection receives,
 * each seeing its own requests' ids and null for other connections'.
 */
import type { EngineEvent, EngineMessage, EngineReply } from '../rpc/engine-protocol';
import type { EngineService } from '../engine/service';

const MAX_REQUEST_ID = 2 ** 31;

/** Request ids unique across the server (connections and downloads). */
export class RequestIds {
  private next = 1;

  allocate(): number {
    const id = this.next;
    this.next = this.next >= MAX_REQUEST_ID ? 1 : this.next + 1;
    return id;
  }
}

function isRequestId(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= MAX_REQUEST_ID;
}

export class ClientConnection {
  private readonly toServer = new Map<number, number>();
  private readonly toClient = new Map<number, number>();
  private readonly stopEvents: () => void;
  private open = true;

  constructor(
    private readonly service: EngineService,
    private readonly ids: RequestIds,
    private readonly send: (message: EngineMessage) => void,
  ) {
    this.stopEvents = service.onEvent((event) => this.deliver(this.clientEvent(event)));
  }

  /** A message as the socket received it (JSON text). Its reply is sent when the service answers. */
  receive(text: string): void {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      // The service answers what is not JSON (or too large) with its own error.
      void this.service.handle(text).then((reply) => this.deliver(reply));
      return;
    }
    const request = typeof json === 'object' && json !== null && !Array.isArray(json) ? (json as Record<string, unknown>) : null;
    if (!request || !isRequestId(request.id)) {
      void this.service.handle(json).then((reply) => this.deliver(reply));
      return;
    }
    const clientId = request.id;
    const method = typeof request.method === 'string' ? request.method : null;
    if (this.toServer.has(clientId)) {
      this.deliver({
        type: 'error',
        id: clientId,
        method,
        error: { code: 'EBADMSG', message: `request id ${clientId} is already running: give each request an id of its own` },
      });
      return;
    }
    const serverId = this.ids.allocate();
    this.toServer.set(clientId, serverId);
    this.toClient.set(serverId, clientId);
    const forwarded: Record<string, unknown> = { ...request, id: serverId };
    // `cancel` names one of this connection's requests; an id it is not running maps to one nothing runs under.
    if (method === 'cancel' && isRequestId(request.request)) forwarded.request = this.toServer.get(request.request) ?? this.ids.allocate();
    void this.service.handle(forwarded).then((reply) => {
      this.toServer.delete(clientId);
      this.toClient.delete(serverId);
      this.deliver(this.clientReply(reply, clientId, request));
    });
  }

  /** The socket closed: no more events; replies of requests still running go nowhere. */
  detach(): void {
    this.open = false;
    this.stopEvents();
  }

  private clientReply(reply: EngineReply, clientId: number, request: Record<string, unknown>): EngineReply {
    if (reply.type === 'error') return { ...reply, id: reply.id === null ? null : clientId };
    if (reply.method === 'cancel' && typeof reply.result === 'object' && reply.result !== null) {
      return { ...reply, id: clientId, result: { ...(reply.result as object), request: request.request } };
    }
    return { ...reply, id: clientId };
  }

  private clientEvent(event: EngineEvent): EngineEvent {
    // Any event naming a request (opened, progress): this connection's id for it, or null.
    if ('request' in event && typeof event.request === 'number') return { ...event, request: this.toClient.get(event.request) ?? null } as EngineEvent;
    return event;
  }

  private deliver(message: EngineMessage): void {
    if (!this.open) return;
    try {
      this.send(message);
    } catch {
      // The socket went away under us: its close handler detaches this connection.
      this.open = false;
    }
  }
}
