/**
 * An on-disk cache of tshark's outputs for `npm run test:corpus`: tshark is most of the run's time
 * (~1000 files, two runs each), and its answers change only with the file, tshark's version and the
 * command. Keyed by the file's absolute path, size and modification time, tshark's version and a
 * description of the command. `--no-cache` bypasses it; SIEVECAP_CORPUS_CACHE moves it.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const CACHE_DIR = process.env.SIEVECAP_CORPUS_CACHE ?? path.join(os.tmpdir(), 'sievecap-corpus-cache');
export const USE_CACHE = !process.argv.includes('--no-cache');

function keyOf(file: string, version: string, command: string): string {
  const st = fs.statSync(file);
  return createHash('sha1').update([path.resolve(file), st.size, st.mtimeMs, version, command].join('\n')).digest('hex');
}

/** The cached result for (file, version, command), or undefined (not cached, or the cache is off). */
export function peekCached<T>(file: string, version: string, command: string): T | undefined {
  if (!USE_CACHE) return undefined;
  try {
    return JSON.parse(fs.readFileSync(path.join(CACHE_DIR, `${keyOf(file, version, command)}.json`), 'utf8')) as T;
  } catch {
    return undefined;
  }
}

/** `compute()`'s result for (file, version, command), from the cache when it is there. */
export async function cachedTshark<T>(file: string, version: string, command: string, compute: () => Promise<T>): Promise<T> {
  if (!USE_CACHE) return compute();
  fs.mkdirSync(CACHE_DIR, { recursive: true });
  const entry = path.join(CACHE_DIR, `${keyOf(file, version, command)}.json`);
  try {
    return JSON.parse(fs.readFileSync(entry, 'utf8')) as T;
  } catch {
    // not cached yet (or unreadable): run tshark
  }
  const value = await compute();
  // Write then rename, so a run stopped half-way never leaves a truncated entry behind.
  const partial = `${entry}.${process.pid}.tmp`;
  fs.writeFileSync(partial, JSON.stringify(value));
  fs.renameSync(partial, entry);
  return value;
}
