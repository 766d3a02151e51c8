/**
 * 802.3 frames with an 802.2 LLC header as tcpdump 4.99 (Debian's) prints them (llc_print), on
 * frames this test builds: U frames (UI, TEST, XID with and without its format identifier, UA,
 * DISC, DM, SABME, FRMR, an unknown command; poll and final bits), S frames (RR, RNR, REJ), I
 * frames, the same and different SAPs known and unknown, group and response bits, RFC 948 IP over
 * LLC (SAP 0x06), spanning tree as an I frame, and copies cut by editcap -s: every line with -nn,
 * -nn -e, -nn -v, -nn -q and -nn -x.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { sievecapRuns } from './support/agree';
import { writePcap } from './support/frames';

const MISSING = ['tcpdump', 'editcap'].filter((t) => spawnSync(t, ['--version'], { stdio: 'ignore' }).error !== undefined);
const SKIP = MISSING.length > 0 ? `needs ${MISSING.join(', ')} (apt-get install tcpdump tshark)` : false;
const ENV = { ...process.env, TZ: 'UTC' };

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-tcpdump-llc-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

function tcpdump(args: string[]): string {
  const r = spawnSync('tcpdump', args, { encoding: 'utf8', env: ENV, maxBuffer: 256 << 20 });
  assert.equal(r.status, 0, `tcpdump ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** An 802.3 frame: addresses, the length of what follows, the LLC header and payload, padded to 60 bytes. */
function llcFrame(dsap: number, ssap: number, control: number[], payload: Buffer, dst = '0180c2000000'): Buffer {
  const body = Buffer.concat([Buffer.from([dsap, ssap, ...control]), payload]);
  const header = Buffer.concat([Buffer.from(dst, 'hex'), Buffer.from('fe54008a1f0b', 'hex'), Buffer.from([body.length >> 8, body.length & 0xff])]);
  const frame = Buffer.concat([header, body]);
  return frame.length < 60 ? Buffer.concat([frame, Buffer.alloc(60 - frame.length)]) : frame;
}

test('802.2 LLC U, S and I frames as tcpdump prints them (-nn, -e, -v, -q, -x; whole and cut)', { skip: SKIP }, () => {
  const data = Buffer.from('000102030405060708090a0b0c0d0e0f1011', 'hex');
  const ip = Buffer.from('450000200001000040114f7f0a0000010a00000204d2003500080000', 'hex');
  const frames = [
    llcFrame(0xf8, 0xf8, [0x03], data, '090009000067'),
    llcFrame(0xf8, 0xf9, [0x13], data),
    llcFrame(0x04, 0x05, [0xf3], data),
    llcFrame(0x00, 0x00, [0xaf], Buffer.from([0x81, 0x01, 0x00])),
    llcFrame(0x00, 0x01, [0xbf], Buffer.from([0x81, 0x01, 0x02, 0x03])),
    llcFrame(0x04, 0x04, [0xaf], Buffer.from([0x82, 0x01])),
    llcFrame(0x04, 0x04, [0xaf], Buffer.alloc(0)),
    llcFrame(0x04, 0x04, [0x63], Buffer.alloc(0)),
    llcFrame(0x04, 0x04, [0x53], Buffer.alloc(0)),
    llcFrame(0x0e, 0x0e, [0x0f], Buffer.alloc(0)),
    llcFrame(0x7e, 0x7e, [0x7f], Buffer.alloc(0)),
    llcFrame(0x8e, 0x8f, [0x87], data),
    llcFrame(0x4e, 0x4e, [0x27], data),
    llcFrame(0x42, 0x42, [0x01, 0x26], Buffer.alloc(0)),
    llcFrame(0x42, 0x43, [0x05, 0x27], Buffer.alloc(0)),
    llcFrame(0x12, 0x12, [0x09, 0x00], Buffer.alloc(0)),
    llcFrame(0x42, 0x42, [0x00, 0x26], data),
    llcFrame(0x99, 0x98, [0x3e, 0x81], data),
    llcFrame(0x02, 0x03, [0x03], data),
    llcFrame(0x06, 0x06, [0x03], ip),
  ];
  const file = path.join(tmp, 'llc.pcap');
  writePcap(file, frames);
  const inputs = [file];
  for (const snap of [15, 16, 17, 18, 20]) {
    const cut = path.join(tmp, `llc-s${snap}.pcap`);
    assert.equal(spawnSync('editcap', ['-F', 'pcap', '-s', String(snap), file, cut]).status, 0);
    inputs.push(cut);
  }
  const runs = inputs.flatMap((f) => [['-nn'], ['-nn', '-e'], ['-nn', '-v'], ['-nn', '-q'], ['-nn', '-x']].map((args) => [...args, '-r', f]));
  const ours = sievecapRuns(runs);
  const problems: string[] = [];
  let lines = 0;
  runs.forEach((args, k) => {
    assert.equal(ours[k]!.status, 0, `sievecap ${args.join(' ')}: ${ours[k]!.stderr}`);
    const theirs = tcpdump(args);
    lines += (theirs.match(/(Unnumbered|Supervisory|Information), /g) ?? []).length;
    if (ours[k]!.stdout !== theirs) {
      const a = theirs.split('\n');
      const b = ours[k]!.stdout.split('\n');
      const i = a.findIndex((line, j) => line !== b[j]);
      problems.push(`sievecap ${args.join(' ')}, line ${i + 1}:\n  tcpdump:  ${a[i]}\n  sievecap: ${b[i]}`);
    }
  });
  console.log(`compared ${lines} LLC control-field lines`);
  assert.deepEqual(problems.slice(0, 6), [], `${problems.length} outputs differ from tcpdump's`);
  assert.ok(lines >= 100, `only ${lines} LLC lines compared`);
});
