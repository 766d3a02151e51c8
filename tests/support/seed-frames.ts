/**
 * A fixed mix of everyday Ethernet frames built here, byte for byte the same on every machine: the
 * seeds of the fuzz tests. IPv4 and IPv6 with TCP (handshakes with options, HTTP requests and
 * responses, a TLS ClientHello, refused connections), UDP (DNS queries and answers, NTP, DHCP,
 * datagrams to closed ports, a DNS message with extraneous data), ICMP and ICMPv6 echo and the
 * errors that quote a datagram, IPv4 and IPv6 fragments, ARP and an 802.1Q tag. Checksums are
 * correct, so a mutation is what breaks them.
 */
import { withVlanTag } from './frames';

const MAC_A = '02:00:5e:10:00:01';
const MAC_B = '02:00:5e:10:00:02';
const V4 = { client: '192.168.1.20', server: '93.184.216.34', resolver: '192.168.1.1', local: '127.0.0.1' };
const V6 = { client: '2001:db8::20', server: '2001:db8:1::80', local: '::1' };
const TCP_FLAGS = { FIN: 0x01, SYN: 0x02, RST: 0x04, PSH: 0x08, ACK: 0x10 } as const;

function v4Bytes(text: string): Buffer {
  return Buffer.from(text.split('.').map(Number));
}

