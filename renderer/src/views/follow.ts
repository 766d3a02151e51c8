/**
 * Follow Stream's text: the stream's chunks decoded once, shown as ASCII, a hex dump or raw hex,
 * one or both directions, with the Find box's matches split out for highlighting.
 */
import { asciiText, base64ToBytes, concatBytes, hexDump, rawHex } from './bytes';

export type Side = 'client' | 'server';
export type FollowMode = 'ascii' | 'hex' | 'raw';
export type Direction = 'both' | Side;

export interface DecodedChunk {
  from: Side;
  frame: number;
  bytes: Uint8Array;
  /** Bytes this side sent before this chunk (the hex dump's offsets count per side, as Wireshark's). */
  sideOffset: number;
}

export function decodeChunks(chunks: readonly { from: Side; frame: number; data: string }[]): DecodedChunk[] {
  const offsets: Record<Side, number> = { client: 0, server: 0 };
  return chunks.map((c) => {
    const bytes = base64ToBytes(c.data);
    const chunk = { from: c.from, frame: c.frame, bytes, sideOffset: offsets[c.from] };
    offsets[c.from] += bytes.length;
    return chunk;
  });
}

export interface ShownChunk {
  from: Side;
  frame: number;
  text: string;
}

/** The chunks of the chosen direction(s) as text in the chosen mode. */
export function chunkTexts(chunks: readonly DecodedChunk[], mode: FollowMode, direction: Direction): ShownChunk[] {
  return chunks
    .filter((c) => direction === 'both' || c.from === direction)
    .map((c) => ({
      from: c.from,
      frame: c.frame,
      text: mode === 'ascii' ? asciiText(c.bytes) : mode === 'hex' ? hexDump(c.bytes, c.sideOffset) : rawHex(c.bytes),
    }));
}

/** What "Save as…" writes: the shown text (ASCII, hex dump), or the bytes themselves for Raw. */
export function savedContent(chunks: readonly DecodedChunk[], mode: FollowMode, direction: Direction): { data: string | Uint8Array; type: string; extension: string } {
  if (mode === 'raw') {
    const bytes = concatBytes(chunks.filter((c) => direction === 'both' || c.from === direction).map((c) => c.bytes));
    return { data: bytes, type: 'application/octet-stream', extension: 'bin' };
  }
  const texts = chunkTexts(chunks, mode, direction).map((c) => c.text);
  // ASCII chunks are the stream's own text: joined as sent. Hex dumps are blocks: a line each.
  return { data: mode === 'ascii' ? texts.join('') : texts.join('\n') + '\n', type: 'text/plain;charset=utf-8', extension: 'txt' };
}

export interface Segment {
  text: string;
  /** Index of the match this segment is (0-based, across all chunks), or -1 when it is not one. */
  match: number;
}

/**
 * Splits each chunk's text into plain and matching segments for `query` (case-insensitive; a match
 * does not span two chunks). Returns the segments per chunk and the number of matches.
 */
export function findSegments(texts: readonly string[], query: string): { segments: Segment[][]; matches: number } {
  let matches = 0;
  if (!query) return { segments: texts.map((text) => [{ text, match: -1 }]), matches };
  const needle = query.toLowerCase();
  const segments = texts.map((text) => {
    const lower = text.toLowerCase();
    const parts: Segment[] = [];
    let at = 0;
    for (let found = lower.indexOf(needle); found >= 0; found = lower.indexOf(needle, found + needle.length)) {
      if (found > at) parts.push({ text: text.slice(at, found), match: -1 });
      parts.push({ text: text.slice(found, found + needle.length), match: matches++ });
      at = found + needle.length;
    }
    if (at < text.length || parts.length === 0) parts.push({ text: text.slice(at), match: -1 });
    return parts;
  });
  return { segments, matches };
}

/** The display filter that drops a stream's frames (Wireshark's "Filter Out This Stream"). */
export function filterOut(filter: string): string {
  return `!(${filter})`;
}

/**
 * Keeps the shown text within `maxChars` (a long stream as a hex dump is tens of megabytes of
 * text; the browser would crawl): the chunks up to the limit, the last one cut. `cut` says text was
 * left out (Save as… still writes all of it).
 */
export function limitChunks(chunks: readonly ShownChunk[], maxChars: number): { chunks: ShownChunk[]; cut: boolean } {
  const out: ShownChunk[] = [];
  let left = maxChars;
  for (const c of chunks) {
    if (left <= 0) return { chunks: out, cut: true };
    if (c.text.length > left) {
      out.push({ ...c, text: c.text.slice(0, left) });
      return { chunks: out, cut: true };
    }
    out.push(c);
    left -= c.text.length;
  }
  return { chunks: out, cut: false };
}

/** Bytes each side sent. */
export function sideBytes(chunks: readonly DecodedChunk[]): Record<Side, number> {
  const total: Record<Side, number> = { client: 0, server: 0 };
  for (const c of chunks) total[c.from] += c.bytes.length;
  return total;
}
