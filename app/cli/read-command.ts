/**
 * `sievecap -r FILE`: read a capture file, keep the packets the filter accepts (libpcap's
 * bpf_filter on the program libpcap compiles for the file's link type, as tcpdump does), and print
 * them or write them to another file.
 */
import { CaptureReader } from '../pcap/reader';
import { linkTypeToDlt } from '../pcap/linktype';
import { PcapWriter } from '../pcap/pcap-writer';
import { PcapngWriter } from '../pcap/pcapng-writer';
import { compileFilter } from '../capture/filter';
import { native, type ClassicInsn } from '../capture/native';
import { DEFAULT_SNAPLEN } from '../capture/live-capture';
import { outputFormat, type CliOptions } from './args';
import { TextSink, writeTarget, type PacketSink, type PacketToSink } from './sinks';
import { DissectSink, wantsDissection } from './dissect-sink';
import type { CliIo } from './io';
import { compileDisplayFilter, type DisplayFilter } from '../filter';
import { Dissector } from '../dissect/dissector';

export async function runReadFile(opts: CliOptions, io: CliIo): Promise<number> {
  const file = opts.readFile!;
  // tshark shows pcapng custom blocks as frames; tcpdump (and file copies) skip them.
  const reader = CaptureReader.open(file, { customBlocks: wantsDissection(opts) && opts.writeFile === undefined });
  try {
    return readAll(reader, opts, io);
  } finally {
    reader.close();
  }
}

function readAll(reader: CaptureReader, opts: CliOptions, io: CliIo): number {
  const file = reader.path;
  if (reader.info.format === null) {
    io.error(`sievecap: ${file}: ${reader.error?.message ?? 'not a capture file'}`);
    return 1;
  }
  const programs = new Map<number, ClassicInsn[]>();
  const programFor = (linkType: number, snapLen: number): ClassicInsn[] => {
    let program = programs.get(linkType);
    if (!program) {
      program = compileFilter({ filter: opts.filter, linkType: linkTypeToDlt(linkType), snapLen: snapLen || DEFAULT_SNAPLEN });
      programs.set(linkType, program);
    }
    return program;
  };
  // Compile for the first interface before anything is written: a bad filter writes nothing.
  if (opts.filter !== '' && reader.interfaces[0]) programFor(reader.interfaces[0].linkType, reader.interfaces[0].snapLen);

  // Display filter (-Y): compiled before anything is written, so a bad one writes nothing.
  const display = opts.displayFilter !== undefined ? new DisplayFilterStage(compileDisplayFilter(opts.displayFilter)) : undefined;
  const sink =
    opts.writeFile !== undefined
      ? new FileCopySink(opts, reader)
      : wantsDissection(opts)
        ? new DissectSink(io, opts)
        : new TextSink(io, opts, (i) => io.interfaceName(i));
  const pcapFilter = native().pcapFilter;
  let written = 0;
  let failure: Error | undefined;
  try {
    for (let p = reader.next(); p !== null; p = reader.next()) {
      if (opts.filter !== '') {
        if (p.customBlock) continue; // not a packet: no capture filter keeps it
        const iface = reader.interfaces[p.interfaceId];
        if (pcapFilter(programFor(p.linkType, iface?.snapLen ?? 0), p.data, p.origLen) === 0) continue;
      }
      if (display) {
        if (!display.passes(p, sink)) continue;
      } else sink.writePacket(p);
      if (opts.count !== undefined && ++written >= opts.count) break;
    }
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
    io.error(`sievecap: ${file}: ${reader.error.message}`);
    return 1;
  }
  return 0;
}

/**
 * -Y: every packet that passed the capture filter is dissected, in order (the dissector keeps
 * cross-packet state: TCP streams, fragments), as tshark does in one pass; only matching packets
 * reach the sink. tshark-style sinks get the packet already dissected, keeping its frame number.
 */
class DisplayFilterStage {
  private readonly dissector = new Dissector();
  private frameNumber = 0;

  constructor(private readonly filter: DisplayFilter) {}

  /** Dissects p, and hands it to the sink when it matches; says whether it did. */
  passes(p: PacketToSink, sink: PacketSink): boolean {
    const packet = this.dissector.dissect({
      number: ++this.frameNumber,
      tsNs: p.tsNs,
      data: p.data,
      origLen: p.origLen,
      linkType: p.linkType,
      flags: p.flags,
    });
    if (!this.filter.matches(packet, p.data)) return false;
    if (sink instanceof DissectSink) sink.writeDissected(packet);
    else sink.writePacket(p);
    return true;
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
