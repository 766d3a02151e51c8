/**
 * IndexedFrames: the frames a PacketStore holds and their columnar index. Each frame is dissected
 * once as it is indexed, by the one Dissector without a tree (its summary columns and layer
 * table: addresses, protocol, stream), and the index answers what RowDissector, FilterView and the
 * report feeds ask of a frame (FrameProvider, FilterSource) without dissecting it again. Reports
 * that take PairTaps can be fed in the same pass, from the same dissection. PacketStore (store.ts)
 * adds where frames come from (a file, a live spool) and the queries.
 */
import { Dissector } from '../dissect/dissector';
import type { DissectOptions, FrameInput } from '../dissect/model';
import { reportDissectOptions, type StatisticsReport } from '../stats/report';
import { ColumnIndex, FLAG, Int32Column } from './columns';
import type { FilterSource } from './filter-view';
import type { FrameFile } from './frame-file';
import { TapFeeder } from './tap-feeder';

/** What the index reads of a frame: its summary columns and layout, no field. */
const INDEX_OPTIONS: DissectOptions = { fields: new Set(), columns: true };

export class IndexedFrames implements FilterSource {
  readonly index = new ColumnIndex();
  /** The Dissector that numbers the streams (tcp.stream, udp.stream) of the indexed frames, in order. */
  protected readonly dissector: Dissector;
  private readonly indexOptions: DissectOptions | undefined;
  protected readonly linkTypes: number[] = [];
  /** First two frames (0-based) of each TCP stream, and the first of each UDP stream: for RowDissector priming. */
  private readonly tcpFirst = new Int32Column();
  private readonly tcpSecond = new Int32Column();
  private readonly udpFirst = new Int32Column();
  /** Last frame (0-based) indexed in each stream, to chain previousInStream. */
  private readonly tcpLast = new Int32Column();
  private readonly udpLast = new Int32Column();
  /** Where the indexed frames' bytes are read back from. */
  protected frameFile: FrameFile | null = null;
  /** Reports fed in the indexing pass, from the index's own dissection. */
  private readonly attachedFeeder: TapFeeder | null = null;
  /** Frames whose layout was not simple. */
  private notSimple = 0;

  /** `tapReports`: reports that all take PairTaps (TapFeeder.canFeed), fed as frames are indexed. */
  protected constructor(tapReports: StatisticsReport[]) {
    // Attached reports read the index's packets: application dissectors (a conversation names its
    // application) and the fields they read are then part of the indexing dissection.
    const taps = tapReports.length > 0;
    this.dissector = new Dissector({ apps: taps, desegment: false });
    if (taps) {
      const options = reportDissectOptions(tapReports);
      this.indexOptions = options === undefined ? undefined : { fields: options.fields, columns: true, taps: options.taps };
      this.attachedFeeder = new TapFeeder(tapReports);
    } else this.indexOptions = INDEX_OPTIONS;
  }

  /** Indexes one frame whose captured bytes are data[dataStart, dataStart + capLen); time as whole seconds and nanoseconds. */
  protected indexFrame(dataOffset: number, tsSec: number, tsNsec: number, capLen: number, origLen: number, interfaceId: number, epbFlags: number, data: Buffer, dataStart: number): void {
    const ix = this.index;
    const k = ix.length;
    const linkType = this.linkTypes[interfaceId] ?? -1;
    const bytes = dataStart === 0 && data.length === capLen ? data : data.subarray(dataStart, dataStart + capLen);
    const tsNs = BigInt(tsSec) * 1_000_000_000n + BigInt(tsNsec);
    const packet = this.dissector.dissect({ number: k + 1, tsNs, data: bytes, origLen, linkType, flags: epbFlags }, this.indexOptions);
    const layout = packet.layout!;
    const streamId = layout.lastStream;
    const tcpStream = layout.lastStreamTcp;
    let flags = 0;
    if (capLen < origLen) flags |= FLAG.TRUNCATED;
    if (packet.status === 'malformed') flags |= FLAG.MALFORMED;
    if ((epbFlags & 3) === 1) flags |= FLAG.INBOUND;
    if ((epbFlags & 3) === 2) flags |= FLAG.OUTBOUND;
    if (tcpStream) flags |= FLAG.TCP_STREAM;
    if (!layout.simple) {
      flags |= FLAG.NOT_SIMPLE;
      this.notSimple++;
    } else if (layout.dir === 1) flags |= FLAG.DIR_B;
    let previousInStream = -1;
    if (streamId >= 0) {
      const last = tcpStream ? this.tcpLast : this.udpLast;
      previousInStream = last.get(streamId);
      last.set(streamId, k);
      const first = tcpStream ? this.tcpFirst : this.udpFirst;
      if (first.get(streamId) < 0) first.set(streamId, k);
      else if (tcpStream && this.tcpSecond.get(streamId) < 0) this.tcpSecond.set(streamId, k);
    }
    this.attachedFeeder?.feedPacket(packet, bytes, tsSec, tsNsec, origLen);
    const summary = packet.summary;
    ix.append(
      dataOffset, tsSec, tsNsec, capLen, origLen, ix.addresses.id(summary.source), ix.addresses.id(summary.destination), ix.protocols.id(summary.protocol),
      interfaceId, flags, streamId, previousInStream, tcpStream ? layout.completenessBefore : 0,
    );
  }

