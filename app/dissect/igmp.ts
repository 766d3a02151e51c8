/**
 * IGMP (IP protocol 2) as tshark 4.0 shows it: version 1 and 2 messages, version 3 queries and
 * reports with their group records, multicast traceroute (mtrace) headers, and PIM version 1,
 * which rides on IGMP type 0x14 (see pim.ts). Like tshark, the IGMP dispatcher and the message
 * dissector both appear in the protocol chain ("ip:igmp:igmp", "ip:igmp:pim").
 */
import { dissectSafely, hex, LayerBuilder } from './builder';
import { onesComplementSum } from './checksum';
import type { Dissector } from './dissector';
import { bitPicture, ipv4Text } from './format';
import type { PacketState } from './packet-state';
import { dissectPimV1 } from './pim';
import { checksumShouldBe, statusSuffix } from './routing-common';

const TYPES: Record<number, string> = {
  0x01: 'Create Group Request', 0x02: 'Create Group Reply', 0x03: 'Join Group Request', 0x04: 'Join Group Reply',
  0x05: 'Leave Group Request', 0x06: 'Leave Group Reply', 0x07: 'Confirm Group Request', 0x08: 'Confirm Group Reply',
  0x11: 'Membership Query', 0x12: 'Membership Report', 0x13: 'DVMRP', 0x14: 'PIM', 0x15: 'Cisco Trace Messages',
  0x16: 'Membership Report', 0x17: 'Leave Group', 0x1e: 'Traceroute Response', 0x1f: 'Traceroute Query or Request',
  0x22: 'Membership Report', 0x30: 'Multicast Router Advertisement', 0x31: 'Multicast Router Solicitation', 0x32: 'Multicast Router Termination',
};
const RECORD_TYPES: Record<number, string> = {
  1: 'Mode Is Include', 2: 'Mode Is Exclude', 3: 'Change To Include Mode', 4: 'Change To Exclude Mode', 5: 'Allow New Sources', 6: 'Block Old Sources',
};
const PIM_V1 = 0x14;

const typeName = (type: number) => TYPES[type] ?? `Unknown Type:0x${type.toString(16).padStart(2, '0')}`;

