import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, waitFor } from '@testing-library/svelte';
import StartPage from './StartPage.svelte';
import { EngineError, FakeEngine } from './fake-engine';

afterEach(cleanup);

function engine(problem: string | null = null): FakeEngine {
  let n = 0;
  return new FakeEngine({
    listInterfaces: () => {
      n += 10;
      return {
        time: 1000 * n,
        interfaces: [
          { name: 'lo', index: 1, up: true, running: true, loopback: true, linkType: 1, addresses: ['127.0.0.1/8'], rxPackets: n, txPackets: n, rxBytes: 0, txBytes: 0 },
        ],
      };
    },
    checkCaptureFilter: ({ filter }) => {
      if (filter === 'tcp port') throw new EngineError('ECAPFILTER', 'syntax error in filter expression');
      return { filter, instructions: 6 };
    },
    listPresets: () => ({
      presets: [
        { name: 'all', description: 'Everything on the interface', filter: '', builtin: true },
        { name: 'http', description: 'Plain HTTP/1.x on any port, tracked in the kernel', filter: '', builtin: true, stages: { httpSessions: true } },
        { name: 'dns', description: 'DNS queries and answers', filter: 'port 53', builtin: true },
      ],
      file: '/home/u/.config/sievecap/presets.json',
      problem,
    }),
    recentFiles: () => ({ files: [{ path: '/tmp/here.pcap', openedAt: 0, exists: true }, { path: '/tmp/gone.pcap', openedAt: 0, exists: false }] }),
  });
}

