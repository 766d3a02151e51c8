/**
 * NFS (ONC RPC on port 2049, UDP and TCP with record marking) and telnet's option negotiation
 * as tcpdump 4.99 prints them (print-nfs.c, print-telnet.c), on frames built here: NFSv3 calls
 * and replies of every procedure, NFSv2's, file handles of each layout Parse_fh guesses, errors
 * and RPC rejections, replies to calls never seen and to calls pushed out of tcpdump's 64-entry
 * xid map, IPv6; telnet's commands, subnegotiations (NAWS, terminal type, LINEMODE,
 * AUTHENTICATION, ENCRYPT), IAC IAC, and a subnegotiation missing its IAC SE. Every packet also
 * cut short at several lengths, so that ` [|nfs]` and ` [|telnet]` are met. The whole output
 * must equal tcpdump's with -nn, -v, -vv, -vvv, -q, -e, and -X -vvv.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PcapWriter } from '../app/pcap/pcap-writer';
import { TcpConversation } from './support/tcp-frames';
import { sievecapRuns } from './support/agree';

const SKIP = spawnSync('tcpdump', ['--version'], { stdio: 'ignore' }).error !== undefined ? 'needs tcpdump (apt-get install tcpdump)' : false;
const ENV = { ...process.env, TZ: 'UTC' };

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-tcpdump-nfs-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

// ---- XDR ----
const u32 = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
};
const u64 = (n: bigint): Buffer => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt.asUintN(64, n));
  return b;
};
const opaque = (data: Buffer): Buffer => Buffer.concat([u32(data.length), data, Buffer.alloc((4 - (data.length % 4)) % 4)]);
const str = (s: string): Buffer => opaque(Buffer.from(s, 'latin1'));
const cat = (...parts: Buffer[]): Buffer => Buffer.concat(parts);
const time = (sec: number, frac: number): Buffer => cat(u32(sec), u32(frac));

// ---- ONC RPC ----
const AUTH_UNIX = cat(u32(1), opaque(cat(u32(0x5f000000), str('client'), u32(1000), u32(1000), u32(1), u32(1000))));
const VERF_NONE = cat(u32(0), u32(0));

function call(xid: number, vers: number, proc: number, ...args: Buffer[]): Buffer {
  return cat(u32(xid), u32(0), u32(2), u32(100003), u32(vers), u32(proc), AUTH_UNIX, VERF_NONE, ...args);
}

function reply(xid: number, ...results: Buffer[]): Buffer {
  return cat(u32(xid), u32(1), u32(0), VERF_NONE, u32(0), ...results);
}

// ---- NFS values ----
/** Handles of the layouts parsenfsfh.c tells apart (bytes 0-27). */
/** `hex` zero-filled (or cut) to `size` bytes. */
const fit = (hex: string, size = 28): Buffer => {
  const b = Buffer.alloc(size);
  Buffer.from(hex, 'hex').copy(b);
  return b;
};
const HANDLES = {
  linux: fit('0100070001000c00000000005ad6a3b1c1e64b4b8e0e51fd35b1b6ea'),
  bsd44: fit('0a0500001122000039300000'),
  auspex: fit('000000000000030700000000000123450000'),
  sunos4: fit('000000170000000100000000000d431'),
  irix4: fit('000001020008000000000abc'),
  decosf: fit('0a0b0c0d010000000c0000000000aabbccdd'),
  sunos5: fit('0080000400000002000a00000000d431'),
  hpux9: fit('0100020300000000000a000000004a31'),
  ultrix: fit('03040000050600000000000000000000000000000000000000001122'),
  vms: fit('01444b4131303020000000000000000000000000000012340000000005060000', 32),
  unknown: fit('0102030405060708090a0b0c0d0e0f10', 16),
  short: fit('0102030405060708', 8),
  odd: fit('0a0500001122000039300000', 26),
};

const FH = HANDLES.linux;
const fh3 = (h: Buffer = FH): Buffer => opaque(h);
/** NFSv2's fixed 32-byte handle. */
const fh2 = (seed: number): Buffer => Buffer.from(Array.from({ length: 32 }, (_, i) => (i < 2 ? 1 + i : (seed * 7 + i * 13) & 0xff)));

