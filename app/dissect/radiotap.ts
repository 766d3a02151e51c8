/**
 * Radiotap (LINKTYPE_IEEE802_11_RADIOTAP, 127) as tshark 4.0 shows it: the header (version, pad,
 * little-endian length, present words chained by their Ext bit), the fields of the radiotap
 * namespace each aligned to its natural size from the start of the header, then the
 * "802.11 radio information" pseudo-layer (wlan_radio) Wireshark derives from them, then 802.11.
 * A field this file does not know stops the walk (its size is unknown), as in Wireshark.
 */
import { dissectSafely, hex, LayerBuilder, StopDissection } from './builder';
import type { Dissector } from './dissector';
import { bitPicture } from './format';
import type { PacketState } from './packet-state';
import { dissectWlanFrame } from './wlan';
import { addExpert } from './expert';

export const LINKTYPE_IEEE802_11_RADIOTAP = 127;

/** Alignment and size of the radiotap-namespace fields by bit (undefined: unknown, stops the walk). */
const FIELD_LAYOUT: readonly ([number, number] | undefined)[] = [
  [8, 8], [1, 1], [1, 1], [2, 4], [1, 2], [1, 1], [1, 1], [2, 2], [2, 2], [2, 2], [1, 1], [1, 1], [1, 1], [1, 1],
  [2, 2], [2, 2], [1, 1], [1, 1], [4, 8], [1, 3], [4, 8], [2, 12], [8, 12], [2, 12], [2, 12], [2, 6], [1, 1], [2, 4],
];

/** Present-word bits as Wireshark names and labels them. */
const PRESENT_BITS: readonly [number, string, string][] = [
  [0, 'tsft', 'TSFT'], [1, 'flags', 'Flags'], [2, 'rate', 'Rate'], [3, 'channel', 'Channel'], [4, 'fhss', 'FHSS'],
  [5, 'dbm_antsignal', 'dBm Antenna Signal'], [6, 'dbm_antnoise', 'dBm Antenna Noise'], [7, 'lock_quality', 'Lock Quality'],
  [8, 'tx_attenuation', 'TX Attenuation'], [9, 'db_tx_attenuation', 'dB TX Attenuation'], [10, 'dbm_tx_power', 'dBm TX Power'],
  [11, 'antenna', 'Antenna'], [12, 'db_antsignal', 'dB Antenna Signal'], [13, 'db_antnoise', 'dB Antenna Noise'],
  [14, 'rxflags', 'RX flags'], [15, 'txflags', 'TX flags'], [17, 'data_retries', 'data retries'], [18, 'xchannel', 'Channel+'],
  [19, 'mcs', 'MCS information'], [20, 'ampdu', 'A-MPDU Status'], [21, 'vht', 'VHT information'], [22, 'timestamp', 'frame timestamp'],
  [23, 'he', 'HE information'], [24, 'he_mu', 'HE-MU information'], [26, '0_length.psdu', '0 Length PSDU'], [27, 'l_sig', 'L-SIG'],
  [28, 'tlv', 'TLVs'], [29, 'rtap_ns', 'Radiotap NS next'], [30, 'vendor_ns', 'Vendor NS next'], [31, 'ext', 'Ext'],
];

const FLAG_BITS: readonly [number, string, string, string, string][] = [
  [0x01, 'cfp', 'CFP', 'True', 'False'], [0x02, 'preamble', 'Preamble', 'Short', 'Long'], [0x04, 'wep', 'WEP', 'True', 'False'],
  [0x08, 'frag', 'Fragmentation', 'True', 'False'], [0x10, 'fcs', 'FCS at end', 'True', 'False'], [0x20, 'datapad', 'Data Pad', 'True', 'False'],
  [0x40, 'badfcs', 'Bad FCS', 'True', 'False'], [0x80, 'shortgi', 'Short GI', 'True', 'False'],
];

const CHANNEL_FLAG_BITS: readonly [number, string, string][] = [
  [0x0001, '700mhz', '700 MHz spectrum'], [0x0002, '800mhz', '800 MHz spectrum'], [0x0004, '900mhz', '900 MHz spectrum'],
  [0x0010, 'turbo', 'Turbo'], [0x0020, 'cck', 'Complementary Code Keying (CCK)'], [0x0040, 'ofdm', 'Orthogonal Frequency-Division Multiplexing (OFDM)'],
  [0x0080, '2ghz', '2 GHz spectrum'], [0x0100, '5ghz', '5 GHz spectrum'], [0x0200, 'passive', 'Passive'], [0x0400, 'dynamic', 'Dynamic CCK-OFDM'],
  [0x0800, 'gfsk', 'Gaussian Frequency Shift Keying (GFSK)'], [0x1000, 'gsm', 'GSM (900MHz)'], [0x2000, 'sturbo', 'Static Turbo'],
  [0x4000, 'half', 'Half Rate Channel (10MHz Channel Width)'], [0x8000, 'quarter', 'Quarter Rate Channel (5MHz Channel Width)'],
];

