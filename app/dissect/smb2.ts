/**
 * SMB2/3 (MS-SMB2) over NBSS as tshark 4.0 shows it without keys (epan/dissectors/packet-smb2.c):
 * the 64-byte header of each PDU of a compound message (smb2.chain_offset / NextCommand), with the
 * request/response pairing by message ID (smb2.response_to, smb2.time), the tree a TID was
 * connected to (smb2.tree, smb2.share_type, smb2.tcon_frame) and the account a session ID was
 * authenticated as (smb2.acct, smb2.domain, smb2.host, smb2.auth_frame); the bodies of NEGOTIATE,
 * SESSION_SETUP (the security blob: gss.ts), LOGOFF, TREE_CONNECT, TREE_DISCONNECT, CREATE, CLOSE,
 * READ, WRITE, QUERY_DIRECTORY (Find), QUERY_INFO (GetInfo), IOCTL's fixed part and error responses.
 * The Info column is Wireshark's: "<Command> Request|Response", ", Error: STATUS_..." and the
 * command's own text (tree, file name from the FID's CREATE, read/write length and offset, ...).
 *
 * Left out: the preauth hash (smb2.preauth_hash), file information levels, negotiate contexts and
 * create contexts (their bytes stay in the blob fields), the bit sub-fields of access masks, file
 * attributes, share access and create options, smb2.response_in (needs a second pass).
 */
import { dissectSafely, hex, LayerBuilder } from './builder';
import { absoluteTimeText } from './app-format';
import { bitPicture } from './format';
import { dataLayer } from './hsrp';
import type { AppContext, FieldValue, Layer } from './model';
import { dissectSecurityBlob } from './gss';
import { ntStatusName } from './smb';
import { DcerpcPipes } from './dcerpc-pipe';

export const SMB2_COMMANDS: Record<number, string> = {
  0: 'Negotiate Protocol', 1: 'Session Setup', 2: 'Session Logoff', 3: 'Tree Connect', 4: 'Tree Disconnect', 5: 'Create', 6: 'Close',
  7: 'Flush', 8: 'Read', 9: 'Write', 10: 'Lock', 11: 'Ioctl', 12: 'Cancel', 13: 'KeepAlive', 14: 'Find', 15: 'Notify', 16: 'GetInfo',
  17: 'SetInfo', 18: 'Break',
};
const DIALECTS: Record<number, string> = {
  0x0202: 'SMB 2.0.2', 0x0210: 'SMB 2.1', 0x0222: 'SMB2_22', 0x0224: 'SMB2_24', 0x0300: 'SMB 3.0', 0x0302: 'SMB 3.0.2', 0x0310: 'SMB3.10',
  0x0311: 'SMB 3.1.1', 0x02ff: 'SMB2 wildcard',
};
const FSCTL_PIPE_TRANSCEIVE = 0x0011c017;
const SHARE_TYPES: Record<number, string> = { 1: 'Physical disk', 2: 'Named pipe', 3: 'Printer' };
const DISPOSITIONS: Record<number, string> = {
  0: 'Supersede (supersede existing file (if it exists))', 1: 'Open (if file exists open it, else fail)',
  2: 'Create (if file exists fail, else create it)', 3: 'Open If (if file exists open it, else create it)',
  4: 'Overwrite (if file exists overwrite, else fail)', 5: 'Overwrite If (if file exists overwrite, else create it)',
};
const CREATE_ACTIONS: Record<number, string> = {
  0: 'The file was superceded', 1: 'The file existed and was opened', 2: 'The file did not exist but was created', 3: 'The file existed and was truncated',
};
const IMPERSONATION: Record<number, string> = { 0: 'Anonymous', 1: 'Identification', 2: 'Impersonation', 3: 'Delegate' };
const OPLOCKS: Record<number, string> = { 0x00: 'No oplock', 0x01: 'Level2 oplock', 0x08: 'Exclusive oplock', 0x09: 'Batch oplock', 0xff: 'Lease' };
const CLASSES: Record<number, string> = { 1: 'FILE_INFO', 2: 'FS_INFO', 3: 'SEC_INFO', 4: 'QUOTA_INFO' };
const FILE_INFO_LEVELS: Record<number, string> = {
  0x04: 'SMB2_FILE_BASIC_INFO', 0x05: 'SMB2_FILE_STANDARD_INFO', 0x06: 'SMB2_FILE_INTERNAL_INFO', 0x07: 'SMB2_FILE_EA_INFO',
  0x08: 'SMB2_FILE_ACCESS_INFO', 0x0a: 'SMB2_FILE_RENAME_INFO', 0x0d: 'SMB2_FILE_DISPOSITION_INFO', 0x0e: 'SMB2_FILE_POSITION_INFO',
  0x0f: 'SMB2_FILE_FULL_EA_INFO', 0x10: 'SMB2_FILE_MODE_INFO', 0x11: 'SMB2_FILE_ALIGNMENT_INFO', 0x12: 'SMB2_FILE_ALL_INFO',
  0x13: 'SMB2_FILE_ALLOCATION_INFO', 0x14: 'SMB2_FILE_ENDOFFILE_INFO', 0x15: 'SMB2_FILE_ALTERNATE_NAME_INFO', 0x16: 'SMB2_FILE_STREAM_INFO',
  0x17: 'SMB2_FILE_PIPE_INFO', 0x1c: 'SMB2_FILE_COMPRESSION_INFO', 0x22: 'SMB2_FILE_NETWORK_OPEN_INFO', 0x23: 'SMB2_FILE_ATTRIBUTE_TAG_INFO',
};
const FS_INFO_LEVELS: Record<number, string> = {
  0x01: 'SMB2_FS_INFO_01', 0x03: 'SMB2_FS_INFO_03', 0x04: 'SMB2_FS_INFO_04', 0x05: 'SMB2_FS_INFO_05', 0x06: 'SMB2_FS_INFO_06',
  0x07: 'SMB2_FS_INFO_07', 0x08: 'SMB2_FS_OBJECTID_INFO', 0x0b: 'SMB2_FS_SECTOR_SIZE_INFO',
};
const FIND_LEVELS: Record<number, string> = {
  1: 'SMB2_FIND_DIRECTORY_INFO', 2: 'SMB2_FIND_FULL_DIRECTORY_INFO', 3: 'SMB2_FIND_BOTH_DIRECTORY_INFO', 12: 'SMB2_FIND_NAME_INFO',
  37: 'SMB2_FIND_ID_BOTH_DIRECTORY_INFO', 38: 'SMB2_FIND_ID_FULL_DIRECTORY_INFO',
};
const FLAGS: [string, number, string, string, string][] = [
  ['smb2.flags.response', 0x1, 'Response', 'This is a RESPONSE', 'This is a REQUEST'],
  ['smb2.flags.async', 0x2, 'Async command', 'This is an ASYNC command', 'This is a SYNC command'],
  ['smb2.flags.chained', 0x4, 'Chained', 'This pdu IS a chained command', 'This pdu is NOT a chained command'],
  ['smb2.flags.signature', 0x8, 'Signing', 'This pdu IS signed', 'This pdu is NOT signed'],
  ['smb2.flags.priority_mask', 0x70, 'Priority', 'This pdu contains a PRIORITY', 'This pdu does NOT contain a PRIORITY'],
  ['smb2.flags.dfs', 0x10000000, 'DFS operation', 'This is a DFS OPERATION', 'This is a normal operation'],
  ['smb2.flags.replay', 0x20000000, 'Replay operation', 'This is a REPLAY OPERATION', 'This is NOT a replay operation'],
];

