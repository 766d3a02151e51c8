/** ICMP for IPv4 as tcpdump's print-icmp.c prints it without -v (plus its -v checksum check). */
import { PrintContext, hex } from './context';
import { checksumShouldBe, internetChecksum } from './cksum';
import { ipPrint } from './ip';

const ICMP_NAMES = new Map<number, string>([
  [0, 'echo reply'], [4, 'source quench'], [8, 'echo request'], [10, 'router solicitation'],
  [13, 'time stamp request'], [14, 'time stamp reply'], [15, 'information request'],
  [16, 'information reply'], [17, 'address mask request'],
]);

/** Unreachable codes whose text is `<prefix><dst><suffix>`. */
const UNREACH_TEXT = new Map<number, [string, string]>([
  [0, ['net ', ' unreachable']], [1, ['host ', ' unreachable']],
  [5, ['', ' unreachable - source route failed']], [6, ['net ', ' unreachable - unknown']],
  [7, ['host ', ' unreachable - unknown']], [8, ['', ' unreachable - source host isolated']],
  [9, ['net ', ' unreachable - admin prohibited']], [10, ['host ', ' unreachable - admin prohibited']],
  [11, ['net ', ' unreachable - tos prohibited']], [12, ['host ', ' unreachable - tos prohibited']],
  [13, ['host ', ' unreachable - admin prohibited filter']],
  [14, ['host ', ' unreachable - host precedence violation']],
  [15, ['host ', ' unreachable - precedence cutoff']],
]);

function msSinceMidnight(t: number): string {
  const ms = t % 1000;
  let sec = Math.floor(t / 1000);
  let min = Math.floor(sec / 60);
  sec -= min * 60;
  const hrs = Math.floor(min / 60);
  min -= hrs * 60;
  const p2 = (n: number): string => String(n).padStart(2, '0');
  return `${p2(hrs)}:${p2(min)}:${p2(sec)}.${String(ms).padStart(3, '0')}`;
}

function unreachableText(ctx: PrintContext, p: number, code: number): string {
  const innerDst = (): string => ctx.ipv4(p + 8 + 16);
  const fixed = UNREACH_TEXT.get(code);
  if (fixed) return `${fixed[0]}${innerDst()}${fixed[1]}`;
  switch (code) {
    case 2:
      return `${innerDst()} protocol ${ctx.u8(p + 8 + 9)} unreachable`;
    case 3: {
      ctx.check(p + 8 + 9, 1);
      const hlen = (ctx.u8(p + 8) & 0x0f) * 4;
      const dport = ctx.u16(p + 8 + hlen + 2);
      const proto = ctx.u8(p + 8 + 9);
      if (proto === 6) return `${innerDst()} tcp port ${ctx.names.tcpPort(dport)} unreachable`;
      if (proto === 17) return `${innerDst()} udp port ${ctx.names.udpPort(dport)} unreachable`;
      return `${innerDst()} protocol ${proto} port ${dport} unreachable`;
    }
    case 4: {
      const mtu = ctx.u16(p + 6);
      return mtu ? `${innerDst()} unreachable - need to frag (mtu ${mtu})` : `${innerDst()} unreachable - need to frag`;
    }
    default:
      return `${innerDst()} unreachable - #${code}`;
  }
}

function redirectText(ctx: PrintContext, p: number, code: number): string {
  const dst = ctx.ipv4(p + 8 + 16);
  const gw = ctx.ipv4(p + 4);
  switch (code) {
    case 0:
      return `redirect ${dst} to net ${gw}`;
    case 1:
      return `redirect ${dst} to host ${gw}`;
    case 2:
      return `redirect-tos ${dst} to net ${gw}`;
    case 3:
      return `redirect-tos ${dst} to host ${gw}`;
    default:
      return `redirect-#${code} ${dst} to ${gw}`;
  }
}

