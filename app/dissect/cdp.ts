/**
 * Cisco Discovery Protocol (SNAP with Cisco's OUI and PID 0x2000, Cisco HDLC protocol 0x2000, GRE
 * protocol type 0x2000) as tshark 4.0 shows it: version, TTL, checksum (with CDP's own odd-length
 * rule), then TLVs — device ID, addresses, port ID, capabilities, software version (a field per
 * line), platform, IP prefixes, protocol hello (cluster management), VTP domain, native VLAN,
 * duplex, VoIP VLAN, power, MTU, trust, system name/OID, management addresses, location, spare-pair
 * PoE, EnergyWise and the HP access-point TLVs; others show as "Type: X, length: N" with their data.
 * A TLV shorter than its own header ends the TLVs.
 * Info: "Device ID: R0  Port ID: Serial1/0  ".
 */
import { dissectSafely, hex, LayerBuilder } from './builder';
import { onesComplementSum } from './checksum';
import type { Dissector } from './dissector';
import { be16, bitPicture, ipv4Text, ipv6Text, macText } from './format';
import { escapedText } from './lldp';
import type { PacketState } from './packet-state';
import { checksumShouldBe } from './routing-common';
import { NLPID_NAMES } from './nhrp';

/** Cisco SNAP PID, Cisco HDLC protocol and GRE protocol type of CDP. */
export const CDP_PROTOCOL = 0x2000;

const TLV_TYPES: Record<number, string> = {
  0x0001: 'Device ID', 0x0002: 'Addresses', 0x0003: 'Port ID', 0x0004: 'Capabilities', 0x0005: 'Software version', 0x0006: 'Platform',
  0x0007: 'IP Prefix/Gateway (used for ODR)', 0x0008: 'Protocol Hello', 0x0009: 'VTP Management Domain', 0x000a: 'Native VLAN',
  0x000b: 'Duplex', 0x000e: 'VoIP VLAN Reply', 0x000f: 'VoIP VLAN Query', 0x0010: 'Power consumption', 0x0011: 'MTU',
  0x0012: 'Trust Bitmap', 0x0013: 'Untrusted Port CoS', 0x0014: 'System Name', 0x0015: 'System Object ID', 0x0016: 'Management Address',
  0x0017: 'Location', 0x0018: 'External Port-ID', 0x0019: 'Power Requested', 0x001a: 'Power Available', 0x001b: 'Port Unidirectional',
  0x001d: 'EnergyWise', 0x001f: 'Spare PoE', 0x1000: 'BSSID', 0x1001: 'Serial number', 0x1002: 'SSID', 0x1003: 'Radio1 channel',
  0x1006: 'SNMP UDP port', 0x1007: 'Web TCP port', 0x1008: 'Source MAC address', 0x1009: 'Radio2 channel', 0x100a: 'Radio1 Operating mode',
  0x100b: 'Radio2 Operating mode', 0x100c: 'Radio1 Radio mode', 0x100d: 'Radio2 Radio mode',
};
/** The HP access-point TLVs: a text shown under cdp.platform, and the heading of each. */
const HP_TEXT_TLVS: Record<number, string> = {
  0x1000: 'BSSID', 0x1001: 'Serial', 0x1003: 'Radio 1 channel', 0x1006: 'SNMP port', 0x1007: 'Web mgmt port', 0x1008: 'Source MAC',
  0x1009: 'Radio 2 channel', 0x100a: 'Radio 1 operating mode', 0x100b: 'Radio 2 operating mode', 0x100c: 'Radio 1 radio mode', 0x100d: 'Radio 2 radio mode',
};
const CAPABILITIES: [string, number, string][] = [
  ['router', 0x01, 'Router'], ['trans_bridge', 0x02, 'Transparent Bridge'], ['src_bridge', 0x04, 'Source Route Bridge'], ['switch', 0x08, 'Switch'],
  ['host', 0x10, 'Host'], ['igmp_capable', 0x20, 'IGMP capable'], ['repeater', 0x40, 'Repeater'], ['voip_phone', 0x80, 'VoIP Phone'],
  ['remote', 0x100, 'Remotely Managed Device'], ['cvta', 0x200, 'CVTA/STP Dispute Resolution/Cisco VT Camera'], ['mac_relay', 0x400, 'Two Port Mac Relay'],
];
const HELLO_TYPES: Record<number, string> = { 0x0112: 'Cluster Management' };
const NRGYZ_TYPES: Record<number, string> = { 7: 'Role', 8: 'Domain', 9: 'Name', 0x17: 'Reply To' };
const PROTOCOL_TYPES: Record<number, string> = { 1: 'NLPID', 2: '802.2' };
const OUI_NAMES: Record<number, string> = { 0x00000c: 'Cisco Systems, Inc' };

