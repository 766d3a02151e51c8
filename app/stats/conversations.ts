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
import type { PairTap, ReportFrame, ReportReads, StatisticsReport } from './report';
import { addressPairFields, addressPairs, relativeTimeNs, tapAddressText, tapEndpointKey, tapHas, type AddressPair, type ConversationKind } from './conv-packet';
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
  /** Time since the first frame as whole seconds and nanoseconds 0–999,999,999 (exact, no BigInt per frame). */
  startSec: number;
  startNsec: number;
  stopSec: number;
  stopNsec: number;
  /** TCP/UDP: the direction A→B has in its stream (PairTap.dir), to count taps without text. */
  dirA: 0 | 1;
  application: string | null;
  synSeen: boolean;
  synAckSeen: boolean;
  finAtoB: boolean;
  finBtoA: boolean;
  reset: boolean;
}

const endpointText = (address: string, port: number | null): string => (port === null ? address : `${address}:${port}`);

/** nstime_to_sec of a relative time held as seconds and nanoseconds. */
const seconds = (sec: number, nsec: number): number => nsToSeconds(BigInt(sec) * 1_000_000_000n + BigInt(nsec));

/** The direction of src→dst in its stream as TcpStreamTable orders them (PairTap.dir). */
const streamDir = (src: string, srcPort: number | null, dst: string, dstPort: number | null): 0 | 1 => (`${src}|${srcPort}` <= `${dst}|${dstPort}` ? 0 : 1);

export class ConversationTable implements StatisticsReport {
  readonly spec: string;
  readonly kind: ConversationKind;
  /** Without a filter, PairTaps say all a frame's dissection would (see PairTap). */
  readonly takesPairTaps: boolean;
  /** Its address fields and its filter's; TCP/UDP tables name the application above: its layers (no column). */
  readonly reads: ReportReads;
  private readonly options: TableSpec;
  private readonly withPorts: boolean;
  private readonly rows: Conversation[] = [];
  /** TCP/UDP: a conversation per stream index (a stream is one 4-tuple; a reused one is a new stream). */
  private readonly byStream: Array<Conversation | undefined> = [];
  /** Ethernet/IP: by the two address texts, sorted. */
  private readonly byKey = new Map<string, Conversation>();
  /** Ethernet/IP from PairTaps: by the raw source and destination (one entry per direction). */
  private readonly byRaw = new Map<string, { c: Conversation; aToB: boolean }>();
  private firstTsNs: bigint | null = null;

  constructor(spec: string) {
    this.options = parseTableSpec(spec, 'conv');
    this.kind = this.options.kind;
    this.spec = spec;
    this.withPorts = this.kind === 'tcp' || this.kind === 'udp';
    this.takesPairTaps = this.options.filter === null;
    this.reads = { fields: [...addressPairFields(this.kind), ...(this.options.filter?.fieldNames ?? [])], columns: false, applications: this.withPorts, taps: true };
  }

  add(frame: ReportFrame): void {
    if (this.firstTsNs === null) this.firstTsNs = frame.tsNs;
    if (this.options.filter && !this.options.filter.matches(frame.packet, frame.data)) return;
    const relNs = frame.relNs ?? relativeTimeNs(frame.packet) ?? frame.tsNs - this.firstTsNs;
    let sec = relNs / 1_000_000_000n;
    let nsec = relNs % 1_000_000_000n;
    if (nsec < 0n) {
      nsec += 1_000_000_000n;
      sec -= 1n;
    }
    for (const pair of addressPairs(frame.packet, this.kind)) this.count(pair, frame.origLen, Number(sec), Number(nsec));
  }

  needsApplication(tcp: boolean, stream: number): boolean {
    if (!this.withPorts || tcp !== (this.kind === 'tcp')) return false;
    return (this.byStream[stream]?.application ?? null) === null;
  }

