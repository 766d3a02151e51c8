/**
 * Dissector unit tests from hex frames: valid, truncated and malformed per protocol, and no
 * exception on random bytes. Expected values are what tshark 4.0 prints for the same bytes
 * (checked with `tshark -r` on these frames written as pcap).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Dissector } from './dissector';
import type { DissectedPacket } from './model';
import { collectFields } from '../cli/tshark/fields';

function frame(hexBytes: string, linkType = 1, number = 1, origLen?: number) {
  const data = Buffer.from(hexBytes.replace(/\s+/g, ''), 'hex');
  return { number, tsNs: 1_262_893_114_341_715_000n + BigInt(number) * 1000n, data, origLen: origLen ?? data.length, linkType };
}

function values(p: DissectedPacket, name: string): string {
  return collectFields(p, [name]).get(name)!.join(',');
}

// chrissanders tcp_handshake.pcapng frame 1 (SYN with MSS, NOP, WS, NOP, NOP, SACK_PERM).
const SYN = '00055d21994c00216a5b7d4a0800 4500003431 7f40008006 55ebac101080d43ae28e 0b0a0050dc0224740000000080022000cfeb0000020405b40103030201010402';

test('Ethernet/IPv4/TCP SYN: fields and Info as tshark prints them', () => {
  const p = new Dissector().dissect(frame(SYN));
  assert.equal(p.status, 'ok');
  assert.equal(values(p, 'frame.protocols'), 'eth:ethertype:ip:tcp');
  assert.equal(values(p, 'eth.type'), '0x0800');
  assert.equal(values(p, 'eth.addr'), '00:05:5d:21:99:4c,00:21:6a:5b:7d:4a');
  assert.equal(values(p, 'ip.flags'), '0x02');
  assert.equal(values(p, 'ip.id'), '0x317f');
  assert.equal(values(p, 'ip.checksum'), '0x55eb');
  assert.equal(values(p, 'ip.checksum.status'), '2');
  assert.equal(values(p, 'tcp.flags'), '0x0002');
  assert.equal(values(p, 'tcp.seq'), '0');
  assert.equal(values(p, 'tcp.seq_raw'), '3691127924');
  assert.equal(values(p, 'tcp.option_kind'), '2,1,3,1,1,4');
  assert.equal(values(p, 'tcp.flags.str'), '··········S·');
  assert.equal(p.summary.info, '2826 → 80 [SYN] Seq=0 Win=8192 Len=0 MSS=1460 WS=4 SACK_PERM');
  assert.equal(p.summary.source, '172.16.16.128');
  assert.equal(p.summary.protocol, 'TCP');
});

test('truncated TCP header is "truncated", a bad IP header length is "malformed"', () => {
  const cut = SYN.replace(/\s+/g, '').slice(0, (14 + 20 + 10) * 2);
  const t = new Dissector().dissect(frame(cut, 1, 1, 66));
  assert.equal(t.status, 'truncated');
  assert.equal(t.layers.find((l) => l.protocol === 'tcp')!.status, 'truncated');
  const bad = SYN.replace(/\s+/g, '').replace('4500003431', '4300003431');
  const m = new Dissector().dissect(frame(bad));
  assert.equal(m.status, 'malformed');
  assert.equal(m.layers.find((l) => l.protocol === 'ip')!.status, 'malformed');
});

test('ARP request with a non-zero trailer', () => {
  const arp = 'ffffffffffff0016ce6e8b24 0806 0001080006040001 0016ce6e8b24 c0a80072 000000000000 c0a80001 c0a80072';
  const p = new Dissector().dissect(frame(arp));
  assert.equal(values(p, 'frame.protocols'), 'eth:ethertype:arp');
  assert.equal(p.summary.info, 'Who has 192.168.0.1? Tell 192.168.0.114');
  assert.equal(values(p, 'eth.trailer'), 'c0a80072');
  assert.equal(values(p, 'arp.opcode'), '1');
});

test('802.1Q VLAN, Linux SLL, null and raw IPv6 link layers', () => {
  const ip = '4500001c0001000040110000 0a000001 0a000002 04d20035000800 00'.replace(/\s+/g, '');
  const udp = ip.slice(0, 56) + '04d2003500080000';
  const vlan = new Dissector().dissect(frame('ffffffffffff020000000001 8100 2064 0800' + udp));
  assert.equal(values(vlan, 'frame.protocols'), 'eth:ethertype:vlan:ethertype:ip:udp');
  assert.equal(values(vlan, 'vlan.id'), '100');
  assert.equal(values(vlan, 'vlan.priority'), '1');
  const sll = new Dissector().dissect(frame('0000 0001 0006 020000000001 0000 0800' + udp, 113));
  assert.equal(values(sll, 'frame.protocols'), 'sll:ethertype:ip:udp');
  assert.equal(values(sll, 'sll.etype'), '0x0800');
  const nul = new Dissector().dissect(frame('02000000' + udp, 0));
  assert.equal(values(nul, 'null.family'), '2');
  const v6 = '6000000000083a40' + 'fe800000000000000000000000000001' + 'fe800000000000000000000000000002' + '8000000000010001';
  const raw = new Dissector().dissect(frame(v6, 101));
  assert.equal(values(raw, 'frame.protocols'), 'raw:ipv6:icmpv6');
  assert.equal(values(raw, 'ipv6.src'), 'fe80::1');
  assert.equal(values(raw, 'icmpv6.checksum.status'), '0');
});

test('IPv4 fragments are reassembled on the last fragment', () => {
  const d = new Dissector();
  const payload = Buffer.alloc(24, 0x41);
  // ICMP echo of 24 bytes split into 16 + 8.
  const icmp = Buffer.concat([Buffer.from('0800000000010001', 'hex'), payload.subarray(0, 16)]);
  const hdr = (mf: number, off: number, len: number) => `45000${(20 + len).toString(16).padStart(3, '0')}abcd${((mf << 13) | off).toString(16).padStart(4, '0')}40010000c0a80001c0a80002`;
  const eth = '020000000002020000000001 0800';
  const first = d.dissect(frame(eth + hdr(1, 0, 24) + icmp.toString('hex'), 1, 1));
  assert.equal(first.summary.info, 'Fragmented IP protocol (proto=ICMP 1, off=0, ID=abcd)');
  const second = d.dissect(frame(eth + hdr(0, 3, 8) + payload.subarray(16).toString('hex'), 1, 2));
  assert.equal(values(second, 'ip.fragment'), '1,2');
  assert.equal(values(second, 'ip.reassembled.length'), '32');
  assert.equal(values(second, 'frame.protocols'), 'eth:ethertype:ip:icmp:data');
  assert.equal(values(second, 'icmp.ident'), '1');
});

test('no exception and a status on random and mutated bytes', () => {
  let seed = 12345;
  const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  const d = new Dissector();
  const base = Buffer.from(SYN.replace(/\s+/g, ''), 'hex');
  for (let i = 0; i < 3000; i++) {
    const linkType = [0, 1, 101, 113, 276, 228, 229, 108][i % 8]!;
    let data: Buffer;
    if (i % 2) {
      data = Buffer.from(base);
      for (let k = 0; k < 4; k++) data[Math.floor(rand() * data.length)] = Math.floor(rand() * 256);
      data = data.subarray(0, Math.floor(rand() * data.length) + 1);
    } else {
      data = Buffer.alloc(Math.floor(rand() * 120));
      for (let k = 0; k < data.length; k++) data[k] = Math.floor(rand() * 256);
    }
    const p = d.dissect({ number: i + 1, tsNs: BigInt(i), data, origLen: data.length, linkType });
    assert.ok(['ok', 'truncated', 'malformed'].includes(p.status));
    assert.ok(p.layers.length >= 1);
  }
});
