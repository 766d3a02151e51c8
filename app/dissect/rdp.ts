/**
 * RDP's connection negotiation as tshark 4.0 shows it (epan/dissectors/packet-rdp.c, the
 * heuristics COTP tries on a Connection Request's and Confirm's user data: dissect_rdp_cr,
 * dissect_rdp_cc): a CR's "Cookie: mstshash=…" routing token or cookie and RDP Negotiation Request
 * (flags, requestedProtocols, a correlation info), a CC's Negotiation Response (flags,
 * selectedProtocol) or Failure (failureCode). Protocol "RDP"; the Info, which RDP clears,
 * "Cookie: mstshash=USER, Negotiate Request", "Negotiate Response", "Negotiate Failure,
 * failureCode TLS not allowed by server".
 *
 * tshark 4.0 does not hand a connection to TLS after a negotiation that selects TLS or CredSSP:
 * what follows stays TPKT "Continuation" (tpkt.ts), as here.
 *
 * Fast-Path PDUs (dissect_rdp_fastpath, TPKT's heuristic for a segment that does not start with
 * a TPKT header): frame.protocols tpkt:rdp, Info "Fast-Path PDU,MouseEx" with each input event's
 * or update's name, the header, length and each update's code, fragmentation, compression and
 * size; an event or update running past the PDU is malformed, as in tshark.
 *
 * Left out: the input events' own fields (key codes, pointer flags and positions; -V shows less
 * than tshark there), CredSSP in TPKT, and MCS (T.125) with what it carries (T.124's client and
 * server data, RDP's security header and PDUs): those DT TPDUs' data stays "data". The server a
 * Fast-Path PDU goes to is taken from the client's MCS Connect-Initial (tpkt.ts), where tshark
 * takes it from the T.124 client data it decodes.
 */
import { hex, LayerBuilder, stopped } from './builder';
import { addExpert } from './expert';
import { asciiFieldText, formatText } from './app-format';
import { bitPicture, bytesHex, bytesLabelHex } from './format';
import type { AppContext, Layer } from './model';

const TYPES: Record<number, string> = {
  0x01: 'RDP Negotiation Request', 0x02: 'RDP Negotiation Response', 0x03: 'RDP Negotiation Failure', 0x06: 'RDP Correlation Info',
};
const SELECTED: Record<number, string> = {
  0x0: 'Standard RDP Security', 0x1: 'TLS 1.0, 1.1 or 1.2', 0x2: 'CredSSP', 0x4: 'RDSTLS protocol', 0x8: 'CredSSP with Early User Authorization Result PDU',
};
const FAILURES: Record<number, string> = {
  0x1: 'TLS required by server', 0x2: 'TLS not allowed by server', 0x3: 'TLS certificate not on server', 0x4: 'Inconsistent flags',
  0x5: 'Server requires Enhanced RDP Security with CredSSP',
  0x6: 'Server requires Enhanced RDP Security with TLS and certificate-based client authentication',
};
type Bit = [mask: number, abbrev: string, name: string];
const NEG_REQ_FLAGS: Bit[] = [
  [0x01, 'rdp.negReq.flags.restricted_admin_mode_req', 'Restricted admin mode required'],
  [0x08, 'rdp.negReq.flags.correlation_info_present', 'Correlation info present'],
];
const REQUESTED_PROTOCOLS: Bit[] = [
  [0x1, 'rdp.negReq.requestedProtocols.ssl', 'TLS security supported'],
  [0x2, 'rdp.negReq.requestedProtocols.hybrid', 'CredSSP supported'],
  [0x4, 'rdp.negReq.requestedProtocols.rdstls', 'RDSTLS supported'],
  [0x8, 'rdp.negReq.requestedProtocols.hybrid_ex', 'CredSSP with Early User Authorization Result PDU supported'],
];
const NEG_RSP_FLAGS: Bit[] = [
  [0x01, 'rdp.negRsp.flags.extended_client_data_supported', 'Extended Client Data Blocks supported'],
  [0x02, 'rdp.negRsp.flags.dynvc_gfx_protocol_supported', 'Graphics Pipeline Extension Protocol supported'],
  [0x08, 'rdp.negRsp.flags.restricted_admin_mode_supported', 'Restricted admin mode supported'],
  [0x10, 'rdp.negRsp.flags.restricted_authentication_mode_supported', 'Restricted authentication mode supported'],
];

const TITLE = 'Remote Desktop Protocol';

/** What RDP's heuristic made of a CR's or CC's user data: its layer and Info (RDP clears COTP's). */
export interface RdpNegotiation {
  layer: Layer;
  info: string;
}

