/**
 * ONC RPC with NFS, Portmap and MOUNT as tshark 4.0 shows them, on frames this test builds: over
 * UDP a Portmap GETPORT on 111, a MOUNT MNT, NFSv3 GETATTR and ACCESS calls and replies, a
 * retransmitted call, a reply with an error, a call to a program tshark knows whose body is not
 * read (NLM), a truncated NFS call; over TCP 2049 an NFSv3 LOOKUP, a WRITE spread over three
 * segments, two records in one segment, a record cut into two RPC fragments, and an NFSv4
 * COMPOUND (PUTFH, GETATTR; SEQUENCE, PUTFH, OPEN, GETFH) with its replies. Compared with tshark:
 * frame.protocols, the Protocol and Info columns, rpc.* fields, the most used nfs.*, portmap.*
 * and mount.* fields, and filters.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PcapWriter } from '../app/pcap/pcap-writer';
import { sievecap } from './support/sievecap';
import { TcpConversation, writeConversations } from './support/tcp-frames';

const NO_TSHARK = spawnSync('tshark', ['--version']).status !== 0 ? 'tshark is not installed (apt-get install tshark)' : false;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-rpc-'));
after(() => { if (!process.env.KEEP) fs.rmSync(tmp, { recursive: true, force: true }); });

function tshark(args: string[]): string {
  const r = spawnSync('tshark', args, { encoding: 'utf8', maxBuffer: 64 << 20 });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

const u32 = (...values: number[]): Buffer => {
  const b = Buffer.alloc(4 * values.length);
  values.forEach((v, i) => b.writeUInt32BE(v >>> 0, 4 * i));
  return b;
};
const u64 = (v: bigint): Buffer => { const b = Buffer.alloc(8); b.writeBigUInt64BE(v); return b; };
/** An XDR string or opaque: length, bytes, padding to 4. */
const xdr = (bytes: Buffer | string): Buffer => {
  const body = typeof bytes === 'string' ? Buffer.from(bytes) : bytes;
  return Buffer.concat([u32(body.length), body, Buffer.alloc((4 - (body.length % 4)) % 4)]);
};
const AUTH_UNIX = Buffer.concat([u32(1), xdr(Buffer.concat([u32(0x5f5e100), xdr('client1'), u32(1000, 100, 2, 4, 24)]))]);
const AUTH_NULL = u32(0, 0);

function call(xid: number, prog: number, vers: number, proc: number, body: Buffer): Buffer {
  return Buffer.concat([u32(xid, 0, 2, prog, vers, proc), AUTH_UNIX, AUTH_NULL, body]);
}
function reply(xid: number, body: Buffer, accept = 0): Buffer {
  return Buffer.concat([u32(xid, 1, 0), AUTH_NULL, u32(accept), body]);
}
/** A record mark and its record (the last fragment unless told). */
function record(message: Buffer, last = true): Buffer {
  return Buffer.concat([u32((last ? 0x80000000 : 0) | message.length), message]);
}

const FH = xdr(Buffer.from('01000600ea2cbb4a9ef74995a5365628ceda60a2', 'hex'));
const FH2 = xdr(Buffer.from('01000601ea2cbb4a9ef74995a5365628ceda60a2aabbccdd', 'hex'));
const time = (s: number, ns: number): Buffer => u32(s, ns);
const FATTR3 = Buffer.concat([u32(2, 0o1777, 15, 0, 0), u64(4096n), u64(4096n), u32(0, 0), u64(0x37292d5062ed1a4fn), u64(128n), time(0, 0), time(1514568092, 592619323), time(1514568092, 592619323)]);

function udpFrame(src: string, dst: string, sport: number, dport: number, payload: Buffer): Buffer {
  const f = Buffer.alloc(14 + 20 + 8 + payload.length);
  Buffer.from('020000000002020000000001', 'hex').copy(f, 0);
  f.writeUInt16BE(0x0800, 12);
  f[14] = 0x45;
  f.writeUInt16BE(28 + payload.length, 16);
  f[22] = 64;
  f[23] = 17;
  Buffer.from(src.split('.').map(Number)).copy(f, 26);
  Buffer.from(dst.split('.').map(Number)).copy(f, 30);
  f.writeUInt16BE(sport, 34);
  f.writeUInt16BE(dport, 36);
  f.writeUInt16BE(8 + payload.length, 38);
  payload.copy(f, 42);
  return f;
}

