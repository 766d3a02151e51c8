/**
 * Live capture through the privileged helper, with real processes and real signals: nothing the
 * capture had received is lost whichever way it ends, the helper keeps only what capture needs,
 * and several interfaces go into one file in time order. Files are checked with tshark/capinfos.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { finished, sleep, waitForStderr, createNetnsPair, type NetnsPair } from './support/netns';
import { SIEVECAP, timedFramesOf } from './support/sievecap';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-helper-'));
// Files written by a capture that runs as nobody (-Z) go where nobody may write.
fs.chmodSync(tmp, 0o1777);

after(() => {
  if (!process.env.SIEVECAP_KEEP_TMP) fs.rmSync(tmp, { recursive: true, force: true });
});

let portCounter = 0;
/** A UDP port of this run, so parallel captures on lo see only their own flood. */
function nextPort(): number {
  return 20000 + ((process.pid * 7 + portCounter++ * 13) % 20000);
}

/** Sends `count` small UDP datagrams to 127.0.0.1:port (bounded: stops by itself). */
function flood(port: number, count: number, perSecond = 0): ChildProcess {
  const pace = perSecond > 0 ? `\n    if i % 100 == 0: time.sleep(100 / ${perSecond})` : '';
  const script = `import socket, time\ns = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\nfor i in range(${count}):\n    s.sendto(b'%020d' % i, ('127.0.0.1', ${port}))${pace}\n`;
  return spawn('python3', ['-c', script], { stdio: 'ignore' });
}

function startCapture(args: string[]): ChildProcess {
  return spawn(process.execPath, ['--single-threaded', SIEVECAP, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
}

function capturedCount(stderr: string): number {
  const m = /(\d+) packets? captured/.exec(stderr);
  assert.ok(m, `no "captured" line in: ${stderr}`);
  return Number(m[1]);
}

/** Packets in a file, as capinfos counts them; a damaged or cut-short file fails the test. */
function fileCount(file: string): number {
  const r = spawnSync('capinfos', ['-M', '-c', file], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, `capinfos ${file}: ${r.stderr}`);
  assert.equal(r.stderr.trim(), '', `capinfos warns about ${file}`);
  const m = /Number of packets:\s+(\d+)/.exec(r.stdout);
  assert.ok(m, r.stdout);
  return Number(m[1]);
}

/** The helper started by a CLI process: its child running app/helper/main.js. */
function helperOf(cliPid: number): number | undefined {
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const status = fs.readFileSync(`/proc/${entry}/status`, 'utf8');
      if (Number(/^PPid:\s*(\d+)/m.exec(status)?.[1]) !== cliPid) continue;
      if (fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes('helper/main.js')) return Number(entry);
    } catch {
      // the process went away
    }
  }
  return undefined;
}

function statusOf(pid: number): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of fs.readFileSync(`/proc/${pid}/status`, 'utf8').split('\n')) {
    const m = /^(\w+):\s*(.*)$/.exec(line);
    if (m) out[m[1]!] = m[2]!;
  }
  return out;
}

