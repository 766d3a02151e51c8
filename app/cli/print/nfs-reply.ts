/**
 * An NFS v2/v3 reply's results as print-nfs.c's interp_reply prints them, once the call's
 * procedure and version are known (nfs.ts remembers them by xid): file attributes (with -v),
 * wcc data, directory, fsstat, fsinfo and pathconf results, error statuses.
 *
 * tcpdump's parsers return NULL where a length check fails and the reply ends in ` [|nfs]` unless
 * an NFS or RPC error was printed (nfserr); their plain reads past the capture jump straight to
 * ` [|nfs]`. Here the first return null, the second throw Truncated from the context's reads.
 */
import { type PrintContext, hex, tok } from './context';
import { hex8, parseFh, parseFn, timeText, u64 } from './nfs-fh';

export const NFSPROC = {
  NULL: 0, GETATTR: 1, SETATTR: 2, LOOKUP: 3, ACCESS: 4, READLINK: 5, READ: 6, WRITE: 7, CREATE: 8,
  MKDIR: 9, SYMLINK: 10, MKNOD: 11, REMOVE: 12, RMDIR: 13, RENAME: 14, LINK: 15, READDIR: 16,
  READDIRPLUS: 17, FSSTAT: 18, FSINFO: 19, PATHCONF: 20, COMMIT: 21, NOOP: 25,
} as const;

const P = NFSPROC;

/** nfsv3_procid: NFS version 2's procedure numbers as version 3's. */
const V2_PROCS = [
  P.NULL, P.GETATTR, P.SETATTR, P.NOOP, P.LOOKUP, P.READLINK, P.READ, P.NOOP, P.WRITE, P.CREATE,
  P.REMOVE, P.RENAME, P.LINK, P.SYMLINK, P.MKDIR, P.RMDIR, P.READDIR, P.FSSTAT, P.NOOP, P.NOOP,
  P.NOOP, P.NOOP, P.NOOP, P.NOOP, P.NOOP, P.NOOP,
];

/** The generic procedure number of `proc` in version `vers`. */
export const genericProc = (proc: number, v3: boolean): number => (!v3 && proc < V2_PROCS.length ? V2_PROCS[proc]! : proc);

const PROC_NAMES = new Map<number, string>([
  [P.NOOP, 'nop'], [P.NULL, 'null'], [P.GETATTR, 'getattr'], [P.SETATTR, 'setattr'], [P.LOOKUP, 'lookup'],
  [P.ACCESS, 'access'], [P.READLINK, 'readlink'], [P.READ, 'read'], [P.WRITE, 'write'], [P.CREATE, 'create'],
  [P.MKDIR, 'mkdir'], [P.SYMLINK, 'symlink'], [P.MKNOD, 'mknod'], [P.REMOVE, 'remove'], [P.RMDIR, 'rmdir'],
  [P.RENAME, 'rename'], [P.LINK, 'link'], [P.READDIR, 'readdir'], [P.READDIRPLUS, 'readdirplus'],
  [P.FSSTAT, 'fsstat'], [P.FSINFO, 'fsinfo'], [P.PATHCONF, 'pathconf'], [P.COMMIT, 'commit'],
]);

/** ` getattr`, ` proc-99` */
export const procText = (proc: number): string => ' ' + tok(PROC_NAMES, 'proc-%u', proc);

