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
import { compileDisplayFilter, parseDisplayFilter, type DisplayFilter, type FilterNode } from '../filter';
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
  /**
   * For a frame of simple layout (one IP header and its TCP/UDP stream: FrameLayout.simple), a
   * key ≥ 0 naming its stream, transport and direction: frames with the same key have the same
   * addresses, ports and stream number. -1 for any other frame.
   */
  streamKey?(k: number): number;
}

/**
 * Fields whose values a simple frame's stream key decides (its one IP header's addresses and
 * protocol, its TCP/UDP ports and stream number), and protocols a filter may only test for
 * presence: a filter on nothing else gives every frame of one key the same answer.
 */
const KEYED_FIELDS = new Set([
  'ip.addr', 'ip.src', 'ip.dst', 'ip.host', 'ip.src_host', 'ip.dst_host', 'ip.version', 'ip.proto',
  'ipv6.addr', 'ipv6.src', 'ipv6.dst', 'ipv6.host', 'ipv6.src_host', 'ipv6.dst_host', 'ipv6.version', 'ipv6.nxt',
  'tcp.port', 'tcp.srcport', 'tcp.dstport', 'tcp.stream',
  'udp.port', 'udp.srcport', 'udp.dstport', 'udp.stream',
]);
const KEYED_PROTOCOLS = new Set(['ip', 'ipv6', 'tcp', 'udp']);

/**
 * Whether `filter` reads only what a simple frame's stream key decides: keyed fields (compared,
 * sliced, in sets, any way) and the IP/TCP/UDP protocols as bare presence tests (`tcp`, not
 * `tcp contains …` or `tcp[0:2]`, which read bytes that vary from frame to frame).
 */
export function decidedByStream(filter: DisplayFilter): boolean {
  if (!filter.fieldNames.every((name) => KEYED_FIELDS.has(name) || KEYED_PROTOCOLS.has(name))) return false;
  if (!filter.fieldNames.some((name) => KEYED_PROTOCOLS.has(name))) return true;
  let tree: FilterNode;
  try {
    tree = parseDisplayFilter(filter.text);
  } catch {
    return false;
  }
  const operandOk = (o: { text: string }): boolean => !o.text.includes('(') && !KEYED_PROTOCOLS.has(o.text.replace(/[#].*$/, ''));
  const ok = (n: FilterNode): boolean => {
    switch (n.type) {
      case 'and':
      case 'or':
        return ok(n.left) && ok(n.right);
      case 'not':
        return ok(n.operand);
      case 'exists':
        return (KEYED_PROTOCOLS.has(n.operand.text) && n.operand.slice === undefined) || operandOk(n.operand);
      case 'compare':
      case 'contains':
      case 'matches':
        return operandOk(n.left) && operandOk(n.right);
      case 'in':
        return operandOk(n.left) && n.elements.every((e) => operandOk(e.low) && (e.high === undefined || operandOk(e.high)));
    }
  };
  return ok(tree);
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
  /**
   * When the filter reads only what a simple frame's stream decides (decidedByStream): the answer
   * for each stream key, 0 not known yet, 1 no, 2 yes. The first frame of each key is dissected
   * and tested; the others of that key take its answer without being read.
   */
  private byKey: Uint8Array | null = null;
  /** Frames dissected so far (the others took their stream key's answer). */
  framesRead = 0;

  /** Throws DisplayFilterError (with the column and the problem) for a bad filter. */
  /** `skip`: frames that never match (ignored ones: Edit › Ignore Packet), by 0-based index, read as each frame is tested. */
  constructor(text: string, private readonly source: FilterSource, private readonly onProgress?: (p: FilterProgress) => void, private readonly skip?: (k: number) => boolean) {
    this.filter = compileDisplayFilter(text);
    this.packets = new ScopedPackets(source, this.filter.fieldNames);
    // Decode As rules may make a port's payload a tunnel the index did not see: no shortcut then.
    if (source.streamKey && !source.portRules?.length && decidedByStream(this.filter)) this.byKey = new Uint8Array(1024);
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
      let match: boolean;
      const key = this.byKey ? this.source.streamKey!(k) : -1;
      if (key >= 0) {
        let known = key < this.byKey!.length ? this.byKey![key]! : 0;
        if (known === 0) {
          this.framesRead++;
          const { packet, data } = packets.packet(k);
          known = this.filter.matches(packet, data) ? 2 : 1;
          this.remember(key, known);
        }
        match = known === 2;
      } else {
        this.framesRead++;
        const { packet, data } = packets.packet(k);
        match = this.filter.matches(packet, data);
      }
      if (match && !this.skip?.(k)) this.push(k + 1);
      // Counted per frame: a frame that cannot be read stops the view without testing any frame twice.
      this.framesDone = k + 1;
    }
    this.framesDone = Math.max(this.framesDone, end);
  }

  private remember(key: number, answer: number): void {
    let memo = this.byKey!;
    if (key >= memo.length) {
      const bigger = new Uint8Array(Math.max(memo.length * 2, key + 1));
      bigger.set(memo);
      this.byKey = memo = bigger;
    }
    memo[key] = answer;
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
