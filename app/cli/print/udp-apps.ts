/**
 * UDP applications tcpdump 4.99 decodes that everyday networks carry: BOOTP/DHCP (print-bootp.c),
 * NTP (print-ntp.c), DHCPv6 (print-dhcp6.c), and also with -v HSRP (print-hsrp.c), syslog
 * (print-syslog.c), VXLAN and OTV (print-vxlan.c, print-otv.c: the Ethernet frame inside on the next
 * line). Each prints tcpdump's one-line summary, the whole
 * of what tcpdump prints without -v. With -v tcpdump goes on (BOOTP's header fields and options,
 * NTP's time stamps, DHCPv6's options); those parts are not printed here, so a -v line is the
 * start of tcpdump's.
 */
import { PrintContext, hex } from './context';
import { hexPrint, printableChar } from './hexdump';
import { etherPrint, ethertypePrint } from './link';
import { ETHERTYPE_NAMES } from './tables';
import { ipPrint, ip6Print } from './ip';
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

const SYSLOG_SEVERITIES = ['emergency', 'alert', 'critical', 'error', 'warning', 'notice', 'info', 'debug'];
const SYSLOG_FACILITIES = ['kernel', 'user', 'mail', 'daemon', 'auth', 'syslog', 'lpr', 'news', 'uucp', 'cron', 'authpriv', 'ftp', 'ntp', 'security', 'console', 'cron',
  'local0', 'local1', 'local2', 'local3', 'local4', 'local5', 'local6', 'local7'];

/** syslog_print: `SYSLOG user.notice, length: 56` (-v: facility, severity and the message). */
export function syslogPrint(ctx: PrintContext, p: number, length: number): void {
  ctx.protocol = 'syslog';
  if (ctx.u8(p) !== 0x3c) {
    ctx.print(' (invalid)');
    return;
  }
  let offset = 1;
  let pri = 0;
  while (offset <= 3 && ctx.u8(p + offset) >= 0x30 && ctx.u8(p + offset) <= 0x39) {
    pri = pri * 10 + ctx.u8(p + offset) - 0x30;
    offset++;
  }
  if (ctx.u8(p + offset) !== 0x3e) {
    ctx.print(' (invalid)');
    return;
  }
  offset++;
  const facility = (pri & 0x03f8) >> 3;
  const severity = pri & 7;
  const facilityName = SYSLOG_FACILITIES[facility] ?? `unknown (${facility})`;
  const severityName = SYSLOG_SEVERITIES[severity]!;
  if (ctx.flags.verbose < 1) {
    ctx.print(`SYSLOG ${facilityName}.${severityName}, length: ${length}`);
    return;
  }
  ctx.print(`SYSLOG, length: ${length}\n\tFacility ${facilityName} (${facility}), Severity ${severityName} (${severity})\n\tMsg: `);
  for (let i = offset; i < length; i++) ctx.print(printableChar(ctx.u8(p + i)));
  if (ctx.flags.verbose > 1) hexPrint(ctx, '\n\t', p, Math.min(length, ctx.available(p)));
}

/** vxlan_print: `VXLAN, flags [I] (0x08), vni 100`, then the Ethernet frame inside on a line of its own. */
export function vxlanPrint(ctx: PrintContext, p: number, length: number): void {
  ctx.protocol = 'vxlan';
  ctx.print('VXLAN');
  if (length < 8) {
    ctx.print(' (invalid)');
    return;
  }
  const flags = ctx.u8(p);
  const vni = (ctx.u8(p + 4) << 16) | ctx.u16(p + 5);
  ctx.print(`, flags [${flags & 0x08 ? 'I' : 'invalid'}] (0x${flags.toString(16).padStart(2, '0')}), vni ${vni}\n`);
  ctx.check(p + 7, 1);
  // The inner frame's printer sets the link header length -x dumps from; the outer link's stands.
  const linkHeaderLength = ctx.linkHeaderLength;
  etherPrint(ctx, p + 8, length - 8, ctx.available(p + 8));
  ctx.linkHeaderLength = linkHeaderLength;
}

