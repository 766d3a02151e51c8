/**
 * `-z io,phs[,FILTER]`: protocol hierarchy statistics, as tshark prints them.
 *
 * tshark walks the top-level items of each packet's protocol tree (eth, ip, tcp, http, …; the
 * frame item itself is not shown) and nests each one under the one before it: a packet's
 * protocols form a path from the root, and every node on the path counts the frame and its
 * length on the wire. Siblings keep the order in which they were first seen. Our layers are the
 * dissector's top-level items, so the tree is built from DissectedPacket.layers (hierarchyPath
 * maps the few places where they differ), and HTTP is placed as tshark's desegmentation places it
 * (HierarchyReport below). Frames of protocols we do not dissect count under 'data' where tshark
 * names them (smtp, ftp, igmp, 802.11, …).
 *
 * json(): { filter: string | null, protocols: [{ protocol, frames, bytes, children: [...] }] }.
 *
 *   const phs = createHierarchyReport('io,phs');
 *   for (const f of frames) phs.add(f);
 *   process.stdout.write(phs.text());
 */
import { compileDisplayFilter, DisplayFilterError, type DisplayFilter } from '../filter';
import { decodeContent } from '../reassembly/content-decoding';
import { HttpTransactionTracker } from '../reassembly/http';
import { headerValue, type HttpMessage } from '../reassembly/http-parser';
import { TCP_SEGMENT_FIELDS, tcpSegmentOf } from '../reassembly/tcp-segment';
import { TcpReassembler } from '../reassembly/tcp-stream';
import { StatisticsSpecError, type ReportFrame, type ReportReads, type StatisticsReport } from './report';

export interface HierarchyNodeJson {
  protocol: string;
  frames: number;
  bytes: number;
  children: HierarchyNodeJson[];
}

interface HierarchyNode {
  protocol: string;
  frames: number;
  bytes: number;
  children: HierarchyNode[];
}

/** tshark prints the name in a 79-character buffer and stops indenting after 16 levels. */
const MAX_LINE = 79;
const MAX_INDENT_LEVELS = 16;
const RULE = '='.repeat(67);

export class ProtocolHierarchy {
  private readonly roots: HierarchyNode[] = [];

  /** Counts one packet whose top-level protocols, outermost first, are `protocols`. */
  addPath(protocols: readonly string[], wireLength: number): void {
    this.addFrames(protocols, 1, wireLength);
  }

  /**
   * Counts `frames` packets of `bytes` on the wire in all, all with the path `protocols`. New nodes
   * go after their siblings: add paths in the order of their first frame to keep tshark's order.
   */
  addFrames(protocols: readonly string[], frames: number, bytes: number): void {
    let level = this.roots;
    for (const protocol of protocols) {
      let node = level.find((n) => n.protocol === protocol);
      if (!node) {
        node = { protocol, frames: 0, bytes: 0, children: [] };
        level.push(node);
      }
      node.frames += frames;
      node.bytes += bytes;
      level = node.children;
    }
  }

  json(): HierarchyNodeJson[] {
    const copy = (n: HierarchyNode): HierarchyNodeJson => ({ protocol: n.protocol, frames: n.frames, bytes: n.bytes, children: n.children.map(copy) });
    return this.roots.map(copy);
  }

  /** The body lines of tshark's table (without the header and rules). */
  lines(): string[] {
    const out: string[] = [];
    const walk = (nodes: HierarchyNode[], depth: number): void => {
      for (const n of nodes) {
        let indent = '';
        for (let i = 0; i < depth; i++) {
          if (i >= MAX_INDENT_LEVELS) {
            indent += '...';
            break;
          }
          indent += '  ';
        }
        const name = (indent + n.protocol).slice(0, MAX_LINE);
        out.push(`${name.padEnd(40)} frames:${n.frames} bytes:${n.bytes}`);
        walk(n.children, depth + 1);
      }
    };
    walk(this.roots, 0);
    return out;
  }
}

