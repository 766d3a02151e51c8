/**
 * SSDP (UDP 1900): HTTP-format datagrams under the protocol name ssdp, read by the HTTP dissector
 * (http.* fields). Expected values are what tshark 4.0 prints for the same frames
 * (`tshark -T fields -e frame.protocols -e http.request.method ... -e _ws.col.Info`).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissectHex, fieldText } from './test-fields';
import { compileDisplayFilter } from '../filter';

const FRAMES = {
  mSearch: '01005e7ffffa02000000000108004500009f00010000011107a1c0a8010aeffffffac350076c008b00004d2d534541524348202a20485454502f312e310d0a484f53543a203233392e3235352e3235352e3235303a313930300d0a4d414e3a2022737364703a646973636f766572220d0a4d583a20310d0a53543a20737364703a616c6c0d0a555345522d4147454e543a204c696e75782f362055506e502f312e3120746573742f310d0a0d0a',
  notify: '01005e7ffffa0200000000010800450000f8000100000111073ec0a80114effffffa076c076c00e400004e4f54494659202a20485454502f312e310d0a484f53543a203233392e3235352e3235352e3235303a313930300d0a43414348452d434f4e54524f4c3a206d61782d6167653d313830300d0a4c4f434154494f4e3a20687474703a2f2f3139322e3136382e312e32303a38302f646573632e786d6c0d0a4e543a2075706e703a726f6f746465766963650d0a4e54533a20737364703a616c6976650d0a5345525645523a204c696e75782055506e502f312e3020782f310d0a55534e3a20757569643a313233343a3a75706e703a726f6f746465766963650d0a0d0a',
  ok: '0200000000020200000000010800450000f4000100000111358ac0a80114c0a8010a076cc35000e00000485454502f312e3120323030204f4b0d0a43414348452d434f4e54524f4c3a206d61782d6167653d313830300d0a444154453a205468752c2030332044656320323032362031313a30303a303020474d540d0a4558543a0d0a4c4f434154494f4e3a20687474703a2f2f3139322e3136382e312e32303a38302f646573632e786d6c0d0a5345525645523a204c696e75782055506e502f312e3020782f310d0a53543a2075706e703a726f6f746465766963650d0a55534e3a20757569643a313233343a3a75706e703a726f6f746465766963650d0a0d0a',
};

test('SSDP M-SEARCH: protocol ssdp, request fields, Info the request line', () => {
  const p = dissectHex(FRAMES.mSearch);
  assert.equal(fieldText(p, 'frame.protocols'), 'eth:ethertype:ip:udp:ssdp');
  assert.equal(p.summary.protocol, 'SSDP');
  assert.equal(p.summary.info, 'M-SEARCH * HTTP/1.1 ');
  assert.equal(p.layers.at(-1)!.title, 'Simple Service Discovery Protocol');
  assert.equal(fieldText(p, 'http.request.method'), 'M-SEARCH');
  assert.equal(fieldText(p, 'http.request.uri'), '*');
  assert.equal(fieldText(p, 'http.request.version'), 'HTTP/1.1');
  assert.equal(fieldText(p, 'http.host'), '239.255.255.250:1900');
  assert.equal(fieldText(p, 'http.user_agent'), 'Linux/6 UPnP/1.1 test/1');
  assert.equal(fieldText(p, 'http.request.full_uri'), 'http://239.255.255.250:1900*');
  assert.equal(fieldText(p, 'http.request'), '1');
  assert.equal(fieldText(p, 'http.request.line').split(',').length, 5);
});

test('SSDP NOTIFY is a notification: no http.request flag, no request lines (as tshark)', () => {
  const p = dissectHex(FRAMES.notify);
  assert.equal(p.summary.info, 'NOTIFY * HTTP/1.1 ');
  assert.equal(fieldText(p, 'http.request.method'), 'NOTIFY');
  assert.equal(fieldText(p, 'http.notification'), '1');
  assert.equal(fieldText(p, 'http.request'), '');
  assert.equal(fieldText(p, 'http.request.line'), '');
  assert.equal(fieldText(p, 'http.location'), 'http://192.168.1.20:80/desc.xml');
  assert.equal(fieldText(p, 'http.cache_control'), 'max-age=1800');
});

test('SSDP search response: status fields, Info the status line', () => {
  const p = dissectHex(FRAMES.ok);
  assert.equal(p.summary.info, 'HTTP/1.1 200 OK ');
  assert.equal(fieldText(p, 'http.response.code'), '200');
  assert.equal(fieldText(p, 'http.response.phrase'), 'OK');
  assert.equal(fieldText(p, 'http.server'), 'Linux UPnP/1.0 x/1');
  assert.equal(fieldText(p, 'http.response'), '1');
});

test('filters: ssdp is a protocol, http.* fields reach it, "http" does not (as tshark)', () => {
  for (const [expr, expected] of [['ssdp', [true, true, true]], ['http.request', [true, false, false]], ['http.notification', [false, true, false]], ['http.response.code == 200', [false, false, true]], ['http', [false, false, false]]] as const) {
    const got = [FRAMES.mSearch, FRAMES.notify, FRAMES.ok].map((hex) => compileDisplayFilter(expr).matches(dissectHex(hex), Buffer.from(hex, 'hex')));
    assert.deepEqual(got, expected, expr);
  }
});

test('without a tree or columns, an http.* field still reaches an SSDP message', () => {
  const fields = new Set(['http.request.method']);
  assert.equal(fieldText(dissectHex(FRAMES.mSearch, { fields, columns: false }), 'http.request.method'), 'M-SEARCH');
});
