import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, waitFor } from '@testing-library/svelte';
import type { HttpObjectRow, HttpTransactionRow } from '../../../app/rpc/engine-protocol';
import HttpObjectsDialog from './HttpObjectsDialog.svelte';
import HttpTab from './HttpTab.svelte';
import { FakeEngine } from './fake-engine';

afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
});

const obj = (index: number | null, part: HttpObjectRow['part'], name: string, frame: number): HttpObjectRow => ({
  index, part, frame, stream: index ?? 9, hostname: 'www.example.test', contentType: 'text/html', size: 1234, name,
});
const OBJECTS = [obj(0, 'response', 'index.html', 6), obj(1, 'request', 'upload', 14), obj(1, 'response', 'upload(1)', 16), obj(null, 'response', 'object30.html', 30)];

function engine(): FakeEngine {
  return new FakeEngine({
    httpObjects: () => ({ objects: OBJECTS }),
    exportHttpObjects: ({ directory, indexes, part }) => ({
      directory,
      files: OBJECTS.filter((o) => (indexes === undefined || (o.index !== null && indexes.includes(o.index))) && (part === undefined || o.part === part)).map((o) => ({ index: o.index, part: o.part, frame: o.frame, name: o.name, bytes: o.size })),
    }),
  });
}

describe('Export HTTP Objects dialog', () => {
  it('desktop: lists packet, hostname, content type, size and file name; Save… writes the picks into the folder chosen', async () => {
    const fake = engine();
    const chooseDirectoryDialog = vi.fn(async () => '/home/me/objects');
    const { getByRole, findByRole, container } = render(HttpObjectsDialog, { props: { engine: fake.client, session: 2, bridge: { chooseDirectoryDialog }, onClose: () => undefined } });
    const table = await findByRole('table', { name: 'HTTP objects' });
    expect([...table.querySelectorAll('th')].map((th) => th.textContent!.trim())).toEqual(['Export', 'Packet', 'Hostname', 'Content Type', 'Size', 'Filename']);
    expect(table.querySelectorAll('tbody tr')).toHaveLength(4);
    expect(container.textContent).toContain('4 of 4 objects picked');
    // Everything picked: tshark's whole export.
    await fireEvent.click(getByRole('button', { name: 'Save…' }));
    await waitFor(() => expect(fake.callsOf('exportHttpObjects')).toHaveLength(1));
    expect(fake.callsOf('exportHttpObjects')[0]).toEqual({ session: 2, directory: '/home/me/objects' });
    await waitFor(() => expect(container.textContent).toContain('Wrote 4 files'));
    // The request body of transaction 1 left out.
    await fireEvent.click(getByRole('checkbox', { name: 'Export upload (packet 14)' }));
    expect(container.textContent).toContain('2 of 4 objects picked');
    await fireEvent.click(getByRole('button', { name: 'Save…' }));
    await waitFor(() => expect(fake.callsOf('exportHttpObjects')).toHaveLength(2));
    expect(fake.callsOf('exportHttpObjects')[1]).toEqual({ session: 2, directory: '/home/me/objects', indexes: [0, 1], part: 'response' });
    expect(chooseDirectoryDialog).toHaveBeenCalledTimes(2);
  });

  it('serve mode: the picks are downloaded one by one from /object; a folder is the CLI’s job', async () => {
    const fake = engine();
    const clicked: string[] = [];
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      clicked.push(`${this.getAttribute('href')} as ${this.download}`);
    });
    const { getByRole, findByRole, container } = render(HttpObjectsDialog, { props: { engine: fake.client, session: 2, bridge: null, token: 't0k', onClose: () => undefined } });
    await findByRole('table', { name: 'HTTP objects' });
    expect(container.textContent).toContain('--export-objects http,DIR');
    expect((getByRole('checkbox', { name: 'Export object30.html (packet 30)' }) as HTMLInputElement).disabled).toBe(true);
    expect(container.textContent).toContain('3 of 4 objects picked');
    await fireEvent.click(getByRole('button', { name: /Download 3 one by one/ }));
    await waitFor(() => expect(clicked).toHaveLength(3), { timeout: 3000 });
    expect(clicked).toEqual([
      'object?session=2&index=0&token=t0k as index.html',
      'object?session=2&index=1&part=request&token=t0k as upload',
      'object?session=2&index=1&token=t0k as upload(1)',
    ]);
    expect(fake.callsOf('exportHttpObjects')).toEqual([]);
  });
});

