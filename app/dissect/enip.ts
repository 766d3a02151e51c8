/**
 * EtherNet/IP (TCP and UDP 44818) and the CIP it carries, as tshark 4.0 shows them: the 24-byte
 * little-endian encapsulation header (enip.command, length, session, status, context, options),
 * the command-specific data of Register Session, List Identity, Send RR Data and Send Unit Data
 * with their Common Packet Format items (enip.cpf.*), then CIP (cip.service, the request path's
 * class/instance/attribute, cip.genstat) and the layer tshark adds for the class or service:
 * `cipcls` (CIP Class Generic) for services CIP itself does not decode, `cipcm` (Connection
 * Manager) for class 0x06. A Multiple Service Packet (service 0x0a to the Message Router) shows
 * each embedded service, each with its own cipcls layer when it is one CIP hands on. A response is
 * paired with its request (same conversation and session, and the same sender context for
 * unconnected messages or the same CIP sequence count for connected ones) to show the request's
 * path and name, as Wireshark does in its first pass.
 *
 * Over TCP the PDUs are 24 + length bytes (Wireshark's tcp_dissect_pdus); the Info of several
 * PDUs in one segment is joined with " | " (ENIP's column fence).
 *
 * Inside a Multiple Service Packet, an embedded service's CIP Class Generic tree is a group of its
 * service packet (as tshark nests it) and its `cipcls` layer is empty and untitled, so that
 * frame.protocols and filters see it while -V shows no second copy.
 *
 * CIP I/O on UDP 2222 is cipio.ts.
 *
 * Left out: the attribute decoding of known classes' responses (Identity's Get Attributes All ...;
 * their data is not shown), Forward Open/Close details, List Identity/List Services response items'
 * bodies, path segments other than logical, one-byte port and
 * ANSI extended symbol ones (the path stops there), and expert items other than the CPF length mismatch.
 */
import { conversationKey } from './dissector';
import { dissectSafely, hex, LayerBuilder } from './builder';
import { bitPicture, nsToSeconds } from './format';
import { lengthPrefixedPdus } from './tcp-pdus';
import type { AppContext, AppDissector, AppResult, Field, Layer } from './model';

export const ENIP_PORT = 44818;

const COMMANDS: Record<number, string> = {
  0x0000: 'NOP', 0x0004: 'List Services', 0x0063: 'List Identity', 0x0064: 'List Interfaces', 0x0065: 'Register Session',
  0x0066: 'Unregister Session', 0x006f: 'Send RR Data', 0x0070: 'Send Unit Data', 0x00c8: 'StartDTLS',
};
const STATUSES: Record<number, string> = {
  0x0000: 'Success', 0x0001: 'Invalid Command', 0x0002: 'No Memory Resources', 0x0003: 'Incorrect Data', 0x0064: 'Invalid Session Handle',
  0x0065: 'Invalid Length', 0x0069: 'Unsupported Protocol Revision', 0x006a: 'Encapsulated CIP service not allowed on this port',
};
const CPF_ITEMS: Record<number, string> = {
  0x0000: 'Null Address Item', 0x000c: 'CIP Identity', 0x0086: 'CIP Security Information', 0x0087: 'EtherNet/IP Capability',
  0x0088: 'EtherNet/IP Usage', 0x00a1: 'Connected Address Item', 0x00b1: 'Connected Data Item', 0x00b2: 'Unconnected Data Item',
  0x0100: 'List Services Response', 0x8000: 'Socket Address Info O->T', 0x8001: 'Socket Address Info T->O',
  0x8002: 'Sequenced Address Item', 0x8003: 'Unconnected Message over UDP',
};
/** The services CIP decodes itself (Wireshark's cip_sc_vals); other services go to the class's dissector. */
const SERVICES: Record<number, string> = {
  0x01: 'Get Attributes All', 0x02: 'Set Attributes All', 0x03: 'Get Attribute List', 0x04: 'Set Attribute List', 0x05: 'Reset',
  0x06: 'Start', 0x07: 'Stop', 0x08: 'Create', 0x09: 'Delete', 0x0a: 'Multiple Service Packet', 0x0d: 'Apply Attributes',
  0x0e: 'Get Attribute Single', 0x10: 'Set Attribute Single', 0x11: 'Find Next Object Instance', 0x14: 'Error Response',
  0x15: 'Restore', 0x16: 'Save', 0x17: 'No Operation (NOP)', 0x18: 'Get Member', 0x19: 'Set Member', 0x1a: 'Insert Member',
  0x1b: 'Remove Member', 0x1c: 'Group Sync',
};
const CM_SERVICES: Record<number, string> = {
  0x4e: 'Forward Close', 0x52: 'Unconnected Send', 0x54: 'Forward Open', 0x56: 'Get Connection Data', 0x57: 'Search Connection Data',
  0x5a: 'Get Connection Owner', 0x5b: 'Large Forward Open',
};
const CLASSES: Record<number, string> = {
  0x01: 'Identity', 0x02: 'Message Router', 0x03: 'DeviceNet', 0x04: 'Assembly', 0x05: 'Connection', 0x06: 'Connection Manager',
  0x07: 'Register', 0x0f: 'Parameter', 0x37: 'File', 0x43: 'Time Sync', 0x44: 'Modbus', 0x47: 'Device Level Ring (DLR)', 0x48: 'QoS',
  0xf4: 'Port', 0xf5: 'TCP/IP Interface', 0xf6: 'Ethernet Link',
};
const IDENTITY_ATTRIBUTES: Record<number, string> = {
  1: 'Vendor ID', 2: 'Device Type', 3: 'Product Code', 4: 'Revision', 5: 'Status', 6: 'Serial Number', 7: 'Product Name',
};
const GENERAL_STATUS: Record<number, string> = {
  0x00: 'Success', 0x01: 'Connection failure', 0x02: 'Resource unavailable', 0x03: 'Invalid parameter value', 0x04: 'Path segment error',
  0x05: 'Path destination unknown', 0x06: 'Partial transfer', 0x07: 'Connection lost', 0x08: 'Service not supported',
  0x09: 'Invalid attribute value', 0x0a: 'Attribute list error', 0x0b: 'Already in requested mode/state', 0x0c: 'Object state conflict',
  0x0d: 'Object already exists', 0x0e: 'Attribute not settable', 0x0f: 'Privilege violation', 0x10: 'Device state conflict',
  0x11: 'Reply data too large', 0x12: 'Fragmentation of a primitive value', 0x13: 'Not enough data', 0x14: 'Attribute not supported',
  0x15: 'Too much data', 0x16: 'Object does not exist', 0x17: 'Service fragmentation sequence not in progress',
  0x18: 'No stored attribute data', 0x19: 'Store operation failure', 0x1a: 'Routing failure, request packet too large',
  0x1b: 'Routing failure, response packet too large', 0x1c: 'Missing attribute list entry data', 0x1d: 'Invalid attribute value list',
  0x1e: 'Embedded service error', 0x1f: 'Vendor specific error', 0x20: 'Invalid parameter', 0x21: 'Write-once value or medium already written',
  0x22: 'Invalid Reply Received', 0x23: 'Buffer overflow', 0x24: 'Invalid message format', 0x25: 'Key failure in path',
  0x26: 'Path size invalid', 0x27: 'Unexpected attribute in list', 0x28: 'Invalid Member ID', 0x29: 'Member not settable',
};
const SEGMENT_TYPES: Record<number, string> = {
  0: 'Port Segment', 1: 'Logical Segment', 2: 'Network Segment', 3: 'Symbolic Segment', 4: 'Data Segment',
};
const LOGICAL_TYPES = ['Class ID', 'Instance ID', 'Member ID', 'Connection Point', 'Attribute ID', 'Special', 'Service ID', 'Extended Logical'];
const LOGICAL_NAMES = ['Class', 'Instance', 'Member', 'Connection Point', 'Attribute', 'Special', 'Service ID', 'Extended Logical'];
const LOGICAL_FORMATS = ['8-bit Logical Segment', '16-bit Logical Segment', '32-bit Logical Segment', 'Reserved'];
const PORTS: Record<number, string> = { 1: 'Backplane' };