  addTap(tap: PairTap): void {
    if (!tapHas(tap, this.kind)) return;
    let c: Conversation;
    let aToB: boolean;
    if (this.withPorts) {
      c = this.byStream[tap.stream] ?? this.create(tapAddressText(tap, this.kind, 'src'), tap.srcPort, tapAddressText(tap, this.kind, 'dst'), tap.dstPort, tap.stream, tap.relSec, tap.relNsec);
      aToB = tap.dir === c.dirA;
      if (c.application === null) c.application = tap.application();
    } else {
      const raw = tapEndpointKey(tap, this.kind, 'src') + tapEndpointKey(tap, this.kind, 'dst');
      let known = this.byRaw.get(raw);
      if (known === undefined) {
        const src = tapAddressText(tap, this.kind, 'src');
        const dst = tapAddressText(tap, this.kind, 'dst');
        const found = this.byKey.get(src < dst ? `${src}\u0000${dst}` : `${dst}\u0000${src}`) ?? this.create(src, null, dst, null, null, tap.relSec, tap.relNsec);
        known = { c: found, aToB: src === found.addressA && dst === found.addressB };
        this.byRaw.set(raw, known);
      }
      c = known.c;
      aToB = known.aToB;
    }
    this.tally(c, aToB, tap.origLen, tap.relSec, tap.relNsec, tap.tcpFlags);
  }

  private count(pair: AddressPair, length: number, sec: number, nsec: number): void {
    let c: Conversation;
    if (this.withPorts) c = this.byStream[pair.stream!] ?? this.create(pair.src, pair.srcPort, pair.dst, pair.dstPort, pair.stream, sec, nsec);
    else c = this.byKey.get(pair.src < pair.dst ? `${pair.src}\u0000${pair.dst}` : `${pair.dst}\u0000${pair.src}`) ?? this.create(pair.src, null, pair.dst, null, null, sec, nsec);
    const aToB = pair.src === c.addressA && pair.dst === c.addressB && pair.srcPort === c.portA && pair.dstPort === c.portB;
    if (c.application === null && pair.application !== null) c.application = pair.application;
    this.tally(c, aToB, length, sec, nsec, pair.tcpFlags);
  }

  private create(src: string, srcPort: number | null, dst: string, dstPort: number | null, stream: number | null, sec: number, nsec: number): Conversation {
    const c: Conversation = {
      addressA: src, addressB: dst, portA: srcPort, portB: dstPort, stream,
      framesAtoB: 0, bytesAtoB: 0, framesBtoA: 0, bytesBtoA: 0, startSec: sec, startNsec: nsec, stopSec: sec, stopNsec: nsec, dirA: streamDir(src, srcPort, dst, dstPort),
      application: null, synSeen: false, synAckSeen: false, finAtoB: false, finBtoA: false, reset: false,
    };
    this.rows.push(c);
    if (stream !== null) this.byStream[stream] = c;
    else this.byKey.set(src < dst ? `${src}\u0000${dst}` : `${dst}\u0000${src}`, c);
    return c;
  }

  private tally(c: Conversation, aToB: boolean, length: number, sec: number, nsec: number, flags: number): void {
    if (aToB) {
      c.framesAtoB++;
      c.bytesAtoB += length;
    } else {
      c.framesBtoA++;
      c.bytesBtoA += length;
    }
    // tshark moves the end or (only if not the end) the start: same order here.
    if (sec > c.stopSec || (sec === c.stopSec && nsec > c.stopNsec)) {
      c.stopSec = sec;
      c.stopNsec = nsec;
    } else if (sec < c.startSec || (sec === c.startSec && nsec < c.startNsec)) {
      c.startSec = sec;
      c.startNsec = nsec;
    }
    if (this.kind === 'tcp') {
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
        relStart: seconds(c.startSec, c.startNsec),
        duration: seconds(c.stopSec, c.stopNsec) - seconds(c.startSec, c.startNsec),
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
      const start = seconds(c.startSec, c.startNsec);
      lines.push(
        `${padRight(endpointText(c.addressA, c.portA), width)} <-> ${padRight(endpointText(c.addressB, c.portB), width)}` +
          cell(c.framesBtoA, c.bytesBtoA) +
          cell(c.framesAtoB, c.bytesAtoB) +
          cell(c.framesAtoB + c.framesBtoA, c.bytesAtoB + c.bytesBtoA) +
          `  ${printfFixed(start, 9, 14)}   ${printfFixed(seconds(c.stopSec, c.stopNsec) - start, 4, 12)}`,
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