/** What a request leaves for its response and for later PDUs of its connection. */
interface Request {
  frame: number;
  tsNs: bigint | undefined;
  cmd: number;
  /** CREATE: the file name; READ/WRITE/... : the name of the FID's file. */
  name?: string;
  /** READ: the file ID (hex), whose pipe the response's data belongs to. */
  fid?: string;
  tree?: string;
  findLevel?: number;
  pattern?: string;
  infoClass?: number;
  infoLevel?: number;
}
interface Tree { name: string; shareType: number; frame: number }
interface Session { acct: string; domain: string; host: string; frame: number }

/** What SMB2 remembers across PDUs: requests by connection and message ID, trees, sessions, files. */
export interface Smb2State {
  requests: Map<string, Request>;
  trees: Map<string, Tree>;
  sessions: Map<string, Session>;
  /** File names by connection and FID (hex), with the frame that opened them. */
  files: Map<string, { name: string; frame: number }>;
  /** DCE/RPC over the named pipes (dcerpc-pipe.ts). */
  pipes: DcerpcPipes;
}

export function createSmb2State(): Smb2State {
  return { requests: new Map(), trees: new Map(), sessions: new Map(), files: new Map(), pipes: new DcerpcPipes() };
}

const guidText = (d: Buffer, at: number): string => {
  const h = (a: number, b: number) => d.toString('hex', a, b);
  const le = (a: number, n: number) => Buffer.from(d.subarray(a, a + n)).reverse().toString('hex');
  return `${le(at, 4)}-${le(at + 4, 2)}-${le(at + 6, 2)}-${h(at + 8, at + 10)}-${h(at + 10, at + 16)}`;
};

/** A FILETIME as tshark prints it ("No time specified (0)" in the tree for 0). */
function filetime(d: Buffer, at: number): { text: string; label: string } {
  const v = d.readBigUInt64LE(at);
  if (v === 0n) return { text: 'Jan  1, 1970 00:00:00.000000000 UTC', label: 'No time specified (0)' };
  const unix100ns = v - 116444736000000000n;
  const secs = unix100ns / 10000000n;
  const nanos = Number(unix100ns % 10000000n) * 100;
  const text = absoluteTimeText(secs, nanos);
  return { text, label: text };
}

const u64 = (d: Buffer, at: number): bigint => d.readBigUInt64LE(at);
const hex64 = (v: bigint): string => `0x${v.toString(16).padStart(16, '0')}`;
const utf16 = (d: Buffer, at: number, n: number): string => d.toString('utf16le', at, at + (n & ~1));

export interface Smb2Result {
  layers: Layer[];
  info: string;
  /** Set when pipe data was DCE/RPC that wrote the Protocol column. */
  protocolColumn?: string;
}

/** The columns DCE/RPC in a PDU's pipe data wrote (it replaces the Info column). */
interface PipeColumns { protocolColumn?: string; info?: string }

/** The SMB2 PDUs of one NBSS message data[offset, end). */
export function dissectSmb2(state: Smb2State, data: Buffer, offset: number, end: number, ctx: AppContext): Smb2Result {
  const layers: Layer[] = [];
  let info = '';
  let at = offset;
  let protocolColumn: string | undefined;
  const stop = Math.min(end, data.length);
  for (;;) {
    const columns: PipeColumns = {};
    const pdu = dissectPdu(state, data, at, end, ctx, at !== offset, columns);
    layers.push(...pdu.layers);
    // DCE/RPC clears the Info column and writes its own (col_add_fstr).
    if (columns.info !== undefined) info = columns.info;
    else info += (at !== offset ? ';' : '') + pdu.info;
    if (columns.protocolColumn !== undefined) protocolColumn = columns.protocolColumn;
    if (pdu.next <= 0 || pdu.failed || at + pdu.next >= stop) break;
    at += pdu.next;
  }
  return { layers, info, protocolColumn };
}