/** What radiotap tells the 802.11 layers and the wlan_radio pseudo-layer. */
export interface RadioInfo {
  tsft?: bigint;
  flags?: number;
  /** Legacy rate in units of 500 kb/s. */
  rate?: number;
  freq?: number;
  channelFlags?: number;
  dbmSignal?: number;
  dbmNoise?: number;
  dbSignal?: number;
  dbNoise?: number;
  mcs?: { known: number; flags: number; index: number };
  vht?: boolean;
  /** 802.11g's proprietary mode (0 none, 1 Super G) when the capture names it (PPI's channel types). */
  mode11g?: number;
  /** HT facts given one by one (PPI's 802.11n fields), where radiotap gives its MCS field. */
  ht?: HtInfo;
}

/** What is known of an HT (802.11n) transmission; a member left out is not known. */
export interface HtInfo {
  index?: number;
  /** 0 for 20 MHz, 1 for 40 MHz, 2 and 3 for 20 MHz lower and upper. */
  bandwidth?: number;
  shortGi?: boolean;
  greenfield?: boolean;
  /** 0 BCC, 1 LDPC. */
  fec?: number;
  stbc?: number;
  ness?: number;
}

/** The HT facts of radiotap's MCS field (each with its "known" bit) or of PPI's fields. */
function htOf(radio: RadioInfo): HtInfo | undefined {
  if (radio.ht !== undefined) return radio.ht;
  const mcs = radio.mcs;
  if (mcs === undefined) return undefined;
  const ht: HtInfo = {};
  if (mcs.known & 0x02) ht.index = mcs.index;
  if (mcs.known & 0x01) ht.bandwidth = mcs.flags & 0x03;
  if (mcs.known & 0x04) ht.shortGi = (mcs.flags & 0x04) !== 0;
  if (mcs.known & 0x08) ht.greenfield = (mcs.flags & 0x08) !== 0;
  if (mcs.known & 0x10) ht.fec = (mcs.flags >> 4) & 1;
  if (mcs.known & 0x20) ht.stbc = (mcs.flags >> 5) & 3;
  if (mcs.known & 0x40) ht.ness = ((mcs.known & 0x80) >> 6) | ((mcs.flags & 0x80) >> 7);
  return ht;
}

export const PHY_NAMES: Record<number, string> = {
  0: 'Unknown', 1: '802.11 FHSS', 2: '802.11 IR', 3: '802.11 DSSS', 4: '802.11b (HR/DSSS)', 5: '802.11a (OFDM)', 6: '802.11g (ERP)',
  7: '802.11n (HT)', 8: '802.11ac (VHT)', 9: '802.11ad (DMG)', 10: '802.11ah (S1G)', 11: '802.11ax (HE)',
};

/** The Rate field's texts: 1, 5.5, 54 (FT_FLOAT as tshark prints it). */
function rateText(halfMbps: number): string {
  return String(halfMbps / 2);
}

