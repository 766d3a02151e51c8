/**
 * `sievecap -r FILE`: read a capture file, keep the packets the filter accepts (libpcap's
 * bpf_filter on the program libpcap compiles for the file's link type, as tcpdump does, run over
 * a batch of packets at a time), and print them or write them to another file.
 */
import { CaptureReader } from '../pcap/reader';
import type { CapturePacket, PacketView } from '../pcap/packet';
import { PacketBatch } from '../pcap/packet-batch';
import { PcapWriter } from '../pcap/pcap-writer';
import { PcapngWriter } from '../pcap/pcapng-writer';
import { DEFAULT_SNAPLEN } from '../capture/snaplen';
import { CaptureFilter } from './capture-filter';
import { desegmentOf, outputFormat, type CliOptions } from './args';
import { TextSink, writeTarget, type PacketSink, type PacketToSink } from './sinks';
import type { CliIo } from './io';
import type { DisplayFilterSink } from './display-stage';

export async function runReadFile(opts: CliOptions, io: CliIo): Promise<number> {
  const file = opts.readFile!;
  const reporting = opts.statistics.length > 0;
  // Dissection (-V, -T, -Y, -z) needs the dissectors and display filters: tens of modules that plain
  // tcpdump-style printing does without, so they are loaded only then (start-up time).
  const dissect = opts.tree || opts.outputType !== undefined || opts.displayFilter !== undefined ? await import('./dissect-sink') : undefined;
  const stages = opts.displayFilter !== undefined || reporting ? await import('./display-stage') : undefined;
  const reports = reporting ? (await import('./report-command')).createStatisticsReports(opts.statistics) : [];
  const tsharkStyle = (dissect?.wantsDissection(opts) ?? false) || reporting;
  // tshark shows pcapng custom blocks as frames; tcpdump (and file copies) skip them.
  const readerOptions = { customBlocks: tsharkStyle && opts.writeFile === undefined };
  // `-r -`: standard input, as tcpdump reads it (a pipe: pcap, pcapng, or either gzip-compressed).
  const reader = file === '-' ? CaptureReader.fromStream(0, '-', readerOptions) : CaptureReader.open(file, readerOptions);
  if (opts.direction !== 'inout') io.error(`sievecap: -Q ${opts.direction} has no effect on a file (tcpdump ignores it too): every packet is read`);
  try {
    if (reader.info.format === null) {
      io.error(`sievecap: ${file}: ${reader.error?.message ?? 'not a capture file'}`);
      return 1;
    }
    // tshark's frame tree names a pcapng file's interface (a pcap file has none to name).
    const interfaceOf = reader.info.format === 'pcapng' ? (id: number) => {
      const i = reader.interfaces[id];
      return i && { section: i.section, id: i.idInSection, name: i.name, description: i.description };
    } : undefined;
    // Compiled before anything is written, so a bad filter writes nothing.
    const capture = opts.filter === '' ? undefined : new CaptureFilter(opts.filter, reader, BATCH_CAPACITY);
    let sink: PacketSink =
      reporting && stages
        ? new stages.ReportSink(reports)
        : opts.writeFile !== undefined
          ? new FileCopySink(opts, reader)
          : dissect !== undefined && tsharkStyle
            ? new dissect.DissectSink(io, opts, 1, interfaceOf)
            : new TextSink(io, opts, (i) => io.interfaceName(i), undefined, () => reader.interfaces[0]?.snapLen);
    let display: DisplayFilterSink | undefined;
    if (opts.displayFilter !== undefined && stages) {
      // Compiled before anything is written, so a bad one writes nothing.
      const { compileDisplayFilter } = await import('../filter');
      sink = display = new stages.DisplayFilterSink(compileDisplayFilter(opts.displayFilter), sink, 1, desegmentOf(opts), interfaceOf);
    }
    const status = readAll(reader, opts, io, capture, display, sink);
    if (reporting) (await import('./report-command')).printReports(reports, opts, io);
    return status;
  } finally {
    reader.close();
  }
}

