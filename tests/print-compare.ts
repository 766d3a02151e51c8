/**
 * Runs the real tcpdump and Sievecap's printer on the same capture file and compares what they
 * print, packet by packet (a packet's record is its line plus any continuation lines, such as
 * tcpdump's hex dump of an unknown payload).
 */
import { spawnSync } from 'node:child_process';
import { formatPacketLine, PrintState, type PrintOptions, type TimestampMode } from '../app/cli/print';
import { readCaptureFile } from './print-pcap-reader';

export interface Comparison {
  file: string;
  flags: string[];
  compared: number;
  equal: number;
  mismatches: Array<{ index: number; tcpdump: string; sievecap: string }>;
}

const TIMESTAMP_FLAGS: Record<string, TimestampMode> = {
  '-t': 'none',
  '-tt': 'epoch',
  '-ttt': 'delta',
  '-tttt': 'date',
  '-ttttt': 'since-first',
};

/** Print options equivalent to tcpdump flags (numeric unless the caller turns it off). */
export function optionsFromFlags(flags: string[]): PrintOptions {
  const opts: PrintOptions = { numeric: true, quick: false, linkHeader: false, timestamp: 'default', verbose: 0 };
  for (const flag of flags) {
    if (flag === '-e') opts.linkHeader = true;
    else if (flag === '-q') opts.quick = true;
    else if (flag === '-S') opts.absoluteSequence = true;
    else if (flag === '--nano') opts.nanoTimestamps = true;
    else if (/^-v+$/.test(flag)) opts.verbose = flag.length - 1;
    else if (TIMESTAMP_FLAGS[flag]) opts.timestamp = TIMESTAMP_FLAGS[flag]!;
    else if (flag !== '-n' && flag !== '-nn') throw new Error(`optionsFromFlags: unsupported flag ${flag}`);
  }
  return opts;
}

/** Splits printed text into per-packet records: continuation lines start with a tab or 4 spaces. */
export function toRecords(text: string): string[] {
  const records: string[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    if ((line.startsWith('\t') || line.startsWith('    ')) && records.length > 0) {
      records[records.length - 1] += '\n' + line;
    } else records.push(line);
  }
  return records;
}

export function tcpdumpRecords(file: string, flags: string[], numeric = true): string[] {
  const run = spawnSync('tcpdump', [...(numeric ? ['-nn'] : []), '-r', file, ...flags], {
    encoding: 'latin1',
    env: { ...process.env, TZ: 'UTC' },
    maxBuffer: 256 * 1024 * 1024,
  });
  if (run.error) throw new Error(`cannot run tcpdump (${run.error.message}); install Debian's tcpdump package`);
  return toRecords(run.stdout);
}

export function sievecapRecords(file: string, flags: string[], numeric = true): string[] {
  const capture = readCaptureFile(file);
  const opts = { ...optionsFromFlags(flags), numeric };
  const state = new PrintState();
  const text = capture.packets.map((p) => formatPacketLine(p, opts, state)).join('\n');
  return toRecords(text);
}

/**
 * Compares on one file. `numeric: false` runs tcpdump without -n: only use it on captures whose
 * addresses are all in /etc/hosts, or tcpdump would ask DNS for the others.
 */
export function compareWithTcpdump(file: string, flags: string[], numeric = true): Comparison {
  const expected = tcpdumpRecords(file, flags, numeric);
  const actual = sievecapRecords(file, flags, numeric);
  const result: Comparison = { file, flags, compared: 0, equal: 0, mismatches: [] };
  const count = Math.max(expected.length, actual.length);
  for (let i = 0; i < count; i++) {
    result.compared++;
    const want = expected[i] ?? '<no packet>';
    const got = actual[i] ?? '<no packet>';
    if (want === got) result.equal++;
    else result.mismatches.push({ index: i, tcpdump: want, sievecap: got });
  }
  return result;
}
