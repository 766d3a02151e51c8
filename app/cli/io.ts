/** What a CLI command may touch of the outside world: output streams and interface names. */
import { native } from '../capture/native';

export interface CliIo {
  /** Packet lines and reports (stdout). */
  out(text: string): void;
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
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    outputClosed = true;
    for (const cb of closedCallbacks) cb();
  });
  return {
    out(text) {
      if (!outputClosed) process.stdout.write(text);
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
