/**
 * SSH (TCP 22) segment by segment: banners, the version the client's banner sets (Protocol column
 * from the next packet on), KEXINIT fields and hassh, the negotiated key exchange naming message 30,
 * NEWKEYS, and encrypted packets shown as tshark 4.0 shows them for the negotiated cipher. The
 * frames are one conversation, dissected in order; expected values are tshark's
 * (`-o tcp.desegment_tcp_streams:FALSE -T fields -e ssh.* -e _ws.col.Info`).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Dissector } from './dissector';
import { fieldText } from './test-fields';
import type { DissectedPacket, Field } from './model';

/**
 * 10.0.0.1:40000 → 10.0.0.2:22. The client prefers chacha20-poly1305 (which tshark sets up for
 * decryption), the server aes128-ctr: client-to-server packets use chacha20, server-to-client
 * aes128-ctr.
 */
const FRAMES = {
  clientBanner: '02000000000202000000000108004500004800010000400666ad0a0000010a0000029c400016000003e8000007d05018ffff000000005353482d322e302d4f70656e5353485f392e3270312044656269616e2d320d0a',
  serverBanner: '02000000000202000000000108004500005000010000400666a50a0000020a00000100169c40000007d0000004085018ffff000000005353482d322e302d4f70656e5353485f392e3270312044656269616e2d322b646562313275330d0a',
  clientKexinit: '0200000000020200000000010800450000fd00010000400665f80a0000010a0000029c40001600000408000007f85018ffff00000000000000d10414000102030405060708090a0b0c0d0e0f0000002f637572766532353531392d7368613235362c6469666669652d68656c6c6d616e2d67726f757031342d7368613235360000000b7373682d656432353531390000002863686163686132302d706f6c7931333035406f70656e7373682e636f6d2c6165733132382d6374720000000a6165733132382d6374720000000d686d61632d736861322d3235360000000d686d61632d736861322d323536000000046e6f6e65000000046e6f6e650000000000000000000000000000000000',
  serverKexinit: '0200000000020200000000010800450000fd00010000400665f80a0000020a00000100169c40000007f8000004dd5018ffff00000000000000d10414000102030405060708090a0b0c0d0e0f00000011637572766532353531392d7368613235360000000b7373682d65643235353139000000286165733132382d6374722c63686163686132302d706f6c7931333035406f70656e7373682e636f6d000000286165733132382d6374722c63686163686132302d706f6c7931333035406f70656e7373682e636f6d0000000d686d61632d736861322d3235360000000d686d61632d736861322d323536000000046e6f6e65000000046e6f6e650000000000000000000000000000000000',
  ecdhInit: '020000000002020000000001080045000058000100004006669d0a0000010a0000029c400016000004dd000008cd5018ffff000000000000002c061e000000200000000000000000000000000000000000000000000000000000000000000000000000000000',
  ecdhReplyNewKeys: '02000000000202000000000108004500011e00010000400665d70a0000020a00000100169c40000008cd0000050d5018ffff00000000000000ba061f000000330000000b7373682d65643235353139000000200101010101010101010101010101010101010101010101010101010101010101000000200000000000000000000000000000000000000000000000000000000000000000000000530000000b7373682d6564323535313900000040020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020000000000000000000c0a150000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000',
  clientNewKeys: '02000000000202000000000108004500003800010000400666bd0a0000010a0000029c4000160000050d000009c35018ffff000000000000000c0a1500000000000000000000',
  clientEncrypted: '02000000000202000000000108004500006400010000400666910a0000010a0000029c4000160000051d000009c35018ffff00000000000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f303132333435363738393a3b',
  serverEncrypted: '02000000000202000000000108004500005400010000400666a10a0000020a00000100169c40000009c3000005595018ffff00000000000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b',
};

function conversation(options?: { fields?: ReadonlySet<string> }): DissectedPacket[] {
  const d = new Dissector();
  return Object.values(FRAMES).map((hex, i) => {
    const data = Buffer.from(hex, 'hex');
    return d.dissect({ number: i + 1, tsNs: BigInt(i) * 1000n, data, origLen: data.length, linkType: 1 }, options);
  });
}

function labels(packet: DissectedPacket): string[] {
  const out: string[] = [];
  const walk = (fields: Field[]) => fields.forEach((f) => { out.push(f.label); if (f.children) walk(f.children); });
  packet.layers.forEach((l) => walk(l.fields));
  return out;
}

