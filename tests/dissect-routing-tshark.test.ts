/**
 * PIM, OSPF, VRRP, IGMP and SCTP against tshark: `-T fields` of frame.protocols, the protocols' main fields and
 * the Protocol and Info columns, the summary line (`-T text`) and display filters, on frames this test
 * builds (every message kind the dissectors decode, checksums computed) and on the corpus captures
 * that carry these protocols (routers' Hellos, Join/Prunes, Bootstraps, OSPFv2/v3 adjacencies, OSPFv3
 * behind IPv6 AH, VRRP v2/v3, IGMP v1/v2/v3 and mtrace, SCTP associations, and fuzzed files that end malformed or
 * truncated). Skipped when tshark is not installed; the corpus part also when the corpus is missing.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { corpusLocation } from './support/corpus';
import { writePcap } from './support/frames';
import { mergeCaptures } from './support/merge';
import { sievecap } from './support/sievecap';
import { assertFiltersAgree, sievecapRuns, tsharkSelections } from './support/agree';

const NO_TSHARK = spawnSync('tshark', ['--version']).status !== 0 ? 'tshark is not installed (apt-get install tshark)' : false;
const CORPUS = corpusLocation();
const NO_CORPUS = fs.existsSync(CORPUS.dir) ? false : `the corpus is missing: looked in ${CORPUS.dir} (${CORPUS.from}); set SIEVECAP_CORPUS`;

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-routing-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const FIELDS = [
  'frame.protocols', 'pim.version', 'pim.type', 'pim.code', 'pim.res_bytes', 'pim.cksum', 'pim.cksum.status',
  'pim.optiontype', 'pim.optionlength', 'pim.holdtime', 'pim.dr_priority', 'pim.generation_id', 'pim.group',
  'pim.group_ip6', 'pim.source', 'pim.upstream_neighbor', 'pim.join_ip', 'pim.prune_ip', 'pim.numgroups',
  'pim.numjoins', 'pim.numprunes', 'pim.bsr', 'pim.bsr_ip6', 'pim.rp', 'pim.rp_ip6', 'pim.priority',
  'pim.fragment_tag', 'pim.register_flag', 'pim.ip_version', 'ospf.version', 'ospf.msg',
  'ospf.packet_length', 'ospf.srcrouter', 'ospf.area_id', 'ospf.checksum', 'ospf.auth.type',
  'ospf.auth.crypt.seq_nbr', 'ospf.instance_id', 'ospf.hello.hello_interval',
  'ospf.hello.router_dead_interval', 'ospf.hello.designated_router', 'ospf.hello.backup_designated_router',
  'ospf.hello.active_neighbor', 'ospf.db.dd_sequence', 'ospf.advrouter', 'ospf.lsa.seqnum',
  'ospf.lsa.length', 'vrrp.version', 'vrrp.type', 'vrrp.virt_rtr_id', 'vrrp.prio', 'vrrp.addr_count',
  'vrrp.checksum', 'vrrp.checksum.status', 'vrrp.ip_addr', 'vrrp.ipv6_addr', 'igmp.version', 'igmp.type',
  'igmp.max_resp', 'igmp.checksum', 'igmp.checksum.status', 'igmp.maddr', 'igmp.num_src', 'igmp.saddr',
  'igmp.num_grp_recs', 'igmp.record_type', 
  'sctp.srcport', 'sctp.dstport', 'sctp.port', 'sctp.verification_tag', 'sctp.checksum', 'sctp.checksum.status', 'sctp.chunk_type',
  'sctp.chunk_flags', 'sctp.chunk_length', 'sctp.chunk_padding', 'sctp.data_tsn', 'sctp.data_tsn_raw', 'sctp.data_sid', 'sctp.data_ssn',
  'sctp.data_payload_proto_id', 'sctp.sack_cumulative_tsn_ack', 'sctp.sack_a_rwnd', 'sctp.init_initial_tsn', 'sctp.initack_initial_tsn',
  'data.len', '_ws.col.Protocol', '_ws.col.Info',
];

/** Frames built with python3 struct (see app/dissect/{pim,ospf,vrrp,igmp,sctp}.test.ts for what each holds), checked with tshark -V. */
const FRAMES: Record<string, string> = {
  pim_hello: '01005e00000d020000000001080045c00054000100000167ce740a000001e000000d20008d7c0001000200690002000481f409c4001300040000000100140004deadbeef00150004013c00000018000c01000a09090901000a09090afde800020102',
  pim_hello_goodbye: '01005e00000d020000000001080045c00026000100000167cea20a000001e000000d2000dfdd0001000200000014000400000007',
  pim_join_prune: '01005e00000d020000000001080045c00052000100000167ce760a000001e000000d2300427e01000a000002000200d201000020ef010101000100010100072001010101010004200a01010101008018ef02020200010000010004200a020202',
  pim_assert: '01005e00000d020000000001080045c0002e000100000167ce9a0a000001e000000d25005d4e01000020ef01010101000a0101018000007800000014',
  pim_crp_adv: '01005e00000d020000000001080045c00032000100000167aca20a000001010101012800fc9502c0009601000303030301000004e000000001000008ef000000',
  pim6_bootstrap: '33330000000002000000000186dd6000000000486701fe800000000000000000000000000001ff02000000000000000000000000000d24008b2912341e40020020010db800000000000000000000000502000008ff00000000000000000000000000000001010000020020010db80000000000000000000000090096c000',
  pim_register: '01005e00000d020000000001080045c0003c000100000167a4910a0000010a0000092100deff0000000045c00020000100003f11ddf8ac100101ef01010104d21389000c000061626364',
  pim_register_stop: '01005e00000d020000000001080045c00026000100000167a4a70a0000090a00000122003ecb01000020ef0101010100ac100101',
  pim_state_refresh: '01005e00000d020000000001080045c00038000100000167ce900a000001e000000d29002e1201000020ef01010101000a01010101000a0000050000006e0000000a200f803c',
  pim_hello_bad_option: '01005e00000d020000000001080045c00026000100000167cea20a000001e000000d2000df560001000200690014002800000001',
  pimv1_rp_reachable: '01005e00000d020000000001080045c0002c000100000102cf0c0a000001e0000002140400de10000000e0000000f00000000a00000e0000010e',
  ospf_hello: '01005e00000d020000000001080045c00048000100000159ce960a000001e0000005020100340101010100000000dc8700000000000000000000ffffff00000a0201000000280a0000010a0000020202020203030303',
  ospf_hello_md5: '01005e00000d020000000001080045c00058000100000159ce860a000001e00000050201003401010101000000000000000200000110000003e8ffffff00000a0201000000280a0000010a0000020202020203030303000102030405060708090a0b0c0d0e0f',
  ospf_dbd: '01005e00000d020000000001080045c00048000100000159a49a0a0000010a0000020202003401010101000000008d8a0000000000000000000005dc420700001d46002e220101010101010101018000000262ba0024',
  ospf_lsr: '01005e00000d020000000001080045c00038000100000159a4aa0a0000010a000002020300240101010100000000f7d100000000000000000000000000010101010101010101',
  ospf_lsu: '01005e00000d020000000001080045c00054000100000159ce8a0a000001e0000005020400400101010100000000374b00000000000000000000000000010001220101010101010101018000000312340024000000010a000000ffffff000300000a',
  ospf_lsack: '01005e00000d020000000001080045c00054000100000159ce8a0a000001e00000050205004001010101000000008aeb00000000000000000000002e220101010101010101018000000262ba0024002b2203010000000101010180000001c26b001c',
  ospf3_hello: '33330000000002000000000186dd6000000000285901fe800000000000000000000000000001ff020000000000000000000000000005030100280101010100000001f77a00000000000501000013000a0028000000000000000002020202',
  ospf3_dbd: '33330000000002000000000186dd6000000000305901fe800000000000000000000000000001fe8000000000000000000000000000020302003001010101000000018c0100000000001305dc000700001d4600052001000000000101010180000001abcd0028',
  vrrp2: '01005e00000d020000000001080045c0002400010000ff70d0950a000001e0000012212e6402000163d20a0000fe0a0001fe',
  vrrp2_simple: '01005e00000d020000000001080045c0002800010000ff70d0910a000001e0000012212eff01010197840a0000fe7365637265740000',
  vrrp3_v6: '33330000000002000000000186dd6000000000287001fe800000000000000000000000000001ff0200000000000000000000000000123107bf0200648420fe8000000000000002005efffe00020720010db8000000000000000000000001',
  vrrp3_v4: '01005e00000d020000000001080045c0002000010000ff70d0990a000001e000001231086401006475040a0000fe',
  igmp1_report: '01005e00000d020000000001080045c0001c000100000102cd1a0a000001e001020312000bfbe0010203',
  igmp2_query: '01005e00000d020000000001080045c0001c000100000102cf1d0a000001e00000011164ee9b00000000',
  igmp2_query_specific: '01005e00000d020000000001080045c0001c000100000102cd1a0a000001e1010103110a0cf1e1010103',
  igmp2_report: '01005e00000d020000000001080045c0001c000100000102cd190a000001e1010104160007fae1010104',
  igmp2_leave: '01005e00000d020000000001080045c0001c000100000102cf1c0a000001e0000002170006fae1010104',
  igmp3_query: '01005e00000d020000000001080045c00028000100000102c6100a000001e801010111fee47ae80101010a7d00020a0101010a010102',
  igmp3_report: '01005e00000d020000000001080045c0004c000100000102ced80a000001e0000016220074290000000401000002e80101010a0101010a01010204000000ef09090903000000ef08080806010001e80202020a020202aabbccdd',
  igmp_mtrace: '01005e00000d020000000001080045c0002c000100000102a5060a0000010a0000091f208accef0101010a0101010a0202020a03030340010203',
  sctp_init: '01005e00000d020000000001080045c00034000100004084f581c0000201c00002029c401389000000001234567801000014111111110000ffff000a000a000003e8',
  sctp_init_ack: '01005e00000d020000000001080045c0003c000100004084f579c0000202c000020113899c4011111111123456780200001c222222220000ffff000a000a0000138800070008636f6f6b',
  sctp_data: '01005e00000d020000000001080045c00038000100004084f57dc0000201c00002029c401389222222221234567800030015000003e8000100000000002e68656c6c6f000000',
  sctp_sack_data: '01005e00000d020000000001080045c00048000100004084f56dc0000202c000020113899c40111111111234567803000010000003e80000ea600000000000030018000013880000000000000000776f726c64212121',
  sctp_heartbeat: '01005e00000d020000000001080045c0002c000100004084f589c0000201c00002029c40138922222222123456780400000c0001000862656174',
  sctp_shutdown: '01005e00000d020000000001080045c00028000100004084f58dc0000201c00002029c401389222222221234567807000008000003e9',
  sctp_abort: '01005e00000d020000000001080045c00024000100004084f591c0000202c000020113899c40111111111234567806010004',
  sctp_bad_chunk: '01005e00000d020000000001080045c00028000100004084f58dc0000201c00002029c40138922222222123456780a00000200000000',
};

