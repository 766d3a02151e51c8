/**
 * OSPF as tcpdump 4.99's print-ospf.c and print-ospf6.c print it without -v: `OSPFv2, Hello,
 * length 48` (the length less an MD5 trailer's 16 bytes). -v goes on with the router and area ids,
 * authentication and the packet's body: not printed here, so a -v line is the start of tcpdump's.
 */
import { PrintContext } from './context';

const TYPES = ['', 'Hello', 'Database Description', 'LS-Request', 'LS-Update', 'LS-Ack'];

export function ospfPrint(ctx: PrintContext, p: number, length: number, v6: boolean): void {
  ctx.protocol = v6 ? 'ospf3' : 'ospf2';
  // An MD5-authenticated OSPFv2 packet: its 16-byte trailer is not counted (length is a C u_int).
  if (!v6 && ctx.u16(p + 14) === 2) length = (length - 16) >>> 0;
  const type = ctx.u8(p + 1);
  const name = TYPES[type] || (v6 ? `unknown packet type (${type})` : `unknown LS-type ${type}`);
  ctx.print(`OSPFv${ctx.u8(p)}, ${name}, length ${length}`);
}
