/**
 * Tunnels and IPv6 details compared with tshark 4.0 on frames this test builds: 802.11 frames in
 * Aruba's GRE (protocol types 0x8200 to 0x8370; 0x9000 and unknown types stay Data in the GRE
 * tree), the 802.11 Retry flag's expert note; GRE in UDP (port 4754); AYIYA (UDP 5072: a Forward's IPv6,
 * a heartbeat, an unknown next header, headers cut short); as -T fields, -V, -T json and the
 * conversation tables.
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
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-tunnels-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const MAC_A = Buffer.from('00904b112233', 'hex');
const MAC_B = Buffer.from('000d56dc9e35', 'hex');
const MAC_C = Buffer.from('f05c197c8d70', 'hex');

function ethernet(type: number, payload: Buffer, dst = MAC_B): Buffer {
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

/** A TCP segment with flags and no options (checksum left 0: tshark does not verify it by default). */
function tcp(srcPort: number, dstPort: number, flags: number, seq: number, ack: number, payload?: Buffer): Buffer {
  const h = Buffer.alloc(20);
  h.writeUInt16BE(srcPort, 0);
  h.writeUInt16BE(dstPort, 2);
  h.writeUInt32BE(seq, 4);
  h.writeUInt32BE(ack, 8);
  h[12] = 0x50;
  h[13] = flags;
  h.writeUInt16BE(8192, 14);
  return payload ? Buffer.concat([h, payload]) : h;
}

/** An IPv6 packet from 2001:db8::1 to 2001:db8::2 (no checksum fixing: tshark does not verify by default). */
function ipv6(next: number, payload: Buffer, src = '20010db8000000000000000000000001', dst = '20010db8000000000000000000000002'): Buffer {
  const h = Buffer.alloc(40);
  h[0] = 0x60;
  h.writeUInt16BE(payload.length, 4);
  h[6] = next;
  h[7] = 64;
  Buffer.from(src, 'hex').copy(h, 8);
  Buffer.from(dst, 'hex').copy(h, 24);
  return Buffer.concat([h, payload]);
}

function gre(proto: number, payload: Buffer): Buffer {
  const h = Buffer.alloc(4);
  h.writeUInt16BE(proto, 2);
  return Buffer.concat([h, payload]);
}

/** An 802.11 QoS Data frame to the DS (To DS), its body LLC/SNAP and `ethertype`'s payload. */
function wlanQosData(ethertype: number, payload: Buffer, flags = 0x01, seq = 2008): Buffer {
  const h = Buffer.alloc(26);
  h[0] = 0x88;
  h[1] = flags;
  MAC_C.copy(h, 4);
  MAC_A.copy(h, 10);
  MAC_B.copy(h, 16);
  h.writeUInt16LE(seq << 4, 22);
  const snap = Buffer.from([0xaa, 0xaa, 0x03, 0, 0, 0, ethertype >> 8, ethertype & 0xff]);
  return Buffer.concat([h, snap, payload]);
}

function run(tool: 'tshark' | 'sievecap', args: string[]): string {
  const r = tool === 'tshark' ? spawnSync('tshark', args, { encoding: 'utf8', maxBuffer: 64 << 20 }) : sievecap(args);
  assert.equal(r.status, 0, String(r.stderr));
  return r.stdout.toString();
}

/** -T fields (with `fields`), -V, -T json and the conversation tables of `file`, sievecap's equal to tshark's. */
function compareWithTshark(file: string, fields: string[], expect: RegExp[]): void {
  const args = ['-r', file, '-T', 'fields', '-E', 'separator=|', '-e', 'frame.protocols', '-e', '_ws.col.Protocol', '-e', '_ws.col.Info', ...fields.flatMap((f) => ['-e', f])];
  const theirs = run('tshark', args);
  for (const re of expect) assert.match(theirs, re);
  assert.equal(run('sievecap', args), theirs);
  assert.equal(run('sievecap', ['-r', file, '-V']), run('tshark', ['-r', file, '-V']));
  assert.equal(run('sievecap', ['-r', file, '-T', 'json']), run('tshark', ['-r', file, '-T', 'json']));
  for (const spec of ['conv,ip', 'conv,ipv6', 'conv,tcp', 'conv,udp']) {
    const conv = ['-n', '-r', file, '-q', '-z', spec];
    assert.equal(run('sievecap', conv), run('tshark', conv), spec);
  }
}

