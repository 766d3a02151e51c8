/**
 * Connection-oriented DCE/RPC (version 5) as tshark 4.0 shows it (epan/dissectors/packet-dcerpc.c,
 * dissect_dcerpc_cn): the common header (version, packet type, flags, data representation,
 * fragment, auth length, call ID), then a Bind's or Alter_context's context items (interface and
 * transfer syntaxes), a Bind_ack's results, a Request's or Response's alloc hint, context ID and
 * opnum; the Info column as dissect_dcerpc_cn writes it ("Bind: call_id: 1, Fragment: Single, 1
 * context items: SPOOLSS V1.0 (32bit NDR)").
 *
 * Over TCP tshark finds it only by its heuristic (dissect_dcerpc_tcp_heur: is_dcerpc on the first
 * 16 bytes of a segment, on any port: the endpoint mapper's 135 and the dynamic ports it hands
 * out), then tcp_dissect_pdus on the fragment length. Inside SMB2 a pipe's Read/Write/IOCTL data
 * goes to the same test (dissect_dcerpc_cn_smb2). The authentication verifier: dcerpc-auth.ts.
 * Left out: the interfaces' own dissectors (epm, samr, lsarpc...) and their stub data, the
 * request/response matching ("[Response in frame: N]") and DCE/RPC's own fragment reassembly.
 */
import { LayerBuilder } from './builder';
import { bitPicture, bytesHex } from './format';
import type { AppContext, AppDissector, AppResult, PduSplit } from './model';
import { lengthPrefixedPdus } from './tcp-pdus';
import { DCERPC_INTERFACES } from './dcerpc-interfaces';
import { dcerpcAuthSize, dissectDcerpcAuth } from './dcerpc-auth';
import { dissectDcerpcDg, isDcerpcDg, type DgCalls } from './dcerpc-dg';

const TITLE = 'Distributed Computing Environment / Remote Procedure Call (DCE/RPC)';
/** The common header's length (sizeof(e_dce_cn_common_hdr_t)). */
export const DCERPC_HEADER = 16;
const PDU_RTS = 20;

const PACKET_TYPES = [
  'Request', 'Ping', 'Response', 'Fault', 'Working', 'Nocall', 'Reject', 'Ack', 'Cl_cancel', 'Fack', 'Cancel_ack', 'Bind',
  'Bind_ack', 'Bind_nak', 'Alter_context', 'Alter_context_resp', 'AUTH3', 'Shutdown', 'Co_cancel', 'Orphaned', 'RPC-over-HTTP RTS',
];
const FRAGMENT = ['Mid', '1st', 'Last', 'Single'];
const FLAGS: Array<[number, string]> = [
  [0x80, 'object'], [0x40, 'maybe'], [0x20, 'dne'], [0x10, 'mpx'], [0x08, 'reserved'], [0x04, 'cancel_pending'], [0x02, 'last_frag'], [0x01, 'first_frag'],
];
const FLAG_NAMES: Record<string, string> = {
  object: 'Object', maybe: 'Maybe', dne: 'Did Not Execute', mpx: 'Multiplex', reserved: 'Reserved', cancel_pending: 'Cancel Pending',
  last_frag: 'Last Frag', first_frag: 'First Frag',
};
const BYTE_ORDERS = ['Big-endian', 'Little-endian'];
const CHARACTERS = ['ASCII', 'EBCDIC'];
const FLOATS = ['IEEE', 'VAX', 'Cray', 'IBM'];
const RESULTS = ['Acceptance', 'User rejection', 'Provider rejection', 'Negotiate ACK'];