/** Packets filtered per native call (fewer where a batch ends at the end of the read buffer). */
const BATCH_CAPACITY = 1024;

function readAll(reader: CaptureReader, opts: CliOptions, io: CliIo, capture: CaptureFilter | undefined, display: DisplayFilterSink | undefined, sink: PacketSink): number {
  let failure: Error | undefined;
  try {
    // Reports that only count address pairs take packets in place too (ReportSink.takesViews).
    const inPlace = sink instanceof TextSink || (sink as { takesViews?: boolean }).takesViews === true;
    if (inPlace && display === undefined) {
      if (capture) printFilteredLines(reader, opts, capture, sink as ViewSink);
      else printLines(reader, opts, sink as ViewSink);
    } else if (capture) passFilteredPackets(reader, opts, capture, display, sink);
    else passPackets(reader, opts, display, sink);
  } catch (err) {
    failure = err as Error;
  } finally {
    try {
      sink.close();
    } catch (err) {
      failure ??= err as Error;
    }
  }
  if (failure) {
    io.error(`sievecap: ${failure.message}`);
    return 1;
  }
  if (reader.error) {
    // Everything before the damage has been printed or written; say where and what.
    io.error(`sievecap: ${reader.error.message}`);
    return 1;
  }
  return 0;
}

/**
 * tcpdump-style lines, the path a million-packet file takes: packets are printed where they lie
 * in the reader's buffer (PacketView), with no per-packet object, Buffer view or BigInt.
 */
interface ViewSink {
  writeView(v: PacketView): void;
}

function printLines(reader: CaptureReader, opts: CliOptions, sink: ViewSink): void {
  const limit = opts.count ?? Infinity;
  let written = 0;
  // The count is checked before reading on: after the last packet asked for, nothing more is read
  // (so damage further on is not reported, as with passPackets).
  for (let v = written < limit ? reader.nextView() : null; v !== null; v = written < limit ? reader.nextView() : null) {
    sink.writeView(v);
    written++;
  }
}

/**
 * printLines with a capture filter: a batch of packets is read, filtered in one native call, and
 * the kept ones are printed in place, in order. A batch holds no more packets than -c still asks
 * for, so nothing past the last packet asked for is read (each packet read is printed at most once).
 */
function printFilteredLines(reader: CaptureReader, opts: CliOptions, capture: CaptureFilter, sink: ViewSink): void {
  const limit = opts.count ?? Infinity;
  const batch = new PacketBatch(BATCH_CAPACITY);
  const view = emptyView();
  const verdicts = capture.verdicts;
  let written = 0;
  while (written < limit) {
    const n = reader.nextBatch(batch, Math.min(BATCH_CAPACITY, limit - written));
    if (n === 0) break;
    const judged = capture.judge(batch);
    // A capture filter often keeps few packets: find them with indexOf rather than a loop.
    for (let i = verdicts.indexOf(1); i !== -1 && i < judged; i = verdicts.indexOf(1, i + 1)) {
      sink.writeView(batch.view(i, view));
      written++;
    }
    if (judged < n) throw capture.failure!;
  }
}

/** Every other sink (files, tshark-style output, -Y) takes whole packets. */
function passPackets(reader: CaptureReader, opts: CliOptions, display: DisplayFilterSink | undefined, sink: PacketSink): void {
  let written = 0;
  for (let p = reader.next(); p !== null; p = reader.next()) {
    if (offer(p, display, sink) && opts.count !== undefined && ++written >= opts.count) break;
  }
}

