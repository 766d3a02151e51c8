/**
 * Where packets go: tcpdump-style lines on stdout, or a pcap/pcapng file (or stdout with `-w -`).
 * Live batches arrive in the native record format and are written to files without being
 * unpacked; lines are printed per packet.
 */
import { forEachEpb, forEachPcapRecord, tsNsFromParts } from '../pcap/batch';
import type { PacketView } from '../pcap/packet';
import { pcapFractionScale, type RecordFormat } from '../capture/batch';
import { appendPacketLineAt, LineBuffer, PrintState, type PrintOptions } from './print/index';
import type { CliOptions } from './args';
import type { CliIo } from './io';

// A live capture to a file needs none of the printer: the file sink has a module of its own.
export { openFileSink, writeTarget, type FileSink, type FileSinkOptions } from './file-sink';

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
    const scale = pcapFractionScale(format);
    forEachPcapRecord(batch, (sec, fraction, capLen, origLen, at) =>
      visit(BigInt(sec) * 1_000_000_000n + BigInt(fraction * scale), batch.subarray(at, at + capLen), origLen, 0),
    );
  }
}

/** libpcap's MAXIMUM_SNAPLEN, the largest snapshot length of the link types printed here. */
const MAXIMUM_SNAPLEN = 262144;

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
    opts: Pick<CliOptions, 'numeric' | 'quiet' | 'linkHeader' | 'timestamp' | 'verbose'> &
      Partial<Pick<CliOptions, 'nanoPrecision'>> &
      Partial<Pick<CliOptions, 'hexDump' | 'hexAsciiDump' | 'asciiDump' | 'packetNumbers' | 'absoluteSequence' | 'noChecksums' | 'stripDomains'>>,
    private readonly interfaceName: (ifindex: number) => string | undefined,
    /** Link type of live batches. */
    private readonly linkType = 1,
    /**
     * For a file: its snapshot length (pcap header; pcapng: the first interface's), read when
     * the first packet is printed. libpcap cuts every record's captured bytes to it, and
     * tcpdump prints (and dumps, with -x) what is left.
     */
    private readonly fileSnapLen?: () => number | undefined,
  ) {
    this.printOptions = {
      numeric: opts.numeric,
      quick: opts.quiet,
      linkHeader: opts.linkHeader,
      timestamp: opts.timestamp,
      verbose: opts.verbose,
      hexDump: opts.hexDump,
      hexAsciiDump: opts.hexAsciiDump,
      asciiDump: opts.asciiDump,
      packetNumbers: opts.packetNumbers,
      absoluteSequence: opts.absoluteSequence,
      noChecksums: opts.noChecksums,
      stripDomains: opts.stripDomains,
      // --time-stamp-precision nano: tcpdump prints nanoseconds (a file's or a live capture's).
      nanoTimestamps: opts.nanoPrecision,
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
      const scale = pcapFractionScale(format);
      forEachPcapRecord(batch, (sec, fraction, capLen, origLen, at) => this.line(batch, at, capLen, origLen, linkType, sec, fraction * scale));
    }
    this.flushLines();
  }

  writePacket(p: PacketToSink): void {
    const sec = p.tsNs / 1_000_000_000n;
    this.line(p.data, 0, this.cut(p.data.length), p.origLen, p.linkType, Number(sec), Number(p.tsNs - sec * 1_000_000_000n));
  }

  private snapLen = -1;

  /** libpcap's cut of a file record's captured length to the file's snapshot length. */
  private cut(capLen: number): number {
    if (this.fileSnapLen === undefined) return capLen;
    if (this.snapLen < 0) {
      const declared = this.fileSnapLen() ?? 0;
      this.snapLen = declared <= 0 || declared > MAXIMUM_SNAPLEN ? MAXIMUM_SNAPLEN : declared;
    }
    // A record beyond the maximum is left whole: the printer reports it as an invalid header.
    return capLen > this.snapLen && capLen <= MAXIMUM_SNAPLEN ? this.snapLen : capLen;
  }

  /** A packet from CaptureReader.nextView(): printed from the read buffer, no copy or BigInt. */
  writeView(v: PacketView): void {
    // line()'s body, written out: this runs once per packet of a file.
    if (this.outputClosed) return;
    const lines = this.lines;
    appendPacketLineAt(v.buf, v.start, this.cut(v.capLen), v.origLen, v.linkType, v.tsSec, v.tsNsec, this.printOptions, this.state, lines, this.interfaceName);
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
