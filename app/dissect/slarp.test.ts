/**
 * Cisco SLARP on Cisco HDLC (linktype 104, protocol 0x8035): request, reply and keepalive, as
 * tshark 4.0 shows them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Dissector } from './dissector';
import { fieldText } from './test-fields';
import type { DissectedPacket } from './model';

function dissectFrames(frames: { hex: string; linkType?: number; tsNs?: bigint }[]): DissectedPacket[] {
  const d = new Dissector();
  return frames.map((f, i) => {
    const data = Buffer.from(f.hex.replace(/\s+/g, ""), "hex");
    return d.dissect({ number: i + 1, tsNs: f.tsNs ?? 0n, data, origLen: data.length, linkType: f.linkType ?? 1 });
  });
}

const CHDLC = 104;
const HEADER = '8f008035';

test('SLARP keepalive: sequence numbers, reliability, Info', () => {
  const [p] = dissectFrames([{ hex: HEADER + '00000002' + '00000005' + '00000002' + 'ffff', linkType: CHDLC }]);
  assert.equal(fieldText(p!, 'frame.protocols'), 'chdlc:slarp');
  assert.equal(p!.summary.protocol, 'SLARP');
  assert.equal(p!.summary.info, 'Line keepalive, outgoing sequence 5, returned sequence 2');
  assert.equal(fieldText(p!, 'slarp.ptype'), '2');
  assert.equal(fieldText(p!, 'slarp.mysequence'), '5');
  assert.equal(fieldText(p!, 'slarp.yoursequence'), '2');
  assert.equal(fieldText(p!, 'slarp.reliability'), '0xffff');
});

test('SLARP request and reply: address and mask', () => {
  const [request, reply] = dissectFrames([
    { hex: HEADER + '00000000' + '00000000' + '00000000' + 'ffff', linkType: CHDLC },
    { hex: HEADER + '00000001' + '0f000001' + 'fffffffc' + 'ffff', linkType: CHDLC },
  ]);
  assert.equal(request!.summary.info, 'Request, from 0.0.0.0, mask 0.0.0.0');
  assert.equal(reply!.summary.info, 'Reply, from 15.0.0.1, mask 255.255.255.252');
  assert.equal(fieldText(reply!, 'slarp.address'), '15.0.0.1');
  assert.equal(fieldText(reply!, 'slarp.netmask'), '255.255.255.252');
});

test('SLARP: an unknown type, and a keepalive cut short', () => {
  const [unknown, short] = dissectFrames([
    { hex: HEADER + '0000000a' + '00'.repeat(10), linkType: CHDLC },
    { hex: HEADER + '00000002' + '0000', linkType: CHDLC },
  ]);
  assert.equal(unknown!.summary.info, 'Unknown packet type 0x0000000A');
  assert.equal(short!.status, 'malformed');
  assert.equal(fieldText(short!, 'frame.protocols'), 'chdlc:slarp');
});