function fattr3(type: number, mode: number, size: bigint): Buffer {
  return cat(u32(type), u32(mode), u32(2), u32(1000), u32(0xfffffffe), u64(size), u64(size * 2n), u32(8), u32(1),
    u64(0x37292d5062ed1a4fn), u64(0x40a3dff9n), time(1514568131, 625386941), time(1514568131, 5), time(1514568132, 641387207));
}
const fattr2 = (type: number, mode: number, size: number): Buffer =>
  cat(u32(type), u32(mode), u32(1), u32(0), u32(0), u32(size), u32(4096), u32(0x0801), u32(8), u32(0x1234), u32(99), time(1000, 1), time(2000, 2), time(3000, 999999));
const postOp = (attr?: Buffer): Buffer => (attr ? cat(u32(1), attr) : u32(0));
const wcc = (pre: boolean, attr?: Buffer): Buffer => cat(pre ? cat(u32(1), u64(4096n), time(100, 200), time(300, 400)) : u32(0), postOp(attr));
const FILE = fattr3(1, 0o100644, 12345n);
const DIR = fattr3(2, 0o40755, 4096n);
const sattr3 = cat(u32(1), u32(0o644), u32(1), u32(0), u32(1), u32(100), u32(0), u32(1), u32(2), time(1600000000, 42));

/** [call, reply] pairs of NFSv3, one or more per procedure; xids from `base`. */
function v3Exchanges(base: number): Array<[Buffer, Buffer]> {
  let xid = base;
  const pair = (proc: number, args: Buffer[], results: Buffer[]): [Buffer, Buffer] => {
    xid++;
    return [call(xid, 3, proc, ...args), reply(xid, ...results)];
  };
  const entries3 = cat(u32(1), u64(11n), str('a.txt'), u64(1n), u32(1), u64(12n), str('b'), u64(2n), u32(0), u32(1));
  const plusEntries = cat(u32(1), u64(11n), str('a.txt'), u64(1n), postOp(FILE), u32(1), fh3(), u32(0), u32(1));
  return [
    pair(0, [], []),
    ...Object.values(HANDLES).map((h) => pair(1, [fh3(h)], [u32(0), FILE])),
    pair(1, [fh3()], [u32(70)]),
    pair(2, [fh3(), sattr3, u32(0)], [u32(0), wcc(true, FILE)]),
    pair(3, [fh3(), str('etc')], [u32(0), fh3(HANDLES.bsd44), postOp(DIR), postOp(DIR)]),
    pair(3, [fh3(), str('no\u0001such\u00e9')], [u32(2), postOp(DIR)]),
    pair(4, [fh3(), u32(0x1f)], [u32(0), postOp(FILE), u32(0x1b)]),
    pair(4, [fh3(), u32(0x3f)], [u32(0), postOp(), u32(0x3f)]),
    pair(4, [fh3(), u32(0x40)], [u32(13), postOp(FILE)]),
    pair(5, [fh3()], [u32(0), postOp(FILE), str('/usr/lib/target')]),
    pair(6, [fh3(), u64(8192n), u32(4096)], [u32(0), postOp(FILE), u32(5), u32(1), opaque(Buffer.from('hello'))]),
    pair(7, [fh3(), u64(0x100000000n), u32(5), u32(2), opaque(Buffer.from('hello'))], [u32(0), wcc(true, FILE), u32(5), u32(2), u64(0xdeadbeefcafen)]),
    pair(7, [fh3(), u64(0n), u32(5), u32(7), opaque(Buffer.from('hello'))], [u32(28), wcc(false)]),
    pair(8, [fh3(), str('new.txt'), u32(0), sattr3], [u32(0), u32(1), fh3(HANDLES.sunos5), postOp(FILE), wcc(true, DIR)]),
    pair(9, [fh3(), str('newdir'), sattr3], [u32(17), wcc(true, DIR)]),
    pair(10, [fh3(), str('link'), sattr3, str('../target')], [u32(0), u32(0), wcc(false, DIR)]),
    pair(11, [fh3(), str('tty9'), u32(4), sattr3, u32(4), u32(9)], [u32(0), u32(1), fh3(), postOp(FILE), wcc(true, DIR)]),
    pair(11, [fh3(), str('fifo'), u32(6), sattr3], [u32(0), u32(0), wcc(false, DIR)]),
    pair(12, [fh3(), str('old.txt')], [u32(0), wcc(true, DIR)]),
    pair(13, [fh3(), str('olddir')], [u32(66), wcc(false, DIR)]),
    pair(14, [fh3(), str('a'), fh3(HANDLES.bsd44), str('b')], [u32(0), wcc(true, DIR), wcc(true, DIR)]),
    pair(15, [fh3(), fh3(HANDLES.bsd44), str('hard')], [u32(0), postOp(FILE), wcc(true, DIR)]),
    pair(16, [fh3(), u64(0n), u64(0x0102030405060708n), u32(4096)], [u32(0), postOp(DIR), u64(0x1122334455667788n), entries3]),
    pair(16, [fh3(), u64(-1n), u64(0n), u32(512)], [u32(10003), postOp()]),
    pair(17, [fh3(), u64(0n), u64(0n), u32(4096), u32(32768)], [u32(0), postOp(DIR), u64(0xabcdefn), plusEntries]),
    pair(18, [fh3()], [u32(0), postOp(DIR), u64(1n << 40n), u64(1n << 39n), u64(1n << 38n), u64(1000n), u64(500n), u64(400n), u32(0)]),
    pair(19, [fh3()], [u32(0), postOp(DIR), u32(1048576), u32(1048576), u32(4096), u32(1048576), u32(1048576), u32(4096), u32(4096), u64(0x7fffffffffffffffn), time(0, 1), u32(0x1b)]),
    pair(20, [fh3()], [u32(0), postOp(DIR), u32(32000), u32(255), u32(1), u32(1), u32(0), u32(1)]),
    pair(21, [fh3(), u64(0n), u32(0)], [u32(0), wcc(true, FILE), u64(0x1234567890n)]),
    pair(30, [fh3()], [u32(0)]),
  ];
}

