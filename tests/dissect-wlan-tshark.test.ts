/**
 * Radiotap, wlan_radio and IEEE 802.11 against tshark: `-T fields` of frame.protocols, the main
 * radiotap.*, wlan_radio.* and wlan.* fields and the columns, and the summary line (`-T text`), on
 * frames this test builds (link types 127 and 105) and on 802.11 captures of the shared corpus.
 * Skipped when tshark is not installed.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PcapWriter } from '../app/pcap/pcap-writer';
import { assertFrameSelectionsAgree } from './support/agree';
import { sievecap } from './support/sievecap';
import { requireCorpusFile } from './support/corpus';

const NO_TSHARK = spawnSync('tshark', ['--version']).status !== 0 ? 'tshark is not installed (apt-get install tshark)' : false;

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-wlan-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const FIELDS = [
  'frame.protocols', 'radiotap.version', 'radiotap.length', 'radiotap.present.word', 'radiotap.present.tsft', 'radiotap.present.ext',
  'radiotap.mactime', 'radiotap.flags', 'radiotap.flags.fcs', 'radiotap.flags.preamble', 'radiotap.datarate', 'radiotap.channel.freq',
  'radiotap.channel.flags', 'radiotap.dbm_antsignal', 'radiotap.dbm_antnoise', 'radiotap.antenna', 'radiotap.db_antsignal',
  'radiotap.quality', 'radiotap.rxflags', 'wlan_radio.phy', 'wlan_radio.short_preamble', 'wlan_radio.data_rate', 'wlan_radio.channel',
  'wlan_radio.frequency', 'wlan_radio.signal_dbm', 'wlan_radio.noise_dbm', 'wlan_radio.signal_db', 'wlan_radio.snr', 'wlan_radio.timestamp',
  'wlan.fc.type_subtype', 'wlan.fc', 'wlan.fc.type', 'wlan.fc.subtype', 'wlan.flags', 'wlan.fc.ds', 'wlan.fc.retry', 'wlan.fc.protected',
  'wlan.duration', 'wlan.ra', 'wlan.ta', 'wlan.da', 'wlan.sa', 'wlan.bssid', 'wlan.addr', 'wlan.staa', 'wlan.frag', 'wlan.seq', 'wlan.qos',
  'wlan.qos.tid', 'wlan.fcs', 'wlan.fixed.beacon', 'wlan.fixed.capabilities', 'wlan.fixed.timestamp', 'wlan.fixed.auth.alg',
  'wlan.fixed.status_code', 'wlan.fixed.reason_code', 'wlan.tag.number', 'wlan.tag.length', 'wlan.supported_rates',
  'wlan.ds.current_channel', 'wlan.tim.dtim_count', 'wlan.wep.iv', 'wlan.wep.icv', 'wlan.ccmp.extiv', 'data.len',
  '_ws.col.Protocol', '_ws.col.Info', '_ws.col.Source', '_ws.col.Destination',
];

/** The frames of app/dissect/wlan.test.ts (checked with tshark -V), plus an RTS with a short preamble. */
const RADIOTAP = '000010002e08000010028509a000d801';
const FRAMES_127 = [
  `${RADIOTAP}80000000ffffffffffff020000000001020000000001204de80300000000000064001104000474657374010482848b960301060504000100002a0102deadbeef`,
  `${RADIOTAP}d4000000020000000002deadbeef`,
  '000010002e08000012168509a000d801b4002c00020000000001020000000002deadbeef',
  '000020006f000080000000000000000015cd5b0700000000100c3c144001cea688012c00020000000001020000000002ffffffffffff10020500aaaa03000000080600010800060400010200000000020a0000020000000000000a000001deadbeef',
  '000010002e080000106c8509c000d80108422c0002000000000202000000000102000000000130060100002000000000000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f2021222324252627deadbeef',
  '000010002e08000000028509a000d801b00000000200000000010200000000020200000000018000000001000000',
  // An unknown protocol version (3): the rest is Data in the 802.11 tree, then the FCS.
  `${RADIOTAP}0b00${'a5'.repeat(24)}deadbeef`,
  // CF-End: receiver address and BSSID (a locally administered one, which has no name).
  `${RADIOTAP}e4000000ffffffffffff061f334528a0deadbeef`,
];
const FRAMES_105 = [
  '40000000ffffffffffff020000000002ffffffffffff7000000001020204',
  'b00000000200000000010200000000020200000000018000000001000000',
  'd4000000020000000002',
  '88012c00020000000001020000000002ffffffffffff10020500aaaa03000000080600010800060400010200000000020a0000020000000000000a000001',
];

