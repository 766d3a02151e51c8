/**
 * LDAP (TCP 389 and 3268) and CLDAP (UDP 389) as tshark 4.0 shows them (Wireshark's
 * packet-ldap.c, generated from the LDAPv3 ASN.1 module with ldap.cnf):
 *
 * - Over TCP each LDAPMessage is a PDU whose length comes from its BER header (tcp_dissect_pdus
 *   with get_normal_ldap_pdu_len, 7 bytes at least before the length is read); a message spread
 *   over segments is put together (tcp-pdus.ts) and one that is whole in a segment is dissected
 *   there. A segment whose first byte is not a SEQUENCE (0x30) or whose length is under 2 is
 *   taken by the LDAP dissector with nothing shown, as Wireshark does.
 * - Each message is its own `ldap` layer (UDP: `cldap`); its Info is built the way ldap.cnf
 *   appends to the column: "op(id) " once something of the operation is shown, then the DN in
 *   quotes, the search scope, the result code, the error message in parentheses, the name of a
 *   requested extended operation, " [N results]" after a searchResDone. Several messages of one
 *   frame are joined by " | " (ldap_found_in_frame); CLDAP's messages of one datagram are not.
 * - Fields: ldap.messageID, ldap.protocolOp and every operation's fields under Wireshark's names,
 *   the search filter's tree with the filter string Wireshark builds (including its quirks: an
 *   "and" of n items nests as (&(&f1f2)f3), an empty assertion value keeps the previous one),
 *   attribute lists, controls (the paged results control's size and cookie), and
 *   ldap.response_to / ldap.time of responses matched to their requests per conversation (first
 *   pass: a request never gets ldap.response_in).
 *
 * Left out (tshark hands these to other dissectors or to MS-specific code): SASL security layers
 * (GSS-API wrapped messages), SPNEGO/GSSAPI/NTLMSSP tokens inside bind credentials, CLDAP
 * Netlogon responses, the Active Directory attribute values (objectSid, objectGUID,
 * nTSecurityDescriptor) and the controls other than paged results (their values stay bytes).
 */
import { type BerTlv, BerClass, readBer } from './ber';
import { LayerBuilder, StopDissection } from './builder';
import { conversationKey } from './dissector';
import { nsToSeconds } from './format';
import type { AppContext, AppDissector, AppResult, Layer, PduSplit } from './model';
import { fieldText, formatText } from './syslog';

export const LDAP_TCP_PORTS = [389, 3268] as const;
export const CLDAP_UDP_PORT = 389;

/** ProtocolOp CHOICE alternatives by tag ([APPLICATION n]). */
const OPS: Record<number, string> = {
  0: 'bindRequest', 1: 'bindResponse', 2: 'unbindRequest', 3: 'searchRequest', 4: 'searchResEntry', 5: 'searchResDone',
  6: 'modifyRequest', 7: 'modifyResponse', 8: 'addRequest', 9: 'addResponse', 10: 'delRequest', 11: 'delResponse',
  12: 'modDNRequest', 13: 'modDNResponse', 14: 'compareRequest', 15: 'compareResponse', 16: 'abandonRequest',
  19: 'searchResRef', 23: 'extendedReq', 24: 'extendedResp', 25: 'intermediateResponse',
};
const REQUESTS = new Set([0, 3, 6, 8, 10, 12, 14, 23]);
const RESPONSES = new Set([1, 4, 5, 7, 9, 11, 13, 15, 19, 24, 25]);

const RESULT_CODES: Record<number, string> = {
  0: 'success', 1: 'operationsError', 2: 'protocolError', 3: 'timeLimitExceeded', 4: 'sizeLimitExceeded', 5: 'compareFalse',
  6: 'compareTrue', 7: 'authMethodNotSupported', 8: 'strongAuthRequired', 10: 'referral', 11: 'adminLimitExceeded',
  12: 'unavailableCriticalExtension', 13: 'confidentialityRequired', 14: 'saslBindInProgress', 16: 'noSuchAttribute',
  17: 'undefinedAttributeType', 18: 'inappropriateMatching', 19: 'constraintViolation', 20: 'attributeOrValueExists',
  21: 'invalidAttributeSyntax', 32: 'noSuchObject', 33: 'aliasProblem', 34: 'invalidDNSyntax', 36: 'aliasDereferencingProblem',
  48: 'inappropriateAuthentication', 49: 'invalidCredentials', 50: 'insufficientAccessRights', 51: 'busy', 52: 'unavailable',
  53: 'unwillingToPerform', 54: 'loopDetect', 64: 'namingViolation', 65: 'objectClassViolation', 66: 'notAllowedOnNonLeaf',
  67: 'notAllowedOnRDN', 68: 'entryAlreadyExists', 69: 'objectClassModsProhibited', 71: 'affectsMultipleDSAs', 80: 'other',
  118: 'canceled', 119: 'noSuchOperation', 120: 'tooLate', 121: 'cannotCancel',
};
const SCOPES: Record<number, string> = { 0: 'baseObject', 1: 'singleLevel', 2: 'wholeSubtree' };
const DEREF: Record<number, string> = { 0: 'neverDerefAliases', 1: 'derefInSearching', 2: 'derefFindingBaseObj', 3: 'derefAlways' };
const AUTH: Record<number, string> = { 0: 'simple', 3: 'sasl', 10: 'ntlmsspNegotiate', 11: 'ntlmsspAuth' };
const MOD_OPS: Record<number, string> = { 0: 'add', 1: 'delete', 2: 'replace', 3: 'increment' };
const FILTERS: Record<number, string> = {
  0: 'and', 1: 'or', 2: 'not', 3: 'equalityMatch', 4: 'substrings', 5: 'greaterOrEqual', 6: 'lessOrEqual', 7: 'present',
  8: 'approxMatch', 9: 'extensibleMatch',
};
const SUBSTRINGS: Record<number, string> = { 0: 'initial', 1: 'any', 2: 'final' };

/** Wireshark gives up on a filter of more elements than this (MAX_FILTER_ELEMENTS). */
const MAX_FILTER_ELEMENTS = 200;

/**
 * Object identifiers tshark names (oid_add_from_string in packet-ldap's handoff and the BER
 * registrations of ldap.cnf; the later registration wins). Others resolve only their first arc.
 */
