/**
 * What the privileged helper asks of the addon: dropPrivileges (in a child `node --single-threaded`
 * that loads the addon as root, drops to nobody keeping CAP_NET_RAW + CAP_BPF, and then still
 * captures on lo but can no longer act as root), peerCredentials on Unix sockets, lookupUser.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { native } from '../app/capture/native';
import { finished } from './support/netns';
import { addonPath } from './native-capture-helpers';

const n = native();
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-privileges-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const CAP_NET_RAW = 1n << 13n;
const CAP_BPF = 1n << 39n;

interface ThreadStatus {
  uid: number[];
  gid: number[];
  groups: string;
  inh: bigint;
  prm: bigint;
  eff: bigint;
  bnd: bigint;
  amb: bigint;
  noNewPrivs: number;
}

/** The parts of a /proc/.../status file that say what a thread may do. */
function parseStatus(text: string): ThreadStatus {
  const field = (name: string) => new RegExp(`^${name}:[ \\t]*(.*)$`, 'm').exec(text)?.[1].trim() ?? '';
  const ids = (name: string) => field(name).split(/\s+/).map(Number);
  const caps = (name: string) => BigInt(`0x${field(name)}`);
  return {
    uid: ids('Uid'), gid: ids('Gid'), groups: field('Groups'),
    inh: caps('CapInh'), prm: caps('CapPrm'), eff: caps('CapEff'), bnd: caps('CapBnd'), amb: caps('CapAmb'),
    noNewPrivs: Number(field('NoNewPrivs')),
  };
}

/**
 * Runs `body` in `node --single-threaded` as root: the addon is loaded first (the checkout may sit
 * where the dropped user cannot enter), then `n.dropPrivileges(${drop})`. The body sees `n`,
 * `dropped`, `attempt(f)` (null or {code, message}) and `statuses()` ({tid: status text}) and
 * ends by calling `done(value)`, which prints the JSON result.
 */
async function runDropped(drop: string, body: string): Promise<Record<string, unknown>> {
  const script = `
    const n = require(${JSON.stringify(addonPath)});
    const fs = require('fs');
    const dropped = n.dropPrivileges(${drop});
    const attempt = (f) => { try { f(); return null; } catch (e) { return { code: e.code, message: e.message }; } };
    const statuses = () => Object.fromEntries(fs.readdirSync('/proc/self/task').map((t) => [t, fs.readFileSync('/proc/self/task/' + t + '/status', 'utf8')]));
    const done = (value) => process.stdout.write(JSON.stringify({ dropped, ...value }));
    (async () => { ${body} })().catch((e) => { process.stderr.write(String(e && e.stack || e)); process.exit(3); });`;
  const child = spawn(process.execPath, ['--single-threaded', '-e', script], { cwd: '/', stdio: ['ignore', 'pipe', 'pipe'] });
  const timer = setTimeout(() => child.kill('SIGKILL'), 20000);
  const { code, stdout, stderr } = await finished(child);
  clearTimeout(timer);
  assert.equal(code, 0, `the child failed: ${stderr}`);
  return JSON.parse(stdout);
}

function assertReduced(statuses: Record<string, string>, keep: bigint, id: number): void {
  assert.ok(Object.keys(statuses).length > 1, 'node runs more than one thread even with --single-threaded');
  for (const [tid, text] of Object.entries(statuses)) {
    const s = parseStatus(text);
    assert.deepEqual(s.uid, [id, id, id, id], `thread ${tid}: real, effective, saved and fs uid`);
    assert.deepEqual(s.gid, [id, id, id, id], `thread ${tid}: gids`);
    assert.equal(s.groups, '', `thread ${tid}: no supplementary groups`);
    for (const [name, set] of [['CapPrm', s.prm], ['CapEff', s.eff], ['CapBnd', s.bnd]] as const)
      assert.equal(set & ~keep, 0n, `thread ${tid}: ${name} ${set.toString(16)} within the kept set`);
    assert.equal(s.inh, 0n, `thread ${tid}: CapInh`);
    assert.equal(s.amb, 0n, `thread ${tid}: CapAmb`);
    assert.equal(s.noNewPrivs, 1, `thread ${tid}: NoNewPrivs`);
  }
}

