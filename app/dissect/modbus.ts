/**
 * Modbus/TCP (TCP 502) as tshark 4.0 shows it segment by segment (tcp.desegment_tcp_streams:FALSE):
 * each PDU of a segment as an `mbtcp` header (mbtcp.trans_id, prot_id, len, unit_id) and a `modbus`
 * layer (modbus.func_code, the request and response fields of the common function codes, an
 * exception's code). A response's registers and coils are numbered from its request's reference
 * number, as Wireshark pairs them by transaction. A PDU that runs past the segment or its own length
 * is dissected as far as its bytes go and its Info gets "[BoundErrorUnreassembled Packet]".
 * Left out: the file record groups, the event log, Report Slave ID's data and modbus.response_time.
 */
import { conversationKey } from './dissector';
import { dissectSafely, hex, LayerBuilder } from './builder';
import { dataLayer } from './hsrp';
import type { AppContext, AppDissector, AppResult, Layer } from './model';

export const MODBUS_TCP_PORT = 502;

const FUNCTIONS: Record<number, string> = {
  1: 'Read Coils', 2: 'Read Discrete Inputs', 3: 'Read Holding Registers', 4: 'Read Input Registers', 5: 'Write Single Coil',
  6: 'Write Single Register', 7: 'Read Exception Status', 8: 'Diagnostics', 11: 'Get Comm. Event Counters', 12: 'Get Comm. Event Log',
  15: 'Write Multiple Coils', 16: 'Write Multiple Registers', 17: 'Report Slave ID', 20: 'Read File Record', 21: 'Write File Record',
  22: 'Mask Write Register', 23: 'Read Write Register', 24: 'Read FIFO Queue', 43: 'Encapsulated Interface Transport', 90: 'Unity (Schneider)',
};
const EXCEPTIONS: Record<number, string> = {
  1: 'Illegal function', 2: 'Illegal data address', 3: 'Illegal data value', 4: 'Slave device failure', 5: 'Acknowledge',
  6: 'Slave device busy', 8: 'Memory parity error', 10: 'Gateway path unavailable', 11: 'Gateway target device failed to respond',
};
const DIAGNOSTICS: Record<number, string> = {
  0: 'Return Query Data', 1: 'Restart Communications Option', 2: 'Return Diagnostic Register', 3: 'Change ASCII Input Delimiter',
  4: 'Force Listen Only Mode', 10: 'Clear Counters and Diagnostic Register', 11: 'Return Bus Message Count',
  12: 'Return Bus Communication Error Count', 13: 'Return Bus Exception Error Count', 14: 'Return Slave Message Count',
  15: 'Return Slave No Response Count', 16: 'Return Slave NAK Count', 17: 'Return Slave Busy Count', 18: 'Return Bus Character Overrun Count',
  20: 'Clear Overrun Counter and Flag',
};
const MEI_TYPES: Record<number, string> = { 13: 'CANopen Request/Response ', 14: 'Read Device Identification' };
const READ_DEVICE_IDS: Record<number, string> = {
  1: 'Basic Device Identification', 2: 'Regular Device Identification', 3: 'Extended Device Identification', 4: 'Specific Identification Object',
};
const OBJECT_IDS: Record<number, string> = {
  0: 'VendorName', 1: 'ProductCode', 2: 'MajorMinorRevision', 3: 'VendorURL', 4: 'ProductName', 5: 'ModelName', 6: 'UserApplicationName',
};
const CONFORMITY: Record<number, string> = {
  0x01: 'Basic Device Identification (stream)', 0x02: 'Regular Device Identification (stream)', 0x03: 'Extended Device Identification (stream)',
  0x81: 'Basic Device Identification (stream and individual)', 0x82: 'Regular Device Identification (stream and individual)',
  0x83: 'Extended Device Identification (stream and individual)',
};
export const BOUND_ERROR = '[BoundErrorUnreassembled Packet]';

/** What a response needs from its request: where its registers or coils start and how many. */
interface Request {
  frame: number;
  functionCode: number;
  base: number;
  count: number;
}

type Direction = 'query' | 'response' | 'unknown';

/** Wireshark declines a payload that is too short or whose protocol identifier or length is wrong. */
export function looksLikeModbusTcp(data: Buffer, offset: number, end: number): boolean {
  const stop = Math.min(end, data.length);
  return stop - offset >= 8 && data.readUInt16BE(offset + 2) === 0 && data.readUInt16BE(offset + 4) >= 2;
}

