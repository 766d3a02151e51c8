/**
 * The capture helper of an AppImage. An AppImage runs from a FUSE mount that only the user who
 * started it can read (not even root: FUSE without allow_other), and nothing is installed, so
 * there is no polkit action for it. Before asking pkexec, the app copies what the helper runs —
 * its files (resources/app.asar.unpacked) and the Electron runtime it runs on as Node — out of the
 * mount into a fresh private directory, and writes there a launcher rendered like an installed one.
 * pkexec then runs that launcher under its generic action (an administrator's password).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { renderLauncher, stageInstall } from './install';

export interface AppImageHelperOptions {
  /** Environment to read APPIMAGE and APPDIR from; default process.env. */
  env?: NodeJS.ProcessEnv;
  /** The Electron binary inside the mount; default process.execPath. */
  executable?: string;
  /** The app's unpacked files inside the mount; default RESOURCES/app.asar.unpacked. */
  appDir?: string;
  /** Run the helper with this node (e.g. /usr/bin/node) instead of a copy of the Electron runtime. */
  node?: string;
  /** Where the private directory is made (mkdtemp); default os.tmpdir(). */
  tmpDir?: string;
}

export interface AppImageHelper {
  /** The private directory (mode 0700) holding everything below; remove() deletes it. */
  dir: string;
  /** The helper's files (dist/app, dist/bpf, the addon, production node_modules). */
  libDir: string;
  /** The binary the launcher runs: a copy of the Electron binary, or options.node. */
  node: string;
  /** The launcher written there (rendered by install.ts for libDir and node). */
  launcher: string;
  /** The command that starts the helper as root: append the helper's arguments (--socket-dir DIR). */
  command: string[];
  remove(): void;
}

/**
 * Files beside the Electron binary that it needs to start as Node: shared libraries it links
 * (libffmpeg.so, ...), ICU data and V8 snapshots. Not the Chromium resources (.pak, locales).
 */
function isElectronRuntimeFile(name: string): boolean {
  return /\.so(\.\d+)*$/.test(name) || /\.(bin|dat)$/.test(name);
}

function resourcesDir(executable: string): string {
  const fromElectron = (process as { resourcesPath?: string }).resourcesPath;
  return fromElectron && fs.existsSync(fromElectron) ? fromElectron : path.join(path.dirname(executable), 'resources');
}

/**
 * When running from an AppImage (APPIMAGE set), copies the helper's run-time files out of the
 * mount into a new private directory (mkdtemp: 0700; inside, directories 0755 and files 0644/0755,
 * none writable by others) and writes a launcher for them. Returns null when not an AppImage.
 */
export function prepareAppImageHelper(options: AppImageHelperOptions = {}): AppImageHelper | null {
  const env = options.env ?? process.env;
  if (!env.APPIMAGE) return null;
  const executable = path.resolve(options.executable ?? process.execPath);
  const appDir = path.resolve(options.appDir ?? path.join(resourcesDir(executable), 'app.asar.unpacked'));
  if (!fs.existsSync(path.join(appDir, 'dist', 'app'))) {
    throw new Error(`${appDir} holds no dist/app: the AppImage must unpack the helper's files from app.asar (asarUnpack)`);
  }
  const dir = fs.mkdtempSync(path.join(options.tmpDir ?? os.tmpdir(), 'sievecap-helper-'));
  const remove = (): void => fs.rmSync(dir, { recursive: true, force: true });
  try {
    fs.chmodSync(dir, 0o700);
    const libDir = path.join(dir, 'app');
    stageInstall(libDir, { source: appDir, cli: false });
    let node: string;
    if (options.node) {
      node = path.resolve(options.node);
    } else {
      const runtime = path.join(dir, 'electron');
      fs.mkdirSync(runtime, { mode: 0o755 });
      fs.chmodSync(runtime, 0o755);
      const from = path.dirname(executable);
      for (const name of fs.readdirSync(from)) {
        const file = path.join(from, name);
        if (file !== executable && !isElectronRuntimeFile(name)) continue;
        const st = fs.statSync(file);
        if (!st.isFile()) continue;
        fs.copyFileSync(file, path.join(runtime, name));
        fs.chmodSync(path.join(runtime, name), st.mode & 0o111 ? 0o755 : 0o644);
      }
      node = path.join(runtime, path.basename(executable));
    }
    const launcher = path.join(dir, 'sievecap-helper');
    fs.writeFileSync(launcher, renderLauncher({ libDir, node, electronRunAsNode: !options.node }), { mode: 0o755, flag: 'wx' });
    fs.chmodSync(launcher, 0o755);
    return { dir, libDir, node, launcher, command: ['pkexec', launcher], remove };
  } catch (err) {
    remove();
    throw err;
  }
}
