/**
 * The capture helper's protocol: one schema for every message between the privileged helper and
 * its one client (the CLI, the desktop engine). A leaf module: no Node imports, so the renderer may
 * share its types.
 *
 * On the wire (a Unix stream socket) every message is a frame: a 4-byte little-endian body length,
 * one byte of kind, then the body. Kind 1 is JSON (UTF-8) validated against the schemas below;
 * kind 2 is a batch of captured packets sent by the helper: an 8-byte header (u16 interface index
 * in the started capture, u16 record format 0 pcapng EPB / 1 pcap, u32 packet count) followed by
 * the records exactly as the native ring reader produced them. Every frame's size is bounded per
 * direction and kind; a frame over the bound is skipped and answered with an error.
 */
import * as v from 'valibot';

export const HELPER_PROTOCOL_VERSION = 1;

export const FRAME_HEADER_BYTES = 5;
export const FRAME_JSON = 1;
export const FRAME_BATCH = 2;
export const BATCH_HEADER_BYTES = 8;

/** Largest JSON message the helper accepts from its client. */
export const MAX_REQUEST_BYTES = 64 * 1024;
/** Largest JSON message the client accepts from the helper (statistics of many interfaces). */
export const MAX_EVENT_BYTES = 1024 * 1024;
/** Largest batch frame: a batch carries at most a few ring blocks. */
export const MAX_BATCH_BYTES = 64 * 1024 * 1024;

export const MAX_INTERFACES = 32;

// ---- building blocks ---------------------------------------------------------------------------

const RequestId = v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(2 ** 31));
/** An interface name as the kernel allows it (IFNAMSIZ 16 with the NUL), or `any`. */
export const InterfaceName = v.pipe(
  v.string(),
  v.minLength(1, 'an interface name is empty'),
  v.maxLength(15, 'an interface name has at most 15 characters'),
  v.regex(/^[^\s/:]+$/, 'an interface name holds no spaces, slashes or colons'),
);
/** A tcpdump filter expression; libpcap has the last word on its syntax. */
export const FilterExpression = v.pipe(v.string(), v.maxLength(16 * 1024, 'a filter expression has at most 16384 characters'));
const SnapLength = v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(262144));

/** The kernel stages a capture can ask for (bpf/programs/capture.ts KernelStages). */
/** A CIDR prefix or an address, as text (the helper parses it). */
export const CidrText = v.pipe(v.string(), v.maxLength(64, 'a CIDR prefix has at most 64 characters'));
/** A watchlist rule's name. */
export const RuleName = v.pipe(v.string(), v.minLength(1, 'a rule has a name'), v.maxLength(64, 'a rule name has at most 64 characters'));
export const WatchRule = v.strictObject({
  name: RuleName,
  prefixes: v.pipe(v.array(CidrText), v.maxLength(4096, 'a rule has at most 4096 prefixes')),
});
export const KernelStagesSpec = v.strictObject({
  /** HTTP session tracking: only TCP connections carrying HTTP/1.x, on any port. */
  httpSessions: v.optional(v.boolean()),
  /** Per-packet snap length: headers whole, then at most this many bytes. */
  payloadSnap: v.optional(v.strictObject({ bytes: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(262144)) })),
  /** Traffic mix: packets and bytes per ethertype and per IP protocol of every packet seen. */
  trafficMix: v.optional(v.boolean()),
  /** CIDR watchlist: only packets from or to the rules' prefixes, counted per rule (at most 64 rules). */
  watchlist: v.optional(v.strictObject({ rules: v.pipe(v.array(WatchRule), v.minLength(1, 'a watchlist has at least one rule'), v.maxLength(64, 'a watchlist has at most 64 rules')) })),
});
export type KernelStagesSpec = v.InferOutput<typeof KernelStagesSpec>;

export const CaptureSpec = v.strictObject({
  interfaces: v.pipe(v.array(InterfaceName), v.minLength(1, 'name at least one interface'), v.maxLength(MAX_INTERFACES)),
  filter: FilterExpression,
  snapLen: SnapLength,
  promiscuous: v.boolean(),
  /** Kernel ring size per interface, bytes. */
  bufferBytes: v.pipe(v.number(), v.integer(), v.minValue(2 * 64 * 1024), v.maxValue(1024 * 1024 * 1024)),
  /** Layout of the records in batches. */
  recordFormat: v.picklist(['pcapng', 'pcap', 'pcap-us']),
  /** Hand packets over as soon as they arrive (tcpdump --immediate-mode, -U to a terminal). */
  immediate: v.optional(v.boolean()),
  /** Kernel stages after the filter, by name (the helper builds them; no bytecode is ever sent). */
  stages: v.optional(KernelStagesSpec),
});
export type CaptureSpec = v.InferOutput<typeof CaptureSpec>;