const tx = (index: number, requestBytes = 0): HttpTransactionRow => ({
  index, stream: index, requestFrame: 4 + index * 10, responseFrame: 6 + index * 10, client: '127.0.0.1:40000', server: '127.0.0.1:8000',
  method: 'GET', host: 'localhost:8000', path: `/data${index}.json`, version: 'HTTP/1.1', status: 200, reason: 'OK',
  contentType: 'application/json', requestBytes, responseBytes: 11, seconds: 0.0012, relativeSeconds: index,
});

function tabEngine(): FakeEngine {
  return new FakeEngine({
    httpTransactions: ({ start }) => ({ total: 2, start, transactions: [tx(0), tx(1, 3)].slice(start) }),
    httpTransaction: ({ index }) => ({
      transaction: tx(index, index === 1 ? 3 : 0),
      requestLine: `GET /data${index}.json HTTP/1.1`,
      requestHeaders: [],
      requestBody: { data: index === 1 ? btoa('a=1') : '', size: index === 1 ? 3 : 0, truncated: false, problem: null },
      statusLine: 'HTTP/1.1 200 OK',
      responseHeaders: [],
      responseBody: { data: btoa('{"ok":true}'), size: 11, truncated: false, problem: null },
    }),
    exportHttpObjects: ({ directory, indexes }) => ({ directory, files: (indexes ?? [0, 1]).map((i) => ({ index: i, part: 'response' as const, frame: 6 + i * 10, name: `data${i}.json`, bytes: 11 })) }),
    httpObjects: () => ({ objects: [] }),
  });
}

describe('HttpTab: Export HTTP Objects', () => {
  it('serve mode: the selected transaction’s bodies are download links to /object', async () => {
    const fake = tabEngine();
    const { container, findByRole, queryByRole } = render(HttpTab, { props: { engine: fake.client, session: 1, onGoToFrame: () => undefined, bridge: null, token: 'tk' } });
    await waitFor(() => expect(container.querySelectorAll('.body [role="row"]').length).toBe(2));
    await fireEvent.click(container.querySelectorAll('.body [role="row"]')[1]!);
    const response = await findByRole('link', { name: 'Save the response body of transaction 2' });
    expect(response.getAttribute('href')).toBe('object?session=1&index=1&token=tk');
    expect(response.hasAttribute('download')).toBe(true);
    expect((await findByRole('link', { name: 'Save the request body of transaction 2' })).getAttribute('href')).toBe('object?session=1&index=1&part=request&token=tk');
    expect(queryByRole('button', { name: 'Export all…' })).toBeNull();
  });

  it('desktop: Export all… and Export selected… ask for a folder and send exportHttpObjects', async () => {
    const fake = tabEngine();
    const chooseDirectoryDialog = vi.fn(async () => '/tmp/objects');
    const { container, getByRole, findByText } = render(HttpTab, { props: { engine: fake.client, session: 1, onGoToFrame: () => undefined, bridge: { chooseDirectoryDialog } } });
    await waitFor(() => expect(container.querySelectorAll('.body [role="row"]').length).toBe(2));
    expect((getByRole('button', { name: 'Export selected…' }) as HTMLButtonElement).disabled).toBe(true);
    await fireEvent.click(getByRole('button', { name: 'Export all…' }));
    await findByText(/Wrote 2 files .* into \/tmp\/objects\./);
    expect(fake.callsOf('exportHttpObjects')).toEqual([{ session: 1, directory: '/tmp/objects' }]);
    await fireEvent.click(container.querySelectorAll('.body [role="row"]')[0]!);
    await fireEvent.click(getByRole('button', { name: 'Export selected…' }));
    await findByText(/Wrote 1 file .* into \/tmp\/objects\./);
    expect(fake.callsOf('exportHttpObjects')[1]).toEqual({ session: 1, directory: '/tmp/objects', indexes: [0] });
  });

  it('exportOpen opens the dialog (File > Export HTTP Objects…)', async () => {
    const fake = tabEngine();
    const { findByRole } = render(HttpTab, { props: { engine: fake.client, session: 1, onGoToFrame: () => undefined, bridge: null, exportOpen: true } });
    expect((await findByRole('dialog')).textContent).toContain('Export HTTP Objects');
  });
});
