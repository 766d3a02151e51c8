/**
 * Export of HTTP bodies to files, like `tshark --export-objects http,DIR`.
 *
 * What tshark 4.0 writes, and so what this writes:
 * - one file per HTTP message (request or response) with a non-empty body that was reassembled
 *   whole (no hole in the capture, not cut by its end), in the order the messages completed;
 * - the body with its transfer coding removed and its Content-Encoding (gzip, deflate, br) undone
 *   when that succeeds (else as transferred);
 * - named after the last segment of the request target (glib's basename: trailing slashes
 *   dropped, '/' alone stays '/'), query included, of the latest request seen on that connection
 *   when the message completed (so a response is named after the request before it, and
 *   pipelined responses after the last request sent); without any request, `object<frame>.<ext>`;
 * - bytes above 0x7f as U+FFFD (the request target is an ASCII string to tshark), characters
 *   Windows forbids and control characters escaped as %xx;
 *   names clipped to 255 bytes (keeping the extension); a name already taken gets (1), (2), …
 *   before its extension.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { decodeContent } from './content-decoding';
import { headerValue, type HttpMessage } from './http-parser';
import type { HttpTransaction } from './http';
import { analyzeHttpCapture } from './index';

export interface HttpObject {
  /** Frame that completed the message (tshark's packet number for the object). */
  frame: number;
  stream: number;
  side: 'request' | 'response';
  hostname: string | null;
  contentType: string | null;
  /** tshark's file name before escaping: the request target's basename, or null without one. */
  filename: string | null;
  payload: Buffer;
}

export interface ExportedFile {
  /** Name of the file written in the directory. */
  file: string;
  object: HttpObject;
}

export interface HttpExportResult {
  files: ExportedFile[];
  /** Bodies left out because they were longer than maxBodyBytes (default 256 MiB). */
  cutBodies: number;
  readError: string | null;
}

export const MAX_FILE_LEN = 255;
/** Bodies kept for export, each (larger ones are left out and counted in cutBodies). */
const DEFAULT_MAX_BODY = 256 << 20;
/** tshark's gui.max_export_objects default: tries at a free name before giving up. */
export const MAX_DUPLICATES = 1000;

/** glib's g_path_get_basename. */
export function basename(target: string): string {
  if (target === '') return '.';
  const trimmed = target.replace(/\/+$/, '');
  if (trimmed === '') return '/';
  return trimmed.slice(trimmed.lastIndexOf('/') + 1);
}

/** Extensions tshark gives objects without a name (eo_ct2ext), by content type. */
const EXTENSIONS: Record<string, string> = {
  'application/javascript': 'js', 'application/json': 'json', 'application/pdf': 'pdf', 'application/xml': 'xml',
  'application/zip': 'zip', 'image/gif': 'gif', 'image/jpeg': 'jpg', 'image/png': 'png', 'image/svg+xml': 'svg',
  'image/x-icon': 'ico', 'text/css': 'css', 'text/html': 'html', 'text/javascript': 'js', 'text/plain': 'txt', 'text/xml': 'xml',
};

/**
 * A latin1 string as tvb_get_string_enc(ENC_ASCII) makes it: each byte above 0x7f becomes U+FFFD,
 * here its UTF-8 bytes as latin1 characters (what massageFileName and the file name take).
 */
export function asciiString(latin1: string): string {
  return latin1.replace(/[\x80-\xff]/g, '\xef\xbf\xbd');
}

/**
 * tshark's eo_massage_str: escapes, clips to maxlen bytes and adds the duplicate number before the
 * extension. `name` holds one byte per character (latin1); the result is the file name those bytes
 * spell in UTF-8 (tshark's strings are UTF-8: U+FFFD stays U+FFFD, unescaped).
 */
export function massageFileName(name: string, maxlen: number, dup: number): string {
  let out = '';
  for (const b of Buffer.from(name, 'latin1')) {
    const reserved = b < 0x20 || '<>:"/\\|?*'.includes(String.fromCharCode(b));
    out += reserved && b !== 0 ? `%${b.toString(16).padStart(2, '0')}` : String.fromCharCode(b);
  }
  if (out.length > maxlen) {
    const dot = out.lastIndexOf('.');
    out = dot >= 0 ? out.slice(0, Math.max(0, maxlen - (out.length - dot))) + out.slice(dot) : out.slice(0, maxlen);
  }
  if (dup > 0) {
    const dot = out.lastIndexOf('.');
    out = dot >= 0 ? `${out.slice(0, dot)}(${dup})${out.slice(dot)}` : `${out}(${dup})`;
  }
  return Buffer.from(out, 'latin1').toString('utf8');
}

