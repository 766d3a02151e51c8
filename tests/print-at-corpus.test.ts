/**
 * The in-place printing path of `sievecap -r` (appendPacketLineAt on a packet inside a bigger
 * buffer) on every file of the shared corpus: each packet, surrounded by random bytes, prints as
 * formatPacketLine prints it alone. app/cli/print/print-at.test.ts checks the same on frames it
 * builds; this is the integration version over real captures.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendPacketLineAt, formatPacketLine, LineBuffer, PrintState, type PrintOptions } from '../app/cli/print';
import { CaptureReader } from '../app/pcap/reader';
import { captureFiles, requireCorpusDir } from './support/corpus';

const OPTION_SETS: PrintOptions[] = [
  { numeric: true, quick: false, linkHeader: false, timestamp: 'default' },
  { numeric: true, quick: false, linkHeader: true, timestamp: 'date', verbose: 1 },
  { numeric: true, quick: true, linkHeader: false, timestamp: 'delta', nanoTimestamps: true },
  { numeric: true, quick: false, linkHeader: false, timestamp: 'epoch', verbose: 2 },
];

test('corpus: a packet printed inside a buffer of random bytes prints as it does alone', (t) => {
  const files = captureFiles(requireCorpusDir()).filter((f) => !/\.gz$/i.test(f));
  let seed = 7;
  const random = (): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff);
  const surroundings = Buffer.alloc(300_000);
  let packets = 0;
  for (const opts of OPTION_SETS) {
    for (const file of files) {
      const alone = new PrintState();
      const inPlace = new PrintState();
      const out = new LineBuffer(1024);
      const reader = CaptureReader.open(file);
      for (let p = reader.next(); p !== null; p = reader.next()) {
        // Random bytes before and after: a printer reading outside the packet would show it.
        const before = random() % 64;
        for (let i = 0; i < before + p.data.length + 64; i++) surroundings[i] = random() & 0xff;
        p.data.copy(surroundings, before);
        const sec = p.tsNs / 1_000_000_000n;
        out.length = 0;
        appendPacketLineAt(surroundings, before, p.data.length, p.origLen, p.linkType, Number(sec), Number(p.tsNs - sec * 1_000_000_000n), opts, inPlace, out);
        const expected = formatPacketLine({ tsNs: p.tsNs, data: p.data, origLen: p.origLen, linkType: p.linkType }, opts, alone);
        if (out.toString() !== expected) assert.fail(`${file} packet ${p.index + 1} ${JSON.stringify(opts)}:\n  alone:    ${expected}\n  in place: ${out.toString()}`);
        packets++;
      }
      reader.close();
    }
  }
  t.diagnostic(`${files.length} files x ${OPTION_SETS.length} option sets, ${packets} packets`);
});
