/**
 * DNP 3.0 (TCP and UDP 20000) as tshark 4.0's packet-dnp.c shows it: the data link layer (start
 * bytes, length, control with its flags and function, destination, source, header CRC), the
 * transport byte (FIN, FIR, sequence), the user data in 16-byte chunks each with its CRC checked,
 * and the application layer put together over transport segments as fragment_add_seq_single_aging
 * does it (keyed by the IP addresses and the transport sequence; "(Application Layer Unreassembled
 * fragment N)" until the FIN segment completes it), then dissected: control, function code,
 * internal indications, and the objects (group/variation, qualifier, range, points with their
 * prefixes and values) that Info names ("Read, Class 123", "Write, Time and Date").
 * Over TCP, frames are put together over segments (tcp_dissect_pdus on the length byte); over UDP
 * a datagram may hold several frames (udp_dissect_pdus, "[PDU Size: N]" in the UDP tree).
 * A segment not starting with 0x05 0x64 and a good header CRC is declined (data), as tshark's
 * port dissector does. Left out: the heuristics (off by default in tshark), the moves of fragments
 * between reassemblies fragment_add_seq_single makes when sequence numbers wrap or repeat.
 */
import { LayerBuilder, StopDissection, dissectSafely, hex } from './builder';
import { addExpert, addExpertTo } from './expert';
import { bitPicture, setText } from './format';
import { absoluteTimeText } from './app-format';
import type { AppContext, AppDissector, AppResult, Field, Layer } from './model';
import { lengthPrefixedPdus } from './tcp-pdus';
import { CONTROL_CODES, CONTROL_MISC, CONTROL_STATUS, DATA_TYPES, FILE_MODES, FILE_STATUS, OBJECTS, TRIP_CLOSE } from './dnp3-names';
import { floatText } from './png';
import { doubleText } from './ptp';

export const DNP3_PORT = 20000;
const HEADER_LENGTH = 10;

// ---- CRC-16/DNP (crc16_0x3D65, reflected, complemented) ----
const CRC_TABLE = (() => {
  const table = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xa6bc : c >>> 1;
    table[i] = c;
  }
  return table;
})();

export function dnp3Crc(data: Buffer, at: number, length: number): number {
  let crc = 0;
  for (let i = at; i < at + length; i++) crc = (crc >>> 8) ^ CRC_TABLE[(crc ^ data[i]!) & 0xff]!;
  return ~crc & 0xffff;
}

/** check_dnp3_header without heuristics: 0x05, then 0x64 and a good header CRC where captured. */
export function looksLikeDnp3(data: Buffer, offset: number, end: number): boolean {
  const stop = Math.min(end, data.length);
  const length = stop - offset;
  if (length < 1 || data[offset] !== 0x05) return false;
  if (length > 1 && data[offset + 1] !== 0x64) return false;
  if (length >= HEADER_LENGTH && dnp3Crc(data, offset, 8) !== data.readUInt16LE(offset + 8)) return false;
  return true;
}

/** get_dnp3_message_len: header, length byte's bytes and a CRC per 16 bytes of user data. */
function messageLength(dlLen: number): number {
  return dlLen + 5 + Math.max(0, Math.ceil((dlLen - 5) / 16)) * 2;
}

// ---- value strings ----
const PRI_FUNCS: ReadonlyMap<number, string> = new Map([[0, 'Reset of Remote Link'], [1, 'Reset of User Process'], [2, 'Test Function For Link'], [3, 'User Data'], [4, 'Unconfirmed User Data'], [9, 'Request Link Status']]);
const SEC_FUNCS: ReadonlyMap<number, string> = new Map([[0, 'ACK'], [1, 'NACK'], [11, 'Status of Link'], [14, 'Link Service Not Functioning'], [15, 'Link Service Not Used or Implemented']]);
const AL_FUNCS: ReadonlyMap<number, string> = new Map([
  [0x00, 'Confirm'], [0x01, 'Read'], [0x02, 'Write'], [0x03, 'Select'], [0x04, 'Operate'], [0x05, 'Direct Operate'], [0x06, 'Direct Operate No Ack'],
  [0x07, 'Immediate Freeze'], [0x08, 'Immediate Freeze No Ack'], [0x09, 'Freeze and Clear'], [0x0a, 'Freeze and Clear No ACK'], [0x0b, 'Freeze With Time'],
  [0x0c, 'Freeze With Time No ACK'], [0x0d, 'Cold Restart'], [0x0e, 'Warm Restart'], [0x0f, 'Initialize Data'], [0x10, 'Initialize Application'],
  [0x11, 'Start Application'], [0x12, 'Stop Application'], [0x13, 'Save Configuration'], [0x14, 'Enable Spontaneous Messages'],
  [0x15, 'Disable Spontaneous Messages'], [0x16, 'Assign Classes'], [0x17, 'Delay Measurement'], [0x18, 'Record Current Time'], [0x19, 'Open File'],
  [0x1a, 'Close File'], [0x1b, 'Delete File'], [0x1c, 'Get File Info'], [0x1d, 'Authenticate File'], [0x1e, 'Abort File'], [0x1f, 'Activate Config'],
  [0x20, 'Authentication Request'], [0x21, 'Authentication Error'], [0x81, 'Response'], [0x82, 'Unsolicited Response'], [0x83, 'Authentication Response'],
]);
const IIN_NAMES: ReadonlyMap<number, string> = new Map([
  [0x0100, "Broadcast message Rx'd"], [0x0200, 'Class 1 Data Available'], [0x0400, 'Class 2 Data Available'], [0x0800, 'Class 3 Data Available'],
  [0x1000, 'Time Sync Required from Master'], [0x2000, 'Outputs in Local Mode'], [0x4000, 'Device Trouble'], [0x8000, 'Device Restart'],
  [0x0001, 'Function Code not implemented'], [0x0002, 'Requested Objects Unknown'], [0x0004, 'Parameters Invalid or Out of Range'],
  [0x0008, 'Event Buffer Overflow'], [0x0010, 'Operation Already Executing'], [0x0020, 'Device Configuration Corrupt'],
]);
/** proto_tree_add_bitmask's order in dnp3_al_process_iin. */
const IIN_BITS: readonly [string, string, number][] = [
  ['rst', 'Device Restart', 0x8000], ['dt', 'Device Trouble', 0x4000], ['dol', 'Digital Outputs in Local', 0x2000], ['tsr', 'Time Sync Required', 0x1000],
  ['cls3d', 'Class 3 Data Available', 0x0800], ['cls2d', 'Class 2 Data Available', 0x0400], ['cls1d', 'Class 1 Data Available', 0x0200],
  ['bmsg', 'Broadcast Msg Rx', 0x0100], ['cc', 'Configuration Corrupt', 0x0020], ['oae', 'Operation Already Executing', 0x0010],
  ['ebo', 'Event Buffer Overflow', 0x0008], ['pioor', 'Parameters Invalid or Out of Range', 0x0004], ['obju', 'Requested Objects Unknown', 0x0002],
  ['fcni', 'Function Code not implemented', 0x0001],
];
const PREFIXES = ['None', '1-Octet Index Prefix', '2-Octet Index Prefix', '4-Octet Index Prefix', '1-Octet Object Size Prefix', '2-Octet Object Size Prefix', '4-Octet Object Size Prefix'];
const RANGES = [
  '8-bit Start and Stop Indices', '16-bit Start and Stop Indices', '32-bit Start and Stop Indices', '8-bit Absolute Address in Range Field',
  '16-bit Absolute Address in Range Field', '32-bit Absolute Address in Range Field', 'No Range Field', '8-bit Single Field Quantity',
  '16-bit Single Field Quantity', '32-bit Single Field Quantity', 'Reserved', 'Free-format Qualifier',
];
const READ_OBJECTS: ReadonlyMap<number, string> = new Map([
  [0x00, 'Device Attribute'], [0x01, 'Binary Input'], [0x02, 'Binary Input Change'], [0x03, 'Double-bit Input'], [0x04, 'Double-bit Input Change'],
  [0x0a, 'Binary Output'], [0x0b, 'Binary Output Change'], [0x14, 'Counter'], [0x15, 'Frozen Counter'], [0x16, 'Counter Change'],
  [0x17, 'Frozen Counter Change'], [0x1e, 'Analog Input'], [0x20, 'Analog Input Change'], [0x28, 'Analog Output'], [0x2a, 'Analog Output Change'],
  [0x32, 'Time and Date'], [0x46, 'File Control'], [0x50, 'Internal Indications'], [0x6e, 'Octet String'], [0x6f, 'Octet String Event'],
  [0x71, 'Virtual Terminal Event Data'],
]);
const WRITE_OBJECTS: ReadonlyMap<number, string> = new Map([
  [0x32, 'Time and Date'], [0x46, 'File Control'], [0x50, 'Internal Indications'], [0x6e, 'Octet String'], [0x6f, 'Octet String Event'], [0x70, 'Virtual Terminal Output Block'],
]);
/** The request functions whose objects dnp3_al_process_object reads, with their tree's title and whether only headers are read. */
const OBJECT_LISTS: ReadonlyMap<number, [string, boolean]> = new Map([
  [0x01, ['READ Request Data Objects', true]], [0x02, ['WRITE Request Data Objects', false]], [0x03, ['SELECT Request Data Objects', false]],
  [0x04, ['OPERATE Request Data Objects', false]], [0x05, ['DIRECT OPERATE Request Data Objects', false]], [0x06, ['DIRECT OPERATE Request Data Objects', false]],
  [0x07, ['Freeze Request Data Objects', true]], [0x08, ['Freeze Request Data Objects', true]], [0x09, ['Freeze Request Data Objects', true]],
  [0x0a, ['Freeze Request Data Objects', true]], [0x14, ["Enable Spontaneous Msg's Data Objects", false]], [0x15, ["Disable Spontaneous Msg's Data Objects", false]],
  [0x19, ['File Data Objects', false]], [0x1a, ['File Data Objects', false]], [0x1b, ['File Data Objects', false]],
]);

