/** pcapng options: a list of (code u16, length u16, value padded to 4 bytes), ended by opt_endofopt. */
import { CaptureFileError, describeOffset } from './errors';

export const OPT_ENDOFOPT = 0;
export const OPT_COMMENT = 1;

/**
 * Calls `onOption(code, valueStart, valueLength)` for each option in buf[start, end). Throws a
 * CaptureFileError when an option runs past the end of its block (`blockAt` is the block's file
 * offset, for the message). A tail shorter than an option header is ignored, as Wireshark does.
 */
export function forEachOption(
  buf: Buffer,
  start: number,
  end: number,
  littleEndian: boolean,
  blockAt: number,
  blockName: string,
  onOption: (code: number, valueStart: number, valueLength: number) => void,
): void {
  let p = start;
  while (end - p >= 4) {
    const code = littleEndian ? buf.readUInt16LE(p) : buf.readUInt16BE(p);
    const length = littleEndian ? buf.readUInt16LE(p + 2) : buf.readUInt16BE(p + 2);
    if (code === OPT_ENDOFOPT) return;
    const padded = (length + 3) & ~3;
    if (padded > end - p - 4) {
      throw new CaptureFileError(
        blockAt,
        `${blockName} at ${describeOffset(blockAt)} has an option (code ${code}) of length ${length} that runs past the end of the block (${end - p - 4} bytes left)`,
      );
    }
    onOption(code, p + 4, length);
    p += 4 + padded;
  }
}

/** UTF-8 option value, without the NUL terminators some writers add. */
export function optionString(buf: Buffer, start: number, length: number): string {
  let end = start + length;
  while (end > start && buf[end - 1] === 0) end--;
  return buf.toString('utf8', start, end);
}
