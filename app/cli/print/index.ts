/**
 * The tcpdump-style one-line packet printer of the `sievecap` CLI: for each packet, the text
 * tcpdump 4.99.3 prints for it (time stamp, link header with -e, then the protocol summary).
 *
 * Printing never throws: every read is bounds-checked, a read past the captured bytes ends the
 * line with tcpdump's ` [|proto]` mark, and any other failure ends it with ` [|sievecap error]`.
 *
 * Names (without -n) come from /etc/services, /etc/hosts and /etc/ethers only; DNS is never
 * asked (see names.ts).
 */
import { PrintContext, Truncated } from './context';
import { NfsXidMap } from './nfs-xid';
import { pppPrint, pppoePrint } from './ppp';
import { chdlcPrint } from './chdlc';
import { TcpSeqTable } from './tcp-seq';
import { NameResolver, localInterfaceName, type NameFiles } from './names';
import { etherPrint, fddiPrint, nflogPrint, nullPrint, rawPrint, sll2Print, sllPrint } from './link';
import { writeTimestampParts, type TimestampMode, type TimestampState } from './timestamp';
import { LineBuffer } from './line-buffer';
import { asciiPrint, hexAndAsciiPrint, hexPrint } from './hexdump';

export { LineBuffer } from './line-buffer';

export type { TimestampMode } from './timestamp';

/** Link-layer header types (LINKTYPE_* as stored in pcap/pcapng files) this printer decodes. */
export const PRINTABLE_LINKTYPES = {
  NULL: 0,
  EN10MB: 1,
  PPP: 9,
  FDDI: 10,
  PPP_ETHER: 51,
  RAW: 101,
  C_HDLC: 104,
  LOOP: 108,
  NETBSD_HDLC: 112,
  LINUX_SLL: 113,
  IPV4: 228,
  IPV6: 229,
  NFLOG: 239,
  LINUX_SLL2: 276,
} as const;

export interface PrintablePacket {
  /** Capture time in nanoseconds since the epoch. */
  tsNs: bigint;
  /** The captured bytes (caplen = data.length). */
  data: Buffer;
  /** Length on the wire. */
  origLen: number;
  /** LINKTYPE_* of the capture. */
  linkType: number;
  /** pcapng epb_flags (1 inbound, 2 outbound). tcpdump 4.99.3 does not print it; kept for callers. */
  flags?: number;
  /** ifindex → name for LINUX_SLL2; defaults to this machine's interfaces, as tcpdump does. */
  interfaceName?: (ifindex: number) => string | undefined;
}

export interface PrintOptions {
  /** -n: print addresses and ports as numbers. */
  numeric: boolean;
  /** -q: shorter protocol lines. */
  quick: boolean;
  /** -e: print the link-layer header. */
  linkHeader: boolean;
  /** -t family. */
  timestamp: TimestampMode;
  /** -v count. */
  verbose?: number;
  /** -S: absolute TCP sequence numbers. */
  absoluteSequence?: boolean;
  /** --nano: nanosecond time stamps. */
  nanoTimestamps?: boolean;
  /** -x count: hex dump after each packet (2: from the link header on). */
  hexDump?: number;
  /** -X count: hex and ASCII dump. */
  hexAsciiDump?: number;
  /** -A count: ASCII dump. */
  asciiDump?: number;
  /** -#: the packet's number (1, 2, ... as printed) at the start of its line. */
  packetNumbers?: boolean;
  /** -K: no checksum checks. */
  noChecksums?: boolean;
  /** -N: host names without their domain. */
  stripDomains?: boolean;
}

/** What tcpdump keeps across packets: time stamp reference, TCP initial sequence numbers, NFS calls. */
export class PrintState {
  readonly time: TimestampState = {};
  readonly tcpSeq = new TcpSeqTable();
  readonly nfsXids = new NfsXidMap();
  private resolver?: NameResolver;
  /** Packets printed so far (-#). */
  packetCount = 0;
  private ctx?: PrintContext;
  /** formatPacketLine's buffer; a TextSink appends to its own. */
  readonly lineBuffer = new LineBuffer(4096);

  constructor(private readonly nameFiles: NameFiles = {}) {}

