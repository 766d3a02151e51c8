/**
 * IP fragments as tshark 4.0 shows them in -V and -T json, on frames built here: an ICMP echo
 * in three IPv4 fragments (ip.fragments is a bytes field: the datagram, then its tree), an
 * ICMPv6 echo in two IPv6 fragments (the fragments' tree in the IPv6 tree, after the Fragment
 * Header), an ICMPv6 Packet Too Big quoting the first of them (the quoted packet's Fragment
 * Header inside it, its bytes as Data in the ICMPv6 tree, nothing malformed) and the Echo
 * protocol on UDP port 7. Compared line for line with tshark.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { sievecap } from './support/sievecap';
import { writePcap } from './support/frames';

const NO_TSHARK = spawnSync('tshark', ['--version']).status !== 0 ? 'tshark is not installed (apt-get install tshark)' : false;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-fragments-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

function tshark(args: string[]): string {
  const r = spawnSync('tshark', args, { encoding: 'utf8', maxBuffer: 64 << 20 });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

function sum16(...parts: Buffer[]): number {
  let sum = 0;
  for (const part of parts) for (let k = 0; k < part.length; k += 2) sum += (part[k]! << 8) | (part[k + 1] ?? 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

const MAC = { a: Buffer.from('020000000001', 'hex'), b: Buffer.from('020000000002', 'hex') };
const V4 = { a: Buffer.from([10, 0, 0, 1]), b: Buffer.from([10, 0, 0, 2]) };
const v6 = (last: number): Buffer => Buffer.from([0xfd, 0, 0, 0x50, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, last]);
const V6 = { a: v6(1), b: v6(2), router: v6(0xfe) };

function ether(type: number, payload: Buffer, src = MAC.a, dst = MAC.b): Buffer {
  const h = Buffer.alloc(14);
  dst.copy(h, 0);
  src.copy(h, 6);
  h.writeUInt16BE(type, 12);
  return Buffer.concat([h, payload]);
}

function ipv4(src: Buffer, dst: Buffer, protocol: number, payload: Buffer, id: number, flagsOffset: number): Buffer {
  const h = Buffer.alloc(20);
  h[0] = 0x45;
  h.writeUInt16BE(20 + payload.length, 2);
  h.writeUInt16BE(id, 4);
  h.writeUInt16BE(flagsOffset, 6);
  h[8] = 64;
  h[9] = protocol;
  src.copy(h, 12);
  dst.copy(h, 16);
  h.writeUInt16BE(sum16(h), 10);
  return Buffer.concat([h, payload]);
}

function ipv6(src: Buffer, dst: Buffer, next: number, payload: Buffer): Buffer {
  const h = Buffer.alloc(40);
  h.writeUInt32BE(0x60012345, 0);
  h.writeUInt16BE(payload.length, 4);
  h[6] = next;
  h[7] = 64;
  src.copy(h, 8);
  dst.copy(h, 24);
  return Buffer.concat([h, payload]);
}

function icmpv6(src: Buffer, dst: Buffer, message: Buffer): Buffer {
  const pseudo = Buffer.alloc(40);
  src.copy(pseudo, 0);
  dst.copy(pseudo, 16);
  pseudo.writeUInt32BE(message.length, 32);
  pseudo[39] = 58;
  message.writeUInt16BE(0, 2);
  message.writeUInt16BE(sum16(pseudo, message), 2);
  return message;
}

function frames(): Buffer[] {
  const out: Buffer[] = [];
  const pattern = (n: number): Buffer => Buffer.from(Array.from({ length: n }, (_, i) => i & 0xff));
  // An ICMP echo request of 2,008 bytes in three IPv4 fragments (800, 800, 408 bytes).
  const echo4 = Buffer.concat([Buffer.from([8, 0, 0, 0, 0x12, 0x34, 0, 1]), pattern(2000)]);
  echo4.writeUInt16BE(sum16(echo4), 2);
  for (const [from, to, more] of [[0, 800, 1], [800, 1600, 1], [1600, echo4.length, 0]] as const) {
    out.push(ether(0x0800, ipv4(V4.a, V4.b, 1, echo4.subarray(from, to), 0x4242, (more ? 0x2000 : 0) | (from / 8))));
  }
  // An ICMPv6 echo request of 1,808 bytes in two IPv6 fragments (1,232 and 576 bytes).
  const echo6 = icmpv6(V6.a, V6.b, Buffer.concat([Buffer.from([128, 0, 0, 0, 0x43, 0x21, 0, 1]), pattern(1800)]));
  const fragment = (from: number, to: number, more: boolean): Buffer => {
    const h = Buffer.from([58, 0, 0, 0, 0x35, 0x18, 0x2f, 0xb2]);
    h.writeUInt16BE(from | (more ? 1 : 0), 2);
    return ipv6(V6.a, V6.b, 44, Buffer.concat([h, echo6.subarray(from, to)]));
  };
  const first6 = fragment(0, 1232, true);
  out.push(ether(0x86dd, first6), ether(0x86dd, fragment(1232, echo6.length, false)));
  // The router cannot forward the first fragment: Packet Too Big quotes as much of it as fits in 1,280 bytes.
  const quoted = first6.subarray(0, 1280 - 40 - 8);
  const tooBig = icmpv6(V6.router, V6.a, Buffer.concat([Buffer.from([2, 0, 0, 0, 0, 0, 0x05, 0x00]), quoted]));
  out.push(ether(0x86dd, ipv6(V6.router, V6.a, 58, tooBig), MAC.b, MAC.a));
  // The Echo protocol: a datagram to UDP port 7 and its answer.
  const udp = (sport: number, dport: number, payload: Buffer): Buffer => {
    const h = Buffer.alloc(8);
    h.writeUInt16BE(sport, 0);
    h.writeUInt16BE(dport, 2);
    h.writeUInt16BE(8 + payload.length, 4);
    return Buffer.concat([h, payload]);
  };
  const words = Buffer.from('sievecap echo datagram '.repeat(4));
  out.push(ether(0x0800, ipv4(V4.a, V4.b, 17, udp(40007, 7, words), 0x100, 0x4000)));
  out.push(ether(0x0800, ipv4(V4.b, V4.a, 17, udp(7, 40007, words), 0x101, 0x4000), MAC.b, MAC.a));
  return out;
}

test('IPv4 and IPv6 fragments, a quoted IPv6 fragment and Echo: -V and -T json as tshark\'s', { skip: NO_TSHARK }, () => {
  const file = path.join(tmp, 'fragments.pcap');
  writePcap(file, frames());
  const summary = tshark(['-r', file]);
  assert.match(summary, /ICMPv6 \d+ Echo \(ping\) request[^\n]*\n[^\n]*Packet Too Big/);
  assert.equal(sievecap(['-r', file, '-T', 'text']).stdout.toString(), summary);
  const tree = tshark(['-r', file, '-V']);
  assert.match(tree, /^ {4}\[3 IPv4 Fragments \(2008 bytes\)/m);
  assert.match(tree, /^ {4}\[2 IPv6 Fragments \(1808 bytes\)/m);
  assert.equal(sievecap(['-r', file, '-V']).stdout.toString(), tree);
  const json = tshark(['-r', file, '-T', 'json']);
  assert.match(json, /"ip\.fragments_tree"/);
  assert.equal(sievecap(['-r', file, '-T', 'json']).stdout.toString(), json);
  const fields = ['-T', 'fields', '-e', 'frame.number', '-e', 'ip.fragments', '-e', 'ipv6.fragment', '-e', 'echo.request', '-e', 'echo.response'];
  assert.equal(sievecap(['-r', file, ...fields]).stdout.toString(), tshark(['-r', file, ...fields]));
});
