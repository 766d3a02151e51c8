/**
 * Link layers and tags seen in zeek's test captures: FDDI (pcap link type 10, which tshark reads
 * with bit-swapped addresses and tcpdump prints as they are), Cisco FabricPath (the Ethernet
 * heuristic on ethertype 0x8903, with an Ethernet frame inside), VN-Tag (0x8926), 802.1ah
 * provider backbone tags (0x88e7, alone, after 802.1Q and after an 802.1ad B-Tag), 802.1ad Q-in-Q
 * and Wellfleet Breath of Life. Compared with tshark 4.0 as -T fields, -V, PDML, conversations and
 * filters, and the FDDI frames with tcpdump's lines, on frames this test builds.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { sievecap } from './support/sievecap';
import { withVlanTag, writePcap } from './support/frames';
import { PcapWriter } from '../app/pcap/pcap-writer';

const NO_TSHARK = spawnSync('tshark', ['--version']).status !== 0 ? 'tshark is not installed (apt-get install tshark)' : false;
const NO_TCPDUMP = spawnSync('tcpdump', ['--version']).status !== 0 ? 'tcpdump is not installed (apt-get install tcpdump)' : false;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-fddi-cfp-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const MAC_A = Buffer.from('00904b112233', 'hex');
const MAC_B = Buffer.from('000d56dc9e35', 'hex');

function sum16(bytes: Buffer): number {
  let sum = 0;
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

/** A TCP header with `flags`, no options and no payload (checksum left 0: tshark does not check it). */
function tcp(srcPort: number, dstPort: number, flags: number, seq: number): Buffer {
  const h = Buffer.alloc(20);
  h.writeUInt16BE(srcPort, 0);
  h.writeUInt16BE(dstPort, 2);
  h.writeUInt32BE(seq, 4);
  h[12] = 0x50;
  h[13] = flags;
  h.writeUInt16BE(8192, 14);
  return h;
}

const ARP = Buffer.from('0001080006040001' + '00904b112233' + 'c000020a' + '000000000000' + 'c0000214', 'hex');

function ethernet(type: number, payload: Buffer, dst = MAC_B, src = MAC_A): Buffer {
  const header = Buffer.alloc(14);
  dst.copy(header, 0);
  src.copy(header, 6);
  header.writeUInt16BE(type, 12);
  return Buffer.concat([header, payload]);
}

/** An 802.1ah I-Tag (priority, I-SID), the customer's addresses and the ethertype of what follows. */
function iTag(isid: number, type: number, priority = 0): Buffer {
  const tag = Buffer.alloc(18);
  tag.writeUInt32BE(((priority << 29) | isid) >>> 0, 0);
  Buffer.from('011cebaf5000', 'hex').copy(tag, 4);
  Buffer.from('001cebaf5201', 'hex').copy(tag, 10);
  tag.writeUInt16BE(type, 16);
  return tag;
}

function tci(id: number, priority = 0): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE((priority << 13) | id, 0);
  return b;
}

function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n, 0);
  return b;
}

/** A FabricPath frame: outer hierarchical addresses, an optional 802.1Q tag, the FP tag, the frame, an FCS. */
function fabricPath(dst: string, src: string, inner: Buffer, vlan?: number): Buffer {
  const tag = vlan === undefined ? Buffer.alloc(0) : Buffer.concat([u16(0x8100), tci(vlan, 3)]);
  return Buffer.concat([Buffer.from(dst, 'hex'), Buffer.from(src, 'hex'), tag, u16(0x8903), u16((5 << 6) | 31), inner, Buffer.from('5c360000', 'hex')]);
}

