/**
 * 802.11 security elements as tshark 4.0 shows them: the RSN Information element (tag 48), and the
 * vendor specific elements (tag 221) of IEEE 802.11's OUI (00:0f:ac, the RSN key data
 * encapsulations of EAPOL-Key frames) and Microsoft's WPA Information Element (00:50:f2 type 1),
 * with the OUI names Wireshark's manuf file gives the common vendors' elements.
 */
import { hex, StopDissection, type LayerBuilder } from './builder';
import { addExpertTo } from './expert';
import { bitPicture, macText } from './format';

/** Names of the OUIs vendor specific elements commonly carry (Wireshark's manuf file). */
const OUI_NAMES: Record<number, string> = {
  0x000fac: 'Ieee 802.11', 0x0050f2: 'Microsoft Corp.', 0x00904c: 'Epigram, Inc.', 0x001018: 'Broadcom', 0x00037f: 'Atheros Communications, Inc.',
  0x506f9a: 'Wi-Fi Alliance', 0x0017f2: 'Apple, Inc.', 0x004096: 'Cisco Systems, Inc', 0x000b86: 'Aruba, a Hewlett Packard Enterprise Company',
};

const OUI_IEEE80211 = 0x000fac;
const OUI_MICROSOFT = 0x0050f2;
/** Microsoft's element types (wlan.wfa.ie.type). */
const MICROSOFT_TYPES: Record<number, string> = { 1: 'WPA Information Element', 2: 'WMM/WME', 4: 'WPS' };

/** Cipher suites under IEEE 802.11's OUI (wlan.rsn.*cs.type). */
const CIPHERS: Record<number, string> = {
  0: 'NONE', 1: 'WEP (40-bit)', 2: 'TKIP', 3: 'AES (OCB)', 4: 'AES (CCM)', 5: 'WEP (104-bit)', 6: 'BIP (128)', 7: 'Group addressed traffic not allowed',
  8: 'GCMP (128)', 9: 'GCMP (256)', 10: 'CCMP (256)', 11: 'BIP (GMAC-128)', 12: 'BIP (GMAC-256)', 13: 'BIP (CMAC-256)',
};
/** Authentication and key management suites under IEEE 802.11's OUI (wlan.rsn.akms.type). */
const AKMS: Record<number, string> = {
  0: 'NONE', 1: 'WPA', 2: 'PSK', 3: 'FT over IEEE 802.1X', 4: 'FT using PSK', 5: 'WPA (SHA256)', 6: 'PSK (SHA256)', 7: 'TDLS / TPK Handshake (SHA256)',
  8: 'SAE (SHA256)', 9: 'FT using SAE (SHA256)', 10: 'APPeerKey (SHA256)', 11: 'WPA (SHA256-SuiteB)', 12: 'WPA (SHA384-SuiteB)',
  13: 'FT over IEEE 802.1X (SHA384)', 14: 'FILS (SHA256 and AES-SIV-256)', 15: 'FILS (SHA384 and AES-SIV-512)', 16: 'FT over FILS (SHA256 and AES-SIV-256)',
  17: 'FT over FILS (SHA384 and AES-SIV-512)', 18: 'Opportunistic Wireless Encryption', 19: 'FT using PSK (SHA384)', 20: 'PSK (SHA384)', 21: 'PASN',
};
/** WPA's cipher suites under Microsoft's OUI (wlan.wfa.ie.wpa.*cs.type). */
const WPA_CIPHERS: Record<number, string> = {
  0: 'NONE', 1: 'WEP (40-bit)', 2: 'TKIP', 3: 'AES (OCB)', 4: 'AES (CCM)', 5: 'WEP (104-bit)', 6: 'BIP', 7: 'Group addressed traffic not allowed',
};
/** WPA's key management suites under Microsoft's OUI (wlan.wfa.ie.wpa.type). */
const WPA_AKMS: Record<number, string> = {
  0: 'NONE', 1: 'WPA', 2: 'PSK', 3: 'FT over IEEE 802.1X', 4: 'FT using PSK', 5: 'WPA (SHA256)', 6: 'PSK (SHA256)', 7: 'TDLS / TPK Handshake',
};
const WME_SUBTYPES = ['Information Element', 'Parameter Element', 'TSPEC Element'];
/** Key data encapsulations (wlan.rsn.ie.kde.data_type) and the heading names of the common ones. */
const KDE_TYPES: Record<number, string> = {
  0: 'Reserved', 1: 'GTK KDE', 2: 'Reserved', 3: 'MAC address KDE', 4: 'PMKID KDE', 5: 'Reserved', 6: 'Nonce KDE', 7: 'Lifetime KDE',
  8: 'Error KDE', 9: 'IGTK KDE', 10: 'Key ID KDE', 11: 'Multi-band GTK KDE', 12: 'Multi-band Key ID KDE', 13: 'OCI KDE', 14: 'BIGTK KDE',
};
const KDE_HEADINGS: Record<number, string> = {
  1: 'RSN GTK', 3: 'MAC Address KDE', 4: 'RSN PMKID', 6: 'NONCE KDE', 7: 'Lifetime KDE', 8: 'Error KDE', 9: 'RSN IGTK', 10: 'RSN PTK', 13: 'OCI KDE', 14: 'BIGTK KDE',
};
const REPLAY_COUNTERS = ['1 replay counter per PTKSA/GTKSA/STAKeySA', '2 replay counters per PTKSA/GTKSA/STAKeySA', '4 replay counters per PTKSA/GTKSA/STAKeySA', '16 replay counters per PTKSA/GTKSA/STAKeySA'];

