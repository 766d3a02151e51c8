/**
 * The dissecting stages between packets and the CLI's sinks, for files and live captures alike:
 *
 * - DisplayFilterSink (-Y): every packet that passed the capture filter is dissected, in order (the
 *   dissector keeps cross-packet state: TCP streams, fragments), as tshark does in one pass; only
 *   matching packets reach the sink. Frame numbers count every packet, as tshark's do. Like
 *   tshark, it builds no tree unless the sink prints one (-V, -T json): only the fields the
 *   filter names and the sink prints are made (see DissectOptions). With -2 every packet is
 *   offered twice: a first pass learns what later frames tell (app/dissect/hindsight.ts) and
 *   applies -R, the second prints.
 * - ReportSink (-z): every packet that gets this far feeds the statistics reports. When every
 *   report only counts address pairs (conversations, endpoints), frames whose layout is simple
 *   reach them as PairTaps (app/engine/tap-feeder.ts: no address text per frame), and the reader
 *   may hand them in place (writeView). Like tshark's taps, reports get no tree when each
 *   says what it reads (StatisticsReport.reads): only those fields are made.
 */
import { Dissector, type DissectorOptions } from '../dissect/dissector';
import { Hindsight } from '../dissect/hindsight';
import { nsToSeconds } from '../dissect/format';
import type { DissectedPacket, DissectOptions, FrameInterface } from '../dissect/model';
import { namesException, type DisplayFilter } from '../filter';
import type { RecordFormat } from '../capture/batch';
import { reportDissectOptions, type StatisticsReport } from '../stats/report';
import type { PacketView } from '../pcap/packet';
import { TapFeeder } from '../engine/tap-feeder';
import { forEachBatchPacket, type PacketSink, type PacketToSink } from './sinks';

/** A sink that can take a packet the stage has already dissected (and so not dissect it twice). */
export interface DissectedPacketSink extends PacketSink {
  writeDissected(packet: DissectedPacket, p: PacketToSink): void;
  /**
   * What the sink reads of a dissected packet: the field names it prints and whether it reads the
   * summary columns, or 'tree' when it prints whole trees (-V, -T json).
   */
  readonly reads: { fields: readonly string[]; columns: boolean; applications?: DissectOptions['applications']; taps?: boolean } | 'tree';
  /** With reads 'tree': how the tree is dissected (`labels: false` when the sink prints no labels). */
  readonly treeOptions?: DissectOptions;
}

function takesDissected(sink: PacketSink): sink is DissectedPacketSink {
  return typeof (sink as Partial<DissectedPacketSink>).writeDissected === 'function';
}

/** Calls visit for each packet of a live batch, as a PacketToSink of the capture's link type. */
export function forEachLivePacket(batch: Buffer, format: RecordFormat, linkType: number, visit: (p: PacketToSink) => void): void {
  forEachBatchPacket(batch, format, (tsNs, data, origLen, flags) => visit({ tsNs, data, origLen, linkType, interfaceId: 0, flags }));
}

export class DisplayFilterSink implements PacketSink {
  private readonly dissector: Dissector;
  /**
   * tshark's -2: the first pass's Dissector, and what it learned (app/dissect/hindsight.ts). While
   * `learning`, offer() runs the first pass: it dissects, applies the read filter and passes
   * nothing on; beginSecondPass() then starts the output pass over the same packets.
   */
  private readonly first: { dissector: Dissector; hindsight: Hindsight; kept: number[]; copies: PacketToSink[] | null } | null = null;
  private learning = false;
  /** Second pass: the index of the next packet, to find what the first pass's read filter said of it. */
  private index = 0;
  private frameNumber = 0;
  /** Packets that matched and went on to the sink. */
  passed = 0;
  /** Packets the read filter (-2 -R) kept. */
  private kept = 0;
  /** What each dissection builds: the filter's fields and the sink's, no tree unless the sink prints trees. */
  private readonly dissectOptions: DissectOptions | undefined;

