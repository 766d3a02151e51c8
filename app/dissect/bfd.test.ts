/**
 * BFD control (UDP 3784/4784/6784/7784) and echo (3785) packets. Expected values are what tshark
 * 4.0 prints for the same frames (`tshark -T fields -e bfd.* -e _ws.col.Info`); frames built with
 * python3 struct.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissectHex, fieldText } from './test-fields';

const FRAMES = {
  /** Multihop (4784), state Up, every flag set. */
  allFlags: '011b1900000002000000000108004500003400010000401166b60a0000010a000002c00012b00020000020ff03180000000100000002000f4240000493e000000000',
  /** Keyed SHA1 authentication. */
  sha1: '011b19000000020000000001080045000050000100004011669a0a0000010a000002c0000ec8003c000020c403340000000100000002000f4240000493e000000000051c09000000004d000102030405060708090a0b0c0d0e0f10111213',
  /** Authentication flag set but a 24-byte message. */
  noAuthData: '011b1900000002000000000108004500003400010000401166b60a0000010a000002c0000ec80020000020c403180000000100000002000f4240000493e000000000',
  /** Version 0 (draft) with H, D, P and F set. */
  version0: '011b1900000002000000000108004500003400010000401166b60a0000010a000002c0000ec80020000003f003180000000100000002000f4240000493e000000000',
  /** 12 bytes only. */
  short: '011b1900000002000000000108004500002800010000401166c20a0000010a000002c0000ec80014000020c003180000000100000002',
  /** Echo on 3785. */
  echo: '011b1900000002000000000108004500002900010000401166c10a0000010a000002c0000ec9001500006563686f2d646174612d313233',
};

test('BFD control: header fields, flags, intervals and Info', () => {
  const p = dissectHex(FRAMES.allFlags);
  assert.equal(fieldText(p, 'frame.protocols'), 'eth:ethertype:ip:udp:bfd');
  assert.equal(p.summary.protocol, 'BFD Control');
  assert.equal(p.summary.info, 'Diag: No Diagnostic, State: Up, Flags: 0x3e');
  assert.equal(fieldText(p, 'bfd.version'), '1');
  assert.equal(fieldText(p, 'bfd.diag'), '0x00');
  assert.equal(fieldText(p, 'bfd.sta'), '0x03');
  assert.equal(fieldText(p, 'bfd.flags'), '0xff');
  for (const flag of ['p', 'f', 'c', 'a', 'd', 'm']) assert.equal(fieldText(p, `bfd.flags.${flag}`), '1');
  assert.equal(fieldText(p, 'bfd.detect_time_multiplier'), '3');
  assert.equal(fieldText(p, 'bfd.message_length'), '24');
  assert.equal(fieldText(p, 'bfd.my_discriminator'), '0x00000001');
  assert.equal(fieldText(p, 'bfd.your_discriminator'), '0x00000002');
  assert.equal(fieldText(p, 'bfd.desired_min_tx_interval'), '1000000');
  assert.equal(fieldText(p, 'bfd.required_min_rx_interval'), '300000');
  const flags = p.layers.find((l) => l.protocol === 'bfd')!.fields.find((f) => f.abbrev === 'bfd.flags')!;
  assert.equal(flags.label, 'Message Flags: 0xff, Poll: Set, Final: Set, Control Plane Independent: Set, Authentication Present: Set, Demand: Set, Multipoint: Set');
  assert.equal(flags.children![0]!.label, '1... .. = Poll: Set');
});

test('BFD authentication: keyed SHA1, and the flag without a section', () => {
  const p = dissectHex(FRAMES.sha1);
  assert.equal(p.summary.info, 'Diag: No Diagnostic, State: Up, Flags: 0x04');
  assert.equal(fieldText(p, 'bfd.auth.type'), '5');
  assert.equal(fieldText(p, 'bfd.auth.len'), '28');
  assert.equal(fieldText(p, 'bfd.auth.key'), '9');
  assert.equal(fieldText(p, 'bfd.auth.seq_num'), '0x0000004d');
  assert.equal(fieldText(p, 'bfd.checksum'), '000102030405060708090a0b0c0d0e0f10111213');
  assert.equal(fieldText(dissectHex(FRAMES.noAuthData), 'bfd.auth.no_data'), '1');
});

test('BFD version 0, a short packet, and echo', () => {
  const v0 = dissectHex(FRAMES.version0);
  assert.equal(v0.summary.info, 'Diag: Neighbor Signaled Session Down, Flags: 0xf0');
  assert.equal(fieldText(v0, 'bfd.flags.h'), '1');
  assert.equal(fieldText(v0, 'bfd.sta'), '');
  const short = dissectHex(FRAMES.short);
  assert.equal(short.summary.info, '[Malformed Packet]');
  assert.equal(short.layers.find((l) => l.protocol === 'bfd')!.status, 'malformed');
  const echo = dissectHex(FRAMES.echo);
  assert.equal(fieldText(echo, 'frame.protocols'), 'eth:ethertype:ip:udp:bfd_echo');
  assert.equal(echo.summary.protocol, 'BFD Echo');
  assert.equal(echo.summary.info, 'Originator specific content');
  assert.equal(fieldText(echo, 'bfd_echo.packet'), '6563686f2d646174612d313233');
});
