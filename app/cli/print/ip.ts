/**
 * IPv4 and IPv6 (tcpdump's print-ip.c, print-ip6.c, print-ip-demux.c): addresses, fragments,
 * the -v header summary, and the hand-off to the transport printers.
 */
import { PrintContext, Truncated, hex, tok } from './context';
import { checksumShouldBe, internetChecksum } from './cksum';
import { IPPROTO_NAMES, netdbProtocolName } from './tables';
import { tcpPrint } from './tcp';
import { udpPrint } from './udp';
import { icmpPrint } from './icmp';
import { igmpPrint } from './igmp';
import { vrrpPrint } from './vrrp';
import { grePrint } from './gre';
import { espPrint } from './isakmp';
import { ospfPrint } from './ospf';
import { icmp6Print } from './icmp6';
import { sctpPrint, sctpPrintable } from './sctp';
import { mobilityPrint, rt6Print } from './ip6-ext';
import { etherPrint } from './link';

/** Where the enclosing IP header is, for printers that print its addresses. */
export interface IpHeaderRef {
  version: 4 | 6;
  offset: number;
}

const IPPROTO = { TCP: 6, UDP: 17, DCCP: 33, SCTP: 132, ICMP: 1, ICMPV6: 58 } as const;

function protoNameOrNumber(ctx: PrintContext, proto: number): string {
  const name = ctx.flags.numeric ? undefined : netdbProtocolName(proto);
  return name ?? `ip-proto-${proto}`;
}

export function ipDemux(
  ctx: PrintContext,
  offset: number,
  length: number,
  ip: IpHeaderRef,
  fragmented: boolean,
  nextHeader: number,
): void {
  switch (nextHeader) {
    case IPPROTO.TCP:
      tcpPrint(ctx, offset, length, ip, fragmented);
      return;
    case IPPROTO.UDP:
      udpPrint(ctx, offset, length, ip, fragmented);
      return;
    case IPPROTO.ICMP:
      if (ip.version === 4) icmpPrint(ctx, offset, length, fragmented);
      else ctx.print('[ICMP requires IPv4] (invalid)');
      return;
    case IPPROTO.ICMPV6:
      if (ip.version === 6) icmp6Print(ctx, offset, length, ip, fragmented);
      else ctx.print('[ICMPv6 requires IPv6] (invalid)');
      return;
    case 2:
      if (ip.version === 4) igmpPrint(ctx, offset, length);
      else ctx.print('[IGMP requires IPv4] (invalid)');
      return;
    case 112:
      vrrpPrint(ctx, offset, length, ip);
      return;
    case 89:
      ospfPrint(ctx, offset, length, ip.version === 6);
      return;
    case IPPROTO.SCTP:
      // sctp_print prints the addresses itself; where Sievecap lacks tcpdump's printer, the summary.
      if (sctpPrintable(ctx, offset, length)) sctpPrint(ctx, offset, length, ip);
      else {
        if (ip.version === 4) ctx.printAddressPair(ctx.ipv4(ip.offset + 12), ctx.ipv4(ip.offset + 16));
        else ctx.printAddressPair(ctx.ipv6(ip.offset + 8), ctx.ipv6(ip.offset + 24));
        ctx.print(` ${protoNameOrNumber(ctx, nextHeader)} ${length}`);
      }
      return;
    case 47:
      if (!grePrint(ctx, offset, length)) ctx.print(` ${protoNameOrNumber(ctx, nextHeader)} ${length}`);
      return;
    case 4:
      ipPrint(ctx, offset, length);
      return;
    case 41:
      ip6Print(ctx, offset, length);
      return;
    case 51: {
      // ah_print, then the header after it (print-ip-demux.c's `goto again`).
      if (!ctx.has(offset, 1)) {
        ctx.protocol = 'ah';
        ctx.printTrunc();
        return;
      }
      const next = ctx.u8(offset);
      const advance = ahPrint(ctx, offset);
      ipDemux(ctx, offset + advance, length - advance, ip, fragmented, next);
      return;
    }
    case 50:
      // esp_print without keys (tcpdump's -E): the SPI and sequence number.
      espPrint(ctx, offset, length);
      return;
    case 108:
      ctx.protocol = 'ipcomp';
      ctx.print(`IPComp(cpi=0x${hex(ctx.u16(offset + 2), 4)})`);
      return;
    case 103:
      pimPrint(ctx, offset, length);
      return;
    case 88:
      eigrpPrint(ctx, offset, length);
      return;
    case 77:
      ctx.print(` nd ${length}`);
      return;
    case 59:
      ctx.print('no next header');
      return;
    case 143:
      // Ethernet in IPv6, as an SRv6 segment carries it (RFC 8986's End.DX2).
      if (ip.version === 6) etherPrint(ctx, offset, length, ctx.available(offset));
      else ctx.print('[Ethernet requires IPv6] (invalid)');
      return;
    default:
      ctx.print(` ${protoNameOrNumber(ctx, nextHeader)} ${length}`);
  }
}

