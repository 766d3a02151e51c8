/**
 * The helper's side of one client connection: requests in, replies and packet batches out.
 *
 * Every request is validated against app/rpc's schema before anything acts on it; a bad one gets an
 * error reply and the session goes on. Captures write their batches straight to the connection;
 * when the client reads too slowly (the connection's buffer passes HIGH_WATER_BYTES) every ring is
 * paused, so the kernel drops and counts packets instead of the helper buffering without bound.
 */
import {
  encodeBatchHeader,
  encodeJsonFrame,
  FrameDecoder,
  MAX_REQUEST_BYTES,
  parseRequest,
  type BatchRecordFormat,
  type CaptureSpec,
  type ErrorData,
  type HelperRequest,
  type HelperResult,
  type HelperMethod,
  type InterfaceStatistics,
} from '../rpc/helper-protocol';
import { LiveCapture } from '../capture/live-capture';
import { native } from '../capture/native';
import { compileFilter } from '../capture/filter';

/** Bytes queued on the connection beyond which the rings are paused. */
export const HIGH_WATER_BYTES = 16 * 1024 * 1024;

/** What the session needs of its connection (a net.Socket in the helper). */
export interface SessionTransport {
  /**
   * Queues bytes; returns false once the queue is past the transport's own mark. `written` runs
   * once the transport no longer needs `bytes` (handed to the kernel, or the write failed).
   */
  write(bytes: Uint8Array, written?: () => void): boolean;
  /** Bytes queued and not yet taken by the kernel. */
  readonly queuedBytes: number;
  onDrain(listener: () => void): void;
}

interface RunningInterface {
  name: string;
  capture: LiveCapture;
  /** Set once the capture ended on its own (the interface vanished). */
  ended: boolean;
}

