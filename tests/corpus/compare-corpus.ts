/**
 * `npm run test:corpus -- [DIR] [--min-agreement PERCENT] [--min-conv-agreement PERCENT]
 * [--min-filter-agreement PERCENT] [--no-stats] [--no-cache] [--no-desegment] [--then-no-desegment]`: every capture file under DIR (default:
 * the shared corpus, see tests/support/corpus.ts) is read and dissected by Sievecap and
 * by tshark (`tshark -r FILE -n -T fields -E occurrence=a -e …`), and the values of CORPUS_FIELDS
 * are compared packet by packet. Prints per-field agreement, the files that differ and why, and
 * any crash, uncaught error or slow packet. Exit status 1 when agreement is under the target or
 * anything crashed.
 *
 * Then (unless --no-stats) the statistics: conversation tables (`-z conv,eth|ip|ipv6|tcp|udp`, row
 * by row against `tshark -n -q -z conv,…`) and the frames CORPUS_FILTERS select (against tshark's
 * display filters), with their own bars; see stats-reference.ts and stats-compare.ts.
 *
 * Only values where at least one side is non-empty count, so absent fields do not inflate the
 * figure. Both sides run with tshark's default preferences: TCP desegmentation on (PDUs spread
 * over segments dissected on the frame that completes them); `--no-desegment` turns it off on
 * both sides (`-o tcp.desegment_tcp_streams:FALSE`), every segment dissected on its own.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { CaptureReader } from '../../app/pcap/reader';
import { Dissector } from '../../app/dissect/dissector';
import { collectFields } from '../../app/cli/tshark/fields';
import { tsharkVersion } from '../../app/cli/tshark/compare';
import { CORPUS_FIELDS } from './fields';
import { compareStats, OurStats, reportStats, type StatsFileResult } from './stats-compare';
import { parseReference, splitCombinedOutput, spawnTsharkText, statsArgs, statsReference, STATS_KEY, type StatsReference } from './stats-reference';
import { cachedTshark, peekCached } from './tshark-cache';
import { CORPUS_VARIABLE, corpusLocation } from '../support/corpus';

/** The issue's target; `--min-agreement P` (percent) sets another bar, e.g. a regression guard in CI. */
const TARGET = percentArg('--min-agreement') ?? 0.995;
/**
 * Bars for the statistics, set just under what was measured on ../shared/corpus (tshark 4.0.17):
 * conversation rows 97.2% equal, filter selections 98.9% equal (most differences are dissector gaps:
 * link types and headers Sievecap does not decode yet). They guard against regressions.
 */
const CONV_TARGET = percentArg('--min-conv-agreement') ?? 0.97;
const FILTER_TARGET = percentArg('--min-filter-agreement') ?? 0.985;
let WITH_STATS = !process.argv.includes('--no-stats');
/**
 * `--no-desegment`: both sides with TCP desegmentation off (`-o tcp.desegment_tcp_streams:FALSE`,
 * Dissector `desegment: false`), every segment dissected on its own. Default: tshark's defaults
 * on both sides.
 */
let DESEGMENT = !process.argv.includes('--no-desegment');
let TSHARK_PREFERENCES = DESEGMENT ? [] : ['-o', 'tcp.desegment_tcp_streams:FALSE'];
/**
 * `--then-no-desegment`: after the run with tshark's defaults, the same comparison (fields and
 * chains, no statistics) with desegmentation off on both sides, as `--no-desegment --no-stats`
 * would print it. A file in which neither side saw TCP dissects the same either way (the option
 * only touches TCP), so its first result is used again and only the files with TCP are read a
 * second time: CI's two corpus runs in one, at about a third of the second's cost.
 */
const THEN_NO_DESEGMENT = process.argv.includes('--then-no-desegment') && DESEGMENT;
const FLAGS_WITH_VALUES = ['--min-agreement', '--min-conv-agreement', '--min-filter-agreement'];

function percentArg(flag: string): number | undefined {
  const k = process.argv.indexOf(flag);
  if (k < 0) return undefined;
  const value = Number(process.argv[k + 1]);
  if (!(value > 0 && value <= 100)) {
    console.error(`${flag} takes a percentage, e.g. 99.5`);
    process.exit(2);
  }
  return value / 100;
}
/**
 * A packet slower than this fails the run as a hang: 1 s plus 10 µs per captured byte. The bound
 * is for runaway work, not speed (a garbage-collection pause on a loaded machine can take tens of
 * ms); the slowest packet is printed so speed can be watched. One 63 KB DNS response in the corpus
 * carries 10,500 names and 63,000 fields: tshark needs 2.9 s for it, Sievecap 0.1–0.3 s.
 */