/** Names tshark's interface and transfer-syntax registrations give the UUIDs seen most often. */
const REGISTERED_NAMES: Record<string, string> = {
  '8a885d04-1ceb-11c9-9fe8-08002b104860': '32bit NDR',
  '71710533-beba-4937-8319-b5dbef9ccc36': '64bit NDR',
  'e1af8308-5d1f-11c9-91a4-08002b14a0fa': 'EPMv4',
  '12345678-1234-abcd-ef00-0123456789ab': 'SPOOLSS',
  '12345678-1234-abcd-ef00-01234567cffb': 'RPC_NETLOGON',
  '12345778-1234-abcd-ef00-0123456789ab': 'LSARPC',
  '12345778-1234-abcd-ef00-0123456789ac': 'SAMR',
  '4b324fc8-1670-01d3-1278-5a47bf6ee188': 'SRVSVC',
  '6bffd098-a112-3610-9833-46c3f87e345a': 'WKSSVC',
  '367abb81-9844-35f1-ad32-98f038001003': 'SVCCTL',
  '338cd001-2244-31f1-aaaa-900038001003': 'WINREG',
  'e3514235-4b06-11d1-ab04-00c04fc2dcd2': 'DRSUAPI',
  '00000143-0000-0000-c000-000000000046': 'IRemUnknown2',
  '000001a0-0000-0000-c000-000000000046': 'ISystemActivator',
  '99fcfec4-5260-101b-bbcb-00aa0021347a': 'IOXIDResolver',
  'f5cc5a18-4264-101a-8c59-08002b2f8426': 'NSPI',
  'a4f1db00-ca47-1067-b31f-00dd010662da': 'MAPI',
  '1544f5e0-613c-11d1-93df-00c04fd7bd09': 'RFR',
  '86d35949-83c9-4044-b424-db363231fd0c': 'ITaskSchedulerService',
  '3919286a-b10c-11d0-9ba8-00c04fd92ef5': 'DSSETUP',
  '00000000-0000-0000-0000-000000000000': 'PNIO (Implicit Ar)',
};

/** Those names, and the name of every interface tshark has a dissector for (dcerpc_init_uuid registers it). */
const UUID_NAMES: Record<string, string> = { ...interfaceNames(), ...REGISTERED_NAMES };

function interfaceNames(): Record<string, string> {
  const names: Record<string, string> = {};
  for (const [key, iface] of Object.entries(DCERPC_INTERFACES)) names[key.slice(0, key.indexOf('/'))] = iface[0];
  return names;
}

/** is_dcerpc(): the first 16 bytes look like a connection-oriented DCE/RPC header. */
export function isDcerpc(data: Buffer, offset: number, end: number): boolean {
  const stop = Math.min(end, data.length);
  if (stop - offset < DCERPC_HEADER) return false;
  if (data[offset] !== 5) return false;
  if (data[offset + 1]! > 1) return false;
  if (data[offset + 2]! > PDU_RTS) return false;
  if (data[offset + 4]! & 0xee) return false;
  if (data[offset + 5]! > 3) return false;
  return fragLength(data, offset) >= DCERPC_HEADER;
}

function fragLength(data: Buffer, offset: number): number {
  return data[offset + 4]! & 0x10 ? data.readUInt16LE(offset + 8) : data.readUInt16BE(offset + 8);
}

/** A DCE UUID in the byte order of the data representation, as guid_to_str writes it. */
export function dceUuid(data: Buffer, at: number, little: boolean): string {
  const d1 = little ? data.readUInt32LE(at) : data.readUInt32BE(at);
  const d2 = little ? data.readUInt16LE(at + 4) : data.readUInt16BE(at + 4);
  const d3 = little ? data.readUInt16LE(at + 6) : data.readUInt16BE(at + 6);
  const h = (v: number, n: number): string => v.toString(16).padStart(n, '0');
  return `${h(d1, 8)}-${h(d2, 4)}-${h(d3, 4)}-${data.toString('hex', at + 8, at + 10)}-${data.toString('hex', at + 10, at + 16)}`;
}

