/**
 * NHRP over GRE (protocol type 0x2001) and IP (protocol 54): fixed header, mandatory part, client
 * information entries, extensions, the Info line, an error indication quoting the errored packet,
 * and short or cut packets. Expected values are what tshark 4.0 prints for the same frames.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Dissector } from './dissector';
import { fieldText } from './test-fields';
import type { DissectedPacket } from './model';

/** Purge request: N and NAT flags, one CIE, then vendor-private, unknown and device-capabilities extensions. */
const PURGE = '00112233445502005e10000108004500007300010000402f66590a0000010a00000200002001000108000000000000ff005bac6d003c01050400040480020000004dc00002010a0101010a0101090018000005dc1c2004000400c00002090a0101090008000500000cdead80200002010280090008000000010000000080000000';
/** Resolution reply with two CIEs (success, already registered) and a wrong checksum. */
const REPLY_BAD_CHECKSUM = '00112233445502005e10000108004500006000010000402f666c0a0000010a00000200002001000108000000000000ff004812340000010204000404d00000000009c00002010a0101010a0101090020000005dc1c2004000400c00002090a0101090e20000005dc1c2000000000';
/** Error indication (authentication failure) quoting a registration request. */
const ERROR = '00112233445502005e10000108004500006800010000402f66640a0000010a00000200002001000108000000000000ff0050158400000107040004040000000b000cc00002010a0101010a010105000108000000000000ff002895bf0000010304000404800000000003c00002050a0101050a010101';
/** Packet length 12: less than the fixed header. */
const SHORT_LENGTH = '00112233445502005e10000108004500004000010000402f668c0a0000010a00000200002001000108000000000000ff000c00000000010104000404000000000001000000000000000000000000';
/** Destination protocol address of 16 bytes running past the packet: malformed. */
const MALFORMED = '00112233445502005e10000108004500004000010000402f668c0a0000010a00000200002001000108000000000000ff002800000000010104000410800000000005c00002010a01010120010db8';
/** NHRP straight over IP with a SNAP long-form protocol type (Cisco OUI): Wireshark reads on from the PID. */
const IP_SNAP = '00112233445502005e10000108004500004400010000403666810a0000010a0000020001008000000c0102ff003071210000010404000202800000000006c00002010a010a020020000005dc1c2000000000';

function dissect(hex: string, options?: { fields?: ReadonlySet<string>; columns?: boolean }, origLen?: number): DissectedPacket {
  const data = Buffer.from(hex, 'hex');
  return new Dissector().dissect({ number: 1, tsNs: 0n, data, origLen: origLen ?? data.length, linkType: 1 }, options);
}

test('NHRP purge request: header, flags, CIE and extensions', () => {
  const p = dissect(PURGE);
  assert.equal(fieldText(p, 'frame.protocols'), 'eth:ethertype:ip:gre:nhrp');
  assert.equal(p.summary.protocol, 'NHRP');
  assert.equal(p.summary.info, 'NHRP Purge Request, ID=77');
  assert.equal(fieldText(p, 'gre.proto'), '0x2001');
  assert.equal(fieldText(p, 'nhrp.hdr.afn'), '0x0001');
  assert.equal(fieldText(p, 'nhrp.hdr.pro.type'), '0x0800');
  assert.equal(fieldText(p, 'nhrp.protocol_type'), '0000000000');
  assert.equal(fieldText(p, 'nhrp.hdr.pktsz'), '91');
  assert.equal(fieldText(p, 'nhrp.hdr.extoff'), '60');
  assert.equal(fieldText(p, 'nhrp.hdr.chksum.status'), '1');
  assert.equal(fieldText(p, 'nhrp.hdr.op.type'), '5');
  assert.equal(fieldText(p, 'nhrp.flags'), '0x8002');
  assert.equal(fieldText(p, 'nhrp.flag.n'), '1');
  assert.equal(fieldText(p, 'nhrp.flag.nat'), '1');
  assert.equal(fieldText(p, 'nhrp.reqid'), '0x0000004d');
  assert.equal(fieldText(p, 'nhrp.src.nbma.addr'), '192.0.2.1');
  assert.equal(fieldText(p, 'nhrp.dst.prot.addr'), '10.1.1.9');
  assert.equal(fieldText(p, 'nhrp.prefix'), '24');
  assert.equal(fieldText(p, 'nhrp.client.nbma.addr'), '192.0.2.9');
  assert.equal(fieldText(p, 'nhrp.client.prot.addr'), '10.1.1.9');
  assert.equal(fieldText(p, 'nhrp.ext.type'), '0x0008,0x0020,0x0009,0x0000');
  assert.equal(fieldText(p, 'nhrp.ext.c'), '0,1,1,1');
  assert.equal(fieldText(p, 'nhrp.vendor_ext.id'), '12');
  assert.equal(fieldText(p, 'nhrp.vendor_ext.data'), 'dead');
  assert.equal(fieldText(p, 'nhrp.unknown_ext.value'), '0102');
  assert.equal(fieldText(p, 'nhrp.devcap_ext.srccap.V'), '1');
  assert.equal(fieldText(p, 'nhrp.devcap_ext.dstcap'), '0x00000000');
});

