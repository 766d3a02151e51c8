/**
 * Capture files opened lately: CONFIGDIR/recent.json, newest first, at most MAX_RECENT_FILES, one
 * entry per path. Written atomically; a damaged list (it is Sievecap's own bookkeeping, not the
 * user's work) is started afresh. Recording never fails an open: a problem is a warning.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as v from 'valibot';
import { writeFileAtomic } from '../../presets/config';
import type { EngineResult } from '../../rpc/engine-protocol';

export const RECENT_FILE = 'recent.json';
export const MAX_RECENT_FILES = 20;

const RecentList = v.object({
  files: v.array(v.object({ path: v.pipe(v.string(), v.minLength(1)), openedAt: v.number() })),
});
type Entry = v.InferOutput<typeof RecentList>['files'][number];

export class RecentFiles {
  readonly file: string;

  constructor(configDir: string, private readonly now: () => number = Date.now) {
    this.file = path.join(configDir, RECENT_FILE);
  }

  /** Records a successful open of `filePath` (made absolute) as the newest. */
  record(filePath: string): void {
    const absolute = path.resolve(filePath);
    const files = [{ path: absolute, openedAt: this.now() }, ...this.read().filter((f) => f.path !== absolute)].slice(0, MAX_RECENT_FILES);
    try {
      writeFileAtomic(this.file, `${JSON.stringify({ files }, null, 2)}\n`);
    } catch (err) {
      process.emitWarning(`the list of recent files (${this.file}) cannot be written: ${(err as Error).message}`);
    }
  }

  list(): EngineResult<'recentFiles'> {
    return { files: this.read().map((f) => ({ path: f.path, openedAt: f.openedAt, exists: isFile(f.path) })) };
  }

  private read(): Entry[] {
    let json: unknown;
    try {
      json = JSON.parse(fs.readFileSync(this.file, 'utf8'));
    } catch {
      return [];
    }
    const parsed = v.safeParse(RecentList, json);
    if (!parsed.success) return [];
    const seen = new Set<string>();
    return parsed.output.files
      .filter((f) => path.isAbsolute(f.path) && !seen.has(f.path) && seen.add(f.path) !== undefined)
      .sort((a, b) => b.openedAt - a.openedAt)
      .slice(0, MAX_RECENT_FILES);
  }
}

function isFile(p: string): boolean {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}