function ethernetFrames(): Buffer[] {
  const udpInner = ethernet(0x0800, ipv4(17, udp(5000, 5001, Buffer.from('hello fabric'))));
  return [
    // FabricPath: a unicast hierarchical destination, a multicast one, and one behind an 802.1Q tag.
    fabricPath('020ebf4e521d', '020fcb82ac6a', udpInner),
    fabricPath('f351d64e6200', '960ebf4e521d', ethernet(0x0800, ipv4(6, tcp(57005, 48879, 0x02, 7)))),
    fabricPath('0000010a0001', '0200c4330002', ethernet(0x0806, ARP, Buffer.alloc(6, 0xff)), 12),
    // VN-Tag: to an 802.1Q tag and IPv4 (a trailer), straight to IPv4, and an 802.3 length with LLC after it.
    Buffer.concat([ethernet(0x8926, Buffer.concat([Buffer.from('00000033', 'hex'), u16(0x8100), tci(250), u16(0x0800), ipv4(17, udp(1053, 2053, Buffer.from('abc')))])), Buffer.from('a5f1b87d', 'hex')]),
    ethernet(0x8926, Buffer.concat([Buffer.from('c0a58abc', 'hex'), u16(0x0800), ipv4(6, tcp(443, 56960, 0x12, 99))])),
    ethernet(0x8926, Buffer.concat([Buffer.from('00000001', 'hex'), u16(38), Buffer.from('424203000000000000', 'hex'), Buffer.alloc(29)])),
    // 802.1ah: on its own to ARP (a trailer), after 802.1Q to IPv4, to Breath of Life; after an 802.1ad B-Tag.
    Buffer.concat([ethernet(0x88e7, Buffer.concat([iTag(2014011, 0x0806, 3), ARP])), Buffer.alloc(18)]),
    withVlanTag(ethernet(0x88e7, Buffer.concat([iTag(74565, 0x0800), ipv4(17, udp(1024, 2048, Buffer.from('backbone')))])), 3923, 0x8100, 2),
    withVlanTag(ethernet(0x88e7, Buffer.concat([iTag(2014000, 0x8102), Buffer.from('01000fa000000007', 'hex'), Buffer.alloc(38)])), 3923),
    ethernet(0x88a8, Buffer.concat([tci(100, 5), u16(0x88e7), iTag(74565, 0x0806, 1), ARP])),
    // 802.1ad followed by a second 802.1ad tag (S-VID and C-VID).
    ethernet(0x88a8, Buffer.concat([tci(100, 5), u16(0x88a8), tci(101), u16(0x0806), ARP])),
  ];
}

/** FDDI frames: frame control, destination, source (as captured: tshark bit-swaps them), then LLC. */
function fddi(fc: number, payload: Buffer): Buffer {
  return Buffer.concat([Buffer.from([fc]), Buffer.from('aa00040082a7', 'hex'), Buffer.from('aa00040083a7', 'hex'), payload]);
}

function fddiFile(file: string): void {
  const snapIp = (ip: Buffer): Buffer => Buffer.concat([Buffer.from('aaaa03000000', 'hex'), u16(0x0800), ip]);
  const rst = fddi(0x50, snapIp(ipv4(6, tcp(2035, 80, 0x04, 1388789261), '128.3.140.132', '194.140.136.34')));
  const writer = new PcapWriter(file, { linkType: 10, snapLen: 65535 });
  // Async LLC frames to IPv4: TCP (one with bytes after the datagram, cut by the snap length, as
  // zeek's llc.pcap has them) and UDP.
  writer.writePacket({ tsNs: 1_000_000_000n, data: rst });
  const padded = Buffer.concat([rst, Buffer.from('000000000000140001', 'hex')]);
  writer.writePacket({ tsNs: 2_000_000_000n, data: padded.subarray(0, padded.length - 2), origLen: padded.length });
  writer.writePacket({ tsNs: 3_000_000_000n, data: fddi(0x54, snapIp(ipv4(17, udp(1024, 53, Buffer.from('query')), '131.243.64.3', '212.180.42.100'))) });
  // An SMT frame, a MAC beacon and a token: no LLC.
  writer.writePacket({ tsNs: 4_000_000_000n, data: fddi(0x41, Buffer.from('0102030405060708', 'hex')) });
  writer.writePacket({ tsNs: 5_000_000_000n, data: fddi(0xc2, Buffer.from('00000000', 'hex')) });
  writer.writePacket({ tsNs: 6_000_000_000n, data: fddi(0xd0, Buffer.from('aaaa030000000800', 'hex')) });
  writer.close();
}

function run(tool: 'tshark' | 'sievecap' | 'tcpdump', args: string[]): string {
  const r = tool === 'sievecap' ? sievecap(args) : spawnSync(tool, args, { encoding: 'utf8', maxBuffer: 64 << 20 });
  assert.equal(r.status, 0, String(r.stderr));
  return r.stdout.toString();
}

const pdml = (tool: 'tshark' | 'sievecap', file: string): string => run(tool, ['-r', file, '-T', 'pdml']).replace(/ time="[^"]*"/g, '');

