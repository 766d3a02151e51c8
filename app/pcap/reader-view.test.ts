/**
 * CaptureReader.nextView() (packets read in place, time stamps as numbers) against next() on
 * crafted files: the same packets, lengths, bytes and time stamps, and the same error at the same
 * place on damaged files. tests/pcap-reader-view.test.ts checks the same against tshark and on
 * every corpus file.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { assertSameAsNext, manyRecords } from '../../tests/support/reader-view';
import { pcapHeader, pcapRecord, sampleFrame } from './craft';
import { CaptureReader } from './reader';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-reader-view-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));
let fileNo = 0;

function writeTemp(bytes: Buffer): string {
  const file = path.join(dir, `f${fileNo++}.pcap`);
  fs.writeFileSync(file, bytes);
  return file;
}

for (const le of [true, false]) {
  for (const nanosecond of [false, true]) {
    test(`nextView = next on a ${le ? 'little' : 'big'}-endian ${nanosecond ? 'ns' : 'µs'} file of 5 MiB`, () => {
      assert.deepEqual(assertSameAsNext(writeTemp(Buffer.concat(manyRecords(le, nanosecond, 6000)))), { count: 6000, error: null });
    });
  }
}

test('nextView = next: fractions of a second or more carry into the seconds', () => {
  const file = writeTemp(Buffer.concat([
    pcapHeader(true, false, 1),
    pcapRecord(true, 10, 999_999, sampleFrame(1)),
    pcapRecord(true, 10, 1_000_000, sampleFrame(2)),
    pcapRecord(true, 10, 0xffffffff, sampleFrame(3)),
    pcapRecord(true, 0xffffffff, 2_500_000, sampleFrame(4)),
  ]));
  assertSameAsNext(file);
  const r = CaptureReader.open(file);
  const ts: string[] = [];
  for (let v = r.nextView(); v !== null; v = r.nextView()) ts.push(`${v.tsSec}.${v.tsNsec}`);
  r.close();
  assert.deepEqual(ts, ['10.999999000', '11.0', '4304.967295000', '4294967297.500000000']);
});

test('nextView = next on damage: caplen over the maximum, a record cut short, swapped 2.2 lengths', () => {
  const good = manyRecords(true, false, 3000);
  const huge = pcapRecord(true, 1, 0, sampleFrame(9));
  huge.writeUInt32LE(300_000, 8);
  const tooBig = assertSameAsNext(writeTemp(Buffer.concat([...good, huge, ...good.slice(1, 10)])));
  assert.equal(tooBig.count, 3000);
  assert.match(tooBig.error ?? '', /caplen 300000 is bigger than the maximum/);
  const whole = Buffer.concat(good);
  const cut = assertSameAsNext(writeTemp(whole.subarray(0, whole.length - 7)));
  assert.equal(cut.count, 2999);
  assert.match(cut.error ?? '', /truncated packet record/);
  const old = pcapHeader(true, false, 1, 65535, [2, 2]);
  const rec = pcapRecord(true, 1, 0, sampleFrame(1, 60));
  rec.writeUInt32LE(100, 8);
  rec.writeUInt32LE(60, 12);
  assert.deepEqual(assertSameAsNext(writeTemp(Buffer.concat([old, rec, rec]))), { count: 2, error: null });
});