/**
 * An OUI as BASE_OUI fields show it: `00:50:f2 (Microsoft Corp.)`, or the bytes alone. Wireshark
 * formats it into 32 bytes: past 31 characters it is cut, closing parenthesis and all
 * (`00:03:7f (Atheros Communication`).
 */
export function ouiLabel(oui: number): string {
  const text = macText(Buffer.from([oui >> 16, (oui >> 8) & 0xff, oui & 0xff]), 0, 3);
  const name = OUI_NAMES[oui];
  return name === undefined ? text : `${text} (${name})`.slice(0, 31);
}

/** What follows "Vendor Specific" in a tag 221's heading (": Microsoft Corp.: WPA Information Element"). */
export function vendorHeading(data: Buffer, v: number, length: number): string {
  if (length < 3) return '';
  const oui = (data[v]! << 16) | (data[v + 1]! << 8) | data[v + 2]!;
  const name = OUI_NAMES[oui];
  if (name === undefined) return '';
  if (oui === OUI_IEEE80211 && length >= 4) return `: ${name}: ${KDE_HEADINGS[data[v + 3]!] ?? 'RSN UNKNOWN'}`;
  if (oui === OUI_MICROSOFT && length >= 4) {
    const type = data[v + 3]!;
    const typeName = MICROSOFT_TYPES[type] ?? `Unknown ${type}`;
    if (type === 2 && length >= 5) return `: ${name}: ${typeName}: ${WME_SUBTYPES[data[v + 4]!] ?? `Unknown ${data[v + 4]}`}`;
    return `: ${name}: ${typeName}`;
  }
  return `: ${name}`;
}

/** Tag 221's body after its number and length: the OUI, and the elements decoded here. */
export function vendorBody(b: LayerBuilder, v: number, length: number): void {
  const data = b.data;
  if (length < 3) return;
  const oui = (data[v]! << 16) | (data[v + 1]! << 8) | data[v + 2]!;
  b.add('wlan.tag.oui', () => `OUI: ${ouiLabel(oui)}`, oui, v, 3);
  if (length < 4) return;
  const type = data[v + 3]!;
  b.add('wlan.tag.vendor.oui.type', () => `Vendor Specific OUI Type: ${type}`, type, v + 3, 1);
  const end = v + length;
  if (oui === OUI_MICROSOFT) {
    const name = MICROSOFT_TYPES[type] ?? 'Unknown';
    b.add('wlan.wfa.ie.type', () => `Type: ${name} (${hex(type, 2)})`, type, v + 3, 1, () => hex(type, 2));
    if (type === 1) wpaBody(b, v + 4, end);
    return;
  }
  if (oui !== OUI_IEEE80211) return;
  b.add('wlan.rsn.ie.kde.data_type', () => `Data Type: ${KDE_TYPES[type] ?? 'Unknown'} (${type})`, type, v + 3, 1);
  const at = v + 4;
  if (type === 4 && end - at >= 16) {
    const pmkid = data.subarray(at, at + 16);
    b.add('wlan.rsn.ie.pmkid', () => `PMKID: ${pmkid.toString('hex')}`, pmkid, at, 16, () => pmkid.toString('hex'));
  } else if (type === 1 && end - at >= 2) {
    const flags = data[at]!;
    b.add('wlan.rsn.ie.gtk_kde.key_id', () => `${bitPicture(flags, 0x03, 8)} = Key ID: ${hex(flags & 3, 1)}`, flags & 3, at, 1, () => hex(flags & 3, 2));
    b.add('wlan.rsn.ie.gtk_kde.tx', () => `${bitPicture(flags, 0x04, 8)} = Tx: ${(flags & 4) !== 0 ? 'Temporal key used for both transmission and reception' : 'Temporal key used only for reception'}`, (flags & 4) !== 0, at, 1);
    b.add('wlan.rsn.ie.gtk_kde.res1', () => `${bitPicture(flags, 0xf8, 8)} = Reserved: ${hex(flags >> 3, 2)}`, flags >> 3, at, 1, () => hex(flags >> 3, 2));
    b.add('wlan.rsn.ie.gtk_kde.res2', () => `Reserved: ${hex(data[at + 1]!, 2)}`, data[at + 1]!, at + 1, 1, () => hex(data[at + 1]!, 2));
    if (end > at + 2) {
      const gtk = data.subarray(at + 2, end);
      b.add('wlan.rsn.ie.gtk_kde.gtk', () => `GTK: ${gtk.toString('hex')}`, gtk, at + 2, end - at - 2, () => gtk.toString('hex'));
    }
  }
}