/** Objects whose points carry nothing (default variations and class data). */
const EMPTY_OBJECTS = new Set([0x0100, 0x0200, 0x0b00, 0x0300, 0x0400, 0x1400, 0x1600, 0x1e00, 0x2000, 0x2200, 0x2a00, 0x3c01, 0x3c02, 0x3c03, 0x3c04]);

const named = (names: ReadonlyMap<number, string>, v: number, unknown = 'Unknown'): string => names.get(v) ?? unknown;
const alFuncName = (f: number): string => AL_FUNCS.get(f) ?? `Unknown function (${hex(f, 2)})`;

/** A %g of C: six significant digits, trailing zeros dropped. */
function gText(x: number): string {
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  if (!Number.isFinite(x)) return Number.isNaN(x) ? 'nan' : x > 0 ? 'inf' : '-inf';
  const exponent = Math.floor(Math.log10(Math.abs(Number(x.toPrecision(6)))));
  if (exponent >= -4 && exponent < 6) return String(Number(x.toPrecision(6)));
  const [mantissa, power] = x.toExponential(5).split('e') as [string, string];
  const e = Number(power);
  return `${mantissa.replace(/\.?0+$/, '')}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
}

// ---- the column (Wireshark's Info with its fence), per frame ----
interface Column {
  frame: number;
  fenced: string;
  open: string;
  starts: Map<string, [string, string]>;
}

// ---- application layer reassembly (fragment_add_seq_single_aging, first pass) ----
interface Part {
  frame: number;
  bytes: Buffer;
}
interface Head {
  frame: number;
  parts: Map<number, Part>;
  /** The number of the last fragment, -1 while no FIN segment has come. */
  last: number;
}
type Reassembly = { parts: Part[]; buffer: Buffer } | null;

const MAX_FRAGMENTS = 60;
const FRAGMENT_AGING = 64;
const MAX_HEADS = 4096;

class AlReassembly {
  private readonly heads = new Map<string, Head>();

  add(direction: string, frame: number, seq: number, bytes: Buffer, first: boolean, last: boolean): Reassembly {
    const key = (id: number): string => `${direction}#${id >>> 0}`;
    const aged = (id: number): Head | undefined => {
      const head = this.heads.get(key(id));
      if (head !== undefined && head.frame + FRAGMENT_AGING < frame) {
        this.heads.delete(key(id));
        return undefined;
      }
      return head;
    };
    let number = 0;
    let headId = seq;
    let head: Head | undefined;
    if (first) head = aged(seq);
    else {
      for (let k = 1; k < MAX_FRAGMENTS; k++) {
        const found = aged(seq - k);
        if (found !== undefined) {
          if (found.last < 0 || found.last >= k) {
            head = found;
            number = k;
            headId = seq - k;
          }
          break;
        }
      }
      if (head === undefined) {
        number = 1;
        headId = seq - 1;
      }
    }
    if (head === undefined) {
      if (this.heads.size >= MAX_HEADS) this.heads.delete(this.heads.keys().next().value!);
      head = { frame: 0, parts: new Map(), last: -1 };
      this.heads.set(key(headId), head);
    }
    if (last) for (const n of [...head.parts.keys()]) if (n > number) head.parts.delete(n);
    if (!head.parts.has(number)) head.parts.set(number, { frame, bytes: Buffer.from(bytes) });
    head.frame = Math.max(head.frame, frame);
    if (last) head.last = number;
    if (head.last < 0) return null;
    const parts: Part[] = [];
    for (let n = 0; n <= head.last; n++) {
      const part = head.parts.get(n);
      if (part === undefined) return null;
      parts.push(part);
    }
    this.heads.delete(key(headId));
    return { parts, buffer: Buffer.concat(parts.map((p) => p.bytes)) };
  }
}

interface State {
  reassembly: AlReassembly;
  /** What each frame's user data did to the reassembly (Wireshark's per-frame memory): a frame dissected again finds the same. */
  seen: Map<string, Reassembly>;
  column: Column;
}

export function createDnp3Dissector(): AppDissector {
  const state: State = { reassembly: new AlReassembly(), seen: new Map(), column: { frame: -1, fenced: '', open: '', starts: new Map() } };
  return {
    protocol: 'dnp3',
    fieldPrefixes: ['dnp'],
    tcpPorts: [DNP3_PORT],
    udpPorts: [DNP3_PORT],
    stateful: true,
    claims: (data, offset, end) => looksLikeDnp3(data, offset, end),
    declines: true,
    desegment: (data, offset, end) => ({ ...lengthPrefixedPdus(data, offset, Math.min(end, data.length), HEADER_LENGTH, (at) => messageLength(data[at + 2]!)), replaceInfo: true }),
    dissect: (data, offset, end, ctx) => (ctx.transport === 'udp' ? dissectUdp(state, data, offset, end, ctx) : dissectMessage(state, data, offset, end, ctx)),
  };
}

/** udp_dissect_pdus: frames one after the other while each starts as DNP 3.0 does. */
function dissectUdp(state: State, data: Buffer, offset: number, end: number, ctx: AppContext): AppResult {
  const layers: Layer[] = [];
  const sizes: number[] = [];
  let result: AppResult = { layers, protocolColumn: 'DNP 3.0', info: '' };
  let at = offset;
  while (at < end && at < data.length) {
    if (!looksLikeDnp3(data, at, end) || data.length - at < 3) break;
    const length = messageLength(data[at + 2]!);
    if (length < HEADER_LENGTH) break;
    sizes.push(length);
    const one = dissectMessage(state, data, at, Math.min(at + length, end), ctx);
    layers.push(...one.layers);
    result = { ...one, layers };
    at += length;
  }
  result.udpPduSizes = sizes;
  return result;
}

function dissectMessage(state: State, data: Buffer, offset: number, end: number, ctx: AppContext): AppResult {
  const col = state.column;
  if (col.frame !== ctx.frameNumber) Object.assign(col, { frame: ctx.frameNumber, fenced: '', open: '', starts: new Map() });
  const startKey = `${data.length}:${offset}`;
  const start = col.starts.get(startKey);
  if (start === undefined) col.starts.set(startKey, [col.fenced, col.open]);
  else [col.fenced, col.open] = start;
  const message = new Dnp3Message(state, data, offset, end, ctx);
  const layers = message.dissect();
  return { layers, protocolColumn: 'DNP 3.0', info: col.fenced + col.open };
}

class Dnp3Message {
  private readonly b: LayerBuilder;
  private readonly col: Column;
  private al: Layer | null = null;

  constructor(
    private readonly state: State,
    private readonly data: Buffer,
    private readonly offset: number,
    end: number,
    private readonly ctx: AppContext,
  ) {
    this.b = new LayerBuilder(data, 'dnp3', 'Distributed Network Protocol 3.0', offset, end, ctx.fields);
    this.col = state.column;
  }

  // col_clear (to the fence), col_append_str, col_append_sep_str (", " when the column holds anything), col_set_fence.
  private clear(): void {
    this.col.open = '';
  }
  private append(text: string): void {
    this.col.open += text;
  }
  private appendSep(text: string): void {
    this.col.open += (this.col.fenced + this.col.open).length > 0 ? `, ${text}` : text;
  }
  private fence(): void {
    this.col.fenced += this.col.open;
    this.col.open = '';
  }

  dissect(): Layer[] {
    const layer = dissectSafely(this.b, () => this.body());
    const layers = [layer];
    if (this.al !== null) layers.push(this.al);
    const failed = layers.find((l) => l.status !== 'ok');
    if (failed !== undefined) this.append(failed.status === 'malformed' ? '[Malformed Packet]' : '[Packet size limited during capture]');
    if (failed !== undefined && failed !== layer) {
      // The exception ends the whole DNP 3.0 dissection: its mark is the dnp3 tree's.
      layer.status = failed.status;
      layer.problem = failed.problem;
      failed.status = 'ok';
      failed.problem = undefined;
    }
    return layers;
  }

