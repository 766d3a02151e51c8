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
import { linkTypeName, maxSnapLenForLinkType } from '../pcap/linktype';
import { CaptureFilter } from './capture-filter';
import { desegmentOf, outputFormat, type CliOptions } from './args';
import { gzipTarget } from './file-sink';
import { RotatingSink } from './rotation';
import { dissectorOptions } from './tshark/preferences';
import { precisionDigits } from '../engine/time-column';
import { TextSink, writeTarget, type PacketSink, type PacketToSink } from './sinks';
import type { CliIo } from './io';
import type { DisplayFilterSink } from './display-stage';

export async function runReadFile(opts: CliOptions, io: CliIo): Promise<number> {
  const file = opts.readFile!;
  const reporting = opts.statistics.length > 0;
  // Dissection (-V, -T, -Y, -z) needs the dissectors and display filters: tens of modules that plain
  // tcpdump-style printing does without, so they are loaded only then (start-up time).
  const readFilter = opts.tshark.readFilter;
  // tshark's -2 runs through the display stage (its two passes) even without a filter.
  const filtering = opts.displayFilter !== undefined || readFilter !== undefined || opts.tshark.twoPass;
  const dissect = opts.tree || opts.outputType !== undefined || filtering ? await import('./dissect-sink') : undefined;
  await dissect?.prepareDissectOutput(opts);
  const stages = filtering || reporting ? await import('./display-stage') : undefined;
  const reports = reporting ? (await import('./report-command')).createStatisticsReports(opts.statistics) : [];
  const tsharkStyle = (dissect?.wantsDissection(opts) ?? false) || reporting;
  // tshark shows pcapng custom blocks as frames; tcpdump (and file copies) skip them.
  const readerOptions = { customBlocks: tsharkStyle && (opts.writeFile === undefined || opts.tshark.printWhileWriting) };
  // `-r -`: standard input, as tcpdump reads it (a pipe: pcap, pcapng, or either gzip-compressed).
  const reader = file === '-' ? CaptureReader.fromStream(0, '-', readerOptions) : CaptureReader.open(file, readerOptions);
  if (opts.direction !== 'inout') io.error(`sievecap: -Q ${opts.direction} has no effect on a file (tcpdump ignores it too): every packet is read`);
  try {
    if (reader.info.format === null) {
      // The reader's error names the file already.
      io.error(`sievecap: ${reader.error?.message ?? `${file}: not a capture file`}`);
      return 1;
    }
    // tcpdump's first line on stderr (tshark-style output and reports print none, as tshark).
    if (!tsharkStyle) io.error(readingFromLine(file, reader));
    // tshark's frame tree names a pcapng file's interface (a pcap file has none to name).
    const interfaceOf = reader.info.format === 'pcapng' ? (id: number) => {
      const i = reader.interfaces[id];
      return i && { section: i.section, id: i.idInSection, name: i.name, description: i.description };
    } : undefined;
    // Compiled before anything is written, so a bad filter writes nothing.
    const capture = opts.filter === '' ? undefined : new CaptureFilter(opts.filter, reader, BATCH_CAPACITY);
    // tshark's Time column shows each packet's time stamps at the precision of its interface.
    const precisionOf = (id: number): number => precisionDigits(reader.interfaces[id]?.tsresol);
    const printer = (): PacketSink => new dissect!.DissectSink(io, opts, 1, precisionOf, interfaceOf);
    // -w, rotated with -C / -G.
    const fileCopy = (): PacketSink =>
      opts.rotation !== undefined
        ? new RotatingSink(opts.writeFile!, opts.rotation, 'pcapng', {
            open: (name) => new FileCopySink(opts, reader, name),
            onLimit: (message) => io.error(message),
            warn: (message) => io.error(`sievecap: ${message}`),
          })
        : new FileCopySink(opts, reader, opts.writeFile!);
    let sink: PacketSink =
      reporting && stages
        ? new stages.ReportSink(reports, 1, desegmentOf(opts))
        : opts.writeFile !== undefined
          ? opts.tshark.printWhileWriting && dissect !== undefined
            ? new dissect.TeeSink(fileCopy(), printer() as InstanceType<typeof dissect.DissectSink>)
            : fileCopy()
          : dissect !== undefined && tsharkStyle
            ? printer()
            : new TextSink(io, opts, (i) => io.interfaceName(i), undefined, () => reader.interfaces[0]?.snapLen);
    let display: DisplayFilterSink | undefined;
    if (filtering && stages) {
      // Compiled before anything is written, so a bad one writes nothing.
      const { compileDisplayFilter } = await import('../filter');
      const compiled = opts.displayFilter === undefined ? undefined : compileDisplayFilter(opts.displayFilter);
      const compiledRead = readFilter === undefined ? undefined : compileDisplayFilter(readFilter);
      const twoPass = opts.tshark.twoPass ? { copies: file === '-' } : undefined;
      sink = display = new stages.DisplayFilterSink(compiled, sink, 1, dissectorOptions(opts), compiledRead, interfaceOf, twoPass);
    }
    if (display?.firstPass) {
      // tshark's -2: a first pass over the file (standard input: over this reader, keeping copies
      // that the second pass replays), then the second over `reader`, which prints.
      const status = firstPass(file === '-' ? reader : CaptureReader.open(file, readerOptions), opts, io, capture, display, file !== '-');
      if (status !== 0) return status;
      if (file !== '-') display.beginSecondPass();
    }
    const status = display?.firstPass ? readAll(null, opts, io, capture, display, sink, reader) : readAll(reader, opts, io, capture, display, sink);
    if (reporting) (await import('./report-command')).printReports(reports, opts, io);
    return status;
  } finally {
    reader.close();
  }
}

