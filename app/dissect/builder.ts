/**
 * Building a layer's field tree safely. Every read is bounds-checked against the layer's end and
 * the captured bytes: a read past the capture marks the layer truncated, a read past what the
 * protocol's own lengths allow marks it malformed; neither throws past `dissectSafely`.
 */
import type { Field, FieldValue, Layer, LayerStatus } from './model';

/** Thrown inside a dissector to stop it; caught by dissectSafely, never escapes. */
export class StopDissection extends Error {
  constructor(readonly status: Exclude<LayerStatus, 'ok'>, readonly problem: string) {
    super(problem);
  }
}

export class LayerBuilder {
  readonly layer: Layer;
  private parents: Field[][] = [];
  private current: Field[];

  constructor(
    readonly data: Buffer,
    protocol: string,
    title: string,
    offset: number,
    /** End of the bytes this layer may use (<= data.length unless the packet was truncated). */
    readonly end: number,
  ) {
    this.layer = { protocol, title, offset, length: Math.max(0, Math.min(end, data.length) - offset), fields: [], status: 'ok' };
    this.current = this.layer.fields;
  }

  /** Ensures [offset, offset+length) is captured and inside the layer; stops the dissector if not. */
  need(offset: number, length: number, what: string): void {
    if (offset + length > this.end) throw new StopDissection('malformed', `${what} runs past the end of the ${this.layer.protocol} data`);
    if (offset + length > this.data.length) throw new StopDissection('truncated', `${what} was not captured (snap length)`);
  }

  u8(offset: number, what = 'field'): number {
    this.need(offset, 1, what);
    return this.data[offset]!;
  }
  u16(offset: number, what = 'field'): number {
    this.need(offset, 2, what);
    return this.data.readUInt16BE(offset);
  }
  u32(offset: number, what = 'field'): number {
    this.need(offset, 4, what);
    return this.data.readUInt32BE(offset);
  }
  bytes(offset: number, length: number, what = 'field'): Buffer {
    this.need(offset, length, what);
    return this.data.subarray(offset, offset + length);
  }

  /** Adds a field; `text` is what tshark -T fields prints (defaults to String(value)). */
  add(abbrev: string, label: string, value: FieldValue, offset: number, length: number, text?: string): Field {
    const field: Field =
      text === undefined && Buffer.isBuffer(value)
        ? lazyTextField(abbrev, label, value, offset, length, () => colonHex(value))
        : { abbrev, label, value, text: text ?? defaultText(value), offset, length };
    this.current.push(field);
    return field;
  }

  /**
   * Adds a field whose -T fields text is made only when something reads it: payloads and bodies
   * can be kilobytes, and most packets are never printed that way (lists, filters, reports).
   */
  addLazy(abbrev: string, label: string, value: FieldValue, offset: number, length: number, textOf: () => string): Field {
    const field = lazyTextField(abbrev, label, value, offset, length, textOf);
    this.current.push(field);
    return field;
  }

  /** Adds a field and makes it the parent of the fields added inside `body`. */
  group(abbrev: string, label: string, value: FieldValue, offset: number, length: number, body: () => void, text?: string): Field {
    const field = this.add(abbrev, label, value, offset, length, text);
    field.children = [];
    this.parents.push(this.current);
    this.current = field.children;
    try {
      body();
    } finally {
      this.current = this.parents.pop()!;
    }
    return field;
  }

  setLength(length: number): void {
    this.layer.length = length;
  }

  mark(status: Exclude<LayerStatus, 'ok'>, problem: string): void {
    if (this.layer.status === 'ok' || status === 'malformed') {
      this.layer.status = status;
      this.layer.problem = problem;
    }
  }
}

function defaultText(value: FieldValue): string {
  if (value === null) return '';
  if (typeof value === 'boolean') return value ? '1' : '0';
  if (Buffer.isBuffer(value)) return colonHex(value);
  return String(value);
}

/** Bytes as tshark prints FT_BYTES: lowercase hex pairs joined by ':'. */
function colonHex(value: Buffer): string {
  return value.toString('hex').replace(/(..)(?!$)/g, '$1:');
}

/** A field whose `text` is computed on first read (and may still be assigned). */
function lazyTextField(abbrev: string, label: string, value: FieldValue, offset: number, length: number, textOf: () => string): Field {
  let text: string | undefined;
  return {
    abbrev,
    label,
    value,
    get text(): string {
      return (text ??= textOf());
    },
    set text(t: string) {
      text = t;
    },
    offset,
    length,
  };
}

/** Formats as tshark prints hex fields: 0x prefix, zero-padded to the field's width in nibbles. */
export function hex(value: number, nibbles: number): string {
  if (nibbles <= 4 && value >= 0 && value <= 0xffff && Number.isInteger(value)) {
    // Flags, IDs and classes repeat: each text is made once per width.
    const cache = (HEX_TEXTS[nibbles] ??= []);
    return (cache[value] ??= `0x${value.toString(16).padStart(nibbles, '0')}`);
  }
  return `0x${value.toString(16).padStart(nibbles, '0')}`;
}

/** hex() texts of 16-bit values by width in nibbles (at most 65,536 strings per width). */
const HEX_TEXTS: string[][] = [];

/**
 * Runs a dissector body; a StopDissection (or any unexpected exception, which is a bug but must not
 * take the packet down) marks the layer instead of escaping.
 */
export function dissectSafely(builder: LayerBuilder, body: () => void): Layer {
  try {
    body();
  } catch (err) {
    if (err instanceof StopDissection) builder.mark(err.status, err.problem);
    else builder.mark('malformed', `dissector error: ${(err as Error).message}`);
  }
  return builder.layer;
}
