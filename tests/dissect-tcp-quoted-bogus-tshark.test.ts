/**
 * TCP headers tshark 4.0 does not dissect to the end, against tshark itself, on frames this test
 * builds:
 * - a header length below 20 (packet-tcp.c: the conversation found, the segment analysed with its
 *   length counted from that header length, Info `…, bogus TCP header length (16, must be at least
 *   20)`, the expert only in the tree, no payload, no tap);
 * - a TCP header an ICMP error quotes whole (its conversation found or made: a stream index, its
 *   completeness and time stamps; the sequence number as sent; its payload in the ICMP tree, and an
 *   HTTP request in it counted on its conversation), so later streams are numbered as tshark's;
 * - IPv6 addresses that embed IPv4 ones (6to4, Teredo, ISATAP, 64:ff9b::/96), and a quoted UDP
 *   datagram with a zero checksum.
 * Compared as summary lines, -V, -T json, -T pdml, -z conv,tcp and -z expert, and, for the engine
 * the desktop uses, filters over the stream fields in a PacketStore against tshark's -Y.
 * Skipped when tshark is not installed.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PcapWriter } from '../app/pcap/pcap-writer';
import { PacketStore } from '../app/engine/store';
import { sievecap } from './support/sievecap';

const NO_TSHARK = spawnSync('tshark', ['--version']).status !== 0 ? 'tshark is not installed (apt-get install tshark)' : false;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-tcp-quoted-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

function checksum(bytes: Buffer): number {
  let sum = 0;
  for (let k = 0; k + 1 < bytes.length; k += 2) sum += bytes.readUInt16BE(k);
  if (bytes.length & 1) sum += bytes[bytes.length - 1]! << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

const ETH_V4 = Buffer.from('0200000000020200000000010800', 'hex');
const ETH_V6 = Buffer.from('02000000000202000000000186dd', 'hex');
type V4 = [number, number, number, number];
const CLIENT: V4 = [10, 0, 0, 1];
const SERVER: V4 = [10, 0, 0, 2];
const ROUTER: V4 = [10, 0, 0, 254];

function ipv4(protocol: number, src: V4, dst: V4, payload: Buffer): Buffer {
  const h = Buffer.alloc(20);
  h[0] = 0x45;
  h.writeUInt16BE(20 + payload.length, 2);
  h[8] = 64;
  h[9] = protocol;
  Buffer.from(src).copy(h, 12);
  Buffer.from(dst).copy(h, 16);
  h.writeUInt16BE(checksum(h), 10);
  return Buffer.concat([h, payload]);
}

/** A TCP header; `words` the header length in 32-bit words (5 for 20 bytes). */
function tcp(srcPort: number, dstPort: number, seq: number, ack: number, flags: number, payload: Buffer, words = 5): Buffer {
  const t = Buffer.alloc(20);
  t.writeUInt16BE(srcPort, 0);
  t.writeUInt16BE(dstPort, 2);
  t.writeUInt32BE(seq >>> 0, 4);
  t.writeUInt32BE(ack >>> 0, 8);
  t[12] = words << 4;
  t[13] = flags;
  t.writeUInt16BE(1000, 14);
  return Buffer.concat([t, payload]);
}

function udp(srcPort: number, dstPort: number, payload: Buffer): Buffer {
  const u = Buffer.alloc(8);
  u.writeUInt16BE(srcPort, 0);
  u.writeUInt16BE(dstPort, 2);
  u.writeUInt16BE(8 + payload.length, 4);
  return Buffer.concat([u, payload]);
}

const segment = (src: V4, dst: V4, t: Buffer): Buffer => Buffer.concat([ETH_V4, ipv4(6, src, dst, t)]);

/** An ICMP destination unreachable (code 3 port, 4 fragmentation needed) quoting an IPv4 packet. */
function unreachable(code: number, quoted: Buffer): Buffer {
  const icmp = Buffer.concat([Buffer.from([3, code, 0, 0, 0, 0, code === 4 ? 0x05 : 0, 0]), quoted]);
  icmp.writeUInt16BE(checksum(icmp), 2);
  return Buffer.concat([ETH_V4, ipv4(1, ROUTER, CLIENT, icmp)]);
}

function v6(text: string): Buffer {
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = [...h, ...Array(tail !== undefined ? 8 - h.length - t.length : 0).fill('0'), ...t];
  const out = Buffer.alloc(16);
  groups.forEach((g, k) => out.writeUInt16BE(parseInt(g || '0', 16), k * 2));
  return out;
}

function ipv6Frame(src: string, dst: string, next: number, payload: Buffer): Buffer {
  const h = Buffer.alloc(40);
  h[0] = 0x60;
  h.writeUInt16BE(payload.length, 4);
  h[6] = next;
  h[7] = 64;
  v6(src).copy(h, 8);
  v6(dst).copy(h, 24);
  return Buffer.concat([ETH_V6, h, payload]);
}

