/**
 * Sievecap's side of the corpus statistics comparison and the agreement figures: conversations
 * (`-z conv,eth|ip|ipv6|tcp|udp`, row by row against tshark's text) and display filters (the
 * frames each of CORPUS_FILTERS selects, against tshark's). See stats-reference.ts for tshark's side.
 */
import type { DissectedPacket } from '../../app/dissect/model';
import { compileDisplayFilter, type DisplayFilter } from '../../app/filter';
import { createConversationReport, type ConversationTable } from '../../app/stats/conversations';
import type { ConversationKind } from '../../app/stats/conv-packet';
import { reportDissectOptions } from '../../app/stats/report';
import { TapFeeder } from '../../app/engine/tap-feeder';
import { CORPUS_FILTERS } from './filters';
import { CONVERSATION_KINDS_COMPARED, type StatsReference } from './stats-reference';

/** Our conversation tables and filter matches for one file, fed frame by frame. */
export class OurStats {
  readonly tables = new Map<ConversationKind, ConversationTable>(CONVERSATION_KINDS_COMPARED.map((k) => [k, createConversationReport(`conv,${k}`)]));
  readonly filters: Array<DisplayFilter | string> = CORPUS_FILTERS.map((text) => {
    try {
      return compileDisplayFilter(text);
    } catch (err) {
      return (err as Error).message;
    }
  });
  readonly matches: Array<Set<number>> = CORPUS_FILTERS.map(() => new Set<number>());
  /** The tables are fed as `sievecap -r F -q -z conv,KIND` feeds them: every record, custom blocks too, by their own dissection. */
  private readonly feeder = new TapFeeder([...this.tables.values()], reportDissectOptions([...this.tables.values()]));

  /** Every record the reader returns, in file order (pcapng custom blocks included, as tshark numbers them). */
  addRecord(data: Buffer, linkType: number, origLen: number, tsNs: bigint, flags: number): void {
    this.feeder.feed(data, linkType, origLen, Number(tsNs / 1_000_000_000n), Number(tsNs % 1_000_000_000n), flags);
  }

  /** A packet's display-filter verdicts. */
  add(packet: DissectedPacket, data: Buffer): void {
    this.filters.forEach((filter, k) => {
      if (typeof filter !== 'string' && filter.matches(packet, data)) this.matches[k]!.add(packet.number);
    });
  }
}

export interface ConvAgreement {
  equalRows: number;
  /** Rows in the larger of the two tables. */
  rows: number;
  identical: boolean;
  example?: string;
}

export interface FilterAgreement {
  /** Frames both select, frames either selects. */
  both: number;
  either: number;
  /** Frames whose verdict (match or not) agrees, of all frames compared. */
  sameVerdict: number;
  frames: number;
  example?: string;
}

export interface StatsFileResult {
  file: string;
  conv: Map<ConversationKind, ConvAgreement>;
  /** null where tshark or Sievecap rejected the filter. */
  filters: Array<FilterAgreement | null>;
  ourFilterErrors: string[];
}

const tableRows = (text: string): string[] => text.split('\n').slice(5).filter((l) => l !== '' && !/^={80}$/.test(l));

