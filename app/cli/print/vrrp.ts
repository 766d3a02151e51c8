/**
 * VRRP as tcpdump 4.99's print-vrrp.c prints it: version, type, the TTL when it is not 255, and for
 * advertisements the router id, priority, authentication type (v2) and interval; with -v the
 * checksum check (v3 over the IPv4 or IPv6 pseudo-header), the addresses and a v2 simple password.
 */
import { PrintContext } from './context';
import { internetChecksum, ipPseudoHeader } from './cksum';
import type { IpHeaderRef } from './ip';
import { printableChar } from './hexdump';

const AUTH_TYPES = ['none', 'simple', 'ah'];

export function vrrpPrint(ctx: PrintContext, p: number, len: number, ip: IpHeaderRef): void {
  ctx.protocol = 'vrrp';
  ctx.print('VRRP');
  const first = ctx.u8(p);
  const version = first >> 4;
  const type = first & 0x0f;
  ctx.print(`v${version}, ${type === 1 ? 'Advertisement' : `unknown type (${type})`}`);
  const ttl = ip.version === 4 ? ctx.u8(ip.offset + 8) : ctx.u8(ip.offset + 7);
  if (ttl !== 255) ctx.print(`, (ttl ${ttl})`);
  if (version < 2 || version > 3 || type !== 1) return;
  ctx.print(`, vrid ${ctx.u8(p + 1)}, prio ${ctx.u8(p + 2)}`);
  let auth = 0;
  if (version === 2) {
    auth = ctx.u8(p + 4);
    ctx.print(`, authtype ${AUTH_TYPES[auth] ?? `#${auth}`}`);
    ctx.print(`, intvl ${ctx.u8(p + 5)}s, length ${len}`);
  } else {
    const interval = ((ctx.u8(p + 4) & 0x0f) << 8) | ctx.u8(p + 5);
    ctx.print(`, intvl ${interval}cs, length ${len}`);
  }
  if (ctx.flags.verbose === 0) return;
  const count = ctx.u8(p + 3);
  if (ctx.has(p, len)) {
    let sum: number;
    if (version === 2) sum = internetChecksum([ctx.bytes(p, len)]);
    else sum = internetChecksum([ipPseudoHeader(ctx, ip, 112, len), ctx.bytes(p, len)]);
    if (sum !== 0) ctx.print(`, (bad vrrp cksum ${ctx.u16(p + 6).toString(16)})`);
  }
  ctx.print(', addrs');
  if (count > 1) ctx.print(`(${count})`);
  ctx.print(':');
  let q = p + 8;
  for (let i = 0; i < count; i++) {
    ctx.print(`${i === 0 ? ' ' : ','}${ip.version === 4 ? ctx.ipv4(q) : ctx.ipv6(q)}`);
    q += ip.version === 4 ? 4 : 16;
  }
  if (version === 2 && auth === 1) {
    ctx.print(' auth "');
    for (let i = 0; i < 8; i++) {
      const c = ctx.u8(q + i);
      if (c === 0) break;
      ctx.print(printableChar(c));
    }
    ctx.print('"');
  }
}