const hx = (value: number, digits: number): string => value.toString(16).padStart(digits, '0');
const HX = (value: number, digits: number): string => `0x${value.toString(16).toUpperCase().padStart(digits, '0')}`;

/** What a response needs from its request. */
interface CipRequest {
  frame: number;
  tsNs: bigint;
  service: number;
  /** The request path's bytes and size in words. */
  path: Buffer;
  words: number;
  /** Multiple Service Packet: each embedded request. */
  embedded?: CipRequest[];
  /** Unconnected Send: the embedded request and the route path. */
  inner?: CipRequest;
  route?: { path: Buffer; words: number };
}

/** The logical values a path names and its one-line text. */
interface PathInfo {
  text: string;
  classId: number;
  /** An ANSI extended symbol segment's name ('' none). */
  symbol?: string;
}

function className(classId: number): string {
  return CLASSES[classId] ?? `Class (0x${hx(classId, 2)})`;
}

/** Wireshark's "Class - Service" (a request's Info and a service packet's tree text). */
function serviceText(classId: number, service: number): string {
  const name = SERVICES[service] ?? (classId === 6 ? CM_SERVICES[service] : undefined);
  return `${className(classId)} - ${name ?? `Service (0x${hx(service, 2)})`}`;
}

export function looksLikeEnip(data: Buffer, offset: number, end: number): boolean {
  return Math.min(end, data.length) - offset >= 24;
}

export function createEnipDissector(): AppDissector {
  const requests = new Map<string, CipRequest>();
  return {
    protocol: 'enip',
    fieldPrefixes: ['cip', 'cipcls', 'cipcm'],
    tcpPorts: [ENIP_PORT],
    udpPorts: [ENIP_PORT],
    stateful: true,
    desegment: (data, offset, end) => ({
      ...lengthPrefixedPdus(data, offset, end, 24, (at) => 24 + data.readUInt16LE(at + 2)),
      infoSeparator: ' | ',
      infoJoin: ' | ',
    }),
    dissect: (data, offset, end, ctx) => dissectEnip(requests, data, offset, end, ctx),
  };
}

function dissectEnip(requests: Map<string, CipRequest>, data: Buffer, offset: number, end: number, ctx: AppContext): AppResult {
  const stop = Math.min(end, data.length);
  const layers: Layer[] = [];
  const chain: string[] = [];
  const infos: string[] = [];
  let protocolColumn = 'ENIP';
  for (let at = offset; at < stop; ) {
    const pduEnd = stop - at >= 4 ? at + 24 + data.readUInt16LE(at + 2) : end;
    const pdu = dissectPdu(requests, data, at, Math.min(pduEnd, end), ctx);
    pdu.layers.forEach((layer, k) => {
      layers.push(layer);
      chain.push(k === 0 && at !== offset ? '' : layer.protocol);
    });
    infos.push(pdu.info);
    protocolColumn = pdu.protocolColumn;
    at = pduEnd;
  }
  return { layers, chain, chainInLaterPdus: true, protocolColumn, info: infos.join(' | ') };
}

