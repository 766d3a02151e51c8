/**
 * TCP as tcpdump's print-tcp.c prints it: flags, relative sequence numbers (the first packet
 * with ACK of a connection records the initial numbers; later ones print offsets from them),
 * window, options, length, and a first line of HTTP / SSH / DNS payloads on their ports, telnet's
 * commands (telnet.ts) and NFS calls and replies (nfs.ts).
 */
import { respPrint } from './resp';
import { mptcpPrint } from './mptcp';
import { PrintContext, Truncated, hex } from './context';
import { connectionSlot, type SeqContext } from './tcp-seq';
import { checksumShouldBe, internetChecksum, ipPseudoHeader } from './cksum';
import type { IpHeaderRef } from './ip';
import { dnsPrint } from './dns';
import { NFS_PORT, nfsPrint } from './nfs';
import { telnetPrint } from './telnet';
import { httpPrint, sshPrint, textLinesPrint } from './text-protocols';
import { printableChar } from './hexdump';
import { ascii } from './line-buffer';

const TH_FIN = 0x01;
const TH_SYN = 0x02;
const TH_RST = 0x04;
const TH_PUSH = 0x08;
const TH_ACK = 0x10;
const TH_URG = 0x20;
const TH_ECE = 0x40;
const TH_CWR = 0x80;

/** ` ${n}` without making a string. */
function printSpaceUint(ctx: PrintContext, n: number): void {
  ctx.out.byte(0x20);
  ctx.out.uint(n);
}

function flagsText(flags: number): string {
  let s = '';
  if (flags & TH_FIN) s += 'F';
  if (flags & TH_SYN) s += 'S';
  if (flags & TH_RST) s += 'R';
  if (flags & TH_PUSH) s += 'P';
  if (flags & TH_ACK) s += '.';
  if (flags & TH_URG) s += 'U';
  if (flags & TH_ECE) s += 'E';
  if (flags & TH_CWR) s += 'W';
  return s || 'none';
}

/** `Flags [...]` for every value of the flags byte, made once. */
const FLAGS_FIELD = Array.from({ length: 256 }, (_, flags) => ascii(`Flags [${flagsText(flags)}]`));
const K_TO = ascii(' > ');
const K_COLON = ascii(': ');
const K_SEQ = ascii(', seq ');
const K_ACK = ascii(', ack ');
const K_WIN = ascii(', win ');
const K_URG = ascii(', urg ');
const K_NOP_NOP_TS = ascii(', options [nop,nop,TS val ');
const K_ECR = ascii(' ecr ');
const K_LENGTH = ascii(', length ');

const OPTION_NAMES = new Map<number, string>([
  [0, 'eol'], [1, 'nop'], [2, 'mss'], [3, 'wscale'], [4, 'sackOK'], [5, 'sack'], [6, 'echo'],
  [7, 'echoreply'], [8, 'TS'], [11, 'cc'], [12, 'ccnew'], [13, ''], [19, 'md5'], [20, 'scps'],
  [28, 'uto'], [29, 'tcp-ao'], [30, 'mptcp'], [34, 'tfo'], [254, 'exp'],
]);

/** The printed name of every option kind, made once. */
const OPTION_TEXT = Array.from({ length: 256 }, (_, opt) => OPTION_NAMES.get(opt) ?? `unknown-${opt}`);

const u32 = (n: number): number => n >>> 0;

/** `goto bad` / `goto trunc` inside the options loop; `afterFirst` is tcpdump's `ch != '\0'`. */
class OptionError extends Error {
  constructor(
    readonly kind: 'bad' | 'trunc',
    readonly afterFirst: boolean,
  ) {
    super(kind);
  }
}


/** An option's data must fit in the header (`bad`) and in the capture (`trunc`). */
function lencheck(ctx: PrintContext, cp: number, l: number, hlen: number, first: boolean): void {
  if (l > hlen) throw new OptionError('bad', !first);
  if (!ctx.has(cp, l)) throw new OptionError('trunc', !first);
}

