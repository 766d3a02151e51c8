/**
 * Live capture, end to end: real traffic through a veth pair (and a namespace's own loopback)
 * captured at the same time by `sievecap -w` and `tcpdump -w` with the same filter. The files must
 * hold the same packets, byte for byte, and open in tshark without a warning.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createNetnsPair, finished, sleep, waitForStderr, type NetnsPair } from './support/netns';
import { execFileSync } from 'node:child_process';
import { SIEVECAP, sievecap, framesOf, timedFramesOf, toolVersions, tsharkRead, type TimedFrame } from './support/sievecap';
import { udpFrames, withVlanTag, writePcap } from './support/frames';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-live-'));
let pair: NetnsPair;
let httpServer: ReturnType<NetnsPair['spawn']> | undefined;
const taggedFile = path.join(tmp, 'tagged.pcap');

before(() => {
  pair = createNetnsPair();
  // Tagged frames (802.1Q vlan 100 and QinQ) replayed from the peer: the kernel strips the outer
  // tag on vethA before any socket filter runs, and both tools must put it back.
  const mac = (ns: string, dev: string): string => pair.exec(ns, ['cat', `/sys/class/net/${dev}/address`]).trim();
  const plain = udpFrames({
    count: 4, srcMac: mac(pair.nsB, pair.vethB), dstMac: mac(pair.nsA, pair.vethA),
    srcIp: '10.99.100.2', dstIp: '10.99.100.1', dstPort: 7000, payload: 40,
  });
  writePcap(taggedFile, [
    ...plain.slice(0, 2).map((f) => withVlanTag(f, 100, 0x8100, 3)),
    withVlanTag(withVlanTag(plain[2]!, 200), 300, 0x88a8),
    withVlanTag(plain[3]!, 101),
  ]);
  fs.writeFileSync(path.join(tmp, 'index.html'), 'x'.repeat(5000));
  httpServer = pair.spawn(pair.nsB, ['python3', '-m', 'http.server', '--bind', pair.ipB, '--directory', tmp, '8000']);
  console.log(`# reference: ${toolVersions()}`);
});

after(() => {
  if (httpServer?.pid) process.kill(httpServer.pid, 'SIGTERM');
  pair?.destroy();
  if (!process.env.SIEVECAP_KEEP_TMP) fs.rmSync(tmp, { recursive: true, force: true });
  else console.log(`# kept ${tmp}`);
});

/** Bounded traffic of several kinds: ICMP, ICMPv6, HTTP over TCP, UDP, and tagged UDP frames. */
function makeTraffic(): void {
  pair.exec(pair.nsA, ['ping', '-c', '3', '-i', '0.05', '-W', '1', pair.ipB]);
  pair.exec(pair.nsA, ['ping', '-6', '-c', '2', '-i', '0.05', '-W', '1', pair.ip6B]);
  // The server may still be starting on a busy machine: curl retries a refused connection.
  pair.exec(pair.nsA, ['curl', '-s', '--retry', '8', '--retry-connrefused', '--retry-delay', '1', '-o', '/dev/null', '--max-time', '5', `http://${pair.ipB}:8000/index.html`]);
  pair.exec(pair.nsA, [
    'python3', '-c',
    `import socket\ns=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\nfor k in range(5): s.sendto(bytes(100+k), ('${pair.ipB}', 5353))`,
  ]);
  pair.exec(pair.nsB, ['tcpreplay', '-q', '-i', pair.vethB, taggedFile]);
}

interface Window {
  fromNs: bigint;
  toNs: bigint;
}

