/**
 * bench/ui: the desktop UI on a capture of a million packets, as a user drives it — Debian's
 * Chromium (playwright-core) against `sievecap serve`, both inside a network namespace of the
 * benchmark's own — side by side with `tshark -r` on the same file for the display filters:
 *
 *   node dist/bench/ui/run.js [--packets 1000000] [--mixes traffic,corpus|none] [--seed FILE ...]
 *        [--json out.json] [--keep] [--profile DIR] [--parts scroll,select,filters,live]
 *        [--live-pps 50000] [--live-seconds 10]
 *
 * Mixes (each replicated to --packets by bench/decode/replicate.ts, time stamps shifted):
 *   traffic  real traffic captured between network namespaces (bench/decode/traffic.ts: HTTP over
 *            IPv4 and IPv6, DNS, ping, UDP to a closed port, ARP/ND)
 *   corpus   the shared corpus's Ethernet captures of chrissanders-packets merged (HTTP, DNS, DHCP,
 *            TCP scans, retransmissions, ARP, ICMP, IPv6 …: everyday mixed traffic of other networks)
 *   --seed F one more mix per file given
 *
 * For each mix:
 *   open      Open (serve mode: a path on this machine) → the first rows visible; → indexing done
 *             (no progress left in the status bar, "Packets: N" equal to tshark's count)
 *   scroll    wheel scrolling through the list, Page Down, End and Home; frame intervals
 *             (requestAnimationFrame in the page) and the renderer main thread's longest tasks
 *             (Chromium's performance trace, RunTask events)
 *   select    Down-arrow through 100 rows: frame intervals and tasks as above, and the time until
 *             the details pane shows the last selected packet
 *   filter    a display filter on addresses, on ports, and two on application fields: Enter → the
 *             view complete (count equal to tshark -Y's), against `tshark -r F -Y FILTER -T fields
 *             -e frame.number` on the same file (its wall time)
 *   live      (once, with the first mix's seed) Start capture on a veth of the namespace, no filter;
 *             tcpreplay of the seed from the peer namespace at --live-pps (50000) for
 *             --live-seconds (10): frame intervals and tasks meanwhile, the list following the
 *             count (sampled every 250 ms), and the kernel's drops in the status bar
 *   memory    the renderer's JS heap (CDP Performance.getMetrics) and the renderer processes' RSS
 *             (/proc), after opening and at the end
 *
 * --profile DIR writes the renderer's CPU profiles of the scroll and select parts there
 * (MIX-scroll.cpuprofile: open them in Chromium's DevTools, Performance panel), and the serve
 * process's profile of the filters (MIX-filters-serve.cpuprofile, node --cpu-prof).
 * --parts scroll,select,filters,live,open leaves out the parts not named (open runs with any of
 * the first four).
 *
 * Targets (issue 14): first rows ≤ 1 s; frames ≤ 16 ms while scrolling and selecting; filters on
 * addresses/ports ≤ 2 s, on application fields ≤ 5 s; renderer memory ≤ 300 MB.
 * Needs root (namespaces), Chromium (SIEVECAP_CHROMIUM), playwright-core, tshark, mergecap.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { CaptureReader } from '../../app/pcap/reader';
import { Dissector } from '../../app/dissect/dissector';
import { launchChromium } from '../../tests/support/browser';
import { mergeCaptures } from '../../tests/support/merge';
import { createNetnsPair, finished, sleep, waitForOutput } from '../../tests/support/netns';
import { replicateCapture } from '../decode/replicate';
import { benchArgs } from '../args';
import { captureSeedTraffic } from '../decode/traffic';

const USAGE = `usage: node dist/bench/ui/run.js [--packets 1000000] [--mixes traffic,corpus|none] [--seed FILE ...]
    [--json out.json] [--keep] [--profile DIR] [--parts scroll,select,filters,live] [--live-pps 50000] [--live-seconds 10]
The desktop UI on a million packets, in Chromium over serve, vs tshark -Y (bench/README.md, "bench/ui"). Run as root.`;

const args = benchArgs(USAGE, {
  packets: { value: true },
  mixes: { value: true },
  seed: { value: true, multiple: true },
  json: { value: true },
  keep: {},
  profile: { value: true },
  parts: { value: true },
  'live-pps': { value: true },
  'live-seconds': { value: true },
});
/** The option's value; an empty one counts as not given. */
function argValue(name: string, fallback: string): string {
  return args.string(name.replace(/^--/, ''), '') || fallback;
}
function argValues(name: string): string[] {
  return args.all(name.replace(/^--/, ''));
}

const ROOT = path.resolve(__dirname, '../../..');
const CLI = path.join(ROOT, 'dist/app/cli/main.js');
const RENDERER = path.join(ROOT, 'dist/renderer');
const WAIT = 120_000;


function requireTools(): void {
  if (process.getuid?.() !== 0) throw new Error('bench/ui needs root: it runs serve and Chromium in a network namespace of its own');
  for (const t of ['tshark', 'mergecap', 'ip']) {
    if (spawnSync('sh', ['-c', `command -v ${t}`]).status !== 0) throw new Error(`${t} is needed by bench/ui but is not installed`);
  }
  for (const f of [CLI, path.join(RENDERER, 'index.html')]) if (!fs.existsSync(f)) throw new Error(`${f} is missing: run npm run build:ts and npm run build:renderer`);
}

