/**
 * ONC RPC (SunRPC, RFC 5531) as tshark 4.0 shows it (epan/dissectors/packet-rpc.c): calls and
 * replies over UDP and over TCP with record marking, the program's procedure dissector after it
 * (NFS, Portmap and MOUNT here: nfs.ts, rpc-services.ts; other programs tshark knows get their
 * layer and names without their bodies).
 *
 * How tshark finds it: the RPC heuristic on UDP and TCP (any port) takes a call only to a program
 * it knows (rpc-programs.ts) with RPC version 2, and a reply only when its XID matches a call seen
 * in the conversation (UDP: the call's client address and server port; TCP: the connection). Port
 * 111 (portmap/rpcbind) is RPC's own: a payload there that is neither shows as "Continuation".
 * Over TCP each record is a 4-byte mark (last-fragment bit, length) and its bytes: records spread
 * over segments are put together (desegmentation), records cut into several fragments are
 * reassembled at the last one (the others show as "Fragment"), and several records in a segment
 * are each dissected, their Info joined with "  ; ". A call makes the connection RPC's.
 *
 * The Info column: "V3 GETATTR Call" / "V3 GETATTR Reply (Call In 5)" (NFSv4's COMPOUND without
 * its name), "[RPC retransmission of #N]" before a call seen again, "[RPC duplicate of #N]" before
 * a reply seen again; the program's dissector adds its words after. Left out: RPCSEC_GSS's
 * integrity and privacy bodies, AUTH_DES's and Gluster's credentials in detail, CALLIT's indirect
 * calls, the "(Reply In N)" a second pass would add.
 */
import { LayerBuilder, StopDissection, hex } from './builder';
import { bitPicture, nsToSeconds } from './format';
import { formatText } from './app-format';
import type { AppContext, AppDissector, AppResult, Layer, PduSplit } from './model';
import { RPC_PROGRAMS, type RpcProgram } from './rpc-programs';
import { nfsBody } from './nfs';
import { mountBody, portmapBody } from './rpc-services';

const TITLE = 'Remote Procedure Call';
export const RPC_PORT = 111;
/** max_rpc_tcp_pdu_size: a record mark announcing more is not RPC. */
const MAX_TCP_RECORD = 4 * 1024 * 1024;
const NFS_PROGRAM = 100003;

/** What RPC remembers of a call (rpc_call_info_value), handed to the program's dissector. */
export interface RpcCall {
  xid: number;
  prog: number;
  vers: number;
  proc: number;
  reqFrame: number;
  repFrame: number;
  reqTs: bigint;
  /** 'plain' when the body can be read; RPCSEC_GSS integrity or privacy hides it; 'unknown' when the call's credentials were not captured. */
  flavor: 'plain' | 'gss-protected' | 'unknown';
  /** What a procedure's call left for its reply (NFS ACCESS's mask, GETPORT's protocol). */
  privateData?: unknown;
}

/** What a program's procedure dissector gets: the builder of its layer, where its body starts and ends. */
export interface RpcBody {
  b: LayerBuilder;
  data: Buffer;
  at: number;
  end: number;
  call: RpcCall;
  request: boolean;
  /** Appends to the Info column. */
  info(text: string): void;
  /** Appends to the program's tree title. */
  title(text: string): void;
}

/** A program's dissector: returns where its body ended, or undefined when it has none for this procedure. */
export type RpcProgramDissector = (body: RpcBody) => number | undefined;

const BODIES = new Map<number, RpcProgramDissector>([
  // Wrapped: nfs.ts and rpc-services.ts import this module too (read when called, not at load).
  [NFS_PROGRAM, (body) => nfsBody(body)],
  [100000, (body) => portmapBody(body)],
  [100005, (body) => mountBody(body)],
]);

