/**
 * The fast segment path of app/reassembly (frames read straight from the bytes, UDP and ICMP
 * skipped unless a tunnel port may carry TCP) must find exactly the HTTP transactions the full
 * dissector finds, on every file of the shared corpus: same streams, requests, responses, sizes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { analyzeHttpCapture } from '../app/reassembly';
import { transactionJson } from '../app/cli/http-report';
import { captureFiles, requireCorpusDir } from './support/corpus';


test('fast and full segment paths give the same HTTP transactions on the corpus', () => {
  const corpus = requireCorpusDir();
  const files = captureFiles(corpus);
  assert.ok(files.length > 500, `only ${files.length} corpus files found`);
  let transactions = 0;
  for (const file of files) {
    const fast = analyzeHttpCapture(file, { keepBodies: false });
    const full = analyzeHttpCapture(file, { keepBodies: false, fastSegments: false });
    assert.deepEqual(fast.transactions.map(transactionJson), full.transactions.map(transactionJson), path.relative(corpus, file));
    assert.equal(fast.frames, full.frames);
    transactions += fast.transactions.length;
  }
  assert.ok(transactions > 100, `only ${transactions} HTTP transactions in the corpus`);
  console.log(`# ${files.length} files, ${transactions} HTTP transactions, identical on both paths`);
});
