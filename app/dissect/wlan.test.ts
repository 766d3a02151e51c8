/**
 * Radiotap, wlan_radio and IEEE 802.11 on frames built here (link types 127 and 105). Expected
 * values are what tshark 4.0 prints for the same frames (`tshark -T fields -e ...`).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Dissector } from './dissector';
import { fieldText } from './test-fields';
import type { DissectedPacket, Field } from './model';

/** Radiotap with Flags (FCS at end), Rate, Channel, dBm antenna signal and Antenna, 16 bytes. */
const RADIOTAP = '000010002e08000010028509a000d801';
const FRAMES = {
  /** Beacon: SSID "test", rates, DS channel 6, TIM, ERP information; FCS. */
  beacon: `${RADIOTAP}80000000ffffffffffff020000000001020000000001204de80300000000000064001104000474657374010482848b960301060504000100002a0102deadbeef`,
  ack: `${RADIOTAP}d4000000020000000002deadbeef`,
  /** Radiotap with TSFT and an extended present bitmap (two words), 5 GHz OFDM; QoS Data to DS carrying LLC/SNAP ARP. */
  qosArp: '000020006f000080000000000000000015cd5b0700000000100c3c144001cea688012c00020000000001020000000002ffffffffffff10020500aaaa03000000080600010800060400010200000000020a0000020000000000000a000001deadbeef',
  /** Protected data from DS, CCMP header: stays data. */
  ccmp: '000010002e080000106c8509c000d80108422c0002000000000202000000000102000000000130060100002000000000000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f2021222324252627deadbeef',
  /** The radiotap header cut after 10 of its 16 bytes. */
  cut: '000010002e0800001002',
};
/** Link type 105 (no radio header, no FCS). */
const PROBE_105 = '40000000ffffffffffff020000000002ffffffffffff7000000001020204';

function dissect(hex: string, linkType = 127, options?: { fields?: ReadonlySet<string>; columns?: boolean }): DissectedPacket {
  const data = Buffer.from(hex, 'hex');
  return new Dissector().dissect({ number: 1, tsNs: 0n, data, origLen: data.length, linkType }, options);
}

test('radiotap header and common fields, wlan_radio, beacon with tagged parameters', () => {
  const p = dissect(FRAMES.beacon);
  assert.equal(fieldText(p, 'frame.protocols'), 'radiotap:wlan_radio:wlan');
  assert.equal(fieldText(p, 'radiotap.length'), '16');
  assert.equal(fieldText(p, 'radiotap.present.word'), '0x0000082e');
  assert.equal(fieldText(p, 'radiotap.flags.fcs'), '1');
  assert.equal(fieldText(p, 'radiotap.datarate'), '1');
  assert.equal(fieldText(p, 'radiotap.channel.freq'), '2437');
  assert.equal(fieldText(p, 'radiotap.channel.flags'), '0x00a0');
  assert.equal(fieldText(p, 'radiotap.dbm_antsignal'), '-40');
  assert.equal(fieldText(p, 'radiotap.antenna'), '1');
  assert.equal(fieldText(p, 'wlan_radio.phy'), '4');
  assert.equal(fieldText(p, 'wlan_radio.channel'), '6');
  assert.equal(fieldText(p, 'wlan_radio.signal_dbm'), '-40');
  assert.equal(fieldText(p, 'wlan_radio.duration'), '704');
  assert.equal(fieldText(p, 'wlan.fc.type_subtype'), '0x0008');
  assert.equal(fieldText(p, 'wlan.addr'), 'ff:ff:ff:ff:ff:ff,02:00:00:00:00:01,02:00:00:00:00:01');
  assert.equal(fieldText(p, 'wlan.seq'), '1234');
  assert.equal(fieldText(p, 'wlan.fcs'), '0xefbeadde');
  assert.equal(fieldText(p, 'wlan.fixed.beacon'), '100');
  assert.equal(fieldText(p, 'wlan.fixed.capabilities'), '0x0411');
  assert.equal(fieldText(p, 'wlan.tag.number'), '0,1,3,5,42');
  assert.equal(fieldText(p, 'wlan.ssid'), '74657374');
  assert.equal(fieldText(p, 'wlan.supported_rates'), '0x82,0x84,0x8b,0x96');
  assert.equal(fieldText(p, 'wlan.ds.current_channel'), '6');
  assert.equal(fieldText(p, 'wlan.tim.dtim_period'), '1');
  assert.equal(p.summary.protocol, '802.11');
  assert.equal(p.summary.info, 'Beacon frame, SN=1234, FN=0, Flags=........C, BI=100, SSID="test"');
  assert.equal(p.summary.source, '02:00:00:00:00:01');
});

