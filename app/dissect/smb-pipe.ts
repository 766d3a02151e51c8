/**
 * The SMB1 commands that carry named-pipe data, as far as tshark 4.0 hands that data to DCE/RPC
 * (epan/dissectors/packet-smb.c, packet-smb-pipe.c): a Trans request to "\PIPE\" with the
 * TransactNmPipe function (0x26) and its response; a Write AndX request and a Read AndX response at
 * file offset 0 on a tree that is IPC$ (a Tree Connect AndX response with service "IPC", a Trans
 * to "\PIPE\" or a Write AndX in message mode said so). A request's IPC flag is taken when it is
 * sent and its response is found by process and multiplex ID. The AndX chain is followed.
 */
import { DcerpcPipes } from './dcerpc-pipe';
import { dataLayer } from './hsrp';
import type { AppContext, Layer } from './model';

/** What a request leaves for its response. */
interface Smb1Request { ipc: boolean; fid?: number; transactNmPipe?: boolean; offset?: number }

/** What SMB1 remembers across messages for its pipes. */
export class Smb1State {
  /** Trees known to be IPC$, by connection and TID. */
  readonly ipcTrees = new Set<string>();
  /** Requests by connection, process ID and multiplex ID. */
  readonly requests = new Map<string, Smb1Request>();
  readonly pipes = new DcerpcPipes();
}

export interface Smb1PipeResult { layers: Layer[]; protocolColumn?: string; info?: string }

const ANDX_COMMANDS = new Set([0x24, 0x2d, 0x2e, 0x2f, 0x73, 0x74, 0x75, 0xa2]);

