/**
 * `sievecap serve [--port N] [-Z USER] [FILE]`: one EngineService in this process, served to
 * browsers by server.ts on 127.0.0.1.
 *
 * Privileges follow the command line's live capture (app/cli/capture-command.ts, whose choice of
 * user and whose privilege drop this reuses): as root, the capture helper is started at once as a
 * child, then this process becomes the user who ran sudo (or -Z USER) before it opens any file or
 * prints the URL (no request can come before: nobody knows the token yet); as a user, the service
 * starts the helper through pkexec on the first capture. The UI's build is read into memory before
 * the drop (that user may not be able to read the checkout).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ServeOptions } from '../cli/args';
import type { CliIo } from '../cli/io';
import { relinquish, userToServe } from '../cli/capture-command';
import { EngineService } from '../engine/service';
import type { LaunchRoute } from '../helper/client';
import { canCapture, processIdentity } from '../helper/identity';
import { native } from '../capture/native';
import { startServer, type RunningServer } from './server';
import { StaticFiles } from './static-files';

/** The renderer's build beside this build's app/ folder: dist/renderer. */
export function defaultRendererDir(): string {
  return path.resolve(__dirname, '..', '..', 'renderer');
}

/** The private folder of this run: spools of live captures, uploads, downloads. */
function makeWorkDir(owner: { uid: number; gid: number } | null): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-serve-'));
  const parts = ['spool', 'uploads', 'downloads'].map((p) => path.join(dir, p));
  for (const p of parts) fs.mkdirSync(p, { mode: 0o700 });
  // Made by root for the user this process is about to become.
  if (owner) for (const p of [dir, ...parts]) fs.chownSync(p, owner.uid, owner.gid);
  return dir;
}

/** Before the drop: the environment names the user's home, not root's (the engine keeps presets and recent files there). */
function adoptUserEnvironment(uid: number): void {
  const user = native().lookupUser(uid);
  if (!user) return;
  process.env.HOME = user.home;
  process.env.USER = user.name;
  process.env.LOGNAME = user.name;
  for (const name of ['XDG_CONFIG_HOME', 'XDG_DATA_HOME', 'XDG_STATE_HOME', 'XDG_CACHE_HOME', 'XDG_RUNTIME_DIR']) {
    const dir = process.env[name];
    if (dir === undefined) continue;
    try {
      if (fs.statSync(dir).uid === uid) continue;
    } catch {
      // gone: drop it too
    }
    delete process.env[name];
  }
}

export async function runServe(opts: ServeOptions, io: CliIo): Promise<number> {
  const rendererDir = path.resolve(opts.rendererDir ?? (process.env.SIEVECAP_RENDERER_DIR || defaultRendererDir()));
  const files = StaticFiles.load(rendererDir);

  // Live capture: a child helper when this process may capture (root, or the capabilities).
  const route: LaunchRoute | undefined = canCapture(processIdentity('self')) ? { kind: 'child', ...userToServe(opts) } : undefined;
  if (!route && opts.relinquishTo !== undefined) io.error('sievecap: -Z has no effect: this process is not root (it runs as you, and captures through pkexec)');
  const dropsTo = route?.kind === 'child' && process.getuid!() === 0 && route.uid !== 0 ? route : null;
  if (dropsTo) adoptUserEnvironment(dropsTo.uid);

  // Ctrl-C, SIGTERM, SIGHUP, from now on (a signal while starting too): close the sockets, stop the
  // captures, remove the temporary files, exit 0. A second one while stopping changes nothing.
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  let signalled: NodeJS.Signals | null = null;
  let onSignal!: (s: NodeJS.Signals) => void;
  const stopRequested = new Promise<NodeJS.Signals>((resolve) => {
    onSignal = (s) => {
      signalled ??= s;
      resolve(s);
    };
  });
  for (const s of signals) process.on(s, onSignal);
  const restoreSignals = (): void => {
    for (const s of signals) process.off(s, onSignal);
  };

  const workDir = makeWorkDir(dropsTo);
  const removeWorkDir = (): void => fs.rmSync(workDir, { recursive: true, force: true });
  // No captureRoute: should the helper started below be lost, the engine's default route (pkexec,
  // as this process then runs as the user) starts another.
  let servedPort: number | null = null;
  const service = new EngineService({
    spoolDir: path.join(workDir, 'spool'),
    // Captures leave out serve's own connections (the page's WebSocket on loopback): captured, each
    // packet would make the page's next update, and so on without end.
    captureExclusion: () => (servedPort === null ? null : `tcp port ${servedPort} and (host 127.0.0.1 or host ::1)`),
  });

  let server: RunningServer;
  try {
    server = await startServer({ service, port: opts.port, files, workDir });
    servedPort = server.port;
  } catch (err) {
    service.close();
    removeWorkDir();
    restoreSignals();
    throw err;
  }
  const stopAll = async (): Promise<void> => {
    await server.close();
    // Every session closes (a capture stops); the helper is let go and exits.
    await service.shutdown();
    removeWorkDir();
  };

  try {
    if (route) {
      try {
        const pid = await service.startHelperNow(route);
        io.error(`sievecap: the capture helper is running (pid ${pid}): live capture is ready`);
      } catch (err) {
        io.error(`sievecap: live capture is unavailable: ${(err as Error).message}`);
      }
      relinquish(route);
    }
    if (opts.file !== undefined) {
      // Checked as the user serve now runs as: a file that user cannot read is refused, as with tcpdump -Z.
      fs.accessSync(path.resolve(opts.file), fs.constants.R_OK);
    }
  } catch (err) {
    await stopAll();
    restoreSignals();
    const e = err as NodeJS.ErrnoException;
    throw new Error(e.path !== undefined ? `${opts.file}: ${e.code === 'ENOENT' ? 'no such file' : e.code === 'EACCES' ? 'permission denied' : e.message}` : e.message);
  }

  if (signalled === null) {
    io.out(`Sievecap is serving on ${server.url}\n`);
    io.out(
      `Open that URL in a browser on this machine. From another machine, forward the port first:\n` +
        `  ssh -L ${server.port}:127.0.0.1:${server.port} ${os.hostname()}\n` +
        `then open the same URL there. Press Ctrl-C to stop.\n`,
    );
    if (dropsTo) io.error(`sievecap: running as uid ${dropsTo.uid}; the capture helper alone keeps the capture privileges`);
    if (opts.file !== undefined) {
      void service.handle({ id: 0, method: 'openFile', path: path.resolve(opts.file) }).then((reply) => {
        if (reply.type === 'error') io.error(`sievecap: ${reply.error.message}`);
      });
    }
  }

  const signal = await stopRequested;
  io.error(`sievecap: ${signal === 'SIGINT' ? 'interrupted' : signal}: stopping`);
  const stopped = stopAll().then(() => true);
  const timeout = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 10_000).unref());
  if (!(await Promise.race([stopped, timeout]))) {
    removeWorkDir();
    io.error('sievecap: the engine did not stop within 10 s; its temporary files are removed anyway');
  }
  restoreSignals();
  // Everything is closed; should a handle of a library still hold the event loop, it must not keep serve alive.
  setTimeout(() => process.exit(process.exitCode ?? 0), 2000).unref();
  return 0;
}
