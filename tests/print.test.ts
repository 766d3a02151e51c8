/**
 * The tcpdump-style printer against the real tcpdump (Debian's 4.99.3) on the same files:
 * captures made here on `lo`, and a chosen subset of the public corpus whose protocols the
 * printer covers (Ethernet/VLAN/PPPoE/SLL/SLL2/NULL/RAW, ARP, IPv4/IPv6 and fragments, TCP, UDP,
 * ICMP, ICMPv6, DNS, HTTP and SSH first lines). Records are compared one per packet: the packet's
 * line plus any continuation lines (hex dumps, -v second lines).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { compareWithTcpdump, type Comparison } from './print-compare';
import { ipv4Only, makeLoopbackCapture, type LiveCapture } from './print-live-capture';
import { readCaptureFile } from './print-pcap-reader';
import { requireCorpusDir, requireCorpusFile } from './support/corpus';
import { formatPacketLine, PrintState, type PrintOptions } from '../app/cli/print';

process.env.TZ = 'UTC';


/** Corpus files whose protocols the printer covers, all their packets compared. */
const CORPUS_SUBSET = [
  ...[
    'LINKTYPE_IPV4.pcap', 'LINKTYPE_IPV4_invalid.pcap', 'LINKTYPE_IPV6.pcap', 'LINKTYPE_IPV6_invalid.pcap',
    'LINKTYPE_RAW_ipv4.pcap', 'LINKTYPE_RAW_ipv6.pcap', '802.1ad_QinQ.pcap', 'accecn_handshake.pcap',
    'arp-oobr.pcap', 'arp-too-long-tha.pcap', 'bigtcp-ipv4.pcap', 'bigtcp-ipv6.pcap', 'bigtcp-ipv6-hbh.pcap',
    'dns-badcookie.pcap', 'dns-badlabel.pcap', 'dns-badvers.pcap', 'dns-uri.pcap', 'dns-zlip-1.pcap',
    'dns-zlip-2.pcap', 'dns-zlip-3.pcap', 'dns_fwdptr.pcap', 'dns_tcp.pcap', 'dns_udp.pcap', 'dns_udp_2.pcap',
    'dnssec.pcap', 'edns-opts.pcap', 'gso-ipv4.pcap', 'gso-ipv6.pcap', 'heapoverflow-tcp_print.pcap',
    'icmp-cksum-oobr-1.pcap', 'icmp-icmp_print-oobr-1.pcap', 'icmpv6.pcap', 'icmpv6-ns-nonce.pcap',
    'icmpv6-ra-pref64.pcap', 'icmpv6-rfc7112.pcap', 'icmpv6_opt24.pcap', 'ip6_frag_asan.pcap',
    'ipv4_invalid_hdr_length.pcap', 'ipv4_invalid_length.pcap', 'ipv4_invalid_total_length.pcap',
    'ipv4_invalid_total_length_2.pcap', 'ipv4_tcp_http_xml.pcap', 'ipv4_tcp_http_xml_tso.pcap',
    'ipv6-bad-version.pcap', 'ipv6-next-header-oobr-1.pcap', 'ipv6-next-header-oobr-2.pcap',
    'ipv6-too-long-jumbo.pcap', 'ipv6_39_byte_header.pcap', 'ipv6_frag6_negative_len.pcap',
    'ipv6_invalid_length.pcap', 'ipv6_invalid_length_2.pcap', 'ipv6_jumbogram_1.pcap',
    'ipv6_jumbogram_invalid_length.pcap', 'ipv6_missing_jumbo_payload_option.pcap', 'ipv6_no_next_header.pcap',
    'ipv6hdr-heapoverflow.pcap', 'print-flags.pcap', 'tcp-handshake-nano.pcap',
    'tcp_eight_lowest_weight_flags_set.pcap', 'tcp_header_heapoverflow.pcap', 'tcp_rst_data.pcap',
    'tcp_rst_data-trunc.pcap', 'tcp_rst_diag_payload.pcap', 'tcp_rst_diag_payload-trunc.pcap',
    'udp-length-heapoverflow.pcap', 'icmp-length-zero.pcapng', 'icmpv6-length-zero.pcapng',
    'icmp-cksum-oobr-3.pcapng', 'time_2038.pcap', 'time_2038_max.pcap', 'time_2038_overflow.pcap',
    'time_2039.pcap', 'time_2106.pcap', 'time_2106_max.pcap', 'timestamp_invalid_micro.pcap',
    'timestamp_invalid_nano.pcap',
  ].map((f) => `tcpdump/tests/${f}`),
  ...[
    'arp_gratuitous.pcapng', 'arp_resolution.pcapng', 'arppoison.pcapng', 'dns.pcap', 'dns_axfr.pcapng',
    'dns_query_nonexistent.pcapng', 'dns_query_response.pcapng', 'dns_recursivequery_client.pcapng',
    'dns_recursivequery_server.pcapng', 'dns_reverse_lookup.pcapng', 'dns_tcp.pcapng', 'http_google.pcapng',
    'http_ip4and6.pcapng', 'http_post.pcapng', 'icmp_echo.pcapng', 'icmp_traceroute.pcapng',
    'icmpv6_neighbor_solicitation.pcapng', 'ip_frag_source.pcapng', 'ip_ttl_dest.pcapng', 'ip_ttl_source.pcapng',
    'ipv6_fragments.pcapng', 'synscan.pcapng', 'tcp_dupack.pcapng', 'tcp_handshake.pcapng', 'tcp_ports.pcapng',
    'tcp_refuseconnection.pcapng', 'tcp_retransmissions.pcapng', 'tcp_teardown.pcapng',
    'tcp_zerowindowdead.pcapng', 'tcp_zerowindowrecovery.pcapng', 'udp_dnsrequest.pcapng',
  ].map((f) => `chrissanders-packets/${f}`),
  'dpkt/examples/data/http.pcap', 'dpkt/examples/data/truncated_dns.pcap', 'dpkt/examples/data/truncated_dns_2.pcap',
  'dpkt/examples/data/dns_icmp.pcap', 'dpkt/examples/data/nb6-http.pcap',
  'gopacket/pcap/test_dns.pcap', 'gopacket/pcap/test_loopback.pcap', 'gopacket/pcap/test_ethernet.pcap',
  'gopacket/layers/testdata/ethernetIP.pcap', 'gopacket/layers/testdata/linux_sll_oversized_addr.pcapng',
  'lwerdna-filesamples/simple_http.pcap', 'lwerdna-filesamples/simple_http_sll2.pcap',
  'lwerdna-filesamples/teardrop.pcap', 'lwerdna-filesamples/200722_tcp_anon.pcapng',
];

