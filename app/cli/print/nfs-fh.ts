/**
 * NFS file handles as tcpdump prints them (print-nfs.c's nfs_printfh over parsenfsfh.c's
 * Parse_fh): the handle's layout is guessed from its bytes (Auspex, BSD 4.4, OSF, IRIX, SunOS,
 * Ultrix, VMS UCX, HP-UX), and ` fh MAJOR,MINOR/INODE` printed; a handle no rule knows (Linux's
 * among them) prints ` fh Unknown/` and its first 32 bytes in hex.
 */
import type { PrintContext } from './context';
import { printableChar } from './hexdump';

const enum Fht {
  Unknown,
  Auspex,
  DecOsf,
  Irix4,
  Irix5,
  SunOs4,
  Ultrix,
  VmsUcx,
  SunOs5,
  HpUx9,
  Bsd44,
}

/** ND_ASCII_ISPRINT */
const isPrint = (c: number): boolean => c >= 0x20 && c < 0x7f;

/** is_UCX: bytes 1 to 13 printable characters then NULs only, in a handle of 28 bytes or more. */
function isUcx(ctx: PrintContext, fh: number, words: number): boolean {
  if (words < 7) return false;
  let seenNull = false;
  for (let i = 1; i < 14; i++) {
    const c = ctx.u8(fh + i);
    if (isPrint(c)) {
      if (seenNull) return false;
    } else if (c === 0) seenNull = true;
    else return false;
  }
  return true;
}

/** Parse_fh's decision tree (`ourself` false: the handle was not made on this host). */
function handleType(ctx: PrintContext, fh: number, words: number): Fht {
  if (words < 4) return Fht.Unknown;
  const b = (i: number): number => ctx.u8(fh + i);
  if (b(0) === 0 && b(1) === 0) {
    if (b(2) === 0 && b(3) === 0) return Fht.Auspex;
    if (b(4) !== 0 && b(5) === 0 && b(8) === 12 && b(9) === 0) return Fht.DecOsf;
    if (b(4) === 0 && b(5) === 8 && b(6) === 0 && b(7) === 0) return Fht.Irix4;
    return Fht.SunOs4;
  }
  if (b(2) === 0 && b(3) === 0) {
    if (b(6) === 0 && b(7) === 0) return Fht.Bsd44;
    if (words >= 6 && b(21) === 0 && b(23) === 0) return Fht.Ultrix;
    return b(9) === 10 ? Fht.SunOs5 : Fht.Unknown;
  }
  if (b(8) === 12 && b(9) === 0) return Fht.DecOsf;
  if (b(8) === 0 && b(9) === 10) {
    if (b(7) === 0 && b(6) === 0 && b(5) === 0 && b(4) === 0) return Fht.HpUx9;
    return Fht.SunOs5;
  }
  return isUcx(ctx, fh, words) ? Fht.VmsUcx : Fht.Unknown;
}

const le32 = (ctx: PrintContext, at: number): number => ctx.u32le(at);
const be24 = (ctx: PrintContext, at: number): number => (ctx.u16(at) << 8) | ctx.u8(at + 2);

/**
 * nfs_printfh: ` fh ` and the handle of `words` 32-bit words at fh (the caller checked that all
 * of it was captured).
 */
