/**
 * A growable output buffer for text written piece by piece (trees, JSON): ASCII pieces copied a
 * character at a time, anything else encoded as UTF-8 in place; drained to stdout in large writes.
 * Building a packet's text as strings and joining them cost copies and garbage on every packet.
 */
export class ByteOut {
  buf: Buffer;
  used = 0;

  constructor(size = 1 << 18) {
    this.buf = Buffer.allocUnsafe(size);
  }

  /** Room for n more bytes. */
  ensure(n: number): void {
    if (this.used + n <= this.buf.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.used + n));
    this.buf.copy(grown, 0, 0, this.used);
    this.buf = grown;
  }

  /** Text that may hold any character. */
  text(s: string): void {
    const n = s.length;
    if (n > 1024) {
      this.utf8(s);
      return;
    }
    // ASCII copied here (cheaper than a call into the encoder for the short pieces trees and
    // JSON are made of); the first other character hands the rest to the encoder.
    this.ensure(n);
    const buf = this.buf;
    let j = this.used;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) {
        this.used = j;
        this.utf8(i === 0 ? s : s.slice(i));
        return;
      }
      buf[j++] = c;
    }
    this.used = j;
  }

  private utf8(s: string): void {
    // At most 3 bytes per UTF-16 code unit.
    this.ensure(s.length * 3);
    this.used += this.buf.write(s, this.used, 'utf8');
  }

  byte(c: number): void {
    this.ensure(1);
    this.buf[this.used++] = c;
  }

  /** Everything written so far, as a string, and the buffer emptied. */
  take(): string {
    const s = this.buf.toString('utf8', 0, this.used);
    this.used = 0;
    return s;
  }
}
