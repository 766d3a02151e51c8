/**
 * Feeding a statistics report (app/stats: `-z conv,…`, `-z endpoints,…`) from the store: every
 * frame in order, as the report contract wants, in slices that yield to the event loop. Each frame
 * is dissected by a RowDissector (stream numbers are the index's) without a tree when the report
 * says what it reads (StatisticsReport.reads: only those fields), else with the whole tree; TCP
 * PDUs desegmented only for a report that asks (reads.desegment: display filters in io,stat).
 * Reports that take PairTaps (conversations and endpoints without a filter) get, for frames whose
 * layout is simple, a PairTap of that layout instead of the packet (TapFeeder).
 */
import { reportDissectOptions, type StatisticsReport } from '../stats/report';
import type { FilterSource } from './filter-view';
import { RowDissector } from './row-dissector';
import { TapFeeder } from './tap-feeder';
import type { DissectOptions } from '../dissect/model';

const SLICE_FRAMES = 50000;
/** The longest a slice runs. */
const SLICE_MS = 5;

/**
 * A report kept up to date with a store that may still grow (a live capture): each update() feeds
 * the frames appended since the last one, in order, so the report always covers frames 1..fed.
 */
export class ReportFeed {
  /** Frames fed so far (the next frame to feed is fed + 1). */
  fed = 0;
  private readonly dissector: RowDissector;
  /** What each frame's dissection builds (undefined: the whole tree). */
  private readonly options: DissectOptions | undefined;
  /** Set when the report takes PairTaps. */
  private readonly taps: TapFeeder | undefined;
  private running: Promise<void> | undefined;

  /** `skip`: frames the report never sees (ignored ones: Edit › Ignore Packet), by 0-based index. */
  constructor(private readonly source: FilterSource, readonly report: StatisticsReport, private readonly skip?: (k: number) => boolean) {
    this.dissector = new RowDissector(source, report.reads?.desegment === true);
    this.options = reportDissectOptions([report]);
    if (TapFeeder.canFeed([report])) this.taps = new TapFeeder([report]);
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
    if (this.skip?.(k)) return;
    const source = this.source;
    const packet = this.dissector.dissect(k, false, this.options);
    // The packet may hold views of the frame's bytes: read before the next frame.
    const data = this.dissector.lastData;
    const tsNs = source.tsNs(k);
    if (this.taps) {
      const sec = tsNs / 1_000_000_000n;
      this.taps.feedPacket(packet, data, Number(sec), Number(tsNs - sec * 1_000_000_000n), source.origLenOf(k));
      return;
    }
    this.report.add({ packet, data, tsNs, capLen: data.length, origLen: source.origLenOf(k) });
  }
}

/** Feeds every frame the source holds now to the report (see ReportFeed for a live store). */
export function feedReport(source: FilterSource, report: StatisticsReport, onProgress?: (framesDone: number, framesTotal: number) => void): Promise<void> {
  return new ReportFeed(source, report).update(onProgress);
}
