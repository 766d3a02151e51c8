#!/usr/bin/env node
// Runs every compiled test file (dist/**/*.test.js) with node's built-in test runner and ends
// with a clear passed/failed count. `--unit` runs only tests that need no privileges or kernel
// features (files not under dist/tests/). Then the renderer's checks: its vitest unit tests
// (renderer/src/**/*.test.ts), its browser test (renderer/e2e: Chromium over `sievecap serve`) and
// svelte-check (+ tsc for the browser test); `--no-renderer` leaves them out, and a name
// filter runs them only when one of its words is `renderer`. Test files run in two streams at
// once (see SHARED_HOST below); `--serial` runs them all one after another.
'use strict';
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { makeTsharkShim } = require('./tshark-shim');

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
 * Files that touch loopback, the clock or other processes (live captures on `lo`, servers on
 * 127.0.0.1, timings, signals; found by what their code mentions) run one after another, after the
 * renderer's checks, whose browser test captures on `lo` too. All the others (dissection compared
 * with tshark on files, captures inside network namespaces of their own) run beside them, one file
 * at a time from a queue; once the one-at-a-time files are done, a second worker takes files from
 * the same queue, so both CPUs of a small machine stay busy to the end. Nothing in the queue sends
 * or captures on `lo`, so the first stream sees only its own traffic. `--serial` runs everything
 * in one stream. A file whose words only look like these (its `lo` is a network namespace's own, an
 * address in a certificate, a child killed on the way out) says so with OWN_NAMESPACE in a comment
 * and runs beside.
 */
const SHARED_HOST = /'lo'|"lo"|127\.0\.0\.1|localhost|'::1'|listen\(|createServer|launchChromium|cpuUsage|memoryUsage|performance\.now|Date\.now|SIGKILL|process\.kill|pkexec|polkit/;
const OWN_NAMESPACE = '// test-runner: beside the others (';
const serialOnly = process.argv.includes('--serial');
const serialFiles = serialOnly
  ? files
  : files.filter((f) => {
      const text = fs.readFileSync(f, 'utf8');
      return SHARED_HOST.test(text) && !text.includes(OWN_NAMESPACE);
    });
const besideFiles = serialOnly ? [] : files.filter((f) => !serialFiles.includes(f));
const nodeTestArgs = (list) => ['--enable-source-maps', '--test', '--test-concurrency=1', '--test-timeout=600000', '--test-reporter=spec', ...list];

/** Runs a command; resolves with its exit status and what it wrote (stdout and stderr kept apart). */
function run(command, args, options = {}) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: root, stdio: ['ignore', options.inherit ? 'inherit' : 'pipe', options.inherit ? 'inherit' : 'pipe'], env: options.env ?? process.env });
    const out = [];
    const err = [];
    child.stdout?.on('data', (c) => out.push(c));
    child.stderr?.on('data', (c) => err.push(c));
    child.on('error', (e) => err.push(Buffer.from(String(e))));
    child.on('close', (code, signal) => resolve({ status: code ?? (signal ? 1 : 0), stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }));
  });
}

// tshark, which the tests start ~1,200 times, as scripts/tshark-shim.js starts it (first on PATH
// for every test process; removed when the runner exits).
const shimDir = fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'sievecap-tshark-shim-'));
process.on('exit', () => fs.rmSync(shimDir, { recursive: true, force: true }));
if (makeTsharkShim(shimDir) !== null) process.env.PATH = `${shimDir}${path.delimiter}${process.env.PATH ?? ''}`;

const queue = besideFiles.map((file, index) => ({ file, index }));
const besideResults = [];
const suiteBegan = Date.now();
/** When the queue of files run beside was emptied (seconds from the start). */
let besideDone = 0;
/** Takes files from the queue until it is empty. */
async function worker() {
  for (let next = queue.shift(); next; next = queue.shift()) {
    const began = Date.now();
    const r = await run(process.execPath, nodeTestArgs([next.file]));
    besideResults.push({ ...r, index: next.index, file: next.file, seconds: (Date.now() - began) / 1000 });
  }
  besideDone = Math.max(besideDone, (Date.now() - suiteBegan) / 1000);
}

