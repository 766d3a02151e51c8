/**
 * The engine service in its own process inside a test's network namespace (engine-service-child.ts),
 * spoken to as a UI would: JSON requests in, replies and events out, validated with the engine
 * protocol's schemas.
 */
import * as assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { parseEngineMessage, parseEngineResult, type EngineEvent, type EngineMethod, type EngineReply, type EngineResult } from '../../app/rpc/engine-protocol';
import { sleep, type NetnsPair } from './netns';

/** The engine in its own process inside a namespace, spoken to as a UI would. */
export class EngineProcess {
  readonly events: EngineEvent[] = [];
  private readonly pending = new Map<number, (reply: EngineReply) => void>();
  private readonly controlWaiters = new Map<string, (pid: number | null) => void>();
  private nextId = 1;
  private stderr = '';
  private readonly done: Promise<{ code: number | null }>;

  constructor(readonly child: ChildProcess) {
    let text = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const lines = text.split('\n');
      text = lines.pop()!;
      for (const line of lines) this.receive(JSON.parse(line));
    });
    child.stderr!.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.done = new Promise((resolve) => child.once('exit', (code) => resolve({ code })));
  }

  /** The engine in namespace A of `pair`, with these EngineServiceOptions (plain data). */
  static start(pair: NetnsPair, options: { spoolDir: string; configDir: string; eventIntervalMs?: number; statisticsIntervalMs?: number }): EngineProcess {
    const child = spawn('ip', ['netns', 'exec', pair.nsA, process.execPath, path.join(__dirname, '..', 'engine-service-child.js'), JSON.stringify(options)], { stdio: ['pipe', 'pipe', 'pipe'] });
    return new EngineProcess(child);
  }

  private receive(message: Record<string, unknown>): void {
    if (typeof message.control === 'string') {
      if (message.error) this.stderr += `${message.control}: ${String(message.error)}\n`;
      this.controlWaiters.get(message.control)?.(message.pid as number | null);
      this.controlWaiters.delete(message.control);
      return;
    }
    const parsed = parseEngineMessage(message);
    if (parsed.type === 'event') this.events.push(parsed);
    else if (parsed.id !== null) this.pending.get(parsed.id)?.(parsed);
  }

  send(message: Record<string, unknown>): Promise<EngineReply> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no reply to ${JSON.stringify(message)} in 30 s; engine stderr: ${this.stderr}`)), 30_000);
      this.pending.set(id, (reply) => {
        clearTimeout(timer);
        this.pending.delete(id);
        resolve(reply);
      });
      this.child.stdin!.write(`${JSON.stringify({ id, ...message })}\n`);
    });
  }

  async call<M extends EngineMethod>(method: M, params: Record<string, unknown> = {}): Promise<EngineResult<M>> {
    const reply = await this.send({ method, ...params });
    if (reply.type === 'error') assert.fail(`${method} failed: ${reply.error.code} ${reply.error.message}`);
    return parseEngineResult(method, reply.result);
  }

  async fails(code: string, method: EngineMethod, params: Record<string, unknown>, message?: RegExp): Promise<string> {
    const reply = await this.send({ method, ...params });
    assert.equal(reply.type, 'error', `${method} should fail with ${code}`);
    if (reply.type !== 'error') throw new Error('unreachable');
    assert.equal(reply.error.code, code, reply.error.message);
    if (message) assert.match(reply.error.message, message);
    return reply.error.message;
  }

  private control(what: 'helperPid' | 'startHelperNow'): Promise<number | null> {
    return new Promise((resolve) => {
      this.controlWaiters.set(what, resolve);
      this.child.stdin!.write(`${JSON.stringify({ control: what })}\n`);
    });
  }

  helperPid(): Promise<number | null> {
    return this.control('helperPid');
  }

  /** EngineService.startHelperNow() (what `serve` run as root calls before it gives up root). */
  startHelperNow(): Promise<number | null> {
    return this.control('startHelperNow');
  }

  eventsOf<E extends EngineEvent['event']>(event: E, session: number): Extract<EngineEvent, { event: E }>[] {
    return this.events.filter((e): e is Extract<EngineEvent, { event: E }> => e.event === event && 'session' in e && e.session === session);
  }

  async until(what: string, ok: () => boolean, timeoutMs = 10_000): Promise<void> {
    const end = Date.now() + timeoutMs;
    while (!ok()) {
      if (Date.now() > end) assert.fail(`timed out waiting for ${what}; engine stderr: ${this.stderr}`);
      await sleep(20);
    }
  }

  /** Ends stdin: the engine shuts down with its helper. */
  async stop(): Promise<void> {
    this.child.stdin!.end();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await this.done;
    clearTimeout(timer);
  }
}
