/**
 * Where tshark's tree puts a layer: most are top-level, but IPv6 extension headers appear inside
 * the IPv6 tree and an ICMP/ICMPv6 payload's Data inside the ICMP tree (`frame.protocols` still
 * lists them in line), and so does everything an ICMP message carries (a quoted IPv6 packet's
 * extension headers inside that packet's tree). -V and -T json follow the tree.
 */
import type { DissectedPacket, Layer } from '../../dissect/model';

export interface DisplayLayer {
  layer: Layer;
  inner: Layer[];
  /**
   * How deep each inner layer sits: 1 inside this layer, 2 inside the inner layer before it (the
   * Data of an echo request an ICMP error quotes is in that request's tree).
   */
  depths: number[];
}

/**
 * An ICMP message's tree holds its echo data or the packet an error quotes; the payload after a
 * quoted UDP header is shown at the top level again, after a quoted TCP header inside, as tshark does.
 */
function nestsIn(layer: Layer, parent: DisplayLayer | undefined): boolean {
  if (!parent) return false;
  if (layer.nested) return true;
  if (parent.layer.protocol === 'ipv6' && layer.protocol.startsWith('ipv6.')) return true;
  if (parent.layer.protocol !== 'icmp' && parent.layer.protocol !== 'icmpv6') return false;
  // (A quoted TCP segment's Data stays in the ICMP tree: packet-tcp.c hands it the tree it was given.)
  return layer.protocol !== 'data' || parent.inner.length === 0 || parent.inner[parent.inner.length - 1]!.protocol === 'tcp';
}

export function displayLayers(packet: DissectedPacket): DisplayLayer[] {
  const out: DisplayLayer[] = [];
  for (const layer of packet.layers) {
    const parent = out[out.length - 1];
    const last = parent?.inner[parent.inner.length - 1];
    const inIcmp = parent !== undefined && (parent.layer.protocol === 'icmp' || parent.layer.protocol === 'icmpv6');
    if (parent && layer.protocol === 'data' && (last?.protocol === 'icmp' || last?.protocol === 'icmpv6') && parent.depths[parent.depths.length - 1] === 1) {
      parent.inner.push(layer);
      parent.depths.push(2);
    } else if (inIcmp && layer.protocol.startsWith('ipv6.') && last !== undefined && (last.protocol === 'ipv6' || last.protocol.startsWith('ipv6.'))) {
      // The extension headers of an IPv6 packet an ICMPv6 error quotes are in that packet's tree.
      parent!.inner.push(layer);
      parent!.depths.push(2);
    } else if (inIcmp && layer.protocol === 'data' && last?.protocol === 'ipv6.fraghdr') {
      // A quoted fragment's bytes (never reassembled) are Data in the ICMP tree.
      parent!.inner.push(layer);
      parent!.depths.push(1);
    } else if (parent && nestsIn(layer, parent)) {
      parent.inner.push(layer);
      parent.depths.push(1);
    } else out.push({ layer, inner: [], depths: [] });
  }
  return out;
}
