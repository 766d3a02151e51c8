/**
 * bench/capture: a bounded UDP flood through a veth pair inside two network namespaces, captured
 * to a file by tcpdump and by sievecap with the same filter and ring size, one after the other at
 * each offered rate, in the same run. Prints packets offered, captured, dropped and CPU seconds
 * (user + sys of the capturing process and its threads/children), and the ratios.
 *
 *   node dist/bench/capture/run.js [--rates 25000,100000,250000,max] [--seconds 4] [--json out.json]
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createNetnsPair, waitForStderr, finished, sleep, type NetnsPair } from '../../tests/support/netns';
import { writeUdpFlood } from './flood';

const ROOT = path.resolve(__dirname, '../../..');
const FILTER = 'udp and dst port 9999';
const RING_KIB = 8192;

interface ToolRun {
  tool: string;
  offered: number;
  captured: number;
  dropped: number;
  cpuSeconds: number;
  idleCpuSeconds: number;
}

function argValue(name: string, fallback: string): string {
  const k = process.argv.indexOf(name);
  return k >= 0 && process.argv[k + 1] ? process.argv[k + 1]! : fallback;
}

function toolCommand(tool: string, outFile: string): string[] {
  return tool === 'tcpdump'
    ? ['tcpdump', '-i', 'PLACEHOLDER', '-n', '-B', String(RING_KIB), '-w', outFile, FILTER]
    : [process.execPath, path.join(ROOT, 'bin/sievecap'), '-i', 'PLACEHOLDER', '-n', '-B', String(RING_KIB), '-w', outFile, FILTER];
}

async function runTool(
  pair: NetnsPair, tool: string, replay: string[] | null, tmp: string,
): Promise<{ captured: number; dropped: number; cpu: number; offered: number }> {
  const outFile = path.join(tmp, `${tool}.${tool === 'tcpdump' ? 'pcap' : 'pcapng'}`);
  const pidFile = path.join(tmp, `${tool}.pid`);
  fs.rmSync(pidFile, { force: true });
  const cmd = toolCommand(tool, outFile).map((a) => (a === 'PLACEHOLDER' ? pair.vethA : a));
  const child = pair.spawn(pair.nsA, ['python3', path.join(ROOT, 'bench/capture/rusage-wrap.py'), pidFile, ...cmd]);
  const done = finished(child);
  await waitForStderr(child, /listening on/);
  let offered = 0;
  if (replay) {
    const out = pair.exec(pair.nsB, replay, 120000);
    const m = /Successful packets:\s+(\d+)/.exec(out);
    offered = m ? Number(m[1]) : 0;
  } else {
    await sleep(2000);
  }
  await sleep(500);
  process.kill(Number(fs.readFileSync(pidFile, 'utf8')), 'SIGINT');
  const result = await done;
  const text = result.stderr;
  const num = (re: RegExp): number => Number(re.exec(text)?.[1] ?? NaN);
  const usage = /RUSAGE (\{.*\})/.exec(text);
  if (!usage) throw new Error(`${tool} gave no resource usage; stderr:\n${text}`);
  const { user, sys } = JSON.parse(usage[1]!) as { user: number; sys: number };
  return {
    captured: num(/(\d+) packets? captured/),
    dropped: num(/(\d+) packets? dropped by kernel/),
    cpu: user + sys,
    offered,
  };
}

async function main(): Promise<void> {
  const rates = argValue('--rates', '25000,100000,250000,max').split(',');
  const seconds = Number(argValue('--seconds', '4'));
  const jsonOut = process.argv.includes('--json') ? argValue('--json', '') : '';
  const pair = createNetnsPair();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-bench-'));
  const rows: Array<{ rate: string; runs: ToolRun[] }> = [];
  try {
    const flood = path.join(tmp, 'flood.pcap');
    const frames = 1000;
    writeUdpFlood(flood, {
      count: frames,
      srcMac: pair.exec(pair.nsB, ['cat', `/sys/class/net/${pair.vethB}/address`]).trim(),
      dstMac: pair.exec(pair.nsA, ['cat', `/sys/class/net/${pair.vethA}/address`]).trim(),
      srcIp: pair.ipB,
      dstIp: pair.ipA,
      dstPort: 9999,
    });
    // Idle baseline: start-up and shutdown cost of each tool, with no traffic.
    const idle: Record<string, number> = {};
    for (const tool of ['tcpdump', 'sievecap']) idle[tool] = (await runTool(pair, tool, null, tmp)).cpu;
    for (const rate of rates) {
      const pps = rate === 'max' ? 0 : Number(rate);
      const total = pps ? Math.min(2_000_000, Math.max(100_000, pps * seconds)) : 2_000_000;
      const loops = Math.ceil(total / frames);
      const replay = ['tcpreplay', '-q', '-i', pair.vethB, ...(pps ? [`--pps=${pps}`] : ['--topspeed']), `--loop=${loops}`, flood];
      const runs: ToolRun[] = [];
      for (const tool of ['tcpdump', 'sievecap']) {
        const r = await runTool(pair, tool, replay, tmp);
        runs.push({ tool, offered: r.offered, captured: r.captured, dropped: r.dropped, cpuSeconds: r.cpu, idleCpuSeconds: idle[tool]! });
      }
      rows.push({ rate, runs });
      printRow(rate, runs);
    }
  } finally {
    pair.destroy();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  if (jsonOut) fs.writeFileSync(jsonOut, JSON.stringify({ machine: machine(), rows }, null, 2));
}

function machine(): string {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  return `${cpu}, ${os.cpus().length} CPUs, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Linux ${os.release()}, ` +
    `${execFileSync('tcpdump', ['--version'], { encoding: 'utf8' }).split('\n')[0]}, Node ${process.version}`;
}

let headerPrinted = false;
function printRow(rate: string, runs: ToolRun[]): void {
  if (!headerPrinted) {
    console.log(`machine: ${machine()}`);
    console.log(`filter: ${FILTER}; ring ${RING_KIB} KiB; both write a file (tcpdump pcap, sievecap pcapng)`);
    console.log('| offered rate (pps) | tool | offered | captured | dropped | CPU s | CPU s net of idle | µs CPU/packet |');
    console.log('|---|---|---|---|---|---|---|---|');
    headerPrinted = true;
  }
  for (const r of runs) {
    const net = Math.max(0, r.cpuSeconds - r.idleCpuSeconds);
    console.log(
      `| ${rate} | ${r.tool} | ${r.offered} | ${r.captured} | ${r.dropped} | ${r.cpuSeconds.toFixed(3)} | ${net.toFixed(3)} | ${r.captured ? ((net / r.captured) * 1e6).toFixed(3) : '-'} |`,
    );
  }
  const [t, s] = runs;
  if (t && s) {
    const netT = Math.max(1e-9, t.cpuSeconds - t.idleCpuSeconds);
    const netS = Math.max(0, s.cpuSeconds - s.idleCpuSeconds);
    console.log(
      `| ${rate} | **sievecap/tcpdump** | | ${(s.captured / Math.max(1, t.captured)).toFixed(3)} | ${s.dropped}/${t.dropped} | ${(s.cpuSeconds / t.cpuSeconds).toFixed(2)} | ${(netS / netT).toFixed(2)} | |`,
    );
  }
}

main().catch((err: unknown) => {
  console.error(`bench/capture: ${(err as Error).stack ?? String(err)}`);
  process.exitCode = 1;
});
