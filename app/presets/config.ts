/**
 * The user's configuration directory and the one way Sievecap writes a file there: whole or not at
 * all (a temporary file beside the target, flushed to disk, then renamed over it), so a crash or a
 * full disk never leaves a half-written presets or recent-files list under the user's name.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/**
 * $XDG_CONFIG_HOME/sievecap when that is an absolute path (as the XDG spec asks), else
 * ~/.config/sievecap. ~ is $HOME when it belongs to this process's user, else the user's home
 * directory from the password database: `sudo sievecap serve` gives up root and keeps root's $HOME.
 */
export function defaultConfigDir(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_CONFIG_HOME;
  if (xdg && path.isAbsolute(xdg)) return path.join(xdg, 'sievecap');
  return path.join(homeDirectory(env.HOME), '.config', 'sievecap');
}

function homeDirectory(home: string | undefined): string {
  if (home && path.isAbsolute(home)) {
    try {
      if (fs.statSync(home).uid === process.getuid?.()) return home;
    } catch {
      // not there: the password database says where home is
    }
  }
  try {
    return os.userInfo().homedir;
  } catch {
    return os.homedir();
  }
}

/** A temporary name beside `target`, hidden, unique to this process and call. */
export function temporaryNameFor(target: string): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}-${crypto.randomBytes(4).toString('hex')}.tmp`);
}

/**
 * Writes `text` to `file` atomically: the directory is made when missing (mode 700: presets may name
 * hosts), the text goes to a temporary file that is fsynced and renamed over `file`. On failure the
 * temporary file is removed and `file` is as it was.
 */
export function writeFileAtomic(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const temporary = temporaryNameFor(file);
  let fd: number | null = null;
  try {
    fd = fs.openSync(temporary, 'wx', 0o600);
    fs.writeFileSync(fd, text);
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = null;
    fs.renameSync(temporary, file);
  } catch (err) {
    if (fd !== null) fs.closeSync(fd);
    fs.rmSync(temporary, { force: true });
    throw err;
  }
}
