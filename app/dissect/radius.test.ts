/**
 * RADIUS on hand-made datagrams: header, AVPs by dictionary type, a response naming its request,
 * EAP-Message segments put together, the payloads Wireshark declines, a length past the datagram,
 * and the same selected fields without a tree. Expected values are what tshark 4.0 prints for the
 * same frames (tests/dissect-radius-tshark.test.ts compares them all with tshark).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Dissector } from './dissector';
import { collectFields } from '../cli/tshark/fields';
import { udpFrame } from './test-frames';
import type { DissectedPacket } from './model';

const AUTH = '11'.repeat(16);
/** Access-Request id 7: User-Name, User-Password, NAS-IP-Address, NAS-Port, NAS-Port-Type, Service-Type, Called-Station-Id, Message-Authenticator. */
const ACCESS_REQUEST = `01070061${AUTH}0107616c69636502125a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a0406c0a801010506000000113d06000000130606000000021e0a30302d31312d3232501233333333333333333333333333333333`;
/** Its Access-Accept: Framed-IP-Address "Assigned", Framed-MTU, Session-Timeout, Reply-Message, Class. */
const ACCESS_ACCEPT = `02070033${AUTH}0806fffffffe0c06000005dc1b0600000e10120957656c636f6d6519040102`;
/** Two EAP-Message AVPs holding one EAP Response/Identity "abcdef", then a Message-Authenticator. */
const EAP_SEGMENTS = `01120035${AUTH}4f090205000b0161624f0663646566501200000000000000000000000000000000`;
/** Length 40 in a 24-byte datagram. */
const PAST_DATAGRAM = `01160028${AUTH}01046162`;
/** Unknown attribute 21, tagged Tunnel-Type and Tunnel-Password, Tunnel-Private-Group-Id with and without a tag, escapes, Framed-IP-Address, a 6-byte integer. */
const TAGGED = `010a004a${AUTH}150401024006010000034505014142510602677270510567727001086101625c63e908060a0000050806ffffffff7e08000000000000`;
/** An AVP of length 1 after User-Name "ab". */
const TOO_SHORT = `010c001c${AUTH}010461620101 0000`.replace(' ', '');

function dissect(d: Dissector, payload: string, options?: { number?: number; tsNs?: bigint; reply?: boolean; fields?: ReadonlySet<string> }): DissectedPacket {
  const bytes = Buffer.from(payload, 'hex');
  const frame = options?.reply ? udpFrame(1812, 1645, bytes, undefined, true) : udpFrame(1645, 1812, bytes);
  const select = options?.fields ? { fields: options.fields, columns: false } : undefined;
  return d.dissect({ number: options?.number ?? 1, tsNs: options?.tsNs ?? 0n, data: frame, origLen: frame.length, linkType: 1 }, select);
}

const fields = (p: DissectedPacket, names: string[]) => {
  const got = collectFields(p, names);
  return names.map((n) => (got.get(n) ?? []).join(',')).join('|');
};

test('an Access-Request: header, AVPs and columns', () => {
  const p = dissect(new Dissector(), ACCESS_REQUEST);
  assert.equal(fields(p, ['frame.protocols']), 'eth:ethertype:ip:udp:radius');
  assert.equal(p.summary.protocol, 'RADIUS');
  assert.equal(p.summary.info, 'Access-Request id=7');
  assert.equal(fields(p, ['radius.code', 'radius.id', 'radius.length', 'radius.authenticator', 'radius.req']), `1|7|97|${AUTH}|1`);
  assert.equal(fields(p, ['radius.avp.type']), '1,2,4,5,61,6,30,80');
  assert.equal(fields(p, ['radius.User_Name', 'radius.User_Password_encrypted', 'radius.NAS_IP_Address', 'radius.NAS_Port', 'radius.NAS_Port_Type', 'radius.Service_Type', 'radius.Called_Station_Id']),
    `alice|${'5a'.repeat(16)}|192.168.1.1|17|19|2|00-11-22`);
  const avps = p.layers.at(-1)!.fields.find((f) => f.label === 'Attribute Value Pairs')!.children!;
  assert.deepEqual(avps.slice(0, 5).map((f) => f.label), [
    'AVP: t=User-Name(1) l=7 val=alice', 'AVP: t=User-Password(2) l=18 val=Encrypted', 'AVP: t=NAS-IP-Address(4) l=6 val=192.168.1.1',
    'AVP: t=NAS-Port(5) l=6 val=17', 'AVP: t=NAS-Port-Type(61) l=6 val=Wireless-802.11(19)',
  ]);
});

test('a response names its request in the same conversation', () => {
  const d = new Dissector();
  dissect(d, ACCESS_REQUEST, { number: 1, tsNs: 1_000_000_000n });
  const p = dissect(d, ACCESS_ACCEPT, { number: 2, tsNs: 1_000_981_000n, reply: true });
  assert.equal(p.summary.info, 'Access-Accept id=7');
  assert.equal(fields(p, ['radius.rsp', 'radius.reqframe', 'radius.time', 'radius.Framed-IP-Address', 'radius.Framed_MTU', 'radius.Reply_Message', 'radius.Class']),
    '1|1|0.000981000|255.255.255.254|1500|Welcome|0102');
  // Without the request (another dissector instance), nothing to name.
  assert.equal(fields(dissect(new Dissector(), ACCESS_ACCEPT, { reply: true }), ['radius.rsp', 'radius.reqframe']), '1|');
});

