/**
 * Redis's RESP (TCP 6379) as tcpdump 4.99's print-resp.c prints it: `: RESP "SET" "key" "value"`
 * — every element of every command or reply in the segment (pipelined ones too): simple strings,
 * errors and integers as their text, bulk strings as their bytes, arrays element by element,
 * ` null`, ` empty`, ` invalid`, ` length too large`, ` length negative and not -1`, and inline
 * commands up to their line end. Whatever runs past the segment or the capture ends the line with
 * ` [|resp]`, as tcpdump gives up on it.
 */
import { PrintContext } from './context';
import { printableChar } from './hexdump';

/** A parse that ran out of bytes (tcpdump's `goto trunc`, returning -1 up to resp_print). */
class RespTruncated extends Error {}

export function respPrint(ctx: PrintContext, bp: number, length: number): void {
  ctx.protocol = 'resp';
  ctx.print(': RESP');
  try {
    while (length > 0) {
      const n = parse(ctx, bp, length);
      bp += n;
      length -= n;
    }
  } catch (err) {
    if (!(err instanceof RespTruncated)) throw err;
    ctx.printTrunc();
  }
}

/** RESP_PRINT_SEGMENT: ` "text"`, the bytes through fn_print_char; cut by the capture: truncated. */
function segment(ctx: PrintContext, p: number, len: number): void {
  ctx.print(' "');
  for (let i = 0; i < len; i++) {
    if (!ctx.has(p + i, 1)) throw new RespTruncated();
    ctx.print(printableChar(ctx.data[p + i]!));
  }
  ctx.print('"');
}

function parse(ctx: PrintContext, bp: number, length: number): number {
  if (length < 1) throw new RespTruncated();
  switch (ctx.u8(bp)) {
    case 0x2b: // '+'
    case 0x2d: // '-'
    case 0x3a: // ':'
      return stringErrorInteger(ctx, bp, length);
    case 0x24: // '$'
      return bulkString(ctx, bp, length);
    case 0x2a: // '*'
      return array(ctx, bp, length);
    default:
      return inline(ctx, bp, length);
  }
}

/** FIND_CRLF from p: the offset of the CR of the next CRLF. */
function findCrlf(ctx: PrintContext, p: number, len: number): number {
  for (;;) {
    if (len < 2) throw new RespTruncated();
    ctx.check(p, 2);
    if (ctx.data[p] === 0x0d && ctx.data[p + 1] === 0x0a) return p;
    p++;
    len--;
  }
}

function stringErrorInteger(ctx: PrintContext, bp: number, length: number): number {
  const start = bp + 1;
  const crlf = findCrlf(ctx, start, length - 1);
  const len = crlf - start;
  segment(ctx, start, len);
  return 1 + len + 2;
}

/**
 * resp_get_length: the length after an opcode and the offset after its CRLF; -1 null, -2 cut
 * short, -3 too large, -4 negative and not -1, -5 invalid (with the offset where it stopped).
 */
function getLength(ctx: PrintContext, bp: number, len: number): { value: number; end: number } {
  if (len === 0) return { value: -2, end: bp };
  let tooLarge = false;
  let neg = false;
  if (ctx.u8(bp) === 0x2d) {
    neg = true;
    bp++;
    len--;
  }
  let result = 0;
  let sawDigit = false;
  for (;;) {
    if (len === 0) return { value: -2, end: bp };
    const c = ctx.u8(bp);
    if (!(c >= 0x30 && c <= 0x39)) {
      if (!sawDigit) return { value: -5, end: bp + 1 };
      break;
    }
    const d = c - 0x30;
    if (result > Math.floor(0x7fffffff / 10)) tooLarge = true;
    else {
      result *= 10;
      if (result > 0x7fffffff - d) tooLarge = true;
      else result += d;
    }
    bp++;
    len--;
    sawDigit = true;
  }
  if (ctx.u8(bp) !== 0x0d) return { value: -5, end: bp + 1 };
  bp++;
  len--;
  if (len === 0) return { value: -2, end: bp };
  if (ctx.u8(bp) !== 0x0a) return { value: -5, end: bp + 1 };
  bp++;
  if (neg) return { value: tooLarge || result !== 1 ? -4 : -1, end: bp };
  return { value: tooLarge ? -3 : result, end: bp };
}

function lengthProblem(ctx: PrintContext, value: number): void {
  if (value === -1) ctx.print(' null');
  else if (value === -2) throw new RespTruncated();
  else if (value === -3) ctx.print(' length too large');
  else if (value === -4) ctx.print(' length negative and not -1');
  else ctx.print(' invalid');
}

function bulkString(ctx: PrintContext, bp: number, length: number): number {
  let cur = length - 1;
  let p = bp + 1;
  const { value, end } = getLength(ctx, p, cur);
  cur -= end - p;
  p = end;
  if (value >= 0) {
    if (value === 0) ctx.print(' empty');
    else {
      if (cur < value) throw new RespTruncated();
      ctx.check(p, value);
      segment(ctx, p, value);
      p += value;
      cur -= value;
    }
    const crlf = findCrlf(ctx, p, cur);
    cur -= crlf - p;
    cur -= 2;
  } else lengthProblem(ctx, value);
  return length - cur;
}

function array(ctx: PrintContext, bp: number, length: number): number {
  // length_cur is unsigned here in tcpdump; the counts below never take it under 0.
  let cur = length - 1;
  let p = bp + 1;
  const { value, end } = getLength(ctx, p, cur);
  cur -= end - p;
  p = end;
  if (value > 0) {
    for (let i = 0; i < value; i++) {
      const n = parse(ctx, p, cur);
      p += n;
      cur -= n;
    }
  } else if (value === 0) ctx.print(' empty');
  else lengthProblem(ctx, value);
  return length - cur;
}

/** CONSUME_CR_OR_LF: past any CRs and LFs; out of bytes before one was seen: truncated. */
function consumeCrOrLf(ctx: PrintContext, p: number, len: number): { p: number; len: number } {
  let found = false;
  for (;;) {
    if (len === 0 || !ctx.has(p, 1)) {
      if (found) break;
      throw new RespTruncated();
    }
    const c = ctx.data[p]!;
    if (c !== 0x0d && c !== 0x0a) break;
    found = true;
    p++;
    len--;
  }
  return { p, len };
}

function inline(ctx: PrintContext, bp: number, length: number): number {
  // Leading line ends first (as tcpdump: one must be there, or the bytes run out).
  let { p, len } = consumeCrOrLf(ctx, bp, length);
  let q = p;
  for (;;) {
    if (len < 1) throw new RespTruncated();
    const c = ctx.u8(q);
    if (c === 0x0d || c === 0x0a) break;
    q++;
    len--;
  }
  segment(ctx, p, q - p);
  ({ len } = consumeCrOrLf(ctx, q, len));
  return length - len;
}
