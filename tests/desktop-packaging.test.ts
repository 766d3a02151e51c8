/**
 * The desktop app's Electron layer and packaging, as far as they can be checked without the
 * Electron binary: main and preload type-check against Electron's own types; the compiled preload,
 * run with a stand-in for the sandbox's 'electron' module, exposes the bridge and hands the page its
 * engine port; the .desktop file (ours, and the one electron-builder generates from
 * electron-builder.yml) passes desktop-file-validate; the icon is a 256x256 PNG; the .deb's
 * after-install script, run into a scratch root (DPKG_ROOT), creates the group and has the app's
 * installer write the launcher, the polkit action — which a private polkitd then shows through
 * pkaction — and the rule, and after-remove takes them away; `npm start` picks Electron or serve.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vm from 'node:vm';
import * as zlib from 'node:zlib';
import { DEFAULT_ACTION_ID, DEFAULT_LAUNCHER_PATH, renderLauncher, renderPolicy, renderRule } from '../app/helper/install';
import { IPC } from '../app/main/ipc-contract';
import { BRIDGE_GLOBAL, ENGINE_PORT_MESSAGE, type DesktopBridge, type MenuAction } from '../app/rpc/desktop-bridge';
import { pkactionInPrivateNamespace, privatePolkitUnavailable } from './support/polkit';

const ROOT = path.resolve(__dirname, '../..');
const isRoot = process.geteuid?.() === 0;

/** Values made in the preload's vm context have that context's prototypes: compare their JSON. */
const plain = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

function commandExists(name: string): boolean {
  return spawnSync('sh', ['-c', 'command -v "$1"', 'sh', name], { stdio: 'ignore' }).status === 0;
}