/** passPackets with a capture filter, a batch at a time as in printFilteredLines. */
function passFilteredPackets(reader: CaptureReader, opts: CliOptions, capture: CaptureFilter, display: DisplayFilterSink | undefined, sink: PacketSink): void {
  const limit = opts.count ?? Infinity;
  const batch = new PacketBatch(BATCH_CAPACITY);
  const verdicts = capture.verdicts;
  let written = 0;
  while (written < limit) {
    const n = reader.nextBatch(batch, Math.min(BATCH_CAPACITY, limit - written));
    if (n === 0) break;
    const judged = capture.judge(batch);
    for (let i = verdicts.indexOf(1); i !== -1 && i < judged; i = verdicts.indexOf(1, i + 1)) {
      if (offer(batch.packet(i), display, sink)) written++;
    }
    if (judged < n) throw capture.failure!;
  }
}

/** Hands a packet the capture filter kept on; false when -Y's display filter drops it (-c counts the others). */
function offer(p: CapturePacket, display: DisplayFilterSink | undefined, sink: PacketSink): boolean {
  // -Y: the stage dissects every packet (in order: cross-packet state) and passes on the matches.
  if (display) return display.offer(p);
  sink.writePacket(p);
  return true;
}

function emptyView(): PacketView {
  return { buf: Buffer.alloc(0), start: 0, offset: 0, capLen: 0, origLen: 0, tsSec: 0, tsNsec: 0, linkType: -1, interfaceId: 0, flags: 0 };
}

/** -r with -w: packets are copied; pcapng keeps one interface per input interface. */
class FileCopySink implements PacketSink {
  private pcap: PcapWriter | undefined;
  private pcapng: PcapngWriter | undefined;
  private readonly idMap = new Map<number, number>();
  private readonly format: 'pcap' | 'pcapng';

  constructor(private readonly opts: CliOptions, private readonly reader: CaptureReader) {
    this.format = outputFormat(opts);
  }

  private target() {
    return writeTarget(this.opts.writeFile!);
  }

  writeBatch(): void {
    throw new Error('FileCopySink takes packets one by one');
  }

  writePacket(p: PacketToSink): void {
    const iface = this.reader.interfaces[p.interfaceId];
    if (this.format === 'pcap') {
      this.pcap ??= new PcapWriter(this.target(), {
        linkType: p.linkType,
        snapLen: iface?.snapLen || DEFAULT_SNAPLEN,
        nanosecond: this.opts.nanoPrecision || this.reader.info.nanosecond,
      });
      if (p.linkType !== this.pcap.linkType) {
        throw new Error(
          `packet ${this.reader.path}#${p.interfaceId} has link type ${p.linkType} but the pcap file holds ${this.pcap.linkType}; a pcap file has one link type: write pcapng instead`,
        );
      }
      this.pcap.writePacket(p);
      return;
    }
    this.pcapng ??= new PcapngWriter(this.target());
    let id = this.idMap.get(p.interfaceId);
    if (id === undefined) {
      id = this.pcapng.addInterface({
        linkType: p.linkType,
        snapLen: iface?.snapLen ?? DEFAULT_SNAPLEN,
        name: iface?.name,
        description: iface?.description,
        filter: this.opts.filter || iface?.filter,
      });
      this.idMap.set(p.interfaceId, id);
    }
    this.pcapng.writePacket({ interfaceId: id, tsNs: p.tsNs, data: p.data, origLen: p.origLen, flags: p.flags || undefined });
  }

  close(): void {
    if (!this.pcap && !this.pcapng) {
      // No packet passed: still leave a valid, empty file, as tcpdump does.
      if (this.format === 'pcap') {
        const first = this.reader.interfaces[0];
        this.pcap = new PcapWriter(this.target(), { linkType: first?.linkType ?? 1, snapLen: first?.snapLen || DEFAULT_SNAPLEN });
      } else {
        this.pcapng = new PcapngWriter(this.target());
        for (const i of this.reader.interfaces) this.pcapng.addInterface({ linkType: i.linkType, snapLen: i.snapLen, name: i.name });
      }
    }
    this.pcap?.close();
    this.pcapng?.close();
  }
}