/** Corpus captures whose 802.11 frames agree with tshark on every field above. */
const CORPUS_FILES = [
  'tcpdump/tests/status_code-25.pcap', 'tcpdump/tests/reason_code-3.pcap', 'chrissanders-packets/3e80211_wepauth.pcapng',
  'chrissanders-packets/80211beacon.pcapng', 'libpcap/tests/filter/Network_Join_Nokia_Mobile.pcap',
];

function writeFrames(name: string, linkType: number, frames: readonly string[]): string {
  const file = path.join(tmp, name);
  const writer = new PcapWriter(file, { linkType, snapLen: 65535 });
  frames.forEach((hex, i) => writer.writePacket({ tsNs: BigInt(i) * 1_000_000_000n, data: Buffer.from(hex, 'hex') }));
  writer.close();
  return file;
}

function tshark(file: string, args: string[]): string {
  const r = spawnSync('tshark', ['-r', file, '-n', ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

function ours(file: string, args: string[]): string {
  const r = sievecap(['-r', file, '-n', ...args]);
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.toString();
}

function assertAgrees(file: string): void {
  const fields = ['-T', 'fields', '-E', 'header=y', '-E', 'occurrence=a', ...FIELDS.flatMap((f) => ['-e', f])];
  assert.equal(ours(file, fields), tshark(file, fields), `-T fields of ${path.basename(file)}`);
  assert.equal(ours(file, ['-T', 'text']), tshark(file, []), `summary lines of ${path.basename(file)}`);
}

test('built radiotap (127) frames agree with tshark 4.0', { skip: NO_TSHARK }, () => {
  assertAgrees(writeFrames('radiotap.pcap', 127, FRAMES_127));
});

test('an unknown protocol version and a CF-End: -V, and summary lines with names resolved, as tshark 4.0', { skip: NO_TSHARK }, () => {
  const file = writeFrames('radiotap-verbose.pcap', 127, FRAMES_127.slice(-2));
  assert.equal(ours(file, ['-V']), tshark(file, ['-V']));
  const named = (tool: 'tshark' | 'sievecap'): string => {
    const r = tool === 'tshark' ? spawnSync('tshark', ['-r', file], { encoding: 'utf8' }) : sievecap(['-r', file, '-T', 'text']);
    assert.equal(r.status, 0, String(r.stderr));
    return r.stdout.toString();
  };
  assert.equal(named('sievecap'), named('tshark'));
});

test('built 802.11 (105) frames agree with tshark 4.0', { skip: NO_TSHARK }, () => {
  assertAgrees(writeFrames('wlan.pcap', 105, FRAMES_105));
});

test('802.11 corpus captures agree with tshark 4.0', { skip: NO_TSHARK }, () => {
  for (const relative of CORPUS_FILES) assertAgrees(requireCorpusFile(relative));
});

test('display filters on 802.11 fields select the frames tshark selects', { skip: NO_TSHARK }, () => {
  const file = writeFrames('filter.pcap', 127, FRAMES_127);
  assertFrameSelectionsAgree(file, ['wlan.fc.type_subtype == 8', 'wlan.ssid', 'radiotap.flags.fcs == 1 && wlan.fc.type == 1', 'wlan_radio.phy == 5', 'llc']);
});
