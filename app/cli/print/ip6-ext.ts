/**
 * IPv6 routing and mobility headers (tcpdump's print-rt6.c and print-mobility.c), and the final
 * destination a routing header names, which tcpdump's ip6_finddst puts in the pseudo-header of
 * upper-layer checksums.
 */
import { PrintContext, hex } from './context';

const RTHDR_TYPE_0 = 0;
const RTHDR_TYPE_2 = 2;
const RTHDR_TYPE_4 = 4;

/**
 * rt6_print: `RT6 (len=4, type=0 [Deprecated], segleft=2, [0]addr, [1]addr) `. Returns the
 * header's length, or -1 after printing ` (invalid)` for a type it does not know or an odd length.
 */
export function rt6Print(ctx: PrintContext, bp: number): number {
  ctx.protocol = 'rt6';
  ctx.print('RT6');
  let len = ctx.u8(bp + 1);
  ctx.print(` (len=${len}`);
  const type = ctx.u8(bp + 2);
  ctx.print(`, type=${type}`);
  if (type === RTHDR_TYPE_0) ctx.print(' [Deprecated]');
  ctx.print(`, segleft=${ctx.u8(bp + 3)}`);
  const v = ctx.flags.verbose > 0;
  switch (type) {
    case RTHDR_TYPE_0:
    case RTHDR_TYPE_2: {
      const reserved = ctx.u32(bp + 4);
      if (reserved || v) ctx.print(`, rsv=0x${reserved.toString(16)}`);
      break;
    }
    case RTHDR_TYPE_4: {
      ctx.print(`, last-entry=${ctx.u8(bp + 4)}`);
      const flags = ctx.u8(bp + 5);
      if (flags || v) ctx.print(`, flags=0x${flags.toString(16)}`);
      ctx.print(`, tag=${ctx.u16(bp + 6).toString(16)}`);
      break;
    }
    default:
      ctx.print(' (unknown type) (invalid)');
      return -1;
  }
  if (len % 2 === 1) {
    ctx.print(` (invalid length ${len}) (invalid)`);
    return -1;
  }
  len >>= 1;
  for (let i = 0, p = bp + 8; i < len; i++, p += 16) ctx.print(`, [${i}]${ctx.ipv6(p)}`);
  ctx.print(') ');
  return (ctx.u8(bp + 1) + 1) << 3;
}

/**
 * ip6_finddst: the offset of the address an upper-layer checksum is computed over, the last
 * address of the first type 0 or 2 routing header (the first segment of a type 4), else the IPv6
 * destination. Headers past the captured bytes end the walk where it is, as tcpdump's does.
 */
export function ip6FinalDestination(ctx: PrintContext, ipOffset: number): number {
  let dst = ipOffset + 24;
  let nh = ctx.u8(ipOffset + 6);
  let cp = ipOffset;
  let advance = 40;
  while (cp < ctx.snapEnd) {
    cp += advance;
    switch (nh) {
      case 0:
      case 60:
      case 62:
      case 135:
        advance = (ctx.u8(cp + 1) + 1) << 3;
        nh = ctx.u8(cp);
        break;
      case 44:
        advance = 8;
        nh = ctx.u8(cp);
        break;
      case 43: {
        if (!ctx.has(cp, 4)) return dst;
        let len = ctx.u8(cp + 1);
        const type = ctx.u8(cp + 2);
        if (type === RTHDR_TYPE_0 || type === RTHDR_TYPE_2) {
          if (len % 2 === 1) return dst;
          len >>= 1;
          for (let i = 0, p = cp + 8; i < len; i++, p += 16) {
            if (!ctx.has(p, 16)) return dst;
            dst = p;
          }
        } else if (type === RTHDR_TYPE_4) {
          if (len % 2 === 1 || !ctx.has(cp + 8, 16)) return dst;
          dst = cp + 8;
        }
        return dst;
      }
      default:
        return dst;
    }
  }
  return dst;
}

const MOBILITY_TYPES: readonly string[] = ['BRR', 'HoTI', 'CoTI', 'HoT', 'CoT', 'BU', 'BA', 'BE'];
/** ip6m_hdrlen: the least header length each message type needs. */
const MOBILITY_MIN_LENGTHS: readonly number[] = [8, 16, 16, 24, 24, 12, 12, 24];
const BINDING_UPDATE_BITS: ReadonlyArray<readonly [number, string]> = [[0x08, 'A'], [0x04, 'H'], [0x02, 'L'], [0x01, 'K']];

/**
 * mobility_opt_print: -v's options after the message. Returns false where tcpdump gives up;
 * like tcpdump it wants a byte after each option, so options ending the packet print as cut.
 */
