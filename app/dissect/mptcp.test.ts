/**
 * Multipath TCP (TCP option 30): every subtype's fields, the `mptcp` entries of frame.protocols,
 * the MPTCP Protocol column, malformed options, and the same fields without a tree. Expected values
 * are what tshark 4.0 prints for the same frames (`tshark -T fields -e tcp.options.mptcp.* ...`).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissectHex, fieldText } from './test-fields';
import type { DissectedPacket, Field } from './model';

/** Ethernet/IPv4/TCP frames, each on its own ports, carrying one or two MPTCP options. */
const FRAMES = {
  capable: '02000000000202000000000108004500003c00010000400666b90a0000010a0000029c4107d3000003e8000007d0a010ffff000000001e14010129a6c86981ad933c1fdb5df328bc3def',
  capable_v0: '02000000000202000000000108004500003400010000400666c10a0000010a0000029c4207d4000003e8000007d08002ffff000000001e0c00819b5fd6a1e2c3b4a5',
  join_syn: '02000000000202000000000108004500003400010000400666c10a0000010a0000029c4307d5000003e8000007d08002ffff000000001e0c1005aabbccdd11223344',
  join_ack: '02000000000202000000000108004500004000010000400666b50a0000010a0000029c4407d6000003e8000007d0b010ffff000000001e181000cb7b87f5e5f0502f43b535fb70ef6607df2e6c7a',
  dss_overrun: '02000000000202000000000108004500005400010000400666a10a0000010a0000029c4507d0000003e8000007d0c018ffff0000000001011e14200f0102030405060708111213141516171800000001001030313233343536373839616263646566',
  dss_full: '02000000000202000000000108004500005400010000400666a10a0000010a0000029c4f07d3000003e8000007d0c018ffff0000000001011e1a200f0102030405060708111213141516171800000001001030313233343536373839616263646566',
  dss_two: '02000000000202000000000108004500003800010000400666bd0a0000010a0000029c4607d1000003e8000007d09010ffff000000001e082001000000641e04400101010101',
  add_addr: '02000000000202000000000108004500003400010000400666c10a0000010a0000029c4707d2000003e8000007d08010ffff000000001e0a30020a0000051f900101',
  add_addr6: '02000000000202000000000108004500004400010000400666b10a0000010a0000029c4807d3000003e8000007d0c010ffff000000001e1c300620010db80000000000000000000000010102030405060708',
  remove: '02000000000202000000000108004500003000010000400666c50a0000010a0000029c4907d4000003e8000007d07010ffff000000001e06400102030101',
  prio: '02000000000202000000000108004500003000010000400666c50a0000010a0000029c4a07d5000003e8000007d07010ffff000000001e04510701010101',
  fail: '02000000000202000000000108004500003400010000400666c10a0000010a0000029c4b07d6000003e8000007d08010ffff000000001e0c60000102030405060708',
  fastclose: '02000000000202000000000108004500003400010000400666c10a0000010a0000029c4c07d0000003e8000007d08010ffff000000001e0c7000d006c1f39a2fe344',
  reset: '02000000000202000000000108004500002c00010000400666c90a0000010a0000029c4d07d1000003e8000007d06014ffff000000001e048a03',
  dss_short: '02000000000202000000000108004500003000010000400666c50a0000010a0000029c4e07d2000003e8000007d07010ffff00000000020405b41e032000',
};

function labels(packet: DissectedPacket): string[] {
  const out: string[] = [];
  const walk = (fields: Field[]) => fields.forEach((f) => { out.push(f.label); if (f.children) walk(f.children); });
  packet.layers.forEach((l) => walk(l.fields));
  return out;
}

