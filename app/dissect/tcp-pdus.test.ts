/**
 * Where PDUs end, as the application dissectors tell TCP desegmentation (tcp-pdus.ts), and the
 * Dissector's handling of segments: checked here without tshark on hand-made payloads; the
 * whole against tshark in tests/dissect-desegment-tshark.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { httpMessages } from './http';
import { tlsRecords } from './tls';
import { lengthPrefixedPdus, ONE_MORE_SEGMENT, UNTIL_FIN } from './tcp-pdus';
import { Dissector } from './dissector';
import { collectFields } from '../cli/tshark/fields';
import { TcpConversation } from '../../tests/support/tcp-frames';

const b = (text: string): Buffer => Buffer.from(text, 'latin1');

test('HTTP: a first line or headers without their end wait for one more segment, with the first line as Info once it is whole', () => {
  assert.deepEqual(httpMessages(b('GET /inde'), 0, 9), { pdus: [], need: ONE_MORE_SEGMENT });
  const head = b('GET / HTTP/1.1\r\nHost: x\r\n');
  assert.deepEqual(httpMessages(head, 0, head.length), { pdus: [], need: ONE_MORE_SEGMENT, info: 'GET / HTTP/1.1 ' });
});

test('HTTP: bodies end by Content-Length, by the last chunk, or (a response with neither) at the FIN; requests and 1xx/204/304 have none', () => {
  const full = b('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello');
  assert.deepEqual(httpMessages(full, 0, full.length), { pdus: [full.length], need: 0 });
  assert.deepEqual(httpMessages(full, 0, full.length - 2), { pdus: [], need: 2, info: 'HTTP/1.1 200 OK ' });
  const chunked = b('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n');
  assert.deepEqual(httpMessages(chunked, 0, chunked.length), { pdus: [chunked.length], need: 0 });
  assert.equal(httpMessages(chunked, 0, chunked.length - 2).need, ONE_MORE_SEGMENT);
  const open = b('HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nsome');
  assert.equal(httpMessages(open, 0, open.length).need, UNTIL_FIN);
  const twoRequests = b('GET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\n\r\n');
  assert.deepEqual(httpMessages(twoRequests, 0, twoRequests.length), { pdus: [19, 19], need: 0 });
  const notModified = b('HTTP/1.1 304 Not Modified\r\nETag: "x"\r\n\r\n');
  assert.deepEqual(httpMessages(notModified, 0, notModified.length), { pdus: [notModified.length], need: 0 });
  const continuation = b('\x00\x01 binary body bytes\r\n');
  assert.deepEqual(httpMessages(continuation, 0, continuation.length), { pdus: [continuation.length], need: 0 });
});

test('TLS: whole records in one call; a cut header or record waits, clearing Info and keeping its layer', () => {
  const record = (n: number): Buffer => Buffer.concat([Buffer.from([23, 3, 3, n >> 8, n & 0xff]), Buffer.alloc(n)]);
  const two = Buffer.concat([record(10), record(20)]);
  assert.deepEqual(tlsRecords(two, 0, two.length), { pdus: [two.length], need: 0, infoJoin: ', ' });
  assert.deepEqual(tlsRecords(two, 0, two.length - 5), { pdus: [15], need: 5, info: '', keepsLayer: 'Transport Layer Security', infoJoin: ', ' });
  assert.equal(tlsRecords(two, 0, 3).need, ONE_MORE_SEGMENT);
  assert.deepEqual(tlsRecords(b('not tls at all'), 0, 14), { pdus: [14], need: 0, infoJoin: ', ' });
});

test('length-prefixed PDUs: a cut prefix needs its missing bytes; an impossible length takes the rest as it is', () => {
  const read = (data: Buffer) => (at: number) => 2 + data.readUInt16BE(at);
  const data = Buffer.from([0, 3, 1, 2, 3, 0, 2, 9]);
  assert.deepEqual(lengthPrefixedPdus(data, 0, 8, 2, read(data)), { pdus: [5], need: 1, sizedPdus: 1 });
  assert.deepEqual(lengthPrefixedPdus(data, 0, 1, 2, read(data)), { pdus: [], need: 1, sizedPdus: 0 });
  // An impossible length: the rest is dissected as it is, with no PDU size (tshark's bounds error).
  assert.deepEqual(lengthPrefixedPdus(data, 0, 5, 2, () => 1), { pdus: [5], need: 0, sizedPdus: 0 });
});

/** Dissects a conversation's frames in order; returns each frame's chain and Info. */
function dissectAll(c: TcpConversation, desegment = true): Array<{ chain: string; info: string; protocol: string; segments: string }> {
  const d = new Dissector({ desegment });
  return c.frames.map((f, k) => {
    const p = d.dissect({ number: k + 1, tsNs: BigInt(k), data: f.data, origLen: f.data.length, linkType: 1 });
    const fields = collectFields(p, ['frame.protocols', 'tcp.segment']);
    return { chain: (fields.get('frame.protocols') ?? []).join(), info: p.summary.info, protocol: p.summary.protocol, segments: (fields.get('tcp.segment') ?? []).join() };
  });
}

test('a request in three segments: the first two are TCP segments of a reassembled PDU, the third the whole request', () => {
  const c = new TcpConversation({ serverPort: 80 }).handshake().send('client', b('GET /x HTTP/1.1\r\nHost: h\r\n\r\n'), [5, 20]);
  const frames = dissectAll(c).slice(3);
  assert.deepEqual(frames.map((f) => f.protocol), ['TCP', 'TCP', 'HTTP']);
  assert.match(frames[0]!.info, /Len=5 \[TCP segment of a reassembled PDU\]$/);
  assert.equal(frames[1]!.info, 'GET /x HTTP/1.1  [TCP segment of a reassembled PDU]');
  assert.equal(frames[2]!.chain, 'eth:ethertype:ip:tcp:http');
  assert.equal(frames[2]!.segments, '4,5,6');
  // Off: every segment on its own.
  assert.deepEqual(dissectAll(c, false).slice(3).map((f) => f.protocol), ['HTTP', 'HTTP', 'HTTP']);
});

test('a dissection without a tree that names no application field leaves payloads alone', () => {
  const c = new TcpConversation({ serverPort: 80 }).handshake().send('server', b('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n'), []);
  const d = new Dissector();
  c.frames.forEach((f, k) => {
    const p = d.dissect({ number: k + 1, tsNs: 0n, data: f.data, origLen: f.data.length, linkType: 1 }, { fields: new Set(['tcp.port']), columns: false });
    assert.equal(p.layers.some((l) => l.protocol === 'http'), false);
  });
});
