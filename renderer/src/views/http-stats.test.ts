import { describe, expect, it } from 'vitest';
import { formatSeconds, hostFilter, hostRows, parseStatsTree, statusFilter, statusOverTimeSpec, statusRows } from './http-stats';

const node = (name: string, count: number, children: unknown[] = [], percent: number | null = null) => ({ name, count, ratePerMs: null, percent, burstRatePerMs: null, burstStart: null, children });

describe('HTTP statistics', () => {
  it('lists hosts with their URIs, and the requests counted', () => {
    const tree = parseStatsTree(node('HTTP Requests by HTTP Host', 3, [node('a.example', 2, [node('/x', 1, [], 50), node('/y', 1, [], 50)], 66.7), node('b.example', 1, [node('/', 1, [], 100)], 33.3)]));
    const { total, hosts } = hostRows(tree);
    expect(total).toBe(3);
    expect(hosts.map((h) => [h.name, h.count, h.children.map((c) => c.name)])).toEqual([['a.example', 2, ['/x', '/y']], ['b.example', 1, ['/']]]);
    expect(hostRows(null)).toEqual({ total: 0, hosts: [] });
  });

  it('takes methods and the status classes that counted responses from the packet counter', () => {
    const tree = parseStatsTree(
      node('Total HTTP Packets', 5, [
        node('HTTP Request Packets', 3, [node('GET', 3)]),
        node('HTTP Response Packets', 2, [node('2xx: Success', 1, [node('200 OK', 1)]), node('4xx: Client Error', 1, [node('404 Not Found', 1)]), node('5xx: Server Error', 0)]),
        node('Other HTTP Packets', 0),
      ]),
    );
    const s = statusRows(tree);
    expect([s.requests, s.responses]).toEqual([3, 2]);
    expect(s.methods.map((m) => m.name)).toEqual(['GET']);
    expect(s.classes.map((c) => [c.name, c.children.map((x) => x.name)])).toEqual([['2xx: Success', ['200 OK']], ['4xx: Client Error', ['404 Not Found']]]);
  });

  it('filters a host, a code and a class; the over-time report has a column per class', () => {
    expect(hostFilter('a"b\\c')).toBe('http.host == "a\\"b\\\\c"');
    expect(statusFilter('404 Not Found')).toBe('http.response.code == 404');
    expect(statusFilter('3xx: Redirection')).toBe('http.response.code >= 300 && http.response.code < 400');
    expect(statusFilter('???: broken')).toBeNull();
    expect(statusOverTimeSpec(1).split(',').length).toBe(3 + 5);
    expect(formatSeconds(0.0123)).toBe('12.3 ms');
    expect(formatSeconds(2)).toBe('2.000 s');
    expect(formatSeconds(null)).toBe('—');
  });
});
