/**
 * How the HTTP tab previews a body: text as text, JSON pretty-printed, images as an <img>, other
 * bytes as a hex dump. The Content-Type decides first; the bytes are sniffed when it is absent or
 * generic (application/octet-stream), as browsers do for images.
 */

export type PreviewKind = 'empty' | 'text' | 'json' | 'image' | 'binary';

export interface MediaType {
  /** 'text/html' (lower case, no parameters); '' when absent. */
  type: string;
  charset: string | null;
}

export function parseMediaType(contentType: string | null | undefined): MediaType {
  if (!contentType) return { type: '', charset: null };
  const [type, ...params] = contentType.split(';');
  let charset: string | null = null;
  for (const p of params) {
    const m = /^\s*charset\s*=\s*"?([^";\s]+)"?\s*$/i.exec(p);
    if (m) charset = m[1]!.toLowerCase();
  }
  return { type: type!.trim().toLowerCase(), charset };
}

const IMAGE_TYPES = new Set(['image/png', 'image/jpeg', 'image/jpg', 'image/gif', 'image/webp', 'image/bmp', 'image/x-icon', 'image/vnd.microsoft.icon', 'image/avif', 'image/svg+xml']);

function startsWith(bytes: Uint8Array, prefix: readonly number[], at = 0): boolean {
  if (bytes.length < at + prefix.length) return false;
  return prefix.every((b, i) => bytes[at + i] === b);
}

/** The image type the bytes' signature names, or null. */
export function sniffImage(bytes: Uint8Array): string | null {
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (startsWith(bytes, [0x47, 0x49, 0x46, 0x38])) return 'image/gif';
  if (startsWith(bytes, [0x52, 0x49, 0x46, 0x46]) && startsWith(bytes, [0x57, 0x45, 0x42, 0x50], 8)) return 'image/webp';
  if (startsWith(bytes, [0x42, 0x4d])) return 'image/bmp';
  if (startsWith(bytes, [0x00, 0x00, 0x01, 0x00])) return 'image/x-icon';
  return null;
}

function isTextType(type: string): boolean {
  return (
    type.startsWith('text/') ||
    type.endsWith('+xml') ||
    type === 'application/xml' ||
    type === 'application/javascript' ||
    type === 'application/ecmascript' ||
    type === 'application/x-www-form-urlencoded' ||
    type === 'application/x-sh' ||
    type === 'application/sql' ||
    type === 'application/graphql' ||
    type === 'application/yaml' ||
    type === 'application/x-yaml' ||
    type === 'application/toml' ||
    type === 'application/csv'
  );
}

function isJsonType(type: string): boolean {
  return type === 'application/json' || type.endsWith('+json') || type === 'text/json' || type === 'application/x-ndjson' || type === 'application/ld+json';
}

/** Text, by its bytes: valid UTF-8 with no control characters besides tab, newlines and form feed. */
export function looksLikeText(bytes: Uint8Array): boolean {
  const sample = bytes.subarray(0, 8192);
  for (const b of sample) {
    if (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d && b !== 0x0c && b !== 0x1b) return false;
    if (b === 0x7f) return false;
  }
  try {
    // A character cut at the sample's end is not an error.
    new TextDecoder('utf-8', { fatal: true }).decode(sample, { stream: sample.length < bytes.length });
    return true;
  } catch {
    return false;
  }
}

export function previewKind(contentType: string | null | undefined, bytes: Uint8Array): PreviewKind {
  if (bytes.length === 0) return 'empty';
  const { type } = parseMediaType(contentType);
  if (IMAGE_TYPES.has(type)) return 'image';
  if (isJsonType(type)) return 'json';
  if (isTextType(type)) return 'text';
  if (sniffImage(bytes)) return 'image';
  if (looksLikeText(bytes)) {
    const first = bytes.find((b) => b !== 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d);
    // '{' or '[' with a JSON type missing: try JSON, fall back to text when it does not parse.
    if ((first === 0x7b || first === 0x5b) && prettyJson(decodeText(bytes, null)) !== null) return 'json';
    return 'text';
  }
  return 'binary';
}

/** The MIME type for a blob: URL of an image body (its declared type when an image one, else sniffed). */
export function imageType(contentType: string | null | undefined, bytes: Uint8Array): string {
  const { type } = parseMediaType(contentType);
  return IMAGE_TYPES.has(type) ? type : sniffImage(bytes) ?? 'application/octet-stream';
}

/** Bytes as text in the declared charset (UTF-8 when absent or unknown); bad sequences become U+FFFD. */
export function decodeText(bytes: Uint8Array, charset: string | null): string {
  try {
    return new TextDecoder(charset ?? 'utf-8').decode(bytes);
  } catch {
    return new TextDecoder('utf-8').decode(bytes);
  }
}

/**
 * JSON pretty-printed with two-space indents, or null when the text is not JSON. The text is
 * re-indented, not re-serialised, so numbers keep their digits (a 64-bit id stays exact, 1.0 stays
 * 1.0). Newline-delimited JSON (one document a line) is printed document by document. A body cut
 * short (truncated) is not JSON: the caller shows it as text.
 */
export function prettyJson(text: string): string | null {
  const trimmed = text.trim();
  if (!trimmed) return null;
  if (isJson(trimmed)) return reindentJson(trimmed);
  const lines = trimmed.split(/\r?\n/).filter((l) => l.trim());
  if (lines.length < 2 || !lines.every(isJson)) return null;
  return lines.map((l) => reindentJson(l.trim())).join('\n');
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** Re-indents text already known to be valid JSON. */
export function reindentJson(json: string, indent = '  '): string {
  let out = '';
  let depth = 0;
  const newline = (): string => '\n' + indent.repeat(depth);
  for (let i = 0; i < json.length; i++) {
    const c = json[i]!;
    if (c === '"') {
      // Copy the whole string, escapes included.
      let j = i + 1;
      while (j < json.length && json[j] !== '"') j += json[j] === '\\' ? 2 : 1;
      out += json.slice(i, j + 1);
      i = j;
    } else if (c === '{' || c === '[') {
      let j = i + 1;
      while (j < json.length && /\s/.test(json[j]!)) j++;
      if (json[j] === (c === '{' ? '}' : ']')) {
        out += c + json[j];
        i = j;
      } else {
        depth++;
        out += c + newline();
      }
    } else if (c === '}' || c === ']') {
      depth--;
      out += newline() + c;
    } else if (c === ',') out += ',' + newline();
    else if (c === ':') out += ': ';
    else if (!/\s/.test(c)) out += c;
  }
  return out;
}

/** The value of a header (the first of that name, case-insensitive), or null. */
export function headerValue(headers: readonly { name: string; value: string }[], name: string): string | null {
  const lower = name.toLowerCase();
  return headers.find((h) => h.name.toLowerCase() === lower)?.value ?? null;
}