const PIMV2_TYPES: readonly string[] = ['Hello', 'Register', 'Register Stop', 'Join / Prune', 'Bootstrap', 'Assert', 'Graft', 'Graft Acknowledgement', 'Candidate RP Advertisement', 'Prune Refresh', 'DF Election', 'ECMP Redirect'];

/**
 * pim_print: `PIMv2, Hello, length 34`. With -v tcpdump prints `PIMv2, length 34` and the message
 * type on the next line, then its checksum and fields; this stops after the type.
 */
function pimPrint(ctx: PrintContext, offset: number, length: number): void {
  ctx.protocol = 'pim';
  const typever = ctx.u8(offset);
  const version = typever >> 4;
  const type = PIMV2_TYPES[typever & 0xf] ?? 'Unknown Type';
  if (version !== 2) ctx.print(`PIMv${version}, length ${length}`);
  else if (!ctx.flags.verbose) ctx.print(`PIMv2, ${type}, length ${length}`);
  else ctx.print(`PIMv2, length ${length}\n\t${type}`);
}

const EIGRP_OPCODES: Readonly<Record<number, string>> = { 1: 'Update', 3: 'Query', 4: 'Reply', 5: 'Hello', 6: 'IPX SAP', 7: 'Probe' };
const EIGRP_FLAGS: ReadonlyArray<readonly [number, string]> = [[0x01, 'Init'], [0x02, 'Conditionally Received'], [0x04, 'Restart'], [0x08, 'End-of-Table']];

/**
 * eigrp_print: `EIGRP Hello, length: 40`; with -v the header on two lines of its own (tcpdump then
 * decodes every TLV, which this does not).
 */
function eigrpPrint(ctx: PrintContext, p: number, len: number): void {
  ctx.protocol = 'eigrp';
  if (!ctx.has(p, 20)) return ctx.printTrunc();
  const version = ctx.u8(p);
  if (version !== 2) {
    ctx.print(`EIGRP version ${version} packet not supported`);
    return;
  }
  const opcode = ctx.u8(p + 1);
  if (ctx.flags.verbose < 1) {
    ctx.print(`EIGRP ${EIGRP_OPCODES[opcode] ?? `unknown (${opcode})`}, length: ${len}`);
    return;
  }
  if (len < 20) {
    ctx.print(`EIGRP ${EIGRP_OPCODES[opcode] ?? `unknown (${opcode})`}, length: ${len} (too short, < 20)`);
    return;
  }
  const flags = ctx.u32(p + 4);
  const flagText = EIGRP_FLAGS.filter(([bit]) => flags & bit).map(([, name]) => name).join(', ') || 'none';
  ctx.print(`\n\tEIGRP v${version}, opcode: ${EIGRP_OPCODES[opcode] ?? `unknown, type: ${opcode}`} (${opcode}), chksum: 0x${hex(ctx.u16(p + 2), 4)}, Flags: [${flagText}]`);
  ctx.print(`\n\tseq: 0x${hex(ctx.u32(p + 8), 8)}, ack: 0x${hex(ctx.u32(p + 12), 8)}, VRID: ${ctx.u16(p + 16)}, AS: ${ctx.u16(p + 18)}, length: ${len - 20}`);
}

