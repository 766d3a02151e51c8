/**
 * PIM version 2 (RFC 7761, IP protocol 103) as tshark 4.0 shows it: the common header with its
 * checksum status (over the whole message, or the first 8 bytes of a Register; with the IPv6
 * pseudo-header over IPv6), Hello options, Register (the encapsulated packet handed on by its IP
 * version nibble), Register-stop, Join/Prune (and Graft, Graft-Ack), Bootstrap, Assert,
 * Candidate-RP-Advertisement and State-Refresh, with PIM's encoded addresses.
 */
import { dissectSafely, hex, LayerBuilder, StopDissection } from './builder';
import { checksumOk, ipv6PseudoSum, onesComplementSum } from './checksum';
import type { Dissector } from './dissector';
import { bitPicture, ipv4Text, ipv6Text, setText } from './format';
import type { PacketState } from './packet-state';
import { checksumShouldBe, statusSuffix } from './routing-common';

const TYPES: Record<number, string> = {
  0: 'Hello', 1: 'Register', 2: 'Register-stop', 3: 'Join/Prune', 4: 'Bootstrap', 5: 'Assert', 6: 'Graft', 7: 'Graft-Ack',
  8: 'Candidate-RP-Advertisement', 9: 'State-Refresh', 10: 'DF election', 11: 'ECMP redirect',
};
const HELLO_OPTIONS: Record<number, string> = {
  1: 'Hold Time', 2: 'LAN Prune Delay', 17: 'Label Parameters', 18: 'Deprecated', 19: 'DR Priority', 20: 'Generation ID',
  21: 'State-Refresh', 22: 'Bidirectional Capable', 23: 'VCI Capability', 24: 'Address List', 25: 'Neighbor List TLV',
  26: 'Join Attribute', 27: 'PIM-over-TCP-Capable', 28: 'PIM-over-SCTP-Capable', 29: 'Pop-Count', 30: 'PIM MT-ID',
  31: 'Interface ID', 32: 'PIM ECMP Redirect Hello Option', 33: 'vPC Peer ID', 34: 'DR Load Balancing Capability',
  35: 'DR Load Balancing List', 36: 'Hierarchical Join/Prune Attribute', 65001: 'Address list, old implementation',
  65004: 'RPF Proxy Vector (Cisco proprietary)',
};
const REGISTER = 1;
const IP_PROTO_PIM = 103;
const AF_NAMES: Record<number, string> = { 1: 'IPv4', 2: 'IPv6' };
const ENCODINGS: Record<number, string> = { 0: 'Native', 1: 'Native with Join Attribute' };
const JOIN_ATTRIBUTES: Record<number, string> = {
  0: 'RPF Vector TLV', 1: 'MVPN Join Attribute', 2: 'MT-ID Join Attribute', 3: 'Pop-Count', 4: 'Explicit RPF Vector', 5: 'Transport Attribute', 6: 'Receiver RLOC Attribute',
};

const holdtimeText = (t: number, goodbye: boolean): string => (t === 0xffff ? `Infinity (${t})` : goodbye && t === 0 ? `goodbye (${t})` : String(t));

