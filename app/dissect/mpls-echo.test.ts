/**
 * MPLS LSP ping on the payloads of lspping-fec-ldp.pcap (an Echo Request with an LDP IPv4 prefix
 * FEC, its Echo Reply), a request cut by the capture and an unknown TLV, and the same selected
 * fields without a tree. Expected values are what tshark 4.0 prints for them
 * (tests/dissect-mpls-echo-tshark.test.ts compares the corpus captures with tshark).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Dissector } from './dissector';
import { collectFields } from '../cli/tshark/fields';
import { udpFrame } from './test-frames';
import type { DissectedPacket } from './model';

const REQUEST = '0001000001020000000000000000000140cd7b240001ce7500000000000000000001000c000100050c01010120000000';
const REPLY = '0001000002020300000000000000000140cd7b240001ce7540cd7b240001d48e';

function dissect(payload: string, options?: { capture?: number; fields?: ReadonlySet<string>; reply?: boolean }): DissectedPacket {
  const bytes = Buffer.from(payload, 'hex');
  const frame = options?.reply ? udpFrame(3503, 4786, bytes, options?.capture, true) : udpFrame(4786, 3503, bytes, options?.capture);
  const select = options?.fields ? { fields: options.fields, columns: false } : undefined;
  return new Dissector().dissect({ number: 1, tsNs: 0n, data: frame, origLen: 42 + bytes.length, linkType: 1 }, select);
}

const fields = (p: DissectedPacket, names: string[]) => {
  const got = collectFields(p, names);
  return names.map((n) => (got.get(n) ?? []).join(',')).join('|');
};

test('an Echo Request: header, timestamps, the Target FEC Stack', () => {
  const p = dissect(REQUEST);
  assert.equal(fields(p, ['frame.protocols']), 'eth:ethertype:ip:udp:mpls-echo');
  assert.equal(p.summary.protocol, 'MPLS ECHO');
  assert.equal(p.summary.info, 'MPLS Echo Request');
  assert.equal(fields(p, ['mpls_echo.version', 'mpls_echo.flags', 'mpls_echo.flag_v', 'mpls_echo.msg_type', 'mpls_echo.reply_mode', 'mpls_echo.return_code',
    'mpls_echo.sender_handle', 'mpls_echo.sequence']), '1|0x0000|0|1|2|0|0x00000000|1');
  assert.equal(fields(p, ['mpls_echo.timestamp_sent', 'mpls_echo.timestamp_rec']), 'Jul 21, 2070 16:45:24.000027564 UTC|Jan  1, 1970 00:00:00.000000000 UTC');
  assert.equal(fields(p, ['mpls_echo.tlv.type', 'mpls_echo.tlv.len', 'mpls_echo.tlv.fec.type', 'mpls_echo.tlv.fec.len', 'mpls_echo.tlv.fec.ldp_ipv4',
    'mpls_echo.tlv.fec.ldp_ipv4_mask', 'mpls_echo.padding']), '1|12|1|5|12.1.1.1|32|000000');
});

test('an Echo Reply; an unknown TLV; a request cut by the capture', () => {
  const reply = dissect(REPLY, { reply: true });
  assert.equal(reply.summary.info, 'MPLS Echo Reply');
  assert.equal(fields(reply, ['mpls_echo.return_code', 'mpls_echo.timestamp_rec', 'mpls_echo.tlv.type']), '3|Jul 21, 2070 16:45:24.000027928 UTC|');
  const unknown = dissect(REPLY + '010c0004000800c8');
  assert.equal(fields(unknown, ['mpls_echo.tlv.type', 'mpls_echo.tlv.len', 'mpls_echo.tlv.value']), '268|4|000800c8');
  const cut = dissect(REQUEST, { capture: 42 + 20 });
  assert.equal(cut.status, 'truncated');
  assert.equal(cut.summary.info, 'MPLS Echo Request[Packet size limited during capture]');
  assert.equal(fields(cut, ['mpls_echo.sequence', 'mpls_echo.timestamp_sent']), '1|');
});

test('without a tree the selected MPLS echo fields come out the same', () => {
  const names = ['mpls_echo.flag_v', 'mpls_echo.msg_type', 'mpls_echo.timestamp_sent', 'mpls_echo.tlv.fec.type', 'mpls_echo.tlv.fec.ldp_ipv4', 'mpls_echo.padding', 'frame.protocols'];
  for (const payload of [REQUEST, REPLY]) {
    const tree = dissect(payload);
    const selected = dissect(payload, { fields: new Set(names) });
    for (const name of names) assert.equal(fields(selected, [name]), fields(tree, [name]), name);
  }
});