/** The PDUs of a TCP segment (tcp_dissect_pdus with get_dcerpc_pdu_len: a length of 0 is bogus). */
export function dcerpcSplit(data: Buffer, offset: number, end: number): PduSplit {
  return lengthPrefixedPdus(data, offset, end, DCERPC_HEADER, (at) => fragLength(data, at) || 1);
}

/** The interfaces a conversation's Binds named, by context ID (Wireshark's dcerpc_binds). */
export class DcerpcBinds {
  private readonly binds = new Map<string, { uuid: string; ver: number }>();
  set(conversation: string, ctxId: number, uuid: string, ver: number): void {
    this.binds.set(`${conversation}/${ctxId}`, { uuid, ver });
  }
  get(conversation: string, ctxId: number): { uuid: string; ver: number } | undefined {
    return this.binds.get(`${conversation}/${ctxId}`);
  }
  /** Requests by call ID: a response finds its opnum, interface and request frame through its request (dcerpc_matched). */
  readonly calls = new Map<string, DcerpcCall>();
}

/** What a request leaves for its response. */
export interface DcerpcCall { opnum: number; frame: number; tsNs: bigint | undefined }

/** A PDU's result, with the context ID it leaves for the next PDU of the frame (decode_data->dcectxid). */
export interface DcerpcResult extends AppResult { ctxId?: number }

/** What dissectDcerpc reads of the packet's context. */
export type DcerpcContext = Pick<AppContext, 'fields'> & { frameNumber?: number; tsNs?: bigint };

/** The name and operation tshark's sub-dissector for an interface gives a call, when it has one. */
export function dcerpcOperation(uuid: string, ver: number, opnum: number): { protocol: string; operation: string } | undefined {
  const iface = DCERPC_INTERFACES[`${uuid}/${ver}`];
  if (iface === undefined) return undefined;
  const ops = iface[1] as Readonly<Record<number, string>>;
  const name = ops[opnum];
  return { protocol: iface[0], operation: name ?? `Unknown operation ${opnum}` };
}

/** A UUID as guids_resolve_guid_to_str shows it: the name an interface registered, else the UUID. */
export function dcerpcUuidName(uuid: string): string {
  return UUID_NAMES[uuid] ?? uuid;
}

export function createDcerpcDissector(): AppDissector {
  const binds = new DcerpcBinds();
  const dgCalls: DgCalls = new Map();
  return {
    protocol: 'dcerpc',
    fieldPrefixes: ['gss-api', 'spnego', 'ntlmssp'],
    heuristic: (data, offset, end, ctx) => (ctx.transport === 'tcp' ? isDcerpc(data, offset, end) : isDcerpcDg(data, offset, end)),
    stateful: true,
    desegment: (data, offset, end) => ({ ...dcerpcSplit(data, offset, end), replaceInfo: true }),
    dissect: (data, offset, end, ctx) => ctx.transport === 'udp' ? dissectDcerpcDg(data, offset, end, ctx, dgCalls) : dissectDcerpc(data, offset, end, ctx, binds, ctx.stream !== undefined ? `tcp${ctx.stream}` : undefined),
  };
}

/** One connection-oriented PDU at data[offset] (its header known to fit). */
export function dissectDcerpc(data: Buffer, offset: number, end: number, ctx: DcerpcContext, binds?: DcerpcBinds, conversation?: string): DcerpcResult {
  // A PDU shorter than what its header and lengths promise (bytes nobody checked, a cut capture):
  // one malformed layer, as Wireshark's exception; a dissector never throws.
  try {
    return dissectDcerpcPdu(data, offset, end, ctx, binds, conversation);
  } catch (err) {
    if (!(err instanceof RangeError)) throw err;
    const b = new LayerBuilder(data, 'dcerpc', TITLE, offset, Math.min(end, data.length), ctx.fields);
    b.mark('malformed', 'DCE/RPC PDU runs past the end of its bytes');
    return { layers: [b.layer], protocolColumn: 'DCERPC', info: '[Malformed Packet]' };
  }
}

