/**
 * tshark's -2: what a first pass over the whole capture learned, for a second pass to show.
 *
 * Wireshark dissects every frame once in order (the first pass), storing what each dissector
 * learns in conversation data; with -2 it dissects the frames again (PINFO_FD_VISITED), when
 * that data is final: a request shows the frame of its response, a TCP segment the frame its PDU
 * was reassembled in, a conversation its final completeness.
 *
 * Our choice: two Dissectors over the same frames in the same order, sharing one Hindsight. The
 * first records into it while `recalling` is false; the second, made after the first pass
 * ended, reads it (`recalling` true). So the second pass's cross-packet state (TCP analysis,
 * stream numbers, fragments) is built exactly as the first's, and only what needs the future
 * comes from here. Dissectors call the same methods in both passes: `link` records only while
 * recording, `later` answers only while recalling.
 */
import type { TcpConversation } from './tcp-streams';

/** Kinds of forward links a first pass records, by the frame they start from. */
export type HindsightLink =
  /** DNS request frame → its response frame (dns.response_in). */
  | 'dns.response_in'
  /** ICMP echo/timestamp/... request → reply (icmp.resp_in). */
  | 'icmp.resp_in'
  /** ICMPv6 echo request → reply (icmpv6.resp_in). */
  | 'icmpv6.resp_in'
  /** A TCP segment that a later frame's PDU took → that frame (tcp.reassembled_in). */
  | 'tcp.reassembled_in'
  /** An IPv4 fragment → the frame that completed the datagram (ip.reassembled_in). */
  | 'ip.reassembled_in'
  /** An IPv6 fragment → the frame that completed the datagram (ipv6.reassembled_in). */
  | 'ipv6.reassembled_in'
  /** An SMTP DATA fragment → the frame that ends the message (smtp.data.reassembled.in). */
  | 'smtp.data.reassembled.in'
  /** A POP DATA fragment → the frame that ends the message (pop.data.reassembled.in). */
  | 'pop.data.reassembled.in'
  /** A RADIUS request → its response (radius.rspframe). */
  | 'radius.rspframe'
  /** An AoE ATA request → its response (aoe.response_in). */
  | 'aoe.response_in'
  /** An NTP client request → the server's response (ntp.response_in). */
  | 'ntp.response_in'
  /** An EtherNet/IP CIP request → its response (enip.response_in). */
  | 'enip.response_in';

export class Hindsight {
  /** False during the first pass (recording), true during the second (reading). */
  recalling = false;
  private readonly links = new Map<HindsightLink, Map<string, number>>();
  /** The first pass's TCP conversations, by tcp.stream (their final completeness and iRTT). */
  private readonly tcp: TcpConversation[] = [];
  /** Objects a first-pass dissector hands to its second-pass twin (HTTP's transaction table). */
  private readonly shared = new Map<string, unknown>();

  /**
   * Records that `from` (a frame, or `frame|detail`) leads to frame `to`, unless it already leads
   * somewhere (a request's first response); ignored while recalling.
   */
  link(kind: HindsightLink, from: number | string, to: number): void {
    if (this.recalling) return;
    let map = this.links.get(kind);
    if (map === undefined) this.links.set(kind, (map = new Map()));
    const key = String(from);
    if (!map.has(key)) map.set(key, to);
  }

  /** While recalling: the frame the first pass linked `from` to (undefined when none, or while recording). */
  later(kind: HindsightLink, from: number | string): number | undefined {
    if (!this.recalling) return undefined;
    return this.links.get(kind)?.get(String(from));
  }

  /** Notes a first-pass TCP conversation under its stream number. */
  noteTcp(conv: TcpConversation): void {
    if (!this.recalling) this.tcp[conv.index] = conv;
  }

  /** While recalling: the first pass's conversation of tcp.stream `index`, as it ended. */
  tcpFinal(index: number): TcpConversation | undefined {
    return this.recalling ? this.tcp[index] : undefined;
  }

  /** State of the pass running now (a dissector's own table, begun afresh for the second pass). */
  private phaseState = new Map<string, unknown>();
  private phaseRecalling = false;

  /**
   * State kept under `key` for the pass running now, made by `make` at the pass's first call: for
   * dissectors that match only when -2 asks (they keep no table otherwise).
   */
  state<T>(key: string, make: () => T): T {
    if (this.phaseRecalling !== this.recalling) {
      this.phaseState = new Map();
      this.phaseRecalling = this.recalling;
    }
    let value = this.phaseState.get(key) as T | undefined;
    if (value === undefined) this.phaseState.set(key, (value = make()));
    return value;
  }

  /**
   * The object the first pass's dissector keeps under `key` (its own `mine` while recording, which
   * is then kept for the second pass).
   */
  share<T>(key: string, mine: T): T {
    if (!this.recalling) {
      this.shared.set(key, mine);
      return mine;
    }
    return (this.shared.get(key) as T | undefined) ?? mine;
  }
}
