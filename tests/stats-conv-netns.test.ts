/**
 * Conversations and endpoints of real traffic: curl downloading from python3's http.server over
 * IPv4 and IPv6, pings, UDP datagrams to an echo server and to a closed port (ICMP errors), in a
 * pair of network namespaces, captured by tcpdump on the veth. Every table must equal
 * `tshark -n -q -z …` byte for byte, and the JSON numbers must equal tshark's exact per-endpoint
 * counts (its conversation table rounds bytes to kB).
 */
import * as assert from 'node:assert/strict';
import { spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { createConversationReport, type ConversationJson } from '../app/stats/conversations';
import { printfFixed } from '../app/stats/conv-format';
import { createEndpointReport } from '../app/stats/endpoints';
import { feedFile } from './stats-conv-frames';
import { createNetnsPair, finished, sleep, waitForStderr, waitForStdout, type NetnsPair } from './support/netns';

const FOUND = (tool: string): boolean => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;

const UDP_ECHO_PY = `
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((sys.argv[1], int(sys.argv[2])))
s.settimeout(15)
print("ready", flush=True)
for _ in range(int(sys.argv[3])):
    data, peer = s.recvfrom(65535)
    s.sendto(data.upper(), peer)
`;

const UDP_CLIENT_PY = `
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(5)
for size in (10, 300, 1000):
    s.sendto(b"x" * size, (sys.argv[1], int(sys.argv[2])))
    s.recvfrom(65535)
# Nobody listens on this port: the peer answers with ICMP port unreachable.
s.sendto(b"hello?", (sys.argv[1], int(sys.argv[3])))
`;

let tmp = '';
let pair: NetnsPair | null = null;
let capture = '';
const children: ChildProcess[] = [];

before(async () => {
  for (const tool of ['tcpdump', 'tshark', 'curl', 'python3', 'ping', 'ip']) {
    if (!FOUND(tool)) throw new Error(`this test needs ${tool} (apt-get install ${tool === 'ip' ? 'iproute2' : tool === 'ping' ? 'iputils-ping' : tool})`);
  }
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-conv-netns-'));
  const www = path.join(tmp, 'www');
  fs.mkdirSync(www);
  fs.writeFileSync(path.join(www, 'big.bin'), Buffer.alloc(300_000, 0x5a));
  fs.writeFileSync(path.join(www, 'small.txt'), 'hello\n');
  fs.writeFileSync(path.join(tmp, 'echo.py'), UDP_ECHO_PY);
  fs.writeFileSync(path.join(tmp, 'client.py'), UDP_CLIENT_PY);
  capture = path.join(tmp, 'traffic.pcap');
  pair = createNetnsPair();
  const p = pair;
  const http4 = p.spawn(p.nsB, ['python3', '-u', '-m', 'http.server', '--bind', p.ipB, '--directory', www, '8000']);
  children.push(http4);
  await waitForStdout(http4, /Serving HTTP/, 'python3 http.server');
  const http6 = p.spawn(p.nsB, ['python3', '-u', '-m', 'http.server', '--bind', p.ip6B, '--directory', www, '8001']);
  children.push(http6);
  await waitForStdout(http6, /Serving HTTP/, 'python3 http.server (IPv6)');
  const echo = p.spawn(p.nsB, ['python3', '-u', path.join(tmp, 'echo.py'), p.ipB, '5300', '3']);
  children.push(echo);
  await waitForStdout(echo, /ready/, 'UDP echo server');
  const tcpdump = p.spawn(p.nsA, ['tcpdump', '-i', p.vethA, '-U', '--immediate-mode', '-s', '0', '-w', capture]);
  children.push(tcpdump);
  await waitForStderr(tcpdump, /listening on/);

  const run = async (cmd: string[]): Promise<void> => {
    const r = await finished(p.spawn(p.nsA, cmd));
    if (r.code !== 0) throw new Error(`${cmd.join(' ')} failed (${r.code}): ${r.stderr}`);
  };
  const curl = ['curl', '-s', '-g', '--noproxy', '*', '--max-time', '15', '-o', '/dev/null'];
  await run([...curl, `http://${p.ipB}:8000/big.bin`]);
  await run([...curl, `http://${p.ipB}:8000/small.txt`]);
  await run([...curl, '-w', '', `http://${p.ipB}:8000/missing`]);
  await run([...curl, `http://[${p.ip6B}]:8001/big.bin`]);
  await run(['ping', '-c', '3', '-i', '0.2', '-W', '2', p.ipB]);
  await run(['ping', '-6', '-c', '2', '-i', '0.2', '-W', '2', p.ip6B]);
  await run(['python3', path.join(tmp, 'client.py'), p.ipB, '5300', '5399']);
  await sleep(500);
  tcpdump.kill('SIGINT');
  await finished(tcpdump);
});

after(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
  pair?.destroy();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

function tshark(spec: string): string {
  const r = spawnSync('tshark', ['-n', '-r', capture, '-q', '-z', spec], { encoding: 'utf8' });
  assert.equal(r.status, 0, `tshark failed: ${r.stderr}`);
  return r.stdout;
}

for (const spec of ['conv,eth', 'conv,ip', 'conv,ipv6', 'conv,tcp', 'conv,udp', 'endpoints,eth', 'endpoints,ip', 'endpoints,ipv6', 'endpoints,tcp', 'endpoints,udp']) {
  test(`${spec} of real traffic equals tshark -n -q -z ${spec}`, () => {
    const [report] = feedFile(capture, spec.startsWith('conv') ? createConversationReport(spec) : createEndpointReport(spec));
    assert.equal(report.text(), tshark(spec));
  });
}

/**
 * tshark's endpoint rows, exact numbers: 'address port' (TCP/UDP) or 'address' →
 * [packets, bytes, txPackets, txBytes, rxPackets, rxBytes].
 */
function tsharkEndpoints(spec: string): Map<string, number[]> {
  const rows = new Map<string, number[]>();
  for (const line of tshark(spec).split('\n').slice(4)) {
    const cols = line.trim().split(/\s+/);
    if (cols.length === 8) rows.set(`${cols[0]} ${cols[1]}`, cols.slice(2).map(Number));
    else if (cols.length === 7) rows.set(cols[0]!, cols.slice(1).map(Number));
  }
  return rows;
}

test('conv,tcp JSON: the client is A, downloads are B→A, numbers equal tshark\'s exact endpoint counts', () => {
  const p = pair!;
  const [report] = feedFile(capture, createConversationReport('conv,tcp'));
  const rows = report.json();
  const endpoints = tsharkEndpoints('endpoints,tcp');
  assert.equal(rows.length, 4, 'four curl connections');
  for (const row of rows) {
    assert.ok(row.addressA === p.ipA || row.addressA === p.ip6A, `A is the client: ${JSON.stringify(row)}`);
    // The client's port is used by this connection only, so its endpoint row is this conversation.
    const client = endpoints.get(`${row.addressA} ${row.portA}`);
    assert.ok(client, `tshark lists endpoint ${row.addressA} ${row.portA}`);
    assert.deepEqual([row.packetsAtoB, row.bytesAtoB, row.packetsBtoA, row.bytesBtoA], [client[2], client[3], client[4], client[5]]);
    assert.equal(row.handshake, true);
    assert.equal(row.state, 'closed');
    assert.equal(row.application, 'http');
  }
  const big = rows.filter((r: ConversationJson) => r.bytesBtoA > 300_000);
  assert.equal(big.length, 2, 'both big.bin downloads (IPv4 and IPv6)');
  for (const r of big) assert.ok(r.bytesBtoA > 10 * r.bytesAtoB, 'a download is asymmetric');
  // Start and duration as tshark's table prints them.
  const table = tshark('conv,tcp');
  for (const r of rows) {
    const line = table.split('\n').find((l) => l.startsWith(`${r.addressA}:${r.portA} `));
    assert.ok(line?.trimEnd().endsWith(`${printfFixed(r.relStart, 9)}   ${printfFixed(r.duration, 4, 12)}`), `${line} vs ${r.relStart} ${r.duration}`);
  }
});

test('conv,udp and endpoints,ip JSON: echo exchange counted, the datagram quoted by ICMP is not a conversation of its own', () => {
  const p = pair!;
  const [udp, hosts] = feedFile(capture, createConversationReport('conv,udp'), createEndpointReport('endpoints,ip'));
  const echo = udp.json().find((r) => r.portB === 5300 || r.portA === 5300);
  assert.ok(echo, 'the echo conversation is listed');
  assert.deepEqual([echo.addressA, echo.packetsAtoB, echo.packetsBtoA], [p.ipA, 3, 3]);
  // The datagram to the closed port is one conversation with one frame; the ICMP reply quoting it adds none.
  const closed = udp.json().filter((r) => r.portB === 5399);
  assert.deepEqual(closed.map((r) => [r.packetsAtoB, r.packetsBtoA]), [[1, 0]]);
  const theirs = tsharkEndpoints('endpoints,ip');
  assert.equal(hosts.json().length, theirs.size);
  for (const e of hosts.json()) {
    assert.deepEqual([e.packets, e.bytes, e.txPackets, e.txBytes, e.rxPackets, e.rxBytes], theirs.get(e.address), `endpoint ${e.address}`);
  }
});