  private body(): void {
    const b = this.b;
    const o = this.offset;
    b.need(o, HEADER_LENGTH, 'DNP 3.0 header');
    this.clear();
    const len = this.data[o + 2]!;
    const ctl = this.data[o + 3]!;
    const dst = this.data.readUInt16LE(o + 4);
    const src = this.data.readUInt16LE(o + 6);
    const func = ctl & 0x0f;
    const prm = (ctl & 0x40) !== 0;
    const funcName = (prm ? PRI_FUNCS : SEC_FUNCS).get(func) ?? `Unknown function (${hex(func, 2)})`;
    this.append(`from ${src} to ${dst}`);
    this.appendSep(`len=${len}, ${funcName}`);
    let flags = '';
    if (ctl & 0x80) flags += 'DIR, ';
    if (ctl & 0x40) flags += 'PRM, ';
    if (prm) {
      if (ctl & 0x20) flags += 'FCB, ';
      if (ctl & 0x10) flags += 'FCV, ';
    } else {
      if (ctl & 0x20) flags += 'RES, ';
      if (ctl & 0x10) flags += 'DFC, ';
    }
    const bit = (abbrev: string, name: string, mask: number): void => {
      b.add(abbrev, () => `${bitPicture(ctl, mask, 8)} = ${name}: ${setText((ctl & mask) !== 0)}`, (ctl & mask) !== 0, o + 3, 1);
    };
    b.group('', () => `Data Link Layer, Len: ${len}, From: ${src}, To: ${dst}, ${flags}${funcName}`, null, o, HEADER_LENGTH, () => {
      b.add('dnp3.start', 'Start Bytes: 0x0564', 0x0564, o, 2, '0x0564');
      b.add('dnp3.len', `Length: ${len}`, len, o + 2, 1);
      b.group('dnp3.ctl', () => `Control: ${hex(ctl, 2)} (${flags}${funcName})`, ctl, o + 3, 1, () => {
        bit('dnp3.ctl.dir', 'Direction', 0x80);
        bit('dnp3.ctl.prm', 'Primary', 0x40);
        if (prm) {
          bit('dnp3.ctl.fcb', 'Frame Count Bit', 0x20);
          bit('dnp3.ctl.fcv', 'Frame Count Valid', 0x10);
          b.add('dnp3.ctl.prifunc', () => `${bitPicture(ctl, 0x0f, 8)} = Control Function Code: ${named(PRI_FUNCS, func)} (${func})`, func, o + 3, 1);
        } else {
          bit('dnp3.ctl.dfc', 'Data Flow Control', 0x10);
          b.add('dnp3.ctl.secfunc', () => `${bitPicture(ctl, 0x0f, 8)} = Control Function Code: ${named(SEC_FUNCS, func)} (${func})`, func, o + 3, 1);
        }
      }, hex(ctl, 2));
      b.add('dnp3.dst', `Destination: ${dst}`, dst, o + 4, 2);
      b.add('dnp3.addr', `Address: ${dst}`, dst, o + 4, 2).hidden = true;
      b.add('dnp3.src', `Source: ${src}`, src, o + 6, 2);
      b.add('dnp3.addr', `Address: ${src}`, src, o + 6, 2).hidden = true;
      this.checksum('dnp3.hdr.CRC', 'dnp.hdr.CRC.status', 'Data Link Header', 'dnp3.hdr.CRC.incorrect', dnp3Crc(this.data, o, 8), o + 8);
    });
    let at = o + HEADER_LENGTH;
    if (func !== 9 && func !== 11 && func !== 0) at = this.transport(len, at);
    b.setLength(at - o);
  }

  private checksum(abbrev: string, statusAbbrev: string, what: string, expert: string, computed: number, at: number): boolean {
    const b = this.b;
    const actual = this.data.readUInt16LE(at);
    const good = actual === computed;
    const item = b.add(abbrev, () => `${what} checksum: ${hex(actual, 4)} ${good ? '[correct]' : `incorrect, should be ${hex(computed, 4)}`}`, actual, at, 2, hex(actual, 4));
    b.add(statusAbbrev, () => `[${what} Checksum Status: ${good ? 'Good' : 'Bad'}]`, good ? 1 : 0, at, 0);
    if (!good) addExpertTo(b, item, expert, 'Warning', 'Checksum', `${what} Checksum incorrect [should be ${hex(computed, 4)}]`);
    return good;
  }

  private transport(len: number, at: number): number {
    const b = this.b;
    const tr = b.u8(at, 'transport control');
    const seq = tr & 0x3f;
    const fir = (tr & 0x40) !== 0;
    const fin = (tr & 0x80) !== 0;
    const set = [fin ? 'Final' : '', fir ? 'First' : ''].filter(Boolean);
    b.group('dnp3.tr.ctl', () => `Transport Control: ${hex(tr, 2)}${set.length ? `, ${set.join(', ')}` : ''}(${fir ? 'FIR, ' : ''}${fin ? 'FIN, ' : ''}Sequence ${seq})`, tr, at, 1, () => {
      b.add('dnp3.tr.fin', () => `${bitPicture(tr, 0x80, 8)} = Final: ${setText(fin)}`, fin, at, 1);
      b.add('dnp3.tr.fir', () => `${bitPicture(tr, 0x40, 8)} = First: ${setText(fir)}`, fir, at, 1);
      b.add('dnp3.tr.seq', () => `${bitPicture(tr, 0x3f, 8)} = Sequence: ${seq}`, seq, at, 1);
    }, hex(tr, 2));
    const start = at;
    const chunks: Buffer[] = [];
    let crcOk = false;
    let left = (len - 5) & 0xff;
    const chunksTree = b.group('', 'Data Chunks', null, at, 0, () => {
      let i = 0;
      let skip = 1;
      while (left > 0) {
        const size = Math.min(left, 16);
        b.need(at, size, 'DNP 3.0 data chunk');
        const chunk = this.data.subarray(at, at + size);
        chunks.push(chunk.subarray(skip));
        const chunkAt = at;
        const computed = dnp3Crc(this.data, at, size);
        b.group('', `Data Chunk: ${i}`, null, chunkAt, size + 2, () => {
          b.add('dnp.data_chunk', () => `Data Chunk: ${chunk.toString('hex')}`, chunk, chunkAt, size, () => chunk.toString('hex'));
          b.add('dnp.data_chunk_len', `[Data Chunk length: ${size}]`, size, chunkAt, 0);
          b.need(chunkAt + size, 2, 'DNP 3.0 data chunk CRC');
          crcOk = this.checksum('dnp.data_chunk.CRC', 'dnp.data_chunk.CRC.status', 'Data Chunk', 'dnp3.data_chunk.CRC.incorrect', computed, chunkAt + size);
        });
        at += size + 2;
        if (!crcOk) break;
        left -= size;
        i++;
        skip = 0;
      }
    });
    chunksTree.length = at - start;
    if (!crcOk) return at;
    const bytes = Buffer.concat(chunks);
    const seenKey = `${this.ctx.frameNumber}:${this.data.length}:${this.offset}`;
    let done: Reassembly;
    if (this.state.seen.has(seenKey)) done = this.state.seen.get(seenKey)!;
    else {
      done = this.state.reassembly.add(`${this.ctx.src}>${this.ctx.dst}`, this.ctx.frameNumber, seq, bytes, fir, fin);
      this.state.seen.set(seenKey, done);
    }
    if (done === null) {
      this.append(` (Application Layer Unreassembled fragment ${seq})`);
      b.add('dnp3.al.frag_data', () => `DNP3.0 AL Fragment Data: ${bytesLabel(bytes)}`, bytes, start, at - start, () => bytes.toString('hex'));
      return at;
    }
    const total = done.buffer.length;
    const parts = done.parts;
    b.group('dnp3.al.fragments', () => `[${`${parts.length} DNP 3.0 AL Fragment${parts.length === 1 ? '' : 's'} (${total} byte${total === 1 ? '' : 's'}): ${parts.map((p) => `#${p.frame}(${p.bytes.length})`).join(', ')}`.slice(0, 239)}]`, null, 0, total, () => {
      let from = 0;
      for (const part of parts) {
        const first = from;
        b.add('dnp3.al.fragment', () => `[Frame: ${part.frame}, payload: ${first}-${first + part.bytes.length - 1} (${part.bytes.length} byte${part.bytes.length === 1 ? '' : 's'})]`, part.frame, first, part.bytes.length);
        from += part.bytes.length;
      }
      b.add('dnp3.al.fragment.count', `[Fragment count: ${parts.length}]`, parts.length, 0, 0);
      b.add('dnp3.al.fragment.reassembled.length', `[Reassembled DNP length: ${total}]`, total, 0, total);
    }, '');
    this.al = new ApplicationLayer(this, done.buffer, this.ctx).dissect();
    return at;
  }

