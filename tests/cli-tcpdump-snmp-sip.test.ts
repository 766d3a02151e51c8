/**
 * SNMP (UDP 161/162) and SIP (UDP 5060) as tcpdump 4.99 (Debian's) prints them, on messages this
 * test builds with its own BER encoder — SNMPv1 get, getnext, set and responses with every value
 * type (integers of every width and sign, strings printable or not, OIDs with long subidentifiers,
 * IP addresses, counters, gauges, time ticks, Counter64, opaque, exceptions), errors and error
 * indexes, v1 traps (generic and enterprise-specific), v2c GetBulk, Inform, V2Trap and Report, a
 * community other than "public", v3 messages with USM parameters and flags, and malformed ones
 * (wrong types, lengths past the datagram, extended tags, a v2 PDU in a v1 message, unknown
 * versions, bytes after the message) — and SIP requests, responses and junk; each capture also
 * cut short by editcap -s. Every line compared with -nn, -n -v, -nn -vv and -nn -e. Without -n
 * tcpdump names OIDs from its compiled-in MIB, which Sievecap does not carry: those lines must
 * then be `UDP, length N`, checked too. Also the corpus's SNMP captures.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { requireCorpusFile } from './support/corpus';
import { sievecapRuns } from './support/agree';
import { writePcap } from './support/frames';
import { udpFrame } from '../app/dissect/test-frames';

const MISSING = ['tcpdump', 'editcap'].filter((t) => spawnSync(t, ['--version'], { stdio: 'ignore' }).error !== undefined);
const SKIP = MISSING.length > 0 ? `needs ${MISSING.join(', ')} (apt-get install tcpdump tshark)` : false;
const ENV = { ...process.env, TZ: 'UTC' };

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-tcpdump-snmp-sip-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

function tcpdump(args: string[]): string {
  const r = spawnSync('tcpdump', args, { encoding: 'utf8', env: ENV, maxBuffer: 256 << 20 });
  assert.equal(r.status, 0, `tcpdump ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

// A small BER encoder.
function tlv(tag: number, body: Buffer): Buffer {
  const n = body.length;
  const len = n < 0x80 ? Buffer.from([n]) : n < 0x100 ? Buffer.from([0x81, n]) : Buffer.from([0x82, n >> 8, n & 0xff]);
  return Buffer.concat([Buffer.from([tag]), len, body]);
}
const seq = (...items: Buffer[]): Buffer => tlv(0x30, Buffer.concat(items));
function int(v: number, tag = 0x02): Buffer {
  const bytes: number[] = [];
  let x = v;
  do {
    bytes.unshift(x & 0xff);
    x = Math.floor(x / 256);
  } while (x !== 0 && x !== -1);
  if (v >= 0 && bytes[0]! & 0x80) bytes.unshift(0);
  if (v < 0 && !(bytes[0]! & 0x80)) bytes.unshift(0xff);
  return tlv(tag, Buffer.from(bytes));
}
const uns = (tag: number, v: number): Buffer => tlv(tag, Buffer.from(v.toString(16).padStart(10, '0'), 'hex').subarray(v > 0xffffffff ? 0 : 1));
const str = (s: string | Buffer, tag = 0x04): Buffer => tlv(tag, Buffer.isBuffer(s) ? s : Buffer.from(s, 'latin1'));
function oid(text: string): Buffer {
  const parts = text.split('.').filter(Boolean).map(Number);
  const out = [parts[0]! * 40 + parts[1]!];
  for (const p of parts.slice(2)) {
    const sub: number[] = [p & 0x7f];
    for (let x = Math.floor(p / 128); x > 0; x = Math.floor(x / 128)) sub.unshift((x & 0x7f) | 0x80);
    out.push(...sub);
  }
  return tlv(0x06, Buffer.from(out));
}
const NULL = Buffer.from([0x05, 0x00]);
const varbinds = (...pairs: Array<[string, Buffer]>): Buffer => seq(...pairs.map(([o, v]) => seq(oid(o), v)));
const pdu = (tag: number, reqId: number, status: number, index: number, vbs: Buffer): Buffer => tlv(tag, Buffer.concat([int(reqId), int(status), int(index), vbs]));
const message = (version: number, community: string, body: Buffer): Buffer => seq(int(version), str(community), body);

function snmpMessages(): Buffer[] {
  const sys = '.1.3.6.1.2.1.1';
  const values: Array<[string, Buffer]> = [
    [`${sys}.1.0`, str('Linux router 6.1.0 #1 SMP x86_64')],
    [`${sys}.2.0`, oid('.1.3.6.1.4.1.8072.3.2.10')],
    [`${sys}.3.0`, uns(0x43, 123456789)],
    [`${sys}.4.0`, str(Buffer.from([0x00, 0x01, 0xfe, 0x41]))],
    [`${sys}.7.0`, int(72)],
    ['.1.3.6.1.2.1.2.2.1.10.2', uns(0x41, 4294967295)],
    ['.1.3.6.1.2.1.2.2.1.5.2', uns(0x42, 1000000000)],
    ['.1.3.6.1.2.1.31.1.1.1.6.2', uns(0x46, 2 ** 40 + 5)],
    ['.1.3.6.1.2.1.4.20.1.1.10.0.0.1', tlv(0x40, Buffer.from([10, 0, 0, 1]))],
    ['.1.3.6.1.4.1.2021.4.5.0', int(-2147483648)],
    ['.1.3.6.1.4.1.2021.4.6.0', int(-1)],
    ['.1.3.6.1.4.1.4294967295.1', tlv(0x44, Buffer.from('cafe', 'hex'))],
    ['.1.3.6.1.4.1.99.1', tlv(0x80, Buffer.alloc(0))],
    ['.1.3.6.1.4.1.99.2', tlv(0x81, Buffer.alloc(0))],
    ['.1.3.6.1.4.1.99.3', tlv(0x82, Buffer.alloc(0))],
    ['.2.999.1', str('')],
  ];
  const trapV1 = tlv(0xa4, Buffer.concat([oid('.1.3.6.1.4.1.31337.0'), tlv(0x40, Buffer.from([127, 0, 0, 1])), int(0), int(0), uns(0x43, 500), varbinds(['.1.3.6.1.2.1.2.1.0', int(33)])]));
  const trapV1Ent = tlv(0xa4, Buffer.concat([oid('.1.3.6.1.4.1.9'), tlv(0x40, Buffer.from([192, 0, 2, 7])), int(6), int(17), uns(0x43, 99), varbinds()]));
  const usm = seq(str(Buffer.from('80001f8880e9630000d61ff449', 'hex')), int(3), int(1234567), str('admin'), str(Buffer.alloc(12, 0xab)), str(Buffer.alloc(8, 1)));
  const v3 = (flags: number, model = 3, scoped?: Buffer): Buffer => seq(
    int(3),
    seq(int(91), int(65507), str(Buffer.from([flags])), int(model)),
    str(usm),
    scoped ?? seq(str(Buffer.from('80001f8880e9630000d61ff449', 'hex')), str('ctx'), pdu(0xa1, 4242, 0, 0, varbinds([sys, NULL]))),
  );
  return [
    message(0, 'public', pdu(0xa0, 1, 0, 0, varbinds([`${sys}.1.0`, NULL], [`${sys}.5.0`, NULL]))),
    message(0, 'public', pdu(0xa1, 2, 0, 0, varbinds([sys, NULL]))),
    message(0, 'private', pdu(0xa2, 3, 0, 0, varbinds(...values))),
    message(1, 'public', pdu(0xa2, 4, 2, 1, varbinds([`${sys}.9.0`, NULL]))),
    message(1, 'public', pdu(0xa2, 5, 2, 0, varbinds())),
    message(1, 'public', pdu(0xa2, 6, 0, 3, varbinds())),
    message(1, 'public', pdu(0xa2, 7, 40, 1, varbinds())),
    message(0, 'secret', pdu(0xa3, 8, 0, 0, varbinds([`${sys}.6.0`, str('rack 4')]))),
    message(0, 'public', pdu(0xa0, 9, 5, 2, varbinds([`${sys}.1.0`, int(1)]))),
    message(1, 'public', pdu(0xa5, 10, 0, 10, varbinds([sys, NULL]))),
    message(1, 'public', pdu(0xa6, 11, 0, 0, varbinds(['.1.3.6.1.2.1.1.3.0', uns(0x43, 5)], ['.1.3.6.1.6.3.1.1.4.1.0', oid('.1.3.6.1.6.3.1.1.5.1')]))),
    message(1, 'public', pdu(0xa7, 12, 0, 0, varbinds(['.1.3.6.1.6.3.1.1.4.1.0', oid('.1.3.6.1.6.3.1.1.5.3')]))),
    message(1, 'public', pdu(0xa8, 13, 0, 0, varbinds(['.1.3.6.1.6.3.15.1.1.4.0', uns(0x41, 3)]))),
    message(0, 'public', trapV1),
    message(0, 'public', trapV1Ent),
    message(1, 'public', trapV1),
    message(0, 'public', pdu(0xa5, 14, 0, 0, varbinds())),
    v3(4),
    v3(5),
    v3(7),
    v3(2),
    v3(1, 2),
    v3(0, 3, seq(str(''), str('\x01bad'), pdu(0xa2, 1, 0, 0, varbinds([sys, tlv(0x80, Buffer.alloc(0))])))),
    seq(int(2), str('public')),
    seq(int(7), str('public')),
    int(5),
    seq(str('x'), str('public')),
    Buffer.concat([message(0, 'public', pdu(0xa0, 1, 0, 0, varbinds([sys, NULL]))), Buffer.from('junk')]),
    Buffer.from([0x30, 0x40, 0x02, 0x01, 0x00]),
    Buffer.from([0x30, 0x84, 0x00, 0x00, 0x00, 0x05, 0x02, 0x01, 0x00, 0x04, 0x00]),
    Buffer.from([0x30, 0x06, 0x1f, 0x81, 0x05, 0x01, 0x00, 0x00]),
    Buffer.from([0x30, 0x05, 0x02, 0x01, 0x00, 0x6a, 0x00]),
    Buffer.from([0x30, 0x09, 0x02, 0x01, 0x00, 0x04, 0x01, 0x78, 0xa9, 0x01, 0x00]),
    message(0, 'public', pdu(0xa0, 1, 0, 0, tlv(0x31, Buffer.alloc(0)))),
    message(0, 'public', pdu(0xa2, 1, 0, 0, seq(seq(str('notoid'), NULL)))),
    message(0, 'public', pdu(0xa0, 1, 0, 0, seq(seq(oid(sys), int(1)), Buffer.from([0x02, 0x00])))),
    message(0, 'public', tlv(0x04, Buffer.from('x'))),
  ];
}

const SIP = [
  'INVITE sip:bob@example.com SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.1:5060\r\nCall-ID: a84b4c76e66710\r\nContent-Length: 0\r\n\r\n',
  'SIP/2.0 180 Ringing\r\nCall-ID: a84b4c76e66710\r\n\r\n',
  'SIP/2.0 200 OK\r\nContent-Type: application/sdp\r\n\r\nv=0\r\no=- 1 1 IN IP4 10.0.0.2\r\n',
  'register sip:example.com SIP/2.0\r\n\r\n',
  'BYE sip:alice@example.com SIP/2.0\n\n',
  '\r\n\r\n',
  'hello there',
  'NOTIFY sip:x SIP/2.0\r\nbinary\x01here\r\n',
];

test('SNMP (v1, v2c, v3, traps, every value type, malformed messages) and SIP: every line as tcpdump prints it (-nn, -n -v, -nn -vv, -nn -e; whole and cut), and UDP lines without -n', { skip: SKIP }, () => {
  const frames: Buffer[] = [];
  snmpMessages().forEach((m, k) => frames.push(udpFrame(40000 + k, k % 5 === 4 ? 162 : 161, m, undefined, k % 2 === 1)));
  SIP.forEach((m, k) => frames.push(udpFrame(5060, 5060, Buffer.from(m, 'latin1'), undefined, k % 2 === 1)));
  const file = path.join(tmp, 'snmp-sip.pcap');
  writePcap(file, frames);
  const inputs = [file, requireCorpusFile('tcpdump/tests/snmp-heapoverflow-1.pcap'), requireCorpusFile('tcpdump/tests/ip-snmp-leftshift-unsigned.pcap'), requireCorpusFile('tcpdump/tests/ip6-snmp-oid-unsigned.pcap')];
  for (const snap of [60, 70, 90, 120]) {
    const cut = path.join(tmp, `snmp-sip-s${snap}.pcap`);
    assert.equal(spawnSync('editcap', ['-F', 'pcap', '-s', String(snap), file, cut]).status, 0);
    inputs.push(cut);
  }
  const runs = inputs.flatMap((f) => [['-nn'], ['-n', '-v'], ['-nn', '-vv'], ['-nn', '-e']].map((args) => [...args, '-r', f]));
  const ours = sievecapRuns(runs);
  const problems: string[] = [];
  let snmpLines = 0;
  let sipLines = 0;
  runs.forEach((args, k) => {
    assert.equal(ours[k]!.status, 0, `sievecap ${args.join(' ')}: ${ours[k]!.stderr}`);
    const theirs = tcpdump(args);
    snmpLines += theirs.split('\n').filter((l) => /\.16[12]: /.test(l)).length;
    sipLines += (theirs.match(/: SIP/g) ?? []).length;
    if (ours[k]!.stdout !== theirs) {
      const a = theirs.split('\n');
      const b = ours[k]!.stdout.split('\n');
      const i = a.findIndex((line, j) => line !== b[j]);
      problems.push(`sievecap ${args.join(' ')}, line ${i + 1}:\n  tcpdump:  ${a[i]}\n  sievecap: ${b[i]}`);
    }
  });
  console.log(`compared ${snmpLines} SNMP and ${sipLines} SIP lines`);
  assert.deepEqual(problems.slice(0, 6), [], `${problems.length} outputs differ from tcpdump's`);
  assert.ok(snmpLines >= 200 && sipLines >= 40, `too few lines compared: ${snmpLines} SNMP, ${sipLines} SIP`);

  // Without -n: OIDs would need tcpdump's MIB names; Sievecap prints the datagram's length instead.
  const plain = sievecapRuns([['-r', file]])[0]!.stdout.split('\n').filter((l) => /\.(snmp|snmp-trap|16[12]): /.test(l));
  assert.ok(plain.length >= 30 && plain.every((l) => /: UDP, length \d+$/.test(l)), plain.slice(0, 3).join('\n'));
});
