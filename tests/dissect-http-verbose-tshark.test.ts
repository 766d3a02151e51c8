/**
 * HTTP in `-V` against tshark 4.0: every line of each "Hypertext Transfer Protocol" tree (first
 * line, headers, request/response numbering and matching, chunked bodies, content codings, File
 * Data) and of the "Line-based text data" after it, as `tshark -n -r F -V` prints them, on the
 * corpus' HTTP captures and on conversations built here: chunked and gzip, deflate and br bodies,
 * an empty gzip body, a trailer, pipelined requests, a response without its request, UTF-8 and
 * broken UTF-8 in headers and bodies, lone CRs. Images, XML and form items are not compared (their
 * dissectors are tshark's own).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { requireCorpusDir } from './support/corpus';
import { TcpConversation, writeConversations } from './support/tcp-frames';
import { corpusAsOne } from './support/merge';
import { assertFrameSelectionsAgree } from './support/agree';
import { sievecap } from './support/sievecap';

const NO_TSHARK = spawnSync('tshark', ['--version']).status !== 0 ? 'tshark is not installed (apt-get install tshark)' : false;

const FILES = [
  'chrissanders-packets/http_google.pcapng', 'chrissanders-packets/http_post.pcapng', 'chrissanders-packets/http_espn.pcapng',
  'chrissanders-packets/http_espn_fail.pcapng', 'chrissanders-packets/http_dvwa_clearlogin.pcapng',
  'chrissanders-packets/http_ip4and6.pcapng', 'dpkt/examples/data/http.pcap', 'dpkt/examples/data/nb6-http.pcap',
];

/** Every line of each HTTP tree and of the "Line-based text data" trees (with their headings). */
function httpSections(verbose: string): string[] {
  const out: string[] = [];
  let inside = false;
  for (const line of verbose.split('\n')) {
    if (line === 'Hypertext Transfer Protocol' || line.startsWith('Line-based text data')) inside = true;
    else if (!line.startsWith(' ')) inside = false;
    if (inside) out.push(line);
  }
  return out;
}

function compareSections(file: string): number {
  const theirs = spawnSync('tshark', ['-n', '-r', file, '-V'], { encoding: 'utf8', maxBuffer: 256 << 20 });
  assert.equal(theirs.status, 0, theirs.stderr);
  const ours = sievecap(['-n', '-r', file, '-V']);
  assert.equal(ours.status, 0, ours.stderr.toString());
  const expected = httpSections(theirs.stdout);
  const actual = httpSections(ours.stdout.toString());
  const differing = expected.map((line, k) => [k, line, actual[k]]).filter(([, a, b]) => a !== b).slice(0, 5);
  assert.deepEqual(differing, [], `${path.basename(file)}: the first lines that differ (line, tshark, ours)`);
  assert.equal(actual.length, expected.length, path.basename(file));
  return expected.length;
}

