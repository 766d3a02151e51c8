/**
 * LLDP's organisation-specific TLVs (type 127) of IEEE 802.1 (VLANs, DCBX's ETS, PFC and
 * congestion notification) and IEEE 802.3 (MAC/PHY, power via MDI, link aggregation, maximum frame
 * size), as tshark 4.0's packet-lldp.c shows them: the TLV's heading "<organisation> - <subtype>"
 * and the value's fields. Value names Sievecap does not carry (MAU types, TSA) come from tshark's
 * own tables (integerValueText).
 */
import { hex, type LayerBuilder } from './builder';
import { addExpert } from './expert';
import { be16, be32, bitPicture, bytesHex, bytesLabelHex, macText } from './format';
import { integerValueText } from '../filter/value-names';
import { ouiVendor } from './names';

export const OUI_IEEE_802_1 = 0x0080c2;
export const OUI_IEEE_802_3 = 0x00120f;
const OUI_IANA = 0x00005e;

export const OUI_NAMES: Record<number, string> = { [OUI_IEEE_802_1]: 'IEEE', [OUI_IEEE_802_3]: 'Ieee 802.3', 0x0012bb: 'TIA', 0x00019b: 'Profinet', 0x00e091: 'IEEE 802.1Qbg', [OUI_IANA]: 'ICANN, IANA Department' };
const IANA_SUBTYPES: Record<number, string> = { 1: 'Manufacturer Usage Description URL' };

/** packet-lldp.c's dcbx_app_types: the application named in an application priority entry's heading. */
const DCBX_APPS: Record<number, string> = { 0x8906: 'FCoE', 0x0cbc: 'iSCSI' };

const IEEE_802_1_SUBTYPES: Record<number, string> = {
  1: 'Port VLAN ID', 2: 'Port and Protocol VLAN ID', 3: 'VLAN Name', 4: 'Protocol Identity', 7: 'Link Aggregation', 8: 'Congestion Notification',
  9: 'ETS Configuration', 10: 'ETS Recommendation', 11: 'Priority Flow Control Configuration', 12: 'Application Protocol', 13: 'EVB', 14: 'CDCP',
};
const IEEE_802_3_SUBTYPES: Record<number, string> = {
  1: 'MAC/PHY Configuration/Status', 2: 'Power Via MDI', 3: 'Link Aggregation', 4: 'Maximum Frame Size',
};

/** The heading of an organisation-specific TLV: "IEEE - Port VLAN ID". */
export function orgTlvTitle(data: Buffer, value: number, length: number): string | undefined {
  if (length < 4) return undefined;
  const oui = data.readUIntBE(value, 3);
  const names = oui === OUI_IEEE_802_1 ? IEEE_802_1_SUBTYPES : oui === OUI_IEEE_802_3 ? IEEE_802_3_SUBTYPES : oui === OUI_IANA ? IANA_SUBTYPES : undefined;
  const subtype = data[value + 3]!;
  if (!names) {
    // An organisation Sievecap has no dissector for: named from the manufacturer database.
    const vendor = OUI_NAMES[oui] === undefined ? ouiVendor(oui) : undefined;
    return vendor === undefined ? undefined : `${vendor} - Unknown (${subtype})`;
  }
  return `${OUI_NAMES[oui]} - ${names[subtype] ?? `Unknown (${subtype})`}`;
}

const flag = (b: LayerBuilder, abbrev: string, name: string, v: number, mask: number, bits: number, at: number, length: number, yes: string, no: string): void => {
  const set = (v & mask) !== 0;
  b.add(abbrev, () => `${bitPicture(v, mask, bits)} = ${name}: ${set ? yes : no}`, set, at, length);
};

