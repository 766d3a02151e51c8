/**
 * CIDR watchlists in the kernel (`--watch CIDR[=RULE]`, bpf/programs/watchlist.ts), on real traffic
 * between two network namespaces: IPv4 and IPv6 prefixes in named rules, traffic to watched and
 * unwatched addresses. tcpdump captures everything on the same interface at the same time; tshark
 * says which of its packets come from or go to each rule's addresses, and what they weigh. The
 * frames Sievecap wrote must be exactly those, and each rule's counters (printed at the end, and by
 * --stats-interval while it runs) must equal tshark's count and bytes on Sievecap's own file.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createNetnsPair, finished, sleep, waitForStderr, type NetnsPair } from './support/netns';
import { SIEVECAP, framesOf, sievecap } from './support/sievecap';

const NOT_ROOT = process.getuid?.() !== 0 ? 'needs root: network namespaces and live capture' : false;
const tool = (name: string): boolean => spawnSync('sh', ['-c', `command -v ${name}`]).status === 0;
const MISSING = ['tcpdump', 'tshark', 'python3', 'ping'].filter((t) => !tool(t));
const SKIP = NOT_ROOT || (MISSING.length ? `needs ${MISSING.join(', ')}` : false);

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-watchlist-'));
let pair: NetnsPair;
let ipB3 = '';
let ip6B3 = '';

before(() => {
  if (SKIP) return;
  pair = createNetnsPair();
  ipB3 = pair.ipB.replace(/\.2$/, '.3');
  ip6B3 = pair.ip6B.replace(/::2$/, '::3');
  pair.exec(pair.nsB, ['ip', 'addr', 'add', `${ipB3}/24`, 'dev', pair.vethB]);
  pair.exec(pair.nsB, ['ip', '-6', 'addr', 'add', `${ip6B3}/64`, 'dev', pair.vethB, 'nodad']);
});

after(() => {
  pair?.destroy();
  if (!process.env.SIEVECAP_KEEP_TMP) fs.rmSync(tmp, { recursive: true, force: true });
  else console.log(`# kept ${tmp}`);
});

/** Bounded traffic to the peer's addresses, watched and not. */
function makeTraffic(): void {
  const ping = (...args: string[]): void => {
    pair.exec(pair.nsA, ['ping', '-c', '3', '-i', '0.05', '-W', '1', ...args]);
  };
  ping(pair.ipB);
  ping('-6', pair.ip6B);
  ping(ipB3);
  ping('-6', ip6B3); // not watched
  // UDP to a closed port of a watched address: the datagrams and the peer's port unreachable.
  pair.exec(pair.nsA, ['python3', '-c', `import socket\ns=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\nfor k in range(4): s.sendto(bytes(50+k), ('${ipB3}', 9))`]);
}

interface Count {
  packets: number;
  bytes: number;
}

/** tshark on `file`: the packets matching a display filter, and their frame lengths summed. */
function tsharkCount(file: string, filter: string): Count & { frames: number[] } {
  const r = spawnSync('tshark', ['-r', file, '-n', '-Y', filter, '-T', 'fields', '-e', 'frame.number', '-e', 'frame.len'], { encoding: 'utf8', timeout: 60000 });
  assert.equal(r.status, 0, r.stderr);
  const rows = r.stdout.split('\n').filter(Boolean).map((l) => l.split('\t').map(Number) as [number, number]);
  return { packets: rows.length, bytes: rows.reduce((t, [, len]) => t + len, 0), frames: rows.map(([n]) => n) };
}

const hexes = (frames: Buffer[]): string[] => frames.map((f) => f.toString('hex')).sort();

