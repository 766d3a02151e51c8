/**
 * PPI, the Per-Packet Information header (LINKTYPE_PPI, 192: CACE/AirPcap and Kismet 802.11
 * captures), as tshark 4.0 shows it (packet-ppi.c): version, flags, little-endian length and the
 * DLT of what follows, then its fields, each a little-endian type and length: 802.11-Common (TSFT,
 * flags, rate, channel, FHSS, signal and noise), 802.11n MAC and MAC+PHY extensions (MCS, streams,
 * per-antenna RSSI, signal, noise and EVM), the others as bytes. What the fields say of the radio
 * becomes the "802.11 radio information" pseudo-layer (radiotap.ts dissectWlanRadio), then 802.11
 * (DLT 105) or the link type the header names.
 */
import { hex, LayerBuilder, dissectSafely } from './builder';
import type { Dissector } from './dissector';
import { bitPicture, bytesHex, bytesLabelHex } from './format';
import type { PacketState } from './packet-state';
import { addExpert } from './expert';
import { channelText, dissectWlanRadio, type RadioInfo } from './radiotap';
import { dissectWlanFrame } from './wlan';

export const LINKTYPE_PPI = 192;

const FIELD_TYPES: Record<number, string> = {
  2: '802.11-Common', 3: '802.11n MAC Extensions', 4: '802.11n MAC+PHY Extensions', 5: 'Spectrum-Map', 6: 'Process-Info',
  7: 'Capture-Info', 8: 'Aggregation Extension', 9: '802.3 Extension', 30000: 'Intel Corporation (private)',
  30001: 'Mohamed Thaga (private)', 30002: 'GPS Tagging', 30003: 'Vector Tagging', 30004: 'Sensor tagging',
  30005: 'Antenna Tagging', 49175: 'FlukeNetworks (private)', 51918: 'CACE Technologies (private)',
};

/** The fields packet-ppi.c shows as one bytes item: [abbrev, label]. */
const BASIC_FIELDS: Record<number, [string, string]> = {
  5: ['ppi.spectrum-map', 'Radio spectrum map'], 6: ['ppi.proc-info', 'Process information'], 7: ['ppi.cap-info', 'Capture information'],
  30002: ['ppi.gps', 'GPS'], 30003: ['ppi.vector', 'VECTOR'], 30004: ['ppi.harris', 'HARRIS'], 30005: ['ppi.antenna', 'ANTENNA'],
  49175: ['ppi.fnet', 'FNET'],
};

const CHANNEL_FLAGS: readonly [number, string, string][] = [
  [0x0010, 'turbo', 'Turbo'], [0x0020, 'cck', 'Complementary Code Keying (CCK)'], [0x0040, 'ofdm', 'Orthogonal Frequency-Division Multiplexing (OFDM)'],
  [0x0080, '2ghz', '2 GHz spectrum'], [0x0100, '5ghz', '5 GHz spectrum'], [0x0200, 'passive', 'Passive'],
  [0x0400, 'dynamic', 'Dynamic CCK-OFDM'], [0x0800, 'gfsk', 'Gaussian Frequency Shift Keying (GFSK)'],
];

const MAC_FLAGS: readonly [number, string, string, string, string][] = [
  [0x01, 'greenfield', 'Greenfield flag', 'True', 'False'], [0x02, 'ht20_40', 'HT20/HT40 flag', 'HT40', 'HT20'],
  [0x04, 'rx.short_guard_interval', 'RX Short Guard Interval (SGI) flag', 'True', 'False'], [0x08, 'rx.duplicate', 'Duplicate RX flag', 'True', 'False'],
  [0x10, 'agg', 'Aggregate flag', 'True', 'False'], [0x20, 'more_agg', 'More aggregates flag', 'True', 'False'],
  [0x40, 'delim_crc_error_after', 'A-MPDU Delimiter CRC error after this frame flag', 'True', 'False'],
];

/** What the PPI fields tell the radio layer and 802.11. */
interface PpiRadio {
  radio: RadioInfo;
  /** FCS length: 4 or 0 from 802.11-Common's flags, -1 when no field said. */
  fcsLength: number;
}