/** [call, reply] pairs of NFSv2. */
function v2Exchanges(base: number): Array<[Buffer, Buffer]> {
  let xid = base;
  const pair = (proc: number, args: Buffer[], results: Buffer[]): [Buffer, Buffer] => {
    xid++;
    return [call(xid, 2, proc, ...args), reply(xid, ...results)];
  };
  const sattr2 = cat(u32(0o644), u32(0xffffffff), u32(0xffffffff), u32(0xffffffff), time(0xffffffff, 0xffffffff), time(0xffffffff, 0xffffffff));
  return [
    pair(0, [], []),
    pair(1, [fh2(1)], [u32(0), fattr2(1, 0o100600, 777)]),
    pair(2, [fh2(1), sattr2], [u32(0), fattr2(1, 0o100644, 777)]),
    pair(3, [fh2(1)], [u32(0)]),
    pair(4, [fh2(2), str('passwd')], [u32(0), fh2(3), fattr2(1, 0o100644, 1500)]),
    pair(4, [fh2(2), str('missing')], [u32(2)]),
    pair(5, [fh2(3)], [u32(0), str('/target')]),
    pair(6, [fh2(3), u32(0), u32(8192), u32(8192)], [u32(0), fattr2(1, 0o100644, 1500), opaque(Buffer.alloc(16, 0x41))]),
    pair(8, [fh2(3), u32(0), u32(4096), u32(16), opaque(Buffer.alloc(16, 0x42))], [u32(0), fattr2(1, 0o100644, 4112)]),
    pair(9, [fh2(2), str('made'), sattr2], [u32(0), fh2(4), fattr2(1, 0o100644, 0)]),
    pair(10, [fh2(2), str('made')], [u32(0)]),
    pair(11, [fh2(2), str('x'), fh2(2), str('y')], [u32(0)]),
    pair(12, [fh2(3), fh2(2), str('z')], [u32(18)]),
    pair(13, [fh2(2), str('sym'), str('/to'), sattr2], [u32(0)]),
    pair(14, [fh2(2), str('d'), sattr2], [u32(0), fh2(5), fattr2(2, 0o40755, 512)]),
    pair(15, [fh2(2), str('d')], [u32(0)]),
    pair(16, [fh2(2), u32(0), u32(4096)], [u32(0), u32(1), u32(7), str('one'), u32(1), u32(0), u32(1)]),
    pair(17, [fh2(2)], [u32(0), u32(8192), u32(4096), u32(100000), u32(50000), u32(40000)]),
    pair(18, [fh2(2)], [u32(0)]),
  ];
}

