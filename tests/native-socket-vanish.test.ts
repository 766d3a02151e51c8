/**
 * The native PacketSocket when the consumer is slow or the interface goes away, on a veth whose far
 * end sits in a namespace the test creates: pause() makes the kernel drop (counted in stats) instead
 * of anything piling up in memory; a deleted interface is reported once as ENODEV after the packets
 * still in the ring, a downed one as ENETDOWN, and close() still resolves promptly.
 */
import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { native, type NativePacketSocket } from '../app/capture/native';
import { sleep } from './support/netns';
import { containing, loadAcceptAll, parseEpbs, waitFor } from './native-capture-helpers';

const n = native();
const run = (...args: string[]) => execFileSync(args[0], args.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });

interface Veth {
  ns: string;
  vethRoot: string;
  vethNs: string;
  rootMac: string;
  /** Replays `frames` from the namespace end, as fast as tcpreplay can. */
  send(frames: Buffer[]): void;
  destroy(): void;
}

let counter = 0;
const cleanups: Array<() => void> = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

/**
 * A veth pair whose far end sits in a fresh namespace. The root end gets no address and no IPv6,
 * so it sends and routes nothing: every frame it sees is one the test replayed.
 */
function makeVeth(): Veth {
  if (process.getuid?.() !== 0) throw new Error('this test needs root (network namespaces, AF_PACKET)');
  const id = `${process.pid % 100000}${counter++}`;
  const ns = `scvn${id}`;
  const vethRoot = `scvr${id}`;
  const vethNs = `scvp${id}`;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-vanish-'));
  const destroy = () => {
    try {
      run('ip', 'netns', 'del', ns); // takes the veth pair with it, if it is still there
    } catch {
      // never created
    }
    fs.rmSync(tmp, { recursive: true, force: true });
  };
  cleanups.push(destroy);
  run('ip', 'netns', 'add', ns);
  run('ip', 'link', 'add', vethRoot, 'type', 'veth', 'peer', 'name', vethNs, 'netns', ns);
  run('sysctl', '-qw', `net.ipv6.conf.${vethRoot}.disable_ipv6=1`);
  run('ip', 'link', 'set', vethRoot, 'up');
  run('ip', 'netns', 'exec', ns, 'sysctl', '-qw', 'net.ipv6.conf.all.disable_ipv6=1');
  run('ip', '-n', ns, 'link', 'set', vethNs, 'up');
  const rootMac = fs.readFileSync(`/sys/class/net/${vethRoot}/address`, 'utf8').trim();
  let files = 0;
  return {
    ns, vethRoot, vethNs, rootMac, destroy,
    send(frames) {
      const file = path.join(tmp, `replay${files++}.pcap`);
      writePcap(file, frames);
      run('ip', 'netns', 'exec', ns, 'tcpreplay', '-q', '--topspeed', '-i', vethNs, file);
    },
  };
}

/** Ethernet + IPv4 + UDP to addresses nobody here owns, carrying `payload`. */
function udpFrame(dstMac: string, payload: string): Buffer {
  const mac = (m: string) => Buffer.from(m.replace(/:/g, ''), 'hex');
  const body = Buffer.from(payload);
  const ip = Buffer.alloc(28);
  ip.writeUInt16BE(0x4500, 0);
  ip.writeUInt16BE(28 + body.length, 2);
  ip.writeUInt8(64, 8);
  ip.writeUInt8(17, 9);
  ip.writeUInt32BE(0x0a5b0002, 12); // 10.91.0.2 -> 10.91.0.1
  ip.writeUInt32BE(0x0a5b0001, 16);
  ip.writeUInt16BE(40000, 20);
  ip.writeUInt16BE(9999, 22);
  ip.writeUInt16BE(8 + body.length, 24);
  return Buffer.concat([mac(dstMac), mac('02:00:00:5c:00:02'), Buffer.from([0x08, 0x00]), ip, body]);
}

