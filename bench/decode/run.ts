/**
 * bench/decode: how fast `sievecap -r FILE` turns a big capture into tcpdump-style summary lines,
 * against `tcpdump -nn -r FILE` and `tshark -r FILE`, on the same file in the same run; and how
 * fast it applies a capture filter to it (`sievecap -nn -r FILE FILTER`, and with `-w`), against
 * `tcpdump -nn -r FILE FILTER` (and with `-w`).
 *
 *   node dist/bench/decode/run.js [--packets 1000000] [--rounds 8] [--runs 3] [--seed FILE] [--keep] [--json out.json]
 *       [--cases lines,filter] [--filters 'tcp port 80;tcp port 8080'] [--baseline OTHER/bin/sievecap]
 *
 * The file is made from real traffic (bench/decode/traffic.ts: HTTP over IPv4 and IPv6, ping,
 * DNS, UDP to a closed port, ARP/ND, captured by tcpdump on a veth inside network namespaces the
 * benchmark creates and deletes), then replicated with shifted time stamps to at least --packets
 * packets (replicate.ts), in a temporary directory removed at the end unless --keep.
 * Before timing, sievecap's output is compared with tcpdump's (line by line on the seed, as a
 * whole on the big file). hyperfine then times the tools in --runs rounds (output to /dev/null, no
 * shell), each round running every tool once in a rotating order: wall time, user and system CPU,
 * with the load average printed per round. Ratios are medians of the within-round ratios, which
 * a busy machine disturbs far less than absolute times. Targets (issue 3): sievecap at least 5x
 * faster than tshark (wall and CPU), within 2x of tcpdump. Capture filter (issue 10): within 1.5x
 * of tcpdump, wall and CPU; before timing, the lines printed and the frames written are compared
 * with tcpdump's. --baseline times another build's bin/sievecap in the same rounds (before/after).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CaptureReader } from '../../app/pcap/reader';
import { createNetnsPair } from '../../tests/support/netns';
import { replicateCapture } from './replicate';
import { benchArgs } from '../args';
import { captureSeedTraffic, protocolMix } from './traffic';

const USAGE = `usage: node dist/bench/decode/run.js [--packets 1000000] [--rounds 8] [--runs 3] [--seed FILE] [--keep]
    [--json out.json] [--cases lines,filter] [--filters 'tcp port 80;tcp port 8080'] [--baseline OTHER/bin/sievecap]
Reading a big capture file, sievecap vs tcpdump vs tshark (bench/README.md, "bench/decode"). Run as root.`;

const args = benchArgs(USAGE, {
  packets: { value: true },
  rounds: { value: true },
  runs: { value: true },
  seed: { value: true },
  keep: {},
  json: { value: true },
  cases: { value: true },
  filters: { value: true },
  baseline: { value: true },
});
/** The option's value; an empty one counts as not given. */
function argValue(name: string, fallback: string): string {
  return args.string(name.replace(/^--/, ''), '') || fallback;
}

const ROOT = path.resolve(__dirname, '../../..');
const SIEVECAP = path.join(ROOT, 'bin/sievecap');

interface Timing {
  tool: string;
  command: string;
  wallMedian: number;
  wallMean: number;
  wallStddev: number;
  user: number;
  system: number;
}


function requireTools(tools: string[]): void {
  for (const t of tools) {
    if (spawnSync('sh', ['-c', `command -v ${t}`]).status !== 0) throw new Error(`${t} is needed by bench/decode but is not installed`);
  }
  if (!fs.existsSync(path.join(ROOT, 'dist/app/cli/main.js'))) throw new Error('sievecap is not built: run `npx tsc -p tsconfig.json` (or npm run build) first');
}

function version(cmd: string, args: string[], re: RegExp): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return re.exec(`${r.stdout}${r.stderr}`)?.[1] ?? '?';
}

function machine(): string {
  const cpu = /model name\s*:\s*(.*)/.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? os.cpus()[0]?.model ?? '?';
  return [
    `${cpu}, ${os.cpus().length} CPUs, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Linux ${os.release()}`,
    `Node ${process.versions.node}, tcpdump ${version('tcpdump', ['--version'], /tcpdump version (\S+)/)}, ` +
      `tshark ${version('tshark', ['--version'], /TShark \(Wireshark\) (\S+)/)}, hyperfine ${version('hyperfine', ['--version'], /hyperfine (\S+)/)}`,
  ].join('\n');
}

