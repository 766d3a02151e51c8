/**
 * Field-by-field comparison of our dissection with tshark's on the same capture file: runs
 * `tshark -r FILE -T fields -E occurrence=a -e ...` and our Dissector, and counts equal values per
 * field. Used by the dissector tests and the corpus command.
 */
import { spawnSync } from 'node:child_process';
import { CaptureReader } from '../../pcap/reader';
import { Dissector } from '../../dissect/dissector';
import { fieldsLine } from './fields';

export interface FieldAgreement {
  equal: number;
  total: number;
}

export interface Mismatch {
  file: string;
  frame: number;
  field: string;
  ours: string;
  tshark: string;
}

export interface Comparison {
  perField: Map<string, FieldAgreement>;
  mismatches: Mismatch[];
  packets: number;
  /** Set when tshark or our reader could not process the file (then nothing was counted). */
  skipped?: string;
}

/** tshark's version line, e.g. 'TShark (Wireshark) 4.0.17'. */
export function tsharkVersion(): string | null {
  const r = spawnSync('tshark', ['--version'], { encoding: 'utf8' });
  if (r.status !== 0 || !r.stdout) return null;
  return r.stdout.split('\n')[0]!.trim();
}

export function runTsharkFields(file: string, fields: readonly string[]): string[] | null {
  const args = ['-r', file, '-n', '-T', 'fields', '-E', 'occurrence=a', '-E', 'separator=/t'];
  for (const f of fields) args.push('-e', f);
  const r = spawnSync('tshark', args, { encoding: 'utf8', maxBuffer: 1 << 30, timeout: 120_000 });
  if (r.status !== 0 && !r.stdout) return null;
  const lines = r.stdout.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

export function ourFieldLines(file: string, fields: readonly string[]): string[] | null {
  let reader: CaptureReader;
  try {
    reader = CaptureReader.open(file);
  } catch {
    return null;
  }
  const d = new Dissector();
  const lines: string[] = [];
  for (let pkt = reader.next(); pkt !== null; pkt = reader.next()) {
    const dissected = d.dissect({ number: pkt.index + 1, tsNs: pkt.tsNs, data: pkt.data, origLen: pkt.origLen, linkType: pkt.linkType, flags: pkt.flags });
    lines.push(fieldsLine(dissected, fields));
  }
  reader.close();
  return lines;
}

export function compareFile(file: string, fields: readonly string[], into?: Comparison): Comparison {
  const result: Comparison = into ?? { perField: new Map(), mismatches: [], packets: 0 };
  for (const f of fields) if (!result.perField.has(f)) result.perField.set(f, { equal: 0, total: 0 });
  const theirs = runTsharkFields(file, fields);
  const ours = ourFieldLines(file, fields);
  if (!theirs || !ours) {
    result.skipped = `${file}: ${!theirs ? 'tshark' : 'reader'} could not read it`;
    return result;
  }
  const count = Math.min(theirs.length, ours.length);
  for (let i = 0; i < count; i++) {
    const a = ours[i]!.split('\t');
    const b = theirs[i]!.split('\t');
    fields.forEach((field, j) => {
      const agreement = result.perField.get(field)!;
      const mine = a[j] ?? '';
      const their = b[j] ?? '';
      if (mine === '' && their === '') return; // absent on both sides: not counted
      agreement.total++;
      if (mine === their) agreement.equal++;
      else result.mismatches.push({ file, frame: i + 1, field, ours: mine, tshark: their });
    });
  }
  result.packets += count;
  return result;
}
