/**
 * Conversations and endpoints of real-world captures from the shared corpus (../shared/corpus, or
 * SIEVECAP_CORPUS) against `tshark -n -q -z …`, byte for byte: QinQ, IPv4 and IPv6 fragments,
 * traceroute (ICMP errors), Linux cooked captures (no Ethernet), HTTP over IPv4 and IPv6, DNS.
 * `npm run test:corpus` runs the same comparison over every file of the corpus.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { createConversationReport } from '../app/stats/conversations';
import { createEndpointReport } from '../app/stats/endpoints';
import { feedFile } from './stats-conv-frames';
import { requireCorpusFile } from './support/corpus';

const FILES = [
  'chrissanders-packets/http_ip4and6.pcapng',
  'chrissanders-packets/http_espn.pcapng',
  'chrissanders-packets/icmp_traceroute.pcapng',
  'chrissanders-packets/ip_frag_source.pcapng',
  'chrissanders-packets/ipv6_fragments.pcapng',
  'chrissanders-packets/dns.pcap',
  'chrissanders-packets/tcp_retransmissions.pcapng',
  'chrissanders-packets/synscan.pcapng',
  'tcpdump/tests/802.1ad_QinQ.pcap',
  'tcpdump/tests/LINKTYPE_RAW_ipv6.pcap',
  'lwerdna-filesamples/simple_http_sll2.pcap',
  'lwerdna-filesamples/teardrop.pcap',
];

const SPECS = ['conv,eth', 'conv,ip', 'conv,ipv6', 'conv,tcp', 'conv,udp', 'endpoints,eth', 'endpoints,ip', 'endpoints,ipv6', 'endpoints,tcp', 'endpoints,udp'];

for (const name of FILES) {
  test(`${name}: conversations and endpoints equal tshark's`, () => {
    const file = requireCorpusFile(name);
    assert.ok(spawnSync('sh', ['-c', 'command -v tshark']).status === 0, 'tshark is needed as the reference: apt-get install tshark');
    const reports = SPECS.map((s) => (s.startsWith('conv') ? createConversationReport(s) : createEndpointReport(s)));
    feedFile(file, ...reports);
    const args = ['-n', '-r', file, '-q'];
    // tshark prints several -z reports in the reverse order of the arguments.
    for (const s of [...SPECS].reverse()) args.push('-z', s);
    const r = spawnSync('tshark', args, { encoding: 'utf8' });
    assert.equal(r.status, 0, `tshark failed: ${r.stderr}`);
    assert.equal(reports.map((rep) => rep.text()).join(''), r.stdout);
  });
}