export function createModbusDissector(): AppDissector {
  /** Requests by conversation and transaction identifier. */
  const requests = new Map<string, Request>();
  return {
    protocol: 'mbtcp',
    fieldPrefixes: ['modbus'],
    tcpPorts: [MODBUS_TCP_PORT],
    stateful: true,
    claims: (data, offset, end) => looksLikeModbusTcp(data, offset, end),
    dissect: (data, offset, end, ctx) => {
      const stop = Math.min(end, data.length);
      if (!looksLikeModbusTcp(data, offset, end)) {
        return { layers: stop > offset ? [dataLayer(data, offset, stop, ctx.fields)] : [], protocolColumn: '', info: '' };
      }
      return dissectModbusTcp(requests, data, offset, end, ctx);
    },
  };
}

const pad = (text: string | number, width: number): string => String(text).padStart(width, ' ');

function dissectModbusTcp(requests: Map<string, Request>, data: Buffer, offset: number, end: number, ctx: AppContext): AppResult {
  const stop = Math.min(end, data.length);
  const direction: Direction =
    ctx.srcPort === MODBUS_TCP_PORT && ctx.dstPort !== MODBUS_TCP_PORT ? 'response'
      : ctx.dstPort === MODBUS_TCP_PORT && ctx.srcPort !== MODBUS_TCP_PORT ? 'query' : 'unknown';
  const conversation = conversationKey(ctx.src, ctx.srcPort, ctx.dst, ctx.dstPort);
  const layers: Layer[] = [];
  const chain: string[] = [];
  let info = '';
  for (let at = offset; at < stop; ) {
    // Like tcp_dissect_pdus: each PDU's length comes from its header; a header cut short ends the segment.
    if (stop - at < 6) {
      info += BOUND_ERROR;
      break;
    }
    const pduEnd = at + 6 + data.readUInt16BE(at + 4);
    const result = dissectPdu(requests, conversation, direction, data, at, Math.min(pduEnd, end), ctx);
    layers.push(...result.layers);
    chain.push(layers.length === result.layers.length ? 'mbtcp' : '', ...result.layers.slice(1).map((l) => l.protocol));
    info = result.info;
    at = pduEnd;
  }
  return { layers, chain, protocolColumn: 'Modbus/TCP', info };
}

