/**
 * bench/cli: the command line as users run it, side by side with tshark and tcpdump, on three
 * files in the same run:
 *
 *   node dist/bench/cli/run.js [--packets 1000000] [--slow-packets 100000] [--runs 2]
 *        [--files bench,everyday,corpus] [--seed-bench FILE] [--seed-everyday FILE]
 *        [--corpus-min-packets 0] [--check-packets 2000] [--only summary,filter,...]
 *        [--sievecap 'CMD'] [--no-snapshot] [--keep] [--json out.json]
 *
 *   bench     bench/decode's traffic (traffic.ts, captured in network namespaces), replicated to
 *             --packets with shifted time stamps (replicate.ts);
 *   everyday  everyday mixed traffic (everyday.ts: fragments, ICMP errors, IPv6, DNS over UDP and
 *             TCP, TLS 1.2/1.3, HTTP on 80 and 8080, hundreds of short connections), replicated
 *             the same way;
 *   corpus    every capture file of the corpus that Wireshark reads, merged (corpus.ts), as it is
 *             (or repeated to --corpus-min-packets).
 *
 * For each file, the commands of one comparison run back to back in each round, the order
 * rotating from round to round, each in its own process under bench/engine/rusage.py (wall,
 * user+sys CPU, peak RSS from wait4; stdout to /dev/null). Ratios are medians over rounds of the
 * ratio within a round. `-V` and `-T json` run on a smaller copy (--slow-packets): tshark -V
 * takes minutes on a million packets. Before timing, the outputs that should agree are compared
 * ([check] lines). Needs root for the namespaces (or both --seed-* files).
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createNetnsPair } from '../../tests/support/netns';
import { benchArgs } from '../args';
import { replicateCapture } from '../decode/replicate';
import { captureSeedTraffic, protocolMix } from '../decode/traffic';
import { buildCorpusFile, corpusDir, repeatCapture } from './corpus';
import { captureEverydayTraffic } from './everyday';

const ROOT = path.resolve(__dirname, '../../..');
const RUSAGE = path.join(ROOT, 'bench/engine/rusage.py');
/** What the CLI needs at run time (as app/helper/install.ts installs it). */
const RUNTIME_ENTRIES = ['dist/app', 'dist/bpf', 'bin/sievecap', 'package.json', 'native/build/Release'];

type FileKind = 'bench' | 'everyday' | 'corpus';
const FILE_KINDS: FileKind[] = ['bench', 'everyday', 'corpus'];

const USAGE = `usage: node dist/bench/cli/run.js [--packets 1000000] [--slow-packets 100000] [--runs 2]
    [--files bench,everyday,corpus] [--seed-bench FILE] [--seed-everyday FILE] [--corpus-min-packets 0]
    [--check-packets 2000] [--only summary,capture-filter,display-filter,conv,http,verbose,json]
    [--sievecap 'CMD'] [--no-snapshot] [--keep] [--json out.json]
The command line vs tshark and tcpdump on three files (bench/README.md, "bench/cli"); run as root,
or give both --seed-* files. --runs 0: the checks only.`;

const args = benchArgs(USAGE, {
  packets: { value: true },
  'slow-packets': { value: true },
  runs: { value: true },
  files: { value: true },
  'seed-bench': { value: true },
  'seed-everyday': { value: true },
  'corpus-min-packets': { value: true },
  'check-packets': { value: true },
  only: { value: true },
  sievecap: { value: true },
  'no-snapshot': {},
  keep: {},
  json: { value: true },
});

const options = {
  packets: args.number('packets', 1000000),
  slowPackets: args.number('slow-packets', 100000),
  runs: args.number('runs', 2),
  files: args.string('files', FILE_KINDS.join(',')).split(',').filter(Boolean) as FileKind[],
  seedBench: args.string('seed-bench', ''),
  seedEveryday: args.string('seed-everyday', ''),
  corpusMinPackets: args.number('corpus-min-packets', 0),
  checkPackets: args.number('check-packets', 2000),
  only: args.string('only', '').split(',').filter(Boolean),
  sievecap: args.string('sievecap', ''),
  snapshot: !args.flag('no-snapshot'),
  keep: args.flag('keep'),
  json: args.string('json', ''),
};

// ---------------------------------------------------------------------------------------------
// Running commands

/**
 * The environment `sudo` gives a command: no NODE_* variables (NODE_EXTRA_CA_CERTS alone costs
 * every Node start ~30 ms of CPU parsing a certificate bundle, which `sudo sievecap` does not pay).
 */
function userEnvironment(): NodeJS.ProcessEnv {
  return {
    PATH: `${path.dirname(process.execPath)}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`,
    HOME: '/root',
    LANG: process.env.LANG ?? 'C.UTF-8',
  };
}

interface Usage {
  wall: number;
  user: number;
  sys: number;
  maxrssKiB: number;
  exit: number;
}

const cpu = (u: Usage): number => u.user + u.sys;

/** Runs argv under rusage.py, stdout to /dev/null. */
function measure(argv: string[]): Usage {
  const r = spawnSync('python3', [RUSAGE, ...argv], { encoding: 'utf8', env: userEnvironment(), maxBuffer: 1 << 26, timeout: 3600_000 });
  const line = /^RUSAGE (.*)$/m.exec(r.stderr ?? '');
  if (!line) throw new Error(`rusage.py gave no figures for ${argv.join(' ')}: ${r.error?.message ?? r.stderr}`);
  const usage = JSON.parse(line[1]!) as Usage;
  if (usage.exit !== 0) console.log(`  [warning] ${argv.join(' ')} exited with ${usage.exit}: ${r.stderr.split('\n').filter((l) => !l.startsWith('RUSAGE') && !/Running as user "root"/.test(l)).slice(0, 3).join(' | ')}`);
  return usage;
}

