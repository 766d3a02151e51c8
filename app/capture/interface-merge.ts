/**
 * Several interfaces into one time-ordered stream. Each interface's batches arrive in time order,
 * but the interfaces' rings retire their blocks independently, so a packet of one interface can
 * arrive after later packets of another. The merger holds each interface's records for a short
 * horizon and hands them on in time-stamp order, in runs of consecutive records of one interface
 * (views into the arriving batches: no packet bytes are copied).
 *
 * Records are pcapng Enhanced Packet Blocks as the native reader makes them (time stamp high word
 * at offset 12, low word at 16, block length at 4).
 */

interface Queued {
  batch: Buffer;
  /** Offsets of the records still queued from this batch, with their time stamps. */
  offsets: number[];
  high: number[];
  low: number[];
  next: number;
}

export type RunCallback = (interfaceIndex: number, records: Buffer, count: number) => void;

export class InterfaceMerger {
  private readonly queues: Queued[][];
  /** Time stamp (high, low words) of the last record handed on: later arrivals below it go at once. */
  private lastHigh = 0;
  private lastLow = 0;

  constructor(interfaceCount: number, private readonly emit: RunCallback) {
    this.queues = Array.from({ length: interfaceCount }, () => []);
  }

  /** Queues the records of one batch of interface `index`. */
  add(index: number, batch: Buffer): void {
    const q: Queued = { batch, offsets: [], high: [], low: [], next: 0 };
    for (let at = 0; at + 28 <= batch.length; ) {
      const length = batch.readUInt32LE(at + 4);
      if (length < 28 || at + length > batch.length) break;
      q.offsets.push(at);
      q.high.push(batch.readUInt32LE(at + 12));
      q.low.push(batch.readUInt32LE(at + 16));
      at += length;
    }
    if (q.offsets.length > 0) this.queues[index]!.push(q);
  }

  /** Hands on, in order, every queued record stamped at or before `untilNs` (ns since the epoch). */
  release(untilNs: bigint): void {
    const boundHigh = Number(untilNs >> 32n);
    const boundLow = Number(untilNs & 0xffffffffn);
    this.drain((high, low) => high < boundHigh || (high === boundHigh && low <= boundLow));
  }

  /** Hands on everything queued. */
  releaseAll(): void {
    this.drain(() => true);
  }

  private drain(due: (high: number, low: number) => boolean): void {
    for (;;) {
      // The interface whose next record is the oldest.
      let best = -1;
      let bestHigh = 0;
      let bestLow = 0;
      for (let i = 0; i < this.queues.length; i++) {
        const q = this.queues[i]![0];
        if (!q) continue;
        const h = q.high[q.next]!;
        const l = q.low[q.next]!;
        if (best < 0 || h < bestHigh || (h === bestHigh && l < bestLow)) {
          best = i;
          bestHigh = h;
          bestLow = l;
        }
      }
      if (best < 0 || !due(bestHigh, bestLow)) return;
      // Take a run of that interface's records up to the next one of another interface.
      let limitHigh = Infinity;
      let limitLow = Infinity;
      for (let i = 0; i < this.queues.length; i++) {
        const q = this.queues[i]![0];
        if (i === best || !q) continue;
        const h = q.high[q.next]!;
        const l = q.low[q.next]!;
        if (h < limitHigh || (h === limitHigh && l < limitLow)) {
          limitHigh = h;
          limitLow = l;
        }
      }
      const q = this.queues[best]![0]!;
      const start = q.next;
      let end = start;
      while (end < q.offsets.length) {
        const h = q.high[end]!;
        const l = q.low[end]!;
        if (!due(h, l) || h > limitHigh || (h === limitHigh && l > limitLow)) break;
        end++;
      }
      if (end === start) end = start + 1; // equal stamps: take one and look again
      const from = q.offsets[start]!;
      const to = end < q.offsets.length ? q.offsets[end]! : q.batch.length;
      this.lastHigh = q.high[end - 1]!;
      this.lastLow = q.low[end - 1]!;
      q.next = end;
      if (q.next >= q.offsets.length) this.queues[best]!.shift();
      this.emit(best, q.batch.subarray(from, to), end - start);
    }
  }

  /** Time stamp of the last record handed on, ns since the epoch (0 before the first). */
  get lastReleasedNs(): bigint {
    return (BigInt(this.lastHigh) << 32n) | BigInt(this.lastLow);
  }
}
