/**
 * What a live capture's file keeps when things go wrong, checked with the reference readers:
 * - SIGKILL: with maxDelayMs every packet handed over is in the file shortly after, although the
 *   writer's buffer never filled and nobody called flush() or close();
 * - a full disk: the file is cut back to the last whole record, reads without any warning, and
 *   holds exactly the packets the error message states;
 * - packetBuffered (tcpdump -U): the bytes are in the file when the write call returns.
 */
import * as assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { PcapngWriter, PcapWriter } from '../app/pcap';
import type { WriteError } from '../app/pcap/fd-writer';
import { requireTool, runTool, stderrWithoutRootWarning, tempDir } from './pcap-helpers';
import { udpFrames } from './support/frames';
import { sleep, waitForOutput } from './support/netns';

const PCAP_INDEX = path.resolve(__dirname, '..', 'app', 'pcap', 'index.js');
const FRAMES_JS = path.resolve(__dirname, 'support', 'frames.js');
const T0 = 1_700_000_000_000_000_000n;

/** Valid Ethernet/IPv4/UDP frames of 60..259 bytes, so that record boundaries fall irregularly. */
const FRAMES: Buffer[] = Array.from({ length: 200 }, (_, i) =>
  udpFrames({ count: 1, srcMac: '02:00:00:00:00:01', dstMac: '02:00:00:00:00:02', srcIp: '10.0.0.1', dstIp: '10.0.0.2', dstPort: 9, payload: 18 + i })[0] as Buffer,
);
const frame = (i: number): Buffer => FRAMES[i % FRAMES.length] as Buffer;

/** A little-endian EPB as the native layer builds it (interface 0, ns time stamp, epb_flags). */
function epb(i: number): Buffer {
  const data = frame(i);
  const padded = (data.length + 3) & ~3;
  const total = 28 + padded + 12 + 4;
  const b = Buffer.alloc(total);
  const ts = T0 + BigInt(i) * 1000n;
  b.writeUInt32LE(6, 0);
  b.writeUInt32LE(total, 4);
  b.writeUInt32LE(Number(ts >> 32n), 12);
  b.writeUInt32LE(Number(ts & 0xffffffffn), 16);
  b.writeUInt32LE(data.length, 20);
  b.writeUInt32LE(data.length, 24);
  data.copy(b, 28);
  b.writeUInt16LE(2, 28 + padded);
  b.writeUInt16LE(4, 30 + padded);
  b.writeUInt32LE(1 + (i % 2), 32 + padded);
  b.writeUInt32LE(total, total - 4);
  return b;
}

/** A little-endian nanosecond pcap record, as the native layer builds it. */
function pcapRecord(i: number): Buffer {
  const data = frame(i);
  const ts = T0 + BigInt(i) * 1000n;
  const h = Buffer.alloc(16);
  h.writeUInt32LE(Number(ts / 1_000_000_000n), 0);
  h.writeUInt32LE(Number(ts % 1_000_000_000n), 4);
  h.writeUInt32LE(data.length, 8);
  h.writeUInt32LE(data.length, 12);
  return Buffer.concat([h, data]);
}

function batchOf(make: (i: number) => Buffer, from: number, count: number): Buffer {
  return Buffer.concat(Array.from({ length: count }, (_, k) => make(from + k)));
}

/**
 * Checks that tshark and capinfos read the file without a single warning (no "cut short", no
 * "appears to be damaged") and returns the packet count they agree on.
 */
function packetsReadByReferenceTools(file: string): number {
  const ts = runTool('tshark', ['-n', '-r', file, '-T', 'fields', '-e', 'frame.number']);
  assert.equal(ts.code, 0, `tshark failed on ${file}: ${ts.stderr}`);
  assert.equal(stderrWithoutRootWarning(ts.stderr), '', `tshark printed warnings on ${file}`);
  const tsharkCount = ts.stdout.split('\n').filter(Boolean).length;
  const ci = runTool('capinfos', ['-c', '-M', file]);
  assert.equal(ci.code, 0, `capinfos failed on ${file}: ${ci.stderr}`);
  assert.equal(stderrWithoutRootWarning(ci.stderr), '', `capinfos printed warnings on ${file}`);
  const m = /Number of packets:\s+(\d+)\s*$/m.exec(ci.stdout);
  assert.ok(m, `capinfos printed no packet count: ${ci.stdout}`);
  assert.equal(Number(m[1]), tsharkCount, 'capinfos and tshark disagree on the packet count');
  return tsharkCount;
}

