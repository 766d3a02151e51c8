/** ARP and RARP lines as tcpdump's print-arp.c prints them (Ethernet-style hardware addresses). */
import { PrintContext, tok } from './context';
import { hexAndAsciiPrint } from './hexdump';
import { ETHERTYPE, ETHERTYPE_NAMES } from './tables';
import { formatMac } from './names';

const ARP_OPS = new Map<number, string>([
  [1, 'Request'], [2, 'Reply'], [3, 'Reverse Request'], [4, 'Reverse Reply'],
  [8, 'Inverse Request'], [9, 'Inverse Reply'], [10, 'NACK Reply'],
]);

const ARP_HARDWARE = new Map<number, string>([
  [1, 'Ethernet'], [6, 'TokenRing'], [7, 'ArcNet'], [15, 'FrameRelay'], [23, 'Strip'],
  [24, 'IEEE 1394'], [19, 'ATM'], [32, 'InfiniBand'],
]);

const ETHERTYPE_TRAIL = 0x1000;

export function arpPrint(ctx: PrintContext, offset: number, length: number): void {
  ctx.protocol = 'arp';
  ctx.check(offset, 8);
  const hrd = ctx.u16(offset);
  const pro = ctx.u16(offset + 2);
  const hln = ctx.u8(offset + 4);
  const pln = ctx.u8(offset + 5);
  const op = ctx.u16(offset + 6);
  if (hrd === 19) {
    atmArpPrint(ctx, offset, length);
    return;
  }
  const sha = offset + 8;
  const spa = sha + hln;
  const tha = spa + pln;
  const tpa = tha + hln;
  ctx.check(tpa, pln);
  if (!ctx.flags.linkHeader) ctx.print('ARP, ');
  const verbose = ctx.flags.verbose > 0;
  const ipProto = pro === ETHERTYPE.IPV4 || pro === ETHERTYPE_TRAIL;
  if (!ipProto || pln !== 4 || hln === 0 || verbose) {
    ctx.print(`${tok(ARP_HARDWARE, 'Unknown Hardware (%u)', hrd)} (len ${hln}), ` +
      `${tok(ETHERTYPE_NAMES, 'Unknown Protocol (0x%04x)', pro)} (len ${pln})`);
    if (!verbose) {
      ctx.print(`, length ${length}`);
      return;
    }
  }
  const protoAddr = (at: number): string => {
    if (!ipProto) return '<wrong proto type>';
    if (pln !== 4) return '<wrong len>';
    return ctx.ipv4(at);
  };
  const linkAddr = (at: number): string => {
    if (hln === 0) return '<empty>';
    if (hln === 6) return ctx.mac(at);
    return formatMac(ctx.bytes(at, hln));
  };
  ctx.print(`${verbose ? ', ' : ''}${tok(ARP_OPS, 'Unknown (%u)', op)} `);
  switch (op) {
    case 1: {
      ctx.print(`who-has ${protoAddr(tpa)}`);
      if (ctx.bytes(tha, hln).some((b) => b !== 0)) ctx.print(` (${linkAddr(tha)})`);
      ctx.print(` tell ${protoAddr(spa)}`);
      break;
    }
    case 2:
      ctx.print(`${protoAddr(spa)} is-at ${linkAddr(sha)}`);
      break;
    case 3:
    case 8:
      ctx.print(`who-is ${linkAddr(tha)} tell ${linkAddr(sha)}`);
      break;
    case 4:
      ctx.print(`${linkAddr(tha)} at ${protoAddr(tpa)}`);
      break;
    case 9:
      ctx.print(`${linkAddr(sha)} at ${protoAddr(spa)}`);
      break;
    default:
      hexAndAsciiPrint(ctx, '\n\t', offset, ctx.available(offset));
      return;
  }
  ctx.print(`, length ${length}`);
}

/** ATM ARP (RFC 2225): variable-length ATM numbers and subaddresses around the IP addresses. */
function atmArpPrint(ctx: PrintContext, offset: number, length: number): void {
  ctx.check(offset, 12);
  const hrd = ctx.u16(offset);
  const pro = ctx.u16(offset + 2);
  const shl = ctx.u8(offset + 4) & 0x3f;
  const ssl = ctx.u8(offset + 5) & 0x3f;
  const op = ctx.u16(offset + 6);
  const spl = ctx.u8(offset + 8);
  const thl = ctx.u8(offset + 9) & 0x3f;
  const tsl = ctx.u8(offset + 10) & 0x3f;
  const tpl = ctx.u8(offset + 11);
  const sha = offset + 12;
  const ssa = sha + shl;
  const spa = ssa + ssl;
  const tha = spa + spl;
  const tsa = tha + thl;
  const tpa = tsa + tsl;
  ctx.check(tpa, tpl);
  if (!ctx.flags.linkHeader) ctx.print('ARP, ');
  const verbose = ctx.flags.verbose > 0;
  const ipProto = pro === ETHERTYPE.IPV4 || pro === ETHERTYPE_TRAIL;
  if (!ipProto || spl !== 4 || tpl !== 4 || verbose) {
    ctx.print(`${tok(ARP_HARDWARE, 'Unknown Hardware (%u)', hrd)}, ` +
      `${tok(ETHERTYPE_NAMES, 'Unknown Protocol (0x%04x)', pro)} (len ${spl}/${tpl})`);
    if (!verbose) {
      ctx.print(`, length ${length}`);
      return;
    }
  }
  const protoAddr = (at: number, len: number, which: string): string => {
    if (!ipProto) return '<wrong proto type>';
    if (len !== 4) return `<wrong ${which}plen>`;
    return ctx.ipv4(at);
  };
  const atmAddr = (at: number, len: number, subAt: number, subLen: number): string => {
    if (len === 0) return '<No address>';
    let text = formatMac(ctx.bytes(at, len));
    if (subLen !== 0) text += ',' + formatMac(ctx.bytes(subAt, subLen));
    return text;
  };
  ctx.print(`${verbose ? ', ' : ''}${tok(ARP_OPS, 'Unknown (%u)', op)} `);
  switch (op) {
    case 1:
      ctx.print(`who-has ${protoAddr(tpa, tpl, 't')}`);
      if (thl !== 0) ctx.print(` (${atmAddr(tha, thl, tsa, tsl)})`);
      ctx.print(` tell ${protoAddr(spa, spl, 's')}`);
      break;
    case 2:
      ctx.print(`${protoAddr(spa, spl, 's')} is-at ${atmAddr(sha, shl, ssa, ssl)}`);
      break;
    case 8:
      ctx.print(`who-is ${atmAddr(tha, thl, tsa, tsl)} tell ${atmAddr(sha, shl, ssa, ssl)}`);
      break;
    case 9:
      ctx.print(`${atmAddr(sha, shl, ssa, ssl)}at ${protoAddr(spa, spl, 's')}`);
      break;
    case 10:
      ctx.print(`for ${protoAddr(spa, spl, 's')}`);
      break;
    default:
      hexAndAsciiPrint(ctx, '\n\t', offset, ctx.available(offset));
      return;
  }
  ctx.print(`, length ${length}`);
}