test('control frame: columns name RA, Info has the flags only', () => {
  const p = dissect(FRAMES.ack);
  assert.equal(fieldText(p, 'wlan.fc.type_subtype'), '0x001d');
  assert.equal(fieldText(p, 'wlan.ra'), '02:00:00:00:00:02');
  assert.equal(p.summary.destination, '02:00:00:00:00:02 (RA)');
  assert.equal(p.summary.info, 'Acknowledgement, Flags=........C');
});

test('extended present bitmap, TSFT alignment, QoS data to LLC/SNAP', () => {
  const p = dissect(FRAMES.qosArp);
  assert.equal(fieldText(p, 'frame.protocols'), 'radiotap:wlan_radio:wlan:llc:arp');
  assert.equal(fieldText(p, 'radiotap.present.word'), '0x8000006f,0x00000000');
  assert.equal(fieldText(p, 'radiotap.mactime'), '123456789');
  assert.equal(fieldText(p, 'radiotap.dbm_antnoise'), '-90');
  assert.equal(fieldText(p, 'wlan_radio.phy'), '5');
  assert.equal(fieldText(p, 'wlan_radio.snr'), '40');
  assert.equal(fieldText(p, 'wlan.fc.ds'), '0x01');
  assert.equal(fieldText(p, 'wlan.bssid'), '02:00:00:00:00:01');
  assert.equal(fieldText(p, 'wlan.staa'), '02:00:00:00:00:02');
  assert.equal(fieldText(p, 'wlan.qos.tid'), '5');
  assert.equal(p.summary.protocol, 'ARP');
});

test('protected data: CCMP parameters, payload stays data', () => {
  const p = dissect(FRAMES.ccmp);
  assert.equal(fieldText(p, 'frame.protocols'), 'radiotap:wlan_radio:wlan:data');
  assert.equal(fieldText(p, 'wlan.ccmp.extiv'), '0x000000000001');
  assert.equal(fieldText(p, 'data.len'), '40');
  assert.equal(p.summary.info, 'Data, SN=99, FN=0, Flags=.p....F.C');
});

test('link type 105: no radio header, wildcard SSID', () => {
  const p = dissect(PROBE_105, 105);
  assert.equal(fieldText(p, 'frame.protocols'), 'wlan');
  assert.equal(p.summary.info, 'Probe Request, SN=7, FN=0, Flags=........, SSID=Wildcard (Broadcast)');
});

test('truncated radiotap is marked, never thrown; every prefix of every frame dissects', () => {
  const p = dissect(FRAMES.cut);
  assert.notEqual(p.status, 'ok');
  for (const hex of [...Object.values(FRAMES), PROBE_105]) {
    for (let n = 0; n <= hex.length; n += 2) {
      const q = dissect(hex.slice(0, n), hex === PROBE_105 ? 105 : 127);
      for (const l of q.layers) assert.ok(!(l.problem ?? '').startsWith('dissector error'), `${n / 2} bytes: ${l.problem}`);
    }
  }
});

test('no-tree mode builds only the selected fields', () => {
  const p = dissect(FRAMES.beacon, 127, { fields: new Set(['wlan.ssid']), columns: false });
  const built: string[] = [];
  const walk = (fields: Field[]) => fields.forEach((f) => { built.push(f.abbrev); if (f.children) walk(f.children); });
  p.layers.filter((l) => l.protocol !== 'frame').forEach((l) => walk(l.fields));
  assert.deepEqual(built, ['wlan.ssid']);
});

test('with MAC name resolution the address lines read "name (address)", as tshark -V prints them', () => {
  const data = Buffer.from(FRAMES.beacon, 'hex');
  const names: Record<string, string> = { 'ff:ff:ff:ff:ff:ff': 'Broadcast' };
  const p = new Dissector({ macName: (a) => names[a] ?? a }).dissect({ number: 1, tsNs: 0n, data, origLen: data.length, linkType: 127 });
  const labels = (fields: Field[]): string[] => fields.flatMap((f) => [f.label, ...labels(f.children ?? [])]);
  const wlan = labels(p.layers.find((l) => l.protocol === 'wlan')!.fields);
  assert.ok(wlan.includes('Receiver address: Broadcast (ff:ff:ff:ff:ff:ff)'), wlan.join('\n'));
  assert.ok(wlan.includes('Transmitter address: 02:00:00:00:00:01 (02:00:00:00:00:01)'), wlan.join('\n'));
});
