/**
 * FilterView: the frame numbers (1-based, in order) that pass a display filter, built
 * incrementally in chunks that yield to the event loop, with progress reports; it keeps up with
 * frames appended later (a live capture) when asked to. The result is a Uint32Array grown by
 * doubling, 4 bytes per matching frame.
 *
 * Frames are tested in order as a RowDissector dissects them without a tree, building only the
 * filter's fields (ScopedPackets), so stream numbers and relative sequence numbers agree with a
 * whole-file dissection.
 */
import { compileDisplayFilter, type DisplayFilter } from '../filter';
import type { FrameProvider } from './row-dissector';
import { ScopedPackets } from './scoped-packets';

export interface FilterProgress {
  framesDone: number;
  framesTotal: number;
  matches: number;
}

/** What the view needs from the store besides frames. */
export interface FilterSource extends FrameProvider {
  linkTypeOf(k: number): number;
  origLenOf(k: number): number;
  capLenOf(k: number): number;
}

/** Frames per slice between yields to the event loop, and the longest a slice runs. */
const SLICE_FRAMES = 20000;
const SLICE_MS = 5;

export class FilterView {
  readonly filter: DisplayFilter;
  /** Frames [0, framesDone) have been tested. */
  framesDone = 0;
  private matched = new Uint32Array(1024);
  private matchCount = 0;
  private readonly packets: ScopedPackets;
  private running: Promise<void> | null = null;
  private cancelled = false;
  /** Set when a frame could not be read (the file was truncated underneath): the view stops there, update() still resolves. */
  error: Error | null = null;

  /** Throws DisplayFilterError (with the column and the problem) for a bad filter. */
  /** `skip`: frames that never match (ignored ones: Edit › Ignore Packet), by 0-based index, read as each frame is tested. */
  constructor(text: string, private readonly source: FilterSource, private readonly onProgress?: (p: FilterProgress) => void, private readonly skip?: (k: number) => boolean) {
    this.filter = compileDisplayFilter(text);
    this.packets = new ScopedPackets(source, this.filter.fieldNames);
  }

  get text(): string {
    return this.filter.text;
  }

  /** Matching frames so far. */
  count(): number {
    return this.matchCount;
  }

  /** 1-based frame numbers of the matches so far (a view: copy it to keep it past later updates). */
  frames(): Uint32Array {
    return this.matched.subarray(0, this.matchCount);
  }

  /** 1-based frame number of the i-th match. */
  frameAt(i: number): number {
    return this.matched[i]!;
  }

  /** Tests every frame the store holds now; resolves when done (or cancelled). Safe to call again. */
  update(): Promise<void> {
    if (this.running) return this.running.then(() => (this.framesDone < this.source.count() ? this.update() : undefined));
    this.running = this.runSlices().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  /** Tests frames synchronously up to the store's current count (small live increments); a running update() catches up instead. */
  updateSync(): void {
    if (this.running) return;
    this.slice(this.source.count());
  }

  cancel(): void {
    this.cancelled = true;
  }

  private async runSlices(): Promise<void> {
    while (!this.cancelled && this.error === null && this.framesDone < this.source.count()) {
      try {
        this.slice(Math.min(this.source.count(), this.framesDone + SLICE_FRAMES), performance.now() + SLICE_MS);
      } catch (e) {
        // Callers start updates without awaiting them (store.filter, each slice of an opened file): never reject.
        this.error = e instanceof Error ? e : new Error(String(e));
        return;
      }
      this.onProgress?.({ framesDone: this.framesDone, framesTotal: this.source.count(), matches: this.matchCount });
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  /** Tests frames up to `end`, or until the clock passes `deadline` (read every 64 frames). */
  private slice(end: number, deadline = Infinity): void {
    const packets = this.packets;
    const start = this.framesDone;
    for (let k = start; k < end; k++) {
      if ((k & 63) === 0 && k !== start && performance.now() >= deadline) {
        end = k;
        break;
      }
      const { packet, data } = packets.packet(k);
      if (this.filter.matches(packet, data) && !this.skip?.(k)) this.push(k + 1);
      // Counted per frame: a frame that cannot be read stops the view without testing any frame twice.
      this.framesDone = k + 1;
    }
    this.framesDone = Math.max(this.framesDone, end);
  }

  private push(frameNumber: number): void {
    if (this.matchCount === this.matched.length) {
      const bigger = new Uint32Array(this.matched.length * 2);
      bigger.set(this.matched);
      this.matched = bigger;
    }
    this.matched[this.matchCount++] = frameNumber;
  }
}