interface PduResult {
  layers: Layer[];
  info: string;
  protocolColumn: string;
}

function dissectPdu(requests: Map<string, CipRequest>, data: Buffer, offset: number, end: number, ctx: AppContext): PduResult {
  const b = new LayerBuilder(data, 'enip', 'EtherNet/IP (Industrial Protocol)', offset, end, ctx.fields);
  const result: PduResult = { layers: [b.layer], info: '', protocolColumn: 'ENIP' };
  const kind = ctx.srcPort === ENIP_PORT && ctx.dstPort !== ENIP_PORT ? 'Rsp' : ctx.dstPort === ENIP_PORT && ctx.srcPort !== ENIP_PORT ? 'Req' : '?';
  const response = kind === 'Rsp';
  let cip: (() => void) | null = null;
  dissectSafely(b, () => {
    b.need(offset, 24, 'encapsulation header');
    const command = data.readUInt16LE(offset);
    const length = data.readUInt16LE(offset + 2);
    const session = data.readUInt32LE(offset + 4);
    const status = data.readUInt32LE(offset + 8);
    const options = data.readUInt32LE(offset + 20);
    const commandName = COMMANDS[command];
    result.info = `${commandName ?? `Unknown Command (0x${hx(command, 4)})`} (${kind})`;
    if (command === 0x65 || command === 0x66) result.info += `, Session: ${HX(session, 8)}`;
    let title = `EtherNet/IP (Industrial Protocol), Session: ${HX(session, 8)}, ${commandName ?? `Unknown (0x${hx(command, 4)})`}`;
    b.title(() => title);
    b.group('', 'Encapsulation Header', null, offset, 24, () => {
      b.add('enip.command', () => `Command: ${commandName ?? 'Unknown'} (${hex(command, 4)})`, command, offset, 2, hex(command, 4));
      b.add('enip.length', () => `Length: ${length}`, length, offset + 2, 2);
      b.add('enip.session', () => `Session Handle: ${hex(session, 8)}`, session, offset + 4, 4, hex(session, 8));
      b.add('enip.status', () => `Status: ${STATUSES[status] ?? 'Unknown'} (${hex(status, 8)})`, status, offset + 8, 4, hex(status, 8));
      if (command === 0x63) {
        // List Identity: the first two bytes of the sender context are the maximum response delay.
        const delay = data.readUInt16LE(offset + 12);
        b.add('enip.listid_delay', () => `Max Response Delay: ${delay}ms`, delay, offset + 12, 2);
        const context = data.subarray(offset + 14, offset + 20);
        b.add('enip.context', () => `Sender Context: ${context.toString('hex')}`, context, offset + 14, 6, () => context.toString('hex'));
      } else {
        const context = data.subarray(offset + 12, offset + 20);
        b.add('enip.context', () => `Sender Context: ${context.toString('hex')}`, context, offset + 12, 8, () => context.toString('hex'));
      }
      b.add('enip.options', () => `Options: ${hex(options, 8)}`, options, offset + 20, 4, hex(options, 8));
    });
    if (length === 0) return;
    const body = offset + 24;
    const bodyEnd = Math.min(end, body + length);
    b.group('', 'Command Specific Data', null, body, bodyEnd - body, () => {
      if (command === 0x65) {
        b.need(body, 4, 'register session data');
        const version = data.readUInt16LE(body);
        const flags = data.readUInt16LE(body + 2);
        b.add('enip.rs.version', () => `Protocol Version: ${version}`, version, body, 2);
        b.add('enip.rs.flags', () => `Option Flags: ${hex(flags, 4)}`, flags, body + 2, 2, hex(flags, 4));
      } else if (command === 0x6f || command === 0x70) {
        b.need(body, 6, 'interface handle and timeout');
        const iface = data.readUInt32LE(body);
        const timeout = data.readUInt16LE(body + 4);
        const abbrev = command === 0x6f ? 'enip.srrd.iface' : 'enip.sud.iface';
        b.add(abbrev, () => `Interface Handle: ${iface === 0 ? 'CIP' : 'Unknown'} (${hex(iface, 8)})`, iface, body, 4, hex(iface, 8));
        b.add('enip.timeout', () => `Timeout: ${timeout}`, timeout, body + 4, 2);
        cip = cpf(b, requests, data, body + 6, bodyEnd, ctx, command, session, response, result, (connection) => {
          title += `, Connection ID: ${HX(connection, 8)}`;
          b.title(title);
        });
      } else if (command === 0x04 || command === 0x63 || command === 0x64) {
        cpf(b, requests, data, body, bodyEnd, ctx, command, session, response, result, () => undefined);
      }
    });
  });
  if (b.layer.status === 'malformed') result.info = '[Malformed Packet]';
  else if (cip !== null) (cip as () => void)();
  return result;
}

/**
 * The Common Packet Format items; returns the CIP dissection of the data item (run after the
 * ENIP layer is complete, as its own layers).
 */
