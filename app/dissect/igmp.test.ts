/**
 * IGMP: version 1 report, version 2 query and leave, version 3 query with sources and report with group
 * records, and a multicast traceroute query. The chain shows "igmp" twice, as tshark prints it.
 * Frames are built for this test (checksums computed); expected values are what tshark 4.0 prints
 * for them (`tshark -T fields -e ... -e _ws.col.Protocol -e _ws.col.Info`).
 */
import { test } from 'node:test';
import { checkAgainstTshark } from './test-fields';

const FRAMES = {
  igmp1_report: '01005e00000d020000000001080045c0001c000100000102cd1a0a000001e001020312000bfbe0010203',
  igmp2_query: '01005e00000d020000000001080045c0001c000100000102cf1d0a000001e00000011164ee9b00000000',
  igmp2_leave: '01005e00000d020000000001080045c0001c000100000102cf1c0a000001e0000002170006fae1010104',
  igmp3_query: '01005e00000d020000000001080045c00028000100000102c6100a000001e801010111fee47ae80101010a7d00020a0101010a010102',
  igmp3_report: '01005e00000d020000000001080045c0004c000100000102ced80a000001e0000016220074290000000401000002e80101010a0101010a01010204000000ef09090903000000ef08080806010001e80202020a020202aabbccdd',
  igmp_mtrace: '01005e00000d020000000001080045c0002c000100000102a5060a0000010a0000091f208accef0101010a0101010a0202020a03030340010203',
};

test('IGMPv1 Membership Report', () => {
  checkAgainstTshark(FRAMES.igmp1_report, 'eth:ethertype:ip:igmp:igmp', 'IGMPv1', 'Membership Report', [
    ['igmp.version', '1'],
    ['igmp.type', '0x12'],
    ['igmp.reserved', '00'],
    ['igmp.checksum.status', '1'],
    ['igmp.maddr', '224.1.2.3'],
  ]);
});

test('IGMPv2 general query', () => {
  checkAgainstTshark(FRAMES.igmp2_query, 'eth:ethertype:ip:igmp:igmp', 'IGMPv2', 'Membership Query, general', [
    ['igmp.version', '2'],
    ['igmp.max_resp', '100'],
    ['igmp.maddr', '0.0.0.0'],
  ]);
});

test('IGMPv2 Leave Group', () => {
  checkAgainstTshark(FRAMES.igmp2_leave, 'eth:ethertype:ip:igmp:igmp', 'IGMPv2', 'Leave Group 225.1.1.4', [
    ['igmp.type', '0x17'],
    ['igmp.checksum.status', '1'],
    ['igmp.maddr', '225.1.1.4'],
  ]);
});

test('IGMPv3 group-and-source-specific query: exponential max response time', () => {
  checkAgainstTshark(FRAMES.igmp3_query, 'eth:ethertype:ip:igmp:igmp', 'IGMPv3', 'Membership Query, specific for group 232.1.1.1, sources {10.1.1.1, 10.1.1.2}', [
    ['igmp.version', '3'],
    ['igmp.max_resp', '30720'],
    ['igmp.max_resp.exp', '0x07'],
    ['igmp.max_resp.mant', '0x0e'],
    ['igmp.s', '1'],
    ['igmp.qrv', '2'],
    ['igmp.qqic', '125'],
    ['igmp.num_src', '2'],
    ['igmp.saddr', '10.1.1.1,10.1.1.2'],
  ]);
});

test('IGMPv3 report: group records in Info', () => {
  checkAgainstTshark(FRAMES.igmp3_report, 'eth:ethertype:ip:igmp:igmp', 'IGMPv3', 'Membership Report / Join group 232.1.1.1 for sources in {10.1.1.1, 10.1.1.2} / Join group 239.9.9.9 for any sources / Leave group 239.8.8.8 / Group 232.2.2.2, block source {10.2.2.2}', [
    ['igmp.num_grp_recs', '4'],
    ['igmp.record_type', '1,4,3,6'],
    ['igmp.num_src', '2,0,0,1'],
    ['igmp.maddr', '232.1.1.1,239.9.9.9,239.8.8.8,232.2.2.2'],
    ['igmp.saddr', '10.1.1.1,10.1.1.2,10.2.2.2'],
    ['igmp.aux_data_len', '0,0,0,1'],
    ['igmp.aux_data', 'aabbccdd'],
  ]);
});

test('IGMP multicast traceroute query', () => {
  checkAgainstTshark(FRAMES.igmp_mtrace, 'eth:ethertype:ip:igmp:igmp', 'IGMP', 'Traceroute Query', [
    ['igmp.type', '0x1f'],
    ['igmp.mtrace.max_hops', '32'],
    ['igmp.maddr', '239.1.1.1'],
    ['igmp.mtrace.saddr', '10.1.1.1'],
    ['igmp.mtrace.raddr', '10.2.2.2'],
    ['igmp.mtrace.rspaddr', '10.3.3.3'],
    ['igmp.mtrace.resp_ttl', '64'],
    ['igmp.mtrace.q_id', '66051'],
  ]);
});