export class HelperSession {
  private readonly decoder = new FrameDecoder({ json: MAX_REQUEST_BYTES, batch: 0 });
  private running: RunningInterface[] | undefined;
  private paused = false;
  private stopping: Promise<InterfaceStatistics[]> | undefined;
  /** Requests are answered one at a time, in order. */
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly transport: SessionTransport) {
    transport.onDrain(() => this.resumeIfDrained());
  }

  /** Bytes from the client. */
  receive(chunk: Uint8Array): void {
    this.decoder.push(chunk, (frame) => {
      if (frame.kind === 'error') return this.send({ type: 'error', id: null, error: frame.error });
      if (frame.kind === 'batch') return this.send({ type: 'error', id: null, error: { code: 'EBADMSG', message: 'the helper accepts no packet batches' } });
      const parsed = parseRequest(frame.value);
      if (!parsed.ok) return this.send({ type: 'error', id: parsed.id, error: parsed.error });
      const request = parsed.request;
      this.queue = this.queue.then(() => this.answer(request));
    });
  }

  /** The client went away: stop every capture at once and release its kernel objects. */
  async close(): Promise<void> {
    await this.stop().catch(() => undefined);
  }

  private async answer(request: HelperRequest): Promise<void> {
    try {
      const result = await this.handle(request);
      this.send({ type: 'result', id: request.id, result });
    } catch (err) {
      this.send({ type: 'error', id: request.id, error: errorData(err) });
    }
  }

  private async handle(request: HelperRequest): Promise<HelperResult<HelperMethod>> {
    switch (request.method) {
      case 'listInterfaces':
        return {
          interfaces: native()
            .listInterfaces()
            .map((i) => ({ name: i.name, index: i.index, up: i.up, running: i.running, loopback: i.loopback, hardwareType: i.hardwareType })),
        };
      case 'validateFilter': {
        const name = request.interface ?? 'lo';
        const snapLen = request.snapLen ?? 262144;
        const linkType = name === 'any' ? 276 : 1;
        const program = compileFilter({ filter: request.filter, linkType, snapLen, liveDevice: name === 'any' ? undefined : name });
        return { instructions: program.length };
      }
      case 'start':
        return this.start(request.spec);
      case 'stop':
        if (!this.running) throw protocolError('ENOTSTARTED', 'no capture is running');
        return { statistics: await this.stop() };
      case 'counters':
        if (!this.running) throw protocolError('ENOTSTARTED', 'no capture is running');
        return { statistics: this.running.map(statisticsOf) };
      case 'setFilter':
        if (!this.running) throw protocolError('ENOTSTARTED', 'no capture is running');
        for (const r of this.running) r.capture.replaceProgram(request.filter, request.stages);
        return { filter: request.filter };
      case 'watch': {
        if (!this.running) throw protocolError('ENOTSTARTED', 'no capture is running');
        let rules: Array<{ name: string; prefixes: string[] }> = [];
        // Every interface's program has its own tries: the same change goes to each.
        for (const r of this.running) rules = r.capture.changeWatchlist(request.add ?? [], request.remove ?? []);
        return { rules };
      }
    }
  }

  private start(spec: CaptureSpec): HelperResult<'start'> {
    if (this.running) throw protocolError('EBUSY', 'a capture is already running in this session');
    if (new Set(spec.interfaces).size !== spec.interfaces.length) throw protocolError('EINVAL', 'an interface is named twice');
    const running: RunningInterface[] = [];
    try {
      spec.interfaces.forEach((name, index) => {
        const entry: RunningInterface = { name, capture: undefined as unknown as LiveCapture, ended: false };
        entry.capture = LiveCapture.open(
          {
            interface: name,
            filter: spec.filter,
            snapLen: spec.snapLen,
            promiscuous: spec.promiscuous,
            bufferBytes: spec.bufferBytes,
            recordFormat: spec.recordFormat,
            retireTimeoutMs: spec.immediate ? 10 : 100,
            stages: spec.stages,
          },
          (batch, count) => this.sendBatch(entry, index, spec.recordFormat, batch, count),
          (err) => this.interfaceFailed(entry, err),
        );
        running.push(entry);
      });
    } catch (err) {
      for (const r of running) void r.capture.close();
      const e = err as Error & { code?: string };
      throw Object.assign(new Error(`${spec.interfaces[running.length]}: ${e.message}`), { code: e.code });
    }
    this.running = running;
    return { interfaces: running.map((r) => ({ name: r.name, linkType: r.capture.linkType, snapLen: spec.snapLen })) };
  }

  /**
   * Closes every capture (each delivers what is still in its ring first) and returns the figures.
   * Afterwards the session may start another capture.
   */
  private stop(): Promise<InterfaceStatistics[]> {
    if (!this.running) return Promise.resolve([]);
    if (!this.stopping) {
      const running = this.running;
      if (this.paused) {
        this.paused = false;
        for (const r of running) r.capture.resume();
      }
      this.stopping = Promise.all(running.map((r) => r.capture.close()))
        .then(() => running.map(statisticsOf))
        .finally(() => {
          this.running = undefined;
          this.stopping = undefined;
        });
    }
    return this.stopping;
  }

  private interfaceFailed(entry: RunningInterface, err: Error & { code?: string }): void {
    if (entry.ended) return;
    entry.ended = true;
    this.send({ type: 'captureError', interface: entry.name, error: errorData(err) });
  }

  private sendBatch(entry: RunningInterface, index: number, format: BatchRecordFormat, batch: Buffer, count: number): void {
    this.transport.write(encodeBatchHeader(index, format, count, batch.length));
    // Once the kernel has the bytes, the reader may fill this memory again (no fresh pages).
    this.transport.write(batch, () => entry.capture.recycle(batch));
    if (!this.paused && this.transport.queuedBytes > HIGH_WATER_BYTES && !this.stopping) {
      this.paused = true;
      for (const r of this.running ?? []) r.capture.pause();
    }
  }

  private resumeIfDrained(): void {
    if (!this.paused || this.transport.queuedBytes > HIGH_WATER_BYTES / 2) return;
    this.paused = false;
    for (const r of this.running ?? []) r.capture.resume();
  }

  private send(message: unknown): void {
    this.transport.write(encodeJsonFrame(message));
  }
}

function statisticsOf(r: RunningInterface): InterfaceStatistics {
  const s = r.capture.statistics();
  return {
    name: r.name,
    received: s.packets,
    dropped: s.drops,
    seenPackets: s.counters.seenPackets,
    seenBytes: s.counters.seenBytes,
    acceptedPackets: s.counters.acceptedPackets,
    acceptedBytes: s.counters.acceptedBytes,
    ...(s.rules ? { rules: s.rules } : {}),
    ...(s.mix ? { mix: s.mix } : {}),
  };
}

function protocolError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

export function errorData(err: unknown): ErrorData {
  const e = err as Error & { code?: unknown };
  return { code: typeof e?.code === 'string' ? e.code : e?.name === 'FilterSyntaxError' ? 'EFILTER' : 'EINTERNAL', message: String(e?.message ?? err) };
}
