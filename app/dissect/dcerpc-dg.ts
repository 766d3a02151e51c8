/**
 * Connectionless DCE/RPC (version 4, over UDP) as tshark 4.0 shows its header (packet-dcerpc.c,
 * dissect_dcerpc_dg): found by its heuristic on any UDP port (80 bytes or more, version 4, a
 * packet type up to Cancel_ack, flags2 and data representation within their values); the header's
 * flags, UUIDs, boot time, sequence and fragment numbers; Info "Request: seq: 0 opnum: 0 len: 0
 * <interface> V1" ("frag: N serial: N" for a fragment).
 *
 * A response finds its request by activity and sequence number ("[Request in frame: N]").
 * Left out: authentication, the bodies of Fack, Cancel, Reject and the rest, stub data and
 * fragment reassembly.
 */
import { LayerBuilder } from './builder';
import { bitPicture, bytesHex } from './format';
import type { AppResult } from './model';
import { dceUuid, dcerpcUuidName, type DcerpcContext } from './dcerpc';

const TITLE = 'Distributed Computing Environment / Remote Procedure Call (DCE/RPC)';
const HEADER = 80;
const PACKET_TYPES = ['Request', 'Ping', 'Response', 'Fault', 'Working', 'Nocall', 'Reject', 'Ack', 'Cl_cancel', 'Fack', 'Cancel_ack'];
const FLAGS1: Array<[number, string, string]> = [
  [0x80, 'rsrvd_80', 'Reserved for implementation'], [0x40, 'broadcast', 'Broadcast'], [0x20, 'idempotent', 'Idempotent'], [0x10, 'maybe', 'Maybe'],
  [0x08, 'nofack', 'No Fack'], [0x04, 'frag', 'Fragment'], [0x02, 'last_frag', 'Last Fragment'], [0x01, 'rsrvd_01', 'Reserved for implementation'],
];
const FLAGS2: Array<[number, string, string]> = [
  [0x80, 'rsrvd_80', 'Reserved for future use (MBZ)'], [0x40, 'rsrvd_40', 'Reserved for future use (MBZ)'], [0x20, 'rsrvd_20', 'Reserved for future use (MBZ)'],
  [0x10, 'rsrvd_10', 'Reserved for future use (MBZ)'], [0x08, 'rsrvd_08', 'Reserved for future use (MBZ)'], [0x04, 'rsrvd_04', 'Reserved for future use (MBZ)'],
  [0x02, 'cancel_pending', 'Cancel Pending'], [0x01, 'rsrvd_01', 'Reserved for implementation'],
];
const AUTH_TYPES: Record<number, string> = { 0: 'None', 1: 'Kerberos 5', 9: 'SPNEGO', 10: 'NTLMSSP', 14: 'SCHANNEL SSP', 16: 'Kerberos SSP', 68: 'NETLOGON Secure Channel' };

/** dissect_dcerpc_dg's test: the first bytes of a UDP payload look like a connectionless header. */
export function isDcerpcDg(data: Buffer, offset: number, end: number): boolean {
  if (end - offset < HEADER || Math.min(end, data.length) - offset < 8) return false;
  return data[offset] === 4 && data[offset + 1]! <= 10 && (data[offset + 3]! & 0xfc) === 0 && (data[offset + 4]! & 0xee) === 0 && data[offset + 5]! <= 3;
}

/** Requests by activity and sequence number, for their responses (dcerpc_matched). */
export type DgCalls = Map<string, { frame: number; tsNs: bigint | undefined; ifId: string; ifVer: number }>;