/** Mid-stream SSH (no banner seen): every segment is an encrypted packet. */
const MID_STREAM = '020000000002020000000001080045000048000100004006669a0a0000020a000001001690a000000000000000005018ffff00000000' + '00000020' + 'aa'.repeat(28);

test('SSH seen mid-stream: "Encrypted packet" with its length and bytes', () => {
  const data = Buffer.from(MID_STREAM, 'hex');
  const p = new Dissector().dissect({ number: 1, tsNs: 0n, data, origLen: data.length, linkType: 1 });
  assert.equal(p.summary.protocol, 'SSH');
  assert.equal(p.summary.info, 'Server: Encrypted packet (len=32)');
  assert.equal(fieldText(p, 'ssh.packet_length_encrypted'), '00000020');
  assert.equal(fieldText(p, 'ssh.encrypted_packet'), 'aa'.repeat(28));
  assert.equal(fieldText(p, 'ssh.direction'), '1');
});

test('SSH handshake: columns per segment as tshark shows them', () => {
  const packets = conversation();
  assert.deepEqual(packets.map((p) => p.summary.protocol), ['SSH', 'SSHv2', 'SSHv2', 'SSHv2', 'SSHv2', 'SSHv2', 'SSHv2', 'SSHv2', 'SSHv2']);
  assert.deepEqual(packets.map((p) => p.summary.info), [
    'Client: Protocol (SSH-2.0-OpenSSH_9.2p1 Debian-2)',
    'Server: Protocol (SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3)',
    'Client: Key Exchange Init',
    'Server: Key Exchange Init',
    'Client: Elliptic Curve Diffie-Hellman Key Exchange Init',
    'Server: Elliptic Curve Diffie-Hellman Key Exchange Reply, New Keys',
    'Client: New Keys',
    'Client: ',
    'Server: ',
  ]);
  for (const p of packets) assert.equal(fieldText(p, 'frame.protocols'), 'eth:ethertype:ip:tcp:ssh');
});

test('SSH fields: banner, binary packet header, KEXINIT lists and hassh, encrypted packet', () => {
  const [banner, , kexinit, serverKexinit, , replyNewKeys, , , encrypted] = conversation();
  assert.ok(labels(conversation()[7]!).includes('SSH Version 2 (encryption:chacha20-poly1305@openssh.com compression:none)'));
  assert.equal(fieldText(banner!, 'ssh.protocol'), 'SSH-2.0-OpenSSH_9.2p1 Debian-2');
  assert.equal(fieldText(banner!, 'ssh.direction'), '0');
  assert.equal(fieldText(kexinit!, 'ssh.packet_length'), '209');
  assert.equal(fieldText(kexinit!, 'ssh.padding_length'), '4');
  assert.equal(fieldText(kexinit!, 'ssh.message_code'), '20');
  assert.equal(fieldText(kexinit!, 'ssh.cookie'), '000102030405060708090a0b0c0d0e0f');
  assert.equal(fieldText(kexinit!, 'ssh.kex_algorithms'), 'curve25519-sha256,diffie-hellman-group14-sha256');
  assert.equal(fieldText(kexinit!, 'ssh.kex.hassh'), '2939dab1ffa457d800fc920052c5b3af');
  assert.equal(fieldText(serverKexinit!, 'ssh.kex.hasshserver'), '732daa8daf687e2c36fcf9747eba4c7a');
  assert.equal(fieldText(serverKexinit!, 'ssh.direction'), '1');
  assert.equal(fieldText(replyNewKeys!, 'ssh.message_code'), '31,21');
  assert.equal(fieldText(encrypted!, 'ssh.packet_length_encrypted'), '');
  assert.ok(labels(encrypted!).includes('SSH Version 2 (encryption:aes128-ctr mac:hmac-sha2-256 compression:none)'));
});

test('SSH without a tree: the same columns and chains, only the named fields', () => {
  const full = conversation();
  const none = conversation({ fields: new Set() });
  none.forEach((p, i) => {
    assert.deepEqual(p.layers.flatMap((l) => l.fields), []);
    assert.deepEqual(p.summary, full[i]!.summary);
  });
  const some = conversation({ fields: new Set(['ssh.message_code', 'frame.protocols']) });
  some.forEach((p, i) => assert.equal(fieldText(p, 'ssh.message_code'), fieldText(full[i]!, 'ssh.message_code')));
});
