/**
 * DCCP over IPv4 (IP protocol 33): the generic header with 48- and 24-bit sequence numbers, relative
 * sequence and acknowledgement numbers per conversation direction, the per-type fields, options,
 * checksum status, a Data Offset too small for the type, a frame cut by the snap length, and the
 * same fields without a tree. Expected values are what tshark 4.0 prints for the same frames.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Dissector } from './dissector';
import { fieldText } from './test-fields';
import type { DissectedPacket } from './model';

/** 10.0.0.1:40000 → 10.0.0.2:33 Request, X=1, seq 1000, service "Bundle Protocol", options timestamp, receive rate, CCID option 144, NDP count, slow receiver, Change R/L. */
const REQUEST = '00000000000200000000000108004500004400010000402166960a0000010a0000029c4000210c001f6d01000000000003e864746e31290600000005c206000010009003ab25030702220403092003c80000';
/** The reply: Response, seq 77, ack 1000, service LTP, options timestamp echo with elapsed time, data checksum, loss event rate 0xffffffff. */
const RESPONSE = '00000000000200000000000108004500004800010000402166920a0000020a00000100219c400d00ac09030000000000004d00000000000003e8006c74702a0a00000005000000092c0601020304c006ffffffff0000';
/** DataAck with 24-bit numbers (seq 1001, ack 78), CsCov 1, payload "hello dccp". */
const DATAACK = '00000000000200000000000108004500002e00010000402166ac0a0000010a0000029c40002104013f28080003e90000004e68656c6c6f2064636370';
/** Close, seq 1002, ack 80 (relative 3). */
const CLOSE = '00000000000200000000000108004500002c00010000402166ae0a0000010a0000029c400021060038280d000000000003ea0000000000000050';
/** Reset whose Data Offset (4) is too small for a Reset: tshark stops after the sequence number. */
const SHORT_RESET = '00000000000200000000000108004500003000010000402166aa0a0000020a00000100219c40040036250f0000000000004f00000000000003ea02000000';
/** Data with a wrong checksum (0x1234) and payload "xyz". */
const BAD_CHECKSUM = '00000000000200000000000108004500002700010000402166b30a0000010a0000029c4000210400123405000000000003eb78797a';
/** Data whose only option claims length 1. */
const BAD_OPTION = '00000000000200000000000108004500002800010000402166b20a0000010a0000029c4000210500117905000000000003ec30010000';

function dissectAll(hexes: readonly string[], options?: { fields?: ReadonlySet<string>; columns?: boolean }, cut?: number): DissectedPacket[] {
  const d = new Dissector();
  return hexes.map((hex, i) => {
    const whole = Buffer.from(hex, 'hex');
    const data = cut !== undefined && i === hexes.length - 1 ? whole.subarray(0, cut) : whole;
    return d.dissect({ number: i + 1, tsNs: 0n, data, origLen: whole.length, linkType: 1 }, options);
  });
}

test('DCCP Request and Response: header, service codes, options, relative numbers', () => {
  const [req, resp] = dissectAll([REQUEST, RESPONSE]);
  assert.equal(fieldText(req!, 'frame.protocols'), 'eth:ethertype:ip:dccp');
  assert.equal(req!.summary.protocol, 'DCCP');
  assert.equal(req!.summary.info, '40000 → 33 [Request] Seq=1000 (service=Bundle Protocol)');
  assert.equal(fieldText(req!, 'dccp.seq'), '');
  assert.equal(fieldText(req!, 'dccp.seq_raw'), '1000');
  assert.equal(fieldText(req!, 'dccp.checksum'), '0x1f6d');
  assert.equal(fieldText(req!, 'dccp.checksum.status'), '1');
  assert.equal(fieldText(req!, 'dccp.option_type'), '41,194,144,37,2,34,32,0,0');
  assert.equal(fieldText(req!, 'dccp.timestamp'), '5');
  assert.equal(fieldText(req!, 'dccp.ccid3_receive_rate'), '4096');
  assert.equal(fieldText(req!, 'dccp.ccid_option_data'), 'ab');
  assert.equal(fieldText(req!, 'dccp.ndp_count'), '7');
  assert.equal(fieldText(req!, 'dccp.feature_number'), '3,200');
  assert.equal(fieldText(req!, 'dccp.options'), '1');
  assert.equal(resp!.summary.info, '33 → 40000 [Response] Seq=77 (Ack=0) (service=LTP: Licklider Transmission Protocol)');
  assert.equal(fieldText(resp!, 'dccp.seq_raw'), '77');
  assert.equal(fieldText(resp!, 'dccp.ack'), '0');
  assert.equal(fieldText(resp!, 'dccp.ack_raw'), '1000');
  assert.equal(fieldText(resp!, 'dccp.service_code'), '7107696');
  assert.equal(fieldText(resp!, 'dccp.timestamp_echo'), '5');
  assert.equal(fieldText(resp!, 'dccp.elapsed_time'), '9');
  assert.equal(fieldText(resp!, 'dccp.checksum_data'), '0x01020304');
  assert.equal(fieldText(resp!, 'dccp.ccid3_loss_event_rate'), '4294967295');
});

