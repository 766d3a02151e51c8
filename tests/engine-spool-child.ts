/**
 * Child process of the spool crash test: appends the frames of a capture file to a live
 * PacketStore again and again (single packets and EPB batches, alternately), and after each append
 * reports on stdout, with a synchronous write, how many frames the store holds. The parent kills
 * it with SIGKILL at some point; every frame reported must then be in the spool.
 *
 *   node engine-spool-child.js SOURCE SPOOL MAX_FRAMES
 */
import * as fs from 'node:fs';
import { PacketStore } from '../app/engine';
import { CaptureReader } from '../app/pcap/reader';

/** One little-endian EPB (interface 0) with an epb_flags option, as the native capture layer builds them. */
function epb(tsNs: bigint, data: Buffer, origLen: number, flags: number): Buffer {
  const padded = (data.length + 3) & ~3;
  const total = 32 + padded + 12;
  const b = Buffer.alloc(total);
  b.writeUInt32LE(6, 0);
  b.writeUInt32LE(total, 4);
  b.writeUInt32LE(0, 8);
  b.writeUInt32LE(Number(tsNs >> 32n), 12);
  b.writeUInt32LE(Number(tsNs & 0xffffffffn), 16);
  b.writeUInt32LE(data.length, 20);
  b.writeUInt32LE(origLen, 24);
  data.copy(b, 28);
  b.writeUInt16LE(2, 28 + padded);
  b.writeUInt16LE(4, 30 + padded);
  b.writeUInt32LE(flags, 32 + padded);
  b.writeUInt32LE(total, total - 4);
  return b;
}

function main(): void {
  const [source, spool, maxArg] = process.argv.slice(2);
  if (!source || !spool || !maxArg) throw new Error('usage: engine-spool-child SOURCE SPOOL MAX_FRAMES');
  const reader = CaptureReader.open(source);
  const frames = [...reader].map((p) => ({ tsNs: p.tsNs, data: Buffer.from(p.data), origLen: p.origLen }));
  const linkType = reader.linkType;
  reader.close();
  const store = PacketStore.createLive(spool, [{ linkType, name: 'replay' }]);
  const max = Number(maxArg);
  for (let round = 0; store.count() < max; round++) {
    for (let k = 0; k < frames.length && store.count() < max; ) {
      const f = frames[k]!;
      if (k % 2 === 0) {
        store.appendPacket({ interfaceId: 0, tsNs: f.tsNs, data: f.data, origLen: f.origLen, flags: 1 });
        k++;
      } else {
        const batch = frames.slice(k, k + 3).map((g) => epb(g.tsNs, g.data, g.origLen, 2));
        store.appendBatch(Buffer.concat(batch));
        k += batch.length;
      }
      fs.writeSync(1, `${store.count()}\n`);
    }
  }
  store.close();
}

main();