/** A command's whole stdout (for the small files of the checks). */
function output(argv: string[]): string {
  const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8', env: userEnvironment(), maxBuffer: 1 << 30, stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.error) throw r.error;
  return r.stdout;
}

function outputAndErr(argv: string[]): { stdout: string; stderr: string } {
  const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8', env: userEnvironment(), maxBuffer: 1 << 30, stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.error) throw r.error;
  return { stdout: r.stdout, stderr: r.stderr };
}

/** SHA-256 and line count of a command's stdout, streamed (for the big files). */
function digest(argv: string[]): Promise<{ sha: string; lines: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), { env: userEnvironment(), stdio: ['ignore', 'pipe', 'ignore'] });
    const hash = createHash('sha256');
    let lines = 0;
    child.stdout.on('data', (chunk: Buffer) => {
      hash.update(chunk);
      for (let at = chunk.indexOf(10); at >= 0; at = chunk.indexOf(10, at + 1)) lines++;
    });
    child.once('error', reject);
    child.once('close', () => resolve({ sha: hash.digest('hex'), lines }));
  });
}

const nonEmptyLines = (text: string): string[] => text.split('\n').filter((l) => l !== '');

/** Lines only in a and lines only in b (diff's view, so one inserted line counts once). */
function lineDiff(tmp: string, a: string, b: string): { onlyA: number; onlyB: number; firstA?: string; firstB?: string } {
  const fa = path.join(tmp, 'diff-a.txt');
  const fb = path.join(tmp, 'diff-b.txt');
  fs.writeFileSync(fa, a);
  fs.writeFileSync(fb, b);
  const r = spawnSync('diff', ['--speed-large-files', fa, fb], { encoding: 'utf8', maxBuffer: 1 << 30 });
  fs.rmSync(fa);
  fs.rmSync(fb);
  let onlyA = 0;
  let onlyB = 0;
  let firstA: string | undefined;
  let firstB: string | undefined;
  for (const l of r.stdout.split('\n')) {
    if (l.startsWith('< ')) {
      onlyA++;
      firstA ??= l.slice(2);
    } else if (l.startsWith('> ')) {
      onlyB++;
      firstB ??= l.slice(2);
    }
  }
  return { onlyA, onlyB, ...(firstA !== undefined ? { firstA } : {}), ...(firstB !== undefined ? { firstB } : {}) };
}

const clip = (s: string | undefined, n = 160): string => (s === undefined ? '(none)' : s.length > n ? `${s.slice(0, n)}…` : s);

// ---------------------------------------------------------------------------------------------
// The files

interface BenchFile {
  kind: FileKind;
  title: string;
  /** Timed (summary, filters, reports). */
  main: string;
  packets: number;
  bytes: number;
  /** -V and -T json. */
  slow: string;
  slowPackets: number;
  /** A file tcpdump reads, for the comparisons with tcpdump: `main`, or the corpus' Ethernet part. */
  tcpdumpFile: string;
  tcpdumpPackets: number;
  /** One copy of what `main` repeats (or the corpus itself): where the outputs are compared. */
  check: string;
  checkPackets: number;
  /** A 10-packet file: sievecap's start-up and exit. */
  tiny: string;
  description: string;
}

/** The first n packets of `file`, in the same format (pcap stays pcap: pcapng adds fields to -V and JSON). */
function prefix(file: string, out: string, n: number): string {
  execFileSync('editcap', ['-F', file.endsWith('.pcap') ? 'pcap' : 'pcapng', '-r', file, out, `1-${n}`], { stdio: 'ignore' });
  return out;
}

function replicatedFile(kind: FileKind, title: string, seed: string, dir: string, description: string): BenchFile {
  const main = path.join(dir, `${kind}.pcap`);
  const rep = replicateCapture(seed, main, options.packets);
  let slow = main;
  let slowPackets = rep.packets;
  if (options.slowPackets < rep.packets) {
    slow = path.join(dir, `${kind}-slow.pcap`);
    slowPackets = replicateCapture(seed, slow, options.slowPackets).packets;
  }
  return {
    kind, title, main, packets: rep.packets, bytes: fs.statSync(main).size, slow, slowPackets, tcpdumpFile: main, tcpdumpPackets: rep.packets,
    check: seed, checkPackets: rep.seedPackets, tiny: prefix(seed, path.join(dir, `${kind}-tiny${path.extname(seed)}`), 10),
    description: `${description}; ${rep.seedPackets} packets captured, ${rep.copies} copies = ${rep.packets} packets, ${(fs.statSync(main).size / 2 ** 20).toFixed(0)} MiB` +
      (slow !== main ? `; -V and -T json on ${slowPackets} packets (${slowPackets / rep.seedPackets} of the copies)` : ''),
  };
}

