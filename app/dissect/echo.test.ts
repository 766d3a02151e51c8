/** Echo (port 7): request and response as tshark 4.0 shows them (everyday traffic in bench/cli compares them with tshark). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Dissector } from './dissector';
import { collectFields } from '../cli/tshark/fields';
import { udpFrame } from './test-frames';

test('a datagram to port 7 is an Echo request, one from it a response, with the bytes as echo.data', () => {
  const d = new Dissector();
  const request = udpFrame(40000, 7, Buffer.from('hello'));
  const response = udpFrame(7, 40000, Buffer.from('hello'), undefined, true);
  const q = d.dissect({ number: 1, tsNs: 0n, data: request, origLen: request.length, linkType: 1 });
  const r = d.dissect({ number: 2, tsNs: 1n, data: response, origLen: response.length, linkType: 1 });
  assert.deepEqual([q.summary.protocol, q.summary.info, r.summary.info], ['ECHO', 'Request', 'Response']);
  const fields = collectFields(q, ['frame.protocols', 'echo.data', 'echo.request', 'echo.response']);
  assert.equal(fields.get('frame.protocols')?.join(), 'eth:ethertype:ip:udp:echo');
  assert.equal(fields.get('echo.data')?.join(), '68656c6c6f');
  assert.equal(fields.get('echo.request')?.join(), '1');
  assert.equal(collectFields(r, ['echo.response']).get('echo.response')?.join(), '1');
});
