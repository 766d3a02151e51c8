/**
 * RADIUS (RFC 2865, 2866, 5176; UDP 1645, 1646, 1700, 1812, 1813, 3799 — tshark's default port
 * range) as tshark 4.0 shows it (epan/dissectors/packet-radius.c): code, identifier, length and
 * authenticator, then the attribute-value pairs up to the length: each AVP's type and length and its
 * value as Wireshark's dictionary types it (radius-attributes.ts), "AVP: t=User-Name(1) l=5 val=bob".
 * EAP-Message attributes are put together and the EAP packet dissected (frame.protocols gains
 * "eap"; the columns stay RADIUS's). Protocol "RADIUS", Info "Access-Request id=5".
 *
 * Like Wireshark, the dissector declines (the payload is data) an unknown code or a length below
 * 20 or above 4096; a length past the datagram is a malformed packet after the header. An AVP too
 * short or running past the length is an expert item that ends the AVPs (the Info is unchanged).
 * A response names its request (radius.reqframe, radius.time) when one of the same conversation
 * and identifier, of the matching kind, was seen at most 5 s before.
 * Left out: vendor-specific attributes' contents (shown by type and length), extended attributes,
 * duplicate detection, and authenticator validation (off by default in tshark).
 */
import { dissectSafely, hex, LayerBuilder } from './builder';
import { absoluteTimeText, ipv4Text, ipv6Text } from './app-format';
import { conversationKey } from './dissector';
import { eapLayer } from './eapol';
import { dataLayer } from './hsrp';
import { escapedText } from './lldp';
import type { AppContext, AppDissector, AppResult, Layer } from './model';
import { RADIUS_ATTRIBUTES, type RadiusAttribute } from './radius-attributes';

export const RADIUS_PORTS = [1645, 1646, 1700, 1812, 1813, 3799] as const;
const HEADER = 20;
const MAX_LENGTH = 4096;
/** tshark's radius.request_ttl preference: a response matches a request at most this old. */
const REQUEST_TTL_NS = 5_000_000_000n;

export const RADIUS_CODES: Record<number, string> = {
  1: 'Access-Request', 2: 'Access-Accept', 3: 'Access-Reject', 4: 'Accounting-Request', 5: 'Accounting-Response', 6: 'Accounting-Status',
  7: 'Password-Request', 8: 'Password-Ack', 9: 'Password-Reject', 10: 'Accounting-Message', 11: 'Access-Challenge', 12: 'Status-Server',
  13: 'Status-Client', 21: 'Resource-Free-Request', 22: 'Resource-Free-Response', 23: 'Resource-Query-Request', 24: 'Query_Response',
  25: 'Alternate-Resource-Reclaim-Request', 26: 'NAS-Reboot-Request', 27: 'NAS-Reboot-Response', 29: 'Next-Passcode', 30: 'New-Pin',
  31: 'Terminate-Session', 32: 'Password-Expired', 33: 'Event-Request', 34: 'Event-Response', 40: 'Disconnect-Request', 41: 'Disconnect-ACK',
  42: 'Disconnect-NAK', 43: 'CoA-Request', 44: 'CoA-ACK', 45: 'CoA-NAK', 50: 'IP-Address-Allocate', 51: 'IP-Address-Release',
  129: 'ALU-State-Request', 130: 'ALU-State-Accept', 131: 'ALU-State-Reject', 132: 'ALU-State-Error',
};
/** Requests and the responses each answers with (radius.req / radius.rsp, and request matching). */
const RESPONSES: Record<number, readonly number[]> = {
  1: [2, 3, 11], 4: [5], 7: [8, 9], 33: [34], 40: [41, 42], 43: [44, 45],
};
const RESPONSE_CODES = new Set(Object.values(RESPONSES).flat());

const EAP_MESSAGE = 79;
const FRAMED_IP_ADDRESS = 8;
const EGRESS_VLANID = 56;
const EGRESS_VLAN_NAME = 58;
const VLAN_TAGS: Record<number, string> = { 0x31: 'Tagged', 0x32: 'Untagged' };

interface Request {
  frame: number;
  code: number;
  tsNs: bigint;
}

