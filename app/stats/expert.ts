/**
 * `-z expert[,error|warn|note|chat|comment][,FILTER]`: tshark's expert info summary (ui/cli/tap-expert.c).
 * Every expert item the dissectors raised (app/dissect/expert.ts), and an error for each malformed
 * layer, counted per severity by protocol and summary in the order first seen:
 *
 *   Notes (5)
 *   =============
 *      Frequency      Group           Protocol  Summary
 *              5   Sequence                TCP  This frame is a (suspected) retransmission
 *
 * Severities print from Errors down to Comments, only those with items; a severity argument
 * keeps that one and the ones above it.
 */
import type { DissectedPacket, ExpertGroup, ExpertInfo, ExpertSeverity, Layer } from '../dissect/model';
import { expertsOf } from '../dissect/expert';
import { compileDisplayFilter, DisplayFilterError, type DisplayFilter } from '../filter';
import { StatisticsSpecError, type ReportFrame, type StatisticsReport } from './report';

/** From the most severe down, with tshark's section titles and its argument words. */
const LEVELS: ReadonlyArray<{ severity: ExpertSeverity; title: string; word: string }> = [
  { severity: 'Error', title: 'Errors', word: 'error' },
  { severity: 'Warning', title: 'Warns', word: 'warn' },
  { severity: 'Note', title: 'Notes', word: 'note' },
  { severity: 'Chat', title: 'Chats', word: 'chat' },
  { severity: 'Comment', title: 'Comments', word: 'comment' },
];

/** Wireshark's short names of protocols whose name is not their abbreviation in capitals. */
const SHORT_NAMES: Record<string, string> = {
  ip: 'IPv4', ipv6: 'IPv6', icmpv6: 'ICMPv6', eth: 'ETH', sll: 'SLL', data: 'Data', frame: 'Frame', arp: 'ARP/RARP', wlan_radio: '802.11 Radio',
  'ipv6.hopopts': 'IPv6', 'ipv6.routing': 'IPv6', 'ipv6.fraghdr': 'IPv6', 'ipv6.dstopts': 'IPv6',
};

/** The protocol -z expert names for an item in `layer` (Wireshark's current protocol when raised). */
export function expertProtocol(layer: Layer): string {
  return SHORT_NAMES[layer.protocol] ?? layer.protocol.toUpperCase();
}

/** tshark's summaries are formatted into a 240-byte label buffer: 239 characters at most. */
const SUMMARY_LIMIT = 239;

export interface ExpertEntry {
  severity: ExpertSeverity;
  group: ExpertGroup;
  protocol: string;
  summary: string;
  count: number;
}

/**
 * A packet's expert items in the order Wireshark raises them: its tree's order, except that the
 * Ethertype dissector's trailer items come after everything its payload raised (it looks at the
 * trailer once the payload is dissected), and a malformed layer's error at the end of its layer;
 * none from what an ICMP error quotes (its tree shows them; the expert tap does not see them),
 * nor those Wireshark raises only while building a tree (ExpertInfo.treeOnly).
 */
export function packetExperts(packet: DissectedPacket): Array<Required<Omit<ExpertInfo, 'treeOnly'>>> {
  const items: Array<Required<Omit<ExpertInfo, 'treeOnly'>>> = [];
  const late: Array<Required<Omit<ExpertInfo, 'treeOnly'>>> = [];
  let quoted = false;
  for (const layer of packet.layers) {
    const protocol = expertProtocol(layer);
    // What an ICMP error quotes raises no expert info Wireshark's tap sees (pinfo->flags.in_error_pkt).
    if (quoted) continue;
    for (const e of expertsOf(layer.fields)) {
      if (e.treeOnly === true) continue;
      const item = { ...e, protocol: e.protocol ?? protocol };
      (e.protocol === 'Ethertype' ? late : items).push(item);
    }
    // Lengths a packet quoted in an ICMP error contradicts are no exception in Wireshark (the ICMP
    // message's own are).
    if (layer.status === 'malformed' && !quoted) items.push({ severity: 'Error', group: 'Malformed', message: 'Malformed Packet (Exception occurred)', protocol });
    if (layer.protocol === 'icmp' || layer.protocol === 'icmpv6') quoted = true;
  }
  return items.concat(late);
}

export class ExpertReport implements StatisticsReport {
  /** Counted items per severity, in the order first seen; keyed by protocol and summary as tshark does. */
  private readonly entries = new Map<ExpertSeverity, Map<string, ExpertEntry>>();
  private readonly lowest: number;
  /** Counted as tshark's dissection shows them: with TCP desegmentation (HTTP chats in the frame completing a message). */
  readonly desegmented = true;

  constructor(readonly spec: string, lowest: ExpertSeverity, private readonly filter: DisplayFilter | null) {
    this.lowest = LEVELS.findIndex((l) => l.severity === lowest);
    for (const l of LEVELS) this.entries.set(l.severity, new Map());
  }

  add(frame: ReportFrame): void {
    if (this.filter && !this.filter.matches(frame.packet, frame.data)) return;
    for (const e of packetExperts(frame.packet)) {
      if (LEVELS.findIndex((l) => l.severity === e.severity) > this.lowest) continue;
      const summary = e.message.length > SUMMARY_LIMIT ? e.message.slice(0, SUMMARY_LIMIT) : e.message;
      const key = `${e.protocol}\u0000${summary}`;
      const level = this.entries.get(e.severity)!;
      const entry = level.get(key);
      if (entry) entry.count++;
      else level.set(key, { severity: e.severity, group: e.group, protocol: e.protocol, summary, count: 1 });
    }
  }

  text(): string {
    let out = '';
    for (const l of LEVELS) {
      const items = [...this.entries.get(l.severity)!.values()];
      if (items.length === 0) continue;
      const total = items.reduce((n, e) => n + e.count, 0);
      out += `\n${l.title} (${total})\n=============\n   Frequency      Group           Protocol  Summary\n`;
      for (const e of items) out += `${String(e.count).padStart(12)} ${e.group.padStart(10)} ${e.protocol.padStart(18)}  ${e.summary}\n`;
    }
    return out;
  }

  json(): unknown {
    return LEVELS.flatMap((l) => [...this.entries.get(l.severity)!.values()]);
  }
}

export function createExpertReport(spec: string): ExpertReport {
  const match = /^expert(?:,(error|warn|note|chat|comment))?(?:,(.*))?$/s.exec(spec);
  if (!match) throw new StatisticsSpecError(`'${spec}' is not -z expert[,error|warn|note|chat|comment][,FILTER]`);
  const lowest = LEVELS.find((l) => l.word === match[1])?.severity ?? 'Comment';
  const filterText = match[2];
  if (filterText === undefined || filterText === '') return new ExpertReport(spec, lowest, null);
  try {
    return new ExpertReport(spec, lowest, compileDisplayFilter(filterText));
  } catch (err) {
    if (err instanceof DisplayFilterError) throw new StatisticsSpecError(`the filter is not a valid display filter: ${err.message}`);
    throw err;
  }
}