const OID_NAMES: Record<string, string> = {
  '1.2.840': 'ISO assigned OIDs, USA',
  '1.2.840.113556.1.4.319': 'pagedResultsControl', '1.2.840.113556.1.4.417': 'LDAP_SERVER_SHOW_DELETED_OID',
  '1.2.840.113556.1.4.473': 'sortKeyList', '1.2.840.113556.1.4.474': 'sortResult',
  '1.2.840.113556.1.4.521': 'LDAP_SERVER_CROSSDOM_MOVE_TARGET_OID', '1.2.840.113556.1.4.528': 'LDAP_SERVER_NOTIFICATION_OID',
  '1.2.840.113556.1.4.529': 'LDAP_SERVER_EXTENDED_DN_OID', '1.2.840.113556.1.4.619': 'LDAP_SERVER_LAZY_COMMIT_OID',
  '1.2.840.113556.1.4.800': 'LDAP_CAP_ACTIVE_DIRECTORY_OID', '1.2.840.113556.1.4.801': 'LDAP_SERVER_SD_FLAGS_OID',
  '1.2.840.113556.1.4.802': 'LDAP_SERVER_RANGE_OPTION_OID', '1.2.840.113556.1.4.804': 'LDAP_OID_COMPARATOR_OR',
  '1.2.840.113556.1.4.805': 'LDAP_SERVER_TREE_DELETE_OID', '1.2.840.113556.1.4.841': 'dirsync',
  '1.2.840.113556.1.4.970': 'LDAP_SERVER_GET_STATS_OID', '1.2.840.113556.1.4.1338': 'LDAP_SERVER_VERIFY_NAME_OID',
  '1.2.840.113556.1.4.1339': 'LDAP_SERVER_DOMAIN_SCOPE_OID', '1.2.840.113556.1.4.1340': 'LDAP_SERVER_SEARCH_OPTIONS_OID',
  '1.2.840.113556.1.4.1413': 'LDAP_SERVER_PERMISSIVE_MODIFY_OID', '1.2.840.113556.1.4.1504': 'LDAP_SERVER_ASQ_OID',
  '1.2.840.113556.1.4.1670': 'LDAP_CAP_ACTIVE_DIRECTORY_V51_OID', '1.2.840.113556.1.4.1781': 'LDAP_SERVER_FAST_BIND_OID',
  '1.2.840.113556.1.4.1791': 'LDAP_CAP_ACTIVE_DIRECTORY_LDAP_INTEG_OID', '1.2.840.113556.1.4.1851': 'LDAP_CAP_ACTIVE_DIRECTORY_ADAM_OID',
  '1.2.840.113556.1.4.1852': 'LDAP_SERVER_QUOTA_CONTROL_OID', '1.2.840.113556.1.4.1907': 'LDAP_SERVER_SHUTDOWN_NOTIFY_OID',
  '1.2.840.113556.1.4.1948': 'LDAP_SERVER_RANGE_RETRIEVAL_NOERR_OID', '1.2.840.113556.1.4.1974': 'LDAP_SERVER_FORCE_UPDATE_OID',
  '1.2.840.113556.1.4.2026': 'LDAP_SERVER_DN_INPUT_OID', '1.2.840.113556.1.4.2064': 'LDAP_SERVER_SHOW_RECYCLED_OID',
  '1.2.840.113556.1.4.2065': 'LDAP_SERVER_SHOW_DEACTIVATED_LINK_OID', '1.2.840.113556.1.4.2066': 'LDAP_SERVER_POLICY_HINTS_DEPRECATED_OID',
  '1.2.840.113556.1.4.2090': 'LDAP_SERVER_DIRSYNC_EX_OID', '1.2.840.113556.1.4.2204': 'LDAP_SERVER_TREE_DELETE_EX_OID',
  '1.2.840.113556.1.4.2239': 'LDAP_SERVER_POLICY_HINTS_OID',
  '1.3.6.1.4.1.1466.101.119.1': 'DYNAMIC_REFRESH', '1.3.6.1.4.1.1466.20037': 'LDAP_START_TLS_OID',
  '1.3.6.1.4.1.4203.1.11.1': 'passwdModifyOID', '1.3.6.1.1.8': 'cancelRequestOID',
  '1.3.6.1.4.1.4203.1.9.1.1': 'syncRequestOID', '1.3.6.1.4.1.4203.1.9.1.2': 'syncStateOID', '1.3.6.1.4.1.4203.1.9.1.3': 'syncDoneOID',
  '1.3.6.1.4.1.4203.1.9.1.4': 'syncInfoOID', '1.3.6.1.4.1.42.2.27.8.5.1': 'passwordPolicy',
  '2.16.840.1': 'US company arc', '2.16.840.1.113730.3.2.2': 'inetOrgPerson',
  '2.16.840.1.113730.3.4.2': 'Manage DSA IT LDAPv3 control', '2.16.840.1.113730.3.4.3': 'Persistent Search LDAPv3 control',
  '2.16.840.1.113730.3.4.9': 'VLV Request LDAPv3 control', '2.16.840.1.113730.3.4.10': 'VLV Response LDAPv3 control',
  '2.16.840.1.113730.3.4.18': 'Proxied Authorization (version 2) Control',
};
const OID_ROOTS = ['itu-t', 'iso', 'joint-iso-itu-t'];

/** The control (and extended operation) values Wireshark dissects with its own BER dissector. */
const PAGED_RESULTS = '1.2.840.113556.1.4.319';
const PASSWD_MODIFY = '1.3.6.1.4.1.4203.1.11.1';
const OID_DISSECTORS = new Set([
  PAGED_RESULTS, '1.2.840.113556.1.4.473', '1.2.840.113556.1.4.474', '1.2.840.113556.1.4.841', '1.3.6.1.4.1.4203.1.11.1', '1.3.6.1.1.8',
  '1.3.6.1.4.1.4203.1.9.1.1', '1.3.6.1.4.1.4203.1.9.1.2', '1.3.6.1.4.1.4203.1.9.1.3', '1.3.6.1.4.1.4203.1.9.1.4', '1.3.6.1.4.1.42.2.27.8.5.1',
]);

/** oid_resolved_from_string(): the registered name, else the OID with its known leading arcs named; null when it is no OID. */
export function oidName(oid: string): string | null {
  if (!/^\d+(\.\d+)*$/.test(oid)) return null;
  const exact = OID_NAMES[oid];
  if (exact !== undefined) return exact;
  const arcs = oid.split('.');
  // The longest named prefix, then the remaining arcs as numbers.
  for (let n = arcs.length - 1; n >= 2; n--) {
    const name = OID_NAMES[arcs.slice(0, n).join('.')];
    if (name !== undefined) return [name, ...arcs.slice(n)].join('.');
  }
  const root = OID_ROOTS[Number(arcs[0])];
  return root === undefined ? null : [root, ...arcs.slice(1)].join('.');
}

/** A request waiting for (or matched to) its response. */
interface Request {
  frame: number;
  tsNs: bigint;
}

/** What Wireshark keeps per conversation (ldap_conv_info_t). */
interface Conversation {
  numResults: number;
  unmatched: Map<number, Request>;
  /** The first request matched per message ID: a later response finds it (wmem_map lookup order). */
  matched: Map<number, Request>;
}

/** Wireshark's per-frame statics of packet-ldap.c, reset at the end of each frame. */
interface FrameState {
  frame: number;
  /** An LDAP PDU was dissected in this frame already (the next one starts with " | "). */
  found: boolean;
  ldapvalue: string | null;
  filter: string | null;
  attrType: string | null;
  attributeDesc: string | null;
}

/** Length of the LDAPMessage PDU at `at` (tag, length octets and content), as get_normal_ldap_pdu_len reads it; -1 if not readable. */
function pduLength(data: Buffer, at: number, stop: number): number {
  if (at + 2 > stop) return -1;
  let p = at + 1;
  let length = data[p++]!;
  if (length & 0x80) {
    const count = length & 0x7f;
    if (count === 0) return -1; // indefinite: Wireshark's get_ber_length would look for the end
    if (p + count > stop) return -1;
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + data[p++]!;
  }
  return p - at + length;
}

