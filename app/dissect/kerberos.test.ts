/**
 * Kerberos 5 (kerberos.ts): an MIT client's AS-REQ with PA-ENC-TIMESTAMP and the KDC's KRB-ERROR
 * PREAUTH_REQUIRED (e-data opened as METHOD-DATA), the same AS-REQ cut by the snap length and cut
 * short as a datagram, Kerberos 4 on the Kerberos port, a payload that is not Kerberos, the record
 * mark and reassembly over TCP, and the client's later datagram to another KDC port (the
 * conversation a KDC-REQ opens). Expected values are what tshark 4.0 prints for the same frames.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Dissector } from './dissector';
import { fieldText } from './test-fields';
import type { DissectedPacket } from './model';
import { AS_REQ, KRB_ERROR, udpFrame } from '../../tests/support/kerberos-frames';

/** Kerberos 4 KDC request (version 4, type 1) for alice / krbtgt.EX. */
const KRB4 = '0402616c6963650000455800' + '5f5e1000' + '60' + '6b72627467740045580' + '0';

function dissect(frames: Array<{ data: Buffer; origLen?: number }>, options?: { fields?: ReadonlySet<string>; columns?: boolean }): DissectedPacket[] {
  const d = new Dissector();
  return frames.map((f, i) => d.dissect({ number: i + 1, tsNs: BigInt(i) * 1_000_000_000n, data: f.data, origLen: f.origLen ?? f.data.length, linkType: 1 }, options));
}

const req = Buffer.from(AS_REQ, 'hex');
const err = Buffer.from(KRB_ERROR, 'hex');

test('AS-REQ with PA-ENC-TIMESTAMP: fields and columns', () => {
  const [p] = dissect([{ data: udpFrame(50000, 88, req) }]);
  assert.equal(fieldText(p!, 'frame.protocols'), 'eth:ethertype:ip:udp:kerberos');
  assert.equal(p!.summary.protocol, 'KRB5');
  assert.equal(p!.summary.info, 'AS-REQ');
  assert.equal(fieldText(p!, 'kerberos.pvno'), '5');
  assert.equal(fieldText(p!, 'kerberos.msg_type'), '10');
  assert.equal(fieldText(p!, 'kerberos.padata'), '4');
  assert.equal(fieldText(p!, 'kerberos.padata_type'), '133,2,150,149');
  assert.equal(fieldText(p!, 'kerberos.padata_value').split(',')[0], '4d4954');
  assert.equal(fieldText(p!, 'kerberos.padata_value').split(',')[3], '<MISSING>');
  assert.equal(fieldText(p!, 'kerberos.etype'), '18');
  assert.equal(fieldText(p!, 'kerberos.cipher'), '64555c2ff7185ca2138bcad68d533be96a5e3a9c229c020007dd8e86ce58ddba0009dbacfe8eecbaa6011dc7a4c9aa16a90b32c92c403673');
  assert.equal(fieldText(p!, 'kerberos.kdc_options'), '00000010');
  assert.equal(fieldText(p!, 'kerberos.KDCOptions.renewable.ok'), '1');
  assert.equal(fieldText(p!, 'kerberos.KDCOptions.forwardable'), '0');
  assert.equal(fieldText(p!, 'kerberos.cname_string'), '1');
  assert.equal(fieldText(p!, 'kerberos.CNameString'), 'bob');
  assert.equal(fieldText(p!, 'kerberos.name_type'), '1,2');
  assert.equal(fieldText(p!, 'kerberos.realm'), 'EXAMPLE.TEST');
  assert.equal(fieldText(p!, 'kerberos.SNameString'), 'krbtgt,EXAMPLE.TEST');
  assert.equal(fieldText(p!, 'kerberos.till'), 'Dec  5, 2026 06:43:41.000000000 UTC');
  assert.equal(fieldText(p!, 'kerberos.nonce'), '2113667634');
  assert.equal(fieldText(p!, 'kerberos.kdc-req-body.etype'), '8');
  assert.equal(fieldText(p!, 'kerberos.ENCTYPE'), '18,17,20,19,16,23,25,26');
  assert.equal(fieldText(p!, 'kerberos.as_req_element'), '1');
});

