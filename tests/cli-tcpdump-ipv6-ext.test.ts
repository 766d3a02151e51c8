/**
 * IPv6 routing headers (types 0, 2 and 4, an unknown type, an odd length) and Mobility Headers
 * (every message type of RFC 6275, options, a header too short for its type, next header 62) as
 * tcpdump 4.99 (Debian's) prints them, on packets this test builds: the routing header's final
 * address in the UDP, TCP and ICMPv6 checksums (ip6_finddst), the home address destination
 * option, Ethernet after a segment routing header. Every line compared with -nn, -n -v, -nn -vv
 * and -nn -e, whole and cut by editcap -s.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { sievecapRuns } from './support/agree';
import { writePcap } from './support/frames';

const MISSING = ['tcpdump', 'editcap'].filter((t) => spawnSync(t, ['--version'], { stdio: 'ignore' }).error !== undefined);
const SKIP = MISSING.length > 0 ? `needs ${MISSING.join(', ')} (apt-get install tcpdump tshark)` : false;
const ENV = { ...process.env, TZ: 'UTC' };

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-tcpdump-ipv6-ext-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

function tcpdump(args: string[]): string {
  const r = spawnSync('tcpdump', args, { encoding: 'utf8', env: ENV, maxBuffer: 256 << 20 });
  assert.equal(r.status, 0, `tcpdump ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

const SRC = Buffer.from('20010db8000000000000000000000001', 'hex');
const DST = Buffer.from('20010db8000000000000000000000002', 'hex');
const HOP1 = Buffer.from('20010db8000100000000000000000001', 'hex');
const HOP2 = Buffer.from('20010db8000200000000000000000002', 'hex');
const u16 = (...v: number[]): Buffer => Buffer.concat(v.map((x) => { const b = Buffer.alloc(2); b.writeUInt16BE(x); return b; }));
const u32 = (...v: number[]): Buffer => Buffer.concat(v.map((x) => { const b = Buffer.alloc(4); b.writeUInt32BE(x >>> 0); return b; }));

function checksum(parts: Buffer[]): number {
  const all = Buffer.concat(parts);
  let sum = 0;
  for (let k = 0; k < all.length; k += 2) sum += (all[k]! << 8) | (all[k + 1] ?? 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/** An upper-layer header with its checksum at `at` computed over the pseudo-header to `dst`. */
function withChecksum(body: Buffer, proto: number, at: number, dst: Buffer): Buffer {
  const b = Buffer.from(body);
  b.writeUInt16BE(0, at);
  b.writeUInt16BE(checksum([SRC, dst, u32(b.length), u32(proto), b]), at);
  return b;
}

const udp = (dst: Buffer): Buffer => withChecksum(Buffer.concat([u16(30000, 13000, 12, 0), Buffer.from('abcd')]), 17, 6, dst);
const tcp = (dst: Buffer): Buffer => withChecksum(Buffer.concat([u16(30000, 80), u32(0, 0), u16(0x5002, 8192, 0, 0)]), 6, 16, dst);
const echo = (dst: Buffer): Buffer => withChecksum(Buffer.concat([u16(0x8000, 0, 7, 1), Buffer.from('ping')]), 58, 2, dst);

/** A routing header of `type` listing `addrs` after a 4-byte type-specific word. */
function routing(next: number, type: number, segleft: number, word: Buffer, addrs: Buffer[], len = addrs.length * 2): Buffer {
  return Buffer.concat([Buffer.from([next, len, type, segleft]), word, ...addrs]);
}

/** A Mobility Header: payload proto 59, the message type, its body (header length from the body's size). */
function mobility(type: number, body: Buffer, lenField?: number): Buffer {
  const total = 6 + body.length;
  const h = Buffer.from([59, lenField ?? Math.ceil(total / 8) - 1, type, 0, 0, 0]);
  return Buffer.concat([h, body]);
}

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