describe('StartPage', () => {
  it('starts a capture with the picked interface and a preset’s filter', async () => {
    const onStart = vi.fn();
    const { getByRole, getByLabelText, findByText } = render(StartPage, { props: { engine: engine().client, onStart, onOpen: () => {}, onOpenPath: () => {} } });
    await findByText('lo');
    const start = getByRole('button', { name: 'Start capture' }) as HTMLButtonElement;
    expect(start.disabled).toBe(true);
    await fireEvent.click(getByRole('checkbox'));
    await fireEvent.click(await findByText('DNS queries and answers'));
    expect((getByLabelText(/Capture filter/) as HTMLInputElement).value).toBe('port 53');
    await waitFor(() => expect(start.disabled).toBe(false));
    await findByText(/Valid filter \(6 BPF instructions\)/);
    await fireEvent.click(start);
    expect(onStart).toHaveBeenCalledWith({ interfaces: ['lo'], filter: 'port 53', preset: 'dns', stages: { trafficMix: true } });
  });

  it('shows what a preset runs in the kernel and starts with it; the stages follow the preset chosen', async () => {
    const onStart = vi.fn();
    const { getByRole, getByLabelText, findByText, queryByRole } = render(StartPage, { props: { engine: engine().client, onStart, onOpen: () => {}, onOpenPath: () => {} } });
    await findByText('lo');
    await fireEvent.click(getByRole('checkbox'));
    const httpButton = (await findByText('Plain HTTP/1.x on any port, tracked in the kernel')).closest('button')!;
    expect(httpButton.textContent).toMatch(/\(no filter\) · in the kernel: HTTP session tracking/);
    await fireEvent.click(httpButton);
    const stages = getByRole('group', { name: 'Kernel stages' });
    expect(stages.textContent).toMatch(/In the kernel: HTTP session tracking — TCP connections whose payload begins an HTTP\/1\.x request or response, on any port/);
    expect(stages.textContent).toMatch(/From the preset “http”\. A capture filter combines with it\./);
    await findByText(/No filter: the kernel stage below chooses the packets\. — preset “http”/);
    const start = getByRole('button', { name: 'Start capture' }) as HTMLButtonElement;
    await waitFor(() => expect(start.disabled).toBe(false));
    await fireEvent.click(start);
    expect(onStart).toHaveBeenLastCalledWith({ interfaces: ['lo'], filter: '', preset: 'http', stages: { httpSessions: true, trafficMix: true } });

    // Editing the filter keeps the stages: the filter combines with them.
    await fireEvent.input(getByLabelText(/Capture filter/), { target: { value: 'tcp port 8080' } });
    await findByText(/Valid filter \(6 BPF instructions\)/, {}, { timeout: 2000 });
    expect(getByRole('group', { name: 'Kernel stages' }).textContent).toMatch(/HTTP session tracking/);
    await fireEvent.click(start);
    expect(onStart).toHaveBeenLastCalledWith({ interfaces: ['lo'], filter: 'tcp port 8080', stages: { httpSessions: true, trafficMix: true } });

    // Another preset: its stages (none).
    await fireEvent.click(await findByText('DNS queries and answers'));
    expect(queryByRole('group', { name: 'Kernel stages' })).toBeNull();
    await findByText(/Valid filter \(6 BPF instructions\) — preset “dns”/, {}, { timeout: 2000 });
    await fireEvent.click(start);
    expect(onStart).toHaveBeenLastCalledWith({ interfaces: ['lo'], filter: 'port 53', preset: 'dns', stages: { trafficMix: true } });

    // Back to http, then "Capture with the filter alone".
    await fireEvent.click(httpButton);
    await fireEvent.click(getByRole('button', { name: 'Capture with the filter alone' }));
    expect(queryByRole('group', { name: 'Kernel stages' })).toBeNull();
    await findByText(/No filter: every packet is captured\./);
    await fireEvent.click(start);
    expect(onStart).toHaveBeenLastCalledWith({ interfaces: ['lo'], filter: '', stages: { trafficMix: true } });
  });

  it('shows libpcap’s message for a bad filter', async () => {
    const { getByLabelText, findByText } = render(StartPage, { props: { engine: engine().client, onStart: () => {}, onOpen: () => {}, onOpenPath: () => {} } });
    await fireEvent.input(getByLabelText(/Capture filter/), { target: { value: 'tcp port' } });
    await findByText(/syntax error in filter expression/, {}, { timeout: 2000 });
    expect((getByLabelText(/Capture filter/) as HTMLInputElement).getAttribute('aria-invalid')).toBe('true');
  });

  it('opens recent files, greys missing ones, and reports a damaged presets file', async () => {
    const onOpenPath = vi.fn();
    const onOpen = vi.fn();
    const { findByText, getByRole } = render(StartPage, { props: { engine: engine('line 3: not JSON').client, onStart: () => {}, onOpen, onOpenPath } });
    await findByText(/is damaged: line 3: not JSON/);
    await fireEvent.click(await findByText('here.pcap'));
    expect(onOpenPath).toHaveBeenCalledWith('/tmp/here.pcap');
    expect(((await findByText('gone.pcap')).closest('button') as HTMLButtonElement).disabled).toBe(true);
    await fireEvent.click(getByRole('button', { name: 'Open file…' }));
    expect(onOpen).toHaveBeenCalled();
  });

  it('over a running capture: starts from its settings, and applies a new filter to it once libpcap accepts it', async () => {
    const onApply = vi.fn(async () => null as string | null);
    const running = { interfaces: ['lo'], filter: 'port 53', preset: 'dns', stages: { trafficMix: true }, snapLen: 262144 };
    const { getByRole, getByLabelText, findByText } = render(StartPage, { props: { engine: engine().client, onStart: () => {}, onOpen: () => {}, onOpenPath: () => {}, running, onApply } });
    await findByText('lo');
    const filter = getByLabelText(/Capture filter/) as HTMLInputElement;
    expect(filter.value).toBe('port 53');
    expect((getByRole('checkbox') as HTMLInputElement).checked).toBe(true);
    expect((getByRole('switch', { name: /Count the traffic mix/ }) as HTMLInputElement).checked).toBe(true);
    expect(getByRole('button', { name: 'Start new capture' })).toBeTruthy();
    await findByText(/preset “dns”/);
    // A bad filter: libpcap's message, nothing applied.
    await fireEvent.input(filter, { target: { value: 'tcp port' } });
    const apply = getByRole('button', { name: 'Apply to running capture' }) as HTMLButtonElement;
    await findByText(/✗ syntax error in filter expression/);
    expect(apply.disabled).toBe(true);
    expect(onApply).not.toHaveBeenCalled();
    // A good one, with the traffic mix turned off: the filter alone.
    await fireEvent.input(filter, { target: { value: 'udp port 5353' } });
    await fireEvent.click(getByRole('switch', { name: /Count the traffic mix/ }));
    await waitFor(() => expect(apply.disabled).toBe(false));
    await fireEvent.click(apply);
    await waitFor(() => expect(onApply).toHaveBeenCalledWith({ filter: 'udp port 5353' }));
    // The engine refusing: its sentence shows.
    onApply.mockImplementationOnce(async () => 'the kernel refused the program');
    await fireEvent.click(apply);
    await findByText('Not applied: the kernel refused the program');
  });
});
