/**
 * TFTP (RFC 1350, options RFC 2347) as tshark 4.0 shows it (epan/dissectors/packet-tftp.c):
 * opcode; requests' file name, transfer type and options; data and ack blocks (with the full
 * block number, adjusted for wrapping); error code and message; option acknowledgements.
 *
 * A valid read or write request sent to UDP 69 opens a conversation from the client's address and
 * port to the server's address with any server port (Wireshark's NO_PORT2 conversation with the
 * TFTP dissector): the transfer, which the server answers from a new port, is TFTP too. Packets
 * of that transfer carry the request's file name and frame. Data blocks shorter than the block
 * size (512, or what an OACK's blksize set) are the last; their payload is data.
 */
import { dissectSafely, hex, LayerBuilder } from './builder';
import type { AppContext, AppDissector, AppResult, Layer } from './model';
import { dataLayer } from './hsrp';

export const TFTP_PORT = 69;
const RRQ = 1;
const WRQ = 2;
const DATA = 3;
const ACK = 4;
const ERROR = 5;
const OACK = 6;
const INFO = 255;
const MIN_HEADER = 4;

const OPCODES: Record<number, string> = {
  1: 'Read Request', 2: 'Write Request', 3: 'Data Packet', 4: 'Acknowledgement', 5: 'Error Code', 6: 'Option Acknowledgement', 255: 'Information (MSDP)',
};
const ERRORS: Record<number, string> = {
  0: 'Not defined', 1: 'File not found', 2: 'Access violation', 3: 'Disk full or allocation exceeded', 4: 'Illegal TFTP Operation',
  5: 'Unknown transfer ID', 6: 'File already exists', 7: 'No such user', 8: 'Option negotiation failed',
};

/** Wireshark's tftp_conv_info_t, as far as the fields and columns use it. */
interface Transfer {
  blocksize: number;
  sourceFile: string | null;
  destinationFile: string | null;
  requestFrame: number;
  nextBlock: number;
  /** A read request asked for tsize; the opcode of the last packet (error_is_likely_tsize_probe). */
  tsizeRequested: boolean;
  previousOpcode: number;
}

const newTransfer = (): Transfer => ({ blocksize: 512, sourceFile: null, destinationFile: null, requestFrame: 0, nextBlock: 1, tsizeRequested: false, previousOpcode: -1 });

/** is_valid_request_body: printable strings after the opcode, an even number (> 0) of NULs, a known mode. */
function validRequestBody(data: Buffer, offset: number, stop: number): boolean {
  let zeros = 0;
  for (let i = offset + 2; i < stop; i++) {
    const c = data[i]!;
    if (c === 0) zeros++;
    else if (c < 0x20 || c > 0x7e) return false;
  }
  if (zeros === 0 || zeros % 2 !== 0) return false;
  const nameEnd = data.indexOf(0, offset + 2);
  const modeEnd = data.indexOf(0, nameEnd + 1);
  if (modeEnd < 0 || modeEnd >= stop) return false;
  const mode = data.toString('latin1', nameEnd + 1, modeEnd).toLowerCase();
  return mode === 'netscii' || mode === 'octet' || mode === 'mail';
}

function validRequest(data: Buffer, offset: number, stop: number): boolean {
  if (stop - offset < MIN_HEADER) return false;
  const opcode = data.readUInt16BE(offset);
  return (opcode === RRQ || opcode === WRQ) && validRequestBody(data, offset, stop);
}

