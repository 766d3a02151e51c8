// The benchmarks' command lines: --help prints the usage, an unknown option or a bad number ends the
// run at once (exit 2) instead of a minutes-long run with the defaults. Nothing here starts a
// benchmark: every case exits while parsing its options.
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { test } from 'node:test';
import * as assert from 'node:assert/strict';

const DIST = path.resolve(__dirname, '..');
const BENCHES = ['capture', 'cli', 'decode', 'engine', 'ui'];

function run(bench: string, args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [path.join(DIST, 'bench', bench, 'run.js'), ...args], { encoding: 'utf8', timeout: 30_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

for (const bench of BENCHES) {
  test(`bench/${bench}: --help prints its usage and runs nothing`, () => {
    const r = run(bench, ['--help']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^usage: node dist/bench/${bench}/run\\.js `));
    assert.match(r.stdout, /--json out\.json/);
    assert.equal(r.stderr, '');
  });

  test(`bench/${bench}: an unknown option ends it with the usage`, () => {
    const r = run(bench, ['--packet', '5']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /Unknown option '--packet'/);
    assert.match(r.stderr, /usage: /);
    assert.equal(r.stdout, '');
  });
}

test('bench: a number option that is not a number ends the run', () => {
  const r = run('cli', ['--runs', 'two']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--runs wants a number ≥ 0, not 'two'/);
});