export function dissectPim(d: Dissector, p: PacketState, data: Buffer, offset: number, end: number): void {
  // An IPv4 packet with no payload (a Register's inner header alone): nothing to show, as in
  // tshark. IPv6 hands even an empty payload on, and PIM then runs out of bytes (malformed).
  if (offset >= end && !p.netSrc.includes(':')) return;
  const b = new LayerBuilder(data, 'pim', 'Protocol Independent Multicast', offset, end, p.selection);
  const overIpv6 = p.netSrc.includes(':');
  let inner = -1;
  let version = -1;
  let type = -1;
  dissectSafely(b, () => {
    const first = b.u8(offset, 'PIM version and type');
    version = first >> 4;
    type = first & 0xf;
    b.add('pim.version', () => `${bitPicture(first, 0xf0, 8)} = Version: ${version}`, version, offset, 1);
    b.add('pim.type', () => `${bitPicture(first, 0x0f, 8)} = Type: ${TYPES[type] ?? 'Unknown'} (${type})`, type, offset, 1);
    const second = b.u8(offset + 1, 'PIM reserved');
    if (type === 10) {
      b.add('pim.df_elect.subtype', () => `${bitPicture(second, 0xf0, 8)} = DF Subtype: ${second >> 4}`, second >> 4, offset + 1, 1);
      b.add('pim.df_elect.rsvd', () => `${bitPicture(second, 0x0f, 8)} = DF reserved: ${second & 0xf}`, second & 0xf, offset + 1, 1);
    } else reservedBytes(b, offset + 1, 1);
    const checksum = b.u16(offset + 2, 'PIM checksum');
    let status = 2;
    const coverEnd = version === 2 && type === REGISTER ? offset + 8 : end;
    if (version === 2 && (b.wants('pim.cksum') || b.wants('pim.cksum.status')) && coverEnd <= end && coverEnd <= data.length) {
      let pseudo = 0;
      if (overIpv6 && p.ipv6Data !== null) {
        const ip = p.ipv6Data;
        pseudo = ipv6PseudoSum(ip.subarray(p.ipv6At + 8, p.ipv6At + 24), ip.subarray(p.ipv6At + 24, p.ipv6At + 40), coverEnd - offset, IP_PROTO_PIM);
      }
      status = checksumOk(data, offset, coverEnd, pseudo) ? 1 : 0;
      const shouldBe = () => checksumShouldBe(checksum, ~onesComplementSum(data, offset, coverEnd, pseudo) & 0xffff);
      b.add('pim.cksum', () => `Checksum: ${hex(checksum, 4)} ${status === 1 ? '[correct]' : `incorrect, should be ${hex(shouldBe(), 4)}`}`, checksum, offset + 2, 2, () => hex(checksum, 4));
    } else b.add('pim.cksum', () => `Checksum: ${hex(checksum, 4)} [unverified]`, checksum, offset + 2, 2, () => hex(checksum, 4));
    b.add('pim.cksum.status', () => `[Checksum Status: ${['Bad', 'Good', 'Unverified'][status]}]`, status, offset + 2, 0);
    const body = offset + 4;
    if (body >= end) return;
    if (version !== 2) {
      b.add('pim.option', 'PIM Options', null, offset, end - offset, '1');
      return;
    }
    let optionCount = 0;
    const trailing: number[] = [];
    try {
      const options = b.group('pim.option', 'PIM Options', null, body, end - body, () => {
        if (type === 0) optionCount = hello(b, body, end);
        else if (type === REGISTER) inner = register(b, body, overIpv6);
        else messageBody(b, type, second >> 4, body, end, trailing);
      }, '1');
      if (type === 0 && b.tree) options.label = `PIM Options: ${optionCount}`;
    } finally {
      for (const at of trailing) reservedBytes(b, at, 1);
    }
  });
  p.addLayer(b.layer);
  // A Register makes the columns read-only once its checksum is added: no expert note reaches Info.
  p.setProtocol(`PIMv${version < 0 ? 2 : version}`, (version === 2 ? (TYPES[type] ?? `Unknown (${type})`) : 'Unknown') + (type === REGISTER ? '' : statusSuffix(b.layer)));
  if (inner < 0) return;
  const innerVersion = inner < Math.min(end, data.length) ? data[inner]! >> 4 : 0;
  // tshark keeps PIM's columns: the encapsulated packet may not overwrite them.
  const protocolColumn = p.protocolColumn;
  const info = p.info;
  if (innerVersion === 4) d.byEthertype(p, 0x0800, data, inner, end);
  else if (innerVersion === 6) d.byEthertype(p, 0x86dd, data, inner, end);
  p.setProtocol(protocolColumn, info);
}

function reservedBytes(b: LayerBuilder, at: number, length: number): void {
  const bytes = b.bytes(at, length, 'reserved bytes');
  b.add('pim.res_bytes', () => `Reserved byte(s): ${bytes.toString('hex')}`, Buffer.from(bytes), at, length, () => bytes.toString('hex'));
}

