/**
 * UDP applications tcpdump 4.99 decodes that everyday networks carry: BOOTP/DHCP (print-bootp.c),
 * NTP (print-ntp.c), DHCPv6 (print-dhcp6.c) and HSRP (print-hsrp.c, also with -v). Each prints tcpdump's one-line summary, the whole
 * of what tcpdump prints without -v. With -v tcpdump goes on (BOOTP's header fields and options,
 * NTP's time stamps, DHCPv6's options); those parts are not printed here, so a -v line is the
 * start of tcpdump's.
 */
import { PrintContext } from './context';
import { printableChar } from './hexdump';
import { relativeSeconds } from './igmp';

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

const HSRP_OPS = ['hello', 'coup', 'resign'];
const HSRP_STATES = new Map([
  [0, 'initial'],
  [1, 'learn'],
  [2, 'listen'],
  [4, 'speak'],
  [8, 'standby'],
  [16, 'active'],
]);

/** hsrp_print: `HSRPv0-hello 20: state=active group=1 addr=192.168.0.1` (-v: timers, priority, auth). */
export function hsrpPrint(ctx: PrintContext, p: number, length: number): void {
  ctx.protocol = 'hsrp';
  const version = ctx.u8(p);
  ctx.print(`HSRPv${version}`);
  if (version !== 0) return;
  const op = ctx.u8(p + 1);
  ctx.print(`-${HSRP_OPS[op] ?? `unknown (${op})`} ${length}: `);
  const state = ctx.u8(p + 2);
  ctx.print(`state=${HSRP_STATES.get(state) ?? `Unknown (${state})`} group=${ctx.u8(p + 6)} `);
  const reserved = ctx.u8(p + 7);
  if (reserved !== 0) ctx.print(`[reserved=${reserved}!] `);
  ctx.print(`addr=${ctx.ipv4(p + 16)}`);
  if (ctx.flags.verbose === 0) return;
  ctx.print(` hellotime=${relativeSeconds(ctx.u8(p + 3))} holdtime=${relativeSeconds(ctx.u8(p + 4))} priority=${ctx.u8(p + 5)} auth="`);
  for (let i = 0; i < 8; i++) {
    const c = ctx.u8(p + 8 + i);
    if (c === 0) break;
    ctx.print(printableChar(c));
  }
  ctx.print('"');
}