/** True while the process runs (a zombie left to a PID 1 that does not reap counts as ended). */
function alive(pid: number): boolean {
  try {
    return !/^State:\s*Z/m.test(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false;
  }
}

describe('privileges', () => {
  test('with -Z nobody the CLI and the helper run as nobody; only the helper keeps CAP_NET_RAW and CAP_BPF', async () => {
    const port = nextPort();
    const file = path.join(tmp, 'z.pcapng');
    const cli = startCapture(['-i', 'lo', '-Z', 'nobody', '-w', file, `udp port ${port}`]);
    const done = finished(cli);
    await waitForStderr(cli, /listening on lo/);
    const helper = helperOf(cli.pid!);
    assert.ok(helper, 'the helper runs as a child of the CLI');
    const h = statusOf(helper);
    const c = statusOf(cli.pid!);
    assert.equal(h.Uid, '65534\t65534\t65534\t65534');
    assert.equal(c.Uid, '65534\t65534\t65534\t65534');
    // CAP_NET_RAW is bit 13, CAP_BPF bit 39.
    const wanted = (1n << 13n) | (1n << 39n);
    assert.equal(BigInt('0x' + h.CapEff), wanted);
    assert.equal(BigInt('0x' + h.CapPrm), wanted);
    assert.equal(BigInt('0x' + h.CapBnd), wanted);
    assert.equal(h.NoNewPrivs, '1');
    assert.equal(BigInt('0x' + c.CapEff), 0n);
    assert.equal(BigInt('0x' + c.CapPrm), 0n);
    // The file was opened after the drop: it belongs to nobody.
    assert.equal(fs.statSync(file).uid, 65534);
    const sender = flood(port, 50);
    await finished(sender);
    await sleep(400);
    cli.kill('SIGINT');
    const r = await done;
    assert.equal(r.code, 0, r.stderr);
    assert.equal(capturedCount(r.stderr), 50);
    assert.equal(fileCount(file), 50);
    await sleep(200);
    assert.equal(alive(helper), false, 'the helper exits with its client');
  });
});

describe('nothing captured is lost', () => {
  test('Ctrl-C twice in quick succession (SIGINT then SIGTERM) during a busy capture', async () => {
    for (const [first, second, gapMs] of [['SIGINT', 'SIGINT', 5], ['SIGINT', 'SIGTERM', 30]] as const) {
      const port = nextPort();
      const file = path.join(tmp, `double-${second}.pcapng`);
      const cli = startCapture(['-i', 'lo', '-w', file, `udp port ${port}`]);
      const done = finished(cli);
      await waitForStderr(cli, /listening on lo/);
      const sender = flood(port, 200_000);
      // Busy: packets are reaching the file (the sender's start-up is slow on a loaded machine).
      for (let i = 0; i < 200 && (fs.statSync(file, { throwIfNoEntry: false })?.size ?? 0) < 256 * 1024; i++) await sleep(50);
      await sleep(200);
      cli.kill(first);
      await sleep(gapMs);
      cli.kill(second);
      const r = await done;
      sender.kill('SIGKILL');
      assert.equal(r.code, 0, `${first}+${second}: ${r.stderr}`);
      const captured = capturedCount(r.stderr);
      assert.ok(captured > 1000, `a busy capture (${captured} packets)`);
      assert.equal(fileCount(file), captured, 'the file holds every packet the exit lines count');
    }
  });

  test('SIGKILL of the capturing process: what arrived more than a second before is on disk', async () => {
    const port = nextPort();
    const file = path.join(tmp, 'sigkill.pcapng');
    const cli = startCapture(['-i', 'lo', '-w', file, `udp port ${port}`]);
    const done = finished(cli);
    await waitForStderr(cli, /listening on lo/);
    const helper = helperOf(cli.pid!)!;
    await finished(flood(port, 5000));
    await sleep(1100);
    cli.kill('SIGKILL');
    await done;
    assert.equal(fileCount(file), 5000);
    await sleep(300);
    assert.equal(alive(helper), false, 'the helper exits when its client dies');
  });

  test('the helper is killed mid-capture: a message naming it, every frame received kept', async () => {
    const port = nextPort();
    const file = path.join(tmp, 'helper-killed.pcapng');
    const cli = startCapture(['-i', 'lo', '-w', file, `udp port ${port}`]);
    const done = finished(cli);
    await waitForStderr(cli, /listening on lo/);
    const helper = helperOf(cli.pid!)!;
    await finished(flood(port, 3000));
    await sleep(400);
    process.kill(helper, 'SIGKILL');
    const r = await done;
    assert.equal(r.code, 1);
    assert.match(r.stderr, new RegExp(`the capture helper \\(pid ${helper}\\) was killed by SIGKILL`));
    assert.equal(capturedCount(r.stderr), 3000);
    assert.equal(fileCount(file), 3000);
  });

  test('a full disk: a clear message, every frame up to that point kept in a valid file', async () => {
    const dir = fs.mkdtempSync(path.join(tmp, 'tmpfs-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=512k', 'tmpfs', dir]);
    try {
      const port = nextPort();
      const file = path.join(dir, 'full.pcapng');
      const cli = startCapture(['-i', 'lo', '-w', file, `udp port ${port}`]);
      const done = finished(cli);
      await waitForStderr(cli, /listening on lo/);
      const sender = flood(port, 50_000, 20_000);
      const r = await done;
      sender.kill('SIGKILL');
      assert.equal(r.code, 1);
      assert.match(r.stderr, /the disk is full/);
      const inFile = fileCount(file);
      assert.ok(inFile > 1000, `the file holds what fitted (${inFile} packets)`);
      assert.ok(fs.statSync(file).size > 400 * 1024);
    } finally {
      execFileSync('umount', [dir]);
    }
  });
});

describe('a slow reader', () => {
  test('the helper does not buffer without bound: the kernel drops, and counts them', async () => {
    const port = nextPort();
    const file = path.join(tmp, 'slow.pcap');
    // -w - into a pipe that nobody reads for a while: the CLI blocks, the helper's socket fills,
    // and the helper pauses its ring.
    const cli = spawn('bash', ['-c', `"${process.execPath}" --single-threaded "${SIEVECAP}" -i lo -B 1024 -w - 'udp port ${port}' | (sleep 4; cat > "${file}")`], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const done = finished(cli);
    await waitForStderr(cli, /listening on lo/);
    const sievecapPid = Number(execFileSync('pgrep', ['-P', String(cli.pid), '-f', 'sievecap']).toString().trim().split('\n')[0]);
    const helper = helperOf(sievecapPid)!;
    const sender = flood(port, 400_000);
    let peakKiB = 0;
    for (let k = 0; k < 25 && sender.exitCode === null; k++) {
      await sleep(100);
      peakKiB = Math.max(peakKiB, Number(/(\d+)/.exec(statusOf(helper).VmRSS ?? '0')![1]));
    }
    await finished(sender);
    await sleep(4000);
    process.kill(sievecapPid, 'SIGINT');
    const r = await done;
    const dropped = Number(/(\d+) packets? dropped by kernel/.exec(r.stderr)?.[1]);
    assert.ok(dropped > 0, `the kernel dropped packets: ${r.stderr}`);
    assert.ok(peakKiB < 200 * 1024, `the helper stayed small (${peakKiB} KiB)`);
    assert.equal(fileCount(file), capturedCount(r.stderr));
  });
});

describe('interfaces in network namespaces', () => {
  let pair: NetnsPair;
  before(() => {
    pair = createNetnsPair();
  });
  after(() => pair?.destroy());

  test('several -i into one pcapng file: an interface block each, packets tagged and in time order', async () => {
    // A second veth pair between the same namespaces.
    const a2 = `${pair.vethA}x`;
    const b2 = `${pair.vethB}x`;
    execFileSync('ip', ['-n', pair.nsA, 'link', 'add', a2, 'type', 'veth', 'peer', 'name', b2, 'netns', pair.nsB]);
    execFileSync('ip', ['-n', pair.nsA, 'addr', 'add', '10.231.0.1/24', 'dev', a2]);
    execFileSync('ip', ['-n', pair.nsB, 'addr', 'add', '10.231.0.2/24', 'dev', b2]);
    execFileSync('ip', ['-n', pair.nsA, 'link', 'set', a2, 'up']);
    execFileSync('ip', ['-n', pair.nsB, 'link', 'set', b2, 'up']);
    const file = path.join(tmp, 'two.pcapng');
    const cli = pair.spawn(pair.nsA, [process.execPath, '--single-threaded', SIEVECAP, '-i', pair.vethA, '-i', a2, '-w', file, 'icmp']);
    const done = finished(cli);
    await waitForStderr(cli, new RegExp(`listening on ${a2}`));
    for (let k = 0; k < 5; k++) {
      pair.exec(pair.nsA, ['ping', '-c', '1', '-W', '1', pair.ipB]);
      pair.exec(pair.nsA, ['ping', '-c', '1', '-W', '1', '10.231.0.2']);
    }
    await sleep(600);
    cli.kill('SIGINT');
    const r = await done;
    assert.equal(r.code, 0, r.stderr);
    assert.equal(capturedCount(r.stderr), 20);
    const lines = execFileSync('tshark', ['-r', file, '-T', 'fields', '-e', 'frame.interface_name', '-e', 'ip.dst', '-e', 'frame.time_epoch'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
      .trim()
      .split('\n')
      .map((l) => l.split('\t'));
    assert.equal(lines.length, 20);
    for (const [iface, dst] of lines) {
      const expected = dst === pair.ipB || dst === pair.ipA ? pair.vethA : a2;
      assert.equal(iface, expected, `packet to ${dst} tagged with its interface`);
    }
    const frames = timedFramesOf(file);
    for (let k = 1; k < frames.length; k++) assert.ok(frames[k - 1]!.tsNs <= frames[k]!.tsNs, `packet ${k + 1} is in time order`);
    const interfaces = execFileSync('capinfos', ['-M', file], { encoding: 'utf8' });
    assert.match(interfaces, /Number of interfaces in file: 2/);
  });

  test('the captured interface is deleted mid-capture: the capture ends with a clear message, nothing lost', async () => {
    const gone = `${pair.vethA}g`;
    execFileSync('ip', ['-n', pair.nsA, 'link', 'add', gone, 'type', 'veth', 'peer', 'name', `${pair.vethB}g`, 'netns', pair.nsB]);
    execFileSync('ip', ['-n', pair.nsA, 'addr', 'add', '10.232.0.1/24', 'dev', gone]);
    execFileSync('ip', ['-n', pair.nsB, 'addr', 'add', '10.232.0.2/24', 'dev', `${pair.vethB}g`]);
    execFileSync('ip', ['-n', pair.nsA, 'link', 'set', gone, 'up']);
    execFileSync('ip', ['-n', pair.nsB, 'link', 'set', `${pair.vethB}g`, 'up']);
    const file = path.join(tmp, 'vanished.pcapng');
    const reference = path.join(tmp, 'vanished.tcpdump.pcap');
    const cli = pair.spawn(pair.nsA, [process.execPath, '--single-threaded', SIEVECAP, '-i', gone, '-w', file, 'icmp']);
    const td = pair.spawn(pair.nsA, ['tcpdump', '--immediate-mode', '-i', gone, '-w', reference, 'icmp']);
    const done = finished(cli);
    const tdDone = finished(td);
    await Promise.all([waitForStderr(cli, new RegExp(`listening on ${gone}`)), waitForStderr(td, /listening on/)]);
    pair.exec(pair.nsA, ['ping', '-c', '3', '-i', '0.05', '-W', '1', '10.232.0.2']);
    await sleep(400);
    const deletedAt = Date.now();
    execFileSync('ip', ['-n', pair.nsA, 'link', 'del', gone]);
    const r = await done;
    const tookMs = Date.now() - deletedAt;
    assert.equal(r.code, 1);
    assert.match(r.stderr, new RegExp(`${gone}: .*disappeared`, 'i'));
    assert.ok(tookMs < 3000, `ended ${tookMs} ms after the interface was deleted`);
    assert.equal(fileCount(file), capturedCount(r.stderr));
    assert.ok(capturedCount(r.stderr) >= 6);
    // tcpdump, the reference, also ends on its own with "The interface disappeared", having the same packets.
    const t = await tdDone;
    assert.match(t.stderr, /interface disappeared/i);
    assert.equal(fileCount(reference), capturedCount(r.stderr));
  });
});