/** On the seed file, how many of sievecap's lines equal tcpdump's: the timed work must be the same work. */
function compareLines(file: string): { same: number; total: number; example?: [string, string] } {
  const run = (cmd: string, args: string[]): string[] =>
    execFileSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 30, stdio: ['ignore', 'pipe', 'ignore'] }).split('\n').filter((l) => l !== '');
  const ours = run(process.execPath, [SIEVECAP, '-nn', '-r', file]);
  const theirs = run('tcpdump', ['-nn', '-r', file]);
  let same = 0;
  let example: [string, string] | undefined;
  for (let k = 0; k < Math.max(ours.length, theirs.length); k++) {
    if (ours[k] === theirs[k]) same++;
    else example ??= [ours[k] ?? '(none)', theirs[k] ?? '(none)'];
  }
  return { same, total: theirs.length, ...(example ? { example } : {}) };
}

interface Run {
  wall: number;
  user: number;
  system: number;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/**
 * `runs` rounds; each round times every tool once (hyperfine -N --runs 1), starting with a
 * different tool each round, so that a change in the machine's load hits all tools alike instead
 * of the one that happened to be timed then. Returns each tool's runs, in round order.
 * Commands are split on spaces by hyperfine -N: quote an argument with spaces ('tcp port 80').
 */
function timeTools(commands: Array<[string, string]>, runs: number, tmp: string): Map<string, Run[]> {
  const jsonFile = path.join(tmp, 'hyperfine.json');
  const byTool = new Map<string, Run[]>(commands.map(([name]) => [name, []]));
  for (let round = 0; round < runs; round++) {
    const order = commands.map((_, k) => commands[(k + round) % commands.length]!);
    const args = ['-N', '--runs', '1', '--output', 'null', '--style', 'none', '--export-json', jsonFile];
    for (const [name, cmd] of order) args.push('-n', name, cmd);
    execFileSync('hyperfine', args, { stdio: ['ignore', 'inherit', 'inherit'], timeout: 3600_000 });
    const results = (JSON.parse(fs.readFileSync(jsonFile, 'utf8')) as { results: Array<{ command: string; mean: number; user: number; system: number }> }).results;
    const line: string[] = [];
    for (const r of results) {
      byTool.get(r.command)!.push({ wall: r.mean, user: r.user, system: r.system });
      line.push(`${r.command} ${r.mean.toFixed(2)} s wall, ${(r.user + r.system).toFixed(2)} s CPU`);
    }
    console.log(`round ${round + 1}/${runs} (load ${os.loadavg()[0]!.toFixed(2)}): ${line.join('; ')}`);
  }
  return byTool;
}

function summarise(byTool: Map<string, Run[]>): Timing[] {
  return [...byTool].map(([tool, runs]) => {
    const walls = runs.map((r) => r.wall);
    const mean = walls.reduce((a, b) => a + b, 0) / walls.length;
    const sd = Math.sqrt(walls.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, walls.length - 1));
    return {
      tool,
      command: tool,
      wallMedian: median(walls),
      wallMean: mean,
      wallStddev: sd,
      user: median(runs.map((r) => r.user)),
      system: median(runs.map((r) => r.system)),
    };
  });
}

/** Median over rounds of a/b: each round's tools ran back to back, under about the same load. */
function pairedRatio(byTool: Map<string, Run[]>, a: string, b: string, value: (r: Run) => number): number {
  const ra = byTool.get(a)!;
  const rb = byTool.get(b)!;
  return median(ra.map((r, k) => value(r) / value(rb[k]!)));
}

const cpu = (t: Run | Timing): number => t.user + t.system;
const wall = (r: Run): number => r.wall;

function timingTable(byTool: Map<string, Run[]>, packets: number): string[] {
  return [
    '| tool | wall s (median) | wall s (mean ± sd) | user s (median) | sys s (median) | CPU s | µs CPU/packet |',
    '|---|---|---|---|---|---|---|',
    ...summarise(byTool).map((t) =>
      `| ${t.tool} | ${t.wallMedian.toFixed(2)} | ${t.wallMean.toFixed(2)} ± ${t.wallStddev.toFixed(2)} | ${t.user.toFixed(2)} | ${t.system.toFixed(2)} | ${cpu(t).toFixed(2)} | ${((cpu(t) / packets) * 1e6).toFixed(2)} |`),
  ];
}

function report(byTool: Map<string, Run[]>, packets: number): string {
  const lines = timingTable(byTool, packets);
  const vsTsharkWall = pairedRatio(byTool, 'tshark', 'sievecap', wall);
  const vsTsharkCpu = pairedRatio(byTool, 'tshark', 'sievecap', cpu);
  const vsTcpdumpWall = pairedRatio(byTool, 'sievecap', 'tcpdump', wall);
  const vsTcpdumpCpu = pairedRatio(byTool, 'sievecap', 'tcpdump', cpu);
  const met = (ok: boolean): string => (ok ? 'met' : 'NOT met');
  lines.push(
    '',
    'Ratios are medians over rounds of the ratio within each round.',
    `tshark / sievecap:  wall ${vsTsharkWall.toFixed(2)}x, CPU ${vsTsharkCpu.toFixed(2)}x  (target >= 5x: ${met(vsTsharkWall >= 5 && vsTsharkCpu >= 5)})`,
    `sievecap / tcpdump: wall ${vsTcpdumpWall.toFixed(2)}x, CPU ${vsTcpdumpCpu.toFixed(2)}x  (target <= 2x: ${met(vsTcpdumpWall <= 2 && vsTcpdumpCpu <= 2)})`,
  );
  return lines.join('\n');
}

