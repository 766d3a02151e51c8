/**
 * SNMP (RFC 1157, 1905, 3412, 3414) on UDP 161, 162 and 8161 as tshark 4.0 shows it
 * (epan/dissectors/asn1/snmp: packet-snmp-template.c and snmp.cnf), without MIBs loaded (tshark's
 * default: OID resolution off, so OIDs are named only by the few names Wireshark registers itself):
 * - v1 / v2c Message: version, community, data (the PDU CHOICE); SNMPv3: msgVersion, msgGlobalData
 *   (msgID, msgMaxSize, msgFlags and its bits, msgSecurityModel), the USM parameters (engine ID with
 *   its RFC 3411 parts, boots, time, user name, authentication and privacy parameters), then a
 *   plaintext ScopedPDU (contextEngineID, contextName, data) or an encryptedPDU (tshark knows no
 *   key: Info "encryptedPDU: privKey Unknown").
 * - PDUs: get / get-next / get-response / set / getBulk / inform / snmpV2-trap / report (request-id,
 *   error-status and -index or non-repeaters and max-repetitions), v1 trap (enterprise, agent-addr,
 *   generic/specific trap, time-stamp); variable bindings with each value in its field by type.
 * - Info: the PDU's name, then each variable binding's OID (a v1 trap's enterprise first, by name).
 * - A response (get-response) names the request of the same conversation and request-id before it
 *   (snmp.response_to, snmp.time): tshark matches them in one pass, so a request shows no response_in.
 * The port dissector is a heuristic (a SEQUENCE no longer than the datagram holding an INTEGER):
 * anything else is data. Bytes after the message are data.
 */
import { dissectSafely, hex, LayerBuilder, StopDissection } from './builder';
import { absoluteTimeText, ipv4Text, ipv6Text, macText, printable } from './app-format';
import { BerClass, berOid, readBer, type BerTlv } from './ber';
import { conversationKey } from './dissector';
import { dataLayer } from './hsrp';
import type { AppContext, AppDissector, AppResult, Field, Layer } from './model';

export const SNMP_UDP_PORTS = [161, 162, 8161];

const VERSIONS: Record<number, string> = { 0: 'version-1', 1: 'v2c', 2: 'v2u', 3: 'snmpv3' };

/** The PDUs CHOICE: [tag] → name and field of its element (the choice index is the tag). */
const PDUS: Record<number, { name: string; abbrev: string }> = {
  0: { name: 'get-request', abbrev: 'snmp.get_request_element' },
  1: { name: 'get-next-request', abbrev: 'snmp.get_next_request_element' },
  2: { name: 'get-response', abbrev: 'snmp.get_response_element' },
  3: { name: 'set-request', abbrev: 'snmp.set_request_element' },
  4: { name: 'trap', abbrev: 'snmp.trap_element' },
  5: { name: 'getBulkRequest', abbrev: 'snmp.getBulkRequest_element' },
  6: { name: 'informRequest', abbrev: 'snmp.informRequest_element' },
  7: { name: 'snmpV2-trap', abbrev: 'snmp.snmpV2_trap_element' },
  8: { name: 'report', abbrev: 'snmp.report_element' },
};

const ERROR_STATUS = [
  'noError', 'tooBig', 'noSuchName', 'badValue', 'readOnly', 'genErr', 'noAccess', 'wrongType', 'wrongLength', 'wrongEncoding',
  'wrongValue', 'noCreation', 'inconsistentValue', 'resourceUnavailable', 'commitFailed', 'undoFailed', 'authorizationError',
  'notWritable', 'inconsistentName',
];
const GENERIC_TRAPS = ['coldStart', 'warmStart', 'linkDown', 'linkUp', 'authenticationFailure', 'egpNeighborLoss', 'enterpriseSpecific'];
const SECURITY_MODELS: Record<number, string> = { 0: 'Any', 1: 'V1', 2: 'V2C', 3: 'USM' };
const ENGINE_ID_FORMATS: Record<number, string> = {
  1: 'IPv4 address', 2: 'IPv6 address', 3: 'MAC address', 4: 'Text, administratively assigned', 5: 'Octets, administratively assigned',
};
/** A few private enterprise numbers (Wireshark's enterprises.tsv) for engine IDs' labels. */
const ENTERPRISES: Record<number, string> = {
  2: 'IBM', 9: 'ciscoSystems', 11: 'Hewlett-Packard', 43: '3Com', 311: 'Microsoft', 1991: 'Brocade Communication Systems, Inc.',
  2021: 'U.C. Davis, ECE Dept. Tom', 2636: 'Juniper Networks, Inc.', 4526: 'Netgear', 8072: 'net-snmp', 14988: 'MikroTik',
};

/** Requests by conversation and request-id: the latest one's frame and time (snmp_match_request_response). */
export type SnmpRequests = Map<string, { frame: number; tsNs: bigint; response: number }>;

export function createSnmpDissector(): AppDissector {
  const requests: SnmpRequests = new Map();
  /** The address and port pairs SNMP has made its conversation for. */
  const conversations = new Set<string>();
  return {
    protocol: 'snmp',
    udpPorts: SNMP_UDP_PORTS,
    stateful: true,
    claims: (data, offset, end) => looksLikeSnmp(data, offset, end),
    declines: true,
    dissect: (data, offset, end, ctx) => {
      const stop = Math.min(end, data.length);
      if (!looksLikeSnmp(data, offset, end)) {
        return { layers: stop > offset ? [dataLayer(data, offset, stop, ctx.fields)] : [], protocolColumn: '', info: '' };
      }
      // snmp_find_conversation_and_get_conv_data(): the pair's conversation is SNMP's, or a new one is made.
      if (ctx.src !== undefined) {
        const key = conversationKey(ctx.src, ctx.srcPort, ctx.dst, ctx.dstPort);
        if (!conversations.has(key)) {
          conversations.add(key);
          ctx.newConversation?.();
        }
      }
      return dissectSnmp(data, offset, end, ctx, requests);
    },
  };
}

