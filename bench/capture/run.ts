/**
 * bench/capture: live capture to a file, sievecap (CLI → capture helper → file) against
 * `tcpdump -w`, in the same run, on a veth pair inside two network namespaces that the benchmark
 * creates and deletes.
 *
 * Two parts:
 * - start-up: time from spawn to "listening on", CPU used by then, and the CPU of a whole capture
 *   of one packet (-c 1, writing a file and printing lines) and of an idle capture stopped by Ctrl-C;
 * - flood: tcpreplay replays each traffic mix (flood.ts) in a loop, bounded to --packets packets,
 *   at the mix's rate (--rates: `max` is --topspeed; the mixed traffic defaults to 300k pps, which
 *   tcpdump takes without drops on the reference machine, while at top speed both tools drop), as
 *   each tool in turn captures it with the same filter and ring size to a file: offered, captured
 *   (the tool's count and the records in its file), dropped, and the CPU time of the whole process
 *   tree (sievecap's helper included), with the ratios.
 *
 * Mixes `tcp-services` and `tcp-bulk` (flood.ts: mostly non-HTTP TCP, HTTP/1.1 on six ports) compare
 * `sievecap --preset http` (in-kernel HTTP session tracking) with `tcpdump tcp`, the narrowest
 * classic filter that still keeps HTTP on any port: user CPU per offered packet, whole runs and net
 * of start-up (idle runs of each tool with the mix's own command line); every run checks that
 * sievecap captured exactly the frames session tracking must let through.
 *
 * Both tools run as users run them: `tcpdump` and `bin/sievecap` (its `node --single-threaded`
 * line), as root with the environment sudo gives, through bench/capture/rusage-wrap.py, which
 * reports their CPU time and checks that sievecap's helper is counted in it.
 *
 *   node dist/bench/capture/run.js [--packets 3000000] [--mixes small,mixed,tcp-services,tcp-bulk] [--rates small=max,mixed=300000] [--runs 2]
 *       [--startup-runs 5] [--ring-kib 8192] [--skip-startup] [--skip-flood] [--json out.json]
 *       [--tools tcpdump,sievecap] [--sievecap-command 'node --single-threaded --cpu-prof bin/sievecap']
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createNetnsPair, finished, sleep, waitForStderr, type NetnsPair } from '../../tests/support/netns';
import { benchArgs } from '../args';
import { HTTP_MIX_PORTS, writeHttpMixFlood, writeMixedFlood, writeUdpFlood, type MixSummary } from './flood';

const ROOT = path.resolve(__dirname, '../../..');
const WRAPPER = path.join(ROOT, 'bench/capture/rusage-wrap.py');
const SIEVECAP = path.join(ROOT, 'bin/sievecap');
/** The system's python3 (a version manager's shim would add its own start-up to every run). */
const PYTHON = ['/usr/bin/python3', '/usr/local/bin/python3'].find((p) => fs.existsSync(p)) ?? 'python3';
const ALL_TOOLS = ['tcpdump', 'sievecap'] as const;
type Tool = (typeof ALL_TOOLS)[number];

// ---- options -----------------------------------------------------------------------------------

const USAGE = `usage: node dist/bench/capture/run.js [--packets 3000000] [--mixes small,mixed] (also tcp-services,tcp-bulk)
    [--rates small=max,mixed=300000,tcp-services=300000,tcp-bulk=300000] [--runs 2] [--startup-runs 5]
    [--ring-kib 8192] [--skip-startup] [--skip-flood] [--json out.json] [--tools tcpdump,sievecap]
    [--sievecap-command 'CMD'] [--sievecap-file pcapng|pcap]
Live capture to a file, sievecap (CLI → helper → file) vs tcpdump, on a veth pair in network
namespaces the benchmark makes and deletes (bench/README.md, "bench/capture"). Run as root.`;

const args = benchArgs(USAGE, {
  packets: { value: true },
  mixes: { value: true },
  runs: { value: true },
  'startup-runs': { value: true },
  'ring-kib': { value: true },
  rates: { value: true },
  'skip-startup': {},
  'skip-flood': {},
  json: { value: true },
  tools: { value: true },
  'sievecap-command': { value: true },
  'sievecap-file': { value: true },
});
const argValue = (name: string, fallback: string): string => args.string(name.replace(/^--/, ''), fallback);