/** An OUI and subtype header and the value after it (`at` is the OUI, `length` the TLV's value length). */
export function orgTlv(b: LayerBuilder, at: number, length: number): void {
  const data = b.data;
  b.need(at, 4, 'organisation-specific TLV');
  const oui = data.readUIntBE(at, 3);
  const subtype = data[at + 3]!;
  const known = OUI_NAMES[oui];
  const vendor = known === undefined ? ouiVendor(oui) : undefined;
  // BASE_OUI: the three bytes and the name in a 32-byte buffer (31 characters at most).
  b.add('lldp.orgtlv.oui', () => `Organization Unique Code: ${`${macText(data, at, 3)} (${known ?? vendor ?? 'Unknown'})`.slice(0, 31)}`, oui, at, 3);
  const v = at + 4;
  const n = length - 4;
  if (known === undefined && vendor !== undefined) {
    b.add('lldp.unknown_subtype', () => `Unknown Subtype: ${subtype}`, subtype, at + 3, 1);
    if (n > 0) b.add('lldp.unknown_subtype.content', () => `Unknown Subtype Content: ${bytesLabelHex(data, v, n)}`, data.subarray(v, v + n), v, n, () => bytesHex(data, v, n));
    return;
  }
  if (oui === OUI_IEEE_802_1) {
    b.add('lldp.ieee.802_1.subtype', () => `IEEE 802.1 Subtype: ${IEEE_802_1_SUBTYPES[subtype] ?? 'Unknown'} (${hex(subtype, 2)})`, subtype, at + 3, 1, () => hex(subtype, 2));
    ieee8021(b, subtype, v, n);
  } else if (oui === OUI_IEEE_802_3) {
    if (subtype === 3) {
      b.group('lldp.ieee.802_3.subtype', () => `IEEE 802.3 Subtype: ${IEEE_802_3_SUBTYPES[subtype]} (${hex(subtype, 2)})`, subtype, at + 3, 1, () => {
        addExpert(b, 'lldp.tlv_deprecated', 'Warning', 'Protocol', 'TLV has been deprecated', at + 3, 1);
      }, () => hex(subtype, 2));
    } else {
      b.add('lldp.ieee.802_3.subtype', () => `IEEE 802.3 Subtype: ${IEEE_802_3_SUBTYPES[subtype] ?? 'Unknown'} (${hex(subtype, 2)})`, subtype, at + 3, 1, () => hex(subtype, 2));
    }
    ieee8023(b, subtype, v, n);
  } else if (oui === OUI_IANA) {
    b.add('lldp.iana.subtype', () => `IANA Subtype: ${IANA_SUBTYPES[subtype] ?? 'Unknown'} (${hex(subtype, 2)})`, subtype, at + 3, 1, () => hex(subtype, 2));
    if (subtype === 1 && n > 0) {
      const url = data.toString('latin1', v, v + n);
      b.add('lldp.iana.mudurl', () => `Manufacturer Usage Description URL: ${url}`, url, v, n);
    }
  }
}

const decHex16 = (x: number): string => `${x} (${hex(x, 4)})`;

