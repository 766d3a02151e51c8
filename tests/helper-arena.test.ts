/**
 * Batch memory shared between the CLI and the helper it starts as a child (a sealed memfd): the
 * batches arrive as offsets into it, every record intact even when the consumer is slow (the
 * helper waits for a slot to be released instead of overwriting one, and the kernel drops), and
 * the helper refuses a descriptor that is not a size-sealed memfd. Real helper, real captures on
 * lo; the payloads carry their own sequence numbers, so a record overwritten before it was read
 * would show.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { HelperClient, helperEntry } from '../app/helper/client';
import type { DecodedBatch } from '../app/rpc/helper-protocol';
import { finished, sleep } from './support/netns';

const NOT_ROOT = process.getuid?.() !== 0 ? 'needs root to capture' : false;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-arena-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const port = 30000 + (process.pid % 20000);

/** `count` UDP datagrams to 127.0.0.1:port, each 'SEQ' + a 10-digit number; stops by itself. */
function send(count: number): ChildProcess {
  const script = `import socket\ns = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\nfor i in range(${count}):\n    s.sendto(b'SEQ%010d' % i, ('127.0.0.1', ${port}))\n`;
  return spawn('python3', ['-c', script], { stdio: 'ignore' });
}

/** The sequence numbers in a batch of microsecond pcap records (each frame: Ethernet, IPv4, UDP, payload). */
function sequences(batch: DecodedBatch): number[] {
  const r = batch.records;
  const view = new DataView(r.buffer, r.byteOffset, r.byteLength);
  const out: number[] = [];
  let at = 0;
  while (at < r.length) {
    assert.ok(at + 16 <= r.length, 'a record header runs past the batch');
    assert.ok(view.getUint32(at + 4, true) < 1e6, 'a record has a microsecond field over a second');
    const capLen = view.getUint32(at + 8, true);
    assert.ok(at + 16 + capLen <= r.length, 'a record runs past the batch');
    const payload = Buffer.from(r.buffer, r.byteOffset + at + 16 + 42, capLen - 42).toString('latin1');
    const m = /^SEQ(\d{10})$/.exec(payload);
    assert.ok(m, `a record holds something else than a datagram of this test: ${JSON.stringify(payload.slice(0, 40))}`);
    out.push(Number(m[1]));
    at += 16 + capLen;
  }
  assert.equal(out.length, batch.packetCount);
  return out;
}

async function capture(options: { slowMs: number; count: number }): Promise<{ seen: number[]; arenaBatches: number; socketBatches: number; dropped: number }> {
  const seen: number[] = [];
  let arenaBatches = 0;
  let socketBatches = 0;
  const client = await HelperClient.start(
    { kind: 'child', uid: 0, gid: 0 },
    {
      onBatch: (batch) => {
        if (batch.arena) arenaBatches++;
        else socketBatches++;
        seen.push(...sequences(batch));
        // A slow consumer: the helper must wait for this batch's release before reusing its slot.
        if (options.slowMs > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, options.slowMs);
        return true;
      },
      onCaptureError: () => undefined,
      onLost: (reason) => assert.fail(reason),
    },
    { batchArena: true },
  );
  try {
    await client.request('start', {
      spec: { interfaces: ['lo'], filter: `udp dst port ${port}`, snapLen: 262144, promiscuous: false, bufferBytes: 2 << 20, recordFormat: 'pcap-us' },
    });
    await finished(send(options.count));
    await sleep(300);
    const { statistics } = await client.request('stop', {});
    return { seen, arenaBatches, socketBatches, dropped: statistics[0]!.dropped };
  } finally {
    client.close();
    await client.exited();
  }
}

describe('batches in memory shared with the helper', { skip: NOT_ROOT }, () => {
  test('every datagram arrives once, in order, through the arena', async () => {
    const count = 20_000;
    const { seen, arenaBatches, socketBatches, dropped } = await capture({ slowMs: 0, count });
    assert.ok(arenaBatches > 0, 'batches came through the arena');
    assert.equal(socketBatches, 0);
    assert.equal(dropped, 0);
    assert.deepEqual(seen, Array.from({ length: count }, (_, i) => i));
  });

  test('a slow consumer: the kernel drops, and no record is overwritten before it was read', async () => {
    const count = 300_000;
    const { seen, arenaBatches, dropped } = await capture({ slowMs: 150, count });
    assert.ok(arenaBatches > 0);
    assert.ok(dropped > 0, 'the ring filled while every arena slot waited for the consumer: the kernel dropped');
    // What arrived is intact (sequences() checked every record) and in order, without repeats.
    for (let k = 1; k < seen.length; k++) assert.ok(seen[k]! > seen[k - 1]!, `datagram ${seen[k]} after ${seen[k - 1]}`);
    // (On lo the kernel counts both copies of a dropped datagram, outgoing and incoming.)
    assert.ok(seen.length < count, 'some datagrams were dropped, not buffered without bound');
  });
});

describe('the helper checks the descriptor it is given', () => {
  const socketDir = path.join(tmp, 'nonexistent');
  const run = (fd3: number | 'ignore'): { status: number | null; stderr: string } =>
    spawnSync(process.execPath, ['--single-threaded', helperEntry(), '--socket-dir', socketDir, '--batch-arena', '3'], {
      stdio: ['ignore', 'ignore', 'pipe', fd3],
      encoding: 'utf8',
      env: { PATH: process.env.PATH },
    });

  test('a regular file is refused, and nothing is mapped', () => {
    const file = path.join(tmp, 'plain');
    fs.writeFileSync(file, Buffer.alloc(4 << 20));
    const fd = fs.openSync(file, 'r+');
    try {
      const r = run(fd);
      assert.equal(r.status, 1);
      assert.match(r.stderr, /cannot use the batch memory the client shared: the batch memory descriptor is not a sealed memfd/);
    } finally {
      fs.closeSync(fd);
    }
  });

  test('a memfd whose size is not sealed is refused', () => {
    // python3's os.memfd_create makes a memfd without seals; the helper inherits it as descriptor 3.
    const script = [
      'import os, subprocess, sys',
      'fd = os.memfd_create("x", os.MFD_ALLOW_SEALING)',
      'os.ftruncate(fd, 4 << 20)',
      'os.dup2(fd, 3, inheritable=True)',
      `r = subprocess.run([${JSON.stringify(process.execPath)}, "--single-threaded", ${JSON.stringify(helperEntry())}, "--socket-dir", ${JSON.stringify(socketDir)}, "--batch-arena", "3"], pass_fds=(3,), capture_output=True, text=True)`,
      'sys.stdout.write(str(r.returncode) + "\\n" + r.stderr)',
    ].join('\n');
    const out = spawnSync('python3', ['-c', script], { encoding: 'utf8' }).stdout;
    assert.match(out, /^1\n/);
    assert.match(out, /must be a memfd of 1 MiB to 1 GiB with its size sealed/);
  });

  test('through pkexec (PKEXEC_UID set) the option is refused outright', () => {
    const r = spawnSync(process.execPath, ['--single-threaded', helperEntry(), '--socket-dir', socketDir, '--batch-arena', '3'], {
      stdio: ['ignore', 'ignore', 'pipe'],
      encoding: 'utf8',
      env: { PATH: process.env.PATH, PKEXEC_UID: '1000' },
    });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--batch-arena is for a helper started as a child, not through pkexec/);
  });
});
