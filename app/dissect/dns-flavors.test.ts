/**
 * mDNS (UDP 5353) and LLMNR (UDP 5355): the DNS dissector under Wireshark's other protocol names,
 * with the `dns.*` fields, mDNS's "QU" question and cache-flush bits and LLMNR's conflict and
 * tentative flags. Expected values are what tshark 4.0 prints for the same frames
 * (`tshark -T fields -e frame.protocols -e dns.qry.qu ... -e _ws.col.Info`).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissectHex, fieldText } from './test-fields';
import type { DissectedPacket } from './model';
import { compileDisplayFilter } from '../filter';

const ETH_IP = '01005e0000fb020000000001080045';
const FRAMES = {
  mdnsQm: ETH_IP + '00003d00010000ff111901c0a8010ae00000fb14e914e900290000000000000001000000000000045f697070045f746370056c6f63616c00000c0001',
  mdnsQu: ETH_IP + '00004e00010000ff1118f0c0a8010ae00000fb14e914e9003a0000000000000002000000000000077072696e746572056c6f63616c0000018001077072696e746572056c6f63616c00001c8001',
  mdnsResponse: ETH_IP + '0000f000010000ff111844c0a80114e00000fb14e914e900dc0000000084000000000400000000045f697070045f746370056c6f63616c00000c000100001194001c0a4d79205072696e746572045f697070045f746370056c6f63616c000a4d79205072696e746572045f697070045f746370056c6f63616c0000218001000000780015000000000277077072696e746572056c6f63616c000a4d79205072696e746572045f697070045f746370056c6f63616c000010800100001194001309747874766572733d310871746f74616c3d31077072696e746572056c6f63616c0000018001000000780004c0a80114',
  /** A one-shot query from an ephemeral port (RFC 6762 §5.1): still mDNS, as in Wireshark. */
  mdnsOneShot: ETH_IP + '00003800010000ff111906c0a8010ae00000fb9c4014e90024000012340000000100000000000004686f7374056c6f63616c0000010001',
  llmnrQuery: '01005e0000fc02000000000108004500003200010000ff11190bc0a8010ae00000fcc73814eb001e0000abcd0000000100000000000004777061640000010001',
  llmnrResponse: '02000000000202000000000108004500004600010000ff11382dc0a8011ec0a8010a14ebc73800320000abcd8000000100010000000004777061640000010001047770616400000100010000001e0004c0a8011e',
};

const protocols = (packet: DissectedPacket) => fieldText(packet, 'frame.protocols');

test('mDNS query: protocol mdns, "QM"/"QU" question bit, class without it', () => {
  const qm = dissectHex(FRAMES.mdnsQm);
  assert.equal(protocols(qm), 'eth:ethertype:ip:udp:mdns');
  assert.equal(qm.summary.protocol, 'MDNS');
  assert.equal(qm.summary.info, 'Standard query 0x0000 PTR _ipp._tcp.local, "QM" question');
  assert.equal(qm.layers.at(-1)!.title, 'Multicast Domain Name System (query)');
  assert.equal(fieldText(qm, 'dns.qry.qu'), '0');
  const qu = dissectHex(FRAMES.mdnsQu);
  assert.equal(qu.summary.info, 'Standard query 0x0000 A printer.local, "QU" question AAAA printer.local, "QU" question');
  assert.equal(fieldText(qu, 'dns.qry.class'), '0x0001,0x0001');
  assert.equal(fieldText(qu, 'dns.qry.qu'), '1,1');
  const oneShot = dissectHex(FRAMES.mdnsOneShot);
  assert.equal(protocols(oneShot), 'eth:ethertype:ip:udp:mdns');
  assert.equal(oneShot.summary.info, 'Standard query 0x1234 A host.local, "QM" question');
});

test('mDNS response: cache-flush bit per record, in Info and dns.resp.cache_flush', () => {
  const packet = dissectHex(FRAMES.mdnsResponse);
  assert.equal(packet.summary.info, 'Standard query response 0x0000 PTR My Printer._ipp._tcp.local SRV, cache flush 0 0 631 printer.local TXT, cache flush A, cache flush 192.168.1.20');
  assert.equal(fieldText(packet, 'dns.resp.cache_flush'), '0,1,1,1');
  assert.equal(fieldText(packet, 'dns.resp.class'), '0x0001,0x0001,0x0001,0x0001');
  assert.equal(fieldText(packet, 'dns.srv.service'), 'My Printer');
  assert.equal(fieldText(packet, 'dns.txt'), 'txtvers=1,qtotal=1');
  assert.equal(fieldText(packet, 'dns.a'), '192.168.1.20');
});

test('LLMNR: protocol llmnr, conflict and tentative flags, no "QM" suffix', () => {
  const query = dissectHex(FRAMES.llmnrQuery);
  assert.equal(protocols(query), 'eth:ethertype:ip:udp:llmnr');
  assert.equal(query.summary.protocol, 'LLMNR');
  assert.equal(query.summary.info, 'Standard query 0xabcd A wpad');
  assert.equal(fieldText(query, 'dns.flags.conflict'), '0');
  assert.equal(fieldText(query, 'dns.flags.tentative'), '0');
  assert.equal(fieldText(query, 'dns.flags.recdesired'), '');
  assert.equal(fieldText(query, 'dns.qry.qu'), '');
  const response = dissectHex(FRAMES.llmnrResponse);
  assert.equal(response.summary.info, 'Standard query response 0xabcd A wpad A 192.168.1.30');
  assert.equal(response.layers.at(-1)!.title, 'Link-local Multicast Name Resolution (response)');
  assert.equal(fieldText(response, 'dns.flags.rcode'), '0');
  assert.equal(fieldText(response, 'dns.resp.cache_flush'), '');
});

test('filters: mdns and llmnr are protocols, dns.* fields reach them, "dns" does not (as tshark)', () => {
  const cases: [keyof typeof FRAMES, string, boolean][] = [
    ['mdnsQm', 'mdns', true], ['mdnsQm', 'dns', false], ['mdnsQm', 'llmnr', false], ['mdnsQu', 'dns.qry.qu == 1', true],
    ['mdnsResponse', 'dns.resp.cache_flush == 1', true], ['llmnrQuery', 'llmnr && dns.qry.name == "wpad"', true], ['llmnrQuery', 'dns', false],
  ];
  for (const [name, filter, expected] of cases) {
    const data = Buffer.from(FRAMES[name], 'hex');
    assert.equal(compileDisplayFilter(filter).matches(dissectHex(FRAMES[name]), data), expected, `${name}: ${filter}`);
  }
});

test('without a tree or columns, a dns.* field still reaches an mDNS message', () => {
  const fields = new Set(['dns.qry.name']);
  assert.equal(fieldText(dissectHex(FRAMES.mdnsQu, { fields, columns: false }), 'dns.qry.name'), 'printer.local,printer.local');
});
