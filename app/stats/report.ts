/**
 * The contract between the CLI's `-z` statistics and the modules that compute them.
 *
 * A report is fed every packet that passed the capture filter, in file order (as tshark's taps:
 * -Y does not narrow a report; a report's own filter argument does), already dissected (the packet tree plus its raw frame), and renders itself at the end
 * as tshark's `-q -z …` text or as JSON for scripts (`--json`). Reports are incremental: `add`
 * may be followed by `text()`/`json()` at any time (the GUI asks during a live capture) and by
 * more `add` calls afterwards.
 */
import type { DissectedPacket, DissectOptions } from '../dissect/model';

export interface ReportFrame {
  /** The dissected packet (frame number, layers, summary columns). */
  packet: DissectedPacket;
  /** The captured bytes of the frame. */
  data: Buffer;
  /** Capture time stamp in nanoseconds since the epoch. */
  tsNs: bigint;
  /** Captured length (data.length) and original length on the wire. */
  capLen: number;
  origLen: number;
  /**
   * Nanoseconds since the first frame fed to the report, when the feeder knows it (feeders that
   * also hand out PairTaps set it, so both paths count time from the same frame).
   */
  relNs?: bigint;
}

/**
 * One frame as its layer table (FrameLayout) describes it, for reports that only count address
 * pairs (conversations and endpoints): the headers' offsets in the frame's bytes instead of fields.
 * Feeders (app/engine/tap-feeder.ts) hand out a tap only for frames whose layout is simple — an
 * optional Ethernet or Linux cooked header, one IPv4/IPv6 header that is no fragment and has no
 * extension headers, its TCP, UDP (not a tunnel) or ICMP/ICMPv6 quoting nothing — whose tap
 * events are exactly these, and the dissected packet (add()) for every other frame. The object is
 * reused: read it during the call only.
 */
export interface PairTap {
  data: Buffer;
  /** Offset of the Ethernet header, -1 when the link layer is not Ethernet. */
  ethOffset: number;
  ipOffset: number;
  ipVersion: 4 | 6;
  /** IP protocol: 6 TCP, 17 UDP, 1 ICMP, 58 ICMPv6. */
  ipProtocol: number;
  /** TCP/UDP ports, -1 for ICMP. */
  srcPort: number;
  dstPort: number;
  /** tcp.stream / udp.stream (the full Dissector's numbering), -1 for ICMP. */
  stream: number;
  /**
   * Which way this frame goes in its stream: 0 when `source|srcPort` sorts (as text) before or
   * equal to `destination|dstPort`, as TcpStreamTable orders a conversation's directions.
   */
  dir: 0 | 1;
  /** TCP flag bits (tcp.flags), 0 otherwise. */
  tcpFlags: number;
  origLen: number;
  /** Time since the first frame fed: whole seconds, and nanoseconds 0 to 999,999,999 (exact for any span). */
  relSec: number;
  relNsec: number;
  /** The address texts as the dissectors print them (computed on demand: call only on a miss). */
  sourceText(): string;
  destinationText(): string;
  /** The protocol above TCP/UDP as the full Dissector would name it ('http', 'dns'), or null. Computed on demand. */
  application(): string | null;
}

/**
 * What a report's add() reads of ReportFrame.packet (see StatisticsReport.reads): the abbreviations
 * of the fields it looks up in the packet's layers (its own display filter's names included), and
 * `columns`: true when it reads the summary columns, the packet's status or the layers of payload
 * protocols nobody names (a conversation's application), which a dissection without columns
 * leaves out (DissectOptions.columns).
 */
export interface ReportReads {
  fields: readonly string[];
  columns: boolean;
  /** True when it reads the layers of payload protocols nobody names (a conversation's application), but no column (DissectOptions.applications). */
  applications?: boolean;
  /** True when it reads the layout's tap events (DissectOptions.taps). */
  taps?: boolean;
  /**
   * True when it tests packets as the packet list and tshark see them: TCP PDUs desegmented, an
   * HTTP message on the frame that completes it (a display filter in the report, e.g. io,stat's
   * columns). Reports that place reassembled messages themselves take segments as they are.
   */
  desegment?: boolean;
}

export interface StatisticsReport {
  /** The `-z` argument this report was made from, e.g. 'conv,tcp'. */
  readonly spec: string;
  add(frame: ReportFrame): void;
  /**
   * Optional: what add() reads of a dissected packet, when it can name it. A feeder may then
   * dissect without a tree, building only these fields (Dissector.dissect's DissectOptions): every
   * layer is still there, with its byte range and status, and cross-packet state is the same.
   * Absent: the report reads things it cannot name, and gets the whole tree.
   */
  readonly reads?: ReportReads;
  /**
   * Optional: true when PairTaps (see addTap) tell this report everything add() would learn, so a
   * feeder may hand it PairTaps instead of packets for the frames whose layout is simple. Only when every report
   * of a run says so does the feeder take that path.
   */
  readonly takesPairTaps?: boolean;
  /**
   * Optional: true when the report counts what tshark's dissection shows with TCP desegmentation
   * on (a PDU dissected in the frame that completes it: -z expert's HTTP chats); feeders then hand
   * it packets of a desegmenting Dissector (the other reports take segments as they are).
   */
  readonly desegmented?: boolean;
  /**
   * Optional, with reads.applications: whether it still needs the application above this TCP
   * (tcp true) or UDP stream; feeders then dissect payloads only while some report does.
   */
  needsApplication?(tcp: boolean, stream: number): boolean;
  /** Counts a frame whose layout is simple; only called when takesPairTaps is true. */
  addTap?(tap: PairTap): void;
  /**
   * The capture has ended (end of file, or live capture stopped): complete what waits for more
   * data (e.g. an HTTP message behind a hole in the capture). Called once, before the final text().
   */
  finish?(): void;
  /** tshark's text for `tshark -q -z SPEC`, byte for byte where tshark's is known. */
  text(): string;
  /** The report as plain JSON data (arrays/objects of numbers, strings, null). */
  json(): unknown;
}

/**
 * How to dissect the packets fed to these reports: without a tree, the union of the fields they
 * read (columns when any reads them), or undefined (the whole tree) when one of them cannot say
 * what it reads. Reports fed PairTaps read these only on the frames whose layout is not simple.
 */
export function reportDissectOptions(reports: readonly StatisticsReport[]): DissectOptions | undefined {
  if (reports.length === 0) return undefined;
  const fields = new Set<string>();
  let columns = false;
  let applications = false;
  let taps = false;
  for (const report of reports) {
    const reads = report.reads;
    if (reads === undefined) return undefined;
    for (const name of reads.fields) fields.add(name);
    if (reads.columns) columns = true;
    if (reads.applications) applications = true;
    if (reads.taps) taps = true;
  }
  if (!applications || columns) return { fields, columns, taps };
  const naming = reports.filter((r) => r.reads!.applications);
  // Per stream: payloads are dissected while a report still needs that stream's application.
  if (naming.every((r) => typeof r.needsApplication === 'function')) {
    return { fields, columns, taps, applications: (tcp: boolean, stream: number) => naming.some((r) => r.needsApplication!(tcp, stream)) };
  }
  return { fields, columns, taps, applications };
}

/** A `-z` argument the CLI does not know, or one with a bad parameter: the message says which. */
export class StatisticsSpecError extends Error {}