export const AUTH_FLAVORS: Record<number, string> = {
  0: 'AUTH_NULL', 1: 'AUTH_UNIX', 2: 'AUTH_SHORT', 3: 'AUTH_DES', 5: 'AUTH_RSA/Gluster', 6: 'RPCSEC_GSS', 300001: 'AUTH_GSSAPI',
  390003: 'RPCSEC_GSS_KRB5', 390004: 'RPCSEC_GSS_KRB5I', 390005: 'RPCSEC_GSS_KRB5P', 390006: 'RPCSEC_GSS_LIPKEY', 390007: 'RPCSEC_GSS_LIPKEY_I',
  390008: 'RPCSEC_GSS_LIPKEY_P', 390009: 'RPCSEC_GSS_SPKM3', 390010: 'RPCSEC_GSS_SPKM3I', 390011: 'RPCSEC_GSS_SPKM3P', 390039: 'AUTH_GLUSTERFS',
};
const ACCEPT_STATES = ['RPC executed successfully', "remote hasn't exported program", "remote can't support version #", "program can't support procedure", "procedure can't decode params", 'system errors like memory allocation failure'];
const REJECT_STATES = ['RPC_MISMATCH', 'AUTH_ERROR'];
const AUTH_STATES = ['', 'bad credential (seal broken)', 'client must begin new session', 'bad verifier (seal broken)', 'verifier expired or replayed', 'rejected for security reasons', 'GSS credential problem', 'GSS context problem'];
const GSS_PROCS = ['RPCSEC_GSS_DATA', 'RPCSEC_GSS_INIT', 'RPCSEC_GSS_CONTINUE_INIT', 'RPCSEC_GSS_DESTROY'];
const GSS_SERVICES = ['', 'rpcsec_gss_svc_none', 'rpcsec_gss_svc_integrity', 'rpcsec_gss_svc_privacy'];

function named(list: readonly string[], v: number, fallback = String(v)): string {
  return list[v] || fallback;
}

/** The procedure's name as tshark's call/reply table has it ("proc-N" when the program or version has none). */
export function procedureName(prog: number, vers: number, proc: number): string {
  return RPC_PROGRAMS.get(prog)?.versions[vers]?.procedures[proc] ?? `proc-${proc}`;
}

/** rpc_prog_name(): the program's name, "Unknown" when tshark knows none. */
export function programName(prog: number): string {
  return RPC_PROGRAMS.get(prog)?.name ?? 'Unknown';
}

/** Calls by conversation and XID (rpc_conv_info_t's xids), and TCP records put together from fragments. */
export class RpcState {
  private readonly conversations = new Map<string, Map<number, RpcCall>>();
  /** Per TCP direction: the fragments of a record not finished yet. */
  readonly fragments = new Map<string, { chunks: Buffer[]; frames: Array<{ frame: number; length: number }> }>();
  /** Records finished by a frame's last fragment, by frame and the record's place in it (a frame dissected again finds it). */
  readonly reassembled = new Map<string, { data: Buffer; frames: Array<{ frame: number; length: number }> }>();

  calls(key: string): Map<number, RpcCall> {
    let calls = this.conversations.get(key);
    if (calls === undefined) this.conversations.set(key, (calls = new Map()));
    return calls;
  }
  find(key: string, xid: number): RpcCall | undefined {
    return this.conversations.get(key)?.get(xid);
  }
}

function callKey(ctx: AppContext): string {
  return ctx.transport === 'tcp' ? `tcp${ctx.stream}` : `udp|${ctx.src}|${ctx.dstPort}`;
}
function replyKey(ctx: AppContext): string {
  return ctx.transport === 'tcp' ? `tcp${ctx.stream}` : `udp|${ctx.dst}|${ctx.srcPort}`;
}

/** looks_like_rpc_call / looks_like_rpc_reply on the message at data[at] (no record mark). */
function looksLikeRpc(state: RpcState, data: Buffer, at: number, stop: number, ctx: AppContext): boolean {
  if (stop - at < 8) return false;
  const type = data.readUInt32BE(at + 4);
  if (type === 0) return stop - at >= 16 && data.readUInt32BE(at + 8) === 2 && RPC_PROGRAMS.has(data.readUInt32BE(at + 12));
  if (type === 1) return state.find(replyKey(ctx), data.readUInt32BE(at)) !== undefined;
  return false;
}

