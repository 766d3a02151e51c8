/**
 * RX, the remote procedure call transport of AFS (UDP 7000-7009 and 7021), and the AFS layer on its
 * data packets, as tshark 4.0 shows them: the RX header, ACK/CHALLENGE/RESPONSE/ABORT bodies, and
 * for AFS which service (by port) and which operation, replies matched to their request by
 * conversation, epoch, connection ID and call number. The AFS call arguments are not decoded.
 */
import { absoluteTimeText } from './app-format';
import { dissectSafely, hex, LayerBuilder } from './builder';
import { conversationKey } from './dissector';
import { AFS_OPCODES } from './afs-opcodes';
import { dataLayer } from './hsrp';
import { bitPicture, nsToSeconds } from './format';
import type { AppContext, AppDissector, AppResult, Layer } from './model';
import { statusSuffix } from './routing-common';

export const RX_PORTS: readonly number[] = [7000, 7001, 7002, 7003, 7004, 7005, 7006, 7007, 7008, 7009, 7021];
const HEADER_LENGTH = 28;

const TYPES: Record<number, string> = {
  1: 'data', 2: 'ack', 3: 'busy', 4: 'abort', 5: 'ackall', 6: 'challenge', 7: 'response', 8: 'debug', 9: 'params', 13: 'version',
};
const ACK_REASONS: Record<number, string> = {
  1: 'Ack Requested', 2: 'Duplicate Packet', 3: 'Out Of Sequence', 4: 'Exceeds Window', 5: 'No Space', 6: 'Ping', 7: 'Ping Response', 8: 'Delay', 9: 'Idle',
};
/** The flag bits, as the tree lists them (highest first). */
const FLAGS: readonly (readonly [string, number, string])[] = [
  ['free_packet', 0x10, 'Free Packet'], ['more_packets', 0x08, 'More Packets'], ['last_packet', 0x04, 'Last Packet'],
  ['request_ack', 0x02, 'Request Ack'], ['client_init', 0x01, 'Client Initiated'],
];
const CLIENT_INITIATED = 0x01;

/** AFS services by their server port: field name, Info prefix, tree name. */
const SERVICES: Record<number, readonly [string, string, string]> = {
  7000: ['fs', 'FS', 'File Server'], 7001: ['cb', 'CB', 'Callback Server'], 7002: ['prot', 'PROT', 'Protection Server'],
  7003: ['vldb', 'VLDB', 'Volume Location Database Server'], 7004: ['kauth', 'KAUTH', 'Kerberos Authentication Server'],
  7005: ['vol', 'VOL', 'Volume Server'], 7006: ['error', 'ERR', 'Error Server'], 7007: ['bos', 'BOS', 'Basic Overseer Server'],
  7008: ['update', 'UPDATE', 'Update Server'], 7009: ['rmtsys', 'RMTSYS', 'Remote System Server'], 7021: ['backup', 'BKUP', 'Backup Server'],
};

/** A call's request as the AFS layer remembers it, to name the operation of its replies. */
interface AfsCall {
  opcode: number;
  requestFrame: number;
  requestNs: bigint | undefined;
  replyFrame: number;
}

interface RxHeader {
  epoch: number;
  cid: number;
  callNumber: number;
  seq: number;
  type: number;
  flags: number;
}

/** Whether a payload is RX as Wireshark's dissector accepts it: a whole header and a known type. */
export function isRx(data: Buffer, offset: number, end: number): boolean {
  if (Math.min(end, data.length) - offset < HEADER_LENGTH) return false;
  return TYPES[data[offset + 20]!] !== undefined;
}

/** An RX dissector with its own memory of AFS calls (one per Dissector instance). */
export function createRxDissector(): AppDissector {
  const calls = new Map<string, AfsCall>();
  return {
    protocol: 'rx',
    fieldPrefixes: ['afs'],
    udpPorts: RX_PORTS,
    stateful: true,
    claims: (data, offset, end) => isRx(data, offset, end),
    dissect: (data, offset, end, ctx) => dissectRx(data, offset, end, ctx, calls),
  };
}

function portsText(ctx: AppContext): string {
  return `Source Port: ${ctx.srcPort}  Destination Port: ${ctx.dstPort}  `;
}