/**
 * The protocols tshark would list for a packet: its top-level tree items after the frame. Our
 * layers are close to those, with three differences mapped here: IPv6 extension headers are
 * items inside tshark's ipv6 tree; ICMP and ICMPv6 hold the packet they quote (and their data)
 * inside their own tree; and several PDUs of one protocol in a TCP/UDP payload (TLS records,
 * DNS messages) are one item in tshark's tree but one layer each here.
 */
export function hierarchyPath(frame: ReportFrame): string[] {
  const path: string[] = [];
  let afterTransport = false;
  for (const layer of frame.packet.layers) {
    const protocol = layer.protocol;
    if (protocol === 'frame' || protocol.startsWith('ipv6.')) continue;
    if (afterTransport && path[path.length - 1] === protocol) continue;
    path.push(protocol);
    if (protocol === 'icmp' || protocol === 'icmpv6') break;
    if (protocol === 'tcp' || protocol === 'udp') afterTransport = true;
  }
  return path;
}

/** tshark 4.0's dissectors for an HTTP body, by media type (the items after 'http' in its tree). */
function bodyProtocols(contentType: string | null): string[] {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'image/jpeg') return ['image-jfif'];
  if (type === 'image/png') return ['png'];
  if (type === 'image/gif') return ['image-gif'];
  // Its JSON dissector shows the text lines as well.
  if (type === 'application/json') return ['json', 'data-text-lines'];
  if (type === 'application/x-www-form-urlencoded') return ['urlencoded-form'];
  if (type === 'text/xml' || type === 'application/xml') return ['xml'];
  // 4.0 registers application/x-javascript as text, not application/javascript.
  if (type.startsWith('text/') || type === 'application/x-javascript') return ['data-text-lines'];
  return ['media'];
}

/** A small compressed body that decodes to no bytes (tshark then has no body to dissect). */
function decodesToNothing(m: HttpMessage): boolean {
  const coding = headerValue(m, 'content-encoding');
  if (coding === null || !m.body || m.bodyCut) return false;
  const decoded = decodeContent(m.body, coding);
  return decoded.data !== null && decoded.data.length === 0;
}

/** The items tshark adds for one HTTP message in the frame that completes it. */
function httpItems(m: HttpMessage): string[] {
  const items = ['http'];
  if (m.bodyBytes > 0 && !decodesToNothing(m)) items.push(...bodyProtocols(headerValue(m, 'content-type')));
  if (m.firstFrame !== m.lastFrame) items.push('tcp.segments');
  return items;
}

/**
 * Counts packets by path. tshark desegments HTTP: a message appears (as http, its body's media
 * type and tcp.segments) only in the frame that completes it, and the frames before it are plain
 * TCP. Our dissector marks every segment of an HTTP stream 'http'; so frames with an http layer
 * are counted at text() time, from the messages app/reassembly reconstructs (TcpReassembler +
 * HttpTransactionTracker fed every TCP segment).
 *
 * The tree is built incrementally: paths are interned ids, and the frames whose path cannot change
 * are summed per path as they are added (frames, bytes and the index of the first such frame,
 * which orders new nodes among their siblings as tshark's first-seen order does). Only the frames
 * that may carry HTTP are kept one by one and placed again when the tree is built, which happens
 * only when frames were added (or finish() was called) since it was last built.
 */