export function createRpcDissector(): AppDissector {
  const state = new RpcState();
  const split = (data: Buffer, offset: number, end: number): PduSplit => {
    const pdus: number[] = [];
    let at = offset;
    while (at < end) {
      if (end - at < 4) return { pdus, need: 4 - (end - at), infoSeparator: '  ; ' };
      const length = (data.readUInt32BE(at) & 0x7fffffff) + 4;
      if (length - 4 > MAX_TCP_RECORD) {
        pdus.push(end - at);
        return { pdus, need: 0, infoSeparator: '  ; ' };
      }
      if (end - at < length) return { pdus, need: length - (end - at), infoSeparator: '  ; ' };
      pdus.push(length);
      at += length;
    }
    return { pdus, need: 0, infoSeparator: '  ; ' };
  };
  return {
    protocol: 'rpc',
    fieldPrefixes: ['nfs', 'portmap', 'mount', 'data'],
    udpPorts: [RPC_PORT],
    tcpPorts: [RPC_PORT],
    stateful: true,
    heuristicTakesConnection: true,
    heuristic: (data, offset, end, ctx) => {
      const stop = Math.min(end, data.length);
      if (ctx.transport === 'udp') return looksLikeRpc(state, data, offset, stop, ctx);
      if (stop - offset < 4) return false;
      const mark = data.readUInt32BE(offset);
      if ((mark & 0x7fffffff) > MAX_TCP_RECORD) return false;
      if (state.fragments.has(fragmentKey(ctx))) return true;
      return looksLikeRpc(state, data, offset + 4, stop, ctx);
    },
    desegment: (data, offset, end) => split(data, offset, end),
    dissect: (data, offset, end, ctx) => dissectRpc(state, data, offset, end, ctx),
  };
}

function fragmentKey(ctx: AppContext): string {
  return `${ctx.stream}|${ctx.src}|${ctx.srcPort}`;
}

function dissectRpc(state: RpcState, data: Buffer, offset: number, end: number, ctx: AppContext): AppResult {
  const stop = Math.min(end, data.length);
  if (ctx.transport === 'udp') {
    if (!looksLikeRpc(state, data, offset, stop, ctx)) return continuation(data, offset, end, ctx);
    return dissectMessage(state, data, offset, end, ctx, null);
  }
  if (stop - offset < 4) return continuation(data, offset, end, ctx);
  const mark = data.readUInt32BE(offset);
  const last = (mark & 0x80000000) !== 0;
  const key = fragmentKey(ctx);
  const done = state.reassembled.get(`${ctx.frameNumber}|${offset}|${data.length}`);
  if (done !== undefined) return dissectMessage(state, done.data, 0, done.data.length, ctx, { mark, frag: data.subarray(offset, stop), fragOffset: offset, fragData: data, frames: done.frames });
  const pending = state.fragments.get(key);
  if (pending === undefined) {
    if (!looksLikeRpc(state, data, offset + 4, stop, ctx)) return continuation(data, offset, end, ctx);
    if (last) return dissectMessage(state, data, offset, end, ctx, { mark, frag: null, fragOffset: offset, fragData: data, frames: [] });
    state.fragments.set(key, { chunks: [Buffer.from(data.subarray(offset + 4, stop))], frames: [{ frame: ctx.frameNumber, length: stop - offset - 4 }] });
    return fragmentResult(data, offset, end, mark, ctx);
  }
  pending.chunks.push(Buffer.from(data.subarray(offset + 4, stop)));
  pending.frames.push({ frame: ctx.frameNumber, length: stop - offset - 4 });
  if (!last) return fragmentResult(data, offset, end, mark, ctx);
  state.fragments.delete(key);
  const whole = Buffer.concat(pending.chunks);
  state.reassembled.set(`${ctx.frameNumber}|${offset}|${data.length}`, { data: whole, frames: pending.frames });
  return dissectMessage(state, whole, 0, whole.length, ctx, { mark, frag: data.subarray(offset, stop), fragOffset: offset, fragData: data, frames: pending.frames });
}

/** dissect_rpc_continuation: bytes on RPC's port or connection that start no call or reply. */
function continuation(data: Buffer, offset: number, end: number, ctx: AppContext): AppResult {
  const b = new LayerBuilder(data, 'rpc', TITLE, offset, end, ctx.fields);
  const bytes = data.subarray(offset, Math.min(end, data.length));
  b.add('rpc.continuation_data', 'Continuation data', bytes, offset, bytes.length, () => bytes.toString('hex'));
  return { layers: [b.layer], protocolColumn: 'RPC', info: 'Continuation' };
}

/** A fragment of a record that is not its last: "RPC Fragment" with its header and data. */
function fragmentResult(data: Buffer, offset: number, end: number, mark: number, ctx: AppContext): AppResult {
  const b = new LayerBuilder(data, 'rpc', `${TITLE} Fragment`, offset, end, ctx.fields);
  fragmentHeader(b, mark, offset);
  const bytes = data.subarray(offset + 4, Math.min(end, data.length));
  b.add('rpc.fragment_data', () => `Fragment Data: ${bytes.length} bytes`, bytes, offset + 4, bytes.length, () => bytes.toString('hex'));
  return { layers: [b.layer], protocolColumn: 'RPC', info: 'Fragment' };
}

