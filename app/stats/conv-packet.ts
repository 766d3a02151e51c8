/**
 * What the conversation and endpoint tables need from one dissected packet: the addresses of each
 * Ethernet, IPv4 and IPv6 header and the TCP/UDP ports, read from the dissectors' fields.
 *
 * It mirrors where Wireshark's taps fire: once per header (an IP-in-IP or GRE packet yields two IP
 * pairs, as tshark counts it in both conversations), but never for the headers an ICMP error
 * quotes — tshark does not tap those, so an ICMP "port unreachable" adds nothing to the UDP table —
 * nor above a UDP header with an impossible length.
 */
import type { DissectedPacket, Field, Layer } from '../dissect/model';
import { macText } from '../dissect/format';
import type { PairTap } from './report';

export type ConversationKind = 'eth' | 'ip' | 'ipv6' | 'tcp' | 'udp';
export const CONVERSATION_KINDS: readonly ConversationKind[] = ['eth', 'ip', 'ipv6', 'tcp', 'udp'];

/** One tap event: a source and a destination, with ports and stream index for TCP/UDP. */
export interface AddressPair {
  src: string;
  dst: string;
  srcPort: number | null;
  dstPort: number | null;
  /** tcp.stream / udp.stream: tshark keeps a reused 4-tuple as separate conversations. */
  stream: number | null;
  /** For TCP: the flag bits of this segment (tcp.flags), else 0. */
  tcpFlags: number;
  /** The protocol carried above TCP/UDP in this packet ('http', 'tls', 'dns'), or null. */
  application: string | null;
}

/**
 * The fields addressPairs(packet, kind) and relativeTimeNs read (StatisticsReport.reads) of a
 * packet the Dissector made with tap events (ReportReads.taps): they hold the addresses, so only the time.
 */
export function addressPairFields(_kind: ConversationKind): string[] {
  return ['frame.time_relative'];
}

/**
 * The fields addressPairs reads of a packet without a layout (made by hand: tests). TCP/UDP
 * pairs take their addresses from the IP header below; every kind reads udp.length (a bad UDP
 * length ends what taps see) and the IPv6 fragment fields (a pending fragment is not tapped).
 */
export function addressPairFieldsWithoutLayout(kind: ConversationKind): string[] {
  const common = ['frame.time_relative', 'udp.length', 'ipv6.fragments', 'ipv6.fraghdr.offset', 'ipv6.fraghdr.more'];
  switch (kind) {
    case 'eth': return [...common, 'eth.src', 'eth.dst'];
    case 'ip': return [...common, 'ip.src', 'ip.dst'];
    case 'ipv6': return [...common, 'ipv6.src', 'ipv6.dst'];
    case 'tcp': return [...common, 'ip.src', 'ip.dst', 'ipv6.src', 'ipv6.dst', 'tcp.srcport', 'tcp.dstport', 'tcp.stream', 'tcp.flags'];
    case 'udp': return [...common, 'ip.src', 'ip.dst', 'ipv6.src', 'ipv6.dst', 'udp.srcport', 'udp.dstport', 'udp.stream'];
  }
}

/** Protocols whose layers end the part of the packet that taps see (what follows is quoted). */
const QUOTING_PROTOCOLS = new Set(['icmp', 'icmpv6']);
/** Layers above TCP/UDP that name no application: raw payload, not a protocol. */
const NOT_AN_APPLICATION = new Set(['data', 'tcp.segments', 'tcp.analysis']);

function topField(layer: Layer, abbrev: string): Field | undefined {
  for (const f of layer.fields) if (f.abbrev === abbrev) return f;
  return undefined;
}

function numberOf(field: Field | undefined): number | null {
  if (!field) return null;
  const v = field.value;
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  const n = Number(field.text);
  return Number.isFinite(n) && field.text !== '' ? n : null;
}

function addressPair(layer: Layer, srcName: string, dstName: string): { src: string; dst: string } | null {
  const src = topField(layer, srcName);
  const dst = topField(layer, dstName);
  if (!src || !dst || src.text === '' || dst.text === '') return null;
  return { src: src.text, dst: dst.text };
}

