/**
 * The fields `npm run test:corpus` compares with tshark: Wireshark's names, across the layers
 * Sievecap dissects. Fields whose values depend on reassembly across TCP segments are left out
 * until the engine reassembles streams (tshark is run with TCP desegmentation off for the same
 * reason).
 */
export const CORPUS_FIELDS = [
  // frame and link layers
  'frame.len', 'frame.cap_len', 'frame.time_epoch',
  'eth.dst', 'eth.src', 'eth.type',
  'vlan.id', 'vlan.priority', 'vlan.etype',
  'sll.pkttype', 'sll.etype',
  // ARP
  'arp.opcode', 'arp.src.hw_mac', 'arp.src.proto_ipv4', 'arp.dst.hw_mac', 'arp.dst.proto_ipv4',
  // IPv4
  'ip.version', 'ip.hdr_len', 'ip.dsfield', 'ip.len', 'ip.id', 'ip.flags', 'ip.flags.df', 'ip.flags.mf',
  'ip.frag_offset', 'ip.ttl', 'ip.proto', 'ip.checksum', 'ip.src', 'ip.dst',
  // IPv6
  'ipv6.tclass', 'ipv6.flow', 'ipv6.plen', 'ipv6.nxt', 'ipv6.hlim', 'ipv6.src', 'ipv6.dst',
  // ICMP, ICMPv6
  'icmp.type', 'icmp.code', 'icmp.checksum', 'icmp.ident', 'icmp.seq',
  'icmpv6.type', 'icmpv6.code', 'icmpv6.checksum', 'icmpv6.nd.ns.target_address',
  // TCP
  'tcp.srcport', 'tcp.dstport', 'tcp.stream', 'tcp.len', 'tcp.seq', 'tcp.seq_raw', 'tcp.ack', 'tcp.ack_raw',
  'tcp.hdr_len', 'tcp.flags', 'tcp.flags.syn', 'tcp.flags.ack', 'tcp.flags.fin', 'tcp.flags.reset',
  'tcp.window_size_value', 'tcp.checksum', 'tcp.urgent_pointer', 'tcp.options.mss_val',
  // UDP
  'udp.srcport', 'udp.dstport', 'udp.length', 'udp.checksum',
  // tunnels
  'gre.proto', 'vxlan.vni',
  // applications
  'dns.id', 'dns.flags', 'dns.flags.response', 'dns.count.queries', 'dns.count.answers', 'dns.qry.name',
  'dns.qry.type', 'dns.resp.ttl', 'dns.a', 'dns.aaaa', 'dns.cname',
  'dhcp.option.dhcp', 'dhcp.hw.mac_addr', 'dhcpv6.msgtype', 'ntp.stratum',
  'http.request.method', 'http.request.uri', 'http.host', 'http.response.code',
  'tls.record.content_type', 'tls.handshake.type', 'tls.handshake.extensions_server_name',
] as const;