function fragmentHeader(b: LayerBuilder, mark: number, at: number): void {
  const length = mark & 0x7fffffff;
  const last = (mark & 0x80000000) !== 0;
  b.group('', () => `Fragment header: ${last ? 'Last fragment, ' : ''}${length} byte${length === 1 ? '' : 's'}`, null, at, 4, () => {
    b.add('rpc.lastfrag', () => `${bitPicture(mark, 0x80000000, 32)} = Last Fragment: ${last ? 'Yes' : 'No'}`, last, at, 4);
    b.add('rpc.fraglen', () => `${bitPicture(mark, 0x7fffffff, 32)} = Fragment Length: ${length}`, length, at, 4);
  });
}

interface TcpRecord {
  mark: number;
  /** The last fragment's bytes (with its mark) when the record was reassembled, else null. */
  frag: Buffer | null;
  fragOffset: number;
  fragData: Buffer;
  frames: Array<{ frame: number; length: number }>;
}

/**
 * dissect_rpc_message on data[offset, end) (over TCP with its record mark first unless the
 * record was reassembled, in which case `data` is the reassembled buffer).
 */
function dissectMessage(state: RpcState, data: Buffer, offset: number, end: number, ctx: AppContext, tcp: TcpRecord | null): AppResult {
  const reassembled = tcp !== null && tcp.frag !== null;
  const b = new LayerBuilder(data, 'rpc', TITLE, offset, end, ctx.fields);
  if (reassembled) {
    b.layer.source = 'reassembled';
    b.layer.data = data;
  }
  const stop = Math.min(end, data.length);
  let at = offset;
  const layers: Layer[] = [b.layer];
  const chain = ['rpc'];
  const info: string[] = [];
  let protocolColumn = 'RPC';
  let program: LayerBuilder | null = null;
  let prefix = '';
  try {
    if (tcp !== null) {
      if (reassembled) {
        const frag = new LayerBuilder(tcp.fragData, 'rpc', '', tcp.fragOffset, tcp.fragOffset + tcp.frag!.length, ctx.fields);
        fragmentHeader(frag, tcp.mark, tcp.fragOffset);
        const bytes = tcp.frag!.subarray(4);
        frag.add('rpc.fragment_data', () => `Fragment Data: ${bytes.length} bytes`, bytes, tcp.fragOffset + 4, bytes.length, () => bytes.toString('hex'));
        b.layer.fields.push(...frag.layer.fields);
        const total = tcp.frames.reduce((n, f) => n + f.length, 0);
        b.group('rpc.fragments', () => `${tcp.frames.length} RPC Fragments (${total} bytes): ${tcp.frames.map((f) => `#${f.frame}(${f.length})`).join(', ')}`, null, 0, total, () => {
          let o = 0;
          for (const f of tcp.frames) {
            b.add('rpc.fragment', () => `Frame: ${f.frame}, payload: ${o}-${o + f.length - 1} (${f.length} bytes)`, f.frame, o, f.length);
            o += f.length;
          }
          b.add('rpc.fragment.count', () => `[Fragment count: ${tcp.frames.length}]`, tcp.frames.length, 0, 0);
          b.add('rpc.reassembled.length', () => `[Reassembled RPC length: ${total}]`, total, 0, 0);
        });
      } else {
        fragmentHeader(b, tcp.mark, at);
        at += 4;
      }
    }
    const xid = b.u32(at, 'XID');
    const type = b.u32(at + 4, 'message type');
    const typeName = type === 0 ? 'Call' : 'Reply';
    b.title(`${TITLE}, Type:${typeName} XID:${hex(xid, 8)}`);
    b.add('rpc.xid', () => `XID: ${hex(xid, 8)} (${xid})`, xid, at, 4, hex(xid, 8));
    b.add('rpc.msgtyp', () => `Message Type: ${typeName} (${type})`, type, at + 4, 4);
    at += 8;
    let call: RpcCall;
    let prog: RpcProgram | undefined;
    let bodyWanted = true;
    if (type === 0) {
      const rpcvers = b.u32(at, 'RPC version');
      b.add('rpc.version', () => `RPC Version: ${rpcvers}`, rpcvers, at, 4);
      const progNum = b.u32(at + 4, 'program');
      prog = RPC_PROGRAMS.get(progNum);
      const progname = programName(progNum);
      b.add('rpc.program', () => `Program: ${progname} (${progNum})`, progNum, at + 4, 4);
      protocolColumn = progname;
      const vers = b.u32(at + 8, 'program version');
      b.add('rpc.programversion', () => `Program Version: ${vers}`, vers, at + 8, 4);
      const proc = b.u32(at + 12, 'procedure');
      const procname = procedureName(progNum, vers, proc);
      let flavor: RpcCall['flavor'] = 'unknown';
      if (at + 20 <= stop) {
        const cred = data.readUInt32BE(at + 16);
        if (cred === 6) flavor = at + 36 <= stop && data.readUInt32BE(at + 28) === 0 && data.readUInt32BE(at + 36) === 1 ? 'plain' : 'gss-protected';
        else flavor = 'plain';
      }
      b.add('rpc.procedure', () => `Procedure: ${procname} (${proc})`, proc, at + 12, 4);
      info.push(progNum === NFS_PROGRAM && vers === 4 && procname === 'COMPOUND' ? `V${vers} ${typeName}` : `V${vers} ${procname} ${typeName}`);
      const calls = state.calls(callKey(ctx));
      const seen = calls.get(xid);
      if (seen !== undefined) {
        call = seen;
        if (seen.reqFrame !== ctx.frameNumber) {
          prefix = `[RPC retransmission of #${seen.reqFrame}]`;
          b.add('rpc.dup', 'Duplicate Call/Reply', null, 0, 0);
          b.add('rpc.call.dup', () => `Duplicate to the call in: ${seen.reqFrame}`, seen.reqFrame, 0, 0);
        }
        if (seen.repFrame) info.push(` (Reply In ${seen.repFrame})`);
      } else {
        call = { xid, prog: progNum, vers, proc, reqFrame: ctx.frameNumber, repFrame: 0, reqTs: ctx.tsNs ?? 0n, flavor };
        calls.set(xid, call);
      }
      if (call.repFrame) b.add('rpc.reqframe', () => `[The reply to this request is in frame ${call.repFrame}]`, call.repFrame, 0, 0);
      at += 16;
      at = credentials(b, data, at, 'Credentials', true);
      at = credentials(b, data, at, 'Verifier', false);
      // A call makes its TCP connection RPC's (conversation_set_dissector): the Dissector does it
      // when the heuristic claims the segment (heuristicTakesConnection).
    } else {
      const found = state.find(replyKey(ctx), xid);
      // A record put together from fragments whose reply matches no call: not RPC after all.
      if (found === undefined) return continuation(data, offset, end, ctx);
      call = found;
      prog = RPC_PROGRAMS.get(call.prog);
      const procname = procedureName(call.prog, call.vers, call.proc);
      const progname = programName(call.prog);
      if (prog !== undefined) protocolColumn = progname;
      info.push(call.prog === NFS_PROGRAM && call.vers === 4 && procname === 'COMPOUND' ? `V${call.vers} ${typeName}` : `V${call.vers} ${procname} ${typeName}`);
      b.add('rpc.program', () => `[Program: ${progname} (${call.prog})]`, call.prog, 0, 0);
      b.add('rpc.programversion', () => `[Program Version: ${call.vers}]`, call.vers, 0, 0);
      b.add('rpc.procedure', () => `[Procedure: ${procname} (${call.proc})]`, call.proc, 0, 0);
      const replyState = b.u32(at, 'reply state');
      b.add('rpc.replystat', () => `Reply State: ${named(['accepted', 'denied'], replyState)} (${replyState})`, replyState, at, 4);
      at += 4;
      if (call.reqFrame) {
        b.add('rpc.repframe', () => `[This is a reply to a request in frame ${call.reqFrame}]`, call.reqFrame, 0, 0);
        const delta = (ctx.tsNs ?? 0n) - call.reqTs;
        b.add('rpc.time', () => `[Time from request: ${nsToSeconds(delta)} seconds]`, nsToSeconds(delta), at, 0);
        info.push(` (Call In ${call.reqFrame})`);
      }
      if (call.repFrame === 0) call.repFrame = ctx.frameNumber;
      else if (call.repFrame !== ctx.frameNumber) {
        prefix = `[RPC duplicate of #${call.repFrame}]`;
        b.add('rpc.dup', 'Duplicate Call/Reply', null, 0, 0);
        b.add('rpc.reply.dup', () => `[Duplicate to the reply in: ${call.repFrame}]`, call.repFrame, 0, 0);
      }
      if (replyState === 0) {
        at = credentials(b, data, at, 'Verifier', false);
        const accept = b.u32(at, 'accept state');
        b.add('rpc.state_accept', () => `Accept State: ${named(ACCEPT_STATES, accept)} (${accept})`, accept, at, 4);
        at += 4;
        if (accept === 2) {
          const low = b.u32(at, 'low version');
          const high = b.u32(at + 4, 'high version');
          b.add('rpc.programversion.min', () => `Program Version (Minimum): ${low}`, low, at, 4);
          b.add('rpc.programversion.max', () => `Program Version (Maximum): ${high}`, high, at + 4, 4);
          at += 8;
        }
        if (accept !== 0) bodyWanted = false;
      } else if (replyState === 1) {
        const reject = b.u32(at, 'reject state');
        b.add('rpc.state_reject', () => `Reject State: ${named(REJECT_STATES, reject)} (${reject})`, reject, at, 4);
        at += 4;
        if (reject === 0) {
          const low = b.u32(at, 'low version');
          const high = b.u32(at + 4, 'high version');
          b.add('rpc.version.min', () => `RPC Version (Minimum): ${low}`, low, at, 4);
          b.add('rpc.version.max', () => `RPC Version (Maximum): ${high}`, high, at + 4, 4);
          at += 8;
        } else if (reject === 1) {
          const auth = b.u32(at, 'auth state');
          b.add('rpc.state_auth', () => `Auth State: ${named(AUTH_STATES, auth)} (${auth})`, auth, at, 4);
          at += 4;
        }
        bodyWanted = false;
      } else bodyWanted = false;
    }
    if (at > stop) throw new StopDissection(at > end ? 'malformed' : 'truncated', 'RPC header runs past the end of its bytes');
    b.setLength(at - offset);
    if (!bodyWanted) {
      // No procedure's reply: the rest is data in the RPC tree.
      if (at < stop) {
        const d = dataLayerOf(data, at, stop, ctx, reassembled);
        d.nested = true;
        layers.push(d);
        chain.push('data');
      }
      return finish();
    }
    const request = type === 0;
    // The program's tree (proto_tree_add_item on the program's protocol) and its procedure.
    const title = prog?.title ?? 'Unknown';
    program = new LayerBuilder(data, prog?.filter ?? 'data', title, at, end, ctx.fields);
    if (reassembled) {
      program.layer.source = 'reassembled';
      program.layer.data = data;
    }
    layers.push(program.layer);
    chain.push('');
    const vers = call.vers;
    const procname = procedureName(call.prog, vers, call.proc);
    const versionInfo = prog?.versions[vers];
    const pb = program;
    if (prog !== undefined) {
      pb.add('rpc.programversion', () => `[Program Version: ${vers}]`, vers, 0, 0);
      if (versionInfo !== undefined) {
        const field = versionInfo.field;
        pb.add(field, () => `[${procedureLabel(field, vers)}: ${procname} (${call.proc})]`, call.proc, 0, 0);
      } else pb.add('rpc.procedure', () => `[Procedure: ${procname} (${call.proc})]`, call.proc, 0, 0);
    }
    if (at >= (ctx.quoted ? stop : end)) return finish();
    if (call.flavor === 'unknown') {
      pb.mark('malformed', 'Unknown authentication flavor - cannot dissect');
      return finish();
    }
    const known = prog !== undefined && versionInfo?.procedures[call.proc] !== undefined;
    if (!known || call.flavor === 'gss-protected') {
      // No dissector for this program, version or procedure: its bytes are data (data_handle).
      const d = dataLayerOf(data, at, stop, ctx, reassembled);
      if (prog === undefined) {
        layers.pop();
        chain.pop();
      }
      d.nested = true;
      layers.push(d);
      chain.push('data');
      return finish();
    }
    chain[chain.length - 1] = prog!.filter;
    let titleTail = '';
    const bodyOf = BODIES.get(call.prog);
    const body: RpcBody = {
      b: pb, data, at, end, call, request,
      info: (text) => { info.push(text); },
      title: (text) => { titleTail += text; },
    };
    let after: number | undefined;
    try {
      after = bodyOf?.(body);
    } finally {
      pb.title(() => `${title}${titleTail}`);
    }
    if (after === undefined) {
      // A program Sievecap does not read: its layer covers its bytes.
      return finish();
    }
    if (after < stop) {
      const d = dataLayerOf(data, after, stop, ctx, reassembled);
      d.nested = true;
      layers.push(d);
      chain.push('data');
    }
    pb.setLength(Math.max(0, Math.min(after, stop) - pb.layer.offset));
    return finish();
  } catch (err) {
    const target = program ?? b;
    if (err instanceof StopDissection) target.mark(err.status, err.problem);
    else if (err instanceof RangeError) target.mark('malformed', 'RPC message runs past the end of its bytes');
    else target.mark('malformed', `dissector error: ${(err as Error).message}`);
    return finish();
  }

  function finish(): AppResult {
    // show_exception's words after the Info the dissectors wrote.
    const bad = layers.find((l) => l.status !== 'ok');
    if (bad !== undefined) info.push(bad.status === 'malformed' ? '[Malformed Packet]' : '[Packet size limited during capture]');
    return { layers, protocolColumn, info: prefix + info.join(''), chain, chainInLaterPdus: true };
  }
}

