/**
 * NFS over ONC RPC as tcpdump 4.99's print-nfs.c prints it, for UDP and TCP port 2049:
 * `NFS request xid 1234 136 lookup fh Unknown/0100... "name"` and
 * `NFS reply xid 1234 reply ok 120 lookup fh ...`. A reply's results are printed only when the
 * call it answers was seen: tcpdump remembers the last 64 calls' xid, addresses, procedure and
 * version (xid_map), and so does NfsXidMap (nfs-xid.ts), kept across the packets of a capture.
 */
import { type PrintContext, hex, tok } from './context';
import type { IpHeaderRef } from './ip';
import { hex8, parseFh, parseFhn, parseFn, roundUp4, s64, timeText, u64 } from './nfs-fh';
import { FILE_TYPES, NFSPROC as P, genericProc, interpReply, procText, writeModeText } from './nfs-reply';

export const NFS_PORT = 2049;

/**
 * udp_print's and tcp_print's NFS test: a call to port 2049 or a reply from it. Prints
 * `NFS request xid N ...` (TCP: after `: `) and returns true, or prints nothing and returns false.
 * `rp` is the RPC message (after TCP's record mark), `length` its length.
 */
export function nfsPrint(ctx: PrintContext, rp: number, length: number, sport: number, dport: number, ip: IpHeaderRef, prefix: string): boolean {
  if (!ctx.has(rp + 4, 4)) return false;
  const direction = ctx.u32(rp + 4);
  if (dport === NFS_PORT && direction === 0) {
    ctx.print(`${prefix}NFS request xid ${ctx.u32(rp)} `);
    requestPrint(ctx, rp, length, ip);
    return true;
  }
  if (sport === NFS_PORT && direction === 1) {
    ctx.print(`${prefix}NFS reply xid ${ctx.u32(rp)} `);
    replyPrint(ctx, rp, length, ip);
    return true;
  }
  return false;
}

const AUTH_STATUS = new Map<number, string>([
  [0, 'OK'], [1, 'Bogus Credentials (seal broken)'], [2, 'Rejected Credentials (client should begin new session)'],
  [3, 'Bogus Verifier (seal broken)'], [4, 'Verifier expired or was replayed'], [5, 'Credentials are too weak'],
  [6, 'Bogus response verifier'], [7, 'Unknown failure'],
]);

/** nfsreply_noaddr_print */
function replyPrint(ctx: PrintContext, rp: number, length: number, ip: IpHeaderRef): void {
  ctx.protocol = 'nfs';
  if (!ctx.has(rp + 8, 4)) {
    ctx.printTrunc();
    return;
  }
  const replyStat = ctx.u32(rp + 8);
  if (replyStat === 0) {
    ctx.print(`reply ok ${length}`);
    const call = ctx.nfsXids.find(ctx, rp, ip);
    if (call) interpReply(ctx, rp, call.proc, call.vers, length);
  } else if (replyStat === 1) {
    ctx.print(`reply ERR ${length}: `);
    if (!ctx.has(rp + 12, 4)) {
      ctx.printTrunc();
      return;
    }
    const rstat = ctx.u32(rp + 12);
    if (rstat === 0) {
      if (!ctx.has(rp + 20, 4)) {
        ctx.printTrunc();
        return;
      }
      ctx.print(`RPC Version mismatch (${ctx.u32(rp + 16)}-${ctx.u32(rp + 20)})`);
    } else if (rstat === 1) {
      if (!ctx.has(rp + 16, 4)) {
        ctx.printTrunc();
        return;
      }
      ctx.print('Auth ' + tok(AUTH_STATUS, 'Invalid failure code %u', ctx.u32(rp + 16)));
    } else {
      ctx.print(`Unknown reason for rejecting rpc message ${rstat}`);
    }
  } else {
    ctx.print(`reply Unknown rpc response code=${replyStat} ${length}`);
  }
}

