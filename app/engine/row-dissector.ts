/**
 * RowDissector: the full Dissector's tree for any frame, on demand, consistent with a dissection
 * of the whole capture in order, without dissecting the whole capture.
 *
 * The Dissector keeps cross-packet state: stream numbers (tcp.stream, udp.stream), each TCP
 * direction's base sequence number and window scale (relative seq/ack, scaled window), the first
 * and previous time stamps (frame.time_relative, frame.time_delta) and UDP stream start times.
 * Our choice: stream numbers come from the index (its Dissector numbered every frame in order),
 * through a stream table that answers "which stream is the current frame" from the index instead
 * of counting; the per-stream state comes from replaying each stream's first two frames (SYN and
 * SYN-ACK, or the first frames seen mid-stream) before the first frame of that stream we show; the
 * time references (first and previous time stamp) are set from the index before each frame.
 * Paging forward costs only the rows shown: frames between are skipped, not replayed. Display
 * filters and reports ask it for every frame in order. Setting the time references reaches into
 * the Dissector's private fields `firstTsNs`/`previousTsNs`: tests compare frame.time_delta and
 * frame.time_relative with tshark, so a rename there fails loudly.
 *
 * Per-stream times (tcp.time_delta) replay the stream's previous frame when it was skipped, and
 * tcp.completeness is stored per frame in the index (1 byte). Not reproduced after a jump: IP
 * fragments that arrived before the jump (their reassembly) and ICMP echo request/reply pairing
 * ("request in N") across the jump.
 */
import type { FieldSelection } from '../dissect/builder';
import { Dissector, type PortRule } from '../dissect/dissector';
import type { AppContext, AppDissector, DissectedPacket, DissectOptions, FrameInput } from '../dissect/model';
import { dissectorNameOptions, SummaryNames, type NameResolution } from '../dissect/names';
import { newDirection, TcpStreamTable, type TcpConversation } from '../dissect/tcp-streams';

/** What the row dissector needs of the store. */
export interface FrameProvider {
  count(): number;
  /** Frame k (0-based); `copy` false may return a view valid only until the next call. */
  frameInput(k: number, copy: boolean): FrameInput;
  tsNs(k: number): bigint;
  /** Stream of frame k: id (-1 none) and whether it is TCP. */
  streamOf(k: number): { id: number; tcp: boolean };
  /** The first frames (0-based, at most two) of a stream, in order. */
  streamStart(tcp: boolean, id: number): readonly number[];
  /** The previous frame (0-based) of frame k's stream, -1 when none. */
  previousInStream(k: number): number;
  /** tcp.completeness as a dissection in order shows it on frame k. */
  completenessBefore(k: number): number;
  /** udp.stream of a UDP conversation key (conversationKey()), as a dissection in order numbers it. */
  udpStreamOf(key: string): number;
  /** Decode As: port hand-offs every dissection of these frames makes (tshark's -d). */
  readonly portRules?: readonly PortRule[];
  /** The Protocol column the index holds for frame k (ARP frames name MAC addresses: SummaryNames.learnArp). */
  protocolOf?(k: number): string;
}

interface DissectorClock {
  firstTsNs: bigint | null;
  previousTsNs: bigint | null;
}

/** A TcpStreamTable whose stream numbers are the index's, for whatever frame is being dissected. */
class IndexedTcpStreams extends TcpStreamTable {
  currentStream = -1;
  /** The completeness bits the current frame must see (the index knows them; the replay may have skipped frames). */
  currentCompleteness = 0;
  private readonly byId = new Map<number, TcpConversation>();
  /** Numbers for TCP headers the index did not number (a second TCP header in a tunnel). */
  private extra = 1_000_000_000;

  override lookup(src: string, srcPort: number, dst: string, dstPort: number): { conv: TcpConversation; dir: 0 | 1 } {
    // Any fixed order of the two ends will do: directions only need to be told apart.
    const dir: 0 | 1 = src < dst ? 0 : src > dst ? 1 : srcPort <= dstPort ? 0 : 1;
    const id = this.currentStream >= 0 ? this.currentStream : this.extra++;
    let conv = this.byId.get(id);
    if (!conv) {
      conv = {
        index: id,
        dirs: [newDirection(), newDirection()],
        completeness: 0,
        flip: (`${src}|${srcPort}` <= `${dst}|${dstPort}` ? 0 : 1) !== dir,
        synTs: -1n,
        irtt: 0n,
        reused: false,
        firstFrame: undefined,
        laterBits: undefined,
        finSide: undefined,
        times: null,
        heuristicApp: null,
        proxy: null,
      };
      this.byId.set(id, conv);
    }
    conv.completeness = this.currentCompleteness;
    return { conv, dir };
  }

