/**
 * What a user can do from a packet or a field, as Wireshark offers it: follow the packet's TCP or
 * UDP stream, filter on its conversation, apply a field as a display filter ("Apply as Filter →
 * Selected"). Pure functions over the `packet` reply.
 */
import type { PacketDetail, PacketField } from '../../../app/rpc/engine-protocol';

export interface StreamRef {
  protocol: 'tcp' | 'udp';
  stream: number;
}

function findField(fields: readonly PacketField[], abbrev: string): PacketField | null {
  for (const f of fields) {
    if (f.abbrev === abbrev) return f;
    const inner = f.children ? findField(f.children, abbrev) : null;
    if (inner) return inner;
  }
  return null;
}

/** The packet's TCP stream (tcp.stream), else its UDP stream (udp.stream), else null. */
export function streamOf(detail: PacketDetail | null): StreamRef | null {
  if (!detail) return null;
  for (const protocol of ['tcp', 'udp'] as const) {
    for (const layer of detail.layers) {
      const f = findField(layer.fields, `${protocol}.stream`);
      const n = typeof f?.value === 'number' ? f.value : typeof f?.value === 'string' && /^\d+$/.test(f.value) ? Number(f.value) : null;
      if (n !== null) return { protocol, stream: n };
    }
  }
  return null;
}

/** The display filter of a stream's conversation, as Wireshark writes it. */
export function conversationFilter(ref: StreamRef): string {
  return `${ref.protocol}.stream eq ${ref.stream}`;
}

/** IPv4, IPv6 and MAC addresses (colons: the IPv6 pattern covers them). */
const ADDRESS = /^(\d{1,3}(\.\d{1,3}){3}|[0-9a-f]{0,4}(:[0-9a-f]{0,4}){2,7}|[0-9a-f]{2}(-[0-9a-f]{2}){5})$/i;

/** A string as a display filter literal: double quotes, backslashes and quotes escaped. */
export function quoted(text: string): string {
  return `"${text.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/**
 * The display filter selecting packets whose field equals this one's value ("Apply as Filter →
 * Selected"); a field without a value filters on its presence. Null for a text-only line.
 */
export function fieldFilter(field: Pick<PacketField, 'abbrev' | 'type' | 'text' | 'value'>): string | null {
  if (!field.abbrev) return null;
  const { abbrev, value } = field;
  switch (field.type) {
    case 'number':
    case 'integer64':
      return value === null || value === '' ? abbrev : `${abbrev} == ${field.text || String(value)}`;
    case 'boolean':
      return value === null ? abbrev : `${abbrev} == ${value === true || value === 1 || value === '1' ? 1 : 0}`;
    case 'string': {
      if (value === null) return abbrev;
      const text = String(field.text || value);
      // Addresses are written bare, as Wireshark writes them (ip.src == 10.0.0.1, eth.dst == 02:00:…).
      return `${abbrev} == ${ADDRESS.test(text) ? text : quoted(text)}`;
    }
    case 'bytes': {
      // Bytes compare as colon-separated hex; the text is that already when tshark would print it so.
      if (/^[0-9a-f]{2}(:[0-9a-f]{2})*$/i.test(field.text)) return `${abbrev} == ${field.text}`;
      if (typeof value === 'string' && value !== '') {
        const bytes = atob(value);
        if (bytes.length === 0 || bytes.length > 64) return abbrev;
        return `${abbrev} == ${[...bytes].map((c) => c.charCodeAt(0).toString(16).padStart(2, '0')).join(':')}`;
      }
      return abbrev;
    }
    case 'none':
      return abbrev;
  }
}