const STATUS = new Map<number, string>([
  [1, 'Operation not permitted'], [2, 'No such file or directory'], [5, 'Input/output error'],
  [6, 'Device not configured'], [11, 'Resource deadlock avoided'], [12, 'Cannot allocate memory'],
  [13, 'Permission denied'], [17, 'File exists'], [18, 'Cross-device link'],
  [19, 'Operation not supported by device'], [20, 'Not a directory'], [21, 'Is a directory'],
  [22, 'Invalid argument'], [26, 'Text file busy'], [27, 'File too large'], [28, 'No space left on device'],
  [30, 'Read-only file system'], [31, 'Too many links'], [45, 'Operation not supported'],
  [62, 'Too many levels of symbolic links'], [63, 'File name too long'], [66, 'Directory not empty'],
  [69, 'Disc quota exceeded'], [70, 'Stale NFS file handle'], [71, 'Too many levels of remote in path'],
  [99, 'Write cache flushed to disk'], [10001, 'Illegal NFS file handle'],
  [10002, 'Update synchronization mismatch'], [10003, 'READDIR/READDIRPLUS cookie is stale'],
  [10004, 'Operation not supported'], [10005, 'Buffer or request is too small'],
  [10006, 'Unspecified error on server'], [10007, 'Object of that type not supported'],
  [10008, "Request couldn't be completed in time"],
]);

export const WRITE_MODES = new Map<number, string>([[0, 'unstable'], [1, 'datasync'], [2, 'filesync']]);
/** tok2str with a NULL format: `#%d`. */
export const writeModeText = (mode: number): string => WRITE_MODES.get(mode) ?? `#${mode | 0}`;

export const FILE_TYPES = new Map<number, string>([[0, 'NON'], [1, 'REG'], [2, 'DIR'], [3, 'BLK'], [4, 'CHR'], [5, 'LNK'], [7, 'FIFO']]);

const ACCEPT_STATUS = new Map<number, string>([
  [1, 'PROG_UNAVAIL'], [2, 'PROG_MISMATCH'], [3, 'PROC_UNAVAIL'], [4, 'GARBAGE_ARGS'], [5, 'SYSTEM_ERR'],
]);

const V3_FATTR = 84;
const V2_FATTR = 68;

/** One reply's parse: the printer state tcpdump keeps in locals (nfserr, the last status). */
class ReplyParser {
  /** An NFS or RPC error was printed: a length check failing later prints no ` [|nfs]`. */
  nfserr = false;
  /** The status parseStatus read last (tcpdump's `er`). */
  er = 0;
  private readonly verbose: number;

  constructor(private readonly ctx: PrintContext) {
    this.verbose = ctx.flags.verbose;
  }

  /** parserep: past the RPC reply header and its verifier to the results. */
  rep(rp: number, length: number): number | null {
    const ctx = this.ctx;
    let dp = rp + 12;
    const len = ctx.u32(dp + 4);
    if (len >= length) return null;
    dp += Math.floor((len + 11) / 4) * 4;
    const astat = ctx.u32(dp);
    if (astat !== 0) {
      ctx.print(' ' + tok(ACCEPT_STATUS, 'ar_stat %u', astat));
      this.nfserr = true;
      return null;
    }
    return dp + 4;
  }

  status(dp: number): number {
    const errnum = this.ctx.u32(dp);
    this.er = errnum;
    if (errnum !== 0) {
      if (!this.ctx.flags.quick) this.ctx.print(' ERROR: ' + tok(STATUS, 'unk %u', errnum));
      this.nfserr = true;
    }
    return dp + 4;
  }

  fattr(dp: number, verbose: number, v3: boolean): number | null {
    const ctx = this.ctx;
    if (!ctx.has(dp + 16, 4)) return null;
    if (verbose) {
      const type = ctx.u32(dp);
      const mode = ctx.u32(dp + 4);
      const uid = ctx.u32(dp + 12) | 0;
      const gid = ctx.u32(dp + 16) | 0;
      ctx.print(` ${tok(FILE_TYPES, 'unk-ft %u ', type)} ${mode.toString(8)} ids ${uid}/${gid}`);
      ctx.print(` sz ${v3 ? u64(ctx, dp + 20) : ctx.u32(dp + 20)}`);
    }
    if (verbose > 1) {
      if (v3) {
        if (!ctx.has(dp + 76, 8)) return null;
        const line = ` nlink ${ctx.u32(dp + 8)} rdev ${ctx.u32(dp + 36)}/${ctx.u32(dp + 40)}`;
        ctx.print(line);
        ctx.print(` fsid ${u64(ctx, dp + 44).toString(16)}`);
        ctx.print(` fileid ${u64(ctx, dp + 52).toString(16)}`);
        ctx.print(` a/m/ctime ${this.time(dp + 60)}`);
        ctx.print(` ${this.time(dp + 68)}`);
        ctx.print(` ${this.time(dp + 76)}`);
      } else {
        if (!ctx.has(dp + 60, 8)) return null;
        const line = ` nlink ${ctx.u32(dp + 8)} rdev 0x${hex(ctx.u32(dp + 28), 1)} fsid 0x${hex(ctx.u32(dp + 36), 1)} nodeid 0x${hex(ctx.u32(dp + 40), 1)} a/m/ctime`;
        ctx.print(line);
        ctx.print(` ${this.time(dp + 44)}`);
        ctx.print(` ${this.time(dp + 52)}`);
        ctx.print(` ${this.time(dp + 60)}`);
      }
    }
    return dp + (v3 ? V3_FATTR : V2_FATTR);
  }