/** tcpdump flag sets compared, with the agreement each must reach on the corpus subset. */
const CORPUS_RUNS: Array<{ flags: string[]; threshold: number }> = [
  { flags: [], threshold: 0.98 },
  { flags: ['-e'], threshold: 0.98 },
  { flags: ['-q'], threshold: 0.98 },
  { flags: ['-t'], threshold: 0.98 },
  { flags: ['-tt'], threshold: 0.98 },
  { flags: ['-ttt'], threshold: 0.98 },
  { flags: ['-tttt'], threshold: 0.98 },
  { flags: ['-ttttt'], threshold: 0.98 },
  // -v is optional in this printer: ICMPv6 neighbour-discovery options are not decoded.
  { flags: ['-v'], threshold: 0.97 },
];

function tcpdumpVersion(): string {
  const r = spawnSync('tcpdump', ['--version'], { encoding: 'utf8' });
  if (r.error) throw new Error('tcpdump is not installed: apt-get install tcpdump');
  return (r.stdout + r.stderr).split('\n')[0]!.trim();
}

function report(label: string, results: Comparison[], maxShown = 15): { equal: number; compared: number } {
  let equal = 0;
  let compared = 0;
  let shown = 0;
  for (const r of results) {
    equal += r.equal;
    compared += r.compared;
    for (const m of r.mismatches) {
      if (shown++ >= maxShown) continue;
      console.log(`  mismatch ${path.basename(r.file)} #${m.index}\n    tcpdump : ${m.tcpdump}\n    sievecap: ${m.sievecap}`);
    }
  }
  if (shown > maxShown) console.log(`  ... ${shown - maxShown} more mismatches`);
  const pct = compared ? ((100 * equal) / compared).toFixed(2) : '0';
  console.log(`${label}: ${equal}/${compared} packet records equal (${pct}%) vs ${tcpdumpVersion()}`);
  return { equal, compared };
}