export function dissectPpi(d: Dissector, p: PacketState, data: Buffer, offset: number, end: number): void {
  const b = new LayerBuilder(data, 'ppi', 'PPI', offset, end, p.selection);
  const state: PpiRadio = { radio: {}, fcsLength: -1 };
  let length = 0;
  let dlt = -1;
  dissectSafely(b, () => {
    b.need(offset, 8, 'PPI header');
    const version = data[offset]!;
    const flags = data[offset + 1]!;
    length = data.readUInt16LE(offset + 2);
    dlt = data.readUInt32LE(offset + 4);
    b.title(() => `PPI version ${version}, ${length} bytes`);
    b.setLength(Math.min(length, end - offset));
    p.setProtocol('PPI', p.columns ? `PPI version ${version}, ${length} bytes` : '');
    b.add('ppi.version', () => `Version: ${version}`, version, offset, 1);
    b.group('ppi.flags', () => `Flags: ${hex(flags, 2)}`, flags, offset + 1, 1, () => {
      b.add('ppi.flags.alignment', () => `${bitPicture(flags, 0x01, 8)} = Alignment: ${flags & 1 ? '32-bit aligned' : 'Not aligned'}`, (flags & 1) !== 0, offset + 1, 1);
      b.add('ppi.flags.reserved', () => `${bitPicture(flags, 0xfe, 8)} = Reserved: ${hex(flags >> 1, 2)}`, flags >> 1, offset + 1, 1, () => hex(flags >> 1, 2));
    }, () => hex(flags, 2));
    b.add('ppi.length', () => `Header length: ${length}`, length, offset + 2, 2);
    b.add('ppi.dlt', () => `DLT: ${dlt}`, dlt, offset + 4, 4);
    let at = offset + 8;
    let left = length - 8;
    while (left > 0) {
      b.need(at, 4, 'PPI field header');
      const type = data.readUInt16LE(at);
      const fieldLength = data.readUInt16LE(at + 2) + 4;
      left -= fieldLength;
      ppiField(b, state, type, at, fieldLength);
      at += fieldLength;
      if (flags & 1) at += (4 - (at - offset) % 4) % 4;
    }
  });
  p.addLayer(b.layer);
  if (b.layer.status !== 'ok' || dlt < 0) return;
  const start = offset + length;
  if (start > Math.min(end, data.length)) return;
  if (dlt === 105) {
    const fcs = state.fcsLength === 4;
    // (Wireshark's PPI records say "no FCS" whatever the 802.11-Common flags say: the air time counts 4 bytes more.)
    dissectWlanRadio(d, p, data, state.radio, start, Math.max(0, end - start), 0);
    dissectWlanFrame(d, p, data, start, end, { fcs, dataPad: false });
    return;
  }
  // Other link types go through Wireshark's pcap_pktdata dissector: a name in frame.protocols, no tree item.
  p.protocols.push('pcap_pktdata');
  const next = d.linkTypes.get(dlt);
  if (next !== undefined && dlt !== LINKTYPE_PPI) next(d, p, data, start, end);
  else d.data(p, data, start, end);
}

/** One PPI field at `at`, `length` bytes with its 4-byte type and length. */
function ppiField(b: LayerBuilder, state: PpiRadio, type: number, at: number, length: number): void {
  const data = b.data;
  const header = (): void => {
    b.add('ppi.field_type', () => `Field type: ${FIELD_TYPES[type] ?? 'Unknown'} (${type})`, type, at, 2);
    b.add('ppi.field_len', () => `Field length: ${length - 4}`, length - 4, at + 2, 2);
  };
  const invalidLength = (expected: number, from: number, size: number): boolean => {
    if (size === expected) return false;
    // proto_tree_add_expert_format: a text item of its own, the expert under it.
    // (A Malformed-group error adds Wireshark's hidden malformed item beside it.)
    b.group('', `Invalid length: ${size}`, null, from, size, () => {
      addExpert(b, 'ppi.invalid_length', 'Error', 'Malformed', `Invalid length: ${size}`, from, size);
      b.add('_ws.malformed', 'Malformed Packet', 'Malformed Packet', from, 0, '_ws.malformed').hidden = true;
    });
    return true;
  };
  switch (type) {
    case 2:
      b.group('', '802.11-Common', null, at, length, () => {
        header();
        if (invalidLength(20, at + 4, length - 4)) return;
        common(b, state, at + 4);
      });
      return;
    case 3:
      b.group('', '802.11n MAC', null, at, length, () => {
        header();
        if (invalidLength(12, at + 4, length - 4)) return;
        nMac(b, state, at + 4, true);
      });
      return;
    case 4:
      b.group('', '802.11n MAC+PHY', null, at, length, () => {
        header();
        if (invalidLength(48, at + 4, length - 4)) return;
        nMac(b, state, at + 4, false);
        nMacPhy(b, state, at + 13);
      });
      return;
    default: {
      b.need(at, length, 'PPI field');
      const basic = BASIC_FIELDS[type] ?? ['ppi.reserved', 'Reserved'];
      b.add(basic[0], () => `${basic[1]}: ${bytesLabelHex(data, at, length)}`, data.subarray(at, at + length), at, length, () => bytesHex(data, at, length));
    }
  }
}