test('MP_CAPABLE (version 1): keys, the token and IDSN of the sender key (SHA-256), chain and Protocol column', () => {
  const p = dissectHex(FRAMES.capable);
  assert.equal(fieldText(p, 'frame.protocols'), 'eth:ethertype:ip:tcp:mptcp');
  assert.equal(p.summary.protocol, 'MPTCP');
  assert.equal(p.summary.info, '40001 → 2003 [ACK] Seq=1 Ack=1 Win=65535 Len=0');
  assert.equal(fieldText(p, 'tcp.options.mptcp.subtype'), '0');
  assert.equal(fieldText(p, 'tcp.options.mptcp.version'), '1');
  assert.equal(fieldText(p, 'tcp.options.mptcp.flags'), '0x01');
  assert.equal(fieldText(p, 'tcp.options.mptcp.sha256.flag'), '1');
  assert.equal(fieldText(p, 'tcp.options.mptcp.sendkey'), '3001306557161771836');
  assert.equal(fieldText(p, 'tcp.options.mptcp.recvkey'), '2295531734017261039');
  assert.equal(fieldText(p, 'mptcp.expected_token'), '2740809090');
  assert.equal(fieldText(p, 'mptcp.expected_idsn'), '11713449205243392241');
  const tree = labels(p);
  assert.ok(tree.includes('Multipath Transmission Control Protocol: Multipath Capable'));
  assert.ok(tree.includes('...0 000. = Reserved: 0x0'));
  assert.ok(tree.some((l) => l.startsWith('Options: (20 bytes), MPTCP')));
});

test('MP_CAPABLE (version 0): HMAC-SHA1 flag and a SHA-1 token', () => {
  const p = dissectHex(FRAMES.capable_v0);
  assert.equal(fieldText(p, 'tcp.options.mptcp.flags'), '0x81');
  assert.equal(fieldText(p, 'tcp.options.mptcp.checksumreq.flags'), '1');
  assert.equal(fieldText(p, 'tcp.options.mptcp.sha1.flag'), '1');
  assert.equal(fieldText(p, 'tcp.options.mptcp.sendkey'), '11195903189448897701');
  assert.equal(fieldText(p, 'mptcp.expected_token'), '3133554300');
  assert.equal(fieldText(p, 'mptcp.expected_idsn'), '13088021005669619627');
});

test('MP_JOIN: token and nonce on a SYN, the full HMAC on the third ACK', () => {
  const syn = dissectHex(FRAMES.join_syn);
  assert.equal(fieldText(syn, 'tcp.options.mptcp.flags'), '0x10');
  assert.equal(fieldText(syn, 'tcp.options.mptcp.backup.flag'), '0');
  assert.equal(fieldText(syn, 'tcp.options.mptcp.addrid'), '5');
  assert.equal(fieldText(syn, 'tcp.options.mptcp.recvtok'), '2864434397');
  assert.equal(fieldText(syn, 'tcp.options.mptcp.sendrand'), '287454020');
  const ack = dissectHex(FRAMES.join_ack);
  assert.equal(fieldText(ack, 'tcp.options.mptcp.reserved'), '0x0000');
  assert.equal(fieldText(ack, 'tcp.options.mptcp.sendhmac'), 'cb7b87f5e5f0502f43b535fb70ef6607df2e6c7a');
});

test('DSS: 64-bit data ACK and mapping; two MPTCP options make two chain entries', () => {
  const p = dissectHex(FRAMES.dss_full);
  assert.equal(fieldText(p, 'frame.protocols'), 'eth:ethertype:ip:tcp:mptcp:data');
  assert.equal(fieldText(p, 'tcp.options.mptcp.flags'), '0x0f');
  assert.equal(fieldText(p, 'tcp.options.mptcp.rawdataack'), '72623859790382856');
  assert.equal(fieldText(p, 'tcp.options.mptcp.rawdataseqno'), '1230066625199609624');
  assert.equal(fieldText(p, 'tcp.options.mptcp.subflowseqno'), '1');
  assert.equal(fieldText(p, 'tcp.options.mptcp.datalvllen'), '16');
  assert.ok(labels(p).includes('Data Sequence Number: 1230066625199609624  (64bits version)'));
  const two = dissectHex(FRAMES.dss_two);
  assert.equal(fieldText(two, 'frame.protocols'), 'eth:ethertype:ip:tcp:mptcp:mptcp');
  assert.equal(fieldText(two, 'tcp.options.mptcp.subtype'), '2,4');
  assert.equal(fieldText(two, 'tcp.options.mptcp.rawdataack'), '100');
});

