/**
 * HttpMessageParser and content decoding on byte streams cut at every possible place: the
 * messages must come out the same however the bytes were segmented. Compressed bodies are made by
 * node:zlib (the reference for gzip, deflate and brotli).
 */
import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import * as zlib from 'node:zlib';
import { decodeContent } from './content-decoding';
import { HttpMessageParser, type HttpMessage, type HttpSide } from './http-parser';

function parse(side: HttpSide, pieces: Buffer[], methods: string[] = [], endAfter = true): HttpMessage[] {
  const out: HttpMessage[] = [];
  let answered = 0;
  const parser = new HttpMessageParser(side, {
    onMessage: (m) => out.push(m),
    requestMethodFor: (m) => (m.status !== null && m.status < 200 && m.status !== 101 ? null : methods[answered++] ?? null),
  });
  let offset = 0;
  pieces.forEach((data, i) => {
    parser.push({ offset, data, frame: i + 1, tsNs: BigInt(i) });
    offset += data.length;
  });
  if (endAfter) parser.end();
  return out;
}

/** What a message looks like for comparison: everything but where its bytes came from. */
function essence(m: HttpMessage): unknown {
  return [m.startLine, m.method, m.target, m.status, m.headers, m.framing, m.bodyBytes, m.body?.toString('latin1'), m.complete];
}

function everySplit(stream: Buffer, check: (pieces: Buffer[]) => void): void {
  check(Array.from(stream, (b) => Buffer.from([b])));
  for (let cut = 1; cut < stream.length; cut++) check([stream.subarray(0, cut), stream.subarray(cut)]);
}

const longTarget = `/search?q=${'x'.repeat(6000)}&page=2`;
const requests = Buffer.from(
  `\r\nGET ${longTarget} HTTP/1.1\r\nHost: example.test\r\nX-Folded: one\r\n  two\r\n\r\n` +
    'POST /form HTTP/1.1\r\nHost: example.test\r\nContent-Length: 11\r\n\r\nhello=world' +
    'PUT /up HTTP/1.1\r\nHost: example.test\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n' +
    'HEAD /h HTTP/1.1\r\nHost: example.test\r\n\r\n',
  'latin1',
);

test('requests: URL, headers and bodies come out whole however the stream is cut', () => {
  const whole = parse('request', [requests]);
  assert.deepEqual(whole.map((m) => [m.method, m.target, m.bodyBytes, m.complete]), [
    ['GET', longTarget, 0, true],
    ['POST', '/form', 11, true],
    ['PUT', '/up', 3, true],
    ['HEAD', '/h', 0, true],
  ]);
  assert.deepEqual(whole[0]!.headers, [['Host', 'example.test'], ['X-Folded', 'one two']]);
  assert.equal(whole[1]!.body!.toString(), 'hello=world');
  const expected = whole.map(essence);
  // Cutting a 6 kB stream at every byte is 6000 parses: sample the long URL, cover the rest fully.
  everySplit(requests, (pieces) => {
    if (pieces.length === 2 && pieces[0]!.length > 40 && pieces[0]!.length < 6000 && pieces[0]!.length % 97 !== 0) return;
    assert.deepEqual(parse('request', pieces).map(essence), expected, `cut at ${pieces[0]!.length}`);
  });
});

const responses = Buffer.from(
  'HTTP/1.1 100 Continue\r\n\r\n' +
    'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4;name=v\r\nWiki\r\n5\r\npedia\r\n0\r\nX-Trailer: 1\r\n\r\n' +
    'HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n' + 'b'.repeat(5000) +
    'HTTP/1.1 204 No Content\r\nContent-Length: 7\r\n\r\n' +
    'HTTP/1.1 304 Not Modified\r\nContent-Length: 9\r\n\r\n' +
    'HTTP/1.1 200 OK\r\nContent-Length: 123\r\n\r\n' + // answers HEAD: no body follows
    'HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the connection closes',
  'latin1',
);
// Which request each final response answers (100 Continue answers none).
const methods = ['POST', 'GET', 'GET', 'GET', 'HEAD', 'GET'];

