/**
 * ICMPv6 as tcpdump's print-icmp6.c prints it without -v: errors, echo, neighbour discovery and
 * MLD. Types whose bodies need -v decoding (node information, router renumbering, RPL) print
 * only their name here.
 */
import { PrintContext, hex, tok } from './context';
import { checksumShouldBe, internetChecksum, ipPseudoHeader } from './cksum';
import { hexPrint } from './hexdump';
import type { IpHeaderRef } from './ip';

const ICMP6_TYPES = new Map<number, string>([
  [1, 'destination unreachable'], [2, 'packet too big'], [3, 'time exceeded in-transit'],
  [4, 'parameter problem'], [128, 'echo request'], [129, 'echo reply'], [130, 'multicast listener query'],
  [131, 'multicast listener report'], [132, 'multicast listener done'], [133, 'router solicitation'],
  [134, 'router advertisement'], [135, 'neighbor solicitation'], [136, 'neighbor advertisement'],
  [137, 'redirect'], [138, 'router renumbering'], [141, 'inverse neighbor solicitation'],
  [142, 'inverse neighbor advertisement'], [143, 'multicast listener report v2'],
  [144, 'ha discovery request'], [145, 'ha discovery reply'], [146, 'mobile router solicitation'],
  [147, 'mobile router advertisement'], [139, 'who-are-you request'], [140, 'who-are-you reply'],
  [201, 'mtrace message'], [200, 'mtrace response'], [155, 'RPL'],
]);

/** `ICMP6, <type>` for every type byte, made once. */
const ICMP6_TYPE_TEXT = Array.from({ length: 256 }, (_, type) => `ICMP6, ${tok(ICMP6_TYPES, 'unknown icmp6 type (%u)', type)}`);

const UNREACH_CODES = new Map<number, string>([
  [0, 'unreachable route'], [1, ' unreachable prohibited'], [2, 'beyond scope'],
  [3, 'unreachable address'], [4, 'unreachable port'],
]);

const PARAMPROB_TEXT = new Map<number, string>([
  [0, 'erroneous'], [1, 'next header'], [2, 'option'], [3, 'incomplete header chain'],
]);

/** get_upperlayer: the transport header inside the quoted packet of an error message. */
function quotedTransport(ctx: PrintContext, ip6: number): { proto: number; offset: number } | undefined {
  if (!ctx.has(ip6, 40)) return undefined;
  let nh = ctx.u8(ip6 + 6);
  let at = ip6 + 40;
  for (;;) {
    switch (nh) {
      case 6:
      case 17:
        return ctx.has(at, 4) ? { proto: nh, offset: at } : undefined;
      case 0:
      case 60:
      case 43: {
        if (!ctx.has(at, 2)) return undefined;
        nh = ctx.u8(at);
        at += (ctx.u8(at + 1) + 1) << 3;
        break;
      }
      case 44: {
        if (!ctx.has(at, 8)) return undefined;
        if ((ctx.u16(at + 2) & 0xfff8) !== 0) return undefined;
        nh = ctx.u8(at);
        at += 8;
        break;
      }
      case 51: {
        if (!ctx.has(at, 2)) return undefined;
        nh = ctx.u8(at);
        at += (ctx.u8(at + 1) + 2) << 2;
        break;
      }
      default:
        return undefined;
    }
  }
}

