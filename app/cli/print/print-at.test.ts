/**
 * The in-place printing path of `sievecap -r` (appendPacketLineAt on a packet inside a bigger
 * buffer) and the TCP connection table, checked against tcpdump and against the standalone path
 * (formatPacketLine, itself checked against tcpdump in tests/print.test.ts). The same check on
 * every corpus file is in tests/print-at-corpus.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { appendPacketLineAt, formatPacketLine, LineBuffer, PrintState, type PrintOptions } from './index';
import { CaptureReader } from '../../pcap/reader';
import { pcapHeader, pcapRecord } from '../../pcap/craft';
import { mutate } from '../../../tests/support/mutate';
import { seededRandom } from '../../../tests/support/prng';
import { seedFrames } from '../../../tests/support/seed-frames';

const OPTION_SETS: PrintOptions[] = [
  { numeric: true, quick: false, linkHeader: false, timestamp: 'default' },
  { numeric: true, quick: false, linkHeader: true, timestamp: 'date', verbose: 1 },
  { numeric: true, quick: true, linkHeader: false, timestamp: 'delta', nanoTimestamps: true },
  { numeric: true, quick: false, linkHeader: false, timestamp: 'epoch', verbose: 2 },
];

test('a packet printed inside a buffer of random bytes prints as it does alone (built frames, whole and mutated)', (t) => {
  // Ethernet frames, the same as raw IP, and seeded mutations of both: tests/print-at-corpus.test.ts does this on the corpus.
  const rnd = seededRandom(0x9a1_7e57);
  const frames = seedFrames();
  const packets: Array<{ data: Buffer; linkType: number }> = [];
  for (const data of frames) {
    packets.push({ data, linkType: 1 }, { data: data.subarray(14), linkType: 101 });
    for (let k = 0; k < 20; k++) packets.push({ data: mutate(data, rnd), linkType: 1 }, { data: mutate(data.subarray(14), rnd), linkType: 101 });
  }
  const surroundings = Buffer.alloc(300_000);
  for (const opts of OPTION_SETS) {
    const alone = new PrintState();
    const inPlace = new PrintState();
    const out = new LineBuffer(1024);
    packets.forEach((p, k) => {
      const tsNs = 1_700_000_000_000_000_000n + BigInt(k) * 1_234_567n;
      const origLen = p.data.length + (k % 7 === 0 ? 40 : 0);
      // Random bytes before and after: a printer reading outside the packet would show it.
      const before = Math.floor(rnd() * 64);
      for (let i = 0; i < before + p.data.length + 64; i++) surroundings[i] = Math.floor(rnd() * 256);
      p.data.copy(surroundings, before);
      const sec = tsNs / 1_000_000_000n;
      out.length = 0;
      appendPacketLineAt(surroundings, before, p.data.length, origLen, p.linkType, Number(sec), Number(tsNs - sec * 1_000_000_000n), opts, inPlace, out);
      const expected = formatPacketLine({ tsNs, data: p.data, origLen, linkType: p.linkType }, opts, alone);
      if (out.toString() !== expected) assert.fail(`packet ${k} (${p.data.toString('hex')}) ${JSON.stringify(opts)}:\n  alone:    ${expected}\n  in place: ${out.toString()}`);
    });
  }
  t.diagnostic(`${packets.length} packets x ${OPTION_SETS.length} option sets`);
});

/** Ethernet + IPv4 or IPv6 + TCP with nop,nop,TS options and `payload` bytes. */
function tcpFrame(v6: boolean, src: number, dst: number, sport: number, dport: number, seq: number, ack: number, flags: number, payload: number): Buffer {
  const tcpLen = 32 + payload;
  const ipLen = v6 ? 40 : 20;
  const f = Buffer.alloc(14 + ipLen + tcpLen);
  f.writeUInt16BE(v6 ? 0x86dd : 0x0800, 12);
  const ip = 14;
  if (v6) {
    f.writeUInt32BE(0x60000000, ip);
    f.writeUInt16BE(tcpLen, ip + 4);
    f[ip + 6] = 6;
    f[ip + 7] = 64;
    f.writeUInt32BE(0xfd000000, ip + 8);
    f.writeUInt32BE(src, ip + 20);
    f.writeUInt32BE(0xfd000000, ip + 24);
    f.writeUInt32BE(dst, ip + 36);
  } else {
    f[ip] = 0x45;
    f.writeUInt16BE(20 + tcpLen, ip + 2);
    f[ip + 8] = 64;
    f[ip + 9] = 6;
    f.writeUInt32BE(src, ip + 12);
    f.writeUInt32BE(dst, ip + 16);
  }
  const tcp = ip + ipLen;
  f.writeUInt16BE(sport, tcp);
  f.writeUInt16BE(dport, tcp + 2);
  f.writeUInt32BE(seq >>> 0, tcp + 4);
  f.writeUInt32BE(ack >>> 0, tcp + 8);
  f[tcp + 12] = 8 << 4;
  f[tcp + 13] = flags;
  f.writeUInt16BE(502, tcp + 14);
  f.set([1, 1, 8, 10], tcp + 20);
  f.writeUInt32BE(seq >>> 0, tcp + 24);
  return f;
}

