/** What a CLI command may touch of the outside world: output streams and interface names. */
import * as fs from 'node:fs';
import { native } from '../capture/native';

export interface CliIo {
  /** Packet lines and reports (stdout). */
  out(text: string): void;
  /**
   * The first `length` bytes of `bytes` to stdout, written before returning (the caller reuses
   * the buffer). Optional: without it, callers fall back to `out`.
   */
  outBytes?(bytes: Buffer, length: number): void;
  /** Messages and statistics (stderr), one line or several, newline added. */
  error(text: string): void;
  /** Name of an interface by index, for cooked (`any`) captures. */
  interfaceName(ifindex: number): string | undefined;
  /** Called when stdout's reader went away (e.g. `sievecap ... | head`). */
  onOutputClosed(callback: () => void): void;
}

export function processIo(): CliIo {
  let names: Map<number, string> | undefined;
  const closedCallbacks: Array<() => void> = [];
  let outputClosed = false;
  const closeOutput = (): void => {
    if (outputClosed) return;
    outputClosed = true;
    for (const cb of closedCallbacks) cb();
  };
  // process.stdout is made on first use, with its EPIPE handler: making it costs milliseconds of
  // start-up that a capture to a file does without.
  let stdout: NodeJS.WriteStream | undefined;
  const stdoutStream = (): NodeJS.WriteStream => {
    if (!stdout) {
      stdout = process.stdout;
      stdout.on('error', (err: NodeJS.ErrnoException) => {
        if (err.code !== 'EPIPE') throw err;
        closeOutput();
      });
    }
    return stdout;
  };
  return {
    out(text) {
      if (!outputClosed) stdoutStream().write(text);
    },
    outBytes(bytes, length) {
      if (outputClosed) return;
      // Text queued in the stream (a pipe that was full) must go first: keep the order.
      if (stdout && stdout.writableLength > 0) {
        stdout.write(Buffer.from(bytes.subarray(0, length)));
        return;
      }
      let done = 0;
      while (done < length) {
        try {
          done += fs.writeSync(1, bytes, done, length - done);
        } catch (err) {
          const code = (err as NodeJS.ErrnoException).code;
          if (code === 'EAGAIN') waitForWritableStdout();
          else if (code === 'EPIPE') {
            closeOutput();
            return;
          } else throw err;
        }
      }
    },
    error(text) {
      process.stderr.write(text.endsWith('\n') ? text : `${text}\n`);
    },
    interfaceName(ifindex) {
      if (!names) {
        names = new Map();
        try {
          for (const i of native().listInterfaces()) names.set(i.index, i.name);
        } catch {
          // Names are a nicety: without the addon the index is printed instead.
        }
      }
      return names.get(ifindex);
    },
    onOutputClosed(callback) {
      closedCallbacks.push(callback);
      if (outputClosed) callback();
    },
  };
}

const pause = new Int32Array(new SharedArrayBuffer(4));

/**
 * Node makes a stdout pipe non-blocking, so a full pipe answers writeSync with EAGAIN: wait a
 * millisecond for the reader (without spinning the CPU) and try again.
 */
function waitForWritableStdout(): void {
  Atomics.wait(pause, 0, 0, 1);
}
