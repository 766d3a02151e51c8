/**
 * Statistics › Endpoints (Wireshark's dialog): one table per kind, from the engine's
 * `endpoints,KIND` report (tshark's `-z endpoints,KIND`, the CLI's code), columns declared as data.
 */
import * as v from 'valibot';
import { EndpointsReportData, type ConversationKind, type Endpoint } from '../../../app/rpc/engine-protocol';
import type { Column } from '../components/table';
import { formatBytes, formatCount } from '../lib/format';

/** The kinds, in the order of Wireshark's tabs. */
export const ENDPOINT_KINDS: readonly { kind: ConversationKind; title: string; ports: boolean }[] = [
  { kind: 'eth', title: 'Ethernet', ports: false },
  { kind: 'ip', title: 'IPv4', ports: false },
  { kind: 'ipv6', title: 'IPv6', ports: false },
  { kind: 'tcp', title: 'TCP', ports: true },
  { kind: 'udp', title: 'UDP', ports: true },
];

/** An endpoint with a key unique in its table. */
export interface EndpointRow extends Endpoint {
  key: string;
}

/** readReport's data for `endpoints,KIND[,FILTER]`, checked, in tshark's order (most packets first). */
export function parseEndpoints(data: unknown): EndpointRow[] {
  return v.parse(EndpointsReportData, data).map((e) => ({ ...e, key: e.port === null ? e.address : `${e.address}|${e.port}` }));
}

/** `endpoints,KIND` or, for a display filter's frames, `endpoints,KIND,FILTER`. */
export function endpointSpec(kind: ConversationKind, filter: string | null): string {
  return filter === null || filter.trim() === '' ? `endpoints,${kind}` : `endpoints,${kind},${filter}`;
}

type Numeric = 'packets' | 'bytes' | 'txPackets' | 'txBytes' | 'rxPackets' | 'rxBytes';

const count = (id: Numeric, title: string, width = 90): Column<EndpointRow> => ({ id, title, width, align: 'right', value: (e) => e[id], format: (e) => formatCount(e[id]) });
const size = (id: Numeric, title: string, width = 90): Column<EndpointRow> => ({
  id,
  title,
  width,
  align: 'right',
  value: (e) => e[id],
  format: (e) => formatBytes(e[id]),
  tooltip: (e) => `${formatCount(e[id])} bytes`,
});

/** Wireshark's columns (Port only for TCP and UDP). */
export function endpointColumns(kind: ConversationKind): Column<EndpointRow>[] {
  const ports = ENDPOINT_KINDS.find((k) => k.kind === kind)?.ports ?? false;
  return [
    { id: 'address', title: 'Address', width: kind === 'ipv6' ? 'minmax(14rem, 2fr)' : 'minmax(9rem, 1fr)', value: (e) => e.address },
    ...(ports ? [{ id: 'port', title: 'Port', width: 70, align: 'right', value: (e) => e.port } satisfies Column<EndpointRow>] : []),
    count('packets', 'Packets'),
    size('bytes', 'Bytes'),
    count('txPackets', 'Tx Packets', 110),
    size('txBytes', 'Tx Bytes'),
    count('rxPackets', 'Rx Packets', 110),
    size('rxBytes', 'Rx Bytes'),
  ];
}

/** A display filter selecting an endpoint's frames (Wireshark's "Apply as Filter"). */
export function endpointFilter(kind: ConversationKind, row: Pick<Endpoint, 'address' | 'port'>): string {
  switch (kind) {
    case 'eth':
      return `eth.addr==${row.address}`;
    case 'ip':
      return `ip.addr==${row.address}`;
    case 'ipv6':
      return `ipv6.addr==${row.address}`;
    case 'tcp':
    case 'udp': {
      const ip = row.address.includes(':') ? 'ipv6' : 'ip';
      return `${ip}.addr==${row.address} && ${kind}.port==${row.port}`;
    }
  }
}