/** otv_print (8472, also the Linux kernel's VXLAN port): `OTV, flags [I] (0x08), overlay 0, instance 100`, then the frame inside. */
export function otvPrint(ctx: PrintContext, p: number, length: number): void {
  ctx.protocol = 'otv';
  ctx.print('OTV, ');
  if (length < 8) {
    ctx.print(`[length ${length} < 8] (invalid)`);
    ctx.check(p, length);
    return;
  }
  const flags = ctx.u8(p);
  ctx.print(`flags [${flags & 0x08 ? 'I' : '.'}] (0x${flags.toString(16).padStart(2, '0')}), `);
  ctx.print(`overlay ${(ctx.u8(p + 1) << 16) | ctx.u16(p + 2)}, `);
  ctx.print(`instance ${(ctx.u8(p + 4) << 16) | ctx.u16(p + 5)}\n`);
  ctx.check(p + 7, 1);
  const linkHeaderLength = ctx.linkHeaderLength;
  etherPrint(ctx, p + 8, length - 8, ctx.available(p + 8));
  ctx.linkHeaderLength = linkHeaderLength;
}

const GENEVE_FLAGS: ReadonlyArray<readonly [number, string]> = [[0x80, 'O'], [0x40, 'C'], [0x20, 'R1'], [0x10, 'R2'], [0x08, 'R3'], [0x04, 'R4'], [0x02, 'R5'], [0x01, 'R6']];

function geneveOptionClass(c: number): string {
  switch (c) {
    case 0x0100:
      return 'Linux';
    case 0x0101:
      return 'Open vSwitch';
    case 0x0102:
      return 'Open Virtual Networking (OVN)';
    case 0x0103:
      return 'In-band Network Telemetry (INT)';
    case 0x0104:
      return 'VMware';
    default:
      return c <= 0x00ff ? 'Standard' : c >= 0xfff0 ? 'Experimental' : 'Unknown';
  }
}

/**
 * geneve_print (6081): `Geneve, Flags [C], vni 0xa, options [8 bytes]: ` and the packet inside by
 * its protocol type (with -v the options one by one and the packet on a line of its own).
 */
export function genevePrint(ctx: PrintContext, p: number, length: number): void {
  ctx.protocol = 'geneve';
  ctx.print('Geneve');
  if (length < 8) {
    ctx.print(` [length ${length} < 8] (invalid)`);
    return;
  }
  // ND_TCHECK: a short capture ends the line here without ending the packet (-x still skips the link header).
  if (!ctx.has(p, 8)) return ctx.printTrunc();
  const verOpt = ctx.u8(p);
  if (verOpt >> 6 !== 0) {
    ctx.print(` ERROR: unknown-version ${verOpt >> 6}`);
    return;
  }
  const flags = ctx.u8(p + 1);
  const prot = ctx.u16(p + 2);
  const vni = (ctx.u8(p + 4) << 16) | ctx.u16(p + 5);
  const reserved = ctx.u8(p + 7);
  const names = GENEVE_FLAGS.filter(([bit]) => flags & bit).map(([, name]) => name).join('');
  ctx.print(`, Flags [${names || 'none'}], vni 0x${vni.toString(16)}`);
  if (reserved) ctx.print(`, rsvd 0x${reserved.toString(16)}`);
  if (ctx.flags.linkHeader) ctx.print(`, proto ${ETHERTYPE_NAMES.get(prot) ?? 'unknown'} (0x${hex(prot, 4)})`);
  let q = p + 8;
  let left = length - 8;
  const optsLen = (verOpt & 0x3f) * 4;
  if (left < optsLen) {
    ctx.print(` truncated-geneve - ${optsLen - left} bytes missing`);
    return;
  }
  if (!ctx.has(q, optsLen)) return ctx.printTrunc();
  if (optsLen > 0) {
    ctx.print(', options [');
    if (ctx.flags.verbose) geneveOptions(ctx, q, optsLen);
    else ctx.print(`${optsLen} bytes`);
    ctx.print(']');
  }
  q += optsLen;
  left -= optsLen;
  ctx.print(ctx.flags.verbose < 1 ? ': ' : '\n\t');
  const linkHeaderLength = ctx.linkHeaderLength;
  if (!ethertypePrint(ctx, prot, q, left)) {
    if (prot === 0x6558) etherPrint(ctx, q, left, ctx.available(q));
    else ctx.print(`geneve-proto-0x${prot.toString(16)}`);
  }
  ctx.linkHeaderLength = linkHeaderLength;
}

