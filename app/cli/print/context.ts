/**
 * The state one packet's printing works in: the captured bytes, the current end of the bytes a
 * printer may read (tcpdump's `snapend`, which the IP printers pull in to the datagram's length),
 * the text printed so far, and the name of the protocol being printed (for the ` [|proto]` mark).
 *
 * Every read is bounds-checked: reading past `snapEnd` throws `Truncated`, and the top level turns
 * that into ` [|proto]`, exactly as tcpdump's GET_* macros longjmp to `nd_print_trunc`.
 */
import type { NameResolver } from './names';
import type { LineBuffer } from './line-buffer';
import type { TcpSeqTable } from './tcp-seq';
import { NfsXidMap } from './nfs-xid';

/** Thrown by a read past the captured bytes; caught by formatPacketLine, never escapes it. */
export class Truncated extends Error {
  constructor() {
    super('packet truncated');
  }
}

export interface PrintFlags {
  numeric: boolean;
  quick: boolean;
  linkHeader: boolean;
  verbose: number;
  absoluteTcpSequence: boolean;
  /** -x, -X and -q: no raw dump of payloads there is no printer for (tcpdump's suppress_default_print). */
  suppressDefaultPrint: boolean;
  /** -K: no IP, TCP or UDP checksum checks. */
  noChecksums: boolean;
  /** -X (tcpdump's ndo_Xflag): telnet prints its commands in hex with -vvv. */
  hexAscii: boolean;
}

/**
 * One PrintContext serves every packet of a PrintState (`reset` per packet): printing a million
 * packets then allocates no context or flags. Printed text goes straight into a LineBuffer as
 * UTF-8 bytes (see line-buffer.ts).
 */
export class PrintContext {
  /** Where this packet's line is appended. */
  out: LineBuffer;
  /**
   * The buffer holding the packet, which may hold other packets too (a reader's whole read
   * buffer): every offset printers use indexes `data` itself, starting at `start`.
   */
  data: Buffer;
  /** Offset of the packet's first byte in `data`. */
  start: number;
  /** Offset one past the last byte printers may read. */
  snapEnd: number;
  protocol = '';
  /**
   * Bytes of link-layer header the link printer went past (tcpdump's ndo_ll_hdr_len): -x, -X and -A
   * dump from there. Set when the printer hands the payload on; 0 when printing stopped at a
   * truncation, so that the whole packet is dumped, as tcpdump does.
   */
  linkHeaderLength = 0;

  constructor(
    data: Buffer,
    readonly flags: PrintFlags,
    public names: NameResolver,
    readonly tcpSeq: TcpSeqTable,
    out: LineBuffer,
    /** NFS calls seen, for their replies (print-nfs.c's xid_map). */
    readonly nfsXids: NfsXidMap = new NfsXidMap(),
  ) {
    this.data = data;
    this.start = 0;
    this.snapEnd = data.length;
    this.out = out;
  }

  /** Starts a new packet's line, appended to `out`: the packet is data[start, start + caplen). */
  reset(data: Buffer, start: number, caplen: number, names: NameResolver, out: LineBuffer): void {
    this.out = out;
    this.data = data;
    this.start = start;
    this.snapEnd = start + caplen;
    this.protocol = '';
    this.linkHeaderLength = 0;
    this.names = names;
  }

  print(text: string): void {
    this.out.text(text);
  }

  /** Prints a non-negative integer in decimal without making a string. */
  printUint(n: number): void {
    this.out.uint(n);
  }

  /** tcpdump's nd_print_trunc: ` [|proto]`. */
  printTrunc(): void {
    this.out.text(' [|');
    this.out.text(this.protocol);
    this.out.byte(0x5d);
  }

  /** `src > dst: `, the addresses already read (so a failed read prints nothing). */
  printAddressPair(src: string, dst: string): void {
    const out = this.out;
    out.text(src);
    out.text(' > ');
    out.text(dst);
    out.text(': ');
  }

  /** A TCP port or its /etc/services name. */
  printTcpPort(port: number): void {
    if (this.names.numeric) this.out.uint(port);
    else this.out.text(this.names.tcpPort(port));
  }

  /** A UDP port or its /etc/services name. */
  printUdpPort(port: number): void {
    if (this.names.numeric) this.out.uint(port);
    else this.out.text(this.names.udpPort(port));
  }

  has(offset: number, length: number): boolean {
    return offset >= this.start && length >= 0 && offset + length <= this.snapEnd;
  }

  check(offset: number, length: number): void {
    if (!this.has(offset, length)) throw new Truncated();
  }

  available(offset: number): number {
    return offset >= this.snapEnd ? 0 : this.snapEnd - offset;
  }

  // The checks above make Buffer's own bounds checks redundant: read the bytes directly.
  u8(offset: number): number {
    this.check(offset, 1);
    return this.data[offset]!;
  }

  u16(offset: number): number {
    this.check(offset, 2);
    const d = this.data;
    return (d[offset]! << 8) | d[offset + 1]!;
  }

  u32(offset: number): number {
    this.check(offset, 4);
    const d = this.data;
    return ((d[offset]! << 24) | (d[offset + 1]! << 16) | (d[offset + 2]! << 8) | d[offset + 3]!) >>> 0;
  }

  u32le(offset: number): number {
    this.check(offset, 4);
    return this.data.readUInt32LE(offset);
  }

  bytes(offset: number, length: number): Buffer {
    this.check(offset, length);
    return this.data.subarray(offset, offset + length);
  }

  /**
   * tcpdump's nd_push_snaplen: limit reads to `length` bytes from `offset` if that is shorter
   * than what was captured. Returns the previous end, for `restoreSnap`.
   */
  pushSnap(offset: number, length: number): number {
    const previous = this.snapEnd;
    const end = offset + length;
    if (end < this.snapEnd) this.snapEnd = Math.max(end, offset);
    return previous;
  }

  restoreSnap(previous: number): void {
    this.snapEnd = previous;
  }

  /** An IPv4 address (or its name) read in place: no slice, and names.ts caches the text. */
  ipv4(offset: number): string {
    this.check(offset, 4);
    return this.names.ipv4At(this.data, offset);
  }

  ipv6(offset: number): string {
    this.check(offset, 16);
    return this.names.ipv6At(this.data, offset);
  }

  mac(offset: number): string {
    return this.names.macName(this.bytes(offset, 6));
  }
}

export function hex(value: number, width: number): string {
  return value.toString(16).padStart(width, '0');
}

/** tcpdump's tok2str: the name for a value, or the fallback with %u / 0x%04x filled in. */
export function tok(table: ReadonlyMap<number, string>, fallback: string, value: number): string {
  const name = table.get(value);
  if (name !== undefined) return name;
  return fallback.replace('0x%04x', '0x' + hex(value, 4)).replace('%u', String(value));
}