/** ah_print: `AH(spi=0x00000100,seq=0x13,icv=0x…): ` (with -v its length first); the header's length. */
function ahPrint(ctx: PrintContext, offset: number): number {
  ctx.protocol = 'ah';
  ctx.print('AH');
  const ahLen = ctx.u8(offset + 1);
  const hdrLen = (ahLen + 2) * 4;
  ctx.print('(');
  if (ctx.flags.verbose) ctx.print(`length=${ahLen}(${hdrLen}-bytes),`);
  const reserved = ctx.u16(offset + 2);
  if (reserved) ctx.print(`reserved=0x${reserved.toString(16)}[MustBeZero],`);
  ctx.print(`spi=0x${hex(ctx.u32(offset + 4), 8)},`);
  ctx.print(`seq=0x${ctx.u32(offset + 8).toString(16)},`);
  ctx.print('icv=0x');
  for (let p = offset + 12; p < offset + hdrLen; p++) ctx.print(hex(ctx.u8(p), 2));
  ctx.print('): ');
  return hdrLen;
}

const IP_MF = 0x2000;
const IP_DF = 0x4000;
const IP_RES = 0x8000;
const IP_OFFMASK = 0x1fff;

function fragFlagsText(off: number): string {
  const parts: string[] = [];
  if (off & IP_MF) parts.push('+');
  if (off & IP_DF) parts.push('DF');
  if (off & IP_RES) parts.push('rsvd');
  return parts.length ? parts.join(', ') : 'none';
}

function ipVerboseHeader(ctx: PrintContext, offset: number, hlen: number, proto: number, off: number): void {
  const tos = ctx.u8(offset + 1);
  ctx.print(`(tos 0x${tos.toString(16)}`);
  ctx.print(['', ',ECT(1)', ',ECT(0)', ',CE'][tos & 3]!);
  const ttl = ctx.u8(offset + 8);
  if (ttl >= 1) ctx.print(`, ttl ${ttl}`);
  ctx.print(`, id ${ctx.u16(offset + 4)}, offset ${(off & IP_OFFMASK) * 8}, flags [${fragFlagsText(off)}]`);
  ctx.print(`, proto ${tok(IPPROTO_NAMES, 'unknown', proto)} (${proto})`);
  ctx.print(`, length ${ctx.u16(offset + 2)}`);
  let truncatedOption = false;
  if (hlen > 20) {
    ctx.print(', options (');
    truncatedOption = ipOptions(ctx, offset + 20, hlen - 20);
    if (truncatedOption) ctx.print(' [truncated-option]');
    ctx.print(')');
  }
  if (!ctx.flags.noChecksums && ctx.has(offset, hlen)) {
    const sum = internetChecksum([ctx.bytes(offset, hlen)]);
    if (sum !== 0) {
      const field = ctx.u16(offset + 10);
      ctx.print(`, bad cksum ${field.toString(16)} (->${checksumShouldBe(field, sum).toString(16)})!`);
    }
  }
  ctx.print(')\n    ');
  if (truncatedOption) {
    ctx.printAddressPair(ctx.ipv4(offset + 12), ctx.ipv4(offset + 16));
    throw new Truncated();
  }
}

const IP_OPTION_NAMES = new Map([
  [0, 'EOL'],
  [1, 'NOP'],
  [68, 'timestamp'],
  [130, 'security'],
  [7, 'RR'],
  [137, 'SSRR'],
  [131, 'LSRR'],
  [148, 'RA'],
  [82, 'traceroute'],
]);

/**
 * ip_optprint: the IPv4 options with -v (`RA`, `NOP,RR 10.0.0.1, 10.0.0.2,`, ` TS{…}`); true when
 * an option runs past the captured bytes (tcpdump's ` [truncated-option]`).
 */
