/**
 * SCTP as tcpdump 4.99 (Debian's) prints it, over IPv4 and IPv6, on packets this test builds —
 * INIT and INIT ACK with parameters, DATA chunks with every flag combination and several payload
 * protocols, bundled chunks, SACK with gap blocks and duplicate TSNs, heartbeats, ABORT, SHUTDOWN,
 * COOKIE ECHO/ACK, FORWARD TSN, an unknown chunk type, lengths too short, too long and unpadded,
 * a header cut short — each capture also cut by editcap -s; and the corpus's ISUP capture (M3UA
 * over SCTP, whose payload tcpdump decodes only with -vv). Every line compared with -nn, -n -v,
 * -nn -vv (not for the M3UA capture) and -nn -e; ForCES associations (port 6704), which tcpdump
 * decodes further, must stay `ip-proto-132 N`.
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

const MISSING = ['tcpdump', 'editcap'].filter((t) => spawnSync(t, ['--version'], { stdio: 'ignore' }).error !== undefined);
const SKIP = MISSING.length > 0 ? `needs ${MISSING.join(', ')} (apt-get install tcpdump tshark)` : false;
const ENV = { ...process.env, TZ: 'UTC' };

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-tcpdump-sctp-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

function tcpdump(args: string[]): string {
  const r = spawnSync('tcpdump', args, { encoding: 'utf8', env: ENV, maxBuffer: 256 << 20 });
  assert.equal(r.status, 0, `tcpdump ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

function chunk(type: number, flags: number, body: Buffer, pad = true): Buffer {
  const h = Buffer.alloc(4);
  h[0] = type;
  h[1] = flags;
  h.writeUInt16BE(4 + body.length, 2);
  const c = Buffer.concat([h, body]);
  return pad && c.length % 4 ? Buffer.concat([c, Buffer.alloc(4 - (c.length % 4))]) : c;
}
const u32 = (...v: number[]): Buffer => Buffer.concat(v.map((x) => { const b = Buffer.alloc(4); b.writeUInt32BE(x >>> 0); return b; }));
const u16 = (...v: number[]): Buffer => Buffer.concat(v.map((x) => { const b = Buffer.alloc(2); b.writeUInt16BE(x); return b; }));
const init = (type: number, tag: number): Buffer => chunk(type, 0, Buffer.concat([u32(tag, 65535), u16(10, 65535), u32(1560164255), Buffer.from('000c000802000001', 'hex')]));
const data = (flags: number, tsn: number, ppid: number, payload: string): Buffer => chunk(0, flags, Buffer.concat([u32(tsn), u16(3, 17), u32(ppid), Buffer.from(payload)]));
const sack = (cum: number, gaps: Array<[number, number]>, dups: number[]): Buffer => chunk(3, 0, Buffer.concat([u32(cum, 4096), u16(gaps.length, dups.length), ...gaps.map(([a, b]) => u16(a, b)), u32(...dups)]));

function sctp(sport: number, dport: number, chunks: Buffer[]): Buffer {
  return Buffer.concat([u16(sport, dport), u32(0xdeadbeef, 0), ...chunks]);
}

function frame(body: Buffer, v6: boolean, reply: boolean): Buffer {
  if (v6) {
    const ip = Buffer.alloc(40);
    ip.writeUInt32BE(0x60000000, 0);
    ip.writeUInt16BE(body.length, 4);
    ip[6] = 132;
    ip[7] = 64;
    Buffer.from(`20010db8000000000000000000000${reply ? 2 : 1}`, 'hex').copy(ip, 8);
    Buffer.from(`20010db8000000000000000000000${reply ? 1 : 2}`, 'hex').copy(ip, 24);
    return Buffer.concat([Buffer.from('02000000000202000000000186dd', 'hex'), ip, body]);
  }
  const ip = Buffer.from('4500000000010000408400000a0000010a000002', 'hex');
  ip.writeUInt16BE(20 + body.length, 2);
  if (reply) [ip[15], ip[19]] = [2, 1];
  let sum = 0;
  for (let k = 0; k < 20; k += 2) sum += ip.readUInt16BE(k);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  ip.writeUInt16BE(~sum & 0xffff, 10);
  return Buffer.concat([Buffer.from('0200000000020200000000010800', 'hex'), ip, body]);
}

test('SCTP chunks as tcpdump prints them (-nn, -n -v, -nn -vv, -nn -e; IPv4 and IPv6, whole and cut), ForCES left as ip-proto-132', { skip: SKIP }, () => {
  const packets = [
    sctp(5000, 7, [init(1, 1126376772)]),
    sctp(7, 5000, [init(2, 3760)]),
    sctp(5000, 7, [chunk(10, 0, Buffer.alloc(20, 7)), data(3, 1560164255, 18, 'hello')]),
    sctp(7, 5000, [chunk(11, 0, Buffer.alloc(0)), sack(1560164255, [], [])]),
    sctp(5000, 7, [data(4, 1, 46, 'x'), data(2, 2, 5, 'bundled first'), data(0, 3, 2, 'middle'), data(1, 4, 99, 'last!!')]),
    sctp(7, 5000, [sack(4, [[2, 3], [5, 9]], [1, 2, 3])]),
    sctp(5000, 7, [chunk(4, 0, Buffer.from('0001000c6869686921', 'hex')), chunk(5, 0, Buffer.from('0001000c68696869', 'hex'))]),
    sctp(5000, 7, [chunk(0xc0, 0, u32(77)), chunk(12, 0, u32(5)), chunk(13, 0, u32(6)), chunk(0x80, 1, Buffer.from('abc'))]),
    sctp(5000, 7, [chunk(7, 0, u32(9)), chunk(8, 0, Buffer.alloc(0)), chunk(14, 1, Buffer.alloc(0))]),
    sctp(5000, 7, [chunk(6, 1, Buffer.from('000d0004', 'hex')), chunk(9, 0, Buffer.from('0001000800000000', 'hex'))]),
    sctp(5000, 7, [chunk(0, 3, u32(1, 2))]),
    sctp(5000, 7, [chunk(0, 3, u32(1, 2, 4))]),
    sctp(5000, 7, [chunk(1, 0, u32(1, 2))]),
    sctp(5000, 7, [chunk(3, 0, Buffer.concat([u32(1, 2), u16(5, 5)]))]),
    sctp(5000, 7, [Buffer.from([0, 3, 0, 2])]),
    sctp(5000, 7, [Buffer.from([0, 3, 0, 200, 1, 2, 3, 4])]),
    sctp(5000, 7, [data(3, 1, 7, 'abc'), Buffer.from([1, 2])]),
    sctp(5000, 7, [chunk(5, 0, Buffer.from('0'), false)]),
    sctp(5000, 7, []),
    Buffer.from([0x13, 0x88, 0x00]),
    sctp(40000, 6704, [data(3, 1, 0, 'forces')]),
    sctp(5000, 7, [data(3, 1, 21, 'forces too')]),
  ];
  const frames = packets.flatMap((body, k) => [frame(body, false, k % 2 === 1), frame(body, true, k % 2 === 0)]);
  const file = path.join(tmp, 'sctp.pcap');
  writePcap(file, frames);
  const inputs = [file];
  for (const snap of [50, 70, 90, 110]) {
    const cut = path.join(tmp, `sctp-s${snap}.pcap`);
    assert.equal(spawnSync('editcap', ['-F', 'pcap', '-s', String(snap), file, cut]).status, 0);
    inputs.push(cut);
  }
  const isup = requireCorpusFile('tcpdump/tests/isup.pcap');
  const runs = [
    ...inputs.flatMap((f) => [['-nn'], ['-n', '-v'], ['-nn', '-vv'], ['-nn', '-e']].map((args) => [...args, '-r', f])),
    ...[['-nn'], ['-n', '-v'], ['-nn', '-e']].map((args) => [...args, '-r', isup]),
  ];
  const ours = sievecapRuns(runs);
  const problems: string[] = [];
  let lines = 0;
  runs.forEach((args, k) => {
    assert.equal(ours[k]!.status, 0, `sievecap ${args.join(' ')}: ${ours[k]!.stderr}`);
    const theirs = tcpdump(args);
    lines += (theirs.match(/: sctp/g) ?? []).length;
    if (ours[k]!.stdout !== theirs) {
      const a = theirs.split('\n');
      const b = ours[k]!.stdout.split('\n');
      const i = a.findIndex((line, j) => line !== b[j]);
      problems.push(`sievecap ${args.join(' ')}, line ${i + 1}:\n  tcpdump:  ${a[i]}\n  sievecap: ${b[i]}`);
    }
  });
  console.log(`compared ${lines} SCTP lines`);
  // ForCES: tcpdump decodes it (`sctp[ForCES HP] …`); Sievecap's line is the IP summary.
  const forces = ours[0]!.stdout.split('\n').filter((l) => l.includes('ip-proto-132'));
  assert.equal(forces.length, 4, forces.join('\n'));
  const theirsForces = tcpdump(['-nn', '-r', file]).split('\n').filter((l) => /ForCES|PPID ForCES/.test(l));
  assert.equal(theirsForces.length, 4);
  const differing = problems.filter((p) => !/ForCES/.test(p));
  assert.deepEqual(differing.slice(0, 6), [], `${differing.length} outputs differ from tcpdump's`);
  assert.ok(lines >= 300, `only ${lines} SCTP lines compared`);
});