/** Whether Wireshark's RADIUS dissector takes the payload: a known code and a plausible length. */
export function looksLikeRadius(data: Buffer, offset: number, end: number): boolean {
  const stop = Math.min(end, data.length);
  if (stop - offset < 4) return true; // too short to tell: tshark's dissector is called and fails on the header
  const length = data.readUInt16BE(offset + 2);
  return RADIUS_CODES[data[offset]!] !== undefined && length >= HEADER && length <= MAX_LENGTH;
}

export function createRadiusDissector(): AppDissector {
  /** Requests by conversation and identifier. */
  const requests = new Map<string, Request>();
  return {
    protocol: 'radius',
    fieldPrefixes: ['eap'],
    udpPorts: RADIUS_PORTS,
    stateful: true,
    claims: (data, offset, end) => looksLikeRadius(data, offset, end),
    dissect: (data, offset, end, ctx) => {
      const stop = Math.min(end, data.length);
      if (!looksLikeRadius(data, offset, end)) {
        return { layers: stop > offset ? [dataLayer(data, offset, stop, ctx.fields)] : [], protocolColumn: '', info: '' };
      }
      return dissectRadius(data, offset, end, ctx, requests);
    },
  };
}

export function dissectRadius(data: Buffer, offset: number, end: number, ctx: Partial<AppContext>, requests?: Map<string, Request>): AppResult {
  const b = new LayerBuilder(data, 'radius', 'RADIUS Protocol', offset, end, ctx.fields);
  const layers: Layer[] = [b.layer];
  let info = '';
  let headerDone = false;
  const eap: Buffer[] = [];
  const eapLayers: Layer[] = [];
  dissectSafely(b, () => {
    const code = b.u8(offset, 'code');
    const id = b.u8(offset + 1, 'identifier');
    const length = b.u16(offset + 2, 'length');
    const codeName = RADIUS_CODES[code] ?? 'Unknown Packet';
    info = `${codeName} id=${id}`;
    headerDone = true;
    b.add('radius.code', () => `Code: ${codeName} (${code})`, code, offset, 1);
    b.add('radius.id', () => `Packet identifier: ${hex(id, 1)} (${id})`, id, offset + 1, 1);
    b.add('radius.length', () => `Length: ${length}`, length, offset + 2, 2);
    const authenticator = b.bytes(offset + 4, 16, 'authenticator');
    b.add('radius.authenticator', () => `Authenticator: ${authenticator.toString('hex')}`, authenticator, offset + 4, 16, () => authenticator.toString('hex'));
    track(b, code, id, offset, ctx, requests);
    // The AVPs are a subset of the datagram of the header's length: past the datagram, an exception.
    b.need(offset + HEADER, length - HEADER, 'RADIUS attributes');
    b.setLength(length);
    if (length === HEADER) return;
    b.group('', 'Attribute Value Pairs', null, offset + HEADER, length - HEADER, () => {
      avps(b, offset + HEADER, offset + length, eap, eapLayers, ctx.fields);
    });
  });
  // A payload too short for the header: tshark's columns stay UDP's (its Info then also gets
  // "[Malformed Packet]", which is not reproduced here).
  if (!headerDone) return { layers, protocolColumn: '', info: '' };
  if (b.layer.status === 'malformed') info += '[Malformed Packet]';
  else if (b.layer.status === 'truncated') info += '[Packet size limited during capture]';
  layers.push(...eapLayers);
  return { layers, protocolColumn: 'RADIUS', info };
}

