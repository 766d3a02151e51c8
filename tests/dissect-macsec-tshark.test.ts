/**
 * IEEE 802.1AE MACsec against tshark 4.0, on frames this test builds: integrity only with and
 * without the SCI (the frame inside dissected, the ICV as the Ethertype dissector's trailer), a
 * short-length tag, encrypted and changed text (Data and the ICV), a tag of another version and a
 * frame too short for tag and ICV (not MACsec's). Compared as summary lines, -V, -T json,
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
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-macsec-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const ETH = Buffer.from('b6b95d808d79caf9df4f509a88e5', 'hex');
const SCI = Buffer.from('caf9df4f509a0064', 'hex');
const ICV = Buffer.from('079d1505db571783ceb1aec143e4e374', 'hex');

function checksum(bytes: Buffer): number {
  let sum = 0;
  for (let k = 0; k + 1 < bytes.length; k += 2) sum += bytes.readUInt16BE(k);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

function ipv4Udp(payload: Buffer): Buffer {
  const ip = Buffer.alloc(20);
  ip[0] = 0x45;
  ip.writeUInt16BE(28 + payload.length, 2);
  ip[8] = 64;
  ip[9] = 17;
  Buffer.from([192, 168, 114, 1]).copy(ip, 12);
  Buffer.from([192, 168, 114, 2]).copy(ip, 16);
  ip.writeUInt16BE(checksum(ip), 10);
  const udp = Buffer.alloc(8);
  udp.writeUInt16BE(37459, 0);
  udp.writeUInt16BE(6666, 2);
  udp.writeUInt16BE(8 + payload.length, 4);
  return Buffer.concat([ip, udp, payload]);
}

/** A SecTAG: TCI/AN, short length, packet number, and the SCI when the SC bit is set. */
function sectag(tciAn: number, shortLength: number, pn: number): Buffer {
  const t = Buffer.alloc(6);
  t[0] = tciAn;
  t[1] = shortLength;
  t.writeUInt32BE(pn, 2);
  return tciAn & 0x20 ? Buffer.concat([t, SCI]) : t;
}

function frames(): Buffer[] {
  const inner = ipv4Udp(Buffer.from('ping'));
  const eightPayload = Buffer.concat([Buffer.from([0x08, 0x00]), inner]);
  return [
    Buffer.concat([ETH, sectag(0x20, 34, 66), eightPayload, ICV]),
    Buffer.concat([ETH, sectag(0x00, 0, 67), eightPayload, ICV]),
    Buffer.concat([ETH, sectag(0x2c | 1, 0, 68), Buffer.from('encrypted bytes of a frame, not readable'), ICV]),
    Buffer.concat([ETH, sectag(0x24 | 2, 0, 69), eightPayload, ICV]),
    Buffer.concat([ETH, sectag(0xa0, 0, 70), eightPayload, ICV]),
    Buffer.concat([ETH, sectag(0x20, 0, 71), Buffer.alloc(10)]),
  ];
}

test('MACsec SecTAGs, integrity only and encrypted: as tshark shows them', { skip: NO_TSHARK }, () => {
  const file = path.join(tmp, 'macsec.pcap');
  const writer = new PcapWriter(file, { linkType: 1, snapLen: 65535 });
  frames().forEach((data, k) => writer.writePacket({ tsNs: 1_700_000_000_000_000_000n + BigInt(k) * 1_000_000n, data }));
  writer.close();
  const tshark = (args: string[]): string => {
    const r = spawnSync('tshark', ['-r', file, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout;
  };
  const summary = tshark([]);
  assert.match(summary, /MACsec frame/);
  assert.match(summary, /37459 → 6666/);
  assert.equal(sievecap(['-r', file, '-T', 'text']).stdout.toString(), summary);
  for (const args of [['-V'], ['-T', 'json'], ['-T', 'fields', '-e', 'frame.protocols', '-e', 'macsec.TCI', '-e', 'macsec.SL', '-e', 'macsec.PN', '-e', 'macsec.SCI.system_identifier', '-e', 'macsec.etype', '-e', 'macsec.ICV', '-e', 'udp.dstport']]) {
    assert.equal(sievecap(['-r', file, ...args]).stdout.toString(), tshark(args), args.join(' '));
  }
  const pdml = (text: string): string => text.replace(/ time="[^"]*"/, '');
  assert.equal(pdml(sievecap(['-r', file, '-T', 'pdml']).stdout.toString()), pdml(tshark(['-T', 'pdml'])), '-T pdml');
});