/** The objects tshark would export from these transactions, in the order it would write them. */
export function httpObjectsOf(transactions: readonly HttpTransaction[]): HttpObject[] {
  const requestsByStream = new Map<number, HttpMessage[]>();
  for (const t of transactions) {
    if (t.request) requestsByStream.set(t.stream, [...(requestsByStream.get(t.stream) ?? []), t.request]);
  }
  const objects: HttpObject[] = [];
  for (const t of transactions) {
    for (const m of [t.request, ...t.interim, t.response]) {
      if (!m || !m.complete || m.missingBytes > 0 || m.bodyCut || !m.body || m.body.length === 0) continue;
      const decoded = decodeContent(m.body, headerValue(m, 'content-encoding'));
      const host = t.request ? headerValue(t.request, 'host') : null;
      objects.push({
        frame: m.lastFrame,
        stream: t.stream,
        side: m.side,
        hostname: host,
        contentType: headerValue(m, 'content-type'),
        filename: latestTarget(requestsByStream.get(t.stream) ?? [], m),
        payload: decoded.data ?? m.body,
      });
    }
  }
  return objects.sort((a, b) => a.frame - b.frame);
}

/** The request target tshark's connection state holds when message m completes: the latest request's. */
function latestTarget(requests: readonly HttpMessage[], m: HttpMessage): string | null {
  let latest: HttpMessage | null = null;
  for (const r of requests) {
    if (r.lastFrame > m.lastFrame || (r !== m && r.lastFrame === m.lastFrame && m.side === 'request')) continue;
    if (!latest || r.lastFrame >= latest.lastFrame) latest = r;
  }
  return latest?.target != null ? basename(latest.target) : null;
}

/** The name tshark gives an object before escaping and duplicate numbers: its request target's basename, else object<frame>.<ext>. */
export function objectBaseName(object: Pick<HttpObject, 'filename' | 'frame' | 'contentType'>): string {
  const ext = EXTENSIONS[(object.contentType ?? '').split(';')[0]!.trim().toLowerCase()];
  return object.filename !== null ? asciiString(object.filename) : `object${object.frame}${ext ? `.${ext}` : ''}`;
}

/** Writes the objects into dir (created if missing) under tshark's names; returns what it wrote. */
export function writeHttpObjects(objects: readonly HttpObject[], dir: string): ExportedFile[] {
  const files = writeObjectFiles(objects.map((object) => ({ name: objectBaseName(object), payload: object.payload })), dir);
  return objects.map((object, k) => ({ file: files[k]!, object }));
}

/**
 * tshark's writing of an export-objects list (ui/cli/tap-exportobject.c), whatever the kind:
 * each object under its name escaped and clipped (massageFileName), with (1), (2), … when the
 * name is taken, in the list's order. Returns the file names written, in that order.
 */
export function writeObjectFiles(objects: readonly { name: string; payload: Buffer }[], dir: string): string[] {
  try {
    fs.mkdirSync(dir, { recursive: true });
  } catch (err) {
    throw new Error(`cannot create the export directory ${dir}: ${(err as Error).message}`);
  }
  // tshark 4.0 clips names to 255 bytes whatever the directory (the file system limit for one name).
  const maxlen = MAX_FILE_LEN;
  const files: string[] = [];
  for (const object of objects) {
    let file = '';
    for (let dup = 0; dup < MAX_DUPLICATES; dup++) {
      file = massageFileName(object.name, maxlen, dup);
      if (!fs.existsSync(path.join(dir, file))) break;
    }
    fs.writeFileSync(path.join(dir, file), object.payload);
    files.push(file);
  }
  return files;
}

/** `tshark -r capturePath --export-objects http,dir`: every HTTP body of the capture, as files. */
export function exportHttpObjects(capturePath: string, dir: string, options: { maxBodyBytes?: number } = {}): HttpExportResult {
  const analysis = analyzeHttpCapture(capturePath, { keepBodies: true, maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY });
  const messages = analysis.transactions.flatMap((t) => [t.request, ...t.interim, t.response]);
  const cutBodies = messages.filter((m) => m?.bodyCut).length;
  const objects = httpObjectsOf(analysis.transactions);
  return { files: writeHttpObjects(objects, dir), cutBodies, readError: analysis.readError };
}
