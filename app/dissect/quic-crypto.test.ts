/**
 * QUIC's Initial protection against the test vectors of RFC 9001 Appendix A (keys from the client's
 * DCID 0x8394c8f03e515708, the header protection mask of the client's Initial, the Retry packet of
 * A.4) and RFC 9000 Appendix A.3's packet number example.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import { expandPacketNumber, initialKeys, retryTagValid } from './quic-crypto';

test('Initial keys as RFC 9001 A.1 derives them', () => {
  const { client, server } = initialKeys(Buffer.from('8394c8f03e515708', 'hex'), 1);
  assert.equal(client.key.toString('hex'), '1f369613dd76d5467730efcbe3b1a22d');
  assert.equal(client.iv.toString('hex'), 'fa044b2f42a3fd3b46fb255c');
  assert.equal(client.hp.toString('hex'), '9f50449e04a0e810283a1e9933adedd2');
  assert.equal(server.key.toString('hex'), 'cf3a5331653c364c88f0f379b6067e37');
  assert.equal(server.iv.toString('hex'), '0ac1493ca1905853b0bba03e');
  assert.equal(server.hp.toString('hex'), 'c206b8d9b9f0f37644430b490eeaa314');
  // A.2: the client Initial's header protection mask from its sample.
  const ecb = crypto.createCipheriv('aes-128-ecb', client.hp, null);
  assert.equal(ecb.update(Buffer.from('d1b1c98dd7689fb8ec11d242b123dc9b', 'hex')).subarray(0, 5).toString('hex'), '437b9aec36');
});

test('Retry integrity tag of RFC 9001 A.4', () => {
  const retry = Buffer.from('ff000000010008f067a5502a4262b5746f6b656e04a265ba2eff4d829058fb3f0f2496ba', 'hex');
  assert.equal(retryTagValid(retry, Buffer.from('8394c8f03e515708', 'hex'), 1), true);
  assert.equal(retryTagValid(retry, Buffer.from('8394c8f03e515709', 'hex'), 1), false);
  const flipped = Buffer.from(retry);
  flipped[10]! ^= 1;
  assert.equal(retryTagValid(flipped, Buffer.from('8394c8f03e515708', 'hex'), 1), false);
});

test('packet numbers expanded as RFC 9000 A.3', () => {
  assert.equal(expandPacketNumber(0xa82f30ean, 0x9b32, 16), 0xa82f9b32n);
  assert.equal(expandPacketNumber(0n, 0, 8), 0n);
  assert.equal(expandPacketNumber(0n, 1, 8), 1n);
  assert.equal(expandPacketNumber(255n, 2, 8), 258n);
});
