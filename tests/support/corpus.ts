/**
 * The one way tests find the shared corpus of real captures: the folder named by $SIEVECAP_CORPUS,
 * else `../shared/corpus` beside the repository (found from this file's own place, so any clone
 * works). Tests that compare on it fail, saying where they looked, when it is missing: they are
 * integration tests (under tests/), and a comparison that silently did not run passes nothing.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The environment variable that names the corpus folder. */
export const CORPUS_VARIABLE = 'SIEVECAP_CORPUS';

/** The repository root: the nearest folder above this file holding package.json (from tests/support or dist/tests/support). */
function repositoryRoot(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no package.json above ${__dirname}: cannot find the repository root`);
  }
}

/** Where the corpus is expected, present or not: $SIEVECAP_CORPUS, else ../shared/corpus beside the repository. */
export function corpusLocation(): { dir: string; from: string } {
  const named = process.env[CORPUS_VARIABLE];
  if (named !== undefined && named !== '') return { dir: path.resolve(named), from: `$${CORPUS_VARIABLE}` };
  return { dir: path.resolve(repositoryRoot(), '..', 'shared', 'corpus'), from: `the default, ../shared/corpus beside the repository` };
}

function missing(what: string, looked: string, from: string): Error {
  return new Error(
    `${what} is missing: looked in ${looked} (${from}). These tests compare on the shared corpus of real captures: ` +
      `set ${CORPUS_VARIABLE} to its folder, or put it at ../shared/corpus beside the repository.`,
  );
}

/** The corpus folder; throws, saying where it looked and what to set, when it is missing. */
export function requireCorpusDir(): string {
  const { dir, from } = corpusLocation();
  if (!fs.statSync(dir, { throwIfNoEntry: false })?.isDirectory()) throw missing('the shared corpus', dir, from);
  return dir;
}

/** A file of the corpus by its path inside it (e.g. 'chrissanders-packets/http_espn.pcapng'); throws when it is missing. */
export function requireCorpusFile(relative: string): string {
  const file = path.join(requireCorpusDir(), relative);
  if (!fs.existsSync(file)) throw missing(`corpus file ${relative}`, file, corpusLocation().from);
  return file;
}

/** Every capture file under `dir`, sorted. */
export function captureFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...captureFiles(full));
    else if (/\.(pcap|pcapng|cap|pcap\.gz|pcapng\.gz|ntar)$/i.test(entry.name)) out.push(full);
  }
  return out.sort();
}
