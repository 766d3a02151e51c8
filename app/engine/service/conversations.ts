/**
 * The `conversations` request: the Sessions table's rows, from the same ConversationTable that
 * answers `-z conv,KIND` (app/stats/conversations.ts), fed by a ReportFeed like any report.
 *
 * - With a view, the table counts only the view's matches: the view's filter becomes the table's
 *   own filter (`-z conv,KIND,FILTER`, as tshark counts it); times stay relative to the capture's
 *   first frame.
 * - Each table is kept per session (by kind and filter) and follows the session as frames are
 *   appended: a second request, or one during a live capture, feeds only the new frames.
 * - Each row carries a display filter selecting exactly its frames: `tcp.stream eq N` /
 *   `udp.stream eq N` (a reused 4-tuple is another conversation, as the table keys them), or the
 *   address pair for Ethernet and IP (Wireshark's conversation filter); with a view, the view's
 *   filter is and-ed in front.
 */
import type { Conversation, ConversationKind, EngineResult } from '../../rpc/engine-protocol';
import { createConversationReport, type ConversationJson, type ConversationTable } from '../../stats/conversations';
import type { FilterView } from '../filter-view';
import type { ReportFeed } from '../report-feed';
import type { AnalysisWork } from './analysis-work';
import { EngineError } from './plain';
import type { EngineSession } from './session';

/** Tables kept per session (a UI flips between kinds and views): the oldest goes past this many. */
const MAX_TABLES = 16;

interface KeptTable {
  table: ConversationTable;
  feed: ReportFeed;
  /** The session's ignored frames when it was made (ignoring frames makes it count again without them). */
  ignoredVersion: number;
}

const tables = new WeakMap<EngineSession, Map<string, KeptTable>>();

/** Forgets a session's conversation tables (Decode As changed what its frames read). */
export function forgetConversations(session: EngineSession): void {
  tables.delete(session);
}

/** `-z conv,KIND[,FILTER]`'s spec for a kind and an optional view filter. */
export function conversationSpec(kind: ConversationKind, viewFilter: string | null): string {
  return viewFilter === null || viewFilter.trim() === '' ? `conv,${kind}` : `conv,${kind},${viewFilter}`;
}

function keptTable(session: EngineSession, spec: string): KeptTable {
  let kept = tables.get(session);
  if (!kept) tables.set(session, (kept = new Map()));
  let entry = kept.get(spec);
  if (entry && entry.ignoredVersion !== session.flags.ignoredVersion) entry = undefined;
  if (entry) {
    // Most recently used last: the first is the one to drop.
    kept.delete(spec);
    kept.set(spec, entry);
    return entry;
  }
  const table = createConversationReport(spec);
  // Ignored frames (Edit › Ignore Packet) are left out, as Wireshark leaves them out of its statistics.
  entry = { table, feed: session.store.followReport(table, (k) => session.flags.isIgnored(k)), ignoredVersion: session.flags.ignoredVersion };
  kept.delete(spec);
  kept.set(spec, entry);
  while (kept.size > MAX_TABLES) kept.delete(kept.keys().next().value!);
  return entry;
}

/** Wireshark's filter for one conversation (tcp.stream / udp.stream for TCP and UDP). */
export function conversationFilter(kind: ConversationKind, row: Pick<ConversationJson, 'addressA' | 'addressB' | 'stream'>): string {
  switch (kind) {
    case 'tcp':
    case 'udp':
      return `${kind}.stream eq ${row.stream}`;
    case 'eth':
      return row.addressA === row.addressB ? `eth.src==${row.addressA} && eth.dst==${row.addressB}` : `eth.addr==${row.addressA} && eth.addr==${row.addressB}`;
    case 'ip':
    case 'ipv6':
      return row.addressA === row.addressB ? `${kind}.src==${row.addressA} && ${kind}.dst==${row.addressB}` : `${kind}.addr==${row.addressA} && ${kind}.addr==${row.addressB}`;
  }
}

export function conversationRow(kind: ConversationKind, c: ConversationJson, viewFilter: string | null): Conversation {
  const own = conversationFilter(kind, c);
  return {
    addressA: c.addressA,
    portA: c.portA,
    addressB: c.addressB,
    portB: c.portB,
    framesAtoB: c.packetsAtoB,
    bytesAtoB: c.bytesAtoB,
    framesBtoA: c.packetsBtoA,
    bytesBtoA: c.bytesBtoA,
    frames: c.packetsAtoB + c.packetsBtoA,
    bytes: c.bytesAtoB + c.bytesBtoA,
    relativeStart: c.relStart,
    duration: c.duration,
    stream: c.stream,
    filter: viewFilter === null ? own : `(${viewFilter}) && ${own}`,
  };
}

/** Conversations of one kind over every frame the session holds now (or a view's matches). */
export async function conversations(session: EngineSession, kind: ConversationKind, view: FilterView | undefined, work: AnalysisWork): Promise<EngineResult<'conversations'>> {
  const viewFilter = view && view.text.trim() !== '' ? view.text : null;
  const { table, feed } = keptTable(session, conversationSpec(kind, viewFilter));
  const store = session.store;
  work.progress('conversations', feed.fed, store.count());
  try {
    await feed.update((done, total) => work.progress('conversations', done, total), work.signal);
  } catch (err) {
    work.check();
    throw new EngineError('EREAD', `the conversations stopped at frame ${feed.fed + 1}: ${(err as Error).message}`);
  } finally {
    work.end();
  }
  work.check();
  return { kind, conversations: table.json().map((c) => conversationRow(kind, c, viewFilter)) };
}
