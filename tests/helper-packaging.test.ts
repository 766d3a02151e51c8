/**
 * The capture helper's packaging against real polkit: the action as pkaction shows it, the
 * launcher's owner, mode and exact contents, installHelper's refusals, the rule as polkitd applies
 * it (pkcheck), and pkexec run by a test user in and out of the group — with the built helper's
 * --version when there is one, and a probe entry point for what the helper sees (its euid, its
 * environment). Also that the .deb scripts and electron-builder.yml stay in step with install.ts.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  DEFAULT_ACTION_ID, DEFAULT_ACTIONS_DIR, DEFAULT_LAUNCHER_PATH, DEFAULT_RULE_NAME, DEFAULT_RULES_DIR, HELPER_ENTRY,
  installHelper, parseInstallArgs, renderLauncher, UnsafePathError,
} from '../app/helper/install';
import { createPolkitTestInstall, polkitUnavailable, startPolkit, type PolkitServices, type PolkitTestInstall } from './support/polkit';

const ROOT = path.resolve(__dirname, '../..');
const unavailable = polkitUnavailable();

/** Stands in for the helper until app/helper/main.ts is built: prints what `--version` prints. */
const STAND_IN_ENTRY = `'use strict';
if (process.argv[2] !== '--version') { process.stderr.write('stand-in helper: only --version\\n'); process.exit(2); }
process.stdout.write('sievecap-helper stand-in (uid ' + process.getuid() + ', euid ' + process.geteuid() + ')\\n');
`;

/** Reports what the helper would see: its ids, its whole environment, whether NODE_OPTIONS ran a file. */
const PROBE_ENTRY = `'use strict';
process.stdout.write('sievecap-helper probe ' + JSON.stringify({
  uid: process.getuid(), euid: process.geteuid(), args: process.argv.slice(2),
  env: process.env, injected: globalThis.sievecapInjected === true,
}) + '\\n');
`;

interface Probe {
  uid: number;
  euid: number;
  args: string[];
  env: Record<string, string>;
  injected: boolean;
}

function probeOutput(stdout: string): Probe {
  const m = /^sievecap-helper probe (.*)$/m.exec(stdout);
  assert.ok(m, `the probe printed its line: ${stdout}`);
  return JSON.parse(m[1]!) as Probe;
}

