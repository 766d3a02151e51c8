/**
 * VRRP: version 2 with and without simple-text authentication, version 3 over IPv6 and over IPv4 (both
 * with the pseudo-header checksum, tshark's default).
 * Frames are built for this test (checksums computed); expected values are what tshark 4.0 prints
 * for them (`tshark -T fields -e ... -e _ws.col.Protocol -e _ws.col.Info`).
 */
import { test } from 'node:test';
import { checkAgainstTshark } from './test-fields';

const FRAMES = {
  vrrp2: '01005e00000d020000000001080045c0002400010000ff70d0950a000001e0000012212e6402000163d20a0000fe0a0001fe',
  vrrp2_simple: '01005e00000d020000000001080045c0002800010000ff70d0910a000001e0000012212eff01010197840a0000fe7365637265740000',
  vrrp3_v6: '33330000000002000000000186dd6000000000287001fe800000000000000000000000000001ff0200000000000000000000000000123107bf0200648420fe8000000000000002005efffe00020720010db8000000000000000000000001',
  vrrp3_v4: '01005e00000d020000000001080045c0002000010000ff70d0990a000001e000001231086401006475040a0000fe',
};

test('VRRPv2 advertisement with two addresses', () => {
  checkAgainstTshark(FRAMES.vrrp2, 'eth:ethertype:ip:vrrp', 'VRRP', 'Announcement (v2)', [
    ['vrrp.version', '2'],
    ['vrrp.type', '1'],
    ['vrrp.virt_rtr_id', '46'],
    ['vrrp.prio', '100'],
    ['vrrp.addr_count', '2'],
    ['vrrp.auth_type', '0'],
    ['vrrp.adver_int', '1'],
    ['vrrp.checksum', '0x63d2'],
    ['vrrp.checksum.status', '1'],
    ['vrrp.ip_addr', '10.0.0.254,10.0.1.254'],
  ]);
});

test('VRRPv2 with simple-text authentication', () => {
  checkAgainstTshark(FRAMES.vrrp2_simple, 'eth:ethertype:ip:vrrp', 'VRRP', 'Announcement (v2)', [
    ['vrrp.prio', '255'],
    ['vrrp.auth_type', '1'],
    ['vrrp.auth_string', 'secret'],
  ]);
});

test('VRRPv3 over IPv6', () => {
  checkAgainstTshark(FRAMES.vrrp3_v6, 'eth:ethertype:ipv6:vrrp', 'VRRP', 'Announcement (v3)', [
    ['vrrp.version', '3'],
    ['vrrp.prio', '191'],
    ['vrrp.short_adver_int', '100'],
    ['vrrp.checksum.status', '1'],
    ['vrrp.ipv6_addr', 'fe80::200:5eff:fe00:207,2001:db8::1'],
  ]);
});

test('VRRPv3 over IPv4: checksum with the IPv4 pseudo-header', () => {
  checkAgainstTshark(FRAMES.vrrp3_v4, 'eth:ethertype:ip:vrrp', 'VRRP', 'Announcement (v3)', [
    ['vrrp.checksum', '0x7504'],
    ['vrrp.checksum.status', '1'],
    ['vrrp.ip_addr', '10.0.0.254'],
  ]);
});