test('--watch: exactly the packets from or to the watched prefixes, counted per rule as tshark counts them (IPv4 and IPv6)', { skip: SKIP }, async () => {
  const all = path.join(tmp, 'all.pcap');
  const ours = path.join(tmp, 'watched.pcapng');
  const td = pair.spawn(pair.nsA, ['tcpdump', '--immediate-mode', '-i', pair.vethA, '-w', all]);
  const sc = pair.spawn(pair.nsA, [
    process.execPath, SIEVECAP, '-i', pair.vethA, '--immediate-mode', '-w', ours, '--stats-interval', '0.5',
    '--watch', `${pair.ipB}=peer`, '--watch', `${pair.ip6B}/128=peer`, '--watch', `${ipB3}/32=third`, '--watch', '10.200.0.0/16=elsewhere',
  ]);
  const done = [finished(td), finished(sc)];
  try {
    await Promise.all([td, sc].map((c) => waitForStderr(c, /listening on/, 20000)));
  } catch (err) {
    for (const c of [td, sc]) c.kill('SIGKILL');
    throw err;
  }
  await sleep(300);
  makeTraffic();
  await sleep(1200); // a --stats-interval line or two
  for (const c of [td, sc]) c.kill('SIGINT');
  const [t, s] = await Promise.all(done);
  assert.equal(t!.code, 0, `tcpdump: ${t!.stderr}`);
  assert.equal(s!.code, 0, `sievecap: ${s!.stderr}`);

  const peer = `ip.addr == ${pair.ipB} || ipv6.addr == ${pair.ip6B}`;
  const third = `ip.addr == ${ipB3}`;
  const reference = framesOf(all);
  const expected = tsharkCount(all, `(${peer}) || (${third})`);
  assert.ok(tsharkCount(all, `ipv6.addr == ${ip6B3}`).packets >= 6, 'the unwatched IPv6 traffic happened');
  assert.deepEqual(hexes(framesOf(ours)), hexes(expected.frames.map((n) => reference[n - 1]!)), 'the frames captured with --watch');

  // The counters, printed at the end: each rule as tshark counts it on the captured file.
  const printed = new Map([...s!.stderr.matchAll(/^watch (\S+): (\d+) packets?, (\d+) bytes$/gm)].map((m) => [m[1]!, { packets: Number(m[2]), bytes: Number(m[3]) }]));
  const expectPeer = tsharkCount(ours, peer);
  const expectThird = tsharkCount(ours, third);
  assert.ok(expectPeer.packets >= 12 && expectThird.packets >= 14, `traffic: ${expectPeer.packets}, ${expectThird.packets}`);
  assert.deepEqual(printed.get('peer'), { packets: expectPeer.packets, bytes: expectPeer.bytes }, s!.stderr);
  assert.deepEqual(printed.get('third'), { packets: expectThird.packets, bytes: expectThird.bytes }, s!.stderr);
  assert.deepEqual(printed.get('elsewhere'), { packets: 0, bytes: 0 });
  // --stats-interval printed the kernel's counters while the capture ran.
  assert.match(s!.stderr, /^\[\d+\.\d s\] .+: \d+ seen \(\d+ bytes\), \d+ accepted \(\d+ bytes\), \d+ dropped by kernel$/m);
  assert.match(s!.stderr, /^\[\d+\.\d s\] watch peer: \d+ packets?, \d+ bytes$/m);
});

test('--preset metadata and --watch: the kernel program is shown and accepted; bad prefixes are refused with what to write', { skip: NOT_ROOT }, () => {
  const r = sievecap(['--preset', 'metadata', '-i', 'lo', '--watch', '10.0.0.0/8=lab', '--explain']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout.toString(), /CIDR watchlist: packets from or to imds \(169\.254\.169\.254\/32, fd00:ec2::254\/128\);.*; lab \(10\.0\.0\.0\/8\)/);
  assert.match(r.stdout.toString(), /Verifier: accepted/);
  for (const [arg, message] of [
    ['10.0.0.1/8', /bits set past \/8: write the network address/],
    ['10.0.0.0/33', /at most \/32/],
    ['fd00::/129', /at most \/128/],
    ['example.com', /not an IPv4 or IPv6 address or prefix/],
  ] as const) {
    const bad = sievecap(['-i', 'lo', '--watch', arg]);
    assert.equal(bad.status, 1, arg);
    assert.match(bad.stderr, message, arg);
  }
  const file = sievecap(['-r', '/nonexistent.pcap', '--watch', '10.0.0.0/8']);
  assert.equal(file.status, 1);
  assert.match(file.stderr, /live capture; for a file, use a filter such as -Y/);
});

