/** One seeded mutation of a real frame, for fuzz tests: flipped bits, extreme bytes, truncation, inserted bytes, extreme 16-bit length words. */
export function mutate(frame: Buffer, rnd: () => number): Buffer {
  const out = Buffer.from(frame);
  const kind = Math.floor(rnd() * 5);
  const at = (): number => Math.floor(rnd() * Math.max(1, out.length));
  if (kind === 0) for (let k = 0; k < 1 + rnd() * 4; k++) out[at()] ^= 1 << Math.floor(rnd() * 8);
  if (kind === 1) for (let k = 0; k < 1 + rnd() * 4; k++) out[at()] = [0, 0xff, 0x7f, 0x80, 1][Math.floor(rnd() * 5)]!;
  if (kind === 2) return out.subarray(0, at());
  if (kind === 3) {
    const p = at();
    return Buffer.concat([out.subarray(0, p), Buffer.from(Array.from({ length: 1 + Math.floor(rnd() * 16) }, () => Math.floor(rnd() * 256))), out.subarray(p)]);
  }
  if (kind === 4) {
    // Length fields are where dissectors go wrong: set a 16-bit word to an extreme.
    const p = at();
    if (p + 1 < out.length) out.writeUInt16BE([0, 0xffff, 0x8000, 1, out.length][Math.floor(rnd() * 5)]! & 0xffff, p);
  }
  return out;
}
