/**
 * GeoNetworking (ethertype 0x8947): basic header alone, basic + common header with an unknown and a
 * beacon header type (source position vector, then data). Expected values are what tshark 4.0
 * prints for the same bytes.
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

const ETH = 'ffffffffffff' + '000c426d54db' + '8947';
/** Version 0, next header 1 (common header), reserved 0x51, lifetime 0, remaining hop limit 2. */
const BASIC = '01510002';
/** Common header: next header 0, header type HT, traffic class 0, flags 0x02, payload length 49356, max hop limit 0, reserved 0x0c. */
const common = (ht: string) => '00' + ht + '0002c0cc000c';
const POSITION = '426968bef7d08f10' + '1eaed88f' + '035fbd0e' + '00000000' + '00167000';

test('GeoNetworking basic header alone: fields, empty Info', () => {
  const [p] = dissectFrames([{ hex: ETH + '00100000' + '00'.repeat(32) }]);
  assert.equal(fieldText(p!, 'frame.protocols'), 'eth:ethertype:gnw');
  assert.equal(p!.summary.protocol, 'GEONW');
  assert.equal(p!.summary.info, '');
  assert.equal(fieldText(p!, 'geonw.bh.version'), '0');
  assert.equal(fieldText(p!, 'geonw.bh.nh'), '0');
  assert.equal(fieldText(p!, 'geonw.bh.reserved'), '0x10');
  assert.equal(fieldText(p!, 'geonw.bh.rhl'), '0');
});

test('GeoNetworking common header with an unknown header type', () => {
  const [p] = dissectFrames([{ hex: ETH + BASIC + common('8a') + POSITION + '00'.repeat(20) }]);
  assert.equal(fieldText(p!, 'frame.protocols'), 'eth:ethertype:gnw');
  assert.equal(p!.summary.info, 'Unknown (138)');
  assert.equal(fieldText(p!, 'geonw.ch.htype'), '0x8a');
  assert.equal(fieldText(p!, 'geonw.ch.reserved1'), '0x00');
  assert.equal(fieldText(p!, 'geonw.ch.flags.reserved'), '2');
  assert.equal(fieldText(p!, 'geonw.ch.plength'), '49356');
  assert.equal(fieldText(p!, 'geonw.ch.reserved2'), '0x0c');
  assert.equal(fieldText(p!, 'geonw.bh.rhl'), '2');
});

test('GeoNetworking beacon: source position vector, then data', () => {
  const [p] = dissectFrames([{ hex: ETH + BASIC + common('1d') + POSITION + 'ab'.repeat(10) }]);
  assert.equal(fieldText(p!, 'frame.protocols'), 'eth:ethertype:gnw:data');
  assert.equal(p!.summary.info, 'Unknown (29)');
  assert.equal(fieldText(p!, 'geonw.src_pos'), POSITION);
  assert.equal(fieldText(p!, 'geonw.src_pos.addr'), '426968bef7d08f10');
  assert.equal(fieldText(p!, 'geonw.src_pos.addr.mid'), '68:be:f7:d0:8f:10');
  assert.equal(fieldText(p!, 'geonw.src_pos.tst'), '514775183');
  assert.equal(fieldText(p!, 'geonw.src_pos.lat'), '56605966');
  assert.equal(fieldText(p!, 'data.len'), '10');
  const [beacon] = dissectFrames([{ hex: ETH + BASIC + common('10') + POSITION }]);
  assert.equal(beacon!.summary.info, 'Beacon');
});

test('GeoNetworking: a common header cut short is marked, not thrown', () => {
  const [p] = dissectFrames([{ hex: ETH + BASIC + '001d' }]);
  assert.equal(p!.status, 'malformed');
  assert.equal(fieldText(p!, 'frame.protocols'), 'eth:ethertype:gnw');
});

test('without a tree the selected GeoNetworking fields come out the same', () => {
  const hex = ETH + BASIC + common('1d') + POSITION + 'ab'.repeat(10);
  const names = ['geonw.bh.rhl', 'geonw.ch.htype', 'geonw.src_pos.addr.mid', 'geonw.src_pos.speed', 'data.len', 'frame.protocols'];
  const [tree] = dissectFrames([{ hex }]);
  const data = Buffer.from(hex, 'hex');
  const selected = new Dissector().dissect({ number: 1, tsNs: 0n, data, origLen: data.length, linkType: 1 }, { fields: new Set(names), columns: false });
  for (const name of names) assert.equal(fieldText(selected, name), fieldText(tree!, name), name);
});
