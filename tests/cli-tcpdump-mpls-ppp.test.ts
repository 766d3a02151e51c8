/**
 * MPLS (over Ethernet, in UDP 6635 and in PPP), PPP (the PPP link type with LCP, IPCP, CHAP and
 * PAP), PPPoE (discovery with its tags, and sessions) and PPTP's enhanced GRE (GREv1 with PPP
 * inside) and Linux's NFLOG link type as tcpdump 4.99 (Debian's) prints them, on the corpus's captures of them, whole and cut
 * short by editcap -s (so that each printer's ` [|proto]` and ` (invalid)` cases are met): every
 * line with -nn, -e and -q; with -v on the files whose -v parts the printers print whole (the
 * control protocols' options are not decoded). In pptp.pcap only the GRE lines are compared (its
 * TCP control connection carries PPTP messages the printer does not decode).
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
import { PcapWriter } from '../app/pcap/pcap-writer';

const MISSING = ['tcpdump', 'editcap'].filter((t) => spawnSync(t, ['--version'], { stdio: 'ignore' }).error !== undefined);
const SKIP = MISSING.length > 0 ? `needs ${MISSING.join(', ')} (apt-get install tcpdump tshark)` : false;
const ENV = { ...process.env, TZ: 'UTC' };

/** Whole outputs compared; the flags each file is compared with. */
const FILES: Array<[string, string[][]]> = [
  ['tcpdump/tests/mpls-traceroute.pcap', [['-nn'], ['-nn', '-e'], ['-nn', '-q']]],
  ['tcpdump/tests/mpls-over-udp.pcap', [['-nn'], ['-nn', '-e'], ['-nn', '-v'], ['-nn', '-q']]],
  ['tcpdump/tests/mpls-label-heapoverflow.pcap', [['-nn'], ['-nn', '-e'], ['-nn', '-v']]],
  ['tcpdump/tests/pppoe.pcap', [['-nn'], ['-nn', '-e'], ['-nn', '-v']]],
  ['tcpdump/tests/pppoes.pcap', [['-nn'], ['-nn', '-e'], ['-nn', '-q']]],
  ['tcpdump/tests/truncated-aack.pcap', [['-nn'], ['-nn', '-e'], ['-nn', '-v']]],
  ['tcpdump/tests/bgp_vpn_attrset.pcap', [['-nn'], ['-nn', '-e']]],
  ['tcpdump/tests/nflog.pcap', [['-nn'], ['-nn', '-e'], ['-nn', '-v'], ['-nn', '-q'], ['-nn', '-e', '-q'], ['-nn', '-x']]],
];

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-tcpdump-mpls-ppp-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

function tcpdump(args: string[]): string {
  const r = spawnSync('tcpdump', args, { encoding: 'utf8', env: ENV, maxBuffer: 256 << 20 });
  assert.equal(r.status, 0, `tcpdump ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** The file, and copies of it cut to the first 20, 30, 42 and 60 bytes of each packet. */
function withCutCopies(name: string): string[] {
  const file = requireCorpusFile(name);
  const inputs = [file];
  for (const snap of [20, 30, 42, 60]) {
    const cut = path.join(tmp, `${path.basename(name).replace(/\.\w+$/, '')}-s${snap}.pcap`);
    if (!fs.existsSync(cut)) {
      const r = spawnSync('editcap', ['-F', 'pcap', '-s', String(snap), file, cut], { encoding: 'utf8' });
      assert.equal(r.status, 0, `editcap -s ${snap} ${name}: ${r.stderr}`);
    }
    inputs.push(cut);
  }
  return inputs;
}

test('MPLS, PPP, PPPoE, PPP control protocols and NFLOG: every line as tcpdump prints it (-nn, -e, -q, -v; whole and cut packets)', { skip: SKIP }, () => {
  const runs = FILES.flatMap(([name, argSets]) => withCutCopies(name).flatMap((file) => argSets.map((args) => [...args, '-r', file])));
  const ours = sievecapRuns(runs);
  const problems: string[] = [];
  const met = { mpls: 0, pppoe: 0, ppp: 0, cut: 0 };
  runs.forEach((args, k) => {
    assert.equal(ours[k]!.status, 0, `sievecap ${args.join(' ')}: ${ours[k]!.stderr}`);
    const theirs = tcpdump(args);
    met.mpls += (theirs.match(/MPLS \(label/g) ?? []).length;
    met.pppoe += (theirs.match(/PPPoE /g) ?? []).length;
    met.ppp += (theirs.match(/\b(LCP|IPCP|IP6CP|CHAP|PAP), /g) ?? []).length;
    met.cut += (theirs.match(/ ?\[\|\w+\]/g) ?? []).length;
    if (ours[k]!.stdout !== theirs) {
      const a = theirs.split('\n');
      const b = ours[k]!.stdout.split('\n');
      const i = a.findIndex((line, j) => line !== b[j]);
      problems.push(`sievecap ${args.join(' ')}, line ${i + 1}:\n  tcpdump:  ${a[i]}\n  sievecap: ${b[i]}`);
    }
  });
  console.log(`compared lines with: ${JSON.stringify(met)}`);
  assert.deepEqual(problems.slice(0, 8), [], `${problems.length} outputs differ from tcpdump's`);
  assert.ok(met.mpls >= 50 && met.pppoe >= 50 && met.ppp >= 20 && met.cut >= 20, `too few lines of each kind compared: ${JSON.stringify(met)}`);
});

