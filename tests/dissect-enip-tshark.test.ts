/**
 * EtherNet/IP and CIP (enip.ts) against tshark 4.0: `-T fields` of their fields, frame.protocols and
 * the Protocol and Info columns, the summary lines (`-T text`) and display filters, on frames this
 * test builds (app/dissect/enip.test.ts's, checked with tshark) and on the shared corpus capture
 * that holds ENIP. Skipped when tshark is not installed or the corpus is missing.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { corpusLocation } from './support/corpus';
import { writePcap } from './support/frames';
import { sievecap } from './support/sievecap';
import { assertFiltersAgree, firstDifference } from './support/agree';

const NO_TSHARK = spawnSync('tshark', ['--version']).status !== 0 ? 'tshark is not installed (apt-get install tshark)' : false;
const CORPUS = corpusLocation();
const NO_CORPUS = fs.existsSync(CORPUS.dir) ? false : `the shared corpus is missing: looked in ${CORPUS.dir} (${CORPUS.from})`;

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-enip-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const FIELDS = [
  'frame.protocols', '_ws.col.Protocol', '_ws.col.Info', 'enip.command', 'enip.length', 'enip.session', 'enip.status', 'enip.context', 'enip.options', 'enip.listid_delay', 'enip.rs.version', 'enip.rs.flags', 'enip.srrd.iface', 'enip.sud.iface', 'enip.timeout', 'enip.cpf.itemcount', 'enip.cpf.typeid', 'enip.cpf.length', 'enip.cpf.cai.connid', 'cip.connid', 'cip.seq', 'enip.response_to', 'enip.time', 'cip.service', 'cip.rr', 'cip.sc', 'cip.request_path_size', 'cip.epath', 'cip.path_segment', 'cip.path_segment.type', 'cip.logical_segment.type', 'cip.logical_segment.format', 'cip.class', 'cip.instance', 'cip.attribute', 'cip.genstat', 'cip.addstat_size', 'cip.addstat', 'cip.msp.num_services', 'cip.msp.offset', 'cip.data', 'cip.data_segment.type', 'cip.data_segment.size', 'cip.symbol', 'cip.cm.sc', 'cip.cm.priority', 'cip.cm.tick_time', 'cip.cm.timeout_tick', 'cip.cm.timeout', 'cip.cm.msg_req_size', 'cip.cm.route_path_size', 'cip.reserved', 'cip.ex_linkaddress', 'cip.port', 'cip.linkaddress.byte', 'cip.pad', 
];

/** Two captures (each one TCP conversation whose sequence numbers start at 1000). */
const CAPTURES: string[][] = [
  [
    '0011223344550066778899aa08004500004400010000400666b10a0000010a000002c350af12000003e8000003e8501820000000000065000400000000000000000001020304050607080000000001000000', // register_req
    '0011223344550066778899aa08004500004400010000400666b10a0000020a000001af12c350000003e800000404501820000000000065000400443322110000000001020304050607080000000001000000', // register_rsp
    '0011223344550066778899aa08004500003400010000401166b60a0000010a000002c350af1200200000630000000000000000000000010203040506070800000000', // list_identity_udp
    '0011223344550066778899aa080045000058000100004006669d0a0000010a000002c350af12000004040000040450182000000000006f0018004433221100000000010203040506070800000000000000000a00020000000000b20008000e03200124013007', // get_attr_single_req
    '0011223344550066778899aa080045000056000100004006669f0a0000020a000001af12c350000004040000043450182000000000006f0016004433221100000000010203040506070800000000000000000a00020000000000b20006008e0000000c00', // get_attr_single_rsp
    '0011223344550066778899aa080045000058000100004006669d0a0000010a000002c350af1200000434000004325018200000000000040000000000000000000000010203040506070800000000660000004433221100000000010203040506070800000000', // two_pdus
    '0011223344550066778899aa080045000056000100004006669f0a0000010a000002c350af12000004640000043250182000000000006f0016004433221100000000010203040506070800000000000000000a00020000000000b200060001022001240a', // get_attrs_all_req
    '0011223344550066778899aa08004500005400010000400666a10a0000020a000001af12c350000004320000049250182000000000006f0014004433221100000000010203040506070800000000000000000a00020000000000b200040081000500', // get_attrs_all_error
    '0011223344550066778899aa080045000056000100004006669f0a0000010a000002c350af12000004920000045e50182000000000006f0016004433221100000000010203040506070800000000000000000a00020000000000b2001e000e0320012401', // item_too_long
    '0011223344550066778899aa08004500004000010000400666b50a0000020a000001af12c3500000045e000004c05018200000000000650000000000000069000000010203040506070800000000', // register_bad_revision
  ],
  [
    '0011223344550066778899aa080045000058000100004006669d0a0000010a000002c350af12000003e8000003e850182000000000006f0018004433221100000000010203040506070800000000000000000a00020000000000b20008004c02207224000100', // class_generic_req
    '0011223344550066778899aa080045000056000100004006669f0a0000020a000001af12c350000003e80000041850182000000000006f00160044332211000000007a7a7a7a7a7a7a7a00000000000000000a00020000000000b20006008e0000000c00', // unmatched_rsp
    '0011223344550066778899aa08004500006a000100004006668b0a0000010a000002c350af12000004180000041650182000000000006f002a0044332211000000006d6d6d6d6d6d6d6d00000000000000000a00020000000000b2001a000a0220022401020006000e000e032001240130074c0220722400', // msp_req
    '0011223344550066778899aa080045000066000100004006668f0a0000020a000001af12c350000004160000045a50182000000000006f00260044332211000000006d6d6d6d6d6d6d6d00000000000000000a00020000000000b20016008a000000020006000c008e0000000c00cc000000aabb', // msp_rsp
    '0011223344550066778899aa080045000056000100004006669f0a0000020a000001af12c350000004540000045a50182000000000006f0016004433221100000000717171717171717100000000000000000a00020000000000b2000600cc001f010521', // vendor_error_rsp
    '0011223344550066778899aa08004500005c00010000400666990a0000010a000002c350af120000045a0000048250182000000000006f001c004433221100000000737373737373737300000000000000000a00020000000000b2000c004c0791054d7946756e000100', // bad_symbol_path
    '0011223344550066778899aa08004500005c00010000400666990a0000010a000002c350af120000048e0000048250182000000000006f001c004433221100000000747474747474747400000000000000000a00020000000000b2000c000e042100f500250001003001', // class16_req
  ],
  // One PDU over two segments (desegmented), then a whole Register Session request in the same segment.
  [
    '0011223344550066778899aa08004500003200010000400666c30a0000010a000002c350af12000003e8000003e850182000000000006f001800443322110000', // Send RR Data request: its first 10 bytes
    '0011223344550066778899aa08004500006a000100004006668b0a0000010a000002c350af12000003f2000003e850182000000000000000010203040506070800000000000000000a00020000000000b20008000e0320012401300765000400000000000000000001020304050607080000000001000000', // the rest of it and a Register Session request
    '0011223344550066778899aa08004500002800010000400666cd0a0000010a000002c350af1200000434000003e85018200000000000', // an empty segment (tshark: Dup ACK)
  ],
];

