/**
 * WebSocket after HTTP's `101 Switching Protocols` (app/dissect/websocket.ts, the switch in
 * http.ts) compared with tshark 4.0 on connections this test builds: an upgrade on port 80 with
 * binary and text frames both ways (client frames masked), 16- and 64-bit extended lengths, a frame
 * split over segments and two in one segment, Ping, Pong and Close (with a status code and a
 * reason, and without), an unknown opcode, a 101 and a frame in one segment, an Upgrade to a
 * protocol tshark has no dissector for (Docker's `tcp`: data), and a 101 without Upgrade (still
 * HTTP) — -T fields of every websocket field, frame.protocols and the Protocol and Info columns,
 * -V, and `-Y websocket` / `-Y http`.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { sievecap } from './support/sievecap';
import { TcpConversation, writeConversations } from './support/tcp-frames';

const NO_TSHARK = spawnSync('tshark', ['--version']).status !== 0 ? 'tshark is not installed (apt-get install tshark)' : false;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-websocket-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const ascii = (text: string): Buffer => Buffer.from(text, 'latin1');

/** A WebSocket frame: FIN/RSV/opcode, the length (7, 16 or 64 bits), the masking key when given, the payload (masked). */
function wsFrame(opcode: number, payload: Buffer, key: Buffer | null = null, fin = true, rsv = 0): Buffer {
  const head: number[] = [(fin ? 0x80 : 0) | (rsv << 4) | opcode];
  const m = key ? 0x80 : 0;
  if (payload.length < 126) head.push(m | payload.length);
  else if (payload.length < 65536) head.push(m | 126, payload.length >> 8, payload.length & 0xff);
  else {
    head.push(m | 127, 0, 0, 0, 0);
    for (let s = 24; s >= 0; s -= 8) head.push((payload.length >>> s) & 0xff);
  }
  const body = Buffer.from(payload);
  if (key) for (let i = 0; i < body.length; i++) body[i] ^= key[i & 3]!;
  return Buffer.concat([Buffer.from(head), key ?? Buffer.alloc(0), body]);
}

const GET = (upgrade: string): Buffer => ascii(`GET /chat HTTP/1.1\r\nHost: example.com\r\nUpgrade: ${upgrade}\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`);
const SWITCH = (upgrade: string | null): Buffer => ascii(`HTTP/1.1 101 Switching Protocols\r\n${upgrade ? `Upgrade: ${upgrade}\r\n` : ''}Connection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n`);
const KEY = Buffer.from('37fa213d', 'hex');

function conversations(): TcpConversation[] {
  const a = new TcpConversation({ clientPort: 50101, serverPort: 80 }).handshake();
  a.send('client', GET('websocket'));
  a.send('server', SWITCH('websocket'));
  a.send('server', wsFrame(2, Buffer.from('ef83bf4e', 'hex')));
  a.send('client', wsFrame(1, ascii('Hello, WebSocket!'), KEY));
  a.send('client', wsFrame(1, ascii('line one\r\nline two\r\nlast'), KEY));
  const big = wsFrame(2, Buffer.alloc(300, 0x41));
  a.send('server', big.subarray(0, 100));
  a.send('server', big.subarray(100));
  a.send('server', Buffer.concat([wsFrame(1, ascii('{"a":1}')), wsFrame(9, ascii('ping!'))]));
  a.send('client', wsFrame(10, ascii('ping!'), KEY));
  const huge = wsFrame(2, Buffer.alloc(70000, 0x07), KEY);
  for (let at = 0; at < huge.length; at += 1400) a.send('client', huge.subarray(at, at + 1400));
  a.send('server', wsFrame(2, Buffer.alloc(0)));
  a.send('server', wsFrame(3, ascii('odd')));
  a.send('client', wsFrame(8, Buffer.concat([Buffer.from([0x03, 0xe8]), ascii('bye')]), KEY));
  a.send('server', wsFrame(8, Buffer.from([0x03, 0xf1])));
  a.send('server', wsFrame(8, Buffer.alloc(0)));

  const b = new TcpConversation({ clientPort: 50102, serverPort: 8080 }).handshake();
  b.send('client', GET('websocket'));
  b.send('server', Buffer.concat([SWITCH('websocket'), wsFrame(9, Buffer.alloc(0))]));
  b.send('client', wsFrame(10, Buffer.alloc(0), KEY));
  b.send('server', wsFrame(1, ascii('after the coalesced ping')));

  const c = new TcpConversation({ clientPort: 50103, serverPort: 80 }).handshake();
  c.send('client', GET('tcp'));
  c.send('server', SWITCH('tcp'));
  c.send('client', ascii('raw stream bytes after the upgrade'));
  c.send('server', Buffer.from('00010203', 'hex'));

  const d = new TcpConversation({ clientPort: 50104, serverPort: 80 }).handshake();
  d.send('client', GET('websocket'));
  d.send('server', SWITCH(null));
  d.send('client', ascii('GET /next HTTP/1.1\r\nHost: example.com\r\n\r\n'));
  return [a, b, c, d];
}

