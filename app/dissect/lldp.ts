/**
 * Link Layer Discovery Protocol (IEEE 802.1AB, ethertype 0x88cc) as tshark 4.0 shows it: TLVs with
 * 7-bit type and 9-bit length; the mandatory Chassis ID, Port ID and Time to Live TLVs first (an
 * LLDPDU that does not start with them is "Invalid ... TLV"), then port and system description,
 * system name, capabilities, management address and organisation-specific TLVs (OUI and subtype).
 * Info: "MA/00:18:ba:98:68:8f LA/Fa0/13 120 SysN=S1 SysD=... ".
 */
import { addExpert } from './expert';
import { berOid } from './ber';
import { oidLabel } from './snmp';
import { orgTlv, orgTlvTitle } from './lldp-org';
import { dissectSafely, hex, LayerBuilder } from './builder';
import type { Dissector } from './dissector';
import { be16, bitPicture, ipv4Text, ipv6Text, macText } from './format';
import type { PacketState } from './packet-state';

export const ETHERTYPE_LLDP = 0x88cc;

const TLV_NAMES: Record<number, string> = {
  0: 'End of LLDPDU', 1: 'Chassis Id', 2: 'Port Id', 3: 'Time to Live', 4: 'Port Description', 5: 'System Name',
  6: 'System Description', 7: 'System Capabilities', 8: 'Management Address', 127: 'Organization Specific',
};
const CHASSIS_SUBTYPES: Record<number, [string, string]> = {
  0: ['Reserved', 'RES'], 1: ['Chassis component', 'CC'], 2: ['Interface alias', 'IA'], 3: ['Port component', 'PC'],
  4: ['MAC address', 'MA'], 5: ['Network address', 'NA'], 6: ['Interface name', 'IN'], 7: ['Locally assigned', 'LA'],
};
const PORT_SUBTYPES: Record<number, [string, string]> = {
  0: ['Reserved', 'RES'], 1: ['Interface alias', 'IA'], 2: ['Port component', 'PC'], 3: ['MAC address', 'MA'],
  4: ['Network address', 'NA'], 5: ['Interface name', 'IN'], 6: ['Agent circuit Id', 'AC'], 7: ['Locally assigned', 'LA'],
};
const ADDRESS_FAMILIES: Record<number, string> = { 1: 'IPv4', 2: 'IPv6', 6: '802 (includes all 802 media plus Ethernet "canonical format")' };
const CAPABILITIES: [string, string][] = [
  ['other', 'Other'], ['repeater', 'Repeater'], ['bridge', 'Bridge'], ['wlan_access_pt', 'WLAN access point'], ['router', 'Router'],
  ['telephone', 'Telephone'], ['docsis_cable_device', 'DOCSIS cable device'], ['station_only', 'Station only'],
];
const INTERFACE_SUBTYPES: Record<number, string> = { 1: 'Unknown', 2: 'ifIndex', 3: 'System port number' };
const MANDATORY: Record<number, string> = { 1: 'Chassis ID', 2: 'Port ID', 3: 'Time-to-Live' };
const INVALID: Record<number, string> = { 1: 'Invalid Chassis ID TLV', 2: 'Invalid Port ID TLV', 3: 'Invalid Time-to-Live TLV' };

function hex2(n: number): string {
  return n.toString(16).padStart(2, '0');
}

/** A string field's value itself (up to a NUL), as -T json and PDML write it. */
function rawText(data: Buffer, start: number, stop: number): string {
  const nul = data.indexOf(0, start);
  return data.toString('latin1', start, nul >= 0 && nul < stop ? nul : stop);
}

/** A string field as Wireshark shows FT_STRING text: control characters escaped (\n, \r, \t, \xNN). */
export function escapedText(data: Buffer, start: number, stop: number): string {
  let s = '';
  for (let i = start; i < stop; i++) {
    const c = data[i]!;
    if (c === 0) break;
    if (c === 0x0a) s += '\\n';
    else if (c === 0x0d) s += '\\r';
    else if (c === 0x09) s += '\\t';
    else if (c < 0x20 || c === 0x7f) s += `\\x${hex2(c)}`;
    else if (c === 0x5c) s += '\\\\';
    else s += String.fromCharCode(c);
  }
  return s;
}