describe('Electron main and preload', () => {
  test('type-check against Electron 45 types (tsc -p tsconfig.electron.json --noEmit)', () => {
    const tsc = path.join(ROOT, 'node_modules/typescript/bin/tsc');
    const r = spawnSync(process.execPath, [tsc, '--noEmit', '-p', path.join(ROOT, 'tsconfig.electron.json')], { cwd: ROOT, encoding: 'utf8', timeout: 240000 });
    assert.equal(r.status, 0, `tsc:\n${r.stdout}${r.stderr}`);
  });

  test("the root project leaves out main's Electron modules and the preload (it has no DOM)", () => {
    const r = spawnSync(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', path.join(ROOT, 'tsconfig.json'), '--listFilesOnly'], { cwd: ROOT, encoding: 'utf8', timeout: 240000 });
    assert.ok(r.stdout.length > 0, r.stderr);
    for (const file of ['app/main/main.ts', 'app/main/document-window.ts', 'app/main/engine-process.ts', 'app/preload/preload.ts']) {
      assert.ok(!r.stdout.includes(path.join(ROOT, file)), `${file} is not in the root program`);
    }
  });

  const preloadFile = path.join(ROOT, 'dist/app/preload/preload.js');
  const preloadBuilt = fs.existsSync(preloadFile);

  test('the compiled preload requires nothing but electron (a sandboxed preload can require nothing else)', { skip: preloadBuilt ? false : 'dist/app/preload/preload.js is not built (npm run build:ts)' }, () => {
    const required = [...fs.readFileSync(preloadFile, 'utf8').matchAll(/require\(([^)]*)\)/g)].map((m) => m[1]);
    assert.deepEqual(required, ['"electron"']);
  });

  test('the preload exposes the bridge, copies plain values across, hands the page its port after load, and holds menu actions until the page has its engine', { skip: preloadBuilt ? false : 'not built' }, async () => {
    const sent: unknown[][] = [];
    const invoked: unknown[][] = [];
    const handlers = new Map<string, (event: { ports: unknown[] }, ...args: unknown[]) => void>();
    const exposed = new Map<string, unknown>();
    const posted: unknown[][] = [];
    const windowListeners = new Map<string, Array<(event?: unknown) => void>>();
    const fakeElectron = {
      contextBridge: { exposeInMainWorld: (name: string, api: unknown) => exposed.set(name, api) },
      ipcRenderer: {
        on: (channel: string, handler: (event: { ports: unknown[] }, ...args: unknown[]) => void) => handlers.set(channel, handler),
        send: (...args: unknown[]) => sent.push(args),
        invoke: (...args: unknown[]) => {
          invoked.push(args);
          return Promise.resolve('/chosen.pcapng');
        },
      },
      webUtils: { getPathForFile: (file: { name: string }) => `/dropped/${file.name}` },
    };
    const fakeWindow = {
      addEventListener: (type: string, listener: (event?: unknown) => void) => windowListeners.set(type, [...(windowListeners.get(type) ?? []), listener]),
      postMessage: (...args: unknown[]) => posted.push(args),
    };
    const dispatch = (type: string, event?: unknown): void => {
      for (const l of windowListeners.get(type) ?? []) l(event);
    };
    const context = {
      require: (name: string) => {
        if (name !== 'electron') throw new Error(`module not found: ${name}`);
        return fakeElectron;
      },
      exports: {},
      document: { readyState: 'loading' },
      window: fakeWindow,
      queueMicrotask,
      setTimeout,
      console,
    };
    vm.runInNewContext(fs.readFileSync(preloadFile, 'utf8'), context, { filename: preloadFile });
    const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 5));

    const bridge = exposed.get(BRIDGE_GLOBAL) as DesktopBridge;
    assert.ok(bridge, `window.${BRIDGE_GLOBAL} is exposed`);
    assert.equal(bridge.kind, 'electron');
    assert.deepEqual(plain(sent), [[IPC.requestEnginePort]], 'the preload asks for its engine port at once');

    // The page listens for menu actions early (onMount); main sends the port, then the file given at start.
    const seen: MenuAction[] = [];
    const stop = bridge.onMenuAction((a) => seen.push(a));
    const port = { fake: 'port' };
    handlers.get(IPC.enginePort)!({ ports: [port] });
    handlers.get(IPC.menuAction)!({ ports: [] }, { command: 'open-recent', path: '/start.pcap' });
    await tick();
    assert.deepEqual(posted, [], 'the port waits for the page to load');
    assert.deepEqual(seen, [], 'menu actions wait for the page to have its engine');
    dispatch('load');
    await tick();
    // (Arrays made in the preload's context have that context's prototypes: compare their items.)
    assert.equal(posted.length, 1);
    assert.deepEqual([...posted[0]!].slice(0, 2), [ENGINE_PORT_MESSAGE, '*']);
    assert.equal((posted[0]![2] as unknown[]).length, 1);
    assert.equal((posted[0]![2] as unknown[])[0], port);
    assert.deepEqual(seen, [], 'still waiting: the page has not received the port yet');
    // The window delivers the posted message (to the page, and to the preload's own listener).
    dispatch('message', { source: fakeWindow, data: ENGINE_PORT_MESSAGE });
    assert.deepEqual(seen, [], 'delivered a task later, after the page has handled the port');
    await tick();
    assert.deepEqual(plain(seen), [{ command: 'open-recent', path: '/start.pcap' }]);
    handlers.get(IPC.menuAction)!({ ports: [] }, { command: 'save' });
    stop();
    handlers.get(IPC.menuAction)!({ ports: [] }, { command: 'find' });
    assert.deepEqual(plain(seen), [{ command: 'open-recent', path: '/start.pcap' }, { command: 'save' }]);
    // The next listener gets what came while nobody listened.
    const later: MenuAction[] = [];
    bridge.onMenuAction((a) => later.push(a));
    await tick();
    assert.deepEqual(plain(later), [{ command: 'find' }]);

    assert.equal(await bridge.saveFileDialog({ defaultName: 'a', format: 'pcap', extra: 'dropped' } as never), '/chosen.pcapng');
    await bridge.openFileDialog();
    await bridge.chooseDirectoryDialog('Export');
    assert.deepEqual(plain(invoked), [[IPC.saveFileDialog, { defaultName: 'a', format: 'pcap' }], [IPC.openFileDialog], [IPC.chooseDirectoryDialog, 'Export']]);
    sent.length = 0;
    bridge.setDocumentState({ title: 't', unsaved: true, capturing: false, more: 1 } as never);
    bridge.addRecentFile('/a.pcap');
    bridge.openWindow(null);
    assert.deepEqual(plain(sent), [
      [IPC.setDocumentState, { title: 't', unsaved: true, capturing: false }],
      [IPC.addRecentFile, '/a.pcap'],
      [IPC.openWindow, null],
    ]);
    assert.equal(bridge.pathForFile({ name: 'x.pcap' } as never), '/dropped/x.pcap');
  });
});

