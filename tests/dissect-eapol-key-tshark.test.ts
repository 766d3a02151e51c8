/**
 * EAPOL-Key frames against tshark 4.0: the RC4 descriptor of 802.1X-2001, the WPA and RSN
 * descriptors of the 4-way and group key handshakes (message numbers and Info), their key data as
 * 802.11 elements (RSN IE with PMKIDs and a group management suite, the WPA IE, GTK and PMKID
 * KDEs), and the same elements in beacons. The corpus's handshakes and frames this test builds
 * for the other branches (group messages, requests, message 4 with padding, encrypted and group
 * key data, extraneous bytes, a body cut short), compared as summary lines, -V and -T fields; the
 * OUI lines of the corpus files (vendor names cut at 31 characters as Wireshark's buffer cuts them)
 * and management frames' capability bits.
 * Skipped without tshark; the corpus part without the corpus.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { corpusLocation } from './support/corpus';
import { sievecap } from './support/sievecap';

const NO_TSHARK = spawnSync('tshark', ['--version']).status !== 0 ? 'tshark is not installed (apt-get install tshark)' : false;
const CORPUS = corpusLocation();
const FILES = [
  'chrissanders-packets/3e80211_wpaauth.pcapng',
  'chrissanders-packets/3e80211_wpaauthfail.pcapng',
  'libpcap/tests/filter/wpa2linkuppassphraseiswireshark.pcap',
  'libpcap/tests/filter/wpa-Induction.pcap',
  'tcpdump/tests/eapon1.pcap',
  'chrissanders-packets/80211beacon.pcapng',
].map((name) => path.join(CORPUS.dir, name));
const NO_CORPUS = NO_TSHARK || (FILES.every((f) => fs.existsSync(f)) ? false : `the shared corpus is missing: looked in ${CORPUS.dir} (${CORPUS.from})`);
const ENV = { ...process.env, TZ: 'UTC' };
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-eapol-key-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const FIELDS = [
  'eapol.keydes.type', 'wlan_rsna_eapol.keydes.msgnr', 'wlan_rsna_eapol.keydes.key_info', 'wlan_rsna_eapol.keydes.key_info.keydes_version',
  'wlan_rsna_eapol.keydes.key_info.key_type', 'wlan_rsna_eapol.keydes.key_info.install', 'wlan_rsna_eapol.keydes.key_info.key_ack',
  'wlan_rsna_eapol.keydes.key_info.key_mic', 'wlan_rsna_eapol.keydes.key_info.secure', 'wlan_rsna_eapol.keydes.key_info.encrypted_key_data',
  'eapol.keydes.key_len', 'eapol.keydes.replay_counter', 'wlan_rsna_eapol.keydes.nonce', 'wlan_rsna_eapol.keydes.mic',
  'wlan_rsna_eapol.keydes.data_len', 'wlan_rsna_eapol.keydes.data', 'eapol.keydes.key_index', 'eapol.keydes.key_signature',
  'eapol.keydes.key', 'eapol.keydes.key.generated_locally', 'wlan.tag.number', 'wlan.tag.oui', 'wlan.tag.vendor.oui.type',
  'wlan.rsn.version', 'wlan.rsn.gcs', 'wlan.rsn.gcs.type', 'wlan.rsn.pcs.count', 'wlan.rsn.pcs', 'wlan.rsn.akms', 'wlan.rsn.akms.type',
  'wlan.rsn.capabilities', 'wlan.rsn.capabilities.ptksa_replay_counter', 'wlan.rsn.capabilities.mfpc', 'wlan.rsn.pmkid.count',
  'wlan.pmkid.akms', 'wlan.rsn.gmcs.type', 'wlan.rsn.ie.kde.data_type', 'wlan.rsn.ie.pmkid', 'wlan.rsn.ie.gtk_kde.key_id',
  'wlan.rsn.ie.gtk_kde.gtk', 'wlan.wfa.ie.type', 'wlan.wfa.ie.wpa.version', 'wlan.wfa.ie.wpa.mcs.type', 'wlan.wfa.ie.wpa.ucs.type',
  'wlan.wfa.ie.wpa.type', 'wlan.fixed.capabilities', 'wlan.fixed.capabilities.ess', 'wlan.fixed.capabilities.privacy',
  'wlan.fixed.capabilities.short_slot_time', 'wlan.fixed.capabilities.reserved1', '_ws.col.Info',
];

function tshark(args: string[]): string {
  const r = spawnSync('tshark', args, { encoding: 'utf8', env: ENV, maxBuffer: 64 << 20 });
  assert.equal(r.status, 0, `tshark ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

function ours(args: string[]): string {
  const r = sievecap(args);
  assert.equal(r.status, 0, `sievecap ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.toString();
}

/** The lines of each 802.1X tree (its heading and everything indented under it) in a -V text. */
function eapolTrees(text: string): string[] {
  const out: string[] = [];
  let inside = false;
  for (const line of text.split('\n')) {
    if (!line.startsWith(' ')) inside = line.startsWith('802.1X Authentication');
    if (inside) out.push(line);
  }
  return out;
}