function frames(): Buffer[] {
  const PSH_ACK = 0x18;
  const get = Buffer.from('GET / HTTP/1.1\r\nHost: a\r\n\r\n');
  const request = segment(CLIENT, SERVER, tcp(40000, 80, 1001, 5001, PSH_ACK, get));
  return [
    // A handshake, a request, and an ICMP error quoting the request whole (an HTTP request inside).
    segment(CLIENT, SERVER, tcp(40000, 80, 1000, 0, 0x02, Buffer.alloc(0))),
    segment(SERVER, CLIENT, tcp(80, 40000, 5000, 1001, 0x12, Buffer.alloc(0))),
    segment(CLIENT, SERVER, tcp(40000, 80, 1001, 5001, 0x10, Buffer.alloc(0))),
    request,
    unreachable(4, request.subarray(14)),
    // A quote that opens a stream: the segment itself comes later, in that stream.
    unreachable(4, ipv4(6, CLIENT, SERVER, tcp(40001, 81, 77, 88, PSH_ACK, Buffer.from('xyz')))),
    segment(SERVER, CLIENT, tcp(80, 40000, 5001, 1028, PSH_ACK, Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'))),
    segment(CLIENT, SERVER, tcp(40001, 81, 77, 88, PSH_ACK, Buffer.from('xyz'))),
    // Bogus header lengths: 16 in the established stream, 0 in a SYN, 12 opening a stream mid-way.
    segment(CLIENT, SERVER, tcp(40000, 80, 1028, 5040, PSH_ACK, Buffer.from('more data'), 4)),
    segment(SERVER, CLIENT, tcp(80, 40000, 5040, 1028, 0x10, Buffer.alloc(0))),
    segment([10, 0, 0, 3], [10, 0, 0, 4], tcp(40003, 80, 99, 0, 0x02, Buffer.from([2, 4, 5, 0xb4]), 0)),
    segment([10, 0, 0, 4], [10, 0, 0, 3], tcp(80, 40003, 500, 100, 0x12, Buffer.alloc(0))),
    segment(CLIENT, SERVER, tcp(40005, 22, 1000, 2000, PSH_ACK, Buffer.from('SSH-2.0-x\r\n'), 3)),
    segment(CLIENT, SERVER, tcp(40005, 22, 1011, 2000, PSH_ACK, Buffer.from('more'))),
    segment(SERVER, CLIENT, tcp(22, 40005, 2000, 1015, 0x10, Buffer.alloc(0))),
    // A quoted header with a bogus length, a quoted UDP datagram (its payload outside the ICMP tree).
    unreachable(3, ipv4(6, CLIENT, SERVER, tcp(40006, 80, 1234, 0, 0x02, Buffer.alloc(0), 4))),
    unreachable(3, ipv4(17, CLIENT, SERVER, udp(40007, 33434, Buffer.from('abcdefgh')))),
    // Addresses with IPv4 inside, and a bogus header over IPv6.
    ipv6Frame('2001:0:4136:e378:8000:63bf:3fff:fdd2', '2001:db8::1', 17, udp(1234, 5678, Buffer.alloc(4))),
    ipv6Frame('2002:c000:204:1::5', '2002:cb00:7101::9', 17, udp(1234, 5678, Buffer.alloc(4))),
    ipv6Frame('fe80::200:5efe:c000:204', 'fe80::5efe:a00:1', 17, udp(1234, 5678, Buffer.alloc(4))),
    ipv6Frame('64:ff9b::c000:221', '2001:db8::2', 17, udp(1234, 5678, Buffer.alloc(4))),
    ipv6Frame('2001:db8::1', '2001:db8::2', 6, tcp(40002, 443, 5, 7, PSH_ACK, Buffer.from('abcdefgh'), 2)),
  ];
}

test('bogus TCP header lengths, quoted TCP headers and IPv6 addresses with IPv4 inside: as tshark shows them', { skip: NO_TSHARK }, async () => {
  const file = path.join(tmp, 'quoted.pcap');
  const writer = new PcapWriter(file, { linkType: 1, snapLen: 65535 });
  frames().forEach((data, k) => writer.writePacket({ tsNs: 1_700_000_000_000_000_000n + BigInt(k) * 1_000_000n, data }));
  writer.close();
  const tshark = (args: string[]): string => {
    const r = spawnSync('tshark', ['-r', file, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout;
  };
  const summary = tshark([]);
  // The cases are there: a bogus length in Info, a stream opened by a quote.
  assert.match(summary, /bogus TCP header length \(16, must be at least 20\)/);
  assert.equal(tshark(['-Y', 'icmp && tcp.stream == 1', '-T', 'fields', '-e', 'frame.number']), '6\n');
  assert.equal(sievecap(['-r', file, '-T', 'text']).stdout.toString(), summary);
  // (PDML's header carries the time it was written: left out of the comparison.)
  const pdml = (text: string): string => text.replace(/ time="[^"]*"/, '');
  assert.equal(pdml(sievecap(['-r', file, '-T', 'pdml']).stdout.toString()), pdml(tshark(['-T', 'pdml'])), '-T pdml');
  for (const args of [['-V'], ['-T', 'json'], ['-q', '-z', 'conv,tcp'], ['-q', '-z', 'expert'], ['-T', 'fields', '-e', 'frame.number', '-e', 'tcp.stream', '-e', 'tcp.completeness', '-e', 'tcp.time_delta', '-e', 'tcp.seq', '-e', 'tcp.analysis.bytes_in_flight', '-e', '_ws.expert.message']]) {
    assert.equal(sievecap(['-r', file, ...args]).stdout.toString(), tshark(args), args.join(' '));
  }
  // The engine the desktop uses numbers streams from its index and replays per-stream state.
  const store = PacketStore.openFile(file);
  try {
    await store.loading;
    for (const filter of ['tcp.stream == 1', 'tcp.stream == 2', 'tcp.time_delta > 0.0015', 'tcp.completeness == 15', 'tcp.seq == 1', 'tcp.bogus_header_length', 'ipv6.tc_port == 40000', 'ipv6.embed_ipv4 == 192.0.2.33']) {
      const view = store.filter(filter);
      await view.update();
      const theirs = tshark(['-Y', filter, '-T', 'fields', '-e', 'frame.number']).trim().split('\n').filter(Boolean).map(Number);
      assert.ok(theirs.length > 0, `${filter}: tshark selects frames`);
      assert.deepEqual(Array.from(view.frames()), theirs, filter);
    }
  } finally {
    store.close();
  }
});