interface FrameStats {
  frames: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  over16: number;
}
interface TaskStats {
  tasks: number;
  longest: number;
  over16: number;
  over50: number;
  /** The same by the main thread's CPU time in each task (the trace's tdur): what is left when the other processes of a busy machine are not counted. */
  cpuLongest: number;
  cpuOver16: number;
  /** Tasks left out: the benchmark's own DevTools commands. */
  instrumentTasks: number;
}
interface FilterResult {
  filter: string;
  kind: 'header' | 'application';
  oursMs: number;
  oursCount: number;
  tsharkMs: number;
  tsharkCount: number;
}
interface MixResult {
  mix: string;
  packets: number;
  mib: number;
  firstRowsMs: number;
  indexedMs: number;
  scroll: { frames: FrameStats; tasks: TaskStats; endRowsMs: number; homeRowsMs: number };
  select: { frames: FrameStats; tasks: TaskStats; detailsMs: number };
  filters: FilterResult[];
  memoryAfterOpen: { jsHeapMiB: number; rendererRssMiB: number };
  memoryAtEnd: { jsHeapMiB: number; rendererRssMiB: number };
}

function frameStats(intervals: number[]): FrameStats {
  const s = [...intervals].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? 0;
  return { frames: s.length, p50: q(0.5), p95: q(0.95), p99: q(0.99), max: s[s.length - 1] ?? 0, over16: s.filter((x) => x > 16.7 * 1.5).length };
}

type TraceEvent = { name: string; ph: string; pid: number; tid: number; ts: number; dur?: number; tdur?: number; args?: { name?: string; chrome_mojo_event_info?: { mojo_interface_tag?: string } } };

/**
 * RunTask durations (ms) of the renderer main thread with the most of them, from a Chromium trace.
 * Tasks that run a DevTools command are left out: they are this benchmark's own instruments (the
 * CPU profiler starting and stopping with --profile, Performance.getMetrics), not the page's work;
 * `instrumentTasks` counts them.
 */
function taskStats(trace: Buffer): TaskStats {
  const events = (JSON.parse(trace.toString('utf8')) as { traceEvents: TraceEvent[] }).traceEvents;
  const mains = new Set(events.filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain').map((e) => `${e.pid}:${e.tid}`));
  const byThread = new Map<string, Array<{ ts: number; end: number; wall: number; cpu: number }>>();
  const devtools = new Map<string, number[]>();
  for (const e of events) {
    if (e.ph !== 'X' || e.dur === undefined) continue;
    const key = `${e.pid}:${e.tid}`;
    if (!mains.has(key)) continue;
    if (e.name === 'RunTask') (byThread.get(key) ?? byThread.set(key, []).get(key)!).push({ ts: e.ts, end: e.ts + e.dur, wall: e.dur / 1000, cpu: (e.tdur ?? e.dur) / 1000 });
    else if (e.name === 'Receive mojo message' && e.args?.chrome_mojo_event_info?.mojo_interface_tag === 'blink.mojom.DevToolsSession') (devtools.get(key) ?? devtools.set(key, []).get(key)!).push(e.ts);
  }
  const [thread, all] = [...byThread].sort((a, b) => b[1].length - a[1].length)[0] ?? ['', []];
  const commands = devtools.get(thread) ?? [];
  const tasks = all.filter((t) => !commands.some((ts) => ts >= t.ts && ts < t.end));
  const durations = tasks.map((t) => t.wall);
  const cpu = tasks.map((t) => t.cpu);
  return {
    tasks: durations.length, longest: Math.max(0, ...durations), over16: durations.filter((d) => d > 16.7).length, over50: durations.filter((d) => d > 50).length,
    cpuLongest: Math.max(0, ...cpu), cpuOver16: cpu.filter((d) => d > 16.7).length, instrumentTasks: all.length - tasks.length,
  };
}

/** Records requestAnimationFrame intervals in the page until stopFrames(). */
async function startFrames(page: Page): Promise<void> {
  await page.evaluate(`(() => {
    window.__frames = [];
    window.__recording = true;
    let last = performance.now();
    const tick = (t) => {
      window.__frames.push(t - last);
      last = t;
      if (window.__recording) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  })()`);
}
async function stopFrames(page: Page): Promise<number[]> {
  return (await page.evaluate('(window.__recording = false, window.__frames.slice(1))')) as number[];
}

/** In the page (a function, not a string: the page's CSP forbids eval): no progress left in the status bar, and its text matches PATTERN. */
function statusSettled(pattern: string): boolean {
  const footer = (globalThis as any).document.querySelector('footer[aria-label="Status"]');
  return footer !== null && footer.querySelector('progress') === null && new RegExp(pattern).test(footer.textContent ?? '');
}

/** In the page: the status bar shows no "(N%)" of a display filter. */
function noViewShown(): boolean {
  return !/\(\d+(\.\d+)?%\)/.test((globalThis as any).document.querySelector('footer[aria-label="Status"]')?.textContent ?? '');
}

/** RSS of Chromium's renderer processes (MiB): the largest, which is the page's. */
function rendererRssMiB(): number {
  let largest = 0;
  for (const pid of fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (!cmdline.includes('--type=renderer')) continue;
      const rss = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
      if (rss) largest = Math.max(largest, Number(rss) / 1024);
    } catch {
      // the process ended meanwhile
    }
  }
  return largest;
}

