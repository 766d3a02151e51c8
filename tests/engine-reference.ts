/**
 * References for the engine tests: tshark's columns and -Y results for a file, and a whole-file
 * dissection in order by our full Dissector (the reference the on-demand rows must equal).
 */
import { spawnSync } from 'node:child_process';
import { Dissector } from '../app/dissect/dissector';
import type { DissectedPacket, Field } from '../app/dissect/model';
import { compileDisplayFilter } from '../app/filter';
import { CaptureReader } from '../app/pcap/reader';
import { tsharkFrameSelections } from './support/agree';

/** tshark's output; `damaged` accepts exit status 2 (tshark read a damaged file up to the damage). */
export function tshark(args: string[], damaged = false): string {
  const r = spawnSync('tshark', ['-n', ...args], { encoding: 'utf8', maxBuffer: 1 << 30, timeout: 300_000 });
  if (r.error) throw new Error(`cannot run tshark (${r.error.message}): install it with apt-get install tshark`);
  if (r.status !== 0 && !(damaged && r.status === 2)) throw new Error(`tshark ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

export interface TsharkColumns {
  source: string;
  destination: string;
  protocol: string;
  length: number;
}

export function tsharkColumns(file: string, damaged = false): TsharkColumns[] {
  const out = tshark(['-r', file, '-T', 'fields', '-E', 'separator=\t', '-e', '_ws.col.Source', '-e', '_ws.col.Destination', '-e', '_ws.col.Protocol', '-e', 'frame.len'], damaged);
  return out.split('\n').filter((l) => l !== '').map((l) => {
    const [source = '', destination = '', protocol = '', length = ''] = l.split('\t');
    return { source, destination, protocol, length: Number(length) };
  });
}

/**
 * Per filter, the 1-based frame numbers `tshark -r FILE -n -Y F` selects, from ONE tshark run (a
 * Lua tap Listener per filter, support/agree.ts): tshark's start-up is most of its time on a
 * small file.
 */
export function tsharkFilters(file: string, filters: readonly string[]): Map<string, number[]> {
  const { frames } = tsharkFrameSelections(file, filters);
  return new Map(filters.map((f, i) => [f, frames[i]!]));
}

/** Every frame of a file through one Dissector, in order, with its bytes. */
export function dissectInOrder(file: string): Array<{ packet: DissectedPacket; data: Buffer }> {
  const d = new Dissector();
  const reader = CaptureReader.open(file);
  const out: Array<{ packet: DissectedPacket; data: Buffer }> = [];
  try {
    for (let p = reader.next(); p !== null; p = reader.next()) {
      const data = Buffer.from(p.data);
      out.push({ packet: d.dissect({ number: out.length + 1, tsNs: p.tsNs, data, origLen: p.origLen, linkType: p.linkType, flags: p.flags }), data });
    }
  } finally {
    reader.close();
  }
  return out;
}

/** Frame numbers matching a filter when every frame is dissected in order (the engine's contract). */
export function filterInOrder(frames: ReturnType<typeof dissectInOrder>, filter: string): number[] {
  const f = compileDisplayFilter(filter);
  return frames.filter((x) => f.matches(x.packet, x.data)).map((x) => x.packet.number);
}

/** A packet tree as text lines (abbrev, shown text, byte range), for comparing trees. */
export function treeText(packet: DissectedPacket): string {
  const lines: string[] = [];
  const visit = (fields: Field[], depth: number): void => {
    for (const f of fields) {
      lines.push(`${' '.repeat(depth)}${f.abbrev} ${f.label} = ${f.text} @${f.offset}+${f.length}`);
      if (f.children) visit(f.children, depth + 1);
    }
  };
  for (const layer of packet.layers) {
    lines.push(`${layer.protocol} ${layer.title} @${layer.offset}+${layer.length} ${layer.status}`);
    visit(layer.fields, 1);
  }
  return lines.join('\n');
}
