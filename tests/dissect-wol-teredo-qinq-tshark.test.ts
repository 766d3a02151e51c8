/**
 * Wake On LAN (ethertype 0x0842 and UDP, with 4- and 6-byte passwords, and bytes that are not a
 * MagicPacket), Teredo (UDP 3544: origin indication, authentication header, the Direct IPv6
 * Connectivity Test's nonce, a bubble) and the 802.1ad service tag (ieee8021ad, over 802.1Q and
 * over ARP with a trailer), compared with tshark 4.0 as -T fields, -V, -T json and PDML on frames
 * this test builds.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { sievecap } from './support/sievecap';
import { withVlanTag, writePcap } from './support/frames';

const NO_TSHARK = spawnSync('tshark', ['--version']).status !== 0 ? 'tshark is not installed (apt-get install tshark)' : false;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-wol-teredo-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const MAC_A = Buffer.from('00904b112233', 'hex');
const MAC_B = Buffer.from('000d56dc9e35', 'hex');

function ethernet(type: number, payload: Buffer, dst = Buffer.alloc(6, 0xff)): Buffer {
  const header = Buffer.alloc(14);
  dst.copy(header, 0);
  MAC_A.copy(header, 6);
  header.writeUInt16BE(type, 12);
  return Buffer.concat([header, payload]);
}

function sum16(bytes: Buffer, initial = 0): number {
  let sum = initial;
  for (let i = 0; i + 1 < bytes.length; i += 2) sum += bytes.readUInt16BE(i);
  if (bytes.length % 2) sum += bytes[bytes.length - 1]! << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return sum;
}

function ipv4(proto: number, payload: Buffer, src = '192.0.2.10', dst = '198.51.100.20'): Buffer {
  const ip = Buffer.alloc(20);
  ip[0] = 0x45;
  ip.writeUInt16BE(20 + payload.length, 2);
  ip.writeUInt16BE(0x1234, 4);
  ip[8] = 64;
  ip[9] = proto;
  Buffer.from(src.split('.').map(Number)).copy(ip, 12);
  Buffer.from(dst.split('.').map(Number)).copy(ip, 16);
  ip.writeUInt16BE(~sum16(ip) & 0xffff, 10);
  return Buffer.concat([ip, payload]);
}

function udp(srcPort: number, dstPort: number, payload: Buffer): Buffer {
  const h = Buffer.alloc(8);
  h.writeUInt16BE(srcPort, 0);
  h.writeUInt16BE(dstPort, 2);
  h.writeUInt16BE(8 + payload.length, 4);
  return Buffer.concat([h, payload]); // checksum 0: none
}

/** An IPv6 packet between two Teredo-ish addresses carrying `next`'s payload. */
function ipv6(next: number, payload: Buffer, hops = 21): Buffer {
  const h = Buffer.alloc(40);
  h[0] = 0x60;
  h.writeUInt16BE(payload.length, 4);
  h[6] = next;
  h[7] = hops;
  Buffer.from('2001000041379e508000f12ab9c82815', 'hex').copy(h, 8);
  Buffer.from('20014860000020010000000000000068', 'hex').copy(h, 24);
  if (next === 58) {
    const pseudo = Buffer.alloc(40);
    h.copy(pseudo, 0, 8, 40);
    pseudo.writeUInt32BE(payload.length, 32);
    pseudo[39] = 58;
    const copy = Buffer.from(payload);
    copy.writeUInt16BE(0, 2);
    payload.writeUInt16BE(~sum16(copy, sum16(pseudo)) & 0xffff, 2);
  }
  return Buffer.concat([h, payload]);
}

function echo(type: number, nonce: Buffer): Buffer {
  const m = Buffer.alloc(8);
  m[0] = type;
  m.writeUInt16BE(0xd373, 4);
  m.writeUInt16BE(46747, 6);
  return Buffer.concat([m, nonce]);
}

function magic(mac: Buffer, password = Buffer.alloc(0)): Buffer {
  return Buffer.concat([Buffer.alloc(6, 0xff), ...Array.from({ length: 16 }, () => mac), password]);
}