function geneveOptions(ctx: PrintContext, p: number, len: number): void {
  let sep = '';
  while (len > 0) {
    ctx.print(sep);
    sep = ', ';
    const optClass = ctx.u16(p);
    const type = ctx.u8(p + 2);
    const optLen = 4 + (ctx.u8(p + 3) & 0x1f) * 4;
    ctx.print(`class ${geneveOptionClass(optClass)} (0x${optClass.toString(16)}) type 0x${type.toString(16)}${type & 0x80 ? '(C)' : ''} len ${optLen}`);
    if (optLen > len) {
      ctx.print(' [bad length]');
      return;
    }
    if (ctx.flags.verbose > 1 && optLen > 4) {
      ctx.print(' data');
      for (let i = 4; i < optLen; i += 4) ctx.print(` ${hex(ctx.u32(p + i), 8)}`);
    }
    p += optLen;
    len -= optLen;
  }
}

const BCM_LI_DIRECTIONS: Readonly<Record<number, string>> = { 1: 'unused', 2: 'egress', 3: 'ingress' };
const BCM_LI_TYPES: Readonly<Record<number, string>> = { 4: 'undecided', 5: 'ipv4', 6: 'ipv6', 7: 'ethernet' };
const BCM_LI_SUBTYPES: Readonly<Record<number, string>> = { 1: 'single VLAN tag', 2: 'double VLAN tag', 3: 'untagged' };

/** bcm_li_print (from port 49152): Broadcom's lawful-intercept shim, and with -v the packet it carries. */
export function bcmLiPrint(ctx: PrintContext, p: number, length: number): void {
  ctx.protocol = 'bcm_li';
  if (length < 4) {
    ctx.print(` (length ${length} < 4) (invalid)`);
    return;
  }
  const shim = ctx.u32(p);
  const type = (shim >>> 25) & 0xf;
  const v = ctx.flags.verbose > 0;
  ctx.print(`${v ? '\n    ' : ''}BCM-LI-SHIM: direction ${BCM_LI_DIRECTIONS[(shim >>> 29) & 0x7] ?? 'unknown'}, pkt-type ${BCM_LI_TYPES[type] ?? 'unknown'}, pkt-subtype ${BCM_LI_SUBTYPES[(shim >>> 22) & 0x7] ?? 'unknown'}, li-id ${shim & 0x3fffff}${v ? '\n    ' : ''}`);
  const q = p + 4;
  const left = length - 4;
  if (!v) {
    ctx.check(q, left);
    return;
  }
  const linkHeaderLength = ctx.linkHeaderLength;
  if (type === 7) etherPrint(ctx, q, left, ctx.available(q));
  else if (type === 5) ipPrint(ctx, q, left);
  else if (type === 6) ip6Print(ctx, q, left);
  else if (type === 4) {
    const version = ctx.u8(q) >> 4;
    if (version === 4) ipPrint(ctx, q, left);
    else if (version === 6) ip6Print(ctx, q, left);
    else ctx.print('unknown payload');
  } else ctx.print(' (invalid)');
  ctx.linkHeaderLength = linkHeaderLength;
}

const KRB4_TYPES: Readonly<Record<number, string>> = { 2: 'KDC_REQUEST', 4: 'KDC_REPLY', 6: 'APPL_REQUEST', 8: 'APPL_REQUEST_MUTUAL', 10: 'ERR_REPLY', 12: 'PRIVATE', 14: 'SAFE', 16: 'APPL_ERR', 126: 'DIE' };
const KRB4_ERRORS: readonly string[] = ['OK', 'NAME_EXP', 'SERVICE_EXP', 'AUTH_EXP', 'PKT_VER', 'NAME_MAST_KEY_VER', 'SERV_MAST_KEY_VER', 'BYTE_ORDER', 'PRINCIPAL_UNKNOWN', 'PRINCIPAL_NOT_UNIQUE', 'NULL_KEY'];