/** parsereq: past the call's credentials and verifier to its arguments; null when cut short. */
function parseReq(ctx: PrintContext, rp: number, length: number): number | null {
  let dp = rp + 24;
  if (length < 8) return null;
  let len = ctx.u32(dp + 4);
  let rounded = roundUp4(len);
  if (!ctx.has(dp + 8, rounded)) return null;
  if (8 + rounded > length) return null;
  dp += Math.floor((len + 11) / 4) * 4;
  length -= 8 + rounded;
  if (length < 8) return null;
  len = ctx.u32(dp + 4);
  rounded = roundUp4(len);
  if (!ctx.has(dp + 8, rounded)) return null;
  if (8 + rounded >= length) return null;
  return dp + Math.floor((len + 11) / 4) * 4;
}

interface Sattr3 {
  mode?: number;
  uid?: number;
  gid?: number;
  atime?: [number, number];
  mtime?: [number, number];
  next: number;
}

/** parse_sattr3 */
function parseSattr3(ctx: PrintContext, dp: number): Sattr3 {
  const sa: Sattr3 = { next: 0 };
  const word = (): number => {
    const v = ctx.u32(dp);
    dp += 4;
    return v;
  };
  if (word()) sa.mode = word();
  if (word()) sa.uid = word();
  if (word()) sa.gid = word();
  if (word()) word();
  if (word() === 2) sa.atime = [word(), word()];
  if (word() === 2) sa.mtime = [word(), word()];
  sa.next = dp;
  return sa;
}

function printSattr3(ctx: PrintContext, sa: Sattr3): void {
  if (sa.mode !== undefined) ctx.print(` mode ${sa.mode.toString(8)}`);
  if (sa.uid !== undefined) ctx.print(` uid ${sa.uid}`);
  if (sa.gid !== undefined) ctx.print(` gid ${sa.gid}`);
  if (ctx.flags.verbose > 1) {
    if (sa.atime) ctx.print(` atime ${timeText(...sa.atime)}`);
    if (sa.mtime) ctx.print(` mtime ${timeText(...sa.mtime)}`);
  }
}

const ACCESS_BITS: ReadonlyArray<[number, string]> = [
  [0x01, 'NFS_ACCESS_READ'], [0x02, 'NFS_ACCESS_LOOKUP'], [0x04, 'NFS_ACCESS_MODIFY'],
  [0x08, 'NFS_ACCESS_EXTEND'], [0x10, 'NFS_ACCESS_DELETE'], [0x20, 'NFS_ACCESS_EXECUTE'],
];

/** nfsreq_noaddr_print */
function requestPrint(ctx: PrintContext, rp: number, length: number, ip: IpHeaderRef): void {
  ctx.protocol = 'nfs';
  ctx.print(String(length));
  if (!ctx.nfsXids.enter(ctx, rp, ip) || !requestArguments(ctx, rp, length)) ctx.printTrunc();
}

