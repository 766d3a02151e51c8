#!/usr/bin/env node
// Runs every compiled test file (dist/**/*.test.js) with node's built-in test runner and ends
// with a clear passed/failed count. `--unit` runs only tests that need no privileges or kernel
// features (files not under dist/tests/). Then the renderer's checks: its vitest unit tests
// (renderer/src/**/*.test.ts), its browser test (renderer/e2e: Chromium over `sievecap serve`) and
// svelte-check (+ tsc for the browser test); `--no-renderer` leaves them out, and a name
// filter runs them only when one of its words is `renderer`.
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
const withRenderer = !process.argv.includes('--no-renderer') && (only.length === 0 || only.includes('renderer'));
const nodeFilters = only.filter((o) => o !== 'renderer');
if (only.length) files = nodeFilters.length ? files.filter((f) => nodeFilters.some((o) => f.includes(o))) : [];
if (files.length === 0 && !withRenderer) {
  console.error('no test files found');
  process.exit(2);
}
const renderer = withRenderer ? runRendererChecks() : null;
if (files.length === 0) finish({ passed: 0, failed: 0, skipped: 0, status: 0 }, renderer);
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
finish({ passed: count('pass'), failed: count('fail') + count('cancelled'), skipped: count('skipped'), status: result.status }, renderer);

/** The renderer's vitest tests (counted from vitest's JSON report) and svelte-check (one check: 0 errors). */
function runRendererChecks() {
  const bin = (name) => path.join(root, 'node_modules', '.bin', name);
  const report = path.join(fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'sievecap-vitest-')), 'report.json');
  console.log('\n# renderer: vitest run --config renderer/vite.config.ts');
  const vitest = spawnSync(bin('vitest'), ['run', '--config', 'renderer/vite.config.ts', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`], {
    cwd: root,
    // --unit: the browser test leaves out its live capture on lo (a kernel feature).
    env: unitOnly ? { ...process.env, SIEVECAP_NO_LIVE_CAPTURE: '1' } : process.env,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  let tests = { passed: 0, failed: 0, skipped: 0 };
  try {
    const r = JSON.parse(fs.readFileSync(report, 'utf8'));
    tests = { passed: r.numPassedTests, failed: r.numFailedTests + (r.numTotalTestSuites > 0 && r.success === false && r.numFailedTests === 0 ? 1 : 0), skipped: r.numPendingTests + r.numTodoTests };
  } catch {
    tests.failed = 1;
    console.error('renderer: vitest wrote no report (it could not start)');
  }
  fs.rmSync(path.dirname(report), { recursive: true, force: true });
  if (vitest.status !== 0 && tests.failed === 0) tests.failed = 1;
  console.log('\n# renderer: svelte-check --tsconfig renderer/tsconfig.json; tsc -p renderer/e2e/tsconfig.json');
  const check = spawnSync(bin('svelte-check'), ['--tsconfig', 'renderer/tsconfig.json', '--output', 'human'], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
  process.stdout.write(check.stdout ?? '');
  // The browser test is Node code: typed by tsc, not svelte-check.
  const e2eTypes = spawnSync(bin('tsc'), ['-p', 'renderer/e2e/tsconfig.json'], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  const checkOk = check.status === 0 && e2eTypes.status === 0;
  console.log(`\nRenderer: ${tests.passed} vitest tests passed, ${tests.failed} failed, ${tests.skipped} skipped; svelte-check ${checkOk ? 'passed' : 'FAILED'}`);
  return { ...tests, checkOk };
}

function finish(node, rendererResult) {
  let passed = node.passed;
  let failed = node.failed;
  let skipped = node.skipped;
  let line = `\nSievecap tests: ${node.passed} passed, ${node.failed} failed, ${node.skipped} skipped (${files.length} node test files)`;
  if (rendererResult) {
    passed += rendererResult.passed + (rendererResult.checkOk ? 1 : 0);
    failed += rendererResult.failed + (rendererResult.checkOk ? 0 : 1);
    skipped += rendererResult.skipped;
    line += `\nRenderer tests: ${rendererResult.passed} passed, ${rendererResult.failed} failed, ${rendererResult.skipped} skipped; svelte-check ${rendererResult.checkOk ? 'passed' : 'failed'}`;
    line += `\nAll: ${passed} passed, ${failed} failed, ${skipped} skipped`;
  }
  console.log(line);
  process.exit(node.status === 0 && failed === 0 ? 0 : 1);
}
