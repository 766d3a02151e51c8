/**
 * The unprivileged side of the helper boundary: start the helper by one of three routes, meet it on
 * a private Unix socket, check who it is, then send requests and receive packet batches.
 *
 * Routes:
 * - `child`: this process can capture itself (root or the capabilities): run the helper as a child
 *   (in its own process group, so a terminal's Ctrl-C reaches only us), telling it which user it
 *   serves; the caller then gives up its own privileges.
 * - `pkexec`: run the installed, root-owned launcher through pkexec (polkit action
 *   org.sievecap.helper; members of the `sievecap` group need no password).
 * - `sudo-prompt`: the desktop app where the polkit policy is not installed: the same launcher
 *   through sudo-prompt's graphical password dialog.
 *
 * The meeting: a fresh directory only the served user can enter (mode 700, under
 * $XDG_RUNTIME_DIR when it is theirs) holding the listening socket and a one-time token file. The
 * first peer whose SO_PEERCRED shows the capture capabilities and whose hello carries the token is
 * the helper; directory, socket and token are removed at once, so nothing is left to connect to.
 */
import * as childProcess from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import {
  decodeBatch,
  encodeJsonFrame,
  FrameDecoder,
  MAX_BATCH_BYTES,
  MAX_EVENT_BYTES,
  parseHelperMessage,
  parseResult,
  type DecodedBatch,
  type ErrorData,
  type Frame,
  type HelperMethod,
  type HelperParams,
  type HelperResult,
} from '../rpc/helper-protocol';
import { native } from '../capture/native';
import { canCapture, processIdentity, randomHex, runtimeBase, sameSecret, SOCKET_NAME, TOKEN_BYTES, TOKEN_NAME } from './identity';

/** Where the installed package puts the launcher; SIEVECAP_HELPER_LAUNCHER names another. */
export const DEFAULT_LAUNCHER = '/usr/lib/sievecap/sievecap-helper';
/** The group whose members polkit lets start the helper without a password. */
export const HELPER_GROUP = 'sievecap';

export type LaunchRoute =
  | { kind: 'child'; /** uid (and gid) the helper serves: who this process becomes after. */ uid: number; gid: number }
  | { kind: 'pkexec'; launcher: string }
  | { kind: 'sudo-prompt'; launcher: string };

export interface HelperEvents {
  /**
   * A batch of packets. Return true when nothing keeps a view of its records any more (they were
   * written out or copied): the client may then read a later batch into the same memory.
   */
  onBatch(batch: DecodedBatch): boolean | void;
  /** A capture on one interface ended on its own (the interface vanished or went down). */
  onCaptureError(interfaceName: string, error: ErrorData): void;
  /** The connection ended without close() being called: the helper died or was killed. */
  onLost(reason: string): void;
  /**
   * A reply to no request of this client's: the helper refusing a frame that carried no usable id.
   * Without this listener such a reply ends the connection as a protocol violation.
   */
  onProtocolError?(error: ErrorData): void;
}

/** An Error whose code says which route failed and why (ECANCELED, EACCES, ENOHELPER, ...). */
export class HelperStartError extends Error {
  override name = 'HelperStartError';
  constructor(message: string, readonly code: string) {
    super(message);
  }
}

/** The path of the helper's entry point in this build. */
export function helperEntry(): string {
  // From here (dist/app/helper) or from a chunk of the bundled CLI (dist/app/cli): the same file.
  return path.join(__dirname, '..', 'helper', 'main.js');
}

export function launcherPath(env: NodeJS.ProcessEnv = process.env): string {
  return env.SIEVECAP_HELPER_LAUNCHER || DEFAULT_LAUNCHER;
}

