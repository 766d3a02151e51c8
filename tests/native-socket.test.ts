/**
 * The native PacketSocket with real traffic on `lo`: each datagram exactly once, pcapng EPB and
 * pcap records identical to what `tcpdump -w` captures at the same time, snap length, statistics.
 * Also: ENODEV / EPERM / bad options, and that close() and process exit never leave the reader
 * thread behind.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import * as dgram from 'node:dgram';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { native } from '../app/capture/native';
import { finished, waitForStderr } from './support/netns';
import {
  addonPath, capture, containing, loadAcceptAll, parseEpbs, parsePcapRecords, sameFrames, waitFor, waitForTcpdumpFile,
} from './native-capture-helpers';
import { setTimeout as sleep } from 'node:timers/promises';

const n = native();
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-socket-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('PacketSocket on lo', () => {
  test('each datagram arrives once, in pcapng EPBs identical to tcpdump -w', async () => {
    const receiver = dgram.createSocket('udp4');
    await new Promise<void>((r) => receiver.bind(0, '127.0.0.1', r));
    const port = receiver.address().port;
    const tcpdump = spawn('tcpdump', ['-i', 'lo', '-w', path.join(tmp, 'lo.pcap'), '-U', '-s', '262144', `udp port ${port}`], { stdio: ['ignore', 'ignore', 'pipe'] });
    try {
      await waitForStderr(tcpdump, /listening on/);
      const cap = capture({ interface: 'lo', snapLen: 262144, retireTimeoutMs: 20 });
      assert.equal(cap.socket.linkType, 1);
      assert.equal(cap.socket.ifindex, n.listInterfaces().find((i) => i.name === 'lo')?.index);
      const sender = dgram.createSocket('udp4');
      const count = 200;
      const marker = `sievecap-lo-${process.pid}-`;
      const startNs = BigInt(Date.now()) * 1_000_000n;
      let received = 0;
      receiver.on('message', () => received++);
      for (let i = 0; i < count; i++) {
        await new Promise<void>((r) => sender.send(`${marker}${String(i).padStart(4, '0')}`, port, '127.0.0.1', () => r()));
      }
      await waitFor(() => received === count, 'the datagrams to arrive');
      await waitFor(() => containing(cap.batches.flatMap((b) => parseEpbs(b.batch)), marker).length >= count, 'the capture');
      const batches = await cap.stop();
      const endNs = BigInt(Date.now()) * 1_000_000n;
      sender.close();

      for (const { batch, count: c } of batches) assert.equal(parseEpbs(batch).length, c, 'packetCount matches the batch');
      const ours = containing(batches.flatMap((b) => parseEpbs(b.batch)), marker);
      assert.equal(ours.length, count, 'each datagram exactly once (the outgoing loopback copy is skipped)');
      for (let i = 0; i < count; i++) assert.ok(ours[i].data.includes(`${marker}${String(i).padStart(4, '0')}`), 'in order');
      for (const r of ours) {
        assert.equal(r.flags, 1, 'epb_flags inbound');
        assert.equal(r.caplen, 14 + 20 + 8 + marker.length + 4);
        assert.equal(r.len, r.caplen);
        assert.ok(r.tsNs >= startNs - 1_000_000_000n && r.tsNs <= endNs + 1_000_000_000n, 'timestamp near now');
      }
      const stats = cap.socket.stats();
      assert.ok(stats.packets >= 2 * count, `kernel counted both loopback copies (${stats.packets})`);
      assert.equal(stats.drops, 0);
      assert.deepEqual(cap.socket.stats(), stats, 'stats stay readable and stable after close');

      const reference = await waitForTcpdumpFile(path.join(tmp, 'lo.pcap'), marker, count);
      tcpdump.kill('SIGINT');
      assert.equal((await finished(tcpdump)).code, 0);
      sameFrames(ours, reference);
      // Each packet socket stamps on its own receive path, so the clocks agree only roughly.
      ours.forEach((r, i) => {
        const diff = r.tsNs - reference[i].tsNs;
        assert.ok((diff < 0n ? -diff : diff) < 1_000_000_000n, 'timestamp agrees with tcpdump');
      });
    } finally {
      if (tcpdump.exitCode === null) tcpdump.kill('SIGKILL');
      receiver.close();
    }
  });

  test('batches handed back with recycle() carry later batches intact', async () => {
    const receiver = dgram.createSocket('udp4');
    await new Promise<void>((r) => receiver.bind(0, '127.0.0.1', r));
    const port = receiver.address().port;
    const progFd = loadAcceptAll();
    const socket = new n.PacketSocket({ interface: 'lo', snapLen: 262144, retireTimeoutMs: 10, blockSize: 1 << 16, blockCount: 4 });
    socket.attachBpf(progFd);
    // Copy each batch out, then hand its memory back: the reader fills it with a later batch.
    const copies: Buffer[] = [];
    const handedBack: boolean[] = [];
    let last: Buffer | undefined;
    socket.start((batch) => {
      copies.push(Buffer.from(batch));
      handedBack.push(socket.recycle(batch));
      last = batch;
    });
    const sender = dgram.createSocket('udp4');
    const marker = `sievecap-recycle-${process.pid}-`;
    const count = 600;
    let received = 0;
    receiver.on('message', () => received++);
    for (let i = 0; i < count; i++) {
      // 1000-byte datagrams: a 64 KiB block holds ~60, so the 600 fill many batches.
      const payload = Buffer.alloc(1000, 0x20);
      payload.write(`${marker}${String(i).padStart(4, '0')}`);
      await new Promise<void>((r) => sender.send(payload, port, '127.0.0.1', () => r()));
      if (i % 50 === 49) await sleep(15); // let blocks retire between bursts
    }
    await waitFor(() => received === count, 'the datagrams to arrive');
    await waitFor(() => containing(copies.flatMap((b) => parseEpbs(b)), marker).length >= count, 'the capture');
    await socket.close();
    n.closeFd(progFd);
    sender.close();
    receiver.close();
    assert.ok(copies.length >= 5, `several batches (${copies.length})`);
    assert.ok(handedBack.every((b) => b), 'every delivered batch was memory the socket lent');
    assert.equal(socket.recycle(last!), false, 'a batch handed back twice is refused');
    assert.equal(socket.recycle(Buffer.alloc(64)), false, 'memory the socket did not lend is refused');
    const ours = containing(copies.flatMap((b) => parseEpbs(b)), marker);
    assert.equal(ours.length, count, 'each datagram exactly once');
    ours.forEach((r, i) => {
      assert.ok(r.data.includes(`${marker}${String(i).padStart(4, '0')}`), `datagram ${i} in order and intact`);
      assert.equal(r.caplen, 14 + 20 + 8 + 1000);
    });
  });

  test('pcap records honour the snap length', async () => {
    const receiver = dgram.createSocket('udp4');
    await new Promise<void>((r) => receiver.bind(0, '127.0.0.1', r));
    const port = receiver.address().port;
    const cap = capture({ interface: 'lo', snapLen: 60, recordFormat: 'pcap', retireTimeoutMs: 20, blockSize: 1 << 16, blockCount: 4 });
    const sender = dgram.createSocket('udp4');
    const payload = Buffer.alloc(500, 0x5a);
    const count = 20;
    for (let i = 0; i < count; i++) {
      payload.writeUInt32BE(0xc0ffee00 + i, 0);
      await new Promise<void>((r) => sender.send(payload, port, '127.0.0.1', () => r()));
    }
    const udpRecords = () => cap.batches.flatMap((b) => parsePcapRecords(b.batch)).filter((r) => r.len === 14 + 20 + 8 + 500 && r.data.readUInt16BE(36) === port);
    await waitFor(() => udpRecords().length >= count, 'the capture');
    await cap.stop();
    sender.close();
    receiver.close();
    const records = udpRecords();
    assert.equal(records.length, count);
    for (const r of records) {
      assert.equal(r.caplen, 60);
      assert.equal(r.data.length, 60);
      assert.equal(r.data.readUInt16BE(12), 0x0800);
    }
  });
});

describe('PacketSocket errors and lifetime', () => {
  test('a missing interface throws ENODEV with a hint', () => {
    assert.throws(
      () => new n.PacketSocket({ interface: 'nosuchif9', snapLen: 100 }),
      (err: NodeJS.ErrnoException) =>
        err.code === 'ENODEV' && err.errno === 19 && /no such interface 'nosuchif9'.*sievecap -D/.test(err.message),
    );
  });

  test('without privileges: EPERM with a sentence saying what is needed', () => {
    const child = `
      const n = require(${JSON.stringify(addonPath)});
      // Loaded first, then nobody: the checkout may lie where nobody cannot read it.
      n.dropPrivileges({ uid: 65534, gid: 65534, keepCapabilities: [] });
      const out = [];
      const attempt = (f) => { try { f(); out.push(null); } catch (e) { out.push({ code: e.code, message: e.message }); } };
      attempt(() => new n.PacketSocket({ interface: 'lo', snapLen: 100 }));
      attempt(() => n.bpfProgLoad({ insns: Buffer.from([0xb7,0,0,0,0,0,4,0,0x95,0,0,0,0,0,0,0]), progType: 1, license: 'GPL' }));
      attempt(() => n.bpfMapCreate({ mapType: 1, keySize: 4, valueSize: 4, maxEntries: 1 }));
      process.stdout.write(JSON.stringify(out));`;
    // The addon's own dropPrivileges makes the child nobody, with no capabilities.
    const out = execFileSync(process.execPath, ['-e', child], { encoding: 'utf8', cwd: '/' });
    const [socketErr, progErr, mapErr] = JSON.parse(out) as Array<{ code: string; message: string } | null>;
    assert.equal(socketErr?.code, 'EPERM');
    assert.match(socketErr!.message, /capturing needs CAP_NET_RAW \(run as root or via the Sievecap helper\)/);
    for (const err of [progErr, mapErr]) {
      assert.equal(err?.code, 'EPERM');
      assert.match(err!.message, /needs CAP_BPF/);
    }
  });

  test('bad options throw TypeError', () => {
    assert.throws(() => new n.PacketSocket({ interface: 'lo', snapLen: 0 }), TypeError);
    assert.throws(() => new n.PacketSocket({ interface: 'lo', snapLen: 100, blockSize: 5000 }), TypeError);
    assert.throws(() => new n.PacketSocket({ interface: 'lo', snapLen: 100, recordFormat: 'x' as never }), TypeError);
  });

  test('close() is idempotent, works before start, and methods after it throw', async () => {
    const s = new n.PacketSocket({ interface: 'lo', snapLen: 100 });
    await Promise.all([s.close(), s.close()]);
    await s.close();
    assert.throws(() => s.start(() => {}), { code: 'EBADF' });
    const cap = capture({ interface: 'lo', snapLen: 100 });
    const first = cap.socket.close();
    assert.equal(cap.socket.close(), first, 'a second close() while closing returns the same promise');
    await first;
  });

  for (const [name, ending] of [
    ['after close() the process exits by itself', 'await s.close(); n.closeFd(fd);'],
    ['process.exit() while capturing leaves no thread behind', 'process.exit(0);'],
  ] as const) {
    test(name, () => {
      const child = `
        const n = require(${JSON.stringify(addonPath)});
        const { fd } = n.bpfProgLoad({ insns: Buffer.from([0xb7,0,0,0,0,0,4,0,0x95,0,0,0,0,0,0,0]), progType: 1, license: 'GPL' });
        const s = new n.PacketSocket({ interface: 'lo', snapLen: 262144 });
        s.attachBpf(fd);
        s.start(() => {});
        setTimeout(async () => { ${ending} }, 100);`;
      execFileSync(process.execPath, ['-e', child], { timeout: 10000, stdio: 'pipe' });
    });
  }
});