/** HTTP conversations whose bodies and matching exercise what the corpus has little of. */
function builtConversations(): TcpConversation[] {
  const text = Buffer.from('caf\xc3\xa9 \xe9 \xc2\xa0 end\r\nline2\rline3\n\x01tab\there\n'.replace(/\\x([0-9a-f]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1');
  const html = Buffer.from(`<html>\n${'<p>words words words</p>\n'.repeat(40)}</html>\n`);
  const response = (headers: string, body: Buffer): Buffer => Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\n${headers}\r\n`), body]);
  const chunked = (body: Buffer, sizes: number[], trailer = ''): Buffer => {
    const parts: Buffer[] = [];
    let at = 0;
    for (const size of sizes) {
      const piece = body.subarray(at, Math.min(body.length, at + size));
      at += piece.length;
      parts.push(Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from('\r\n'));
    }
    parts.push(Buffer.from(`0\r\n${trailer}\r\n`));
    return Buffer.concat(parts);
  };
  const request = (uri: string, host = 'example.test'): Buffer => Buffer.from(`GET ${uri} HTTP/1.1\r\nHost: ${host}\r\nX-Name: caf\xc3\xa9\r\n\r\n`, 'latin1');
  const gz = zlib.gzipSync(html);
  const keepAlive = new TcpConversation({ serverPort: 80, clientPort: 40001 }).handshake()
    .send('client', request('/text'))
    .send('server', response(`Content-Type: text/plain\r\nContent-Length: ${text.length}\r\n`, text), [], true)
    .send('client', request('/gzip'))
    .send('server', response(`Content-Type: text/html\r\nContent-Encoding: gzip\r\nContent-Length: ${gz.length}\r\n`, gz), [200], true)
    .send('client', request('/chunked-gzip'))
    .send('server', response('Content-Type: text/html\r\nContent-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n', chunked(gz, [100, 7, 1000])), [150], true)
    .send('client', request('/chunked-trailer'))
    .send('server', response('Content-Type: text/plain\r\nTransfer-Encoding: chunked\r\n', chunked(text, [5, 100], 'X-Checksum: 1\r\n')), [], true)
    .send('client', request('/deflate'))
    .send('server', response(`Content-Type: text/html\r\nContent-Encoding: deflate\r\nContent-Length: ${zlib.deflateSync(html).length}\r\n`, zlib.deflateSync(html)), [], true)
    .send('client', request('/br'))
    .send('server', response(`Content-Type: text/html\r\nContent-Encoding: br\r\nContent-Length: ${zlib.brotliCompressSync(html).length}\r\n`, zlib.brotliCompressSync(html)), [], true)
    .send('client', request('/empty-gzip'))
    .send('server', response(`Content-Type: text/html\r\nContent-Encoding: gzip\r\nContent-Length: 20\r\n`, zlib.gzipSync(Buffer.alloc(0))), [], true)
    .send('client', request('/broken-gzip'))
    .send('server', response('Content-Type: text/html\r\nContent-Encoding: gzip\r\nContent-Length: 12\r\n', Buffer.from('not gzip at all'.slice(0, 12))), [], true);
  // Pipelined requests in one segment, answered in one; then a response to no request seen.
  const pipelined = new TcpConversation({ serverPort: 8080, clientPort: 40002 }).handshake()
    .send('client', Buffer.concat([request('/one', 'a.test'), request('/two', 'b.test')]))
    .send('server', Buffer.concat([response('Content-Length: 3\r\n', Buffer.from('one')), response('Content-Length: 3\r\n', Buffer.from('two'))]), [], true)
    .send('server', response('Content-Length: 5\r\n', Buffer.from('extra')), [], true);
  const noRequest = new TcpConversation({ serverPort: 80, clientPort: 40003 }).handshake()
    .send('server', response('Content-Type: text/plain\r\nContent-Length: 4\r\n', Buffer.from('late')), [], true);
  return [keepAlive, pipelined, noRequest];
}

test('HTTP trees and text bodies in -V are the lines tshark -V prints, on the corpus\' HTTP captures', { skip: NO_TSHARK }, () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-http-verbose-'));
  try {
    let lines = 0;
    for (const file of corpusAsOne(requireCorpusDir(), FILES, path.join(tmp, 'http.pcapng'))) lines += compareSections(file);
    assert.ok(lines > 5000, `${lines} lines compared`);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});

test('HTTP codings, matching and text in -V are tshark\'s, on conversations built here', { skip: NO_TSHARK }, () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-http-verbose-'));
  try {
    const file = path.join(tmp, 'built.pcap');
    writeConversations(file, builtConversations());
    const lines = compareSections(file);
    assert.ok(lines > 300, `${lines} lines compared`);
    // The fields behind those lines, as filters and -T fields read them.
    const fields = ['frame.number', 'http.request_number', 'http.response_number', 'http.request_in', 'http.response_in', 'http.prev_request_in', 'http.next_request_in', 'http.time', 'http.response_for.uri', 'http.chunk_size', 'http.file_data'];
    const args = ['-n', '-r', file, '-Y', 'http', '-T', 'fields', ...fields.flatMap((f) => ['-e', f])];
    const theirs = spawnSync('tshark', args, { encoding: 'utf8' });
    assert.equal(theirs.status, 0, theirs.stderr);
    assert.equal(sievecap(args).stdout.toString(), theirs.stdout);
    assertFrameSelectionsAgree(file, ['http.time >= 0.001', 'http.request_in', 'http.response_in == 8', 'http.file_data contains "words"', 'http.chunk_size > 50']);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});