function hasCommand(name: string): boolean {
  return (process.env.PATH ?? '/usr/bin:/bin').split(':').some((dir) => {
    try {
      fs.accessSync(path.join(dir, name), fs.constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** True when the launcher exists, belongs to root and nobody else may change it. */
export function launcherInstalled(launcher: string): boolean {
  try {
    const st = fs.statSync(launcher);
    return st.isFile() && st.uid === 0 && (st.mode & 0o022) === 0 && (st.mode & 0o111) !== 0;
  } catch {
    return false;
  }
}

/**
 * The CLI's choice: run the helper as a child when this process can capture, else pkexec with the
 * installed launcher; else a HelperStartError saying which privilege is missing and how to get it.
 */
export function chooseCliRoute(serve: { uid: number; gid: number }): LaunchRoute {
  if (canCapture(processIdentity('self'))) return { kind: 'child', uid: serve.uid, gid: serve.gid };
  const launcher = launcherPath();
  if (launcherInstalled(launcher) && hasCommand('pkexec')) return { kind: 'pkexec', launcher };
  throw new HelperStartError(
    'capturing needs CAP_NET_RAW and CAP_BPF, which this process does not have. Either run it as root ' +
      '(sudo sievecap ...), or install the capture helper (sudo node dist/app/helper/install.js, or the ' +
      `Sievecap package) and join the '${HELPER_GROUP}' group (sudo usermod -aG ${HELPER_GROUP} $USER, then log in again)` +
      (launcherInstalled(launcher) ? '; pkexec (polkit) is not installed either' : ''),
    'EPERM',
  );
}

interface Pending {
  method: HelperMethod;
  resolve(result: unknown): void;
  reject(error: Error): void;
}

export class HelperClient {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private closedByUs = false;
  private lostReason: string | undefined;

  private readonly socket: net.Socket;

  private constructor(
    accepted: net.Socket,
    /** The helper's process id, as the kernel reports the peer. */
    readonly pid: number,
    readonly capabilities: readonly string[],
    private readonly events: HelperEvents,
    private readonly launched: Launched,
  ) {
    const decoder = new FrameDecoder({ json: MAX_EVENT_BYTES, batch: MAX_BATCH_BYTES + 8 }, (n) => Buffer.allocUnsafeSlow(n));
    const onFrame = (frame: Frame): void => {
      try {
        if (frame.kind === 'batch') {
          if (events.onBatch(decodeBatch(frame.body)) === true) decoder.recycle(frame.body);
          return;
        }
        if (frame.kind === 'error') throw Object.assign(new Error(`the capture helper sent a bad frame: ${frame.error.message}`), { code: frame.error.code });
        this.dispatch(parseHelperMessage(frame.value));
      } catch (err) {
        this.lose((err as Error).message);
      }
    };
    const socket = readInPlace(accepted, decoder, onFrame);
    this.socket = socket ?? accepted;
    if (!socket) accepted.on('data', (chunk: Buffer) => decoder.push(chunk, onFrame));
    this.socket.on('error', () => undefined);
    this.socket.on('close', () => this.lose(undefined));
    this.socket.resume();
  }

  /** Starts the helper by `route` and resolves once it has proved who it is. */
  static async start(route: LaunchRoute, events: HelperEvents, options: { connectTimeoutMs?: number } = {}): Promise<HelperClient> {
    const uid = route.kind === 'child' ? route.uid : process.getuid!();
    const base = route.kind === 'child' ? runtimeBase(route.uid, {}) : runtimeBase(uid);
    const dir = fs.mkdtempSync(path.join(base, 'sievecap-'));
    const token = randomHex(TOKEN_BYTES);
    const socketPath = path.join(dir, SOCKET_NAME);
    const server = net.createServer();
    const cleanUp = (): void => {
      server.close();
      // The directory holds the token and the socket: removed one by one (fs.rmSync loads Node's
      // rimraf, milliseconds of start-up); recursively only if something else is in it.
      try {
        unlinkIfThere(path.join(dir, TOKEN_NAME));
        unlinkIfThere(socketPath);
        fs.rmdirSync(dir);
      } catch {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    };
    try {
      fs.writeFileSync(path.join(dir, TOKEN_NAME), token, { mode: 0o600, flag: 'wx' });
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(socketPath, resolve);
      });
      fs.chmodSync(socketPath, 0o600);
      if (route.kind === 'child' && route.uid !== process.getuid!()) {
        // A root CLI serving another user: that user's helper must be able to enter and connect.
        for (const p of [dir, socketPath, path.join(dir, TOKEN_NAME)]) fs.chownSync(p, route.uid, route.gid);
      }
    } catch (err) {
      cleanUp();
      throw new HelperStartError(`cannot prepare the helper's socket in ${dir}: ${(err as Error).message}`, 'EIO');
    }

    try {
      // Inside the try: a launch that throws (spawn refusing its arguments, sudo-prompt missing)
      // must not leave the socket listening, which would keep the process from ever ending.
      const launched = launch(route, dir);
      const { socket, hello } = await meet(server, token, launched, route.kind === 'child' ? (options.connectTimeoutMs ?? 10_000) : undefined);
      return new HelperClient(socket, hello.pid, hello.capabilities, events, launched);
    } finally {
      cleanUp();
    }
  }

  /** Sends a request; resolves with its validated result or rejects with the helper's error. */
  request<M extends HelperMethod>(method: M, params: HelperParams<M>): Promise<HelperResult<M>> {
    if (this.lostReason !== undefined || this.closedByUs) {
      return Promise.reject(Object.assign(new Error(this.lostReason ?? 'the helper connection is closed'), { code: 'ECONNRESET' }));
    }
    const id = this.nextId++;
    return new Promise<HelperResult<M>>((resolve, reject) => {
      this.pending.set(id, { method, resolve: resolve as (r: unknown) => void, reject });
      this.socket.write(encodeJsonFrame({ id, method, ...params }));
    });
  }

  /** Sends bytes as they are: for tests of the helper's defences against malformed frames. */
  sendRaw(bytes: Uint8Array): void {
    this.socket.write(bytes);
  }

  /** Disconnects: the helper stops every capture and exits. */
  close(): void {
    this.closedByUs = true;
    this.socket.end();
  }

  /**
   * Resolves once the helper process has ended (at most `timeoutMs` later): a client that waits for
   * it leaves no process behind and has the helper's CPU time counted with its own.
   */
  async exited(timeoutMs = 3000): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    const result = await Promise.race([this.launched.exited.then(() => true), timedOut]);
    clearTimeout(timer);
    return result;
  }

  private dispatch(message: ReturnType<typeof parseHelperMessage>): void {
    switch (message.type) {
      case 'hello':
        throw new Error('the capture helper said hello twice');
      case 'captureError':
        this.events.onCaptureError(message.interface, message.error);
        return;
      case 'result':
      case 'error': {
        const pending = message.id === null ? undefined : this.pending.get(message.id);
        if (!pending) {
          // A tolerant client (a protocol test sending raw frames) hears of replies it did not ask for.
          if (this.events.onProtocolError) {
            return this.events.onProtocolError(
              message.type === 'error' ? message.error : { code: 'EUNEXPECTED', message: `a result for request ${message.id}` },
            );
          }
          if (message.type === 'error') throw new Error(`the capture helper reported: ${message.error.message}`);
          throw new Error(`the capture helper answered request ${message.id}, which was never sent`);
        }
        this.pending.delete(message.id!);
        if (message.type === 'error') pending.reject(Object.assign(new Error(message.error.message), { code: message.error.code }));
        else {
          try {
            pending.resolve(parseResult(pending.method, message.result));
          } catch (err) {
            pending.reject(err as Error);
          }
        }
      }
    }
  }

  private lose(reason: string | undefined): void {
    if (this.lostReason !== undefined) return;
    this.lostReason = reason ?? 'the capture helper closed the connection';
    this.socket.destroy();
    // The socket closes a moment before the process's exit is reported: wait briefly for it, so
    // the message can say how the helper ended.
    let waited = 0;
    const report = (): void => {
      if (reason === undefined && this.launched.exitInfo() === undefined && waited < 500) {
        waited += 25;
        setTimeout(report, 25);
        return;
      }
      const why = reason ?? this.describeExit();
      this.lostReason = why;
      for (const p of this.pending.values()) p.reject(Object.assign(new Error(why), { code: 'ECONNRESET' }));
      this.pending.clear();
      if (!this.closedByUs) this.events.onLost(why);
    };
    report();
  }

  private describeExit(): string {
    const exit = this.launched.exitInfo();
    return `the capture helper (pid ${this.pid}) ${exit ?? 'closed the connection unexpectedly'}`;
  }
}

/**
 * The accepted connection, moved to a socket that reads into memory the decoder chooses (Node's
 * `onread`): each batch is read straight into the buffer handed on with it, instead of arriving
 * in 64 KiB chunks that are then copied together, and with fewer reads. net.Server offers no
 * `onread` for the sockets it accepts, so the handle moves to a new net.Socket; undefined (the
 * caller reads 'data' events) if this Node has no such handle or bytes are already buffered.
 */
function readInPlace(accepted: net.Socket, decoder: FrameDecoder, onFrame: (frame: Frame) => void): net.Socket | undefined {
  type StreamHandle = { readStop?: () => number; reading?: boolean };
  const internal = accepted as unknown as { _handle?: StreamHandle | null };
  const handle = internal._handle;
  if (!handle || typeof handle.readStop !== 'function' || accepted.readableLength > 0) return undefined;
  handle.readStop();
  handle.reading = false;
  internal._handle = null;
  return new net.Socket({
    handle,
    readable: true,
    writable: true,
    onread: {
      buffer: () => decoder.readBuffer(),
      callback: (bytes: number) => {
        decoder.wrote(bytes, onFrame);
        return true;
      },
    },
  } as net.SocketConstructorOpts);
}

interface Launched {
  /** Rejects when the launched process ends before the helper connected. */
  failed: Promise<never>;
  /** Resolves when the launched process has ended (and been reaped). */
  exited: Promise<void>;
  /** How the helper process ended, once it has ('was killed by SIGKILL', 'exited with status 1'). */
  exitInfo(): string | undefined;
}

function describeStatus(code: number | null, signal: NodeJS.Signals | null): string {
  return signal ? `was killed by ${signal}` : `exited with status ${code}`;
}

function launch(route: LaunchRoute, dir: string): Launched {
  if (route.kind === 'sudo-prompt') {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const sudo = require('sudo-prompt') as typeof import('sudo-prompt');
    let exit: string | undefined;
    let ended!: () => void;
    const exited = new Promise<void>((resolve) => (ended = resolve));
    const failed = new Promise<never>((_, reject) => {
      sudo.exec(`${shellQuote(route.launcher)} --socket-dir ${shellQuote(dir)}`, { name: 'Sievecap' }, (error, _stdout, stderr) => {
        exit = error ? `ended: ${error.message}` : 'exited';
        ended();
        if (error && /did not grant permission|User did not grant/i.test(error.message)) {
          reject(new HelperStartError('starting the capture helper was cancelled; nothing was captured', 'ECANCELED'));
        } else {
          reject(new HelperStartError(`the capture helper could not be started: ${error?.message ?? String(stderr ?? '').trim()}`, 'EHELPER'));
        }
      });
    });
    return { failed, exited, exitInfo: () => exit };
  }
  const [command, args, env] =
    route.kind === 'child'
      ? [process.execPath, ['--single-threaded', '--no-memory-reducer', helperEntry(), '--socket-dir', dir], {
          SUDO_UID: String(route.uid),
          PATH: '/usr/sbin:/usr/bin:/sbin:/bin',
          // Inside the desktop app process.execPath is the Electron binary: run it as plain Node.
          ...(process.versions.electron ? { ELECTRON_RUN_AS_NODE: '1' } : {}),
        }]
      : ['pkexec', [route.launcher, '--socket-dir', dir], process.env];
  const child = childProcess.spawn(command, args, {
    // The child route runs in its own process group: Ctrl-C reaches only the client, which then
    // stops the capture in order. pkexec keeps the terminal so its text agent can ask a password.
    detached: route.kind === 'child',
    stdio: ['inherit', 'ignore', 'pipe'],
    env,
    cwd: '/',
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
    process.stderr.write(chunk);
  });
  let exit: string | undefined;
  const exited = new Promise<void>((resolve) => {
    child.on('exit', () => resolve());
    child.on('error', () => resolve());
  });
  const failed = new Promise<never>((_, reject) => {
    child.on('error', (err) => reject(new HelperStartError(`cannot run ${command}: ${err.message}`, 'ENOHELPER')));
    child.on('exit', (code, signal) => {
      exit = describeStatus(code, signal);
      if (route.kind === 'pkexec' && code === 126) {
        reject(new HelperStartError('the password dialog was dismissed, so the capture helper was not started; nothing was captured', 'ECANCELED'));
      } else if (route.kind === 'pkexec' && code === 127) {
        reject(
          new HelperStartError(
            'pkexec refused to start the capture helper: not authorised, or no polkit authentication agent is running. ' +
              `Join the '${HELPER_GROUP}' group to capture without a password (sudo usermod -aG ${HELPER_GROUP} $USER, then log in again), ` +
              'or run a polkit agent (a desktop session has one; on a console run pkttyagent), or run sievecap as root',
            'EACCES',
          ),
        );
      } else {
        const detail = stderr.trim().split('\n').pop();
        reject(new HelperStartError(`the capture helper ${exit} before it connected${detail ? `: ${detail}` : ''}`, 'EHELPER'));
      }
    });
  });
  child.unref();
  (child.stderr as unknown as { unref?: () => void }).unref?.();
  return { failed, exited, exitInfo: () => exit };
}

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Waits for the helper: a peer holding the capture capabilities whose hello carries the token. */
function meet(
  server: net.Server,
  token: string,
  launched: Launched,
  timeoutMs: number | undefined,
): Promise<{ socket: net.Socket; hello: { pid: number; capabilities: string[] } }> {
  return new Promise((resolve, reject) => {
    let done = false;
    const finish = (err: Error | undefined, value?: { socket: net.Socket; hello: { pid: number; capabilities: string[] } }): void => {
      if (done) return;
      done = true;
      if (timer) clearTimeout(timer);
      server.off('connection', onConnection);
      if (err) reject(err);
      else resolve(value!);
    };
    const timer = timeoutMs === undefined
      ? undefined
      : setTimeout(() => finish(new HelperStartError(`the capture helper did not connect within ${timeoutMs / 1000} s`, 'ETIMEDOUT')), timeoutMs);
    launched.failed.catch((err: Error) => finish(err));
    const onConnection = (socket: net.Socket): void => {
      const fd = (socket as unknown as { _handle?: { fd?: number } })._handle?.fd ?? -1;
      let peer: { pid: number; uid: number };
      try {
        peer = native().peerCredentials(fd);
      } catch {
        socket.destroy();
        return;
      }
      const identity = processIdentity(peer.pid);
      if (!canCapture(identity)) {
        // Not the helper: someone else who could enter the directory. Refuse and go on waiting.
        socket.destroy();
        return;
      }
      const decoder = new FrameDecoder({ json: 4096, batch: 0 });
      const hello = setTimeout(() => socket.destroy(), 5000);
      const onData = (chunk: Buffer): void =>
        decoder.push(chunk, (frame) => {
          socket.off('data', onData);
          clearTimeout(hello);
          try {
            if (frame.kind !== 'json') throw new Error('no hello');
            const message = parseHelperMessage(frame.value);
            if (message.type !== 'hello') throw new Error('no hello');
            if (!sameSecret(message.token, token)) throw new Error('wrong token');
            if (message.pid !== peer.pid) throw new Error('pid mismatch');
            // Nothing follows a hello before the first request; the client resumes the socket once
            // its own listener is attached.
            socket.pause();
            finish(undefined, { socket, hello: { pid: peer.pid, capabilities: message.capabilities } });
          } catch {
            socket.destroy();
          }
        });
      socket.on('data', onData);
      socket.on('error', () => undefined);
    };
    server.on('connection', onConnection);
  });
}

/** Removes a file; one that is already gone is fine. */
function unlinkIfThere(file: string): void {
  try {
    fs.unlinkSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}
