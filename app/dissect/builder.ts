/**
 * Building a layer's field tree safely. Every read is bounds-checked against the layer's end and
 * the captured bytes: a read past the capture marks the layer truncated, a read past what the
 * protocol's own lengths allow marks it malformed; neither throws past `dissectSafely`.
 */
import { be16, be32, colonHex } from './format';
import type { Field, FieldValue, Layer, LayerStatus } from './model';

/** Thrown inside a dissector to stop it; caught by dissectSafely, never escapes. */
export class StopDissection extends Error {
  constructor(readonly status: Exclude<LayerStatus, 'ok'>, readonly problem: string) {
    super(problem);
  }
}

/**
 * A label or a text: a constant, or a function that makes it. Functions are called only when the
 * field is built (see LayerBuilder.tree), so a dissection that builds no tree formats nothing.
 */
export type Lazy = string | (() => string);

/**
 * The field names a dissection builds when it builds no tree (a display filter's names, the
 * fields of `-T fields`): only those fields get a Field object, a text and no label. Undefined
 * (the default): the whole tree, every field with its label, as tshark -V shows it.
 */
export type FieldSelection = ReadonlySet<string>;

/** What add() returns for a field it does not build: writes to it (`.hidden = true`) go nowhere. */
const NOT_BUILT: Field = { abbrev: '', label: '', value: null, text: '', offset: 0, length: 0 };

/**
 * The name prefixes of every field a layer of these protocols adds (checked against the
 * dissectors): a selection that holds no name under them gets nothing from such a layer, which
 * then skips even the selection look-up per field. Other protocols always look up.
 */
const FIELD_PREFIXES: Readonly<Record<string, readonly string[]>> = {
  frame: ['frame.'], eth: ['eth.', '_ws.expert'], ip: ['ip.', '_ws.expert'], ipv6: ['ipv6.', 'ip.', '_ws.expert'], tcp: ['tcp.', 'mptcp', '_ws.expert'], udp: ['udp.', '_ws.expert'], icmp: ['icmp.', '_ws.expert'], icmpv6: ['icmpv6.', '_ws.expert'],
  // VNC's hextile tiles: a FramebufferUpdate put together over many segments is walked again on each.
  vnc: ['vnc.', '_ws.'],
  mqtt: ['mqtt.', '_ws.expert'],
};
/**
 * Per selection, per protocol of FIELD_PREFIXES: whether the selection holds a name under its
 * prefixes (mayHoldFieldsOf: true for other protocols).
 */
const selectedProtocols = new WeakMap<FieldSelection, Map<string, boolean>>();

/** The last selection asked about and its answers (a dissection asks with one selection per layer). */
let lastSelection: FieldSelection | undefined;
let lastKnown: Map<string, boolean> | undefined;

export function mayHoldFieldsOf(selection: FieldSelection, protocol: string): boolean {
  const prefixes = FIELD_PREFIXES[protocol];
  if (prefixes === undefined) return true;
  let known = selection === lastSelection ? lastKnown : selectedProtocols.get(selection);
  if (known === undefined) selectedProtocols.set(selection, (known = new Map()));
  lastSelection = selection;
  lastKnown = known;
  let holds = known.get(protocol);
  if (holds === undefined) {
    holds = false;
    for (const name of selection) if (prefixes.some((prefix) => name.startsWith(prefix))) holds = true;
    known.set(protocol, holds);
  }
  return holds;
}

/** Per selection: whether it names a field under a prefix (LayerBuilder.wantsAny). */
const prefixAnswers = new WeakMap<FieldSelection, Map<string, boolean>>();

export class LayerBuilder {
  readonly layer: Layer;
  /**
   * True when the whole tree is built: every field, with its label, and layer titles. False in a
   * "no tree" dissection (Wireshark's tree == NULL): only the selected fields are built, without
   * labels; the layers, their byte ranges, statuses and the summary columns are as in a tree.
   */
  readonly tree: boolean;
  /**
   * False when this layer builds no field at all (no tree, and the selection holds none of its
   * fields): add() then looks nothing up, and a dissector may skip a block that only adds fields.
   */
  readonly building: boolean;
  private current: Field[];