export function dissectRadiotap(d: Dissector, p: PacketState, data: Buffer, offset: number, end: number): void {
  const b = new LayerBuilder(data, 'radiotap', 'Radiotap Header', offset, end, p.selection);
  const radio: RadioInfo = {};
  let length = 0;
  dissectSafely(b, () => {
    const version = b.u8(offset, 'radiotap version');
    const pad = b.u8(offset + 1, 'radiotap pad');
    b.need(offset + 2, 2, 'radiotap length');
    length = data.readUInt16LE(offset + 2);
    b.title(() => `Radiotap Header v${version}, Length ${length}${version !== 0 ? ' (invalid)' : ''}`);
    b.add('radiotap.version', () => `Header revision: ${version}`, version, offset, 1);
    b.add('radiotap.pad', () => `Header pad: ${pad}`, pad, offset + 1, 1);
    b.add('radiotap.length', () => `Header length: ${length}`, length, offset + 2, 2);
    if (version !== 0) {
      // Wireshark reads nothing more of a header of an unknown version, but still skips its length.
      b.setLength(Math.min(length, end - offset));
      return;
    }
    if (length < 8) throw new StopDissection('malformed', `radiotap length ${length} is shorter than its header`);
    const hdrEnd = offset + length;
    b.setLength(length);
    // The present words: chained while bit 31 (Ext) is set.
    const words: number[] = [];
    let at = offset + 4;
    for (;;) {
      if (at + 4 > hdrEnd) throw new StopDissection('malformed', 'radiotap present words run past the header length');
      b.need(at, 4, 'radiotap present word');
      const word = data.readUInt32LE(at);
      words.push(word);
      at += 4;
      if ((word & 0x80000000) === 0) break;
    }
    if (b.building) {
      b.group('radiotap.present', 'Present flags', null, offset + 4, words.length * 4, () => {
        words.forEach((word, i) => {
          const wAt = offset + 4 + i * 4;
          // A word continuing its namespace (bits 32 and up) has no named bits but Ext.
          const continuing = i > 0 && (words[i - 1]! & 0x60000000) === 0;
          b.group('radiotap.present.word', () => `Present flags word: ${hex(word >>> 0, 8)}`, word >>> 0, wAt, 4, () => {
            for (const [bit, name, label] of PRESENT_BITS) {
              if (continuing && bit !== 31) continue;
              const set = ((word >>> bit) & 1) === 1;
              const what = bit === 29 || bit === 30 ? (set ? 'True' : 'False') : set ? 'Present' : 'Absent';
              b.add(`radiotap.present.${name}`, () => `${bitPicture(word >>> 0, (1 << bit) >>> 0, 32)} = ${label}: ${what}`, set, wAt, 4);
            }
          }, hex(word >>> 0, 8));
        });
      });
    }
    // The fields, namespace by namespace; a vendor namespace is skipped by its skip length.
    let namespace: 'radiotap' | 'vendor' = 'radiotap';
    // Bits of a word that continues a namespace (no NS bit in the word before) are bits 32, 64, ...
    // of it: none is defined in the radiotap namespace, and their sizes are unknown.
    let continued = false;
    for (const word of words) {
      if (continued && namespace === 'radiotap' && (word & 0x1fffffff) !== 0) return;
      if (continued && namespace === 'vendor') {
        // A vendor namespace's data was skipped as a whole with its first word.
      } else if (namespace === 'vendor') {
        at = align(at, offset, 2);
        b.need(at, 6, 'radiotap vendor namespace');
        at += 6 + data.readUInt16LE(at + 4);
      } else {
        for (let bit = 0; bit < 29; bit++) {
          if (((word >>> bit) & 1) === 0) continue;
          const layout = FIELD_LAYOUT[bit];
          if (layout === undefined) return; // size unknown: the rest cannot be read
          at = align(at, offset, layout[0]);
          if (at + layout[1] > hdrEnd) throw new StopDissection('malformed', 'radiotap field runs past the header length');
          b.need(at, layout[1], 'radiotap field');
          radiotapField(b, radio, bit, at);
          at += layout[1];
        }
      }
      continued = (word & 0x60000000) === 0;
      if (word & 0x20000000) namespace = 'radiotap';
      else if (word & 0x40000000) namespace = 'vendor';
    }
  });
  p.addLayer(b.layer);
  if (b.layer.status !== 'ok' && length < 4) return;
  const hasFcs = radio.flags !== undefined && (radio.flags & 0x10) !== 0;
  const dataPad = radio.flags !== undefined && (radio.flags & 0x20) !== 0;
  const frameLength = Math.max(0, end - offset - length);
  dissectWlanRadio(d, p, data, radio, offset + length, frameLength);
  dissectWlanFrame(d, p, data, offset + length, end, { fcs: hasFcs, dataPad });
}

function align(at: number, start: number, alignment: number): number {
  const rel = at - start;
  return start + Math.ceil(rel / alignment) * alignment;
}

