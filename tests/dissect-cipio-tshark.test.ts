/**
 * CIP I/O on UDP 2222 as tshark 4.0 shows it: Sequenced Address and Connected Data items
 * (Protocol "CIP I/O", Info "Connection: ID=…, SEQ=…", frame.protocols udp:cipio:cipio), a
 * Connected Address item, socket address items, an unknown item, an empty data item, a packet
 * without a sequenced address (UDP's Info stays), too few bytes for an item and an item longer
 * than the packet. Compared as summary lines, -V, -T fields, frame.protocols and filters on
 * frames this test builds.
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
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-cipio-'));
after(() => { if (!process.env.KEEP) fs.rmSync(tmp, { recursive: true, force: true }); });

function tshark(args: string[]): string {
  const r = spawnSync('tshark', args, { encoding: 'utf8', maxBuffer: 64 << 20 });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

/** A UDP datagram 192.168.1.24:2222 → 192.168.1.22:2222 as an Ethernet frame. */
function udp(payload: Buffer, srcPort = 2222, dstPort = 2222): Buffer {
  const f = Buffer.alloc(14 + 20 + 8 + payload.length);
  Buffer.from([2, 0, 0, 0, 0, 1]).copy(f, 6);
  Buffer.from([2, 0, 0, 0, 0, 2]).copy(f, 0);
  f.writeUInt16BE(0x0800, 12);
  f[14] = 0x45;
  f.writeUInt16BE(20 + 8 + payload.length, 16);
  f[22] = 64;
  f[23] = 17;
  Buffer.from([192, 168, 1, 24]).copy(f, 26);
  Buffer.from([192, 168, 1, 22]).copy(f, 30);
  f.writeUInt16BE(srcPort, 34);
  f.writeUInt16BE(dstPort, 36);
  f.writeUInt16BE(8 + payload.length, 38);
  payload.copy(f, 42);
  return f;
}

/** Common Packet Format items: [type, data] each, after their count. */
function cpf(items: Array<[number, Buffer]>, count = items.length): Buffer {
  const parts: Buffer[] = [Buffer.from([count & 0xff, count >> 8])];
  for (const [type, data] of items) {
    const head = Buffer.alloc(4);
    head.writeUInt16LE(type, 0);
    head.writeUInt16LE(data.length, 2);
    parts.push(head, data);
  }
  return Buffer.concat(parts);
}

function sequenced(id: number, sequence: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeUInt32LE(id, 0);
  b.writeUInt32LE(sequence, 4);
  return b;
}

test('CIP I/O on UDP 2222: the items of class 0/1 I/O and of odd packets', { skip: NO_TSHARK }, () => {
  const connected = Buffer.alloc(4);
  connected.writeUInt32LE(0x004b0201, 0);
  const socket = Buffer.from('000208ae0a0101a40000000000000000', 'hex');
  const payloads = [
    cpf([[0x8002, sequenced(0x004b0603, 4166875)], [0x00b1, Buffer.from('a587e80f0300', 'hex')]]),
    cpf([[0x8002, sequenced(0x004b1209, 12)], [0x00b1, Buffer.from('0000da0f0300', 'hex')]]),
    cpf([[0x8002, sequenced(0x004b0c06, 7)], [0x00b1, Buffer.alloc(88, 0x5a)]]),
    cpf([[0x8002, sequenced(0x1, 1)], [0x00b1, Buffer.alloc(0)]]),
    cpf([[0x00a1, connected], [0x00b1, Buffer.from('0102', 'hex')]]),
    cpf([[0x8002, sequenced(0x2, 2)], [0x00a1, connected], [0x8000, socket], [0x8001, socket], [0x1234, Buffer.from('abcd', 'hex')]]),
    cpf([[0x0000, Buffer.alloc(0)]]),
    cpf([[0x8002, sequenced(0x3, 3)]], 3),
    Buffer.concat([cpf([[0x8002, sequenced(0x4, 4)]], 2), Buffer.from('b1000a000102', 'hex')]),
  ];
  const file = path.join(tmp, 'cipio.pcap');
  const writer = new PcapWriter(file, { linkType: 1, snapLen: 65535 });
  payloads.forEach((payload, k) => writer.writePacket({ tsNs: 1_700_000_000_000_000_000n + BigInt(k) * 1_000_000n, data: udp(payload) }));
  writer.close();
  const lines = tshark(['-r', file]);
  assert.match(lines, /CIP I\/O \d+ Connection: ID=0x004B0603, SEQ=0004166875/);
  assert.equal(sievecap(['-r', file, '-T', 'text']).stdout.toString(), lines);
  assert.equal(sievecap(['-r', file, '-V']).stdout.toString(), tshark(['-r', file, '-V']));
  const fields = ['-T', 'fields', '-e', 'frame.number', '-e', 'frame.protocols', '-e', 'enip.cpf.itemcount', '-e', 'enip.cpf.typeid', '-e', 'enip.cpf.length',
    '-e', 'enip.cpf.sai.connid', '-e', 'enip.cpf.sai.seq', '-e', 'cip.connid', '-e', 'enip.cpf.cai.connid', '-e', 'cipio.data', '-e', 'enip.cpf.data',
    '-e', 'enip.sinport', '-e', 'enip.sinaddr', '-e', '_ws.col.Protocol', '-e', '_ws.col.Info', '-e', '_ws.expert.message'];
  assert.equal(sievecap(['-r', file, ...fields]).stdout.toString(), tshark(['-r', file, ...fields]));
  for (const filter of ['cipio', 'enip', 'cip.connid == 0x004b0201', 'enip.cpf.sai.seq > 5', '_ws.malformed']) {
    const picked = ['-Y', filter, '-T', 'fields', '-e', 'frame.number'];
    assert.equal(sievecap(['-r', file, ...picked]).stdout.toString(), tshark(['-r', file, ...picked]), filter);
  }
});
