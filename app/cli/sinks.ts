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
import { formatPacketLine, PrintState } from './print/index';
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

/** One line per packet, as tcpdump prints it. Lines of a batch are written together. */
export class TextSink implements PacketSink {
  private readonly state = new PrintState();
  private pending: string[] = [];

  constructor(
    private readonly io: CliIo,
    private readonly opts: Pick<CliOptions, 'numeric' | 'quiet' | 'linkHeader' | 'timestamp' | 'verbose'>,
    private readonly interfaceName: (ifindex: number) => string | undefined,
    /** Link type of live batches. */
    private readonly linkType = 1,
  ) {}

  private line(tsNs: bigint, data: Buffer, origLen: number, linkType: number, flags: number): void {
    this.pending.push(
      formatPacketLine(
        { tsNs, data, origLen, linkType, flags, interfaceName: this.interfaceName },
        {
          numeric: this.opts.numeric,
          quick: this.opts.quiet,
          linkHeader: this.opts.linkHeader,
          timestamp: this.opts.timestamp,
          verbose: this.opts.verbose,
        },
        this.state,
      ),
    );
  }

  writeBatch(batch: Buffer, _count: number, format: RecordFormat): void {
    if (format === 'pcapng') {
      forEachEpb(batch, (high, low, capLen, origLen, flags, at) =>
        this.line(tsNsFromParts(high, low), batch.subarray(at, at + capLen), origLen, this.linkType, flags),
      );
    } else {
      forEachPcapRecord(batch, (sec, nsec, capLen, origLen, at) =>
        this.line(BigInt(sec) * 1_000_000_000n + BigInt(nsec), batch.subarray(at, at + capLen), origLen, this.linkType, 0),
      );
    }
    this.flushLines();
  }

  writePacket(p: PacketToSink): void {
    this.line(p.tsNs, p.data, p.origLen, p.linkType, p.flags);
    if (this.pending.length >= 256) this.flushLines();
  }

  private flushLines(): void {
    if (this.pending.length === 0) return;
    this.io.out(this.pending.join('\n') + '\n');
    this.pending = [];
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

function target(file: string): WriteTarget {
  return file === '-' ? { fd: 1, name: 'standard output', closeFd: false } : file;
}

/** A live capture's file: one interface, batches written verbatim. */
export function openFileSink(file: string, o: FileSinkOptions): PacketSink {
  if (o.format === 'pcap') {
    const w = new PcapWriter(target(file), { linkType: o.linkType, snapLen: o.snapLen, nanosecond: o.nanosecond });
    return {
      writeBatch: (batch) => void w.writeRecords(batch),
      writePacket: (p) => w.writePacket(p),
      close: () => w.close(),
    };
  }
  const w = new PcapngWriter(target(file), {
    interfaces: [{ linkType: o.linkType, snapLen: o.snapLen, name: o.interfaceName, filter: o.filter || undefined }],
  });
  return {
    writeBatch: (batch, count) => void w.writeBlocks(batch, 0, count),
    writePacket: (p) => w.writePacket({ interfaceId: p.interfaceId, tsNs: p.tsNs, data: p.data, origLen: p.origLen, flags: p.flags || undefined }),
    close: () => w.close(),
  };
}