/** proto_tree_add_bitmask: the value with the names of its set bits, then a line per bit. */
function bitmask(b: LayerBuilder, abbrev: string, name: string, value: number, at: number, size: number, bits: Bit[]): void {
  const label = (): string => {
    const set = bits.filter(([mask]) => value & mask).map(([, , text]) => `, ${text}`).join('');
    return `${name}: ${hex(value, size * 2)}${set}`;
  };
  b.group(abbrev, label, value, at, size, () => {
    for (const [mask, bitAbbrev, text] of bits) {
      b.add(bitAbbrev, () => `${bitPicture(value, mask, size * 8)} = ${text}: ${value & mask ? 'True' : 'False'}`, (value & mask) !== 0, at, size);
    }
  }, hex(value, size * 2));
}

/** The "Length" of a negotiation structure, with packet-rdp.c's expert when it is not 8. */
function negLength(b: LayerBuilder, at: number, what: string, expected = 8): boolean {
  const length = b.data[at]!;
  // (Added as one byte, read as that byte: the length's second byte is skipped.)
  b.group('rdp.neg_length', () => `Length: ${length}`, length, at, 1, () => {
    if (length !== expected) addExpert(b, 'rdp.neg_len.invalid', 'Error', 'Protocol', `${what} length is ${length}, not ${expected}`, at, 1);
  });
  return length === expected;
}

/** The "Type" of a negotiation structure; `expected` when another one is an error under it. */
function typeField(b: LayerBuilder, at: number, expected?: number): number {
  const type = b.u8(at, 'type');
  b.group('rdp.neg_type', () => `Type: ${TYPES[type] ?? 'Unknown'} (${hex(type, 2)})`, type, at, 1, () => {
    if (expected !== undefined && type !== expected) {
      addExpert(b, 'rdp.not_correlation_info', 'Error', 'Protocol', 'What follows RDP Negotiation Request is not an RDP Correlation Info', at, 1);
    }
  }, hex(type, 2));
  return type;
}

/** dissect_rdp_cr on a Connection Request's user data [offset, end); null when it is not RDP's. */
export function rdpConnectionRequest(data: Buffer, offset: number, end: number, ctx: AppContext): RdpNegotiation | null {
  const stop = Math.min(end, data.length);
  const cookie = stop - offset >= 8 && data.toString('latin1', offset, offset + 8) === 'Cookie: ';
  const request = !cookie && stop - offset >= 4 && data[offset] === 0x01 && data.readUInt16LE(offset + 2) === 8;
  if (!cookie && !request) return null;
  const b = new LayerBuilder(data, 'rdp', TITLE, offset, end, ctx.fields);
  let info = '';
  let at = offset;
  try {
    if (cookie) {
      // tvb_find_line_end: up to CR, LF or CRLF, or the end.
      let lineEnd = at;
      while (lineEnd < stop && data[lineEnd] !== 0x0d && data[lineEnd] !== 0x0a) lineEnd++;
      // An ENC_ASCII string: shown through format_text (control bytes escaped), up to a NUL.
      const raw = data.subarray(at, lineEnd);
      const nul = raw.indexOf(0);
      const shown = formatText(nul < 0 ? raw : raw.subarray(0, nul));
      const text = asciiFieldText(raw);
      b.add('rdp.rt_cookie', () => `Routing Token/Cookie: ${shown}`, text, at, lineEnd - at, text);
      info = shown;
      at = lineEnd >= stop ? stop : lineEnd + (data[lineEnd] === 0x0d && data[lineEnd + 1] === 0x0a ? 2 : 1);
    }
    if (end - at > 0) {
      info += `${cookie ? ', ' : ''}Negotiate Request`;
      typeField(b, at);
      const flags = b.u8(at + 1, 'flags');
      bitmask(b, 'rdp.negReq.flags', 'Flags', flags, at + 1, 1, NEG_REQ_FLAGS);
      b.need(at + 2, 2, 'length');
      if (negLength(b, at + 2, 'RDP Negotiate Request')) {
        b.need(at + 4, 4, 'requestedProtocols');
        bitmask(b, 'rdp.negReq.requestedProtocols', 'requestedProtocols', data.readUInt32LE(at + 4), at + 4, 4, REQUESTED_PROTOCOLS);
        if (flags & 0x08) correlationInfo(b, at + 8);
      }
    }
  } catch (err) {
    stopped(b, err);
    info += ' [Malformed Packet]';
  }
  return { layer: b.layer, info };
}

