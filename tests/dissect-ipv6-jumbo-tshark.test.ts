/**
 * IPv6 jumbograms (RFC 2675; what Linux's BIG TCP puts on the wire past 64 KiB): payload length 0
 * in the header, the real one in a hop-by-hop Jumbo Payload option. Against tshark 4.0 (summary
 * lines, -V, -T json, -T fields, display filters) on the corpus's jumbograms and on frames this
 * test builds (jumbo TCP segments), and against tcpdump's -v lines. Skipped when tshark or tcpdump is not installed; fails
 * when the corpus is missing.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PcapWriter } from '../app/pcap/pcap-writer';
import { requireCorpusFile } from './support/corpus';
import { assertFiltersAgree, firstDifference } from './support/agree';
import { sievecap } from './support/sievecap';

const NO_TSHARK = spawnSync('tshark', ['--version']).status !== 0 ? 'tshark is not installed (apt-get install tshark)' : false;
const NO_TCPDUMP = spawnSync('tcpdump', ['--version']).status !== 0 ? 'tcpdump is not installed (apt-get install tcpdump)' : false;

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-jumbo-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const FIELDS = ['frame.protocols', 'ipv6.plen', 'ipv6.opt.jumbo', 'ipv6.hopopts.nxt', 'tcp.len', 'tcp.seq', 'tcp.nxtseq', 'tcp.srcport', '_ws.expert.message', '_ws.col.Info'];
const FILTERS = ['ipv6.plen == 0', 'ipv6.opt.jumbo', 'ipv6.opt.jumbo > 65535', 'tcp.len > 65535', 'tcp', 'tcp.nxtseq > 70000'];

function tshark(file: string, args: string[]): string {
  const r = spawnSync('tshark', ['-r', file, '-n', ...args], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

function ours(file: string, args: string[]): string {
  const r = sievecap(['-r', file, '-n', ...args]);
  assert.equal(r.status, 0, r.stderr.toString());
  return r.stdout.toString();
}

function assertAgrees(file: string): void {
  for (const [mine, theirs, what] of [
    [['-T', 'text'], [], 'summary lines'],
    [['-V'], ['-V'], '-V'],
    [['-T', 'json'], ['-T', 'json'], '-T json'],
    [['-T', 'fields', ...FIELDS.flatMap((f) => ['-e', f])], ['-T', 'fields', ...FIELDS.flatMap((f) => ['-e', f])], '-T fields'],
  ] as const) {
    const a = ours(file, [...mine]);
    const b = tshark(file, [...theirs]);
    assert.ok(a === b, `${path.basename(file)} ${what}: ${firstDifference(a, b)}`);
  }
  assertFiltersAgree(file, FILTERS);
}

/**
 * Ethernet + IPv6 (payload length `plen`, next header hop-by-hop) + a hop-by-hop header carrying
 * `option` (hex, padded to 6 bytes) + a TCP header (ACK|PSH, 20 bytes) + `payload` bytes of data.
 */
function frame(plen: number, option: string, payload: number): Buffer {
  const eth = Buffer.from('020000000002' + '020000000001' + '86dd', 'hex');
  const ip = Buffer.alloc(40);
  ip.writeUInt32BE(0x60000000, 0);
  ip.writeUInt16BE(plen, 4);
  ip[6] = 0; // hop-by-hop
  ip[7] = 64;
  Buffer.from('fd000000000000000000000000000001', 'hex').copy(ip, 8);
  Buffer.from('fd000000000000000000000000000002', 'hex').copy(ip, 24);
  const hbh = Buffer.concat([Buffer.from([6, 0]), Buffer.from(option, 'hex')]);
  const tcp = Buffer.alloc(20);
  tcp.writeUInt16BE(40000, 0);
  tcp.writeUInt16BE(5001, 2);
  tcp.writeUInt32BE(1000, 4);
  tcp.writeUInt32BE(2000, 8);
  tcp[12] = 5 << 4;
  tcp[13] = 0x18;
  tcp.writeUInt16BE(512, 14);
  return Buffer.concat([eth, ip, hbh, tcp, Buffer.alloc(payload, 0x61)]);
}

test('the corpus\'s jumbograms (BIG TCP, and tcpdump\'s own) agree with tshark', { skip: NO_TSHARK }, () => {
  for (const name of ['bigtcp-ipv6-hbh.pcap', 'ipv6_jumbogram_1.pcap', 'ipv6_jumbogram_invalid_length.pcap']) {
    assertAgrees(requireCorpusFile(`tcpdump/tests/${name}`));
  }
});

test('built jumbograms agree with tshark: the option\'s length is the payload\'s', { skip: NO_TSHARK }, () => {
  const file = path.join(tmp, 'built.pcap');
  const payload = 70_000;
  // A snap length above the frames' (tcpdump's default): nothing is cut.
  const writer = new PcapWriter(file, { linkType: 1, snapLen: 262144 });
  writer.writePacket({ tsNs: 0n, data: frame(0, 'c204' + (8 + 20 + payload).toString(16).padStart(8, '0'), payload) }); // a jumbogram
  writer.writePacket({ tsNs: 1000n, data: frame(0, 'c204' + (8 + 20 + 2 * payload).toString(16).padStart(8, '0'), 2 * payload) }); // a larger one
  writer.close();
  const summary = ours(file, ['-T', 'text']);
  assert.match(summary.split('\n')[0]!, /Len=70000/, summary);
  assertAgrees(file);
});

test('tcpdump -v: the BIG TCP segment\'s line, its checksum checked as tcpdump checks it', { skip: NO_TCPDUMP }, () => {
  const file = requireCorpusFile('tcpdump/tests/bigtcp-ipv6-hbh.pcap');
  for (const flags of [['-v'], ['-vv'], []]) {
    const r = spawnSync('tcpdump', ['-#', '-n', ...flags, '-r', file], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(ours(file, ['-#', ...flags]), r.stdout, `tcpdump ${flags.join(' ')}`);
  }
});
