/**
 * Cisco's Hot Standby Router Protocol on UDP 1985 (and 2029 for HSRPv2 over IPv6), as tshark 4.0
 * shows it. Like Wireshark, the version is told by the destination: 224.0.0.2 carries HSRPv1
 * (RFC 2281 hello/coup/resign and the interface-state advertisement), 224.0.0.102 and IPv6 on
 * port 2029 carry HSRPv2 TLVs (group state, interface state, text and MD5 authentication). Other
 * traffic on the port is not HSRP. Both versions are layer `hsrp`; the HSRPv2 fields are hsrp2.*.
 */
import { dissectSafely, hex, LayerBuilder } from './builder';
import { ipv4Text, ipv6Text, macText } from './app-format';
import type { AppContext, AppDissector, AppResult, Layer } from './model';

export const HSRP_PORT = 1985;
export const HSRP2_V6_PORT = 2029;
const V1_GROUP = '224.0.0.2';
const V2_GROUP = '224.0.0.102';

const OPCODES: Record<number, string> = { 0: 'Hello', 1: 'Coup', 2: 'Resign', 3: 'Advertise' };
const STATES: Record<number, string> = { 0: 'Initial', 1: 'Learn', 2: 'Listen', 4: 'Speak', 8: 'Standby', 16: 'Active' };
const ADV_TYPES: Record<number, string> = { 1: 'HSRP interface state', 2: 'IP redundancy' };
const ADV_STATES: Record<number, string> = { 1: 'Dormant', 2: 'Passive', 3: 'Active' };
const V2_STATES: Record<number, string> = { 1: 'Init', 2: 'Learn', 3: 'Listen', 4: 'Speak', 5: 'Standby', 6: 'Active' };
const IP_VERSIONS: Record<number, string> = { 4: 'IPv4', 6: 'IPv6' };

type Version = 1 | 2;

/** Which HSRP version Wireshark reads this datagram as, or undefined when it is not HSRP. */
export function hsrpVersion(ctx: Pick<AppContext, 'transport' | 'dstPort' | 'dst'>): Version | undefined {
  if (ctx.transport !== 'udp' || (ctx.dstPort !== HSRP_PORT && ctx.dstPort !== HSRP2_V6_PORT)) return undefined;
  if (ctx.dst === V1_GROUP) return 1;
  if (ctx.dst === V2_GROUP || (ctx.dst.includes(':') && ctx.dstPort === HSRP2_V6_PORT)) return 2;
  return undefined;
}

export const hsrpDissector: AppDissector = {
  protocol: 'hsrp',
  fieldPrefixes: ['hsrp2'],
  udpPorts: [HSRP_PORT, HSRP2_V6_PORT],
  claims: (_data, _offset, _end, ctx) => hsrpVersion(ctx) !== undefined,
  dissect: (data, offset, end, ctx) => {
    const version = hsrpVersion(ctx);
    if (version !== undefined) return dissectHsrp(data, offset, end, version, ctx.fields, ctx.macName);
    // Not HSRP (Wireshark's dissector declines): tshark 4.0 then shows nothing more when the
    // destination port was HSRP's, and the payload as data when only the source port was.
    const toHsrpPort = ctx.dstPort === HSRP_PORT || ctx.dstPort === HSRP2_V6_PORT;
    const stop = Math.min(end, data.length);
    return { layers: toHsrpPort || stop <= offset ? [] : [dataLayer(data, offset, stop, ctx.fields)], protocolColumn: '', info: '' };
  },
};

export function dissectHsrp(data: Buffer, offset: number, end: number, version: Version, selection?: ReadonlySet<string>, macName?: (mac: string) => string): AppResult {
  const b = new LayerBuilder(data, 'hsrp', 'Cisco Hot Standby Router Protocol', offset, end, selection);
  const layers: Layer[] = [b.layer];
  const rest = (at: number) => {
    const stop = Math.min(end, data.length);
    if (at < stop) layers.push(dataLayer(data, at, stop, selection));
  };
  let info = '';
  const setInfo = (text: string) => (info = text);
  dissectSafely(b, () => (version === 1 ? dissectV1(b, offset, end, rest, setInfo) : dissectV2(b, offset, end, rest, setInfo, macName)));
  if (b.layer.status === 'malformed') info += '[Malformed Packet]';
  return { layers, protocolColumn: version === 1 ? 'HSRP' : 'HSRPv2', info };
}

