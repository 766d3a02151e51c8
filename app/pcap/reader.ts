/**
 * CaptureReader: reads pcap and pcapng files, plain or gzip-compressed, packet by packet.
 *
 *   const reader = CaptureReader.open('trace.pcapng');
 *   for (let p = reader.next(); p !== null; p = reader.next()) use(p);  // p.data valid until next()
 *   if (reader.error) console.error(reader.error.message);
 *   // Or, for code that looks at millions of packets: reader.nextView() hands out one reused
 *   // PacketView (bytes in place in the read buffer, time stamp as numbers) per packet, and
 *   // reader.nextBatch(batch) many packets at once (a PacketBatch: lengths and positions in one
 *   // buffer, for work done per batch, such as a capture filter run natively).
 *   // CaptureReader.open(path, { customBlocks: true }) also yields pcapng Custom Blocks, numbered
 *   // among the packets as tshark numbers its frames (see CaptureReaderOptions).
 *   reader.close();
 *
 * Memory stays bounded (about 1 MiB, more only for a block that is really that big, itself capped
 * per link type as libpcap caps it). Bad contents never throw: every packet before the damage is
 * returned, then next() returns null and `error` says where and what. Only failing to open the
 * file (ENOENT, EACCES, EISDIR) throws, with the path in the message.
 */
import * as fs from 'node:fs';
import * as util from 'node:util';
import { BufferByteSource, type ByteSource, FileByteSource, GzipByteSource, StreamByteSource } from './byte-source';
import { ByteWindow } from './byte-window';
import { CaptureFileError } from './errors';
import type { CaptureFileInfo, CaptureInterface, CapturePacket, CaptureReaderOptions, PacketView } from './packet';
import type { PacketBatch } from './packet-batch';
import { pcapInterface, pcapMagicKind, PcapRecordParser, readPcapHeader } from './pcap-format';
import { BT_SHB, PcapngBlockParser } from './pcapng-format';

interface PacketParser {
  next(): CapturePacket | null;
  /** Would next() return a packet from the window's bytes as they are, without reading on? */
  nextLiesInWindow(): boolean;
}

export class CaptureReader implements Iterable<CapturePacket> {
  /** Set when reading stopped at damaged or unreadable data. */
  error: CaptureFileError | null = null;
  readonly info: CaptureFileInfo = { format: null, nanosecond: false, byteOrder: 'little', compressed: false, version: '' };
  private parser: PacketParser | null = null;
  /** The same parser when the file is pcap: nextView() reads its records in place. */
  private pcapParser: PcapRecordParser | null = null;
  private readonly view: PacketView = {
    buf: Buffer.alloc(0), start: 0, offset: 0, capLen: 0, origLen: 0, tsSec: 0, tsNsec: 0, linkType: -1, interfaceId: 0, flags: 0,
  };
  private ngParser: PcapngBlockParser | null = null;
  private pcapInterfaces: CaptureInterface[] = [];
  private readonly window: ByteWindow;
  private closed = false;

  private constructor(private readonly source: ByteSource, readonly path: string, compressed: boolean, private readonly options: CaptureReaderOptions) {
    this.window = new ByteWindow(source);
    this.info.compressed = compressed;
    this.guard(() => this.detect());
  }

  /** Opens a capture file; throws only when the file cannot be opened or read at all. */
  static open(path: string, options: CaptureReaderOptions = {}): CaptureReader {
    let fd: number;
    try {
      fd = fs.openSync(path, 'r');
      if (fs.fstatSync(fd).isDirectory()) {
        fs.closeSync(fd);
        throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
      }
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      throw Object.assign(new Error(`cannot open capture file ${path}: ${systemReason(err)}`), { code: err.code });
    }
    const head = Buffer.alloc(2);
    const n = fs.readSync(fd, head, 0, 2, 0);
    const gzip = n === 2 && head[0] === 0x1f && head[1] === 0x8b;
    const file = new FileByteSource(fd);
    return new CaptureReader(gzip ? new GzipByteSource(file) : file, path, gzip, options);
  }