  private time(at: number): string {
    return timeText(this.ctx.u32(at), this.ctx.u32(at + 4));
  }

  attrstat(dp: number, verbose: number, v3: boolean): boolean {
    dp = this.status(dp);
    if (this.er) return true;
    return this.fattr(dp, verbose, v3) !== null;
  }

  diropres(dp: number): boolean {
    dp = this.status(dp);
    if (this.er) return true;
    const next = parseFh(this.ctx, dp, false);
    if (next === null) return false;
    return this.fattr(next, this.verbose, false) !== null;
  }

  linkres(dp: number, v3: boolean): boolean {
    let next: number | null = this.status(dp);
    if (this.er) return true;
    if (v3) {
      next = this.postOpAttr(next, this.verbose);
      if (next === null) return false;
    }
    this.ctx.print(' ');
    return parseFn(this.ctx, next) !== null;
  }

  statfs(dp: number, v3: boolean): boolean {
    const ctx = this.ctx;
    let next: number | null = this.status(dp);
    if (!v3 && this.er) return true;
    if (ctx.flags.quick) return true;
    if (v3) {
      if (this.verbose) ctx.print(' POST:');
      next = this.postOpAttr(next, this.verbose);
      if (next === null) return false;
    }
    if (!ctx.has(next, v3 ? 52 : 20)) return false;
    const at = next;
    if (v3) {
      ctx.print(` tbytes ${u64(ctx, at)} fbytes ${u64(ctx, at + 8)} abytes ${u64(ctx, at + 16)}`);
      if (this.verbose) {
        ctx.print(` tfiles ${u64(ctx, at + 24)} ffiles ${u64(ctx, at + 32)} afiles ${u64(ctx, at + 40)} invar ${ctx.u32(at + 48)}`);
      }
    } else {
      const v = [0, 4, 8, 12, 16].map((o) => ctx.u32(at + o));
      ctx.print(` tsize ${v[0]} bsize ${v[1]} blocks ${v[2]} bfree ${v[3]} bavail ${v[4]}`);
    }
    return true;
  }

  rddires(dp: number): boolean {
    const ctx = this.ctx;
    dp = this.status(dp);
    if (this.er) return true;
    if (ctx.flags.quick) return true;
    const offset = ctx.u32(dp);
    const size = ctx.u32(dp + 4);
    ctx.print(` offset 0x${offset.toString(16)} size ${size} `);
    if (ctx.u32(dp + 8) !== 0) ctx.print(' eof');
    return true;
  }

  private wccAttr(dp: number): number {
    const ctx = this.ctx;
    ctx.print(` sz ${u64(ctx, dp)}`);
    const times = ` mtime ${this.time(dp + 8)} ctime ${this.time(dp + 16)}`;
    ctx.print(times);
    return dp + 24;
  }

  private preOpAttr(dp: number, verbose: number): number | null {
    if (!this.ctx.u32(dp)) return dp + 4;
    dp += 4;
    if (!this.ctx.has(dp, 24)) return null;
    return verbose > 1 ? this.wccAttr(dp) : dp + 24;
  }

