/**
 * The table number formats against their references: printf('%*.*f') from coreutils' printf
 * (C's printf, round-half-to-even on exact ties), and format_size against values tshark printed.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { formatSize, nsToSeconds, printfFixed } from './conv-format';

function cPrintf(format: string, value: number): string {
  // The value goes in as exact decimal text of the double, so printf sees the same number.
  const r = spawnSync('/usr/bin/printf', [format, value.toFixed(60)], { encoding: 'utf8', env: { LC_ALL: 'C' } });
  assert.equal(r.status, 0, `/usr/bin/printf failed: ${r.stderr}`);
  return r.stdout;
}

test('printfFixed agrees with C printf, including exact ties (round half to even)', () => {
  const values = [0, 0.03125, 0.09375, 0.15625, 1.03125 - 1, 2.5, 0.5, 1.5, 0.00005, 0.1344, 1.0553, 8.172, 3.99963, -0.5, -0.03125, 123456.78125, 1e-9, 0.9999999995];
  for (const v of values) {
    assert.equal(printfFixed(v, 4, 12), cPrintf('%12.4f', v), `%12.4f of ${v}`);
    assert.equal(printfFixed(v, 9, 14), cPrintf('%14.9f', v), `%14.9f of ${v}`);
    assert.equal(printfFixed(v, 0, 3), cPrintf('%3.0f', v), `%3.0f of ${v}`);
  }
});

test('formatSize prints what tshark 4.0 prints in its conversation tables', () => {
  // Pairs seen in `tshark -q -z conv,…` output on the corpus and on crafted files.
  assert.equal(formatSize(0), '0 bytes');
  assert.equal(formatSize(909), '909 bytes');
  assert.equal(formatSize(8704), '8704 bytes');
  assert.equal(formatSize(9999), '9999 bytes');
  assert.equal(formatSize(10_000), '10 kB');
  assert.equal(formatSize(16_320), '16 kB');
  assert.equal(formatSize(882_999), '882 kB');
  assert.equal(formatSize(9_999_999), '9999 kB');
  assert.equal(formatSize(10_000_000), '10 MB');
  assert.equal(formatSize(25_000_000_000), '25 GB');
});

test('nsToSeconds adds seconds and nanoseconds as doubles, as Wireshark does', () => {
  assert.equal(nsToSeconds(1_031_250_000n), 1.03125);
  assert.equal(nsToSeconds(-500_000_000n), -0.5);
  assert.equal(nsToSeconds(1_700_000_000_123_456_789n), 1_700_000_000 + 123_456_789 / 1e9);
});