export function icmp6Print(ctx: PrintContext, p: number, length: number, ip: IpHeaderRef, fragmented: boolean): void {
  ctx.protocol = 'icmp6';
  if (length === 0) {
    ctx.print('ICMP6, length 0 (invalid)');
    return;
  }
  if (ctx.flags.verbose > 0 && !fragmented && ctx.has(p, length)) {
    const field = ctx.u16(p + 2);
    const pseudo = ipPseudoHeader(ctx, ip, 58, length);
    const sum = internetChecksum([pseudo, ctx.bytes(p, length)]);
    if (sum !== 0) ctx.print(`[bad icmp6 cksum 0x${hex(field, 4)} -> 0x${hex(checksumShouldBe(field, sum), 4)}!] `);
    else ctx.print('[icmp6 sum ok] ');
  }
  const type = ctx.u8(p);
  ctx.print(ICMP6_TYPE_TEXT[type]!);
  const v = ctx.flags.verbose;
  if (v > 0 && [133, 134, 135, 136, 137, 145, 147].includes(type)) ctx.print(`, length ${length}`);
  const code = ctx.u8(p + 1);
  const inner = p + 8;
  switch (type) {
    case 1: {
      ctx.print(`, ${tok(UNREACH_CODES, 'unknown unreach code (%u)', code)}`);
      if (code === 0 || code === 1 || code === 3) ctx.print(` ${ctx.ipv6(inner + 24)}`);
      else if (code === 2) ctx.print(` ${ctx.ipv6(inner + 24)}, source address ${ctx.ipv6(inner + 8)}`);
      else if (code === 4) {
        const upper = quotedTransport(ctx, inner);
        if (!upper) {
          ctx.printTrunc();
          return;
        }
        const dport = ctx.u16(upper.offset + 2);
        const dst = ctx.ipv6(inner + 24);
        if (upper.proto === 6) ctx.print(`, ${dst} tcp port ${ctx.names.tcpPort(dport)}`);
        else ctx.print(`, ${dst} udp port ${ctx.names.udpPort(dport)}`);
      } else if (v <= 1) {
        hexPrint(ctx, '\n\t', p, Math.min(length, ctx.available(p)));
        return;
      }
      break;
    }
    case 2:
      ctx.print(`, mtu ${ctx.u32(p + 4)}`);
      break;
    case 3:
      if (code === 0) ctx.print(` for ${ctx.ipv6(inner + 24)}`);
      else if (code === 1) ctx.print(' (reassembly)');
      else ctx.print(`, unknown code (${code})`);
      break;
    case 4: {
      ctx.check(inner + 24, 16);
      const text = PARAMPROB_TEXT.get(code);
      ctx.print(text ? `, ${text} - octet ${ctx.u32(p + 4)}` : `, code-#${code}`);
      break;
    }
    case 128:
    case 129: {
      const id = ctx.u16(p + 4);
      const seq = ctx.u16(p + 6);
      ctx.out.text(', id ');
      ctx.out.uint(id);
      ctx.out.text(', seq ');
      ctx.out.uint(seq);
      break;
    }
    case 130:
      if (length === 24) mld6(ctx, p);
      else if (length >= 28) {
        ctx.print(' v2');
        mldv2Query(ctx, p, length);
      } else ctx.print(` unknown-version (len ${length}) `);
      break;
    case 131:
    case 132:
      mld6(ctx, p);
      break;
    case 133:
      if (v > 0) ndOptions(ctx, p + 8, p + length);
      break;
    case 134:
      if (v > 0) {
        const flags = ctx.u8(p + 5);
        ctx.print(`\n\thop limit ${ctx.u8(p + 4)}, Flags [${bitNames(flags, RA_FLAGS)}], pref ${RA_PREFERENCES[(flags >> 3) & 3]}`);
        ctx.print(`, router lifetime ${ctx.u16(p + 6)}s, reachable time ${ctx.u32(p + 8)}ms, retrans timer ${ctx.u32(p + 12)}ms`);
        ndOptions(ctx, p + 16, p + length);
      }
      break;
    case 135:
      ctx.print(`, who has ${ctx.ipv6(p + 8)}`);
      if (v > 0) ndOptions(ctx, p + 24, p + length);
      break;
    case 136:
      ctx.print(`, tgt is ${ctx.ipv6(p + 8)}`);
      if (v > 0) {
        ctx.print(`, Flags [${bitNames(ctx.u32(p + 4), NA_FLAGS)}]`);
        ndOptions(ctx, p + 24, p + length);
      }
      break;
    case 137:
      // print-icmp6.c: the destination, then the better first hop (the target).
      ctx.print(`, ${ctx.ipv6(p + 24)}`);
      ctx.print(` to ${ctx.ipv6(p + 8)}`);
      if (v > 0) ndOptions(ctx, p + 40, p + length);
      break;
    case 143:
      mldv2Report(ctx, p, length);
      break;
    case 144:
    case 146:
      ctx.print(`, id 0x${hex(ctx.u16(p + 4), 4)}`);
      break;
    case 141:
    case 142:
    case 145:
    case 147:
    case 138:
    case 139:
    case 140:
    case 155:
      break;
    default:
      ctx.print(`, length ${length}`);
      if (v <= 1) hexPrint(ctx, '\n\t', p, Math.min(length, ctx.available(p)));
      return;
  }
  if (v === 0) ctx.print(`, length ${length}`);
}

