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
import { LayerBuilder } from './builder';
import { bytesHex } from './format';
import type { Layer } from './model';
import { printable } from './app-format';

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
    const lf = data.indexOf(0x0a, at);
    const next = lf < 0 || lf >= stop ? stop : lf + 1;
    const text = printable(data.subarray(at, next));
    b.add('', text.length < 240 ? text : ` [truncated]${text}`.slice(0, 238), null, at, next - at);
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
}

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
    return { layers: [b.layer], info: '' };
  }
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  const shown = contentType.split(';')[0]!.trim();
  if (TEXT_LINES.has(type)) {
    const lines = countLines(data, start, stop);
    return { layers: [textLines(layer('data-text-lines', `Line-based text data: ${shown} (${lines} lines)`), data, start, stop)], info: ` (${shown})` };
  }
  if (XML.has(type)) return { layers: [layer('xml', 'eXtensible Markup Language').layer], info: '', column: 'XML' };
  if (JSON_TYPES.has(type)) {
    const json = layer('json', `JavaScript Object Notation: ${shown}`).layer;
    const layers = parsesAsJson(data, start, stop) ? [json] : [json, textLines(layer('data-text-lines', `Line-based text data: ${shown} (${countLines(data, start, stop)} lines)`), data, start, stop)];
    return { layers, info: `, JavaScript Object Notation (${shown})`, column: 'JSON' };
  }
  if (type === URLENCODED) return { layers: [layer('urlencoded-form', `HTML Form URL Encoded: ${shown}`).layer], info: ` (${shown})` };
  if (type === 'image/png' && startsWith(data, start, stop, PNG_SIGNATURE)) {
    const complete = pngChunksFit(data, start + PNG_SIGNATURE.length, stop);
    return { layers: [layer('png', 'Portable Network Graphics').layer], info: ` (PNG)${complete ? '' : partial ? BOUND_ERROR : MALFORMED}` };
  }
  if (type === 'image/jpeg' && jfifStarts(data, start, stop)) {
    const complete = jfifSegmentsFit(data, start + 2, stop);
    return { layers: [layer('image-jfif', 'JPEG File Interchange Format').layer], info: ` (JPEG JFIF image)${complete ? '' : partial ? BOUND_ERROR : MALFORMED}` };
  }
  if (type === 'image/gif' && stop - start >= 20) {
    const version = data.toString('latin1', start, start + 6);
    if (version === 'GIF87a' || version === 'GIF89a') {
      return { layers: [layer('image-gif', `Compuserve GIF, Version: ${version}`).layer], info: ` (${version})${partial ? BOUND_ERROR : ''}` };
    }
  }
  const b = layer('media', 'Media Type');
  if (b.wants('media.type')) b.add('media.type', () => `Media type: ${shown} (${stop - start} bytes)`, data.subarray(start, stop), start, stop - start, () => bytesHex(data, start, stop - start));
  return { layers: [b.layer], info: ` (${shown})` };
}

export function countLines(data: Buffer, start: number, stop: number): number {
  let lines = 0;
  for (let at = start; at < stop; lines++) {
    const lf = data.indexOf(0x0a, at);
    if (lf < 0 || lf >= stop) {
      lines++;
      break;
    }
    at = lf + 1;
  }
  return lines;
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

/** SOI, then a first marker segment whose length fits: what tshark's JFIF dissector needs to claim the body. */
function jfifStarts(data: Buffer, start: number, stop: number): boolean {
  if (stop - start < 6 || data[start] !== 0xff || data[start + 1] !== 0xd8 || data[start + 2] !== 0xff) return false;
  return 4 + data.readUInt16BE(start + 4) <= stop - start;
}

/**
 * The marker segments up to the start of scan (SOS) or the end of image lie within the bytes; the
 * entropy-coded data after SOS is not walked (tshark's JFIF dissector reads no further there).
 */
function jfifSegmentsFit(data: Buffer, at: number, stop: number): boolean {
  while (at < stop) {
    if (stop - at < 2) return false;
    const marker = data[at + 1]!;
    if (marker === 0xd9) return true; // EOI
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      at += 2;
      continue;
    }
    if (stop - at < 4) return false;
    const length = data.readUInt16BE(at + 2);
    if (2 + length > stop - at) return false;
    if (marker === 0xda) return true; // SOS: the image data follows
    at += 2 + length;
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