function v6Bytes(text: string): Buffer {
  const [head, tail] = text.split('::') as [string, string | undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  const out = Buffer.alloc(16);
  groups.forEach((g, k) => out.writeUInt16BE(parseInt(g, 16), k * 2));
  return out;
}

function checksum(...parts: Buffer[]): number {
  let sum = 0;
  let odd = -1;
  for (const part of parts) {
    for (const byte of part) {
      if (odd < 0) odd = byte;
      else {
        sum += (odd << 8) | byte;
        odd = -1;
      }
    }
  }
  if (odd >= 0) sum += odd << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

function ethernet(type: number, payload: Buffer, src = MAC_A, dst = MAC_B): Buffer {
  const head = Buffer.alloc(14);
  Buffer.from(dst.replace(/:/g, ''), 'hex').copy(head, 0);
  Buffer.from(src.replace(/:/g, ''), 'hex').copy(head, 6);
  head.writeUInt16BE(type, 12);
  // Short frames are padded to Ethernet's 60 bytes, as on a real link.
  const frame = Buffer.concat([head, payload]);
  return frame.length < 60 ? Buffer.concat([frame, Buffer.alloc(60 - frame.length)]) : frame;
}

interface IpOptions {
  ttl?: number;
  id?: number;
  /** IPv4 flags and fragment offset word (default: don't fragment). */
  fragment?: number;
}

/** An IPv4 or IPv6 packet (by the address form) with `transport` after it; its checksum filled in by `fill`. */
function ip(src: string, dst: string, protocol: number, transport: Buffer, options: IpOptions = {}, fill?: (pseudo: Buffer) => void): Buffer {
  if (src.includes(':')) {
    const h = Buffer.alloc(40);
    h.writeUInt32BE(0x6000_0000 | (options.id ?? 0), 0);
    h.writeUInt16BE(transport.length, 4);
    h[6] = protocol;
    h[7] = options.ttl ?? 64;
    v6Bytes(src).copy(h, 8);
    v6Bytes(dst).copy(h, 24);
    const pseudo = Buffer.alloc(40);
    h.copy(pseudo, 0, 8, 40);
    pseudo.writeUInt32BE(transport.length, 32);
    pseudo[39] = protocol;
    fill?.(pseudo);
    return Buffer.concat([h, transport]);
  }
  const h = Buffer.alloc(20);
  h[0] = 0x45;
  h.writeUInt16BE(20 + transport.length, 2);
  h.writeUInt16BE(options.id ?? 0x1c46, 4);
  h.writeUInt16BE(options.fragment ?? 0x4000, 6);
  h[8] = options.ttl ?? 64;
  h[9] = protocol;
  v4Bytes(src).copy(h, 12);
  v4Bytes(dst).copy(h, 16);
  h.writeUInt16BE(checksum(h), 10);
  const pseudo = Buffer.alloc(12);
  h.copy(pseudo, 0, 12, 20);
  pseudo[9] = protocol;
  pseudo.writeUInt16BE(transport.length, 10);
  fill?.(pseudo);
  return Buffer.concat([h, transport]);
}

const etherOf = (src: string): number => (src.includes(':') ? 0x86dd : 0x0800);

function tcp(src: string, dst: string, sport: number, dport: number, flags: number, seq: number, ack: number, payload: Buffer = Buffer.alloc(0), options: Buffer = Buffer.alloc(0)): Buffer {
  const t = Buffer.alloc(20 + options.length + payload.length);
  t.writeUInt16BE(sport, 0);
  t.writeUInt16BE(dport, 2);
  t.writeUInt32BE(seq >>> 0, 4);
  t.writeUInt32BE(ack >>> 0, 8);
  t.writeUInt16BE((((20 + options.length) / 4) << 12) | flags, 12);
  t.writeUInt16BE(flags & TCP_FLAGS.SYN ? 64240 : 502, 14);
  options.copy(t, 20);
  payload.copy(t, 20 + options.length);
  return ethernet(etherOf(src), ip(src, dst, 6, t, {}, (pseudo) => t.writeUInt16BE(checksum(pseudo, t), 16)));
}

function udp(src: string, dst: string, sport: number, dport: number, payload: Buffer, options: IpOptions = {}): Buffer {
  const u = Buffer.alloc(8 + payload.length);
  u.writeUInt16BE(sport, 0);
  u.writeUInt16BE(dport, 2);
  u.writeUInt16BE(u.length, 4);
  payload.copy(u, 8);
  return ethernet(etherOf(src), ip(src, dst, 17, u, options, (pseudo) => u.writeUInt16BE(checksum(pseudo, u) || 0xffff, 6)));
}

function icmp(src: string, dst: string, type: number, code: number, rest: Buffer): Buffer {
  const v6 = src.includes(':');
  const m = Buffer.concat([Buffer.from([type, code, 0, 0]), rest]);
  return ethernet(etherOf(src), ip(src, dst, v6 ? 58 : 1, m, {}, (pseudo) => m.writeUInt16BE(v6 ? checksum(pseudo, m) : checksum(m), 2)));
}

const echoBody = (id: number, seq: number): Buffer => {
  const b = Buffer.alloc(4 + 48);
  b.writeUInt16BE(id, 0);
  b.writeUInt16BE(seq, 2);
  for (let k = 4; k < b.length; k++) b[k] = 0x10 + k;
  return b;
};

function dnsName(name: string): Buffer {
  return Buffer.concat([...name.split('.').map((p) => Buffer.concat([Buffer.from([p.length]), Buffer.from(p)])), Buffer.from([0])]);
}

/** A DNS message: one question, then answers pointing back at it (0xc00c). */
function dns(id: number, flags: number, name: string, type: number, answers: Buffer[] = []): Buffer {
  const head = Buffer.alloc(12);
  head.writeUInt16BE(id, 0);
  head.writeUInt16BE(flags, 2);
  head.writeUInt16BE(1, 4);
  head.writeUInt16BE(answers.length, 6);
  const question = Buffer.concat([dnsName(name), Buffer.from([0, type, 0, 1])]);
  const rrs = answers.map((rdata) => {
    const rr = Buffer.alloc(12);
    rr.writeUInt16BE(0xc00c, 0);
    rr.writeUInt16BE(type, 2);
    rr.writeUInt16BE(1, 4);
    rr.writeUInt32BE(300, 6);
    rr.writeUInt16BE(rdata.length, 10);
    return Buffer.concat([rr, rdata]);
  });
  return Buffer.concat([head, question, ...rrs]);
}

function tlsClientHello(serverName: string): Buffer {
  const sni = Buffer.concat([Buffer.from([0, 0]), u16(serverName.length + 5), u16(serverName.length + 3), Buffer.from([0]), u16(serverName.length), Buffer.from(serverName)]);
  const body = Buffer.concat([
    Buffer.from([3, 3]), Buffer.alloc(32, 0x5a), Buffer.from([0]), u16(4), u16(0x1301), u16(0xc02f), Buffer.from([1, 0]), u16(sni.length), sni,
  ]);
  const handshake = Buffer.concat([Buffer.from([1, 0]), u16(body.length), body]);
  return Buffer.concat([Buffer.from([22, 3, 1]), u16(handshake.length), handshake]);
}

function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n, 0);
  return b;
}