async function memory(page: Page): Promise<{ jsHeapMiB: number; rendererRssMiB: number }> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('HeapProfiler.collectGarbage').catch(() => undefined);
  await cdp.send('Performance.enable');
  const { metrics } = await cdp.send('Performance.getMetrics');
  await cdp.detach();
  const heap = metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? 0;
  return { jsHeapMiB: heap / 2 ** 20, rendererRssMiB: rendererRssMiB() };
}

/** tshark -r F -Y FILTER: wall ms and the frames it selects. */
function tsharkFilter(file: string, filter: string): { ms: number; count: number } {
  const t0 = performance.now();
  const r = spawnSync('tshark', ['-n', '-r', file, '-Y', filter, '-T', 'fields', '-e', 'frame.number'], { encoding: 'utf8', maxBuffer: 1 << 30 });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`tshark -Y ${filter}: ${r.stderr}`);
  return { ms, count: r.stdout.split('\n').filter(Boolean).length };
}

/** Filters for a file: an address and a port that occur in it, and two on application fields. */
function filtersFor(seed: string): Array<{ filter: string; kind: 'header' | 'application' }> {
  const addresses = new Map<string, number>();
  const ports = new Map<number, number>();
  const reader = CaptureReader.open(seed);
  const d = new Dissector();
  let n = 0;
  for (let p = reader.next(); p && n < 20000; p = reader.next(), n++) {
    const packet = d.dissect({ number: n + 1, tsNs: p.tsNs, data: Buffer.from(p.data), origLen: p.origLen, linkType: p.linkType, flags: p.flags });
    const s = packet.summary;
    if (/^\d+\.\d+\.\d+\.\d+$/.test(s.source)) addresses.set(s.source, (addresses.get(s.source) ?? 0) + 1);
    for (const layer of packet.layers) {
      if (layer.protocol !== 'tcp') continue;
      for (const f of layer.fields) if (f.abbrev === 'tcp.dstport' && typeof f.value === 'number') ports.set(f.value, (ports.get(f.value) ?? 0) + 1);
    }
  }
  reader.close();
  const top = <K>(m: Map<K, number>): K | undefined => [...m.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
  const address = top(addresses) ?? '10.0.0.1';
  const port = top(ports) ?? 80;
  return [
    { filter: `ip.addr == ${address}`, kind: 'header' },
    { filter: `tcp.port == ${port} || udp.port == 53`, kind: 'header' },
    { filter: 'http.request', kind: 'application' },
    { filter: 'dns.qry.name contains "a"', kind: 'application' },
  ];
}

async function seedTraffic(tmp: string): Promise<string> {
  const seed = path.join(tmp, 'seed-traffic.pcap');
  const pair = createNetnsPair();
  try {
    const n = await captureSeedTraffic(pair, tmp, seed, { rounds: 8 });
    console.log(`traffic seed: ${n} packets captured on ${pair.vethA}`);
  } finally {
    pair.destroy();
  }
  return seed;
}

function seedCorpus(tmp: string): string {
  const corpus = process.env.SIEVECAP_CORPUS || path.resolve(ROOT, '../shared/corpus');
  const dir = path.join(corpus, 'chrissanders-packets');
  if (!fs.existsSync(dir)) throw new Error(`no corpus at ${dir}: set SIEVECAP_CORPUS or pass --mixes traffic`);
  const files = fs.readdirSync(dir).filter((f) => /\.pcap(ng)?$/.test(f)).sort().map((f) => path.join(dir, f)).filter((f) => {
    try {
      const r = CaptureReader.open(f);
      const first = r.next();
      r.close();
      return first?.linkType === 1;
    } catch {
      return false;
    }
  });
  const merged = mergeCaptures(files, path.join(tmp, 'seed-corpus.pcapng'));
  if (!merged.file) throw new Error('no Ethernet capture in the corpus could be merged');
  console.log(`corpus seed: ${files.length - merged.apart.length} Ethernet captures of chrissanders-packets merged`);
  return merged.file;
}

const PROFILE_DIR = argValue('--profile', '');
const PARTS = new Set(argValue('--parts', 'scroll,select,filters,live').split(','));
/** The live part: packets per second offered, and for how long. */
const LIVE_PPS = Number(argValue('--live-pps', '50000'));
const LIVE_SECONDS = Number(argValue('--live-seconds', '10'));

/** Starts the page's CPU profiler when --profile is given; the returned function stops it and writes DIR/NAME.cpuprofile. */
async function startProfile(page: Page, name: string): Promise<() => Promise<void>> {
  if (!PROFILE_DIR) return async () => undefined;
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
  await cdp.send('Profiler.start');
  return async () => {
    const { profile } = await cdp.send('Profiler.stop');
    fs.mkdirSync(PROFILE_DIR, { recursive: true });
    fs.writeFileSync(path.join(PROFILE_DIR, `${name}.cpuprofile`), JSON.stringify(profile));
    await cdp.detach();
  };
}

/** With --profile, writes a performance trace to DIR/NAME.trace.json (DevTools' Performance panel opens it). */
function keepTrace(name: string, trace: Buffer): Buffer {
  if (PROFILE_DIR) {
    fs.mkdirSync(PROFILE_DIR, { recursive: true });
    fs.writeFileSync(path.join(PROFILE_DIR, `${name}.trace.json`), trace);
  }
  return trace;
}

/** The trace's categories: tasks, and with --profile what runs in them (scripts, style, layout, paint). */
const TRACE_CATEGORIES = ['toplevel', 'disabled-by-default-devtools.timeline', ...(PROFILE_DIR ? ['devtools.timeline', 'blink.user_timing'] : [])];

const NOT_MEASURED: TaskStats = { tasks: 0, longest: 0, over16: 0, over50: 0, cpuLongest: 0, cpuOver16: 0, instrumentTasks: 0 };

async function measureMix(mix: string, file: string, packets: number, tmp: string): Promise<MixResult> {
  const pair = createNetnsPair();
  let serve: ChildProcess | null = null;
  const launched = { close: async () => undefined as void } as { close: () => Promise<void> };
  try {
    const { SUDO_UID: _u, SUDO_GID: _g, SUDO_USER: _s, ...env } = process.env;
    const cpuProf = PROFILE_DIR ? ['--cpu-prof', '--cpu-prof-dir', path.resolve(PROFILE_DIR), '--cpu-prof-name', `${mix}-serve.cpuprofile`] : [];
    serve = spawn('ip', ['netns', 'exec', pair.nsA, process.execPath, '--single-threaded', ...cpuProf, CLI, 'serve', '--port', '0'], {
      env: { ...env, SIEVECAP_RENDERER_DIR: RENDERER, XDG_CONFIG_HOME: path.join(tmp, `config-${mix}`) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out = await waitForOutput(serve, 'stdout', /Press Ctrl-C to stop/, 'sievecap serve', 30_000);
    const url = /http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{64}/.exec(out)?.[0];
    if (!url) throw new Error(`serve printed no URL: ${out}`);
    const browser = await launchChromium({ netns: pair.nsA });
    launched.close = () => browser.close();
    const page = await browser.browser.newPage({ viewport: { width: 1400, height: 900 }, colorScheme: 'light' });
    page.setDefaultTimeout(WAIT);
    await page.goto(url);
    await page.getByRole('main', { name: 'Start' }).waitFor();

    // ---- open
    await page.keyboard.press('Control+o');
    const dialog = page.getByRole('dialog', { name: 'Open capture file' });
    await dialog.getByRole('textbox', { name: 'Path on the machine running Sievecap' }).fill(file);
    const grid = page.getByRole('grid', { name: 'Packet list' });
    const status = page.getByRole('contentinfo', { name: 'Status' });
    const t0 = performance.now();
    await dialog.getByRole('button', { name: 'Open' }).click();
    await grid.getByRole('row').filter({ has: page.getByRole('gridcell', { name: '1', exact: true }) }).first().waitFor();
    const firstRowsMs = performance.now() - t0;
    await page.waitForFunction(statusSettled, 'Loaded', { timeout: 600_000, polling: 50 });
    const indexedMs = performance.now() - t0;
    const footerText = (await status.innerText()).replace(/\s+/g, ' ');
    const shown = Number(/Packets: ([\d,]+)/.exec(footerText)?.[1]?.replace(/,/g, '') ?? NaN);
    if (shown !== packets) throw new Error(`the status bar says ${shown} packets, the file has ${packets}: ${footerText}`);
    const memoryAfterOpen = await memory(page);
    console.log(`[${mix}] first rows ${firstRowsMs.toFixed(0)} ms, indexed ${indexedMs.toFixed(0)} ms, ${shown} packets; renderer ${memoryAfterOpen.rendererRssMiB.toFixed(0)} MiB RSS, JS heap ${memoryAfterOpen.jsHeapMiB.toFixed(0)} MiB`);

    // ---- scroll
    let scrollFrames: number[] = [];
    let scrollTasks = NOT_MEASURED;
    let endRowsMs = 0;
    let homeRowsMs = 0;
    if (PARTS.has('scroll')) {
    const box = (await grid.boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await browser.browser.startTracing(page, { categories: TRACE_CATEGORIES });
    const stopProfile = await startProfile(page, `${mix}-scroll`);
    await startFrames(page);
    for (let i = 0; i < 150; i++) {
      await page.mouse.wheel(0, 400);
      await sleep(16);
    }
    await grid.click({ position: { x: 60, y: 60 } });
    for (let i = 0; i < 40; i++) {
      await page.keyboard.press('PageDown');
      await sleep(30);
    }
    scrollFrames = await stopFrames(page);
    await stopProfile();
    scrollTasks = taskStats(keepTrace(`${mix}-scroll`, await browser.browser.stopTracing()));
    const lastRow = grid.getByRole('row').filter({ has: page.getByRole('gridcell', { name: String(packets), exact: true }) }).first();
    let t = performance.now();
    await page.keyboard.press('End');
    await lastRow.waitFor();
    endRowsMs = performance.now() - t;
    t = performance.now();
    await page.keyboard.press('Home');
    await grid.getByRole('row').filter({ has: page.getByRole('gridcell', { name: '1', exact: true }) }).first().waitFor();
    homeRowsMs = performance.now() - t;
    console.log(`[${mix}] scroll: frames p95 ${frameStats(scrollFrames).p95.toFixed(1)} ms, longest task ${scrollTasks.longest.toFixed(1)} ms; End ${endRowsMs.toFixed(0)} ms, Home ${homeRowsMs.toFixed(0)} ms`);
    }

    // ---- select
    let selectFrames: number[] = [];
    let selectTasks = NOT_MEASURED;
    let detailsMs = 0;
    if (PARTS.has('select')) {
    if (!PARTS.has('scroll')) await grid.click({ position: { x: 60, y: 60 } });
    await browser.browser.startTracing(page, { categories: TRACE_CATEGORIES });
    const stopProfile = await startProfile(page, `${mix}-select`);
    await startFrames(page);
    for (let i = 0; i < 100; i++) {
      await page.keyboard.press('ArrowDown');
      await sleep(30);
    }
    const t = performance.now();
    const selected = grid.getByRole('row', { selected: true });
    const selectedNumber = (await selected.getByRole('gridcell').first().innerText()).trim();
    await page.getByRole('tree', { name: `Packet ${selectedNumber} details` }).waitFor();
    detailsMs = performance.now() - t;
    selectFrames = await stopFrames(page);
    await stopProfile();
    selectTasks = taskStats(keepTrace(`${mix}-select`, await browser.browser.stopTracing()));
    console.log(`[${mix}] select: frames p95 ${frameStats(selectFrames).p95.toFixed(1)} ms, longest task ${selectTasks.longest.toFixed(1)} ms; details of packet ${selectedNumber} ${detailsMs.toFixed(0)} ms after the last key`);
    }

    // ---- filters
    const filters: FilterResult[] = [];
    const filterBox = page.getByRole('search', { name: 'Display filter' }).getByRole('combobox').or(page.getByRole('search', { name: 'Display filter' }).getByRole('textbox')).first();
    for (const { filter, kind } of PARTS.has('filters') ? filtersFor(file) : []) {
      await filterBox.fill(filter);
      const f0 = performance.now();
      await filterBox.press('Enter');
      // Done: no progress left and "Displayed: N" shown for this view.
      await page.waitForFunction(statusSettled, 'Displayed: [\\d,]+ \\(', { timeout: 600_000, polling: 20 });
      const oursMs = performance.now() - f0;
      const text = (await status.innerText()).replace(/\s+/g, ' ');
      const oursCount = Number(/Displayed: ([\d,]+)/.exec(text)?.[1]?.replace(/,/g, '') ?? NaN);
      const theirs = tsharkFilter(file, filter);
      filters.push({ filter, kind, oursMs, oursCount, tsharkMs: theirs.ms, tsharkCount: theirs.count });
      console.log(`[${mix}] filter ${filter}: ours ${oursMs.toFixed(0)} ms (${oursCount}), tshark -Y ${theirs.ms.toFixed(0)} ms (${theirs.count})`);
      await filterBox.fill('');
      await filterBox.press('Enter');
      await page.waitForFunction(noViewShown, undefined, { timeout: 60_000 });
    }
    const memoryAtEnd = await memory(page);
    const stat = fs.statSync(file);
    return {
      mix, packets, mib: stat.size / 2 ** 20, firstRowsMs, indexedMs,
      scroll: { frames: frameStats(scrollFrames), tasks: scrollTasks, endRowsMs, homeRowsMs },
      select: { frames: frameStats(selectFrames), tasks: selectTasks, detailsMs },
      filters, memoryAfterOpen, memoryAtEnd,
    };
  } finally {
    await launched.close().catch(() => undefined);
    if (serve && serve.exitCode === null && serve.signalCode === null) {
      const done = finished(serve);
      serve.kill('SIGTERM');
      await Promise.race([done, sleep(5000)]);
      if (serve.exitCode === null && serve.signalCode === null) serve.kill('SIGKILL');
    }
    pair.destroy();
  }
}

interface LiveResult {
  seed: string;
  /** What tcpreplay sent and the rate it reached. */
  sent: number;
  ratePps: number;
  /** Packets: in the status bar once the count settled; Dropped: the kernel's count there. */
  captured: number;
  dropped: number;
  frames: FrameStats;
  tasks: TaskStats;
  /** Samples (every 250 ms while the traffic ran) of the packets counted against the last row visible in the list. */
  samples: number;
  /** Samples whose last visible row was within one second of traffic of the count (the list following). */
  following: number;
  /** Largest lag seen, in packets, between the count and the last visible row. */
  maxLag: number;
  /** Once the traffic ended: the last row visible is the last packet counted. */
  endFollowed: boolean;
  /** CPU used while the traffic ran, % of one CPU, by process kind. */
  cpuShare: Record<string, number>;
}

/** CPU seconds (user + system) so far of this machine's processes, by kind: sievecap serve, the capture helper, Chromium's renderer and other processes, tcpreplay. */
function processCpu(): Record<string, number> {
  const tick = 100;
  const out: Record<string, number> = {};
  for (const pid of fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      const kind = /tcpreplay/.test(cmdline) && !/^ip /.test(cmdline) ? 'tcpreplay'
        : /\bserve --port\b/.test(cmdline) && !/^ip /.test(cmdline) ? 'serve'
        : /app\/helper/.test(cmdline) ? 'helper'
        : /chrom/.test(cmdline) ? (/--type=renderer/.test(cmdline) ? 'chromium renderer' : 'chromium other')
        : null;
      if (!kind) continue;
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out[kind] = (out[kind] ?? 0) + (Number(fields[11]) + Number(fields[12])) / tick;
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** In the page: the status bar's packet count, and the highest frame number of a row wholly visible in the list. */
function liveSample(): { count: number; lastRow: number } {
  const doc = (globalThis as any).document;
  const footer = doc.querySelector('footer[aria-label="Status"]')?.textContent ?? '';
  const count = Number(/Packets: ([\d,]+)/.exec(footer)?.[1]?.replace(/,/g, '') ?? -1);
  const grid = doc.querySelector('[role="grid"][aria-label="Packet list"]');
  let lastRow = -1;
  if (grid) {
    const box = grid.getBoundingClientRect();
    for (const row of grid.querySelectorAll('[role="row"][aria-rowindex]')) {
      const r = row.getBoundingClientRect();
      const n = Number(row.querySelector('[role="gridcell"]')?.textContent?.trim());
      if (r.top >= box.top && r.bottom <= box.bottom + 1 && Number.isFinite(n)) lastRow = Math.max(lastRow, n);
    }
  }
  return { count, lastRow };
}

/**
 * The live part: Start capture on the namespace's veth (no filter), tcpreplay from the peer at
 * LIVE_PPS for LIVE_SECONDS (the seed replayed in a loop), frames and tasks measured meanwhile,
 * the list checked for following the count, and the kernel's drops from the status bar.
 */
async function measureLive(seedName: string, seed: string, tmp: string): Promise<LiveResult> {
  const pair = createNetnsPair();
  let serve: ChildProcess | null = null;
  let replay: ChildProcess | null = null;
  const launched = { close: async () => undefined as void } as { close: () => Promise<void> };
  try {
    const { SUDO_UID: _u, SUDO_GID: _g, SUDO_USER: _s, ...env } = process.env;
    const cpuProf = PROFILE_DIR ? ['--cpu-prof', '--cpu-prof-dir', path.resolve(PROFILE_DIR), '--cpu-prof-name', 'live-serve.cpuprofile'] : [];
    serve = spawn('ip', ['netns', 'exec', pair.nsA, process.execPath, ...cpuProf, CLI, 'serve', '--port', '0'], {
      env: { ...env, SIEVECAP_RENDERER_DIR: RENDERER, XDG_CONFIG_HOME: path.join(tmp, 'config-live') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out = await waitForOutput(serve, 'stdout', /Press Ctrl-C to stop/, 'sievecap serve', 30_000);
    const url = /http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{64}/.exec(out)?.[0];
    if (!url) throw new Error(`serve printed no URL: ${out}`);
    const browser = await launchChromium({ netns: pair.nsA });
    launched.close = () => browser.close();
    const page = await browser.browser.newPage({ viewport: { width: 1400, height: 900 }, colorScheme: 'light' });
    page.setDefaultTimeout(WAIT);
    await page.goto(url);
    const start = page.getByRole('main', { name: 'Start' });
    const veth = start.getByRole('checkbox', { name: new RegExp(`^${pair.vethA}\\b`) });
    await veth.check();
    await start.getByRole('textbox', { name: /^Capture filter/ }).fill('');
    await start.getByRole('button', { name: 'Start capture' }).click();
    const state = page.getByRole('contentinfo', { name: 'Status' }).getByRole('status');
    await page.waitForFunction(() => /Capturing$/.test((globalThis as any).document.querySelector('footer[aria-label="Status"] [role="status"]')?.textContent?.trim() ?? ''));

    const packets = LIVE_PPS * LIVE_SECONDS;
    const seedPackets = countPackets(seed);
    await browser.browser.startTracing(page, { categories: TRACE_CATEGORIES });
    const stopProfile = await startProfile(page, `live-${seedName}`);
    await startFrames(page);
    const cpuBefore = processCpu();
    const t0 = performance.now();
    replay = pair.spawn(pair.nsB, ['tcpreplay', '-q', '-K', '-i', pair.vethB, `--pps=${LIVE_PPS}`, `--loop=${Math.ceil(packets / seedPackets)}`, `--limit=${packets}`, seed]);
    const replayDone = finished(replay);
    let samples = 0;
    let following = 0;
    let maxLag = 0;
    let replayed: Awaited<typeof replayDone> | null = null;
    void replayDone.then((r) => (replayed = r));
    while (replayed === null) {
      await sleep(250);
      const { count, lastRow } = (await page.evaluate(liveSample)) as { count: number; lastRow: number };
      if (count <= 0) continue;
      samples++;
      const lag = count - lastRow;
      maxLag = Math.max(maxLag, lag);
      if (lastRow > 0 && lag <= LIVE_PPS) following++;
      if (process.env.SIEVECAP_BENCH_DEBUG) console.log(`  sample: count ${count}, last row ${lastRow}`);
    }
    const cpuAfter = processCpu();
    const wallS = (performance.now() - t0) / 1000;
    const cpuShare = Object.fromEntries(Object.entries(cpuAfter).map(([k, v]) => [k, Math.round(((v - (cpuBefore[k] ?? 0)) / wallS) * 100)]));
    const frames = await stopFrames(page);
    await stopProfile();
    const tasks = taskStats(keepTrace(`live-${seedName}`, await browser.browser.stopTracing()));
    const replayOut = `${(replayed as { stdout: string } | null)?.stdout ?? ''}`;
    const sent = Number(/Successful packets:\s+(\d+)/.exec(replayOut)?.[1] ?? NaN);
    const ratePps = Number(/Rated:.*?([\d.]+) pps/.exec(replayOut)?.[1] ?? NaN);
    // The count settles (nothing more arrives), then the list's last row is that count's packet.
    let last = -1;
    let since = performance.now();
    for (;;) {
      const { count } = (await page.evaluate(liveSample)) as { count: number; lastRow: number };
      if (count !== last) {
        last = count;
        since = performance.now();
      } else if (performance.now() - since > 1500) break;
      await sleep(100);
    }
    await sleep(300);
    const end = (await page.evaluate(liveSample)) as { count: number; lastRow: number };
    const footerText = (await page.getByRole('contentinfo', { name: 'Status' }).innerText()).replace(/\s+/g, ' ');
    const dropped = Number(/Dropped: ([\d,]+)/.exec(footerText)?.[1]?.replace(/,/g, '') ?? NaN);
    await page.getByRole('button', { name: 'Stop capturing' }).click();
    await state.filter({ hasText: 'Capture stopped' }).waitFor();
    const result: LiveResult = {
      seed: seedName, sent, ratePps, captured: end.count, dropped, frames: frameStats(frames), tasks, samples, following, maxLag, endFollowed: end.lastRow === end.count, cpuShare,
    };
    console.log(`[live] ${sent} packets sent at ${ratePps} pps; captured ${end.count}, dropped ${dropped}; frames p95 ${result.frames.p95.toFixed(1)} ms, longest task ${tasks.longest.toFixed(1)} ms (CPU ${tasks.cpuLongest.toFixed(1)} ms); following ${following}/${samples}, largest lag ${maxLag}, last row at the end ${end.lastRow} of ${end.count}`);
    return result;
  } finally {
    if (replay && replay.exitCode === null && replay.signalCode === null) replay.kill('SIGTERM');
    await launched.close().catch(() => undefined);
    if (serve && serve.exitCode === null && serve.signalCode === null) {
      const done = finished(serve);
      serve.kill('SIGTERM');
      await Promise.race([done, sleep(5000)]);
      if (serve.exitCode === null && serve.signalCode === null) serve.kill('SIGKILL');
    }
    pair.destroy();
  }
}

function countPackets(file: string): number {
  let n = 0;
  const reader = CaptureReader.open(file);
  try {
    while (reader.next()) n++;
  } finally {
    reader.close();
  }
  return n;
}

function liveReport(r: LiveResult): string {
  const ok = (met: boolean) => (met ? 'met' : 'NOT met');
  return [
    `\n### live: Start capture on a veth, tcpreplay of ${r.seed} from the peer namespace at ${LIVE_PPS.toLocaleString('en-US')} pps for ${LIVE_SECONDS} s`,
    '', '| measure | figure | target |', '|---|---|---|',
    `| offered | ${r.sent.toLocaleString('en-US')} packets at ${Math.round(r.ratePps).toLocaleString('en-US')} pps (tcpreplay) | |`,
    `| captured / kernel drops (status bar) | ${r.captured.toLocaleString('en-US')} / ${r.dropped.toLocaleString('en-US')} | no drops: ${ok(r.dropped === 0 && r.captured >= r.sent)} |`,
    `| frame interval p50 / p95 / p99 / max | ${r.frames.p50.toFixed(1)} / ${r.frames.p95.toFixed(1)} / ${r.frames.p99.toFixed(1)} / ${r.frames.max.toFixed(1)} ms (${r.frames.frames} frames, ${r.frames.over16} over 25 ms) | p95 ≤ 16.7 ms: ${ok(r.frames.p95 <= 16.7 + 0.5)} |`,
    `| renderer main-thread tasks (trace) | longest ${r.tasks.longest.toFixed(1)} ms; ${r.tasks.over16} over 16.7 ms, ${r.tasks.over50} over 50 ms, of ${r.tasks.tasks}${r.tasks.instrumentTasks ? ` (${r.tasks.instrumentTasks} DevTools commands of the benchmark left out)` : ''} | ≤ 16 ms: ${ok(r.tasks.longest <= 16.7)} |`,
    `| the same tasks by main-thread CPU time | longest ${r.tasks.cpuLongest.toFixed(1)} ms; ${r.tasks.cpuOver16} over 16.7 ms | |`,
    `| CPU while the traffic ran (% of one CPU) | ${Object.entries(r.cpuShare).map(([k, v]) => `${k} ${v}`).join(', ')} | |`,
    `| list following (every 250 ms: last visible row within 1 s of traffic of the count) | ${r.following} of ${r.samples}; largest lag ${r.maxLag.toLocaleString('en-US')} packets; at the end the last row is the last packet: ${r.endFollowed ? 'yes' : 'no'} | ${ok(r.following === r.samples && r.endFollowed)} |`,
  ].join('\n');
}

function report(results: MixResult[]): string {
  const lines: string[] = [];
  const ok = (met: boolean) => (met ? 'met' : 'NOT met');
  for (const r of results) {
    lines.push(`\n### ${r.mix}: ${r.packets.toLocaleString('en-US')} packets, ${r.mib.toFixed(0)} MiB`);
    lines.push('', '| measure | figure | target |', '|---|---|---|');
    lines.push(`| first rows visible after Open | ${r.firstRowsMs.toFixed(0)} ms | ≤ 1000 ms: ${ok(r.firstRowsMs <= 1000)} |`);
    lines.push(`| indexing done (progress in the status bar meanwhile) | ${(r.indexedMs / 1000).toFixed(2)} s | |`);
    for (const [name, s] of [['scrolling (wheel, Page Down)', r.scroll], ['selecting (Down × 100)', r.select]] as const) {
      lines.push(`| ${name}: frame interval p50 / p95 / p99 / max | ${s.frames.p50.toFixed(1)} / ${s.frames.p95.toFixed(1)} / ${s.frames.p99.toFixed(1)} / ${s.frames.max.toFixed(1)} ms (${s.frames.frames} frames, ${s.frames.over16} over 25 ms) | p95 ≤ 16.7 ms: ${ok(s.frames.p95 <= 16.7 + 0.5)} |`);
      lines.push(`| ${name}: renderer main-thread tasks (trace) | longest ${s.tasks.longest.toFixed(1)} ms; ${s.tasks.over16} over 16.7 ms, ${s.tasks.over50} over 50 ms, of ${s.tasks.tasks}${s.tasks.instrumentTasks ? ` (${s.tasks.instrumentTasks} DevTools commands of the benchmark left out)` : ''} | ≤ 16 ms: ${ok(s.tasks.longest <= 16.7)} |`);
      lines.push(`| ${name}: the same tasks by main-thread CPU time | longest ${s.tasks.cpuLongest.toFixed(1)} ms; ${s.tasks.cpuOver16} over 16.7 ms | |`);
    }
    lines.push(`| End (last packet's row visible) / Home | ${r.scroll.endRowsMs.toFixed(0)} / ${r.scroll.homeRowsMs.toFixed(0)} ms | |`);
    lines.push(`| details of the selected packet after the last key | ${r.select.detailsMs.toFixed(0)} ms | |`);
    for (const f of r.filters) {
      const limit = f.kind === 'header' ? 2000 : 5000;
      const same = f.oursCount === f.tsharkCount ? 'same count' : `COUNT DIFFERS (tshark ${f.tsharkCount})`;
      lines.push(`| filter \`${f.filter}\` (${f.kind}) | ${(f.oursMs / 1000).toFixed(2)} s, ${f.oursCount.toLocaleString('en-US')} packets; tshark -Y ${(f.tsharkMs / 1000).toFixed(2)} s (${(f.tsharkMs / f.oursMs).toFixed(1)}×), ${same} | ≤ ${limit / 1000} s: ${ok(f.oursMs <= limit)} |`);
    }
    const peak = Math.max(r.memoryAfterOpen.rendererRssMiB, r.memoryAtEnd.rendererRssMiB);
    lines.push(`| renderer memory: RSS after open / at end; JS heap | ${r.memoryAfterOpen.rendererRssMiB.toFixed(0)} / ${r.memoryAtEnd.rendererRssMiB.toFixed(0)} MiB; ${r.memoryAfterOpen.jsHeapMiB.toFixed(0)} / ${r.memoryAtEnd.jsHeapMiB.toFixed(0)} MiB | ≤ 300 MB: ${ok(peak * 1.048576 <= 300)} |`);
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  requireTools();
  const packets = Number(argValue('--packets', '1000000'));
  // `--mixes none` (or '') with --seed: only the seeds given.
  const mixes = (args.has('mixes') ? args.string('mixes', '') : 'traffic,corpus').split(',').filter((m) => m !== '' && m !== 'none');
  const jsonOut = argValue('--json', '');
  const keep = args.flag('keep');
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-bench-ui-'));
  fs.chmodSync(tmp, 0o755);
  const results: MixResult[] = [];
  try {
    const seeds: Array<[string, string]> = [];
    for (const mix of mixes) {
      if (mix === 'traffic') seeds.push([mix, await seedTraffic(tmp)]);
      else if (mix === 'corpus') seeds.push([mix, seedCorpus(tmp)]);
      else throw new Error(`unknown mix ${mix}: traffic or corpus (or --seed FILE)`);
    }
    argValues('--seed').forEach((f, i) => seeds.push([`seed${i + 1} (${path.basename(f)})`, path.resolve(f)]));
    const load = os.loadavg()[0]!.toFixed(2);
    let live: LiveResult | null = null;
    if (PARTS.has('live') && seeds.length > 0) live = await measureLive(seeds[0]![0], seeds[0]![1], tmp);
    const mixParts = ['open', 'scroll', 'select', 'filters'].some((part) => PARTS.has(part));
    for (const [mix, seed] of mixParts ? seeds : []) {
      const big = path.join(tmp, `big-${results.length}.pcap`);
      const rep = replicateCapture(seed, big, packets);
      console.log(`[${mix}] ${rep.packets} packets (${rep.copies} copies of ${rep.seedPackets}), ${(rep.bytes / 2 ** 20).toFixed(0)} MiB`);
      results.push(await measureMix(mix, big, rep.packets, tmp));
      if (!keep) fs.rmSync(big, { force: true });
    }
    const chromium = spawnSync(process.env.SIEVECAP_CHROMIUM || '/usr/bin/chromium', ['--version'], { encoding: 'utf8' }).stdout.trim();
    const tshark = spawnSync('tshark', ['--version'], { encoding: 'utf8' }).stdout.split('\n')[0];
    console.log(`\n## bench/ui — ${os.cpus()[0]?.model ?? 'cpu'}, ${os.cpus().length} CPUs, ${chromium}, ${tshark}, Node ${process.version}; load average ${load} before, ${os.loadavg()[0]!.toFixed(2)} after`);
    console.log(report(results));
    if (live) console.log(liveReport(live));
    if (jsonOut) fs.writeFileSync(jsonOut, JSON.stringify({ mixes: results, live }, null, 2));
  } finally {
    if (!keep) fs.rmSync(tmp, { recursive: true, force: true });
    else console.log(`kept ${tmp}`);
  }
}

main().catch((err) => {
  console.error(`bench/ui: ${(err as Error).stack ?? err}`);
  process.exit(1);
});
