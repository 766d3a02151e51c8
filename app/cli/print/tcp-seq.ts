/**
 * Where tcpdump's print-tcp.c keeps a connection's initial sequence numbers (tcp_seq_hash), so
 * that later segments print relative numbers: one entry per connection, both directions.
 */
import type { PrintContext, TcpSeqEntry } from './context';
import type { IpHeaderRef } from './ip';

/** The relative-numbering state of the segment being printed (SACK blocks need it too). */
export interface SeqContext {
  rev: boolean;
  thseq: number;
  thack: number;
  /** Key of the connection in the map connectionSlot returns. */
  key: number;
}

/**
 * tcpdump's per-connection entry: addresses and ports in a fixed order for both directions, the
 * lower port's end first (on equal ports, the lower address). Sets `seq.rev`; returns the entry's
 * map and the key within it (see TcpSeqTable).
 */
export function connectionSlot(ctx: PrintContext, ip: IpHeaderRef, sport: number, dport: number, seq: SeqContext): Map<number, TcpSeqEntry> {
  let rev = sport > dport;
  let outer: Map<number, TcpSeqEntry> | undefined;
  if (ip.version === 4) {
    const src = ctx.u32(ip.offset + 12);
    const dst = ctx.u32(ip.offset + 16);
    if (sport === dport) rev = src > dst;
    const near = rev ? dst * 65536 + dport : src * 65536 + sport;
    seq.key = rev ? src * 65536 + sport : dst * 65536 + dport;
    outer = ctx.tcpSeq.v4.get(near);
    if (outer === undefined) ctx.tcpSeq.v4.set(near, (outer = new Map()));
  } else {
    const srcOff = ip.offset + 8;
    const dstOff = ip.offset + 24;
    ctx.check(srcOff, 32);
    const data = ctx.data;
    if (sport === dport) rev = Buffer.compare(data.subarray(srcOff, srcOff + 16), data.subarray(dstOff, dstOff + 16)) > 0;
    const addresses = rev
      ? data.toString('latin1', dstOff, dstOff + 16) + data.toString('latin1', srcOff, srcOff + 16)
      : data.toString('latin1', srcOff, srcOff + 32);
    seq.key = rev ? dport * 65536 + sport : sport * 65536 + dport;
    let byPorts = ctx.tcpSeq.v6.get(addresses);
    if (byPorts === undefined) ctx.tcpSeq.v6.set(addresses, (byPorts = new Map()));
    outer = byPorts;
  }
  seq.rev = rev;
  return outer;
}
