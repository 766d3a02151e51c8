/**
 * tshark-style output (-V, -T text|fields|json): every packet goes through the dissectors, then is
 * printed as a tree, a summary line, selected fields or JSON. Used for files and live captures.
 * Only -V and -T json build trees; summary lines and -T fields build just the fields they print.
 */
import { Dissector } from '../dissect/dissector';
import type { DissectOptions, FrameInterface } from '../dissect/model';
import type { RecordFormat } from '../capture/batch';
import { fieldsLine } from './tshark/fields';
import { formatTree } from './tshark/tree';
import { packetJson } from './tshark/json';
import { summaryLine } from './tshark/summary';
import { desegmentOf, type CliOptions } from './args';
import type { CliIo } from './io';
import { forEachBatchPacket, type PacketSink, type PacketToSink } from './sinks';

export { wantsDissection } from './args';

/** The fields a summary line prints besides the summary columns. */
const SUMMARY_FIELDS: readonly string[] = ['frame.time_relative'];

export class DissectSink implements PacketSink {
  private readonly dissector: Dissector;
  private number = 0;
  private pending: string[] = [];
  private readonly format: (text: string[], p: ReturnType<Dissector['dissect']>) => void;
  /** What this sink reads of a packet (see DissectedPacketSink.reads). */
  readonly reads: { fields: readonly string[]; columns: boolean } | 'tree';
  private readonly dissectOptions: DissectOptions | undefined;

  constructor(
    private readonly io: CliIo,
    opts: CliOptions,
    private readonly liveLinkType = 1,
    /** The pcapng interface of a packet read from a file (the frame tree names it). */
    private readonly interfaceOf?: (interfaceId: number) => FrameInterface | undefined,
  ) {
    this.dissector = new Dissector({ desegment: desegmentOf(opts) });
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
      this.format = (out, p) => out.push(summaryLine(p));
      this.reads = { fields: SUMMARY_FIELDS, columns: true };
    }
    this.json = opts.outputType === 'json';
    this.dissectOptions = this.reads === 'tree' ? undefined : { fields: new Set(this.reads.fields), columns: this.reads.columns };
  }

  private readonly json: boolean;

  writePacket(p: PacketToSink): void {
    this.number++;
    const packet = this.dissector.dissect(
      { number: this.number, tsNs: p.tsNs, data: p.data, origLen: p.origLen, linkType: p.linkType, flags: p.flags, iface: this.interfaceOf?.(p.interfaceId) },
      this.dissectOptions,
    );
    this.format(this.pending, packet);
    if (this.pending.length >= 256) this.flush();
  }

  /** A packet dissected by the caller (read-command's -Y stage dissects every packet, prints some). */
  writeDissected(packet: ReturnType<Dissector['dissect']>): void {
    this.number++;
    this.format(this.pending, packet);
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