describe('helper packaging with real polkit', { skip: unavailable }, () => {
  let services: PolkitServices | undefined;
  let install: PolkitTestInstall;
  let scratch: string;
  let injectFile: string;

  before(async () => {
    services = await startPolkit();
    const built = fs.existsSync(path.join(ROOT, HELPER_ENTRY));
    install = await createPolkitTestInstall(built ? {} : { entryPoint: STAND_IN_ENTRY });
    console.log(`# helper entry point: ${install.realEntryPoint ? 'the built helper' : 'a stand-in (dist/app/helper/main.js not built)'}`);
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-packaging-'));
    process.once('exit', removeScratch);
    fs.chmodSync(scratch, 0o755);
    // What a caller's NODE_OPTIONS=--require=... would load: world-readable, so only env -i keeps it out.
    injectFile = path.join(scratch, 'inject.js');
    fs.writeFileSync(injectFile, "globalThis.sievecapInjected = true; process.stdout.write('INJECTED\\n');\n", { mode: 0o644 });
  });

  const removeScratch = (): void => {
    if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
  };

  after(() => {
    install?.cleanup();
    services?.stop();
    removeScratch();
  });

  test('pkaction shows the action: exec.path is the launcher, auth_admin_keep for any, inactive and active', () => {
    const r = spawnSync('pkaction', ['--verbose', '--action-id', install.actionId], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const field = (name: string): string | undefined => new RegExp(`^\\s*${name}:\\s*(.*?)\\s*$`, 'm').exec(r.stdout)?.[1];
    assert.equal(field('implicit any'), 'auth_admin_keep');
    assert.equal(field('implicit inactive'), 'auth_admin_keep');
    assert.equal(field('implicit active'), 'auth_admin_keep');
    const annotation = /^\s*annotation:\s*org\.freedesktop\.policykit\.exec\.path -> (.*?)\s*$/m.exec(r.stdout)?.[1];
    assert.equal(annotation, install.launcher);
  });

  test('the launcher is root-owned 0755 with exactly the fixed contents; action and rule root-owned 0644', () => {
    const st = fs.statSync(install.launcher);
    assert.equal(st.uid, 0);
    assert.equal(st.gid, 0);
    assert.equal(st.mode & 0o7777, 0o755);
    const text = fs.readFileSync(install.launcher, 'utf8');
    assert.equal(text, renderLauncher({ libDir: install.libDir, node: install.node }));
    // Written out independently of renderLauncher: the one command the launcher runs.
    const commands = text.split('\n').filter((line) => line.trim() && !line.startsWith('#'));
    assert.deepEqual(commands, [
      `exec /usr/bin/env -i PKEXEC_UID="\${PKEXEC_UID-}" SUDO_UID="\${SUDO_UID-}" ${install.node} --single-threaded --no-memory-reducer ${install.libDir}/dist/app/helper/main.js "$@"`,
    ]);
    assert.ok(text.startsWith('#!/bin/sh\n'));
    for (const file of [install.policyFile, install.ruleFile]) {
      const s = fs.statSync(file);
      assert.deepEqual([s.uid, s.gid, s.mode & 0o7777], [0, 0, 0o644], file);
    }
    assert.ok(fs.readFileSync(install.ruleFile, 'utf8').includes(`subject.isInGroup(${JSON.stringify(install.group)})`));
  });

  test('an Electron launcher runs the binary with ELECTRON_RUN_AS_NODE=1 and quotes odd paths', () => {
    const text = renderLauncher({ libDir: "/opt/Sieve cap/it's", node: '/opt/Sieve cap/sievecap-desktop', electronRunAsNode: true });
    assert.ok(text.includes(
      `exec /usr/bin/env -i PKEXEC_UID="\${PKEXEC_UID-}" SUDO_UID="\${SUDO_UID-}" ELECTRON_RUN_AS_NODE=1 '/opt/Sieve cap/sievecap-desktop' --single-threaded --no-memory-reducer '/opt/Sieve cap/it'\\''s/dist/app/helper/main.js' "$@"\n`,
    ), text);
    assert.throws(() => renderLauncher({ libDir: 'relative', node: '/usr/bin/node' }), /absolute/);
  });

  test('installHelper refuses a launcher directory, a libDir or a file in it that others can change', () => {
    const attempt = (name: string, setUp: (dir: string) => { libDir: string; launcherDir: string }): void => {
      const dir = path.join(scratch, name);
      fs.mkdirSync(dir, { mode: 0o755 });
      const { libDir, launcherDir } = setUp(dir);
      const actionsDir = path.join(dir, 'actions');
      const rulesDir = path.join(dir, 'rules');
      assert.throws(
        () => installHelper({ root: '/', libDir, node: install.node, launcherPath: path.join(launcherDir, 'sievecap-helper'), actionsDir, rulesDir, actionId: 'org.sievecap.helper.refused' }),
        (err: unknown) => err instanceof UnsafePathError && /writable by users other than root|not root/.test(err.message),
        name,
      );
      assert.ok(!fs.existsSync(path.join(launcherDir, 'sievecap-helper')), `${name}: no launcher written`);
      assert.ok(!fs.existsSync(actionsDir) && !fs.existsSync(rulesDir), `${name}: no policy or rule written`);
    };
    const smallLib = (dir: string, mode = 0o755): string => {
      const lib = path.join(dir, 'lib');
      fs.mkdirSync(path.join(lib, path.dirname(HELPER_ENTRY)), { recursive: true });
      fs.writeFileSync(path.join(lib, HELPER_ENTRY), STAND_IN_ENTRY, { mode: 0o644 });
      fs.chmodSync(lib, mode);
      return lib;
    };
    attempt('world-writable-launcher-dir', (dir) => {
      const launcherDir = path.join(dir, 'bin');
      fs.mkdirSync(launcherDir);
      fs.chmodSync(launcherDir, 0o777);
      return { libDir: install.libDir, launcherDir };
    });
    attempt('sticky-launcher-dir', (dir) => {
      // Sticky and world-writable (like /tmp) is fine on the way, not as the launcher's own directory.
      const launcherDir = path.join(dir, 'bin');
      fs.mkdirSync(launcherDir);
      fs.chmodSync(launcherDir, 0o1777);
      return { libDir: install.libDir, launcherDir };
    });
    attempt('user-owned-launcher-dir', (dir) => {
      const launcherDir = path.join(dir, 'bin');
      fs.mkdirSync(launcherDir, { mode: 0o755 });
      fs.chownSync(launcherDir, install.uid, 0);
      return { libDir: install.libDir, launcherDir };
    });
    attempt('group-writable-lib-dir', (dir) => {
      const libDir = smallLib(dir, 0o775);
      fs.chownSync(libDir, 0, 100);
      return { libDir, launcherDir: path.join(dir, 'bin') };
    });
    attempt('world-writable-entry-point', (dir) => {
      const libDir = smallLib(dir);
      fs.chmodSync(path.join(libDir, HELPER_ENTRY), 0o666);
      return { libDir, launcherDir: path.join(dir, 'bin') };
    });
    attempt('user-owned-lib-subdir', (dir) => {
      const libDir = smallLib(dir);
      fs.chownSync(path.join(libDir, 'dist', 'app'), install.uid, install.uid);
      return { libDir, launcherDir: path.join(dir, 'bin') };
    });
    attempt('lib-dir-through-user-link', (dir) => {
      const libDir = smallLib(dir);
      const link = path.join(dir, 'lib-link');
      fs.symlinkSync(libDir, link);
      fs.lchownSync(link, install.uid, install.uid);
      return { libDir: link, launcherDir: path.join(dir, 'bin') };
    });
  });

  test('installHelper under a scratch root writes the package paths and names', () => {
    const root = path.join(scratch, 'root');
    fs.mkdirSync(root, { mode: 0o755 });
    const files = installHelper({ root, libDir: '/opt/Sievecap/resources/app.asar.unpacked', node: '/opt/Sievecap/sievecap-desktop', electronRunAsNode: true });
    assert.equal(files.launcherFile, path.join(root, DEFAULT_LAUNCHER_PATH));
    assert.equal(files.policyFile, path.join(root, DEFAULT_ACTIONS_DIR, `${DEFAULT_ACTION_ID}.policy`));
    assert.equal(files.ruleFile, path.join(root, DEFAULT_RULES_DIR, DEFAULT_RULE_NAME));
    assert.match(fs.readFileSync(files.launcherFile, 'utf8'), /ELECTRON_RUN_AS_NODE=1 \/opt\/Sievecap\/sievecap-desktop --single-threaded --no-memory-reducer \/opt\/Sievecap\/resources\/app\.asar\.unpacked\/dist\/app\/helper\/main\.js "\$@"\n$/);
    const policy = fs.readFileSync(files.policyFile, 'utf8');
    assert.ok(policy.includes(`<action id="${DEFAULT_ACTION_ID}">`));
    assert.ok(policy.includes(`<annotate key="org.freedesktop.policykit.exec.path">${DEFAULT_LAUNCHER_PATH}</annotate>`));
    assert.ok(fs.readFileSync(files.ruleFile, 'utf8').includes('subject.isInGroup("sievecap")'));
  });

  test('polkitd applies the rule: pkcheck authorizes the test user only while in the group', () => {
    install.addUserToGroup();
    try {
      assert.equal(install.pkcheckAsUser(), 0, 'a member of the group is authorized without a password');
    } finally {
      install.removeUserFromGroup();
    }
    assert.equal(install.pkcheckAsUser(), 2, 'out of the group, an administrator must authenticate');
  });

  test('a member of the group starts the helper with pkexec: --version prints as euid 0', () => {
    install.addUserToGroup();
    try {
      const r = install.runAsUser(['pkexec', install.launcher, '--version']);
      assert.equal(r.status, 0, `pkexec: ${r.stderr}`);
      assert.match(r.stdout, /^sievecap-helper /);
      // The built helper and the stand-in both name their euid; the probe below checks it anyway.
      if (/euid/.test(r.stdout)) assert.match(r.stdout, /\beuid 0\b/);
    } finally {
      install.removeUserFromGroup();
    }
  });

  test('the helper sees the user uid in PKEXEC_UID and nothing else of the caller environment', () => {
    install.setEntryPoint(PROBE_ENTRY);
    install.addUserToGroup();
    try {
      const viaPkexec = install.runAsUser(['pkexec', install.launcher, '--socket-dir', '/nonexistent'], {
        env: { NODE_OPTIONS: `--require=${injectFile}`, NODE_PATH: scratch, LD_LIBRARY_PATH: scratch, SIEVECAP_TEST: '1' },
      });
      assert.equal(viaPkexec.status, 0, viaPkexec.stderr);
      const seen = probeOutput(viaPkexec.stdout);
      assert.deepEqual([seen.uid, seen.euid], [0, 0]);
      assert.deepEqual(seen.env, { PKEXEC_UID: String(install.uid), SUDO_UID: '' });
      assert.deepEqual(seen.args, ['--socket-dir', '/nonexistent']);
      assert.equal(seen.injected, false);
      assert.ok(!viaPkexec.stdout.includes('INJECTED'));

      // As sudo -E would run it: root, the caller's environment kept. env -i alone keeps it out.
      const direct = spawnSync(install.launcher, ['--version'], {
        encoding: 'utf8',
        env: { PATH: process.env.PATH, NODE_OPTIONS: `--require=${injectFile}`, SUDO_UID: String(install.uid), HOME: scratch },
      });
      assert.equal(direct.status, 0, direct.stderr);
      const seenDirect = probeOutput(direct.stdout);
      assert.deepEqual(seenDirect.env, { PKEXEC_UID: '', SUDO_UID: String(install.uid) });
      assert.equal(seenDirect.injected, false);
    } finally {
      install.removeUserFromGroup();
      install.setEntryPoint(null);
    }
  });

  test('out of the group pkexec refuses without an agent or terminal (exit 127), running nothing', () => {
    const r = install.runAsUser(['pkexec', install.launcher, '--version']);
    assert.equal(r.status, 127, `pkexec: ${r.stdout}${r.stderr}`);
    assert.ok(!r.stdout.includes('sievecap-helper'), r.stdout);
  });

  test('the test user runs the CLI from the staged, world-readable copy', () => {
    const r = install.runAsUser([install.node, path.join(install.libDir, 'bin', 'sievecap'), '--version']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^sievecap version /);
    assert.match(r.stdout, /libpcap/);
  });
});

describe('packaging files stay in step with install.ts', () => {
  const afterInstall = fs.readFileSync(path.join(ROOT, 'build/linux/after-install.sh'), 'utf8');
  const afterRemove = fs.readFileSync(path.join(ROOT, 'build/linux/after-remove.sh'), 'utf8');
  const builderYml = fs.readFileSync(path.join(ROOT, 'electron-builder.yml'), 'utf8');
  /** electron-builder replaces ${name} macros in these scripts and fails on unknown ones (FpmTarget writeConfigFile). */
  const expand = (script: string): string =>
    script.replace(/\$\{([a-zA-Z]+)\}/g, (_, name: string) => {
      const known: Record<string, string> = { executable: 'sievecap-desktop', sanitizedProductName: 'Sievecap', productFilename: 'Sievecap' };
      assert.ok(name in known, `unknown electron-builder macro \${${name}}`);
      return known[name]!;
    });

  test('the scripts use only known macros and are valid bash', () => {
    for (const script of [afterInstall, afterRemove]) {
      const r = spawnSync('bash', ['-n'], { input: expand(script), encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
    }
  });

  test('after-install creates the group and runs install.js with options it knows', () => {
    const text = expand(afterInstall);
    assert.match(text, /groupadd --system sievecap/);
    const call = /dist\/app\/helper\/install\.js'((?:\\\n|[^\n])*)/.exec(text);
    assert.ok(call, 'after-install runs dist/app/helper/install.js');
    // "${root:-/}": the root dpkg installs into (DPKG_ROOT), '/' for a normal install.
    const args = [...call[1]!.matchAll(/'([^']*)'|"\$\{root:-(\/)\}"|(--[a-z-]+)/g)].map((m) => m[1] ?? m[2] ?? m[3]!);
    const parsed = parseInstallArgs(args);
    assert.deepEqual(
      { root: parsed.root, libDir: parsed.libDir, node: parsed.node, electron: parsed.electron, copy: parsed.copy },
      { root: '/', libDir: '/opt/Sievecap/resources/app.asar.unpacked', node: '/opt/Sievecap/sievecap-desktop', electron: true, copy: false },
    );
  });

  test('after-remove removes exactly what install.ts installs by default', () => {
    for (const file of [DEFAULT_LAUNCHER_PATH, path.join(DEFAULT_ACTIONS_DIR, `${DEFAULT_ACTION_ID}.policy`), path.join(DEFAULT_RULES_DIR, DEFAULT_RULE_NAME)]) {
      assert.ok(afterRemove.includes(file), `after-remove.sh removes ${file}`);
    }
  });

  test('electron-builder.yml: deb depends on libpcap, runs the scripts, unpacks what root runs', () => {
    assert.match(builderYml, /^\s+- libpcap0\.8$/m);
    assert.match(builderYml, /^\s+afterInstall: build\/linux\/after-install\.sh$/m);
    assert.match(builderYml, /^\s+afterRemove: build\/linux\/after-remove\.sh$/m);
    for (const glob of ['dist/app/**', 'dist/bpf/**', 'native/build/Release/*.node', 'node_modules/**', 'package.json']) {
      assert.ok(new RegExp(`^asarUnpack:\\n(?:\\s+- .*\\n)*\\s+- ${glob.replace(/[.*/]/g, '\\$&')}$`, 'm').test(builderYml), `asarUnpack has ${glob}`);
    }
    assert.match(builderYml, /^\s+category: Network;Monitor;$/m);
  });

  test('install.js --help documents its options', () => {
    const r = spawnSync(process.execPath, [path.join(ROOT, 'dist/app/helper/install.js'), '--help'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    for (const option of ['--root', '--lib-dir', '--node', '--electron', '--no-copy', '--uninstall']) assert.ok(r.stdout.includes(option), option);
  });
});