const options = {
  packets: args.number('packets', 3000000),
  mixes: argValue('--mixes', 'small,mixed').split(',').filter(Boolean),
  runs: args.number('runs', 2),
  startupRuns: args.number('startup-runs', 5),
  ringKiB: args.number('ring-kib', 8192),
  /** Offered rate per mix, packets per second, or max (tcpreplay --topspeed). */
  rates: Object.fromEntries(
    argValue('--rates', 'small=max,mixed=300000,tcp-services=300000,tcp-bulk=300000')
      .split(',')
      .map((kv) => kv.split('=') as [string, string]),
  ) as Record<string, string>,
  skipStartup: args.flag('skip-startup'),
  skipFlood: args.flag('skip-flood'),
  json: argValue('--json', ''),
  /** Runs only these tools (profiling one of them); ratios need both. */
  tools: argValue('--tools', 'tcpdump,sievecap').split(',').filter(Boolean) as Tool[],
  /** How to start sievecap, split at spaces (default: bin/sievecap as users run it), e.g. for a profiler. */
  sievecapCommand: argValue('--sievecap-command', ''),
  /** The file sievecap writes: its default pcapng, or pcap as tcpdump writes (`-w out.pcap`). */
  sievecapFile: argValue('--sievecap-file', 'pcapng') as 'pcap' | 'pcapng',
};
if (options.sievecapFile !== 'pcap' && options.sievecapFile !== 'pcapng') throw new Error('--sievecap-file: pcap or pcapng');
const TOOLS: readonly Tool[] = ALL_TOOLS.filter((t) => options.tools.includes(t));

// ---- one run of one tool -----------------------------------------------------------------------

interface WrapperReport {
  user: number;
  sys: number;
  exit: number;
  wall: number;
  self: number | null;
  reaped: number | null;
  sampled: Record<string, { comm: string; cpu: number }>;
  listening: { seconds: number; cpu: number } | null;
}

interface ToolResult {
  /** CPU seconds (user + sys) of the tool and every process it started and waited for. */
  cpu: number;
  /** Of which user time (outside the kernel). */
  user: number;
  /** Of which: the processes the tool reaped itself (sievecap's helper). */
  childrenCpu: number;
  /** The tool's own CPU, from /proc just before it was reaped. */
  selfCpu: number;
  /** The helper's CPU as last sampled from /proc while it ran (a cross-check of childrenCpu). */
  sampledChildrenCpu: number;
  listeningMs: number;
  listeningCpu: number;
  wallSeconds: number;
  captured: number;
  received: number;
  dropped: number;
  exit: number;
  stderr: string;
}

function toolCommand(tool: Tool, iface: string, filter: string, extra: string[]): string[] {
  const common = ['-i', iface, '-n', '-B', String(options.ringKiB), ...extra, ...(filter ? [filter] : [])];
  if (tool === 'tcpdump') return ['tcpdump', ...common];
  return [...(options.sievecapCommand ? options.sievecapCommand.split(' ').filter(Boolean) : [SIEVECAP]), ...common];
}

/**
 * The environment `sudo` gives a command (env_reset): a user runs `sudo sievecap ...` (or
 * `sudo tcpdump ...`) and inherits none of the NODE_* variables of their shell. On machines where
 * NODE_EXTRA_CA_CERTS is set, Node parses that certificate bundle at every start (~30 ms of CPU).
 * Run as root, not as whoever ran sudo: both tools write into the benchmark's root-owned directory.
 */
function userEnvironment(): NodeJS.ProcessEnv {
  const nodeDir = path.dirname(process.execPath);
  return {
    PATH: `${nodeDir}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`,
    HOME: '/root',
    LANG: process.env.LANG ?? 'C.UTF-8',
    TERM: process.env.TERM ?? 'xterm',
  };
}

function spawnInNamespace(ns: string, cmd: string[]): ChildProcess {
  return spawn('ip', ['netns', 'exec', ns, ...cmd], { stdio: ['ignore', 'pipe', 'pipe'], env: userEnvironment() });
}

/**
 * Starts `tool` in the capture namespace, waits for "listening on", runs `drive` (which makes the
 * traffic and resolves with the packets offered), then stops the tool with SIGINT (`stop: 'signal'`,
 * half a second later, as a user's Ctrl-C) or waits for it to end on its own (-c).
 */
