/**
 * Redis's RESP on TCP 6379 as tcpdump 4.99 (Debian's) prints it, on the corpus's RESP captures
 * (pipelined commands, inline commands, a malicious one with bad lengths, a loop-inducing one),
 * whole and cut short by editcap -s so that every element type meets the end of the capture:
 * every line with -nn, -nn -v and -nn -e.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { requireCorpusFile } from './support/corpus';
import { sievecapRuns } from './support/agree';

const MISSING = ['tcpdump', 'editcap'].filter((t) => spawnSync(t, ['--version'], { stdio: 'ignore' }).error !== undefined);
const SKIP = MISSING.length > 0 ? `needs ${MISSING.join(', ')} (apt-get install tcpdump tshark)` : false;
const ENV = { ...process.env, TZ: 'UTC' };

const FILES = [
  'tcpdump/tests/resp_1_benchmark.pcap',
  'tcpdump/tests/resp_2_inline.pcap',
  'tcpdump/tests/resp_3_malicious.pcap',
  'tcpdump/tests/resp_4_infiniteloop.pcapng',
];

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-tcpdump-resp-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

function tcpdump(args: string[]): string {
  const r = spawnSync('tcpdump', args, { encoding: 'utf8', env: ENV, maxBuffer: 256 << 20 });
  assert.equal(r.status, 0, `tcpdump ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

test('RESP (Redis) lines as tcpdump prints them (-nn, -v, -e; whole and cut)', { skip: SKIP }, () => {
  const inputs: string[] = [];
  for (const name of FILES) {
    const file = requireCorpusFile(name);
    inputs.push(file);
    for (const snap of [70, 75, 80, 90, 100, 120]) {
      const cut = path.join(tmp, `${path.basename(name).replace(/\.\w+$/, '')}-s${snap}.pcap`);
      assert.equal(spawnSync('editcap', ['-F', 'pcap', '-s', String(snap), file, cut]).status, 0);
      inputs.push(cut);
    }
  }
  const runs = inputs.flatMap((f) => [['-nn'], ['-nn', '-v'], ['-nn', '-e']].map((args) => [...args, '-r', f]));
  const ours = sievecapRuns(runs);
  const problems: string[] = [];
  let lines = 0;
  let cut = 0;
  runs.forEach((args, k) => {
    assert.equal(ours[k]!.status, 0, `sievecap ${args.join(' ')}: ${ours[k]!.stderr}`);
    const theirs = tcpdump(args);
    lines += (theirs.match(/: RESP/g) ?? []).length;
    cut += (theirs.match(/\[\|resp\]/g) ?? []).length;
    if (ours[k]!.stdout !== theirs) {
      const a = theirs.split('\n');
      const b = ours[k]!.stdout.split('\n');
      const i = a.findIndex((line, j) => line !== b[j]);
      problems.push(`sievecap ${args.join(' ')}, line ${i + 1}:\n  tcpdump:  ${a[i]}\n  sievecap: ${b[i]}`);
    }
  });
  console.log(`compared ${lines} RESP lines, ${cut} of them cut`);
  assert.deepEqual(problems.slice(0, 6), [], `${problems.length} outputs differ from tcpdump's`);
  assert.ok(lines >= 1000 && cut >= 100, `too few RESP lines compared: ${lines}, ${cut} cut`);
});