// ---- client → helper ---------------------------------------------------------------------------

export const HelperRequest = v.variant('method', [
  v.strictObject({ id: RequestId, method: v.literal('listInterfaces') }),
  v.strictObject({
    id: RequestId,
    method: v.literal('validateFilter'),
    filter: FilterExpression,
    interface: v.optional(InterfaceName),
    snapLen: v.optional(SnapLength),
  }),
  v.strictObject({ id: RequestId, method: v.literal('start'), spec: CaptureSpec }),
  v.strictObject({ id: RequestId, method: v.literal('stop') }),
  v.strictObject({ id: RequestId, method: v.literal('counters') }),
  /**
   * Changes the running capture's CIDR watchlist (its start spec had one) without loading the
   * program again: prefixes added to a rule (a new rule name takes the next counter), or removed.
   */
  /**
   * Replaces the running capture's program with one built from another filter and stages; the
   * socket's program is swapped atomically (no packet lost or seen twice). Absent stages: none.
   */
  v.strictObject({ id: RequestId, method: v.literal('setFilter'), filter: FilterExpression, stages: v.optional(KernelStagesSpec) }),
  v.strictObject({
    id: RequestId,
    method: v.literal('watch'),
    add: v.optional(v.pipe(v.array(v.strictObject({ rule: RuleName, prefix: CidrText })), v.maxLength(4096))),
    remove: v.optional(v.pipe(v.array(CidrText), v.maxLength(4096))),
  }),
]);
export type HelperRequest = v.InferOutput<typeof HelperRequest>;
export type HelperMethod = HelperRequest['method'];

// ---- helper → client ---------------------------------------------------------------------------

export const ErrorData = v.strictObject({ code: v.string(), message: v.string() });
export type ErrorData = v.InferOutput<typeof ErrorData>;

const Count = v.pipe(v.number(), v.integer(), v.minValue(0));

export const InterfaceInfo = v.strictObject({
  name: v.string(),
  index: Count,
  up: v.boolean(),
  running: v.boolean(),
  loopback: v.boolean(),
  hardwareType: Count,
});
export type InterfaceInfo = v.InferOutput<typeof InterfaceInfo>;

export const StartedInterface = v.strictObject({
  name: v.string(),
  linkType: Count,
  snapLen: Count,
});
export type StartedInterface = v.InferOutput<typeof StartedInterface>;

export const InterfaceStatistics = v.strictObject({
  name: v.string(),
  /** Packets the kernel handed to the ring (tp_packets, drops included). */
  received: Count,
  /** Packets the kernel dropped for lack of ring space. */
  dropped: Count,
  /** The eBPF program's own counters: every packet it saw, and those it accepted. */
  seenPackets: Count,
  seenBytes: Count,
  acceptedPackets: Count,
  acceptedBytes: Count,
  /** With a watchlist: packets and bytes from or to each rule's prefixes. */
  rules: v.optional(v.array(v.strictObject({ name: v.string(), packets: Count, bytes: Count }))),
  /** With the traffic mix: every packet seen, per ethertype and per IP protocol (IPv4 protocol, IPv6 next header). */
  mix: v.optional(
    v.strictObject({
      ethertypes: v.array(v.strictObject({ ethertype: Count, packets: Count, bytes: Count })),
      ipProtocols: v.array(v.strictObject({ protocol: Count, packets: Count, bytes: Count })),
    }),
  ),
});
export type InterfaceStatistics = v.InferOutput<typeof InterfaceStatistics>;