async function captureBoth(
  filter: string,
  extra: string[] = [],
  oursOnly: string[] = [],
  oursExtension = 'pcapng',
): Promise<{ ours: string; theirs: string; window: Window }> {
  const name = [filter, ...oursOnly].join(' ').replace(/[^a-z0-9]+/gi, '_') || 'all';
  const ours = path.join(tmp, `${name}.${oursExtension}`);
  const theirs = path.join(tmp, `${name}.ref.pcap`);
  const sc = pair.spawn(pair.nsA, [process.execPath, SIEVECAP, '-i', pair.vethA, '-w', ours, ...extra, ...oursOnly, filter]);
  const td = pair.spawn(pair.nsA, ['tcpdump', '--immediate-mode', '-i', pair.vethA, '-w', theirs, ...extra, filter]);
  const scDone = finished(sc);
  const tdDone = finished(td);
  try {
    await Promise.all([waitForStderr(sc, /listening on/), waitForStderr(td, /listening on/)]);
  } catch (err) {
    sc.kill('SIGKILL');
    td.kill('SIGKILL');
    throw err;
  }
  await sleep(300);
  const fromNs = BigInt(Date.now()) * 1_000_000n;
  makeTraffic();
  const toNs = BigInt(Date.now()) * 1_000_000n;
  // Both tools retire ring blocks on a timer; give the last block time to reach them.
  await sleep(1200);
  sc.kill('SIGINT');
  td.kill('SIGINT');
  const [s, t] = await Promise.all([scDone, tdDone]);
  assert.equal(s.code, 0, `sievecap failed: ${s.stderr}`);
  assert.equal(t.code, 0, `tcpdump failed: ${t.stderr}`);
  assert.match(s.stderr, /\d+ packets? captured\n\d+ packets? received by filter\n\d+ packets? dropped by kernel/);
  return { ours, theirs, window: { fromNs, toNs } };
}

/**
 * The two tools start and stop a few hundred milliseconds apart, and a fresh veth chatters on its
 * own (IPv6 router solicitations, MLD reports). Frames one tool saw outside the other's lifetime
 * are left out, but only if they fall outside the window in which the test made its traffic.
 */
function sameWindow(oursFile: string, theirsFile: string, window: Window): { a: Buffer[]; b: Buffer[] } {
  const a = timedFramesOf(oursFile);
  const b = timedFramesOf(theirsFile);
  // Each socket may stamp a frame itself (tcpdump also rounds to µs): allow 5 ms either way.
  const slack = 5_000_000n;
  const trim = (list: TimedFrame[], other: TimedFrame[]): Buffer[] => {
    if (other.length === 0) return list.map((f) => f.data);
    const first = other[0]!.tsNs - slack;
    const last = other[other.length - 1]!.tsNs + slack;
    const kept = list.filter((f) => f.tsNs >= first && f.tsNs <= last);
    const dropped = list.filter((f) => f.tsNs < first || f.tsNs > last);
    for (const f of dropped) {
      assert.ok(f.tsNs < window.fromNs || f.tsNs > window.toNs, 'a frame of the test traffic was seen by only one tool');
    }
    return kept.map((f) => f.data);
  };
  return { a: trim(a, b), b: trim(b, a) };
}

/**
 * Both tools must hold the same frames in the same order, except that two frames crossing the veth
 * at the same moment in opposite directions (one leaving on one CPU, one arriving on the other)
 * may reach two packet sockets in either order: the kernel hands each frame to its sockets in
 * turn, so a pair in flight at once can interleave differently for each socket. Such a pair is
 * adjacent in both captures; anything further apart is a real difference.
 */
function sameFramesInKernelOrder(a: Buffer[], b: Buffer[]): void {
  const used = new Array<boolean>(b.length).fill(false);
  for (let k = 0; k < a.length; k++) {
    let found = -1;
    for (let j = Math.max(0, k - 1); j <= Math.min(b.length - 1, k + 1); j++) {
      if (!used[j] && a[k]!.equals(b[j]!)) {
        found = j;
        break;
      }
    }
    assert.ok(found >= 0, `packet ${k + 1} differs (not in tcpdump's capture at ${k + 1} or beside it)`);
    used[found] = true;
  }
}

const filters = ['', 'icmp', 'tcp port 8000', 'udp and greater 120', 'vlan 100 and udp', 'vlan', 'ip6', 'not tcp'];

