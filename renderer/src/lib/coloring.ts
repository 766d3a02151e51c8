/**
 * Colouring rules of the packet list, as data and in Wireshark's spirit (its default rules, first
 * match wins): bad and malformed frames, TCP resets, SYN/FIN, HTTP, DNS, ICMP, ARP, then plain TCP
 * and UDP. A rule names a CSS class; the colours themselves are custom properties in theme.css
 * with a light and a dark value each, so both themes stay readable.
 */
import type { PacketRow } from '../../../app/rpc/engine-protocol';

export interface ColoringRule {
  /** Shown in the legend (and the row's title). */
  name: string;
  className: string;
  /** The display filter that would select the same frames (for the legend). */
  filter: string;
  matches(row: PacketRow): boolean;
}

const flags = (row: PacketRow): string => {
  const m = /\[([A-Z, ]+)\]/.exec(row.info);
  return m ? m[1]! : '';
};
const isTcp = (row: PacketRow): boolean => /\bTCP\b/i.test(row.protocol) || /^\d+ → \d+ \[/.test(row.info);
const proto = (row: PacketRow, ...names: string[]): boolean => {
  const p = row.protocol.toUpperCase();
  return names.some((n) => p === n || p.startsWith(`${n}V`) || p.startsWith(`${n}/`));
};

export const COLORING_RULES: readonly ColoringRule[] = [
  {
    name: 'Malformed or bad',
    className: 'row-bad',
    filter: '_ws.malformed || _ws.expert.severity == error',
    matches: (r) => r.status === 'malformed' || /\[(Malformed|Bad|TCP (Retransmission|Out-Of-Order|Dup ACK|ZeroWindow|Previous segment not captured))/i.test(r.info),
  },
  { name: 'TCP RST', className: 'row-rst', filter: 'tcp.flags.reset == 1', matches: (r) => isTcp(r) && /\bRST\b/.test(flags(r)) },
  { name: 'TCP SYN/FIN', className: 'row-synfin', filter: 'tcp.flags & 0x03', matches: (r) => isTcp(r) && /\b(SYN|FIN)\b/.test(flags(r)) },
  { name: 'HTTP', className: 'row-http', filter: 'http || tcp.port == 80', matches: (r) => proto(r, 'HTTP') },
  { name: 'DNS', className: 'row-dns', filter: 'dns', matches: (r) => proto(r, 'DNS', 'MDNS', 'LLMNR') },
  { name: 'ICMP', className: 'row-icmp', filter: 'icmp || icmpv6', matches: (r) => proto(r, 'ICMP', 'ICMPV6') },
  { name: 'ARP', className: 'row-arp', filter: 'arp', matches: (r) => proto(r, 'ARP') },
  { name: 'TCP', className: 'row-tcp', filter: 'tcp', matches: (r) => isTcp(r) || proto(r, 'TLS', 'SSL') },
  { name: 'UDP', className: 'row-udp', filter: 'udp', matches: (r) => proto(r, 'UDP', 'QUIC', 'NTP', 'DHCP', 'SSDP') },
];

/** Each row's rule under the default rules: a scrolled list shows the same rows again and again. */
const defaultRuleOf = new WeakMap<PacketRow, ColoringRule | null>();

/** The first rule a row matches, or null. */
export function colorRule(row: PacketRow, rules: readonly ColoringRule[] = COLORING_RULES): ColoringRule | null {
  if (rules === COLORING_RULES) {
    const known = defaultRuleOf.get(row);
    if (known !== undefined) return known;
  }
  let found: ColoringRule | null = null;
  for (const rule of rules) {
    if (rule.matches(row)) {
      found = rule;
      break;
    }
  }
  if (rules === COLORING_RULES) defaultRuleOf.set(row, found);
  return found;
}

/** What marks a row besides its colour: truncated and malformed frames say so in words too. */
export function statusMark(row: Pick<PacketRow, 'status'>): string {
  return row.status === 'malformed' ? 'Malformed' : row.status === 'truncated' ? 'Truncated' : '';
}
