/**
 * Display filters for the tests of ScopedPackets (app/engine/scoped-packets.ts): LIGHT names only
 * header fields, APPS adds application fields. Both must select exactly the frames a full
 * dissection in order selects.
 */
export const LIGHT = [
  'tcp.port == 80', 'ip.addr == 10.0.0.0/8 && udp', 'tcp.flags.syn == 1 && tcp.flags.ack == 0', 'frame.len > 1000',
  'eth.dst == ff:ff:ff:ff:ff:ff', 'eth.addr == 00:00:00:00:00:00 || eth.type == 0x86dd', 'ip.ttl < 64', 'tcp.len > 0 and not tcp.port == 443',
  'ip.proto == 17 && udp.length < 100', 'ip.flags.mf == 1 || ip.frag_offset > 0', 'ip.flags.df == 0', 'tcp.window_size_value == 0',
  'ipv6.hlim == 255 || ipv6.plen > 1000', 'ipv6.flow != 0', 'ip.dsfield.dscp != 0 || ip.dsfield.ecn == 3', 'ip.id == 0 || ip.len < 60',
  'tcp.hdr_len > 20 && tcp.flags.push', 'tcp.flags.reset == 1 || tcp.flags.fin == 1', 'tcp.seq_raw < 1000 || tcp.ack_raw == 0',
  'tcp.checksum == 0 || udp.checksum == 0 || ip.checksum == 0', 'tcp.urgent_pointer != 0 || tcp.flags.urg', 'tcp.flags.ece || tcp.flags.cwr || tcp.flags.res',
  'tcp contains "GET"', 'udp contains 00:01', 'tcp.stream in {0, 1, 2} || udp.stream == 1', 'icmp || icmpv6', '!(ip or ipv6)',
];
export const APPS = [
  'http', 'http.request', 'http.request.method == "GET"', 'http.request.uri contains "/"', 'http.host matches "\\\\.com$"',
  'http.response.code == 200 || http.response.code >= 400', 'http.content_type contains "text"', 'http && tcp.len > 500',
  'dns', 'dns.qry.name contains "google"', 'dns.flags.response == 1 && dns.count.answers > 0', 'dns.qry.type == 28', 'udp && !dns',
  'tls', 'tls.handshake.type == 1', 'tls.handshake.extensions_server_name', 'tls.record.content_type == 23', 'x509ce.dNSName',
  'dhcp || dhcpv6', 'ntp', 'quic', 'dns || http || tls', 'tcp.port == 53 && dns', 'ip.src == 192.168.0.0/16 && dns.qry.name',
  // State kept across frames (echo pairs, DNS transactions): what a filter naming other fields leaves out.
  'icmp.resp_to', 'icmp.type == 0 && !icmp.resptime', 'icmpv6.resptime > 0', 'dns.response_to', 'dns.flags.response == 0 && !dns.response_in', 'dns.retransmission || dns.unsolicited',
];
