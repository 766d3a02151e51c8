/** The kernel stages in words: what the desktop app shows is what the CLI's --explain prints. */
import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeStages } from '../../bpf/programs/capture';
import { builtinPresets } from '../presets/builtin';
import { describeKernelStages, hasKernelStages, sameKernelStages } from './kernel-stages';

test('kernel stages: the built-in presets’ stages read as bpf/programs/capture.ts describes them', () => {
  const withStages = builtinPresets().filter((p) => p.stages);
  assert.ok(withStages.some((p) => p.stages?.httpSessions), 'the http preset tracks HTTP sessions');
  // And every stage together, as a user's preset may ask.
  const everyStage = { name: 'every stage', stages: { httpSessions: true, trafficMix: true, payloadSnap: { bytes: 256 }, watchlist: { rules: [{ name: 'lab', prefixes: ['10.0.0.0/8', 'fd00::/8'] }] } } };
  for (const preset of [...withStages, everyStage]) {
    const ours = describeKernelStages(preset.stages);
    const cli = describeStages(preset.stages);
    assert.equal(ours.length, cli.length, `${preset.name}: one line per stage`);
    ours.forEach((d, i) => {
      // The CLI's line may say more (how the stage is built); it starts with the same words.
      assert.ok(cli[i]!.startsWith(`${d.title}: ${d.detail}`), `${preset.name}: "${d.title}: ${d.detail}" begins "${cli[i]}"`);
    });
  }
});

test('kernel stages: none, unknown ones, and comparing two specs', () => {
  assert.deepEqual(describeKernelStages(undefined), []);
  assert.deepEqual(describeKernelStages({}), []);
  assert.deepEqual(describeKernelStages({ httpSessions: false }), []);
  assert.equal(hasKernelStages({ httpSessions: false }), false);
  assert.equal(hasKernelStages({ httpSessions: true }), true);
  // A newer engine's stage is named, not dropped.
  assert.deepEqual(describeKernelStages({ futureStage: true } as never).map((d) => d.title), ['futureStage']);
  // The traffic mix counts; it chooses no packets.
  assert.deepEqual(describeKernelStages({ trafficMix: true, httpSessions: true }).map((d) => [d.stage, d.choosesPackets]), [['httpSessions', true], ['trafficMix', false]]);
  assert.equal(sameKernelStages(undefined, {}), true);
  assert.equal(sameKernelStages({ httpSessions: false }, null), true);
  assert.equal(sameKernelStages({ httpSessions: true }, {}), false);
  const rules = [{ name: 'lab', prefixes: ['10.0.0.0/8'] }];
  assert.equal(sameKernelStages({ watchlist: { rules }, httpSessions: true }, { httpSessions: true, watchlist: { rules } }), true);
  assert.equal(sameKernelStages({ watchlist: { rules } }, { watchlist: { rules: [{ name: 'lab', prefixes: ['10.0.0.0/16'] }] } }), false);
});
