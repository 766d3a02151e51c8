/**
 * FTP control connection (TCP 21): request and response lines, a multi-line reply, the passive
 * address of a 227 reply and the working directory followed through PWD and CWD. Expected values
 * are what tshark 4.0 prints for the same frames (`-T fields -e ftp.* -e _ws.col.Info`).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Dissector } from './dissector';
import { fieldText } from './test-fields';
import type { DissectedPacket } from './model';

/** One conversation, 10.0.0.1:40021 → 10.0.0.2:21, in order. */
const FRAMES = [
  '02000000000202000000000108004500004000010000400666b50a0000020a00000100159c5500002328000013885018ffff000000003232302d57656c636f6d650d0a3232302072656164790d0a',
  '02000000000202000000000108004500003800010000400666bd0a0000010a0000029c55001500001388000023405018ffff000000005553455220616e6f6e796d6f75730d0a',
  '02000000000202000000000108004500003f00010000400666b60a0000020a00000100159c5500002340000013985018ffff000000003333312050617373776f72642072657175697265640d0a',
  '02000000000202000000000108004500002d00010000400666c80a0000010a0000029c55001500001398000023575018ffff000000005057440d0a',
  '02000000000202000000000108004500004a00010000400666ab0a0000020a00000100159c55000023570000139d5018ffff0000000032353720222f707562222069732063757272656e74206469726563746f72792e0d0a',
  '02000000000202000000000108004500003600010000400666bf0a0000010a0000029c5500150000139d000023795018ffff0000000043574420696e636f6d696e670d0a',
  '02000000000202000000000108004500003d00010000400666b80a0000020a00000100159c5500002379000013ab5018ffff0000000032353020435744207375636365737366756c2e0d0a',
  '02000000000202000000000108004500002e00010000400666c70a0000010a0000029c550015000013ab0000238e5018ffff00000000504153560d0a',
  '020000000002020000000001080045000056000100004006669f0a0000020a00000100159c550000238e000013b15018ffff0000000032323720456e746572696e672050617373697665204d6f6465202831302c302c302c322c3139352c3830292e0d0a',
  '02000000000202000000000108004500002e00010000400666c70a0000010a0000029c550015000013b1000023bc5018ffff000000004e4f4f500d0a',
  '02000000000202000000000108004500003100010000400666c40a0000020a00000100159c55000023bc000013b75018ffff00000000393939206f64640d0a',
];

function conversation(options?: { fields?: ReadonlySet<string> }): DissectedPacket[] {
  const d = new Dissector();
  return FRAMES.map((hex, i) => {
    const data = Buffer.from(hex, 'hex');
    return d.dissect({ number: i + 1, tsNs: BigInt(i) * 1000n, data, origLen: data.length, linkType: 1 }, options);
  });
}

test('FTP: Info, commands, reply codes and arguments as tshark shows them', () => {
  const packets = conversation();
  assert.deepEqual(packets.map((p) => p.summary.info), [
    'Response: 220-Welcome', 'Request: USER anonymous', 'Response: 331 Password required', 'Request: PWD',
    'Response: 257 "/pub" is current directory.', 'Request: CWD incoming', 'Response: 250 CWD successful.', 'Request: PASV',
    'Response: 227 Entering Passive Mode (10,0,0,2,195,80).', 'Request: NOOP', 'Response: 999 odd',
  ]);
  for (const p of packets) {
    assert.equal(fieldText(p, 'frame.protocols'), 'eth:ethertype:ip:tcp:ftp');
    assert.equal(p.summary.protocol, 'FTP');
  }
  assert.equal(fieldText(packets[0]!, 'ftp.response.code'), '220');
  assert.equal(fieldText(packets[0]!, 'ftp.response.arg'), 'Welcome');
  assert.equal(fieldText(packets[0]!, 'ftp.response'), '1');
  assert.equal(fieldText(packets[1]!, 'ftp.request'), '1');
  assert.equal(fieldText(packets[1]!, 'ftp.request.command'), 'USER');
  assert.equal(fieldText(packets[1]!, 'ftp.request.arg'), 'anonymous');
  assert.equal(fieldText(packets[3]!, 'ftp.request.arg'), '');
  assert.equal(fieldText(packets[8]!, 'ftp.passive.ip'), '10.0.0.2');
  assert.equal(fieldText(packets[8]!, 'ftp.passive.port'), '50000');
});

test('FTP: the working directory from a 257 reply, then a relative CWD confirmed by 250', () => {
  const cwd = conversation().map((p) => fieldText(p, 'ftp.current-working-directory'));
  assert.deepEqual(cwd, ['', '', '', '', '/pub', '/pub', '/pub/incoming', '/pub/incoming', '/pub/incoming', '/pub/incoming', '/pub/incoming']);
});

test('FTP without a tree: the same columns, only the named fields', () => {
  const full = conversation();
  const none = conversation({ fields: new Set() });
  none.forEach((p, i) => {
    assert.deepEqual(p.layers.flatMap((l) => l.fields), []);
    assert.deepEqual(p.summary, full[i]!.summary);
  });
});