function writePcap(file: string, frames: Buffer[]): void {
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b2c3d4, 0);
  header.writeUInt16LE(2, 4);
  header.writeUInt16LE(4, 6);
  header.writeUInt32LE(262144, 16);
  header.writeUInt32LE(1, 20);
  const records = frames.map((f) => {
    const h = Buffer.alloc(16);
    h.writeUInt32LE(f.length, 8);
    h.writeUInt32LE(f.length, 12);
    return Buffer.concat([h, f]);
  });
  fs.writeFileSync(file, Buffer.concat([header, ...records]));
}

/** Opens, attaches accept-all and starts on `iface`; records batches and errors with the time they came. */
function startCapture(iface: string, options: { blockSize?: number; blockCount?: number; paused?: boolean } = {}) {
  const progFd = loadAcceptAll();
  cleanups.push(() => n.closeFd(progFd));
  const socket: NativePacketSocket = new n.PacketSocket({ interface: iface, snapLen: 262144, retireTimeoutMs: 20, ...options });
  socket.attachBpf(progFd);
  if (options.paused) socket.pause(); // allowed before start: not one block is taken
  const events: Array<{ at: number; batch?: Buffer; error?: NodeJS.ErrnoException }> = [];
  socket.start(
    (batch) => events.push({ at: Date.now(), batch }),
    (error) => events.push({ at: Date.now(), error }),
  );
  const records = () => events.flatMap((e) => (e.batch ? parseEpbs(e.batch) : []));
  const errors = () => events.filter((e) => e.error).map((e) => ({ at: e.at, error: e.error! }));
  return { socket, events, records, errors };
}

describe('PacketSocket.pause(): a slow consumer makes the kernel drop', () => {
  const sent = 20000;
  const marker = `sievecap-pause-${process.pid}-`;
  const burst = (veth: Veth) => {
    const frames: Buffer[] = [];
    for (let i = 0; i < sent; i++) frames.push(udpFrame(veth.rootMac, `${marker}${String(i).padStart(5, '0')}`));
    veth.send(frames);
  };
  // Two 64 KiB blocks hold a few hundred of these frames: most of the burst cannot fit.
  const smallRing = { blockSize: 1 << 16, blockCount: 2 };

  test('paused while a burst arrives: drops are counted, and after resume() packets + drops = sent', async () => {
    const veth = makeVeth();
    const cap = startCapture(veth.vethRoot, { ...smallRing, paused: true });
    cap.socket.pause(); // idempotent
    burst(veth);
    await waitFor(() => cap.socket.stats().packets >= sent, 'the kernel to count the burst');
    await sleep(100);
    assert.equal(containing(cap.records(), marker).length, 0, 'nothing taken from the ring while paused');
    const whilePaused = cap.socket.stats();
    assert.ok(whilePaused.drops > sent / 2, `the kernel dropped most of the burst (${whilePaused.drops})`);

    cap.socket.resume();
    cap.socket.resume(); // idempotent
    const ours = () => containing(cap.records(), marker);
    await waitFor(() => ours().length + cap.socket.stats().drops >= sent, 'the ring to be drained');
    await cap.socket.close();
    const stats = cap.socket.stats();
    const captured = ours();
    assert.ok(captured.length > 0, 'what the ring held is delivered');
    assert.ok(captured.length <= (2 * (1 << 16)) / 64, `no more than the ring holds (${captured.length})`);
    assert.equal(captured.length + stats.drops, sent, 'every frame sent is either captured or counted as dropped');
    assert.equal(stats.packets, sent, 'tp_packets counts the drops too');
    assert.equal(cap.records().length, captured.length, 'nothing else was on the wire');
    // What was captured is the start of the burst, in order: the kernel dropped what came later.
    captured.forEach((r, i) => assert.ok(r.data.includes(`${marker}${String(i).padStart(5, '0')}`), `record ${i} in order`));
    assert.deepEqual(cap.errors(), []);
    assert.throws(() => cap.socket.pause(), { code: 'EBADF' });
    assert.throws(() => cap.socket.resume(), { code: 'EBADF' });
  });

  test('close() while paused delivers what the ring holds and resolves', async () => {
    const veth = makeVeth();
    const cap = startCapture(veth.vethRoot, smallRing);
    cap.socket.pause();
    burst(veth);
    await waitFor(() => cap.socket.stats().packets >= sent, 'the kernel to count the burst');
    const started = Date.now();
    await cap.socket.close();
    assert.ok(Date.now() - started < 2000, `close() resolved in ${Date.now() - started} ms`);
    const stats = cap.socket.stats();
    const captured = containing(cap.records(), marker);
    assert.ok(stats.drops > 0);
    assert.ok(captured.length > 0, 'the ring was drained on close');
    assert.equal(captured.length + stats.drops, sent);
  });
});