function ieee8021(b: LayerBuilder, subtype: number, at: number, n: number): void {
  const data = b.data;
  switch (subtype) {
    case 1: {
      b.need(at, 2, 'port VLAN ID');
      const id = be16(data, at);
      b.add('lldp.ieee.802_1.port_vlan.id', () => `Port VLAN Identifier: ${decHex16(id)}`, id, at, 2);
      return;
    }
    case 2: {
      b.need(at, 3, 'port and protocol VLAN ID');
      const flags = data[at]!;
      b.group('lldp.ieee.802_1.port_and_vlan_id_flag', () => `Flags: ${hex(flags, 2)}`, flags, at, 1, () => {
        flag(b, 'lldp.ieee.802_1.port_and_vlan_id_flag.supported', 'Port and Protocol VLAN', flags, 0x02, 8, at, 1, 'Supported', 'Not supported');
        flag(b, 'lldp.ieee.802_1.port_and_vlan_id_flag.enabled', 'Port and Protocol VLAN', flags, 0x04, 8, at, 1, 'Enabled', 'Disabled');
      }, () => hex(flags, 2));
      const id = be16(data, at + 1);
      b.add('lldp.ieee.802_1.port_proto_vlan.id', () => `Port and Protocol VLAN Identifier: ${decHex16(id)}`, id, at + 1, 2);
      return;
    }
    case 3: {
      b.need(at, 3, 'VLAN name');
      const id = be16(data, at);
      b.add('lldp.ieee.802_1.vlan.id', () => `VLAN Identifier: ${decHex16(id)}`, id, at, 2);
      const len = data[at + 2]!;
      b.add('lldp.ieee.802_1.vlan.name_len', () => `VLAN Name Length: ${len}`, len, at + 2, 1);
      b.need(at + 3, len, 'VLAN name');
      let end = at + 3;
      while (end < at + 3 + len && data[end] !== 0) end++;
      const name = data.toString('latin1', at + 3, end);
      b.add('lldp.ieee.802_1.vlan.name', () => `VLAN Name: ${name}`, name, at + 3, len);
      return;
    }
    case 4: {
      b.need(at, 1, 'protocol identity');
      const len = data[at]!;
      b.add('lldp.ieee.802_1.proto.id_length', () => `Protocol Identity Length: ${len}`, len, at, 1);
      b.need(at + 1, len, 'protocol identity');
      b.add('lldp.ieee.802_1.proto.id', () => `Protocol Identity: ${bytesHex(data, at + 1, len)}`, data.subarray(at + 1, at + 1 + len), at + 1, len, () => bytesHex(data, at + 1, len));
      return;
    }
    case 8: {
      b.need(at, 2, 'congestion notification');
      const cnpv = data[at]!;
      for (let i = 0; i < 8; i++) flag(b, `lldp.ieee.802_1qau.cnpv.prio${i}`, `Priority ${i} CNPV Capability`, cnpv, 1 << i, 8, at, 1, 'Enabled', 'Disabled');
      const ready = data[at + 1]!;
      for (let i = 0; i < 8; i++) flag(b, `lldp.ieee.802_1qau.ready.prio${i}`, `Priority ${i} Ready Indicator`, ready, 1 << i, 8, at + 1, 1, 'Set', 'Not set');
      return;
    }
    case 9:
    case 10: {
      b.need(at, 21, 'ETS');
      const first = data[at]!;
      if (subtype === 9) {
        flag(b, 'lldp.dcbx.ieee.willing', 'Willing', first, 0x80, 8, at, 1, 'Yes', 'No');
        flag(b, 'lldp.dcbx.ieee.ets.cbs', 'Credit-Based Shaper', first, 0x40, 8, at, 1, 'Supported', 'Not supported');
        const max = first & 7;
        b.add('lldp.dcbx.ieee.ets.maxtcs', () => `${bitPicture(first, 0x07, 8)} = Maximum Number of Traffic Classes: ${max === 0 ? 8 : max} (${hex(max, 1)})`, max, at, 1);
      } else {
        b.add('lldp.dcbx.feature.pg.reserved', () => `${bitPicture(first, 0xfe, 8)} = Reserved: ${hex(first >> 1, 2)}`, first >> 1, at, 1, () => hex(first >> 1, 2));
      }
      for (let word = 0; word < 2; word++) {
        const w = be16(data, at + 1 + 2 * word);
        for (let k = 0; k < 4; k++) {
          const prio = 4 * word + k;
          const mask = 0xf000 >> (4 * k);
          const pgid = (w & mask) >> (12 - 4 * k);
          b.add(`lldp.dcbx.feature.pg.pgid_prio${prio}`, () => `${bitPicture(w, mask, 16)} = PGID for Prio ${prio}: ${pgid}`, pgid, at + 1 + 2 * word, 2);
        }
      }
      for (let i = 0; i < 8; i++) {
        const per = data[at + 5 + i]!;
        b.add(`lldp.dcbx.feature.pg.per${i}`, () => `Bandwidth for PGID ${i}: ${per}`, per, at + 5 + i, 1);
      }
      for (let i = 0; i < 8; i++) {
        const tsa = data[at + 13 + i]!;
        b.add(`lldp.dcbx.ieee.ets.tsa${i}`, () => `TSA for Traffic Class ${i}: ${integerValueText(`lldp.dcbx.ieee.ets.tsa${i}`, tsa) ?? 'Unknown'} (${tsa})`, tsa, at + 13 + i, 1);
      }
      return;
    }
    case 11: {
      b.need(at, 2, 'PFC configuration');
      const first = data[at]!;
      flag(b, 'lldp.dcbx.ieee.willing', 'Willing', first, 0x80, 8, at, 1, 'Yes', 'No');
      flag(b, 'lldp.dcbx.ieee.pfc.mbc', 'MACsec Bypass Capability', first, 0x40, 8, at, 1, 'Capable', 'Not capable');
      b.add('lldp.dcbx.ieee.pfc.numtcs', () => `${bitPicture(first, 0x0f, 8)} = Max PFC Enabled Traffic Classes: ${first & 0x0f}`, first & 0x0f, at, 1);
      const enabled = data[at + 1]!;
      for (let i = 0; i < 8; i++) flag(b, `lldp.dcbx.feature.pfc.prio${i}`, `PFC for Priority ${i}`, enabled, 1 << i, 8, at + 1, 1, 'Enabled', 'Disabled');
      return;
    }
    case 12: {
      if (n < 1) return;
      const reserved = data[at]!;
      b.add('lldp.dcbx.ieee.app.reserved', () => `Reserved: ${hex(reserved, 2)}`, reserved, at, 1, () => hex(reserved, 2));
      // Application priority entries of three bytes: priority and selector, protocol ID.
      for (let e = at + 1; e + 3 <= at + n; e += 3) {
        const entry = e;
        const first = data[entry]!;
        const proto = be16(data, entry + 1);
        b.group('', `${DCBX_APPS[proto] ?? 'Unknown'} Application`, null, entry, 3, () => {
          b.add('lldp.dcbx.ieee.app.prio', () => `${bitPicture(first, 0xe0, 8)} = Application Priority: ${first >> 5}`, first >> 5, entry, 1);
          const sf = first & 7;
          b.add('lldp.dcbx.iee.app.sf', () => `${bitPicture(first, 0x07, 8)} = Application Selector: ${integerValueText('lldp.dcbx.iee.app.sf', sf) ?? 'Unknown'} (${sf})`, sf, entry, 1);
          b.add('lldp.dcbx.feature.app.proto', () => `Application Protocol Id: ${hex(proto, 4)}`, proto, entry + 1, 2, () => hex(proto, 4));
        });
      }
      return;
    }
    default:
      return;
  }
}