/** RPC replies other than an accepted success, and calls that are not NFS v2/v3. */
function oddExchanges(base: number): Array<[Buffer, Buffer]> {
  const x = (k: number): number => base + k;
  return [
    [call(x(1), 3, 1, fh3()), cat(u32(x(1)), u32(1), u32(1), u32(0), u32(2), u32(2))],
    [call(x(2), 3, 1, fh3()), cat(u32(x(2)), u32(1), u32(1), u32(1), u32(5))],
    [call(x(3), 3, 1, fh3()), cat(u32(x(3)), u32(1), u32(1), u32(1), u32(99))],
    [call(x(4), 3, 1, fh3()), cat(u32(x(4)), u32(1), u32(1), u32(7))],
    [call(x(5), 3, 1, fh3()), cat(u32(x(5)), u32(1), u32(0), VERF_NONE, u32(1))],
    [call(x(6), 3, 1, fh3()), cat(u32(x(6)), u32(1), u32(0), VERF_NONE, u32(9))],
    [call(x(7), 3, 1, fh3()), cat(u32(x(7)), u32(1), u32(4))],
    // NFSv4's COMPOUND (procedure 1): tcpdump reads it as version 2's getattr.
    [call(x(8), 4, 1, str('tag'), u32(0), u32(1), u32(9)), reply(x(8), u32(0), str('tag'), u32(1), u32(9), u32(0))],
    // A credential longer than the message, a verifier that fills it.
    [cat(u32(x(9)), u32(0), u32(2), u32(100003), u32(3), u32(1), u32(1), u32(400), Buffer.alloc(8)), reply(x(9) + 1000, u32(0))],
    [cat(u32(x(10)), u32(0), u32(2), u32(100003), u32(3), u32(1), u32(0), u32(0), u32(0), u32(8), Buffer.alloc(8)), reply(x(10), u32(0), FILE)],
  ];
}

// ---- frames ----
const MAC = Buffer.from('020000000002020000000001', 'hex');

function ipv4(proto: number, src: string, dst: string, payload: Buffer): Buffer {
  const ip = Buffer.alloc(20);
  ip[0] = 0x45;
  ip.writeUInt16BE(20 + payload.length, 2);
  ip[8] = 64;
  ip[9] = proto;
  Buffer.from(src.split('.').map(Number)).copy(ip, 12);
  Buffer.from(dst.split('.').map(Number)).copy(ip, 16);
  let sum = 0;
  for (let k = 0; k < 20; k += 2) sum += ip.readUInt16BE(k);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  ip.writeUInt16BE(~sum & 0xffff, 10);
  return cat(MAC, Buffer.from([0x08, 0x00]), ip, payload);
}

function ipv6(src: string, dst: string, payload: Buffer): Buffer {
  const ip = Buffer.alloc(40);
  ip.writeUInt32BE(0x60000000, 0);
  ip.writeUInt16BE(payload.length, 4);
  ip[6] = 17;
  ip[7] = 64;
  Buffer.from(src, 'hex').copy(ip, 8);
  Buffer.from(dst, 'hex').copy(ip, 24);
  return cat(MAC, Buffer.from([0x86, 0xdd]), ip, payload);
}

const udp = (sport: number, dport: number, payload: Buffer): Buffer => cat(u32((sport << 16) | dport), u32(((8 + payload.length) << 16) >>> 0), payload);