async function runTool(
  pair: NetnsPair,
  tool: Tool,
  filter: string,
  extra: string[],
  tmp: string,
  drive: () => Promise<number>,
  stop: 'signal' | 'exit',
): Promise<ToolResult & { offered: number }> {
  const pidFile = path.join(tmp, `${tool}.pid`);
  fs.rmSync(pidFile, { force: true });
  const child = spawnInNamespace(pair.nsA, [PYTHON, WRAPPER, pidFile, ...toolCommand(tool, pair.vethA, filter, extra)]);
  const done = finished(child);
  const toolPid = (): number => Number(fs.readFileSync(pidFile, 'utf8'));
  let offered = 0;
  try {
    await waitForStderr(child, /listening on/, 20_000);
    offered = await drive();
    if (stop === 'signal') {
      await sleep(500);
      process.kill(toolPid(), 'SIGINT');
    }
  } catch (err) {
    try {
      process.kill(toolPid(), 'SIGKILL');
    } catch {
      // already gone
    }
    throw err;
  }
  const timer = setTimeout(() => {
    // A tool that does not end within a minute (a -c capture whose packet got lost): Ctrl-C it.
    try {
      process.kill(toolPid(), 'SIGINT');
    } catch {
      // already gone
    }
  }, 60_000);
  const result = await done;
  clearTimeout(timer);
  const text = result.stderr;
  const line = /RUSAGE (\{.*\})/.exec(text);
  if (!line) throw new Error(`${tool} gave no resource usage; stderr:\n${text}`);
  const r = JSON.parse(line[1]!) as WrapperReport;
  const num = (re: RegExp): number => Number(re.exec(text)?.[1] ?? NaN);
  const cpu = r.user + r.sys;
  return {
    offered,
    cpu,
    user: r.user,
    childrenCpu: r.reaped ?? NaN,
    selfCpu: r.self ?? NaN,
    sampledChildrenCpu: Object.values(r.sampled).reduce((t, s) => t + s.cpu, 0),
    listeningMs: (r.listening?.seconds ?? NaN) * 1000,
    listeningCpu: r.listening?.cpu ?? NaN,
    wallSeconds: r.wall,
    captured: num(/(\d+) packets? captured/),
    received: num(/(\d+) packets? received by filter/),
    dropped: num(/(\d+) packets? dropped by kernel/),
    exit: r.exit,
    stderr: text,
  };
}

/** Records in a pcap or pcapng file: what really reached the file. */
function countRecords(file: string): number {
  const fd = fs.openSync(file, 'r');
  const buf = Buffer.allocUnsafe(8 << 20);
  let filled = 0;
  let fileOffset = 0;
  let records = 0;
  let format: 'pcap' | 'pcapng' | undefined;
  let at = 0;
  try {
    for (;;) {
      const n = fs.readSync(fd, buf, filled, buf.length - filled, fileOffset);
      fileOffset += n;
      filled += n;
      if (format === undefined) {
        if (filled < 24) return 0;
        format = buf.readUInt32LE(0) === 0x0a0d0d0a ? 'pcapng' : 'pcap';
        if (format === 'pcap') at = 24;
      }
      for (;;) {
        if (format === 'pcap') {
          if (at + 16 > filled) break;
          const length = 16 + buf.readUInt32LE(at + 8);
          if (at + length > filled) break;
          records++;
          at += length;
        } else {
          if (at + 8 > filled) break;
          const type = buf.readUInt32LE(at);
          const length = buf.readUInt32LE(at + 4);
          if (length < 12) return records;
          if (at + length > filled) break;
          if (type === 6 || type === 3) records++;
          at += length;
        }
      }
      if (n === 0) return records;
      buf.copy(buf, 0, at, filled);
      filled -= at;
      at = 0;
    }
  } finally {
    fs.closeSync(fd);
  }
}

// ---- traffic -----------------------------------------------------------------------------------

interface Mix {
  name: string;
  /** Offered rate: packets per second, or max. */
  rate: string;
  filter: string;
  /** What sievecap runs instead of `filter`, when it differs (the HTTP mixes: `--preset http`). */
  sievecap?: { filter: string; args: string[] };
  /** Per frame of the loop, whether sievecap's program lets it through (the HTTP mixes). */
  accepted?: boolean[];
  file: string;
  summary: MixSummary | undefined;
  description: string;
}

function macOf(pair: NetnsPair, ns: string, dev: string): string {
  return pair.exec(ns, ['cat', `/sys/class/net/${dev}/address`]).trim();
}