const slowLimitMs = (bytes: number): number => 1000 + bytes / 100;
const CONCURRENCY = 3;

interface FileResult {
  file: string;
  packets: number;
  compared: number;
  equal: number;
  perField: Map<string, { equal: number; total: number }>;
  mismatches: string[];
  note?: string;
  crash?: string;
  slowest: number;
  /** Slowest packet's time over its limit (> 1: reported as slow). */
  slowestRatio: number;
  stats?: StatsFileResult;
  /** frame.protocols equal to tshark's with its default preferences (TCP desegmentation on). */
  protocols: { equal: number; total: number; chains: Map<string, number>; examples: Map<string, string> };
  /** Whether either side saw TCP in the file (TCP desegmentation can change its dissection). */
  tcp: boolean;
}

/** Issue 12's target for protocol chains; reported beside the gates, not yet one of them. */
const PROTOCOLS_TARGET = 0.97;

function captureFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(pcap|pcapng|cap|ntar|dmp)(\.gz)?$/i.test(e.name) || /\.gz$/.test(e.name)) out.push(p);
    }
  };
  walk(dir);
  return out.sort();
}

/**
 * tshark's side of one file in ONE run: the CORPUS_FIELDS rows, each frame's protocol chain
 * (frame.protocols as a last column) and, with the statistics, the conversation tables and filter
 * matches (stats-reference.ts) — tshark's start-up is most of its time on the corpus's small files,
 * so one start per file instead of three. Cached on disk (tshark-cache.ts).
 *
 * With desegmentation off (`--no-desegment`), a file in which tshark's default run saw no TCP at
 * all dissects the same either way: that run's cached answer is used instead of starting tshark
 * again.
 */
interface TsharkSide {
  rows: string[][];
  chains: string[];
  stats?: StatsReference;
  error: string;
}

function referenceCommand(file: string, preferences: string[], withStats: boolean): { args: string[]; key: string } {
  const args = ['-r', file, '-n', ...preferences, '-T', 'fields', '-E', 'occurrence=a', '-E', 'separator=/t'];
  for (const f of CORPUS_FIELDS) args.push('-e', f);
  args.push('-e', 'frame.protocols');
  // The Lua script's path in statsArgs() is named by its content; the key holds the content itself.
  const key = `reference\n${args.slice(2).join('\n')}${withStats ? `\n${STATS_KEY}` : ''}`;
  if (withStats) args.push(...statsArgs());
  return { args, key };
}

function parseSide(output: { stdout: string; error: string }, withStats: boolean): TsharkSide {
  const { rows, statsText } = splitCombinedOutput(output.stdout);
  const fields = rows.map((line) => line.split('\t'));
  return {
    rows: fields,
    chains: fields.map((t) => t[CORPUS_FIELDS.length] ?? ''),
    stats: withStats ? parseReference(statsText, output.error) : undefined,
    error: output.error,
  };
}

async function tsharkSide(file: string, version: string): Promise<TsharkSide> {
  // Statistics are compared with tshark's defaults: with --no-desegment they need a run of their own.
  const combined = WITH_STATS && DESEGMENT;
  if (!DESEGMENT) {
    const defaults = referenceCommand(file, [], true);
    const earlier = peekCached<{ stdout: string; error: string }>(file, version, defaults.key);
    if (earlier) {
      const side = parseSide(earlier, false);
      if (side.rows.length > 0 && !side.chains.some((chain) => /(^|:)tcp(:|$)/.test(chain))) {
        if (WITH_STATS) side.stats = await statsReference(file, version);
        return side;
      }
    }
  }
  const { args, key } = referenceCommand(file, TSHARK_PREFERENCES, combined);
  const side = parseSide(await cachedTshark(file, version, key, () => spawnTsharkText(args)), combined);
  if (WITH_STATS && !combined) side.stats = await statsReference(file, version);
  return side;
}