/** Each call from the client's port to 2049 and its reply back, over UDP/IPv4 (and IPv6 for `v6`). */
function udpFrames(exchanges: Array<[Buffer, Buffer]>, v6 = false): Buffer[] {
  const client = v6 ? '20010db8000000000000000000000001' : '192.0.2.1';
  const server = v6 ? '20010db8000000000000000000000002' : '192.0.2.2';
  const frame = (sport: number, dport: number, payload: Buffer, fromClient: boolean): Buffer =>
    v6 ? ipv6(fromClient ? client : server, fromClient ? server : client, udp(sport, dport, payload))
      : ipv4(17, fromClient ? client : server, fromClient ? server : client, udp(sport, dport, payload));
  return exchanges.flatMap(([c, r]) => [frame(801, 2049, c, true), frame(2049, 801, r, false)]);
}

/** The same over TCP, each message behind its record mark. */
function tcpFrames(exchanges: Array<[Buffer, Buffer]>): Buffer[] {
  const c = new TcpConversation({ client: '192.0.2.1', server: '192.0.2.2', clientPort: 703, serverPort: 2049 });
  c.handshake();
  const mark = (m: Buffer): Buffer => cat(u32(0x80000000 | m.length), m);
  exchanges.forEach(([q, r], k) => {
    // One call goes out in two segments: the second starts inside the message.
    c.send('client', mark(q), k === 3 ? [30] : []);
    c.send('server', mark(r));
  });
  // A record mark longer than the segment, and a segment of three bytes.
  c.send('client', cat(u32(0x80010000), call(7777, 3, 1, fh3())));
  c.send('client', Buffer.from([0x80, 0, 0]));
  return c.frames.map((f) => f.data);
}

/** 70 calls, then their replies: tcpdump remembers only the last 64 calls. */
function xidMapFrames(): Buffer[] {
  const calls: Buffer[] = [];
  const replies: Buffer[] = [];
  for (let k = 0; k < 70; k++) {
    calls.push(call(50000 + k, 3, 1, fh3()));
    replies.push(reply(50000 + k, u32(0), FILE));
  }
  const frame = (sport: number, dport: number, payload: Buffer, fromClient: boolean): Buffer =>
    ipv4(17, fromClient ? '192.0.2.1' : '192.0.2.2', fromClient ? '192.0.2.2' : '192.0.2.1', udp(sport, dport, payload));
  // A reply from another server with a remembered xid does not match.
  const stranger = ipv4(17, '192.0.2.9', '192.0.2.1', udp(2049, 801, replies[69]!));
  return [...calls.map((m) => frame(801, 2049, m, true)), ...replies.map((m) => frame(2049, 801, m, false)), stranger];
}

const IAC = 255;
const SB = 250;
const SE = 240;
const tn = (...bytes: Array<number | string>): Buffer =>
  Buffer.concat(bytes.map((b) => (typeof b === 'string' ? Buffer.from(b, 'latin1') : Buffer.from([b]))));

