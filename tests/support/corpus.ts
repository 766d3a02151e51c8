/** The shared corpus (../shared/corpus beside the checkout) and its capture files, for tests that run over all of it. */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The corpus folder; throws when it is missing, since the tests that ask compare on its files. */
export function requireCorpusDir(): string {
  const dir = path.resolve(__dirname, '..', '..', '..', '..', 'shared', 'corpus');
  if (!fs.existsSync(dir)) throw new Error(`the shared corpus is missing (looked in ${dir}); it holds the real captures this test compares on`);
  return dir;
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
