/**
 * PairTaps (app/engine/tap-feeder.ts: a simple frame's layout instead of its packet) must change
 * nothing but the speed: on every file of the shared corpus, conversation and endpoint reports fed
 * by TapFeeder equal the same reports fed every frame's full dissection — text and JSON, including
 * stream splits, TCP state and the application protocol. This is what checks FrameLayout.simple
 * and the layout's values against the fields of the tree. And on a real capture the text equals tshark's.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { test } from 'node:test';
import { Dissector } from '../app/dissect/dissector';
import { CaptureReader } from '../app/pcap/reader';
import { createConversationReport } from '../app/stats/conversations';
import { createEndpointReport } from '../app/stats/endpoints';
import type { StatisticsReport } from '../app/stats/report';
import { TapFeeder } from '../app/engine/tap-feeder';
import { PacketStore } from '../app/engine/store';
import { captureFiles, requireCorpusDir } from './support/corpus';

const KINDS = ['eth', 'ip', 'ipv6', 'tcp', 'udp'];
const SPECS = [...KINDS.map((k) => `conv,${k}`), ...KINDS.map((k) => `endpoints,${k}`)];

const makeReports = (): StatisticsReport[] => SPECS.map((s) => (s.startsWith('conv') ? createConversationReport(s) : createEndpointReport(s)));

/** Both ways of feeding the same frames; returns [full, light] reports (light: fed PairTaps) and how many frames were packets. */
function feedBothWays(file: string): { full: StatisticsReport[]; light: StatisticsReport[]; frames: number; fallback: number } {
  const full = makeReports();
  const light = makeReports();
  const dissector = new Dissector({ desegment: false });
  const feeder = new TapFeeder(light);
  const reader = CaptureReader.open(file, { customBlocks: true });
  let number = 0;
  try {
    for (let p = reader.next(); p !== null; p = reader.next()) {
      const packet = dissector.dissect({ number: ++number, tsNs: p.tsNs, data: p.data, origLen: p.origLen, linkType: p.linkType, flags: p.flags });
      for (const r of full) r.add({ packet, data: p.data, tsNs: p.tsNs, capLen: p.data.length, origLen: p.origLen });
      const sec = p.tsNs / 1_000_000_000n;
      feeder.feed(p.data, p.linkType, p.origLen, Number(sec), Number(p.tsNs - sec * 1_000_000_000n), p.flags);
    }
  } finally {
    reader.close();
  }
  return { full, light, frames: number, fallback: feeder.packetFrames };
}

test('TapFeeder: conversations and endpoints equal the full dissection\'s on every corpus file', () => {
  const files = captureFiles(requireCorpusDir());
  assert.ok(files.length > 100, `expected the corpus's ~1000 captures, found ${files.length}`);
  let frames = 0;
  let fallback = 0;
  const differences: string[] = [];
  for (const file of files) {
    const r = feedBothWays(file);
    frames += r.frames;
    fallback += r.fallback;
    r.full.forEach((fullReport, k) => {
      const lightReport = r.light[k]!;
      const same = fullReport.text() === lightReport.text() && JSON.stringify(fullReport.json()) === JSON.stringify(lightReport.json());
      if (!same) differences.push(`${path.relative(requireCorpusDir(), file)} ${fullReport.spec}`);
    });
  }
  assert.deepEqual(differences, [], `PairTaps differ from the full dissection in ${differences.length} tables`);
  // Most frames must really have been taps, or this compared nothing.
  assert.ok(fallback < frames / 2, `${frames - fallback} of ${frames} frames were fed as PairTaps`);
});

test('reports attached to a store (fed from its indexing pass) or fed after opening equal the full dissection\'s on every corpus file', async () => {
  const files = captureFiles(requireCorpusDir());
  const differences: string[] = [];
  let compared = 0;
  for (const file of files) {
    const { full, frames } = feedBothWays(file);
    const attached = makeReports();
    let store: PacketStore;
    try {
      store = PacketStore.openFile(file, { reports: attached, sliceFrames: 500 });
    } catch {
      continue; // a file the store cannot open (feedBothWays read it with custom blocks); the corpus test covers those
    }
    try {
      const summary = await store.loading;
      // Damaged files, and pcapng custom blocks (which feedBothWays counts as frames, as tshark's
      // reports do, and a store does not hold): not the same frames on both sides.
      if (summary.error !== null || store.count() !== frames) continue;
      // And the same reports asked for once the file is open (a second pass, from the index).
      const after = makeReports();
      for (const report of after) await store.feedReport(report);
      full.forEach((fullReport, k) => {
        for (const [how, ours] of [['attached', attached[k]!], ['fed after opening', after[k]!]] as const) {
          compared++;
          if (fullReport.text() !== ours.text() || JSON.stringify(fullReport.json()) !== JSON.stringify(ours.json())) differences.push(`${path.relative(requireCorpusDir(), file)} ${fullReport.spec} (${how})`);
        }
      });
    } finally {
      store.close();
    }
  }
  assert.deepEqual(differences, [], `attached reports differ from the full dissection in ${differences.length} tables`);
  assert.ok(compared > 5000, `compared ${compared} tables`);
});

test('TapFeeder on a real web browsing capture equals tshark -n -q -z for every table', () => {
  const r = spawnSync('tshark', ['-v'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error('tshark is needed for this test: apt-get install tshark');
  const corpus = requireCorpusDir();
  const file = path.join(corpus, 'chrissanders-packets', 'http_espn.pcapng');
  const { light } = feedBothWays(file);
  for (const report of light) {
    const theirs = spawnSync('tshark', ['-n', '-r', file, '-q', '-z', report.spec], { encoding: 'utf8', maxBuffer: 1 << 28 }).stdout;
    assert.equal(report.text(), theirs, report.spec);
  }
});
