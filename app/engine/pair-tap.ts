/**
 * PairTapFeeder: feeds conversation and endpoint reports (app/stats) at a few hundred nanoseconds a
 * frame instead of the full Dissector's ~40 µs. For the frames the light path can read (see
 * PairTap in app/stats/report.ts) it reads the headers straight from the bytes and hands the
 * reports a PairTap; every other frame (ARP, VLAN, tunnels, fragments, ICMP errors, extension
 * headers, other link types) goes through a full Dissector, in order, as before.
 *
 * Stream numbers must be the Dissector's (tcp.stream, udp.stream: tshark splits a reused 4-tuple
 * into two conversations), whichever path a frame takes. So the Dissector's TCP stream table is
 * replaced by SharedTcpStreams and its UDP numbering by ours: one table, two doors. The Dissector
 * looks conversations up by address text; the light path by a key made of the raw header words
 * (no text per frame), which leads to the same entry: text is made once per direction of a
 * 4-tuple, on its first frame.
 *
 *   if (PairTapFeeder.canFeed(reports)) {
 *     const feeder = new PairTapFeeder(reports);
 *     for (const p of packets) feeder.feed(p.buf, p.start, p.capLen, p.linkType, p.origLen, p.tsSec, p.tsNsec, p.flags);
 *   }
 */
import { Dissector } from '../dissect/dissector';
import { ipv4Text, ipv6Text } from '../dissect/format';
import type { AppContext, AppDissector, DissectedPacket, DissectOptions } from '../dissect/model';
import type { TcpStreamTable } from '../dissect/tcp-streams';
import type { PairTap, StatisticsReport } from '../stats/report';
import { rawKey, SharedTcpStreams, SharedUdpStreams, trackTcp, word } from '../dissect/shared-streams';
import type { LightColumns } from './light-decoder';

const LINKTYPE_ETHERNET = 1;
const LINKTYPE_RAW = 101;
const LINKTYPE_LINUX_SLL = 113;
const LINKTYPE_IPV4 = 228;
const LINKTYPE_IPV6 = 229;
const LINKTYPE_LINUX_SLL2 = 276;

/** The reused PairTap of the feeder, with what application() needs to look at the payload. */
class LightTap implements PairTap {
  data: Buffer = Buffer.alloc(0);
  ethOffset = -1;
  ipOffset = 0;
  ipVersion: 4 | 6 = 4;
  ipProtocol = 0;
  srcPort = -1;
  dstPort = -1;
  stream = -1;
  dir: 0 | 1 = 0;
  tcpFlags = 0;
  origLen = 0;
  relSec = 0;
  relNsec = 0;
  /** The frame is data[frameStart, frameStart + capLen): data may be a reader's whole buffer. */
  frameStart = 0;
  capLen = 0;
  /** TCP/UDP payload [payloadStart, payloadEnd) in data, payloadStart -1 when none is dissected. */
  payloadStart = -1;
  payloadEnd = 0;

  constructor(private readonly dissector: Dissector) {}

  sourceText(): string {
    return this.ipVersion === 4 ? ipv4Text(this.data, this.ipOffset + 12) : ipv6Text(this.data, this.ipOffset + 8);
  }

  destinationText(): string {
    return this.ipVersion === 4 ? ipv4Text(this.data, this.ipOffset + 16) : ipv6Text(this.data, this.ipOffset + 24);
  }

  /** Dissector.byPort's choice (lower port, higher port, heuristics), without dissecting. */
  application(): string | null {
    if (this.payloadStart < 0) return null;
    const udp = this.ipProtocol === 17;
    const table = udp ? this.dissector.udpPorts : this.dissector.tcpPorts;
    const low = Math.min(this.srcPort, this.dstPort);
    const high = Math.max(this.srcPort, this.dstPort);
    const app = table.get(low) ?? table.get(high);
    if (app === undefined) return this.heuristic(udp)?.protocol ?? null;
    // A dissector that may decline its port's payload says whether it takes this one.
    if (app.claims && !this.claimed(app, udp)) return null;
    return app.protocol;
  }