function cpf(
  b: LayerBuilder, requests: Map<string, CipRequest>, data: Buffer, offset: number, end: number, ctx: AppContext, command: number,
  session: number, response: boolean, result: PduResult, connected: (connection: number) => void,
): (() => void) | null {
  b.need(offset, 2, 'item count');
  const count = data.readUInt16LE(offset);
  let at = offset + 2;
  let cipAt = -1;
  let cipEnd = -1;
  let sequence = -1;
  let mismatch = false;
  b.group('enip.cpf.itemcount', () => `Item Count: ${count}`, count, offset, 2, () => items());
  function items(): void {
    for (let k = 0; k < count; k++) {
      b.need(at, 4, 'CPF item header');
      const type = data.readUInt16LE(at);
      const length = data.readUInt16LE(at + 2);
      const item = at;
      const remaining = end - (at + 4);
      b.group('enip.cpf.typeid', () => `Type ID: ${CPF_ITEMS[type] ?? 'Unknown'} (${hex(type, 4)})`, type, at, 4 + Math.min(length, Math.max(0, remaining)), () => {
        b.add('enip.cpf.length', () => `Length: ${length}`, length, item + 2, 2);
        if (length > remaining) {
          mismatch = true;
          b.add('_ws.expert', () => `[Expert Info (Error/Malformed): CPF Item Length Mismatch: Item Length ${length}, Remaining Data Length: ${remaining}]`, null, item + 2, 2);
        }
        if (type === 0x00a1 && length >= 4) {
          b.need(item + 4, 4, 'connection ID');
          const id = data.readUInt32LE(item + 4);
          b.add('enip.cpf.cai.connid', () => `Connection ID: ${hex(id, 8)}`, id, item + 4, 4, hex(id, 8));
          // Wireshark also adds the connection ID as a hidden cip.connid.
          const hidden = b.add('cip.connid', () => `Connection ID: ${hex(id, 8)}`, id, item + 4, 4, hex(id, 8));
          if (hidden.abbrev === 'cip.connid') hidden.hidden = true;
          connected(id);
        } else if (type === 0x00b1 && length >= 2) {
          sequence = le16(b, item + 4, 'sequence count');
          b.add('cip.seq', () => `CIP Sequence Count: ${sequence}`, sequence, item + 4, 2);
          cipAt = item + 6;
          cipEnd = item + 4 + length;
        } else if (type === 0x00b2) {
          cipAt = item + 4;
          cipEnd = item + 4 + length;
        }
      }, hex(type, 4));
      if (mismatch) break;
      at += 4 + length;
    }
  }
  if (cipAt < 0 || (command !== 0x6f && command !== 0x70)) return null;
  const context = data.toString('hex', b.layer.offset + 12, b.layer.offset + 20);
  const conversation = conversationKey(ctx.src, ctx.srcPort, ctx.dst, ctx.dstPort);
  const key = `${conversation}|${session}|${sequence >= 0 ? `c${sequence}` : `u${context}`}`;
  const stop = Math.min(cipEnd, end);
  let request: CipRequest | undefined;
  if (!response) {
    // tshark's -2: the frame of its response.
    const later = ctx.hindsight?.later('enip.response_in', `${ctx.frameNumber}|${key}`);
    if (later !== undefined) b.add('enip.response_in', () => `[Response In: ${later}]`, later, b.layer.offset, 0);
  }
  if (response) {
    const known = requests.get(key);
    if (known !== undefined && known.frame < ctx.frameNumber) {
      request = known;
      ctx.hindsight?.link('enip.response_in', `${known.frame}|${key}`, ctx.frameNumber);
      b.add('enip.response_to', () => `[Request In: ${known.frame}]`, known.frame, b.layer.offset, 0);
      if (ctx.tsNs !== undefined) {
        const delta = nsToSeconds(ctx.tsNs - known.tsNs);
        b.add('enip.time', () => `[Time: ${delta} seconds]`, Number(delta), b.layer.offset, 0, delta);
      }
    }
  }
  return () => {
    const cipResult = dissectCip(data, cipAt, stop, ctx, response, request, mismatch);
    result.layers.push(...cipResult.layers);
    result.info = cipResult.info;
    result.protocolColumn = cipResult.protocolColumn;
    if (!response && cipResult.request !== undefined) requests.set(key, cipResult.request);
  };
}

interface CipResult {
  layers: Layer[];
  info: string;
  protocolColumn: string;
  request?: CipRequest;
}

