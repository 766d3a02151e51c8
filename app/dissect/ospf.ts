/**
 * OSPF version 2 (RFC 2328, IPv4) and version 3 (RFC 5340, IPv6), IP protocol 89, as tshark 4.0
 * shows its main fields: the common header with authentication (v2) or instance ID (v3) and the
 * header checksum status, Hello bodies, DB Description fields, LS Request entries, and the LSA
 * headers of DB Description, LS Update and LS Acknowledge packets. LSA bodies, LLS data blocks
 * and v3 authentication trailers are covered by the layer but not decoded into fields.
 */
import { dissectSafely, hex, LayerBuilder } from './builder';
import { ipv6PseudoSum, onesComplementSum } from './checksum';
import type { Dissector } from './dissector';
import { bitPicture, ipv4Text } from './format';
import type { PacketState } from './packet-state';
import { checksumShouldBe, statusSuffix } from './routing-common';

const IP_PROTO_OSPF = 89;
const MESSAGES: Record<number, string> = { 1: 'Hello Packet', 2: 'DB Description', 3: 'LS Request', 4: 'LS Update', 5: 'LS Acknowledge' };
const MESSAGE_FLAGS: Record<number, string> = { 1: 'ospf.msg.hello', 2: 'ospf.msg.dbdesc', 3: 'ospf.msg.lsreq', 4: 'ospf.msg.lsupdate', 5: 'ospf.msg.lsack' };
const AUTH_TYPES: Record<number, string> = { 0: 'Null', 1: 'Simple password', 2: 'Cryptographic' };
const V2_LSA_TYPES: Record<number, string> = {
  1: 'Router-LSA', 2: 'Network-LSA', 3: 'Summary-LSA (IP network)', 4: 'Summary-LSA (ASBR)', 5: 'AS-External-LSA (ASBR)',
  6: 'Group Membership LSA', 7: 'NSSA AS-External-LSA', 8: 'External Attributes LSA', 9: 'Opaque LSA, Link-local scope',
  10: 'Opaque LSA, Area-local scope', 11: 'Opaque LSA, AS-local scope',
};
const V3_LSA_TYPES: Record<number, string> = {
  0x2001: 'Router-LSA', 0x2002: 'Network-LSA', 0x2003: 'Inter-Area-Prefix-LSA', 0x2004: 'Inter-Area-Router-LSA',
  0x4005: 'AS-External-LSA', 0x2006: 'Group-Membership-LSA', 0x2007: 'NSSA-LSA', 0x0008: 'Link-LSA', 0x2009: 'Intra-Area-Prefix-LSA',
  0x000c: 'Router Information Opaque-LSA (Link-local scope)', 0x200c: 'Router Information Opaque-LSA (Area-local scope)', 0x400c: 'Router Information Opaque-LSA (AS scope)',
};
const FLOODING_SCOPES = [
  'Link-Local Scoping - Flooded only on originating link', 'Area Scoping - Flooded only in originating area', 'AS Scoping - Flooded throughout AS', 'Reserved',
];
const V3_FUNCTION_CODES: Record<number, string> = {
  1: 'Router-LSA', 2: 'Network-LSA', 3: 'Inter-Area-Prefix-LSA', 4: 'Inter-Area-Router-LSA', 5: 'AS-External-LSA', 6: 'Group-Membership-LSA',
  7: 'NSSA-LSA', 8: 'Link-LSA', 9: 'Intra-Area-Prefix-LSA',
};
const INSTANCES: Record<number, string> = { 0: 'IPv6 unicast AF', 64: 'IPv4 unicast AF' };

