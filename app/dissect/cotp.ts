/**
 * ISO 8073 / X.224 COTP, the connection-oriented transport protocol TPKT carries (tpkt.ts), as
 * tshark 4.0 shows it (epan/dissectors/packet-cotp.c): the length indicator and TPDU type, then
 * per type its fixed part (references, class and options, reason, TPDU number and end-of-TSDU
 * mark) and the variable part's parameters (TPDU size, TSAPs, version, preferred maximum TPDU
 * size; others as their bytes); RDP's negotiation in a CR's or CC's variable part (rdp.ts, tried
 * first as tshark's cotp_cr/cotp_cc heuristics are); a CR's or CC's user data and a last DT's data
 * are "data" (Sievecap has none of the other protocols tshark's COTP heuristics find: session, S7).
 *
 * A class 0/1 DT has no destination reference: packet-cotp.c shows one it makes up from the
 * conversation's index (index << 16; the TCP stream's, as long as TCP made every conversation
 * before it). A DT without its end-of-TSDU mark is a fragment: the fragments of a direction and
 * reference are put together when a DT with the mark comes (cotp.reassemble, on by default), the
 * data then in its own buffer, "Reassembled COTP".
 */
import { hex, LayerBuilder } from './builder';
import { bitPicture, bytesHex, bytesLabelHex } from './format';
import { dataLayer } from './hsrp';
import type { AppContext, AppResult, Field, Layer } from './model';
import { addExpert } from './expert';
import { rdpConnectionConfirm, rdpConnectionRequest, type RdpNegotiation } from './rdp';

const TYPES: Record<number, string> = {
  0x1: 'ED Expedited Data', 0x2: 'EA Expedited Data Acknowledgement', 0x5: 'RJ Reject', 0x6: 'AK Data Acknowledgement', 0x7: 'ER TPDU Error',
  0x8: 'DR Disconnect Request', 0xc: 'DC Disconnect Confirm', 0xd: 'CC Connect Confirm', 0xe: 'CR Connect Request', 0xf: 'DT Data',
};

const PARAMETERS: Record<number, string> = {
  0x09: 'ATN extended checksum - 16 bit', 0x08: 'ATN extended checksum - 32 bit', 0x85: 'ack time', 0x86: 'res error', 0x87: 'priority',
  0x88: 'transit delay', 0x89: 'throughput', 0x8a: 'seq number', 0x8b: 'reassignment', 0x8c: 'flow control', 0xc0: 'tpdu-size',
  0xc1: 'src-tsap', 0xc2: 'dst-tsap', 0xc3: 'checksum', 0xc4: 'version', 0xc5: 'protection', 0xc6: 'options', 0xc7: 'proto class',
  0xe0: 'additional connection clearing info', 0xf0: 'preferred max TPDU size', 0xf2: 'inactivity timer',
};

const REASONS: Record<number, string> = {
  0: 'Reason not specified', 1: 'Congestion at TSAP', 2: 'Session entity not attached to TSAP', 3: 'Address unknown', 128: 'Normal Disconnect',
  129: 'Remote transport entity congestion', 130: 'Connection negotiation failed', 131: 'Duplicate source reference', 132: 'Mismatched references',
  133: 'Protocol error', 135: 'Reference overflow', 136: 'Connection request refused', 138: 'Header or parameter length invalid',
};

const TITLE = 'ISO 8073/X.224 COTP Connection-Oriented Transport Protocol';

/** is_all_printable() of packet-cotp.c's print_tsap: every byte a printable ASCII character. */
function printable(bytes: Buffer): boolean {
  for (const c of bytes) if (c < 0x20 || c > 0x7e) return false;
  return true;
}

/** print_tsap(): the TSAP as text when it is all printable, else "0x" and its bytes in hex. */
function tsapText(bytes: Buffer): string {
  if (bytes.length === 0 || bytes.length > 32) return '<unsupported TSAP length>';
  return printable(bytes) ? bytes.toString('latin1') : `0x${bytes.toString('hex')}`;
}

/** One COTP TPDU in [offset, end): its layer, the data after it, and its Info. */
/**
 * Each direction's DT fragments not yet put together, by their addresses and destination
 * reference (packet-cotp.c's fragment_add_seq_next): a DT with its end-of-TSDU mark completes them.
 */