/** A TCP connection: handshake (with MSS, SACK, time stamp and window scale options), then `exchange`, then FIN both ways. */
function connection(client: string, server: string, sport: number, dport: number, exchange: Array<['c' | 's', Buffer]>): Buffer[] {
  const synOptions = Buffer.from([2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0, 0x12, 0x34, 0, 0, 0, 0, 1, 3, 3, 7]);
  let c = 1000;
  let s = 5000;
  const out: Buffer[] = [
    tcp(client, server, sport, dport, TCP_FLAGS.SYN, c, 0, undefined, synOptions),
    tcp(server, client, dport, sport, TCP_FLAGS.SYN | TCP_FLAGS.ACK, s, c + 1, undefined, synOptions),
    tcp(client, server, sport, dport, TCP_FLAGS.ACK, ++c, ++s),
  ];
  for (const [who, payload] of exchange) {
    if (who === 'c') {
      out.push(tcp(client, server, sport, dport, TCP_FLAGS.PSH | TCP_FLAGS.ACK, c, s, payload));
      c += payload.length;
      out.push(tcp(server, client, dport, sport, TCP_FLAGS.ACK, s, c));
    } else {
      out.push(tcp(server, client, dport, sport, TCP_FLAGS.PSH | TCP_FLAGS.ACK, s, c, payload));
      s += payload.length;
      out.push(tcp(client, server, sport, dport, TCP_FLAGS.ACK, c, s));
    }
  }
  out.push(tcp(client, server, sport, dport, TCP_FLAGS.FIN | TCP_FLAGS.ACK, c, s), tcp(server, client, dport, sport, TCP_FLAGS.FIN | TCP_FLAGS.ACK, s, c + 1));
  out.push(tcp(client, server, sport, dport, TCP_FLAGS.ACK, c + 1, s + 1));
  return out;
}

const text = (s: string): Buffer => Buffer.from(s.replace(/\n/g, '\r\n'));

