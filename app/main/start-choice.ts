/**
 * What `npm start` (scripts/start.sh) launches: the Electron app when it can run here, else
 * `sievecap serve`, which opens the same UI in a browser — and why, in a sentence. The choice is a
 * pure function (chooseStart); finding the Electron binary mirrors node_modules/electron/index.js
 * without its download (requiring the 'electron' package fetches the binary when it is missing).
 *
 *   node dist/app/main/start-choice.js      prints `electron<TAB>BINARY` or `serve<TAB>REASON`
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** `args` go after the app's folder: `BINARY APP_DIR ...args FILE...`. */
export type StartChoice = { kind: 'electron'; binary: string; args: string[] } | { kind: 'serve'; reason: string };

export interface StartFacts {
  env: Readonly<Record<string, string | undefined>>;
  uid: number;
  /** The Electron binary, if present (electronBinary()). */
  binary: string | null;
  /** Whether it starts (`ELECTRON_RUN_AS_NODE=1 BINARY --version`); null when not tried. */
  binaryRuns: { ok: true } | { ok: false; detail: string } | null;
}

/**
 * Where the 'electron' package would run its binary from, or null when it is not there (the
 * package downloads it on first use, which cannot happen here): ELECTRON_OVERRIDE_DIST_PATH, else
 * node_modules/electron/dist/ + the name in path.txt (written by the download).
 */
export function electronBinary(electronDir: string | null, env: Readonly<Record<string, string | undefined>>, exists: (file: string) => boolean = isExecutable): string | null {
  let name: string | null = null;
  if (electronDir) {
    try {
      name = fs.readFileSync(path.join(electronDir, 'path.txt'), 'utf8').trim() || null;
    } catch {
      name = null;
    }
  }
  const candidate = env.ELECTRON_OVERRIDE_DIST_PATH
    ? path.join(env.ELECTRON_OVERRIDE_DIST_PATH, name ?? 'electron')
    : electronDir && name
      ? path.join(electronDir, 'dist', name)
      : null;
  return candidate && exists(candidate) ? candidate : null;
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

export function chooseStart(facts: StartFacts): StartChoice {
  const { env } = facts;
  if (env.SIEVECAP_START === 'serve') return { kind: 'serve', reason: 'SIEVECAP_START=serve asks for serve mode' };
  if (!facts.binary) {
    return {
      kind: 'serve',
      reason:
        "the Electron binary is not installed (node_modules/electron/dist is missing: the 'electron' package downloads it on first use, " +
        'and this machine cannot reach its download server; set ELECTRON_OVERRIDE_DIST_PATH to a folder holding an electron binary to use that one)',
    };
  }
  if (!env.DISPLAY && !env.WAYLAND_DISPLAY) return { kind: 'serve', reason: 'there is no display (neither DISPLAY nor WAYLAND_DISPLAY is set)' };
  if (facts.binaryRuns && !facts.binaryRuns.ok) return { kind: 'serve', reason: `the Electron binary ${facts.binary} does not start: ${facts.binaryRuns.detail}` };
  const args: string[] = [];
  if (facts.uid === 0) {
    // Chromium will not run its sandbox as root; without it a compromised renderer would be root.
    if (env.SIEVECAP_ELECTRON_NO_SANDBOX !== '1') {
      return {
        kind: 'serve',
        reason:
          "Electron refuses to run as root with Chromium's sandbox: start it as your own user (live capture then goes through " +
          'the capture helper), or set SIEVECAP_ELECTRON_NO_SANDBOX=1 to run it as root without the sandbox',
      };
    }
    args.push('--no-sandbox');
  }
  return { kind: 'electron', binary: facts.binary, args };
}

/** Runs the binary as Node to see that it starts at all (its shared libraries load); ends in 15 s at most. */
export function probeBinary(binary: string): NonNullable<StartFacts['binaryRuns']> {
  const r = spawnSync(binary, ['--version'], { env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' }, encoding: 'utf8', timeout: 15000 });
  if (r.error) return { ok: false, detail: r.error.message };
  if (r.status !== 0) return { ok: false, detail: (r.stderr || r.stdout || `exit ${r.status ?? r.signal}`).trim().split('\n').slice(-3).join(' ') };
  return { ok: true };
}

function packageDir(name: string, from: string): string | null {
  try {
    return path.dirname(require.resolve(`${name}/package.json`, { paths: [from] }));
  } catch {
    return null;
  }
}

export function main(): number {
  const root = path.resolve(__dirname, '../../..');
  const binary = electronBinary(packageDir('electron', root), process.env);
  const preliminary = chooseStart({ env: process.env, uid: process.getuid?.() ?? 1000, binary, binaryRuns: null });
  const choice = preliminary.kind === 'electron' ? chooseStart({ env: process.env, uid: process.getuid?.() ?? 1000, binary, binaryRuns: probeBinary(preliminary.binary) }) : preliminary;
  process.stdout.write(choice.kind === 'electron' ? `electron\t${choice.binary}\t${choice.args.join(' ')}\n` : `serve\t${choice.reason}\n`);
  return 0;
}

if (require.main === module) process.exitCode = main();
