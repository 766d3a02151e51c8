/**
 * Where packets go: tcpdump-style lines on stdout, or a pcap/pcapng file (or stdout with `-w -`).
 * Live batches arrive in the native record format and are written to files without being
 * unpacked; lines are printed per packet.
 */
import { forEachEpb, forEachPcapRecord, tsNsFromParts } from '../pcap/batch';
import type { PacketView } from '../pcap/packet';
import { PcapWriter } from '../pcap/pcap-writer';
import { PcapngWriter } from '../pcap/pcapng-writer';
import type { WriteTarget } from '../pcap/fd-writer';
import type { RecordFormat } from '../capture/batch';
import { appendPacketLineAt, LineBuffer, PrintState, type PrintOptions } from './print/index';
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

  constructor(
    private readonly io: CliIo,
    opts: Pick<CliOptions, 'numeric' | 'quiet' | 'linkHeader' | 'timestamp' | 'verbose'>,
    private readonly interfaceName: (ifindex: number) => string | undefined,
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
    io.onOutputClosed(() => {
      this.outputClosed = true;
      this.lines.length = 0;
    });
  }

  /** One packet's line; the packet is data[start, start + capLen). */
  private line(data: Buffer, start: number, capLen: number, origLen: number, linkType: number, tsSec: number, tsNsec: number): void {
    if (this.outputClosed) return;
    const lines = this.lines;
    appendPacketLineAt(data, start, capLen, origLen, linkType, tsSec, tsNsec, this.printOptions, this.state, lines, this.interfaceName);
    lines.byte(0x0a);
    if (lines.length >= OUTPUT_CHUNK) this.flushLines();
  }

  writeBatch(batch: Buffer, _count: number, format: RecordFormat): void {
    const linkType = this.linkType;
    if (format === 'pcapng') {
      forEachEpb(batch, (high, low, capLen, origLen, _flags, at) => {
        if (high < 0x200000) {
          // Below 2^53 ns a double holds the time stamp exactly; the division may round up.
          const ns = high * 4294967296 + low;
          let sec = Math.floor(ns / 1e9);
          let nsec = ns - sec * 1e9;
          if (nsec < 0) {
            sec--;
            nsec += 1e9;
          }
          this.line(batch, at, capLen, origLen, linkType, sec, nsec);
        } else {
          const ns = tsNsFromParts(high, low);
          const sec = ns / 1_000_000_000n;
          this.line(batch, at, capLen, origLen, linkType, Number(sec), Number(ns - sec * 1_000_000_000n));
        }
      });
    } else {
      forEachPcapRecord(batch, (sec, nsec, capLen, origLen, at) => this.line(batch, at, capLen, origLen, linkType, sec, nsec));
    }
    this.flushLines();
  }

  writePacket(p: PacketToSink): void {
    const sec = p.tsNs / 1_000_000_000n;
    this.line(p.data, 0, p.data.length, p.origLen, p.linkType, Number(sec), Number(p.tsNs - sec * 1_000_000_000n));
  }

  /** A packet from CaptureReader.nextView(): printed from the read buffer, no copy or BigInt. */
  writeView(v: PacketView): void {
    // line()'s body, written out: this runs once per packet of a file.
    if (this.outputClosed) return;
    const lines = this.lines;
    appendPacketLineAt(v.buf, v.start, v.capLen, v.origLen, v.linkType, v.tsSec, v.tsNsec, this.printOptions, this.state, lines, this.interfaceName);
    lines.byte(0x0a);
    if (lines.length >= OUTPUT_CHUNK) this.flushLines();
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
  /** One entry per captured interface, in the order of the capture's interface indexes. */
  interfaces: Array<{ linkType: number; name?: string }>;
  snapLen: number;
  filter?: string;
  nanosecond: boolean;
  /** Bytes reach the file within this many milliseconds (a live capture's crash loses no more). */
  maxDelayMs?: number;
  /** tcpdump -U: every batch goes to the file at once. */
  packetBuffered?: boolean;
  /** A write error met by the timed flush, when no write call is running to throw it. */
  onBackgroundError?: (error: Error) => void;
}

/** A file sink also takes batches of any of its interfaces (several -i into one pcapng file). */
export interface FileSink extends PacketSink {
  writeInterfaceBatch(interfaceId: number, batch: Buffer, count: number): void;
}

/** A live capture's file: batches written verbatim (pcapng: one interface block per interface). */
export function openFileSink(file: string, o: FileSinkOptions): FileSink {
  const timing = { maxDelayMs: o.maxDelayMs, packetBuffered: o.packetBuffered, onBackgroundError: o.onBackgroundError };
  if (o.format === 'pcap') {
    if (o.interfaces.length !== 1) throw new Error('a pcap file holds one interface; write several interfaces to pcapng');
    const w = new PcapWriter(writeTarget(file), { linkType: o.interfaces[0]!.linkType, snapLen: o.snapLen, nanosecond: o.nanosecond, ...timing });
    return {
      writeBatch: (batch) => void w.writeRecords(batch),
      writeInterfaceBatch: (_id, batch) => void w.writeRecords(batch),
      writePacket: (p) => w.writePacket(p),
      close: () => w.close(),
    };
  }
  const w = new PcapngWriter(writeTarget(file), {
    interfaces: o.interfaces.map((i) => ({ linkType: i.linkType, snapLen: o.snapLen, name: i.name, filter: o.filter || undefined })),
    ...timing,
  });
  return {
    writeBatch: (batch, count) => void w.writeBlocks(batch, 0, count),
    writeInterfaceBatch: (id, batch, count) => void w.writeBlocks(batch, id, count),
    writePacket: (p) => w.writePacket({ interfaceId: p.interfaceId, tsNs: p.tsNs, data: p.data, origLen: p.origLen, flags: p.flags || undefined }),
    close: () => w.close(),
  };
}