  has(id: number): boolean {
    return this.byId.has(id);
  }
}

export class RowDissector {
  private dissector!: Dissector;
  private tcp!: IndexedTcpStreams;
  private udpPrimed!: Set<number>;
  /** Per TCP and UDP stream: the last frame this dissector dissected in it (per-stream times). */
  private lastInTcpStream!: Map<number, number>;
  private lastInUdpStream!: Map<number, number>;
  /** Frames [0, next) are as if dissected in order: the previous time stamp is frame next-1's. */
  private next = 0;
  /** The bytes of the frame dissect() returned last (a view when it was asked for without a copy). */
  lastData: Buffer = Buffer.alloc(0);

  constructor(
    private readonly frames: FrameProvider,
    /**
     * TCP desegmentation (DissectorOptions.desegment), on by default as in tshark and the CLI.
     * Reports that place reassembled messages themselves (ReportFeed) take segments as they are.
     */
    private readonly desegment = true,
    /**
     * Names shown (View › Name Resolution): the Source and Destination columns, tree labels and
     * the Info column's ports, as Wireshark shows them with its name resolution on. Default: none.
     */
    names: NameResolution | null = null,
    /** Every frame is asked for with these fields alone, no tree or columns (DissectorOptions.onlySelection). */
    private readonly onlySelection?: FieldSelection,
  ) {
    this.names = names && (names.mac || names.network || names.transport) ? new SummaryNames(names) : null;
    this.reset();
  }

  private readonly names: SummaryNames | null;
  /** Frames [0, arpScanned) were looked at for ARP packets (learnArp). */
  private arpScanned = 0;

  /**
   * With MAC and host names both on, the MAC addresses every ARP packet held binds to a named host
   * take its name, as in Wireshark's packet list once it has read the file (its ARP dissector tells
   * its name resolution; the names then hold for every packet).
   */
  private learnArp(): void {
    const names = this.names;
    const protocolOf = this.frames.protocolOf?.bind(this.frames);
    if (!names || !names.resolution.mac || !names.resolution.network || !protocolOf) return;
    const count = this.frames.count();
    for (let k = this.arpScanned; k < count; k++) {
      if (protocolOf(k) !== 'ARP') continue;
      const input = this.frames.frameInput(k, false);
      names.learnArp(input.data, input.linkType);
    }
    this.arpScanned = count;
  }

  /**
   * The tree of frame k (0-based); `copy` false lets it hold views of bytes valid until the next
   * call. `options`: build no tree, only these fields (see DissectOptions): rows need just the
   * summary columns, display filters just their fields.
   */
  dissect(k: number, copy = true, options?: DissectOptions): DissectedPacket {
    if (k < 0 || k >= this.frames.count()) throw new RangeError(`frame ${k + 1} does not exist (the capture has ${this.frames.count()} frames)`);
    // Skipping forward needs no replay of the frames between (streams are primed, clocks set);
    // going back starts a fresh Dissector, whose state must not run ahead of the frame.
    if (k !== this.next) this.jumpTo(k);
    this.learnArp();
    const packet = this.run(k, copy, options);
    if (this.names) {
      packet.summary.source = this.names.address(packet.summary.source);
      packet.summary.destination = this.names.address(packet.summary.destination);
    }
    return packet;
  }

  /** The application dissector the Dissector would hand this payload to (see Dissector.appFor). */
  appFor(ctx: AppContext, data: Buffer, offset: number, end: number): AppDissector | undefined {
    return this.dissector.appFor(ctx, data, offset, end);
  }

  /** The application dissectors the Dissector has registered (each instance once). */
  appDissectors(): AppDissector[] {
    const d = this.dissector;
    return [...new Set([...d.udpPorts.values(), ...d.tcpPorts.values(), ...d.heuristics, ...d.conversationDissectors])];
  }

