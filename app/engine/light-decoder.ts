/**
 * LightDecoder: the index columns of a frame (source, destination, protocol, TCP/UDP stream) read
 * straight from the bytes, without the full Dissector's trees and labels (which cost ~100x more).
 *
 * It reads plain Ethernet, Linux cooked (SLL, SLL2) and raw-IP frames carrying unfragmented IPv4
 * or IPv6 with TCP, UDP (except tunnel ports), ICMP echo or ICMPv6 informational messages (echo,
 * MLD, neighbour discovery): the bulk of real traffic. Everything else (ARP, VLANs, tunnels, fragments, ICMP errors that quote other
 * headers, extension headers, other link types) goes through a Dissector without application
 * dissectors, which shares this decoder's stream tables, so tcp.stream and udp.stream numbers are
 * the Dissector's (and tshark's) whichever path a frame took.
 *
 * The protocol column here is the transport level ('TCP', 'UDP', ...); the displayed Protocol and
 * Info columns come from the full Dissector, on demand, for the rows on screen.
 */
import { conversationKey, Dissector } from '../dissect/dissector';
import { ipv4Text, ipv6Text } from '../dissect/format';
import type { DissectedPacket, FrameInput } from '../dissect/model';
import { COMPLETENESS } from '../dissect/tcp-streams';

const LINKTYPE_ETHERNET = 1;
const LINKTYPE_RAW = 101;
const LINKTYPE_LINUX_SLL = 113;
const LINKTYPE_IPV4 = 228;
const LINKTYPE_IPV6 = 229;
const LINKTYPE_LINUX_SLL2 = 276;

const TCP_FIN = 0x01;
const TCP_SYN = 0x02;
const TCP_RST = 0x04;
const TCP_ACK = 0x10;

/** UDP ports the Dissector treats as tunnels (VXLAN, Geneve, L2TP): their payload has its own columns. */
const UDP_TUNNEL_PORTS = new Set([4789, 6081, 1701]);

/** What the light path (or the fallback dissector) learned about one frame. */
export interface LightColumns {
  source: string;
  destination: string;
  protocol: string;
  /** tcp.stream or udp.stream, -1 when none. */
  streamId: number;
  tcpStream: boolean;
  /** tcp.completeness as the Dissector shows it on this frame (the stream's bits before it). */
  completenessBefore: number;
  malformed: boolean;
  /** The fallback Dissector produced these columns. */
  fullDissect: boolean;
  /** Light-path details for fast display filters (absent on the fallback path). */
  ipVersion: 4 | 6 | 0;
  ipProtocol: number;
  srcPort: number;
  dstPort: number;
}

export class LightDecoder {
  /** Frames the light path could not read (the fallback Dissector took them). */
  fallbackFrames = 0;
  private readonly fallback = new Dissector({ apps: false });
  private readonly udpStreams = new Map<string, number>();
  private readonly out: LightColumns = {
    source: '', destination: '', protocol: '', streamId: -1, tcpStream: false, completenessBefore: 0, malformed: false, fullDissect: false,
    ipVersion: 0, ipProtocol: -1, srcPort: -1, dstPort: -1,
  };

  constructor() {
    // The fallback numbers UDP conversations from our table, so both paths count as one.
    this.fallback.udpStream = (key: string) => this.udpStream(key);
  }

  /**
   * Columns of the next frame, in capture order (stream numbering depends on it). The returned
   * object is reused by the next call.
   */
  decode(frame: FrameInput): LightColumns {
    const o = this.out;
    o.streamId = -1;
    o.tcpStream = false;
    o.completenessBefore = 0;
    o.malformed = false;
    o.fullDissect = false;
    o.ipVersion = 0;
    o.ipProtocol = -1;
    o.srcPort = -1;
    o.dstPort = -1;
    if (this.light(frame)) return o;
    this.fallbackFrames++;
    this.fromDissector(this.fallback.dissect(frame));
    return o;
  }

