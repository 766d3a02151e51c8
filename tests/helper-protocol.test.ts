/**
 * The real helper process against malformed, oversized and out-of-order messages (a seeded
 * fuzzer), and against peers that are not its client: every bad message gets an error and the
 * helper goes on serving its user.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { HelperClient, helperEntry } from '../app/helper/client';
import { encodeBatchHeader, encodeJsonFrame, type ErrorData } from '../app/rpc/helper-protocol';
import { seededRandom } from './support/prng';
import { sleep } from './support/netns';

let client: HelperClient;
const protocolErrors: ErrorData[] = [];
let lost: string | undefined;

before(async () => {
  client = await HelperClient.start({ kind: 'child', uid: 0, gid: 0 }, {
    onBatch: () => undefined,
    onCaptureError: () => undefined,
    onLost: (reason) => (lost = reason),
    onProtocolError: (error) => protocolErrors.push(error),
  });
});

after(async () => {
  client?.close();
  await client?.exited();
});

/** A valid request still gets its answer: the helper is serving. */
async function stillServing(): Promise<void> {
  const { interfaces } = await client.request('listInterfaces', {});
  assert.ok(interfaces.some((i) => i.name === 'lo'));
  assert.equal(lost, undefined);
}

function mutateJson(value: unknown, random: () => number): unknown {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const junk = (): unknown =>
    pick([null, -1, 1.5, 2 ** 40, '', 'x'.repeat(1 + Math.floor(random() * 300)), [], {}, true, '../../etc/passwd', '\u0000', { $gt: 1 }]);
  if (value === null || typeof value !== 'object') return random() < 0.5 ? junk() : value;
  if (Array.isArray(value)) return random() < 0.3 ? junk() : value.map((v) => (random() < 0.3 ? mutateJson(v, random) : v));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const r = random();
    if (r < 0.1) continue; // drop a key
    out[r < 0.15 ? `${k}_` : k] = r < 0.5 ? mutateJson(v, random) : v;
  }
  if (random() < 0.2) out[pick(['insns', 'path', 'file', 'program', 'uid'])] = junk();
  return out;
}

describe('the helper against malformed input', () => {
  test('the hello came from a helper that kept only the capture capabilities', () => {
    assert.deepEqual([...client.capabilities].sort(), ['CAP_BPF', 'CAP_NET_RAW']);
    const status = fs.readFileSync(`/proc/${client.pid}/status`, 'utf8');
    assert.match(status, /^NoNewPrivs:\s*1$/m);
    assert.match(status, /^CapBnd:\s*0000008000002000$/m);
  });

  test('out-of-order and invalid requests are answered with errors', async () => {
    await assert.rejects(client.request('stop', {}), { code: 'ENOTSTARTED' });
    await assert.rejects(client.request('counters', {}), { code: 'ENOTSTARTED' });
    await assert.rejects(client.request('validateFilter', { filter: 'tcp port' }), (err: Error & { code: string }) => {
      assert.equal(err.code, 'EFILTER');
      assert.match(err.message, /syntax error/);
      return true;
    });
    const { instructions } = await client.request('validateFilter', { filter: 'tcp port 80', interface: 'lo' });
    assert.ok(instructions > 4, `libpcap compiled ${instructions} instructions`);
    const spec = { interfaces: ['nosuchif0'], filter: '', snapLen: 100, promiscuous: false, bufferBytes: 1 << 20, recordFormat: 'pcapng' as const };
    await assert.rejects(client.request('start', { spec }), (err: Error & { code: string }) => {
      assert.equal(err.code, 'ENODEV');
      assert.match(err.message, /nosuchif0/);
      return true;
    });
    await stillServing();
  });

  test('seeded fuzz: mutated requests, oversized and unknown frames, batches sent to the helper', async () => {
    const random = seededRandom(0x5eed);
    const spec = { interfaces: ['lo'], filter: 'udp port 9', snapLen: 96, promiscuous: false, bufferBytes: 1 << 20, recordFormat: 'pcapng' };
    const templates = [
      { id: 1, method: 'listInterfaces' },
      { id: 2, method: 'validateFilter', filter: 'tcp', interface: 'lo', snapLen: 100 },
      { id: 3, method: 'start', spec },
      { id: 4, method: 'stop' },
      { id: 5, method: 'counters' },
    ];
    let sent = 0;
    for (let round = 0; round < 300; round++) {
      const r = random();
      if (r < 0.75) {
        const mutated = mutateJson(templates[Math.floor(random() * templates.length)], random) as Record<string, unknown>;
        // Keep the fuzzer's requests away from the ids the client itself uses.
        if (typeof mutated === 'object' && mutated !== null && typeof mutated.id === 'number') mutated.id = 1_000_000 + round;
        client.sendRaw(encodeJsonFrame(mutated));
      } else if (r < 0.85) {
        client.sendRaw(encodeJsonFrame({ id: 2_000_000 + round, method: 'listInterfaces', pad: 'x'.repeat(70 * 1024) }));
      } else if (r < 0.93) {
        const body = new Uint8Array(Math.floor(random() * 64));
        client.sendRaw(new Uint8Array([body.length, 0, 0, 0, 3 + Math.floor(random() * 250), ...body]));
      } else {
        client.sendRaw(new Uint8Array([...encodeBatchHeader(0, 'pcapng', 1, 16), ...new Uint8Array(16)]));
      }
      sent++;
      if (round % 50 === 49) await stillServing();
    }
    await stillServing();
    assert.ok(protocolErrors.length > 0, 'frames without an id were answered with errors');
    // If the fuzzer happened to start a capture, stopping it now works; either way the helper serves.
    await client.request('stop', {}).catch((err: Error & { code?: string }) => assert.equal(err.code, 'ENOTSTARTED', err.message));
    await stillServing();
    assert.equal(sent, 300);
  });
});

