/**
 * tcpdump's raw-data dumps (print-ascii.c): what it prints for payloads it has no printer for.
 * Both print at most what was captured and then report truncation by throwing, as tcpdump does.
 */
import { PrintContext, Truncated, hex } from './context';

const isGraph = (c: number): boolean => c > 0x20 && c < 0x7f;

/** hex_and_ascii_print: `\n\t0x0000:  4500 0054 ...  E..T` lines (tcpdump's default_print). */
export function hexAndAsciiPrint(ctx: PrintContext, indent: string, offset: number, length: number): void {
  const available = ctx.available(offset);
  const truncated = length > available;
  const count = truncated ? available : length;
  for (let line = 0; line < count; line += 16) {
    const end = Math.min(line + 16, count);
    let hexText = '';
    let ascii = '';
    for (let i = line; i < end; i += 2) {
      const a = ctx.data[offset + i]!;
      if (i + 1 < end) {
        const b = ctx.data[offset + i + 1]!;
        hexText += ` ${hex(a, 2)}${hex(b, 2)}`;
        ascii += (isGraph(a) ? String.fromCharCode(a) : '.') + (isGraph(b) ? String.fromCharCode(b) : '.');
      } else {
        hexText += ` ${hex(a, 2)}`;
        ascii += isGraph(a) ? String.fromCharCode(a) : '.';
      }
    }
    ctx.print(`${indent}0x${hex(line, 4)}: ${hexText.padEnd(40)}  ${ascii}`);
  }
  if (truncated) throw new Truncated();
}

/** hex_print: `\n\t0x0000:  4500 0054 ...` lines without the ASCII column (print_unknown_data). */
export function hexPrint(ctx: PrintContext, indent: string, offset: number, length: number): void {
  const available = ctx.available(offset);
  const truncated = length > available;
  const count = truncated ? available : length;
  let i = 0;
  for (; i + 1 < count; i += 2) {
    if (i % 16 === 0) ctx.print(`${indent}0x${hex(i, 4)}: `);
    ctx.print(` ${hex(ctx.data[offset + i]!, 2)}${hex(ctx.data[offset + i + 1]!, 2)}`);
  }
  if (count & 1) {
    if (i % 16 === 0) ctx.print(`${indent}0x${hex(i, 4)}: `);
    ctx.print(` ${hex(ctx.data[offset + i]!, 2)}`);
  }
  if (truncated) throw new Truncated();
}

/** fn_print_char: printable ASCII as is, others as `M-` / `^` escapes. */
export function printableChar(c: number): string {
  let prefix = '';
  if (c >= 0x80) {
    c &= 0x7f;
    prefix = 'M-';
  }
  if (c < 0x20 || c === 0x7f) {
    c ^= 0x40;
    prefix += '^';
  }
  return prefix + String.fromCharCode(c);
}

/**
 * ascii_print (-A): a new line, then the bytes as text: printable ASCII, tab, space and newline as
 * they are, anything else as `.`; a CR is left out before a newline and as the last or next to
 * last byte (tcpdump's rule for CRLF line ends), else printed as `.`.
 */
export function asciiPrint(ctx: PrintContext, offset: number, length: number): void {
  const available = ctx.available(offset);
  const truncated = length > available;
  let left = truncated ? available : length;
  const data = ctx.data;
  let text = '\n';
  let p = offset;
  while (left > 0) {
    const s = data[p++]!;
    left--;
    if (s === 0x0d) {
      if (left > 1 && data[p] !== 0x0a) text += '.';
    } else if (isGraph(s) || s === 0x09 || s === 0x20 || s === 0x0a) text += String.fromCharCode(s);
    else text += '.';
  }
  ctx.print(text);
  if (truncated) throw new Truncated();
}