function writeUdp(file: string): void {
  const C = '10.0.0.1';
  const S = '10.0.0.2';
  const frames = [
    udpFrame(C, S, 900, 111, call(0x1001, 100000, 2, 3, u32(100005, 3, 17, 0))),
    udpFrame(S, C, 111, 900, reply(0x1001, u32(20048))),
    udpFrame(C, S, 901, 20048, call(0x1002, 100005, 3, 1, xdr('/export/home'))),
    udpFrame(S, C, 20048, 901, reply(0x1002, Buffer.concat([u32(0), FH, u32(2, 390003, 1)]))),
    udpFrame(C, S, 902, 2049, call(0x1003, 100003, 3, 1, FH)),
    udpFrame(S, C, 2049, 902, reply(0x1003, Buffer.concat([u32(0), FATTR3]))),
    udpFrame(C, S, 902, 2049, call(0x1003, 100003, 3, 1, FH)), // a retransmission
    udpFrame(C, S, 902, 2049, call(0x1004, 100003, 3, 4, Buffer.concat([FH, u32(0x1f)]))),
    udpFrame(S, C, 2049, 902, reply(0x1004, Buffer.concat([u32(0, 0), u32(0x0f)]))),
    udpFrame(C, S, 902, 2049, call(0x1005, 100003, 3, 3, Buffer.concat([FH, xdr('missing')]))),
    udpFrame(S, C, 2049, 902, reply(0x1005, u32(2, 0))),
    udpFrame(C, S, 903, 4045, call(0x1006, 100021, 4, 0, Buffer.alloc(0))), // NLM NULL
    udpFrame(C, S, 904, 2049, call(0x1007, 100003, 3, 7, Buffer.concat([FH, u64(0n), u32(16, 2), xdr(Buffer.alloc(16, 0x41))]))), // cut by the capture (below)
    udpFrame(C, S, 905, 2049, call(0x1008, 100003, 2, 4, Buffer.concat([Buffer.alloc(32, 7), xdr('file')]))),
    udpFrame(S, C, 2049, 905, Buffer.concat([u32(0x1008, 1, 0), AUTH_NULL, u32(0, 0), Buffer.alloc(32, 9), Buffer.alloc(68)])),
  ];
  const writer = new PcapWriter(file, { linkType: 1, snapLen: 262144 });
  let ts = 1_700_000_000_000_000_000n;
  for (const [k, data] of frames.entries()) {
    // The WRITE call's last 10 bytes were not captured (snap length).
    if (k === 12) writer.writePacket({ tsNs: ts, data: data.subarray(0, data.length - 10), origLen: data.length });
    else writer.writePacket({ tsNs: ts, data });
    ts += 1_500_000n;
  }
  writer.close();
}

function writeTcp(file: string): void {
  const c = new TcpConversation({ serverPort: 2049, clientPort: 720 });
  c.handshake();
  c.send('client', record(call(0x2001, 100003, 3, 3, Buffer.concat([FH, xdr('a-file')]))));
  c.send('server', record(reply(0x2001, Buffer.concat([u32(0), FH2, u32(1), FATTR3, u32(0)]))));
  // A WRITE spread over three segments.
  c.send('client', record(call(0x2002, 100003, 3, 7, Buffer.concat([FH2, u64(4096n), u32(600, 2), xdr(Buffer.alloc(600, 0x42))]))), [30, 400]);
  c.send('server', record(reply(0x2002, Buffer.concat([u32(0, 0, 0), u32(600, 2), u64(7n)]))));
  // Two records in one segment, and their replies.
  c.send('client', Buffer.concat([record(call(0x2003, 100003, 3, 1, FH2)), record(call(0x2004, 100003, 3, 19, FH2))]));
  c.send('server', Buffer.concat([record(reply(0x2003, Buffer.concat([u32(0), FATTR3]))), record(reply(0x2004, u32(70, 0)))]));
  // One record cut into two RPC fragments.
  const getattr = call(0x2005, 100003, 3, 1, FH);
  c.send('client', record(getattr.subarray(0, 40), false));
  c.send('client', record(getattr.subarray(40)));
  c.send('server', record(reply(0x2005, Buffer.concat([u32(0), FATTR3]))));
  // NFSv4 COMPOUNDs.
  const compound = (ops: Buffer[], minor = 1): Buffer => Buffer.concat([xdr(''), u32(minor, ops.length), ...ops]);
  const sessionid = Buffer.alloc(16, 0x5a);
  const v4 = new TcpConversation({ serverPort: 2049, clientPort: 721, clientIsn: 9000 });
  v4.handshake();
  v4.send('client', record(call(0x3001, 100003, 4, 1, compound([Buffer.concat([u32(53), sessionid, u32(1, 0, 0, 0)]), Buffer.concat([u32(22), FH2]), u32(9, 2, 0x0010011a, 0x00b0a23a)]))));
  v4.send('server', record(reply(0x3001, Buffer.concat([u32(0), xdr(''), u32(3), u32(53, 0), sessionid, u32(1, 0, 63, 63, 0), u32(22, 0), u32(9, 0), u32(1, 0x10), xdr(u64(1234n))]))));
  const stateid = Buffer.alloc(16, 0x33);
  const open = Buffer.concat([u32(18, 0, 2, 0), u64(0x1234n), xdr('owner'), u32(0), u32(0), xdr('file')]);
  v4.send('client', record(call(0x3002, 100003, 4, 1, compound([Buffer.concat([u32(53), sessionid, u32(2, 0, 0, 0)]), Buffer.concat([u32(22), FH]), open, u32(10)]))));
  v4.send('server', record(reply(0x3002, Buffer.concat([u32(0), xdr(''), u32(4), u32(53, 0), sessionid, u32(2, 0, 63, 63, 0), u32(22, 0), u32(18, 0), stateid, u32(1, 0, 0, 0, 0), u32(4), u32(0), u32(0), u32(10, 0), FH2]))));
  v4.send('client', record(call(0x3003, 100003, 4, 1, compound([Buffer.concat([u32(22), FH]), Buffer.concat([u32(15), xdr('nothere')])]))));
  v4.send('server', record(reply(0x3003, Buffer.concat([u32(2), xdr(''), u32(2), u32(22, 0), u32(15, 2)]))));
  writeConversations(file, [c, v4]);
}