  constructor(
    /** -Y; undefined: every packet the read filter keeps. */
    private readonly filter: DisplayFilter | undefined,
    private readonly sink: PacketSink,
    private readonly liveLinkType = 1,
    /**
     * The Dissector's options (-o preferences, -d). Statistics reports behind the filter take
     * segments as they are (they place reassembled messages themselves): no TCP desegmentation in
     * front of them, unless one of them tests packets as tshark's filters see them
     * (ReportSink.desegments).
     */
    dissection: DissectorOptions = {},
    /**
     * tshark's -2 -R: packets that do not match are dropped before they are numbered, as tshark's
     * first pass drops them (the packets it keeps are numbered 1, 2, … and the next one is
     * dissected under the number it will have if kept).
     */
    private readonly readFilter?: DisplayFilter,
    /** The pcapng interface of a packet read from a file (the frame tree names it). */
    private readonly interfaceOf?: (interfaceId: number) => FrameInterface | undefined,
    /**
     * tshark's -2 (dissection.twoPass): every packet is offered twice, first to learn
     * (learnFirst()), then to print (after beginSecondPass()). `copies`: the first pass keeps a copy
     * of each packet and the second pass replays them (standard input cannot be read twice).
     */
    twoPass?: { copies: boolean },
  ) {
    const options: DissectorOptions = { ...dissection, desegment: dissection.desegment !== false && (!(sink instanceof ReportSink) || sink.desegments) };
    if (twoPass !== undefined) {
      const hindsight = new Hindsight();
      this.first = { dissector: new Dissector({ ...options, hindsight }), hindsight, kept: [], copies: twoPass.copies ? [] : null };
      this.learning = true;
      options.hindsight = hindsight;
    }
    // A sink given raw packets (tcpdump lines, files) reads nothing of the dissection.
    const reads = takesDissected(sink) ? (sink.reads ?? 'tree') : { fields: [], columns: false };
    const filterFields = [...(filter?.fieldNames ?? []), ...(readFilter?.fieldNames ?? [])];
    this.dissectOptions =
      reads === 'tree'
        ? (sink as Partial<DissectedPacketSink>).treeOptions
        : namesException(filterFields)
          ? { labels: false } // the whole tree (namesException), without the labels nobody prints
          : { fields: new Set([...filterFields, ...reads.fields]), columns: reads.columns, applications: reads.applications, taps: reads.taps };
    // Every packet is dissected with these options: without columns, state nobody reads is not kept.
    const only = this.dissectOptions?.columns === false ? this.dissectOptions.fields : undefined;
    this.dissector = new Dissector(only ? { ...options, onlySelection: only } : options);
  }

  /** Dissects p and hands it on when it matches; says whether it did. */
  offer(p: PacketToSink): boolean {
    if (this.learning) {
      this.learn(p);
      return false;
    }
    const number = this.readFilter ? this.kept + 1 : ++this.frameNumber;
    const packet = this.dissector.dissect(
      { number, tsNs: p.tsNs, data: p.data, origLen: p.origLen, linkType: p.linkType, flags: p.flags, iface: this.interfaceOf?.(p.interfaceId) },
      this.dissectOptions,
    );
    if (this.first !== null) {
      // The second pass dissects every packet the first did (the same cross-packet state), and
      // shows those the first pass's read filter kept, under the numbers they had.
      if (this.readFilter) {
        if (this.first.kept[this.index++] !== 1) return false;
        this.kept++;
      }
    } else if (this.readFilter) {
      if (!this.readFilter.matches(packet, p.data)) return false;
      this.kept++;
    }
    if (this.filter && !this.filter.matches(packet, p.data)) return false;
    this.passed++;
    this.setDisplayedDelta(packet, p.tsNs);
    if (takesDissected(this.sink)) this.sink.writeDissected(packet, p);
    else this.sink.writePacket(p);
    return true;
  }

  writePacket(p: PacketToSink): void {
    this.offer(p);
  }

  /** True while the first pass of -2 runs (offer() learns). */
  get firstPass(): boolean {
    return this.learning;
  }

  /** -2's first pass over one packet: dissected in order, the read filter's verdict noted. */
  private learn(p: PacketToSink): void {
    const first = this.first!;
    const number = this.readFilter ? this.kept + 1 : ++this.frameNumber;
    const packet = first.dissector.dissect(
      { number, tsNs: p.tsNs, data: p.data, origLen: p.origLen, linkType: p.linkType, flags: p.flags, iface: this.interfaceOf?.(p.interfaceId) },
      this.dissectOptions,
    );
    if (first.copies !== null) first.copies.push({ ...p, data: Buffer.from(p.data) });
    if (this.readFilter) {
      const keep = this.readFilter.matches(packet, p.data);
      first.kept.push(keep ? 1 : 0);
      if (keep) this.kept++;
    }
  }

  /**
   * Ends -2's first pass: what it learned is final. The packets are then offered again, in the
   * same order (or, when the first pass kept copies, replayed here).
   */
  beginSecondPass(): void {
    const first = this.first!;
    this.learning = false;
    first.hindsight.recalling = true;
    this.kept = 0;
    this.frameNumber = 0;
    this.index = 0;
    const copies = first.copies;
    if (copies === null) return;
    first.copies = null;
    for (const p of copies) this.offer(p);
  }

  /** Time of the last frame that passed the filter (tshark's previous displayed frame). */
  private lastDisplayedNs: bigint | null = null;

  /**
   * frame.time_delta_displayed counts from the previous frame shown, not the previous one read
   * (the dissector, which sees every frame, filled in the latter): 0 for the first.
   */
  private setDisplayedDelta(packet: DissectedPacket, tsNs: bigint): void {
    const delta = this.lastDisplayedNs === null ? 0n : tsNs - this.lastDisplayedNs;
    this.lastDisplayedNs = tsNs;
    const field = packet.layers[0]?.fields.find((f) => f.abbrev === 'frame.time_delta_displayed');
    if (field === undefined) return;
    const text = nsToSeconds(delta);
    field.value = delta;
    field.text = text;
    if (field.label !== '') field.label = `[Time delta from previous displayed frame: ${text} seconds]`;
  }