describe('sievecap -w and tcpdump -w capture the same packets', () => {
  for (const filter of filters) {
    test(`filter '${filter || '(none)'}'`, async () => {
      const { ours, theirs, window } = await captureBoth(filter);
      const { a, b } = sameWindow(ours, theirs, window);
      assert.ok(b.length > 0, 'tcpdump captured nothing: the traffic did not flow');
      assert.equal(a.length, b.length, `sievecap captured ${a.length} packets, tcpdump ${b.length}`);
      sameFramesInKernelOrder(a, b);
      const t = tsharkRead(ours);
      assert.equal(t.count, framesOf(ours).length);
      assert.equal(t.warnings, '', `tshark warned: ${t.warnings}`);
    });
  }

  test('snap length truncates as tcpdump -s does', async () => {
    const { ours, theirs, window } = await captureBoth('tcp', ['-s', '54']);
    const { a, b } = sameWindow(ours, theirs, window);
    assert.ok(b.length > 0);
    assert.deepEqual(a.map((f) => f.toString('hex')), b.map((f) => f.toString('hex')));
    assert.ok(a.every((f) => f.length <= 54));
  });

  test('pcap output (-w x.pcap) opens in tcpdump and tshark', async () => {
    const file = path.join(tmp, 'out.pcap');
    const sc = pair.spawn(pair.nsA, [process.execPath, SIEVECAP, '-i', pair.vethA, '-c', '3', '-w', file, 'icmp']);
    const done = finished(sc);
    await waitForStderr(sc, /listening on/);
    pair.exec(pair.nsA, ['ping', '-c', '2', '-i', '0.05', '-W', '1', pair.ipB]);
    const r = await done;
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /^3 packets captured$/m);
    assert.equal(fs.readFileSync(file).readUInt32LE(0), 0xa1b2c3d4, 'a .pcap name gives a microsecond pcap file');
    assert.equal(tsharkRead(file).count, 3);
  });
});

describe('pcap files as tcpdump writes them', () => {
  // A .pcap name gives a microsecond file, as tcpdump's -w: the helper sends microsecond records,
  // which go to the file as they are. Same frames as tcpdump's file, and the same time stamps
  // within what separates two sockets' stamps of one frame.
  for (const nano of [false, true]) {
    test(`-w x.pcap${nano ? ' --time-stamp-precision nano' : ''}: tcpdump's frames and time stamps`, async () => {
      const precision = nano ? ['--time-stamp-precision', 'nano'] : [];
      const { ours, theirs, window } = await captureBoth('icmp or udp', precision, [], 'pcap');
      const bytes = fs.readFileSync(ours);
      assert.equal(bytes.readUInt32LE(0), nano ? 0xa1b23c4d : 0xa1b2c3d4);
      const { a, b } = sameWindow(ours, theirs, window);
      assert.ok(b.length > 0, 'tcpdump captured nothing: the traffic did not flow');
      assert.equal(a.length, b.length, `sievecap captured ${a.length} packets, tcpdump ${b.length}`);
      sameFramesInKernelOrder(a, b);
      // Every record's fraction is below one second in the file's unit; each frame's time is
      // tcpdump's time of the same frame within 5 ms.
      for (let at = 24; at < bytes.length; at += 16 + bytes.readUInt32LE(at + 8)) {
        assert.ok(bytes.readUInt32LE(at + 4) < (nano ? 1e9 : 1e6), `a record at byte ${at} has a fraction out of range`);
      }
      const theirsTimed = timedFramesOf(theirs);
      for (const f of timedFramesOf(ours).filter((x) => x.tsNs >= window.fromNs && x.tsNs <= window.toNs)) {
        const same = theirsTimed.find((g) => g.data.equals(f.data));
        assert.ok(same, 'a frame of ours is not in tcpdump\'s file');
        const gap = f.tsNs > same.tsNs ? f.tsNs - same.tsNs : same.tsNs - f.tsNs;
        assert.ok(gap < 5_000_000n, `time stamps ${f.tsNs} and ${same.tsNs} ns differ by more than 5 ms`);
      }
      const t = tsharkRead(ours);
      assert.equal(t.count, framesOf(ours).length);
      assert.equal(t.warnings, '', `tshark warned: ${t.warnings}`);
    });
  }
});