/** The pipe data of the SMB1 message at data[header, end) (its 32-byte header known to fit). */
export function smb1PipeData(state: Smb1State, data: Buffer, header: number, end: number, ctx: AppContext): Smb1PipeResult {
  const result: Smb1PipeResult = { layers: [] };
  const stop = Math.min(end, data.length);
  const flags = data[header + 9]!;
  const flags2 = data.readUInt16LE(header + 10);
  const response = (flags & 0x80) !== 0;
  const tid = data.readUInt16LE(header + 24);
  const pidMid = `${data.readUInt16LE(header + 26)}/${data.readUInt16LE(header + 30)}`;
  const convKey = ctx.srcPort < ctx.dstPort || (ctx.srcPort === ctx.dstPort && ctx.src < ctx.dst)
    ? `${ctx.src}:${ctx.srcPort}-${ctx.dst}:${ctx.dstPort}` : `${ctx.dst}:${ctx.dstPort}-${ctx.src}:${ctx.srcPort}`;
  const treeKey = `${convKey}/${tid}`;
  const requestKey = `${convKey}/${pidMid}`;
  let request: Smb1Request | undefined;
  if (!response) {
    request = { ipc: state.ipcTrees.has(treeKey) };
    state.requests.set(requestKey, request);
  } else {
    request = state.requests.get(requestKey);
  }
  const pipe = (from: number, length: number, fid: number): void => {
    const dataEnd = from + length;
    if (Math.min(dataEnd, stop) <= from) return;
    const r = state.pipes.dissect(data, from, dataEnd, ctx, `${convKey}/${fid}`, `${ctx.src}:${ctx.srcPort}`, 'DCERPC over SMB');
    if (r === null) {
      result.layers.push(dataLayer(data, from, Math.min(dataEnd, stop), ctx.fields));
      return;
    }
    result.layers.push(...r.layers);
    if (r.info !== undefined) result.info = r.info;
    if (r.protocolColumn !== undefined) result.protocolColumn = r.protocolColumn;
  };
  let cmd = data[header + 4]!;
  let at = header + 32;
  const seen = new Set<number>();
  for (;;) {
    if (at + 1 > stop || seen.has(at)) break;
    seen.add(at);
    const wct = data[at]!;
    const bccAt = at + 1 + 2 * wct;
    if (bccAt + 2 > stop) break;
    const bcc = data.readUInt16LE(bccAt);
    const word = (k: number): number => data.readUInt16LE(at + 1 + 2 * k);
    const bytesAt = bccAt + 2;
    if (cmd === 0x75 && response && wct >= 3) {
      // Tree Connect AndX: the service the tree is.
      const nul = data.indexOf(0, bytesAt);
      const service = data.toString('latin1', bytesAt, nul < 0 || nul > stop ? stop : nul);
      if (service === 'IPC') state.ipcTrees.add(treeKey);
      else state.ipcTrees.delete(treeKey);
    } else if (cmd === 0x2f && !response && (wct === 12 || wct === 14)) {
      const fid = word(2);
      const offset = word(3) + word(4) * 0x10000;
      const mode = word(7);
      let datalen = word(10);
      let from = bytesAt;
      let bc = bcc;
      if (mode & 0x0008) {
        if (mode & 0x0004) {
          from += 2;
          bc -= 2;
          datalen -= 2;
        }
        state.ipcTrees.add(treeKey);
        if (request) request.ipc = true;
      }
      if (bc > 0 && request?.ipc && offset === 0) {
        if (bc > datalen) {
          from += bc - datalen;
          bc = datalen;
        }
        pipe(from, bc & 0xffff, fid);
      }
    } else if (cmd === 0x2e && !response && (wct === 10 || wct === 12)) {
      if (request) {
        request.fid = word(2);
        request.offset = word(3) + word(4) * 0x10000;
      }
    } else if (cmd === 0x2e && response && wct === 12) {
      const datalen = (word(5) | ((word(7) === 0xffff && word(8) === 0xffff ? 0 : word(7)) << 16)) & 0xffff;
      let from = bytesAt;
      let bc = bcc;
      if (bc > 0 && request?.ipc) {
        if (bc > datalen) {
          from += bc - datalen;
          bc = datalen;
        }
        pipe(from, bc, request.fid ?? 0);
      }
    } else if (cmd === 0x25 && !response && wct >= 14) {
      const setupCount = data[at + 1 + 26]!;
      if (wct < 14 + setupCount) break;
      const unicode = (flags2 & 0x8000) !== 0;
      let nameAt = bytesAt;
      if (unicode && (nameAt - header) % 2) nameAt++;
      const name = readName(data, nameAt, stop, unicode);
      if (name.toUpperCase().startsWith('\\PIPE\\')) {
        state.ipcTrees.add(treeKey);
        const fn = setupCount >= 1 ? word(14) : -1;
        if (fn === 0x26 && setupCount >= 2) {
          const fid = word(15);
          if (request) {
            request.transactNmPipe = true;
            request.fid = fid;
          }
          const totalData = word(1);
          const dataCount = word(11);
          if (dataCount > 0 && dataCount === totalData) pipe(header + word(12), dataCount, fid);
        }
      }
    } else if (cmd === 0x25 && response && wct >= 10 && request?.transactNmPipe) {
      const totalData = word(1);
      const dataCount = word(6);
      if (dataCount > 0 && dataCount === totalData) pipe(header + word(7), dataCount, request.fid ?? 0);
    }
    if (!ANDX_COMMANDS.has(cmd) || wct < 2) break;
    const next = data[at + 1]!;
    const andxOffset = word(1);
    if (next === 0xff || header + andxOffset <= at) break;
    cmd = next;
    at = header + andxOffset;
  }
  return result;
}

function readName(data: Buffer, at: number, stop: number, unicode: boolean): string {
  if (!unicode) {
    const nul = data.indexOf(0, at);
    return data.toString('latin1', at, nul < 0 || nul > stop ? stop : nul);
  }
  let end = at;
  while (end + 1 < stop && (data[end] !== 0 || data[end + 1] !== 0)) end += 2;
  return data.toString('utf16le', at, end);
}
