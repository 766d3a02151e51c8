/**
 * Apple's PKTAP (LINKTYPE_PKTAP, and DLT_USER2 as macOS writes it) and the other user DLTs,
 * against tshark 4.0: summary lines, -V, -T json, -T fields and display filters, on the corpus's
 * macOS captures and on frames this test builds (a packet record over Ethernet and over raw IP, a
 * record that carries no packet, a header under 108 bytes, an unknown link type inside, a header
 * cut short). Skipped when tshark is not installed; fails when the corpus is missing.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PcapWriter } from '../app/pcap/pcap-writer';
import { udpFrames } from './support/frames';
import { requireCorpusFile } from './support/corpus';
import { assertFiltersAgree, firstDifference } from './support/agree';
import { sievecap } from './support/sievecap';

const NO_TSHARK = spawnSync('tshark', ['--version']).status !== 0 ? 'tshark is not installed (apt-get install tshark)' : false;

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-pktap-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const FIELDS = [
  'frame.protocols', 'pktap.hdrlen', 'pktap.rectype', 'pktap.dlt', 'pktap.ifname', 'pktap.flags', 'pktap.pfamily', 'pktap.llhdrlen',
  'pktap.lltrlrlen', 'pktap.pid', 'pktap.cmdname', 'pktap.svc_class', 'pktap.iftype', 'pktap.ifunit', 'pktap.epid', 'pktap.ecmdname',
  'eth.src', 'ip.src', 'udp.dstport', '_ws.col.Protocol', '_ws.col.Info',
];

function tshark(file: string, args: string[]): string {
  const r = spawnSync('tshark', ['-r', file, '-n', ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

function ours(file: string, args: string[]): string {
  const r = sievecap(['-r', file, '-n', ...args]);
  assert.equal(r.status, 0, r.stderr.toString());
  return r.stdout.toString();
}

function assertAgrees(file: string, filters: string[]): void {
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
  assertFiltersAgree(file, filters);
}

/** A PKTAP header (little-endian, as macOS writes it) of `length` bytes (at least 108 are filled in when it has them). */
function pktapHeader(length: number, rectype: number, dlt: number, ifname = 'en0', cmd = 'curl'): Buffer {
  const h = Buffer.alloc(Math.max(length, 4));
  h.writeUInt32LE(length, 0);
  if (length >= 108) {
    h.writeUInt32LE(rectype, 4);
    h.writeUInt32LE(dlt, 8);
    h.write(ifname, 12, 'latin1');
    h.writeUInt32LE(0x2, 36); // flags
    h.writeUInt32LE(2, 40); // PF_INET
    h.writeUInt32LE(dlt === 1 ? 14 : 0, 44);
    h.writeUInt32LE(4242, 52); // pid
    h.write(cmd, 56, 'latin1');
    h.writeUInt32LE(0, 76);
    h.writeUInt16LE(6, 80);
    h.writeUInt16LE(1, 82);
    h.writeUInt32LE(4242, 84);
    h.write(cmd, 88, 'latin1');
  }
  return h;
}

function writeLinkType(file: string, linkType: number, frames: readonly Buffer[]): void {
  const writer = new PcapWriter(file, { linkType, snapLen: 262144 });
  frames.forEach((data, k) => writer.writePacket({ tsNs: BigInt(k) * 1_000_000n, data }));
  writer.close();
}

test('corpus: macOS PKTAP captures (LINKTYPE_PKTAP and DLT_USER2) and an unhandled user DLT agree with tshark', { skip: NO_TSHARK }, () => {
  for (const name of ['LINKTYPE_PKTAP.pcap', 'LINKTYPE_USER2_PKTAP.pcap']) assertAgrees(requireCorpusFile(`tcpdump/tests/${name}`), ['pktap', 'pktap.pid == 512', 'pktap.ifname == "en0"', 'dns', 'user_dlt']);
  assertAgrees(requireCorpusFile('tcpdump/tests/unsupported-link-type-160.pcap'), ['user_dlt', 'data', '_ws.expert']);
});

test('built PKTAP records: Ethernet and raw IP inside, no packet, a header too short, an unknown link type, a cut header', { skip: NO_TSHARK }, () => {
  const [udp] = udpFrames({ count: 1, srcMac: '02:00:00:00:00:01', dstMac: '02:00:00:00:00:02', srcIp: '10.0.0.1', dstIp: '10.0.0.2', dstPort: 9 });
  const frames = [
    Buffer.concat([pktapHeader(108, 1, 1), udp!]),
    Buffer.concat([pktapHeader(108, 1, 12, 'utun3', 'Safari'), udp!.subarray(14)]), // LINKTYPE_RAW
    Buffer.concat([pktapHeader(112, 1, 1), udp!]), // a longer header: the frame starts after it
    Buffer.concat([pktapHeader(108, 2, 1), udp!]), // not a packet record: nothing after the header
    Buffer.concat([pktapHeader(40, 1, 1), udp!]), // under 108 bytes: "Header length is too short"
    Buffer.concat([pktapHeader(108, 1, 4000), udp!]), // a link type nobody knows
    pktapHeader(108, 1, 1).subarray(0, 60), // the header cut short
  ];
  for (const linkType of [258, 149]) {
    const file = path.join(tmp, `built-${linkType}.pcap`);
    writeLinkType(file, linkType, frames);
    assertAgrees(file, ['pktap', 'pktap.rectype == 1', 'pktap.dlt == 12', 'pktap.cmdname == "Safari"', 'udp.dstport == 9', 'pktap.hdrlen < 108', 'user_dlt']);
  }
});
