/**
 * The everyday display filters `npm run test:corpus` runs over every corpus file, by Sievecap's
 * compileDisplayFilter and by tshark (one tshark run per file evaluates all of them, see
 * stats-reference.ts). Plain ASCII without `]==]`, since they are embedded in a Lua long string.
 */
export const CORPUS_FILTERS = [
  'tcp.port == 80',
  'ip.addr == 10.0.0.0/8',
  'dns',
  'http.request',
  'tcp.flags.syn == 1 && tcp.flags.ack == 0',
  'udp && !dns',
  'frame.len > 1000',
  'eth.dst == ff:ff:ff:ff:ff:ff',
  'ip.src == 192.168.0.0/16 or ipv6',
  'tcp.flags.reset == 1',
  'icmp || icmpv6',
  'arp',
  'ip.ttl < 64',
  'udp.port in {53, 67, 68, 123}',
  'tcp.len > 0 and not tcp.port == 443',
  'dns.qry.name contains "google"',
  'http.request.method == "GET"',
  'vlan',
  'tcp.stream == 0',
  'ip.proto == 17 && udp.length < 100',
  'ipv6.addr == fe80::/10',
  'tls.handshake.type == 1',
  '!(ip or ipv6)',
  'ip.flags.mf == 1 || ip.frag_offset > 0',
  'tcp.window_size_value == 0',
  'eth.addr == 00:00:00:00:00:00 || ip.dst == 255.255.255.255',
] as const;
