/** The Internet checksum (RFC 1071), used to report ICMP/ICMPv6 checksum status as tshark does. */

/** One's-complement sum of data[offset, end), folded to 16 bits, starting from `initial`. */
export function onesComplementSum(data: Buffer, offset: number, end: number, initial = 0): number {
  let sum = initial;
  let i = offset;
  for (; i + 1 < end; i += 2) sum += (data[i]! << 8) | data[i + 1]!;
  if (i < end) sum += data[i]! << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 0x10000);
  return sum;
}

/** True when the checksum over the bytes (plus a pseudo-header sum) verifies. */
export function checksumOk(data: Buffer, offset: number, end: number, pseudo = 0): boolean {
  return onesComplementSum(data, offset, end, pseudo) === 0xffff;
}

/** Sum of the IPv6 pseudo-header (RFC 8200 8.1) for an upper-layer checksum. */
export function ipv6PseudoSum(src: Buffer, dst: Buffer, length: number, nextHeader: number): number {
  let sum = onesComplementSum(src, 0, 16) + onesComplementSum(dst, 0, 16);
  sum += Math.floor(length / 0x10000) + (length & 0xffff) + nextHeader;
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 0x10000);
  return sum;
}