function dissectPdu(state: Smb2State, data: Buffer, offset: number, end: number, ctx: AppContext, chained: boolean, columns: PipeColumns): { layers: Layer[]; info: string; next: number; failed: boolean } {
  const conv = `${ctx.src}:${ctx.srcPort}-${ctx.dst}:${ctx.dstPort}`;
  const convKey = ctx.srcPort < ctx.dstPort || (ctx.srcPort === ctx.dstPort && ctx.src < ctx.dst)
    ? `${ctx.src}:${ctx.srcPort}-${ctx.dst}:${ctx.dstPort}` : `${ctx.dst}:${ctx.dstPort}-${ctx.src}:${ctx.srcPort}`;
  void conv;
  const b = new LayerBuilder(data, 'smb2', 'SMB2 (Server Message Block Protocol version 2)', offset, end, ctx.fields);
  const extra: Layer[] = [];
  let info = '';
  let next = 0;
  const layer = dissectSafely(b, () => {
    const le16 = (a: number) => { b.need(a, 2, 'field'); return data.readUInt16LE(a); };
    const le32 = (a: number) => { b.need(a, 4, 'field'); return data.readUInt32LE(a); };
    // The header's values from a zero-padded copy: a cut header shows its fields as far as they
    // go (each is checked when added), then the PDU is malformed, with no command in Info.
    const h = Buffer.alloc(64);
    data.copy(h, 0, offset, Math.max(offset, Math.min(offset + 64, end, data.length)));
    const flags = h.readUInt32LE(16);
    const response = (flags & 1) !== 0;
    const cmd = h.readUInt16LE(12);
    const status = h.readUInt32LE(8);
    const msgId = u64(h, 24);
    const sesid = u64(h, 40);
    const tid = flags & 2 ? -1 : h.readUInt32LE(36);
    next = h.readUInt32LE(20);
    const hadd = (abbrev: string, label: string | (() => string), value: FieldValue, at: number, n: number, text?: string | (() => string)) => {
      if (n > 0) b.need(at, n, 'SMB2 header');
      return b.add(abbrev, label, value, at, n, text);
    };
    const hgroup = (abbrev: string, label: string | (() => string), value: FieldValue, at: number, n: number, body: () => void, text?: string | (() => string)) => {
      b.need(at, n, 'SMB2 header');
      return b.group(abbrev, label, value, at, n, body, text);
    };
    const cmdName = SMB2_COMMANDS[cmd] ?? `Unknown (${cmd})`;
    const reqKey = `${convKey}/${msgId}/${cmd}`;
    const request: Request | undefined = response ? state.requests.get(reqKey) : { frame: ctx.frameNumber, tsNs: ctx.tsNs, cmd };
    b.group('', 'SMB2 Header', null, offset, 64, () => {
      hadd('smb2.protocol_id', 'ProtocolId: 0xfe534d42', 0xfe534d42, offset, 4, '0xfe534d42');
      const hl = data.readUInt16LE(offset + 4);
      hadd('smb2.header_len', () => `Header Length: ${hl}`, hl, offset + 4, 2);
      const charge = data.readUInt16LE(offset + 6);
      hadd('smb2.credit.charge', () => `Credit Charge: ${charge}`, charge, offset + 6, 2);
      if (response) {
        hadd('smb2.nt_status', () => `NT Status: ${ntStatusName(status)} (${hex(status, 8)})`, status, offset + 8, 4, () => hex(status, 8));
      } else {
        const seq = data.readUInt16LE(offset + 8);
        hadd('smb2.channel_sequence', () => `Channel Sequence: ${seq}`, seq, offset + 8, 2);
        const r = data.subarray(offset + 10, offset + 12);
        hadd('smb2.reserved', () => `Reserved: ${r.toString('hex')}`, r, offset + 10, 2, () => r.toString('hex'));
      }
      hadd('smb2.cmd', () => `Command: ${cmdName} (${cmd})`, cmd, offset + 12, 2);
      const credits = data.readUInt16LE(offset + 14);
      if (response) hadd('smb2.credits.granted', () => `Credits granted: ${credits}`, credits, offset + 14, 2);
      else hadd('smb2.credits.requested', () => `Credits requested: ${credits}`, credits, offset + 14, 2);
      hgroup('smb2.flags', () => `Flags: ${hex(flags, 8)}${flagNames(flags)}`, flags, offset + 16, 4, () => {
        for (const [abbrev, mask, name, yes, no] of FLAGS) {
          hadd(abbrev, () => `${bitPicture(flags, mask, 32)} = ${name}: ${flags & mask ? yes : no}`, (flags & mask) !== 0, offset + 16, 4);
        }
      }, () => hex(flags, 8));
      hadd('smb2.chain_offset', () => `Chain Offset: ${hex(next, 8)}`, next, offset + 20, 4, () => hex(next, 8));
      hadd('smb2.msg_id', () => `Message ID: ${msgId}`, msgId, offset + 24, 8, String(msgId));
      if (flags & 2) {
        const aid = u64(data, offset + 32);
        hadd('smb2.aid', () => `Async Id: ${hex64(aid)}`, aid, offset + 32, 8, hex64(aid));
      } else {
        const pid = data.readUInt32LE(offset + 32);
        hadd('smb2.pid', () => `Process Id: ${hex(pid, 8)}`, pid, offset + 32, 4, () => hex(pid, 8));
        const tree = state.trees.get(`${convKey}/${tid}`);
        hgroup('smb2.tid', () => `Tree Id: ${hex(tid, 8)}${tree ? `  ${tree.name}` : ''}`, tid, offset + 36, 4, () => {
          // Wireshark looks the tree up once the whole header is there.
          if (tree === undefined || Math.min(end, data.length) - offset < 64) return;
          hadd('smb2.tree', () => `Tree: ${tree.name}`, tree.name, offset + 36, 4);
          hadd('smb2.share_type', () => `Share Type: ${SHARE_TYPES[tree.shareType] ?? 'Unknown'} (${hex(tree.shareType, 2)})`, tree.shareType, offset + 36, 0, () => hex(tree.shareType, 2));
          hadd('smb2.tcon_frame', () => `Connected in Frame: ${tree.frame}`, tree.frame, offset + 36, 0);
        }, () => hex(tid, 8));
      }
      const session = state.sessions.get(`${convKey}/${sesid}`);
      hgroup('smb2.sesid', () => `Session Id: ${hex64(sesid)}${session ? ` Acct:${session.acct} Domain:${session.domain} Host:${session.host}` : ''}`, sesid, offset + 40, 8, () => {
        if (session === undefined) return;
        hadd('smb2.acct', () => `Account: ${session.acct}`, session.acct, offset + 40, 0);
        hadd('smb2.domain', () => `Domain: ${session.domain}`, session.domain, offset + 40, 0);
        hadd('smb2.host', () => `Host: ${session.host}`, session.host, offset + 40, 0);
        hadd('smb2.auth_frame', () => `Authenticated in Frame: ${session.frame}`, session.frame, offset + 40, 0);
      }, hex64(sesid));
      const sig = data.subarray(offset + 48, offset + 64);
      hadd('smb2.signature', () => `Signature: ${sig.toString('hex')}`, sig, offset + 48, 16, () => sig.toString('hex'));
      if (response && request !== undefined) {
        const req = request;
        hadd('smb2.response_to', () => `Response to: ${req.frame}`, req.frame, offset, 0);
        if (req.tsNs !== undefined && ctx.tsNs !== undefined) {
          const delta = ctx.tsNs - req.tsNs;
          const text = `${delta < 0n ? '-' : ''}${(delta < 0n ? -delta : delta) / 1000000000n}.${((delta < 0n ? -delta : delta) % 1000000000n).toString().padStart(9, '0')}`;
          hadd('smb2.time', () => `Time from request: ${text} seconds`, text, offset, 0, text);
        }
      }
    });
    if (!response) state.requests.set(reqKey, request!);
    info = `${cmdName} ${response ? 'Response' : 'Request'}`;
    if (response && status !== 0) info += `, Error: ${ntStatusName(status)}`;
    const at = offset + 64;
    const pduEnd = next > 0 ? Math.min(end, offset + next) : end;
    const body = new Body(b, data, offset, at, pduEnd);
    b.group('', () => `${cmdName} ${response ? 'Response' : 'Request'} (${hex(cmd, 2)})`, null, at, pduEnd - at, () => {
      // Wireshark dissects an error response's body as the error structure, except where the
      // status still comes with the command's own body.
      const realBody = status === 0 || (cmd === 1 && status === 0xc0000016) || (status === 0x80000005 && (cmd === 8 || cmd === 11 || cmd === 16))
        || (cmd === 11 && (status === 0xc000000d || status === 0x80000005));
      echoRequest(b, cmd, response, request, at);
      if (response && !realBody) {
        errorResponse(body, le16, le32);
        if (cmd === 14 && request?.findLevel !== undefined) info += ` ${FIND_LEVELS[request.findLevel] ?? `Unknown (${request.findLevel})`} Pattern: ${request.pattern ?? ''}`;
        return;
      }
      info += commandBody(state, body, cmd, response, request, ctx, convKey, tid, sesid, extra, le16, le32, status, (flags & 4) !== 0, columns);
    });
    void chained;
  });
  if (layer.status !== 'ok') {
    info += layer.status === 'truncated' ? '[Packet size limited during capture]' : '[Malformed Packet]';
    return { layers: [layer, ...extra], info, next, failed: true };
  }
  return { layers: [layer, ...extra], info, next, failed: false };
}