function telnetFrames(): Buffer[] {
  const c = new TcpConversation({ client: '192.0.2.1', server: '192.0.2.23', clientPort: 40023, serverPort: 23 });
  c.handshake();
  c.send('server', tn(IAC, 253, 24, IAC, 253, 32, IAC, 253, 35, IAC, 253, 39, IAC, 251, 1, IAC, 251, 3, IAC, 253, 31));
  c.send('client', tn(IAC, 251, 24, IAC, 252, 32, IAC, 254, 35, IAC, 251, 31, IAC, 253, 0x50));
  c.send('server', tn(IAC, SB, 24, 1, IAC, SE));
  c.send('client', tn(IAC, SB, 31, 0, 80, 0, 24, IAC, SE, IAC, SB, 24, 0, 'XTERM', IAC, SE));
  c.send('server', tn(IAC, SB, 34, 1, 3, IAC, SE, IAC, SB, 37, 1, 2, 0, 6, 0, IAC, SE, IAC, SB, 37, 0, 99, IAC, SE));
  c.send('client', tn(IAC, SB, 38, 1, 1, 2, IAC, SE, IAC, SB, 38, 9, 5, IAC, SE, IAC, SB, 37, IAC, SE, IAC, SB, 5, 7, IAC, SE));
  c.send('server', tn(IAC, 241, IAC, 249, IAC, 246, IAC, 236, IAC, 242, IAC, IAC, IAC, 240));
  c.send('server', tn('login: '));
  c.send('client', tn('root\r\n'));
  c.send('server', tn(IAC, 251, 1, 'Password:'));
  c.send('server', tn(IAC, 100, 'x'));
  c.send('server', tn(IAC));
  c.send('server', tn(IAC, 253));
  // A subnegotiation whose IAC SE never comes: tcpdump reads past the segment.
  c.send('client', tn(IAC, 251, 1, IAC, SB, 24, 0, 'VT100', IAC));
  c.send('client', tn(IAC, SB, 24, 0, 'VT', 220));
  c.send('client', tn(IAC, SB, 24));
  c.send('server', tn(IAC, 253, 1, IAC, 251, 3, IAC, 253, 24, IAC, 253, 31));
  return c.frames.map((f) => f.data);
}

/** Each frame whole, then cut to each of `snaps` bytes (where shorter). */
function writeWithCuts(file: string, frames: readonly Buffer[], snaps: readonly number[]): void {
  const writer = new PcapWriter(file, { linkType: 1, snapLen: 262144 });
  let ts = 1_700_000_000_000_000_000n;
  for (const snap of [0, ...snaps]) {
    for (const data of frames) {
      if (snap !== 0 && snap >= data.length) continue;
      writer.writePacket({ tsNs: ts, data: snap === 0 ? data : data.subarray(0, snap), origLen: data.length });
      ts += 1_000_000n;
    }
  }
  writer.close();
}

