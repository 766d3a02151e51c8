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

/** The standard CRC-32 (Wireshark's crc32_ccitt_tvb_offset) of data[start, stop): STUN's FINGERPRINT, NFS's file handle hashes. */
export function crc32(data: Buffer, start: number, stop: number): number {
  let c = 0xffffffff;
  for (let i = start; i < stop; i++) c = CRC32_TABLE[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

const CRC32_TABLE = reflectedTable(0xedb88320);

/** Wireshark's crc16_ccitt_tvb_offset (CRC-16/X-25: reflected 0x1021, initial and final 0xffff) of data[start, stop): NFSv4's stateid hashes. */
export function crc16Ccitt(data: Buffer, start: number, stop: number): number {
  let c = 0xffff;
  for (let i = start; i < stop; i++) c = CRC16_TABLE[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffff) & 0xffff;
}

const CRC16_TABLE = reflectedTable(0x8408);

function reflectedTable(poly: number): Uint32Array {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? poly ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
}
