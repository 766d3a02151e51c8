/**
 * IS-IS over 802.2 LLC (SAP 0xFE, NLPID 0x83): the common header and the hello, LSP, CSNP and PSNP
 * layers, their fixed fields, common TLVs and Info lines. Expected values are what tshark 4.0
 * prints for the same frames.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Dissector } from './dissector';
import { dissectHex, fieldText } from './test-fields';
import { fletcherCorrect, systemIdText } from './isis';

/** 802.3 header to AllL2ISs, LLC UI with DSAP and SSAP 0xFE. */
const ETH_LLC = (length: string) => `0180c2000015 000000000004 ${length} fefe03`;
/** L2 LAN hello: protocols supported, area 49.0014, IPv4 interface 10.0.0.2. */
const HELLO_L2 = `${ETH_LLC('002d')} 831b010010010000 02 444444444444 001e 002a 40 44444444444401 8101cc 010403490014 84040a000002`;
const HELLO_P2P = `${ETH_LLC('001d')} 8314010011010000 03 111111111111 001e 001a 02 010403490001`;
/** L2 LSP with hostname "R3" and a correct checksum (0xf55e). */
const LSP = `${ETH_LLC('0028')} 831b010014010000 0025 04af 3333333333330000 00000009 f55e 03 89025233 01040349000a`;
const CSNP = `${ETH_LLC('0036')} 8321010019010000 0033 444444444444 00 0000000000000000 ffffffffffffffff 0910 04af 4444444444440000 0000000a f252`;
const PSNP = `${ETH_LLC('0026')} 831101001b010000 0023 444444444444 00 0910 04af 4444444444440000 0000000a f252`;

test('system IDs and the Fletcher checksum', () => {
  const id = Buffer.from('3333333333330114', 'hex');
  assert.equal(systemIdText(id, 0, 6), '3333.3333.3333');
  assert.equal(systemIdText(id, 0, 7), '3333.3333.3333.01');
  assert.equal(systemIdText(id, 0, 8), '3333.3333.3333.01-14');
  const lsp = Buffer.from(LSP.replace(/ /g, ''), 'hex');
  assert.equal(fletcherCorrect(lsp, 17 + 12, lsp.length - 17 - 12), true);
  lsp[lsp.length - 1]! ^= 1;
  assert.equal(fletcherCorrect(lsp, 17 + 12, lsp.length - 17 - 12), false);
});

test('L2 LAN hello: chain, header, fixed fields, TLVs, Info', () => {
  const p = dissectHex(HELLO_L2);
  assert.equal(fieldText(p, 'frame.protocols'), 'eth:llc:osi:isis:isis.hello');
  assert.equal(p.summary.protocol, 'ISIS HELLO');
  assert.equal(p.summary.info, 'L2 HELLO, System-ID: 4444.4444.4444');
  assert.equal(fieldText(p, 'isis.irpd'), '0x83');
  assert.equal(fieldText(p, 'isis.len'), '27');
  assert.equal(fieldText(p, 'isis.type'), '16');
  assert.equal(fieldText(p, 'isis.sysid_len'), '0');
  assert.equal(fieldText(p, 'isis.hello.circuit_type'), '0x02');
  assert.equal(fieldText(p, 'isis.hello.reserved'), '0x00,0');
  assert.equal(fieldText(p, 'isis.hello.source_id'), '4444.4444.4444');
  assert.equal(fieldText(p, 'isis.hello.holding_timer'), '30');
  assert.equal(fieldText(p, 'isis.hello.pdu_length'), '42');
  assert.equal(fieldText(p, 'isis.hello.priority'), '64');
  assert.equal(fieldText(p, 'isis.hello.lan_id'), '4444.4444.4444.01');
  assert.equal(fieldText(p, 'isis.hello.clv.type'), '129,1,132');
  assert.equal(fieldText(p, 'isis.hello.area_address'), '03490014');
  assert.equal(fieldText(p, 'isis.hello.clv_nlpid.nlpid'), '0xcc');
  assert.equal(fieldText(p, 'isis.hello.clv_ipv4_int_addr'), '10.0.0.2');
});

test('point-to-point hello: local circuit ID instead of priority and LAN ID', () => {
  const p = dissectHex(HELLO_P2P);
  assert.equal(p.summary.info, 'P2P HELLO, System-ID: 1111.1111.1111');
  assert.equal(fieldText(p, 'isis.hello.circuit_type'), '0x03');
  assert.equal(fieldText(p, 'isis.hello.local_circuit_id'), '2');
  assert.equal(fieldText(p, 'isis.hello.lan_id'), '');
  assert.equal(fieldText(p, 'isis.hello.area_address'), '03490001');
});