  /** One resolver per state and -n setting, so name files are read once per capture. */
  names(numeric: boolean, stripDomains = false): NameResolver {
    if (!this.resolver || this.resolver.numeric !== numeric || this.resolver.stripDomains !== stripDomains) {
      this.resolver = new NameResolver(numeric, this.nameFiles, stripDomains);
    }
    return this.resolver;
  }

  /**
   * The one PrintContext of this state, set up for a new packet, data[start, start + caplen)
   * (formatPacketLine is not re-entered).
   */
  context(data: Buffer, start: number, caplen: number, opts: PrintOptions, out: LineBuffer): PrintContext {
    const names = this.names(opts.numeric, opts.stripDomains ?? false);
    let ctx = this.ctx;
    if (ctx === undefined) {
      ctx = new PrintContext(
        data,
        { numeric: false, quick: false, linkHeader: false, verbose: 0, absoluteTcpSequence: false, suppressDefaultPrint: false, noChecksums: false, hexAscii: false },
        names,
        this.tcpSeq,
        out,
        this.nfsXids,
      );
      this.ctx = ctx;
    }
    ctx.reset(data, start, caplen, names, out);
    const flags = ctx.flags;
    flags.numeric = opts.numeric;
    flags.quick = opts.quick;
    flags.linkHeader = opts.linkHeader;
    flags.verbose = opts.verbose ?? 0;
    flags.absoluteTcpSequence = opts.absoluteSequence ?? false;
    flags.suppressDefaultPrint = opts.quick || (opts.hexDump ?? 0) > 0 || (opts.hexAsciiDump ?? 0) > 0;
    flags.noChecksums = opts.noChecksums ?? false;
    flags.hexAscii = (opts.hexAsciiDump ?? 0) > 0;
    return ctx;
  }
}

const MAXIMUM_SNAPLEN = 262144;

/** tcpdump's sanity check of the record header, printed instead of the packet. */
function invalidHeader(caplen: number, len: number): string | undefined {
  if (caplen !== 0 && len >= caplen && len <= MAXIMUM_SNAPLEN) return undefined;
  const problems: string[] = [];
  if (caplen === 0) problems.push(' caplen==0');
  if (len === 0) problems.push(' len==0');
  else if (len < caplen) problems.push(` len(${len}) < caplen(${caplen})`);
  if (caplen > MAXIMUM_SNAPLEN) problems.push(` caplen(${caplen}) > ${MAXIMUM_SNAPLEN}`);
  if (len > MAXIMUM_SNAPLEN) problems.push(` len(${len}) > ${MAXIMUM_SNAPLEN}`);
  if (problems.length === 0) return undefined;
  return `[Invalid header:${problems.join(',')}]`;
}

/**
 * The text tcpdump prints for one packet (without the trailing newline). Pass the same `state`
 * for every packet of a capture, or relative TCP sequence numbers and -ttt deltas restart.
 * Unknown payloads add tcpdump's hex dump lines (`\n\t0x0000: ...`), as tcpdump does.
 */
export function formatPacketLine(pkt: PrintablePacket, opts: PrintOptions, state: PrintState = new PrintState()): string {
  const out = state.lineBuffer;
  out.length = 0;
  appendPacketLine(pkt, opts, state, out);
  return out.toString();
}

/**
 * formatPacketLine's text appended to `out` as UTF-8 bytes (no newline), for sinks that write
 * bytes: no string is made for the line.
 */
export function appendPacketLine(pkt: PrintablePacket, opts: PrintOptions, state: PrintState, out: LineBuffer): void {
  const sec = pkt.tsNs / NS_PER_SECOND;
  const nsec = pkt.tsNs - sec * NS_PER_SECOND;
  appendPacketLineAt(pkt.data, 0, pkt.data.length, pkt.origLen, pkt.linkType, Number(sec), Number(nsec), opts, state, out, pkt.interfaceName);
}

const NS_PER_SECOND = 1_000_000_000n;

/**
 * appendPacketLine for a packet that sits inside a bigger buffer (a reader's read buffer, a live
 * batch), data[start, start + caplen), with its time stamp as seconds and nanoseconds (nanos may
 * be negative only when seconds are not positive): the hot path of `sievecap -r`, which makes
 * no Buffer view, packet object or BigInt per packet.
 */
