/**
 * Telnet (TCP port 23) as tcpdump 4.99's print-telnet.c prints it: the commands a segment starts
 * with, ` [telnet DO ECHO, WILL NAWS, SB NAWS IS 0x50 0 0x20 SE]`; text after them, and segments
 * that start with text, print nothing. With -X and -vvv each command gets a hex line of its own.
 */
import { type PrintContext, hex } from './context';

const IAC = 255;
const SB = 250;
const SE = 240;
const TELCMD_FIRST = 236;

const TELCMDS = [
  'EOF', 'SUSP', 'ABORT', 'EOR', 'SE', 'NOP', 'DMARK', 'BRK', 'IP', 'AO', 'AYT', 'EC', 'EL', 'GA', 'SB',
  'WILL', 'WONT', 'DO', 'DONT', 'IAC',
];

const TELOPTS = [
  'BINARY', 'ECHO', 'RCP', 'SUPPRESS GO AHEAD', 'NAME', 'STATUS', 'TIMING MARK', 'RCTE', 'NAOL', 'NAOP',
  'NAOCRD', 'NAOHTS', 'NAOHTD', 'NAOFFD', 'NAOVTS', 'NAOVTD', 'NAOLFD', 'EXTEND ASCII', 'LOGOUT', 'BYTE MACRO',
  'DATA ENTRY TERMINAL', 'SUPDUP', 'SUPDUP OUTPUT', 'SEND LOCATION', 'TERMINAL TYPE', 'END OF RECORD',
  'TACACS UID', 'OUTPUT MARKING', 'TTYLOC', '3270 REGIME', 'X.3 PAD', 'NAWS', 'TSPEED', 'LFLOW',
  'LINEMODE', 'XDISPLOC', 'OLD-ENVIRON', 'AUTHENTICATION', 'ENCRYPT', 'NEW-ENVIRON',
];

const TELOPT_AUTHENTICATION = 37;
const TELOPT_ENCRYPT = 38;

const CMDS: ReadonlyArray<string | null> = ['IS', 'SEND', 'INFO'];
const AUTHCMD: ReadonlyArray<string | null> = ['IS', 'SEND', 'REPLY', 'NAME'];
const AUTHTYPE: ReadonlyArray<string | null> = [
  'NULL', 'KERBEROS_V4', 'KERBEROS_V5', 'SPX', 'MINK', 'SRP', 'RSA', 'SSL', null, null, 'LOKI', 'SSA',
  'KEA_SJ', 'KEA_SJ_INTEG', 'DSS', 'NTLM',
];
const ENCCMD: ReadonlyArray<string | null> = [
  'IS', 'SUPPORT', 'REPLY', 'START', 'END', 'REQUEST-START', 'REQUEST-END', 'END_KEYID', 'DEC_KEYID',
];
const ENCTYPE: ReadonlyArray<string | null> = [
  'NULL', 'DES_CFB64', 'DES_OFB64', 'DES3_CFB64', 'DES3_OFB64', null, 'CAST5_40_CFB64', 'CAST5_40_OFB64',
  'CAST128_CFB64', 'CAST128_OFB64',
];

/** `%#x`: 0 as `0`, others as `0x..`. */
const altHex = (x: number): string => (x === 0 ? '0' : `0x${x.toString(16)}`);

/** STR_OR_ID */
const strOrId = (x: number, table: ReadonlyArray<string | null>): string => table[x] ?? altHex(x);

/** Where telnet_parse stops without a command (its `pktend`). */
const PKTEND = -1;

/**
 * telnet_parse: the length of the command at sp (an IAC), printing it when `print`; PKTEND when
 * it is not a whole command. Reads past the capture throw Truncated, as tcpdump's do.
 */
function telnetParse(ctx: PrintContext, sp: number, length: number, print: boolean): number {
  const osp = sp;
  const out = (s: string): void => {
    if (print) ctx.print(s);
  };
  // FETCH: false at the end of the segment.
  let c = 0;
  const fetch = (): boolean => {
    if (length < 1) return false;
    c = ctx.u8(sp);
    sp++;
    length--;
    return true;
  };
  if (!fetch() || c !== IAC) return PKTEND;
  if (!fetch()) return PKTEND;
  if (c === IAC) {
    out('IAC IAC');
    return sp - osp;
  }
  const i = c - TELCMD_FIRST;
  if (i < 0 || i > IAC - TELCMD_FIRST) return PKTEND;
  if (c < SB || c > 254) {
    out(TELCMDS[i]!);
    return sp - osp;
  }
  // DONT/DO/WONT/WILL x, or SB x ... IAC SE
  const command = c;
  if (!fetch()) return PKTEND;
  const x = c;
  out(x < TELOPTS.length ? `${TELCMDS[i]} ${TELOPTS[x]}` : `${TELCMDS[i]} ${altHex(x)}`);
  if (command !== SB) return sp - osp;
  let p = sp;
  while (length > p + 1 - sp) {
    if (ctx.u8(p) === IAC && ctx.u8(p + 1) === SE) break;
    p++;
  }
  if (ctx.u8(p) !== IAC) return PKTEND;
  const tables: [ReadonlyArray<string | null>, ReadonlyArray<string | null>?] =
    x === TELOPT_AUTHENTICATION ? [AUTHCMD, AUTHTYPE] : x === TELOPT_ENCRYPT ? [ENCCMD, ENCTYPE] : [CMDS];
  for (const table of tables) {
    if (p <= sp) break;
    if (!fetch()) return PKTEND;
    out(' ' + strOrId(c, table!));
  }
  while (p > sp) {
    if (!fetch()) return PKTEND;
    out(' ' + altHex(c));
  }
  out(' SE');
  sp += 2;
  return sp - osp;
}

/** hex_print_with_offset with `\n` before each line of 16 bytes. */
function hexWithOffset(ctx: PrintContext, at: number, length: number, offset: number): void {
  let i = 0;
  for (let n = Math.floor(length / 2); n > 0; n--) {
    if (i++ % 8 === 0) {
      ctx.print(`\n0x${hex(offset, 4)}: `);
      offset += 16;
    }
    const a = ctx.u8(at++);
    ctx.print(` ${hex(a, 2)}${hex(ctx.u8(at++), 2)}`);
  }
  if (length & 1) {
    if (i % 8 === 0) ctx.print(`\n0x${hex(offset, 4)}: `);
    ctx.print(` ${hex(ctx.u8(at), 2)}`);
  }
}

/** telnet_print: the segment's leading commands, after the TCP header's `length N`. */
export function telnetPrint(ctx: PrintContext, sp: number, length: number, hexAscii: boolean): void {
  ctx.protocol = 'telnet';
  const osp = sp;
  const dump = hexAscii && ctx.flags.verbose > 2;
  let first = true;
  while (length > 0 && ctx.u8(sp) === IAC) {
    const l = telnetParse(ctx, sp, length, false);
    if (l < 0) break;
    if (dump) {
      if (first) ctx.print('\nTelnet:');
      hexWithOffset(ctx, sp, l, sp - osp);
      ctx.print(l > 8 ? '\n\t\t\t\t' : `${' '.repeat((8 - l) * 3)}\t`);
    } else {
      ctx.print(first ? ' [telnet ' : ', ');
    }
    telnetParse(ctx, sp, length, true);
    first = false;
    sp += l;
    // u_int arithmetic: a subnegotiation missing its IAC SE runs one byte past the segment.
    length = (length - l) >>> 0;
  }
  if (!first) ctx.print(dump ? '\n' : ']');
}