/** Ethernet + IPv4 (protocol 47) around an enhanced GRE header and payload. */
function gre1Frame(flags: number, fields: number[], payload: Buffer): Buffer {
  const gre = Buffer.alloc(4 + 4 * fields.length);
  gre.writeUInt16BE(flags | 1, 0);
  gre.writeUInt16BE(0x880b, 2);
  fields.forEach((v, k) => gre.writeUInt32BE(v >>> 0, 4 + 4 * k));
  const body = Buffer.concat([gre, payload]);
  const ip = Buffer.alloc(20);
  ip[0] = 0x45;
  ip.writeUInt16BE(20 + body.length, 2);
  ip[8] = 64;
  ip[9] = 47;
  Buffer.from([192, 0, 2, 1, 198, 51, 100, 2]).copy(ip, 12);
  let sum = 0;
  for (let k = 0; k < 20; k += 2) sum += ip.readUInt16BE(k);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  ip.writeUInt16BE(~sum & 0xffff, 10);
  return Buffer.concat([Buffer.from('0200000000020200000000010800', 'hex'), ip, body]);
}

test('PPTP: GREv1 with PPP inside (LCP, IPCP, CHAP, PAP, IPv4, compressed fields) and acknowledgment-only packets as tcpdump prints them, -nn and -e, whole and cut', { skip: SKIP }, () => {
  const K = 0x2000;
  const S = 0x1000;
  const A = 0x0080;
  const lcp = Buffer.from('ff03c021010100140104057805060a0b0c0d0702080200', 'hex');
  const ipcp = Buffer.from('ff038021010200100306c0000201810600000000', 'hex');
  const chap = Buffer.from('c22301070015' + '10' + '00112233445566778899aabbccddeeff' + '626f62', 'hex');
  const chapOk = Buffer.from('c2230307000c' + '57656c636f6d6521', 'hex');
  const pap = Buffer.from('ff03c0230103000e' + '03' + '626f62' + '05' + '7365637265', 'hex');
  const ip = Buffer.from('ff030021' + '45000020000100004011f8c70a0000010a000002' + '04d2003500080000' + '0000', 'hex');
  const pfc = Buffer.from('21' + '45000020000100004011f8c70a0000010a000002' + '04d2003500080000', 'hex');
  const unknown = Buffer.from('ff03abcd01020304', 'hex');
  const frames = [
    gre1Frame(K | S, [(0x40 << 16) | 6016, 1], lcp),
    gre1Frame(K | S | A, [6016, 2, 1], ipcp),
    gre1Frame(K | S, [17, 3], chap),
    gre1Frame(K | S | A, [17, 4, 3], chapOk),
    gre1Frame(K | S, [17, 5], pap),
    gre1Frame(K | S, [17, 6], ip),
    gre1Frame(K | S, [17, 7], pfc),
    gre1Frame(K | S, [17, 8], unknown),
    gre1Frame(K | A, [17, 539254], Buffer.alloc(0)),
  ];
  const file = path.join(tmp, 'gre1.pcap');
  writePcap(file, frames);
  const cut = path.join(tmp, 'gre1-s50.pcap');
  assert.equal(spawnSync('editcap', ['-F', 'pcap', '-s', '50', file, cut]).status, 0);
  const corpus = requireCorpusFile('tcpdump/tests/pptp.pcap');
  const runs = [file, cut, corpus].flatMap((f) => [['-nn'], ['-nn', '-e']].map((args) => [...args, '-r', f]));
  const ours = sievecapRuns(runs);
  let compared = 0;
  runs.forEach((args, k) => {
    const theirs = tcpdump(args).split('\n');
    const mine = ours[k]!.stdout.split('\n');
    assert.equal(mine.length, theirs.length);
    theirs.forEach((line, i) => {
      if (!line.includes('GREv1')) return;
      compared++;
      assert.equal(mine[i], line, `sievecap ${args.join(' ')} packet ${i + 1}`);
    });
  });
  assert.ok(compared >= 30, `only ${compared} GREv1 packets compared`);
});

