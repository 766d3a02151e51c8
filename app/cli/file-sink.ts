/**
 * A live capture's file (`-w FILE`): batches are written as the native reader built them, without
 * being unpacked. Kept apart from the printing sinks (sinks.ts) so that a capture to a file loads
 * no printer.
 */
import { PcapWriter } from '../pcap/pcap-writer';
import { PcapngWriter } from '../pcap/pcapng-writer';
import type { WriteTarget } from '../pcap/fd-writer';
import type { RecordFormat } from '../capture/batch';
import type { PacketSink } from './sinks';

/** Where `-w FILE` writes: a path, or standard output for '-'. */
export function writeTarget(file: string): WriteTarget {
  return file === '-' ? { fd: 1, name: 'standard output', closeFd: false } : file;
}

/** `-w x.pcap.gz` / `x.pcapng.gz`: a name ending in .gz is written gzip-compressed, as it says. */
export function gzipTarget(file: string): boolean {
  return file !== '-' && /\.gz$/i.test(file);
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
  /** Bytes written and buffered so far (uncompressed). */
  size(): number;
}

/** A live capture's file: batches written verbatim (pcapng: one interface block per interface). */
export function openFileSink(file: string, o: FileSinkOptions): FileSink {
  const timing = { maxDelayMs: o.maxDelayMs, packetBuffered: o.packetBuffered, onBackgroundError: o.onBackgroundError, gzip: gzipTarget(file) };
  if (o.format !== 'pcapng') {
    const micro = o.format === 'pcap-us';
    if (o.interfaces.length !== 1) throw new Error('a pcap file holds one interface; write several interfaces to pcapng');
    const w = new PcapWriter(writeTarget(file), { linkType: o.interfaces[0]!.linkType, snapLen: o.snapLen, nanosecond: o.nanosecond, ...timing });
    return {
      writeBatch: (batch) => void w.writeRecords(batch, micro),
      writeInterfaceBatch: (_id, batch) => void w.writeRecords(batch, micro),
      writePacket: (p) => w.writePacket(p),
      close: () => w.close(),
      size: () => w.out.size,
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
    size: () => w.out.size,
  };
}
