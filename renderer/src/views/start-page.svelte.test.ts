import { describe, expect, it } from 'vitest';
import type { NetworkInterface, Preset } from '../../../app/rpc/engine-protocol';
import { EngineError, FakeEngine } from './fake-engine';
import { StartPageState } from './start-page.svelte';

const iface = (name: string, rx: number, extra: Partial<NetworkInterface> = {}): NetworkInterface => ({
  name,
  index: 1,
  up: true,
  running: true,
  loopback: name === 'lo',
  linkType: 1,
  addresses: [],
  rxPackets: rx,
  txPackets: rx,
  rxBytes: 0,
  txBytes: 0,
  ...extra,
});

const builtin: Preset[] = [
  { name: 'all', description: 'Everything', filter: '', builtin: true },
  { name: 'http', description: 'HTTP in the kernel', filter: '', builtin: true, stages: { httpSessions: true } },
  { name: 'dns', description: 'DNS', filter: 'port 53', builtin: true },
];

function engine(): FakeEngine {
  let time = 1000;
  let lo = 100;
  const presets: Preset[] = [...builtin, { name: 'web', description: 'mine', filter: 'port 80', builtin: false, snapLen: 128, interfaces: ['lo', 'gone0'] }];
  return new FakeEngine({
    listInterfaces: () => {
      time += 1000;
      lo += 50;
      return { interfaces: [iface('lo', lo), iface('eth0', 7)], time };
    },
    checkCaptureFilter: ({ filter }) => {
      if (filter.includes('bogus')) throw new EngineError('ECAPFILTER', "syntax error in filter expression: syntax error");
      return { filter, instructions: 4 };
    },
    listPresets: () => ({ presets, file: '/home/u/.config/sievecap/presets.json', problem: null }),
    savePreset: ({ preset }) => {
      if (preset.name === 'full') throw new EngineError('EPRESET', 'the presets file is damaged');
      presets.push({ ...preset, builtin: false });
      return { presets, file: 'f', problem: null };
    },
    deletePreset: ({ name }) => {
      presets.splice(presets.findIndex((p) => p.name === name), 1);
      return { presets, file: 'f', problem: null };
    },
    recentFiles: () => ({ files: [{ path: '/tmp/a.pcap', openedAt: 1, exists: false }] }),
  });
}