/** krb_print (UDP 88, 750): the protocol version, and Kerberos 4's message (Kerberos 5 is ` v5` alone). */
export function krbPrint(ctx: PrintContext, p: number): void {
  ctx.protocol = 'krb';
  if (p >= ctx.snapEnd) return ctx.printTrunc();
  const pvno = ctx.u8(p);
  if (pvno >= 1 && pvno <= 3) ctx.print(` v${pvno}`);
  else if (pvno === 4) {
    ctx.print(' v4');
    krb4Print(ctx, p);
  } else if (pvno === 106 || pvno === 107) ctx.print(' v5');
}

/** c_print: a NUL-terminated string; the offset after its NUL, or -1 when the capture ends first. */
function cPrint(ctx: PrintContext, s: number): number {
  while (s < ctx.snapEnd) {
    const c = ctx.u8(s++);
    if (c === 0) return s;
    ctx.print(printableChar(c));
  }
  return -1;
}

function krb4Print(ctx: PrintContext, kp: number): void {
  const rawType = ctx.u8(kp + 1);
  const le = (rawType & 0x01) !== 0;
  const type = rawType & 0xfe;
  const u16 = (at: number): number => (le ? ctx.u8(at) | (ctx.u8(at + 1) << 8) : ctx.u16(at));
  ctx.print(` ${le ? 'le' : 'be'} ${KRB4_TYPES[type] ?? `#${type}`}: `);
  let cp = kp;
  const header = (): boolean => {
    cp += 2;
    for (const sep of ['.', '@', '']) {
      cp = cPrint(ctx, cp);
      if (cp < 0) return (ctx.printTrunc(), false);
      ctx.print(sep);
    }
    return true;
  };
  const text = (): boolean => {
    cp = cPrint(ctx, cp);
    if (cp < 0) return (ctx.printTrunc(), false);
    return true;
  };
  switch (type) {
    case 2:
      if (!header()) return;
      cp += 4;
      ctx.print(` ${ctx.u8(cp) * 5}min `);
      cp++;
      if (!text()) return;
      ctx.print('.');
      text();
      return;
    case 6:
      cp += 2;
      ctx.print(`v${ctx.u8(cp)} `);
      cp++;
      if (!text()) return;
      ctx.print(` (${ctx.u8(cp)})`);
      cp++;
      ctx.print(` (${ctx.u8(cp)})`);
      return;
    case 4:
      if (!header()) return;
      cp += 10;
      ctx.print(` (${u16(cp)})`);
      return;
    case 10: {
      if (!header()) return;
      cp += 4;
      const code = u16(cp);
      ctx.print(` ${KRB4_ERRORS[code] ?? `#${code}`} `);
      cp += 4;
      text();
      return;
    }
    default:
      ctx.print('(unknown)');
  }
}

const RADIUS_CODES: Readonly<Record<number, string>> = {
  1: 'Access-Request', 2: 'Access-Accept', 3: 'Access-Reject', 4: 'Accounting-Request', 5: 'Accounting-Response', 11: 'Access-Challenge',
  12: 'Status-Server', 13: 'Status-Client', 40: 'Disconnect-Request', 41: 'Disconnect-ACK', 42: 'Disconnect-NAK', 43: 'CoA-Request', 44: 'CoA-ACK', 45: 'CoA-NAK', 255: 'Reserved',
};

/**
 * radius_print (1645, 1646, 1700, 1812, 1813, 3799): `RADIUS, Access-Request (1), id: 0x01 length: 38`;
 * with -v the header and authenticator on their lines (tcpdump then lists the attributes, which
 * this does not).
 */
export function radiusPrint(ctx: PrintContext, p: number, length: number): void {
  ctx.protocol = 'radius';
  if (!ctx.has(p, 20)) return ctx.printTrunc();
  let len = ctx.u16(p + 2);
  if (len < 20) return ctx.printTrunc();
  if (len > length) len = length;
  const code = ctx.u8(p);
  const name = RADIUS_CODES[code] ?? 'Unknown Command';
  const id = hex(ctx.u8(p + 1), 2);
  if (ctx.flags.verbose < 1) {
    ctx.print(`RADIUS, ${name} (${code}), id: 0x${id} length: ${len}`);
    return;
  }
  ctx.print(`RADIUS, length: ${len}\n\t${name} (${code}), id: 0x${id}, Authenticator: ${ctx.data.toString('hex', p + 4, p + 20)}`);
}

/** sflow_print (6343): `sFlowv5, IPv4 agent 10.0.0.1, agent-id 1, length 1288`; with -v the header's counters (not the samples). */
export function sflowPrint(ctx: PrintContext, p: number, len: number): void {
  ctx.protocol = 'sflow';
  const version = ctx.u32(p);
  const ipVersion = ctx.u32(p + 4);
  if ((len < 28 && ipVersion === 1) || (len < 40 && ipVersion === 2)) {
    ctx.print(`sFlowv${version} [length ${len} < 28] (invalid)`);
    return;
  }
  ctx.check(p, 28);
  if (version !== 5) {
    ctx.print(`sFlow version ${version} packet not supported`);
    return;
  }
  const v4 = ipVersion === 1;
  const agent = v4 ? ctx.ipv4(p + 8) : ctx.ipv6(p + 8);
  const at = v4 ? p + 12 : p + 24;
  if (ctx.flags.verbose < 1) {
    ctx.print(`sFlowv5, ${v4 ? 'IPv4' : 'IPv6'} agent ${agent}, agent-id ${ctx.u32(at)}, length ${len}`);
    return;
  }
  ctx.print(`sFlowv5, ${v4 ? 'IPv4' : 'IPv6'} agent ${agent}, agent-id ${ctx.u32(at)}, seqnum ${ctx.u32(at + 4)}, uptime ${ctx.u32(at + 8)}, samples ${ctx.u32(at + 12)}, length ${len}`);
}

const TFTP_OPCODES: readonly (string | undefined)[] = [undefined, 'RRQ', 'WRQ', 'DATA', 'ACK', 'ERROR', 'OACK'];
const TFTP_ERRORS: readonly string[] = ['EUNDEF', 'ENOTFOUND', 'EACCESS', 'ENOSPACE', 'EBADOP', 'EBADID', 'EEXISTS', 'ENOUSER'];

/** nd_printztn: a NUL-terminated string of at most n bytes; the bytes it took (NUL included), 0 when cut short. */
function printZtn(ctx: PrintContext, s: number, n: number): number {
  let bytes = 0;
  for (;;) {
    if (n === 0 || s >= ctx.snapEnd) return 0;
    const c = ctx.u8(s++);
    bytes++;
    n--;
    if (c === 0) return bytes;
    ctx.print(printableChar(c));
  }
}

/** tftp_print (69): `TFTP, length 17, RRQ "file" octet`, block numbers, errors and options. */
export function tftpPrint(ctx: PrintContext, bp: number, length: number): void {
  ctx.protocol = 'tftp';
  ctx.print(`TFTP, length ${length}`);
  if (length < 2) return ctx.printTrunc();
  const opcode = ctx.u16(bp);
  const name = TFTP_OPCODES[opcode];
  ctx.print(`, ${name ?? `tftp-#${opcode}`}`);
  if (name === undefined) return;
  bp += 2;
  length -= 2;
  const options = (): boolean => {
    while (length !== 0) {
      if (ctx.u8(bp) !== 0) ctx.print(' ');
      const ui = printZtn(ctx, bp, length);
      if (ui === 0) return false;
      bp += ui;
      length -= ui;
    }
    return true;
  };
  switch (opcode) {
    case 1:
    case 2: {
      if (length === 0) return ctx.printTrunc();
      ctx.print(' "');
      let ui = printZtn(ctx, bp, length);
      ctx.print('"');
      if (ui === 0) return ctx.printTrunc();
      bp += ui;
      length -= ui;
      if (length === 0) return ctx.printTrunc();
      ctx.print(' ');
      ui = printZtn(ctx, bp, length);
      if (ui === 0) return ctx.printTrunc();
      bp += ui;
      length -= ui;
      if (!options()) ctx.printTrunc();
      return;
    }
    case 6:
      if (!options()) ctx.printTrunc();
      return;
    case 3:
    case 4:
      if (length < 2) return ctx.printTrunc();
      ctx.print(` block ${ctx.u16(bp)}`);
      return;
    case 5: {
      if (length < 2) return ctx.printTrunc();
      const code = ctx.u16(bp);
      ctx.print(` ${TFTP_ERRORS[code] ?? `tftp-err-#${code} "`}`);
      bp += 2;
      length -= 2;
      if (length === 0) return ctx.printTrunc();
      ctx.print(' "');
      const ui = printZtn(ctx, bp, length);
      ctx.print('"');
      if (ui === 0) ctx.printTrunc();
      return;
    }
    default:
  }
}

const RIP_COMMANDS: Readonly<Record<number, string>> = { 1: 'Request', 2: 'Response', 3: 'Trace on', 4: 'Trace off', 5: 'Poll', 6: 'Poll Entry' };

const BSD_AF: Readonly<Record<number, string>> = { 2: 'IPv4', 6: 'NS', 7: 'ISO', 16: 'Appletalk', 23: 'IPX', 24: 'IPv6', 28: 'IPv6', 30: 'IPv6' };

/** mask2plen: the prefix length of a contiguous netmask, else -1. */
function maskToPrefixLength(mask: number): number {
  for (let length = 32; length >= 0; length--) if ((length === 0 ? 0 : (0xffffffff << (32 - length)) >>> 0) === mask >>> 0) return length;
  return -1;
}

/** print_unknown_data: a hex dump of up to `length` bytes (as many as were captured). */
function unknownData(ctx: PrintContext, p: number, indent: string, length: number): void {
  if (p > ctx.snapEnd) return ctx.print(`${indent}Dissector error: print_unknown_data called with pointer past end of packet`);
  hexPrint(ctx, indent, p, Math.min(length, ctx.snapEnd - p));
}

/**
 * rip_print (UDP 520): the version, the command and the length; with -v each route entry (RIPv1:
 * address and metric; RIPv2: AFI, prefix, tag, metric and next hop, and its authentication
 * entries), with -vv a hex dump of the message too.
 */
export function ripPrint(ctx: PrintContext, p: number, length: number): void {
  ctx.protocol = 'rip';
  const verbose = ctx.flags.verbose;
  if (ctx.snapEnd < p) return ctx.printTrunc();
  let len = Math.min(ctx.snapEnd - p, length);
  if (len < 4) return ctx.printTrunc();
  len -= 4;
  const version = ctx.u8(p + 1);
  ctx.print(`${verbose >= 1 ? '\n\t' : ''}RIPv${version}`);
  // RFC 1058's version 0: dumped in hex.
  if (version === 0) return unknownData(ctx, p, '\n\t', length);
  const command = ctx.u8(p);
  ctx.print(`, ${RIP_COMMANDS[command] ?? `unknown command (${command})`}, length: ${length}`);
  if (verbose < 1) return;
  if (command === 1 || command === 2) {
    if (version === 1 || version === 2) {
      ctx.print(`, routes: ${Math.floor(length / 20)}${version === 2 ? ' or less' : ''}`);
      for (let e = p + 4; len !== 0; ) {
        const size = version === 1 ? ripEntryV1(ctx, e, len) : ripEntryV2(ctx, e, len);
        if (size === 0) {
          ctx.printTrunc();
          break;
        }
        if (len < size) {
          ctx.print(` [remaining entries length ${len} < ${size}] (invalid)`);
          break;
        }
        e += size;
        len -= size;
      }
    } else ctx.print(', unknown version');
  } else if (command !== 4 && command !== 5 && command !== 6 && verbose <= 1) unknownData(ctx, p, '\n\t', length);
  if (verbose > 1) unknownData(ctx, p, '\n\t', length);
}

/** rip_entry_print_v1: one RFC 1058 entry (20 bytes), or 0 where it is cut. */
function ripEntryV1(ctx: PrintContext, e: number, remaining: number): number {
  if (remaining < 20 || !ctx.has(e, 20)) return 0;
  const family = ctx.u16(e);
  if (family !== 2 && family !== 0) {
    ctx.print(`\n\t AFI ${BSD_AF[family] ?? `Unknown (${family})`}, `);
    unknownData(ctx, e + 4, '\n\t  ', 16);
    return 20;
  }
  if (ctx.u16(e + 2) || ctx.u32(e + 8) || ctx.u32(e + 12)) {
    unknownData(ctx, e, '\n\t  ', 20);
    return 20;
  }
  ctx.print(`\n\t  ${family === 0 ? 'AFI 0, ' : ''}${ctx.ipv4(e + 4)}, metric: ${ctx.u32(e + 16)}`);
  return 20;
}

/** rip_entry_print_v2: one RFC 2453 entry or authentication entry, or 0 where it is cut. */
function ripEntryV2(ctx: PrintContext, e: number, remaining: number): number {
  if (remaining < 4 || !ctx.has(e, 4)) return 0;
  const family = ctx.u16(e);
  if (family === 0xffff) {
    const type = ctx.u16(e + 2);
    const a = e + 4;
    const left = remaining - 4;
    if (type === 2) {
      ctx.print('\n\t  Simple Text Authentication data: ');
      for (let k = 0; k < 16; k++) {
        const c = ctx.u8(a + k);
        if (c === 0) break;
        ctx.print(printableChar(c));
      }
    } else if (type === 3) {
      if (!ctx.has(a, 16)) return 0;
      if (left < 16) return 0;
      ctx.print(`\n\t  Auth header: Packet Len ${ctx.u16(a)}, Key-ID ${ctx.u8(a + 2)}, Auth Data Len ${ctx.u8(a + 3)}, SeqNo ${ctx.u32(a + 4)}, MBZ ${ctx.u32(a + 8)}, MBZ ${ctx.u32(a + 12)}`);
    } else {
      ctx.print(type === 1 ? '\n\t  Auth trailer:' : `\n\t  Unknown (${type}) Authentication data:`);
      unknownData(ctx, a, '\n\t  ', left);
      return 4 + left;
    }
  } else if (family !== 2 && family !== 0) {
    ctx.print(`\n\t  AFI ${BSD_AF[family] ?? `Unknown (${family})`}`);
    unknownData(ctx, e + 4, '\n\t  ', 16);
  } else {
    if (!ctx.has(e, 20)) return 0;
    if (remaining < 20) return 0;
    const prefix = String(maskToPrefixLength(ctx.u32(e + 8)));
    const router = ctx.u32(e + 12);
    ctx.print(`\n\t  AFI ${BSD_AF[family] ?? String(family)}, ${ctx.ipv4(e + 4).padStart(15)}/${prefix.padEnd(2)}, tag 0x${hex(ctx.u16(e + 2), 4)}, metric: ${ctx.u32(e + 16)}, next-hop: ${router ? ctx.ipv4(e + 12) : 'self'}`);
  }
  return 20;
}

/**
 * ripng_print (UDP 521): ` ripng-req N:` / ` ripng-resp N:` and each entry as prefix/length,
 * ` [tag]` when not zero and, in a response, ` (metric)` when not zero; on lines of their own with
 * -vv. A request for the whole table is ` ripng-req dump`.
 */
export function ripngPrint(ctx: PrintContext, p: number, length: number): void {
  ctx.protocol = 'ripng';
  const version = ctx.u8(p + 1);
  if (version !== 1) {
    ctx.print(` [vers ${version}]`);
    return ctx.print(' (invalid)');
  }
  const command = ctx.u8(p);
  if (command !== 1 && command !== 2) {
    ctx.print(` ripng-${command} ?? ${length}`);
    return ctx.print(' (invalid)');
  }
  if (length < 4) return ctx.print(' (invalid)');
  let left = length - 4;
  const entries = Math.floor(left / 20);
  const response = command === 2;
  if (!response && entries === 1 && ctx.u8(p + 4 + 19) === 16) {
    let unspecified = true;
    for (let k = 0; k < 16; k++) if (ctx.u8(p + 4 + k) !== 0) unspecified = false;
    if (unspecified) return ctx.print(' ripng-req dump');
  }
  ctx.print(` ripng-${response ? 'resp' : 'req'} ${entries}${entries * 20 !== left ? `[${length}]` : ''}:`);
  for (let ni = p + 4; left >= 20; left -= 20, ni += 20) {
    ctx.print(ctx.flags.verbose > 1 ? '\n\t' : ' ');
    ctx.print(`${ctx.ipv6(ni)}/${ctx.u8(ni + 18)}`);
    const tag = ctx.u16(ni + 16);
    if (tag) ctx.print(` [${tag}]`);
    const metric = ctx.u8(ni + 19);
    if (metric && response) ctx.print(` (${metric})`);
  }
  if (left !== 0) ctx.print(' (invalid)');
}