function dissectDcerpcPdu(data: Buffer, offset: number, end: number, ctx: DcerpcContext, binds?: DcerpcBinds, conversation?: string): DcerpcResult {
  const stop = Math.min(end, data.length);
  const little = (data[offset + 4]! & 0x10) !== 0;
  const u16 = (at: number): number => (little ? data.readUInt16LE(at) : data.readUInt16BE(at));
  const u32 = (at: number): number => (little ? data.readUInt32LE(at) : data.readUInt32BE(at));
  const ver = data[offset]!;
  const minor = data[offset + 1]!;
  const ptype = data[offset + 2]!;
  const flags = data[offset + 3]!;
  const fragLen = u16(offset + 8);
  const authLen = u16(offset + 10);
  const callId = u32(offset + 12);
  const typeName = PACKET_TYPES[ptype] ?? `Unknown (0x${ptype.toString(16).padStart(2, '0')})`;
  const fragment = FRAGMENT[flags & 3]!;
  const pduEnd = Math.min(stop, offset + fragLen);
  const b = new LayerBuilder(data, 'dcerpc', TITLE, offset, Math.min(stop, offset + Math.max(fragLen, DCERPC_HEADER)), ctx.fields);
  let titleTail = '';
  let info = `${typeName}: call_id: ${callId}, Fragment: ${fragment}`;
  let protocolColumn = 'DCERPC';
  let ctxIdLeft: number | undefined;
  b.add('dcerpc.ver', `Version: ${ver}`, ver, offset, 1);
  b.add('dcerpc.ver_minor', () => `Version (minor): ${minor}`, minor, offset + 1, 1);
  b.add('dcerpc.pkt_type', () => `Packet type: ${typeName} (${ptype})`, ptype, offset + 2, 1);
  const flagsHex = `0x${flags.toString(16).padStart(2, '0')}`;
  b.group('dcerpc.cn_flags', () => `Packet Flags: ${flagsHex}`, flags, offset + 3, 1, () => {
    for (const [mask, name] of FLAGS) {
      const set = (flags & mask) !== 0;
      b.add(`dcerpc.cn_flags.${name}`, () => `${bitPicture(flags, mask, 8)} = ${FLAG_NAMES[name]}: ${set ? 'Set' : 'Not set'}`, set, offset + 3, 1);
    }
  }, flagsHex);
  const d0 = data[offset + 4]!;
  const order = d0 >> 4;
  const character = d0 & 0x0f;
  const fp = data[offset + 5]!;
  const name = (list: string[], v: number): string => list[v] ?? 'Unknown';
  b.group('dcerpc.drep', () => `Data Representation: ${bytesHex(data, offset + 4, 4)} (Order: ${name(BYTE_ORDERS, order)}, Char: ${name(CHARACTERS, character)}, Float: ${name(FLOATS, fp)})`, data.subarray(offset + 4, offset + 8), offset + 4, 4, () => {
    b.add('dcerpc.drep.byteorder', () => `Byte order: ${name(BYTE_ORDERS, order)} (${order})`, order, offset + 4, 1);
    b.add('dcerpc.drep.character', () => `Character: ${name(CHARACTERS, character)} (${character})`, character, offset + 4, 1);
    b.add('dcerpc.drep.fp', () => `Floating-point: ${name(FLOATS, fp)} (${fp})`, fp, offset + 5, 1);
  }, () => bytesHex(data, offset + 4, 4));
  b.add('dcerpc.cn_frag_len', () => `Frag Length: ${fragLen}`, fragLen, offset + 8, 2);
  b.add('dcerpc.cn_auth_len', () => `Auth Length: ${authLen}`, authLen, offset + 10, 2);
  b.add('dcerpc.cn_call_id', () => `Call ID: ${callId}`, callId, offset + 12, 4);
  // [MS-RPCE] 2.2.2.14's bind time features (proto_tree_add_bitmask, little-endian).
  const btfn = (at: number): void => {
    const v = data.readUInt16LE(at);
    const names = ['Security Context Multiplexing Supported', 'Keep Connection On Orphan Supported'];
    const set = names.filter((_, k) => v & (1 << k));
    const vHex = `0x${v.toString(16).padStart(4, '0')}`;
    b.group('dcerpc.cn_bind_trans_btfn', () => `Bind Time Features: ${vHex}${set.map((n) => `, ${n}`).join('')}`, v, at, 2, () => {
      names.forEach((n, k) => b.add(`dcerpc.cn_bind_trans_btfn.0${k + 1}`, () => `${bitPicture(v, 1 << k, 16)} = ${n}: ${v & (1 << k) ? 'True' : 'False'}`, (v & (1 << k)) !== 0, at, 2));
    }, vHex);
  };
  let at = offset + DCERPC_HEADER;
  // Where the stub (or the body) ends and dissect_dcerpc_cn_auth looks for the verifier after it.
  let authAt: number | undefined = ptype === 16 ? at : undefined;
  const has = (n: number): boolean => at + n <= pduEnd;
  const uuidName = (uuid: string): string => UUID_NAMES[uuid] ?? uuid;
  if ((ptype === 11 || ptype === 14) && has(8)) {
    // Bind / Alter_context
    const maxXmit = u16(at);
    const maxRecv = u16(at + 2);
    b.add('dcerpc.cn_max_xmit', () => `Max Xmit Frag: ${maxXmit}`, maxXmit, at, 2);
    b.add('dcerpc.cn_max_recv', () => `Max Recv Frag: ${maxRecv}`, maxRecv, at + 2, 2);
    const group = u32(at + 4);
    const groupHex = `0x${group.toString(16).padStart(8, '0')}`;
    b.add('dcerpc.cn_assoc_group', () => `Assoc Group: ${groupHex}`, group, at + 4, 4, groupHex);
    at += 8;
    if (has(1)) {
      const items = data[at]!;
      b.add('dcerpc.cn_num_ctx_items', () => `Num Ctx Items: ${items}`, items, at, 1);
      at += 4;
      info += `, ${items} context items:`;
      for (let i = 0; i < items && has(24); i++) {
        const start = at;
        const ctxId = u16(at);
        const trans = data[at + 2]!;
        const ifUuid = dceUuid(data, at + 4, little);
        const ifVer = little ? u16(at + 20) : u16(at + 22);
        const ifMinor = little ? u16(at + 22) : u16(at + 20);
        const transIds: Array<{ uuid: string; ver: number; at: number }> = [];
        for (let j = 0, t = at + 24; j < trans && t + 20 <= pduEnd; j++, t += 20) transIds.push({ uuid: dceUuid(data, t, little), ver: u32(t + 16), at: t });
        const length = 24 + 20 * transIds.length;
        const ifName = UUID_NAMES[ifUuid];
        const transLabel = (id: string): string => (id.startsWith('6cb71c2c-9812-4540-') ? 'Bind Time Feature Negotiation' : uuidName(id));
        b.group('dcerpc.cn_ctx_item', () => `Ctx Item[${i + 1}]: Context ID:${ctxId}, ${ifName ?? ifUuid}${transIds.map((t) => `, ${transLabel(t.uuid)}`).join('')}`, null, start, length, () => {
          b.add('dcerpc.cn_ctx_id', () => `Context ID: ${ctxId}`, ctxId, start, 2);
          b.add('dcerpc.cn_num_trans_items', () => `Num Trans Items: ${trans}`, trans, start + 2, 1);
          b.group('dcerpc.cn_bind_abstract_syntax', () => `Abstract Syntax: ${ifName ?? ifUuid} V${ifVer}.${ifMinor}`, null, start + 4, 20, () => {
            b.add('dcerpc.cn_bind_to_uuid', () => (ifName ? `Interface: ${ifName} UUID: ${ifUuid}` : `Interface UUID: ${ifUuid}`), ifUuid, start + 4, 16);
            const addVer = (): void => { b.add('dcerpc.cn_bind_if_ver', () => `Interface Ver: ${ifVer}`, ifVer, little ? start + 20 : start + 22, 2); };
            if (little) addVer();
            b.add('dcerpc.cn_bind_if_ver_minor', () => `Interface Ver Minor: ${ifMinor}`, ifMinor, little ? start + 22 : start + 20, 2);
            if (!little) addVer();
          });
          transIds.forEach((t, j) => {
            const tName = UUID_NAMES[t.uuid];
            const isBtfn = t.uuid.startsWith('6cb71c2c-9812-4540-');
            b.group('dcerpc.cn_bind_trans', () => `Transfer Syntax[${j + 1}]: ${transLabel(t.uuid)} V${t.ver}`, null, t.at, 20, () => {
              b.add('dcerpc.cn_bind_trans_id', () => (isBtfn ? `Transfer Syntax: Bind Time Feature Negotiation UUID:${t.uuid}` : tName ? `Transfer Syntax: ${tName} UUID:${t.uuid}` : `Transfer Syntax: ${t.uuid}`), t.uuid, t.at, 16);
              if (isBtfn) btfn(t.at + 8);
              b.add('dcerpc.cn_bind_trans_ver', () => `ver: ${t.ver}`, t.ver, t.at + 16, 4);
            });
          });
        });
        const last = transIds[transIds.length - 1];
        if (binds !== undefined && conversation !== undefined) binds.set(conversation, ctxId, ifUuid, ifVer);
        ctxIdLeft = ctxId;
        info += `${i > 0 ? ',' : ''} ${uuidName(ifUuid)} V${ifVer}.${ifMinor} (${last ? uuidName(last.uuid) : '00000000-0000-0000-0000-000000000000'})`;
        at += length;
      }
    }
    authAt = at;
  } else if ((ptype === 12 || ptype === 15) && has(10)) {
    // Bind_ack / Alter_context_resp
    const maxXmit = u16(at);
    const maxRecv = u16(at + 2);
    b.add('dcerpc.cn_max_xmit', () => `Max Xmit Frag: ${maxXmit}`, maxXmit, at, 2);
    b.add('dcerpc.cn_max_recv', () => `Max Recv Frag: ${maxRecv}`, maxRecv, at + 2, 2);
    const group = u32(at + 4);
    const groupHex = `0x${group.toString(16).padStart(8, '0')}`;
    b.add('dcerpc.cn_assoc_group', () => `Assoc Group: ${groupHex}`, group, at + 4, 4, groupHex);
    const secLen = u16(at + 8);
    b.add('dcerpc.cn_sec_addr_len', () => `Scndry Addr len: ${secLen}`, secLen, at + 8, 2);
    at += 10;
    if (secLen > 0 && has(secLen)) {
      const raw = data.subarray(at, at + secLen);
      const nul = raw.indexOf(0);
      const text = raw.subarray(0, nul < 0 ? raw.length : nul).toString('latin1');
      b.add('dcerpc.cn_sec_addr', () => `Scndry Addr: ${text}`, text, at, secLen);
    }
    at += secLen;
    if ((at - offset) % 4) at += 4 - ((at - offset) % 4);
    if (has(4)) {
      const results = data[at]!;
      b.add('dcerpc.cn_num_results', () => `Num results: ${results}`, results, at, 1);
      at += 4;
      info += `, max_xmit: ${maxXmit} max_recv: ${maxRecv}, ${results} results:`;
      for (let i = 0; i < results && has(24); i++) {
        const start = at;
        const result = u16(at);
        const reason = u16(at + 2);
        const resultText = RESULTS[result] ?? `Unknown result (${result})`;
        const trans = dceUuid(data, at + 4, little);
        const tver = u32(at + 20);
        b.group('', () => `Ctx Item[${i + 1}]: ${resultText}, ${uuidName(trans)}`, null, start, 24, () => {
          b.add('dcerpc.cn_ack_result', () => `Ack result: ${resultText} (${result})`, result, start, 2);
          if (result === 3) btfn(start + 2);
          else if (result !== 0) b.add('dcerpc.cn_ack_reason', () => `Ack reason: ${reason}`, reason, start + 2, 2);
          b.add('dcerpc.cn_ack_trans_id', () => `Transfer Syntax: ${uuidName(trans)}`, trans, start + 4, 16);
          b.add('dcerpc.cn_ack_trans_ver', () => `Syntax ver: ${tver}`, tver, start + 20, 4);
        });
        info += `${i > 0 ? ',' : ''} ${resultText}`;
        at += 24;
      }
    }
    authAt = at;
  } else if ((ptype === 0 || ptype === 2) && has(8)) {
    // Request / Response
    const hint = u32(at);
    b.add('dcerpc.cn_alloc_hint', () => `Alloc hint: ${hint}`, hint, at, 4);
    const ctxId = u16(at + 4);
    b.add('dcerpc.cn_ctx_id', () => `Context ID: ${ctxId}`, ctxId, at + 4, 2);
    titleTail = `, Ctx: ${ctxId}`;
    ctxIdLeft = ctxId;
    authAt = at + 8 + (ptype === 0 && flags & 0x80 ? 16 : 0);
    if (ptype === 0) {
      const opnum = u16(at + 6);
      b.add('dcerpc.opnum', () => `Opnum: ${opnum}`, opnum, at + 6, 2);
      info += `, opnum: ${opnum}, Ctx: ${ctxId}`;
      if (flags & 0x80 && has(24)) {
        const obj = dceUuid(data, at + 8, little);
        b.add('dcerpc.obj_id', () => `Object UUID: ${obj}`, obj, at + 8, 16);
      }
    } else {
      const cancel = data[at + 6]!;
      info += `, Ctx: ${ctxId}`;
      b.add('dcerpc.cn_cancel_count', () => `Cancel count: ${cancel}`, cancel, at + 6, 1);
      const call = binds !== undefined && conversation !== undefined ? binds.calls.get(`${conversation}/${callId}`) : undefined;
      if (call !== undefined) {
        b.add('dcerpc.opnum', () => `[Opnum: ${call.opnum}]`, call.opnum, at, 0);
        if (call.frame !== ctx.frameNumber) {
          b.add('dcerpc.request_in', () => `[Request in frame: ${call.frame}]`, call.frame, at, 0);
          titleTail += `, [Req: #${call.frame}]`;
          if (call.tsNs !== undefined && ctx.tsNs !== undefined) {
            const delta = ctx.tsNs - call.tsNs;
            const abs = delta < 0n ? -delta : delta;
            const text = `${delta < 0n ? '-' : ''}${abs / 1000000000n}.${(abs % 1000000000n).toString().padStart(9, '0')}`;
            b.add('dcerpc.time', () => `[Time from request: ${text} seconds]`, text, at, 0, text);
          }
        }
      }
    }
  }
  if ((ptype === 0 || ptype === 2) && flags & 2 && binds !== undefined && conversation !== undefined && pduEnd >= offset + 24) {
    // dcerpc_try_handoff on a call's last fragment: an interface without a dissector of its own
    // (Sievecap has none) adds its UUID and version.
    const call = `${conversation}/${callId}`;
    if (ptype === 0) binds.calls.set(call, { opnum: u16(offset + 22), frame: ctx.frameNumber ?? 0, tsNs: ctx.tsNs });
    const matched = binds.calls.get(call);
    const bound = ptype === 0 || matched !== undefined ? binds.get(conversation, u16(offset + 20)) : undefined;
    const op = bound !== undefined && matched !== undefined ? dcerpcOperation(bound.uuid, bound.ver, matched.opnum) : undefined;
    if (op !== undefined) {
      // dissect_dcerpc_guid: the interface's name in Protocol, its operation in Info.
      protocolColumn = op.protocol;
      info = `${op.operation} ${ptype === 0 ? 'request' : 'response'}`;
      // The interface's tree repeats the request's frame (it is not built here).
      const reqFrame = matched?.frame;
      if (ptype === 2 && reqFrame !== undefined && reqFrame !== ctx.frameNumber) b.add('dcerpc.request_in', () => `[Request in frame: ${reqFrame}]`, reqFrame, offset, 0);
    } else if (bound !== undefined && REGISTERED_NAMES[bound.uuid] === undefined) {
      info += ` ${UUID_NAMES[bound.uuid] ?? bound.uuid} V${bound.ver}`;
      if ((flags & 3) === 3 && authAt !== undefined) stubData(b, data, authAt, offset + fragLen, pduEnd, fragLen, authLen, offset);
    }
  }
  const auth = authAt !== undefined ? dissectDcerpcAuth(b, data, offset, stop, ptype, fragLen, authLen, authAt, little) : undefined;
  if (auth !== undefined && protocolColumn === 'DCERPC') info += auth.info;
  if (stop < offset + fragLen) b.mark('truncated', 'DCE/RPC fragment cut short');
  b.title(() => `${TITLE} ${typeName}, Fragment: ${fragment}, FragLen: ${fragLen}, Call: ${callId}${titleTail}`);
  if (auth === undefined || auth.layers.length === 0) return { layers: [b.layer], protocolColumn, info, ctxId: ctxIdLeft };
  return { layers: [b.layer, ...auth.layers], chain: ['dcerpc', ...auth.layers.map((l) => l.protocol)], chainInLaterPdus: true, protocolColumn, info, ctxId: ctxIdLeft };
}

