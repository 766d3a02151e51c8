/**
 * RX and AFS on frames built here: an AFS file-server request and its reply (matched by call), an
 * ACK with the trailing MTU fields, a data packet with no AFS bytes, a payload too short for RX and
 * a truncated ABORT. Expected values are what tshark 4.0 prints for the same frames
 * (`tshark -n -T fields -e frame.protocols -e _ws.col.Info -e rx.* -e afs.*`).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Dissector } from './dissector';
import { fieldText } from './test-fields';
import type { DissectedPacket } from './model';
import { udpFrame } from './test-frames';

interface RxHeader { epoch?: number; cid?: number; call: number; seq: number; serial: number; type: number; flags: number; security?: number; service?: number }

function rx(h: RxHeader, body: Buffer = Buffer.alloc(0)): Buffer {
  const b = Buffer.alloc(28);
  b.writeUInt32BE(h.epoch ?? 915670000, 0);
  b.writeUInt32BE(h.cid ?? 458586716, 4);
  b.writeUInt32BE(h.call, 8);
  b.writeUInt32BE(h.seq, 12);
  b.writeUInt32BE(h.serial, 16);
  b[20] = h.type;
  b[21] = h.flags;
  b[23] = h.security ?? 2;
  b.writeUInt16BE(h.service ?? 1, 26);
  return Buffer.concat([b, body]);
}

function u32s(...values: number[]): Buffer {
  const b = Buffer.alloc(4 * values.length);
  values.forEach((v, k) => b.writeUInt32BE(v, 4 * k));
  return b;
}

function run(frames: Buffer[], fields?: ReadonlySet<string>): DissectedPacket[] {
  const d = new Dissector();
  return frames.map((data, k) => d.dissect({ number: k + 1, tsNs: BigInt(k) * 20_000_000n, data, origLen: k === 4 ? 78 : data.length, linkType: 1 }, fields ? { fields } : undefined));
}

const FRAMES = [
  // 1: FS fetch-status request (client initiated, last packet) from a cache manager.
  udpFrame(7001, 7000, rx({ call: 290, seq: 1, serial: 431, type: 1, flags: 0x05 }, u32s(132, 536871098, 846, 1049757))),
  // 2: its reply (no client-initiated flag): the operation comes from the request. The body is a
  // whole fetch-status reply (status, callback, volume sync: 30 words), which tshark decodes.
  udpFrame(7000, 7001, rx({ call: 290, seq: 1, serial: 347, type: 1, flags: 0x04 }, Buffer.concat([u32s(1, 1, 1, 485), Buffer.alloc(104)])), undefined, true),
  // 3: ACK, reason Delay, no ACK bytes, 3 bytes of padding and the four trailing values.
  udpFrame(7001, 7000, rx({ call: 290, seq: 0, serial: 432, type: 2, flags: 0x21 }, Buffer.concat([
    Buffer.from('0000000000000002000000010000015b0800000000', 'hex'), u32s(5692, 1444, 32, 4),
  ]))),
  // 4: a callback reply with nothing after the RX header.
  udpFrame(7000, 7001, rx({ call: 7, seq: 1, serial: 3, type: 1, flags: 0x04, security: 0 })),
  // 5: an ABORT whose code was cut by the snap length (origLen 78).
  udpFrame(1792, 7003, rx({ call: 2, seq: 0, serial: 12, type: 4, flags: 0, security: 0, service: 52 }, u32s(156303876)), 72),
  // 6: too short for an RX header: data.
  udpFrame(7002, 7002, Buffer.from('0102030405060708090a', 'hex')),
];

test('AFS request and reply: service by port, operation, reply matched to its request', () => {
  const [request, reply] = run(FRAMES);
  assert.equal(fieldText(request!, 'frame.protocols'), 'eth:ethertype:ip:udp:rx:afs');
  assert.equal(request!.summary.protocol, 'AFS (RX)');
  assert.equal(request!.summary.info, 'FS Request: fetch-status (132)');
  assert.equal(reply!.summary.info, 'FS Reply: fetch-status (132)');
  const expected: Array<[string, string, string]> = [
    ['rx.epoch', 'Jan  7, 1999 00:46:40.000000000 UTC', 'Jan  7, 1999 00:46:40.000000000 UTC'],
    ['rx.cid', '458586716', '458586716'], ['rx.callnumber', '290', '290'], ['rx.seq', '1', '1'], ['rx.serial', '431', '347'],
    ['rx.type', '1', '1'], ['rx.flags', '0x05', '0x04'], ['rx.flags.client_init', '1', '0'], ['rx.userstatus', '0', '0'],
    ['rx.securityindex', '2', '2'], ['rx.spare', '0', '0'], ['rx.serviceid', '1', '1'],
    ['afs.fs.opcode', '132', '132'], ['afs.service', '132', '132'], ['afs.reqframe', '', '1'], ['afs.time', '', '0.020000000'],
  ];
  const [treeRequest, treeReply] = [request!, reply!];
  const [noTreeRequest, noTreeReply] = run(FRAMES.slice(0, 2), new Set(expected.map(([name]) => name)));
  for (const [name, req, rep] of expected) {
    assert.equal(fieldText(treeRequest, name), req, name);
    assert.equal(fieldText(treeReply, name), rep, `${name} (reply)`);
    assert.equal(fieldText(noTreeRequest!, name), req, `${name} (no tree)`);
    assert.equal(fieldText(noTreeReply!, name), rep, `${name} (reply, no tree)`);
  }
});

test('RX ACK: reason in Info, ACK body and the trailing MTU fields', () => {
  const ack = run(FRAMES)[2]!;
  assert.equal(fieldText(ack, 'frame.protocols'), 'eth:ethertype:ip:udp:rx');
  assert.equal(ack.summary.protocol, 'RX');
  assert.equal(ack.summary.info, 'ACK Delay  Seq: 0  Call: 290  Source Port: 7001  Destination Port: 7000  ');
  for (const [name, value] of [
    ['rx.serial', '432,347'], ['rx.first', '2'], ['rx.prev', '1'], ['rx.reason', '8'], ['rx.num_acks', '0'], ['rx.max_mtu', '5692'],
    ['rx.if_mtu', '1444'], ['rx.rwind', '32'], ['rx.max_packets', '4'],
  ]) assert.equal(fieldText(ack, name!), value, name);
});

test('An empty AFS reply adds no "afs" to the chain but names the call', () => {
  const packets = run(FRAMES);
  const empty = packets[3]!;
  assert.equal(fieldText(empty, 'frame.protocols'), 'eth:ethertype:ip:udp:rx');
  assert.equal(empty.summary.protocol, 'AFS (RX)');
  // No request of call 7 was seen: the operation is 0, which the callback service does not name.
  assert.equal(empty.summary.info, 'FS Reply: Unknown(0) (0)');
});

test('Truncated ABORT and a payload too short for RX', () => {
  const packets = run(FRAMES);
  const abort = packets[4]!;
  assert.equal(abort.summary.info, 'ABORT  Seq: 0  Call: 2  Source Port: 1792  Destination Port: 7003  [Packet size limited during capture]');
  assert.equal(abort.layers.find((l) => l.protocol === 'rx')!.status, 'truncated');
  const short = packets[5]!;
  assert.equal(fieldText(short, 'frame.protocols'), 'eth:ethertype:ip:udp:data');
  assert.equal(short.summary.protocol, 'UDP');
});
