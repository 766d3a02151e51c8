/**
 * GRE as tcpdump 4.99's print-gre.c prints it. Version 0: `GREv0, key=0x2, length 116: ` and then
 * the IPv4, IPv6, MPLS or Ethernet (transparent bridging) packet inside; -v adds the flags and the
 * checksum and goes on on the next line, -e names the payload's protocol. Version 1 (PPTP): the
 * call ID, sequence and acknowledgment numbers and the PPP frame inside. A packet whose payload
 * tcpdump decodes with a printer Sievecap lacks (IPX, AppleTalk, OSI) and one with source routing
 * entries are left to the caller (tcpdump's ` ip-proto-47 N` form): `grePrint` returns false for
 * them before printing anything.
 */
import { PrintContext, hex, tok } from './context';
import { ETHERTYPE_NAMES } from './tables';
import { ipPrint, ip6Print } from './ip';
import { etherPrint } from './link';
import { mplsPrint, mplsPrintable } from './mpls';
import { pppPrint, pppPrintable } from './ppp';

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
/** bittok2str(gre_flag_values, "none", flags) */
function flagNames(flags: number): string {
  const names = FLAG_NAMES.filter(([bit]) => (flags & bit) === bit).map(([, name]) => name);
  return names.length ? names.join(', ') : 'none';
}

/** Payloads tcpdump decodes inside GRE with printers Sievecap lacks. */
const NOT_DECODED = new Set([0x8137, 0x809b, 0x00fe]);
const AP = 0x0080;

/** Prints a GRE packet as tcpdump does; false (nothing printed) when it is one tcpdump decodes further than Sievecap can. */
export function grePrint(ctx: PrintContext, p: number, length: number): boolean {
  if (!ctx.has(p, 2) || length < 2) {
    ctx.protocol = 'gre';
    ctx.printTrunc();
    return true;
  }
  const version = ctx.u16(p) & 7;
  if (version > 1 || !ctx.has(p + 2, 2) || length < 4) {
    // gre_print: the version, then an unknown one's error or the cut short header's mark.
    ctx.protocol = 'gre';
    ctx.print(`GREv${version}`);
    if (version > 1) ctx.print(' ERROR: unknown-version');
    else {
      if (ctx.flags.verbose > 0) ctx.print(`, Flags [${flagNames(ctx.u16(p))}]`);
      ctx.printTrunc();
    }
    return true;
  }
  const flags = ctx.u16(p);
  const prot = ctx.u16(p + 2);
  if (version === 1) return gre1Print(ctx, p, length);
  if (flags & RP || NOT_DECODED.has(prot)) return false;
  if (prot === 0x8847) {
    const at = p + 4 + (flags & CP ? 4 : 0) + (flags & KP ? 4 : 0) + (flags & SP ? 4 : 0);
    if (!mplsPrintable(ctx, at, length - (at - p))) return false;
  }
  ctx.protocol = 'gre';
  ctx.print('GREv0');
  if (ctx.flags.verbose > 0) {
    ctx.print(`, Flags [${flagNames(flags)}]`);
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
  else if (prot === 0x8847) mplsPrint(ctx, q, len);
  else if (prot === 0x6558) {
    const linkHeaderLength = ctx.linkHeaderLength;
    etherPrint(ctx, q, len, ctx.available(q));
    ctx.linkHeaderLength = linkHeaderLength;
  } else ctx.print(`gre-proto-0x${prot.toString(16)}`);
  return true;
}

/**
 * gre_print_1, enhanced GRE (RFC 2637, PPTP): `GREv1, call 6016, seq 430001, ack 539254, length
 * 119: ` and the PPP frame inside; a packet without a sequence number carries none
 * (`, no-payload`). False (nothing printed) when the PPP frame is one pppPrint does not print.
 */
function gre1Print(ctx: PrintContext, p: number, length: number): boolean {
  const flags = ctx.u16(p);
  const prot = ctx.u16(p + 2);
  if (flags & SP && prot === 0x880b) {
    const at = p + 4 + (flags & KP ? 4 : 0) + 4 + (flags & AP ? 4 : 0);
    if (!pppPrintable(ctx, at, length - (at - p))) return false;
  }
  ctx.protocol = 'gre';
  ctx.print('GREv1');
  if (ctx.flags.verbose > 0) {
    ctx.print(`, Flags [${flagNames(flags)}]`);
  }
  let q = p + 4;
  let len = length - 4;
  const need = (n: number): boolean => ctx.has(q, n) && len >= n;
  if (flags & KP) {
    if (!need(4)) return truncated(ctx);
    ctx.print(`, call ${ctx.u32(q) & 0xffff}`);
    q += 4;
    len -= 4;
  }
  if (flags & SP) {
    if (!need(4)) return truncated(ctx);
    ctx.print(`, seq ${ctx.u32(q)}`);
    q += 4;
    len -= 4;
  }
  if (flags & AP) {
    if (!need(4)) return truncated(ctx);
    ctx.print(`, ack ${ctx.u32(q)}`);
    q += 4;
    len -= 4;
  }
  if (!(flags & SP)) ctx.print(', no-payload');
  if (ctx.flags.linkHeader) ctx.print(`, proto ${tok(ETHERTYPE_NAMES, 'unknown', prot)} (0x${hex(prot, 4)})`);
  ctx.print(`, length ${length}`);
  if (!(flags & SP)) return true;
  ctx.print(ctx.flags.verbose < 1 ? ': ' : '\n\t');
  if (prot === 0x880b) pppPrint(ctx, q, len);
  else ctx.print(`gre-proto-0x${prot.toString(16)}`);
  return true;
}

function truncated(ctx: PrintContext): true {
  ctx.printTrunc();
  return true;
}

/** A header field past the GRE packet's length (tcpdump's `goto trunc`, which prints ` [|gre]` and stops). */
class GreTruncated extends Error {}