(async () => {
  const first = worker();
  const renderer = withRenderer ? await runRendererChecks() : null;
  let serial = { status: 0, stdout: '', stderr: '' };
  const serialBegan = Date.now();
  const rendererSeconds = (serialBegan - suiteBegan) / 1000;
  let serialSeconds = 0;
  if (serialFiles.length) {
    serial = await run(process.execPath, nodeTestArgs(serialFiles));
    serialSeconds = (Date.now() - serialBegan) / 1000;
    console.log(`\n# ${serialFiles.length} test files that use loopback, timings or signals (one at a time):`);
    process.stderr.write(serial.stderr);
    process.stdout.write(serial.stdout);
  }
  const second = worker();
  await Promise.all([first, second]);
  besideResults.sort((x, y) => x.index - y.index);
  if (besideFiles.length) {
    console.log(`\n# ${besideFiles.length} test files run beside them (each on its own, two at a time once the others are done):`);
    for (const r of besideResults) {
      process.stderr.write(r.stderr);
      process.stdout.write(r.stdout);
    }
  }
  // Where the time went (the suite's length is what CI waits for): the one-at-a-time block, and
  // the files that ran longest beside it.
  const slowest = [...besideResults].sort((x, y) => y.seconds - x.seconds).slice(0, 5);
  if (serialFiles.length || slowest.length) {
    console.log(`\n# time: renderer checks ${rendererSeconds.toFixed(0)} s, then ${serialFiles.length} one-at-a-time files ${serialSeconds.toFixed(0)} s; the ${besideFiles.length} files beside them done at ${besideDone.toFixed(0)} s, all at ${((Date.now() - suiteBegan) / 1000).toFixed(0)} s; slowest beside: ${slowest.map((r) => `${path.relative(dist, r.file)} ${r.seconds.toFixed(0)} s`).join(', ')}`);
  }
  // Every beside file's time, longest first, for finding what to shorten.
  fs.mkdirSync(path.join(root, 'test-artifacts'), { recursive: true });
  fs.writeFileSync(
    path.join(root, 'test-artifacts', 'beside-times.txt'),
    [...besideResults].sort((x, y) => y.seconds - x.seconds).map((r) => `${r.seconds.toFixed(1).padStart(7)} ${path.relative(dist, r.file)}`).join('\n') + '\n',
  );
  const texts = [serial.stdout, ...besideResults.map((r) => r.stdout)];
  const count = (name) =>
    texts.reduce((n, text) => {
      const m = new RegExp(`ℹ ${name} (\\d+)`).exec(text);
      return n + (m ? Number(m[1]) : 0);
    }, 0);
  const status = serial.status === 0 && besideResults.every((r) => r.status === 0) ? 0 : 1;
  const failures = texts.flatMap(failingTests);
  for (const r of [serial, ...besideResults]) {
    // A file that failed without a failing test (it could not load, or it was killed) is named too.
    if (r.status !== 0 && !failingTests(r.stdout).length) failures.push(`${r.file ? path.relative(root, r.file) : 'the one-at-a-time files'}: exit ${r.status}: ${lastLines(r.stderr || r.stdout, 3)}`);
  }
  finish({ passed: count('pass'), failed: count('fail') + count('cancelled'), skipped: count('skipped'), status, failures }, renderer);
})();

/**
 * The failing tests named in node's spec report ("✖ failing tests:" at its end): each as
 * "file:line › name: first line of its error". CI shows only the tail of a long log, so these are
 * printed again at the end (and kept in test-artifacts/failed-tests.txt for .ci/run to print last).
 */
