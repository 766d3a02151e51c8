/**
 * FTP data connections (ftp-data in app/dissect/ftp.ts) against tshark 4.0 on the shared corpus
 * capture of an FTP session with passive-mode transfers: every frame's frame.protocols, Protocol and
 * Info, the ftp-data fields (setup frame and method, command, command frame, directory), the summary
 * lines and display filters on ftp-data's fields. Skipped when tshark is not installed; fails when
 * the corpus is missing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { requireCorpusDir } from './support/corpus';
import { sievecap } from './support/sievecap';

const NO_TSHARK = spawnSync('tshark', ['--version']).status !== 0 ? 'tshark is not installed (apt-get install tshark)' : false;

const FIELDS = [
  'frame.protocols', '_ws.col.Protocol', '_ws.col.Info', 'ftp.request.command', 'ftp.response.code', 'ftp.passive.port',
  'ftp-data.setup-frame', 'ftp-data.setup-method', 'ftp-data.command', 'ftp-data.command-frame', 'ftp-data.current-working-directory',
];
const FILTERS = ['ftp-data', 'ftp-data.setup-method == "PASV"', 'ftp-data.command contains "STOR"', 'ftp-data.setup-frame == 60', 'data-text-lines'];

function run(command: 'ours' | 'tshark', file: string, args: string[]): string {
  const r = command === 'tshark'
    ? spawnSync('tshark', ['-r', file, '-n', ...args], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 })
    : sievecap(['-r', file, '-n', ...(args.includes('fields') ? args : ['-T', 'text', ...args])]);
  assert.equal(r.status, 0, String(r.stderr));
  return String(r.stdout);
}

test('FTP passive-mode data connections agree with tshark', { skip: NO_TSHARK }, () => {
  const file = path.join(requireCorpusDir(), 'chrissanders-packets/tickedoffdeveloper.pcapng');
  const fields = ['-T', 'fields', '-E', 'header=y', ...FIELDS.flatMap((f) => ['-e', f])];
  const ours = run('ours', file, fields);
  assert.ok(ours.includes('ftp-data:data-text-lines'), 'no FTP data frames dissected');
  assert.equal(ours, run('tshark', file, fields));
  assert.equal(run('ours', file, []), run('tshark', file, []), 'summary lines');
  for (const filter of FILTERS) assert.equal(run('ours', file, ['-Y', filter]), run('tshark', file, ['-Y', filter]), `-Y ${filter}`);
});