/** The label of a program's procedure field ("V3 Procedure", "Procedure", "SGI V1 procedure"). */
function procedureLabel(field: string, vers: number): string {
  if (field === 'mount.procedure_sgi_v1') return 'SGI V1 procedure';
  if (field === 'nfs.cb_procedure' || /procedure$/.test(field) || /\.proc$/.test(field)) return field === 'nfs.cb_procedure' ? 'CB Procedure' : 'Procedure';
  return `V${vers} Procedure`;
}

function dataLayerOf(data: Buffer, at: number, stop: number, ctx: AppContext, reassembled: boolean): Layer {
  const b = new LayerBuilder(data, 'data', `Data (${stop - at} byte${stop - at === 1 ? '' : 's'})`, at, stop, ctx.fields);
  const bytes = data.subarray(at, stop);
  b.add('data.data', () => `Data: ${bytes.toString('hex', 0, 36)}${bytes.length > 36 ? '…' : ''}`, bytes, at, bytes.length, () => bytes.toString('hex'));
  b.add('data.len', () => `[Length: ${bytes.length}]`, bytes.length, at, 0);
  if (reassembled) {
    b.layer.source = 'reassembled';
    b.layer.data = data;
  }
  return b.layer;
}

/** dissect_rpc_cred / dissect_rpc_verf: flavor, length and the body of the flavors tshark reads. */
function credentials(b: LayerBuilder, data: Buffer, at: number, name: string, cred: boolean): number {
  const flavor = b.u32(at, `${name} flavor`);
  const length = rpcRoundup(b.u32(at + 4, `${name} length`));
  b.group('', name, null, at, 8 + length, () => {
    b.add('rpc.auth.flavor', () => `Flavor: ${AUTH_FLAVORS[flavor] ?? String(flavor)} (${flavor})`, flavor, at, 4);
    if (!(flavor === 6 && !cred)) b.add('rpc.auth.length', () => `Length: ${length}`, length, at + 4, 4);
    if (flavor === 1) authUnix(b, data, at + 8);
    else if (flavor === 6 && cred) {
      let o = at + 8;
      const version = b.u32(o);
      b.add('rpc.authgss.version', () => `GSS Version: ${version}`, version, o, 4);
      const proc = b.u32(o + 4);
      b.add('rpc.authgss.procedure', () => `GSS Procedure: ${named(GSS_PROCS, proc)} (${proc})`, proc, o + 4, 4);
      const seq = b.u32(o + 8);
      b.add('rpc.authgss.seqnum', () => `GSS Sequence Number: ${seq}`, seq, o + 8, 4);
      const svc = b.u32(o + 12);
      b.add('rpc.authgss.service', () => `GSS Service: ${named(GSS_SERVICES, svc)} (${svc})`, svc, o + 12, 4);
      o += 16;
      const ctxLen = b.u32(o);
      const context = b.bytes(o + 4, ctxLen);
      b.add('rpc.authgss.context.length', () => `GSS Context Length: ${ctxLen}`, ctxLen, o, 4);
      b.add('rpc.authgss.context', () => `GSS Context: ${context.toString('hex')}`, context, o + 4, ctxLen, () => context.toString('hex'));
    } else if (flavor === 6) {
      const tokenLen = b.u32(at + 4);
      const token = b.bytes(at + 8, tokenLen);
      b.group('rpc.authgss.token', () => `GSS Token: ${token.toString('hex')}`, token, at + 4, 4 + rpcRoundup(tokenLen), () => {
        b.add('rpc.authgss.token_length', () => `GSS Token Length: ${tokenLen}`, tokenLen, at + 4, 4);
      });
    } else if (length > 0) {
      const bytes = b.bytes(at + 8, length);
      b.add('rpc.opaque_data', () => `Opaque Data: ${bytes.toString('hex')}`, bytes, at + 8, length, () => bytes.toString('hex'));
    }
  });
  b.need(at, 8 + length, name);
  return at + 8 + length;
}

