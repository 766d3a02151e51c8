/**
 * Batch memory reused by the native reader must never be taken from a batch JavaScript still holds.
 * A batch handed back (recycle) goes to the pool and the reader fills it again: a later batch at
 * the same address. When the first batch's Buffer object is then collected, its finalizer must not
 * return the memory a second time, or the later batch (still held, perhaps still queued on the
 * helper's socket) is overwritten or freed under it: under load the helper's socket write failed
 * with EFAULT and captures ended early. Real capture on lo; the payloads carry sequence numbers, so
 * a batch overwritten after delivery shows; garbage collection is forced between batches.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { LiveCapture } from '../app/capture/live-capture';
import { finished, sleep } from './support/netns';

const NOT_ROOT = process.getuid?.() !== 0 ? 'needs root to capture' : false;
v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

const port = 31000 + (process.pid % 20000);
const COUNT = 60_000;

/** Sequence numbers of a batch of nanosecond pcap records of this test's datagrams (Ethernet, IPv4, UDP, 'SEQ' + 10 digits). */
function sequences(batch: Buffer): number[] {
  const out: number[] = [];
  for (let at = 0; at < batch.length; ) {
    assert.ok(at + 16 <= batch.length, 'a record header runs past its batch');
    const capLen = batch.readUInt32LE(at + 8);
    assert.ok(at + 16 + capLen <= batch.length, 'a record runs past its batch');
    const m = /^SEQ(\d{10})$/.exec(batch.toString('latin1', at + 16 + 42, at + 16 + capLen));
    assert.ok(m, 'a record holds something else than a datagram of this test: its memory was reused');
    out.push(Number(m[1]));
    at += 16 + capLen;
  }
  return out;
}

test('a batch still held keeps its bytes while handed-back batches are reused and collected', { skip: NOT_ROOT }, async () => {
  const held: Array<{ batch: Buffer; expected: number[] }> = [];
  /** Handed-back batches whose Buffer objects live on for a while, as a socket's write queue keeps them. */
  let limbo: Buffer[] = [];
  let k = 0;
  let capture: LiveCapture | undefined;
  capture = LiveCapture.open(
    { interface: 'lo', filter: `udp dst port ${port}`, snapLen: 262144, promiscuous: false, bufferBytes: 4 << 20, blockSize: 64 << 10, recordFormat: 'pcap' },
    (batch) => {
      const expected = sequences(batch);
      if (k++ % 2 === 0) {
        // Handed back at once: the reader fills this memory again (a later batch at the same
        // address), while this Buffer object lives on and is collected only some batches later.
        capture!.recycle(batch);
        limbo.push(batch);
      } else {
        held.push({ batch, expected });
      }
      if (limbo.length > 4) {
        limbo = limbo.slice(-1);
        gc();
      }
    },
  );
  try {
    const script = `import socket\ns = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\nfor i in range(${COUNT}):\n    s.sendto(b'SEQ%010d' % i, ('127.0.0.1', ${port}))\n`;
    await finished(spawn('python3', ['-c', script], { stdio: 'ignore' }));
    await sleep(300);
  } finally {
    await capture.close();
  }
  gc();
  assert.ok(held.length > 10, `${held.length} batches held`);
  for (const { batch, expected } of held) assert.deepEqual(sequences(batch), expected, 'a held batch changed after it was delivered');
});