function flagNames(flags: number): string {
  const names: string[] = [];
  if (flags & 1) names.push('Response');
  if (flags & 2) names.push('Async command');
  if (flags & 4) names.push('Chained');
  if (flags & 8) names.push('Signing');
  if (flags & 0x10000000) names.push('DFS operation');
  if (flags & 0x20000000) names.push('Replay operation');
  return names.length ? `, ${names.join(', ')}` : '';
}

/** Reading helpers for a PDU body: offsets of "offset/length" blobs count from the SMB2 header. */
class Body {
  constructor(readonly b: LayerBuilder, readonly data: Buffer, readonly header: number, readonly start: number, readonly end: number) {}

  bufferCode(): number {
    const b = this.b;
    const at = this.start;
    b.need(at, 2, 'StructureSize');
    const code = this.data.readUInt16LE(at);
    b.group('smb2.buffer_code', () => `StructureSize: ${hex(code, 4)}`, code, at, 2, () => {
      b.add('smb2.buffer_code.length', () => `${bitPicture(code, 0xfffe, 16)} = Fixed Part Length: ${code >> 1}`, code & 0xfffe, at, 2, String(code >> 1));
      b.add('smb2.buffer_code.dynamic', () => `${bitPicture(code, 1, 16)} = Dynamic Part: ${code & 1 ? 'True' : 'False'}`, (code & 1) !== 0, at, 2);
    }, () => hex(code, 4));
    return code;
  }

  reserved(at: number, n: number): void {
    this.b.need(at, n, 'reserved');
    const r = this.data.subarray(at, at + n);
    this.b.add('smb2.reserved', () => `Reserved: ${r.toString('hex')}`, r, at, n, () => r.toString('hex'));
  }

  fid(at: number, file: { name: string; frame: number } | undefined, closed?: number): void {
    const b = this.b;
    b.need(at, 16, 'file ID');
    const guid = guidText(this.data, at);
    b.group('', () => `GUID handle File: ${file?.name ?? ''}`, null, at, 16, () => {
      b.add('smb2.fid', () => `File Id: ${guid}`, guid, at, 16);
      if (file !== undefined) b.add('dcerpc.nt.open_frame', () => `Frame handle opened: ${file.frame}`, file.frame, at, 20);
      if (closed !== undefined) b.add('dcerpc.nt.close_frame', () => `Frame handle closed: ${closed}`, closed, at, 20);
    });
  }

  time(abbrev: string, name: string, at: number): void {
    this.b.need(at, 8, name);
    const t = filetime(this.data, at);
    this.b.add(abbrev, () => `${name}: ${t.label}`, t.text, at, 8, t.text);
  }

  u32(abbrev: string, name: string, at: number, hexWidth = 0): number {
    this.b.need(at, 4, name);
    const v = this.data.readUInt32LE(at);
    this.b.add(abbrev, () => `${name}: ${hexWidth ? hex(v, hexWidth) : v}`, v, at, 4, hexWidth ? hex(v, hexWidth) : String(v));
    return v;
  }

  u16(abbrev: string, name: string, at: number, hexWidth = 0): number {
    this.b.need(at, 2, name);
    const v = this.data.readUInt16LE(at);
    this.b.add(abbrev, () => `${name}: ${hexWidth ? hex(v, hexWidth) : v}`, v, at, 2, hexWidth ? hex(v, hexWidth) : String(v));
    return v;
  }

  u64(abbrev: string, name: string, at: number): bigint {
    this.b.need(at, 8, name);
    const v = this.data.readBigUInt64LE(at);
    this.b.add(abbrev, () => `${name}: ${v}`, v, at, 8, String(v));
    return v;
  }
}

function echoRequest(b: LayerBuilder, cmd: number, response: boolean, request: Request | undefined, at: number): void {
  if (response && request !== undefined) {
    // Responses repeat what their request asked for, as generated fields before the body.
    if (cmd === 14 && request.findLevel !== undefined) {
      const level = request.findLevel;
      b.add('smb2.find.infolevel', () => `Info Level: ${FIND_LEVELS[level] ?? 'Unknown'} (${level})`, level, at, 0);
    } else if (cmd === 16 && request.infoClass !== undefined) {
      const cls = request.infoClass;
      const level = request.infoLevel ?? 0;
      const levels = cls === 1 ? FILE_INFO_LEVELS : cls === 2 ? FS_INFO_LEVELS : {};
      b.add('smb2.class', () => `Class: ${CLASSES[cls] ?? 'Unknown'} (${hex(cls, 2)})`, cls, at, 0, hex(cls, 2));
      b.add(cls === 1 ? 'smb2.file_info.infolevel' : cls === 2 ? 'smb2.fs_info.infolevel' : 'smb2.infolevel', () => `InfoLevel: ${levels[level] ?? 'Unknown'} (${hex(level, 2)})`, level, at, 0, hex(level, 2));
    }
  }
}

function errorResponse(body: Body, le16: (a: number) => number, le32: (a: number) => number): void {
  const b = body.b;
  const at = body.start;
  body.bufferCode();
  const count = b.u8(at + 2, 'error context count');
  b.add('smb2.error.context_count', () => `Error Context Count: ${count}`, count, at + 2, 1);
  body.b.need(at + 3, 1, 'reserved');
  const r = body.data.subarray(at + 3, at + 4);
  b.add('smb2.error.reserved', () => `Reserved: ${hex(r[0]!, 2)}`, r[0]!, at + 3, 1, hex(r[0]!, 2));
  const n = le32(at + 4);
  b.add('smb2.error.byte_count', () => `Byte Count: ${n}`, n, at + 4, 4);
  void le16;
  if (n > 0) {
    const d = b.bytes(at + 8, n, 'error data');
    b.add('smb2.error.data', () => `Error Data: ${d.toString('hex')}`, d, at + 8, n, () => d.toString('hex'));
  } else {
    // An empty error response still carries one byte of ErrorData (MS-SMB2 2.2.2), which Wireshark shows.
    const d = b.bytes(at + 8, 1, 'error data');
    b.add('smb2.error.data', () => `Error Data: ${d.toString('hex')}`, d, at + 8, 1, () => d.toString('hex'));
  }
}