export function dissectLldp(d: Dissector, p: PacketState, data: Buffer, offset: number, end: number): number | void {
  const b = new LayerBuilder(data, 'lldp', 'Link Layer Discovery Protocol', offset, end, p.selection);
  let info = '';
  let at = offset;
  let ended = false;
  dissectSafely(b, () => {
    let index = 0;
    // No End of LLDPDU TLV: the TLVs stop where the frame does.
    while (at < end) {
      const header = b.u16(at, 'TLV header');
      const type = header >> 9;
      const length = header & 0x1ff;
      index++;
      if (index <= 3 && type !== index) {
        // Wireshark stops at a missing mandatory TLV and claims the rest of the frame, with an
        // item saying what it found (proto_tree_add_expert_format: the message is its label).
        info = INVALID[index]!;
        const upper = (n: number): string => `0x${n.toString(16).toUpperCase().padStart(2, '0')}`;
        const message = `Invalid ${MANDATORY[index]} (${upper(type)}), expected (${upper(index)})`;
        b.group('', message, null, at, 2, () => {
          addExpert(b, 'lldp.bad_type', 'Warning', 'Malformed', message, at, 2);
          b.add('_ws.malformed', 'Malformed Packet', 'Malformed Packet', at, 0, '_ws.malformed').hidden = true;
        });
        at = Math.max(at, Math.min(end, data.length));
        return;
      }
      b.need(at + 2, length, 'TLV value');
      const value = at + 2;
      const tlvAt = at;
      b.group('', () => tlvTitle(data, type, value, length), null, at, 2 + length, () => {
        b.add('lldp.tlv.type', () => `${bitPicture(header, 0xfe00, 16)} = TLV Type: ${TLV_NAMES[type] ?? 'Unknown'} (${type})`, type, tlvAt, 2);
        b.add('lldp.tlv.len', () => `${bitPicture(header, 0x01ff, 16)} = TLV Length: ${length}`, length, tlvAt, 2);
        info += tlvValue(d, b, type, value, length);
      });
      at += 2 + length;
      if (type === 0) {
        ended = true;
        return;
      }
    }
  });
  b.setLength(at - offset);
  p.addLayer(b.layer);
  p.setProtocol('LLDP', info);
  // tshark 4.0 hands back three bytes fewer than an LLDPDU with its End TLV takes: the Ethernet
  // layer shows the last byte before the End TLV and the End TLV itself as padding or trailer.
  return ended ? at - 3 : at;
}

/** The heading of a TLV's subtree, as Wireshark words it. */
function tlvTitle(data: Buffer, type: number, value: number, length: number): string {
  if ((type === 1 || type === 2) && length >= 1) {
    const subtype = data[value]!;
    const names = (type === 1 ? CHASSIS_SUBTYPES : PORT_SUBTYPES)[subtype];
    const macSubtype = type === 1 ? 4 : 3;
    const id = subtype === macSubtype && length === 7 ? macText(data, value + 1) : escapedText(data, value + 1, value + length);
    return `${type === 1 ? 'Chassis' : 'Port'} Subtype = ${names?.[0] ?? 'Reserved'}, Id: ${id}`;
  }
  if (type === 3 && length >= 2) return `Time To Live = ${be16(data, value)} sec`;
  if (type === 7) return 'Capabilities';
  if (type === 127) {
    const title = orgTlvTitle(data, value, length);
    if (title !== undefined) return title;
  }
  return `${TLV_NAMES[type] ?? 'Unknown TLV'}${tlvSummary(data, type, value, length)}`;
}

function tlvSummary(data: Buffer, type: number, value: number, length: number): string {
  if ((type === 4 || type === 5 || type === 6) && length > 0) return ` = ${escapedText(data, value, value + length)}`;
  return '';
}