test('EAP-Message segments are put together and dissected as EAP', () => {
  const p = dissect(new Dissector(), EAP_SEGMENTS);
  assert.equal(fields(p, ['frame.protocols']), 'eth:ethertype:ip:udp:radius:eap');
  assert.equal(p.summary.protocol, 'RADIUS');
  assert.equal(p.summary.info, 'Access-Request id=18');
  assert.equal(fields(p, ['radius.eap_fragment', 'eap.code', 'eap.id', 'eap.len', 'eap.type', 'eap.identity', 'radius.Message_Authenticator']),
    `0205000b016162,63646566|2|5|11|1|abcdef|${'00'.repeat(16)}`);
  const labels = p.layers.find((l) => l.protocol === 'radius')!.fields.find((f) => f.label === 'Attribute Value Pairs')!.children!.map((f) => f.label);
  assert.deepEqual(labels.slice(0, 2), ['AVP: t=EAP-Message(79) l=9 Segment[1]', 'AVP: t=EAP-Message(79) l=6 Last Segment[2]']);
});

test('tags, unknown attributes, escapes and lengths a type cannot take', () => {
  const p = dissect(new Dissector(), TAGGED);
  assert.equal(fields(p, ['radius.Unknown_Attribute', 'radius.Tunnel_Type', 'radius.Tunnel_Type.tag', 'radius.Tunnel_Password_encrypted',
    'radius.Tunnel_Private_Group_Id', 'radius.Tunnel_Private_Group_Id.tag', 'radius.Framed-IP-Address', 'radius.Multi_Link_Flag']),
  '0102|3|0x01|4142|grp,grp|0x02|10.0.0.5,255.255.255.255|');
  assert.equal(fields(p, ['radius.User_Name']), 'a\x01b\\c\ufffd');
  const labels = p.layers.at(-1)!.fields.find((f) => f.label === 'Attribute Value Pairs')!.children!.map((f) => f.label);
  assert.deepEqual([labels[1], labels[5], labels[7], labels[8]], [
    'AVP: t=Tunnel-Type(64) l=6 Tag=0x01 val=L2TP(3)', 'AVP: t=User-Name(1) l=8 val=a\\001b\\c\ufffd',
    'AVP: t=Framed-IP-Address(8) l=6 val=Negotiated', 'AVP: t=Multi-Link-Flag(126) l=8 val=[unhandled integer length(6)]',
  ]);
});

test('declined payloads, a length past the datagram, an AVP too short', () => {
  const unknownCode = dissect(new Dissector(), `63140016${AUTH}01046162`);
  assert.equal(fields(unknownCode, ['frame.protocols']), 'eth:ethertype:ip:udp:data');
  assert.equal(unknownCode.summary.protocol, 'UDP');
  const shortLength = dissect(new Dissector(), `01150013${AUTH}01046162`);
  assert.equal(fields(shortLength, ['frame.protocols']), 'eth:ethertype:ip:udp:data');
  const past = dissect(new Dissector(), PAST_DATAGRAM);
  assert.equal(past.summary.info, 'Access-Request id=22[Malformed Packet]');
  assert.equal(past.status, 'malformed');
  assert.equal(fields(past, ['radius.length', 'radius.req', 'radius.avp']), '40|1|');
  const short = dissect(new Dissector(), TOO_SHORT);
  assert.equal(short.summary.info, 'Access-Request id=12');
  assert.equal(fields(short, ['radius.avp.type', 'radius.User_Name']), '1|ab');
  assert.ok(short.layers.at(-1)!.fields.find((f) => f.label === 'Attribute Value Pairs')!.children!.some((f) => f.label === 'AVP too short: length 1 < 2'));
});

test('without a tree the selected RADIUS fields come out the same', () => {
  const names = ['radius.id', 'radius.avp.length', 'radius.User_Name', 'radius.reqframe', 'radius.time', 'radius.Framed-IP-Address', 'radius.Tunnel_Type.tag', 'eap.identity', 'frame.protocols'];
  for (const run of [[ACCESS_REQUEST, ACCESS_ACCEPT], [EAP_SEGMENTS, TAGGED, PAST_DATAGRAM, TOO_SHORT]]) {
    const [withTree, without] = [new Dissector(), new Dissector()];
    run.forEach((payload, k) => {
      const at = { number: k + 1, tsNs: BigInt(k) * 1000n, reply: k === 1 && run.length === 2 };
      const tree = dissect(withTree, payload, at);
      const selected = dissect(without, payload, { ...at, fields: new Set(names) });
      for (const name of names) assert.equal(fields(selected, [name]), fields(tree, [name]), name);
    });
  }
});