  writeBatch(batch: Buffer, _count: number, format: RecordFormat): void {
    forEachLivePacket(batch, format, this.liveLinkType, (p) => this.offer(p));
  }

  close(): void {
    this.sink.close();
  }
}

/** Feeds every packet to the -z reports; prints nothing itself (the caller renders the reports). */
export class ReportSink implements DissectedPacketSink {
  private readonly dissector: Dissector;
  /** Set when every report takes PairTaps: frames whose layout is simple reach them as PairTaps. */
  private readonly feeder: TapFeeder | null;
  private frameNumber = 0;
  /** What each dissection builds: the fields the reports read, or the whole tree when one cannot say. */
  private readonly dissectOptions: DissectOptions | undefined;
  /** What the reports read of a dissected packet (a -Y stage in front adds its filter's fields). */
  readonly reads: DissectedPacketSink['reads'];
  /**
   * Every report tests packets with display filters as tshark does (io,stat's columns:
   * ReportReads.desegment): TCP PDUs are desegmented for them (`desegment` false,
   * -o tcp.desegment_tcp_streams:FALSE, turns it off).
   */
  readonly desegments: boolean;
  /** Reports fed by `dissector`: all of them, unless `desegmenter` feeds some. */
  private readonly plain: readonly StatisticsReport[];
  /**
   * When some reports want desegmented packets and others segments as they are: a second
   * Dissector, desegmenting, for the former (each frame is dissected twice then).
   */
  private readonly desegmenter: { dissector: Dissector; options: DissectOptions | undefined; reports: readonly StatisticsReport[] } | null = null;

  constructor(
    readonly reports: readonly StatisticsReport[],
    private readonly liveLinkType = 1,
    desegment = true,
  ) {
    // (Reports that read the whole tree say so with StatisticsReport.desegmented.)
    const wanting = desegment ? reports.filter((r) => r.reads?.desegment === true || r.desegmented === true) : [];
    this.plain = reports.filter((r) => !wanting.includes(r));
    this.desegments = wanting.length > 0 && this.plain.length === 0;
    if (wanting.length > 0 && this.plain.length > 0) {
      this.desegmenter = { dissector: new Dissector({ desegment: true }), options: reportDissectOptions(wanting), reports: wanting };
    } else {
      this.plain = reports;
    }
    this.dissectOptions = reportDissectOptions(this.plain);
    const o = this.dissectOptions;
    this.reads = o === undefined ? 'tree' : { fields: [...o.fields!], columns: o.columns !== false, applications: o.applications, taps: o.taps };
    this.feeder = TapFeeder.canFeed(reports) ? new TapFeeder(reports, this.dissectOptions) : null;
    this.dissector = this.feeder?.dissector ?? new Dissector({ desegment: this.desegments });
  }

  /** True when packets may be handed in place, as the reader holds them (writeView). */
  get takesViews(): boolean {
    return this.feeder !== null;
  }

  writeDissected(packet: DissectedPacket, p: PacketToSink): void {
    for (const report of this.reports) {
      report.add({ packet, data: p.data, tsNs: p.tsNs, capLen: p.data.length, origLen: p.origLen });
    }
  }

  /** A packet where the reader holds it; only when takesViews. */
  writeView(v: PacketView): void {
    this.feeder!.feed(v.buf.subarray(v.start, v.start + v.capLen), v.linkType, v.origLen, v.tsSec, v.tsNsec, v.flags);
  }

  writePacket(p: PacketToSink): void {
    if (this.feeder !== null) {
      this.feeder.feed(p.data, p.linkType, p.origLen, Number(p.tsNs / 1_000_000_000n), Number(p.tsNs % 1_000_000_000n), p.flags);
      return;
    }
    const input = { number: ++this.frameNumber, tsNs: p.tsNs, data: p.data, origLen: p.origLen, linkType: p.linkType, flags: p.flags };
    const packet = this.dissector.dissect(input, this.dissectOptions);
    for (const report of this.plain) report.add({ packet, data: p.data, tsNs: p.tsNs, capLen: p.data.length, origLen: p.origLen });
    const d = this.desegmenter;
    if (d) {
      const whole = d.dissector.dissect(input, d.options);
      for (const report of d.reports) report.add({ packet: whole, data: p.data, tsNs: p.tsNs, capLen: p.data.length, origLen: p.origLen });
    }
  }

  writeBatch(batch: Buffer, _count: number, format: RecordFormat): void {
    forEachLivePacket(batch, format, this.liveLinkType, (p) => this.writePacket(p));
  }

  close(): void {}
}