/** What each method answers with, when it succeeds. */
export const HelperResults = {
  listInterfaces: v.strictObject({ interfaces: v.array(InterfaceInfo) }),
  validateFilter: v.strictObject({ instructions: Count }),
  start: v.strictObject({ interfaces: v.array(StartedInterface) }),
  stop: v.strictObject({ statistics: v.array(InterfaceStatistics) }),
  counters: v.strictObject({ statistics: v.array(InterfaceStatistics) }),
  setFilter: v.strictObject({ filter: v.string() }),
  /** The watchlist's rules and prefixes after the change. */
  watch: v.strictObject({ rules: v.array(v.strictObject({ name: v.string(), prefixes: v.array(v.string()) })) }),
} satisfies Record<HelperMethod, v.GenericSchema>;
export type HelperResult<M extends HelperMethod> = v.InferOutput<(typeof HelperResults)[M]>;
/** The parameters of a method: the request without its id and method. */
export type HelperParams<M extends HelperMethod> = Omit<Extract<HelperRequest, { method: M }>, 'id' | 'method'>;

export const HelperMessage = v.variant('type', [
  /** The helper's first message: who it is, and the one-time token that proves it. */
  v.strictObject({
    type: v.literal('hello'),
    version: v.literal(HELPER_PROTOCOL_VERSION),
    token: v.pipe(v.string(), v.maxLength(256)),
    pid: Count,
    capabilities: v.array(v.string()),
  }),
  v.strictObject({ type: v.literal('result'), id: RequestId, result: v.unknown() }),
  /** A request failed; id is null when the request was too malformed to carry one. */
  v.strictObject({ type: v.literal('error'), id: v.nullable(RequestId), error: ErrorData }),
  /** A capture on one interface ended on its own (the interface went down or disappeared). */
  v.strictObject({ type: v.literal('captureError'), interface: v.string(), error: ErrorData }),
]);
export type HelperMessage = v.InferOutput<typeof HelperMessage>;

/** Validates a reply's result against its method's schema. */
export function parseResult<M extends HelperMethod>(method: M, result: unknown): HelperResult<M> {
  return v.parse(HelperResults[method], result) as HelperResult<M>;
}

/** Turns valibot's issues into one sentence naming the first offending field. */
export function describeIssues(issues: readonly v.BaseIssue<unknown>[]): string {
  const first = issues[0];
  if (!first) return 'invalid message';
  const where = first.path?.map((p) => String(p.key)).join('.') ?? '';
  return where ? `${where}: ${first.message}` : first.message;
}

export function parseRequest(json: unknown): { ok: true; request: HelperRequest } | { ok: false; id: number | null; error: ErrorData } {
  const parsed = v.safeParse(HelperRequest, json);
  if (parsed.success) return { ok: true, request: parsed.output };
  const id = typeof json === 'object' && json !== null && Number.isInteger((json as { id?: unknown }).id) ? ((json as { id: number }).id) : null;
  return { ok: false, id: id !== null && id >= 0 && id <= 2 ** 31 ? id : null, error: { code: 'EBADMSG', message: `malformed request: ${describeIssues(parsed.issues)}` } };
}

export function parseHelperMessage(json: unknown): HelperMessage {
  const parsed = v.safeParse(HelperMessage, json);
  if (!parsed.success) throw Object.assign(new Error(`the capture helper sent a malformed message: ${describeIssues(parsed.issues)}`), { code: 'EBADMSG' });
  return parsed.output;
}

// ---- framing -----------------------------------------------------------------------------------

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** A JSON frame, header included. */
export function encodeJsonFrame(message: unknown): Uint8Array {
  const body = encoder.encode(JSON.stringify(message));
  const frame = new Uint8Array(FRAME_HEADER_BYTES + body.length);
  new DataView(frame.buffer).setUint32(0, body.length, true);
  frame[4] = FRAME_JSON;
  frame.set(body, FRAME_HEADER_BYTES);
  return frame;
}

/** The 13 bytes (frame header + batch header) sent before a batch's records. */
export function encodeBatchHeader(interfaceIndex: number, format: BatchRecordFormat, packetCount: number, recordBytes: number): Uint8Array {
  const header = new Uint8Array(FRAME_HEADER_BYTES + BATCH_HEADER_BYTES);
  const view = new DataView(header.buffer);
  view.setUint32(0, BATCH_HEADER_BYTES + recordBytes, true);
  header[4] = FRAME_BATCH;
  view.setUint16(5, interfaceIndex, true);
  view.setUint16(7, BATCH_FORMATS.indexOf(format), true);
  view.setUint32(9, packetCount, true);
  return header;
}

/** A batch's record layout (app/capture/batch.ts), by its number on the wire. */
export type BatchRecordFormat = 'pcapng' | 'pcap' | 'pcap-us';
const BATCH_FORMATS: readonly BatchRecordFormat[] = ['pcapng', 'pcap', 'pcap-us'];