export function dissectDcerpcDg(data: Buffer, offset: number, end: number, ctx: DcerpcContext, calls: DgCalls): AppResult {
  const stop = Math.min(end, data.length);
  const b = new LayerBuilder(data, 'dcerpc', TITLE, offset, stop, ctx.fields);
  const ptype = data[offset + 1]!;
  const typeName = PACKET_TYPES[ptype]!;
  if (stop - offset < HEADER) {
    b.mark('truncated', 'DCE/RPC header was not captured');
    return { layers: [b.layer], protocolColumn: 'DCERPC', info: typeName };
  }
  const little = (data[offset + 4]! & 0x10) !== 0;
  const u16 = (at: number): number => (little ? data.readUInt16LE(at) : data.readUInt16BE(at));
  const u32 = (at: number): number => (little ? data.readUInt32LE(at) : data.readUInt32BE(at));
  const flags1 = data[offset + 2]!;
  const flags2 = data[offset + 3]!;
  const serialHi = data[offset + 7]!;
  const objId = dceUuid(data, offset + 8, little);
  const ifId = dceUuid(data, offset + 24, little);
  const actId = dceUuid(data, offset + 40, little);
  const boot = u32(offset + 56);
  const ifVer = u32(offset + 60);
  const seq = u32(offset + 64);
  const opnum = u16(offset + 68);
  const ihint = u16(offset + 70);
  const ahint = u16(offset + 72);
  const fragLen = u16(offset + 74);
  const fragNum = u16(offset + 76);
  const authProto = data[offset + 78]!;
  const serialLo = data[offset + 79]!;
  const call = `${actId}/${seq}`;
  if (ptype === 0 && !calls.has(call)) calls.set(call, { frame: ctx.frameNumber ?? 0, tsNs: ctx.tsNs, ifId, ifVer });
  const request = ptype === 2 ? calls.get(call) : undefined;
  const matched = request !== undefined && request.frame !== ctx.frameNumber ? request : undefined;
  b.title(() => `${TITLE} ${typeName}, Seq: ${seq}, Serial: ${serialHi * 256 + serialLo}, Frag: ${fragNum}, FragLen: ${fragLen}${matched ? `, [Req: #${matched.frame}]` : ''}`);
  const hex = (v: number, n: number): string => `0x${v.toString(16).padStart(n, '0')}`;
  b.add('dcerpc.ver', 'Version: 4', 4, offset, 1);
  b.add('dcerpc.pkt_type', () => `Packet type: ${typeName} (${ptype})`, ptype, offset + 1, 1);
  const bitmask = (abbrev: string, label: string, v: number, at: number, bits: Array<[number, string, string]>): void => {
    const set = bits.filter(([mask]) => v & mask).map(([, , name]) => `, ${name}`).join('');
    b.group(abbrev, () => `${label}: ${hex(v, 2)}${set}`, v, at, 1, () => {
      for (const [mask, name, text] of bits) b.add(`${abbrev}_${name}`, () => `${bitPicture(v, mask, 8)} = ${text}: ${v & mask ? 'Set' : 'Not set'}`, (v & mask) !== 0, at, 1);
    }, hex(v, 2));
  };
  bitmask('dcerpc.dg_flags1', 'Flags1', flags1, offset + 2, FLAGS1);
  bitmask('dcerpc.dg_flags2', 'Flags2', flags2, offset + 3, FLAGS2);
  const order = data[offset + 4]! >> 4;
  const character = data[offset + 4]! & 0x0f;
  const fp = data[offset + 5]!;
  const orders = ['Big-endian', 'Little-endian'];
  const chars = ['ASCII', 'EBCDIC'];
  const floats = ['IEEE', 'VAX', 'Cray', 'IBM'];
  b.group('dcerpc.drep', () => `Data Representation: ${bytesHex(data, offset + 4, 3)} (Order: ${orders[order] ?? 'Unknown'}, Char: ${chars[character] ?? 'Unknown'}, Float: ${floats[fp] ?? 'Unknown'})`, data.subarray(offset + 4, offset + 7), offset + 4, 3, () => {
    b.add('dcerpc.drep.byteorder', () => `Byte order: ${orders[order] ?? 'Unknown'} (${order})`, order, offset + 4, 1);
    b.add('dcerpc.drep.character', () => `Character: ${chars[character] ?? 'Unknown'} (${character})`, character, offset + 4, 1);
    b.add('dcerpc.drep.fp', () => `Floating-point: ${floats[fp] ?? 'Unknown'} (${fp})`, fp, offset + 5, 1);
  }, () => bytesHex(data, offset + 4, 3));
  b.add('dcerpc.dg_serial_hi', () => `Serial High: ${hex(serialHi, 2)}`, serialHi, offset + 7, 1, hex(serialHi, 2));
  b.add('dcerpc.obj_id', () => `Object UUID: ${objId}`, objId, offset + 8, 16);
  const ifName = dcerpcUuidName(ifId);
  b.add('dcerpc.dg_if_id', () => (ifName !== ifId ? `Interface: ${ifName} UUID: ${ifId}` : `Interface UUID: ${ifId}`), ifId, offset + 24, 16);
  b.add('dcerpc.dg_act_id', () => `Activity: ${actId}`, actId, offset + 40, 16);
  // A boot time other than 0 is a local time tshark formats with the machine's zone: only the value here.
  b.add('dcerpc.dg_server_boot', () => (boot === 0 ? 'Server boot time: Unknown (0)' : `Server boot time: ${new Date(boot * 1000).toISOString()}`), boot, offset + 56, 4);
  b.add('dcerpc.dg_if_ver', () => `Interface Ver: ${ifVer}`, ifVer, offset + 60, 4);
  b.add('dcerpc.dg_seqnum', () => `Sequence num: ${seq}`, seq, offset + 64, 4);
  b.add('dcerpc.opnum', () => `Opnum: ${opnum}`, opnum, offset + 68, 2);
  b.add('dcerpc.dg_ihint', () => `Interface Hint: ${hex(ihint, 4)}`, ihint, offset + 70, 2, hex(ihint, 4));
  b.add('dcerpc.dg_ahint', () => `Activity Hint: ${hex(ahint, 4)}`, ahint, offset + 72, 2, hex(ahint, 4));
  b.add('dcerpc.dg_frag_len', () => `Fragment len: ${fragLen}`, fragLen, offset + 74, 2);
  b.add('dcerpc.dg_frag_num', () => `Fragment num: ${fragNum}`, fragNum, offset + 76, 2);
  b.add('dcerpc.dg_auth_proto', () => `Auth proto: ${AUTH_TYPES[authProto] ?? 'Unknown'} (${authProto})`, authProto, offset + 78, 1);
  b.add('dcerpc.dg_serial_lo', () => `Serial Low: ${hex(serialLo, 2)}`, serialLo, offset + 79, 1, hex(serialLo, 2));
  if (matched !== undefined) {
    b.add('dcerpc.request_in', () => `[Request in frame: ${matched.frame}]`, matched.frame, offset, 0);
    if (matched.tsNs !== undefined && ctx.tsNs !== undefined) {
      const delta = ctx.tsNs - matched.tsNs;
      const abs = delta < 0n ? -delta : delta;
      const text = `${delta < 0n ? '-' : ''}${abs / 1000000000n}.${(abs % 1000000000n).toString().padStart(9, '0')}`;
      b.add('dcerpc.time', () => `[Time from request: ${text} seconds]`, text, offset, 0, text);
    }
  }
  let info = `${typeName}: seq: ${seq}`;
  if (flags1 & 0x04) info += ` frag: ${fragNum} serial: ${(serialHi << 8) | serialLo}`;
  if (ptype === 0 || ptype === 2) {
    info += ` opnum: ${opnum} len: ${fragLen}`;
    // dcerpc_try_handoff for an interface without a dissector (an unfragmented call).
    // A response's interface is its request's (Microsoft's often name another in responses).
    const iface = ptype === 0 ? { ifId, ifVer } : request;
    if (!(flags1 & 0x04) && iface !== undefined && dcerpcUuidName(iface.ifId) === iface.ifId) info += ` ${iface.ifId} V${iface.ifVer}`;
  }
  return { layers: [b.layer], protocolColumn: 'DCERPC', info };
}