/** radius.req / radius.rsp, and a response's request frame and delay. */
function track(b: LayerBuilder, code: number, id: number, offset: number, ctx: Partial<AppContext>, requests?: Map<string, Request>): void {
  const isRequest = RESPONSES[code] !== undefined;
  const isResponse = RESPONSE_CODES.has(code);
  const key = ctx.src !== undefined ? `${conversationKey(ctx.src, ctx.srcPort ?? 0, ctx.dst ?? '', ctx.dstPort ?? 0)}|${id}` : '';
  const frame = ctx.frameNumber ?? 0;
  const ts = ctx.tsNs ?? 0n;
  if (isRequest) {
    const field = b.add('radius.req', 'Request: True', true, offset, 0);
    field.hidden = true;
    if (requests !== undefined && key !== '') {
      const known = requests.get(key);
      // A request seen again (a later pass over the same frame) keeps its first record.
      if (known === undefined || known.frame !== frame) requests.set(key, { frame, code, tsNs: ts });
      // tshark's -2: the frame of its response.
      const later = ctx.hindsight?.later('radius.rspframe', `${frame}|${key}`);
      if (later !== undefined) b.add('radius.rspframe', () => `[The response to this request is in frame ${later}]`, later, offset, 0);
    }
  } else if (isResponse) {
    const field = b.add('radius.rsp', 'Response: True', true, offset, 0);
    field.hidden = true;
    const request = requests !== undefined && key !== '' ? requests.get(key) : undefined;
    if (request !== undefined && request.frame < frame && RESPONSES[request.code]!.includes(code)) {
      const delta = ts - request.tsNs;
      if (delta <= REQUEST_TTL_NS && delta >= -REQUEST_TTL_NS) {
        ctx.hindsight?.link('radius.rspframe', `${request.frame}|${key}`, frame);
        b.add('radius.reqframe', () => `[This is a response to a request in frame ${request.frame}]`, request.frame, offset, 0);
        const seconds = secondsText(delta);
        b.add('radius.time', () => `[Time from request: ${seconds} seconds]`, seconds, offset, 0);
      }
    }
  }
}

function secondsText(ns: bigint): string {
  const negative = ns < 0n;
  const abs = negative ? -ns : ns;
  return `${negative ? '-' : ''}${abs / 1_000_000_000n}.${String(abs % 1_000_000_000n).padStart(9, '0')}`;
}

/** The AVPs of data[at, end); EAP-Message values are collected and the EAP packet dissected at the last. */
function avps(b: LayerBuilder, at: number, end: number, eap: Buffer[], eapLayers: Layer[], selection?: ReadonlySet<string>): void {
  const data = b.data;
  let eapSegments = 0;
  while (at < end) {
    if (end - at < 2) {
      b.add('', 'Not enough room in packet for AVP header', null, at, end - at);
      return;
    }
    const type = b.u8(at, 'AVP type');
    const length = b.u8(at + 1, 'AVP length');
    if (length < 2) {
      b.add('', `AVP too short: length ${length} < 2`, null, at, 2);
      return;
    }
    if (at + length > end) {
      b.add('', 'Not enough room in packet for AVP', null, at, end - at);
      return;
    }
    b.need(at, length, 'AVP');
    const attribute = RADIUS_ATTRIBUTES[type];
    const name = attribute?.name ?? 'Unknown-Attribute';
    const avpAt = at;
    const valueAt = at + 2;
    const valueLength = length - 2;
    const raw = data.subarray(at, at + length);
    let summary = '';
    const avp = b.group('radius.avp', '', raw, at, length, () => {
      b.add('radius.avp.type', () => `Type: ${type}`, type, avpAt, 1);
      b.add('radius.avp.length', () => `Length: ${length}`, length, avpAt + 1, 1);
      if (type === EAP_MESSAGE) {
        eapSegments++;
        eap.push(data.subarray(valueAt, valueAt + valueLength));
        const last = !(end - (at + length) >= 2 && data[at + length] === EAP_MESSAGE);
        summary = ` ${last ? 'Last ' : ''}Segment[${eapSegments}]`;
        const fragment = data.subarray(valueAt, valueAt + valueLength);
        b.add('radius.eap_fragment', () => `EAP fragment: ${fragment.toString('hex')}`, fragment, valueAt, valueLength, () => fragment.toString('hex'));
        if (last) {
          const whole = Buffer.concat(eap);
          eap.length = 0;
          eapSegments = 0;
          const { layer } = eapLayer(whole, 0, whole.length, selection);
          layer.source = 'reassembled';
          layer.data = whole;
          for (const f of allFields(layer.fields)) f.source = 'reassembled';
          eapLayers.push(layer);
        }
      } else {
        summary = ' ' + value(b, type, attribute, valueAt, valueLength);
      }
    }, () => raw.toString('hex'));
    // The AVP line ends with what its value's dissection found.
    if (b.tree) avp.label = `AVP: t=${name}(${type}) l=${length}${summary}`;
    // An EAP packet that fails ends the dissection of the attributes (its exception propagates).
    if (eapLayers.length > 0 && eapLayers[eapLayers.length - 1]!.status !== 'ok') return;
    at += length;
  }
}