describe('display filter on a live capture (-Y)', () => {
  // The reference: tcpdump captures everything at the same time, then tshark -Y picks from its file.
  const displayFilters = ['icmp.type == 8 || tcp.flags.syn == 1', 'http.request.method == "GET" || udp.length > 104', 'ipv6 && !tcp'];
  for (const display of displayFilters) {
    test(`-Y '${display}' keeps what tshark -Y keeps from tcpdump's capture`, async () => {
      const { ours, theirs, window } = await captureBoth('', [], ['-Y', display]);
      const theirsFiltered = `${theirs}.Y.pcap`;
      execFileSync('tshark', ['-r', theirs, '-Y', display, '-F', 'pcap', '-w', theirsFiltered], { stdio: 'ignore' });
      const { a, b } = sameWindow(ours, theirsFiltered, window);
      assert.ok(b.length > 0, 'tshark kept nothing: the traffic did not flow');
      assert.equal(a.length, b.length, `sievecap kept ${a.length} packets, tshark ${b.length}`);
      sameFramesInKernelOrder(a, b);
    });
  }

  test('-Y with -c counts matching packets, and a bad -Y captures nothing', async () => {
    const bad = sievecap(['-i', 'lo', '-Y', 'tcp.port ==']);
    // tshark's INVALID_FILTER.
    assert.equal(bad.status, 2, bad.stderr);
    assert.match(bad.stderr, /invalid display filter "tcp.port ==": column 12/);
    assert.doesNotMatch(bad.stderr, /listening on/);
    const sc = pair.spawn(pair.nsA, [process.execPath, SIEVECAP, '-i', pair.vethA, '-c', '2', '-Y', 'icmp.type == 0']);
    const done = finished(sc);
    await waitForStderr(sc, /listening on/);
    pair.exec(pair.nsA, ['ping', '-c', '3', '-i', '0.05', '-W', '1', pair.ipB]);
    const r = await done;
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /^2 packets captured$/m);
    const lines = r.stdout.trim().split('\n');
    assert.equal(lines.length, 2, r.stdout);
    // -Y asks for tshark's summary, as tshark prints it live: 9-digit times.
    for (const line of lines) assert.match(line, /^ *\d+ \d+\.\d{9} .* ICMP \d+ Echo \(ping\) reply /);
  });
});

describe('loopback', () => {
  test('each packet once (the outgoing copy is dropped as libpcap does), same as tcpdump', async () => {
    const ours = path.join(tmp, 'lo.pcapng');
    const theirs = path.join(tmp, 'lo.ref.pcap');
    const sc = pair.spawn(pair.nsA, [process.execPath, SIEVECAP, '-i', 'lo', '-w', ours, 'icmp']);
    const td = pair.spawn(pair.nsA, ['tcpdump', '--immediate-mode', '-i', 'lo', '-w', theirs, 'icmp']);
    const done = Promise.all([finished(sc), finished(td)]);
    await Promise.all([waitForStderr(sc, /listening on/), waitForStderr(td, /listening on/)]);
    pair.exec(pair.nsA, ['ping', '-c', '4', '-i', '0.05', '127.0.0.1']);
    await sleep(400);
    sc.kill('SIGINT');
    td.kill('SIGINT');
    await done;
    const a = framesOf(ours);
    const b = framesOf(theirs);
    assert.equal(b.length, 8, 'tcpdump sees 4 requests and 4 replies');
    assert.deepEqual(a.map((f) => f.toString('hex')), b.map((f) => f.toString('hex')));
  });
});
