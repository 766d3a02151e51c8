/**
 * DECnet routing layer and NSP (ethertype 0x6003): short and long data headers, padding, the NSP
 * message kinds and their Info lines, the endnode hello, connect data cut short. Expected values
 * are what tshark 4.0 prints for the same bytes.
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

/** Both stations at DECnet address 1.1 (AA-00-04-00-01-04). */
const ETH = 'aa0004000104' + 'aa0004000104' + '6003';
/** Length word, short data header (flags 0x02, destination and source node 0x0401, visits 0). */
const SHORT = '1000' + '02' + '0104' + '0104' + '00';

function one(hex: string): DissectedPacket {
  return dissectFrames([{ hex: ETH + hex.replace(/ /g, '') }])[0]!;
}

test('DECnet NSP data segment: short header, acknowledgements, segment number, Info, columns', () => {
  const p = one(SHORT + '60 0420 0320 0080 00a0 0100 41424344');
  assert.equal(fieldText(p, 'frame.protocols'), 'eth:ethertype:dec_dna');
  assert.equal(p.summary.protocol, 'DEC DNA');
  assert.equal(p.summary.source, '1.1');
  assert.equal(p.summary.info, 'msg nr. 1 single segment, bytes this segment: 4, total so far:4');
  assert.equal(fieldText(p, 'dec_dna.flags'), '0x02');
  assert.equal(fieldText(p, 'dec_dna.flags.msglen'), '0x01');
  assert.equal(fieldText(p, 'dec_dna.dst_node'), '0x0401,0x2004');
  assert.equal(fieldText(p, 'dec_dna.src_node'), '0x0401,0x2003');
  assert.equal(fieldText(p, 'dec_dna.nsp.msg_type'), '0x60');
  assert.equal(fieldText(p, 'dec_dna.nsp.segnum'), '1');
});

test('DECnet NSP acknowledgement, link service, disconnect and connect messages', () => {
  assert.equal(one(SHORT + '04 0420 0320 0380').summary.info, 'NSP data ACK message(3)');
  const link = one(SHORT + '10 0420 0320 0180 0200 00 00');
  assert.equal(link.summary.info, 'NSP link control message(no change)');
  assert.equal(fieldText(link, 'dec_dna.nsp.segnum'), '2');
  assert.equal(fieldText(link, 'dec_dna.nsp.flow_control'), '0x00');
  const disconnect = one(SHORT + '38 0420 0320 2a00');
  assert.equal(disconnect.summary.info, 'NSP disconnect initiate/confirm message');
  assert.equal(fieldText(disconnect, 'dec_dna.nsp.disc_reason'), '0x002a');
  const connect = one(SHORT.replace(/^1000/, '2200') + '18 0000 0320 0103 1340 001d 0200 0000 0000 054c494e5558 0300 0000 00');
  assert.equal(connect.summary.info, 'NSP connect confirm/initiate message');
  assert.equal(fieldText(connect, 'dec_dna.sess.obj_type'), '0x1d,0x00');
  assert.equal(fieldText(connect, 'dec_dna.sess.menu_ver'), 'Session control version 1.0');
});

test('DECnet connect data that stops early is malformed, as tshark says in Info', () => {
  const p = one(SHORT.replace(/^1000/, '2200') + '18 0000 0320 0103 1340 001d 0200 0000');
  assert.equal(p.status, 'malformed');
  assert.equal(p.summary.info, 'NSP connect confirm/initiate message[Malformed Packet]');
  assert.equal(fieldText(p, 'dec_dna.sess.obj_type'), '0x1d,0x00');
});

test('DECnet long data header after padding', () => {
  const p = one('2000 82 00 06 0000 aa0004000104 0000 aa0004000204 00 05 00 00 24 0420');
  assert.equal(p.summary.info, 'NSP connect acknowledgement');
  assert.equal(fieldText(p, 'dec_dna.flags'), '0x06');
  assert.equal(fieldText(p, 'dec_dna.flags.msglen'), '0x03');
  assert.equal(fieldText(p, 'dec_dna.dst.address'), 'aa:00:04:00:01:04');
  assert.equal(fieldText(p, 'dec_dna.src.addr'), 'aa:00:04:00:02:04');
  assert.equal(fieldText(p, 'dec_dna.visit_cnt'), '0x05');
  assert.equal(fieldText(p, 'dec_dna.dst_node'), '0x2004');
});

test('DECnet endnode hello', () => {
  const p = one('1000 0d 020000 aa0004000104 03 1040 00 0000000000000000 aa0004000000 0a00 00');
  assert.equal(p.summary.info, 'Routing control, Endnode Hello message');
  assert.equal(fieldText(p, 'dec_dna.flags'), '0x0d');
  assert.equal(fieldText(p, 'dec_dna.rt.msg_type'), '0x06,0x03');
  assert.equal(fieldText(p, 'dec_dna.ctl.id'), 'aa:00:04:00:01:04');
  assert.equal(fieldText(p, 'dec_dna.ctl.iinfo.node_type'), '0x03');
  assert.equal(fieldText(p, 'dec_dna.ctl.blk_size'), '16400');
  assert.equal(fieldText(p, 'dec_dna.ctl.timer'), '10');
});

test('without a tree the selected DECnet fields come out the same', () => {
  const names = ['dec_dna.flags', 'dec_dna.nsp.msg_type', 'dec_dna.src_node', 'dec_dna.nsp.segnum', 'dec_dna.ctl.acknum', 'frame.protocols'];
  const hex = ETH + (SHORT + '60 0420 0320 0080 00a0 0100 41424344').replace(/ /g, '');
  const data = Buffer.from(hex, 'hex');
  const tree = one(SHORT + '60 0420 0320 0080 00a0 0100 41424344');
  const selected = new Dissector().dissect({ number: 1, tsNs: 0n, data, origLen: data.length, linkType: 1 }, { fields: new Set(names), columns: false });
  for (const name of names) assert.equal(fieldText(selected, name), fieldText(tree, name), name);
});