export function dissectOspf(_d: Dissector, p: PacketState, data: Buffer, offset: number, end: number): void {
  const b = new LayerBuilder(data, 'ospf', 'Open Shortest Path First', offset, end, p.selection);
  let type = -1;
  dissectSafely(b, () => {
    const version = b.u8(offset, 'version');
    type = b.u8(offset + 1, 'message type');
    const length = b.u16(offset + 2, 'packet length');
    const headerLength = version === 3 ? 16 : 24;
    b.group('', 'OSPF Header', null, offset, headerLength, () => {
      b.add('ospf.version', () => `Version: ${version}`, version, offset, 1);
      b.add('ospf.msg', () => `Message Type: ${MESSAGES[type] ?? 'Unknown'} (${type})`, type, offset + 1, 1);
      const flag = MESSAGE_FLAGS[type];
      if (flag) b.add(flag, '', true, offset + 1, 1).hidden = true;
      b.add('ospf.packet_length', () => `Packet Length: ${length}`, length, offset + 2, 2);
      const router = ipv4Text(b.bytes(offset + 4, 4, 'source router'), 0);
      b.add('ospf.srcrouter', () => `Source OSPF Router: ${router}`, router, offset + 4, 4);
      const area = ipv4Text(b.bytes(offset + 8, 4, 'area ID'), 0);
      b.add('ospf.area_id', () => `Area ID: ${area}${area === '0.0.0.0' ? ' (Backbone)' : ''}`, area, offset + 8, 4);
      const checksum = b.u16(offset + 12, 'checksum');
      if (version === 2) header2(b, p, offset, length, checksum);
      else if (version === 3) header3(b, p, offset, length, checksum);
    });
    if (version !== 2 && version !== 3) return;
    const body = offset + headerLength;
    const bodyEnd = Math.min(offset + length, end);
    switch (type) {
      case 1: hello(b, version, body, bodyEnd); break;
      case 2: dbDescription(b, version, body, bodyEnd); break;
      case 3: lsRequest(b, version, body, bodyEnd); break;
      case 4: lsUpdate(b, version, body, bodyEnd); break;
      case 5:
        for (let at = body; at < bodyEnd; at += 20) lsaHeader(b, version, at);
        break;
    }
  });
  p.addLayer(b.layer);
  p.setProtocol('OSPF', (MESSAGES[type] ?? `Unknown (${type})`) + statusSuffix(b.layer));
}

function checksumLabel(checksum: number, computed: number): string {
  return computed === 0 ? `Checksum: ${hex(checksum, 4)} [correct]` : `Checksum: ${hex(checksum, 4)} [incorrect, should be ${hex(checksumShouldBe(checksum, computed), 4)}]`;
}

function header2(b: LayerBuilder, p: PacketState, offset: number, length: number, checksum: number): void {
  const auth = b.u16(offset + 14, 'auth type');
  const at = offset + 12;
  const covered = offset + length;
  if (auth === 2 && checksum === 0) b.add('ospf.checksum', () => `Checksum: ${hex(checksum, 4)} (None)`, checksum, at, 2, () => hex(checksum, 4));
  else if (auth !== 2 && covered <= b.end && covered <= b.data.length && length >= 24 && !p.quoted) {
    // The checksum covers the packet without its 8-byte authentication field.
    const computed = ~onesComplementSum(b.data, offset + 24, covered, onesComplementSum(b.data, offset, offset + 16)) & 0xffff;
    b.add('ospf.checksum', () => checksumLabel(checksum, computed), checksum, at, 2, () => hex(checksum, 4));
  } else b.add('ospf.checksum', () => `Checksum: ${hex(checksum, 4)}`, checksum, at, 2, () => hex(checksum, 4));
  b.add('ospf.auth.type', () => `Auth Type: ${AUTH_TYPES[auth] ?? 'Unknown'} (${auth})`, auth, offset + 14, 2);
  const authAt = offset + 16;
  if (auth === 0) {
    const none = b.bytes(authAt, 8, 'auth data');
    b.add('ospf.auth.none', () => `Auth Data (none): ${none.toString('hex')}`, Buffer.from(none), authAt, 8, () => none.toString('hex'));
  } else if (auth === 1) {
    const raw = b.bytes(authAt, 8, 'auth data');
    const nul = raw.indexOf(0);
    const text = raw.subarray(0, nul < 0 ? 8 : nul).toString('latin1');
    b.add('ospf.auth.simple', () => `Auth Data (Simple): ${text}`, text, authAt, 8);
  } else if (auth === 2) {
    const keyId = b.u8(authAt + 2, 'key id');
    b.add('ospf.auth.crypt.key_id', () => `Auth Crypt Key id: ${keyId}`, keyId, authAt + 2, 1);
    const dataLength = b.u8(authAt + 3, 'auth data length');
    b.add('ospf.auth.crypt.data_length', () => `Auth Crypt Data Length: ${dataLength}`, dataLength, authAt + 3, 1);
    const seq = b.u32(authAt + 4, 'sequence number');
    b.add('ospf.auth.crypt.seq_nbr', () => `Auth Crypt Sequence Number: ${seq}`, seq, authAt + 4, 4);
    const digestAt = offset + length;
    if (dataLength > 0 && digestAt + dataLength <= Math.min(b.end, b.data.length)) {
      const digest = b.bytes(digestAt, dataLength, 'auth crypt data');
      b.add('ospf.auth.crypt.data', () => `Auth Crypt Data: ${digest.toString('hex')}`, Buffer.from(digest), digestAt, dataLength, () => digest.toString('hex'));
    }
  } else {
    const raw = b.bytes(authAt, 8, 'auth data');
    b.add('ospf.auth.unknown', () => `Auth Unknown: ${raw.toString('hex')}`, Buffer.from(raw), authAt, 8, () => raw.toString('hex'));
  }
}

