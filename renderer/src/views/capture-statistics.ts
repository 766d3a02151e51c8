/**
 * The Statistics tab's data, as plain functions: a live capture's kernel counters per interface
 * (and summed over them), the traffic mix as rows with names, numbers and shares, the watchlist's
 * rules with their counters, and the edits the watchlist editor makes (each returns new rules: the
 * engine's `watch` takes the whole watchlist as it should be).
 */
import type { CaptureStatistics } from '../../../app/rpc/engine-protocol';
import { formatBytes, formatCount } from '../lib/format';

/** Ethertypes by number, as Wireshark names them (the kernel's ETH_P_802_3/802_2 for frames without one). */
export const ETHERTYPE_NAMES: Readonly<Record<number, string>> = {
  0x0001: '802.3 (no ethertype)',
  0x0004: '802.2 LLC',
  0x0800: 'IPv4',
  0x0806: 'ARP',
  0x0842: 'Wake-on-LAN',
  0x22f0: 'AVTP',
  0x22f3: 'TRILL',
  0x6003: 'DECnet',
  0x8035: 'RARP',
  0x809b: 'AppleTalk',
  0x80f3: 'AARP',
  0x8100: '802.1Q VLAN',
  0x8137: 'IPX',
  0x8204: 'QNX Qnet',
  0x86dd: 'IPv6',
  0x8808: 'Ethernet flow control',
  0x8809: 'Slow protocols (LACP)',
  0x8847: 'MPLS',
  0x8848: 'MPLS multicast',
  0x8863: 'PPPoE discovery',
  0x8864: 'PPPoE session',
  0x887b: 'HomePlug',
  0x888e: 'EAPOL (802.1X)',
  0x8892: 'PROFINET',
  0x889a: 'HyperSCSI',
  0x88a2: 'ATA over Ethernet',
  0x88a4: 'EtherCAT',
  0x88a8: '802.1ad (QinQ)',
  0x88ab: 'Ethernet Powerlink',
  0x88b8: 'GOOSE',
  0x88cc: 'LLDP',
  0x88cd: 'SERCOS III',
  0x88e1: 'HomePlug AV',
  0x88e3: 'MRP',
  0x88e5: 'MACsec',
  0x88e7: 'PBB',
  0x88f7: 'PTP',
  0x88fb: 'PRP',
  0x8902: 'CFM',
  0x8906: 'FCoE',
  0x8914: 'FCoE initialization',
  0x8915: 'RoCE',
  0x892f: 'HSR',
  0x9000: 'Loopback (CTP)',
};

/** IP protocol numbers (IPv4 protocol, IPv6 next header) by IANA's keywords. */
export const IP_PROTOCOL_NAMES: Readonly<Record<number, string>> = {
  0: 'IPv6 hop-by-hop',
  1: 'ICMP',
  2: 'IGMP',
  4: 'IPv4-in-IP',
  6: 'TCP',
  8: 'EGP',
  17: 'UDP',
  27: 'RDP',
  33: 'DCCP',
  41: 'IPv6-in-IP',
  43: 'IPv6 routing',
  44: 'IPv6 fragment',
  46: 'RSVP',
  47: 'GRE',
  50: 'ESP',
  51: 'AH',
  58: 'ICMPv6',
  59: 'IPv6 no next header',
  60: 'IPv6 destination options',
  88: 'EIGRP',
  89: 'OSPF',
  94: 'IPIP',
  97: 'EtherIP',
  103: 'PIM',
  108: 'IPComp',
  112: 'VRRP',
  115: 'L2TP',
  132: 'SCTP',
  135: 'IPv6 mobility',
  136: 'UDP-Lite',
  137: 'MPLS-in-IP',
  139: 'HIP',
  143: 'Ethernet-in-IPv6',
};

export function ethertypeNumber(ethertype: number): string {
  return `0x${ethertype.toString(16).padStart(4, '0')}`;
}

export function ethertypeName(ethertype: number): string {
  return ETHERTYPE_NAMES[ethertype] ?? (ethertype < 0x0600 ? '802.3 length' : 'Unknown');
}