  /**
   * Reads a capture (plain or gzip) from a pipe or other stream already open as `fd` (standard
   * input for `-r -`), as it arrives; `name` stands for the path in messages.
   */
  static fromStream(fd: number, name: string, options: CaptureReaderOptions = {}): CaptureReader {
    const source = new StreamByteSource(fd);
    const head = source.peek(2);
    const gzip = head.length === 2 && head[0] === 0x1f && head[1] === 0x8b;
    return new CaptureReader(gzip ? new GzipByteSource(source) : source, name, gzip, options);
  }

  /** Reads a capture (plain or gzip) already in memory; `name` stands for the path in messages. */
  static fromBuffer(data: Uint8Array, name = 'capture data', options: CaptureReaderOptions = {}): CaptureReader {
    const gzip = data.length >= 2 && data[0] === 0x1f && data[1] === 0x8b;
    const source = new BufferByteSource(data);
    return new CaptureReader(gzip ? new GzipByteSource(source) : source, name, gzip, options);
  }

  /** Interfaces declared so far (pcapng may declare more later in the file). pcap has exactly one. */
  get interfaces(): readonly CaptureInterface[] {
    return this.ngParser ? this.ngParser.interfaces : this.pcapInterfaces;
  }

  /** Link type of the first interface (what tcpdump reports for the file), or -1 when none. */
  get linkType(): number {
    return this.interfaces[0]?.linkType ?? -1;
  }

  /** The next packet, or null at the end of the file or at damaged data (then `error` is set). */
  next(): CapturePacket | null {
    if (this.parser === null || this.error !== null || this.closed) return null;
    // Inline rather than through guard(): no closure per packet on the hot path.
    try {
      return this.parser.next();
    } catch (e) {
      this.fail(e);
      return null;
    }
  }

  /**
   * The next packet as a PacketView (one object, reused), or null where next() returns null.
   * Packets of a little-endian pcap file come straight out of the read buffer; anything else
   * (pcapng, a record that straddles two reads, a damaged record) goes through next(), so packets,
   * errors and their offsets are exactly next()'s. Do not mix with next() on one reader.
   */
  nextView(): PacketView | null {
    if (this.pcapParser !== null && this.error === null && !this.closed && this.pcapParser.nextInWindow(this.view)) return this.view;
    const p = this.next();
    if (p === null) return null;
    const v = this.view;
    v.buf = p.data;
    v.start = 0;
    v.offset = p.offset;
    v.capLen = p.data.length;
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

  /**
   * Fills `batch` with the next packets, at most `max` (and the batch's capacity), and returns how
   * many: 0 where next() would return null. Every packet of a batch lies in one buffer, so a batch
   * ends early where the next packet does not lie whole in the read buffer (about every MiB) or
   * where a block other than a packet comes next in a pcapng file. Packets, their order, errors
   * and offsets are next()'s: after the last packet before damage, the next call returns 0 and
   * `error` says what. The batch is valid until the next call; do not mix with next() or
   * nextView() on one reader.
   */
  nextBatch(batch: PacketBatch, max = batch.capacity): number {
    batch.clear();
    const parser = this.parser;
    if (parser === null || this.closed) return 0;
    const limit = Math.min(max, batch.capacity);
    const inPlace = this.pcapParser;
    const w = this.window;
    while (batch.count < limit && this.error === null) {
      // Records of a little-endian pcap file are taken where they lie (as nextView() does).
      inPlace?.takeInWindow(batch, limit);
      if (batch.count >= limit) break;
      // Reading on may move the bytes of the packets already in the batch: only for the first.
      if (batch.count > 0 && !parser.nextLiesInWindow()) break;
      const p = this.next();
      if (p === null) break;
      if (p.data.buffer !== w.buf.buffer || p.data.byteOffset < w.buf.byteOffset || p.data.byteOffset + p.data.length > w.buf.byteOffset + w.buf.length) {
        this.fail(new Error('a packet read outside the read buffer'));
        break;
      }
      batch.addPacket(p, w.buf);
    }
    return batch.count;
  }

  *[Symbol.iterator](): Iterator<CapturePacket> {
    for (let p = this.next(); p !== null; p = this.next()) yield p;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.source.close();
    } catch {
      // Closing a read-only descriptor cannot lose data; nothing useful to report.
    }
  }