/** ptvcursor_add_invalid_check's " [invalid]" when the value is the field's "not known" value. */
const invalid = (value: number | bigint, none: number | bigint): string => (value === none ? ' [invalid]' : '');

function channelFlags(b: LayerBuilder, prefix: string, flags: number, at: number): void {
  b.group(`${prefix}.flags`, () => `Channel flags: ${hex(flags, 4)}`, flags, at, 2, () => {
    for (const [bit, name, label] of CHANNEL_FLAGS) {
      b.add(`${prefix}.flags.${name}`, () => `${bitPicture(flags, bit, 16)} = ${label}: ${flags & bit ? 'True' : 'False'}`, (flags & bit) !== 0, at, 2);
    }
  }, () => hex(flags, 4));
}

function common(b: LayerBuilder, state: PpiRadio, at: number): void {
  const data = b.data;
  b.need(at, 20, 'PPI 802.11-Common field');
  const radio = state.radio;
  const tsft = data.readBigUInt64LE(at);
  b.add('ppi.80211-common.tsft', () => `TSFT: ${tsft}${invalid(tsft, 0n)}`, tsft.toString(), at, 8);
  if (tsft !== 0n) radio.tsft = tsft;
  const flags = data.readUInt16LE(at + 8);
  state.fcsLength = flags & 0x0001 ? 4 : 0;
  b.group('ppi.80211-common.flags', () => `Flags: ${hex(flags, 4)}`, flags, at + 8, 2, () => {
    const bits: readonly [number, string, string, string, string][] = [
      [0x1, 'fcs', 'FCS present flag', 'Present', 'Absent'], [0x2, 'tsft', 'TSFT flag', 'milliseconds', 'microseconds'],
      [0x4, 'fcs-invalid', 'FCS validity', 'Invalid', 'Valid'], [0x8, 'phy-err', 'PHY error flag', 'PHY error', 'No errors'],
    ];
    for (const [bit, name, label, on, off] of bits) {
      b.add(`ppi.80211-common.flags.${name}`, () => `${bitPicture(flags, bit, 16)} = ${label}: ${flags & bit ? on : off}`, (flags & bit) !== 0, at + 8, 2);
    }
  }, () => hex(flags, 4));
  const rate = data.readUInt16LE(at + 10);
  if (rate !== 0) radio.rate = rate;
  const kbps = rate * 500;
  b.add('ppi.80211-common.rate', () => `Rate: ${(kbps / 1000).toFixed(1)} Mbps${kbps === 0 ? ' [invalid]' : ''}`, kbps, at + 10, 2);
  const freq = data.readUInt16LE(at + 12);
  if (freq !== 0) radio.freq = freq;
  b.add('ppi.80211-common.chan.freq', () => `Channel frequency: ${channelText(freq)}`, freq, at + 12, 2);
  const chanFlags = data.readUInt16LE(at + 14);
  radio.channelFlags = chanFlags;
  // packet-ppi.c's channel types: pure and dynamic-CCK 11g have no proprietary mode, 108 Mb/s pure 11g Super G.
  const kind = chanFlags & 0x2df0;
  if (kind === 0x00c0 || kind === 0x0480) radio.mode11g = 0;
  else if (kind === 0x00d0) radio.mode11g = 1;
  channelFlags(b, 'ppi.80211-common.chan', chanFlags, at + 14);
  b.add('ppi.80211-common.fhss.hopset', () => `FHSS hopset: ${hex(data[at + 16]!, 2)}`, data[at + 16]!, at + 16, 1, () => hex(data[at + 16]!, 2));
  b.add('ppi.80211-common.fhss.pattern', () => `FHSS pattern: ${hex(data[at + 17]!, 2)}`, data[at + 17]!, at + 17, 1, () => hex(data[at + 17]!, 2));
  const signal = data.readInt8(at + 18);
  const noise = data.readInt8(at + 19);
  if (signal !== -128 && signal !== 0) radio.dbmSignal = signal;
  if (noise !== -128 && noise !== 0) radio.dbmNoise = noise;
  b.add('ppi.80211-common.dbm.antsignal', () => `dBm antenna signal: ${signal}${invalid(signal, -128)}`, signal, at + 18, 1);
  b.add('ppi.80211-common.dbm.antnoise', () => `dBm antenna noise: ${noise}${invalid(noise, -128)}`, noise, at + 19, 1);
}

