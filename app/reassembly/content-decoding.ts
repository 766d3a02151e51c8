/**
 * Content-Encoding (gzip, deflate, br) undone for display and export, with node:zlib. Output is
 * bounded so that a compression bomb costs at most `maxBytes` of memory.
 */
import * as zlib from 'node:zlib';

export type DecodedContent = { data: Buffer; error: null } | { data: null; error: string };

const DEFAULT_MAX = 64 << 20;

/**
 * Undoes a Content-Encoding list ('gzip', 'br', 'deflate, gzip' …), last coding first. 'identity'
 * and an empty list return the body unchanged; an unknown coding or damaged data is an error that
 * names it.
 */
export function decodeContent(body: Buffer, contentEncoding: string | null, maxBytes = DEFAULT_MAX): DecodedContent {
  const codings = (contentEncoding ?? '')
    .split(',')
    .map((c) => c.trim().toLowerCase())
    .filter((c) => c && c !== 'identity');
  let data = body;
  for (const coding of codings.reverse()) {
    const opts = { maxOutputLength: maxBytes, finishFlush: zlib.constants.Z_SYNC_FLUSH };
    try {
      if (coding === 'gzip' || coding === 'x-gzip') data = zlib.gunzipSync(data, opts);
      else if (coding === 'br') data = zlib.brotliDecompressSync(data, { maxOutputLength: maxBytes });
      else if (coding === 'deflate') data = inflateEitherWay(data, opts);
      else return { data: null, error: `content coding '${coding}' is not supported (gzip, deflate and br are)` };
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      const what = e.code === 'ERR_BUFFER_TOO_LARGE' ? `decodes to more than ${maxBytes} bytes` : e.message;
      return { data: null, error: `${coding} body cannot be decoded: ${what}` };
    }
  }
  return { data, error: null };
}

/** 'deflate' should be zlib-wrapped (RFC 9110 §8.4.1.2), but servers also send raw deflate. */
function inflateEitherWay(data: Buffer, opts: zlib.ZlibOptions): Buffer {
  try {
    return zlib.inflateSync(data, opts);
  } catch {
    return zlib.inflateRawSync(data, opts);
  }
}
