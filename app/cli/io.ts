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
  const io: CliIo = {
    // Standard output is written synchronously, never through process.stdout: writes queued in
    // its stream while a slow reader kept the pipe full ended in writev's ENOBUFS (a large -T pdml
    // into a pipe did), and making the stream costs start-up.
    out(text) {
      if (outputClosed) return;
      const bytes = Buffer.from(text, 'utf8');
      io.outBytes!(bytes, bytes.length);
    },
    outBytes(bytes, length) {
      if (outputClosed) return;
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
  return io;
}

const pause = new Int32Array(new SharedArrayBuffer(4));

/**
 * Node makes a stdout pipe non-blocking, so a full pipe answers writeSync with EAGAIN: wait a
 * millisecond for the reader (without spinning the CPU) and try again.
 */
function waitForWritableStdout(): void {
  Atomics.wait(pause, 0, 0, 1);
}