/** dissect_ldap_tcp's test of a segment's start: a SEQUENCE tag whose length is 2 or more. */
function startsLdap(data: Buffer, offset: number, stop: number): boolean {
  if (stop - offset < 2 || data[offset] !== 0x30) return false;
  const length = pduLength(data, offset, stop);
  if (length < 0) return false;
  const header = data[offset + 1]! & 0x80 ? 2 + (data[offset + 1]! & 0x7f) : 2;
  return length - header >= 2;
}

export function createLdapDissector(): AppDissector {
  const conversations = new Map<string, Conversation>();
  const frame: FrameState = { frame: -1, found: false, ldapvalue: null, filter: null, attrType: null, attributeDesc: null };
  return {
    protocol: 'ldap',
    fieldPrefixes: ['cldap', 'mscldap'],
    tcpPorts: [...LDAP_TCP_PORTS],
    udpPorts: [CLDAP_UDP_PORT],
    stateful: true,
    claims: (data, offset, end, ctx) => ctx.transport === 'udp' || startsLdap(data, offset, Math.min(end, data.length)),
    desegment: (data, offset, end) => ldapPdus(data, offset, end),
    dissect: (data, offset, end, ctx) => {
      if (frame.frame !== ctx.frameNumber) {
        Object.assign(frame, { frame: ctx.frameNumber, found: false, ldapvalue: null, filter: null, attrType: null, attributeDesc: null });
      }
      const key = conversationKey(ctx.src, ctx.srcPort, ctx.dst, ctx.dstPort);
      let conv = conversations.get(key);
      if (conv === undefined) conversations.set(key, (conv = { numResults: 0, unmatched: new Map(), matched: new Map() }));
      return ctx.transport === 'udp' ? dissectCldap(conv, frame, data, offset, end, ctx) : dissectTcpPdu(conv, frame, data, offset, end, ctx);
    },
  };
}

/** tcp_dissect_pdus with a 7-byte fixed part and the BER length (only the first PDU's tag is checked). */
export function ldapPdus(data: Buffer, offset: number, end: number): PduSplit {
  // No separator here: each PDU's Info starts with " | " when another came before it in the frame.
  const split: PduSplit = { pdus: [], need: 0 };
  if (!startsLdap(data, offset, end)) return split;
  let at = offset;
  while (at < end) {
    if (end - at < 7) {
      split.need = 7 - (end - at);
      return split;
    }
    const length = pduLength(data, at, end);
    if (length < 0) {
      split.pdus.push(end - at);
      return split;
    }
    if (end - at < length) {
      split.need = length - (end - at);
      return split;
    }
    split.pdus.push(length);
    at += length;
  }
  return split;
}

/** One TCP PDU (or, without desegmentation, the rest of a segment). */
function dissectTcpPdu(conv: Conversation, frame: FrameState, data: Buffer, offset: number, end: number, ctx: AppContext): AppResult {
  const stop = Math.min(end, data.length);
  // A segment that does not start like LDAP is taken with nothing shown (dissect_ldap_tcp returns its length).
  if (!startsLdap(data, offset, stop)) return { layers: [], protocolColumn: '', info: '' };
  return dissectPdu(conv, frame, 'ldap', data, offset, end, ctx);
}

function dissectCldap(conv: Conversation, frame: FrameState, data: Buffer, offset: number, end: number, ctx: AppContext): AppResult {
  return dissectPdu(conv, frame, 'cldap', data, offset, end, ctx);
}

/**
 * dissect_ldap_pdu + dissect_ldap_payload: one protocol item, then each LDAPMessage in the bytes
 * (the messages after the first only when 6 bytes or more remain).
 */
function dissectPdu(conv: Conversation, frame: FrameState, protocol: 'ldap' | 'cldap', data: Buffer, offset: number, end: number, ctx: AppContext): AppResult {
  const b = new LayerBuilder(data, protocol, protocol === 'ldap' ? 'Lightweight Directory Access Protocol' : 'Connectionless Lightweight Directory Access Protocol', offset, end, ctx.fields);
  const layers: Layer[] = [b.layer];
  const chain: string[] = [protocol];
  let info = frame.found ? ' | ' : '';
  frame.found = true;
  frame.attributeDesc = null;
  const stop = Math.min(end, data.length);
  for (let at = offset; stop - at >= 6; ) {
    // The "Sequence Of" header gives the message length; a message that is no SEQUENCE takes the rest.
    const header = berHeader(data, at, stop);
    if (header === null || header.length < 4 || header.length > 10_000_000) break;
    const msgEnd = header.sequence ? at + header.headerLength + header.length : stop;
    const m = new Message(b, conv, frame, ctx, data, at, Math.min(msgEnd, end));
    try {
      m.dissect();
    } catch (err) {
      if (err instanceof StopDissection) b.mark(err.status, err.problem);
      else b.mark('malformed', `dissector error: ${(err as Error).message}`);
    }
    info += m.info;
    for (let k = 0; k < m.oidCallbacks; k++) {
      layers.push({ protocol: 'ldap', title: '', offset: at, length: 0, fields: [], status: 'ok' });
      chain.push('ldap');
    }
    if (b.layer.status !== 'ok') {
      // The exception ends the dissection: tshark's column gets its mark.
      info += b.layer.status === 'malformed' ? '[Malformed Packet]' : '[Packet size limited during capture]';
      break;
    }
    at = msgEnd;
  }
  return { layers, chain, chainInLaterPdus: true, protocolColumn: protocol === 'ldap' ? 'LDAP' : 'CLDAP', info };
}

/** get_ber_identifier + get_ber_length on the bytes there are: null when they are not all there. */
function berHeader(data: Buffer, at: number, stop: number): { sequence: boolean; headerLength: number; length: number } | null {
  let p = at;
  const first = data[p++]!;
  if ((first & 0x1f) === 0x1f) {
    while (p < stop && data[p]! & 0x80) p++;
    p++;
  }
  if (p >= stop) return null;
  let length = data[p++]!;
  if (length & 0x80) {
    const count = length & 0x7f;
    if (count === 0 || p + count > stop) return null;
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + data[p++]!;
  }
  return { sequence: first === 0x30, headerLength: p - at, length };
}

/** A "name: value" tree line as Wireshark cuts one past its 239 characters. */
function fieldLabel(name: string, value: string): string {
  const label = `${name}: ${value}`;
  return label.length < 240 ? label : `${name} [truncated]: ${value}`.slice(0, 238);
}

/** A line set as a whole (proto_item_set_text) that is too long: marked at its start. */
function textLabel(label: string): string {
  return label.length < 240 ? label : ` [truncated]${label}`.slice(0, 238);
}

/** Text appended to an item (proto_item_append_text) stops at the label's 239 characters. */
const appended = (label: string): string => label.slice(0, 239);

const items = (n: number): string => `${n} item${n === 1 ? '' : 's'}`;
/** FT_BYTES as tshark prints it: plain hex, "<MISSING>" when empty. */
const plainHex = (data: Buffer, at: number, length: number): string => (length === 0 ? '<MISSING>' : data.toString('hex', at, at + length));

/** A mandatory element that is not there: Wireshark notes it and goes on with the rest of the message. */
class MissingElement extends Error {}

