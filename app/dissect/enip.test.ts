/**
 * EtherNet/IP and CIP: encapsulation header, Register Session, List Identity, Send RR Data with CIP
 * requests and responses paired by sender context, two PDUs in one segment, Multiple Service Packet
 * with a CIP Class Generic layer per embedded service, and a CPF item longer than its data
 * (malformed). Expected values are what tshark 4.0 prints for the same frames.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Dissector } from './dissector';
import { fieldText } from './test-fields';
import type { DissectedPacket } from './model';

/** One TCP conversation 10.0.0.1:50000 -> 10.0.0.2:44818 (and a List Identity over UDP). */
const FIRST: Record<string, string> = {
  register_req: '0011223344550066778899aa08004500004400010000400666b10a0000010a000002c350af12000003e8000003e8501820000000000065000400000000000000000001020304050607080000000001000000',
  register_rsp: '0011223344550066778899aa08004500004400010000400666b10a0000020a000001af12c350000003e800000404501820000000000065000400443322110000000001020304050607080000000001000000',
  list_identity_udp: '0011223344550066778899aa08004500003400010000401166b60a0000010a000002c350af1200200000630000000000000000000000010203040506070800000000',
  get_attr_single_req: '0011223344550066778899aa080045000058000100004006669d0a0000010a000002c350af12000004040000040450182000000000006f0018004433221100000000010203040506070800000000000000000a00020000000000b20008000e03200124013007',
  get_attr_single_rsp: '0011223344550066778899aa080045000056000100004006669f0a0000020a000001af12c350000004040000043450182000000000006f0016004433221100000000010203040506070800000000000000000a00020000000000b20006008e0000000c00',
  two_pdus: '0011223344550066778899aa080045000058000100004006669d0a0000010a000002c350af1200000434000004325018200000000000040000000000000000000000010203040506070800000000660000004433221100000000010203040506070800000000',
  get_attrs_all_req: '0011223344550066778899aa080045000056000100004006669f0a0000010a000002c350af12000004640000043250182000000000006f0016004433221100000000010203040506070800000000000000000a00020000000000b200060001022001240a',
  get_attrs_all_error: '0011223344550066778899aa08004500005400010000400666a10a0000020a000001af12c350000004320000049250182000000000006f0014004433221100000000010203040506070800000000000000000a00020000000000b200040081000500',
  item_too_long: '0011223344550066778899aa080045000056000100004006669f0a0000010a000002c350af12000004920000045e50182000000000006f0016004433221100000000010203040506070800000000000000000a00020000000000b2001e000e0320012401',
  register_bad_revision: '0011223344550066778899aa08004500004000010000400666b50a0000020a000001af12c3500000045e000004c05018200000000000650000000000000069000000010203040506070800000000',
};
/** A second capture (sequence numbers start again): class generic, an unmatched response, Multiple Service Packet. */
const SECOND: Record<string, string> = {
  class_generic_req: '0011223344550066778899aa080045000058000100004006669d0a0000010a000002c350af12000003e8000003e850182000000000006f0018004433221100000000010203040506070800000000000000000a00020000000000b20008004c02207224000100',
  unmatched_rsp: '0011223344550066778899aa080045000056000100004006669f0a0000020a000001af12c350000003e80000041850182000000000006f00160044332211000000007a7a7a7a7a7a7a7a00000000000000000a00020000000000b20006008e0000000c00',
  msp_req: '0011223344550066778899aa08004500006a000100004006668b0a0000010a000002c350af12000004180000041650182000000000006f002a0044332211000000006d6d6d6d6d6d6d6d00000000000000000a00020000000000b2001a000a0220022401020006000e000e032001240130074c0220722400',
  msp_rsp: '0011223344550066778899aa080045000066000100004006668f0a0000020a000001af12c350000004160000045a50182000000000006f00260044332211000000006d6d6d6d6d6d6d6d00000000000000000a00020000000000b20016008a000000020006000c008e0000000c00cc000000aabb',
  vendor_error_rsp: '0011223344550066778899aa080045000056000100004006669f0a0000020a000001af12c350000004540000045a50182000000000006f0016004433221100000000717171717171717100000000000000000a00020000000000b2000600cc001f010521',
  bad_symbol_path: '0011223344550066778899aa08004500005c00010000400666990a0000010a000002c350af120000045a0000048250182000000000006f001c004433221100000000737373737373737300000000000000000a00020000000000b2000c004c0791054d7946756e000100',
  class16_req: '0011223344550066778899aa08004500005c00010000400666990a0000010a000002c350af120000048e0000048250182000000000006f001c004433221100000000747474747474747400000000000000000a00020000000000b2000c000e042100f500250001003001',
};

function dissectAll(frames: Record<string, string>, options?: { fields?: ReadonlySet<string>; columns?: boolean }): DissectedPacket[] {
  const d = new Dissector();
  return Object.values(frames).map((hex, k) => {
    const data = Buffer.from(hex, 'hex');
    return d.dissect({ number: k + 1, tsNs: BigInt(k) * 1_000_000_000n, data, origLen: data.length, linkType: 1 }, options);
  });
}