/** PMD auto-negotiation capability bits, from bit 0 up (and the same names read the wrong way round). */
const PMD_CAPS: ReadonlyArray<[name: string, label: string]> = [
  ['1000base_tfd', '1000BASE-T (full duplex mode)'], ['1000base_t', '1000BASE-T (half duplex mode)'],
  ['1000base_xfd', '1000BASE-X (-LX, -SX, -CX full duplex mode)'], ['1000base_x', '1000BASE-X (-LX, -SX, -CX half duplex mode)'],
  ['fdx_bpause', 'Asymmetric and Symmetric PAUSE (for full-duplex links)'], ['fdx_spause', 'Symmetric PAUSE (for full-duplex links)'],
  ['fdx_apause', 'Asymmetric PAUSE (for full-duplex links)'], ['fdx_pause', 'PAUSE (for full-duplex links)'],
  ['100base_t2fd', '100BASE-T2 (full duplex mode)'], ['100base_t2', '100BASE-T2 (half duplex mode)'],
  ['100base_txfd', '100BASE-TX (full duplex mode)'], ['100base_tx', '100BASE-TX (half duplex mode)'], ['100base_t4', '100BASE-T4'],
  ['10base_tfd', '10BASE-T (full duplex mode)'], ['10base_t', '10BASE-T (half duplex mode)'], ['other', 'Other or unknown'],
];

const POWER_CLASSES: Record<number, string> = { 1: '0', 2: '1', 3: '2', 4: '3', 5: '4' };
const POWER_TYPES = ['Type 2 PSE Device', 'Type 2 PD Device', 'Type 1 PSE Device', 'Type 1 PD Device'];
const PSE_SOURCES = ['Unknown', 'Primary Power Source', 'Backup Power Source', 'Reserved'];
const PD_SOURCES = ['Unknown', 'PSE', 'Local', 'PSE and Local'];
const POWER_PRIORITIES = ['Unknown', 'Critical', 'High', 'Low'];
/** packet-lldp.c's tenth-of-a-watt values: "20.7. Watt". */
const watts = (v: number): string => `${Math.floor(v / 10)}.${v % 10}. Watt`;