/** An IPv4 header (checksummed) around a payload of the given protocol. */
function ipv4(proto: number, body: Buffer): Buffer {
  const ip = Buffer.alloc(20);
  ip[0] = 0x45;
  ip.writeUInt16BE(20 + body.length, 2);
  ip[8] = 64;
  ip[9] = proto;
  Buffer.from([192, 0, 2, 1, 198, 51, 100, 2]).copy(ip, 12);
  let sum = 0;
  for (let k = 0; k < 20; k += 2) sum += ip.readUInt16BE(k);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  ip.writeUInt16BE(~sum & 0xffff, 10);
  return Buffer.concat([ip, body]);
}

test('Cisco HDLC (link types 104 and 112): IPv4, IPv6, SLARP requests, replies and keepalives, MPLS, ISO, unknown protocols, as tcpdump prints them (-nn, -e, -v, -vv), whole and cut', { skip: SKIP }, () => {
  const hdlc = (address: number, proto: number, body: Buffer): Buffer => Buffer.concat([Buffer.from([address, 0, proto >> 8, proto & 0xff]), body]);
  const udp = Buffer.from('04d2003500100000' + '0001020304050607', 'hex');
  const ip6 = Buffer.concat([Buffer.from('6000000000083a40' + '20010db8000000000000000000000001' + '20010db8000000000000000000000002', 'hex'), Buffer.from('8000000000010001', 'hex')]);
  const slarp = (code: number, rest: string): Buffer => Buffer.concat([Buffer.from([0, 0, 0, code]), Buffer.from(rest, 'hex')]);
  const frames = [
    hdlc(0x0f, 0x0800, ipv4(17, udp)),
    hdlc(0x8f, 0x0800, ipv4(17, udp)),
    hdlc(0x0f, 0x86dd, ip6),
    hdlc(0x8f, 0x8035, slarp(0, '00000000000000000000')),
    hdlc(0x8f, 0x8035, slarp(1, 'c0000201ffffff000000')),
    hdlc(0x8f, 0x8035, slarp(2, '0000002a000000290000')),
    hdlc(0x8f, 0x8035, slarp(2, '0000002a00000029ffff' + '0bc2a3e1')),
    hdlc(0x8f, 0x8035, slarp(2, '0000002a00000029ffff' + '0bc2a3e1' + 'aabb')),
    hdlc(0x8f, 0x8035, slarp(7, '0102030405060708090a')),
    hdlc(0x8f, 0x8035, slarp(2, '00000001')),
    hdlc(0x0f, 0x8847, Buffer.concat([Buffer.from('0001014001', 'hex').subarray(0, 4), ipv4(17, udp)])),
    hdlc(0x0f, 0xfefe, Buffer.from('0083' + '1b0100140100000000', 'hex')),
    hdlc(0x0f, 0x1234, Buffer.from('01020304', 'hex')),
    hdlc(0x42, 0x0800, ipv4(17, udp)),
    Buffer.from('0f0008', 'hex'),
  ];
  const problems: string[] = [];
  let lines = 0;
  for (const linkType of [104, 112]) {
    const file = path.join(tmp, `chdlc-${linkType}.pcap`);
    const writer = new PcapWriter(file, { linkType, snapLen: 65535 });
    for (const data of frames) writer.writePacket({ tsNs: 0n, data });
    writer.close();
    const cut = path.join(tmp, `chdlc-${linkType}-s22.pcap`);
    assert.equal(spawnSync('editcap', ['-F', 'pcap', '-s', '22', file, cut]).status, 0);
    const runs = [file, cut].flatMap((f) => [['-nn'], ['-nn', '-e'], ['-nn', '-v'], ['-nn', '-vv', '-e']].map((args) => [...args, '-r', f]));
    const ours = sievecapRuns(runs);
    runs.forEach((args, k) => {
      const theirs = tcpdump(args);
      lines += theirs.split('\n').length - 1;
      if (ours[k]!.stdout !== theirs) {
        const a = theirs.split('\n');
        const b = ours[k]!.stdout.split('\n');
        const i = a.findIndex((line, j) => line !== b[j]);
        problems.push(`sievecap ${args.join(' ')}, line ${i + 1}:\n  tcpdump:  ${a[i]}\n  sievecap: ${b[i]}`);
      }
    });
  }
  assert.deepEqual(problems.slice(0, 8), [], `${problems.length} outputs differ from tcpdump's`);
  assert.ok(lines >= 200, `only ${lines} lines compared`);
});