export function dissectRx(data: Buffer, offset: number, end: number, ctx: AppContext, calls: Map<string, AfsCall>): AppResult {
  const stop = Math.min(end, data.length);
  if (!isRx(data, offset, end)) {
    return { layers: stop > offset ? [dataLayer(data, offset, stop, ctx.fields)] : [], protocolColumn: '', info: '' };
  }
  const b = new LayerBuilder(data, 'rx', 'RX Protocol', offset, end, ctx.fields);
  const h: RxHeader = {
    epoch: data.readUInt32BE(offset), cid: data.readUInt32BE(offset + 4), callNumber: data.readUInt32BE(offset + 8),
    seq: data.readUInt32BE(offset + 12), type: data[offset + 20]!, flags: data[offset + 21]!,
  };
  let info = '';
  const ids = () => `Seq: ${h.seq}  Call: ${h.callNumber}  ${portsText(ctx)}`;
  dissectSafely(b, () => {
    b.setLength(HEADER_LENGTH);
    b.add('rx.epoch', () => `Epoch: ${absoluteTimeText(BigInt(h.epoch), 0)}`, h.epoch, offset, 4, () => absoluteTimeText(BigInt(h.epoch), 0));
    b.add('rx.cid', () => `CID: ${h.cid}`, h.cid, offset + 4, 4);
    b.add('rx.callnumber', () => `Call Number: ${h.callNumber}`, h.callNumber, offset + 8, 4);
    b.add('rx.seq', () => `Sequence Number: ${h.seq}`, h.seq, offset + 12, 4);
    const serial = data.readUInt32BE(offset + 16);
    b.add('rx.serial', () => `Serial: ${serial}`, serial, offset + 16, 4);
    b.add('rx.type', () => `Type: ${TYPES[h.type]} (${h.type})`, h.type, offset + 20, 1);
    const names = FLAGS.filter(([, mask]) => h.flags & mask).map(([, , name]) => `, ${name}`).join('');
    b.group('rx.flags', () => `Flags: ${hex(h.flags, 2)}${names}`, h.flags, offset + 21, 1, () => {
      for (const [name, mask, label] of FLAGS) {
        const set = (h.flags & mask) !== 0;
        b.add(`rx.flags.${name}`, () => `${bitPicture(h.flags, mask, 8)} = ${label}: ${set ? 'True' : 'False'}`, set, offset + 21, 1);
      }
    }, () => hex(h.flags, 2));
    const userStatus = data[offset + 22]!;
    b.add('rx.userstatus', () => `User Status: ${userStatus}`, userStatus, offset + 22, 1);
    const securityIndex = data[offset + 23]!;
    b.add('rx.securityindex', () => `Security Index: ${securityIndex}`, securityIndex, offset + 23, 1);
    // The service ID follows the spare field, although AFS's headers declare them the other way round.
    const spare = data.readUInt16BE(offset + 24);
    b.add('rx.spare', () => `Spare/Checksum: ${spare}`, spare, offset + 24, 2);
    const serviceId = data.readUInt16BE(offset + 26);
    b.add('rx.serviceid', () => `Service ID: ${serviceId}`, serviceId, offset + 26, 2);
    const body = offset + HEADER_LENGTH;
    if (h.type === 2) info = dissectAck(b, body, ids);
    else if (h.type === 5) info = `ACKALL  ${ids()}`;
    else if (h.type === 6) info = dissectChallenge(b, body, ids);
    else if (h.type === 7) info = dissectResponse(b, body, ids);
    else if (h.type === 4) {
      info = `ABORT  ${ids()}`;
      b.group('rx.abort', 'ABORT Packet', null, body, 4, () => {
        const code = b.u32(body, 'abort code') | 0;
        b.add('rx.abort_code', () => `Abort Code: ${code}`, code, body, 4);
      });
    }
  });
  if (h.type !== 1) {
    return { layers: [b.layer], protocolColumn: 'RX', info: info + statusSuffix(b.layer) };
  }
  const afs = dissectAfs(data, offset + HEADER_LENGTH, end, ctx, h, calls);
  // A data packet with no bytes after the header still names its operation, but Wireshark adds
  // no "afs" to the chain for an empty payload.
  const chain = stop > offset + HEADER_LENGTH ? ['rx', 'afs'] : ['rx', ''];
  return { layers: [b.layer, afs.layer], protocolColumn: 'AFS (RX)', info: afs.info, chain };
}