function mobilityOptions(ctx: PrintContext, bp: number, len: number): boolean {
  for (let i = 0, optlen = 0; i < len; i += optlen) {
    const type = ctx.u8(bp + i);
    if (type === 0) optlen = 1;
    else if (i + 1 < len) optlen = ctx.u8(bp + i + 1) + 2;
    else return false;
    if (i + optlen > len) return false;
    if (!ctx.has(bp + i + optlen, 1)) return false;
    switch (type) {
      case 0:
        ctx.print('(pad1)');
        break;
      case 1:
        if (len - i < 2) {
          ctx.print('(padn: trunc)');
          return false;
        }
        ctx.print('(padn)');
        break;
      case 2:
        if (len - i < 4) {
          ctx.print('(refresh: trunc)');
          return false;
        }
        ctx.print(`(refresh: ${ctx.u16(bp + i + 2) << 2})`);
        break;
      case 3:
        if (len - i < 18) {
          ctx.print('(altcoa: trunc)');
          return false;
        }
        ctx.print(`(alt-CoA: ${ctx.ipv6(bp + i + 2)})`);
        break;
      case 4:
        if (len - i < 6) {
          ctx.print('(ni: trunc)');
          return false;
        }
        ctx.print(`(ni: ho=0x${hex(ctx.u16(bp + i + 2), 4)} co=0x${hex(ctx.u16(bp + i + 4), 4)})`);
        break;
      case 5:
        if (len - i < 12) {
          ctx.print('(auth: trunc)');
          return false;
        }
        ctx.print('(auth)');
        break;
      default:
        if (len - i < 2) {
          ctx.print(`(sopt_type ${type}: trunc)`);
          return false;
        }
        ctx.print(`(type-0x${hex(type, 2)}: len=${ctx.u8(bp + i + 1)})`);
    }
  }
  return true;
}

/** `Home Init Cookie=00000000:00000001`: two 32-bit words, as tcpdump prints the 64-bit values. */
function cookie(ctx: PrintContext, p: number): string {
  return `${hex(ctx.u32(p), 8)}:${hex(ctx.u32(p + 4), 8)}`;
}

/**
 * mobility_print: `mobility: BU seq#=37 AHK lifetime=12`. It ends the IPv6 walk: tcpdump prints
 * nothing of what may follow a Mobility Header.
 */
export function mobilityPrint(ctx: PrintContext, bp: number): void {
  ctx.protocol = 'mobility';
  if (!ctx.has(bp + 1, 1)) {
    ctx.printTrunc();
    return;
  }
  const mhlen = (ctx.u8(bp + 1) + 1) << 3;
  const type = ctx.u8(bp + 2);
  const minimum = MOBILITY_MIN_LENGTHS[type];
  if (minimum !== undefined && mhlen < minimum) {
    ctx.print(`(header length ${mhlen} is too small for type ${type})`);
    ctx.printTrunc();
    return;
  }
  ctx.print(`mobility: ${MOBILITY_TYPES[type] ?? `type-#${type}`}`);
  const v = ctx.flags.verbose > 0;
  let hlen = 8;
  switch (type) {
    case 0:
      break;
    case 1:
    case 2:
      if (v) ctx.print(` ${type === 1 ? 'Home' : 'Care-of'} Init Cookie=${cookie(ctx, bp + hlen)}`);
      hlen += 8;
      break;
    case 3:
    case 4: {
      const who = type === 3 ? 'Home' : 'Care-of';
      ctx.print(` nonce id=0x${ctx.u16(bp + 6).toString(16)}`);
      if (v) ctx.print(` ${who} Init Cookie=${cookie(ctx, bp + hlen)}`);
      hlen += 8;
      if (v) ctx.print(` ${who} Keygen Token=${cookie(ctx, bp + hlen)}`);
      hlen += 8;
      break;
    }
    case 5: {
      ctx.print(` seq#=${ctx.u16(bp + 6)}`);
      ctx.check(bp + hlen, 2);
      const bits = (ctx.u8(bp + hlen) & 0xf0) >> 4;
      if (bits) ctx.print(' ' + BINDING_UPDATE_BITS.filter(([bit]) => bits & bit).map(([, name]) => name).join(''));
      hlen += 2;
      ctx.print(` lifetime=${ctx.u16(bp + hlen) << 2}`);
      hlen += 2;
      break;
    }
    case 6:
      ctx.print(` status=${ctx.u8(bp + 6)}`);
      if (ctx.u8(bp + 7) & 0x80) ctx.print(' K');
      ctx.print(` seq#=${ctx.u16(bp + hlen)}`);
      hlen += 2;
      ctx.print(` lifetime=${ctx.u16(bp + hlen) << 2}`);
      hlen += 2;
      break;
    case 7:
      ctx.print(` status=${ctx.u8(bp + 6)}`);
      ctx.print(` homeaddr ${ctx.ipv6(bp + hlen)}`);
      hlen += 16;
      break;
    default:
      ctx.print(` len=${ctx.u8(bp + 1)}`);
      return;
  }
  if (v && !mobilityOptions(ctx, bp + hlen, mhlen - hlen)) ctx.printTrunc();
}
