/**
 * The engine's exportHttpObjects (File > Export Objects > HTTP) on real captures of the corpus,
 * against `tshark -r F --export-objects http,DIR`: the same file names and the same bytes (on
 * captures where the CLI's --export-objects already agrees with tshark: tests/cli-reports.test.ts).
 * Then one object of each transaction, as `sievecap serve`'s /object sends it, equals tshark's file.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { EngineService } from '../app/engine/service';
import { EngineTestClient } from '../app/engine/service/test-client';
import { corpusLocation } from './support/corpus';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-engine-export-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const FILES = ['chrissanders-packets/http_espn.pcapng', 'chrissanders-packets/http_google.pcapng'];

function readFolder(dir: string): Map<string, Buffer> {
  return new Map(fs.readdirSync(dir).sort().map((name) => [name, fs.readFileSync(path.join(dir, name))]));
}

for (const relative of FILES) {
  const file = path.join(corpusLocation().dir, relative);
  const present = fs.existsSync(file);
  test(`exportHttpObjects writes what tshark --export-objects http writes: ${path.basename(relative)}`, { skip: present ? false : `${file} is missing (the shared corpus: tests/support/corpus.ts)` }, async () => {
    const theirsDir = path.join(tmp, `tshark-${path.basename(relative)}`);
    const t = spawnSync('tshark', ['-r', file, '-q', '--export-objects', `http,${theirsDir}`], { stdio: 'ignore' });
    assert.equal(t.status, 0, 'tshark ran');
    const theirs = readFolder(theirsDir);
    assert.ok(theirs.size > 0, 'tshark exported objects');

    const c = new EngineTestClient(new EngineService({ spoolDir: tmp, configDir: path.join(tmp, 'config'), eventIntervalMs: 0 }));
    const { session } = await c.call('openFile', { path: file });
    const oursDir = path.join(tmp, `engine-${path.basename(relative)}`);
    const result = await c.call('exportHttpObjects', { session, directory: oursDir });
    const ours = readFolder(oursDir);
    assert.deepEqual([...ours.keys()], [...theirs.keys()]);
    for (const [name, bytes] of theirs) assert.ok(ours.get(name)!.equals(bytes), `${name} differs from tshark's`);
    assert.equal(result.files.length, theirs.size);

    // The list names each object as an empty folder would (tshark's first name of it).
    const { objects } = await c.call('httpObjects', { session });
    assert.equal(objects.length, theirs.size);
    assert.deepEqual(objects.map((o) => o.name), result.files.map((f) => f.name.replace(/\(\d+\)(?=\.[^.]*$|$)/, '')));

    // Each transaction alone (its response) into a folder of its own: tshark's bytes again.
    const { transactions } = await c.call('httpTransactions', { session, start: 0, count: 1000 });
    let checked = 0;
    for (const f of result.files) {
      if (f.index === null || f.part !== 'response' || checked >= 12) continue;
      const one = await c.call('exportHttpObjects', { session, directory: path.join(tmp, `one-${path.basename(relative)}-${f.index}`), indexes: [f.index], part: 'response' });
      assert.equal(one.files.length, 1, `transaction ${f.index} (${transactions[f.index]!.path})`);
      assert.ok(fs.readFileSync(path.join(one.directory, one.files[0]!.name)).equals(theirs.get(f.name)!), `${f.name} alone`);
      checked++;
    }
    assert.ok(checked > 0);
    await c.call('closeSession', { session });
  });
}