  /** indexFrame for a time stamp in nanoseconds (the spool's). */
  protected indexFrameNs(dataOffset: number, tsNs: bigint, capLen: number, origLen: number, interfaceId: number, epbFlags: number, data: Buffer, dataStart: number): void {
    const sec = tsNs / 1_000_000_000n;
    this.indexFrame(dataOffset, Number(sec), Number(tsNs - sec * 1_000_000_000n), capLen, origLen, interfaceId, epbFlags, data, dataStart);
  }

  /** Index memory per frame: typed arrays at capacity + intern tables + stream tables, over the frame count. */
  indexBytesPerPacket(): number {
    if (this.index.length === 0) return 0;
    const streamBytes = [this.tcpFirst, this.tcpSecond, this.udpFirst, this.tcpLast, this.udpLast].reduce((n, c) => n + c.byteLength, 0);
    return (this.index.byteLength() + streamBytes) / this.index.length;
  }

  /** Frames whose layout is not simple (FrameLayout.simple): reports read their packets, not PairTaps. */
  get notSimpleFrames(): number {
    return this.notSimple;
  }

  // FrameProvider / FilterSource, for RowDissector and FilterView.

  count(): number {
    return this.index.length;
  }

  frameInput(k: number, copy: boolean): FrameInput {
    const ix = this.index;
    const view = this.frameFile!.bytes(ix.dataOffset[k]!, ix.capLen[k]!);
    const flags = ix.flags[k]!;
    return {
      number: k + 1,
      tsNs: ix.tsNs(k),
      data: copy ? Buffer.from(view) : view,
      origLen: ix.origLen[k]!,
      linkType: this.linkTypes[ix.interfaceId[k]!] ?? -1,
      flags: (flags & FLAG.INBOUND ? 1 : 0) | (flags & FLAG.OUTBOUND ? 2 : 0),
    };
  }

  tsNs(k: number): bigint {
    return this.index.tsNs(k);
  }

  streamOf(k: number): { id: number; tcp: boolean } {
    return { id: this.index.streamId(k), tcp: (this.index.flags[k]! & FLAG.TCP_STREAM) !== 0 };
  }

  streamKey(k: number): number {
    const ix = this.index;
    const flags = ix.flags[k]!;
    const stream = ix.streamPlusOne[k]! - 1;
    if ((flags & (FLAG.NOT_SIMPLE | FLAG.MALFORMED)) !== 0 || stream < 0) return -1;
    return stream * 4 + (flags & FLAG.DIR_B ? 2 : 0) + (flags & FLAG.TCP_STREAM ? 1 : 0);
  }

  streamStart(tcp: boolean, id: number): readonly number[] {
    const first = (tcp ? this.tcpFirst : this.udpFirst).get(id);
    if (first < 0) return [];
    const second = tcp ? this.tcpSecond.get(id) : -1;
    return second < 0 ? [first] : [first, second];
  }

  previousInStream(k: number): number {
    return this.index.previousPlusOne[k]! - 1;
  }

  completenessBefore(k: number): number {
    return this.index.completeness[k]!;
  }

  udpStreamOf(key: string): number {
    return this.dissector.knownUdpStream(key);
  }

  protocolOf(k: number): string {
    return this.index.protocols.strings[this.index.protocol[k]!]!;
  }

  capLenOf(k: number): number {
    return this.index.capLen[k]!;
  }

  linkTypeOf(k: number): number {
    return this.linkTypes[this.index.interfaceId[k]!] ?? -1;
  }

  origLenOf(k: number): number {
    return this.index.origLen[k]!;
  }
}
