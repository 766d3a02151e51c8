import { describe, expect, it } from 'vitest';
import { builtinPresets } from '../../../app/presets/builtin';
import type { Preset } from '../../../app/rpc/engine-protocol';
import { BUILTIN_PRESETS, applyPreset, matchingPreset, mergePresets, presetProblem } from './presets';

const user = (name: string, extra: Partial<Preset> = {}): Preset => ({ name, description: `${name}'s`, filter: `port ${name.length}`, builtin: false, ...extra });

describe('mergePresets', () => {
  it('lists the built-ins in the engine’s order, then the user’s by name', () => {
    const engine: Preset[] = [
      { name: 'all', description: 'all', filter: '', builtin: true },
      { name: 'dns', description: 'dns', filter: 'port 53', builtin: true },
      user('zeta'),
      user('Alpha'),
      user('web10'),
      user('web9'),
    ];
    const list = mergePresets(engine);
    expect(list.builtin.map((p) => p.name)).toEqual(['all', 'dns']);
    expect(list.user.map((p) => p.name)).toEqual(['Alpha', 'web9', 'web10', 'zeta']);
  });
  it('falls back to the renderer’s built-ins when the engine lists none', () => {
    const list = mergePresets(null);
    expect(list.builtin.map((p) => p.name)).toEqual(['all', 'http', 'metadata', 'dns', 'tls', 'tcp-setup', 'icmp', 'arp-nd', 'not-my-ssh']);
    expect(list.user).toEqual([]);
    expect(mergePresets([user('mine')]).builtin.length).toBe(BUILTIN_PRESETS.length);
  });
  it('drops a user preset shadowing a built-in', () => {
    const list = mergePresets([{ name: 'dns', description: '', filter: 'port 53', builtin: true }, user('dns')]);
    expect(list.user).toEqual([]);
  });
});

describe('BUILTIN_PRESETS', () => {
  it('is the engine’s list (app/presets/builtin.ts, no SSH session), kernel stages included', () => {
    expect(BUILTIN_PRESETS).toEqual(builtinPresets());
    expect(BUILTIN_PRESETS.find((p) => p.name === 'http')).toMatchObject({ filter: '', stages: { httpSessions: true } });
  });
});

describe('applyPreset and matchingPreset', () => {
  it('fills the filter, and interfaces and snap length when the preset has them', () => {
    expect(applyPreset(user('a'))).toEqual({ filter: 'port 1' });
    expect(applyPreset(user('b', { snapLen: 96, interfaces: ['lo'] }))).toEqual({ filter: 'port 1', snapLen: 96, interfaces: ['lo'] });
    expect(applyPreset(user('c', { interfaces: [] }))).toEqual({ filter: 'port 1' });
  });
  it('hands on the preset’s kernel stages, as a copy; none when it has none', () => {
    const http = BUILTIN_PRESETS.find((p) => p.name === 'http')!;
    const choice = applyPreset(http);
    expect(choice).toEqual({ filter: '', stages: { httpSessions: true } });
    expect(choice.stages).not.toBe(http.stages);
    expect(applyPreset(user('d', { stages: { httpSessions: false } }))).toEqual({ filter: 'port 1' });
    expect(applyPreset(user('e', { filter: 'port 8080', stages: { httpSessions: true } }))).toEqual({ filter: 'port 8080', stages: { httpSessions: true } });
  });
  it('keeps the preset only while the filter is unchanged', () => {
    const list = mergePresets(null);
    expect(matchingPreset(list, 'icmp', 'icmp or icmp6')?.name).toBe('icmp');
    expect(matchingPreset(list, 'icmp', ' icmp or icmp6 ')?.name).toBe('icmp');
    expect(matchingPreset(list, 'icmp', 'icmp')).toBeNull();
    expect(matchingPreset(list, null, 'icmp or icmp6')).toBeNull();
    expect(matchingPreset(list, 'gone', '')).toBeNull();
  });
  it('keeps a preset with kernel stages only while its stages are still chosen', () => {
    const list = mergePresets(null);
    expect(matchingPreset(list, 'http', '', { httpSessions: true })?.name).toBe('http');
    expect(matchingPreset(list, 'http', '', null)).toBeNull();
    expect(matchingPreset(list, 'http', 'tcp', { httpSessions: true })).toBeNull();
    expect(matchingPreset(list, 'all', '', { httpSessions: true })).toBeNull();
    expect(matchingPreset(list, 'icmp', 'icmp or icmp6', {})?.name).toBe('icmp');
  });
});

describe('presetProblem', () => {
  it('checks names as the engine does', () => {
    expect(presetProblem({ name: 'my web', description: '', filter: 'port 80' }, BUILTIN_PRESETS)).toBeNull();
    expect(presetProblem({ name: '', description: '', filter: '' }, BUILTIN_PRESETS)).toMatch(/name/);
    expect(presetProblem({ name: '-x', description: '', filter: '' }, BUILTIN_PRESETS)).toMatch(/starts with a letter or digit/);
    expect(presetProblem({ name: 'x', description: 'd'.repeat(201), filter: '' }, BUILTIN_PRESETS)).toMatch(/200/);
    expect(presetProblem({ name: 'dns', description: '', filter: '' }, BUILTIN_PRESETS)).toMatch(/built-in/);
    expect(presetProblem({ name: 'HTTP', description: '', filter: '' }, BUILTIN_PRESETS)).toMatch(/built-in/);
  });
});
