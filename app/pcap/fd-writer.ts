/**
 * Buffered, synchronous writing to a file descriptor: records go into a 1 MiB buffer, flushed with
 * fs.writeSync. Handles short writes, and EAGAIN from a non-blocking pipe (stdout piped into
 * another program: `sievecap -w - | tcpdump -r -`) by waiting briefly and retrying.
 *
 * Durability, for a live capture writing a file:
 * - `maxDelayMs`: bytes handed over reach the descriptor within that time even when nothing else is
 *   written (an unref'd timer armed when the buffer stops being empty; and a flush at the end of a
 *   write call when the oldest pending byte is already that old). A SIGKILL then loses at most
 *   maxDelayMs of packets, not a megabyte of them.
 * - `packetBuffered` (tcpdump -U): every write call of the format writers ends with a flush.
 * - Write errors (ENOSPC, EDQUOT, EFBIG, EIO, ...) leave a valid capture: the format writers hand
 *   over whole records only (one reserve() is one record; one write() is one record or a batch of
 *   whole records) and describe their layout, so a write cut short is truncated back to the last
 *   whole record that reached the file. The error says how many packets the file holds; it is
 *   sticky (every later write throws it) and close() then only closes the descriptor.
 */
import * as fs from 'node:fs';
import type * as Zlib from 'node:zlib';

let zlibModule: typeof Zlib | undefined;
/** node:zlib, loaded for the first gzip file only (it pulls in node:stream: start-up time). */
function zlib(): typeof Zlib {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  zlibModule ??= require('node:zlib') as typeof Zlib;
  return zlibModule;
}

export const WRITE_BUFFER_SIZE = 1024 * 1024;
/**
 * A chunk of at least half the buffer (a live capture's batch at a high packet rate: a whole ring
 * block) goes to the descriptor as it is, after what is buffered: copying it into the buffer
 * first would cost more than the extra write(2).
 */
const DIRECT_WRITE_BYTES = WRITE_BUFFER_SIZE / 2;
/** How long a write may stay blocked on a full pipe before we give up (the reader is gone or stuck). */
const MAX_BLOCKED_MS = 60_000;

const sleepCell = new Int32Array(new SharedArrayBuffer(4));
function sleepMs(ms: number): void {
  Atomics.wait(sleepCell, 0, 0, ms);
}

export type WriteTarget = string | { fd: number; name: string; closeFd?: boolean };

/** When buffered bytes must reach the descriptor; shared by FdWriter, PcapWriter and PcapngWriter. */
export interface WriteTimingOptions {
  /**
   * Bytes handed to the writer reach the descriptor (write(2)) within this many milliseconds, even
   * if nothing is written afterwards. Default undefined: only when the 1 MiB buffer is full, on
   * flush() and on close() (best for reading and exporting files). A live capture passes 250.
   */
  maxDelayMs?: number;
  /** tcpdump -U: every writePacket / writeRecords / writeBlocks call ends with a flush. Default false. */
  packetBuffered?: boolean;
  /**
   * Receives a write error met by the maxDelayMs timer, when no write call is running to throw it.
   * Without it the error is kept and thrown by the next write, flush() or close().
   */
  onBackgroundError?: (error: Error) => void;
  /**
   * Write gzip: every chunk that goes to the descriptor (a flush, or a large batch written
   * directly) becomes one gzip member, so the file is a valid gzip stream after every write (gzip
   * -d, zcat, Wireshark and Sievecap's reader read concatenated members as one stream), and a
   * crash or SIGKILL loses only what was not yet flushed, as with a plain file.
   */
  gzip?: boolean;
}

/** How the output splits into records, so that a write cut short can be cut back to a whole one. */
export interface RecordLayout {
  /**
   * Length of the record that starts at buf[at] and at byte `streamOffset` of everything written
   * through this writer; the whole record is in buf. 0 or less when the bytes are not a record.
   */
  recordLength(buf: Buffer, at: number, streamOffset: number): number;
  /** Whether that record holds a packet. */
  isPacket(buf: Buffer, at: number, streamOffset: number): boolean;
}

