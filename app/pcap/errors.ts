/**
 * Errors raised by the capture-file readers and writers.
 *
 * Readers never throw on bad file contents: they stop and keep a CaptureFileError in
 * `reader.error`, saying where (byte offset in the decompressed stream) and what went wrong.
 */
export class CaptureFileError extends Error {
  /** Byte offset (in the uncompressed capture stream) of the header or block that is damaged. */
  readonly offset: number;
  /** File the error is about, when known. */
  readonly path: string | undefined;

  constructor(offset: number, message: string, path?: string) {
    super(path === undefined ? message : `${path}: ${message}`);
    this.name = 'CaptureFileError';
    this.offset = offset;
    this.path = path;
  }
}

/** Formats a byte offset both ways, as people compare it with hex dumps and with sizes. */
export function describeOffset(offset: number): string {
  return `byte ${offset} (0x${offset.toString(16)})`;
}
