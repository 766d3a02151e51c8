import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, waitFor } from '@testing-library/svelte';
import type { HttpTransactionRow } from '../../../app/rpc/engine-protocol';
import HttpTab from './HttpTab.svelte';
import { FakeEngine } from './fake-engine';

afterEach(cleanup);

const tx = (index: number): HttpTransactionRow => ({
  index, stream: index, requestFrame: 4 + index * 10, responseFrame: 6 + index * 10, client: '127.0.0.1:40000', server: '127.0.0.1:8000',
  method: 'GET', host: 'localhost:8000', path: `/data${index}.json`, version: 'HTTP/1.1', status: 200, reason: 'OK',
  contentType: 'application/json', requestBytes: 0, responseBytes: 13, seconds: 0.0012, relativeSeconds: index,
});

describe('HttpTab', () => {
  it('lists transactions, shows one’s headers and pretty JSON, and goes to its packets', async () => {
    const onGoToFrame = vi.fn();
    const fake = new FakeEngine({
      httpTransactions: ({ start }) => ({ total: 2, start, transactions: [tx(0), tx(1)].slice(start) }),
      httpTransaction: ({ index }) => ({
        transaction: tx(index),
        requestLine: `GET /data${index}.json HTTP/1.1`,
        requestHeaders: [{ name: 'Host', value: 'localhost:8000' }],
        requestBody: { data: '', size: 0, truncated: false, problem: null },
        statusLine: 'HTTP/1.1 200 OK',
        responseHeaders: [{ name: 'Content-Type', value: 'application/json' }],
        responseBody: { data: btoa('{"ok":true}'), size: 11, truncated: true, problem: null },
      }),
    });
    const { container, getByRole, findByText } = render(HttpTab, { props: { engine: fake.client, session: 1, onGoToFrame } });
    await waitFor(() => expect(container.querySelectorAll('.body [role="row"]').length).toBe(2));
    await fireEvent.click(container.querySelectorAll('.body [role="row"]')[1]!);
    await findByText('GET /data1.json HTTP/1.1');
    expect(fake.callsOf('httpTransaction')).toEqual([{ session: 1, index: 1 }]);
    const pre = getByRole('generic', { name: 'Response body preview' });
    expect(pre.textContent).toBe('{\n  "ok": true\n}');
    expect(container.textContent).toContain('Only the first 11 of 11 bytes were kept');
    await fireEvent.click(getByRole('button', { name: 'Go to response (frame 16)' }));
    expect(onGoToFrame).toHaveBeenCalledWith(16);
    await fireEvent.keyDown(getByRole('grid'), { key: 'Enter' });
    expect(onGoToFrame).toHaveBeenLastCalledWith(14);
  });

  it('has a keyboard-resizable splitter between the list and the details', async () => {
    const fake = new FakeEngine({ httpTransactions: ({ start }) => ({ total: 1, start, transactions: [tx(0)].slice(start) }) });
    const { container, getByRole } = render(HttpTab, { props: { engine: fake.client, session: 1, onGoToFrame: vi.fn() } });
    const splitter = getByRole('separator', { name: 'Resize the HTTP transactions list' });
    expect(splitter.tabIndex).toBe(0);
    expect(splitter.getAttribute('aria-valuenow')).toBe('50');
    const grid = container.querySelector<HTMLElement>('.http')!;
    expect(grid.style.gridTemplateRows).toContain('0.5fr');
    await fireEvent.keyDown(splitter, { key: 'ArrowDown' });
    expect(splitter.getAttribute('aria-valuenow')).toBe('55');
    expect(grid.style.gridTemplateRows).toContain('0.55fr');
    await fireEvent.keyDown(splitter, { key: 'ArrowUp' });
    await fireEvent.keyDown(splitter, { key: 'ArrowUp' });
    expect(splitter.getAttribute('aria-valuenow')).toBe('45');
  });
});
