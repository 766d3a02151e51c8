/**
 * Real captures made by the reference tools on `lo` (tcpdump: pcap µs and ns; dumpcap: pcapng),
 * with bounded traffic (ping -c, curl to a local python3 http.server), read by our reader and
 * compared with tshark (lengths, time stamps) and tcpdump -xx (bytes); then written again by our
 * writers and read back by tshark, which must see the same packets.
 */
import * as assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { PcapngWriter, PcapWriter } from '../app/pcap';
import { parseTsharkFrames, readWithOurReader, requireTool, runTool, stderrWithoutRootWarning, TSHARK_FIELDS, tempDir, type ReadResult } from './pcap-helpers';
import { waitForOutput } from './support/netns';

const tmp = tempDir('pcaplive');
const port = 20000 + (process.pid % 20000);
const files = { micro: path.join(tmp.dir, 'lo-micro.pcap'), nano: path.join(tmp.dir, 'lo-nano.pcap'), ng: path.join(tmp.dir, 'lo.pcapng') };
const filter = `icmp or tcp port ${port}`;

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.on('exit', () => resolve());
    if (child.pid) process.kill(child.pid, 'SIGINT');
  });
}

before(async () => {
  for (const tool of ['tcpdump', 'dumpcap', 'tshark', 'ping', 'curl', 'python3']) requireTool(tool);
  fs.writeFileSync(path.join(tmp.dir, 'page.html'), 'sievecap '.repeat(3000));
  const captures = [
    spawn('tcpdump', ['-i', 'lo', '--immediate-mode', '-U', '-w', files.micro, filter], { stdio: ['ignore', 'ignore', 'pipe'] }),
    spawn('tcpdump', ['-i', 'lo', '--immediate-mode', '-U', '--time-stamp-precision=nano', '-w', files.nano, filter], { stdio: ['ignore', 'ignore', 'pipe'] }),
    spawn('dumpcap', ['-i', 'lo', '-f', filter, '-w', files.ng], { stdio: ['ignore', 'ignore', 'pipe'] }),
  ];
  const server = spawn('python3', ['-m', 'http.server', '--bind', '127.0.0.1', '--directory', tmp.dir, String(port)], { stdio: ['ignore', 'ignore', 'pipe'] });
  try {
    await Promise.all([
      waitForOutput(captures[0] as ChildProcess, 'stderr', /listening on lo/, 'tcpdump'),
      waitForOutput(captures[1] as ChildProcess, 'stderr', /listening on lo/, 'tcpdump (nano)'),
      waitForOutput(captures[2] as ChildProcess, 'stderr', /Capturing on/, 'dumpcap'),
    ]);
    // Wait until the server answers (bounded), then make the traffic.
    for (let i = 0; i < 50 && runTool('curl', ['-s', '-o', '/dev/null', `http://127.0.0.1:${port}/`]).code !== 0; i++) await new Promise((r) => setTimeout(r, 100));
    runTool('ping', ['-c', '5', '-i', '0.2', '-s', '1200', '127.0.0.1']);
    for (let i = 0; i < 3; i++) assert.equal(runTool('curl', ['-s', '-o', '/dev/null', `http://127.0.0.1:${port}/page.html`]).code, 0);
    await new Promise((r) => setTimeout(r, 500));
  } finally {
    if (server.pid) process.kill(server.pid, 'SIGTERM');
    await Promise.all(captures.map(stop));
  }
});

after(() => tmp.remove());

/** Packet bytes as tcpdump -xx prints them (whole frame, hex). */
function tcpdumpHex(file: string): string[] {
  const out = runTool('tcpdump', ['-n', '-r', file, '-xx']).stdout;
  const packets: string[] = [];
  for (const line of out.split('\n')) {
    const m = /^\s+0x[0-9a-f]+:\s+((?:[0-9a-f]{2,4}\s?)+)/.exec(line);
    if (m) packets[packets.length - 1] += (m[1] as string).replace(/\s/g, '');
    else if (line.trim() !== '') packets.push('');
  }
  return packets;
}

function assertSameAsReference(file: string, ours: ReadResult): void {
  assert.equal(ours.reader.error, null, ours.reader.error?.message);
  const ts = runTool('tshark', ['-n', '-r', file, ...TSHARK_FIELDS]);
  const theirs = parseTsharkFrames(ts.stdout);
  assert.ok(theirs.length >= 10, `only ${theirs.length} packets captured`);
  assert.deepEqual(ours.packets.map((p) => [p.origLen, p.capLen, p.tsNs]), theirs.map((f) => [f.origLen, f.capLen, f.tsNs]));
  assert.deepEqual(ours.packets.map((p) => p.data.toString('hex')), tcpdumpHex(file));
}

for (const kind of ['micro', 'nano', 'ng'] as const) {
  test(`capture by ${kind === 'ng' ? 'dumpcap (pcapng)' : `tcpdump (pcap, ${kind}seconds)`} on lo reads like tshark and tcpdump`, () => {
    const ours = readWithOurReader(files[kind]);
    assert.equal(ours.reader.info.format, kind === 'ng' ? 'pcapng' : 'pcap');
    assert.equal(ours.reader.info.nanosecond, kind !== 'micro');
    assert.equal(ours.reader.interfaces[0]?.linkType, 1);
    if (kind === 'ng') {
      assert.equal(ours.reader.interfaces[0]?.name, 'lo');
      assert.equal(ours.reader.interfaces[0]?.filter, filter);
    }
    assertSameAsReference(files[kind], ours);
  });
}

test('re-writing a real capture with our writers keeps every packet for tshark', () => {
  const ours = readWithOurReader(files.ng);
  const reference = parseTsharkFrames(runTool('tshark', ['-r', files.ng, ...TSHARK_FIELDS]).stdout);
  const outNg = path.join(tmp.dir, 'copy.pcapng');
  const outPcap = path.join(tmp.dir, 'copy.pcap');
  const ng = new PcapngWriter(outNg, { interfaces: [{ linkType: 1, name: 'lo', filter }] });
  const pcap = new PcapWriter(outPcap, { linkType: 1, nanosecond: true });
  for (const p of ours.packets) {
    ng.writePacket({ interfaceId: 0, tsNs: p.tsNs, data: p.data, origLen: p.origLen });
    pcap.writePacket({ tsNs: p.tsNs, data: p.data, origLen: p.origLen });
  }
  ng.close();
  pcap.close();
  for (const out of [outNg, outPcap]) {
    const ts = runTool('tshark', ['-r', out, ...TSHARK_FIELDS]);
    assert.equal(stderrWithoutRootWarning(ts.stderr), '');
    assert.deepEqual(parseTsharkFrames(ts.stdout), reference);
    assert.deepEqual(tcpdumpHex(out), tcpdumpHex(files.ng));
  }
});