function* allFields(fields: Layer['fields']): Generator<Layer['fields'][number]> {
  for (const f of fields) {
    yield f;
    if (f.children) yield* allFields(f.children);
  }
}

/** Adds an attribute's value fields; returns what its AVP line shows after "val=" (with "val=" or "Tag=…"). */
function value(b: LayerBuilder, type: number, attribute: RadiusAttribute | undefined, at: number, length: number): string {
  const data = b.data;
  if (attribute === undefined) {
    const bytes = data.subarray(at, at + length);
    b.add('radius.Unknown_Attribute', () => `Unknown-Attribute: ${bytes.toString('hex')}`, bytes, at, length, () => bytes.toString('hex'));
    return `val=${bytes.toString('hex')}`;
  }
  const name = attribute.name;
  const field = `radius.${name.replace(/-/g, '_')}`;
  if (type === FRAMED_IP_ADDRESS) {
    if (length !== 4) return 'val=[wrong length for IP address]';
    const address = ipv4Text(data, at);
    const word = data.readUInt32BE(at);
    const shown = word === 0xffffffff ? 'Negotiated' : word === 0xfffffffe ? 'Assigned' : address;
    b.add('radius.Framed-IP-Address', () => `Framed-IP-Address: ${shown}`, address, at, 4);
    return `val=${shown}`;
  }
  if (type === EGRESS_VLANID) {
    if (length !== 4) return 'val=[wrong length for Egress-VLANID]';
    const word = data.readUInt32BE(at);
    const tag = word >>> 24;
    const pad = (word >>> 12) & 0xfff;
    const vlan = word & 0xfff;
    const tagName = VLAN_TAGS[tag] ?? 'Unknown';
    b.add('radius.egress_vlanid_tag', () => `${bits32(word, 0xff000000)} = Tag: ${tagName} (${hex(tag, 2)})`, tag, at, 4, () => hex(tag, 8));
    b.add('radius.egress_vlanid_pad', () => `${bits32(word, 0x00fff000)} = Pad: ${hex(pad, 3)}`, pad, at, 4, () => hex(pad, 8));
    b.add('radius.egress_vlanid', () => `${bits32(word, 0xfff)} = Vlan ID: ${vlan}`, vlan, at, 4);
    return `val=${tagName}, Vlan ID: ${vlan}`;
  }
  if (type === EGRESS_VLAN_NAME) {
    if (length < 1) return 'val=[wrong length for Egress-VLAN-Name]';
    const tag = data[at]!;
    const tagName = VLAN_TAGS[tag] ?? 'Unknown';
    const vlanName = escapedText(data, at + 1, at + length);
    b.add('radius.egress_vlan_name_tag', () => `Tag: ${tagName} (${hex(tag, 2)})`, tag, at, 1, () => hex(tag, 2));
    b.add('radius.egress_vlan_name', () => `Vlan Name: ${vlanName}`, vlanName, at + 1, length - 1);
    return `val=${tagName}, Vlan Name: ${vlanName}`;
  }
  let prefix = '';
  if (attribute.tag && length > 0) {
    // Integers always carry a tag byte; strings one when the first byte is 0x01–0x1f (RFC 2868 3.5).
    const tag = data[at]!;
    if (attribute.kind === 'i' || tag <= 0x1f) {
      b.add(`${field}.tag`, () => `Tag: ${hex(tag, 2)}`, tag, at, 1, () => hex(tag, 2));
      prefix = `Tag=${hex(tag, 2)} `;
      at += 1;
      length -= 1;
    }
  }
  if (attribute.encrypted) {
    // No shared secret is configured (tshark's default): the value stays encrypted.
    const bytes = data.subarray(at, at + length);
    b.add(`${field}_encrypted`, () => `${name} (encrypted): ${bytes.toString('hex')}`, bytes, at, length, () => bytes.toString('hex'));
    return `${prefix}val=Encrypted`;
  }
  return prefix + 'val=' + typed(b, attribute, field, at, length);
}