async function prepareBench(dir: string): Promise<BenchFile> {
  let seed = options.seedBench;
  if (seed === '') {
    seed = path.join(dir, 'bench-seed.pcap');
    const pair = createNetnsPair();
    try {
      const n = await captureSeedTraffic(pair, dir, seed, { rounds: 8 });
      console.log(`bench seed: ${n} packets captured on ${pair.vethA} (namespaces ${pair.nsA}/${pair.nsB})`);
    } finally {
      pair.destroy();
    }
  }
  console.log(`protocol mix of the bench seed (tshark -z io,phs):\n${protocolMix(seed)}`);
  return replicatedFile('bench', '(a) bench traffic', seed, dir, 'bench/decode/traffic.ts, 8 rounds');
}

async function prepareEveryday(dir: string): Promise<BenchFile> {
  let seed = options.seedEveryday;
  if (seed === '') {
    seed = path.join(dir, 'everyday-seed.pcap');
    const work = path.join(dir, 'everyday-work');
    fs.mkdirSync(work, { recursive: true });
    const n = await captureEverydayTraffic(work, seed, 6);
    console.log(`everyday seed: ${n} packets captured`);
  }
  console.log(`protocol mix of the everyday seed (tshark -z io,phs):\n${protocolMix(seed)}`);
  return replicatedFile('everyday', '(b) everyday traffic', seed, dir, 'bench/cli/everyday.ts, 6 rounds');
}

function prepareCorpus(dir: string): BenchFile {
  const c = buildCorpusFile(corpusDir(), dir, (l) => console.log(l));
  let main = c.file;
  let packets = c.packets;
  let tcpdumpFile = c.ethernetFile;
  let tcpdumpPackets = c.ethernetPackets;
  if (options.corpusMinPackets > c.packets) {
    const copies = Math.ceil(options.corpusMinPackets / c.packets);
    main = path.join(dir, 'corpus-repeated.pcapng');
    repeatCapture(c.file, main, copies);
    packets = c.packets * copies;
    tcpdumpFile = path.join(dir, 'corpus-ethernet-repeated.pcap');
    repeatCapture(c.ethernetFile, tcpdumpFile, copies);
    tcpdumpPackets = c.ethernetPackets * copies;
  }
  const slow = options.slowPackets < packets ? c.file : main;
  return {
    kind: 'corpus', title: '(c) corpus', main, packets, bytes: fs.statSync(main).size, slow, slowPackets: slow === main ? packets : c.packets,
    tcpdumpFile, tcpdumpPackets, check: c.file, checkPackets: c.packets, tiny: prefix(c.file, path.join(dir, 'corpus-tiny.pcapng'), 10),
    description: `${c.used} of the ${c.found} capture files under the corpus folder (${c.skipped.length} refused by Wireshark's reader or mergecap), ` +
      `merged with mergecap -a: ${c.packets} packets, ${(fs.statSync(c.file).size / 2 ** 20).toFixed(1)} MiB, ${c.linkTypes} link types` +
      (main !== c.file ? `, repeated to ${packets} packets` : '') +
      `; tcpdump cannot read a pcapng whose interfaces differ in link type, so the tcpdump comparisons use the Ethernet files alone (${tcpdumpPackets} packets)`,
  };
}

// ---------------------------------------------------------------------------------------------
// Display filters with values that occur in the file

interface DisplayFilter {
  filter: string;
  kind: 'header' | 'application';
}

/** Most frequent value of `field` among frames matching `filter` in `file` (ties: the smallest). */
function mostFrequent(file: string, filter: string, field: string, accept: (v: string) => boolean = () => true): string | undefined {
  const counts = new Map<string, number>();
  for (const line of nonEmptyLines(output(['tshark', '-n', '-r', file, '-Y', filter, '-T', 'fields', '-E', 'occurrence=f', '-e', field]))) {
    if (accept(line)) counts.set(line, (counts.get(line) ?? 0) + 1);
  }
  return [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]?.[0];
}

function chooseFilters(f: BenchFile): DisplayFilter[] {
  const server = mostFrequent(f.check, 'tcp.flags.syn == 1 && tcp.flags.ack == 0 && ip', 'ip.dst') ?? '127.0.0.1';
  const filters: DisplayFilter[] = [
    { filter: 'tcp.port == 8080', kind: 'header' },
    { filter: `ip.addr == ${server} && tcp.flags.syn == 1`, kind: 'header' },
    { filter: 'frame.len > 1000', kind: 'header' },
  ];
  // A word of the request URIs (the most frequent across requests), as a user would search for a page.
  const words = new Map<string, number>();
  for (const uri of nonEmptyLines(output(['tshark', '-n', '-r', f.check, '-Y', 'http.request', '-T', 'fields', '-E', 'occurrence=f', '-e', 'http.request.uri']))) {
    for (const w of new Set(uri.split(/[^A-Za-z0-9]+/).filter((t) => t.length >= 4 && /[a-z]/.test(t)))) words.set(w, (words.get(w) ?? 0) + 1);
  }
  const word = [...words].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]?.[0];
  if (word) filters.push({ filter: `http.request.uri contains "${word}"`, kind: 'application' });
  else console.log(`[check] ${f.title}: no HTTP request in the file, no http.request.uri filter`);
  const name = mostFrequent(f.check, 'dns.flags.response == 0', 'dns.qry.name', (v) => /^[A-Za-z0-9._-]+$/.test(v));
  if (name) filters.push({ filter: `dns.qry.name == "${name}"`, kind: 'application' });
  else console.log(`[check] ${f.title}: no DNS query in the file, no dns.qry.name filter`);
  return filters;
}

// ---------------------------------------------------------------------------------------------
// Comparisons