/** Hello options; returns how many there were. */
function hello(b: LayerBuilder, start: number, end: number): number {
  let count = 0;
  let at = start;
  while (end - at >= 2) {
    count++;
    const option = b.u16(at, 'option type');
    const length = b.u16(at + 2, 'option length');
    const name = HELLO_OPTIONS[option] ?? `Unknown: ${option}`;
    const optAt = at;
    // tshark's option item spans the option's length: one running past the data stops it there.
    b.need(optAt, 4 + length, `option ${option}`);
    let summary = '';
    // The summary is appended once the value is read (an option cut short keeps the bare name).
    const item = b.group('', () => `Option ${option}: ${name}`, null, optAt, 4 + length, () => {
      b.add('pim.optiontype', () => `Type: ${option}`, option, optAt, 2);
      b.add('pim.optionlength', () => `Length: ${length}`, length, optAt + 2, 2);
      const v = optAt + 4;
      switch (option) {
        case 1: {
          const t = b.u16(v, 'holdtime');
          b.add('pim.holdtime', () => `Holdtime: ${holdtimeText(t, true)}`, t, v, 2);
          summary = `: ${t}${t === 0 ? ' (goodbye)' : t === 0xffff ? ' (Infinity)' : ''}`;
          break;
        }
        case 2: {
          const delay = b.u16(v, 'propagation delay');
          const tBit = (delay & 0x8000) !== 0;
          b.add('pim.t', () => `${bitPicture(delay >> 8, 0x80, 8)} = T: ${setText(tBit)}`, tBit, v, 1);
          b.add('pim.propagation_delay', () => `${bitPicture(delay, 0x7fff, 16)} = Propagation Delay: ${delay & 0x7fff}`, delay & 0x7fff, v, 2);
          const override = b.u16(v + 2, 'override interval');
          b.add('pim.override_interval', () => `Override Interval: ${override}`, override, v + 2, 2);
          summary = `: T = ${tBit ? 1 : 0}, Propagation Delay = ${delay & 0x7fff}ms, Override Interval = ${override}ms`;
          break;
        }
        case 19:
        case 20: {
          const value = b.u32(v, 'option value');
          const [abbrev, label] = option === 19 ? ['pim.dr_priority', 'DR Priority'] : ['pim.generation_id', 'Generation ID'];
          b.add(abbrev, () => `${label}: ${value}`, value, v, 4);
          summary = `: ${value}`;
          break;
        }
        case 21: {
          const ver = b.u8(v, 'state refresh version');
          b.add('pim.state_refresh_version', () => `Version: ${ver}`, ver, v, 1);
          const interval = b.u8(v + 1, 'state refresh interval');
          b.add('pim.state_refresh_interval', () => `Interval: ${interval}`, interval, v + 1, 1);
          const reserved = b.u16(v + 2, 'state refresh reserved');
          b.add('pim.state_refresh_reserved', () => `Reserved: ${reserved}`, reserved, v + 2, 2);
          summary = `: Version = ${ver}, Interval = ${interval}s`;
          break;
        }
        case 24:
        case 65001:
          b.group('', () => `${option === 65001 ? 'old ' : ''}Address List (${option})`, null, optAt, 4 + length, () => {
            for (let i = v; i < v + length; ) {
              const advance = address(b, i, 'unicast', ['pim.address_list', 'pim.address_list_ip6', 'Address']);
              if (advance === 0) break;
              i += advance;
            }
          });
          break;
        default:
          if (length > 0) {
            const value = b.bytes(v, length, 'option value');
            b.add('pim.optionvalue', () => `Unknown: ${value.toString('hex')}`, Buffer.from(value), v, length, () => value.toString('hex'));
          }
      }
    });
    if (b.tree && summary) item.label += summary;
    at += 4 + length;
  }
  return count;
}

/** The Register's flags and IP version; returns where the encapsulated packet starts (-1: none). */
function register(b: LayerBuilder, at: number, overIpv6: boolean): number {
  const flags = b.u32(at, 'register flags');
  b.group('pim.register_flag', () => `Flags: ${hex(flags, 8)}`, flags, at, 4, () => {
    const border = (flags & 0x80000000) !== 0;
    const nullRegister = (flags & 0x40000000) !== 0;
    b.add('pim.register_flag.border', () => `${bitPicture(flags >>> 24, 0x80, 8)} .... .... .... .... .... .... = Border: ${border ? 'Yes' : 'No'}`, border, at, 4);
    b.add('pim.register_flag.null_register', () => `${bitPicture(flags >>> 24, 0x40, 8)} .... .... .... .... .... .... = Null-Register: ${nullRegister ? 'Yes' : 'No'}`, nullRegister, at, 4);
  }, () => hex(flags, 8));
  const packet = at + 4;
  const first = b.u8(packet, 'encapsulated packet');
  const ipVersion = first >> 4;
  const versionName = ipVersion === 0 ? 'Dummy Header' : ipVersion === 4 ? 'IPv4' : ipVersion === 6 ? 'IPv6' : 'Unknown';
  b.add('pim.ip_version', () => `${bitPicture(first, 0xf0, 8)} = IP Version: ${versionName} (${ipVersion})`, ipVersion, packet, 1);
  if (ipVersion === 0) {
    b.add('pim.dummy_header', () => `Dummy Header${overIpv6 ? 'IPv6' : 'IPv4'}`, null, packet, b.end - packet);
    if (overIpv6) {
      b.need(packet + 8, 32, 'dummy header addresses');
      b.add('pim.source_ip6', () => `Source: ${ipv6Text(b.data, packet + 8)}`, ipv6Text(b.data, packet + 8), packet + 8, 16);
      b.add('pim.group_ip6', () => `Group: ${ipv6Text(b.data, packet + 24)}`, ipv6Text(b.data, packet + 24), packet + 24, 16);
    } else {
      b.need(packet + 12, 8, 'dummy header addresses');
      b.add('pim.source', () => `Source: ${ipv4Text(b.data, packet + 12)}`, ipv4Text(b.data, packet + 12), packet + 12, 4);
      b.add('pim.group', () => `Group: ${ipv4Text(b.data, packet + 16)}`, ipv4Text(b.data, packet + 16), packet + 16, 4);
    }
    return -1;
  }
  return ipVersion === 4 || ipVersion === 6 ? packet : -1;
}