function commandBody(
  state: Smb2State, body: Body, cmd: number, response: boolean, request: Request | undefined, ctx: AppContext, convKey: string,
  tid: number, sesid: bigint, extra: Layer[], le16: (a: number) => number, le32: (a: number) => number, status: number, related: boolean,
  columns: PipeColumns,
): string {
  const { b, data, header } = body;
  const at = body.start;
  /** dissect_file_data_smb2_pipe: data[from, from + len) to DCE/RPC, else shown as data. */
  const pipeData = (from: number, len: number, fid: string | undefined): void => {
    const end = Math.min(body.end, from + len);
    const stop = Math.min(end, data.length);
    if (stop <= from) return;
    const r = state.pipes.dissect(data, from, end, ctx, `${convKey}/${fid ?? ''}`, `${ctx.src}:${ctx.srcPort}`, 'Named Pipe over SMB2');
    if (r === null) {
      extra.push(dataLayer(data, from, stop, ctx.fields));
      return;
    }
    extra.push(...r.layers);
    if (r.info !== undefined) columns.info = r.info;
    if (r.protocolColumn !== undefined) columns.protocolColumn = r.protocolColumn;
  };
  const blob = (abbrevOffset: number, abbrevLength: number, offWidth: 2 | 4, lenWidth: 2 | 4) => {
    const o = offWidth === 2 ? le16(abbrevOffset) : le32(abbrevOffset);
    const n = lenWidth === 2 ? le16(abbrevLength) : le32(abbrevLength);
    return { o, n, add: () => {
      b.add('smb2.olb.offset', () => `Blob Offset: ${hex(o, 8)}`, o, abbrevOffset, offWidth, hex(o, 8));
      b.add('smb2.olb.length', () => `Blob Length: ${n}`, n, abbrevLength, lenWidth);
    } };
  };
  const fileOf = (fidAt: number) => {
    b.need(fidAt, 16, 'file ID');
    // A related compound operation (flags.chained) finds no file by its FID in Wireshark.
    if (related) return undefined;
    return state.files.get(`${convKey}/${data.toString('hex', fidAt, fidAt + 16)}`);
  };
  body.bufferCode();
  switch (cmd) {
    case 0: {
      if (!response) {
        const count = le16(at + 2);
        b.add('smb2.dialect_count', () => `Dialect count: ${count}`, count, at + 2, 2);
        secMode(b, data, at + 4, le16);
        body.reserved(at + 6, 2);
        capabilities(b, at + 8, le32(at + 8));
        b.need(at + 12, 16, 'client GUID');
        const guid = guidText(data, at + 12);
        b.add('smb2.client_guid', () => `Client Guid: ${guid}`, guid, at + 12, 16);
        const ctxOff = le32(at + 28);
        const ctxCount = le16(at + 32);
        b.add('smb2.negotiate_context.offset', () => `NegotiateContextOffset: ${hex(ctxOff, 8)}`, ctxOff, at + 28, 4, hex(ctxOff, 8));
        b.add('smb2.negotiate_context.count', () => `NegotiateContextCount: ${ctxCount}`, ctxCount, at + 32, 2);
        body.reserved(at + 34, 2);
        for (let k = 0; k < count; k++) {
          const d = le16(at + 36 + 2 * k);
          b.add('smb2.dialect', () => `Dialect: ${DIALECTS[d] ?? 'Unknown'} (${hex(d, 4)})`, d, at + 36 + 2 * k, 2, hex(d, 4));
        }
        return '';
      }
      secMode(b, data, at + 2, le16);
      const d = le16(at + 4);
      b.add('smb2.dialect', () => `Dialect: ${DIALECTS[d] ?? 'Unknown'} (${hex(d, 4)})`, d, at + 4, 2, hex(d, 4));
      const ctxCount = le16(at + 6);
      b.add('smb2.negotiate_context.count', () => `NegotiateContextCount: ${ctxCount}`, ctxCount, at + 6, 2);
      b.need(at + 8, 16, 'server GUID');
      const guid = guidText(data, at + 8);
      b.add('smb2.server_guid', () => `Server Guid: ${guid}`, guid, at + 8, 16);
      capabilities(b, at + 24, le32(at + 24));
      body.u32('smb2.max_trans_size', 'Max Transaction Size', at + 28);
      body.u32('smb2.max_read_size', 'Max Read Size', at + 32);
      body.u32('smb2.max_write_size', 'Max Write Size', at + 36);
      body.time('smb2.current_time', 'Current Time', at + 40);
      body.time('smb2.boot_time', 'Boot Time', at + 48);
      const sb = blob(at + 56, at + 58, 2, 2);
      sb.add();
      securityBlob(b, data, header + sb.o, sb.n, body.end, ctx, extra);
      const ctxOff = le32(at + 60);
      b.add('smb2.negotiate_context.offset', () => `NegotiateContextOffset: ${hex(ctxOff, 8)}`, ctxOff, at + 60, 4, hex(ctxOff, 8));
      return '';
    }
    case 1: {
      if (!response) {
        const f = b.u8(at + 2, 'flags');
        b.group('smb2.ses_req_flags', () => `Flags: ${f}`, f, at + 2, 1, () => {
          b.add('smb2.ses_req_flags.session_binding', () => `${bitPicture(f, 1, 8)} = Session Binding Request: ${f & 1 ? 'True' : 'False'}`, (f & 1) !== 0, at + 2, 1);
        });
        secMode(b, data, at + 3, (a) => data[a]! | (b.u8(a), 0));
        capabilities(b, at + 4, le32(at + 4));
        const channel = le32(at + 8);
        b.add('smb2.channel', () => `Channel: ${channel === 0 ? 'None' : 'Unknown'} (${hex(channel, 8)})`, channel, at + 8, 4, hex(channel, 8));
        b.need(at + 16, 8, 'previous session ID');
        const prev = u64(data, at + 16);
        b.add('smb2.previous_sesid', () => `Previous Session Id: ${hex64(prev)}`, prev, at + 16, 8, hex64(prev));
        const sb = blob(at + 12, at + 14, 2, 2);
        sb.add();
        const auth = securityBlob(b, data, header + sb.o, sb.n, body.end, ctx, extra);
        // Wireshark ties the account to the session ID as soon as it sees the NTLMSSP AUTH message.
        if (auth.user !== undefined) state.sessions.set(`${convKey}/${sesid}`, { acct: auth.user, domain: auth.domain ?? '', host: auth.host ?? '', frame: ctx.frameNumber });
        return auth.info;
      }
      const sf = le16(at + 2);
      b.group('smb2.session_flags', () => `Session Flags: ${hex(sf, 4)}`, sf, at + 2, 2, () => {
        b.add('smb2.ses_flags.guest', () => `${bitPicture(sf, 1, 16)} = Guest: ${sf & 1 ? 'True' : 'False'}`, (sf & 1) !== 0, at + 2, 2);
        b.add('smb2.ses_flags.null', () => `${bitPicture(sf, 2, 16)} = Null: ${sf & 2 ? 'True' : 'False'}`, (sf & 2) !== 0, at + 2, 2);
        b.add('smb2.ses_flags.encrypt', () => `${bitPicture(sf, 4, 16)} = Encrypt: ${sf & 4 ? 'True' : 'False'}`, (sf & 4) !== 0, at + 2, 2);
      }, () => hex(sf, 4));
      const sb = blob(at + 4, at + 6, 2, 2);
      sb.add();
      const result = securityBlob(b, data, header + sb.o, sb.n, body.end, ctx, extra);
      // The session's "Authenticated in Frame" becomes the response that completes the setup.
      const session = state.sessions.get(`${convKey}/${sesid}`);
      if (status === 0 && session !== undefined) session.frame = ctx.frameNumber;
      return result.info;
    }
    case 2: case 4: {
      // A Session Logoff request shows only its StructureSize.
      if (cmd === 4 || response) body.reserved(at + 2, 2);
      return '';
    }
    case 3: {
      if (!response) {
        const f = le16(at + 2);
        b.group('smb2.tc.flags', () => `Flags: ${hex(f, 4)}`, f, at + 2, 2, () => {
          b.add('smb2.tc.cluster_reconnect', () => `${bitPicture(f, 1, 16)} = Cluster Reconnect: ${f & 1 ? 'True' : 'False'}`, (f & 1) !== 0, at + 2, 2);
          b.add('smb2.tc.redirect_to_owner', () => `${bitPicture(f, 2, 16)} = Redirect To Owner: ${f & 2 ? 'True' : 'False'}`, (f & 2) !== 0, at + 2, 2);
          b.add('smb2.tc.extension_present', () => `${bitPicture(f, 4, 16)} = Extension Present: ${f & 4 ? 'True' : 'False'}`, (f & 4) !== 0, at + 2, 2);
          b.add('smb2.tc.reserved', () => `${bitPicture(f, 0xfff8, 16)} = Reserved: ${hex(f & 0xfff8, 4)}`, f & 0xfff8, at + 2, 2, hex(f & 0xfff8, 4));
        }, () => hex(f, 4));
        const sb = blob(at + 4, at + 6, 2, 2);
        b.need(header + sb.o, sb.n, 'tree');
        const tree = utf16(data, header + sb.o, sb.n);
        b.group('smb2.tree', () => `Tree: ${tree}`, tree, header + sb.o, sb.n, sb.add);
        if (request) request.tree = tree;
        return ` Tree: ${tree}`;
      }
      const type = b.u8(at + 2, 'share type');
      b.add('smb2.share_type', () => `Share Type: ${SHARE_TYPES[type] ?? 'Unknown'} (${hex(type, 2)})`, type, at + 2, 1, hex(type, 2));
      body.reserved(at + 3, 1);
      body.u32('smb2.share_flags', 'Share flags', at + 4, 8);
      body.u32('smb2.share_caps', 'Share Capabilities', at + 8, 8);
      body.u32('smb.access_mask', 'Access Mask', at + 12, 8);
      if (status === 0 && request?.tree !== undefined) state.trees.set(`${convKey}/${tid}`, { name: request.tree, shareType: type, frame: ctx.frameNumber });
      return '';
    }
    case 5: {
      if (!response) {
        // The SecurityFlags byte at +2 gets no field in Wireshark.
        b.need(at + 2, 1, 'security flags');
        const oplock = b.u8(at + 3, 'oplock');
        b.add('smb2.create.oplock', () => `Oplock: ${OPLOCKS[oplock] ?? 'Unknown'} (${hex(oplock, 2)})`, oplock, at + 3, 1, hex(oplock, 2));
        const imp = le32(at + 4);
        b.add('smb2.impersonation.level', () => `Impersonation level: ${IMPERSONATION[imp] ?? 'Unknown'} (${imp})`, imp, at + 4, 4);
        b.need(at + 8, 8, 'create flags');
        const cf = u64(data, at + 8);
        b.add('smb2.create_flags', () => `Create Flags: ${hex64(cf)}`, cf, at + 8, 8, hex64(cf));
        body.reserved(at + 16, 8);
        body.u32('smb.access_mask', 'Access Mask', at + 24, 8);
        body.u32('smb2.file_attribute', 'File Attributes', at + 28, 8);
        body.u32('smb.share_access', 'Share Access', at + 32, 8);
        const disp = le32(at + 36);
        b.add('smb2.create.disposition', () => `Disposition: ${DISPOSITIONS[disp] ?? 'Unknown'} (${disp})`, disp, at + 36, 4);
        body.u32('smb.create_options', 'Create Options', at + 40, 8);
        const nb = blob(at + 44, at + 46, 2, 2);
        b.need(header + nb.o, nb.n, 'file name');
        const name = utf16(data, header + nb.o, nb.n);
        b.group('smb2.filename', () => `Filename: ${name}`, name, header + nb.o, nb.n, nb.add);
        const cb = blob(at + 48, at + 52, 4, 4);
        cb.add();
        if (cb.n === 0) b.add('smb2.create.extrainfo', 'ExtraInfo: NO DATA', null, header + cb.o, 0, '1');
        if (request) request.name = name;
        return ` File: ${name}`;
      }
      const oplock = b.u8(at + 2, 'oplock');
      b.add('smb2.create.oplock', () => `Oplock: ${OPLOCKS[oplock] ?? 'Unknown'} (${hex(oplock, 2)})`, oplock, at + 2, 1, hex(oplock, 2));
      const rf = b.u8(at + 3, 'response flags');
      b.group('smb2.create.rep_flags', () => `Response Flags: ${hex(rf, 2)}`, rf, at + 3, 1, () => {
        b.add('smb2.create.rep_flags.reparse_point', () => `${bitPicture(rf, 1, 8)} = ReparsePoint: ${rf & 1 ? 'True' : 'False'}`, (rf & 1) !== 0, at + 3, 1);
      }, () => hex(rf, 2));
      const action = le32(at + 4);
      b.add('smb2.create.action', () => `Create Action: ${CREATE_ACTIONS[action] ?? 'Unknown'} (${action})`, action, at + 4, 4);
      body.time('smb2.create.time', 'Create', at + 8);
      body.time('smb2.last_access.time', 'Last Access', at + 16);
      body.time('smb2.last_write.time', 'Last Write', at + 24);
      body.time('smb2.last_change.time', 'Last Change', at + 32);
      body.u64('smb2.allocation_size', 'Allocation Size', at + 40);
      body.u64('smb2.eof', 'End Of File', at + 48);
      body.u32('smb2.file_attribute', 'File Attributes', at + 56, 8);
      body.reserved(at + 60, 4);
      // Without its request (not seen), Wireshark names the file "[unknown]".
      const name = request?.name ?? '[unknown]';
      b.need(at + 64, 16, 'file ID');
      const file = { name, frame: ctx.frameNumber };
      state.files.set(`${convKey}/${data.toString('hex', at + 64, at + 80)}`, file);
      body.fid(at + 64, file);
      const cb = blob(at + 80, at + 84, 4, 4);
      cb.add();
      if (cb.n === 0) b.add('smb2.create.extrainfo', 'ExtraInfo: NO DATA', null, header + cb.o, 0, '1');
      return ` File: ${name}`;
    }
    case 6: {
      const f = le16(at + 2);
      b.group('smb2.close.flags', () => `Close Flags: ${hex(f, 4)}`, f, at + 2, 2, () => {
        b.add('smb2.close.pq_attrib', () => `${bitPicture(f, 1, 16)} = PostQuery Attrib: ${f & 1 ? 'True' : 'False'}`, (f & 1) !== 0, at + 2, 2);
      }, () => hex(f, 4));
      if (!response) {
        // The request's 4 reserved bytes get no field in Wireshark.
        b.need(at + 4, 4, 'reserved');
        const file = fileOf(at + 8);
        // A related compound Close (its FID found by no lookup) still shows the closing frame.
        body.fid(at + 8, file, file || related ? ctx.frameNumber : undefined);
        if (request) request.name = file?.name;
        return file ? ` File: ${file.name}` : '';
      }
      body.reserved(at + 4, 4);
      body.time('smb2.create.time', 'Create', at + 8);
      body.time('smb2.last_access.time', 'Last Access', at + 16);
      body.time('smb2.last_write.time', 'Last Write', at + 24);
      body.time('smb2.last_change.time', 'Last Change', at + 32);
      body.u64('smb2.allocation_size', 'Allocation Size', at + 40);
      body.u64('smb2.eof', 'End Of File', at + 48);
      body.u32('smb2.file_attribute', 'File Attributes', at + 56, 8);
      return '';
    }
    case 8: {
      if (!response) {
        const pad = b.u8(at + 2, 'padding');
        b.add('smb2.read_padding', () => `Padding: ${hex(pad, 2)}`, pad, at + 2, 1, hex(pad, 2));
        const rf = b.u8(at + 3, 'flags');
        b.add('smb2.read_flags', () => `Flags: ${hex(rf, 2)}`, rf, at + 3, 1, hex(rf, 2));
        const len = body.u32('smb2.read_length', 'Read Length', at + 4);
        const off = body.u64('smb2.file_offset', 'File Offset', at + 8);
        const file = fileOf(at + 16);
        body.fid(at + 16, file);
        if (request) request.fid = data.toString('hex', at + 16, at + 32);
        body.u32('smb2.min_count', 'Min Count', at + 32);
        const channel = le32(at + 36);
        b.add('smb2.channel', () => `Channel: ${channel === 0 ? 'None' : 'Unknown'} (${hex(channel, 8)})`, channel, at + 36, 4, hex(channel, 8));
        body.u32('smb2.remaining_bytes', 'Remaining Bytes', at + 40);
        blob(at + 44, at + 46, 2, 2).add();
        return ` Len:${len} Off:${off}${file ? ` File: ${file.name}` : ''}`;
      }
      const o = b.u8(at + 2, 'data offset');
      const len = le32(at + 4);
      body.u32('smb2.read_remaining', 'Read Remaining', at + 8);
      body.reserved(at + 12, 4);
      b.add('smb2.olb.offset', () => `Blob Offset: ${hex(o, 8)}`, o, at + 2, 1, hex(o, 8));
      body.reserved(at + 3, 1);
      b.add('smb2.olb.length', () => `Blob Length: ${len}`, len, at + 4, 4);
      if (len > 0) {
        const from = header + o;
        const stop = Math.min(body.end, data.length, from + len);
        if (stop > from) {
          const d = data.subarray(from, stop);
          b.add('smb2.read.blob', () => `Info: ${d.toString('hex', 0, 36)}${d.length > 36 ? '…' : ''}`, d, from, stop - from, () => d.toString('hex'));
          pipeData(from, len, request?.fid);
        }
      }
      return '';
    }
    case 9: {
      if (!response) {
        const o = body.u16('smb2.data_offset', 'Data Offset', at + 2, 4);
        const len = body.u32('smb2.write_length', 'Write Length', at + 4);
        const off = body.u64('smb2.file_offset', 'File Offset', at + 8);
        const file = fileOf(at + 16);
        body.fid(at + 16, file);
        const channel = le32(at + 32);
        b.add('smb2.channel', () => `Channel: ${channel === 0 ? 'None' : 'Unknown'} (${hex(channel, 8)})`, channel, at + 32, 4, hex(channel, 8));
        body.u32('smb2.remaining_bytes', 'Remaining Bytes', at + 36);
        const wf = le32(at + 44);
        b.add('smb2.write.flags', () => `Write Flags: ${hex(wf, 8)}`, wf, at + 44, 4, hex(wf, 8));
        blob(at + 40, at + 42, 2, 2).add();
        const fileInfo = ` Len:${len} Off:${off}${file ? ` File: ${file.name}` : ''}`;
        if (len > 0) pipeData(header + o, len, data.toString('hex', at + 16, at + 32));
        return fileInfo;
      }
      body.reserved(at + 2, 2);
      body.u32('smb2.write.count', 'Write Count', at + 4);
      body.u32('smb2.write.remaining', 'Write Remaining', at + 8);
      body.u16('smb2.channel_info_offset', 'Channel Info Offset', at + 12);
      body.u16('smb2.channel_info_length', 'Channel Info Length', at + 14);
      return '';
    }
    case 11: {
      // FSCTL_PIPE_TRANSCEIVE: a request's input and a response's output are pipe data.
      const transceive = (offsetAt: number, countAt: number): void => {
        const o = le32(offsetAt);
        const n = le32(countAt);
        if (n > 0) pipeData(header + o, n, data.toString('hex', at + 8, at + 24));
      };
      if (!response) {
        body.reserved(at + 2, 2);
        const fn = le32(at + 4);
        b.add('smb2.ioctl.function', () => `Function: ${hex(fn, 8)}`, fn, at + 4, 4, hex(fn, 8));
        const file = fileOf(at + 8);
        body.fid(at + 8, file);
        if (fn === FSCTL_PIPE_TRANSCEIVE) transceive(at + 24, at + 28);
        return '';
      }
      body.reserved(at + 2, 2);
      const fn = le32(at + 4);
      b.add('smb2.ioctl.function', () => `Function: ${hex(fn, 8)}`, fn, at + 4, 4, hex(fn, 8));
      body.fid(at + 8, fileOf(at + 8));
      if (fn === FSCTL_PIPE_TRANSCEIVE) transceive(at + 32, at + 36);
      return '';
    }
    case 14: {
      if (!response) {
        const level = b.u8(at + 2, 'info level');
        b.add('smb2.find.infolevel', () => `Info Level: ${FIND_LEVELS[level] ?? 'Unknown'} (${level})`, level, at + 2, 1);
        const ff = b.u8(at + 3, 'find flags');
        b.add('smb2.find.flags', () => `Find Flags: ${hex(ff, 2)}`, ff, at + 3, 1, hex(ff, 2));
        body.u32('smb2.file_index', 'File Index', at + 4, 8);
        const file = fileOf(at + 8);
        body.fid(at + 8, file);
        const pb = blob(at + 24, at + 26, 2, 2);
        const olen = le32(at + 28);
        b.add('smb2.output_buffer_len', () => `Output Buffer Length: ${olen}`, olen, at + 28, 4);
        b.need(header + pb.o, pb.n, 'search pattern');
        const pattern = utf16(data, header + pb.o, pb.n);
        b.group('smb2.find.pattern', () => `Search Pattern: ${pattern}`, pattern, header + pb.o, pb.n, pb.add);
        if (request) {
          request.findLevel = level;
          request.pattern = pattern;
        }
        return ` File: ${file?.name ?? ''} ${FIND_LEVELS[level] ?? `Unknown (${level})`} Pattern: ${pattern}`;
      }
      const rb = blob(at + 2, at + 4, 2, 4);
      rb.add();
      if (rb.n > 0) {
        const d = b.bytes(header + rb.o, rb.n, 'find data');
        b.add('smb2.find.info_blob', () => `Info: ${d.toString('hex', 0, 36)}${d.length > 36 ? '…' : ''}`, d, header + rb.o, rb.n, () => d.toString('hex'));
      }
      return request?.findLevel !== undefined ? ` ${FIND_LEVELS[request.findLevel] ?? `Unknown (${request.findLevel})`} Pattern: ${request.pattern ?? ''}` : '';
    }
    case 16: {
      if (!response) {
        const cls = b.u8(at + 2, 'class');
        b.add('smb2.class', () => `Class: ${CLASSES[cls] ?? 'Unknown'} (${hex(cls, 2)})`, cls, at + 2, 1, hex(cls, 2));
        const level = b.u8(at + 3, 'info level');
        const levels = cls === 1 ? FILE_INFO_LEVELS : cls === 2 ? FS_INFO_LEVELS : {};
        const levelAbbrev = cls === 1 ? 'smb2.file_info.infolevel' : cls === 2 ? 'smb2.fs_info.infolevel' : 'smb2.infolevel';
        b.add(levelAbbrev, () => `InfoLevel: ${levels[level] ?? 'Unknown'} (${hex(level, 2)})`, level, at + 3, 1, hex(level, 2));
        body.u32('smb2.max_response_size', 'Max Response Size', at + 4);
        body.u16('smb2.getinfo_input_offset', 'Getinfo Input Offset', at + 8, 4);
        body.reserved(at + 10, 2);
        body.u32('smb2.getinfo_input_size', 'Getinfo Input Size', at + 12);
        body.u32('smb2.getsetinfo_additional', 'Additional Info', at + 16, 8);
        body.u32('smb2.getinfo_flags', 'Flags', at + 20, 8);
        const file = fileOf(at + 24);
        body.fid(at + 24, file);
        if (request) {
          request.infoClass = cls;
          request.infoLevel = level;
        }
        return ` ${CLASSES[cls] ?? `Unknown (${hex(cls, 2)})`}/${levels[level] ?? `Unknown (${hex(level, 2)})`}${file ? ` File: ${file.name}` : ''}`;
      }
      blob(at + 2, at + 4, 2, 4).add();
      return '';
    }
    default:
      return '';
  }
}

