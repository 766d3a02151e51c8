/**
 * Real polkit for tests of the capture helper's packaging: a system D-Bus and polkitd (started
 * only when missing, and only those stopped again), a scratch install of Sievecap (stageInstall +
 * installHelper) in a world-readable temporary prefix whose polkit action and rule are installed
 * for real where polkitd reads them — under names unique to the run —, and a test user and group.
 * Everything made here is removed by cleanup(), which is idempotent and also runs at exit.
 * Needs root.
 */
import { execFileSync, spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { HELPER_ENTRY, installHelper, stageInstall, type InstalledHelper } from '../../app/helper/install';

const SYSTEM_BUS_SOCKET = '/run/dbus/system_bus_socket';
const SYSTEM_BUS_PID_FILE = '/run/dbus/pid';
const POLKITD_CANDIDATES = ['/usr/lib/polkit-1/polkitd', '/usr/libexec/polkitd', '/usr/lib/policykit-1/polkitd'];
/** Where polkitd reads actions and the administrator's rules. */
export const POLKIT_ACTIONS_DIR = '/usr/share/polkit-1/actions';
export const POLKIT_ADMIN_RULES_DIR = '/etc/polkit-1/rules.d';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(what: string, check: () => boolean, timeoutMs: number, detail: () => string = () => ''): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (check()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${detail()}`);
    await sleep(100);
  }
}

function commandExists(file: string): boolean {
  return spawnSync('sh', ['-c', 'command -v "$1"', 'sh', file], { stdio: 'ignore' }).status === 0;
}

/** What a test needs that may be missing here, or undefined when all is present. */
export function polkitUnavailable(): string | undefined {
  if (process.geteuid?.() !== 0) return 'needs root (users, groups and polkit files)';
  const missing = ['pkexec', 'pkaction', 'pkcheck', 'dbus-daemon', 'dbus-send', 'runuser', 'setsid', 'useradd', 'gpasswd'].filter((c) => !commandExists(c));
  if (!POLKITD_CANDIDATES.some((f) => fs.existsSync(f))) missing.push('polkitd');
  return missing.length ? `missing ${missing.join(', ')} (bash scripts/setup.sh installs polkitd pkexec dbus)` : undefined;
}

function busCall(method: string, ...args: string[]): SpawnSyncReturns<string> {
  return spawnSync(
    'dbus-send',
    ['--system', '--print-reply', '--reply-timeout=2000', '--dest=org.freedesktop.DBus', '/org/freedesktop/DBus', `org.freedesktop.DBus.${method}`, ...args],
    { encoding: 'utf8', timeout: 5000 },
  );
}

function systemBusAnswers(): boolean {
  return fs.existsSync(SYSTEM_BUS_SOCKET) && busCall('GetId').status === 0;
}

function polkitOnBus(): boolean {
  const r = busCall('NameHasOwner', 'string:org.freedesktop.PolicyKit1');
  return r.status === 0 && /boolean true/.test(r.stdout);
}

/** True while the process runs (a zombie, which some containers' init never reaps, does not). */
function alive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) [ZX] /s.test(stat);
  } catch {
    return false;
  }
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** SIGTERM, then waits up to `timeoutMs` for the process to end. */
function terminate(pid: number, timeoutMs = 3000): void {
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return; // gone meanwhile
  }
  for (const deadline = Date.now() + timeoutMs; alive(pid) && Date.now() < deadline; ) sleepSync(20);
}

export interface PolkitServices {
  /** Pid of the system D-Bus daemon this call started, if it started one. */
  readonly dbusPid: number | undefined;
  /** Pid of the polkitd this call started, if it started one. */
  readonly polkitdPid: number | undefined;
  /** polkitd's output when this call started it. */
  polkitdLog(): string;
  /** Ends what this call started (by pid), nothing else. Idempotent. */
  stop(): void;
}

/**
 * Makes sure a system D-Bus and polkitd run: starts `dbus-daemon --system --fork` when the bus
 * does not answer and polkitd (detached, output to a log file) when nobody owns
 * org.freedesktop.PolicyKit1; remembers what it started.
 */
export async function startPolkit(): Promise<PolkitServices> {
  let dbusPid: number | undefined;
  let polkitdPid: number | undefined;
  let logFile: string | undefined;
  const stop = (): void => {
    if (polkitdPid !== undefined && alive(polkitdPid)) terminate(polkitdPid);
    if (dbusPid !== undefined) {
      if (alive(dbusPid)) terminate(dbusPid);
      // dbus-daemon leaves its pid file and socket behind: leave /run/dbus as it was found.
      const pidFile = fs.existsSync(SYSTEM_BUS_PID_FILE) ? fs.readFileSync(SYSTEM_BUS_PID_FILE, 'utf8').trim() : '';
      if (pidFile === String(dbusPid) && !alive(dbusPid)) {
        fs.rmSync(SYSTEM_BUS_PID_FILE, { force: true });
        fs.rmSync(SYSTEM_BUS_SOCKET, { force: true });
      }
    }
    polkitdPid = dbusPid = undefined;
    if (logFile) fs.rmSync(path.dirname(logFile), { recursive: true, force: true });
    logFile = undefined;
    process.removeListener('exit', stop);
  };
  process.once('exit', stop);
  try {
    if (!systemBusAnswers()) {
      fs.mkdirSync(path.dirname(SYSTEM_BUS_SOCKET), { recursive: true });
      // A bus that died leaves its pid file and socket behind, and dbus-daemon refuses to start then.
      const stalePid = fs.existsSync(SYSTEM_BUS_PID_FILE) ? Number(fs.readFileSync(SYSTEM_BUS_PID_FILE, 'utf8').trim()) : NaN;
      if (Number.isInteger(stalePid) && alive(stalePid)) throw new Error(`the system D-Bus (pid ${stalePid}) runs but does not answer on ${SYSTEM_BUS_SOCKET}`);
      fs.rmSync(SYSTEM_BUS_PID_FILE, { force: true });
      fs.rmSync(SYSTEM_BUS_SOCKET, { force: true });
      const out = execFileSync('dbus-daemon', ['--system', '--fork', '--print-pid'], { encoding: 'utf8', timeout: 10000 });
      dbusPid = Number(out.trim().split('\n')[0]);
      await waitFor('the system D-Bus to answer', systemBusAnswers, 5000);
    }
    if (!polkitOnBus()) {
      const polkitd = POLKITD_CANDIDATES.find((f) => fs.existsSync(f));
      if (!polkitd) throw new Error('polkitd is not installed (apt-get install polkitd pkexec)');
      logFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-polkitd-')), 'polkitd.log');
      const log = fs.openSync(logFile, 'a');
      const child = spawn(polkitd, ['--no-debug'], { detached: true, stdio: ['ignore', log, log] });
      fs.closeSync(log);
      child.unref();
      polkitdPid = child.pid;
      const file = logFile;
      await waitFor('polkitd to own org.freedesktop.PolicyKit1', () => {
        if (polkitdPid !== undefined && !alive(polkitdPid)) throw new Error(`polkitd exited at once: ${fs.readFileSync(file, 'utf8')}`);
        return polkitOnBus();
      }, 10000);
    }
  } catch (err) {
    stop();
    throw err;
  }
  return {
    get dbusPid() {
      return dbusPid;
    },
    get polkitdPid() {
      return polkitdPid;
    },
    polkitdLog: () => (logFile && fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8') : ''),
    stop,
  };
}

export interface PolkitTestInstallOptions {
  /**
   * Contents for LIBDIR/dist/app/helper/main.js in the scratch install, written over the staged
   * one (or in its place when the helper is not built yet).
   */
  entryPoint?: string;
  /** The node the launcher runs; default this process's. */
  node?: string;
}

export interface PolkitTestInstall {
  /** The temporary directory holding everything below (mode 0755, owned by root). */
  readonly tmp: string;
  /** The staged app (stageInstall): the helper's LIBDIR. */
  readonly libDir: string;
  /** LIBDIR/dist/app/helper/main.js. */
  readonly entryPoint: string;
  /** True when the staged entry point is the real, built helper (not options.entryPoint). */
  readonly realEntryPoint: boolean;
  readonly launcher: string;
  readonly node: string;
  readonly actionId: string;
  readonly policyFile: string;
  readonly ruleFile: string;
  readonly installed: InstalledHelper;
  /** The test user (not in `group` unless addUserToGroup()) and its uid. */
  readonly user: string;
  readonly uid: number;
  /** The group the rule names. */
  readonly group: string;
  addUserToGroup(): void;
  removeUserFromGroup(): void;
  /** Writes LIBDIR/dist/app/helper/main.js (root-owned 0644); null puts back the one installed. */
  setEntryPoint(contents: string | null): void;
  /**
   * Runs argv as the test user in a new session without a controlling terminal (so pkexec finds
   * no agent and cannot prompt), from '/', with `env` as the whole environment (PATH added).
   */
  runAsUser(argv: string[], options?: { env?: NodeJS.ProcessEnv; timeoutMs?: number }): SpawnSyncReturns<string>;
  /** pkcheck for a process of the test user: 0 authorized, 1 not authorized, 2 needs authentication. */
  pkcheckAsUser(): number;
  /** Removes the files, user and group made here. Idempotent; also runs at exit. */
  cleanup(): void;
}

function run(file: string, args: string[]): void {
  execFileSync(file, args, { stdio: ['ignore', 'ignore', 'pipe'], timeout: 20000 });
}

function exists(kind: 'passwd' | 'group', name: string): boolean {
  return spawnSync('getent', [kind, name], { stdio: 'ignore' }).status === 0;
}

/**
 * Stages Sievecap into a world-readable temporary prefix, installs the launcher there and the
 * polkit action and rule for real (unique action id, unique rule file in /etc/polkit-1/rules.d),
 * creates a test user and a test group named in the rule, and waits until polkitd has loaded both
 * the action (pkaction) and the rule (pkcheck grants the user once in the group). The user is left
 * out of the group. Call startPolkit() first.
 */
export async function createPolkitTestInstall(options: PolkitTestInstallOptions = {}): Promise<PolkitTestInstall> {
  const unavailable = polkitUnavailable();
  if (unavailable) throw new Error(`polkit test install: ${unavailable}`);
  const id = crypto.randomBytes(4).toString('hex');
  const actionId = `org.sievecap.helper.test${id}`;
  const user = `sctest${id}`;
  const group = `sctest${id}g`;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-polkit-'));
  const node = options.node ?? process.execPath;
  const steps: Array<() => void> = [];
  let cleaned = false;
  const cleanup = (): void => {
    if (cleaned) return;
    cleaned = true;
    process.removeListener('exit', cleanup);
    const failures: string[] = [];
    for (const step of steps.reverse()) {
      try {
        step();
      } catch (err) {
        failures.push((err as Error).message);
      }
    }
    if (failures.length) process.stderr.write(`# polkit test install cleanup: ${failures.join('; ')}\n`);
  };
  process.once('exit', cleanup);
  steps.push(() => fs.rmSync(tmp, { recursive: true, force: true }));
  try {
    fs.chmodSync(tmp, 0o755);
    const libDir = path.join(tmp, 'lib', 'sievecap');
    const staged = stageInstall(libDir);
    fs.chmodSync(path.join(tmp, 'lib'), 0o755);
    const realEntryPoint = fs.existsSync(staged.helperEntry) && options.entryPoint === undefined;
    const writeEntry = (contents: string): void => {
      fs.mkdirSync(path.dirname(staged.helperEntry), { recursive: true, mode: 0o755 });
      fs.writeFileSync(staged.helperEntry, contents, { mode: 0o644 });
      fs.chmodSync(staged.helperEntry, 0o644);
    };
    if (options.entryPoint !== undefined) writeEntry(options.entryPoint);
    if (!fs.existsSync(staged.helperEntry)) throw new Error(`${HELPER_ENTRY} is not built and no stand-in entry point was given`);
    const installedEntry = fs.readFileSync(staged.helperEntry, 'utf8');

    const ruleName = `49-sievecap-test-${id}.rules`;
    const common = { root: '/', actionId, group, actionsDir: POLKIT_ACTIONS_DIR, rulesDir: POLKIT_ADMIN_RULES_DIR, ruleName };
    const policyFile = path.join(POLKIT_ACTIONS_DIR, `${actionId}.policy`);
    const ruleFile = path.join(POLKIT_ADMIN_RULES_DIR, ruleName);
    steps.push(() => {
      fs.rmSync(ruleFile, { force: true });
      fs.rmSync(policyFile, { force: true });
    });
    // The group first: the rule names it, and polkit finds no members of a group that does not exist.
    steps.push(() => {
      if (exists('group', group)) run('groupdel', [group]);
    });
    run('groupadd', ['--system', group]);
    steps.push(() => {
      if (exists('passwd', user)) run('userdel', [user]);
      // useradd --user-group made a group of the user's name; userdel removes it, unless shared.
      if (exists('group', user)) run('groupdel', [user]);
    });
    run('useradd', ['--system', '--user-group', '--no-create-home', '--home-dir', path.join(tmp, 'home'), '--shell', '/usr/sbin/nologin', user]);
    const uid = Number(execFileSync('id', ['-u', user], { encoding: 'utf8' }).trim());

    const installed = installHelper({ ...common, libDir, node, launcherPath: path.join(libDir, 'sievecap-helper') });

    const runAsUser: PolkitTestInstall['runAsUser'] = (argv, runOptions = {}) =>
      spawnSync('setsid', ['--wait', 'runuser', '-u', user, '--', ...argv], {
        cwd: '/',
        env: { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin', ...runOptions.env },
        stdio: ['ignore', 'pipe', 'pipe'],
        encoding: 'utf8',
        timeout: runOptions.timeoutMs ?? 30000,
      });
    const pkcheckAsUser = (): number => runAsUser(['sh', '-c', 'exec pkcheck --action-id "$1" --process $$', 'sh', actionId]).status ?? -1;
    const addUserToGroup = (): void => run('gpasswd', ['-a', user, group]);
    const removeUserFromGroup = (): void => run('gpasswd', ['-d', user, group]);

    await waitFor(`polkitd to load ${policyFile}`, () => spawnSync('pkaction', ['--action-id', actionId], { stdio: 'ignore' }).status === 0, 10000);
    addUserToGroup();
    await waitFor(`polkitd to load ${ruleFile} (pkcheck to authorize a member of ${group})`, () => pkcheckAsUser() === 0, 10000, () => {
      const r = runAsUser(['sh', '-c', 'pkcheck --action-id "$1" --process $$', 'sh', actionId]);
      return `; last pkcheck: status ${r.status} ${r.stdout}${r.stderr}`;
    });
    removeUserFromGroup();

    return {
      tmp, libDir, entryPoint: staged.helperEntry, realEntryPoint, launcher: installed.launcherFile, node, actionId,
      policyFile: installed.policyFile, ruleFile: installed.ruleFile, installed, user, uid, group,
      addUserToGroup, removeUserFromGroup,
      setEntryPoint: (contents) => writeEntry(contents ?? installedEntry),
      runAsUser, pkcheckAsUser, cleanup,
    };
  } catch (err) {
    cleanup();
    throw err;
  }
}

/** What pkactionInPrivateNamespace needs that may be missing here, or undefined when all is present. */
export function privatePolkitUnavailable(): string | undefined {
  if (process.geteuid?.() !== 0) return 'needs root (a mount namespace of its own)';
  const missing = ['unshare', 'mount', 'pkaction', 'dbus-daemon'].filter((c) => !commandExists(c));
  if (!POLKITD_CANDIDATES.some((f) => fs.existsSync(f))) missing.push('polkitd');
  if (missing.length) return `missing ${missing.join(', ')} (bash scripts/setup.sh installs polkitd pkexec dbus)`;
  if (spawnSync('unshare', ['--mount', '--propagation', 'private', 'true'], { stdio: 'ignore' }).status !== 0) return 'cannot make a mount namespace here (unshare --mount)';
  return undefined;
}

/**
 * `pkaction --verbose --action-id ACTION_ID` against a polkitd that reads its actions from
 * `actionsDir` (a scratch root's usr/share/polkit-1/actions) and nothing else: in a mount namespace
 * of its own, where that folder is bind-mounted over the system's and /run/dbus is a fresh tmpfs
 * holding a private system bus. The running system's bus, polkitd and actions are not touched; the
 * bus and polkitd started in there are ended (and reaped) before this returns.
 */
export function pkactionInPrivateNamespace(actionsDir: string, actionId: string): SpawnSyncReturns<string> {
  const polkitd = POLKITD_CANDIDATES.find((f) => fs.existsSync(f));
  if (!polkitd) throw new Error('polkitd is not installed (apt-get install polkitd pkexec)');
  const script = `set -eu
mount -t tmpfs -o mode=0755 tmpfs /run/dbus
mount --bind "$1" /usr/share/polkit-1/actions
dbus-daemon --system --nofork >/dev/null 2>&1 & bus=$!
"$2" --no-debug >/dev/null 2>&1 & pk=$!
trap 'kill $pk $bus 2>/dev/null || true; wait $pk $bus 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  pkaction --action-id "$3" >/dev/null 2>&1 && break
  sleep 0.1
done
pkaction --verbose --action-id "$3"
`;
  return spawnSync('unshare', ['--mount', '--propagation', 'private', 'bash', '-c', script, 'bash', actionsDir, polkitd, actionId], { encoding: 'utf8', timeout: 30000 });
}