describe('StartPageState', () => {
  it('measures packet rates from counter deltas', async () => {
    const page = new StartPageState(engine());
    await page.pollInterfaces();
    expect(page.rates['lo']).toEqual([]);
    await page.pollInterfaces();
    await page.pollInterfaces();
    expect(page.rates['lo']).toEqual([50, 50]);
    expect(page.rates['eth0']).toEqual([0, 0]);
    expect(page.currentRate('lo')).toBe(50);
  });

  it('checks the capture filter, reporting libpcap’s message', async () => {
    const fake = engine();
    const page = new StartPageState(fake, 0);
    expect(page.check.state).toBe('empty');
    page.toggleInterface('lo', true);
    page.setFilter('tcp port 80');
    expect(page.check.state).toBe('checking');
    await page.checkNow();
    expect(page.check).toEqual({ state: 'valid', instructions: 4 });
    expect(fake.callsOf('checkCaptureFilter').at(-1)).toEqual({ filter: 'tcp port 80', interface: 'lo' });
    page.setFilter('bogus');
    await page.checkNow();
    expect(page.check).toEqual({ state: 'invalid', message: 'syntax error in filter expression: syntax error' });
    expect(page.canStart).toBe(false);
    page.setFilter('');
    expect(page.check.state).toBe('empty');
    expect(page.canStart).toBe(true);
    page.dispose();
  });

  it('fills settings from a preset and hands them to Start', async () => {
    const page = new StartPageState(engine(), 0);
    await page.pollInterfaces();
    await page.loadPresets();
    expect(page.presets.builtin.map((p) => p.name)).toEqual(['all', 'http', 'dns']);
    expect(page.presets.user.map((p) => p.name)).toEqual(['web']);
    expect(page.startSettings()).toBeNull();
    page.choosePreset(page.presets.user[0]!);
    expect(page.filter).toBe('port 80');
    expect(page.snapLen).toBe(128);
    expect(page.selected).toEqual(['lo']); // gone0 is not on this machine
    await page.checkNow();
    expect(page.startSettings()).toEqual({ interfaces: ['lo'], filter: 'port 80', snapLen: 128, preset: 'web', stages: { trafficMix: true } });
    page.setFilter('port 81');
    await page.checkNow();
    expect(page.startSettings()).toEqual({ interfaces: ['lo'], filter: 'port 81', snapLen: 128, stages: { trafficMix: true } });
    page.dispose();
  });

  it('takes a preset’s kernel stages, keeps them while the filter is edited, drops them for another preset', async () => {
    const page = new StartPageState(engine(), 0);
    await page.pollInterfaces();
    await page.loadPresets();
    page.toggleInterface('lo', true);
    const [all, http, dns] = page.presets.builtin as [Preset, Preset, Preset];
    page.choosePreset(http);
    expect(page.filter).toBe('');
    expect(page.stages).toEqual({ httpSessions: true });
    expect(page.stagesFrom).toBe('http');
    expect(page.stageDescriptions.map((d) => d.title)).toEqual(['HTTP session tracking']);
    expect(page.activePreset?.name).toBe('http');
    await page.checkNow();
    expect(page.startSettings()).toEqual({ interfaces: ['lo'], filter: '', preset: 'http', stages: { httpSessions: true, trafficMix: true } });
    // A filter typed after: it combines with the stages (the preset's name no longer applies).
    page.setFilter('tcp port 8080');
    await page.checkNow();
    expect(page.activePreset).toBeNull();
    expect(page.startSettings()).toEqual({ interfaces: ['lo'], filter: 'tcp port 8080', stages: { httpSessions: true, trafficMix: true } });
    // Saved as a preset of the user's: the stages go with it.
    expect(page.presetFromSettings('web-http', '', false)).toEqual({ name: 'web-http', description: '', filter: 'tcp port 8080', stages: { httpSessions: true } });
    // Another preset: its settings, and its (absent) stages.
    page.choosePreset(dns);
    expect(page.stages).toBeNull();
    expect(page.stageDescriptions).toEqual([]);
    await page.checkNow();
    expect(page.startSettings()).toEqual({ interfaces: ['lo'], filter: 'port 53', preset: 'dns', stages: { trafficMix: true } });
    // Removing the stages by hand: the filter alone, and no longer the preset.
    page.choosePreset(http);
    page.removeStages();
    expect(page.activePreset).toBeNull();
    expect(page.startSettings()).toEqual({ interfaces: ['lo'], filter: '', stages: { trafficMix: true } });
    page.choosePreset(all);
    expect(page.startSettings()).toEqual({ interfaces: ['lo'], filter: '', preset: 'all', stages: { trafficMix: true } });
    page.dispose();
  });

  it('saves and deletes the user’s presets, reporting errors', async () => {
    const page = new StartPageState(engine(), 0);
    await page.loadPresets();
    page.setFilter('udp');
    expect(await page.savePreset(page.presetFromSettings('dns', '', false))).toMatch(/built-in/);
    expect(await page.savePreset(page.presetFromSettings('full', '', false))).toBe('the presets file is damaged');
    expect(await page.savePreset(page.presetFromSettings(' udp only ', ' just UDP ', false))).toBeNull();
    expect(page.presets.user.map((p) => p.name)).toEqual(['udp only', 'web']);
    expect(page.activePreset?.name).toBe('udp only');
    expect(await page.deletePreset('udp only')).toBeNull();
    expect(page.presets.user.map((p) => p.name)).toEqual(['web']);
    expect(page.activePreset).toBeNull();
    page.dispose();
  });

  it('lists recent files and forgets vanished interfaces', async () => {
    const page = new StartPageState(engine());
    await page.loadRecent();
    expect(page.recent).toEqual([{ path: '/tmp/a.pcap', openedAt: 1, exists: false }]);
    page.selected = ['eth9', 'lo'];
    await page.pollInterfaces();
    expect(page.selected).toEqual(['lo']);
  });
});
