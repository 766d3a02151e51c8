/**
 * Feeding a statistics report (app/stats: `-z conv,…`, `-z endpoints,…`) from the store: every
 * frame in order, as the report contract wants, in slices that yield to the event loop.
 *
 * - Reports that take PairTaps (conversations and endpoints without a filter) go through a
 *   PairTapFeeder (pair-tap.ts), straight from the file's bytes with the stream and direction the
 *   index holds; frames the light path could not read are dissected in order (RowDissector).
 * - Other reports that only look at addresses, ports, stream numbers, TCP flags, lengths and times
 *   (TCP/UDP/IP conversations and endpoints with a filter) take the packets ScopedPackets makes
 *   for the names of their filter, like display filters do (every light field, plus the
 *   application layers the filter names).
 * - Other reports that say what they read (StatisticsReport.reads: io,phs, io,stat, http,tree,
 *   Ethernet tables with a filter) get packets dissected without a tree, only those fields; the
 *   frames PairTap feeders cannot read too.
 * - Everything else gets the full Dissector's tree.
 */
import { compileDisplayFilter } from '../filter';
import { reportDissectOptions, type StatisticsReport } from '../stats/report';
import { lightPlan } from './light-fields';
import type { FilterSource } from './filter-view';
import { ScopedPackets } from './scoped-packets';
import { PairTapFeeder } from './pair-tap';
import { RowDissector } from './row-dissector';
import type { DissectedPacket, DissectOptions } from '../dissect/model';

/** A source that can hand frame k to a PairTapFeeder without a Buffer per frame (PacketStore). */
export interface TapSource extends FilterSource {
  feedFrame(k: number, feeder: PairTapFeeder, fallbackPacket: (k: number) => DissectedPacket): void;
}

function isTapSource(source: FilterSource): source is TapSource {
  return typeof (source as Partial<TapSource>).feedFrame === 'function';
}

/** Report specs whose own text light packets answer exactly (no Ethernet addresses, no payload protocols). */
const LIGHT_REPORT = /^(?:conv|endpoints),(?:tcp|udp|ip|ipv6)(?:,(.*))?$/s;

/** Whether a report's own text comes out right from light packets (its filter may still need more). */
export function reportTakesLightPackets(spec: string): boolean {
  return LIGHT_REPORT.test(spec);
}

/** The names ScopedPackets must answer for a report: its filter's, or null when it needs full trees. */
function reportFieldNames(spec: string): readonly string[] | null {
  const m = LIGHT_REPORT.exec(spec);
  if (!m) return null;
  // The report compiled its filter already (a bad one never gets here).
  return m[1] === undefined ? [] : compileDisplayFilter(m[1]).fieldNames;
}

const SLICE_FRAMES = 50000;
/** The longest a slice runs: frames that need a full tree cost far more than light ones. */
const SLICE_MS = 5;

/**
 * A report kept up to date with a store that may still grow (a live capture): each update() feeds
 * the frames appended since the last one, in order, so the report always covers frames 1..fed.
 */
export class ReportFeed {
  /** Frames fed so far (the next frame to feed is fed + 1). */
  fed = 0;
  /** PairTaps from the bytes, with frames the light path could not read dissected in order... */
  private readonly feeder: { taps: PairTapFeeder; fallbackPacket: (k: number) => DissectedPacket } | undefined;
  /** ...or, for other reports, the packets their filter's names need... */
  private readonly packets: ScopedPackets | undefined;
  /** ...or, for reports that say what they read and take no light packets, those fields without a tree. */
  private readonly rows: { dissector: RowDissector; options: DissectOptions } | undefined;
  private running: Promise<void> | undefined;

  constructor(private readonly source: FilterSource, readonly report: StatisticsReport) {
    const options = reportDissectOptions([report]);
    const names = reportFieldNames(report.spec);
    if (isTapSource(source) && PairTapFeeder.canFeed([report])) {
      const fallback = new RowDissector(source);
      // A copy: the frame's bytes are read again right after, which may move the read-ahead chunk.
      this.feeder = { taps: new PairTapFeeder([report]), fallbackPacket: (k) => fallback.dissect(k, true, options) };
    } else if (names === null && options !== undefined) this.rows = { dissector: new RowDissector(source), options };
    else this.packets = new ScopedPackets(source, names, lightPlan());
  }

  /**
   * Feeds every frame the source holds now, in slices that yield to the event loop. An aborted
   * `signal` stops it at the next slice (the report then covers frames 1..fed; a later update goes on from there).
   */
  update(onProgress?: (framesDone: number, framesTotal: number) => void, signal?: { readonly aborted: boolean }): Promise<void> {
    // One update at a time: a second caller waits for the running one, then catches up.
    if (this.running) return this.running.then(() => (this.fed < this.source.count() && !signal?.aborted ? this.update(onProgress, signal) : undefined));
    this.running = this.run(onProgress, signal).finally(() => (this.running = undefined));
    return this.running;
  }

  /** Feeds the frames appended since the last update at once (small live increments); a running update() catches up instead. */
  updateSync(): void {
    if (this.running) return;
    const total = this.source.count();
    for (let k = this.fed; k < total; k++) this.feedOne(k);
    this.fed = Math.max(this.fed, total);
  }

  private async run(onProgress?: (framesDone: number, framesTotal: number) => void, signal?: { readonly aborted: boolean }): Promise<void> {
    const total = this.source.count();
    while (this.fed < total && !signal?.aborted) {
      const end = Math.min(total, this.fed + SLICE_FRAMES);
      const deadline = performance.now() + SLICE_MS;
      const start = this.fed;
      let k = start;
      for (; k < end; k++) {
        if ((k & 63) === 0 && k !== start && performance.now() >= deadline) break;
        this.feedOne(k);
        // Counted per frame: a frame that cannot be read (a truncated spool) stops the feed without feeding any frame twice later.
        this.fed = k + 1;
      }
      onProgress?.(k, total);
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  private feedOne(k: number): void {
    const source = this.source;
    if (this.feeder) {
      (source as TapSource).feedFrame(k, this.feeder.taps, this.feeder.fallbackPacket);
      return;
    }
    const tsNs = source.tsNs(k);
    if (this.rows) {
      const packet = this.rows.dissector.dissect(k, false, this.rows.options);
      // The packet may hold views of the frame's bytes (as ScopedPackets' full path): read before the next frame.
      const data = source.frameInput(k, false).data;
      this.report.add({ packet, data, tsNs, capLen: data.length, origLen: source.origLenOf(k) });
      return;
    }
    const { packet, data } = this.packets!.packet(k);
    this.report.add({ packet, data, tsNs, capLen: data.length, origLen: source.origLenOf(k) });
  }
}

/** Feeds every frame the source holds now to the report (see ReportFeed for a live store). */
export function feedReport(source: FilterSource, report: StatisticsReport, onProgress?: (framesDone: number, framesTotal: number) => void): Promise<void> {
  return new ReportFeed(source, report).update(onProgress);
}
