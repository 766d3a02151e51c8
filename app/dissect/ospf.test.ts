/**
 * OSPF: version 2 Hello with null and cryptographic authentication, DB Description and LS Update with LSA
 * headers, version 3 Hello and DB Description over IPv6 (pseudo-header checksum).
 * Frames are built for this test (checksums computed); expected values are what tshark 4.0 prints
 * for them (`tshark -T fields -e ... -e _ws.col.Protocol -e _ws.col.Info`).
 */
import { test } from 'node:test';
import { checkAgainstTshark } from './test-fields';

const FRAMES = {
  ospf_hello: '01005e00000d020000000001080045c00048000100000159ce960a000001e0000005020100340101010100000000dc8700000000000000000000ffffff00000a0201000000280a0000010a0000020202020203030303',
  ospf_hello_md5: '01005e00000d020000000001080045c00058000100000159ce860a000001e00000050201003401010101000000000000000200000110000003e8ffffff00000a0201000000280a0000010a0000020202020203030303000102030405060708090a0b0c0d0e0f',
  ospf_dbd: '01005e00000d020000000001080045c00048000100000159a49a0a0000010a0000020202003401010101000000008d8a0000000000000000000005dc420700001d46002e220101010101010101018000000262ba0024',
  ospf_lsu: '01005e00000d020000000001080045c00054000100000159ce8a0a000001e0000005020400400101010100000000374b00000000000000000000000000010001220101010101010101018000000312340024000000010a000000ffffff000300000a',
  ospf3_hello: '33330000000002000000000186dd6000000000285901fe800000000000000000000000000001ff020000000000000000000000000005030100280101010100000001f77a00000000000501000013000a0028000000000000000002020202',
  ospf3_dbd: '33330000000002000000000186dd6000000000305901fe800000000000000000000000000001fe8000000000000000000000000000020302003001010101000000018c0100000000001305dc000700001d4600052001000000000101010180000001abcd0028',
};

test('OSPFv2 Hello: header, null authentication, checksum, neighbors', () => {
  checkAgainstTshark(FRAMES.ospf_hello, 'eth:ethertype:ip:ospf', 'OSPF', 'Hello Packet', [
    ['ospf.version', '2'],
    ['ospf.msg', '1'],
    ['ospf.packet_length', '52'],
    ['ospf.srcrouter', '1.1.1.1'],
    ['ospf.area_id', '0.0.0.0'],
    ['ospf.checksum', '0xdc87'],
    ['ospf.auth.type', '0'],
    ['ospf.auth.none', '0000000000000000'],
    ['ospf.hello.network_mask', '255.255.255.0'],
    ['ospf.hello.hello_interval', '10'],
    ['ospf.v2.options', '0x02'],
    ['ospf.hello.router_dead_interval', '40'],
    ['ospf.hello.designated_router', '10.0.0.1'],
    ['ospf.hello.active_neighbor', '2.2.2.2,3.3.3.3'],
    ['ospf.msg.hello', '1'],
  ]);
});

test('OSPFv2 Hello with cryptographic authentication: key, sequence and the trailing digest', () => {
  checkAgainstTshark(FRAMES.ospf_hello_md5, 'eth:ethertype:ip:ospf', 'OSPF', 'Hello Packet', [
    ['ospf.checksum', '0x0000'],
    ['ospf.auth.type', '2'],
    ['ospf.auth.crypt.key_id', '1'],
    ['ospf.auth.crypt.data_length', '16'],
    ['ospf.auth.crypt.seq_nbr', '1000'],
    ['ospf.auth.crypt.data', '000102030405060708090a0b0c0d0e0f'],
  ]);
});

test('OSPFv2 DB Description: flags, sequence and an LSA header', () => {
  checkAgainstTshark(FRAMES.ospf_dbd, 'eth:ethertype:ip:ospf', 'OSPF', 'DB Description', [
    ['ospf.db.interface_mtu', '1500'],
    ['ospf.dbd', '0x07'],
    ['ospf.dbd.i', '1'],
    ['ospf.dbd.ms', '1'],
    ['ospf.db.dd_sequence', '7494'],
    ['ospf.lsa', '1'],
    ['ospf.lsa.id', '1.1.1.1'],
    ['ospf.advrouter', '1.1.1.1'],
    ['ospf.lsa.seqnum', '0x80000002'],
    ['ospf.lsa.chksum', '0x62ba'],
    ['ospf.lsa.length', '36'],
  ]);
});

test('OSPFv2 LS Update: the LSA count and header', () => {
  checkAgainstTshark(FRAMES.ospf_lsu, 'eth:ethertype:ip:ospf', 'OSPF', 'LS Update', [
    ['ospf.ls.number_of_lsas', '1'],
    ['ospf.lsa.age', '1'],
    ['ospf.lsa.length', '36'],
  ]);
});

test('OSPFv3 Hello over IPv6: instance ID, interface ID, options', () => {
  checkAgainstTshark(FRAMES.ospf3_hello, 'eth:ethertype:ipv6:ospf', 'OSPF', 'Hello Packet', [
    ['ospf.checksum', '0xf77a'],
    ['ospf.instance_id', '0'],
    ['ospf.hello.interface_id', '5'],
    ['ospf.v3.options', '0x000013'],
    ['ospf.hello.router_priority', '1'],
    ['ospf.hello.active_neighbor', '2.2.2.2'],
  ]);
});

test('OSPFv3 DB Description: version 3 LSA header fields', () => {
  checkAgainstTshark(FRAMES.ospf3_dbd, 'eth:ethertype:ipv6:ospf', 'OSPF', 'DB Description', [
    ['ospf.v3.lsa', '0x2001'],
    ['ospf.link_state_id', '0.0.0.0'],
    ['ospf.v3.lsa.s12', '0x0001'],
    ['ospf.v3.lsa.fc', '1'],
  ]);
});