function radiotapField(b: LayerBuilder, radio: RadioInfo, bit: number, at: number): void {
  const data = b.data;
  switch (bit) {
    case 0: {
      const tsft = data.readBigUInt64LE(at);
      radio.tsft = tsft;
      b.add('radiotap.mactime', () => `MAC timestamp: ${tsft}`, tsft.toString(), at, 8);
      break;
    }
    case 1: {
      const flags = data[at]!;
      radio.flags = flags;
      b.group('radiotap.flags', () => `Flags: ${hex(flags, 2)}`, flags, at, 1, () => {
        for (const [mask, name, label, on, off] of FLAG_BITS) {
          b.add(`radiotap.flags.${name}`, () => `${bitPicture(flags, mask, 8)} = ${label}: ${flags & mask ? on : off}`, (flags & mask) !== 0, at, 1);
        }
      }, hex(flags, 2));
      break;
    }
    case 2: {
      const rate = data[at]!;
      radio.rate = rate;
      b.add('radiotap.datarate', () => `Data Rate: ${(rate / 2).toFixed(1)} Mb/s`, rate / 2, at, 1, rateText(rate));
      break;
    }
    case 3: {
      const freq = data.readUInt16LE(at);
      const flags = data.readUInt16LE(at + 2);
      radio.freq = freq;
      radio.channelFlags = flags;
      b.add('radiotap.channel.freq', () => `Channel frequency: ${freq}${channelSuffix(freq)}`, freq, at, 2);
      b.group('radiotap.channel.flags', () => `Channel flags: ${[hex(flags, 4), ...CHANNEL_FLAG_BITS.filter(([m]) => flags & m).map(([, , l]) => l)].join(', ')}`, flags, at + 2, 2, () => {
        for (const [mask, name, label] of CHANNEL_FLAG_BITS) {
          b.add(`radiotap.channel.flags.${name}`, () => `${bitPicture(flags, mask, 16)} = ${label}: ${flags & mask ? 'True' : 'False'}`, (flags & mask) !== 0, at + 2, 2);
        }
      }, hex(flags, 4));
      break;
    }
    case 5: {
      const v = data.readInt8(at);
      radio.dbmSignal = v;
      b.add('radiotap.dbm_antsignal', () => `Antenna signal: ${v} dBm`, v, at, 1);
      break;
    }
    case 6: {
      const v = data.readInt8(at);
      radio.dbmNoise = v;
      b.add('radiotap.dbm_antnoise', () => `Antenna noise: ${v} dBm`, v, at, 1);
      break;
    }
    case 7: {
      const v = data.readUInt16LE(at);
      b.add('radiotap.quality', () => `Signal Quality: ${v}`, v, at, 2);
      break;
    }
    case 8: {
      const v = data.readUInt16LE(at);
      b.add('radiotap.txattenuation', () => `TX attenuation: ${v}`, v, at, 2);
      break;
    }
    case 9: {
      const v = data.readUInt16LE(at);
      b.add('radiotap.db_txattenuation', () => `dB TX attenuation: ${v}`, v, at, 2);
      break;
    }
    case 10: {
      const v = data.readInt8(at);
      b.add('radiotap.txpower', () => `Transmit power: ${v}`, v, at, 1);
      break;
    }
    case 11: {
      const v = data[at]!;
      b.add('radiotap.antenna', () => `Antenna: ${v}`, v, at, 1);
      break;
    }
    case 12: {
      const v = data[at]!;
      radio.dbSignal = v;
      b.add('radiotap.db_antsignal', () => `dB antenna signal: ${v} dB`, v, at, 1);
      break;
    }
    case 13: {
      const v = data[at]!;
      radio.dbNoise = v;
      b.add('radiotap.db_antnoise', () => `dB antenna noise: ${v} dB`, v, at, 1);
      break;
    }
    case 14: {
      const v = data.readUInt16LE(at);
      b.group('radiotap.rxflags', () => `RX flags: ${hex(v, 4)}`, v, at, 2, () => {
        b.add('radiotap.rxflags.badplcp', () => `${bitPicture(v, 0x0002, 24)} = Bad PLCP: ${v & 2 ? 'True' : 'False'}`, (v & 2) !== 0, at, 2);
      }, hex(v, 4));
      break;
    }
    case 15: {
      const v = data.readUInt16LE(at);
      b.add('radiotap.txflags', () => `TX flags: ${hex(v, 4)}`, v, at, 2, hex(v, 4));
      break;
    }
    case 17: {
      const v = data[at]!;
      b.add('radiotap.data_retries', () => `data retries: ${v}`, v, at, 1);
      break;
    }
    case 19: {
      const known = data[at]!;
      const flags = data[at + 1]!;
      const index = data[at + 2]!;
      radio.mcs = { known, flags, index };
      b.group('radiotap.mcs', 'MCS information', null, at, 3, () => {
        b.group('radiotap.mcs.known', () => `Known MCS information: ${[hex(known, 2), ...MCS_KNOWN.filter(([m]) => known & m).map(([, , l]) => l)].join(', ')}`, known, at, 1, () => {
          for (const [mask, name, label] of MCS_KNOWN) {
            b.add(`radiotap.mcs.${name}`, () => `${bitPicture(known, mask, 8)} = ${label}: ${known & mask ? 'Present' : 'Absent'}`, (known & mask) !== 0, at, 1);
          }
        }, hex(known, 2));
        const bw = flags & 0x03;
        if (known & 0x01) b.add('radiotap.mcs.bw', () => `${bitPicture(flags, 0x03, 8)} = Bandwidth: ${BANDWIDTHS[bw]} (${bw})`, bw, at + 1, 1);
        if (known & 0x04) b.add('radiotap.mcs.gi', () => `${bitPicture(flags, 0x04, 8)} = Guard interval: ${flags & 0x04 ? 'short' : 'long'} (${(flags >> 2) & 1})`, (flags >> 2) & 1, at + 1, 1);
        if (known & 0x08) b.add('radiotap.mcs.format', () => `${bitPicture(flags, 0x08, 8)} = Format: ${flags & 0x08 ? 'greenfield' : 'mixed'} (${(flags >> 3) & 1})`, (flags >> 3) & 1, at + 1, 1);
        if (known & 0x10) b.add('radiotap.mcs.fec', () => `${bitPicture(flags, 0x10, 8)} = FEC type: ${flags & 0x10 ? 'LDPC' : 'BCC'} (${(flags >> 4) & 1})`, (flags >> 4) & 1, at + 1, 1);
        if (known & 0x20) b.add('radiotap.mcs.stbc', () => `${bitPicture(flags, 0x60, 8)} = STBC streams: ${(flags >> 5) & 3}`, (flags >> 5) & 3, at + 1, 1);
        if (known & 0x02) b.add('radiotap.mcs.index', () => `MCS index: ${index}`, index, at + 2, 1);
      });
      const rate = htRate(radio.mcs);
      if (rate !== undefined) b.add('radiotap.datarate', () => `[Data Rate: ${rate.toFixed(1)} Mb/s]`, rate, at, 3, String(rate));
      break;
    }
    case 21:
      radio.vht = true;
      b.add('radiotap.vht', 'VHT information', null, at, 12);
      break;
    default:
      break;
  }
}