/**
 * Reads the elements of a constructed element one after another. An element whose length runs
 * past its container is taken as far as the container goes (Wireshark shows those bytes), and
 * reading after it stops the dissection as malformed, as Wireshark's exception does.
 */
class Reader {
  private at: number;
  private clipped = false;

  constructor(
    private readonly data: Buffer,
    start: number,
    private readonly end: number,
    private readonly what: string,
  ) {
    this.at = start;
  }

  /** The next element, or null when there are no more. */
  next(): BerTlv | null {
    if (this.clipped) throw new StopDissection('malformed', `${this.what}: read past the end of its element`);
    if (this.at >= this.end) return null;
    const r = readBer(this.data, this.at, this.end, this.data.length);
    if (r.ok) {
      this.at = r.tlv.end;
      return r.tlv;
    }
    if (r.problem === 'too-long') {
      const clipped = clip(this.data, this.at, this.end);
      if (clipped !== null) {
        this.clipped = true;
        this.at = this.end;
        return clipped;
      }
    }
    throw new StopDissection(r.problem === 'truncated' ? 'truncated' : 'malformed', `${this.what}: ${r.what}`);
  }

  /** The next element, which must be there. */
  need(): BerTlv {
    const t = this.next();
    if (t === null) throw new MissingElement(`${this.what}: missing element`);
    return t;
  }

  *[Symbol.iterator](): Generator<BerTlv> {
    for (let t = this.next(); t !== null; t = this.next()) yield t;
  }
}

type ClippedTlv = BerTlv & { clipped: true };

/** An INTEGER, ENUMERATED or BOOLEAN cut short is read whole by Wireshark: the exception comes before its field. */
function whole(t: BerTlv, what: string): void {
  if ((t as Partial<ClippedTlv>).clipped) throw new StopDissection('malformed', `${what} runs past the end of its element`);
}

/** A TLV whose length passes `end`, cut there (null when its header does not fit). */
function clip(data: Buffer, at: number, end: number): BerTlv | null {
  const stop = Math.min(end, data.length);
  let p = at;
  const first = data[p++]!;
  let tag = first & 0x1f;
  if (tag === 0x1f) {
    tag = 0;
    while (p < stop && data[p]! & 0x80) tag = tag * 128 + (data[p++]! & 0x7f);
    if (p >= stop) return null;
    tag = tag * 128 + data[p++]!;
  }
  if (p >= stop) return null;
  const len = data[p++]!;
  if (len & 0x80) p += len & 0x7f;
  if (p > stop) return null;
  return { cls: (first >> 6) as BerClass, constructed: (first & 0x20) !== 0, tag, start: at, valueStart: p, length: stop - p, valueEnd: stop, end: stop, indefinite: false, clipped: true } as ClippedTlv;
}

/** One LDAPMessage: its fields in the layer, its Info text and the LDAPMessage item's text. */
class Message {
  info = '';
  /** Text appended to the "LDAPMessage" item (ldm_tree). */
  private itemText = '';
  /** Text appended to the protocolOp item (ldm_tree after an abandonRequest's MessageID). */
  private opItemText = '';
  /** Control values handed to a registered BER OID dissector (each adds "ldap" to frame.protocols). */
  oidCallbacks = 0;
  /** Text to append to the elements being built (innermost last). */
  private readonly suffixes: string[] = [];
  private messageId = -1;
  private opTag = -1;
  private protocolOpPending = false;
  private filterElements = 0;
  private andString: string | null = null;
  private orString: string | null = null;
  private substringValue: string | null = null;
  private substringInit: string | null = null;
  private substringAny: string | null = null;
  private substringFinal: string | null = null;
  private matchingRule: string | null = null;
  private dnAttributes = false;

  constructor(
    private readonly b: LayerBuilder,
    private readonly conv: Conversation,
    private readonly frame: FrameState,
    private readonly ctx: AppContext,
    private readonly data: Buffer,
    private readonly start: number,
    private readonly end: number,
  ) {}

  dissect(): void {
    const b = this.b;
    const seq = new Reader(this.data, this.start, this.end, 'LDAPMessage').next();
    if (seq === null) return;
    // The item's text grows as the message is dissected (ldm_tree): set it when done, or stopped.
    let item: { label: string } | null = null;
    try {
      item = b.group('ldap.LDAPMessage_element', 'LDAPMessage', null, seq.start, seq.end - seq.start, () => {
        const fields = b.layer.fields;
        const at = fields.length;
        try {
          this.body(seq);
        } finally {
          if (b.tree && fields[at - 1] !== undefined) fields[at - 1]!.label = appended(`LDAPMessage${this.itemText}`);
        }
      }, '1');
    } finally {
      if (b.tree && item !== null) item.label = appended(`LDAPMessage${this.itemText}`);
    }
  }

  private body(seq: BerTlv): void {
    const b = this.b;
    const r = this.children(seq, 'LDAPMessage');
    const id = r.next();
    if (id === null) return;
    this.messageId = this.uint(id);
    const messageId = this.messageId;
    b.add('ldap.messageID', () => `messageID: ${messageId}`, messageId, id.start, id.end - id.start);
    const op = r.next();
    if (op === null) return;
    this.protocolOpPending = true;
    this.opTag = op.cls === BerClass.Application && OPS[op.tag] !== undefined ? op.tag : -1;
    // An alternative the CHOICE does not know is left out (no exception, nothing in Info).
    if (this.opTag < 0) return;
    const tag = this.opTag;
    const opItem = b.group('ldap.protocolOp', () => `protocolOp: ${OPS[tag]} (${tag})`, tag, op.start, op.end - op.start, () => {
      try {
        this.protocolOp(op);
      } catch (err) {
        if (!(err instanceof MissingElement)) throw err;
      }
    });
    if (b.tree && this.opItemText) opItem.label = appended(opItem.label + this.opItemText);
    this.afterProtocolOp();
    const controls = r.next();
    if (controls !== null && controls.cls === BerClass.Context && controls.tag === 0) this.controls(controls);
  }

  // ---- BER reading ----

  private tlv(at: number, limit: number, what: string): BerTlv {
    const r = readBer(this.data, at, limit, this.data.length);
    if (r.ok) return r.tlv;
    throw new StopDissection(r.problem === 'truncated' ? 'truncated' : 'malformed', `${what}: ${r.what}`);
  }

  private uint(t: BerTlv): number {
    whole(t, 'INTEGER');
    let v = 0;
    for (let i = t.valueStart; i < t.valueEnd; i++) v = v * 256 + this.data[i]!;
    return v >>> 0 === v ? v : v % 2 ** 32;
  }

  private int(t: BerTlv): number {
    whole(t, 'INTEGER');
    if (t.length === 0) return 0;
    let v = this.data[t.valueStart]! & 0x80 ? -1 : 0;
    for (let i = t.valueStart; i < t.valueEnd; i++) v = v * 256 + this.data[i]!;
    return v;
  }

  private text(t: BerTlv): string {
    return this.data.toString('utf8', t.valueStart, t.valueEnd);
  }

  /** The elements of a constructed one, read one at a time as Wireshark's BER code reads them. */
  private children(t: BerTlv, what: string): Reader {
    return new Reader(this.data, t.valueStart, t.valueEnd, what);
  }

