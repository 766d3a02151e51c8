/**
 * The state one packet's printing works in: the captured bytes, the current end of the bytes a
 * printer may read (tcpdump's `snapend`, which the IP printers pull in to the datagram's length),
 * the text printed so far, and the name of the protocol being printed (for the ` [|proto]` mark).
 *
 * Every read is bounds-checked: reading past `snapEnd` throws `Truncated`, and the top level turns
 * that into ` [|proto]`, exactly as tcpdump's GET_* macros longjmp to `nd_print_trunc`.
 */
import type { NameResolver } from './names';

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
}

/** What tcpdump keeps about a TCP connection to print relative sequence numbers. */
export interface TcpSeqEntry {
  seq: number;
  ack: number;
}

export class PrintContext {
  private readonly out: string[] = [];
  /** Offset one past the last byte printers may read. */
  snapEnd: number;
  protocol = '';

  constructor(
    readonly data: Buffer,
    readonly flags: PrintFlags,
    readonly names: NameResolver,
    readonly tcpSeq: Map<string, TcpSeqEntry>,
  ) {
    this.snapEnd = data.length;
  }

  print(text: string): void {
    this.out.push(text);
  }

  /** tcpdump's nd_print_trunc: ` [|proto]`. */
  printTrunc(): void {
    this.out.push(` [|${this.protocol}]`);
  }

  text(): string {
    return this.out.join('');
  }

  has(offset: number, length: number): boolean {
    return offset >= 0 && length >= 0 && offset + length <= this.snapEnd;
  }

  check(offset: number, length: number): void {
    if (!this.has(offset, length)) throw new Truncated();
  }

  available(offset: number): number {
    return offset >= this.snapEnd ? 0 : this.snapEnd - offset;
  }

  u8(offset: number): number {
    this.check(offset, 1);
    return this.data[offset]!;
  }

  u16(offset: number): number {
    this.check(offset, 2);
    return this.data.readUInt16BE(offset);
  }

  u32(offset: number): number {
    this.check(offset, 4);
    return this.data.readUInt32BE(offset);
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

  ipv4(offset: number): string {
    return this.names.ipv4Name(this.bytes(offset, 4));
  }

  ipv6(offset: number): string {
    return this.names.ipv6Name(this.bytes(offset, 16));
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
