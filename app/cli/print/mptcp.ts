/**
 * The MPTCP option (TCP option 30, RFC 8684 and its v0, RFC 6824) inside `options [...]`, as
 * tcpdump 4.99's print-mptcp.c prints it: ` LEN SUBTYPE` and the subtype's fields, or false where
 * the option's length does not fit its subtype and the TCP flags (tcp_print then prints
 * `[bad opt]`). Reads past the capture throw Truncated (` [|mptcp]`).
 */
import type { PrintContext } from './context';

const TH_SYN = 0x02;
const TH_ACK = 0x10;

const SUBTYPES = ['capable', 'join', 'dss', 'add-addr', 'rem-addr', 'prio', 'fail', 'fast-close', 'unknown'] as const;
const ADD_ADDR_ECHO: Readonly<Record<number, string>> = { 0x6: 'v0-ip6', 0x4: 'v0-ip4', 0x1: 'v1-echo', 0x0: 'v1' };

function u64(ctx: PrintContext, offset: number): bigint {
  ctx.check(offset, 8);
  return ctx.data.readBigUInt64BE(offset);
}

/** The option at `opt` (its kind byte), `len` bytes long (its length byte), in a segment with these TCP flags. */
export function mptcpPrint(ctx: PrintContext, opt: number, len: number, flags: number): boolean {
  ctx.protocol = 'mptcp';
  if (len < 3) return false;
  const subtype = Math.min(ctx.u8(opt + 2) >> 4, 8);
  ctx.print(` ${len} ${SUBTYPES[subtype]}`);
  switch (subtype) {
    case 0:
      return capable(ctx, opt, len, flags);
    case 1:
      return join(ctx, opt, len, flags);
    case 2:
      return dss(ctx, opt, len, flags);
    case 3:
      return addAddr(ctx, opt, len);
    case 4: {
      if (len < 4) return false;
      ctx.print(' id');
      for (let i = 0; i < len - 3; i++) ctx.print(` ${ctx.u8(opt + 3 + i)}`);
      return true;
    }
    case 5:
      if (len !== 3 && len !== 4) return false;
      ctx.print(ctx.u8(opt + 2) & 0x01 ? ' backup' : ' non-backup');
      if (len === 4) ctx.print(` id ${ctx.u8(opt + 3)}`);
      return true;
    case 6:
      if (len !== 12) return false;
      ctx.print(` seq ${u64(ctx, opt + 4)}`);
      return true;
    case 7:
      if (len !== 12) return false;
      ctx.print(` key 0x${u64(ctx, opt + 4).toString(16)}`);
      return true;
    default:
      return true;
  }
}

function capable(ctx: PrintContext, opt: number, len: number, flags: number): boolean {
  if (!((len === 12 || len === 4) && flags & TH_SYN) && !((len === 20 || len === 22) && (flags & (TH_SYN | TH_ACK)) === TH_ACK)) return false;
  const version = ctx.u8(opt + 2) & 0xf;
  if (version > 1) {
    ctx.print(` Unknown Version (${version})`);
    return true;
  }
  ctx.print(` v${version}`);
  if (ctx.u8(opt + 3) & 0x80) ctx.print(' csum');
  if (len === 12 || len >= 20) {
    ctx.print(` {0x${u64(ctx, opt + 4).toString(16)}`);
    if (len >= 20) ctx.print(`,0x${u64(ctx, opt + 12).toString(16)}`);
    ctx.print('}');
  }
  return true;
}

function join(ctx: PrintContext, opt: number, len: number, flags: number): boolean {
  if (!(len === 12 && flags & TH_SYN) && !(len === 16 && (flags & (TH_SYN | TH_ACK)) === (TH_SYN | TH_ACK)) && !(len === 24 && flags & TH_ACK)) return false;
  if (len !== 24) {
    if (ctx.u8(opt + 2) & 0x01) ctx.print(' backup');
    ctx.print(` id ${ctx.u8(opt + 3)}`);
  }
  if (len === 12) ctx.print(` token 0x${ctx.u32(opt + 4).toString(16)} nonce 0x${ctx.u32(opt + 8).toString(16)}`);
  else if (len === 16) ctx.print(` hmac 0x${u64(ctx, opt + 4).toString(16)} nonce 0x${ctx.u32(opt + 12).toString(16)}`);
  else {
    // tcpdump reads the 20 MAC bytes without a bounds check of its own.
    let mac = ' hmac 0x';
    for (let i = 0; i < 20; i++) mac += ctx.u8(opt + 4 + i).toString(16).padStart(2, '0');
    ctx.print(mac);
  }
  return true;
}

function dss(ctx: PrintContext, opt: number, len: number, flags: number): boolean {
  if (len < 4) return false;
  if (flags & TH_SYN) return false;
  const f = ctx.u8(opt + 3);
  if (f & 0x10) ctx.print(' fin');
  let p = opt + 4;
  let left = len - 4;
  if (f & 0x01) {
    ctx.print(' ack ');
    if (f & 0x02) {
      if (left < 8) return false;
      ctx.print(String(u64(ctx, p)));
      p += 8;
      left -= 8;
    } else {
      if (left < 4) return false;
      ctx.print(String(ctx.u32(p)));
      p += 4;
      left -= 4;
    }
  }
  if (f & 0x04) {
    ctx.print(' seq ');
    if (f & 0x08) {
      if (left < 8) return false;
      ctx.print(String(u64(ctx, p)));
      p += 8;
      left -= 8;
    } else {
      if (left < 4) return false;
      ctx.print(String(ctx.u32(p)));
      p += 4;
      left -= 4;
    }
    if (left < 4) return false;
    ctx.print(` subseq ${ctx.u32(p)}`);
    p += 4;
    left -= 4;
    if (left < 2) return false;
    ctx.print(` len ${ctx.u16(p)}`);
    p += 2;
    left -= 2;
    if (left >= 2) {
      ctx.print(` csum 0x${ctx.u16(p).toString(16)}`);
      left -= 2;
    }
  }
  return left === 0;
}

function addAddr(ctx: PrintContext, opt: number, len: number): boolean {
  if (![8, 10, 16, 18, 20, 22, 28, 30].includes(len)) return false;
  ctx.print(` ${ADD_ADDR_ECHO[ctx.u8(opt + 2) & 0xf] ?? '[bad version/echo]'}`);
  ctx.print(` id ${ctx.u8(opt + 3)}`);
  if (len <= 18) {
    ctx.print(` ${ctx.ipv4(opt + 4)}`);
    if (len === 10 || len === 18) ctx.print(`:${ctx.u16(opt + 8)}`);
    if (len === 16) ctx.print(` hmac 0x${u64(ctx, opt + 8).toString(16)}`);
    if (len === 18) ctx.print(` hmac 0x${u64(ctx, opt + 10).toString(16)}`);
  } else {
    ctx.print(` ${ctx.ipv6(opt + 4)}`);
    if (len === 22 || len === 30) ctx.print(`:${ctx.u16(opt + 20)}`);
    if (len === 28) ctx.print(` hmac 0x${u64(ctx, opt + 20).toString(16)}`);
    if (len === 30) ctx.print(` hmac 0x${u64(ctx, opt + 22).toString(16)}`);
  }
  return true;
}