describe('desktop entry and icon', () => {
  const desktopFile = path.join(ROOT, 'packaging/sievecap.desktop');
  const validate = commandExists('desktop-file-validate') ? false : 'desktop-file-validate is missing (apt-get install desktop-file-utils; scripts/setup.sh does)';

  function entries(text: string): Map<string, string> {
    const out = new Map<string, string>();
    for (const line of text.split('\n')) {
      const m = /^([A-Za-z]+)=(.*)$/.exec(line);
      if (m) out.set(m[1]!, m[2]!);
    }
    return out;
  }

  test('packaging/sievecap.desktop passes desktop-file-validate', { skip: validate }, () => {
    const r = spawnSync('desktop-file-validate', [desktopFile], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.equal(r.stdout.trim(), '', 'no warnings either');
    const e = entries(fs.readFileSync(desktopFile, 'utf8'));
    assert.equal(e.get('Categories'), 'Network;Monitor;');
    assert.equal(e.get('MimeType'), 'application/vnd.tcpdump.pcap;application/x-pcapng;');
  });

  test("electron-builder's generated entry (from electron-builder.yml) passes too and agrees with ours", { skip: validate }, async (t) => {
    const requireHere = createRequire(path.join(ROOT, 'package.json'));
    let yaml: { load(text: string): unknown };
    let helperModule: { LinuxTargetHelper: new (packager: unknown) => { computeDesktopEntry(options: unknown): Promise<string> } };
    try {
      yaml = requireHere('js-yaml');
      helperModule = requireHere('app-builder-lib/out/targets/LinuxTargetHelper');
    } catch (err) {
      t.skip(`electron-builder is not installed: ${(err as Error).message}`);
      return;
    }
    const config = yaml.load(fs.readFileSync(path.join(ROOT, 'electron-builder.yml'), 'utf8')) as {
      productName: string;
      extraMetadata: { desktopName: string };
      linux: Record<string, unknown> & { executableName: string };
    };
    // The parts of electron-builder's packager that computeDesktopEntry reads.
    const packager = {
      appInfo: { productName: config.productName, sanitizedProductName: config.productName, description: '' },
      executableName: config.linux.executableName,
      info: { metadata: { desktopName: config.extraMetadata.desktopName } },
      config,
      platformSpecificBuildOptions: config.linux,
      fileAssociations: [],
    };
    const generated = await new helperModule.LinuxTargetHelper(packager).computeDesktopEntry(config.linux);
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-desktop-')), 'sievecap.desktop');
    try {
      fs.writeFileSync(file, generated);
      const r = spawnSync('desktop-file-validate', [file], { encoding: 'utf8' });
      assert.equal(r.status, 0, `${r.stdout}${r.stderr}\n${generated}`);
    } finally {
      fs.rmSync(path.dirname(file), { recursive: true, force: true });
    }
    const ours = entries(fs.readFileSync(desktopFile, 'utf8'));
    const theirs = entries(generated);
    assert.equal(theirs.get('Exec'), '/opt/Sievecap/sievecap-desktop %U');
    assert.equal(ours.get('Exec'), 'sievecap-desktop %U');
    for (const key of ['Type', 'Name', 'GenericName', 'Comment', 'Icon', 'Terminal', 'StartupNotify', 'StartupWMClass', 'Categories', 'MimeType', 'Keywords']) {
      assert.equal(theirs.get(key), ours.get(key), key);
    }
    assert.deepEqual([...theirs.keys()].sort(), [...ours.keys()].sort());
  });

  test('the icon: an SVG and a 256x256 PNG made from it', () => {
    const svg = fs.readFileSync(path.join(ROOT, 'packaging/sievecap.svg'), 'utf8');
    assert.match(svg, /<svg [^>]*viewBox="0 0 256 256"/);
    const png = fs.readFileSync(path.join(ROOT, 'packaging/icons/256x256.png'));
    assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    assert.equal(png.toString('latin1', 12, 16), 'IHDR');
    assert.deepEqual([png.readUInt32BE(16), png.readUInt32BE(20)], [256, 256]);
  });
});

describe('electron-builder packs the app (with a stand-in Electron distribution)', () => {
  const ready = !fs.existsSync(path.join(ROOT, 'dist/renderer/index.html'))
    ? 'dist/renderer is not built (npm run build:renderer)'
    : !fs.existsSync(path.join(ROOT, 'dist/app/main/main.js'))
      ? 'dist/app/main is not built (npm run build:ts)'
      : !fs.existsSync(path.join(ROOT, 'node_modules/electron-builder/cli.js'))
        ? 'electron-builder is not installed'
        : false;

  test('--linux dir: main, preload, renderer, engine, helper, addon and production node_modules; what root runs unpacked; no tests or maps', { skip: ready, timeout: 300000 }, (t) => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-builder-'));
    t.after(() => fs.rmSync(tmp, { recursive: true, force: true }));
    // electron-builder copies an unpacked Electron from electronDist instead of downloading one.
    const electronDist = path.join(tmp, 'electron-dist');
    fs.mkdirSync(path.join(electronDist, 'resources'), { recursive: true });
    fs.mkdirSync(path.join(electronDist, 'locales'));
    fs.writeFileSync(path.join(electronDist, 'electron'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
    for (const f of ['chrome-sandbox', 'LICENSE', 'LICENSES.chromium.html']) fs.writeFileSync(path.join(electronDist, f), '');
    fs.writeFileSync(path.join(electronDist, 'version'), '45.4.1');
    const out = path.join(tmp, 'out');
    const r = spawnSync(process.execPath, [
      path.join(ROOT, 'node_modules/electron-builder/cli.js'), '--linux', 'dir', '--config', 'electron-builder.yml',
      `--config.electronDist=${electronDist}`, `--config.directories.output=${out}`,
    ], { cwd: ROOT, encoding: 'utf8', timeout: 280000, env: { ...process.env, CI: '1' } });
    assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
    const resources = path.join(out, 'linux-unpacked/resources');
    assert.ok(fs.statSync(path.join(out, 'linux-unpacked/sievecap-desktop')).mode & 0o111, 'the binary is named linux.executableName');
    const requireHere = createRequire(path.join(ROOT, 'package.json'));
    const asar = requireHere('@electron/asar') as { listPackage(file: string): string[] };
    const packed = new Set(asar.listPackage(path.join(resources, 'app.asar')).map((f) => f.replace(/^\//, '')));
    for (const file of ['package.json', 'dist/app/main/main.js', 'dist/app/main/engine-process.js', 'dist/app/preload/preload.js', 'dist/renderer/index.html', 'dist/app/helper/install.js', 'dist/app/helper/main.js', 'node_modules/valibot/package.json']) {
      assert.ok(packed.has(file), `app.asar holds ${file}`);
    }
    assert.ok([...packed].some((f) => f.startsWith('dist/renderer/assets/') && f.endsWith('.js')), 'the UI scripts');
    assert.ok(![...packed].some((f) => f.endsWith('.test.js') || f.endsWith('.map') || f.startsWith('tests/') || f.startsWith('node_modules/electron/') || f.startsWith('node_modules/typescript/')), 'no tests, maps or dev dependencies');
    const unpacked = path.join(resources, 'app.asar.unpacked');
    for (const file of ['dist/app/helper/main.js', 'dist/app/helper/install.js', 'dist/bpf/asm.js', 'native/build/Release/sievecap_native.node', 'package.json', 'node_modules/valibot/package.json']) {
      assert.ok(fs.existsSync(path.join(unpacked, file)), `unpacked for root: ${file}`);
    }
    const packagedJson = JSON.parse(fs.readFileSync(path.join(unpacked, 'package.json'), 'utf8')) as { main: string; desktopName: string };
    assert.deepEqual([packagedJson.main, packagedJson.desktopName], ['dist/app/main/main.js', 'sievecap.desktop']);
  });
});

/** electron-builder's macros in the .deb scripts, as it fills them in for this configuration. */
function expandMacros(script: string): string {
  const known: Record<string, string> = { executable: 'sievecap-desktop', sanitizedProductName: 'Sievecap', productFilename: 'Sievecap' };
  return script.replace(/\$\{([a-zA-Z]+)\}/g, (_, name: string) => {
    assert.ok(name in known, `unknown electron-builder macro \${${name}}`);
    return known[name]!;
  });
}

/** Where a path inside `root` leads, following its symbolic links as they would be followed were `root` '/'. */
function resolveInRoot(root: string, file: string): string {
  let current = file;
  for (let hops = 0; hops < 16; hops++) {
    let target: string;
    try {
      target = fs.readlinkSync(path.join(root, current));
    } catch {
      return current;
    }
    current = path.isAbsolute(target) ? target : path.join(path.dirname(current), target);
  }
  throw new Error(`too many links from ${file}`);
}

describe('the .deb scripts in a scratch root (DPKG_ROOT)', { skip: isRoot ? false : 'needs root (install.js writes root-owned files)' }, () => {
  let scratch: string;
  let root: string;
  let record: string;
  const APP = '/opt/Sievecap';
  const LIB_DIR = `${APP}/resources/app.asar.unpacked`;
  const EXE = `${APP}/sievecap-desktop`;
  const systemLauncherBefore = fs.existsSync(DEFAULT_LAUNCHER_PATH);

  const runScript = (name: 'after-install' | 'after-remove', args: string[]): ReturnType<typeof spawnSync> => {
    const file = path.join(scratch, `${name}.sh`);
    fs.writeFileSync(file, expandMacros(fs.readFileSync(path.join(ROOT, `build/linux/${name}.sh`), 'utf8')), { mode: 0o755 });
    return spawnSync('bash', [file, ...args], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin', DPKG_ROOT: root, DPKG_MAINTSCRIPT_NAME: name === 'after-install' ? 'postinst' : 'postrm' },
      timeout: 60000,
    });
  };

  before(() => {
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-deb-'));
    fs.chmodSync(scratch, 0o755);
    root = path.join(scratch, 'root');
    record = path.join(scratch, 'binary-calls.jsonl');
    for (const dir of ['etc', 'usr/bin', 'var/lib/dpkg/alternatives', 'etc/alternatives', 'var/log', `${LIB_DIR}/dist/app/helper`, `${LIB_DIR}/dist/man`]) {
      fs.mkdirSync(path.join(root, dir), { recursive: true, mode: 0o755 });
    }
    fs.writeFileSync(path.join(root, 'etc/group'), 'root:x:0:\n');
    fs.writeFileSync(path.join(root, 'etc/gshadow'), 'root:*::\n', { mode: 0o640 });
    // The package's files: the app's installer as built, and a stand-in for the Electron binary
    // that runs it with this Node when asked to run as Node, recording how it was called.
    fs.copyFileSync(path.join(ROOT, 'dist/app/helper/install.js'), path.join(root, LIB_DIR, 'dist/app/helper/install.js'));
    fs.copyFileSync(path.join(ROOT, 'dist/man/sievecap.1'), path.join(root, LIB_DIR, 'dist/man/sievecap.1'));
    fs.writeFileSync(path.join(root, EXE), `#!/bin/sh
[ "$ELECTRON_RUN_AS_NODE" = 1 ] || { echo "stand-in electron: not run as node" >&2; exit 97; }
${JSON.stringify(process.execPath)} -e 'require("fs").appendFileSync(process.argv[1], JSON.stringify({ args: process.argv.slice(2), env: process.env }) + "\\n")' ${JSON.stringify(record)} "$@"
exec ${JSON.stringify(process.execPath)} "$@"
`, { mode: 0o755 });
    fs.writeFileSync(path.join(root, APP, 'chrome-sandbox'), '', { mode: 0o755 });
  });

  after(() => {
    if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
  });

  test('after-install: the group, the link, and install.js run as the app binary in Node mode, with nothing of the environment but PATH', () => {
    const r = runScript('after-install', ['configure', '']);
    assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
    assert.doesNotMatch(String(r.stderr), /could not install the capture helper/);
    assert.match(fs.readFileSync(path.join(root, 'etc/group'), 'utf8'), /^sievecap:x:\d+:$/m);
    assert.equal(resolveInRoot(root, '/usr/bin/sievecap-desktop'), EXE, 'sievecap-desktop is on PATH (update-alternatives or a link) inside the root');
    // The manual page, compressed as Debian's man pages are.
    const man = path.join(root, 'usr/share/man/man1/sievecap.1.gz');
    assert.ok(zlib.gunzipSync(fs.readFileSync(man)).equals(fs.readFileSync(path.join(ROOT, 'dist/man/sievecap.1'))));
    assert.equal(fs.statSync(man).mode & 0o777, 0o644);
    const calls = fs.readFileSync(record, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { args: string[]; env: Record<string, string> });
    assert.equal(calls.length, 1);
    assert.deepEqual(calls[0]!.args, [
      path.join(root, LIB_DIR, 'dist/app/helper/install.js'),
      '--root', root, '--lib-dir', LIB_DIR, '--no-copy', '--node', EXE, '--electron', '--no-group',
    ]);
    // What the stand-in itself adds (PWD, SHLVL, _) comes from sh; the script passed PATH and ELECTRON_RUN_AS_NODE only.
    assert.deepEqual(Object.keys(calls[0]!.env).filter((k) => !['PWD', 'SHLVL', '_'].includes(k)).sort(), ['ELECTRON_RUN_AS_NODE', 'PATH']);
    assert.equal(fs.existsSync(DEFAULT_LAUNCHER_PATH), systemLauncherBefore, 'nothing was written outside the root');
  });

  test('the launcher is root-owned 0755 and runs the app binary as Node on the unpacked helper; action and rule root-owned 0644', () => {
    const launcher = path.join(root, DEFAULT_LAUNCHER_PATH);
    const st = fs.statSync(launcher);
    assert.deepEqual([st.uid, st.gid, st.mode & 0o7777], [0, 0, 0o755]);
    const text = fs.readFileSync(launcher, 'utf8');
    assert.equal(text, renderLauncher({ libDir: LIB_DIR, node: EXE, electronRunAsNode: true }));
    assert.deepEqual(text.split('\n').filter((l) => l.trim() && !l.startsWith('#')), [
      `exec /usr/bin/env -i PKEXEC_UID="\${PKEXEC_UID-}" SUDO_UID="\${SUDO_UID-}" ELECTRON_RUN_AS_NODE=1 ${EXE} --single-threaded --no-memory-reducer ${LIB_DIR}/dist/app/helper/main.js "$@"`,
    ]);
    const policy = path.join(root, 'usr/share/polkit-1/actions', `${DEFAULT_ACTION_ID}.policy`);
    const rule = path.join(root, 'usr/share/polkit-1/rules.d/50-sievecap.rules');
    for (const [file, contents] of [[policy, renderPolicy()], [rule, renderRule()]] as const) {
      const s = fs.statSync(file);
      assert.deepEqual([s.uid, s.gid, s.mode & 0o7777], [0, 0, 0o644], file);
      assert.equal(fs.readFileSync(file, 'utf8'), contents);
    }
  });

  test('pkaction --verbose shows the installed action (a private polkitd reading the scratch root)', { skip: privatePolkitUnavailable() ?? false }, () => {
    const r = pkactionInPrivateNamespace(path.join(root, 'usr/share/polkit-1/actions'), DEFAULT_ACTION_ID);
    assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
    const field = (name: string): string | undefined => new RegExp(`^\\s*${name}:\\s*(.*?)\\s*$`, 'm').exec(r.stdout)?.[1];
    assert.match(r.stdout, new RegExp(`^${DEFAULT_ACTION_ID.replace(/\./g, '\\.')}:$`, 'm'));
    assert.equal(field('vendor'), 'Sievecap');
    for (const kind of ['any', 'inactive', 'active']) assert.equal(field(`implicit ${kind}`), 'auth_admin_keep');
    assert.equal(/org\.freedesktop\.policykit\.exec\.path -> (\S+)/.exec(r.stdout)?.[1], DEFAULT_LAUNCHER_PATH);
  });

  test('after-install again (an upgrade) keeps one group and rewrites the same files', () => {
    const r = runScript('after-install', ['configure', '0.1.0']);
    assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
    assert.equal(fs.readFileSync(path.join(root, 'etc/group'), 'utf8').match(/^sievecap:/gm)?.length, 1);
    assert.equal(fs.readFileSync(path.join(root, DEFAULT_LAUNCHER_PATH), 'utf8'), renderLauncher({ libDir: LIB_DIR, node: EXE, electronRunAsNode: true }));
  });

  test('after-remove on upgrade keeps the helper; on remove takes the launcher, action and rule away (the group stays)', () => {
    const files = [DEFAULT_LAUNCHER_PATH, `/usr/share/polkit-1/actions/${DEFAULT_ACTION_ID}.policy`, '/usr/share/polkit-1/rules.d/50-sievecap.rules', '/usr/share/man/man1/sievecap.1.gz'].map((f) => path.join(root, f));
    const upgrade = runScript('after-remove', ['upgrade', '0.2.0']);
    assert.equal(upgrade.status, 0, `${upgrade.stdout}${upgrade.stderr}`);
    for (const f of files) assert.ok(fs.existsSync(f), f);
    const remove = runScript('after-remove', ['remove']);
    assert.equal(remove.status, 0, `${remove.stdout}${remove.stderr}`);
    for (const f of files) assert.ok(!fs.existsSync(f), f);
    assert.ok(!fs.existsSync(path.join(root, 'usr/lib/sievecap')));
    assert.equal(fs.readdirSync(path.join(root, 'usr/bin')).length, 0, 'the link is gone');
    assert.match(fs.readFileSync(path.join(root, 'etc/group'), 'utf8'), /^sievecap:/m);
    assert.equal(fs.existsSync(DEFAULT_LAUNCHER_PATH), systemLauncherBefore);
  });
});

describe('npm start (scripts/start.sh)', () => {
  const rendererBuilt = fs.existsSync(path.join(ROOT, 'dist/renderer/index.html'));
  let stubDir: string;
  before(() => {
    stubDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-start-'));
    // A stand-in Electron binary: answers --version as Node would.
    fs.writeFileSync(path.join(stubDir, 'electron'), '#!/bin/sh\n[ "$1" = --version ] && { echo v22.0.0; exit 0; }\nexit 3\n', { mode: 0o755 });
  });
  after(() => fs.rmSync(stubDir, { recursive: true, force: true }));

  /** The words as start.sh's dry run prints them (bash's printf %q, for a checkout whose path has spaces). */
  const shellWords = (...words: string[]): string => spawnSync('bash', ['-c', 'printf "%q " "$@"', 'bash', ...words], { encoding: 'utf8' }).stdout.trim();
  const start = (env: Record<string, string>, args: string[]): ReturnType<typeof spawnSync> =>
    spawnSync('bash', [path.join(ROOT, 'scripts/start.sh'), ...args], {
      cwd: os.tmpdir(),
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/root', SIEVECAP_SKIP_SETUP: '1', SIEVECAP_START_DRY_RUN: '1', ...env },
      timeout: 60000,
    });

  test('without the UI built it stops at once and says how to build it', { skip: rendererBuilt ? 'dist/renderer is built here' : false }, () => {
    const r = start({}, ['x.pcap']);
    assert.equal(r.status, 1);
    assert.match(String(r.stderr), /dist\/renderer\/index\.html is missing \(npm run build:renderer\)/);
  });

  test('no display: says why Electron cannot run and serves the same UI, passing the file on', { skip: rendererBuilt ? false : 'dist/renderer is not built' }, () => {
    const r = start({ ELECTRON_OVERRIDE_DIST_PATH: stubDir }, ['capture.pcapng']);
    assert.equal(r.status, 0, String(r.stderr));
    assert.match(String(r.stderr), /Electron cannot run here: there is no display/);
    assert.equal(String(r.stdout).trim(), shellWords(path.join(ROOT, 'bin/sievecap'), 'serve', 'capture.pcapng'));
  });

  test('no Electron binary: serve, naming the missing download', { skip: rendererBuilt ? false : 'dist/renderer is not built' }, () => {
    const r = start({ DISPLAY: ':0', ELECTRON_OVERRIDE_DIST_PATH: path.join(stubDir, 'nothing-here') }, []);
    assert.equal(r.status, 0, String(r.stderr));
    assert.match(String(r.stderr), /the Electron binary is not installed/);
    assert.equal(String(r.stdout).trim(), shellWords(path.join(ROOT, 'bin/sievecap'), 'serve'));
  });

  test('a display and a binary that starts: Electron on the checkout with the file', { skip: rendererBuilt ? false : 'dist/renderer is not built' }, () => {
    const r = start({ DISPLAY: ':0', ELECTRON_OVERRIDE_DIST_PATH: stubDir, SIEVECAP_ELECTRON_NO_SANDBOX: '1' }, ['capture.pcapng']);
    assert.equal(r.status, 0, String(r.stderr));
    assert.equal(String(r.stdout).trim(), shellWords(path.join(stubDir, 'electron'), ROOT, ...(isRoot ? ['--no-sandbox'] : []), 'capture.pcapng'));
  });
});