export function dissectIgmp(d: Dissector, p: PacketState, data: Buffer, offset: number, end: number): void {
  if (offset >= Math.min(end, data.length)) {
    d.data(p, data, offset, end);
    return;
  }
  const type = data[offset]!;
  // The dispatcher (Wireshark's "igmp" table) shows in the chain but adds no tree of its own.
  p.protocols.push('igmp');
  if (type === PIM_V1) {
    dissectPimV1(p, data, offset, end);
    return;
  }
  const b = new LayerBuilder(data, 'igmp', 'Internet Group Management Protocol', offset, end, p.selection);
  const version = type === 0x11 ? (end - offset >= 12 ? 3 : data[offset + 1] ? 2 : 1) : type === 0x12 ? 1 : type === 0x16 || type === 0x17 ? 2 : type === 0x22 ? 3 : 0;
  const mtrace = type === 0x1e || type === 0x1f;
  let info = '';
  let protocolColumn = version > 0 ? `IGMPv${version}` : 'IGMP';
  dissectSafely(b, () => {
    if (mtrace) {
      info = type === 0x1e ? `Traceroute Response, ${Math.floor((end - offset - 24) / 28)} block${Math.floor((end - offset - 24) / 28) === 1 ? '' : 's'}` : end - offset === 24 ? 'Traceroute Query' : 'Traceroute Request';
      b.add('igmp.type', () => `Type: ${info.replace(/,.*/, '')} (${hex(type, 2)})`, type, offset, 1, () => hex(type, 2));
      const hops = b.u8(offset + 1, 'max hops');
      b.add('igmp.mtrace.max_hops', () => `# hops: ${hops}`, hops, offset + 1, 1);
      checksum(b, offset, end, 0);
      address(b, 'igmp.maddr', 'Multicast Address', offset + 4);
      address(b, 'igmp.mtrace.saddr', 'Source Address', offset + 8);
      address(b, 'igmp.mtrace.raddr', 'Receiver Address', offset + 12);
      address(b, 'igmp.mtrace.rspaddr', 'Response Address', offset + 16);
      const ttl = b.u8(offset + 20, 'response TTL');
      b.add('igmp.mtrace.resp_ttl', () => `Response TTL: ${ttl}`, ttl, offset + 20, 1);
      b.need(offset + 21, 3, 'query ID');
      const id = (data[offset + 21]! << 16) | (data[offset + 22]! << 8) | data[offset + 23]!;
      b.add('igmp.mtrace.q_id', () => `Query ID: ${id}`, id, offset + 21, 3);
      return;
    }
    if (version === 0) {
      protocolColumn = 'IGMP';
      info = typeName(type);
      b.add('igmp.type', () => `Type: ${typeName(type)} (${hex(type, 2)})`, type, offset, 1, () => hex(type, 2));
      const length = Math.min(end, data.length) - offset - 1;
      const rest = data.subarray(offset + 1, offset + 1 + Math.max(0, length));
      b.add('igmp.data', () => `Data: ${rest.toString('hex')}`, Buffer.from(rest), offset + 1, rest.length, () => rest.toString('hex'));
      return;
    }
    info = typeName(type);
    b.add('igmp.version', () => `[IGMP Version: ${version}]`, version, offset, 0);
    b.add('igmp.type', () => `Type: ${typeName(type)} (${hex(type, 2)})`, type, offset, 1, () => hex(type, 2));
    if (version === 1 || type === 0x22) reserved(b, offset + 1, 1);
    if (version === 1) checksum(b, offset, end, 8);
    else if (version === 2) {
      const tsecs = b.u8(offset + 1, 'max response time');
      b.add('igmp.max_resp', () => `Max Resp Time: ${(tsecs / 10).toFixed(1)} sec (${hex(tsecs, 2)})`, tsecs, offset + 1, 1);
      checksum(b, offset, end, 8);
    } else if (type === 0x11) {
      const count = b.u16(offset + 10, 'number of sources');
      const bits = b.u8(offset + 1, 'max response code');
      const tsecs = bits & 0x80 ? ((bits & 0x0f) | 0x10) << (((bits & 0x70) >> 4) + 3) : bits;
      b.group('igmp.max_resp', () => `Max Resp Time: ${(tsecs / 10).toFixed(1)} sec (${hex(bits, 2)})`, tsecs, offset + 1, 1, () => {
        if (!(bits & 0x80)) return;
        b.add('igmp.max_resp.exp', () => `${bitPicture(bits, 0x70, 8)} = Exponent: ${hex((bits & 0x70) >> 4, 2)}`, (bits & 0x70) >> 4, offset + 1, 1, () => hex((bits & 0x70) >> 4, 2));
        b.add('igmp.max_resp.mant', () => `${bitPicture(bits, 0x0f, 8)} = Mantissa: ${hex(bits & 0x0f, 2)}`, bits & 0x0f, offset + 1, 1, () => hex(bits & 0x0f, 2));
      });
      checksum(b, offset, end, 0);
      const group = address(b, 'igmp.maddr', 'Multicast Address', offset + 4);
      info += group === '0.0.0.0' ? ', general' : `, specific for group ${group}`;
      const sqrv = b.u8(offset + 8, 'S and QRV');
      b.add('igmp.s', () => `${bitPicture(sqrv, 0x08, 8)} = S: ${sqrv & 8 ? 'Suppress router side processing' : 'Do not suppress router side processing'}`, (sqrv & 8) !== 0, offset + 8, 1);
      b.add('igmp.qrv', () => `${bitPicture(sqrv, 0x07, 8)} = QRV: ${sqrv & 7}`, sqrv & 7, offset + 8, 1);
      const qqic = b.u8(offset + 9, 'QQIC');
      b.add('igmp.qqic', () => `QQIC: ${qqic}`, qqic, offset + 9, 1);
      b.add('igmp.num_src', () => `Num Src: ${count}`, count, offset + 10, 2);
      if (count) info += `, source${count > 1 ? 's' : ''} {`;
      for (let i = 0, at = offset + 12; i < count; i++, at += 4) info += `${address(b, 'igmp.saddr', 'Source Address', at)}${i < count - 1 ? ', ' : '}'}`;
      return;
    } else {
      checksum(b, offset, end, 0);
      reserved(b, offset + 4, 2);
      const records = b.u16(offset + 6, 'number of group records');
      if (!records) info += ' - General query';
      b.add('igmp.num_grp_recs', () => `Num Group Records: ${records}`, records, offset + 6, 2);
      let at = offset + 8;
      for (let i = 0; i < records; i++) at = groupRecord(b, at, (more) => (info += more));
      return;
    }
    const group = address(b, 'igmp.maddr', 'Multicast Address', offset + 4);
    if (version === 2) info += group === '0.0.0.0' ? ', general' : type === 0x17 ? ` ${group}` : type === 0x11 ? `, specific for group ${group}` : ` group ${group}`;
  });
  p.addLayer(b.layer);
  p.setProtocol(protocolColumn, info + statusSuffix(b.layer));
}

