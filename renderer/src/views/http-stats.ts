/**
 * Statistics › HTTP as plain functions: requests per host (the engine's `http_req,tree`, tshark's
 * "HTTP/Requests"), requests by method and responses by status code (`http,tree`, tshark's
 * "HTTP/Packet Counter"), responses per status class over time (an `io,stat` report with a filter
 * per class) and the filters a row applies.
 */
import * as v from 'valibot';
import { StatsTreeNode } from '../../../app/rpc/engine-protocol';

export function parseStatsTree(data: unknown): StatsTreeNode {
  return v.parse(StatsTreeNode, data);
}

export interface CountRow {
  key: string;
  name: string;
  count: number;
  /** Share of the parent, percent (null when the parent counted none). */
  percent: number | null;
  children: CountRow[];
}

function row(node: StatsTreeNode, key: string): CountRow {
  return { key, name: node.name, count: node.count, percent: node.percent, children: node.children.map((c, i) => row(c, `${key}/${i}`)) };
}

/** Hosts (Host header) with their URIs, most requested first (tshark's order), and the requests counted. */
export function hostRows(tree: StatsTreeNode | null): { total: number; hosts: CountRow[] } {
  if (!tree) return { total: 0, hosts: [] };
  return { total: tree.count, hosts: tree.children.map((c, i) => row(c, `host${i}`)) };
}

/** Requests by method, and responses by status class with their codes (classes that counted none left out). */
export function statusRows(tree: StatsTreeNode | null): { requests: number; methods: CountRow[]; responses: number; classes: CountRow[] } {
  const requests = tree?.children.find((c) => c.name === 'HTTP Request Packets');
  const responses = tree?.children.find((c) => c.name === 'HTTP Response Packets');
  return {
    requests: requests?.count ?? 0,
    methods: (requests?.children ?? []).map((c, i) => row(c, `method${i}`)),
    responses: responses?.count ?? 0,
    classes: (responses?.children ?? []).filter((c) => c.count > 0).map((c, i) => row(c, `class${i}`)),
  };
}

/** Status classes as display filters, for the responses-over-time graph. */
export const STATUS_CLASSES: ReadonlyArray<{ label: string; filter: string }> = [1, 2, 3, 4, 5].map((k) => ({
  label: `${k}xx`,
  filter: `http.response.code >= ${k}00 && http.response.code < ${k + 1}00`,
}));

/** The io,stat report counting responses per class per interval. */
export function statusOverTimeSpec(interval: number): string {
  return `io,stat,${String(interval)},${STATUS_CLASSES.map((c) => c.filter).join(',')}`;
}

/** A display-filter string literal (quotes and backslashes escaped). */
export function quoted(text: string): string {
  return `"${text.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

export function hostFilter(host: string): string {
  return `http.host == ${quoted(host)}`;
}

/** A status row's filter: a code ('404 Not Found') or a class ('4xx: Client Error'); null for others. */
export function statusFilter(name: string): string | null {
  const code = /^(\d{3}) /.exec(name);
  if (code) return `http.response.code == ${code[1]}`;
  const cls = /^([1-5])xx:/.exec(name);
  return cls ? STATUS_CLASSES[Number(cls[1]) - 1]!.filter : null;
}

export function formatSeconds(seconds: number | null): string {
  if (seconds === null) return '—';
  return seconds < 1 ? `${(seconds * 1000).toFixed(1)} ms` : `${seconds.toFixed(3)} s`;
}
