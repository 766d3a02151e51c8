/**
 * PcapWriter: streaming writer of classic little-endian pcap files (version 2.4), with
 * microsecond (magic a1b2c3d4) or nanosecond (magic a1b23c4d) time stamps.
 *
 * Every record goes to the FdWriter whole (one reserve() per record, one write() per batch), with
 * PCAP_LAYOUT, so a failed write leaves a file of whole records (see fd-writer.ts).
 */
import { FdWriter, type RecordLayout, type WriteTarget, type WriteTimingOptions } from './fd-writer';
import { PCAP_FILE_HEADER_LEN, PCAP_MAGIC_MICRO, PCAP_MAGIC_NANO, PCAP_RECORD_HEADER_LEN } from './pcap-format';

/** Records of a pcap file written from its start: the 24-byte file header, then 16-byte headers + caplen. */
export const PCAP_LAYOUT: RecordLayout = {
  recordLength: (buf, at, streamOffset) =>
    streamOffset === 0 ? PCAP_FILE_HEADER_LEN : buf.length - at < PCAP_RECORD_HEADER_LEN ? 0 : PCAP_RECORD_HEADER_LEN + buf.readUInt32LE(at + 8),
  isPacket: (_buf, _at, streamOffset) => streamOffset !== 0,
};

export interface PcapWriterOptions extends WriteTimingOptions {
  /** LINKTYPE_* of every packet (1 Ethernet, 276 Linux cooked v2, ...). */
  linkType: number;
  /** Snap length recorded in the header; packets are cut to it. Default 262144. */
  snapLen?: number;
  /** Nanosecond time stamps (magic a1b23c4d). Default false: microseconds, readable by every tool. */
  nanosecond?: boolean;
}

export interface PacketToWrite {
  /** Nanoseconds since the Unix epoch. */
  tsNs: bigint;
  data: Uint8Array;
  /** Length on the wire; default data.length. */
  origLen?: number;
}

export class PcapWriter {
  readonly out: FdWriter;
  readonly linkType: number;
  readonly snapLen: number;
  readonly nanosecond: boolean;
  /** Packets handed to this writer by calls that returned; out.packetsWritten counts those that reached the file. */
  packetCount = 0;

  /** Creates the file (path, '-' for stdout, or an open descriptor) and writes the header. */
  constructor(target: WriteTarget, options: PcapWriterOptions) {
    this.linkType = options.linkType;
    this.snapLen = options.snapLen ?? 262144;
    this.nanosecond = options.nanosecond ?? false;
    checkU32('snapLen', this.snapLen);
    if (!Number.isInteger(this.linkType) || this.linkType < 0 || this.linkType > 0xffff) {
      throw new RangeError(`linkType must be a LINKTYPE_* value between 0 and 65535, got ${this.linkType}`);
    }
    this.out = new FdWriter(target, {
      maxDelayMs: options.maxDelayMs,
      packetBuffered: options.packetBuffered,
      onBackgroundError: options.onBackgroundError,
      gzip: options.gzip,
      layout: PCAP_LAYOUT,
    });
    const { buf, at } = this.out.reserve(PCAP_FILE_HEADER_LEN);
    buf.writeUInt32LE(this.nanosecond ? PCAP_MAGIC_NANO : PCAP_MAGIC_MICRO, at);
    buf.writeUInt16LE(2, at + 4);
    buf.writeUInt16LE(4, at + 6);
    buf.writeInt32LE(0, at + 8); // thiszone: always 0 (UTC)
    buf.writeUInt32LE(0, at + 12); // sigfigs: always 0
    buf.writeUInt32LE(this.snapLen, at + 16);
    buf.writeUInt32LE(this.linkType, at + 20);
    this.out.endWrite();
  }

  writePacket(p: PacketToWrite): void {
    const capLen = Math.min(p.data.length, this.snapLen);
    const origLen = p.origLen ?? p.data.length;
    checkU32('origLen', origLen);
    const { buf, at } = this.out.reserve(PCAP_RECORD_HEADER_LEN + capLen, 1);
    const tsNs = p.tsNs < 0n ? 0n : p.tsNs;
    const sec = tsNs / 1_000_000_000n;
    const ns = Number(tsNs % 1_000_000_000n);
    // pcap has 32-bit seconds: beyond 2106 the value wraps, as in libpcap.
    buf.writeUInt32LE(Number(sec & 0xffffffffn), at);
    buf.writeUInt32LE(this.nanosecond ? ns : Math.floor(ns / 1000), at + 4);
    buf.writeUInt32LE(capLen, at + 8);
    buf.writeUInt32LE(Math.max(origLen, capLen), at + 12);
    buf.set(p.data.subarray(0, capLen), at + PCAP_RECORD_HEADER_LEN);
    this.packetCount++;
    this.out.endWrite();
  }

  /**
   * Appends a batch of little-endian pcap records (what the native capture layer emits with
   * recordFormat 'pcap', nanoseconds, or 'pcap-us', microseconds: `micro`). Copied verbatim into
   * a file of the same precision; otherwise converted record by record. Returns the number of
   * records.
   */
  writeRecords(batch: Buffer, micro = false): number {
    const count = countRecords(batch);
    if (this.nanosecond !== micro) {
      this.out.write(batch, count);
    } else {
      let p = 0;
      while (p < batch.length) {
        const capLen = batch.readUInt32LE(p + 8);
        const size = PCAP_RECORD_HEADER_LEN + capLen;
        const { buf, at } = this.out.reserve(size, 1);
        batch.copy(buf, at, p, p + size);
        const fraction = batch.readUInt32LE(p + 4);
        buf.writeUInt32LE(micro ? fraction * 1000 : Math.floor(fraction / 1000), at + 4);
        p += size;
      }
    }
    this.packetCount += count;
    this.out.endWrite();
    return count;
  }

  flush(): void {
    this.out.flush();
  }

  close(): void {
    this.out.close();
  }
}

/** Counts the records of a batch and checks that they tile it exactly (a malformed batch is a bug upstream). */
function countRecords(batch: Buffer): number {
  let count = 0;
  let p = 0;
  while (p + PCAP_RECORD_HEADER_LEN <= batch.length) {
    p += PCAP_RECORD_HEADER_LEN + batch.readUInt32LE(p + 8);
    count++;
  }
  if (p !== batch.length) {
    throw new RangeError(`malformed pcap record batch: records end at byte ${p}, but the batch is ${batch.length} bytes`);
  }
  return count;
}

function checkU32(name: string, v: number): void {
  if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new RangeError(`${name} must be an integer between 0 and 2^32-1, got ${v}`);
}
