import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, waitFor } from '@testing-library/svelte';
import type { Conversation } from '../../../app/rpc/engine-protocol';
import SessionsTab from './SessionsTab.svelte';
import { FakeEngine } from './fake-engine';

afterEach(cleanup);

const conv = (a: string, stream: number | null): Conversation => ({
  addressA: a, portA: stream === null ? null : 40000 + stream, addressB: '127.0.0.1', portB: stream === null ? null : 8000,
  framesAtoB: 5, bytesAtoB: 500, framesBtoA: 4, bytesBtoA: 4000, frames: 9, bytes: 4500, relativeStart: 0.25, duration: 0.01,
  stream, filter: stream === null ? `ip.addr eq ${a}` : `tcp.stream eq ${stream}`,
});

function engine(): FakeEngine {
  return new FakeEngine({
    conversations: ({ kind }) => ({ kind, conversations: kind === 'tcp' ? [conv('127.0.0.1', 0), conv('127.0.0.2', 1)] : kind === 'ip' ? [conv('127.0.0.1', null)] : [] }),
    followStream: ({ protocol, stream }) => ({ protocol, stream, client: 'a', server: 'b', clientBytes: 1, serverBytes: 0, chunks: [{ from: 'client', frame: 1, data: btoa('x') }], filter: `tcp.stream eq ${stream}` }),
  });
}

describe('SessionsTab', () => {
  it('lists conversations per kind, applies a filter and follows a stream', async () => {
    const onApplyFilter = vi.fn();
    const fake = engine();
    const { getByRole, findByRole, container } = render(SessionsTab, { props: { engine: fake.client, session: 2, onApplyFilter } });
    await waitFor(() => expect(container.querySelectorAll('.body [role="row"]').length).toBe(2));
    expect(getByRole('tab', { name: /TCP/ }).getAttribute('aria-selected')).toBe('true');
    const grid = getByRole('grid', { name: 'TCP conversations' });
    await fireEvent.keyDown(grid, { key: 'ArrowDown' });
    await fireEvent.keyDown(grid, { key: 'ArrowDown' });
    await fireEvent.click(getByRole('button', { name: 'Apply as filter' }));
    expect(onApplyFilter).toHaveBeenCalledWith('tcp.stream eq 1');
    await fireEvent.click(getByRole('button', { name: 'Follow stream' }));
    await findByRole('dialog', { name: 'Follow TCP Stream (tcp.stream eq 1)' });
    expect(fake.callsOf('followStream')).toEqual([{ session: 2, protocol: 'tcp', stream: 1 }]);
  });

  it('switches kinds and refreshes when frames arrive', async () => {
    const fake = engine();
    const { getByRole, container } = render(SessionsTab, { props: { engine: fake.client, session: 2, onApplyFilter: () => {} } });
    await waitFor(() => expect(container.querySelectorAll('.body [role="row"]').length).toBe(2));
    await fireEvent.click(getByRole('tab', { name: /IPv4/ }));
    await waitFor(() => expect(container.querySelectorAll('.body [role="row"]').length).toBe(1));
    expect(container.querySelectorAll('[role="columnheader"]').length).toBe(10);
    expect((getByRole('button', { name: 'Follow stream' }) as HTMLButtonElement).disabled).toBe(true);
    const before = fake.callsOf('conversations').length;
    fake.emit({ type: 'event', event: 'framesAppended', session: 2, frames: 100, views: [] });
    fake.emit({ type: 'event', event: 'framesAppended', session: 9, frames: 100, views: [] });
    await waitFor(() => expect(fake.callsOf('conversations').length).toBe(before + 1), { timeout: 2500 });
    expect(fake.callsOf('conversations').at(-1)).toEqual({ session: 2, kind: 'ip' });
  });
});
