/**
 * Kerberos 4 on frames built here: a whole KDC request (big endian) on its own port 750, one on the
 * Kerberos 5 port 88 cut by the snap length, an "Appl Request Mutual" in little-endian byte order,
 * and a Kerberos 5 message (ASN.1 application tag). Expected values are what tshark 4.0 prints for
 * the same frames (`tshark -T fields -e frame.protocols -e _ws.col.Info -e krb4.*`), except for the
 * Kerberos 5 message, which tshark decodes and Sievecap shows as data.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Dissector } from './dissector';
import { fieldText } from './test-fields';
import type { DissectedPacket } from './model';
import { udpFrame } from './test-frames';

const KDC_REQUEST = Buffer.concat([
  Buffer.from([4, 2]), Buffer.from('alice\0\0EXAMPLE.ORG\0', 'latin1'), Buffer.from('36b5c8a0', 'hex'), Buffer.from([96]),
  Buffer.from('krbtgt\0EXAMPLE.ORG\0', 'latin1'),
]);
const FRAMES = {
  request: udpFrame(1024, 750, KDC_REQUEST),
  cut: udpFrame(1024, 88, KDC_REQUEST, 42 + 8),
  mutual: udpFrame(88, 1024, Buffer.from('0409000000', 'hex')),
  krb5: udpFrame(1024, 88, Buffer.from('6a81a03081', 'hex')),
};

function dissect(data: Buffer, origLen = data.length, fields?: ReadonlySet<string>): DissectedPacket {
  return new Dissector().dissect({ number: 1, tsNs: 0n, data, origLen, linkType: 1 }, fields ? { fields } : undefined);
}

test('KDC request on port 750: chain krb4, names, time and lifetime', () => {
  const p = dissect(FRAMES.request);
  assert.equal(fieldText(p, 'frame.protocols'), 'eth:ethertype:ip:udp:krb4');
  assert.equal(p.summary.protocol, 'KRB4');
  assert.equal(p.summary.info, 'KDC Request');
  const expected: Array<[string, string]> = [
    ['krb4.version', '4'], ['krb4.auth_msg_type', '0x02'], ['krb4.m_type', '0x01'], ['krb4.byte_order', '0x00'], ['krb4.name', 'alice'],
    ['krb4.instance', ''], ['krb4.realm', 'EXAMPLE.ORG'], ['krb4.time_sec', 'Feb  1, 1999 15:30:40.000000000 UTC'], ['krb4.lifetime', '96'],
    ['krb4.s_name', 'krbtgt'], ['krb4.s_instance', 'EXAMPLE.ORG'],
  ];
  const noTree = dissect(FRAMES.request, undefined, new Set(expected.map(([name]) => name)));
  for (const [name, value] of expected) {
    assert.equal(fieldText(p, name), value, name);
    assert.equal(fieldText(noTree, name), value, `${name} (no tree)`);
  }
});

test('KDC request on port 88 cut by the snap length: kerberos:krb4, truncated, the names captured kept', () => {
  const p = dissect(FRAMES.cut, FRAMES.request.length);
  assert.equal(fieldText(p, 'frame.protocols'), 'eth:ethertype:ip:udp:kerberos:krb4');
  assert.equal(p.summary.info, 'KDC Request[Packet size limited during capture]');
  assert.equal(fieldText(p, 'krb4.name'), 'alice');
  assert.equal(fieldText(p, 'krb4.realm'), '');
  assert.equal(p.layers.find((l) => l.protocol === 'krb4')!.status, 'truncated');
});

test('Little-endian Appl Request Mutual, and Kerberos 5 left to the Kerberos 5 dissector', () => {
  const mutual = dissect(FRAMES.mutual);
  assert.equal(mutual.summary.info, 'Appl Request Mutual');
  assert.equal(fieldText(mutual, 'krb4.m_type'), '0x04');
  assert.equal(fieldText(mutual, 'krb4.byte_order'), '0x01');
  // An AS-REQ cut short: Kerberos 5, malformed (tshark 4.0 alike).
  const krb5 = dissect(FRAMES.krb5);
  assert.equal(fieldText(krb5, 'frame.protocols'), 'eth:ethertype:ip:udp:kerberos');
  assert.equal(krb5.summary.info, '[Malformed Packet]');
});
