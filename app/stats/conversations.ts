/**
 * Conversations (tshark's `-z conv,eth|ip|ipv6|tcp|udp`): both ends, frames and bytes each way,
 * relative start and duration; for TCP also the handshake, state and application protocol.
 *
 * tshark 4.0's rules, checked against its output on the corpus and on captures the tests make:
 * - A is the source of the first frame of the conversation; "->" counts A→B, "<-" counts B→A.
 * - TCP and UDP conversations are keyed by stream index too (a reused 4-tuple after a close is a
 *   new TCP conversation), Ethernet/IP ones by the address pair alone.
 * - Bytes are frame lengths on the wire; start is frame.time_relative of the earliest frame.
 * - Rows are ordered by total frames, largest first, ties in order of first appearance.
 * Incremental: `add` any time, `text()`/`json()` any time.
 */
import type { ReportFrame, StatisticsReport } from './report';
import { addressPairs, relativeTimeNs, type AddressPair, type ConversationKind } from './conv-packet';
import { KIND_TITLES, parseTableSpec, type TableSpec } from './conv-spec';
import { formatSize, nsToSeconds, padLeft, padRight, printfFixed, RULE } from './conv-format';

export type TcpState = 'open' | 'closing' | 'closed' | 'reset';

/** One row of `--json` output: the contract's keys first, in this order, then extras. */
export interface ConversationJson {
  addressA: string;
  portA: number | null;
  addressB: string;
  portB: number | null;
  packetsAtoB: number;
  bytesAtoB: number;
  packetsBtoA: number;
  bytesBtoA: number;
  /** Seconds from the first frame of the capture to this conversation's first frame. */
  relStart: number;
  /** Seconds from this conversation's first frame to its last. */
  duration: number;
  /** 'eth', 'ip', 'ipv6', 'tcp' or 'udp'. */
  protocol: ConversationKind;
  /** tcp.stream / udp.stream, null for eth/ip/ipv6. */
  stream: number | null;
  /** The first protocol seen above TCP/UDP ('http', 'tls', 'dns'), null if none or not TCP/UDP. */
  application: string | null;
  /** TCP only: SYN and SYN/ACK both seen. */
  handshake?: boolean;
  /** TCP only: 'reset' once an RST is seen, 'closed' after FINs both ways, 'closing' after one. */
  state?: TcpState;
}

const TCP_FIN = 0x01;
const TCP_SYN = 0x02;
const TCP_RST = 0x04;
const TCP_ACK = 0x10;

interface Conversation {
  addressA: string;
  addressB: string;
  portA: number | null;
  portB: number | null;
  stream: number | null;
  framesAtoB: number;
  bytesAtoB: number;
  framesBtoA: number;
  bytesBtoA: number;
  startNs: bigint;
  stopNs: bigint;
  application: string | null;
  synSeen: boolean;
  synAckSeen: boolean;
  finAtoB: boolean;
  finBtoA: boolean;
  reset: boolean;
}

const endpointText = (address: string, port: number | null): string => (port === null ? address : `${address}:${port}`);

export class ConversationTable implements StatisticsReport {
  readonly spec: string;
  readonly kind: ConversationKind;
  private readonly options: TableSpec;
  private readonly rows: Conversation[] = [];
  private readonly byKey = new Map<string, number>();
  private firstTsNs: bigint | null = null;

  constructor(spec: string) {
    this.options = parseTableSpec(spec, 'conv');
    this.kind = this.options.kind;
    this.spec = spec;
  }

  add(frame: ReportFrame): void {
    if (this.firstTsNs === null) this.firstTsNs = frame.tsNs;
    if (this.options.filter && !this.options.filter.matches(frame.packet, frame.data)) return;
    const relNs = relativeTimeNs(frame.packet) ?? frame.tsNs - this.firstTsNs;
    for (const pair of addressPairs(frame.packet, this.kind)) this.count(pair, frame.origLen, relNs);
  }

