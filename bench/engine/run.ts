/**
 * bench/engine: the packet store and the analyses on a capture of at least a million packets,
 * side by side with tshark doing the same work, in the same run:
 *
 *   node dist/bench/engine/run.js [--packets 1000000] [--rounds 8] [--runs 1] [--seed FILE]
 *        [--filter 'FILTER' ...] [--keep] [--json out.json]
 *
 * The file is bench/decode's: real traffic captured in network namespaces (bench/decode/traffic.ts),
 * replicated with shifted time stamps (replicate.ts). Each task runs in its own process under
 * rusage.py (wall, user+system CPU, peak RSS), ours (child.ts) and tshark's:
 *
 *   index     PacketStore.openFile, whole file      vs  tshark -r F -q (reads every record; the least
 *             tshark does to open a file) and tshark -r F -T fields with the packet-list columns
 *             (Source, Destination, Protocol, Length: what our index holds)
 *   memory    store.indexBytesPerPacket() and our peak RSS per packet  vs  tshark's peak RSS per packet
 *   filter    open + index + display filter          vs  tshark -r F -Y FILTER -T fields -e frame.number,
 *             for each --filter (default: DEFAULT_FILTERS, header fields and application fields)
 *   http      analyzeHttpCapture                    vs  tshark -r F -q -z http,tree
 *   conv      open with ConversationTable attached   vs  tshark -r F -q -z conv,tcp
 *             (and asked for after opening: index, then feedReport)
 *             and the CLI: sievecap -r F -z conv,tcp (conversations fed PairTaps of simple layouts)
 *
 * CPU seconds are the fairer figure on a shared machine; the load average is printed with them.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createNetnsPair } from '../../tests/support/netns';
import { replicateCapture } from '../decode/replicate';
import { benchArgs } from '../args';
import { captureSeedTraffic, protocolMix } from '../decode/traffic';

const USAGE = `usage: node dist/bench/engine/run.js [--packets 1000000] [--rounds 8] [--runs 1] [--seed FILE]
    [--filter 'FILTER' ...] [--keep] [--json out.json]
The engine's views and reports vs tshark (bench/README.md, "bench/engine"). Run as root, or give --seed FILE.`;

const args = benchArgs(USAGE, {
  packets: { value: true },
  rounds: { value: true },
  runs: { value: true },
  seed: { value: true },
  filter: { value: true, multiple: true },
  keep: {},
  json: { value: true },
});
/** The option's value; an empty one counts as not given. */
function argValue(name: string, fallback: string): string {
  return args.string(name.replace(/^--/, ''), '') || fallback;
}
function argValues(name: string): string[] {
  return args.all(name.replace(/^--/, ''));
}

const CHILD = path.join(__dirname, 'child.js');
/** As bin/sievecap starts node: no background GC/JIT threads, whose CPU time bought nothing here. */
const NODE_FLAGS = ['--single-threaded'];
const CLI = path.resolve(__dirname, '../../../bin/sievecap');
const RUSAGE = path.resolve(__dirname, '../../../bench/engine/rusage.py');

interface Usage {
  wall: number;
  user: number;
  sys: number;
  maxrssKiB: number;
  exit: number;
}

interface Measured {
  task: string;
  tool: string;
  command: string;
  usage: Usage;
  /** What our child printed (in-process timings, counts). */
  result?: Record<string, number | string | boolean | null>;
}

/** Filters on header fields, and on HTTP and DNS fields. */
const DEFAULT_FILTERS = ['tcp.port == 80 || udp.port == 53', 'tcp.len > 100 && ip.ttl == 64', 'http.request.uri contains "style"', 'dns.qry.name == "example.com"'];



function requireTools(tools: string[]): void {
  for (const t of tools) {
    if (spawnSync('sh', ['-c', `command -v ${t}`]).status !== 0) throw new Error(`${t} is needed by bench/engine but is not installed`);
  }
  if (!fs.existsSync(CHILD)) throw new Error('bench/engine is not built: run `npx tsc -p tsconfig.json` first');
}

