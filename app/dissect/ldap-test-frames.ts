/**
 * Hand-built LDAP and CLDAP frames for the LDAP tests (app/dissect/ldap.test.ts and
 * tests/dissect-ldap-tshark.test.ts): BER put together from its parts, carried in Ethernet + IPv4
 * + TCP or UDP between 10.0.0.1 and 10.0.0.2.
 */
import { ipFrame, udpFrame } from './test-frames';

/** A BER TLV with a definite length (short or long form). */
export function tlv(tag: number, ...parts: Array<Buffer | string>): Buffer {
  const body = Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : p)));
  const n = body.length;
  const length = n < 0x80 ? Buffer.from([n]) : n < 0x100 ? Buffer.from([0x81, n]) : Buffer.from([0x82, n >> 8, n & 0xff]);
  return Buffer.concat([Buffer.from([tag]), length, body]);
}

export const int = (tag: number, v: number): Buffer => tlv(tag, Buffer.from(v < 0x80 ? [v] : v < 0x8000 ? [v >> 8, v & 0xff] : [0, v >> 8, v & 0xff]));
export const str = (s: string, tag = 0x04): Buffer => tlv(tag, s);
const seq = (...parts: Buffer[]): Buffer => tlv(0x30, ...parts);
const set = (...parts: Buffer[]): Buffer => tlv(0x31, ...parts);
const bool = (tag: number, v: boolean): Buffer => tlv(tag, Buffer.from([v ? 0xff : 0]));
const result = (code: number, matched = '', message = ''): Buffer[] => [int(0x0a, code), str(matched), str(message)];

/** An LDAPMessage: messageID, protocolOp, optional controls. */
export const message = (id: number, op: Buffer, controls?: Buffer): Buffer => seq(int(0x02, id), op, ...(controls ? [controls] : []));

/** Ethernet + IPv4 + TCP (ACK|PSH) from 10.0.0.1:port to 10.0.0.2:389 (or back when `reply`). */
export function tcpFrame(clientPort: number, seqNo: number, ackNo: number, payload: Buffer, reply = false, serverPort = 389): Buffer {
  const tcp = Buffer.alloc(20);
  tcp.writeUInt16BE(reply ? serverPort : clientPort, 0);
  tcp.writeUInt16BE(reply ? clientPort : serverPort, 2);
  tcp.writeUInt32BE(seqNo >>> 0, 4);
  tcp.writeUInt32BE(ackNo >>> 0, 8);
  tcp[12] = 0x50;
  tcp[13] = 0x18;
  tcp.writeUInt16BE(65535, 14);
  return ipFrame(6, Buffer.concat([tcp, payload]), reply);
}

const filterAnd = (...f: Buffer[]): Buffer => tlv(0xa0, ...f);
const filterOr = (...f: Buffer[]): Buffer => tlv(0xa1, ...f);
const filterNot = (f: Buffer): Buffer => tlv(0xa2, f);
const eq = (a: string, v: string | Buffer): Buffer => tlv(0xa3, str(a), tlv(0x04, v));
const present = (a: string): Buffer => str(a, 0x87);
const substrings = (a: string, ...items: Array<[number, string]>): Buffer => tlv(0xa4, str(a), seq(...items.map(([k, v]) => str(v, 0x80 + k))));

/** searchRequest with every kind of filter item, a control, and its request/response partner messages. */
const SEARCH = message(
  7,
  tlv(0x63, str('ou=people,dc=example,dc=org'), int(0x0a, 1), int(0x0a, 3), int(0x02, 500), int(0x02, 30), bool(0x01, true),
    filterAnd(
      eq('objectClass', 'person'),
      filterOr(substrings('cn', [0, 'a'], [1, 'l'], [2, 'e']), present('mail'), filterNot(eq('uid', Buffer.from([0x01, 0xff])))),
      tlv(0xa5, str('uidNumber'), str('1000')),
      tlv(0xa6, str('gidNumber'), str('')),
      tlv(0xa8, str('sn'), str('smyth')),
      tlv(0xa9, str('caseExactMatch', 0x81), str('cn', 0x82), str('Alice', 0x83), bool(0x84, true)),
    ),
    seq(str('cn'), str('mail'), str('1.1'))),
  tlv(0xa0, seq(str('1.2.840.113556.1.4.319'), bool(0x01, true), tlv(0x04, seq(int(0x02, 100), str(''))))),
);

/** One TCP connection to port 389: each segment follows the one before in its direction. */
function connection(clientPort: number): { send(payload: Buffer): Buffer; reply(payload: Buffer): Buffer } {
  let client = 1;
  let server = 1;
  return {
    send(payload) {
      const frame = tcpFrame(clientPort, client, server, payload);
      client += payload.length;
      return frame;
    },
    reply(payload) {
      const frame = tcpFrame(clientPort, server, client, payload, true);
      server += payload.length;
      return frame;
    },
  };
}

const c1 = connection(40001);
const c2 = connection(40007);

