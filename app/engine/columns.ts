/**
 * The columnar packet index: one typed array per column, grown by doubling, never an object per
 * packet. Strings (addresses, protocol names) are interned once and stored as ids.
 *
 * Per packet: data offset 8 B (Float64: exact to 2^53, far past any file), time stamp 8 B
 * (seconds + nanoseconds, two Uint32: a BigInt per packet would cost more than the rest), captured
 * and original length 4 B each, source / destination ids 4 B each, protocol id 2 B, interface 2 B,
 * flags 1 B, TCP/UDP stream id 4 B (+1, 0 = none), previous frame of the stream 4 B, TCP
 * completeness 1 B: 46 B at capacity 1x, so still under 64 B with up to 1.39x slack; trimToSize()
 * drops the doubling slack once a file is fully indexed.
 */

/** Strings to dense ids and back. */
export class InternTable {
  private readonly ids = new Map<string, number>();
  readonly strings: string[] = [];
  private chars = 0;

  id(text: string): number {
    let id = this.ids.get(text);
    if (id === undefined) {
      id = this.strings.length;
      this.strings.push(text);
      this.ids.set(text, id);
      this.chars += text.length;
    }
    return id;
  }

  get size(): number {
    return this.strings.length;
  }

  /** Rough heap bytes: the string (2 B/char + header) twice referenced, a Map entry and an array slot. */
  approxBytes(): number {
    return this.chars * 2 + this.strings.length * (32 + 40 + 8);
  }
}

/** Bits of the flags column. */
export const FLAG = {
  /** Captured length below the original length (snap length cut it). */
  TRUNCATED: 1,
  /** The dissector found bytes that contradict a protocol. */
  MALFORMED: 2,
  INBOUND: 4,
  OUTBOUND: 8,
  /** streamId is a TCP stream (else UDP when set). */
  TCP_STREAM: 16,
  /** The frame's layout is not simple (FrameLayout.simple: VLANs, tunnels, fragments, ICMP errors, non-IP, ...). */
  NOT_SIMPLE: 32,
  /** Simple frames: the frame goes the second way of its stream (FrameLayout.dir 1). */
  DIR_B: 64,
} as const;

export interface IndexedPacket {
  dataOffset: number;
  tsSec: number;
  tsNsec: number;
  capLen: number;
  origLen: number;
  source: number;
  destination: number;
  protocol: number;
  interfaceId: number;
  flags: number;
  /** tcp.stream or udp.stream (see FLAG.TCP_STREAM), -1 when neither. */
  streamId: number;
  /** 0-based index of the previous frame of the same stream, -1 when none. */
  previousInStream: number;
  /** tcp.completeness shown on this frame. */
  completeness: number;
}

const INITIAL_CAPACITY = 1024;

/** A growable column of Int32 (per stream, not per packet), -1 meaning "none". */
export class Int32Column {
  length = 0;
  private values = new Int32Array(256).fill(-1);

  get(k: number): number {
    return k < this.length ? this.values[k]! : -1;
  }

  set(k: number, value: number): void {
    while (k >= this.values.length) {
      const bigger = new Int32Array(this.values.length * 2).fill(-1);
      bigger.set(this.values);
      this.values = bigger;
    }
    this.values[k] = value;
    if (k >= this.length) this.length = k + 1;
  }

  get byteLength(): number {
    return this.values.byteLength;
  }
}

export class ColumnIndex {
  length = 0;
  dataOffset = new Float64Array(INITIAL_CAPACITY);
  tsSec = new Uint32Array(INITIAL_CAPACITY);
  tsNsec = new Uint32Array(INITIAL_CAPACITY);
  capLen = new Uint32Array(INITIAL_CAPACITY);
  origLen = new Uint32Array(INITIAL_CAPACITY);
  source = new Uint32Array(INITIAL_CAPACITY);
  destination = new Uint32Array(INITIAL_CAPACITY);
  protocol = new Uint16Array(INITIAL_CAPACITY);
  interfaceId = new Uint16Array(INITIAL_CAPACITY);
  flags = new Uint8Array(INITIAL_CAPACITY);
  /** Stream id + 1 (0 = no stream), so a zero-filled array means "none". */
  streamPlusOne = new Uint32Array(INITIAL_CAPACITY);
  /** Index + 1 of the previous frame of the same stream (0 = none): per-stream times on demand. */
  previousPlusOne = new Uint32Array(INITIAL_CAPACITY);
  /** The stream's tcp.completeness bits as of this frame. */
  completeness = new Uint8Array(INITIAL_CAPACITY);
  readonly addresses = new InternTable();
  readonly protocols = new InternTable();