function header3(b: LayerBuilder, p: PacketState, offset: number, length: number, checksum: number): void {
  const covered = offset + length;
  const ip = p.ipv6Data;
  if (ip !== null && covered <= b.end && covered <= b.data.length && !p.quoted) {
    const pseudo = ipv6PseudoSum(ip.subarray(p.ipv6At + 8, p.ipv6At + 24), ip.subarray(p.ipv6At + 24, p.ipv6At + 40), length, IP_PROTO_OSPF);
    const computed = ~onesComplementSum(b.data, offset, covered, pseudo) & 0xffff;
    b.add('ospf.checksum', () => checksumLabel(checksum, computed), checksum, offset + 12, 2, () => hex(checksum, 4));
  } else b.add('ospf.checksum', () => `Checksum: ${hex(checksum, 4)}`, checksum, offset + 12, 2, () => hex(checksum, 4));
  const instance = b.u8(offset + 14, 'instance ID');
  const instanceName = INSTANCES[instance] ?? (instance < 32 ? 'IPv6 unicast AF' : instance < 64 ? 'IPv6 multicast AF' : instance < 96 ? 'IPv4 unicast AF' : instance < 128 ? 'IPv4 multicast AF' : 'Reserved');
  b.add('ospf.instance_id', () => `Instance ID: ${instanceName} (${instance})`, instance, offset + 14, 1);
  reserved(b, offset + 15, 1);
}

function reserved(b: LayerBuilder, at: number, length: number): void {
  const raw = b.bytes(at, length, 'reserved');
  b.add('ospf.reserved', () => `Reserved: ${raw.toString('hex')}`, Buffer.from(raw), at, length, () => raw.toString('hex'));
}

function address(b: LayerBuilder, abbrev: string, label: string, at: number): void {
  const text = ipv4Text(b.bytes(at, 4, label), 0);
  b.add(abbrev, () => `${label}: ${text}`, text, at, 4);
}

