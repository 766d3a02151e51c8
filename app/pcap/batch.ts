/**
 * Walking a native capture batch without allocating per packet, for printing live packets.
 *
 * Time stamps are passed as two unsigned 32-bit halves of the nanosecond count (pcapng's own
 * layout): a BigInt per packet costs more than the rest of the walk. Join them with
 * tsNsFromParts() when needed, or use tsMsFromParts() for a Date.
 */

const BT_EPB = 6;
const EPB_FLAGS = 2;

/** (tsHigh, tsLow): nanoseconds = tsHigh * 2^32 + tsLow. dataOffset indexes the batch. */
export type EpbVisitor = (tsHigh: number, tsLow: number, capLen: number, origLen: number, flags: number, dataOffset: number) => void;

/** (tsSec, tsNsec): seconds and nanoseconds. dataOffset indexes the batch. */
export type PcapRecordVisitor = (tsSec: number, tsNsec: number, capLen: number, origLen: number, dataOffset: number) => void;

/**
 * Calls `visit` for every Enhanced Packet Block of a little-endian batch (other block types are
 * skipped). Stops at the first block whose length is impossible; returns the byte offset where the
 * walk ended, which equals batch.length for a well-formed batch.
 */
export function forEachEpb(batch: Buffer, visit: EpbVisitor): number {
  const end = batch.length;
  let p = 0;
  while (end - p >= 12) {
    const type = batch.readUInt32LE(p);
    const length = batch.readUInt32LE(p + 4);
    if (length < 12 || (length & 3) !== 0 || length > end - p) break;
    if (type === BT_EPB && length >= 32) {
      const capLen = batch.readUInt32LE(p + 20);
      const dataOffset = p + 28;
      const blockEnd = p + length - 4;
      if (capLen > blockEnd - dataOffset) break;
      let flags = 0;
      let o = dataOffset + ((capLen + 3) & ~3);
      while (blockEnd - o >= 4) {
        const code = batch.readUInt16LE(o);
        const optLen = batch.readUInt16LE(o + 2);
        if (code === 0) break;
        if (code === EPB_FLAGS && optLen === 4 && blockEnd - o >= 8) {
          flags = batch.readUInt32LE(o + 4);
          break;
        }
        o += 4 + ((optLen + 3) & ~3);
      }
      visit(batch.readUInt32LE(p + 12), batch.readUInt32LE(p + 16), capLen, batch.readUInt32LE(p + 24), flags, dataOffset);
    }
    p += length;
  }
  return p;
}

/**
 * Calls `visit` for every record of a batch of little-endian nanosecond pcap records. Returns the
 * offset where the walk ended (batch.length when well-formed; less when the last record is cut).
 */
export function forEachPcapRecord(batch: Buffer, visit: PcapRecordVisitor): number {
  const end = batch.length;
  let p = 0;
  while (end - p >= 16) {
    const capLen = batch.readUInt32LE(p + 8);
    if (capLen > end - p - 16) break;
    visit(batch.readUInt32LE(p), batch.readUInt32LE(p + 4), capLen, batch.readUInt32LE(p + 12), p + 16);
    p += 16 + capLen;
  }
  return p;
}

/** Joins the two halves handed to an EpbVisitor into nanoseconds. */
export function tsNsFromParts(tsHigh: number, tsLow: number): bigint {
  return tsHigh < 0x200000 ? BigInt(tsHigh * 4294967296 + tsLow) : (BigInt(tsHigh) << 32n) | BigInt(tsLow);
}

/** Milliseconds since the epoch (for a Date) from the two halves, without a BigInt. */
export function tsMsFromParts(tsHigh: number, tsLow: number): number {
  return Math.floor((tsHigh * 4294967296 + tsLow) / 1e6);
}
