/** Small helpers shared by the routing-protocol dissectors (PIM, OSPF, VRRP, IGMP, SCTP). */
import type { Layer } from './model';

/** What tshark appends to the Info column when a layer stopped early: its expert note. */
export function statusSuffix(layer: Layer): string {
  if (layer.status === 'malformed') return '[Malformed Packet]';
  if (layer.status === 'truncated') return '[Packet size limited during capture]';
  return '';
}

/** The "should be" value tshark prints for a bad Internet checksum (in_cksum_shouldbe). */
export function checksumShouldBe(received: number, computed: number): number {
  let sum = received + computed;
  sum = (sum & 0xffff) + (sum >>> 16);
  return (sum & 0xffff) + (sum >>> 16);
}
