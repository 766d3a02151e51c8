/**
 * PTP, the Precision Time Protocol (ethertype 0x88f7, UDP 319 and 320), as tcpdump 4.99's
 * print-ptp.c prints it: `PTPv2, v1 compat : no, msg type : sync msg, length : 44, …` with the
 * message's time stamps, port identities and announce fields (the same with and without -v).
 * Reads past the capture throw Truncated (` [|ptp]`).
 */
import { PrintContext } from './context';

const MSG_TYPES: Readonly<Record<number, string>> = {
  0x0: 'sync msg', 0x1: 'delay req msg', 0x2: 'peer delay req msg', 0x3: 'peer delay resp msg', 0x8: 'follow up msg',
  0x9: 'delay resp msg', 0xa: 'pdelay resp fup msg', 0xb: 'announce msg', 0xc: 'signalling msg', 0xd: 'management msg',
};
const CONTROL: readonly string[] = ['Sync', 'Delay_Req', 'Follow_Up', 'Delay_Resp', 'Management', 'Other'];
/** ptp_flag_values in order; bittok2str matches single bits only (its 0x18C0 "unknown" entry never matches). */
const FLAGS: ReadonlyArray<readonly [number, string]> = [
  [0x1, 'l1 61'], [0x2, 'l1 59'], [0x4, 'utc reasonable'], [0x8, 'timescale'], [0x10, 'time tracable'], [0x20, 'frequency tracable'],
  [0x100, 'alternate master'], [0x200, 'two step'], [0x400, 'unicast'], [0x1000, 'profile specific 1'], [0x2000, 'profile specific 2'], [0x4000, 'security mask'],
];
const HEADER = 34;

function u48(ctx: PrintContext, p: number): number {
  ctx.check(p, 6);
  return ctx.u16(p) * 2 ** 32 + ctx.u32(p + 2);
}

function u64Hex(ctx: PrintContext, p: number): string {
  ctx.check(p, 8);
  return ctx.data.readBigUInt64BE(p).toString(16);
}

/** ptp_print; false (nothing printed) for a UDP datagram tcpdump would take for AppleTalk's DDP (see udp.ts). */
export function ptpPrint(ctx: PrintContext, bp: number, length: number): void {
  ctx.protocol = 'ptp';
  if (length < HEADER) {
    ctx.print(' (invalid)');
    return;
  }
  const version = ctx.u16(bp) & 0xff;
  ctx.print(`PTPv${version}`);
  if (version === 1) ctx.print(' (not implemented)');
  else if (version === 2) ptp2(ctx, bp);
}

function ptp2(ctx: PrintContext, bp: number): void {
  const foct = ctx.u8(bp);
  const msgType = foct & 0x0f;
  ctx.print(`, v1 compat : ${foct & 0x10 ? 'yes' : 'no'}, msg type : ${MSG_TYPES[msgType] ?? 'Reserved'}`);
  bp += 2;
  ctx.print(`, length : ${ctx.u16(bp)}`);
  bp += 2;
  ctx.print(`, domain : ${(ctx.u16(bp) & 0xff00) >> 8}, reserved1 : ${ctx.u16(bp) & 0xff}`);
  bp += 2;
  const flags = ctx.u16(bp);
  const names = FLAGS.filter(([bit]) => flags & bit).map(([, name]) => name);
  ctx.print(`, Flags [${names.length ? names.join(', ') : 'none'}]`);
  bp += 2;
  ctx.print(`, NS correction : ${u48(ctx, bp)}`);
  bp += 6;
  ctx.print(`, sub NS correction : ${ctx.u16(bp)}`);
  bp += 2;
  ctx.print(`, reserved2 : ${ctx.u32(bp)}`);
  bp += 4;
  ctx.print(`, clock identity : 0x${u64Hex(ctx, bp)}`);
  bp += 8;
  ctx.print(`, port id : ${ctx.u16(bp)}`);
  bp += 2;
  ctx.print(`, seq id : ${ctx.u16(bp)}`);
  bp += 2;
  const control = ctx.u8(bp);
  ctx.print(`, control : ${control} (${CONTROL[control] ?? 'Reserved'})`);
  ctx.print(`, log message interval : ${ctx.u16(bp) & 0xff}`);
  bp += 2;
  switch (msgType) {
    case 0x0:
    case 0x1:
      timestamp(ctx, bp, 'originTimeStamp');
      break;
    case 0x8:
      timestamp(ctx, bp, 'preciseOriginTimeStamp');
      break;
    case 0x2:
    case 0xa:
      timestampIdentity(ctx, bp, 'preciseOriginTimeStamp');
      break;
    case 0x3:
    case 0x9:
      timestampIdentity(ctx, bp, 'receiveTimeStamp');
      break;
    case 0xb:
      announce(ctx, bp);
      break;
    case 0xc:
      portId(ctx, bp);
      break;
    case 0xd:
      portId(ctx, bp);
      // print_field gets the same pointer four times (tcpdump does not move it): each reads bp's first byte.
      ctx.print(`, , start boundary hops  ${ctx.u8(bp)}`);
      ctx.print(`, , boundary hops  ${ctx.u8(bp)}`);
      ctx.print(`, , flags  0x${ctx.u8(bp).toString(16)}`);
      ctx.print(`, , reserved  0x${ctx.u8(bp).toString(16)}`);
      break;
    default:
  }
}

function timestamp(ctx: PrintContext, bp: number, name: string): void {
  ctx.print(`, ${name} :`);
  ctx.print(` ${u48(ctx, bp)} seconds,`);
  ctx.print(` ${ctx.u32(bp + 6)} nanoseconds`);
}

function timestampIdentity(ctx: PrintContext, bp: number, name: string): void {
  timestamp(ctx, bp, name);
  portId(ctx, bp + 10, 'port identity');
}

function portId(ctx: PrintContext, bp: number, label = 'port identity'): void {
  ctx.print(`, ${label} : 0x${u64Hex(ctx, bp)}`);
  ctx.print(`, port id : ${ctx.u16(bp + 8)}`);
}

function announce(ctx: PrintContext, bp: number): void {
  ctx.print(', originTimeStamp :');
  ctx.print(` ${u48(ctx, bp)} seconds`);
  ctx.print(` ${ctx.u32(bp + 6)} nanoseconds`);
  bp += 10;
  ctx.print(`, origin cur utc :${ctx.u16(bp)}`);
  ctx.print(`, rsvd : ${ctx.u8(bp + 2)}`);
  ctx.print(`, gm priority_1 : ${ctx.u8(bp + 3)}`);
  ctx.print(`, gm clock class : ${ctx.u8(bp + 4)}`);
  ctx.print(`, gm clock accuracy : ${ctx.u8(bp + 5)}`);
  ctx.print(`, gm clock variance : ${ctx.u16(bp + 6)}`);
  ctx.print(`, gm priority_2 : ${ctx.u8(bp + 8)}`);
  ctx.print(`, gm clock id : 0x${u64Hex(ctx, bp + 9)}`);
  ctx.print(`, steps removed : ${ctx.u16(bp + 17)}`);
  ctx.print(`, time source : 0x${ctx.u8(bp + 19).toString(16)}`);
}