  /** Reads the frame if it is one the light path knows; false leaves it to the Dissector. */
  private light(frame: FrameInput): boolean {
    const data = frame.data;
    let ip: number;
    let ethertype: number;
    switch (frame.linkType) {
      case LINKTYPE_ETHERNET:
        if (data.length < 14) return false;
        ethertype = data.readUInt16BE(12);
        ip = 14;
        break;
      case LINKTYPE_LINUX_SLL:
        if (data.length < 16) return false;
        ethertype = data.readUInt16BE(14);
        ip = 16;
        break;
      case LINKTYPE_LINUX_SLL2:
        if (data.length < 20) return false;
        ethertype = data.readUInt16BE(0);
        ip = 20;
        break;
      case LINKTYPE_RAW:
      case LINKTYPE_IPV4:
      case LINKTYPE_IPV6:
        if (data.length < 1) return false;
        ethertype = data[0]! >> 4 === 4 ? 0x0800 : data[0]! >> 4 === 6 ? 0x86dd : -1;
        ip = 0;
        break;
      default:
        return false;
    }
    const wireEnd = Math.max(frame.origLen, data.length);
    const o = this.out;
    let l4: number;
    let end: number;
    let proto: number;
    if (ethertype === 0x0800) {
      if (data.length < ip + 20 || data[ip]! >> 4 !== 4) return false;
      const hlen = (data[ip]! & 0x0f) * 4;
      const totalLen = data.readUInt16BE(ip + 2);
      // Fragments, options the dissector may flag, TSO (length 0) and short lengths: the dissector decides.
      if (hlen !== 20 || (data.readUInt16BE(ip + 6) & 0x3fff) !== 0 || totalLen < hlen || ip + totalLen > wireEnd) return false;
      proto = data[ip + 9]!;
      l4 = ip + hlen;
      end = ip + totalLen;
      o.source = ipv4Text(data, ip + 12);
      o.destination = ipv4Text(data, ip + 16);
      o.ipVersion = 4;
    } else if (ethertype === 0x86dd) {
      if (data.length < ip + 40 || data[ip]! >> 4 !== 6) return false;
      const payloadLen = data.readUInt16BE(ip + 4);
      if (payloadLen === 0 || ip + 40 + payloadLen > wireEnd) return false;
      proto = data[ip + 6]!;
      l4 = ip + 40;
      end = l4 + payloadLen;
      o.source = ipv6Text(data, ip + 8);
      o.destination = ipv6Text(data, ip + 24);
      o.ipVersion = 6;
    } else return false;
    o.ipProtocol = proto;
    if (proto === 6) return this.tcp(data, l4, end);
    if (proto === 17) return this.udp(data, l4, end);
    // Echo request/reply only: error messages quote headers that add fields and streams.
    if (proto === 1 && o.ipVersion === 4) {
      if (data.length < l4 + 1 || (data[l4] !== 0 && data[l4] !== 8)) return false;
      o.protocol = 'ICMP';
      return true;
    }
    // ICMPv6 informational messages (echo, MLD, neighbour discovery) quote no headers.
    if (proto === 58 && o.ipVersion === 6) {
      if (data.length < l4 + 1 || data[l4]! < 128 || data[l4]! > 137) return false;
      o.protocol = 'ICMPv6';
      return true;
    }
    return false;
  }

  private tcp(data: Buffer, l4: number, end: number): boolean {
    if (data.length < l4 + 20 || end - l4 < 20) return false;
    const hdrWord = data.readUInt16BE(l4 + 12);
    const hlen = (hdrWord >> 12) * 4;
    if (hlen < 20 || hlen > end - l4) return false;
    const o = this.out;
    o.srcPort = data.readUInt16BE(l4);
    o.dstPort = data.readUInt16BE(l4 + 2);
    o.protocol = 'TCP';
    o.tcpStream = true;
    o.streamId = this.trackTcp(o.source, o.srcPort, o.destination, o.dstPort, hdrWord & 0xfff, data.readUInt32BE(l4 + 4), data.readUInt32BE(l4 + 8), end - l4 - hlen);
    return true;
  }