/** The lines of each RSN or vendor specific element ("Tag: RSN Information", "Tag: Vendor Specific…") in a -V text. */
function securityTags(text: string): string[] {
  const out: string[] = [];
  let depth = -1;
  for (const line of text.split('\n')) {
    const indent = line.length - line.trimStart().length;
    if (depth >= 0 && indent <= depth) depth = -1;
    if (depth < 0 && /^\s*Tag: (RSN Information|Vendor Specific: (Ieee 802.11|Microsoft Corp.): (WPA|RSN))/.test(line)) depth = indent;
    if (depth >= 0) out.push(line);
  }
  return out;
}

function compareFile(file: string, label: string): void {
  const fields = FIELDS.flatMap((f) => ['-e', f]);
  assert.deepEqual(ours(['-r', file, '-Y', 'eapol', '-T', 'text']).split('\n'), tshark(['-r', file, '-Y', 'eapol']).split('\n'), `${label}: summary lines`);
  const theirV = tshark(['-r', file, '-V']);
  const ourV = ours(['-r', file, '-V']);
  assert.deepEqual(eapolTrees(ourV), eapolTrees(theirV), `${label}: the 802.1X trees`);
  assert.deepEqual(securityTags(ourV), securityTags(theirV), `${label}: RSN, WPA and KDE elements`);
  // OUIs with their vendors' names, cut where Wireshark's 32-byte buffer cuts them.
  // (Of the vendors Sievecap names: Wireshark's manuf file has tens of thousands.)
  const known = ['00:00:00', '00:0f:ac', '00:50:f2', '00:90:4c', '00:10:18', '00:03:7f', '50:6f:9a', '00:17:f2', '00:40:96', '00:0b:86'];
  const ouiLines = (text: string): string[] => text.split('\n').filter((line) => /OUI: |Organization Code: /.test(line) && known.some((oui) => line.includes(`: ${oui}`)));
  assert.deepEqual(ouiLines(ourV), ouiLines(theirV), `${label}: OUI lines`);
  // Management frames' Capabilities Information with its sixteen bits.
  const capabilities = (text: string): string[] => {
    const lines = text.split('\n');
    return lines.flatMap((line, i) => (line.includes('Capabilities Information:') ? lines.slice(i, i + 17) : []));
  };
  assert.deepEqual(capabilities(ourV), capabilities(theirV), `${label}: capability bits`);
  assert.deepEqual(ours(['-r', file, '-T', 'fields', ...fields]).split('\n'), tshark(['-r', file, '-T', 'fields', ...fields]).split('\n'), `${label}: fields`);
}

test('EAPOL-Key on the corpus: handshakes, RC4 keys and the elements of beacons and key data as tshark', { skip: NO_CORPUS }, () => {
  for (const file of FILES) compareFile(file, path.basename(file));
});

// ---- built frames ------------------------------------------------------------------------------

const hexBytes = (text: string): Buffer => Buffer.from(text.replace(/\s/g, ''), 'hex');

/** An RSN IE: CCMP group and pairwise, PSK and SAE, capabilities with MFP capable, a PMKID, BIP as group management suite. */
const RSN_IE = hexBytes(`30 2e 0100 000fac04 0100 000fac04 0200 000fac02 000fac08 8000 0100 ${'11'.repeat(16)} 000fac06`);
/** An RSN IE whose pairwise count (9) runs past it (the rest of it read as suites, one of another OUI). */
const RSN_IE_BAD_COUNTS = hexBytes(`30 2a 0100 000fac04 0900 000fac04 00904c02 0100 000fac02 0000 0300 ${'44'.repeat(16)}`);
/** KDEs: a GTK KDE (key ID 1, Tx) and a PMKID KDE. */
const GTK_KDE = hexBytes(`dd 16 000fac 01 0500 ${'22'.repeat(16)}`);
const PMKID_KDE = hexBytes(`dd 14 000fac 04 ${'33'.repeat(16)}`);
/** A WPA IE: TKIP multicast, TKIP and CCMP unicast, PSK. */
const WPA_IE = hexBytes('dd 1c 0050f2 01 0100 0050f202 0200 0050f202 0050f204 0100 0050f202 0000');

