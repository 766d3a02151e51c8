/**
 * FrameFile: random and sequential access to the captured bytes of indexed frames, by the byte
 * offset of each frame's data in an uncompressed capture file (the spool, or the opened file).
 * Sequential walks (display filters) read ahead in large chunks, so a frame costs no syscall;
 * a jump elsewhere (a page of rows, a stream's first frames replayed before it) reads a small
 * chunk, so paging about a large file or a growing spool copies kilobytes, not megabytes.
 */
import * as fs from 'node:fs';

const READ_AHEAD = 4 * 1024 * 1024;
/** A read that does not continue the last one: a few pages of rows' worth. */
const JUMP_READ = 64 * 1024;

export class FrameFile {
  private fd: number;
  private chunk = Buffer.allocUnsafe(READ_AHEAD);
  private chunkStart = 0;
  private chunkEnd = 0;

  constructor(readonly path: string) {
    try {
      this.fd = fs.openSync(path, 'r');
    } catch (e) {
      throw new Error(`cannot open ${path} to read packets back: ${(e as Error).message}`);
    }
  }

  /**
   * The bytes [offset, offset + length), a view valid until the next call (copy to keep it).
   * Served from the read-ahead chunk when it holds them; otherwise a new chunk is read there.
   */
  bytes(offset: number, length: number): Buffer {
    if (offset >= this.chunkStart && offset + length <= this.chunkEnd) {
      return this.chunk.subarray(offset - this.chunkStart, offset - this.chunkStart + length);
    }
    if (length > this.chunk.length) this.chunk = Buffer.allocUnsafe(length);
    // Continuing just past the last chunk is a walk: read far ahead. Anything else is a jump.
    const walking = this.chunkEnd > 0 && offset > this.chunkStart && offset < this.chunkEnd + JUMP_READ;
    const want = walking ? this.chunk.length : Math.min(this.chunk.length, Math.max(length, JUMP_READ));
    const n = fs.readSync(this.fd, this.chunk, 0, want, offset);
    this.chunkStart = offset;
    this.chunkEnd = offset + n;
    if (n < length) {
      this.chunkEnd = 0;
      throw new Error(`${this.path} ends at byte ${offset + n}, but a packet of ${length} bytes was indexed at byte ${offset} (was the file truncated?)`);
    }
    return this.chunk.subarray(0, length);
  }

  /**
   * Like bytes(), without a Buffer per call: makes the read-ahead chunk hold [offset, offset +
   * length) and returns where they start in `chunk` (valid until the next call).
   */
  locate(offset: number, length: number): number {
    if (offset >= this.chunkStart && offset + length <= this.chunkEnd) return offset - this.chunkStart;
    this.bytes(offset, length);
    return 0;
  }

  /** The read-ahead chunk that locate() points into. */
  get buffer(): Buffer {
    return this.chunk;
  }

  /** Forgets the read-ahead (the file grew: a chunk read at its old end may be short). */
  invalidate(): void {
    this.chunkEnd = 0;
  }

  close(): void {
    if (this.fd < 0) return;
    fs.closeSync(this.fd);
    this.fd = -1;
  }
}