  private context(udp: boolean): AppContext {
    return { transport: udp ? 'udp' : 'tcp', srcPort: this.srcPort, dstPort: this.dstPort, frameNumber: 0, src: this.sourceText(), dst: this.destinationText() };
  }

  private claimed(app: AppDissector, udp: boolean): boolean {
    const frame = this.data.subarray(this.frameStart, this.frameStart + this.capLen);
    try {
      return app.claims!(frame, this.payloadStart - this.frameStart, this.payloadEnd - this.frameStart, this.context(udp));
    } catch {
      return false;
    }
  }

  private heuristic(udp: boolean): AppDissector | undefined {
    const ctx = this.context(udp);
    // The heuristics see the frame's own bytes, as in the Dissector (they bound reads by data.length).
    const frame = this.data.subarray(this.frameStart, this.frameStart + this.capLen);
    const start = this.payloadStart - this.frameStart;
    const end = this.payloadEnd - this.frameStart;
    return this.dissector.heuristics.find((h) => {
      try {
        return h.heuristic!(frame, start, end, ctx);
      } catch {
        return false;
      }
    });
  }
}

/** A frame's stream and direction as another light path found them. */
type Known = Pick<LightColumns, 'streamId' | 'dir'>;

export class PairTapFeeder {
  /** Frames fed, and those the full Dissector took. */
  frames = 0;
  fallbackFrames = 0;
  readonly dissector = new Dissector();
  private readonly tcp = new SharedTcpStreams();
  private readonly udp = new SharedUdpStreams();
  private readonly tap = new LightTap(this.dissector);
  private firstSec = 0;
  private firstNsec = 0;

  /** True when every report takes PairTaps (and there is one): only then may this feeder be used. */
  static canFeed(reports: readonly StatisticsReport[]): boolean {
    return reports.length > 0 && reports.every((r) => r.takesPairTaps === true && typeof r.addTap === 'function');
  }

  constructor(
    private readonly reports: readonly StatisticsReport[],
    /** How feed() dissects the frames the light path cannot read (reportDissectOptions); undefined: the whole tree. */
    private readonly dissectOptions?: DissectOptions,
  ) {
    if (!PairTapFeeder.canFeed(reports)) throw new Error('PairTapFeeder: a report does not take PairTaps; feed it dissected packets instead');
    (this.dissector as { tcpStreams: TcpStreamTable }).tcpStreams = this.tcp;
    this.dissector.udpStream = (key: string) => this.udp.byKey(key);
  }

  /**
   * Feeds the next frame, in capture order (stream numbers depend on it): its captured bytes are
   * buf[start, start + capLen) (buf may hold other frames: no Buffer per frame on the light path).
   */
  feed(buf: Buffer, start: number, capLen: number, linkType: number, origLen: number, tsSec: number, tsNsec: number, flags: number): void {
    this.clock(tsSec, tsNsec);
    if (this.read(buf, start, capLen, linkType, origLen, null)) {
      this.addTap(origLen);
      return;
    }
    const data = start === 0 && capLen === buf.length ? buf : buf.subarray(start, start + capLen);
    const tsNs = BigInt(tsSec) * 1_000_000_000n + BigInt(tsNsec);
    this.addPacket(this.dissector.dissect({ number: this.frames, tsNs, data, origLen, linkType, flags }, this.dissectOptions), data, tsNs, origLen);
  }