/** Ethernet + EAPOL-Key (WPA/RSN descriptor) with the given key information and key data. */
function keyFrame(descriptor: number, info: number, keyData: Buffer, options: { dataLength?: number; cut?: number; nonceByte?: number } = {}): Buffer {
  const body = Buffer.alloc(95);
  body[0] = descriptor;
  body.writeUInt16BE(info, 1);
  body.writeUInt16BE(16, 3);
  body.writeBigUInt64BE(7n, 5);
  body.fill(options.nonceByte ?? 0xab, 13, 45);
  body.fill(0xcd, 77, 93);
  body.writeUInt16BE(options.dataLength ?? keyData.length, 93);
  let eapolBody = Buffer.concat([body, keyData]);
  if (options.cut !== undefined) eapolBody = eapolBody.subarray(0, options.cut);
  const eapol = Buffer.concat([Buffer.from([2, 3, eapolBody.length >> 8, eapolBody.length & 0xff]), eapolBody]);
  return Buffer.concat([hexBytes('020000000002 020000000001 888e'), eapol]);
}

function pcapOf(frames: Buffer[]): Buffer {
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b2c3d4, 0);
  header.writeUInt16LE(2, 4);
  header.writeUInt16LE(4, 6);
  header.writeUInt32LE(65535, 16);
  header.writeUInt32LE(1, 20);
  return Buffer.concat([header, ...frames.map((frame, i) => {
    const rec = Buffer.alloc(16);
    rec.writeUInt32LE(1_700_000_000 + i, 0);
    rec.writeUInt32LE(frame.length, 8);
    rec.writeUInt32LE(frame.length, 12);
    return Buffer.concat([rec, frame]);
  })]);
}

test('EAPOL-Key frames for every branch of the message numbering and key data, built: as tshark', { skip: NO_TSHARK }, () => {
  const PAIRWISE = 0x0008;
  const INSTALL = 0x0040;
  const ACK = 0x0080;
  const MIC = 0x0100;
  const SECURE = 0x0200;
  const ERROR = 0x0400;
  const REQUEST = 0x0800;
  const ENCRYPTED = 0x1000;
  const frames = [
    keyFrame(2, 2 | PAIRWISE | ACK, PMKID_KDE), // message 1 with a PMKID KDE
    keyFrame(2, 2 | PAIRWISE | MIC, RSN_IE), // message 2 with the RSN IE
    keyFrame(2, 2 | PAIRWISE | INSTALL | ACK | MIC | SECURE | ENCRYPTED, Buffer.alloc(56, 0x5a)), // message 3, encrypted
    keyFrame(2, 2 | PAIRWISE | MIC | SECURE, Buffer.alloc(0), { nonceByte: 0 }), // message 4
    keyFrame(2, 2 | PAIRWISE | MIC | SECURE | ENCRYPTED, Buffer.alloc(12, 0x44)), // message 4 with 12 bytes of key data
    keyFrame(2, 2 | PAIRWISE | MIC | SECURE, Buffer.concat([GTK_KDE, PMKID_KDE])), // message 2 by its data, unencrypted KDEs
    keyFrame(2, 2 | ACK | MIC | SECURE | ENCRYPTED, Buffer.alloc(40, 0x77)), // group message 1
    keyFrame(2, 2 | MIC | SECURE, Buffer.alloc(0)), // group message 2
    keyFrame(254, 1 | ACK | MIC | SECURE, GTK_KDE), // WPA group message 1: group key data shown as bytes
    keyFrame(2, 2 | PAIRWISE | MIC | REQUEST, Buffer.alloc(0)), // a request
    keyFrame(2, 2 | MIC | REQUEST | ERROR, Buffer.alloc(0)), // a request reporting a MIC failure
    keyFrame(254, 1 | PAIRWISE | MIC, WPA_IE), // WPA message 2 with the WPA IE
    keyFrame(2, 2 | PAIRWISE | MIC, RSN_IE, { dataLength: 10 }), // a data length shorter than the element
    keyFrame(2, 2 | PAIRWISE | ACK, Buffer.alloc(0), { cut: 60 }), // a body cut short
    keyFrame(2, 0 | PAIRWISE | ACK, Buffer.alloc(0)), // descriptor version 0
    keyFrame(2, 2 | PAIRWISE | MIC, RSN_IE_BAD_COUNTS), // counts past the element
    keyFrame(2, 2 | PAIRWISE | MIC, Buffer.concat([RSN_IE, hexBytes('dd 05 0050f2 08 00')])), // Microsoft's element of an unknown type
  ];
  const file = path.join(tmp, 'eapol-keys.pcap');
  fs.writeFileSync(file, pcapOf(frames));
  const fields = FIELDS.flatMap((f) => ['-e', f]);
  assert.deepEqual(ours(['-r', file, '-T', 'text']).split('\n'), tshark(['-r', file]).split('\n'), 'summary lines');
  const theirV = tshark(['-r', file, '-V']);
  assert.equal(eapolTrees(theirV).filter((l) => l.startsWith('802.1X')).length, frames.length);
  assert.deepEqual(eapolTrees(ours(['-r', file, '-V'])), eapolTrees(theirV), '-V');
  assert.deepEqual(ours(['-r', file, '-T', 'fields', ...fields]).split('\n'), tshark(['-r', file, '-T', 'fields', ...fields]).split('\n'), 'fields');
});