function dissectV1(b: LayerBuilder, offset: number, end: number, rest: (at: number) => void, setInfo: (text: string) => void): void {
  const data = b.data;
  const opcode = b.u8(offset + 1, 'opcode');
  let info = OPCODES[opcode] ?? 'Unknown';
  if (opcode < 3) info += ` (state ${STATES[b.u8(offset + 2, 'state')] ?? 'Unknown'})`;
  else if (opcode === 3) info += ` (state ${ADV_STATES[b.u8(offset + 6, 'advertisement state')] ?? 'Unknown'})`;
  setInfo(info);
  const uint = (abbrev: string, label: string, at: number, size: 1 | 2 | 4, names?: Record<number, string>) => {
    b.need(at, size, label);
    const v = size === 1 ? data[at]! : size === 2 ? data.readUInt16BE(at) : data.readUInt32BE(at);
    b.add(abbrev, () => (names ? `${label}: ${names[v] ?? 'Unknown'} (${v})` : `${label}: ${v}`), v, at, size);
    return v;
  };
  uint('hsrp.version', 'Version', offset, 1);
  uint('hsrp.opcode', 'Op Code', offset + 1, 1, OPCODES);
  let at = offset + 2;
  if (opcode < 3) {
    uint('hsrp.state', 'State', at, 1, STATES);
    const hello = b.u8(at + 1, 'hellotime');
    b.add('hsrp.hellotime', () => `Hellotime: ${hello === 3 ? '' : 'Non-'}Default (${hello})`, hello, at + 1, 1);
    const hold = b.u8(at + 2, 'holdtime');
    b.add('hsrp.holdtime', () => `Holdtime: ${hold === 10 ? '' : 'Non-'}Default (${hold})`, hold, at + 2, 1);
    uint('hsrp.priority', 'Priority', at + 3, 1);
    uint('hsrp.group', 'Group', at + 4, 1);
    uint('hsrp.reserved', 'Reserved', at + 5, 1);
    authData(b, 'hsrp.auth_data', at + 6);
    b.need(at + 14, 4, 'virtual IP address');
    const vip = ipv4Text(data, at + 14);
    b.add('hsrp.virt_ip', () => `Virtual IP Address: ${vip}`, vip, at + 14, 4);
  } else if (opcode === 3) {
    uint('hsrp.adv.tlvtype', 'Adv type', at, 2, ADV_TYPES);
    uint('hsrp.adv.tlvlength', 'Adv length', at + 2, 2);
    uint('hsrp.adv.state', 'Adv state', at + 4, 1, ADV_STATES);
    uint('hsrp.adv.reserved1', 'Adv reserved1', at + 5, 1);
    uint('hsrp.adv.activegrp', 'Adv active groups', at + 6, 2);
    uint('hsrp.adv.passivegrp', 'Adv passive groups', at + 8, 2);
    uint('hsrp.adv.reserved2', 'Adv reserved2', at + 10, 4);
  } else {
    rest(at);
    return;
  }
  // 20 bytes of HSRP and a 30-byte MD5 authentication TLV (looked for where Wireshark looks).
  at = offset + (opcode === 3 ? 16 : 20);
  if (Math.min(end, data.length) - offset === 50 && data[at] === 4 && data[at + 1] === 28) md5Tlv(b, at);
}

function dissectV2(b: LayerBuilder, offset: number, end: number, rest: (at: number) => void, setInfo: (text: string) => void, macName?: (mac: string) => string): void {
  const data = b.data;
  const uint = (abbrev: string, label: string, at: number, size: 1 | 2 | 4, names?: Record<number, string>) => {
    b.need(at, size, label);
    const v = size === 1 ? data[at]! : size === 2 ? data.readUInt16BE(at) : data.readUInt32BE(at);
    b.add(abbrev, () => (names ? `${label}: ${names[v] ?? 'Unknown'} (${v})` : `${label}: ${v}`), v, at, size);
    return v;
  };
  let at = offset;
  while (at < end) {
    const type = b.u8(at, 'TLV type');
    const length = b.u8(at + 1, 'TLV length');
    const start = at;
    if (type === 1 && length === 40) {
      const opcode = b.u8(at + 3, 'opcode');
      const state = b.u8(at + 4, 'state');
      setInfo(`${opcode < 3 ? OPCODES[opcode] : 'Unknown'} (state ${V2_STATES[state] ?? 'Unknown'})`);
      let unknownVersion = false;
      b.group('hsrp2.group_state_tlv', () => `Group State TLV: Type=${type} Len=${length}`, type, at, 2, () => {
        const v = at + 2;
        uint('hsrp2.version', 'Version', v, 1);
        b.add('hsrp2.opcode', () => `Op Code: ${opcode < 3 ? OPCODES[opcode] : 'Unknown'} (${opcode})`, opcode, v + 1, 1);
        uint('hsrp2.state', 'State', v + 2, 1, V2_STATES);
        const ipVersion = uint('hsrp2.ipversion', 'IP Ver.', v + 3, 1, IP_VERSIONS);
        uint('hsrp2.group', 'Group', v + 4, 2);
        b.need(v + 6, 6, 'identifier');
        const id = macText(data, v + 6);
        b.add('hsrp2.identifier', () => `Identifier: ${macName ? `${macName(id)} (${id})` : id}`, id, v + 6, 6);
        uint('hsrp2.priority', 'Priority', v + 12, 4);
        const hello = b.u32(v + 16, 'hellotime');
        b.add('hsrp2.hellotime', () => `Hellotime: ${hello === 3000 ? '' : 'Non-'}Default (${hello})`, hello, v + 16, 4);
        const hold = b.u32(v + 20, 'holdtime');
        b.add('hsrp2.holdtime', () => `Holdtime: ${hold === 10000 ? '' : 'Non-'}Default (${hold})`, hold, v + 20, 4);
        if (ipVersion === 4) {
          b.need(v + 24, 4, 'virtual IP address');
          const vip = ipv4Text(data, v + 24);
          b.add('hsrp2.virt_ip', () => `Virtual IP Address: ${vip}`, vip, v + 24, 4);
        } else if (ipVersion === 6) {
          b.need(v + 24, 16, 'virtual IPv6 address');
          const vip = ipv6Text(data, v + 24);
          b.add('hsrp2.virt_ip_v6', () => `Virtual IPv6 Address: ${vip}`, vip, v + 24, 16);
        } else {
          rest(v + 24);
          unknownVersion = true;
        }
      });
      if (unknownVersion) break;
    } else if (type === 2 && length === 4) {
      const active = b.u16(at + 2, 'active groups');
      const passive = b.u16(at + 4, 'passive groups');
      setInfo(`Interface State TLV (Act=${active} Pass=${passive})`);
      // tshark 4.0 labels this TLV with its whole size as "Len".
      b.group('hsrp2.interface_state_tlv', () => `Interface State TLV: Type=${type} Len=${length + 2}`, type, at, 1, () => {
        b.add('hsrp2.active_groups', () => `Active Groups: ${active}`, active, at + 2, 2);
        b.add('hsrp2.passive_groups', () => `Passive Groups: ${passive}`, passive, at + 4, 2);
      });
    } else if (type === 3 && length === 8) {
      b.group('hsrp2.text_auth_tlv', () => `Text Authentication TLV: Type=${type} Len=${length}`, type, at, 1, () => authData(b, 'hsrp2.auth_data', at + 2));
    } else if (type === 4 && length === 28) {
      md5Tlv(b, at);
    } else {
      rest(at);
      break;
    }
    at = start + length + 2;
  }
}

