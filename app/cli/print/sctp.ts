/**
 * SCTP (IP protocol 132) as tcpdump 4.99's print-sctp.c prints it: `10.0.0.1.7 > 10.0.0.2.7:
 * sctp (1) [INIT] [init tag: 1126376772] [rwnd: 65535] [OS: 17] [MIS: 17] [init TSN: 1560164255] `
 * — every chunk numbered, DATA's flags, TSN, stream, sequence and payload protocol, INIT's and
 * INIT ACK's parameters, SACK's gap blocks and duplicate TSNs; with -vv each chunk on a line of
 * its own and DATA's payload dumped. ForCES associations (ports 6704–6706 or its payload
 * protocols) and M3UA payloads with -vv, which tcpdump decodes further, are left to the caller.
 */
import { PrintContext } from './context';
import { hexAndAsciiPrint } from './hexdump';
import type { IpHeaderRef } from './ip';

const CHUNK_NAMES: ReadonlyMap<number, string> = new Map([
  [0, 'DATA'], [1, 'INIT'], [2, 'INIT ACK'], [3, 'SACK'], [4, 'HB REQ'], [5, 'HB ACK'], [6, 'ABORT'],
  [7, 'SHUTDOWN'], [8, 'SHUTDOWN ACK'], [9, 'OP ERR'], [10, 'COOKIE ECHO'], [11, 'COOKIE ACK'],
  [12, 'ECN ECHO'], [13, 'ECN CWR'], [14, 'SHUTDOWN COMPLETE'], [0xc0, 'FOR CUM TSN'], [0xc1, 'REL CTRL'],
  [0xc2, 'REL CTRL ACK'],
]);
const PPID_NAMES: ReadonlyMap<number, string> = new Map([
  [1, 'ISDN Q.921'], [2, 'M2UA'], [3, 'M3UA'], [4, 'SUA'], [5, 'M2PA'], [6, 'V5.2'], [7, 'H.248'],
  [8, 'BICC'], [9, 'TALI'], [10, 'DUA'], [11, 'ASAP'], [12, 'ENRP'], [13, 'H.323'], [14, 'Q.IPC'],
  [15, 'SIMCO'], [16, 'DDPSC'], [17, 'DDPSSC'], [18, 'S1AP'], [19, 'RUA'], [20, 'HNBAP'],
  [21, 'ForCES HP'], [22, 'ForCES MP'], [23, 'ForCES LP'], [24, 'SBc-AP'], [25, 'NBAP'], [27, 'X2AP'],
]);
const FORCES_PORTS = new Set([6704, 6705, 6706]);

/** Whether sctpPrint prints the packet at p as tcpdump does (see the file's comment). */
export function sctpPrintable(ctx: PrintContext, p: number, length: number): boolean {
  if (length < 12 || !ctx.has(p, 12)) return true;
  if (FORCES_PORTS.has(ctx.u16(p)) || FORCES_PORTS.has(ctx.u16(p + 2))) return false;
  let q = p + 12;
  let left = length - 12;
  while (left >= 4 && ctx.has(q, 4)) {
    const chunkLength = ctx.u16(q + 2);
    if (chunkLength < 4) return true;
    if (ctx.u8(q) === 0 && chunkLength >= 16 && ctx.has(q + 12, 4)) {
      const ppid = ctx.u32(q + 12);
      if (ppid >= 21 && ppid <= 23) return false;
      if (ppid === 3 && ctx.flags.verbose >= 2) return false;
    }
    const padded = chunkLength + ((4 - (chunkLength % 4)) % 4);
    q += padded;
    left -= padded;
  }
  return true;
}