test('ADD_ADDR (IPv4 with port, IPv6 with HMAC), REMOVE_ADDR, MP_PRIO', () => {
  const v4 = dissectHex(FRAMES.add_addr);
  assert.equal(fieldText(v4, 'tcp.options.mptcp.addrid'), '2');
  assert.equal(fieldText(v4, 'tcp.options.mptcp.ipv4'), '10.0.0.5');
  assert.equal(fieldText(v4, 'tcp.options.mptcp.port'), '8080');
  const v6 = dissectHex(FRAMES.add_addr6);
  assert.equal(fieldText(v6, 'tcp.options.mptcp.ipv6'), '2001:db8::1');
  assert.equal(fieldText(v6, 'tcp.options.mptcp.addaddrtrunchmac'), '72623859790382856');
  const remove = dissectHex(FRAMES.remove);
  assert.equal(fieldText(remove, 'mptcp.rm_addr.count'), '3');
  assert.equal(fieldText(remove, 'tcp.options.mptcp.addrid'), '1,2,3');
  const prio = dissectHex(FRAMES.prio);
  assert.equal(fieldText(prio, 'tcp.options.mptcp.flags'), '0x51');
  assert.equal(fieldText(prio, 'tcp.options.mptcp.backup.flag'), '1');
  assert.equal(fieldText(prio, 'tcp.options.mptcp.addrid'), '7');
});

test('MP_FAIL, MP_FASTCLOSE and MP_TCPRST', () => {
  assert.equal(fieldText(dissectHex(FRAMES.fail), 'tcp.options.mptcp.rawdataseqno'), '72623859790382856');
  const close = dissectHex(FRAMES.fastclose);
  assert.equal(fieldText(close, 'tcp.options.mptcp.recvkey'), '14989881661757317956');
  assert.ok(labels(close).includes('.... 0000 0000 0000 = Reserved: 0x000'));
  const reset = dissectHex(FRAMES.reset);
  assert.equal(fieldText(reset, 'tcp.options.mptcp.flags'), '0x8a');
  assert.equal(fieldText(reset, 'tcp.options.mptcp.rst_reason'), '0x03');
  assert.equal(fieldText(reset, 'tcp.options.mptcp.flag_U.flag'), '1');
  assert.equal(fieldText(reset, 'tcp.options.mptcp.flag_T.flag'), '0');
  const tree = labels(reset);
  assert.ok(tree.includes('Multipath TCP flags: 0x8a, Flag U, Flag W'));
  assert.ok(tree.includes('TCPRST Reason: Administratively prohibited (0x03)'));
});

test('a malformed MPTCP option: marked, ends the options and the TCP payload hand-off, noted in Info', () => {
  const short = dissectHex(FRAMES.dss_short);
  assert.equal(short.status, 'malformed');
  assert.equal(fieldText(short, 'frame.protocols'), 'eth:ethertype:ip:tcp:mptcp');
  assert.equal(short.summary.info, '40014 → 2002 [ACK] Seq=1 Ack=1 Win=65535 Len=0 MSS=1460[Malformed Packet]');
  assert.equal(fieldText(short, 'tcp.option_kind'), '2,30');
  const overrun = dissectHex(FRAMES.dss_overrun);
  assert.equal(fieldText(overrun, 'frame.protocols'), 'eth:ethertype:ip:tcp:mptcp');
  assert.equal(fieldText(overrun, 'tcp.options.mptcp.rawdataseqno'), '1230066625199609624');
  assert.equal(fieldText(overrun, 'tcp.options.mptcp.subflowseqno'), '');
  assert.equal(fieldText(overrun, 'tcp.options.mptcp.rawdataack'), '72623859790382856');
});

test('without a tree: only the named MPTCP fields, the same chain and columns', () => {
  for (const hex of Object.values(FRAMES)) {
    const full = dissectHex(hex);
    const none = dissectHex(hex, { fields: new Set() });
    assert.deepEqual(none.layers.flatMap((l) => l.fields), []);
    assert.equal(none.summary.info, full.summary.info);
    assert.equal(none.summary.protocol, full.summary.protocol);
    const names = new Set(['mptcp.expected_token', 'tcp.options.mptcp.subtype', 'frame.protocols']);
    const some = dissectHex(hex, { fields: names });
    for (const name of names) assert.equal(fieldText(some, name), fieldText(full, name), name);
  }
});