class HierarchyReport implements StatisticsReport {
  /** Bodies are kept up to 64 bytes only: enough to see an encoded body that decodes to nothing. */
  private readonly http = new HttpTransactionTracker({ keepBodies: true, maxBodyBytes: 64 });
  private readonly tcp = new TcpReassembler(this.http);
  private readonly pathIds = new Map<string, number>();
  private readonly paths: string[][] = [];
  /** Frames counted so far (those that passed the report's filter). */
  private counted = 0;
  /**
   * Per path id, for the counted frames that cannot carry HTTP: their number, their bytes on the
   * wire and the counted index of the first of them (-1: none yet).
   */
  private readonly stableFrames: number[] = [];
  private readonly stableBytes: number[] = [];
  private readonly stableFirst: number[] = [];
  /**
   * Per counted frame that may carry HTTP: its counted index, its path id, the id of its path up
   * to tcp, its tcp.stream, its wire length and frame number.
   */
  private readonly httpIndex: number[] = [];
  private readonly httpPath: number[] = [];
  private readonly httpBase: number[] = [];
  private readonly httpStream: number[] = [];
  private readonly httpLength: number[] = [];
  private readonly httpNumber: number[] = [];
  /**
   * Bumped by every add() (a frame outside the filter still feeds the HTTP reassembly, which may
   * complete a message counted in an earlier frame) and by finish(). The tree and the text are
   * built again only when it moved since they were built: the engine's readReport asks for them
   * repeatedly during a live capture.
   */
  private version = 0;
  private cachedTree: { version: number; tree: ProtocolHierarchy } | null = null;
  private cachedText: { version: number; text: string } | null = null;
  /** httpItems per complete message, with what they were computed from. */
  private readonly messageItems = new WeakMap<HttpMessage, Pick<HttpMessage, 'firstFrame' | 'lastFrame' | 'bodyBytes' | 'bodyCut' | 'body'> & { items: string[] }>();
  /**
   * Every layer's protocol (frame.protocols in the selection keeps every payload layer, as in a
   * tree), the TCP segments' fields and its filter's.
   */
  readonly reads: ReportReads;

  constructor(
    readonly spec: string,
    private readonly filter: string,
    private readonly compiled: DisplayFilter | null,
  ) {
    this.reads = { fields: [...TCP_SEGMENT_FIELDS, 'frame.protocols', ...(compiled?.fieldNames ?? [])], columns: false };
  }

  add(frame: ReportFrame): void {
    this.version++;
    const seg = tcpSegmentOf(frame.packet, frame.tsNs);
    if (seg) this.tcp.add(seg);
    if (this.compiled && !this.compiled.matches(frame.packet, frame.data)) return;
    const path = hierarchyPath(frame);
    const tcp = path.indexOf('tcp');
    // HTTP, or payload our dissector could not name (HTTP on a port only tshark's heuristics find).
    const maybeHttp = seg !== null && tcp >= 0 && (path[tcp + 1] === 'http' || path[tcp + 1] === 'data');
    const index = this.counted++;
    const id = this.intern(path);
    if (maybeHttp) {
      this.httpIndex.push(index);
      this.httpPath.push(id);
      this.httpBase.push(this.intern(path.slice(0, tcp + 1)));
      this.httpStream.push(seg.stream);
      this.httpLength.push(frame.origLen);
      this.httpNumber.push(frame.packet.number);
      return;
    }
    this.stableFrames[id]!++;
    this.stableBytes[id]! += frame.origLen;
    if (this.stableFirst[id] === -1) this.stableFirst[id] = index;
  }

  private intern(path: string[]): number {
    const key = path.join(' ');
    let id = this.pathIds.get(key);
    if (id === undefined) {
      id = this.paths.length;
      this.paths.push(path);
      this.pathIds.set(key, id);
      this.stableFrames.push(0);
      this.stableBytes.push(0);
      this.stableFirst.push(-1);
    }
    return id;
  }

  /** End of the capture: HTTP data waiting behind a hole is parsed across it. */
  finish(): void {
    this.version++;
    this.tcp.finish();
  }

  /** A complete message's httpItems, computed again only if the message changed since (it should not). */
  private itemsOf(m: HttpMessage): string[] {
    const cached = this.messageItems.get(m);
    if (cached && cached.firstFrame === m.firstFrame && cached.lastFrame === m.lastFrame && cached.bodyBytes === m.bodyBytes && cached.bodyCut === m.bodyCut && cached.body === m.body) {
      return cached.items;
    }
    const items = httpItems(m);
    this.messageItems.set(m, { firstFrame: m.firstFrame, lastFrame: m.lastFrame, bodyBytes: m.bodyBytes, bodyCut: m.bodyCut, body: m.body, items });
    return items;
  }

