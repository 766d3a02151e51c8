/**
 * tcpdump's xid_map (print-nfs.c): the latest 64 NFS calls' xid, addresses, procedure and
 * version, so that a reply's results can be read. Kept across the packets of a capture.
 */
import type { PrintContext } from './context';
import type { IpHeaderRef } from './ip';

const XID_MAP_SIZE = 64;

interface XidEntry {
  xid: number;
  /** 0: never filled (matches nothing). */
  ipver: number;
  /** The call's source and destination addresses, as latin1 text of their bytes. */
  client: string;
  server: string;
  proc: number;
  vers: number;
}

/** tcpdump's xid_map: a ring of the latest calls, searched from where the last match was. */
export class NfsXidMap {
  private readonly entries: XidEntry[] = Array.from({ length: XID_MAP_SIZE }, () => ({ xid: 0, ipver: 0, client: '', server: '', proc: 0, vers: 0 }));
  private next = 0;
  private hint = 0;

  /** xid_map_enter: false when the call's procedure was not captured. */
  enter(ctx: PrintContext, rp: number, ip: IpHeaderRef): boolean {
    if (!ctx.has(rp + 20, 4)) return false;
    const entry = this.entries[this.next]!;
    if (++this.next >= XID_MAP_SIZE) this.next = 0;
    const [src, dst] = addressBytes(ctx, ip);
    entry.xid = ctx.u32(rp);
    entry.ipver = ip.version;
    entry.client = src;
    entry.server = dst;
    entry.proc = ctx.u32(rp + 20);
    entry.vers = ctx.u32(rp + 16);
    return true;
  }

  /** xid_map_find: the procedure and version of the call this reply answers. */
  find(ctx: PrintContext, rp: number, ip: IpHeaderRef): { proc: number; vers: number } | undefined {
    const xid = ctx.u32(rp);
    const [src, dst] = addressBytes(ctx, ip);
    let i = this.hint;
    do {
      const e = this.entries[i]!;
      if (e.ipver === ip.version && e.xid === xid && e.server === src && e.client === dst) {
        this.hint = i;
        return { proc: e.proc, vers: e.vers };
      }
      if (++i >= XID_MAP_SIZE) i = 0;
    } while (i !== this.hint);
    return undefined;
  }
}

function addressBytes(ctx: PrintContext, ip: IpHeaderRef): [string, string] {
  const v4 = ip.version === 4;
  const size = v4 ? 4 : 16;
  const src = v4 ? ip.offset + 12 : ip.offset + 8;
  const dst = v4 ? ip.offset + 16 : ip.offset + 24;
  return [ctx.data.toString('latin1', src, src + size), ctx.data.toString('latin1', dst, dst + size)];
}

