'use strict';
// tshark as the test suite starts it: the real binary, with glibc's malloc on transparent huge
// pages, and its `--version` answered once per suite run.
//
// Why: the suite starts tshark about 1,200 times (the corpus command another 1,300), and on a
// small machine its start-up — ~0.45 s of CPU before the first packet, a third of it page faults
// — is a large part of CI's time. `GLIBC_TUNABLES=glibc.malloc.hugetlb=1` (glibc ≥ 2.35) makes
// malloc ask for huge pages, so tshark's start faults far fewer pages in: measured 0.46 → 0.38 s
// of CPU for a small file, 0.52 → 0.43 s for `-V` on a 700 KB one, the output the same byte for
// byte. Node is not run this way: its buffers would then grow the resident size in 2 MB steps,
// which memory tests measure. And ~70 test files ask `tshark --version` before anything else
// (is tshark installed? which version is the reference?): the answer is the binary's, captured
// once here, stdout and stderr as they were.
//
// makeTsharkShim(dir) writes DIR/tshark (a POSIX shell script calling the real tshark by its
// absolute path) and returns DIR, to put first on PATH; null when tshark is not installed (the
// tests then skip or fail saying so, as without the shim).
//
// As a command, `node scripts/tshark-shim.js CMD [ARGS…]` runs CMD with the shim first on PATH
// (`npm run test:corpus` runs the corpus command so) and exits with its status.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

/** The environment to start tshark in (the corpus command spawns it itself). */
function tsharkEnv(env = process.env) {
  const tunables = env.GLIBC_TUNABLES ? `${env.GLIBC_TUNABLES}:glibc.malloc.hugetlb=1` : 'glibc.malloc.hugetlb=1';
  return { ...env, GLIBC_TUNABLES: tunables };
}

/** The first `name` on PATH that is an executable file, or null. */
function onPath(name, env = process.env) {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      if (fs.statSync(candidate).isFile()) return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

const quote = (s) => `'${s.replace(/'/g, `'\\''`)}'`;

function makeTsharkShim(dir) {
  const real = onPath('tshark');
  if (real === null) return null;
  const version = spawnSync(real, ['--version'], { env: tsharkEnv() });
  if (version.error || version.status !== 0) return null;
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'version.out'), version.stdout);
  fs.writeFileSync(path.join(dir, 'version.err'), version.stderr);
  const script = [
    '#!/bin/sh',
    '# Written by scripts/tshark-shim.js for one run of the test suite: see there.',
    'if [ "$#" -eq 1 ] && [ "$1" = --version ]; then',
    `  cat ${quote(path.join(dir, 'version.err'))} >&2`,
    `  exec cat ${quote(path.join(dir, 'version.out'))}`,
    'fi',
    `GLIBC_TUNABLES=${quote(tsharkEnv().GLIBC_TUNABLES)} exec ${quote(real)} "$@"`,
    '',
  ].join('\n');
  fs.writeFileSync(path.join(dir, 'tshark'), script, { mode: 0o755 });
  return dir;
}

module.exports = { makeTsharkShim, tsharkEnv };

if (require.main === module) {
  const [command, ...args] = process.argv.slice(2);
  if (!command) {
    process.stderr.write('usage: node scripts/tshark-shim.js CMD [ARGS…]\n');
    process.exit(2);
  }
  const dir = fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'sievecap-tshark-shim-'));
  const env = makeTsharkShim(dir) === null ? process.env : { ...process.env, PATH: `${dir}${path.delimiter}${process.env.PATH ?? ''}` };
  const r = spawnSync(command, args, { stdio: 'inherit', env });
  fs.rmSync(dir, { recursive: true, force: true });
  if (r.error) process.stderr.write(`${command}: ${r.error.message}\n`);
  process.exit(r.status ?? 1);
}