const MCS_KNOWN: readonly [number, string, string][] = [
  [0x01, 'have_bw', 'Bandwidth'], [0x02, 'have_index', 'MCS index'], [0x04, 'have_gi', 'Guard interval'], [0x08, 'have_format', 'Format'],
  [0x10, 'have_fec', 'FEC type'], [0x20, 'have_stbc', 'STBC streams'], [0x40, 'have_ness', 'Number of extension spatial streams'],
];

/** HT data rates (Mb/s) of MCS 0-7 for one spatial stream: 20 MHz and 40 MHz, long guard interval. */
const HT_RATES_20 = [6.5, 13, 19.5, 26, 39, 52, 58.5, 65];
const HT_RATES_40 = [13.5, 27, 40.5, 54, 81, 108, 121.5, 135];
const CCK_RATES = new Set([2, 4, 11, 22]);

/** The HT data rate when bandwidth, index and guard interval are known (Mb/s, one decimal). */
function htRate(ht: HtInfo): number | undefined {
  if (ht.index === undefined || ht.bandwidth === undefined || ht.shortGi === undefined || ht.index >= 32) return undefined;
  const streams = (ht.index >> 3) + 1;
  const base = (ht.bandwidth === 1 ? HT_RATES_40 : HT_RATES_20)[ht.index & 7]! * streams;
  return ht.shortGi ? Math.round((base * 10) / 9 * 10) / 10 : base;
}

/** The PHY type Wireshark derives from radiotap's channel flags, MCS and VHT fields. */
export function radioPhy(radio: RadioInfo): number {
  if (radio.vht) return 8;
  if (radio.mcs || radio.ht) return 7;
  if (radio.channelFlags !== undefined) {
    switch (radio.channelFlags & 0x2df0) {
      case 0x0880: return 1; // 2 GHz + GFSK: FHSS
      case 0x0140: return 5; // 5 GHz + OFDM: 11a
      case 0x0150: return 5; // turbo 11a
      case 0x00a0: return 4; // 2 GHz + CCK: 11b
      case 0x00c0: return 6; // 2 GHz + OFDM: pure 11g
      case 0x0480: return 6; // 2 GHz + dynamic CCK-OFDM: 11g
      case 0x00d0: return 6;
      default: break;
    }
  }
  if (radio.rate !== undefined && CCK_RATES.has(radio.rate)) return 4;
  return 0;
}

