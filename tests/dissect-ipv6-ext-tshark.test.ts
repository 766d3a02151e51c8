/**
 * IPv6 extension headers against tshark 4.0, on frames this test builds: a type 0 routing header
 * (its Source Route title, Address[n] items and deprecation note; the final address as the
 * Destination column, in TCP/UDP conversations and in the ICMPv6 checksum), a type 2 one, the
 * Home Address destination option (the Source column and TCP/UDP conversations; the IPv6 rows keep
 * the header's addresses), one whose length says 1 (read as 16 bytes, as packet-ipv6.c does) with
 * UDP after it, options running past their header ("IPv6 Destination" malformed, no IPv6 row), a
 * Mobility Header (no IPv6 row; its tree inside the IPv6 tree) and an IPv6 header cut in its
 * destination address. Compared: -V, the summary lines, -T fields and -z conv,ipv6/tcp/udp.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PcapWriter } from '../app/pcap/pcap-writer';
import { sievecap } from './support/sievecap';
import { firstDifference } from './support/agree';

const NO_TSHARK = spawnSync('tshark', ['--version']).status !== 0 ? 'tshark is not installed (apt-get install tshark)' : false;

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-ipv6-ext-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const SRC = Buffer.from('20010db8000000000000000000000001', 'hex');
const DST = Buffer.from('20010db8000000000000000000000002', 'hex');
const HOP1 = Buffer.from('20010db8000100000000000000000001', 'hex');
const HOP2 = Buffer.from('20010db8000200000000000000000002', 'hex');
const u16 = (...v: number[]): Buffer => Buffer.concat(v.map((x) => { const b = Buffer.alloc(2); b.writeUInt16BE(x); return b; }));
const u32 = (...v: number[]): Buffer => Buffer.concat(v.map((x) => { const b = Buffer.alloc(4); b.writeUInt32BE(x >>> 0); return b; }));

function withChecksum(body: Buffer, proto: number, at: number, src: Buffer, dst: Buffer): Buffer {
  const all = Buffer.concat([src, dst, u32(body.length), u32(proto), body]);
  let sum = 0;
  for (let k = 0; k < all.length; k += 2) sum += (all[k]! << 8) | (all[k + 1] ?? 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  const b = Buffer.from(body);
  b.writeUInt16BE(~sum & 0xffff, at);
  return b;
}

const udp = (): Buffer => Buffer.concat([u16(30000, 13000, 12, 0x1234), Buffer.from('abcd')]);
const tcp = (): Buffer => Buffer.concat([u16(30000, 80), u32(1, 0), u16(0x5002, 8192, 0x4321, 0)]);
const echo = (dst: Buffer): Buffer => withChecksum(Buffer.concat([u16(0x8000, 0, 7, 1), Buffer.from('ping')]), 58, 2, SRC, dst);
const routing = (next: number, type: number, segleft: number, addrs: Buffer[]): Buffer => Buffer.concat([Buffer.from([next, addrs.length * 2, type, segleft]), u32(0), ...addrs]);
const homeAddress = (next: number, len: number, home: Buffer): Buffer => Buffer.concat([Buffer.from([next, 2, 1, 2, 0, 0, 0xc9, len]), home]);

function ipv6(next: number, payload: Buffer, payloadLength = payload.length): Buffer {
  const ip = Buffer.alloc(40);
  ip.writeUInt32BE(0x60000000, 0);
  ip.writeUInt16BE(payloadLength, 4);
  ip[6] = next;
  ip[7] = 64;
  SRC.copy(ip, 8);
  DST.copy(ip, 24);
  return Buffer.concat([Buffer.from('02000000000202000000000186dd', 'hex'), ip, payload]);
}

const FRAMES = [
  ipv6(43, Buffer.concat([routing(17, 0, 2, [HOP1, HOP2]), udp()])),
  ipv6(43, Buffer.concat([routing(6, 0, 1, [HOP1]), tcp()])),
  ipv6(43, Buffer.concat([routing(58, 0, 2, [HOP1, HOP2]), echo(HOP2)])),
  ipv6(43, Buffer.concat([routing(58, 0, 2, [HOP1, HOP2]), echo(DST)])),
  ipv6(43, Buffer.concat([routing(17, 2, 1, [HOP1]), udp()])),
  ipv6(43, Buffer.concat([routing(17, 2, 0, [HOP1]), udp()])),
  ipv6(60, Buffer.concat([homeAddress(17, 16, HOP1), udp()])),
  ipv6(60, Buffer.concat([homeAddress(6, 16, HOP2), tcp()])),
  ipv6(60, Buffer.concat([homeAddress(17, 1, HOP1), udp()])),
  ipv6(60, Buffer.concat([Buffer.from([17, 0, 1, 0, 0xca, 0x90, 0, 0]), udp()])),
  ipv6(60, Buffer.concat([Buffer.from([17, 4, 1, 0]), homeAddress(17, 16, HOP1).subarray(6), Buffer.from([0xc9, 16]), HOP2.subarray(0, 4)])),
  ipv6(135, Buffer.concat([Buffer.from([59, 1, 5, 0, 0, 0]), u16(37), Buffer.from([0xd0, 0]), u16(3), Buffer.from([1, 2, 0, 0])])),
];

const FIELDS = [
  'frame.protocols', '_ws.col.Source', '_ws.col.Destination', '_ws.col.Protocol', '_ws.col.Info', 'ipv6.src', 'ipv6.dst',
  'ipv6.routing.type', 'ipv6.routing.segleft', 'ipv6.routing.src.reserved', 'ipv6.routing.src.addr', 'ipv6.routing.mipv6.home_address',
  'ipv6.opt.mipv6.home_address', 'ipv6.opt.length', 'udp.srcport', 'tcp.srcport', 'icmpv6.checksum.status', '_ws.expert.message',
];

function tshark(file: string, args: string[]): string {
  const r = spawnSync('tshark', ['-r', file, '-n', ...args], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

function ours(file: string, args: string[]): string {
  const r = sievecap(['-r', file, '-n', ...args]);
  assert.equal(r.status, 0, r.stderr.toString());
  return r.stdout.toString();
}

test('IPv6 routing headers, home addresses, bad options and Mobility Headers agree with tshark', { skip: NO_TSHARK }, () => {
  const file = path.join(tmp, 'ipv6-ext.pcap');
  const writer = new PcapWriter(file, { linkType: 1, snapLen: 65535 });
  FRAMES.forEach((data, i) => writer.writePacket({ tsNs: BigInt(i) * 1_000_000n, data }));
  // An IPv6 header cut in its destination address.
  writer.writePacket({ tsNs: 99_000_000n, data: FRAMES[0]!.subarray(0, 14 + 30), origLen: FRAMES[0]!.length });
  writer.close();
  const fields = ['-T', 'fields', '-E', 'header=y', '-E', 'occurrence=a', ...FIELDS.flatMap((f) => ['-e', f])];
  assert.equal(firstDifference(ours(file, fields), tshark(file, fields)), '', '-T fields');
  assert.equal(ours(file, ['-T', 'text']), tshark(file, []), 'summary lines');
  assert.equal(ours(file, ['-V', '-T', 'text']), tshark(file, ['-V']), '-V');
  for (const kind of ['ipv6', 'tcp', 'udp']) {
    assert.equal(ours(file, ['-q', '-z', `conv,${kind}`]), tshark(file, ['-q', '-z', `conv,${kind}`]), `-z conv,${kind}`);
  }
});