export function appendPacketLineAt(
  data: Buffer,
  start: number,
  caplen: number,
  origLen: number,
  linkType: number,
  tsSec: number,
  tsNsec: number,
  opts: PrintOptions,
  state: PrintState,
  out: LineBuffer,
  interfaceName?: (ifindex: number) => string | undefined,
): void {
  if (opts.packetNumbers) out.text(`${String(++state.packetCount).padStart(5)}  `);
  const invalid = invalidHeader(caplen, origLen);
  if (invalid) {
    out.text(invalid);
    return;
  }
  writeTimestampParts(out, tsSec, tsNsec, opts.timestamp, state.time, opts.nanoTimestamps ?? false);
  const ctx = state.context(data, start, caplen, opts, out);
  try {
    printLink(ctx, linkType, origLen, caplen, interfaceName);
  } catch (err) {
    if (err instanceof Truncated) ctx.printTrunc();
    else ctx.print(' [|sievecap error]');
    ctx.linkHeaderLength = 0;
  }
  if (opts.hexAsciiDump || opts.hexDump || opts.asciiDump) dumpPacket(ctx, opts, start, caplen);
}

/**
 * -X, -x, -A (in that order of precedence, as tcpdump's pretty_print_packet): the captured bytes
 * after the link-layer header, or all of them when the flag is doubled.
 */
function dumpPacket(ctx: PrintContext, opts: PrintOptions, start: number, caplen: number): void {
  ctx.snapEnd = start + caplen;
  const count = opts.hexAsciiDump || opts.hexDump || opts.asciiDump || 0;
  const skip = count > 1 ? 0 : ctx.linkHeaderLength;
  if (caplen <= skip) return;
  if (opts.hexAsciiDump) hexAndAsciiPrint(ctx, '\n\t', start + skip, caplen - skip);
  else if (opts.hexDump) hexPrint(ctx, '\n\t', start + skip, caplen - skip);
  else asciiPrint(ctx, start + skip, caplen - skip);
}

function printLink(
  ctx: PrintContext,
  linkType: number,
  origLen: number,
  caplen: number,
  interfaceName: ((ifindex: number) => string | undefined) | undefined,
): void {
  switch (linkType) {
    case PRINTABLE_LINKTYPES.EN10MB:
      etherPrint(ctx, ctx.start, origLen, caplen);
      return;
    case PRINTABLE_LINKTYPES.FDDI:
      fddiPrint(ctx, origLen, caplen);
      return;
    case PRINTABLE_LINKTYPES.LINUX_SLL:
      sllPrint(ctx, origLen, caplen);
      return;
    case PRINTABLE_LINKTYPES.LINUX_SLL2:
      sll2Print(ctx, origLen, caplen, interfaceName ?? localInterfaceName);
      return;
    case PRINTABLE_LINKTYPES.NULL:
    case PRINTABLE_LINKTYPES.LOOP:
      nullPrint(ctx, origLen, caplen);
      return;
    case PRINTABLE_LINKTYPES.PPP:
      // ppp_if_print: the PPP frame (address, control, protocol) is the link header.
      ctx.protocol = 'ppp';
      if (caplen < 4) {
        ctx.printTrunc();
        ctx.linkHeaderLength = caplen;
        return;
      }
      ctx.linkHeaderLength = 4;
      pppPrint(ctx, ctx.start, origLen);
      return;
    case PRINTABLE_LINKTYPES.C_HDLC:
    case PRINTABLE_LINKTYPES.NETBSD_HDLC:
      // chdlc_if_print: Cisco HDLC's address, control and protocol are the link header.
      ctx.linkHeaderLength = chdlcPrint(ctx, ctx.start, origLen);
      return;
    case PRINTABLE_LINKTYPES.NFLOG:
      nflogPrint(ctx, origLen, caplen);
      return;
    case PRINTABLE_LINKTYPES.PPP_ETHER:
      // pppoe_if_print: the PPPoE header and the PPP frame inside.
      ctx.linkHeaderLength = 6;
      pppoePrint(ctx, ctx.start, origLen);
      return;
    case PRINTABLE_LINKTYPES.RAW:
    case PRINTABLE_LINKTYPES.IPV4:
    case PRINTABLE_LINKTYPES.IPV6:
      rawPrint(ctx, origLen);
      return;
    default:
      ctx.print(`[link-type ${linkType} is not decoded by sievecap], length ${origLen}`);
  }
}

export function createPrintState(nameFiles?: NameFiles): PrintState {
  return new PrintState(nameFiles);
}