  private udp(data: Buffer, l4: number, end: number): boolean {
    if (data.length < l4 + 8) return false;
    const o = this.out;
    const srcPort = data.readUInt16BE(l4);
    const dstPort = data.readUInt16BE(l4 + 2);
    const length = data.readUInt16BE(l4 + 4);
    if (length < 8 || l4 + length > end || UDP_TUNNEL_PORTS.has(srcPort) || UDP_TUNNEL_PORTS.has(dstPort)) return false;
    o.srcPort = srcPort;
    o.dstPort = dstPort;
    o.protocol = 'UDP';
    o.streamId = this.udpStream(conversationKey(o.source, srcPort, o.destination, dstPort));
    return true;
  }

  /** udp.stream of a conversation key seen so far (-1 when none): the final numbering, UDP has no reuse rule. */
  knownUdpStream(key: string): number {
    return this.udpStreams.get(key) ?? -1;
  }

  private udpStream(key: string): number {
    let index = this.udpStreams.get(key);
    if (index === undefined) {
      index = this.udpStreams.size;
      this.udpStreams.set(key, index);
    }
    return index;
  }

  /** The bookkeeping of dissect/tcp.ts that decides stream numbers (port reuse depends on it). */
  private trackTcp(src: string, srcPort: number, dst: string, dstPort: number, flags: number, seq: number, ackRaw: number, length: number): number {
    const syn = (flags & TCP_SYN) !== 0;
    const ack = (flags & TCP_ACK) !== 0;
    const fin = (flags & TCP_FIN) !== 0;
    const rst = (flags & TCP_RST) !== 0;
    const { conv, dir } = this.fallback.tcpStreams.lookup(src, srcPort, dst, dstPort, syn, ack, seq);
    const fwd = conv.dirs[dir];
    const rev = conv.dirs[dir === 0 ? 1 : 0];
    if (!fwd.baseSet) {
      fwd.baseSeq = syn ? seq : (seq - 1) >>> 0;
      fwd.baseSet = true;
    }
    if (ack && !rev.baseSet) {
      rev.baseSeq = (ackRaw - 1) >>> 0;
      rev.baseSet = true;
    }
    this.out.completenessBefore = conv.completeness;
    if (syn) conv.completeness |= ack ? COMPLETENESS.SYN_ACK : COMPLETENESS.SYN;
    else if (rst) conv.completeness |= COMPLETENESS.RST;
    else if (fin && ack) conv.completeness |= COMPLETENESS.FIN;
    else if (ack) conv.completeness |= COMPLETENESS.ACK;
    if (length > 0) conv.completeness |= COMPLETENESS.DATA;
    if (fin || rst) conv.closed = true;
    return conv.index;
  }

  private fromDissector(packet: DissectedPacket): void {
    const o = this.out;
    o.fullDissect = true;
    o.source = packet.summary.source;
    o.destination = packet.summary.destination;
    o.protocol = packet.summary.protocol;
    o.malformed = packet.status === 'malformed';
    // The innermost transport stream, as the columns describe the innermost headers.
    for (const layer of packet.layers) {
      if (layer.protocol !== 'tcp' && layer.protocol !== 'udp') continue;
      const field = layer.fields.find((f) => f.abbrev === 'tcp.stream' || f.abbrev === 'udp.stream');
      if (field && typeof field.value === 'number') {
        o.streamId = field.value;
        o.tcpStream = layer.protocol === 'tcp';
        const completeness = layer.fields.find((f) => f.abbrev === 'tcp.completeness');
        o.completenessBefore = typeof completeness?.value === 'number' ? completeness.value : 0;
      }
    }
  }
}