/** The 8-byte clear-text password, shown up to its first NUL; "Default" when it starts "cisco". */
function authData(b: LayerBuilder, abbrev: string, at: number): void {
  const bytes = b.bytes(at, 8, 'authentication data');
  const nul = bytes.indexOf(0);
  const text = bytes.toString('latin1', 0, nul < 0 ? 8 : nul);
  const isDefault = bytes.toString('latin1', 0, 5) === 'cisco';
  b.add(abbrev, () => `Authentication Data: ${isDefault ? '' : 'Non-'}Default (${text})`, text, at, 8);
}

function md5Tlv(b: LayerBuilder, at: number): void {
  const data = b.data;
  const type = b.u8(at, 'MD5 TLV type');
  const length = b.u8(at + 1, 'MD5 TLV length');
  b.group('hsrp2.md5_auth_tlv', () => `MD5 Authentication TLV: Type=${type} Len=${length}`, type, at, 1, () => {
    const algorithm = b.u8(at + 2, 'MD5 algorithm');
    b.add('hsrp2.md5_algorithm', () => `MD5 Algorithm: ${algorithm === 1 ? 'MD5' : 'Unknown'} (${algorithm})`, algorithm, at + 2, 1);
    const padding = b.u8(at + 3, 'padding');
    b.add('hsrp2.md5_padding', () => `Padding: ${hex(padding, 2)}`, padding, at + 3, 1, () => hex(padding, 2));
    const flags = b.u16(at + 4, 'MD5 flags');
    b.add('hsrp2.md5_flags', () => `MD5 Flags: ${flags}`, flags, at + 4, 2);
    b.need(at + 6, 4, "sender's IP address");
    const sender = ipv4Text(data, at + 6);
    b.add('hsrp.md5_ip_address', () => `Sender's IP Address: ${sender}`, sender, at + 6, 4);
    const key = b.u32(at + 10, 'MD5 key ID');
    b.add('hsrp2.md5_key_id', () => `MD5 Key ID: ${key}`, key, at + 10, 4);
    const digest = b.bytes(at + 14, 16, 'MD5 authentication data');
    b.add('hsrp2.md5_auth_data', () => `MD5 Authentication Data: ${digest.toString('hex')}`, digest, at + 14, 16, () => digest.toString('hex'));
  });
}

/** A "data" layer, as Wireshark's data dissector shows bytes a payload dissector hands it. */
export function dataLayer(data: Buffer, offset: number, stop: number, selection?: ReadonlySet<string>): Layer {
  const b = new LayerBuilder(data, 'data', `Data (${stop - offset} bytes)`, offset, stop, selection);
  const bytes = data.subarray(offset, stop);
  b.add('data.data', () => `Data: ${bytes.toString('hex', 0, 36)}${bytes.length > 36 ? '…' : ''}`, bytes, offset, bytes.length, () => bytes.toString('hex'));
  b.add('data.len', () => `[Length: ${bytes.length}]`, bytes.length, offset, 0);
  return b.layer;
}
