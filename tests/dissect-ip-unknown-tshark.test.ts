/**
 * IP payloads of protocols nothing dissects, and protocol names, against tshark 4.0: Info names
 * the protocol from tshark's own table (`any local network (63)`, `Unknown (240)`), fragments of
 * VRRP name it as tshark's table does (`proto=VRRP 112`), IPv6's No Next Header by its name; as
 * summary lines, -V and -T json on frames this test builds. Skipped when tshark is not installed.
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
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-ip-unknown-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

function checksum(bytes: Buffer): number {
  let sum = 0;
  for (let k = 0; k + 1 < bytes.length; k += 2) sum += bytes.readUInt16BE(k);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

const ETH_V4 = Buffer.from('02005e10000202005e1000010800', 'hex');
const ETH_V6 = Buffer.from('02005e10000202005e10000186dd', 'hex');

function ipv4(protocol: number, payload: Buffer, flagsFragment = 0): Buffer {
  const h = Buffer.alloc(20);
  h[0] = 0x45;
  h.writeUInt16BE(20 + payload.length, 2);
  h.writeUInt16BE(0x4d2, 4);
  h.writeUInt16BE(flagsFragment, 6);
  h[8] = 64;
  h[9] = protocol;
  Buffer.from([192, 0, 2, 1]).copy(h, 12);
  Buffer.from([192, 0, 2, 2]).copy(h, 16);
  h.writeUInt16BE(checksum(h), 10);
  return Buffer.concat([ETH_V4, h, payload]);
}

function ipv6(next: number, payload: Buffer): Buffer {
  const h = Buffer.alloc(40);
  h[0] = 0x60;
  h.writeUInt16BE(payload.length, 4);
  h[6] = next;
  h[7] = 64;
  h[8] = 0x20;
  h[9] = 0x01;
  h[10] = 0x0d;
  h[11] = 0xb8;
  h[23] = 1;
  h.copy(h, 24, 8, 23);
  h[39] = 2;
  return Buffer.concat([ETH_V6, h, payload]);
}

test('IP payloads nobody dissects: Info names the protocol; VRRP and No Next Header named as tshark names them', { skip: NO_TSHARK }, () => {
  const payload = Buffer.from('payload of an unknown protocol');
  const frames = [
    ipv4(63, payload),
    ipv4(240, payload),
    ipv4(99, payload),
    // The first fragment of a VRRP datagram (more fragments follow, never seen).
    ipv4(112, Buffer.alloc(24, 0x21), 0x2000),
    ipv6(253, payload),
    ipv6(59, Buffer.alloc(0)),
  ];
  const file = path.join(tmp, 'unknown.pcap');
  const writer = new PcapWriter(file, { linkType: 1, snapLen: 65535 });
  frames.forEach((data, k) => writer.writePacket({ tsNs: 1_700_000_000_000_000_000n + BigInt(k) * 1_000_000n, data }));
  writer.close();
  const tshark = (args: string[]): string => {
    const r = spawnSync('tshark', ['-r', file, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout;
  };
  const summary = tshark([]);
  assert.match(summary, /any local network \(63\)/);
  assert.match(summary, /proto=VRRP 112/);
  assert.equal(sievecap(['-r', file, '-T', 'text']).stdout.toString(), summary);
  assert.equal(sievecap(['-r', file, '-V']).stdout.toString(), tshark(['-V']));
  assert.equal(sievecap(['-r', file, '-T', 'json']).stdout.toString(), tshark(['-T', 'json']));
});
