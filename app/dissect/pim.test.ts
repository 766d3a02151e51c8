/**
 * PIM: version 2 Hello options, Join/Prune, Bootstrap over IPv6 (pseudo-header checksum), Register with its
 * encapsulated packet, an option running past the message (malformed), and PIM version 1 inside IGMP.
 * Frames are built for this test (checksums computed); expected values are what tshark 4.0 prints
 * for them (`tshark -T fields -e ... -e _ws.col.Protocol -e _ws.col.Info`).
 */
import { test } from 'node:test';
import { checkAgainstTshark } from './test-fields';

const FRAMES = {
  pim_hello: '01005e00000d020000000001080045c00054000100000167ce740a000001e000000d20008d7c0001000200690002000481f409c4001300040000000100140004deadbeef00150004013c00000018000c01000a09090901000a09090afde800020102',
  pim_join_prune: '01005e00000d020000000001080045c00052000100000167ce760a000001e000000d2300427e01000a000002000200d201000020ef010101000100010100072001010101010004200a01010101008018ef02020200010000010004200a020202',
  pim6_bootstrap: '33330000000002000000000186dd6000000000486701fe800000000000000000000000000001ff02000000000000000000000000000d24008b2912341e40020020010db800000000000000000000000502000008ff00000000000000000000000000000001010000020020010db80000000000000000000000090096c000',
  pim_register: '01005e00000d020000000001080045c0003c000100000167a4910a0000010a0000092100deff0000000045c00020000100003f11ddf8ac100101ef01010104d21389000c000061626364',
  pim_hello_bad_option: '01005e00000d020000000001080045c00026000100000167cea20a000001e000000d2000df560001000200690014002800000001',
  pimv1_rp_reachable: '01005e00000d020000000001080045c0002c000100000102cf0c0a000001e0000002140400de10000000e0000000f00000000a00000e0000010e',
};

test('PIMv2 Hello: options, checksum status', () => {
  checkAgainstTshark(FRAMES.pim_hello, 'eth:ethertype:ip:pim', 'PIMv2', 'Hello', [
    ['pim.version', '2'],
    ['pim.type', '0'],
    ['pim.cksum', '0x8d7c'],
    ['pim.cksum.status', '1'],
    ['pim.option', '1'],
    ['pim.optiontype', '1,2,19,20,21,24,65000'],
    ['pim.holdtime', '105'],
    ['pim.t', '1'],
    ['pim.propagation_delay', '500'],
    ['pim.override_interval', '2500'],
    ['pim.dr_priority', '1'],
    ['pim.generation_id', '3735928559'],
    ['pim.state_refresh_interval', '60'],
    ['pim.address_list', '10.9.9.9,10.9.9.10'],
    ['pim.optionvalue', '0102'],
  ]);
});

test('PIMv2 Join/Prune: groups, joins and prunes with encoded addresses', () => {
  checkAgainstTshark(FRAMES.pim_join_prune, 'eth:ethertype:ip:pim', 'PIMv2', 'Join/Prune', [
    ['pim.upstream_neighbor', '10.0.0.2'],
    ['pim.numgroups', '2'],
    ['pim.holdtime', '210'],
    ['pim.group', '239.1.1.1,239.1.1.1,239.2.2.2,239.2.2.2'],
    ['pim.mask_len', '32,32,32,24,32'],
    ['pim.group_addr.flags.b', '0,1'],
    ['pim.numjoins', '1,1'],
    ['pim.numprunes', '1,0'],
    ['pim.join_ip', '1.1.1.1,10.2.2.2'],
    ['pim.prune_ip', '10.1.1.1'],
    ['pim.source_addr.flags', '0x07,0x04,0x04'],
  ]);
});

test('PIMv2 Bootstrap over IPv6: IPv6 addresses and the pseudo-header checksum', () => {
  checkAgainstTshark(FRAMES.pim6_bootstrap, 'eth:ethertype:ipv6:pim', 'PIMv2', 'Bootstrap', [
    ['pim.cksum.status', '1'],
    ['pim.fragment_tag', '0x1234'],
    ['pim.bsr_ip6', '2001:db8::5'],
    ['pim.group_ip6', 'ff00::,ff00::'],
    ['pim.rp_count', '1'],
    ['pim.frp_count', '1'],
    ['pim.rp_ip6', '2001:db8::9'],
    ['pim.holdtime', '150'],
    ['pim.priority', '192'],
    ['pim.res_bytes', '00,00'],
  ]);
});

test('PIMv2 Register: the encapsulated packet is dissected and PIM keeps the columns', () => {
  checkAgainstTshark(FRAMES.pim_register, 'eth:ethertype:ip:pim:ip:udp:data', 'PIMv2', 'Register', [
    ['pim.cksum.status', '1'],
    ['pim.register_flag', '0x00000000'],
    ['pim.ip_version', '4'],
    ['ip.src', '10.0.0.1,172.16.1.1'],
    ['udp.dstport', '5001'],
  ]);
});

test('PIMv2 Hello with an option longer than the message: malformed, as tshark marks it', () => {
  checkAgainstTshark(FRAMES.pim_hello_bad_option, 'eth:ethertype:ip:pim', 'PIMv2', 'Hello[Malformed Packet]', [
    ['pim.optiontype', '1'],
    ['pim.holdtime', '105'],
  ]);
});

test('PIMv1 RP-Reachable carried in IGMP', () => {
  checkAgainstTshark(FRAMES.pimv1_rp_reachable, 'eth:ethertype:ip:igmp:pim', 'PIMv1', 'RP-Reachable', [
    ['pim.code', '4'],
    ['pim.cksum.status', '1'],
    ['pim.version', '1'],
    ['pim.group_address', '224.0.0.0'],
    ['pim.group_mask', '240.0.0.0'],
    ['pim.rp', '10.0.0.14'],
    ['pim.holdtime', '270'],
  ]);
});