/** Names of an address's field for IPv4 and IPv6, and its label ('' for the field's own name). */
type AddressFields = readonly [v4: string, v6: string, label: string];

/**
 * One encoded address (RFC 7761 4.9.1) at `at`: unicast, group or source. Returns the bytes it
 * takes, 0 when its family or encoding is one tshark does not decode (which ends the message).
 */
function address(b: LayerBuilder, at: number, kind: 'unicast' | 'group' | 'source', [v4, v6, label]: AddressFields): number {
  const af = b.u8(at, 'address family');
  if (af !== 1 && af !== 2) return 0;
  const et = b.u8(at + 1, 'encoding type');
  if (et !== 0 && et !== 1) return 0;
  const len = af === 1 ? 4 : 16;
  const addrAt = kind === 'unicast' ? at + 2 : at + 4;
  b.need(addrAt, len, 'address');
  const text = af === 1 ? ipv4Text(b.data, addrAt) : ipv6Text(b.data, addrAt);
  const flags = kind === 'unicast' ? 0 : b.data[at + 2]!;
  const maskLen = kind === 'unicast' ? 0 : b.data[at + 3]!;
  let size = addrAt + len - at;
  const suffix = kind === 'unicast' ? '' : `/${maskLen}${kind === 'source' && flags & 7 ? ` (${flags & 4 ? 'S' : ''}${flags & 2 ? 'W' : ''}${flags & 1 ? 'R' : ''})` : ''}`;
  const field = af === 1 ? v4 : v6;
  const item = b.group(field, () => `${label}: ${text}${suffix}`, text, at, size, () => {
    b.add('pim.addr_address_family', () => `Address Family: ${AF_NAMES[af]} (${af})`, af, at, 1);
    b.add('pim.addr_encoding_type', () => `Encoding Type: ${ENCODINGS[et]} (${et})`, et, at + 1, 1);
    if (kind === 'group') {
      const names = [flags & 0x80 && 'Bidirectional PIM', flags & 0x01 && 'Admin Scope Zone'].filter(Boolean);
      b.group('pim.group_addr.flags', () => `Flags: ${hex(flags, 2)}${names.map((n) => `, ${n}`).join('')}`, flags, at + 2, 1, () => {
        b.add('pim.group_addr.flags.b', () => `${bitPicture(flags, 0x80, 8)} = Bidirectional PIM: ${setText((flags & 0x80) !== 0)}`, (flags & 0x80) !== 0, at + 2, 1);
        b.add('pim.group_addr.flags.reserved', () => `${bitPicture(flags, 0x7e, 8)} = Reserved: ${hex((flags & 0x7e) >> 1, 2)}`, (flags & 0x7e) >> 1, at + 2, 1, () => hex((flags & 0x7e) >> 1, 2));
        b.add('pim.group_addr.flags.z', () => `${bitPicture(flags, 0x01, 8)} = Admin Scope Zone: ${setText((flags & 0x01) !== 0)}`, (flags & 0x01) !== 0, at + 2, 1);
      }, () => hex(flags, 2));
    } else if (kind === 'source') {
      const names = [flags & 4 && 'Sparse', flags & 2 && 'WildCard', flags & 1 && 'Rendezvous Point Tree'].filter(Boolean);
      b.group('pim.source_addr.flags', () => `Flags: ${hex(flags, 2)}${names.map((n) => `, ${n}`).join('')}`, flags, at + 2, 1, () => {
        b.add('pim.source_addr.flags.reserved', () => `${bitPicture(flags, 0xf8, 8)} = Reserved: ${hex(flags >> 3, 2)}`, flags >> 3, at + 2, 1, () => hex(flags >> 3, 2));
        b.add('pim.source_addr.flags.s', () => `${bitPicture(flags, 0x04, 8)} = Sparse: ${setText((flags & 4) !== 0)}`, (flags & 4) !== 0, at + 2, 1);
        b.add('pim.source_addr.flags.w', () => `${bitPicture(flags, 0x02, 8)} = WildCard: ${setText((flags & 2) !== 0)}`, (flags & 2) !== 0, at + 2, 1);
        b.add('pim.source_addr.flags.r', () => `${bitPicture(flags, 0x01, 8)} = Rendezvous Point Tree: ${setText((flags & 1) !== 0)}`, (flags & 1) !== 0, at + 2, 1);
      }, () => hex(flags, 2));
    }
    if (kind !== 'unicast') b.add('pim.mask_len', () => `Masklen: ${maskLen}`, maskLen, at + 3, 1);
    const [inner4, inner6, innerLabel] = kind === 'unicast' ? ['pim.unicast', 'pim.unicast_ipv6', 'Unicast'] : kind === 'group' ? ['pim.group', 'pim.group_ip6', 'Group'] : ['pim.source', 'pim.source_ip6', 'Source'];
    b.add(af === 1 ? inner4 : inner6, () => `${innerLabel}: ${text}`, text, addrAt, len);
    if (kind === 'source' && et === 1) size += joinAttributes(b, addrAt + len);
  });
  if (b.tree && item.length !== size) item.length = size;
  return size;
}