function authUnix(b: LayerBuilder, data: Buffer, at: number): number {
  const stamp = b.u32(at, 'stamp');
  b.add('rpc.auth.stamp', () => `Stamp: ${hex(stamp, 8)}`, stamp, at, 4, hex(stamp, 8));
  at = rpcString(b, data, at + 4, 'rpc.auth.machinename', 'Machine Name').next;
  const uid = b.u32(at, 'UID');
  b.add('rpc.auth.uid', () => `UID: ${uid}`, uid, at, 4);
  const gid = b.u32(at + 4, 'GID');
  b.add('rpc.auth.gid', () => `GID: ${gid}`, gid, at + 4, 4);
  at += 8;
  const count = b.u32(at, 'GIDs');
  const gids: number[] = [];
  for (let i = 0; i < count && at + 8 + 4 * i <= b.end; i++) gids.push(b.u32(at + 4 + 4 * i, 'GID'));
  const shown = gids.slice(0, 16).join(', ') + (count > 16 ? '...' : '');
  b.group('', () => `Auxiliary GIDs (${count})${count > 0 ? ` [${shown}]` : ''}`, null, at, 4 + 4 * count, () => {
    gids.forEach((g, i) => b.add('rpc.auth.gid', () => `GID: ${g}`, g, at + 4 + 4 * i, 4));
  });
  if (gids.length < count) b.need(at + 4, 4 * count, 'auxiliary GIDs');
  return at + 4 + 4 * count;
}