export function dissectCdp(d: Dissector, p: PacketState, data: Buffer, offset: number, end: number): number | void {
  const b = new LayerBuilder(data, 'cdp', 'Cisco Discovery Protocol', offset, end, p.selection);
  let info = '';
  dissectSafely(b, () => {
    const version = b.u8(offset, 'version');
    b.add('cdp.version', () => `Version: ${version}`, version, offset, 1);
    const ttl = b.u8(offset + 1, 'TTL');
    b.add('cdp.ttl', () => `TTL: ${ttl} seconds`, ttl, offset + 1, 1);
    // The checksum covers the whole PDU: Wireshark reads all of it first (a short capture stops here).
    b.need(offset, end - offset, 'CDP PDU');
    const checksum = b.u16(offset + 2, 'checksum');
    const computed = b.wants('cdp.checksum') || b.wants('cdp.checksum.status') || b.wants('cdp.bad_checksum') ? cdpChecksum(data, offset, end) : 0;
    b.add('cdp.checksum', () => `Checksum: ${hex(checksum, 4)} ${computed === 0 ? '[correct]' : `incorrect, should be ${hex(checksumShouldBe(checksum, computed), 4)}`}`,
      checksum, offset + 2, 2, () => hex(checksum, 4));
    b.add('cdp.checksum.status', () => `[Checksum Status: ${computed === 0 ? 'Good' : 'Bad'}]`, computed === 0 ? 1 : 0, offset + 2, 0);
    if (computed !== 0) b.add('cdp.bad_checksum', 'Expert Info (Error/Checksum): Bad checksum', null, offset + 2, 2, '1');
    let at = offset + 4;
    while (at !== end) {
      const type = b.u16(at, 'TLV type');
      const length = b.u16(at + 2, 'TLV length');
      const tlvAt = at;
      if (length < 4) {
        b.group('', () => `TLV with invalid length ${length} (< 4)`, null, at, 4, () => typeAndLength(b, tlvAt, type, length));
        break;
      }
      if (type === 0x0001) info += `Device ID: ${stringz(data, at + 4, at + length)}  `;
      if (type === 0x0003) {
        // Wireshark's fix for one capture: when the byte after the TLV is not the high byte of a
        // type, the TLV is taken to be 3 bytes longer than it says.
        let real = length;
        if (end - at >= length + 3 && b.u8(at + length) !== 0) real = length + 3;
        info += `Port ID: ${stringz(data, at + 4, at + length)}  `;
        b.need(at + 4, real - 4, 'Port ID');
        const text = escapedText(data, at + 4, at + real);
        b.group('', () => `Port ID: ${text}`, null, at, real, () => {
          typeAndLength(b, tlvAt, type, length);
          b.add('cdp.portid', () => `Sent through Interface: ${text}`, text, tlvAt + 4, real - 4);
        });
        at += real;
        continue;
      }
      at = tlv(d, b, type, length, tlvAt);
    }
  });
  p.addLayer(b.layer);
  const suffix = b.layer.status === 'malformed' ? '[Malformed Packet]' : b.layer.status === 'truncated' ? '[Packet size limited during capture]' : '';
  p.setProtocol('CDP', info + suffix);
  return end;
}