  /** The tree of the frames added so far, built once per version. */
  private tree(): ProtocolHierarchy {
    if (this.cachedTree?.version !== this.version) this.cachedTree = { version: this.version, tree: this.buildTree() };
    return this.cachedTree.tree;
  }

  private buildTree(): ProtocolHierarchy {
    const completedAt = new Map<number, string[]>();
    const httpStreams = new Set<number>();
    for (const t of this.http.transactions()) {
      httpStreams.add(t.stream);
      for (const m of [t.request, ...t.interim, t.response]) {
        if (!m || !m.complete || m.missingBytes > 0) continue;
        completedAt.set(m.lastFrame, [...(completedAt.get(m.lastFrame) ?? []), ...this.itemsOf(m)]);
      }
    }
    // Per path id: frames, bytes and first counted index, the stable sums plus the HTTP frames' places.
    const frames = this.stableFrames.slice();
    const bytes = this.stableBytes.slice();
    const first = this.stableFirst.slice();
    for (let i = 0; i < this.httpIndex.length; i++) {
      let id = this.httpPath[i]!;
      if (httpStreams.has(this.httpStream[i]!)) {
        // A segment of an HTTP stream: plain TCP unless an HTTP message completes in it.
        const items = completedAt.get(this.httpNumber[i]!);
        id = items ? this.intern([...this.paths[this.httpBase[i]!]!, ...items]) : this.httpBase[i]!;
      }
      while (frames.length < this.paths.length) {
        frames.push(0);
        bytes.push(0);
        first.push(-1);
      }
      frames[id]!++;
      bytes[id]! += this.httpLength[i]!;
      const index = this.httpIndex[i]!;
      if (first[id] === -1 || index < first[id]!) first[id] = index;
    }
    const order: number[] = [];
    for (let id = 0; id < frames.length; id++) if (frames[id]! > 0) order.push(id);
    order.sort((a, b) => first[a]! - first[b]!);
    const tree = new ProtocolHierarchy();
    for (const id of order) tree.addFrames(this.paths[id]!, frames[id]!, bytes[id]!);
    return tree;
  }

  text(): string {
    if (this.cachedText?.version !== this.version) {
      const body = this.tree().lines();
      const text = ['', RULE, 'Protocol Hierarchy Statistics', `Filter: ${this.filter}`, '', ...body, RULE, ''].join('\n');
      this.cachedText = { version: this.version, text };
    }
    return this.cachedText.text;
  }

  json(): { filter: string | null; protocols: HierarchyNodeJson[] } {
    return { filter: this.filter === '' ? null : this.filter, protocols: this.tree().json() };
  }
}

/** `io,phs` or `io,phs,FILTER` (a display filter that selects the packets counted, as tshark's). */
export function createHierarchyReport(spec: string): StatisticsReport {
  const m = /^io,phs(?:,(.*))?$/s.exec(spec);
  if (!m) throw new StatisticsSpecError(`invalid "-z ${spec}": the protocol hierarchy is -z io,phs or -z io,phs,FILTER`);
  const filter = m[1] ?? '';
  return new HierarchyReport(spec, filter, filter === '' ? null : compileReportFilter(spec, filter));
}

/** A report's own display filter; a syntax error becomes a StatisticsSpecError that says where. */
export function compileReportFilter(spec: string, filter: string): DisplayFilter {
  try {
    return compileDisplayFilter(filter);
  } catch (err) {
    if (err instanceof DisplayFilterError) throw new StatisticsSpecError(`invalid filter in "-z ${spec}": ${err.message}`);
    throw err;
  }
}
