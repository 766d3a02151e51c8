/**
 * IPX over 802.2 LLC (SAP 0xE0): the header, network.node address columns, and the SAP, RIP and
 * NetBIOS-over-IPX payloads that set the Protocol and Info columns without joining frame.protocols.
 * Expected values are what tshark 4.0 prints for the same frames.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Dissector } from './dissector';
import { dissectHex, fieldText } from './test-fields';
import { netbiosNameText } from './ipx';

const RIP = 'ffffffffffff 0003471bc1a8 002b e0e003 ffff 0028 00 01 00000000 ffffffffffff 0453 00000000 0003471bc1a8 0453 0002 a8f87967 0001 0002';
const SAP = `ffffffffffff 0030c1bf5755 0063 e0e003 ffff 0060 00 00 00000000 ffffffffffff 0452 00000000 0030c1bf5755 0452 0002 030c ${Buffer.from('PRINTER'.padEnd(48, '\0')).toString('hex')} 00000000 0030c1bf5755 400c 0001`;
const NBIPX = `ffffffffffff 000000000001 0053 e0e003 ffff 0050 00 14 00000000 ffffffffffff 0455 a8f87967 000000000001 0455 a8f87967${'00'.repeat(28)} 0001 ${Buffer.from('WORKGROUP      ').toString('hex')}1e`;
/** IPX length 29, shorter than its own header. */
const SHORT = '18003e2b6856 000000000001 0023 e0e003 ffff 001d 00 11 8dc23c00 18003e2b6856 402b 0a8808aa 000000000001 0451 0000';
const DATA = '18003e2b6856 000000000001 0025 e0e003 ffff 0022 00 04 00000001 18003e2b6856 7000 00000002 000000000001 7001 deadbeef';

test('IPX header fields and address columns; RIP sets the columns', () => {
  const p = dissectHex(RIP);
  assert.equal(fieldText(p, 'frame.protocols'), 'eth:llc:ipx');
  assert.equal(p.summary.protocol, 'IPX RIP');
  assert.equal(p.summary.info, 'Response');
  assert.equal(p.summary.source, '00000000.0003471bc1a8');
  assert.equal(p.summary.destination, '00000000.ffffffffffff');
  assert.equal(fieldText(p, 'ipx.checksum'), '0xffff');
  assert.equal(fieldText(p, 'ipx.len'), '40');
  assert.equal(fieldText(p, 'ipx.packet_type'), '0x01');
  assert.equal(fieldText(p, 'ipx.dst.net'), '0x00000000');
  assert.equal(fieldText(p, 'ipx.dst.node'), 'ff:ff:ff:ff:ff:ff');
  assert.equal(fieldText(p, 'ipx.src.node'), '00:03:47:1b:c1:a8');
  assert.equal(fieldText(p, 'ipx.src.socket'), '0x0453');
  assert.equal(fieldText(p, 'ipx.addr'), '00000000.0003471bc1a8,00000000.ffffffffffff');
  assert.equal(fieldText(p, 'ipxrip.route_vector'), '0xa8f87967');
  assert.equal(fieldText(p, 'ipxrip.hops'), '1');
  assert.equal(fieldText(p, 'ipxrip.ticks'), '2');
});

test('SAP: server entries, and a packet to the SAP socket counts as a request', () => {
  const p = dissectHex(SAP);
  assert.equal(p.summary.protocol, 'IPX SAP');
  assert.equal(p.summary.info, 'General Response');
  assert.equal(fieldText(p, 'ipxsap.request'), '1');
  assert.equal(fieldText(p, 'ipxsap.server.name'), 'PRINTER');
  assert.equal(fieldText(p, 'ipxsap.server.type'), '0x030c');
  assert.equal(fieldText(p, 'ipxsap.server.socket'), '0x400c');
});

test('NetBIOS over IPX name query', () => {
  const p = dissectHex(NBIPX);
  assert.equal(fieldText(p, 'frame.protocols'), 'eth:llc:ipx');
  assert.equal(p.summary.protocol, 'NBIPX');
  assert.equal(p.summary.info, 'Find name WORKGROUP<1e>');
  assert.equal(fieldText(p, 'ipx.src.net'), '0xa8f87967');
  assert.equal(netbiosNameText(Buffer.from('0102' + Buffer.from('__MSBROWSE__').toString('hex') + '0201', 'hex'), 0), '<01><02>__MSBROWSE__<02><01>');
});

test('an IPX length shorter than the header is malformed; an unknown socket is data', () => {
  const p = dissectHex(SHORT);
  assert.equal(fieldText(p, 'frame.protocols'), 'eth:llc:ipx');
  assert.equal(p.summary.info, 'Unknown (0x402b)[Malformed Packet]');
  assert.equal(fieldText(p, 'ipx.len'), '29');
  const d = dissectHex(DATA);
  assert.equal(fieldText(d, 'frame.protocols'), 'eth:llc:ipx:data');
  assert.equal(d.summary.protocol, 'IPX');
  assert.equal(d.summary.info, 'Unknown (0x7000)');
});

test('a cut-off IPX header is truncated, never thrown', () => {
  const full = Buffer.from(RIP.replace(/ /g, ''), 'hex');
  const data = full.subarray(0, 30);
  const p = new Dissector().dissect({ number: 1, tsNs: 0n, data, origLen: full.length, linkType: 1 });
  assert.equal(p.layers[p.layers.length - 1]!.protocol, 'ipx');
  assert.equal(p.layers[p.layers.length - 1]!.status, 'truncated');
});

test('without a tree the selected IPX fields come out the same', () => {
  const names = ['ipx.addr', 'ipx.dst.socket', 'ipx.net', 'ipxsap.server.name', 'ipxrip.ticks'];
  for (const hex of [RIP, SAP]) {
    const tree = dissectHex(hex);
    const selected = dissectHex(hex, { fields: new Set(names), columns: false });
    for (const name of names) assert.equal(fieldText(selected, name), fieldText(tree, name), name);
  }
});

test("Novell's raw 802.3: IPX right after the length; NetBIOS session data goes on as data", () => {
  const session = `000c298e87a6 000c29310d01 0038 ffff 0038 00 04 00000000 000c298e87a6 0455 00000000 000c29310d01 0455 ${'00'.repeat(1)}06${'00'.repeat(16)} 01020304 05060708`;
  const p = dissectHex(session);
  assert.equal(fieldText(p, 'frame.protocols'), 'eth:ipx:data');
  assert.equal(p.summary.protocol, 'NBIPX');
  assert.equal(p.summary.info, 'Session data');
  assert.equal(fieldText(p, 'ipx.len'), '56');
});
