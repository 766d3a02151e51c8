/**
 * EIGRP on frames built here: a Hello with Parameters and Software Version TLVs, a Hello that
 * acknowledges (Info "Hello (Ack)"), an Update with the Init flag, and a Hello whose Software
 * Version TLV is too short (malformed). Expected values are what tshark 4.0 prints for the same
 * frames (`tshark -T fields -e frame.protocols -e _ws.col.Info -e eigrp.*`).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { onesComplementSum } from './checksum';
import { Dissector } from './dissector';
import { fieldText } from './test-fields';
import type { DissectedPacket } from './model';
import { ipFrame } from './test-frames';

function eigrp(opcode: number, flags: number, seq: number, ack: number, tlvs: string, checksum?: number): Buffer {
  const b = Buffer.concat([Buffer.alloc(20), Buffer.from(tlvs, 'hex')]);
  b[0] = 2;
  b[1] = opcode;
  b.writeUInt32BE(flags, 4);
  b.writeUInt32BE(seq, 8);
  b.writeUInt32BE(ack, 12);
  b.writeUInt16BE(100, 18);
  b.writeUInt16BE(checksum ?? ~onesComplementSum(b, 0, b.length) & 0xffff, 2);
  return ipFrame(88, b);
}

const PARAMETERS = '0001000c010001000000000f';
const SOFTWARE = '000400080c040102';
const FRAMES = {
  hello: eigrp(5, 0, 0, 0, PARAMETERS + SOFTWARE),
  helloAck: eigrp(5, 0, 0, 25, ''),
  update: eigrp(1, 1, 23, 0, ''),
  shortTlv: eigrp(5, 0, 0, 0, PARAMETERS + '00040004', 0xee68),
};

function dissect(data: Buffer, fields?: ReadonlySet<string>): DissectedPacket {
  return new Dissector().dissect({ number: 1, tsNs: 0n, data, origLen: data.length, linkType: 1 }, fields ? { fields } : undefined);
}

test('EIGRP Hello: header, checksum and the Parameters and Software Version TLVs', () => {
  const p = dissect(FRAMES.hello);
  assert.equal(fieldText(p, 'frame.protocols'), 'eth:ethertype:ip:eigrp');
  assert.equal(p.summary.protocol, 'EIGRP');
  assert.equal(p.summary.info, 'Hello');
  const expected: Array<[string, string]> = [
    ['eigrp.version', '2'], ['eigrp.opcode', '5'], ['eigrp.checksum.status', '1'], ['eigrp.flags', '0x00000000'], ['eigrp.flags.init', '0'],
    ['eigrp.seq', '0'], ['eigrp.ack', '0'], ['eigrp.vrid', '0'], ['eigrp.as', '100'], ['eigrp.tlv_type', '0x0001,0x0004'],
    ['eigrp.tlv.len', '12,8'], ['eigrp.par.k1', '1'], ['eigrp.par.k2', '0'], ['eigrp.par.k3', '1'], ['eigrp.par.holdtime', '15'],
    ['eigrp.release_version', '3076'], ['eigrp.tlv_version', '258'],
  ];
  const noTree = dissect(FRAMES.hello, new Set(expected.map(([name]) => name)));
  for (const [name, value] of expected) {
    assert.equal(fieldText(p, name), value, name);
    assert.equal(fieldText(noTree, name), value, `${name} (no tree)`);
  }
});

test('EIGRP Info: a Hello that acknowledges, and an Update with the Init flag', () => {
  assert.equal(dissect(FRAMES.helloAck).summary.info, 'Hello (Ack)');
  const update = dissect(FRAMES.update);
  assert.equal(update.summary.info, 'Update');
  assert.equal(fieldText(update, 'eigrp.flags'), '0x00000001');
  assert.equal(fieldText(update, 'eigrp.flags.init'), '1');
  assert.equal(fieldText(update, 'eigrp.seq'), '23');
});

test('EIGRP TLV shorter than its type needs: malformed, with the bad checksum reported', () => {
  const p = dissect(FRAMES.shortTlv);
  assert.equal(p.summary.info, 'Hello[Malformed Packet]');
  assert.equal(fieldText(p, 'eigrp.checksum.status'), '0');
  assert.equal(p.layers.find((l) => l.protocol === 'eigrp')!.status, 'malformed');
});
