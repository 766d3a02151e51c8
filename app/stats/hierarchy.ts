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
    let level = this.roots;
    for (const protocol of protocols) {
      let node = level.find((n) => n.protocol === protocol);
      if (!node) {
        node = { protocol, frames: 0, bytes: 0, children: [] };
        level.push(node);
      }
      node.frames++;
      node.bytes += wireLength;
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
 * HttpTransactionTracker fed every TCP segment). Paths are kept per frame as interned ids.
 */
class HierarchyReport implements StatisticsReport {
  /** Bodies are kept up to 64 bytes only: enough to see an encoded body that decodes to nothing. */
  private readonly http = new HttpTransactionTracker({ keepBodies: true, maxBodyBytes: 64 });
  private readonly tcp = new TcpReassembler(this.http);
  private readonly pathIds = new Map<string, number>();
  private readonly paths: string[][] = [];
  /**
   * Per counted frame: its path id; for a frame that may carry HTTP, the id of its path up to
   * tcp and its tcp.stream (else -1); its wire length and frame number.
   */
  private readonly framePath: number[] = [];
  private readonly frameBase: number[] = [];
  private readonly frameStream: number[] = [];
  private readonly frameLength: number[] = [];
  private readonly frameNumber: number[] = [];
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
    const seg = tcpSegmentOf(frame.packet, frame.tsNs);
    if (seg) this.tcp.add(seg);
    if (this.compiled && !this.compiled.matches(frame.packet, frame.data)) return;
    const path = hierarchyPath(frame);
    const tcp = path.indexOf('tcp');
    // HTTP, or payload our dissector could not name (HTTP on a port only tshark's heuristics find).
    const maybeHttp = seg !== null && tcp >= 0 && (path[tcp + 1] === 'http' || path[tcp + 1] === 'data');
    this.framePath.push(this.intern(path));
    this.frameBase.push(maybeHttp ? this.intern(path.slice(0, tcp + 1)) : -1);
    this.frameStream.push(maybeHttp ? seg.stream : -1);
    this.frameLength.push(frame.origLen);
    this.frameNumber.push(frame.packet.number);
  }

  private intern(path: string[]): number {
    const key = path.join(' ');
    let id = this.pathIds.get(key);
    if (id === undefined) {
      id = this.paths.length;
      this.paths.push(path);
      this.pathIds.set(key, id);
    }
    return id;
  }

  /** End of the capture: HTTP data waiting behind a hole is parsed across it. */
  finish(): void {
    this.tcp.finish();
  }

  private tree(): ProtocolHierarchy {
    const completedAt = new Map<number, string[]>();
    const httpStreams = new Set<number>();
    for (const t of this.http.transactions()) {
      httpStreams.add(t.stream);
      for (const m of [t.request, ...t.interim, t.response]) {
        if (!m || !m.complete || m.missingBytes > 0) continue;
        completedAt.set(m.lastFrame, [...(completedAt.get(m.lastFrame) ?? []), ...httpItems(m)]);
      }
    }
    const tree = new ProtocolHierarchy();
    for (let i = 0; i < this.framePath.length; i++) {
      let path = this.paths[this.framePath[i]!]!;
      if (httpStreams.has(this.frameStream[i]!)) {
        // A segment of an HTTP stream: plain TCP unless an HTTP message completes in it.
        path = [...this.paths[this.frameBase[i]!]!, ...(completedAt.get(this.frameNumber[i]!) ?? [])];
      }
      tree.addPath(path, this.frameLength[i]!);
    }
    return tree;
  }

  text(): string {
    const body = this.tree().lines();
    return ['', RULE, 'Protocol Hierarchy Statistics', `Filter: ${this.filter}`, '', ...body, RULE, ''].join('\n');
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
