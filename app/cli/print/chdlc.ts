/**
 * Cisco HDLC (link types 104 and 112) as tcpdump 4.99's print-chdlc.c prints it: with -e the
 * address ("unicast"/"bcast"), the ethertype and the length; then IPv4, IPv6, SLARP, MPLS or ISO.
 */
import { PrintContext, hex, tok } from './context';
import { hexPrint } from './hexdump';
import { ipPrint, ip6Print } from './ip';
import { isoclnsPrint } from './isis';
import { mplsPrint } from './mpls';
import { ETHERTYPE_NAMES } from './tables';

const CHDLC_HDRLEN = 4;
const CAST = new Map([[0x0f, 'unicast'], [0x8f, 'bcast']]);
const NLPID_CLNP = 0x81;
const NLPID_ESIS = 0x82;
const NLPID_ISIS = 0x83;

/** chdlc_print: returns the header's length (what was captured of it when cut). */
export function chdlcPrint(ctx: PrintContext, p: number, length: number): number {
  ctx.protocol = 'chdlc';
  if (length < CHDLC_HDRLEN || ctx.available(p) < CHDLC_HDRLEN) {
    ctx.printTrunc();
    return Math.min(ctx.available(p), CHDLC_HDRLEN);
  }
  const proto = ctx.u16(p + 2);
  if (ctx.flags.linkHeader) {
    const address = ctx.u8(p);
    ctx.print(`${CAST.get(address) ?? `0x${hex(address, 2)}`}, ethertype ${tok(ETHERTYPE_NAMES, 'Unknown', proto)} (0x${hex(proto, 4)}), length ${length}: `);
  }
  length -= CHDLC_HDRLEN;
  p += CHDLC_HDRLEN;
  switch (proto) {
    case 0x0800:
      ipPrint(ctx, p, length);
      break;
    case 0x86dd:
      ip6Print(ctx, p, length);
      break;
    case 0x8035:
      slarpPrint(ctx, p, length);
      break;
    case 0x8847:
    case 0x8848:
      mplsPrint(ctx, p, length);
      break;
    case 0xfefe: {
      // ETHERTYPE_ISO: a "fudge" byte may come first; tcpdump looks for an ISO header after it.
      if (length < 2) {
        ctx.printTrunc();
        break;
      }
      const second = ctx.u8(p + 1);
      if (second === NLPID_CLNP || second === NLPID_ESIS || second === NLPID_ISIS) isoclnsPrint(ctx, p + 1, length - 1);
      else isoclnsPrint(ctx, p, length);
      break;
    }
    default:
      if (!ctx.flags.linkHeader) ctx.print(`unknown CHDLC protocol (0x${hex(proto, 4)})`);
  }
  return CHDLC_HDRLEN;
}

const SLARP_MIN_LEN = 14;
const SLARP_MAX_LEN = 18;

/** chdlc_slarp_print: Cisco's serial line address resolution and keepalives. */
function slarpPrint(ctx: PrintContext, p: number, length: number): void {
  ctx.protocol = 'chdlc_slarp';
  ctx.print(`SLARP (length: ${length}), `);
  if (length < SLARP_MIN_LEN) {
    ctx.printTrunc();
    return;
  }
  ctx.check(p, SLARP_MIN_LEN);
  const code = ctx.u32(p);
  if (code === 0) ctx.print('request');
  else if (code === 1) ctx.print(`reply ${ctx.ipv4(p + 4)}/${ctx.ipv4(p + 8)}`);
  else if (code === 2) {
    ctx.print(`keepalive: mineseen=0x${hex(ctx.u32(p + 4), 8)}, yourseen=0x${hex(ctx.u32(p + 8), 8)}, reliability=0x${hex(ctx.u16(p + 12), 4)}`);
    if (length >= SLARP_MAX_LEN) {
      // tcpdump moves its pointer past the fixed part here: -vv's dump below starts 14 bytes later.
      p += SLARP_MIN_LEN;
      let sec = Math.floor(ctx.u32(p) / 1000);
      let min = Math.floor(sec / 60);
      sec -= min * 60;
      let hrs = Math.floor(min / 60);
      min -= hrs * 60;
      const days = Math.floor(hrs / 24);
      hrs -= days * 24;
      ctx.print(`, link uptime=${days}d${hrs}h${min}m${sec}s`);
    }
  } else {
    ctx.print(`0x${hex(code, 2)} unknown`);
    if (ctx.flags.verbose <= 1) hexPrint(ctx, '\n\t', p + 4, Math.min(length - 4, ctx.available(p + 4)));
  }
  if (SLARP_MAX_LEN < length && ctx.flags.verbose) ctx.print(`, (trailing junk: ${length - SLARP_MAX_LEN} bytes)`);
  if (ctx.flags.verbose > 1) hexPrint(ctx, '\n\t', p + 4, Math.max(0, Math.min(length - 4, ctx.available(p + 4))));
}