export function ipProtocolName(protocol: number): string {
  return IP_PROTOCOL_NAMES[protocol] ?? (protocol >= 253 && protocol <= 254 ? 'Experimental' : 'Unknown');
}

/** A share as a percentage: '42.0%', '<0.1%' for a sliver, '0%' for none, '' with nothing to share. */
export function formatShare(part: number, total: number): string {
  if (total <= 0) return '';
  if (part <= 0) return '0%';
  const pct = (100 * part) / total;
  if (pct < 0.1) return '<0.1%';
  return `${pct.toFixed(1)}%`;
}

export interface MixRow {
  /** The ethertype or protocol number as a key. */
  key: number;
  name: string;
  /** Its number as written: '0x0800', '6'. */
  number: string;
  packets: number;
  bytes: number;
  /** Share of the packets of its table. */
  share: string;
}

/** Rows of a traffic-mix table, most packets first (then by number). */
function mixRows(entries: readonly { key: number; packets: number; bytes: number }[], name: (k: number) => string, number: (k: number) => string): MixRow[] {
  const total = entries.reduce((n, e) => n + e.packets, 0);
  return [...entries]
    .sort((a, b) => b.packets - a.packets || a.key - b.key)
    .map((e) => ({ key: e.key, name: name(e.key), number: number(e.key), packets: e.packets, bytes: e.bytes, share: formatShare(e.packets, total) }));
}

export function ethertypeRows(mix: CaptureStatistics['mix']): MixRow[] {
  return mixRows((mix?.ethertypes ?? []).map((e) => ({ key: e.ethertype, packets: e.packets, bytes: e.bytes })), ethertypeName, ethertypeNumber);
}

export function ipProtocolRows(mix: CaptureStatistics['mix']): MixRow[] {
  return mixRows((mix?.ipProtocols ?? []).map((p) => ({ key: p.protocol, packets: p.packets, bytes: p.bytes })), ipProtocolName, String);
}

export interface RuleRow {
  name: string;
  /** Its prefixes now ([] for a rule removed from the watchlist whose counter the kernel keeps). */
  prefixes: string[];
  /** Null until the kernel has a counter for it (a rule with no prefix yet). */
  packets: number | null;
  bytes: number | null;
  /** No longer in the watchlist (its counter stays until the program is replaced). */
  removed: boolean;
}

/** The watchlist's rules in order with their counters, then rules removed that still have a counter with packets. */
export function ruleRows(rules: readonly { name: string; prefixes: readonly string[] }[], counters: CaptureStatistics['rules']): RuleRow[] {
  const byName = new Map((counters ?? []).map((c) => [c.name, c]));
  const rows: RuleRow[] = rules.map((r) => {
    const c = byName.get(r.name);
    return { name: r.name, prefixes: [...r.prefixes], packets: c?.packets ?? null, bytes: c?.bytes ?? null, removed: false };
  });
  const listed = new Set(rules.map((r) => r.name));
  for (const c of counters ?? []) if (!listed.has(c.name) && c.packets > 0) rows.push({ name: c.name, prefixes: [], packets: c.packets, bytes: c.bytes, removed: true });
  return rows;
}

/** The counters of several interfaces summed into one (the mix per key, the rules per name). */
export function totalStatistics(list: readonly CaptureStatistics[]): CaptureStatistics {
  const total: CaptureStatistics = { interface: 'All interfaces', received: 0, dropped: 0, seenPackets: 0, acceptedPackets: 0 };
  const rules = new Map<string, { name: string; packets: number; bytes: number }>();
  const ethertypes = new Map<number, { ethertype: number; packets: number; bytes: number }>();
  const protocols = new Map<number, { protocol: number; packets: number; bytes: number }>();
  let anyRules = false;
  let anyMix = false;
  for (const s of list) {
    total.received += s.received;
    total.dropped += s.dropped;
    total.seenPackets += s.seenPackets;
    total.acceptedPackets += s.acceptedPackets;
    if (s.rules) anyRules = true;
    for (const r of s.rules ?? []) {
      const t = rules.get(r.name) ?? { name: r.name, packets: 0, bytes: 0 };
      t.packets += r.packets;
      t.bytes += r.bytes;
      rules.set(r.name, t);
    }
    if (s.mix) anyMix = true;
    for (const e of s.mix?.ethertypes ?? []) {
      const t = ethertypes.get(e.ethertype) ?? { ethertype: e.ethertype, packets: 0, bytes: 0 };
      t.packets += e.packets;
      t.bytes += e.bytes;
      ethertypes.set(e.ethertype, t);
    }
    for (const p of s.mix?.ipProtocols ?? []) {
      const t = protocols.get(p.protocol) ?? { protocol: p.protocol, packets: 0, bytes: 0 };
      t.packets += p.packets;
      t.bytes += p.bytes;
      protocols.set(p.protocol, t);
    }
  }
  if (anyRules) total.rules = [...rules.values()];
  if (anyMix) total.mix = { ethertypes: [...ethertypes.values()], ipProtocols: [...protocols.values()] };
  return total;
}

