/**
 * Enhanced GRE (RFC 2637, PPTP's data channel, protocol type 0x880b): the key split into payload
 * length and call ID, the acknowledgment number, and the PPP frame handed to the PPP dissector.
 * Expected values are what tshark 4.0 prints for the same frames (`-T fields -e gre.* -e ppp.*`).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissectHex, fieldText } from './test-fields';

const ETH_IP = '020000000002020000000001080045';

test('enhanced GRE with sequence and acknowledgment carries PPP, then IPv4', () => {
  const packet = dissectHex(ETH_IP + '00004400010000ff2f3836c0a80101c0a801023081880b002040000000000500000004ff0300214500001c00070000ff01a7d70a0000010a0000020800f7ff00000000');
  assert.equal(fieldText(packet, 'frame.protocols'), 'eth:ethertype:ip:gre:ppp:ip:icmp');
  assert.equal(fieldText(packet, 'gre.flags_and_version'), '0x3081');
  assert.equal(fieldText(packet, 'gre.flags.ack'), '1');
  assert.equal(fieldText(packet, 'gre.flags.version'), '1');
  assert.equal(fieldText(packet, 'gre.key.payload_length'), '32');
  assert.equal(fieldText(packet, 'gre.key.call_id'), '16384');
  assert.equal(fieldText(packet, 'gre.key'), '');
  assert.equal(fieldText(packet, 'gre.sequence_number'), '5');
  assert.equal(fieldText(packet, 'gre.ack_number'), '4');
  assert.equal(fieldText(packet, 'ppp.protocol'), '0x0021');
  assert.equal(packet.layers.find((l) => l.protocol === 'gre')!.title, 'Generic Routing Encapsulation (PPP)');
  assert.equal(packet.summary.protocol, 'ICMP');
});

test('an acknowledgment-only enhanced GRE packet has no payload: GRE, "Encapsulated PPP"', () => {
  const packet = dissectHex(ETH_IP + '00002000010000ff2f385ac0a80102c0a801012081880b0000400100000005');
  assert.equal(fieldText(packet, 'frame.protocols'), 'eth:ethertype:ip:gre');
  assert.equal(fieldText(packet, 'gre.ack_number'), '5');
  assert.equal(fieldText(packet, 'gre.sequence_number'), '');
  assert.equal(packet.summary.protocol, 'GRE');
  assert.equal(packet.summary.info, 'Encapsulated PPP');
});

test('enhanced GRE with a compressed PPP protocol field (no address and control)', () => {
  const packet = dissectHex(ETH_IP + '00003d00010000ff2f383dc0a80101c0a801023001880b001d400000000006214500001c00070000ff01a7d70a0000010a0000020800f7ff00000000');
  assert.equal(fieldText(packet, 'frame.protocols'), 'eth:ethertype:ip:gre:ppp:ip:icmp');
  assert.equal(fieldText(packet, 'gre.flags.ack'), '0');
  assert.equal(fieldText(packet, 'ppp.address'), '');
});

test('version 0 GRE keeps its 32-bit key and five reserved flag bits', () => {
  // Key 0x00000001, IPv4 inside.
  const packet = dissectHex(ETH_IP + '00003000010000ff2f384ac0a80101c0a8010220000800000000014500001400010000ff01a7e50a0000010a000002');
  assert.equal(fieldText(packet, 'gre.key'), '0x00000001');
  assert.equal(fieldText(packet, 'gre.flags.ack'), '');
  assert.equal(fieldText(packet, 'gre.key.call_id'), '');
});
