/**
 * The capture files a start of the desktop app names: `sievecap-desktop FILE...` (the .desktop
 * file's Exec passes %U: paths or file:// URLs), `electron . FILE...` in a checkout, and the same
 * from a second start that the first instance takes over. Pure code, tested under Node.
 */
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The files in `argv` (process.argv, or a second instance's), absolute. `defaultApp`: Electron runs
 * an unpackaged app (`electron [switches] APP_DIR ...`), whose first argument is the app's folder. Switches (`--x`, `--x=y`)
 * and URLs of other schemes are skipped; `--` ends the switches.
 */
export function filesFromArgv(argv: readonly string[], options: { defaultApp: boolean; cwd: string }): string[] {
  let rest = argv.slice(1);
  if (options.defaultApp) {
    // `electron [switches] APP [args]`: the first argument that is not a switch is the app's folder.
    const app = rest.findIndex((a) => !a.startsWith('-'));
    rest = app < 0 ? [] : rest.slice(app + 1);
  }
  const files: string[] = [];
  let switches = true;
  for (const arg of rest) {
    if (switches && arg === '--') {
      switches = false;
      continue;
    }
    if (switches && arg.startsWith('-')) continue;
    if (arg.length === 0 || arg.includes('\0')) continue;
    if (/^[a-z][a-z0-9+.-]*:/i.test(arg)) {
      if (!arg.startsWith('file:')) continue;
      try {
        files.push(fileURLToPath(arg));
      } catch {
        // not a local file URL
      }
      continue;
    }
    files.push(path.resolve(options.cwd, arg));
  }
  return [...new Set(files)];
}
