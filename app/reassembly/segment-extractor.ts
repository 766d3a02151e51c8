/**
 * SegmentExtractor: the TcpSegment of each frame, fast. The full dissector builds every field's
 * label and tree (about 0.3 ms a frame); reassembly needs a dozen numbers. Plain Ethernet, Linux
 * cooked and raw-IP frames carrying unfragmented IPv4, or IPv6 whose next header is TCP, are read
 * here directly; everything else (VLANs, tunnels, fragments, extension headers, other link types)
 * goes through the full Dissector. Both paths share one TcpStreamTable, so tcp.stream numbers are
 * the dissector's (and tshark's) whichever path a frame took.
 */
import { Dissector } from '../dissect/dissector';
import { ipv4Text, ipv6Text } from '../dissect/format';
import type { FrameInput } from '../dissect/model';
import type { TcpStreamTable } from '../dissect/tcp-streams';
import { rawKey, SharedTcpStreams, trackTcp, type Slot } from '../dissect/shared-streams';
import { tcpSegmentOf, type TcpSegment } from './tcp-segment';

const LINKTYPE_ETHERNET = 1;
const LINKTYPE_RAW = 101;
const LINKTYPE_LINUX_SLL = 113;
const LINKTYPE_IPV4 = 228;
const LINKTYPE_IPV6 = 229;
const LINKTYPE_LINUX_SLL2 = 276;

const EMPTY = Buffer.alloc(0);

export class SegmentExtractor {
  /** Frames the fast path could not read and the full dissector took. */
  slowFrames = 0;
  private readonly dissector = new Dissector({ apps: false });
  /** The dissector's stream table, also reachable by raw header words (no address text per frame). */
  private readonly streams = new SharedTcpStreams();
  /** Each direction of each 4-tuple seen by the fast path: its stream slot and address texts. */
  private readonly flows = new Map<string, { slot: Slot; src: string; dst: string }>();

  /** @param fast false: every frame through the full dissector (the reference the fast path is tested against). */
  constructor(private readonly fast = true) {
    (this.dissector as { tcpStreams: TcpStreamTable }).tcpStreams = this.streams;
  }

  /** The frame's TCP segment, or null. Frames must come in capture order. */
  segmentOf(frame: FrameInput): TcpSegment | null {
    if (this.fast) {
      const seg = this.fastSegment(frame);
      if (seg !== undefined) return seg;
    }
    this.slowFrames++;
    return tcpSegmentOf(this.dissector.dissect(frame), frame.tsNs);
  }

