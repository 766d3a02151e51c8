/**
 * tshark-style output (-V, -T text|fields|json|jsonraw|ek|pdml|psml|tabs): every packet goes
 * through the dissectors, then is printed as a tree, a summary line, selected fields, JSON or XML.
 * Used for files and live captures. Only the tree outputs (-V, json, jsonraw, ek, pdml) build trees;
 * summary lines and -T fields build just the fields they print.
 */
import { Dissector } from '../dissect/dissector';
import type { DissectOptions, FrameInterface } from '../dissect/model';
import type { RecordFormat } from '../capture/batch';
import { fieldsLine } from './tshark/fields';
import { formatTree, writeTree } from './tshark/tree';
import { packetJson, writePacketJson } from './tshark/json';
import { ByteOut } from './byte-out';
import { summaryColumns, summaryLine } from './tshark/summary';
import { invalidFieldsMessage, tabsLine } from './tshark/formats';
import { packetHexDump } from './tshark/hex-dump';
import { ekPacket } from './tshark/ek';
import { pdmlPacket, pdmlPreamble, PDML_FINALE, psmlPacket, psmlPreamble, PSML_FINALE } from './tshark/pdml';
import { packetDate, rawJsonPacket } from './tshark/raw-json';
import { selectedFieldsJson } from './tshark/selected-fields';
import { loadGlossary } from '../filter/glossary';
import { fieldKind } from '../filter/fields';
import { TimeColumn } from '../engine/time-column';
import { SummaryNames } from '../dissect/names';
import { dissectorOptions, nameResolutionOf } from './tshark/preferences';
import type { CliOptions } from './args';
import type { CliIo } from './io';
import { forEachBatchPacket, type PacketSink, type PacketToSink } from './sinks';

export { wantsDissection } from './args';

/** The fields a summary line prints besides the summary columns (the Time column's). */
const SUMMARY_FIELDS: readonly string[] = ['frame.time_relative', 'frame.time_delta'];

type Dissected = ReturnType<Dissector['dissect']>;

/** A frame field's value (a bigint for times), or 0n when the dissection did not make it. */
function frameTime(packet: Dissected, abbrev: string): bigint {
  const value = packet.layers[0]?.fields.find((f) => f.abbrev === abbrev)?.value;
  return typeof value === 'bigint' ? value : 0n;
}

/** Loads what the output needs before packets flow: the field glossary for -T pdml, ek, jsonraw and json -x (types, bitmasks). */
export async function prepareDissectOutput(opts: Pick<CliOptions, 'outputType' | 'tsharkFormats'>): Promise<void> {
  if (opts.outputType === 'pdml' || opts.outputType === 'ek' || opts.outputType === 'jsonraw' || (opts.outputType === 'json' && opts.tsharkFormats.hexDump)) await loadGlossary();
}

export class DissectSink implements PacketSink {
  private readonly dissector: Dissector;
  private number = 0;
  private pending: string[] = [];
  private readonly format: (text: string[], packet: Dissected, p: PacketToSink) => void;
  /** A format that writes its bytes itself (-T json), instead of `format`'s strings. */
  private readonly formatBytes: ((out: ByteOut, packet: Dissected, p: PacketToSink) => void) | undefined;
  /** Output waiting to be written: formatBytes's, and the strings of `pending` when flushed. */
  private readonly bytes = new ByteOut();
  /** Entries that carry their own separators (JSON, XML) rather than one line each. */
  private readonly delimited: boolean;
  /** Written before the first entry and at the end (JSON's brackets, XML's preamble and closing tag). */
  private preamble: string;
  private readonly finale: (packets: number) => string;
  /** What this sink reads of a packet (see DissectedPacketSink.reads). */
  readonly reads: { fields: readonly string[]; columns: boolean } | 'tree';
  /** -T json prints field names and values, not the labels of named fields: they are not made. */
  treeOptions: DissectOptions | undefined;
  private readonly dissectOptions: DissectOptions | undefined;

