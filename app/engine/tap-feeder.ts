/**
 * TapFeeder: feeds conversation and endpoint reports (app/stats) from dissected packets, handing
 * each report a PairTap — the frame's layer table (FrameLayout) with its bytes, no address text
 * per frame — for the frames whose layout is simple (one link header, one IP header, its TCP, UDP
 * or ICMP), and the packet itself (report.add) for every other frame (VLANs, tunnels, fragments,
 * ICMP errors, ARP, other link types). Both come from the same one dissection: nothing here reads
 * a header.
 *
 *   if (TapFeeder.canFeed(reports)) {
 *     const feeder = new TapFeeder(reports, reportDissectOptions(reports));
 *     for (const f of frames) feeder.feed(f.data, f.linkType, f.origLen, f.tsSec, f.tsNsec, f.flags);   // capture order
 *   }
 */
import { Dissector } from '../dissect/dissector';
import type { DissectedPacket, DissectOptions, FrameLayout } from '../dissect/model';
import { applicationAbove } from '../stats/conv-packet';
import type { PairTap, StatisticsReport } from '../stats/report';

const NO_LAYOUT: FrameLayout = {
  ethOffset: -1, ipOffset: -1, ipVersion: 0, ipProtocol: -1, netSrc: '', netDst: '', srcPort: -1, dstPort: -1, stream: -1, dir: 0,
  tcpFlags: 0, seqRaw: 0, ackRaw: 0, segmentLength: 0, completenessBefore: 0, payloadOffset: -1, payloadEnd: 0, payloadData: null, lastStream: -1, lastStreamTcp: false, transportLayer: -1, taps: null, simple: false,
};

/** The reused PairTap: a view of one simple packet's layout. */
class LayoutTap implements PairTap {
  data: Buffer = Buffer.alloc(0);
  packet: DissectedPacket | null = null;
  layout: FrameLayout = NO_LAYOUT;
  origLen = 0;
  relSec = 0;
  relNsec = 0;

  get ethOffset(): number {
    return this.layout.ethOffset;
  }
  get ipOffset(): number {
    return this.layout.ipOffset;
  }
  get ipVersion(): 4 | 6 {
    return this.layout.ipVersion === 6 ? 6 : 4;
  }
  get ipProtocol(): number {
    return this.layout.ipProtocol;
  }
  get srcPort(): number {
    return this.layout.srcPort;
  }
  get dstPort(): number {
    return this.layout.dstPort;
  }
  get stream(): number {
    return this.layout.stream;
  }
  get dir(): 0 | 1 {
    return this.layout.dir;
  }
  get tcpFlags(): number {
    return this.layout.tcpFlags;
  }

  sourceText(): string {
    return this.layout.netSrc;
  }

  destinationText(): string {
    return this.layout.netDst;
  }

  application(): string | null {
    const packet = this.packet!;
    return applicationAbove(packet.layers, this.layout.transportLayer, packet.layers.length);
  }
}

export class TapFeeder {
  /** Frames fed, and those fed as packets (their layout was not simple). */
  frames = 0;
  packetFrames = 0;
  /**
   * The Dissector feed() uses (frames must reach it in capture order). Every frame is dissected
   * with the reports' one selection: state nobody can see is not kept (DissectorOptions.onlySelection).
   */
  readonly dissector: Dissector;
  private readonly tap = new LayoutTap();
  private firstSec = 0;
  private firstNsec = 0;

  /** True when every report takes PairTaps (and there is one): only then may this feeder be used. */
  static canFeed(reports: readonly StatisticsReport[]): boolean {
    return reports.length > 0 && reports.every((r) => r.takesPairTaps === true && typeof r.addTap === 'function');
  }

  constructor(
    private readonly reports: readonly StatisticsReport[],
    /** How feed() dissects (reportDissectOptions of the reports); undefined: the whole tree. */
    private readonly dissectOptions?: DissectOptions,
  ) {
    if (!TapFeeder.canFeed(reports)) throw new Error('TapFeeder: a report does not take PairTaps; feed it dissected packets instead');
    const fields = dissectOptions?.columns === false ? dissectOptions.fields : undefined;
    this.dissector = new Dissector({ desegment: false, ...(fields ? { onlySelection: fields } : {}) });
  }

  /** Dissects the next frame, in capture order, and feeds it. `data` is the frame's captured bytes. */
  feed(data: Buffer, linkType: number, origLen: number, tsSec: number, tsNsec: number, flags: number): void {
    const tsNs = BigInt(tsSec) * 1_000_000_000n + BigInt(tsNsec);
    const packet = this.dissector.dissect({ number: this.frames + 1, tsNs, data, origLen, linkType, flags }, this.dissectOptions);
    this.feedPacket(packet, data, tsSec, tsNsec, origLen);
  }

  /**
   * Feeds the next frame as another Dissector dissected it in capture order (the store's index,
   * a RowDissector), with at least the fields the reports read.
   */
  feedPacket(packet: DissectedPacket, data: Buffer, tsSec: number, tsNsec: number, origLen: number): void {
    if (this.frames++ === 0) {
      this.firstSec = tsSec;
      this.firstNsec = tsNsec;
    }
    let relSec = tsSec - this.firstSec;
    let relNsec = tsNsec - this.firstNsec;
    if (relNsec < 0) {
      relNsec += 1e9;
      relSec -= 1;
    }
    const layout = packet.layout;
    if (layout !== undefined && layout.simple) {
      const tap = this.tap;
      tap.data = data;
      tap.packet = packet;
      tap.layout = layout;
      tap.origLen = origLen;
      tap.relSec = relSec;
      tap.relNsec = relNsec;
      for (const report of this.reports) report.addTap!(tap);
      tap.packet = null;
      return;
    }
    this.packetFrames++;
    const relNs = BigInt(relSec) * 1_000_000_000n + BigInt(relNsec);
    const tsNs = BigInt(tsSec) * 1_000_000_000n + BigInt(tsNsec);
    for (const report of this.reports) report.add({ packet, data, tsNs, capLen: data.length, origLen, relNs });
  }
}
