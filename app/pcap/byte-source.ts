/**
 * Synchronous, bounded byte sources for the capture readers: a plain file read with fs.readSync,
 * or a gzip-compressed file inflated incrementally. Neither loads the whole file into memory.
 */
import * as fs from 'node:fs';
import type * as Zlib from 'node:zlib';

/**
 * node:zlib, loaded for the first gzip file only: it pulls in node:stream, ~10 ms of start-up
 * that reading a plain file does without.
 */
function zlib(): typeof Zlib {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('node:zlib') as typeof Zlib;
}

export interface ByteSource {
  /** Fills target[start..] with up to `length` bytes; returns the count, 0 at end of data. Throws on I/O or inflate errors. */
  read(target: Buffer, start: number, length: number): number;
  close(): void;
}

export class FileByteSource implements ByteSource {
  private fd: number | null;

  constructor(fd: number) {
    this.fd = fd;
  }

  read(target: Buffer, start: number, length: number): number {
    if (this.fd === null) return 0;
    return fs.readSync(this.fd, target, start, length, null);
  }

  close(): void {
    if (this.fd !== null) fs.closeSync(this.fd);
    this.fd = null;
  }
}

/**
 * A pipe or terminal read as it comes (`sievecap -r -` reads standard input): no seeking, so the
 * first bytes looked at to tell gzip from a plain capture are kept and handed out again.
 */
export class StreamByteSource implements ByteSource {
  private fd: number | null;
  private head: Buffer = Buffer.alloc(0);
  private readonly pause = new Int32Array(new SharedArrayBuffer(4));

  constructor(fd: number) {
    this.fd = fd;
  }

  /** Up to `n` first bytes of the stream (fewer at its end), read again by read(). */
  peek(n: number): Buffer {
    while (this.head.length < n) {
      const chunk = Buffer.alloc(n - this.head.length);
      const got = this.readFd(chunk, 0, chunk.length);
      if (got === 0) break;
      this.head = Buffer.concat([this.head, chunk.subarray(0, got)]);
    }
    return this.head.subarray(0, n);
  }

  read(target: Buffer, start: number, length: number): number {
    if (this.head.length > 0) {
      const n = this.head.copy(target, start, 0, Math.min(length, this.head.length));
      this.head = this.head.subarray(n);
      return n;
    }
    return this.readFd(target, start, length);
  }

  private readFd(target: Buffer, start: number, length: number): number {
    if (this.fd === null) return 0;
    for (;;) {
      try {
        return fs.readSync(this.fd, target, start, length, null);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        // A non-blocking pipe with nothing in it yet: wait a little and read again.
        if (code === 'EAGAIN') Atomics.wait(this.pause, 0, 0, 5);
        else if (code === 'EOF') return 0;
        else throw e;
      }
    }
  }

  close(): void {
    // Standard input stays open: it is the process's, not the reader's.
    this.fd = null;
  }
}

/** Bytes already in memory (an upload, a test fixture). */
export class BufferByteSource implements ByteSource {
  private pos = 0;
  constructor(private readonly data: Uint8Array) {}

  read(target: Buffer, start: number, length: number): number {
    const n = Math.min(length, this.data.length - this.pos);
    target.set(this.data.subarray(this.pos, this.pos + n), start);
    this.pos += n;
    return n;
  }

  close(): void {
    this.pos = this.data.length;
  }
}

/**
 * The internals of zlib.Gunzip that zlib.gunzipSync itself drives (lib/zlib.js processChunkSync):
 * the native handle's writeSync and the [availOut, availIn] state it fills in. Unlike
 * `_processChunk`, which closes the stream after one call, driving the handle directly keeps the
 * inflate state across calls, so a large file inflates in bounded steps.
 */
interface ZlibHandle {
  writeSync(flush: number, input: Buffer, inOff: number, inLen: number, out: Buffer, outOff: number, outLen: number): void;
}
interface GunzipInternals {
  _handle: ZlibHandle | null;
  _writeState: Uint32Array;
  destroyed: boolean;
  errored?: Error | null;
  on(event: 'error', listener: (e: Error) => void): void;
  close(): void;
}

/** Compressed bytes fed per step; output per step is bounded by MAX_OUTPUT_PER_STEP regardless. */
const COMPRESSED_STEP = 16 * 1024;
const OUTPUT_CHUNK = 64 * 1024;
/** Deflate expands at most ~1032:1: 16 KiB of input cannot legitimately produce more than ~17 MiB. */
const MAX_OUTPUT_PER_STEP = 32 * 1024 * 1024;