function tcpdump(args: string[]): string {
  const r = spawnSync('tcpdump', args, { encoding: 'utf8', env: ENV, maxBuffer: 256 << 20 });
  assert.equal(r.status, 0, `tcpdump ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** Runs both tools with each argument list and reports the lines that differ. */
function compare(file: string, argSets: string[][]): { lines: number; theirs: string } {
  const runs = argSets.map((args) => [...args, '-r', file]);
  const ours = sievecapRuns(runs);
  const problems: string[] = [];
  let lines = 0;
  let all = '';
  runs.forEach((args, k) => {
    assert.equal(ours[k]!.status, 0, `sievecap ${args.join(' ')}: ${ours[k]!.stderr}`);
    const theirs = tcpdump(args);
    all += theirs;
    const a = theirs.split('\n');
    const b = ours[k]!.stdout.split('\n');
    lines += a.length;
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      if (a[i] !== b[i]) problems.push(`${args.join(' ')} line ${i + 1}:\n  tcpdump:  ${a[i]}\n  sievecap: ${b[i]}`);
    }
  });
  assert.deepEqual(problems.slice(0, 8), [], `${problems.length} lines differ from tcpdump's`);
  return { lines, theirs: all };
}

const ARGS = [['-nn'], ['-nn', '-v'], ['-nn', '-vv'], ['-nn', '-vvv'], ['-nn', '-q'], ['-nn', '-e']];

test('NFSv2 and NFSv3 calls and replies over UDP (IPv4, IPv6) and TCP as tcpdump prints them, whole and cut short', { skip: SKIP }, () => {
  const exchanges = [...v3Exchanges(1000), ...v2Exchanges(2000), ...oddExchanges(3000)];
  const frames = [
    ...udpFrames(exchanges),
    ...udpFrames(v3Exchanges(4000).slice(0, 12), true),
    ...tcpFrames(v3Exchanges(5000)),
    ...tcpFrames(v2Exchanges(6000)),
    // A reply whose call was never seen, then a UDP datagram from 2049 that is a call.
    ...udpFrames([[reply(9999, u32(0), FILE), call(9998, 3, 1, fh3())]]),
  ];
  const file = path.join(tmp, 'nfs.pcap');
  writeWithCuts(file, frames, [70, 90, 110, 130, 150, 180, 220, 300]);
  const { lines, theirs } = compare(file, ARGS);
  for (const needle of [' getattr fh Unknown/', ' lookup fh ', ' readdirplus ', ' access ', ' write ', ' read ', 'NFS reply xid', ' [|nfs]', 'fh 5,10/', 'reply ERR', ' ERROR: ', 'PROG_UNAVAIL', 'fh DKA100/', 'fh Un/']) {
    assert.ok(theirs.includes(needle), `tcpdump printed no ${JSON.stringify(needle)}: the frames miss a case`);
  }
  assert.ok(lines > 2000, `${lines} lines compared`);
});

test('replies to calls pushed out of tcpdump\'s 64-entry xid map print no results, as tcpdump\'s', { skip: SKIP }, () => {
  const file = path.join(tmp, 'xid.pcap');
  writeWithCuts(file, xidMapFrames(), []);
  const { theirs } = compare(file, [['-nn'], ['-nn', '-v']]);
  assert.match(theirs, /NFS reply xid 50000 reply ok \d+\n/);
  assert.match(theirs, /NFS reply xid 50069 reply ok \d+ getattr /);
});

test('telnet option negotiation as tcpdump prints it, whole and cut short, and with -X -vvv', { skip: SKIP }, () => {
  const file = path.join(tmp, 'telnet.pcap');
  writeWithCuts(file, telnetFrames(), [56, 60, 64, 70]);
  const { theirs } = compare(file, [...ARGS, ['-nn', '-X', '-vvv'], ['-nn', '-x', '-vvv']]);
  for (const needle of ['[telnet DO TERMINAL TYPE', 'SB NAWS IS 0x50 0 0x18 SE', ' SB AUTHENTICATION SEND KERBEROS_V5', 'SB ENCRYPT', 'IAC IAC', ' [|telnet]', '\nTelnet:']) {
    assert.ok(theirs.includes(needle), `tcpdump printed no ${JSON.stringify(needle)}: the frames miss a case`);
  }
});

test('beside them on suricata\'s captures: TCP-MD5 signatures (tcpdump cannot check them without -M) and GRE headers cut short or of unknown versions', { skip: SKIP }, () => {
  const md5 = (payload: Buffer): Buffer => {
    const tcp = Buffer.alloc(40);
    tcp.writeUInt16BE(179, 0);
    tcp.writeUInt16BE(40000, 2);
    tcp.writeUInt32BE(1, 4);
    tcp[12] = 10 << 4;
    tcp[13] = 0x18;
    tcp.writeUInt16BE(8192, 14);
    Buffer.from([19, 18, ...Array.from({ length: 16 }, (_, i) => i * 17), 0, 0]).copy(tcp, 20);
    return ipv4(6, '192.0.2.1', '192.0.2.2', cat(tcp, payload));
  };
  const gre = (header: Buffer): Buffer => ipv4(47, '192.0.2.1', '192.0.2.2', header);
  const frames = [
    md5(Buffer.alloc(0)),
    md5(Buffer.from('0123456789')),
    gre(Buffer.from([0])),
    gre(Buffer.from([0, 0])),
    gre(Buffer.from([0xb0, 1])),
    gre(Buffer.from([0x30, 1, 0x08])),
    gre(Buffer.from([0, 3, 0x08, 0x00, 0, 0])),
    gre(Buffer.from([0, 7])),
  ];
  const file = path.join(tmp, 'md5-gre.pcap');
  writeWithCuts(file, frames, [60, 70, 80]);
  const { theirs } = compare(file, [['-nn'], ['-nn', '-v'], ['-nn', '-vv']]);
  for (const needle of ["shared secret not supplied with -M, can't check - ", 'snaplen too short', 'GREv0 [|gre]', 'GREv3 ERROR: unknown-version', 'GREv1, Flags [']) {
    assert.ok(theirs.includes(needle), `tcpdump printed no ${JSON.stringify(needle)}: the frames miss a case`);
  }
});
