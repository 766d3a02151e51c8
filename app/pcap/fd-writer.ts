/**
 * Buffered, synchronous writing to a file descriptor: batches go into a 1 MiB buffer, flushed with
 * fs.writeSync. Handles short writes, and EAGAIN from a non-blocking pipe (stdout piped into
 * another program: `sievecap -w - | tcpdump -r -`) by waiting briefly and retrying.
 * Errors (ENOSPC, EPIPE, EBADF, ...) become Errors naming the file and the cause.
 */
import * as fs from 'node:fs';

export const WRITE_BUFFER_SIZE = 1024 * 1024;
/** How long a write may stay blocked on a full pipe before we give up (the reader is gone or stuck). */
const MAX_BLOCKED_MS = 60_000;

const sleepCell = new Int32Array(new SharedArrayBuffer(4));
function sleepMs(ms: number): void {
  Atomics.wait(sleepCell, 0, 0, ms);
}

export type WriteTarget = string | { fd: number; name: string; closeFd?: boolean };

export class FdWriter {
  readonly name: string;
  private fd: number | null;
  private readonly closeFd: boolean;
  private buf = Buffer.allocUnsafe(WRITE_BUFFER_SIZE);
  private used = 0;
  /** Bytes handed to the OS so far. */
  bytesWritten = 0;
  /** Times a write found a non-blocking pipe full (EAGAIN) and waited. */
  blockedWrites = 0;

  /** A path is created or truncated ('-' means stdout); or pass an open descriptor. */
  constructor(target: WriteTarget) {
    if (typeof target === 'string') {
      if (target === '-') {
        this.fd = 1;
        this.name = 'standard output';
        this.closeFd = false;
      } else {
        try {
          this.fd = fs.openSync(target, 'w');
        } catch (e) {
          throw describeWriteError(e, target, 'cannot create');
        }
        this.name = target;
        this.closeFd = true;
      }
    } else {
      this.fd = target.fd;
      this.name = target.name;
      this.closeFd = target.closeFd ?? false;
    }
  }

  /** Space left in the buffer; callers that build records in place use reserve(). */
  get free(): number {
    return this.buf.length - this.used;
  }

  /** Returns a buffer region of n bytes to fill, flushing first if needed. Valid until the next call. */
  reserve(n: number): { buf: Buffer; at: number } {
    if (n > this.free) this.flush();
    if (n > this.buf.length) this.buf = Buffer.allocUnsafe(n);
    const at = this.used;
    this.used += n;
    return { buf: this.buf, at };
  }

  /** Appends bytes; a chunk larger than the buffer goes straight to the descriptor. */
  write(data: Uint8Array): void {
    if (data.length <= this.free) {
      this.buf.set(data, this.used);
      this.used += data.length;
      return;
    }
    this.flush();
    if (data.length >= this.buf.length) this.writeFully(data);
    else {
      this.buf.set(data, 0);
      this.used = data.length;
    }
  }

  flush(): void {
    if (this.used === 0) return;
    const pending = this.buf.subarray(0, this.used);
    this.used = 0;
    this.writeFully(pending);
  }

  /** Flushes and closes (the descriptor too when we opened it). Idempotent. */
  close(): void {
    if (this.fd === null) return;
    try {
      this.flush();
    } finally {
      const fd = this.fd;
      this.fd = null;
      if (this.closeFd) {
        try {
          fs.closeSync(fd);
        } catch (e) {
          // A failed close can mean data did not reach the disk (NFS, quota): say so.
          throw describeWriteError(e, this.name, 'error closing');
        }
      }
    }
  }

  private writeFully(data: Uint8Array): void {
    if (this.fd === null) throw new Error(`cannot write to ${this.name}: it is already closed`);
    let off = 0;
    let blockedSince = 0;
    let waitMs = 1;
    while (off < data.length) {
      let n: number;
      try {
        n = fs.writeSync(this.fd, data, off, data.length - off);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EAGAIN' || code === 'EWOULDBLOCK' || code === 'EINTR') {
          // A non-blocking pipe is full: wait for the reader to drain it (backing off up to 50 ms).
          const now = Date.now();
          if (blockedSince === 0) blockedSince = now;
          else if (now - blockedSince > MAX_BLOCKED_MS) {
            throw new Error(`cannot write to ${this.name}: the pipe has been full for ${MAX_BLOCKED_MS / 1000} s (is the reading program stuck?)`);
          }
          this.blockedWrites++;
          sleepMs(waitMs);
          waitMs = Math.min(waitMs * 2, 50);
          continue;
        }
        throw describeWriteError(e, this.name, 'error writing');
      }
      blockedSince = 0;
      waitMs = 1;
      off += n;
      this.bytesWritten += n;
    }
  }
}

function describeWriteError(e: unknown, name: string, doing: string): Error {
  const err = e as NodeJS.ErrnoException;
  const hints: Record<string, string> = {
    ENOSPC: 'the disk is full',
    EDQUOT: 'the disk quota is exhausted',
    EPIPE: 'the reading end of the pipe was closed',
    EACCES: 'permission denied',
    EROFS: 'the file system is read-only',
    ENOENT: 'the directory does not exist',
    EISDIR: 'it is a directory',
    EFBIG: 'the file is too large for the file system',
  };
  const why = (err.code && hints[err.code]) ?? err.message;
  return Object.assign(new Error(`${doing} ${name}: ${why} (${err.code ?? 'error'})`), { code: err.code, cause: e });
}