function run(tool: 'tshark' | 'sievecap', args: string[]): string {
  const r = tool === 'tshark' ? spawnSync('tshark', args, { encoding: 'utf8', maxBuffer: 64 << 20 }) : sievecap(args);
  assert.equal(r.status, 0, String(r.stderr));
  return r.stdout.toString();
}

function frames(text: string): string[] {
  return text.split(/^(?=Frame \d+:)/m);
}

const WS_FIELDS = [
  'websocket.fin', 'websocket.rsv', 'websocket.opcode', 'websocket.mask', 'websocket.payload_length', 'websocket.payload_length_ext_16',
  'websocket.payload_length_ext_64', 'websocket.masking_key', 'websocket.payload.text', 'websocket.payload.close.status_code',
  'websocket.payload.close.reason', 'websocket.payload.ping', 'websocket.payload.pong', 'websocket.payload.unknown',
  'websocket.payload.continue', 'data.data', 'data.len',
];

test('WebSocket after an HTTP upgrade: fields, columns, chains, -V and filters as tshark', { skip: NO_TSHARK }, () => {
  const file = path.join(tmp, 'websocket.pcap');
  writeConversations(file, conversations());
  const fields = ['-r', file, '-T', 'fields', '-E', 'separator=|', '-E', 'occurrence=a', '-e', 'frame.number', '-e', 'frame.protocols', '-e', '_ws.col.Protocol', '-e', '_ws.col.Info', ...WS_FIELDS.flatMap((f) => ['-e', f])];
  const theirs = run('tshark', fields).split('\n');
  const text = theirs.join('\n');
  assert.match(text, /eth:ethertype:ip:tcp:http:websocket:data-text-lines\|WebSocket\|WebSocket Text \[FIN\] \[MASKED\]/);
  assert.match(text, /eth:ethertype:ip:tcp:http:data\|/);
  assert.match(text, /HTTP\/1.1 101 Switching Protocols WebSocket Ping \[FIN\] /);
  assert.deepEqual(run('sievecap', fields).split('\n'), theirs);
  // -V: all but one line: tshark's TCP tree shows [PDU Size: 2] for the Ping that shares its
  // segment with the 101 (tcp_dissect_pdus called inside HTTP), which Sievecap does not.
  const withoutPduSize = (text: string): string[] => frames(text).map((f) => (/101 Switching Protocols/.test(f) && /Ping/.test(f) ? f.replace(/^ {4}\[PDU Size: 2\]\n/m, '') : f));
  assert.deepEqual(withoutPduSize(run('sievecap', ['-r', file, '-V'])), withoutPduSize(run('tshark', ['-r', file, '-V'])));
  for (const filter of ['websocket', 'http', 'websocket.opcode == 8', 'data-text-lines']) {
    const args = ['-r', file, '-Y', filter, '-T', 'fields', '-e', 'frame.number'];
    assert.equal(run('sievecap', args), run('tshark', args), `-Y ${filter}`);
  }
});