function dissectPdu(
  requests: Map<string, Request>, conversation: string, direction: Direction, data: Buffer, offset: number, end: number, ctx: AppContext,
): { layers: Layer[]; info: string } {
  const header = new LayerBuilder(data, 'mbtcp', 'Modbus/TCP', offset, end, ctx.fields);
  const layers: Layer[] = [header.layer];
  let info = '';
  let cut = false;
  dissectSafely(header, () => {
    const transId = header.u16(offset, 'transaction identifier');
    const length = header.u16(offset + 4, 'length');
    const declaredEnd = offset + 6 + length;
    const unit = header.u8(offset + 6, 'unit identifier');
    const raw = header.u8(offset + 7, 'function code');
    const functionCode = raw & 0x7f;
    const exception = raw & 0x80 ? header.u8(offset + 8, 'exception code') : 0;
    let name: string;
    let sub = '';
    if (functionCode === 43 && exception === 0) {
      name = MEI_TYPES[header.u8(offset + 8, 'MEI type')] ?? 'Encapsulated Interface Transport';
      sub = `/${pad(1, 3)}`;
    } else if (functionCode === 8 && exception === 0) {
      name = DIAGNOSTICS[header.u16(offset + 8, 'diagnostic code')] ?? 'Diagnostics';
      sub = `/${pad(1, 3)}`;
    } else {
      name = FUNCTIONS[functionCode] ?? `Unknown function (${functionCode})`;
    }
    const kind = direction === 'query' ? 'Query' : direction === 'response' ? 'Response' : 'Unknown';
    info = `${pad(kind, 8)}: Trans: ${pad(transId, 5)}; Unit: ${pad(unit, 3)}, Func: ${pad(functionCode, 3)}${sub}: ${name}${exception ? '. Exception returned ' : ''}`;
    header.add('mbtcp.trans_id', () => `Transaction Identifier: ${transId}`, transId, offset, 2);
    const protId = header.u16(offset + 2);
    header.add('mbtcp.prot_id', () => `Protocol Identifier: ${protId}`, protId, offset + 2, 2);
    header.add('mbtcp.len', () => `Length: ${length}`, length, offset + 4, 2);
    header.add('mbtcp.unit_id', () => `Unit Identifier: ${unit}`, unit, offset + 6, 1);
    header.setLength(Math.min(end, data.length) - offset);
    const modbus = new LayerBuilder(data, 'modbus', 'Modbus', offset + 7, end, ctx.fields);
    layers.push(modbus.layer);
    dissectSafely(modbus, () => {
      modbus.add('modbus.func_code', () => `.${bits7(functionCode)} = Function Code: ${FUNCTIONS[functionCode] ?? 'Unknown'} (${functionCode})`, functionCode, offset + 7, 1);
      if (exception) {
        modbus.title(() => `Function ${functionCode}:  ${name}.  Exception: ${EXCEPTIONS[exception] ?? `Unknown Exception Code (${exception})`}`);
        modbus.add('modbus.exception_code', () => `Exception Code: ${EXCEPTIONS[exception] ?? 'Unknown'} (${exception})`, exception, offset + 8, 1);
        return;
      }
      const key = `${conversation}|${transId}|${unit}|${functionCode}`;
      if (direction === 'query') {
        const request: Request = { frame: ctx.frameNumber, functionCode, base: 0, count: 0 };
        requests.set(key, request);
        requestFields(modbus, functionCode, offset + 8, declaredEnd, (base, count) => Object.assign(request, { base, count }));
      } else if (direction === 'response') {
        const request = requests.get(key);
        const known = request !== undefined && request.frame < ctx.frameNumber ? request : undefined;
        if (known) modbus.add('modbus.request_frame', () => `[Request Frame: ${known.frame}]`, known.frame, offset, 0);
        responseFields(modbus, functionCode, offset + 8, declaredEnd, known);
      }
    });
    if (modbus.layer.status !== 'ok') cut = true;
  });
  if (header.layer.status !== 'ok') cut = true;
  return { layers, info: cut ? info + BOUND_ERROR : info };
}

function bits7(value: number): string {
  const s = value.toString(2).padStart(7, '0');
  return `${s.slice(0, 3)} ${s.slice(3)}`;
}

function addData(b: LayerBuilder, at: number, length: number): void {
  const bytes = b.bytes(at, length, 'data');
  b.add('modbus.data', () => `Data: ${bytes.toString('hex')}`, bytes, at, length, () => bytes.toString('hex'));
}

/**
 * A block of `count` bytes that its fields decode (registers, coils) when it fills the rest of
 * the PDU as its length declares it, and that is shown as Data up to that end otherwise (which
 * may run past the segment: Wireshark then stops there).
 */
function block(b: LayerBuilder, at: number, count: number, end: number, decode?: (at: number, count: number) => void): void {
  const rest = end - at;
  if (count !== rest) addData(b, at, rest);
  else if (decode) decode(at, count);
  else addData(b, at, count);
}

function registers(b: LayerBuilder, at: number, length: number, base: number): void {
  b.need(at, length, 'register data');
  for (let k = 0; k + 2 <= length; k += 2) {
    const number = base + k / 2;
    const value = b.u16(at + k);
    b.group('', () => `Register ${number} (UINT16): ${value}`, null, at + k, 2, () => {
      b.add('modbus.regnum16', () => `Register Number: ${number}`, number, at + k, 2);
      b.add('modbus.regval_uint16', () => `Register Value (UINT16): ${value}`, value, at + k, 2);
    });
  }
}

function coils(b: LayerBuilder, at: number, length: number, base: number, count: number | undefined): void {
  b.need(at, length, 'coil data');
  let n = 0;
  for (let k = 0; k < length; k++) {
    const byte = b.data[at + k]!;
    for (let bit = 0; bit < 8; bit++, n++) {
      if (count !== undefined && n >= count) return;
      const number = base + n;
      const value = ((byte >> bit) & 1) === 1;
      b.group('', () => `Bit ${number} : ${value ? 1 : 0}`, null, at + k, 1, () => {
        b.add('modbus.bitnum', () => `[Bit Number: ${number}]`, number, at + k, 1);
        b.add('modbus.bitval', () => `.... ...${value ? 1 : 0} = Bit Value: ${value ? 'True' : 'False'}`, value, at + k, 1);
      });
    }
  }
}