/** Request path segments from src[at, at + 2*words): fields (generated ones at `fieldAt`, 0 bytes) and the path's text. */
function pathFields(b: LayerBuilder, src: Buffer, at: number, words: number, generated: boolean, fieldAt: number): PathInfo {
  const parts: string[] = [];
  let classId = -1;
  let symbol = '';
  const stop = at + words * 2;
  const g = (label: string): string => (generated ? `[${label}]` : label);
  const place = (p: number, n: number): [number, number] => (generated ? [fieldAt, 0] : [p, n]);
  let p = at;
  while (p < stop && p < src.length) {
    const seg = src[p]!;
    const segType = seg >> 5;
    if (segType === 1) {
      const logical = (seg >> 2) & 7;
      const format = seg & 3;
      const size = format === 0 ? 1 : format === 1 ? 2 : 4;
      const valueAt = format === 0 ? p + 1 : p + 2;
      if (format === 3 || valueAt + size > src.length) break;
      const value = size === 1 ? src[valueAt]! : size === 2 ? src.readUInt16LE(valueAt) : src.readUInt32LE(valueAt);
      const segLength = valueAt + size - p;
      const digits = size * 2;
      let text: string;
      if (logical === 0) {
        classId = value;
        text = CLASSES[value] ?? `Class: ${HX(value, digits)}`;
      } else if (logical === 4) {
        const name = classId === 1 ? IDENTITY_ATTRIBUTES[value] : undefined;
        text = `Attribute: ${value}${name ? ` (${name})` : ''}`;
      } else {
        text = `${LOGICAL_NAMES[logical]}: ${HX(value, digits)}`;
      }
      parts.push(text);
      const bitsName = `${size * 8}-Bit ${LOGICAL_NAMES[logical]} Segment`;
      const [sAt, sLen] = place(p, segLength);
      const segAt = p;
      b.group('cip.path_segment', () => g(`Path Segment: ${hex(seg, 2)} (${bitsName})`), seg, sAt, sLen, () => {
        b.add('cip.path_segment.type', () => g(`${bitPicture(seg, 0xe0, 8)} = Path Segment Type: Logical Segment (1)`), 1, ...place(segAt, 1));
        b.add('cip.logical_segment.type', () => g(`${bitPicture(seg, 0x1c, 8)} = Logical Segment Type: ${LOGICAL_TYPES[logical]} (${logical})`), logical, ...place(segAt, 1));
        b.add('cip.logical_segment.format', () => g(`${bitPicture(seg, 0x03, 8)} = Logical Segment Format: ${LOGICAL_FORMATS[format]} (${format})`), format, ...place(segAt, 1));
        const [vAt, vLen] = place(valueAt, size);
        if (logical === 0) {
          b.add('cip.class', () => g(`Class: ${CLASSES[value] ?? 'Unknown'} (0x${hx(value, digits)})`), value, vAt, vLen, `0x${hx(value, digits)}`);
        } else if (logical === 1) {
          b.add('cip.instance', () => g(`Instance: 0x${hx(value, digits)}`), value, vAt, vLen, `0x${hx(value, digits)}`);
        } else if (logical === 4) {
          b.add('cip.attribute', () => g(text), value, vAt, vLen);
        } else if (logical === 3) {
          b.add('cip.connpoint', () => g(`Connection Point: 0x${hx(value, digits)}`), value, vAt, vLen, `0x${hx(value, digits)}`);
        } else if (logical === 2) {
          b.add('cip.member', () => g(`Member: 0x${hx(value, digits)}`), value, vAt, vLen, `0x${hx(value, digits)}`);
        }
      }, hex(seg, 2));
      p += segLength;
    } else if (segType === 0) {
      // Port segment with a one-byte link address (the extended link address form is not decoded).
      const port = seg & 0x0f;
      if (seg & 0x10 || port === 0x0f || p + 2 > src.length) break;
      const link = src[p + 1]!;
      parts.push(`Port: ${PORTS[port] ?? port}, Address: ${link}`);
      const segAt = p;
      b.group('cip.path_segment', () => g(`Path Segment: ${hex(seg, 2)} (Port Segment)`), seg, ...place(p, 2), () => {
        b.add('cip.path_segment.type', () => g(`${bitPicture(seg, 0xe0, 8)} = Path Segment Type: Port Segment (0)`), 0, ...place(segAt, 1));
        b.add('cip.ex_linkaddress', () => g(`${bitPicture(seg, 0x10, 8)} = Extended Link Address: False`), false, ...place(segAt, 1), '0');
        b.add('cip.port', () => g(`${bitPicture(seg, 0x0f, 8)} = Port: ${PORTS[port] ?? 'Unknown'} (${port})`), port, ...place(segAt, 1));
        b.add('cip.linkaddress.byte', () => g(`Link Address: ${link}`), link, ...place(segAt + 1, 1));
      }, hex(seg, 2));
      p += 2;
    } else if (seg === 0x91) {
      // ANSI extended symbol segment: a size, the name, a pad byte when the size is odd.
      const size = p + 1 < src.length ? src[p + 1]! : 0;
      if (p + 2 + size > src.length) break;
      const name = src.toString('latin1', p + 2, p + 2 + size);
      symbol = name;
      parts.push(name);
      const segAt = p;
      const segLength = 2 + size + (size % 2);
      b.group('cip.path_segment', () => g(`Path Segment: ${hex(seg, 2)} (ANSI Extended Symbol Segment)`), seg, ...place(p, segLength), () => {
        b.add('cip.path_segment.type', () => g(`${bitPicture(seg, 0xe0, 8)} = Path Segment Type: ${SEGMENT_TYPES[4]} (4)`), 4, ...place(segAt, 1));
        b.add('cip.data_segment.type', () => g(`${bitPicture(seg, 0x1f, 8)} = Data Segment Type: ANSI Extended Symbol Segment (17)`), 17, ...place(segAt, 1));
        b.add('cip.data_segment.size', () => g(`Data Size: ${size} bytes`), size, ...place(segAt + 1, 1));
        b.add('cip.symbol', () => g(`ANSI Symbol: ${name}`), name, ...place(segAt + 2, size));
      }, hex(seg, 2));
      p += segLength;
    } else {
      break;
    }
  }
  return { text: parts.join(', '), classId, symbol };
}

/** "Service: Multiple Service Packet (Request)" with its two bit fields. */
function serviceFields(b: LayerBuilder, at: number, service: number, names: Record<number, string>): void {
  const code = service & 0x7f;
  const rr = service >> 7;
  const name = names[code];
  const dir = rr ? 'Response' : 'Request';
  b.group('cip.service', () => `Service: ${name ?? `Unknown Service (0x${hx(code, 2)})`} (${dir})`, service, at, 1, () => {
    b.add('cip.rr', () => `${bitPicture(service, 0x80, 8)} = Request/Response: ${dir} (0x${rr})`, rr, at, 1, hex(rr, 2));
    b.add('cip.sc', () => `${bitPicture(service, 0x7f, 8)} = Service: ${name ?? 'Unknown'} (0x${hx(code, 2)})`, code, at, 1, hex(code, 2));
  }, hex(service, 2));
}

