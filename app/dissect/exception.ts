/**
 * The exception that ended a packet's dissection, as Wireshark's show_exception reports it: the
 * layer cut short by the capture (`[Packet size limited during capture: DNS truncated]`) or
 * contradicting itself (`[Malformed Packet: ARP/RARP]`), which -V, -T json and the Info column
 * name after everything the packet showed.
 */
import type { Layer } from './model';

/**
 * The first layer cut short or malformed, not counting what an ICMP error quotes (Wireshark
 * dissects a quoted packet without exceptions for lengths it contradicts).
 */
export function exceptionLayer(layers: readonly Layer[]): Layer | undefined {
  for (const layer of layers) {
    if (layer.status !== 'ok') return layer;
    if (layer.protocol === 'icmp' || layer.protocol === 'icmpv6') return undefined;
  }
  return undefined;
}
