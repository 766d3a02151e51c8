/**
 * POP3 (TCP 110) as tshark 4.0 shows it, on conversations this test builds: a greeting, USER and
 * PASS, STAT, a LIST answer with its lines in the +OK segment and in a segment of their own (a
 * DATA fragment that is a message of its own), RETR answered "+OK <octets> octets" and the message
 * in three segments put together as IMF on the last (its DATA fragments; the frame it ends in with
 * -2), TOP answered without a length (the malformed-length expert), lines ended by CRs alone, and
 * STLS answered "+OK " after which the connection is TLS. Compared with tshark: -T fields of the
 * POP fields, frame.protocols, Protocol and Info, -V, and -V with -2.
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
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sievecap-pop-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const ascii = (text: string): Buffer => Buffer.from(text, 'latin1');
const CLIENT_HELLO = Buffer.concat([Buffer.from([22, 3, 1, 0, 45, 1, 0, 0, 41, 3, 3]), Buffer.alloc(32, 0x33), Buffer.from([0, 0, 2, 0, 0x2f, 1, 0])]);

function conversations(): TcpConversation[] {
  const a = new TcpConversation({ serverPort: 110, clientPort: 40001 }).handshake();
  a.send('server', ascii('+OK POP3 server ready <1896.697170952@example.com>\r\n'));
  a.send('client', ascii('USER bob\r\n'));
  a.send('server', ascii('+OK send PASS\r\n'));
  a.send('client', ascii('PASS secret word\r\n'));
  a.send('server', ascii('+OK maildrop has 2 messages (320 octets)\r\n'));
  a.send('client', ascii('STAT\r\n'));
  a.send('server', ascii('+OK 2 320\r\n'));
  a.send('client', ascii('LIST\r\n'));
  a.send('server', ascii('+OK 2 messages (320 octets)\r\n1 120\r\n'));
  a.send('server', ascii('2 200\r\n.\r\n'));
  const message = 'From: Alice <alice@example.com>\r\nTo: bob@example.com\r\nSubject: Lunch\r\nContent-Type: text/plain; charset=us-ascii\r\nX-Note: kept\r\n\r\nAt noon?\r\nSee you.\r\n.\r\n';
  a.send('client', ascii('RETR 1\r\n'));
  a.send('server', ascii(`+OK ${message.length - 20} octets\r\n`));
  a.send('server', ascii(message), [40, 90]);
  a.send('client', ascii('TOP 2 0\r\n'));
  a.send('server', ascii('+OK top of message follows\r\n'));
  a.send('server', ascii('Subject: Two\r\n\r\n.\r\n'));
  a.send('client', ascii('NOOP\r\n'));
  a.send('server', ascii('+OK\r\r..\r\n'));
  a.send('server', ascii('x\ry\r\n'));
  a.send('client', ascii('STLS\r\n'));
  a.send('server', ascii('+OK Begin TLS negotiation\r\n'));
  a.send('client', CLIENT_HELLO);
  return [a];
}

function run(tool: 'tshark' | 'sievecap', args: string[]): string {
  const r = tool === 'tshark' ? spawnSync('tshark', args, { encoding: 'utf8', maxBuffer: 64 << 20 }) : sievecap(args);
  assert.equal(r.status, 0, String(r.stderr));
  return r.stdout.toString();
}

function frames(text: string): string[] {
  return text.split(/^(?=Frame \d+:)/m);
}

const POP_FIELDS = [
  'pop.request', 'pop.request.command', 'pop.request.parameter', 'pop.request.data', 'pop.response', 'pop.response.indicator',
  'pop.response.description', 'pop.response.data', 'pop.data.fragment', 'pop.data.fragment.count', 'pop.data.reassembled.length',
  'pop.data.reassembled.in', '_ws.expert.message', 'imf.from', 'imf.subject', 'imf.extension',
];

test('POP: requests, responses, RETR messages put together as IMF, DATA fragments, STLS, as tshark', { skip: NO_TSHARK }, () => {
  const file = path.join(tmp, 'pop.pcap');
  writeConversations(file, conversations());
  const fields = ['-r', file, '-T', 'fields', '-E', 'separator=|', '-E', 'occurrence=a', '-e', 'frame.number', '-e', 'frame.protocols', '-e', '_ws.col.Protocol', '-e', '_ws.col.Info', ...POP_FIELDS.flatMap((f) => ['-e', f])];
  const theirs = run('tshark', fields).split('\n');
  const text = theirs.join('\n');
  assert.match(text, /\|S: DATA fragment, 40 bytes\|/);
  assert.match(text, /\|POP\/IMF\|from: Alice/);
  assert.match(text, /Length must be a string containing an integer/);
  assert.match(text, /eth:ethertype:ip:tcp:tls\|/);
  assert.deepEqual(run('sievecap', fields).split('\n'), theirs);
  assert.deepEqual(frames(run('sievecap', ['-r', file, '-V'])), frames(run('tshark', ['-r', file, '-V'])));
  assert.deepEqual(frames(run('sievecap', ['-2', '-r', file, '-V'])), frames(run('tshark', ['-2', '-r', file, '-V'])));
});