function correlationInfo(b: LayerBuilder, at: number): void {
  if (typeField(b, at, 0x06) !== 0x06) return;
  const flags = b.u8(at + 1, 'flags');
  b.add('rdp.correlationInfo.flags', () => `Flags: ${hex(flags, 2)}`, flags, at + 1, 1, hex(flags, 2));
  b.need(at + 2, 2, 'length');
  if (!negLength(b, at + 2, 'RDP Correlation Info', 36)) return;
  const bytes = (abbrev: string, name: string, from: number): void => {
    b.need(from, 16, name);
    b.add(abbrev, () => `${name}: ${bytesLabelHex(b.data, from, 16)}`, b.data.subarray(from, from + 16), from, 16, () => bytesHex(b.data, from, 16));
  };
  bytes('rdp.correlationInfo.correlationId', 'correlationId', at + 4);
  bytes('rdp.correlationInfo.reserved', 'Reserved', at + 20);
}

/** dissect_rdp_cc on a Connection Confirm's user data [offset, end); null when it is not RDP's. */
export function rdpConnectionConfirm(data: Buffer, offset: number, end: number, ctx: AppContext): RdpNegotiation | null {
  const stop = Math.min(end, data.length);
  if (stop - offset < 4) return null;
  const type = data[offset]!;
  if ((type !== 0x02 && type !== 0x03) || data.readUInt16LE(offset + 2) !== 8) return null;
  const b = new LayerBuilder(data, 'rdp', TITLE, offset, end, ctx.fields);
  let info = type === 0x02 ? 'Negotiate Response' : 'Negotiate Failure';
  try {
    typeField(b, offset);
    const flags = data[offset + 1]!;
    if (type === 0x02) bitmask(b, 'rdp.negRsp.flags', 'Flags', flags, offset + 1, 1, NEG_RSP_FLAGS);
    else b.add('rdp.negReq.flags', () => `Flags: ${hex(flags, 2)}`, flags, offset + 1, 1, hex(flags, 2));
    negLength(b, offset + 2, '');
    b.need(offset + 4, 4, type === 0x02 ? 'selectedProtocol' : 'failureCode');
    const value = data.readUInt32LE(offset + 4);
    if (type === 0x02) {
      b.add('rdp.negReq.selectedProtocol', () => `selectedProtocol: ${SELECTED[value] ?? 'Unknown'} (${hex(value, 8)})`, value, offset + 4, 4, hex(value, 8));
    } else {
      b.add('rdp.negFailure.failureCode', () => `failureCode: ${FAILURES[value] ?? 'Unknown'} (${hex(value, 8)})`, value, offset + 4, 4, hex(value, 8));
      info += `, failureCode ${FAILURES[value] ?? `Unknown (0x${value.toString(16).padStart(8, '0')})`}`;
    }
  } catch (err) {
    stopped(b, err);
    info += ' [Malformed Packet]';
  }
  return { layer: b.layer, info };
}

const FASTPATH_ACTIONS: Record<number, string> = { 0: 'Fastpath', 3: 'X224' };
const CLIENT_EVENTS: Record<number, [name: string, size: number]> = {
  0: ['Scancode', 2], 1: ['Mouse', 7], 2: ['MouseEx', 7], 3: ['Sync', 1], 4: ['Unicode', 3], 6: ['QoE timestamp', 5],
};
const SERVER_UPDATES = ['Orders', 'Bitmap', 'Palette', 'Synchronize', 'Surface', 'NullPointer', 'DefaultPointer', 'Unknown', 'PointerPosition', 'ColorPointer', 'CachedPointer', 'NewPointer', 'LargePointer'];
const SERVER_UPDATE_CODES = ['Orders', 'Bitmap', 'Palette', 'Synchronize', 'Surface command', 'Pointer null', 'Pointer default', '', 'Pointer position', 'Color pointer', 'Cached pointer', 'New pointer', 'Large pointer'];
const FRAGMENTS = ['Single fragment', 'Last fragment', 'First fragment', 'Next fragment'];

/** A masked 8-bit field as proto_tree_add_item shows it: its bits, name and value (with its name). */
function masked(b: LayerBuilder, abbrev: string, name: string, byte: number, mask: number, at: number, names?: readonly string[] | Record<number, string>, hexBase = false): void {
  const shift = Math.log2(mask & -mask);
  const value = (byte & mask) >> shift;
  const shown = hexBase ? hex(value, 1) : String(value);
  const label = (): string => {
    const text = names?.[value as keyof typeof names];
    return `${bitPicture(byte, mask, 8)} = ${name}: ${text ? `${text} (${value})` : names ? `Unknown (${value})` : shown}`;
  };
  b.add(abbrev, label, value, at, 1, hexBase ? hex(value, 1) : undefined);
}