const CORPUS_FILES = ['gopacket/layers/testdata/ethernetIP.pcap'];

const FILTERS = [
  'enip', 'cip', 'cipcls', 'cipcm', 'enip.command == 0x6f', 'enip.session == 0x13020500', 'enip.cpf.typeid == 0xb1', 'cip.service == 0x0a',
  'cip.sc == 0x4e', 'cip.class == 0x06', 'cip.genstat == 0', 'cip.symbol contains "LMS"', 'enip.response_to', 'cip.msp.num_services > 10',
];

function tshark(file: string, args: string[]): string {
  const r = spawnSync('tshark', ['-r', file, '-n', ...args], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

function ours(file: string, args: string[]): string {
  const r = sievecap(['-r', file, '-n', ...args]);
  assert.equal(r.status, 0, r.stderr.toString());
  return r.stdout.toString();
}

function assertAgrees(file: string): void {
  const fields = ['-T', 'fields', '-E', 'header=y', '-E', 'occurrence=a', ...FIELDS.flatMap((f) => ['-e', f])];
  assert.equal(firstDifference(ours(file, fields), tshark(file, fields)), '', `-T fields of ${path.basename(file)}`);
  assert.equal(firstDifference(ours(file, ['-T', 'text']), tshark(file, [])), '', `summary lines of ${path.basename(file)}`);
  assertFiltersAgree(file, FILTERS);
}

test('built frames: ENIP and CIP agree with tshark', { skip: NO_TSHARK }, () => {
  CAPTURES.forEach((frames, k) => {
    const file = path.join(tmp, `built-${k + 1}.pcap`);
    writePcap(file, frames.map((hex) => Buffer.from(hex, 'hex')));
    assertAgrees(file);
  });
});

test('corpus capture with ENIP and CIP agrees with tshark', { skip: NO_TSHARK || NO_CORPUS }, () => {
  for (const relative of CORPUS_FILES) {
    const file = path.join(CORPUS.dir, relative);
    assert.ok(fs.existsSync(file), `corpus file ${relative} is missing from ${CORPUS.dir}`);
    assertAgrees(file);
  }
});