function frames(): Buffer[] {
  const out: Buffer[] = [];
  // Wake On LAN on its ethertype: plain, 4-byte and 6-byte passwords, extra bytes; not a MagicPacket.
  out.push(ethernet(0x0842, magic(MAC_B)));
  out.push(ethernet(0x0842, magic(MAC_B, Buffer.from([192, 168, 1, 1]))));
  out.push(ethernet(0x0842, magic(MAC_B, Buffer.from('0123456789ab', 'hex'))));
  out.push(ethernet(0x0842, magic(MAC_B, Buffer.from('0123456789abcdef', 'hex'))));
  out.push(ethernet(0x0842, Buffer.concat([Buffer.alloc(6, 0xff), MAC_B, MAC_A, Buffer.alloc(84, 1)])));
  // Over UDP: port 9 and another; a near miss stays data.
  out.push(ethernet(0x0800, ipv4(17, udp(2551, 9, magic(MAC_A)), '192.0.2.10', '255.255.255.255')));
  out.push(ethernet(0x0800, ipv4(17, udp(40000, 40009, magic(MAC_B, Buffer.from([10, 0, 0, 1]))), '192.0.2.10', '192.0.2.255')));
  out.push(ethernet(0x0800, ipv4(17, udp(40000, 40009, Buffer.concat([Buffer.alloc(6, 0xff), Buffer.alloc(96, 7).fill(1, 50)])))));
  // Teredo: origin indication then an echo request to port 3544 (a Direct IPv6 Connectivity Test).
  const origin = Buffer.from([0, 0, ~0x0e & 0xff, ~0xd5 & 0xff, ~192 & 0xff, ~0 & 0xff, ~2 & 0xff, ~33 & 0xff]);
  out.push(ethernet(0x0800, ipv4(17, udp(3797, 3544, Buffer.concat([origin, ipv6(58, echo(128, Buffer.from('53aa0126', 'hex')))])))));
  // The authentication header, then the answer from 3544 (an echo reply: not a connectivity test).
  const auth = Buffer.concat([Buffer.from([0, 1, 2, 3]), Buffer.from('aabb', 'hex'), Buffer.from('ccddee', 'hex'), Buffer.from('0102030405060708', 'hex'), Buffer.from([0])]);
  out.push(ethernet(0x0800, ipv4(17, udp(3544, 3797, Buffer.concat([auth, origin, ipv6(58, echo(129, Buffer.from('53aa0126', 'hex')))])), '198.51.100.20', '192.0.2.10')));
  // A bubble: IPv6 with no next header.
  out.push(ethernet(0x0800, ipv4(17, udp(3797, 3544, ipv6(59, Buffer.alloc(0), 255)))));
  // 802.1ad: over an 802.1Q tag and UDP; over ARP with a trailer.
  const inner = ethernet(0x0800, ipv4(17, udp(5000, 5001, Buffer.from('hello'))), MAC_B);
  out.push(withVlanTag(withVlanTag(inner, 20), 30, 0x88a8, 5));
  const arp = Buffer.from('0001080006040001' + '00904b112233' + 'c000020a' + '000000000000' + 'c0000214', 'hex');
  out.push(withVlanTag(ethernet(0x0806, Buffer.concat([arp, Buffer.from('3030', 'hex')])), 48, 0x88a8, 1));
  return out;
}

function run(tool: 'tshark' | 'sievecap', args: string[]): string {
  const r = tool === 'tshark' ? spawnSync('tshark', args, { encoding: 'utf8', maxBuffer: 64 << 20 }) : sievecap(args);
  assert.equal(r.status, 0, String(r.stderr));
  return r.stdout.toString();
}

test('Wake On LAN, Teredo and 802.1ad: fields, -V, -T json and PDML as tshark', { skip: NO_TSHARK }, () => {
  const file = path.join(tmp, 'wol-teredo-qinq.pcap');
  writePcap(file, frames());
  for (const names of [['-n'], []]) {
    const fields = ['-r', file, ...names, '-T', 'fields', '-E', 'separator=|', '-e', 'frame.protocols', '-e', '_ws.col.Protocol', '-e', '_ws.col.Info', '-e', 'wol.mac', '-e', 'wol.passwd', '-e', 'teredo.orig.port', '-e', 'teredo.orig.addr', '-e', 'icmpv6.nonce', '-e', 'ieee8021ad.id', '-e', 'ieee8021ah.etype'];
    const theirs = run('tshark', fields);
    assert.match(theirs, /wol\|WOL\|MagicPacket for/);
    assert.match(theirs, /teredo:ipv6:icmpv6\|Teredo\|Direct IPv6 Connectivity Test/);
    assert.match(theirs, /eth:ethertype:ieee8021ad:ethertype:vlan/);
    assert.equal(run('sievecap', fields), theirs);
  }
  assert.equal(run('sievecap', ['-r', file, '-V']), run('tshark', ['-r', file, '-V']));
  assert.equal(run('sievecap', ['-r', file, '-T', 'json']), run('tshark', ['-r', file, '-T', 'json']));
  const pdml = (tool: 'tshark' | 'sievecap'): string => run(tool, ['-r', file, '-T', 'pdml']).replace(/ time="[^"]*"/g, '');
  assert.equal(pdml('sievecap'), pdml('tshark'));
  // Display filters on the new fields, against tshark's frame numbers.
  for (const filter of ['wol', 'wol.passwd', 'teredo', 'teredo.orig.port == 3794', 'icmpv6.nonce', 'ieee8021ad.id == 30', 'ieee8021ah.etype == 0x0806']) {
    const args = ['-r', file, '-Y', filter, '-T', 'fields', '-e', 'frame.number'];
    assert.equal(run('sievecap', args), run('tshark', args), filter);
  }
});