test('Aruba GRE: 802.11 frames without FCS (0x8200-0x8370), 0x9000 and unknown types as Data in GRE, the Retry note, as tshark', { skip: NO_TSHARK }, () => {
  const segment = (flags: number, seq: number, ack: number, payload?: Buffer): Buffer => ipv4(6, tcp(58973, 80, flags, seq, ack, payload), '10.37.36.92', '205.185.216.10');
  const outer = (proto: number, inner: Buffer): Buffer => ethernet(0x0800, ipv4(47, gre(proto, inner), '10.3.34.171', '10.33.10.23'));
  const arp = Buffer.from('0001080006040001' + '00904b112233' + 'c000020a' + '000000000000' + 'c0000214', 'hex');
  const frames = [
    outer(0x8200, wlanQosData(0x0800, segment(0x02, 1000, 0))),
    outer(0x8200, wlanQosData(0x0800, segment(0x10, 1001, 5000, Buffer.from('GET / HTTP/1.1\r\nHost: a\r\n\r\n')))),
    // Sent again: the Retry flag.
    outer(0x8200, wlanQosData(0x0800, segment(0x11, 1028, 5000), 0x09, 2010)),
    outer(0x8370, wlanQosData(0x0806, arp)),
    outer(0x82a0, wlanQosData(0x0806, arp)),
    outer(0x9000, wlanQosData(0x0806, arp)),
    outer(0x8201, wlanQosData(0x0806, arp)),
    outer(0x1234, Buffer.alloc(20)),
    // An 802.1Q tag is an ethertype but no GRE protocol type Wireshark dissects.
    outer(0x8100, Buffer.from('0014080045000014', 'hex')),
  ];
  const file = path.join(tmp, 'aruba.pcap');
  writePcap(file, frames);
  compareWithTshark(file, ['gre.proto', 'wlan.fc.retry', 'wlan.sa', 'wlan.da', 'wlan.bssid', 'ip.src', 'tcp.stream'], [
    /eth:ethertype:ip:gre:wlan:llc:ip:tcp/, /eth:ethertype:ip:gre:wlan:llc:arp/, /eth:ethertype:ip:gre:data\|GRE\|Encapsulated ARUBA WLAN/,
  ]);
});

test('GRE in UDP (port 4754) as tshark', { skip: NO_TSHARK }, () => {
  const dns = Buffer.from('f96401000001000000000000047a65656b036f72670000010001', 'hex');
  const frames = [
    ethernet(0x0800, ipv4(17, udp(50343, 4754, gre(0x0800, ipv4(17, udp(51714, 53, dns), '172.17.0.2', '1.1.1.1'))), '192.168.0.107', '192.168.5.1')),
    ethernet(0x0800, ipv4(17, udp(50343, 4754, gre(0x0800, ipv4(6, tcp(36518, 80, 0x02, 1, 0), '172.17.0.2', '192.0.78.150'))), '192.168.0.107', '192.168.5.1')),
    ethernet(0x0800, ipv4(17, udp(4754, 50343, gre(0x86dd, ipv6(17, udp(40000, 40001, Buffer.from('hi'))))), '192.168.5.1', '192.168.0.107')),
  ];
  const file = path.join(tmp, 'gre-udp.pcap');
  writePcap(file, frames);
  compareWithTshark(file, ['gre.proto', 'ip.src', 'udp.stream', 'tcp.stream'], [/eth:ethertype:ip:udp:gre:ip:udp:dns/, /eth:ethertype:ip:udp:gre:ipv6:udp/]);
});

