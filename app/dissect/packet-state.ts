/**
 * The per-packet working state of one Dissector.dissect() call: the layers built so far, the
 * protocol chain for frame.protocols and the summary columns that lower layers set and higher
 * layers overwrite (as Wireshark's columns behave).
 */
import type { FrameInput, Layer, LayerStatus } from './model';

export class PacketState {
  readonly layers: Layer[] = [];
  /** Protocol chain as frame.protocols prints it ('eth', 'ethertype', 'ip', 'tcp', ...). */
  readonly protocols: string[] = [];
  src = '';
  dst = '';
  protocolColumn = '';
  info = '';
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
  /** Raw IPv6 addresses of the innermost IPv6 header, for ICMPv6's pseudo-header checksum. */
  ipv6Src: Buffer | null = null;
  ipv6Dst: Buffer | null = null;
  /** Ethertype / IP-protocol hand-offs so far (bounds tunnel nesting). */
  handoffs = 0;
  /** Set when the bytes being dissected come from a reassembled buffer. */
  reassembled = false;

  constructor(readonly frame: FrameInput) {}

  addLayer(layer: Layer, chainName: string = layer.protocol): void {
    if (this.reassembled) markReassembled(layer);
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
  }

  setProtocol(protocolColumn: string, info: string): void {
    if (this.quoted) return;
    this.protocolColumn = protocolColumn;
    this.info = info;
  }
}

function markReassembled(layer: Layer): void {
  const stack = [...layer.fields];
  while (stack.length) {
    const f = stack.pop()!;
    f.source = 'reassembled';
    if (f.children) stack.push(...f.children);
  }
}