/**
 * Inflates a gzip file in steps of COMPRESSED_STEP compressed bytes, keeping memory bounded.
 * Relies on zlib internals that have been stable since Node 12; when they are missing, falls back
 * to inflating the whole file in memory (bounded by maxOutputLength) and says so in `streaming`.
 */
export class GzipByteSource implements ByteSource {
  private readonly file: ByteSource;
  private readonly gunzip: GunzipInternals;
  private pending: Buffer[] = [];
  private pendingIndex = 0;
  private pendingPos = 0;
  private inputDone = false;
  private readonly compressed = Buffer.allocUnsafe(COMPRESSED_STEP);
  readonly streaming: boolean;

  /** `compressed` yields the gzip file's bytes. */
  constructor(compressed: ByteSource) {
    this.file = compressed;
    this.gunzip = zlib().createGunzip() as unknown as GunzipInternals;
    // Errors are also emitted asynchronously after we have seen them synchronously: keep them from
    // becoming uncaught exceptions.
    this.gunzip.on('error', () => undefined);
    this.streaming = typeof this.gunzip._handle?.writeSync === 'function' && this.gunzip._writeState instanceof Uint32Array;
    if (!this.streaming) this.inflateWholeFile();
  }

  read(target: Buffer, start: number, length: number): number {
    for (;;) {
      const chunk = this.pending[this.pendingIndex];
      if (chunk !== undefined) {
        const n = Math.min(length, chunk.length - this.pendingPos);
        chunk.copy(target, start, this.pendingPos, this.pendingPos + n);
        this.pendingPos += n;
        if (this.pendingPos === chunk.length) {
          this.pendingIndex++;
          this.pendingPos = 0;
        }
        return n;
      }
      if (this.inputDone) return 0;
      this.inflateStep();
    }
  }

  close(): void {
    this.gunzip.close();
    this.file.close();
  }

  private inflateStep(): void {
    this.pending = [];
    this.pendingIndex = 0;
    this.pendingPos = 0;
    if (this.gunzip._handle === null) {
      // The gzip stream has ended; bytes after it are not gzip data and are ignored, as gzip -d does.
      this.inputDone = true;
      return;
    }
    const n = this.file.read(this.compressed, 0, COMPRESSED_STEP);
    if (n === 0) {
      this.inputDone = true;
      // Z_FINISH with no more input: a stream cut short reports "unexpected end of file".
      this.inflate(Buffer.alloc(0), zlib().constants.Z_FINISH);
    } else {
      this.inflate(this.compressed.subarray(0, n), zlib().constants.Z_SYNC_FLUSH);
    }
  }

  private inflate(input: Buffer, flush: number): void {
    const g = this.gunzip;
    let inOff = 0;
    let inLen = input.length;
    let produced = 0;
    for (;;) {
      const handle = g._handle;
      if (handle === null) return;
      const out = Buffer.allocUnsafe(OUTPUT_CHUNK);
      handle.writeSync(flush, input, inOff, inLen, out, 0, OUTPUT_CHUNK);
      if (g.destroyed) {
        throw g.errored ?? Object.assign(new Error('gzip data is damaged'), { code: 'Z_DATA_ERROR' });
      }
      const availOut = g._writeState[0] as number;
      const availIn = g._writeState[1] as number;
      const have = OUTPUT_CHUNK - availOut;
      if (have > 0) this.pending.push(out.subarray(0, have));
      produced += have;
      if (produced > MAX_OUTPUT_PER_STEP) {
        throw new RangeError(`gzip data inflates to more than ${MAX_OUTPUT_PER_STEP} bytes from ${input.length} compressed bytes: damaged or hostile file`);
      }
      inOff += inLen - availIn;
      inLen = availIn;
      if (availOut !== 0) return; // all input consumed and all output flushed
    }
  }

  private inflateWholeFile(): void {
    const chunks: Buffer[] = [];
    for (;;) {
      const n = this.file.read(this.compressed, 0, COMPRESSED_STEP);
      if (n === 0) break;
      chunks.push(Buffer.from(this.compressed.subarray(0, n)));
    }
    this.inputDone = true;
    this.pending = [zlib().gunzipSync(Buffer.concat(chunks), { maxOutputLength: 2 ** 31 - 1 })];
  }
}