describe('peers that are not the client', () => {
  test('a helper started for another user, whose directory it does not own, refuses to connect', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-notmine-'));
    try {
      fs.writeFileSync(path.join(dir, 'token'), 'x'.repeat(64), { mode: 0o600 });
      const r = spawnSync(process.execPath, ['--single-threaded', helperEntry(), '--socket-dir', dir], {
        env: { SUDO_UID: '65534' },
        encoding: 'utf8',
        timeout: 10000,
        cwd: '/',
      });
      assert.equal(r.status, 1);
      assert.match(r.stderr, /socket directory .* belongs to uid 0, not to uid 65534/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a directory other users may enter is refused', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-open-'));
    try {
      fs.chmodSync(dir, 0o755);
      const r = spawnSync(process.execPath, ['--single-threaded', helperEntry(), '--socket-dir', dir], { env: {}, encoding: 'utf8', timeout: 10000, cwd: '/' });
      assert.equal(r.status, 1);
      assert.match(r.stderr, /open to other users \(mode 755\)/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('arguments other than --socket-dir DIR are refused; no path is ever written', () => {
    for (const args of [['--socket-dir'], ['--write', '/tmp/x'], ['--socket-dir', '/tmp', 'extra']]) {
      const r = spawnSync(process.execPath, [helperEntry(), ...args], { encoding: 'utf8', env: {}, timeout: 10000 });
      assert.equal(r.status, 2, args.join(' '));
      assert.match(r.stderr, /usage: sievecap-helper/);
    }
  });

  test('while a capture runs, no socket of it is left for another user to connect to', async () => {
    const live = await HelperClient.start({ kind: 'child', uid: 0, gid: 0 }, { onBatch: () => undefined, onCaptureError: () => undefined, onLost: () => undefined });
    try {
      await live.request('start', { spec: { interfaces: ['lo'], filter: 'udp port 9', snapLen: 96, promiscuous: false, bufferBytes: 1 << 20, recordFormat: 'pcapng' } });
      // The meeting socket is closed once the helper has connected: nothing named sievecap listens.
      const listening = fs
        .readFileSync('/proc/net/unix', 'utf8')
        .split('\n')
        .filter((l) => l.includes('sievecap') && l.trim().split(/\s+/)[3] === '00010000');
      assert.deepEqual(listening, []);
      // And another user (daemon, uid 1) trying every socket path named sievecap gets nowhere.
      const probe = `
        const net = require('net');
        const paths = new Set(require('fs').readFileSync('/proc/net/unix', 'utf8').split('\\n').map((l) => l.trim().split(/\\s+/)[7]).filter((p) => p && p.includes('sievecap')));
        let connected = 0, pending = paths.size;
        if (pending === 0) process.stdout.write('0 of 0');
        for (const p of paths) {
          const s = net.createConnection(p);
          const done = (ok) => { if (ok) connected++; s.destroy(); if (--pending === 0) process.stdout.write(connected + ' of ' + paths.size); };
          s.on('connect', () => done(true));
          s.on('error', () => done(false));
        }`;
      const out = execFileSync('setpriv', ['--reuid=1', '--regid=1', '--clear-groups', process.execPath, '-e', probe], { encoding: 'utf8', cwd: '/' });
      assert.match(out, /^0 of \d+$/);
      await live.request('stop', {});
    } finally {
      live.close();
      await live.exited();
    }
    await sleep(50);
  });
});