/** A frequency as Wireshark's ieee80211_mhz_to_str writes it: `2422 [BG 3]`, `5180 [A 36]`, `900`. */
export function channelText(freq: number): string {
  return `${freq}${channelSuffix(freq)}`;
}

/** The channel after a frequency in the Channel field's label: " [BG 1]", " [A 36]". */
function channelSuffix(freq: number): string {
  const channel = channelOf(freq);
  if (channel === undefined) return '';
  return freq < 3000 ? ` [BG ${channel}]` : ` [A ${channel}]`;
}

function channelOf(freq: number): number | undefined {
  if (freq === 2484) return 14;
  if (freq >= 2412 && freq < 2484) return (freq - 2407) / 5;
  if (freq >= 5000 && freq < 5900) return (freq - 5000) / 5;
  if (freq >= 4910 && freq <= 4980) return (freq - 4000) / 5;
  return undefined;
}

/** Per Dissector: the end of the last frame the radio layer placed in time (Wireshark's previous_frame), for the IFS. */
const previousEnd = new WeakMap<Dissector, { end: bigint }>();

/** fec_vals of packet-ieee80211-radio.c. */
const FEC_NAMES = ['BEC', 'LDPC'];

/**
 * The wlan_radio pseudo-layer ("802.11 radio information", packet-ieee80211-radio.c): it covers no
 * bytes of its own. `frameLength` is the 802.11 frame's (with its FCS when it has one);
 * `fcsLength` is the FCS length the capture file's own record gives (Wireshark's wiretap
 * pseudo-header, not the radio header's flags): 0 makes the air time count 4 bytes more (PPI
 * records), -1 (radiotap) counts the frame as it is.
 */
