/**
 * SegmentExtractor: the TcpSegment of each frame, from the one Dissector's layer table
 * (FrameLayout) — a dissection without a tree, application dissectors or summary columns, so
 * stream numbers (port reuse, IP fragments, tunnels) are the Dissector's and tshark's.
 */
import { Dissector } from '../dissect/dissector';
import type { DissectOptions, FrameInput } from '../dissect/model';
import { tcpSegmentOf, type TcpSegment } from './tcp-segment';

const EMPTY = Buffer.alloc(0);
/** No field, no column: the layout is all reassembly reads. */
const LAYOUT_ONLY: DissectOptions = { fields: new Set(), columns: false };

export class SegmentExtractor {
  private readonly dissector = new Dissector({ apps: false, desegment: false });

  /**
   * @param fromLayout false: read each segment from the fields of the frame's whole tree instead
   * (tcpSegmentOf) — slow; the reference the layout is tested against.
   */
  constructor(private readonly fromLayout = true) {}

  /** The frame's TCP segment (the innermost TCP header outside any ICMP quote), or null. Frames must come in capture order. */
  segmentOf(frame: FrameInput): TcpSegment | null {
    if (!this.fromLayout) return tcpSegmentOf(this.dissector.dissect(frame), frame.tsNs);
    const packet = this.dissector.dissect(frame, LAYOUT_ONLY);
    const l = packet.layout!;
    if (l.transportLayer < 0 || l.stream < 0 || packet.layers[l.transportLayer]!.protocol !== 'tcp') return null;
    const data = l.payloadData;
    const payload = data !== null && l.payloadOffset >= 0 && l.payloadOffset < data.length ? data.subarray(l.payloadOffset, Math.min(l.payloadEnd, data.length)) : EMPTY;
    return {
      frame: frame.number, tsNs: frame.tsNs, stream: l.stream, srcAddress: l.netSrc, srcPort: l.srcPort, dstAddress: l.netDst, dstPort: l.dstPort,
      seq: l.seqRaw, ack: l.ackRaw, flags: l.tcpFlags, length: l.segmentLength, payload,
    };
  }
}