  private reset(): void {
    this.dissector = new Dissector({
      desegment: this.desegment,
      ...(this.frames.portRules?.length ? { portRules: [...this.frames.portRules] } : {}),
      ...(this.names ? dissectorNameOptions(this.names.resolution, this.names) : {}),
      ...(this.onlySelection ? { onlySelection: this.onlySelection } : {}),
    });
    this.tcp = new IndexedTcpStreams();
    (this.dissector as { tcpStreams: TcpStreamTable }).tcpStreams = this.tcp;
    this.udpPrimed = new Set();
    this.lastInTcpStream = new Map();
    this.lastInUdpStream = new Map();
    this.dissector.udpStream = (key: string) => this.frames.udpStreamOf(key);
    this.next = 0;
  }

  private jumpTo(k: number): void {
    if (k < this.next) this.reset();
    this.next = k;
  }

  /** Dissects frame k in place in the sequence (priming its stream first when needed). */
  private run(k: number, copy: boolean, options: DissectOptions | undefined): DissectedPacket {
    const stream = this.frames.streamOf(k);
    if (stream.id >= 0) {
      if (!this.primed(stream.tcp, stream.id)) this.prime(stream.tcp, stream.id, k);
      // tcp.time_delta / udp.time_delta count from the stream's previous frame: replay it when
      // skipped. With desegmentation, a TCP stream's skipped frames are all replayed (up to
      // MAX_REPLAY of them), so that a PDU they began is put together as in a dissection in order.
      const previous = this.frames.previousInStream(k);
      const last = (stream.tcp ? this.lastInTcpStream : this.lastInUdpStream).get(stream.id);
      if (previous >= 0 && last !== previous) {
        const replay: number[] = [previous];
        if (this.desegment && stream.tcp) {
          for (let f = this.frames.previousInStream(previous); f >= 0 && f !== last && replay.length < MAX_REPLAY; f = this.frames.previousInStream(f)) replay.push(f);
        }
        for (let r = replay.length - 1; r >= 0; r--) {
          this.setClock(replay[r]!);
          this.dissectOne(replay[r]!, false, this.desegment && stream.tcp ? REPLAY_PAYLOADS : REPLAY);
        }
      }
    }
    this.setClock(k);
    const input = this.frames.frameInput(k, copy);
    const result = this.dissectInput(k, input, options);
    this.lastData = input.data;
    this.next = k + 1;
    return result;
  }

  /** frame.time_relative counts from frame 1, frame.time_delta from frame k-1, whatever was dissected last. */
  private setClock(k: number): void {
    const clock = this.dissector as unknown as DissectorClock;
    clock.firstTsNs = this.frames.count() > 0 ? this.frames.tsNs(0) : null;
    clock.previousTsNs = k > 0 ? this.frames.tsNs(k - 1) : null;
  }

  private primed(tcp: boolean, id: number): boolean {
    return tcp ? this.tcp.has(id) : this.udpPrimed.has(id);
  }

  /** Replays the first frames of a stream that started before k (their trees are dropped). */
  private prime(tcp: boolean, id: number, k: number): void {
    if (!tcp) this.udpPrimed.add(id);
    for (const s of this.frames.streamStart(tcp, id)) {
      if (s >= k) break;
      this.setClock(s);
      this.dissectOne(s, false, this.desegment && tcp ? REPLAY_PAYLOADS : REPLAY);
    }
  }

  private dissectOne(k: number, copy: boolean, options: DissectOptions | undefined): DissectedPacket {
    return this.dissectInput(k, this.frames.frameInput(k, copy), options);
  }

  private dissectInput(k: number, input: FrameInput, options: DissectOptions | undefined): DissectedPacket {
    const stream = this.frames.streamOf(k);
    this.tcp.currentStream = stream.tcp ? stream.id : -1;
    this.tcp.currentCompleteness = this.frames.completenessBefore(k);
    if (stream.id >= 0) {
      if (!stream.tcp) this.udpPrimed.add(stream.id);
      (stream.tcp ? this.lastInTcpStream : this.lastInUdpStream).set(stream.id, k);
    }
    return this.dissector.dissect(input, options);
  }
}

/** Frames replayed only for the state they leave behind: nothing of them is read. */
const REPLAY: DissectOptions = { fields: new Set(), columns: false };
/** The same, with the payload dissectors run (no tree), for the PDUs TCP desegmentation keeps. */
const REPLAY_PAYLOADS: DissectOptions = { fields: new Set(), columns: true };
/** Skipped frames of one TCP stream replayed at most before a frame (a longer PDU is seen from its middle). */
const MAX_REPLAY = 20_000;