function typed(b: LayerBuilder, attribute: RadiusAttribute, field: string, at: number, length: number): string {
  const data = b.data;
  const name = attribute.name;
  switch (attribute.kind) {
    case 's': {
      // -T fields prints the string as it is (up to a NUL, invalid UTF-8 replaced); the tree escapes it.
      const raw = data.subarray(at, at + length);
      const nul = raw.indexOf(0);
      const text = (nul < 0 ? raw : raw.subarray(0, nul)).toString('utf8');
      const shown = formatText(raw.toString('utf8'));
      b.add(field, () => `${name}: ${formatText(text)}`, text, at, length);
      return shown;
    }
    case 'i': {
      if (length === 0 || length > 8 || (length > 4 && length < 8)) return `[unhandled integer length(${length})]`;
      if (length === 8) {
        const big = data.readBigUInt64BE(at);
        b.add(field, () => `${name}: ${big}`, big, at, length);
        return String(big);
      }
      const n = data.readUIntBE(at, length);
      const named = attribute.values?.[n];
      if (attribute.values !== undefined) {
        b.add(field, () => `${name}: ${named ?? 'Unknown'} (${n})`, n, at, length);
        return `${named ?? 'Unknown'}(${n})`;
      }
      b.add(field, () => `${name}: ${n}`, n, at, length);
      return String(n);
    }
    case 'a': {
      if (length !== 4) return '[wrong length for IP address]';
      const address = ipv4Text(data, at);
      b.add(field, () => `${name}: ${address}`, address, at, 4);
      return address;
    }
    case '6': {
      if (length !== 16) return '[wrong length for IPv6 address]';
      const address = ipv6Text(data, at);
      b.add(field, () => `${name}: ${address}`, address, at, 16);
      return address;
    }
    case 'p': {
      if (length < 2 || length > 18) return '[wrong length for IPv6 prefix]';
      if (data[at] !== 0) return '[invalid reserved byte for IPv6 prefix]';
      const bits = data[at + 1]!;
      if (bits > 128) return '[invalid IPv6 prefix length]';
      const bytes = data.subarray(at, at + length);
      b.add(field, () => `${name}: ${bytes.toString('hex')}`, bytes, at, length, () => bytes.toString('hex'));
      const address = Buffer.alloc(16);
      data.copy(address, 0, at + 2, at + length);
      return `${ipv6Text(address, 0)}/${bits}`;
    }
    case 'd': {
      if (length !== 4) return '[wrong length for timestamp]';
      const time = absoluteTimeText(BigInt(data.readUInt32BE(at)), 0);
      b.add(field, () => `${name}: ${time}`, time, at, 4);
      return time;
    }
    default: {
      const bytes = data.subarray(at, at + length);
      b.add(field, () => `${name}: ${bytes.toString('hex')}`, bytes, at, length, () => bytes.toString('hex'));
      return bytes.toString('hex');
    }
  }
}

const C_ESCAPES: Record<number, string> = { 7: '\\a', 8: '\\b', 9: '\\t', 10: '\\n', 11: '\\v', 12: '\\f', 13: '\\r' };

/** Text as Wireshark 4.0's format_text() shows a string: control characters as C escapes or octal (\001). */
function formatText(text: string): string {
  return text.replace(/[\x00-\x1f\x7f]/g, (c) => {
    const code = c.charCodeAt(0);
    return C_ESCAPES[code] ?? `\\${code.toString(8).padStart(3, '0')}`;
  });
}

/** A 32-bit field's bit picture ("0011 0001 .... ...."), as Wireshark draws masked fields. */
function bits32(value: number, mask: number): string {
  let s = '';
  for (let i = 31; i >= 0; i--) {
    const bit = 2 ** i;
    s += Math.floor(mask / bit) % 2 ? String(Math.floor(value / bit) % 2) : '.';
    if (i % 4 === 0 && i > 0) s += ' ';
  }
  return s;
}

