/**
 * `-z http,tree`: tshark's "HTTP/Packet Counter" stats tree — HTTP messages counted by request
 * method and by response status — and `-z http_req,tree`, its "HTTP/Requests" (requests by Host
 * header and URI), with tshark 4.0's stats_tree columns (Count, Rate per ms,
 * Percent of the parent, Burst rate and start over a 100 ms window in 5 ms buckets).
 *
 * tshark counts an HTTP message once, in the frame that completed it after TCP desegmentation; so
 * do we, from the HTTP layers the dissector makes (the same desegmentation, ports and heuristics).
 */
import type { Field } from '../dissect/model';
import { relativeNs } from './io-graph';
import { BURST_WINDOW_MS, renderStatsTree, sortedNodes, StatNode } from './stats-tree';
import { StatisticsSpecError, type ReportFrame, type ReportReads, type StatisticsReport } from './report';
import { HTTP_STATUS_NAMES } from '../dissect/http-status';

const TOTAL = 'Total HTTP Packets';
const REQUESTS = 'HTTP Request Packets';
const RESPONSES = 'HTTP Response Packets';
const OTHER = 'Other HTTP Packets';
const REQUESTS_BY_HOST = 'HTTP Requests by HTTP Host';
const BROKEN = '???: broken';
const CLASSES = ['1xx: Informational', '2xx: Success', '3xx: Redirection', '4xx: Client Error', '5xx: Server Error'];

export interface HttpTreeNodeJson {
  name: string;
  count: number;
  /** Messages per millisecond over the time between the first and last message counted; null when that is 0. */
  ratePerMs: number | null;
  /** Share of the parent's count in percent; null for the root or a parent counting 0. */
  percent: number | null;
  /** Most messages within 100 ms, per ms, and when that window started (seconds since the capture's start). */
  burstRatePerMs: number | null;
  burstStart: number | null;
  children: HttpTreeNodeJson[];
}

interface CountedMessage {
  frame: number;
  nowMs: number;
  method: string | null;
  status: number | null;
  /** Requests: the Host header's value and the request target as sent. */
  host: string | null;
  uri: string | null;
}

/**
 * The HTTP messages of the frames added, as the HTTP dissector found them (the protocol Wireshark's
 * http tap sees: desegmented, each message at the frame that completed it, on the ports and
 * conversations tshark gives HTTP), in frame order.
 */
class HttpMessages {
  private readonly out: CountedMessage[] = [];
  private captureStartNs: bigint | null = null;

  add(frame: ReportFrame): void {
    if (this.captureStartNs === null) this.captureStartNs = frame.tsNs - relativeNs(frame);
    for (const layer of frame.packet.layers) {
      if (layer.protocol !== 'http') continue;
      const request = findField(layer.fields, 'http.request');
      const response = request ? undefined : findField(layer.fields, 'http.response');
      if (!request && !response) continue;
      const value = (abbrev: string): string | null => {
        const f = findField(layer.fields, abbrev);
        return f === undefined || f.value === null ? null : String(f.value);
      };
      const code = response ? findField(layer.fields, 'http.response.code') : undefined;
      this.out.push({
        frame: frame.packet.number,
        nowMs: Number(frame.tsNs - this.captureStartNs) / 1e6,
        method: request ? value('http.request.method') : null,
        status: typeof code?.value === 'number' ? code.value : null,
        host: request ? value('http.host') : null,
        uri: request ? value('http.request.uri') : null,
      });
    }
  }

  finish(): void {}

  /** Every HTTP message so far, in the order tshark would have tapped them. */
  list(): CountedMessage[] {
    return this.out;
  }
}

/** The first field of this name in a layer's tree, depth first. */
function findField(fields: readonly Field[], abbrev: string): Field | undefined {
  for (const f of fields) {
    if (f.abbrev === abbrev) return f;
    if (f.children) {
      const inner = findField(f.children, abbrev);
      if (inner) return inner;
    }
  }
  return undefined;
}

/**
 * stats_tree's elapsed time: from the first message the tap delivered to the last, whether or not
 * the tree counted it (a response in the requests tree too).
 */
function elapsedMs(msgs: readonly CountedMessage[]): number {
  return msgs.length ? msgs[msgs.length - 1]!.nowMs - msgs[0]!.nowMs : 0;
}

/** A stats tree as plain data: counts, rates, percents and bursts (json() of both reports). */
function treeJson(root: StatNode, elapsed: number): HttpTreeNodeJson {
  const convert = (n: StatNode, parent: StatNode | null): HttpTreeNodeJson => ({
    name: n.name,
    count: n.count,
    ratePerMs: elapsed > 0 ? n.count / elapsed : null,
    percent: parent && parent.count > 0 ? (n.count / parent.count) * 100 : null,
    burstRatePerMs: n.maxBurst > 0 ? n.maxBurst / BURST_WINDOW_MS : null,
    burstStart: n.maxBurst > 0 ? n.burstStartMs / 1000 : null,
    children: sortedNodes(n.children).map((c) => convert(c, n)),
  });
  return convert(root, null);
}

