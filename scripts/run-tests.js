#!/usr/bin/env node
// Runs every compiled test file (dist/**/*.test.js) with node's built-in test runner and ends
// with a clear passed/failed count. `--unit` runs only tests that need no privileges or kernel
// features (files not under dist/tests/).
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const dist = path.join(root, 'dist');
const unitOnly = process.argv.includes('--unit');
const only = process.argv.slice(2).filter((a) => !a.startsWith('--'));

function walk(dir, out) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(p, out);
    else if (entry.name.endsWith('.test.js')) out.push(p);
  }
  return out;
}

if (!fs.existsSync(dist)) {
  console.error('dist/ is missing: run `npm run build` first');
  process.exit(2);
}
let files = walk(dist, []).sort();
if (unitOnly) files = files.filter((f) => !f.startsWith(path.join(dist, 'tests') + path.sep));
if (only.length) files = files.filter((f) => only.some((o) => f.includes(o)));
if (files.length === 0) {
  console.error('no test files found');
  process.exit(2);
}
const result = spawnSync(
  process.execPath,
  ['--enable-source-maps', '--test', '--test-concurrency=1', '--test-timeout=300000', '--test-reporter=spec', ...files],
  { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 },
);
process.stdout.write(result.stdout ?? '');
const count = (name) => {
  const m = new RegExp(`ℹ ${name} (\\d+)`).exec(result.stdout ?? '');
  return m ? Number(m[1]) : 0;
};
const passed = count('pass');
const failed = count('fail') + count('cancelled');
const skipped = count('skipped');
console.log(`\nSievecap tests: ${passed} passed, ${failed} failed, ${skipped} skipped (${files.length} files)`);
process.exit(result.status === 0 && failed === 0 ? 0 : 1);
