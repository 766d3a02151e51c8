/**
 * PcapngWriter: streaming writer of little-endian pcapng: one Section Header Block, Interface
 * Description Blocks (one per interface, more may follow later in the file, which pcapng allows),
 * and Enhanced Packet Blocks with nanosecond time stamps (if_tsresol = 9).
 *
 * Every block goes to the FdWriter whole (one reserve() per block, one write() per batch), with
 * PCAPNG_LAYOUT, so a failed write leaves a file of whole blocks (see fd-writer.ts).
 */
import * as os from 'node:os';
import { FdWriter, type RecordLayout, type WriteTarget, type WriteTimingOptions } from './fd-writer';
import { BT_EPB, BT_IDB, BT_OPB, BT_SHB, BT_SPB, BYTE_ORDER_MAGIC } from './pcapng-format';
import { forEachEpb } from './batch';
import { sievecapVersion } from './version';

const SHB_HARDWARE = 2;
const SHB_OS = 3;
const SHB_USERAPPL = 4;
const IF_NAME = 2;
const IF_DESCRIPTION = 3;
const IF_TSRESOL = 9;
const IF_FILTER = 11;
const IF_OS = 12;
const EPB_FLAGS = 2;
const OPT_COMMENT = 1;

export const EPB_FLAG_INBOUND = 1;
export const EPB_FLAG_OUTBOUND = 2;

/** Blocks of a little-endian pcapng stream: the total length at offset 4; EPB, SPB and PB are packets. */
export const PCAPNG_LAYOUT: RecordLayout = {
  recordLength: (buf, at) => (buf.length - at < 12 ? 0 : buf.readUInt32LE(at + 4)),
  isPacket: (buf, at) => {
    const type = buf.readUInt32LE(at);
    return type === BT_EPB || type === BT_SPB || type === BT_OPB;
  },
};

export interface PcapngInterfaceOptions {
  linkType: number;
  /** Default 262144; 0 means no limit. */
  snapLen?: number;
  name?: string;
  description?: string;
  /** Capture filter, recorded as if_filter of type 0 (libpcap filter string). */
  filter?: string;
  os?: string;
}

export interface PcapngWriterOptions extends WriteTimingOptions {
  /** Interfaces to declare at once (their ids are 0, 1, ...); more can be added with addInterface(). */
  interfaces?: PcapngInterfaceOptions[];
  /** shb_hardware; default the CPU model. */
  hardware?: string;
  /** shb_os; default `${os.type()} ${os.release()}`. */
  os?: string;
  /** shb_userappl; default "Sievecap <version>". */
  application?: string;
  /** opt_comment of the section. */
  comment?: string;
}

export interface PcapngPacketToWrite {
  interfaceId: number;
  tsNs: bigint;
  data: Uint8Array;
  /** Default data.length. */
  origLen?: number;
  /** epb_flags: direction in bits 0-1 (EPB_FLAG_INBOUND, EPB_FLAG_OUTBOUND). Omitted when undefined. */
  flags?: number;
  comment?: string;
}

type Option = [code: number, value: Buffer];

function optionsSize(options: Option[]): number {
  if (options.length === 0) return 0;
  return options.reduce((n, [, v]) => n + 4 + ((v.length + 3) & ~3), 0) + 4;
}

function writeOptions(buf: Buffer, at: number, options: Option[]): number {
  if (options.length === 0) return at;
  for (const [code, value] of options) {
    if (value.length > 0xffff) throw new RangeError(`pcapng option ${code} is ${value.length} bytes; at most 65535 fit`);
    buf.writeUInt16LE(code, at);
    buf.writeUInt16LE(value.length, at + 2);
    value.copy(buf, at + 4);
    const padded = (value.length + 3) & ~3;
    buf.fill(0, at + 4 + value.length, at + 4 + padded);
    at += 4 + padded;
  }
  buf.writeUInt32LE(0, at); // opt_endofopt
  return at + 4;
}

function textOption(code: number, text: string | undefined): Option[] {
  return text === undefined || text === '' ? [] : [[code, Buffer.from(text, 'utf8')]];
}