/** A capture-filter comparison: sievecap (and the baseline build) against tcpdump, same filter, same file. */
function filterReport(byTool: Map<string, Run[]>, packets: number): string {
  const lines = timingTable(byTool, packets);
  lines.push('', 'Ratios are medians over rounds of the ratio within each round.');
  for (const tool of byTool.keys()) {
    if (tool === 'tcpdump') continue;
    const w = pairedRatio(byTool, tool, 'tcpdump', wall);
    const c = pairedRatio(byTool, tool, 'tcpdump', cpu);
    const target = tool === 'sievecap' ? `  (target <= 1.5x: ${w <= 1.5 && c <= 1.5 ? 'met' : 'NOT met'})` : '';
    lines.push(`${tool} / tcpdump: wall ${w.toFixed(2)}x, CPU ${c.toFixed(2)}x${target}`);
  }
  return lines.join('\n');
}

/** One timed capture-filter comparison: printing lines, or writing the kept packets with -w. */
interface FilterCase {
  name: string;
  filter: string;
  write: boolean;
}

/** hyperfine -N splits a command line on spaces: quote the filter. */
function filterCommand(tool: string, file: string, c: FilterCase, outDir: string): string {
  const out = path.join(outDir, `${tool.replace(/\W+/g, '-')}.pcap`);
  const args = c.write ? `-r ${file} -w ${out}` : `-nn -r ${file}`;
  return `${tool} ${args} '${c.filter}'`;
}

/**
 * Before timing a filter case: does sievecap keep what tcpdump keeps? Lines compared as a whole
 * (SHA-256); -w files frame by frame (time stamp, length, bytes). Returns the kept count.
 */
function checkFilterCase(file: string, c: FilterCase, tmp: string): { same: boolean; kept: number } {
  if (!c.write) {
    const run = (cmd: string, args: string[]): Buffer => spawnSync(cmd, args, { maxBuffer: 1 << 30, stdio: ['ignore', 'pipe', 'ignore'] }).stdout;
    const ours = run(process.execPath, [SIEVECAP, '-nn', '-r', file, c.filter]);
    const theirs = run('tcpdump', ['-nn', '-r', file, c.filter]);
    const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
    return { same: sha(ours) === sha(theirs), kept: theirs.toString('latin1').split('\n').length - 1 };
  }
  const frames = (out: string): string[] => {
    const r = CaptureReader.open(out);
    const keys: string[] = [];
    for (let p = r.next(); p; p = r.next()) keys.push(`${p.tsNs} ${p.origLen} ${createHash('sha256').update(p.data).digest('hex')}`);
    r.close();
    if (r.error) throw new Error(`${out}: ${r.error.message}`);
    return keys;
  };
  const ours = path.join(tmp, 'check-sievecap.pcap');
  const theirs = path.join(tmp, 'check-tcpdump.pcap');
  execFileSync(process.execPath, [SIEVECAP, '-r', file, '-w', ours, c.filter], { stdio: 'ignore' });
  execFileSync('tcpdump', ['-r', file, '-w', theirs, c.filter], { stdio: 'ignore' });
  const a = frames(ours);
  const b = frames(theirs);
  fs.rmSync(ours);
  fs.rmSync(theirs);
  return { same: a.length === b.length && a.every((k, i) => k === b[i]), kept: b.length };
}

