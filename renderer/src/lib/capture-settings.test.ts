import { describe, expect, it } from 'vitest';
import type { SessionInfo } from '../../../app/rpc/engine-protocol';
import { AppState } from './app.svelte';

/** A live session as sessionInfo describes it, with only what captureSettings reads. */
const live = (capture: NonNullable<SessionInfo['capture']>): SessionInfo => ({ session: 1, kind: 'live', state: 'stopped', capture }) as unknown as SessionInfo;

describe('AppState.captureSettings', () => {
  it('restarts a live session shown after a reload with its filter, preset and kernel stages', () => {
    const app = new AppState(null);
    expect(app.captureSettings).toBeNull();
    app.session = live({ interfaces: ['veth0'], filter: 'tcp', preset: null, stages: { httpSessions: true }, snapLen: 262144, statistics: [], error: null });
    expect(app.captureSettings).toEqual({ interfaces: ['veth0'], filter: 'tcp', snapLen: 262144, stages: { httpSessions: true } });
    app.session = live({ interfaces: ['lo'], filter: '', preset: 'http', stages: { httpSessions: true }, snapLen: 96, statistics: [], error: null });
    expect(app.captureSettings).toEqual({ interfaces: ['lo'], filter: '', preset: 'http', snapLen: 96, stages: { httpSessions: true } });
    app.session = live({ interfaces: ['lo'], filter: 'icmp', preset: 'icmp', snapLen: 96, statistics: [], error: null });
    expect(app.captureSettings).toEqual({ interfaces: ['lo'], filter: 'icmp', preset: 'icmp', snapLen: 96 });
  });
});
