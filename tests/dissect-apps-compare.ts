/**
 * Compares the application-protocol fields Sievecap's Dissector produces with what
 * `tshark -T fields -E occurrence=a -e ...` prints for the same capture file.
 */
import { spawnSync } from 'node:child_process';
import type { Field, Layer } from '../app/dissect/model';
import { readAllPackets } from '../app/pcap/reader';
import { dissectPayload, locatePayload } from './dissect-apps-payload';
import { createDefaultAppDissectors } from '../app/dissect/apps';

export interface FieldTally {
  equal: number;
  total: number;
  /** A few mismatches, for the report: frame number, tshark's value, ours. */
  samples: Array<{ file: string; frame: number; tshark: string; ours: string }>;
}

export type Agreement = Map<string, FieldTally>;

/** Runs tshark; returns one array of column values per packet, or throws naming the problem. */
export function tsharkFields(file: string, fields: readonly string[], extraArgs: string[] = []): string[][] {
  const args = ['-r', file, '-n', '-2', ...extraArgs, '-T', 'fields', '-E', 'occurrence=a', '-E', 'separator=\t'];
  for (const f of fields) args.push('-e', f);
  const r = spawnSync('tshark', args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, timeout: 120_000 });
  if (r.error) throw new Error(`cannot run tshark (${r.error.message}); install the Debian package tshark`);
  // A capture cut short mid-packet still gets its complete packets printed (exit status 2).
  if (r.status !== 0 && !/cut short/.test(r.stderr)) throw new Error(`tshark failed on ${file}: ${r.stderr.trim()}`);
  return r.stdout.split('\n').filter((line, i, all) => i < all.length - 1 || line !== '').map((line) => line.split('\t'));
}

function collect(fields: Field[], out: Map<string, string[]>): void {
  for (const f of fields) {
    if (f.abbrev) {
      const list = out.get(f.abbrev);
      if (list) list.push(f.text);
      else out.set(f.abbrev, [f.text]);
    }
    if (f.children) collect(f.children, out);
  }
}

export function fieldsOf(layers: Layer[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const layer of layers) collect(layer.fields, out);
  return out;
}

interface DissectorLike {
  dissect(frame: { number: number; tsNs: bigint; data: Buffer; origLen: number; linkType: number }): { layers: Layer[]; summary: { protocol: string; info: string } };
}

/**
 * The project's Dissector when it is built (it is written in parallel with these dissectors);
 * otherwise null, and the test-only payload locator stands in for the lower layers.
 */
export function loadDissector(): (new () => DissectorLike) | null {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (require('../app/dissect/dissector') as { Dissector: new () => DissectorLike }).Dissector;
  } catch {
    return null;
  }
}

export interface OursPacket {
  fields: Map<string, string[]>;
  protocol: string;
  info: string;
  layers: Layer[];
}

/** Makes the Protocol and Info columns comparable like fields, under tshark's names. */
function withColumns(p: OursPacket): OursPacket {
  p.fields.set('_ws.col.Protocol', [p.protocol]);
  p.fields.set('_ws.col.Info', [p.info]);
  return p;
}

/** Dissects every packet of `file` with a fresh Dissector (or the stand-in); returns fields per packet. */
export function oursFields(file: string): OursPacket[] {
  const { packets } = readAllPackets(file);
  const DissectorClass = loadDissector();
  const d = DissectorClass ? new DissectorClass() : null;
  const apps = createDefaultAppDissectors();
  return packets.map((p, i) => {
    if (d) {
      const r = d.dissect({ number: i + 1, tsNs: p.tsNs, data: p.data, origLen: p.origLen, linkType: p.linkType });
      return withColumns({ fields: fieldsOf(r.layers), protocol: r.summary.protocol, info: r.summary.info, layers: r.layers });
    }
    const payload = locatePayload(p.data, p.linkType);
    const r = payload ? dissectPayload(p.data, payload, apps) : null;
    return withColumns(r ? { fields: fieldsOf(r.layers), protocol: r.protocolColumn, info: r.info, layers: r.layers } : { fields: new Map(), protocol: '', info: '', layers: [] });
  });
}

/** Frames left out because tshark reassembled them from several TCP segments. */
export const skippedReassembled = { count: 0 };

export function compareFile(file: string, fieldNames: readonly string[], agreement: Agreement, tsharkArgs: string[] = []): void {
  // Sievecap's app dissectors see one TCP segment at a time for now; frames where tshark
  // reassembled a PDU over several segments are left out of the comparison (and counted).
  const theirs = tsharkFields(file, [...fieldNames, 'tcp.reassembled_in', 'tcp.segment'], tsharkArgs);
  const ours = oursFields(file);
  const count = Math.min(theirs.length, ours.length);
  for (let i = 0; i < count; i++) {
    const row = theirs[i]!;
    if (row[fieldNames.length] || row[fieldNames.length + 1]) {
      skippedReassembled.count++;
      continue;
    }
    fieldNames.forEach((name, col) => {
      const expected = row[col] ?? '';
      const got = (ours[i]!.fields.get(name) ?? []).join(',');
      if (expected === '' && got === '') return;
      let tally = agreement.get(name);
      if (!tally) agreement.set(name, (tally = { equal: 0, total: 0, samples: [] }));
      tally.total++;
      if (expected === got) tally.equal++;
      else if (tally.samples.length < 3) tally.samples.push({ file, frame: i + 1, tshark: expected, ours: got });
    });
  }
}

export function formatAgreement(agreement: Agreement): string {
  const lines: string[] = [];
  let equal = 0;
  let total = 0;
  for (const [name, t] of [...agreement].sort()) {
    equal += t.equal;
    total += t.total;
    lines.push(`${name.padEnd(44)} ${String(t.equal).padStart(6)}/${String(t.total).padEnd(6)} ${((100 * t.equal) / t.total).toFixed(1)}%`);
    for (const s of t.samples) lines.push(`    ${s.file.split('/').slice(-1)[0]}#${s.frame}: tshark=${JSON.stringify(s.tshark.slice(0, 160))} ours=${JSON.stringify(s.ours.slice(0, 160))}`);
  }
  lines.push(`ALL ${equal}/${total} ${total ? ((100 * equal) / total).toFixed(2) : '100'}%`);
  return lines.join('\n');
}
