/**
 * Connection-oriented DCE/RPC carried in SMB named pipes, as tshark 4.0 hands it over: the data of
 * an SMB2 Write request, Read response or FSCTL_PIPE_TRANSCEIVE Ioctl (dissect_file_data_smb2_pipe,
 * packet-smb2.c) and of an SMB1 TransactNmPipe, Write AndX or Read AndX on an IPC$ tree
 * (dissect_pipe_dcerpc, packet-smb-pipe.c) goes to dissect_dcerpc_cn_bs_body (packet-dcerpc.c):
 * every PDU of the data in turn, each replacing the Info column ("<Info> # <Info>" after one that
 * named a context ID other than 0), "N*DCERPC" in Protocol for two or more.
 *
 * Reassembly as the pipe's own (on by default): a PDU longer than the data asks for the rest; the
 * next reads or writes of that file in that direction are put together (the ones before the last
 * show as data) and the PDU is dissected on the frame that completes it, from a buffer named
 * "Named Pipe over SMB2" or "DCERPC over SMB". Binds, and so the interface of a call, belong to
 * the pipe (Wireshark's transport salt: the file ID).
 */
import { LayerBuilder } from './builder';
import { DCERPC_HEADER, DcerpcBinds, dissectDcerpc, isDcerpc, type DcerpcContext } from './dcerpc';
import type { Field, Layer } from './model';

export interface PipeResult {
  layers: Layer[];
  /** The Protocol and Info columns the PDUs wrote; absent when none was dissected yet (a PDU waiting for more). */
  protocolColumn?: string;
  info?: string;
}

interface Partial { parts: Buffer[]; have: number; total: number }

/** A capture's pipes: their binds and the PDUs waiting for more data, by connection, file and direction. */
export class DcerpcPipes {
  readonly binds = new DcerpcBinds();
  private readonly partial = new Map<string, Partial>();

  /**
   * The pipe data data[offset, end) (end may pass the captured bytes) of the file `pipe` (connection
   * and file ID) sent from `from`: DCE/RPC layers, or null when it is not DCE/RPC (the caller shows data).
   */
  dissect(data: Buffer, offset: number, end: number, ctx: DcerpcContext, pipe: string, from: string, sourceName: string): PipeResult | null {
    const stop = Math.min(end, data.length);
    if (stop < end) return dissectPdus(data, offset, end, ctx, this.binds, pipe, false)?.result ?? null;
    const key = `${pipe}/${from}`;
    const waiting = this.partial.get(key);
    if (waiting === undefined) {
      const r = dissectPdus(data, offset, end, ctx, this.binds, pipe, true);
      if (r === null) return null;
      if (r.need > 0) this.partial.set(key, { parts: [Buffer.from(data.subarray(r.from, stop))], have: stop - r.from, total: stop - r.from + r.need });
      return r.result;
    }
    waiting.parts.push(Buffer.from(data.subarray(offset, stop)));
    waiting.have += stop - offset;
    if (waiting.have < waiting.total) return null;
    this.partial.delete(key);
    const whole = Buffer.concat(waiting.parts);
    const r = dissectPdus(whole, 0, whole.length, ctx, this.binds, pipe, true);
    if (r === null) return null;
    for (const layer of r.result.layers) markReassembled(layer, whole, sourceName);
    return r.result;
  }
}

/**
 * dissect_dcerpc_cn_bs_body: the PDUs of data[offset, end); null when the first is not DCE/RPC.
 * `from` and `need`: where a PDU that runs past the data starts and what it still needs.
 */
function dissectPdus(data: Buffer, offset: number, end: number, ctx: DcerpcContext, binds: DcerpcBinds, pipe: string, canDesegment: boolean): { result: PipeResult; from: number; need: number } | null {
  const stop = Math.min(end, data.length);
  const layers: Layer[] = [];
  let info: string | undefined;
  let protocolColumn: string | undefined;
  let ctxId = 0;
  let pdus = 0;
  let at = offset;
  while (at < end) {
    // Over NetBIOS, requests may come after 4 bytes of zeros.
    let start = at;
    if (stop - start >= 4 && data.readUInt32LE(start) === 0) start += 4;
    if (!isDcerpc(data, start, stop)) break;
    const little = (data[start + 4]! & 0x10) !== 0;
    const fragLen = little ? data.readUInt16LE(start + 8) : data.readUInt16BE(start + 8);
    if (canDesegment && start + fragLen > stop) {
      // The PDU needs more of the pipe's data: the columns stay as SMB left them.
      const b = new LayerBuilder(data, 'dcerpc', 'Distributed Computing Environment / Remote Procedure Call (DCE/RPC)', start, stop, ctx.fields);
      const left = stop - start;
      b.add('dcerpc.cn_deseg_req', () => `[DCE RPC: ${left} byte${left === 1 ? '' : 's'} left, desegmentation might follow]`, left, start, 0);
      layers.push(b.layer);
      return { result: { layers, protocolColumn: pdus >= 2 ? `${pdus}*DCERPC` : protocolColumn, info }, from: start, need: start + fragLen - stop };
    }
    const r = dissectDcerpc(data, start, Math.min(end, start + Math.max(fragLen, DCERPC_HEADER)), ctx, binds, pipe);
    pdus++;
    layers.push(...r.layers);
    info = info !== undefined && ctxId !== 0 ? `${info} # ${r.info}` : r.info;
    protocolColumn = r.protocolColumn;
    if (r.ctxId !== undefined) ctxId = r.ctxId;
    at = start + Math.max(fragLen, DCERPC_HEADER);
  }
  if (pdus === 0) return null;
  return { result: { layers, protocolColumn: pdus >= 2 ? `${pdus}*DCERPC` : protocolColumn, info }, from: at, need: 0 };
}

function markReassembled(layer: Layer, buffer: Buffer, sourceName: string): void {
  layer.source = 'reassembled';
  layer.data = buffer;
  layer.sourceName = sourceName;
  const stack: Field[] = [...layer.fields];
  while (stack.length) {
    const f = stack.pop()!;
    f.source = 'reassembled';
    if (f.children) stack.push(...f.children);
  }
}