function mld6(ctx: PrintContext, p: number): void {
  if (!ctx.has(p, 24)) return;
  ctx.print(`max resp delay: ${ctx.u16(p + 4)} `);
  ctx.print(`addr: ${ctx.ipv6(p + 8)}`);
}

function mldv2Query(ctx: PrintContext, p: number, len: number): void {
  if (len < 28) {
    ctx.print(` [invalid len ${len}]`);
    return;
  }
  const mrc = ctx.u16(p + 4);
  const mrt = mrc < 32768 ? mrc : ((mrc & 0x0fff) | 0x1000) << (((mrc & 0x7000) >> 12) + 3);
  const v = ctx.flags.verbose;
  if (v) ctx.print(` [max resp delay=${mrt}]`);
  ctx.print(` [gaddr ${ctx.ipv6(p + 8)}`);
  if (v) {
    const b24 = ctx.u8(p + 24);
    if (b24 & 0x08) ctx.print(' sflag');
    if (b24 & 0x07) ctx.print(` robustness=${b24 & 0x07}`);
    const b25 = ctx.u8(p + 25);
    const qqi = b25 < 128 ? b25 : ((b25 & 0x0f) | 0x10) << (((b25 & 0x70) >> 4) + 3);
    ctx.print(` qqi=${qqi}`);
  }
  const nsrcs = ctx.u16(p + 26);
  if (nsrcs > 0) {
    if (len < 28 + nsrcs * 16) ctx.print(' [invalid number of sources]');
    else if (v > 1) {
      ctx.print(' {');
      for (let i = 0; i < nsrcs; i++) ctx.print(` ${ctx.ipv6(p + 28 + i * 16)}`);
      ctx.print(' }');
    } else ctx.print(`, ${nsrcs} source(s)`);
  }
  ctx.print(']');
}

const MLDV2_RECORD_TYPES: Record<number, string> = { 1: 'is_in', 2: 'is_ex', 3: 'to_in', 4: 'to_ex', 5: 'allow', 6: 'block' };