function makeMixes(pair: NetnsPair, tmp: string): Mix[] {
  const mixes: Mix[] = [];
  for (const name of options.mixes) {
    const file = path.join(tmp, `${name}.pcap`);
    if (name === 'small') {
      writeUdpFlood(file, {
        count: 1000,
        srcMac: macOf(pair, pair.nsB, pair.vethB),
        dstMac: macOf(pair, pair.nsA, pair.vethA),
        srcIp: pair.ipB,
        dstIp: pair.ipA,
        dstPort: 9999,
      });
      mixes.push({ name, rate: options.rates[name] ?? 'max', filter: 'udp and dst port 9999', file, summary: undefined, description: '60-byte UDP/IPv4 frames, 1000 source ports, to the capturing host' });
    } else if (name === 'mixed') {
      const summary = writeMixedFlood(file, {
        count: 2000,
        srcMac: macOf(pair, pair.nsB, pair.vethB),
        dstMac: '02:5c:00:00:00:01', // another station: the capturing host's stack drops them at once
        clientIp: pair.ipB,
        serverIp: '10.78.0.80',
        clientIp6: pair.ip6B,
        serverIp6: 'fd78::80',
      });
      const pct = (x: number): string => `${Math.round(x * 100)}%`;
      mixes.push({
        name,
        rate: options.rates[name] ?? 'max',
        filter: 'tcp or udp',
        file,
        summary,
        description:
          `${summary.frames} frames replayed in a loop, ${summary.averageBytes.toFixed(0)} bytes on average, ${pct(summary.fullSize)} of them ≥ 1000 bytes: ` +
          `TCP/HTTP ${pct(summary.shares.tcp)}, small UDP ${pct(summary.shares.smallUdp)}, large UDP ${pct(summary.shares.largeUdp)}, ` +
          `ICMP/ARP (rejected by the filter) ${pct(summary.shares.rejected)}; IPv4 and IPv6`,
      });
    } else if (name === 'tcp-services' || name === 'tcp-bulk') {
      const { summary, http } = writeHttpMixFlood(
        file,
        {
          count: 10000,
          srcMac: macOf(pair, pair.nsB, pair.vethB),
          dstMac: '02:5c:00:00:00:01',
          clientIp: pair.ipB,
          serverIp: '10.78.0.80',
          clientIp6: pair.ip6B,
          serverIp6: 'fd78::80',
        },
        name,
      );
      const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
      mixes.push({
        name,
        rate: options.rates[name] ?? 'max',
        filter: 'tcp',
        sievecap: { filter: '', args: ['--preset', 'http'] },
        accepted: http,
        file,
        summary,
        description:
          `${summary.frames} frames replayed in a loop, ${summary.averageBytes.toFixed(0)} bytes on average: TCP ${pct(summary.shares.tcp)} ` +
          `(HTTP/1.1 on ports ${HTTP_MIX_PORTS.join(', ')}: ${pct(summary.httpFrames / summary.frames)} of the frames from the first request; ` +
          `other TCP on those ports ${pct(summary.nonHttpOnHttpPorts)}), DNS ${pct(summary.shares.smallUdp + summary.shares.largeUdp)}; IPv4 and IPv6. ` +
          `tcpdump 'tcp' (the narrowest classic filter that keeps HTTP on any port) against sievecap --preset http`,
      });
    } else {
      throw new Error(`unknown mix '${name}' (small, mixed, tcp-services, tcp-bulk)`);
    }
  }
  return mixes;
}

function replay(pair: NetnsPair, file: string, packets: number, frames: number, rate: string): () => Promise<number> {
  return async () => {
    const loops = Math.ceil(packets / frames);
    const speed = rate === 'max' ? '--topspeed' : `--pps=${Number(rate)}`;
    const out = pair.exec(
      pair.nsB,
      ['tcpreplay', '-q', '-K', '-i', pair.vethB, speed, `--loop=${loops}`, `--limit=${packets}`, file],
      300_000,
    );
    const m = /Successful packets:\s+(\d+)/.exec(out);
    lastReplay = out;
    return m ? Number(m[1]) : 0;
  };
}
let lastReplay = '';

function replayRate(): number {
  return Number(/Rated:.*?([\d.]+) pps/.exec(lastReplay)?.[1] ?? NaN);
}

// ---- start-up ----------------------------------------------------------------------------------

type StartupVariant = 'idle' | 'write -c 1' | 'print -c 1';

interface StartupRow {
  variant: StartupVariant;
  tool: Tool;
  listeningMs: number;
  listeningCpu: number;
  cpu: number;
  /** Of which user time. */
  user: number;
  /** Of which: the processes the tool reaped (sievecap's helper). */
  childrenCpu: number;
  wallSeconds: number;
  runs: number;
}