/**
 * The Internet checksum as CDP computes it (0 when it verifies): an odd-length PDU's last byte is
 * taken as the low byte of a word, less one on both bytes when its top bit is set (Cisco's sign bug).
 */
function cdpChecksum(data: Buffer, offset: number, end: number): number {
  const length = end - offset;
  if (!(length & 1)) return ~onesComplementSum(data, offset, end) & 0xffff;
  let sum = onesComplementSum(data, offset, end - 1);
  let high = 0;
  let low = data[end - 1]!;
  if (low & 0x80) {
    low = (low - 1) & 0xff;
    high = 0xff;
  }
  sum += (high << 8) | low;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/** Text up to the first NUL, escaped as tvb_format_stringzpad does. */
function stringz(data: Buffer, start: number, stop: number): string {
  return escapedText(data, start, Math.min(stop, data.length));
}

function typeAndLength(b: LayerBuilder, at: number, type: number, length: number): void {
  b.add('cdp.tlv.type', () => `Type: ${TLV_TYPES[type] ?? 'Unknown'} (${hex(type, 4)})`, type, at, 2, () => hex(type, 4));
  b.add('cdp.tlv.len', () => `Length: ${length}`, length, at + 2, 2);
}

function stringField(b: LayerBuilder, abbrev: string, name: string, at: number, length: number): string {
  b.need(at, length, name);
  const text = escapedText(b.data, at, at + length);
  b.add(abbrev, () => `${name}: ${text}`, text, at, length);
  return text;
}

/** One TLV other than the port ID; returns where the next starts. */
function tlv(d: Dissector, b: LayerBuilder, type: number, length: number, at: number): number {
  const data = b.data;
  const value = at + 4;
  const valueLength = length - 4;
  // Wireshark adds the TLV's item first, with the TLV's length: it must fit.
  const group = (title: () => string, body: () => void) => {
    b.need(at, length, 'TLV');
    b.group('', title, null, at, length, () => {
      typeAndLength(b, at, type, length);
      body();
    });
  };
  const text = (from = value) => {
    b.need(from, at + length - from, 'TLV value');
    return escapedText(data, from, at + length);
  };
  switch (type) {
    case 0x0001: {
      const t = text();
      group(() => `Device ID: ${t}`, () => stringField(b, 'cdp.deviceid', 'Device ID', value, valueLength));
      return at + length;
    }
    case 0x0002:
    case 0x0016: {
      let next = at + length;
      group(() => (type === 2 ? 'Addresses' : 'Management Addresses'), () => {
        let n = b.u32(value, 'number of addresses');
        b.add('cdp.number_of_addresses', () => `Number of addresses: ${n}`, n, value, 4);
        let pos = value + 4;
        let left = valueLength - 4;
        while (n !== 0) {
          const used = address(b, pos, left);
          if (used < 0) break;
          pos += used;
          left -= used;
          n--;
        }
        next = pos + left;
      });
      return next;
    }
    case 0x0004:
      group(() => 'Capabilities', () => {
        if (valueLength < 4) return;
        const caps = b.u32(value, 'capabilities');
        b.group('cdp.capabilities', () => `Capabilities: ${hex(caps, 8)}`, caps, value, 4, () => {
          for (const [name, mask, label] of CAPABILITIES) {
            b.add(`cdp.capabilities.${name}`, () => `${bitPicture(caps, mask, 32)} = ${label}: ${caps & mask ? 'Yes' : 'No'}`, (caps & mask) !== 0, value, 4);
          }
        }, () => hex(caps, 8));
      });
      return at + length;
    case 0x0005:
      group(() => 'Software Version', () => lines(b, value, valueLength));
      return at + length;
    case 0x0006:
    case 0x0009:
    case 0x0014: {
      const [abbrev, name] = type === 6 ? ['cdp.platform', 'Platform'] : type === 9 ? ['cdp.vtp_management_domain', 'VTP Management Domain'] : ['cdp.system_name', 'System Name'];
      const t = text();
      group(() => `${name}: ${t}`, () => stringField(b, abbrev, name, value, valueLength));
      return at + length;
    }
    case 0x0007:
      if (length === 8) {
        b.need(value, 4, 'gateway');
        const gw = ipv4Text(data, value);
        group(() => `ODR Default gateway: ${gw}`, () => b.add('cdp.odr_default_gateway', () => `ODR Default gateway: ${gw}`, gw, value, 4));
        return at + 8;
      }
      {
        let pos = value;
        group(() => `IP Prefixes: ${Math.floor(length / 5)}`, () => {
          for (let left = valueLength; left > 0; left -= 5) {
            b.need(pos, 5, 'IP prefix');
            const prefix = ipv4Text(data, pos);
            const bits = data[pos + 4]!;
            // Wireshark gives the field the address read as a host-order number (tvb_get_ntohl), so
            // its value is the address byte-reversed; the label shows it right.
            const value = `${data[pos + 3]}.${data[pos + 2]}.${data[pos + 1]}.${data[pos]}`;
            b.add('cdp.ip_prefix', () => `IP Prefix: ${prefix}/${bits}`, value, pos, 5);
            pos += 5;
          }
        });
        return pos;
      }
    case 0x0008: {
      const id = b.u16(at + 7, 'protocol ID');
      group(() => `Protocol Hello: ${HELLO_TYPES[id] ?? `Unknown (${hex(id, 4)})`}`, () => {
        b.need(value, 3, 'OUI');
        const oui = data.readUIntBE(value, 3);
        b.add('cdp.oui', () => `OUI: ${ouiText(oui)}${OUI_NAMES[oui] ? ` (${OUI_NAMES[oui]})` : ''}`, oui, value, 3);
        b.add('cdp.protocol_id', () => `Protocol ID: ${HELLO_TYPES[id] ?? 'Unknown'} (${hex(id, 4)})`, id, at + 7, 2, () => hex(id, 4));
        if (id === 0x0112) {
          ip(b, 'cdp.cluster.master_ip', 'Cluster Master IP', at + 9);
          ip(b, 'cdp.cluster.ip', 'IP?', at + 13);
          byteHex(b, 'cdp.cluster.version', 'Version?', at + 17);
          byteHex(b, 'cdp.cluster.sub_version', 'Sub Version?', at + 18);
          byteHex(b, 'cdp.cluster.status', 'Status?', at + 19);
          byteHex(b, 'cdp.cluster.unknown', 'UNKNOWN', at + 20);
          mac(d, b, 'cdp.cluster.commander_mac', 'Cluster Commander MAC', at + 21);
          mac(d, b, 'cdp.cluster.switch_mac', "Switch's MAC", at + 27);
          byteHex(b, 'cdp.cluster.unknown', 'UNKNOWN', at + 33);
          const vlan = b.u16(at + 34, 'management VLAN');
          b.add('cdp.cluster.management_vlan', () => `Management VLAN: ${vlan}`, vlan, at + 34, 2);
        } else bytesField(b, 'cdp.hello.unknown', 'Unknown', at + 9, length - 9);
      });
      return at + length;
    }
    case 0x000a: {
      const vlan = b.u16(value, 'native VLAN');
      group(() => `Native VLAN: ${vlan}`, () => b.add('cdp.native_vlan', () => `Native VLAN: ${vlan}`, vlan, value, 2));
      return at + length;
    }
    case 0x000b: {
      const full = b.u8(value, 'duplex') !== 0;
      group(() => `Duplex: ${full ? 'Full' : 'Half'}`, () => b.add('cdp.duplex', () => `Duplex: ${full ? 'Full' : 'Half'}`, full, value, 1));
      return at + length;
    }
    case 0x000e:
    case 0x000f: {
      const name = type === 0x0e ? 'VoIP VLAN Reply' : 'VoIP VLAN Query';
      const vlan = length >= 7 ? b.u16(value + 1, 'voice VLAN') : -1;
      group(() => (vlan >= 0 ? `${name}: VLAN ${vlan}` : name), () => {
        bytesField(b, 'cdp.data', 'Data', value, 1);
        if (vlan >= 0) b.add('cdp.voice_vlan', () => `Voice VLAN: ${vlan}`, vlan, value + 1, 2);
      });
      return at + length;
    }
    case 0x0010: {
      const mw = b.u16(value, 'power');
      group(() => `Power Consumption: ${mw} mW`, () => b.add('cdp.power_consumption', () => `Power Consumption: ${mw}mW`, mw, value, 2));
      return at + length;
    }
    case 0x0011: {
      const mtu = b.u32(value, 'MTU');
      group(() => `MTU: ${mtu}`, () => b.add('cdp.mtu', () => `MTU: ${mtu}`, mtu, value, 4));
      return at + length;
    }
    case 0x0012:
    case 0x0013: {
      const v = b.u8(value, 'TLV value');
      const [abbrev, name] = type === 0x12 ? ['cdp.trust_bitmap', 'Trust Bitmap'] : ['cdp.untrusted_port_cos', 'Untrusted port CoS'];
      group(() => `${name}: 0x${v.toString(16).toUpperCase().padStart(2, '0')}`, () => b.add(abbrev, () => `${name}: ${hex(v, 2)}`, v, value, 1, () => hex(v, 2)));
      return at + length;
    }
    case 0x0015:
      group(() => 'System Object Identifier', () => bytesField(b, 'cdp.system_object_identifier', 'System Object Identifier', value, valueLength));
      return at + length;
    case 0x0017: {
      const t = text(value + 1);
      group(() => `Location: ${t}`, () => {
        byteHex(b, 'cdp.location.unknown', 'UNKNOWN', value);
        stringField(b, 'cdp.location', 'Location', value + 1, length - 5);
      });
      return at + length;
    }
    case 0x0019:
    case 0x001a:
      return power(b, type, length, at);
    case 0x001d:
      group(() => 'EnergyWise', () => energyWise(b, value));
      return at + length;
    case 0x001f:
      group(() => 'Spare Pair PoE', () => {
        if (valueLength === 0) return;
        const v = b.u8(value, 'spare pair PoE');
        b.group('cdp.spare_poe_tlv', () => `Spare Pair PoE: ${hex(v, 2)}`, v, value, 1, () => {
          const bit = (abbrev: string, mask: number, name: string, yes: string, no: string) =>
            b.add(abbrev, () => `${bitPicture(v, mask, 8)} = ${name}: ${v & mask ? yes : no}`, (v & mask) !== 0, value, 1);
          bit('cdp.spare_poe_tlv.poe', 0x01, 'PSE Four-Wire PoE', 'Supported', 'Not supported');
          bit('cdp.spare_poe_tlv.spare_pair_arch', 0x02, 'PD Spare Pair Architecture', 'Shared', 'Independent');
          bit('cdp.spare_poe_tlv.req_spare_pair_poe', 0x04, 'PD Request Spare Pair PoE', 'On', 'Off');
          bit('cdp.spare_poe_tlv.pse_spare_pair_poe', 0x08, 'PSE Spare Pair PoE', 'On', 'Off');
        }, () => hex(v, 2));
      });
      return at + length;
    case 0x1002:
      if (length === 4) {
        group(() => 'SSID: [Empty]', () => undefined);
        return at + length;
      }
      {
        const t = text();
        group(() => `SSID: ${t}`, () => stringField(b, 'cdp.platform', 'Platform', value, valueLength));
      }
      return at + length;
    default: {
      const hp = HP_TEXT_TLVS[type];
      if (hp) {
        const t = text();
        group(() => `${hp}: ${t}`, () => stringField(b, 'cdp.platform', 'Platform', value, valueLength));
        return at + length;
      }
      group(() => `Type: ${TLV_TYPES[type] ?? `Unknown (${hex(type, 4)})`}, length: ${length}`, () => {
        if (valueLength > 0) bytesField(b, 'cdp.data', 'Data', value, valueLength);
      });
      return at + length;
    }
  }
}

/** One address of an Addresses / Management Addresses TLV; -1 when it does not fit. */
function address(b: LayerBuilder, start: number, length: number): number {
  const data = b.data;
  if (length < 1) return -1;
  let result = -1;
  let at = start;
  let title = 'Truncated address';
  const item = b.group('', () => title, null, start, length, () => {
    const protocolType = b.u8(at, 'protocol type');
    b.add('cdp.protocol_type', () => `Protocol type: ${PROTOCOL_TYPES[protocolType] ?? 'Unknown'} (${hex(protocolType, 2)})`, protocolType, at, 1, () => hex(protocolType, 2));
    at += 1;
    let left = length - 1;
    if (left < 1) return;
    const protocolLength = b.u8(at, 'protocol length');
    b.add('cdp.protocol_length', () => `Protocol length: ${protocolLength}`, protocolLength, at, 1);
    at += 1;
    left -= 1;
    if (left < protocolLength) {
      if (left !== 0) bytesField(b, 'cdp.protocol', 'Protocol', at, left, ' (truncated)');
      return;
    }
    const nlpid = protocolType === 1 && protocolLength === 1 ? b.u8(at, 'protocol') : -1;
    const protocol = b.bytes(at, protocolLength, 'protocol');
    const ethertype = protocolType === 2 && protocolLength === 8 ? be16(protocol, 6) : -1;
    if (nlpid >= 0) {
      const name = NLPID_NAMES[nlpid] ?? `Unknown (${hex(nlpid, 2)})`;
      b.add('cdp.protocol', () => `Protocol: ${name}`, protocol, at, 1, protocol.toString('hex'));
    } else if (ethertype === 0x86dd) {
      // An 802.2 SNAP header naming IPv6.
      b.add('cdp.protocol', 'Protocol: IPv6', protocol, at, protocolLength, protocol.toString('hex'));
    } else bytesField(b, 'cdp.protocol', 'Protocol', at, protocolLength);
    at += protocolLength;
    left -= protocolLength;
    if (left < 2) return;
    const addressLength = b.u16(at, 'address length');
    b.add('cdp.address_length', () => `Address length: ${addressLength}`, addressLength, at, 2);
    at += 2;
    left -= 2;
    if (left < addressLength) {
      if (left !== 0) bytesField(b, 'cdp.address', 'Address', at, left, ' (truncated)');
      return;
    }
    if (nlpid === 0xcc && addressLength === 4) {
      b.need(at, 4, 'IP address');
      const v4 = ipv4Text(data, at);
      title = `IP address: ${v4}`;
      b.add('cdp.nrgyz.ip_address', () => `IP Address: ${v4}`, v4, at, 4);
    } else if (ethertype === 0x86dd && addressLength === 16) {
      b.need(at, 16, 'IPv6 address');
      const v6 = ipv6Text(data, at);
      title = `IPv6 address: ${v6}`;
      b.add('cdp.nrgyz.ipv6_address', () => `IPv6 Address: ${v6}`, v6, at, 16);
    } else {
      const raw = b.bytes(at, addressLength, 'address').toString('hex');
      title = `Address: ${raw}`;
      bytesField(b, 'cdp.address', 'Address', at, addressLength);
    }
    result = 2 + protocolLength + 2 + addressLength;
  });
  // The heading is known only at the end (Wireshark sets it last).
  if (b.tree && item.children !== undefined) item.label = title;
  return result;
}

/** Power Requested / Power Available: request and management IDs, then values in mW. */
function power(b: LayerBuilder, type: number, length: number, at: number): number {
  const requested = type === 0x19;
  const [abbrev, name, heading] = requested ? ['cdp.power_requested', 'Power Requested', 'Power Request: '] : ['cdp.power_available', 'Power Available', 'Power Available: '];
  const values: number[] = [];
  let next = at + 8;
  b.need(at, length, 'TLV');
  const item = b.group('', heading, null, at, length, () => {
    typeAndLength(b, at, type, length);
    const request = b.u16(at + 4, 'request ID');
    b.add('cdp.request_id', () => `Request-ID: ${request}`, request, at + 4, 2);
    const management = b.u16(at + 6, 'management ID');
    b.add('cdp.management_id', () => `Management-ID: ${management}`, management, at + 6, 2);
    let left = (length - 8) & 0xffffffff;
    let pos = at + 8;
    while (left > 0) {
      if (left > 4 || (!requested && left === 4)) {
        const v = b.u32(pos, name);
        values.push(v);
        b.add(abbrev, () => `${name}: ${v}mW`, v, pos, 4);
        left -= 4;
        pos += 4;
      } else {
        if (left === 4) {
          const v = b.u32(pos, name);
          values.push(v);
          b.add(abbrev, () => `${name}: ${v}mW`, v, pos, 4);
        }
        pos += left;
        break;
      }
    }
    next = pos;
  });
  // The heading lists the values, known once they are read.
  if (b.tree && item.children !== undefined) item.label = heading + values.map((v) => `${v} mW`).join(', ');
  return next;
}

/** EnergyWise: fixed fields, then its own TLVs (4-byte type and length). */
function energyWise(b: LayerBuilder, value: number): void {
  const data = b.data;
  bytesField(b, 'cdp.encrypted_data', 'Encrypted Data', value, 20);
  const seen = b.u32(value + 20);
  b.add('cdp.seen_sequence', () => `Seen Sequence?: ${seen}`, seen, value + 20, 4);
  const seq = b.u32(value + 24);
  b.add('cdp.sequence_number', () => `Sequence Number: ${seq}`, seq, value + 24, 4);
  stringField(b, 'cdp.model_number', 'Model Number', value + 28, 16);
  const pad = b.u16(value + 44);
  b.add('cdp.unknown_pad', () => `Unknown Pad: ${hex(pad, 4)}`, pad, value + 44, 2, () => hex(pad, 4));
  stringField(b, 'cdp.hardware_version_id', 'Hardware Version ID', value + 46, 3);
  stringField(b, 'cdp.system_serial_number', 'System Serial Number', value + 49, 11);
  bytesField(b, 'cdp.nrgyz_unknown_values', 'Unknown Values', value + 60, 8);
  let length = b.u16(value + 68);
  b.add('cdp.len_tlv_table', () => `Length of TLV table: ${length}`, length, value + 68, 2);
  let num = b.u16(value + 70);
  b.add('cdp.num_tlvs_table', () => `Number of TLVs in table: ${num}`, num, value + 70, 2);
  let at = value + 72;
  while (num-- > 0 && length >= 8) {
    const t = b.u32(at);
    const l = b.u32(at + 4);
    if (length < l) break;
    length -= l;
    if (l < 8) {
      b.add('cdp.nrgyz_tlv.length.invalid', `TLV with invalid length ${l} (< 8)`, null, at, 8);
      break;
    }
    const name = NRGYZ_TYPES[t] ?? `Unknown (${hex(t, 4)})`;
    const tAt = at;
    const title = () => {
      if (t === 7 || t === 8 || t === 9) return `EnergyWise ${name}: ${escapedText(data, tAt + 8, tAt + l)}`;
      if (t === 0x17) return `EnergyWise ${name}: ${ipv4Text(data, tAt + 12)} port ${be16(data, tAt + 10)}`;
      return `EnergyWise ${name} TLV`;
    };
    b.need(at, l, 'EnergyWise TLV');
    b.group('', title, null, at, l, () => {
      b.add('cdp.nrgyz.tlv.type', () => `TLV Type: ${NRGYZ_TYPES[t] ?? 'Unknown'} (${hex(t, 8)})`, t, tAt, 4, () => hex(t, 8));
      b.add('cdp.nrgyz.tlv.len', () => `TLV Length: ${l}`, l, tAt + 4, 4);
      if (t === 7) stringField(b, 'cdp.nrgyz_reply_to.role', 'Role', tAt + 8, l - 8);
      else if (t === 8) stringField(b, 'cdp.nrgyz_reply_to.domain', 'Domain', tAt + 8, l - 8);
      else if (t === 9) stringField(b, 'cdp.nrgyz_reply_to.name', 'Name', tAt + 8, l - 8);
      else if (t === 0x17) {
        const unknown = be16(data, tAt + 8);
        b.add('cdp.nrgyz_reply_to.unknown_field', () => `Unknown Field: ${hex(unknown, 4)}`, unknown, tAt + 8, 2, () => hex(unknown, 4));
        const port = be16(data, tAt + 10);
        b.add('cdp.nrgyz_reply_to.port', () => `Port: ${port}`, port, tAt + 10, 2);
        ip(b, 'cdp.nrgyz_reply_to.ip_address', 'IP Address', tAt + 12);
        const backupPort = b.u16(tAt + 16);
        b.add('cdp.nrgyz_reply_to.backup_server_port', () => `Backup server Port?: ${backupPort}`, backupPort, tAt + 16, 2);
        ip(b, 'cdp.nrgyz_reply_to.backup_server_ip', 'Backup Server IP?', tAt + 18);
      } else if (l > 8) bytesField(b, 'cdp.data', 'Data', tAt + 8, l - 8);
    });
    at += l;
  }
  if (length) b.add('cdp.invalid_data', () => `Invalid bytes at end`, null, at, length);
}

/** The software version: one cdp.software_version per line (the line end belongs to its field). */
function lines(b: LayerBuilder, start: number, length: number): void {
  const data = b.data;
  b.need(start, length, 'software version');
  let at = start;
  let left = length;
  while (left > 0) {
    let lineEnd = at;
    const stop = at + left;
    while (lineEnd < stop && data[lineEnd] !== 0x0a && data[lineEnd] !== 0x0d) lineEnd++;
    let next = lineEnd;
    if (lineEnd < stop) next = data[lineEnd] === 0x0d && lineEnd + 1 < stop && data[lineEnd + 1] === 0x0a ? lineEnd + 2 : lineEnd + 1;
    const text = escapedText(data, at, lineEnd);
    b.add('cdp.software_version', () => `Software version: ${text}`, text, at, next - at);
    left -= next - at;
    at = next;
  }
}

function ip(b: LayerBuilder, abbrev: string, name: string, at: number): void {
  b.need(at, 4, name);
  const text = ipv4Text(b.data, at);
  b.add(abbrev, () => `${name}: ${text}`, text, at, 4);
}

function mac(d: Dissector, b: LayerBuilder, abbrev: string, name: string, at: number): void {
  b.need(at, 6, name);
  const text = macText(b.data, at);
  b.add(abbrev, () => `${name}: ${d.macLabel(text)}`, text, at, 6);
}

function byteHex(b: LayerBuilder, abbrev: string, name: string, at: number): void {
  const v = b.u8(at, name);
  b.add(abbrev, () => `${name}: ${hex(v, 2)}`, v, at, 1, () => hex(v, 2));
}

function bytesField(b: LayerBuilder, abbrev: string, name: string, at: number, length: number, suffix = ''): void {
  const v = b.bytes(at, length, name);
  const text = v.toString('hex');
  b.add(abbrev, () => `${name}: ${text}${suffix}`, v, at, length, text);
}

function ouiText(oui: number): string {
  const h = oui.toString(16).padStart(6, '0');
  return `${h.slice(0, 2)}:${h.slice(2, 4)}:${h.slice(4, 6)}`;
}
