/**
 * Juniper Ethernet (LINKTYPE_JUNIPER_ETHER, 178) against tshark 4.0, on frames this test builds:
 * the "Juniper Ethernet" subtree (magic number, direction, L2-header flag), meta-information
 * extensions of each kind (named values, interface indexes, a name TLV Wireshark leaves
 * "Unknown", a big-endian TLV from type 128), a header without extensions, and one without the
 * magic number (read as Ethernet from its first byte); compared as summary lines, -V, -T json,
 * -T pdml and fields. Skipped when tshark is not installed.
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
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-juniper-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

function checksum(bytes: Buffer): number {
  let sum = 0;
  for (let k = 0; k + 1 < bytes.length; k += 2) sum += bytes.readUInt16BE(k);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

function ethernetUdp(payload: Buffer): Buffer {
  const ip = Buffer.alloc(20);
  ip[0] = 0x45;
  ip.writeUInt16BE(28 + payload.length, 2);
  ip[8] = 64;
  ip[9] = 17;
  Buffer.from([172, 16, 20, 5]).copy(ip, 12);
  Buffer.from([172, 16, 20, 3]).copy(ip, 16);
  ip.writeUInt16BE(checksum(ip), 10);
  const udp = Buffer.alloc(8);
  udp.writeUInt16BE(50000, 0);
  udp.writeUInt16BE(53, 2);
  udp.writeUInt16BE(8 + payload.length, 4);
  return Buffer.concat([Buffer.from('0050568b5e9f0050568b6dde0800', 'hex'), ip, udp, payload]);
}

const tlv = (type: number, value: Buffer): Buffer => Buffer.concat([Buffer.from([type, value.length]), value]);

function juniper(flags: number, tlvs: Buffer[], payload: Buffer, magic = Buffer.from('4d4743', 'hex')): Buffer {
  const ext = Buffer.concat(tlvs);
  const length = Buffer.alloc(2);
  length.writeUInt16BE(ext.length);
  return Buffer.concat([magic, Buffer.from([flags]), ...(flags & 0x80 ? [length, ext] : []), payload]);
}

function frames(): Buffer[] {
  const dns = Buffer.from('12340100000100000000000003777777076578616d706c6503636f6d0000010001', 'hex');
  return [
    juniper(0x80, [tlv(3, Buffer.from([1])), tlv(6, Buffer.from([14])), tlv(1, Buffer.from([0x8c, 0x00])), tlv(4, Buffer.from([0x4c, 0x01, 0x00, 0x00]))], ethernetUdp(dns)),
    juniper(0x81, [tlv(2, Buffer.from('ge-0/0/0')), tlv(5, Buffer.from([7, 0, 0])), tlv(8, Buffer.from([2])), tlv(130, Buffer.from([0x01, 0x02]))], ethernetUdp(dns)),
    juniper(0x01, [], ethernetUdp(dns)),
    juniper(0x00, [], ethernetUdp(dns), Buffer.from('585958', 'hex')),
  ];
}

test('Juniper Ethernet headers and their extensions: as tshark shows them', { skip: NO_TSHARK }, () => {
  const file = path.join(tmp, 'juniper.pcap');
  const writer = new PcapWriter(file, { linkType: 178, snapLen: 65535 });
  frames().forEach((data, k) => writer.writePacket({ tsNs: 1_700_000_000_000_000_000n + BigInt(k) * 1_000_000n, data }));
  writer.close();
  const tshark = (args: string[]): string => {
    const r = spawnSync('tshark', ['-r', file, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout;
  };
  const summary = tshark([]);
  assert.match(summary, /DNS/);
  assert.equal(sievecap(['-r', file, '-T', 'text']).stdout.toString(), summary);
  const fields = ['-T', 'fields', '-e', 'frame.protocols', '-e', 'juniper.direction', '-e', 'juniper.ext.ifmt', '-e', 'juniper.ext.ifle', '-e', 'juniper.ext.ifd', '-e', 'juniper.ext.ifl', '-e', 'juniper.ext.unit', '-e', 'juniper.ext.ttp_ifle', '-e', '_ws.expert.message', '-e', 'dns.qry.name'];
  for (const args of [['-V'], ['-T', 'json'], fields]) {
    assert.equal(sievecap(['-r', file, ...args]).stdout.toString(), tshark(args), args.join(' '));
  }
  assert.match(tshark(['-V']), /Device Interface Name Extension TLV #2, length: 8Unknown/);
  const pdml = (text: string): string => text.replace(/ time="[^"]*"/, '');
  assert.equal(pdml(sievecap(['-r', file, '-T', 'pdml']).stdout.toString()), pdml(tshark(['-T', 'pdml'])), '-T pdml');
});