/** The 802.11n MAC extension: flags, A-MPDU id and delimiters (the reserved bytes only as a field of its own). */
function nMac(b: LayerBuilder, state: PpiRadio, at: number, reserved: boolean): void {
  const data = b.data;
  b.need(at, 12, 'PPI 802.11n MAC field');
  const flags = data.readUInt32LE(at);
  const ht = (state.radio.ht ??= {});
  ht.shortGi = (flags & 0x04) !== 0;
  ht.greenfield = (flags & 0x01) !== 0;
  ht.bandwidth = flags & 0x02 ? 1 : 0;
  b.group('ppi.80211n-mac.flags', () => `MAC flags: ${hex(flags >>> 0, 8)}`, flags >>> 0, at, 4, () => {
    for (const [bit, name, label, on, off] of MAC_FLAGS) {
      b.add(`ppi.80211n-mac.flags.${name}`, () => `${bitPicture(flags >>> 0, bit, 32)} = ${label}: ${flags & bit ? on : off}`, (flags & bit) !== 0, at, 4);
    }
  }, () => hex(flags >>> 0, 8));
  const ampdu = data.readUInt32LE(at + 4);
  b.add('ppi.80211n-mac.ampdu_id', () => `AMPDU-ID: ${hex(ampdu, 8)}`, ampdu, at + 4, 4, () => hex(ampdu, 8));
  b.add('ppi.80211n-mac.num_delimiters', () => `Num-Delimiters: ${data[at + 8]}`, data[at + 8]!, at + 8, 1);
  if (reserved) {
    const value = data.readUIntLE(at + 9, 3);
    b.add('ppi.80211n-mac.reserved', () => `Reserved: ${hex(value, 6)}`, value, at + 9, 3, () => hex(value, 6));
  }
}

function nMacPhy(b: LayerBuilder, state: PpiRadio, at: number): void {
  const data = b.data;
  b.need(at, 36, 'PPI 802.11n MAC+PHY field');
  const ht = (state.radio.ht ??= {});
  const mcs = data[at]!;
  if (mcs !== 255) ht.index = mcs;
  b.add('ppi.80211n-mac-phy.mcs', () => `MCS: ${mcs}${invalid(mcs, 255)}`, mcs, at, 1);
  const streams = data[at + 1]!;
  ht.ness = streams;
  b.add('ppi.80211n-mac-phy.num_streams', () => `Number of spatial streams: ${streams}${streams === 0 ? ' (unknown)' : ''}`, streams, at + 1, 1);
  const rssi: readonly [string, string][] = [
    ['rssi.combined', 'RSSI combined'], ['rssi.ant0ctl', 'Antenna 0 control RSSI'], ['rssi.ant1ctl', 'Antenna 1 control RSSI'],
    ['rssi.ant2ctl', 'Antenna 2 control RSSI'], ['rssi.ant3ctl', 'Antenna 3 control RSSI'], ['rssi.ant0ext', 'Antenna 0 extension RSSI'],
    ['rssi.ant1ext', 'Antenna 1 extension RSSI'], ['rssi.ant2ext', 'Antenna 2 extension RSSI'], ['rssi.ant3ext', 'Antenna 3 extension RSSI'],
  ];
  rssi.forEach(([name, label], k) => {
    const value = data[at + 2 + k]!;
    b.add(`ppi.80211n-mac-phy.${name}`, () => `${label}: ${value}${invalid(value, 255)}`, value, at + 2 + k, 1);
  });
  const extFreq = data.readUInt16LE(at + 11);
  b.add('ppi.80211-mac-phy.ext-chan.freq', () => `Ext. Channel frequency: ${channelText(extFreq)}`, extFreq, at + 11, 2);
  channelFlags(b, 'ppi.80211-mac-phy.ext-chan', data.readUInt16LE(at + 13), at + 13);
  for (let k = 0; k < 8; k++) {
    const value = data.readInt8(at + 15 + k);
    const name = `dbmant${k >> 1}.${k & 1 ? 'noise' : 'signal'}`;
    b.add(`ppi.80211n-mac-phy.${name}`, () => `dBm antenna ${k >> 1} ${k & 1 ? 'noise' : 'signal'}: ${value}${invalid(value, -128)}`, value, at + 15 + k, 1);
  }
  for (let k = 0; k < 4; k++) {
    const value = data.readUInt32LE(at + 23 + k * 4);
    b.add(`ppi.80211n-mac-phy.evm${k}`, () => `EVM-${k}: ${value}${invalid(value, 0)}`, value, at + 23 + k * 4, 4);
  }
}