  constructor(
    readonly data: Buffer,
    protocol: string,
    title: string,
    offset: number,
    /** End of the bytes this layer may use (<= data.length unless the packet was truncated). */
    readonly end: number,
    /** The fields to build when no tree is wanted; undefined for the whole tree. */
    readonly selection?: FieldSelection,
  ) {
    this.layer = { protocol, title, offset, length: Math.max(0, Math.min(end, data.length) - offset), fields: [], status: 'ok' };
    this.current = this.layer.fields;
    this.tree = selection === undefined;
    this.building = selection === undefined || mayHoldFieldsOf(selection, protocol);
  }

  /** Whether add() would build any field whose name starts with `prefix` (always in a tree). */
  wantsAny(prefix: string): boolean {
    const selection = this.selection;
    if (selection === undefined) return true;
    if (!this.building) return false;
    let known = prefixAnswers.get(selection);
    if (known === undefined) prefixAnswers.set(selection, (known = new Map()));
    let holds = known.get(prefix);
    if (holds === undefined) {
      holds = false;
      for (const name of selection) if (name.startsWith(prefix)) holds = true;
      known.set(prefix, holds);
    }
    return holds;
  }

  /** Whether add() would build this field (always in a tree). */
  wants(abbrev: string): boolean {
    return this.selection === undefined || (this.building && this.selection.has(abbrev));
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
    return be16(this.data, offset);
  }
  u32(offset: number, what = 'field'): number {
    this.need(offset, 4, what);
    return be32(this.data, offset);
  }
  bytes(offset: number, length: number, what = 'field'): Buffer {
    this.need(offset, length, what);
    return this.data.subarray(offset, offset + length);
  }

  /**
   * Adds a field; `text` is what tshark -T fields prints (defaults to String(value)). Label and
   * text functions run at once when the field is built (never later: they may read variables the
   * dissector changes afterwards), and not at all when it is not.
   */
  add(abbrev: string, label: Lazy, value: FieldValue, offset: number, length: number, text?: Lazy): Field {
    const selection = this.selection;
    if (selection !== undefined && (!this.building || !selection.has(abbrev))) return NOT_BUILT;
    const labelText = selection !== undefined || !labelWanted(abbrev) ? '' : typeof label === 'function' ? label() : label;
    const field: Field =
      text === undefined && Buffer.isBuffer(value)
        ? lazyTextField(abbrev, labelText, value, offset, length, () => colonHex(value))
        : { abbrev, label: labelText, value, text: text === undefined ? defaultText(value) : typeof text === 'function' ? text() : text, offset, length };
    this.current.push(field);
    return field;
  }

  /**
   * Adds a field whose -T fields text is made only when something reads it: payloads and bodies
   * can be kilobytes, and most packets are never printed that way (lists, filters, reports).
   */
  addLazy(abbrev: string, label: Lazy, value: FieldValue, offset: number, length: number, textOf: () => string): Field {
    const selection = this.selection;
    if (selection !== undefined && (!this.building || !selection.has(abbrev))) return NOT_BUILT;
    const field = lazyTextField(abbrev, selection !== undefined || !labelWanted(abbrev) ? '' : typeof label === 'function' ? label() : label, value, offset, length, textOf);
    this.current.push(field);
    return field;
  }

  /**
   * Adds a field and makes it the parent of the fields added inside `body`. The body always runs
   * (its reads may stop the dissection); without the parent, its fields go where the parent would.
   */
  group(abbrev: string, label: Lazy, value: FieldValue, offset: number, length: number, body: () => void, text?: Lazy): Field {
    const field = this.add(abbrev, label, value, offset, length, text);
    if (field === NOT_BUILT) {
      body();
      return field;
    }
    field.children = [];
    const outer = this.current;
    this.current = field.children;
    try {
      body();
    } finally {
      this.current = outer;
    }
    return field;
  }

