/**
 * SSDP (UPnP discovery, UDP 1900): HTTP-format messages in datagrams. As in Wireshark, the message
 * is read by the HTTP dissector under another protocol name — layer `ssdp`, Protocol column SSDP —
 * with the `http.*` fields (http.request.method, http.host, ...), so a filter on those reaches it.
 */
import { dissectHttpMessage, type HttpFlavor } from './http';
import type { AppDissector } from './model';
import type { HttpTransactionTable } from './http-transactions';

export const SSDP: HttpFlavor = { protocol: 'ssdp', title: 'Simple Service Discovery Protocol', column: 'SSDP' };
export const SSDP_PORT = 1900;

export const ssdpDissector: AppDissector = createSsdpDissector(null);

/** SSDP with HTTP's request/response matching (Wireshark keeps it per UDP conversation for SSDP too), or without. */
export function createSsdpDissector(transactions: HttpTransactionTable | null): AppDissector {
  return {
    protocol: 'ssdp',
    fieldPrefixes: ['http'],
    udpPorts: [SSDP_PORT],
    dissect: (data, offset, end, ctx) => dissectHttpMessage(data, offset, end, ctx, SSDP, transactions),
  };
}
