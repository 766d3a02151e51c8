/**
 * The capture filter of `sievecap -r FILE FILTER`: libpcap's bpf_filter on the program libpcap
 * compiles for the link type of each packet's interface, as tcpdump does, run natively over a
 * batch of packets (CaptureReader.nextBatch) per call rather than once per packet.
 */
import { compileFilter } from '../capture/filter';
import { native, type NativeClassicFilter } from '../capture/native';
import { DEFAULT_SNAPLEN } from '../capture/snaplen';
import { linkTypeToDlt, maxSnapLenForLinkType } from '../pcap/linktype';
import type { PacketBatch } from '../pcap/packet-batch';
import type { CaptureReader } from '../pcap/reader';

export class CaptureFilter {
  /** After judge(): verdicts[i] is 1 when packet i of the batch is kept, 0 otherwise. */
  readonly verdicts: Uint8Array;
  /** Set when judge() stopped short: the expression does not compile for a link type met in the file. */
  failure: Error | undefined;
  /** One compiled program per link type (pcapng interfaces may differ). */
  private readonly filters = new Map<number, NativeClassicFilter>();

  /**
   * Compiles for the first interface now, so that a bad expression throws (FilterSyntaxError)
   * before anything is written. `capacity` is that of the batches to judge.
   */
  constructor(private readonly expression: string, private readonly reader: CaptureReader, capacity: number) {
    this.verdicts = new Uint8Array(capacity);
    const first = reader.interfaces[0];
    if (first) this.filterFor(first.linkType, 0);
  }

  /**
   * Sets verdicts[0 .. batch.count) and returns batch.count; or, when the expression does not
   * compile for the link type of packet k, judges only the packets before it, returns k and sets
   * `failure`. pcapng Custom Blocks are not packets: never kept.
   */
  judge(batch: PacketBatch): number {
    const n = batch.count;
    const linkTypes = batch.linkType;
    for (let i = 0; i < n; ) {
      const linkType = linkTypes[i]!;
      let end = batch.mixedLinkTypes ? i + 1 : n;
      while (end < n && linkTypes[end] === linkType) end++;
      if (linkType < 0) {
        // Only custom blocks have no link type (CapturePacket.customBlock).
        this.verdicts.fill(0, i, end);
      } else {
        let filter: NativeClassicFilter;
        try {
          filter = this.filterFor(linkType, batch.interfaceId[i]!);
        } catch (err) {
          this.failure = err as Error;
          return i;
        }
        filter.run(batch.buf, batch.start, batch.capLen, batch.origLen, this.verdicts, i, end - i);
      }
      i = end;
    }
    return n;
  }

  private filterFor(linkType: number, interfaceId: number): NativeClassicFilter {
    let filter = this.filters.get(linkType);
    if (filter === undefined) {
      // As libpcap reads a file: a snap length of 0 or above the link type's maximum is that
      // maximum. It changes only the program's return value (kept bytes), never a verdict, so one
      // the compiler refuses (over 262144, for a few link types) is lowered to what it takes.
      const recorded = this.reader.interfaces[interfaceId]?.snapLen ?? 0;
      const max = maxSnapLenForLinkType(linkType);
      const snapLen = Math.min(recorded === 0 || recorded > max ? max : recorded, DEFAULT_SNAPLEN);
      const program = compileFilter({ filter: this.expression, linkType: linkTypeToDlt(linkType), snapLen });
      filter = new (native().ClassicFilter)(program);
      this.filters.set(linkType, filter);
    }
    return filter;
  }
}
