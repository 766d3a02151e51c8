/**
 * BFD (UDP to 3784 control, 4784 multihop, 6784 LAG, 3785 echo) as tcpdump 4.99's print-bfd.c
 * prints it: `BFDv1, Control, State Up, Flags: [none], length: 24`, and with -v the header's
 * fields and the authentication section on lines of their own. Short captures throw Truncated
 * (` [|bfd]`, tcpdump's longjmp).
 */
import { PrintContext, hex } from './context';
import { hexPrint, printableChar } from './hexdump';

const DIAG: readonly string[] = ['No Diagnostic', 'Control Detection Time Expired', 'Echo Function Failed', 'Neighbor Signaled Session Down', 'Forwarding Plane Reset', 'Path Down', 'Concatenated Path Down', 'Administratively Down', 'Reverse Concatenated Path Down'];
const PORTS: Readonly<Record<number, string>> = { 3784: 'Control', 4784: 'Multihop', 6784: 'Lag' };
const V0_FLAGS: ReadonlyArray<readonly [number, string]> = [[0x80, 'I Hear You'], [0x40, 'Demand'], [0x20, 'Poll'], [0x10, 'Final'], [0x08, 'Control Plane Independent'], [0x04, 'Authentication Present'], [0x02, 'Demand'], [0x01, 'Multipoint']];
const V1_FLAGS: ReadonlyArray<readonly [number, string]> = [[0x20, 'Poll'], [0x10, 'Final'], [0x08, 'Control Plane Independent'], [0x04, 'Authentication Present'], [0x02, 'Demand'], [0x01, 'Multipoint']];
const STATES: readonly string[] = ['AdminDown', 'Down', 'Init', 'Up'];
const AUTH_TYPES: Readonly<Record<number, string>> = { 1: 'Simple Password', 2: 'Keyed MD5', 3: 'Meticulous Keyed MD5', 4: 'Keyed SHA1', 5: 'Meticulous Keyed SHA1' };
const HEADER = 24;

/** bittok2str: the names of the flags set, in the table's order, or `none`. */
function flagNames(table: ReadonlyArray<readonly [number, string]>, flags: number): string {
  const names = table.filter(([bit]) => (flags & bit) === bit).map(([, name]) => name);
  return names.length ? names.join(', ') : 'none';
}

/** print_unknown_data: a hex dump of what was captured of `len` bytes. */
function unknownData(ctx: PrintContext, p: number, len: number): void {
  hexPrint(ctx, '\n\t', p, Math.min(len, ctx.available(p)));
}

export function bfdPrint(ctx: PrintContext, p: number, len: number, port: number): void {
  ctx.protocol = 'bfd';
  if (port === 3784 || port === 4784 || port === 6784) {
    ctx.check(p, HEADER);
    const versionDiag = ctx.u8(p);
    const version = (versionDiag & 0xe0) >> 5;
    const diag = versionDiag & 0x1f;
    const flags = ctx.u8(p + 1);
    if (version === 0 || version === 1) {
      const flagText = version === 0 ? flagNames(V0_FLAGS, flags) : flagNames(V1_FLAGS, flags & 0x3f);
      const portText = PORTS[port] ?? `unknown (${port})`;
      const state = STATES[(flags & 0xc0) >> 6]!;
      if (ctx.flags.verbose < 1) {
        if (version === 0) ctx.print(`BFDv0, Control, Flags: [${flagText}], length: ${len}`);
        else ctx.print(`BFDv1, ${portText}, State ${state}, Flags: [${flagText}], length: ${len}`);
        return;
      }
      const diagText = `Diagnostic: ${DIAG[diag] ?? 'unknown'} (0x${hex(diag, 2)})`;
      if (version === 0) ctx.print(`BFDv0, length: ${len}\n\tControl, Flags: [${flagText}], ${diagText}`);
      else ctx.print(`BFDv1, length: ${len}\n\t${portText}, State ${state}, Flags: [${flagText}], ${diagText}`);
      const multiplier = ctx.u8(p + 2);
      const tx = ctx.u32(p + 12);
      ctx.print(`\n\tDetection Timer Multiplier: ${multiplier} (${Math.floor(((multiplier * tx) >>> 0) / 1000)} ms Detection time), BFD Length: ${ctx.u8(p + 3)}`);
      ctx.print(`\n\tMy Discriminator: 0x${hex(ctx.u32(p + 4), 8)}, Your Discriminator: 0x${hex(ctx.u32(p + 8), 8)}`);
      ctx.print(`\n\t  Desired min Tx Interval:    ${String(Math.floor(tx / 1000)).padStart(4)} ms`);
      ctx.print(`\n\t  Required min Rx Interval:   ${String(Math.floor(ctx.u32(p + 16) / 1000)).padStart(4)} ms`);
      ctx.print(`\n\t  Required min Echo Interval: ${String(Math.floor(ctx.u32(p + 20) / 1000)).padStart(4)} ms`);
      if (flags & 0x04) authPrint(ctx, p + HEADER);
      return;
    }
    ctx.print(`BFDv${version}, Control, length: ${len}`);
    if (ctx.flags.verbose >= 1) unknownData(ctx, p, len);
  } else if (port === 3785) {
    ctx.print(`BFD, Echo, length: ${len}`);
    if (ctx.flags.verbose >= 1) unknownData(ctx, p, len);
  } else {
    ctx.print(`BFD, unknown (${port}), length: ${len}`);
    if (ctx.flags.verbose >= 1) unknownData(ctx, p, len);
  }
}

function authPrint(ctx: PrintContext, p: number): void {
  ctx.check(p, 4);
  const type = ctx.u8(p);
  const authLen = ctx.u8(p + 1);
  ctx.print(`\n\tAuthentication: ${AUTH_TYPES[type] ?? 'Unknown'} (${type}), length: ${authLen}`);
  ctx.print(`\n\t  Auth Key ID: ${ctx.u8(p + 2)}`);
  switch (type) {
    case 1:
      if (authLen < 4 || authLen > 19) {
        ctx.print(`[invalid length ${authLen}]`);
        return;
      }
      ctx.print(', Password: ');
      for (let i = 0; i < authLen - 3; i++) ctx.print(printableChar(ctx.u8(p + 3 + i)));
      return;
    case 2:
    case 3:
    case 4:
    case 5: {
      const md5 = type <= 3;
      if (authLen !== (md5 ? 24 : 28)) {
        ctx.print(`[invalid length ${authLen}]`);
        return;
      }
      ctx.print(`, Sequence Number: 0x${hex(ctx.u32(p + 4), 8)}`);
      const hashLen = md5 ? 16 : 20;
      ctx.check(p + 8, hashLen);
      ctx.print(md5 ? '\n\t  Digest: ' : '\n\t  Hash: ');
      for (let i = 0; i < hashLen; i++) ctx.print(hex(ctx.u8(p + 8 + i), 2));
      return;
    }
    default:
  }
}
