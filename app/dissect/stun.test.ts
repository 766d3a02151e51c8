/**
 * STUN, TURN and classic STUN (stun.ts) on hand-built frames: header, attributes and de-XORed
 * addresses, request/response matching, ChannelData, the heuristic and its conversation, classic
 * STUN, a cut and a malformed message, and the same selected fields without a tree. Expected values
 * are what tshark 4.0 prints for the same bytes (tests/dissect-stun-tshark.test.ts compares them all).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Dissector } from './dissector';
import { collectFields } from '../cli/tshark/fields';
import { udpFrame } from './test-frames';
import type { DissectedPacket } from './model';

/** Binding Request: SOFTWARE, PRIORITY, USE-CANDIDATE, ICE-CONTROLLING, USERNAME "a:b", MESSAGE-INTEGRITY, a good FINGERPRINT. */
const BINDING_REQUEST = '000100482112a4420102030405060708090a0b0c8022000474657374002400046e7f00ff00250000802a0008000102030405060700060003613a620000080014000102030405060708090a0b0c0d0e0f1011121380280004d2779a7c';
/** Its Success Response: XOR-MAPPED-ADDRESS (IPv4, IPv6), MAPPED-ADDRESS, RESPONSE-ORIGIN, OTHER-ADDRESS, SOFTWARE, a bad FINGERPRINT. */
const BINDING_RESPONSE = '0101006c2112a4420102030405060708090a0b0c002000080001329ae112a6450001000800011388c000020700200014000236620113a9fa0102030405060708090a0b0b802b000800010d960a000002802c001400020d9720010db80000000000000000000000028022000c737276010a5c7f090dc3a9ff80280004e5de8596';
/** Error Response: ERROR-CODE 438, UNKNOWN-ATTRIBUTES, REALM, NONCE, unknown 0x7777, ALTERNATE-SERVER (IPv6), ERROR-CODE 699. */
const ERROR_RESPONSE = '011100642112a442a1a2a3a4a5a6a7a8a9aaabac0009000f000004265374616c65204e6f6e636500000a0004000300050014000b6578616d706c652e6f7267000015000a6162636465663031323300007777000378797a008023001400020d9620010db80000000000000000000000090009000400000663';
const CHANNEL_DATA = '4001000568656c6c6f';
/** Message length 6 (not a multiple of 4): SOFTWARE "ab" unpadded. */
const WRONG_MSGLEN = '000100062112a442505152535455565758595a5b802200026162';
/** An unknown attribute whose length runs past the message. */
const PAST_END = '000100082112a44268696a6b6c6d6e6f707172737001000c61626364';
/** Allocate Request with REQUESTED-TRANSPORT UDP, on ports that are not STUN's. */
const HEURISTIC_REQUEST = '000300082112a4428485868788898a8b8c8d8e8f0019000411000000';
const HEURISTIC_CHANNEL = '400200047778797a';
const CLASSIC_REQUEST = '00010008c8c9cacbcccdcecfd0d1d2d3d4d5d6d70003000400000006';

function dissect(d: Dissector, payload: string, o: { number?: number; tsNs?: bigint; ports?: [number, number]; reply?: boolean; capture?: number; fields?: ReadonlySet<string> } = {}): DissectedPacket {
  const bytes = Buffer.from(payload, 'hex');
  const [src, dst] = o.ports ?? (o.reply ? [3478, 40000] : [40000, 3478]);
  const whole = udpFrame(src, dst, bytes, undefined, o.reply);
  const frame = o.capture === undefined ? whole : whole.subarray(0, o.capture);
  const select = o.fields ? { fields: o.fields, columns: false } : undefined;
  return d.dissect({ number: o.number ?? 1, tsNs: o.tsNs ?? 0n, data: frame, origLen: whole.length, linkType: 1 }, select);
}

const fields = (p: DissectedPacket, names: string[]): string => {
  const got = collectFields(p, names);
  return names.map((n) => (got.get(n) ?? []).join(',')).join('|');
};

