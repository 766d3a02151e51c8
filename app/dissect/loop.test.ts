/**
 * Ethernet configuration test protocol (loop): skip count, the function list (Forward Data with
 * its address, Reply with its receipt number), the relevant function in Info, the data after it.
 * Expected values are what tshark 4.0 prints for the same bytes.
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

const ETH = 'aa0004001d04' + 'aa0004006904' + '9000';
const FORWARD = '0200' + 'aa0004001d04';
const REPLY = '0100' + '0100';
const PAYLOAD = '55'.repeat(40);

test('loop: Forward Data then Reply, the relevant one named in Info, the rest is data', () => {
  const [first, second] = dissectFrames([{ hex: ETH + '0000' + FORWARD + REPLY + PAYLOAD }, { hex: ETH + '0800' + FORWARD + REPLY + PAYLOAD }]);
  assert.equal(fieldText(first!, 'frame.protocols'), 'eth:ethertype:loop:data');
  assert.equal(first!.summary.protocol, 'LOOP');
  assert.equal(first!.summary.info, 'Forward Data');
  assert.equal(fieldText(first!, 'loop.skipcount'), '0');
  assert.equal(fieldText(first!, 'loop.relevant_function'), '2');
  assert.equal(fieldText(first!, 'loop.function'), '2,1');
  assert.equal(fieldText(first!, 'loop.forwarding_address'), 'aa:00:04:00:1d:04');
  assert.equal(fieldText(first!, 'loop.receipt_number'), '1');
  assert.equal(fieldText(first!, 'data.len'), '40');
  assert.equal(second!.summary.info, 'Reply');
  assert.equal(fieldText(second!, 'loop.relevant_function'), '1');
});

test('loop: a skip count pointing at no function, an unknown function', () => {
  const [nowhere, unknown] = dissectFrames([{ hex: ETH + '0300' + REPLY + PAYLOAD }, { hex: ETH + '0000' + '0700' + PAYLOAD }]);
  assert.equal(nowhere!.summary.info, 'No valid function found');
  assert.equal(unknown!.summary.info, 'Unknown function (7)');
  assert.equal(fieldText(unknown!, 'loop.function'), '7');
});

test('loop: a function list cut short is marked, not thrown', () => {
  const [p] = dissectFrames([{ hex: ETH + '0000' + '0200aa00' }]);
  assert.notEqual(p!.status, 'ok');
  assert.equal(fieldText(p!, 'frame.protocols'), 'eth:ethertype:loop');
});
