import { describe, expect, it } from 'vitest';
import type { Conversation, ConversationKind } from '../../../app/rpc/engine-protocol';
import { EngineError, FakeEngine } from './fake-engine';
import { SessionsState } from './sessions.svelte';

const conv = (a: string, stream: number | null): Conversation => ({
  addressA: a, portA: stream === null ? null : 1000 + stream, addressB: '10.0.0.2', portB: stream === null ? null : 80,
  framesAtoB: 1, bytesAtoB: 60, framesBtoA: 1, bytesBtoA: 60, frames: 2, bytes: 120, relativeStart: 0, duration: 0.1,
  stream, filter: `ip.addr eq ${a}`,
});

const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 0));

describe('SessionsState', () => {
  it('reads each kind, keeps them, and passes the view when limited', async () => {
    const fake = new FakeEngine({
      conversations: ({ kind }) => ({ kind, conversations: kind === 'tcp' ? [conv('10.0.0.1', 0), conv('10.0.0.3', 1)] : [conv('10.0.0.1', null)] }),
    });
    const s = new SessionsState(fake, () => 1, () => 7);
    await s.load();
    expect(s.rows.map((r) => r.stream)).toEqual([0, 1]);
    await s.choose('ip');
    expect(s.kind).toBe('ip');
    expect(s.rows.length).toBe(1);
    expect(Object.keys(s.byKind).sort()).toEqual(['ip', 'tcp']);
    await s.setLimitToView(true);
    expect(fake.callsOf('conversations').at(-1)).toEqual({ session: 1, kind: 'ip', view: 7 });
    expect(fake.callsOf('conversations')[0]).toEqual({ session: 1, kind: 'tcp' });
    s.dispose();
  });

  it('shows only the latest kind’s answer when switching fast, and reports errors', async () => {
    const resolvers: ((kind: ConversationKind) => void)[] = [];
    const fake = new FakeEngine({
      conversations: ({ kind }) =>
        new Promise((resolve, reject) => {
          resolvers.push(() => (kind === 'eth' ? reject(new EngineError('EENGINE', 'boom')) : resolve({ kind, conversations: [conv(kind, null)] })));
        }),
    });
    const s = new SessionsState(fake, () => 1);
    void s.choose('udp');
    const last = s.choose('eth');
    await tick();
    expect(s.loading).toBe(true);
    for (const r of resolvers) r('udp');
    await last;
    expect(s.kind).toBe('eth');
    expect(s.error).toBe('boom');
    expect(s.loading).toBe(false);
    expect(s.byKind.udp).toBeUndefined(); // the cancelled read was not applied
    s.dispose();
  });

  it('refreshes at most once per interval while frames arrive', async () => {
    let reads = 0;
    const fake = new FakeEngine({ conversations: ({ kind }) => ({ kind, conversations: [conv(`10.0.0.${++reads}`, 0)] }) });
    const s = new SessionsState(fake, () => 1, () => null, 50);
    for (let i = 0; i < 10; i++) s.framesAppended();
    await tick();
    expect(reads).toBe(1);
    await new Promise((r) => setTimeout(r, 80));
    expect(reads).toBe(2);
    expect(s.rows[0]!.addressA).toBe('10.0.0.2');
    s.dispose();
  });
});
