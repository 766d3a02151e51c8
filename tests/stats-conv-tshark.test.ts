/**
 * Conversations and endpoints on a crafted capture full of the cases where tshark's rules show:
 * who is A, which column is A→B, a 4-tuple reused after a close (two TCP conversations), equal
 * ports, an ICMP error quoting a UDP datagram (not a UDP conversation), IPv6 fragments (counted
 * once whole), a host talking to itself, equal totals (first-seen order), "kB" sizes, a frame
 * older than the first one (negative start) and a duration that is an exact rounding tie.
 * Sievecap's text must equal `tshark -n -q -z …` byte for byte.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { createConversationReport } from '../app/stats/conversations';
import { createEndpointReport } from '../app/stats/endpoints';
import { feedFile, icmpUnreachable, ipPacket, ipv6Fragment, TCP, tcpFrame, udpFrame, writeFrames, type Frame, type Hosts } from './stats-conv-frames';

const T0 = 1_700_000_000_000_000_000n;
const ms = (n: number): bigint => T0 + BigInt(Math.round(n * 1e6));

const C: Hosts = { srcMac: '02:00:00:00:00:01', dstMac: '02:00:00:00:00:02', src: '10.0.0.1', dst: '10.0.0.2' };
const S: Hosts = { srcMac: '02:00:00:00:00:02', dstMac: '02:00:00:00:00:01', src: '10.0.0.2', dst: '10.0.0.1' };
const C6: Hosts = { ...C, src: 'fd00::1', dst: 'fd00::2' };
const S6: Hosts = { ...S, src: 'fd00::2', dst: 'fd00::1' };
const SELF: Hosts = { srcMac: '02:00:00:00:00:09', dstMac: '02:00:00:00:00:09', src: '10.0.0.9', dst: '10.0.0.9' };

/** Client 10.0.0.1:50000 fetches 8 × 1460 bytes from 10.0.0.2:80, then both close with FIN. */
function download(at: number, clientPort: number, reset = false, isn = 1000): Frame[] {
  const f: Frame[] = [];
  const q = isn - 1000;
  let t = at;
  const add = (data: Buffer): void => void f.push({ tsNs: ms((t += 1)), data });
  add(tcpFrame(C, clientPort, 80, TCP.SYN, q + 1000, 0));
  add(tcpFrame(S, 80, clientPort, TCP.SYN | TCP.ACK, 5000, q + 1001));
  add(tcpFrame(C, clientPort, 80, TCP.ACK, q + 1001, 5001));
  add(tcpFrame(C, clientPort, 80, TCP.ACK | TCP.PSH, q + 1001, 5001, 120));
  for (let k = 0; k < 8; k++) add(tcpFrame(S, 80, clientPort, TCP.ACK, 5001 + k * 1460, q + 1121, 1460));
  if (reset) {
    add(tcpFrame(C, clientPort, 80, TCP.RST, q + 1121, 0));
    return f;
  }
  add(tcpFrame(C, clientPort, 80, TCP.FIN | TCP.ACK, q + 1121, 5001 + 8 * 1460));
  add(tcpFrame(S, 80, clientPort, TCP.FIN | TCP.ACK, 5001 + 8 * 1460, q + 1122));
  add(tcpFrame(C, clientPort, 80, TCP.ACK, q + 1122, 5002 + 8 * 1460));
  return f;
}

function craft(): Frame[] {
  const frames: Frame[] = [];
  // A DNS-like answer first: the server (port 53) is the first source, so it is A.
  frames.push({ tsNs: ms(0), data: udpFrame(S, 53, 40000, 100) });
  frames.push(...download(10, 50000));
  // The same 4-tuple again after the close, with a new initial sequence number: a second TCP
  // conversation (tcp.stream 1), ended by a reset.
  frames.push(...download(100, 50000, true, 900_000));
  // Equal ports: tshark still takes the first source as A.
  frames.push({ tsNs: ms(200), data: tcpFrame(S, 7000, 7000, TCP.SYN, 1, 0) });
  frames.push({ tsNs: ms(201), data: tcpFrame(C, 7000, 7000, TCP.SYN | TCP.ACK, 9, 2) });
  // An ICMP error quoting a UDP datagram: an IP conversation, not a UDP one.
  const quoted = ipPacket(S.src, C.src, 17, udpFrame(S, 33000, 33434, 4).subarray(34));
  frames.push({ tsNs: ms(300), data: icmpUnreachable(C, quoted) });
  // IPv6: a TCP exchange and a UDP datagram in two fragments.
  frames.push({ tsNs: ms(400), data: tcpFrame(C6, 40001, 443, TCP.SYN, 7, 0) });
  frames.push({ tsNs: ms(401), data: tcpFrame(S6, 443, 40001, TCP.SYN | TCP.ACK, 70, 8) });
  const datagram = udpFrame(C6, 5353, 5353, 1400).subarray(54);
  frames.push({ tsNs: ms(402), data: ipv6Fragment(C6, 0x1234, 0, true, datagram.subarray(0, 1000)) });
  frames.push({ tsNs: ms(403), data: ipv6Fragment(C6, 0x1234, 1000, false, datagram.subarray(1000)) });
  // A host talking to itself: one conversation, and the endpoint counts the frame both ways.
  frames.push({ tsNs: ms(500), data: udpFrame(SELF, 9999, 9999, 10) });
  // Three two-frame UDP conversations in order of appearance (equal totals keep that order).
  for (const port of [6003, 6001, 6002]) {
    frames.push({ tsNs: ms(600 + port - 6000), data: udpFrame(C, port, 6000, 20) });
    frames.push({ tsNs: ms(610 + port - 6000), data: udpFrame(S, 6000, port, 30) });
  }
  // Durations of exactly 0.03125 s: printf rounds that tie to even ("0.0312").
  frames.push({ tsNs: ms(1000), data: udpFrame(C, 7100, 7200, 1) });
  frames.push({ tsNs: ms(1031.25), data: udpFrame(S, 7200, 7100, 1) });
  // A frame stamped before the first one: its conversation starts at a negative relative time.
  frames.push({ tsNs: T0 - 500_000_000n, data: udpFrame(C, 7300, 7400, 1) });
  frames.push({ tsNs: ms(1100), data: udpFrame(S, 7400, 7300, 1) });
  return frames;
}