/**
 * tshark taps an IPv6 header only once its packet is whole: a fragment that does not complete a
 * reassembly (its fragment header carries no ipv6.fragments list) adds nothing to IPv6 tables,
 * while every IPv4 fragment counts.
 */
function isPendingIpv6Fragment(layers: readonly Layer[], k: number, end: number): boolean {
  for (let j = k + 1; j < end; j++) {
    const layer = layers[j]!;
    if (layer.protocol === 'ip' || layer.protocol === 'ipv6') return false;
    if (layer.protocol !== 'ipv6.fraghdr') continue;
    if (topField(layer, 'ipv6.fragments')) return false;
    const atomic = numberOf(topField(layer, 'ipv6.fraghdr.offset')) === 0 && numberOf(topField(layer, 'ipv6.fraghdr.more')) === 0;
    return !atomic;
  }
  return false;
}

/**
 * A UDP length below 8 (BIG TCP's 0, fuzzed files) ends tshark's dissection before its UDP tap
 * fires ("BAD UDP LENGTH"); nothing above it is tapped either. Other malformed headers still tap.
 */
function isBadUdpLength(layer: Layer): boolean {
  if (layer.protocol !== 'udp' || layer.status !== 'malformed') return false;
  const length = numberOf(topField(layer, 'udp.length'));
  return length !== null && length < 8;
}

/** The first protocol above layer k that names an application, or null. */
export function applicationAbove(layers: readonly Layer[], k: number, end: number): string | null {
  for (let j = k + 1; j < end; j++) {
    const p = layers[j]!.protocol;
    if (!NOT_AN_APPLICATION.has(p)) return p;
  }
  return null;
}

/**
 * The address pairs of `kind` in this packet, in header order (outermost first). TCP/UDP pairs
 * take their addresses from the nearest IPv4/IPv6 header below them, as tshark's taps do.
 */
export function addressPairs(packet: DissectedPacket, kind: ConversationKind): AddressPair[] {
  const layers = packet.layers;
  if (packet.layout?.taps) return tapPairs(packet, kind);
  let end = layers.length;
  for (let k = 0; k < layers.length; k++) {
    if (QUOTING_PROTOCOLS.has(layers[k]!.protocol) || isBadUdpLength(layers[k]!)) {
      end = k;
      break;
    }
  }
  const out: AddressPair[] = [];
  let network: { src: string; dst: string } | null = null;
  for (let k = 0; k < end; k++) {
    const layer = layers[k]!;
    const protocol = layer.protocol;
    if (protocol === 'ip' || protocol === 'ipv6') {
      const pair = addressPair(layer, `${protocol}.src`, `${protocol}.dst`);
      network = pair;
      if (pair && kind === protocol && !(protocol === 'ipv6' && isPendingIpv6Fragment(layers, k, end))) out.push({ ...pair, srcPort: null, dstPort: null, stream: null, tcpFlags: 0, application: null });
    } else if (protocol === 'eth' && kind === 'eth') {
      const pair = addressPair(layer, 'eth.src', 'eth.dst');
      if (pair) out.push({ ...pair, srcPort: null, dstPort: null, stream: null, tcpFlags: 0, application: null });
    } else if ((protocol === 'tcp' || protocol === 'udp') && kind === protocol && network) {
      const srcPort = numberOf(topField(layer, `${protocol}.srcport`));
      const dstPort = numberOf(topField(layer, `${protocol}.dstport`));
      const stream = numberOf(topField(layer, `${protocol}.stream`));
      // Without a stream index the header did not parse far enough for tshark's tap to fire.
      if (srcPort === null || dstPort === null || stream === null) continue;
      const tcpFlags = protocol === 'tcp' ? numberOf(topField(layer, 'tcp.flags')) ?? 0 : 0;
      out.push({ ...network, srcPort, dstPort, stream, tcpFlags, application: applicationAbove(layers, k, end) });
    }
  }
  return out;
}

