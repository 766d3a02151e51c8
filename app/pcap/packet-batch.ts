/**
 * PacketBatch: many packets of a capture file at once, as CaptureReader.nextBatch() hands them
 * out, for work that is cheaper per batch than per packet (a capture filter run natively over the
 * whole batch in one call).
 *
 * Every packet of a batch lies in one buffer (`buf`, the reader's read buffer): packet i is
 * `buf[start[i], start[i] + capLen[i])`, with its length on the wire, link type and interface in
 * columns beside. Everything else (time stamp, offset, flags, comment) is looked up only for the
 * packets looked at, with view(i) or packet(i): records of a little-endian pcap file are read from
 * their header in the buffer then, packets the reader read through next() (pcapng, unusual pcap
 * records) keep their CapturePacket. A batch, and its buffer, are valid until the next
 * nextBatch() call on the reader.
 */
import type { CapturePacket, PacketView } from './packet';

const NS_PER_SECOND = 1_000_000_000n;

/** What reads a record taken in place back from its header: the pcap parser (PcapRecordParser). */
export interface InPlaceRecords {
  /** Fills `view` (all but `offset`) from the record whose 16-byte header is at b[at]. */
  viewRecordAt(b: Buffer, at: number, view: PacketView): void;
}

const RECORD_HEADER_LEN = 16;

export class PacketBatch {
  /** The buffer every packet of the batch lies in. */
  buf: Buffer = Buffer.alloc(0);
  /** Number of packets in the batch. */
  count = 0;
  /** False when every packet of the batch has the same link type (one filter program for all). */
  mixedLinkTypes = false;
  readonly start: Uint32Array;
  readonly capLen: Uint32Array;
  readonly origLen: Uint32Array;
  /** LINKTYPE_* of the packet's interface; -1 for a pcapng Custom Block. */
  readonly linkType: Int32Array;
  /** Index into the reader's interfaces; -1 for a pcapng Custom Block. */
  readonly interfaceId: Int32Array;
  /** The packet as next() returned it, for packets read that way; undefined for records taken in place. */
  private readonly packets: Array<CapturePacket | undefined>;
  private records: InPlaceRecords | null = null;
  /** Stream offset of buf[0], and file position of packet 0, for records taken in place. */
  private bufOffset = 0;
  private firstIndex = 0;

  constructor(readonly capacity = 1024) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`a PacketBatch holds at least one packet (capacity ${capacity})`);
    this.start = new Uint32Array(capacity);
    this.capLen = new Uint32Array(capacity);
    this.origLen = new Uint32Array(capacity);
    this.linkType = new Int32Array(capacity);
    this.interfaceId = new Int32Array(capacity);
    this.packets = new Array<CapturePacket | undefined>(capacity).fill(undefined);
  }

  /** Empties the batch (the reader calls it first thing). */
  clear(): void {
    for (let i = 0; i < this.count; i++) this.packets[i] = undefined;
    this.count = 0;
    this.records = null;
    this.mixedLinkTypes = false;
  }

  /** A pcapng Custom Block (CaptureReaderOptions.customBlocks), not a packet. */
  isCustomBlock(i: number): boolean {
    return this.packets[i]?.customBlock !== undefined;
  }

  /** Fills `v` with packet i, as nextView() would have handed it out. */
  view(i: number, v: PacketView): PacketView {
    const p = this.packets[i];
    if (p === undefined) {
      const header = this.start[i]! - RECORD_HEADER_LEN;
      this.records!.viewRecordAt(this.buf, header, v);
      v.offset = this.bufOffset + header;
      v.noTimestamp = undefined;
      v.customBlock = undefined;
      return v;
    }
    v.buf = this.buf;
    v.start = this.start[i]!;
    v.offset = p.offset;
    v.capLen = p.capLen;
    v.origLen = p.origLen;
    const sec = p.tsNs / NS_PER_SECOND;
    v.tsSec = Number(sec);
    v.tsNsec = Number(p.tsNs - sec * NS_PER_SECOND);
    v.linkType = p.linkType;
    v.interfaceId = p.interfaceId;
    v.flags = p.flags;
    v.noTimestamp = p.noTimestamp;
    v.customBlock = p.customBlock;
    return v;
  }

  /** Packet i as next() would have returned it (made now for a record taken in place). */
  packet(i: number): CapturePacket {
    const kept = this.packets[i];
    if (kept !== undefined) return kept;
    const v = this.view(i, scratchView);
    return {
      index: this.firstIndex + i,
      offset: v.offset,
      tsNs: BigInt(v.tsSec) * NS_PER_SECOND + BigInt(v.tsNsec),
      capLen: v.capLen,
      origLen: v.origLen,
      linkType: v.linkType,
      interfaceId: v.interfaceId,
      data: this.buf.subarray(v.start, v.start + v.capLen),
      flags: v.flags,
    };
  }

  /**
   * Adds a packet next() returned; its data must lie in `buf` (the reader's buffer), as must the
   * batch's other packets.
   */
  addPacket(p: CapturePacket, buf: Buffer): void {
    const i = this.count++;
    if (i === 0) this.firstIndex = p.index;
    this.buf = buf;
    this.start[i] = p.data.byteOffset - buf.byteOffset;
    this.capLen[i] = p.data.length;
    this.origLen[i] = p.origLen;
    this.linkType[i] = p.linkType;
    this.interfaceId[i] = p.interfaceId;
    this.packets[i] = p;
    if (p.linkType !== this.linkType[0]) this.mixedLinkTypes = true;
  }

  /**
   * Records `from` to `to - 1`, whose start, capLen and origLen the pcap parser has just written
   * (PcapRecordParser.takeInWindow), taken in place from `buf`, whose first byte is at
   * `bufOffset` in the file; packet `from` is the file's `index`-th. All of one pcap file, so one
   * link type and interface 0, and numbered on from the batch's packets before them.
   */
  addRecordsInPlace(records: InPlaceRecords, buf: Buffer, bufOffset: number, index: number, from: number, to: number, linkType: number): void {
    if (from === 0) this.firstIndex = index;
    this.records = records;
    this.buf = buf;
    this.bufOffset = bufOffset;
    this.linkType.fill(linkType, from, to);
    if (from > 0 && linkType !== this.linkType[0]) this.mixedLinkTypes = true;
    this.interfaceId.fill(0, from, to);
    this.count = to;
  }
}

const scratchView: PacketView = { buf: Buffer.alloc(0), start: 0, offset: 0, capLen: 0, origLen: 0, tsSec: 0, tsNsec: 0, linkType: -1, interfaceId: 0, flags: 0 };
