/** Names shared by IPv4 and IPv6: protocol numbers as Wireshark names them. */
const IP_PROTOCOLS: Record<number, string> = {
  0: 'IPv6 Hop-by-Hop Option', 1: 'ICMP', 2: 'IGMP', 4: 'IPIP', 6: 'TCP', 17: 'UDP', 41: 'IPv6', 43: 'Routing Header for IPv6',
  44: 'Fragment Header for IPv6', 47: 'Generic Routing Encapsulation', 50: 'Encap Security Payload', 51: 'Authentication Header', 54: 'NBMA ARP',
  33: 'Datagram Congestion Control Protocol', 58: 'ICMPv6', 59: 'IPv6 No Next Header', 60: 'Destination Options for IPv6', 62: 'Mobile IPv6 (old)', 89: 'OSPF IGP', 103: 'PIM', 112: 'Virtual Router Redundancy Protocol',
  132: 'SCTP', 135: 'Mobile IPv6', 136: 'UDPLite',
};

export function ipProtocolName(proto: number): string {
  return IP_PROTOCOLS[proto] ?? 'Unknown';
}

/** Wireshark's names of DSCP values (packet-ip.c dscp_short_vals and dscp_vals), checked against tshark 4.0's -V for all 64. */
const DSCP_NAMES: Record<number, [string, string]> = {
  0: ['CS0', 'Default'], 1: ['LE', 'Lower Effort'], 8: ['CS1', 'Class Selector 1'], 10: ['AF11', 'Assured Forwarding 11'],
  12: ['AF12', 'Assured Forwarding 12'], 14: ['AF13', 'Assured Forwarding 13'], 16: ['CS2', 'Class Selector 2'],
  18: ['AF21', 'Assured Forwarding 21'], 20: ['AF22', 'Assured Forwarding 22'], 22: ['AF23', 'Assured Forwarding 23'],
  24: ['CS3', 'Class Selector 3'], 26: ['AF31', 'Assured Forwarding 31'], 28: ['AF32', 'Assured Forwarding 32'],
  30: ['AF33', 'Assured Forwarding 33'], 32: ['CS4', 'Class Selector 4'], 34: ['AF41', 'Assured Forwarding 41'],
  36: ['AF42', 'Assured Forwarding 42'], 38: ['AF43', 'Assured Forwarding 43'], 40: ['CS5', 'Class Selector 5'],
  44: ['VOICE-ADMIT', 'Voice Admit'], 46: ['EF PHB', 'Expedited Forwarding'], 48: ['CS6', 'Class Selector 6'], 56: ['CS7', 'Class Selector 7'],
};
const ECN_NAMES: ReadonlyArray<[string, string]> = [
  ['Not-ECT', 'Not ECN-Capable Transport'], ['ECT(1)', "ECN-Capable Transport codepoint '01'"],
  ['ECT(0)', "ECN-Capable Transport codepoint '10'"], ['CE', 'Congestion Experienced'],
];

/** "(DSCP: CS0, ECN: Not-ECT)": the short names of a DS field's or traffic class's two parts. */
export function dsShortText(ds: number): string {
  return `(DSCP: ${DSCP_NAMES[ds >> 2]?.[0] ?? 'Unknown'}, ECN: ${ECN_NAMES[ds & 3]![0]})`;
}

/** "Default (0)": a DSCP value's long name and the value. */
export function dscpText(dscp: number): string {
  return `${DSCP_NAMES[dscp]?.[1] ?? 'Unknown'} (${dscp})`;
}

/** "Not ECN-Capable Transport (0)": an ECN value's long name and the value. */
export function ecnText(ecn: number): string {
  return `${ECN_NAMES[ecn & 3]![1]} (${ecn & 3})`;
}