/** sievecap's and tcpdump's whole output on `file` (the big one): identical bytes? */
function sameOutput(file: string): boolean {
  const digest = (cmd: string, args: string[]): string => {
    const r = spawnSync(cmd, args, { maxBuffer: 1 << 30, stdio: ['ignore', 'pipe', 'ignore'] });
    return createHash('sha256').update(r.stdout).digest('hex');
  };
  return digest(process.execPath, [SIEVECAP, '-nn', '-r', file]) === digest('tcpdump', ['-nn', '-r', file]);
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('bench/decode needs root to create network namespaces');
  requireTools(['tcpdump', 'tshark', 'hyperfine', 'curl', 'python3', 'ping', 'ip', 'timeout']);
  const minPackets = Number(argValue('--packets', '1000000'));
  const rounds = Number(argValue('--rounds', '8'));
  const runs = Number(argValue('--runs', '3'));
  const seedArg = argValue('--seed', '');
  const jsonOut = argValue('--json', '');
  const cases = new Set(argValue('--cases', 'lines,filter').split(','));
  const filters = argValue('--filters', 'tcp port 80;tcp port 8080').split(';').filter((f) => f.trim() !== '');
  const baseline = argValue('--baseline', '');
  if (baseline !== '' && !fs.existsSync(baseline)) throw new Error(`--baseline ${baseline}: no such file (give another build's bin/sievecap)`);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-bench-decode-'));
  try {
    let seed = seedArg;
    if (seed === '') {
      seed = path.join(tmp, 'seed.pcap');
      const pair = createNetnsPair();
      try {
        const n = await captureSeedTraffic(pair, tmp, seed, { rounds });
        console.log(`seed: ${n} packets of real traffic captured on ${pair.vethA} (namespaces ${pair.nsA}/${pair.nsB})`);
      } finally {
        pair.destroy();
      }
    }
    console.log(`protocol mix of the seed (tshark -z io,phs):\n${protocolMix(seed)}`);
    const big = path.join(tmp, 'big.pcap');
    const rep = replicateCapture(seed, big, minPackets);
    console.log(`big file: ${rep.packets} packets (${rep.copies} copies of ${rep.seedPackets}), ${(rep.bytes / 2 ** 20).toFixed(0)} MiB`);
    const json: Record<string, unknown> = { machine: machine(), packets: rep.packets, seedPackets: rep.seedPackets };
    const texts: string[] = [];
    // Wall time is only meaningful on an otherwise idle machine: show how busy it was around the timing.
    const loadBefore = os.loadavg()[0]!.toFixed(2);
    // As users run it: bin/sievecap's own #! line (node --single-threaded) applies.
    const baselineTool: Array<[string, string]> = baseline !== '' ? [['sievecap-baseline', baseline]] : [];
    if (cases.has('lines')) {
      const lines = compareLines(seed);
      console.log(`sievecap -nn -r vs tcpdump -nn -r on the seed: ${lines.same} of ${lines.total} lines identical` +
        (lines.example ? `; first difference:\n  ours:    ${lines.example[0]}\n  tcpdump: ${lines.example[1]}` : ''));
      console.log(`sievecap -nn -r vs tcpdump -nn -r on the big file: output ${sameOutput(big) ? 'identical' : 'DIFFERENT'}`);
      const timings = timeTools([
        ['sievecap', `${SIEVECAP} -nn -r ${big}`],
        ['tcpdump', `tcpdump -nn -r ${big}`],
        ['tshark', `tshark -r ${big}`],
      ], runs, tmp);
      texts.push(`### summary lines: sievecap -nn -r F, tcpdump -nn -r F, tshark -r F\n\n${report(timings, rep.packets)}`);
      json.lines = { linesIdentical: lines, timings: summarise(timings), runs: Object.fromEntries(timings) };
    }
    if (cases.has('filter')) {
      const outDir = fs.mkdtempSync(path.join(tmp, 'out-'));
      const filterCases: FilterCase[] = filters.flatMap((filter) => [
        { name: `-nn -r F '${filter}'`, filter, write: false },
        { name: `-r F -w OUT.pcap '${filter}'`, filter, write: true },
      ]);
      const results: Record<string, unknown> = {};
      for (const c of filterCases) {
        const check = checkFilterCase(big, c, tmp);
        console.log(`${c.name}: tcpdump keeps ${check.kept} ${c.write ? 'packets' : 'lines'}; sievecap's ${c.write ? 'frames' : 'output'} ${check.same ? 'identical' : 'DIFFERENT'}`);
        const tools: Array<[string, string]> = [['sievecap', SIEVECAP], ['tcpdump', 'tcpdump'], ...baselineTool];
        const timings = timeTools(tools.map(([name, cmd]) => [name, filterCommand(cmd, big, c, outDir)]), runs, tmp);
        texts.push(`### capture filter: ${c.name} (tcpdump keeps ${check.kept})\n\n${filterReport(timings, rep.packets)}`);
        results[c.name] = { kept: check.kept, identical: check.same, timings: summarise(timings), runs: Object.fromEntries(timings) };
      }
      json.filter = results;
    }
    const load = `load average (1 min) ${loadBefore} before timing, ${os.loadavg()[0]!.toFixed(2)} after`;
    console.log(`\n${machine()}\n${rep.packets} packets, ${runs} runs each; ${load}\n\n${texts.join('\n\n')}`);
    if (jsonOut !== '') fs.writeFileSync(jsonOut, JSON.stringify({ ...json, load }, null, 2));
    if (args.flag('keep')) console.log(`files kept in ${tmp}`);
  } finally {
    if (!args.flag('keep')) fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((err: Error) => {
  console.error(`bench/decode: ${err.message}`);
  process.exitCode = 1;
});
