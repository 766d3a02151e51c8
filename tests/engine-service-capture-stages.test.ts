/**
 * A running capture's kernel stages through the engine service and the real capture helper, on a
 * veth pair in network namespaces this test creates (the engine runs inside one): a CIDR watchlist
 * counts per rule exactly the datagrams sent to its prefixes; `watch` adds a rule mid-capture (no
 * reload) whose counter then counts exactly what is sent to it; `setCaptureFilter` swaps the
 * program mid-stream while numbered datagrams alternate between two ports, and the capture must be
 * exactly tcpdump's (on the same veth, at the same time) for the first port up to one point and for
 * the second from there on — none lost, none twice; the traffic mix counts every UDP datagram seen,
 * across the swap. Needs root, tcpdump, tshark and python3.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import type { CaptureStatistics, EngineEvent } from '../app/rpc/engine-protocol';
import { tempDir } from './pcap-helpers';
import { EngineProcess } from './support/engine-process';
import { createNetnsPair, finished, sleep, waitForStderr, type NetnsPair } from './support/netns';

const NOT_ROOT = process.getuid?.() !== 0 ? 'needs root: network namespaces and live capture' : false;
const tool = (name: string): boolean => spawnSync('sh', ['-c', `command -v ${name}`]).status === 0;
const MISSING = ['tcpdump', 'tshark', 'python3'].filter((t) => !tool(t));
const SKIP = NOT_ROOT || (MISSING.length ? `needs ${MISSING.join(', ')}` : false);

const tmp = tempDir('engine-stages');
let pair: NetnsPair;
let engine: EngineProcess;
/** A second address of the peer, for the rule added mid-capture. */
let ipB3 = '';

before(() => {
  if (SKIP) return;
  pair = createNetnsPair();
  ipB3 = pair.ipB.replace(/\.2$/, '.3');
  pair.exec(pair.nsB, ['ip', 'addr', 'add', `${ipB3}/24`, 'dev', pair.vethB]);
  engine = EngineProcess.start(pair, { spoolDir: tmp.dir, configDir: path.join(tmp.dir, 'config'), eventIntervalMs: 50, statisticsIntervalMs: 200 });
});

after(async () => {
  await engine?.stop();
  pair?.destroy();
  tmp.remove();
});

/** `count` datagrams from namespace A, payload PREFIX%05d (bounded; paced in the stream). */
function sendScript(to: string, ports: number[], prefix: string, count: number, paced: boolean): string[] {
  return ['python3', '-c', [
    'import socket, time',
    's = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)',
    `for i in range(${count}):`,
    `    s.sendto(b'${prefix}%05d' % i, ('${to}', [${ports.join(', ')}][i % ${ports.length}]))`,
    ...(paced ? ['    if i % 40 == 39: time.sleep(0.01)'] : []),
  ].join('\n')];
}