/**
 * Prints `, options [...]`; throws OptionError where tcpdump jumps to `bad` or `trunc`.
 * `payloadCaptured`: the segment's data was captured whole (TCP-MD5 signatures say so).
 */
function printOptions(ctx: PrintContext, cp: number, hlen: number, seq: SeqContext, flags: number, payloadCaptured: boolean): void {
  ctx.print(', options [');
  let first = true;
  while (hlen > 0) {
    if (!first) ctx.out.byte(0x2c);
    const opt = ctx.u8(cp++);
    let len: number;
    if (opt === 0 || opt === 1) len = 1;
    else {
      len = ctx.u8(cp++);
      if (len < 2 || len > hlen) throw new OptionError('bad', !first);
      --hlen;
    }
    --hlen;
    let datalen = 0;
    ctx.print(OPTION_TEXT[opt]!);
    switch (opt) {
      case 2:
        datalen = 2;
        lencheck(ctx, cp, 2, hlen, first);
        printSpaceUint(ctx, ctx.u16(cp));
        break;
      case 3:
        datalen = 1;
        lencheck(ctx, cp, 1, hlen, first);
        printSpaceUint(ctx, ctx.u8(cp));
        break;
      case 5:
        datalen = len - 2;
        if (datalen % 8 !== 0) ctx.print(' invalid sack');
        else {
          ctx.print(` ${datalen / 8} `);
          for (let i = 0; i < datalen; i += 8) {
            lencheck(ctx, cp, i + 4, hlen, first);
            let s = ctx.u32(cp + i);
            lencheck(ctx, cp, i + 8, hlen, first);
            let e = ctx.u32(cp + i + 4);
            const base = seq.rev ? seq.thseq : seq.thack;
            s = u32(s - base);
            e = u32(e - base);
            ctx.print(`{${s}:${e}}`);
          }
        }
        break;
      case 6:
      case 7:
      case 11:
      case 12:
      case 13:
        datalen = 4;
        lencheck(ctx, cp, 4, hlen, first);
        ctx.print(` ${ctx.u32(cp)}`);
        break;
      case 8: {
        datalen = 8;
        lencheck(ctx, cp, 8, hlen, first);
        const val = ctx.u32(cp);
        const ecr = ctx.u32(cp + 4);
        ctx.out.text(' val ');
        ctx.out.uint(val);
        ctx.out.text(' ecr ');
        ctx.out.uint(ecr);
        break;
      }
      case 19:
        datalen = 16;
        lencheck(ctx, cp, 16, hlen, first);
        // tcp_verify_signature (tcpdump built with libcrypto, as distributions build it): without
        // -M's secret it cannot check, and says why.
        ctx.print(payloadCaptured ? ' shared secret not supplied with -M, ' : ' snaplen too short, ');
        ctx.print("can't check - " + Array.from(ctx.bytes(cp, 16), (b) => hex(b, 2)).join(''));
        break;
      case 20:
        datalen = 2;
        lencheck(ctx, cp, 2, hlen, first);
        ctx.print(` cap ${hex(ctx.u8(cp), 2)} id ${ctx.u8(cp + 1)}`);
        break;
      case 0:
      case 1:
      case 4:
        break;
      case 28: {
        datalen = 2;
        lencheck(ctx, cp, 2, hlen, first);
        let uto = ctx.u16(cp);
        ctx.print(` 0x${uto.toString(16)}`);
        uto = uto & 1 ? (uto >> 1) * 60 : uto >> 1;
        ctx.print(` ${uto}`);
        break;
      }
      case 29:
        datalen = len - 2;
        if (datalen < 2) ctx.print(' (invalid)');
        else {
          lencheck(ctx, cp, 1, hlen, first);
          ctx.print(` keyid ${ctx.u8(cp)}`);
          lencheck(ctx, cp, 2, hlen, first);
          ctx.print(` rnextkeyid ${ctx.u8(cp + 1)}`);
          if (datalen > 2) {
            ctx.print(' mac 0x');
            for (let i = 2; i < datalen; i++) {
              lencheck(ctx, cp, i + 1, hlen, first);
              ctx.print(hex(ctx.u8(cp + i), 2));
            }
          }
        }
        break;
      case 30: {
        datalen = len - 2;
        lencheck(ctx, cp, datalen, hlen, first);
        // tcpdump ends the capture at the option's end while it prints it.
        const snapEnd = ctx.snapEnd;
        ctx.snapEnd = Math.min(cp - 2 + len, snapEnd);
        const ok = mptcpPrint(ctx, cp - 2, len, flags);
        ctx.snapEnd = snapEnd;
        if (!ok) throw new OptionError('bad', !first);
        break;
      }
      case 34:
        datalen = len - 2;
        lencheck(ctx, cp, datalen, hlen, first);
        ctx.print(' ');
        fastOpen(ctx, cp, datalen, false);
        break;
      case 254: {
        datalen = len - 2;
        lencheck(ctx, cp, datalen, hlen, first);
        if (datalen < 2) throw new OptionError('bad', !first);
        const magic = ctx.u16(cp);
        ctx.print('-');
        if (magic === 0xf989) fastOpen(ctx, cp + 2, datalen - 2, true);
        else ctx.print(hex(magic, 4));
        break;
      }
      default:
        datalen = len - 2;
        if (datalen) ctx.print(' 0x');
        for (let i = 0; i < datalen; ++i) {
          lencheck(ctx, cp, i + 1, hlen, first);
          ctx.print(hex(ctx.u8(cp + i), 2));
        }
        break;
    }
    cp += datalen;
    hlen -= datalen;
    ++datalen;
    if (opt !== 0 && opt !== 1) ++datalen;
    if (datalen !== len) ctx.print(`[len ${len}]`);
    first = false;
    if (opt === 0) break;
  }
  ctx.print(']');
}