/** A group's label that its children's dissection tells (labels are built with the field, in a tree only). */
function relabel(b: LayerBuilder, item: Field, label: string): void {
  if (b.tree) item.label = label;
}

/** A little-endian 16-bit value (LayerBuilder's u16 reads big-endian). */
function le16(b: LayerBuilder, at: number, what: string): number {
  b.need(at, 2, what);
  return b.data.readUInt16LE(at);
}

function dataField(b: LayerBuilder, data: Buffer, at: number, end: number): void {
  if (end <= at) return;
  const bytes = b.bytes(at, end - at, 'data');
  b.add('cip.data', () => `Data: ${bytes.toString('hex')}`, bytes, at, bytes.length, () => bytes.toString('hex'));
}

/** The CIP header of a message: service, then a request's path or a response's status and its request's path. */
interface Header {
  service: number;
  code: number;
  response: boolean;
  /** Where the service data starts. */
  body: number;
  status: number;
  path?: PathInfo;
  request?: CipRequest;
}

function header(b: LayerBuilder, data: Buffer, at: number, response: boolean, request: CipRequest | undefined): Header {
  const service = b.u8(at, 'service');
  const code = service & 0x7f;
  const isResponse = (service & 0x80) !== 0;
  serviceFields(b, at, service, SERVICES);
  if (!isResponse) {
    const words = b.u8(at + 1, 'request path size');
    b.add('cip.request_path_size', () => `Request Path Size: ${words} word${words === 1 ? '' : 's'}`, words, at + 1, 1);
    const bytes = b.bytes(at + 2, words * 2, 'request path');
    let path: PathInfo = { text: '', classId: -1 };
    const item = b.group('cip.epath', '', bytes, at + 2, words * 2, () => {
      path = pathFields(b, data, at + 2, words, false, 0);
    }, () => bytes.toString('hex'));
    relabel(b, item, `Request Path: ${path.text}`);
    return { service, code, response: false, body: at + 2 + words * 2, status: 0, path, request: { frame: 0, tsNs: 0n, service: code, path: Buffer.from(bytes), words } };
  }
  const status = b.u8(at + 2, 'general status');
  const addWords = b.u8(at + 3, 'additional status size');
  const statusName = GENERAL_STATUS[status] ?? 'Unknown';
  b.group('', () => `Status: ${statusName}: `, null, at + 2, 2 + addWords * 2, () => {
    b.add('cip.genstat', () => `General Status: ${statusName} (${hex(status, 2)})`, status, at + 2, 1, hex(status, 2));
    b.add('cip.addstat_size', () => `Additional Status Size: ${addWords} word${addWords === 1 ? '' : 's'}`, addWords, at + 3, 1);
    if (addWords > 0) {
      b.group('', 'Additional Status', null, at + 4, addWords * 2, () => {
        for (let k = 0; k < addWords; k++) {
          const value = le16(b, at + 4 + 2 * k, 'additional status');
          b.add('cip.addstat', () => `Additional Status: ${hex(value, 4)}`, value, at + 4 + 2 * k, 2, hex(value, 4));
        }
      });
    }
  });
  let path: PathInfo | undefined;
  if (request !== undefined) {
    const words = request.words;
    b.add('cip.request_path_size', () => `[Request Path Size: ${words} word${words === 1 ? '' : 's'}]`, words, at, 0);
    let info: PathInfo = { text: '', classId: -1 };
    const item = b.group('', '', null, at, 0, () => {
      info = pathFields(b, request.path, 0, words, true, at);
    });
    relabel(b, item, `[Request Path: ${info.text}]`);
    path = info;
  }
  return { service, code, response: true, body: at + 4 + addWords * 2, status, path, request };
}

/** A CIP message (Wireshark's dissect_cip): the cip layer and the layer of its class or service. */
function dissectCip(data: Buffer, offset: number, end: number, ctx: AppContext, response: boolean, request: CipRequest | undefined, mismatch: boolean): CipResult {
  const b = new LayerBuilder(data, 'cip', 'Common Industrial Protocol', offset, end, ctx.fields);
  const result: CipResult = { layers: [b.layer], info: '', protocolColumn: 'CIP' };
  const extra: Layer[] = [];
  dissectSafely(b, () => {
    const h = header(b, data, offset, response, request);
    const classId = h.path?.classId ?? -1;
    const statusText = `${GENERAL_STATUS[h.status] ?? 'Unknown'}: `;
    if (h.code === 0x0a && (h.response || classId === 2)) {
      const names = msp(b, data, h, end, ctx, extra);
      result.info = h.response ? `${statusText}Multiple Service Packet: ${names.join(', ')}` : `Message Router - Multiple Service Packet: ${names.join(', ')}`;
      if (!h.response) result.request = { ...h.request!, embedded: names.requests };
    } else if (classId === 6 && (h.response ? request?.service : h.code) === 0x52) {
      const cm = unconnectedSend(data, h, end, ctx, extra);
      result.info = h.response ? `${statusText}${cm.info}` : `Connection Manager - Unconnected Send: ${cm.info}`;
      if (!h.response) {
        result.protocolColumn = 'CIP CM';
        result.request = { ...h.request!, inner: cm.inner, route: cm.route };
      }
    } else {
      const generic = SERVICES[h.code] !== undefined;
      const text = h.path !== undefined ? serviceText(classId, h.code) : generic ? SERVICES[h.code]! : `Service (0x${hx(h.code, 2)})`;
      result.info = h.response ? `${statusText}${text}` : text;
      body(b, data, h, end, ctx, extra);
      if (!h.response) result.request = h.request;
    }
  });
  if (result.request !== undefined) Object.assign(result.request, { frame: ctx.frameNumber, tsNs: ctx.tsNs ?? 0n });
  result.layers.push(...extra);
  if (b.layer.status !== 'ok' || extra.some((l) => l.status !== 'ok')) {
    result.info = mismatch ? '[Malformed Packet: length of contained item exceeds length of containing item]' : '[Malformed Packet]';
  }
  return result;
}