  /** Runs `body` adding its fields to `list` (the children of a field built earlier) instead of where the builder stands. */
  into(list: Field[], body: () => void): void {
    const outer = this.current;
    this.current = list;
    try {
      body();
    } finally {
      this.current = outer;
    }
  }

  /** Adds a field built elsewhere where the builder stands (another protocol's tree shown inside this layer's). */
  push(field: Field): void {
    this.current.push(field);
  }

  /** Sets the layer's tree heading (made only when a tree is built). */
  title(title: Lazy): void {
    if (this.tree) this.layer.title = typeof title === 'function' ? title() : title;
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

/** False while a dissection builds a tree without the labels of named fields (DissectOptions.labels). */
let namedLabels = true;

/** Runs body with named fields' labels made or not (restored afterwards: dissections may nest). */
export function withNamedLabels<T>(on: boolean, body: () => T): T {
  const before = namedLabels;
  namedLabels = on;
  try {
    return body();
  } finally {
    namedLabels = before;
  }
}

/** Whether a field's label is made: always for text-only lines ('') and expert items (`_ws.*`). */
function labelWanted(abbrev: string): boolean {
  return namedLabels || abbrev === '' || abbrev.charCodeAt(0) === 0x5f;
}

function defaultText(value: FieldValue): string {
  if (value === null) return '';
  if (typeof value === 'boolean') return value ? '1' : '0';
  if (Buffer.isBuffer(value)) return colonHex(value);
  return String(value);
}

/**
 * A field whose `text` is computed on first read (and may still be assigned). A class, not an
 * object literal with accessors (V8 gives each such literal its own slow shape); toJSON gives the
 * plain Field, text included.
 */
class LazyTextField implements Field {
  hidden?: boolean;
  children?: Field[];
  source?: 'reassembled';
  private made: string | undefined;

  constructor(
    public abbrev: string,
    public label: string,
    public value: FieldValue,
    public offset: number,
    public length: number,
    private readonly textOf: (arg: never) => string,
    /** What textOf is called with (a closure made per field costs more than a function and its argument). */
    private readonly arg?: unknown,
  ) {}

  get text(): string {
    return (this.made ??= this.textOf(this.arg as never));
  }

  set text(t: string) {
    this.made = t;
  }

  toJSON(): Field {
    const plain: Field = { abbrev: this.abbrev, label: this.label, value: this.value, text: this.text, offset: this.offset, length: this.length };
    if (this.source !== undefined) plain.source = this.source;
    if (this.hidden !== undefined) plain.hidden = this.hidden;
    if (this.children !== undefined) plain.children = this.children;
    return plain;
  }
}

export function lazyTextField(abbrev: string, label: string, value: FieldValue, offset: number, length: number, textOf: () => string): Field {
  return new LazyTextField(abbrev, label, value, offset, length, textOf);
}

/** lazyTextField whose text is textOf(arg), made on first read: no closure per field. */
export function lazyTextFieldOf<T>(abbrev: string, label: string, value: FieldValue, offset: number, length: number, textOf: (arg: T) => string, arg: T): Field {
  return new LazyTextField(abbrev, label, value, offset, length, textOf, arg);
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
    stopped(builder, err);
  }
  return builder.layer;
}

/**
 * What dissectSafely does with an exception, for the dissectors of every frame (link, IP, TCP, UDP)
 * that catch their own: a body run in place allocates no closure per frame.
 */
export function stopped(builder: LayerBuilder, err: unknown): void {
  if (err instanceof StopDissection) builder.mark(err.status, err.problem);
  else builder.mark('malformed', `dissector error: ${(err as Error).message}`);
}
