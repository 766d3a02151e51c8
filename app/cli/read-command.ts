/**
 * `sievecap -r FILE`: read a capture file, keep the packets the filter accepts (libpcap's
 * bpf_filter on the program libpcap compiles for the file's link type, as tcpdump does), and print
 * them or write them to another file.
 */
import { CaptureReader } from '../pcap/reader';
import type { PacketView } from '../pcap/packet';
import { linkTypeToDlt } from '../pcap/linktype';
import { PcapWriter } from '../pcap/pcap-writer';
import { PcapngWriter } from '../pcap/pcapng-writer';
import { compileFilter } from '../capture/filter';
import { native, type ClassicInsn } from '../capture/native';
import { DEFAULT_SNAPLEN } from '../capture/snaplen';
import { outputFormat, type CliOptions } from './args';
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
  const reader = CaptureReader.open(file, { customBlocks: tsharkStyle && opts.writeFile === undefined });
  try {
    if (reader.info.format === null) {
      io.error(`sievecap: ${file}: ${reader.error?.message ?? 'not a capture file'}`);
      return 1;
    }
    const capture = new CaptureFilter(opts.filter, reader);
    let sink: PacketSink =
      reporting && stages
        ? new stages.ReportSink(reports)
        : opts.writeFile !== undefined
          ? new FileCopySink(opts, reader)
          : dissect !== undefined && tsharkStyle
            ? new dissect.DissectSink(io, opts)
            : new TextSink(io, opts, (i) => io.interfaceName(i));
    let display: DisplayFilterSink | undefined;
    if (opts.displayFilter !== undefined && stages) {
      // Compiled before anything is written, so a bad one writes nothing.
      const { compileDisplayFilter } = await import('../filter');
      sink = display = new stages.DisplayFilterSink(compileDisplayFilter(opts.displayFilter), sink);
    }
    const status = readAll(reader, opts, io, capture, display, sink);
    if (reporting) (await import('./report-command')).printReports(reports, opts, io);
    return status;
  } finally {
    reader.close();
  }
}

/** The capture filter (libpcap's bpf_filter on what it compiles for each link type, as tcpdump does). */
class CaptureFilter {
  readonly active: boolean;
  private readonly programs = new Map<number, ClassicInsn[]>();
  private readonly pcapFilter: ReturnType<typeof native>['pcapFilter'] | undefined;

  constructor(private readonly expression: string, private readonly reader: CaptureReader) {
    this.active = expression !== '';
    if (this.active) this.pcapFilter = native().pcapFilter;
    // Compile for the first interface before anything is written: a bad filter writes nothing.
    const first = reader.interfaces[0];
    if (this.active && first) this.program(first.linkType, first.snapLen);
  }

  private program(linkType: number, snapLen: number): ClassicInsn[] {
    let program = this.programs.get(linkType);
    if (!program) {
      program = compileFilter({ filter: this.expression, linkType: linkTypeToDlt(linkType), snapLen: snapLen || DEFAULT_SNAPLEN });
      this.programs.set(linkType, program);
    }
    return program;
  }

  /** Does the filter keep this packet? (Pcapng custom blocks are not packets: never.) */
  keeps(data: Buffer, origLen: number, linkType: number, interfaceId: number, customBlock: boolean): boolean {
    if (customBlock) return false;
    const iface = this.reader.interfaces[interfaceId];
    return this.pcapFilter!(this.program(linkType, iface?.snapLen ?? 0), data, origLen) !== 0;
  }
}

function readAll(reader: CaptureReader, opts: CliOptions, io: CliIo, capture: CaptureFilter, display: DisplayFilterSink | undefined, sink: PacketSink): number {
  let failure: Error | undefined;
  try {
    // Reports that only count address pairs take packets in place too (ReportSink.takesViews).
    const inPlace = sink instanceof TextSink || (sink as { takesViews?: boolean }).takesViews === true;
    if (inPlace && display === undefined) printLines(reader, opts, capture, sink as ViewSink);
    else passPackets(reader, opts, capture, display, sink);
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

function printLines(reader: CaptureReader, opts: CliOptions, capture: CaptureFilter, sink: ViewSink): void {
  const limit = opts.count ?? Infinity;
  let written = 0;
  // The count is checked before reading on: after the last packet asked for, nothing more is read
  // (so damage further on is not reported, as with passPackets).
  for (let v = written < limit ? reader.nextView() : null; v !== null; v = written < limit ? reader.nextView() : null) {
    if (capture.active && !capture.keeps(v.buf.subarray(v.start, v.start + v.capLen), v.origLen, v.linkType, v.interfaceId, v.customBlock !== undefined)) continue;
    sink.writeView(v);
    written++;
  }
}

/** Every other sink (files, tshark-style output, -Y) takes whole packets. */
function passPackets(reader: CaptureReader, opts: CliOptions, capture: CaptureFilter, display: DisplayFilterSink | undefined, sink: PacketSink): void {
  let written = 0;
  for (let p = reader.next(); p !== null; p = reader.next()) {
    if (capture.active && !capture.keeps(p.data, p.origLen, p.linkType, p.interfaceId, p.customBlock !== undefined)) continue;
    // -Y: the stage dissects every packet (in order: cross-packet state) and passes on the matches.
    if (display) {
      if (!display.offer(p)) continue;
    } else sink.writePacket(p);
    if (opts.count !== undefined && ++written >= opts.count) break;
  }
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