  // ---- Info and LDAPMessage item text (ldap.cnf) ----

  /** ldap_do_protocolop: "op(id) " once, before the first thing an operation shows. */
  private doProtocolOp(): void {
    if (!this.protocolOpPending) return;
    const name = OPS[this.opTag] ?? `Unknown (%u)`;
    this.info += `${name}(${this.messageId}) `;
    // An abandonRequest is a MessageID: reading it made the abandoned ID the message's and the
    // protocolOp item the one texts are appended to (ldm_tree).
    if (this.opTag === 16) this.opItemText += ` ${name}(${this.messageId})`;
    else this.itemText += ` ${name}(${this.messageId})`;
    this.protocolOpPending = false;
  }

  /**
   * An LDAPString (LDAPDN, AttributeDescription, ...): its field, and what ldap.cnf does with it
   * (quoted DN in Info, error message in parentheses, remembered filter parts).
   */
  private ldapString(t: BerTlv, abbrev: string, name: string): string {
    const value = this.text(t);
    const shown = formatText(this.data.subarray(t.valueStart, t.valueEnd));
    this.b.add(abbrev, () => fieldLabel(name, shown), value, t.start, t.end - t.start, () => fieldText(value));
    this.doProtocolOp();
    switch (abbrev) {
      case 'ldap.baseObject':
      case 'ldap.objectName':
      case 'ldap.name':
      case 'ldap.entry':
      case 'ldap.object':
      case 'ldap.delRequest': {
        const dn = value === '' ? '<ROOT>' : shown;
        this.info += `"${dn}" `;
        this.itemText += ` "${value === '' ? '<ROOT>' : value}"`;
        break;
      }
      case 'ldap.errorMessage':
        if (value !== '') {
          this.info += `(${shown}) `;
          this.itemText += ` (${value})`;
        }
        break;
      case 'ldap.attributeDesc':
        this.frame.attributeDesc = value;
        break;
      case 'ldap.initial':
        this.substringInit = value;
        break;
      case 'ldap.any':
        this.substringAny = value;
        break;
      case 'ldap.final':
        this.substringFinal = value;
        break;
      case 'ldap.matchingRule':
        this.matchingRule = value;
        break;
      case 'ldap.present':
        this.frame.filter = value;
        break;
      case 'ldap.type':
        this.frame.attrType = value;
        if (this.suffixes.length > 0) this.suffixes[this.suffixes.length - 1] += ` ${value}`;
        break;
    }
    return value;
  }

  /** An LDAPOID: its name after it, and in Info for an extended operation's name (ldap.cnf LDAPOID). */
  private ldapOid(t: BerTlv, abbrev: string, label: string): string {
    const oid = this.text(t);
    const name = oidName(oid);
    this.b.add(abbrev, () => fieldLabel(label, `${formatText(this.data.subarray(t.valueStart, t.valueEnd))}${name !== null ? ` (${name})` : ''}`), oid, t.start, t.end - t.start, () => fieldText(oid));
    if (name !== null && (abbrev === 'ldap.requestName' || abbrev === 'ldap.responseName')) {
      this.doProtocolOp();
      this.info += `${name} `;
    }
    return oid;
  }

  private octets(t: BerTlv, abbrev: string, label: string): void {
    const data = this.data;
    this.b.addLazy(abbrev, () => fieldLabel(label, plainHex(data, t.valueStart, t.length)), data.subarray(t.valueStart, t.valueEnd), t.start, t.end - t.start, () => plainHex(data, t.valueStart, t.length));
  }

  private bool(t: BerTlv, abbrev: string, label: string): boolean {
    whole(t, 'BOOLEAN');
    const v = t.length > 0 && this.data[t.valueStart] !== 0;
    this.b.add(abbrev, () => `${label}: ${v ? 'True' : 'False'}`, v, t.start, t.end - t.start, v ? '1' : '0');
    return v;
  }

  private enumerated(t: BerTlv, abbrev: string, label: string, names: Record<number, string>, unknown = 'Unknown'): number {
    const v = this.uint(t);
    this.b.add(abbrev, () => `${label}: ${names[v] ?? unknown} (${v})`, v, t.start, t.end - t.start);
    return v;
  }

  private integer(t: BerTlv, abbrev: string, label: string, signed = false): number {
    const v = signed ? this.int(t) : this.uint(t);
    this.b.add(abbrev, () => `${label}: ${v}`, v, t.start, t.end - t.start);
    return v;
  }

  /**
   * An element that is only a subtree (FT_NONE). An attribute type read inside is appended to its
   * text (ldap.cnf: proto_item_append_text(tree, " %s", attr_type)).
   */
  private element(abbrev: string, label: string, t: BerTlv, body: () => void): void {
    this.suffixes.push('');
    let suffix = '';
    const field = this.b.group(abbrev, label, null, t.start, t.end - t.start, () => {
      try {
        body();
      } catch (err) {
        // A missing element ends this element only (Wireshark notes it and goes on).
        if (!(err instanceof MissingElement)) throw err;
      } finally {
        suffix = this.suffixes.pop()!;
      }
    }, '1');
    if (this.b.tree && suffix) field.label = appended(field.label + suffix);
  }

  /** A SEQUENCE OF / SET OF counted as "N items". */
  private list(abbrev: string, label: string, t: BerTlv, what: string, each: (c: BerTlv) => void): void {
    // dissect_ber_sq_of counts the items first (stopping at one that does not fit), then dissects them.
    const kids: BerTlv[] = [];
    const reader = this.children(t, what);
    let broken: unknown = null;
    try {
      for (const k of reader) kids.push(k);
    } catch (err) {
      broken = err;
    }
    this.b.group(abbrev, () => `${label}: ${items(kids.length)}`, kids.length, t.start, t.end - t.start, () => kids.forEach(each));
    if (broken !== null) throw broken;
  }

  // ---- protocolOp ----

  private protocolOp(op: BerTlv): void {
    const tag = op.tag;
    const name = OPS[tag]!;
    switch (tag) {
      case 0:
        return this.element('ldap.bindRequest_element', name, op, () => this.bindRequest(op));
      case 1:
        return this.element('ldap.bindResponse_element', name, op, () => this.result(op, true));
      case 2:
        this.element('ldap.unbindRequest_element', name, op, () => {});
        return this.doProtocolOp();
      case 3:
        return this.element('ldap.searchRequest_element', name, op, () => this.searchRequest(op));
      case 4:
        return this.element('ldap.searchResEntry_element', name, op, () => this.searchResEntry(op));
      case 5:
      case 7:
      case 9:
      case 11:
      case 13:
      case 15:
        return this.element(`ldap.${name}_element`, name, op, () => this.result(op, false));
      case 6:
        return this.element('ldap.modifyRequest_element', name, op, () => this.modifyRequest(op));
      case 8:
        return this.element('ldap.addRequest_element', name, op, () => this.addRequest(op));
      case 10:
        return void this.ldapString(op, 'ldap.delRequest', 'delRequest');
      case 12:
        return this.element('ldap.modDNRequest_element', name, op, () => this.modDNRequest(op));
      case 14:
        return this.element('ldap.compareRequest_element', name, op, () => this.compareRequest(op));
      case 16:
        this.messageId = this.integer(op, 'ldap.abandonRequest', 'abandonRequest');
        return this.doProtocolOp();
      case 19:
        this.list('ldap.searchResRef', 'searchResRef', op, 'LDAPURL', (u) => this.url(u));
        return this.doProtocolOp();
      case 23:
        return this.element('ldap.extendedReq_element', name, op, () => this.extendedReq(op));
      case 24:
        return this.element('ldap.extendedResp_element', name, op, () => this.result(op, false, true));
      case 25:
        return this.element('ldap.intermediateResponse_element', name, op, () => this.intermediate(op));
    }
  }