test('a Binding Request and its response: header, attributes, de-XORed addresses, matching', () => {
  const d = new Dissector();
  const req = dissect(d, BINDING_REQUEST, { number: 1, tsNs: 1_000_000_000n });
  assert.equal(fields(req, ['frame.protocols']), 'eth:ethertype:ip:udp:stun');
  assert.equal(req.summary.protocol, 'STUN');
  assert.equal(req.summary.info, 'Binding Request user: a:b');
  assert.equal(fields(req, ['stun.type', 'stun.type.class', 'stun.type.method', 'stun.length', 'stun.cookie', 'stun.id', 'stun.network_version']),
    '0x0001|0x0000|0x0001|72|2112a442|0102030405060708090a0b0c|3');
  assert.equal(fields(req, ['stun.att.type']), '0x8022,0x0024,0x0025,0x802a,0x0006,0x0008,0x8028');
  assert.equal(fields(req, ['stun.att.software', 'stun.att.priority', 'stun.att.tie-breaker', 'stun.att.username', 'stun.att.padding']), 'test|1853817087|0001020304050607|a:b|1');
  assert.equal(fields(req, ['stun.att.crc32', 'stun.att.crc32.status', 'stun.response-in']), '0xd2779a7c|1|');

  const resp = dissect(d, BINDING_RESPONSE, { number: 2, tsNs: 1_000_250_000n, reply: true });
  assert.equal(resp.summary.info,
    'Binding Success Response XOR-MAPPED-ADDRESS: 192.0.2.7:5000 MAPPED-ADDRESS: 192.0.2.7:5000 XOR-MAPPED-ADDRESS: 2001:db8::7:6000 RESPONSE-ORIGIN: 10.0.0.2:3478 OTHER-ADDRESS: 2001:db8::2:3479');
  assert.equal(fields(resp, ['stun.response-to', 'stun.time']), '1|0.000250000');
  assert.equal(fields(resp, ['stun.att.port-xord', 'stun.att.ipv4-xord', 'stun.att.ipv6-xord']), '329a,3662|e112a645|0113a9fa0102030405060708090a0b0b');
  assert.equal(fields(resp, ['stun.att.port', 'stun.att.ipv4', 'stun.att.ipv6']), '5000,5000,6000,3478,3479|192.0.2.7,192.0.2.7,10.0.0.2|2001:db8::7,2001:db8::2');
  // Control characters stay as they are; newline, carriage return and tab are escaped.
  assert.equal(fields(resp, ['stun.att.software']), 'srv\x01\\n\\\x7f\\t\\ré\ufffd');
  assert.equal(fields(resp, ['stun.att.crc32', 'stun.att.crc32.status', 'stun.att.crc32.bad']), '0xe5de8596|0|1');
  const attributes = resp.layers.at(-1)!.fields.find((f) => f.label === 'Attributes')!.children!;
  assert.deepEqual(attributes.slice(0, 2).map((f) => f.label), ['XOR-MAPPED-ADDRESS: 192.0.2.7:5000', 'MAPPED-ADDRESS: 192.0.2.7:5000']);

  // The same request again: a duplicate of frame 1.
  const again = dissect(d, BINDING_REQUEST, { number: 3 });
  assert.equal(fields(again, ['stun.reqduplicate']), '1');
});

test('an Error Response: error code, realm, nonce, unknown attributes', () => {
  const p = dissect(new Dissector(), ERROR_RESPONSE, { reply: true });
  assert.equal(p.summary.info,
    'Binding Error Response error-code: 438 (Stale Nonce) Stale Nonce realm: example.org with nonce ALTERNATE-SERVER: 2001:db8::9:3478 error-code: 699 (*Unknown error code*)');
  assert.equal(fields(p, ['stun.att.error.class', 'stun.att.error', 'stun.att.error.reason', 'stun.att.unknown', 'stun.att.realm', 'stun.att.nonce']),
    '4,6|38,99|Stale Nonce|0x0003,0x0005|example.org|abcdef0123');
  assert.equal(fields(p, ['stun.unknown_attribute', 'stun.value']), '1|78797a');
});

test('TURN ChannelData on port 3478: the channel, then the payload as data', () => {
  const p = dissect(new Dissector(), CHANNEL_DATA);
  assert.equal(fields(p, ['frame.protocols', 'stun.channel', 'stun.length', 'data.data']), 'eth:ethertype:ip:udp:stun:data|0x4001|5|68656c6c6f');
  assert.equal(p.summary.info, 'ChannelData TURN Message');
});

