/**
 * The per-packet working state of one Dissector.dissect() call: the layers built so far, the
 * protocol chain for frame.protocols and the summary columns that lower layers set and higher
 * layers overwrite (as Wireshark's columns behave).
 */
import type { FieldSelection } from './builder';
import { macText } from './format';
import { emptyLayout, type FrameInput, type FrameLayout, type Layer, type LayerStatus, type TapEvent } from './model';

export class PacketState {
  readonly layers: Layer[] = [];
  /** Protocol chain as frame.protocols prints it ('eth', 'ethertype', 'ip', 'tcp', ...). */
  readonly protocols: string[] = [];
  src = '';
  dst = '';
  protocolColumn = '';
  info = '';
  /** Put before the Info column whatever sets it later (tshark's "[TCP Retransmission] " and the like, behind a column fence). */
  infoPrefix = '';
  /** Info that was appended after a separator (AppResult.infoAppended): if it stays, ", " follows infoPrefix. */
  infoAppended: string | null = null;
  status: LayerStatus = 'ok';
  /**
   * > 0 while dissecting headers quoted inside an ICMP error: they add layers but must not change
   * the columns, start streams or feed reassembly (Wireshark does the same).
   */
  quoted = 0;
  /** Network source/destination of the innermost IP header, for transport conversation keys. */
  netSrc = '';
  netDst = '';
  /** TTL / hop limit of the innermost IP header (ICMP echo Info lines show it). */
  ttl = 0;
  /** The bytes holding the innermost IPv6 header and where it starts (ICMPv6's pseudo-header checksum reads its addresses). */
  ipv6Data: Buffer | null = null;
  ipv6At = 0;
  /**
   * Where in ipv6Data the addresses of Wireshark's pinfo->src and pinfo->dst are: the header's,
   * or a Home Address option's and a routing header's final address (ICMPv6 checksums them).
   */
  ipv6SrcAt = 0;
  ipv6DstAt = 0;
  /** Ethertype / IP-protocol hand-offs so far (bounds tunnel nesting). */
  handoffs = 0;
  /** Set when the bytes being dissected come from a reassembled buffer (reassembledData). */
  reassembled = false;
  reassembledData: Buffer | null = null;
  /** The frame's layer table (see FrameLayout), filled by the link, IP and transport dissectors. */
  readonly layout: FrameLayout;
  /** Set by the IP dissectors: the innermost IP header is a fragment (the layout is then not simple). */
  fragment = false;

  constructor(
    readonly frame: FrameInput,
    /** The fields to build when no tree is wanted (see LayerBuilder); undefined for the whole tree. */
    readonly selection?: FieldSelection,
    /** False when no one reads the summary columns. */
    readonly columns = true,
    /** Payload layers are dissected even when nobody names them (DissectOptions.applications). */
    readonly applications: boolean | ((tcp: boolean, stream: number) => boolean) = false,
    /** Record tap events (DissectOptions.taps). */
    taps = true,
  ) {
    this.layout = emptyLayout(taps);
  }

  /** The destination port of the latest UDP header (Wireshark's pinfo->destport, which IP inside a tunnel keeps), -1 none. */
  udpDstPort = -1;

  /** Set at an ICMP/ICMPv6 header or a UDP header with an impossible length: no tap event after it. */
  tapsClosed = false;

  /**
   * Records a tap event (FrameLayout.taps) for the layer about to be added (the next addLayer),
   * unless inside an ICMP quote or after the taps closed.
   */
  tap(kind: TapEvent['kind'], src: string, dst: string, srcPort = -1, dstPort = -1, stream = -1, tcpFlags = 0): TapEvent | null {
    const taps = this.layout.taps;
    if (taps === null || this.quoted || this.tapsClosed) return null;
    const event: TapEvent = { kind, src, dst, data: null, srcAt: 0, dstAt: 0, srcPort, dstPort, stream, tcpFlags, layer: this.layers.length, pending: false };
    taps.push(event);
    return event;
  }

  /** An IP header outside any ICMP quote: the layout's innermost so far (a transport found before it, as a tunnel's, no longer counts). */
  setIpLayout(offset: number, version: 4 | 6, protocol: number, src: string, dst: string): void {
    const l = this.layout;
    l.ipOffset = offset;
    l.ipVersion = version;
    l.ipProtocol = protocol;
    l.netSrc = src;
    l.netDst = dst;
    l.srcPort = l.dstPort = l.stream = -1;
    l.dir = 0;
    l.tcpFlags = l.seqRaw = l.ackRaw = l.segmentLength = l.completenessBefore = 0;
    l.payloadOffset = -1;
    l.payloadEnd = 0;
    l.payloadData = null;
    l.transportLayer = -1;
    this.fragment = false;
  }

  /** A transport header outside any ICMP quote; its layer is the next one added. */
  setTransportLayout(srcPort: number, dstPort: number, stream: number, dir: 0 | 1): void {
    const l = this.layout;
    l.srcPort = srcPort;
    l.dstPort = dstPort;
    l.stream = stream;
    l.dir = dir;
    l.transportLayer = this.layers.length;
  }

  addLayer(layer: Layer, chainName: string = layer.protocol): void {
    // A layer over bytes its dissector decoded (an HTTP body uncompressed) keeps its own buffer.
    if (this.reassembled && layer.sourceName === undefined) {
      markReassembled(layer);
      if (this.reassembledData !== null) layer.data = this.reassembledData;
    }
    this.layers.push(layer);
    if (chainName) this.protocols.push(chainName);
    this.noteStatus(layer.status);
  }

  noteStatus(status: LayerStatus): void {
    if (status === 'malformed' || (status === 'truncated' && this.status === 'ok')) this.status = status;
  }

  setColumns(src: string, dst: string): void {
    if (this.quoted) return;
    this.src = src;
    this.dst = dst;
    this.macColumns = null;
  }

  /**
   * Ethernet addresses data[srcAt, +6) and data[dstAt, +6) as the columns: made into text only
   * when no later header sets its own (finishColumns), as most do.
   */
  setMacColumns(data: Buffer, srcAt: number, dstAt: number): void {
    if (this.quoted) return;
    this.macColumns = data;
    this.macSrcAt = srcAt;
    this.macDstAt = dstAt;
  }

  /** A new Source column only (an IPv6 header cut in its destination address keeps the one below). */
  setSourceColumn(src: string): void {
    if (this.quoted) return;
    this.finishColumns();
    this.src = src;
  }

  /** Makes the Ethernet address columns text when they are still the columns. */
  finishColumns(): void {
    const data = this.macColumns;
    if (data === null) return;
    this.src = macText(data, this.macSrcAt);
    this.dst = macText(data, this.macDstAt);
    this.macColumns = null;
  }

  private macColumns: Buffer | null = null;
  private macSrcAt = 0;
  private macDstAt = 0;

  setProtocol(protocolColumn: string, info: string): void {
    if (this.quoted) return;
    this.protocolColumn = protocolColumn;
    this.info = info;
  }

  /**
   * An empty Protocol column that stays empty (a dissector that sets none, as user_dlt): the
   * Dissector then does not name the last layer's protocol there.
   */
  keepProtocolEmpty(): void {
    this.protocolColumn = '';
    this.protocolEmpty = true;
  }

  /** keepProtocolEmpty() was called. */
  protocolEmpty = false;
}

function markReassembled(layer: Layer): void {
  layer.source = 'reassembled';
  const stack = [...layer.fields];
  while (stack.length) {
    const f = stack.pop()!;
    f.source = 'reassembled';
    if (f.children) stack.push(...f.children);
  }
}
