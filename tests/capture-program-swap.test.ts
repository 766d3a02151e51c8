/**
 * Swapping the kernel program during a capture (`--filter-file` and SIGUSR1; the helper's setFilter
 * request): a paced stream of numbered UDP datagrams to two ports, the filter switched from one
 * port to the other while they flow. tcpdump captures both ports at the same time; Sievecap's file
 * must be exactly tcpdump's packets for the first port up to one point and for the second port from
 * there on — none lost, none twice — with packets of both sides of the switch.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createNetnsPair, finished, sleep, waitForStderr, waitForStdout, type NetnsPair } from './support/netns';
import { SIEVECAP, sievecap } from './support/sievecap';

const NOT_ROOT = process.getuid?.() !== 0 ? 'needs root: network namespaces and live capture' : false;
const tool = (name: string): boolean => spawnSync('sh', ['-c', `command -v ${name}`]).status === 0;
const MISSING = ['tcpdump', 'tshark', 'python3'].filter((t) => !tool(t));
const SKIP = NOT_ROOT || (MISSING.length ? `needs ${MISSING.join(', ')}` : false);

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-swap-'));
let pair: NetnsPair;

before(() => {
  if (!SKIP) pair = createNetnsPair();
});

after(() => {
  pair?.destroy();
  if (!process.env.SIEVECAP_KEEP_TMP) fs.rmSync(tmp, { recursive: true, force: true });
});

/** (port, number) of each datagram in a capture, in order, as tshark reads them. */
function datagrams(file: string): string[] {
  const r = spawnSync('tshark', ['-r', file, '-n', '-Y', 'udp.dstport == 5000 || udp.dstport == 6000', '-T', 'fields', '-e', 'udp.dstport', '-e', 'data.data'], { encoding: 'utf8', timeout: 60000 });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.split('\n').filter(Boolean).map((l) => {
    const [port, hex] = l.split('\t');
    return `${port}:${Buffer.from(hex!, 'hex').toString('latin1')}`;
  });
}

test('SIGUSR1 with --filter-file swaps the kernel program mid-stream: nothing lost, nothing twice', { skip: SKIP }, async () => {
  const filterFile = path.join(tmp, 'filter');
  fs.writeFileSync(filterFile, '# the first port\nudp port 5000\n');
  const ours = path.join(tmp, 'swap.pcapng');
  const all = path.join(tmp, 'all.pcap');
  const td = pair.spawn(pair.nsA, ['tcpdump', '--immediate-mode', '-B', '32768', '-i', pair.vethA, '-w', all, 'udp']);
  const sc = pair.spawn(pair.nsA, [process.execPath, SIEVECAP, '-i', pair.vethA, '--immediate-mode', '-w', ours, '--filter-file', filterFile]);
  let stderr = '';
  sc.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const done = [finished(td), finished(sc)];
  try {
    await Promise.all([td, sc].map((c) => waitForStderr(c, /listening on/, 20000)));
  } catch (err) {
    for (const c of [td, sc]) c.kill('SIGKILL');
    throw err;
  }
  // 12000 datagrams, alternating ports, about 4 per millisecond: some 3 s of traffic (bounded).
  const sender = pair.spawn(pair.nsB, ['python3', '-c', [
    'import socket, time',
    's = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)',
    'for i in range(12000):',
    `    s.sendto(b'%06d' % i, ('${pair.ipA}', 5000 + 1000 * (i % 2)))`,
    '    if i % 40 == 39: time.sleep(0.01)',
    "    if i == 1999: print('2000 sent', flush=True)",
  ].join('\n')]);
  const sent = finished(sender);
  // The switch comes once a sixth of the traffic is out (a fixed wait met a sender that had sent
  // only 120 datagrams on a loaded machine, where Python took over a second to start).
  await waitForStdout(sender, /2000 sent/, 'the UDP sender', 30000);
  fs.writeFileSync(filterFile, 'udp port 6000 # the second port\n');
  sc.kill('SIGUSR1');
  for (let i = 0; i < 100 && !/filter replaced/.test(stderr); i++) await sleep(50);
  await sent;
  await sleep(500);
  for (const c of [td, sc]) c.kill('SIGINT');
  const [t, s] = await Promise.all(done);
  assert.equal(t!.code, 0, t!.stderr);
  assert.equal(s!.code, 0, s!.stderr);
  assert.match(s!.stderr, /filter replaced \(SIGUSR1\): udp port 6000\n/);

  const reference = datagrams(all);
  const captured = datagrams(ours);
  assert.equal(reference.length, 12000, `tcpdump saw ${reference.length} of 12000: ${t!.stderr}`);
  // The switch point lies between the last datagram of the first port Sievecap has and the first
  // of the second port it has: some cut there must give exactly its capture — the first port's
  // datagrams before it, the second port's from it on.
  const firstAfter = captured.findIndex((d) => d.startsWith('6000:'));
  assert.ok(firstAfter > 100 && firstAfter < captured.length - 100, `both sides of the switch (${firstAfter} of ${captured.length})`);
  const lastBefore = reference.indexOf(captured[firstAfter - 1]!);
  const firstNew = reference.indexOf(captured[firstAfter]!);
  assert.ok(lastBefore >= 0 && firstNew > lastBefore, 'the packets on both sides of the switch are in tcpdump\'s capture, in order');
  const expectedAt = (cut: number): string[] => [
    ...reference.slice(0, cut).filter((d) => d.startsWith('5000:')),
    ...reference.slice(cut).filter((d) => d.startsWith('6000:')),
  ];
  const cuts = [];
  for (let cut = lastBefore + 1; cut <= firstNew; cut++) if (JSON.stringify(expectedAt(cut)) === JSON.stringify(captured)) cuts.push(cut);
  assert.ok(cuts.length > 0, `no switch point gives Sievecap's capture: a packet was lost or seen twice (around ${lastBefore}..${firstNew} of ${reference.length})`);
});

test('--filter-file: a missing file and a filter given twice are refused', () => {
  const missing = sievecap(['-i', 'lo', '--filter-file', path.join(tmp, 'none')]);
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /cannot read the filter file .*: no such file/);
  fs.writeFileSync(path.join(tmp, 'f'), 'tcp');
  const twice = sievecap(['-i', 'lo', '--filter-file', path.join(tmp, 'f'), 'udp']);
  assert.equal(twice.status, 1);
  assert.match(twice.stderr, /either in the file .* or on the command line/);
});