/** Identifier and length octets as Wireshark's get_ber_identifier / get_ber_length read them (no checks). */
function header(data: Buffer, at: number): { cls: number; constructed: boolean; tag: number; length: number; valueStart: number } | null {
  if (at >= data.length) return null;
  const first = data[at++]!;
  let tag = first & 0x1f;
  if (tag === 0x1f) {
    tag = 0;
    for (let n = 0; ; n++) {
      if (at >= data.length || n > 4) return null;
      const o = data[at++]!;
      tag = tag * 128 + (o & 0x7f);
      if (!(o & 0x80)) break;
    }
  }
  if (at >= data.length) return null;
  let length = data[at++]!;
  if (length & 0x80) {
    const count = length & 0x7f;
    length = 0;
    for (let i = 0; i < count; i++) {
      if (at >= data.length) return null;
      length = length * 256 + data[at++]!;
    }
  }
  return { cls: first >> 6, constructed: (first & 0x20) !== 0, tag, length, valueStart: at };
}

/**
 * dissect_snmp's test: a universal SEQUENCE whose length fits in the datagram, holding a universal
 * INTEGER (the version).
 */
export function looksLikeSnmp(data: Buffer, offset: number, end: number): boolean {
  const outer = header(data, offset);
  if (!outer || outer.cls !== BerClass.Universal || outer.tag !== 16) return false;
  if (outer.length > end - outer.valueStart) return false;
  const version = header(data, outer.valueStart);
  return version !== null && version.cls === BerClass.Universal && version.tag === 2;
}

/** A signed INTEGER of up to 8 octets (Wireshark's dissect_ber_integer64 view). */
function signedValue(data: Buffer, start: number, length: number): bigint {
  if (length === 0) return 0n;
  let v = data[start]! & 0x80 ? -1n : 0n;
  for (let i = 0; i < length; i++) v = (v << 8n) | BigInt(data[start + i]!);
  return BigInt.asIntN(64, v);
}

function unsignedValue(data: Buffer, start: number, length: number): bigint {
  let v = 0n;
  for (let i = 0; i < length; i++) v = (v << 8n) | BigInt(data[start + i]!);
  return BigInt.asUintN(64, v);
}

/** FT_INT32 / FT_UINT32 the way dissect_ber_integer gives a 32-bit field (the low 32 bits). */
function int32(data: Buffer, tlv: BerTlv): number {
  return Number(BigInt.asIntN(32, signedValue(data, tlv.valueStart, Math.min(tlv.length, 8))));
}
function uint32(data: Buffer, tlv: BerTlv): number {
  return Number(BigInt.asUintN(32, signedValue(data, tlv.valueStart, Math.min(tlv.length, 8))));
}

/**
 * Bytes as a BASE_SHOW_ASCII_PRINTABLE FT_BYTES label shows them: the text in quotes when it is
 * printable UTF-8, else hex (cut at 36 bytes with an ellipsis); "<MISSING>" when empty.
 */
function bytesLabel(bytes: Buffer, showPrintable: boolean): string {
  if (bytes.length === 0) return '<MISSING>';
  // Printable means printable ASCII here (what the installed tshark quotes; "café" in UTF-8 stays hex).
  if (showPrintable && bytes.every((c) => c >= 0x20 && c < 0x7f)) return `"${bytes.toString('latin1')}"`;
  return `${bytes.toString('hex', 0, 36)}${bytes.length > 36 ? '…' : ''}`;
}

/**
 * OID names Wireshark knows without MIBs: the three roots, plus OIDs registered by other dissectors.
 * Those under 1.3.6.1 make 1.3, 1.3.6 and 1.3.6.1 nodes without names, so SNMP's OIDs there stay
 * numeric where tshark shows a node's own name ("Object Name: 1.3.6.1.2.1.1.1.0 (iso.3.6.1.2.1.1.1.0)").
 */
const OID_NAMES = new Map<string, string>([
  ['0', 'itu-t'],
  ['1', 'iso'],
  ['2', 'joint-iso-itu-t'],
  // Under 1.3.6.1, down to two arcs below each enterprise number, the installed tshark names only
  // these (found by asking it for every such OID); deeper names of other protocols' OIDs (PKIX, ...)
  // are not all here.
  ['1.3.6.1.1.8', 'cancelRequestOID'],
  ['1.3.6.1.4.1.311.2.2.10', 'NTLMSSP - Microsoft NTLM Security Support Provider'],
  ['1.3.6.1.4.1.46609.2', 'CBRS Policy Documents'],
  ['1.3.6.1.4.1.46609.2.1', 'CBRS Certificates issued pursuant to CPS'],
  ['1.3.6.1.5.5.2', 'SPNEGO - Simple Protected Negotiation'],
  ['1.3.6.1.5.5.7', 'id-pkix'],
  ['1.3.6.1.5.5.7.3.1', 'id-kp-serverAuth'],
  ['1.3.6.1.5.5.7.5', 'id-pkip'],
  ['1.2.840', 'ISO assigned OIDs, USA'],
]);
/** Nodes that exist without a name (ancestors of registered OIDs). */
const OID_UNNAMED = new Set<string>([
  '1.2', '1.2.840.113549', '1.3', '1.3.6', '1.3.6.1', '1.3.6.1.1', '1.3.6.1.4', '1.3.6.1.4.1', '1.3.6.1.4.1.311', '1.3.6.1.4.1.311.2',
  '1.3.6.1.4.1.311.2.2', '1.3.6.1.4.1.46609', '1.3.6.1.5', '1.3.6.1.5.5', '1.3.6.1.5.5.7.3',
]);

