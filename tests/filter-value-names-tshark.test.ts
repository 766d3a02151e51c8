/**
 * Value names in display filters, as tshark 4.0 takes them (dfilter's semcheck.c): an integer
 * field's literal may be one of its value names (`ip.proto == "UDP"`, `dns.flags.rcode == "No
 * such name"`, `_ws.expert.severity == warning`), a boolean's its names for true and false
 * (`tcp.flags.syn == Set`), without regard to case; a name the field lacks is refused by both.
 * Selections compared with tshark's on corpus captures, names from app/filter/wireshark-value-names.ts
 * (generated from `tshark -G values`). Skipped when tshark is not installed; fails when the corpus is
 * missing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { requireCorpusFile } from './support/corpus';
import { assertFiltersAgree } from './support/agree';
import { sievecap } from './support/sievecap';

const NO_TSHARK = spawnSync('tshark', ['--version']).status !== 0 ? 'tshark is not installed (apt-get install tshark)' : false;

const CASES: [string, string[]][] = [
  ['chrissanders-packets/dns_query_nonexistent.pcapng', ['dns.flags.rcode == "No such name"', 'dns.flags.rcode == "no error"', 'dns.flags.response == "Message is a response"', 'ip.proto == "UDP"', 'eth.type == IPv4', 'dns.qry.type == "a (host address)"', 'dns.qry.type != "AAAA (IPv6 Address)"']],
  ['chrissanders-packets/tcp_retransmissions.pcapng', ['_ws.expert.severity == warning', '_ws.expert.severity == Note', '_ws.expert.group == Sequence', 'tcp.flags.syn == Set', 'tcp.flags.push == "not set"', 'ip.flags.df == set', 'ip.proto in {"TCP", "ICMP"}']],
  ['chrissanders-packets/tcp_handshake.pcapng', ['tcp.flags.syn == Set', 'tcp.flags.ack == "Not set"', 'tcp.flags.syn == set and tcp.flags.ack == SET', '_ws.expert.severity == chat', '_ws.expert.severity != Chat']],
  ['chrissanders-packets/arp_resolution.pcapng', ['arp.opcode == request', 'arp.opcode == "reply"', 'eth.type == "ARP"', 'arp.hw.type == Ethernet']],
  ['chrissanders-packets/icmp_echo.pcapng', ['ip.proto == "icmp"', 'ip.proto != "ICMP" and ip', 'ip.dsfield.dscp == "Default"', 'ip.dsfield.ecn == "Not ECN-Capable Transport"']],
];

test('-Y with value names selects what tshark selects', { skip: NO_TSHARK }, () => {
  for (const [name, filters] of CASES) assertFiltersAgree(requireCorpusFile(name), filters);
});

test('a name the field lacks is refused, as tshark refuses it', { skip: NO_TSHARK }, () => {
  const file = requireCorpusFile('chrissanders-packets/dns_query_nonexistent.pcapng');
  for (const [filter, message, tsharks] of [
    ['ip.proto == "nosuch"', /"nosuch" cannot be found among the possible values for ip\.proto/, /"nosuch" cannot be found among the possible values for ip\.proto/],
    // A field without value names: the word is no number (tshark: "is not a valid number").
    ['ip.ttl == ten', /"ten" is neither a field nor a valid value for ip\.ttl/, /"ten" is not a valid number/],
  ] as const) {
    const theirs = spawnSync('tshark', ['-r', file, '-Y', filter], { encoding: 'utf8' });
    assert.notEqual(theirs.status, 0, `tshark refuses ${filter}`);
    assert.match(theirs.stderr, tsharks);
    const ours = sievecap(['-r', file, '-Y', filter]);
    assert.notEqual(ours.status, 0, `sievecap refuses ${filter}`);
    assert.match(ours.stderr.toString(), message);
  }
});