/** Runs a command under rusage.py `runs` times; keeps the run with the least CPU time. */
function measure(task: string, tool: string, cmd: string[], runs: number, tmp: string): Measured {
  let best: Measured | null = null;
  for (let r = 0; r < runs; r++) {
    const outFile = path.join(tmp, 'child-out.json');
    const p = spawnSync('python3', [RUSAGE, ...cmd], { encoding: 'utf8', env: { ...process.env, RUSAGE_STDOUT: outFile }, maxBuffer: 1 << 26, timeout: 1800_000 });
    const line = /RUSAGE (\{.*\})/.exec(p.stderr ?? '')?.[1];
    if (!line) throw new Error(`${tool} ${task}: no rusage (${p.error?.message ?? p.stderr})`);
    const usage = JSON.parse(line) as Usage;
    if (usage.exit !== 0) throw new Error(`${cmd.join(' ')} exited ${usage.exit}: ${p.stderr.split('\n').filter((l) => !/root|RUSAGE/.test(l)).join(' ')}`);
    const m: Measured = { task, tool, command: cmd.join(' '), usage };
    if (cmd.includes(CHILD)) m.result = JSON.parse(fs.readFileSync(outFile, 'utf8').trim()) as Measured['result'];
    if (best === null || usage.user + usage.sys < best.usage.user + best.usage.sys) best = m;
  }
  return best!;
}

function cpu(m: Measured): number {
  return m.usage.user + m.usage.sys;
}

function row(m: Measured, packets: number): string {
  const extra = m.result ? Object.entries(m.result).filter(([k]) => /Ms$|matches|transactions|conversations|lightPath/.test(k)).map(([k, v]) => `${k}=${typeof v === 'number' ? Math.round(v * 10) / 10 : v}`).join(' ') : '';
  return `| ${m.task} | ${m.tool} | ${m.usage.wall.toFixed(2)} | ${cpu(m).toFixed(2)} | ${((m.usage.maxrssKiB * 1024) / packets).toFixed(0)} | ${extra} |`;
}

function ratio(theirs: Measured, ours: Measured): string {
  const wall = theirs.usage.wall / ours.usage.wall;
  const c = cpu(theirs) / cpu(ours);
  return `wall ${wall.toFixed(1)}x, CPU ${c.toFixed(1)}x ${c >= 5 ? '(>= 5x: met)' : '(>= 5x: NOT met)'}`;
}

