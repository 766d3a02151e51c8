/**
 * MPLS as tcpdump 4.99's print-mpls.c prints it (ethertypes 0x8847/0x8848, MPLS in UDP 6635, in
 * GRE and in PPP): `MPLS (label 29, tc 6, [S], ttl 255) ` and then the packet inside, whose kind
 * comes from the bottom label (0 and 3 IPv4, 2 IPv6) or else from its first byte (0x45–0x4f IPv4,
 * 0x60–0x6f IPv6, 0x81–0x83 OSI); anything else is the raw dump. With -v each further label goes
 * on a line of its own, the reserved labels are named, and the packet inside starts a new line.
 */
import { PrintContext } from './context';
import { hexAndAsciiPrint } from './hexdump';
import { ipPrint, ip6Print } from './ip';
import { isoclnsPrint, isoclnsPrintable } from './isis';

const LABEL_NAMES = [
  'IPv4 explicit NULL', 'router alert', 'IPv6 explicit NULL', 'implicit NULL', 'rsvd',
  'rsvd', 'rsvd', 'rsvd', 'rsvd', 'rsvd', 'rsvd', 'rsvd', 'rsvd', 'rsvd', 'rsvd', 'rsvd',
];

const enum Payload { Unknown, Ipv4, Ipv6, Osi }

function payloadKind(ctx: PrintContext, label: number, p: number, length: number): Payload | null {
  if (label === 0 || label === 3) return Payload.Ipv4;
  if (label === 2) return Payload.Ipv6;
  if (length < 1) return null;
  const first = ctx.u8(p);
  return first >= 0x45 && first <= 0x4f ? Payload.Ipv4
    : first >= 0x60 && first <= 0x6f ? Payload.Ipv6
      : first >= 0x81 && first <= 0x83 ? Payload.Osi
        : Payload.Unknown;
}

/**
 * Whether mplsPrint prints the packet at p as tcpdump does: false only for an OSI PDU inside
 * that isoclnsPrint does not print (callers then print what they print for a payload they lack).
 */
export function mplsPrintable(ctx: PrintContext, p: number, length: number): boolean {
  for (;;) {
    if (length < 4 || !ctx.has(p, 4)) return true;
    const entry = ctx.u32(p);
    p += 4;
    length -= 4;
    if (entry & 0x100) {
      if (length < 1 || !ctx.has(p, 1)) return true;
      const kind = payloadKind(ctx, entry >>> 12, p, length);
      return kind !== Payload.Osi || isoclnsPrintable(ctx, p);
    }
  }
}

/** mpls_print: the label stack and the packet inside. */
export function mplsPrint(ctx: PrintContext, p: number, length: number): void {
  ctx.protocol = 'mpls';
  const verbose = ctx.flags.verbose > 0;
  ctx.print('MPLS');
  let depth = 0;
  let entry = 0;
  do {
    if (length < 4) {
      ctx.print(' (invalid)');
      ctx.check(p, length);
      return;
    }
    entry = ctx.u32(p);
    const label = entry >>> 12;
    ctx.print(depth && verbose ? '\n\t(label ' : ' (label ');
    ctx.printUint(label);
    depth++;
    if (verbose && label < LABEL_NAMES.length) ctx.print(` (${LABEL_NAMES[label]})`);
    ctx.print(`, tc ${(entry >>> 9) & 7}`);
    if (entry & 0x100) ctx.print(', [S]');
    ctx.print(`, ttl ${entry & 0xff})`);
    p += 4;
    length -= 4;
  } while (!(entry & 0x100));
  const kind = payloadKind(ctx, entry >>> 12, p, length);
  if (kind === null) return;
  if (kind === Payload.Unknown) {
    if (!ctx.flags.suppressDefaultPrint) hexAndAsciiPrint(ctx, '\n\t', p, length);
    return;
  }
  ctx.print(verbose ? '\n\t' : ' ');
  if (kind === Payload.Ipv4) ipPrint(ctx, p, length);
  else if (kind === Payload.Ipv6) ip6Print(ctx, p, length);
  else isoclnsPrint(ctx, p, length);
}