function secMode(b: LayerBuilder, data: Buffer, at: number, read: (a: number) => number): void {
  read(at);
  const m = data[at]!;
  b.group('smb2.sec_mode', () => `Security mode: ${hex(m, 2)}${m & 1 ? ', Signing enabled' : ''}${m & 2 ? ', Signing required' : ''}`, m, at, 1, () => {
    b.add('smb2.sec_mode.sign_enabled', () => `${bitPicture(m, 1, 8)} = Signing enabled: ${m & 1 ? 'True' : 'False'}`, (m & 1) !== 0, at, 1);
    b.add('smb2.sec_mode.sign_required', () => `${bitPicture(m, 2, 8)} = Signing required: ${m & 2 ? 'True' : 'False'}`, (m & 2) !== 0, at, 1);
  }, () => hex(m, 2));
}

const CAPABILITIES: [string, number, string, string][] = [
  ['dfs', 0x1, 'DFS', 'DFS'], ['leasing', 0x2, 'LEASING', 'LEASING'], ['large_mtu', 0x4, 'LARGE MTU', 'LARGE_MTU'],
  ['multi_channel', 0x8, 'MULTI CHANNEL', 'MULTI CHANNEL'], ['persistent_handles', 0x10, 'PERSISTENT HANDLES', 'PERSISTENT HANDLES'],
  ['directory_leasing', 0x20, 'DIRECTORY LEASING', 'DIRECTORY LEASING'], ['encryption', 0x40, 'ENCRYPTION', 'ENCRYPTION'],
];

function capabilities(b: LayerBuilder, at: number, v: number): void {
  b.group('smb2.capabilities', () => `Capabilities: ${hex(v, 8)}`, v, at, 4, () => {
    for (const [name, mask, label, what] of CAPABILITIES) {
      b.add(`smb2.capabilities.${name}`, () => `${bitPicture(v, mask, 32)} = ${label}: This host ${v & mask ? 'supports' : 'does NOT support'} ${what}`, (v & mask) !== 0, at, 4);
    }
  }, () => hex(v, 8));
}

function securityBlob(b: LayerBuilder, data: Buffer, from: number, n: number, end: number, ctx: AppContext, extra: Layer[]): { info: string; user?: string; domain?: string; host?: string } {
  if (n === 0) return { info: '' };
  b.need(from, n, 'security blob');
  const blobBytes = data.subarray(from, from + n);
  b.add('smb2.security_blob', () => `Security Blob: ${blobBytes.toString('hex', 0, 36)}${n > 36 ? '…' : ''}`, blobBytes, from, n, () => blobBytes.toString('hex'));
  void end;
  const r = dissectSecurityBlob(data, from, from + n, ctx.fields);
  extra.push(...r.layers);
  return r;
}