/** The 12 option bytes at cp are nop, nop, timestamps (kind 8, length 10), all captured. */
function isNopNopTimestamp(ctx: PrintContext, cp: number): boolean {
  if (!ctx.has(cp, 12)) return false;
  const d = ctx.data;
  return d[cp] === 1 && d[cp + 1] === 1 && d[cp + 2] === 8 && d[cp + 3] === 10;
}

function fastOpen(ctx: PrintContext, cp: number, datalen: number, experimental: boolean): void {
  if (experimental) ctx.print('tfo');
  if (datalen === 0) ctx.print(' cookiereq');
  else if (datalen % 2 !== 0 || datalen < 4 || datalen > 16) ctx.print(' (invalid)');
  else ctx.print(' cookie ' + Array.from(ctx.bytes(cp, datalen), (b) => hex(b, 2)).join(''));
}

export function tcpPrint(ctx: PrintContext, offset: number, length: number, ip: IpHeaderRef, fragmented: boolean): void {
  ctx.protocol = 'tcp';
  const srcOff = ip.version === 4 ? ip.offset + 12 : ip.offset + 8;
  const dstOff = ip.version === 4 ? ip.offset + 16 : ip.offset + 24;
  const v4 = ip.version === 4;
  if (!ctx.has(offset + 2, 2)) {
    ctx.print(`${(v4 ? ctx.ipv4(srcOff) : ctx.ipv6(srcOff))} > ${(v4 ? ctx.ipv4(dstOff) : ctx.ipv6(dstOff))}:`);
    ctx.printTrunc();
    return;
  }
  const sport = ctx.u16(offset);
  const dport = ctx.u16(offset + 2);
  const ipNext = ip.version === 4 ? ctx.u8(ip.offset + 9) : ctx.u8(ip.offset + 6);
  // Piece by piece into the line buffer (no template strings on this per-packet path).
  const out = ctx.out;
  if (ipNext === 6) {
    const src = (v4 ? ctx.ipv4(srcOff) : ctx.ipv6(srcOff));
    const dst = (v4 ? ctx.ipv4(dstOff) : ctx.ipv6(dstOff));
    out.recurring(src);
    out.byte(0x2e);
    ctx.printTcpPort(sport);
    out.raw(K_TO);
    out.recurring(dst);
    out.byte(0x2e);
    ctx.printTcpPort(dport);
  } else {
    ctx.printTcpPort(sport);
    out.raw(K_TO);
    ctx.printTcpPort(dport);
  }
  out.raw(K_COLON);
  if (!ctx.has(offset, 20)) {
    ctx.printTrunc();
    return;
  }
  let hlen = (ctx.u8(offset + 12) >> 4) * 4;
  if (hlen < 20) {
    ctx.print(` tcp ${(length - hlen) >>> 0} [bad hdr length ${hlen} - too short, < 20]`);
    return;
  }
  let seq = ctx.u32(offset + 4);
  let ack = ctx.u32(offset + 8);
  const win = ctx.u16(offset + 14);
  const urp = ctx.u16(offset + 18);
  if (ctx.flags.quick) {
    ctx.print(`tcp ${(length - hlen) >>> 0}`);
    if (hlen > length) ctx.print(` [bad hdr length ${hlen} - too long, > ${length}]`);
    return;
  }
  const flags = ctx.u8(offset + 13);
  out.raw(FLAGS_FIELD[flags]!);
  const seqCtx: SeqContext = { rev: false, thseq: 0, thack: 0, key: 0, found: false };
  if (!ctx.flags.absoluteTcpSequence && flags & TH_ACK) {
    const connections = connectionSlot(ctx, ip, sport, dport, seqCtx);
    const rev = seqCtx.rev;
    const slot = seqCtx.key;
    if (!seqCtx.found || flags & TH_SYN) {
      connections.seq[slot] = rev ? u32(ack - 1) : seq;
      connections.ack[slot] = rev ? seq : u32(ack - 1);
    } else if (rev) {
      seq = u32(seq - connections.ack[slot]!);
      ack = u32(ack - connections.seq[slot]!);
    } else {
      seq = u32(seq - connections.seq[slot]!);
      ack = u32(ack - connections.ack[slot]!);
    }
    seqCtx.thseq = connections.seq[slot]!;
    seqCtx.thack = connections.ack[slot]!;
  }
  if (hlen > length) {
    ctx.print(` [bad hdr length ${hlen} - too long, > ${length}]`);
    return;
  }
  if (ctx.flags.verbose > 0 && !ctx.flags.noChecksums && !fragmented) printChecksum(ctx, offset, length, ip);
  length -= hlen;
  if (ctx.flags.verbose > 1 || length > 0 || flags & (TH_SYN | TH_FIN | TH_RST)) {
    out.raw(K_SEQ);
    out.uint(seq);
    if (length > 0) {
      out.byte(0x3a);
      out.uint(u32(seq + length));
    }
  }
  if (flags & TH_ACK) {
    out.raw(K_ACK);
    out.uint(ack);
  }
  out.raw(K_WIN);
  out.uint(win);
  if (flags & TH_URG) {
    out.raw(K_URG);
    out.uint(urp);
  }
  if (hlen === 32 && isNopNopTimestamp(ctx, offset + 20)) {
    // What nearly every Linux segment carries, printed as printOptions would print it.
    out.raw(K_NOP_NOP_TS);
    out.uint(ctx.u32(offset + 24));
    out.raw(K_ECR);
    out.uint(ctx.u32(offset + 28));
    out.byte(0x5d);
  } else if (hlen > 20) {
    try {
      printOptions(ctx, offset + 20, hlen - 20, seqCtx, flags, ctx.has(offset + hlen, length));
    } catch (err) {
      if (!(err instanceof OptionError)) throw err;
      if (err.kind === 'bad') ctx.print(err.afterFirst ? '[bad opt]]' : '[bad opt]');
      else {
        ctx.printTrunc();
        if (err.afterFirst) ctx.print('>');
      }
      return;
    }
  }
  out.raw(K_LENGTH);
  out.uint(length);
  if (length === 0) return;
  hlen = (ctx.u8(offset + 12) >> 4) * 4;
  if (!ctx.has(offset, hlen)) {
    ctx.print(` [remaining caplen(${ctx.available(offset)}) < header length(${hlen})]`);
    throw new Truncated();
  }
  const payload = offset + hlen;
  if (flags & TH_RST && ctx.flags.verbose > 0) {
    printRstData(ctx, payload, length);
    return;
  }
  // tcp_print's port tests in its order; the first that holds wins. Where tcpdump has a printer
  // Sievecap lacks (PPTP, NetBIOS, SMB, BEEP, OpenFlow, RTSP, MSDP, RPKI-RTR, LDP) the line ends
  // after the length, and no later test may take the packet.
  const either = (a: number, b = a): boolean => sport === a || dport === a || sport === b || dport === b;
  if (either(23)) {
    telnetPrint(ctx, payload, length, ctx.flags.hexAscii);
  } else if (either(25)) {
    ctx.print(': ');
    textLinesPrint(ctx, 'smtp', payload, length);
  } else if (either(43)) {
    ctx.print(': ');
    textLinesPrint(ctx, 'whois', payload, length);
  } else if (either(179)) {
    // bgp_print's first line; with -v tcpdump goes on with every message on lines of their own.
    ctx.protocol = 'bgp';
    ctx.print(': BGP');
  } else if (either(1723)) {
    return;
  } else if (either(6379)) {
    respPrint(ctx, payload, length);
  } else if (either(22)) {
    sshPrint(ctx, payload, length);
  } else if (either(139, 445) || either(10288) || either(6633, 6653)) {
    return;
  } else if (either(21)) {
    ctx.print(': ');
    textLinesPrint(ctx, 'ftp', payload, length);
  } else if (either(80, 8080)) {
    ctx.print(': ');
    httpPrint(ctx, payload, length);
  } else if (either(554, 8554)) {
    return;
  } else if (either(53)) {
    dnsPrint(ctx, payload, length, true, false);
  } else if (either(639) || either(323) || either(646)) {
    return;
  } else if (either(NFS_PORT) && length >= 4 && ctx.has(payload, 4)) {
    // ONC RPC's record mark, then the message (its length cut to the segment's).
    let fragmentLength = ctx.u32(payload) & 0x7fffffff;
    if (fragmentLength > length - 4) fragmentLength = length - 4;
    nfsPrint(ctx, payload + 4, fragmentLength, sport, dport, ip, ': ');
  }
}