  /**
   * Feeds the next frame as a LightDecoder with `fallbackApps` decoded it (the store's indexing
   * pass): its stream and direction on the light path, or its fallback packet, come from that
   * decoder, whose stream tables number them; this feeder's own tables are not used.
   */
  feedDecoded(decoded: Pick<LightColumns, 'streamId' | 'dir' | 'packet'>, buf: Buffer, start: number, capLen: number, linkType: number, origLen: number, tsSec: number, tsNsec: number): void {
    this.clock(tsSec, tsNsec);
    if (decoded.packet === null && this.read(buf, start, capLen, linkType, origLen, decoded)) {
      this.addTap(origLen);
      return;
    }
    if (decoded.packet === null) throw new Error('PairTapFeeder.feedDecoded: the light path read a frame the PairTap path cannot (the two must accept the same frames)');
    const data = start === 0 && capLen === buf.length ? buf : buf.subarray(start, start + capLen);
    this.addPacket(decoded.packet, data, BigInt(tsSec) * 1_000_000_000n + BigInt(tsNsec), origLen);
  }

  /** Counts the frame and sets the time since the first one. */
  private clock(tsSec: number, tsNsec: number): void {
    if (this.frames++ === 0) {
      this.firstSec = tsSec;
      this.firstNsec = tsNsec;
    }
    let relSec = tsSec - this.firstSec;
    let relNsec = tsNsec - this.firstNsec;
    if (relNsec < 0) {
      relNsec += 1e9;
      relSec -= 1;
    }
    this.tap.relSec = relSec;
    this.tap.relNsec = relNsec;
  }

  private addTap(origLen: number): void {
    const tap = this.tap;
    tap.origLen = origLen;
    for (const report of this.reports) report.addTap!(tap);
  }

  private addPacket(packet: DissectedPacket, data: Buffer, tsNs: bigint, origLen: number): void {
    this.fallbackFrames++;
    const relNs = BigInt(this.tap.relSec) * 1_000_000_000n + BigInt(this.tap.relNsec);
    for (const report of this.reports) report.add({ packet, data, tsNs, capLen: data.length, origLen, relNs });
  }

  /**
   * Fills the tap when the light path knows the frame; false leaves it to the Dissector. `known`:
   * the stream and direction another light path (LightDecoder) found, instead of our tables.
   */
  private read(data: Buffer, start: number, capLen: number, linkType: number, origLen: number, known: Known | null): boolean {
    const tap = this.tap;
    let ip: number;
    let ethertype: number;
    tap.ethOffset = -1;
    switch (linkType) {
      case LINKTYPE_ETHERNET:
        if (capLen < 14) return false;
        ethertype = word(data, start + 12);
        tap.ethOffset = start;
        ip = start + 14;
        break;
      case LINKTYPE_LINUX_SLL:
        if (capLen < 16) return false;
        ethertype = word(data, start + 14);
        ip = start + 16;
        break;
      case LINKTYPE_LINUX_SLL2:
        if (capLen < 20) return false;
        ethertype = word(data, start);
        ip = start + 20;
        break;
      case LINKTYPE_RAW:
        if (capLen < 1) return false;
        ethertype = data[start]! >> 4 === 4 ? 0x0800 : data[start]! >> 4 === 6 ? 0x86dd : -1;
        ip = start;
        break;
      // These link types name the IP version: the Dissector reads what they say, whatever the bytes.
      case LINKTYPE_IPV4:
        ethertype = 0x0800;
        ip = start;
        break;
      case LINKTYPE_IPV6:
        ethertype = 0x86dd;
        ip = start;
        break;
      default:
        return false;
    }
    // Offsets below are into data; the frame's captured bytes end at capEnd, its wire length at wireEnd.
    const capEnd = start + capLen;
    const wireEnd = start + Math.max(origLen, capLen);
    let l4: number;
    let end: number;
    let proto: number;
    if (ethertype === 0x0800) {
      if (capEnd < ip + 20 || data[ip] !== 0x45) return false;
      const totalLen = word(data, ip + 2);
      // Fragments, options, TSO (length 0) and short lengths: the Dissector decides.
      if ((word(data, ip + 6) & 0x3fff) !== 0 || totalLen < 20 || ip + totalLen > wireEnd) return false;
      proto = data[ip + 9]!;
      l4 = ip + 20;
      end = ip + totalLen;
      tap.ipVersion = 4;
    } else if (ethertype === 0x86dd) {
      if (capEnd < ip + 40 || data[ip]! >> 4 !== 6) return false;
      const payloadLen = word(data, ip + 4);
      if (payloadLen === 0 || ip + 40 + payloadLen > wireEnd) return false;
      proto = data[ip + 6]!;
      l4 = ip + 40;
      end = l4 + payloadLen;
      tap.ipVersion = 6;
    } else return false;
    tap.data = data;
    tap.frameStart = start;
    tap.capLen = capLen;
    tap.ipOffset = ip;
    tap.ipProtocol = proto;
    tap.stream = -1;
    tap.dir = 0;
    tap.tcpFlags = 0;
    tap.srcPort = -1;
    tap.dstPort = -1;
    tap.payloadStart = -1;
    if (proto === 6) return this.readTcp(data, capEnd, ip, l4, end, known);
    if (proto === 17) return this.readUdp(data, capEnd, ip, l4, end, known);
    // Echo request/reply only: error messages quote headers, which taps must not count.
    if (proto === 1 && tap.ipVersion === 4) return capEnd > l4 && (data[l4] === 0 || data[l4] === 8);
    // ICMPv6 informational messages (echo, MLD, neighbour discovery) quote no headers.
    if (proto === 58 && tap.ipVersion === 6) return capEnd > l4 && data[l4]! >= 128 && data[l4]! <= 137;
    return false;
  }