function ipOptions(ctx: PrintContext, p: number, length: number): boolean {
  let sep = '';
  for (let optionLength = 0; length > 0; p += optionLength, length -= optionLength) {
    ctx.print(sep);
    sep = ',';
    const code = ctx.u8(p);
    ctx.print(IP_OPTION_NAMES.get(code) ?? `unknown ${code}`);
    if (code === 0 || code === 1) optionLength = 1;
    else {
      optionLength = ctx.u8(p + 1);
      if (optionLength < 2) {
        ctx.print(` [bad length ${optionLength}]`);
        return false;
      }
    }
    if (optionLength > length) {
      ctx.print(` [bad length ${optionLength}]`);
      return false;
    }
    if (!ctx.has(p, optionLength)) return true;
    switch (code) {
      case 0:
        return false;
      case 68:
        if (timestampOption(ctx, p, optionLength)) return true;
        break;
      case 7:
      case 137:
      case 131:
        if (routeOption(ctx, p, optionLength)) return true;
        break;
      case 148:
        if (optionLength < 4) ctx.print(` [bad length ${optionLength}]`);
        else if (ctx.u16(p + 2) !== 0) ctx.print(` value ${ctx.u16(p + 2)}`);
        break;
    }
  }
  return false;
}

/** ip_printroute: the addresses of RR, LSRR and SSRR; true when they run past the captured bytes. */
function routeOption(ctx: PrintContext, p: number, length: number): boolean {
  if (length < 3) {
    ctx.print(` [bad length ${length}]`);
    return false;
  }
  if ((length + 1) & 3) ctx.print(` [bad length ${length}]`);
  const ptr = ctx.u8(p + 2) - 1;
  if (ptr < 3 || (ptr + 1) & 3 || ptr > length + 1) ctx.print(` [bad ptr ${ctx.u8(p + 2)}]`);
  for (let len = 3; len < length; len += 4) {
    if (!ctx.has(p + len, 4)) return true;
    ctx.print(` ${ctx.ipv4(p + len)}`);
    if (ptr > len) ctx.print(',');
  }
  return false;
}

/** ip_printts: the timestamp option; true when its hops run past the captured bytes. */
function timestampOption(ctx: PrintContext, p: number, length: number): boolean {
  if (length < 4) {
    ctx.print(`[bad length ${length}]`);
    return false;
  }
  ctx.print(' TS{');
  const flags = ctx.u8(p + 3);
  const hopLength = (flags & 0xf) !== 0 ? 8 : 4;
  if ((length - 4) & (hopLength - 1)) ctx.print(`[bad length ${length}]`);
  const ptr = ctx.u8(p + 2) - 1;
  let len = 0;
  if (ptr < 4 || (ptr - 4) & (hopLength - 1) || ptr > length + 1) ctx.print(`[bad ptr ${ctx.u8(p + 2)}]`);
  const kind = ({ 0: 'TSONLY', 1: 'TS+ADDR', 3: 'PRESPEC' } as Record<number, string>)[flags & 0xf];
  if (kind === undefined) ctx.print(`[bad ts type ${flags & 0xf}]`);
  else {
    ctx.print(kind);
    let type = ' ';
    for (len = 4; len < length; len += hopLength) {
      if (ptr === len) type = ' ^ ';
      if (!ctx.has(p + len, hopLength)) return true;
      ctx.print(`${type}${ctx.u32(p + len + hopLength - 4)}@${hopLength !== 8 ? '' : ctx.ipv4(p + len)}`);
      type = ' ';
    }
  }
  ctx.print(ptr === len ? ' ^ ' : '');
  if (flags >> 4) ctx.print(` [${flags >> 4} hops not recorded]} `);
  else ctx.print('}');
  return false;
}