/** A service's data: CIP's own "<Service> (Request)" view for its services, else a CIP Class Generic layer. */
function body(b: LayerBuilder, data: Buffer, h: Header, end: number, ctx: AppContext, extra: Layer[], nested = false): void {
  const name = SERVICES[h.code];
  if (name !== undefined) {
    // A response from a class whose attributes Wireshark knows is decoded attribute by attribute
    // there (not here): its data is left out rather than shown as bytes tshark does not show.
    const decoded = h.response && h.path !== undefined && CLASSES[h.path.classId] !== undefined && (h.code === 0x01 || h.code === 0x0e || h.code === 0x03);
    b.group('', `${name} (${h.response ? 'Response' : 'Request'})`, null, h.body, Math.max(0, end - h.body), () => {
      if (!decoded) dataField(b, data, h.body, end);
    });
    return;
  }
  if (nested || end <= h.body) {
    // Inside a Multiple Service Packet tshark shows the class's tree within the service packet: the
    // layer (for frame.protocols and filters) is empty and untitled, its tree a group of the service packet.
    if (end > h.body) {
      b.group('', 'CIP Class Generic', null, h.body, end - h.body, () => {
        b.group('', 'Command Specific Data', null, h.body, end - h.body, () => dataField(b, data, h.body, end));
      });
    }
    extra.push({ protocol: 'cipcls', title: '', offset: h.body, length: Math.max(0, Math.min(end, data.length) - h.body), fields: [], status: 'ok' });
    return;
  }
  const cls = new LayerBuilder(data, 'cipcls', 'CIP Class Generic', h.body, end, ctx.fields);
  dissectSafely(cls, () => {
    // Wireshark shows no Command Specific Data (nor data) when the service has none.
    if (end > h.body) cls.group('', 'Command Specific Data', null, h.body, end - h.body, () => dataField(cls, data, h.body, end));
  });
  extra.push(cls.layer);
}

/** Multiple Service Packet: the offsets and each embedded service (names: their Info texts). */
function msp(b: LayerBuilder, data: Buffer, h: Header, end: number, ctx: AppContext, extra: Layer[]): string[] & { requests: CipRequest[] } {
  const names = [] as unknown as string[] & { requests: CipRequest[] };
  names.requests = [];
  const at = h.body;
  const dir = h.response ? 'Response' : 'Request';
  b.group('', `Multiple Service Packet (${dir})`, null, at, Math.max(0, end - at), () => {
    const count = le16(b, at, 'number of services');
    b.add('cip.msp.num_services', () => `Number of Services: ${count}`, count, at, 2);
    b.need(at + 2, count * 2, 'offset list');
    const offsets: number[] = [];
    for (let k = 0; k < count; k++) offsets.push(data.readUInt16LE(at + 2 + 2 * k));
    b.group('', 'Offset List', null, at + 2, count * 2, () => {
      offsets.forEach((o, k) => b.add('cip.msp.offset', () => `Offset: ${o}`, o, at + 2 + 2 * k, 2));
    });
    offsets.forEach((o, k) => {
      const start = at + o;
      const stop = k + 1 < count ? at + offsets[k + 1]! : end;
      const inner = h.request?.embedded?.[k] ?? (h.response ? undefined : undefined);
      const known = h.response ? h.request?.embedded?.[k] : undefined;
      void inner;
      let tree = '';
      const item = b.group('', '', null, start, Math.max(0, stop - start), () => {
        b.add('cip.msp.offset', () => `Offset: ${o}`, o, at + 2 + 2 * k, 2);
        let e: Header | undefined;
        b.group('', 'Common Industrial Protocol', null, start, Math.max(0, stop - start), () => {
          e = header(b, data, start, h.response, known);
          // CIP's own view of a service sits in the embedded CIP tree; a class's layer after it.
          if (SERVICES[e.code] !== undefined) body(b, data, e, stop, ctx, extra, true);
        });
        const embedded = e!;
        const classId = embedded.path?.classId ?? -1;
        const generic = SERVICES[embedded.code] !== undefined;
        const serviceName = generic ? SERVICES[embedded.code]! : `Service (0x${hx(embedded.code, 2)})`;
        const status = embedded.response ? `${GENERAL_STATUS[embedded.status] ?? 'Unknown'}: ` : '';
        const symbol = embedded.path?.symbol;
        tree = `${status}${symbol ? `'${symbol}' - ${serviceName}` : embedded.path !== undefined ? serviceText(classId, embedded.code) : serviceName}`;
        names.push(serviceName);
        if (!embedded.response && embedded.request) names.requests.push(embedded.request);
        if (SERVICES[embedded.code] === undefined) body(b, data, embedded, stop, ctx, extra, true);
      });
      relabel(b, item, `Service Packet #${k + 1}: ${tree}`);
    });
  });
  return names;
}

