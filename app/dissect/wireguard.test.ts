/**
 * WireGuard (wireguard.ts) on built frames (tests/support/vpn-frames.ts): every message type, the
 * sessions tshark links (wg.stream, wg.response_to), the conversation an Initiation takes over
 * (reserved bytes set on data), what the heuristic declines, and cut messages. Expected values are
 * what tshark 4.0 prints for the same frames.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Dissector } from './dissector';
import { fieldText } from './test-fields';
import type { DissectedPacket } from './model';
import { wireguardFrames, type BuiltFrame } from '../../tests/support/vpn-frames';

function dissectAll(frames: readonly BuiltFrame[], options?: { fields?: ReadonlySet<string>; columns?: boolean }): DissectedPacket[] {
  const d = new Dissector();
  return frames.map((f, i) => d.dissect({ number: i + 1, tsNs: BigInt(i) * 1_000_000n, data: f.data, origLen: f.origLen ?? f.data.length, linkType: 1 }, options));
}

const packets = dissectAll(wireguardFrames());
const row = (n: number, names: string[]): string => names.map((name) => fieldText(packets[n - 1]!, name)).join('|');

test('WireGuard Info lines and frame.protocols as tshark prints them', () => {
  const expected = [
    'Handshake Initiation, sender=0x1A2B3C4D', 'Cookie Reply, receiver=0x1A2B3C4D', 'Handshake Initiation, sender=0x1A2B3C4E',
    'Handshake Response, sender=0x99AABBCC, receiver=0x1A2B3C4E', 'Keepalive, receiver=0x99AABBCC, counter=0',
    'Transport Data, receiver=0x1A2B3C4E, counter=0, datalen=64', 'Transport Data, receiver=0x99AABBCC, counter=1, datalen=1344',
    'Transport Data, receiver=0x1A2B3C4E, counter=78187493520, datalen=32', '40001 → 40002 Len=48',
    'Transport Data, receiver=0x11111111, counter=5, datalen=16', 'Handshake Initiation, sender=0x22222222', '40005 → 40006 Len=147',
    '40005 → 40006 Len=93', 'Handshake Initiation, sender=0x44444444[Packet size limited during capture]', 'Keepalive, receiver=0x44444444, counter=9',
  ];
  assert.deepEqual(packets.map((p) => p.summary.info), expected);
  const data = [9, 12, 13];
  packets.forEach((p, i) => {
    assert.equal(fieldText(p, 'frame.protocols'), data.includes(i + 1) ? 'eth:ethertype:ip:udp:data' : 'eth:ethertype:ip:udp:wg', `frame ${i + 1}`);
    if (!data.includes(i + 1)) assert.equal(p.summary.protocol, 'WireGuard');
  });
});

test('WireGuard fields and session links', () => {
  const names = ['wg.sender', 'wg.receiver', 'wg.counter', 'wg.stream', 'wg.response_to', 'wg.keepalive', 'wg.bad_packet_length', 'wg.reserved'];
  assert.equal(row(1, names), '0x1a2b3c4d|||0||||000000');
  assert.equal(row(2, names), '|0x1a2b3c4d||0|1|||000000');
  assert.equal(row(4, names), '0x99aabbcc|0x1a2b3c4e||1|3|||000000');
  assert.equal(row(5, names), '|0x99aabbcc|0|1||1||000000');
  assert.equal(row(8, names), '|0x1a2b3c4e|78187493520|1||||0a0b0c');
  assert.equal(row(10, names), '|0x11111111|5|||||000000');
  assert.equal(row(11, names), '0x22222222|||2||||ffeedd');
  assert.equal(row(15, names), '|0x44444444|9||||1|000000');
  assert.equal(row(1, ['wg.type', 'wg.ephemeral', 'wg.ephemeral.known_privkey', 'wg.encrypted_static', 'wg.encrypted_timestamp', 'wg.mac1', 'wg.mac2']),
    '1|AgkQFx4lLDM6QUhPVl1ka3J5gIeOlZyjqrG4v8bN1Ns=|0|1|1|050c131a21282f363d444b525960676e|00000000000000000000000000000000');
  assert.equal(row(2, ['wg.type', 'wg.nonce', 'wg.encrypted_cookie']),
    '3|0a11181f262d343b424950575e656c737a81888f969da4ab|0b121920272e353c434a51585f666d747b828990979ea5acb3bac1c8cfd6dde4');
  assert.equal(row(4, ['wg.encrypted_empty', 'wg.response_in', 'wg.handshake_ok']), '1||');
  assert.equal(packets[13]!.status, 'truncated');
});

test('WireGuard heuristic: type, exact length, reserved bytes', async () => {
  const { looksLikeWireguard } = await import('./wireguard');
  const frames = wireguardFrames();
  const payload = (n: number): Buffer => frames[n - 1]!.data.subarray(42);
  assert.equal(looksLikeWireguard(payload(1), 0, 148), true);
  assert.equal(looksLikeWireguard(payload(9), 0, payload(9).length), false, 'data with reserved bytes set');
  assert.equal(looksLikeWireguard(payload(11), 0, 148), true, 'an initiation may set them');
  assert.equal(looksLikeWireguard(payload(12), 0, 147), false);
});

test('without a tree the selected WireGuard fields come out the same', () => {
  const names = ['wg.sender', 'wg.receiver', 'wg.counter', 'wg.stream', 'wg.response_to', 'wg.ephemeral', 'wg.keepalive', 'frame.protocols'];
  const selected = dissectAll(wireguardFrames(), { fields: new Set(names), columns: false });
  selected.forEach((p, i) => {
    for (const name of names) assert.equal(fieldText(p, name), fieldText(packets[i]!, name), `frame ${i + 1} ${name}`);
  });
});