  /** For the application layer: the same column. */
  get column(): { clear(): void; appendSep(text: string): void; append(text: string): void; fence(): void } {
    return { clear: () => this.clear(), appendSep: (t) => this.appendSep(t), append: (t) => this.append(t), fence: () => this.fence() };
  }
}

/** dissect_dnp3_al on the reassembled application layer message. */
class ApplicationLayer {
  private readonly b: LayerBuilder;
  private readonly n: number;
  /** The last Time and Date CTO object (the base of relative times). */
  private cto = 0;
  /** Items tshark adds to the object's tree after the point's (proto_tree_add_* on object_tree). */
  private afterPoint: Array<() => void> = [];
  /** What the last object's points appended to the object's item (device attributes' values). */
  private objectText = '';

  constructor(private readonly message: Dnp3Message, private readonly data: Buffer, ctx: AppContext) {
    this.b = new LayerBuilder(data, 'dnp3', 'Application Layer', 0, data.length, ctx.fields);
    this.n = data.length;
  }

  dissect(): Layer {
    const layer = dissectSafely(this.b, () => this.body());
    layer.nested = true;
    layer.source = 'reassembled';
    layer.data = this.data;
    layer.sourceName = 'Reassembled DNP 3.0 Application Layer message';
    const stack: Field[] = [...layer.fields];
    while (stack.length) {
      const f = stack.pop()!;
      f.source = 'reassembled';
      // (A loop, not push(...children): an object may hold tens of thousands of points.)
      if (f.children) for (const child of f.children) stack.push(child);
    }
    return layer;
  }

  private body(): void {
    const b = this.b;
    const col = this.message.column;
    const ctl = b.u8(0, 'application control');
    const func = b.u8(1, 'function code');
    const seq = ctl & 0x0f;
    const funcName = alFuncName(func);
    col.clear();
    col.appendSep(funcName);
    col.fence();
    let flags = '';
    if (ctl & 0x80) flags += 'FIR, ';
    if (ctl & 0x40) flags += 'FIN, ';
    if (ctl & 0x20) flags += 'CON, ';
    if (ctl & 0x10) flags += 'UNS, ';
    b.title(() => `Application Layer: (${flags}Sequence ${seq}, ${funcName})`);
    const set = [ctl & 0x80 ? 'First' : '', ctl & 0x40 ? 'Final' : '', ctl & 0x20 ? 'Confirm' : '', ctl & 0x10 ? 'Unsolicited' : ''].filter(Boolean);
    b.group('dnp3.al.ctl', () => `Application Control: ${hex(ctl, 2)}${set.length ? `, ${set.join(', ')}` : ''}(${flags}Sequence ${seq})`, ctl, 0, 1, () => {
      for (const [name, label, mask] of [['fir', 'First', 0x80], ['fin', 'Final', 0x40], ['con', 'Confirm', 0x20], ['uns', 'Unsolicited', 0x10]] as const) {
        b.add(`dnp3.al.${name}`, () => `${bitPicture(ctl, mask, 8)} = ${label}: ${setText((ctl & mask) !== 0)}`, (ctl & mask) !== 0, 0, 1);
      }
      b.add('dnp3.al.seq', () => `${bitPicture(ctl, 0x0f, 8)} = Sequence: ${seq}`, seq, 0, 1);
    }, hex(ctl, 2));
    b.add('dnp3.al.func', () => `Function Code: ${funcName} (${hex(func, 2)})`, func, 1, 1);
    let at = 2;
    const list = OBJECT_LISTS.get(func);
    if (list !== undefined) {
      const [title, headerOnly] = list;
      let classes = 0;
      // The objects' subtree runs to the end of the message (length -1): with no objects it throws.
      b.need(at, 1, 'DNP 3.0 objects');
      b.group('', title, null, at, this.n - at, () => {
        while (at <= this.n - 2) {
          const { next, type } = this.object(at, headerOnly);
          at = next;
          if (func === 0x01) {
            if (type >= 0x3c01 && type <= 0x3c04) classes |= 1 << ((type & 0x0f) - 1);
            else col.appendSep(READ_OBJECTS.get(type >> 8) ?? 'Unknown Object Type');
          } else if (func === 0x02) col.appendSep(WRITE_OBJECTS.get(type >> 8) ?? 'Unknown Object Type');
        }
      });
      if (classes !== 0) {
        col.appendSep('Class ');
        for (let i = 0; i < 4; i++) if (classes & (1 << i)) col.append(String(i));
      }
    } else if (func === 0x81 || func === 0x82) {
      this.iin(at);
      at += 2;
      if (at < this.n) {
        b.group('', 'RESPONSE Data Objects', null, at, this.n - at, () => {
          while (at <= this.n - 2) at = this.object(at, false).next;
        });
      }
    }
  }

  private iin(at: number): void {
    const b = this.b;
    const iin = b.u16(at, 'internal indications');
    const set = IIN_BITS.filter(([, , mask]) => iin & mask).map(([, label]) => label);
    const item = b.group('dnp3.al.iin', () => `Internal Indications: ${hex(iin, 4)}${set.length ? `, ${set.join(', ')}` : ''}`, iin, at, 2, () => {
      for (const [name, label, mask] of IIN_BITS) b.add(`dnp3.al.iin.${name}`, () => `${bitPicture(iin, mask, 16)} = ${label}: ${setText((iin & mask) !== 0)}`, (iin & mask) !== 0, at, 2);
    }, hex(iin, 4));
    // Device trouble, configuration corrupt, operation already executing, event buffer overflow, bad parameters, unknown objects or function.
    if (iin & 0x403f) addExpertTo(b, item, 'dnp3.iin_abnormal', 'Warning', 'Protocol', 'IIN Abnormality');
  }

  private u8(at: number): number {
    return this.b.u8(at, 'DNP 3.0 object');
  }
  private le16(at: number): number {
    this.b.need(at, 2, 'DNP 3.0 object');
    return this.data.readUInt16LE(at);
  }
  private le32(at: number): number {
    this.b.need(at, 4, 'DNP 3.0 object');
    return this.data.readUInt32LE(at);
  }
  private timestamp(at: number): { ms: number; text: string } {
    const lo = this.le16(at);
    const hi = this.le32(at + 2);
    const ms = hi * 0x10000 + lo;
    return { ms, text: timeText(ms) };
  }

