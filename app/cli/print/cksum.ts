/** Internet checksums for -v output, computed as tcpdump's in_cksum / in_cksum_shouldbe. */
import type { PrintContext } from './context';
import type { IpHeaderRef } from './ip';
import { ip6FinalDestination } from './ip6-ext';

/** One's-complement sum over byte ranges; returns the folded complement (0 when correct). */
export function internetChecksum(parts: ReadonlyArray<Uint8Array>): number {
  let sum = 0;
  let odd: number | undefined;
  for (const part of parts) {
    for (let i = 0; i < part.length; i++) {
      if (odd === undefined) odd = part[i]!;
      else {
        sum += (odd << 8) | part[i]!;
        odd = undefined;
      }
    }
  }
  if (odd !== undefined) sum += odd << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 0x10000);
  return ~sum & 0xffff;
}

/** The checksum value the field should have held, given the field and the computed result. */
export function checksumShouldBe(field: number, computed: number): number {
  let v = field + computed;
  v = (v & 0xffff) + (v >>> 16);
  v = (v & 0xffff) + (v >>> 16);
  return v;
}

/** Pseudo-header for TCP/UDP/ICMPv6 checksums over IPv4 or IPv6. */
export function pseudoHeader(src: Uint8Array, dst: Uint8Array, proto: number, length: number): Uint8Array {
  if (src.length === 4) {
    const b = Buffer.alloc(12);
    b.set(src, 0);
    b.set(dst, 4);
    b[9] = proto;
    b.writeUInt16BE(length & 0xffff, 10);
    return b;
  }
  const b = Buffer.alloc(40);
  b.set(src, 0);
  b.set(dst, 16);
  b.writeUInt32BE(length >>> 0, 32);
  b[39] = proto;
  return b;
}

/**
 * The pseudo-header of the IP header `ip` (tcpdump's nextproto4_cksum / nextproto6_cksum): over
 * IPv6 the destination is the final one a routing header names (ip6_finddst).
 */
export function ipPseudoHeader(ctx: PrintContext, ip: IpHeaderRef, proto: number, length: number): Uint8Array {
  if (ip.version === 4) return pseudoHeader(ctx.bytes(ip.offset + 12, 4), ctx.bytes(ip.offset + 16, 4), proto, length);
  return pseudoHeader(ctx.bytes(ip.offset + 8, 16), ctx.bytes(ip6FinalDestination(ctx, ip.offset), 16), proto, length);
}
