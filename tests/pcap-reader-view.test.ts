/**
 * CaptureReader.nextView() (packets read in place) against tshark on a crafted 5 MiB file, and
 * against next() on every file of the shared corpus (packets, bytes, time stamps, errors). The
 * checks on crafted files alone are in app/pcap/reader-view.test.ts.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { CaptureReader } from '../app/pcap/reader';
import { requireCorpusDir } from './support/corpus';
import { assertSameAsNext, manyRecords } from './support/reader-view';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-reader-view-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

test('nextView agrees with tshark on time stamps and lengths of a 5 MiB file', (t) => {
  if (spawnSync('tshark', ['--version']).status !== 0) assert.fail('tshark is needed for this test: apt-get install tshark');
  const file = path.join(dir, 'many.pcap');
  fs.writeFileSync(file, Buffer.concat(manyRecords(true, true, 6000)));
  const r = spawnSync('tshark', ['-r', file, '-T', 'fields', '-e', 'frame.time_epoch', '-e', 'frame.len', '-e', 'frame.cap_len'], {
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  });
  assert.equal(r.status, 0, r.stderr);
  const theirs = r.stdout.trim().split('\n');
  const reader = CaptureReader.open(file);
  const ours: string[] = [];
  for (let v = reader.nextView(); v !== null; v = reader.nextView()) {
    ours.push(`${v.tsSec}.${String(v.tsNsec).padStart(9, '0')}\t${v.origLen}\t${v.capLen}`);
  }
  reader.close();
  assert.equal(ours.length, theirs.length);
  assert.deepEqual(ours, theirs);
  t.diagnostic(`${ours.length} packets agree with ${spawnSync('tshark', ['--version'], { encoding: 'utf8' }).stdout.split('\n')[0]}`);
});

test('corpus: nextView = next on every capture file (packets, bytes, time stamps, errors)', (t) => {
  const corpus = requireCorpusDir();
  let files = 0;
  let packets = 0;
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(pcap|pcapng|cap|ntar|dmp)(\.gz)?$/i.test(e.name)) {
        packets += assertSameAsNext(p).count;
        files++;
      }
    }
  };
  walk(corpus);
  assert.ok(files > 100, `only ${files} capture files under ${corpus}`);
  t.diagnostic(`${files} files, ${packets} packets`);
});
