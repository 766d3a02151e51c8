/**
 * Export Specified Packets' range, as Wireshark writes it: frame numbers and ranges separated by
 * commas ('1-10,15,20-': an open end runs to the last frame, an open start from the first).
 */

export type FrameRanges = Array<{ first: number; last: number }>;

/** The ranges `text` names within 1..frames, or the sentence saying what is wrong. */
export function parseFrameRanges(text: string, frames: number): { ranges: FrameRanges } | { error: string } {
  const parts = text.split(',').map((p) => p.trim()).filter((p) => p !== '');
  if (parts.length === 0) return { error: 'Type packet numbers or ranges, such as 1-10,15,20-' };
  const ranges: FrameRanges = [];
  for (const part of parts) {
    const m = /^(\d*)\s*(-?)\s*(\d*)$/.exec(part);
    if (!m || (m[1] === '' && m[3] === '') || (m[2] === '' && m[3] !== '')) return { error: `“${part}” is not a packet number or a range (such as 5, 1-10, 20-)` };
    const first = m[1] === '' ? 1 : Number(m[1]);
    const last = m[2] === '' ? first : m[3] === '' ? frames : Number(m[3]);
    if (first < 1 || last < first) return { error: `“${part}”: a range goes from a packet to a later one, from 1` };
    if (first > frames) return { error: `“${part}”: the capture has ${frames} packets` };
    ranges.push({ first, last: Math.min(last, frames) });
  }
  return { ranges };
}