  postOpAttr(dp: number, verbose: number): number | null {
    if (!this.ctx.u32(dp)) return dp + 4;
    dp += 4;
    return verbose ? this.fattr(dp, verbose, true) : dp + V3_FATTR;
  }

  wccData(dp: number, verbose: number): number | null {
    if (verbose > 1) this.ctx.print(' PRE:');
    const next = this.preOpAttr(dp, verbose);
    if (next === null) return null;
    if (verbose) this.ctx.print(' POST:');
    return this.postOpAttr(next, verbose);
  }

  createopres(dp: number, verbose: number): number | null {
    let next: number | null = this.status(dp);
    if (this.er) return this.wccData(next, verbose);
    if (!this.ctx.u32(next)) return next + 4;
    next = parseFh(this.ctx, next + 4, true);
    if (next === null) return null;
    if (verbose) {
      next = this.postOpAttr(next, verbose);
      if (next === null) return null;
      if (this.verbose > 1) {
        this.ctx.print(' dir attr:');
        next = this.wccData(next, verbose);
      }
    }
    return next;
  }

  wccres(dp: number, verbose: number): number | null {
    return this.wccData(this.status(dp), verbose);
  }

  v3rddirres(dp: number, verbose: number): number | null {
    const ctx = this.ctx;
    dp = this.status(dp);
    if (this.verbose) ctx.print(' POST:');
    const next = this.postOpAttr(dp, verbose);
    if (next === null) return null;
    if (this.er) return next;
    if (this.verbose) {
      const a = ctx.u32(next);
      const b = ctx.u32(next + 4);
      ctx.print(` verf ${hex8(a)}${hex8(b)}`);
      return next + 8;
    }
    return next;
  }

  fsinfo(dp: number): boolean {
    const ctx = this.ctx;
    dp = this.status(dp);
    if (this.verbose) ctx.print(' POST:');
    const next = this.postOpAttr(dp, this.verbose);
    if (next === null) return false;
    if (this.er) return true;
    if (!ctx.has(next, 48)) return false;
    const w = (o: number): number => ctx.u32(next + o);
    ctx.print(` rtmax ${w(0)} rtpref ${w(4)} wtmax ${w(12)} wtpref ${w(16)} dtpref ${w(24)}`);
    if (this.verbose) {
      ctx.print(` rtmult ${w(8)} wtmult ${w(20)} maxfsz ${u64(ctx, next + 28)}`);
      ctx.print(` delta ${this.time(next + 36)} `);
    }
    return true;
  }

  pathconf(dp: number): boolean {
    const ctx = this.ctx;
    dp = this.status(dp);
    if (this.verbose) ctx.print(' POST:');
    const next = this.postOpAttr(dp, this.verbose);
    if (next === null) return false;
    if (this.er) return true;
    if (!ctx.has(next, 24)) return false;
    const w = (o: number): number => ctx.u32(next + o);
    ctx.print(
      ` linkmax ${w(0)} namemax ${w(4)} ${w(8) ? 'notrunc' : ''} ${w(12) ? 'chownres' : ''} ${w(16) ? 'igncase' : ''} ${w(20) ? 'keepcase' : ''}`,
    );
    return true;
  }
}

/**
 * interp_reply: ` PROC` and the results of the reply at rp (an RPC message of `length` bytes) to
 * a call of procedure `proc`, version `vers`.
 */
export function interpReply(ctx: PrintContext, rp: number, proc: number, vers: number, length: number): void {
  const r = new ReplyParser(ctx);
  if (!interpret(ctx, r, rp, proc, vers, length) && !r.nfserr) ctx.printTrunc();
}

