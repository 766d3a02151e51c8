/**
 * CDP (Cisco SNAP PID 0x2000, GRE 0x2000) and the Nortel Discovery Protocol (SNAP 00:00:81): TLVs,
 * CDP's checksum (odd length included), Info lines, a TLV shorter than its header, a TLV past the
 * PDU, and NDP's hello named by the Ethernet destination. Expected values are what tshark 4.0
 * prints for the same frames.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissectHex, fieldText } from './test-fields';

/** IP phone: addresses, capabilities, two-line software version, ODR gateway, VoIP VLANs, power, MTU, system name and OID, IPv6 management address, location, power request, spare PoE, an unknown TLV, duplex. */
const CDP_PHONE = '01000ccccccc02005e10000100fbaaaa0300000c200002b401310001000b70686f6e652d3100020011000000010101cc00040a0909090003000a506f7274203100040008000000900005001c53495037302e382d302d32535231530a6c696e652074776f00060017436973636f2049502050686f6e652037393630000700080a0000fe000e0007010064000f000720006500100006189c00110008000005dc0014000970686f6e650015000806082b060016002d000000020208aaaa0300000086dd001020010db80000000000000000000000010101cc00040a0909080017000c00726f6f6d20313200190010000300010000189c00001b58001f000505001c0006abcd000b000500';
/** Odd-length PDU (CDP's own checksum rule): device and port ID, native VLAN, VTP domain. */
const CDP_ODD = '01000ccccccc02005e100001002caaaa0300000c200002b455b100010007737739000300094769302f33000a000600070009000a767470646f6d0000';
/** A port-ID TLV claiming length 2: the TLVs end. */
const CDP_BAD_TLV = '01000ccccccc02005e1000010017aaaa0300000c200002b44dca00010007737739000300020000000000000000000000000000000000000000000000';
/** Checksum 0x1234 (wrong). */
const CDP_BAD_CHECKSUM = '01000ccccccc02005e100001001baaaa0300000c200002b41234000100067237000300095365302f3000000000000000000000000000000000000000';
/** CDP over GRE with two IP prefixes. */
const CDP_GRE = '00112233445502005e10000108004500003b00010000402f66910a0000010a0000020000200002b410790001000672380003000b54756e6e656c310007000e0a020000100a03000018';
/** A platform TLV of 40 bytes in a shorter PDU: malformed. */
const CDP_OVERRUN = '01000ccccccc02005e100001001aaaaa0300000c200002b4c00700010007737739000600286162630000000000000000000000000000000000000000';
/** NDP segment hello to a destination ending in 0xa3: plain "Hello". */
const NDP_HELLO = '0100810001a302005e1000010013aaaa0300008101a20a0000070001020c0a0102000000000000000000000000000000000000000000000000000000';
/** NDP flatnet hello (01:00:81:00:01:01). */
const NDP_FLATNET = '01008100010102005e1000010013aaaa0300008101a10a0000070001020c0a0102000000000000000000000000000000000000000000000000000000';
/** NDP hello cut to 6 bytes by the 802.3 length. */
const NDP_SHORT = '01008100010002005e100001000eaaaa0300008101a20a00000700010000000000000000000000000000000000000000000000000000000000000000';

test('CDP from an IP phone: TLVs and Info', () => {
  const p = dissectHex(CDP_PHONE);
  assert.equal(fieldText(p, 'frame.protocols'), 'eth:llc:cdp');
  assert.equal(p.summary.protocol, 'CDP');
  assert.equal(p.summary.info, 'Device ID: phone-1  Port ID: Port 1  ');
  assert.equal(fieldText(p, 'llc.cisco_pid'), '0x2000');
  assert.equal(fieldText(p, 'cdp.version'), '2');
  assert.equal(fieldText(p, 'cdp.ttl'), '180');
  assert.equal(fieldText(p, 'cdp.checksum.status'), '1');
  assert.equal(fieldText(p, 'cdp.tlv.len'), '11,17,10,8,28,23,8,7,7,6,8,9,8,45,12,16,5,6,5');
  assert.equal(fieldText(p, 'cdp.deviceid'), 'phone-1');
  assert.equal(fieldText(p, 'cdp.portid'), 'Port 1');
  assert.equal(fieldText(p, 'cdp.capabilities'), '0x00000090');
  assert.equal(fieldText(p, 'cdp.capabilities.voip_phone'), '1');
  assert.equal(fieldText(p, 'cdp.capabilities.host'), '1');
  assert.equal(fieldText(p, 'cdp.software_version'), 'SIP70.8-0-2SR1S,line two');
  assert.equal(fieldText(p, 'cdp.platform'), 'Cisco IP Phone 7960');
  assert.equal(fieldText(p, 'cdp.odr_default_gateway'), '10.0.0.254');
  assert.equal(fieldText(p, 'cdp.voice_vlan'), '100,101');
  assert.equal(fieldText(p, 'cdp.power_consumption'), '6300');
  assert.equal(fieldText(p, 'cdp.mtu'), '1500');
  assert.equal(fieldText(p, 'cdp.system_name'), 'phone');
  assert.equal(fieldText(p, 'cdp.system_object_identifier'), '06082b06');
  assert.equal(fieldText(p, 'cdp.nrgyz.ip_address'), '10.9.9.9,10.9.9.8');
  assert.equal(fieldText(p, 'cdp.nrgyz.ipv6_address'), '2001:db8::1');
  assert.equal(fieldText(p, 'cdp.location'), 'room 12');
  assert.equal(fieldText(p, 'cdp.power_requested'), '6300,7000');
  assert.equal(fieldText(p, 'cdp.spare_poe_tlv.req_spare_pair_poe'), '1');
  assert.equal(fieldText(p, 'cdp.data'), '01,20,abcd');
  assert.equal(fieldText(p, 'cdp.duplex'), '0');
});