/**
 * show_stub_data for a call whose interface has no dissector: the stub between the body and the
 * verifier, the verifier's padding after it; sealed (Packet privacy) it is Encrypted stub data,
 * padding and all. Left out: the verification trailer ([MS-RPCE] 2.2.2.13) a stub may end with.
 */
function stubData(b: LayerBuilder, data: Buffer, from: number, pduStop: number, captured: number, fragLen: number, authLen: number, offset: number): void {
  const authSize = dcerpcAuthSize(authLen, fragLen, from - offset);
  const length = pduStop - authSize - from;
  if (length <= 0 || from + length > captured) return;
  let padLen = authSize > 0 && pduStop - authSize + 3 <= captured ? data[pduStop - authSize + 2]! : 0;
  const level = authSize > 0 && pduStop - authSize + 2 <= captured ? data[pduStop - authSize + 1]! : 0;
  const type = authSize > 0 ? data[pduStop - authSize]! : 0;
  let plain = length - padLen;
  if (plain < 1) {
    plain = length;
    padLen = 0;
  }
  const hexLabel = (name: string, bytes: Buffer): string => `${name}: ${bytes.toString('hex', 0, 36)}${bytes.length > 36 ? '…' : ''}`;
  if (authSize > 0 && type !== 0 && level === 6) {
    const sealed = data.subarray(from, from + length);
    b.add('dcerpc.encrypted_stub_data', () => hexLabel('Encrypted stub data', sealed), sealed, from, length, () => sealed.toString('hex'));
    return;
  }
  const stub = data.subarray(from, from + plain);
  b.add('dcerpc.stub_data', () => hexLabel('Stub data', stub), stub, from, plain, () => stub.toString('hex'));
  if (padLen !== 0) {
    const pad = data.subarray(from + plain, from + length);
    b.add('dcerpc.auth_padding', () => hexLabel('Auth Padding', pad), pad, from + plain, padLen, () => pad.toString('hex'));
  }
}