/** sctp_print. */
export function sctpPrint(ctx: PrintContext, p: number, length: number, ip: IpHeaderRef): void {
  ctx.protocol = 'sctp';
  if (length < 12) {
    ctx.print(`truncated-sctp - ${12 - length} bytes missing!`);
    return;
  }
  ctx.check(p, 12);
  const sport = ctx.u16(p);
  const dport = ctx.u16(p + 2);
  const v4 = ip.version === 4;
  const src = v4 ? ctx.ipv4(ip.offset + 12) : ctx.ipv6(ip.offset + 8);
  const dst = v4 ? ctx.ipv4(ip.offset + 16) : ctx.ipv6(ip.offset + 24);
  ctx.print(`${src}.${sport} > ${dst}.${dport}: sctp`);
  let bp = p + 12;
  // An unsigned count, as tcpdump's: a chunk longer than the rest of the packet wraps it around.
  let remaining = length - 12;
  const vv = ctx.flags.verbose >= 2;
  let sep = vv ? '\n\t' : ' (';
  const bogus = (chunkLength: number): void => ctx.print(`bogus chunk length ${chunkLength}]`);
  for (let count = 0; remaining !== 0; count++) {
    if (remaining < 4) {
      ctx.print(`${sep}${count + 1}) [chunk descriptor cut off at end of packet]`);
      break;
    }
    ctx.check(bp, 4);
    const chunkId = ctx.u8(bp);
    const chunkFlags = ctx.u8(bp + 1);
    const chunkLength = ctx.u16(bp + 2);
    if (chunkLength < 4) {
      ctx.print(`${sep}${count + 1}) [Bad chunk length ${chunkLength}, < size of chunk descriptor]`);
      break;
    }
    let chunkLeft = chunkLength;
    const align = chunkLength % 4 ? 4 - (chunkLength % 4) : 0;
    if (remaining < align) {
      ctx.print(`${sep}${count + 1}) [Bad chunk length ${chunkLength}, > remaining data in packet]`);
      break;
    }
    ctx.check(bp, chunkLength);
    bp += 4;
    remaining = (remaining - 4) >>> 0;
    chunkLeft -= 4;
    ctx.print(`${sep}${count + 1}) `);
    ctx.print(`[${CHUNK_NAMES.get(chunkId) ?? `Unknown chunk type: 0x${chunkId.toString(16)}`}] `);
    if (chunkId === 0) {
      const u = (chunkFlags & 4) !== 0;
      const b = (chunkFlags & 2) !== 0;
      const e = (chunkFlags & 1) !== 0;
      if (u) ctx.print('(U)');
      if (b) ctx.print('(B)');
      if (e) ctx.print('(E)');
      if (u || b || e) ctx.print(' ');
      if (chunkLeft < 12) return bogus(chunkLength);
      const ppid = ctx.u32(bp + 8);
      ctx.print(`[TSN: ${ctx.u32(bp)}] `);
      ctx.print(`[SID: ${ctx.u16(bp + 4)}] `);
      ctx.print(`[SSEQ ${ctx.u16(bp + 6)}] `);
      ctx.print(`[PPID ${PPID_NAMES.get(ppid) ?? `0x${ppid.toString(16)}`}] `);
      bp += 12;
      remaining = (remaining - 12) >>> 0;
      chunkLeft -= 12;
      const payloadSize = chunkLeft;
      if (payloadSize === 0) return bogus(chunkLength);
      if (vv) {
        ctx.print('[Payload');
        if (!ctx.flags.suppressDefaultPrint) {
          ctx.print(':');
          hexAndAsciiPrint(ctx, '\n\t', bp, payloadSize);
        }
        ctx.print(']');
      }
      bp += payloadSize;
      remaining = (remaining - payloadSize) >>> 0;
      chunkLeft = 0;
    } else if (chunkId === 1 || chunkId === 2) {
      if (chunkLeft < 16) return bogus(chunkLength);
      ctx.print(`[init tag: ${ctx.u32(bp)}] `);
      ctx.print(`[rwnd: ${ctx.u32(bp + 4)}] `);
      ctx.print(`[OS: ${ctx.u16(bp + 8)}] `);
      ctx.print(`[MIS: ${ctx.u16(bp + 10)}] `);
      ctx.print(`[init TSN: ${ctx.u32(bp + 12)}] `);
      bp += chunkLeft;
      remaining = (remaining - chunkLeft) >>> 0;
      chunkLeft = 0;
    } else if (chunkId === 3) {
      if (chunkLeft < 12) return bogus(chunkLength);
      const sack = bp;
      const cumAck = ctx.u32(sack);
      ctx.print(`[cum ack ${cumAck}] `);
      ctx.print(`[a_rwnd ${ctx.u32(sack + 4)}] `);
      ctx.print(`[#gap acks ${ctx.u16(sack + 8)}] `);
      ctx.print(`[#dup tsns ${ctx.u16(sack + 10)}] `);
      bp += 12;
      remaining = (remaining - 12) >>> 0;
      chunkLeft -= 12;
      for (let frag = 0; chunkLeft !== 0 && frag < ctx.u16(sack + 8); bp += 4, remaining = (remaining - 4) >>> 0, chunkLeft -= 4, frag++) {
        if (chunkLeft < 4) return bogus(chunkLength);
        ctx.print(`\n\t\t[gap ack block #${frag + 1}: start = ${(cumAck + ctx.u16(bp)) >>> 0}, end = ${(cumAck + ctx.u16(bp + 2)) >>> 0}] `);
      }
      for (let tsn = 0; chunkLeft !== 0 && tsn < ctx.u16(sack + 10); bp += 4, remaining = (remaining - 4) >>> 0, chunkLeft -= 4, tsn++) {
        if (chunkLeft < 4) return bogus(chunkLength);
        ctx.print(`\n\t\t[dup TSN #${tsn + 1}: ${ctx.u32(bp)}] `);
      }
    } else {
      bp += chunkLeft;
      remaining = (remaining - chunkLeft) >>> 0;
      chunkLeft = 0;
    }
    bp += chunkLeft;
    remaining = (remaining - chunkLeft) >>> 0;
    if (!vv) sep = ', (';
    if (align !== 0) {
      ctx.check(bp, align);
      bp += align;
      remaining = (remaining - align) >>> 0;
    }
  }
}