test('IPv6 routing and Mobility Headers as tcpdump prints them (-nn, -n -v, -nn -vv, -nn -e; whole and cut)', { skip: SKIP }, () => {
  const frames = [
    ipv6(43, Buffer.concat([routing(17, 0, 2, u32(0), [HOP1, HOP2]), udp(HOP2)])),
    ipv6(43, Buffer.concat([routing(17, 0, 2, u32(0), [HOP1, HOP2]), udp(DST)])),
    ipv6(43, Buffer.concat([routing(6, 0, 1, u32(5), [HOP1]), tcp(HOP1)])),
    ipv6(43, Buffer.concat([routing(58, 0, 0, u32(0), []), echo(DST)])),
    ipv6(43, Buffer.concat([routing(17, 2, 1, u32(0), [HOP1]), udp(HOP1)])),
    ipv6(0, Buffer.concat([Buffer.from([43, 0, 1, 4, 0, 0, 0, 0]), routing(58, 0, 2, u32(0), [HOP1, HOP2]), echo(HOP2)])),
    ipv6(43, Buffer.concat([routing(58, 4, 1, Buffer.from([1, 0, 0x12, 0x34]), [HOP2, HOP1]), echo(HOP2)])),
    ipv6(43, Buffer.concat([routing(143, 4, 0, Buffer.from([0, 0, 0, 0]), [DST]), Buffer.from('0200000000040200000000038864', 'hex'), Buffer.alloc(20)])),
    ipv6(43, Buffer.concat([routing(17, 5, 1, u32(0), [HOP1]), udp(DST)])),
    ipv6(43, Buffer.concat([routing(17, 0, 1, u32(0), [HOP1, HOP2], 3), udp(DST)])),
    ipv6(60, Buffer.concat([Buffer.from([17, 2, 1, 2, 0, 0, 0xc9, 0x10]), HOP1, udp(DST)])),
    ipv6(60, Buffer.concat([Buffer.from([6, 2, 1, 2, 0, 0, 0xc9, 0x10]), HOP1, tcp(DST)])),
    ipv6(135, mobility(0, Buffer.from([0, 0]))),
    ipv6(135, mobility(1, Buffer.concat([u16(0), u32(0, 1)]))),
    ipv6(135, mobility(2, Buffer.concat([u16(0), u32(0, 2)]))),
    ipv6(135, mobility(3, Buffer.concat([u16(13), u32(0, 15, 0, 255)]))),
    ipv6(135, mobility(4, Buffer.concat([u16(13), u32(0, 15, 0, 255)]))),
    ipv6(135, mobility(5, Buffer.concat([u16(37), Buffer.from([0xf0, 0]), u16(3), Buffer.from([1, 2, 0, 0])]))),
    ipv6(135, mobility(5, Buffer.concat([u16(38), Buffer.from([0x50, 0]), u16(3), Buffer.from([0, 1, 0, 2, 0, 7, 4, 4, 0, 1, 0, 2, 1, 0])]))),
    ipv6(135, mobility(6, Buffer.concat([Buffer.from([0, 0x80]), u16(42, 8), Buffer.from([2, 2, 0, 9, 0, 0])]))),
    ipv6(135, mobility(6, Buffer.concat([Buffer.from([128, 0]), u16(43, 8), Buffer.from([3, 16]), HOP1, Buffer.from([5, 10]), Buffer.alloc(10), Buffer.from([0x33, 0]), Buffer.alloc(4)]))),
    ipv6(135, mobility(7, Buffer.concat([Buffer.from([1, 0]), HOP1]))),
    ipv6(135, mobility(9, Buffer.alloc(10))),
    ipv6(135, mobility(6, Buffer.alloc(2), 0)),
    ipv6(62, mobility(5, Buffer.concat([u16(1), Buffer.from([0x80, 0]), u16(1)]))),
    ipv6(60, Buffer.concat([Buffer.from([135, 0, 1, 4, 0, 0, 0, 0]), mobility(0, Buffer.from([0, 0]))])),
  ];
  const file = path.join(tmp, 'ipv6-ext.pcap');
  writePcap(file, frames);
  const inputs = [file];
  for (const snap of [56, 60, 66, 75, 90, 100]) {
    const cut = path.join(tmp, `ipv6-ext-s${snap}.pcap`);
    assert.equal(spawnSync('editcap', ['-F', 'pcap', '-s', String(snap), file, cut]).status, 0);
    inputs.push(cut);
  }
  const runs = inputs.flatMap((f) => [['-nn'], ['-n', '-v'], ['-nn', '-vv'], ['-nn', '-e']].map((args) => [...args, '-r', f]));
  const ours = sievecapRuns(runs);
  const problems: string[] = [];
  let lines = 0;
  runs.forEach((args, k) => {
    assert.equal(ours[k]!.status, 0, `sievecap ${args.join(' ')}: ${ours[k]!.stderr}`);
    const theirs = tcpdump(args);
    lines += (theirs.match(/RT6|mobility/g) ?? []).length;
    if (ours[k]!.stdout !== theirs) {
      const a = theirs.split('\n');
      const b = ours[k]!.stdout.split('\n');
      const i = a.findIndex((line, j) => line !== b[j]);
      problems.push(`sievecap ${args.join(' ')}, line ${i + 1}:\n  tcpdump:  ${a[i]}\n  sievecap: ${b[i]}`);
    }
  });
  console.log(`compared ${lines} routing and mobility lines`);
  assert.deepEqual(problems.slice(0, 6), [], `${problems.length} outputs differ from tcpdump's`);
  assert.ok(lines >= 400, `only ${lines} routing and mobility lines compared`);
  // The checksum over the routing header's last address is the one tcpdump calls correct.
  const verbose = tcpdump(['-nn', '-v', '-r', file]).split('\n');
  assert.match(verbose[0]!, /\[udp sum ok\]/);
  assert.match(verbose[1]!, /\[bad udp cksum/);
});