function u16Field(b: LayerBuilder, abbrev: string, label: string, at: number): number {
  const value = b.u16(at, label);
  b.add(abbrev, () => `${label}: ${value}`, value, at, 2);
  return value;
}

function byteCount(b: LayerBuilder, at: number): number {
  const value = b.u8(at, 'byte count');
  b.add('modbus.byte_cnt', () => `Byte Count: ${value}`, value, at, 1);
  return value;
}

function requestFields(b: LayerBuilder, fc: number, at: number, end: number, remember: (base: number, count: number) => void): void {
  switch (fc) {
    case 1: case 2: {
      const base = u16Field(b, 'modbus.reference_num', 'Reference Number', at);
      remember(base, u16Field(b, 'modbus.bit_cnt', 'Bit Count', at + 2));
      break;
    }
    case 3: case 4: {
      const base = u16Field(b, 'modbus.reference_num', 'Reference Number', at);
      remember(base, u16Field(b, 'modbus.word_cnt', 'Word Count', at + 2));
      break;
    }
    case 5: case 6:
      singleWrite(b, fc, at, end);
      break;
    case 15: {
      u16Field(b, 'modbus.reference_num', 'Reference Number', at);
      u16Field(b, 'modbus.bit_cnt', 'Bit Count', at + 2);
      block(b, at + 5, byteCount(b, at + 4), end);
      break;
    }
    case 16: {
      const base = u16Field(b, 'modbus.reference_num', 'Reference Number', at);
      u16Field(b, 'modbus.word_cnt', 'Word Count', at + 2);
      block(b, at + 5, byteCount(b, at + 4), end, (p, n) => registers(b, p, n, base));
      break;
    }
    case 22:
      maskWrite(b, at);
      break;
    case 23: {
      const base = u16Field(b, 'modbus.read_reference_num', 'Read Reference Number', at);
      const count = u16Field(b, 'modbus.read_word_cnt', 'Read Word Count', at + 2);
      u16Field(b, 'modbus.write_reference_num', 'Write Reference Number', at + 4);
      u16Field(b, 'modbus.write_word_cnt', 'Write Word Count', at + 6);
      remember(base, count);
      block(b, at + 9, byteCount(b, at + 8), end);
      break;
    }
    case 24:
      u16Field(b, 'modbus.reference_num', 'Reference Number', at);
      break;
    case 8:
      diagnostics(b, at, end, false);
      break;
    case 43:
      if (meiType(b, at) === 14) {
        readDeviceId(b, at + 1);
        objectId(b, at + 2);
      } else if (end > at + 1) {
        addData(b, at, end - at);
      }
      break;
    case 7:
      break;
    case 20: case 21:
      byteCount(b, at);
      break;
    default:
      if (end > at) addData(b, at, end - at);
  }
}

function responseFields(b: LayerBuilder, fc: number, at: number, end: number, request: Request | undefined): void {
  switch (fc) {
    case 1: case 2:
      block(b, at + 1, byteCount(b, at), end, (p, n) => coils(b, p, n, request?.base ?? 0, request?.count));
      break;
    case 3: case 4:
      block(b, at + 1, byteCount(b, at), end, (p, n) => registers(b, p, n, request?.base ?? 0));
      break;
    case 5: case 6:
      singleWrite(b, fc, at, end);
      break;
    case 15:
      u16Field(b, 'modbus.reference_num', 'Reference Number', at);
      u16Field(b, 'modbus.bit_cnt', 'Bit Count', at + 2);
      break;
    case 16:
      u16Field(b, 'modbus.reference_num', 'Reference Number', at);
      u16Field(b, 'modbus.word_cnt', 'Word Count', at + 2);
      break;
    case 22:
      maskWrite(b, at);
      break;
    case 23:
      block(b, at + 1, byteCount(b, at), end);
      break;
    case 8:
      diagnostics(b, at, end, true);
      break;
    case 43:
      if (meiType(b, at) === 14) deviceIdResponse(b, at + 1);
      break;
    case 7: case 11: case 12: case 20: case 21: case 24:
      break;
    default:
      if (end > at) addData(b, at, end - at);
  }
}

