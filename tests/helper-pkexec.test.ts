/**
 * The unprivileged route, end to end with real pkexec and polkitd: a user in the rule's group
 * captures without a password through the root-owned launcher; out of it pkexec answers 127 and
 * sievecap says what to do; without an installed helper it says which privilege is missing.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createPolkitTestInstall, polkitUnavailable, startPolkit, type PolkitServices, type PolkitTestInstall } from './support/polkit';
import { finished } from './support/netns';
import { tsharkRead } from './support/sievecap';

const skip = polkitUnavailable();
let services: PolkitServices | undefined;
let install: PolkitTestInstall | undefined;
let outDir: string;

before(async () => {
  if (skip) return;
  services = await startPolkit();
  install = await createPolkitTestInstall();
  outDir = path.join(install.tmp, 'out');
  fs.mkdirSync(outDir);
  fs.chownSync(outDir, install.uid, install.uid);
});

after(() => {
  install?.cleanup();
  services?.stop();
});

/** Runs the staged CLI as the test user (no terminal, so no password can be asked) while a bounded flood runs. */
async function captureAsUser(args: string[], env: NodeJS.ProcessEnv, port: number): Promise<{ code: number | null; stderr: string }> {
  const cli = path.join(install!.libDir, 'bin', 'sievecap');
  const child = spawn('setsid', ['--wait', 'runuser', '-u', install!.user, '--', install!.node, '--single-threaded', cli, ...args], {
    cwd: '/',
    env: { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const done = finished(child);
  const script = `import socket, time\ns = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\nfor i in range(300):\n    s.sendto(b'x' * 20, ('127.0.0.1', ${port}))\n    time.sleep(0.02)\n`;
  const sender = spawn('python3', ['-c', script], { stdio: 'ignore' });
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  const r = await done;
  clearTimeout(timer);
  sender.kill('SIGKILL');
  return { code: r.code, stderr: r.stderr };
}

describe('pkexec and the sievecap group', { skip }, () => {
  test('a member of the group captures without a password; the file is the user\'s', async () => {
    install!.addUserToGroup();
    const file = path.join(outDir, 'member.pcapng');
    const r = await captureAsUser(['-i', 'lo', '-c', '20', '-w', file, 'udp port 29311'], { SIEVECAP_HELPER_LAUNCHER: install!.launcher }, 29311);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /listening on lo/);
    assert.match(r.stderr, /^20 packets captured$/m);
    assert.equal(fs.statSync(file).uid, install!.uid);
    const read = tsharkRead(file);
    assert.equal(read.warnings, '');
    assert.equal(read.count, 20);
  });

  test('out of the group pkexec answers 127 and the message says what to do', async () => {
    install!.removeUserFromGroup();
    const file = path.join(outDir, 'outsider.pcapng');
    const r = await captureAsUser(['-i', 'lo', '-c', '5', '-w', file, 'udp port 29312'], { SIEVECAP_HELPER_LAUNCHER: install!.launcher }, 29312);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /pkexec refused to start the capture helper: not authorised, or no polkit authentication agent/);
    assert.match(r.stderr, /Join the 'sievecap' group/);
    assert.equal(fs.existsSync(file), false, 'nothing was written');
  });

  test('without an installed helper: which privilege is missing and the two ways to get it', async () => {
    const r = await captureAsUser(['-i', 'lo', '-c', '5', 'udp port 29313'], { SIEVECAP_HELPER_LAUNCHER: path.join(install!.tmp, 'no-such-launcher') }, 29313);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /capturing needs CAP_NET_RAW and CAP_BPF/);
    assert.match(r.stderr, /run it as root \(sudo sievecap/);
    assert.match(r.stderr, /install the capture helper/);
  });
});
