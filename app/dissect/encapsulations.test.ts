/**
 * Link layers, tunnels and encapsulations added to reach the inner packet (ERSPAN I/II/III, MPLS,
 * PPP, ARCNET, IPoIB, NFLOG, Cisco HDLC, Frame Relay, IPNET, Arista timestamps, PIM Register),
 * each from a real frame of the tcpdump test captures. The expected values are what
 * `tshark -n -T fields -E occurrence=a -e ip.src -e ip.dst ...` prints for the same frame.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Dissector } from './dissector';
import { fieldText } from './test-fields';
import type { DissectedPacket } from './model';

function dissect(linkType: number, hex: string): DissectedPacket {
  const data = Buffer.from(hex, 'hex');
  return new Dissector().dissect({ number: 1, tsNs: 0n, data, origLen: data.length, linkType });
}

function layers(packet: DissectedPacket): string {
  return packet.layers.map((l) => l.protocol).join(':');
}

interface Case {
  name: string;
  file: string;
  linkType: number;
  hex: string;
  /** Layers the new dissector must produce (in order, others may be between). */
  chain: string[];
  expect: Record<string, string>;
}

const CASES: Case[] = [
  {
    name: 'ERSPAN type I (GRE 0x88be without sequence number)', file: 'erspan-type-i-4.pcap #1', linkType: 1,
    hex: '002389afd259002389afcd0e08004500006200000000fd2f8968140101011e010102000088be002389ce441300505684017d08004500003c65ea00008001be700a0101640a0101010800ba59030090026162636465666768696a6b6c6d6e6f7071727374757677616263646566676869',
    chain: ['gre', 'erspan', 'eth', 'ip', 'icmp'], expect: { 'ip.src': '20.1.1.1,10.1.1.100', 'ip.dst': '30.1.1.2,10.1.1.1', 'eth.type': '0x0800,0x0800' },
  },
  {
    name: 'ERSPAN type II', file: 'erspan-type-ii-2.pcap #1', linkType: 1,
    hex: '000c29f1581e005056c0000108004500006201284000fc2f74ebc0a8c343c0a8c3c4100088be001095281065c0010008406501005e00000200000c07acfe080045c0003000000000011169310ac86502e000000207c107c1001cd965000010010369fe00636973636f0000000ac86501',
    chain: ['gre', 'erspan', 'eth', 'ip', 'udp'], expect: { 'ip.src': '192.168.195.67,10.200.101.2', 'ip.dst': '192.168.195.196,224.0.0.2', 'erspan.spanid': '1', 'erspan.vlan': '101' },
  },
  {
    name: 'ERSPAN type III (0x22eb), inner frame with a VLAN tag', file: 'erspan-type-iii-ft-0.pcap #1', linkType: 1,
    hex: '005056acc80cf8c28890d27b08004500008a000000003f2f3d970a1d1e680a1d0b0d000022eb20140000a3595bff00000006005056ac18a0f8c28890d27b810000140800450000549d1240003f016b470a1d0b010a1d14150800269c3fcb00e22264905d0000000015220a0000000000101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f3031323334353637',
    chain: ['gre', 'erspan', 'eth', 'vlan', 'ip', 'icmp'], expect: { 'ip.src': '10.29.30.104,10.29.11.1', 'ip.dst': '10.29.11.13,10.29.20.21', 'eth.type': '0x0800,0x8100' },
  },
  {
    name: 'PPP link (linktype 9) carrying MPLS', file: 'mpls-traceroute.pcap #1', linkType: 9,
    hex: 'ff0302811896010145000028a54c00000111f76f0c0404040c010101a54b829b00140000000000000000000000000000',
    chain: ['ppp', 'mpls', 'ip', 'udp'], expect: { 'ip.src': '12.4.4.4', 'ip.dst': '12.1.1.1', 'mpls.label': '100704', 'mpls.ttl': '1' },
  },
  {
    name: 'ARCNET (Linux) RFC 1051 ARP', file: 'arcnet-rfc1051-arp-icmp-http.pcap #1', linkType: 129,
    hex: 'be00ed08f10007080001040001be0a508301000a5083fe',
    chain: ['arcnet', 'arp'], expect: { 'arp.src.proto_ipv4': '10.80.131.1', 'arp.dst.proto_ipv4': '10.80.131.254', 'arp.opcode': '1' },
  },
  {
    name: 'ARCNET (Linux) RFC 1201 ARP with split flag and sequence', file: 'arcnet-rfc1201-arp-icmp-http.pcap #7', linkType: 129,
    hex: '50be83fed50001680007080001040001500a5083fe000a508301',
    chain: ['arcnet', 'arp'], expect: { 'arp.src.proto_ipv4': '10.80.131.254', 'arp.dst.proto_ipv4': '10.80.131.1' },
  },
  {
    name: 'IP over InfiniBand (linktype 242)', file: 'ipoib.pcap #1', linkType: 242,
    hex: '000000000000000000000000000000002fa3000a80000550fe800000000000000010e000664ab4510800000045000054aefe0000ff011b37c0a8380ac0a8381808002bfb195f000039a3b85c000000007c74080000000000c6f982be307e2db9f00326abfd43bd553bef6a1810b683223f8171e9b2bb671a0c16cbefdebe0713',
    chain: ['ipoib', 'ip', 'icmp'], expect: { 'ip.src': '192.168.56.10', 'ip.dst': '192.168.56.24' },
  },
  {
    name: 'NFLOG (linktype 239): TLVs up to the payload', file: 'nflog.pcap #1', linkType: 239,
    hex: '02000014080001000800012705000a00000000000800040000000002100008000006ffffb8a386b9c3d6000006000f000001000006001100000e0000120010000811961c10c8b8a386b9c3d6080000001400030000000000522a1f9e00000000000960fc4d00090045000049000040003711c5144a522a2a0a0000140035a65900356ddf437181800001000100000000076578616d706c6503636f6d0000010001c00c0001000100002f9600045db8d877000000',
    chain: ['nflog', 'ip', 'udp', 'dns'], expect: { 'ip.src': '74.82.42.42', 'ip.dst': '10.0.0.20', 'dns.a': '93.184.216.119' },
  },
  {
    name: 'Cisco HDLC (linktype 104)', file: 'HDLC.pcap #7', linkType: 104,
    hex: '0f0008004500006400000000ff01a7960a0000010a0000020800320b000000000000000000034c3cabcdabcdabcdabcdabcdabcdabcdabcdabcdabcdabcdabcdabcdabcdabcdabcdabcdabcdabcdabcdabcdabcdabcdabcdabcdabcdabcdabcdabcdabcdabcdabcd',
    chain: ['chdlc', 'ip', 'icmp'], expect: { 'ip.src': '10.0.0.1', 'ip.dst': '10.0.0.2' },
  },
  {
    name: 'Cisco HDLC SLARP is not decoded as RARP', file: 'HDLC.pcap #1', linkType: 104,
    hex: '8f008035000000020000000500000002ffff0078f0a20000',
    chain: ['chdlc'], expect: { 'arp.opcode': '' },
  },
  {
    name: 'Frame Relay with a Cisco ethertype (linktype 107)', file: 'OSPFv3_NBMA_adjacencies.pcap #1', linkType: 107,
    hex: '48e186dd6e00000000245901fe800000000000000000000000000003fe8000000000000000000000000000020301002403030303000000008e9b00000000000664000013001e00780303030300000000',
    chain: ['fr', 'ipv6'], expect: { 'ipv6.src': 'fe80::3', 'ipv6.nxt': '89' },
  },
  {
    name: 'Solaris IPNET (linktype 226)', file: 'e1000g.pcap #1', linkType: 226,
    hex: '01020000000000540000000200000000ffffffff0000000045000054e58e0000f901fcd581926a370a05e975080032e21af50000ed760d4bb9630b0008090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f3031323334353637',
    chain: ['ipnet', 'ip', 'icmp'], expect: { 'ip.src': '129.146.106.55', 'ip.dst': '10.5.233.117' },
  },
  {
    name: 'Arista timestamp (0xd28b, 48-bit format) then MPLS', file: 'arista_ether.pcap #11', linkType: 1,
    hex: '000000000001001122334455d28b00010020ed961687ffe88847004001404500004e00000000403f4db00a8801200a021718000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f30313233343536373839',
    chain: ['eth', 'avsp', 'mpls', 'ip'], expect: { 'ip.src': '10.136.1.32', 'ip.dst': '10.2.23.24' },
  },
  {
    name: 'PIM Register carrying the multicast packet', file: 'pim-packet-assortment.pcap #51', linkType: 1,
    hex: 'd2f85a08d46710000000000208004500003000010000406766640a0000020a00000121009eff40000000450000140001400001678e800a000001e1000001',
    chain: ['ip', 'pim', 'ip'], expect: { 'ip.src': '10.0.0.2,10.0.0.1', 'ip.dst': '10.0.0.1,225.0.0.1' },
  },
  {
    name: 'L2TP (UDP 1701) data message carrying PPP and IPv6, inside PPPoE', file: 'dpkt nb6-http.pcap #19', linkType: 1,
    hex: 'e0a1d718c273001733610000886411003b1a006a002145000068a06e0000fa115fdc6d0601485f88f26306a506a50054000002024a32d35e0000ff0300576e00000000183afffe80000000000000ca4c75fffe78ed00ff0200000000000000000000000000018600fea640080708000000000000000005010000000005aa',
    chain: ['udp', 'l2tp', 'ppp', 'ipv6', 'icmpv6'], expect: { 'ip.src': '109.6.1.72', 'ipv6.src': 'fe80::ca4c:75ff:fe78:ed00' },
  },
  {
    name: 'IPComp (DEFLATE) after AH: the inflated IPv4 packet is dissected', file: 'libpcap AH-IPcomp-IPv4.pcap #3', linkType: 1,
    hex: '005056af07f0aabbcc000000080045000115430a00004033f0a9280000021e0000016c040000c67ceadf00000002ade52a577e46b23317b3358c0400eed1736560f8f6c78981c1816df35e230646c66940ccc2c410e0d7ca77e8b5d38d980609ee0cff4406a02807179733a7309733eb2577d710057d936cbd8c92dc1c058f9090007d433d035e2e8ffce2122b054353033d033d433d435e2ec7e4e4d402a09096be168ca3eb9398975e9a989e6aa5909aa75b5a0c1777cd4bce4fc9cc4bb75248afca2cd05148494dcb492c49e5e50a2d4e2dd2754c4fcd031ae49b5f95999393a86fa267a0a0919c9f5b9058929994936aade01bece9aa60a66760ad109e9997925f5eace017a260aa6768ada0e70774acb34f9002d0457a26c646469abc5cbc5c00',
    chain: ['ip', 'ah', 'ipcomp', 'ip', 'tcp'], expect: { 'ip.src': '40.0.0.2,50.0.1.1', 'ip.dst': '30.0.0.1,150.0.1.1', 'tcp.srcport': '1026' },
  },
  {
    name: 'Cisco MetaData in GRE (type first), then IPv4 and GRE keepalive', file: 'various_gre.pcap #11', linkType: 1,
    hex: 'aabbcc000100aabbcc000200810004bd080045c0004000a40000ff2f24c60aac40070aac40062000890900000028080001010001000045c0001c00a30000ff2f24eb0aac40060aac40072000000000000028',
    chain: ['gre', 'cmd', 'ip', 'gre'], expect: { 'ip.src': '10.172.64.7,10.172.64.6', 'ip.dst': '10.172.64.6,10.172.64.7' },
  },
];

