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
  parts: Array<FragmentPart & { bytes: Buffer }>;
  /** Total length once the last fragment (MF=0) is known, else -1. */
  total: number;
}

/** Bounds on memory: a datagram may not exceed 64 KiB + header slack; old datagrams are dropped. */
const MAX_DATAGRAM = 65_535 + 8;
const MAX_PENDING = 4096;

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
      datagram = { parts: [], total: -1 };
      this.pending.set(key, datagram);
    }
    datagram.parts.push({ frame, offset, length: bytes.length, bytes: Buffer.from(bytes) });
    if (!more) datagram.total = offset + bytes.length;
    if (datagram.total < 0) return null;

    const sorted = [...datagram.parts].sort((a, b) => a.offset - b.offset || a.frame - b.frame);
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
