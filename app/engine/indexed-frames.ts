/**
 * IndexedFrames: the frames a PacketStore holds and their columnar index. Each frame is decoded
 * once as it is indexed (LightDecoder: addresses, protocol, stream; the fallback Dissector for
 * frames the light path cannot read), and the index answers what RowDissector, FilterView and the
 * report feeds ask of a frame (FrameProvider, FilterSource) without dissecting it again. Reports
 * that take PairTaps can be fed in the same pass, from the same decoding. PacketStore (store.ts)
 * adds where frames come from (a file, a live spool) and the queries.
 */
import type { DissectedPacket, FrameInput } from '../dissect/model';
import type { StatisticsReport } from '../stats/report';
import { ColumnIndex, FLAG, Int32Column } from './columns';
import type { FilterSource } from './filter-view';
import type { FrameFile } from './frame-file';
import { LightDecoder, type LightColumns } from './light-decoder';
import type { LightFrame } from './light-fields';
import { PairTapFeeder } from './pair-tap';

export class IndexedFrames implements FilterSource {
  readonly index = new ColumnIndex();
  protected readonly light: LightDecoder;
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
  /** Reports fed in the indexing pass, from the index's own decoding. */
  private readonly attachedFeeder: PairTapFeeder | null = null;

  /** `tapReports`: reports that all take PairTaps (PairTapFeeder.canFeed), fed as frames are indexed. */
  protected constructor(tapReports: StatisticsReport[]) {
    // They take the index's stream numbers and its fallback packets, which then come from a
    // Dissector with application dissectors (a conversation names its application).
    const taps = tapReports.length > 0;
    this.light = new LightDecoder({ fallbackApps: taps });
    if (taps) this.attachedFeeder = new PairTapFeeder(tapReports);
  }

  /** Indexes one frame whose captured bytes are data[dataStart, dataStart + capLen); time as whole seconds and nanoseconds. */
  protected indexFrame(dataOffset: number, tsSec: number, tsNsec: number, capLen: number, origLen: number, interfaceId: number, epbFlags: number, data: Buffer, dataStart: number): void {
    const ix = this.index;
    const k = ix.length;
    const linkType = this.linkTypes[interfaceId] ?? -1;
    const bytes = dataStart === 0 && data.length === capLen ? data : data.subarray(dataStart, dataStart + capLen);
    const cols = this.light.decode(bytes, linkType, origLen, k + 1, tsSec, tsNsec, epbFlags);
    let flags = 0;
    if (capLen < origLen) flags |= FLAG.TRUNCATED;
    if (cols.malformed) flags |= FLAG.MALFORMED;
    if ((epbFlags & 3) === 1) flags |= FLAG.INBOUND;
    if ((epbFlags & 3) === 2) flags |= FLAG.OUTBOUND;
    if (cols.tcpStream) flags |= FLAG.TCP_STREAM;
    if (cols.fullDissect) flags |= FLAG.FULL_DISSECT;
    else if (cols.dir === 1) flags |= FLAG.DIR_B;
    let previousInStream = -1;
    if (cols.streamId >= 0) {
      const last = cols.tcpStream ? this.tcpLast : this.udpLast;
      previousInStream = last.get(cols.streamId);
      last.set(cols.streamId, k);
      const first = cols.tcpStream ? this.tcpFirst : this.udpFirst;
      if (first.get(cols.streamId) < 0) first.set(cols.streamId, k);
      else if (cols.tcpStream && this.tcpSecond.get(cols.streamId) < 0) this.tcpSecond.set(cols.streamId, k);
    }
    this.attachedFeeder?.feedDecoded(cols, data, dataStart, capLen, linkType, origLen, tsSec, tsNsec);
    ix.append(
      dataOffset, tsSec, tsNsec, capLen, origLen, ix.addresses.id(cols.source), ix.addresses.id(cols.destination), ix.protocols.id(cols.protocol),
      interfaceId, flags, cols.streamId, previousInStream, cols.completenessBefore,
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

  /** Frames whose columns the light path could not read (the fallback Dissector did). */
  get fallbackFrames(): number {
    return this.light.fallbackFrames;
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

  lightFrame(k: number): LightFrame {
    const ix = this.index;
    return {
      number: k + 1,
      data: this.frameFile!.bytes(ix.dataOffset[k]!, ix.capLen[k]!),
      linkType: this.linkTypes[ix.interfaceId[k]!] ?? -1,
      origLen: ix.origLen[k]!,
      streamId: ix.streamPlusOne[k]! - 1,
      source: ix.addresses.strings[ix.source[k]!]!,
      destination: ix.addresses.strings[ix.destination[k]!]!,
      relativeNs: ix.tsNs(k) - ix.tsNs(0),
    };
  }

  /**
   * Frame k to a PairTapFeeder (see report-feed.ts): a light frame from the read-ahead chunk, with
   * the stream and direction the index holds (no stream tables walked again); another frame as
   * `fallbackPacket` dissects it (in order, with application dissectors).
   */
  feedFrame(k: number, feeder: PairTapFeeder, fallbackPacket: (k: number) => DissectedPacket): void {
    const ix = this.index;
    const flags = ix.flags[k]!;
    const light = (flags & FLAG.FULL_DISSECT) === 0;
    // Dissect first: it reads the frame too, which may move the read-ahead chunk.
    const packet = light ? null : fallbackPacket(k);
    const file = this.frameFile!;
    const capLen = ix.capLen[k]!;
    const at = file.locate(ix.dataOffset[k]!, capLen);
    const decoded = this.decodedScratch;
    decoded.streamId = ix.streamPlusOne[k]! - 1;
    decoded.dir = flags & FLAG.DIR_B ? 1 : 0;
    decoded.packet = packet;
    feeder.feedDecoded(decoded, file.buffer, at, capLen, this.linkTypes[ix.interfaceId[k]!] ?? -1, ix.origLen[k]!, ix.tsSec[k]!, ix.tsNsec[k]!);
  }

  private readonly decodedScratch: Pick<LightColumns, 'streamId' | 'dir' | 'packet'> = { streamId: -1, dir: 0, packet: null };

  udpStreamOf(key: string): number {
    return this.light.knownUdpStream(key);
  }

  capLenOf(k: number): number {
    return this.index.capLen[k]!;
  }

  locateFrame(k: number): number {
    const ix = this.index;
    return this.frameFile!.locate(ix.dataOffset[k]!, ix.capLen[k]!);
  }

  frameChunk(): Buffer {
    return this.frameFile!.buffer;
  }

  isLight(k: number): boolean {
    return (this.index.flags[k]! & FLAG.FULL_DISSECT) === 0;
  }

  linkTypeOf(k: number): number {
    return this.linkTypes[this.index.interfaceId[k]!] ?? -1;
  }

  origLenOf(k: number): number {
    return this.index.origLen[k]!;
  }
}