export function rpcRoundup(n: number): number {
  return (n + 3) & ~3 >>> 0;
}

/**
 * dissect_rpc_string / dissect_rpc_data: an XDR counted string (or opaque) as a subtree "Name:
 * value" with its length, contents and fill bytes; a string cut short ends the dissection after
 * adding what was there (Wireshark throws after adding it).
 */
export function rpcString(b: LayerBuilder, data: Buffer, at: number, abbrev: string, name: string, opaque = false): { value: string; next: number } {
  const length = b.u32(at, name);
  const start = at + 4;
  const avail = Math.max(0, Math.min(b.end, data.length) - start);
  const copy = Math.min(length, avail);
  const full = rpcRoundup(length);
  const raw = data.subarray(start, start + copy);
  const nul = opaque ? -1 : raw.indexOf(0);
  const text = opaque ? '' : formatText(nul < 0 ? raw : raw.subarray(0, nul));
  const truncated = copy < length;
  const print = length === 0 ? '<EMPTY>' : opaque ? `<DATA>${truncated ? '<TRUNCATED>' : ''}` : `${text}${truncated ? '<TRUNCATED>' : ''}`;
  const fill = truncated ? 0 : full - length;
  const fillAvail = truncated ? 0 : Math.min(fill, Math.max(0, Math.min(b.end, data.length) - (start + length)));
  b.group('', () => `${name}: ${print}`, null, at, 4 + copy + fillAvail, () => {
    b.add('rpc.opaque_length', () => `length: ${length}`, length, at, 4);
    if (opaque) b.add(abbrev, () => `contents: ${print}`, Buffer.from(raw), start, copy, () => raw.toString('hex'));
    else b.add(abbrev, () => `contents: ${print}`, text, start, copy);
    if (fill > 0) {
      const bytes = data.subarray(start + length, start + length + fillAvail);
      b.add('rpc.fill_bytes', () => `fill bytes: opaque data${fillAvail < fill ? '<TRUNCATED>' : ''}`, bytes, start + length, fillAvail, () => bytes.toString('hex'));
    }
  });
  b.need(start, length + fill, name);
  return { value: print, next: start + full };
}