  /** dnp3_al_process_object: one object header and its points; the new offset and the object's type (group and variation). */
  private object(offset: number, headerOnly: boolean): { next: number; type: number } {
    const b = this.b;
    const type = (this.u8(offset) << 8) | this.u8(offset + 1);
    let obj = type;
    let octLen = 0;
    const group = type >> 8;
    if ((type & 0xff00) === 0x6e00 || (type & 0xff00) === 0x6f00) {
      octLen = type & 0xff;
      obj = type & 0xff00;
    }
    const objName = OBJECTS.get(obj);
    const q = this.u8(offset + 2);
    const prefix = (q & 0x70) >> 4;
    const range = q & 0x0f;
    const origin = offset;
    let next = offset;
    let objLabel: string = group === 0
      ? `Object(s): ${objName ?? 'Unknown group 0 Variation'} (${hex(obj, 4)})`
      : group === 0x6e || group === 0x6f
        ? `Object(s): ${objName ?? 'Unknown Object\\Variation'} (${hex(obj, 4)}), Length: ${octLen}`
        : `Object(s): ${objName ?? 'Unknown Object\\Variation'} (${hex(obj, 4)})`;
    let rangeItem: Field | null = null;
    let rangeText = '';
    let generated = false;
    const body = (): void => {
      if (objName === undefined && group === 0) addExpert(b, 'dnp3.unknown_group0_variation', 'Warning', 'Protocol', 'Unknown Group 0 Variation', offset, 2);
      else if (objName === undefined && group !== 0x6e && group !== 0x6f) addExpert(b, 'dnp3.unknown_object', 'Warning', 'Protocol', 'Unknown Object\\Variation', offset, 2);
      offset += 2;
      b.group('', () => `Qualifier Field, Prefix: ${PREFIXES[prefix] ?? 'Unknown Prefix Type'}, Range: ${RANGES[range] ?? 'Unknown Range Type'}`, null, offset, 1, () => {
        b.add('dnp3.al.objq.prefix', () => `${bitPicture(q, 0x70, 8)} = Prefix Code: ${PREFIXES[prefix] ?? 'Unknown'} (${prefix})`, prefix, offset, 1);
        b.add('dnp3.al.objq.range', () => `${bitPicture(q, 0x0f, 8)} = Range Code: ${RANGES[range] ?? 'Unknown'} (${range})`, range, offset, 1);
      });
      offset += 1;
      let items = 0;
      let address = 0;
      let rangeBytes = 0;
      const rangeAt = offset;
      const range_ = b.group('', 'Number of Items: ', null, offset, 0, () => {
        const addRange = (abbrev: string, label: string, bits: number, at: number): number => {
          const v = bits === 8 ? this.u8(at) : bits === 16 ? this.le16(at) : this.le32(at);
          b.add(abbrev, `${label} (${bits} bit): ${v}`, v, at, bits / 8);
          return v;
        };
        switch (range) {
          case 0: case 1: case 2: {
            const bits = range === 0 ? 8 : range === 1 ? 16 : 32;
            const size = bits / 8;
            const first = bits === 8 ? this.u8(offset) : bits === 16 ? this.le16(offset) : this.le32(offset);
            const last = bits === 8 ? this.u8(offset + size) : bits === 16 ? this.le16(offset + size) : this.le32(offset + size);
            items = bits === 32 ? ((last - first + 1) | 0) : last - first + 1;
            generated = true;
            address = first;
            addRange('dnp3.al.range.start', 'Start', bits, offset);
            addRange('dnp3.al.range.stop', 'Stop', bits, offset + size);
            rangeBytes = 2 * size;
            break;
          }
          case 3: case 4: case 5: {
            const bits = range === 3 ? 8 : range === 4 ? 16 : 32;
            items = 1;
            generated = true;
            address = addRange('dnp3.al.range.abs', 'Address', bits, offset);
            rangeBytes = bits / 8;
            break;
          }
          case 7: case 8: case 9: case 11: {
            const bits = range === 8 ? 16 : range === 9 ? 32 : 8;
            items = addRange('dnp3.al.range.quantity', 'Quantity', bits, offset) | 0;
            rangeBytes = bits / 8;
            break;
          }
        }
      });
      rangeItem = range_;
      range_.length = range === 7 || range === 8 || range === 9 || range === 11 ? rangeBytes : 0;
      if (items > 0) objLabel += `, ${items} point${items === 1 ? '' : 's'}`;
      rangeText = String(items);
      if (items < 0) {
        rangeText += ' (bogus)';
        b.into((range_.children ??= []), () => malformedExpert(b, 'dnp3.num_items_neg', 'Negative number of items', rangeAt, 0));
        next = this.n;
      } else {
        offset += rangeBytes;
        this.objectText = '';
        if (!headerOnly || prefix > 0) offset = this.points(obj, octLen, prefix, items, address, offset, headerOnly, range_, () => (rangeText += ' (bogus)'));
        objLabel += this.objectText;
        next = offset;
      }
    };
    const objectItem = b.add('dnp3.al.obj', '', obj, offset, 2, hex(obj, 4));
    const run = (): void => {
      try {
        body();
      } finally {
        // The labels are known only now (an exception in the points leaves them as they were then).
        if (b.tree) {
          if (rangeItem !== null) rangeItem.label = generated ? `[Number of Items: ${rangeText}]` : `Number of Items: ${rangeText}`;
          objectItem.label = objLabel;
          objectItem.length = Math.max(2, (next > origin ? next : offset) - origin);
        }
      }
    };
    if (b.tree) b.into((objectItem.children = []), run);
    else run();
    return { next, type };
  }

  /** The points of one object (the loop of dnp3_al_process_object); returns the offset after them. */
  private points(
    obj: number, octLen: number, prefix: number, items: number, address: number, offset: number, headerOnly: boolean,
    rangeItem: Field, bogus: () => void,
  ): number {
    let objectText = '';
    const appendObject = (text: string): void => {
      objectText += text;
    };
    const b = this.b;
    let bitIndex = 0;
    let loops = 0;
    for (let item = 0; item < items; item++) {
      if (++loops > 1_000_000) throw new StopDissection('malformed', 'More than 1000000 items in the tree');
      // The point's subtree runs to the end of the message (length -1): at the end it throws.
      b.need(offset, 1, 'DNP 3.0 point');
      const pointAt = offset;
      let pointLabel = prefix <= 3 ? 'Point Number' : 'Object: Size';
      let pointLength = 0;
      let dataPos = offset;
      let prefixBytes = 0;
      const point = b.group('', () => pointLabel, null, pointAt, 0, () => {
        switch (prefix) {
          case 0:
            b.add('dnp3.al.point_index', `[Point Index: ${address}]`, address, offset, 0);
            break;
          case 1: case 4:
            address = this.u8(offset);
            b.add(prefix === 1 ? 'dnp3.al.index' : 'dnp3.al.size', `${prefix === 1 ? 'Index' : 'Size'} (8 bit): ${address}`, address, offset, 1);
            prefixBytes = 1;
            break;
          case 2: case 5:
            address = this.le16(offset);
            b.add(prefix === 2 ? 'dnp3.al.index' : 'dnp3.al.size', `${prefix === 2 ? 'Index' : 'Size'} (16 bit): ${address}`, address, offset, 2);
            prefixBytes = 2;
            break;
          case 3: case 6:
            address = this.le32(offset);
            b.add(prefix === 3 ? 'dnp3.al.index' : 'dnp3.al.size', `${prefix === 3 ? 'Index' : 'Size'} (32 bit): ${address}`, address, offset, 4);
            prefixBytes = 4;
            break;
        }
        if (EMPTY_OBJECTS.has(obj)) {
          bogus();
          b.into((rangeItem.children ??= []), () => malformedExpert(b, 'dnp3.num_items_invalid', 'Number of items is invalid for normally empty object. Potentially malicious packet', rangeItem.offset, rangeItem.length));
          items = 0;
        }
        pointLabel += ` ${address >>> 0}`;
        pointLength = prefixBytes;
        dataPos += prefixBytes;
        if (!headerOnly || (prefix >= 4 && prefix <= 6)) {
          const r = this.value(obj, octLen, prefix, prefixBytes, address, offset, dataPos, item, items, bitIndex, (t) => (pointLabel += t), appendObject);
          offset = r.offset;
          bitIndex = r.bitIndex;
          pointLength = r.pointLength;
        } else offset = dataPos;
      });
      point.label = b.tree ? pointLabel : '';
      point.length = pointLength;
      if (this.afterPoint.length > 0) for (const add of this.afterPoint.splice(0)) add();
      address = (address + 1) >>> 0;
    }
    this.objectText = objectText;
    return offset;
  }

