/**
 * SCTP chunks as tshark 4.0 titles and fills them, on an association this test builds: INIT and
 * INIT_ACK with their parameters (supported address types with padding, ECN, Forward TSN, a state
 * cookie), COOKIE_ECHO/ACK, DATA chunks (ordered and unordered, whole and first segments, a named
 * payload protocol), SACK, HEARTBEAT and its ACK, SHUTDOWN, SHUTDOWN_ACK and SHUTDOWN_COMPLETE with
 * its T bit; the association index tshark leaves disabled. Compared as summary lines, -V, -T json,
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
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-sctp-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

function checksum(bytes: Buffer): number {
  let sum = 0;
  for (let k = 0; k + 1 < bytes.length; k += 2) sum += bytes.readUInt16BE(k);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

const A = [10, 0, 0, 1];
const B = [10, 0, 0, 2];

function packet(fromA: boolean, tag: number, chunks: Buffer[]): Buffer {
  const common = Buffer.alloc(12);
  common.writeUInt16BE(fromA ? 40000 : 45001, 0);
  common.writeUInt16BE(fromA ? 45001 : 40000, 2);
  common.writeUInt32BE(tag, 4);
  const sctp = Buffer.concat([common, ...chunks]);
  const ip = Buffer.alloc(20);
  ip[0] = 0x45;
  ip.writeUInt16BE(20 + sctp.length, 2);
  ip[8] = 64;
  ip[9] = 132;
  Buffer.from(fromA ? A : B).copy(ip, 12);
  Buffer.from(fromA ? B : A).copy(ip, 16);
  ip.writeUInt16BE(checksum(ip), 10);
  return Buffer.concat([Buffer.from('020000000002020000000001', 'hex'), Buffer.from([0x08, 0x00]), ip, sctp]);
}

/** A chunk: type, flags, and its value padded to 4 bytes (the length field counts no padding). */
function chunk(type: number, flags: number, value: Buffer): Buffer {
  const h = Buffer.alloc(4);
  h[0] = type;
  h[1] = flags;
  h.writeUInt16BE(4 + value.length, 2);
  return Buffer.concat([h, value, Buffer.alloc((4 - (value.length % 4)) % 4)]);
}

function parameter(type: number, value: Buffer): Buffer {
  const h = Buffer.alloc(4);
  h.writeUInt16BE(type, 0);
  h.writeUInt16BE(4 + value.length, 2);
  return Buffer.concat([h, value, Buffer.alloc((4 - (value.length % 4)) % 4)]);
}

function init(type: number, tag: number, tsn: number, params: Buffer[]): Buffer {
  const fixed = Buffer.alloc(16);
  fixed.writeUInt32BE(tag, 0);
  fixed.writeUInt32BE(57344, 4);
  fixed.writeUInt16BE(1, 8);
  fixed.writeUInt16BE(1, 10);
  fixed.writeUInt32BE(tsn, 12);
  return chunk(type, 0, Buffer.concat([fixed, ...params]));
}

function data(flags: number, tsn: number, sid: number, ssn: number, ppid: number, payload: Buffer): Buffer {
  const h = Buffer.alloc(12);
  h.writeUInt32BE(tsn, 0);
  h.writeUInt16BE(sid, 4);
  h.writeUInt16BE(ssn, 6);
  h.writeUInt32BE(ppid, 8);
  return chunk(0, flags, Buffer.concat([h, payload]));
}

function sack(cumulative: number): Buffer {
  const v = Buffer.alloc(12);
  v.writeUInt32BE(cumulative, 0);
  v.writeUInt32BE(57320, 4);
  return chunk(3, 0, v);
}

function frames(): Buffer[] {
  const cookie = Buffer.alloc(36, 0xab);
  const tsnA = 3848071494;
  const tsnB = 918167005;
  const u32 = (v: number): Buffer => {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(v >>> 0);
    return b;
  };
  return [
    packet(true, 0, [init(1, 0x94d02198, tsnA, [parameter(0x000c, Buffer.from([0, 5])), parameter(0x8000, Buffer.alloc(0)), parameter(0xc000, Buffer.alloc(0))])]),
    packet(false, 0x94d02198, [init(2, 0x39d72370, tsnB, [parameter(0x0007, cookie), parameter(0x8000, Buffer.alloc(0))])]),
    packet(true, 0x39d72370, [chunk(10, 0, cookie)]),
    packet(false, 0x94d02198, [chunk(11, 0, Buffer.alloc(0))]),
    packet(true, 0x39d72370, [data(0x03, tsnA, 0, 0, 0, Buffer.from('hello, association'))]),
    packet(false, 0x94d02198, [sack(tsnA), data(0x07, tsnB, 1, 0, 4242, Buffer.from('unordered'))]),
    packet(true, 0x39d72370, [data(0x03, tsnA + 1, 0, 1, 0, Buffer.alloc(23, 1))]),
    packet(true, 0x39d72370, [chunk(4, 0, parameter(0x0001, Buffer.alloc(40, 7)))]),
    packet(false, 0x94d02198, [chunk(5, 0, parameter(0x0001, Buffer.alloc(40, 7)))]),
    packet(true, 0x39d72370, [chunk(7, 0, u32(tsnB))]),
    packet(false, 0x94d02198, [chunk(8, 0, Buffer.alloc(0))]),
    packet(true, 0x39d72370, [chunk(14, 1, Buffer.alloc(0))]),
  ];
}

test('SCTP chunks and parameters: titles, items and the association index as tshark shows them', { skip: NO_TSHARK }, () => {
  const file = path.join(tmp, 'sctp.pcap');
  const writer = new PcapWriter(file, { linkType: 1, snapLen: 65535 });
  frames().forEach((bytes, k) => writer.writePacket({ tsNs: 1_700_000_000_000_000_000n + BigInt(k) * 1_000_000n, data: bytes }));
  writer.close();
  const tshark = (args: string[]): string => {
    const r = spawnSync('tshark', ['-r', file, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout;
  };
  const verbose = tshark(['-V']);
  assert.match(verbose, /DATA chunk \(unordered, complete segment, TSN: 0, SID: 1/);
  assert.match(verbose, /Supported address types parameter \(Supported types: IPv4\)/);
  assert.equal(sievecap(['-r', file, '-T', 'text']).stdout.toString(), tshark([]));
  assert.equal(sievecap(['-r', file, '-V']).stdout.toString(), verbose);
  const fields = ['-T', 'fields', '-e', 'sctp.assoc_index', '-e', 'sctp.initiate_tag', '-e', 'sctp.parameter_type', '-e', 'sctp.parameter_supported_address_type', '-e', 'sctp.cookie', '-e', 'sctp.shutdown_cumulative_tsn_ack', '-e', 'sctp.shutdown_complete_t_bit', '-e', 'sctp.sack_nounce_sum', '-e', 'sctp.data_payload_proto_id'];
  for (const args of [['-T', 'json'], fields]) assert.equal(sievecap(['-r', file, ...args]).stdout.toString(), tshark(args), args.join(' '));
  const pdml = (text: string): string => text.replace(/ time="[^"]*"/, '');
  assert.equal(pdml(sievecap(['-r', file, '-T', 'pdml']).stdout.toString()), pdml(tshark(['-T', 'pdml'])), '-T pdml');
});
