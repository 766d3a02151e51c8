/**
 * Several captures as one file, for comparisons with tshark: `mergecap -a` writes them one after
 * another into a pcapng (each link type an interface of its own), so each tool starts once instead
 * of once per capture — tshark's start-up is most of its time on the corpus's small files. Both
 * tools read the same merged file, so what runs on across captures (stream numbers, request and
 * response matching) runs on alike on both sides.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CaptureReader } from '../../app/pcap/reader';

export interface MergedCaptures {
  /** The merged capture (absent when no capture could go in). */
  file: string | null;
  /** Captures cut short in a record (mergecap refuses them) or unreadable: compare each on its own. */
  apart: string[];
  /** Which frames of the merged file came from which capture, for failure messages. */
  ranges: string;
}

function framesOf(file: string): number | null {
  try {
    const reader = CaptureReader.open(file);
    let n = 0;
    while (reader.next()) n++;
    const damaged = reader.error !== null;
    reader.close();
    return damaged ? null : n;
  } catch {
    return null;
  }
}

export function mergeCaptures(files: readonly string[], out: string): MergedCaptures {
  const whole: string[] = [];
  const apart: string[] = [];
  const ranges: string[] = [];
  let next = 1;
  for (const file of files) {
    const n = framesOf(file);
    if (n === null) apart.push(file);
    else if (n > 0) {
      whole.push(file);
      ranges.push(`${path.basename(file)} ${next}–${next + n - 1}`);
      next += n;
    }
  }
  if (whole.length === 0) return { file: null, apart, ranges: '' };
  const r = spawnSync('mergecap', ['-a', '-F', 'pcapng', '-w', out, ...whole], { encoding: 'utf8' });
  if (r.error) throw new Error(`cannot run mergecap (${r.error.message}): install it with apt-get install wireshark-common`);
  if (r.status !== 0) throw new Error(`mergecap -a failed (${r.status}): ${r.stderr}`);
  return { file: out, apart, ranges: `frames of the merged capture: ${ranges.join(', ')}` };
}

/**
 * Corpus captures (paths inside the corpus folder) to compare: the merged one first, then those
 * that must go on their own. Asserts every capture is there; prints which frames came from where.
 */
export function corpusAsOne(corpusDir: string, relatives: readonly string[], out: string): string[] {
  const files = relatives.map((relative) => {
    const file = path.join(corpusDir, relative);
    if (!fs.existsSync(file)) throw new Error(`corpus file ${relative} is missing from ${corpusDir}`);
    return file;
  });
  const merged = mergeCaptures(files, out);
  if (merged.file) console.log(`# ${path.basename(out)}: ${merged.ranges}`);
  return [...(merged.file ? [merged.file] : []), ...merged.apart];
}
