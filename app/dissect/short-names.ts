/**
 * Wireshark 4.0's short names of the protocols Sievecap dissects, where the short name is not the
 * filter name in capitals (`tshark -G protocols`: name, short name, filter name; checked against
 * app/filter/wireshark-field-registry.ts by short-names.test.ts). tshark names the protocol that
 * raised an exception with it: `[Packet size limited during capture: ARP/RARP truncated]`.
 */
const SHORT_NAMES: Readonly<Record<string, string>> = {
  afs: 'AFS (RX)',
  arp: 'ARP/RARP',
  avsp: 'avsp',
  babel: 'Babel',
  bfd: 'BFD Control',
  bfd_echo: 'BFD Echo',
  cipio: 'CIP I/O',
  cmd: 'Cisco MetaData',
  data: 'Data',
  'data-text-lines': 'Line-based text data',
  dhcp: 'DHCP/BOOTP',
  dhcpv6: 'DHCPv6',
  dnp3: 'DNP 3.0',
  eth: 'Ethernet',
  frame: 'Frame',
  geneve: 'Geneve',
  icmpv6: 'ICMPv6',
  ieee8021ad: 'IEEE 802.1AD',
  ieee8021ah: 'IEEE 802.1AH',
  'image-gif': 'GIF image',
  'image-jfif': 'JFIF (JPEG) image',
  ip: 'IPv4',
  ipcomp: 'IPComp',
  ipcp: 'PPP IPCP',
  ipoib: 'IPoIB',
  ipv6: 'IPv6',
  'ipv6.hopopts': 'IPv6 Hop-by-Hop',
  'ipv6.routing': 'IPv6 Routing',
  'ipv6.fraghdr': 'IPv6 Fragment',
  'ipv6.dstopts': 'IPv6 Destination',
  ipxrip: 'IPX RIP',
  ipxsap: 'IPX SAP',
  juniper: 'Juniper',
  kerberos: 'KRB5',
  lacp: 'Link Aggregation Control Protocol',
  macsec: 'MACsec',
  lcp: 'PPP LCP',
  mailslot: 'SMB Mailslot',
  mbtcp: 'Modbus/TCP',
  mdns: 'mDNS',
  media: 'Media',
  mipv6: 'MIPv6',
  modbus: 'Modbus',
  'mpls-echo': 'MPLS Echo',
  mstp: 'BACnet MS/TP',
  mysql: 'MySQL',
  nbdgm: 'NBDS',
  netbios: 'NetBIOS',
  null: 'Null',
  openflow: 'OpenFlow',
  openflow_v1: 'openflow_v1',
  openflow_v4: 'openflow_v4',
  openvpn: 'OpenVPN',
  portmap: 'Portmap',
  pppoe: 'PPPoE',
  pppoed: 'PPPoED',
  pppoes: 'PPPoES',
  radiotap: '802.11 Radiotap',
  raw: 'Raw',
  rtpevent: 'RTP Event',
  sflow: 'sFlow',
  slow: '802.3 Slow protocols',
  syslog: 'Syslog',
  t124: 'T.124',
  t125: 'T.125',
  teredo: 'Teredo',
  websocket: 'WebSocket',
  'urlencoded-form': 'URL Encoded Form Data',
  user_dlt: 'DLT_USER',
  wg: 'WireGuard',
  wlan: 'IEEE 802.11',
  wlan_radio: '802.11 Radio',
  wlan_rsna_eapol: '802.11 RSNA EAPOL',
};

/** A protocol's short name from its filter name (`arp` → `ARP/RARP`, `dns` → `DNS`). */
export function protocolShortName(filterName: string): string {
  return SHORT_NAMES[filterName] ?? filterName.toUpperCase();
}

/** The name show_exception gives a failed layer: "[Malformed Packet: NAME]" (its protocol's short name, and a detail when there is one). */
export function exceptionName(layer: { protocol: string; problemProtocol?: string; problemDetail?: string }): string {
  const name = protocolShortName(layer.problemProtocol ?? layer.protocol);
  return layer.problemDetail === undefined ? name : `${name}: ${layer.problemDetail}`;
}