for (const c of CASES) {
  test(`${c.name} (${c.file})`, () => {
    const packet = dissect(c.linkType, c.hex);
    const chain = layers(packet).split(':');
    let at = 0;
    for (const want of c.chain) {
      const found = chain.indexOf(want, at);
      assert.ok(found >= 0, `layer ${want} missing after position ${at} in ${chain.join(':')}`);
      at = found + 1;
    }
    for (const [abbrev, value] of Object.entries(c.expect)) assert.equal(fieldText(packet, abbrev), value, abbrev);
    for (const layer of packet.layers) if (c.chain.includes(layer.protocol)) assert.notEqual(layer.status, 'malformed', `${layer.protocol}: ${layer.problem}`);
  });
}

test('every new dissector survives every truncation of its frame', () => {
  for (const c of CASES) {
    const full = Buffer.from(c.hex, 'hex');
    for (let n = 0; n < full.length; n++) {
      const data = full.subarray(0, n);
      const packet = new Dissector().dissect({ number: 1, tsNs: 0n, data, origLen: full.length, linkType: c.linkType });
      for (const layer of packet.layers) assert.ok(!layer.problem?.startsWith('dissector error'), `${c.name} cut at ${n}: ${layer.problem}`);
    }
  }
});

test('MPLS: a stack that never sets bottom-of-stack is malformed, not an endless walk', () => {
  const entry = '00064' + '0' + 'ff'; // label 100, S=0, TTL 255
  const packet = dissect(9, 'ff030281' + entry.repeat(100));
  // One layer per stack entry (tshark's tree has a protocol item each), at most 32, the last malformed.
  const mpls = packet.layers.filter((l) => l.protocol === 'mpls');
  assert.equal(mpls.length, 32);
  assert.equal(mpls[mpls.length - 1]!.status, 'malformed');
});

