/**
 * ISAKMP / IKE on UDP 500 (and 7500, 8500), and UDP 4500's NAT traversal (RFC 3948: IKE after four
 * zero bytes, else ESP), as tcpdump 4.99's print-isakmp.c and print-esp.c print them without -v:
 * `isakmp: phase 1 I ident`, `isakmp: parent_sa ikev2_init[I]`, `NONESP-encap: isakmp: …`,
 * `UDP-encap: ESP(spi=0x12345678,seq=0x1), length 116`, `isakmp-nat-keep-alive`. Whether a phase-1
 * packet comes from the initiator (I) or the responder (R) is told, as tcpdump tells it, from the
 * initiator cookies of the last 20 exchanges and the addresses they were first seen between.
 * With -v tcpdump prints every payload; that is not done here: the packet prints as plain UDP
 * (ESP inside UDP has no -v detail and prints the same).
 */
import type { PrintContext } from './context';
import { hex } from './context';
import type { IpHeaderRef } from './ip';

const MAX_INITIATORS = 20;
const ISAKMP_HEADER = 28;

const ETYPES: readonly (string | undefined)[] = (() => {
  const t: (string | undefined)[] = ['none', 'base', 'ident', 'auth', 'agg', 'inf'];
  t[32] = 'oakley-quick';
  t[33] = 'oakley-newgroup';
  t[34] = 'ikev2_init';
  t[35] = 'ikev2_auth';
  t[36] = 'child_sa';
  t[37] = 'inf2';
  return t;
})();

interface CookieEntry {
  /** The initiator cookie, 16 hex digits ('' never matches: tcpdump's table starts zeroed, see below). */
  cookie: string;
  version: 0 | 4 | 6;
  initiator: string;
  responder: string;
}

/** tcpdump's cookiecache: 20 entries written in turn. */
interface CookieCache {
  entries: CookieEntry[];
  next: number;
}

const caches = new WeakMap<PrintContext, CookieCache>();

function cacheOf(ctx: PrintContext): CookieCache {
  let cache = caches.get(ctx);
  if (cache === undefined) {
    // A zeroed table: an all-zero initiator cookie "finds" entry 0, of no IP version.
    cache = { entries: Array.from({ length: MAX_INITIATORS }, () => ({ cookie: '0000000000000000', version: 0 as const, initiator: '', responder: '' })), next: 0 };
    caches.set(ctx, cache);
  }
  return cache;
}

function addresses(ctx: PrintContext, ip: IpHeaderRef): { src: string; dst: string } {
  const len = ip.version === 4 ? 4 : 16;
  const srcOff = ip.version === 4 ? ip.offset + 12 : ip.offset + 8;
  return { src: ctx.data.toString('hex', srcOff, srcOff + len), dst: ctx.data.toString('hex', srcOff + len, srcOff + 2 * len) };
}

const find = (cache: CookieCache, cookie: string): number => cache.entries.findIndex((e) => e.cookie === cookie);

function record(ctx: PrintContext, cache: CookieCache, cookie: string, ip: IpHeaderRef): void {
  const i = find(cache, cookie);
  if (i >= 0) {
    cache.next = (i + 1) % MAX_INITIATORS;
    return;
  }
  const { src, dst } = addresses(ctx, ip);
  cache.entries[cache.next] = { cookie, version: ip.version, initiator: src, responder: dst };
  cache.next = (cache.next + 1) % MAX_INITIATORS;
}

/** cookie_sidecheck: the packet's source is the entry's initiator (or, with `initiator` false, its responder). */
function sideCheck(ctx: PrintContext, entry: CookieEntry, ip: IpHeaderRef, initiator: boolean): boolean {
  if (entry.version !== ip.version) return false;
  return addresses(ctx, ip).src === (initiator ? entry.initiator : entry.responder);
}

/** isakmp_print at p (UDP payload); false (nothing printed) with -v, where tcpdump prints the payloads. */
export function isakmpPrint(ctx: PrintContext, p: number, length: number, ip: IpHeaderRef): boolean {
  if (ctx.flags.verbose > 0) return false;
  ctx.protocol = 'isakmp';
  if (!ctx.has(p, ISAKMP_HEADER)) {
    ctx.printTrunc();
    return true;
  }
  ctx.print('isakmp:');
  const major = ctx.u8(p + 17) >> 4;
  const etype = ctx.u8(p + 18);
  const flags = ctx.u8(p + 19);
  const phase1 = ctx.u32(p + 20) === 0;
  const etypeText = ETYPES[etype] ?? `#${etype}`;
  if (major === 1) {
    ctx.print(phase1 ? ' phase 1' : ' phase 2/others');
    const cache = cacheOf(ctx);
    const cookie = ctx.data.toString('hex', p, p + 8);
    const i = find(cache, cookie);
    if (i < 0) {
      if (ctx.data.toString('hex', p + 8, p + 16) === '0000000000000000') {
        ctx.print(' I');
        record(ctx, cache, cookie, ip);
      } else ctx.print(' ?');
    } else if (sideCheck(ctx, cache.entries[i]!, ip, true)) ctx.print(' I');
    else if (sideCheck(ctx, cache.entries[i]!, ip, false)) ctx.print(' R');
    else ctx.print(' ?');
    ctx.print(` ${etypeText}`);
    if (flags) ctx.print(`[${flags & 0x01 ? 'E' : ''}${flags & 0x02 ? 'C' : ''}]`);
  } else if (major === 2) {
    ctx.print(phase1 ? ' parent_sa' : ' child_sa ');
    ctx.print(` ${etypeText}`);
    if (flags) ctx.print(`[${flags & 0x08 ? 'I' : ''}${flags & 0x10 ? 'V' : ''}${flags & 0x20 ? 'R' : ''}]`);
  }
  return true;
}

/** isakmp_rfc3948_print (UDP 4500): a NAT keep-alive, IKE after a zero non-ESP marker, or ESP. */
export function isakmpNattPrint(ctx: PrintContext, p: number, length: number, ip: IpHeaderRef): boolean {
  ctx.protocol = 'isakmp_rfc3948';
  if (length === 1 && ctx.u8(p) === 0xff) {
    ctx.print('isakmp-nat-keep-alive');
    return true;
  }
  if (length < 4) {
    ctx.printTrunc();
    return true;
  }
  if (ctx.u32(p) === 0) {
    if (ctx.flags.verbose > 0) return false;
    ctx.print('NONESP-encap: ');
    return isakmpPrint(ctx, p + 4, length - 4, ip);
  }
  ctx.print('UDP-encap: ');
  espPrint(ctx, p, length);
  return true;
}

/** esp_print without keys: `ESP(spi=0x…,seq=0x…), length N`; ` [|esp]` unless more than its 8 bytes were captured. */
export function espPrint(ctx: PrintContext, p: number, length: number): void {
  ctx.protocol = 'esp';
  if (!ctx.has(p, 9)) {
    ctx.printTrunc();
    return;
  }
  ctx.print(`ESP(spi=0x${hex(ctx.u32(p), 8)},seq=0x${ctx.u32(p + 4).toString(16)}), length ${length}`);
}