/** A GTP-U header (version 1, GTP) with `flags`' optional fields, before `payload`. */
function gtpU(type: number, teid: number, payload: Buffer, extensions: Buffer[] = [], seq?: number): Buffer {
  const optional = seq !== undefined || extensions.length > 0;
  const h = Buffer.alloc(optional ? 12 : 8);
  h[0] = 0x30 | (extensions.length > 0 ? 0x04 : 0) | (seq !== undefined ? 0x02 : 0);
  h[1] = type;
  h.writeUInt32BE(teid, 4);
  if (seq !== undefined) h.writeUInt16BE(seq, 8);
  if (extensions.length > 0) h[11] = 0xc0;
  const body = Buffer.concat([...extensions, payload]);
  h.writeUInt16BE(body.length + (optional ? 4 : 0), 2);
  return Buffer.concat([h, body]);
}

test('GTP-U: T-PDUs with IPv4 and IPv6 inside (sequence numbers, a PDCP extension header), an echo request, as tshark', { skip: NO_TSHARK }, () => {
  const inner4 = ipv4(17, udp(40000, 9999, Buffer.from('inner')), '10.45.0.2', '10.45.0.1');
  const mdns = ipv4(17, udp(5353, 5353, Buffer.from('inner')), '10.45.0.2', '224.0.0.251');
  const pdcp = (sn: number, last: boolean): Buffer => Buffer.from([1, sn >> 8, sn & 0xff, last ? 0 : 0xc0]);
  const frames = [
    ethernet(0x0800, ipv4(17, udp(2152, 2152, gtpU(255, 1, inner4)), '192.0.2.1', '192.0.2.2'), MAC_B),
    ethernet(0x0800, ipv4(17, udp(2152, 2152, gtpU(255, 0x100657, inner4, [], 10459)), '192.0.2.2', '192.0.2.1'), MAC_B),
    ethernet(0x0800, ipv4(17, udp(2152, 2152, gtpU(255, 7, ipv6(58, echo(128, Buffer.alloc(4, 9))), [pdcp(2308, false), pdcp(2309, true)], 5)), '192.0.2.1', '192.0.2.2'), MAC_B),
    ethernet(0x0800, ipv4(17, udp(2152, 2152, gtpU(1, 0, Buffer.alloc(0), [], 1)), '192.0.2.1', '192.0.2.2'), MAC_B),
    // A malformed packet inside keeps its own Protocol column (packet-gtp.c's exception path).
    ethernet(0x0800, ipv4(17, udp(2152, 2152, gtpU(255, 9, mdns)), '192.0.2.1', '192.0.2.2'), MAC_B),
  ];
  const file = path.join(tmp, 'gtp-u.pcap');
  writePcap(file, frames);
  const fields = ['-r', file, '-T', 'fields', '-E', 'separator=|', '-e', 'frame.protocols', '-e', '_ws.col.Protocol', '-e', '_ws.col.Info', '-e', 'gtp.teid', '-e', 'gtp.seq_number', '-e', 'gtp.ext_hdr.pdcp_sn', '-e', 'gtp.message'];
  const theirs = run('tshark', fields);
  assert.match(theirs, /gtp:ip:udp/);
  assert.match(theirs, /GTP <ICMPv6>/);
  assert.equal(run('sievecap', fields), theirs);
  assert.equal(run('sievecap', ['-r', file, '-V']), run('tshark', ['-r', file, '-V']));
  assert.equal(run('sievecap', ['-r', file, '-T', 'json']), run('tshark', ['-r', file, '-T', 'json']));
});