export interface FdWriterOptions extends WriteTimingOptions {
  /** The record layout of what is written; without it a failed write is not cut back. */
  layout?: RecordLayout;
}

/** Error of a failed write: `code` is the errno code (ENOSPC, ...) when there is one. */
export type WriteError = Error & { code?: string; packetsInFile?: number };

/**
 * The whole records at the start of `chunk` of which the first `written` bytes reached the file
 * (chunk begins with a record, at `streamOffset` of the output): their length and packet count.
 */
export function wholeRecords(layout: RecordLayout, chunk: Buffer, written: number, streamOffset: number): { bytes: number; packets: number } {
  let p = 0;
  let packets = 0;
  while (p < written) {
    const length = layout.recordLength(chunk, p, streamOffset + p);
    if (!(length > 0) || length > chunk.length - p || length > written - p) break;
    if (layout.isPacket(chunk, p, streamOffset + p)) packets++;
    p += length;
  }
  return { bytes: p, packets };
}

export class FdWriter {
  readonly name: string;
  private fd: number | null;
  private readonly closeFd: boolean;
  private buf = Buffer.allocUnsafe(WRITE_BUFFER_SIZE);
  private used = 0;
  /** Packets in buf[0, used). */
  private bufPackets = 0;
  /** Bytes handed to the OS so far (after a failed write: the bytes of whole records left in the file). */
  bytesWritten = 0;
  /** Packets handed to the OS so far (after a failed write: the packets the file holds). */
  packetsWritten = 0;
  /** Bytes that left the buffer for the descriptor (before compression with gzip). */
  private handedOver = 0;
  /** Times a write found a non-blocking pipe full (EAGAIN) and waited. */
  blockedWrites = 0;

  readonly maxDelayMs: number | undefined;
  readonly packetBuffered: boolean;
  readonly gzip: boolean;
  private readonly layout: RecordLayout | undefined;
  private readonly onBackgroundError: ((error: Error) => void) | undefined;
  /** Size of the file when we got it (0 for a path we created); null when it is not a regular file. */
  private readonly startSize: number | null;
  /** Date.now() when the buffer last went from empty to non-empty (only with maxDelayMs). */
  private pendingSince = 0;
  private timer: NodeJS.Timeout | null = null;
  /** Set once writing cannot go on: the write error, or "already closed". Every write throws it. */
  private stopped: WriteError | null = null;
  private failure: WriteError | null = null;
  /** Whether `failure` has been thrown to a caller (or handed to onBackgroundError). */
  private failureReported = false;

  /** A path is created or truncated ('-' means stdout); or pass an open descriptor. */
  constructor(target: WriteTarget, options: FdWriterOptions = {}) {
    const { maxDelayMs } = options;
    if (maxDelayMs !== undefined && !(Number.isFinite(maxDelayMs) && maxDelayMs >= 0)) {
      throw new RangeError(`maxDelayMs must be a number of milliseconds >= 0, got ${maxDelayMs}`);
    }
    this.maxDelayMs = maxDelayMs;
    this.packetBuffered = options.packetBuffered ?? false;
    this.gzip = options.gzip ?? false;
    this.layout = options.layout;
    this.onBackgroundError = options.onBackgroundError;
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
    this.startSize = regularFileSize(this.fd);
  }

  /** Bytes handed to this writer so far: written and still buffered (what tcpdump's pcap_dump_ftell64 counts; before compression with gzip). */
  get size(): number {
    return this.handedOver + this.used;
  }

  /** Space left in the buffer; callers that build records in place use reserve(). */
  get free(): number {
    return this.buf.length - this.used;
  }

  /** The write error that stopped this writer, if any (it holds the whole records written before it). */
  get error(): WriteError | null {
    return this.failure;
  }