export interface DecodedBatch {
  interfaceIndex: number;
  format: BatchRecordFormat;
  packetCount: number;
  /** The records (a view into the frame). */
  records: Uint8Array;
}

export function decodeBatch(body: Uint8Array): DecodedBatch {
  if (body.length < BATCH_HEADER_BYTES) throw Object.assign(new Error('a packet batch frame is shorter than its header'), { code: 'EBADMSG' });
  const view = new DataView(body.buffer, body.byteOffset, body.length);
  const format = view.getUint16(2, true);
  if (format >= BATCH_FORMATS.length) throw Object.assign(new Error(`a packet batch has an unknown record format ${format}`), { code: 'EBADMSG' });
  return {
    interfaceIndex: view.getUint16(0, true),
    format: BATCH_FORMATS[format]!,
    packetCount: view.getUint32(4, true),
    records: body.subarray(BATCH_HEADER_BYTES),
  };
}

export type Frame =
  | { kind: 'json'; value: unknown }
  | { kind: 'batch'; body: Uint8Array }
  | { kind: 'error'; error: ErrorData };

export interface FrameLimits {
  json: number;
  batch: number;
}

/** Reading in place (readBuffer): the most read into scratch memory at once, and its blocks. */
const SCRATCH_READ_BYTES = 16 * 1024;
const SCRATCH_BLOCK_BYTES = 256 * 1024;
/** Reading in place: the largest recycled body kept for the next batch. */
const MAX_SPARE_BYTES = 16 * 1024 * 1024;

/**
 * Splits a byte stream into frames. A frame over its limit, of an unknown kind, or whose JSON does
 * not parse yields an `error` frame and the stream goes on after it (its bytes are skipped as they
 * arrive, never buffered).
 *
 * Bytes come in one of two ways, not mixed: push() takes chunks as a stream delivers them; or a
 * reader that can read into memory it is given (net.Socket's `onread`) asks readBuffer() where to
 * read and reports with wrote(). Then a large batch is read straight into the buffer handed on with
 * it: no chunks copied together, and fewer, larger reads. Frames handed on never share memory
 * that a later read overwrites.
 */
export class FrameDecoder {
  private chunks: Uint8Array[] = [];
  private buffered = 0;
  /** Bytes of an oversized frame still to skip. */
  private skipping = 0;
  /** Reading in place: a batch frame's body being filled by reads, and how much of it is. */
  private body: Uint8Array | undefined;
  private bodyFilled = 0;
  /** Reading in place: memory for reads between large bodies, used front to back, never reused. */
  private scratch: Uint8Array | undefined;
  private scratchUsed = 0;
  private inPlace = false;
  /** Reading in place: a body the consumer is done with (recycle), for the next large batch. */
  private spare: Uint8Array | undefined;
  /** Reading in place: the memory of bodies read into their own buffer (never scratch memory). */
  private readonly ownBodies = new WeakSet<ArrayBufferLike>();

  /**
   * `allocate` makes the memory for reading in place, each time a buffer of its own, never a slice
   * of a shared pool (Node: Buffer.allocUnsafeSlow, which skips the zero fill of a Uint8Array;
   * every byte is written by a read before it is looked at).
   */
  constructor(
    private readonly limits: FrameLimits,
    private readonly allocate: (length: number) => Uint8Array = (length) => new Uint8Array(length),
  ) {}

  /** Reading in place: where the next read goes (then call wrote()). */
  readBuffer(): Uint8Array {
    this.inPlace = true;
    if (this.body) return this.body.subarray(this.bodyFilled);
    if (!this.scratch || this.scratch.length - this.scratchUsed < SCRATCH_READ_BYTES) {
      this.scratch = this.allocate(SCRATCH_BLOCK_BYTES);
      this.scratchUsed = 0;
    }
    return this.scratch.subarray(this.scratchUsed, this.scratchUsed + SCRATCH_READ_BYTES);
  }

  /**
   * Reading in place: the consumer is done with a batch body this decoder emitted (nothing keeps
   * a view of it), so a later batch may be read into the same memory instead of fresh memory,
   * which the kernel would have to fault in page by page.
   */
  recycle(body: Uint8Array): void {
    // A frame read into scratch memory shares it with later reads: only a body's own buffer is kept.
    if (!this.inPlace || !this.ownBodies.has(body.buffer)) return;
    const whole = new Uint8Array(body.buffer, body.byteOffset, body.buffer.byteLength - body.byteOffset);
    if (whole.length > MAX_SPARE_BYTES || (this.spare && this.spare.length >= whole.length)) return;
    this.spare = whole;
  }