export function createTftpDissector(): AppDissector {
  /** Conversations opened by requests: "client|clientPort|server" (the server's port is any). */
  const transfers = new Map<string, Transfer>();
  /** Conversations of packets to or from port 69 that belong to no request (exact address/port pairs). */
  const others = new Map<string, Transfer>();
  /** Per frame, what its first dissection found: the transfer, and a block's full number. */
  const frames = new Map<number, { transfer: Transfer; fullBlock?: number; seen?: boolean }>();

  const wildcard = (ctx: AppContext, fromClient: boolean) =>
    fromClient ? `${ctx.src}|${ctx.srcPort}|${ctx.dst}` : `${ctx.dst}|${ctx.dstPort}|${ctx.src}`;

  /** The request conversation a packet belongs to: sent to the client's port, or from it. */
  const requestTransfer = (ctx: AppContext): Transfer | undefined => transfers.get(wildcard(ctx, false)) ?? transfers.get(wildcard(ctx, true));

  const transferFor = (data: Buffer, offset: number, end: number, ctx: AppContext): { transfer: Transfer; request: boolean } => {
    const known = frames.get(ctx.frameNumber);
    if (known) return { transfer: known.transfer, request: false };
    const stop = Math.min(end, data.length);
    if (ctx.dstPort === TFTP_PORT && validRequest(data, offset, stop)) {
      // conversation_new: a later request from the same client port starts a new transfer.
      const transfer = newTransfer();
      transfers.set(wildcard(ctx, true), transfer);
      return { transfer, request: true };
    }
    const found = requestTransfer(ctx);
    if (found) return { transfer: found, request: false };
    // Port 69 traffic without a request seen: the exact conversation's state.
    const a = `${ctx.src}/${ctx.srcPort}`;
    const b = `${ctx.dst}/${ctx.dstPort}`;
    const key = a < b ? `${a}|${b}` : `${b}|${a}`;
    let transfer = others.get(key);
    if (!transfer) others.set(key, (transfer = newTransfer()));
    return { transfer, request: false };
  };

  return {
    protocol: 'tftp',
    udpPorts: [TFTP_PORT],
    stateful: true,
    // The transfer's packets between the client's port and the server's new port.
    // Wireshark's conversation: tried before any port's dissector.
    conversation: (_data, _offset, _end, ctx) => ctx.transport === 'udp' && transfers.size > 0 && requestTransfer(ctx) !== undefined,
    dissect: (data, offset, end, ctx) => {
      const { transfer } = transferFor(data, offset, end, ctx);
      const memo = frames.get(ctx.frameNumber) ?? { transfer };
      const result = dissectTftp(data, offset, end, ctx.frameNumber, transfer, memo, ctx.fields);
      frames.set(ctx.frameNumber, memo);
      return result;
    },
  };
}

/** determine_full_blocknum: the block number with the bits a 16-bit wrap lost. */
function fullBlockNumber(block: number, transfer: Transfer): number {
  let delta = (transfer.nextBlock - block) & 0xffff;
  if (delta >= 0x8000) delta -= 0x10000;
  if (delta > transfer.nextBlock) return block;
  return transfer.nextBlock - delta;
}

/** A NUL-terminated string (tvb_strsize: one that runs past the bytes is an error). */
function stringz(b: LayerBuilder, at: number, what: string): { text: string; length: number } {
  const stop = Math.min(b.end, b.data.length);
  const nul = at < stop ? b.data.indexOf(0, at) : -1;
  if (nul < 0 || nul >= stop) b.need(at, Math.max(1, stop - at + 1), what);
  return { text: b.data.toString('latin1', at, nul), length: nul + 1 - at };
}