  /** The value part of one point: the switch of dnp3_al_process_object on the object's type. */
  private value(
    obj: number, octLen: number, prefix: number, prefixBytes: number, address: number, offset: number, dataPos: number,
    item: number, items: number, bitIndex: number, appendPoint: (t: string) => void, appendObject: (t: string) => void,
  ): { offset: number; bitIndex: number; pointLength: number } {
    const b = this.b;
    const start = offset;
    const group = obj >> 8;
    const done = (at: number): { offset: number; bitIndex: number; pointLength: number } => ({ offset: at, bitIndex, pointLength: at - start });
    if (group === 0) {
      const dataType = this.u8(dataPos);
      b.add('dnp3.al.datatype', () => `Data Type: ${named(DATA_TYPES, dataType)} (${hex(dataType, 2)})`, dataType, dataPos, 1, hex(dataType, 2));
      dataPos++;
      if (DATA_TYPES.has(dataType) && dataType >= 1 && dataType <= 4) {
        const daLen = this.u8(dataPos);
        b.add('dnp3.al.da.length', `Device Attribute Length: ${daLen}`, daLen, dataPos, 1);
        dataPos++;
        if (dataType === 1) {
          b.need(dataPos, daLen, 'device attribute');
          const text = this.data.toString('latin1', dataPos, dataPos + daLen).replace(/\0.*$/s, '');
          b.add('dnp3.al.da.value', `Value: ${text}`, text, dataPos, daLen);
          appendObject(`, Value: ${text}`);
          dataPos += daLen;
        } else if (dataType === 2 || dataType === 3) {
          const signed = dataType === 3;
          const kind = signed ? 'int' : 'uint';
          const what = signed ? 'Integer' : 'Unsigned Integer';
          const width = daLen === 1 || daLen === 2 || daLen === 4 ? daLen : 0;
          if (width > 0) {
            const raw = width === 1 ? this.u8(dataPos) : width === 2 ? this.le16(dataPos) : this.le32(dataPos);
            const v = signed ? (width === 1 ? (raw << 24) >> 24 : width === 2 ? (raw << 16) >> 16 : raw | 0) : raw;
            const shown = signed && width === 1 ? raw : v;
            b.add(`dnp3.al.da.${kind}${width * 8}`, `Device Attribute ${width * 8}-Bit ${what} Value: ${v}`, v, dataPos, width);
            appendObject(`, Value: ${shown}`);
            dataPos += width;
          }
        } else if (daLen === 4 || daLen === 8) {
          this.b.need(dataPos, daLen, 'device attribute');
          const v = daLen === 4 ? this.data.readFloatLE(dataPos) : this.data.readDoubleLE(dataPos);
          b.add(daLen === 4 ? 'dnp3.al.da.float' : 'dnp3.al.da.double', `Device Attribute ${daLen === 4 ? 'Float' : 'Double'} Value: ${daLen === 4 ? floatText(v) : doubleText(v)}`, v, dataPos, daLen, daLen === 4 ? floatText(v) : doubleText(v));
          appendObject(`, Value: ${gText(v)}`);
          dataPos += daLen;
        }
      }
      return done(dataPos);
    }
    // Packed bits first: lists of thousands of them are common, and need none of the helpers below.
    switch (obj) {
      case 0x0101: case 0x0a01: case 0x0c03: case 0x5001: {
        const byte = this.u8(dataPos);
        let bit = (byte & 1) !== 0;
        if (obj === 0x5001) {
          const iinBit = address < 8 ? (0x100 << address) & 0xffff : (1 << (address - 8)) & 0xffff;
          appendPoint(` (${IIN_NAMES.get(iinBit) ?? 'Invalid IIN bit'}), Value: ${bit ? 1 : 0}`);
        } else {
          if (prefix !== 0) bitIndex = 7;
          else bit = (byte & (1 << bitIndex)) !== 0;
          appendPoint(`, Value: ${bit ? 1 : 0}`);
        }
        b.add('dnp3.al.bit', `${bitPicture(bit ? 1 : 0, 1, 8)} = Value (bit): ${bit ? 'On' : 'Off'}`, bit, dataPos, 1);
        bitIndex++;
        const len = prefixBytes + 1;
        if (bitIndex > 7 || item === items - 1) {
          bitIndex = 0;
          offset += prefixBytes + 1;
        }
        return { offset, bitIndex, pointLength: len };
      }
      case 0x0301: {
        if (bitIndex > 3) {
          bitIndex = 0;
          offset += prefixBytes + 1;
        }
        const byte = this.u8(offset);
        const two = (byte >> (bitIndex << 1)) & 3;
        appendPoint(`, Value: ${two}`);
        b.add('dnp3.al.2bit', `Value (two bit): ${two}`, two, offset, 1);
        if (item === items - 1) offset += prefixBytes + 1;
        bitIndex++;
        return { offset, bitIndex, pointLength: prefixBytes + 1 };
      }
    }
    const flags = (kind: Quality): number => {
      const f = this.u8(dataPos);
      this.quality(dataPos, f, kind, appendPoint);
      dataPos += 1;
      return f;
    };
    const time = (abbrev = 'dnp3.al.timestamp'): string => {
      const t = this.timestamp(dataPos);
      b.add(abbrev, `Timestamp: ${t.text}`, t.text, dataPos, 6);
      dataPos += 6;
      // abs_time_to_str(..., FALSE) in the point's text: without the zone.
      return t.text.slice(0, -4);
    };
    const num = (abbrev: string, label: string, kind: 'i16' | 'i32' | 'u16' | 'u32' | 'f32' | 'f64', appendLabel: string): void => {
      const size = kind === 'i16' || kind === 'u16' ? 2 : kind === 'f64' ? 8 : 4;
      b.need(dataPos, size, 'DNP 3.0 point value');
      const d = this.data;
      const v = kind === 'i16' ? d.readInt16LE(dataPos) : kind === 'i32' ? d.readInt32LE(dataPos) : kind === 'u16' ? d.readUInt16LE(dataPos) : kind === 'u32' ? d.readUInt32LE(dataPos) : kind === 'f32' ? d.readFloatLE(dataPos) : d.readDoubleLE(dataPos);
      const text = kind === 'f32' ? floatText(v) : kind === 'f64' ? doubleText(v) : String(v);
      b.add(abbrev, `${label}: ${text}`, v, dataPos, size, text);
      appendPoint(`, ${appendLabel}: ${kind === 'f32' || kind === 'f64' ? gText(kind === 'f32' ? Math.fround(v) : v) : v}`);
      dataPos += size;
    };
    switch (obj) {
      case 0x0100: case 0x0200: case 0x0b00: case 0x0300: case 0x0400: case 0x1400: case 0x1600: case 0x1e00: case 0x2000: case 0x2200: case 0x2a00:
      case 0x3c01: case 0x3c02: case 0x3c03: case 0x3c04:
        return done(dataPos);
      case 0x0102: case 0x0201: case 0x0a02: case 0x0b01: {
        const f = flags(obj === 0x0a02 || obj === 0x0b01 ? 'boq' : 'biq');
        appendPoint(`, Value: ${f & 0x80 ? 1 : 0}`);
        return done(dataPos);
      }
      case 0x0302: case 0x0401: {
        const f = flags('biq');
        appendPoint(`, Value: ${(f >> 6) & 3}`);
        return done(dataPos);
      }
      case 0x0202: case 0x0b02: {
        const f = flags(obj === 0x0b02 ? 'boq' : 'biq');
        const t = time();
        appendPoint(`, Value: ${f >> 7}, Timestamp: ${t}`);
        return done(dataPos);
      }
      case 0x0402: {
        const f = flags('biq');
        const t = time();
        appendPoint(`, Value: ${(f >> 6) & 3}, Timestamp: ${t}`);
        return done(dataPos);
      }
      case 0x0203: {
        const f = flags('biq');
        const rel = this.le16(dataPos);
        const abs = this.cto + rel;
        b.add('dnp3.al.reltimestamp', `Relative Timestamp: ${relativeText(rel)} seconds`, rel / 1000, dataPos, 2, relativeText(rel));
        dataPos += 2;
        appendPoint(`, Value: ${f >> 7}, Timestamp: ${timeText(abs).slice(0, -4)}`);
        return done(dataPos);
      }
      case 0x0c01: case 0x0c02: {
        const tcc = this.u8(dataPos);
        appendPoint(` [${CONTROL_CODES.get(tcc & 0x0f) ?? 'Invalid Operation'}]`);
        appendPoint(` [${TRIP_CLOSE.get((tcc & 0xc0) >> 6) ?? 'Invalid Qualifier'}]`);
        const at = dataPos;
        b.group('', `Control Code [${hex(tcc, 2)}]`, null, at, 1, () => {
          b.add('dnp3.ctl.op', () => `${bitPicture(tcc, 0x0f, 8)} = Operation Type: ${named(CONTROL_CODES, tcc & 0x0f)} (${tcc & 0x0f})`, tcc & 0x0f, at, 1);
          b.add('dnp3.ctl.clr', () => `${bitPicture(tcc, 0x30, 8)} = Queue / Clear Field: ${named(CONTROL_MISC, (tcc & 0x30) >> 4)} (${(tcc & 0x30) >> 4})`, (tcc & 0x30) >> 4, at, 1);
          b.add('dnp3.ctl.trip', () => `${bitPicture(tcc, 0xc0, 8)} = Trip Control Code: ${named(TRIP_CLOSE, (tcc & 0xc0) >> 6)} (${(tcc & 0xc0) >> 6})`, (tcc & 0xc0) >> 6, at, 1);
        });
        dataPos += 1;
        const count = this.u8(dataPos);
        b.add('dnp3.al.count', `Count: ${count}`, count, dataPos, 1);
        dataPos += 1;
        const on = this.le32(dataPos);
        b.add('dnp3.al.on_time', `On Time: ${on}`, on, dataPos, 4);
        dataPos += 4;
        const off = this.le32(dataPos);
        b.add('dnp3.al.off_time', `Off Time: ${off}`, off, dataPos, 4);
        dataPos += 4;
        this.status(dataPos);
        dataPos += 1;
        return done(dataPos);
      }
      case 0x0d01: case 0x0d02: case 0x2b01: case 0x2b02: case 0x2b03: case 0x2b04: case 0x2b05: case 0x2b06: case 0x2b07: case 0x2b08: {
        const st = this.u8(dataPos) & 0x7f;
        appendPoint(` [Status: ${CONTROL_STATUS.get(st) ?? `Invalid Status (${hex(st, 2)})`} (${hex(st, 2)})]`);
        this.status(dataPos);
        switch (obj) {
          case 0x0d01: case 0x0d02: {
            const v = this.u8(dataPos);
            b.add('dnp3.al.bocs', `${bitPicture(v, 0x80, 8)} = Commanded State: ${v & 0x80 ? 'On' : 'Off'}`, (v & 0x80) !== 0, dataPos, 1);
            dataPos += 1;
            break;
          }
          case 0x2b01: case 0x2b03: {
            // packet-dnp.c steps past the status but not past the 32-bit value.
            dataPos += 1;
            this.b.need(dataPos, 4, 'DNP 3.0 point value');
            const v = this.data.readInt32LE(dataPos);
            b.add('dnp3.al.anaout.int', `Output Value (32 bit): ${v}`, v, dataPos, 4);
            appendPoint(`, Value: ${v}`);
            break;
          }
          case 0x2b02: case 0x2b04:
            dataPos += 1;
            num('dnp3.al.anaout.int', 'Output Value (16 bit)', 'i16', 'Value');
            break;
          case 0x2b05: case 0x2b07:
            dataPos += 1;
            num('dnp3.al.anaout.float', 'Output Value (float)', 'f32', 'Value');
            break;
          default:
            dataPos += 1;
            num('dnp3.al.anaout.double', 'Output (double)', 'f64', 'Value');
        }
        if (obj === 0x0d02 || obj === 0x2b03 || obj === 0x2b04 || obj === 0x2b07 || obj === 0x2b08) appendPoint(`, Timestamp: ${time()}`);
        return done(dataPos);
      }
      case 0x2901: case 0x2902: case 0x2903: case 0x2904: {
        if (obj === 0x2901) num('dnp3.al.anaout.int', 'Output Value (32 bit)', 'i32', 'Value');
        else if (obj === 0x2902) num('dnp3.al.anaout.int', 'Output Value (16 bit)', 'i16', 'Value');
        else if (obj === 0x2903) num('dnp3.al.anaout.float', 'Output Value (float)', 'f32', 'Value');
        else num('dnp3.al.anaout.double', 'Output (double)', 'f64', 'Value');
        const st = this.u8(dataPos) & 0x7f;
        appendPoint(` [Status: ${CONTROL_STATUS.get(st) ?? `Invalid Status (${hex(st, 2)})`} (${hex(st, 2)})]`);
        this.status(dataPos);
        dataPos += 1;
        return done(dataPos);
      }
      case 0x3201: case 0x3203: case 0x3301: {
        const t = this.timestamp(dataPos);
        // Added to the object's tree, after the point.
        this.afterPoint.push(() => b.add('dnp3.al.timestamp', `Timestamp: ${t.text}`, t.text, dataPos - 6, 6));
        dataPos += 6;
        if (obj === 0x3301) this.cto = t.ms;
        return done(dataPos);
      }
      case 0x3402: {
        const v = this.le16(dataPos);
        const at = dataPos;
        this.afterPoint.push(() => b.add('dnp3.al.time_delay', `Time Delay: ${v}ms`, v, at, 2));
        dataPos += 2;
        return done(dataPos);
      }
      case 0x4603: return done(this.fileCommand(dataPos, offset));
      case 0x4604: case 0x4605: case 0x4606: {
        const handle = this.le32(dataPos);
        b.add('dnp3.al.file.handle', `File Handle: ${hex(handle, 8)}`, handle, dataPos, 4, hex(handle, 8));
        dataPos += 4;
        if (obj === 0x4604) {
          const size = this.le32(dataPos);
          b.add('dnp3.al.file.size', `File Size: ${hex(size, 8)}`, size, dataPos, 4, hex(size, 8));
          dataPos += 4;
          const max = this.le16(dataPos);
          b.add('dnp3.al.file.maxblock', `File Max Block Size: ${max}`, max, dataPos, 2);
          dataPos += 2;
          const req = this.le16(dataPos);
          b.add('dnp3.al.file.reqID', `File Request Identifier: ${req}`, req, dataPos, 2);
          dataPos += 2;
        } else {
          const block = this.le32(dataPos);
          b.add('dnp3.al.file.blocknum', () => `${bitPicture(block, 0x7fffffff, 32)} = File Block Number: ${hex(block & 0x7fffffff, 8)}`, block & 0x7fffffff, dataPos, 4, hex(block & 0x7fffffff, 8));
          b.add('dnp3.al.file.lastblock', () => `${bitPicture(block, 0x80000000, 32)} = File Last Block: ${setText(block >= 0x80000000)}`, block >= 0x80000000, dataPos, 4);
          dataPos += 4;
        }
        if (obj !== 0x4605) {
          const st = this.u8(dataPos);
          b.add('dnp3.al.file.status', () => `File Control Status: ${named(FILE_STATUS, st)} (${st})`, st, dataPos, 1);
          dataPos += 1;
        }
        const size = (address | 0) - (dataPos - offset - prefixBytes);
        if (size > 0) {
          b.need(dataPos, size, 'file data');
          const bytes = this.data.subarray(dataPos, dataPos + size);
          b.add('dnp3.al.file.data', () => `File Data: ${bytesLabel(bytes)}`, bytes, dataPos, size, () => bytes.toString('hex'));
          dataPos += size;
        }
        return done(dataPos);
      }
      case 0x6e00: case 0x6f00: {
        if (octLen > 0) {
          b.need(dataPos, octLen, 'octet string');
          const bytes = this.data.subarray(dataPos, dataPos + octLen);
          const at = dataPos;
          this.afterPoint.push(() => b.add('dnp3.al.octet_string', () => `Octet String: ${bytesLabel(bytes)}`, bytes, at, octLen, () => bytes.toString('hex')));
          dataPos += octLen;
          return done(dataPos);
        }
        return { offset: dataPos, bitIndex, pointLength: prefixBytes };
      }
    }
    const counter = COUNTERS.get(obj);
    if (counter !== undefined) {
      if (counter.flags) flags('ctrq');
      if (counter.bits === 32) num('dnp3.al.cnt', 'Counter (32 bit)', 'u32', 'Count');
      else num('dnp3.al.cnt', 'Counter (16 bit)', 'u16', 'Count');
      if (counter.time) appendPoint(`, Timestamp: ${time()}`);
      return done(dataPos);
    }
    const analog = ANALOGS.get(obj);
    if (analog !== undefined) {
      if (analog.flags) flags(analog.output ? 'aoq' : 'aiq');
      const base = analog.output ? 'dnp3.al.anaout' : 'dnp3.al.ana';
      const prefixText = analog.output ? 'Output Value' : 'Value';
      if (analog.kind === 'i32') num(`${base}.int`, `${prefixText} (32 bit)`, 'i32', 'Value');
      else if (analog.kind === 'i16') num(`${base}.int`, `${prefixText} (16 bit)`, 'i16', 'Value');
      else if (analog.kind === 'f32') num(`${base}.float`, `${prefixText} (float)`, 'f32', 'Value');
      else num(`${base}.double`, analog.output ? 'Output (double)' : 'Value (double)', 'f64', 'Value');
      if (analog.time) appendPoint(`, Timestamp: ${time()}`);
      return done(dataPos);
    }
    // An object packet-dnp.c does not decode: the rest of the message, and the end of its dissection.
    this.afterPoint.push(() => {
      b.need(start, 1, 'DNP 3.0 object data');
      const bytes = this.data.subarray(start, this.n);
      b.add('dnp3.al.unknown_data_chunk', () => `Unknown Data Chunk: ${bytesLabel(bytes)}`, bytes, start, this.n - start, () => bytes.toString('hex'));
    });
    return { offset: this.n, bitIndex, pointLength: prefixBytes };
  }


