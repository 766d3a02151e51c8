import { integerValueText } from '../filter/value-names';
/** Names shared by IPv4 and IPv6: protocol numbers as Wireshark names them. */
const IP_PROTOCOLS: Record<number, string> = {
  0: 'IPv6 Hop-by-Hop Option', 1: 'ICMP', 2: 'IGMP', 4: 'IPIP', 6: 'TCP', 17: 'UDP', 41: 'IPv6', 43: 'Routing Header for IPv6',
  44: 'Fragment Header for IPv6', 47: 'Generic Routing Encapsulation', 50: 'Encap Security Payload', 51: 'Authentication Header', 54: 'NBMA ARP',
  33: 'Datagram Congestion Control Protocol', 58: 'ICMPv6', 59: 'No Next Header for IPv6', 60: 'Destination Options for IPv6', 62: 'Mobile IPv6 (old)', 89: 'OSPF IGP', 103: 'PIM', 112: 'VRRP',
  132: 'SCTP', 135: 'Mobile IPv6', 136: 'UDPLite',
};

export function ipProtocolName(proto: number): string {
  return IP_PROTOCOLS[proto] ?? integerValueText('ip.proto', proto) ?? 'Unknown';
}

/** Wireshark's dscp_vals / dscp_short_vals: the DSCP's name in a field line and in the DS field's summary. */
const DSCP_NAMES: ReadonlyMap<number, [string, string]> = new Map([
  [0, ['Default', 'CS0']],
  [1, ['Lower Effort', 'LE']],
  [8, ['Class Selector 1', 'CS1']],
  [10, ['Assured Forwarding 11', 'AF11']],
  [12, ['Assured Forwarding 12', 'AF12']],
  [14, ['Assured Forwarding 13', 'AF13']],
  [16, ['Class Selector 2', 'CS2']],
  [18, ['Assured Forwarding 21', 'AF21']],
  [20, ['Assured Forwarding 22', 'AF22']],
  [22, ['Assured Forwarding 23', 'AF23']],
  [24, ['Class Selector 3', 'CS3']],
  [26, ['Assured Forwarding 31', 'AF31']],
  [28, ['Assured Forwarding 32', 'AF32']],
  [30, ['Assured Forwarding 33', 'AF33']],
  [32, ['Class Selector 4', 'CS4']],
  [34, ['Assured Forwarding 41', 'AF41']],
  [36, ['Assured Forwarding 42', 'AF42']],
  [38, ['Assured Forwarding 43', 'AF43']],
  [40, ['Class Selector 5', 'CS5']],
  [44, ['Voice Admit', 'VOICE-ADMIT']],
  [46, ['Expedited Forwarding', 'EF PHB']],
  [48, ['Class Selector 6', 'CS6']],
  [56, ['Class Selector 7', 'CS7']],
]);
const ECN_NAMES: ReadonlyArray<[string, string]> = [
  ['Not ECN-Capable Transport', 'Not-ECT'],
  ["ECN-Capable Transport codepoint '01'", 'ECT(1)'],
  ["ECN-Capable Transport codepoint '10'", 'ECT(0)'],
  ['Congestion Experienced', 'CE'],
];

/** "DSCP: CS0, ECN: Not-ECT" of a DS field (IPv4) or traffic class (IPv6) byte, as tshark summarises it. */
export function dsSummary(ds: number): string {
  return `DSCP: ${DSCP_NAMES.get(ds >> 2)?.[1] ?? 'Unknown'}, ECN: ${ECN_NAMES[ds & 3]![1]}`;
}

/** "Default (0)": the DSCP's line value. */
export function dscpText(dscp: number): string {
  return `${DSCP_NAMES.get(dscp)?.[0] ?? 'Unknown'} (${dscp})`;
}

/** "Not ECN-Capable Transport (0)": the ECN's line value. */
export function ecnText(ecn: number): string {
  return `${ECN_NAMES[ecn & 3]![0]} (${ecn & 3})`;
}
