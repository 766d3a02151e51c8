/** Sievecap's version, from package.json (for shb_userappl and similar). */
import * as fs from 'node:fs';
import * as path from 'node:path';

let cached: string | undefined;

export function sievecapVersion(): string {
  if (cached !== undefined) return cached;
  cached = '0.0.0';
  // Source lives at app/pcap/, compiled code at dist/app/pcap/: look upwards for package.json.
  for (let dir = __dirname, i = 0; i < 5; i++, dir = path.dirname(dir)) {
    try {
      const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'sievecap' && typeof pkg.version === 'string') {
        cached = pkg.version;
        break;
      }
    } catch {
      // Not here; keep looking upwards.
    }
  }
  return cached;
}
