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
import { Dissector } from '../dissect/dissector';
import { ipv4Text, ipv6Text } from '../dissect/format';
import type { DissectedPacket, DissectOptions } from '../dissect/model';
import type { TcpStreamTable } from '../dissect/tcp-streams';
import { rawKey, SharedTcpStreams, SharedUdpStreams, trackTcp, word } from '../dissect/shared-streams';

const LINKTYPE_ETHERNET = 1;
const LINKTYPE_RAW = 101;
const LINKTYPE_LINUX_SLL = 113;
const LINKTYPE_IPV4 = 228;
const LINKTYPE_IPV6 = 229;
const LINKTYPE_LINUX_SLL2 = 276;

/** The fields fromDissector() reads of a fallback packet (besides its columns and status). */
const STREAM_FIELDS: ReadonlySet<string> = new Set(['tcp.stream', 'udp.stream', 'tcp.completeness']);

/** What the light path (or the fallback dissector) learned about one frame. */
export interface LightColumns {
  source: string;
  destination: string;
  protocol: string;
  /** tcp.stream or udp.stream, -1 when none. */
  streamId: number;
  /** Light frames: which way the frame goes in its stream (see PairTap.dir). */
  dir: 0 | 1;
  tcpStream: boolean;
  /** tcp.completeness as the Dissector shows it on this frame (the stream's bits before it). */
  completenessBefore: number;
  malformed: boolean;
  /** The fallback Dissector produced these columns. */
  fullDissect: boolean;
  /** The fallback Dissector's packet (null on the light path): valid until the next decode(). */
  packet: DissectedPacket | null;
  /** Light-path details for fast display filters (absent on the fallback path). */
  ipVersion: 4 | 6 | 0;
  ipProtocol: number;
  srcPort: number;
  dstPort: number;
}

export class LightDecoder {
  /** Frames the light path could not read (the fallback Dissector took them). */
  fallbackFrames = 0;
  private readonly fallback: Dissector;
  private readonly fallbackOptions: DissectOptions | undefined;
  /** Stream tables shared with the fallback Dissector, reachable by raw header words (no text per frame). */
  private readonly tcpStreams = new SharedTcpStreams();
  private readonly udpStreams = new SharedUdpStreams();
  /** Address texts by raw address (IPv4 as a number, IPv6 as 8 UTF-16 units): made once per address. */
  private readonly v4Texts = new Map<number, string>();
  private readonly v6Texts = new Map<string, string>();
  /** The current frame's ports, for the shared tables' FourTupleText. */
  srcPort = -1;
  dstPort = -1;
  private readonly out: LightColumns = {
    source: '', destination: '', protocol: '', streamId: -1, dir: 0, tcpStream: false, completenessBefore: 0, malformed: false, fullDissect: false,
    packet: null, ipVersion: 0, ipProtocol: -1, srcPort: -1, dstPort: -1,
  };

  /**
   * `fallbackApps`: the fallback Dissector also runs application dissectors, so its packets can
   * feed reports that name a conversation's application (the store's attached reports). The
   * protocol column of those frames is then the application's, as the Dissector's Protocol column.
   */
  constructor(options: { fallbackApps?: boolean } = {}) {
    this.fallback = new Dissector({ apps: options.fallbackApps === true });
    // Reports read the fallback packets' trees; the index reads only the columns and stream fields.
    this.fallbackOptions = options.fallbackApps === true ? undefined : { fields: STREAM_FIELDS, columns: true };
    // The fallback numbers TCP and UDP conversations from our tables, so both paths count as one.
    (this.fallback as { tcpStreams: TcpStreamTable }).tcpStreams = this.tcpStreams;
    this.fallback.udpStream = (key: string) => this.udpStreams.byKey(key);
  }

  /**
   * Columns of the next frame, in capture order (stream numbering depends on it). The returned
   * object is reused by the next call.
   */
  decode(data: Buffer, linkType: number, origLen: number, number: number, tsSec: number, tsNsec: number, flags: number): LightColumns {
    const o = this.out;
    o.streamId = -1;
    o.dir = 0;
    o.packet = null;
    o.tcpStream = false;
    o.completenessBefore = 0;
    o.malformed = false;
    o.fullDissect = false;
    o.ipVersion = 0;
    o.ipProtocol = -1;
    o.srcPort = -1;
    o.dstPort = -1;
    if (this.light(data, linkType, origLen)) return o;
    this.fallbackFrames++;
    // Only the fallback needs a FrameInput (and a BigInt time stamp).
    const packet = this.fallback.dissect({ number, tsNs: BigInt(tsSec) * 1_000_000_000n + BigInt(tsNsec), data, origLen, linkType, flags }, this.fallbackOptions);
    this.fromDissector(packet);
    o.packet = packet;
    return o;
  }