  /** undefined: not a frame the fast path reads (the dissector decides). */
  private fastSegment(frame: FrameInput): TcpSegment | null | undefined {
    const data = frame.data;
    const wireEnd = Math.max(frame.origLen, data.length);
    let ip: number;
    let ethertype: number;
    switch (frame.linkType) {
      case LINKTYPE_ETHERNET:
        if (data.length < 14) return undefined;
        ethertype = data.readUInt16BE(12);
        ip = 14;
        break;
      case LINKTYPE_LINUX_SLL:
        if (data.length < 16) return undefined;
        ethertype = data.readUInt16BE(14);
        ip = 16;
        break;
      case LINKTYPE_LINUX_SLL2:
        if (data.length < 20) return undefined;
        ethertype = data.readUInt16BE(0);
        ip = 20;
        break;
      case LINKTYPE_RAW:
      case LINKTYPE_IPV4:
      case LINKTYPE_IPV6:
        if (data.length < 1) return undefined;
        ethertype = data[0]! >> 4 === 4 ? 0x0800 : data[0]! >> 4 === 6 ? 0x86dd : -1;
        ip = 0;
        break;
      default:
        return undefined;
    }
    let tcp: number;
    let end: number;
    let v4: boolean;
    if (ethertype === 0x0800) {
      if (data.length < ip + 20 || data[ip]! >> 4 !== 4) return undefined;
      const hlen = (data[ip]! & 0x0f) * 4;
      const flagsFrag = data.readUInt16BE(ip + 6);
      if (hlen < 20 || data[ip + 9] !== 6 || (flagsFrag & 0x3fff) !== 0) return this.notTcp(data, data[ip + 9]!, ip + hlen, hlen, flagsFrag);
      let totalLen = data.readUInt16BE(ip + 2);
      if (totalLen === 0) totalLen = wireEnd - ip; // TSO, as the dissector takes it
      if (totalLen < hlen) return undefined;
      tcp = ip + hlen;
      end = Math.min(ip + totalLen, wireEnd);
      v4 = true;
    } else if (ethertype === 0x86dd) {
      // Payload length 0 is a jumbogram (BIG TCP): the dissector knows those.
      if (data.length < ip + 40 || data[ip]! >> 4 !== 6 || data.readUInt16BE(ip + 4) === 0) return undefined;
      if (data[ip + 6] !== 6) return this.notTcp(data, data[ip + 6]!, ip + 40, 20, 0);
      tcp = ip + 40;
      end = Math.min(tcp + data.readUInt16BE(ip + 4), wireEnd);
      v4 = false;
    } else return ethertype === 0x0806 ? null : undefined;
    if (data.length < tcp + 20) return undefined;
    const hdrWord = data.readUInt16BE(tcp + 12);
    const hlen = (hdrWord >> 12) * 4;
    if (hlen < 20) return undefined;
    const srcPort = data.readUInt16BE(tcp);
    const dstPort = data.readUInt16BE(tcp + 2);
    const seq = data.readUInt32BE(tcp + 4);
    const ack = data.readUInt32BE(tcp + 8);
    const flags = hdrWord & 0xfff;
    const length = Math.max(0, end - tcp - hlen);
    const key = rawKey(data, ip, v4, srcPort, dstPort);
    let flow = this.flows.get(key);
    if (flow === undefined) {
      const src = v4 ? ipv4Text(data, ip + 12) : ipv6Text(data, ip + 8);
      const dst = v4 ? ipv4Text(data, ip + 16) : ipv6Text(data, ip + 24);
      const slot = this.streams.rawSlot(key, { srcPort, dstPort, sourceText: () => src, destinationText: () => dst });
      this.flows.set(key, (flow = { slot, src, dst }));
    }
    // What dissect/tcp.ts does to the conversation (stream numbers and port reuse depend on it).
    const conv = this.streams.ofSlot(flow.slot, flags, seq);
    trackTcp(conv, flow.slot.dir, flags, seq, ack, length);
    const stream = conv.index;
    const src = flow.src;
    const dst = flow.dst;
    const stop = Math.min(end, data.length);
    const payload = length > 0 && stop > tcp + hlen ? data.subarray(tcp + hlen, stop) : EMPTY;
    return { frame: frame.number, tsNs: frame.tsNs, stream, srcAddress: src, srcPort, dstAddress: dst, dstPort, seq, ack, flags, length, payload };
  }

  /**
   * An IP packet that is not an unfragmented TCP segment: null when it cannot carry one, undefined
   * when the dissector must decide. Fragments go to the dissector, which reassembles them, and so
   * does anything that may carry TCP inside (UDP tunnels on the dissector's tunnel ports, GRE, IP in
   * IP, IPv6 extension headers). ICMP, ICMPv6 and IGMP carry none (the TCP headers quoted by ICMP
   * errors never count as segments); neither does UDP between two ports that are not tunnels.
   */
  private notTcp(data: Buffer, protocol: number, payload: number, hlen: number, flagsFrag: number): null | undefined {
    if (hlen < 20 || (flagsFrag & 0x3fff) !== 0) return undefined;
    if (protocol === 1 || protocol === 2 || protocol === 58) return null;
    if (protocol === 17 && data.length >= payload + 4) {
      const tunnels = this.dissector.udpTunnels;
      return tunnels.has(data.readUInt16BE(payload)) || tunnels.has(data.readUInt16BE(payload + 2)) ? undefined : null;
    }
    return undefined;
  }
}