const FIELDS = [
  'frame.number', 'frame.protocols', '_ws.col.Protocol', '_ws.col.Info',
  'rpc.xid', 'rpc.msgtyp', 'rpc.version', 'rpc.program', 'rpc.programversion', 'rpc.procedure', 'rpc.repframe', 'rpc.time', 'rpc.replystat',
  'rpc.state_accept', 'rpc.auth.flavor', 'rpc.auth.length', 'rpc.auth.stamp', 'rpc.auth.machinename', 'rpc.auth.uid', 'rpc.auth.gid',
  'rpc.lastfrag', 'rpc.fraglen', 'rpc.dup', 'rpc.call.dup', 'rpc.opaque_length',
  'nfs.procedure_v2', 'nfs.procedure_v3', 'nfs.procedure_v4', 'nfs.fh.length', 'nfs.fh.hash', 'nfs.fhandle', 'nfs.status', 'nfs.status3', 'nfs.name',
  'nfs.fattr3.type', 'nfs.mode3', 'nfs.fattr3.uid', 'nfs.fattr3.size', 'nfs.fattr3.fsid', 'nfs.mtime', 'nfs.mtime.nsec', 'nfs.offset3', 'nfs.count3',
  'nfs.opcode', 'nfs.main_opcode', 'nfs.nfsstat4', 'nfs.seqid', 'nfs.stateid.hash',
  'portmap.prog', 'portmap.version', 'portmap.proto', 'portmap.port', 'mount.path', 'mount.status', 'mount.flavors', 'mount.flavor',
  '_ws.malformed', '_ws.short', 'tcp.reassembled.length',
];

function compare(file: string): void {
  const fields = ['-T', 'fields', ...FIELDS.flatMap((f) => ['-e', f])];
  const ours = sievecap(['-r', file, ...fields]).stdout.toString().split('\n');
  const theirs = tshark(['-r', file, ...fields]).split('\n');
  assert.equal(ours.length, theirs.length);
  const differences: string[] = [];
  ours.forEach((line, i) => {
    const a = line.split('\t');
    const b = theirs[i]!.split('\t');
    a.forEach((v, k) => { if (v !== b[k]) differences.push(`frame ${i + 1} ${FIELDS[k]}: ours '${v}' tshark '${b[k]}'`); });
  });
  assert.deepEqual(differences, []);
  for (const filter of ['rpc', 'nfs', 'rpc.msgtyp == 1', 'nfs.fh.hash == 0x56d448b4', 'portmap', 'mount.path contains "home"', 'rpc.repframe']) {
    const picked = ['-Y', filter, '-T', 'fields', '-e', 'frame.number'];
    assert.equal(sievecap(['-r', file, ...picked]).stdout.toString(), tshark(['-r', file, ...picked]), filter);
  }
}

test('ONC RPC over UDP: Portmap, MOUNT, NFSv2 and v3 calls and replies, a retransmission, NLM, a cut call', { skip: NO_TSHARK }, () => {
  const file = path.join(tmp, 'rpc-udp.pcap');
  writeUdp(file);
  assert.match(tshark(['-r', file]), /NFS \d+ V3 GETATTR Reply \(Call In 5\)  Directory mode: 1777 uid: 0 gid: 0/);
  compare(file);
});

test('ONC RPC over TCP: NFSv3 over segments, records in one segment, RPC fragments, NFSv4 COMPOUNDs', { skip: NO_TSHARK }, () => {
  const file = path.join(tmp, 'rpc-tcp.pcap');
  writeTcp(file);
  assert.match(tshark(['-r', file]), /V4 Call OPEN DH: 0x56d448b4\/file/);
  compare(file);
});