export function ipPrint(ctx: PrintContext, offset: number, length: number): void {
  ctx.protocol = 'ip';
  const version = ctx.u8(offset) >> 4;
  if (version !== 4) {
    ctx.print(version === 6 ? 'IP6, wrong link-layer encapsulation' : `IP${version}`);
    ctx.print(' (invalid)');
    return;
  }
  if (!ctx.flags.linkHeader) ctx.print('IP ');
  // ND_TCHECK_SIZE: tcpdump's `goto trunc`, not a longjmp (so -x still starts after the link header).
  if (!ctx.has(offset, 20)) {
    ctx.printTrunc();
    return;
  }
  if (length < 20) {
    ctx.print(`truncated-ip ${length}`);
    return;
  }
  const hlen = (ctx.u8(offset) & 0x0f) * 4;
  if (hlen < 20) {
    ctx.print(`bad-hlen ${hlen}`);
    return;
  }
  let len = ctx.u16(offset + 2);
  if (length < len) ctx.print(`truncated-ip - ${len - length} bytes missing! `);
  if (len < hlen) {
    ctx.print(`bad-len ${len}`);
    return;
  }
  const savedSnap = ctx.pushSnap(offset, len);
  len -= hlen;
  const off = ctx.u16(offset + 6);
  const proto = ctx.u8(offset + 9);
  if (ctx.flags.verbose > 0) ipVerboseHeader(ctx, offset, hlen, proto, off);
  if ((off & IP_OFFMASK) === 0) {
    if (proto !== IPPROTO.TCP && proto !== IPPROTO.UDP && proto !== IPPROTO.SCTP && proto !== IPPROTO.DCCP) {
      ctx.printAddressPair(ctx.ipv4(offset + 12), ctx.ipv4(offset + 16));
    } else if (proto === IPPROTO.DCCP) {
      // tcpdump's DCCP printer prints the addresses itself; ours falls back to the summary.
      ctx.printAddressPair(ctx.ipv4(offset + 12), ctx.ipv4(offset + 16));
    }
    if (!ctx.has(offset, hlen)) {
      ctx.print(` [remaining caplen(${ctx.available(offset)}) < header length(${hlen})]`);
      throw new Truncated();
    }
    ipDemux(ctx, offset + hlen, len, { version: 4, offset }, (off & IP_MF) !== 0, proto);
  } else {
    ctx.print(`${ctx.ipv4(offset + 12)} > ${ctx.ipv4(offset + 16)}: ${protoNameOrNumber(ctx, proto)}`);
  }
  ctx.restoreSnap(savedSnap);
}

function ip6VerboseHeader(ctx: PrintContext, offset: number, nh: number, payloadLen: number): void {
  const flow = ctx.u32(offset);
  ctx.print('(');
  if (flow & 0x0ff00000) ctx.print(`class 0x${hex((flow & 0x0ff00000) >>> 20, 2)}, `);
  if (flow & 0x000fffff) ctx.print(`flowlabel 0x${hex(flow & 0x000fffff, 5)}, `);
  ctx.print(`hlim ${ctx.u8(offset + 7)}, next-header ${tok(IPPROTO_NAMES, 'unknown', nh)} (${nh}) `);
  ctx.print(`payload length: ${payloadLen}) `);
}

/**
 * ip6_opt_process: walks hop-by-hop or destination options. `jumbo` is given for hop-by-hop
 * options only, with the IPv6 payload length; a valid Jumbo Payload option replaces it.
 * Returns false where tcpdump reports the options truncated.
 */