interface Command {
  key: string;
  tool: 'sievecap' | 'tcpdump' | 'tshark';
  argv: string[];
  /** Shown in the tables: the command with F for the file. */
  label: string;
}

/** Commands that run back to back in each round (rotating order). */
interface Cluster {
  name: string;
  commands: Command[];
}

interface Comparison {
  name: string;
  /** Key of ours, key of the reference. */
  ours: string;
  reference: string;
  /** 'faster': reference/ours >= target; 'within': ours/reference <= target; 'none': shown only. */
  goal: 'faster' | 'within' | 'none';
  target: number;
  /** Row of the targets table this comparison belongs to. */
  targetRow: string;
  packets: number;
}

function plan(f: BenchFile, sievecap: string[], filters: DisplayFilter[]): { clusters: Cluster[]; comparisons: Comparison[] } {
  const S = (key: string, args: string[], label: string): Command => ({ key, tool: 'sievecap', argv: [...sievecap, ...args], label: `sievecap ${label}` });
  const T = (key: string, args: string[], label: string): Command => ({ key, tool: 'tshark', argv: ['tshark', ...args], label: `tshark ${label}` });
  const D = (key: string, args: string[], label: string): Command => ({ key, tool: 'tcpdump', argv: ['tcpdump', ...args], label: `tcpdump ${label}` });
  const M = f.main;
  const slowNote = f.slow !== f.main ? ` (on ${f.slowPackets} packets)` : '';
  const clusters: Cluster[] = [];
  const comparisons: Comparison[] = [];
  const cmp = (name: string, ours: string, reference: string, goal: Comparison['goal'], target: number, targetRow: string, packets = f.packets): void => {
    comparisons.push({ name, ours, reference, goal, target, targetRow, packets });
  };

  const summary: Command[] = [
    S('lines', ['-nn', '-r', M], '-nn -r F'),
    S('text', ['-r', M, '-T', 'text'], '-r F -T text'),
    T('tshark', ['-r', M], '-r F'),
    S('startup', ['-r', f.tiny, '-T', 'text'], '-r TINY -T text'),
  ];
  if (f.tcpdumpFile === M) summary.push(D('tcpdump-lines', ['-nn', '-r', M], '-nn -r F'));
  clusters.push({ name: 'summary', commands: summary });
  cmp('summary lines `-nn -r F` vs `tshark -r F`', 'lines', 'tshark', 'faster', 5, '-r F summary (tcpdump-style lines) ≥ 5× tshark');
  cmp('tshark summary `-r F -T text` vs `tshark -r F`', 'text', 'tshark', 'faster', 5, '-r F -T text ≥ 5× tshark');
  const tcpdumpNote = f.tcpdumpFile === M ? '' : ' [Ethernet part]';
  if (f.tcpdumpFile !== M) {
    clusters.push({ name: 'summary-tcpdump', commands: [S('lines-eth', ['-nn', '-r', f.tcpdumpFile], '-nn -r E'), D('tcpdump-lines', ['-nn', '-r', f.tcpdumpFile], '-nn -r E')] });
    cmp(`summary lines vs \`tcpdump -nn -r\`${tcpdumpNote}`, 'lines-eth', 'tcpdump-lines', 'none', 0, '', f.tcpdumpPackets);
  } else cmp('summary lines vs `tcpdump -nn -r F`', 'lines', 'tcpdump-lines', 'none', 0, '');

  const E = f.tcpdumpFile;
  clusters.push({ name: 'capture-filter', commands: [S('bpf', ['-nn', '-r', E, 'tcp port 80'], `-nn -r ${E === M ? 'F' : 'E'} 'tcp port 80'`), D('tcpdump-bpf', ['-nn', '-r', E, 'tcp port 80'], `-nn -r ${E === M ? 'F' : 'E'} 'tcp port 80'`)] });
  cmp(`capture filter \`'tcp port 80'\` vs tcpdump${tcpdumpNote}`, 'bpf', 'tcpdump-bpf', 'within', 1.5, "-r F 'tcp port 80' ≤ 1.5× tcpdump", f.tcpdumpPackets);

  filters.forEach((d, i) => {
    clusters.push({ name: `display-filter-${i + 1}`, commands: [S(`Y${i}`, ['-r', M, '-Y', d.filter], `-r F -Y '${d.filter}'`), T(`tshark-Y${i}`, ['-r', M, '-Y', d.filter], `-r F -Y '${d.filter}'`)] });
    cmp(`-Y \`${d.filter}\``, `Y${i}`, `tshark-Y${i}`, 'faster', d.kind === 'header' ? 5 : 3, d.kind === 'header' ? '-Y header fields ≥ 5× tshark' : '-Y application fields ≥ 3× tshark');
  });

  clusters.push({ name: 'conv', commands: [S('conv', ['-r', M, '-q', '-z', 'conv,tcp'], '-r F -q -z conv,tcp'), T('tshark-conv', ['-r', M, '-q', '-z', 'conv,tcp'], '-r F -q -z conv,tcp')] });
  cmp('`-q -z conv,tcp`', 'conv', 'tshark-conv', 'faster', 5, '-z conv,tcp ≥ 5× tshark');
  clusters.push({
    name: 'http',
    commands: [S('http', ['-r', M, '--http'], '-r F --http'), S('http-tree', ['-r', M, '-q', '-z', 'http,tree'], '-r F -q -z http,tree'), T('tshark-http', ['-r', M, '-q', '-z', 'http,tree'], '-r F -q -z http,tree')],
  });
  cmp('`--http` vs `tshark -q -z http,tree`', 'http', 'tshark-http', 'faster', 5, '--http ≥ 5× tshark -z http,tree');
  cmp('`-q -z http,tree` vs tshark\'s', 'http-tree', 'tshark-http', 'faster', 5, '');

  const V = f.slow;
  clusters.push({ name: 'verbose', commands: [S('V', ['-r', V, '-V'], '-r S -V'), T('tshark-V', ['-r', V, '-V'], '-r S -V')] });
  cmp(`\`-V\`${slowNote}`, 'V', 'tshark-V', 'faster', 2, '-V ≥ 2× tshark', f.slowPackets);
  clusters.push({ name: 'json', commands: [S('json', ['-r', V, '-T', 'json'], '-r S -T json'), T('tshark-json', ['-r', V, '-T', 'json'], '-r S -T json')] });
  cmp(`\`-T json\`${slowNote}`, 'json', 'tshark-json', 'faster', 2, '-T json ≥ 2× tshark', f.slowPackets);

  const only = options.only;
  const kept = only.length === 0 ? clusters : clusters.filter((c) => only.some((o) => c.name.startsWith(o)));
  const keys = new Set(kept.flatMap((c) => c.commands.map((x) => x.key)));
  return { clusters: kept, comparisons: comparisons.filter((c) => keys.has(c.ours) && keys.has(c.reference)) };
}

