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
import { writePcap } from './support/frames';

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

/** A DNS response over UDP/IPv4 in an Ethernet frame: one question and one answer of `type` with `rdata`. */
function dnsResponse(name: string, type: number, rdata: Buffer): Buffer {
  const qname = Buffer.concat([...name.split('.').map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l)])), Buffer.from([0])]);
  const u16 = (n: number): Buffer => Buffer.from([n >> 8, n & 0xff]);
  const dns = Buffer.concat([
    u16(0x1234), u16(0x8180), u16(1), u16(1), u16(0), u16(0),
    qname, u16(type), u16(1),
    Buffer.from([0xc0, 12]), u16(type), u16(1), Buffer.from([0, 0, 1, 0x2c]), u16(rdata.length), rdata,
  ]);
  const udp = Buffer.concat([u16(53), u16(40000), u16(8 + dns.length), u16(0), dns]);
  const ip = Buffer.concat([Buffer.from([0x45, 0]), u16(20 + udp.length), u16(1), u16(0), Buffer.from([64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2])]);
  let sum = 0;
  for (let k = 0; k < 20; k += 2) sum += ip.readUInt16BE(k);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  ip.writeUInt16BE(~sum & 0xffff, 10);
  return Buffer.concat([Buffer.from('0242ac1100020242ac1100030800', 'hex'), ip, udp]);
}

test('built answers: MX and SRV headings name their data as tshark -V does', { skip: NO_TSHARK }, () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-dns-mx-'));
  try {
    const file = path.join(tmp, 'mx.pcap');
    const name = (n: string): Buffer => Buffer.concat([...n.split('.').map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l)])), Buffer.from([0])]);
    writePcap(file, [
      dnsResponse('example.com', 15, Buffer.concat([Buffer.from([0, 10]), name('mx.example.com')])),
      dnsResponse('_ldap._tcp.example.com', 33, Buffer.concat([Buffer.from([0, 0, 0, 100, 1, 0x85]), name('dc1.example.com')])),
    ]);
    const theirs = spawnSync('tshark', ['-n', '-r', file, '-V'], { encoding: 'utf8' });
    const ours = sievecap(['-n', '-r', file, '-V']);
    const expected = dnsTrees(theirs.stdout);
    assert.ok(expected.some((l) => l.includes('preference 10, mx mx.example.com')), expected.join('\n'));
    assert.deepEqual(dnsTrees(ours.stdout.toString()), expected);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});