const median = (xs: number[]): number => {
  const s = [...xs].filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

const STARTUP_FILTER = 'udp and dst port 9999';

async function measureStartup(pair: NetnsPair, tmp: string): Promise<StartupRow[]> {
  const rows: StartupRow[] = [];
  const one = path.join(tmp, 'one.pcap');
  writeUdpFlood(one, {
    count: 1,
    srcMac: macOf(pair, pair.nsB, pair.vethB),
    dstMac: macOf(pair, pair.nsA, pair.vethA),
    srcIp: pair.ipB,
    dstIp: pair.ipA,
    dstPort: 9999,
  });
  const sendOne = async (): Promise<number> => {
    pair.exec(pair.nsB, ['tcpreplay', '-q', '-i', pair.vethB, one]);
    return 1;
  };
  const variants: Array<{ variant: StartupVariant; extra: (out: string) => string[]; drive: () => Promise<number>; stop: 'signal' | 'exit' }> = [
    { variant: 'idle', extra: (out) => ['-w', out], drive: async () => (await sleep(500), 0), stop: 'signal' },
    { variant: 'write -c 1', extra: (out) => ['-w', out, '-c', '1'], drive: sendOne, stop: 'exit' },
    { variant: 'print -c 1', extra: () => ['-c', '1'], drive: sendOne, stop: 'exit' },
  ];
  for (const v of variants) {
    const results: Record<Tool, ToolResult[]> = { tcpdump: [], sievecap: [] };
    for (let k = 0; k < options.startupRuns; k++) {
      for (const tool of k % 2 === 0 ? TOOLS : [...TOOLS].reverse()) {
        const out = path.join(tmp, `${tool}-startup.${tool === 'tcpdump' ? 'pcap' : options.sievecapFile}`);
        const r = await runTool(pair, tool, STARTUP_FILTER, v.extra(out), tmp, v.drive, v.stop);
        if (v.variant !== 'idle' && r.captured !== 1) throw new Error(`${tool} (${v.variant}) captured ${r.captured} packets, not 1:\n${r.stderr}`);
        results[tool].push(r);
        fs.rmSync(out, { force: true });
      }
    }
    for (const tool of TOOLS) {
      const rs = results[tool];
      rows.push({
        variant: v.variant,
        tool,
        listeningMs: median(rs.map((r) => r.listeningMs)),
        listeningCpu: median(rs.map((r) => r.listeningCpu)),
        cpu: median(rs.map((r) => r.cpu)),
        user: median(rs.map((r) => r.user)),
        childrenCpu: median(rs.map((r) => r.childrenCpu)),
        wallSeconds: median(rs.map((r) => r.wallSeconds)),
        runs: rs.length,
      });
    }
  }
  return rows;
}

function printStartup(rows: StartupRow[]): void {
  console.log('\n### start-up (medians of %d runs each, tools alternating)\n', options.startupRuns);
  console.log('| capture | tool | spawn → "listening on" ms | CPU ms by "listening on" | CPU ms whole run | of which helper | wall s whole run |');
  console.log('|---|---|---|---|---|---|---|');
  for (const r of rows) {
    const helper = r.tool === 'sievecap' ? (r.childrenCpu * 1000).toFixed(0) : '-';
    console.log(
      `| ${r.variant} | ${r.tool} | ${r.listeningMs.toFixed(0)} | ${(r.listeningCpu * 1000).toFixed(0)} | ${(r.cpu * 1000).toFixed(0)} | ${helper} | ${r.wallSeconds.toFixed(2)} |`,
    );
  }
  console.log('\n"idle": started, stopped by SIGINT 0.5 s after "listening on", no traffic. "-c 1": one frame sent after');
  console.log('"listening on", the tool ends by itself (tcpdump hands packets over after its 1 s buffer timeout).');
}

// ---- flood -------------------------------------------------------------------------------------

interface FloodRow {
  mix: string;
  run: number;
  tool: Tool;
  offered: number;
  replayPps: number;
  captured: number;
  inFile: number;
  received: number;
  dropped: number;
  cpu: number;
  user: number;
  helperCpu: number;
  helperSampled: number;
  selfCpu: number;
  idleCpu: number;
  idleUser: number;
  /** What the tool should have captured of what was offered (the HTTP mixes' sievecap: what session tracking lets through), else null. */
  expected: number | null;
  wallSeconds: number;
}

/** Of `offered` frames of the loop `accepted` (replayed from the start, looping), how many are accepted. */
function expectedAccepted(accepted: readonly boolean[], offered: number): number {
  const perLoop = accepted.filter(Boolean).length;
  const rest = offered % accepted.length;
  return Math.floor(offered / accepted.length) * perLoop + accepted.slice(0, rest).filter(Boolean).length;
}

/** The command line a tool runs for `mix` (filter and options), writing `out`. */
function mixCommand(mix: Mix, tool: Tool, out: string): { filter: string; extra: string[] } {
  const filter = tool === 'sievecap' && mix.sievecap ? mix.sievecap.filter : mix.filter;
  const extra = tool === 'sievecap' && mix.sievecap ? mix.sievecap.args : [];
  return { filter, extra: [...extra, '-w', out] };
}

/**
 * Start-up and exit of each tool with the mix's own command line (a preset's maps and program
 * included): median CPU of `runs` idle captures stopped 0.5 s after "listening on".
 */
async function idleWithMix(pair: NetnsPair, mix: Mix, tmp: string, runs: number): Promise<Record<Tool, { cpu: number; user: number }>> {
  const results: Record<Tool, ToolResult[]> = { tcpdump: [], sievecap: [] };
  for (let k = 0; k < runs; k++) {
    for (const tool of k % 2 === 0 ? TOOLS : [...TOOLS].reverse()) {
      const out = path.join(tmp, `${tool}-idle.${tool === 'tcpdump' ? 'pcap' : options.sievecapFile}`);
      const { filter, extra } = mixCommand(mix, tool, out);
      results[tool].push(await runTool(pair, tool, filter, extra, tmp, async () => (await sleep(500), 0), 'signal'));
      fs.rmSync(out, { force: true });
    }
  }
  const idle = { tcpdump: { cpu: 0, user: 0 }, sievecap: { cpu: 0, user: 0 } };
  for (const tool of TOOLS) idle[tool] = { cpu: median(results[tool].map((r) => r.cpu)), user: median(results[tool].map((r) => r.user)) };
  console.log(`  [idle] ${mix.name}: ${TOOLS.map((t) => `${t} ${(idle[t].cpu * 1000).toFixed(0)} ms CPU (user ${(idle[t].user * 1000).toFixed(0)})`).join(', ')}, medians of ${runs}`);
  return idle;
}

async function flood(pair: NetnsPair, mix: Mix, tmp: string): Promise<FloodRow[]> {
  const frames = mix.summary?.frames ?? 1000;
  const rows: FloodRow[] = [];
  const idle = await idleWithMix(pair, mix, tmp, Math.max(3, options.startupRuns));
  for (let run = 1; run <= options.runs; run++) {
    const order = run % 2 === 1 ? TOOLS : [...TOOLS].reverse();
    const byTool = {} as Record<Tool, FloodRow>;
    for (const tool of order) {
      const out = path.join(tmp, `${tool}-flood.${tool === 'tcpdump' ? 'pcap' : options.sievecapFile}`);
      const { filter, extra } = mixCommand(mix, tool, out);
      const r = await runTool(pair, tool, filter, extra, tmp, replay(pair, mix.file, options.packets, frames, mix.rate), 'signal');
      const row: FloodRow = {
        mix: mix.name,
        run,
        tool,
        offered: r.offered,
        replayPps: replayRate(),
        captured: r.captured,
        inFile: countRecords(out),
        received: r.received,
        dropped: r.dropped,
        cpu: r.cpu,
        user: r.user,
        helperCpu: tool === 'sievecap' ? r.childrenCpu : 0,
        helperSampled: tool === 'sievecap' ? r.sampledChildrenCpu : 0,
        selfCpu: r.selfCpu,
        idleCpu: idle[tool].cpu,
        idleUser: idle[tool].user,
        expected: tool === 'sievecap' && mix.accepted ? expectedAccepted(mix.accepted, r.offered) : null,
        wallSeconds: r.wallSeconds,
      };
      fs.rmSync(out, { force: true });
      // Start the next run with no dirty pages of this one still being written back.
      spawnSync('sync');
      await sleep(1000);
      byTool[tool] = row;
      if (tool === 'sievecap') {
        // The helper's CPU must be in the tree's: the CLI reaps it before it exits.
        const sum = row.selfCpu + row.helperCpu;
        console.log(
          `  [check] sievecap tree CPU ${row.cpu.toFixed(2)} s = CLI ${row.selfCpu.toFixed(2)} + reaped by the CLI ${row.helperCpu.toFixed(2)} (${sum.toFixed(2)}); ` +
            `helper last seen in /proc: ${row.helperSampled.toFixed(2)} s`,
        );
      }
    }
    rows.push(...TOOLS.map((t) => byTool[t]));
    printFloodRun(byTool.tcpdump, byTool.sievecap);
    const s = byTool.sievecap;
    if (s && s.expected !== null) {
      // A figure only counts if the program let through exactly what session tracking should.
      console.log(`  [check] sievecap --preset http captured ${s.captured} (in file ${s.inFile}); the HTTP connections' frames offered: ${s.expected}` +
        (s.captured === s.expected && s.inFile === s.expected ? ' (equal)' : ' — NOT EQUAL'));
    }
  }
  return rows;
}

let floodHeaderPrinted = false;
function printFloodRun(t: FloodRow | undefined, s: FloodRow | undefined): void {
  if (!floodHeaderPrinted) {
    console.log('\n### flood\n');
    console.log('| mix | run | tool | offered | replay pps | captured | in file | dropped | CPU s | of which helper | CPU s net of idle | µs CPU/packet |');
    console.log('|---|---|---|---|---|---|---|---|---|---|---|---|');
    floodHeaderPrinted = true;
  }
  for (const r of [t, s]) {
    if (!r) continue;
    const net = r.cpu - r.idleCpu;
    console.log(
      `| ${r.mix} | ${r.run} | ${r.tool} | ${r.offered} | ${r.replayPps.toFixed(0)} | ${r.captured} | ${r.inFile} | ${r.dropped} | ${r.cpu.toFixed(2)} | ` +
        `${r.tool === 'sievecap' ? r.helperCpu.toFixed(2) : '-'} | ${net.toFixed(2)} | ${((net / Math.max(1, r.captured)) * 1e6).toFixed(3)} |`,
    );
  }
  if (!t || !s) return;
  const netRatio = (s.cpu - s.idleCpu) / Math.max(1e-9, t.cpu - t.idleCpu);
  console.log(
    `| ${s.mix} | ${s.run} | **sievecap/tcpdump** | | | ${(s.captured / Math.max(1, t.captured)).toFixed(3)} | | ${s.dropped}/${t.dropped} | **${(s.cpu / t.cpu).toFixed(2)}** | | ${netRatio.toFixed(2)} | |`,
  );
}

function printFloodSummary(rows: FloodRow[], mixes: Mix[]): void {
  if (TOOLS.length < 2) return;
  const httpMixes = mixes.filter((m) => m.sievecap).map((m) => m.name);
  const plainMixes = options.mixes.filter((m) => !httpMixes.includes(m));
  if (httpMixes.length > 0) printHttpSummary(rows, httpMixes);
  if (plainMixes.length === 0) return;
  console.log('\n### summary (per mix: median over runs)\n');
  console.log('| mix | packets | sievecap/tcpdump CPU (whole tree) | net of idle | drops sievecap / tcpdump | target ≤ 1.5× and no drops where tcpdump has none |');
  console.log('|---|---|---|---|---|---|');
  for (const mix of plainMixes) {
    const runs = [...new Set(rows.filter((r) => r.mix === mix).map((r) => r.run))];
    const pairs = runs.map((run) => ({
      t: rows.find((r) => r.mix === mix && r.run === run && r.tool === 'tcpdump')!,
      s: rows.find((r) => r.mix === mix && r.run === run && r.tool === 'sievecap')!,
    }));
    const ratio = median(pairs.map(({ t, s }) => s.cpu / t.cpu));
    const net = median(pairs.map(({ t, s }) => (s.cpu - s.idleCpu) / (t.cpu - t.idleCpu)));
    const drops = pairs.map(({ t, s }) => `${s.dropped}/${t.dropped}`).join(', ');
    const dropsOk = pairs.every(({ t, s }) => s.dropped === 0 || t.dropped > 0);
    console.log(`| ${mix} | ${options.packets} | ${ratio.toFixed(2)} | ${net.toFixed(2)} | ${drops} | ${ratio <= 1.5 && dropsOk ? 'holds' : 'does not hold'} |`);
  }
}

/**
 * Issue 13's figure: user-space CPU per offered packet, tcpdump 'tcp' over sievecap --preset http
 * (at least 10×). User time of the whole process tree (sievecap's helper included) per packet
 * offered; whole runs, and net of start-up and exit (idle runs with the same command line).
 */
function printHttpSummary(rows: FloodRow[], mixes: string[]): void {
  console.log('\n### summary: --preset http against tcpdump tcp (per mix: median over runs)\n');
  console.log('| mix | packets offered | tcpdump tcp: captured, user CPU s | sievecap --preset http: captured (= expected), user CPU s | ' +
    'user CPU ns/offered packet, tcpdump / sievecap | tcpdump/sievecap user CPU | net of start-up | user+sys tcpdump/sievecap | net of start-up | target ≥ 10× user CPU |');
  console.log('|---|---|---|---|---|---|---|---|---|---|');
  for (const mix of mixes) {
    const runs = [...new Set(rows.filter((r) => r.mix === mix).map((r) => r.run))];
    const pairs = runs.map((run) => ({
      t: rows.find((r) => r.mix === mix && r.run === run && r.tool === 'tcpdump')!,
      s: rows.find((r) => r.mix === mix && r.run === run && r.tool === 'sievecap')!,
    }));
    const ratio = median(pairs.map(({ t, s }) => t.user / s.user));
    const net = median(pairs.map(({ t, s }) => (t.user - t.idleUser) / Math.max(1e-9, s.user - s.idleUser)));
    const total = median(pairs.map(({ t, s }) => t.cpu / s.cpu));
    const totalNet = median(pairs.map(({ t, s }) => (t.cpu - t.idleCpu) / Math.max(1e-9, s.cpu - s.idleCpu)));
    const exact = pairs.every(({ s }) => s.captured === s.expected && s.inFile === s.expected);
    const drops = pairs.every(({ t, s }) => t.dropped === 0 && s.dropped === 0);
    const ns = (r: FloodRow): string => ((r.user / Math.max(1, r.offered)) * 1e9).toFixed(0);
    console.log(
      `| ${mix} | ${median(pairs.map(({ t }) => t.offered))} | ${pairs.map(({ t }) => `${t.captured}: ${t.user.toFixed(2)}`).join('; ')} | ` +
        `${pairs.map(({ s }) => `${s.captured}${s.captured === s.expected ? '' : ` (expected ${s.expected})`}: ${s.user.toFixed(2)}`).join('; ')} | ` +
        `${pairs.map(({ t, s }) => `${ns(t)} / ${ns(s)}`).join('; ')} | **${ratio.toFixed(1)}×** | ${net.toFixed(1)}× | ${total.toFixed(1)}× | ${totalNet.toFixed(1)}× | ` +
        `${ratio >= 10 && exact && drops ? 'holds' : `does not hold${exact ? '' : ' (captured ≠ expected)'}${drops ? '' : ' (drops)'}`} |`,
    );
  }
}

// ---- main --------------------------------------------------------------------------------------

function machine(): string {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  const version = (cmd: string): string => {
    const r = spawnSync(cmd, ['--version'], { encoding: 'utf8' });
    return `${r.stdout ?? ''}${r.stderr ?? ''}`;
  };
  const tcpdump = version('tcpdump').split('\n').slice(0, 2).join(' / ');
  const tcpreplay = version('tcpreplay').split('\n')[0];
  return `${cpu}, ${os.cpus().length} CPUs, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Linux ${os.release()}, ${tcpdump}, ${tcpreplay}, Node ${process.version}`;
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('run it as root: it creates network namespaces and captures');
  for (const f of [SIEVECAP, path.join(ROOT, 'dist/app/helper/main.js')]) {
    if (!fs.existsSync(f)) throw new Error(`${f} is missing: run npm run build first`);
  }
  console.log(`machine: ${machine()}`);
  console.log(`date: ${new Date().toISOString()}; load average before: ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  console.log(`ring ${options.ringKiB} KiB (-B) for both; both write a file (tcpdump pcap, sievecap ${options.sievecapFile === 'pcap' ? 'pcap: -w out.pcap' : 'its default pcapng'}); CPU = user + sys of the tool and its children`);
  const pair = createNetnsPair();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-bench-'));
  const result: { machine: string; options: typeof options; mixes: Array<Omit<Mix, 'file'>>; startup: StartupRow[]; flood: FloodRow[] } = {
    machine: machine(),
    options,
    mixes: [],
    startup: [],
    flood: [],
  };
  try {
    const mixes = makeMixes(pair, tmp);
    for (const m of mixes) {
      console.log(`mix ${m.name}: ${m.description}; filter '${m.filter}'; offered at ${m.rate === 'max' ? 'tcpreplay --topspeed' : `${m.rate} pps`}`);
      result.mixes.push({ name: m.name, rate: m.rate, filter: m.filter, summary: m.summary, description: m.description });
    }
    if (!options.skipStartup) {
      result.startup = await measureStartup(pair, tmp);
      printStartup(result.startup);
    }
    if (!options.skipFlood) {
      for (const mix of mixes) result.flood.push(...(await flood(pair, mix, tmp)));
      printFloodSummary(result.flood, mixes);
    }
    console.log(`\nload average after: ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  } finally {
    pair.destroy();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  if (options.json) fs.writeFileSync(options.json, JSON.stringify(result, null, 2));
}

main().catch((err: unknown) => {
  console.error(`bench/capture: ${(err as Error).stack ?? String(err)}`);
  process.exitCode = 1;
});