// ---------------------------------------------------------------------------------------------
// Checks: the timed work must be the same work

async function checks(f: BenchFile, sievecap: string[], filters: DisplayFilter[], tmp: string): Promise<string[]> {
  const notes: string[] = [];
  const say = (ok: boolean, text: string): void => {
    const line = `[check] ${f.title}: ${ok ? '' : 'DISAGREE: '}${text}`;
    console.log(line);
    if (!ok) notes.push(line);
  };
  const want = (name: string): boolean => options.only.length === 0 || options.only.some((o) => name.startsWith(o));
  const C = f.check;
  // tshark's defaults (TCP desegmentation on, as sievecap's), without name resolution.
  const reference = ['-n'];
  const E = f.tcpdumpFile;

  if (want('summary')) {
    const [ours, theirs] = await Promise.all([digest([...sievecap, '-nn', '-r', E]), digest(['tcpdump', '-nn', '-r', E])]);
    let detail = '';
    if (ours.sha !== theirs.sha) {
      // Where: on the captured copy (the replicated file repeats it), or on the corpus' Ethernet part itself.
      const where = E === f.main ? C : E;
      const d = lineDiff(tmp, output([...sievecap, '-nn', '-r', where]), output(['tcpdump', '-nn', '-r', where]));
      detail = `; ${where === C ? 'on one copy' : 'there'}: ${d.onlyA} lines only ours, ${d.onlyB} only tcpdump's; first: ours ${clip(d.firstA)} / tcpdump ${clip(d.firstB)}`;
    }
    say(ours.sha === theirs.sha, `-nn -r vs tcpdump -nn -r on the ${E === f.main ? 'timed' : 'Ethernet'} file: ${ours.lines} vs ${theirs.lines} lines, output ${ours.sha === theirs.sha ? 'identical' : 'DIFFERENT'}${detail}`);
    const ourText = output([...sievecap, '-r', C, '-T', 'text']);
    const plain = output(['tshark', '-r', C]);
    const ref = output(['tshark', ...reference, '-r', C]);
    const n = nonEmptyLines(ourText).length;
    const dPlain = lineDiff(tmp, ourText, plain);
    const dRef = lineDiff(tmp, ourText, ref);
    // sievecap resolves what tshark resolves by default (MAC names: "Broadcast"), so it must equal
    // tshark as timed; the count against `tshark -n` is shown only.
    say(n === nonEmptyLines(plain).length && dPlain.onlyA === 0, `-T text vs tshark on ${f.checkPackets} packets: ${n} vs ${nonEmptyLines(plain).length} lines; differing lines ${dPlain.onlyA} against tshark as timed (TCP reassembly on), ` +
      `${dRef.onlyA} against \`tshark ${reference.join(' ')}\` (no name resolution)${dPlain.onlyA ? `; first: ours ${clip(dPlain.firstA)} / tshark ${clip(dPlain.firstB)}` : ''}`);
  }
  if (want('capture-filter')) {
    const [ours, theirs] = await Promise.all([digest([...sievecap, '-nn', '-r', E, 'tcp port 80']), digest(['tcpdump', '-nn', '-r', E, 'tcp port 80'])]);
    say(ours.sha === theirs.sha, `-nn -r F 'tcp port 80' vs tcpdump: ${ours.lines} vs ${theirs.lines} lines, output ${ours.sha === theirs.sha ? 'identical' : 'DIFFERENT'}`);
  }
  filters.forEach((d, i) => {
    if (!want(`display-filter-${i + 1}`)) return;
    const frames = (argv: string[]): string[] => nonEmptyLines(output([...argv, '-r', C, '-Y', d.filter, '-T', 'fields', '-e', 'frame.number']));
    const ours = frames(sievecap);
    const plain = frames(['tshark']);
    const same = (a: string[], b: string[]): boolean => a.length === b.length && a.every((x, k) => x === b[k]);
    let text = `-Y '${d.filter}' on ${f.checkPackets} packets: ${ours.length} frames, tshark ${plain.length}`;
    if (!same(ours, plain)) {
      const ref = frames(['tshark', ...reference]);
      const onlyOurs = ours.filter((x) => !plain.includes(x));
      const onlyTheirs = plain.filter((x) => !ours.includes(x));
      text += ` (only ours: ${onlyOurs.slice(0, 5).join(' ')}${onlyOurs.length > 5 ? ` … ${onlyOurs.length}` : ''}; only tshark's: ${onlyTheirs.slice(0, 5).join(' ')}${onlyTheirs.length > 5 ? ` … ${onlyTheirs.length}` : ''}); ` +
        `with \`${reference.join(' ')}\` tshark finds ${ref.length}${same(ours, ref) ? ', the same frames as ours' : ''}`;
    }
    say(same(ours, plain), text);
  });
  if (want('conv')) {
    const ours = output([...sievecap, '-r', C, '-q', '-z', 'conv,tcp']);
    const theirs = output(['tshark', '-r', C, '-q', '-z', 'conv,tcp']);
    const dd = lineDiff(tmp, ours, theirs);
    say(ours === theirs, `-q -z conv,tcp: ${ours === theirs ? 'identical to tshark\'s' : `${dd.onlyA} lines only ours, ${dd.onlyB} only tshark's; first: ours ${clip(dd.firstA)} / tshark ${clip(dd.firstB)}`} (${nonEmptyLines(ours).length - 6} conversations)`);
  }
  if (want('http')) {
    const http = outputAndErr([...sievecap, '-r', C, '--http']);
    const transactions = Number(/(\d+) HTTP transactions?/.exec(http.stderr)?.[1] ?? nonEmptyLines(http.stdout).length);
    const tree = output(['tshark', '-r', C, '-q', '-z', 'http,tree']);
    const requests = Number(/HTTP Request Packets\s+(\d+)/.exec(tree)?.[1] ?? NaN);
    const responses = Number(/HTTP Response Packets\s+(\d+)/.exec(tree)?.[1] ?? NaN);
    say(transactions === requests, `--http lists ${transactions} transactions; tshark -z http,tree counts ${requests} requests, ${responses} responses`);
    const ourTree = output([...sievecap, '-r', C, '-q', '-z', 'http,tree']);
    const dd = lineDiff(tmp, ourTree, tree);
    say(dd.onlyA === 0 && dd.onlyB === 0, `-q -z http,tree: ${dd.onlyA === 0 && dd.onlyB === 0 ? 'identical to tshark\'s' : `${dd.onlyA} lines only ours, ${dd.onlyB} only tshark's; first: ours ${clip(dd.firstA)} / tshark ${clip(dd.firstB)}`}`);
  }
  const sample = prefix(C, path.join(tmp, `${f.kind}-check-prefix${path.extname(C)}`), options.checkPackets);
  const sampleN = Math.min(options.checkPackets, f.checkPackets);
  for (const [name, args, frameCount] of [
    ['verbose', ['-V'], (t: string) => (t.match(/^Frame \d+:/gm) ?? []).length],
    ['json', ['-T', 'json'], (t: string) => (t.match(/^\s*"_index":/gm) ?? []).length],
  ] as const) {
    if (!want(name)) continue;
    // Both with their default name resolution (MAC names and ports, no host names), as timed:
    // `tshark -n` would differ from ours in every Ethernet line.
    const ours = output([...sievecap, '-r', sample, ...args]);
    const plain = output(['tshark', '-r', sample, ...args]);
    const dd = lineDiff(tmp, ours, plain);
    const oursFrames = frameCount(ours);
    say(oursFrames === frameCount(plain) && dd.onlyA === 0, `${args.join(' ')} on the first ${sampleN} packets: ${oursFrames} frames vs tshark ${frameCount(plain)}; ` +
      `${dd.onlyA} of our ${nonEmptyLines(ours).length} lines differ from tshark's as timed (${nonEmptyLines(plain).length} lines)` +
      (dd.onlyA ? `; first: ours ${clip(dd.firstA, 120)} / tshark ${clip(dd.firstB, 120)}` : ''));
  }
  return notes;
}

// ---------------------------------------------------------------------------------------------
// Timing

type Runs = Map<string, Usage[]>;

function timeFile(f: BenchFile, clusters: Cluster[]): Runs {
  const runs: Runs = new Map();
  for (let r = 0; r < options.runs; r++) {
    console.log(`${f.title}, round ${r + 1}/${options.runs}: load average ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
    for (const cluster of clusters) {
      const n = cluster.commands.length;
      const order = cluster.commands.map((_, k) => cluster.commands[(k + r) % n]!);
      const line: string[] = [];
      for (const c of order) {
        const u = measure(c.argv);
        if (!runs.has(c.key)) runs.set(c.key, []);
        runs.get(c.key)!.push(u);
        line.push(`${c.key} ${u.wall.toFixed(2)}/${cpu(u).toFixed(2)}`);
      }
      console.log(`  ${cluster.name}: ${line.join(', ')} (wall/CPU s)`);
    }
  }
  return runs;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length === 0 ? NaN : s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

interface Ratio {
  comparison: Comparison;
  wall: number;
  cpu: number;
  met: boolean | undefined;
}

function ratios(runs: Runs, comparisons: Comparison[]): Ratio[] {
  return comparisons.map((c) => {
    const ours = runs.get(c.ours)!;
    const ref = runs.get(c.reference)!;
    const within = (v: (u: Usage) => number): number => median(ours.map((u, k) => (c.goal === 'faster' ? v(ref[k]!) / v(u) : v(u) / v(ref[k]!))));
    const wall = within((u) => u.wall);
    const c2 = within(cpu);
    const met = c.goal === 'faster' ? wall >= c.target && c2 >= c.target : c.goal === 'within' ? wall <= c.target && c2 <= c.target : undefined;
    return { comparison: c, wall, cpu: c2, met };
  });
}

function fileReport(f: BenchFile, clusters: Cluster[], runs: Runs, rs: Ratio[]): string[] {
  const lines = [
    `### ${f.title}: ${f.packets} packets`,
    '',
    f.description,
    '',
    '| command | wall s | CPU s | peak RSS MiB | µs CPU/packet |',
    '|---|---|---|---|---|',
  ];
  const seen = new Set<string>();
  for (const cluster of clusters) {
    for (const c of cluster.commands) {
      if (seen.has(c.key)) continue;
      seen.add(c.key);
      const u = runs.get(c.key)!;
      const packets = c.argv.includes(f.slow) && f.slow !== f.main ? f.slowPackets : c.argv.includes(f.tiny) ? 10 : c.argv.includes(f.tcpdumpFile) && f.tcpdumpFile !== f.main ? f.tcpdumpPackets : f.packets;
      lines.push(`| ${c.label.replace(/\|/g, '\\|')} | ${median(u.map((x) => x.wall)).toFixed(2)} | ${median(u.map(cpu)).toFixed(2)} | ${median(u.map((x) => x.maxrssKiB / 1024)).toFixed(0)} | ${c.key === 'startup' ? '' : ((median(u.map(cpu)) / packets) * 1e6).toFixed(2)} |`);
    }
  }
  lines.push('', '| comparison | wall | CPU | target |', '|---|---|---|---|');
  for (const r of rs) {
    const c = r.comparison;
    const how = c.goal === 'faster' ? `${c.reference.startsWith('tcpdump') ? 'tcpdump' : 'tshark'} ÷ sievecap` : 'sievecap ÷ tcpdump';
    const tgt = c.goal === 'none' ? '(shown only)' : `${c.goal === 'faster' ? '≥' : '≤'} ${c.target}×: ${r.met ? 'met' : '**NOT met**'}`;
    lines.push(`| ${c.name} (${how}) | ${r.wall.toFixed(2)}× | ${r.cpu.toFixed(2)}× | ${tgt} |`);
  }
  const text = runs.get('text');
  const start = runs.get('startup');
  const lineRuns = runs.get('lines');
  if (text && start && lineRuns) {
    const full = median(text.map(cpu));
    const s = median(start.map(cpu));
    const l = median(lineRuns.map(cpu));
    lines.push('', `Per packet (CPU, median): full decode without trees (\`-T text\`) ${((full / f.packets) * 1e6).toFixed(2)} µs, ${(((full - s) / f.packets) * 1e6).toFixed(2)} µs net of start-up and exit ` +
      `(${(s * 1000).toFixed(0)} ms for a 10-packet file; target ≤ 3 µs: ${((full - s) / f.packets) * 1e6 <= 3 ? 'met' : 'NOT met'}); tcpdump-style lines ${((l / f.packets) * 1e6).toFixed(2)} µs, ${(((l - s) / f.packets) * 1e6).toFixed(2)} µs net.`);
  }
  return lines;
}

function targetsTable(results: Array<{ f: BenchFile; rs: Ratio[] }>): string[] {
  const rows = [...new Set(results.flatMap((x) => x.rs.map((r) => r.comparison.targetRow)).filter(Boolean))];
  const lines = [`| target | ${results.map((x) => x.f.title).join(' | ')} |`, `|---|${results.map(() => '---').join('|')}|`];
  for (const row of rows) {
    const cells = results.map(({ rs }) => {
      const mine = rs.filter((r) => r.comparison.targetRow === row);
      if (mine.length === 0) return '–';
      return mine.map((r) => `${r.wall.toFixed(1)}× / ${r.cpu.toFixed(1)}× ${r.met ? 'met' : '**not met**'}`).join('; ');
    });
    lines.push(`| ${row} | ${cells.join(' | ')} |`);
  }
  lines.push('', 'Cells: wall / CPU ratio (median of the within-round ratios); several filters in one cell are in the order of the per-file table.');
  return lines;
}

// ---------------------------------------------------------------------------------------------

function version(cmd: string, args: string[], re: RegExp): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return re.exec(`${r.stdout}${r.stderr}`)?.[1] ?? '?';
}

function machine(): string {
  const model = /model name\s*:\s*(.*)/.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? os.cpus()[0]?.model ?? '?';
  return `${model}, ${os.cpus().length} CPUs, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Linux ${os.release()}, Node ${process.versions.node}, ` +
    `tcpdump ${version('tcpdump', ['--version'], /tcpdump version (\S+)/)}, tshark ${version('tshark', ['--version'], /TShark \(Wireshark\) (\S+)/)}`;
}

/** The commit timed, and whether the working tree outside bench/ differed from it. */
function sourceState(): string {
  const git = (args: string[]): string => spawnSync('git', ['-C', ROOT, ...args], { encoding: 'utf8' }).stdout;
  const dirty = nonEmptyLines(git(['status', '--porcelain'])).filter((l) => !/^.. bench\//.test(l));
  return `commit ${git(['rev-parse', '--short', 'HEAD']).trim()}${dirty.length ? `, with ${dirty.length} files changed outside bench/ (${dirty.slice(0, 6).map((l) => l.slice(3)).join(', ')}${dirty.length > 6 ? ', …' : ''})` : ''}`;
}

/**
 * A copy of the built CLI (what app/helper/install.ts installs), so that a rebuild of dist/
 * during a long run does not change, or break, what is timed.
 */
function snapshotCli(dir: string): string[] {
  const to = path.join(dir, 'sievecap');
  for (const entry of RUNTIME_ENTRIES) {
    const from = path.join(ROOT, entry);
    if (fs.existsSync(from)) fs.cpSync(from, path.join(to, entry), { recursive: true });
  }
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(to, 'node_modules'));
  return [path.join(to, 'bin/sievecap')];
}

function requireTools(tools: string[]): void {
  for (const t of tools) {
    if (spawnSync('sh', ['-c', `command -v ${t}`]).status !== 0) throw new Error(`${t} is needed by bench/cli but is not installed (apt-get install ${t === 'mergecap' || t === 'editcap' || t === 'capinfos' ? 'wireshark-common' : t})`);
  }
  if (!fs.existsSync(path.join(ROOT, 'dist/app/cli/main.js'))) throw new Error('sievecap is not built: run `npx tsc -p tsconfig.json` first');
}

async function main(): Promise<void> {
  for (const k of options.files) if (!FILE_KINDS.includes(k)) throw new Error(`--files: unknown file ${k} (bench, everyday, corpus)`);
  requireTools(['tcpdump', 'tshark', 'mergecap', 'editcap', 'capinfos', 'python3', 'diff']);
  const needsNetns = (options.files.includes('bench') && !options.seedBench) || (options.files.includes('everyday') && !options.seedEveryday);
  if (needsNetns) {
    if (process.getuid?.() !== 0) throw new Error('bench/cli needs root to capture its traffic in network namespaces (or pass --seed-bench and --seed-everyday)');
    requireTools(['curl', 'ping', 'ip', 'timeout', 'openssl']);
  }
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-bench-cli-'));
  const started = Date.now();
  try {
    const sievecap = options.sievecap ? options.sievecap.split(' ').filter(Boolean) : options.snapshot ? snapshotCli(tmp) : [path.join(ROOT, 'bin/sievecap')];
    const state = sourceState();
    console.log(`${machine()}\nsievecap: ${sievecap.join(' ')} (${options.sievecap ? 'given' : `${state}${options.snapshot ? ', a copy of the build taken at start' : ''}`})`);
    const files: BenchFile[] = [];
    for (const kind of options.files) {
      if (kind === 'bench') files.push(await prepareBench(tmp));
      else if (kind === 'everyday') files.push(await prepareEveryday(tmp));
      else files.push(prepareCorpus(tmp));
    }
    for (const f of files) console.log(`${f.title}: ${f.description}`);
    const results: Array<{ f: BenchFile; rs: Ratio[]; runs: Runs; clusters: Cluster[]; filters: DisplayFilter[]; disagreements: string[] }> = [];
    const loadBefore = os.loadavg()[0]!;
    for (const f of files) {
      const filters = chooseFilters(f);
      const { clusters, comparisons } = plan(f, sievecap, filters);
      const disagreements = await checks(f, sievecap, filters, tmp);
      const runs = timeFile(f, clusters);
      results.push({ f, rs: options.runs > 0 ? ratios(runs, comparisons) : [], runs, clusters, filters, disagreements });
    }
    if (options.runs === 0) {
      console.log(results.some((r) => r.disagreements.length) ? '\nDisagreements:' : '\nNo disagreement found.');
      for (const r of results) for (const d of r.disagreements) console.log(d);
      return; // --runs 0: the checks only
    }
    const minutes = ((Date.now() - started) / 60000).toFixed(1);
    const out = [
      '',
      `${machine()}`,
      `sievecap ${state}; ${options.runs} rounds; load average (1 min) ${loadBefore.toFixed(2)} before timing, ${os.loadavg()[0]!.toFixed(2)} after; ${minutes} min in all.`,
      '',
      ...results.flatMap(({ f, clusters, runs, rs }) => [...fileReport(f, clusters, runs, rs), '']),
      '### Targets (issue 10)',
      '',
      ...targetsTable(results),
      '',
      results.some((r) => r.disagreements.length) ? 'Disagreements found before timing:' : 'No disagreement found before timing.',
      ...results.flatMap((r) => r.disagreements),
    ];
    console.log(out.join('\n'));
    if (options.json) {
      fs.writeFileSync(options.json, JSON.stringify({
        machine: machine(), source: state, runs: options.runs,
        files: results.map(({ f, runs, rs, filters, disagreements }) => ({
          ...f, filters, disagreements,
          timings: Object.fromEntries(runs),
          ratios: rs.map((r) => ({ name: r.comparison.name, target: r.comparison.target, goal: r.comparison.goal, wall: r.wall, cpu: r.cpu, met: r.met })),
        })),
      }, null, 2));
    }
    if (options.keep) console.log(`files kept in ${tmp}`);
  } finally {
    if (!options.keep) fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((err: Error) => {
  console.error(`bench/cli: ${err.stack ?? err.message}`);
  process.exitCode = 1;
});
