/**
 * Linux cooked captures (what `tcpdump -i any` writes: SLL, linktype 113, and SLL2, linktype 276)
 * against tshark 4.0, on frames this test builds: the link-layer address type as tshark names it
 * (its ARPHRD table, `Unknown (N)` otherwise), the source address chosen by its length alone
 * (4 bytes IPv4, 6 Ethernet with the manufacturer's name, anything else as bytes, none for 0), the
 * unused rest of the 8 address bytes, the GRE protocol type for ARPHRD_IPGRE, Linux protocol
 * types, and padding to 60 bytes and a trailer after a short IP packet (and UDP over IPv6 with a
 * zero checksum: " [ILLEGAL CHECKSUM (0)]" in Info). Compared as -V, -T json,
 * summary lines and -T fields. Skipped when tshark is not installed.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PcapWriter } from '../app/pcap/pcap-writer';
import { sievecap } from './support/sievecap';

const NO_TSHARK = spawnSync('tshark', ['--version']).status !== 0 ? 'tshark is not installed (apt-get install tshark)' : false;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-sll-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

function tshark(args: string[]): string {
  const r = spawnSync('tshark', args, { encoding: 'utf8', maxBuffer: 64 << 20 });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

function checksum(bytes: Buffer): number {
  let sum = 0;
  for (let k = 0; k + 1 < bytes.length; k += 2) sum += bytes.readUInt16BE(k);
  if (bytes.length % 2) sum += bytes[bytes.length - 1]! << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

function ipv4(protocol: number, src: number[], dst: number[], payload: Buffer): Buffer {
  const h = Buffer.alloc(20);
  h[0] = 0x45;
  h.writeUInt16BE(20 + payload.length, 2);
  h.writeUInt16BE(0x1234, 4);
  h[8] = 64;
  h[9] = protocol;
  Buffer.from(src).copy(h, 12);
  Buffer.from(dst).copy(h, 16);
  h.writeUInt16BE(checksum(h), 10);
  return Buffer.concat([h, payload]);
}

function udp(srcPort: number, dstPort: number, payload: Buffer): Buffer {
  const u = Buffer.alloc(8);
  u.writeUInt16BE(srcPort, 0);
  u.writeUInt16BE(dstPort, 2);
  u.writeUInt16BE(8 + payload.length, 4);
  return Buffer.concat([u, payload]);
}

function icmpEcho(id: number, seq: number): Buffer {
  const m = Buffer.alloc(16);
  m[0] = 8;
  m.writeUInt16BE(id, 4);
  m.writeUInt16BE(seq, 6);
  m.write('sievecap', 8);
  m.writeUInt16BE(checksum(m), 2);
  return m;
}

const ipv6Udp = (): Buffer => {
  const body = udp(5000, 6000, Buffer.from('hello'));
  const h = Buffer.alloc(40);
  h[0] = 0x60;
  h.writeUInt16BE(body.length, 4);
  h[6] = 17;
  h[7] = 64;
  h[15] = 1;
  h[39] = 2;
  return Buffer.concat([h, body]);
};

const arpRequest = (): Buffer => {
  const a = Buffer.alloc(28);
  a.writeUInt16BE(1, 0);
  a.writeUInt16BE(0x0800, 2);
  a[4] = 6;
  a[5] = 4;
  a.writeUInt16BE(1, 6);
  Buffer.from([0x00, 0x0c, 0x29, 0xa5, 0x2f, 0xab, 192, 168, 1, 10]).copy(a, 8);
  Buffer.from([192, 168, 1, 1]).copy(a, 24);
  return a;
};

/** A spanning-tree configuration BPDU (35 bytes). */
const stpConfig = (): Buffer => {
  const bpdu = Buffer.alloc(35);
  bpdu.writeUInt16BE(0x8000, 5);
  Buffer.from(local).copy(bpdu, 7);
  bpdu.writeUInt32BE(4, 13);
  bpdu.writeUInt16BE(0x8000, 17);
  Buffer.from(vmware).copy(bpdu, 19);
  bpdu.writeUInt16BE(0x8001, 25);
  bpdu.writeUInt16BE(20 * 256, 29);
  bpdu.writeUInt16BE(2 * 256, 31);
  bpdu.writeUInt16BE(15 * 256, 33);
  return bpdu;
};

/** SLL (v1): packet type, hardware type, address length and up to 8 address bytes, protocol. */
function sll(pkttype: number, hatype: number, address: number[], protocol: number, payload: Buffer, halen = address.length): Buffer {
  const h = Buffer.alloc(16);
  h.writeUInt16BE(pkttype, 0);
  h.writeUInt16BE(hatype, 2);
  h.writeUInt16BE(halen, 4);
  Buffer.from(address.slice(0, 8)).copy(h, 6);
  h.writeUInt16BE(protocol, 14);
  return Buffer.concat([h, payload]);
}

/** SLL2: protocol, reserved, interface index, hardware type, packet type, address length, 8 address bytes. */
function sll2(pkttype: number, hatype: number, ifindex: number, address: number[], protocol: number, payload: Buffer): Buffer {
  const h = Buffer.alloc(20);
  h.writeUInt16BE(protocol, 0);
  h.writeUInt32BE(ifindex, 4);
  h.writeUInt16BE(hatype, 8);
  h[10] = pkttype;
  h[11] = address.length;
  Buffer.from(address.slice(0, 8)).copy(h, 12);
  return Buffer.concat([h, payload]);
}