  /**
   * Returns a buffer region of n bytes to fill with one whole record (`packets` says whether it is
   * a packet), flushing first if needed. Fill it before any other call on this writer.
   */
  reserve(n: number, packets = 0): { buf: Buffer; at: number } {
    if (this.stopped !== null) this.throwStopped();
    if (n > this.buf.length - this.used) {
      this.flush();
      if (n > this.buf.length) this.buf = Buffer.allocUnsafe(n);
    }
    const at = this.used;
    if (at === 0 && this.maxDelayMs !== undefined) this.startPending();
    this.used = at + n;
    this.bufPackets += packets;
    return { buf: this.buf, at };
  }

  /**
   * Appends one whole record or a batch of whole records holding `packets` packets; a chunk of at
   * least half the buffer goes straight to the descriptor.
   */
  write(data: Uint8Array, packets = 0): void {
    if (this.stopped !== null) this.throwStopped();
    if (data.length < DIRECT_WRITE_BYTES && data.length <= this.buf.length - this.used) {
      if (this.used === 0 && this.maxDelayMs !== undefined && data.length > 0) this.startPending();
      this.buf.set(data, this.used);
      this.used += data.length;
      this.bufPackets += packets;
      return;
    }
    this.flush();
    if (data.length >= DIRECT_WRITE_BYTES) this.writeFully(data, packets);
    else {
      if (this.maxDelayMs !== undefined) this.startPending();
      this.buf.set(data, 0);
      this.used = data.length;
      this.bufPackets = packets;
    }
  }

  /**
   * Called by the format writers at the end of each write call: flushes with packetBuffered, or
   * when the oldest pending byte is at least maxDelayMs old (one clock read per call, none per record).
   */
  endWrite(): void {
    if (this.used === 0) return;
    if (this.packetBuffered) this.flush();
    else if (this.maxDelayMs !== undefined && Date.now() - this.pendingSince >= this.maxDelayMs) this.flush();
  }

