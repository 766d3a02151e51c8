/**
 * Statistics › Protocol Hierarchy as a tree table (Wireshark's dialog): the engine's `io,phs`
 * report (tshark's `-z io,phs`, the CLI's code) flattened into rows with their depth, the
 * percentages of the frames and bytes counted, and the frames that end at a protocol (no protocol
 * found inside). Sorting orders siblings and keeps each protocol under its parent.
 */
import * as v from 'valibot';
import { HierarchyReportData, type HierarchyNode } from '../../../app/rpc/engine-protocol';
import { compareValues, type Column, type SortState } from '../components/table';
import { formatBytes, formatCount } from '../lib/format';

export interface HierarchyRow {
  /** The protocols from the root to this one, joined by '/' ('eth/ip/tcp/http'): unique in a tree. */
  key: string;
  /** The parent's key, null at a root. */
  parent: string | null;
  protocol: string;
  depth: number;
  frames: number;
  bytes: number;
  /** Of every frame (byte) counted, in percent. */
  framesPercent: number;
  bytesPercent: number;
  /** Frames (bytes) in which this is the last protocol: Wireshark's "End Packets" / "End Bytes". */
  endFrames: number;
  endBytes: number;
}

export interface Hierarchy {
  /** The report's own display filter, null for every frame. */
  filter: string | null;
  /** Frames and bytes counted (the roots' sum: each frame counts once at a root). */
  frames: number;
  bytes: number;
  rows: HierarchyRow[];
}

/** readReport's data for `io,phs[,FILTER]`, checked, as rows in tree order (depth first). */
export function parseHierarchy(data: unknown): Hierarchy {
  const report = v.parse(HierarchyReportData, data);
  const frames = report.protocols.reduce((n, p) => n + p.frames, 0);
  const bytes = report.protocols.reduce((n, p) => n + p.bytes, 0);
  const rows: HierarchyRow[] = [];
  const percent = (part: number, whole: number): number => (whole === 0 ? 0 : (100 * part) / whole);
  const walk = (nodes: readonly HierarchyNode[], parent: string | null, depth: number): void => {
    for (const node of nodes) {
      const key = parent === null ? node.protocol : `${parent}/${node.protocol}`;
      rows.push({
        key,
        parent,
        protocol: node.protocol,
        depth,
        frames: node.frames,
        bytes: node.bytes,
        framesPercent: percent(node.frames, frames),
        bytesPercent: percent(node.bytes, bytes),
        endFrames: Math.max(0, node.frames - node.children.reduce((n, c) => n + c.frames, 0)),
        endBytes: Math.max(0, node.bytes - node.children.reduce((n, c) => n + c.bytes, 0)),
      });
      walk(node.children, key, depth + 1);
    }
  };
  walk(report.protocols, null, 0);
  return { filter: report.filter, frames, bytes, rows };
}

/** '12.3%' with one decimal, as Wireshark's percent columns. */
export function formatPercent(p: number): string {
  return `${p.toFixed(1)}%`;
}

/** A protocol's name indented by its depth (em spaces: HTML keeps them, trim() removes them). */
export function indentedProtocol(row: Pick<HierarchyRow, 'protocol' | 'depth'>): string {
  return `${'\u2003'.repeat(row.depth)}${row.protocol}`;
}

const count = (id: keyof HierarchyRow & string, title: string, width = 90): Column<HierarchyRow> => ({
  id,
  title,
  width,
  align: 'right',
  value: (r) => r[id] as number,
  format: (r) => formatCount(r[id] as number),
});

const size = (id: 'bytes' | 'endBytes', title: string): Column<HierarchyRow> => ({
  id,
  title,
  width: 100,
  align: 'right',
  value: (r) => r[id],
  format: (r) => formatBytes(r[id]),
  tooltip: (r) => `${formatCount(r[id])} bytes`,
});

const percent = (id: 'framesPercent' | 'bytesPercent', title: string): Column<HierarchyRow> => ({
  id,
  title,
  width: 135,
  align: 'right',
  value: (r) => r[id],
  format: (r) => formatPercent(r[id]),
});

/** Wireshark's columns: Protocol, Percent Packets, Packets, Percent Bytes, Bytes, End Packets, End Bytes. */
export const HIERARCHY_COLUMNS: readonly Column<HierarchyRow>[] = [
  { id: 'protocol', title: 'Protocol', width: 'minmax(14rem, 2fr)', value: (r) => r.protocol, format: indentedProtocol, tooltip: (r) => r.key.replace(/\//g, ' › ') },
  percent('framesPercent', 'Percent Packets'),
  count('frames', 'Packets'),
  percent('bytesPercent', 'Percent Bytes'),
  size('bytes', 'Bytes'),
  count('endFrames', 'End Packets', 115),
  size('endBytes', 'End Bytes'),
];

/**
 * Rows in tree order with each protocol's siblings sorted by a column (a stable sort; descending
 * reverses siblings, never a parent and its children). A row whose parent is not among `rows`
 * (the filter box hid it) sorts among the roots. No sort: the order given.
 */
export function sortTree(rows: readonly HierarchyRow[], columns: readonly Column<HierarchyRow>[], sort: SortState | null): readonly HierarchyRow[] {
  const column = sort ? columns.find((c) => c.id === sort.column) : undefined;
  if (!sort || !column) return rows;
  const present = new Set(rows.map((r) => r.key));
  const children = new Map<string | null, HierarchyRow[]>();
  for (const row of rows) {
    const parent = row.parent !== null && present.has(row.parent) ? row.parent : null;
    let list = children.get(parent);
    if (!list) children.set(parent, (list = []));
    list.push(row);
  }
  const sign = sort.descending ? -1 : 1;
  const compare = (a: HierarchyRow, b: HierarchyRow): number => (column.compare ? column.compare(a, b) : compareValues(column.value(a), column.value(b)));
  const out: HierarchyRow[] = [];
  const emit = (parent: string | null): void => {
    const list = children.get(parent);
    if (!list) return;
    const ordered = list.map((row, index) => ({ row, index })).sort((a, b) => sign * compare(a.row, b.row) || a.index - b.index);
    for (const { row } of ordered) {
      out.push(row);
      emit(row.key);
    }
  };
  emit(null);
  return out;
}