test('KRB-ERROR PREAUTH_REQUIRED: Info, times, e-text and the METHOD-DATA in e-data', () => {
  const [p] = dissect([{ data: udpFrame(88, 50000, err, true) }]);
  assert.equal(p!.summary.info, 'KRB Error: KRB5KDC_ERR_PREAUTH_REQUIRED');
  assert.equal(fieldText(p!, 'kerberos.msg_type'), '30');
  assert.equal(fieldText(p!, 'kerberos.error_code'), '25');
  assert.equal(fieldText(p!, 'kerberos.stime'), 'Dec  4, 2026 06:43:41.000000000 UTC');
  assert.equal(fieldText(p!, 'kerberos.susec'), '395531');
  assert.equal(fieldText(p!, 'kerberos.e_text'), 'NEEDED_PREAUTH');
  assert.equal(fieldText(p!, 'kerberos.crealm'), 'EXAMPLE.TEST');
  assert.equal(fieldText(p!, 'kerberos.padata_type'), '136,19,2,133');
  assert.equal(fieldText(p!, 'kerberos.padata'), '');
  assert.equal(fieldText(p!, 'kerberos.info2_salt'), 'EXAMPLE.TESTbob');
  assert.equal(fieldText(p!, 'kerberos.e_data').slice(0, 12), '304d300aa104');
});

test('AS-REQ cut by the snap length and cut short as a datagram', () => {
  const frame = udpFrame(50000, 88, req);
  const [cut, short] = dissect([{ data: frame.subarray(0, 142), origLen: frame.length }, { data: udpFrame(50000, 88, req.subarray(0, 120)) }]);
  assert.equal(cut!.summary.info, 'AS-REQ[Packet size limited during capture]');
  assert.equal(fieldText(cut!, 'kerberos.padata_type'), '133,2');
  assert.equal(fieldText(cut!, 'kerberos.padata_value'), '4d4954');
  // Wireshark counts a SEQUENCE OF only when its bytes were all captured.
  assert.equal(fieldText(cut!, 'kerberos.padata'), '0');
  assert.equal(short!.summary.info, 'AS-REQ[Malformed Packet]');
  assert.equal(fieldText(short!, 'kerberos.msg_type'), '10');
  assert.equal(fieldText(short!, 'kerberos.padata_type'), '');
});

test('Kerberos 4 on port 88 and a payload that is not Kerberos', () => {
  const [k4, other] = dissect([{ data: udpFrame(50001, 88, Buffer.from(KRB4, 'hex')) }, { data: udpFrame(50002, 88, Buffer.from('3003020105', 'hex')) }]);
  assert.equal(fieldText(k4!, 'frame.protocols'), 'eth:ethertype:ip:udp:kerberos:krb4');
  assert.equal(k4!.summary.info, 'KDC Request');
  assert.equal(fieldText(other!, 'frame.protocols'), 'eth:ethertype:ip:udp:data');
  assert.equal(other!.summary.info, '50002 → 88 Len=5');
});

test('a KDC-REQ opens a conversation: the client port\'s later datagram to the KDC is Kerberos', () => {
  const ticketOnly = Buffer.from('6111300fa003020105a1081b0645582e434f4d', 'hex');
  const [, later, stranger] = dissect([{ data: udpFrame(50000, 88, req) }, { data: udpFrame(50000, 4444, ticketOnly) }, { data: udpFrame(50003, 4444, ticketOnly) }]);
  assert.equal(fieldText(later!, 'frame.protocols'), 'eth:ethertype:ip:udp:kerberos');
  assert.equal(later!.summary.info, '');
  assert.equal(fieldText(later!, 'kerberos.realm'), 'EX.COM');
  assert.equal(fieldText(stranger!, 'frame.protocols'), 'eth:ethertype:ip:udp:data');
});

test('without a tree the selected Kerberos fields come out the same', () => {
  const names = ['kerberos.padata_type', 'kerberos.padata', 'kerberos.CNameString', 'kerberos.till', 'kerberos.e_data', 'kerberos.info2_salt', 'kerberos.KDCOptions.renewable.ok', 'frame.protocols'];
  const frames = [{ data: udpFrame(50000, 88, req) }, { data: udpFrame(88, 50000, err, true) }, { data: udpFrame(50000, 88, req.subarray(0, 120)) }];
  const tree = dissect(frames);
  const selected = dissect(frames, { fields: new Set(names), columns: false });
  tree.forEach((p, i) => {
    for (const name of names) assert.equal(fieldText(selected[i]!, name), fieldText(p, name), `${i} ${name}`);
  });
});