/** OSPFv2 option bits, in tshark's order: field suffix, label, mask, texts when set and not set. */
const V2_OPTIONS: ReadonlyArray<readonly [string, string, number, string, string]> = [
  ['dn', 'DN', 0x80, 'Set', 'Not set'], ['o', 'O', 0x40, 'Set', 'Not set'], ['dc', '(DC) Demand Circuits', 0x20, 'Supported', 'Not supported'],
  ['l', '(L) LLS Data block', 0x10, 'Present', 'Not Present'], ['n', '(N) NSSA', 0x08, 'Supported', 'Not supported'],
  ['mc', '(MC) Multicast', 0x04, 'Capable', 'Not capable'], ['e', '(E) External Routing', 0x02, 'Capable', 'Not capable'],
  ['mt', '(MT) Multi-Topology Routing', 0x01, 'Yes', 'No'],
];
const V3_OPTIONS: ReadonlyArray<readonly [string, string, number]> = [
  ['at', 'AT', 0x400], ['l', 'L', 0x200], ['af', 'AF', 0x100], ['dc', 'DC', 0x20], ['r', 'R', 0x10], ['n', 'N', 0x08], ['mc', 'MC', 0x04], ['e', 'E', 0x02], ['v6', 'V6', 0x01],
];

/** OSPFv2 options; in an NSSA LSA (type 7) the 0x08 bit is (P) Propagate. */
function options2(b: LayerBuilder, at: number, nssaLsa = false): void {
  const options = b.u8(at, 'options');
  const bits = V2_OPTIONS.map((o) => (nssaLsa && o[0] === 'n' ? (['p', '(P) Propagate', 0x08, 'Set', 'Not set'] as const) : o));
  const names = bits.filter(([, , mask]) => options & mask).map(([, label]) => `, ${label}`).join('');
  b.group('ospf.v2.options', () => `Options: ${hex(options, 2)}${names}`, options, at, 1, () => {
    for (const [suffix, label, mask, set, unset] of bits) {
      b.add(`ospf.v2.options.${suffix}`, () => `${bitPicture(options, mask, 8)} = ${label}: ${options & mask ? set : unset}`, (options & mask) !== 0, at, 1);
    }
  }, () => hex(options, 2));
}

function options3(b: LayerBuilder, at: number): void {
  b.need(at, 3, 'options');
  const options = (b.data[at]! << 16) | (b.data[at + 1]! << 8) | b.data[at + 2]!;
  const names = V3_OPTIONS.filter(([, , mask]) => options & mask).map(([, label]) => `, ${label}`).join('');
  b.group('ospf.v3.options', () => `Options: ${hex(options, 6)}${names}`, options, at, 3, () => {
    for (const [suffix, label, mask] of V3_OPTIONS) {
      b.add(`ospf.v3.options.${suffix}`, () => `${bitPicture(options, mask, 24)} = ${label}: ${options & mask ? 'Set' : 'Not set'}`, (options & mask) !== 0, at, 3);
    }
  }, () => hex(options, 6));
}

function hello(b: LayerBuilder, version: number, start: number, end: number): void {
  b.group('ospf.hello', 'OSPF Hello Packet', null, start, end - start, () => {
    let at = start;
    if (version === 2) {
      address(b, 'ospf.hello.network_mask', 'Network Mask', at);
      const interval = b.u16(at + 4, 'hello interval');
      b.add('ospf.hello.hello_interval', () => `Hello Interval [sec]: ${interval}`, interval, at + 4, 2);
      options2(b, at + 6);
      const priority = b.u8(at + 7, 'router priority');
      b.add('ospf.hello.router_priority', () => `Router Priority: ${priority}`, priority, at + 7, 1);
      const dead = b.u32(at + 8, 'router dead interval');
      b.add('ospf.hello.router_dead_interval', () => `Router Dead Interval [sec]: ${dead}`, dead, at + 8, 4);
      at += 12;
    } else {
      const id = b.u32(at, 'interface ID');
      b.add('ospf.hello.interface_id', () => `Interface ID: ${id}`, id, at, 4);
      const priority = b.u8(at + 4, 'router priority');
      b.add('ospf.hello.router_priority', () => `Router Priority: ${priority}`, priority, at + 4, 1);
      options3(b, at + 5);
      const interval = b.u16(at + 8, 'hello interval');
      b.add('ospf.hello.hello_interval', () => `Hello Interval [sec]: ${interval}`, interval, at + 8, 2);
      const dead = b.u16(at + 10, 'router dead interval');
      b.add('ospf.hello.router_dead_interval', () => `Router Dead Interval [sec]: ${dead}`, dead, at + 10, 2);
      at += 12;
    }
    address(b, 'ospf.hello.designated_router', 'Designated Router', at);
    address(b, 'ospf.hello.backup_designated_router', 'Backup Designated Router', at + 4);
    for (at += 8; at + 4 <= end; at += 4) address(b, 'ospf.hello.active_neighbor', 'Active Neighbor', at);
  }, '1');
}