function routerAdvertText(ctx: PrintContext, p: number): string {
  ctx.check(p + 4, 4);
  let text = 'router advertisement lifetime ';
  const lifetime = ctx.u16(p + 6);
  const p2 = (n: number): string => String(n).padStart(2, '0');
  if (lifetime < 60) text += String(lifetime);
  else if (lifetime < 3600) text += `${Math.floor(lifetime / 60)}:${p2(lifetime % 60)}`;
  else text += `${Math.floor(lifetime / 3600)}:${p2(Math.floor((lifetime % 3600) / 60))}:${p2(lifetime % 60)}`;
  let num = ctx.u8(p + 4);
  text += ` ${num}:`;
  const size = ctx.u8(p + 5);
  if (size !== 2) return text + ` [size ${size}]`;
  for (let at = p + 8; num > 0; num--, at += 8) {
    ctx.check(at, 8);
    text += ` {${ctx.ipv4(at)} ${ctx.u32(at + 4)}}`;
  }
  return text;
}

function icmpText(ctx: PrintContext, p: number, type: number, code: number): string {
  switch (type) {
    case 0:
    case 8:
      return `echo ${type === 8 ? 'request' : 'reply'}, id ${ctx.u16(p + 4)}, seq ${ctx.u16(p + 6)}`;
    case 3:
      return unreachableText(ctx, p, code);
    case 5:
      return redirectText(ctx, p, code);
    case 9:
      return routerAdvertText(ctx, p);
    case 11:
      ctx.check(p + 8 + 16, 4);
      if (code === 0) return 'time exceeded in-transit';
      if (code === 1) return 'ip reassembly time exceeded';
      return `time exceeded-#${code}`;
    case 12:
      return code ? `parameter problem - code ${code}` : `parameter problem - octet ${ctx.u8(p + 4)}`;
    case 18:
      return `address mask is 0x${hex(ctx.u32(p + 8), 8)}`;
    case 13:
      return `time stamp query id ${ctx.u16(p + 4)} seq ${ctx.u16(p + 6)}`;
    case 14: {
      ctx.check(p + 16, 4);
      return `time stamp reply id ${ctx.u16(p + 4)} seq ${ctx.u16(p + 6)}: org ${msSinceMidnight(ctx.u32(p + 8))}` +
        `, recv ${msSinceMidnight(ctx.u32(p + 12))}, xmit ${msSinceMidnight(ctx.u32(p + 16))}`;
    }
    default:
      return ICMP_NAMES.get(type) ?? `type-#${type}`;
  }
}

export function icmpPrint(ctx: PrintContext, p: number, length: number, fragmented: boolean): void {
  ctx.protocol = 'icmp';
  const type = ctx.u8(p);
  const code = ctx.u8(p + 1);
  if (type === 0 || type === 8) {
    // The commonest ICMP line, piece by piece (both fields read before anything is printed).
    const id = ctx.u16(p + 4);
    const seq = ctx.u16(p + 6);
    const out = ctx.out;
    out.text(type === 8 ? 'ICMP echo request, id ' : 'ICMP echo reply, id ');
    out.uint(id);
    out.text(', seq ');
    out.uint(seq);
    out.text(', length ');
    out.uint(length);
  } else ctx.print(`ICMP ${icmpText(ctx, p, type, code)}, length ${length}`);
  if (ctx.flags.verbose > 0 && !fragmented && ctx.has(p, length)) {
    const sum = internetChecksum([ctx.bytes(p, length)]);
    if (sum !== 0) {
      const field = ctx.u16(p + 2);
      ctx.print(` (wrong icmp cksum ${field.toString(16)} (->${checksumShouldBe(field, sum).toString(16)})!)`);
    }
  }
  if (ctx.flags.verbose > 0 && [3, 4, 5, 11, 12].includes(type)) printQuotedDatagram(ctx, p);
}

/** With -v, error messages show the quoted datagram on the next line, as tcpdump does. */
function printQuotedDatagram(ctx: PrintContext, p: number): void {
  const inner = p + 8;
  ctx.print('\n\t');
  const innerLen = ctx.u16(inner + 2);
  const saved = ctx.pushSnap(inner, innerLen);
  ipPrint(ctx, inner, innerLen);
  ctx.restoreSnap(saved);
  ctx.protocol = 'icmp';
}