/** The test's datagrams in a capture file, in order: "DSTADDR:PORT:PAYLOAD", as tshark reads them. */
function datagrams(file: string): string[] {
  const r = spawnSync('tshark', ['-r', file, '-n', '-Y', 'udp.dstport == 7000 || udp.dstport == 7001', '-T', 'fields', '-e', 'ip.dst', '-e', 'udp.dstport', '-e', 'data.data'], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.split('\n').filter(Boolean).map((l) => {
    const [dst, port, hex] = l.split('\t');
    return `${dst}:${port}:${Buffer.from(hex!, 'hex').toString('latin1')}`;
  });
}

/** The latest counters of the session's one interface. */
function latest(session: number): CaptureStatistics | undefined {
  const events = engine.eventsOf('captureStatistics', session) as Extract<EngineEvent, { event: 'captureStatistics' }>[];
  return events.at(-1)?.statistics[0];
}

const rule = (s: CaptureStatistics | undefined, name: string): number | undefined => s?.rules?.find((r) => r.name === name)?.packets;
const udpSeen = (s: CaptureStatistics | undefined): number => s?.mix?.ipProtocols.find((p) => p.protocol === 17)?.packets ?? 0;
const ipv4Seen = (s: CaptureStatistics | undefined): number => s?.mix?.ethertypes.find((e) => e.ethertype === 0x0800)?.packets ?? 0;

test('a watchlist counts per rule, watch adds a rule mid-capture, setCaptureFilter swaps the program mid-stream (nothing lost or twice, as tcpdump sees it), the traffic mix counts across', { skip: SKIP, timeout: 180_000 }, async () => {
  const p = pair;
  const reference = path.join(tmp.dir, 'reference.pcap');
  const tcpdump = p.spawn(p.nsA, ['tcpdump', '--immediate-mode', '-B', '32768', '-i', p.vethA, '-w', reference, 'udp']);
  await waitForStderr(tcpdump, /listening on/);
  const tcpdumpDone = finished(tcpdump);

  const stages = { trafficMix: true, watchlist: { rules: [{ name: 'peer', prefixes: [`${p.ipB}/32`] }] } };
  const info = await engine.call('startCapture', { interfaces: [p.vethA], filter: 'udp port 7000', stages });
  assert.deepEqual(info.capture?.stages, stages);
  await engine.until('the first counters', () => latest(info.session)?.mix !== undefined);
  const before = latest(info.session);
  assert.equal(rule(before, 'peer'), 0);

  // 20 datagrams to the watched address; 5 to an address no rule has (neither captured nor counted per rule).
  p.exec(p.nsA, sendScript(p.ipB, [7000], 'a', 20, false));
  p.exec(p.nsA, sendScript(ipB3, [7000], 'b', 5, false));
  await engine.until('the rule counting 20 and the mix 25 more UDP datagrams', () => rule(latest(info.session), 'peer') === 20 && udpSeen(latest(info.session)) - udpSeen(before) === 25);

  // A rule added while it runs: no reload, the first rule keeps its count.
  await engine.fails('EWATCHLIST', 'watch', { session: info.session, rules: [{ name: 'peer', prefixes: [`${p.ipB}/32`] }, { name: 'third', prefixes: [`${ipB3}/24`] }] }, /bits set past \/24/);
  const watched = await engine.call('watch', { session: info.session, rules: [{ name: 'peer', prefixes: [`${p.ipB}/32`] }, { name: 'third', prefixes: [ipB3] }] });
  assert.deepEqual(watched.rules, [{ name: 'peer', prefixes: [`${p.ipB}/32`] }, { name: 'third', prefixes: [ipB3] }]);
  p.exec(p.nsA, sendScript(ipB3, [7000], 'c', 15, false));
  await engine.until('the new rule counting 15', () => rule(latest(info.session), 'third') === 15);
  assert.equal(rule(latest(info.session), 'peer'), 20, 'the first rule kept its count');
  const withThird = await engine.call('sessionInfo', { session: info.session });
  assert.deepEqual(withThird.capture?.stages?.watchlist?.rules.map((r) => r.name), ['peer', 'third']);

  // The program swapped from port 7000 to 7001 while datagrams alternate between them (about 1.5 s).
  const STREAM = 6000;
  const acceptedBefore = latest(info.session)?.acceptedPackets ?? 0;
  const sender = p.spawn(p.nsA, sendScript(p.ipB, [7000, 7001], 's', STREAM, true));
  const sent = finished(sender);
  // Swap once the stream is flowing (python's start-up takes its time on a busy machine).
  await engine.until('the stream reaching the capture', () => (latest(info.session)?.acceptedPackets ?? 0) >= acceptedBefore + 200, 20_000);
  await engine.fails('ECAPFILTER', 'setCaptureFilter', { session: info.session, filter: 'udp port', stages: withThird.capture!.stages }, /udp port/);
  const swapped = await engine.call('setCaptureFilter', { session: info.session, filter: 'udp port 7001', stages: withThird.capture!.stages });
  assert.equal(swapped.filter, 'udp port 7001');
  assert.equal((await sent).code, 0, 'the sender finished');
  await sleep(500);
  const stopped = await engine.call('stopCapture', { session: info.session });
  await sleep(300);
  tcpdump.kill('SIGINT');
  const tcpdumpEnd = await tcpdumpDone;
  const final = await engine.call('sessionInfo', { session: info.session });
  assert.equal(final.capture?.filter, 'udp port 7001');

  const theirs = datagrams(reference);
  const ours = datagrams(final.path);
  assert.equal(theirs.length, 20 + 5 + 15 + STREAM, `tcpdump saw ${theirs.length}: ${tcpdumpEnd.stderr}`);
  const stream = (list: string[]): string[] => list.filter((d) => /:s\d+$/.test(d));
  // Before the swap: every datagram to the watched addresses on port 7000, none to the unwatched one.
  assert.deepEqual(ours.filter((d) => !/:s\d+$/.test(d)), theirs.filter((d) => /:[ac]\d+$/.test(d)), 'the 20 to the first rule and the 15 to the rule added; none of the 5 sent before it');
  // Across the swap: some cut of tcpdump's stream gives exactly ours.
  const reference7 = stream(theirs);
  const captured = stream(ours);
  const firstAfter = captured.findIndex((d) => d.includes(':7001:'));
  assert.ok(firstAfter > 50 && firstAfter < captured.length - 50, `both sides of the swap (${firstAfter} of ${captured.length})`);
  const lastBefore = reference7.indexOf(captured[firstAfter - 1]!);
  const firstNew = reference7.indexOf(captured[firstAfter]!);
  assert.ok(lastBefore >= 0 && firstNew > lastBefore, 'the datagrams on both sides of the swap are in tcpdump\'s capture, in order');
  const expectedAt = (cut: number): string => JSON.stringify([
    ...reference7.slice(0, cut).filter((d) => d.includes(':7000:')),
    ...reference7.slice(cut).filter((d) => d.includes(':7001:')),
  ]);
  let cuts = 0;
  for (let cut = lastBefore + 1; cut <= firstNew; cut++) if (expectedAt(cut) === JSON.stringify(captured)) cuts++;
  assert.ok(cuts > 0, `no cut of tcpdump's stream gives the capture: a datagram was lost or seen twice (around ${lastBefore}..${firstNew} of ${reference7.length})`);

  // The counters: accepted carries over the swap; the new program's watchlist counts afresh; the mix carries on.
  const figures = stopped.statistics[0]!;
  assert.equal(figures.acceptedPackets, ours.length, 'every frame captured, before and after the swap, counted once');
  assert.equal(figures.dropped, 0);
  assert.equal(rule(figures, 'peer'), captured.length - firstAfter, 'after the swap the rule counts the datagrams of the new program');
  assert.equal(rule(figures, 'third'), 0);
  assert.equal(udpSeen(figures) - udpSeen(before), theirs.length, 'the traffic mix saw every UDP datagram tcpdump saw');
  assert.ok(ipv4Seen(figures) - ipv4Seen(before) >= theirs.length);
  assert.deepEqual(final.capture?.statistics, stopped.statistics);
});
