/**
 * UDP as tcpdump's print-udp.c prints it. DNS (53), mDNS (5353), BOOTP/DHCP (67, 68), NTP (123),
 * DHCPv6 (546, 547) and HSRP (to 1985) are decoded (udp-apps.ts); other ports that tcpdump has a printer for (SNMP,
 * TFTP, ...) are not decoded here and print the plain `UDP, length N` form.
 */
import { PrintContext, hex } from './context';
import { checksumShouldBe, internetChecksum, pseudoHeader } from './cksum';
import type { IpHeaderRef } from './ip';
import { dnsPrint } from './dns';
import { bootpPrint, dhcp6Print, hsrpPrint, ntpPrint } from './udp-apps';

/**
 * The ports tcpdump's udp_print tests before each printer of udp-apps.ts, in its order, whose
 * printers Sievecap lacks: a packet to or from one of them goes to that printer in tcpdump, so it
 * must not reach a later one here.
 */
const BEFORE_BOOTP = [525, 69];
const BEFORE_NTP = [...BEFORE_BOOTP, 67, 68, 520, 654, 500, 4500, 7500, 8500, 161, 162];
const BEFORE_DHCP6 = [...BEFORE_NTP, 123, 88, 750, 1701, 137, 138, 2103, 2104, 521];
const BEFORE_HSRP = [...BEFORE_DHCP6, 546, 547, 5359, 6696, 6697, 8231, 496, 1645, 1812, 1646, 1813, 1700, 3799];
const either = (ports: readonly number[], sport: number, dport: number): boolean => ports.includes(sport) || ports.includes(dport);
/** tcpdump's vat (dport 3456 only) and rx (7000-7009) tests, between NTP's and DHCPv6's. */
const vatOrRx = (sport: number, dport: number): boolean => dport === 3456 || (sport >= 7000 && sport <= 7009) || (dport >= 7000 && dport <= 7009);

function addressesAndPorts(ctx: PrintContext, ip: IpHeaderRef, sport: number, dport: number): void {
  const v4 = ip.version === 4;
  const next = v4 ? ctx.u8(ip.offset + 9) : ctx.u8(ip.offset + 6);
  const srcOff = v4 ? ip.offset + 12 : ip.offset + 8;
  const dstOff = v4 ? ip.offset + 16 : ip.offset + 24;
  const out = ctx.out;
  if (next === 17) {
    const src = v4 ? ctx.ipv4(srcOff) : ctx.ipv6(srcOff);
    const dst = v4 ? ctx.ipv4(dstOff) : ctx.ipv6(dstOff);
    if (sport === -1) ctx.printAddressPair(src, dst);
    else {
      out.text(src);
      out.byte(0x2e);
      ctx.printUdpPort(sport);
      out.text(' > ');
      out.text(dst);
      out.byte(0x2e);
      ctx.printUdpPort(dport);
      out.text(': ');
    }
  } else if (sport !== -1) {
    ctx.printUdpPort(sport);
    out.text(' > ');
    ctx.printUdpPort(dport);
    out.text(': ');
  }
}

function printChecksum(ctx: PrintContext, offset: number, ulen: number, ip: IpHeaderRef): void {
  const v4 = ip.version === 4;
  if (v4 && ctx.flags.verbose < 2) return;
  const field = ctx.u16(offset + 6);
  if (v4 && field === 0) {
    ctx.print('[no cksum] ');
    return;
  }
  if (!ctx.has(offset, ulen)) return;
  const addrLen = v4 ? 4 : 16;
  const srcOff = v4 ? ip.offset + 12 : ip.offset + 8;
  const pseudo = pseudoHeader(ctx.bytes(srcOff, addrLen), ctx.bytes(srcOff + addrLen, addrLen), 17, ulen);
  const sum = internetChecksum([pseudo, ctx.bytes(offset, ulen)]);
  if (sum !== 0) ctx.print(`[bad udp cksum 0x${hex(field, 4)} -> 0x${hex(checksumShouldBe(field, sum), 4)}!] `);
  else ctx.print('[udp sum ok] ');
}

export function udpPrint(ctx: PrintContext, offset: number, length: number, ip: IpHeaderRef, fragmented: boolean): void {
  ctx.protocol = 'udp';
  if (!ctx.has(offset + 2, 2)) {
    addressesAndPorts(ctx, ip, -1, -1);
    ctx.printTrunc();
    return;
  }
  const sport = ctx.u16(offset);
  const dport = ctx.u16(offset + 2);
  if (length < 8) {
    addressesAndPorts(ctx, ip, sport, dport);
    ctx.print(`truncated-udp ${length}`);
    return;
  }
  if (!ctx.has(offset + 4, 2)) {
    addressesAndPorts(ctx, ip, sport, dport);
    ctx.printTrunc();
    return;
  }
  let ulen = ctx.u16(offset + 4);
  if (ulen === 0 && length > 65535) ulen = length;
  if (ulen < 8) {
    addressesAndPorts(ctx, ip, sport, dport);
    ctx.print(`truncated-udplength ${ulen}`);
    return;
  }
  ulen -= 8;
  length -= 8;
  if (ulen < length) length = ulen;
  const payload = offset + 8;
  if (payload > ctx.snapEnd) {
    addressesAndPorts(ctx, ip, sport, dport);
    ctx.printTrunc();
    return;
  }
  addressesAndPorts(ctx, ip, sport, dport);
  if (ctx.flags.verbose > 0 && !ctx.flags.noChecksums && !fragmented) printChecksum(ctx, offset, length + 8, ip);
  if (!ctx.flags.quick && (sport === 53 || dport === 53)) {
    dnsPrint(ctx, payload, length, false, false);
    return;
  }
  if (!ctx.flags.quick && (sport === 5353 || dport === 5353)) {
    dnsPrint(ctx, payload, length, false, true);
    return;
  }
  if (!ctx.flags.quick && appPrint(ctx, payload, length, sport, dport)) return;
  if (ulen > length && !fragmented) ctx.print(`UDP, bad length ${ulen} > ${length}`);
  else {
    ctx.out.text('UDP, length ');
    ctx.out.uint(ulen);
  }
}

/** The printers of udp-apps.ts, in tcpdump's order; false when none takes the packet. */
function appPrint(ctx: PrintContext, payload: number, length: number, sport: number, dport: number): boolean {
  if ((sport === 67 || dport === 67 || sport === 68 || dport === 68) && !either(BEFORE_BOOTP, sport, dport)) {
    bootpPrint(ctx, payload, length);
    return true;
  }
  if ((sport === 123 || dport === 123) && !either(BEFORE_NTP, sport, dport)) {
    ntpPrint(ctx, payload, length);
    return true;
  }
  if ((sport === 546 || dport === 546 || sport === 547 || dport === 547) && !either(BEFORE_DHCP6, sport, dport) && !vatOrRx(sport, dport)) {
    dhcp6Print(ctx, payload, length);
    return true;
  }
  // HSRP: by destination port only (whiteboard's dport 4567, tested before it, cannot be 1985 too).
  if (dport === 1985 && !either(BEFORE_HSRP, sport, dport) && !vatOrRx(sport, dport)) {
    hsrpPrint(ctx, payload, length);
    return true;
  }
  return false;
}
