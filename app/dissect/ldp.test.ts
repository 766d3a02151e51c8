/**
 * LDP on hand-made PDUs: header, messages, TLVs and their values, the Info line, a message too
 * short, a PDU cut by the capture, and the same selected fields without a tree. Expected values
 * are what tshark 4.0 prints for the same PDUs (tests/dissect-ldp-tshark.test.ts compares them,
 * over TCP too, with tshark).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Dissector } from './dissector';
import { collectFields } from '../cli/tshark/fields';
import { udpFrame } from './test-frames';
import type { DissectedPacket } from './model';

/** Hello: Common Hello Parameters (hold 15, targeted, requested), IPv4 Transport Address 10.0.0.1, unknown TLV 0x3030. */
const HELLO = '00010024c0a8000100000100001a0000000704000004000fc000040100040a000001303000020102';
/** Notification: Status TLV, advisory, forwarded, Loop Detected, about a Label Mapping message. */
const NOTIFICATION = '0001001cc0a80001000000010012000000080300000a4000000b000000050400';
/** A Hello whose message length is 2. */
const BAD_LENGTH = '0001000ec0a8000100000100000200000000';

function dissect(payload: string, options?: { capture?: number; fields?: ReadonlySet<string> }): DissectedPacket {
  const bytes = Buffer.from(payload, 'hex');
  const frame = udpFrame(646, 646, bytes, options?.capture);
  const select = options?.fields ? { fields: options.fields, columns: false } : undefined;
  return new Dissector().dissect({ number: 1, tsNs: 0n, data: frame, origLen: 42 + bytes.length, linkType: 1 }, select);
}

const fields = (p: DissectedPacket, names: string[]) => {
  const got = collectFields(p, names);
  return names.map((n) => (got.get(n) ?? []).join(',')).join('|');
};

test('a Hello: header, message, TLVs and Info', () => {
  const p = dissect(HELLO);
  assert.equal(fields(p, ['frame.protocols']), 'eth:ethertype:ip:udp:ldp');
  assert.equal(p.summary.protocol, 'LDP');
  assert.equal(p.summary.info, 'Hello Message ');
  assert.equal(fields(p, ['ldp.hdr.version', 'ldp.hdr.pdu_len', 'ldp.hdr.ldpid.lsr', 'ldp.hdr.ldpid.lsid']), '1|36|192.168.0.1|0');
  assert.equal(fields(p, ['ldp.msg.ubit', 'ldp.msg.type', 'ldp.msg.len', 'ldp.msg.id']), '0|0x0100|26|0x00000007');
  assert.equal(fields(p, ['ldp.msg.tlv.unknown', 'ldp.msg.tlv.type', 'ldp.msg.tlv.len']), '0x00,0x00,0x00|0x0400,0x0401,0x3030|4,4,2');
  assert.equal(fields(p, ['ldp.msg.tlv.hello.hold', 'ldp.msg.tlv.hello.targeted', 'ldp.msg.tlv.hello.requested', 'ldp.msg.tlv.hello.gtsm', 'ldp.msg.tlv.ipv4.taddr', 'ldp.msg.tlv.value']),
    '15|1|1|0|10.0.0.1|0102');
  const message = p.layers.at(-1)!.fields.find((f) => f.label === 'Hello Message')!;
  assert.deepEqual(message.children!.slice(4).map((f) => f.label), ['Common Hello Parameters', 'IPv4 Transport Address', 'Unknown TLV type (0x3030)']);
});

test('a Notification: the Status TLV', () => {
  const p = dissect(NOTIFICATION);
  assert.equal(p.summary.info, 'Notification Message ');
  assert.equal(fields(p, ['ldp.msg.tlv.status.ebit', 'ldp.msg.tlv.status.fbit', 'ldp.msg.tlv.status.data', 'ldp.msg.tlv.status.msg.id', 'ldp.msg.tlv.status.msg.type']),
    '0|1|0x0000000b|0x00000005|0x0400');
});

test('a message too short, a PDU cut by the capture', () => {
  const bad = dissect(BAD_LENGTH);
  assert.equal(bad.summary.info, 'Bad Message Length ');
  assert.equal(fields(bad, ['ldp.hdr.pdu_len', 'ldp.msg.type']), '14|');
  const cut = dissect(HELLO, { capture: 42 + 30 });
  assert.equal(cut.status, 'truncated');
  assert.equal(cut.summary.info, 'Hello Message [Packet size limited during capture]');
  assert.equal(fields(cut, ['ldp.hdr.pdu_len', 'ldp.msg.id', 'ldp.msg.tlv.hello.hold']), '36||');
});

test('without a tree the selected LDP fields come out the same', () => {
  const names = ['ldp.hdr.ldpid.lsr', 'ldp.msg.type', 'ldp.msg.tlv.len', 'ldp.msg.tlv.hello.targeted', 'ldp.msg.tlv.status.data', 'ldp.msg.tlv.value', 'frame.protocols'];
  for (const payload of [HELLO, NOTIFICATION, BAD_LENGTH]) {
    const tree = dissect(payload);
    const selected = dissect(payload, { fields: new Set(names) });
    for (const name of names) assert.equal(fields(selected, [name]), fields(tree, [name]), name);
  }
});