test('DCCP 24-bit DataAck, Close, short Reset, bad checksum and bad option', () => {
  const [, , dataAck, close, reset, bad, badOption] = dissectAll([REQUEST, RESPONSE, DATAACK, CLOSE, SHORT_RESET, BAD_CHECKSUM, BAD_OPTION]);
  assert.equal(fieldText(dataAck!, 'frame.protocols'), 'eth:ethertype:ip:dccp:data');
  assert.equal(dataAck!.summary.info, '40000 → 33 [DataAck] Seq=1 (Ack=1)');
  assert.equal(fieldText(dataAck!, 'dccp.seq'), '1001,1');
  assert.equal(fieldText(dataAck!, 'dccp.ack'), '1');
  assert.equal(fieldText(dataAck!, 'dccp.ack_raw'), '78');
  assert.equal(fieldText(dataAck!, 'dccp.cscov'), '1');
  assert.equal(fieldText(dataAck!, 'data.data'), '68656c6c6f2064636370');
  assert.equal(close!.summary.info, '40000 → 33 [Close] Seq=2 (Ack=3)');
  assert.equal(fieldText(close!, 'dccp.seq'), '2');
  assert.equal(reset!.summary.info, '33 → 40000 [Reset] Seq=2');
  assert.equal(fieldText(reset!, 'frame.protocols'), 'eth:ethertype:ip:dccp');
  assert.equal(fieldText(reset!, 'dccp.reset_code'), '');
  assert.equal(bad!.summary.info, '40000 → 33 [Data] Seq=3');
  assert.equal(fieldText(bad!, 'dccp.checksum.status'), '0');
  assert.equal(fieldText(bad!, 'data.data'), '78797a');
  assert.equal(fieldText(badOption!, 'dccp.option_type'), '48');
});

test('DCCP cut by the snap length: the checksum is unverified and Info says so', () => {
  const packets = dissectAll([REQUEST, REQUEST], undefined, 60);
  const cut = packets[1]!;
  assert.equal(fieldText(cut, 'frame.protocols'), 'eth:ethertype:ip:dccp');
  assert.equal(cut.summary.info, '40000 → 33 [Request] Seq=0 (service=Bundle Protocol)[Packet size limited during capture]');
  assert.equal(fieldText(cut, 'dccp.checksum.status'), '2');
  assert.equal(fieldText(cut, 'dccp.option_type'), '41');
  assert.equal(fieldText(cut, 'dccp.timestamp'), '5');
});

test('without a tree the selected DCCP fields come out the same', () => {
  const frames = [REQUEST, RESPONSE, DATAACK, CLOSE, SHORT_RESET, BAD_CHECKSUM, BAD_OPTION];
  const names = ['dccp.seq', 'dccp.seq_raw', 'dccp.ack', 'dccp.stream', 'dccp.checksum.status', 'dccp.option_type', 'dccp.feature_number', 'dccp.ndp_count', 'frame.protocols'];
  const tree = dissectAll(frames);
  const selected = dissectAll(frames, { fields: new Set(names), columns: false });
  tree.forEach((packet, i) => {
    for (const name of names) assert.equal(fieldText(selected[i]!, name), fieldText(packet, name), `frame ${i + 1} ${name}`);
  });
});
