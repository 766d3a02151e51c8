/**
 * UDP applications tcpdump 4.99 decodes that everyday networks carry: BOOTP/DHCP (print-bootp.c),
 * NTP (print-ntp.c) and DHCPv6 (print-dhcp6.c). Each prints tcpdump's one-line summary, the whole
 * of what tcpdump prints without -v. With -v tcpdump goes on (BOOTP's header fields and options,
 * NTP's time stamps, DHCPv6's options); those parts are not printed here, so a -v line is the
 * start of tcpdump's.
 */
import { PrintContext } from './context';

const BOOTP_OPS = new Map([
  [1, 'Request'],
  [2, 'Reply'],
]);

/** bootp_print: `BOOTP/DHCP, Request from 00:0c:29:59:fd:21, length 300`. */
export function bootpPrint(ctx: PrintContext, p: number, length: number): void {
  ctx.protocol = 'bootp';
  const op = ctx.u8(p);
  ctx.print(`BOOTP/DHCP, ${BOOTP_OPS.get(op) ?? `unknown (0x${op.toString(16).padStart(2, '0')})`}`);
  const htype = ctx.u8(p + 1);
  const hlen = ctx.u8(p + 2);
  // bp_chaddr: 28 bytes into the header.
  if (htype === 1 && hlen === 6 && op === 1) ctx.print(` from ${ctx.mac(p + 28)}`);
  ctx.print(`, length ${length}`);
}

const NTP_MODES = ['unspecified', 'symmetric active', 'symmetric passive', 'Client', 'Server', 'Broadcast', 'Control Message', 'Reserved'];

/** ntp_print: `NTPv4, Client, length 48`. */
export function ntpPrint(ctx: PrintContext, p: number, length: number): void {
  ctx.protocol = 'ntp';
  const status = ctx.u8(p);
  ctx.print(`NTPv${(status & 0x38) >> 3}, ${NTP_MODES[status & 0x07]}, length ${length}`);
}

const DHCP6_TYPES = new Map([
  [1, 'solicit'],
  [2, 'advertise'],
  [3, 'request'],
  [4, 'confirm'],
  [5, 'renew'],
  [6, 'rebind'],
  [7, 'reply'],
  [8, 'release'],
  [9, 'decline'],
  [10, 'reconfigure'],
  [11, 'inf-req'],
  [12, 'relay-fwd'],
  [13, 'relay-reply'],
  [14, 'leasequery'],
  [15, 'leasequery-reply'],
]);

/** dhcp6_print: `dhcp6 solicit` (the message type, once its 4-byte header was captured). */
export function dhcp6Print(ctx: PrintContext, p: number, _length: number): void {
  ctx.protocol = 'dhcp6';
  ctx.print('dhcp6');
  ctx.check(p, 4);
  const type = ctx.u8(p);
  ctx.print(` ${DHCP6_TYPES.get(type) ?? `msgtype-${type}`}`);
}