test('the heuristic: a STUN message on other ports makes its 5-tuple STUN, ChannelData included', () => {
  const d = new Dissector();
  const req = dissect(d, HEURISTIC_REQUEST, { number: 1, ports: [5000, 6000] });
  assert.equal(req.summary.info, 'Allocate Request UDP');
  const channel = dissect(d, HEURISTIC_CHANNEL, { number: 2, ports: [6000, 5000], reply: true });
  assert.equal(fields(channel, ['frame.protocols', 'stun.channel']), 'eth:ethertype:ip:udp:stun:data|0x4002');
  // The same bytes on another 5-tuple: no heuristic takes ChannelData alone.
  const elsewhere = dissect(d, HEURISTIC_CHANNEL, { number: 3, ports: [5001, 6000] });
  assert.equal(fields(elsewhere, ['frame.protocols']), 'eth:ethertype:ip:udp:data');
});

test('classic STUN (no magic cookie): CLASSIC-STUN', () => {
  const p = dissect(new Dissector(), CLASSIC_REQUEST);
  assert.equal(fields(p, ['frame.protocols', 'classicstun.type', 'classicstun.length', 'classicstun.id']), 'eth:ethertype:ip:udp:classicstun|0x0001|0x0008|c8c9cacbcccdcecfd0d1d2d3d4d5d6d7');
  assert.equal(fields(p, ['classicstun.att.type', 'classicstun.att.change.ip', 'classicstun.att.change.port']), '0x0003|1|1');
  assert.equal(p.summary.protocol, 'CLASSIC-STUN');
  assert.equal(p.summary.info, 'Message: Binding Request');
});

test('malformed and cut messages are marked as tshark marks them', () => {
  const wrong = dissect(new Dissector(), WRONG_MSGLEN);
  assert.equal(fields(wrong, ['stun.wrong_msglen', 'stun.att.length']), '1|4');
  assert.equal(wrong.summary.info, 'Binding Request');

  const past = dissect(new Dissector(), PAST_END);
  assert.equal(past.summary.info, 'Binding Request[Malformed Packet]');
  assert.equal(past.layers.at(-1)!.status, 'malformed');

  // 90 of 166 bytes captured: the STUN header is whole, the attributes are cut.
  const cut = dissect(new Dissector(), BINDING_RESPONSE, { reply: true, capture: 90 });
  assert.equal(cut.summary.info, 'Binding Success Response XOR-MAPPED-ADDRESS: 192.0.2.7:5000 MAPPED-ADDRESS: 192.0.2.7:5000[Packet size limited during capture]');
  assert.equal(cut.layers.at(-1)!.status, 'truncated');
});

test('without a tree the selected STUN fields come out the same', () => {
  const names = ['stun.type', 'stun.att.type', 'stun.att.ipv4', 'stun.att.port', 'stun.att.username', 'stun.response-to', 'stun.time', 'stun.att.crc32.bad', 'stun.unknown_attribute', 'stun.channel', 'classicstun.att.type', 'frame.protocols'];
  const run: [string, { ports?: [number, number]; reply?: boolean }][] = [
    [BINDING_REQUEST, {}], [BINDING_RESPONSE, { reply: true }], [ERROR_RESPONSE, { reply: true }], [CHANNEL_DATA, {}], [WRONG_MSGLEN, {}], [PAST_END, {}],
    [HEURISTIC_REQUEST, { ports: [5000, 6000] }], [HEURISTIC_CHANNEL, { ports: [6000, 5000], reply: true }], [CLASSIC_REQUEST, {}],
  ];
  const [withTree, without] = [new Dissector(), new Dissector()];
  run.forEach(([payload, o], k) => {
    const at = { ...o, number: k + 1, tsNs: BigInt(k) * 1000n };
    const tree = dissect(withTree, payload, at);
    const selected = dissect(without, payload, { ...at, fields: new Set(names) });
    for (const name of names) assert.equal(fields(selected, [name]), fields(tree, [name]), `${name} of frame ${k + 1}`);
  });
});