function dbDescription(b: LayerBuilder, version: number, start: number, end: number): void {
  let at = start;
  b.group('', 'OSPF DB Description', null, start, end - start, () => {
    if (version === 2) {
      const mtu = b.u16(at, 'interface MTU');
      b.add('ospf.db.interface_mtu', () => `Interface MTU: ${mtu}`, mtu, at, 2);
      options2(b, at + 2);
      at += 3;
    } else {
      reserved(b, at, 1);
      options3(b, at + 1);
      const mtu = b.u16(at + 4, 'interface MTU');
      b.add('ospf.db.interface_mtu', () => `Interface MTU: ${mtu}`, mtu, at + 4, 2);
      reserved(b, at + 6, 1);
      at += 7;
    }
    const flags = b.u8(at, 'DB description flags');
    const names = [flags & 8 && '(R) OOBResync', flags & 4 && '(I) Init', flags & 2 && '(M) More', flags & 1 && '(MS) Master'].filter(Boolean);
    const flagsAt = at;
    b.group('ospf.dbd', () => `DB Description: ${hex(flags, 2)}${names.map((n) => `, ${n}`).join('')}`, flags, at, 1, () => {
      b.add('ospf.dbd.r', () => `${bitPicture(flags, 8, 8)} = (R) OOBResync: ${flags & 8 ? 'Set' : 'Not set'}`, (flags & 8) !== 0, flagsAt, 1);
      b.add('ospf.dbd.i', () => `${bitPicture(flags, 4, 8)} = (I) Init: ${flags & 4 ? 'Set' : 'Not set'}`, (flags & 4) !== 0, flagsAt, 1);
      b.add('ospf.dbd.m', () => `${bitPicture(flags, 2, 8)} = (M) More: ${flags & 2 ? 'Set' : 'Not set'}`, (flags & 2) !== 0, flagsAt, 1);
      b.add('ospf.dbd.ms', () => `${bitPicture(flags, 1, 8)} = (MS) Master: ${flags & 1 ? 'Yes' : 'No'}`, (flags & 1) !== 0, flagsAt, 1);
    }, () => hex(flags, 2));
    const seq = b.u32(at + 1, 'DD sequence');
    b.add('ospf.db.dd_sequence', () => `DD Sequence: ${seq}`, seq, at + 1, 4);
    at += 5;
  });
  for (; at < end; at += 20) lsaHeader(b, version, at);
}

function lsRequest(b: LayerBuilder, version: number, start: number, end: number): void {
  for (let at = start; at < end; at += 12) {
    const entry = at;
    b.group('', 'Link State Request', null, entry, 12, () => {
      if (version === 2) {
        const type = b.u32(entry, 'LS type');
        b.add('ospf.lsa', () => `LS Type: ${V2_LSA_TYPES[type] ?? 'Unknown'} (${type})`, type, entry, 4);
      } else {
        reserved(b, entry, 2);
        const type = b.u16(entry + 2, 'LS type');
        b.add('ospf.v3.lsa', () => `LS Type: ${V3_LSA_TYPES[type] ?? 'Unknown'} (${hex(type, 4)})`, type, entry + 2, 2, () => hex(type, 4));
      }
      address(b, 'ospf.link_state_id', 'Link State ID', entry + 4);
      address(b, 'ospf.advrouter', 'Advertising Router', entry + 8);
    });
  }
}