test('LSP: ID, sequence, checksum verified, hostname, Info', () => {
  const p = dissectHex(LSP);
  assert.equal(fieldText(p, 'frame.protocols'), 'eth:llc:osi:isis:isis.lsp');
  assert.equal(p.summary.protocol, 'ISIS LSP');
  assert.equal(p.summary.info, 'L2 LSP, LSP-ID: 3333.3333.3333.00-00, Sequence: 0x00000009, Lifetime:  1199s');
  assert.equal(fieldText(p, 'isis.lsp.lsp_id'), '3333.3333.3333.00-00');
  assert.equal(fieldText(p, 'isis.lsp.sequence_number'), '0x00000009');
  assert.equal(fieldText(p, 'isis.lsp.checksum'), '0xf55e');
  assert.equal(fieldText(p, 'isis.lsp.checksum.status'), '1');
  assert.equal(fieldText(p, 'isis.lsp.is_type'), '3');
  assert.equal(fieldText(p, 'isis.lsp.hostname'), 'R3');
  const bad = dissectHex(LSP.replace('f55e', 'f55f'));
  assert.equal(bad.summary.info, 'L2 LSP, LSP-ID: 3333.3333.3333.00-00, Sequence: 0x00000009, Lifetime:  1199s [ISIS CHECKSUM INCORRECT]');
  assert.equal(fieldText(bad, 'isis.lsp.checksum.status'), '0');
});

test('CSNP and PSNP: source, LSP ID range, LSP entries under the csnp names', () => {
  const c = dissectHex(CSNP);
  assert.equal(fieldText(c, 'frame.protocols'), 'eth:llc:osi:isis:isis.csnp');
  assert.equal(c.summary.protocol, 'ISIS CSNP');
  assert.equal(c.summary.info, 'L2 CSNP, Source-ID: 4444.4444.4444.00, Start LSP-ID: 0000.0000.0000.00-00, End LSP-ID: ffff.ffff.ffff.ff-ff');
  assert.equal(fieldText(c, 'isis.csnp.source_id'), '4444.4444.4444');
  assert.equal(fieldText(c, 'isis.csnp.source_circuit'), '00');
  assert.equal(fieldText(c, 'isis.csnp.end_lsp_id'), 'ffff.ffff.ffff.ff-ff');
  assert.equal(fieldText(c, 'isis.csnp.lsp_id'), '4444.4444.4444.00-00');
  assert.equal(fieldText(c, 'isis.csnp.lsp_seq_num'), '0x0000000a');
  assert.equal(fieldText(c, 'isis.csnp.lsp_remain_life'), '1199');
  assert.equal(fieldText(c, 'isis.csnp.lsp_checksum'), '0xf252');
  const s = dissectHex(PSNP);
  assert.equal(fieldText(s, 'frame.protocols'), 'eth:llc:osi:isis:isis.psnp');
  assert.equal(s.summary.info, 'L2 PSNP, Source-ID: 4444.4444.4444.00');
  assert.equal(fieldText(s, 'isis.psnp.source_id'), '4444.4444.4444');
  assert.equal(fieldText(s, 'isis.csnp.lsp_id'), '4444.4444.4444.00-00');
});

test('a cut-off PDU is marked truncated, never thrown', () => {
  const full = Buffer.from(LSP.replace(/ /g, ''), 'hex');
  for (let length = 14; length < full.length; length++) {
    const data = full.subarray(0, length);
    const p = new Dissector().dissect({ number: 1, tsNs: 0n, data, origLen: full.length, linkType: 1 });
    assert.ok(p.layers.length > 0);
    if (length < full.length - 8 && length > 17) assert.notEqual(p.layers[p.layers.length - 1]!.status, 'ok', `length ${length}`);
  }
});

test('another NLPID under the OSI SAP is data', () => {
  const p = dissectHex(`${ETH_LLC('0007')} 81 0102030405`);
  assert.equal(fieldText(p, 'frame.protocols'), 'eth:llc:osi:data');
});

test('without a tree the selected IS-IS fields come out the same', () => {
  const names = ['isis.type', 'isis.hello.source_id', 'isis.hello.area_address', 'isis.lsp.hostname', 'isis.lsp.checksum.status', 'isis.csnp.lsp_id'];
  for (const hex of [HELLO_L2, LSP, CSNP]) {
    const tree = dissectHex(hex);
    const selected = dissectHex(hex, { fields: new Set(names), columns: false });
    for (const name of names) assert.equal(fieldText(selected, name), fieldText(tree, name), name);
  }
});
