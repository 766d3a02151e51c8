/**
 * Batches are what the native reader hands over: many packets back to back, each a little-endian
 * pcapng Enhanced Packet Block, or a pcap record with the time stamp's fraction in nanoseconds
 * ('pcap') or microseconds ('pcap-us') (see native.ts). These helpers walk record boundaries
 * only; they never copy packet bytes.
 */
export type RecordFormat = 'pcapng' | 'pcap' | 'pcap-us';

/** Nanoseconds in one unit of a pcap record's second field (ts_nsec or ts_usec). */
export function pcapFractionScale(format: RecordFormat): number {
  return format === 'pcap-us' ? 1000 : 1;
}

/** Byte length of the record at `offset` of a batch. */
export function recordLength(batch: Buffer, offset: number, format: RecordFormat): number {
  return format === 'pcapng' ? batch.readUInt32LE(offset + 4) : 16 + batch.readUInt32LE(offset + 8);
}

/** Byte length of the first `count` records of a batch (the whole batch if it holds fewer). */
export function batchPrefixLength(batch: Buffer, format: RecordFormat, count: number): number {
  let offset = 0;
  for (let k = 0; k < count && offset < batch.length; k++) offset += recordLength(batch, offset, format);
  return Math.min(offset, batch.length);
}
