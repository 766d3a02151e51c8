import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { FrameFile } from './frame-file';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-frame-file-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

test('FrameFile: walks, jumps back and forth, and a file that grows give the bytes the file holds', () => {
  // 9 MiB of numbered bytes: a walk crosses 4 MiB read-aheads, jumps read 64 KiB.
  const size = 9 * 1024 * 1024;
  const content = Buffer.alloc(size);
  for (let i = 0; i < size; i += 4) content.writeUInt32LE(i, i);
  const file = path.join(dir, 'frames.bin');
  fs.writeFileSync(file, content);
  const frames = new FrameFile(file);
  try {
    // A walk of 1500-byte "frames" with gaps, across chunk boundaries.
    for (let offset = 0; offset + 1500 <= size; offset += 1700) assert.ok(frames.bytes(offset, 1500).equals(content.subarray(offset, offset + 1500)), `walk at ${offset}`);
    // Jumps: far back, far ahead, straddling 64 KiB boundaries, and a frame larger than a jump read.
    for (const [offset, length] of [[17, 60], [8_000_000, 1514], [65_530, 20], [3_000_000, 200_000], [131_000, 2000], [9 * 1024 * 1024 - 60, 60], [100, 70_000]] as const) {
      assert.ok(frames.bytes(offset, length).equals(content.subarray(offset, offset + length)), `jump to ${offset}+${length}`);
      const at = frames.locate(offset, length);
      assert.ok(frames.buffer.subarray(at, at + length).equals(content.subarray(offset, offset + length)), `locate ${offset}+${length}`);
    }
    assert.throws(() => frames.bytes(size - 10, 20), /ends at byte 9437184, but a packet of 20 bytes was indexed at byte 9437174/);
    // The file grows (a live spool): after invalidate() the new bytes are read.
    const more = Buffer.from('appended bytes');
    fs.appendFileSync(file, more);
    frames.invalidate();
    assert.equal(frames.bytes(size, more.length).toString(), 'appended bytes');
  } finally {
    frames.close();
  }
});
