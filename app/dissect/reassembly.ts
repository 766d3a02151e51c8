/**
 * IP fragment reassembly (IPv4 and IPv6), the way Wireshark's reassemble.c behaves by default:
 * fragments are keyed by (src, dst, id[, protocol]); the datagram is complete when a fragment
 * without "more fragments" has arrived and the bytes from 0 to its end are all present.
 */

export interface FragmentPart {
  frame: number;
  offset: number;
  length: number;
}

export interface Reassembled {
  data: Buffer;
  parts: FragmentPart[];
}

interface PendingDatagram {
  /** In arrival order (later copies win where fragments overlap). */
  parts: Array<FragmentPart & { bytes: Buffer }>;
  /** The same parts sorted by offset, then frame: kept sorted on insertion, not re-sorted per fragment. */
  sorted: Array<FragmentPart & { bytes: Buffer }>;
  /** Total length once the last fragment (MF=0) is known, else -1. */
  total: number;
}

/** Bounds on memory: a datagram may not exceed 64 KiB + header slack; old datagrams are dropped. */
const MAX_DATAGRAM = 65_535 + 8;
const MAX_PENDING = 4096;
/**
 * Fragments kept per datagram: 8-byte fragments of a 64 KiB datagram need 8192; beyond that only
 * duplicates arrive, and keeping them would make each new fragment cost more than the last.
 */
const MAX_PARTS = 8192;

export class FragmentTable {
  private readonly pending = new Map<string, PendingDatagram>();

  /**
   * Adds one fragment. Returns the reassembled datagram when this fragment completed it, else null.
   * `bytes` is copied (frames are views into reader buffers that are reused).
   */
  add(key: string, frame: number, offset: number, bytes: Buffer, more: boolean): Reassembled | null {
    if (offset + bytes.length > MAX_DATAGRAM) return null;
    let datagram = this.pending.get(key);
    if (!datagram) {
      if (this.pending.size >= MAX_PENDING) this.pending.delete(this.pending.keys().next().value!);
      datagram = { parts: [], sorted: [], total: -1 };
      this.pending.set(key, datagram);
    }
    if (datagram.parts.length >= MAX_PARTS) {
      this.pending.delete(key);
      return null;
    }
    const part = { frame, offset, length: bytes.length, bytes: Buffer.from(bytes) };
    datagram.parts.push(part);
    datagram.sorted.splice(insertionPoint(datagram.sorted, part), 0, part);
    if (!more) datagram.total = offset + bytes.length;
    if (datagram.total < 0) return null;

    const sorted = datagram.sorted;
    let covered = 0;
    for (const part of sorted) {
      if (part.offset > covered) return null;
      covered = Math.max(covered, part.offset + part.length);
    }
    if (covered < datagram.total) return null;

    const data = Buffer.alloc(datagram.total);
    // Later fragments overwrite earlier ones where they overlap (Wireshark keeps the last copy).
    for (const part of datagram.parts) part.bytes.copy(data, part.offset, 0, Math.max(0, Math.min(part.length, datagram.total - part.offset)));
    this.pending.delete(key);
    return { data, parts: sorted.map(({ frame: f, offset: o, length: l }) => ({ frame: f, offset: o, length: l })) };
  }
}

/** Where `part` goes in `sorted` (by offset, then frame, after equal ones): a binary search. */
function insertionPoint(sorted: FragmentPart[], part: FragmentPart): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    const m = sorted[mid]!;
    if (m.offset < part.offset || (m.offset === part.offset && m.frame <= part.frame)) low = mid + 1;
    else high = mid;
  }
  return low;
}
