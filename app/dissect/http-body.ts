/**
 * The layers an HTTP body gets from its Content-Type, as tshark 4.0's media-type table hands it on
 * (dissecting segment by segment, tcp.desegment_tcp_streams:FALSE): line-based text
 * (`data-text-lines`), `xml`, `json`, `urlencoded-form`, the image dissectors (`png`, `image-jfif`,
 * `image-gif`), `media` for any other type and `data` when there is no type, for
 * application/octet-stream, or for a binary continuation. Only the layer, its title and a few fields: what the protocol chain, the Protocol
 * and Info columns and `-V` show. A body cut by the segment while its declared length goes on
 * makes the image dissectors run out of bytes, which tshark reports as
 * "[BoundErrorUnreassembled Packet]" after the Info.
 */
import * as zlib from 'node:zlib';
import { LayerBuilder } from './builder';
import { bytesHex } from './format';
import type { Layer } from './model';
import { formatText, truncatedLabel } from './app-format';
import { addExpert } from './expert';
import { addJsonTree } from './json-tree';
import { addPngTree } from './png';
import { addJfifTree, jfifClaims } from './jfif';
import { addGifTree, gifVersion } from './gif';

/** Wireshark's packet-text-media.c registrations. */
const TEXT_LINES = new Set([
  'text/plain', 'text/richtext', 'text/enriched', 'text/parameters', 'text/html', 'text/xml-external-parsed-entity', 'text/css',
  'application/xml-external-parsed-entity', 'text/javascript', 'application/x-javascript', 'application/x-tia-p25-issi',
  'application/x-tia-p25-sndcp', 'application/x-ns-proxy-autoconfig', 'text/vnd.sun.j2me.app-descriptor',
  'application/vnd.poc.refer-to', 'application/vnd.drm.message', 'application/x-wms-logplaystats', 'application/x-rtsp-udp-packetpair',
]);
const XML = new Set(['text/xml', 'application/xml', 'application/soap+xml', 'application/xhtml+xml', 'image/svg+xml', 'application/atom+xml', 'application/rss+xml']);
const JSON_TYPES = new Set(['application/json', 'application/json-rpc', 'application/jsonrequest']);
const URLENCODED = 'application/x-www-form-urlencoded';
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const BOUND_ERROR = '[BoundErrorUnreassembled Packet]';
const MALFORMED = '[Malformed Packet]';

/**
 * The lines of a text body as tree items (Wireshark's "Line-based text data": each line with its
 * line end escaped; a label past 239 characters marked " [truncated]" and cut to 238).
 */
export function textLines(b: LayerBuilder, data: Buffer, start: number, stop: number): Layer {
  if (!b.wants('')) return b.layer;
  for (let at = start; at < stop;) {
    const next = nextLine(data, at, stop);
    b.add('', truncatedLabel(formatText(data.subarray(at, next))), null, at, next - at);
    at = next;
  }
  return b.layer;
}

export interface BodyResult {
  layers: Layer[];
  /** Appended to HTTP's Info. */
  info: string;
  /** Appended to the Protocol column after a slash (HTTP/JSON, HTTP/XML), if any. */
  column?: string;
  /**
   * The media type has a dissector in Wireshark that refused these bytes (an image that is not
   * one): HTTP notes "HTTP body subdissector failed" before the body goes to Media.
   */
  refused?: boolean;
}

/** Media types whose Wireshark dissectors check a signature and refuse other bytes. */
const SIGNED_IMAGES = new Set(['image/png', 'image/jpeg', 'image/jpg', 'image/jfif', 'image/gif']);
/** The media types file-jpeg.c registers. */
const JPEG_TYPES = new Set(['image/jpeg', 'image/jpg', 'image/jfif']);

/**
 * The layers of body bytes data[start, stop). `contentType` as the header gave it (undefined: no
 * Content-Type, or a continuation); `partial`: the declared length goes past `stop`.
 */