function lsUpdate(b: LayerBuilder, version: number, start: number, end: number): void {
  const count = b.u32(start, 'number of LSAs');
  b.group('', 'LS Update Packet', null, start, end - start, () => {
    b.add('ospf.ls.number_of_lsas', () => `Number of LSAs: ${count}`, count, start, 4);
    let at = start + 4;
    for (let i = 0; i < count && at < end; i++) {
      const length = lsaHeader(b, version, at);
      if (length < 20) break;
      // The LSA's body is not decoded, but one running past the packet is malformed as in tshark.
      b.need(at, length, 'LSA');
      at += length;
    }
  });
}

/** One LSA header (20 bytes) at `at`; returns the LSA's length field. */
function lsaHeader(b: LayerBuilder, version: number, at: number): number {
  b.need(at, 20, 'LSA header');
  const data = b.data;
  const age = data.readUInt16BE(at);
  const length = data.readUInt16BE(at + 18);
  const type = version === 2 ? data[at + 3]! : data.readUInt16BE(at + 2);
  const typeName = (version === 2 ? V2_LSA_TYPES[type] : V3_LSA_TYPES[type]) ?? 'Unknown';
  b.group('', () => `LSA-type ${version === 2 ? type : type & 0x1fff} (${typeName}), len ${length}`, null, at, 20, () => {
    b.add('ospf.lsa.age', () => `${bitPicture(age, 0x7fff, 16)} = LS Age (seconds): ${age & 0x7fff}`, age & 0x7fff, at, 2);
    if (version === 2) {
      b.add('ospf.lsa.donotage', () => `${bitPicture(age, 0x8000, 16)} = Do Not Age Flag: ${age >> 15}`, age >> 15, at, 2);
      options2(b, at + 2, type === 7);
      b.add('ospf.lsa', () => `LS Type: ${typeName} (${type})`, type, at + 3, 1);
      // Opaque LSAs' IDs are an opaque type and ID, which tshark shows as other fields (not decoded here).
      if (type < 9 || type > 11) address(b, 'ospf.lsa.id', 'Link State ID', at + 4);
    } else {
      b.add('ospf.v3.lsa.do_not_age', () => `${bitPicture(age, 0x8000, 16)} = Do Not Age: ${age & 0x8000 ? 'True' : 'False'}`, (age & 0x8000) !== 0, at, 2);
      b.group('ospf.v3.lsa', () => `LS Type: ${hex(type, 4)}`, type, at + 2, 2, () => {
        b.add('ospf.v3.lsa.u', () => `${bitPicture(type, 0x8000, 16)} = LSA Handling: ${type & 0x8000 ? 'Treat the LSA as if it had link-local flooding scope' : 'Store and flood the LSA as if the type is understood'}`, (type & 0x8000) !== 0, at + 2, 2);
        b.add('ospf.v3.lsa.s12', () => `${bitPicture(type, 0x6000, 16)} = Flooding Scope: ${FLOODING_SCOPES[(type & 0x6000) >> 13]} (0x${(type & 0x6000) >> 13})`, (type & 0x6000) >> 13, at + 2, 2, () => hex((type & 0x6000) >> 13, 4));
        b.add('ospf.v3.lsa.fc', () => `${bitPicture(type, 0x1fff, 16)} = Function Code: ${V3_FUNCTION_CODES[type & 0x1fff] ?? 'Unknown'} (${type & 0x1fff})`, type & 0x1fff, at + 2, 2);
      }, () => hex(type, 4));
      address(b, 'ospf.link_state_id', 'Link State ID', at + 4);
    }
    address(b, 'ospf.advrouter', 'Advertising Router', at + 8);
    const seq = data.readUInt32BE(at + 12);
    b.add('ospf.lsa.seqnum', () => `Sequence Number: ${hex(seq, 8)}`, seq, at + 12, 4, () => hex(seq, 8));
    const checksum = data.readUInt16BE(at + 16);
    b.add('ospf.lsa.chksum', () => `Checksum: ${hex(checksum, 4)}`, checksum, at + 16, 2, () => hex(checksum, 4));
    b.add('ospf.lsa.length', () => `Length: ${length}`, length, at + 18, 2);
  });
  return length;
}
