/**
 * Wireshark's stats_tree, as tshark 4.0 prints it with `-z NAME,tree`: counters in a tree, each
 * with its Rate (count per ms over the time from the first tapped packet to the last), Percent of
 * its parent, and Burst Rate and Start (the most ticks within 100 ms, in 5 ms buckets). An
 * average node also keeps the values it was given (Average, Min Val, Max Val). Top-level nodes
 * print in the order they were made, children by count (highest first), equal counts by name
 * descending. Used by -z http,tree and -z dns,tree.
 */

/** stats_tree's burst defaults: a 100 ms window measured in 5 ms buckets. */
export const BURST_WINDOW_MS = 100;
const BURST_RESOLUTION_MS = 5;

interface BurstBucket {
  bucket: number;
  count: number;
  startMs: number;
}

/** A stats_tree node: a counter with its burst bookkeeping and children in creation order. */
export class StatNode {
  count = 0;
  readonly children: StatNode[] = [];
  private readonly buckets: BurstBucket[] = [{ bucket: 0, count: 0, startMs: 0 }];
  private burstCount = 0;
  maxBurst = 0;
  burstStartMs = 0;
  /** Average nodes: the sum, least and greatest of the values given (add()). */
  total = 0;
  min = Infinity;
  max = -Infinity;

  /** `average`: 'int' or 'float' for a node that averages values (avg_stat_node_add_value_*), null for a counter. */
  constructor(readonly name: string, readonly average: 'int' | 'float' | null = null) {}

  child(name: string, average: 'int' | 'float' | null = null): StatNode {
    let c = this.children.find((n) => n.name === name);
    if (!c) {
      c = new StatNode(name, average);
      this.children.push(c);
    }
    return c;
  }

  /** Counts one at `nowMs` (ms since the capture's start). */
  tick(nowMs: number): void {
    this.count++;
    const current = Math.floor(nowMs / BURST_RESOLUTION_MS);
    const window = BURST_WINDOW_MS / BURST_RESOLUTION_MS;
    const tail = this.buckets[this.buckets.length - 1]!;
    if (current > tail.bucket) {
      this.buckets.push({ bucket: current, count: 1, startMs: nowMs });
      this.burstCount++;
      while (current >= this.buckets[0]!.bucket + window) this.burstCount -= this.buckets.shift()!.count;
    } else {
      let k = this.buckets.length - 1;
      while (k > 0 && current < this.buckets[k]!.bucket) k--;
      this.buckets[k]!.count++;
      this.burstCount++;
    }
    if (this.burstCount > this.maxBurst) {
      this.maxBurst = this.burstCount;
      this.burstStartMs = this.buckets[0]!.startMs;
    }
  }

  /** An average node's value (a float node keeps it as a C float, as Wireshark's gfloat). */
  add(nowMs: number, value: number): void {
    const v = this.average === 'float' ? Math.fround(value) : value;
    this.total += v;
    if (v < this.min) this.min = v;
    if (v > this.max) this.max = v;
    this.tick(nowMs);
  }
}

/** tshark's default order: highest count first, equal counts by name, descending. */
export function sortedNodes(nodes: readonly StatNode[]): StatNode[] {
  return [...nodes].sort((a, b) => b.count - a.count || (a.name < b.name ? 1 : a.name > b.name ? -1 : 0));
}

/** The text of `tshark -q -z …,tree`: `title` ('DNS:'), the top-level nodes and what is under them. */
export function renderStatsTree(title: string, tops: readonly StatNode[], elapsedMs: number): string {
  const rows: Array<[string, string[]]> = [];
  const walk = (n: StatNode, parent: StatNode | null, depth: number): void => {
    const percent = parent === null ? '100%' : parent.count > 0 ? `${((n.count / parent.count) * 100).toFixed(2)}%` : '';
    const rate = elapsedMs > 0 ? (n.count / elapsedMs).toFixed(4) : '';
    const burst = n.maxBurst > 0 ? [(n.maxBurst / BURST_WINDOW_MS).toFixed(4), (n.burstStartMs / 1000).toFixed(3)] : ['-', '-'];
    let values = ['', '', ''];
    if (n.average !== null && n.count > 0) {
      const extreme = (v: number) => (n.average === 'float' ? v.toFixed(6) : String(v));
      values = [(n.total / n.count).toFixed(2), extreme(n.min), extreme(n.max)];
    }
    rows.push([' '.repeat(depth) + n.name, [String(n.count), ...values, rate, percent, ...burst]]);
    for (const c of sortedNodes(n.children)) walk(c, n, depth + 1);
  };
  for (const top of tops) walk(top, null, 0);
  const headings = ['Count', 'Average', 'Min Val', 'Max Val', 'Rate (ms)', 'Percent', 'Burst Rate', 'Burst Start'];
  const nameWidth = Math.max('Topic / Item'.length, ...rows.map(([name]) => name.length)) + 2;
  // Value columns are 12 wide with 2 spaces after, the last one with 1; a longer value pushes the rest.
  const line = (name: string, cells: string[]): string => name.padEnd(nameWidth) + cells.map((c, i) => c.padEnd(i === cells.length - 1 ? 13 : 14)).join('');
  const width = nameWidth + 7 * 14 + 13;
  return ['', '='.repeat(width), title, line('Topic / Item', headings), '-'.repeat(width), ...rows.map(([n, c]) => line(n, c)), '', '-'.repeat(width), ''].join('\n');
}