/** tshark 4.0's text of a stats tree (`-q -z NAME,tree`) titled `title` (stats-tree.ts). */
function treeText(title: string, root: StatNode, elapsed: number): string {
  return renderStatsTree(title, [root], elapsed);
}

/** The frame's time and the HTTP fields the trees count (the dissector desegments HTTP for them). */
const HTTP_READS: ReportReads = {
  fields: ['frame.time_relative', 'http.request', 'http.response', 'http.request.method', 'http.response.code', 'http.host', 'http.request.uri'],
  columns: false,
  desegment: true,
};

class HttpTreeReport implements StatisticsReport {
  private readonly messages = new HttpMessages();
  readonly reads = HTTP_READS;

  constructor(readonly spec: string) {}

  add(frame: ReportFrame): void {
    this.messages.add(frame);
  }

  finish(): void {
    this.messages.finish();
  }

  private tree(): { root: StatNode; elapsedMs: number } {
    const total = new StatNode(TOTAL);
    const requests = total.child(REQUESTS);
    const responses = total.child(RESPONSES);
    const broken = responses.child(BROKEN);
    const classes = CLASSES.map((c) => responses.child(c));
    total.child(OTHER);
    const msgs = this.messages.list();
    for (const m of msgs) {
      total.tick(m.nowMs);
      if (m.status !== null) {
        responses.tick(m.nowMs);
        const group = m.status < 100 || m.status >= 600 ? broken : classes[Math.floor(m.status / 100) - 1]!;
        group.tick(m.nowMs);
        group.child(`${m.status} ${HTTP_STATUS_NAMES[m.status] ?? `Unknown (${m.status})`}`).tick(m.nowMs);
      } else if (m.method !== null) {
        requests.tick(m.nowMs);
        requests.child(m.method).tick(m.nowMs);
      }
    }
    return { root: total, elapsedMs: elapsedMs(msgs) };
  }

  json(): HttpTreeNodeJson {
    const { root, elapsedMs } = this.tree();
    return treeJson(root, elapsedMs);
  }

  text(): string {
    const { root, elapsedMs } = this.tree();
    return treeText('HTTP/Packet Counter:', root, elapsedMs);
  }
}

/**
 * `-z http_req,tree`: tshark's "HTTP/Requests" — requests counted by their Host header, and under
 * each host by request URI (a request without a Host header counts at the top only).
 */
class HttpRequestsTreeReport implements StatisticsReport {
  private readonly messages = new HttpMessages();
  readonly reads = HTTP_READS;

  constructor(readonly spec: string) {}

  add(frame: ReportFrame): void {
    this.messages.add(frame);
  }

  finish(): void {
    this.messages.finish();
  }

  private tree(): { root: StatNode; elapsedMs: number } {
    const root = new StatNode(REQUESTS_BY_HOST);
    const msgs = this.messages.list();
    for (const m of msgs) {
      if (m.method === null) continue;
      root.tick(m.nowMs);
      if (m.host === null) continue;
      const host = root.child(m.host);
      host.tick(m.nowMs);
      if (m.uri !== null) host.child(m.uri).tick(m.nowMs);
    }
    return { root, elapsedMs: elapsedMs(msgs) };
  }

  json(): HttpTreeNodeJson {
    const { root, elapsedMs } = this.tree();
    return treeJson(root, elapsedMs);
  }

  text(): string {
    const { root, elapsedMs } = this.tree();
    return treeText('HTTP/Requests:', root, elapsedMs);
  }
}

/** `http,tree` (tshark's optional ,FILTER is not supported: use -Y). */
export function createHttpTreeReport(spec: string): StatisticsReport {
  if (spec !== 'http,tree') {
    if (spec.startsWith('http,tree,')) throw new StatisticsSpecError(`"-z ${spec}": a filter inside http,tree is not supported; use -z http,tree with -Y FILTER`);
    throw new StatisticsSpecError(`invalid "-z ${spec}": the HTTP packet counter is -z http,tree`);
  }
  return new HttpTreeReport(spec);
}

/** `http_req,tree` (tshark's optional ,FILTER is not supported: use -Y). */
export function createHttpRequestsTreeReport(spec: string): StatisticsReport {
  if (spec !== 'http_req,tree') {
    if (spec.startsWith('http_req,tree,')) throw new StatisticsSpecError(`"-z ${spec}": a filter inside http_req,tree is not supported; use -z http_req,tree with -Y FILTER`);
    throw new StatisticsSpecError(`invalid "-z ${spec}": HTTP requests by host are -z http_req,tree`);
  }
  return new HttpRequestsTreeReport(spec);
}