export function dissectTftp(
  data: Buffer, offset: number, end: number, frame: number, transfer: Transfer, memo: { fullBlock?: number; seen?: boolean }, selection?: ReadonlySet<string>,
): AppResult {
  const b = new LayerBuilder(data, 'tftp', 'Trivial File Transfer Protocol', offset, end, selection);
  let info = '';
  let payload = -1;
  // Sequence state changes only on a frame's first dissection (Wireshark's !PINFO_FD_VISITED).
  const firstPass = memo.seen !== true;
  memo.seen = true;
  const layer = dissectSafely(b, () => {
    const opcode = b.u16(offset, 'opcode');
    const name = OPCODES[opcode];
    info = name ?? `Unknown (${hex(opcode, 4)})`;
    b.add('tftp.opcode', () => `Opcode: ${name ?? 'Unknown'} (${opcode})`, opcode, offset, 2);
    let at = offset + 2;
    if (transfer.requestFrame !== 0 && opcode !== RRQ && opcode !== WRQ) {
      const file = transfer.sourceFile ?? transfer.destinationFile ?? '';
      const kind = transfer.sourceFile !== null ? 'Read Request' : 'Write Request';
      b.add('tftp.destination_file', () => `[Destination File: ${file}]`, file, offset, 0);
      b.add('tftp.request_frame', () => `[${kind} in frame ${transfer.requestFrame}]`, transfer.requestFrame, offset, 0);
    }
    const options = () => {
      const stop = Math.min(end, data.length);
      while (at < stop) {
        const n = stringz(b, at, 'option name');
        const v = stringz(b, at + n.length, 'option value');
        const nameAt = at;
        b.group('', () => `Option: ${n.text} = ${v.text}`, null, at, n.length + v.length, () => {
          b.add('tftp.option.name', () => `Option name: ${n.text}`, n.text, nameAt, n.length);
          b.add('tftp.option.value', () => `Option value: ${v.text}`, v.text, nameAt + n.length, v.length);
        });
        info += `, ${n.text}=${v.text}`;
        if (opcode === OACK && n.text.toLowerCase() === 'blksize') {
          const size = parseInt(v.text, 10);
          if (size >= 8 && size <= 65464) transfer.blocksize = size;
        } else if (opcode === RRQ && n.text.toLowerCase() === 'tsize') transfer.tsizeRequested = true;
        at += n.length + v.length;
      }
    };
    switch (opcode) {
      case RRQ:
      case WRQ: {
        const file = stringz(b, at, 'file name');
        if (opcode === RRQ) {
          b.add('tftp.source_file', () => `Source File: ${file.text}`, file.text, at, file.length);
          transfer.sourceFile = file.text;
          transfer.destinationFile = null;
        } else {
          b.add('tftp.destination_file', () => `Destination File: ${file.text}`, file.text, at, file.length);
          transfer.destinationFile = file.text;
          transfer.sourceFile = null;
        }
        transfer.requestFrame = frame;
        info += `, File: ${file.text}`;
        at += file.length;
        const mode = stringz(b, at, 'transfer type');
        b.add('tftp.type', () => `Type: ${mode.text}`, mode.text, at, mode.length);
        info += `, Transfer type: ${mode.text}`;
        at += mode.length;
        options();
        break;
      }
      case INFO:
        options();
        break;
      case DATA:
      case ACK: {
        if (opcode === DATA) b.setLength(4);
        const block = b.u16(at, 'block');
        b.add('tftp.block', () => `Block: ${block}`, block, at, 2);
        const full = memo.fullBlock ?? fullBlockNumber(block, transfer);
        memo.fullBlock = full;
        b.add('tftp.block.full', () => `[Full Block Number: ${full}]`, full, offset, 0);
        at += 2;
        if (opcode === ACK) {
          info += `, Block: ${full}`;
          break;
        }
        const bytes = end - at;
        const last = bytes < transfer.blocksize;
        if (firstPass) {
          if (full > transfer.nextBlock) transfer.nextBlock = full + 1;
          else if (full === transfer.nextBlock) transfer.nextBlock++;
        }
        info += `, Block: ${full}${last ? ' (last)' : ''}`;
        payload = at;
        break;
      }
      case ERROR: {
        const code = b.u16(at, 'error code');
        b.add('tftp.error.code', () => `Error code: ${ERRORS[code] ?? 'Unknown'} (${code})`, code, at, 2);
        info += `, Code: ${ERRORS[code] ?? `Unknown (${code})`}`;
        at += 2;
        const message = stringz(b, at, 'error message');
        b.add('tftp.error.message', () => `Error message: ${message.text}`, message.text, at, message.length);
        info += `, Message: ${message.text}`;
        // The expert item: an error right after a tsize query is the client closing, not a failure.
        const probe = (code === 0 || code === 8) && transfer.sourceFile !== null && transfer.tsizeRequested &&
          (transfer.previousOpcode === OACK || (transfer.previousOpcode === DATA && transfer.nextBlock === 2));
        b.add(probe ? 'tftp.likely_tsize_probe' : 'tftp.error', probe ? 'Likely transfer size (tsize) probe' : 'TFTP ERROR packet', null, offset, end - offset, '1').hidden = true;
        break;
      }
      case OACK:
        options();
        break;
      default: {
        const stop = Math.min(end, data.length);
        if (stop > at) b.add('tftp.data', () => `Data: ${data.toString('hex', at, stop)}`, data.subarray(at, stop), at, stop - at, () => data.toString('hex', at, stop));
        break;
      }
    }
  });
  if (layer.status === 'truncated') info += '[Packet size limited during capture]';
  else if (layer.status === 'malformed') info += '[Malformed Packet]';
  if (firstPass && Math.min(end, data.length) - offset >= 2) transfer.previousOpcode = data.readUInt16BE(offset);
  const layers: Layer[] = [layer];
  const stop = Math.min(end, data.length);
  if (layer.status === 'ok' && payload >= 0 && stop > payload) layers.push(dataLayer(data, payload, stop, selection));
  return { layers, protocolColumn: 'TFTP', info };
}