/** The procedure's name and arguments; false where tcpdump goes to `trunc`. */
function requestArguments(ctx: PrintContext, rp: number, length: number): boolean {
  const v3 = ctx.u32(rp + 16) === 3;
  const proc = genericProc(ctx.u32(rp + 20), v3);
  const verbose = ctx.flags.verbose;
  ctx.print(procText(proc));
  const u = (at: number): number => ctx.u32(at);
  let dp: number | null;
  switch (proc) {
    case P.GETATTR:
    case P.SETATTR:
    case P.READLINK:
    case P.FSSTAT:
    case P.FSINFO:
    case P.PATHCONF:
      dp = parseReq(ctx, rp, length);
      return dp !== null && parseFh(ctx, dp, v3) !== null;
    case P.LOOKUP:
    case P.CREATE:
    case P.MKDIR:
    case P.REMOVE:
    case P.RMDIR:
      dp = parseReq(ctx, rp, length);
      return dp !== null && parseFhn(ctx, dp, v3) !== null;
    case P.ACCESS: {
      dp = argsAfterFh(ctx, rp, length, v3);
      if (dp === null) return false;
      const flags = u(dp);
      if (flags & ~0x3f) ctx.print(` ${hex(flags >>> 0, 4)}`);
      else if ((flags & 0x3f) === 0x3f) ctx.print(' NFS_ACCESS_FULL');
      else {
        let separator = ' ';
        for (const [bit, name] of ACCESS_BITS) {
          if (!(flags & bit)) continue;
          ctx.print(separator + name);
          separator = '|';
        }
      }
      return true;
    }
    case P.READ:
      dp = argsAfterFh(ctx, rp, length, v3);
      if (dp === null) return false;
      if (v3) ctx.print(` ${u(dp + 8)} bytes @ ${u64(ctx, dp)}`);
      else ctx.print(` ${u(dp + 4)} bytes @ ${u(dp)}`);
      return true;
    case P.WRITE:
      dp = argsAfterFh(ctx, rp, length, v3);
      if (dp === null) return false;
      if (v3) {
        ctx.print(` ${u(dp + 16)} (${u(dp + 8)}) bytes @ ${u64(ctx, dp)}`);
        if (verbose) ctx.print(` <${writeModeText(u(dp + 12))}>`);
      } else {
        ctx.print(` ${u(dp + 12)} (${u(dp + 8)}) bytes @ ${u(dp + 4)} (${u(dp)})`);
      }
      return true;
    case P.SYMLINK: {
      dp = parseReq(ctx, rp, length);
      if (dp === null) return false;
      dp = parseFhn(ctx, dp, v3);
      if (dp === null) return false;
      ctx.print(' ->');
      let sa: Sattr3 | undefined;
      if (v3) {
        sa = parseSattr3(ctx, dp);
        dp = sa.next;
      }
      if (parseFn(ctx, dp) === null) return false;
      if (sa && verbose) printSattr3(ctx, sa);
      return true;
    }
    case P.MKNOD: {
      dp = parseReq(ctx, rp, length);
      if (dp === null) return false;
      dp = parseFhn(ctx, dp, v3);
      if (dp === null) return false;
      const type = u(dp);
      const sa = parseSattr3(ctx, dp + 4);
      dp = sa.next;
      ctx.print(' ' + tok(FILE_TYPES, 'unk-ft %u', type));
      if (verbose && (type === 4 || type === 3)) ctx.print(` ${u(dp)}/${u(dp + 4)}`);
      if (verbose) printSattr3(ctx, sa);
      return true;
    }
    case P.RENAME:
      dp = parseReq(ctx, rp, length);
      if (dp === null) return false;
      dp = parseFhn(ctx, dp, v3);
      if (dp === null) return false;
      ctx.print(' ->');
      return parseFhn(ctx, dp, v3) !== null;
    case P.LINK:
      dp = argsAfterFh(ctx, rp, length, v3);
      if (dp === null) return false;
      ctx.print(' ->');
      return parseFhn(ctx, dp, v3) !== null;
    case P.READDIR:
      dp = argsAfterFh(ctx, rp, length, v3);
      if (dp === null) return false;
      if (v3) {
        ctx.print(` ${u(dp + 16)} bytes @ ${s64(ctx, dp)}`);
        if (verbose) ctx.print(` verf ${hex8(u(dp + 8))}${hex8(u(dp + 12))}`);
      } else {
        ctx.print(` ${u(dp + 4)} bytes @ ${u(dp)}`);
      }
      return true;
    case P.READDIRPLUS:
      dp = argsAfterFh(ctx, rp, length, v3);
      if (dp === null) return false;
      ctx.print(` ${u(dp + 16)} bytes @ ${s64(ctx, dp)}`);
      if (verbose) ctx.print(` max ${u(dp + 20)} verf ${hex8(u(dp + 8))}${hex8(u(dp + 12))}`);
      return true;
    case P.COMMIT:
      dp = argsAfterFh(ctx, rp, length, v3);
      if (dp === null) return false;
      ctx.print(` ${u(dp + 8)} bytes @ ${u64(ctx, dp)}`);
      return true;
  }
  return true;
}

/** parsereq then parsefh: the arguments after the call's file handle. */
function argsAfterFh(ctx: PrintContext, rp: number, length: number, v3: boolean): number | null {
  const dp = parseReq(ctx, rp, length);
  return dp === null ? null : parseFh(ctx, dp, v3);
}