/** An AYIYA header: 16-byte integer identity, SHA1 signature (20 bytes), shared-secret hash, `opcode`, `next`. */
function ayiya(opcode: number, next: number, payload: Buffer, identityPower = 4): Buffer {
  const h = Buffer.alloc(8);
  h[0] = (identityPower << 4) | 1;
  h[1] = 0x52;
  h[2] = 0x10 | opcode;
  h[3] = next;
  h.writeUInt32BE(1257655293, 4);
  const identity = Buffer.alloc(1 << identityPower);
  for (let i = 0; i < identity.length; i++) identity[i] = i;
  return Buffer.concat([h, identity, Buffer.alloc(20, 0xe1), payload]);
}

test('AYIYA (UDP 5072): a Forward of IPv6, a heartbeat, other next headers and opcodes, short headers, as tshark', { skip: NO_TSHARK }, () => {
  const echo = Buffer.from('8000000012340001' + '61626364', 'hex');
  const outer = (payload: Buffer, src = 53796, dst = 5072): Buffer => ethernet(0x0800, ipv4(17, udp(src, dst, payload), '192.168.3.101', '216.14.98.22'));
  const frames = [
    outer(ayiya(1, 41, ipv6(58, echo))),
    outer(ayiya(1, 41, ipv6(6, tcp(40000, 80, 0x02, 7, 0))), 5072, 53796),
    outer(ayiya(1, 41, ipv6(17, udp(40000, 40001, Buffer.from('zeek')))), 12345, 5072),
    // A heartbeat: No Next Header, nothing after the signature.
    outer(ayiya(0, 59, Buffer.alloc(0))),
    // A Forward of a protocol no dissector has (nothing shown), an Echo Response's bytes (not dissected).
    outer(ayiya(1, 253, Buffer.from('abcd'))),
    outer(ayiya(4, 17, udp(1, 2, Buffer.from('xyz')))),
    // A 256-byte identity (its label cut after 36 bytes).
    outer(ayiya(1, 41, ipv6(17, udp(40000, 40001, Buffer.from('zeek'))), 8)),
    // The header cut short, and a header longer than the datagram.
    outer(ayiya(1, 41, Buffer.alloc(0)).subarray(0, 20)),
    outer(Buffer.concat([Buffer.from([0xf1, 0xf2, 0x31, 0x29]), Buffer.alloc(30)])),
  ];
  const file = path.join(tmp, 'ayiya.pcap');
  writePcap(file, frames);
  compareWithTshark(file, ['ayiya.idlen', 'ayiya.opcode', 'ayiya.nextheader', 'ayiya.epoch', 'ayiya.identity', 'ayiya.signature', 'ipv6.src', 'udp.stream'], [
    /eth:ethertype:ip:udp:ayiya:ipv6:icmpv6:data\|ICMPv6/, /eth:ethertype:ip:udp:ayiya\|AYIYA\|53796 → 5072 Len=44/, /Malformed Packet/,
  ]);
  for (const filter of ['ayiya', 'ayiya.opcode == 1', 'ayiya.nextheader == 0x3b', 'ayiya && ipv6']) {
    const args = ['-r', file, '-Y', filter, '-T', 'fields', '-e', 'frame.number'];
    assert.equal(run('sievecap', args), run('tshark', args), filter);
  }
});

test('UDP tunnels give way to a lower port: DNS from GTP-U\'s 2152 to 53 is DNS, as tshark tries ports', { skip: NO_TSHARK }, () => {
  const dns = Buffer.from('6bcb01000001000000000000046162636403656667000001' + '0001', 'hex');
  const frames = [
    ethernet(0x0800, ipv4(17, udp(2152, 53, dns), '10.131.24.6', '195.178.38.3')),
    ethernet(0x0800, ipv4(17, udp(53, 4754, dns), '10.131.24.6', '195.178.38.3')),
    ethernet(0x0800, ipv4(17, udp(5072, 53, dns), '10.131.24.6', '195.178.38.3')),
  ];
  const file = path.join(tmp, 'low-port.pcap');
  writePcap(file, frames);
  compareWithTshark(file, ['dns.id', 'udp.stream'], [/eth:ethertype:ip:udp:dns\|DNS/]);
});