export interface CounterLine {
  label: string;
  value: string;
  /** What it counts, for a tooltip. */
  title: string;
}

/** The interface's kernel counters as the panel lists them. */
export function counterLines(s: CaptureStatistics): CounterLine[] {
  return [
    { label: 'Seen', value: formatCount(s.seenPackets), title: 'Packets the eBPF program saw (before the filter)' },
    { label: 'Accepted', value: `${formatCount(s.acceptedPackets)}${s.seenPackets > 0 ? ` (${formatShare(s.acceptedPackets, s.seenPackets)})` : ''}`, title: 'Packets the filter and the kernel stages let through' },
    { label: 'Received', value: formatCount(s.received), title: 'Packets the kernel handed to the capture ring (drops included)' },
    { label: 'Dropped', value: `${formatCount(s.dropped)}${s.received > 0 ? ` (${formatShare(s.dropped, s.received)})` : ''}`, title: 'Packets the kernel dropped for lack of ring space' },
  ];
}

/** Packets and bytes as a cell shows them ('—' when there is no counter yet). */
export function countText(packets: number | null, bytes: number | null): { packets: string; bytes: string } {
  return { packets: packets === null ? '—' : formatCount(packets), bytes: bytes === null ? '—' : formatBytes(bytes) };
}

// ---- watchlist edits ---------------------------------------------------------------------------

export type Rules = Array<{ name: string; prefixes: string[] }>;

/** The most rules a watchlist has (the kernel's counters). */
export const MAX_RULES = 64;

const copy = (rules: readonly { name: string; prefixes: readonly string[] }[]): Rules => rules.map((r) => ({ name: r.name, prefixes: [...r.prefixes] }));

/** A sentence saying what is wrong with a rule name to add, or null. The engine checks the prefixes (libpcap's and the kernel's rules). */
export function ruleNameProblem(rules: readonly { name: string }[], name: string): string | null {
  const n = name.trim();
  if (n === '') return 'Give the rule a name';
  if (n.length > 64) return 'A rule name has at most 64 characters';
  if (rules.some((r) => r.name === n)) return `There is a rule “${n}” already: add the prefix to it`;
  if (rules.length >= MAX_RULES) return `A watchlist has at most ${MAX_RULES} rules`;
  return null;
}

export function addRule(rules: readonly { name: string; prefixes: readonly string[] }[], name: string, prefix: string): Rules {
  return [...copy(rules), { name: name.trim(), prefixes: prefix.trim() ? [prefix.trim()] : [] }];
}

export function removeRule(rules: readonly { name: string; prefixes: readonly string[] }[], name: string): Rules {
  return copy(rules).filter((r) => r.name !== name);
}

/** Adds a prefix to a rule (a prefix already there is not added twice). */
export function addPrefix(rules: readonly { name: string; prefixes: readonly string[] }[], name: string, prefix: string): Rules {
  const p = prefix.trim();
  return copy(rules).map((r) => (r.name === name && p && !r.prefixes.includes(p) ? { ...r, prefixes: [...r.prefixes, p] } : r));
}

export function removePrefix(rules: readonly { name: string; prefixes: readonly string[] }[], name: string, prefix: string): Rules {
  return copy(rules).map((r) => (r.name === name ? { ...r, prefixes: r.prefixes.filter((p) => p !== prefix) } : r));
}