test('CDP checksum of an odd-length PDU, and a wrong one', () => {
  const odd = dissectHex(CDP_ODD);
  assert.equal(odd.summary.info, 'Device ID: sw9  Port ID: Gi0/3  ');
  assert.equal(fieldText(odd, 'cdp.checksum.status'), '1');
  assert.equal(fieldText(odd, 'cdp.native_vlan'), '7');
  assert.equal(fieldText(odd, 'cdp.vtp_management_domain'), 'vtpdom');
  const bad = dissectHex(CDP_BAD_CHECKSUM);
  assert.equal(fieldText(bad, 'cdp.checksum'), '0x1234');
  assert.equal(fieldText(bad, 'cdp.checksum.status'), '0');
  assert.equal(fieldText(bad, 'cdp.bad_checksum'), '1');
});

test('CDP over GRE: IP prefixes (the field holds the address byte-reversed, as in tshark)', () => {
  const p = dissectHex(CDP_GRE);
  assert.equal(fieldText(p, 'frame.protocols'), 'eth:ethertype:ip:gre:cdp');
  assert.equal(p.summary.info, 'Device ID: r8  Port ID: Tunnel1  ');
  assert.equal(fieldText(p, 'gre.proto'), '0x2000');
  assert.equal(fieldText(p, 'cdp.ip_prefix'), '0.0.2.10,0.0.3.10');
});

test('CDP TLV shorter than its header ends the TLVs; a TLV past the PDU is malformed', () => {
  const short = dissectHex(CDP_BAD_TLV);
  assert.equal(short.summary.info, 'Device ID: sw9  ');
  assert.equal(fieldText(short, 'cdp.tlv.len'), '7,2');
  const over = dissectHex(CDP_OVERRUN);
  assert.equal(over.summary.info, 'Device ID: sw9  [Malformed Packet]');
  assert.equal(fieldText(over, 'cdp.tlv.len'), '7');
});

test('NDP hellos: fields, and Info by the Ethernet destination', () => {
  const p = dissectHex(NDP_HELLO);
  assert.equal(fieldText(p, 'frame.protocols'), 'eth:llc:ndp');
  assert.equal(p.summary.protocol, 'NDP');
  assert.equal(p.summary.info, 'Hello');
  assert.equal(fieldText(p, 'llc.nortel_pid'), '0x01a2');
  assert.equal(fieldText(p, 'ndp.ipaddress'), '10.0.0.7');
  assert.equal(fieldText(p, 'ndp.segmentident'), '0x000102');
  assert.equal(fieldText(p, 'ndp.chassis'), '12');
  assert.equal(fieldText(p, 'ndp.backplane'), '10');
  assert.equal(fieldText(p, 'ndp.state'), '1');
  assert.equal(fieldText(p, 'ndp.numberoflinks'), '2');
  assert.equal(dissectHex(NDP_FLATNET).summary.info, 'FlatNet Hello');
  // tshark reads the hello only for its tree: with one the short hello is malformed, without not.
  const short = dissectHex(NDP_SHORT);
  assert.equal(short.summary.info, 'Segment Hello[Malformed Packet]');
  assert.equal(fieldText(short, 'ndp.ipaddress'), '10.0.0.7');
  assert.equal(dissectHex(NDP_SHORT, { fields: new Set(['frame.time_relative']) }).summary.info, 'Segment Hello');
});

test('without a tree the selected CDP and NDP fields come out the same', () => {
  for (const hex of [CDP_PHONE, CDP_ODD, CDP_BAD_TLV, CDP_BAD_CHECKSUM, CDP_GRE, CDP_OVERRUN, NDP_HELLO, NDP_SHORT]) {
    const names = ['cdp.checksum.status', 'cdp.bad_checksum', 'cdp.tlv.len', 'cdp.software_version', 'cdp.nrgyz.ip_address', 'cdp.power_requested', 'ndp.state', 'frame.protocols'];
    const tree = dissectHex(hex);
    const selected = dissectHex(hex, { fields: new Set(names), columns: false });
    for (const name of names) assert.equal(fieldText(selected, name), fieldText(tree, name), name);
  }
});
