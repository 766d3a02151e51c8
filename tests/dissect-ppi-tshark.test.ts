/**
 * PPI (LINKTYPE_PPI, 192), against tshark 4.0: the header, its 802.11-Common, 802.11n MAC and
 * MAC+PHY fields (invalid values marked, a field of the wrong length, unknown fields as bytes),
 * the "802.11 radio information" derived from them (HT rates, air time with Wireshark's
 * assumptions, IFS from the frame before), 802.11 QoS control as a station and an AP send it, and
 * a PPI header in front of Ethernet. Frames this test builds, and the corpus's http_PPI.pcap
 * (libpcap's filter tests), compared as summary lines, -V, -T json, -T pdml and fields.
 * Skipped when tshark is not installed; the corpus file needs the shared corpus.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PcapWriter } from '../app/pcap/pcap-writer';
import { requireCorpusDir } from './support/corpus';
import { sievecap } from './support/sievecap';

const NO_TSHARK = spawnSync('tshark', ['--version']).status !== 0 ? 'tshark is not installed (apt-get install tshark)' : false;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-ppi-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

function field(type: number, body: Buffer): Buffer {
  const h = Buffer.alloc(4);
  h.writeUInt16LE(type, 0);
  h.writeUInt16LE(body.length, 2);
  return Buffer.concat([h, body]);
}

function common(o: { tsft: bigint; flags: number; rate: number; freq: number; chan: number; signal: number; noise: number }): Buffer {
  const f = Buffer.alloc(20);
  f.writeBigUInt64LE(o.tsft, 0);
  f.writeUInt16LE(o.flags, 8);
  f.writeUInt16LE(o.rate, 10);
  f.writeUInt16LE(o.freq, 12);
  f.writeUInt16LE(o.chan, 14);
  f.writeInt8(o.signal, 18);
  f.writeInt8(o.noise, 19);
  return field(2, f);
}

function nMac(flags: number, ampdu: number): Buffer {
  const f = Buffer.alloc(12);
  f.writeUInt32LE(flags, 0);
  f.writeUInt32LE(ampdu, 4);
  return field(3, f);
}

function nMacPhy(flags: number, mcs: number, streams: number): Buffer {
  const f = Buffer.alloc(48);
  f.writeUInt32LE(flags, 0);
  f.writeUInt32LE(7, 4);
  f[9] = mcs;
  f[10] = streams;
  Buffer.from([40, 34, 34, 30, 255, 36, 39, 33, 255]).copy(f, 11);
  f.writeUInt16LE(2442, 20);
  f.writeUInt16LE(0x00c0, 22);
  Buffer.from([-62, -96, -62, -96, -66, -96, -128, -128].map((v) => v & 0xff)).copy(f, 24);
  f.writeUInt32LE(487788822, 32);
  f.writeUInt32LE(370610453, 36);
  return field(4, f);
}

function ppi(fields: Buffer[], dlt: number, payload: Buffer): Buffer {
  const body = Buffer.concat(fields);
  const h = Buffer.alloc(8);
  h.writeUInt16LE(8 + body.length, 2);
  h.writeUInt32LE(dlt, 4);
  return Buffer.concat([h, body, payload]);
}

function checksum(bytes: Buffer): number {
  let sum = 0;
  for (let k = 0; k + 1 < bytes.length; k += 2) sum += bytes.readUInt16BE(k);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

function ipv4Udp(payload: Buffer): Buffer {
  const ip = Buffer.alloc(20);
  ip[0] = 0x45;
  ip.writeUInt16BE(28 + payload.length, 2);
  ip[8] = 64;
  ip[9] = 17;
  Buffer.from([192, 168, 1, 132]).copy(ip, 12);
  Buffer.from([192, 168, 1, 1]).copy(ip, 16);
  ip.writeUInt16BE(checksum(ip), 10);
  const udp = Buffer.alloc(8);
  udp.writeUInt16BE(40000, 0);
  udp.writeUInt16BE(9, 2);
  udp.writeUInt16BE(8 + payload.length, 4);
  return Buffer.concat([ip, udp, payload]);
}

const STA = Buffer.from('0014a5cb6e1a', 'hex');
const AP = Buffer.from('0014a5cd747b', 'hex');
const ROUTER = Buffer.from('00010227f9b2', 'hex');

/** An 802.11 QoS data frame: To DS (station to AP) or From DS (AP to station), LLC/SNAP, IPv4, UDP, and an FCS. */
function qosData(fromDs: boolean, seq: number): Buffer {
  const h = Buffer.alloc(26);
  h[0] = 0x88;
  h[1] = fromDs ? 0x02 : 0x01;
  h.writeUInt16LE(44, 2);
  (fromDs ? STA : AP).copy(h, 4);
  (fromDs ? AP : STA).copy(h, 10);
  ROUTER.copy(h, 16);
  h.writeUInt16LE(seq << 4, 22);
  h.writeUInt16LE(fromDs ? 0x0200 : 0x0000, 24);
  const llc = Buffer.from('aaaa030000000800', 'hex');
  return Buffer.concat([h, llc, ipv4Udp(Buffer.from('ppi test payload')), Buffer.from('01020304', 'hex')]);
}