describe('dropPrivileges', () => {
  test('to nobody with CAP_NET_RAW + CAP_BPF: a capture on lo still works, root powers are gone', async () => {
    const victim = path.join(tmp, 'owned-by-root');
    fs.writeFileSync(victim, 'x');
    fs.chmodSync(tmp, 0o755); // the dropped child must reach the file to be refused chown, not lookup
    const marker = `sievecap-dropped-${process.pid}-`;
    const result = await runDropped(`{ uid: 65534, gid: 65534, keepCapabilities: ['CAP_NET_RAW', 'CAP_BPF'] }`, `
      const status = fs.readFileSync('/proc/self/status', 'utf8');
      const threads = statuses();
      const { fd: progFd } = n.bpfProgLoad({ insns: Buffer.from([0xb7,0,0,0,0,0,4,0,0x95,0,0,0,0,0,0,0]), progType: 1, license: 'GPL', name: 'accept_all' });
      const counters = n.bpfMapCreate({ mapType: 6, keySize: 4, valueSize: 8, maxEntries: 4, name: 'counters' });
      const sessions = n.bpfMapCreate({ mapType: 9, keySize: 16, valueSize: 8, maxEntries: 1024, name: 'sessions' });
      const testRun = n.bpfProgTestRun(progFd, Buffer.alloc(64));
      const classic = n.pcapCompile({ filter: 'udp', linkType: 1, snapLen: 262144, optimize: true, liveDevice: 'lo' });
      const s = new n.PacketSocket({ interface: 'lo', snapLen: 262144, promiscuous: true, retireTimeoutMs: 20 });
      s.attachBpf(progFd);
      const chunks = [];
      s.start((b) => chunks.push(b));
      const dgram = require('dgram');
      const rx = dgram.createSocket('udp4');
      await new Promise((r) => rx.bind(0, '127.0.0.1', r));
      const tx = dgram.createSocket('udp4');
      for (let i = 0; i < 5; i++) await new Promise((r) => tx.send(${JSON.stringify(marker)} + i, rx.address().port, '127.0.0.1', r));
      const seen = () => { const all = Buffer.concat(chunks); let count = 0; for (let at = all.indexOf(${JSON.stringify(marker)}); at >= 0; at = all.indexOf(${JSON.stringify(marker)}, at + 1)) count++; return count; };
      for (const start = Date.now(); seen() < 5 && Date.now() - start < 5000; ) await new Promise((r) => setTimeout(r, 20));
      await s.close();
      tx.close(); rx.close();
      [progFd, counters, sessions].forEach((fd) => n.closeFd(fd));
      done({
        status, threads, captured: seen(), testRunRetval: testRun.retval, classicLength: classic.length,
        shadow: attempt(() => fs.openSync('/etc/shadow', 'r')),
        chown: attempt(() => fs.chownSync(${JSON.stringify(victim)}, 65534, 65534)),
        setuid: attempt(() => process.setuid(0)),
        again: attempt(() => n.dropPrivileges({ uid: 65534, gid: 65534, keepCapabilities: [] })),
      });`);

    assert.deepEqual(result.dropped, { keptCapabilities: ['CAP_NET_RAW', 'CAP_BPF'] });
    const main = parseStatus(result.status as string);
    assert.equal(main.prm, CAP_NET_RAW | CAP_BPF);
    assert.equal(main.eff, CAP_NET_RAW | CAP_BPF);
    assert.equal(main.bnd, CAP_NET_RAW | CAP_BPF);
    assertReduced(result.threads as Record<string, string>, CAP_NET_RAW | CAP_BPF, 65534);

    assert.equal(result.captured, 5, 'each datagram captured once on lo after the drop');
    assert.equal(result.testRunRetval, 262144);
    assert.ok((result.classicLength as number) > 0);
    assert.equal((result.shadow as { code: string }).code, 'EACCES', 'cannot read /etc/shadow');
    assert.equal((result.chown as { code: string }).code, 'EPERM', 'cannot chown a file of root');
    assert.equal((result.setuid as { code: string }).code, 'EPERM', 'cannot become root again');
    assert.equal((result.again as { code: string }).code, 'EPERM', 'a second drop needs root');
    assert.equal(fs.statSync(victim).uid, 0);
  });

  test('root serving root: uid stays 0, the capabilities are still reduced on every thread', async () => {
    const privateFile = path.join(tmp, 'nobodys-secret');
    fs.writeFileSync(privateFile, 'x', { mode: 0o600 });
    fs.chownSync(privateFile, 65534, 65534);
    const result = await runDropped(`{ uid: 0, gid: 0, keepCapabilities: ['CAP_NET_RAW'] }`, `
      done({
        threads: statuses(),
        read: attempt(() => fs.readFileSync(${JSON.stringify(privateFile)})),
        bpf: attempt(() => n.bpfMapCreate({ mapType: 2, keySize: 4, valueSize: 4, maxEntries: 1 })),
        socket: attempt(() => new n.PacketSocket({ interface: 'lo', snapLen: 100 }).close()),
      });`);
    assert.deepEqual(result.dropped, { keptCapabilities: ['CAP_NET_RAW'] });
    assertReduced(result.threads as Record<string, string>, CAP_NET_RAW, 0);
    assert.equal((result.read as { code: string }).code, 'EACCES', 'uid 0 without CAP_DAC_OVERRIDE is not all-powerful');
    assert.equal((result.bpf as { code: string }).code, 'EPERM', 'CAP_BPF was not kept');
    assert.equal(result.socket, null, 'CAP_NET_RAW was kept');
  });

  test('bad options throw TypeError before anything else; not root: EPERM, nothing changed', () => {
    // Loaded as root, then made an ordinary user by Node itself (the checkout may be closed to nobody).
    const script = `
      const n = require(${JSON.stringify(addonPath)});
      process.setgroups([]); process.setgid(65534); process.setuid(65534);
      const attempt = (f) => { try { f(); return null; } catch (e) { return { name: e.name, code: e.code, message: e.message }; } };
      process.stdout.write(JSON.stringify([
        attempt(() => n.dropPrivileges({ uid: 65534, gid: 65534, keepCapabilities: ['CAP_NO_SUCH_THING'] })),
        attempt(() => n.dropPrivileges({ uid: -1, gid: 65534, keepCapabilities: [] })),
        attempt(() => n.dropPrivileges({ uid: 65534, gid: 65534 })),
        attempt(() => n.dropPrivileges()),
        attempt(() => n.dropPrivileges({ uid: 65534, gid: 65534, keepCapabilities: ['CAP_NET_RAW'] })),
        require('fs').readFileSync('/proc/self/status', 'utf8'),
      ]));`;
    const out = execFileSync(process.execPath, ['-e', script], { encoding: 'utf8', cwd: '/' });
    const [unknown, negative, missing, none, notRoot, status] = JSON.parse(out);
    assert.equal(unknown.name, 'TypeError');
    assert.match(unknown.message, /unknown capability 'CAP_NO_SUCH_THING'/);
    for (const e of [negative, missing, none]) assert.equal(e.name, 'TypeError', e.message);
    assert.equal(notRoot.name, 'Error');
    assert.equal(notRoot.code, 'EPERM');
    assert.match(notRoot.message, /must be called as root .*euid 65534.*sudo or pkexec/);
    assert.equal(parseStatus(status).noNewPrivs, 0, 'nothing was changed');
  });
});

