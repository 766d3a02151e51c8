/**
 * Comparing Sievecap's display-filter selections with tshark's for many filters at once, with one
 * process start per side instead of one per filter and side (start-up is most of the time both
 * tools take on a small capture; the suite compares thousands of filter/file pairs).
 *
 * - Ours: the real CLI, `-r FILE -n -T text -Y F` for each filter, run in one Node process
 *   (cli-batch-child.ts) — the same code and output as `bin/sievecap` with those arguments.
 * - tshark: ONE `tshark -r FILE -n` run whose Lua script registers a tap Listener per filter (a
 *   Listener's filter is the display-filter engine -Y uses) and prints the frame numbers each
 *   selects; tshark's `-Y F` output is the summary lines of those frames (in one pass, a frame's
 *   line does not depend on what else is displayed). SIEVECAP_CHECK_TSHARK_SELECTIONS=1 also runs
 *   `tshark -Y F` per filter and fails where the two differ.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { CliRun } from './cli-batch-child';

const CHILD = path.join(__dirname, 'cli-batch-child.js');

/** Runs `sievecap ARGS` for each argument list, in one Node process. */
export function sievecapRuns(runs: string[][], timeoutMs = 300_000): CliRun[] {
  const r = spawnSync(process.execPath, ['--single-threaded', CHILD], {
    input: JSON.stringify(runs),
    encoding: 'utf8',
    timeout: timeoutMs,
    maxBuffer: 1024 * 1024 * 1024,
  });
  assert.equal(r.status, 0, `the CLI batch failed (${r.signal ?? r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout) as CliRun[];
}

function luaScript(filters: readonly string[]): string {
  const list = filters.map((f) => {
    const level = '='.repeat((f.match(/=+/g) ?? []).reduce((n, m) => Math.max(n, m.length), 0) + 1);
    return `  [${level}[${f}]${level}],`;
  });
  return `local filters = {\n${list.join('\n')}\n}
for i, f in ipairs(filters) do
  local ok, listener = pcall(Listener.new, nil, f)
  if ok then
    listener.packet = function(pinfo) io.write("#F", i - 1, " ", pinfo.number, "\\n") end
  else
    io.write("#BAD ", i - 1, "\\n")
  end
end
`;
}

/**
 * One `tshark -r FILE -n ARGS` run with a Lua tap Listener per filter: its summary lines, and per
 * filter the 1-based numbers of the frames `tshark -r FILE -n ARGS -Y F` would print.
 */
export function tsharkFrameSelections(file: string, filters: readonly string[], args: readonly string[] = []): { lines: string[]; frames: number[][] } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-agree-'));
  try {
    const script = path.join(dir, 'filters.lua');
    fs.writeFileSync(script, luaScript(filters));
    const r = spawnSync('tshark', ['-r', file, '-n', ...args, '-X', `lua_script:${script}`], { encoding: 'utf8', maxBuffer: 1024 * 1024 * 1024, timeout: 300_000 });
    if (r.error) assert.fail(`cannot run tshark (${r.error.message}): install it with apt-get install tshark`);
    assert.equal(r.status, 0, `tshark -r ${file}: ${r.stderr}`);
    const lines: string[] = [];
    const frames = filters.map(() => [] as number[]);
    for (const line of r.stdout.split('\n')) {
      const m = /^#F(\d+) (\d+)$/.exec(line);
      if (m) frames[Number(m[1])]!.push(Number(m[2]));
      else if (/^#BAD (\d+)$/.test(line)) assert.fail(`tshark rejects the display filter ${filters[Number(line.slice(5))]}`);
      else if (line !== '') lines.push(line);
    }
    if (process.env.SIEVECAP_CHECK_TSHARK_SELECTIONS === '1') {
      filters.forEach((f, i) => {
        const y = spawnSync('tshark', ['-r', file, '-n', ...args, '-Y', f, '-T', 'fields', '-e', 'frame.number'], { encoding: 'utf8', maxBuffer: 1024 * 1024 * 1024 });
        assert.deepEqual(frames[i], y.stdout.split('\n').filter(Boolean).map(Number), `tshark -Y ${f} on ${file}: its own selection differs from the Listener's`);
      });
    }
    return { lines, frames };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * tshark's summary output of FILE (`tshark -r FILE -n ARGS`) and, per filter, what
 * `tshark -r FILE -n ARGS -Y F` prints — from one tshark run.
 */
