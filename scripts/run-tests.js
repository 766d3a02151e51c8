#!/usr/bin/env node
// Runs every compiled test file (dist/**/*.test.js) with node's built-in test runner and ends
// with a clear passed/failed count. `--unit` runs only tests that need no privileges or kernel
// features (files not under dist/tests/). Then the renderer's checks: its vitest unit tests
// (renderer/src/**/*.test.ts), its browser test (renderer/e2e: Chromium over `sievecap serve`) and
// svelte-check (+ tsc for the browser test); `--no-renderer` leaves them out, and a name
// filter runs them only when one of its words is `renderer`. Test files run in two streams at
// once (see SHARED_HOST below); `--serial` runs them all one after another.
'use strict';
const { spawn, spawnSync } = require('node:child_process');
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
/**
 * Two streams at once, each one file at a time: the files that touch loopback, the clock or other
 * processes (live captures on `lo`, servers on 127.0.0.1, timings, signals; found by what their
 * code mentions) run one after another after the renderer's checks, whose browser test captures
 * on `lo` too; all the others (dissection compared with tshark on files, captures inside network
 * namespaces of their own) run beside them. Nothing in the second stream sends or captures on
 * `lo`, so the first sees only its own traffic. `--serial` runs everything in one stream.
 */
const SHARED_HOST = /'lo'|"lo"|127\.0\.0\.1|localhost|::1'|listen\(|createServer|launchChromium|cpuUsage|memoryUsage|performance\.now|Date\.now|SIGKILL|process\.kill|pkexec|polkit/;
const serialOnly = process.argv.includes('--serial');
const serialFiles = serialOnly ? files : files.filter((f) => SHARED_HOST.test(fs.readFileSync(f, 'utf8')));
const besideFiles = serialOnly ? [] : files.filter((f) => !serialFiles.includes(f));
const nodeTestArgs = (list) => ['--enable-source-maps', '--test', '--test-concurrency=1', '--test-timeout=600000', '--test-reporter=spec', ...list];

// The second stream writes to files (not pipes): it runs on while this process waits on the first.
const besideDir = fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'sievecap-tests-'));
const besideOut = path.join(besideDir, 'stdout');
const besideErr = path.join(besideDir, 'stderr');
let beside = null;
if (besideFiles.length) {
  const outFd = fs.openSync(besideOut, 'w');
  const errFd = fs.openSync(besideErr, 'w');
  const child = spawn(process.execPath, nodeTestArgs(besideFiles), { cwd: root, stdio: ['ignore', outFd, errFd] });
  fs.closeSync(outFd);
  fs.closeSync(errFd);
  beside = new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0))));
}
const renderer = withRenderer ? runRendererChecks() : null;
const serial = serialFiles.length
  ? spawnSync(process.execPath, nodeTestArgs(serialFiles), { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 })
  : { status: 0, stdout: '' };
if (serialFiles.length) {
  console.log(`\n# ${serialFiles.length} test files that use loopback, timings or signals (one at a time):`);
  process.stdout.write(serial.stdout ?? '');
}
Promise.resolve(beside).then((besideStatus) => {
  const besideText = besideFiles.length ? fs.readFileSync(besideOut, 'utf8') : '';
  if (besideFiles.length) {
    console.log(`\n# ${besideFiles.length} test files run beside them (one at a time):`);
    process.stderr.write(fs.readFileSync(besideErr, 'utf8'));
    process.stdout.write(besideText);
  }
  fs.rmSync(besideDir, { recursive: true, force: true });
  const count = (name) =>
    [serial.stdout ?? '', besideText].reduce((n, text) => {
      const m = new RegExp(`ℹ ${name} (\\d+)`).exec(text);
      return n + (m ? Number(m[1]) : 0);
    }, 0);
  const status = serial.status === 0 && (besideStatus ?? 0) === 0 ? 0 : 1;
  finish({ passed: count('pass'), failed: count('fail') + count('cancelled'), skipped: count('skipped'), status }, renderer);
});

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
