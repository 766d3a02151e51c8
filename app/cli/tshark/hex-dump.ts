/**
 * tshark's -x: each packet's bytes in hex and ASCII (epan/print.c's print_hex_data), after its tree
 * with -V. A frame with reassembled data (TCP segments put together) has more than one data
 * source: each is printed under its name, the frame's first.
 */
import type { DissectedPacket } from '../../dissect/model';

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
    lines.push(...hexLines(bytes));
  }
  return lines.join('\n');
}

/** print_hex_data_buffer: offset (4 digits or more), 16 bytes in hex, the same bytes as ASCII. */
export function hexLines(bytes: Buffer): string[] {
  const last = bytes.length - 1;
  const digits = last >= 0x10000000 ? 8 : last >= 0x1000000 ? 7 : last >= 0x100000 ? 6 : last >= 0x10000 ? 5 : 4;
  const lines: string[] = [];
  for (let at = 0; at < bytes.length; at += 16) {
    const row = bytes.subarray(at, Math.min(at + 16, bytes.length));
    let hex = '';
    let ascii = '';
    for (const b of row) {
      hex += b.toString(16).padStart(2, '0') + ' ';
      ascii += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.';
    }
    lines.push(`${at.toString(16).padStart(digits, '0')}  ${hex.padEnd(48)}  ${ascii}`);
  }
  return lines;
}