/** Join Attribute TLVs (RFC 5384) after a source address; returns their length. */
function joinAttributes(b: LayerBuilder, start: number): number {
  let at = start;
  let last = 0;
  while ((last & 0x40) === 0 && Math.min(b.end, b.data.length) - at >= 2) {
    last = b.u8(at, 'join attribute');
    const length = b.u8(at + 1, 'join attribute length');
    const typeName = JOIN_ATTRIBUTES[last & 0x3f] ?? 'Unknown';
    const tlv = at;
    b.group('pim.source_ja', () => `Join Attribute: ${typeName}`, null, tlv, length + 2, () => {
      b.add('pim.source_ja.flags', () => `Flags: ${hex(last, 2)}`, last, tlv, 1, () => hex(last, 2));
      b.add('pim.source_ja.length', () => `Length: ${length}`, length, tlv + 1, 1);
      if ((last & 0x3f) === 0 && (length === 6 || length === 18)) address(b, tlv + 2, 'unicast', ['pim.unicast', 'pim.unicast_ipv6', 'Unicast']);
      else {
        const value = b.bytes(tlv + 2, length, 'join attribute value');
        b.add('pim.source_ja.value', () => `Value: ${value.toString('hex')}`, Buffer.from(value), tlv + 2, length, () => value.toString('hex'));
      }
    });
    at += 2 + length;
  }
  return at - start;
}

/**
 * The bodies other than Hello and Register. A Bootstrap's RP reserved bytes are collected in
 * `trailing`: tshark hangs them on the PIM tree itself, after the options.
 */
