/**
 * tshark-style output (-V, -T text|fields|json): every packet goes through the dissectors, then is
 * printed as a tree, a summary line, selected fields or JSON. Used for files and live captures.
 * Only -V and -T json build trees; summary lines and -T fields build just the fields they print.
 */
import { Dissector } from '../dissect/dissector';
import type { DissectOptions } from '../dissect/model';
import type { RecordFormat } from '../capture/batch';
import { fieldsLine } from './tshark/fields';
import { formatTree } from './tshark/tree';
import { packetJson } from './tshark/json';
import { summaryLine } from './tshark/summary';
import { TimeColumn } from './tshark/time-column';
import { SummaryNames } from './tshark/names';
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

export class DissectSink implements PacketSink {
  private readonly dissector: Dissector;
  private number = 0;
  private pending: string[] = [];
  private readonly format: (text: string[], packet: Dissected, p: PacketToSink) => void;
  /** What this sink reads of a packet (see DissectedPacketSink.reads). */
  readonly reads: { fields: readonly string[]; columns: boolean } | 'tree';
  private readonly dissectOptions: DissectOptions | undefined;

  constructor(
    private readonly io: CliIo,
    opts: CliOptions,
    private readonly liveLinkType = 1,
    /** Digits of a packet's time stamps by its interface (time-column.ts precisionDigits); live: 9. */
    private readonly precisionOf: (interfaceId: number) => number = () => 9,
  ) {
    this.dissector = new Dissector(dissectorOptions(opts));
    if (opts.outputType === 'fields') {
      const layout = { separator: opts.fieldSeparator, aggregator: opts.fieldAggregator, occurrence: opts.fieldOccurrence };
      if (opts.fieldHeader) this.pending.push(opts.fields.join(opts.fieldSeparator));
      this.format = (out, p) => out.push(fieldsLine(p, opts.fields, layout));
      // _ws.col.* names are summary columns.
      this.reads = { fields: opts.fields, columns: opts.fields.some((f) => f.startsWith('_ws.col.')) };
    } else if (opts.outputType === 'json') {
      this.pending.push('[\n');
      this.format = (out, p) => out.push((this.number > 1 ? ',\n' : '') + packetJson(p));
      this.reads = 'tree';
    } else if (opts.tree) {
      // tshark -V: the tree, a blank line between packets.
      this.format = (out, p) => out.push(formatTree(p).replace(/\n$/, '') + '\n');
      this.reads = 'tree';
    } else {
      const time = new TimeColumn(opts.tshark?.timeFormat, opts.tshark?.secondsFormat);
      const names = new SummaryNames(nameResolutionOf(opts));
      this.format = (out, packet, p) => {
        const column = time.text(p.tsNs, frameTime(packet, 'frame.time_relative'), frameTime(packet, 'frame.time_delta'), this.precisionOf(p.interfaceId));
        out.push(summaryLine(packet, column, names));
      };
      this.reads = { fields: SUMMARY_FIELDS, columns: true };
    }
    this.json = opts.outputType === 'json';
    this.dissectOptions = this.reads === 'tree' ? undefined : { fields: new Set(this.reads.fields), columns: this.reads.columns };
  }

  private readonly json: boolean;

  writePacket(p: PacketToSink): void {
    this.number++;
    const packet = this.dissector.dissect(
      { number: this.number, tsNs: p.tsNs, data: p.data, origLen: p.origLen, linkType: p.linkType, flags: p.flags },
      this.dissectOptions,
    );
    this.format(this.pending, packet, p);
    if (this.pending.length >= 256) this.flush();
  }

  /** A packet dissected by the caller (read-command's -Y stage dissects every packet, prints some). */
  writeDissected(packet: Dissected, p: PacketToSink): void {
    this.number++;
    this.format(this.pending, packet, p);
    if (this.pending.length >= 256) this.flush();
  }

  writeBatch(batch: Buffer, _count: number, format: RecordFormat): void {
    const linkType = this.liveLinkType;
    forEachBatchPacket(batch, format, (tsNs, data, origLen, flags) =>
      this.writePacket({ tsNs, data, origLen, linkType, interfaceId: 0, flags }),
    );
    this.flush();
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    // JSON entries carry their own separators; the other formats are one entry per line.
    this.io.out(this.json ? this.pending.join('') : this.pending.join('\n') + '\n');
    this.pending = [];
  }

  close(): void {
    if (this.json) this.pending.push(this.number > 0 ? '\n]\n' : ']\n');
    this.flush();
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