const tsharkFound = spawnSync('sh', ['-c', 'command -v tshark']).status === 0;
let tmp = '';
let file = '';

before(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-conv-'));
  file = path.join(tmp, 'crafted.pcap');
  writeFrames(file, craft());
});
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

function tshark(spec: string): string {
  assert.ok(tsharkFound, 'tshark is needed as the reference: apt-get install tshark');
  const r = spawnSync('tshark', ['-n', '-r', file, '-q', '-z', spec], { encoding: 'utf8' });
  assert.equal(r.status, 0, `tshark failed: ${r.stderr}`);
  return r.stdout;
}

const SPECS = ['conv,eth', 'conv,ip', 'conv,ipv6', 'conv,tcp', 'conv,udp', 'endpoints,eth', 'endpoints,ip', 'endpoints,ipv6', 'endpoints,tcp', 'endpoints,udp'];

for (const spec of SPECS) {
  test(`${spec}: text equals tshark -n -q -z ${spec} byte for byte`, () => {
    const report = spec.startsWith('conv') ? createConversationReport(spec) : createEndpointReport(spec);
    feedFile(file, report);
    assert.equal(report.text(), tshark(spec));
  });
}

test('conv,tcp json: A is the client that sent the first SYN, and AtoB is tshark\'s "->" column', () => {
  const [report] = feedFile(file, createConversationReport('conv,tcp'));
  const rows = report.json();
  const first = rows.find((r) => r.portA === 50000 && r.stream === 0);
  assert.ok(first, 'the first download is listed');
  assert.deepEqual(Object.keys(first).slice(0, 10), [
    'addressA', 'portA', 'addressB', 'portB', 'packetsAtoB', 'bytesAtoB', 'packetsBtoA', 'bytesBtoA', 'relStart', 'duration',
  ]);
  // By construction: the client sends SYN, ACK, request, FIN, ACK; the server SYN/ACK, 8 data, FIN.
  assert.equal(first.addressA, '10.0.0.1');
  assert.equal(first.addressB, '10.0.0.2');
  assert.equal(first.portB, 80);
  assert.equal(first.packetsAtoB, 5, report.text());
  assert.equal(first.packetsBtoA, 10);
  assert.equal(first.bytesBtoA, 54 + 8 * (54 + 1460) + 54);
  assert.equal(first.handshake, true);
  assert.equal(first.state, 'closed');
  // tshark's row for the same conversation: "<-" frames, bytes, then "->" frames, bytes.
  const line = tshark('conv,tcp').split('\n').find((l) => l.startsWith('10.0.0.1:50000 '));
  assert.ok(line, 'tshark lists the conversation');
  const cols = line.split(/\s+/);
  assert.equal(Number(cols[3]), first.packetsBtoA, '"<-" is B→A');
  assert.equal(Number(cols[6]), first.packetsAtoB, '"->" is A→B');
  const second = rows.find((r) => r.portA === 50000 && r.stream === 1);
  assert.equal(second?.state, 'reset');
  assert.equal(rows.find((r) => r.portA === 7000)?.addressA, '10.0.0.2');
});

test('conv,udp json: the quoted datagram is absent; ports are numbers, eth/ip ports null', () => {
  const [udp, ip] = feedFile(file, createConversationReport('conv,udp'), createConversationReport('conv,ip'));
  assert.equal(udp.json().some((r) => r.portA === 33000 || r.portB === 33000), false);
  const dns = udp.json().find((r) => r.portA === 53);
  assert.deepEqual([dns?.addressA, dns?.packetsAtoB, dns?.packetsBtoA, dns?.relStart], ['10.0.0.2', 1, 0, 0]);
  assert.ok(ip.json().every((r) => r.portA === null && r.portB === null));
});

test('reports are incremental: text() between adds equals a fresh report over the same frames', () => {
  const all = createConversationReport('conv,tcp');
  const partial = createConversationReport('conv,tcp');
  feedFile(file, all);
  // Feed the same file in two halves through one report, asking for text() in the middle.
  const frames: Parameters<typeof partial.add>[0][] = [];
  feedFile(file, { spec: 'collect', add: (f) => void frames.push(f), text: () => '', json: () => null });
  frames.slice(0, 5).forEach((f) => partial.add(f));
  assert.match(partial.text(), /10\.0\.0\.1:50000 +<-> 10\.0\.0\.2:80 /);
  frames.slice(5).forEach((f) => partial.add(f));
  assert.equal(partial.text(), all.text());
});
