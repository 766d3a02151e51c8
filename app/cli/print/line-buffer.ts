/**
 * The bytes of printed lines, UTF-8 encoded as they are printed. Printers append pieces here
 * instead of building strings: a million packets then make no per-line string, no rope for V8 to
 * flatten and no join, and the TextSink writes the bytes to stdout as they are.
 */
/** "00".."99" as ASCII byte pairs: decimal conversion two digits per division. */
const DIGIT_PAIRS = Uint8Array.from({ length: 200 }, (_, i) => 48 + (i % 2 === 0 ? Math.floor(i / 20) : (i >> 1) % 10));

/** A constant ASCII piece encoded once, for LineBuffer.raw(). */
export function ascii(s: string): Uint8Array {
  return Uint8Array.from(s, (c) => c.charCodeAt(0) & 0x7f);
}

export class LineBuffer {
  bytes: Buffer;
  length = 0;

  constructor(capacity = 64 * 1024) {
    this.bytes = Buffer.allocUnsafe(capacity);
  }

  /** Makes room for `more` bytes after `length`. */
  private reserve(more: number): void {
    if (this.length + more <= this.bytes.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.bytes.length * 2, this.length + more));
    this.bytes.copy(next, 0, 0, this.length);
    this.bytes = next;
  }

  /** Appends `s` as UTF-8 (what writing the string to stdout would produce). */
  text(s: string): void {
    const n = s.length;
    this.reserve(n * 3);
    const b = this.bytes;
    let p = this.length;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c < 0x80) b[p++] = c;
      else {
        // Rare (latin1 payload text): let Buffer encode the rest; all before it was ASCII.
        p += b.write(s.slice(i), p, 'utf8');
        break;
      }
    }
    this.length = p;
  }

  /** Appends bytes encoded beforehand (see ascii()): constant pieces cost no per-character work. */
  raw(k: Uint8Array): void {
    const n = k.length;
    this.reserve(n);
    const b = this.bytes;
    let p = this.length;
    for (let i = 0; i < n; i++) b[p++] = k[i]!;
    this.length = p;
  }

  /**
   * Appends a text that recurs from line to line (an address): its bytes are encoded once and
   * kept, a bounded number of them, so the next time costs a map lookup and a copy.
   */
  recurring(s: string): void {
    let k = this.encoded.get(s);
    if (k === undefined) {
      if (!/^[\x00-\x7f]*$/.test(s)) {
        this.text(s);
        return;
      }
      if (this.encoded.size >= 4096) this.encoded.clear();
      this.encoded.set(s, (k = ascii(s)));
    }
    this.raw(k);
  }

  private readonly encoded = new Map<string, Uint8Array>();

  /** Appends one ASCII byte. */
  byte(c: number): void {
    this.reserve(1);
    this.bytes[this.length++] = c;
  }

  /** Appends a non-negative integer in decimal, as String(n) would print it. */
  uint(n: number): void {
    if (!(n >= 0 && n <= 0xffffffff && n >>> 0 === n)) {
      this.text(String(n));
      return;
    }
    const digits =
      n < 10 ? 1 : n < 100 ? 2 : n < 1000 ? 3 : n < 10000 ? 4 : n < 100000 ? 5
        : n < 1000000 ? 6 : n < 10000000 ? 7 : n < 100000000 ? 8 : n < 1000000000 ? 9 : 10;
    this.reserve(digits);
    const b = this.bytes;
    let p = this.length + digits;
    this.length = p;
    while (n >= 100) {
      const q = (n / 100) >>> 0;
      const r = (n - q * 100) * 2;
      b[--p] = DIGIT_PAIRS[r + 1]!;
      b[--p] = DIGIT_PAIRS[r]!;
      n = q;
    }
    if (n >= 10) {
      b[--p] = DIGIT_PAIRS[n * 2 + 1]!;
      b[--p] = DIGIT_PAIRS[n * 2]!;
    } else b[--p] = 48 + n;
  }

  /** Appends the last `width` decimal digits of a non-negative integer, zero-padded. */
  zeroPadded(n: number, width: number): void {
    this.reserve(width);
    const b = this.bytes;
    let p = this.length + width;
    this.length = p;
    let i = width;
    if (n <= 0xffffffff) {
      for (; i >= 2; i -= 2) {
        const q = (n / 100) >>> 0;
        const r = (n - q * 100) * 2;
        b[--p] = DIGIT_PAIRS[r + 1]!;
        b[--p] = DIGIT_PAIRS[r]!;
        n = q;
      }
    }
    for (; i > 0; i--) {
      const q = Math.floor(n / 10);
      b[--p] = 48 + (n - q * 10);
      n = q;
    }
  }

  /** The UTF-8 text from `start` to the end. */
  toString(start = 0): string {
    return this.bytes.toString('utf8', start, this.length);
  }
}
