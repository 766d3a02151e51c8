/**
 * prepareAppImageHelper against a fake AppImage mount: what it copies out, what it leaves, the
 * private directory's modes, and a launcher that really runs (with env -i) — no root needed.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { prepareAppImageHelper } from './appimage';
import { HELPER_ENTRY, renderLauncher } from './install';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-appimage-test-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** A mount laid out as electron-builder's AppImage: binary and runtime at the top, app files in resources/. */
function fakeMount(name: string): { mount: string; executable: string; appDir: string } {
  const mount = path.join(tmp, name);
  const put = (rel: string, contents: string, mode = 0o644): void => {
    fs.mkdirSync(path.dirname(path.join(mount, rel)), { recursive: true });
    fs.writeFileSync(path.join(mount, rel), contents, { mode });
  };
  put('sievecap-desktop', '#!/bin/sh\necho electron\n', 0o755);
  put('chrome-sandbox', 'sandbox', 0o755);
  put('libffmpeg.so', 'so');
  put('icudtl.dat', 'icu');
  put('v8_context_snapshot.bin', 'snapshot');
  put('resources.pak', 'pak');
  put('locales/en-US.pak', 'pak');
  put('resources/app.asar', 'asar');
  const app = 'resources/app.asar.unpacked';
  put(`${app}/package.json`, JSON.stringify({ name: 'sievecap', version: '0.1.0', dependencies: { 'dep-a': '1' }, devDependencies: { 'dev-only': '1' } }));
  put(`${app}/node_modules/dep-a/package.json`, JSON.stringify({ name: 'dep-a', dependencies: { 'dep-b': '1', 'dep-nested': '1' } }));
  put(`${app}/node_modules/dep-a/index.js`, 'module.exports = 1;');
  put(`${app}/node_modules/dep-a/node_modules/dep-nested/package.json`, JSON.stringify({ name: 'dep-nested' }));
  put(`${app}/node_modules/dep-b/package.json`, JSON.stringify({ name: 'dep-b' }));
  put(`${app}/node_modules/dev-only/package.json`, JSON.stringify({ name: 'dev-only' }));
  put(`${app}/${HELPER_ENTRY}`, [
    "'use strict';",
    "const keys = Object.keys(process.env).filter((k) => !k.startsWith('npm_')).sort();",
    "process.stdout.write('sievecap-helper fake ' + JSON.stringify({ args: process.argv.slice(2), env: keys, pkexecUid: process.env.PKEXEC_UID, injected: globalThis.injected === true }) + '\\n');",
    '',
  ].join('\n'));
  put(`${app}/dist/app/helper/main.test.js`, '');
  put(`${app}/dist/bpf/asm.js`, '');
  put(`${app}/native/build/Release/sievecap_native.node`, 'addon');
  put(`${app}/native/build/Release/obj.target/x.o`, 'object');
  return { mount, executable: path.join(mount, 'sievecap-desktop'), appDir: path.join(mount, app) };
}

function walk(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? [p, ...walk(p)] : [p];
  });
}

test('prepareAppImageHelper does nothing outside an AppImage', () => {
  const { executable } = fakeMount('not-appimage');
  assert.equal(prepareAppImageHelper({ env: {}, executable, tmpDir: tmp }), null);
});

test('prepareAppImageHelper copies the helper and the Electron runtime into a private directory', () => {
  const { mount, executable } = fakeMount('mount-electron');
  const helper = prepareAppImageHelper({ env: { APPIMAGE: path.join(tmp, 'Sievecap.AppImage'), APPDIR: mount }, executable, tmpDir: tmp });
  assert.ok(helper);
  try {
    assert.ok(!helper.dir.startsWith(mount + path.sep), 'the copy lies outside the mount');
    assert.equal(fs.statSync(helper.dir).mode & 0o777, 0o700);
    assert.equal(helper.node, path.join(helper.dir, 'electron', 'sievecap-desktop'));
    assert.deepEqual(helper.command, ['pkexec', helper.launcher]);
    assert.equal(fs.readFileSync(helper.launcher, 'utf8'), renderLauncher({ libDir: helper.libDir, node: helper.node, electronRunAsNode: true }));
    assert.equal(fs.statSync(helper.launcher).mode & 0o777, 0o755);

    const copied = walk(helper.dir).map((p) => path.relative(helper.dir, p)).sort();
    for (const want of [
      'electron/sievecap-desktop', 'electron/libffmpeg.so', 'electron/icudtl.dat', 'electron/v8_context_snapshot.bin',
      `app/${HELPER_ENTRY}`, 'app/dist/bpf/asm.js', 'app/package.json', 'app/native/build/Release/sievecap_native.node',
      'app/node_modules/dep-a/index.js', 'app/node_modules/dep-a/node_modules/dep-nested/package.json', 'app/node_modules/dep-b/package.json',
    ]) assert.ok(copied.includes(want), `${want} copied (got ${copied.join(', ')})`);
    for (const unwanted of [
      'electron/chrome-sandbox', 'electron/resources.pak', 'electron/locales', 'app/node_modules/dev-only', 'app/dist/app/helper/main.test.js',
      'app/native/build/Release/obj.target', 'app/bin', 'app/resources',
    ]) assert.ok(!copied.includes(unwanted), `${unwanted} left in the mount`);
    assert.equal(fs.statSync(helper.node).mode & 0o777, 0o755);
    for (const p of walk(helper.dir)) assert.equal(fs.statSync(p).mode & 0o022, 0, `${p} is writable only by its owner`);
  } finally {
    helper.remove();
  }
  assert.ok(!fs.existsSync(helper.dir), 'remove() deletes the private directory');
});

test('the launcher of an AppImage copy runs the copied entry point with nothing of the caller environment', () => {
  const { executable } = fakeMount('mount-node');
  const helper = prepareAppImageHelper({ env: { APPIMAGE: '/x.AppImage' }, executable, node: process.execPath, tmpDir: tmp });
  assert.ok(helper);
  try {
    assert.equal(helper.node, process.execPath);
    assert.ok(!fs.existsSync(path.join(helper.dir, 'electron')), 'no Electron runtime copied when a node is given');
    const inject = path.join(tmp, 'inject.js');
    fs.writeFileSync(inject, 'globalThis.injected = true;\n');
    const r = spawnSync(helper.launcher, ['--version'], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH, NODE_OPTIONS: `--require=${inject}`, PKEXEC_UID: '4321', LD_LIBRARY_PATH: '/nonexistent', FOO: 'bar' },
    });
    assert.equal(r.status, 0, r.stderr);
    const m = /^sievecap-helper fake (.*)$/m.exec(r.stdout);
    assert.ok(m, r.stdout);
    const seen = JSON.parse(m[1]!) as { args: string[]; env: string[]; pkexecUid: string; injected: boolean };
    assert.deepEqual(seen.args, ['--version']);
    assert.deepEqual(seen.env, ['PKEXEC_UID', 'SUDO_UID']);
    assert.equal(seen.pkexecUid, '4321');
    assert.equal(seen.injected, false);
  } finally {
    helper.remove();
  }
});

test('prepareAppImageHelper says what is wrong when the mount holds no unpacked app', () => {
  const mount = path.join(tmp, 'empty');
  fs.mkdirSync(mount);
  fs.writeFileSync(path.join(mount, 'sievecap-desktop'), '', { mode: 0o755 });
  assert.throws(
    () => prepareAppImageHelper({ env: { APPIMAGE: '/x.AppImage' }, executable: path.join(mount, 'sievecap-desktop'), tmpDir: tmp }),
    /holds no dist\/app.*asarUnpack/,
  );
});