export function bodyLayers(data: Buffer, start: number, stop: number, contentType: string | undefined, partial: boolean, fields: ReadonlySet<string> | undefined): BodyResult {
  const layer = (protocol: string, title: string): LayerBuilder => new LayerBuilder(data, protocol, title, start, stop, fields);
  if (contentType === undefined || contentType.split(';')[0]!.trim().toLowerCase() === 'application/octet-stream') {
    const b = layer('data', `Data (${stop - start} bytes)`);
    if (b.wants('data.data')) {
      b.add('data.data', () => `Data: ${bytesHex(data, start, Math.min(stop - start, 36))}${stop - start > 36 ? '…' : ''}`, data.subarray(start, stop), start, stop - start, () => bytesHex(data, start, stop - start));
    }
    b.add('data.len', () => `[Length: ${stop - start}]`, stop - start, start, 0);
    // Without a Content-Type, HTTP hands the body to Data inside its own tree.
    if (contentType === undefined) b.layer.nested = true;
    return { layers: [b.layer], info: '' };
  }
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  const shown = contentType.split(';')[0]!.trim();
  if (TEXT_LINES.has(type)) {
    // packet-text-media.c: text of more than 38 bytes that starts "<?xml" goes to XML instead (the
    // protocol chain keeps data-text-lines, which adds no tree item; Info gets no media type).
    if (stop - start > 38 && data.toString('latin1', start, start + 5) === '<?xml') {
      return { layers: [layer('data-text-lines', '').layer, layer('xml', 'eXtensible Markup Language').layer], info: '', column: 'XML' };
    }
    const lines = countLines(data, start, stop);
    return { layers: [textLines(layer('data-text-lines', `Line-based text data: ${shown} (${lines} lines)`), data, start, stop)], info: ` (${shown})` };
  }
  if (XML.has(type)) return { layers: [layer('xml', 'eXtensible Markup Language').layer], info: '', column: 'XML' };
  if (JSON_TYPES.has(type)) {
    const jb = layer('json', `JavaScript Object Notation: ${shown}`);
    const json = jb.layer;
    // Objects and arrays get their tree; what follows that cannot be read (or a body that is not
    // an object or an array at all) shows as text lines after it, as tshark's JSON dissector does.
    const read = addJsonTree(jb, data, start, stop);
    const rest = read < 0 ? start : read;
    const layers = rest >= stop ? [json] : [json, textLines(layer('data-text-lines', `Line-based text data: ${shown} (${countLines(data, rest, stop)} lines)`), data, rest, stop)];
    return { layers, info: `, JavaScript Object Notation (${shown})`, column: 'JSON' };
  }
  if (type === URLENCODED) return { layers: [formItems(layer('urlencoded-form', `HTML Form URL Encoded: ${shown}`), data, start, stop)], info: ` (${shown})` };
  if (type === 'image/png' && startsWith(data, start, stop, PNG_SIGNATURE)) {
    const complete = pngChunksFit(data, start + PNG_SIGNATURE.length, stop);
    const png = layer('png', 'Portable Network Graphics');
    addPngTree(png, data, start, stop);
    // A chunk past the bytes: file-png.c's exception (a body cut by the segment is unreassembled, not malformed).
    if (!complete && !partial) png.layer.status = 'malformed';
    return { layers: [png.layer], info: ` (PNG)${complete ? '' : partial ? BOUND_ERROR : MALFORMED}` };
  }
  if (JPEG_TYPES.has(type) && jfifClaims(data, start, stop)) {
    const jpeg = layer('image-jfif', 'JPEG File Interchange Format');
    const complete = addJfifTree(jpeg, data, start, stop);
    if (!complete && !partial) jpeg.layer.status = 'malformed';
    return { layers: [jpeg.layer], info: ` (JPEG JFIF image)${complete ? '' : partial ? BOUND_ERROR : MALFORMED}` };
  }
  const gif = type === 'image/gif' ? gifVersion(data, start, stop) : null;
  if (gif !== null) {
    const image = layer('image-gif', `Compuserve GIF, Version: ${gif}`);
    const complete = addGifTree(image, data, start, stop, gif);
    if (!complete && !partial) image.layer.status = 'malformed';
    return { layers: [image.layer], info: ` (${gif})${complete ? '' : partial ? BOUND_ERROR : MALFORMED}` };
  }
  const b = layer('media', 'Media Type');
  if (b.wants('media.type')) b.add('media.type', () => `Media type: ${shown} (${stop - start} bytes)`, data.subarray(start, stop), start, stop - start, () => bytesHex(data, start, stop - start));
  return SIGNED_IMAGES.has(type) ? { layers: [b.layer], info: ` (${shown})`, refused: true } : { layers: [b.layer], info: ` (${shown})` };
}

/**
 * The items of a URL-encoded form as tshark 4.0's packet-http-urlencoded.c shows them: a key runs
 * to the next '=' (an '&' does not end it), its value to the next '&'; %XX and '+' decoded. Each
 * is a "Form item" with its Key and Value. A NUL byte or a bad % escape ends the list (where the
 * escape runs past the body tshark stops with an exception, not shown here).
 */
