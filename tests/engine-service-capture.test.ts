/**
 * Live capture through the engine service and the real, privileged capture helper, on a veth pair
 * in network namespaces this test creates (the engine runs inside one: engine-service-child.ts):
 * what it captures equals what tcpdump captures of the same traffic; saved pcap and pcapng files
 * read back in tshark with the spool's frames and time stamps; the helper is reused after a stop;
 * an interface deleted mid-capture and a killed helper end the capture with captureError, keeping
 * the frames; a full disk fails a save cleanly; a damaged presets file is left byte-identical.
 * Needs root, tcpdump, tshark, ping and python3.
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CaptureReader } from '../app/pcap/reader';
import { requireTool, tempDir } from './pcap-helpers';
import { EngineProcess } from './support/engine-process';
import { createNetnsPair, finished, sleep, waitForStderr, waitForStdout, type NetnsPair } from './support/netns';

const tmp = tempDir('engine-capture');
const configDir = path.join(tmp.dir, 'config');
/** A small file system that the test fills up, mounted before the engine starts (so its namespace has it). */
const smallDisk = path.join(tmp.dir, 'small-disk');

/** Frames of a capture file: bytes as hex, in order. */
function framesOf(file: string): string[] {
  const reader = CaptureReader.open(file);
  const out: string[] = [];
  for (let p = reader.next(); p; p = reader.next()) out.push(p.data.toString('hex'));
  reader.close();
  return out;
}

function tsharkFields(file: string): string {
  return execFileSync('tshark', ['-r', file, '-T', 'fields', '-e', 'frame.time_epoch', '-e', 'frame.len'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 60_000 });
}

/** Sends `count` UDP datagrams from namespace A to B's port (bounded), one after the other. */
function udpBurst(pair: NetnsPair, port: number, count: number): void {
  const script = `import socket, time\ns = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\nfor i in range(${count}):\n    s.sendto(b'sievecap %04d' % i, ('${pair.ipB}', ${port}))\n    time.sleep(0.005)\n`;
  pair.exec(pair.nsA, ['python3', '-c', script]);
}

/** A veth pair of its own between the test's namespaces, to capture on and delete. */
function extraVeth(pair: NetnsPair, suffix: string, subnet: number): { name: string; peerIp: string } {
  const name = `${pair.vethA}${suffix}`;
  const peer = `${pair.vethB}${suffix}`;
  execFileSync('ip', ['-n', pair.nsA, 'link', 'add', name, 'type', 'veth', 'peer', 'name', peer, 'netns', pair.nsB]);
  execFileSync('ip', ['-n', pair.nsA, 'addr', 'add', `10.${subnet}.0.1/24`, 'dev', name]);
  execFileSync('ip', ['-n', pair.nsB, 'addr', 'add', `10.${subnet}.0.2/24`, 'dev', peer]);
  execFileSync('ip', ['-n', pair.nsA, 'link', 'set', name, 'up']);
  execFileSync('ip', ['-n', pair.nsB, 'link', 'set', peer, 'up']);
  return { name, peerIp: `10.${subnet}.0.2` };
}