export function tsharkSelections(file: string, filters: readonly string[], args: readonly string[] = []): { summary: string; selected: string[] } {
  const { lines, frames } = tsharkFrameSelections(file, filters, args);
  const selected = frames.map((numbers) => numbers.map((n) => `${lines[n - 1]}\n`).join(''));
  return { summary: lines.map((l) => `${l}\n`).join(''), selected };
}

/**
 * Asserts that `sievecap -r FILE -n ARGS -T text -Y F` prints what `tshark -r FILE -n ARGS -Y F`
 * prints, for every filter. `args` go to both (e.g. `-o tcp.desegment_tcp_streams:FALSE`),
 * `tsharkArgs` to tshark only.
 */
export function assertFiltersAgree(
  file: string,
  filters: readonly string[],
  options: { args?: readonly string[]; tsharkArgs?: readonly string[]; context?: string } = {},
): void {
  if (filters.length === 0) return;
  const args = options.args ?? [];
  const context = options.context ?? path.basename(file);
  const ours = sievecapRuns(filters.map((f) => ['-r', file, '-n', ...args, '-T', 'text', '-Y', f]));
  const theirs = tsharkSelections(file, filters, [...args, ...(options.tsharkArgs ?? [])]);
  filters.forEach((f, i) => {
    assert.equal(ours[i]!.status, 0, `sievecap -Y ${f} on ${context}: ${ours[i]!.stderr}`);
    assert.equal(ours[i]!.stdout, theirs.selected[i], `-Y ${f} on ${context}`);
  });
}

/**
 * Asserts that `sievecap -r FILE -n ARGS -Y F -T fields -e frame.number` selects the frames
 * `tshark -r FILE -n ARGS -Y F` selects, for every filter (one process per side). Returns tshark's
 * selections.
 */
export function assertFrameSelectionsAgree(file: string, filters: readonly string[], options: { args?: readonly string[]; context?: string } = {}): number[][] {
  if (filters.length === 0) return [];
  const args = options.args ?? [];
  const context = options.context ?? path.basename(file);
  const ours = sievecapRuns(filters.map((f) => ['-r', file, '-n', ...args, '-Y', f, '-T', 'fields', '-e', 'frame.number']));
  const { frames } = tsharkFrameSelections(file, filters, args);
  filters.forEach((f, i) => {
    assert.equal(ours[i]!.status, 0, `sievecap -Y ${f} on ${context}: ${ours[i]!.stderr}`);
    assert.equal(ours[i]!.stdout, frames[i]!.map((n) => `${n}\n`).join(''), `-Y ${f} on ${context}`);
  });
  return frames;
}

/** The first line where two outputs differ, field by field for -T fields with a header line (a whole output is too long to read); '' when equal. */
export function firstDifference(ours: string, theirs: string): string {
  const a = ours.split('\n');
  const b = theirs.split('\n');
  const names = b[0]!.split('\t');
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] === b[i]) continue;
    const x = (a[i] ?? '').split('\t');
    const y = (b[i] ?? '').split('\t');
    const columns = names.length === y.length ? names.map((name, j) => [name, x[j], y[j]]).filter(([, u, v]) => u !== v) : [];
    return `line ${i + 1}: ` + (columns.length ? columns.map(([n, u, v]) => `${n}: ours '${u}' tshark '${v}'`).join('; ') : `ours '${a[i]}' tshark '${b[i]}'`);
  }
  return '';
}