  /** Reads the frame if it is one the light path knows; false leaves it to the Dissector. */
  private light(data: Buffer, linkType: number, origLen: number): boolean {
    let ip: number;
    let ethertype: number;
    switch (linkType) {
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
        if (data.length < 1) return false;
        ethertype = data[0]! >> 4 === 4 ? 0x0800 : data[0]! >> 4 === 6 ? 0x86dd : -1;
        ip = 0;
        break;
      // These link types name the IP version: the Dissector reads what they say, whatever the bytes.
      case LINKTYPE_IPV4:
        ethertype = 0x0800;
        ip = 0;
        break;
      case LINKTYPE_IPV6:
        ethertype = 0x86dd;
        ip = 0;
        break;
      default:
        return false;
    }
    const wireEnd = Math.max(origLen, data.length);
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
      o.source = this.v4Text(data, ip + 12);
      o.destination = this.v4Text(data, ip + 16);
      o.ipVersion = 4;
    } else if (ethertype === 0x86dd) {
      if (data.length < ip + 40 || data[ip]! >> 4 !== 6) return false;
      const payloadLen = data.readUInt16BE(ip + 4);
      if (payloadLen === 0 || ip + 40 + payloadLen > wireEnd) return false;
      proto = data[ip + 6]!;
      l4 = ip + 40;
      end = l4 + payloadLen;
      o.source = this.v6Text(data, ip + 8);
      o.destination = this.v6Text(data, ip + 24);
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
    this.srcPort = o.srcPort;
    this.dstPort = o.dstPort;
    const ip = o.ipVersion === 4 ? l4 - 20 : l4 - 40;
    const slot = this.tcpStreams.rawSlot(rawKey(data, ip, o.ipVersion === 4, o.srcPort, o.dstPort), this);
    const flags = hdrWord & 0xfff;
    const seq = data.readUInt32BE(l4 + 4);
    const conv = this.tcpStreams.ofSlot(slot, flags, seq);
    o.completenessBefore = conv.completeness;
    trackTcp(conv, slot.dir, flags, seq, data.readUInt32BE(l4 + 8), end - l4 - hlen);
    o.streamId = conv.index;
    o.dir = slot.dir;
    return true;
  }

  private udp(data: Buffer, l4: number, end: number): boolean {
    if (data.length < l4 + 8) return false;
    const o = this.out;
    const srcPort = data.readUInt16BE(l4);
    const dstPort = data.readUInt16BE(l4 + 2);
    const length = data.readUInt16BE(l4 + 4);
    // UDP tunnels (VXLAN, Geneve, L2TP, IPsec's UDP 4500, ...) carry frames the full Dissector
    // takes apart: the Dissector's own table says which ports, as for PairTap.
    const tunnels = this.fallback.udpTunnels;
    if (length < 8 || l4 + length > end || tunnels.has(srcPort) || tunnels.has(dstPort)) return false;
    o.srcPort = srcPort;
    o.dstPort = dstPort;
    o.protocol = 'UDP';
    this.srcPort = srcPort;
    this.dstPort = dstPort;
    const ip = o.ipVersion === 4 ? l4 - 20 : l4 - 40;
    const entry = this.udpStreams.rawStream(rawKey(data, ip, o.ipVersion === 4, srcPort, dstPort), this);
    o.streamId = entry.stream;
    o.dir = entry.dir;
    return true;
  }

  /** udp.stream of a conversation key seen so far (-1 when none): the final numbering, UDP has no reuse rule. */
  knownUdpStream(key: string): number {
    return this.udpStreams.known(key);
  }

  sourceText(): string {
    return this.out.source;
  }

  destinationText(): string {
    return this.out.destination;
  }

  private v4Text(data: Buffer, at: number): string {
    const key = data.readUInt32BE(at);
    let text = this.v4Texts.get(key);
    if (text === undefined) {
      text = ipv4Text(data, at);
      this.v4Texts.set(key, text);
    }
    return text;
  }

  private v6Text(data: Buffer, at: number): string {
    const key = String.fromCharCode(word(data, at), word(data, at + 2), word(data, at + 4), word(data, at + 6), word(data, at + 8), word(data, at + 10), word(data, at + 12), word(data, at + 14));
    let text = this.v6Texts.get(key);
    if (text === undefined) {
      text = ipv6Text(data, at);
      this.v6Texts.set(key, text);
    }
    return text;
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
