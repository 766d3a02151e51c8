/** The Sessions tab's tables: conversation kinds and their columns, declared as data. */
import type { Conversation, ConversationKind } from '../../../app/rpc/engine-protocol';
import type { Column } from '../components/table';
import { formatBytes, formatCount, formatSeconds } from '../lib/format';

export const CONVERSATION_KINDS: readonly { kind: ConversationKind; title: string; ports: boolean; follow: 'tcp' | 'udp' | null }[] = [
  { kind: 'tcp', title: 'TCP', ports: true, follow: 'tcp' },
  { kind: 'udp', title: 'UDP', ports: true, follow: 'udp' },
  { kind: 'ip', title: 'IPv4', ports: false, follow: null },
  { kind: 'ipv6', title: 'IPv6', ports: false, follow: null },
  { kind: 'eth', title: 'Ethernet', ports: false, follow: null },
];

/** A conversation with a key unique in its table (the same endpoints can talk in two streams). */
export interface ConversationRow extends Conversation {
  key: string;
}

export function withKeys(conversations: readonly Conversation[]): ConversationRow[] {
  const seen = new Map<string, number>();
  return conversations.map((c) => {
    const base = `${c.addressA}|${c.portA ?? ''}|${c.addressB}|${c.portB ?? ''}|${c.stream ?? ''}`;
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    return { ...c, key: n === 1 ? base : `${base}#${n}` };
  });
}

const count = (get: (c: ConversationRow) => number, id: string, title: string, width = 90): Column<ConversationRow> => ({
  id,
  title,
  width,
  align: 'right',
  value: get,
  format: (c) => formatCount(get(c)),
});

const bytes = (get: (c: ConversationRow) => number, id: string, title: string, width = 90): Column<ConversationRow> => ({
  id,
  title,
  width,
  align: 'right',
  value: get,
  format: (c) => formatBytes(get(c)),
  tooltip: (c) => `${formatCount(get(c))} bytes`,
});

/** The columns of a kind's table (ports only for TCP and UDP), as Wireshark's Conversations dialog. */
export function conversationColumns(kind: ConversationKind): Column<ConversationRow>[] {
  const ports = CONVERSATION_KINDS.find((k) => k.kind === kind)?.ports ?? false;
  const address = (id: 'addressA' | 'addressB', title: string): Column<ConversationRow> => ({ id, title, width: kind === 'ipv6' ? 'minmax(12rem, 2fr)' : 'minmax(8rem, 1fr)', value: (c) => c[id] });
  const port = (id: 'portA' | 'portB', title: string): Column<ConversationRow> => ({ id, title, width: 70, align: 'right', value: (c) => c[id] });
  return [
    address('addressA', 'Address A'),
    ...(ports ? [port('portA', 'Port A')] : []),
    address('addressB', 'Address B'),
    ...(ports ? [port('portB', 'Port B')] : []),
    count((c) => c.frames, 'frames', 'Packets', 80),
    bytes((c) => c.bytes, 'bytes', 'Bytes'),
    count((c) => c.framesAtoB, 'framesAtoB', 'Packets A→B', 120),
    bytes((c) => c.bytesAtoB, 'bytesAtoB', 'Bytes A→B', 105),
    count((c) => c.framesBtoA, 'framesBtoA', 'Packets B→A', 120),
    bytes((c) => c.bytesBtoA, 'bytesBtoA', 'Bytes B→A', 105),
    { id: 'relativeStart', title: 'Rel Start', width: 100, align: 'right', value: (c) => c.relativeStart, format: (c) => formatSeconds(c.relativeStart, 6) },
    { id: 'duration', title: 'Duration', width: 90, align: 'right', value: (c) => c.duration, format: (c) => formatSeconds(c.duration, 4) },
  ];
}

/** The stream Follow Stream opens for a row, or null (not TCP/UDP, or no stream number). */
export function followTarget(kind: ConversationKind, row: Conversation | null): { protocol: 'tcp' | 'udp'; stream: number } | null {
  const follow = CONVERSATION_KINDS.find((k) => k.kind === kind)?.follow ?? null;
  if (!row || follow === null || row.stream === null) return null;
  return { protocol: follow, stream: row.stream };
}
