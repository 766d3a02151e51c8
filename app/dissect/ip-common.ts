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