export class CotpReassembly {
  private readonly pending = new Map<string, Array<{ frame: number; bytes: Buffer }>>();

  /** Adds a DT's data; the fragments so far (this one last), and whether they are complete now. */
  add(key: string, frame: number, bytes: Buffer, last: boolean): Array<{ frame: number; bytes: Buffer }> {
    const parts = this.pending.get(key) ?? [];
    parts.push({ frame, bytes: Buffer.from(bytes) });
    if (last) this.pending.delete(key);
    else this.pending.set(key, parts);
    return parts;
  }
}

export function dissectCotp(data: Buffer, offset: number, end: number, ctx: AppContext, reassembly: CotpReassembly): AppResult {
  const stop = Math.min(end, data.length);
  const li = data[offset] ?? 0;
  const type = stop - offset >= 2 ? data[offset + 1]! >> 4 : -1;
  // A TPDU packet-cotp.c cannot read: COTP gives the packet back and TPKT's call shows it as data.
  const refused = (info: string): AppResult => ({ layers: [dataLayer(data, offset, stop, ctx.fields)], protocolColumn: '', info });
  if (stop - offset < 2) return refused('');
  if (li === 0) return refused('Length indicator is zero');
  const b = new LayerBuilder(data, 'cotp', TITLE, offset, Math.min(stop, offset + li + 1), ctx.fields);
  const typeItem = (under: () => void = () => {}): void => {
    b.add('cotp.li', () => `Length: ${li}`, li, offset, 1);
    b.group('cotp.type', () => `PDU Type: ${TYPES[type] ?? 'Unknown'} (${hex(type, 2)})`, type, offset + 1, 1, under, () => hex(type, 2));
  };
  const ref = (abbrev: string, name: string, value: number, at: number): void => {
    b.add(abbrev, () => `${name}: ${hex(value, 4)}`, value, at, 2, () => hex(value, 4));
  };
  let info: string;
  let userData = -1;
  let rdp: RdpNegotiation | null = null;
  if (type === 0xe || type === 0xd) {
    if (li < 6 || stop - offset < 7) return refused('');
    const dstRef = data.readUInt16BE(offset + 2);
    const srcRef = data.readUInt16BE(offset + 4);
    const classOption = data[offset + 6]!;
    if (classOption >> 4 > 4) return refused('');
    info = `${type === 0xe ? 'CR' : 'CC'} TPDU src-ref: ${hex(srcRef, 4)} dst-ref: ${hex(dstRef, 4)}`;
    typeItem();
    ref('cotp.destref', 'Destination reference', dstRef, offset + 2);
    ref('cotp.srcref', 'Source reference', srcRef, offset + 4);
    b.add('cotp.class', () => `${bitPicture(classOption, 0xf0, 8)} = Class: ${classOption >> 4}`, classOption >> 4, offset + 6, 1);
    b.add('cotp.opts.extended_formats', () => `${bitPicture(classOption, 0x02, 8)} = Extended formats: ${classOption & 2 ? 'True' : 'False'}`, (classOption & 2) !== 0, offset + 6, 1);
    b.add('cotp.opts.no_explicit_flow_control', () => `${bitPicture(classOption, 0x01, 8)} = No explicit flow control: ${classOption & 1 ? 'True' : 'False'}`, (classOption & 1) !== 0, offset + 6, 1);
    // RDP puts its negotiation in the variable part (its heuristics come first, packet-ositp.c).
    if (li > 6) rdp = type === 0xe ? rdpConnectionRequest(data, offset + 7, offset + li + 1, ctx) : rdpConnectionConfirm(data, offset + 7, offset + li + 1, ctx);
    if (rdp === null) variablePart(b, data, offset + 7, Math.min(stop, offset + li + 1));
    userData = offset + li + 1;
  } else if (type === 0x8) {
    if (li < 6 || stop - offset < 7) return refused('');
    const dstRef = data.readUInt16BE(offset + 2);
    const srcRef = data.readUInt16BE(offset + 4);
    const reason = data[offset + 6]!;
    info = `DR TPDU src-ref: ${hex(srcRef, 4)} dst-ref: ${hex(dstRef, 4)}`;
    typeItem();
    ref('cotp.destref', 'Destination reference', dstRef, offset + 2);
    ref('cotp.srcref', 'Source reference', srcRef, offset + 4);
    b.add('cotp.cause', () => `Cause: ${REASONS[reason] ?? 'Unknown'} (${reason})`, reason, offset + 6, 1);
    variablePart(b, data, offset + 7, Math.min(stop, offset + li + 1));
    addExpert(b, 'cotp.disconnect_request', 'Chat', 'Sequence', `Disconnect Request(DR): 0x${srcRef.toString(16)} -> 0x${dstRef.toString(16)}`, offset, li + 1);
    userData = offset + li + 1;
  } else if (type === 0xc) {
    if (li !== 5 || stop - offset < 6) return refused('');
    const dstRef = data.readUInt16BE(offset + 2);
    const srcRef = data.readUInt16BE(offset + 4);
    info = `DC TPDU src-ref: ${hex(srcRef, 4)} dst-ref: ${hex(dstRef, 4)}`;
    typeItem(() => addExpert(b, 'cotp.disconnect_confirm', 'Chat', 'Sequence', `Disconnect Confirm(DC): 0x${srcRef.toString(16)} -> 0x${dstRef.toString(16)}`, offset + 1, 1));
    ref('cotp.destref', 'Destination reference', dstRef, offset + 2);
    ref('cotp.srcref', 'Source reference', srcRef, offset + 4);
  } else if (type === 0xf && (li === 2 || li === 4)) {
    if (stop - offset < li + 1) return refused('');
    const numbered = data[offset + li]!;
    const eot = (numbered & 0x80) !== 0;
    const tpduNr = numbered & 0x7f;
    typeItem();
    if (li === 2) {
      const made = (ctx.stream ?? 0) * 0x10000;
      info = `DT TPDU (${tpduNr})`;
      b.add('cotp.destref', () => `[Destination reference: ${hex(made, 4)}]`, 0, offset + 2, 0, '0x0000');
    } else {
      const dstRef = data.readUInt16BE(offset + 2);
      info = `DT TPDU (${tpduNr}) dst-ref: ${hex(dstRef, 4)}`;
      ref('cotp.destref', 'Destination reference', dstRef, offset + 2);
    }
    b.add('cotp.tpdu-number', () => `${bitPicture(numbered, 0x7f, 8)} = TPDU number: ${hex(tpduNr, 2)}`, tpduNr, offset + li, 1, () => hex(tpduNr, 2));
    b.add('cotp.eot', () => `${bitPicture(numbered, 0x80, 8)} = Last data unit: ${eot ? 'Yes' : 'No'}`, eot, offset + li, 1);
    const dataAt = offset + li + 1;
    const dataLength = Math.max(0, stop - dataAt);
    info += eot ? ' EOT' : ` [COTP fragment, ${dataLength} byte${dataLength === 1 ? '' : 's'}]`;
    const dstRef = li === 2 ? (ctx.stream ?? 0) * 0x10000 : data.readUInt16BE(offset + 2);
    const parts = reassembly.add(`${ctx.src}|${ctx.dst}|${dstRef}`, ctx.frameNumber, data.subarray(dataAt, stop), eot);
    // (fragment_add_seq_next() returns nothing before the last fragment, so the fragments before
    // it show nothing of the reassembly.)
    if (eot && parts.length > 1) {
      b.add('cotp.segment_data', () => `COTP segment data (${dataLength} byte${dataLength === 1 ? '' : 's'})`, data.subarray(dataAt, stop), dataAt, dataLength);
      const buffer = Buffer.concat(parts.map((part) => part.bytes));
      const layers: Layer[] = [b.layer, segmentsLayer(parts, buffer, ctx)];
      if (buffer.length > 0) layers.push(reassembledData(buffer, ctx));
      return { layers, protocolColumn: 'COTP', info };
    }
    if (eot) userData = dataAt;
  } else {
    return refused(TYPES[type] === undefined ? `Unknown TPDU type (0x${type.toString(16)})` : '');
  }
  const layers: Layer[] = [b.layer];
  if (rdp !== null) layers.push(rdp.layer);
  if (userData >= 0 && userData < stop) layers.push(dataLayer(data, userData, stop, ctx.fields));
  return rdp === null ? { layers, protocolColumn: 'COTP', info } : { layers, protocolColumn: 'RDP', info: rdp.info };
}

