import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, waitFor } from '@testing-library/svelte';
import FollowStream from './FollowStream.svelte';
import { EngineError, FakeEngine } from './fake-engine';

afterEach(cleanup);

function engine(): FakeEngine {
  return new FakeEngine({
    followStream: ({ protocol, stream }) => {
      if (stream > 5) throw new EngineError('ENOSTREAM', 'no such stream');
      return {
      protocol,
      stream,
      client: '127.0.0.1:40000',
      server: '127.0.0.1:8000',
      clientBytes: 18,
      serverBytes: 21,
      chunks: [
        { from: 'client', frame: 4, data: btoa('GET / HTTP/1.1\r\n\r\n') },
        { from: 'server', frame: 6, data: btoa('HTTP/1.1 200 OK\r\n\r\nhey') },
      ],
      filter: `tcp.stream eq ${stream}`,
      };
    },
  });
}

describe('FollowStream', () => {
  it('shows both sides coloured, as ASCII then as a hex dump', async () => {
    const fake = engine();
    const { container, getByRole, getByLabelText } = render(FollowStream, { props: { engine: fake.client, session: 1, protocol: 'tcp', stream: 3, onClose: () => {} } });
    expect(getByRole('dialog', { name: 'Follow TCP Stream (tcp.stream eq 3)' })).toBeTruthy();
    await waitFor(() => expect(container.querySelectorAll('.chunk').length).toBe(2));
    expect(fake.callsOf('followStream')).toEqual([{ session: 1, protocol: 'tcp', stream: 3 }]);
    expect(container.querySelector('.chunk.client')!.textContent).toBe('GET / HTTP/1.1\n\n');
    expect(container.querySelector('.chunk.server')!.textContent).toBe('HTTP/1.1 200 OK\n\nhey');
    const mode = getByLabelText('as') as HTMLSelectElement;
    [...mode.options].find((o) => o.value === 'hex')!.selected = true;
    await fireEvent.change(mode);
    expect(container.querySelector('.chunk.client')!.textContent).toMatch(/^00000000 {2}47 45 54 20/);
  });

  it('highlights Find matches', async () => {
    const { container, getByLabelText } = render(FollowStream, { props: { engine: engine().client, session: 1, protocol: 'tcp', stream: 0, onClose: () => {} } });
    await waitFor(() => expect(container.querySelectorAll('.chunk').length).toBe(2));
    await fireEvent.input(getByLabelText('Find'), { target: { value: 'http' } });
    expect([...container.querySelectorAll('mark')].map((m) => m.textContent)).toEqual(['HTTP', 'HTTP']);
    expect(container.textContent).toContain('1 of 2 matches');
  });

  it('applies or filters out the stream', async () => {
    const onClose = vi.fn();
    const onApplyFilter = vi.fn();
    const { container, getByRole } = render(FollowStream, { props: { engine: engine().client, session: 1, protocol: 'udp', stream: 2, onClose, onApplyFilter } });
    await waitFor(() => expect(container.querySelectorAll('.chunk').length).toBe(2));
    await fireEvent.click(getByRole('button', { name: 'Filter out this stream' }));
    expect(onApplyFilter).toHaveBeenCalledWith('!(tcp.stream eq 2)');
    expect(onClose).toHaveBeenCalledTimes(1);
  });

  it('closes on Esc', async () => {
    const onClose = vi.fn();
    const { getByRole } = render(FollowStream, { props: { engine: engine().client, session: 1, protocol: 'tcp', stream: 2, onClose } });
    await fireEvent.keyDown(getByRole('dialog'), { key: 'Escape' });
    expect(onClose).toHaveBeenCalledTimes(1);
  });
});

describe('FollowStream stepping', () => {
  it('steps to the next stream and says when there is none', async () => {
    const fake = engine();
    const { container, getByRole, findByText } = render(FollowStream, { props: { engine: fake.client, session: 1, protocol: 'tcp', stream: 5, onClose: () => {} } });
    await waitFor(() => expect(container.querySelectorAll('.chunk').length).toBe(2));
    await fireEvent.click(getByRole('button', { name: 'Previous stream' }));
    await waitFor(() => expect(fake.callsOf('followStream').at(-1)).toEqual({ session: 1, protocol: 'tcp', stream: 4 }));
    expect(getByRole('dialog', { name: 'Follow TCP Stream (tcp.stream eq 4)' })).toBeTruthy();
    await fireEvent.click(getByRole('button', { name: 'Next stream' }));
    await fireEvent.click(getByRole('button', { name: 'Next stream' }));
    await findByText('There is no TCP stream 6 in this capture.');
  });
});