  private detect(): void {
    const w = this.window;
    if (!w.ensure(4)) {
      throw new CaptureFileError(0, w.available === 0 ? 'empty file: not a pcap or pcapng file' : `not a pcap or pcapng file (only ${w.available} bytes long)`);
    }
    const magicLE = w.buf.readUInt32LE(w.start);
    const pcapKind = pcapMagicKind(magicLE);
    if (pcapKind !== null) {
      const header = readPcapHeader(w);
      this.info.format = 'pcap';
      this.info.nanosecond = header.nanosecond;
      this.info.byteOrder = header.littleEndian ? 'little' : 'big';
      this.info.version = `${header.versionMajor}.${header.versionMinor}`;
      this.pcapInterfaces = [pcapInterface(header)];
      this.pcapParser = new PcapRecordParser(w, header);
      this.parser = this.pcapParser;
      return;
    }
    if (magicLE === BT_SHB) {
      const ng = new PcapngBlockParser(w, this.options.customBlocks === true);
      this.ngParser = ng;
      ng.readPreamble();
      const first = ng.sections[0];
      this.info.format = 'pcapng';
      if (first) {
        this.info.byteOrder = first.littleEndian ? 'little' : 'big';
        this.info.version = `${first.versionMajor}.${first.versionMinor}`;
      }
      const res = ng.interfaces[0]?.tsresol;
      this.info.nanosecond = res !== undefined && (res.base === 10 ? res.exponent > 6 : res.exponent > 19);
      this.parser = ng;
      return;
    }
    const start = w.buf.subarray(w.start, w.start + Math.min(8, w.available)).toString('hex').replace(/(..)/g, '$1 ').trim();
    throw new CaptureFileError(0, `not a pcap or pcapng file (starts with ${start})`);
  }

  /** Runs a parsing step; any error becomes `this.error` (with the file path) instead of a throw. */
  private guard<T>(step: () => T): T | null {
    try {
      return step();
    } catch (e) {
      this.fail(e);
      return null;
    }
  }

  private fail(e: unknown): void {
    const offset = this.window.offset;
    this.error = new CaptureFileError(offset, describeFailure(e, offset), this.path);
  }
}

const NS_PER_SECOND = 1_000_000_000n;

/** Words a failure that is not a CaptureFileError: inflate errors, I/O errors, or a bug of ours. */
function describeFailure(e: unknown, offset: number): string {
  if (e instanceof CaptureFileError) return e.message;
  const err = e as NodeJS.ErrnoException;
  if (typeof err.code === 'string' && err.code.startsWith('Z_')) return `gzip data is damaged near byte ${offset}: ${err.message}`;
  if (e instanceof RangeError && /gzip/.test(e.message)) return `${e.message} (near byte ${offset})`;
  if (typeof err.syscall === 'string') return `read error near byte ${offset}: ${err.message}`;
  return `internal error while reading at byte ${offset}: ${err?.message ?? String(e)} (a bug in Sievecap's reader: please report it with the file)`;
}

/** Reads a whole capture file into memory (data copied out of the reader's buffer): for small files and tests. */
export function readAllPackets(path: string): { packets: CapturePacket[]; reader: CaptureReader } {
  const reader = CaptureReader.open(path);
  const packets: CapturePacket[] = [];
  for (const p of reader) packets.push({ ...p, data: Buffer.from(p.data) });
  reader.close();
  return { packets, reader };
}

/** 'No such file or directory (ENOENT)': the system's words, as tcpdump and tshark print them. */
function systemReason(err: NodeJS.ErrnoException): string {
  const known = typeof err.errno === 'number' ? util.getSystemErrorMap().get(err.errno) : undefined;
  if (known) return `${known[1].charAt(0).toUpperCase()}${known[1].slice(1)} (${known[0]})`;
  if (err.code === 'EISDIR') return 'Is a directory (EISDIR)';
  return `${err.message}${err.code ? ` (${err.code})` : ''}`;
}