describe('peerCredentials', () => {
  test('both ends of a Unix socket in this process see this process', async () => {
    const socketPath = path.join(tmp, 'peer.sock');
    const server = net.createServer();
    await new Promise<void>((r) => server.listen(socketPath, r));
    const sockets: net.Socket[] = [];
    try {
      const accepted = new Promise<net.Socket>((r) => server.once('connection', r));
      const client = net.connect(socketPath);
      sockets.push(client);
      await new Promise<void>((r) => client.once('connect', r));
      const serverSide = await accepted;
      sockets.push(serverSide);
      const me = { pid: process.pid, uid: process.getuid!(), gid: process.getgid!() };
      assert.deepEqual(n.peerCredentials((serverSide as any)._handle.fd), me);
      assert.deepEqual(n.peerCredentials((client as any)._handle.fd), me);
    } finally {
      for (const s of sockets) s.destroy();
      server.close();
    }
  });

  test('a client in another process as another user: its pid and uid', async () => {
    const name = `\0sievecap-peer-${process.pid}`; // abstract: no directory to be allowed into
    const server = net.createServer();
    await new Promise<void>((r) => server.listen(name, r));
    const child = spawn('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, '-e',
      `const s = require('net').connect(${JSON.stringify(name)}); s.on('data', () => s.end());`], { cwd: '/', stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = finished(child);
    let socket: net.Socket | undefined;
    try {
      socket = await Promise.race([
        new Promise<net.Socket>((r) => server.once('connection', r)),
        exited.then(({ code, stderr }) => { throw new Error(`the client exited (${code}) before connecting: ${stderr}`); }),
      ]);
      const peer = n.peerCredentials((socket as any)._handle.fd);
      assert.deepEqual(peer, { pid: child.pid, uid: 65534, gid: 65534 }); // setpriv execs node: same pid
      socket.end('bye');
      assert.equal((await exited).code, 0);
    } finally {
      socket?.destroy();
      if (child.exitCode === null) child.kill('SIGKILL');
      server.close();
    }
  });

  test('not a connected Unix socket: errors with a code', async () => {
    const server = net.createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    let client: net.Socket | undefined;
    try {
      client = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
      await new Promise<void>((r) => client!.once('connect', r));
      assert.throws(() => n.peerCredentials((client as any)._handle.fd), (e: NodeJS.ErrnoException) => e.code === 'EAFNOSUPPORT' && /not a Unix socket/.test(e.message));
    } finally {
      client?.destroy();
      server.close();
    }
    const file = fs.openSync(path.join(tmp, 'not-a-socket'), 'w');
    assert.throws(() => n.peerCredentials(file), { code: 'ENOTSOCK' });
    fs.closeSync(file);
    assert.throws(() => n.peerCredentials(file), { code: 'EBADF' });
    assert.throws(() => n.peerCredentials('3' as never), TypeError);
  });
});

describe('lookupUser', () => {
  test('by name, by uid and by a numeric string, as getent passwd says; null when absent', () => {
    const [name, , uid, gid, , home] = execFileSync('getent', ['passwd', '65534'], { encoding: 'utf8' }).trim().split(':');
    const nobody = { name, uid: Number(uid), gid: Number(gid), home };
    assert.deepEqual(n.lookupUser('root'), { name: 'root', uid: 0, gid: 0, home: '/root' });
    assert.deepEqual(n.lookupUser(0), n.lookupUser('root'));
    assert.deepEqual(n.lookupUser(65534), nobody);
    assert.deepEqual(n.lookupUser('65534'), nobody, 'a numeric string is a uid');
    assert.deepEqual(n.lookupUser(name), nobody);
    assert.equal(n.lookupUser('nosuchuser-xyz'), null);
    assert.equal(n.lookupUser(4000000000), null);
    assert.throws(() => n.lookupUser(''), TypeError);
    assert.throws(() => n.lookupUser(-1), TypeError);
    assert.throws(() => n.lookupUser({} as never), TypeError);
  });
});