/** process_reassembled_data's tree (a top-level item after COTP's): the fragments, their count, the length. */
function segmentsLayer(parts: ReadonlyArray<{ frame: number; bytes: Buffer }>, buffer: Buffer, ctx: AppContext): Layer {
  const list = parts.map((part) => `#${part.frame}(${part.bytes.length})`).join(', ');
  const b = new LayerBuilder(buffer, 'cotp', `[${parts.length} COTP Segments (${buffer.length} bytes): ${list}]`, 0, buffer.length, ctx.fields);
  let from = 0;
  for (const part of parts) {
    const start = from;
    const length = part.bytes.length;
    const label = length === 0 ? `[Frame: ${part.frame} (no data)]` : `[Frame: ${part.frame}, payload: ${start}-${start + length - 1} (${length} bytes)]`;
    b.add('cotp.segment', label, part.frame, start, length);
    from += length;
  }
  b.add('cotp.segment.count', () => `[Segment count: ${parts.length}]`, parts.length, 0, 0);
  b.add('cotp.reassembled.length', () => `[Reassembled COTP length: ${buffer.length}]`, buffer.length, 0, 0);
  const layer = b.layer;
  layer.protocol = 'cotp.segments';
  markReassembled(layer, buffer);
  return layer;
}

/** The data of fragments put together, in its own buffer ("Reassembled COTP"). */
function reassembledData(buffer: Buffer, ctx: AppContext): Layer {
  const layer = dataLayer(buffer, 0, buffer.length, ctx.fields);
  markReassembled(layer, buffer);
  layer.sourceName = 'Reassembled COTP';
  return layer;
}

