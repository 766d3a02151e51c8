import { describe, expect, it } from 'vitest';
import { cellText, sortRows } from '../components/table';
import { ENDPOINT_KINDS, endpointColumns, endpointFilter, endpointSpec, parseEndpoints } from './endpoints';

const row = (address: string, port: number | null, tx: number, rx: number) => ({
  address, port, packets: tx + rx, bytes: 100 * (tx + rx), txPackets: tx, txBytes: 100 * tx, rxPackets: rx, rxBytes: 100 * rx,
});

describe('endpoints', () => {
  it('has Wireshark’s tabs and columns, ports only for TCP and UDP', () => {
    expect(ENDPOINT_KINDS.map((k) => k.title)).toEqual(['Ethernet', 'IPv4', 'IPv6', 'TCP', 'UDP']);
    expect(endpointColumns('ip').map((c) => c.title)).toEqual(['Address', 'Packets', 'Bytes', 'Tx Packets', 'Tx Bytes', 'Rx Packets', 'Rx Bytes']);
    expect(endpointColumns('tcp').map((c) => c.title)).toEqual(['Address', 'Port', 'Packets', 'Bytes', 'Tx Packets', 'Tx Bytes', 'Rx Packets', 'Rx Bytes']);
  });

  it('checks the data, keys rows and formats counts and sizes', () => {
    const rows = parseEndpoints([row('10.0.0.1', 80, 1500, 20), row('10.0.0.1', 443, 1, 1)]);
    expect(rows.map((r) => r.key)).toEqual(['10.0.0.1|80', '10.0.0.1|443']);
    const columns = endpointColumns('tcp');
    expect(columns.map((c) => cellText(c, rows[0]!))).toEqual(['10.0.0.1', '80', '1,520', '152 kB', '1,500', '150 kB', '20', '2.0 kB']);
    expect(columns[3]!.tooltip!(rows[0]!)).toBe('152,000 bytes');
    expect(parseEndpoints([row('02:00:00:00:00:01', null, 1, 0)])[0]!.key).toBe('02:00:00:00:00:01');
    expect(() => parseEndpoints([{ address: '10.0.0.1' }])).toThrow();
    expect(() => parseEndpoints({ filter: null })).toThrow();
  });

  it('sorts numerically and addresses naturally', () => {
    const rows = parseEndpoints([row('10.0.0.10', null, 5, 5), row('10.0.0.9', null, 50, 0), row('10.0.0.100', null, 1, 1)]);
    const columns = endpointColumns('ip');
    expect(sortRows(rows, columns, { column: 'packets', descending: true }).map((r) => r.address)).toEqual(['10.0.0.9', '10.0.0.10', '10.0.0.100']);
    expect(sortRows(rows, columns, { column: 'address', descending: false }).map((r) => r.address)).toEqual(['10.0.0.9', '10.0.0.10', '10.0.0.100']);
    expect(sortRows(rows, columns, { column: 'rxPackets', descending: false }).map((r) => r.address)).toEqual(['10.0.0.9', '10.0.0.100', '10.0.0.10']);
  });

  it('makes the report spec and each row’s display filter', () => {
    expect(endpointSpec('ip', null)).toBe('endpoints,ip');
    expect(endpointSpec('udp', 'dns')).toBe('endpoints,udp,dns');
    expect(endpointSpec('udp', '  ')).toBe('endpoints,udp');
    expect(endpointFilter('eth', { address: '02:00:00:00:00:01', port: null })).toBe('eth.addr==02:00:00:00:00:01');
    expect(endpointFilter('ipv6', { address: 'fe80::1', port: null })).toBe('ipv6.addr==fe80::1');
    expect(endpointFilter('tcp', { address: '10.0.0.1', port: 80 })).toBe('ip.addr==10.0.0.1 && tcp.port==80');
    expect(endpointFilter('udp', { address: 'fe80::1', port: 53 })).toBe('ipv6.addr==fe80::1 && udp.port==53');
  });
});