  get capacity(): number {
    return this.tsSec.length;
  }

  push(p: IndexedPacket): number {
    return this.append(p.dataOffset, p.tsSec, p.tsNsec, p.capLen, p.origLen, p.source, p.destination, p.protocol, p.interfaceId, p.flags, p.streamId, p.previousInStream, p.completeness);
  }

  /** push() without an object per packet (the indexing loop). */
  append(
    dataOffset: number, tsSec: number, tsNsec: number, capLen: number, origLen: number, source: number, destination: number, protocol: number,
    interfaceId: number, flags: number, streamId: number, previousInStream: number, completeness: number,
  ): number {
    if (this.length === this.capacity) this.resize(this.capacity * 2);
    const k = this.length++;
    this.dataOffset[k] = dataOffset;
    this.tsSec[k] = tsSec;
    this.tsNsec[k] = tsNsec;
    this.capLen[k] = capLen;
    this.origLen[k] = origLen;
    this.source[k] = source;
    this.destination[k] = destination;
    if (protocol > 0xffff) throw new RangeError('more than 65536 distinct protocol names: the index cannot hold them');
    this.protocol[k] = protocol;
    this.interfaceId[k] = interfaceId;
    this.flags[k] = flags;
    this.streamPlusOne[k] = streamId + 1;
    this.previousPlusOne[k] = previousInStream + 1;
    this.completeness[k] = completeness;
    return k;
  }

  tsNs(k: number): bigint {
    return BigInt(this.tsSec[k]!) * 1_000_000_000n + BigInt(this.tsNsec[k]!);
  }

  /** Stream id of packet k, or -1. */
  streamId(k: number): number {
    return this.streamPlusOne[k]! - 1;
  }

  /**
   * Makes room for `frames` in all (one copy, instead of the doublings that reach it): a file's
   * frame count is estimated from its size once the first frames show their average size.
   */
  reserve(frames: number): void {
    if (frames > this.capacity) this.resize(frames);
  }

  /** Drops the slack (after a file is fully indexed), unless it is small: the copy would cost more than it frees. */
  trimToSize(): void {
    if (this.capacity > Math.max(this.length, 1) * 1.05) this.resize(Math.max(this.length, 1));
  }

  /** Bytes held by the typed arrays at their current capacity plus the intern tables. */
  byteLength(): number {
    const arrays = [this.dataOffset, this.tsSec, this.tsNsec, this.capLen, this.origLen, this.source, this.destination, this.protocol, this.interfaceId, this.flags, this.streamPlusOne, this.previousPlusOne, this.completeness];
    return arrays.reduce((n, a) => n + a.byteLength, 0) + this.addresses.approxBytes() + this.protocols.approxBytes();
  }

  private resize(capacity: number): void {
    const grow = <T extends Float64Array | Uint32Array | Uint16Array | Uint8Array>(a: T, make: (n: number) => T): T => {
      const b = make(capacity);
      b.set(a.subarray(0, Math.min(this.length, capacity)));
      return b;
    };
    this.dataOffset = grow(this.dataOffset, (n) => new Float64Array(n));
    this.tsSec = grow(this.tsSec, (n) => new Uint32Array(n));
    this.tsNsec = grow(this.tsNsec, (n) => new Uint32Array(n));
    this.capLen = grow(this.capLen, (n) => new Uint32Array(n));
    this.origLen = grow(this.origLen, (n) => new Uint32Array(n));
    this.source = grow(this.source, (n) => new Uint32Array(n));
    this.destination = grow(this.destination, (n) => new Uint32Array(n));
    this.protocol = grow(this.protocol, (n) => new Uint16Array(n));
    this.interfaceId = grow(this.interfaceId, (n) => new Uint16Array(n));
    this.flags = grow(this.flags, (n) => new Uint8Array(n));
    this.streamPlusOne = grow(this.streamPlusOne, (n) => new Uint32Array(n));
    this.previousPlusOne = grow(this.previousPlusOne, (n) => new Uint32Array(n));
    this.completeness = grow(this.completeness, (n) => new Uint8Array(n));
  }
}
