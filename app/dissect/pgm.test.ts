/**
 * PGM on frames built here: an SPM, an ODATA whose payload goes on as data, a POLL, a truncated
 * NAK, a bare header (declined: data) and an unknown type (Protocol column only). Expected values
 * are what tshark 4.0 prints for the same frames (`tshark -T fields -e frame.protocols
 * -e _ws.col.Protocol -e _ws.col.Info -e pgm.*`).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Dissector } from './dissector';
import { fieldText } from './test-fields';
import type { DissectedPacket } from './model';
import { ipFrame } from './test-frames';

const GSI = '3329041eba74';
function pgm(type: number, tsdulen: number, body: string): Buffer {
  const header = Buffer.from(`34081bbb${type.toString(16).padStart(2, '0')}000000${GSI}${tsdulen.toString(16).padStart(4, '0')}`, 'hex');
  return ipFrame(113, Buffer.concat([header, Buffer.from(body, 'hex')]));
}

const FRAMES = {
  spm: pgm(0, 0, '0001681e000054720000d6a6000100000a00002d'),
  odata: pgm(4, 5, '0000d6a700005472' + '68656c6c6f'),
  poll: pgm(1, 0, '00000003000000000001000' + '00a00020f' + '000000000000000000000000'),
  /** Cut by the snap length 8 bytes before its end. */
  nak: pgm(8, 0, '00800000000100000a00' + '0000000000000000'),
  bare: pgm(0xc, 0, ''),
  unknown: pgm(0x1f, 0, '00000000'),
};

function dissect(data: Buffer, origLen = data.length): DissectedPacket {
  return new Dissector().dissect({ number: 1, tsNs: 0n, data, origLen, linkType: 1 });
}

test('PGM SPM and ODATA: header, sequence numbers, Info, data after ODATA', () => {
  const spm = dissect(FRAMES.spm);
  assert.equal(fieldText(spm, 'frame.protocols'), 'eth:ethertype:ip:pgm');
  assert.equal(spm.summary.protocol, 'PGM');
  assert.equal(spm.summary.info, `SPM   sqn 0x1681e gsi ${GSI}`);
  for (const [name, value] of [
    ['pgm.hdr.sport', '13320'], ['pgm.hdr.dport', '7099'], ['pgm.hdr.type', '0x00'], ['pgm.hdr.opts', '0x00'], ['pgm.hdr.gsi', GSI],
    ['pgm.spm.sqn', '0x0001681e'], ['pgm.spm.trail', '0x00005472'], ['pgm.spm.lead', '0x0000d6a6'], ['pgm.spm.pathafi', '1'], ['pgm.spm.path.ipv4', '10.0.0.45'],
  ]) assert.equal(fieldText(spm, name!), value, name);
  const odata = dissect(FRAMES.odata);
  assert.equal(fieldText(odata, 'frame.protocols'), 'eth:ethertype:ip:pgm:data');
  assert.equal(odata.summary.info, `ODATA sqn 0xd6a7 gsi ${GSI} tsdulen 5`);
  assert.equal(fieldText(odata, 'data.len'), '5');
});

test('PGM POLL and a truncated NAK', () => {
  const poll = dissect(FRAMES.poll);
  assert.equal(poll.summary.info, `POLL  sqn 0x3 gsi ${GSI} subtype General`);
  assert.equal(fieldText(poll, 'pgm.poll.path.ipv4'), '10.0.2.15');
  const nak = dissect(FRAMES.nak.subarray(0, FRAMES.nak.length - 8), FRAMES.nak.length);
  assert.equal(nak.summary.info, `NAK   sqn 0x800000 gsi ${GSI}[Packet size limited during capture]`);
  assert.equal(nak.layers.find((l) => l.protocol === 'pgm')!.status, 'truncated');
});

test('PGM bare header is declined (data), an unknown type shows only the Protocol column', () => {
  const bare = dissect(FRAMES.bare);
  assert.equal(fieldText(bare, 'frame.protocols'), 'eth:ethertype:ip:data');
  assert.equal(bare.summary.protocol, 'IPv4');
  assert.equal(bare.summary.info, 'PGM (113)');
  const unknown = dissect(FRAMES.unknown);
  assert.equal(fieldText(unknown, 'frame.protocols'), 'eth:ethertype:ip');
  assert.equal(unknown.summary.protocol, 'PGM');
  assert.equal(unknown.summary.info, '');
});