describe('PacketSocket when the interface goes away', () => {
  const marker = `sievecap-vanish-${process.pid}-`;
  const frames = (veth: Veth, count: number, tag: string) =>
    Array.from({ length: count }, (_, i) => udpFrame(veth.rootMac, `${marker}${tag}${i}`));

  test('deleted mid-capture: every packet, then ENODEV once within 2 s; close() resolves', async () => {
    const veth = makeVeth();
    const cap = startCapture(veth.vethRoot);
    veth.send(frames(veth, 10, 'before'));
    const deletedAt = Date.now();
    run('ip', 'link', 'del', veth.vethRoot); // takes the namespace end with it
    await waitFor(() => cap.errors().length > 0, 'onError', 2000);
    const [{ at, error }] = cap.errors();
    assert.ok(at - deletedAt < 2000, `reported after ${at - deletedAt} ms`);
    assert.equal(error.code, 'ENODEV');
    assert.equal(error.errno, 19);
    assert.match(error.message, new RegExp(`capturing on '${veth.vethRoot}': The interface disappeared`));
    const errorIndex = cap.events.findIndex((e) => e.error);
    const before = cap.events.slice(0, errorIndex).flatMap((e) => (e.batch ? parseEpbs(e.batch) : []));
    assert.equal(containing(before, marker).length, 10, 'the packets still in the ring came before the error');
    await sleep(700);
    assert.equal(cap.errors().length, 1, 'reported once');
    const started = Date.now();
    await cap.socket.close();
    assert.ok(Date.now() - started < 1000, `close() resolved in ${Date.now() - started} ms`);
    assert.equal(containing(cap.records(), marker).length, 10);
  });

  test('taken down: ENETDOWN once; up again, the capture goes on; then deleted: ENODEV', async () => {
    const veth = makeVeth();
    const cap = startCapture(veth.vethRoot);
    veth.send(frames(veth, 3, 'first'));
    run('ip', 'link', 'set', veth.vethRoot, 'down');
    await waitFor(() => cap.errors().length > 0, 'onError', 2000);
    await sleep(500);
    assert.deepEqual(cap.errors().map((e) => e.error.code), ['ENETDOWN'], 'reported once');
    assert.match(cap.errors()[0].error.message, /The interface went down/);
    run('ip', 'link', 'set', veth.vethRoot, 'up');
    veth.send(frames(veth, 3, 'second'));
    await waitFor(() => containing(cap.records(), marker).length >= 6, 'packets after the interface came back');
    run('ip', 'link', 'del', veth.vethRoot);
    await waitFor(() => cap.errors().length > 1, 'the second onError', 2000);
    assert.deepEqual(cap.errors().map((e) => e.error.code), ['ENETDOWN', 'ENODEV']);
    await cap.socket.close();
  });

  test('deleted while paused: reported after resume(), after the packets', async () => {
    const veth = makeVeth();
    const cap = startCapture(veth.vethRoot);
    cap.socket.pause();
    veth.send(frames(veth, 5, 'paused'));
    run('ip', 'link', 'del', veth.vethRoot);
    await sleep(800);
    assert.deepEqual(cap.errors(), [], 'a paused capture reports nothing yet');
    cap.socket.resume();
    await waitFor(() => cap.errors().length > 0, 'onError after resume()', 2000);
    assert.equal(cap.errors()[0].error.code, 'ENODEV');
    const errorIndex = cap.events.findIndex((e) => e.error);
    const before = cap.events.slice(0, errorIndex).flatMap((e) => (e.batch ? parseEpbs(e.batch) : []));
    assert.equal(containing(before, marker).length, 5);
    await cap.socket.close();
  });
});