/** oid_resolved(): the deepest named ancestor's name, then the remaining arcs. */
export function oidResolved(oid: string): string {
  const arcs = oid.split('.');
  for (let n = arcs.length; n > 0; n--) {
    const name = OID_NAMES.get(arcs.slice(0, n).join('.'));
    if (name !== undefined) return n === arcs.length ? name : `${name}.${arcs.slice(n).join('.')}`;
  }
  return oid;
}

/** oid_get_from_encoded(): the deepest known node; its name when it has one (else undefined) and how many arcs it matched. */
function oidNode(oid: string): { name?: string; matched: number } {
  const arcs = oid.split('.');
  for (let n = arcs.length; n > 0; n--) {
    const prefix = arcs.slice(0, n).join('.');
    const name = OID_NAMES.get(prefix);
    if (name !== undefined) return { name, matched: n };
    if (OID_UNNAMED.has(prefix)) return { matched: n };
  }
  return { matched: 0 };
}

/** An FT_OID label's value: the dotted OID and, when it resolves to something else, that in parentheses. */
export function oidLabel(oid: string): string {
  const resolved = oidResolved(oid);
  return resolved !== oid ? `${oid} (${resolved})` : oid;
}

/** A string as Wireshark's format_text() shows it: C escapes, other control characters in octal. */
function cEscaped(text: string): string {
  const named: Record<string, string> = { '\x07': '\\a', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\v': '\\v', '\\': '\\\\' };
  return text.replace(/[\x00-\x1f\x7f\\]/g, (c) => named[c] ?? `\\${c.charCodeAt(0).toString(8).padStart(3, '0')}`);
}

/** FT_BYTES in -T fields: plain hex, "<MISSING>" when empty (as the label). */
function hexText(bytes: Buffer): string {
  return bytes.length === 0 ? '<MISSING>' : bytes.toString('hex');
}

function secondsText(ns: bigint): string {
  const negative = ns < 0n;
  const abs = negative ? -ns : ns;
  return `${negative ? '-' : ''}${abs / 1_000_000_000n}.${String(abs % 1_000_000_000n).padStart(9, '0')}`;
}

type ValueKind = 'int' | 'uint' | 'bytes' | 'octets' | 'oid' | 'null' | 'ipv4' | 'ipv6';

/** OIDs whose value Wireshark also shows as a string (snmp.variable_oid table: sysDescr.0, sysName.0). */
const STRING_VALUE_OIDS = new Set(['1.3.6.1.2.1.1.1.0', '1.3.6.1.2.1.1.5.0']);

export function dissectSnmp(data: Buffer, offset: number, end: number, ctx: Partial<AppContext>, requests?: SnmpRequests): AppResult {
  const b = new LayerBuilder(data, 'snmp', 'Simple Network Management Protocol', offset, end, ctx.fields);
  const layers: Layer[] = [b.layer];
  // Until the PDUs clear it (or an encryptedPDU replaces it) the Info column keeps UDP's text.
  let info = '';
  let cleared = false;
  let messageEnd = -1;
  /** Value parts given to the snmp.variable_oid dissectors once the message is done (next_tvb_call). */
  const strings: Array<() => void> = [];

  /** The TLV at `at` inside `limit`, or a stop as tshark's BER would end it (truncated by the capture, else malformed). */
  const tlv = (at: number, limit: number, what: string): BerTlv => {
    const stop = Math.min(limit, end);
    const r = readBer(data, at, stop, data.length);
    let t: BerTlv;
    if (r.ok) t = r.tlv;
    else {
      // tshark reads a TLV's header, then its contents piece by piece: a header that fits with
      // contents the capture cut short is read, and what follows stops where the bytes end.
      const h = r.problem === 'truncated' ? header(data, at) : null;
      if (h === null || h.valueStart + h.length > stop) {
        throw new StopDissection(r.problem === 'truncated' && stop > data.length ? 'truncated' : 'malformed', `${what}: ${r.what}`);
      }
      t = { cls: h.cls, constructed: h.constructed, tag: h.tag, start: at, valueStart: h.valueStart, length: h.length, valueEnd: h.valueStart + h.length, end: h.valueStart + h.length, indefinite: false };
    }
    return t;
  };
  /** A primitive's contents, which must be there before its item is added. */
  const contents = (t: BerTlv, what: string): void => b.need(t.valueStart, t.length, what);
  const expect = (t: BerTlv, cls: BerClass, tag: number, what: string): void => {
    if (t.cls !== cls || t.tag !== tag) throw new StopDissection('malformed', `${what}: unexpected element`);
  };

  /** An FT_NONE item (tshark -T fields prints "1" for it) holding what `body` adds. */
  const none = (abbrev: string, label: string, at: number, length: number, body: () => void): void => {
    b.group(abbrev, label, null, at, length, body, '1');
  };
  const integerField = (abbrev: string, name: string, t: BerTlv, signed: boolean, names?: (v: number) => string | undefined): number => {
    contents(t, name);
    const v = signed ? int32(data, t) : uint32(data, t);
    const shown = names?.(v);
    b.add(abbrev, () => (shown !== undefined ? `${name}: ${shown} (${v})` : `${name}: ${v}`), v, t.valueStart, t.length);
    return v;
  };
  const octetsField = (abbrev: string, name: string, t: BerTlv): Buffer => {
    contents(t, name);
    const bytes = data.subarray(t.valueStart, t.valueEnd);
    b.add(abbrev, () => `${name}: ${bytesLabel(bytes, false)}`, bytes, t.valueStart, t.length, () => hexText(bytes));
    return bytes;
  };
  const stringField = (abbrev: string, name: string, t: BerTlv): string => {
    contents(t, name);
    const text = printable(data.subarray(t.valueStart, t.valueEnd));
    b.add(abbrev, () => `${name}: ${text}`, text, t.valueStart, t.length);
    return text;
  };
  const engineIdField = (abbrev: string, name: string, t: BerTlv): void => {
    contents(t, name);
    const bytes = data.subarray(t.valueStart, t.valueEnd);
    b.group(abbrev, () => `${name}: ${bytesLabel(bytes, false)}`, bytes, t.valueStart, t.length, () => engineId(b, t.valueStart, t.length), () => hexText(bytes));
  };

  const dissectPdus = (at: number, limit: number, version: number, choice = 'snmp.data', choiceName = 'data'): void => {
    info = '';
    cleared = true;
    const t = tlv(at, limit, 'PDU');
    const pdu = t.cls === BerClass.Context ? PDUS[t.tag] : undefined;
    // A PDU type tshark does not know: its BER adds the element as unknown, the Info stays empty.
    if (pdu === undefined) return;
    let requestId: number | undefined;
    b.group(choice, () => `${choiceName}: ${pdu.name} (${t.tag})`, t.tag, t.start, t.end - t.start, () => {
      none(pdu.abbrev, pdu.name, t.start, t.end - t.start, () => {
        let p = t.valueStart;
        const next = (what: string): BerTlv => {
          const e = tlv(p, t.valueEnd, what);
          p = e.end;
          return e;
        };
        if (t.tag === 4) {
          const enterprise = next('enterprise');
          expect(enterprise, BerClass.Universal, 6, 'enterprise');
          contents(enterprise, 'enterprise');
          const oid = berOid(data, enterprise.valueStart, enterprise.length);
          b.add('snmp.enterprise', () => `enterprise: ${oidLabel(oid)}`, oid, enterprise.valueStart, enterprise.length);
          info += ` ${oidResolved(oid)}`;
          const agent = next('agent-addr');
          contents(agent, 'agent-addr');
          const agentText = agent.length === 4 ? ipv4Text(data, agent.valueStart) : '';
          b.add('snmp.agent_addr', () => `agent-addr: ${agentText}`, agentText, agent.valueStart, agent.length);
          integerField('snmp.generic_trap', 'generic-trap', next('generic-trap'), true, (v) => GENERIC_TRAPS[v] ?? 'Unknown');
          integerField('snmp.specific_trap', 'specific-trap', next('specific-trap'), true);
          integerField('snmp.time_stamp', 'time-stamp', next('time-stamp'), false);
        } else {
          const id = next('request-id');
          requestId = int32(data, id);
          integerField('snmp.request_id', 'request-id', id, true);
          if (t.tag === 5) {
            integerField('snmp.non_repeaters', 'non-repeaters', next('non-repeaters'), false);
            integerField('snmp.max_repetitions', 'max-repetitions', next('max-repetitions'), false);
          } else {
            integerField('snmp.error_status', 'error-status', next('error-status'), true, (v) => ERROR_STATUS[v] ?? 'Unknown');
            integerField('snmp.error_index', 'error-index', next('error-index'), true);
          }
        }
        const list = next('variable-bindings');
        expect(list, BerClass.Universal, 16, 'variable-bindings');
        varBindList(list);
      });
      // A v1 trap in a later version's message: tshark's note, beside the trap.
      if (t.tag === 4 && version !== 0) expert('snmp.trap_pdu_obsolete', 'Trap-PDU is obsolete in this SNMP version', 'Warning', 'Protocol', t.start, t.end - t.start);
    });
    info = pdu.name + info;
    track(t.tag, requestId);
  };

  const track = (tag: number, requestId: number | undefined): void => {
    if (requestId === undefined || requests === undefined || ctx.src === undefined) return;
    const key = `${conversationKey(ctx.src, ctx.srcPort ?? 0, ctx.dst ?? '', ctx.dstPort ?? 0)}|${requestId >>> 0}`;
    const frame = ctx.frameNumber ?? 0;
    const ts = ctx.tsNs ?? 0n;
    if (tag === 0 || tag === 1 || tag === 3 || tag === 5 || tag === 6) {
      const known = requests.get(key);
      // A later dissection of the same frame (or of an earlier one) keeps the record as the first pass left it.
      if (known === undefined || known.frame <= frame) requests.set(key, { frame, tsNs: ts, response: 0 });
    } else if (tag === 2) {
      const request = requests.get(key);
      if (request !== undefined && request.frame < frame) {
        b.add('snmp.response_to', () => `[Response To: ${request.frame}]`, request.frame, offset, 0);
        const seconds = secondsText(ts - request.tsNs);
        b.add('snmp.time', () => `[Time: ${seconds} seconds]`, seconds, offset, 0);
      }
    }
  };

  const varBindList = (list: BerTlv): void => {
    // The items are counted only when the whole list was captured.
    let count = 0;
    const whole = list.valueEnd <= data.length;
    if (whole) {
      for (let p = list.valueStart; p < list.valueEnd; count++) {
        const r = readBer(data, p, list.valueEnd, data.length);
        if (!r.ok) break;
        p = r.tlv.end;
      }
    }
    b.group('snmp.variable_bindings', () => `variable-bindings: ${whole ? `${count} item${count === 1 ? '' : 's'}` : 'unknown number of items'}`, count, list.start, list.end - list.start, () => {
      for (let p = list.valueStart; p < list.valueEnd; ) {
        const item = tlv(p, list.valueEnd, 'VarBind');
        varBind(item);
        p = item.end;
      }
    });
  };

  const expert = (abbrev: string, text: string, severity: string, group: string, at: number, length: number): void => expertInfo(b, abbrev, text, severity, group, at, length);

  /**
   * dissect_snmp_VarBind(): the name, then the value by its class and tag (no MIB says more). Its
   * line is "OID: <the value item's text>"; Info gets the OID.
   */
  const varBind = (seq: BerTlv): void => {
    const nameTlv = tlv(seq.valueStart, seq.valueEnd, 'ObjectName');
    if (nameTlv.cls !== BerClass.Universal || nameTlv.tag !== 6 || nameTlv.constructed) {
      b.group('', 'ObjectName must be an OID in primitive encoding', null, seq.start, seq.end - seq.start, () => {
        expert('snmp.objectname_not_oid', 'ObjectName not an OID', 'Warning', 'Malformed', seq.start, seq.end - seq.start);
      });
      return;
    }
    contents(nameTlv, 'ObjectName');
    const oid = berOid(data, nameTlv.valueStart, nameTlv.length);
    const node = oidNode(oid);
    const arcs = oid === '' ? [] : oid.split('.');
    const named = node.name !== undefined ? (arcs.length > node.matched ? `${node.name}.${arcs.slice(node.matched).join('.')}` : node.name) : undefined;
    const repr = named !== undefined ? `${named} (${oid})` : oid || '[Bad OID]';
    const infoOid = named ?? oid;
    /** The value item's text after its ": " ('' when tshark adds none). */
    let valueLabel = '';
    let valueField: Field | null = null;
    /** Whether the binding was dissected to its end (not left as an error subtree). */
    let done = false;
    let vs = 0;
    let vl = 0;
    const binding = b.group('', 'VarBind', null, seq.valueStart, seq.length, () => {
      b.add('snmp.name', () => `Object Name: ${oidLabel(oid)}`, oid, nameTlv.valueStart, nameTlv.length);
      const valueTlv = tlv(nameTlv.end, seq.valueEnd, 'value');
      vs = valueTlv.valueStart;
      vl = valueTlv.length;
      if (valueTlv.constructed) {
        b.group('', 'the value must be in primitive encoding', null, nameTlv.end, vl, () => {
          expert('snmp.value_not_primitive_encoding', 'value not in primitive encoding', 'Warning', 'Malformed', nameTlv.end, vl);
        });
        return;
      }
      const cls = valueTlv.cls;
      const tag = valueTlv.tag;
      if (cls === BerClass.Context) {
        const names: Record<number, string> = { 0: 'noSuchObject', 1: 'noSuchInstance', 2: 'endOfMibView' };
        const note = names[tag];
        if (note === undefined) {
          b.group('', `Wrong tag for Error Value: expected 0, 1, or 2 but got: ${tag}`, null, 0, 0, () => {
            expert('snmp.varbind.wrong_tag', 'Wrong tag for SNMP VarBind error value', 'Warning', 'Malformed', 0, 0);
          });
          return;
        }
        none(`snmp.${note}`, note, vs, vl, () => expert('snmp.varbind.response', note, 'Note', 'Response', vs, vl));
        valueLabel = note;
        done = true;
        return;
      }
      contents(valueTlv, 'value');
      let abbrev = 'snmp.value.unk';
      let name = 'Unknown';
      let kind = 'bytes' as ValueKind;
      if (cls === BerClass.Universal && tag === 2) [abbrev, name, kind] = ['snmp.value.int', 'Integer32', 'int'];
      else if (cls === BerClass.Universal && tag === 4) [abbrev, name, kind] = ['snmp.value.octets', 'OctetString', 'octets'];
      else if (cls === BerClass.Universal && tag === 6) [abbrev, name, kind] = ['snmp.value.oid', 'OID', 'oid'];
      else if (cls === BerClass.Universal && tag === 5) [abbrev, name, kind] = ['snmp.value.null', 'Null', 'null'];
      else if (cls === BerClass.Application) {
        const app: Record<number, [string, string, ValueKind]> = {
          0: vl === 4 ? ['snmp.value.ipv4', 'IpAddress', 'ipv4'] : vl === 16 ? ['snmp.value.ipv6', 'IpAddress', 'ipv6'] : ['snmp.value.addr', 'IpAddress', 'bytes'],
          1: ['snmp.value.counter', 'Counter32', 'uint'],
          2: ['snmp.value.g32', 'Gauge32', 'int'],
          3: ['snmp.value.timeticks', 'Timeticks', 'uint'],
          4: ['snmp.value.opaque', 'Opaque', 'bytes'],
          5: ['snmp.value.nsap', 'NSAP', 'uint'],
          6: ['snmp.value.counter', 'Counter64', 'uint'],
          7: ['snmp.value.u32', 'Unsigned32', 'int'],
        };
        const entry = app[tag];
        if (entry) [abbrev, name, kind] = entry;
      }
      const title = `Value (${name})`;
      done = true;
      if (kind === 'int' || kind === 'uint') {
        // 64-bit fields: up to 8 octets (an unsigned one may have a 9th, leading zero); Integer32 takes 1..4.
        let start = vs;
        let length = vl;
        if (length > 8 && kind === 'uint' && length === 9 && data[start] === 0) {
          start++;
          length--;
        }
        if (length > 8) {
          const text = kind === 'uint' ? 'Integral value too large' : 'Integral value too large or too small';
          b.group('', text, null, vs, vl, () => expert(kind === 'uint' ? 'snmp.uint_too_large' : 'snmp.int_too_large', text, 'Note', 'Undecoded', vs, vl));
          return;
        }
        if (length === 0) {
          b.group('', 'Integral value is zero-length', null, vs, vl, () => expert('snmp.integral_value0', 'Integral value is zero-length', 'Note', 'Undecoded', vs, vl));
          return;
        }
        const v = kind === 'int' ? signedValue(data, start, length) : unsignedValue(data, start, length);
        valueLabel = String(v);
        valueField = b.add(abbrev, () => `${title}: ${v}`, v, start, length);
      } else if (kind === 'null') {
        valueLabel = title;
        valueField = b.add(abbrev, title, null, vs, vl, '1');
      } else if (kind === 'oid') {
        const value = berOid(data, vs, vl);
        valueLabel = oidLabel(value);
        valueField = b.add(abbrev, () => `${title}: ${valueLabel}`, value, vs, vl);
      } else if (kind === 'ipv4' || kind === 'ipv6') {
        const text = kind === 'ipv4' ? ipv4Text(data, vs) : ipv6Text(data, vs);
        valueLabel = text;
        valueField = b.add(abbrev, () => `${title}: ${text}`, text, vs, vl);
      } else {
        const bytes = data.subarray(vs, vs + vl);
        valueLabel = bytesLabel(bytes, kind === 'octets');
        valueField = b.add(abbrev, () => `${title}: ${valueLabel}`, bytes, vs, vl, () => hexText(bytes));
      }
    });
    if (!done) return;
    if (b.tree) binding.label = `${repr}: ${valueLabel}`;
    info += ` ${infoOid}`;
    // The value of sysDescr.0 / sysName.0, whatever its type, goes to the string dissector registered
    // for it (a call by handle: one more "snmp" in frame.protocols), under the value's item.
    if (valueLabel !== 'noSuchObject' && valueLabel !== 'noSuchInstance' && valueLabel !== 'endOfMibView' && vl > 0 && STRING_VALUE_OIDS.has(oid)) {
      const target = valueField as Field | null;
      const start = vs;
      const length = vl;
      strings.push(() => {
        // FT_STRING, ENC_ASCII: bytes past 0x7f become U+FFFD; the label escapes the others as C does.
        const raw = data.subarray(start, start + length);
        const text = [...raw].map((c) => (c > 0x7f ? '\ufffd' : String.fromCharCode(c))).join('');
        if (target === null || (ctx.fields !== undefined && !ctx.fields.has('snmp.var-bind_str'))) return;
        const item: Field = { abbrev: 'snmp.var-bind_str', label: ctx.fields ? '' : `Variable-binding-string: ${cEscaped(text)}`, value: text, text, offset: start, length };
        if (ctx.fields !== undefined) b.layer.fields.push(item);
        else (target.children ??= []).push(item);
      });
    }
  };

  const dissectScopedPdu = (at: number, limit: number, version: number): void => {
    const seq = tlv(at, limit, 'ScopedPDU');
    none('snmp.plaintext_element', 'plaintext', seq.start, seq.end - seq.start, () => {
      const engine = tlv(seq.valueStart, seq.valueEnd, 'contextEngineID');
      engineIdField('snmp.contextEngineID', 'contextEngineID', engine);
      const name = tlv(engine.end, seq.valueEnd, 'contextName');
      stringField('snmp.contextName', 'contextName', name);
      dissectPdus(name.end, seq.valueEnd, version);
    });
  };

  const layer = dissectSafely(b, () => {
    const outer = tlv(offset, end, 'SNMP message');
    messageEnd = outer.end;
    b.setLength(outer.end - offset);
    const versionTlv = tlv(outer.valueStart, outer.valueEnd, 'version');
    expect(versionTlv, BerClass.Universal, 2, 'version');
    const version = int32(data, versionTlv);
    if (version === 0 || version === 1) {
      integerField('snmp.version', 'version', versionTlv, true, (v) => VERSIONS[v]);
      const community = tlv(versionTlv.end, outer.valueEnd, 'community');
      stringField('snmp.community', 'community', community);
      dissectPdus(community.end, outer.valueEnd, version);
    } else if (version === 3) {
      integerField('snmp.msgVersion', 'msgVersion', versionTlv, true, (v) => VERSIONS[v]);
      const global = tlv(versionTlv.end, outer.valueEnd, 'msgGlobalData');
      let securityModel = -1;
      let flags = 0;
      none('snmp.msgGlobalData_element', 'msgGlobalData', global.start, global.end - global.start, () => {
        let p = global.valueStart;
        const next = (what: string): BerTlv => {
          const e = tlv(p, global.valueEnd, what);
          p = e.end;
          return e;
        };
        integerField('snmp.msgID', 'msgID', next('msgID'), false);
        integerField('snmp.msgMaxSize', 'msgMaxSize', next('msgMaxSize'), false);
        const flagsTlv = next('msgFlags');
        const flagBytes = data.subarray(flagsTlv.valueStart, flagsTlv.valueEnd);
        b.group('snmp.msgFlags', () => `msgFlags: ${bytesLabel(flagBytes, false)}`, flagBytes, flagsTlv.valueStart, flagsTlv.length, () => {
          // An empty msgFlags: tshark reads its first octet anyway (an exception: malformed).
          if (flagBytes.length === 0) throw new StopDissection('malformed', 'msgFlags: empty');
          flags = flagBytes[0]!;
          const bit = (abbrev: string, mask: number, name: string, picture: string): void => {
            const set = (flags & mask) !== 0;
            b.add(abbrev, () => `${picture.replace('x', set ? '1' : '0')} = ${name}: ${set ? 'Set' : 'Not set'}`, set, flagsTlv.valueStart, 1);
          };
          bit('snmp.v3.flags.report', 0x04, 'Reportable', '.... .x..');
          bit('snmp.v3.flags.crypt', 0x02, 'Encrypted', '.... ..x.');
          bit('snmp.v3.flags.auth', 0x01, 'Authenticated', '.... ...x');
        }, () => hexText(flagBytes));
        securityModel = integerField('snmp.msgSecurityModel', 'msgSecurityModel', next('msgSecurityModel'), false, (v) => SECURITY_MODELS[v]);
      });
      const params = tlv(global.end, outer.valueEnd, 'msgSecurityParameters');
      if (securityModel === 3) {
        // USM: the OCTET STRING's header is skipped and the SEQUENCE inside read in its place.
        const usm = tlv(params.valueStart, params.valueEnd, 'UsmSecurityParameters');
        let p = usm.valueStart;
        const next = (what: string): BerTlv => {
          const e = tlv(p, usm.valueEnd, what);
          p = e.end;
          return e;
        };
        engineIdField('snmp.msgAuthoritativeEngineID', 'msgAuthoritativeEngineID', next('msgAuthoritativeEngineID'));
        integerField('snmp.msgAuthoritativeEngineBoots', 'msgAuthoritativeEngineBoots', next('msgAuthoritativeEngineBoots'), false);
        integerField('snmp.msgAuthoritativeEngineTime', 'msgAuthoritativeEngineTime', next('msgAuthoritativeEngineTime'), false);
        stringField('snmp.msgUserName', 'msgUserName', next('msgUserName'));
        octetsField('snmp.msgAuthenticationParameters', 'msgAuthenticationParameters', next('msgAuthenticationParameters'));
        octetsField('snmp.msgPrivacyParameters', 'msgPrivacyParameters', next('msgPrivacyParameters'));
      } else {
        octetsField('snmp.msgSecurityParameters', 'msgSecurityParameters', params);
      }
      const msgData = tlv(params.end, outer.valueEnd, 'msgData');
      if (msgData.cls === BerClass.Universal && msgData.tag === 16) {
        b.group('snmp.msgData', 'msgData: plaintext (0)', 0, msgData.start, msgData.end - msgData.start, () => dissectScopedPdu(msgData.start, outer.valueEnd, version));
      } else if (msgData.cls === BerClass.Universal && msgData.tag === 4) {
        b.group('snmp.msgData', 'msgData: encryptedPDU (1)', 1, msgData.start, msgData.end - msgData.start, () => {
          octetsField('snmp.encryptedPDU', 'encryptedPDU', msgData);
        });
        // No users table: tshark cannot decrypt.
        info = 'encryptedPDU: privKey Unknown';
        cleared = true;
      } else throw new StopDissection('malformed', 'msgData: unexpected element');
    } else if (version === 2) {
      // The historic SNMPv2u: parameters, then plaintext PDUs or encrypted bytes.
      integerField('snmp.version', 'version', versionTlv, true, (v) => VERSIONS[v]);
      const parameters = tlv(versionTlv.end, outer.valueEnd, 'parameters');
      octetsField('snmp.parameters', 'parameters', parameters);
      const datav2u = tlv(parameters.end, outer.valueEnd, 'datav2u');
      if (datav2u.cls === BerClass.Universal && datav2u.tag === 4) {
        b.group('snmp.datav2u', 'datav2u: encrypted (1)', 1, datav2u.start, datav2u.end - datav2u.start, () => octetsField('snmp.encrypted', 'encrypted', datav2u));
      } else {
        b.group('snmp.datav2u', 'datav2u: plaintext (0)', 0, datav2u.start, datav2u.end - datav2u.start, () => dissectPdus(datav2u.start, outer.valueEnd, version, 'snmp.plaintext', 'plaintext'));
      }
    } else {
      // A version tshark does not know: only its expert note, and the columns stay as they were.
      expert('snmp.version.unknown', 'Unknown version', 'Warning', 'Protocol', offset, 0);
      messageEnd = -1;
    }
  });
  const stop = Math.min(end, data.length);
  if (layer.status === 'ok' && messageEnd >= 0 && messageEnd < stop) {
    // Bytes after the message: data (and then the variable strings are not dissected).
    layers.push(dataLayer(data, messageEnd, stop, ctx.fields));
  } else for (const add of strings) add();
  const chain = ['snmp' + ':snmp'.repeat(layers.length === 1 ? strings.length : 0), 'data'];
  if (layer.status === 'malformed') info += '[Malformed Packet]';
  else if (layer.status === 'truncated') info += '[Packet size limited during capture]';
  return { layers, chain, protocolColumn: 'SNMP', info, keepsInfo: !cleared };
}

/** An expert info as tshark shows it: the message, then its severity and group. */
function expertInfo(b: LayerBuilder, abbrev: string, text: string, severity: string, group: string, at: number, length: number): void {
  b.group('_ws.expert', `[Expert Info (${severity}/${group}): ${text}]`, null, at, length, () => {
    b.add(abbrev, `[${text}]`, null, at, length, '1');
    b.add('_ws.expert.severity', `[Severity level: ${severity}]`, null, at, length);
    b.add('_ws.expert.group', `[Group: ${group}]`, null, at, length);
  });
}

/** proto_tree_add_expert(): an item with the expert's text, holding the expert info. */
function expertItem(b: LayerBuilder, abbrev: string, text: string, severity: string, group: string, at: number, length: number): void {
  b.group('', text, null, at, length, () => expertInfo(b, abbrev, text, severity, group, at, length));
}

/** dissect_snmp_engineid(): an SnmpEngineID's parts (RFC 3411, or RFC 1910's AgentID). */
function engineId(b: LayerBuilder, at: number, length: number): void {
  const data = b.data;
  if (length < 1) return;
  const conform = data[at]! >> 7;
  b.add('snmp.engineid.conform', () => `${conform ? '1' : '0'}... .... = Engine ID Conformance: ${conform ? 'RFC3411 (SNMPv3)' : 'RFC1910 (Non-SNMPv3)'}`, conform === 1, at, 1);
  if (length < 4) return;
  let enterprise = data.readUInt32BE(at);
  if (conform) enterprise -= 0x80000000;
  b.add('snmp.engineid.enterprise', () => `Engine Enterprise ID: ${ENTERPRISES[enterprise] ?? 'Unknown'} (${enterprise})`, enterprise, at, 4);
  let p = at + 4;
  let left = length - 4;
  if (!conform) {
    if (left === 8) {
      const trailer = data.subarray(p, p + 8);
      b.add('snmp.agentid_trailer', () => `AgentID Trailer: ${trailer.toString('hex')}`, trailer, p, 8, () => trailer.toString('hex'));
      return;
    }
    expertItem(b, 'snmp.rfc1910_non_conformant', 'Data not conforming to RFC1910', 'Warning', 'Protocol', p, left);
    return;
  }
  if (left < 1) return;
  const format = data[p]!;
  const formatName = ENGINE_ID_FORMATS[format] ?? 'Reserved/Enterprise-specific';
  const netSnmp = format === 128 && (enterprise === 2021 || enterprise === 8072);
  const suffix = netSnmp ? (enterprise === 2021 ? ': UCD-SNMP Random' : ': Net-SNMP Random') : '';
  b.add('snmp.engineid.format', () => `Engine ID Format: ${formatName} (${format})${suffix}`, format, p, 1);
  p++;
  left--;
  const rest = (): void => {
    if (left <= 27) {
      const bytes = data.subarray(p, p + left);
      b.add('snmp.engineid.data', () => `Engine ID Data: ${bytes.toString('hex')}`, bytes, p, left, () => hexText(bytes));
      p += left;
      left = 0;
    }
  };
  if (format === 1 && left === 4) {
    const text = ipv4Text(data, p);
    b.add('snmp.engineid.ipv4', () => `Engine ID Data: IPv4 address: ${text}`, text, p, 4);
    left = 0;
  } else if (format === 2 && left === 16) {
    const text = ipv6Text(data, p);
    b.add('snmp.engineid.ipv6', () => `Engine ID Data: IPv6 address: ${text}`, text, p, 16);
    left = 0;
  } else if (format === 3) {
    if (enterprise === 9 && left === 7) {
      const type = data[p]!;
      b.add('snmp.engineid.cisco.type', () => `Engine ID Data: Cisco type: ${type === 0 ? 'Agent' : type === 1 ? 'Manager' : 'Unknown'} (${hex(type, 2)})`, type, p, 1, () => hex(type, 2));
      p++;
      left--;
    }
    if (left === 6) {
      const text = macText(data, p);
      b.add('snmp.engineid.mac', () => `Engine ID Data: MAC address: ${text}`, text, p, 6);
      left = 0;
    }
  } else if (format === 4) {
    if (left <= 27) {
      const text = printable(data.subarray(p, p + left));
      b.add('snmp.engineid.text', () => `Engine ID Data: Text: ${text}`, text, p, left);
      left = 0;
    }
  } else if (netSnmp) {
    // 4 random bytes, then the creation time in seconds (little-endian, 4 or 8 bytes).
    if (left === 8 || left === 12) {
      const random = data.subarray(p, p + 4);
      b.add('snmp.engineid.data', () => `Engine ID Data: ${random.toString('hex')}`, random, p, 4, () => random.toString('hex'));
      const seconds = left === 8 ? BigInt(data.readUInt32LE(p + 4)) : data.readBigInt64LE(p + 4);
      // Past what a date can show, tshark prints "Not representable".
      const representable = seconds >= -8_640_000_000_000n && seconds <= 8_640_000_000_000n;
      const text = representable ? absoluteTimeText(seconds, 0) : 'Not representable';
      b.add('snmp.engineid.time', () => `Engine ID Data: Creation Time: ${text.replace(/\.000000000 /, ' ')}`, text, p + 4, left - 4);
      left = 0;
    }
  } else if (format !== 1 && format !== 2) rest();
  if (left > 0) expertItem(b, 'snmp.rfc3411_non_conformant', 'Data not conforming to RFC3411', 'Warning', 'Protocol', p, left);
}