test('FabricPath, VN-Tag, 802.1ah (alone, after 802.1Q and 802.1ad), Q-in-Q and BOFL: fields, -V, PDML, conversations and filters as tshark', { skip: NO_TSHARK }, () => {
  const file = path.join(tmp, 'tags.pcap');
  writePcap(file, ethernetFrames());
  for (const names of [['-n'], []]) {
    const fields = ['-r', file, ...names, '-T', 'fields', '-E', 'separator=|', '-e', 'frame.protocols', '-e', '_ws.col.Source', '-e', '_ws.col.Destination', '-e', '_ws.col.Protocol', '-e', '_ws.col.Info',
      '-e', 'cfp.swid', '-e', 'cfp.d_hmac_mc', '-e', 'cfp.ttl', '-e', 'cfp.fcs', '-e', 'vntag.src', '-e', 'vntag.etype', '-e', 'vntag.len', '-e', 'ieee8021ah.isid', '-e', 'ieee8021ah.csrc', '-e', 'ieee8021ad.cvid', '-e', 'bofl.sequence', '-e', 'eth.src'];
    const theirs = run('tshark', fields);
    assert.match(theirs, /eth:cfp:eth:ethertype:ip:udp/);
    assert.match(theirs, /vntag:ethertype:vlan:ethertype:ip:udp/);
    assert.match(theirs, /ieee8021ah:ethertype:bofl/);
    assert.equal(run('sievecap', fields), theirs);
  }
  assert.equal(run('sievecap', ['-r', file, '-V']), run('tshark', ['-r', file, '-V']));
  assert.equal(pdml('sievecap', file), pdml('tshark', file));
  const conversations = ['-n', '-r', file, '-q', '-z', 'conv,eth', '-z', 'conv,ip'];
  assert.equal(run('sievecap', conversations), run('tshark', conversations));
  for (const filter of ['cfp', 'cfp.ig', 'vntag.dir', 'vntag.src == 51', 'ieee8021ah.isid == 74565', 'ieee8021ad.svid == 100', 'bofl', 'eth.addr == 00:90:4b:11:22:33']) {
    const args = ['-r', file, '-Y', filter, '-T', 'fields', '-e', 'frame.number'];
    assert.equal(run('sievecap', args), run('tshark', args), filter);
  }
});

test('FDDI (link type 10): fields, -V and PDML as tshark (bit-swapped addresses)', { skip: NO_TSHARK }, () => {
  const file = path.join(tmp, 'fddi.pcap');
  fddiFile(file);
  for (const names of [['-n'], []]) {
    const fields = ['-r', file, ...names, '-T', 'fields', '-E', 'separator=|', '-e', 'frame.protocols', '-e', 'frame.encap_type', '-e', '_ws.col.Source', '-e', '_ws.col.Destination', '-e', '_ws.col.Protocol', '-e', '_ws.col.Info',
      '-e', 'fddi.fc', '-e', 'fddi.fc.clf', '-e', 'fddi.fc.prio', '-e', 'fddi.dst', '-e', 'fddi.src', '-e', 'fddi.addr', '-e', 'llc.type', '-e', 'ip.src'];
    const theirs = run('tshark', fields);
    assert.match(theirs, /fddi:llc:ip:tcp\|6\|128\.3\.140\.132/);
    assert.match(theirs, /55:00:20:00:41:e5/);
    assert.equal(run('sievecap', fields), theirs);
  }
  assert.equal(run('sievecap', ['-r', file, '-V']), run('tshark', ['-r', file, '-V']));
  assert.equal(pdml('sievecap', file), pdml('tshark', file));
  for (const filter of ['fddi', 'fddi.addr == 55:00:20:00:c1:e5', 'fddi.fc.clf == 5', 'tcp.flags.reset == 1']) {
    const args = ['-r', file, '-Y', filter, '-T', 'fields', '-e', 'frame.number'];
    assert.equal(run('sievecap', args), run('tshark', args), filter);
  }
});

test('FDDI (link type 10): the lines tcpdump prints, with -e, -v, -q and -x', { skip: NO_TCPDUMP }, () => {
  const file = path.join(tmp, 'fddi-tcpdump.pcap');
  fddiFile(file);
  for (const flags of [[], ['-e'], ['-v'], ['-e', '-v'], ['-q'], ['-e', '-x']]) {
    const args = ['-nn', ...flags, '-r', file];
    const theirs = run('tcpdump', args);
    if (flags.includes('-e')) assert.match(theirs, /async0 aa:00:04:00:83:a7 > aa:00:04:00:82:a7, length 61: LLC, dsap SNAP/);
    assert.equal(run('sievecap', args), theirs, flags.join(' '));
  }
});
