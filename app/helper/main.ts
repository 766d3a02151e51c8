/**
 * sievecap-helper: the only privileged code of Sievecap, in the way dumpcap is Wireshark's.
 *
 *   main.js --socket-dir DIR     serve the user who started it, through DIR/helper.sock
 *   main.js --version
 *
 * Started as root (by pkexec through the installed launcher, by sudo, or by a root CLI) under
 * `node --single-threaded`. Before it reads anything its caller controls it becomes that caller's
 * uid keeping only CAP_NET_RAW and CAP_BPF, with no_new_privs set and core dumps off. It then
 * connects back to the client's socket in a directory only that user can enter, checks that the
 * peer is that user (SO_PEERCRED), proves itself with the one-time token the client left in that
 * directory, serves capture requests (app/rpc/helper-protocol.ts) and exits when the client goes.
 * It takes a declarative spec, never bytecode or a path, and writes no file.
 */
import * as net from 'node:net';
import * as path from 'node:path';
// Everything the helper will ever run is loaded here, before the privileges drop: afterwards the
// files may not be readable by the user it serves (a checkout under /root, an AppImage mount).
import { native } from '../capture/native';
import { HelperSession } from './session';
import { encodeJsonFrame, HELPER_PROTOCOL_VERSION } from '../rpc/helper-protocol';
import { CAPTURE_CAPABILITIES, checkPrivateDirectory, processIdentity, readToken, servedUid, SOCKET_NAME } from './identity';

export const HELPER_VERSION = '0.1.0';

function fail(message: string, code = 1): never {
  process.stderr.write(`sievecap-helper: ${message}\n`);
  process.exit(code);
}

function parseArgs(argv: readonly string[]): { socketDir?: string; version: boolean } {
  if (argv.length === 1 && argv[0] === '--version') return { version: true };
  if (argv.length === 2 && argv[0] === '--socket-dir') return { socketDir: argv[1]!, version: false };
  fail('usage: sievecap-helper --socket-dir DIR | --version (the helper is started by sievecap, not by hand)', 2);
}

function dropPrivileges(uid: number): void {
  const n = native();
  if (process.geteuid?.() !== 0) return; // not root: nothing to give up (and captures will say what they lack)
  const user = n.lookupUser(uid);
  n.dropPrivileges({ uid, gid: user?.gid ?? uid, keepCapabilities: [...CAPTURE_CAPABILITIES] });
}

function connect(socketDir: string, uid: number): void {
  checkPrivateDirectory(socketDir, uid);
  const token = readToken(socketDir, uid);
  const socket = net.createConnection(path.join(socketDir, SOCKET_NAME));
  let session: HelperSession | undefined;
  const end = (): void => {
    // The client is gone: stop every capture (rings, programs, threads) and leave.
    void (session?.close() ?? Promise.resolve()).finally(() => process.exit(0));
  };
  socket.on('error', (err) => {
    if (!session) fail(`cannot connect to ${path.join(socketDir, SOCKET_NAME)}: ${err.message}`);
    // The client reads this on the helper's stderr: the reason the capture ends.
    process.stderr.write(`sievecap-helper: the connection to the client failed: ${err.message}\n`);
    end();
  });
  socket.on('close', end);
  // SIGTERM: stop the captures, send what they still held, then leave when the socket has drained.
  process.on('SIGTERM', () => void (session?.close() ?? Promise.resolve()).finally(() => socket.end()));
  socket.on('connect', () => {
    const fd = (socket as unknown as { _handle?: { fd?: number } })._handle?.fd ?? -1;
    const peer = native().peerCredentials(fd);
    // The listener is the user served, or root (a root CLI that drops to that user once we are here).
    if (peer.uid !== uid && peer.uid !== 0) fail(`the socket's owner is uid ${peer.uid}, not the user this helper serves (uid ${uid})`);
    session = new HelperSession({
      write: (bytes, written) => socket.write(bytes, written && (() => written())),
      get queuedBytes() {
        return socket.writableLength;
      },
      onDrain: (listener) => socket.on('drain', listener),
    });
    socket.write(
      encodeJsonFrame({
        type: 'hello',
        version: HELPER_PROTOCOL_VERSION,
        token,
        pid: process.pid,
        capabilities: processIdentity('self')?.effective ?? [],
      }),
    );
    socket.on('data', (chunk: Buffer) => session!.receive(chunk));
  });
}

export function helperMain(argv: readonly string[]): void {
  const args = parseArgs(argv);
  if (args.version) {
    process.stdout.write(`sievecap-helper ${HELPER_VERSION} (protocol ${HELPER_PROTOCOL_VERSION}, uid ${process.getuid?.()}, euid ${process.geteuid?.()})\n`);
    return;
  }
  let uid: number;
  try {
    uid = servedUid(process.env, process.getuid?.() ?? 0);
    native(); // load the addon while its file is surely readable
    dropPrivileges(uid);
  } catch (err) {
    fail(`cannot give up privileges: ${(err as Error).message}`);
  }
  // Ctrl-C in the client's terminal reaches the helper too: the client decides when to stop.
  process.on('SIGINT', () => undefined);
  process.on('SIGHUP', () => undefined);
  process.on('SIGPIPE', () => undefined);
  try {
    connect(args.socketDir!, uid);
  } catch (err) {
    fail((err as Error).message);
  }
}

if (require.main === module) helperMain(process.argv.slice(2));
