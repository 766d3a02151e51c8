/**
 * RIP on hand-made messages (the corpus' RIPv1/v2, password and keyed-MD5 captures are compared
 * with tshark by `npm run test:corpus`): fields, columns, unknown families, and no throw.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Dissector } from './dissector';
import { collectFields } from '../cli/tshark/fields';
import { udpFrame } from './test-frames';

function dissect(payload: string, capture?: number) {
  const frame = udpFrame(520, 520, Buffer.from(payload, 'hex'), capture);
  return new Dissector().dissect({ number: 1, tsNs: 0n, data: frame, origLen: 14 + 20 + 8 + payload.length / 2, linkType: 1 });
}

const fields = (p: ReturnType<typeof dissect>, names: string[]) => {
  const got = collectFields(p, names);
  return names.map((n) => (got.get(n) ?? []).join(',')).join('|');
};

test('a RIPv2 response: command, version and each route', () => {
  const p = dissect('02020000' + '0002000a' + '0a46b200' + 'ffffff00' + '00000000' + '00000001');
  assert.equal(p.summary.protocol, 'RIPv2');
  assert.equal(p.summary.info, 'Response');
  assert.equal(fields(p, ['rip.command', 'rip.version', 'rip.family', 'rip.route_tag', 'rip.ip', 'rip.netmask', 'rip.next_hop', 'rip.metric']), '2|2|2|10|10.70.178.0|255.255.255.0|0.0.0.0|1');
  assert.equal(collectFields(p, ['frame.protocols']).get('frame.protocols')?.join(), 'eth:ethertype:ip:udp:rip');
});

test('a RIPv1 request for the whole table; a simple password; an unknown family; a cut message', () => {
  const v1 = dissect('01010000' + '00000000' + '00000000' + '00000000' + '00000000' + '00000010');
  assert.equal(v1.summary.protocol, 'RIPv1');
  assert.equal(fields(v1, ['rip.family', 'rip.netmask', 'rip.metric']), '0||16');
  const password = dissect('01020000' + 'ffff0002' + Buffer.from('abcdefghijklmnop').toString('hex') + '0000000000000000000000000000000000000010');
  assert.equal(fields(password, ['rip.auth.type', 'rip.auth.passwd', 'rip.metric']), '2|abcdefghijklmnop|16');
  const unknown = dissect('02020000' + '0025' + '00'.repeat(18));
  assert.ok(unknown.layers.at(-1)!.fields.some((f) => f.label === 'Unknown address family 37'));
  const cut = dissect('02020000' + '0002000a' + '0a46b200' + 'ffffff00' + '00000000' + '00000001', 14 + 20 + 8 + 10);
  assert.equal(cut.status, 'truncated');
});
