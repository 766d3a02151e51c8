/**
 * UDP and IPv6 lengths that lie, against tshark 4.0 on frames this test builds: an IPv6 payload
 * length past the frame (packet-ipv6.c's warning, the frame's bytes used), a UDP length past the
 * IP payload ("bogus", [BAD UDP LENGTH … > IP PAYLOAD LENGTH], the payload dissected from what is
 * there; with no byte left an exception), a UDP header cut after its ports or its length, a UDP
 * length below 8 (packet-udp.c stops there), over IPv4 and IPv6, with DNS behind one. Compared as
 * summary lines, -V, -T json and fields. Skipped without tshark.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { sievecap } from './support/sievecap';

const NO_TSHARK = spawnSync('tshark', ['--version']).status !== 0 ? 'tshark is not installed (apt-get install tshark)' : false;
const ENV = { ...process.env, TZ: 'UTC' };
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-udp-length-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

function tshark(args: string[]): string {
  const r = spawnSync('tshark', args, { encoding: 'utf8', env: ENV, maxBuffer: 64 << 20 });
  assert.equal(r.status, 0, `tshark ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

function ours(args: string[]): string {
  const r = sievecap(args);
  assert.equal(r.status, 0, `sievecap ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.toString();
}

const u16 = (n: number): Buffer => Buffer.from([n >> 8, n & 255]);
const ETH4 = Buffer.from('000000000000020000000001' + '0800', 'hex');
const ETH6 = Buffer.from('000000000000020000000001' + '86dd', 'hex');

function ipv4(payload: Buffer): Buffer {
  return Buffer.concat([Buffer.from([0x45, 0]), u16(20 + payload.length), u16(1), u16(0), Buffer.from([64, 17]), u16(0), Buffer.from([10, 0, 0, 1, 10, 0, 0, 2]), payload]);
}

function ipv6(payload: Buffer, payloadLength = payload.length): Buffer {
  const loopback = Buffer.concat([Buffer.alloc(15), Buffer.from([1])]);
  return Buffer.concat([Buffer.from([0x60, 0, 0, 0]), u16(payloadLength), Buffer.from([17, 64]), loopback, loopback, payload]);
}

const udp = (src: number, dst: number, length: number, payload: Buffer): Buffer => Buffer.concat([u16(src), u16(dst), u16(length), u16(0x1234), payload]);

function capture(): string {
  const dnsQuery = Buffer.concat([Buffer.from('123401000001000000000000', 'hex'), Buffer.from('\x07example\x03com\x00', 'latin1'), u16(1), u16(1)]);
  const frames = [
    Buffer.concat([ETH6, ipv6(udp(5000, 6000, 142, Buffer.from('ab')), 142)]),
    Buffer.concat([ETH6, ipv6(udp(5000, 6000, 42, Buffer.alloc(0)), 42)]),
    Buffer.concat([ETH6, ipv6(Buffer.concat([u16(5000), u16(6000)]), 8)]),
    Buffer.concat([ETH6, ipv6(Buffer.concat([u16(5000), u16(6000), u16(50)]), 8)]),
    Buffer.concat([ETH4, ipv4(udp(5000, 6000, 4, Buffer.from('xyzw')))]),
    Buffer.concat([ETH4, ipv4(udp(5000, 6000, 300, Buffer.from('hello')))]),
    Buffer.concat([ETH4, ipv4(udp(5000, 53, 60, dnsQuery))]),
    Buffer.concat([ETH6, ipv6(udp(5000, 53, 8 + dnsQuery.length, dnsQuery))]),
  ];
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b2c3d4, 0);
  header.writeUInt16LE(2, 4);
  header.writeUInt16LE(4, 6);
  header.writeUInt32LE(65535, 16);
  header.writeUInt32LE(1, 20);
  const records = frames.map((frame, k) => {
    const rec = Buffer.alloc(16);
    rec.writeUInt32LE(1_000 + k, 0);
    rec.writeUInt32LE(frame.length, 8);
    rec.writeUInt32LE(frame.length, 12);
    return Buffer.concat([rec, frame]);
  });
  const file = path.join(tmp, 'bad-udp-lengths.pcap');
  fs.writeFileSync(file, Buffer.concat([header, ...records]));
  return file;
}

test('UDP and IPv6 lengths that lie: summary lines, -V, -T json and fields as tshark', { skip: NO_TSHARK }, () => {
  const file = capture();
  assert.deepEqual(ours(['-r', file, '-T', 'text']).split('\n'), tshark(['-r', file]).split('\n'), 'summary lines');
  assert.deepEqual(ours(['-r', file, '-V']).split('\n'), tshark(['-r', file, '-V']).split('\n'), '-V');
  assert.equal(ours(['-r', file, '-T', 'json']), tshark(['-r', file, '-T', 'json']), '-T json');
  const fields = ['frame.number', 'udp.length', 'udp.stream', 'ipv6.plen', '_ws.expert.message', 'frame.protocols', 'dns.qry.name', '_ws.col.Info'];
  const args = ['-r', file, '-T', 'fields', ...fields.flatMap((f) => ['-e', f])];
  assert.equal(ours(args), tshark(args), 'fields');
});