function formItems(b: LayerBuilder, data: Buffer, start: number, stop: number): Layer {
  if (!b.wantsAny('urlencoded-form.') && !b.wants('')) return b.layer;
  let at = start;
  while (at < stop) {
    const itemAt = at;
    const key = formText(data, at, stop, 0x3d);
    const valueAt = key === null ? stop : key.next + 1;
    const value = key === null ? null : valueAt >= stop ? { bytes: Buffer.alloc(0), next: valueAt } : formText(data, valueAt, stop, 0x26);
    let label = 'Form item';
    if (key !== null) label += `: "${formatText(key.bytes)}"`;
    if (value !== null) label += ` = "${formatText(value.bytes)}"`;
    const itemEnd = value === null ? itemAt : Math.min(value.next + 1, stop);
    b.group('', label, null, itemAt, itemEnd - itemAt, () => {
      if (key === null) return;
      const keyText = key.bytes.toString('utf8');
      b.add('urlencoded-form.key', () => `Key: ${keyText}`, keyText, itemAt, key.next - itemAt);
      if (value === null) return;
      const valueText = value.bytes.toString('utf8');
      b.add('urlencoded-form.value', () => `Value: ${valueText}`, valueText, valueAt, value.next - valueAt);
    });
    if (value === null) break;
    at = value.next + 1;
  }
  return b.layer;
}

/** Decoded text from data[at, stop) up to the byte `until` (or the end); null at a NUL byte or a bad % escape. */
function formText(data: Buffer, at: number, stop: number, until: number): { bytes: Buffer; next: number } | null {
  const out: number[] = [];
  let i = at;
  for (; i < stop; i++) {
    const c = data[i]!;
    if (c === 0) return null;
    if (c === until) break;
    if (c === 0x25) {
      if (stop - i < 3) return null;
      const hi = hexValue(data[i + 1]!);
      const lo = hexValue(data[i + 2]!);
      if (hi < 0 || lo < 0) return null;
      out.push((hi << 4) | lo);
      i += 2;
    } else out.push(c === 0x2b ? 0x20 : c);
  }
  // A C string: a decoded %00 ends it.
  const nul = out.indexOf(0);
  return { bytes: Buffer.from(nul < 0 ? out : out.slice(0, nul)), next: i };
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  return -1;
}

export function countLines(data: Buffer, start: number, stop: number): number {
  let lines = 0;
  for (let at = start; at < stop; lines++) at = nextLine(data, at, stop);
  return lines;
}

/**
 * Where the line that starts at `at` ends, after its line end: CR LF, LF or a lone CR, as
 * Wireshark's tvb_find_line_end (a CR as the last byte ends the line too); `stop` when none.
 */
function nextLine(data: Buffer, at: number, stop: number): number {
  for (let i = at; i < stop; i++) {
    const c = data[i]!;
    if (c === 0x0a) return i + 1;
    if (c === 0x0d) return i + 1 < stop && data[i + 1] === 0x0a ? i + 2 : i + 1;
  }
  return stop;
}

function startsWith(data: Buffer, start: number, stop: number, prefix: Buffer): boolean {
  return stop - start >= prefix.length && data.compare(prefix, 0, prefix.length, start, start + prefix.length) === 0;
}

/** Every chunk (length, type, data, CRC) after the signature lies within the bytes. */
function pngChunksFit(data: Buffer, at: number, stop: number): boolean {
  while (at < stop) {
    if (stop - at < 12) return false;
    const length = data.readUInt32BE(at);
    if (length > stop - at - 12) return false;
    at += 12 + length;
  }
  return true;
}


export function parsesAsJson(data: Buffer, start: number, stop: number): boolean {
  try {
    JSON.parse(data.toString('utf8', start, stop));
    return true;
  } catch {
    return false;
  }
}

/** What an entity body is after its transfer and content codings are undone (decodeEntityBody). */
export interface EntityBody {
  /** The body's bytes: `data` itself when nothing was decoded; null when there is no body to dissect further. */
  bytes: Buffer | null;
  start: number;
  stop: number;
  /** tshark's data source name of decoded bytes ('De-chunked entity body', 'Uncompressed entity body'); null: `data`. */
  source: string | null;
  /** Layers already made for the body (the data of a body that could not be decoded). */
  layers: Layer[];
}

/** Largest decoded body kept (a compression bomb costs at most this much memory). */
const MAX_DECODED = 64 << 20;