function markReassembled(layer: Layer, buffer: Buffer): void {
  layer.source = 'reassembled';
  layer.data = buffer;
  const stack: Field[] = [...layer.fields];
  while (stack.length) {
    const f = stack.pop()!;
    f.source = 'reassembled';
    if (f.children) stack.push(...f.children);
  }
}

/** The parameters of a TPDU's variable part in [at, stop). */
function variablePart(b: LayerBuilder, data: Buffer, at: number, stop: number): void {
  while (at < stop) {
    const code = data[at]!;
    b.add('cotp.parameter_code', () => `Parameter code: ${PARAMETERS[code] ?? 'Unknown'} (${hex(code, 2)})`, code, at, 1, () => hex(code, 2));
    at += 1;
    if (at >= stop) break;
    const length = data[at]!;
    b.add('cotp.parameter_length', () => `Parameter length: ${length}`, length, at, 1);
    at += 1;
    const value = data.subarray(at, Math.min(stop, at + length));
    switch (code) {
      case 0xc0: {
        const size = 1 << (data[at]! & 0x0f);
        b.add('cotp.tpdu_size', () => `TPDU size: ${size}`, size, at, 1);
        break;
      }
      case 0xc1:
      case 0xc2: {
        const [abbrev, name] = code === 0xc1 ? ['cotp.src-tsap', 'Source TSAP'] : ['cotp.dst-tsap', 'Destination TSAP'];
        const text = tsapText(value);
        const asText = printable(value);
        // The form that reads better shows; the other is there, hidden.
        if (b.wants(abbrev)) b.add(abbrev, () => `${name}: ${text}`, text, at, length).hidden = !asText;
        if (b.wants(`${abbrev}-bytes`)) b.add(`${abbrev}-bytes`, () => `${name}: ${value.toString('hex')}`, value, at, length, () => value.toString('hex')).hidden = asText;
        break;
      }
      case 0xc4: {
        const version = data[at]!;
        b.add('cotp.vp_version_nr', () => `Version: ${version}`, version, at, 1);
        break;
      }
      case 0xf0: {
        if (length >= 1 && length <= 4) {
          const size = value.readUIntBE(0, length) * 128;
          b.add('cotp.preferred_maximum_tpdu_size', () => `Preferred maximum TPDU size: ${size}`, size, at, length);
        }
        break;
      }
      default:
        b.add('cotp.parameter_value', () => `Parameter value: ${bytesLabelHex(data, at, value.length)}`, value, at, value.length, () => bytesHex(data, at, value.length));
    }
    at += length;
  }
}
