/**
 * `-T json` byte for byte as tshark 4.0 writes it (`-n`): the layers and every field, hidden ones
 * too (eth.*_resolved and the OUI manufacturers, tcp.options.* with their bytes, icmp.resptime),
 * bytes with colons, strings with their control characters as JSON escapes them, on corpus
 * captures of ARP, DNS over UDP and TCP, HTTP (gzip bodies, requests matched to responses), ICMP,
 * ICMPv6 and TCP handshakes, retransmissions and teardowns, SMTP with its IMF message (a
 * multi-line reply's parameters under its first line, the body inside IMF's tree), DHCP and DHCPv6 (option
 * names, values hidden and decoded, times in words), an ARP announcement, SYNs refused with
 * and without window scaling, and on
 * Linux-style pings built here
 * (the time stamp ping writes into its data).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PcapWriter } from '../app/pcap/pcap-writer';
import { requireCorpusDir } from './support/corpus';
import { corpusAsOne } from './support/merge';
import { sievecap } from './support/sievecap';

const NO_TSHARK = spawnSync('tshark', ['--version']).status !== 0 ? 'tshark is not installed (apt-get install tshark)' : false;

const FILES = [
  'arp_resolution.pcapng', 'dns_query_response.pcapng', 'dns_tcp.pcapng', 'dns_reverse_lookup.pcapng', 'http_google.pcapng',
  'http_ip4and6.pcapng', 'http_dvwa_sqlinjection.pcapng', 'icmp_echo.pcapng', 'icmpv6_neighbor_solicitation.pcapng',
  'ip_ttl_source.pcapng', 'tcp_handshake.pcapng', 'tcp_teardown.pcapng', 'tcp_zerowindowrecovery.pcapng',
  'synscan.pcapng', 'mail_sender_client_1.pcapng', 'dhcp_nolease_initialization.pcapng', 'dhcp_inlease_renewal.pcapng',
  'dhcp6_outlease_acquisition.pcapng', 'arp_gratuitous.pcapng', 'nowebaccess2.pcapng',
].map((f) => `chrissanders-packets/${f}`);

function checksum(bytes: Buffer): number {
  let sum = 0;
  for (let k = 0; k + 1 < bytes.length; k += 2) sum += bytes.readUInt16BE(k);
  if (bytes.length % 2) sum += bytes[bytes.length - 1]! << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/** An Ethernet/IPv4 ICMP echo with Linux ping's data: its send time (a 64-bit timeval), then 0x10, 0x11, ... */
function ping(reply: boolean, seq: number, sentNs: bigint): Buffer {
  const icmp = Buffer.alloc(8 + 56);
  icmp[0] = reply ? 0 : 8;
  icmp.writeUInt16BE(0x2cb6, 4);
  icmp.writeUInt16BE(seq, 6);
  icmp.writeBigUInt64LE(sentNs / 1_000_000_000n, 8);
  icmp.writeBigUInt64LE((sentNs % 1_000_000_000n) / 1000n, 16);
  for (let k = 24; k < icmp.length; k++) icmp[k] = k - 8;
  icmp.writeUInt16BE(checksum(icmp), 2);
  const ip = Buffer.alloc(20);
  ip[0] = 0x45;
  ip.writeUInt16BE(20 + icmp.length, 2);
  ip.writeUInt16BE(0x4000, 6);
  ip[8] = 64;
  ip[9] = 1;
  Buffer.from(reply ? [10, 0, 0, 2, 10, 0, 0, 1] : [10, 0, 0, 1, 10, 0, 0, 2]).copy(ip, 12);
  ip.writeUInt16BE(checksum(ip), 10);
  const eth = Buffer.from(reply ? '0200000000010200000000020800' : '0200000000020200000000010800', 'hex');
  return Buffer.concat([eth, ip, icmp]);
}

test('-T json is tshark\'s, byte for byte, on corpus captures and Linux pings', { skip: NO_TSHARK }, () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-json-'));
  try {
    const pings = path.join(tmp, 'pings.pcap');
    const writer = new PcapWriter(pings, { linkType: 1, snapLen: 65535 });
    const start = 1_764_900_000_123_456_000n;
    for (let seq = 1; seq <= 3; seq++) {
      const sent = start + BigInt(seq) * 1_000_000_000n;
      writer.writePacket({ tsNs: sent + 17_000n, data: ping(false, seq, sent) });
      writer.writePacket({ tsNs: sent + 17_000n + BigInt(seq) * 123_456n, data: ping(true, seq, sent) });
    }
    writer.close();
    const files = [...corpusAsOne(requireCorpusDir(), FILES, path.join(tmp, 'corpus.pcapng')), pings];
    let packets = 0;
    for (const file of files) {
      const theirs = spawnSync('tshark', ['-n', '-r', file, '-T', 'json'], { encoding: 'utf8', maxBuffer: 256 << 20 });
      assert.equal(theirs.status, 0, theirs.stderr);
      const ours = sievecap(['-n', '-r', file, '-T', 'json']).stdout.toString();
      const a = ours.split('\n');
      const b = theirs.stdout.split('\n');
      const first = b.findIndex((line, k) => line !== a[k]);
      assert.equal(first, -1, `${path.basename(file)}: line ${first + 1} differs:\n  tshark: ${b[first]}\n  ours:   ${a[first]}`);
      assert.equal(a.length, b.length);
      packets += (theirs.stdout.match(/"_index"/g) ?? []).length;
    }
    assert.ok(packets > 300, `${packets} packets compared`);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});