/** Frames in capture order (object keys keep it). */
export const LDAP_FRAMES: Record<string, Buffer> = {
  /** SASL bind (first step: mechanism only), then its saslBindInProgress response with server credentials. */
  saslBind: c1.send(message(1, tlv(0x60, int(0x02, 3), str('uid=bob,dc=example,dc=org'), tlv(0xa3, str('CRAM-MD5'))))),
  saslBindResponse: c1.reply(message(1, tlv(0x61, ...result(14), tlv(0x87, 'challenge')))),
  /** A search with every filter kind and a paged results control; an entry, a reference and its done in one segment. */
  search: c1.send(SEARCH),
  searchResults: c1.reply(Buffer.concat([
    message(7, tlv(0x64, str('cn=alice,ou=people,dc=example,dc=org'), seq(seq(str('cn'), set(str('alice'), str('Alice'))), seq(str('jpegPhoto'), set(tlv(0x04, Buffer.from([0xff, 0xd8, 0x00]))))))),
    message(7, tlv(0x73, str('ldap://other.example.org/dc=example,dc=org'))),
    message(7, tlv(0x65, ...result(0))),
  ])),
  /** modDN with a new superior, compare false, abandon, delete with a referral, extended operations. */
  modDN: c1.send(message(8, tlv(0x6c, str('cn=alice,ou=people,dc=example,dc=org'), str('cn=alicia'), bool(0x01, false), str('ou=staff,dc=example,dc=org', 0x80)))),
  modDNResponse: c1.reply(message(8, tlv(0x6d, ...result(32, 'dc=example,dc=org', 'no such object')))),
  compare: c1.send(message(9, tlv(0x6e, str('cn=bob,dc=example,dc=org'), tlv(0x30, str('sn'), str('Smith'))))),
  compareFalse: c1.reply(message(9, tlv(0x6f, ...result(5)))),
  abandon: c1.send(message(10, int(0x50, 7))),
  delete: c1.send(message(11, str('cn=old,dc=example,dc=org', 0x4a))),
  delReferral: c1.reply(message(11, tlv(0x6b, ...result(10), tlv(0xa3, str('ldap://a.example.org/'), str('ldap://b.example.org/'))))),
  /** StartTLS on its own connection (a later success on the same one would turn it to TLS in tshark). */
  startTls: c2.send(message(12, tlv(0x77, str('1.3.6.1.4.1.1466.20037', 0x80)))),
  startTlsRefused: c2.reply(message(12, tlv(0x78, ...result(2, '', 'unsupported extended operation')))),
  passwd: c1.send(message(13, tlv(0x77, str('1.3.6.1.4.1.4203.1.11.1', 0x80), tlv(0x81, seq(str('uid=bob', 0x80), str('old', 0x81), str('new', 0x82)))))),
  intermediate: c1.reply(message(13, tlv(0x79, str('1.3.6.1.4.1.4203.1.9.1.4', 0x80)))),
  passwdDone: c1.reply(message(13, tlv(0x78, ...result(0), str('1.3.6.1.4.1.4203.1.11.1', 0x8a), tlv(0x8b, Buffer.from([0x30, 0x00]))))),
  unbind: c1.send(message(14, tlv(0x42))),
  /** A message whose baseObject claims more bytes than its searchRequest holds. */
  malformed: tcpFrame(40002, 1, 1, message(2, tlv(0x63, Buffer.from([0x04, 0x40]), 'dc=x'))),
  /** The same after a whole scope. */
  malformedScope: tcpFrame(40004, 1, 1, message(2, tlv(0x63, str('dc=x'), int(0x0a, 2), Buffer.from([0x0a, 0x05, 0x00])))),
  /** An unbindRequest whose NULL claims the next message's bytes. */
  malformedUnbind: tcpFrame(40005, 1, 1, Buffer.concat([message(2, tlv(0x42)).subarray(0, 6), Buffer.from([0x30, 0x05, 0x02, 0x01, 0x03, 0x42, 0x05])])),
  /** An unknown scope and a filter choice that does not exist (no exception in tshark). */
  unknownChoices: tcpFrame(40006, 1, 1, message(5, tlv(0x63, str('dc=y'), int(0x0a, 9), int(0x0a, 0), int(0x02, 0), int(0x02, 0), bool(0x01, false), tlv(0xac, 'x'), seq()))),
  /** Two messages in a segment shorter than its IP length says: the second is not dissected. */
  short: tcpFrame(40003, 1, 1, Buffer.concat([message(3, tlv(0x4a, 'cn=gone,dc=example,dc=org')), message(4, tlv(0x4a, 'cn=also,dc=example,dc=org'))])).subarray(0, 54 + 30 + 20),
  /** CLDAP: an AD-style ping and its answer (entry and done in one datagram). */
  cldapSearch: udpFrame(50000, 389, message(1, tlv(0x63, str(''), int(0x0a, 0), int(0x0a, 0), int(0x02, 0), int(0x02, 0), bool(0x01, false),
    filterAnd(eq('DnsDomain', 'example.org'), eq('Host', 'pc1')), seq(str('cn'))))),
  cldapResponse: udpFrame(50000, 389, Buffer.concat([
    message(1, tlv(0x64, str(''), seq(seq(str('cn'), set(str('dc1')))))),
    message(1, tlv(0x65, ...result(0))),
  ]), undefined, true),
};

/**
 * A search whose result entry spans three TCP segments (the last one also carries the
 * searchResDone): reassembly as tshark does it.
 */
export function splitFrames(): Buffer[] {
  const request = message(2, tlv(0x63, str('dc=example,dc=org'), int(0x0a, 2), int(0x0a, 0), int(0x02, 0), int(0x02, 0), bool(0x01, false), present('objectClass'), seq()));
  const entry = message(2, tlv(0x64, str('cn=big,dc=example,dc=org'), seq(seq(str('description'), set(str('z'.repeat(600)))))));
  const done = message(2, tlv(0x65, ...result(0)));
  const reply = Buffer.concat([entry, done]);
  const a = reply.subarray(0, 200);
  const b = reply.subarray(200, 500);
  const c = reply.subarray(500);
  return [
    tcpFrame(40010, 1, 1, request),
    tcpFrame(40010, 1, 1 + request.length, a, true),
    tcpFrame(40010, 1 + a.length, 1 + request.length, b, true),
    tcpFrame(40010, 1 + a.length + b.length, 1 + request.length, c, true),
  ];
}