  /** ProtocolOp's footer: the request/response matching and the search result count. */
  private afterProtocolOp(): void {
    const tag = this.opTag;
    const conv = this.conv;
    const b = this.b;
    if (REQUESTS.has(tag)) {
      // A request is remembered until a response to its message ID comes (one per ID).
      conv.unmatched.set(this.messageId, { frame: this.ctx.frameNumber, tsNs: this.ctx.tsNs ?? 0n });
    } else if (RESPONSES.has(tag)) {
      let request = conv.matched.get(this.messageId);
      if (request === undefined) {
        request = conv.unmatched.get(this.messageId);
        if (request !== undefined) {
          conv.unmatched.delete(this.messageId);
          if (!conv.matched.has(this.messageId)) conv.matched.set(this.messageId, request);
        }
      }
      if (request !== undefined) {
        const req = request;
        b.add('ldap.response_to', () => `[Response To: ${req.frame}]`, req.frame, this.start, 0);
        const ns = (this.ctx.tsNs ?? 0n) - req.tsNs;
        const seconds = nsToSeconds(ns);
        b.add('ldap.time', () => `[Time: ${seconds} seconds]`, Number(seconds), this.start, 0, seconds);
      }
    }
    if (tag === 4) {
      conv.numResults++;
      this.itemText += ` [${conv.numResults} result${conv.numResults === 1 ? '' : 's'}]`;
    } else if (tag === 5) {
      const n = conv.numResults;
      this.info += ` [${n} result${n === 1 ? '' : 's'}]`;
      this.itemText += ` [${n} result${n === 1 ? '' : 's'}]`;
      // tshark 4.0 does not reset the count here: a second search on the connection counts on.
    }
  }

  private bindRequest(op: BerTlv): void {
    const r = this.children(op, 'bindRequest');
    this.integer(r.need(), 'ldap.version', 'version');
    this.ldapString(r.need(), 'ldap.name', 'name');
    const auth = r.need();
    const kind = auth.cls === BerClass.Context && AUTH[auth.tag] !== undefined ? auth.tag : -1;
    const label = kind >= 0 ? AUTH[kind]! : `Unknown auth(${kind >>> 0})`;
    this.b.group('ldap.authentication', () => `authentication: ${label} (${kind})`, kind, auth.start, auth.end - auth.start, () => {
      if (kind === 0) {
        const value = this.text(auth);
        this.b.add('ldap.simple', () => fieldLabel('simple', formatText(this.data.subarray(auth.valueStart, auth.valueEnd))), value, auth.start, auth.end - auth.start, () => fieldText(value));
      } else if (kind === 3) {
        this.element('ldap.sasl_element', 'sasl', auth, () => {
          const parts = this.children(auth, 'SaslCredentials');
          const mech = parts.next();
          if (mech !== null) {
            const value = this.text(mech);
            this.b.add('ldap.mechanism', () => fieldLabel('mechanism', formatText(this.data.subarray(mech.valueStart, mech.valueEnd))), value, mech.start, mech.end - mech.start, () => fieldText(value));
          }
          const credentials = parts.next();
          if (credentials !== null) this.octets(credentials, 'ldap.credentials', 'credentials');
        });
      } else if (kind === 10 || kind === 11) {
        this.doProtocolOp();
      }
    });
    this.doProtocolOp();
    // NTLMSSP binds are named by the NTLMSSP dissector, not here.
    if (kind !== 10 && kind !== 11) {
      this.info += `${label} `;
      this.itemText += ` ${label}`;
    }
  }

  /** LDAPResult (and BindResponse / ExtendedResponse with their own result code handling). */
  private result(op: BerTlv, bind: boolean, extended = false): void {
    const r = this.children(op, 'LDAPResult');
    const code = r.need();
    const v = this.uint(code);
    const name = RESULT_CODES[v];
    this.b.add('ldap.resultCode', () => `resultCode: ${name ?? 'Unknown'} (${v})`, v, code.start, code.end - code.start);
    if (!extended) {
      // ExtendedResponse's result code does not go to Info.
      this.doProtocolOp();
      const shown = name ?? `Unknown result(${v})`;
      this.info += `${shown} `;
      this.itemText += ` ${shown}`;
    }
    const matched = r.need();
    if (bind) {
      // BindResponse's matchedDN is a plain OCTET STRING there (not an LDAPString: no Info).
      const value = this.text(matched);
      this.b.add('ldap.matchedDN', () => fieldLabel('matchedDN', formatText(this.data.subarray(matched.valueStart, matched.valueEnd))), value, matched.start, matched.end - matched.start, () => fieldText(value));
    } else this.ldapString(matched, 'ldap.matchedDN', 'matchedDN');
    this.ldapString(r.need(), 'ldap.errorMessage', 'errorMessage');
    for (const t of r) {
      if (t.cls !== BerClass.Context) continue;
      if (t.tag === 3) this.list('ldap.referral', 'referral', t, 'Referral', (u) => this.url(u));
      else if (bind && t.tag === 7) this.octets(t, 'ldap.serverSaslCreds', 'serverSaslCreds');
      else if (extended && t.tag === 10) this.ldapOid(t, 'ldap.responseName', 'responseName');
      else if (extended && t.tag === 11) this.octets(t, 'ldap.response', 'response');
    }
  }

  private url(u: BerTlv): void {
    const value = this.text(u);
    this.b.add('ldap.LDAPURL', () => fieldLabel('LDAPURL', formatText(this.data.subarray(u.valueStart, u.valueEnd))), value, u.start, u.end - u.start, () => fieldText(value));
  }

  private searchRequest(op: BerTlv): void {
    const r = this.children(op, 'searchRequest');
    this.ldapString(r.need(), 'ldap.baseObject', 'baseObject');
    const s = this.enumerated(r.need(), 'ldap.scope', 'scope', SCOPES);
    this.doProtocolOp();
    const scopeName = SCOPES[s] ?? `Unknown scope(${s})`;
    this.info += `${scopeName} `;
    this.itemText += ` ${scopeName}`;
    this.enumerated(r.need(), 'ldap.derefAliases', 'derefAliases', DEREF);
    this.integer(r.need(), 'ldap.sizeLimit', 'sizeLimit');
    this.integer(r.need(), 'ldap.timeLimit', 'timeLimit');
    this.bool(r.need(), 'ldap.typesOnly', 'typesOnly');
    const filter = r.need();
    // SearchRequest/filter's header and footer reset the filter strings.
    this.frame.filter = null;
    this.filterElements = 0;
    this.filter(filter, 'ldap.filter', 'filter');
    this.frame.filter = null;
    this.andString = null;
    this.filterElements = 0;
    this.list('ldap.attributes', 'attributes', r.need(), 'AttributeDescriptionList', (a) => this.ldapString(a, 'ldap.AttributeDescription', 'AttributeDescription'));
  }

