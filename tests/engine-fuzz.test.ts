/**
 * Seeded mutation fuzz of the packet store's fast paths: frames mutated from a fixed mix of
 * everyday frames built here (support/seed-frames.ts), written as Ethernet and as raw-IP pcap files, are
 * opened with conversation and endpoint reports attached and filtered by the ScopedPackets
 * filters. Nothing may throw; every filter must select exactly the frames a full dissection in
 * order selects, and every report, attached or fed after opening, must equal the same report fed
 * the full dissection:
 * the light and apps paths must hold on bytes that contradict themselves, not only on real traffic.
 */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { PacketStore } from '../app/engine';
import { Dissector } from '../app/dissect/dissector';
import { compileDisplayFilter } from '../app/filter';
import { PcapWriter } from '../app/pcap/pcap-writer';
import { createConversationReport } from '../app/stats/conversations';
import { createEndpointReport } from '../app/stats/endpoints';
import type { StatisticsReport } from '../app/stats/report';
import { tempDir } from './pcap-helpers';
import { CaptureReader } from '../app/pcap/reader';
import { mutate } from './support/mutate';
import { seededRandom } from './support/prng';
import { seedFrames } from './support/seed-frames';
import { APPS, LIGHT } from './support/scoped-filters';

const SEED = 0x5c0_9ed;
const FRAMES = 3000;
const SPECS = ['conv,tcp', 'conv,udp', 'conv,ip', 'conv,ipv6', 'endpoints,ip', 'endpoints,tcp'];
const tmp = tempDir('engine-fuzz');
after(() => tmp.remove());

const makeReports = (): StatisticsReport[] => SPECS.map((s) => (s.startsWith('conv') ? createConversationReport(s) : createEndpointReport(s)));

test('store fast paths on mutated frames: filters and attached reports equal a full dissection, nothing throws', async () => {
  const seeds = seedFrames();
  const rnd = seededRandom(SEED);
  const filters = [...LIGHT, ...APPS].map((f) => compileDisplayFilter(f));
  let selected = 0;
  for (const linkType of [1, 101]) {
    const file = path.join(tmp.dir, `mutated-${linkType}.pcap`);
    const writer = new PcapWriter(file, { linkType, nanosecond: true });
    for (let n = 0; n < FRAMES; n++) {
      // Every third frame unmutated, so streams, DNS and HTTP survive to be found.
      const seed = seeds[Math.floor(rnd() * seeds.length)]!;
      let data = n % 3 === 0 ? Buffer.from(seed) : mutate(seed, rnd);
      if (linkType === 101) data = data.subarray(Math.min(14, data.length));
      writer.writePacket({ tsNs: 1_700_000_000_000_000_000n + BigInt(n) * 1_000_000n, data, origLen: data.length + (rnd() < 0.1 ? 40 : 0) });
    }
    writer.close();

    const attached = makeReports();
    const store = PacketStore.openFile(file, { reports: attached, sliceFrames: 700 });
    try {
      const summary = await store.loading;
      assert.equal(summary.error, null);
      assert.equal(store.count(), FRAMES);
      // The reference: every frame through one Dissector in order, and the same reports fed its packets.
      // Filter views desegment TCP as the CLI does; reports take segments as they are.
      const dissector = new Dissector();
      const segments = new Dissector({ desegment: false });
      const reference = makeReports();
      const inOrder: Array<{ number: number; matches: (f: (typeof filters)[number]) => boolean }> = [];
      const reader = CaptureReader.open(file);
      for (let p = reader.next(); p; p = reader.next()) {
        const data = Buffer.from(p.data);
        const input = { number: inOrder.length + 1, tsNs: p.tsNs, data, origLen: p.origLen, linkType: p.linkType };
        const packet = dissector.dissect(input);
        const segment = segments.dissect(input);
        for (const r of reference) r.add({ packet: segment, data, tsNs: p.tsNs, capLen: data.length, origLen: p.origLen });
        const results = new Map(filters.map((f) => [f, f.matches(packet, data)]));
        inOrder.push({ number: inOrder.length + 1, matches: (f) => results.get(f)! });
      }
      reader.close();
      for (const filter of filters) {
        const view = store.filter(filter.text);
        await view.update();
        const theirs = inOrder.filter((x) => x.matches(filter)).map((x) => x.number);
        selected += theirs.length;
        assert.deepEqual(Array.from(view.frames()), theirs, `link type ${linkType}: ${filter.text}`);
        store.dropView(view);
      }
      const after = makeReports();
      for (const report of after) await store.feedReport(report);
      reference.forEach((r, k) => {
        for (const [how, ours] of [['attached', attached[k]!], ['fed after opening', after[k]!]] as const) {
          assert.equal(ours.text(), r.text(), `link type ${linkType}: ${r.spec} ${how}`);
          assert.equal(JSON.stringify(ours.json()), JSON.stringify(r.json()), `link type ${linkType}: ${r.spec} ${how} (JSON)`);
        }
      });
    } finally {
      store.close();
    }
  }
  assert.ok(selected > 1000, `filters selected ${selected} frames in all`);
});