test('NHRP reply: each CIE code in Info, a bad checksum', () => {
  const p = dissect(REPLY_BAD_CHECKSUM);
  assert.equal(p.summary.info, 'NHRP Resolution Reply, ID=9, Code=Success, Code=Unique Internetworking Layer Address Already Registered');
  assert.equal(fieldText(p, 'nhrp.flag.q'), '1');
  assert.equal(fieldText(p, 'nhrp.flag.a'), '1');
  assert.equal(fieldText(p, 'nhrp.flag.u'), '1');
  assert.equal(fieldText(p, 'nhrp.code'), '0,14');
  assert.equal(fieldText(p, 'nhrp.hdr.chksum'), '0x1234');
  assert.equal(fieldText(p, 'nhrp.hdr.chksum.status'), '0');
  assert.equal(fieldText(p, 'nhrp.hdr.bad_checksum'), '1');
});

test('NHRP error indication: the errored packet is NHRP again, its request ID in Info', () => {
  const p = dissect(ERROR);
  assert.equal(fieldText(p, 'frame.protocols'), 'eth:ethertype:ip:gre:nhrp');
  assert.equal(p.summary.info, 'NHRP Error Indication, Authentication Failure, ID=3');
  assert.equal(fieldText(p, 'nhrp.err.code'), '11');
  assert.equal(fieldText(p, 'nhrp.err.offset'), '12');
  assert.equal(fieldText(p, 'nhrp.hdr.op.type'), '7,3');
  assert.equal(fieldText(p, 'nhrp.src.nbma.addr'), '192.0.2.1,192.0.2.5');
  assert.equal(fieldText(p, 'nhrp.hdr.chksum.status'), '1,1');
});

test('NHRP packet length under the fixed header, and a mandatory part past the packet', () => {
  const short = dissect(SHORT_LENGTH);
  assert.equal(short.summary.info, 'NHRP Resolution Request');
  assert.equal(fieldText(short, 'nhrp.hdr.pktsz.invalid'), '1');
  assert.equal(fieldText(short, 'nhrp.hdr.extoff'), '');
  const bad = dissect(MALFORMED);
  assert.equal(bad.summary.info, 'NHRP Resolution Request, ID=5[Malformed Packet]');
  assert.equal(fieldText(bad, 'nhrp.dst.prot.len'), '16');
  assert.equal(fieldText(bad, 'nhrp.dst.prot.addr_byets'), '');
  const cut = dissect(PURGE.slice(0, 2 * 80), undefined, PURGE.length / 2);
  assert.equal(cut.summary.info, 'NHRP Purge Request, ID=77[Packet size limited during capture]');
  assert.equal(fieldText(cut, 'nhrp.hdr.chksum.status'), '2');
});

test('NHRP over IP with a SNAP protocol type: the PID is not stepped over', () => {
  const p = dissect(IP_SNAP);
  assert.equal(fieldText(p, 'frame.protocols'), 'eth:ethertype:ip:nhrp');
  assert.equal(p.summary.info, 'NHRP Registration Reply');
  assert.equal(fieldText(p, 'nhrp.hdr.pro.type'), '0x0080');
  assert.equal(fieldText(p, 'nhrp.hdr.pro.snap.oui'), '12');
  assert.equal(fieldText(p, 'llc.cisco_pid'), '0x0102');
  assert.equal(fieldText(p, 'nhrp.hdr.hopcnt'), '1');
  assert.equal(fieldText(p, 'nhrp.hdr.pktsz'), '767');
  assert.equal(fieldText(p, 'nhrp.hdr.extoff.invalid'), '1');
});

test('without a tree the selected NHRP fields come out the same', () => {
  for (const hex of [PURGE, REPLY_BAD_CHECKSUM, ERROR, SHORT_LENGTH, MALFORMED, IP_SNAP]) {
    const names = ['nhrp.reqid', 'nhrp.hdr.chksum.status', 'nhrp.hdr.bad_checksum', 'nhrp.code', 'nhrp.ext.type', 'nhrp.client.prot.addr', 'nhrp.vendor_ext.id', 'frame.protocols'];
    const tree = dissect(hex);
    const selected = dissect(hex, { fields: new Set(names), columns: false });
    for (const name of names) assert.equal(fieldText(selected, name), fieldText(tree, name), name);
  }
});