function ip6Options(ctx: PrintContext, bp: number, len: number, jumbo?: { payloadLen: number; found: boolean }): boolean {
  const v = ctx.flags.verbose > 0;
  let seenJumbo = false;
  if (len === 0) return true;
  for (let i = 0, optlen = 0; i < len; i += optlen) {
    const type = ctx.u8(bp + i);
    if (type === 0) optlen = 1;
    else if (i + 1 < len) optlen = ctx.u8(bp + i + 1) + 2;
    else return false;
    if (i + optlen > len) return false;
    switch (type) {
      case 0:
        if (v) ctx.print('(pad1)');
        break;
      case 1:
        if (len - i < 2) {
          ctx.print('(padn: trunc)');
          return false;
        }
        if (v) ctx.print('(padn)');
        break;
      case 0x05:
        if (len - i < 4) {
          ctx.print('(rtalert: trunc)');
          return false;
        }
        if (ctx.u8(bp + i + 1) !== 2) {
          ctx.print(`(rtalert: invalid len ${ctx.u8(bp + i + 1)})`);
          return false;
        }
        if (v) ctx.print(`(rtalert: 0x${hex(ctx.u16(bp + i + 2), 4)}) `);
        break;
      case 0xc2: {
        if (len - i < 6) {
          ctx.print('(jumbo: trunc)');
          return false;
        }
        if (ctx.u8(bp + i + 1) !== 4) {
          ctx.print(`(jumbo: invalid len ${ctx.u8(bp + i + 1)})`);
          return false;
        }
        const jumbolen = ctx.u32(bp + i + 2);
        if (seenJumbo) {
          if (v) ctx.print(`(jumbo: ${jumbolen} - already seen) `);
        } else {
          seenJumbo = true;
          if (!jumbo) {
            if (v) ctx.print(`(jumbo: ${jumbolen} - not a hop-by-hop option) `);
          } else if (jumbo.payloadLen !== 0) {
            if (v) ctx.print(`(jumbo: ${jumbolen} - payload len != 0) `);
          } else if (jumbolen < 65536) {
            if (v) ctx.print(`(jumbo: ${jumbolen} - < 65536) `);
          } else {
            jumbo.found = true;
            jumbo.payloadLen = jumbolen;
            if (v) ctx.print(`(jumbo: ${jumbolen}) `);
          }
        }
        break;
      }
      case 0xc9:
        if (len - i < 18) {
          ctx.print('(homeaddr: trunc)');
          return false;
        }
        if (ctx.u8(bp + i + 1) < 16) {
          ctx.print(`(homeaddr: invalid len ${ctx.u8(bp + i + 1)})`);
          return false;
        }
        if (v) ctx.print(`(homeaddr: ${ctx.ipv6(bp + i + 2)})`);
        break;
      default:
        if (len - i < 2) {
          ctx.print(`(type ${type}: trunc)`);
          return false;
        }
        if (v) ctx.print(`(opt_type 0x${hex(type, 2)}: len=${ctx.u8(bp + i + 1)})`);
    }
  }
  if (v) ctx.print(' ');
  return true;
}