/** Our side, in-process. Any exception here is a crash: readers and dissectors must not throw. */
function ours(file: string, stats?: { ours: OurStats; frames: number }): { rows: string[][]; protocols: string[]; slowest: number; slowestRatio: number; readError?: string; crash?: string } {
  const rows: string[][] = [];
  const protocols: string[] = [];
  let slowest = 0;
  let slowestRatio = 0;
  let reader: CaptureReader | undefined;
  try {
    // tshark 4.0 lists pcapng custom blocks as frames of their own: number them the same way.
    reader = CaptureReader.open(file, { customBlocks: true });
    const d = new Dissector({ desegment: DESEGMENT });
    const blocks = new Dissector({ apps: false });
    for (let p = reader.next(); p !== null; p = reader.next()) {
      // Statistics see the frames tshark read (it may stop early at a damaged record).
      if (stats && p.index < stats.frames) stats.ours.addRecord(p.data, p.linkType, p.origLen, p.tsNs, p.flags);
      if (p.customBlock) {
        const len = String(p.data.length);
        rows.push(CORPUS_FIELDS.map((f) => (f === 'frame.len' || f === 'frame.cap_len' ? len : '')));
        // Its chain as the CLI prints it (a Dissector of its own: the block's time stamp must not
        // move the capture's time references).
        const block = blocks.dissect({ number: p.index + 1, tsNs: p.tsNs, data: p.data, origLen: p.origLen, linkType: p.linkType, flags: p.flags });
        protocols.push((collectFields(block, ['frame.protocols']).get('frame.protocols') ?? []).join(','));
        continue;
      }
      const t0 = performance.now();
      const packet = d.dissect({ number: p.index + 1, tsNs: p.tsNs, data: p.data, origLen: p.origLen, linkType: p.linkType, flags: p.flags });
      const values = collectFields(packet, CORPUS_FIELDS);
      const took = performance.now() - t0;
      if (stats && packet.number <= stats.frames) stats.ours.add(packet, p.data);
      slowest = Math.max(slowest, took);
      slowestRatio = Math.max(slowestRatio, took / slowLimitMs(p.data.length));
      // A Simple Packet Block has no time stamp: tshark leaves the time fields empty.
      rows.push(CORPUS_FIELDS.map((f) => (p.noTimestamp && f.startsWith('frame.time') ? '' : (values.get(f) ?? []).join(','))));
      protocols.push((collectFields(packet, ['frame.protocols']).get('frame.protocols') ?? []).join(','));
    }
    return { rows, protocols, slowest, slowestRatio, readError: reader.error?.message };
  } catch (err) {
    return { rows, protocols, slowest, slowestRatio, crash: (err as Error).stack ?? String(err) };
  } finally {
    reader?.close();
  }
}

async function compare(file: string, version: string): Promise<FileResult> {
  const result: FileResult = {
    file, packets: 0, compared: 0, equal: 0, perField: new Map(), mismatches: [], slowest: 0, slowestRatio: 0,
    protocols: { equal: 0, total: 0, chains: new Map(), examples: new Map() },
    tcp: true,
  };
  const theirs = await tsharkSide(file, version);
  const reference = theirs.stats;
  const ourStats = reference && reference.frames > 0 ? new OurStats() : undefined;
  const mine = ours(file, ourStats && reference ? { ours: ourStats, frames: reference.frames } : undefined);
  const tcpChain = (chain: string): boolean => /(^|:)tcp(:|$)/.test(chain) || /(^|,)tcp(,|$)/.test(chain);
  result.tcp = theirs.rows.length === 0 || theirs.chains.some(tcpChain) || mine.protocols.some(tcpChain);
  if (ourStats && reference && !mine.crash) result.stats = compareStats(file, ourStats, reference);
  result.packets = mine.rows.length;
  result.slowest = mine.slowest;
  result.slowestRatio = mine.slowestRatio;
  if (mine.crash) {
    result.crash = mine.crash;
    return result;
  }
  if (theirs.rows.length === 0) {
    result.note = `tshark reads no packet${theirs.error ? ` (${theirs.error.slice(0, 160)})` : ''}; ours: ${mine.rows.length} packets${mine.readError ? `, ${mine.readError}` : ''}`;
    return result;
  }
  if (theirs.rows.length !== mine.rows.length) {
    result.note = `packet count differs: tshark ${theirs.rows.length}, ours ${mine.rows.length}${mine.readError ? ` (${mine.readError})` : ''}`;
  }
  const n = Math.min(theirs.rows.length, mine.rows.length);
  for (let i = 0; i < n; i++) {
    const t = theirs.rows[i]!;
    const o = mine.rows[i]!;
    CORPUS_FIELDS.forEach((field, j) => {
      const a = o[j] ?? '';
      const b = t[j] ?? '';
      if (a === '' && b === '') return;
      let agg = result.perField.get(field);
      if (!agg) result.perField.set(field, (agg = { equal: 0, total: 0 }));
      agg.total++;
      result.compared++;
      if (a === b) {
        agg.equal++;
        result.equal++;
      } else if (result.mismatches.length < 3) {
        result.mismatches.push(`#${i + 1} ${field}: ours '${a.slice(0, 60)}' tshark '${b.slice(0, 60)}'`);
      }
    });
  }
  const m = Math.min(theirs.chains.length, mine.protocols.length);
  for (let i = 0; i < m; i++) {
    const theirsChain = theirs.chains[i]!;
    result.protocols.total++;
    if (mine.protocols[i] === theirsChain) result.protocols.equal++;
    else {
      const key = `ours ${mine.protocols[i]} / tshark ${theirsChain}`;
      result.protocols.chains.set(key, (result.protocols.chains.get(key) ?? 0) + 1);
      if (!result.protocols.examples.has(key)) result.protocols.examples.set(key, `${path.relative(process.cwd(), file)} #${i + 1}`);
    }
  }
  return result;
}