/** Connection Manager's Unconnected Send: the embedded request (or, in a response, its answer) and the route path. */
function unconnectedSend(data: Buffer, h: Header, end: number, ctx: AppContext, extra: Layer[]): { info: string; inner?: CipRequest; route?: { path: Buffer; words: number } } {
  const at = h.body;
  const cm = new LayerBuilder(data, 'cipcm', 'CIP Connection Manager', at, end, ctx.fields);
  extra.push(cm.layer);
  const out: { info: string; inner?: CipRequest; route?: { path: Buffer; words: number } } = { info: '' };
  dissectSafely(cm, () => {
    if (h.response) {
      const request = h.request!;
      cm.add('cip.cm.sc', '[Service: Unconnected Send (Response)]', 0x52, at, 0, '0x52');
      const inner = request.inner;
      if (inner !== undefined) {
        const words = inner.words;
        cm.add('cip.request_path_size', () => `[Request Path Size: ${words} word${words === 1 ? '' : 's'}]`, words, at, 0);
        let path: PathInfo = { text: '', classId: -1 };
        const item = cm.group('', '', null, at, 0, () => {
          path = pathFields(cm, inner.path, 0, words, true, at);
        });
        relabel(cm, item, `[Request Path: ${path.text}]`);
        out.info = serviceText(path.classId, inner.service);
      }
      const route = request.route;
      if (route !== undefined) {
        cm.add('cip.cm.route_path_size', () => `[Route Path Size: ${route.words} word${route.words === 1 ? '' : 's'}]`, route.words, at, 0);
        let path: PathInfo = { text: '', classId: -1 };
        const item = cm.group('', '', null, at, 0, () => {
          path = pathFields(cm, route.path, 0, route.words, true, at);
        });
        relabel(cm, item, `[Route/Connection Path: ${path.text}]`);
      }
      const name = inner !== undefined ? SERVICES[inner.service] : undefined;
      cm.group('', `${name ?? `Service (0x${hx(h.code, 2)})`} (Response)`, null, at, Math.max(0, end - at), () => dataField(cm, data, at, end));
      return;
    }
    const service = h.service;
    cm.group('', () => 'Service: Unconnected Send (Request)', null, at - 2 - 0, 0, () => {
      cm.add('cip.rr', () => `${bitPicture(service, 0x80, 8)} = Request/Response: Request (0x0)`, 0, at, 0, '0x00');
      cm.add('cip.cm.sc', () => `${bitPicture(service, 0x7f, 8)} = Service: Unconnected Send (0x52)`, 0x52, at, 0, '0x52');
    });
    cm.group('', 'Command Specific Data', null, at, Math.max(0, end - at), () => {
      const tick = cm.u8(at, 'priority/time tick');
      const ticks = cm.u8(at + 1, 'time-out ticks');
      cm.add('cip.cm.priority', () => `${bitPicture(tick, 0x10, 8)} = Priority: ${(tick >> 4) & 1}`, (tick >> 4) & 1, at, 1);
      cm.add('cip.cm.tick_time', () => `${bitPicture(tick, 0x0f, 8)} = Tick time: ${tick & 0x0f}`, tick & 0x0f, at, 1);
      cm.add('cip.cm.timeout_tick', () => `Time-out ticks: ${ticks}`, ticks, at + 1, 1);
      const timeout = (1 << (tick & 0x0f)) * ticks;
      cm.add('cip.cm.timeout', () => `Actual Time Out: ${timeout}ms`, timeout, at, 2);
      const size = le16(cm, at + 2, 'message request size');
      cm.add('cip.cm.msg_req_size', () => `Embedded Message Request Size: ${size} bytes`, size, at + 2, 2);
      const msg = at + 4;
      cm.need(msg, size, 'embedded message request');
      let e: Header | undefined;
      cm.group('', 'CIP Embedded Message Request', null, msg, size, () => {
        cm.group('', 'Common Industrial Protocol', null, msg, size, () => {
          e = header(cm, data, msg, false, undefined);
          const embedded = e;
          const name = SERVICES[embedded.code];
          cm.group('', `${name ?? `Service (0x${hx(embedded.code, 2)})`} (Request)`, null, embedded.body, Math.max(0, msg + size - embedded.body), () => dataField(cm, data, embedded.body, msg + size));
        });
        const embedded = e!;
        out.info = serviceText(embedded.path?.classId ?? -1, embedded.code);
        out.inner = embedded.request;
      });
      let p = msg + size;
      if (size % 2 === 1) {
        const pad = cm.u8(p, 'pad');
        cm.add('cip.pad', () => `Pad Byte: ${hex(pad, 2)}`, pad, p, 1, hex(pad, 2));
        p += 1;
      }
      const words = cm.u8(p, 'route path size');
      cm.add('cip.cm.route_path_size', () => `Route Path Size: ${words} word${words === 1 ? '' : 's'}`, words, p, 1);
      const reserved = cm.u8(p + 1, 'reserved');
      cm.add('cip.reserved', () => `Reserved: ${hex(reserved, 2)}`, reserved, p + 1, 1, hex(reserved, 2));
      const bytes = cm.bytes(p + 2, words * 2, 'route path');
      let path: PathInfo = { text: '', classId: -1 };
      const item = cm.group('cip.epath', '', bytes, p + 2, words * 2, () => {
        path = pathFields(cm, data, p + 2, words, false, 0);
      }, () => bytes.toString('hex'));
      relabel(cm, item, `Route Path: ${path.text}`);
      out.route = { path: Buffer.from(bytes), words };
    });
  });
  return out;
}
