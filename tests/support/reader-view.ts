/**
 * CaptureReader.nextView() (packets read in place) checked against next(): the helpers the reader
 * tests share (app/pcap/reader-view.test.ts on crafted files, tests/pcap-reader-view.test.ts
 * against tshark and on the corpus).
 */
import * as assert from 'node:assert/strict';
import { pcapHeader, pcapRecord, sampleFrame } from '../../app/pcap/craft';
import { CaptureReader } from '../../app/pcap/reader';

export interface Seen {
  tsNs: bigint;
  capLen: number;
  origLen: number;
  linkType: number;
  interfaceId: number;
  flags: number;
  hex: string;
}

export function withNext(reader: CaptureReader): { packets: Seen[]; error: string | null } {
  const packets: Seen[] = [];
  for (let p = reader.next(); p !== null; p = reader.next()) {
    const { tsNs, capLen, origLen, linkType, interfaceId, flags } = p;
    packets.push({ tsNs, capLen, origLen, linkType, interfaceId, flags, hex: p.data.toString('hex') });
  }
  return { packets, error: reader.error?.message ?? null };
}

export function withView(reader: CaptureReader): { packets: Seen[]; error: string | null } {
  const packets: Seen[] = [];
  for (let v = reader.nextView(); v !== null; v = reader.nextView()) {
    assert.ok(v.tsSec < 0 || (v.tsNsec >= 0 && v.tsNsec < 1e9), `nanoseconds out of range: ${v.tsSec}.${v.tsNsec}`);
    packets.push({
      tsNs: BigInt(v.tsSec) * 1_000_000_000n + BigInt(v.tsNsec),
      capLen: v.capLen,
      origLen: v.origLen,
      linkType: v.linkType,
      interfaceId: v.interfaceId,
      flags: v.flags,
      hex: v.buf.toString('hex', v.start, v.start + v.capLen),
    });
  }
  return { packets, error: reader.error?.message ?? null };
}

/** Reads `file` with next() and with nextView() and asserts the same packets and error. */
export function assertSameAsNext(file: string): { count: number; error: string | null } {
  const a = CaptureReader.open(file);
  const b = CaptureReader.open(file);
  try {
    const expected = withNext(a);
    assert.deepEqual(withView(b), expected, file);
    return { count: expected.packets.length, error: expected.error };
  } finally {
    a.close();
    b.close();
  }
}

/** Records of many sizes, so that several straddle the reader's 1 MiB reads. */
export function manyRecords(le: boolean, nanosecond: boolean, count: number): Buffer[] {
  const parts = [pcapHeader(le, nanosecond, 1, 65535)];
  for (let i = 0; i < count; i++) {
    const size = 60 + ((i * 7919) % 1455);
    const frame = sampleFrame(i, size);
    const captured = i % 5 === 0 ? frame.subarray(0, Math.max(14, size - 40)) : frame;
    parts.push(pcapRecord(le, 1_700_000_000 + Math.floor(i / 100), (i * 104_729) % (nanosecond ? 1e9 : 1e6), captured, size));
  }
  return parts;
}