function dissectAck(b: LayerBuilder, at: number, ids: () => string): string {
  const stop = Math.min(b.end, b.data.length);
  const reasonAt = at + 16;
  const reason = reasonAt < stop ? b.data[reasonAt]! : -1;
  const info = `ACK ${reason < 0 ? '' : ACK_REASONS[reason] ?? `Unknown (${reason})`}  ${ids()}`;
  b.group('rx.ack', 'ACK Packet', null, at, Math.max(0, stop - at), () => {
    const bufferspace = b.u16(at, 'buffer space');
    b.add('rx.bufferspace', () => `Bufferspace: ${bufferspace}`, bufferspace, at, 2);
    const maxSkew = b.u16(at + 2, 'max skew');
    b.add('rx.maxskew', () => `Max Skew: ${maxSkew}`, maxSkew, at + 2, 2);
    const first = b.u32(at + 4, 'first packet');
    b.add('rx.first', () => `First Packet: ${first}`, first, at + 4, 4);
    const prev = b.u32(at + 8, 'previous packet');
    b.add('rx.prev', () => `Prev Packet: ${prev}`, prev, at + 8, 4);
    const serial = b.u32(at + 12, 'serial');
    b.add('rx.serial', () => `Serial: ${serial}`, serial, at + 12, 4);
    b.u8(reasonAt, 'reason');
    b.add('rx.reason', () => `Reason: ${ACK_REASONS[reason] ?? 'Unknown'} (${reason})`, reason, reasonAt, 1);
    const count = b.u8(at + 17, 'ACK count');
    b.add('rx.num_acks', () => `Num ACKs: ${count}`, count, at + 17, 1);
    let p = at + 18;
    for (let k = 0; k < count; k++, p++) {
      const type = b.u8(p, 'ACK type');
      b.add('rx.ack_type', () => `ACK Type: ${type === 1 ? 'ACK' : type === 0 ? 'NACK' : 'Unknown'} (${type})`, type, p, 1);
    }
    // Some implementations add 3 bytes of padding and up to four 32-bit values.
    if (stop - p <= 3) return;
    p += 3;
    for (const [abbrev, label] of [['rx.max_mtu', 'Max MTU'], ['rx.if_mtu', 'Interface MTU'], ['rx.rwind', 'rwind'], ['rx.max_packets', 'Max Packets']] as const) {
      if (b.end - p < 4) break;
      const v = b.u32(p, label);
      b.add(abbrev, () => `${label}: ${v}`, v, p, 4);
      p += 4;
    }
  });
  return info;
}

function dissectChallenge(b: LayerBuilder, at: number, ids: () => string): string {
  b.group('rx.challenge', 'CHALLENGE Packet', null, at, Math.max(0, Math.min(b.end, b.data.length) - at), () => {
    const version = b.u32(at, 'version');
    b.add('rx.version', () => `Version: ${version}`, version, at, 4);
    if (version !== 2) return;
    const nonce = b.u32(at + 4, 'nonce');
    b.add('rx.nonce', () => `Nonce: ${hex(nonce, 8)}`, nonce, at + 4, 4, () => hex(nonce, 8));
    const level = b.u32(at + 8, 'minimum level');
    b.add('rx.min_level', () => `Min Level: ${level}`, level, at + 8, 4);
  });
  return `CHALLENGE  ${ids()}`;
}

function dissectResponse(b: LayerBuilder, at: number, ids: () => string): string {
  b.group('rx.response', 'RESPONSE Packet', null, at, Math.max(0, Math.min(b.end, b.data.length) - at), () => {
    const version = b.u32(at, 'version');
    b.add('rx.version', () => `Version: ${version}`, version, at, 4);
    if (version !== 2) return;
    const enc = at + 8;
    b.group('rx.encrypted', 'Encrypted', null, enc, 44, () => {
      const epoch = b.u32(enc, 'epoch');
      b.add('rx.epoch', () => `Epoch: ${absoluteTimeText(BigInt(epoch), 0)}`, epoch, enc, 4, () => absoluteTimeText(BigInt(epoch), 0));
      const cid = b.u32(enc + 4, 'CID');
      b.add('rx.cid', () => `CID: ${cid}`, cid, enc + 4, 4);
      const index = b.u8(enc + 12, 'security index');
      b.add('rx.securityindex', () => `Security Index: ${index}`, index, enc + 12, 1);
      for (let k = 0; k < 4; k++) {
        const call = b.u32(enc + 16 + 4 * k, 'call number');
        b.add('rx.callnumber', () => `Call Number: ${call}`, call, enc + 16 + 4 * k, 4);
      }
      const inc = b.u32(enc + 32, 'incremented nonce');
      b.add('rx.inc_nonce', () => `Inc Nonce: ${hex(inc, 8)}`, inc, enc + 32, 4, () => hex(inc, 8));
      const level = b.u32(enc + 36, 'level');
      b.add('rx.level', () => `Level: ${level}`, level, enc + 36, 4);
    });
    const kvno = b.u32(enc + 40, 'kvno');
    b.add('rx.kvno', () => `kvno: ${kvno}`, kvno, enc + 40, 4);
    const length = b.u32(enc + 44, 'ticket length');
    b.add('rx.ticket_len', () => `Ticket len: ${length}`, length, enc + 44, 4);
    const ticket = b.bytes(enc + 48, length, 'ticket');
    b.add('rx.ticket', () => `ticket: ${ticket.toString('hex', 0, 36)}${ticket.length > 36 ? '…' : ''}`, ticket, enc + 48, length, () => ticket.toString('hex'));
  });
  return `RESPONSE  ${ids()}`;
}