test('corpus subset: same text as tcpdump -nn, with -e / -q / -t variants / -v', () => {
  const corpus = requireCorpusDir();
  const missing = CORPUS_SUBSET.filter((f) => !fs.existsSync(path.join(corpus, f)));
  assert.deepEqual(missing, [], `corpus files listed in the test are missing from ${corpus}`);
  for (const run of CORPUS_RUNS) {
    const results = CORPUS_SUBSET.map((f) => compareWithTcpdump(path.join(corpus, f), run.flags));
    const { equal, compared } = report(`corpus subset [${run.flags.join(' ') || 'default'}]`, results, 8);
    assert.ok(compared > 5000, `expected thousands of packets, compared ${compared}`);
    assert.ok(equal / compared >= run.threshold, `agreement ${equal}/${compared} below ${run.threshold}`);
  }
});

let live: LiveCapture | undefined;
async function liveCapture(): Promise<LiveCapture> {
  live ??= await makeLoopbackCapture();
  return live;
}

test('live capture on lo: ping, ping -6, HTTP, DNS, UDP, refused TCP print as tcpdump does', async () => {
  const capture = await liveCapture();
  const records = readCaptureFile(capture.file).packets.length;
  assert.ok(records >= 30, `expected at least 30 packets on lo, got ${records}`);
  const flagSets = [[], ['-e'], ['-q'], ['-tt'], ['-ttt'], ['-tttt'], ['-ttttt'], ['-t'], ['-v'], ['-S']];
  for (const flags of flagSets) {
    const result = compareWithTcpdump(capture.file, flags);
    report(`live lo capture [${flags.join(' ') || 'default'}] (http port ${capture.httpPort}, dns port ${capture.dnsPort})`, [result]);
    assert.equal(result.equal, result.compared, `tcpdump ${flags.join(' ')} and sievecap differ`);
  }
  const text = compareWithTcpdump(capture.file, []).compared;
  assert.ok(text > 0);
});

test('live capture without -n: port names from /etc/services, host names from /etc/hosts', async () => {
  const capture = await liveCapture();
  // Only IPv4 loopback packets: 127.0.0.1 is in /etc/hosts, so tcpdump asks no DNS server.
  const hosts = fs.readFileSync('/etc/hosts', 'utf8');
  assert.match(hosts, /^127\.0\.0\.1\s+\S+/m, '/etc/hosts must name 127.0.0.1 for this test');
  const file = ipv4Only(capture);
  for (const flags of [[], ['-q']]) {
    const result = compareWithTcpdump(file, flags, false);
    report(`live lo IPv4 without -n [${flags.join(' ') || 'default'}]`, [result]);
    assert.equal(result.equal, result.compared);
  }
});

test('never throws: every truncation of every corpus-subset packet prints a line', () => {
  const opts: PrintOptions = { numeric: true, quick: false, linkHeader: true, timestamp: 'epoch', verbose: 2 };
  let printed = 0;
  for (const f of CORPUS_SUBSET.slice(0, 40)) {
    const file = requireCorpusFile(f);
    const state = new PrintState();
    for (const pkt of readCaptureFile(file).packets.slice(0, 30)) {
      for (let cut = 0; cut <= pkt.data.length; cut += Math.max(1, Math.floor(pkt.data.length / 40))) {
        const line = formatPacketLine({ ...pkt, data: pkt.data.subarray(0, cut) }, opts, state);
        assert.equal(typeof line, 'string');
        assert.ok(!line.includes('[|sievecap error]'), `internal error on ${f} cut ${cut}: ${line}`);
        printed++;
      }
    }
  }
  assert.ok(printed > 1000);
});

test('SLL2 interface names come from the caller when given', () => {
  const file = requireCorpusFile('lwerdna-filesamples/simple_http_sll2.pcap');
  const pkt = readCaptureFile(file).packets[0]!;
  const opts: PrintOptions = { numeric: true, quick: false, linkHeader: false, timestamp: 'none' };
  const line = formatPacketLine({ ...pkt, interfaceName: () => 'eth7' }, opts);
  assert.match(line, /^eth7  (In |Out|B  |M  |P  ) IP /);
});

test.after(() => {
  if (live) fs.rmSync(live.dir, { recursive: true, force: true });
});
