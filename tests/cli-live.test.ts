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
import { SIEVECAP, framesOf, toolVersions, tsharkRead } from './support/sievecap';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-live-'));
let pair: NetnsPair;
let httpServer: ReturnType<NetnsPair['spawn']> | undefined;

before(() => {
  pair = createNetnsPair();
  // A VLAN sub-interface on both ends: frames leave vethB tagged; the kernel strips the tag on
  // vethA before any socket filter runs, and both tools must put it back.
  pair.exec(pair.nsA, ['ip', 'link', 'add', 'link', pair.vethA, 'name', 'vl100', 'type', 'vlan', 'id', '100']);
  pair.exec(pair.nsB, ['ip', 'link', 'add', 'link', pair.vethB, 'name', 'vl100', 'type', 'vlan', 'id', '100']);
  pair.exec(pair.nsA, ['ip', 'addr', 'add', '10.99.100.1/24', 'dev', 'vl100']);
  pair.exec(pair.nsB, ['ip', 'addr', 'add', '10.99.100.2/24', 'dev', 'vl100']);
  pair.exec(pair.nsA, ['ip', 'link', 'set', 'vl100', 'up']);
  pair.exec(pair.nsB, ['ip', 'link', 'set', 'vl100', 'up']);
  fs.writeFileSync(path.join(tmp, 'index.html'), 'x'.repeat(5000));
  httpServer = pair.spawn(pair.nsB, ['python3', '-m', 'http.server', '--bind', pair.ipB, '--directory', tmp, '8000']);
  console.log(`# reference: ${toolVersions()}`);
});

after(() => {
  if (httpServer?.pid) process.kill(httpServer.pid, 'SIGTERM');
  pair?.destroy();
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** Bounded traffic of several kinds: ICMP, ICMPv6, HTTP over TCP, UDP, and tagged ICMP. */
function makeTraffic(): void {
  pair.exec(pair.nsA, ['ping', '-c', '3', '-i', '0.05', '-W', '1', pair.ipB]);
  pair.exec(pair.nsA, ['ping', '-6', '-c', '2', '-i', '0.05', '-W', '1', pair.ip6B]);
  pair.exec(pair.nsA, ['curl', '-s', '-o', '/dev/null', '--max-time', '5', `http://${pair.ipB}:8000/index.html`]);
  pair.exec(pair.nsA, [
    'python3', '-c',
    `import socket\ns=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\nfor k in range(5): s.sendto(bytes(100+k), ('${pair.ipB}', 5353))`,
  ]);
  pair.exec(pair.nsA, ['ping', '-c', '2', '-i', '0.05', '-W', '1', '10.99.100.2']);
}

async function captureBoth(filter: string, extra: string[] = []): Promise<{ ours: string; theirs: string }> {
  const name = filter.replace(/[^a-z0-9]+/gi, '_') || 'all';
  const ours = path.join(tmp, `${name}.pcapng`);
  const theirs = path.join(tmp, `${name}.ref.pcap`);
  const sc = pair.spawn(pair.nsA, [process.execPath, SIEVECAP, '-i', pair.vethA, '-w', ours, ...extra, filter]);
  const td = pair.spawn(pair.nsA, ['tcpdump', '-i', pair.vethA, '-w', theirs, ...extra, filter]);
  const scDone = finished(sc);
  const tdDone = finished(td);
  await Promise.all([waitForStderr(sc, /listening on/), waitForStderr(td, /listening on/)]);
  await sleep(300);
  makeTraffic();
  await sleep(500);
  sc.kill('SIGINT');
  td.kill('SIGINT');
  const [s, t] = await Promise.all([scDone, tdDone]);
  assert.equal(s.code, 0, `sievecap failed: ${s.stderr}`);
  assert.equal(t.code, 0, `tcpdump failed: ${t.stderr}`);
  assert.match(s.stderr, /\d+ packets? captured\n\d+ packets? received by filter\n\d+ packets? dropped by kernel/);
  return { ours, theirs };
}

const filters = ['', 'icmp', 'tcp port 8000', 'udp and greater 120', 'vlan 100 and icmp', 'ip6', 'not tcp'];

describe('sievecap -w and tcpdump -w capture the same packets', () => {
  for (const filter of filters) {
    test(`filter '${filter || '(none)'}'`, async () => {
      const { ours, theirs } = await captureBoth(filter);
      const a = framesOf(ours);
      const b = framesOf(theirs);
      assert.ok(b.length > 0, 'tcpdump captured nothing: the traffic did not flow');
      assert.equal(a.length, b.length, `sievecap captured ${a.length} packets, tcpdump ${b.length}`);
      for (let k = 0; k < a.length; k++) assert.ok(a[k]!.equals(b[k]!), `packet ${k + 1} differs`);
      const t = tsharkRead(ours);
      assert.equal(t.count, a.length);
      assert.equal(t.warnings, '', `tshark warned: ${t.warnings}`);
    });
  }

  test('snap length truncates as tcpdump -s does', async () => {
    const { ours, theirs } = await captureBoth('tcp', ['-s', '54']);
    const a = framesOf(ours);
    const b = framesOf(theirs);
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

describe('loopback', () => {
  test('each packet once (the outgoing copy is dropped as libpcap does), same as tcpdump', async () => {
    const ours = path.join(tmp, 'lo.pcapng');
    const theirs = path.join(tmp, 'lo.ref.pcap');
    const sc = pair.spawn(pair.nsA, [process.execPath, SIEVECAP, '-i', 'lo', '-w', ours, 'icmp']);
    const td = pair.spawn(pair.nsA, ['tcpdump', '-i', 'lo', '-w', theirs, 'icmp']);
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