async function main(): Promise<void> {
  requireTools(['tshark', 'python3']);
  const minPackets = Number(argValue('--packets', '1000000'));
  const rounds = Number(argValue('--rounds', '8'));
  const runs = Number(argValue('--runs', '1'));
  const seedArg = argValue('--seed', '');
  const jsonOut = argValue('--json', '');
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-bench-engine-'));
  try {
    let seed = seedArg;
    const filters = argValues('--filter');
    if (seed === '') {
      if (process.getuid?.() !== 0) throw new Error('bench/engine needs root to create network namespaces for the seed traffic (or pass --seed FILE)');
      requireTools(['curl', 'ping', 'ip', 'timeout']);
      seed = path.join(tmp, 'seed.pcap');
      const pair = createNetnsPair();
      try {
        const n = await captureSeedTraffic(pair, tmp, seed, { rounds });
        console.log(`seed: ${n} packets of real traffic captured on ${pair.vethA} (namespaces ${pair.nsA}/${pair.nsB})`);
      } finally {
        pair.destroy();
      }
    }
    if (filters.length === 0) filters.push(...DEFAULT_FILTERS);
    console.log(`protocol mix of the seed (tshark -z io,phs):\n${protocolMix(seed)}`);
    const big = path.join(tmp, 'big.pcap');
    const rep = replicateCapture(seed, big, minPackets);
    const packets = rep.packets;
    console.log(`big file: ${packets} packets (${rep.copies} copies of ${rep.seedPackets}), ${(rep.bytes / 2 ** 20).toFixed(0)} MiB; display filters: ${filters.join(' ; ')}`);
    const node = process.execPath;
    const loadBefore = os.loadavg()[0]!.toFixed(2);
    const m: Record<string, Measured> = {
      indexOurs: measure('index', 'sievecap', [node, ...NODE_FLAGS, CHILD, 'index', big], runs, tmp),
      indexRead: measure('index', 'tshark -q', ['tshark', '-n', '-r', big, '-q'], runs, tmp),
      indexColumns: measure('index', 'tshark columns', ['tshark', '-n', '-r', big, '-T', 'fields', '-e', '_ws.col.Source', '-e', '_ws.col.Destination', '-e', '_ws.col.Protocol', '-e', 'frame.len'], runs, tmp),
      ...Object.fromEntries(filters.flatMap((filter, i) => [
        [`filterOurs${i}`, measure(`filter ${i + 1}`, 'sievecap', [node, ...NODE_FLAGS, CHILD, 'filter', big, filter], runs, tmp)],
        [`filterTshark${i}`, measure(`filter ${i + 1}`, 'tshark -Y', ['tshark', '-n', '-r', big, '-Y', filter, '-T', 'fields', '-e', 'frame.number'], runs, tmp)],
      ])),
      httpOurs: measure('http', 'sievecap', [node, ...NODE_FLAGS, CHILD, 'http', big], runs, tmp),
      httpTshark: measure('http', 'tshark -z http,tree', ['tshark', '-n', '-r', big, '-q', '-z', 'http,tree'], runs, tmp),
      convOurs: measure('conv,tcp', 'sievecap', [node, ...NODE_FLAGS, CHILD, 'conv', big], runs, tmp),
      convAfter: measure('conv,tcp', 'sievecap (asked after opening)', [node, ...NODE_FLAGS, CHILD, 'conv-after', big], runs, tmp),
      convTshark: measure('conv,tcp', 'tshark -z conv,tcp', ['tshark', '-n', '-r', big, '-q', '-z', 'conv,tcp'], runs, tmp),
      convCli: measure('conv,tcp', 'sievecap CLI -z conv,tcp', [node, CLI, '-r', big, '-z', 'conv,tcp'], runs, tmp),
    };
    const load = `load average (1 min) ${loadBefore} before, ${os.loadavg()[0]!.toFixed(2)} after`;
    const matchesTshark = (filter: string): number =>
      execFileSync('tshark', ['-n', '-r', big, '-Y', filter, '-T', 'fields', '-e', 'frame.number'], { encoding: 'utf8', maxBuffer: 1 << 30, stdio: ['ignore', 'pipe', 'ignore'] }).split('\n').filter(Boolean).length;
    const filterLines = filters.map((filter, i) => {
      const ours = m[`filterOurs${i}`]!;
      return `filter ${i + 1} \`${filter}\`: ${ratio(m[`filterTshark${i}`]!, ours)} (whole process, ours includes indexing); matches ours ${ours.result?.matches} vs tshark ${matchesTshark(filter)}; filter alone ${Number(ours.result?.filterMs).toFixed(0)} ms in-process`;
    });
    const ib = Number(m.indexOurs.result?.indexBytesPerPacket ?? NaN);
    const lines = [
      `${os.cpus()[0]?.model ?? '?'}, ${os.cpus().length} CPUs, Linux ${os.release()}, Node ${process.versions.node}; ${packets} packets, best of ${runs} run(s); ${load}`,
      '',
      '| task | tool | wall s | CPU s | peak RSS B/packet | ours, in-process |',
      '|---|---|---|---|---|---|',
      ...Object.values(m).map((x) => row(x, packets)),
      '',
      `index:  vs tshark -q (read only): ${ratio(m.indexRead, m.indexOurs)}; vs tshark building the same columns: ${ratio(m.indexColumns, m.indexOurs)}`,
      `memory: index ${ib.toFixed(1)} B/packet (target <= 64: ${ib <= 64 ? 'met' : 'NOT met'}); peak RSS ours ${((m.indexOurs.usage.maxrssKiB * 1024) / packets).toFixed(0)} B/packet vs tshark -q ${((m.indexRead.usage.maxrssKiB * 1024) / packets).toFixed(0)} B/packet (${(m.indexRead.usage.maxrssKiB / m.indexOurs.usage.maxrssKiB).toFixed(1)}x)`,
      ...filterLines,
      `http:   ${ratio(m.httpTshark, m.httpOurs)}; ${m.httpOurs.result?.transactions} transactions`,
      `conv:   engine (open with the report attached: counted while indexing) ${ratio(m.convTshark, m.convOurs)}; asked for after opening (index, then feedReport) ${ratio(m.convTshark, m.convAfter)}, feedReport alone ${Number(m.convAfter.result?.feedMs).toFixed(0)} ms in-process; CLI (sievecap -r F -z conv,tcp) ${ratio(m.convTshark, m.convCli)}`,
    ];
    console.log(`\n${lines.join('\n')}`);
    if (jsonOut !== '') fs.writeFileSync(jsonOut, JSON.stringify({ packets, filters, load, measured: m }, null, 2));
    if (args.flag('keep')) console.log(`files kept in ${tmp}`);
  } finally {
    if (!args.flag('keep')) fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((err: Error) => {
  console.error(`bench/engine: ${err.message}`);
  process.exitCode = 1;
});