/** tcpdump's "reading from file F, link-type EN10MB (Ethernet), snapshot length 65535". */
export function readingFromLine(file: string, reader: CaptureReader): string {
  const first = reader.interfaces[0];
  if (first === undefined) return `reading from file ${file}`;
  // libpcap's pcap_snapshot(): the file's snap length, unless it is 0 (or negative as a C int):
  // then the link type's maximum.
  const snap = first.snapLen === 0 || first.snapLen > 0x7fffffff ? maxSnapLenForLinkType(first.linkType) : first.snapLen;
  return `reading from file ${file}, link-type ${linkTypeName(first.linkType)}, snapshot length ${snap}`;
}

/** Packets filtered per native call (fewer where a batch ends at the end of the read buffer). */
const BATCH_CAPACITY = 1024;

/**
 * -2's first pass: every packet (that the capture filter keeps) goes to the display stage, which
 * learns from it and passes nothing on. A failure to read is not reported here: the second pass
 * meets it again (standard input: readAll reports it after the replay). `close`: the reader was
 * opened for this pass.
 */
function firstPass(reader: CaptureReader, opts: CliOptions, io: CliIo, capture: CaptureFilter | undefined, display: DisplayFilterSink, close: boolean): number {
  try {
    if (capture) passFilteredPackets(reader, opts, capture, display, display);
    else passPackets(reader, opts, display, display);
  } catch (err) {
    io.error(`sievecap: ${(err as Error).message}`);
    return 1;
  } finally {
    if (close) reader.close();
  }
  return 0;
}

/**
 * Reads every packet (`reader` null: -2's second pass over standard input, which the display
 * stage replays from its copies) and reports a failure to read or write, naming it, after the
 * packets before it went out. `damaged`: the reader whose error to report.
 */
function readAll(reader: CaptureReader | null, opts: CliOptions, io: CliIo, capture: CaptureFilter | undefined, display: DisplayFilterSink | undefined, sink: PacketSink, damaged: CaptureReader | null = reader): number {
  let failure: Error | undefined;
  try {
    // Reports that only count address pairs take packets in place too (ReportSink.takesViews).
    const inPlace = sink instanceof TextSink || (sink as { takesViews?: boolean }).takesViews === true;
    if (reader === null) {
      // -2 on standard input: the second pass replays the first pass's copies.
      display!.beginSecondPass();
    } else if (inPlace && display === undefined) {
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
  if (damaged?.error) {
    // Everything before the damage has been printed or written; say where and what.
    io.error(`sievecap: ${damaged.error.message}`);
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

/**
 * Every other sink (files, tshark-style output, -Y) takes whole packets. -c counts the packets
 * read, shown or not, as tshark's -c does with -Y on a file.
 */
function passPackets(reader: CaptureReader, opts: CliOptions, display: DisplayFilterSink | undefined, sink: PacketSink): void {
  let read = 0;
  for (let p = reader.next(); p !== null; p = reader.next()) {
    offer(p, display, sink);
    if (opts.count !== undefined && ++read >= opts.count) break;
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
      offer(batch.packet(i), display, sink);
      written++;
    }
    if (judged < n) throw capture.failure!;
  }
}

/** Hands a packet the capture filter kept on (to -Y's display filter stage first, when there is one). */
function offer(p: CapturePacket, display: DisplayFilterSink | undefined, sink: PacketSink): void {
  // -Y: the stage dissects every packet (in order: cross-packet state) and passes on the matches.
  if (display) display.offer(p);
  else sink.writePacket(p);
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

  constructor(private readonly opts: CliOptions, private readonly reader: CaptureReader, private readonly file: string) {
    this.format = outputFormat(opts);
  }

  private target() {
    return writeTarget(this.file);
  }

  /** Bytes written and buffered (-C's rotation looks at it). */
  size(): number {
    return this.pcap?.out.size ?? this.pcapng?.out.size ?? 0;
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
        gzip: gzipTarget(this.file),
      });
      if (p.linkType !== this.pcap.linkType) {
        throw new Error(
          `packet ${this.reader.path}#${p.interfaceId} has link type ${p.linkType} but the pcap file holds ${this.pcap.linkType}; a pcap file has one link type: write pcapng instead`,
        );
      }
      this.pcap.writePacket(p);
      return;
    }
    this.pcapng ??= new PcapngWriter(this.target(), { gzip: gzipTarget(this.file) });
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
        this.pcap = new PcapWriter(this.target(), { linkType: first?.linkType ?? 1, snapLen: first?.snapLen || DEFAULT_SNAPLEN, gzip: gzipTarget(this.file) });
      } else {
        this.pcapng = new PcapngWriter(this.target(), { gzip: gzipTarget(this.file) });
        for (const i of this.reader.interfaces) this.pcapng.addInterface({ linkType: i.linkType, snapLen: i.snapLen, name: i.name });
      }
    }
    this.pcap?.close();
    this.pcapng?.close();
  }
}
