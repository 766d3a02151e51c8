/**
 * bench/decode: how fast `sievecap -r FILE` turns a big capture into tcpdump-style summary lines,
 * against `tcpdump -nn -r FILE` and `tshark -r FILE`, on the same file in the same run.
 *
 *   node dist/bench/decode/run.js [--packets 1000000] [--rounds 8] [--runs 3] [--seed FILE] [--keep] [--json out.json]
 *
 * The file is made from real traffic (bench/decode/traffic.ts: HTTP over IPv4 and IPv6, ping,
 * DNS, UDP to a closed port, ARP/ND, captured by tcpdump on a veth inside network namespaces the
 * benchmark creates and deletes), then replicated with shifted time stamps to at least --packets
 * packets (replicate.ts), in a temporary directory removed at the end unless --keep.
 * hyperfine times each tool --runs times (output to /dev/null, no shell): wall time, user and
 * system CPU. Targets (issue 3): sievecap at least 5x faster than tshark, within 2x of tcpdump.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createNetnsPair } from '../../tests/support/netns';
import { replicateCapture } from './replicate';
import { captureSeedTraffic, protocolMix } from './traffic';

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

function argValue(name: string, fallback: string): string {
  const k = process.argv.indexOf(name);
  return k >= 0 && process.argv[k + 1] ? process.argv[k + 1]! : fallback;
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

function timeTools(file: string, runs: number, tmp: string): Timing[] {
  const commands: Array<[string, string]> = [
    ['sievecap', `${process.execPath} ${SIEVECAP} -nn -r ${file}`],
    ['tcpdump', `tcpdump -nn -r ${file}`],
    ['tshark', `tshark -r ${file}`],
  ];
  const jsonFile = path.join(tmp, 'hyperfine.json');
  const args = ['-N', '--runs', String(runs), '--output', 'null', '--export-json', jsonFile];
  for (const [name, cmd] of commands) args.push('-n', name, cmd);
  execFileSync('hyperfine', args, { stdio: ['ignore', 'inherit', 'inherit'], timeout: 3600_000 });
  const results = (JSON.parse(fs.readFileSync(jsonFile, 'utf8')) as {
    results: Array<{ command: string; mean: number; stddev: number; median: number; user: number; system: number }>;
  }).results;
  return results.map((r, k) => ({
    tool: commands[k]![0],
    command: commands[k]![1],
    wallMedian: r.median,
    wallMean: r.mean,
    wallStddev: r.stddev ?? 0,
    user: r.user,
    system: r.system,
  }));
}

function report(timings: Timing[], packets: number): string {
  const by = (tool: string): Timing => timings.find((t) => t.tool === tool)!;
  const cpu = (t: Timing): number => t.user + t.system;
  const lines = [
    '| tool | wall s (median) | wall s (mean ± sd) | user s | sys s | CPU s | µs wall/packet |',
    '|---|---|---|---|---|---|---|',
    ...timings.map((t) =>
      `| ${t.tool} | ${t.wallMedian.toFixed(2)} | ${t.wallMean.toFixed(2)} ± ${t.wallStddev.toFixed(2)} | ${t.user.toFixed(2)} | ${t.system.toFixed(2)} | ${cpu(t).toFixed(2)} | ${((t.wallMedian / packets) * 1e6).toFixed(2)} |`),
  ];
  const s = by('sievecap');
  const d = by('tcpdump');
  const w = by('tshark');
  const vsTshark = w.wallMedian / s.wallMedian;
  const vsTcpdump = s.wallMedian / d.wallMedian;
  lines.push(
    '',
    `tshark / sievecap:  wall ${vsTshark.toFixed(2)}x, CPU ${(cpu(w) / cpu(s)).toFixed(2)}x  (target >= 5x: ${vsTshark >= 5 ? 'met' : 'NOT met'})`,
    `sievecap / tcpdump: wall ${vsTcpdump.toFixed(2)}x, CPU ${(cpu(s) / cpu(d)).toFixed(2)}x  (target <= 2x: ${vsTcpdump <= 2 ? 'met' : 'NOT met'})`,
  );
  return lines.join('\n');
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('bench/decode needs root to create network namespaces');
  requireTools(['tcpdump', 'tshark', 'hyperfine', 'curl', 'python3', 'ping', 'ip', 'timeout']);
  const minPackets = Number(argValue('--packets', '1000000'));
  const rounds = Number(argValue('--rounds', '8'));
  const runs = Number(argValue('--runs', '3'));
  const seedArg = argValue('--seed', '');
  const jsonOut = argValue('--json', '');
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
    const lines = compareLines(seed);
    console.log(`sievecap -nn -r vs tcpdump -nn -r on the seed: ${lines.same} of ${lines.total} lines identical` +
      (lines.example ? `; first difference:\n  ours:    ${lines.example[0]}\n  tcpdump: ${lines.example[1]}` : ''));
    // Wall time is only meaningful on an otherwise idle machine: show how busy it was around the timing.
    const loadBefore = os.loadavg()[0]!.toFixed(2);
    const timings = timeTools(big, runs, tmp);
    const load = `load average (1 min) ${loadBefore} before timing, ${os.loadavg()[0]!.toFixed(2)} after`;
    const text = report(timings, rep.packets);
    console.log(`\n${machine()}\n${rep.packets} packets, ${runs} runs each; ${load}\n\n${text}`);
    if (jsonOut !== '') {
      fs.writeFileSync(jsonOut, JSON.stringify({ machine: machine(), load, packets: rep.packets, seedPackets: rep.seedPackets, linesIdentical: lines, timings }, null, 2));
    }
    if (process.argv.includes('--keep')) console.log(`files kept in ${tmp}`);
  } finally {
    if (!process.argv.includes('--keep')) fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((err: Error) => {
  console.error(`bench/decode: ${err.message}`);
  process.exitCode = 1;
});