function messageBody(b: LayerBuilder, type: number, dfSubtype: number, start: number, end: number, trailing: number[]): void {
  let at = start;
  const u = (n: number) => {
    if (n === 0) throw new StopDissection('malformed', 'PIM address of an unknown family or encoding');
    at += n;
  };
  try {
    switch (type) {
      case 2: // Register-stop
        u(address(b, at, 'group', ['pim.group', 'pim.group_ip6', 'Group']));
        u(address(b, at, 'unicast', ['pim.source', 'pim.source_ip6', 'Source']));
        break;
      case 3: // Join/Prune
      case 6: // Graft
      case 7: { // Graft-Ack
        u(address(b, at, 'unicast', ['pim.upstream_neighbor', 'pim.upstream_neighbor_ip6', 'Upstream-neighbor']));
        reservedBytes(b, at, 1);
        const groups = b.u8(at + 1, 'number of groups');
        b.add('pim.numgroups', () => `Num Groups: ${groups}`, groups, at + 1, 1);
        const holdtime = b.u16(at + 2, 'holdtime');
        b.add('pim.holdtime', () => `Holdtime: ${holdtimeText(holdtime, false)}`, holdtime, at + 2, 2);
        at += 4;
        for (let i = 0; i < groups; i++) {
          const groupAt = at;
          b.group('pim.group_set', `Group ${i}`, '', groupAt, end - groupAt, () => {
            u(address(b, at, 'group', ['pim.group', 'pim.group_ip6', `Group ${i}`]));
            const joins = b.u16(at, 'number of joins');
            const prunes = b.u16(at + 2, 'number of prunes');
            const counts = at;
            at += 4;
            b.group('pim.numjoins', () => `Num Joins: ${joins}`, joins, counts, 2, () => {
              for (let j = 0; j < joins; j++) u(address(b, at, 'source', ['pim.join_ip', 'pim.join_ip6', 'IP address']));
            });
            b.group('pim.numprunes', () => `Num Prunes: ${prunes}`, prunes, counts + 2, 2, () => {
              for (let j = 0; j < prunes; j++) u(address(b, at, 'source', ['pim.prune_ip', 'pim.prune_ip6', 'IP address']));
            });
          }, '');
        }
        break;
      }
      case 4: { // Bootstrap
        const tag = b.u16(at, 'fragment tag');
        b.add('pim.fragment_tag', () => `Fragment tag: ${hex(tag, 4)}`, tag, at, 2, () => hex(tag, 4));
        const hashMask = b.u8(at + 2, 'hash mask length');
        b.add('pim.hash_mask_len', () => `Hash mask len: ${hashMask}`, hashMask, at + 2, 1);
        const priority = b.u8(at + 3, 'BSR priority');
        b.add('pim.bsr_priority', () => `BSR priority: ${priority}`, priority, at + 3, 1);
        at += 4;
        u(address(b, at, 'unicast', ['pim.bsr', 'pim.bsr_ip6', 'BSR']));
        for (let i = 0; at < end; i++) {
          const groupAt = at;
          const n = address(b, groupAt, 'group', ['pim.group', 'pim.group_ip6', `Group ${i}`]);
          u(n);
          const rpCount = b.u8(at, 'RP count');
          b.add('pim.rp_count', () => `RP count: ${rpCount}`, rpCount, at, 1);
          const frpCount = b.u8(at + 1, 'FRP count');
          b.add('pim.frp_count', () => `FRP count: ${frpCount}`, frpCount, at + 1, 1);
          at += 4;
          for (let j = 0; j < frpCount; j++) {
            u(address(b, at, 'unicast', ['pim.rp', 'pim.rp_ip6', `RP ${j}`]));
            const holdtime = b.u16(at, 'holdtime');
            b.add('pim.holdtime', () => `Holdtime: ${holdtimeText(holdtime, false)}`, holdtime, at, 2);
            const rpPriority = b.u8(at + 2, 'RP priority');
            b.add('pim.priority', () => `Priority: ${rpPriority}`, rpPriority, at + 2, 1);
            b.need(at + 3, 1, 'reserved byte');
            trailing.push(at + 3);
            at += 4;
          }
        }
        break;
      }
      case 5: // Assert
      case 9: { // State-Refresh
        u(address(b, at, 'group', ['pim.group', 'pim.group_ip6', 'Group']));
        u(address(b, at, 'unicast', ['pim.source', 'pim.source_ip6', 'Source']));
        if (type === 9) u(address(b, at, 'unicast', ['pim.originator', 'pim.originator_ip6', 'Originator']));
        const pref = b.u32(at, 'metric preference');
        const rpt = (pref & 0x80000000) !== 0;
        b.add('pim.rpt', () => `${bitPicture(pref >>> 24, 0x80, 8)} = RP Tree: ${setText(rpt)}`, rpt, at, 1);
        b.add('pim.metric_pref', () => `${bitPicture(pref >>> 24, 0x7f, 8)} .... .... .... .... .... .... = Metric Preference: ${pref & 0x7fffffff}`, pref & 0x7fffffff, at, 4);
        const metric = b.u32(at + 4, 'metric');
        b.add('pim.metric', () => `Metric: ${metric}`, metric, at + 4, 4);
        at += 8;
        if (type === 9) {
          const mask = b.u8(at, 'mask length');
          b.add('pim.mask_len', () => `Masklen: ${mask}`, mask, at, 1);
          const ttl = b.u8(at + 1, 'TTL');
          b.add('pim.ttl', () => `TTL: ${ttl}`, ttl, at + 1, 1);
          const bits = b.u8(at + 2, 'flags');
          b.add('pim.prune_indicator', () => `${bitPicture(bits, 0x80, 8)} = Prune indicator: ${setText((bits & 0x80) !== 0)}`, (bits & 0x80) !== 0, at + 2, 1);
          b.add('pim.prune_now', () => `${bitPicture(bits, 0x40, 8)} = Prune now: ${setText((bits & 0x40) !== 0)}`, (bits & 0x40) !== 0, at + 2, 1);
          b.add('pim.assert_override', () => `${bitPicture(bits, 0x20, 8)} = Assert override: ${setText((bits & 0x20) !== 0)}`, (bits & 0x20) !== 0, at + 2, 1);
          const interval = b.u8(at + 3, 'interval');
          b.add('pim.interval', () => `Interval: ${interval}`, interval, at + 3, 1);
        }
        break;
      }
      case 8: { // Candidate-RP-Advertisement
        const prefixes = b.u8(at, 'prefix count');
        b.add('pim.prefix_count', () => `Prefix-count: ${prefixes}`, prefixes, at, 1);
        const priority = b.u8(at + 1, 'priority');
        b.add('pim.priority', () => `Priority: ${priority}`, priority, at + 1, 1);
        const holdtime = b.u16(at + 2, 'holdtime');
        b.add('pim.holdtime', () => `Holdtime: ${holdtimeText(holdtime, false)}`, holdtime, at + 2, 2);
        at += 4;
        u(address(b, at, 'unicast', ['pim.rp', 'pim.rp_ip6', 'RP']));
        for (let i = 0; i < prefixes; i++) u(address(b, at, 'group', ['pim.group', 'pim.group_ip6', `Group ${i}`]));
        break;
      }
      case 10: { // DF election
        u(address(b, at, 'unicast', ['pim.rp', 'pim.rp_ip6', 'RP']));
        const pref = b.u32(at, 'metric preference');
        b.add('pim.metric_pref', () => `Metric Preference: ${pref}`, pref, at, 4);
        const metric = b.u32(at + 4, 'metric');
        b.add('pim.metric', () => `Metric: ${metric}`, metric, at + 4, 4);
        at += 8;
        if (dfSubtype === 3 || dfSubtype === 4) {
          const backoff = dfSubtype === 3;
          u(address(b, at, 'unicast', backoff ? ['pim.bidir_offering_ip4', 'pim.bidir_offering_ip6', 'Offering IP'] : ['pim.bidir_winner_ip4', 'pim.bidir_winner_ip6', 'New Winner IP']));
          const p2 = b.u32(at, 'metric preference');
          const m2 = b.u32(at + 4, 'metric');
          b.add(backoff ? 'pim.bidir_off_metric_pref' : 'pim.bidir_win_metric_pref', () => `${backoff ? 'Offering' : 'Winner'} Metric Preference: ${p2}`, p2, at, 4);
          b.add(backoff ? 'pim.bidir_off_metric' : 'pim.bidir_win_metric', () => `${backoff ? 'Offering' : 'Winner'} Metric: ${m2}`, m2, at + 4, 4);
          if (backoff) {
            const interval = b.u16(at + 8, 'offering interval');
            b.add('pim.bidir_offering_interval', () => `Offering interval (ms): ${interval}`, interval, at + 8, 2);
          }
        }
        break;
      }
    }
  } catch (err) {
    // An address tshark cannot decode ends the message quietly, as its `goto breakbreak` does.
    if (!(err instanceof StopDissection) || !err.problem.startsWith('PIM address of an unknown')) throw err;
  }
}