async function main(): Promise<void> {
  const named = process.argv.slice(2).find((a, k, all) => !a.startsWith('--') && !FLAGS_WITH_VALUES.includes(all[k - 1] ?? ''));
  const dir = named ?? corpusLocation().dir;
  if (!fs.existsSync(dir)) {
    console.error(`no folder of capture files at ${dir}`);
    console.error(`usage: npm run test:corpus -- [DIR]   (DIR defaults to $${CORPUS_VARIABLE}, else ../shared/corpus beside the repository)`);
    process.exit(2);
  }
  const version = tsharkVersion();
  if (!version) {
    console.error('tshark is needed as the reference: apt-get install tshark');
    process.exit(2);
  }
  const files = captureFiles(dir);
  console.log(`corpus: ${files.length} capture files under ${dir}; reference ${version}; ${CORPUS_FIELDS.length} fields`);
  const results: FileResult[] = [];
  let next = 0;
  let done = 0;
  const worker = async (): Promise<void> => {
    while (next < files.length) {
      const file = files[next++]!;
      results.push(await compare(file, version));
      if (++done % 100 === 0) console.log(`  ${done}/${files.length} files`);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  results.sort((a, b) => a.file.localeCompare(b.file));
  report(results, dir);
  if (!THEN_NO_DESEGMENT) return;

  const firstExit = process.exitCode;
  DESEGMENT = false;
  WITH_STATS = false;
  TSHARK_PREFERENCES = ['-o', 'tcp.desegment_tcp_streams:FALSE'];
  const again = results.filter((r) => r.tcp || r.crash);
  console.log(`
\n=== the same with TCP desegmentation off on both sides (-o tcp.desegment_tcp_streams:FALSE): ${again.length} files with TCP read again, the other ${results.length - again.length} as above`);
  const second: FileResult[] = results.filter((r) => !(r.tcp || r.crash)).map((r) => ({ ...r, stats: undefined }));
  let at = 0;
  const worker2 = async (): Promise<void> => {
    while (at < again.length) second.push(await compare(again[at++]!.file, version));
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker2));
  second.sort((a, b) => a.file.localeCompare(b.file));
  report(second, dir);
  if (firstExit) process.exitCode = firstExit;
}

function report(results: FileResult[], dir: string): void {
  const perField = new Map<string, { equal: number; total: number }>();
  let equal = 0;
  let compared = 0;
  let packets = 0;
  for (const r of results) {
    packets += r.packets;
    equal += r.equal;
    compared += r.compared;
    for (const [f, a] of r.perField) {
      const t = perField.get(f) ?? { equal: 0, total: 0 };
      t.equal += a.equal;
      t.total += a.total;
      perField.set(f, t);
    }
  }
  console.log('\nper-field agreement (values where either side has one):');
  for (const f of CORPUS_FIELDS) {
    const a = perField.get(f);
    if (!a) console.log(`  ${f.padEnd(42)} (absent from the corpus)`);
    else console.log(`  ${f.padEnd(42)} ${a.equal}/${a.total} ${((100 * a.equal) / a.total).toFixed(2)}%`);
  }
  const rel = (f: string): string => path.relative(dir, f);
  const differing = results.filter((r) => r.compared > r.equal).sort((a, b) => b.compared - b.equal - (a.compared - a.equal));
  console.log(`\nfiles that differ (${differing.length}), most differences first:`);
  for (const r of differing.slice(0, 40)) {
    console.log(`  ${rel(r.file)}: ${r.compared - r.equal} of ${r.compared} values differ; e.g. ${r.mismatches.join('; ')}`);
  }
  if (differing.length > 40) console.log(`  … and ${differing.length - 40} more`);
  const notes = results.filter((r) => r.note);
  console.log(`\nfiles read differently or not compared (${notes.length}):`);
  for (const r of notes.slice(0, 60)) console.log(`  ${rel(r.file)}: ${r.note}`);
  if (notes.length > 60) console.log(`  … and ${notes.length - 60} more`);
  const crashes = results.filter((r) => r.crash);
  const slow = results.filter((r) => r.slowestRatio > 1);
  for (const r of crashes) console.log(`CRASH ${rel(r.file)}: ${r.crash}`);
  for (const r of slow) console.log(`SLOW ${rel(r.file)}: one packet took ${r.slowest.toFixed(1)} ms`);
  const slowestFile = results.reduce((a, b) => (b.slowest > a.slowest ? b : a), results[0]!);
  if (slowestFile) console.log(`slowest packet: ${slowestFile.slowest.toFixed(1)} ms in ${rel(slowestFile.file)}`);
  const ratio = compared ? equal / compared : 0;
  const fieldsOk = ratio >= TARGET && crashes.length === 0 && slow.length === 0;
  let statsOk = true;
  let statsLine = '';
  if (WITH_STATS) {
    const stats = reportStats(results.flatMap((r) => (r.stats ? [r.stats] : [])), rel);
    statsOk = stats.convRatio >= CONV_TARGET && stats.filterRatio >= FILTER_TARGET;
    statsLine =
      `; conversation rows ${(100 * stats.convRatio).toFixed(2)}% (target ${(100 * CONV_TARGET).toFixed(1)}%), ` +
      `filter selections ${(100 * stats.filterRatio).toFixed(2)}% (target ${(100 * FILTER_TARGET).toFixed(1)}%)`;
  }
  const ok = fieldsOk && statsOk;
  const chains = { equal: 0, total: 0, differing: new Map<string, number>(), examples: new Map<string, string>() };
  for (const r of results) {
    chains.equal += r.protocols.equal;
    chains.total += r.protocols.total;
    for (const [k, n] of r.protocols.chains) chains.differing.set(k, (chains.differing.get(k) ?? 0) + n);
    for (const [k, e] of r.protocols.examples) if (!chains.examples.has(k)) chains.examples.set(k, e);
  }
  console.log(`\nprotocol chains most often different from tshark's${DESEGMENT ? ' defaults' : ' with desegmentation off'}:`);
  for (const [k, n] of [...chains.differing].sort((a, b) => b[1] - a[1]).slice(0, Number(process.env.SIEVECAP_CHAINS_SHOWN ?? 15))) console.log(`  ${String(n).padStart(6)}  ${k}   (e.g. ${chains.examples.get(k)})`);
  const chainRatio = chains.total ? chains.equal / chains.total : 0;
  console.log(
    `protocol chains (frame.protocols) equal to tshark's ${DESEGMENT ? 'with its default preferences' : 'with -o tcp.desegment_tcp_streams:FALSE'}: ${chains.equal}/${chains.total} ` +
      `(${(100 * chainRatio).toFixed(2)}%, target ${(100 * PROTOCOLS_TARGET).toFixed(0)}%${DESEGMENT ? '' : '; reported, a gate with tshark\'s defaults only'})`,
  );
  // With tshark's defaults the chains are a gate (issue 12's coverage target); with desegmentation
  // off on both sides they are reported only.
  const chainsOk = !DESEGMENT || chainRatio >= PROTOCOLS_TARGET;
  console.log(
    `\ncorpus: ${results.length} files, ${packets} packets, ${equal}/${compared} field values equal to tshark's ` +
      `(${(100 * ratio).toFixed(3)}%, target ${(100 * TARGET).toFixed(1)}%), ${crashes.length} crashes, ${slow.length} slow files` +
      `${statsLine}${DESEGMENT ? `, protocol chains ${(100 * chainRatio).toFixed(2)}% (target ${(100 * PROTOCOLS_TARGET).toFixed(1)}%)` : ''}: ${ok && chainsOk ? 'PASSED' : 'FAILED'}`,
  );
  process.exitCode = ok && chainsOk ? 0 : 1;
}

main().catch((err: unknown) => {
  console.error((err as Error).stack ?? String(err));
  process.exitCode = 1;
});