describe('engine service: live capture through the helper in a network namespace', () => {
  let pair: NetnsPair;
  let engine: EngineProcess;
  let mounted = false;
  /** The first capture's session, saved again by later tests. */
  let captured: { session: number; frames: number } | null = null;

  before(() => {
    for (const tool of ['tcpdump', 'tshark', 'ping', 'python3']) requireTool(tool);
    fs.mkdirSync(smallDisk);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', smallDisk]);
    mounted = true;
    pair = createNetnsPair();
    engine = EngineProcess.start(pair, { spoolDir: tmp.dir, configDir, eventIntervalMs: 50, statisticsIntervalMs: 200 });
  });

  after(async () => {
    await engine?.stop();
    pair?.destroy();
    if (mounted) execFileSync('umount', [smallDisk]);
    tmp.remove();
  });

  test('the frames equal tcpdump’s of the same traffic; counters come while it runs; saved pcap and pcapng read back in tshark', async () => {
    // Echoes only of ICMPv6: the kernel's own neighbour and router solicitations come when they
    // please, and one that falls between the two captures' starts would be in one only.
    const filter = 'icmp or icmp6[icmp6type] == icmp6-echo or icmp6[icmp6type] == icmp6-echoreply or udp port 5555';
    // A receiver for the datagrams (no port-unreachable answers, which the kernel rate-limits).
    const receiver = pair.spawn(pair.nsB, ['python3', '-c', `import socket\ns = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\ns.bind(('${pair.ipB}', 5555))\ns.settimeout(10)\nprint('ready', flush=True)\nfor i in range(12):\n    s.recv(100)\n`]);
    const receiverDone = finished(receiver);
    await waitForStdout(receiver, /ready/, 'the UDP receiver');
    const reference = path.join(tmp.dir, 'reference.pcap');
    const tcpdump = pair.spawn(pair.nsA, ['tcpdump', '--immediate-mode', '--time-stamp-precision', 'nano', '-i', pair.vethA, '-w', reference, filter]);
    const tcpdumpListening = waitForStderr(tcpdump, /listening on/);
    const tcpdumpDone = finished(tcpdump);
    assert.equal(await engine.helperPid(), null, 'no helper before the first capture');
    const [info] = await Promise.all([engine.call('startCapture', { interfaces: [pair.vethA], filter, preset: 'icmp' }), tcpdumpListening]);
    assert.equal(info.state, 'capturing');
    assert.deepEqual(info.capture?.interfaces, [pair.vethA]);
    assert.equal(info.capture?.preset, 'icmp');
    assert.ok((await engine.helperPid()) !== null, 'the helper runs');

    pair.exec(pair.nsA, ['ping', '-c', '8', '-i', '0.05', '-W', '1', pair.ipB]);
    udpBurst(pair, 5555, 12);
    pair.exec(pair.nsA, ['ping', '-6', '-c', '4', '-i', '0.05', '-W', '1', pair.ip6B]);
    assert.equal((await receiverDone).code, 0, 'the receiver got every datagram');
    await engine.until('counters', () => engine.eventsOf('captureStatistics', info.session).some((e) => e.statistics[0]!.received >= 36));
    const stopped = await engine.call('stopCapture', { session: info.session });
    await sleep(300);
    tcpdump.kill('SIGINT');
    const tcpdumpEnd = await tcpdumpDone;

    const theirs = framesOf(reference);
    const ours = framesOf(info.path);
    // 8 ping pairs, 12 datagrams, 4 ICMPv6 echo pairs.
    assert.equal(theirs.length, 36, `tcpdump captured ${theirs.length} frames: ${tcpdumpEnd.stderr}`);
    assert.deepEqual(ours, theirs, 'the same frames, in the same order, as tcpdump');
    const final = await engine.call('sessionInfo', { session: info.session });
    assert.equal(final.state, 'stopped');
    assert.equal(final.frames, theirs.length);
    assert.equal(stopped.statistics.length, 1);
    assert.equal(stopped.statistics[0]!.received, theirs.length, 'the kernel handed every frame to the ring');
    assert.equal(stopped.statistics[0]!.dropped, 0);
    assert.equal(stopped.statistics[0]!.acceptedPackets, theirs.length);
    assert.ok(stopped.statistics[0]!.seenPackets >= theirs.length);
    assert.deepEqual(final.capture?.statistics, stopped.statistics);
    assert.equal(engine.eventsOf('captureEnded', info.session).length, 1);
    assert.equal(engine.eventsOf('captureError', info.session).length, 0);

    const spoolFields = tsharkFields(info.path);
    for (const format of ['pcapng', 'pcap'] as const) {
      const target = path.join(tmp.dir, `saved.${format}`);
      const saved = await engine.call('saveFile', { session: info.session, path: target, format });
      assert.equal(saved.frames, theirs.length);
      assert.equal(saved.bytes, fs.statSync(target).size);
      assert.equal(tsharkFields(target), spoolFields, `${format}: tshark reads the same frames, lengths and nanosecond time stamps`);
      assert.equal(tsharkFields(target).trim().split('\n').length, theirs.length);
    }
    const interfaces = execFileSync('tshark', ['-r', path.join(tmp.dir, 'saved.pcapng'), '-T', 'fields', '-e', 'frame.interface_name'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    assert.deepEqual([...new Set(interfaces.trim().split('\n'))], [pair.vethA], 'the interface block is kept');
    captured = { session: info.session, frames: theirs.length };
  });

  test('the helper is reused by the next capture, and a second capture at once is refused', async () => {
    const pid = await engine.helperPid();
    assert.ok(pid !== null);
    const info = await engine.call('startCapture', { interfaces: [pair.vethA], filter: 'icmp' });
    await engine.fails('EBUSY', 'startCapture', { interfaces: [pair.vethA], filter: '' }, /already running/);
    assert.equal(await engine.helperPid(), pid, 'the same helper');
    pair.exec(pair.nsA, ['ping', '-c', '3', '-i', '0.05', '-W', '1', pair.ipB]);
    await sleep(300);
    const stopped = await engine.call('stopCapture', { session: info.session });
    assert.equal(stopped.statistics[0]!.received, 6);
    assert.equal((await engine.call('sessionInfo', { session: info.session })).frames, 6);
  });

  test('an interface deleted mid-capture: captureError naming it, the session stopped with its frames', async () => {
    const veth = extraVeth(pair, 'g', 233);
    const info = await engine.call('startCapture', { interfaces: [veth.name], filter: 'icmp' });
    pair.exec(pair.nsA, ['ping', '-c', '3', '-i', '0.05', '-W', '1', veth.peerIp]);
    await sleep(400);
    execFileSync('ip', ['-n', pair.nsA, 'link', 'del', veth.name]);
    await engine.until('captureEnded', () => engine.eventsOf('captureEnded', info.session).length === 1);
    const [error] = engine.eventsOf('captureError', info.session);
    assert.ok(error, 'captureError');
    assert.equal(error.interface, veth.name);
    assert.equal(error.error.code, 'ENODEV');
    assert.match(error.error.message, /disappeared/i);
    const after = await engine.call('sessionInfo', { session: info.session });
    assert.equal(after.state, 'stopped');
    assert.equal(after.frames, 6);
    assert.deepEqual(after.capture?.error, error.error);
    await engine.fails('ENOTLIVE', 'stopCapture', { session: info.session });
  });

  test('the helper killed mid-capture: captureError (ENOHELPER), frames kept; a new helper (startHelperNow) serves the next capture', async () => {
    const info = await engine.call('startCapture', { interfaces: [pair.vethA], filter: 'icmp' });
    const pid = (await engine.helperPid())!;
    pair.exec(pair.nsA, ['ping', '-c', '3', '-i', '0.05', '-W', '1', pair.ipB]);
    await sleep(400);
    process.kill(pid, 'SIGKILL');
    await engine.until('captureEnded', () => engine.eventsOf('captureEnded', info.session).length === 1);
    const [error] = engine.eventsOf('captureError', info.session);
    assert.equal(error?.interface, null);
    assert.equal(error?.error.code, 'ENOHELPER');
    assert.match(error!.error.message, new RegExp(`pid ${pid}\\) was killed by SIGKILL`));
    const after = await engine.call('sessionInfo', { session: info.session });
    assert.equal(after.state, 'stopped');
    assert.equal(after.frames, 6);
    assert.equal(await engine.helperPid(), null);

    // Started ahead of the capture (as `serve` does as root), then used by it.
    const newPid = await engine.startHelperNow();
    assert.ok(newPid !== null && newPid !== pid, 'a new helper');
    assert.equal(await engine.helperPid(), newPid);
    const next = await engine.call('startCapture', { interfaces: [pair.vethA], filter: 'icmp' });
    assert.equal(await engine.helperPid(), newPid, 'the capture uses the helper started ahead');
    pair.exec(pair.nsA, ['ping', '-c', '2', '-i', '0.05', '-W', '1', pair.ipB]);
    await sleep(300);
    const stopped = await engine.call('stopCapture', { session: next.session });
    assert.equal(stopped.statistics[0]!.received, 4);
  });

  test('saving onto a full disk: ESAVE saying so, nothing left under the name or beside it', async () => {
    assert.ok(captured, 'the first test captured');
    // Fill the small disk to its last byte.
    const filler = path.join(smallDisk, 'filler');
    const fd = fs.openSync(filler, 'w');
    try {
      for (;;) fs.writeSync(fd, Buffer.alloc(4096, 1));
    } catch (err) {
      assert.equal((err as NodeJS.ErrnoException).code, 'ENOSPC');
    } finally {
      fs.closeSync(fd);
    }
    const target = path.join(smallDisk, 'capture.pcapng');
    await engine.fails('ESAVE', 'saveFile', { session: captured.session, path: target, format: 'pcapng' }, /the disk is full \(ENOSPC\); nothing was written under that name/);
    assert.deepEqual(fs.readdirSync(smallDisk), ['filler']);
  });

  test('a damaged presets file is reported with its path and left byte-identical', async () => {
    fs.mkdirSync(configDir, { recursive: true });
    const file = path.join(configDir, 'presets.json');
    fs.writeFileSync(file, '{"version": 1, "presets": [{"name": "lab", "description": "lab", "filter": "net 10.0.0.0/8"},\n');
    const before = fs.readFileSync(file);
    const listed = await engine.call('listPresets');
    assert.equal(listed.file, file);
    assert.ok(listed.problem?.includes(file) && /not valid JSON/.test(listed.problem), listed.problem ?? 'no problem reported');
    assert.deepEqual(listed.presets.map((p) => p.name), ['all', 'http', 'metadata', 'dns', 'tls', 'tcp-setup', 'icmp', 'arp-nd', 'not-my-ssh']);
    await engine.fails('EPRESET', 'savePreset', { preset: { name: 'web', description: '', filter: 'tcp port 80' } }, /fix it, or move it away/);
    await engine.fails('EPRESET', 'deletePreset', { name: 'lab' });
    assert.deepEqual(fs.readFileSync(file), before);
    assert.deepEqual(fs.readdirSync(configDir).sort(), ['presets.json', 'recent.json'].filter((f) => fs.existsSync(path.join(configDir, f))));
  });
});
