/**
 * EAPOL (ethertype 0x888e): the 802.1X header and the EAP header (code, id, length, method, the
 * identity). tshark 4.0 leaves "eap" out of frame.protocols but names it in the Protocol column.
 * Expected values are what tshark 4.0 prints for the same frames.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissectHex, fieldText } from './test-fields';

/** The same texts from a dissection that builds only the named fields (no tree, no columns). */
function assertSameWithoutTree(hex: string, names: string[]): void {
  const tree = dissectHex(hex);
  const selected = dissectHex(hex, { fields: new Set(names), columns: false });
  for (const name of names) assert.equal(fieldText(selected, name), fieldText(tree, name), name);
}

const FRAMES = {
  start: '0180c200000302005e100001888e02010000000000000000000000000000000000000000000000000000000000000000000000000000000000000000',
  requestIdentity: '0180c200000302005e100001888e02000005010700050100000000000000000000000000000000000000000000000000000000000000000000000000',
  responseIdentity: '0180c200000302005e100001888e0200000e0207000e01616c6963654065780000000000000000000000000000000000000000000000000000000000',
  md5: '0180c200000302005e100001888e02000016010800160410000102030405060708090a0b0c0d0e0f0000000000000000000000000000000000000000',
  success: '0180c200000302005e100001888e02000004030800040000000000000000000000000000000000000000000000000000000000000000000000000000',
  logoff: '0180c200000302005e100001888e01020000000000000000000000000000000000000000000000000000000000000000000000000000000000000000',
};

test('EAPOL-Start and Logoff: the header only, Protocol EAPOL', () => {
  const start = dissectHex(FRAMES.start);
  assert.equal(fieldText(start, 'frame.protocols'), 'eth:ethertype:eapol');
  assert.equal(start.summary.protocol, 'EAPOL');
  assert.equal(start.summary.info, 'Start');
  assert.equal(fieldText(start, 'eapol.version'), '2');
  assert.equal(fieldText(start, 'eapol.type'), '1');
  assert.equal(fieldText(start, 'eapol.len'), '0');
  assert.equal(dissectHex(FRAMES.logoff).summary.info, 'Logoff');
});

test('EAP packets: code, id, length, method and identity; Protocol EAP, eap not in the chain', () => {
  const request = dissectHex(FRAMES.requestIdentity);
  assert.equal(fieldText(request, 'frame.protocols'), 'eth:ethertype:eapol');
  assert.equal(request.summary.protocol, 'EAP');
  assert.equal(request.summary.info, 'Request, Identity');
  assert.equal(fieldText(request, 'eap.code'), '1');
  assert.equal(fieldText(request, 'eap.id'), '7');
  assert.equal(fieldText(request, 'eap.len'), '5');
  assert.equal(fieldText(request, 'eap.type'), '1');
  const response = dissectHex(FRAMES.responseIdentity);
  assert.equal(response.summary.info, 'Response, Identity');
  assert.equal(fieldText(response, 'eap.identity'), 'alice@ex');
  assert.equal(dissectHex(FRAMES.md5).summary.info, 'Request, MD5-Challenge EAP (EAP-MD5-CHALLENGE)');
  const success = dissectHex(FRAMES.success);
  assert.equal(success.summary.info, 'Success');
  assert.equal(fieldText(success, 'eap.type'), '');
});

test('without a tree the selected EAPOL and EAP fields come out the same', () => {
  for (const hex of Object.values(FRAMES)) assertSameWithoutTree(hex, ['eapol.type', 'eapol.len', 'eap.code', 'eap.identity', 'frame.protocols']);
});