/** One suite list's fields: count, list, and items (RSN or WPA). */
interface SuiteList {
  count: [string, string];
  list: [string, string];
  item: [string, string];
  /** The item's type field when its OUI is the element's own (it has value names then). */
  homeType: string;
  names: Record<number, string>;
  /** The expert for a count past the element (RSN only: WPA reads on and fails). */
  tooLarge?: [string, string, number];
}

const RSN_PAIRWISE: SuiteList = {
  count: ['wlan.rsn.pcs.count', 'Pairwise Cipher Suite Count'], list: ['wlan.rsn.pcs.list', 'Pairwise Cipher Suite List'],
  item: ['wlan.rsn.pcs', 'Pairwise Cipher Suite'], homeType: 'wlan.rsn.pcs.type', names: CIPHERS,
  tooLarge: ['wlan.rsn.pcs.count.invalid', 'Pairwise Cipher Suite Count too large', 4],
};
const RSN_AKMS: SuiteList = {
  count: ['wlan.rsn.akms.count', 'Auth Key Management (AKM) Suite Count'], list: ['wlan.rsn.akms.list', 'Auth Key Management (AKM) List'],
  item: ['wlan.rsn.akms', 'Auth Key Management (AKM) Suite'], homeType: 'wlan.rsn.akms.type', names: AKMS,
  tooLarge: ['wlan.rsn.akms.count.invalid', 'Auth Key Management (AKM) Suite Count too large', 4],
};
const WPA_UNICAST: SuiteList = {
  count: ['wlan.wfa.ie.wpa.ucs.count', 'Unicast Cipher Suite Count'], list: ['wlan.wfa.ie.wpa.ucs.list', 'Unicast Cipher Suite List'],
  item: ['wlan.wfa.ie.wpa.ucs', 'Unicast Cipher Suite'], homeType: 'wlan.wfa.ie.wpa.ucs.type', names: WPA_CIPHERS,
};
const WPA_AKM_LIST: SuiteList = {
  count: ['wlan.wfa.ie.wpa.akms.count', 'Auth Key Management (AKM) Suite Count'], list: ['wlan.wfa.ie.wpa.akms.list', 'Auth Key Management (AKM) List'],
  item: ['wlan.wfa.ie.wpa.akms', 'Auth Key Management (AKM) Suite'], homeType: 'wlan.wfa.ie.wpa.type', names: WPA_AKMS,
};

const ouiAt = (data: Buffer, at: number): number => (data[at]! << 16) | (data[at + 1]! << 8) | data[at + 2]!;

/**
 * One suite: "OUI type-name" (the name from the element's table whatever the OUI), with the OUI and
 * the type beneath; the type has its name only under the element's own OUI (`home`).
 */
