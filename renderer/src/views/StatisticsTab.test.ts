import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, waitFor, within } from '@testing-library/svelte';
import type { CaptureStatistics, SessionInfo } from '../../../app/rpc/engine-protocol';
import StatisticsTab from './StatisticsTab.svelte';

afterEach(cleanup);

function session(stages: NonNullable<SessionInfo['capture']>['stages']): SessionInfo {
  return {
    session: 3, kind: 'live', path: '/tmp/spool/capture.pcapng', state: 'capturing', frames: 10,
    loading: { bytesDone: 0, bytesTotal: 0, milliseconds: null, error: null },
    interfaces: [{ linkType: 1, linkTypeName: 'EN10MB', linkTypeDescription: 'Ethernet', name: 'veth0' }],
    file: null, bytes: 1000, firstTime: null, lastTime: null, views: [], reports: [],
    capture: { interfaces: ['veth0'], filter: 'udp', preset: 'metadata', ...(stages ? { stages } : {}), snapLen: 262144, statistics: [], error: null },
  };
}

const figures: CaptureStatistics[] = [{
  interface: 'veth0', received: 30, dropped: 0, seenPackets: 40, acceptedPackets: 30,
  rules: [{ name: 'lab', packets: 25, bytes: 2500 }],
  mix: { ethertypes: [{ ethertype: 0x0800, packets: 36, bytes: 3600 }, { ethertype: 0x0806, packets: 4, bytes: 240 }], ipProtocols: [{ protocol: 17, packets: 30, bytes: 3000 }, { protocol: 1, packets: 6, bytes: 600 }] },
}];

const rows = (table: HTMLElement): string[] => [...table.querySelectorAll('tbody tr')].map((tr) => [...tr.children].map((c) => c.textContent!.trim()).join(' | '));

describe('StatisticsTab', () => {
  it('shows the capture’s settings, its counters, the traffic mix and the rules’ counters', () => {
    const { getByRole, getByText } = render(StatisticsTab, {
      props: { session: session({ trafficMix: true, watchlist: { rules: [{ name: 'lab', prefixes: ['10.0.0.0/8'] }] } }), statistics: figures, capturing: true, onWatch: async () => null, onChangeFilter: () => {} },
    });
    expect(getByText('● Capturing')).toBeTruthy();
    expect(getByText('udp').tagName).toBe('CODE');
    const counters = within(getByRole('region', { name: 'Counters of veth0' }));
    expect(counters.getByText('Accepted').nextElementSibling!.textContent).toBe('30 (75.0%)');
    expect(rows(getByRole('table', { name: 'Ethertypes on veth0' }))).toEqual(['IPv4 | 0x0800 | 36 | 3.6 kB | 90.0%', 'ARP | 0x0806 | 4 | 240 B | 10.0%']);
    expect(rows(getByRole('table', { name: 'IP protocols on veth0' }))).toEqual(['UDP | 17 | 30 | 3.0 kB | 83.3%', 'ICMP | 1 | 6 | 600 B | 16.7%']);
    expect(rows(getByRole('table', { name: 'Watchlist rules' }))[0]).toMatch(/^lab \| 10\.0\.0\.0\/8 ✕.*\| 25 \| 2\.5 kB \| Remove rule$/);
  });

  it('edits the watchlist while the capture runs: each change hands on every rule; the engine’s refusal shows', async () => {
    const onWatch = vi.fn(async (_rules: unknown) => null as string | null);
    const { getByRole } = render(StatisticsTab, {
      props: { session: session({ watchlist: { rules: [{ name: 'lab', prefixes: ['10.0.0.0/8'] }] } }), statistics: figures, capturing: true, onWatch, onChangeFilter: () => {} },
    });
    await fireEvent.input(getByRole('textbox', { name: 'Prefix to add to lab' }), { target: { value: '192.168.0.0/16' } });
    await fireEvent.click(within(getByRole('form', { name: 'Add a prefix to lab' })).getByRole('button', { name: 'Add' }));
    await waitFor(() => expect(onWatch).toHaveBeenLastCalledWith([{ name: 'lab', prefixes: ['10.0.0.0/8', '192.168.0.0/16'] }]));
    await fireEvent.click(getByRole('button', { name: 'Remove 10.0.0.0/8 from lab' }));
    expect(onWatch).toHaveBeenLastCalledWith([{ name: 'lab', prefixes: [] }]);
    const addRule = within(getByRole('form', { name: 'Add a watchlist rule' }));
    await fireEvent.input(addRule.getByRole('textbox', { name: 'Rule' }), { target: { value: 'dns' } });
    await fireEvent.input(addRule.getByRole('textbox', { name: 'First prefix' }), { target: { value: '10.0.0.53' } });
    onWatch.mockImplementationOnce(async () => 'rule “dns”: \'10.0.0.53\' is fine, but this test says no');
    await fireEvent.click(addRule.getByRole('button', { name: 'Add rule' }));
    await waitFor(() => expect(getByRole('alert').textContent).toMatch(/this test says no/));
    expect(onWatch).toHaveBeenLastCalledWith([{ name: 'lab', prefixes: ['10.0.0.0/8'] }, { name: 'dns', prefixes: ['10.0.0.53'] }]);
    // A name taken is refused here, before the engine hears of it.
    await fireEvent.input(addRule.getByRole('textbox', { name: 'Rule' }), { target: { value: 'lab' } });
    const calls = onWatch.mock.calls.length;
    await fireEvent.click(addRule.getByRole('button', { name: 'Add rule' }));
    await waitFor(() => expect(getByRole('alert').textContent).toMatch(/There is a rule “lab” already/));
    expect(onWatch.mock.calls.length).toBe(calls);
    await fireEvent.click(getByRole('button', { name: 'Remove rule lab' }));
    expect(onWatch).toHaveBeenLastCalledWith([]);
  });

  it('a stopped capture is read-only; a capture without the mix or a watchlist says so', () => {
    const { queryByRole, getByText } = render(StatisticsTab, {
      props: { session: { ...session(undefined), state: 'stopped' }, statistics: [{ interface: 'veth0', received: 1, dropped: 0, seenPackets: 1, acceptedPackets: 1 }], capturing: false, onWatch: async () => null, onChangeFilter: () => {} },
    });
    expect(getByText('Stopped')).toBeTruthy();
    expect(getByText(/No traffic mix: this capture runs without it/)).toBeTruthy();
    expect(getByText(/^\s*No CIDR watchlist\.\s*$/)).toBeTruthy();
    expect(queryByRole('form', { name: 'Add a watchlist rule' })).toBeNull();
    expect(queryByRole('button', { name: /Change filter/ })).toBeNull();
  });
});