/** Opcodes Wireshark treats as operations (others mean the call is encrypted). */
function validOpcode(opcode: number): boolean {
  return opcode >= 0 && opcode <= 66000;
}

function dissectAfs(data: Buffer, offset: number, end: number, ctx: AppContext, h: RxHeader, calls: Map<string, AfsCall>): { layer: Layer; info: string } {
  const b = new LayerBuilder(data, 'afs', 'Andrew File System (AFS)', offset, end, ctx.fields);
  const reply = (h.flags & CLIENT_INITIATED) === 0;
  const port = reply ? ctx.srcPort : ctx.dstPort;
  const key = `${conversationKey(ctx.src, ctx.srcPort, ctx.dst, ctx.dstPort)}|${h.epoch}|${h.cid}|${h.callNumber}`;
  let call = calls.get(key);
  if (ctx.hindsight !== undefined && !ctx.hindsight.recalling) ctx.hindsight.share('afs', calls);
  const stop = Math.min(end, data.length);
  if (!call && !reply) {
    // Wireshark reads the opcode of a new call's first packet even when it is not there (an exception).
    const opcode = stop - offset >= 4 ? data.readUInt32BE(offset) : -1;
    call = { opcode, requestFrame: ctx.frameNumber, requestNs: ctx.tsNs, replyFrame: 0 };
    if (opcode >= 0) calls.set(key, call);
  }
  if (call && reply) call.replyFrame = ctx.frameNumber;
  const opcode = call ? Math.max(call.opcode, 0) : 0;
  const service = SERVICES[port];
  let [name, short, long] = service ?? ['', `Unknown(${port})`, `Unknown(${port})`];
  let opcodes = service ? AFS_OPCODES[name] : undefined;
  let ubik = '';
  if ((opcode >= 10000 && opcode <= 10007) || (opcode >= 20000 && opcode <= 20013)) {
    [name, opcodes, ubik] = ['ubik', AFS_OPCODES.ubik, 'UBIK-'];
  }
  const direction = reply ? 'Reply' : 'Request';
  let info = !validOpcode(opcode)
    ? `Encrypted ${short} ${direction}`
    : opcodes
      ? `${ubik}${short} ${direction}: ${opcodes[opcode] ?? `Unknown(${opcode})`} (${opcode})`
      : `${ubik}${short} ${direction}: Unknown(${opcode})`;
  dissectSafely(b, () => {
    if (!reply && stop - offset < 4) b.u32(offset, 'operation');
    // A call split over several packets is shown packet by packet: tshark 4.0 does not reassemble
    // AFS calls by default either.
    b.add('', () => `Service: ${validOpcode(opcode) ? '' : 'Encrypted '}${ubik ? 'UBIK - ' : ''}${long} ${direction}`, null, offset, 0);
    // tshark's -2: the reply frame the first pass found (app/dissect/hindsight.ts).
    const replyFrame = (ctx.hindsight?.recalling ? ctx.hindsight.share('afs', calls).get(key)?.replyFrame : undefined) ?? call?.replyFrame ?? 0;
    if (call && !reply && replyFrame) b.add('afs.repframe', () => `The reply to this request is in frame ${replyFrame}`, replyFrame, offset, 0);
    if (call && reply && call.replyFrame) {
      b.add('afs.reqframe', () => `This is a reply to a request in frame ${call!.requestFrame}`, call.requestFrame, offset, 0);
      if (ctx.tsNs !== undefined && call.requestNs !== undefined) {
        const delta = ctx.tsNs - call.requestNs;
        b.add('afs.time', () => `Time from request: ${nsToSeconds(delta)} seconds`, delta, offset, 0, () => nsToSeconds(delta));
      }
    }
    if (!validOpcode(opcode)) return;
    if (name) {
      const label = () => `Operation: ${opcodes?.[opcode] ?? 'Unknown'} (${opcode})`;
      if (!reply && h.seq === 1) b.add(`afs.${name}.opcode`, label, opcode, offset, 4);
      else b.add(`afs.${name}.opcode`, label, opcode, offset, 0);
      b.add(`afs.${name}`, `${long}`, true, offset, 0).hidden = true;
    } else b.add('', 'Operation: Unknown', null, offset, 0);
    b.add('afs.service', () => `Service: ${opcode}`, opcode, offset, 0).hidden = true;
  });
  return { layer: b.layer, info: info + statusSuffix(b.layer) };
}