function suite(b: LayerBuilder, at: number, abbrev: string, label: string, names: Record<number, string>, home: number, homeType: string): void {
  const data = b.data;
  const oui = ouiAt(data, at);
  const type = data[at + 3]!;
  const short = label.startsWith('Auth Key Management') ? label.replace(/ Suite$/, '') : label;
  b.group(abbrev, () => `${label}: ${ouiLabel(oui)} ${names[type] ?? `Unknown ${type}`}`, data.readUInt32BE(at), at, 4, () => {
    b.add(`${abbrev}.oui`, () => `${short} OUI: ${ouiLabel(oui)}`, oui, at, 3);
    if (oui === home) b.add(homeType, () => `${short} type: ${names[type] ?? 'Unknown'} (${type})`, type, at + 3, 1);
    else b.add(`${abbrev}.type`, () => `${short} type: ${type}`, type, at + 3, 1);
  });
}

/**
 * A count and its list of suites at data[at, end): the list's heading names the suites under the
 * element's own OUI. A count past the element: RSN's expert and as many suites as fit; WPA's reads
 * on (malformed). Returns where the list ends.
 */
function suiteList(b: LayerBuilder, at: number, end: number, l: SuiteList, home: number, need: (o: number, n: number, what: string) => void): number {
  const data = b.data;
  need(at, 2, l.count[1]);
  let count = data.readUInt16LE(at);
  const countField = b.add(l.count[0], () => `${l.count[1]}: ${count}`, count, at, 2);
  at += 2;
  if (l.tooLarge !== undefined && at + count * 4 > end) {
    const [abbrev, what] = l.tooLarge;
    const message = `${what}, 4*${count} > ${end - at}`;
    count = Math.floor((end - at) / 4);
    addExpertTo(b, countField, abbrev, 'Error', 'Malformed', message);
  }
  need(at, count * 4, l.list[1]);
  const start = at;
  const heading = (): string => {
    let text = '';
    for (let i = 0; i < count; i++) {
      const o = start + i * 4;
      if (ouiAt(data, o) === home) text += ` ${ouiLabel(home)} ${l.names[data[o + 3]!] ?? `Unknown ${data[o + 3]}`}`;
    }
    return text;
  };
  b.group(l.list[0], () => `${l.list[1]}${heading()}`, null, start, count * 4, () => {
    for (let i = 0; i < count; i++) suite(b, start + i * 4, l.item[0], l.item[1], l.names, home, l.homeType);
  }, '');
  return start + count * 4;
}

/** Reads within an element: past its end malformed (its own buffer), past the capture truncated. */
function elementReader(b: LayerBuilder, end: number): (o: number, n: number, what: string) => void {
  return (o, n, what) => {
    if (o + n > end) throw new StopDissection('malformed', `${what} runs past the end of the element`);
    b.need(o, n, what);
  };
}

/** The WPA Information Element's body after its type: version, multicast suite, unicast and AKM lists. */
function wpaBody(b: LayerBuilder, at: number, end: number): void {
  const data = b.data;
  const need = elementReader(b, end);
  need(at, 2, 'WPA Version');
  const version = data.readUInt16LE(at);
  b.add('wlan.wfa.ie.wpa.version', () => `WPA Version: ${version}`, version, at, 2);
  at += 2;
  need(at, 4, 'Multicast Cipher Suite');
  suite(b, at, 'wlan.wfa.ie.wpa.mcs', 'Multicast Cipher Suite', WPA_CIPHERS, OUI_MICROSOFT, 'wlan.wfa.ie.wpa.mcs.type');
  at = suiteList(b, at + 4, end, WPA_UNICAST, OUI_MICROSOFT, need);
  suiteList(b, at, end, WPA_AKM_LIST, OUI_MICROSOFT, need);
}

/**
 * The RSN Information element's body as Wireshark reads it: it may end after the version, the group
 * suite, the pairwise list, the capabilities (read whenever the AKM list was) and the PMKIDs.
 */