/** addressPairs from the packet's tap events (FrameLayout.taps): no field read. */
function tapPairs(packet: DissectedPacket, kind: ConversationKind): AddressPair[] {
  const out: AddressPair[] = [];
  const layers = packet.layers;
  for (const event of packet.layout!.taps!) {
    if (event.kind !== kind || event.pending) continue;
    if (kind === 'eth') out.push({ src: macText(event.data!, event.srcAt), dst: macText(event.data!, event.dstAt), srcPort: null, dstPort: null, stream: null, tcpFlags: 0, application: null });
    else if (kind === 'ip' || kind === 'ipv6') out.push({ src: event.src, dst: event.dst, srcPort: null, dstPort: null, stream: null, tcpFlags: 0, application: null });
    else {
      // The application above stops where an ICMP quote starts, as addressPairs' end.
      let end = layers.length;
      for (let k = event.layer + 1; k < layers.length; k++) {
        if (QUOTING_PROTOCOLS.has(layers[k]!.protocol)) {
          end = k;
          break;
        }
      }
      out.push({ src: event.src, dst: event.dst, srcPort: event.srcPort, dstPort: event.dstPort, stream: event.stream, tcpFlags: event.tcpFlags, application: applicationAbove(layers, event.layer, end) });
    }
  }
  return out;
}

/**
 * frame.time_relative of the packet in nanoseconds (tshark's rel_ts: since the first frame of the
 * capture, whatever the display filter kept), or null when the frame layer lacks it.
 */
export function relativeTimeNs(packet: DissectedPacket): bigint | null {
  const frame = packet.layers[0];
  if (!frame || frame.protocol !== 'frame') return null;
  const f = topField(frame, 'frame.time_relative');
  if (!f) return null;
  return typeof f.value === 'bigint' ? f.value : typeof f.value === 'number' ? BigInt(Math.round(f.value)) : null;
}

const word = (data: Buffer, at: number): number => (data[at]! << 8) | data[at + 1]!;

/**
 * A key for one address (and port) of a PairTap, made of its raw header words: no text per
 * frame. `side` 'src' or 'dst'; kind 'eth' keys the MAC address, 'ip'/'ipv6' the IP address, and
 * 'tcp'/'udp' the IP address and port. Keys of different kinds must not share a map.
 */
export function tapEndpointKey(tap: PairTap, kind: ConversationKind, side: 'src' | 'dst'): string {
  const d = tap.data;
  if (kind === 'eth') {
    const at = tap.ethOffset + (side === 'src' ? 6 : 0);
    return String.fromCharCode(word(d, at), word(d, at + 2), word(d, at + 4));
  }
  const port = kind === 'tcp' || kind === 'udp' ? (side === 'src' ? tap.srcPort : tap.dstPort) : 0;
  if (tap.ipVersion === 4) {
    const at = tap.ipOffset + (side === 'src' ? 12 : 16);
    return String.fromCharCode(word(d, at), word(d, at + 2), port);
  }
  const at = tap.ipOffset + (side === 'src' ? 8 : 24);
  return String.fromCharCode(
    word(d, at), word(d, at + 2), word(d, at + 4), word(d, at + 6), word(d, at + 8), word(d, at + 10), word(d, at + 12), word(d, at + 14), port,
  );
}

/** Does this tap carry a tap event of `kind`? (Exactly one when it does: light frames have one header of each.) */
export function tapHas(tap: PairTap, kind: ConversationKind): boolean {
  switch (kind) {
    case 'eth': return tap.ethOffset >= 0;
    case 'ip': return tap.ipVersion === 4;
    case 'ipv6': return tap.ipVersion === 6;
    case 'tcp': return tap.ipProtocol === 6;
    case 'udp': return tap.ipProtocol === 17;
  }
}

/** The tap's source and destination texts for `kind` (MAC addresses for eth, IP otherwise). */
export function tapAddressText(tap: PairTap, kind: ConversationKind, side: 'src' | 'dst'): string {
  if (kind === 'eth') return macText(tap.data, tap.ethOffset + (side === 'src' ? 6 : 0));
  return side === 'src' ? tap.sourceText() : tap.destinationText();
}
