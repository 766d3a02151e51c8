/**
 * Spool: the pcapng file every live frame is appended to as it arrives. Each append is handed to
 * the kernel (write(2)) before the frame is indexed, so a crash of our process loses nothing that
 * reached the engine, and the file is a valid pcapng at every append boundary (tshark reads it).
 * Writing goes through the project's PcapngWriter (which buffers; we flush per append).
 */
import { PcapngWriter, type PcapngInterfaceOptions } from '../pcap/pcapng-writer';
import { forEachEpb } from '../pcap/batch';

/** A single frame to append (what a live capture or an import hands over). */
export interface SpoolPacket {
  interfaceId: number;
  tsNs: bigint;
  data: Uint8Array;
  /** Default data.length. */
  origLen?: number;
  /** pcapng epb_flags (direction in bits 0-1). */
  flags?: number;
}

/** Where an appended frame landed and what the index needs of it. */
export type SpoolVisitor = (dataOffset: number, tsHigh: number, tsLow: number, capLen: number, origLen: number, flags: number, data: Buffer, dataStart: number) => void;

const EPB_HEADER = 28;

export class Spool {
  private readonly writer: PcapngWriter;
  private readonly linkTypes: number[] = [];
  /** Snap length per interface (0: none), as the writer cuts frames to it. */
  private readonly snapLens: number[] = [];

  constructor(readonly path: string, interfaces: PcapngInterfaceOptions[]) {
    if (interfaces.length === 0) throw new Error('a spool needs at least one interface (its link type decides how frames are read)');
    this.writer = new PcapngWriter(path, { interfaces });
    for (const i of interfaces) this.declare(i);
    this.writer.flush();
  }

  linkTypeOf(interfaceId: number): number {
    const t = this.linkTypes[interfaceId];
    if (t === undefined) throw new RangeError(`interface ${interfaceId} was not declared (the spool has ${this.linkTypes.length}); use addInterface() first`);
    return t;
  }

  get interfaceCount(): number {
    return this.linkTypes.length;
  }

  addInterface(iface: PcapngInterfaceOptions): number {
    const id = this.writer.addInterface(iface);
    this.declare(iface);
    this.writer.flush();
    return id;
  }

  private declare(iface: PcapngInterfaceOptions): void {
    this.linkTypes.push(iface.linkType);
    this.snapLens.push(iface.snapLen ?? 262144);
  }

  /** Bytes in the file (everything appended has been written). */
  get size(): number {
    return this.writer.out.bytesWritten;
  }

  /** Appends one frame, writes it through to the kernel, then reports where it landed. */
  append(p: SpoolPacket, visit: SpoolVisitor): void {
    this.linkTypeOf(p.interfaceId);
    const start = this.size;
    this.writer.writePacket({ interfaceId: p.interfaceId, tsNs: p.tsNs, data: p.data, origLen: p.origLen, flags: p.flags });
    this.writer.flush();
    const data = Buffer.isBuffer(p.data) ? p.data : Buffer.from(p.data.buffer, p.data.byteOffset, p.data.byteLength);
    const ts = p.tsNs < 0n ? 0n : p.tsNs;
    const snapLen = this.snapLens[p.interfaceId]!;
    const capLen = snapLen === 0 ? data.length : Math.min(data.length, snapLen);
    visit(start + EPB_HEADER, Number(ts >> 32n), Number(ts & 0xffffffffn), capLen, Math.max(p.origLen ?? data.length, capLen), p.flags ?? 0, data, 0);
  }

  /**
   * Appends a batch of little-endian EPBs as LiveCapture produces them (interface id 0 inside the
   * blocks; `interfaceId` rewrites it), writes it through, then reports every frame. Returns the count.
   */
  appendBatch(batch: Buffer, interfaceId: number, visit: SpoolVisitor): number {
    this.linkTypeOf(interfaceId);
    const start = this.size;
    const count = this.writer.writeBlocks(batch, interfaceId);
    this.writer.flush();
    forEachEpb(batch, (tsHigh, tsLow, capLen, origLen, flags, dataOffset) => {
      visit(start + dataOffset, tsHigh, tsLow, capLen, origLen, flags, batch, dataOffset);
    });
    return count;
  }

  close(): void {
    this.writer.close();
  }
}