function rsnElement(b: LayerBuilder, at: number, end: number): void {
  const data = b.data;
  const need = elementReader(b, end);
  need(at, 2, 'RSN Version');
  const version = data.readUInt16LE(at);
  b.add('wlan.rsn.version', () => `RSN Version: ${version}`, version, at, 2);
  at += 2;
  if (at >= end) return;
  need(at, 4, 'Group Cipher Suite');
  suite(b, at, 'wlan.rsn.gcs', 'Group Cipher Suite', CIPHERS, OUI_IEEE80211, 'wlan.rsn.gcs.type');
  at += 4;
  if (at >= end) return;
  at = suiteList(b, at, end, RSN_PAIRWISE, OUI_IEEE80211, need);
  if (at >= end) return;
  at = suiteList(b, at, end, RSN_AKMS, OUI_IEEE80211, need);
  // Wireshark adds the capabilities without reading them first: past the element's end that fails
  // only where tshark builds a tree (-V, -T fields, -Y; not a plain summary, which reads no field
  // beyond the frame's).
  if (at + 2 > end && b.selection !== undefined && [...b.selection].every((name) => name.startsWith('frame.'))) return;
  need(at, 2, 'RSN Capabilities');
  const caps = data.readUInt16LE(at);
  const capsAt = at;
  b.group('wlan.rsn.capabilities', () => `RSN Capabilities: ${hex(caps, 4)}`, caps, capsAt, 2, () => {
    const pic = (mask: number): string => bitPicture(caps, mask, 16);
    const flag = (abbrev: string, mask: number, label: string, yes: string, no: string): void => {
      b.add(abbrev, () => `${pic(mask)} = ${label}: ${caps & mask ? yes : no}`, (caps & mask) !== 0, capsAt, 2);
    };
    flag('wlan.rsn.capabilities.preauth', 0x1, 'RSN Pre-Auth capabilities', 'Transmitter supports pre-authentication', 'Transmitter does not support pre-authentication');
    flag('wlan.rsn.capabilities.no_pairwise', 0x2, 'RSN No Pairwise capabilities', 'Transmitter cannot support WEP default key 0 simultaneously with Pairwise key', 'Transmitter can support WEP default key 0 simultaneously with Pairwise key');
    const ptksa = (caps >> 2) & 3;
    const gtksa = (caps >> 4) & 3;
    b.add('wlan.rsn.capabilities.ptksa_replay_counter', () => `${pic(0x0c)} = RSN PTKSA Replay Counter capabilities: ${REPLAY_COUNTERS[ptksa]} (${hex(ptksa, 1)})`, ptksa, capsAt, 2, () => hex(ptksa, 4));
    b.add('wlan.rsn.capabilities.gtksa_replay_counter', () => `${pic(0x30)} = RSN GTKSA Replay Counter capabilities: ${REPLAY_COUNTERS[gtksa]} (${hex(gtksa, 1)})`, gtksa, capsAt, 2, () => hex(gtksa, 4));
    flag('wlan.rsn.capabilities.mfpr', 0x40, 'Management Frame Protection Required', 'True', 'False');
    flag('wlan.rsn.capabilities.mfpc', 0x80, 'Management Frame Protection Capable', 'True', 'False');
    flag('wlan.rsn.capabilities.jmr', 0x100, 'Joint Multi-band RSNA', 'True', 'False');
    flag('wlan.rsn.capabilities.peerkey', 0x200, 'PeerKey Enabled', 'True', 'False');
    flag('wlan.rsn.capabilities.extended_key_id_iaf', 0x2000, 'Extended Key ID for Individually Addressed Frames', 'Supported', 'Not supported');
  }, () => hex(caps, 4));
  at += 2;
  if (at >= end) return;
  need(at, 2, 'PMKID Count');
  let pmkids = data.readUInt16LE(at);
  const countField = b.add('wlan.rsn.pmkid.count', () => `PMKID Count: ${pmkids}`, pmkids, at, 2);
  at += 2;
  if (at + pmkids * 16 > end) {
    const message = `PMKID Count too large, 16*${pmkids} > ${end - at}`;
    pmkids = Math.floor((end - at) / 16);
    addExpertTo(b, countField, 'wlan.rsn.pmkid.count.invalid', 'Error', 'Malformed', message);
  }
  const listAt = at;
  need(listAt, pmkids * 16, 'PMKID List');
  b.group('wlan.rsn.pmkid.list', 'PMKID List', null, listAt, pmkids * 16, () => {
    for (let i = 0; i < pmkids; i++) {
      const pmkid = data.subarray(listAt + i * 16, listAt + i * 16 + 16);
      b.add('wlan.pmkid.akms', () => `PMKID: ${pmkid.toString('hex')}`, pmkid, listAt + i * 16, 16, () => pmkid.toString('hex'));
    }
  }, '');
  at += pmkids * 16;
  if (at >= end) return;
  need(at, 4, 'Group Management Cipher Suite');
  suite(b, at, 'wlan.rsn.gmcs', 'Group Management Cipher Suite', CIPHERS, OUI_IEEE80211, 'wlan.rsn.gmcs.type');
}

/** The RSN Information element's body (tag 48). */
export function rsnBody(b: LayerBuilder, v: number, length: number): void {
  rsnElement(b, v, v + length);
}