/** The seed frames, in a fixed order (Ethernet, link type 1). */
export function seedFrames(): Buffer[] {
  const page = '<html><body>' + 'sievecap seed page '.repeat(60) + '</body></html>\n';
  const http = (client: string, server: string, sport: number, dport: number, uri: string, status: string, body: string): Buffer[] =>
    connection(client, server, sport, dport, [
      ['c', text(`GET ${uri} HTTP/1.1\nHost: www.example.com\nUser-Agent: curl/7.88.1\nAccept: */*\n\n`)],
      ['s', Buffer.concat([text(`HTTP/1.1 ${status}\nServer: SimpleHTTP/0.6\nContent-Type: text/html\nContent-Length: ${body.length}\n\n`), Buffer.from(body)])],
    ]);
  // ICMP errors quote the IP header and the first bytes of the datagram, after 4 unused bytes.
  const quoting = (frame: Buffer, length: number): Buffer => Buffer.concat([Buffer.alloc(4), frame.subarray(14, 14 + length)] as Buffer[]);
  const closedV4 = [8, 100, 1000].map((n) => udp(V4.client, V4.local, 41000 + n, 33434, Buffer.alloc(n, 0x78)));
  const closedV6 = [8, 100].map((n) => udp(V6.client, V6.local, 41000 + n, 33434, Buffer.alloc(n, 0x78)));
  const dhcpDiscover = Buffer.alloc(240 + 4);
  dhcpDiscover.set([1, 1, 6, 0, 0x39, 0x03, 0xf3, 0x26], 0);
  Buffer.from(MAC_A.replace(/:/g, ''), 'hex').copy(dhcpDiscover, 28);
  dhcpDiscover.writeUInt32BE(0x63825363, 236);
  dhcpDiscover.set([53, 1, 1, 255], 240);
  const ntp = Buffer.alloc(48);
  ntp[0] = 0x23;
  const fragmented = Buffer.alloc(8 + 1400, 0x41);
  fragmented.set([0xa0, 0x28, 0x30, 0x39, 0x05, 0x80, 0, 0], 0);
  const arp = Buffer.from('0001080006040001' + MAC_A.replace(/:/g, '') + 'c0a80114' + '000000000000' + 'c0a80101', 'hex');
  const v6Fragment = Buffer.concat([Buffer.from([17, 0, 0, 1, 0, 0, 0x12, 0x34]), Buffer.alloc(64, 0x42)]);

  return [
    icmp(V4.client, V4.server, 8, 0, echoBody(0x1234, 1)),
    icmp(V4.server, V4.client, 0, 0, echoBody(0x1234, 1)),
    icmp(V6.client, V6.server, 128, 0, echoBody(0x4321, 1)),
    icmp(V6.server, V6.client, 129, 0, echoBody(0x4321, 1)),
    ...http(V4.client, V4.server, 51000, 80, '/', '200 OK', page),
    ...http(V4.client, V4.local, 51002, 8080, '/missing', '404 File not found', '<html>nothing here</html>\n'),
    ...http(V6.client, V6.server, 51004, 80, '/index.html?q=1', '200 OK', 'short body\n'),
    ...connection(V4.client, V4.server, 51006, 443, [['c', tlsClientHello('www.google.com')], ['s', Buffer.from([23, 3, 3, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8])]]),
    udp(V4.client, V4.resolver, 53001, 53, dns(0x1234, 0x0100, 'www.google.com', 1)),
    udp(V4.resolver, V4.client, 53, 53001, dns(0x1234, 0x8180, 'www.google.com', 1, [v4Bytes('142.250.74.36'), v4Bytes('142.250.74.68')])),
    udp(V6.client, V6.server, 53002, 53, dns(0x1235, 0x0100, 'example.com', 28)),
    udp(V6.server, V6.client, 53, 53002, dns(0x1235, 0x8180, 'example.com', 28, [v6Bytes('2001:db8::1')])),
    udp(V4.client, V4.resolver, 53003, 53, dns(0x1236, 0x0100, 'missing.example', 1)),
    udp(V4.resolver, V4.client, 53, 53003, dns(0x1236, 0x8183, 'missing.example', 1)),
    // Counts of zero before a question: tshark shows the question's bytes as Extraneous Data.
    udp(V4.client, V4.resolver, 53005, 53, Buffer.concat([Buffer.from([0x12, 0x38, 1, 0]), Buffer.alloc(8), dnsName('extra.example'), Buffer.from([0, 1, 0, 1])])),
    udp(V4.client, V4.resolver, 123, 123, ntp),
    udp('0.0.0.0', '255.255.255.255', 68, 67, dhcpDiscover),
    ...closedV4,
    ...closedV4.map((f) => icmp(V4.local, V4.client, 3, 3, quoting(f, 48))),
    ...closedV6,
    ...closedV6.map((f) => icmp(V6.local, V6.client, 1, 4, quoting(f, 56))),
    tcp(V4.client, V4.local, 51008, 9, TCP_FLAGS.SYN, 7000, 0),
    tcp(V4.local, V4.client, 9, 51008, TCP_FLAGS.RST | TCP_FLAGS.ACK, 0, 7001),
    // One UDP datagram in two IPv4 fragments, and one IPv6 fragment.
    ethernet(0x0800, ip(V4.client, V4.server, 17, fragmented.subarray(0, 1008), { id: 0x4242, fragment: 0x2000 })),
    ethernet(0x0800, ip(V4.client, V4.server, 17, fragmented.subarray(1008), { id: 0x4242, fragment: 1008 / 8 })),
    ethernet(0x86dd, ip(V6.client, V6.server, 44, v6Fragment)),
    ethernet(0x0806, arp, MAC_A, 'ff:ff:ff:ff:ff:ff'),
    withVlanTag(udp(V4.client, V4.resolver, 53004, 53, dns(0x1237, 0x0100, 'vlan.example.com', 1)), 100),
  ];
}