function writeCapture(file: string, linkType: number, frames: Buffer[]): void {
  const writer = new PcapWriter(file, { linkType, snapLen: 65535 });
  frames.forEach((data, k) => writer.writePacket({ tsNs: 1_700_000_000_000_000_000n + BigInt(k) * 1_000_000n, data }));
  writer.close();
}

const vmware = [0x00, 0x0c, 0x29, 0xa5, 0x2f, 0xab];
const local = [0xa6, 0x58, 0x43, 0xf2, 0x48, 0x06];
const shortUdp = ipv4(17, [192, 168, 1, 10], [192, 168, 1, 1], udp(40000, 9999, Buffer.from('abcd')));

const SLL_FIELDS = ['sll.pkttype', 'sll.hatype', 'sll.halen', 'sll.src.eth', 'sll.src.ipv4', 'sll.src.other', 'sll.unused', 'sll.etype', 'sll.gretype', 'sll.ltype',
  'sll.ifindex', 'sll.trailer', 'eth.padding', 'frame.protocols', '_ws.col.Protocol', '_ws.col.Source', '_ws.col.Destination', '_ws.col.Info'];

function compare(file: string): void {
  assert.equal(sievecap(['-r', file, '-V']).stdout.toString(), tshark(['-r', file, '-V']));
  assert.equal(sievecap(['-r', file, '-T', 'json']).stdout.toString(), tshark(['-r', file, '-T', 'json']));
  assert.equal(sievecap(['-r', file, '-T', 'text']).stdout.toString(), tshark(['-r', file]));
  const fields = ['-T', 'fields', ...SLL_FIELDS.flatMap((n) => ['-e', n])];
  assert.equal(sievecap(['-r', file, ...fields]).stdout.toString(), tshark(['-r', file, ...fields]));
}

test('Linux cooked capture v1: address types, source addresses by length, unused bytes, padding and trailer as tshark', { skip: NO_TSHARK }, () => {
  const frames = [
    // A short IPv4 packet: zeros to 60 bytes are padding, what follows is SLL's trailer.
    sll(0, 1, vmware, 0x0800, Buffer.concat([shortUdp, Buffer.alloc(12), Buffer.from([0xab, 0xcd])])),
    sll(4, 772, [0, 0, 0, 0, 0, 0], 0x0800, ipv4(1, [127, 0, 0, 1], [127, 0, 0, 1], icmpEcho(7, 1))),
    sll(0, 778, [10, 1, 2, 3], 0x0800, ipv4(1, [10, 9, 9, 1], [10, 9, 9, 2], icmpEcho(8, 1))),
    sll(0, 512, [], 0x0800, ipv4(1, [10, 9, 9, 1], [10, 9, 9, 2], icmpEcho(9, 1))),
    sll(4, 65534, [], 0x86dd, ipv6Udp()),
    sll(1, 147, local, 0x0800, ipv4(17, [10, 0, 0, 1], [10, 0, 0, 2], udp(1, 2, Buffer.alloc(30, 0x41)))),
    sll(3, 32, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20], 0x0800, ipv4(1, [10, 0, 0, 3], [10, 0, 0, 4], icmpEcho(3, 3)), 20),
    sll(2, 1, [1, 2, 3], 0x0800, ipv4(1, [10, 0, 0, 5], [10, 0, 0, 6], icmpEcho(4, 4))),
    sll(1, 1, vmware, 0x0806, arpRequest()),
    // 802.2 LLC by Linux protocol type: a spanning-tree configuration BPDU.
    sll(0, 1, local, 0x0004, Buffer.concat([Buffer.from([0x42, 0x42, 0x03]), stpConfig()])),
    sll(0, 1, local, 0x0009, Buffer.from('unknown Linux protocol type')),
    sll(7, 0, local, 0x0800, ipv4(1, [10, 0, 0, 7], [10, 0, 0, 8], icmpEcho(5, 5))),
  ];
  const file = path.join(tmp, 'sll.pcap');
  writeCapture(file, 113, frames);
  const tree = tshark(['-r', file, '-V']);
  // What the frames are for, as tshark reads them.
  assert.match(tree, /Link-layer address type: VMware|Source: VMware_a5:2f:ab \(00:0c:29:a5:2f:ab\)/);
  assert.match(tree, /Link-layer address type: GRE over IP \(778\)/);
  assert.match(tree, /Link-layer address type: Unknown \(147\)/);
  assert.match(tree, /Unused: 0000/);
  assert.match(tree, /Padding: 000000000000000000000000\n\s+Trailer: abcd/);
  compare(file);
});

test('Linux cooked capture v2: the same fields after the protocol and interface index', { skip: NO_TSHARK }, () => {
  const frames = [
    sll2(0, 1, 2, vmware, 0x0800, Buffer.concat([shortUdp, Buffer.alloc(4)])),
    sll2(4, 772, 1, [0, 0, 0, 0, 0, 0], 0x86dd, ipv6Udp()),
    sll2(0, 778, 5, [10, 1, 2, 3], 0x0800, ipv4(1, [10, 9, 9, 1], [10, 9, 9, 2], icmpEcho(8, 2))),
    sll2(0, 65534, 6, [], 0x0800, ipv4(1, [10, 9, 9, 1], [10, 9, 9, 2], icmpEcho(9, 2))),
    sll2(1, 1, 2, vmware, 0x0806, arpRequest()),
    sll2(4, 1, 2, vmware, 0x0009, Buffer.from('unknown Linux protocol type')),
  ];
  const file = path.join(tmp, 'sll2.pcap');
  writeCapture(file, 276, frames);
  assert.match(tshark(['-r', file, '-V']), /Linux cooked capture v2/);
  compare(file);
});