function ack(to: Buffer): Buffer {
  return Buffer.concat([Buffer.from([0xd4, 0x00, 0x00, 0x00]), to, Buffer.from('c14359c2', 'hex')]);
}

function frames(): Buffer[] {
  const base = { flags: 0x0001, freq: 2422, chan: 0x00c0, signal: -56, noise: -96 };
  const ether = Buffer.concat([ROUTER, STA, Buffer.from([0x08, 0x00]), ipv4Udp(Buffer.from('over ethernet'))]);
  return [
    // HT with MAC+PHY: rate from the MCS, air time assuming no STBC and BCC.
    ppi([common({ ...base, tsft: 4090330723n, rate: 600 }), nMacPhy(0x06, 15, 2)], 105, qosData(false, 3802)),
    // An OFDM channel at a CCK rate: 802.11b, a short preamble assumed; IFS from the frame before.
    ppi([common({ ...base, tsft: 4090330774n, rate: 4, signal: -65 })], 105, ack(STA)),
    ppi([common({ ...base, tsft: 4090331945n, rate: 4, signal: -57 })], 105, qosData(true, 3302)),
    // 802.11a/g at 24 Mb/s, the 802.11n MAC field alone (no MCS: no HT rate), an unknown field, no FCS flag.
    ppi([common({ ...base, flags: 0, tsft: 4090332212n, rate: 48, chan: 0x0140, freq: 5180 }), nMac(0x05, 9), field(51918, Buffer.from('private!'))], 105, qosData(false, 3303).subarray(0, -4)),
    // Values the fields mark invalid, and a field of the wrong length.
    ppi([common({ ...base, tsft: 0n, rate: 0, freq: 0, signal: -128, noise: -128 }), field(4, Buffer.alloc(12))], 105, ack(AP)),
    // PPI in front of Ethernet.
    ppi([field(7, Buffer.from([1, 2, 3, 4]))], 1, ether),
  ];
}

function tsharkOf(file: string) {
  return (args: string[]): string => {
    const r = spawnSync('tshark', ['-r', file, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout;
  };
}

const OUTPUTS = [['-T', 'text'], ['-V'], ['-q', '-z', 'expert'], ['-T', 'json'], ['-T', 'fields', '-e', 'frame.protocols', '-e', 'ppi.80211-common.rate', '-e', 'wlan_radio.phy', '-e', 'wlan_radio.data_rate', '-e', 'wlan_radio.duration', '-e', 'wlan_radio.ifs', '-e', 'wlan_radio.preamble', '-e', '_ws.expert.message', '-e', 'wlan.addr', '-e', 'wlan.qos.ps_buf_state', '-e', 'udp.dstport']];

test('PPI frames built here: header, fields, radio information and what follows, as tshark shows them', { skip: NO_TSHARK }, () => {
  const file = path.join(tmp, 'ppi.pcap');
  const writer = new PcapWriter(file, { linkType: 192, snapLen: 65535 });
  frames().forEach((data, k) => writer.writePacket({ tsNs: 1_700_000_000_000_000_000n + BigInt(k) * 1_000_000n, data }));
  writer.close();
  const tshark = tsharkOf(file);
  const summary = tshark([]);
  assert.match(summary, /over|UDP|Ethernet/);
  for (const args of OUTPUTS) {
    const theirs = args[1] === 'text' ? summary : tshark(args);
    assert.equal(sievecap(['-r', file, ...args]).stdout.toString(), theirs, args.join(' '));
  }
  // The fields name what was tested: an IFS, an assumption, an invalid-length expert.
  const fields = tshark(OUTPUTS[OUTPUTS.length - 1]!);
  assert.match(fields, /No preamble length information/);
  assert.match(fields, /Invalid length: 12/);
  assert.match(tshark(['-V']), /\[IFS: \d+µs\]/);
});

test('the corpus capture http_PPI.pcap: as tshark shows it', { skip: NO_TSHARK }, () => {
  const file = path.join(requireCorpusDir(), 'libpcap/tests/filter/http_PPI.pcap');
  const tshark = tsharkOf(file);
  for (const args of [...OUTPUTS, ['-T', 'pdml']]) {
    const theirs = args[1] === 'text' ? tshark([]) : tshark(args);
    const ours = sievecap(['-r', file, ...args]).stdout.toString();
    if (args[1] === 'pdml') assert.equal(ours.replace(/ time="[^"]*"/, ''), theirs.replace(/ time="[^"]*"/, ''), 'pdml');
    else assert.equal(ours, theirs, args.join(' '));
  }
});
