import { describe, expect, it } from 'vitest';
import { cellText } from '../components/table';
import { HIERARCHY_COLUMNS, formatPercent, indentedProtocol, parseHierarchy, sortTree } from './hierarchy';

// As the engine's io,phs data for http_espn-like traffic: eth > ip > {udp > dns, tcp > {http, tls}}.
const DATA = {
  filter: null,
  protocols: [
    {
      protocol: 'eth',
      frames: 100,
      bytes: 50000,
      children: [
        {
          protocol: 'ip',
          frames: 96,
          bytes: 49000,
          children: [
            { protocol: 'udp', frames: 10, bytes: 1000, children: [{ protocol: 'dns', frames: 10, bytes: 1000, children: [] }] },
            {
              protocol: 'tcp',
              frames: 86,
              bytes: 48000,
              children: [
                { protocol: 'http', frames: 20, bytes: 30000, children: [] },
                { protocol: 'tls', frames: 30, bytes: 9000, children: [] },
              ],
            },
          ],
        },
        { protocol: 'arp', frames: 4, bytes: 1000, children: [] },
      ],
    },
  ],
};

describe('protocol hierarchy', () => {
  it('flattens the tree depth first with percentages of the frames counted and end counts', () => {
    const h = parseHierarchy(DATA);
    expect(h.frames).toBe(100);
    expect(h.bytes).toBe(50000);
    expect(h.rows.map((r) => `${r.key}:${r.depth}`)).toEqual(['eth:0', 'eth/ip:1', 'eth/ip/udp:2', 'eth/ip/udp/dns:3', 'eth/ip/tcp:2', 'eth/ip/tcp/http:3', 'eth/ip/tcp/tls:3', 'eth/arp:1']);
    const tcp = h.rows.find((r) => r.key === 'eth/ip/tcp')!;
    expect(tcp.framesPercent).toBeCloseTo(86);
    expect(tcp.bytesPercent).toBeCloseTo(96);
    // 86 TCP frames, 50 with a protocol inside: 36 end at TCP (bare ACKs).
    expect(tcp.endFrames).toBe(36);
    expect(tcp.endBytes).toBe(9000);
    expect(h.rows[0]!.endFrames).toBe(0);
  });

  it('shows Wireshark’s columns: indented names, one-decimal percentages, sizes with exact tooltips', () => {
    const h = parseHierarchy(DATA);
    const http = h.rows.find((r) => r.protocol === 'http')!;
    expect(HIERARCHY_COLUMNS.map((c) => c.title)).toEqual(['Protocol', 'Percent Packets', 'Packets', 'Percent Bytes', 'Bytes', 'End Packets', 'End Bytes']);
    expect(HIERARCHY_COLUMNS.map((c) => cellText(c, http))).toEqual(['\u2003\u2003\u2003http', '20.0%', '20', '60.0%', '30 kB', '20', '30 kB']);
    expect(indentedProtocol(http).trim()).toBe('http');
    expect(HIERARCHY_COLUMNS[4]!.tooltip!(http)).toBe('30,000 bytes');
    expect(HIERARCHY_COLUMNS[0]!.tooltip!(http)).toBe('eth › ip › tcp › http');
    expect(formatPercent(100 / 3)).toBe('33.3%');
  });

  it('sorts siblings and keeps children under their parent, either way', () => {
    const { rows } = parseHierarchy(DATA);
    const keys = (sort: Parameters<typeof sortTree>[2]): string[] => sortTree(rows, HIERARCHY_COLUMNS, sort).map((r) => r.protocol);
    expect(keys(null)).toEqual(rows.map((r) => r.protocol));
    expect(keys({ column: 'frames', descending: true })).toEqual(['eth', 'ip', 'tcp', 'tls', 'http', 'udp', 'dns', 'arp']);
    expect(keys({ column: 'frames', descending: false })).toEqual(['eth', 'arp', 'ip', 'udp', 'dns', 'tcp', 'http', 'tls']);
    expect(keys({ column: 'protocol', descending: true })).toEqual(['eth', 'ip', 'udp', 'dns', 'tcp', 'tls', 'http', 'arp']);
  });

  it('puts a row whose parent the filter box hid among the roots', () => {
    const { rows } = parseHierarchy(DATA);
    const some = rows.filter((r) => r.protocol === 'http' || r.protocol === 'dns' || r.protocol === 'arp');
    expect(sortTree(some, HIERARCHY_COLUMNS, { column: 'bytes', descending: true }).map((r) => r.protocol)).toEqual(['http', 'dns', 'arp']);
  });

  it('refuses data that is not a hierarchy, and counts an empty one as nothing', () => {
    expect(() => parseHierarchy({ filter: null, protocols: [{ protocol: 'eth', frames: -1, bytes: 0, children: [] }] })).toThrow();
    expect(() => parseHierarchy([])).toThrow();
    const empty = parseHierarchy({ filter: 'tcp', protocols: [] });
    expect(empty).toEqual({ filter: 'tcp', frames: 0, bytes: 0, rows: [] });
  });
});