  private status(at: number): void {
    const st = this.u8(at) & 0x7f;
    this.b.add('dnp3.al.ctrlstatus', () => `${bitPicture(st, 0x7f, 8)} = Control Status: ${CONTROL_STATUS.get(st) ?? 'Unknown'} (${st})`, st, at, 1);
  }

  private fileCommand(dataPos: number, offset: number): number {
    const b = this.b;
    const stringOffset = this.le16(dataPos);
    b.add('dnp3.al.file_string_offset', `File String Offset: ${stringOffset}`, stringOffset, dataPos, 2);
    dataPos += 2;
    const nameLength = this.le16(dataPos);
    b.add('dnp3.al.file_string_length', `File String Length: ${nameLength}`, nameLength, dataPos, 2);
    dataPos += 2;
    const mode = this.le16(dataPos + 16);
    if (mode === 2) {
      const t = this.timestamp(dataPos);
      b.add('dnp3.al.timestamp', `Timestamp: ${t.text}`, t.text, dataPos, 6);
    }
    dataPos += 6;
    if (mode === 2) {
      const perms = this.le16(offset);
      b.group('dnp3.al.file.perms', `Permissions: 0${perms.toString(8)}`, perms, offset, 2, () => {
        const names: [string, string, number][] = [
          ['read_owner', 'Read permission for owner', 0o400], ['write_owner', 'Write permission for owner', 0o200], ['exec_owner', 'Execute permission for owner', 0o100],
          ['read_group', 'Read permission for group', 0o40], ['write_group', 'Write permission for group', 0o20], ['exec_group', 'Execute permission for group', 0o10],
          ['read_world', 'Read permission for world', 0o4], ['write_world', 'Write permission for world', 0o2], ['exec_world', 'Execute permission for world', 0o1],
        ];
        for (const [name, label, mask] of names) b.add(`dnp3.al.file.perms.${name}`, () => `${bitPicture(perms, mask, 16)} = ${label}: ${perms & mask ? 'Yes' : 'No'}`, (perms & mask) !== 0, offset, 2);
      }, `0${perms.toString(8)}`);
    }
    dataPos += 2;
    const auth = this.le32(dataPos);
    b.add('dnp3.al.file.auth', `File Authentication Key: ${hex(auth, 8)}`, auth, dataPos, 4, hex(auth, 8));
    dataPos += 4;
    if (mode === 2 || mode === 3) {
      const size = this.le32(dataPos);
      b.add('dnp3.al.file.size', `File Size: ${hex(size, 8)}`, size, dataPos, 4, hex(size, 8));
    }
    dataPos += 4;
    b.add('dnp3.al.file.mode', () => `File Control Mode: ${named(FILE_MODES, mode)} (${mode})`, mode, dataPos, 2);
    dataPos += 2;
    const max = this.le16(dataPos);
    b.add('dnp3.al.file.maxblock', `File Max Block Size: ${max}`, max, dataPos, 2);
    dataPos += 2;
    const req = this.le16(dataPos);
    b.add('dnp3.al.file.reqID', `File Request Identifier: ${req}`, req, dataPos, 2);
    dataPos += 2;
    if (nameLength > 0) {
      b.need(dataPos, nameLength, 'file name');
      const name = this.data.toString('latin1', dataPos, dataPos + nameLength).replace(/\0.*$/s, '');
      b.add('dnp3.al.file_name', `File Name: ${name}`, name, dataPos, nameLength);
    }
    return dataPos + nameLength;
  }