  flush(): void {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.stopped !== null) {
      if (this.failure !== null) this.throwStopped();
      return; // closed: nothing is pending
    }
    if (this.used === 0) return;
    const pending = this.buf.subarray(0, this.used);
    const packets = this.bufPackets;
    this.used = 0;
    this.bufPackets = 0;
    this.writeFully(pending, packets);
  }

  /**
   * Flushes and closes (the descriptor too when we opened it). Idempotent. After a write error it
   * only closes the descriptor; it throws that error only if no call has thrown it yet (it was met
   * by the maxDelayMs timer and there was no onBackgroundError).
   */
  close(): void {
    if (this.fd === null) return;
    let error: Error | null = null;
    if (this.failure === null) {
      try {
        this.flush();
      } catch (e) {
        error = e as Error;
      }
    } else if (!this.failureReported) {
      error = this.failure;
      this.failureReported = true;
    }
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    const fd = this.fd;
    this.fd = null;
    this.stopped ??= Object.assign(new Error(`cannot write to ${this.name}: it is already closed`), { code: 'ERR_CLOSED' });
    if (this.closeFd) {
      try {
        fs.closeSync(fd);
      } catch (e) {
        // A failed close can mean data did not reach the disk (NFS, quota): say so, unless a write
        // error already said what went wrong.
        if (this.failure === null) error ??= describeWriteError(e, this.name, 'error closing');
      }
    }
    if (error !== null) throw error;
  }

  private throwStopped(): never {
    const err = this.stopped as WriteError;
    if (err === this.failure) this.failureReported = true;
    throw err;
  }

  private startPending(): void {
    this.pendingSince = Date.now();
    if (this.timer === null) {
      this.timer = setTimeout(() => this.onTimer(), this.maxDelayMs);
      this.timer.unref();
    }
  }

  private onTimer(): void {
    this.timer = null;
    if (this.used === 0 || this.stopped !== null) return;
    try {
      this.flush();
    } catch (e) {
      // Nobody is calling us: keep the error for the next call, or hand it to the owner.
      this.failureReported = false;
      if (this.onBackgroundError !== undefined && e === this.failure) {
        this.failureReported = true;
        this.onBackgroundError(e as Error);
      }
    }
  }

  private writeFully(data: Uint8Array, packets: number): void {
    if (this.fd === null) throw new Error(`cannot write to ${this.name}: it is already closed`);
    this.handedOver += data.length;
    // gzip: the chunk goes out as one member; a write cut short is cut back to the member's start.
    if (this.gzip) data = zlib().gzipSync(data);
    const streamStart = this.bytesWritten;
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
            this.fail(new Error(`cannot write to ${this.name}: the pipe has been full for ${MAX_BLOCKED_MS / 1000} s (is the reading program stuck?)`));
          }
          this.blockedWrites++;
          sleepMs(waitMs);
          waitMs = Math.min(waitMs * 2, 50);
          continue;
        }
        this.fail(this.describeFailedWrite(e, data, off, streamStart));
      }
      blockedSince = 0;
      waitMs = 1;
      off += n;
      this.bytesWritten += n;
    }
    this.packetsWritten += packets;
  }

  private fail(err: WriteError): never {
    this.failure = err;
    this.stopped = err;
    this.failureReported = true;
    this.used = 0;
    this.bufPackets = 0;
    throw err;
  }

  /**
   * A write of `data` failed after its first `written` bytes reached the file: cut the file back to
   * the last whole record and say how many packets it holds.
   */
  private describeFailedWrite(e: unknown, data: Uint8Array, written: number, streamStart: number): WriteError {
    const err = describeWriteError(e, this.name, 'error writing');
    const fd = this.fd;
    if (this.startSize === null || (this.layout === undefined && !this.gzip) || fd === null) return err;
    const chunk = Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    // A gzip member is whole or useless: it holds the chunk's packets only when all of it was written.
    const whole = this.gzip ? { bytes: 0, packets: 0 } : wholeRecords(this.layout!, chunk, written, streamStart);
    const keep = this.startSize + streamStart + whole.bytes;
    let size: number | null = null;
    try {
      size = fs.fstatSync(fd).size;
      // Only cut when the file ends exactly where our writes ended (we are its only writer, at its end).
      if (size === this.startSize + streamStart + written && size !== keep) {
        fs.ftruncateSync(fd, keep);
        size = keep;
      }
    } catch {
      // Leave the file as it is; the message below says that it may end with a partial packet.
    }
    this.bytesWritten = streamStart + whole.bytes;
    this.packetsWritten += whole.packets;
    const n = this.packetsWritten;
    const holds = n === 0 ? 'no packets' : n === 1 ? 'the 1 packet written before it' : `the ${n} packets written before it`;
    const tail = size === keep ? '' : ' (and may end with a partial packet)';
    err.message = `${err.message}; the file holds ${holds}${tail}`;
    err.packetsInFile = n;
    return err;
  }
}

function regularFileSize(fd: number): number | null {
  try {
    const st = fs.fstatSync(fd);
    return st.isFile() ? st.size : null;
  } catch {
    return null;
  }
}

function describeWriteError(e: unknown, name: string, doing: string): WriteError {
  const err = e as NodeJS.ErrnoException;
  const hints: Record<string, string> = {
    ENOSPC: 'the disk is full',
    EDQUOT: 'the disk quota is exhausted',
    EFBIG: 'the file is too large for the file system (or the file size limit, ulimit -f)',
    EIO: 'the device reported an input/output error',
    EPIPE: 'the reading end of the pipe was closed',
    EACCES: 'permission denied',
    EROFS: 'the file system is read-only',
    ENOENT: 'the directory does not exist',
    EISDIR: 'it is a directory',
  };
  const why = (err.code && hints[err.code]) ?? err.message;
  return Object.assign(new Error(`${doing} ${name}: ${why} (${err.code ?? 'error'})`), { code: err.code, cause: e });
}