  /** A Filter: a "Filter: (…)" subtree around the CHOICE field named by where it is (filter, and item, or item, not). */
  private filter(t: BerTlv, abbrev: string, label: string): void {
    const b = this.b;
    this.frame.attributeDesc = null;
    if (this.filterElements++ > MAX_FILTER_ELEMENTS) throw new StopDissection('malformed', `Found more than ${MAX_FILTER_ELEMENTS} filter elements. Giving up.`);
    const holder = b.group('', 'Filter: ', null, t.start, t.end - t.start, () => {
      const kind = t.cls === BerClass.Context && FILTERS[t.tag] !== undefined ? t.tag : -1;
      // A filter choice that does not exist leaves the subtree empty (no exception).
      if (kind < 0) return;
      b.group(abbrev, () => `${label}: ${FILTERS[kind]} (${kind})`, kind, t.start, t.end - t.start, () => this.filterChoice(t, kind));
    });
    if (b.tree && this.frame.filter !== null) holder.label = appended(holder.label + this.frame.filter);
  }

  private filterChoice(t: BerTlv, kind: number): void {
    const b = this.b;
    const frame = this.frame;
    switch (kind) {
      case 0:
      case 1: {
        const and = kind === 0;
        const old = and ? this.andString : this.orString;
        if (and) this.andString = null;
        else this.orString = null;
        const sub = b.group('', and ? 'and: ' : 'or: ', null, t.start, t.end - t.start, () => {
          this.list(and ? 'ldap.and' : 'ldap.or', and ? 'and' : 'or', t, 'Filter', (c) => {
            this.filter(c, and ? 'ldap.and_item' : 'ldap.or_item', and ? 'and item' : 'or item');
            const current = and ? this.andString : this.orString;
            const next = current !== null ? `(${and ? '&' : '|'}${current}${frame.filter ?? '(null)'})` : frame.filter;
            if (and) this.andString = next;
            else this.orString = next;
          });
        });
        const built = and ? this.andString : this.orString;
        if (built !== null) {
          if (b.tree) sub.label = appended(sub.label + built);
          frame.filter = built;
        }
        if (and) this.andString = old;
        else this.orString = old;
        return;
      }
      case 2: {
        const inner = this.tlv(t.valueStart, t.valueEnd, 'not');
        this.filter(inner, 'ldap.not', 'not');
        frame.filter = `(!${frame.filter ?? '(null)'})`;
        return;
      }
      case 3:
      case 5:
      case 6:
      case 8: {
        this.ava(t, `ldap.${FILTERS[kind]}_element`, FILTERS[kind]!);
        const op = kind === 3 ? '=' : kind === 5 ? '>=' : kind === 6 ? '<=' : '~=';
        frame.filter = `(${frame.attributeDesc ?? '(null)'}${op}${frame.ldapvalue ?? '(null)'})`;
        return;
      }
      case 4:
        return this.substringFilter(t);
      case 7:
        this.ldapString(t, 'ldap.present', 'present');
        frame.filter = `(${frame.filter ?? '(null)'}=*)`;
        return;
      case 9:
        return this.extensibleMatch(t);
    }
  }

  /** AttributeValueAssertion: attributeDesc and assertionValue. */
  private ava(t: BerTlv, abbrev: string, label: string): void {
    this.element(abbrev, label, t, () => {
      const r = this.children(t, label);
      this.ldapString(r.need(), 'ldap.attributeDesc', 'attributeDesc');
      this.assertionValue(r.need(), 'ldap.assertionValue', 'assertionValue');
    });
  }

  /** dissect_ldap_AssertionValue: printable ASCII as text, else hex bytes joined by ':'; nothing when empty. */
  private assertionValue(t: BerTlv, abbrev: string, label: string): void {
    if (t.length === 0) return;
    const bytes = this.data.subarray(t.valueStart, t.valueEnd);
    const value = /^[\x20-\x7e]*$/.test(bytes.toString('latin1')) ? bytes.toString('utf8') : [...bytes].map((x) => x.toString(16).padStart(2, '0')).join(':');
    this.frame.ldapvalue = value;
    this.b.add(abbrev, () => fieldLabel(label, value), value, t.valueStart, t.length, () => fieldText(value));
  }

  private substringFilter(t: BerTlv): void {
    const b = this.b;
    const frame = this.frame;
    const oldValue = this.substringValue;
    frame.attrType = null;
    this.substringValue = null;
    this.substringInit = null;
    this.substringAny = null;
    this.substringFinal = null;
    const holder = b.group('', 'substring: ', null, t.start, t.end - t.start, () => {
      this.element('ldap.substrings_element', 'substrings', t, () => {
        const r = this.children(t, 'SubstringFilter');
        this.ldapString(r.need(), 'ldap.type', 'type');
        {
          this.list('ldap.substrings', 'substrings', r.need(), 'substrings', (c) => {
            const kind = c.cls === BerClass.Context && SUBSTRINGS[c.tag] !== undefined ? c.tag : -1;
            b.group('ldap.substrings_item', () => `substrings item: ${SUBSTRINGS[kind] ?? 'Unknown'} (${kind})`, kind, c.start, c.end - c.start, () => {
              if (kind >= 0) this.ldapString(c, `ldap.${SUBSTRINGS[kind]}`, SUBSTRINGS[kind]!);
            });
            // SubstringFilter/substrings/_item's footer (the item strings are not reset between items).
            if (this.substringFinal !== null) this.substringValue = `${this.substringValue ?? '*'}${this.substringFinal}`;
            else if (this.substringAny !== null) this.substringValue = `${this.substringValue ?? '*'}${this.substringAny}*`;
            else if (this.substringInit !== null) this.substringValue = `${this.substringInit}*`;
          });
        }
      });
    });
    frame.filter = `(${frame.attrType ?? '(null)'}=${this.substringValue ?? '(null)'})`;
    if (b.tree) holder.label = appended(holder.label + frame.filter);
    this.substringValue = oldValue;
  }

  private extensibleMatch(t: BerTlv): void {
    const frame = this.frame;
    frame.attrType = null;
    this.matchingRule = null;
    frame.ldapvalue = null;
    this.dnAttributes = false;
    this.element('ldap.extensibleMatch_element', 'extensibleMatch', t, () => {
      for (const c of this.children(t, 'MatchingRuleAssertion')) {
        if (c.cls !== BerClass.Context) continue;
        if (c.tag === 1) this.ldapString(c, 'ldap.matchingRule', 'matchingRule');
        else if (c.tag === 2) this.ldapString(c, 'ldap.type', 'type');
        else if (c.tag === 3) this.assertionValue(c, 'ldap.matchValue', 'matchValue');
        else if (c.tag === 4) this.dnAttributes = this.bool(c, 'ldap.dnAttributes', 'dnAttributes');
      }
    });
    const rule = this.matchingRule;
    frame.filter = `(${frame.attrType ?? ''}:${this.dnAttributes ? 'dn:' : ''}${rule ?? ''}${rule !== null ? ':' : ''}=${frame.ldapvalue ?? '(null)'})`;
  }