/**
 * Undoes an HTTP message's codings as Wireshark 4.0's dissect_http_message does, adding its tree
 * items to the HTTP layer `b`: a chunked body becomes "HTTP chunked response" (each chunk with
 * http.chunk_size, http.chunk_data and http.chunk_boundary) and its dechunked bytes; a content
 * coding other than identity becomes "Content-encoded entity body (CODING): N bytes -> M bytes"
 * and the uncompressed bytes (gzip, deflate, x-gzip, x-deflate, br), or "Decompression failed"
 * and data when it cannot be undone. A transfer coding other than chunked is left as data.
 */
export function decodeEntityBody(b: LayerBuilder, data: Buffer, start: number, stop: number, transferEncoding: string | undefined, contentEncoding: string | undefined): EntityBody {
  let bytes = data;
  let from = start;
  let to = stop;
  let source: string | null = null;
  const transfer = (transferEncoding ?? '').split(',').map((t) => t.trim().toLowerCase());
  if (transfer.includes('chunked')) {
    const dechunked = dechunk(b, data, start, stop);
    if (dechunked === null) return { bytes: null, start: 0, stop: 0, source: null, layers: [] };
    // Only the last chunk: tshark shows "File Data: 0 bytes".
    if (dechunked.length === 0) return { bytes: data, start, stop: start, source: null, layers: [] };
    bytes = dechunked;
    from = 0;
    to = dechunked.length;
    source = 'De-chunked entity body';
  }
  if (transfer.some((t) => t === 'gzip' || t === 'x-gzip' || t === 'deflate' || t === 'compress' || t === 'x-compress')) {
    return { bytes: null, start: 0, stop: 0, source: null, layers: bodyLayers(bytes, from, to, undefined, false, b.selection).layers.map((l) => withSource(l, bytes, source)) };
  }
  const coding = contentEncoding?.trim();
  if (coding === undefined || coding === '' || coding.toLowerCase() === 'identity') return { bytes, start: from, stop: to, source, layers: [] };
  const uncompressed = uncompress(bytes.subarray(from, to), coding.toLowerCase());
  const label = `Content-encoded entity body (${coding}): ${to - from} bytes${uncompressed !== null ? ` -> ${uncompressed.length} bytes` : ''}`;
  if (uncompressed !== null) {
    b.add('', label, null, from, to - from);
    if (source !== null) (b.layer.sources ??= []).push({ name: source, data: bytes });
    return { bytes: uncompressed, start: 0, stop: uncompressed.length, source: 'Uncompressed entity body', layers: [] };
  }
  // The bytes go to Data inside this item's subtree: a Data item here, and a Data layer with no
  // tree of its own for the protocol chain.
  const length = to - from;
  b.group('', label, null, from, length, () => {
    addExpert(b, 'http.decompression_failed', 'Warning', 'Undecoded', 'Decompression failed', from, length);
    // tshark -V prints this Data item without its fields; -T json has them.
    b.group('data', `Data (${length} bytes)`, null, from, length, () => {
      b.add('data.data', () => `Data: ${bytesHex(bytes, from, Math.min(length, 36))}${length > 36 ? '…' : ''}`, bytes.subarray(from, to), from, length, () => bytesHex(bytes, from, length)).hidden = true;
      b.add('data.len', () => `[Length: ${length}]`, length, from, 0).hidden = true;
    });
  });
  return { bytes: null, start: 0, stop: 0, source: null, layers: [new LayerBuilder(bytes, 'data', '', from, to, b.selection).layer] };
}

function withSource(layer: Layer, bytes: Buffer, source: string | null): Layer {
  if (source === null) return layer;
  layer.source = 'reassembled';
  layer.data = bytes;
  layer.sourceName = source;
  return layer;
}

/**
 * gzip and deflate as Wireshark's tvb_uncompress reads them (zlib with gzip or zlib headers,
 * else raw deflate; what a cut stream gives up to the cut), br with brotli; null when it cannot be undone.
 */
function uncompress(body: Buffer, coding: string): Buffer | null {
  const options = { maxOutputLength: MAX_DECODED, finishFlush: zlib.constants.Z_SYNC_FLUSH };
  try {
    if (coding === 'br') return zlib.brotliDecompressSync(body, { maxOutputLength: MAX_DECODED, finishFlush: zlib.constants.BROTLI_OPERATION_FLUSH });
    if (coding !== 'gzip' && coding !== 'x-gzip' && coding !== 'deflate' && coding !== 'x-deflate') return null;
    try {
      return zlib.unzipSync(body, options);
    } catch {
      return zlib.inflateRawSync(body, options);
    }
  } catch {
    return null;
  }
}

