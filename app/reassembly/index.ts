/**
 * Reassembly of a capture file: every frame dissected (for tcp.stream as tshark numbers it), TCP
 * segments reassembled per direction, HTTP/1.x transactions parsed from the streams.
 *
 *   const { transactions, limitHits } = analyzeHttpCapture('trace.pcapng');
 */
import { CaptureReader } from '../pcap/reader';
import { HttpTransactionTracker, type HttpTransaction } from './http';
import type { HttpParserOptions } from './http-parser';
import { SegmentExtractor } from './segment-extractor';
import { TcpReassembler, type LimitHit, type ReassemblyLimits, type ReassemblyStats } from './tcp-stream';

export * from './http';
export * from './http-parser';
export * from './tcp-segment';
export * from './tcp-stream';
export { SegmentExtractor } from './segment-extractor';
export { decodeContent, type DecodedContent } from './content-decoding';

export interface HttpCaptureAnalysis {
  transactions: HttpTransaction[];
  /** Times a reassembly memory bound was hit (data skipped to stay within it). */
  limitHits: LimitHit[];
  stats: ReassemblyStats;
  frames: number;
  /** Set when the file is damaged: everything before the damage was analysed. */
  readError: string | null;
}

export interface HttpCaptureOptions extends HttpParserOptions {
  limits?: Partial<ReassemblyLimits>;
  /** false: take every frame through the full dissector (slow; the fast path's reference). */
  fastSegments?: boolean;
}

export function analyzeHttpCapture(path: string, options: HttpCaptureOptions = {}): HttpCaptureAnalysis {
  const reader = CaptureReader.open(path);
  try {
    const { limits, fastSegments, ...parserOptions } = options;
    const http = new HttpTransactionTracker(parserOptions);
    const tcp = new TcpReassembler(http, limits);
    const segments = new SegmentExtractor(fastSegments ?? true);
    let frames = 0;
    let lastTs = 0n;
    for (let p = reader.next(); p !== null; p = reader.next()) {
      frames++;
      lastTs = p.tsNs;
      const seg = segments.segmentOf({ number: frames, tsNs: p.tsNs, data: p.data, origLen: p.origLen, linkType: p.linkType, flags: p.flags });
      if (seg) tcp.add(seg);
    }
    tcp.finish(frames, lastTs);
    return { transactions: http.transactions(), limitHits: tcp.limitHits, stats: tcp.stats, frames, readError: reader.error?.message ?? null };
  } finally {
    reader.close();
  }
}