  private searchResEntry(op: BerTlv): void {
    const r = this.children(op, 'searchResEntry');
    this.ldapString(r.need(), 'ldap.objectName', 'objectName');
    this.list('ldap.attributes', 'attributes', r.need(), 'PartialAttributeList', (a) => this.attribute(a, 'ldap.PartialAttributeList_item_element', 'PartialAttributeList item'));
  }

  /** A SEQUENCE { type, vals SET OF AttributeValue }: the type is appended to the item. */
  private attribute(a: BerTlv, abbrev: string, label: string): void {
    this.element(abbrev, label, a, () => {
      const r = this.children(a, label);
      this.ldapString(r.need(), 'ldap.type', 'type');
      this.list('ldap.vals', 'vals', r.need(), 'vals', (v) => this.attributeValue(v));
    });
  }

  /** AttributeValue: bytes; shown as text when every byte is printable ASCII. supportedControl/Capabilities values are OIDs (ldap.oid). */
  private attributeValue(v: BerTlv): void {
    const data = this.data;
    const type = this.frame.attrType;
    if (type === 'supportedControl' || type === 'supportedCapabilities') {
      const oid = data.toString('utf8', v.valueStart, v.valueEnd);
      const name = oidName(oid);
      this.b.add('ldap.oid', () => fieldLabel('OID', `${oid}${name !== null ? ` (${name})` : ''}`), oid, v.valueStart, v.length, () => fieldText(oid));
      return;
    }
    const bytes = data.subarray(v.valueStart, v.valueEnd);
    this.b.addLazy('ldap.AttributeValue', () => (/^[\x20-\x7e]*$/.test(bytes.toString('latin1')) ? textLabel(`AttributeValue: ${bytes.toString('utf8')}`) : fieldLabel('AttributeValue', plainHex(data, v.valueStart, v.length))), bytes, v.start, v.end - v.start, () => plainHex(data, v.valueStart, v.length));
  }

  private modifyRequest(op: BerTlv): void {
    const r = this.children(op, 'modifyRequest');
    this.ldapString(r.need(), 'ldap.object', 'object');
    this.list('ldap.modification', 'modification', r.need(), 'modification', (m) => {
      this.element('ldap.modification_item_element', 'modification item', m, () => {
        const parts = this.children(m, 'modification item');
        this.enumerated(parts.need(), 'ldap.operation', 'operation', MOD_OPS);
        this.attribute(parts.need(), 'ldap.modification_element', 'modification');
      });
    });
  }

  private addRequest(op: BerTlv): void {
    const r = this.children(op, 'addRequest');
    this.ldapString(r.need(), 'ldap.entry', 'entry');
    this.list('ldap.attributes', 'attributes', r.need(), 'AttributeList', (a) => this.attribute(a, 'ldap.AttributeList_item_element', 'AttributeList item'));
  }

  private modDNRequest(op: BerTlv): void {
    const r = this.children(op, 'modDNRequest');
    this.ldapString(r.need(), 'ldap.entry', 'entry');
    this.ldapString(r.need(), 'ldap.newrdn', 'newrdn');
    this.bool(r.need(), 'ldap.deleteoldrdn', 'deleteoldrdn');
    const superior = r.next();
    if (superior !== null && superior.cls === BerClass.Context && superior.tag === 0) this.ldapString(superior, 'ldap.newSuperior', 'newSuperior');
  }

  private compareRequest(op: BerTlv): void {
    const r = this.children(op, 'compareRequest');
    this.ldapString(r.need(), 'ldap.entry', 'entry');
    this.ava(r.need(), 'ldap.ava_element', 'ava');
  }

  private extendedReq(op: BerTlv): void {
    let oid = '';
    for (const c of this.children(op, 'extendedReq')) {
      if (c.cls !== BerClass.Context) continue;
      if (c.tag === 0) oid = this.ldapOid(c, 'ldap.requestName', 'requestName');
      else if (c.tag === 1 && OID_DISSECTORS.has(oid)) {
        // The value is handed to the OID's BER dissector as it is (no OCTET STRING header to strip).
        this.oidCallbacks++;
        if (oid === PASSWD_MODIFY) this.passwdModify(c);
      } else if (c.tag === 1) this.octets(c, 'ldap.requestValue', 'requestValue');
    }
  }

  /** RFC 3062 PasswdModifyRequestValue. */
  private passwdModify(t: BerTlv): void {
    const seq = this.tlv(t.valueStart, t.valueEnd, 'PasswdModifyRequestValue');
    this.element('ldap.PasswdModifyRequestValue_element', 'PasswdModifyRequestValue', seq, () => {
      for (const c of this.children(seq, 'PasswdModifyRequestValue')) {
        if (c.cls !== BerClass.Context) continue;
        if (c.tag === 0) this.octets(c, 'ldap.userIdentity', 'userIdentity');
        else if (c.tag === 1) this.octets(c, 'ldap.oldPasswd', 'oldPasswd');
        else if (c.tag === 2) this.octets(c, 'ldap.newPasswd', 'newPasswd');
      }
    });
  }

  private intermediate(op: BerTlv): void {
    for (const c of this.children(op, 'intermediateResponse')) {
      if (c.cls !== BerClass.Context) continue;
      if (c.tag === 0) this.ldapOid(c, 'ldap.responseName', 'responseName');
      else if (c.tag === 1) this.octets(c, 'ldap.responseValue', 'responseValue');
    }
  }

  private controls(t: BerTlv): void {
    this.list('ldap.controls', 'controls', t, 'Controls', (c) => {
      this.element('ldap.Control_element', 'Control', c, () => {
        let oid: string | null = null;
        for (const part of this.children(c, 'Control')) {
          if (part.cls !== BerClass.Universal) continue;
          if (part.tag === 4 && oid === null) oid = this.ldapOid(part, 'ldap.controlType', 'controlType');
          else if (part.tag === 1) this.bool(part, 'ldap.criticality', 'criticality');
          else if (part.tag === 4) this.controlValue(part, oid ?? '');
        }
      });
    });
  }

  /** A control value whose OID has a BER dissector is dissected by it (paged results here); others stay bytes. */
  private controlValue(t: BerTlv, oid: string): void {
    if (!OID_DISSECTORS.has(oid)) return this.octets(t, 'ldap.controlValue', 'controlValue');
    this.oidCallbacks++;
    if (oid !== PAGED_RESULTS || t.length === 0) return;
    const seq = this.tlv(t.valueStart, t.valueEnd, 'SearchControlValue');
    this.element('ldap.SearchControlValue_element', 'SearchControlValue', seq, () => {
      const r = this.children(seq, 'SearchControlValue');
      this.integer(r.need(), 'ldap.size', 'size', true);
      const cookie = r.need();
      {
        const data = this.data;
        this.b.addLazy('ldap.cookie', () => fieldLabel('cookie', plainHex(data, cookie.valueStart, cookie.length)), data.subarray(cookie.valueStart, cookie.valueEnd), cookie.start, cookie.end - cookie.start, () => plainHex(data, cookie.valueStart, cookie.length));
      }
    });
  }
}