/** interp_reply's switch: false where tcpdump goes to `trunc`. */
function interpret(ctx: PrintContext, r: ReplyParser, rp: number, proc: number, vers: number, length: number): boolean {
  const v3 = vers === 3;
  const verbose = ctx.flags.verbose;
  proc = genericProc(proc, v3);
  ctx.print(procText(proc));
  if (proc === P.NULL || proc === P.NOOP || !PROC_NAMES.has(proc)) return true;
  let dp: number | null = r.rep(rp, length);
  if (dp === null) return false;
  switch (proc) {
    case P.GETATTR:
      return r.attrstat(dp, ctx.flags.quick ? 0 : 1, v3);
    case P.SETATTR:
      return v3 ? r.wccres(dp, verbose) !== null : r.attrstat(dp, ctx.flags.quick ? 0 : 1, false);
    case P.LOOKUP:
      if (!v3) return r.diropres(dp);
      dp = r.status(dp);
      if (!r.er) {
        dp = parseFh(ctx, dp, true);
        if (dp === null) return false;
        dp = r.postOpAttr(dp, verbose);
        if (dp === null) return false;
      }
      if (verbose > 1) {
        ctx.print(' post dattr:');
        if (r.postOpAttr(dp, verbose) === null) return false;
      }
      return true;
    case P.ACCESS:
      dp = r.status(dp);
      if (verbose) ctx.print(' attr:');
      dp = r.postOpAttr(dp, verbose);
      if (dp === null) return false;
      if (!r.er) ctx.print(` c ${hex(ctx.u32(dp), 4)}`);
      return true;
    case P.READLINK:
      return r.linkres(dp, v3);
    case P.READ:
      if (!v3) return r.attrstat(dp, verbose, false);
      dp = r.postOpAttr(r.status(dp), verbose);
      if (dp === null) return false;
      if (!r.er && verbose) {
        ctx.print(` ${ctx.u32(dp)} bytes`);
        if (ctx.u32(dp + 4)) ctx.print(' EOF');
      }
      return true;
    case P.WRITE:
      if (!v3) return r.attrstat(dp, verbose, false);
      dp = r.wccData(r.status(dp), verbose);
      if (dp === null) return false;
      if (!r.er && verbose) {
        ctx.print(` ${ctx.u32(dp)} bytes`);
        if (verbose > 1) {
          ctx.print(` <${writeModeText(ctx.u32(dp + 4))}>`);
          ctx.print(` verf ${u64(ctx, dp + 8).toString(16)}`);
        }
      }
      return true;
    case P.CREATE:
    case P.MKDIR:
      return v3 ? r.createopres(dp, verbose) !== null : r.diropres(dp);
    case P.SYMLINK:
      if (v3) return r.createopres(dp, verbose) !== null;
      r.status(dp);
      return true;
    case P.MKNOD:
      return r.createopres(dp, verbose) !== null;
    case P.REMOVE:
    case P.RMDIR:
      if (v3) return r.wccres(dp, verbose) !== null;
      r.status(dp);
      return true;
    case P.RENAME:
      dp = r.status(dp);
      if (v3 && verbose) {
        ctx.print(' from:');
        dp = r.wccData(dp, verbose);
        if (dp === null) return false;
        ctx.print(' to:');
        if (r.wccData(dp, verbose) === null) return false;
      }
      return true;
    case P.LINK:
      dp = r.status(dp);
      if (v3 && verbose) {
        ctx.print(' file POST:');
        dp = r.postOpAttr(dp, verbose);
        if (dp === null) return false;
        ctx.print(' dir:');
        if (r.wccData(dp, verbose) === null) return false;
      }
      return true;
    case P.READDIR:
      return v3 ? r.v3rddirres(dp, verbose) !== null : r.rddires(dp);
    case P.READDIRPLUS:
      return r.v3rddirres(dp, verbose) !== null;
    case P.FSSTAT:
      return r.statfs(dp, v3);
    case P.FSINFO:
      return r.fsinfo(dp);
    case P.PATHCONF:
      return r.pathconf(dp);
    case P.COMMIT:
      dp = r.wccres(dp, verbose);
      if (dp === null) return false;
      if (verbose > 1) ctx.print(` verf ${u64(ctx, dp).toString(16)}`);
      return true;
  }
  return true;
}
