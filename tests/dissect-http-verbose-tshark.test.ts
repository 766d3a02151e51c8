/**
 * HTTP messages' first lines and headers in `-V` against tshark 4.0: each line from the
 * "Hypertext Transfer Protocol" heading to the blank line that ends the headers, as
 * `tshark -n -r F -V` prints it, on the corpus' HTTP captures. A header tshark knows is its own
 * item labelled with the whole line (Content-Length with its value, Cookie with its pairs under
 * it); a line over 239 characters is "[truncated]"; a response's status code has its description.
 * What follows the headers (request numbering, decoded bodies, form items) is not compared yet.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { requireCorpusDir } from './support/corpus';
import { corpusAsOne } from './support/merge';
import { sievecap } from './support/sievecap';

const NO_TSHARK = spawnSync('tshark', ['--version']).status !== 0 ? 'tshark is not installed (apt-get install tshark)' : false;

const FILES = [
  'chrissanders-packets/http_google.pcapng', 'chrissanders-packets/http_post.pcapng', 'chrissanders-packets/http_espn.pcapng',
  'chrissanders-packets/http_ip4and6.pcapng', 'dpkt/examples/data/http.pcap', 'dpkt/examples/data/nb6-http.pcap',
];

/** Each HTTP message's heading, first line and headers, up to and including the blank line. */
function httpHeaders(verbose: string): string[] {
  const out: string[] = [];
  let inside = false;
  for (const line of verbose.split('\n')) {
    if (line === 'Hypertext Transfer Protocol') inside = true;
    else if (!line.startsWith(' ')) inside = false;
    if (!inside) continue;
    out.push(line);
    if (line === '    \\r\\n') inside = false;
  }
  return out;
}

test('HTTP first lines and headers in -V are the lines tshark -V prints, on the corpus\' HTTP captures', { skip: NO_TSHARK }, () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-http-verbose-'));
  try {
    let lines = 0;
    for (const file of corpusAsOne(requireCorpusDir(), FILES, path.join(tmp, 'http.pcapng'))) {
      const theirs = spawnSync('tshark', ['-n', '-r', file, '-V'], { encoding: 'utf8', maxBuffer: 256 << 20 });
      assert.equal(theirs.status, 0, theirs.stderr);
      const ours = sievecap(['-n', '-r', file, '-V']);
      assert.equal(ours.status, 0, ours.stderr.toString());
      const expected = httpHeaders(theirs.stdout);
      const actual = httpHeaders(ours.stdout.toString());
      const differing = expected.map((line, k) => [line, actual[k]]).filter(([a, b]) => a !== b).slice(0, 5);
      assert.deepEqual(differing, [], `${path.basename(file)}: the first lines that differ (tshark, ours)`);
      assert.equal(actual.length, expected.length, path.basename(file));
      lines += expected.length;
    }
    assert.ok(lines > 500, `${lines} lines compared`);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});