/** Corpus captures (paths inside the corpus) on which every field and summary line agrees. */
const CORPUS_FILES = [
  'libpcap/tests/filter/carp.pcap', 'libpcap/tests/filter/pim-packet-assortment.pcap',
  'libpcap/tests/filter/vrrp.pcap', 'tcpdump/tests/IGMP_V1.pcap', 'tcpdump/tests/IGMP_V2.pcap',
  'tcpdump/tests/OSPFv2_Capture_FINAL.pcapng', 'tcpdump/tests/OSPFv3_NBMA_adjacencies.pcap',
  'tcpdump/tests/OSPFv3_broadcast_adjacency.pcap', 'tcpdump/tests/OSPFv3_multipoint_adjacencies.pcap',
  'tcpdump/tests/OSPFv3_with_AH.pcap', 'tcpdump/tests/PIM-DM_pruning.pcap',
  'tcpdump/tests/PIM-SM_join_prune.pcap', 'tcpdump/tests/PIM_register_register-stop.pcap',
  'tcpdump/tests/PIMv2_bootstrap.pcap', 'tcpdump/tests/PIMv2_hellos.pcap',
  'tcpdump/tests/erspan-type-ii-1.pcap', 'tcpdump/tests/forces1.pcap', 'tcpdump/tests/forces2.pcap', 'tcpdump/tests/forces3.pcap', 'tcpdump/tests/heapoverflow-in_checksum.pcap',
  'tcpdump/tests/hoobr_pimv1.pcap', 'tcpdump/tests/igmpv3-queries.pcap', 'tcpdump/tests/mtrace.pcap',
  'tcpdump/tests/ospf-ack.pcap', 'tcpdump/tests/ospf-gmpls.pcap', 'tcpdump/tests/ospf-nssa-bitnt.pcap',
  'tcpdump/tests/ospf-sr.pcapng', 'tcpdump/tests/ospf2-seg-fault-1.pcapng',
  'tcpdump/tests/ospf3_auth.pcapng', 'tcpdump/tests/ospf6_decode_v3_asan.pcap',
  'tcpdump/tests/ospf_graceful_restart_rfc3623.pcap', 'tcpdump/tests/pim_header_asan-4.pcap',
  'tcpdump/tests/pim_header_asan.pcap', 'tcpdump/tests/pimv2-oobr-1.pcap', 'tcpdump/tests/pimv2-oobr-4.pcap',
  // Register messages whose inner IPv6 packet has an empty payload (PIM hands it on: malformed PIM).
  'tcpdump/tests/pim-packet-assortment.pcap',
];