/**
 * Wireshark 4.0's chunked_encoding_dissector: "HTTP chunked response" in the HTTP tree with each
 * chunk ("Data chunk (N octets)", "End of chunked encoding"), the trailer and the last CRLF;
 * returns the chunks' data put together, or null when no chunk size line could be read.
 */
function dechunk(b: LayerBuilder, data: Buffer, start: number, stop: number): Buffer | null {
  const parts: Buffer[] = [];
  let consumed = 0;
  const response = b.group('', 'HTTP chunked response', null, start, stop - start, () => {
    let offset = start;
    let remaining = stop - offset;
    while (remaining > 0) {
      const lf = data.indexOf(0x0a, offset);
      if (lf < 0 || lf >= stop) break;
      const lineEnd = lf > offset && data[lf - 1] === 0x0d ? lf - 1 : lf;
      if (lineEnd <= offset) break; // an empty size line
      const chunkOffset = lf + 1;
      const sizeText = data.toString('latin1', offset, lineEnd).split(';')[0]!;
      let size = strtol16(sizeText);
      if (size > remaining) size = remaining;
      const available = Math.max(0, Math.min(size, stop - chunkOffset));
      parts.push(data.subarray(chunkOffset, chunkOffset + available));
      const itemLength = Math.min(chunkOffset - offset + size + 2, stop - offset);
      b.group('', size === 0 ? 'End of chunked encoding' : `Data chunk (${size} octets)`, null, offset, itemLength, () => {
        b.add('http.chunk_size', `Chunk size: ${size} octet${size === 1 ? '' : 's'}`, size, offset, chunkOffset - offset);
        if (size > 0) {
          b.add('http.chunk_data', () => `Chunk data: ${bytesHex(data, chunkOffset, Math.min(available, 36))}${available > 36 ? '…' : ''}`, data.subarray(chunkOffset, chunkOffset + available), chunkOffset, available, () => bytesHex(data, chunkOffset, available));
          if (chunkOffset + size + 2 <= stop) b.add('http.chunk_boundary', () => `Chunk boundary: ${bytesHex(data, chunkOffset + size, 2)}`, data.subarray(chunkOffset + size, chunkOffset + size + 2), chunkOffset + size, 2, () => bytesHex(data, chunkOffset + size, 2));
        }
      });
      offset = chunkOffset + size;
      if (size > 0) offset += 2;
      remaining = stop - offset;
      if (size === 0) {
        // The trailer's header fields, then the last CRLF.
        let trailerEnd = offset;
        let lastLine = -1;
        for (;;) {
          const end = data.indexOf(0x0a, trailerEnd);
          if (end < 0 || end >= stop) break;
          const textEnd = end > trailerEnd && data[end - 1] === 0x0d ? end - 1 : end;
          if (textEnd === trailerEnd) {
            lastLine = end + 1;
            break;
          }
          trailerEnd = end + 1;
        }
        if (trailerEnd > offset) {
          b.add('http.chunked_trailer_part', () => `trailer-part: ${formatText(data.subarray(offset, trailerEnd))}`, data.toString('latin1', offset, trailerEnd), offset, trailerEnd - offset);
          remaining -= trailerEnd - offset;
          offset = trailerEnd;
        }
        if (lastLine > 0) {
          b.add('', formatText(data.subarray(offset, lastLine)), null, offset, lastLine - offset);
          remaining -= lastLine - offset;
        }
        break;
      }
    }
    consumed = stop - start - remaining;
  });
  if (consumed <= 0) {
    // Nothing read: Wireshark leaves the subtree (its length the whole body) and no dechunked data.
    return null;
  }
  response.length = consumed;
  return Buffer.concat(parts);
}

/** C's strtol(text, NULL, 16) as an unsigned 32-bit value (leading space, sign and 0x allowed; stops at the first other character). */
function strtol16(text: string): number {
  const m = /^\s*([+-]?)(?:0[xX])?([0-9a-fA-F]*)/.exec(text)!;
  if (m[2] === '') return 0;
  const value = parseInt(m[2]!.slice(-16), 16);
  const clamped = m[2]!.replace(/^0+/, '').length > 16 || value > 0x7fffffffffffffff ? 0x7fffffff : value; // LONG_MAX, as a guint32 cast
  const signed = m[1] === '-' ? -clamped : clamped;
  return Number(BigInt.asUintN(32, BigInt(Math.trunc(signed))));
}