  constructor(
    private readonly io: CliIo,
    opts: CliOptions,
    private readonly liveLinkType = 1,
    /** Digits of a packet's time stamps by its interface (time-column.ts precisionDigits); live: 9. */
    private readonly precisionOf: (interfaceId: number) => number = () => 9,
    /** The pcapng interface of a packet read from a file (the frame tree names it). */
    private readonly interfaceOf?: (interfaceId: number) => FrameInterface | undefined,
  ) {
    const formats = opts.tsharkFormats;
    const filter = formats.protocolFilter;
    const tree = (p: Dissected) => formatTree(p, !formats.hexDump, false);
    // tshark's -S: the line after each packet's tree or bytes (a blank one by default).
    const separator = opts.tshark?.separator ?? '';
    this.delimited = false;
    this.preamble = '';
    this.finale = () => '';
    // tshark refuses -e names it does not know before reading anything (exit 1).
    const invalid = invalidFieldsMessage(opts.fields, (f) => fieldKind(f) !== undefined);
    if (invalid !== undefined) throw new Error(invalid);
    // The summary columns' names (-T fields' _ws.col.*, psml, tabs), as tshark's summary lines show
    // them: MAC, host and port names per -N (tshark's default: MAC names), ARP packets' bindings in order.
    const names = new SummaryNames(nameResolutionOf(opts));
    const named = (packet: Dissected, p: PacketToSink): Dissected => {
      if (names.resolution.mac && names.resolution.network) names.learnArp(p.data, p.linkType);
      if (names.any) {
        packet.summary.source = names.address(packet.summary.source);
        packet.summary.destination = names.address(packet.summary.destination);
      }
      return packet;
    };
    // -T json, ek or pdml with -e: only the fields named.
    const selected = opts.fields.length > 0 && opts.outputType !== 'fields' ? { names: opts.fields, occurrence: opts.fieldOccurrence } : undefined;
    if (opts.outputType === 'fields') {
      const layout = { separator: opts.fieldSeparator, aggregator: opts.fieldAggregator, occurrence: opts.fieldOccurrence, quote: formats.fieldQuote };
      if (formats.fieldBom) this.preamble = '\uFEFF';
      if (opts.fieldHeader) this.pending.push(opts.fields.join(opts.fieldSeparator));
      this.format = (out, packet, p) => out.push(fieldsLine(named(packet, p), opts.fields, layout));
      // _ws.col.* names are summary columns. A protocol's name (`-e udp`) or _ws.expert prints a
      // title or label, which only a tree builds.
      this.reads = opts.fields.some((f) => !f.includes('.') || f === '_ws.expert')
        ? 'tree'
        : { fields: opts.fields, columns: opts.fields.some((f) => f.startsWith('_ws.col.')) };
    } else if (opts.outputType === 'json' || opts.outputType === 'jsonraw') {
      const raw = opts.outputType === 'jsonraw';
      this.delimited = true;
      this.preamble = '[';
      const json = (p: Dissected, frame: Buffer) =>
        selected ? selectedFieldsJson(p, selected.names, selected.occurrence, packetDate(p)) : raw || formats.hexDump ? rawJsonPacket(p, frame, filter, !raw) : packetJson(p, undefined, undefined, filter);
      this.format = (out, p, { data: frame }) => out.push((this.number > 1 ? ',\n' : '\n') + json(p, frame));
      this.finale = (n) => (n > 0 ? '\n]\n' : ']\n');
      this.reads = selected ? { fields: [...selected.names, 'frame.time_epoch'], columns: false } : 'tree';
      if (!selected && !raw && !formats.hexDump) {
        this.treeOptions = { labels: false };
        this.formatBytes = (out, p) => {
          out.text(this.number > 1 ? ',\n' : '\n');
          writePacketJson(out, p, undefined, undefined, filter);
        };
      }
    } else if (opts.outputType === 'ek') {
      this.delimited = true;
      this.format = (out, p, { data: frame }) => out.push(ekPacket(p, frame, filter, formats.hexDump, selected));
      this.reads = selected ? { fields: [...selected.names, 'frame.time_epoch'], columns: false } : 'tree';
    } else if (opts.outputType === 'pdml') {
      this.delimited = true;
      this.preamble = pdmlPreamble(opts.readFile === undefined ? '' : opts.readFile);
      // tshark leaves a second blank line after each packet.
      this.format = (out, p, { data: frame }) => out.push(pdmlPacket(p, frame, filter, selected) + '\n');
      this.finale = () => PDML_FINALE;
      this.reads = selected ? { fields: [...selected.names, 'frame.time_epoch', 'frame.time', 'frame.len', 'frame.cap_len'], columns: false } : 'tree';
    } else if (opts.outputType === 'psml' || opts.outputType === 'tabs') {
      const psml = opts.outputType === 'psml';
      this.delimited = psml;
      if (psml) {
        this.preamble = psmlPreamble();
        this.finale = () => PSML_FINALE;
      }
      this.format = (out, packet, p) => out.push(psml ? psmlPacket(named(packet, p)) : tabsLine(summaryColumns(named(packet, p))));
      this.reads = { fields: SUMMARY_FIELDS, columns: true };
    } else if (opts.tree) {
      // tshark -V: the tree, a blank line between packets; with -x, the bytes after a blank line.
      this.format = formats.hexDump ? (out, p, { data: frame }) => out.push(`${tree(p)}\n\n${packetHexDump(p, frame)}\n${separator}`) : (out, p) => out.push(`${tree(p)}\n${separator}`);
      // The same, written straight into the output buffer.
      const after = `\n${separator}\n`;
      this.formatBytes = (out, packet, { data: frame }) => {
        writeTree(out, packet, !formats.hexDump);
        if (formats.hexDump) {
          out.text('\n\n');
          out.text(packetHexDump(packet, frame));
        }
        out.text(after);
      };
      this.reads = 'tree';
    } else if (formats.hexDump) {
      // tshark -T text -x prints the bytes alone, a blank line after each packet.
      this.format = (out, p, { data: frame }) => out.push(`${packetHexDump(p, frame)}\n${separator}`);
      // The whole dissection: reassembled data is a data source of its own.
      this.reads = 'tree';
    } else {
      const time = new TimeColumn(opts.tshark?.timeFormat, opts.tshark?.secondsFormat);
      // tshark's one pass: an ARP packet names MAC addresses from itself on (SummaryNames.learnArp).
      const learnArp = names.resolution.mac && names.resolution.network;
      this.format = (out, packet, p) => {
        if (learnArp) names.learnArp(p.data, p.linkType);
        const column = time.text(p.tsNs, frameTime(packet, 'frame.time_relative'), frameTime(packet, 'frame.time_delta'), this.precisionOf(p.interfaceId));
        out.push(summaryLine(packet, column, names));
      };
      this.reads = { fields: SUMMARY_FIELDS, columns: true };
    }
    this.dissectOptions = this.reads === 'tree' ? this.treeOptions : { fields: new Set(this.reads.fields), columns: this.reads.columns };
    // Every packet is dissected with these options: without columns, state nobody reads is not kept.
    const only = this.dissectOptions?.columns === false ? this.dissectOptions.fields : undefined;
    this.dissector = new Dissector(only ? { ...dissectorOptions(opts), onlySelection: only } : dissectorOptions(opts));
  }


