/**
 * One window's engine: a utilityProcess running engine-process.js, and the MessagePorts that
 * connect it to the window's page. Main stays out of the data path: it creates a channel, sends
 * one end to the engine and the other to the window's preload, and only watches the process.
 */
import { MessageChannelMain, utilityProcess, type MessagePortMain, type UtilityProcess } from 'electron';
import * as path from 'node:path';
import { engineProcessArgs } from './engine-process-protocol';

export interface EngineHostOptions {
  /** The engine ended without stop(): code is its exit code. */
  onExit(code: number): void;
  /** Where its live-capture spools go. */
  spoolDir?: string;
  label: string;
}

export class EngineHost {
  private child: UtilityProcess | null = null;
  private stopping = false;

  constructor(private readonly options: EngineHostOptions) {}

  start(): void {
    if (this.child) return;
    this.stopping = false;
    const child = utilityProcess.fork(path.join(__dirname, 'engine-process.js'), engineProcessArgs(this.options.spoolDir ? { spoolDir: this.options.spoolDir } : {}), {
      serviceName: `Sievecap engine (${this.options.label})`,
      stdio: 'inherit',
    });
    this.child = child;
    child.on('exit', (code) => {
      if (this.child === child) this.child = null;
      if (!this.stopping) this.options.onExit(code);
    });
  }

  /** A new channel to the engine; returns the page's end (the engine has the other). */
  connect(): MessagePortMain {
    this.start();
    const { port1, port2 } = new MessageChannelMain();
    this.child!.postMessage({ type: 'connect' }, [port1]);
    return port2;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  stop(): void {
    this.stopping = true;
    this.child?.kill();
    this.child = null;
  }
}