/** Adds a TLV's value fields; returns its part of the Info column. */
function tlvValue(d: Dissector, b: LayerBuilder, type: number, at: number, length: number): string {
  const data = b.data;
  const stop = at + length;
  switch (type) {
    case 1:
    case 2: {
      const chassis = type === 1;
      const subtype = b.u8(at, 'ID subtype');
      const names = (chassis ? CHASSIS_SUBTYPES : PORT_SUBTYPES)[subtype];
      const prefix = chassis ? 'lldp.chassis' : 'lldp.port';
      const label = chassis ? 'Chassis Id' : 'Port Id';
      b.add(`${prefix}.subtype`, () => `${label} Subtype: ${names?.[0] ?? 'Reserved'} (${subtype})`, subtype, at, 1);
      let text: string;
      if (subtype === (chassis ? 4 : 3) && length === 7) {
        text = macText(data, at + 1);
        b.add(`${prefix}.id.mac`, () => `${label}: ${d.macLabel(text)}`, text, at + 1, 6);
      } else if (subtype === (chassis ? 5 : 4) && length >= 2) {
        const family = data[at + 1]!;
        b.add('lldp.network_address.subtype', () => `Network Address family: ${ADDRESS_FAMILIES[family] ?? 'Unknown'} (${family})`, family, at + 1, 1);
        if (family === 1 && length === 6) {
          text = ipv4Text(data, at + 2);
          b.add(`${prefix}.id.ip4`, () => `${label}: ${text}`, text, at + 2, 4);
        } else if (family === 2 && length === 18) {
          text = ipv6Text(data, at + 2);
          b.add(`${prefix}.id.ip6`, () => `${label}: ${text}`, text, at + 2, 16);
        } else {
          text = macText(data, at + 2, length - 2);
          b.add(`${prefix}.id`, () => `${label}: ${text}`, data.subarray(at + 2, stop), at + 2, length - 2, text);
        }
      } else if (chassis && subtype === 7) {
        // A locally assigned chassis ID is bytes to Wireshark (its Info still shows them as text).
        text = escapedText(data, at + 1, stop);
        const bytes = data.toString('hex', at + 1, stop);
        b.add(`${prefix}.id`, () => `${label}: ${bytes}`, data.subarray(at + 1, stop), at + 1, length - 1, bytes);
      } else {
        text = escapedText(data, at + 1, stop);
        b.add(`${prefix}.id`, () => `${label}: ${text}`, text, at + 1, length - 1);
      }
      return `${names?.[1] ?? 'Unknown'}/${text} `;
    }
    case 3: {
      const ttl = b.u16(at, 'time to live');
      b.add('lldp.time_to_live', () => `Seconds: ${ttl}`, ttl, at, 2);
      return `${ttl} `;
    }
    case 4: {
      const text = escapedText(data, at, stop);
      b.add('lldp.port.desc', () => `Port Description: ${text}`, rawText(data, at, stop), at, length, text);
      return '';
    }
    case 5: {
      const text = escapedText(data, at, stop);
      b.add('lldp.tlv.system.name', () => `System Name: ${text}`, rawText(data, at, stop), at, length, text);
      return `SysN=${text} `;
    }
    case 6: {
      const text = escapedText(data, at, stop);
      b.add('lldp.tlv.system.desc', () => `System Description: ${text}`, rawText(data, at, stop), at, length, text);
      return `SysD=${text} `;
    }
    case 7: {
      capabilities(b, 'lldp.tlv.system_cap', 'Capabilities', b.u16(at, 'capabilities'), at);
      capabilities(b, 'lldp.tlv.enable_system_cap', 'Enabled Capabilities', b.u16(at + 2, 'enabled capabilities'), at + 2);
      return '';
    }
    case 8: {
      managementAddress(b, at, stop);
      return '';
    }
    case 127: {
      orgTlv(b, at, length);
      return '';
    }
    default:
      return '';
  }
}

function capabilities(b: LayerBuilder, abbrev: string, title: string, value: number, at: number): void {
  b.group(abbrev, () => `${title}: ${hex(value, 4)}`, value, at, 2, () => {
    CAPABILITIES.forEach(([name, label], bit) => {
      const set = (value & (1 << bit)) !== 0;
      b.add(`${abbrev}.${name}`, () => `${bitPicture(value, 1 << bit, 16)} = ${label}: ${set ? 'Capable' : 'Not capable'}`, set, at, 2);
    });
  }, () => hex(value, 4));
}

function managementAddress(b: LayerBuilder, at: number, stop: number): void {
  const data = b.data;
  const addressLength = b.u8(at, 'management address length');
  b.add('lldp.mgn.address.len', () => `Address String Length: ${addressLength}`, addressLength, at, 1);
  const family = b.u8(at + 1, 'management address subtype');
  b.add('lldp.mgn.address.subtype', () => `Address Subtype: ${ADDRESS_FAMILIES[family] ?? 'Unknown'} (${family})`, family, at + 1, 1);
  const addressBytes = addressLength - 1;
  b.need(at + 2, Math.max(0, addressBytes), 'management address');
  if (family === 1 && addressBytes === 4) {
    const text = ipv4Text(data, at + 2);
    b.add('lldp.mgn.addr.ip4', () => `Management Address: ${text}`, text, at + 2, 4);
  } else if (family === 2 && addressBytes === 16) {
    const text = ipv6Text(data, at + 2);
    b.add('lldp.mgn.addr.ip6', () => `Management Address: ${text}`, text, at + 2, 16);
  }
  let next = at + 1 + addressLength;
  if (next + 5 > stop) return;
  const interfaceSubtype = data[next]!;
  b.add('lldp.mgn.interface.subtype', () => `Interface Subtype: ${INTERFACE_SUBTYPES[interfaceSubtype] ?? 'Unknown'} (${interfaceSubtype})`, interfaceSubtype, next, 1);
  const number = data.readUInt32BE(next + 1);
  b.add('lldp.mgn.interface.number', () => `Interface Number: ${number}`, number, next + 1, 4);
  next += 5;
  if (next + 1 > stop) return;
  const oidLength = data[next]!;
  b.add('lldp.mgn.obj.len', () => `OID String Length: ${oidLength}`, oidLength, next, 1);
  if (oidLength > 0 && next + 1 + oidLength <= stop) {
    const oid = berOid(data, next + 1, oidLength);
    b.add('lldp.mgn.obj.id', () => `Object Identifier: ${oidLabel(oid)}`, oid, next + 1, oidLength);
  }
}