test('relative TCP sequence numbers of 5000 interleaved connections match tcpdump -nn', () => {
  if (spawnSync('tcpdump', ['--version']).status !== 0) assert.fail('tcpdump is needed for this test: apt-get install tcpdump');
  const SYN = 0x02;
  const ACK = 0x10;
  const PUSH = 0x08;
  const connections = Array.from({ length: 5000 }, (_, i) => {
    const v6 = i % 3 === 0;
    // Some connections use one port at both ends: then the addresses decide the direction.
    const samePort = i % 7 === 0;
    const client = 0x0a000000 + i * 13 + 1;
    const server = i % 2 === 0 ? 0x0a000001 : 0xc0a80000 + (i % 251);
    const cport = samePort ? 5000 + (i % 50) : 30000 + (i % 30000);
    const sport = samePort ? cport : [80, 443, 8080][i % 3]!;
    return { v6, client, server, cport, sport, iss: (i * 2654435761) >>> 0, irs: (i * 40503 + 7) >>> 0 };
  });
  const frames: Buffer[] = [];
  for (const c of connections) frames.push(tcpFrame(c.v6, c.client, c.server, c.cport, c.sport, c.iss, 0, SYN, 0));
  for (const c of connections) frames.push(tcpFrame(c.v6, c.server, c.client, c.sport, c.cport, c.irs, c.iss + 1, SYN | ACK, 0));
  for (let round = 0; round < 2; round++) {
    for (const c of connections) frames.push(tcpFrame(c.v6, c.client, c.server, c.cport, c.sport, c.iss + 1 + round * 100, c.irs + 1 + round * 50, PUSH | ACK, 100));
    for (const c of [...connections].reverse()) frames.push(tcpFrame(c.v6, c.server, c.client, c.sport, c.cport, c.irs + 1 + round * 50, c.iss + 101 + round * 100, PUSH | ACK, 50));
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-print-at-'));
  try {
    const file = path.join(dir, 'connections.pcap');
    fs.writeFileSync(file, Buffer.concat([pcapHeader(true, false, 1), ...frames.map((f, i) => pcapRecord(true, 1_700_000_000 + (i >> 10), (i * 37) % 1_000_000, f))]));
    const r = spawnSync('tcpdump', ['-nn', '-r', file], { encoding: 'utf8', maxBuffer: 1 << 28, env: { ...process.env } });
    assert.equal(r.status, 0, r.stderr);
    const theirs = r.stdout.split('\n').filter((l) => l !== '');
    const state = new PrintState();
    const opts: PrintOptions = { numeric: true, quick: false, linkHeader: false, timestamp: 'default' };
    const reader = CaptureReader.open(file);
    const ours: string[] = [];
    for (let p = reader.next(); p !== null; p = reader.next()) {
      ours.push(formatPacketLine({ tsNs: p.tsNs, data: p.data, origLen: p.origLen, linkType: p.linkType }, opts, state));
    }
    reader.close();
    assert.equal(ours.length, frames.length);
    for (let i = 0; i < ours.length; i++) if (ours[i] !== theirs[i]) assert.fail(`packet ${i + 1}:\n  tcpdump:  ${theirs[i]}\n  sievecap: ${ours[i]}`);
    assert.equal(state.tcpSeq.v4.size + state.tcpSeq.v6.size, connections.length);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