describe('SIGKILL after writing: maxDelayMs puts every packet in the file', () => {
  before(() => {
    requireTool('tshark');
    requireTool('capinfos');
  });

  /**
   * Runs `body` (JavaScript with `frame(i)`, `epb(i)`, `record(i)`, `batch(make, from, n)` and
   * `written(writer)` in scope; it ends by calling written(), then idles) in a child node whose cwd
   * is '/', waits for its "written N" line, gives it 600 ms, SIGKILLs it and returns N.
   */
  async function killAfterWriting(file: string, body: string): Promise<number> {
    const script = `
      const { PcapngWriter, PcapWriter } = require(${JSON.stringify(PCAP_INDEX)});
      const { udpFrames } = require(${JSON.stringify(FRAMES_JS)});
      const file = process.argv[1];
      const frame = (i) => udpFrames({ count: 1, srcMac: '02:00:00:00:00:01', dstMac: '02:00:00:00:00:02', srcIp: '10.0.0.1', dstIp: '10.0.0.2', dstPort: 9, payload: 18 + (i % 200) })[0];
      const record = (i) => {
        const data = frame(i);
        const h = Buffer.alloc(16);
        h.writeUInt32LE(1700000000 + i, 0);
        h.writeUInt32LE(i * 1000, 4);
        h.writeUInt32LE(data.length, 8);
        h.writeUInt32LE(data.length, 12);
        return Buffer.concat([h, data]);
      };
      const epb = (i) => {
        const data = frame(i);
        const padded = (data.length + 3) & ~3;
        const b = Buffer.alloc(32 + padded);
        b.writeUInt32LE(6, 0);
        b.writeUInt32LE(b.length, 4);
        b.writeUInt32LE(0x179, 12);
        b.writeUInt32LE(i * 1000, 16);
        b.writeUInt32LE(data.length, 20);
        b.writeUInt32LE(data.length, 24);
        data.copy(b, 28);
        b.writeUInt32LE(b.length, b.length - 4);
        return b;
      };
      const batch = (make, from, n) => Buffer.concat(Array.from({ length: n }, (_, k) => make(from + k)));
      // A pipe: process.stdout writes synchronously on Linux, so the line is out before we idle.
      const written = (w) => process.stdout.write('written ' + w.packetCount + '\\n');
      ${body}
    `;
    const child = spawn(process.execPath, ['-e', script, file], { cwd: '/', stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    try {
      const out = await waitForOutput(child, 'stdout', /written (\d+)\n/, 'writer child', 30_000).catch((e: Error) => {
        throw new Error(`${e.message}\nstderr: ${stderr}`);
      });
      await sleep(600);
      assert.equal(child.exitCode, null, `the child should still be running: ${stderr}`);
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
      return Number(/written (\d+)/.exec(out)?.[1]);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  }

  /** Reports, then keeps the child alive with an idle event loop (the writer's timer is unref'd). */
  const IDLE = `written(w); setInterval(() => {}, 1 << 30);`;

  test('PcapngWriter (maxDelayMs 250): writePacket and writeBlocks, then idle', async () => {
    const { dir, remove } = tempDir('durable-ng');
    try {
      const file = path.join(dir, 'killed.pcapng');
      const n = await killAfterWriting(file, `
        const w = new PcapngWriter(file, { interfaces: [{ linkType: 1, name: 'lo' }], maxDelayMs: 250 });
        for (let i = 0; i < 150; i++) w.writePacket({ interfaceId: 0, tsNs: 1700000000000000000n + BigInt(i), data: frame(i) });
        w.writeBlocks(batch(epb, 150, 200));
        w.writeBlocks(batch(epb, 350, 100), 0, 100);
        for (let i = 450; i < 500; i++) w.writePacket({ interfaceId: 0, tsNs: 1700000000000000000n + BigInt(i), data: frame(i) });
        ${IDLE}
      `);
      assert.equal(n, 500);
      // Far below the 1 MiB buffer: without maxDelayMs the file would still be empty.
      assert.ok(fs.statSync(file).size < 256 * 1024);
      assert.equal(packetsReadByReferenceTools(file), n);
    } finally {
      remove();
    }
  });

  test('PcapWriter (maxDelayMs 250): writePacket and writeRecords, then idle', async () => {
    for (const nanosecond of [false, true]) {
      const { dir, remove } = tempDir('durable-pcap');
      try {
        const file = path.join(dir, 'killed.pcap');
        const n = await killAfterWriting(file, `
          const w = new PcapWriter(file, { linkType: 1, nanosecond: ${nanosecond}, maxDelayMs: 250 });
          for (let i = 0; i < 120; i++) w.writePacket({ tsNs: 1700000000000000000n + BigInt(i), data: frame(i) });
          w.writeRecords(batch(record, 120, 250));
          for (let i = 370; i < 400; i++) w.writePacket({ tsNs: 1700000000000000000n + BigInt(i), data: frame(i) });
          ${IDLE}
        `);
        assert.equal(n, 400);
        assert.equal(packetsReadByReferenceTools(file), n, nanosecond ? 'nanosecond file' : 'microsecond file');
      } finally {
        remove();
      }
    }
  });

  test('PcapngWriter (maxDelayMs 250): a write call after 250 ms flushes inline even when the timer cannot run', async () => {
    const { dir, remove } = tempDir('durable-inline');
    try {
      const file = path.join(dir, 'blocked.pcapng');
      // The event loop never runs again after the second call (Atomics.wait blocks it), so only the
      // check at the end of the second write call can have put the packets in the file.
      const n = await killAfterWriting(file, `
        const w = new PcapngWriter(file, { interfaces: [{ linkType: 1, name: 'lo' }], maxDelayMs: 250 });
        w.writePacket({ interfaceId: 0, tsNs: 1700000000000000000n, data: frame(0) });
        const t0 = Date.now();
        while (Date.now() - t0 < 300) {}
        w.writeBlocks(batch(epb, 1, 9));
        written(w);
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
      `);
      assert.equal(n, 10);
      assert.equal(packetsReadByReferenceTools(file), n);
    } finally {
      remove();
    }
  });
});

const notRoot = typeof process.getuid === 'function' && process.getuid() !== 0;

describe('a full disk leaves a valid file holding every whole packet', { skip: notRoot ? 'mounting a tmpfs needs root' : false }, () => {
  const CAPACITY = 256 * 1024;
  let mountDir = '';
  let mounted = false;

  before(() => {
    requireTool('tshark');
    requireTool('capinfos');
    mountDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-diskfull-'));
    const r = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${CAPACITY / 1024}k`, 'tmpfs', mountDir], { encoding: 'utf8' });
    assert.equal(r.status, 0, `cannot mount a tmpfs on ${mountDir}: ${r.stderr}`);
    mounted = true;
  });

  after(() => {
    if (mounted) spawnSync('umount', [mountDir]);
    if (mountDir !== '') fs.rmSync(mountDir, { recursive: true, force: true });
  });

  interface Writer {
    out: { packetsWritten: number; bytesWritten: number };
    close(): void;
  }

  /**
   * Calls `write(i)` until the writer throws, then checks the error, the writer's state after it
   * and the file as the reference tools read it.
   */
  function fillDisk<W extends Writer>(name: string, open: (file: string) => W, write: (w: W, i: number) => void): void {
    const file = path.join(mountDir, name);
    const w = open(file);
    let error: WriteError | undefined;
    try {
      for (let i = 0; i < 100_000 && error === undefined; i++) {
        try {
          write(w, i);
        } catch (e) {
          error = e as WriteError;
        }
      }
      assert.ok(error !== undefined, 'the writer never reported the full disk');
      assert.equal(error.code, 'ENOSPC', String(error));
      const escaped = file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      const m = new RegExp(`^error writing ${escaped}: the disk is full \\(ENOSPC\\); the file holds the (\\d+) packets written before it$`).exec(error.message);
      assert.ok(m, `unexpected message: ${error.message}`);
      const stated = Number(m[1]);
      assert.equal(w.out.packetsWritten, stated);
      // Sticky: the next write throws the same error; close() only closes.
      let again: unknown;
      try {
        write(w, 0);
      } catch (e) {
        again = e;
      }
      assert.equal(again, error, 'a write after the error should throw the same error');
      assert.doesNotThrow(() => w.close());
      const size = fs.statSync(file).size;
      assert.equal(size, w.out.bytesWritten, 'the file should end at the last whole record');
      assert.ok(size >= 0.8 * CAPACITY && size <= CAPACITY, `the file holds ${size} bytes of a ${CAPACITY}-byte file system`);
      assert.equal(packetsReadByReferenceTools(file), stated);
    } finally {
      try {
        w.close();
      } catch {
        // Already asserted above; here we only make sure the descriptor is closed.
      }
      fs.rmSync(file, { force: true });
    }
  }

  test('PcapngWriter.writePacket', () => {
    fillDisk('packets.pcapng', (f) => new PcapngWriter(f, { interfaces: [{ linkType: 1, name: 'lo' }] }), (w, i) =>
      w.writePacket({ interfaceId: 0, tsNs: T0 + BigInt(i), data: frame(i), flags: 1 }),
    );
  });

  test('PcapngWriter.writeBlocks: batches of EPBs, buffered and larger than the buffer', () => {
    fillDisk('batches.pcapng', (f) => new PcapngWriter(f, { interfaces: [{ linkType: 1, name: 'lo' }] }), (w, i) => {
      w.writeBlocks(batchOf(epb, i * 50, 50));
    });
    // 1.5 MiB batches go to the descriptor without the buffer; the first is cut by the full disk.
    fillDisk('big-batches.pcapng', (f) => new PcapngWriter(f, { interfaces: [{ linkType: 1, name: 'lo' }] }), (w, i) => {
      w.writeBlocks(batchOf(epb, i * 7000, 7000), 0, 7000);
    });
  });

  test('PcapWriter.writePacket (microseconds), also with packetBuffered', () => {
    fillDisk('packets.pcap', (f) => new PcapWriter(f, { linkType: 1 }), (w, i) => w.writePacket({ tsNs: T0 + BigInt(i), data: frame(i) }));
    // Every call flushes: the full disk cuts one record short.
    fillDisk('packets-U.pcap', (f) => new PcapWriter(f, { linkType: 1, packetBuffered: true }), (w, i) => w.writePacket({ tsNs: T0 + BigInt(i), data: frame(i) }));
  });

  test('PcapWriter.writeRecords: nanosecond batches (verbatim) and microsecond batches (converted)', () => {
    fillDisk('records-ns.pcap', (f) => new PcapWriter(f, { linkType: 1, nanosecond: true }), (w, i) => {
      w.writeRecords(batchOf(pcapRecord, i * 40, 40));
    });
    fillDisk('records-us.pcap', (f) => new PcapWriter(f, { linkType: 1 }), (w, i) => {
      w.writeRecords(batchOf(pcapRecord, i * 40, 40));
    });
  });

  test('maxDelayMs: an error met by the timer is handed to onBackgroundError and thrown by the next write', async () => {
    const file = path.join(mountDir, 'timer.pcapng');
    const seen: Error[] = [];
    // More than the disk holds, in one call (below half the 1 MiB buffer, so it is buffered): only the timer writes it.
    const batch = batchOf(epb, 0, 2500);
    const w = new PcapngWriter(file, { interfaces: [{ linkType: 1, name: 'lo' }], maxDelayMs: 100, onBackgroundError: (e) => seen.push(e) });
    try {
      w.writeBlocks(batch);
      assert.equal(fs.statSync(file).size, 0);
      for (let waited = 0; seen.length === 0 && waited < 10_000; waited += 20) await sleep(20);
      assert.equal(seen.length, 1, 'onBackgroundError was not called');
      const err = seen[0] as WriteError;
      assert.equal(err.code, 'ENOSPC');
      assert.match(err.message, /: the disk is full \(ENOSPC\); the file holds the \d+ packets written before it$/);
      assert.throws(() => w.writePacket({ interfaceId: 0, tsNs: T0, data: frame(0) }), (e) => e === err);
      assert.doesNotThrow(() => w.close());
      assert.equal(packetsReadByReferenceTools(file), err.packetsInFile);
    } finally {
      try {
        w.close();
      } catch {
        // Closed above.
      }
      fs.rmSync(file, { force: true });
    }
  });
});

describe('packetBuffered (tcpdump -U): the bytes are in the file when the call returns', () => {
  test('PcapWriter: header, writePacket, writeRecords', () => {
    const { dir, remove } = tempDir('packet-buffered');
    try {
      const file = path.join(dir, 'u.pcap');
      const w = new PcapWriter(file, { linkType: 1, nanosecond: true, packetBuffered: true });
      assert.equal(fs.statSync(file).size, 24, 'the file header is written at once');
      let expected = 24;
      for (let i = 0; i < 5; i++) {
        w.writePacket({ tsNs: T0 + BigInt(i), data: frame(i) });
        expected += 16 + frame(i).length;
        assert.equal(fs.statSync(file).size, expected, `after packet ${i}`);
      }
      const batch = batchOf(pcapRecord, 5, 20);
      w.writeRecords(batch);
      expected += batch.length;
      assert.equal(fs.statSync(file).size, expected, 'after a batch');
      w.close();
      assert.equal(packetsReadByReferenceTools(file), 25);
    } finally {
      remove();
    }
  });

  test('PcapngWriter: header, writePacket, writeBlocks, addInterface', () => {
    const { dir, remove } = tempDir('packet-buffered-ng');
    try {
      const file = path.join(dir, 'u.pcapng');
      const w = new PcapngWriter(file, { interfaces: [{ linkType: 1, name: 'lo' }], packetBuffered: true });
      let expected = fs.statSync(file).size;
      assert.ok(expected > 0, 'the section header and interface are written at once');
      for (let i = 0; i < 5; i++) {
        w.writePacket({ interfaceId: 0, tsNs: T0 + BigInt(i), data: frame(i) });
        expected += 32 + ((frame(i).length + 3) & ~3);
        assert.equal(fs.statSync(file).size, expected, `after packet ${i}`);
      }
      const batch = batchOf(epb, 5, 20);
      w.writeBlocks(batch);
      expected += batch.length;
      assert.equal(fs.statSync(file).size, expected, 'after a batch');
      w.addInterface({ linkType: 1, name: 'eth9' });
      assert.ok(fs.statSync(file).size > expected, 'after addInterface');
      w.close();
      assert.equal(packetsReadByReferenceTools(file), 25);
    } finally {
      remove();
    }
  });
});