  /** Reading in place: `n` bytes were read into the memory readBuffer() returned. */
  wrote(n: number, emit: (frame: Frame) => void): void {
    if (this.body) {
      this.bodyFilled += n;
      if (this.bodyFilled < this.body.length) return;
      const body = this.body;
      this.body = undefined;
      emit({ kind: 'batch', body });
      return;
    }
    const chunk = this.scratch!.subarray(this.scratchUsed, this.scratchUsed + n);
    this.scratchUsed += n;
    this.push(chunk, emit);
  }

  push(chunk: Uint8Array, emit: (frame: Frame) => void): void {
    if (this.skipping > 0) {
      const skip = Math.min(this.skipping, chunk.length);
      this.skipping -= skip;
      chunk = chunk.subarray(skip);
      if (chunk.length === 0) return;
    }
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    for (;;) {
      if (this.buffered < FRAME_HEADER_BYTES) return;
      const head = this.peek(FRAME_HEADER_BYTES);
      const length = new DataView(head.buffer, head.byteOffset, 4).getUint32(0, true);
      const kind = head[4]!;
      const limit = kind === FRAME_JSON ? this.limits.json : kind === FRAME_BATCH ? this.limits.batch : -1;
      if (limit < 0 || length > limit) {
        this.take(FRAME_HEADER_BYTES);
        const skipNow = Math.min(length, this.buffered);
        this.take(skipNow);
        this.skipping = length - skipNow;
        emit({
          kind: 'error',
          error: limit < 0
            ? { code: 'EBADMSG', message: `unknown frame kind ${kind}` }
            : { code: 'EMSGSIZE', message: `a ${kind === FRAME_JSON ? 'message' : 'batch'} of ${length} bytes exceeds the limit of ${limit}` },
        });
        if (this.skipping > 0) return;
        continue;
      }
      if (this.buffered < FRAME_HEADER_BYTES + length) {
        if (this.inPlace && kind === FRAME_BATCH) {
          // The rest of this batch is read straight into its own buffer (see readBuffer).
          this.take(FRAME_HEADER_BYTES);
          const spare = this.spare;
          if (spare && spare.length >= length) {
            this.spare = undefined;
            this.body = spare.subarray(0, length);
          } else {
            this.body = this.allocate(length);
            this.ownBodies.add(this.body.buffer);
          }
          this.bodyFilled = this.buffered;
          let at = 0;
          for (const c of this.chunks) {
            this.body.set(c, at);
            at += c.length;
          }
          this.chunks = [];
          this.buffered = 0;
        }
        return;
      }
      this.take(FRAME_HEADER_BYTES);
      const body = this.take(length);
      if (kind === FRAME_BATCH) {
        emit({ kind: 'batch', body });
        continue;
      }
      let value: unknown;
      try {
        value = JSON.parse(decoder.decode(body));
      } catch {
        emit({ kind: 'error', error: { code: 'EBADMSG', message: 'a message is not valid UTF-8 JSON' } });
        continue;
      }
      emit({ kind: 'json', value });
    }
  }

  /** The first n buffered bytes, without consuming them (n ≤ buffered). */
  private peek(n: number): Uint8Array {
    const first = this.chunks[0]!;
    if (first.length >= n) return first.subarray(0, n);
    return this.gather(n, false);
  }

  private take(n: number): Uint8Array {
    if (n === 0) return new Uint8Array(0);
    const first = this.chunks[0]!;
    if (first.length >= n) {
      const out = first.subarray(0, n);
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
      this.buffered -= n;
      return out;
    }
    return this.gather(n, true);
  }

  private gather(n: number, consume: boolean): Uint8Array {
    const out = new Uint8Array(n);
    let filled = 0;
    let k = 0;
    while (filled < n) {
      const c = this.chunks[k]!;
      const use = Math.min(c.length, n - filled);
      out.set(c.subarray(0, use), filled);
      filled += use;
      if (consume) {
        if (use === c.length) this.chunks.shift();
        else this.chunks[0] = c.subarray(use);
      } else k++;
    }
    if (consume) this.buffered -= n;
    return out;
  }
}