  private readTcp(data: Buffer, capEnd: number, ip: number, l4: number, end: number, known: Known | null): boolean {
    if (capEnd < l4 + 20 || end - l4 < 20) return false;
    const hdrWord = word(data, l4 + 12);
    const hlen = (hdrWord >> 12) * 4;
    if (hlen < 20 || hlen > end - l4) return false;
    const tap = this.tap;
    tap.srcPort = word(data, l4);
    tap.dstPort = word(data, l4 + 2);
    const flags = hdrWord & 0xfff;
    tap.tcpFlags = flags;
    const segLen = end - l4 - hlen;
    if (known !== null) {
      tap.dir = known.dir;
      tap.stream = known.streamId;
    } else {
      const slot = this.tcp.rawSlot(rawKey(data, ip, tap.ipVersion === 4, tap.srcPort, tap.dstPort), tap);
      tap.dir = slot.dir;
      const seq = data.readUInt32BE(l4 + 4);
      const conv = this.tcp.ofSlot(slot, flags, seq);
      trackTcp(conv, slot.dir, flags, seq, data.readUInt32BE(l4 + 8), segLen);
      tap.stream = conv.index;
    }
    // The Dissector hands a payload on only when the whole header was captured (else it stops there).
    if (segLen > 0 && capEnd >= l4 + hlen) {
      tap.payloadStart = l4 + hlen;
      tap.payloadEnd = end;
    }
    return true;
  }

  private readUdp(data: Buffer, capEnd: number, ip: number, l4: number, end: number, known: Known | null): boolean {
    if (capEnd < l4 + 8) return false;
    const srcPort = word(data, l4);
    const dstPort = word(data, l4 + 2);
    const length = word(data, l4 + 4);
    const tunnels = this.dissector.udpTunnels;
    if (length < 8 || l4 + length > end || tunnels.has(srcPort) || tunnels.has(dstPort)) return false;
    const tap = this.tap;
    tap.srcPort = srcPort;
    tap.dstPort = dstPort;
    if (known !== null) {
      tap.stream = known.streamId;
      tap.dir = known.dir;
    } else {
      const entry = this.udp.rawStream(rawKey(data, ip, tap.ipVersion === 4, srcPort, dstPort), tap);
      tap.stream = entry.stream;
      tap.dir = entry.dir;
    }
    if (length > 8) {
      tap.payloadStart = l4 + 8;
      tap.payloadEnd = l4 + length;
    }
    return true;
  }
}