function printChecksum(ctx: PrintContext, offset: number, length: number, ip: IpHeaderRef): void {
  // tcpdump checks no checksum when the IPv6 payload length is 0, unless a hop-by-hop header
  // follows (a jumbogram: BIG TCP).
  if (ip.version === 6 && ctx.u16(ip.offset + 4) === 0 && ctx.u8(ip.offset + 6) !== 0) return;
  if (!ctx.has(offset, length)) return;
  const pseudo = ipPseudoHeader(ctx, ip, 6, length);
  const sum = internetChecksum([pseudo, ctx.bytes(offset, length)]);
  const field = ctx.u16(offset + 16);
  ctx.print(`, cksum 0x${hex(field, 4)}`);
  ctx.print(sum !== 0 ? ` (incorrect -> 0x${hex(checksumShouldBe(field, sum), 4)})` : ' (correct)');
}

function printRstData(ctx: PrintContext, offset: number, length: number): void {
  ctx.print(ctx.has(offset, length) ? ' [RST' : ' [!RST');
  if (length > 30) {
    length = 30;
    ctx.print('+');
  }
  ctx.print(' ');
  let text = '';
  for (let i = 0; i < length && offset + i < ctx.snapEnd; i++) text += printableChar(ctx.u8(offset + i));
  ctx.print(text + ']');
}