/**
 * dissect_rdp_fastpath, the heuristic TPKT tries on a segment that does not start with a TPKT
 * header (after CredSSP's, which needs a TSRequest): a Fast-Path PDU whose length is exactly the
 * segment's. `clientToServer` as rdp_isServerAddressTarget says it (the server is known once the
 * client's MCS Connect-Initial was seen). Null when it is not one.
 */
export function rdpFastPath(data: Buffer, offset: number, end: number, ctx: AppContext, clientToServer: boolean): RdpNegotiation | null {
  const stop = Math.min(end, data.length);
  if (stop - offset < 3) return null;
  const header = data[offset]!;
  if (header & 0x3) return null;
  let length = data[offset + 1]!;
  if (length === 0) return null;
  let lengthSize = 1;
  if (length & 0x80) {
    length = ((length & 0x7f) << 8) + data[offset + 2]!;
    lengthSize = 2;
  }
  if (length !== stop - offset) return null;
  const b = new LayerBuilder(data, 'rdp', TITLE, offset, offset + length, ctx.fields);
  let info = 'Fast-Path PDU';
  const event = (name: string): void => {
    info += `,${name}`;
  };
  try {
    const action = header & 0x3;
    b.group('rdp.fastpath.header', () => `Header: ${hex(header, 2)}, Action: ${FASTPATH_ACTIONS[action] ?? 'Unknown'}`, header, offset, 1, () => {
      masked(b, 'rdp.fastpath.action', 'Action', header, 0x03, offset, FASTPATH_ACTIONS);
      if (clientToServer) masked(b, 'rdp.fastpath.numevents', 'numEvents', header, 0x3c, offset);
      else masked(b, 'rdp.fastpath.reserved', 'Reserved', header, 0x3c, offset, undefined, true);
      masked(b, 'rdp.fastpath.flags', 'flags', header, 0xc0, offset);
    }, hex(header, 2));
    b.add('rdp.fastpathPDULength', () => `fastpathPDULength: ${length}`, length, offset + 1, lengthSize);
    let at = offset + 1 + lengthSize;
    // FASTPATH_INPUT_ENCRYPTED: an 8-byte signature, not shown.
    if ((header >> 6) & 0x2) at += 8;
    const subtree = (name: string, from: number, size: number, body: () => void): void => {
      b.need(from, size, name);
      b.group('', name, null, from, size, body);
    };
    if (clientToServer) {
      let events = (header >> 2) & 0xf;
      if (events === 0) {
        events = b.u8(at, 'numEvents2');
        b.add('rdp.fastpath.numevents2', () => `NumEvents2: ${events}`, events, at, 1);
        at += 1;
      }
      for (let k = 0; k < events; k++) {
        const flagsCode = b.u8(at, 'event header');
        const known = CLIENT_EVENTS[(flagsCode >> 5) & 0x7];
        if (known !== undefined) {
          const [name, size] = known;
          event(name);
          const from = at;
          subtree(name, from, size, () => {
            b.add('rdp.fastpath.eventheader', () => `EventHeaderCode: ${hex(flagsCode, 2)}`, flagsCode, from, 1, hex(flagsCode, 2));
          });
        }
        at += known?.[1] ?? 1;
      }
    } else {
      while (at < offset + length - 1) {
        const flagsCode = b.u8(at, 'update header');
        const code = flagsCode & 0xf;
        const compressed = flagsCode >> 6 !== 0;
        const sizeAt = at + 1 + (compressed ? 1 : 0);
        b.need(sizeAt, 2, 'update size');
        const size = data.readUInt16LE(sizeAt);
        const name = SERVER_UPDATES[code] ?? 'Unknown';
        event(name);
        const from = at;
        subtree(name, from, size + 1 + (compressed ? 1 : 0), () => {
          masked(b, 'rdp.fastpath.clienteventcode', 'Code', flagsCode, 0x0f, from, SERVER_UPDATE_CODES.map((text) => text || undefined) as string[]);
          masked(b, 'rdp.fastpath.serverfragmentation', 'Fragmentation', flagsCode, 0x30, from, FRAGMENTS);
          masked(b, 'rdp.fastpath.servercompression', 'Compression', flagsCode, 0xc0, from, undefined, true);
          if (compressed) {
            const type = data[from + 1]!;
            b.add('rdp.fastpath.server.compressiontype', () => `CompressionType: ${hex(type, 2)}`, type, from + 1, 1, hex(type, 2));
          }
          b.add('rdp.fastpath.server.size', () => `Size: ${size}`, size, sizeAt, 2);
        });
        at = sizeAt + 2 + size;
      }
    }
  } catch (err) {
    stopped(b, err);
    info += '[Malformed Packet]';
  }
  return { layer: b.layer, info };
}