export function compareStats(file: string, ours: OurStats, ref: StatsReference): StatsFileResult {
  const result: StatsFileResult = { file, conv: new Map(), filters: [], ourFilterErrors: [] };
  for (const kind of CONVERSATION_KINDS_COMPARED) {
    const theirs = ref.conversations.get(kind);
    if (theirs === undefined) continue;
    const mine = ours.tables.get(kind)!.text();
    const theirRows = tableRows(theirs);
    const myRows = tableRows(mine);
    const pool = new Map<string, number>();
    for (const r of theirRows) pool.set(r, (pool.get(r) ?? 0) + 1);
    let equalRows = 0;
    let example: string | undefined;
    for (const r of myRows) {
      const n = pool.get(r) ?? 0;
      if (n > 0) {
        equalRows++;
        pool.set(r, n - 1);
      } else example ??= `ours '${r.trim().replace(/\s+/g, ' ')}'`;
    }
    if (example === undefined && theirRows.length > equalRows) {
      const missing = [...pool].find(([, n]) => n > 0)?.[0];
      example = `tshark also has '${missing?.trim().replace(/\s+/g, ' ')}'`;
    }
    result.conv.set(kind, { equalRows, rows: Math.max(theirRows.length, myRows.length), identical: mine === theirs, example });
  }
  for (const filter of ours.filters) if (typeof filter === 'string') result.ourFilterErrors.push(filter);
  CORPUS_FILTERS.forEach((_, k) => {
    const theirs = ref.matches[k];
    const mine = ours.matches[k]!;
    // A filter tshark rejects is not compared; one only Sievecap rejects counts as selecting nothing.
    if (!theirs) return void result.filters.push(null);
    let both = 0;
    let example: string | undefined;
    for (const n of mine) {
      if (theirs.has(n)) both++;
      else example ??= `frame ${n} matched only by Sievecap`;
    }
    for (const n of theirs) if (!mine.has(n)) example ??= `frame ${n} matched only by tshark`;
    const either = mine.size + theirs.size - both;
    result.filters.push({ both, either, sameVerdict: ref.frames - (either - both), frames: ref.frames, example });
  });
  return result;
}

export interface StatsSummary {
  convRatio: number;
  filterRatio: number;
}

const pct = (a: number, b: number): string => (b === 0 ? '   n/a' : `${((100 * a) / b).toFixed(2)}%`);

/** Prints per-kind and per-filter agreement and the files that differ; returns the overall ratios. */
export function reportStats(results: StatsFileResult[], rel: (file: string) => string): StatsSummary {
  console.log('\nconversations (-z conv,KIND) compared with tshark -n -q -z conv,KIND (rows equal byte for byte):');
  let convEqual = 0;
  let convRows = 0;
  for (const kind of CONVERSATION_KINDS_COMPARED) {
    let equal = 0;
    let rows = 0;
    let identical = 0;
    let tables = 0;
    const differing: string[] = [];
    for (const r of results) {
      const a = r.conv.get(kind);
      if (!a) continue;
      tables++;
      equal += a.equalRows;
      rows += a.rows;
      if (a.identical) identical++;
      else differing.push(`${rel(r.file)} (${a.rows - a.equalRows} of ${a.rows} rows differ; e.g. ${a.example ?? 'header'})`);
    }
    convEqual += equal;
    convRows += rows;
    console.log(`  conv,${kind.padEnd(5)} ${equal}/${rows} rows equal ${pct(equal, rows)}; tables identical in ${identical}/${tables} files`);
    for (const d of differing.slice(0, 8)) console.log(`      differs: ${d}`);
    if (differing.length > 8) console.log(`      … and ${differing.length - 8} more files`);
  }
  console.log('\ndisplay filters compared with tshark -Y (frames selected by both / by either; same verdict of all frames):');
  let both = 0;
  let either = 0;
  CORPUS_FILTERS.forEach((filter, k) => {
    let b = 0;
    let e = 0;
    let same = 0;
    let frames = 0;
    const differing: string[] = [];
    for (const r of results) {
      const a = r.filters[k];
      if (!a) continue;
      b += a.both;
      e += a.either;
      same += a.sameVerdict;
      frames += a.frames;
      if (a.both !== a.either) differing.push(`${rel(r.file)}: ${a.either - a.both} frames (${a.example})`);
    }
    both += b;
    either += e;
    console.log(`  ${filter.padEnd(58)} ${String(b).padStart(6)}/${String(e).padEnd(6)} ${pct(b, e).padStart(7)}  verdicts ${pct(same, frames)}`);
    for (const d of differing.slice(0, 3)) console.log(`      differs: ${d}`);
    if (differing.length > 3) console.log(`      … and ${differing.length - 3} more files`);
  });
  const errors = new Set(results.flatMap((r) => r.ourFilterErrors));
  for (const e of errors) console.log(`  Sievecap rejects: ${e}`);
  const summary = { convRatio: convRows ? convEqual / convRows : 1, filterRatio: either ? both / either : 1 };
  console.log(
    `\nstatistics: conversation rows equal ${pct(convEqual, convRows)}, filter selections equal ${pct(both, either)} ` +
      `(frames both select / frames either selects)`,
  );
  return summary;
}