function failingTests(text) {
  const at = text.lastIndexOf('✖ failing tests:');
  if (at < 0) return [];
  const lines = text.slice(at).split('\n').slice(1);
  const out = [];
  let where = '';
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const loc = /^test at (.+)$/.exec(line.trim());
    if (loc) where = loc[1];
    const name = /^✖ (.+?) \([\d.]+m?s\)$/.exec(line.trim());
    if (!name) continue;
    const message = lines.slice(i + 1).map((l) => l.trim()).find((l) => l !== '') ?? '';
    out.push(`${where ? `${where} › ` : ''}${name[1]}: ${message.slice(0, 300)}`);
  }
  return out;
}

function lastLines(text, n) {
  return text.trim().split('\n').slice(-n).join(' | ').slice(0, 400);
}

/** The renderer's vitest tests (counted from vitest's JSON report) and svelte-check (one check: 0 errors). */
async function runRendererChecks() {
  const bin = (name) => path.join(root, 'node_modules', '.bin', name);
  const report = path.join(fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'sievecap-vitest-')), 'report.json');
  console.log('\n# renderer: vitest run --config renderer/vite.config.ts');
  const vitest = await run(bin('vitest'), ['run', '--config', 'renderer/vite.config.ts', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`], {
    // --unit: the browser test leaves out its live capture on lo (a kernel feature).
    env: unitOnly ? { ...process.env, SIEVECAP_NO_LIVE_CAPTURE: '1' } : process.env,
    inherit: true,
  });
  let tests = { passed: 0, failed: 0, skipped: 0, failures: [] };
  try {
    const r = JSON.parse(fs.readFileSync(report, 'utf8'));
    const failures = [];
    for (const file of r.testResults ?? []) {
      const failed = (file.assertionResults ?? []).filter((a) => a.status === 'failed');
      for (const a of failed) failures.push(`${path.relative(root, file.name)} › ${a.fullName}: ${String(a.failureMessages?.[0] ?? '').split('\n')[0].slice(0, 300)}`);
      if (!failed.length && file.status === 'failed') failures.push(`${path.relative(root, file.name)}: ${String(file.message ?? '').split('\n')[0].slice(0, 300)}`);
    }
    tests = { passed: r.numPassedTests, failed: r.numFailedTests + (r.numTotalTestSuites > 0 && r.success === false && r.numFailedTests === 0 ? 1 : 0), skipped: r.numPendingTests + r.numTodoTests, failures };
  } catch {
    tests.failed = 1;
    console.error('renderer: vitest wrote no report (it could not start)');
  }
  fs.rmSync(path.dirname(report), { recursive: true, force: true });
  if (vitest.status !== 0 && tests.failed === 0) tests.failed = 1;
  if (vitest.status !== 0 && tests.failures.length === 0) tests.failures.push(`renderer vitest: exit ${vitest.status}`);
  console.log('\n# renderer: svelte-check --tsconfig renderer/tsconfig.json; tsc -p renderer/e2e/tsconfig.json');
  const check = await run(bin('svelte-check'), ['--tsconfig', 'renderer/tsconfig.json', '--output', 'human']);
  process.stdout.write(check.stdout);
  process.stderr.write(check.stderr);
  // The browser test is Node code: typed by tsc, not svelte-check.
  const e2eTypes = await run(bin('tsc'), ['-p', 'renderer/e2e/tsconfig.json'], { inherit: true });
  const checkOk = check.status === 0 && e2eTypes.status === 0;
  if (check.status !== 0) tests.failures.push(`svelte-check: ${lastLines(check.stdout, 3)}`);
  if (e2eTypes.status !== 0) tests.failures.push('tsc -p renderer/e2e/tsconfig.json: type errors (above)');
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
  const failures = [...(rendererResult?.failures ?? []), ...node.failures];
  const list = path.join(root, 'test-artifacts', 'failed-tests.txt');
  fs.rmSync(list, { force: true });
  if (failures.length) {
    line += `\n\nFailed (${failures.length}):\n${failures.map((f) => `  ${f}`).join('\n')}`;
    fs.mkdirSync(path.dirname(list), { recursive: true });
    fs.writeFileSync(list, failures.join('\n') + '\n');
  }
  console.log(line);
  process.exit(node.status === 0 && failed === 0 ? 0 : 1);
}