test('the helper changes a running capture\'s watchlist (add, move to a new rule, remove) without reloading its program', { skip: NOT_ROOT }, async () => {
  const { HelperClient } = await import('../app/helper/client');
  const dgram = await import('node:dgram');
  const port = 30000 + (process.pid % 20000);
  const [a, b] = ['127.77.0.1', '127.77.0.2'];
  const listeners = await Promise.all([a, b].map((address) => new Promise<import('node:dgram').Socket>((resolve, reject) => {
    const s = dgram.createSocket('udp4');
    s.once('error', reject);
    s.bind(port, address, () => resolve(s));
  })));
  const sender = dgram.createSocket('udp4');
  const send = async (to: string, marker: string, count: number): Promise<void> => {
    for (let i = 0; i < count; i++) await new Promise<void>((resolve, reject) => sender.send(Buffer.from(`${marker}-${i}`), port, to, (err) => (err ? reject(err) : resolve())));
  };
  // What reached the client: the markers of the UDP payloads (lo frames: 14 + 20 + 8 bytes of headers).
  const seen: string[] = [];
  const client = await HelperClient.start({ kind: 'child', uid: 0, gid: 0 }, {
    onBatch(batch) {
      const r = Buffer.from(batch.records.buffer, batch.records.byteOffset, batch.records.length);
      for (let at = 0; at + 16 <= r.length; ) {
        const length = r.readUInt32LE(at + 8);
        seen.push(r.subarray(at + 16 + 42, at + 16 + length).toString('latin1'));
        at += 16 + length;
      }
    },
    onCaptureError: (name, error) => assert.fail(`${name}: ${error.message}`),
    onLost: (reason) => assert.fail(reason),
  });
  try {
    await client.request('start', {
      spec: {
        interfaces: ['lo'], filter: `udp port ${port}`, snapLen: 262144, promiscuous: false, bufferBytes: 1 << 20,
        recordFormat: 'pcap-us', immediate: true, stages: { watchlist: { rules: [{ name: 'first', prefixes: [`${a}/32`] }] } },
      },
    });
    await send(a, 'p1a', 5);
    await send(b, 'p1b', 4);
    await sleep(300);
    const before = (await client.request('counters', {})).statistics[0]!.rules;
    assert.deepEqual(before?.map((r) => [r.name, r.packets]), [['first', 5]]);
    // b joins under a new rule, a leaves: the same program now passes b's packets only.
    const changed = await client.request('watch', { add: [{ rule: 'second', prefix: b }], remove: [`${a}/32`] });
    assert.deepEqual(changed.rules, [{ name: 'first', prefixes: [] }, { name: 'second', prefixes: [b] }]);
    await send(a, 'p2a', 3);
    await send(b, 'p2b', 6);
    await sleep(300);
    // A bad prefix is an error reply, and the helper goes on serving.
    await assert.rejects(client.request('watch', { add: [{ rule: 'x', prefix: '127.77.0.1/8' }] }), /bits set past \/8/);
    const stopped = await client.request('stop', {});
    const rules = stopped.statistics[0]!.rules!;
    assert.deepEqual(rules.map((r) => [r.name, r.packets]), [['first', 5], ['second', 6]]);
    // The bytes are the frames' lengths: 14 + 20 + 8 + the marker, as the kernel counts skb->len on lo.
    assert.equal(rules[1]!.bytes, 6 * (42 + 'p2b-0'.length));
    assert.deepEqual(seen.sort(), [...[0, 1, 2, 3, 4].map((i) => `p1a-${i}`), ...[0, 1, 2, 3, 4, 5].map((i) => `p2b-${i}`)].sort());
  } finally {
    client.close();
    sender.close();
    for (const l of listeners) l.close();
  }
});