function tshark(file: string, args: string[]): string {
  const r = spawnSync('tshark', ['-r', file, '-n', ...args], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

function ours(file: string, args: string[]): string {
  const r = sievecap(['-r', file, '-n', ...args]);
  assert.equal(r.status, 0, `sievecap ${args.join(' ')} on ${file}: ${r.stderr.toString()}`);
  return r.stdout.toString();
}

function assertAgrees(file: string, filters: readonly string[]): void {
  const fields = ['-T', 'fields', '-E', 'header=y', ...FIELDS.flatMap((f) => ['-e', f])];
  assert.equal(ours(file, fields), tshark(file, fields), `-T fields of ${file}`);
  assert.equal(ours(file, ['-T', 'text']), tshark(file, []), `summary lines of ${file}`);
  assertFiltersAgree(file, filters);
}

const FILTERS = [
  'pim', 'ospf', 'vrrp', 'igmp', 'pim.type == 3', 'pim.cksum.status == 1', 'pim.group == 239.1.1.1', 'ospf.msg == 1',
  'ospf.hello.active_neighbor == 2.2.2.2', 'vrrp.prio == 100', 'igmp.maddr == 225.1.1.4', 'igmp.version == 3', 'sctp', 'sctp.chunk_type == 3',
  'sctp.data_tsn == 0',
];

test('built frames: PIM, OSPF, VRRP, IGMP and SCTP agree with tshark', { skip: NO_TSHARK }, () => {
  const file = path.join(tmp, 'built.pcap');
  writePcap(file, Object.values(FRAMES).map((hex) => Buffer.from(hex, 'hex')));
  assertAgrees(file, FILTERS);
});

test('corpus captures with PIM, OSPF, VRRP, IGMP and SCTP agree with tshark', { skip: NO_TSHARK || NO_CORPUS }, () => {
  // Ours in one Node process for every file (fields, summary, a filter); tshark's summary and
  // selection from one run per file, its fields from another.
  const filter = 'pim || ospf || vrrp || igmp || sctp';
  const fields = ['-T', 'fields', '-E', 'header=y', ...FIELDS.flatMap((f) => ['-e', f])];
  // The captures merged into one file (support/merge.ts), damaged ones on their own.
  const merged = mergeCaptures(CORPUS_FILES.map((relative) => path.join(CORPUS.dir, relative)), path.join(tmp, 'corpus.pcapng'));
  const files = [...(merged.file ? [merged.file] : []), ...merged.apart];
  const runs = sievecapRuns(files.flatMap((file) => [['-r', file, '-n', ...fields], ['-r', file, '-n', '-T', 'text'], ['-r', file, '-n', '-T', 'text', '-Y', filter]]));
  files.forEach((file, k) => {
    const [f, text, selected] = runs.slice(3 * k, 3 * k + 3);
    for (const run of [f!, text!, selected!]) assert.equal(run.status, 0, `sievecap on ${file}: ${run.stderr}`);
    const where = file === merged.file ? `the merged capture (${merged.ranges})` : file;
    assert.equal(f!.stdout, tshark(file, fields), `-T fields of ${where}`);
    const theirs = tsharkSelections(file, [filter]);
    assert.equal(text!.stdout, theirs.summary, `summary lines of ${where}`);
    assert.equal(selected!.stdout, theirs.selected[0], `-Y ${filter} on ${where}`);
  });
});