export function printFileHandle(ctx: PrintContext, fh: number, words: number): void {
  let major = 0;
  let minor = 0;
  let ino = 0;
  /** The server's file system name (VMS) or "Unknown", printed instead of MAJOR,MINOR. */
  let fsName: Buffer | string | undefined;
  let opaque = '';
  switch (handleType(ctx, fh, words)) {
    case Fht.Auspex:
      minor = ctx.u8(fh + 7);
      major = ctx.u8(fh + 6);
      ino = ctx.u32(fh + 12);
      break;
    case Fht.Bsd44:
      minor = ctx.u8(fh);
      major = ctx.u8(fh + 1);
      ino = le32(ctx, fh + 12);
      break;
    case Fht.DecOsf: {
      le32(ctx, fh + 4);
      const temp = le32(ctx, fh);
      minor = temp & 0xfffff;
      major = (temp >>> 20) & 0xfff;
      ino = le32(ctx, fh + 12);
      break;
    }
    case Fht.Irix4:
      minor = ctx.u8(fh + 3);
      major = ctx.u8(fh + 2);
      ino = ctx.u32(fh + 8);
      break;
    case Fht.Irix5:
      minor = ctx.u16(fh + 2);
      major = ctx.u16(fh);
      ino = ctx.u32(fh + 12);
      break;
    case Fht.SunOs4:
      minor = ctx.u8(fh + 3);
      major = ctx.u8(fh + 2);
      ino = ctx.u32(fh + 12);
      break;
    case Fht.SunOs5:
      major = (ctx.u16(fh) >> 2) & 0x3fff;
      minor = be24(ctx, fh + 1) & 0x3ffff;
      ino = ctx.u32(fh + 12);
      break;
    case Fht.Ultrix:
      minor = ctx.u8(fh);
      major = ctx.u8(fh + 1);
      ino = le32(ctx, fh + 4);
      break;
    case Fht.VmsUcx: {
      // The first 14 bytes are copied over the fsid structure: Minor and Major are its first two
      // little-endian words (on the little-endian hosts tcpdump runs on), Opaque_Handle bytes 8-13.
      minor = le32(ctx, fh);
      major = le32(ctx, fh + 4);
      const tail = ctx.bytes(fh + 8, 6);
      const nul = tail.indexOf(0);
      opaque = tail.toString('latin1', 0, nul < 0 ? 6 : nul);
      ino = ((ctx.u8(fh + 26) << 24) | (ctx.u8(fh + 27) << 16) | ctx.data.readUInt16LE(fh + 22)) >>> 0;
      fsName = ctx.bytes(fh + 1, Math.min(words, 64));
      break;
    }
    case Fht.HpUx9:
      major = ctx.u8(fh);
      minor = be24(ctx, fh + 1);
      ino = ctx.u32(fh + 12);
      break;
    case Fht.Unknown: {
      const n = Math.min(words * 4, 32);
      opaque = ctx.bytes(fh, n).toString('hex').toUpperCase();
      minor = 257;
      major = 257;
      ino = 1;
      fsName = 'Unknown';
      break;
    }
  }
  const out = ctx.out;
  if (fsName !== undefined) {
    // strncpy into a buffer of `words` characters (sic: the handle's length in words), cut at
    // the first NUL and the first space.
    const limit = Math.min(words, 64);
    const bytes = typeof fsName === 'string' ? Buffer.from(fsName, 'latin1') : fsName;
    let end = 0;
    while (end < limit && end < bytes.length && bytes[end] !== 0 && bytes[end] !== 0x20) end++;
    out.text(' fh ');
    for (let i = 0; i < end; i++) out.byte(bytes[i]!);
    out.byte(0x2f);
  } else {
    out.text(` fh ${major},${minor}/`);
  }
  if (minor === 257) out.text(opaque);
  else out.uint(ino);
}

/** parsefh: the handle at dp (v3: after its length word; v2: 32 bytes) printed; null when cut short. */
export function parseFh(ctx: PrintContext, dp: number, v3: boolean): number | null {
  let words = 8;
  if (v3) {
    words = Math.floor(ctx.u32(dp) / 4);
    dp += 4;
  }
  if (!ctx.has(dp, words * 4)) return null;
  printFileHandle(ctx, dp, words);
  return dp + words * 4;
}

/** roundup2(len, 4) in 32-bit unsigned arithmetic (it wraps to 0 near 2^32, as in C). */
export const roundUp4 = (len: number): number => ((len + 3) & ~3) >>> 0;

/** parsefn: a file name, `"name"`, its bytes through fn_print_char; null when cut short. */
export function parseFn(ctx: PrintContext, dp: number): number | null {
  const len = ctx.u32(dp);
  dp += 4;
  if (0xffffffff - len < 3) {
    ctx.print('[cannot pad to 32-bit boundaries] (invalid)');
    return null;
  }
  const rounded = roundUp4(len);
  if (!ctx.has(dp, rounded)) return null;
  ctx.print(`"${printableText(ctx, dp, len)}"`);
  return dp + rounded;
}

/** fn_print_char over n captured bytes. */
function printableText(ctx: PrintContext, at: number, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += printableChar(ctx.data[at + i]!);
  return s;
}

/** parsefhn: a handle, a space and a file name. */
export function parseFhn(ctx: PrintContext, dp: number, v3: boolean): number | null {
  const next = parseFh(ctx, dp, v3);
  if (next === null) return null;
  ctx.print(' ');
  return parseFn(ctx, next);
}

/** GET_BE_U_8 */
export function u64(ctx: PrintContext, at: number): bigint {
  const hi = ctx.u32(at);
  const lo = ctx.u32(at + 4);
  return (BigInt(hi) << 32n) | BigInt(lo);
}

/** GET_BE_U_8 printed with PRId64. */
export const s64 = (ctx: PrintContext, at: number): bigint => BigInt.asIntN(64, u64(ctx, at));

/** `%u.%06u` */
export const timeText = (sec: number, frac: number): string => `${sec}.${String(frac).padStart(6, '0')}`;

/** `%08x` */
export const hex8 = (n: number): string => n.toString(16).padStart(8, '0');