test('--stats-interval: the traffic mix counts every packet the kernel saw, per ethertype and IP protocol, whatever the filter keeps', { skip: SKIP }, async () => {
  const everything = path.join(tmp, 'mix-all.pcapng');
  const icmpOnly = path.join(tmp, 'mix-icmp.pcapng');
  const all = pair.spawn(pair.nsA, [process.execPath, SIEVECAP, '-i', pair.vethA, '--immediate-mode', '-w', everything, '--stats-interval', '0.5']);
  const icmp = pair.spawn(pair.nsA, [process.execPath, SIEVECAP, '-i', pair.vethA, '--immediate-mode', '-w', icmpOnly, '--stats-interval', '0.5', 'icmp']);
  const done = [finished(all), finished(icmp)];
  try {
    await Promise.all([all, icmp].map((c) => waitForStderr(c, /listening on/, 20000)));
  } catch (err) {
    for (const c of [all, icmp]) c.kill('SIGKILL');
    throw err;
  }
  await sleep(300);
  makeTraffic();
  await sleep(800);
  for (const c of [all, icmp]) c.kill('SIGINT');
  const [a, i] = await Promise.all(done);
  assert.equal(a!.code, 0, a!.stderr);
  assert.equal(i!.code, 0, i!.stderr);
  const mixOf = (stderr: string): Map<string, Count> =>
    new Map([...stderr.matchAll(/^mix (ethertype 0x[0-9a-f]{4}|ip protocol \d+) \([^)]*\): (\d+) packets?, (\d+) bytes$/gm)].map((m) => [m[1]!, { packets: Number(m[2]), bytes: Number(m[3]) }]));

  // With no filter the capture holds every packet seen: tshark's tally of its file (outer
  // ethertype; IPv4 protocol or IPv6's first next header) is the mix.
  const r = spawnSync('tshark', ['-r', everything, '-n', '-T', 'fields', '-E', 'occurrence=f', '-e', 'eth.type', '-e', 'ip.proto', '-e', 'ipv6.nxt', '-e', 'frame.len'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const tally = new Map<string, Count>();
  const into = (k: string, len: number): void => {
    const t = tally.get(k) ?? { packets: 0, bytes: 0 };
    t.packets++;
    t.bytes += len;
    tally.set(k, t);
  };
  for (const line of r.stdout.split('\n').filter(Boolean)) {
    const [type, proto, nxt, len] = line.split('\t');
    into(`ethertype 0x${Number(type).toString(16).padStart(4, '0')}`, Number(len));
    if (proto || nxt) into(`ip protocol ${Number(proto || nxt)}`, Number(len));
  }
  const mixAll = mixOf(a!.stderr);
  assert.deepEqual([...mixAll].sort(), [...tally].sort(), a!.stderr);
  assert.ok((mixAll.get('ip protocol 17')?.packets ?? 0) >= 4 && (mixAll.get('ip protocol 58')?.packets ?? 0) >= 12);

  // Filtered to ICMP, the same traffic mix: IPv4's protocols (only this test's traffic uses IPv4).
  const mixIcmp = mixOf(i!.stderr);
  for (const key of ['ip protocol 1', 'ip protocol 17']) assert.deepEqual(mixIcmp.get(key), mixAll.get(key), key);
  const kept = spawnSync('tshark', ['-r', icmpOnly, '-n', '-Y', '!icmp', '-T', 'fields', '-e', 'frame.number'], { encoding: 'utf8' });
  assert.equal(kept.stdout.trim(), '', 'the ICMP capture holds ICMP only');
  assert.match(a!.stderr, /^\[\d+\.\d s\] mix: .*IPv4 \d+.*; .*ICMP \d+/m);
});
