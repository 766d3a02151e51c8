/**
 * The live side of PacketStore: the spool survives a SIGKILL of the process that appends to it
 * (tshark and capinfos read every frame that was reported appended), and a real capture on `lo`
 * (LiveCapture, eBPF filter, TPACKET_V3 ring) appended batch by batch can be queried while it
 * runs, and agrees with tshark reading the spool and with tcpdump capturing the same traffic.
 */
import * as assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { PacketStore, type ReportFeed } from '../app/engine';
import { createConversationReport } from '../app/stats/conversations';
import { createHierarchyReport } from '../app/stats/hierarchy';
import { LiveCapture } from '../app/capture/live-capture';
import { requireTool, tempDir } from './pcap-helpers';
import { requireCorpusFile } from './support/corpus';
import { tshark, tsharkColumns, tsharkFilters } from './engine-reference';
import { waitForOutput } from './support/netns';

const tmp = tempDir('engine-spool');
after(() => tmp.remove());

function frameList(file: string, damaged = false): string[] {
  return tshark(['-r', file, '-T', 'fields', '-e', 'frame.len', '-e', 'frame.cap_len', '-e', 'frame.time_epoch', '-e', 'frame.protocols'], damaged).split('\n').filter((l) => l !== '');
}

test('engine spool: frames reported appended survive SIGKILL, and tshark/capinfos read the spool', async () => {
  requireTool('tshark');
  requireTool('capinfos');
  const source = requireCorpusFile('chrissanders-packets/http_espn.pcapng');
  const spool = path.join(tmp.dir, 'crash.pcapng');
  const child = spawn(process.execPath, [path.join(__dirname, 'engine-spool-child.js'), source, spool, '200000'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let reported = 0;
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the child reported only ${reported} frames in 30 s: ${stderr}`)), 30_000);
    let text = '';
    child.stdout!.on('data', (d: Buffer) => {
      text += d.toString();
      const lines = text.split('\n');
      text = lines.pop()!;
      if (lines.length) reported = Number(lines[lines.length - 1]);
      // Kill mid-stream, at an odd moment: after a few thousand frames, not at a round number.
      if (reported >= 3001 && child.exitCode === null) {
        clearTimeout(timer);
        child.kill('SIGKILL');
      }
    });
    child.on('exit', () => resolve());
  });
  assert.ok(reported >= 3001, `child reported ${reported} frames before it was killed (stderr: ${stderr})`);
  const ours = frameList(spool, true);
  assert.ok(ours.length >= reported, `tshark reads ${ours.length} frames from the spool; the child had reported ${reported}`);
  // The frames are the source's, in order (the child replays it in rounds).
  const theirs = frameList(source).map((l) => l.split('\t').slice(0, 2).join('\t'));
  ours.slice(0, reported).forEach((l, k) => assert.equal(l.split('\t').slice(0, 2).join('\t'), theirs[k % theirs.length], `spool frame ${k + 1}`));
  const capinfos = spawnSync('capinfos', ['-c', spool], { encoding: 'utf8' });
  const count = Number(/Number of packets:\s*(\d+)/.exec(capinfos.stdout)?.[1] ?? -1);
  assert.ok(count >= reported, `capinfos counts ${count} packets (${capinfos.stderr.trim()})`);
});

/**
 * A free port that tshark and Sievecap both give to HTTP. Below the ephemeral range, so it is the
 * lower port of each connection, the one both tools try first: with a random server port, a client
 * port that happens to be registered (44321-44323 is pmproxy) makes tshark name the stream after it.
 */
async function freePort(): Promise<number> {
  for (const port of [8080, 8088, 3128, 3132, 11371]) {
    const free = await new Promise<boolean>((resolve) => {
      const server = net.createServer();
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error('ports 8080, 8088, 3128, 3132 and 11371 on 127.0.0.1 are all in use: free one for this test');
}

function stopChild(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.on('exit', () => resolve());
    child.kill(signal);
  });
}

test('engine live: a real capture on lo is appended batch by batch, queried while running, and agrees with tshark and tcpdump', async () => {
  if (process.getuid?.() !== 0) throw new Error('this test captures on lo and needs root (CAP_NET_RAW, CAP_BPF)');
  for (const tool of ['tshark', 'tcpdump', 'curl', 'python3']) requireTool(tool);
  const port = await freePort();
  const filter = `tcp port ${port}`;
  const spool = path.join(tmp.dir, 'live.pcapng');
  const reference = path.join(tmp.dir, 'tcpdump.pcap');
  const www = path.join(tmp.dir, 'www');
  fs.mkdirSync(www);
  fs.writeFileSync(path.join(www, 'page.html'), 'sievecap engine '.repeat(5000));
  // Batches that arrive before the store exists (it needs the capture's link type) wait here.
  let target: PacketStore | null = null;
  const pending: Buffer[] = [];
  const capture = LiveCapture.open({ interface: 'lo', filter, snapLen: 262144, promiscuous: false, recordFormat: 'pcapng', retireTimeoutMs: 20 }, (batch) => {
    if (target) target.appendBatch(batch);
    else pending.push(Buffer.from(batch));
  });
  // Session tables attached when the store is made are fed as each frame is appended.
  const attached = [createConversationReport('conv,ip'), createConversationReport('conv,eth')];
  const store = PacketStore.createLive(spool, [{ linkType: capture.linkType, name: 'lo', filter }], { reports: attached });
  let conv: ReportFeed | undefined;
  let phs: ReportFeed | undefined;
  for (const b of pending.splice(0)) store.appendBatch(b);
  target = store;
  const dump = spawn('tcpdump', ['-i', 'lo', '-n', '--immediate-mode', '-U', '-w', reference, filter], { stdio: ['ignore', 'ignore', 'pipe'] });
  const server = spawn('python3', ['-u', '-m', 'http.server', String(port), '--bind', '127.0.0.1', '--directory', www], { stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    await waitForOutput(dump, 'stderr', /listening on lo/, 'tcpdump -i lo');
    await waitForOutput(server, 'stdout', /Serving HTTP/, 'python3 -m http.server');
    const view = store.filter('tcp.flags.syn == 1 && tcp.flags.ack == 0');
    // Reports follow the live store: conversations and the protocol hierarchy, updated as frames come.
    conv = store.followReport(createConversationReport('conv,tcp'));
    phs = store.followReport(createHierarchyReport('io,phs'));
    for (let i = 0; i < 3; i++) {
      const r = spawnSync('curl', ['-s', '-o', '/dev/null', '--max-time', '10', `http://127.0.0.1:${port}/page.html`]);
      assert.equal(r.status, 0, 'curl fetched the page');
    }
    // Queried while the capture still runs.
    const deadline = Date.now() + 5000;
    while (view.count() < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.equal(view.count(), 3, 'three connections opened (live filter view)');
    const midCount = store.count();
    assert.ok(midCount >= 30, `frames indexed while running: ${midCount}`);
    assert.deepEqual(store.rows(0, 3).map((r) => /\[SYN/.test(r.info)), [true, true, false]);
    assert.equal(store.packet(1).packet.summary.destination, '127.0.0.1');
    await conv.update();
    const midRows = (conv.report.json() as { packetsAtoB: number; packetsBtoA: number }[]);
    assert.equal(midRows.length, 3, 'three TCP conversations while the capture runs');
    assert.equal(midRows.reduce((n, r) => n + r.packetsAtoB + r.packetsBtoA, 0), conv.fed, 'every frame fed so far is in a conversation');
    await new Promise((r) => setTimeout(r, 500));
  } finally {
    await stopChild(server, 'SIGTERM');
    await capture.close();
    await stopChild(dump, 'SIGINT');
  }
  try {
    const theirs = tsharkColumns(spool);
    assert.equal(store.count(), theirs.length, 'frames in the store = frames tshark reads from the spool');
    assert.equal(store.count(), tsharkColumns(reference).length, 'frames in the store = frames tcpdump captured');
    const rows = store.rows(0, store.count());
    rows.forEach((r, k) => {
      assert.equal(r.source, theirs[k]!.source, `frame ${k + 1} source`);
      assert.equal(r.destination, theirs[k]!.destination, `frame ${k + 1} destination`);
      assert.equal(r.length, theirs[k]!.length, `frame ${k + 1} length`);
    });
    // The followed reports, brought up to date after the capture, print what tshark prints from the spool.
    await conv!.update();
    await phs!.update();
    assert.equal(conv!.report.text(), tshark(['-r', spool, '-q', '-z', 'conv,tcp']));
    for (const report of attached) assert.equal(report.text(), tshark(['-r', spool, '-q', '-z', report.spec]), `${report.spec} (attached)`);
    phs!.report.finish?.();
    assert.equal(phs!.report.text(), tshark(['-r', spool, '-q', '-z', 'io,phs']));
    const spoolFilters = ['tcp.len > 1000', `tcp.srcport == ${port}`, 'tcp.stream == 1'];
    const selected = tsharkFilters(spool, spoolFilters);
    for (const text of [...spoolFilters, 'http']) {
      const view = store.filter(text);
      await view.update();
      const ours = Array.from(view.frames());
      if (text !== 'http') assert.deepEqual(ours, selected.get(text), `${text} (tshark -Y on the spool)`);
      else assert.ok(ours.length >= 3, 'http requests and responses found');
    }
  } finally {
    store.close();
  }
});
