/**
 * A sliding window over a ByteSource: the readers ask for "n bytes from here", parse them in place
 * and move on. Bytes handed out (subarrays) stay valid until the next ensure() call, which may
 * compact or replace the buffer. Memory stays at the largest single block asked for, which the
 * readers bound before asking.
 */
import type { ByteSource } from './byte-source';

const INITIAL_SIZE = 1024 * 1024;

export class ByteWindow {
  /** Current buffer; valid bytes are buf[start, end). */
  buf: Buffer = Buffer.allocUnsafe(INITIAL_SIZE);
  start = 0;
  end = 0;
  /** Stream offset of buf[start]. */
  offset = 0;
  private eof = false;

  constructor(private readonly source: ByteSource) {}

  /** Bytes available from `start` without reading. */
  get available(): number {
    return this.end - this.start;
  }

  /**
   * Makes at least n bytes available from `start`, reading as needed. Returns false when the data
   * ends first (then `available` says how many bytes there were). Source errors propagate.
   */
  ensure(n: number): boolean {
    if (this.end - this.start >= n) return true;
    if (this.eof) return false;
    if (this.buf.length - this.start < n) this.makeRoom(n);
    while (this.end - this.start < n) {
      const got = this.source.read(this.buf, this.end, this.buf.length - this.end);
      if (got === 0) {
        this.eof = true;
        return false;
      }
      this.end += got;
    }
    return true;
  }

  /** Moves past n bytes (which must be available). */
  consume(n: number): void {
    this.start += n;
    this.offset += n;
  }

  /** True when no more bytes are buffered and the source has ended (reads ahead if needed). */
  atEnd(): boolean {
    return !this.ensure(1);
  }

  private makeRoom(n: number): void {
    const live = this.end - this.start;
    if (n <= this.buf.length) {
      this.buf.copy(this.buf, 0, this.start, this.end);
    } else {
      const bigger = Buffer.allocUnsafe(Math.max(n, this.buf.length * 2));
      this.buf.copy(bigger, 0, this.start, this.end);
      this.buf = bigger;
    }
    this.start = 0;
    this.end = live;
  }
}
