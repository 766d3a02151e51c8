/**
 * Where packets go: tcpdump-style lines on stdout, or a pcap/pcapng file (or stdout with `-w -`).
 * Live batches arrive in the native record format and are written to files without being
 * unpacked; lines are printed per packet.
 */
import { forEachEpb, forEachPcapRecord, tsNsFromParts } from '../pcap/batch';
import { PcapWriter } from '../pcap/pcap-writer';
import { PcapngWriter } from '../pcap/pcapng-writer';
import type { WriteTarget } from '../pcap/fd-writer';
import type { RecordFormat } from '../capture/batch';
import { appendPacketLine, LineBuffer, PrintState, type PrintablePacket, type PrintOptions } from './print/index';
import type { CliOptions } from './args';
import type { CliIo } from './io';

export interface PacketToSink {
  tsNs: bigint;
  data: Buffer;
  origLen: number;
  linkType: number;
  /** Index of the interface in the file being read (pcapng), 0 otherwise. */
  interfaceId: number;
  flags: number;
}

export interface PacketSink {
  /** A native batch (live capture); every record is of the sink's one interface. */
  writeBatch(batch: Buffer, count: number, format: RecordFormat): void;
  writePacket(packet: PacketToSink): void;
  close(): void;
}

/** Calls `visit` for each packet of a native batch (for sinks that look at every packet). */
export function forEachBatchPacket(
  batch: Buffer,
  format: RecordFormat,
  visit: (tsNs: bigint, data: Buffer, origLen: number, flags: number) => void,
): void {
  if (format === 'pcapng') {
    forEachEpb(batch, (high, low, capLen, origLen, flags, at) =>
      visit(tsNsFromParts(high, low), batch.subarray(at, at + capLen), origLen, flags),
    );
  } else {
    forEachPcapRecord(batch, (sec, nsec, capLen, origLen, at) =>
      visit(BigInt(sec) * 1_000_000_000n + BigInt(nsec), batch.subarray(at, at + capLen), origLen, 0),
    );
  }
}

/** Where `-w FILE` writes: a path, or standard output for '-'. */
export function writeTarget(file: string): WriteTarget {
  return file === '-' ? { fd: 1, name: 'standard output', closeFd: false } : file;
}

/** Lines collect in one reusable buffer and leave in writes of about this size. */
const OUTPUT_CHUNK = 64 * 1024;

/**
 * One line per packet, as tcpdump prints it. The printer encodes lines straight into one byte
 * buffer (no per-line strings), written out when it holds OUTPUT_CHUNK bytes, at the end of a
 * live batch, and on close. Once stdout's reader has gone, lines are not even formatted.
 */
export class TextSink implements PacketSink {
  private readonly state = new PrintState();
  private readonly lines = new LineBuffer(2 * OUTPUT_CHUNK);
  private outputClosed = false;
  private readonly printOptions: PrintOptions;
  /** Reused for every packet: the printer keeps no reference to it. */
  private readonly packet: PrintablePacket;

  constructor(
    private readonly io: CliIo,
    opts: Pick<CliOptions, 'numeric' | 'quiet' | 'linkHeader' | 'timestamp' | 'verbose'>,
    interfaceName: (ifindex: number) => string | undefined,
    /** Link type of live batches. */
    private readonly linkType = 1,
  ) {
    this.printOptions = {
      numeric: opts.numeric,
      quick: opts.quiet,
      linkHeader: opts.linkHeader,
      timestamp: opts.timestamp,
      verbose: opts.verbose,
    };
    this.packet = { tsNs: 0n, data: Buffer.alloc(0), origLen: 0, linkType, flags: 0, interfaceName };
    io.onOutputClosed(() => {
      this.outputClosed = true;
      this.lines.length = 0;
    });
  }

  private line(tsNs: bigint, data: Buffer, origLen: number, linkType: number, flags: number): void {
    if (this.outputClosed) return;
    const packet = this.packet;
    packet.tsNs = tsNs;
    packet.data = data;
    packet.origLen = origLen;
    packet.linkType = linkType;
    packet.flags = flags;
    appendPacketLine(packet, this.printOptions, this.state, this.lines);
    this.lines.byte(0x0a);
    if (this.lines.length >= OUTPUT_CHUNK) this.flushLines();
  }

  writeBatch(batch: Buffer, _count: number, format: RecordFormat): void {
    forEachBatchPacket(batch, format, (tsNs, data, origLen, flags) => this.line(tsNs, data, origLen, this.linkType, flags));
    this.flushLines();
  }

  writePacket(p: PacketToSink): void {
    this.line(p.tsNs, p.data, p.origLen, p.linkType, p.flags);
  }

  private flushLines(): void {
    const length = this.lines.length;
    if (length === 0) return;
    this.lines.length = 0;
    if (this.io.outBytes) this.io.outBytes(this.lines.bytes, length);
    else this.io.out(this.lines.bytes.toString('utf8', 0, length));
  }

  close(): void {
    this.flushLines();
  }
}

export interface FileSinkOptions {
  format: RecordFormat;
  linkType: number;
  snapLen: number;
  interfaceName?: string;
  filter?: string;
  nanosecond: boolean;
}

/** A live capture's file: one interface, batches written verbatim. */
export function openFileSink(file: string, o: FileSinkOptions): PacketSink {
  if (o.format === 'pcap') {
    const w = new PcapWriter(writeTarget(file), { linkType: o.linkType, snapLen: o.snapLen, nanosecond: o.nanosecond });
    return {
      writeBatch: (batch) => void w.writeRecords(batch),
      writePacket: (p) => w.writePacket(p),
      close: () => w.close(),
    };
  }
  const w = new PcapngWriter(writeTarget(file), {
    interfaces: [{ linkType: o.linkType, snapLen: o.snapLen, name: o.interfaceName, filter: o.filter || undefined }],
  });
  return {
    writeBatch: (batch, count) => void w.writeBlocks(batch, 0, count),
    writePacket: (p) => w.writePacket({ interfaceId: p.interfaceId, tsNs: p.tsNs, data: p.data, origLen: p.origLen, flags: p.flags || undefined }),
    close: () => w.close(),
  };
}
