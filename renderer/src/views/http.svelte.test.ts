import { describe, expect, it } from 'vitest';
import type { HttpTransactionRow } from '../../../app/rpc/engine-protocol';
import { FakeEngine } from './fake-engine';
import { HttpState } from './http.svelte';

const tx = (index: number, responseFrame: number | null = index * 2 + 2): HttpTransactionRow => ({
  index, stream: index, requestFrame: index * 2 + 1, responseFrame, client: 'c', server: 's', method: 'GET', host: 'h', path: `/${index}`,
  version: 'HTTP/1.1', status: responseFrame === null ? null : 200, reason: responseFrame === null ? '' : 'OK', contentType: '', requestBytes: 0,
  responseBytes: 0, seconds: null, relativeSeconds: 0,
});

const body = { data: '', size: 0, truncated: false, problem: null };

describe('HttpState', () => {
  it('reads every page, then re-reads only from the first unanswered request', async () => {
    let all = Array.from({ length: 25 }, (_, i) => tx(i, i === 22 ? null : i * 2 + 2));
    const fake = new FakeEngine({
      httpTransactions: ({ start, count }) => ({ total: all.length, start, transactions: all.slice(start, start + count) }),
    });
    const http = new HttpState(fake, () => 3, 10);
    await http.load();
    expect(http.rows.length).toBe(25);
    expect(fake.callsOf('httpTransactions')).toEqual([
      { session: 3, start: 0, count: 10 },
      { session: 3, start: 10, count: 10 },
      { session: 3, start: 20, count: 10 },
    ]);
    all = [...all.slice(0, 22), tx(22), ...all.slice(23), tx(25), tx(26)];
    await http.load(false);
    expect(fake.callsOf('httpTransactions').at(-1)).toEqual({ session: 3, start: 22, count: 10 });
    expect(http.rows.length).toBe(27);
    expect(http.rows[22]!.responseFrame).toBe(46);
    expect(http.total).toBe(27);
    http.dispose();
  });

  it('shows the latest selected transaction’s details', async () => {
    const fake = new FakeEngine({
      httpTransaction: async ({ index }) => {
        if (index === 0) await new Promise((r) => setTimeout(r, 20));
        if (index === 9) throw Object.assign(new Error('no such transaction'), { code: 'ENOTRANSACTION' });
        return { transaction: tx(index), requestLine: `GET /${index} HTTP/1.1`, requestHeaders: [], requestBody: body, statusLine: 'HTTP/1.1 200 OK', responseHeaders: [], responseBody: body };
      },
    });
    const http = new HttpState(fake, () => 1);
    const first = http.select(0);
    await http.select(1);
    await first;
    expect(http.detail?.requestLine).toBe('GET /1 HTTP/1.1');
    await http.select(9);
    expect(http.detail).toBeNull();
    expect(http.detailError).toBe('no such transaction');
    await http.select(null);
    expect(http.selected).toBeNull();
    expect(http.detailError).toBeNull();
    http.dispose();
  });
});
