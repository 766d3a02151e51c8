/**
 * `sievecap --help` and the manual page come from one option table (help-table.ts): every option
 * the parser accepts is in both, and groff formats the page without a warning.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { help } from './args';
import { renderHelp, renderMan } from './help-table';

const HELP = help();

const ROOT = path.resolve(__dirname, '../../..');

/** The options of parseCommandLine's parseArgs table, read from its source: long names and short letters. */
function parserOptions(): { long: string[]; short: string[] } {
  const source = fs.readFileSync(path.join(ROOT, 'app/cli/args.ts'), 'utf8');
  const start = source.indexOf('export function parseCommandLine(');
  const table = source.slice(source.indexOf('options: {', start), source.indexOf('\n      },\n    });', start));
  const long = [...table.matchAll(/^\s+'?([\w-]+)'?: \{ type: '(?:string|boolean)'/gm)].map((m) => m[1]!);
  const short = [...table.matchAll(/short: '(.)'/g)].map((m) => m[1]!);
  return { long, short };
}

test('--help is the table rendered, and names every option the parser takes', () => {
  assert.equal(HELP, renderHelp());
  const { long, short } = parserOptions();
  assert.ok(long.length > 40 && short.length > 30, `${long.length} long, ${short.length} short options read`);
  // Options the parser has under an internal name only (-e FIELD after -T, the tcpdump letters).
  const internal = new Set(['f', 'w', 'F', 'r', 'n', 'q', 'e', 't', 'v', 'x', 'X', 'A', 'N', 'V', 'T', 'Y', 'z', 'o', 'E', 'C', 'G', 'W', 'field']);
  for (const name of long) if (!internal.has(name)) assert.ok(HELP.includes(`--${name}`), `--${name} in --help`);
  for (const letter of short) assert.match(HELP, new RegExp(`(^|[\\s,/])-${letter.replace(/[#]/, '\\#')}([\\s,]|$)`, 'm'), `-${letter} in --help`);
});

test('the manual page has every option of --help, and groff formats it without warnings', () => {
  const man = renderMan('9.9.9', '2026-12-04');
  assert.match(man, /^\.TH SIEVECAP 1 "2026-12-04" "sievecap 9\.9\.9"/);
  for (const m of HELP.matchAll(/^ {2}(-[^\s,]+|--[\w-]+)/gm)) {
    const flag = m[1]!.replace(/-/g, '\\-');
    assert.ok(man.includes(`\\fB${flag}`), `${m[1]} in the manual page`);
  }
  const groff = spawnSync('groff', ['-man', '-Tutf8', '-ww', '-z'], { input: man, encoding: 'utf8' });
  assert.equal(groff.error, undefined, 'groff is installed (groff-base)');
  assert.equal(groff.status, 0, groff.stderr);
  assert.equal(groff.stderr, '', 'no warnings');
  // What the build wrote is the same page (its date and version aside).
  const built = fs.readFileSync(path.join(ROOT, 'dist/man/sievecap.1'), 'utf8');
  assert.equal(built.split('\n').slice(1).join('\n'), man.split('\n').slice(1).join('\n'));
});
