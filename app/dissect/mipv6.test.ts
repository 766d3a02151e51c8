/**
 * Mobile IPv6 Mobility Header (IPv6 next header 135 and the old 62): message bodies, options (an
 * unknown one, one running past the header), the sticky NEMO Protocol column, an unknown type, a
 * frame cut by the snap length, and the same fields without a tree. Expected values are what
 * tshark 4.0 prints for the same frames.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Dissector } from './dissector';
import { fieldText } from './test-fields';
import type { DissectedPacket } from './model';

/** Binding Update with the Mobile Router flag; options Binding Refresh Advice, unknown 200, Alternate CoA, PadN. */
const BU_NEMO = '00000000000200000000000186dd600000000028874020010db800000000000000000000000120010db80000000000000000000000023b04050012340007840000640202001ec802aabb031020010db80000000000000000000000010100';
/** Binding Acknowledgement, status 133, K flag; options Nonce Indices, Authorization Data. */
const BA = '00000000000200000000000186dd600000000020874020010db800000000000000000000000120010db80000000000000000000000023b0306001234858000070032040400010002050c000102030405060708090a0b';
/** Home Test Init. */
const HOTI = '00000000000200000000000186dd600000000010874020010db800000000000000000000000120010db80000000000000000000000023b010100123400000102030405060708';
/** Binding Error, status 2, then PadN. */
const BE = '00000000000200000000000186dd600000000020874020010db800000000000000000000000120010db80000000000000000000000023b0307001234020020010db80000000000000000000000020100000000000000';
/** Type 30: unknown, its data. */
const UNKNOWN = '00000000000200000000000186dd600000000010874020010db800000000000000000000000120010db80000000000000000000000023b011e00123400010203040506070809';
/** Binding Refresh Request whose Binding Refresh Advice option claims 9 bytes. */
const BRR_BAD_OPTION = '00000000000200000000000186dd600000000010874020010db800000000000000000000000120010db80000000000000000000000023b010000123400000209000000000000';
/** Binding Update under the old next header 62. */
const BU_OLD = '00000000000200000000000186dd6000000000103e4020010db800000000000000000000000120010db80000000000000000000000023b010500123400088000000a01020000';

function dissectAll(hexes: readonly string[], options?: { fields?: ReadonlySet<string>; columns?: boolean }, cut?: number): DissectedPacket[] {
  const d = new Dissector();
  return hexes.map((hex, i) => {
    const whole = Buffer.from(hex, 'hex');
    const data = cut !== undefined && i === hexes.length - 1 ? whole.subarray(0, cut) : whole;
    return d.dissect({ number: i + 1, tsNs: 0n, data, origLen: whole.length, linkType: 1 }, options);
  });
}

test('MIPv6 messages, options and the NEMO Protocol column', () => {
  const [bu, ba, hoti, be, unknown, brr, old] = dissectAll([BU_NEMO, BA, HOTI, BE, UNKNOWN, BRR_BAD_OPTION, BU_OLD]);
  assert.equal(fieldText(bu!, 'frame.protocols'), 'eth:ethertype:ipv6:mipv6');
  assert.equal(bu!.summary.protocol, 'NEMO');
  assert.equal(bu!.summary.info, 'Binding Update');
  assert.equal(fieldText(bu!, 'mip6.bu.seqnr'), '7');
  assert.equal(fieldText(bu!, 'mip6.nemo.bu.r_flag'), '1');
  assert.equal(fieldText(bu!, 'mip6.bra.interval'), '30');
  assert.equal(fieldText(bu!, 'mip6.mobility_opt'), '200');
  assert.equal(fieldText(bu!, 'mip6.mobility_opt.len'), '2,4,16,0');
  assert.equal(fieldText(bu!, 'mip6.acoa.acoa'), '2001:db8::1');
  assert.equal(fieldText(bu!, 'mip6.options.padn'), '0100');
  // tshark's NEMO flag is never cleared: every later Binding Update/Acknowledgement says NEMO.
  assert.equal(ba!.summary.protocol, 'NEMO');
  assert.equal(fieldText(ba!, 'mip6.ba.status'), '133');
  assert.equal(fieldText(ba!, 'mip6.ni.cni'), '2');
  assert.equal(fieldText(ba!, 'mip6.bad.auth'), '000102030405060708090a0b');
  assert.equal(hoti!.summary.protocol, 'MIPv6');
  assert.equal(fieldText(hoti!, 'mip6.hoti.cookie'), '0x0102030405060708');
  assert.equal(fieldText(be!, 'mip6.be.haddr'), '2001:db8::2');
  assert.equal(unknown!.summary.info, 'Unknown Mobility Header (30)');
  assert.equal(fieldText(unknown!, 'mip6.unknown_type_data'), '00010203040506070809');
  assert.equal(brr!.summary.info, 'Binding Refresh Request');
  assert.equal(fieldText(brr!, 'mip6.bra.interval'), '');
  assert.equal(fieldText(old!, 'frame.protocols'), 'eth:ethertype:ipv6:mipv6');
  assert.equal(old!.summary.protocol, 'NEMO');
  assert.equal(fieldText(old!, 'mip6.bu.seqnr'), '8');
});

test('MIPv6 cut by the snap length inside its options', () => {
  const cut = dissectAll([BU_NEMO, BU_NEMO], undefined, 70)[1]!;
  assert.equal(fieldText(cut, 'frame.protocols'), 'eth:ethertype:ipv6:mipv6');
  assert.equal(cut.summary.info, 'Binding Update[Packet size limited during capture]');
  assert.equal(fieldText(cut, 'mip6.bu.lifetime'), '100');
  assert.equal(fieldText(cut, 'mip6.bra.interval'), '');
});

test('without a tree the selected MIPv6 fields come out the same', () => {
  const frames = [BU_NEMO, BA, HOTI, BE, UNKNOWN, BRR_BAD_OPTION, BU_OLD];
  const names = ['mip6.mhtype', 'mip6.bu.a_flag', 'mip6.mobility_opt.len', 'mip6.options.padn', 'mip6.ba.status', 'mip6.be.status', 'frame.protocols'];
  const tree = dissectAll(frames);
  const selected = dissectAll(frames, { fields: new Set(names), columns: false });
  tree.forEach((packet, i) => {
    for (const name of names) assert.equal(fieldText(selected[i]!, name), fieldText(packet, name), `frame ${i + 1} ${name}`);
  });
});