const V1_TYPES: Record<number, string> = {
  0: 'Query', 1: 'Register', 2: 'Register-stop', 3: 'Join/Prune', 4: 'RP-Reachable', 5: 'Assert', 6: 'Graft', 7: 'Graft-Ack', 8: 'Mode',
};
const V1_MODES: Record<number, string> = { 0: 'Dense', 1: 'Sparse', 2: 'Sparse-Dense' };

/**
 * PIM version 1, carried in IGMP messages of type 0x14 (called by igmp.ts), as tshark's
 * dissect_pimv1 shows it: the header, and the Query, Register-stop, Join/Prune, RP-Reachable and
 * Assert bodies (IPv4 addresses only).
 */
export function dissectPimV1(p: PacketState, data: Buffer, offset: number, end: number): void {
  const b = new LayerBuilder(data, 'pim', 'Protocol Independent Multicast', offset, end, p.selection);
  let code = -1;
  dissectSafely(b, () => {
    b.add('pim.igmp_type', 'Type: PIM (0x14)', 'PIM (0x14)', offset, 0);
    code = b.u8(offset + 1, 'PIM code');
    b.add('pim.code', () => `Code: ${V1_TYPES[code] ?? 'Unknown'} (${code})`, code, offset + 1, 1);
    const checksum = b.u16(offset + 2, 'PIM checksum');
    const versionByte = b.u8(offset + 4, 'PIM version');
    const version = versionByte >> 4;
    const covered = version === 1 && code === REGISTER ? offset + 8 : end;
    let status = 2;
    let computed = 0;
    if (version === 1 && covered <= end && covered <= data.length) {
      computed = ~onesComplementSum(data, offset, covered) & 0xffff;
      status = computed === 0 ? 1 : 0;
    }
    b.add('pim.cksum', () => `Checksum: ${hex(checksum, 4)} ${status === 2 ? '[unverified]' : status === 1 ? '[correct]' : `incorrect, should be ${hex(checksumShouldBe(checksum, computed), 4)}`}`, checksum, offset + 2, 2, () => hex(checksum, 4));
    b.add('pim.cksum.status', () => `[Checksum Status: ${['Bad', 'Good', 'Unverified'][status]}]`, status, offset + 2, 0);
    b.add('pim.version', () => `${bitPicture(versionByte, 0xf0, 8)} = Version: ${version}`, version, offset + 4, 1);
    if (version !== 1) return;
    reservedBytes(b, offset + 5, 3);
    let at = offset + 8;
    if (at >= end) return;
    const address4 = (abbrev: string, label: string, where: number) => {
      const text = ipv4Text(b.bytes(where, 4, label), 0);
      b.add(abbrev, () => `${label}: ${text}`, text, where, 4);
    };
    const holdtime = (where: number) => {
      const t = b.u16(where, 'holdtime');
      b.add('pim.holdtime', () => `Holdtime: ${holdtimeText(t, false)}`, t, where, 2);
    };
    const trailing: Array<[number, number]> = [];
    try {
      b.group('pim.option', 'PIM Options', null, at, end - at, () => {
        switch (code) {
          case 0: {
            const mode = b.u8(at, 'mode') >> 4;
            b.add('pim.mode', () => `${bitPicture(mode << 4, 0xf0, 8)} = Mode: ${V1_MODES[mode] ?? 'Unknown'} (${mode})`, mode, at, 1);
            holdtime(at + 2);
            break;
          }
          case 1: {
            const ipVersion = b.u8(at, 'IP version') >> 4;
            b.add('pim.ip_version', () => `${bitPicture(ipVersion << 4, 0xf0, 8)} = IP Version: ${ipVersion === 4 ? 'IPv4' : ipVersion === 6 ? 'IPv6' : ipVersion === 0 ? 'Dummy Header' : 'Unknown'} (${ipVersion})`, ipVersion, at, 1);
            break;
          }
          case 2:
            address4('pim.group', 'Group', at);
            address4('pim.source', 'Source', at + 4);
            break;
          case 3:
          case 6:
          case 7: {
            address4('pim.upstream_neighbor', 'Upstream-neighbor', at);
            b.need(at + 4, 2, 'reserved bytes');
            trailing.push([at + 4, 2]);
            holdtime(at + 6);
            b.need(at + 8, 1, 'reserved bytes');
            trailing.push([at + 8, 1]);
            const maskLength = b.u8(at + 9, 'mask length');
            b.add('pim.mask_len', () => `Masklen: ${maskLength}`, maskLength, at + 9, 1);
            const addrLength = b.u8(at + 10, 'address length');
            b.add('pim.addr_len', () => `Address Len: ${addrLength}`, addrLength, at + 10, 1);
            const groups = b.u8(at + 11, 'number of groups');
            b.add('pim.numgroups', () => `Num Groups: ${groups}`, groups, at + 11, 1);
            break;
          }
          case 4:
            address4('pim.group_address', 'Group Address', at);
            address4('pim.group_mask', 'Mask', at + 4);
            address4('pim.rp', 'RP', at + 8);
            b.need(at + 12, 2, 'reserved bytes');
            trailing.push([at + 12, 2]);
            holdtime(at + 14);
            break;
          case 5: {
            address4('pim.group_address', 'Group Address', at);
            address4('pim.group_mask', 'Mask', at + 4);
            const pref = b.u32(at + 8, 'metric preference');
            b.add('pim.rpt', () => `${bitPicture(pref >>> 24, 0x80, 8)} = RP Tree: ${setText((pref & 0x80000000) !== 0)}`, (pref & 0x80000000) !== 0, at + 8, 1);
            b.add('pim.metric_pref', () => `Metric Preference: ${pref & 0x7fffffff}`, pref & 0x7fffffff, at + 8, 4);
            const metric = b.u32(at + 12, 'metric');
            b.add('pim.metric', () => `Metric: ${metric}`, metric, at + 12, 4);
            break;
          }
        }
        at = end;
      }, '1');
    } finally {
      // tshark hangs these reserved bytes on the PIM tree itself, after the options.
      for (const [where, length] of trailing) reservedBytes(b, where, length);
    }
  });
  p.addLayer(b.layer);
  p.setProtocol('PIMv1', (V1_TYPES[code] ?? `Unknown (${code})`) + statusSuffix(b.layer));
}