  private quality(at: number, f: number, kind: Quality, appendPoint: (t: string) => void): void {
    const b = this.b;
    let text = f & 1 ? 'Online' : 'Offline';
    if (f & 0x02) text += ', Restart';
    if (f & 0x04) text += ', Comm Fail';
    if (f & 0x08) text += ', Remote Force';
    if (f & 0x10) text += ', Local Force';
    if (kind === 'biq' && f & 0x20) text += ', Chatter Filter';
    if (kind === 'aiq') {
      if (f & 0x20) text += ', Over-Range';
      if (f & 0x40) text += ', Reference Check';
    }
    if (kind === 'ctrq') {
      if (f & 0x20) text += ', Roll-over';
      if (f & 0x40) text += ', Discontinuity';
    }
    appendPoint(` (Quality: ${text})`);
    const names = QUALITY_NAMES[kind];
    b.group('', `Quality: ${text}`, null, at, 1, () => {
      for (let bit = 7; bit >= 0; bit--) b.add(`dnp3.al.${kind}.b${bit}`, () => `${bitPicture(f, 1 << bit, 8)} = ${names[bit]}: ${setText((f & (1 << bit)) !== 0)}`, (f & (1 << bit)) !== 0, at, 1);
    });
  }
}

type Quality = 'biq' | 'boq' | 'ctrq' | 'aiq' | 'aoq';
const QUALITY_NAMES: Record<Quality, readonly string[]> = {
  biq: ['Online', 'Restart', 'Comm Fail', 'Remote Force', 'Local Force', 'Chatter Filter', 'Reserved', 'Point Value'],
  boq: ['Online', 'Restart', 'Comm Fail', 'Remote Force', 'Local Force', 'Reserved', 'Reserved', 'Point Value'],
  ctrq: ['Online', 'Restart', 'Comm Fail', 'Remote Force', 'Local Force', 'Roll-Over', 'Discontinuity', 'Reserved'],
  aiq: ['Online', 'Restart', 'Comm Fail', 'Remote Force', 'Local Force', 'Over-Range', 'Reference Check', 'Reserved'],
  aoq: ['Online', 'Restart', 'Comm Fail', 'Remote Force', 'Local Force', 'Reserved', 'Reserved', 'Reserved'],
};

/** Counter objects (groups 20-23): flags, width, time of freeze or event. */
const COUNTERS: ReadonlyMap<number, { flags: boolean; bits: 16 | 32; time: boolean }> = (() => {
  const m = new Map<number, { flags: boolean; bits: 16 | 32; time: boolean }>();
  for (let v = 1; v <= 8; v++) m.set(0x1400 + v, { flags: v <= 4, bits: v % 2 === 1 ? 32 : 16, time: false });
  for (let v = 1; v <= 12; v++) m.set(0x1500 + v, { flags: v <= 8, bits: v % 2 === 1 ? 32 : 16, time: v >= 5 && v <= 8 });
  for (let v = 1; v <= 8; v++) m.set(0x1600 + v, { flags: true, bits: v % 2 === 1 ? 32 : 16, time: v >= 5 });
  for (let v = 1; v <= 8; v++) m.set(0x1700 + v, { flags: true, bits: v % 2 === 1 ? 32 : 16, time: v >= 5 });
  return m;
})();

/** Analog input and output objects: flags, value kind, time. */
const ANALOGS: ReadonlyMap<number, { flags: boolean; kind: 'i16' | 'i32' | 'f32' | 'f64'; time: boolean; output: boolean }> = new Map([
  [0x1e01, { flags: true, kind: 'i32', time: false, output: false }], [0x1e02, { flags: true, kind: 'i16', time: false, output: false }],
  [0x1e03, { flags: false, kind: 'i32', time: false, output: false }], [0x1e04, { flags: false, kind: 'i16', time: false, output: false }],
  [0x1e05, { flags: true, kind: 'f32', time: false, output: false }], [0x1e06, { flags: true, kind: 'f64', time: false, output: false }],
  [0x1f07, { flags: true, kind: 'f32', time: false, output: false }], [0x1f08, { flags: true, kind: 'f64', time: false, output: false }],
  [0x2001, { flags: true, kind: 'i32', time: false, output: false }], [0x2002, { flags: true, kind: 'i16', time: false, output: false }],
  [0x2003, { flags: true, kind: 'i32', time: true, output: false }], [0x2004, { flags: true, kind: 'i16', time: true, output: false }],
  [0x2005, { flags: true, kind: 'f32', time: false, output: false }], [0x2006, { flags: true, kind: 'f64', time: false, output: false }],
  [0x2007, { flags: true, kind: 'f32', time: true, output: false }], [0x2008, { flags: true, kind: 'f64', time: true, output: false }],
  [0x2105, { flags: true, kind: 'f32', time: false, output: false }], [0x2106, { flags: true, kind: 'f64', time: false, output: false }],
  [0x2107, { flags: true, kind: 'f32', time: true, output: false }], [0x2108, { flags: true, kind: 'f64', time: true, output: false }],
  [0x2201, { flags: false, kind: 'i16', time: false, output: false }], [0x2202, { flags: false, kind: 'i32', time: false, output: false }],
  [0x2203, { flags: false, kind: 'f32', time: false, output: false }],
  [0x2801, { flags: true, kind: 'i32', time: false, output: true }], [0x2802, { flags: true, kind: 'i16', time: false, output: true }],
  [0x2803, { flags: true, kind: 'f32', time: false, output: true }], [0x2804, { flags: true, kind: 'f64', time: false, output: true }],
  [0x2a01, { flags: true, kind: 'i32', time: false, output: true }], [0x2a02, { flags: true, kind: 'i16', time: false, output: true }],
  [0x2a03, { flags: true, kind: 'i32', time: true, output: true }], [0x2a04, { flags: true, kind: 'i16', time: true, output: true }],
  [0x2a05, { flags: true, kind: 'f32', time: false, output: true }], [0x2a06, { flags: true, kind: 'f64', time: false, output: true }],
  [0x2a07, { flags: true, kind: 'f32', time: true, output: true }], [0x2a08, { flags: true, kind: 'f64', time: true, output: true }],
]);

/** An expert of the Malformed group: expert.c adds a hidden _ws.malformed item with it. */
function malformedExpert(b: LayerBuilder, abbrev: string, message: string, at: number, length: number): void {
  addExpert(b, abbrev, 'Error', 'Malformed', message, at, length);
  b.add('_ws.malformed', 'Malformed Packet', 'Malformed Packet', at, 0, '_ws.malformed').hidden = true;
}

/** An FT_BYTES label: the first 36 bytes in hex, then an ellipsis. */
function bytesLabel(bytes: Buffer): string {
  return bytes.length > 36 ? `${bytes.toString('hex', 0, 36)}…` : bytes.toString('hex');
}

/** A DNP3 48-bit time (ms since 1970) as tshark prints an absolute time in UTC. */
function timeText(ms: number): string {
  return absoluteTimeText(BigInt(Math.floor(ms / 1000)), (ms % 1000) * 1_000_000);
}

function relativeText(ms: number): string {
  return `${Math.floor(ms / 1000)}.${String((ms % 1000) * 1_000_000).padStart(9, '0')}`;
}