export class PcapngWriter {
  readonly out: FdWriter;
  private readonly interfaceList: Array<{ linkType: number; snapLen: number }> = [];
  /** Packets handed to this writer by calls that returned; out.packetsWritten counts those that reached the file. */
  packetCount = 0;

  constructor(target: WriteTarget, options: PcapngWriterOptions = {}) {
    this.out = new FdWriter(target, {
      maxDelayMs: options.maxDelayMs,
      packetBuffered: options.packetBuffered,
      onBackgroundError: options.onBackgroundError,
      gzip: options.gzip,
      layout: PCAPNG_LAYOUT,
    });
    const cpu = os.cpus()[0]?.model?.trim();
    this.writeBlock(BT_SHB, 16, [
      ...textOption(OPT_COMMENT, options.comment),
      ...textOption(SHB_HARDWARE, options.hardware ?? (cpu ? `${os.arch()} ${cpu}` : os.arch())),
      ...textOption(SHB_OS, options.os ?? `${os.type()} ${os.release()}`),
      ...textOption(SHB_USERAPPL, options.application ?? `Sievecap ${sievecapVersion()}`),
    ], (buf, at) => {
      buf.writeUInt32LE(BYTE_ORDER_MAGIC, at);
      buf.writeUInt16LE(1, at + 4);
      buf.writeUInt16LE(0, at + 6);
      buf.writeBigInt64LE(-1n, at + 8); // section length unknown: we stream
    });
    for (const iface of options.interfaces ?? []) this.addInterface(iface);
    this.out.endWrite();
  }

  get interfaceCount(): number {
    return this.interfaceList.length;
  }

  /** Declares an interface (writes its IDB now) and returns its id for writePacket. */
  addInterface(iface: PcapngInterfaceOptions): number {
    const snapLen = iface.snapLen ?? 262144;
    if (!Number.isInteger(snapLen) || snapLen < 0 || snapLen > 0xffffffff) throw new RangeError(`snapLen must be an integer between 0 and 2^32-1, got ${snapLen}`);
    if (!Number.isInteger(iface.linkType) || iface.linkType < 0 || iface.linkType > 0xffff) {
      throw new RangeError(`linkType must be a LINKTYPE_* value between 0 and 65535, got ${iface.linkType}`);
    }
    const filter: Option[] = iface.filter ? [[IF_FILTER, Buffer.concat([Buffer.from([0]), Buffer.from(iface.filter, 'utf8')])]] : [];
    this.writeBlock(BT_IDB, 8, [
      ...textOption(IF_NAME, iface.name),
      ...textOption(IF_DESCRIPTION, iface.description),
      [IF_TSRESOL, Buffer.from([9])],
      ...filter,
      ...textOption(IF_OS, iface.os),
    ], (buf, at) => {
      buf.writeUInt16LE(iface.linkType, at);
      buf.writeUInt16LE(0, at + 2);
      buf.writeUInt32LE(snapLen, at + 4);
    });
    this.interfaceList.push({ linkType: iface.linkType, snapLen });
    this.out.endWrite();
    return this.interfaceList.length - 1;
  }