/** print-icmp6.c's mldv2_report_print: with -v each group record (its sources with -vv). Aux data is not skipped, as there. */
function mldv2Report(ctx: PrintContext, p: number, len: number): void {
  if (len < 8) {
    ctx.print(` [invalid len ${len}]`);
    return;
  }
  const ngroups = ctx.u16(p + 6);
  ctx.print(`, ${ngroups} group record(s)`);
  const v = ctx.flags.verbose;
  if (v === 0) return;
  let group = 8;
  for (let i = 0; i < ngroups; i++) {
    if (len < group + 20) {
      ctx.print(' [invalid number of groups]');
      return;
    }
    ctx.print(` [gaddr ${ctx.ipv6(p + group + 4)}`);
    const type = ctx.u8(p + group);
    ctx.print(` ${MLDV2_RECORD_TYPES[type] ?? ` [v2-report-#${type}]`}`);
    const nsrcs = ctx.u16(p + group + 2);
    if (len < group + 20 + nsrcs * 16) {
      ctx.print(` [invalid number of sources ${nsrcs}]`);
      return;
    }
    if (v === 1) ctx.print(`, ${nsrcs} source(s)`);
    else {
      ctx.print(' {');
      for (let j = 0; j < nsrcs; j++) ctx.print(` ${ctx.ipv6(p + group + 20 + j * 16)}`);
      ctx.print(' }');
    }
    group += 20 + nsrcs * 16;
    ctx.print(']');
  }
}

/** print-icmp6.c's flag tables, in its order (bittok2str lists the names set, or "none"). */
const RA_FLAGS: ReadonlyArray<[number, string]> = [[0x40, 'other stateful'], [0x80, 'managed'], [0x20, 'home agent']];
const NA_FLAGS: ReadonlyArray<[number, string]> = [[0x80000000, 'router'], [0x40000000, 'solicited'], [0x20000000, 'override']];
const PREFIX_FLAGS: ReadonlyArray<[number, string]> = [[0x80, 'onlink'], [0x40, 'auto'], [0x20, 'router']];
const RA_PREFERENCES = ['medium', 'high', 'rsv', 'low'];
const OPTION_NAMES = new Map<number, string>([
  [1, 'source link-address'], [2, 'destination link-address'], [3, 'prefix info'], [4, 'redirected header'], [5, 'mtu'],
  [7, 'advertisement interval'], [8, 'homeagent information'], [24, 'route info'], [25, 'rdnss'], [31, 'dnssl'],
]);

function bitNames(value: number, names: ReadonlyArray<[number, string]>): string {
  const set = names.filter(([mask]) => (value & mask) !== 0).map(([, name]) => name);
  return set.length > 0 ? set.join(', ') : 'none';
}

function lifetime(v: number): string {
  return v === 0xffffffff ? 'infinity' : `${v}s`;
}

/** icmp6_opt_print: each neighbour discovery option on its own line, with -vv its bytes too. */
function ndOptions(ctx: PrintContext, at: number, end: number): void {
  const v = ctx.flags.verbose;
  while (at < end) {
    if (!ctx.has(at, 2)) return ctx.printTrunc();
    const type = ctx.u8(at);
    const units = ctx.u8(at + 1);
    const len = units << 3;
    if (units === 0 || at + len > end || !ctx.has(at, len)) return ctx.printTrunc();
    ctx.print(`\n\t  ${OPTION_NAMES.get(type) ?? 'unknown'} option (${type}), length ${len} (${units}): `);
    switch (type) {
      case 1:
      case 2: {
        const bytes: string[] = [];
        for (let i = 2; i < len; i++) bytes.push(hex(ctx.u8(at + i), 2));
        ctx.print(bytes.join(':'));
        break;
      }
      case 3:
        ctx.print(`${ctx.ipv6(at + 16)}/${ctx.u8(at + 2)}${units !== 4 ? 'badlen' : ''}, Flags [${bitNames(ctx.u8(at + 3), PREFIX_FLAGS)}], valid time ${lifetime(ctx.u32(at + 4))}`);
        ctx.print(`, pref. time ${lifetime(ctx.u32(at + 8))}`);
        break;
      case 5:
        ctx.print(` ${ctx.u32(at + 4)}${units !== 1 ? 'bad option length' : ''}`);
        break;
      case 7:
        ctx.print(` ${ctx.u32(at + 4)}ms`);
        break;
      case 8:
        ctx.print(` preference ${ctx.u16(at + 4)}, lifetime ${ctx.u16(at + 6)}`);
        break;
      case 25: {
        ctx.print(` lifetime ${ctx.u32(at + 4)}s,`);
        for (let i = 0; i < (units - 1) >> 1; i++) ctx.print(` addr: ${ctx.ipv6(at + 8 + i * 16)}`);
        break;
      }
      default:
        if (v <= 1) {
          hexPrint(ctx, '\n\t  ', at + 2, len - 2);
          return;
        }
    }
    if (v > 1) hexPrint(ctx, '\n\t    ', at + 2, len - 2);
    at += len;
  }
}