test('tunnels nested without end stop at a bounded depth', () => {
  // IPv4 in IPv4 (protocol 4), 1,000 times: each header says "protocol 4" and the next follows.
  // (tshark dissects 200 of them; the bound is above that.)
  const header = '4500' + 'ffff' + '00000000' + '4004' + '0000' + '0a000001' + '0a000002';
  const packet = dissect(101, header.repeat(1000));
  assert.ok(packet.layers.length < 300, `${packet.layers.length} layers`);
  assert.equal(packet.status, 'malformed');
});

test('L2TP control messages keep their AVPs in the L2TP layer and name the message type in Info, as tshark does', () => {
  const ipUdp = (payload: string): string => {
    const udpLength = 8 + payload.length / 2;
    const ip = `4500${(20 + udpLength).toString(16).padStart(4, '0')}000040004011000${'0'}c0a80001c0a80002`;
    return `020000000002020000000001` + '0800' + ip + `06a506a5${udpLength.toString(16).padStart(4, '0')}0000` + payload;
  };
  // T, L, S flags, version 2; length; tunnel 7, session 0; Ns, Nr; AVP Message Type = SCCRQ (1).
  const sccrq = dissect(1, ipUdp('c80200140007000000000000' + '80080000000000' + '01'));
  assert.equal(sccrq.summary.info, 'Control Message - SCCRQ (tunnel id=7, session id=0)');
  assert.equal(sccrq.layers.map((l) => l.protocol).join(','), 'frame,eth,ip,udp,l2tp');
  // A control message with no AVP is a ZLB acknowledgement.
  const zlb = dissect(1, ipUdp('c802000c0007000000010001'));
  assert.equal(zlb.summary.info, 'Control Message - ZLB      (tunnel id=7, session id=0)');
});
