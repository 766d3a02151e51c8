/**
 * tshark 4.0's number formatting for the conversation and endpoint tables: printf's `%f` (with its
 * round-half-to-even on exact ties, which JavaScript's toFixed does not do), `format_size` ("882 kB",
 * "8704 bytes") and nstime_to_sec.
 */

/** printf('%*.*f'): `digits` decimals, right-aligned in `width` columns. */
export function printfFixed(x: number, digits: number, width = 0): string {
  return fixed(x, digits).padStart(width, ' ');
}

function fixed(x: number, digits: number): string {
  const plain = x.toFixed(digits);
  // toFixed rounds an exact tie away from zero; glibc rounds it to even. A tie is only possible
  // when the binary value's decimal expansion is exactly …5000…, which toFixed(100) shows in full.
  const full = Math.abs(x).toFixed(100);
  const dot = full.indexOf('.');
  if (!/^50*$/.test(full.slice(dot + 1 + digits))) return plain;
  const truncated = digits === 0 ? full.slice(0, dot) : full.slice(0, dot + 1 + digits);
  if (Number(truncated[truncated.length - 1]) % 2 !== 0) return plain;
  return (x < 0 ? '-' : '') + truncated;
}

/** Wireshark's nstime_to_sec: seconds and nanoseconds added as doubles (the rounding matters). */
export function nsToSeconds(ns: bigint): number {
  const secs = ns / 1_000_000_000n;
  const nsecs = ns % 1_000_000_000n;
  return Number(secs) + Number(nsecs) / 1e9;
}

/**
 * Wireshark's format_size(size, FORMAT_SIZE_UNIT_BYTES, 0) in the C locale: SI prefixes by
 * integer division once the value reaches ten of the unit ("10 kB" from 10,000), "bytes" below.
 */
export function formatSize(size: number): string {
  const big = BigInt(size);
  const prefixes: Array<[bigint, string]> = [
    [1000n ** 4n, ' TB'],
    [1000n ** 3n, ' GB'],
    [1000n ** 2n, ' MB'],
    [1000n, ' kB'],
  ];
  for (const [power, unit] of prefixes) {
    if (big / power >= 10n) return `${big / power}${unit}`;
  }
  return `${size} bytes`;
}

/** printf('%-Ns'): left-aligned, never cut. */
export const padRight = (text: string, width: number): string => text.padEnd(width, ' ');
/** printf('%Nd') / '%Ns': right-aligned, never cut. */
export const padLeft = (text: string | number, width: number): string => String(text).padStart(width, ' ');

export const RULE = '='.repeat(80);
