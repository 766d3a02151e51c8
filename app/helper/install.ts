/**
 * Installing the privileged capture helper, the way Wireshark installs dumpcap for its group.
 *
 * An unprivileged user gets the helper started as root by pkexec, which runs only a root-owned
 * LAUNCHER of fixed contents: the `org.freedesktop.policykit.exec.path` of a polkit action whose
 * defaults ask for an administrator (auth_admin_keep), and a polkit rule that lets members of one
 * group (`sievecap`) run it without a password. This file renders those three files, writes them
 * (refusing places another user could change), and copies the files the CLI and the helper need
 * at run time into a directory of their own (`stageInstall`, for tests and for installs from a
 * source checkout).
 *
 *   sudo node dist/app/helper/install.js [--root R] [--lib-dir D] [--node N] ...   (--help)
 *
 * Pure Node: the .deb's after-install script runs this file with the app's own Electron binary in
 * ELECTRON_RUN_AS_NODE mode.
 */
import { execFileSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The helper's entry point, relative to the directory holding the app's files. */
export const HELPER_ENTRY = 'dist/app/helper/main.js';
export const DEFAULT_ACTION_ID = 'org.sievecap.helper';
export const DEFAULT_GROUP = 'sievecap';
export const DEFAULT_LAUNCHER_PATH = '/usr/lib/sievecap/sievecap-helper';
/** Where a source checkout's install (`install.js` without --no-copy) puts the helper's files. */
export const DEFAULT_LIB_DIR = '/usr/lib/sievecap';
export const DEFAULT_ACTIONS_DIR = '/usr/share/polkit-1/actions';
export const DEFAULT_RULES_DIR = '/usr/share/polkit-1/rules.d';
export const DEFAULT_RULE_NAME = '50-sievecap.rules';

/** What the run-time copy holds, relative to the app's directory (node_modules is added per dependency). */
const RUNTIME_ENTRIES = ['dist/app', 'dist/bpf', 'bin/sievecap', 'package.json', 'native/build/Release'] as const;

/** The source tree this file was compiled from: dist/app/helper/install.js → the checkout. */
export const SOURCE_ROOT = path.resolve(__dirname, '../../..');

// ---------------------------------------------------------------------------------------------
// Rendering

export interface LauncherOptions {
  /** Directory holding the app's files (LIBDIR/dist/app/helper/main.js is run). Absolute. */
  libDir: string;
  /** Absolute path of node, or of an Electron binary (then set electronRunAsNode). */
  node: string;
  electronRunAsNode?: boolean;
}

/** Quotes a word for /bin/sh when it needs quoting. */
function shellWord(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

function requireAbsolute(value: string, what: string): string {
  if (!path.isAbsolute(value)) throw new TypeError(`${what} must be an absolute path, not '${value}'`);
  if (/[\0\n\r]/.test(value)) throw new TypeError(`${what} must not contain NUL or line breaks: ${JSON.stringify(value)}`);
  return path.normalize(value);
}

function requireActionId(actionId: string): string {
  if (!/^[a-z0-9][a-z0-9.-]*[a-z0-9]$/i.test(actionId)) throw new TypeError(`'${actionId}' is not a polkit action id (letters, digits, '.' and '-')`);
  return actionId;
}

function requireGroup(group: string): string {
  if (!/^[a-z_][a-z0-9_-]{0,31}$/.test(group)) throw new TypeError(`'${group}' is not a group name (lower case letters, digits, '_' and '-')`);
  return group;
}

/**
 * The launcher pkexec (or sudo) runs as root. Its contents are fixed at install time: it runs one
 * program with one file and passes on only its arguments. `env -i` keeps everything of the caller's
 * environment (NODE_OPTIONS, NODE_PATH, LD_PRELOAD, ...) away from the root process except the
 * user id pkexec or sudo set, which the helper serves.
 */
export function renderLauncher(options: LauncherOptions): string {
  const node = requireAbsolute(options.node, 'node');
  const entry = path.join(requireAbsolute(options.libDir, 'libDir'), HELPER_ENTRY);
  const words = [
    '/usr/bin/env', '-i', 'PKEXEC_UID="${PKEXEC_UID-}"', 'SUDO_UID="${SUDO_UID-}"',
    ...(options.electronRunAsNode ? ['ELECTRON_RUN_AS_NODE=1'] : []),
    shellWord(node), '--single-threaded', '--no-memory-reducer', shellWord(entry), '"$@"',
  ];
  return [
    '#!/bin/sh',
    "# Sievecap's capture helper, started as root by pkexec (or sudo). Written by Sievecap's installer;",
    '# do not edit: polkit lets members of a group run this file without a password. env -i keeps the',
    "# caller's environment (NODE_OPTIONS, LD_PRELOAD, ...) from the root process, but the user ids.",
    `exec ${words.join(' ')}`,
    '',
  ].join('\n');
}

function xmlText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export interface PolicyOptions {
  actionId?: string;
  /** The launcher as installed (the action's org.freedesktop.policykit.exec.path). */
  launcherPath?: string;
}

/** The polkit action: without a rule, an administrator's password, kept for a while (auth_admin_keep). */
export function renderPolicy(options: PolicyOptions = {}): string {
  const actionId = requireActionId(options.actionId ?? DEFAULT_ACTION_ID);
  const launcher = requireAbsolute(options.launcherPath ?? DEFAULT_LAUNCHER_PATH, 'launcherPath');
  return `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE policyconfig PUBLIC "-//freedesktop//DTD PolicyKit Policy Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/PolicyKit/1/policyconfig.dtd">
<!-- Written by Sievecap's installer. -->
<policyconfig>
  <vendor>Sievecap</vendor>
  <action id="${xmlText(actionId)}">
    <description>Capture network packets with Sievecap</description>
    <message>Authentication is required to capture network packets</message>
    <icon_name>network-wired</icon_name>
    <defaults>
      <allow_any>auth_admin_keep</allow_any>
      <allow_inactive>auth_admin_keep</allow_inactive>
      <allow_active>auth_admin_keep</allow_active>
    </defaults>
    <annotate key="org.freedesktop.policykit.exec.path">${xmlText(launcher)}</annotate>
  </action>
</policyconfig>
`;
}

export interface RuleOptions {
  actionId?: string;
  group?: string;
}

/** The polkit rule: members of the group may run the action without a password; nobody else gains anything. */
export function renderRule(options: RuleOptions = {}): string {
  const actionId = requireActionId(options.actionId ?? DEFAULT_ACTION_ID);
  const group = requireGroup(options.group ?? DEFAULT_GROUP);
  return `// Written by Sievecap's installer. Members of the group ${JSON.stringify(group)} may start Sievecap's
// capture helper without a password, as members of "wireshark" may run dumpcap.
polkit.addRule(function (action, subject) {
    if (action.id === ${JSON.stringify(actionId)} && subject.isInGroup(${JSON.stringify(group)})) {
        return polkit.Result.YES;
    }
});
`;
}

// ---------------------------------------------------------------------------------------------
// Checks: nothing root runs may be changed by another user

export class UnsafePathError extends Error {
  readonly code = 'EUNSAFE';
  constructor(message: string) {
    super(message);
    this.name = 'UnsafePathError';
  }
}

function writableByOthers(st: fs.Stats): boolean {
  return (st.mode & 0o002) !== 0 || ((st.mode & 0o020) !== 0 && st.gid !== 0);
}

/**
 * Throws an UnsafePathError when `target`, or any directory on the way to it (symbolic links
 * followed and checked too), is owned by someone other than root or writable by a non-root user.
 * A world-writable sticky directory (/tmp) is accepted on the way, not as the target itself: there
 * only an entry's owner, root here, can replace the entry.
 */
export function assertRootOnlyPath(target: string, what: string, depth = 0): void {
  if (depth > 40) throw new UnsafePathError(`${what}: too many symbolic links on the way to ${target}`);
  const parts = path.resolve(target).split('/').filter(Boolean);
  let current = '/';
  checkEntry('/', fs.lstatSync('/'), parts.length === 0, what, target);
  for (let i = 0; i < parts.length; i++) {
    const next = path.join(current, parts[i]!);
    const last = i === parts.length - 1;
    let st: fs.Stats;
    try {
      st = fs.lstatSync(next);
    } catch (err) {
      throw new UnsafePathError(`${what}: ${next} does not exist (${(err as NodeJS.ErrnoException).code})`);
    }
    if (st.isSymbolicLink()) {
      if (st.uid !== 0) throw new UnsafePathError(`${what}: the symbolic link ${next} belongs to uid ${st.uid}, not root`);
      const linked = path.resolve(current, fs.readlinkSync(next));
      // The link's target is checked as a whole: its own directories and links.
      assertRootOnlyPath(linked, what, depth + 1);
      if (!last) {
        // Carry on from where the link leads; its prefix is already checked.
        const rest = parts.slice(i + 1).join('/');
        assertRootOnlyPath(path.join(fs.realpathSync(linked), rest), what, depth + 1);
      }
      return;
    }
    checkEntry(next, st, last, what, target);
    current = next;
  }
}

function checkEntry(file: string, st: fs.Stats, last: boolean, what: string, target: string): void {
  if (st.uid !== 0) {
    throw new UnsafePathError(`${what}: ${file} belongs to uid ${st.uid}, not root; root must not run or write files another user can change (${target})`);
  }
  if (writableByOthers(st) && !(!last && st.isDirectory() && (st.mode & 0o1000) !== 0)) {
    throw new UnsafePathError(
      `${what}: ${file} is writable by users other than root (mode ${(st.mode & 0o7777).toString(8)}); ` +
        `root must not run or write files another user can change (${target})`,
    );
  }
}

/** assertRootOnlyPath for a directory and, recursively, every entry under it. */
export function assertRootOnlyTree(dir: string, what: string): void {
  assertRootOnlyPath(dir, what);
  const walk = (current: string): void => {
    for (const entry of fs.readdirSync(current, { withFileTypes: true })) {
      const file = path.join(current, entry.name);
      if (entry.isSymbolicLink()) {
        assertRootOnlyPath(file, what);
        continue;
      }
      // Inside the tree not even a sticky directory may be writable by others: they could add modules.
      checkEntry(file, fs.lstatSync(file), true, what, dir);
      if (entry.isDirectory()) walk(file);
    }
  };
  if (fs.statSync(dir).isDirectory()) walk(dir);
}

// ---------------------------------------------------------------------------------------------
// Writing

/** Writes a root-owned file atomically (a temporary file in the same directory renamed over it). */
function writeRootFile(file: string, contents: string, mode: number): void {
  const temporary = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${crypto.randomBytes(4).toString('hex')}`);
  const fd = fs.openSync(temporary, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW, 0o600);
  try {
    fs.writeSync(fd, contents);
    fs.fchownSync(fd, 0, 0);
    fs.fchmodSync(fd, mode);
    fs.fsyncSync(fd);
  } catch (err) {
    fs.closeSync(fd);
    fs.rmSync(temporary, { force: true });
    throw err;
  }
  fs.closeSync(fd);
  try {
    fs.renameSync(temporary, file);
  } catch (err) {
    fs.rmSync(temporary, { force: true });
    throw err;
  }
}

/** Creates a directory (and missing parents) owned by root, mode 0755. */
function makeRootDir(dir: string): void {
  const missing: string[] = [];
  for (let d = path.resolve(dir); !fs.existsSync(d); d = path.dirname(d)) missing.unshift(d);
  for (const d of missing) {
    fs.mkdirSync(d, { mode: 0o755 });
    fs.chownSync(d, 0, 0);
    fs.chmodSync(d, 0o755);
  }
}

export interface InstallHelperOptions {
  /** '/' for a real install, or a scratch root under which every file is written (package trees). */
  root: string;
  /** Where the app's files live at run time (LIBDIR/dist/app/helper/main.js), e.g. /usr/lib/sievecap. */
  libDir: string;
  /** Absolute path of node, or of the Electron binary (with electronRunAsNode). */
  node: string;
  /** Run `node` with ELECTRON_RUN_AS_NODE=1 (it is the app's Electron binary). */
  electronRunAsNode?: boolean;
  /** Polkit action id; default org.sievecap.helper. */
  actionId?: string;
  /** Group whose members may run the helper without a password; default sievecap. */
  group?: string;
  /** Launcher path as installed; default /usr/lib/sievecap/sievecap-helper. */
  launcherPath?: string;
  /** Directory of the policy (ACTION_ID.policy) as installed; default /usr/share/polkit-1/actions. */
  actionsDir?: string;
  /** Directory of the rule as installed; default /usr/share/polkit-1/rules.d (/etc/polkit-1/rules.d is the admin's). */
  rulesDir?: string;
  /** File name of the rule; default 50-sievecap.rules. */
  ruleName?: string;
}

export interface InstalledHelper {
  /** The files written, as paths on this machine (under `root`). */
  launcherFile: string;
  policyFile: string;
  ruleFile: string;
  /** The launcher as installed (the action's exec.path). */
  launcherPath: string;
  actionId: string;
  group: string;
}

function installedFiles(options: Omit<InstallHelperOptions, 'libDir' | 'node'>): InstalledHelper {
  const root = requireAbsolute(options.root, 'root');
  const actionId = requireActionId(options.actionId ?? DEFAULT_ACTION_ID);
  const launcherPath = requireAbsolute(options.launcherPath ?? DEFAULT_LAUNCHER_PATH, 'launcherPath');
  const ruleName = options.ruleName ?? DEFAULT_RULE_NAME;
  if (!/^[A-Za-z0-9_.-]+\.rules$/.test(ruleName)) throw new TypeError(`rule file name '${ruleName}' must be a plain name ending in .rules`);
  const under = (p: string): string => path.join(root, p);
  return {
    launcherFile: under(launcherPath),
    policyFile: under(path.join(requireAbsolute(options.actionsDir ?? DEFAULT_ACTIONS_DIR, 'actionsDir'), `${actionId}.policy`)),
    ruleFile: under(path.join(requireAbsolute(options.rulesDir ?? DEFAULT_RULES_DIR, 'rulesDir'), ruleName)),
    launcherPath,
    actionId,
    group: requireGroup(options.group ?? DEFAULT_GROUP),
  };
}

/**
 * Writes the launcher (root:root 0755), the polkit action and the polkit rule (root:root 0644)
 * under `root`. Needs root. Refuses (UnsafePathError) a launcher directory, a libDir or a node that
 * a non-root user could change, since root would run whatever they put there. With root '/',
 * libDir must already hold the helper (LIBDIR/dist/app/helper/main.js); under a scratch root,
 * libDir and node are checked only when they already exist there.
 */
export function installHelper(options: InstallHelperOptions): InstalledHelper {
  if (process.geteuid?.() !== 0) throw new Error('installing the capture helper needs root: the launcher must belong to root (run it with sudo)');
  const files = installedFiles(options);
  const libDir = requireAbsolute(options.libDir, 'libDir');
  const node = requireAbsolute(options.node, 'node');
  const launcher = renderLauncher({ libDir, node, electronRunAsNode: options.electronRunAsNode });
  const realRoot = path.resolve(options.root) === '/';
  const onDisk = (p: string): string => path.join(options.root, p);

  if (realRoot || fs.existsSync(onDisk(libDir))) {
    const entry = path.join(onDisk(libDir), HELPER_ENTRY);
    if (realRoot && !fs.existsSync(entry)) throw new Error(`${entry} is missing: build Sievecap first (npm run build:ts) or pass the directory holding it as libDir`);
    assertRootOnlyPath(onDisk(libDir), 'libDir');
    for (const sub of [...RUNTIME_ENTRIES, 'node_modules']) {
      const p = path.join(onDisk(libDir), sub);
      if (fs.existsSync(p)) assertRootOnlyTree(p, 'libDir');
    }
  }
  if (realRoot || fs.existsSync(onDisk(node))) {
    if (!fs.existsSync(onDisk(node))) throw new Error(`node binary ${node} does not exist`);
    assertRootOnlyPath(onDisk(node), 'node');
  }

  const launcherDir = path.dirname(files.launcherFile);
  makeRootDir(launcherDir);
  assertRootOnlyPath(launcherDir, 'launcher directory');
  writeRootFile(files.launcherFile, launcher, 0o755);
  makeRootDir(path.dirname(files.policyFile));
  writeRootFile(files.policyFile, renderPolicy({ actionId: files.actionId, launcherPath: files.launcherPath }), 0o644);
  makeRootDir(path.dirname(files.ruleFile));
  writeRootFile(files.ruleFile, renderRule({ actionId: files.actionId, group: files.group }), 0o644);
  return files;
}

/** Removes what installHelper wrote (missing files are fine), and the launcher's directory when left empty. */
export function uninstallHelper(options: Omit<InstallHelperOptions, 'libDir' | 'node'>): string[] {
  const files = installedFiles(options);
  const removed: string[] = [];
  for (const file of [files.launcherFile, files.policyFile, files.ruleFile]) {
    if (fs.existsSync(file)) {
      fs.rmSync(file, { force: true });
      removed.push(file);
    }
  }
  try {
    fs.rmdirSync(path.dirname(files.launcherFile));
  } catch {
    // not empty (the helper's files live there too) or already gone
  }
  return removed;
}

// ---------------------------------------------------------------------------------------------
// Run-time copy

interface PackageJson {
  name?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

function readPackageJson(dir: string): PackageJson {
  return JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as PackageJson;
}

/**
 * The package directories (relative to `source`, e.g. 'node_modules/valibot') that the production
 * dependencies of source/package.json need at run time, found as Node finds them (nearest
 * node_modules upwards, not above `source`), transitive dependencies included. A dependency nested
 * inside another package's node_modules comes along with that package.
 */
export function productionDependencyDirs(source: string): string[] {
  const root = path.resolve(source);
  const found = new Set<string>();
  const visited = new Set<string>();
  const visit = (packageDir: string): void => {
    if (visited.has(packageDir)) return;
    visited.add(packageDir);
    const pkg = readPackageJson(packageDir);
    const wanted = [
      ...Object.keys(pkg.dependencies ?? {}).map((name) => ({ name, optional: false })),
      ...Object.keys(pkg.optionalDependencies ?? {}).map((name) => ({ name, optional: true })),
    ];
    for (const { name, optional } of wanted) {
      let dir: string | undefined;
      for (let from = packageDir; ; from = path.dirname(from)) {
        const candidate = path.join(from, 'node_modules', name);
        if (fs.existsSync(path.join(candidate, 'package.json'))) {
          dir = candidate;
          break;
        }
        if (from === root || !from.startsWith(root + path.sep)) break;
      }
      if (!dir) {
        if (optional) continue;
        throw new Error(`${name} (a dependency of ${pkg.name ?? packageDir}) is not installed under ${root}: run npm install`);
      }
      found.add(path.relative(root, dir));
      visit(dir);
    }
  };
  visit(root);
  // Keep the outermost package directories: nested ones are copied with their parents.
  const dirs = [...found].sort();
  return dirs.filter((d) => !dirs.some((other) => other !== d && d.startsWith(other + path.sep)));
}

/** Copies a file or a tree: directories 0755, files 0644 (0755 when the source is executable); links followed. */
function copyWorldReadable(from: string, to: string, skip: (name: string) => boolean): void {
  let st: fs.Stats;
  try {
    st = fs.statSync(from);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return; // a dangling link: nothing to copy
    throw err;
  }
  if (st.isDirectory()) {
    fs.mkdirSync(to, { recursive: true, mode: 0o755 });
    fs.chmodSync(to, 0o755);
    for (const name of fs.readdirSync(from)) {
      if (!skip(name)) copyWorldReadable(path.join(from, name), path.join(to, name), skip);
    }
  } else if (st.isFile()) {
    fs.mkdirSync(path.dirname(to), { recursive: true, mode: 0o755 });
    fs.copyFileSync(from, to);
    fs.chmodSync(to, st.mode & 0o111 ? 0o755 : 0o644);
  }
}

export interface StageOptions {
  /** Where the app's files come from; default the checkout (or unpacked app) this file was compiled in. */
  source?: string;
  /** Also copy bin/sievecap (the CLI); default true. */
  cli?: boolean;
}

export interface StagedInstall {
  prefix: string;
  /** prefix/bin/sievecap, or undefined when the source has none. */
  cli: string | undefined;
  /** prefix/dist/app/helper/main.js (present only once the helper is built). */
  helperEntry: string;
  /** What was copied, relative to prefix. */
  entries: string[];
}

/**
 * Copies what the CLI and the helper need at run time (dist/app, dist/bpf, bin/sievecap,
 * package.json, native/build/Release/*.node and the production node_modules) into `prefix`, with
 * the same relative layout (bin/sievecap finds ../dist/app/cli/main.js, dist/app/capture/native.js
 * finds ../../../native/build/Release), directories 0755 and files world-readable, so that another
 * user can run it even when the source lies under a directory they cannot enter. Copies made as
 * root belong to root. Earlier copies of the same entries in `prefix` are replaced; nothing else
 * there is touched. Compiled tests (*.test.js) are left out.
 */
export function stageInstall(prefix: string, options: StageOptions = {}): StagedInstall {
  const source = path.resolve(options.source ?? SOURCE_ROOT);
  const target = requireAbsolute(prefix, 'prefix');
  if (target === '/' || target === source) throw new Error(`cannot stage Sievecap into ${target}: choose a directory of its own`);
  if (!fs.existsSync(path.join(source, 'dist', 'app'))) throw new Error(`${source}/dist/app is missing: build Sievecap first (npm run build:ts)`);
  fs.mkdirSync(target, { recursive: true, mode: 0o755 });
  fs.chmodSync(target, 0o755);

  const entries: string[] = [];
  const skipTests = (name: string): boolean => /\.test\.js(\.map)?$/.test(name);
  for (const entry of RUNTIME_ENTRIES) {
    if (entry === 'bin/sievecap' && options.cli === false) continue;
    const from = path.join(source, entry);
    if (!fs.existsSync(from)) continue;
    const to = path.join(target, entry);
    fs.rmSync(to, { recursive: true, force: true });
    if (entry === 'native/build/Release') {
      // The addon only, not node-gyp's object files.
      fs.mkdirSync(to, { recursive: true, mode: 0o755 });
      for (const name of fs.readdirSync(from).filter((n) => n.endsWith('.node'))) {
        copyWorldReadable(path.join(from, name), path.join(to, name), () => false);
        entries.push(path.join(entry, name));
      }
      continue;
    }
    copyWorldReadable(from, to, skipTests);
    entries.push(entry);
  }
  const hasPackageJson = fs.existsSync(path.join(source, 'package.json'));
  const dependencyDirs = hasPackageJson ? productionDependencyDirs(source) : fs.existsSync(path.join(source, 'node_modules')) ? ['node_modules'] : [];
  fs.rmSync(path.join(target, 'node_modules'), { recursive: true, force: true });
  for (const dir of dependencyDirs) {
    copyWorldReadable(path.join(source, dir), path.join(target, dir), (name) => name === '.bin');
    entries.push(dir);
  }
  // Every directory between prefix and the files must be enterable (mkdir's mode passes the umask).
  const fixDirs = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      fs.chmodSync(path.join(dir, entry.name), 0o755);
      fixDirs(path.join(dir, entry.name));
    }
  };
  fixDirs(target);
  const cli = path.join(target, 'bin', 'sievecap');
  return { prefix: target, cli: fs.existsSync(cli) ? cli : undefined, helperEntry: path.join(target, HELPER_ENTRY), entries };
}

/** Removes the entries stageInstall writes from `prefix` (and the prefix itself when left empty). */
export function removeStagedInstall(prefix: string): void {
  const target = requireAbsolute(prefix, 'prefix');
  if (target === '/') throw new Error('refusing to remove run-time files from /');
  for (const entry of [...RUNTIME_ENTRIES, 'node_modules']) fs.rmSync(path.join(target, entry), { recursive: true, force: true });
  for (const dir of ['native/build', 'native', 'dist', 'bin', '.']) {
    try {
      fs.rmdirSync(path.join(target, dir));
    } catch {
      // not empty or gone
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Command line

const HELP = `Usage: sudo node dist/app/helper/install.js [options]

Installs Sievecap's privileged capture helper from this build, as Wireshark installs dumpcap:
copies the files the helper runs into --lib-dir (owned by root), writes the launcher pkexec runs
as root, the polkit action (an administrator's password by default) and the polkit rule that lets
members of the group start the helper without a password, and creates the group. Afterwards add
yourself to the group (sudo usermod -aG sievecap "$USER") and log in again.

Options:
  --root R          write every file under R instead of / (to build a package tree)   [/]
  --lib-dir D       directory the helper runs from                    [${DEFAULT_LIB_DIR}]
  --no-copy         use --lib-dir as it is instead of copying this build into it (it must
                    already hold dist/app/helper/main.js and be writable by root alone)
  --node N          the node binary that runs the helper            [this node: ${process.execPath}]
  --electron        N is Sievecap's Electron binary: run it with ELECTRON_RUN_AS_NODE=1
  --launcher P      path of the launcher                  [${DEFAULT_LAUNCHER_PATH}]
  --action-id ID    polkit action id                      [${DEFAULT_ACTION_ID}]
  --group G         group allowed without a password      [${DEFAULT_GROUP}]
  --actions-dir D   where the polkit action goes          [${DEFAULT_ACTIONS_DIR}]
  --rules-dir D     where the polkit rule goes            [${DEFAULT_RULES_DIR}]
  --no-group        do not create the group (groupadd --system) when it is missing
  --uninstall       remove the launcher, the action, the rule and (without --no-copy) the
                    copied files; the group stays
  -h, --help        show this text

Root refuses to run files another user can change: the launcher's directory, --lib-dir, and
--node must belong to root and be writable by root alone (a node under your home will not do;
pass --node /usr/bin/node).
`;

interface CommandOptions {
  root: string;
  libDir: string;
  copy: boolean;
  node: string;
  electron: boolean;
  launcherPath: string;
  actionId: string;
  group: string;
  actionsDir: string;
  rulesDir: string;
  createGroup: boolean;
  uninstall: boolean;
  help: boolean;
}

export function parseInstallArgs(argv: readonly string[]): CommandOptions {
  const o: CommandOptions = {
    root: '/', libDir: DEFAULT_LIB_DIR, copy: true, node: process.execPath, electron: false,
    launcherPath: DEFAULT_LAUNCHER_PATH, actionId: DEFAULT_ACTION_ID, group: DEFAULT_GROUP,
    actionsDir: DEFAULT_ACTIONS_DIR, rulesDir: DEFAULT_RULES_DIR, createGroup: true, uninstall: false, help: false,
  };
  const valued: Record<string, keyof CommandOptions> = {
    '--root': 'root', '--lib-dir': 'libDir', '--node': 'node', '--launcher': 'launcherPath', '--action-id': 'actionId',
    '--group': 'group', '--actions-dir': 'actionsDir', '--rules-dir': 'rulesDir',
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const eq = arg.indexOf('=');
    const name = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    const key = valued[name];
    if (key) {
      const value = eq > 0 && name !== arg ? arg.slice(eq + 1) : argv[++i];
      if (value === undefined || value === '') throw new Error(`${name} needs a value (see --help)`);
      (o as unknown as Record<string, string>)[key] = value;
      continue;
    }
    switch (arg) {
      case '--no-copy': o.copy = false; break;
      case '--electron': o.electron = true; break;
      case '--no-group': o.createGroup = false; break;
      case '--uninstall': o.uninstall = true; break;
      case '-h': case '--help': o.help = true; break;
      default: throw new Error(`unknown option '${arg}' (see --help)`);
    }
  }
  return o;
}

function groupExists(group: string): boolean {
  try {
    execFileSync('getent', ['group', group], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export function installMain(argv: readonly string[]): number {
  let o: CommandOptions;
  try {
    o = parseInstallArgs(argv);
  } catch (err) {
    process.stderr.write(`install: ${(err as Error).message}\n`);
    return 2;
  }
  if (o.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const common = { root: o.root, actionId: o.actionId, group: o.group, launcherPath: o.launcherPath, actionsDir: o.actionsDir, rulesDir: o.rulesDir };
  try {
    const libOnDisk = path.join(o.root, o.libDir);
    if (o.uninstall) {
      for (const file of uninstallHelper(common)) process.stdout.write(`removed ${file}\n`);
      if (o.copy) {
        removeStagedInstall(libOnDisk);
        process.stdout.write(`removed Sievecap's files from ${libOnDisk}\n`);
      }
      return 0;
    }
    if (o.copy) {
      if (process.geteuid?.() !== 0) throw new Error('installing the capture helper needs root: the launcher must belong to root (run it with sudo)');
      const staged = stageInstall(libOnDisk);
      process.stdout.write(`copied ${staged.entries.length} run-time entries into ${libOnDisk}\n`);
    }
    const installed = installHelper({ ...common, libDir: o.libDir, node: o.node, electronRunAsNode: o.electron });
    process.stdout.write(`wrote ${installed.launcherFile}\nwrote ${installed.policyFile}\nwrote ${installed.ruleFile}\n`);
    if (o.createGroup && path.resolve(o.root) === '/' && !groupExists(o.group)) {
      execFileSync('groupadd', ['--system', o.group], { stdio: 'inherit' });
      process.stdout.write(`created the system group ${o.group}\n`);
    }
    if (path.resolve(o.root) === '/') {
      process.stdout.write(`members of the group ${o.group} may now capture without a password: sudo usermod -aG ${o.group} USER (then log in again)\n`);
    }
    return 0;
  } catch (err) {
    process.stderr.write(`install: ${(err as Error).message}\n`);
    return 1;
  }
}

if (require.main === module) process.exitCode = installMain(process.argv.slice(2));