function reserved(b: LayerBuilder, at: number, length: number): void {
  const raw = b.bytes(at, length, 'reserved');
  b.add('igmp.reserved', () => `Reserved: ${raw.toString('hex')}`, Buffer.from(raw), at, length, () => raw.toString('hex'));
}

function address(b: LayerBuilder, abbrev: string, label: string, at: number): string {
  const text = ipv4Text(b.bytes(at, 4, label), 0);
  b.add(abbrev, () => `${label}: ${text}`, text, at, 4);
  return text;
}

/** The checksum over `length` bytes (0: the whole message) and its status, as tshark verifies it. */
function checksum(b: LayerBuilder, offset: number, end: number, length: number): void {
  const value = b.u16(offset + 2, 'checksum');
  const covered = length === 0 ? end : offset + length;
  let status = 2;
  let computed = 0;
  if (covered <= b.data.length && covered <= end) {
    computed = ~onesComplementSum(b.data, offset, covered) & 0xffff;
    status = computed === 0 ? 1 : 0;
  }
  const label = () =>
    status === 2 ? `Checksum: ${hex(value, 4)} [unverified]` : status === 1 ? `Checksum: ${hex(value, 4)} [correct]` : `Checksum: ${hex(value, 4)} incorrect, should be ${hex(checksumShouldBe(value, computed), 4)}`;
  b.add('igmp.checksum', label, value, offset + 2, 2, () => hex(value, 4));
  b.add('igmp.checksum.status', () => `[Checksum Status: ${['Bad', 'Good', 'Unverified'][status]}]`, status, offset + 2, 0);
}

/** One IGMPv3 group record at `start`; returns where the next starts. */
function groupRecord(b: LayerBuilder, start: number, addInfo: (more: string) => void): number {
  b.need(start, 8, 'group record');
  const data = b.data;
  const type = data[start]!;
  const auxLength = data[start + 1]!;
  const count = data.readUInt16BE(start + 2);
  const group = ipv4Text(data, start + 4);
  let at = start + 8;
  b.group('', () => `Group Record : ${group} ${RECORD_TYPES[type] ?? ''}`, null, start, 8 + count * 4 + auxLength * 4, () => {
    b.add('igmp.record_type', () => `Record Type: ${RECORD_TYPES[type] ?? 'Unknown'} (${type})`, type, start, 1);
    b.add('igmp.aux_data_len', () => `Aux Data Len: ${auxLength}`, auxLength, start + 1, 1);
    b.add('igmp.num_src', () => `Num Src: ${count}`, count, start + 2, 2);
    b.add('igmp.maddr', () => `Multicast Address: ${group}`, group, start + 4, 4);
    const include = type === 1 || type === 3;
    const exclude = type === 2 || type === 4;
    if (count === 0) {
      addInfo(include ? ` / Leave group ${group}` : exclude ? ` / Join group ${group} for any sources`
        : type === 5 ? ` / Group ${group}, ALLOW_NEW_SOURCES but no source specified (?)` : type === 6 ? ` / Group ${group}, BLOCK_OLD_SOURCES but no source specified (?)`
        : ` / Group ${group}, unknown record type (?)`);
    } else {
      addInfo(include ? ` / Join group ${group} for source${count > 1 ? 's in' : ''} {` : exclude ? ` / Join group ${group}, for source${count > 1 ? 's not in' : ' not'} {`
        : type === 5 ? ` / Group ${group}, new source${count > 1 ? 's' : ''} {` : type === 6 ? ` / Group ${group}, block source${count > 1 ? 's' : ''} {`
        : ` / Group ${group}, unknown record type (?), sources {`);
    }
    for (let i = 0; i < count; i++, at += 4) addInfo(`${address(b, 'igmp.saddr', 'Source Address', at)}${i < count - 1 ? ', ' : '}'}`);
    if (auxLength) {
      const aux = b.bytes(at, auxLength * 4, 'aux data');
      b.add('igmp.aux_data', () => `Aux Data: ${aux.toString('hex')}`, Buffer.from(aux), at, auxLength * 4, () => aux.toString('hex'));
      at += auxLength * 4;
    }
  });
  return at;
}
