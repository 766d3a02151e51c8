/**
 * tshark's -x: each packet's bytes in hex and ASCII (epan/print.c's print_hex_data), after its tree
 * with -V. A frame with reassembled data (TCP segments put together) has more than one data
 * source: each is printed under its name, the frame's first.
 */
import type { DissectedPacket } from '../../dissect/model';
import { HEX_DIGITS } from '../../dissect/format';
import { ByteOut } from '../byte-out';

/** Names of the reassembled buffers, by the layer that holds them. */
const SOURCE_NAMES: Readonly<Record<string, string>> = { 'tcp.segments': 'Reassembled TCP' };

export function packetHexDump(packet: DissectedPacket, frame: Buffer): string {
  const sources: Array<{ name: string; bytes: Buffer }> = [{ name: 'Frame', bytes: frame }];
  for (const layer of packet.layers) {
    if (layer.data && !sources.some((s) => s.bytes === layer.data)) sources.push({ name: layer.sourceName ?? SOURCE_NAMES[layer.protocol] ?? 'Reassembled data', bytes: layer.data });
    for (const extra of layer.sources ?? []) if (!sources.some((s) => s.bytes === extra.data)) sources.push({ name: extra.name, bytes: extra.data });
  }
  const lines: string[] = [];
  for (const { name, bytes } of sources) {
    if (sources.length > 1) lines.push(`${name} (${bytes.length} byte${bytes.length === 1 ? '' : 's'}):`);
    if (bytes.length === 0) break;
    lines.push(hexDump(bytes));
  }
  return lines.join('\n');
}

/**
 * print_hex_data_buffer: offset (4 digits or more), 16 bytes in hex, the same bytes as ASCII; the
 * lines joined by newlines (none after the last). Written into one buffer: a reassembled body of
 * hundreds of kilobytes is thousands of lines.
 */
export function hexDump(bytes: Buffer): string {
  if (bytes.length === 0) return '';
  const out = new ByteOut(hexDumpSize(bytes.length));
  writeHexDump(out, bytes);
  return out.buf.toString('latin1', 0, out.used);
}

/** The most bytes hexDump writes for n bytes. */
function hexDumpSize(n: number): number {
  return Math.ceil(n / 16) * (offsetDigits(n) + 2 + 48 + 2 + 16 + 1);
}

function offsetDigits(n: number): number {
  const last = n - 1;
  return last >= 0x10000000 ? 8 : last >= 0x1000000 ? 7 : last >= 0x100000 ? 6 : last >= 0x10000 ? 5 : 4;
}

/** hexDump's text written straight into `target` (a -V tree's output: no string made and copied again). */
export function writeHexDump(target: ByteOut, bytes: Buffer): void {
  const n = bytes.length;
  if (n === 0) return;
  const digits = offsetDigits(n);
  target.ensure(hexDumpSize(n));
  const out = target.buf;
  let j = target.used;
  for (let at = 0; at < n; at += 16) {
    if (at > 0) out[j++] = 0x0a;
    for (let d = digits - 1; d >= 0; d--) out[j++] = HEX_DIGITS[Math.floor(at / 16 ** d) % 16]!;
    out[j++] = 0x20;
    out[j++] = 0x20;
    const end = Math.min(at + 16, n);
    for (let i = at; i < at + 16; i++) {
      if (i < end) {
        const b = bytes[i]!;
        out[j++] = HEX_DIGITS[b >> 4]!;
        out[j++] = HEX_DIGITS[b & 15]!;
      } else {
        out[j++] = 0x20;
        out[j++] = 0x20;
      }
      out[j++] = 0x20;
    }
    out[j++] = 0x20;
    out[j++] = 0x20;
    for (let i = at; i < end; i++) {
      const b = bytes[i]!;
      out[j++] = b >= 0x20 && b < 0x7f ? b : 0x2e;
    }
  }
  target.used = j;
}