export function ip6Print(ctx: PrintContext, offset: number, length: number): void {
  ctx.protocol = 'ip6';
  if (!ctx.has(offset, 40)) {
    ctx.printTrunc();
    return;
  }
  if (length < 40) {
    ctx.print(`truncated-ip6 ${length}`);
    return;
  }
  if (!ctx.flags.linkHeader) ctx.print('IP6 ');
  const version = ctx.u8(offset) >> 4;
  if (version !== 6) {
    ctx.print(`version error: ${version} != 6`);
    return;
  }
  let payloadLen = ctx.u16(offset + 4);
  let len: number;
  if (payloadLen !== 0) {
    len = payloadLen + 40;
    if (length < len) ctx.print(`truncated-ip6 - ${len - length} bytes missing!`);
  } else len = length + 40;
  let nh = ctx.u8(offset + 6);
  if (ctx.flags.verbose > 0) ip6VerboseHeader(ctx, offset, nh, payloadLen);
  const savedSnap = ctx.pushSnap(offset, len);
  let cp = offset;
  let advance = 40;
  let total = 0;
  let foundExtension = false;
  let foundJumbo = false;
  let foundHbh = false;
  let fragmented = false;
  let previous = 255;
  while (cp < ctx.snapEnd && advance > 0) {
    if (len < advance) {
      ctx.printTrunc();
      return;
    }
    cp += advance;
    len -= advance;
    total += advance;
    if (cp === offset + 40 && nh !== IPPROTO.TCP && nh !== IPPROTO.UDP && nh !== IPPROTO.DCCP && nh !== IPPROTO.SCTP) {
      ctx.printAddressPair(ctx.ipv6(offset + 8), ctx.ipv6(offset + 24));
    }
    switch (nh) {
      case 0: {
        if (foundHbh) {
          ctx.print('[The Hop-by-Hop Options header was already found] (invalid)');
          return;
        }
        if (previous !== 255) {
          ctx.print("[The Hop-by-Hop Options header don't follow the IPv6 header] (invalid)");
          return;
        }
        ctx.protocol = 'hbhopt';
        const hbhLen = (ctx.u8(cp + 1) + 1) << 3;
        ctx.check(cp, hbhLen);
        ctx.print('HBH ');
        const jumbo = { payloadLen, found: false };
        const ok = ip6Options(ctx, cp + 2, hbhLen - 2, jumbo);
        if (!ok) ctx.printTrunc();
        payloadLen = jumbo.payloadLen;
        foundJumbo = jumbo.found;
        if (payloadLen === 0 && !foundJumbo) {
          ctx.print('[No valid Jumbo Payload Hop-by-Hop option found] (invalid)');
          return;
        }
        if (!ok) return;
        advance = hbhLen;
        foundExtension = true;
        foundHbh = true;
        nh = ctx.u8(cp);
        break;
      }
      case 60: {
        ctx.protocol = 'dstopt';
        advance = (ctx.u8(cp + 1) + 1) << 3;
        ctx.check(cp, advance);
        ctx.print('DSTOPT ');
        if (ctx.flags.verbose > 0 && !ip6Options(ctx, cp + 2, advance - 2)) {
          ctx.printTrunc();
          return;
        }
        foundExtension = true;
        nh = ctx.u8(cp);
        break;
      }
      case 44: {
        ctx.protocol = 'frag6';
        const offlg = ctx.u16(cp + 2);
        // tcpdump computes this in size_t, so a header claiming too little wraps around.
        const fragLenSigned = 40 + ctx.u16(offset + 4) - (cp - offset) - 8;
        const fragLen = fragLenSigned >= 0 ? String(fragLenSigned) : String(2n ** 64n + BigInt(fragLenSigned));
        if (ctx.flags.verbose > 0) ctx.print(`frag (0x${hex(ctx.u32(cp + 4), 8)}:${offlg & 0xfff8}|${fragLen})`);
        else ctx.print(`frag (${offlg & 0xfff8}|${fragLen})`);
        if ((offlg & 0xfff8) !== 0) return;
        ctx.print(' ');
        advance = 8;
        if (ctx.snapEnd <= cp + advance) return;
        foundExtension = true;
        nh = ctx.u8(cp);
        fragmented = true;
        break;
      }
      case 62:
      case 135:
        // tcpdump ends the walk at a Mobility Header, whatever its next header says.
        mobilityPrint(ctx, cp);
        ctx.restoreSnap(savedSnap);
        return;
      case 43: {
        ctx.check(cp, 1);
        advance = rt6Print(ctx, cp);
        if (advance < 0) {
          ctx.restoreSnap(savedSnap);
          return;
        }
        foundExtension = true;
        nh = ctx.u8(cp);
        break;
      }
      default: {
        if (foundJumbo) {
          len = (payloadLen + 40) >>> 0;
          if (len < total) {
            ctx.printTrunc();
            return;
          }
          if (length < len) ctx.print(`truncated-ip6 - ${len - length} bytes missing!`);
          ctx.snapEnd = Math.min(savedSnap, offset + len);
          len -= total;
        } else if (payloadLen === 0) {
          if (foundExtension) {
            ctx.printTrunc();
            return;
          }
          len = 40;
          ctx.snapEnd = Math.min(savedSnap, offset + len);
          len -= total;
        }
        ipDemux(ctx, cp, len, { version: 6, offset }, fragmented, nh);
        ctx.restoreSnap(savedSnap);
        return;
      }
    }
    previous = nh;
    ctx.protocol = 'ip6';
  }
  ctx.restoreSnap(savedSnap);
}
