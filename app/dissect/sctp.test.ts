/**
 * SCTP: INIT and INIT_ACK, a DATA chunk with padding and its payload as data, a SACK bundled with DATA
 * (relative TSNs count from each direction's initial TSN, as tshark numbers them), and a chunk whose
 * length is shorter than its header (malformed).
 * Frames are built for this test (checksums computed); expected values are what tshark 4.0 prints
 * for them (`tshark -T fields -e ... -e _ws.col.Protocol -e _ws.col.Info`).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Dissector } from './dissector';
import { fieldText } from './test-fields';
import type { DissectedPacket } from './model';

const FRAMES = {
  sctp_init: '01005e00000d020000000001080045c00034000100004084f581c0000201c00002029c401389000000001234567801000014111111110000ffff000a000a000003e8',
  sctp_init_ack: '01005e00000d020000000001080045c0003c000100004084f579c0000202c000020113899c4011111111123456780200001c222222220000ffff000a000a0000138800070008636f6f6b',
  sctp_data: '01005e00000d020000000001080045c00038000100004084f57dc0000201c00002029c401389222222221234567800030015000003e8000100000000002e68656c6c6f000000',
  sctp_sack_data: '01005e00000d020000000001080045c00048000100004084f56dc0000202c000020113899c40111111111234567803000010000003e80000ea600000000000030018000013880000000000000000776f726c64212121',
  sctp_bad_chunk: '01005e00000d020000000001080045c00028000100004084f58dc0000201c00002029c40138922222222123456780a00000200000000',
};

/** Dissects the frames in order with one Dissector (relative TSNs need the association's earlier frames). */
function dissectAll(hexes: string[], fields?: ReadonlySet<string>): DissectedPacket[] {
  const d = new Dissector();
  return hexes.map((hex, k) => {
    const data = Buffer.from(hex, 'hex');
    return d.dissect({ number: k + 1, tsNs: 0n, data, origLen: data.length, linkType: 1 }, fields ? { fields } : undefined);
  });
}

/** Checks chain, columns and fields of the last frame, in the whole tree and when only those fields are asked for. */
function check(hexes: string[], chain: string, info: string, expected: Array<[string, string]>): void {
  const tree = dissectAll(hexes).at(-1)!;
  assert.equal(fieldText(tree, 'frame.protocols'), chain);
  assert.equal(tree.summary.protocol, 'SCTP');
  assert.equal(tree.summary.info, info);
  const noTree = dissectAll(hexes, new Set(expected.map(([name]) => name))).at(-1)!;
  for (const [name, value] of expected) {
    assert.equal(fieldText(tree, name), value, name);
    assert.equal(fieldText(noTree, name), value, `${name} (no tree)`);
  }
}

const { sctp_init: init, sctp_init_ack: initAck, sctp_data: data, sctp_sack_data: sackData, sctp_bad_chunk: badChunk } = FRAMES;

test('SCTP INIT: common header and the initial TSN', () => {
  check([init], 'eth:ethertype:ip:sctp', 'INIT ', [
    ['sctp.srcport', '40000'],
    ['sctp.port', '40000,5001'],
    ['sctp.verification_tag', '0x00000000'],
    ['sctp.checksum', '0x12345678'],
    ['sctp.checksum.status', '2'],
    ['sctp.init_initiate_tag', '0x11111111'],
    ['sctp.init_initial_tsn', '1000'],
    ['sctp.chunk_length', '20'],
  ]);
});

test('SCTP DATA: TSN relative to the INIT, padding, payload as data', () => {
  check([init, initAck, data], 'eth:ethertype:ip:sctp:data', 'DATA (TSN=0) ', [
    ['sctp.chunk_length', '21'],
    ['sctp.chunk_padding', '000000'],
    ['sctp.data_tsn', '0'],
    ['sctp.data_tsn_raw', '1000'],
    ['sctp.data_sid', '0x0001'],
    ['sctp.data_payload_proto_id', '46'],
    ['data.len', '5'],
  ]);
});

test('SCTP SACK bundled with DATA: the ack counts from the peer\'s initial TSN', () => {
  check([init, initAck, data, sackData], 'eth:ethertype:ip:sctp:data', 'SACK (Ack=0, Arwnd=60000) DATA (TSN=0) ', [
    ['sctp.srcport', '5001'],
    ['sctp.dstport', '40000'],
    ['sctp.chunk_type', '3,0'],
    ['sctp.chunk_flags', '0x00,0x03'],
    ['sctp.chunk_length', '16,24'],
    ['sctp.sack_cumulative_tsn_ack', '0'],
    ['sctp.sack_cumulative_tsn_ack_raw', '1000'],
    ['sctp.sack_a_rwnd', '60000'],
    ['sctp.data_tsn', '0'],
    ['sctp.data_tsn_raw', '5000'],
    ['data.len', '8'],
  ]);
});

test('SCTP SACK without the association\'s start: the ack stays absolute', () => {
  check([sackData], 'eth:ethertype:ip:sctp:data', 'SACK (Ack=1000, Arwnd=60000) DATA (TSN=0) ', [['sctp.sack_cumulative_tsn_ack', '1000']]);
});

test('SCTP chunk length shorter than its header: malformed after the chunk header', () => {
  check([badChunk], 'eth:ethertype:ip:sctp', 'COOKIE_ECHO [Malformed Packet]', [
    ['sctp.chunk_type', '10'],
    ['sctp.chunk_length', '2'],
  ]);
});