  writePacket(p: PacketToSink): void {
    this.number++;
    const packet = this.dissector.dissect(
      { number: this.number, tsNs: p.tsNs, data: p.data, origLen: p.origLen, linkType: p.linkType, flags: p.flags, iface: this.interfaceOf?.(p.interfaceId) },
      this.dissectOptions,
    );
    this.emit(packet, p);
  }

  private emit(packet: Dissected, p: PacketToSink): void {
    if (this.formatBytes) {
      if (this.preamble !== '') {
        this.bytes.text(this.preamble);
        this.preamble = '';
      }
      this.formatBytes(this.bytes, packet, p);
      if (this.bytes.used >= 1 << 18) this.flush();
      return;
    }
    this.format(this.pending, packet, p);
    if (this.pending.length >= 256) this.flush();
  }

  /** A packet dissected by the caller (read-command's -Y stage dissects every packet, prints some). */
  writeDissected(packet: Dissected, p: PacketToSink): void {
    this.number++;
    this.emit(packet, p);
  }

  writeBatch(batch: Buffer, _count: number, format: RecordFormat): void {
    const linkType = this.liveLinkType;
    forEachBatchPacket(batch, format, (tsNs, data, origLen, flags) =>
      this.writePacket({ tsNs, data, origLen, linkType, interfaceId: 0, flags }),
    );
    this.flush();
  }

  private flush(): void {
    const out = this.bytes;
    if (this.pending.length === 0 && this.preamble === '' && out.used === 0) return;
    // JSON and XML entries carry their own separators; the other formats are one entry per line.
    const newline = !this.delimited;
    if (this.preamble !== '') out.text(this.preamble);
    this.preamble = '';
    const write = this.io.outBytes?.bind(this.io);
    // Entries encoded one by one into one reused buffer, written in large pieces: trees and JSON
    // run to kilobytes per packet, and joining 256 of them into one string, then encoding that,
    // cost two more copies of everything printed.
    for (const entry of this.pending) {
      out.text(entry);
      if (newline) out.byte(0x0a);
      if (write && out.used >= 1 << 20) {
        write(out.buf, out.used);
        out.used = 0;
      }
    }
    this.pending = [];
    if (out.used === 0) return;
    if (write) {
      write(out.buf, out.used);
      out.used = 0;
    } else this.io.out(out.take());
  }

  close(): void {
    this.flush();
    const finale = this.finale(this.number);
    if (finale) this.io.out(finale);
  }
}

/** tshark's -P with -w: every packet goes to the file, and its summary (or tree) to stdout. */
export class TeeSink implements PacketSink {
  constructor(
    private readonly file: PacketSink,
    private readonly printer: DissectSink,
  ) {}

  /** What the printer reads of a dissected packet (a -Y stage in front dissects for it). */
  get reads(): DissectSink['reads'] {
    return this.printer.reads;
  }

  writePacket(p: PacketToSink): void {
    this.file.writePacket(p);
    this.printer.writePacket(p);
  }

  writeDissected(packet: Dissected, p: PacketToSink): void {
    this.file.writePacket(p);
    this.printer.writeDissected(packet, p);
  }

  writeBatch(batch: Buffer, count: number, format: RecordFormat): void {
    this.file.writeBatch(batch, count, format);
    this.printer.writeBatch(batch, count, format);
  }

  close(): void {
    try {
      this.file.close();
    } finally {
      this.printer.close();
    }
  }
}
