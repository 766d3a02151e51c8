/** Bytes as the views show them: base64 in, ASCII / hex dump / raw hex out. */

/** Decodes the engine's base64 (no Node Buffer in the renderer). */
export function base64ToBytes(base64: string): Uint8Array {
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

function isPrintable(byte: number): boolean {
  return byte >= 0x20 && byte < 0x7f;
}

/**
 * Bytes as Wireshark's Follow Stream "ASCII": printable ASCII, newlines and tabs kept, every other
 * byte a dot ('\r' dropped before '\n' so CRLF reads as one line break).
 */
export function asciiText(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b === 0x0d && bytes[i + 1] === 0x0a) continue;
    out += isPrintable(b) || b === 0x0a || b === 0x09 ? String.fromCharCode(b) : '.';
  }
  return out;
}

function hex2(byte: number): string {
  return byte.toString(16).padStart(2, '0');
}

/**
 * A hex dump, 16 bytes a line: offset (8 hex digits, counted from `offset`), the bytes in two
 * groups of 8, then their ASCII (as `xxd`/Wireshark):
 * `00000000  47 45 54 20 2f 20 48 54  54 50 2f 31 2e 31 0d 0a  GET / HTTP/1.1..`
 */
export function hexDump(bytes: Uint8Array, offset = 0): string {
  const lines: string[] = [];
  for (let start = 0; start < bytes.length; start += 16) {
    const line = bytes.subarray(start, Math.min(start + 16, bytes.length));
    let hex = '';
    let ascii = '';
    for (let i = 0; i < 16; i++) {
      if (i === 8) hex += ' ';
      if (i < line.length) {
        hex += `${hex2(line[i]!)} `;
        ascii += isPrintable(line[i]!) ? String.fromCharCode(line[i]!) : '.';
      } else hex += '   ';
    }
    lines.push(`${(offset + start).toString(16).padStart(8, '0')}  ${hex} ${ascii}`);
  }
  return lines.join('\n');
}

/** Bytes as one run of hex digits, wrapped every `perLine` bytes (Wireshark's "Raw"). */
export function rawHex(bytes: Uint8Array, perLine = 32): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) {
    if (i > 0 && i % perLine === 0) out += '\n';
    out += hex2(bytes[i]!);
  }
  return out;
}

/** Joins byte arrays into one. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