export function dissectWlanRadio(d: Dissector, p: PacketState, data: Buffer, radio: RadioInfo, offset: number, frameLength: number, fcsLength = -1): void {
  const b = new LayerBuilder(data, 'wlan_radio', '802.11 radio information', offset, offset, p.selection);
  b.setLength(0);
  let phy = radioPhy(radio);
  const flags = radio.flags ?? 0;
  const ht = htOf(radio);
  let rate: number | undefined = radio.rate !== undefined ? radio.rate / 2 : undefined;
  // CCK rates on a 2.4 GHz OFDM channel are 802.11b; an unknown PHY is told by its rate.
  if (rate !== undefined && ht === undefined && (phy === 6 || phy === 0) && [1, 2, 5.5, 11, 22, 33].includes(rate)) phy = 4;
  else if (rate !== undefined && ht === undefined && phy === 0 && [6, 9, 12, 18, 24, 36, 48, 54].includes(rate)) phy = 5;
  if (phy !== 0) b.add('wlan_radio.phy', () => `PHY type: ${PHY_NAMES[phy] ?? 'Unknown'} (${phy})`, phy, offset, 0);
  const preambleKnown = radio.flags !== undefined;
  const shortPreamble = (flags & 0x02) !== 0;
  if (phy === 4 && preambleKnown) b.add('wlan_radio.short_preamble', () => `Short preamble: ${shortPreamble ? 'True' : 'False'}`, shortPreamble, offset, 0);
  const mode = radio.mode11g ?? (radio.channelFlags !== undefined && (radio.channelFlags & 0x2df0) === 0x00c0 ? 0 : undefined);
  if (phy === 6 && mode !== undefined) b.add('wlan_radio.11g.mode', () => `Proprietary mode: ${mode === 1 ? 'Super G' : 'None'} (${mode})`, mode, offset, 0);
  if (ht !== undefined) {
    const htRateMbps = htRate(ht);
    if (htRateMbps !== undefined) rate = htRateMbps;
    if (ht.index !== undefined) b.add('wlan_radio.11n.mcs_index', () => `MCS index: ${ht.index}`, ht.index, offset, 0);
    const bw = ht.bandwidth;
    if (bw !== undefined) b.add('wlan_radio.11n.bandwidth', () => `Bandwidth: ${BANDWIDTHS[bw]} (${bw})`, bw, offset, 0);
    if (ht.shortGi !== undefined) b.add('wlan_radio.11n.short_gi', () => `Short GI: ${ht.shortGi ? 'True' : 'False'}`, ht.shortGi, offset, 0);
    if (ht.greenfield !== undefined) b.add('wlan_radio.11n.greenfield', () => `Greenfield: ${ht.greenfield ? 'True' : 'False'}`, ht.greenfield, offset, 0);
    const fec = ht.fec;
    if (fec !== undefined) b.add('wlan_radio.11n.fec', () => `FEC: ${FEC_NAMES[fec]} (${fec})`, fec, offset, 0);
    if (ht.stbc !== undefined) b.add('wlan_radio.11n.stbc_streams', () => `Number of STBC streams: ${ht.stbc}`, ht.stbc, offset, 0);
    if (ht.ness !== undefined) b.add('wlan_radio.11n.ness', () => `Number of extension spatial streams: ${ht.ness}`, ht.ness, offset, 0);
  }
  if (rate !== undefined) b.add('wlan_radio.data_rate', () => `Data rate: ${rate!.toFixed(1)} Mb/s`, rate, offset, 0, String(rate));
  if (radio.freq !== undefined) {
    const channel = channelOf(radio.freq);
    if (channel !== undefined) b.add('wlan_radio.channel', () => `Channel: ${channel}`, channel, offset, 0);
    const freq = radio.freq;
    b.add('wlan_radio.frequency', () => `Frequency: ${freq}MHz`, freq, offset, 0);
  }
  if (radio.dbSignal !== undefined) b.add('wlan_radio.signal_db', () => `Signal strength (dB): ${radio.dbSignal} dB`, radio.dbSignal, offset, 0);
  if (radio.dbmSignal !== undefined) b.add('wlan_radio.signal_dbm', () => `Signal strength (dBm): ${radio.dbmSignal} dBm`, radio.dbmSignal, offset, 0);
  if (radio.dbNoise !== undefined) b.add('wlan_radio.noise_db', () => `Noise level (dB): ${radio.dbNoise} dB`, radio.dbNoise, offset, 0);
  if (radio.dbmNoise !== undefined) b.add('wlan_radio.noise_dbm', () => `Noise level (dBm): ${radio.dbmNoise} dBm`, radio.dbmNoise, offset, 0);
  if (radio.dbmSignal !== undefined && radio.dbmNoise !== undefined) {
    const snr = radio.dbmSignal - radio.dbmNoise;
    b.add('wlan_radio.snr', () => `Signal/noise ratio (dB): ${snr} dB`, snr, offset, 0);
  }
  if (radio.tsft !== undefined) {
    const tsft = radio.tsft;
    b.add('wlan_radio.timestamp', () => `TSF timestamp: ${tsft}`, tsft.toString(), offset, 0);
  }
  // The air time counts an FCS the capture left out.
  const airLength = fcsLength === 0 ? frameLength + 4 : frameLength;
  const duration = rate === undefined || rate <= 0 ? undefined : phy === 7 ? (ht === undefined ? undefined : htDuration(ht, airLength)) : legacyDuration(phy, rate, preambleKnown, shortPreamble, airLength);
  let state = previousEnd.get(d);
  let start = 0n;
  let end = 0n;
  let ifs = 0n;
  if (duration !== undefined && radio.tsft !== undefined) {
    // Wireshark takes the TSF as the end of the frame (wlan_radio.tsf_at_end).
    end = radio.tsft;
    start = end - BigInt(duration.total);
    if (p.frame.number > 1 && state !== undefined) ifs = start - state.end;
  }
  if (duration !== undefined) {
    b.group('wlan_radio.duration', () => `[Duration: ${duration.total}µs]`, duration.total, offset, 0, () => {
      for (const [key, message] of duration.assumed) addExpert(b, `wlan_radio.assumed.${key}`, 'Warning', 'Assumption', message, offset, 0);
      if (duration.preamble) b.add('wlan_radio.preamble', () => `[Preamble: ${duration.preamble}µs]`, duration.preamble, offset, 0);
      if (ifs !== 0n) b.add('wlan_radio.ifs', () => `[IFS: ${ifs}µs]`, ifs.toString(), offset, 0);
      if (start !== 0n) b.add('wlan_radio.start_tsf', () => `[Start: ${start}µs]`, start.toString(), offset, 0);
      if (end !== 0n) b.add('wlan_radio.end_tsf', () => `[End: ${end}µs]`, end.toString(), offset, 0);
    });
  }
  if (state === undefined) previousEnd.set(d, (state = { end: 0n }));
  state.end = end;
  p.addLayer(b.layer);
}