function ieee8023(b: LayerBuilder, subtype: number, at: number, n: number): void {
  const data = b.data;
  switch (subtype) {
    case 1: {
      b.need(at, 5, 'MAC/PHY configuration');
      const auto = data[at]!;
      b.group('lldp.ieee.802_3.mac_phy_auto_neg_status', () => `Auto-Negotiation Support/Status: ${hex(auto, 2)}`, auto, at, 1, () => {
        flag(b, 'lldp.ieee.802_3.mac_phy_auto_neg_status.supported', 'Auto-Negotiation', auto, 0x01, 8, at, 1, 'Supported', 'Not supported');
        flag(b, 'lldp.ieee.802_3.mac_phy_auto_neg_status.enabled', 'Auto-Negotiation', auto, 0x02, 8, at, 1, 'Enabled', 'Disabled');
      }, () => hex(auto, 2));
      const caps = be16(data, at + 1);
      const prefix = 'lldp.ieee.802_3.pmd_auto_neg_advertised_caps';
      b.group(prefix, () => `PMD Auto-Negotiation Advertised Capability: ${hex(caps, 4)}`, caps, at + 1, 2, () => {
        PMD_CAPS.forEach(([name, label], bit) => flag(b, `${prefix}.${name}`, label, caps, 1 << bit, 16, at + 1, 2, 'Capable', 'Not capable'));
      }, () => hex(caps, 4));
      b.group('', 'Same in inverse (wrong) bitorder', null, at + 1, 2, () => {
        PMD_CAPS.forEach(([name, label], bit) => flag(b, `${prefix}_inv.${name}`, label, caps, 0x8000 >> bit, 16, at + 1, 2, 'Capable', 'Not capable'));
      });
      const mau = be16(data, at + 3);
      b.add('lldp.ieee.802_3.pmd_mau_type', () => `Operational MAU Type: ${integerValueText('lldp.ieee.802_3.pmd_mau_type', mau) ?? 'Unknown'} (${hex(mau, 4)})`, mau, at + 3, 2, () => hex(mau, 4));
      return;
    }
    case 2: {
      b.need(at, 3, 'power via MDI');
      const support = data[at]!;
      const pse = (support & 1) !== 0;
      b.group('lldp.ieee.802_3.mdi_power_support', () => `MDI Power Support: ${hex(support, 2)}`, support, at, 1, () => {
        flag(b, 'lldp.ieee.802_3.mdi_power_support.port_class', 'Port Class', support, 0x01, 8, at, 1, 'PSE', 'PD');
        flag(b, 'lldp.ieee.802_3.mdi_power_support.supported', 'PSE MDI Power', support, 0x02, 8, at, 1, 'Supported', 'Not supported');
        flag(b, 'lldp.ieee.802_3.mdi_power_support.enabled', 'PSE MDI Power', support, 0x04, 8, at, 1, 'Enabled', 'Disabled');
        flag(b, 'lldp.ieee.802_3.mdi_power_support.pse_pairs', 'PSE Pairs Control Ability', support, 0x08, 8, at, 1, 'Yes', 'No');
      }, () => hex(support, 2));
      const pair = data[at + 1]!;
      b.add('lldp.ieee.802_3.mdi_pse_pair', () => `PSE Power Pair: ${pair}`, pair, at + 1, 1);
      const klass = data[at + 2]!;
      b.add('lldp.ieee.802_3.mdi_power_class', () => `Power Class: ${POWER_CLASSES[klass] ?? 'Unknown'} (${klass})`, klass, at + 2, 1);
      if (n < 8) return;
      const t = data[at + 3]!;
      b.add('lldp.ieee.802_3.mdi_power_type', () => `${bitPicture(t, 0xc0, 8)} = Power Type: ${POWER_TYPES[t >> 6]} (${t >> 6})`, t >> 6, at + 3, 1);
      const source = (t >> 4) & 3;
      b.add('lldp.ieee.802_3.mdi_power_source', () => `${bitPicture(t, 0x30, 8)} = Power Source: ${source} ${(pse ? PSE_SOURCES : PD_SOURCES)[source]}`, source, at + 3, 1);
      const priority = t & 0x0f;
      b.add('lldp.ieee.802_3.mdi_power_priority', () => `${bitPicture(t, 0x0f, 8)} = Power Priority: ${POWER_PRIORITIES[priority] ?? 'Unknown'} (${priority})`, priority, at + 3, 1);
      const requested = be16(data, at + 4);
      b.add('lldp.ieee.802_3.mdi_pde_requested', () => `PD Requested Power Value: ${watts(requested)}`, requested, at + 4, 2);
      const allocated = be16(data, at + 6);
      b.add('lldp.ieee.802_3.mdi_pse_allocated', () => `PSE Allocated Power Value: ${watts(allocated)}`, allocated, at + 6, 2);
      return;
    }
    case 3: {
      b.need(at, 5, 'link aggregation');
      const status = data[at]!;
      b.group('lldp.ieee.802_3.aggregation_status', () => `Aggregation Status: ${hex(status, 2)}`, status, at, 1, () => {
        flag(b, 'lldp.ieee.802_3.aggregation_status.cap', 'Aggregation Capability', status, 0x01, 8, at, 1, 'Yes', 'No');
        flag(b, 'lldp.ieee.802_3.aggregation_status.enabled', 'Aggregation Status', status, 0x02, 8, at, 1, 'Enabled', 'Disabled');
      }, () => hex(status, 2));
      const port = be32(data, at + 1);
      b.add('lldp.ieee.802_3.aggregated_port_id', () => `Aggregated Port Id: ${port}`, port, at + 1, 4);
      return;
    }
    case 4: {
      b.need(at, 2, 'maximum frame size');
      const size = be16(data, at);
      b.add('lldp.ieee.802_3.max_frame_size', () => `Maximum Frame Size: ${size}`, size, at, 2);
      return;
    }
    default:
      return;
  }
}
