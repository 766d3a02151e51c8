/**
 * Babel (UDP 6696): header, messages and trailer, Info listing the messages, and what is not
 * Babel. Expected values are what tshark 4.0 prints for the same frames; built with python3 struct.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissectHex, fieldText } from './test-fields';

const FRAMES = {
  /** hello (seqno 0xde0b, interval 400), ihu (rxcost 0x60), then a trailer: hmac and padn. */
  helloIhu: '011b1900000002000000000186dd6000000000241101fe800000000000000000000000000001ff0200000000000000000000000100061a281a28002412342a02001004060000de0b019005060002006001901004010203040100',
  /** pad1 alone. */
  pad1: '011b1900000002000000000186dd60000000000d1101fe800000000000000000000000000001ff0200000000000000000000000100061a281a28000d12342a02000100',
  /** Magic 41: not Babel. */
  badMagic: '011b1900000002000000000186dd60000000000c1101fe800000000000000000000000000001ff0200000000000000000000000100061a281a28000c123429020000',
  /** Version 1: Protocol column Babel, no layer. */
  version1: '011b1900000002000000000186dd60000000000c1101fe800000000000000000000000000001ff0200000000000000000000000100061a281a28000c12342a010000',
};

test('Babel: header, messages of the body and of the trailer, Info', () => {
  const p = dissectHex(FRAMES.helloIhu);
  assert.equal(fieldText(p, 'frame.protocols'), 'eth:ethertype:ipv6:udp:babel');
  assert.equal(p.summary.protocol, 'Babel');
  assert.equal(p.summary.info, 'Babel hello ihu hmac padn');
  assert.equal(fieldText(p, 'babel.magic'), '42');
  assert.equal(fieldText(p, 'babel.version'), '2');
  assert.equal(fieldText(p, 'babel.bodylen'), '16');
  assert.equal(fieldText(p, 'babel.message.type'), '4,5,16,1');
  assert.equal(fieldText(p, 'babel.message.length'), '6,6,4,0');
  assert.equal(fieldText(p, 'babel.message.seqno'), '0xde0b');
  assert.equal(fieldText(p, 'babel.message.interval'), '400,400');
  assert.equal(fieldText(p, 'babel.message.rxcost'), '0x0060');
  assert.equal(dissectHex(FRAMES.pad1).summary.info, 'Babel pad1');
});

test('Babel: a wrong magic number is data; version 1 is named but not dissected', () => {
  const bad = dissectHex(FRAMES.badMagic);
  assert.equal(fieldText(bad, 'frame.protocols'), 'eth:ethertype:ipv6:udp:data');
  assert.equal(bad.summary.protocol, 'UDP');
  const v1 = dissectHex(FRAMES.version1);
  assert.equal(fieldText(v1, 'frame.protocols'), 'eth:ethertype:ipv6:udp');
  assert.equal(v1.summary.protocol, 'Babel');
  assert.equal(v1.summary.info, 'Version 1');
});