test('responses: chunked, Content-Length, 1xx/204/304/HEAD without body, close-delimited', () => {
  const whole = parse('response', [responses], methods);
  assert.deepEqual(whole.map((m) => [m.status, m.framing, m.bodyBytes, m.complete]), [
    [100, 'none', 0, true],
    [200, 'chunked', 9, true],
    [200, 'length', 5000, true],
    [204, 'none', 0, true],
    [304, 'none', 0, true],
    [200, 'none', 0, true],
    [200, 'close', 27, true],
  ]);
  assert.equal(whole[1]!.body!.toString(), 'Wikipedia');
  const expected = whole.map(essence);
  everySplit(responses, (pieces) => {
    if (pieces.length === 2 && pieces[0]!.length > 300 && pieces[0]!.length < 5100 && pieces[0]!.length % 89 !== 0) return;
    assert.deepEqual(parse('response', pieces, methods).map(essence), expected, `cut at ${pieces[0]!.length}`);
  });
});

test('a close-delimited body is incomplete until the stream ends; a cut body is marked incomplete', () => {
  assert.equal(parse('response', [Buffer.from('HTTP/1.1 200 OK\r\n\r\nabc')], ['GET'], false).length, 0);
  const cut = parse('response', [Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc')], ['GET']);
  assert.deepEqual(cut.map((m) => [m.bodyBytes, m.complete]), [[3, false]]);
});

test('a hole inside a body of known length is skipped; elsewhere the parser resyncs on the next message', () => {
  const out: HttpMessage[] = [];
  const p = new HttpMessageParser('response', { onMessage: (m) => out.push(m) });
  const push = (s: string, frame: number): void => p.push({ offset: 0, data: Buffer.from(s), frame, tsNs: 0n });
  push('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc', 1);
  p.gap({ offset: 0, length: 4, reason: 'missing', frame: 2 });
  push('hij', 3);
  push('HTTP/1.1 404 Not Found\r\nContent-Len', 4);
  p.gap({ offset: 0, length: 100, reason: 'missing', frame: 5 });
  push('garbage\r\nHTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n', 6);
  assert.deepEqual(out.map((m) => [m.status, m.bodyBytes, m.missingBytes, m.complete]), [
    [200, 10, 4, true],
    [201, 0, 0, true],
  ]);
  assert.ok(p.unparsedBytes > 100);
});

test('101 Switching Protocols: what follows is not HTTP and is not parsed', () => {
  const out = parse('response', [Buffer.from('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n\x81\x05hello')], ['GET']);
  assert.deepEqual(out.map((m) => m.status), [101]);
});

test('content decoding undoes gzip, deflate (zlib and raw), br and stacked codings', () => {
  const text = Buffer.from('Sievecap '.repeat(500));
  assert.deepEqual(decodeContent(zlib.gzipSync(text), 'gzip').data, text);
  assert.deepEqual(decodeContent(zlib.deflateSync(text), 'deflate').data, text);
  assert.deepEqual(decodeContent(zlib.deflateRawSync(text), 'deflate').data, text);
  assert.deepEqual(decodeContent(zlib.brotliCompressSync(text), 'br').data, text);
  assert.deepEqual(decodeContent(zlib.brotliCompressSync(zlib.gzipSync(text)), 'gzip, br').data, text);
  assert.deepEqual(decodeContent(text, null).data, text);
  assert.match(decodeContent(text, 'compress').error!, /'compress' is not supported/);
  assert.match(decodeContent(Buffer.from('not gzip'), 'gzip').error!, /gzip body cannot be decoded/);
  // A body cut by the capture still shows what it holds.
  const cut = decodeContent(zlib.gzipSync(text).subarray(0, 40), 'gzip');
  assert.ok(cut.data === null || text.toString().startsWith(cut.data.toString()));
  // A compression bomb stops at the bound.
  assert.match(decodeContent(zlib.gzipSync(Buffer.alloc(1 << 20)), 'gzip', 1000).error!, /more than 1000 bytes/);
});