test('ENIP header, Register Session, List Identity and Info', () => {
  const p = dissectAll(FIRST);
  assert.equal(fieldText(p[0]!, 'frame.protocols'), 'eth:ethertype:ip:tcp:enip');
  assert.equal(p[0]!.summary.protocol, 'ENIP');
  assert.equal(p[0]!.summary.info, 'Register Session (Req), Session: 0x00000000');
  assert.equal(fieldText(p[0]!, 'enip.command'), '0x0065');
  assert.equal(fieldText(p[0]!, 'enip.length'), '4');
  assert.equal(fieldText(p[0]!, 'enip.context'), '0102030405060708');
  assert.equal(fieldText(p[0]!, 'enip.rs.version'), '1');
  assert.equal(fieldText(p[0]!, 'enip.rs.flags'), '0x0000');
  assert.equal(p[1]!.summary.info, 'Register Session (Rsp), Session: 0x11223344');
  assert.equal(fieldText(p[1]!, 'enip.session'), '0x11223344');
  assert.equal(fieldText(p[2]!, 'frame.protocols'), 'eth:ethertype:ip:udp:enip');
  assert.equal(p[2]!.summary.info, 'List Identity (Req)');
  assert.equal(fieldText(p[2]!, 'enip.listid_delay'), '513');
  assert.equal(fieldText(p[2]!, 'enip.context'), '030405060708');
  assert.equal(p[5]!.summary.info, 'List Services (Req) | Unregister Session (Req), Session: 0x11223344');
  assert.equal(fieldText(p[5]!, 'enip.command'), '0x0004,0x0066');
  assert.equal(fieldText(p[9]!, 'enip.status'), '0x00000069');
});

test('CIP over Send RR Data: request path, response paired with its request', () => {
  const p = dissectAll(FIRST);
  assert.equal(fieldText(p[3]!, 'frame.protocols'), 'eth:ethertype:ip:tcp:enip:cip');
  assert.equal(p[3]!.summary.protocol, 'CIP');
  assert.equal(p[3]!.summary.info, 'Identity - Get Attribute Single');
  assert.equal(fieldText(p[3]!, 'enip.cpf.typeid'), '0x0000,0x00b2');
  assert.equal(fieldText(p[3]!, 'enip.cpf.length'), '0,8');
  assert.equal(fieldText(p[3]!, 'cip.service'), '0x0e');
  assert.equal(fieldText(p[3]!, 'cip.epath'), '200124013007');
  assert.equal(fieldText(p[3]!, 'cip.class'), '0x01');
  assert.equal(fieldText(p[3]!, 'cip.instance'), '0x01');
  assert.equal(fieldText(p[3]!, 'cip.attribute'), '7');
  assert.equal(p[4]!.summary.info, 'Success: Identity - Get Attribute Single');
  assert.equal(fieldText(p[4]!, 'enip.response_to'), '4');
  assert.equal(fieldText(p[4]!, 'enip.time'), '1.000000000');
  assert.equal(fieldText(p[4]!, 'cip.genstat'), '0x00');
  assert.equal(p[7]!.summary.info, 'Path destination unknown: Identity - Get Attributes All');
  assert.equal(fieldText(p[7]!, 'cip.instance'), '0x0a');
});

test('CPF item longer than its data: malformed', () => {
  const p = dissectAll(FIRST)[8]!;
  assert.equal(fieldText(p, 'frame.protocols'), 'eth:ethertype:ip:tcp:enip:cip');
  assert.equal(p.summary.info, '[Malformed Packet: length of contained item exceeds length of containing item]');
  assert.equal(fieldText(p, 'enip.cpf.length'), '0,30');
});

test('class generic, Multiple Service Packet and 16-bit path segments', () => {
  const p = dissectAll(SECOND);
  assert.equal(fieldText(p[0]!, 'frame.protocols'), 'eth:ethertype:ip:tcp:enip:cip:cipcls');
  assert.equal(p[0]!.summary.info, 'Class (0x72) - Service (0x4c)');
  assert.equal(fieldText(p[0]!, 'cip.data'), '0100');
  assert.equal(p[1]!.summary.info, 'Success: Get Attribute Single');
  assert.equal(p[2]!.summary.info, 'Message Router - Multiple Service Packet: Get Attribute Single, Service (0x4c)');
  assert.equal(fieldText(p[2]!, 'cip.class'), '0x02,0x01,0x72');
  assert.equal(fieldText(p[2]!, 'cip.msp.offset'), '6,14,6,14');
  assert.equal(p[3]!.summary.info, 'Success: Multiple Service Packet: Get Attribute Single, Service (0x4c)');
  assert.equal(fieldText(p[3]!, 'enip.response_to'), '3');
  assert.equal(fieldText(p[3]!, 'cip.data'), 'aabb');
  assert.equal(p[4]!.summary.info, 'Vendor specific error: Service (0x4c)');
  assert.equal(fieldText(p[4]!, 'cip.addstat'), '0x2105');
  assert.equal(p[5]!.summary.info, '[Malformed Packet]');
  assert.equal(p[6]!.summary.info, 'TCP/IP Interface - Get Attribute Single');
  assert.equal(fieldText(p[6]!, 'cip.class'), '0x00f5');
  assert.equal(fieldText(p[6]!, 'cip.instance'), '0x0001');
});

test('without a tree the selected ENIP and CIP fields come out the same', () => {
  const names = ['enip.command', 'enip.context', 'enip.response_to', 'enip.cpf.typeid', 'cip.service', 'cip.class', 'cip.data', 'cip.msp.offset', 'frame.protocols'];
  for (const frames of [FIRST, SECOND]) {
    const tree = dissectAll(frames);
    const selected = dissectAll(frames, { fields: new Set(names), columns: false });
    tree.forEach((p, k) => {
      for (const name of names) assert.equal(fieldText(selected[k]!, name), fieldText(p, name), `frame ${k + 1} ${name}`);
    });
  }
});
