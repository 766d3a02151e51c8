/**
 * DNS in `-V` against tshark 4.0: every line of each DNS message's tree (header flags with their
 * bit pictures, questions, records, EDNS with its Z bits and options) as `tshark -n -r F -V`
 * prints it, on the corpus' DNS captures: plain queries and responses, NXDOMAIN, reverse
 * lookups, DNS over TCP with DNSSEC records (DNSKEY, DS, RRSIG), a zone transfer (SRV headings),
 * EDNS cookies (good and bad), an AD bit in queries, SSHFP, the EDNS options tcpdump's tests
 * exercise (client subnet, DAU/DHU/N3U, CHAIN, keepalive, padding, NSID, expire, unknown ones),
 * unknown opcode, rcode and class with the Z bit set, a type tshark has no code for (URI: its
 * "Undecoded" note and Data). How a malformed packet is shown after the
 * tree ("[Malformed Packet: …]") is not DNS's and is left out.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { requireCorpusDir } from './support/corpus';
import { corpusAsOne } from './support/merge';
import { sievecap } from './support/sievecap';

const NO_TSHARK = spawnSync('tshark', ['--version']).status !== 0 ? 'tshark is not installed (apt-get install tshark)' : false;

const FILES = [
  'chrissanders-packets/dns_query_response.pcapng', 'chrissanders-packets/dns_query_nonexistent.pcapng', 'chrissanders-packets/dns_tcp.pcapng',
  'chrissanders-packets/dns_axfr.pcapng', 'tcpdump/tests/dns_udp.pcap', 'tcpdump/tests/dns-badcookie.pcap', 'tcpdump/tests/dnssec.pcap',
  'tcpdump/tests/edns-opts.pcap', 'tcpdump/tests/dns-badlabel.pcap', 'tcpdump/tests/dns-uri.pcap',
];

/** The lines of each DNS tree: from its heading to the next line that starts a layer. */
function dnsTrees(verbose: string): string[] {
  const out: string[] = [];
  let inside = false;
  for (const line of verbose.split('\n')) {
    if (/^(Domain Name System|Multicast Domain Name System|Link-local Multicast Name Resolution)/.test(line)) inside = true;
    else if (!line.startsWith(' ')) inside = false;
    if (inside && !line.trimStart().startsWith('[Malformed Packet')) out.push(line);
  }
  return out;
}

test('DNS trees in -V are the lines tshark -V prints, on the corpus\' DNS captures', { skip: NO_TSHARK }, () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-dns-verbose-'));
  try {
    // One merged capture: each tool starts once (the captures' frames follow one another).
    let lines = 0;
    for (const file of corpusAsOne(requireCorpusDir(), FILES, path.join(tmp, 'dns.pcapng'))) {
      const theirs = spawnSync('tshark', ['-n', '-r', file, '-V'], { encoding: 'utf8', maxBuffer: 256 << 20 });
      assert.equal(theirs.status, 0, theirs.stderr);
      const ours = sievecap(['-n', '-r', file, '-V']);
      assert.equal(ours.status, 0, ours.stderr.toString());
      const expected = dnsTrees(theirs.stdout);
      assert.deepEqual(dnsTrees(ours.stdout.toString()), expected, path.basename(file));
      lines += expected.length;
    }
    assert.ok(lines > 3000, `${lines} lines compared`);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});