function singleWrite(b: LayerBuilder, fc: number, at: number, end: number): void {
  u16Field(b, 'modbus.reference_num', 'Reference Number', at);
  block(b, at + 2, 2, end);
  if (fc === 5) {
    const padding = b.u8(at + 3, 'padding');
    b.add('modbus.padding', () => `Padding: ${hex(padding, 2)}`, padding, at + 3, 1, hex(padding, 2));
  }
}

function maskWrite(b: LayerBuilder, at: number): void {
  u16Field(b, 'modbus.reference_num', 'Reference Number', at);
  u16Field(b, 'modbus.and_mask', 'AND mask', at + 2);
  u16Field(b, 'modbus.or_mask', 'OR mask', at + 4);
}

function diagnostics(b: LayerBuilder, at: number, end: number, response: boolean): void {
  const code = b.u16(at, 'diagnostic code');
  b.add('modbus.diagnostic_code', () => `Diagnostic Code: ${DIAGNOSTICS[code] ?? 'Unknown'} (${code})`, code, at, 2);
  if (end - (at + 2) <= 0) return;
  if (code === 0) {
    const bytes = b.bytes(at + 2, end - at - 2, 'request data');
    const [abbrev, label] = response ? ['echo', 'Echo Data'] : ['request', 'Request Data'];
    b.add(`modbus.diagnostic.return_query_data.${abbrev}`, () => `${label}: ${bytes.toString('hex')}`, bytes, at + 2, bytes.length, () => bytes.toString('hex'));
  } else if (code === 1) {
    const option = b.u16(at + 2, 'restart communication option');
    const name = option === 0 ? 'Leave Log' : option === 0xff00 ? 'Clear Log' : 'Unknown';
    b.add('modbus.diagnostic.restart_communication_option', () => `Restart Communication Option: ${name} (${hex(option, 4)})`, option, at + 2, 2, hex(option, 4));
  } else if (code === 10 && response) {
    const echo = b.u16(at + 2, 'echo');
    b.add('modbus.diagnostic.clear_ctr_diag_reg', () => `Clear Counters & Diag Register Echo: ${echo}`, echo, at + 2, 2);
  } else {
    addData(b, at + 2, end - at - 2);
  }
}

function meiType(b: LayerBuilder, at: number): number {
  const mei = b.u8(at, 'MEI type');
  b.add('modbus.mei', () => `MEI type: ${MEI_TYPES[mei] ?? 'Unknown'} (${mei})`, mei, at, 1);
  return mei;
}

function readDeviceId(b: LayerBuilder, at: number): void {
  const id = b.u8(at, 'read device ID');
  b.add('modbus.read_device_id', () => `Read Device ID: ${READ_DEVICE_IDS[id] ?? 'Unknown'} (${id})`, id, at, 1);
}

function objectId(b: LayerBuilder, at: number): number {
  const id = b.u8(at, 'object ID');
  b.add('modbus.object_id', () => `Object ID: ${OBJECT_IDS[id] ?? 'Unknown'} (${id})`, id, at, 1);
  return id;
}

function deviceIdResponse(b: LayerBuilder, at: number): void {
  readDeviceId(b, at);
  const level = b.u8(at + 1, 'conformity level');
  b.add('modbus.conformity_level', () => `Conformity Level: ${CONFORMITY[level] ?? 'Unknown'} (0x${level.toString(16).padStart(2, '0')})`, level, at + 1, 1);
  const more = b.u8(at + 2, 'more follows');
  b.add('modbus.more_follows', () => `More Follows: 0x${more.toString(16).padStart(2, '0')}`, more, at + 2, 1);
  const next = b.u8(at + 3, 'next object ID');
  b.add('modbus.next_object_id', () => `Next Object ID: ${next}`, next, at + 3, 1);
  const count = b.u8(at + 4, 'number of objects');
  b.add('modbus.num_objects', () => `Number of Objects: ${count}`, count, at + 4, 1);
  let p = at + 5;
  b.group('', 'Objects', null, p, Math.max(0, b.end - p), () => {
    for (let k = 1; k <= count; k++) {
      const length = b.u8(p + 1, 'object length');
      b.group('', `Object #${k}`, null, p, 2 + length, () => {
        objectId(b, p);
        b.add('modbus.objects_len', () => `Object length: ${length}`, length, p + 1, 1);
        const text = b.bytes(p + 2, length, 'object value').toString('latin1');
        b.add('modbus.object_str_value', () => `Object String Value: ${text}`, text, p + 2, length);
      });
      p += 2 + length;
    }
  });
}
