/**
 * GRE version 0 as tcpdump 4.99's print-gre.c prints it: `GREv0, key=0x2, length 116: ` and then
 * the IPv4, IPv6 or Ethernet (transparent bridging) packet inside; -v adds the flags and the
 * checksum and goes on on the next line, -e names the payload's protocol. A packet whose payload
 * tcpdump decodes with a printer Sievecap lacks (MPLS, IPX, AppleTalk, OSI), one with source
 * routing entries, and GREv1 (PPTP's PPP) are left to the caller (tcpdump's ` ip-proto-47 N`
 * form): `gre` returns false for them before printing anything.
 */
import { PrintContext, hex, tok } from './context';
import { ETHERTYPE_NAMES } from './tables';
import { ipPrint, ip6Print } from './ip';
import { etherPrint } from './link';

const CP = 0x8000;
const RP = 0x4000;
const KP = 0x2000;
const SP = 0x1000;
const FLAG_NAMES: Array<[number, string]> = [
  [CP, 'checksum present'],
  [RP, 'routing present'],
  [KP, 'key present'],
  [SP, 'sequence# present'],
  [0x0800, 'source routing present'],
  [0x0080, 'ack present'],
];
/** Payloads tcpdump decodes inside GRE with printers Sievecap lacks. */
const NOT_DECODED = new Set([0x8847, 0x8137, 0x809b, 0x00fe]);

/** Prints a GRE packet as tcpdump does; false (nothing printed) when it is one tcpdump decodes further than Sievecap can. */
export function grePrint(ctx: PrintContext, p: number, length: number): boolean {
  if (!ctx.has(p, 4) || length < 4) return false;
  const flags = ctx.u16(p);
  const prot = ctx.u16(p + 2);
  if ((flags & 7) !== 0 || flags & RP || NOT_DECODED.has(prot)) return false;
  ctx.protocol = 'gre';
  ctx.print('GREv0');
  if (ctx.flags.verbose > 0) {
    const names = FLAG_NAMES.filter(([bit]) => (flags & bit) === bit).map(([, name]) => name);
    ctx.print(`, Flags [${names.length ? names.join(', ') : 'none'}]`);
  }
  let q = p + 4;
  let len = length - 4;
  const need = (n: number): void => {
    ctx.check(q, n);
    if (len < n) throw new GreTruncated();
  };
  try {
    if (flags & CP) {
      need(2);
      if (ctx.flags.verbose > 0) ctx.print(`, sum 0x${ctx.u16(q).toString(16)}`);
      q += 2;
      len -= 2;
      need(2);
      ctx.print(`, off 0x${ctx.u16(q).toString(16)}`);
      q += 2;
      len -= 2;
    }
    if (flags & KP) {
      need(4);
      ctx.print(`, key=0x${ctx.u32(q).toString(16)}`);
      q += 4;
      len -= 4;
    }
    if (flags & SP) {
      need(4);
      ctx.print(`, seq ${ctx.u32(q)}`);
      q += 4;
      len -= 4;
    }
  } catch (err) {
    if (!(err instanceof GreTruncated)) throw err;
    ctx.printTrunc();
    return true;
  }
  if (ctx.flags.linkHeader) ctx.print(`, proto ${tok(ETHERTYPE_NAMES, 'unknown', prot)} (0x${hex(prot, 4)})`);
  ctx.print(`, length ${length}`);
  ctx.print(ctx.flags.verbose < 1 ? ': ' : '\n\t');
  if (prot === 0x0800) ipPrint(ctx, q, len);
  else if (prot === 0x86dd) ip6Print(ctx, q, len);
  else if (prot === 0x6558) {
    const linkHeaderLength = ctx.linkHeaderLength;
    etherPrint(ctx, q, len, ctx.available(q));
    ctx.linkHeaderLength = linkHeaderLength;
  } else ctx.print(`gre-proto-0x${prot.toString(16)}`);
  return true;
}

/** A header field past the GRE packet's length (tcpdump's `goto trunc`, which prints ` [|gre]` and stops). */
class GreTruncated extends Error {}
