/**
 * The built renderer (dist/renderer: index.html and assets/), read into memory once at start.
 * Only files found under the folder then are ever served, so no request path can reach anything
 * else; and a root `serve` that has dropped to the invoking user keeps serving a build that user
 * could not read (a checkout under /root), as the CLI loads its modules before relinquishing.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** What a renderer build may hold at most (a Vite build is a few MB). */
const MAX_FILES = 10_000;
const MAX_TOTAL_BYTES = 256 * 1024 * 1024;

const MIME_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.otf': 'font/otf',
  '.wasm': 'application/wasm',
};

export function mimeType(name: string): string {
  return MIME_TYPES[path.extname(name).toLowerCase()] ?? 'application/octet-stream';
}

export interface StaticFile {
  /** Path inside the folder, with forward slashes ('index.html', 'assets/index-3f2a.js'). */
  name: string;
  body: Buffer;
  contentType: string;
}

export type StaticLookup =
  | { kind: 'file'; file: StaticFile }
  | { kind: 'refused'; reason: string }
  | { kind: 'missing' };

export class StaticFiles {
  private constructor(
    readonly dir: string,
    private readonly files: ReadonlyMap<string, StaticFile>,
  ) {}

  /**
   * Reads every regular file under `dir` (symbolic links are not followed). Throws a sentence
   * saying how to build the UI when there is no index.html.
   */
  static load(dir: string): StaticFiles {
    const root = path.resolve(dir);
    const index = path.join(root, 'index.html');
    let st: fs.Stats | undefined;
    try {
      st = fs.statSync(index);
    } catch {
      st = undefined;
    }
    if (!st?.isFile()) throw new Error(`the UI is not built: run npm run build:renderer (there is no ${index})`);
    const files = new Map<string, StaticFile>();
    let total = 0;
    const walk = (folder: string, prefix: string): void => {
      for (const entry of fs.readdirSync(folder, { withFileTypes: true })) {
        const full = path.join(folder, entry.name);
        const name = prefix + entry.name;
        if (entry.isDirectory()) walk(full, `${name}/`);
        if (!entry.isFile()) continue;
        const body = fs.readFileSync(full);
        total += body.length;
        if (files.size >= MAX_FILES || total > MAX_TOTAL_BYTES) {
          throw new Error(`${root} holds more than ${MAX_FILES} files or ${MAX_TOTAL_BYTES >> 20} MiB: is it really the renderer's build (npm run build:renderer)?`);
        }
        files.set(name, { name, body, contentType: mimeType(name) });
      }
    };
    walk(root, '');
    return new StaticFiles(root, files);
  }

  /** The file a request path names ('/' is index.html); `pathname` is still percent-encoded. */
  lookup(pathname: string): StaticLookup {
    let decoded: string;
    try {
      decoded = decodeURIComponent(pathname);
    } catch {
      return { kind: 'refused', reason: 'the path is not valid percent-encoded UTF-8' };
    }
    if (decoded.includes('\0') || decoded.includes('\\')) return { kind: 'refused', reason: 'the path holds a NUL or a backslash' };
    const segments = decoded.split('/').slice(1);
    if (segments.some((s) => s === '..' || s === '.')) return { kind: 'refused', reason: 'the path leaves the UI folder (.. or . segments are refused)' };
    const name = decoded === '/' ? 'index.html' : segments.join('/');
    const file = this.files.get(name);
    return file ? { kind: 'file', file } : { kind: 'missing' };
  }

  get size(): number {
    return this.files.size;
  }
}