const BANDWIDTHS = ['20 MHz', '40 MHz', '20 MHz + 20 MHz lower', '20 MHz + 20 MHz upper'];
/** Data bits per OFDM symbol of HT MCS 0-7 for one spatial stream, 20 and 40 MHz. */
const HT_DBPS_20 = [26, 52, 78, 104, 156, 208, 234, 260];
const HT_DBPS_40 = [54, 108, 162, 216, 324, 432, 486, 540];

/** An air time, its preamble, and the assumptions made (Wireshark's expert items, in its order). */
interface AirTime {
  total: number;
  preamble: number;
  assumed: Array<[string, string]>;
}

const ASSUMED = {
  shortPreamble: ['short_preamble', 'No preamble length information was available, assuming short preamble.'],
  nonGreenfield: ['non_greenfield', 'No plcp type information was available, assuming non greenfield.'],
  noStbc: ['no_stbc', 'No stbc information was available, assuming no stbc.'],
  noExtensionStreams: ['no_extension_streams', 'No extension stream information was available, assuming no extension streams.'],
  bccFec: ['bcc_fec', 'No fec type information was available, assuming bcc fec.'],
} as const satisfies Record<string, [string, string]>;

/**
 * Air time of an HT frame: the preamble (mixed format 32 µs, greenfield 24 µs; assumed mixed when
 * not known) plus 4 µs per HT-LTF of the space-time and extension streams, then the data symbols
 * (rounded to pairs with STBC) of 4 µs, or 3.6 µs with a short guard interval; BCC coding assumed
 * when not known, as Wireshark does.
 */
function htDuration(ht: HtInfo, frameLength: number): AirTime | undefined {
  const index = ht.index;
  const bw = ht.bandwidth;
  if (index === undefined || bw === undefined || ht.shortGi === undefined || index >= 32 || (bw !== 0 && bw !== 1)) return undefined;
  const assumed: Array<[string, string]> = [];
  let preamble = 32;
  if (ht.greenfield !== undefined) preamble = ht.greenfield ? 24 : 32;
  else assumed.push([...ASSUMED.nonGreenfield]);
  const stbc = ht.stbc ?? 0;
  if (ht.stbc === undefined) assumed.push([...ASSUMED.noStbc]);
  const ness = ht.ness ?? 0;
  if (ness >= 4) return undefined;
  if (ht.ness === undefined) assumed.push([...ASSUMED.noExtensionStreams]);
  if (ht.fec === undefined) assumed.push([...ASSUMED.bccFec]);
  const streams = (index >> 3) + 1;
  const spaceTime = streams + stbc;
  if (spaceTime > 4) return undefined;
  preamble += 4 * ([1, 2, 4, 4][spaceTime - 1]! + [0, 1, 2, 4][ness]!);
  const dbps = (bw === 1 ? HT_DBPS_40 : HT_DBPS_20)[index & 7]! * streams;
  const encoders = dbps * 0.25 > 300 ? 2 : 1;
  const bits = 8 * frameLength + 16 + 6 * encoders;
  const pairing = stbc !== 0 ? 2 : 1;
  const symbols = Math.ceil(bits / (dbps * pairing)) * pairing;
  return { total: preamble + Math.floor((symbols * (ht.shortGi ? 36 : 40) + 5) / 10), preamble, assumed };
}

/**
 * Air time of a non-HT frame (Wireshark's wlan_radio.duration): 802.11b, a long (192 µs) or short
 * (96 µs; assumed when the capture does not say) preamble, then the bits at the rate; 802.11a/g, a
 * 20 µs preamble then 4 µs OFDM symbols carrying the 16 service bits, the frame and 6 tail bits.
 * `rate` in Mb/s.
 */
function legacyDuration(phy: number, rate: number, preambleKnown: boolean, shortPreamble: boolean, frameLength: number): AirTime | undefined {
  if (phy === 4) {
    const assumed: Array<[string, string]> = preambleKnown ? [] : [[...ASSUMED.shortPreamble]];
    const preamble = preambleKnown && !shortPreamble ? 192 : 96;
    return { total: Math.ceil(preamble + (frameLength * 8) / rate), preamble, assumed };
  }
  if (phy === 5 || phy === 6) {
    return { total: 20 + 4 * Math.ceil((16 + 8 * frameLength + 6) / (rate * 4)), preamble: 20, assumed: [] };
  }
  return undefined;
}
