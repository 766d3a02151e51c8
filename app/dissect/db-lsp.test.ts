/** Dropbox LAN sync Discovery: layers, chain and columns as tshark 4.0 shows the corpus' announcements. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Dissector } from './dissector';
import { collectFields } from '../cli/tshark/fields';
import { udpFrame } from './test-frames';

function dissect(frame: Buffer, origLen = frame.length) {
  return new Dissector().dissect({ number: 1, tsNs: 0n, data: frame, origLen, linkType: 1 });
}

test('an announcement on UDP 17500 is DB-LSP-DISC carrying JSON', () => {
  const json = Buffer.from('{"host_int": 4094514483, "version": [1, 8], "displayname": "", "port": 17500, "namespaces": [20524257]}');
  const p = dissect(udpFrame(17500, 17500, json));
  assert.equal(collectFields(p, ['frame.protocols']).get('frame.protocols')?.join(), 'eth:ethertype:ip:udp:db-lsp-disc:json');
  assert.equal(p.summary.protocol, 'DB-LSP-DISC/JSON');
  assert.equal(p.summary.info, 'Dropbox LAN sync Discovery Protocol, JavaScript Object Notation');
  assert.equal(p.status, 'ok');
});

test('text that is not JSON is marked malformed, a cut one truncated; nothing throws', () => {
  assert.equal(dissect(udpFrame(17500, 17500, Buffer.from('not json'))).status, 'malformed');
  const json = Buffer.from('{"port": 17500, "namespaces": []}');
  assert.equal(dissect(udpFrame(17500, 17500, json, 14 + 20 + 8 + 10), 14 + 20 + 8 + json.length).status, 'truncated');
});