  private count(pair: AddressPair, length: number, relNs: bigint): void {
    const from = endpointText(pair.src, pair.srcPort);
    const to = endpointText(pair.dst, pair.dstPort);
    const key = `${pair.stream ?? ''}\u0000${from < to ? from : to}\u0000${from < to ? to : from}`;
    let index = this.byKey.get(key);
    if (index === undefined) {
      index = this.rows.length;
      this.byKey.set(key, index);
      this.rows.push({
        addressA: pair.src, addressB: pair.dst, portA: pair.srcPort, portB: pair.dstPort, stream: pair.stream,
        framesAtoB: 0, bytesAtoB: 0, framesBtoA: 0, bytesBtoA: 0, startNs: relNs, stopNs: relNs,
        application: null, synSeen: false, synAckSeen: false, finAtoB: false, finBtoA: false, reset: false,
      });
    }
    const c = this.rows[index]!;
    const aToB = pair.src === c.addressA && pair.dst === c.addressB && pair.srcPort === c.portA && pair.dstPort === c.portB;
    if (aToB) {
      c.framesAtoB++;
      c.bytesAtoB += length;
    } else {
      c.framesBtoA++;
      c.bytesBtoA += length;
    }
    // tshark moves the end or (only if not the end) the start: same order here.
    if (relNs > c.stopNs) c.stopNs = relNs;
    else if (relNs < c.startNs) c.startNs = relNs;
    if (c.application === null && pair.application !== null) c.application = pair.application;
    if (this.kind === 'tcp') {
      const flags = pair.tcpFlags;
      if (flags & TCP_SYN) {
        if (flags & TCP_ACK) c.synAckSeen = true;
        else c.synSeen = true;
      }
      if (flags & TCP_FIN) {
        if (aToB) c.finAtoB = true;
        else c.finBtoA = true;
      }
      if (flags & TCP_RST) c.reset = true;
    }
  }

  /** Rows in tshark's order: most frames first, ties in order of first appearance. */
  private ordered(): Conversation[] {
    const total = (c: Conversation): number => c.framesAtoB + c.framesBtoA;
    // Array.prototype.sort is stable, which keeps first-appearance order among equal totals.
    return [...this.rows].sort((x, y) => total(y) - total(x));
  }

  json(): ConversationJson[] {
    return this.ordered().map((c) => {
      const row: ConversationJson = {
        addressA: c.addressA,
        portA: c.portA,
        addressB: c.addressB,
        portB: c.portB,
        packetsAtoB: c.framesAtoB,
        bytesAtoB: c.bytesAtoB,
        packetsBtoA: c.framesBtoA,
        bytesBtoA: c.bytesBtoA,
        relStart: nsToSeconds(c.startNs),
        duration: nsToSeconds(c.stopNs) - nsToSeconds(c.startNs),
        protocol: this.kind,
        stream: c.stream,
        application: c.application,
      };
      if (this.kind === 'tcp') {
        row.handshake = c.synSeen && c.synAckSeen;
        row.state = c.reset ? 'reset' : c.finAtoB && c.finBtoA ? 'closed' : c.finAtoB || c.finBtoA ? 'closing' : 'open';
      }
      return row;
    });
  }

  /** `tshark -n -q -z conv,KIND` byte for byte (with -n: MAC addresses are not given vendor names). */
  text(): string {
    const withPorts = this.kind === 'tcp' || this.kind === 'udp';
    const indent = withPorts ? ' '.repeat(12) : '';
    const lines = [
      RULE,
      `${KIND_TITLES[this.kind]} Conversations`,
      `Filter:${this.options.filterText ?? '<No Filter>'}`,
      `${indent}                                               |       <-      | |       ->      | |     Total     |    Relative    |   Duration   |`,
      `${indent}                                               | Frames  Bytes | | Frames  Bytes | | Frames  Bytes |      Start     |              |`,
    ];
    const width = withPorts ? 26 : 20;
    for (const c of this.ordered()) {
      const cell = (frames: number, bytes: number): string => `  ${padLeft(frames, 6)} ${padRight(formatSize(bytes), 9)}`;
      const start = nsToSeconds(c.startNs);
      lines.push(
        `${padRight(endpointText(c.addressA, c.portA), width)} <-> ${padRight(endpointText(c.addressB, c.portB), width)}` +
          cell(c.framesBtoA, c.bytesBtoA) +
          cell(c.framesAtoB, c.bytesAtoB) +
          cell(c.framesAtoB + c.framesBtoA, c.bytesAtoB + c.bytesBtoA) +
          `  ${printfFixed(start, 9, 14)}   ${printfFixed(nsToSeconds(c.stopNs) - start, 4, 12)}`,
      );
    }
    lines.push(RULE);
    return lines.join('\n') + '\n';
  }
}

/**
 * The report for `-z conv,eth|ip|ipv6|tcp|udp[,FILTER]`. Throws StatisticsSpecError for another
 * table or a filter that does not compile.
 */
export function createConversationReport(spec: string): ConversationTable {
  return new ConversationTable(spec);
}
