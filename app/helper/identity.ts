/**
 * Who is who across the helper boundary: capability sets read from /proc, the user a helper
 * serves, and the private directory where the two meet. Shared by the helper and its client.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** The capabilities a capture needs: AF_PACKET sockets and eBPF programs and maps. */
export const CAPTURE_CAPABILITIES = ['CAP_NET_RAW', 'CAP_BPF'] as const;

const CAPABILITY_BITS: Record<string, number> = { CAP_NET_ADMIN: 12, CAP_NET_RAW: 13, CAP_SYS_ADMIN: 21, CAP_BPF: 39 };

export interface ProcessIdentity {
  pid: number;
  /** Real, effective, saved and file-system uid, as /proc/PID/status lists them. */
  uids: number[];
  /** Names of the capabilities in the effective set that matter here (see CAPABILITY_BITS). */
  effective: string[];
  noNewPrivs: boolean;
}

/** Reads /proc/PID/status (world-readable); null when the process is gone. */
export function processIdentity(pid: number | 'self'): ProcessIdentity | null {
  let status: string;
  try {
    status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return null;
  }
  const field = (name: string): string => new RegExp(`^${name}:\\s*(.*)$`, 'm').exec(status)?.[1]?.trim() ?? '';
  const mask = BigInt('0x' + (field('CapEff') || '0'));
  return {
    pid: pid === 'self' ? process.pid : pid,
    uids: field('Uid').split(/\s+/).filter(Boolean).map(Number),
    effective: Object.entries(CAPABILITY_BITS)
      .filter(([, bit]) => (mask >> BigInt(bit)) & 1n)
      .map(([name]) => name),
    noNewPrivs: field('NoNewPrivs') === '1',
  };
}

/** True when a process may capture: effective uid 0 or both capture capabilities. */
export function canCapture(identity: ProcessIdentity | null): boolean {
  if (!identity) return false;
  return CAPTURE_CAPABILITIES.every((c) => identity.effective.includes(c));
}

/** The capture capabilities this process lacks (empty when it can capture itself). */
export function missingCaptureCapabilities(): string[] {
  const self = processIdentity('self');
  return CAPTURE_CAPABILITIES.filter((c) => !self?.effective.includes(c));
}

/**
 * The user a helper serves: pkexec's PKEXEC_UID, else sudo's SUDO_UID, else its own real uid.
 * Throws on a value that is not a uid.
 */
export function servedUid(env: NodeJS.ProcessEnv, ownUid: number): number {
  for (const name of ['PKEXEC_UID', 'SUDO_UID'] as const) {
    const value = env[name];
    if (value === undefined || value === '') continue;
    if (!/^\d{1,10}$/.test(value) || Number(value) > 0xfffffffe) throw new Error(`${name} is not a user id: '${value}'`);
    return Number(value);
  }
  return ownUid;
}

/**
 * Where a client makes its private meeting directory: the user's runtime directory when it is
 * really theirs, else the system's temporary directory (mkdtemp makes the directory 0700 either way).
 */
export function runtimeBase(uid: number, env: NodeJS.ProcessEnv = process.env): string {
  const candidates = [uid === process.getuid?.() ? env.XDG_RUNTIME_DIR : undefined, `/run/user/${uid}`];
  for (const dir of candidates) {
    if (!dir || !path.isAbsolute(dir)) continue;
    try {
      const st = fs.lstatSync(dir);
      if (st.isDirectory() && st.uid === uid && (st.mode & 0o077) === 0) return dir;
    } catch {
      // not there: try the next
    }
  }
  return os.tmpdir();
}

export const SOCKET_NAME = 'helper.sock';
export const TOKEN_NAME = 'token';
export const TOKEN_BYTES = 32;

/**
 * `bytes` random bytes from the kernel's CSPRNG (/dev/urandom: getrandom's pool), as hex. Read
 * directly rather than through node:crypto, whose loading costs a capture ~10 ms of start-up CPU.
 */
export function randomHex(bytes: number): string {
  const out = Buffer.alloc(bytes);
  const fd = fs.openSync('/dev/urandom', 'r');
  try {
    for (let got = 0; got < bytes; ) {
      const n = fs.readSync(fd, out, got, bytes - got, null);
      if (n <= 0) throw new Error('/dev/urandom returned no bytes');
      got += n;
    }
  } finally {
    fs.closeSync(fd);
  }
  return out.toString('hex');
}

/** Compares two secrets in time that depends only on their lengths (no early exit on a mismatch). */
export function sameSecret(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/**
 * Checks that `dir` is a private directory of `uid`: an absolute, real (not symbolic-link)
 * directory owned by uid that no one else may enter. Throws a sentence naming what is wrong.
 */
export function checkPrivateDirectory(dir: string, uid: number): void {
  if (!path.isAbsolute(dir) || path.normalize(dir) !== dir) throw new Error(`the socket directory '${dir}' is not a plain absolute path`);
  let st: fs.Stats;
  try {
    st = fs.lstatSync(dir);
  } catch (err) {
    throw new Error(`cannot examine the socket directory '${dir}': ${(err as Error).message}`);
  }
  if (!st.isDirectory()) throw new Error(`the socket directory '${dir}' is not a directory`);
  if (st.uid !== uid) throw new Error(`the socket directory '${dir}' belongs to uid ${st.uid}, not to uid ${uid}`);
  if ((st.mode & 0o077) !== 0) throw new Error(`the socket directory '${dir}' is open to other users (mode ${(st.mode & 0o777).toString(8)}); it must be 700`);
}

/** Reads the one-time token: a regular file owned by uid, private, never followed through a link. */
export function readToken(dir: string, uid: number): string {
  const file = path.join(dir, TOKEN_NAME);
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK);
  } catch (err) {
    throw new Error(`cannot open the token file '${file}': ${(err as Error).message}`);
  }
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile() || st.uid !== uid || (st.mode & 0o077) !== 0 || st.size > 256) {
      throw new Error(`the token file '${file}' is not a private regular file of uid ${uid}`);
    }
    const buf = Buffer.alloc(256);
    const n = fs.readSync(fd, buf, 0, buf.length, 0);
    return buf.toString('utf8', 0, n).trim();
  } finally {
    fs.closeSync(fd);
  }
}
