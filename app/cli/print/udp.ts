/**
 * UDP as tcpdump's print-udp.c prints it. NFS calls to and replies from 2049 (nfs.ts), DNS (53) and mDNS (5353), and the printers of
 * udp-apps.ts (BOOTP/DHCP, NTP, DHCPv6, HSRP, syslog, OTV, VXLAN, Geneve, TFTP, RADIUS, sFlow,
 * Kerberos, Broadcom's LI shim, RIP, RIPng), isakmp.ts (ISAKMP, ESP in UDP 4500), bfd.ts and ptp.ts, chosen by
 * UDP_PRINTERS in tcpdump's order; ports that tcpdump has a printer for and Sievecap does not
 * (SNMP, L2TP, AODV, ...) print the plain `UDP, length N` form.
 */
import { PrintContext, hex } from './context';
import { checksumShouldBe, internetChecksum, ipPseudoHeader } from './cksum';
import type { IpHeaderRef } from './ip';
import { dnsPrint } from './dns';
import { NFS_PORT, nfsPrint } from './nfs';
import { bfdPrint } from './bfd';
import { ptpPrint } from './ptp';
import { isakmpNattPrint, isakmpPrint } from './isakmp';
import { mplsPrint, mplsPrintable } from './mpls';
import { sipPrint } from './text-protocols';
import { snmpPrint, snmpPrintable } from './snmp';
import { bcmLiPrint, bootpPrint, krbPrint, radiusPrint, ripPrint, ripngPrint, sflowPrint, tftpPrint, dhcp6Print, genevePrint, hsrpPrint, ntpPrint, otvPrint, syslogPrint, vxlanPrint } from './udp-apps';

type PortTest = (sport: number, dport: number) => boolean;
/** Prints the payload; false (having printed nothing) where it declines, and the packet prints as plain UDP. */
type UdpPrinter = (ctx: PrintContext, payload: number, length: number, ip: IpHeaderRef) => void | boolean;
/** Every port a test below names: a packet with neither port here passes no test (checked first). */
const NAMED_PORTS = new Set<number>();
const named = (ports: number[]): number[] => {
  for (const p of ports) NAMED_PORTS.add(p);
  return ports;
};
const either = (...ports: number[]): PortTest => (named(ports), (sport, dport) => ports.includes(sport) || ports.includes(dport));
const to = (...ports: number[]): PortTest => (named(ports), (_sport, dport) => ports.includes(dport));
const from = (port: number): PortTest => (named([port]), (sport) => sport === port);

/**
 * tcpdump 4.99's udp_print after DNS and mDNS: its port tests in its order, each with the printer
 * of udp-apps.ts it leads to, or null where tcpdump has a printer Sievecap lacks (the packet
 * prints as `UDP, length N` here, and no later test may take it). The first test that holds wins.
 */
const UDP_PRINTERS: ReadonlyArray<readonly [PortTest, UdpPrinter | null]> = [
  [either(525), null], // timed
  [either(69), tftpPrint],
  [either(67, 68), bootpPrint],
  [either(520), ripPrint],
  [either(654), null], // AODV
  [either(500), isakmpPrint],
  [either(4500), isakmpNattPrint],
  [either(7500, 8500), isakmpPrint],
  [either(161, 162), (ctx, payload, length) => {
    if (!snmpPrintable(ctx)) return false;
    snmpPrint(ctx, payload, length);
  }],
  [either(123), ntpPrint],
  [either(88, 750), (ctx, payload) => krbPrint(ctx, payload)],
  [either(1701), null], // L2TP
  [either(137, 138), null], // NetBIOS
  [to(3456), null], // vat
  [either(2103, 2104), null], // Zephyr
  [(named([7000, 7001, 7002, 7003, 7004, 7005, 7006, 7007, 7008, 7009]), (s, d) => (s >= 7000 && s <= 7009) || (d >= 7000 && d <= 7009)), null], // AFS rx
  [either(521), ripngPrint],
  [either(546, 547), dhcp6Print],
  [either(5359), null], // AHCP
  [either(6696, 6697), null], // Babel
  [either(8231), null], // HNCP
  [to(4567), null], // whiteboard
  [either(496), null], // Cisco auto-RP
  [either(1645, 1812, 1646, 1813, 1700, 3799), radiusPrint],
  [to(1985), hsrpPrint],
  [either(921), null], // lwres
  [either(646), null], // LDP
  [either(698), null], // OLSR
  [either(3503), null], // MPLS LSP ping
  [from(49152), bcmLiPrint],
  [to(3784, 4784, 6784, 3785), (ctx, payload, length) => bfdPrint(ctx, payload, length, ctx.u16(payload - 6))],
  [either(701), null], // LMP
  [either(1589), null], // VQP
  [either(6343), sflowPrint],
  [either(12222, 12223), null], // LWAPP
  [either(5060), sipPrint],
  [either(514), syslogPrint],
  [either(8472), otvPrint],
  [either(4789), vxlanPrint],
  [either(6081), genevePrint],
  [either(4342), null], // LISP control
  [either(4790), null], // VXLAN-GPE
  [either(17754), null], // ZEP
  [either(6635), (ctx, payload, length) => {
    if (!mplsPrintable(ctx, payload, length)) return false;
    mplsPrint(ctx, payload, length);
  }],
  // AppleTalk's DDP in UDP (a LAP header of type 2 on its ports), which Sievecap does not print, comes before PTP.
  [either(319, 320), (ctx, payload, length) => {
    const sport = ctx.u16(payload - 8);
    const dport = ctx.u16(payload - 6);
    const atalk = (p: number): boolean => (p >= 16512 && p < 16640) || (p >= 200 && p < 328) || (p >= 768 && p < 896);
    if (ctx.has(payload + 2, 1) && ctx.u8(payload + 2) === 2 && (atalk(sport) || atalk(dport))) return false;
    ptpPrint(ctx, payload, length);
  }],
  [either(30490), null], // SOME/IP
];

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
  const pseudo = ipPseudoHeader(ctx, ip, 17, ulen);
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
  if (!ctx.flags.quick && (sport === NFS_PORT || dport === NFS_PORT) && nfsPrint(ctx, payload, length, sport, dport, ip, '')) return;
  if (ctx.flags.verbose > 0 && !ctx.flags.noChecksums && !fragmented) printChecksum(ctx, offset, length + 8, ip);
  if (!ctx.flags.quick && (sport === 53 || dport === 53)) {
    dnsPrint(ctx, payload, length, false, false);
    return;
  }
  if (!ctx.flags.quick && (sport === 5353 || dport === 5353)) {
    dnsPrint(ctx, payload, length, false, true);
    return;
  }
  if (!ctx.flags.quick && appPrint(ctx, payload, length, sport, dport, ip)) return;
  if (ulen > length && !fragmented) ctx.print(`UDP, bad length ${ulen} > ${length}`);
  else {
    ctx.out.text('UDP, length ');
    ctx.out.uint(ulen);
  }
}

/** The first of UDP_PRINTERS whose ports match; false when none does or its printer is missing here. */
function appPrint(ctx: PrintContext, payload: number, length: number, sport: number, dport: number, ip: IpHeaderRef): boolean {
  if (!NAMED_PORTS.has(sport) && !NAMED_PORTS.has(dport)) return false;
  for (const [matches, printer] of UDP_PRINTERS) {
    if (!matches(sport, dport)) continue;
    if (printer === null) return false;
    return printer(ctx, payload, length, ip) !== false;
  }
  return false;
}