  writePacket(p: PcapngPacketToWrite): void {
    const iface = this.interfaceList[p.interfaceId];
    if (iface === undefined) {
      throw new RangeError(`interface ${p.interfaceId} was not added (the writer has ${this.interfaceList.length}); call addInterface() first`);
    }
    // Built in place (no option arrays): this is the per-packet path.
    const capLen = iface.snapLen === 0 ? p.data.length : Math.min(p.data.length, iface.snapLen);
    const padded = (capLen + 3) & ~3;
    const comment = p.comment ? Buffer.from(p.comment, 'utf8') : null;
    if (comment !== null && comment.length > 0xffff) throw new RangeError(`packet comment is ${comment.length} bytes; at most 65535 fit`);
    let optionsLen = 0;
    if (p.flags !== undefined) optionsLen += 8;
    if (comment !== null) optionsLen += 4 + ((comment.length + 3) & ~3);
    if (optionsLen > 0) optionsLen += 4; // opt_endofopt
    const total = 32 + padded + optionsLen;
    const ts = p.tsNs < 0n ? 0n : p.tsNs & 0xffffffffffffffffn;
    // Checked before reserving: a throw after reserve() would leave a half-built block behind.
    const origLen = Math.max(p.origLen ?? p.data.length, capLen);
    if (!Number.isInteger(origLen) || origLen > 0xffffffff) throw new RangeError(`origLen must be an integer between 0 and 2^32-1, got ${p.origLen}`);
    const { buf, at } = this.out.reserve(total, 1);
    buf.writeUInt32LE(BT_EPB, at);
    buf.writeUInt32LE(total, at + 4);
    buf.writeUInt32LE(p.interfaceId, at + 8);
    buf.writeUInt32LE(Number(ts >> 32n), at + 12);
    buf.writeUInt32LE(Number(ts & 0xffffffffn), at + 16);
    buf.writeUInt32LE(capLen, at + 20);
    buf.writeUInt32LE(origLen, at + 24);
    buf.set(capLen === p.data.length ? p.data : p.data.subarray(0, capLen), at + 28);
    let o = at + 28 + capLen;
    while (o < at + 28 + padded) buf[o++] = 0;
    if (comment !== null) {
      buf.writeUInt16LE(OPT_COMMENT, o);
      buf.writeUInt16LE(comment.length, o + 2);
      comment.copy(buf, o + 4);
      const end = o + 4 + ((comment.length + 3) & ~3);
      buf.fill(0, o + 4 + comment.length, end);
      o = end;
    }
    if (p.flags !== undefined) {
      buf.writeUInt16LE(EPB_FLAGS, o);
      buf.writeUInt16LE(4, o + 2);
      buf.writeUInt32LE(p.flags >>> 0, o + 4);
      o += 8;
    }
    if (optionsLen > 0) {
      buf.writeUInt32LE(0, o);
      o += 4;
    }
    buf.writeUInt32LE(total, o);
    this.packetCount++;
    this.out.endWrite();
  }

  /**
   * Appends a batch of ready-made little-endian EPBs (from the native capture layer: interface id
   * 0, ns time stamps) verbatim. With interfaceId other than 0, the id field of each block is
   * rewritten to it (in a copy). Returns the number of blocks.
   *
   * `knownCount` is for the live capture path: the native layer says how many blocks it built, and
   * walking every block again in JavaScript would cost more than the rest of the path together.
   * Without it the batch is walked and checked.
   */
  writeBlocks(batch: Buffer, interfaceId = 0, knownCount?: number): number {
    if (this.interfaceList[interfaceId] === undefined) {
      throw new RangeError(`interface ${interfaceId} was not added (the writer has ${this.interfaceList.length}); call addInterface() first`);
    }
    let count = knownCount ?? 0;
    if (knownCount === undefined || interfaceId !== 0) {
      count = 0;
      const end = forEachEpb(batch, () => {
        count++;
      });
      if (end !== batch.length) {
        throw new RangeError(`malformed EPB batch: blocks end at byte ${end}, but the batch is ${batch.length} bytes`);
      }
    }
    if (interfaceId === 0) this.out.write(batch, count);
    else {
      const copy = Buffer.from(batch);
      for (let p = 0; p < copy.length; p += copy.readUInt32LE(p + 4)) copy.writeUInt32LE(interfaceId, p + 8);
      this.out.write(copy, count);
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

  private writeBlock(type: number, fixedLen: number, options: Option[], fill: (buf: Buffer, at: number) => void): void {
    for (const [code, value] of options) {
      // Checked before reserving: a throw after reserve() would leave a half-built block behind.
      if (value.length > 0xffff) throw new RangeError(`pcapng option ${code} is ${value.length} bytes; at most 65535 fit`);
    }
    const total = 8 + fixedLen + optionsSize(options) + 4;
    const { buf, at } = this.out.reserve(total);
    buf.writeUInt32LE(type, at);
    buf.writeUInt32LE(total, at + 4);
    fill(buf, at + 8);
    const end = writeOptions(buf, at + 8 + fixedLen, options);
    buf.writeUInt32LE(total, end);
  }
}
