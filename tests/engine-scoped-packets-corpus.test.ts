/**
 * ScopedPackets (app/engine/scoped-packets.ts: a RowDissector's dissection without a tree, only
 * the filter's fields, no payload layer the filter does not name, stream numbers from the index)
 * must change nothing but the speed: on every file of the shared corpus, display filters over
 * header fields and over application fields select exactly the frames a full dissection of the
 * whole file in order selects. The filters' agreement with tshark itself is
 * checked by `npm run test:corpus` and tests/engine-corpus.test.ts.
 */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import { Dissector } from '../app/dissect/dissector';
import type { DissectedPacket } from '../app/dissect/model';
import { compileDisplayFilter } from '../app/filter';
import { CaptureReader } from '../app/pcap/reader';
import { PacketStore } from '../app/engine/store';
import { captureFiles, requireCorpusDir } from './support/corpus';
import { APPS, LIGHT } from './support/scoped-filters';

/** The first `count` frames of a file through one Dissector, in order. */
function dissectInOrder(file: string, count: number): Array<{ packet: DissectedPacket; data: Buffer }> {
  const d = new Dissector();
  const reader = CaptureReader.open(file);
  const out: Array<{ packet: DissectedPacket; data: Buffer }> = [];
  try {
    for (let p = reader.next(); p !== null && out.length < count; p = reader.next()) {
      const data = Buffer.from(p.data);
      out.push({ packet: d.dissect({ number: out.length + 1, tsNs: p.tsNs, data, origLen: p.origLen, linkType: p.linkType, flags: p.flags }), data });
    }
  } finally {
    reader.close();
  }
  return out;
}

test('ScopedPackets: filter views select the frames a full dissection in order selects, on every corpus file', async () => {
  const files = captureFiles(requireCorpusDir());
  assert.ok(files.length > 100, `expected the corpus's ~1000 captures, found ${files.length}`);
  const filters = [...LIGHT, ...APPS].map((text) => compileDisplayFilter(text));
  const differences: string[] = [];
  let frames = 0;
  let selected = 0;
  for (const file of files) {
    let store: PacketStore;
    try {
      store = PacketStore.openFile(file);
    } catch {
      continue; // not a capture we read (the corpus test covers those)
    }
    try {
      await store.loading;
      const reference = dissectInOrder(file, store.count());
      frames += reference.length;
      for (const filter of filters) {
        const view = store.filter(filter.text);
        await view.update();
        const ours = Array.from(view.frames());
        const theirs = reference.filter((x) => filter.matches(x.packet, x.data)).map((x) => x.packet.number);
        selected += theirs.length;
        if (ours.join() !== theirs.join()) differences.push(`${path.relative(requireCorpusDir(), file)}: ${filter.text} (${ours.length} frames, full: ${theirs.length})`);
        store.dropView(view);
      }
    } finally {
      store.close();
    }
  }
  assert.deepEqual(differences, [], `${differences.length} selections differ`);
  // The filters must have selected something.
  assert.ok(frames > 10000 && selected > 10000, `compared ${frames} frames, ${selected} selections`);
});
